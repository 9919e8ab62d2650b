"""The rules of supporting and following an idea (and so the project it became): once per person, only what is public."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from handlers.common.domain import PUBLIC_IDEAS, IdeaState, ProjectPhase
from storage import backing
from storage.models import Follow, Idea, Person, Project, Support

# The ideas of running projects (the idea's state follows its project's phase); realised and stopped ones are not browsed.
RUNNING = (IdeaState.ADOPTED, IdeaState.PROTOTYPING, IdeaState.TESTED)
KINDS: dict[str, tuple[type[Support] | type[Follow], InstrumentedAttribute[int]]] = {
    "support": (Support, Idea.supporters),
    "follow": (Follow, Idea.followers),
}


async def project_of(session: AsyncSession, idea: Idea) -> Project | None:
    return await session.scalar(select(Project).where(Project.idea_id == idea.id))


async def open_to_backing(session: AsyncSession, idea: Idea | None) -> bool:
    """Whether people may support or follow this idea now: public, its author not blocked, its project not stopped."""
    if idea is None or idea.state not in PUBLIC_IDEAS:
        return False
    author = await session.get(Person, idea.author_id) if idea.author_id is not None else None
    if author is not None and author.blocked_at is not None:
        return False
    project = await project_of(session, idea)
    return project is None or project.phase != ProjectPhase.STOPPED


async def holds(session: AsyncSession, kind: str, idea: Idea, person: Person) -> bool:
    """Whether the person supports (kind "support") or follows ("follow") the idea."""
    model, _ = KINDS[kind]
    return bool(await session.scalar(select(exists().where(model.idea_id == idea.id, model.person_id == person.id))))


async def add(session: AsyncSession, kind: str, idea: Idea, person: Person, now: datetime) -> bool:
    """Support or follow the idea; False when the person already did (the count moves only on a new row).
    The caller checks `open_to_backing` first."""
    model, counter = KINDS[kind]
    added = await backing.back(session, model, idea.id, person.id, now)
    await session.refresh(idea, [counter.key])
    return added


async def remove(session: AsyncSession, kind: str, idea: Idea, person: Person) -> bool:
    """Take back a support or stop following; False when there was nothing to take back."""
    model, counter = KINDS[kind]
    removed = await backing.withdraw(session, model, idea.id, person.id)
    await session.refresh(idea, [counter.key])
    return removed


async def browse(session: AsyncSession, person: Person, projects: bool, offset: int, limit: int) -> list[Idea]:
    """Published ideas not taken up (or the ideas of running projects), those in the person's
    neighbourhood or themes first, then the most supported, the newest first; never an idea of a blocked author."""
    near = or_(
        Idea.place == (person.neighbourhood or ""),
        Idea.theme.in_(list(person.interests or ())),
    )
    blocked = exists().where(Person.id == Idea.author_id, Person.blocked_at.is_not(None))
    states = RUNNING if projects else (IdeaState.PUBLISHED,)
    found = await session.scalars(
        select(Idea)
        .where(Idea.state.in_(states), ~blocked)
        .order_by(case((near, 0), else_=1), Idea.supporters.desc(), Idea.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(found)
