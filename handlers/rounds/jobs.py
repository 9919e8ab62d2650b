"""The rounds' scheduled checks: sending at the set time, announcing in batches, closing (the live
card's redrawing and the outcome's reminder are in `live` and `outcome`). Each takes
a session, the settings and the moment, is idempotent, and returns how much it did."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import repeating
from bot.config import Settings
from handlers.common.domain import RoundState
from handlers.rounds import outcome, service
from storage.models import Round


async def publish_scheduled_rounds(session: AsyncSession, settings: Settings, now: datetime) -> int:
    due = list(await session.scalars(select(Round).where(Round.state == RoundState.SCHEDULED, Round.publish_at <= now)))
    for round_ in due:
        await service.publish(session, settings, round_, now)
    return len(due)


@repeating
async def announce_rounds(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """The next batch of a big round's announcements, in a transaction of its own."""
    round_ = await session.scalar(
        select(Round)
        .where(Round.state == RoundState.OPEN, Round.announced_at.is_(None))
        .order_by(Round.published_at, Round.id)
        .limit(1)
    )
    if round_ is None:
        return 0
    return await service.announce(session, settings, round_, now) or 1


async def close_rounds(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Rounds past their closing time take no more answers; their owners are asked what will be done."""
    due = list(await session.scalars(select(Round).where(Round.state == RoundState.OPEN, Round.closes_at <= now)))
    for round_ in due:
        await outcome.close(session, settings, round_, now)
    return len(due)
