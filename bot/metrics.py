"""Prometheus metrics of one assembly, in a registry of its own (so several assemblies in one process never clash)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import OutboxMessage

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """What `/metrics` shows; every part of the assembly counts into the same one."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "gangmaker_updates_handled", "Inbound events handled, per channel", ["channel"], registry=registry
        )
        self.replies = Counter(
            "gangmaker_replies_sent", "Replies and pushes sent, per channel", ["channel"], registry=registry
        )
        self.turn_seconds = Histogram(
            "gangmaker_turn_seconds",
            "Time to handle one inbound event",
            ["channel"],
            registry=registry,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.outbox = Gauge(
            "gangmaker_outbox_messages",
            "Outbox rows by state and purpose (counted on scrape)",
            ["state", "purpose"],
            registry=registry,
        )
        self.send_failures = Counter(
            "gangmaker_sends_failed", "Pushes not delivered now, by reason", ["reason"], registry=registry
        )
        self.flood_wait = Histogram(
            "gangmaker_flood_limit_wait_seconds",
            "Time a request waited for the platform's flood limits: replies, and pushes "
            "(paced, and waiting for replies)",
            ["channel", "kind"],
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.rate_limited = Counter(
            "gangmaker_rate_limited", "429 answers seen from a platform", ["channel"], registry=registry
        )
        self.job_runs = Counter("gangmaker_job_runs", "Scheduled rounds run, by job", ["job"], registry=registry)
        self.job_failures = Counter(
            "gangmaker_job_failures", "Scheduled rounds that failed, by job", ["job"], registry=registry
        )
        self.leader = Gauge(
            "gangmaker_leader", "1 while this instance leads the scheduled checks", ["instance"], registry=registry
        )

    async def scrape(self, sessions: async_sessionmaker[AsyncSession] | None) -> bytes:
        """The text exposition, with the outbox backlog counted now."""
        if sessions is not None:
            async with sessions() as session:
                counts = (
                    await session.execute(
                        select(OutboxMessage.state, OutboxMessage.purpose, func.count(OutboxMessage.id)).group_by(
                            OutboxMessage.state, OutboxMessage.purpose
                        )
                    )
                ).all()
            self.outbox.clear()
            for state, purpose, count in counts:
                self.outbox.labels(state=state, purpose=purpose).set(count)
        return generate_latest(self.registry)
