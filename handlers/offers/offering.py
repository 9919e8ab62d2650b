"""Offering time, expertise, or money, material or space; and withdrawing an offer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from bot.app import command_action
from bot.context import Context
from bot.dialogue import ChoiceStep, DateStep, Flow, MultiStep, NumberStep, TextStep
from bot.errors import Expired
from bot.i18n import N_, Translator
from bot.outbox import Purpose, enqueue_room
from bot.replies import Action, Button, short
from handlers import people
from handlers.common.domain import SharedRoom
from handlers.common.options import AMOUNTS, GIFT_KINDS, MOMENTS, SKILLS, amount_option, label
from storage.models import Offer

OFFER = "offer"  # route of the withdraw and renew buttons: Action.of(OFFER, "withdraw", offer id)

UNTIL = DateStep(
    name="until",
    label=N_("Tot wanneer"),
    optional=True,
    after_step="start",
    prompt=N_("Weet je het nog niet? Dan hoeft het niet. Tot wanneer kun je dit aanbieden?"),
)

OFFER_CARD = Purpose("offer_card")  # a new offer's card for the partners

TIME_STEPS = [
    NumberStep(
        name="hours",
        label=N_("Uren per maand"),
        minimum=1,
        maximum=200,
        prompt=N_("Hoeveel uur per maand wil je ongeveer helpen?"),
    ),
    MultiStep(name="moments", label=N_("Wanneer"), options=MOMENTS, prompt=N_("Wanneer kun je meestal?")),
    DateStep(name="start", label=N_("Vanaf"), prompt=N_("Vanaf wanneer kun je helpen?"), from_now=N_("Vanaf nu")),
    UNTIL,
]


def expertise_steps(max_length: int) -> list:
    return [
        TextStep(
            name="skills",
            label=N_("Waar je goed in bent"),
            max_length=max_length,
            prompt=N_("Waar ben je goed in? Vertel het in een paar woorden."),
            example=N_("Ik kan goed timmeren en ik maak graag affiches."),
        ),
        MultiStep(
            name="tags",
            label=N_("Soort kennis"),
            options=SKILLS,
            optional=True,
            minimum=0,
            prompt=N_(
                "Zo vinden we je snel als een project jouw kennis nodig heeft. Welke woorden passen bij je kennis?"
            ),
        ),
        UNTIL,
    ]


def gift_steps(max_length: int) -> list:
    return [
        ChoiceStep(name="kind", label=N_("Soort"), options=GIFT_KINDS, prompt=N_("Wat wil je geven of uitlenen?")),
        TextStep(
            name="what",
            label=N_("Wat precies"),
            max_length=max_length,
            when=lambda answers: answers.get("kind") != "money",
            prompt=N_("Vertel kort wat het is. Bijvoorbeeld: een zaal voor 40 mensen, of 10 pallets hout."),
        ),
        ChoiceStep(
            name="amount",
            label=N_("Ongeveer hoeveel"),
            options=AMOUNTS,
            optional=True,
            by_number=amount_option,
            when=_money,
            prompt=N_("Om ongeveer hoeveel geld gaat het?"),
        ),
        TextStep(  # money is not a thing to describe: ask what it may serve instead
            name="for_what",
            label=N_("Waarvoor"),
            max_length=max_length,
            optional=True,
            skipped=N_("Maakt niet uit"),
            when=_money,
            prompt=N_(
                "Zo zoeken we een project dat erbij past. Waarvoor mag het geld dienen? "
                "Bijvoorbeeld: iets voor kinderen in je buurt."
            ),
        ),
        UNTIL,
    ]


def _money(answers: dict[str, Any]) -> bool:
    return answers.get("kind") == "money"


def _end_of(day: str | None) -> datetime | None:
    return datetime.combine(date.fromisoformat(day), time(23, 59), timezone.utc) if day else None


def offer_done(kind: str) -> Callable[[Context, dict[str, Any]], Awaitable[None]]:
    """What to do with a confirmed offer of this kind: store it as open."""

    async def done(ctx: Context, answers: dict[str, Any]) -> None:
        details = {key: value for key, value in answers.items() if key != "until" and value is not None}
        offer = await ctx.offers.add(
            Offer(
                person_id=ctx.known_person.id,
                kind=kind,
                details=details,
                state="open",
                valid_until=_end_of(answers.get("until")),
                created_at=ctx.now,
                updated_at=ctx.now,
            )
        )
        await enqueue_room(
            ctx.session,
            key=f"offer:{offer.id}:card",
            room=SharedRoom.PARTNERS,
            purpose=OFFER_CARD,
            now=ctx.now,
            payload={"offer_id": offer.id},
        )
        ctx.say(
            ctx.t(
                N_(
                    "Dank je wel! Je aanbod is bewaard. Past het bij een project, dan vraag ik je eerst "
                    "of je mee wilt doen. Intrekken kan altijd via /bijdragen."
                )
            )
        )
        people.show_menu(ctx)

    return done


KINDS = ("time", "expertise", "gift")


def offer_flow(kind: str, max_length: int) -> Flow:
    """The questions of an offer of this kind; free texts hold at most `max_length` characters."""
    steps = {"time": TIME_STEPS, "expertise": expertise_steps(max_length), "gift": gift_steps(max_length)}[kind]
    return Flow(
        name=f"offer_{kind}",
        steps=steps,
        on_done=offer_done(kind),
        summary_title=N_("Dit is je aanbod:"),
        cancelled=N_("Oké, ik stop met je aanbod. Er is niets bewaard."),
    )


def offer_flows(max_length: int) -> list[Flow]:
    return [offer_flow(kind, max_length) for kind in KINDS]


def describe_offer(offer: Offer, t: Translator) -> str:
    details = offer.details
    if offer.kind == "time":
        moments = ", ".join(t(label(MOMENTS, m)) for m in details.get("moments", []))
        text = t(
            N_("{hours} uur per maand ({moments}), vanaf {start}"),
            hours=details.get("hours"),
            moments=moments,
            start=t.date(date.fromisoformat(details["start"])),
        )
    elif offer.kind == "expertise":
        tags = ", ".join(t(label(SKILLS, tag)) for tag in details.get("tags", []))
        text = t(N_("Kennis: {skills}"), skills=details.get("skills", "")) + (f" ({tags})" if tags else "")
    else:
        what = details.get("what") or details.get("for_what") or ""
        kind = t(label(GIFT_KINDS, details.get("kind")))
        text = t.labelled(kind, what) if what else kind
        if details.get("amount"):
            text += f" ({t(label(AMOUNTS, details['amount']))})"
    if offer.valid_until:
        text += " – " + t(N_("tot {date}"), date=t.date(offer.valid_until.date()))
    return text


def starter(kind: str) -> Callable[[Context], Awaitable[None]]:
    """The command that starts an offer of this kind."""

    async def start(ctx: Context) -> None:
        await ctx.dialogue.start(ctx, offer_flow(kind, ctx.settings.max_text_length))

    return start


async def on_offer_button(ctx: Context, tapped: Action) -> None:
    """Withdraw an offer (after a yes, with an undo), or renew it; a second tap, or someone
    else's offer, changes nothing."""
    t = ctx.t
    action = tapped.verb
    offer = await ctx.offers.get_for(ctx.known_person, tapped.id) if tapped.id is not None else None
    if action not in ("withdraw", "withdraw!", "renew", "undo", "keep") or offer is None:
        raise Expired()
    elif action == "undo" and offer.state == "withdrawn":
        offer.state, offer.updated_at = "open", ctx.now
        ctx.say(t(N_("Je aanbod “{offer}” loopt weer."), offer=short(describe_offer(offer, t))))
        people.show_menu(ctx)
    elif action == "keep":
        ctx.say(t(N_("Oké, je aanbod blijft staan.")))
        people.show_menu(ctx)
    elif offer.state != "open":
        ctx.notice(t(N_("Dit aanbod is al ingetrokken.")))
    elif action == "withdraw":
        ctx.say(
            t(
                N_("Partners zien het dan niet meer. Wil je je aanbod “{offer}” intrekken?"),
                offer=short(describe_offer(offer, t)),
            ),
            [
                Button(t(N_("Ja, intrekken")), Action.of(OFFER, "withdraw!", offer.id), style="danger"),
                Button(t(N_("Nee, laat staan")), Action.of(OFFER, "keep", offer.id)),
            ],
        )
    elif action == "renew":
        offer.valid_until = max(offer.valid_until or ctx.now, ctx.now) + timedelta(days=91)
        ctx.say(t(N_("Verlengd! Je aanbod loopt nu tot {date}."), date=t.date(offer.valid_until.date())))
    else:
        offer.state = "withdrawn"
        offer.updated_at = ctx.now
        ctx.say(
            t(
                N_("Je aanbod “{offer}” is ingetrokken. Bedankt om het aan te bieden!"),
                offer=short(describe_offer(offer, t)),
            ),
            [
                Button(t(N_("Ongedaan maken")), Action.of(OFFER, "undo", offer.id)),
                Button(t(N_("Menu")), command_action("menu")),
            ],
        )
