"""Looking needs no yes (issue 25): /agenda before consent shows the open calls, which are public on
the page and behind a QR code; joining one still asks for consent first, and nothing is stored."""

import io

from bot.assembly import assemble
from bot.channels.console.channel import Console
from bot.config import load_settings
from storage.models import Person, SignUp
from tests.auxil.builders import publish_call
from tests.auxil.database import rows


async def test_agenda_before_consent_shows_the_calls_in_telegram_and_joining_asks_first(city, engine):
    call = await publish_call(engine, city.bot.settings, city.clock())
    nina = city.person(8, "Nina")
    await nina.send("/agenda")
    assert "📣 Bankjes bouwen" in nina.text and "Is dat goed voor jou?" not in nina.text
    assert "/start" in nina.text
    assert await rows(engine, Person) == []
    await nina.tap("Ik doe mee", nina.message_with("📣 Bankjes bouwen"))
    assert nina.text.rstrip().endswith("Is dat goed voor jou?") and await rows(engine, Person) == []
    await nina.tap("Ja, dat is goed")
    await nina.send("Nina")
    assert "Fijn, je doet mee aan “Bankjes bouwen”!" in nina.text
    [sign_up] = await rows(engine, SignUp)
    assert (sign_up.call_id, sign_up.state) == (call.id, "joined")


async def test_agenda_before_consent_in_the_console_and_with_nothing_open(engine, clock):
    out = io.StringIO()
    settings = load_settings(database_url="sqlite://", _env_file=None)
    assembly = await assemble(settings, engine=engine, clock=clock, channels=[Console("anna", io.StringIO(), out)])
    console = assembly.channels["console"]
    await console.send(console.parse("/agenda"))
    assert "Er loopt nu geen oproep." in out.getvalue() and "Kortrijk 2030" not in out.getvalue()
    await publish_call(engine, settings, clock())
    await console.send(console.parse("/agenda"))
    shown = out.getvalue().rsplit("Er loopt nu geen oproep.", 1)[1]
    assert "Bankjes bouwen" in shown and "Ik doe mee" in shown
    assert await rows(engine, Person) == []
