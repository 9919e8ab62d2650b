"""The main menu, help, /start, and the answers for commands and messages that fit nowhere else."""

from __future__ import annotations

from dataclasses import replace as dataclass_replace

from bot.app import command_action
from bot.context import Context
from bot.i18n import N_
from bot.replies import Action, Button, Message
from handlers import calls, support
from handlers.common.domain import Role

ITEMS = (
    ("agenda", N_("📣 Wat loopt er?")),
    ("ideeen", N_("🌱 Ideeën en projecten")),
    ("idee", N_("💡 Idee delen")),
    ("tijd", N_("🕒 Tijd geven")),
    ("kennis", N_("🧰 Kennis delen")),
    ("geven", N_("🎁 Geld of materiaal")),
    ("profiel", N_("👤 Mijn profiel")),
    ("bijdragen", N_("📋 Mijn bijdragen")),
    ("privacy", N_("🔒 Privacy")),
    ("help", N_("❓ Hulp")),
)

HELP = N_(
    "Zo werk ik:\n"
    "/menu – alles wat je kunt doen\n"
    "/agenda – wat er nu loopt\n"
    "/idee – een idee delen\n"
    "/tijd – tijd geven\n"
    "/kennis – kennis of talent delen\n"
    "/geven – geld, materiaal of een ruimte geven\n\n"
    "Midden in een vraag? Typ /terug, /overslaan of /annuleer."
)
HELP_MORE = N_(
    "Nog meer:\n"
    "/profiel – je profiel bekijken en aanpassen\n"
    "/bijdragen – wat je al deelde\n"
    "/ideeen – ideeën en projecten van anderen\n"
    "/mijnoproepen – waar je aan meedoet\n"
    "/mijnimpact – wat je bijdroeg, in cijfers\n"
    "/pauze – even geen berichten\n"
    "/privacy – wat ik bewaar, /mijngegevens en /vergeet"
)
HELP_ROUTE = "help"  # the "Meer uitleg" button under the help
WAITING = "wachtend"  # the coordinators' list of what waits for them


def show(ctx: Context) -> None:
    """The main menu: every resident action one tap away."""
    t = ctx.t
    ctx.say(t(N_("Wat wil je doen?")), [Button(t(label), command_action(name)) for name, label in ITEMS])


async def show_menu(ctx: Context) -> None:
    """The menu; a coordinator's first item is what waits for them, with how much."""
    show(ctx)
    if await ctx.has_role(Role.COORDINATOR):
        menu = ctx.replies.pop()
        assert isinstance(menu, Message)
        count = len(await ctx.waiting_cards())
        item = Button(ctx.t(N_("⏳ Wacht op jou ({count})"), count=count), command_action(WAITING))
        ctx.send(dataclass_replace(menu, buttons=(item, *menu.buttons)))


async def show_waiting(ctx: Context) -> None:
    """/wachtend: everything that waits for a coordinator (ideas to moderate, partners' calls and
    rounds to approve, partners to admit), each on its card with its buttons."""
    cards = await ctx.waiting_cards()
    t = ctx.t
    if not cards:
        ctx.say(t(N_("Er wacht niets op je. Nieuwe ideeën en vragen van partners zie je hier.")))
        return
    ctx.say(t(N_("Dit wacht op jou ({count}):"), count=len(cards)))
    for card in cards:
        ctx.send(card)


async def start(ctx: Context) -> None:
    """/start, optionally with a deep link ("/start c12" opens call 12, "i4" idea 4, "p2" project 2);
    mid-dialogue, where we were."""
    payload = ctx.event.argument
    call_id = calls.deep_link_call(payload)
    if call_id is not None:
        await calls.show_call(ctx, call_id)
    opened = call_id is not None or await support.show_link(ctx, payload)
    if ctx.conversation is not None:
        await ctx.dialogue.render(ctx, prefix=ctx.t(N_("Welkom terug! We waren hier gebleven:")))
    elif not opened:  # also after a link that means nothing (any other text after /start)
        show(ctx)


async def show_help(ctx: Context) -> None:
    t = ctx.t
    text = t(HELP)
    if await ctx.has_role(Role.COORDINATOR):
        text += "\n\n" + t(
            N_(
                "Voor coördinatoren:\n/wachtend – wat op je wacht ({count})\n/oproep – een oproep maken\n/oproepen – je oproepen"
            ),
            count=len(await ctx.waiting_cards()),
        )
    ctx.say(text, [Button(t(N_("Meer uitleg")), Action.of(HELP_ROUTE, "more"))])


async def on_help_button(ctx: Context, tapped: Action) -> None:
    ctx.say(ctx.t(HELP_MORE))


async def unknown_command(ctx: Context) -> None:
    ctx.say(ctx.t(N_("Dat commando ken ik niet. Typ /help om te zien wat ik kan.")))


async def not_understood(ctx: Context) -> None:
    """A message outside any dialogue: say what works, then offer the menu."""
    if ctx.event.kind == "other":
        ctx.say(ctx.t(N_("Dit soort bericht kan ik niet lezen. Ik begrijp tekst en de knoppen.")))
    show(ctx)
