"""The calls in the Monday overview: the open calls that fit a subscriber, and for anyone who still
wants calls, those the weekly cap held back from them; matched in Python against the open calls,
read once and indexed by what they target (`Fitting`, in step with `audience.conditions`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox import HELD
from handlers.calls import purposes
from handlers.common.domain import HELPING
from handlers.common.overview import MOST, Items, Matcher, Source, give_way
from storage.models import Call, OutboxMessage, Person, SignUp
from storage.repositories import Calls

GIVE_WAY = 100  # people matched between two looks at others' turns

# A call's targeting list, and what of a person it is compared with (a list: any one in common).
TARGETS = (
    ("target_neighbourhoods", "neighbourhood", False),
    ("target_roles", "role", False),
    ("target_languages", "locale", False),
    ("themes", "interests", True),
    ("target_contributions", "contributions", True),
)


class Fitting:
    """The open calls indexed by each targeting list: the calls that fit a person are a few set
    intersections, not a test of every call. Calls are kept by their rank (the soonest first)."""

    def __init__(self, calls: Sequence[Call]) -> None:
        self.ids = [call.id for call in calls]  # by rank: the soonest first
        self.indexes: list[tuple[str, bool, dict[str, frozenset[int]], frozenset[int]]] = []
        for target, attribute, listed in TARGETS:
            by_value: dict[str, set[int]] = defaultdict(set)
            for rank, call in enumerate(calls):
                for value in getattr(call, target) or ():
                    by_value[value].add(rank)
            everyone = frozenset(rank for rank, call in enumerate(calls) if not getattr(call, target))
            self.indexes.append((attribute, listed, {v: frozenset(r) for v, r in by_value.items()}, everyone))

    def fitting(self, person: Any) -> list[int]:
        """The ids of the open calls whose lists take in this person (`audience.aimed_at`), soonest first."""
        found = set(range(len(self.ids)))
        for attribute, listed, by_value, everyone in self.indexes:
            value = getattr(person, attribute)
            values = (value or ()) if listed else (value,)
            found &= everyone.union(*[by_value[v] for v in values if v in by_value])
            if not found:
                return []
        return [self.ids[rank] for rank in sorted(found)]


def _wants_calls(person: Any) -> bool:
    return person.level is None or person.level in HELPING


def held_rows() -> Any:
    """An announcement of a call the weekly cap held back: conditions on OutboxMessage."""
    return (OutboxMessage.state == HELD, OutboxMessage.purpose == purposes.CALL.name)


def candidates(first: int, last: int) -> Any:
    """Who may find calls in their overview: who asked for it, and who had a call held back (the
    subquery bounded to the batch's ids)."""
    held = exists().where(
        OutboxMessage.person_id.between(first, last), OutboxMessage.person_id == Person.id, *held_rows()
    )
    return or_(Person.digest.is_(True), held)


async def prepare(session: AsyncSession, now: datetime) -> Matcher:
    """Read the open calls and their sign-ups once; the held announcements batch by batch."""
    fitting = Fitting(await Calls(session).open_for_sign_up(now))
    open_ids = set(fitting.ids)
    answered: dict[int, set[int]] = defaultdict(set)  # person id -> open calls they answered
    for person_id, call_id in await session.execute(
        select(SignUp.person_id, SignUp.call_id).where(SignUp.call_id.in_(open_ids))
    ):
        answered[person_id].add(call_id)

    async def match(reading: AsyncSession, people: Sequence[Row[Any]]) -> dict[int, Items]:
        held: dict[int, list[tuple[int, int]]] = defaultdict(list)  # person id -> (row id, call id)
        if people:
            rows = await reading.execute(
                select(OutboxMessage.id, OutboxMessage.person_id, OutboxMessage.payload)
                .where(OutboxMessage.person_id.between(people[0].id, people[-1].id), *held_rows())
                .order_by(OutboxMessage.id)
            )
            for row_id, person_id, payload in rows:
                if payload.get("call_id") in open_ids:
                    held[person_id].append((row_id, payload["call_id"]))
        found = {}
        for n, person in enumerate(people, start=1):
            found[person.id] = _items(person, held.get(person.id, []), answered.get(person.id, set()), fitting)
            if n % GIVE_WAY == 0:
                await give_way()
        return found

    return match


def _items(person: Row[Any], kept: list[tuple[int, int]], answered: set[int], fitting: Fitting) -> Items:
    """One person's calls: the held ones first, then those that fit, leaving out what they answered."""
    if not _wants_calls(person):  # a call held back from who has since chosen only Meedenken
        return Items()
    listed = [call_id for _row, call_id in kept]
    if person.digest and person.reachable and person.blocked_at is None:
        listed += fitting.fitting(person)
    ids: list[int] = []
    for call_id in listed:
        if call_id not in answered and call_id not in ids:
            ids.append(call_id)
            if len(ids) == MOST:
                break
    return Items(ids=ids, carried=[row_id for row_id, _call in kept])


SOURCE = Source(key="call_ids", candidates=candidates, prepare=prepare)
