"""Offering time, expertise, or money/material/space; listing and withdrawing offers."""

from datetime import datetime, timezone

from storage.models import Call, Offer
from tests.auxil.chat import onboard
from tests.auxil.database import rows


async def test_offering_time_with_dates(chat, engine, clock):
    # The clock stands at Wednesday 10 March 2027.
    await onboard(chat)
    await chat.send("/tijd")
    await chat.send("veel")
    assert "Typ een getal tussen 1 en 200." in chat.text
    await chat.send("6")
    await chat.tap("'s Avonds")
    await chat.tap("Weekend")
    await chat.tap("Weekend")  # tapped again: off
    await chat.tap("Weekdagen")
    assert chat.selected == ["Weekdagen", "'s Avonds"]
    assert chat.last[0].replace == "buttons"  # toggles redraw the same message
    await chat.tap("Klaar")
    await chat.send("1/2/2027")
    assert "Die datum is al voorbij." in chat.text
    await chat.send("ooit")
    assert "Typ een datum, bijvoorbeeld 10/3/2027." in chat.text
    await chat.send("1/4/2027")
    await chat.send("15/3")
    assert "Kies donderdag 1 april 2027 of later." in chat.text
    await chat.send("30/6/2027")
    assert "• Vanaf: donderdag 1 april 2027" in chat.text
    await chat.tap("Klopt")
    assert "Je aanbod is bewaard." in chat.text
    [offer] = await rows(engine, Offer)
    assert offer.kind == "time" and offer.state == "open"
    assert offer.details == {"hours": 6, "moments": ["weekdays", "evenings"], "start": "2027-04-01"}
    assert offer.valid_until == datetime(2027, 6, 30, 23, 59, tzinfo=timezone.utc)


async def test_offering_expertise_with_tags(chat, engine):
    await onboard(chat)
    await chat.send("/kennis")
    await chat.send("Ik maak affiches en websites.")
    await chat.tap("Vormgeving")
    await chat.tap("Digitaal")
    await chat.tap("Klaar")
    await chat.tap("Overslaan")
    await chat.tap("Klopt")
    [offer] = await rows(engine, Offer)
    assert offer.kind == "expertise" and offer.valid_until is None
    assert offer.details == {"skills": "Ik maak affiches en websites.", "tags": ["design", "digital"]}


async def test_money_asks_an_amount_and_material_does_not(chat, engine):
    await onboard(chat)
    await chat.send("/geven")
    await chat.tap("Geld")
    assert "Om ongeveer hoeveel geld gaat het?" in chat.text
    await chat.tap("100 tot 500 euro")
    assert "Waarvoor mag het geld dienen?" in chat.text  # money is not described as a thing
    await chat.send("Een bijdrage voor verf en hout.")
    await chat.tap("Overslaan")
    await chat.tap("Klopt")
    await chat.send("/geven")
    await chat.tap("Een ruimte")
    await chat.send("Een zaal voor 40 mensen in Heule.")
    assert "Tot wanneer kun je dit aanbieden?" in chat.text
    await chat.tap("Overslaan")
    await chat.tap("Klopt")
    money, space = await rows(engine, Offer)
    assert money.details == {"kind": "money", "for_what": "Een bijdrage voor verf en hout.", "amount": "100-500"}
    assert space.details == {"kind": "space", "what": "Een zaal voor 40 mensen in Heule."}


async def test_offers_are_listed_and_can_be_withdrawn_once(chat, engine):
    await onboard(chat)
    await chat.send("/kennis")
    await chat.send("Fotografie")
    await chat.tap("Overslaan")
    await chat.tap("Overslaan")
    await chat.tap("Klopt")
    await chat.send("/bijdragen")
    assert "1. Kennis: Fotografie" in chat.text
    listing = chat.keyboard()
    await chat.tap("Trek 1 in")
    assert chat.text.endswith("Wil je je aanbod “Kennis: Fotografie” intrekken?")
    assert (await rows(engine, Offer))[0].state == "open"  # nothing happens before the yes
    await chat.tap("Ja, intrekken")
    assert "Je aanbod “Kennis: Fotografie” is ingetrokken." in chat.text
    await chat.tap("Ongedaan maken")
    assert "loopt weer" in chat.text and (await rows(engine, Offer))[0].state == "open"
    await chat.tap("Trek 1 in", on=listing)
    await chat.tap("Ja, intrekken")
    [offer] = await rows(engine, Offer)
    assert offer.state == "withdrawn"
    await chat.tap("Trek 1 in", on=listing)
    assert chat.notices == ["Dit aanbod is al ingetrokken."]
    await chat.send("/bijdragen")
    assert "Je hebt nog niets gedeeld." in chat.text


async def test_nobody_can_withdraw_someone_elses_offer(bot, chat, engine):
    from tests.auxil.chat import Chat

    await onboard(chat)
    await chat.send("/kennis")
    await chat.send("Fotografie")
    await chat.tap("Overslaan")
    await chat.tap("Overslaan")
    await chat.tap("Klopt")
    await chat.send("/bijdragen")
    other = Chat(bot, user_id="2002")
    await onboard(other, name="Eva")
    await other.tap("Trek 1 in", on=chat.keyboard())
    assert other.notices == ["Deze knop is verlopen."]
    assert (await rows(engine, Offer))[0].state == "open"


async def test_answers_typed_the_way_people_say_them(chat, engine, clock):
    # The clock stands at Wednesday 10 March 2027.
    await onboard(chat)
    await chat.send("/tijd")
    await chat.send("4 uur")
    await chat.send("1, 3")  # weekdays and weekends at once, by their place in the list
    await chat.send("zaterdag")
    await chat.send("14 maart")
    assert "• Wanneer: Weekdagen, Weekend" in chat.text
    assert "• Vanaf: zaterdag 13 maart 2027" in chat.text and "• Tot wanneer: zondag 14 maart 2027" in chat.text
    await chat.tap("Klopt")
    await chat.send("/geven")
    await chat.tap("Geld")
    await chat.send("€ 50")  # falls in “Minder dan 100 euro”
    await chat.send("Een bijdrage voor verf.")
    await chat.send("vanaf nu")
    await chat.tap("Klopt")
    time_offer, money = await rows(engine, Offer)
    assert time_offer.details["hours"] == 4 and time_offer.details["moments"] == ["weekdays", "weekends"]
    assert money.details["amount"] == "lt100" and money.valid_until.date().isoformat() == "2027-03-10"


async def test_a_moment_typed_as_people_write_it_and_an_end_as_only_a_time(city, engine):
    coordinator = await city.coordinator()
    await coordinator.send("/oproep")
    for answer in ("Bankjes bouwen", "Samen bouwen aan de Leie."):
        await coordinator.send(answer)
    for label in ("Overslaan", "Tijd", "Klaar", "Erfgoed", "Klaar", "Heule"):
        await coordinator.tap(label)
    await coordinator.send("Groeningestraat 1")
    await coordinator.send("morgen")  # no time
    assert "bijvoorbeeld 10/3 om 14.00 uur" in coordinator.text
    await coordinator.send("zaterdag 13 maart om 14.00 uur")
    await coordinator.send("17u")  # the end, on the day of the start
    await coordinator.send("20")
    for label in ("Overslaan", "Heule", "Klaar", "Meteen"):
        await coordinator.tap(label)
    await coordinator.tap("Klopt")
    [call] = await rows(engine, Call)
    assert (call.starts_at.isoformat(), call.ends_at.isoformat()) == (
        "2027-03-13T13:00:00+00:00",
        "2027-03-13T16:00:00+00:00",
    )


async def test_a_start_date_can_be_tapped_as_from_now(chat, engine):
    await onboard(chat)
    await chat.send("/tijd")
    await chat.send("6")
    await chat.send("1, 2")
    assert "Vanaf wanneer kun je helpen?" in chat.text and "Vanaf nu" in chat.buttons
    await chat.tap("Vanaf nu")
    await chat.tap("Overslaan")
    assert "• Vanaf: woensdag 10 maart 2027" in chat.text
