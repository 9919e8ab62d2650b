"""What the bot says on its own about calls, per purpose, in the reader's language: each renderer
returns the replies for one outbox row, or nothing when it is no longer relevant (the call was cancelled)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.context import Scope
from bot.i18n import N_
from bot.replies import Button, Message, Reply
from handlers import rounds
from handlers.calls import residents
from handlers.calls import service as calls
from handlers.calls.residents import call_button, card, rating_button, where
from handlers.common.domain import OPEN, CallState, SignUpState
from handlers.common.pushing import PAUSE_HINT
from storage.models import Call, OutboxMessage


async def _call(ctx: Scope, row: OutboxMessage) -> Call | None:
    return await ctx.session.get(Call, row.payload.get("call_id"))


async def announce(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    if call is None or call.state != CallState.PUBLISHED or ctx.now > call.deadline:
        return []
    if await calls.sign_up_of(ctx.session, call, ctx.known_person) is not None:
        return []  # answered already (a deep link, the digest) before the push went out
    if not calls.wants_calls(ctx.known_person):
        return []  # chose only Meedenken (in /profiel) before the push went out
    return [await card(ctx, call, push=True)]


async def reminder(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    sign_up = await calls.sign_up_of(ctx.session, call, ctx.known_person) if call else None
    if (
        call is None
        or call.state not in (CallState.PUBLISHED, CallState.CLOSED)
        or sign_up is None
        or sign_up.state != SignUpState.JOINED
    ):
        return []
    t = ctx.t
    text = t(
        N_(
            "Niet vergeten: {title} begint {start}.\n📍 {place}\n\nKun je toch niet? Laat het weten, "
            "dan geven we je plaats door."
        ),
        title=calls.call_text(call, "title", t.locale),
        start=t.datetime(call.starts_at),
        place=where(ctx, call),
    )
    return [Message(text, (call_button(t(N_("Ik kan toch niet")), "cancel", call),))]


async def place_offer(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    sign_up = await calls.sign_up_of(ctx.session, call, ctx.known_person) if call else None
    if call is None or sign_up is None or sign_up.state != SignUpState.OFFERED:
        return []
    assert sign_up.offer_expires_at is not None, "an offered place waits until a set time"
    t = ctx.t
    text = t(
        N_("Goed nieuws: er is een plaats vrij voor {title} ({start}). Laat het weten vóór {until}. Wil je de plaats?"),
        title=calls.call_text(call, "title", t.locale),
        start=t.datetime(call.starts_at),
        until=t.datetime(sign_up.offer_expires_at),
    )
    return [
        Message(
            text,
            (
                call_button(t(N_("Ja, ik kom")), "confirm", call),
                call_button(t(N_("Geef de plaats door")), "release", call),
            ),
        )
    ]


async def place_passed(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """The freed place went to the next in line: say so, and offer the waitlist again."""
    call = await _call(ctx, row)
    sign_up = await calls.sign_up_of(ctx.session, call, ctx.known_person) if call else None
    if call is None or sign_up is None or sign_up.state != SignUpState.PASSED or call.state not in OPEN:
        return []
    t = ctx.t
    return [
        Message(
            t(
                N_(
                    "Je bevestigde de vrije plaats voor {title} niet op tijd, dus gaat ze naar de volgende. "
                    "Wil je opnieuw op de wachtlijst?"
                ),
                title=calls.call_text(call, "title", t.locale),
            ),
            (call_button(t(N_("Terug op de wachtlijst")), "join", call),),
        )
    ]


async def cancelled(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    if call is None:
        return []
    t = ctx.t
    text = t(
        N_("Jammer: {title} op {start} gaat niet door. Sorry! We laten je weten als er iets nieuws is."),
        title=calls.call_text(call, "title", t.locale),
        start=t.datetime(call.starts_at),
    )
    if call.cancel_reason:
        text += "\n\n" + t(N_("De reden: {reason}"), reason=call.cancel_reason)
    return [Message(text)]


async def announced(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """To the coordinator of a big call: it is on its way to everyone."""
    call = await _call(ctx, row)
    if call is None or call.state == CallState.CANCELLED:
        return []
    t = ctx.t
    return [
        Message(
            t.plural(
                row.payload["people"],
                N_("Je oproep “{title}” is onderweg naar iedereen: {n} persoon."),
                N_("Je oproep “{title}” is onderweg naar iedereen: {n} mensen."),
                title=calls.call_text(call, "title", t.locale),
            )
        )
    ]


async def coordinator_message(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    if call is None or call.state == CallState.CANCELLED:
        return []
    t = ctx.t
    return [
        Message(
            t(
                N_("Bericht over {title} ({start}) van {sender}:"),
                title=calls.call_text(call, "title", t.locale),
                start=t.datetime(call.starts_at),
                sender=row.payload.get("sender") or t(N_("de organisatie")),
            )
            + "\n\n"
            + row.payload["text"]
        )
    ]


async def changed(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    if call is None or call.state == CallState.CANCELLED:
        return []
    t = ctx.t
    intro = t(N_("Er is iets veranderd aan “{title}”:"), title=calls.call_text(call, "title", t.locale))
    lines = what_changed(ctx, call, row.payload.get("was") or {})
    return [await card(ctx, call, lead="\n".join([intro, *lines]))]  # one message: sent whole or not


def what_changed(ctx: Scope, call: Call, was: dict[str, Any]) -> list[str]:
    """One line per change the reader cares about, the new value with the old one ("Nieuw uur:
    20.00 uur (was 19.00 uur)"); a value changed back since is left out."""
    t = ctx.t
    lines = []
    if "title" in was and call.title != was["title"]:
        lines.append(
            t(
                N_("Nieuwe naam: {new} (was {old})"),
                new=calls.call_text(call, "title", t.locale),
                old=calls.in_language(was["title"], t.locale),
            )
        )
    for field, day, hour in (
        ("starts_at", N_("Nieuw begin: {new} (was {old})"), N_("Nieuw uur: {new} (was {old})")),
        ("ends_at", N_("Nieuw einde: {new} (was {old})"), N_("Nieuw einde: {new} (was {old})")),
    ):
        if field in was and (old := datetime.fromisoformat(was[field])) != (new := getattr(call, field)):
            if _local_day(ctx, old) == _local_day(ctx, new):
                lines.append(t(hour, new=t.time(new), old=t.time(old)))
            else:
                lines.append(t(day, new=t.datetime(new), old=t.datetime(old)))
    place = {"address": was.get("address", call.address), "neighbourhood": was.get("neighbourhood", call.neighbourhood)}
    if (place["address"], place["neighbourhood"]) != (call.address, call.neighbourhood):
        if place["neighbourhood"] == call.neighbourhood:  # another address in the same neighbourhood
            new_place, old_place = call.address, place["address"]
        else:
            new_place = where(ctx, call)
            old_place = residents.place(ctx, place["address"], place["neighbourhood"])
        lines.append(t(N_("Nieuwe plaats: {new} (was {old})"), new=new_place, old=old_place))
    if "description" in was and call.description != was["description"]:
        lines.append(t(N_("De uitleg is aangepast.")))
    return [f"• {line}" for line in lines]


def _local_day(ctx: Scope, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(ctx.settings.timezone)).date()


async def followup(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    sign_up = await calls.sign_up_of(ctx.session, call, ctx.known_person) if call else None
    if (
        call is None
        or call.state == CallState.CANCELLED
        or sign_up is None
        or sign_up.state not in (SignUpState.JOINED, SignUpState.ATTENDED)
    ):
        return []  # marked as not come
    t = ctx.t
    text = t(
        N_("Je deed mee aan {title}. Hoe was het? Geef een score van 1 (niet goed) tot 5 (heel goed)."),
        title=calls.call_text(call, "title", t.locale),
    )
    buttons = tuple(rating_button(call, n) for n in range(1, 6))
    return [Message(text + "\n\n" + t(PAUSE_HINT), buttons)]


async def digest(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """The week's overview: the open calls that fit, then the rounds the cap held back; what has
    closed or was answered meanwhile is left out, and nothing is sent when nothing is left."""
    t = ctx.t
    open_calls = [call for call in await _open_calls(ctx, row.payload.get("call_ids", []))]
    round_lines, round_buttons = await rounds.in_overview(ctx, row.payload.get("round_ids", []))
    if not open_calls and not round_lines:
        return []
    lines: list[str] = []
    buttons: list[Button] = []
    if open_calls:
        lines += [t(N_("Dit zijn de oproepen van deze week die bij je passen:")), ""]
    for number, call in enumerate(open_calls, start=1):
        lines.append(f"{number}. {calls.call_text(call, 'title', t.locale)}, {t.datetime(call.starts_at)}")
        buttons.append(call_button(t(N_("Bekijk {number}"), number=number), "show", call))
    if round_lines:
        lines += [""] * bool(open_calls) + round_lines
        buttons += round_buttons
    lines += ["", t(PAUSE_HINT)]
    return [Message("\n".join(lines), tuple(buttons))]


async def _open_calls(ctx: Scope, ids: list[int]) -> list[Call]:
    if not ids:
        return []
    found = await ctx.session.scalars(
        select(Call)
        .where(Call.id.in_(ids), Call.state == CallState.PUBLISHED, Call.deadline > ctx.now)
        .order_by(Call.starts_at)
    )
    return list(found)
