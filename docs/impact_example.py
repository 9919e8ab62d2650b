"""Draws docs/impact-example.png: the dashboard of an invented, busy month (a fixed random seed, an
in-memory database), as `gangmaker report` and `/rapport` draw it. Run: python docs/impact_example.py"""

from __future__ import annotations

import asyncio
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.i18n import translator  # noqa: E402
from handlers.impact import figures as impact  # noqa: E402
from handlers.impact.report import dashboard_png  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Call, Feedback, Idea, Offer, Organisation, Person, Project, SignUp  # noqa: E402

ZONE = ZoneInfo("Europe/Brussels")
NEIGHBOURHOODS = {
    "kortrijk": 46,
    "heule": 24,
    "marke": 17,
    "bissegem": 12,
    "bellegem": 9,
    "aalbeke": 6,
    "rollegem": 3,
    "kooigem": 2,
    "elders": 11,
}
ROLES = ["resident"] * 70 + ["creative"] * 15 + ["school"] * 6 + ["association"] * 6 + ["entrepreneur"] * 3
CALLS = [
    ("Bankjes bouwen aan de Leie", 6, 3, 20),
    ("Erfgoedwandeling Heule", 9, 2, 30),
    ("Repair café", 13, 4, 15),
    ("Schoolplein vergroenen", 17, 3, 25),
    ("Buurtfeest Marke", 20, 5, 60),
    ("Textielatelier", 27, 3, 12),
]


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2030, 4, day, hour, tzinfo=ZONE)


async def main(out: Path) -> None:
    rng = random.Random(2030)
    engine = create_engine("sqlite+aiosqlite://")
    await upgrade(engine)
    async with session_factory(engine)() as session, session.begin():
        people = [
            Person(
                locale="nl",
                neighbourhood=place,
                role=rng.choice(ROLES),
                consent_at=at(1),
                consent_version="x",
                last_active_at=at(28),
            )
            for place, count in NEIGHBOURHOODS.items()
            for _ in range(count)
        ]
        session.add_all(people)
        await session.flush()
        states = (
            ["published"] * 18
            + ["submitted"] * 6
            + ["rejected"] * 3
            + ["adopted"] * 7
            + ["prototyping"] * 5
            + ["realised"] * 2
        )
        themes = ["art", "design", "green", "neighbourhood", "youth", "heritage", "sport", "food"]
        weights = [9, 6, 8, 7, 5, 4, 2, 1]
        ideas = [
            Idea(
                author_id=rng.choice(people).id,
                problem="…",
                idea="…",
                theme=rng.choices(themes, weights)[0],
                place="kortrijk",
                state=state,
                created_at=at(rng.randint(1, 29)),
            )
            for state in states
        ]
        session.add_all(ideas)
        for kind, count in (("time", 31), ("expertise", 12), ("money", 3), ("material", 6), ("space", 5)):
            for _ in range(count):
                session.add(
                    Offer(
                        person_id=rng.choice(people).id,
                        kind="time" if kind == "time" else "expertise" if kind == "expertise" else "gift",
                        details={"hours": rng.choice([2, 4, 4, 6, 8])} if kind == "time" else {"kind": kind},
                        created_at=at(rng.randint(1, 29)),
                    )
                )
        organisation = Organisation(name="Budascoop")
        session.add(organisation)
        await session.flush()
        for n, phase in enumerate(["explore"] * 6 + ["prototype"] * 5 + ["test"] * 3 + ["realised"] * 2 + ["stopped"]):
            session.add(Project(organisation_id=organisation.id, phase=phase, created_at=at(1) - timedelta(days=n)))
        for title, day, hours, capacity in CALLS:
            start = at(day, 14)
            call = Call(
                title={"nl": title},
                description={"nl": "…"},
                address="…",
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                capacity=capacity,
                deadline=start,
                state="closed",
                published_at=start - timedelta(days=10),
            )
            session.add(call)
            await session.flush()
            joined = rng.sample(people, min(capacity, rng.randint(capacity // 2, capacity + 4)))
            for person in joined:
                came = rng.random() < 0.8
                session.add(SignUp(call_id=call.id, person_id=person.id, state="attended" if came else "no_show"))
                if came and rng.random() < 0.6:
                    session.add(
                        Feedback(
                            call_id=call.id, person_id=person.id, rating=rng.choices([5, 4, 3, 2], [12, 7, 2, 1])[0]
                        )
                    )
    start, end = impact.period(date(2030, 4, 1), date(2030, 4, 30), "Europe/Brussels")
    async with session_factory(engine)() as session:
        figures = await impact.gather(session, start, end)
    out.write_bytes(dashboard_png(figures, translator("nl"), at(30, 9)))
    await engine.dispose()
    print(out)


if __name__ == "__main__":
    asyncio.run(main(Path(__file__).resolve().parent / "impact-example.png"))
