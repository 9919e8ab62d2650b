"""Question rounds ("Meedenken"): a coordinator asks, residents who think along answer in the chat,
one question at a time, typed or tapped, and may stop, continue and change their answers."""

from storage.models import RoundAnswer, RoundResponse
from tests.auxil.database import rows
from tests.auxil.telegram_user import TelegramUser


async def ask_round(coordinator: TelegramUser, *, now: bool = True) -> None:
    """A coordinator asks three questions about the Leie banks to Heule, up to the summary."""
    await coordinator.send("/vraag")
    await coordinator.send("Bankjes aan de Leie")
    await coordinator.send("We kiezen samen waar de bankjes komen. Met je antwoorden kiezen we de plek.")
    await coordinator.tap("Een schaal van 1 tot 5")
    await coordinator.send("Hoe graag zit je aan het water?")
    await coordinator.send("helemaal niet, heel graag")
    await coordinator.tap("Eén keuze")
    await coordinator.send("Moeten de bankjes een rugleuning hebben?")
    await coordinator.send("Ja, Nee")
    await coordinator.tap("Een kort antwoord")
    await coordinator.send("Waar zou jij een bankje zetten?")
    await coordinator.tap("Overslaan")  # no fourth question
    await coordinator.tap("Heule")
    await coordinator.tap("Klaar")
    await coordinator.send("20/3/2027 18:00")
    await coordinator.tap("Meteen" if now else "Later")


async def test_a_round_reaches_who_thinks_along_and_is_answered_in_the_chat(city, engine):
    anna = await city.resident(1, "Anna", level="Meedenken")
    bert = await city.resident(2, "Bert", level="Meehelpen")
    coordinator = await city.coordinator()
    await ask_round(coordinator)
    assert "Mensen die de vragen krijgen: 1." in coordinator.text
    await coordinator.tap("Klopt")
    assert "Je bevraging is verstuurd. Aantal mensen: 1." in coordinator.text
    await city.tick()
    assert bert.unread_texts() == []
    [card] = anna.unread_texts()
    assert "Bankjes aan de Leie" in card and "We kiezen samen waar de bankjes komen." in card
    await anna.tap("Meedenken")
    assert "Vraag 1 van 3" in anna.text and "Hoe graag zit je aan het water?" in anna.text
    await anna.send("vier")
    assert "Vraag 2 van 3" in anna.text
    await anna.send("ja")
    assert "Vraag 3 van 3" in anna.text and "maximaal 500 tekens" in anna.text
    await anna.send("Aan de brug in Heule")
    assert "Dit zijn je antwoorden:" in anna.text
    await anna.tap("Klopt")
    assert "Bedankt om mee te denken!" in anna.text
    [response] = await rows(engine, RoundResponse)
    assert response.completed_at is not None
    answers = {(a.question, a.option, a.text) for a in await rows(engine, RoundAnswer)}
    assert answers == {(0, 4, None), (1, 0, None), (2, None, "Aan de brug in Heule")}
