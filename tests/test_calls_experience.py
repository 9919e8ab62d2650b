"""Calls as a new resident and coordinator meet them (issue 25): the weekly cap counts only what
went out, calls come in the reader's language, a change says what changed, a card knows you are
in, and what the coordinator hears about quiet hours, pauses and numbers is true."""

import pytest

from storage.models import Call, OutboxMessage
from tests.auxil.chat import Chat
from tests.auxil.city import build_city
from tests.auxil.database import rows
from tests.auxil.telegram_user import create_call

EVENING = 12  # hours from the test clock's 10:00 to 22:00 local, within everyone's quiet hours


async def cancel(coordinator, label: str) -> None:
    """The coordinator cancels a call from /oproepen, giving no reason."""
    await coordinator.send("/oproepen")
    await coordinator.tap(label)
    await coordinator.tap("Annuleren")
    await coordinator.tap("Ja, annuleren")
    await coordinator.tap("Overslaan")
    assert "De oproep is geannuleerd." in coordinator.text


async def change(coordinator, label: str, field: str, value: str) -> None:
    """The coordinator changes one answer of a published call from /oproepen."""
    await coordinator.send("/oproepen")
    await coordinator.tap(label)
    await coordinator.tap("Aanpassen")
    await coordinator.tap("Aanpassen")
    await coordinator.tap(field)
    await coordinator.send(value)
    await coordinator.tap("Klopt")
    assert "De oproep is aangepast." in coordinator.text


@pytest.fixture
async def busy_city(fake_telegram, engine, clock):
    """The city, for a coordinator who makes four calls in a row (more than the flood limit's minute)."""
    town = await build_city(fake_telegram, engine, clock, flood_limit="400/minute")
    yield town
    await town.bot.stop()


async def test_cancelled_announcements_do_not_use_up_the_weekly_cap(busy_city, engine):
    """Three test calls, cancelled while their announcements waited for the night to end, do not
    hold back the real call until Monday: only what actually went out counts."""
    city = busy_city
    anna = await city.resident(1, "Anna")
    coordinator = await city.coordinator()
    await city.tick(hours=EVENING)
    for number in (1, 2, 3):
        await create_call(coordinator, publish_at=None, title=f"Proef {number}")
        await coordinator.tap("Klopt")
        await cancel(coordinator, f"#{number} Proef {number}")
    await create_call(coordinator, publish_at=None, title="Lichtfestival opbouw")
    await coordinator.tap("Klopt")

    await city.tick(hours=12)  # the next morning, after Anna's quiet hours
    [push] = anna.unread_texts()
    assert "Lichtfestival opbouw" in push
    states = sorted(row.state for row in await rows(engine, OutboxMessage) if row.purpose == "call")
    assert states == ["sent", "skipped", "skipped", "skipped"]


async def test_a_call_held_back_by_test_calls_goes_out_once_they_are_cancelled(busy_city, engine):
    """The real call came before the test calls were cancelled: the cap held it back for Monday,
    and cancelling them lets it go out in the morning after all."""
    city = busy_city
    anna = await city.resident(1, "Anna")
    coordinator = await city.coordinator()
    await city.tick(hours=EVENING)
    for number in (1, 2, 3):
        await create_call(coordinator, publish_at=None, title=f"Proef {number}")
        await coordinator.tap("Klopt")
    await create_call(coordinator, publish_at=None, title="Lichtfestival opbouw")
    await coordinator.tap("Klopt")
    assert "In het overzicht van maandag" in coordinator.text  # held by the cap, for now
    for number in (1, 2, 3):
        await cancel(coordinator, f"#{number} Proef {number}")

    await city.tick(hours=12)
    [push] = anna.unread_texts()
    assert "Lichtfestival opbouw" in push


async def test_a_closed_call_takes_back_the_announcements_still_waiting(city, engine):
    anna = await city.resident(1, "Anna")
    coordinator = await city.coordinator()
    await city.tick(hours=EVENING)
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Klopt")
    await coordinator.send("/oproepen")
    await coordinator.tap("#1 Bankjes bouwen aan de Leie")
    await coordinator.tap("Sluiten")
    assert [row.state for row in await rows(engine, OutboxMessage)] == ["skipped"]  # no longer on Anna's cap
    await city.tick(hours=12)
    assert anna.unread() == []


async def test_a_call_in_the_quiet_hours_is_not_said_to_be_sent(city):
    """Published at night, the announcement waits for the morning: the coordinator hears that,
    with the number of people in words that fit it."""
    await city.resident(1, "Anna")
    coordinator = await city.coordinator()
    await city.tick(hours=EVENING)
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Klopt")
    assert "verstuurd" not in coordinator.text
    assert "Je oproep gaat naar 1 persoon." in coordinator.text
    assert "Na hun stille uren: 1." in coordinator.text


async def test_a_call_sent_at_once_counts_people_in_words_that_fit(city):
    await city.resident(1, "Anna")
    await city.resident(2, "Bert")
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Klopt")
    assert "Je oproep is verstuurd naar 2 mensen." in coordinator.text
    assert "Aantal mensen" not in coordinator.text


async def test_turning_quiet_hours_off_releases_the_waiting_call(city):
    anna = await city.resident(1, "Anna")
    coordinator = await city.coordinator()
    await city.tick(hours=EVENING)
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Klopt")
    await city.tick()
    assert anna.unread() == []  # it waits for the morning
    await anna.send("/profiel")
    await anna.tap("Stille uren")
    await anna.tap("Geen stille uren")
    await city.tick()
    [push] = anna.unread_texts()
    assert "Bankjes bouwen aan de Leie" in push


@pytest.fixture
async def console_coordinator(engine, clock):
    from bot.assembly import assemble
    from bot.config import load_settings

    settings = load_settings(database_url="sqlite://", coordinator_console_users="coco", _env_file=None)
    chat = Chat((await assemble(settings, engine=engine, clock=clock)).core, user_id="coco", channel="console")
    await chat.send("/start")
    return chat


async def test_the_call_dialogue_asks_for_translations_as_a_skippable_step(console_coordinator, engine):
    """In the console: right after the Dutch text, /oproep offers English and French; a chosen
    language asks its title and description, and skipping keeps the call in Dutch only."""
    chat = console_coordinator
    await chat.send("/oproep")
    await chat.send("Bankjes bouwen")
    await chat.send("Samen bouwen aan de Leie.")
    assert "Franstalige en Engelstalige mensen" in chat.text
    assert {"Engels", "Frans", "Overslaan"} <= set(chat.buttons)
    await chat.tap("Frans")
    await chat.tap("Klaar")
    assert "Wat is de titel in het Frans?" in chat.text
    await chat.send("Construire des bancs")
    assert "Wat is de uitleg in het Frans?" in chat.text
    await chat.send("Construisons ensemble au bord de la Lys.")
    assert "Wat is er nodig?" in chat.text  # English was not chosen: not asked

    await chat.send("/oproep")
    await chat.tap("Ja, iets nieuws")
    await chat.send("Bankjes schilderen")
    await chat.send("Samen schilderen.")
    await chat.tap("Overslaan")
    assert "Wat is er nodig?" in chat.text


async def test_a_french_resident_reads_the_call_in_french(city):
    anna = await city.resident(1, "Anna")
    await anna.send("/taal")
    await anna.tap("Français")
    bert = await city.resident(2, "Bert")
    coordinator = await city.coordinator()
    await create_call(
        coordinator,
        publish_at=None,
        translations={"Frans": ("Construire des bancs au bord de la Lys", "Nous construisons cinq bancs.")},
    )
    assert "• Titel in het Frans: Construire des bancs au bord de la Lys" in coordinator.text
    await coordinator.tap("Klopt")
    await city.tick()
    [french] = anna.unread_texts()
    assert "Construire des bancs au bord de la Lys" in french
    [dutch] = bert.unread_texts()
    assert "Bankjes bouwen aan de Leie" in dutch


async def joined(city):
    """Anna joined a published call; the coordinator made it."""
    anna = await city.resident(1, "Anna")
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None, capacity="0")
    await coordinator.tap("Klopt")
    await city.tick()
    await anna.tap("Ik doe mee")
    return anna, coordinator


async def test_joining_names_the_call(city):
    anna, _ = await joined(city)
    assert "Fijn, je doet mee aan “Bankjes bouwen aan de Leie”!" in anna.text


async def test_a_changed_call_says_what_changed(city, engine):
    anna, coordinator = await joined(city)
    await change(coordinator, "#1 Bankjes bouwen aan de Leie", "Begin", "13/3/2027 15:00")
    assert "1 persoon krijgt bericht." in coordinator.text
    await city.tick()
    [told] = anna.unread_texts()
    assert "Nieuw uur: 15.00 uur (was 14.00 uur)" in told

    await change(coordinator, "#1 Bankjes bouwen aan de Leie", "Adres", "Kortrijkstraat 5")
    await city.tick()
    [told] = anna.unread_texts()
    assert "Nieuwe plaats: Kortrijkstraat 5 (was Groeningestraat 1)" in told
    assert "Nieuw uur" not in told  # only what changed this time


async def test_a_deadline_left_at_the_start_follows_the_start(city, engine):
    anna, coordinator = await joined(city)
    await change(coordinator, "#1 Bankjes bouwen aan de Leie", "Begin", "13/3/2027 12:00")
    [call] = await rows(engine, Call)
    assert call.deadline == call.starts_at
    bert = await city.resident(2, "Bert")
    await bert.send("/agenda")
    assert "Inschrijven kan tot zaterdag 13 maart om 12.00 uur." in bert.text


async def test_the_card_shows_you_are_in_instead_of_the_join_buttons(city):
    anna, _ = await joined(city)
    await anna.send("/agenda")
    card = anna.message_with("Bankjes bouwen aan de Leie")
    assert "Je doet mee." in card["text"] and "Inschrijven kan tot" not in card["text"]
    labels = anna.button_labels(card)
    assert "Ik doe mee" not in labels and "Niet nu" not in labels
    assert "Ik kan toch niet" in labels and "In mijn agenda" in labels
    await anna.tap("Ik kan toch niet", message=card)
    assert "Wil je je uitschrijven" in anna.text


async def test_the_pause_wording_does_not_contradict_itself(city):
    anna = await city.resident(1, "Anna")
    await anna.send("/pauze")
    await anna.tap("Een week")
    assert "niets" not in anna.text and "alles" not in anna.text
    assert "Tot woensdag 17 maart 2027 stuur ik je geen oproepen, overzichten of vragen." in anna.text
    assert "Over iets waarvoor je inschreef, hoor je wel nog." in anna.text


async def test_in_the_console_a_joined_call_says_so_and_names_itself(console_coordinator, engine):
    """In the console: a resident joins from /agenda, hears which call she joined, and /agenda then
    marks it, with a way out instead of the join buttons."""
    from tests.auxil.chat import onboard

    coordinator = console_coordinator
    await coordinator.send("/oproep")
    for typed in ("Lichtfestival opbouw", "Samen lampen ophangen.", "Overslaan", "Tijd", "Klaar", "Overslaan"):
        await (coordinator.tap(typed) if typed in ("Overslaan", "Tijd", "Klaar") else coordinator.send(typed))
    await coordinator.tap("Heule")
    for typed in ("Groeningestraat 1", "13/3/2027 14:00", "13/3/2027 17:00", "0"):
        await coordinator.send(typed)
    for label in ("Overslaan", "Overslaan", "Meteen", "Klopt"):
        await coordinator.tap(label)
    anna = Chat(coordinator.bot, user_id="anna", channel="console")
    await onboard(anna, interests=("Erfgoed",))
    await anna.send("/agenda")
    await anna.tap("Ik doe mee")
    assert "Fijn, je doet mee aan “Lichtfestival opbouw”!" in anna.text
    await anna.send("/agenda")
    [card] = [reply for reply in anna.last if "Lichtfestival opbouw" in reply.text]
    assert "✅ Je doet mee." in card.text
    assert Chat.labels(card) == ["Ik kan toch niet", "Meer info", "In mijn agenda"]


async def test_the_pause_in_the_profile_is_named_in_the_readers_language(city):
    anna = await city.resident(1, "Anna")
    await anna.send("/taal")
    await anna.tap("Français")
    await anna.send("/profiel")
    assert "• Pause" in anna.text and "Pauze" not in anna.text
