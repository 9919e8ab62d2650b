"""How far a message to many people got, for its owner (a call, a round): sent, going out now,
after quiet hours, held back by the weekly cap, not sent to who paused, or failed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_, Translator
from bot.outbox import HELD
from storage.models import OutboxMessage, Person

REACH = ("sent", "now", "quiet", "held", "paused", "failed")
CARRIED = "carried"  # a held announcement that went out in an overview instead
LINES = {
    "sent": N_("Verstuurd: {n}."),
    "now": N_("Meteen: {n}."),
    "quiet": N_("Na hun stille uren: {n}."),
    "held": N_("In het overzicht van maandag, omdat ze deze week al genoeg berichten kregen: {n}."),
    "paused": N_("Niet, omdat ze hun berichten pauzeren: {n}."),
    "failed": N_("Niet bereikbaar: {n}."),
}


async def reach(session: AsyncSession, purpose: str, keys: str, now: datetime) -> dict[str, int]:
    """Where the announcements of one purpose whose keys start with `keys` are, by kind."""
    rows = await session.execute(
        select(OutboxMessage.state, OutboxMessage.not_before, Person.paused)
        .join(Person, Person.id == OutboxMessage.person_id)
        .where(OutboxMessage.purpose == purpose, OutboxMessage.key.like(f"{keys}%"))
    )
    counts = dict.fromkeys(REACH, 0)
    for state, not_before, paused in rows:
        where = _where(state, not_before > now, paused)
        if where is not None:
            counts[where] += 1
    return counts


def _where(state: str, later: bool, paused: bool) -> str | None:
    """One announcement's place in `reach`; None when it no longer counts (what it announced was cancelled)."""
    if state in ("sent", "failed"):
        return state
    if paused:
        return "paused"
    if state == "skipped":
        return None
    if state in (HELD, CARRIED):
        return "held"
    return "quiet" if later else "now"


def lines(t: Translator, counts: dict[str, int]) -> list[str]:
    """One line per kind there is (nothing when all go out now)."""
    if not any(n for kind, n in counts.items() if kind != "now"):
        return []
    return [f"• {t(text, n=counts[kind])}" for kind, text in LINES.items() if counts.get(kind)]
