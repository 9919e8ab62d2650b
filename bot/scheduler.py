"""Scheduled work: publishing, reminders, follow-ups, the Monday digest, nudges, clean-up.

Durable intent lives in our tables and every check is idempotent (outbox keys are unique,
states move one way), so `Jobs.run_due(now)` can run at any moment, any number of times:
after a restart, late work runs once and nothing runs twice. APScheduler only wakes it
(and the outbox dispatcher) at an interval. On PostgreSQL an advisory lock lets one
instance lead the checks while all instances may dispatch.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.outbox import Dispatcher, enqueue
from handlers import call_service as calls
from handlers.privacy import give_up_places
from storage.models import Call, Conversation, Offer, OutboxMessage, Person, ProcessedEvent, SignUp
from storage.repositories import Audit, People

log = logging.getLogger(__name__)

LEADER_LOCK = 20300  # advisory lock id of the instance that runs the checks
DIGEST_WEEKDAY, DIGEST_HOUR = 0, 10  # Monday 10:00 local time
FOLLOWUP_DELAY = timedelta(hours=1)


class Jobs:
    """Every scheduled check, each in its own transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.checks: list[Callable[[AsyncSession, datetime], Awaitable[int]]] = [
            self.publish_scheduled, self.remind, self.follow_up, self.digest, self.nudge_onboarding,
            self.offer_expiry, self.expire_place_offers, self.close_calls, self.retention,
        ]

    async def run_due(self, now: datetime) -> dict[str, int]:
        """Run every check once; returns what each did (for logs and tests)."""
        done = {}
        for check in self.checks:
            async with self.sessions() as session, session.begin():
                if not await self._lead(session):
                    return done
                done[check.__name__] = await check(session, now)
        return done

    async def _lead(self, session: AsyncSession) -> bool:
        if session.bind.dialect.name != "postgresql":
            return True
        return bool(await session.scalar(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": LEADER_LOCK}))

    async def publish_scheduled(self, session: AsyncSession, now: datetime) -> int:
        due = list(await session.scalars(select(Call).where(Call.state == "scheduled", Call.publish_at <= now)))
        for call in due:
            await calls.publish(session, self.settings, call, now)
        return len(due)

    async def remind(self, session: AsyncSession, now: datetime) -> int:
        """Before the start, to those signed up: only the latest reminder whose time has come."""
        queued = 0
        upcoming = await session.scalars(select(Call).where(
            Call.state.in_(("published", "closed")), Call.starts_at > now))
        for call in upcoming:
            due = [m for m in sorted(call.reminder_minutes) if call.starts_at - timedelta(minutes=m) <= now]
            if not due:
                continue
            minutes = due[0]
            for person in await self._signed_up(session, call, ("joined",)):
                queued += await enqueue(session, self.settings, key=f"call:{call.id}:person:{person.id}:remind:{minutes}",
                                        person=person, purpose="reminder", now=now, payload={"call_id": call.id})
        return queued

    async def follow_up(self, session: AsyncSession, now: datetime) -> int:
        """After the end, ask those who came how it went (within three days)."""
        queued = 0
        ended = await session.scalars(select(Call).where(
            Call.state.in_(("published", "closed")), Call.ends_at <= now - FOLLOWUP_DELAY,
            Call.ends_at > now - timedelta(days=3)))
        for call in ended:
            for person in await self._signed_up(session, call, ("joined", "attended")):
                queued += await enqueue(session, self.settings, key=f"call:{call.id}:person:{person.id}:followup",
                                        person=person, purpose="followup", now=now, payload={"call_id": call.id})
        return queued

    async def digest(self, session: AsyncSession, now: datetime) -> int:
        """On Monday from 10:00 (until the end of that day): open calls that fit, to who asked."""
        zone = ZoneInfo(self.settings.timezone)
        local = now.astimezone(zone)
        if local.weekday() != DIGEST_WEEKDAY or local.hour < DIGEST_HOUR:
            return 0
        week = local.strftime("%G-W%V")
        open_calls = list(await session.scalars(select(Call).where(
            Call.state == "published", Call.deadline > now).order_by(Call.starts_at)))
        answered = {(s.call_id, s.person_id) for s in await session.scalars(
            select(SignUp).where(SignUp.call_id.in_([c.id for c in open_calls])))}
        queued = 0
        for person in await session.scalars(select(Person).where(
                Person.digest.is_(True), Person.onboarded_at.is_not(None))):
            fitting = [c.id for c in open_calls if calls.fits(c, person) and (c.id, person.id) not in answered]
            if fitting:
                queued += await enqueue(session, self.settings, key=f"digest:{week}:person:{person.id}",
                                        person=person, purpose="digest", now=now, payload={"call_ids": fitting[:5]})
        return queued

    async def nudge_onboarding(self, session: AsyncSession, now: datetime) -> int:
        """One nudge, a day after someone stopped halfway through onboarding."""
        stalled = await session.scalars(
            select(Person).join(Conversation, Conversation.person_id == Person.id)
            .where(Person.onboarded_at.is_(None), Conversation.flow == "onboarding",
                   Conversation.updated_at <= now - timedelta(hours=24)))
        queued = 0
        for person in stalled:
            queued += await enqueue(session, self.settings, key=f"nudge:onboarding:person:{person.id}",
                                    person=person, purpose="nudge", now=now)
        return queued

    async def offer_expiry(self, session: AsyncSession, now: datetime) -> int:
        """A week before an offer ends, ask to renew or withdraw; after its end, it expires."""
        queued = 0
        soon = await session.scalars(select(Offer).where(
            Offer.state == "open", Offer.valid_until.is_not(None), Offer.valid_until <= now + timedelta(days=7)))
        for offer in soon:
            if offer.valid_until < now:
                offer.state = "expired"
                continue
            person = await session.get(Person, offer.person_id)
            queued += await enqueue(session, self.settings,
                                    key=f"offer:{offer.id}:expiry:{offer.valid_until.date().isoformat()}",
                                    person=person, purpose="offer_expiry", now=now, payload={"offer_id": offer.id})
        return queued

    async def expire_place_offers(self, session: AsyncSession, now: datetime) -> int:
        return await calls.expire_place_offers(session, self.settings, now)

    async def close_calls(self, session: AsyncSession, now: datetime) -> int:
        return await calls.close_past_deadline(session, now)

    async def retention(self, session: AsyncSession, now: datetime) -> int:
        """Keep only what is still needed: handled update ids a week, finished pushes 90 days,
        a dialogue left halfway 30 days, and people who stopped answering RETENTION_MONTHS."""
        await session.execute(delete(ProcessedEvent).where(ProcessedEvent.at < now - timedelta(days=7)))
        await session.execute(delete(OutboxMessage).where(
            OutboxMessage.state.in_(("sent", "skipped", "failed")), OutboxMessage.created_at < now - timedelta(days=90)))
        await session.execute(delete(Conversation).where(Conversation.updated_at < now - timedelta(days=30)))
        gone = list(await session.scalars(select(Person).where(
            Person.last_active_at < now - timedelta(days=30 * self.settings.retention_months))))
        for person in gone:
            await give_up_places(session, self.settings, person, now)
            await People(session).erase(person)
            await Audit(session).record("person_erased", now, reason="inactive", version=self.settings.privacy_version)
        return len(gone)

    @staticmethod
    async def _signed_up(session: AsyncSession, call: Call, states: tuple[str, ...]) -> list[Person]:
        return list(await session.scalars(
            select(Person).join(SignUp, SignUp.person_id == Person.id)
            .where(SignUp.call_id == call.id, SignUp.state.in_(states)).order_by(Person.id)))


class Schedule:
    """APScheduler waking the checks and the dispatcher; `stop` lets a running round finish."""

    def __init__(self, jobs: Jobs, dispatcher: Dispatcher, clock: Callable[[], datetime],
                 check_seconds: float = 30, dispatch_seconds: float = 1) -> None:
        self.jobs, self.dispatcher, self.clock = jobs, dispatcher, clock
        self._busy = {"checks": asyncio.Lock(), "dispatch": asyncio.Lock()}
        self._stopping = False
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        options = dict(max_instances=1, coalesce=True, misfire_grace_time=None, next_run_time=clock())
        self.scheduler.add_job(self._checks, "interval", seconds=check_seconds, id="checks", **options)
        self.scheduler.add_job(self._dispatch, "interval", seconds=dispatch_seconds, id="dispatch", **options)

    async def _checks(self) -> None:
        async with self._busy["checks"]:
            if self._stopping:
                return
            try:
                await self.jobs.run_due(self.clock())
            except Exception:
                log.exception("scheduled checks failed")

    async def _dispatch(self) -> None:
        async with self._busy["dispatch"]:
            if self._stopping:
                return
            try:
                await self.dispatcher.tick()
            except Exception:
                log.exception("outbox dispatch failed")

    def start(self) -> Schedule:
        self.scheduler.start()
        return self

    async def stop(self) -> None:
        """Finish a round in progress, then shut down (APScheduler's shutdown would cancel it)."""
        self._stopping = True
        self.scheduler.pause()
        await asyncio.sleep(0)  # let a round that was just woken see that we stop
        for lock in self._busy.values():
            async with lock:
                pass
        self.scheduler.shutdown(wait=False)


def start_scheduler(jobs: Jobs, dispatcher: Dispatcher, clock: Callable[[], datetime]) -> Schedule:
    """Wake the checks every 30 s and the dispatcher every second, in this event loop."""
    return Schedule(jobs, dispatcher, clock).start()
