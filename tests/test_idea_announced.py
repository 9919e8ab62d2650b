"""Free text at the menu (issue 25): an idea announced is asked for, an idea told is kept and shown,
and time offered leads to the offer's questions."""

import io

from bot.assembly import assemble
from bot.channels.console.channel import Console
from bot.config import load_settings
from storage.models import Idea, Offer
from tests.auxil.chat import onboard
from tests.auxil.database import rows

ONBOARDING = ["Ja, dat is goed", "Nederlands", "Anna", "Heule", "1", "Erfgoed", "Klaar", "2", "Klaar", "Meehelpen"]
ONBOARDING += ["Nee", "Klopt"]


async def test_ik_heb_een_idee_asks_for_the_idea_in_the_console(engine, clock):
    out = io.StringIO()
    assembly = await assemble(
        load_settings(database_url="sqlite://", _env_file=None),
        engine=engine,
        clock=clock,
        channels=[Console("anna", io.StringIO(), out)],
    )
    console = assembly.channels["console"]
    for line in ["/start", *ONBOARDING]:
        await console.send(console.parse(line))
    start = len(out.getvalue())
    for line in ["ik heb een idee!", "Het Leieboord is grijs."]:
        await console.send(console.parse(line))
    assert "Wat is je idee?" in out.getvalue()[start:]
    for line in ["Kleurrijke bankjes.", "Overslaan", "Erfgoed", "Marke", "Ja", "Overslaan", "Klopt"]:
        await console.send(console.parse(line))
    [idea] = await rows(engine, Idea)
    assert (idea.problem, idea.idea) == ("Het Leieboord is grijs.", "Kleurrijke bankjes.")


async def test_an_announcement_in_french_or_english_starts_the_questions_too(chat):
    await onboard(chat)
    for said in ("I've got an idea!", "J'ai une idée !", "Hallo, ik heb een idee"):
        await chat.send(said)
        assert "Wat kan beter in je buurt" in chat.text, said
        await chat.send("/annuleer")


async def test_an_idea_told_at_the_menu_is_shown_as_its_answer_and_can_be_changed(chat, engine):
    await onboard(chat)
    await chat.send("Bankjes aan de Leie, zodat buren er samen zitten.")
    await chat.send("ja")
    assert "Ik noteer dit als je idee: “Bankjes aan de Leie, zodat buren er samen zitten.”" in chat.text
    assert "aanpassen" in chat.text
    await chat.send("Het Leieboord is grijs.")
    await chat.tap("Overslaan")
    for label in ("Erfgoed", "Marke", "Ja", "Overslaan", "Aanpassen", "Je idee"):
        await chat.tap(label)
    assert "Nu: Bankjes aan de Leie" in chat.text
    await chat.send("Bankjes en bloembakken aan de Leie.")
    await chat.tap("Klopt")
    [idea] = await rows(engine, Idea)
    assert idea.idea == "Bankjes en bloembakken aan de Leie."


async def test_time_offered_at_the_menu_leads_to_the_offer_not_to_an_idea(chat, engine):
    await onboard(chat)
    await chat.send("ik kan wel helpen op zaterdagen")
    assert "Dat klinkt als een idee" not in chat.text
    assert "Fijn dat je wilt helpen!" in chat.text
    await chat.send("ja")
    assert "Hoeveel uur per maand wil je ongeveer helpen?" in chat.text
    for typed in ("4", "Weekend", "Klaar"):
        await chat.send(typed)
    await chat.tap("Vanaf nu")
    await chat.tap("Overslaan")
    await chat.tap("Klopt")
    [offer] = await rows(engine, Offer)
    assert (offer.kind, offer.details["hours"], offer.details["moments"]) == ("time", 4, ["weekends"])
    assert await rows(engine, Idea) == []


async def test_a_bare_yes_or_no_to_an_open_question_asks_for_a_few_words(chat, engine):
    await onboard(chat)
    await chat.send("/idee")
    assert "Wat kan beter in je buurt" in chat.text
    for bare in ("ja", "oui", "nee"):
        await chat.send(bare)
        assert "Vertel het in een paar woorden" in chat.text, bare
        assert "Op het Leieboord staan geen bankjes" in chat.text, "the example shows what is meant"
        assert "Wat kan beter in je buurt" in chat.text
    await chat.send("Het Leieboord is grijs.")
    assert "Wat is je idee?" in chat.text
    await chat.send("/annuleer")
    assert await rows(engine, Idea) == []
