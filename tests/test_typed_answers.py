"""Typed answers to buttons outside a question: "ik doe mee!" under a call card, "ja" to a
question with two buttons, "2 weken" to /pauze. They work as the tap they name, or are told
they name none, with the buttons again: never the menu in silence (issue 25, point 1)."""

import io

from sqlalchemy import select

from bot.assembly import assemble
from bot.channels.console.channel import Console, ConsoleChannel
from storage.models import Call, Identity, Person, SignUp
from tests.auxil.builders import publish_call
from tests.auxil.chat import Chat, onboard
from tests.auxil.database import rows
from tests.auxil.telegram_user import create_call

MENU = "Wat wil je doen?"
ONBOARDING = ["1", "Nederlands", "Anna", "Heule", "1", "Erfgoed", "Klaar", "2", "Klaar", "Meehelpen", "Nee", "Klopt"]


async def test_typing_ik_doe_mee_under_a_call_card_joins_the_call(city, engine):
    anna = await city.resident(1, "Anna")
    await publish_call(engine, city.bot.settings, city.clock(), themes=["heritage"])
    await city.tick()
    assert any("Bankjes bouwen" in text for text in anna.unread_texts())
    await anna.send("ik doe mee!")
    [sign_up] = await rows(engine, SignUp)
    assert sign_up.state == "joined"
    assert "Fijn" in anna.text and MENU not in anna.text


async def test_ja_to_signing_out_signs_out_and_nee_keeps_the_place(city, engine):
    anna = await city.resident(1, "Anna")
    await publish_call(engine, city.bot.settings, city.clock(), themes=["heritage"])
    await city.tick()
    card = anna.message_with("Ik doe mee")
    await anna.tap("Ik doe mee", message=card)
    await anna.tap("Niet nu", message=card)
    assert "Wil je je uitschrijven" in anna.text
    await anna.send("nee")
    assert "Fijn, tot dan!" in anna.text
    assert [s.state for s in await rows(engine, SignUp)] == ["joined"]
    await anna.tap("Niet nu", message=card)
    await anna.send("Ja")
    assert "Je bent uitgeschreven" in anna.text and MENU not in anna.text
    assert [s.state for s in await rows(engine, SignUp)] != ["joined"]


async def test_a_coordinators_typed_ja_cancels_the_call(city, engine):
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Klopt")
    await coordinator.send("/oproepen")
    await coordinator.tap("#1 Bankjes bouwen aan de Leie")
    await coordinator.tap("Annuleren")
    assert "echt annuleren?" in coordinator.text
    await coordinator.send("ja")
    assert "Waarom gaat het niet door?" in coordinator.text


async def test_a_pause_typed_by_its_label_is_set_and_one_it_cannot_read_is_told_so(city, engine):
    anna = await city.resident(1, "Anna")
    await anna.send("/pauze")
    await anna.send("2 weken")
    assert "Dat kan ik niet lezen als antwoord op mijn vorige bericht. Tik op een van de knoppen." in anna.text
    assert anna.button_labels() == ["Een week", "Een maand", "Tot ik het zeg"]
    assert MENU not in anna.text
    assert (await rows(engine, Person))[0].paused is False
    await anna.send("een maand")
    assert "stuur ik je geen oproepen" in anna.text
    assert (await rows(engine, Person))[0].paused is True


async def test_the_last_buttons_survive_a_restart(chat, bot, engine, settings, clock):
    await onboard(chat)
    await chat.send("/pauze")
    async with bot.sessions() as session:
        [identity] = (await session.scalars(select(Identity))).all()
    assert [button[0] for button in identity.buttons] == ["Een week", "Een maand", "Tot ik het zeg"]
    again = Chat((await assemble(settings, engine=engine, clock=clock)).core)
    await again.send("een week")
    assert "stuur ik je geen oproepen" in again.text


async def test_a_word_in_two_labels_is_not_guessed_and_a_help_button_is_typed(chat):
    await onboard(chat)
    await chat.send("/pauze")
    await chat.send("een")  # in "Een week" and "Een maand": too little to go on
    assert "Dat kan ik niet lezen als antwoord" in chat.text and chat.buttons == [
        "Een week",
        "Een maand",
        "Tot ik het zeg",
    ]
    await chat.send("/help")
    await chat.send("meer uitleg!")
    assert MENU not in chat.text and "Dat kan ik niet lezen" not in chat.text


async def test_the_same_button_under_two_cards_asks_where_to_tap(city, engine):
    anna = await city.resident(1, "Anna")
    for title in ("Bankjes bouwen", "Bloembakken vullen"):
        await publish_call(engine, city.bot.settings, city.clock(), themes=["heritage"], title=title)
    await anna.send("/agenda")
    await anna.send("ik doe mee")
    assert "Die knop staat onder meer dan één bericht" in anna.text
    assert await rows(engine, SignUp) == []


async def test_on_the_console_a_typed_part_of_a_label_is_its_tap(bot, engine):
    out = io.StringIO()
    console = ConsoleChannel(bot, bot.settings, terminal=Console("anna", io.StringIO(), out))
    for line in ["/start", *ONBOARDING, "/pauze", "maand"]:
        await console.send(console.parse(line))
    assert "stuur ik je geen oproepen" in out.getvalue()
    assert (await rows(engine, Person))[0].paused is True


async def test_longer_text_under_buttons_is_still_taken_for_an_idea(chat):
    await onboard(chat)
    await chat.send("/pauze")
    await chat.send("Er moeten meer bankjes komen aan de Leie voor de buren")
    assert "Dat klinkt als een idee!" in chat.text


async def test_a_forged_or_stale_typed_answer_meets_the_same_checks_as_a_tap(city, engine):
    anna = await city.resident(1, "Anna")
    call = await publish_call(engine, city.bot.settings, city.clock(), themes=["heritage"])
    await city.tick()
    async with city.bot.assembly.core.sessions() as session, session.begin():
        (await session.get(Call, call.id)).state = "cancelled"
    await anna.send("ik doe mee")
    assert "gaat niet door" in anna.text
    assert await rows(engine, SignUp) == []


async def test_a_yes_to_no_question_is_told_so_above_the_menu(chat):
    await onboard(chat)
    await chat.send("ja")
    assert "Ik weet niet goed waarop je antwoordt." in chat.text and MENU in chat.text


async def test_a_pause_typed_in_the_middle_of_a_dialogue_is_set_and_the_dialogue_goes_on(chat, engine):
    await onboard(chat)
    await chat.send("/profiel")
    await chat.tap("Buurt")
    assert "Waar woon of werk je?" in chat.text
    await chat.send("/pauze")
    assert "We gaan verder waar je was" in chat.text and "Waar woon of werk je?" in chat.text
    await chat.send("een maand")  # names a button of /pauze, and none of the neighbourhoods
    assert "stuur ik je geen oproepen" in chat.text
    assert (await rows(engine, Person))[0].paused is True
    assert "Waar woon of werk je?" in chat.text, "the question of the dialogue comes back"
    await chat.send("Marke")
    assert (await rows(engine, Person))[0].paused is True
