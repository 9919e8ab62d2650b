"""Near misses in a dialogue are understood, and what could be several things is asked about:
"heulle" for Heule, "jongeren" for "Kinderen en jongeren", "maker", "francais", "1 9" in a
multi-select, "een uurtje of 4", and "ja", "oké" or "👍" to "Klopt dit?" (issue 25, point 9)."""

import pytest

from storage.models import Offer, Person
from tests.auxil.chat import onboard
from tests.auxil.database import rows

ASKED_AGAIN = "Kies een van de knoppen."


async def typed_onboarding(chat, summary_answer: str) -> None:
    """Consent, then every onboarding answer typed the way people type, near misses included."""
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    await chat.send("nederlands")
    await chat.send("Anna")
    for typed in ("heulle", "maker", "jongeren", "klaar", "tijd", "klaar", "allebei", "nee", summary_answer):
        await chat.send(typed)
        assert ASKED_AGAIN not in chat.text and "Typ het nummer" not in chat.text, (typed, chat.text)


@pytest.mark.parametrize("agreed", ["ja", "oké", "👍"])
async def test_onboarding_typed_with_near_misses_and_a_yes_to_the_summary(chat, engine, agreed):
    await typed_onboarding(chat, agreed)
    [person] = await rows(engine, Person)
    assert (person.neighbourhood, person.role, person.interests) == ("heule", "creative", ["youth"])
    assert person.contributions == ["time"]


async def test_nee_to_the_summary_opens_what_to_change_and_keeps_every_answer(chat, engine):
    await typed_onboarding(chat, "nee")
    assert "Wat wil je aanpassen?" in chat.text
    await chat.send("buurt")
    await chat.send("bissegm")
    assert "Bissegem" in chat.text and "Klopt dit?" in chat.text


async def test_francais_typed_without_its_cedilla_chooses_french(chat):
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    await chat.send("francais")
    assert ASKED_AGAIN not in chat.text
    assert "Comment" in chat.text  # the next question, in French


async def test_a_number_among_words_and_numbers_with_spaces_are_read(chat, engine):
    await onboard(chat)
    await chat.send("/tijd")
    await chat.send("een uurtje of 4")
    assert "Wanneer kun je meestal?" in chat.text
    await chat.send("/annuleer")
    await chat.send("Ja, stoppen")
    await chat.send("/kennis")
    await chat.send("Ik kan goed timmeren.")
    await chat.send("1 9")  # Vormgeving and Foto en film, at once
    assert "Kies alles wat past" not in chat.text
    await chat.send("/overslaan")  # until when: open
    await chat.send("klopt")
    [offer] = await rows(engine, Offer)
    assert offer.details["tags"] == ["design", "media"]


async def test_two_numbers_or_a_word_that_is_too_short_are_asked_again(chat):
    await onboard(chat)
    await chat.send("/tijd")
    await chat.send("3 à 4 uur")
    assert "Typ een getal tussen 1 en 200." in chat.text
    await chat.send("/annuleer")
    await chat.send("/idee")
    for typed in ("Het Leieboord is grijs.", "Kleurrijke bankjes.", "/overslaan", "en"):
        await chat.send(typed)
    assert ASKED_AGAIN in chat.text  # "en" is in half the themes: it names none


async def test_francais_typed_on_the_consent_screen_gives_the_welcome_in_french(chat):
    await chat.send("/start")
    await chat.send("francais")
    assert "Kortrijk 2030" in chat.text and "Hallo!" not in chat.text
    assert "Français" not in chat.buttons and "Nederlands" in chat.buttons


async def test_done_typed_with_a_slip_finishes_a_multi_select_in_french(chat, engine):
    """ "Terminer" for *Terminé*, as a newcomer typed it in a walk: the themes are kept, the next question comes."""
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    for typed in ("francais", "Léa", "heulle", "habitant", "design et creation"):
        await chat.send(typed)
    await chat.send("Terminer")
    assert "Que voulez-vous donner" in chat.text, chat.text  # the next question: the themes are done
