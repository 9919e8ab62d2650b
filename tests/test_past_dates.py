"""A date that has just passed is asked about, not moved on a year without a word (issue 25):
"5/12 om 14u" typed on 6 December asks "Bedoel je 2027?", and "gisteren om 14u" is in the past."""

import io
from datetime import datetime, timezone

import pytest

from bot.assembly import assemble
from bot.channels.console.channel import Console
from bot.config import load_settings
from tests.auxil.chat import Chat
from tests.auxil.clock import FakeClock

SIXTH_OF_DECEMBER = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)  # a Sunday, 10.00 in Kortrijk
UP_TO_THE_START = [
    "/oproep",
    "Bankjes bouwen",
    "Samen bouwen aan de Leie.",
    "Overslaan",
    "Tijd",
    "Klaar",
    "Overslaan",
    "Heule",
]
UP_TO_THE_START += ["Groeningestraat 1"]


@pytest.fixture
def december():
    return FakeClock(SIXTH_OF_DECEMBER)


async def coordinator(engine, clock) -> Chat:
    settings = load_settings(database_url="sqlite://", coordinator_console_users="coco", _env_file=None)
    chat = Chat((await assemble(settings, engine=engine, clock=clock)).core, user_id="coco", channel="console")
    await chat.send("/start")
    for typed in UP_TO_THE_START:
        await chat.send(typed)
    assert "Wanneer begint het?" in chat.text
    return chat


async def test_a_day_just_passed_asks_whether_next_year_is_meant_and_yes_takes_it(engine, december):
    chat = await coordinator(engine, december)
    await chat.send("5/12 om 14u")
    assert "Dat is al voorbij: zaterdag 5 december om 14.00 uur. Bedoel je 2027?" in chat.text
    assert chat.buttons == ["Ja", "Nee"]
    await chat.send("ja")
    assert "Wanneer eindigt het?" in chat.text
    await chat.send("17u")  # on the day of the start: 5 December 2027
    assert "Hoeveel mensen kunnen meedoen?" in chat.text
    for typed in ("20", "4/12/2027 12:00", "Overslaan", "Meteen"):
        await chat.send(typed)
    assert "zondag 5 december 2027 om 14.00 uur" in chat.text  # the summary


async def test_no_asks_the_moment_again_and_a_new_answer_is_read_as_such(engine, december):
    chat = await coordinator(engine, december)
    await chat.send("5/12 om 14u")
    await chat.tap("Nee")
    assert "Typ het dan nog eens" in chat.text and "Wanneer begint het?" in chat.text
    await chat.send("5/12 om 14u")
    assert "Bedoel je 2027?" in chat.text
    await chat.send("12/12 om 14u")  # not a yes or a no: a new answer
    assert "Wanneer eindigt het?" in chat.text


async def test_yesterday_gets_a_specific_answer(engine, december):
    chat = await coordinator(engine, december)
    await chat.send("gisteren om 14u")
    assert "Dat moment is al voorbij. Kies een moment in de toekomst." in chat.text
    assert "Wanneer begint het?" in chat.text


async def test_in_the_console_the_question_is_numbered_and_1_is_yes(engine, december):
    out = io.StringIO()
    settings = load_settings(database_url="sqlite://", coordinator_console_users="coco", _env_file=None)
    assembly = await assemble(settings, engine=engine, clock=december, channels=[Console("coco", io.StringIO(), out)])
    console = assembly.channels["console"]
    for line in ["/start", *UP_TO_THE_START, "5/12 om 14u"]:
        await console.send(console.parse(line))
    asked = out.getvalue().rsplit("Wanneer begint het?", 1)[1]
    assert "Bedoel je 2027?\n  1. Ja\n  2. Nee" in asked
    await console.send(console.parse("1"))
    assert "Wanneer eindigt het?" in out.getvalue().rsplit("Bedoel je 2027?", 1)[1]


async def test_a_date_long_past_is_next_years_without_asking(engine, december):
    chat = await coordinator(engine, december)
    await chat.send("14/3 om 14u")
    assert "Wanneer eindigt het?" in chat.text and "Bedoel je" not in chat.text
