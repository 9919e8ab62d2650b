"""Question rounds in the Monday overview: a round the weekly cap held back from someone who thinks
along comes in their overview instead, with its button to answer; not once answered, not once closed."""

from datetime import datetime, timezone

import pytest

from handlers.rounds import service as round_service
from storage.db import session_factory
from storage.models import OutboxMessage, Person, Round
from tests.auxil.builders import close_round, person_of, publish_round
from tests.auxil.database import rows

SUNDAY = datetime(2027, 3, 14, 12, 0, tzinfo=timezone.utc)
MONDAY = datetime(2027, 3, 15, 9, 1, tzinfo=timezone.utc)  # 10:01 in Kortrijk


async def four_rounds(city, engine) -> list[int]:
    """Four rounds on Sunday: the weekly cap (three) holds back the fourth."""
    ids = []
    for title in ("Bankjes aan de Leie", "Bloembakken", "Lichtfestival", "Speelstraat in Heule"):
        ids.append((await publish_round(engine, city.bot.settings, city.clock(), title=title)).id)
    await city.tick()
    return ids


async def test_a_round_the_cap_held_back_comes_in_mondays_overview_and_can_be_answered_from_it(city, engine):
    city.clock.now = SUNDAY
    anna = await city.resident(1, "Anna", level="Meedenken")
    await four_rounds(city, engine)
    assert len(anna.unread()) == 3  # the fourth waits
    assert [r.state for r in await rows(engine, OutboxMessage) if r.purpose == "round"].count("held") == 1

    city.clock.now = MONDAY
    await city.tick()
    [overview] = anna.unread_texts()
    assert "Speelstraat in Heule" in overview and "Bankjes aan de Leie" not in overview
    assert "oproepen" not in overview  # there are no calls in it
    await anna.tap("Meedenken: Speelstraat in Heule", anna.message_with("Speelstraat in Heule"))
    assert "Vraag 1 van" in anna.text
    assert [r.state for r in await rows(engine, OutboxMessage) if r.purpose == "round"].count("held") == 0


@pytest.mark.parametrize("meanwhile", ["answered", "closed"])
async def test_a_held_round_answered_or_closed_meanwhile_is_not_in_the_overview(city, engine, meanwhile):
    city.clock.now = SUNDAY
    anna = await city.resident(1, "Anna", level="Meedenken")
    ids = await four_rounds(city, engine)
    anna.unread()
    if meanwhile == "closed":
        await close_round(engine, ids[3], city.clock())
    else:
        async with session_factory(engine)() as session, session.begin():
            held, person = await session.get(Round, ids[3]), await session.get(Person, await person_of(engine, anna.id))
            response = await round_service.respond(session, held, person, city.clock())
            response.completed_at = city.clock()
    city.clock.now = MONDAY
    await city.tick()
    assert anna.unread() == []
