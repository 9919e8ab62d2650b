"""The Monday overview, built in bounded steps from its sources (the calls; later question rounds and
followed projects): each source reads what it needs once, the residents come in batches by id, and
each batch's overviews are written in a short transaction of their own, so no resident's turn waits
behind the build (also on SQLite, where a writer holds the whole file)."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.outbox import Purpose, after_quiet_hours
from handlers.common.reach import CARRIED
from storage.db import dialect_name
from storage.models import Identity, OutboxMessage, Person
from storage.sqlite_writes import give_way as give_way_to_turns

# Person ids a batch: the residents among them read, matched and written in one transaction. With
# 1,000 a resident's turn on SQLite took up to 106 ms while the overview was built, with 500 up to 70.
BATCH = 500
PAUSE = 0.005  # seconds between batches: turns waiting on the database finish first
MOST = 5  # items of one kind in one overview


def columns(first: int, last: int) -> tuple[Any, ...]:
    """What the matching may read of a resident (one row a person) with an id from `first` to
    `last`: the range bounds the subquery too (PostgreSQL otherwise hashes every identity a batch)."""
    return (
        Person.id,
        Person.quiet_start,
        Person.quiet_end,
        Person.digest,
        Person.level,
        Person.neighbourhood,
        Person.role,
        Person.locale,
        Person.interests,
        Person.contributions,
        Person.blocked_at,
        exists()
        .where(Identity.person_id.between(first, last), Identity.person_id == Person.id, Identity.reachable.is_(True))
        .label("reachable"),
    )


@dataclass
class Items:
    """What one source puts in one person's overview: item ids in their order, and the held outbox
    rows (announcements the weekly cap kept back) the overview carries instead."""

    ids: list[int] = field(default_factory=list)
    carried: list[int] = field(default_factory=list)


# A source's items for a batch of residents (rows of `COLUMNS`, by id), by person id: it may read
# what concerns them (their held rows), then matches them against what it read once.
Matcher = Callable[[AsyncSession, Sequence[Any]], Awaitable[dict[int, Items]]]


@dataclass(frozen=True)
class Source:
    """One kind of item in the overview. `key`: its field in the overview's payload (a list of ids);
    `candidates`: an SQL condition on Person for who may get any (the rest are not read), given the
    batch's first and last person id to bound its subqueries;
    `prepare`: reads, once per build, what matching needs and returns the matcher."""

    key: str
    candidates: Callable[[int, int], Any]
    prepare: Callable[[AsyncSession, datetime], Awaitable[Matcher]]


async def give_way() -> None:
    """Let others' turns run (between batches, and within long loops over a batch)."""
    await asyncio.sleep(0)


async def _between_batches(done: int) -> None:
    """Where the build gives way to others' turns, after each batch is committed."""
    await asyncio.sleep(PAUSE)


between_batches: Callable[[int], Awaitable[None]] = _between_batches  # a hook for tests

# The week each database's overview was last built in full by this process: later checks that day
# skip it (after a restart or on another instance it is built again, and repeats nothing).
_built: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


async def build(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    *,
    week: str,
    sources: Sequence[Source],
    purpose: Purpose,
    batch: int | None = None,
) -> int:
    """Queue this week's overview (`purpose`, one a person under the key `overview_key(week, id)`)
    for every resident some source has items for; returns how many were queued. `session` serves
    the reads done once; each batch writes in a transaction of its own."""
    engine = session.get_bind()
    if not isinstance(engine, Engine) or _built.get(engine) == week:
        return 0
    matchers = [(source.key, await source.prepare(session, now)) for source in sources]
    sessions = async_sessionmaker(AsyncEngine(engine), expire_on_commit=False)
    highest = await session.scalar(select(func.max(Person.id))) or 0  # who comes later waits a week
    queued, batches = 0, 0
    for first in range(1, highest + 1, batch or BATCH):
        last = min(first + (batch or BATCH) - 1, highest)
        async with sessions() as reading:
            people = (
                await reading.execute(
                    select(*columns(first, last))
                    .where(
                        Person.id.between(first, last),
                        Person.onboarded_at.is_not(None),
                        or_(*[source.candidates(first, last) for source in sources]),
                    )
                    .order_by(Person.id)
                )
            ).all()
            if not people:
                continue
            keys = {person.id: overview_key(week, person.id) for person in people}
            done = set(
                await reading.scalars(select(OutboxMessage.person_id).where(OutboxMessage.key.in_(keys.values())))
            )
            waiting = [person for person in people if person.id not in done]
            found = [(key, await matcher(reading, waiting)) for key, matcher in matchers]
        rows, carried = _overviews(waiting, found)
        await give_way_to_turns(engine)  # on SQLite: after the residents' writes under way
        async with sessions() as writing, writing.begin():  # the only write: two statements, short
            if rows:
                queued += await _insert(writing, settings, now, purpose, rows, keys)
            if carried:
                await writing.execute(update(OutboxMessage).where(OutboxMessage.id.in_(carried)).values(state=CARRIED))
        batches += 1
        await between_batches(batches)
    _built[engine] = week
    return queued


def overview_key(week: str, person_id: int) -> str:
    """One overview a person a week: the outbox key keeps a second build from queueing another."""
    return f"digest:{week}:person:{person_id}"


def _overviews(
    people: Sequence[Any], found: Sequence[tuple[str, dict[int, Items]]]
) -> tuple[list[Overview], list[int]]:
    """The batch's overviews (who has nothing gets none), and the held rows they carry."""
    rows: list[Overview] = []
    carried: list[int] = []
    for person in people:
        payload: dict[str, list[int]] = {}
        carries: list[int] = []
        for key, items_of in found:
            items = items_of.get(person.id)
            if items and items.ids:
                payload[key] = items.ids[:MOST]
                carries += items.carried
        if payload:
            rows.append((person, payload))
            carried += carries
    return rows, carried


Overview = tuple[Any, dict[str, list[int]]]  # a resident (a row of COLUMNS) and their overview's payload


async def _insert(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    purpose: Purpose,
    overviews: Sequence[Overview],
    keys: dict[int, str],
) -> int:
    """One multi-row insert for the batch (as `enqueue_many`, with a payload a person), after quiet
    hours where the purpose waits for them; a key queued before is left as it is."""
    insert = postgres_insert if dialect_name(session) == "postgresql" else sqlite_insert
    rows = [
        dict(
            key=keys[person.id],
            person_id=person.id,
            purpose=purpose.name,
            payload=payload,
            state="pending",
            attempts=0,
            created_at=now,
            not_before=after_quiet_hours(now, person, settings.timezone) if purpose.quiet else now,
        )
        for person, payload in overviews
    ]
    inserted = await session.execute(insert(OutboxMessage).on_conflict_do_nothing().returning(OutboxMessage.id), rows)
    return len(inserted.all())
