"""Who a call or a question round reaches, as SQL conditions on Person: opted in, reachable, not
blocked, and in every targeting list that is not empty; and who follows a project, whom its calls
reach first whatever their lists say."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import cast, exists, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import array as postgresql_array
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.outbox import Purpose, enqueue_many
from storage.models import Follow, Identity, Person, Project, ProjectMute


class Targeted(Protocol):
    """What a call and a round have in common: for whom they are (an empty list means everyone)."""

    themes: list[str]
    target_contributions: list[str]
    target_neighbourhoods: list[str]
    target_roles: list[str]
    target_languages: list[str]


class Announced(Targeted, Protocol):
    """A call or a round announced batch by batch: the last person id queued, and when all were."""

    id: int
    announced_to: int
    announced_at: datetime | None


async def announce_batch(
    session: AsyncSession,
    settings: Settings,
    target: Announced,
    audience: list[Any],
    *,
    purpose: Purpose,
    key: Callable[[int], str],
    payload: dict[str, Any],
    now: datetime,
    batch: int,
) -> int:
    """Queue `purpose` for the next `batch` people of `audience` (conditions on Person), by id from
    where the last batch stopped; once none are left, the target is announced. Returns how many
    people this batch covered (held back for the weekly cap where it applies, as a call is)."""
    people = (
        await session.execute(
            select(Person.id, Person.quiet_start, Person.quiet_end)
            .where(*audience, Person.id > target.announced_to)
            .order_by(Person.id)
            .limit(batch)
        )
    ).all()
    await enqueue_many(session, settings, people=people, key=key, purpose=purpose, now=now, payload=payload, hold=True)
    if people:
        target.announced_to = people[-1].id
    if len(people) < batch:
        target.announced_at = now
    return len(people)


def reachable() -> list[Any]:
    """Onboarded, not blocked, with a chat that takes messages: conditions on Person."""
    return [
        Person.onboarded_at.is_not(None),
        Person.blocked_at.is_(None),
        exists().where(Identity.person_id == Person.id, Identity.reachable.is_(True)),
    ]


def followers(project_id: int) -> list[Any]:
    """Who follows the idea the project was made of and did not mute the project, reachable:
    conditions on Person."""
    return [
        *reachable(),
        exists().where(Project.id == project_id, Follow.idea_id == Project.idea_id, Follow.person_id == Person.id),
        ~exists().where(ProjectMute.project_id == project_id, ProjectMute.person_id == Person.id),
    ]


def conditions(target: Targeted, dialect: str) -> list[Any]:
    """The audience as SQL conditions on Person (themes and kinds of contribution: any one of them)."""
    return [*reachable(), *aimed(target, dialect)]


def aimed(target: Targeted, dialect: str) -> list[Any]:
    """Whether the targeting lists take a person in, as SQL conditions on Person: `aimed_at` in SQL."""
    found: list[Any] = []
    for column, wanted in (
        (Person.neighbourhood, target.target_neighbourhoods),
        (Person.role, target.target_roles),
        (Person.locale, target.target_languages),
    ):
        if wanted:
            found.append(column.in_(wanted))
    for listed, wanted in ((Person.interests, target.themes), (Person.contributions, target.target_contributions)):
        if wanted:
            found.append(holds_any(listed, wanted, dialect))
    return found


def holds_any(column: Any, values: list[str], dialect: str) -> Any:
    """Whether a JSON list column holds any of `values` (PostgreSQL: jsonb ?|, GIN-indexed)."""
    if dialect == "postgresql":
        return cast(column, JSONB).has_any(postgresql_array(values))
    each = func.json_each(column).table_valued("value")
    return exists(select(1).select_from(each).where(each.c.value.in_(values)))


def aimed_at(target: Targeted, person: Person) -> bool:
    """Whether the targeting lists take in this person, in Python (keep in step with `aimed`)."""
    checks = (
        (target.themes, set(person.interests or ())),
        (target.target_contributions, set(person.contributions or ())),
    )
    if any(wanted and not set(wanted) & have for wanted, have in checks):
        return False
    singles = (
        (target.target_neighbourhoods, person.neighbourhood),
        (target.target_roles, person.role),
        (target.target_languages, person.locale),
    )
    return all(not wanted or value in wanted for wanted, value in singles)
