"""People in the partners' Slack workspace: admitted by their organisation's agreement (no resident
consent or onboarding), and their dashboard (Slack's App Home)."""

from __future__ import annotations

from datetime import timedelta

from bot.app import command_action
from bot.context import Context
from bot.i18n import N_, SUPPORTED
from bot.replies import Button, Card, CardLine, Dashboard, Figure, Section
from handlers import calls, ideas, projects
from handlers.common.domain import HOLDING, CallState, IdeaState, Role, SignUpState
from handlers.people import menu

CHANNEL = "slack"  # the partners' workspace: whoever is in it takes part by their organisation's agreement
AGREEMENT = "workspace"  # the consent version of someone admitted without the residents' yes
# Cards per section of the dashboard: every section must fit on it (Slack shows 100 blocks on a
# Home tab, and shows fewer cards still when they are long); each says how many there are in all.
SHOWN = 5


async def admit(ctx: Context) -> bool:
    """A workspace member (or a coordinator on any channel) writes for the first time: known from
    now on, in their own language, without the residents' consent and onboarding; they take part
    by their organisation's or the city's agreement, and no call targets them."""
    event = ctx.event
    locale = event.locale_hint if event.locale_hint in SUPPORTED else ctx.settings.default_locale
    ctx.identity = await ctx.people.create(
        event.channel, event.user_id, locale=locale, consent_version=AGREEMENT, now=ctx.now
    )
    ctx.identity.person.display_name = event.display_name
    await ctx.audit.record("workspace_member_admitted", ctx.now, ctx.identity.person)
    return True


async def home(ctx: Context) -> None:
    """What everyone can start; a partner's projects and the ideas still to take up; for a coordinator the ideas to moderate, the
    partners' calls to approve, and the calls with their sign-ups."""
    t = ctx.t
    start = [
        Button(t(N_("💡 Idee delen")), command_action("idee")),
        Button(t(N_("🧰 Kennis delen")), command_action("kennis")),
        Button(t(N_("🎁 Geld of materiaal")), command_action("geven")),
    ]
    sections = []
    if await ctx.has_role(Role.PARTNER):
        sections.append(await projects.partner_section(ctx, SHOWN))
        sections.append(await projects.untaken_section(ctx, SHOWN))
    if await ctx.has_role(Role.COORDINATOR):
        start.insert(0, Button(t(N_("📣 Nieuwe oproep")), command_action("oproep"), style="primary"))
        start.insert(1, Button(t(N_("⏳ Wacht op jou")), command_action(menu.WAITING)))
        sections += [await _moderation(ctx), await _approvals(ctx), await _calls(ctx)]
    sections.insert(
        0, Section(t(N_("Wat wil je doen?")), cards=(Card(t(N_("Meedoen aan Kortrijk 2030")), buttons=tuple(start)),))
    )
    ctx.send(Dashboard(t(N_("Gangmaker")), tuple(sections)))


async def _moderation(ctx: Context) -> Section:
    """The ideas waiting for a coordinator, oldest first, with this week's count."""
    t = ctx.t
    waiting = await ctx.ideas.in_state(IdeaState.SUBMITTED, SHOWN)
    total = await ctx.ideas.count(state=IdeaState.SUBMITTED)
    figures = (
        Figure(t(N_("Wachten op moderatie")), str(total)),
        Figure(t(N_("Nieuwe ideeën deze week")), str(await ctx.ideas.count(since=ctx.now - timedelta(days=7)))),
    )
    cards = tuple(ideas.idea_card(ctx, idea, ideas.moderation_buttons(ctx, idea)) for idea in waiting)
    more = t(N_("{shown} van {total} ideeën getoond. Elk idee staat ook in het kanaal van de coördinatoren."))
    return Section(t(N_("Ideeën")), figures, cards, total, more)


async def _approvals(ctx: Context) -> Section:
    """Partners' calls that wait for a coordinator's yes."""
    t = ctx.t
    waiting = await calls.awaiting(ctx)
    cards = [await calls.approval_card(ctx, call, calls.approval_buttons(ctx, call)) for call in waiting[:SHOWN]]
    return Section(
        t(N_("Wacht op goedkeuring")),
        (Figure(t(N_("Oproepen van partners")), str(len(waiting))),),
        tuple(cards),
        len(waiting),
        t(
            N_(
                "{shown} van {total} oproepen van partners getoond. Elke oproep staat ook in het kanaal van de coördinatoren."
            )
        ),
    )


async def _calls(ctx: Context) -> Section:
    t = ctx.t
    found = [call for call in await ctx.calls.listed(leave_out=(CallState.CANCELLED,)) if call.ends_at > ctx.now]
    cards = []
    for call in found[:SHOWN]:
        joined = await calls.count(ctx.session, call, *HOLDING)
        waiting = await calls.count(ctx.session, call, SignUpState.WAITLISTED)
        places = f"{joined}/{call.capacity}" if call.capacity else str(joined)
        cards.append(
            Card(
                calls.call_text(call, "title", t.locale),
                (
                    CardLine(t.datetime(call.starts_at), t(N_("Wanneer"))),
                    CardLine(places, t(N_("Ingeschreven"))),
                    CardLine(str(waiting), t(N_("Wachtlijst"))),
                ),
                calls.coordinate_buttons(ctx, call),
                icon="📣",
            )
        )
    figures = (Figure(t(N_("Komende oproepen")), str(len(found))),)
    more = t(N_("{shown} van {total} oproepen getoond. Ze staan allemaal in /oproepen."))
    return Section(t(N_("Oproepen")), figures, tuple(cards), len(found), more)
