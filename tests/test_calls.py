"""Calls for participation, one behaviour at a time: who may create them, answers, waitlist,
pause, digest, nudges, offer renewal, deep links and the calendar file."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from handlers.calls import service as call_service
from storage.models import Call, Offer, OutboxMessage, Person, SignUp
from tests.auxil.builders import publish_call
from tests.auxil.database import rows
from tests.auxil.people import add_residents
from tests.auxil.telegram_user import create_call, onboard


async def test_only_coordinators_reach_the_coordinator_commands(city, engine):
    anna = await city.resident(1, "Anna")
    await anna.send("/oproep")
    assert "Dat commando ken ik niet." in anna.text
    await anna.send("/oproepen")
    assert "Dat commando ken ik niet." in anna.text
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Klopt")
    await coordinator.send("/oproepen")
    await coordinator.tap("#1 Bankjes bouwen aan de Leie")
    listing = coordinator.keyboard_message()
    await anna.tap("Annuleren", message=listing)  # a forwarded or guessed button
    assert anna.toasts == ["Deze knop is verlopen. Gebruik de knoppen onder het laatste bericht."]
    assert (await rows(engine, Call))[0].state == "published"


async def test_the_summary_shows_reach_and_fitting_offers_before_publishing(city, engine):
    anna = await city.resident(1, "Anna")
    await anna.send("/tijd")
    await anna.send("10")
    await anna.tap("Weekend")
    await anna.tap("Klaar")
    await anna.send("11/3/2027")
    await anna.tap("Overslaan")
    await anna.tap("Klopt")
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    assert "Mensen die de oproep krijgen: 1. Mensen met een passend aanbod: 1." in coordinator.text
    assert "• Voor wie: iedereen" in coordinator.text and "• Inschrijven tot: tot het begin" in coordinator.text
    assert "• Begin: zaterdag 13 maart 2027 om 14.00 uur" in coordinator.text  # the year, while choosing
    assert "10 uur per maand" in coordinator.text
    await coordinator.tap("Klopt")
    assert "Je oproep is verstuurd naar 1 persoon." in coordinator.text


async def anna_joined_a_call(city):
    """A coordinator's call, published; Anna joined; the coordinator looks at /oproepen."""
    anna = await city.resident(1, "Anna")
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Klopt")
    await city.tick()
    await anna.tap("Ik doe mee")
    await coordinator.send("/oproepen")  # one message for all calls; a tap opens one
    assert "#1 Bankjes bouwen aan de Leie" in coordinator.text and "ingeschreven: 1" in coordinator.text
    await coordinator.tap("#1 Bankjes bouwen aan de Leie")
    return anna, coordinator


async def test_cancelling_a_call_tells_everyone_signed_up_why(city, engine):
    anna, coordinator = await anna_joined_a_call(city)
    await coordinator.tap("Annuleren")
    await coordinator.tap("Ja, annuleren")
    assert "Waarom gaat het niet door?" in coordinator.text
    await coordinator.send("De brug is afgesloten voor werken.")
    assert "De oproep is geannuleerd. 1 persoon krijgt bericht." in coordinator.text
    await city.tick()
    [notice] = anna.unread_texts()
    assert "gaat niet door" in notice and "De reden: De brug is afgesloten voor werken." in notice
    await anna.tap("Ik doe mee", message=anna.message_with("📣"))
    assert "Deze activiteit gaat niet door." in anna.text and "De brug is afgesloten" in anna.text
    await coordinator.send("/oproepen")
    assert "geannuleerd" in coordinator.text  # still listed, marked
    await coordinator.tap("#1 Bankjes bouwen aan de Leie")
    assert "Reden: De brug is afgesloten voor werken." in coordinator.text
    assert "reply_markup" not in coordinator.message_with("Reden:")  # nothing left to do


async def test_a_coordinator_sees_who_joined_and_writes_to_them(city, engine):
    anna, coordinator = await anna_joined_a_call(city)
    await coordinator.tap("Deelnemers")
    assert "Ingeschreven voor “Bankjes bouwen aan de Leie”: 1" in coordinator.text and "• Anna" in coordinator.text
    await coordinator.tap("✉️ Bericht aan iedereen")
    await coordinator.send("Breng handschoenen mee!")
    await coordinator.tap("Klopt")
    assert "Je bericht gaat naar 1 persoon." in coordinator.text
    await city.tick()
    [message] = anna.unread_texts()
    assert "Bericht over Bankjes bouwen aan de Leie" in message and "van Coco" in message
    assert message.endswith("Breng handschoenen mee!")


async def test_joining_after_the_deadline_gets_a_clear_answer(city, engine):
    anna = await city.resident(1, "Anna")
    await publish_call(
        engine,
        city.bot.settings,
        city.clock(),
        deadline=(city.clock() + timedelta(hours=1)).isoformat(),
        themes=["heritage"],
    )
    await city.tick()
    city.clock.advance(hours=2)
    await anna.tap("Ik doe mee")
    assert "Inschrijven kon tot" in anna.text
    assert await rows(engine, SignUp) == []


async def test_more_info_and_calendar_file(city, engine, fake_telegram):
    anna = await city.resident(1, "Anna")
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    await anna.tap("Meer info")
    assert "Samen bouwen." in anna.text and "openstreetmap.org" in anna.text
    assert anna.button_labels(anna.message_with("Samen bouwen.")) == ["Ik doe mee", "Niet nu", "In mijn agenda"]
    await anna.tap("In mijn agenda")
    [document] = [c for c in anna.last if c.method == "sendDocument"]
    ics = document.params["document"].content.decode()
    assert "BEGIN:VEVENT" in ics and "SUMMARY:Bankjes bouwen" in ics
    assert "LOCATION:Groeningestraat 1\\, Kortrijk" in ics  # with the city, for a map app


async def test_what_is_on_shows_open_calls_those_that_fit_first_and_why(city, engine):
    settings, now = city.bot.settings, city.clock()
    await publish_call(
        engine,
        settings,
        now,
        title="Zingen in Marke",
        neighbourhood="marke",
        target_neighbourhoods=["marke"],
        capacity=1,
    )
    await publish_call(
        engine, settings, now, title="Bankjes bouwen", themes=["heritage"], target_neighbourhoods=["heule"]
    )
    dirk = await city.resident(4, "Dirk", neighbourhood="Marke")
    await dirk.tap("Ik doe mee", dirk.message_with("Zingen in Marke"))  # the only place
    anna = city.person(1, "Anna")
    await onboard(anna)  # after both were published: she is shown what fits her at once
    assert "Dit loopt er nu en past bij jou:" in anna.texts
    fitting = anna.message_with("Bankjes bouwen")
    assert "Omdat je koos voor Erfgoed in Heule." in fitting["text"]
    await anna.send("/agenda")
    titles = [text.split("\n")[0] for text in anna.texts if text.startswith("📣")]
    assert titles[-2:] == ["📣 Bankjes bouwen", "📣 Zingen in Marke"]  # what fits her first
    full = anna.message_with("Zingen in Marke")
    assert "Omdat" not in full["text"]
    assert anna.button_labels(full)[0] == "Op de wachtlijst"
    await anna.tap("Op de wachtlijst", full)
    assert "Je staat op de wachtlijst, op plaats 1." in anna.text


async def test_an_unconfirmed_place_passes_to_the_next_in_line(city, engine):
    anna, bert, cleo = [await city.resident(n, name) for n, name in ((1, "Anna"), (2, "Bert"), (3, "Cleo"))]
    await publish_call(engine, city.bot.settings, city.clock(), capacity=1)
    await city.tick()
    for person in (anna, bert, cleo):
        await person.tap("Ik doe mee")
    assert "plaats 2" in cleo.text
    await anna.send("/mijnoproepen")
    await anna.tap("Uitschrijven 1")
    await anna.tap("Ja, uitschrijven")
    await city.tick()
    assert "er is een plaats vrij" in bert.unread_texts()[0]
    await city.tick(hours=13)  # Bert never answered; it is night now
    assert cleo.unread() == []  # her turn starts when her quiet hours end
    await city.tick(hours=10)
    assert "er is een plaats vrij" in cleo.unread_texts()[0]
    [passed] = bert.unread_texts()
    assert "niet op tijd" in passed and "Wil je opnieuw op de wachtlijst?" in passed  # told, not left guessing
    await bert.tap("Ja, ik kom", bert.message_with("er is een plaats vrij"))
    assert "niet meer vrij" in bert.text
    await cleo.tap("Ja, ik kom")
    states = {s.person_id: s.state for s in await rows(engine, SignUp)}
    assert sorted(states.values()) == ["cancelled", "joined", "passed"]
    await bert.tap("Terug op de wachtlijst")
    assert "Je staat op de wachtlijst, op plaats 1." in bert.text


async def test_an_offered_place_is_shown_as_offered_and_ik_doe_mee_confirms_it(city, engine):
    city.clock.now = datetime(2027, 3, 10, 21, 34, tzinfo=timezone.utc)  # 22.34 in Kortrijk, in quiet hours
    anna, bert = [await city.resident(n, name) for n, name in ((1, "Anna"), (2, "Bert"))]
    async with city.bot.core.sessions() as session, session.begin():  # no quiet hours for the call itself
        for person in await session.scalars(select(Person)):
            person.quiet_start = person.quiet_end = 0
    await publish_call(engine, city.bot.settings, city.clock(), capacity=1)
    await city.tick()
    await anna.tap("Ik doe mee")
    await bert.tap("Ik doe mee")
    await bert.tap("Ik doe mee", bert.message_with("📣 Bankjes bouwen"))
    assert bert.toasts == ["Je staat al op de wachtlijst, op plaats 1."]
    async with city.bot.core.sessions() as session, session.begin():  # Bert sleeps from 22.00 to 8.15
        person = await session.get(Person, 2)
        person.quiet_start, person.quiet_end = 22 * 60, 8 * 60 + 15
    await anna.send("/mijnoproepen")
    await anna.tap("Uitschrijven 1")
    await anna.tap("Ja, uitschrijven")
    await city.tick()
    assert bert.unread() == []  # not at night
    city.clock.now = datetime(2027, 3, 11, 7, 16, tzinfo=timezone.utc)  # 8.16
    await city.tick()
    [offer] = bert.unread_texts()
    assert "Laat het weten vóór donderdag 11 maart om 21.00 uur." in offer  # 12 hours from 8.15, a whole hour
    await bert.send("/mijnoproepen")
    assert "er is een plaats voor jou: bevestig vóór donderdag 11 maart om 21.00 uur" in bert.text
    await bert.tap("Ik doe mee", bert.message_with("📣 Bankjes bouwen"))
    assert "Super, de plaats is voor jou!" in bert.text
    assert {s.person_id: s.state for s in await rows(engine, SignUp)}[2] == "joined"


async def test_pause_stops_calls_but_not_reminders(city, engine):
    anna = await city.resident(1, "Anna")
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    await anna.tap("Ik doe mee")
    await anna.send("/pauze")
    assert "Ik stuur je dan geen oproepen, overzichten of vragen." in anna.text
    await anna.tap("Tot ik het zeg")
    assert "Tot je /pauze typt" in anna.text
    await publish_call(engine, city.bot.settings, city.clock(), title="Tweede oproep")
    await city.tick()
    assert anna.unread() == []
    await city.tick(days=2, hours=1)  # within 24 hours of the first call
    assert any("Niet vergeten" in text for text in anna.unread_texts())
    await anna.tap("Toch weer alles aan", message=anna.message_with("Toch weer alles aan"))
    assert (await rows(engine, Person))[0].paused is False


async def test_a_pause_for_a_week_is_shown_and_ends_by_itself(city, engine):
    anna = await city.resident(1, "Anna")
    await anna.send("/pauze")
    await anna.tap("Een week")
    assert "Tot woensdag 17 maart 2027" in anna.text  # the clock stands at Wednesday 10 March
    await anna.send("/pauze")  # again: no second pause, but until when and how to end it
    assert "Je pauze loopt tot woensdag 17 maart 2027" in anna.text and "Ja, alles weer aan" in anna.button_labels()
    await anna.send("/profiel")
    assert "• Pauze: tot woensdag 17 maart 2027" in anna.text
    await city.tick(days=7, hours=1)
    [person] = await rows(engine, Person)
    assert (person.paused, person.paused_until) == (False, None)
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    assert any("📣 Bankjes bouwen" in text for text in anna.unread_texts())


async def test_monday_digest_goes_once_to_those_who_asked(city, engine):
    city.clock.now = datetime(2027, 3, 14, 12, 0, tzinfo=timezone.utc)  # Sunday
    wants = await city.resident(1, "Anna", digest=True)
    skips = await city.resident(2, "Bert", digest=False)
    await publish_call(engine, city.bot.settings, city.clock(), themes=["heritage"])
    await city.tick()
    wants.unread(), skips.unread()  # the call itself
    city.clock.now = datetime(2027, 3, 15, 8, 30, tzinfo=timezone.utc)  # Monday 09:30 local
    await city.tick()
    assert wants.unread() == []
    await city.tick(minutes=31)  # 10:01
    [digest] = wants.unread_texts()
    assert "Dit zijn de oproepen van deze week" in digest and "Bankjes bouwen" in digest
    assert skips.unread() == []
    await city.tick(hours=3)
    assert wants.unread() == []
    await wants.tap("Bekijk 1")
    assert "📣 Bankjes bouwen" in wants.text


async def test_a_call_reaches_who_chose_to_help_or_both_and_not_who_chose_only_to_think(city, engine, fake_telegram):
    thinker = await city.resident(1, "Anna", level="Meedenken")
    helper = await city.resident(2, "Bert", level="Meehelpen")
    both = await city.resident(3, "Chris", level="Allebei")
    [never_chose] = await add_residents(engine, fake_telegram, 1, city.clock(), level=None)
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    assert "Mensen die de oproep krijgen: 3." in coordinator.text  # the preview counts whom it reaches
    await coordinator.tap("Klopt")
    assert "Je oproep is verstuurd naar 3 mensen." in coordinator.text
    await city.tick()
    assert thinker.unread() == []
    for person in (helper, both, never_chose):
        assert any("📣 Bankjes bouwen aan de Leie" in text for text in person.unread_texts())
    await thinker.send("/agenda")  # asked for, she still sees what runs
    assert "Bankjes bouwen aan de Leie" in thinker.text


async def test_after_onboarding_only_who_chose_to_help_is_shown_the_calls_that_fit(city, engine):
    await publish_call(engine, city.bot.settings, city.clock(), themes=["heritage"])
    thinker, helper = city.person(1, "Anna"), city.person(2, "Bert")
    await onboard(thinker, "Anna", level="Meedenken")
    assert "Dit loopt er nu en past bij jou:" not in thinker.texts and "Wat wil je doen?" in thinker.text
    await onboard(helper, "Bert")
    assert "Dit loopt er nu en past bij jou:" in helper.texts


async def test_mondays_overview_leaves_out_calls_for_who_chose_only_to_think(city, engine):
    city.clock.now = datetime(2027, 3, 14, 12, 0, tzinfo=timezone.utc)  # Sunday
    thinker = await city.resident(1, "Anna", digest=True, level="Meedenken")
    helper = await city.resident(2, "Bert", digest=True)
    await publish_call(engine, city.bot.settings, city.clock(), themes=["heritage"])
    await city.tick()
    thinker.unread(), helper.unread()  # the call itself
    city.clock.now = datetime(2027, 3, 15, 9, 1, tzinfo=timezone.utc)  # Monday 10:01 local
    await city.tick()
    [overview] = helper.unread_texts()
    assert "Dit zijn de oproepen van deze week" in overview
    assert thinker.unread() == []


async def test_choosing_both_in_the_profile_brings_the_next_call(city, engine):
    anna = await city.resident(1, "Anna", level="Meedenken")
    await publish_call(engine, city.bot.settings, city.clock(), title="Bankjes bouwen")
    await city.tick()
    assert anna.unread() == []
    await anna.send("/profiel")
    assert "• Meedenken of meehelpen: Meedenken (je krijgt vragen over plannen en projecten)" in anna.text
    await anna.tap("Meedenken of meehelpen")
    assert "Meehelpen: je krijgt oproepen om ergens mee te helpen." in anna.text
    await anna.tap("Allebei")
    assert "Opgeslagen." in anna.text and "• Meedenken of meehelpen: Allebei" in anna.text
    assert (await rows(engine, Person))[0].level == "both"
    await publish_call(engine, city.bot.settings, city.clock(), title="Bloembakken vullen")
    await city.tick()
    assert any("📣 Bloembakken vullen" in text for text in anna.unread_texts())


async def test_who_chooses_only_to_think_before_a_waiting_call_goes_out_does_not_get_it(city, engine):
    city.clock.now = datetime(2027, 3, 10, 21, 30, tzinfo=timezone.utc)  # 22:30 local: quiet hours
    anna = await city.resident(1, "Anna")
    await publish_call(engine, city.bot.settings, city.clock(), themes=["heritage"])
    await city.tick()
    await anna.send("/profiel")
    await anna.tap("Meedenken of meehelpen")
    await anna.tap("Meedenken")
    anna.unread()
    await city.tick(hours=11)  # 09:30 local, after her quiet hours
    assert anna.unread() == []


async def test_one_nudge_after_a_day_of_unfinished_onboarding(city, engine):
    eva = city.person(7, "Eva")
    await eva.send("/start")
    await eva.tap("Ja, dat is goed")
    await eva.tap("Nederlands")
    await city.tick(hours=23)
    assert eva.unread() == []
    await city.tick(hours=2)
    [nudge] = eva.unread_texts()
    assert "Zullen we verdergaan?" in nudge
    await eva.tap("Ja, verder")
    assert "Hoe mag ik je noemen?" in eva.text
    await city.tick(days=2)
    assert eva.unread() == []


async def test_an_ending_offer_can_be_renewed_with_one_tap(city, engine):
    anna = await city.resident(1, "Anna")
    await anna.send("/kennis")
    await anna.send("Fotografie")
    await anna.tap("Overslaan")
    await anna.send("20/3/2027")
    await anna.tap("Klopt")
    await city.tick(days=2)  # 12 March: eight days before the end
    assert anna.unread() == []
    await city.tick(days=2)
    [question] = anna.unread_texts()
    assert "Je aanbod loopt af op zaterdag 20 maart 2027" in question
    await anna.tap("Verlengen")
    [offer] = await rows(engine, Offer)
    assert offer.valid_until.date().isoformat() == "2027-06-19"


async def test_a_deep_link_opens_the_call_even_for_a_newcomer(city, engine):
    call = await publish_call(engine, city.bot.settings, city.clock())
    anna = await city.resident(1, "Anna")
    await anna.send(f"/start c{call.id}")
    assert "📣 Bankjes bouwen" in anna.text
    await anna.send("/start zomaar")  # a link that means nothing: the menu, not silence
    assert "Wat wil je doen?" in anna.text


async def test_a_link_shows_a_newcomer_the_call_first_and_joining_asks_only_a_name(city, engine):
    call = await publish_call(engine, city.bot.settings, city.clock())
    nina = city.person(8, "Nina")
    await nina.send(f"/start c{call.id}")
    assert "📣 Bankjes bouwen" in nina.text and "Is dat goed voor jou?" not in nina.text
    await nina.tap("Meer info")  # public: nothing needs to be stored for it
    assert "Samen bouwen." in nina.text and await rows(engine, Person) == []
    await nina.tap("Ik doe mee", nina.message_with("📣 Bankjes bouwen"))
    assert nina.text.rstrip().endswith("Is dat goed voor jou?") and await rows(engine, Person) == []
    await nina.tap("Ja, dat is goed")
    assert "Hoe mag ik je noemen?" in nina.text
    await nina.send("Nina")
    assert "Fijn, je doet mee aan" in nina.text
    [sign_up] = await rows(engine, SignUp)
    assert sign_up.state == "joined"
    [person] = await rows(engine, Person)
    assert person.onboarded_at is None  # no calls until she says what fits her
    await nina.tap("Ja, vraag maar")
    assert "Waar woon of werk je?" in nina.text  # her language and name are not asked again
    for label in ("Heule", "Inwoner", "Erfgoed", "Klaar", "Tijd", "Klaar", "Meehelpen", "Nee", "Klopt"):
        await nina.tap(label)
    [person] = await rows(engine, Person)
    assert (person.display_name, person.neighbourhood, person.onboarded_at is not None) == ("Nina", "heule", True)


async def test_a_link_to_a_call_not_open_yet_or_unknown_says_which(city, engine):
    now = city.clock()
    async with city.bot.core.sessions() as session, session.begin():
        scheduled = call_service.new_call(
            {
                "title": "Bankjes bouwen",
                "description": "Samen bouwen.",
                "address": "Groeningestraat 1",
                "starts_at": (now + timedelta(days=9)).isoformat(),
                "ends_at": (now + timedelta(days=9, hours=2)).isoformat(),
                "publish_at": (now + timedelta(days=1)).isoformat(),
            },
            None,
            now,
        )
        session.add(scheduled)
    assert scheduled.state == "scheduled"
    nina = city.person(8, "Nina")
    await nina.send(f"/start c{scheduled.id}")
    assert "Deze oproep staat nog niet open." in nina.text and "Bankjes" not in nina.text
    assert "Is dat goed voor jou?" in nina.text  # and the welcome, as for any newcomer
    await nina.send("/start c999")
    assert "Deze oproep vind ik niet." in nina.text


async def test_the_coordinator_marks_who_came(city, engine):
    anna = await city.resident(1, "Anna")
    bert = await city.resident(2, "Bert")
    coordinator = await city.coordinator()
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    await anna.tap("Ik doe mee")
    await bert.tap("Ik doe mee")
    city.clock.advance(days=3, hours=4)
    await coordinator.send("/oproepen")
    await coordinator.tap("#1 Bankjes bouwen")
    await coordinator.tap("Aanwezigheid")
    assert coordinator.button_labels() == ["Anna", "Bert"]
    await coordinator.tap("Anna")
    await coordinator.tap("Bert")
    await coordinator.tap("Bert")
    assert coordinator.button_labels() == ["✅ Anna", "❌ Bert"]
    states = sorted(s.state for s in await rows(engine, SignUp))
    assert states == ["attended", "no_show"]


async def test_changing_a_published_call_tells_who_signed_up(city, engine):
    anna, coordinator = await anna_joined_a_call(city)
    await coordinator.tap("Aanpassen")
    assert "Dit is je oproep:" in coordinator.text  # straight to the summary
    await coordinator.tap("Aanpassen")
    await coordinator.tap("Adres")
    await coordinator.send("Lange Steenstraat 10")
    await coordinator.tap("Klopt")
    assert "De oproep is aangepast. 1 persoon krijgt bericht." in coordinator.text
    [call] = await rows(engine, Call)
    assert call.address == "Lange Steenstraat 10" and call.state == "published"
    await city.tick()
    [changed] = anna.unread_texts()
    assert "Er is iets veranderd" in changed and "Lange Steenstraat 10" in changed


async def test_my_data_includes_sign_ups_feedback_and_messages(city, engine):
    import json

    anna = await city.resident(1, "Anna")
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    await anna.tap("Ik doe mee")
    await city.tick(days=3, hours=5)  # after the end: the follow-up
    await anna.tap("5")
    await anna.send("Top!")
    await anna.send("/mijngegevens")
    [document] = [c for c in anna.last if c.method == "sendDocument"]
    data = json.loads(document.params["document"].content)
    assert [s["state"] for s in data["sign_ups"]] == ["joined"]
    assert [(f["rating"], f["remark"]) for f in data["feedback"]] == [(5, "Top!")]
    assert [m["purpose"] for m in data["messages_to_you"]] == ["call", "followup"]
    await anna.send("/vergeet")
    await anna.tap("Ja, wis mijn gegevens")
    assert await rows(engine, SignUp) == [] and await rows(engine, OutboxMessage) == []


@pytest.mark.dialect  # queued once: INSERT ... ON CONFLICT DO NOTHING, as each database spells it
async def test_after_downtime_late_work_runs_once(city, engine):
    from bot.scheduler import Jobs

    anna = await city.resident(1, "Anna")
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    await anna.tap("Ik doe mee")
    city.clock.advance(days=2, hours=23)  # the bot was down past the 24-hour reminder, up before the 2-hour one
    assembly = city.bot.assembly
    for _ in range(2):  # two restarts in a row
        jobs = Jobs(assembly.core.sessions, assembly.settings, assembly.app.checks)
        dispatcher = assembly.new_dispatcher()
        await jobs.run_due(city.clock())
        await dispatcher.drain()
    [reminder] = anna.unread_texts()
    assert "Niet vergeten" in reminder
    purposes = sorted(row.purpose for row in await rows(engine, OutboxMessage))
    assert purposes == ["call", "reminder"]


async def test_a_forged_switch_button_does_not_open_coordinator_commands(city, engine):
    anna = await city.resident(1, "Anna")
    await anna.send("/idee")
    await anna.send("/tijd")  # asks whether to switch: the bot's own switch buttons
    switch = anna.keyboard_message()
    forged = {**switch, "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "switch|oproep"}]]}}
    await anna.tap("x", message=forged)
    assert "Wat is de titel" not in anna.text
    assert "Wat kan beter in je buurt" in anna.text  # back to her own dialogue


async def test_editing_a_call_to_publish_now_asks_the_moment_and_checks_the_times(city, engine):
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Aanpassen")
    await coordinator.tap("Publiceren")
    await coordinator.tap("Later")  # a new step applies now: its moment
    await coordinator.tap("Terug")
    await coordinator.tap("Klopt")
    assert "Deze vraag moet je nog beantwoorden." in coordinator.text
    await coordinator.send("14/3/2027 10:00")  # after the start
    await coordinator.tap("Klopt")
    assert "De oproep moet verstuurd worden voor het begin." in coordinator.text
    await coordinator.send("12/3/2027 10:00")
    await coordinator.tap("Klopt")
    [call] = await rows(engine, Call)
    assert call.state == "scheduled"


async def test_erasing_someone_with_a_place_gives_it_to_the_waitlist(city, engine):
    anna = await city.resident(1, "Anna")
    bert = await city.resident(2, "Bert")
    await publish_call(engine, city.bot.settings, city.clock(), capacity=1)
    await city.tick()
    await anna.tap("Ik doe mee")
    await bert.tap("Ik doe mee")
    await anna.send("/vergeet")
    await anna.tap("Ja, wis mijn gegevens")
    await city.tick()
    assert "er is een plaats vrij" in bert.unread_texts()[0]


async def test_a_long_deep_link_still_gets_the_welcome(city):
    newcomer = city.person(9, "Nina")
    await newcomer.send("/start " + "x" * 60)
    assert "Is dat goed voor jou?" in newcomer.text


async def test_people_silent_for_too_long_are_warned_a_month_before_they_are_erased(city, engine):
    from storage.models import AuditEvent

    anna = await city.resident(1, "Anna")
    bert = await city.resident(2, "Bert")
    await city.tick(days=30 * 23 - 1)
    assert anna.unread_texts() == []
    await city.tick(days=2)  # a month before: warned, once
    [warning] = anna.unread_texts()
    assert "Over 29 dagen wis ik je gegevens" in warning
    await city.tick(days=1)
    assert anna.unread_texts() == [] and len(bert.unread_texts()) == 1
    await bert.tap("Ik blijf erbij")
    assert "Fijn dat je blijft!" in bert.text
    await city.tick(days=29)
    assert [p.display_name for p in await rows(engine, Person)] == ["Bert"]
    assert (await rows(engine, AuditEvent))[-1].detail["reason"] == "inactive"


async def test_a_call_can_have_its_own_reminders(city, engine):
    coordinator = await city.coordinator()
    await coordinator.send("/oproep")
    for text in ("Bankjes bouwen", "Samen bouwen."):
        await coordinator.send(text)
    for label in ("Overslaan", "Tijd", "Klaar", "Overslaan", "Heule"):
        await coordinator.tap(label)
    for text in ("Groeningestraat 1", "13/3/2027 14:00", "13/3/2027 17:00", "0"):
        await coordinator.send(text)
    for label in ("Overslaan", "Overslaan", "Meteen"):
        await coordinator.tap(label)
    assert "• Herinneringen: 1 dag en 2 uur vooraf" in coordinator.text  # not asked: the usual, changed here
    for label in ("Aanpassen", "Herinneringen", "1 uur vooraf", "Klaar", "Klopt"):
        await coordinator.tap(label)
    [call] = await rows(engine, Call)
    assert call.reminder_minutes == [60]


async def test_a_call_is_asked_in_a_dozen_questions_and_can_carry_english_and_french_texts(city, engine):
    eve = await city.resident(1, "Eve")
    await eve.send("/profiel")
    await eve.tap("Taal")
    await eve.tap("English")
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    questions = [
        m
        for m in coordinator.fake.chats[coordinator.id].messages.values()
        if m.get("reply_markup") or m["text"].rstrip().endswith("?")
    ]
    assert len([m for m in questions if "Klopt dit?" not in m["text"]]) <= 14  # the languages: one skippable step
    summary = coordinator.text
    for line in ("• Voor wie: iedereen", "• Talen: iedereen", "• Ook in: alleen Nederlands"):
        assert line in summary
    await coordinator.tap("Aanpassen")
    await coordinator.tap("Ook in")
    await coordinator.tap("Engels")
    await coordinator.tap("Klaar")
    await coordinator.send("Building benches by the Leie")  # asked in turn, now that they apply
    await coordinator.send("We build five benches together.")
    assert "• Titel in het Engels: Building benches by the Leie" in coordinator.text
    await coordinator.tap("Klopt")
    await city.tick()
    [card] = eve.unread_texts()
    assert "Building benches by the Leie" in card and "Bankjes" not in card
    [call] = await rows(engine, Call)
    assert call.title == {"nl": "Bankjes bouwen aan de Leie", "en": "Building benches by the Leie"}


async def test_a_coordinators_export_holds_their_calls_which_stay_without_their_name_after_erasure(city, engine):
    import json

    coordinator = await city.coordinator()
    await create_call(coordinator)
    await coordinator.tap("Klopt")
    await coordinator.send("/mijngegevens")
    assert "Oproepen die je maakte: 1" in coordinator.text
    [document] = [c for c in coordinator.last if c.method == "sendDocument"]
    data = json.loads(document.params["document"].content)
    assert [c["title"]["nl"] for c in data["calls_you_created"]] == ["Bankjes bouwen aan de Leie"]
    await coordinator.send("/vergeet")
    assert "blijven staan voor wie meedoet, maar zonder je naam" in coordinator.text
    await coordinator.tap("Ja, wis mijn gegevens")
    [call] = await rows(engine, Call)
    assert call.created_by is None and call.title["nl"] == "Bankjes bouwen aan de Leie"
