"""What a first walk found in the impact figures: `/mijnimpact` counts only calls that began, the
public page says plainly that no call is over yet under the one it lists, and the report's first
page is filled under its headline figures."""

import re
import zlib
from datetime import timedelta

from bot.i18n import translator
from handlers.impact import figures as impact
from handlers.impact import report
from storage.db import session_factory
from tests import test_impact
from tests.auxil.builders import publish_call
from tests.auxil.chat import onboard
from tests.auxil.impact_seed import local, seed

APRIL_FIRST = local(2030, 4, 1, 8)


async def test_my_impact_does_not_count_a_call_still_to_come(chat, engine, clock, settings):
    await onboard(chat, name="Anna", interests=("Erfgoed",))
    await publish_call(engine, settings, clock())  # three days ahead, for Heule's residents who give time
    await chat.send("/agenda")
    await chat.tap("Ik doe mee")
    await chat.send("/mijnimpact")
    assert "deed mee aan 1 oproep" not in chat.text
    assert "Binnenkort doe je mee aan 1 oproep." in chat.text
    clock.advance(days=4)
    await chat.send("/mijnimpact")
    assert "deed mee aan 1 oproep" in chat.text and "Binnenkort" not in chat.text


web = test_impact.web  # the public page's client


async def test_the_public_page_does_not_say_nothing_yet_under_a_listed_call(web, engine, clock, settings):
    await publish_call(engine, settings, clock(), title="Lentepicknick")
    page = await (await web.get("/impact")).text()
    assert "Lentepicknick" in page
    calls = page.split("<h2>Oproepen</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Nog niets." not in calls
    assert "Zodra een oproep voorbij is, zie je hier hoeveel mensen meededen." in calls


def text_heights(page: bytes) -> list[float]:
    """Where each text of a PDF page stands, in points from the bottom of the page."""
    return [float(y) for y in re.findall(rb"1 0 -?0 1 [\d.]+ ([\d.]+) cm\nBT", page)]


async def test_the_reports_first_page_is_filled_under_its_headline_figures(engine):
    await seed(engine, APRIL_FIRST)
    start, end = impact.period(*(APRIL_FIRST.date() - timedelta(days=31), APRIL_FIRST.date()), "Europe/Brussels")
    async with session_factory(engine)() as session:
        figures = await impact.gather(session, start, end, locale="nl")
    pdf = report.report_pdf(figures, translator("nl"), APRIL_FIRST)
    first = zlib.decompressobj().decompress(re.search(rb"stream\n(.*?)endstream", pdf, re.S).group(1))
    heights = text_heights(first)
    assert heights and min(heights) < 100  # the rule, at the foot of the page
    # ...and the charts start on the first page, in what was its empty lower half
    assert any(100 < y < 380 for y in heights), sorted(heights)
