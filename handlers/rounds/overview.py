"""The question rounds in the Monday overview: those the weekly cap held back from a person who
still thinks along, open and not answered yet, carried by the overview instead of their own
message (a `Source` of `handlers.common.overview`), and their part of the overview's text."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Scope
from bot.i18n import N_
from bot.outbox import HELD
from bot.replies import Button, short
from handlers.common.domain import THINKING, RoundState
from handlers.common.overview import MOST, Items, Matcher, Source
from handlers.rounds import purposes
from handlers.rounds.answering import round_button
from storage.models import OutboxMessage, Person, Round, RoundResponse


def held_rows() -> Any:
    """An announcement of a round the weekly cap held back: conditions on OutboxMessage."""
    return (OutboxMessage.state == HELD, OutboxMessage.purpose == purposes.ROUND.name)


def candidates(first: int, last: int) -> Any:
    """Who may find rounds in their overview: who had one held back (bounded to the batch's ids)."""
    return exists().where(
        OutboxMessage.person_id.between(first, last), OutboxMessage.person_id == Person.id, *held_rows()
    )


async def prepare(session: AsyncSession, now: datetime) -> Matcher:
    """Read the open rounds once; the held announcements and the answers batch by batch."""
    open_ids = set(await session.scalars(select(Round.id).where(Round.state == RoundState.OPEN, Round.closes_at > now)))

    async def match(reading: AsyncSession, people: Sequence[Row[Any]]) -> dict[int, Items]:
        if not people or not open_ids:
            return {}
        first, last = people[0].id, people[-1].id
        held: dict[int, list[tuple[int, int]]] = defaultdict(list)  # person id -> (row id, round id)
        for row_id, person_id, payload in await reading.execute(
            select(OutboxMessage.id, OutboxMessage.person_id, OutboxMessage.payload)
            .where(OutboxMessage.person_id.between(first, last), *held_rows())
            .order_by(OutboxMessage.id)
        ):
            if payload.get("round_id") in open_ids:
                held[person_id].append((row_id, payload["round_id"]))
        answered = set(
            (
                await reading.execute(
                    select(RoundResponse.person_id, RoundResponse.round_id).where(
                        RoundResponse.person_id.between(first, last), RoundResponse.round_id.in_(open_ids)
                    )
                )
            ).all()
        )
        found = {}
        for person in people:
            kept = held.get(person.id)
            if kept and (person.level is None or person.level in THINKING):
                ids = [round_id for _row, round_id in kept if (person.id, round_id) not in answered]
                found[person.id] = Items(ids=list(dict.fromkeys(ids))[:MOST], carried=[row for row, _ in kept])
        return found

    return match


SOURCE = Source(key="round_ids", candidates=candidates, prepare=prepare)


async def in_overview(ctx: Scope, ids: list[int]) -> tuple[list[str], list[Button]]:
    """The overview's part about rounds: the lines and a button to answer each, for those still
    open and not answered by the reader; nothing when none is left."""
    t = ctx.t
    found = await ctx.session.scalars(
        select(Round)
        .where(Round.id.in_(ids), Round.state == RoundState.OPEN, Round.closes_at > ctx.now)
        .where(~exists().where(RoundResponse.round_id == Round.id, RoundResponse.person_id == ctx.known_person.id))
        .order_by(Round.closes_at)
    )
    rounds = list(found)
    if not rounds:
        return [], []
    lines = [t(N_("Hierover kun je meedenken:"))]
    lines += [
        "• " + t(N_("{title}, tot {closes}"), title=round_.title, closes=t.datetime(round_.closes_at))
        for round_ in rounds
    ]
    buttons = [
        round_button(t(N_("Meedenken: {title}"), title=short(round_.title, 40)), "answer", round_) for round_ in rounds
    ]
    return lines, buttons
