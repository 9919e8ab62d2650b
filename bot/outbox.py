"""The outbox: everything the bot says on its own initiative, queued durably and sent once.

`enqueue` adds one row per person and purpose under a unique key, so the same message is
never queued twice, and sets when it may go out (after quiet hours, within a weekly cap).
The `Dispatcher` claims due rows (FOR UPDATE SKIP LOCKED on PostgreSQL, so several
instances can dispatch) that it can deliver (for people on its channels, a console's for
its own person only; for the shared rooms its channels host), renders each in the person's
language, sends it through the person's channel, and records the outcome: sent (with the
message id), retried later (429, 5xx, no connection, the database blinked), sent without
a receipt (the request went out but its answer was lost: never sent twice), or failed (the
person blocked the bot). A row claimed but never finished (a crash mid-send) is sent again
once its lease has passed: at most the messages in flight (OUTBOX_CONCURRENCY) can arrive
twice. A row the weekly cap held back stays `held` until an overview carries it.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import String, Table, bindparam, case, false, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import remember
from bot.config import Settings
from bot.metrics import Metrics
from bot.replies import Reply
from storage.db import Doorbell, dialect_name, doorbell, ring_after_commit, rows_changed, transient
from storage.models import Identity, OutboxMessage, Person

log = logging.getLogger(__name__)
HELD = "held"  # kept back by the weekly cap; never sent as it is, a later overview carries it
ERROR_LENGTH = 255  # of the last_error column
RETRY_AFTER = timedelta(seconds=30)  # after the database failed while a push was prepared
FINISH_ATTEMPTS = 5  # tries to record a send's outcome while the database blinks
PREPARE_CHUNK = 10  # claimed rows rendered in one transaction
OUTBOX, FIRST = "outbox", "outbox:first"  # the doorbells of the dispatcher: rows due, rows to send first


@dataclass(frozen=True)
class Purpose:
    """Why the bot writes on its own, and the rules that follow from it.

    `capped`: counts toward the weekly cap of unasked-for messages; `quiet`: waits until
    the person's quiet hours end; `pausable`: not sent while the person paused messages;
    `to_blocked`: still sent to someone a coordinator blocked (nothing else is); `first`: tells
    the person who acted what their action did (a coordinator's call is on its way), so it goes
    before every other due row, the broadcast that action caused included.
    """

    name: str
    capped: bool = False
    quiet: bool = False
    pausable: bool = False
    to_blocked: bool = False
    first: bool = False

    def __post_init__(self) -> None:
        declared = _DECLARED.setdefault(self.name, self)
        if declared != self:
            raise ValueError(f"outbox purpose {self.name!r} is declared twice, with other rules")


# Every purpose declared, by name: the weekly cap counts the rows of all capped ones, whichever
# feature declared them (as prometheus_client keeps every metric declared).
_DECLARED: dict[str, Purpose] = {}


def capped_purposes() -> list[str]:
    return sorted(name for name, purpose in _DECLARED.items() if purpose.capped)


def quiet_purposes() -> list[str]:
    return sorted(name for name, purpose in _DECLARED.items() if purpose.quiet)


# What counts toward the weekly cap: what went out, or is on its way. Not what was held back,
# skipped (no longer relevant, or withdrawn: a cancelled call) or failed.
COUNTED = ("pending", "sending", "sent")


def first_purposes() -> set[str]:
    return {name for name, purpose in _DECLARED.items() if purpose.first}


def _wake(session: AsyncSession, purpose: Purpose) -> None:
    """Wake this process's dispatcher once the rows just queued are committed (`first` ones even mid-batch)."""
    ring_after_commit(session, OUTBOX)
    if purpose.first:
        ring_after_commit(session, FIRST)


class RetryLater(Exception):
    """The platform asks to wait (429) or failed for now (5xx, time-out)."""

    def __init__(self, after: float, reason: str) -> None:
        super().__init__(reason)
        self.after = after


class Unreachable(Exception):
    """The person blocked the bot: write nothing more to this chat."""


class MaybeSent(Exception):
    """The request went out but no answer came back (a read time-out, a dropped connection): the
    platform may have delivered it. Pushes are sent at most once, so it is not sent again."""


@dataclass(frozen=True)
class Push:
    """A claimed row rendered and ready to go: to a person's chat, or to a shared `room`."""

    row_id: int
    mine: datetime  # our claim on the row, renewed when it was prepared
    channel: str
    user_id: str
    room: str | None
    replies: list[Reply]


@dataclass(frozen=True)
class Outcome:
    """How sending one row went, to be recorded."""

    row_id: int
    mine: datetime
    state: str  # sent, pending (to retry at `retry_at`) or failed
    error: str | None = None
    retry_at: datetime | None = None
    channel: str | None = None
    message_id: str | None = None
    unreachable: tuple[str, str] | None = None  # the (channel, user id) that blocked the bot


class GroupCommit:
    """Writes what is added in batches: whatever arrives while a write runs goes in the next one,
    so a lone outcome is written at once and a busy broadcast shares one transaction among many.
    `add` returns when the item is written, and raises when its batch could not be."""

    def __init__(self, write: Callable[[list[Any]], Awaitable[None]]) -> None:
        self.write = write
        self._waiting: list[tuple[Any, asyncio.Future[None]]] = []
        self._writing = asyncio.Lock()

    async def add(self, item: Any) -> None:
        written = asyncio.get_running_loop().create_future()
        self._waiting.append((item, written))
        async with self._writing:
            if not written.done():  # not carried by the write that just ended
                batch, self._waiting = self._waiting, []
                try:
                    await self.write([queued for queued, _ in batch])
                except Exception as error:  # noqa: BLE001 - handed to every waiting caller
                    for _, future in batch:
                        future.set_exception(error)
                else:
                    for _, future in batch:
                        future.set_result(None)
        await written


class PushSender(ABC):
    """What the dispatcher asks of a channel (the push half of `bot.channels.base.Channel`).

    `push` sends replies to a person's chat and returns the platform's message id; it raises
    RetryLater, MaybeSent or Unreachable as the platform answered. A channel that hosts shared
    rooms says which in `hosts` and sends there in `push_room`; a channel that reaches one person
    only (a console) names them in `only_user`."""

    @abstractmethod
    async def push(self, user_id: str, replies: list[Reply]) -> str | None: ...

    def hosts(self, room: str) -> bool:
        """Whether this channel has a place for the shared room `room`."""
        return False

    async def push_room(self, room: str, replies: list[Reply]) -> str | None:
        """Send replies to a room this channel hosts (the dispatcher asks for no other)."""
        raise LookupError(f"{type(self).__name__} hosts no room {room!r}")

    @property
    def only_user(self) -> str | None:
        """The one person this channel reaches, when it reaches one only."""
        return None


def after_quiet_hours(now: datetime, person: Any, timezone: str) -> datetime:
    """`now`, or the end of the person's quiet hours when `now` falls within them."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    minute = local.hour * 60 + local.minute
    start, end = person.quiet_start, person.quiet_end
    quiet = (start <= minute or minute < end) if start > end else (start <= minute < end)
    if not quiet or start == end:
        return now
    day = local.date() if minute < end else local.date() + timedelta(days=1)
    wake = datetime.combine(day, time(end // 60, end % 60), zone)
    return wake.astimezone(now.tzinfo)


async def pushes_this_week(session: AsyncSession, person: Person, now: datetime) -> int:
    """How many capped messages `person` got in the last seven days, or is about to get (`COUNTED`)."""
    return (
        await session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.person_id == person.id,
                OutboxMessage.purpose.in_(capped_purposes()),
                OutboxMessage.state.in_(COUNTED),
                OutboxMessage.created_at > now - timedelta(days=7),
            )
        )
        or 0
    )


async def follow_quiet_hours(session: AsyncSession, settings: Settings, person: Person, now: datetime) -> int:
    """The person's quiet hours changed: their messages that wait for the old ones (never tried
    yet) go out when the new ones end, at once when they have none. Returns how many were moved."""
    return await rows_changed(
        session,
        update(OutboxMessage)
        .where(
            OutboxMessage.person_id == person.id,
            OutboxMessage.state == "pending",
            OutboxMessage.attempts == 0,  # a retry waits for the platform, not for the night
            OutboxMessage.purpose.in_(quiet_purposes()),
            OutboxMessage.not_before > now,
        )
        .values(not_before=after_quiet_hours(now, person, settings.timezone))
        .execution_options(synchronize_session=False),
    )


async def enqueue(
    session: AsyncSession,
    settings: Settings,
    *,
    key: str,
    person: Person,
    purpose: Purpose,
    now: datetime,
    payload: dict[str, Any] | None = None,
    hold: bool = False,
) -> bool:
    """Queue one message; False when it was queued before or the weekly cap is reached (with
    `hold`, it is then kept as held, for a later overview to carry, and True)."""
    # Scheduled checks ask again and again; a cheap look first spares the cap count and the insert.
    if await session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return False
    state = "pending"
    if purpose.capped and await pushes_this_week(session, person, now) >= settings.push_weekly_cap:
        if not hold:
            return False
        state = HELD
    not_before = after_quiet_hours(now, person, settings.timezone) if purpose.quiet else now
    _wake(session, purpose)
    return await _insert(
        session,
        key=key,
        person_id=person.id,
        purpose=purpose.name,
        payload=payload or {},
        not_before=not_before,
        created_at=now,
        state=state,
    )


async def enqueue_many(
    session: AsyncSession,
    settings: Settings,
    *,
    people: Sequence[Any],
    key: Callable[[int], str],
    purpose: Purpose,
    now: datetime,
    payload: dict[str, Any] | None = None,
    hold: bool = False,
) -> int:
    """Queue one message for each of `people` (rows with id, quiet_start and quiet_end) in two
    statements, under the same rules as `enqueue`: the weekly cap (with `hold`, kept as held),
    quiet hours, one message per key. Returns how many were queued."""
    if not people:
        return 0
    at_cap: set[int] = set()
    if purpose.capped:
        ids = [person.id for person in people]
        at_cap = set(
            await session.scalars(
                select(OutboxMessage.person_id)
                .where(
                    # The range first: cheap to test, it spares most rows the long IN list when the
                    # planner scans the whole table (PostgreSQL, before an outbox that grew in
                    # seconds has fresh statistics: 230 ms a batch of 1,000 instead of 10).
                    OutboxMessage.person_id.between(min(ids), max(ids)),
                    OutboxMessage.person_id.in_(ids),
                    OutboxMessage.purpose.in_(capped_purposes()),
                    OutboxMessage.state.in_(COUNTED),
                    OutboxMessage.created_at > now - timedelta(days=7),
                )
                .group_by(OutboxMessage.person_id)
                .having(func.count(OutboxMessage.id) >= settings.push_weekly_cap)
            )
        )
    rows = [
        dict(
            key=key(person.id),
            person_id=person.id,
            purpose=purpose.name,
            payload=payload or {},
            state=HELD if person.id in at_cap else "pending",
            attempts=0,
            created_at=now,
            not_before=after_quiet_hours(now, person, settings.timezone) if purpose.quiet else now,
        )
        for person in people
        if hold or person.id not in at_cap
    ]
    if not rows:
        return 0
    _wake(session, purpose)
    insert = postgres_insert if dialect_name(session) == "postgresql" else sqlite_insert
    # Many parameter sets for one statement: compiled once, sent in batches ("insertmanyvalues").
    inserted = await session.execute(insert(OutboxMessage).on_conflict_do_nothing().returning(OutboxMessage.id), rows)
    return len(inserted.all())


async def enqueue_room(
    session: AsyncSession,
    *,
    key: str,
    room: str,
    purpose: Purpose,
    now: datetime,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Queue one message for a shared room (a card for the coordinators); False when queued before."""
    _wake(session, purpose)
    return await _insert(
        session, key=key, room=room, purpose=purpose.name, payload=payload or {}, not_before=now, created_at=now
    )


async def redraw(session: AsyncSession, *, key: str, now: datetime) -> bool:
    """Send a shared room's message that went out once more, over itself: its renderer draws it
    again, as it is now, to `Room(room, message_id)` and the channel edits the message in place.
    False when it is not out yet (it shows what there is when it goes), on its way, or was sent
    without a receipt (no message to edit)."""
    ring_after_commit(session, OUTBOX)
    return (
        await rows_changed(
            session,
            update(OutboxMessage)
            .where(
                OutboxMessage.key == key,
                OutboxMessage.room.is_not(None),
                OutboxMessage.state == "sent",
                OutboxMessage.message_id.is_not(None),
            )
            .values(state="pending", not_before=now, attempts=0, last_error=None)
            .execution_options(synchronize_session=False),
        )
        == 1
    )


async def _insert(session: AsyncSession, **values: Any) -> bool:
    insert = postgres_insert if dialect_name(session) == "postgresql" else sqlite_insert
    statement = insert(OutboxMessage).values(**{"state": "pending", "attempts": 0, **values}).on_conflict_do_nothing()
    return await rows_changed(session, statement) == 1


class Dispatcher:
    """Sends due outbox rows through the channels, within their limits, and records how it went."""

    def __init__(
        self,
        sessions: Any,
        settings: Settings,
        senders: Mapping[str, PushSender],
        render: Any,
        clock: Callable[[], datetime],
        *,
        pausable: Iterable[str] = (),
        to_blocked: Iterable[str] = (),
        first: Iterable[str] = (),
        batch: int = 250,
        max_attempts: int = 8,
        metrics: Metrics | None = None,
        bell: Doorbell | None = None,
    ) -> None:
        self.sessions = sessions
        self.metrics = metrics or Metrics()
        self.stopping = False  # set on shutdown: the message in flight finishes, the claimed rest goes back
        self.settings = settings
        self.senders = senders
        self.render = render
        self.pausable = frozenset(pausable)
        self.to_blocked = frozenset(to_blocked)
        # Purposes claimed before any other due row: replies kept for later, and what tells the person who acted.
        self.first = frozenset(first) | first_purposes()
        self.clock = clock
        self.batch = batch
        self.max_attempts = max_attempts
        self.lease = timedelta(seconds=settings.outbox_lease_seconds)
        self._slots = asyncio.Semaphore(settings.outbox_concurrency)
        self._running = asyncio.Lock()
        self._ledger = GroupCommit(self._record)
        bind = getattr(sessions, "kw", {}).get("bind")
        self.bell = bell or (doorbell(bind) if bind is not None else Doorbell())
        self.claimed = 0  # rows the last tick claimed: while it claims any, more may be due

    async def tick(self) -> int:
        """Send what is due now, batch after batch while full batches come; returns how many went out.

        Rendered a few rows at a time (PREPARE_CHUNK), each few once the ones before are nearly
        sent: a transaction stays short, so a person's turn hardly waits for SQLite's write lock,
        and a row of a `first` purpose queued meanwhile (the doorbell FIRST) goes ahead of the
        rest of the batch. The next batch is claimed while the last of this one are in flight,
        so the rate never idles between batches."""
        async with self._running:
            if self.stopping:
                return 0
            self.claimed = 0
            first = self.bell.event(FIRST)
            first.clear()  # the claim below takes the rows to send first that are due now
            sending: list[asyncio.Task[int]] = []
            pending: set[asyncio.Task[int]] = set()
            try:
                while not self.stopping:
                    claimed = await self._claim_now()
                    if claimed is None:
                        break
                    claimed_at, ids = claimed
                    self.claimed += len(ids)
                    for start in range(0, len(ids), PREPARE_CHUNK):
                        pending = await self._keep_up(pending, sending, first)
                        if self.stopping:
                            await self._release(ids[start:], claimed_at)
                            break
                        for push in await self._prepare_all(ids[start : start + PREPARE_CHUNK], claimed_at):
                            task = asyncio.ensure_future(self._send(push))
                            sending.append(task)
                            pending.add(task)
                    if len(ids) < self.batch:
                        break
                    pending = await self._keep_up(pending, sending, first)
                return sum(await asyncio.gather(*sending))
            except asyncio.CancelledError:  # the process is going down: nothing more goes out
                for task in sending:
                    task.cancel()
                raise

    async def _claim_now(self, only_first: bool = False) -> tuple[datetime, list[int]] | None:
        """`_claim`, or None while the database is unavailable (the next tick tries again)."""
        try:
            return await self._claim(only_first)
        except Exception as error:
            if not transient(error):
                raise
            log.warning("outbox waits: database unavailable (%s)", type(error.orig).__name__)
            return None

    async def _keep_up(
        self, pending: set[asyncio.Task[int]], sending: list[asyncio.Task[int]], first: asyncio.Event
    ) -> set[asyncio.Task[int]]:
        """Wait until at most PREPARE_CHUNK prepared pushes are still unsent, meanwhile starting any
        row of a `first` purpose that was queued (they wait behind those few only)."""
        rung: asyncio.Task[bool] | None = None
        try:
            while True:
                pending = {task for task in pending if not task.done()}
                if first.is_set():
                    first.clear()
                    claimed = await self._claim_now(only_first=True)
                    if claimed is not None:
                        self.claimed += len(claimed[1])
                        for push in await self._prepare_all(claimed[1], claimed[0]):
                            task = asyncio.ensure_future(self._send(push))
                            sending.append(task)
                            pending.add(task)
                if len(pending) <= PREPARE_CHUNK or self.stopping:
                    return pending
                if rung is None or rung.done():
                    rung = asyncio.ensure_future(first.wait())
                await asyncio.wait({*pending, rung}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if rung is not None:
                rung.cancel()

    async def drain(self, rounds: int = 1000) -> int:
        """Tick until nothing is due (for the CLI and tests)."""
        total = 0
        for _ in range(rounds):
            sent = await self.tick()
            total += sent
            if not await self._due_count():
                return total
        return total

    async def _due_count(self) -> int:
        """Due rows this dispatcher could deliver (a room no channel of ours hosts waits for another)."""
        now = self.clock()
        async with self.sessions() as session:
            return (
                await session.scalar(
                    select(func.count(OutboxMessage.id)).where(self._due(now), await self._deliverable(session, now))
                )
                or 0
            )

    async def _deliverable(self, session: AsyncSession, now: datetime) -> Any:
        """Rows for people this dispatcher can write to, or for the due rooms its channels host."""
        rooms = [
            room
            for room in await session.scalars(
                select(OutboxMessage.room).where(self._due(now), OutboxMessage.room.is_not(None)).distinct()
            )
            if room is not None and any(sender.hosts(room) for sender in self.senders.values())
        ]
        return or_(
            OutboxMessage.person_id.in_(select(Identity.person_id).where(self._ours())), OutboxMessage.room.in_(rooms)
        )

    def _order(self) -> tuple[Any, ...]:
        """The order rows go out in: the `first` purposes, then by when they were due."""
        return OutboxMessage.purpose.not_in(self.first), OutboxMessage.not_before, OutboxMessage.id

    def _due(self, now: datetime) -> Any:
        return or_(
            (OutboxMessage.state == "pending") & (OutboxMessage.not_before <= now),
            (OutboxMessage.state == "sending") & (OutboxMessage.claimed_at < now - self.lease),
        )

    def _ours(self) -> Any:
        """The identities this dispatcher can write to: on its channels, a console's own person only."""
        reachable = []
        for name, sender in self.senders.items():
            only = sender.only_user
            reachable.append(
                (Identity.channel == name) & (Identity.external_id == only) if only else Identity.channel == name
            )
        return Identity.reachable.is_(True) & or_(false(), *reachable)

    async def _claim(self, only_first: bool = False) -> tuple[datetime, list[int]]:
        """Claim the due rows this dispatcher can deliver (`only_first`: of the `first` purposes);
        rows no channel anywhere can deliver (the person blocked every chat) are settled as failed,
        the rest wait for their instance."""
        now = self.clock()
        due = self._due(now)
        if only_first:
            due = due & OutboxMessage.purpose.in_(self.first)
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(
                    due,
                    OutboxMessage.person_id.is_not(None),
                    OutboxMessage.person_id.not_in(select(Identity.person_id).where(Identity.reachable.is_(True))),
                )
                .values(state="failed", last_error="no reachable chat")
                .execution_options(synchronize_session=False)
            )
            rows = list(
                await session.scalars(
                    select(OutboxMessage)
                    .where(due, await self._deliverable(session, now))
                    .order_by(*self._order())
                    .limit(self.batch)
                    .with_for_update(skip_locked=True)
                )
            )
            for row in rows:
                row.state, row.claimed_at = "sending", now
            return now, [row.id for row in rows]

    async def _prepare_all(self, ids: list[int], claimed_at: datetime) -> list[Push]:
        """Render the claimed rows in one transaction; when any row fails, each row on its own,
        so one broken row (or a database that blinks) settles only that row."""
        if not ids:
            return []
        try:
            async with self.sessions() as session, session.begin():
                return await self._prepare(session, ids, claimed_at)
        except Exception:  # noqa: BLE001 - told apart row by row below
            prepared = [await self._prepare_one(row_id, claimed_at) for row_id in ids]
            return [push for pushes in prepared for push in pushes]

    async def _prepare_one(self, row_id: int, claimed_at: datetime) -> list[Push]:
        try:
            async with self.sessions() as session, session.begin():
                return await self._prepare(session, [row_id], claimed_at)
        except Exception as error:  # noqa: BLE001 - one broken row must not stop the others
            if transient(error):  # the database blinked: the row waits, nothing was sent
                log.warning("push %s waits: database unavailable (%s)", row_id, type(error.orig).__name__)
                await self._finish(
                    Outcome(row_id, claimed_at, "pending", error=repr(error), retry_at=self.clock() + RETRY_AFTER)
                )
            else:
                log.exception("push %s could not be prepared", row_id)
                await self._finish(Outcome(row_id, claimed_at, "failed", error=repr(error)))
            return []

    async def _prepare(self, session: AsyncSession, ids: list[int], claimed_at: datetime) -> list[Push]:
        """Render the rows for their people or rooms, or settle those that should not be sent.

        A row is ours only while its claim is the one we made: if the lease ran out and another
        instance claimed it again, we leave it. Preparing restarts the lease."""
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(ids), OutboxMessage.state == "sending", OutboxMessage.claimed_at == claimed_at
                )
                .order_by(*self._order())
                .with_for_update()
            )
        )
        person_ids = {row.person_id for row in rows if row.person_id is not None}
        people = (
            {person.id: person for person in await session.scalars(select(Person).where(Person.id.in_(person_ids)))}
            if person_ids
            else {}
        )
        identities: dict[int, Identity] = {}
        if person_ids:
            for identity in await session.scalars(
                select(Identity).where(Identity.person_id.in_(person_ids), self._ours()).order_by(Identity.id)
            ):
                identities.setdefault(identity.person_id, identity)  # the oldest chat first
        mine = self.clock()
        prepared = []
        for row in rows:
            row.claimed_at = mine
            if row.room is not None:
                push = await self._prepare_room(session, row, mine)
            else:
                person_id = row.person_id
                assert person_id is not None, "a row is for a room or for a person"
                push = await self._prepare_person(session, row, people[person_id], identities.get(person_id), mine)
            if push is not None:
                row.attempts += 1
                prepared.append(push)
        return prepared

    async def _prepare_person(
        self, session: AsyncSession, row: OutboxMessage, person: Person, identity: Identity | None, mine: datetime
    ) -> Push | None:
        if (person.paused and row.purpose in self.pausable) or (
            person.blocked_at is not None and row.purpose not in self.to_blocked
        ):
            row.state = "skipped"
            return None
        if identity is None:
            row.state, row.last_error = "failed", "no reachable chat"
            return None
        replies = await self.render(session, row, person, identity, self.clock())
        if not replies:
            row.state = "skipped"  # no longer relevant (a cancelled call, a withdrawn offer)
            return None
        remember(identity, replies)  # a typed answer to this push ("ik doe mee!") names its buttons
        return Push(row.id, mine, identity.channel, identity.external_id, None, replies)

    async def _send(self, push: Push) -> int:
        """Send one prepared message and record how it went; 1 when it went out."""
        async with self._slots:  # held until the outcome is written: a crash repeats only what is in flight
            if self.stopping:
                await self._release([push.row_id], push.mine)
                return 0
            outcome = await self._push(push)
            await self._finish(outcome)
        if outcome.state == "sent":
            self.metrics.replies.labels(channel=push.channel).inc()
            return 1
        return 0

    async def _push(self, push: Push) -> Outcome:
        sender = self.senders[push.channel]
        now = self.clock()
        try:
            message_id = await (
                sender.push_room(push.room, push.replies) if push.room else sender.push(push.user_id, push.replies)
            )
        except RetryLater as wait:
            self.metrics.send_failures.labels(reason="retry_later").inc()
            return Outcome(
                push.row_id, push.mine, "pending", error=str(wait), retry_at=now + timedelta(seconds=wait.after)
            )
        except MaybeSent as unsure:
            log.warning("push %s may not have arrived: %s", push.row_id, unsure)
            self.metrics.send_failures.labels(reason="no_answer").inc()
            return Outcome(
                push.row_id,
                push.mine,
                "sent",
                channel=push.channel,
                error=f"no answer, so it may not have arrived: {unsure}",
            )
        except Unreachable:
            self.metrics.send_failures.labels(reason="unreachable").inc()
            return Outcome(
                push.row_id,
                push.mine,
                "failed",
                error="room gone" if push.room else "blocked by the person",
                unreachable=None if push.room else (push.channel, push.user_id),
            )
        except Exception as error:  # noqa: BLE001 - a refused message must not stop the others
            log.exception("push %s failed", push.row_id)
            self.metrics.send_failures.labels(reason="refused").inc()
            return Outcome(push.row_id, push.mine, "failed", error=repr(error))
        return Outcome(push.row_id, push.mine, "sent", channel=push.channel, message_id=message_id)

    async def _release(self, row_ids: list[int], claimed_at: datetime) -> None:
        """Give claimed rows back untouched (on shutdown), so any instance sends them at once, not after the lease."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(row_ids),
                    OutboxMessage.state == "sending",
                    OutboxMessage.claimed_at == claimed_at,
                )
                .values(state="pending")
                .execution_options(synchronize_session=False)
            )

    async def _prepare_room(self, session: AsyncSession, row: OutboxMessage, mine: datetime) -> Push | None:
        """A shared room's message goes through the first channel that hosts the room."""
        room = row.room
        assert room is not None  # only a room's rows come here
        channel = next((name for name, sender in self.senders.items() if sender.hosts(room)), None)
        if channel is None:
            row.state, row.last_error = "failed", f"no channel hosts the room {row.room}"
            return None
        replies = await self.render(session, row, None, None, self.clock())
        if not replies:
            row.state = "skipped"
            return None
        return Push(row.id, mine, channel, "", row.room, replies)

    async def _finish(self, outcome: Outcome) -> None:
        """Record how a send went, together with the outcomes that arrive meanwhile (one
        transaction for many). A database that blinks is tried again, since a row left
        `sending` after a send would be sent again once its lease runs out."""
        await self._ledger.add(outcome)

    async def _record(self, outcomes: list[Outcome]) -> None:
        for attempt in range(1, FINISH_ATTEMPTS + 1):
            try:
                async with self.sessions() as session, session.begin():
                    await self._write(session, outcomes)
                return
            except Exception as error:
                if not transient(error) or attempt == FINISH_ATTEMPTS:
                    raise
                await asyncio.sleep(0.05 * attempt)

    async def _write(self, session: AsyncSession, outcomes: list[Outcome]) -> None:
        """One statement for all outcomes; a row another instance took over after our lease ran out is left alone."""
        now = self.clock()
        row = OutboxMessage.__table__.c
        new_state = bindparam("new_state", type_=String)
        gave_up = (new_state == "pending") & (row.attempts >= self.max_attempts)
        await session.execute(
            update(cast(Table, OutboxMessage.__table__))  # Core: one statement, many parameter sets
            .where(
                row.id == bindparam("row_id"),
                row.state == "sending",
                row.claimed_at == bindparam("mine", type_=row.claimed_at.type),
            )
            .values(
                state=case((gave_up, "failed"), else_=new_state),
                last_error=bindparam("error", type_=String),
                not_before=func.coalesce(bindparam("retry_at", type_=row.not_before.type), row.not_before),
                channel=func.coalesce(bindparam("sent_channel", type_=row.channel.type), row.channel),
                # Kept when a redraw of a room's message must wait: the message is still there to edit.
                message_id=func.coalesce(bindparam("message_id", type_=String), row.message_id),
                sent_at=bindparam("sent_at", type_=row.sent_at.type),
            ),
            [
                dict(
                    row_id=o.row_id,
                    mine=o.mine,
                    new_state=o.state,
                    error=o.error[:ERROR_LENGTH] if o.error else None,
                    retry_at=o.retry_at,
                    sent_channel=o.channel,
                    message_id=o.message_id,
                    sent_at=now if o.state == "sent" else None,
                )
                for o in outcomes
            ],
        )
        for channel, user_id in {o.unreachable for o in outcomes if o.unreachable is not None}:
            await session.execute(
                update(Identity)
                .where(Identity.channel == channel, Identity.external_id == user_id)
                .values(reachable=False)
            )
