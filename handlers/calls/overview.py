"""The calls in the Monday overview: the open calls that fit a subscriber, and for anyone who still
wants calls, those the weekly cap held back from them; matched in Python against the open calls,
read once and indexed by what they target (`Fitting`, in step with `audience.conditions`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox import HELD
from handlers.calls import purposes
from handlers.common.domain import HELPING
from handlers.common.overview import Items, Matcher, Source
from storage.models import Call, OutboxMessage, Person, SignUp
from storage.repositories import Calls

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
    intersections, not a test of every call."""

    def __init__(self, calls: Sequence[Call]) -> None:
        self.order = {call.id: n for n, call in enumerate(calls)}  # the soonest first
        self.indexes: list[tuple[str, bool, dict[str, set[int]], frozenset[int]]] = []
        for target, attribute, listed in TARGETS:
            by_value: dict[str, set[int]] = defaultdict(set)
            for call in calls:
                for value in getattr(call, target) or ():
                    by_value[value].add(call.id)
            everyone = frozenset(call.id for call in calls if not getattr(call, target))
            self.indexes.append((attribute, listed, dict(by_value), everyone))

    def fitting(self, person: Any) -> list[int]:
        """The open calls whose lists take in this person (`audience.aimed_at`), soonest first."""
        found = set(self.order)
        for attribute, listed, by_value, everyone in self.indexes:
            value = getattr(person, attribute)
            values: Iterable[str] = (value or ()) if listed else (value,)
            found &= everyone.union(*(by_value.get(v, ()) for v in values))
            if not found:
                return []
        return sorted(found, key=self.order.__getitem__)


def _wants_calls(person: Any) -> bool:
    return person.level is None or person.level in HELPING


def held_rows() -> Any:
    """An announcement of a call the weekly cap held back: conditions on OutboxMessage."""
    return (OutboxMessage.state == HELD, OutboxMessage.purpose == purposes.CALL.name)


def candidates() -> Any:
    """Who may find calls in their overview: who asked for it, and who had a call held back."""
    return or_(Person.digest.is_(True), exists().where(OutboxMessage.person_id == Person.id, *held_rows()))


async def prepare(session: AsyncSession, now: datetime) -> Matcher:
    """Read the open calls, their sign-ups and the held announcements once."""
    open_calls = await Calls(session).open_for_sign_up(now)
    fitting = Fitting(open_calls)
    open_ids = set(fitting.order)
    held: dict[int, list[tuple[int, int]]] = defaultdict(list)  # person id -> (row id, call id)
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.person_id, OutboxMessage.payload)
        .where(*held_rows())
        .order_by(OutboxMessage.id)
    )
    for row_id, person_id, payload in rows:
        if payload.get("call_id") in open_ids:
            held[person_id].append((row_id, payload["call_id"]))
    answered = set(
        (await session.execute(select(SignUp.person_id, SignUp.call_id).where(SignUp.call_id.in_(open_ids)))).all()
    )

    def match(person: Row[Any]) -> Items:
        if not _wants_calls(person):  # a call held back from who has since chosen only Meedenken
            return Items()
        kept = held.get(person.id, [])
        ids = [call_id for _row, call_id in kept]
        if person.digest and person.reachable and person.blocked_at is None:
            ids += [call_id for call_id in fitting.fitting(person) if call_id not in ids]
        return Items(
            ids=[call_id for call_id in dict.fromkeys(ids) if (person.id, call_id) not in answered],
            carried=[row_id for row_id, _call in kept],
        )

    return match


SOURCE = Source(key="call_ids", candidates=candidates, prepare=prepare)
