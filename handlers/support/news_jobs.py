"""A project's news for those who back its idea: when a partner takes the idea up, its supporters
and followers hear who did; each later step reaches its followers. Queued in the background, in
batches by person id, once each (the key the author's and participants' news use), so the
partner's turn stays short however many follow."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, exists, literal, select, union
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import repeating
from bot.config import Settings
from bot.context import Scope
from bot.i18n import N_
from bot.outbox import Purpose, enqueue_many
from bot.replies import Action, Button, Message, Reply, short
from handlers import projects
from handlers.common.audience import reachable
from handlers.common.domain import PHASES
from handlers.common.options import PHASE_LABELS
from storage.db import dialect_name
from storage.models import (
    Follow,
    Idea,
    Organisation,
    OutboxMessage,
    Person,
    ProcessedEvent,
    Project,
    ProjectMute,
    ProjectUpdate,
    Support,
)

FOLLOWER_NEWS = Purpose("follower_news", quiet=True)
BATCH = 2000  # people queued per run of the check
RECENT = timedelta(days=2)  # a step older than this is not told any more (the done marks last a week)
DONE = "support"  # the channel of the marks in processed_event: "news:<update id>", all told


def news_key(project_id: int, phase: str, person_id: int | str) -> str:
    """The key of a step's news for one person: the one the idea's author and the people at its
    calls get it under in the partner's turn, so nobody hears the same step twice."""
    return f"project:{project_id}:{phase}:{person_id}"


def audience(update: ProjectUpdate, project: Project) -> Any:
    """Who backs the idea and is still to hear this step: its followers (at adoption, its
    supporters too) since before the step, reachable, not muted, not queued yet; by person id."""
    fans = select(Follow.person_id.label("person_id")).where(Follow.idea_id == project.idea_id, Follow.at <= update.at)
    backing = (
        union(fans, select(Support.person_id).where(Support.idea_id == project.idea_id, Support.at <= update.at))
        if update.phase == PHASES[0]
        else fans
    ).subquery()
    key = literal(news_key(project.id, update.phase, "")) + cast(Person.id, String)
    return (
        select(Person.id, Person.quiet_start, Person.quiet_end)
        .join(backing, backing.c.person_id == Person.id)
        .where(
            *reachable(),
            ~exists().where(ProjectMute.project_id == project.id, ProjectMute.person_id == Person.id),
            ~exists().where(OutboxMessage.key == key),
        )
        .order_by(Person.id)
        .limit(BATCH)
    )


@repeating
async def tell_backers(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """The next batch of people to hear a recent step of a project whose idea they back; a step
    whose audience is all queued is marked done (in processed_event, kept a week)."""
    done = select(ProcessedEvent.key).where(ProcessedEvent.channel == DONE)
    steps = (
        await session.execute(
            select(ProjectUpdate, Project)
            .join(Project, Project.id == ProjectUpdate.project_id)
            .where(
                ProjectUpdate.at >= now - RECENT,
                Project.idea_id.is_not(None),
                (literal("news:") + cast(ProjectUpdate.id, String)).not_in(done),
            )
            .order_by(ProjectUpdate.id)
        )
    ).all()
    for update, project in steps:
        people = (await session.execute(audience(update, project))).all()
        if people:
            return await enqueue_many(
                session,
                settings,
                people=people,
                key=lambda person_id: news_key(project.id, update.phase, person_id),
                purpose=FOLLOWER_NEWS,
                now=now,
                payload={"project_id": project.id, "phase": update.phase},
            ) or len(people)
        insert = postgres_insert if dialect_name(session) == "postgresql" else sqlite_insert
        await session.execute(
            insert(ProcessedEvent).values(channel=DONE, key=f"news:{update.id}", at=now).on_conflict_do_nothing()
        )
    return 0


async def render_backer_news(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """The step in the reader's language, while they still follow (or, at adoption, support) the
    idea and did not mute the project."""
    project = await ctx.session.get(Project, row.payload.get("project_id"))
    idea = await ctx.session.get(Idea, project.idea_id) if project and project.idea_id else None
    if project is None or idea is None:
        return []
    person, phase = ctx.known_person, row.payload["phase"]
    follows = await ctx.session.scalar(
        select(Follow.id).where(Follow.idea_id == idea.id, Follow.person_id == person.id)
    )
    supports = await ctx.session.scalar(
        select(Support.id).where(Support.idea_id == idea.id, Support.person_id == person.id)
    )
    muted = await ctx.session.scalar(
        select(ProjectMute.id).where(ProjectMute.project_id == project.id, ProjectMute.person_id == person.id)
    )
    if muted is not None or (follows is None and (phase != PHASES[0] or supports is None)):
        return []
    organisation = await ctx.session.get(Organisation, project.organisation_id)
    name = organisation.name if organisation else ""
    t, title = ctx.t, short(idea.idea)
    if phase == PHASES[0]:
        text = (
            t(N_("{organisation} pakt het idee op dat je steunt: “{idea}”."), organisation=name, idea=title)
            if supports is not None
            else t(N_("{organisation} pakt het idee op dat je volgt: “{idea}”."), organisation=name, idea=title)
        )
    else:
        text = t(
            N_("Nieuws over “{idea}”, dat je volgt: {organisation} is nu in de fase “{phase}”."),
            idea=title,
            organisation=name,
            phase=t(PHASE_LABELS[phase]),
        )
        update = await ctx.session.scalar(
            select(ProjectUpdate)
            .where(ProjectUpdate.project_id == project.id, ProjectUpdate.phase == phase)
            .order_by(ProjectUpdate.id.desc())
            .limit(1)
        )
        if update is not None:
            text += "\n\n" + update.text
    buttons = [Button(t(N_("Geen nieuws meer hierover")), Action.of(projects.QUIET, "mute", project.id))]
    if follows is not None and project.adopted_by is not None:
        buttons.insert(0, projects.help_button(ctx, project))
    return [Message(text, tuple(buttons))]
