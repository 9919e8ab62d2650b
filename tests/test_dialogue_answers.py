"""What a dialogue does with answers that are not quite answers: "nee" to the photo skips it
(and the hint names Overslaan, not /annuleer), a question asked back gets an example and the
question stays open, and "Stoppen" on a summary asks before it throws the answers away
(issue 25, points 10, 11 and 7)."""

import io

import pytest

from bot.channels.console.channel import Console, ConsoleChannel
from storage.models import Idea, Person
from tests.auxil.chat import onboard
from tests.auxil.database import rows


async def up_to_the_photo(chat) -> None:
    await onboard(chat)
    await chat.send("/idee")
    await chat.send("Het Leieboord is grijs. Buren zitten er nooit.")
    await chat.send("Kleurrijke bankjes die buren samen maken.")
    await chat.send("Eén zaterdag met vijf bankjes bij de brug.")
    await chat.tap("Design en maken")
    await chat.tap("Kortrijk centrum")
    await chat.tap("Ja")
    assert "Heb je een foto of schets van je idee?" in chat.text


@pytest.mark.parametrize("typed", ["nee", "geen", "heb ik niet", "Nee, geen foto"])
async def test_no_photo_typed_skips_the_photo(chat, typed):
    await up_to_the_photo(chat)
    await chat.send(typed)
    assert "Dit is je idee:" in chat.text and "• Foto: (overgeslagen)" in chat.text


async def test_the_photo_hint_names_overslaan_not_annuleer(chat):
    await up_to_the_photo(chat)
    await chat.send("hallo")
    assert "Heb je er geen? Kies dan Overslaan." in chat.text
    assert "/annuleer" not in chat.text


async def test_a_question_asked_back_gets_an_example_and_the_question_stays_open(chat, engine):
    await onboard(chat)
    await chat.send("/idee")
    await chat.send("bedoel je wat ik wil veranderen?")
    assert "Goede vraag! Een voorbeeld van een antwoord:" in chat.text
    assert "Wat kan beter in je buurt of in de stad, en voor wie?" in chat.text
    await chat.send("Het Leieboord is grijs.")
    assert "Wat is je idee?" in chat.text
    await chat.send("c'est quoi une idée ?")  # French too
    assert "Goede vraag!" in chat.text and "Wat is je idee?" in chat.text
    await chat.send("Kleurrijke bankjes.")
    await chat.send("/overslaan")
    for label in ("Erfgoed", "Marke", "Ja", "Overslaan", "Klopt"):
        await chat.tap(label)
    [idea] = await rows(engine, Idea)
    assert (idea.problem, idea.idea) == ("Het Leieboord is grijs.", "Kleurrijke bankjes.")


async def test_a_question_that_was_the_answer_after_all_is_kept_with_a_yes(chat):
    await onboard(chat)
    await chat.send("/idee")
    await chat.send("Waarom zijn er geen bankjes aan de Leie?")
    assert "Goede vraag!" in chat.text and "Typ dan ja." in chat.text
    await chat.send("ja")
    assert "Wat is je idee?" in chat.text
    await chat.send("Bankjes.")
    await chat.send("/overslaan")
    for label in ("Erfgoed", "Marke", "Ja", "Overslaan"):
        await chat.tap(label)
    assert "• Wat je ziet: Waarom zijn er geen bankjes aan de Leie?" in chat.text


async def test_stoppen_on_the_onboarding_summary_asks_first_and_keeps_the_answers(chat, engine):
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    for label in ("Nederlands",):
        await chat.tap(label)
    await chat.send("Anna")
    await chat.tap("Heule")
    await chat.tap("Inwoner")
    await chat.tap("Erfgoed")
    await chat.tap("Klaar")
    await chat.tap("Tijd")
    await chat.tap("Klaar")
    await chat.tap("Meehelpen")
    await chat.tap("Nee")
    assert "Klopt dit?" in chat.text
    await chat.tap("Stoppen")
    assert "Wat je al invulde, bewaar ik dan niet. Wil je stoppen?" in chat.text
    await chat.send("nee")  # typed: "Nee, ga verder"
    assert "Klopt dit?" in chat.text and "• Buurt: Heule" in chat.text
    await chat.tap("Klopt")
    [person] = await rows(engine, Person)
    assert (person.display_name, person.neighbourhood) == ("Anna", "heule")


async def test_on_the_console_near_misses_a_question_back_and_no_photo(bot, engine):
    out = io.StringIO()
    console = ConsoleChannel(bot, bot.settings, terminal=Console("anna", io.StringIO(), out))
    lines = ["/start", "1", "nederlands", "Anna", "heulle", "maker", "jongeren", "klaar", "tijd", "klaar"]
    lines += ["allebei", "nee", "👍", "/idee", "wat bedoel je?", "Het Leieboord is grijs.", "Bankjes."]
    lines += ["/overslaan", "erfgoed", "marke", "ja", "hallo"]
    for line in lines:
        await console.send(console.parse(line))
    drawn = out.getvalue()
    assert "Goede vraag! Een voorbeeld van een antwoord:" in drawn
    assert "Een foto stuur je met /foto en de naam van het bestand. Heb je er geen? Kies dan Overslaan." in drawn
    await console.send(console.parse("heb ik niet"))
    assert "• Foto: (overgeslagen)" in out.getvalue()
    await console.send(console.parse("Stoppen"))
    await console.send(console.parse("nee"))
    await console.send(console.parse("oké"))
    [idea] = await rows(engine, Idea)
    [person] = await rows(engine, Person)
    assert (idea.problem, idea.theme, idea.place) == ("Het Leieboord is grijs.", "heritage", "marke")
    assert (person.neighbourhood, person.role, person.interests) == ("heule", "creative", ["youth"])
