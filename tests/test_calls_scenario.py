"""A coordinator creates a call on Telegram; residents get it on time, join, wait, move up,
are reminded and asked how it went. Everything through the fake Bot API, with a moved clock."""

import pytest

from storage.models import Call, Feedback, OutboxMessage, SignUp
from tests.auxil.database import rows
from tests.auxil.telegram_user import create_call


@pytest.mark.dialect  # its audience: neighbourhood and themes, matched in a JSON list (jsonb ?| or json_each)
async def test_a_call_from_creation_to_feedback(city, engine):
    coordinator = await city.coordinator()
    anna = await city.resident(1, "Anna")
    bert = await city.resident(2, "Bert")
    cleo = await city.resident(3, "Cleo")
    dirk = await city.resident(4, "Dirk", neighbourhood="Marke")  # another neighbourhood
    eva = await city.resident(5, "Eva", interests=("Sport en bewegen",))  # another theme

    await create_call(coordinator)
    assert "Mensen die de oproep krijgen: 3." in coordinator.text  # the reach, before confirming
    await coordinator.tap("Klopt")
    assert "Je oproep is ingepland." in coordinator.text
    [call] = await rows(engine, Call)
    assert call.state == "scheduled"
    coordinator.unread()

    await city.tick()
    assert anna.unread() == []  # not before its publish time
    await city.tick(days=1)  # Thursday 11 March, 10:00 local
    for person in (anna, bert, cleo):
        [push] = person.unread_texts()
        assert "Bankjes bouwen aan de Leie" in push
        assert "zaterdag 13 maart om 14.00 uur tot 17.00 uur" in push
        assert "Groeningestraat 1 (Heule)" in push and "openstreetmap.org" in push
        assert "Vrije plaatsen: 2." in push and "/pauze" in push
    assert dirk.unread() == [] and eva.unread() == [] and coordinator.unread() == []

    await anna.tap("Ik doe mee")
    assert "Fijn, je doet mee aan “Bankjes bouwen aan de Leie”!" in anna.text
    await bert.tap("Ik doe mee")
    await cleo.tap("Ik doe mee")
    assert "Je staat op de wachtlijst, op plaats 1." in cleo.text
    await cleo.tap("Ik doe mee")
    assert cleo.toasts == ["Je staat al op de wachtlijst, op plaats 1."]

    await anna.send("/mijnoproepen")
    assert "Bankjes bouwen aan de Leie" in anna.text
    await anna.tap("Uitschrijven 1")
    await anna.tap("Ja, uitschrijven")
    assert "Je bent uitgeschreven voor Bankjes bouwen aan de Leie." in anna.text
    assert "📣 Wat loopt er?" in anna.button_labels()  # and what next
    await city.tick()
    [offer] = cleo.unread_texts()
    assert "er is een plaats vrij" in offer
    await cleo.tap("Ja, ik kom")
    assert "de plaats is voor jou" in cleo.text
    states = {s.person_id: s.state for s in await rows(engine, SignUp)}
    assert sorted(states.values()) == ["cancelled", "joined", "joined"]

    await city.tick(hours=28)  # Friday 12 March 14:00 local: 24 hours before
    assert any("Niet vergeten" in text for text in cleo.unread_texts())
    assert any("Niet vergeten" in text for text in bert.unread_texts())
    assert anna.unread() == []
    await city.tick(hours=22)  # Saturday 12:00: the 2-hour reminder
    assert len(bert.unread()) == 1 and len(cleo.unread()) == 1
    await city.tick(hours=7)  # Saturday 19:00: two hours after the end
    [question] = cleo.unread_texts()
    assert "Hoe was het?" in question
    assert ["Hoe was het?" in text for text in bert.unread_texts()] == [True]
    await cleo.tap("4")
    await cleo.send("Meer gereedschap graag.")
    [feedback] = await rows(engine, Feedback)
    assert (feedback.rating, feedback.remark) == (4, "Meer gereedschap graag.")

    # Running everything again sends nothing twice.
    sent = len(await rows(engine, OutboxMessage))
    await city.tick()
    await city.tick(minutes=5)
    assert len(await rows(engine, OutboxMessage)) == sent
    assert {p.first_name: p.unread_texts() for p in (anna, bert, cleo, dirk, eva)} == {
        name: [] for name in ("Anna", "Bert", "Cleo", "Dirk", "Eva")
    }
