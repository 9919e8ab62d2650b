"""How moments read (issue 25): "de 20 h à 23 h" and "from 20:00 to 23:00", and a date in another year
carries its year, in every language, on the chat's cards and on the public page."""

from datetime import datetime, timezone

from bot.i18n import translator
from tests import test_impact
from tests.auxil.builders import publish_call

NEXT_YEAR = {
    "starts_at": datetime(2028, 1, 15, 19, 0, tzinfo=timezone.utc).isoformat(),
    "ends_at": datetime(2028, 1, 15, 22, 30, tzinfo=timezone.utc).isoformat(),
}


async def test_a_call_reads_from_to_in_french_and_english_on_telegram(city, engine):
    await publish_call(engine, city.bot.settings, city.clock())  # 13 March 2027, 10.00 to 13.00 in Kortrijk
    french, english, dutch = city.person(8, "Nina", "fr"), city.person(9, "Sam", "en"), city.person(10, "Bo", "nl")
    await french.send("/agenda")
    assert "samedi 13 mars de 10\u00a0h à 13\u00a0h" in french.text
    await english.send("/agenda")
    assert "Saturday 13 March from 10:00 to 13:00" in english.text
    await dutch.send("/agenda")
    assert "zaterdag 13 maart om 10.00 uur tot 13.00 uur" in dutch.text
    assert "2027" not in french.text + english.text + dutch.text  # this year's date needs no year


async def test_a_call_in_another_year_carries_its_year_on_telegram(city, engine):
    await publish_call(engine, city.bot.settings, city.clock(), **NEXT_YEAR)
    french, dutch = city.person(8, "Nina", "fr"), city.person(10, "Bo", "nl")
    await french.send("/agenda")
    assert "samedi 15 janvier 2028 de 20\u00a0h à 23\u00a0h\u00a030" in french.text
    await dutch.send("/agenda")
    assert "zaterdag 15 januari 2028 om 20.00 uur tot 23.30 uur" in dutch.text


web = test_impact.web  # the public page's client


async def test_the_public_page_gives_the_year_of_a_call_in_another_year(web, bot, engine, clock):
    await publish_call(engine, bot.settings, clock(), **NEXT_YEAR)
    page = await (await web.get("/impact")).text()
    assert "zaterdag 15 januari 2028 om 20.00 uur" in page
    french = await (await web.get("/impact?lang=fr")).text()
    assert "samedi 15 janvier 2028 à 20\u00a0h" in french


def test_a_time_on_the_hour_and_with_minutes_in_each_language():
    moment = datetime(2027, 3, 13, 19, 5, tzinfo=timezone.utc)
    assert translator("fr", year=2027).time(moment) == "20\u00a0h\u00a005"
    assert translator("en", year=2027).datetime(moment) == "Saturday 13 March at 20:05"
    assert translator("nl", year=2026).datetime(moment) == "zaterdag 13 maart 2027 om 20.05 uur"
