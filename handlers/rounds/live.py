"""The live card of a round: one card in the coordinators' room (and the partners' room for a
project's round) with the response count and the counts per option as answers come in, redrawn
in place at most once every `REDRAW_EVERY`, and once more when the round closes or its outcome
is written.

It goes out through the outbox when the round opens; the outbox keeps the platform's id of the
message, and a scheduled check sends the same row again when answers came after the last
drawing, so the channel edits that message instead of posting a new one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.context import Scope
from bot.i18n import N_
from bot.outbox import enqueue_room, redraw
from bot.replies import Button, Card, CardLine, Reply, Room
from handlers.common.domain import RoundState, SharedRoom
from handlers.rounds import outcome, purposes, results
from handlers.rounds.questions import Kind
from storage.models import Organisation, OutboxMessage, Project, Round

REDRAW_EVERY = timedelta(seconds=10)  # Slack takes about one edit a second per channel; people read slower
FIELD = 1900  # characters of one card line (Slack: 2000 per field, 3000 per section)


def rooms_of(round_: Round) -> list[str]:
    return [SharedRoom.COORDINATORS, *([SharedRoom.PARTNERS] if round_.project_id else [])]


def card_key(round_: Round, room: str) -> str:
    return f"round:{round_.id}:card" if room == SharedRoom.COORDINATORS else f"round:{round_.id}:card:{room}"


async def queue_cards(session: AsyncSession, round_: Round, now: datetime) -> None:
    """The round's live card, for each room it belongs in (the round is open from now)."""
    for room in rooms_of(round_):
        await enqueue_room(
            session,
            key=card_key(round_, room),
            room=room,
            purpose=purposes.ROUND_CARD,
            now=now,
            payload={"round_id": round_.id},
        )
    round_.drawn_at = now  # drawn when it goes out, with every answer given until then


async def card(ctx: Scope, round_: Round, room: str) -> Card:
    """The round's card as it stands: its counts under the small-group rule, the open answers
    grouped, and once closed, what will be done (or, in the partners' room, the button to write it)."""
    t = ctx.t
    figures = await results.gather(ctx.session, round_)
    lines = [CardLine(results.number(t, figures.respondents), t(N_("Mensen die antwoordden")))]
    if round_.project_id and (project := await ctx.session.get(Project, round_.project_id)) is not None:
        organisation = await ctx.session.get(Organisation, project.organisation_id)
        lines.insert(0, CardLine(organisation.name if organisation else "–", t(N_("Organisatie"))))
    for shown in figures.questions:
        question = round_.questions[shown.index]
        label, counted = f"{shown.index + 1}. {question['text']}", results.counted(t, question, shown)
        if question["kind"] == Kind.OPEN:  # how many answered, then what they wrote
            listed = results.listed(t, shown, FIELD - len(label) - len(counted))
            lines.append(CardLine(f"{counted}\n{listed}" if listed else counted, label))
            continue
        lines.append(CardLine(counted, label))
        if shown.texts:
            heading = f"{label} · {t(N_('Iets anders'))}"
            lines.append(CardLine(results.listed(t, shown, FIELD - len(heading)), heading))
    if round_.outcome:
        lines.append(CardLine(round_.outcome, t(outcome.WRITE)))
    if round_.state == RoundState.OPEN:
        lead = t(
            N_("Live: de antwoorden tot nu toe. De bevraging loopt tot {closes}."), closes=t.datetime(round_.closes_at)
        )
    else:
        lead = t(N_("De bevraging is gesloten. Dit is het resultaat."))
    buttons: tuple[Button, ...] = ()
    if round_.state == RoundState.CLOSED and not round_.outcome and room == SharedRoom.PARTNERS:
        buttons = (outcome.outcome_button(t, round_),)
    footer = t(results.SMALL_PRINT) if figures.hides else ""
    return Card(round_.title, tuple(lines), buttons, icon="📊", lead=lead, footer=footer)


async def render_card(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """The live card for its room: posted the first time, then drawn over the message it became."""
    round_ = await ctx.session.get(Round, row.payload.get("round_id"))
    if round_ is None or row.room is None:
        return []
    return [replace(await card(ctx, round_, row.room), to=Room(row.room, message_id=row.message_id))]


async def redraw_cards(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Redraw the cards of rounds that changed since they were drawn (answers, closing, the
    outcome), at most once every REDRAW_EVERY each."""
    due = list(
        await session.scalars(
            select(Round).where(
                Round.state.in_((RoundState.OPEN, RoundState.CLOSED)),
                or_(Round.drawn_at.is_(None), Round.drawn_at <= now - REDRAW_EVERY),
                or_(
                    Round.drawn_at.is_(None),
                    Round.answered_at > Round.drawn_at,
                    Round.closed_at > Round.drawn_at,
                    Round.outcome_at > Round.drawn_at,
                ),
            )
        )
    )
    for round_ in due:
        keys = [card_key(round_, room) for room in rooms_of(round_)]
        on_the_way = await session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.key.in_(keys), OutboxMessage.state == "sending").limit(1)
        )
        if on_the_way is not None:
            continue  # drawn just now, perhaps before the latest answers: the next check looks again
        for key in keys:
            await redraw(session, key=key, now=now)
        round_.drawn_at = now
    return len(due)
