"""Scheduled work: the application's checks (publishing, reminders, digests...) and the core's clean-up.

Durable intent lives in our tables and every check must be idempotent (outbox keys are
unique, states move one way), so `Jobs.run_due(now)` can run at any moment, any number of times:
after a restart, late work runs once and nothing runs twice. APScheduler only wakes it
(and the outbox dispatcher) at an interval, and a transaction that leaves them work wakes them
as soon as it commits (`wake_checks`, and the outbox's own doorbell). On PostgreSQL an advisory lock lets one
instance lead the checks while all instances may dispatch: `Leadership` holds a session-level
lock on a connection of its own for as long as the process lives (PostgreSQL frees it the moment
that connection closes, also when the process is killed), and each round of a check still takes
a transaction-scoped lock, so two rounds never overlap even while leadership changes hands.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.metrics import Metrics
from bot.outbox import OUTBOX, Dispatcher
from storage.db import Doorbell, dialect_name, ring_after_commit, rows_changed
from storage.models import Conversation, OutboxMessage, ProcessedEvent

log = logging.getLogger(__name__)

LEADER_LOCK = 20300  # advisory lock id of one round of the checks (transaction-scoped)
LEADERSHIP_LOCK = 20301  # advisory lock id the leading instance holds on its own connection
MAX_ROUNDS = 1000  # batches of a repeating check in one round
CHECKS = "checks"  # the doorbell of the scheduled checks
Check = Callable[[AsyncSession, Settings, datetime], Awaitable[int]]


def wake_checks(session: AsyncSession) -> None:
    """Run the scheduled checks as soon as this transaction commits, not at their next interval:
    it left them work (a big call's announcements beyond the first batch)."""
    ring_after_commit(session, CHECKS)


class Jobs:
    """Every scheduled check of the application, then the core's own clean-up, each in its own transaction."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], settings: Settings, checks: Sequence[Check] = ()
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.checks: list[Check] = [*checks, housekeeping]

    async def run_due(self, now: datetime) -> dict[str, int]:
        """Run every check once (a check marked `repeat` again, each time in a fresh transaction,
        while it does something: work in batches that never holds the database long); returns
        what each did (for logs and tests)."""
        done = {}
        for check in self.checks:
            done[check.__name__] = 0
            for _round in range(MAX_ROUNDS if getattr(check, "repeat", False) else 1):
                async with self.sessions() as session, session.begin():
                    if not await self._lead(session):
                        return done
                    did = await check(session, self.settings, now)
                done[check.__name__] += did
                if not did:
                    break
        return done

    async def _lead(self, session: AsyncSession) -> bool:
        if dialect_name(session) != "postgresql":
            return True
        return bool(await session.scalar(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": LEADER_LOCK}))


async def housekeeping(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Keep only what the core still needs: handled update ids a week, finished pushes 90 days,
    a dialogue left halfway 30 days."""
    await session.execute(delete(ProcessedEvent).where(ProcessedEvent.at < now - timedelta(days=7)))
    await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.state.in_(("sent", "skipped", "failed")), OutboxMessage.created_at < now - timedelta(days=90)
        )
    )
    return await rows_changed(session, delete(Conversation).where(Conversation.updated_at < now - timedelta(days=30)))


class Leadership:
    """Which instance runs the checks. On PostgreSQL, the one holding a session-level advisory
    lock on a connection kept for the purpose; the others try again at each wake. On SQLite
    the one instance always leads (a second one refuses to start)."""

    def __init__(self, engine: AsyncEngine, instance: str, metrics: Metrics, idle_timeout: float = 0) -> None:
        self.engine, self.instance, self.metrics = engine, instance, metrics
        self.idle_timeout = idle_timeout  # seconds; 0: only when the connection closes
        self._connection: AsyncConnection | None = None
        self.leading = False

    async def hold(self) -> bool:
        """Whether this instance leads now: keep the lock, or try to take it."""
        if self.engine.dialect.name != "postgresql":
            self._set(True)
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()
                return True
            except Exception:  # noqa: BLE001 - the connection (and with it the lock) is gone
                log.warning("lost the connection that held the lead")
                await self._drop()
        connection = await self.engine.connect()
        try:
            got = bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:id)"), {"id": LEADERSHIP_LOCK}))
            if got and self.idle_timeout:
                # Should the leader's machine vanish without closing the connection, PostgreSQL ends
                # the session (and frees the lock) once it stays idle this long; the leader touches it each round.
                await connection.execute(text(f"SET idle_session_timeout = '{int(self.idle_timeout * 1000)}ms'"))
            await connection.commit()
        except Exception:
            await connection.close()
            raise
        if got:
            self._connection = connection
        else:
            await connection.close()
        self._set(got)
        return got

    def _set(self, leading: bool) -> None:
        if leading != self.leading:
            log.info("this instance (%s) %s the scheduled checks", self.instance, "now leads" if leading else "follows")
        self.leading = leading
        self.metrics.leader.labels(instance=self.instance).set(1 if leading else 0)

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.invalidate()
            except Exception:  # noqa: BLE001 - already broken
                pass
        self._set(False)

    async def release(self) -> None:
        """Hand the lead over now (on shutdown) rather than when the connection times out."""
        if self._connection is None:
            return
        try:
            await self._connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": LEADERSHIP_LOCK})
            await self._connection.commit()
            await self._connection.close()
        except Exception:  # noqa: BLE001 - closing the connection frees the lock anyway
            log.warning("could not release the lead cleanly")
        self._connection = None
        self._set(False)


class Schedule:
    """APScheduler waking the checks and the dispatcher at their intervals, and the doorbell
    waking them at once when a transaction left them work; `stop` lets a running round finish.

    A round that is woken while one runs makes the running one go round once more, and the
    dispatcher claims batch after batch while it finds any: it never idles until its next
    interval with rows due."""

    def __init__(
        self,
        jobs: Jobs,
        dispatcher: Dispatcher,
        clock: Callable[[], datetime],
        check_seconds: float = 30,
        dispatch_seconds: float = 1,
        leadership: Leadership | None = None,
        metrics: Metrics | None = None,
        bell: Doorbell | None = None,
    ) -> None:
        self.jobs, self.dispatcher, self.clock = jobs, dispatcher, clock
        self.leadership = leadership
        self.metrics = metrics or Metrics()
        self.bell = bell or dispatcher.bell
        self._busy = {"checks": asyncio.Lock(), "dispatch": asyncio.Lock()}
        self._again = {"checks": False, "dispatch": False}
        self._listening: list[asyncio.Task[None]] = []
        self._stopping = False
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        # A round still running when the next is due (a broadcast takes many seconds) makes the next
        # return at once: two instances allowed, so APScheduler does not warn each second it skips one.
        options = dict(
            max_instances=2, coalesce=True, misfire_grace_time=None, next_run_time=datetime.now(timezone.utc)
        )  # APScheduler wakes on the wall clock
        self.scheduler.add_job(self._checks, "interval", seconds=check_seconds, id="checks", **options)
        self.scheduler.add_job(self._dispatch, "interval", seconds=dispatch_seconds, id="dispatch", **options)

    async def _checks(self) -> None:
        if self._busy["checks"].locked():
            self._again["checks"] = True  # work came in after the running round looked
            return
        async with self._busy["checks"]:
            while not self._stopping:
                self._again["checks"] = False
                try:
                    if self.leadership is not None and not await self.leadership.hold():
                        return
                    self.metrics.job_runs.labels(job="checks").inc()
                    await self.jobs.run_due(self.clock())
                except Exception:
                    self.metrics.job_failures.labels(job="checks").inc()
                    log.exception("scheduled checks failed")
                    return
                if not self._again["checks"]:
                    return

    async def _dispatch(self) -> None:
        if self._busy["dispatch"].locked():
            self._again["dispatch"] = True
            return
        async with self._busy["dispatch"]:
            # Batch after batch while there are any: waiting for the next interval after each
            # batch left the rate unused for most of a second (issue 26).
            while not self._stopping:
                self._again["dispatch"] = False
                try:
                    self.metrics.job_runs.labels(job="dispatch").inc()
                    await self.dispatcher.tick()
                except Exception:
                    self.metrics.job_failures.labels(job="dispatch").inc()
                    log.exception("outbox dispatch failed")
                    return
                if not (self.dispatcher.claimed or self._again["dispatch"]):
                    return

    async def _listen(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        """Run `run` each time the doorbell `name` rings, until the schedule stops."""
        rung = self.bell.event(name)
        while not self._stopping:
            await rung.wait()
            rung.clear()
            if not self._stopping:
                await run()

    def start(self) -> Schedule:
        self.scheduler.start()
        self._listening = [
            asyncio.ensure_future(self._listen(CHECKS, self._checks)),
            asyncio.ensure_future(self._listen(OUTBOX, self._dispatch)),
        ]
        return self

    async def stop(self, *, whole_batch: bool = False) -> None:
        """Finish a round in progress, then shut down (APScheduler's shutdown would cancel it). The
        dispatcher finishes the message in flight and gives the rest of its batch back, or with
        `whole_batch` sends the batch it claimed (the console, where a round is a few lines)."""
        self._stopping = True
        self.dispatcher.stopping = not whole_batch
        self.scheduler.pause()
        await asyncio.sleep(0)  # let a round that was just woken see that we stop
        for lock in self._busy.values():
            async with lock:
                pass
        self.bell.ring(CHECKS, OUTBOX)  # the listeners see that we stop
        await asyncio.gather(*self._listening, return_exceptions=True)
        self.scheduler.shutdown(wait=False)
        if self.leadership is not None:
            await self.leadership.release()


def start_scheduler(jobs: Jobs, dispatcher: Dispatcher, clock: Callable[[], datetime]) -> Schedule:
    """Wake the checks every 30 s and the dispatcher every second, in this event loop."""
    return Schedule(jobs, dispatcher, clock).start()
