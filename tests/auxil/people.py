"""Many residents at once, written straight into the database (for broadcast-sized tests)."""

from __future__ import annotations

from datetime import datetime

from storage.db import session_factory
from storage.models import Identity, Person
from tests.auxil.telegram_user import TelegramUser


async def add_residents(
    engine,
    fake,
    count: int,
    now: datetime,
    *,
    first_id: int = 10_000,
    neighbourhood: str = "heule",
    interests: tuple[str, ...] = ("heritage",),
    level: str = "both",
    locale: str = "nl",
    **fields,
) -> list[TelegramUser]:
    """`count` onboarded residents with Telegram chats on the fake server (who get calls and rounds:
    level "both" unless `level` says otherwise)."""
    people = []
    async with session_factory(engine)() as session, session.begin():
        for n in range(count):
            user_id = first_id + n
            person = Person(
                display_name=f"Inwoner {n}",
                locale=locale,
                neighbourhood=neighbourhood,
                role="resident",
                interests=list(interests),
                contributions=["time"],
                consent_at=now,
                consent_version="2026-11",
                onboarded_at=now,
                created_at=now,
                last_active_at=now,
                level=level,
                **fields,
            )
            session.add_all(
                [person, Identity(person=person, channel="telegram", external_id=str(user_id), created_at=now)]
            )
            if fake is not None:
                people.append(TelegramUser(fake, user_id, f"Inwoner {n}"))
    return people
