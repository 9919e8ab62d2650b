"""A Capital of Culture year in the city: 300 calls (about 120 open for sign-up at once) with varied
targeting, thousands of sign-ups, published ideas, and last week's announcements (sent, or held by
the weekly cap for Monday's overview), seeded straight into the database for `benchmarks.city`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from handlers.calls import purposes
from handlers.common.domain import CallState, IdeaState, Level, SignUpState
from handlers.common.options import CONTRIBUTIONS, NEIGHBOURHOODS, ROLES, THEMES
from storage.db import dialect_name, session_factory
from storage.models import Call, Idea, OutboxMessage, SignUp

BATCH = 5000  # rows per insert statement


@dataclass(frozen=True)
class Programme:
    """How much goes on in the city besides its residents and offers."""

    calls: int = 0  # of which `open` take sign-ups now, the rest are past, drafts or cancelled
    open: int = 0
    sign_ups: int = 0
    ideas: int = 0
    held_every: int = 0  # one resident in this many had a call of last week held back for the overview
    digest_share: float = 1 / 3  # residents who asked for the Monday overview
    varied_levels: bool = False  # some residents only think along (Meedenken) and get no calls


SMALL = Programme()  # the quick city: residents and offers only
FULL = Programme(calls=300, open=120, sign_ups=8000, ideas=5000, held_every=5, digest_share=0.3, varied_levels=True)
PROGRAMMES = {"small": SMALL, "full": FULL}

_THEMES = [o.value for o in THEMES]
_HOODS = [o.value for o in NEIGHBOURHOODS]
_KINDS = [o.value for o in CONTRIBUTIONS]
_ROLES = [o.value for o in ROLES]
_NEEDS = (["time"], ["time", "expertise"], ["expertise"], ["money"], ["time", "money"])


def level(n: int, programme: Programme) -> str:
    if not programme.varied_levels:
        return Level.BOTH
    return (Level.BOTH, Level.BOTH, Level.OPERATIONAL, Level.BOTH, Level.STRATEGIC)[n % 5]


def wants_digest(n: int, programme: Programme) -> bool:
    return (n * 7919) % 1000 < programme.digest_share * 1000


def _targeting(n: int) -> dict[str, Any]:
    """Call n's audience: most calls name a theme or two, many a few neighbourhoods, some a kind of
    contribution, a language or a role; one in eight is for everyone."""
    if n % 8 == 0:
        return {}
    found: dict[str, Any] = {"themes": [_THEMES[n % 8]] + ([_THEMES[(n // 3) % 8]] if n % 3 == 0 else [])}
    if n % 2:
        found["target_neighbourhoods"] = [_HOODS[(n + k) % len(_HOODS)] for k in range(1 + n % 3)]
    if n % 5 == 0:
        found["target_contributions"] = [_KINDS[n % len(_KINDS)]]
    if n % 11 == 0:
        found["target_languages"] = ["nl"]
    if n % 13 == 0:
        found["target_roles"] = [_ROLES[n % len(_ROLES)], "resident"]
    return found


def _call(n: int, programme: Programme, now: datetime, creator: int) -> dict[str, Any]:
    """Call n: the first `open` take sign-ups (starting over the coming weeks, published over the
    past three), the next ones have passed, and a few are drafts or were cancelled."""
    if n <= programme.open:
        state, starts = CallState.PUBLISHED, now + timedelta(days=1 + n % 40, hours=n % 9)
        published = now - timedelta(days=n % 21, hours=3)
    elif n % 10 == 0:
        state, starts, published = CallState.DRAFT, now + timedelta(days=30 + n % 30), None
    elif n % 10 == 1:
        state, starts = CallState.CANCELLED, now + timedelta(days=n % 20)
        published = now - timedelta(days=10)
    else:
        state, starts = CallState.CLOSED, now - timedelta(days=1 + n % 90)
        published = starts - timedelta(days=14)
    targeting = _targeting(n)
    return dict(
        id=n,
        title={"nl": f"Oproep {n}", "en": f"Call {n}", "fr": f"Appel {n}"},
        description={"nl": "Samen iets maken in de stad."},
        needs=_NEEDS[n % len(_NEEDS)],
        themes=targeting.get("themes", []),
        neighbourhood=_HOODS[n % len(_HOODS)],
        address=f"Groeningestraat {n}",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=(None, 10, 25, 60, 200)[n % 5],
        deadline=starts,
        publish_at=None,
        state=state,
        target_neighbourhoods=targeting.get("target_neighbourhoods", []),
        target_contributions=targeting.get("target_contributions", []),
        target_roles=targeting.get("target_roles", []),
        target_languages=targeting.get("target_languages", []),
        reminder_minutes=[24 * 60, 120],
        created_by=creator,
        created_at=(published or now) - timedelta(days=2),
        published_at=published,
        announced_to=0,
        announced_at=published,
        updated_at=now,
    )


def _sign_ups(programme: Programme, people: int, now: datetime) -> list[dict[str, Any]]:
    """`sign_ups` answers spread over the open and past calls, a few calls drawing many."""
    states = (SignUpState.JOINED,) * 6 + (SignUpState.WAITLISTED, SignUpState.CANCELLED, SignUpState.ATTENDED)
    rows, seen = [], set()
    for k in range(programme.sign_ups):
        call_id = 1 + (k * k) % programme.calls if k % 3 else 1 + k % programme.open
        person_id = 1 + (k * 7907) % people
        if (call_id, person_id) in seen:
            continue
        seen.add((call_id, person_id))
        rows.append(
            dict(
                call_id=call_id,
                person_id=person_id,
                state=states[k % len(states)],
                created_at=now - timedelta(days=k % 20),
                updated_at=now,
            )
        )
    return rows


def _ideas(programme: Programme, people: int, now: datetime) -> list[dict[str, Any]]:
    published = (IdeaState.PUBLISHED,) * 4 + (IdeaState.SUBMITTED, IdeaState.ADOPTED, IdeaState.REJECTED)
    return [
        dict(
            author_id=1 + (k * 31) % people,
            problem=f"Probleem {k}",
            idea=f"Idee {k}",
            theme=_THEMES[k % len(_THEMES)],
            place=_HOODS[k % len(_HOODS)],
            will_help=k % 2 == 0,
            state=published[k % len(published)],
            created_at=now - timedelta(days=k % 200),
            updated_at=now,
        )
        for k in range(programme.ideas)
    ]


def _announcements(programme: Programme, people: int, now: datetime) -> list[dict[str, Any]]:
    """Last week's announcements of the open calls for everyone: sent to most, held back by the
    weekly cap from one resident in `held_every`, for Monday's overview to carry."""
    untargeted = [n for n in range(1, programme.open + 1) if n % 8 == 0]
    rows = []
    for person_id in range(1, people + 1):
        call_id = untargeted[person_id % len(untargeted)]
        held = person_id % programme.held_every == 0
        rows.append(
            dict(
                key=f"call:{call_id}:person:{person_id}:announce",
                person_id=person_id,
                purpose=purposes.CALL.name,
                payload={"call_id": call_id},
                state="held" if held else "sent",
                attempts=0 if held else 1,
                created_at=now - timedelta(days=2),
                not_before=now - timedelta(days=2),
            )
        )
    return rows


async def seed(session: AsyncSession, programme: Programme, people: int, now: datetime) -> None:
    """Insert the programme (residents 1..people exist already)."""
    if not programme.calls:
        return
    await session.execute(insert(Call), [_call(n, programme, now, creator=1) for n in range(1, programme.calls + 1)])
    if dialect_name(session) == "postgresql":  # the ids were given: calls added later come after them
        await session.execute(
            text("SELECT setval(pg_get_serial_sequence('call', 'id'), :last)"), {"last": programme.calls}
        )
    for table, rows in (
        (SignUp, _sign_ups(programme, people, now)),
        (Idea, _ideas(programme, people, now)),
        (OutboxMessage, _announcements(programme, people, now) if programme.held_every else []),
    ):
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(table), rows[start : start + BATCH])


async def add(engine: AsyncEngine, programme: Programme, people: int, now: datetime) -> None:
    """The programme in a database whose residents 1..people are there already (`benchmarks.broadcast`,
    `benchmarks.replies`; `benchmarks.city` seeds it with its residents)."""
    async with session_factory(engine)() as session, session.begin():
        await seed(session, programme, people, now)
