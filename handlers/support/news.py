"""What an idea's author hears of its supporters: one bundle a day at most, in the evening and
never in their quiet hours, round numbers told once, and a button to hear no more."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.context import Context, Scope
from bot.errors import Expired
from bot.i18n import N_
from bot.outbox import Purpose, after_quiet_hours, enqueue
from bot.replies import Action, Button, Message, Reply, short
from handlers.common.domain import PUBLIC_IDEAS, SMALL
from storage.models import Idea, OutboxMessage, Person

SUPPORT_NEWS = Purpose("support_news", quiet=True)
NEWS = "snews"  # route: Action.of(NEWS, "off", idea id), "Geen berichten meer hierover"
BUNDLE_AT = time(18, 0)  # local time: the day's supports are told together from then on
MILESTONES = (5, 10, 25, 50, 100)
STOP = N_("Geen berichten meer hierover")


def milestone(before: int, now: int) -> int | None:
    """The highest round number passed since the author last heard (each is passed once: `before`
    only grows)."""
    passed = [m for m in MILESTONES if before < m <= now]
    return passed[-1] if passed else None


async def tell_authors(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Each evening, before the author's quiet hours, one message per idea with new supporters
    (a key per idea and local day: supports after it wait for the next evening). It is queued as it
    goes out, so it carries every support until then (quiet hours in /profiel start at 20.00 at
    the earliest, so every author has an evening)."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    if local.time() < BUNDLE_AT:
        return 0
    found = (
        await session.execute(
            select(Idea, Person)
            .join(Person, Person.id == Idea.author_id)
            .where(Idea.supporters > Idea.supporters_told, Idea.state.in_(PUBLIC_IDEAS), Person.support_news)
        )
    ).all()
    told = 0
    for idea, author in found:
        if after_quiet_hours(now, author, settings.timezone) != now:
            continue  # tomorrow evening
        queued = await enqueue(
            session,
            settings,
            key=f"support:{idea.id}:{local.date().isoformat()}",
            person=author,
            purpose=SUPPORT_NEWS,
            now=now,
            payload={"idea_id": idea.id, "before": idea.supporters_told, "supporters": idea.supporters},
        )
        if queued:  # never lowered: a round number passed once is not told again after a withdrawal
            idea.supporters_told = idea.supporters
            told += 1
    return told


async def render_support_news(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """The day's supports, as counted when they were bundled: a round number first, below five no
    number at all (as everywhere with small groups)."""
    idea = await ctx.session.get(Idea, row.payload.get("idea_id"))
    if idea is None or idea.state not in PUBLIC_IDEAS or not ctx.known_person.support_news:
        return []
    t = ctx.t
    n, title = int(row.payload["supporters"]), short(idea.idea)
    reached = milestone(int(row.payload["before"]), n)
    if reached is not None and reached == n:
        text = t(N_("🎉 Je idee “{idea}” heeft nu {n} steunen!"), idea=title, n=n)
    elif reached is not None:
        text = t(
            N_("🎉 Je idee “{idea}” haalde {milestone} steunen. Het zijn er nu {n}."),
            idea=title,
            milestone=reached,
            n=n,
        )
    else:
        text = t(N_("Je idee “{idea}” kreeg nieuwe steun."), idea=title)
        if n >= SMALL:
            text += " " + t(N_("Het heeft nu {n} steunen."), n=n)
    text += "\n\n" + t(N_("Partners zien hoeveel mensen een idee steunen. Zo weten ze wat leeft."))
    return [Message(text, (Button(t(STOP), Action.of(NEWS, "off", idea.id)),))]


async def on_news_button(ctx: Context, tapped: Action) -> None:
    """ "Geen berichten meer hierover": the author hears no more of supports (they can turn it back
    on in /profiel)."""
    if tapped.verb != "off":
        raise Expired()
    ctx.known_person.support_news = False
    ctx.say(
        ctx.t(
            N_("Oké, je krijgt geen berichten meer over wie je ideeën steunt. Je kunt ze weer aanzetten met /profiel.")
        )
    )
