"""A month of Gangmaker in Kortrijk, written straight into the database, with the figures it
should give: the seed the impact report, the chat and the public page are checked against.

March 2030 (Europe/Brussels): 16 people took part, 12 ideas, 9 offers, two calls that took
place (and one cancelled), 9 times present giving 24 hours, 6 scores after the first call.
Budascoop adopted two of the ideas and realised one; Huis van de Mens carries an older project.
Around it: an idea of February, an offer and a call of April, which March must not count.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from storage.db import session_factory
from storage.models import (
    Call,
    Feedback,
    Idea,
    Identity,
    Offer,
    Organisation,
    Person,
    Project,
    ProjectUpdate,
    SignUp,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
STORY = "Kleurrijke bankjes langs de Leie."
PRIVATE_REMARK = "Jan Peeters van de Groeningestraat vond het te luid"  # free text that must never be shown
PRIVATE_IDEA = "Geheim idee van Mevrouw Vandamme"  # a submitted idea: not published, never shown


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS).astimezone(ZoneInfo("UTC"))


# Who they are: 8 residents in Heule, in Marke 3 makers and 3 residents, 2 residents in Bissegem.
PEOPLE = (
    [("heule", "resident")] * 8
    + [("marke", "creative")] * 3
    + [("marke", "resident")] * 3
    + [("bissegem", "resident")] * 2
)
EXPECTED = {
    "summary": {
        "participants": 16,
        "ideas": 12,
        "offers": 9,
        "hours_offered": 24,
        "calls": 2,
        "sign_ups": 12,
        "attended": 9,
        "hours_given": 24,
        "projects": 3,
        "realised": 1,
        "responses": 6,
        "score": 4.3,
        "rounds": 0,  # the rounds are counted in tests/test_rounds_public.py
        "round_respondents": 0,
        "rounds_closed_loop": 0,
        "supports": 0,  # supports and follows are counted in tests/test_traction.py
        "follows": 0,
    },
    "ideas_by_state": {"published": 6, "submitted": "< 5", "rejected": "< 5", "adopted": "< 5", "realised": "< 5"},
    "ideas_by_theme": {"green": 5, "heritage": 7},
    "projects_by_phase": {"explore": 1, "prototype": 1, "realised": 1},
    # A second group is hidden where the total minus the groups shown would tell a small one.
    "offers_by_kind": {"time": ["verborgen"] * 2, "expertise": ["< 5", "< 5"], "money": ["< 5", "< 5"]},
    "participants_by_neighbourhood": {"heule": 8, "marke": "verborgen", "bissegem": "< 5"},
    "participants_by_role": {"resident": "verborgen", "creative": "< 5"},
    "feedback_scores": {"3": "< 5", "4": "< 5", "5": "< 5"},
}


async def seed(engine, now: datetime) -> dict[str, int]:
    """Write the month; returns the ids tests need (people, organisations, calls)."""
    async with session_factory(engine)() as session, session.begin():
        people = []
        for n, (neighbourhood, role) in enumerate(PEOPLE):
            person = Person(
                display_name=f"Lotte Vermeersch {n}",
                locale="nl",
                neighbourhood=neighbourhood,
                role=role,
                interests=["heritage"],
                contributions=["time"],
                level="both",
                consent_at=local(2030, 2, 1),
                consent_version="2026-11",
                onboarded_at=local(2030, 2, 1),
                created_at=local(2030, 2, 1),
                last_active_at=now,
            )
            session.add_all([person, Identity(person=person, channel="telegram", external_id=str(50_000 + n))])
            people.append(person)
        bystander = Person(
            display_name="Toeschouwer",
            locale="nl",
            neighbourhood="kooigem",
            role="school",
            consent_at=now,
            consent_version="2026-11",
            onboarded_at=now,
            last_active_at=now,
        )
        session.add_all([bystander, Identity(person=bystander, channel="telegram", external_id="59999")])
        await session.flush()

        # 12 ideas in March by people 0-11 (two of them by person 0): states and themes as EXPECTED.
        states = ["published"] * 6 + ["submitted"] * 2 + ["rejected", "adopted", "adopted", "realised"]
        themes = ["heritage"] * 7 + ["green"] * 5
        authors = [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        ideas = []
        for n, (state, theme, author) in enumerate(zip(states, themes, authors, strict=True)):
            text = STORY if state == "realised" else PRIVATE_IDEA if state == "submitted" else f"Idee nummer {n}."
            idea = Idea(
                author_id=people[author].id,
                problem="Het Leieboord is grijs.",
                idea=text,
                theme=theme,
                place="heule",
                state=state,
                created_at=local(2030, 3, 2 + n, 12),
            )
            ideas.append(idea)
        old = Idea(
            author_id=bystander.id,
            problem="Oud.",
            idea="Een idee van februari.",
            theme="sport",
            place="marke",
            state="published",
            created_at=local(2030, 2, 20),
        )
        session.add_all([*ideas, old])

        # Offers in March: time by people 0-5 (4 hours a month each), expertise by 6 and 7, money by 8.
        offers = [
            Offer(
                person_id=people[n].id,
                kind="time",
                details={"hours": 4, "moments": ["weekends"], "start": "2030-03-01"},
                created_at=local(2030, 3, 3 + n),
            )
            for n in range(6)
        ]
        offers += [
            Offer(
                person_id=people[n].id, kind="expertise", details={"skills": "Timmeren"}, created_at=local(2030, 3, 10)
            )
            for n in (6, 7)
        ]
        offers.append(
            Offer(
                person_id=people[8].id,
                kind="gift",
                details={"kind": "money", "what": "Steun"},
                created_at=local(2030, 3, 11),
            )
        )
        offers.append(Offer(person_id=bystander.id, kind="time", details={"hours": 10}, created_at=local(2030, 4, 2)))
        session.add_all(offers)

        budascoop = Organisation(name="Budascoop", created_at=local(2030, 1, 1))
        huis = Organisation(name="Huis van de Mens", created_at=local(2030, 1, 1))
        session.add_all([budascoop, huis])
        await session.flush()
        realised = Project(
            idea_id=ideas[11].id,
            organisation_id=budascoop.id,
            phase="realised",
            created_at=local(2030, 3, 5),
            updated_at=local(2030, 3, 20),
        )
        explored = Project(
            idea_id=ideas[9].id,
            organisation_id=budascoop.id,
            phase="explore",
            created_at=local(2030, 3, 12),
            updated_at=local(2030, 3, 12),
        )
        older = Project(
            idea_id=old.id,
            organisation_id=huis.id,
            phase="test",
            created_at=local(2030, 2, 22),
            updated_at=local(2030, 4, 3),
        )
        session.add_all([realised, explored, older])
        await session.flush()
        session.add_all(
            [
                ProjectUpdate(
                    project_id=realised.id,
                    phase="explore",
                    text="Budascoop pakt het idee op.",
                    by="Pia",
                    at=local(2030, 3, 5),
                ),
                ProjectUpdate(
                    project_id=realised.id,
                    phase="realised",
                    text="De bankjes staan er, kom erop zitten!",
                    by="Pia",
                    at=local(2030, 3, 20),
                ),
                ProjectUpdate(
                    project_id=explored.id, phase="explore", text="We verkennen.", by="Pia", at=local(2030, 3, 12)
                ),
                ProjectUpdate(
                    project_id=older.id, phase="prototype", text="Een eerste versie.", by="Bob", at=local(2030, 2, 25)
                ),
                ProjectUpdate(
                    project_id=older.id, phase="test", text="We testen in april.", by="Bob", at=local(2030, 4, 3)
                ),
            ]
        )

        def call(
            title: str,
            start: datetime,
            hours: int,
            capacity: int | None,
            state: str = "closed",
            project: Project | None = None,
            published: bool = True,
        ) -> Call:
            return Call(
                title={"nl": title, "en": f"{title} (en)"},
                description={"nl": "Samen."},
                needs=["time"],
                neighbourhood="heule",
                address="Groeningestraat 1",
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                capacity=capacity,
                deadline=start,
                state=state,
                published_at=start - timedelta(days=7) if published else None,
                project_id=project.id if project else None,
                created_at=start - timedelta(days=8),
            )

        benches = call("Bankjes bouwen", local(2030, 3, 9, 14), 3, 10, project=realised)
        walk = call("Erfgoedwandeling", local(2030, 3, 16, 10), 2, 20)
        cancelled = call("Afgelast feest", local(2030, 3, 23, 10), 2, 30, state="cancelled")
        april = call("Lentepicknick", local(2030, 4, 20, 12), 4, 40, state="published")
        draft = call("Nog een ontwerp", local(2030, 3, 25, 10), 2, 5, state="draft", published=False)
        session.add_all([benches, walk, cancelled, april, draft])
        await session.flush()
        # Bankjes bouwen: people 9-15 signed up, 6 came (9-14), 15 did not; Erfgoedwandeling: people 0-4
        # signed up, 0-2 came. Someone said "not now" to the walk (declined: not a sign-up).
        sign_ups = [
            SignUp(call_id=benches.id, person_id=people[n].id, state="attended" if n < 15 else "no_show")
            for n in range(9, 16)
        ]
        sign_ups += [
            SignUp(call_id=walk.id, person_id=people[n].id, state="attended" if n < 3 else "joined") for n in range(5)
        ]
        sign_ups.append(SignUp(call_id=walk.id, person_id=bystander.id, state="declined"))
        sign_ups += [SignUp(call_id=cancelled.id, person_id=people[n].id, state="joined") for n in range(8)]
        session.add_all(sign_ups)
        ratings = [5, 5, 4, 4, 5, 3]
        session.add_all(
            [
                Feedback(
                    call_id=benches.id,
                    person_id=people[9 + n].id,
                    rating=rating,
                    remark=PRIVATE_REMARK if n == 0 else None,
                    created_at=local(2030, 3, 10),
                )
                for n, rating in enumerate(ratings)
            ]
        )
        await session.flush()
        return {
            "people": [p.id for p in people],
            "bystander": bystander.id,
            "budascoop": budascoop.id,
            "huis": huis.id,
            "benches": benches.id,
            "walk": walk.id,
            "april": april.id,
        }
