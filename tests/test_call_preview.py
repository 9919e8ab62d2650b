"""The coordinator's preview of a call (its reach and the fitting offers) is counted in the
database: as many statements for a big city as for a small one, and the best offers first."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from bot.config import load_settings
from handlers.calls import service as call_service
from handlers.calls.coordination import COORDINATE
from storage.db import session_factory
from storage.models import Base, Identity, Offer
from tests.auxil.chat import Chat, tap
from tests.auxil.database import rows
from tests.auxil.people import add_residents

COORDINATOR = "coco"


@pytest.fixture
def settings():
    return load_settings(database_url="sqlite://", coordinator_console_users=[COORDINATOR], _env_file=None)


async def draft_call(engine, now: datetime) -> int:
    """A call for everyone in Heule, needing time and expertise, not yet sent."""
    answers = dict(
        title="Bankjes bouwen",
        description="Samen bouwen.",
        address="Groeningestraat 1",
        neighbourhood="heule",
        needs=["time", "expertise"],
        starts_at=(now + timedelta(days=3)).isoformat(),
        ends_at=(now + timedelta(days=3, hours=3)).isoformat(),
    )
    async with session_factory(engine)() as session, session.begin():
        call = call_service.new_call(answers, None, now)
        session.add(call)
        await session.flush()
        return call.id


async def offers_of(engine, now: datetime, people: list[int], hours: int, **fields) -> None:
    """An open offer of time, `hours` a month, from each of `people`."""
    async with session_factory(engine)() as session, session.begin():
        for person_id in people:
            details = {"hours": hours, "moments": ["weekend"], "start": now.date().isoformat()}
            session.add(
                Offer(person_id=person_id, kind="time", details=details, created_at=now, **({"state": "open"} | fields))
            )


async def residents(engine, now: datetime, count: int, first_id: int, neighbourhood: str = "marke") -> list[int]:
    """`count` residents of `neighbourhood` who get calls; their person ids."""
    await add_residents(engine, None, count, now, first_id=first_id, neighbourhood=neighbourhood)
    chats = [str(first_id + n) for n in range(count)]
    return [identity.person_id for identity in await rows(engine, Identity, Identity.external_id.in_(chats))]


async def preview(engine, coordinator: Chat, call_id: int) -> tuple[str, list[object]]:
    """The summary a tap on "Aanpassen" shows, and what the turn asked of the database: each
    statement it ran and each row it loaded into an object."""
    asked: list[object] = []

    def ran(_connection, _cursor, statement, *_rest) -> None:
        asked.append(statement)

    def loaded(instance, _context) -> None:
        asked.append(instance)

    event.listen(engine.sync_engine, "before_cursor_execute", ran)
    event.listen(Base, "load", loaded, propagate=True)
    try:
        replies = await tap(coordinator, COORDINATE, "edit", call_id)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", ran)
        event.remove(Base, "load", loaded)
    await coordinator.send("/stop")
    return "\n".join(getattr(reply, "text", "") for reply in replies), asked


async def test_the_preview_asks_a_big_city_as_often_as_a_small_one(bot, engine, clock):
    now = clock()
    coordinator = Chat(bot, COORDINATOR, channel="console")
    await coordinator.send("/start")
    call_id = await draft_call(engine, now)
    await offers_of(engine, now, await residents(engine, now, 3, 100), hours=4)
    await preview(engine, coordinator, call_id)  # the first time, the dialogue starts afresh
    small, few = await preview(engine, coordinator, call_id)
    assert "Mensen die de oproep krijgen: 3. Mensen met een passend aanbod: 3." in small

    await offers_of(engine, now, await residents(engine, now, 60, 1000), hours=4)
    big, many = await preview(engine, coordinator, call_id)
    assert "Mensen die de oproep krijgen: 63. Mensen met een passend aanbod: 63." in big
    assert len(many) == len(few), "the preview walks the city instead of counting it"


async def test_the_preview_shows_the_best_offers_first_and_counts_only_those_that_fit(bot, engine, clock):
    now = clock()
    coordinator = Chat(bot, COORDINATOR, channel="console")
    await coordinator.send("/start")
    call_id = await draft_call(engine, now)
    elsewhere = await residents(engine, now, 1, 100, neighbourhood="marke")
    heule = await residents(engine, now, 2, 200, neighbourhood="heule")
    await offers_of(engine, now, elsewhere, hours=40)
    await offers_of(engine, now, heule[:1], hours=5)
    await offers_of(engine, now, heule[1:], hours=12)
    await offers_of(engine, now, heule, hours=30, valid_until=now + timedelta(days=1))  # runs out before the call
    await offers_of(engine, now, heule, hours=30, state="withdrawn")
    text, _ = await preview(engine, coordinator, call_id)
    assert "Mensen met een passend aanbod: 3." in text
    shown = [line for line in text.splitlines() if line.startswith("– ")]
    assert [line.split(" uur")[0] for line in shown] == ["– 12", "– 5", "– 40"]  # Heule first, then more hours
