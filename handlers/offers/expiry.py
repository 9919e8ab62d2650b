"""Offers that run out: a week before, the person may renew or withdraw; after, the offer expires."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.context import Scope
from bot.i18n import N_
from bot.outbox import Purpose, enqueue
from bot.replies import Action, Button, Message, Reply
from handlers.common.pushing import PAUSE_HINT
from handlers.offers.offering import OFFER, describe_offer
from storage.models import Offer, OutboxMessage, Person
from storage.repositories import referenced

OFFER_EXPIRY = Purpose("offer_expiry", quiet=True, pausable=True)


async def render_expiry(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    offer = await ctx.session.get(Offer, row.payload.get("offer_id"))
    if offer is None or offer.state != "open" or offer.valid_until is None:
        return []
    t = ctx.t
    text = t(
        N_("Je aanbod loopt af op {date}:\n{offer}\n\nWil je het drie maanden verlengen?"),
        date=t.date(offer.valid_until.date()),
        offer=describe_offer(offer, t),
    )
    buttons = (
        Button(t(N_("Verlengen")), Action.of(OFFER, "renew", offer.id)),
        Button(t(N_("Intrekken")), Action.of(OFFER, "withdraw", offer.id)),
    )
    return [Message(text + "\n\n" + t(PAUSE_HINT), buttons)]


async def offer_expiry(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """A week before an offer ends, ask to renew or withdraw; after its end, it expires."""
    queued = 0
    soon = await session.scalars(
        select(Offer).where(
            Offer.state == "open", Offer.valid_until.is_not(None), Offer.valid_until <= now + timedelta(days=7)
        )
    )
    for offer in soon:
        until = offer.valid_until
        assert until is not None, "the query takes only offers that end"
        if until < now:
            offer.state = "expired"
            continue
        person = await referenced(session, Person, offer.person_id)
        queued += await enqueue(
            session,
            settings,
            key=f"offer:{offer.id}:expiry:{until.date().isoformat()}",
            person=person,
            purpose=OFFER_EXPIRY,
            now=now,
            payload={"offer_id": offer.id},
        )
    return queued
