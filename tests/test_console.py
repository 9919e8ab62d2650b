"""The console channel, run as a newcomer runs it: `python -m bot console`, lines in, text out."""

import io
import os
import signal
import subprocess
import sys
import time

import pytest

from bot.assembly import assemble
from bot.channels.console.channel import Console
from bot.config import load_settings
from storage.models import Idea, Offer, Person
from tests.auxil.database import rows, sqlite_engine

pytestmark = pytest.mark.slow

ONBOARDING = ["1", "Nederlands", "Anna", "Heule", "1", "Erfgoed", "Klaar", "2", "Klaar", "Meehelpen", "Nee", "Klopt"]
IDEA_START = ["/idee", "Het Leieboord is grijs.", "Kleurrijke bankjes."]
IDEA_END = ["Overslaan", "Erfgoed", "Marke", "Ja", "Overslaan", "Klopt"]


def console(db, lines, *args, env=None):
    """Run the console to EOF with these input lines; return (exit code, output)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--db", str(db), *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=db.parent,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout


async def test_a_newcomer_onboards_and_shares_an_idea(tmp_path):
    code, output = console(tmp_path / "g.db", ONBOARDING + IDEA_START + IDEA_END)
    assert code == 0
    assert "Is dat goed voor jou?" in output
    assert "  1. Ja, dat is goed" in output
    assert "Dank je, Anna!" in output
    assert "Je idee is goed aangekomen" in output
    async with sqlite_engine(str(tmp_path / "g.db")) as engine:
        [idea] = await rows(engine, Idea)
        [person] = await rows(engine, Person)
    assert (idea.idea, idea.place, idea.author_id) == ("Kleurrijke bankjes.", "marke", person.id)


async def test_killed_mid_dialogue_it_resumes_at_the_same_step(tmp_path):
    db = tmp_path / "g.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--db", str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    process.stdin.write("\n".join(ONBOARDING + IDEA_START) + "\n")
    process.stdin.flush()
    output = ""
    deadline = time.monotonic() + 60
    while "klein uitproberen" not in output and time.monotonic() < deadline:
        output += process.stdout.readline()
    process.send_signal(signal.SIGKILL)  # no goodbye, no clean shutdown
    process.wait()
    assert "klein uitproberen" in output

    code, output = console(db, IDEA_END)
    assert code == 0
    assert output.startswith("Welkom terug! We waren hier gebleven:")
    async with sqlite_engine(str(db)) as engine:
        [idea] = await rows(engine, Idea)
    assert (idea.problem, idea.idea) == ("Het Leieboord is grijs.", "Kleurrijke bankjes.")


def test_each_user_is_a_separate_person_and_eof_ends_cleanly(tmp_path):
    code, _ = console(tmp_path / "g.db", ONBOARDING, "--user", "anna")
    assert code == 0
    code, output = console(tmp_path / "g.db", [], "--user", "bert")
    assert code == 0 and "Is dat goed voor jou?" in output
    code, output = console(tmp_path / "g.db", [], "--user", "anna")
    assert "Wat wil je doen?" in output


def test_without_tokens_plain_python_m_bot_starts_the_console(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'plain.db'}"}
    env.pop("TELEGRAM_TOKEN", None)
    env.pop("SLACK_BOT_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot"], input="", capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0
    assert "Kortrijk 2030" in result.stdout
    assert (tmp_path / "plain.db").exists()


def test_my_data_is_written_to_a_file(tmp_path):
    code, output = console(tmp_path / "g.db", ONBOARDING + ["/mijngegevens"])
    assert "gangmaker-mijn-gegevens.json" in output
    assert '"display_name": "Anna"' in (tmp_path / "gangmaker-mijn-gegevens.json").read_text()


def test_a_console_coordinator_creates_a_call_and_sees_it_arrive(tmp_path):
    db = tmp_path / "g.db"
    # Anna lives in Heule and likes heritage; without quiet hours the call reaches her at any time of day.
    console(db, ONBOARDING + ["/profiel", "Stille uren", "Geen stille uren"], "--user", "anna")
    steps = [
        "/oproep",
        "Bankjes bouwen",
        "Samen bouwen aan de Leie.",
        "Overslaan",
        "Tijd",
        "Klaar",
        "Overslaan",
        "Heule",
        "Groeningestraat 1",
        "13/3/2030 14:00",
        "13/3/2030 17:00",
        "0",
        "Overslaan",
        "Overslaan",
        "Meteen",
        "Klopt",
    ]
    code, output = console(db, steps, "--user", "coco", "--coordinator")
    assert "Je bent coördinator" in output  # no resident consent or onboarding for her
    assert "Je oproep is verstuurd naar 1 persoon." in output  # Anna
    code, output = console(db, [], "--user", "anna")
    assert "📣 Bankjes bouwen" in output
    code, output = console(db, ["/oproep"], "--user", "anna")
    assert "Dat commando ken ik niet." in output


async def test_a_typed_number_is_the_answer_where_a_number_is_asked_and_navigation_takes_none(engine, clock):
    out = io.StringIO()
    assembly = await assemble(
        load_settings(database_url="sqlite://", _env_file=None),
        engine=engine,
        clock=clock,
        channels=[Console("anna", io.StringIO(), out)],
    )
    chat = assembly.channels["console"]
    for line in ["/start", *ONBOARDING, "/tijd"]:
        await chat.send(chat.parse(line))
    assert "  1. " not in out.getvalue().rsplit("Hoeveel uur per maand", 1)[1]
    await chat.send(chat.parse("3"))  # the answer, not the third button of an older message
    asked = out.getvalue().rsplit("Wanneer kun je meestal?", 1)[1]
    assert "  1. [ ] Weekdagen" in asked and "[Terug]" in asked and "  4. " not in asked  # navigation by label
    for line in ["1", "Klaar", "11/3/2031", "Overslaan", "Klopt"]:
        await chat.send(chat.parse(line))
    [offer] = await rows(engine, Offer)
    assert offer.details["hours"] == 3 and offer.details["moments"] == ["weekdays"]
