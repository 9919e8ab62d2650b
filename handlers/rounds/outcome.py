"""Closing the loop: when a round closes, its owner writes what will be done with the answers
("Wat we ermee doen"); everyone who answered then gets it with the result, in their own language;
a round still without it a week after closing gets one reminder in the coordinators' room."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import repeating
from bot.config import Settings
from bot.context import Context, Scope
from bot.dialogue import Flow, TextStep
from bot.errors import EXPIRED, Expired
from bot.i18n import N_, Translator
from bot.outbox import enqueue, enqueue_many, enqueue_room
from bot.replies import Action, Button, Message, Reply
from handlers import projects
from handlers.common.domain import Role, RoundState, SharedRoom
from handlers.rounds import purposes, results, service
from storage.models import OutboxMessage, Person, Project, Round, RoundAnswer, RoundResponse

OUTCOME = "rout"  # route of "Wat we ermee doen": Action.of(OUTCOME, "write", round id)
WRITE = N_("Wat we ermee doen")
ROUND_ID = "_round_id"
OUTCOME_LENGTH = 1000
REMIND_AFTER = timedelta(days=7)
RESULT_BATCH = 1000  # respondents queued per statement
DONE = N_("Dit is al geschreven en verstuurd naar wie antwoordde.")


def outcome_button(t: Translator, round_: Round) -> Button:
    return Button(t(WRITE), Action.of(OUTCOME, "write", round_.id), style="primary")


# -- the owner is asked --------------------------------------------------------------------------


async def close(session: AsyncSession, settings: Settings, round_: Round, now: datetime) -> None:
    """Close the round (on time, or by a coordinator's hand) and ask its owner what will be done."""
    service.close(round_, now)
    await ask_owner(session, settings, round_, now)


async def ask_owner(session: AsyncSession, settings: Settings, round_: Round, now: datetime) -> None:
    """The round just closed: its owner (when still with us) is asked to write what will be done."""
    owner = await session.get(Person, round_.created_by) if round_.created_by else None
    if owner is not None:
        await enqueue(
            session,
            settings,
            key=f"round:{round_.id}:closed",
            person=owner,
            purpose=purposes.ROUND_CLOSED,
            now=now,
            payload={"round_id": round_.id},
        )


async def render_closed(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    round_ = await ctx.session.get(Round, row.payload.get("round_id"))
    if round_ is None or round_.outcome:
        return []
    t = ctx.t
    figures = await results.gather(ctx.session, round_)
    text = t(
        N_(
            "Je bevraging “{title}” is gesloten. Aantal mensen die antwoordden: {n}.\n\n"
            "Wie antwoordde, wil weten wat er met de antwoorden gebeurt. Schrijf je het?"
        ),
        title=round_.title,
        n=figures.respondents,
    )
    return [Message(text, (outcome_button(t, round_),))]


# -- the owner writes it -------------------------------------------------------------------------


async def may_write(ctx: Context, round_: Round) -> bool:
    """Its owner, a coordinator, or a partner of the organisation whose project asked."""
    if ctx.person is not None and ctx.person.id == round_.created_by:
        return True
    if await ctx.has_role(Role.COORDINATOR):
        return True
    project = await ctx.find(Project, round_.project_id)
    return project is not None and ctx.identity is not None and await projects.member_of(ctx, project.organisation_id)


async def on_outcome_button(ctx: Context, tapped: Action) -> None:
    """ "Wat we ermee doen": the short dialogue (a form on Slack), unless it was written already."""
    round_ = await ctx.find(Round, tapped.id)
    if (
        round_ is None
        or tapped.verb != "write"
        or round_.state != RoundState.CLOSED
        or not await may_write(ctx, round_)
    ):
        raise Expired()
    if round_.outcome:
        ctx.notice(ctx.t(DONE))
        return
    await ctx.dialogue.start(ctx, OUTCOME_FLOW, {ROUND_ID: round_.id})


def respondents(round_: Round) -> Any:
    """Everyone still with us who gave the round at least one answer (finished or not)."""
    return (
        select(Person.id, Person.quiet_start, Person.quiet_end)
        .join(RoundResponse, RoundResponse.person_id == Person.id)
        .where(
            RoundResponse.round_id == round_.id,
            exists().where(RoundAnswer.response_id == RoundResponse.id),
        )
    )


async def respondent_count(session: AsyncSession, round_: Round) -> int:
    return await session.scalar(select(func.count()).select_from(respondents(round_).subquery())) or 0


async def reach(ctx: Context, answers: dict[str, Any]) -> str:
    round_ = await ctx.find(Round, answers.get(ROUND_ID))
    people = await respondent_count(ctx.session, round_) if round_ is not None else 0
    return ctx.t(
        N_("Dit krijgt iedereen die antwoordde, samen met het resultaat. Aantal mensen: {n}."),
        n=results.count(people),
    )


@repeating
async def tell_outcomes(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """The next batch of respondents of a round whose outcome was written: the result and the
    outcome queued once each (a key per person), in a transaction of its own, so the owner's turn
    does not wait for a big round."""
    round_ = await session.scalar(
        select(Round).where(Round.outcome_at.is_not(None), Round.told_at.is_(None)).order_by(Round.outcome_at).limit(1)
    )
    if round_ is None:
        return 0
    people = (
        await session.execute(
            respondents(round_).where(Person.id > round_.told_to).order_by(Person.id).limit(RESULT_BATCH)
        )
    ).all()
    await enqueue_many(
        session,
        settings,
        people=people,
        key=lambda person_id: f"round:{round_.id}:result:{person_id}",
        purpose=purposes.ROUND_RESULT,
        now=now,
        payload={"round_id": round_.id},
    )
    if people:
        round_.told_to = people[-1].id
    if len(people) < RESULT_BATCH:
        round_.told_at = now
    return len(people) or 1  # a batch that found nobody still finished a round: look for the next


async def outcome_done(ctx: Context, answers: dict[str, Any]) -> None:
    t = ctx.t
    round_ = await ctx.find(Round, answers.get(ROUND_ID))
    if round_ is None or round_.state != RoundState.CLOSED or not await may_write(ctx, round_):
        ctx.notice(t(EXPIRED))  # a forged form, or the round is gone
        return
    if round_.outcome:
        ctx.say(t(DONE))
        return
    round_.outcome, round_.outcome_at = answers["outcome"], ctx.now  # `tell_outcomes` tells them
    queued = await respondent_count(ctx.session, round_)
    await ctx.audit.record("round_outcome", ctx.now, round=round_.id, people=queued)
    ctx.say(
        t(
            N_("Verstuurd. Wie antwoordde, krijgt je uitleg en het resultaat. Aantal mensen: {n}."),
            n=results.count(queued),
        )
    )


OUTCOME_FLOW = Flow(
    name="round_outcome",
    steps=[
        TextStep(
            name="outcome",
            label=WRITE,
            min_length=10,
            max_length=OUTCOME_LENGTH,
            prompt=N_(
                "Wat gebeurt er met de antwoorden? Schrijf het kort en concreet: wat verandert er, en wanneer. "
                "Iedereen die antwoordde, leest dit."
            ),
        )
    ],
    on_done=outcome_done,
    describe=reach,
    form=True,
    summary_title=N_("Voor wie antwoordde"),
    cancelled=N_("Oké, er is niets verstuurd. Je kunt het later schrijven met de knop “Wat we ermee doen”."),
)


# -- every respondent hears it -------------------------------------------------------------------


def result_text(t: Translator, round_: Round, figures: results.Figures) -> str:
    """The result as a respondent reads it: the counts per question under the small-group rule."""
    if not figures.questions:
        return t(
            N_(
                "Aantal mensen die antwoordden: {n}. Bij zo weinig mensen tonen we geen cijfers, "
                "zodat niemand te herkennen is."
            ),
            n=figures.respondents,
        )
    parts = [t(N_("Het resultaat. Aantal mensen die antwoordden: {n}."), n=figures.respondents)]
    for shown in figures.questions:
        question = round_.questions[shown.index]
        parts.append(f"{question['text']}\n{results.counted(t, question, shown)}")
    if figures.hides:
        parts.append(t(results.SMALL_PRINT))
    return "\n\n".join(parts)


async def render_result(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """What will be done, then the result, in the respondent's language (the questions stay in
    the owner's words)."""
    round_ = await ctx.session.get(Round, row.payload.get("round_id"))
    if round_ is None or not round_.outcome:
        return []
    t = ctx.t
    figures = await results.gather(ctx.session, round_)
    said = t(N_("📊 Je dacht mee over “{title}”. Bedankt! Dit doen we met de antwoorden:"), title=round_.title)
    return [Message(f"{said}\n\n{round_.outcome}"), Message(result_text(t, round_, figures))]


# -- one reminder after a week -------------------------------------------------------------------


async def remind_outcomes(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Rounds closed a week ago whose respondents still wait: one reminder each to the coordinators."""
    due = list(
        await session.scalars(
            select(Round).where(
                Round.state == RoundState.CLOSED,
                Round.outcome.is_(None),
                Round.outcome_reminded_at.is_(None),
                Round.closed_at <= now - REMIND_AFTER,
            )
        )
    )
    for round_ in due:
        await enqueue_room(
            session,
            key=f"round:{round_.id}:outcome-due",
            room=SharedRoom.COORDINATORS,
            purpose=purposes.ROUND_OUTCOME_DUE,
            now=now,
            payload={"round_id": round_.id},
        )
        round_.outcome_reminded_at = now
    return len(due)


async def render_due(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    round_ = await ctx.session.get(Round, row.payload.get("round_id"))
    if round_ is None or round_.outcome:
        return []
    t = ctx.t
    text = t(
        N_(
            "De bevraging “{title}” sloot een week geleden. Wie antwoordde, hoorde nog niet wat we met "
            "de antwoorden doen. Wie schrijft het?"
        ),
        title=round_.title,
    )
    return [Message(text, (outcome_button(t, round_),))]
