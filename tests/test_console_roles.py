"""Every role can be tried in the console: a resident shares an idea, a coordinator publishes it,
a partner takes it up, and the partner and the resident write to each other through the bot."""

import io
import os
import subprocess
import sys

import pytest

from bot.assembly import assemble
from bot.channels.console.channel import Console
from bot.config import load_settings
from storage.db import session_factory
from storage.models import Organisation, Relay
from tests.auxil.database import rows

ONBOARDING = ["1", "Nederlands", "Anna", "Heule", "1", "Erfgoed", "Klaar", "2", "Klaar", "Meehelpen", "Nee", "Klopt"]
IDEA = ["/idee", "Het Leieboord is grijs.", "Kleurrijke bankjes.", "Overslaan", "Erfgoed", "Heule", "Ja"]
IDEA += ["Overslaan", "Klopt"]
SETTINGS = dict(
    database_url="sqlite://",
    coordinator_console_users="coco",
    partner_console_users="bert=Buurtwerk",
    _env_file=None,
)


class Terminal:
    """One person at a console on the shared database: type lines, let due pushes arrive, read."""

    def __init__(self, assembly, out):
        self.assembly, self.out, self.read = assembly, out, 0
        self.chat = assembly.channels["console"]

    async def type(self, *lines):
        for line in lines:
            await self.chat.send(self.chat.parse(line))

    async def arrive(self):
        await self.assembly.dispatcher.drain()

    def new(self) -> str:
        """What was printed since the last look."""
        text, self.read = self.out.getvalue()[self.read :], len(self.out.getvalue())
        return text

    def number(self, label: str) -> str:
        """The number of the newest button with this label."""
        line = next(line for line in reversed(self.out.getvalue().splitlines()) if line.strip().endswith(label))
        return line.strip().split(".", 1)[0]


async def terminal(engine, clock, user, rooms=False) -> Terminal:
    out = io.StringIO()
    assembly = await assemble(
        load_settings(**SETTINGS), engine=engine, clock=clock, channels=[Console(user, io.StringIO(), out, rooms=rooms)]
    )
    await assembly.channels["console"].start()  # finds the rooms to show, as a started console does
    return Terminal(assembly, out)


async def test_a_partner_takes_up_an_idea_and_answers_the_resident_by_typing(engine, clock):
    anna = await terminal(engine, clock, "anna")
    await anna.type("/start", *ONBOARDING, *IDEA)
    assert "Je idee is goed aangekomen" in anna.new()

    coco = await terminal(engine, clock, "coco", rooms=True)
    await coco.type("/start", "/wachtend")
    await coco.type(coco.number("Publiceren"))
    await coco.arrive()  # the coordinator's console shows the coordinators' room, not the partners'
    assert "Wij pakken dit op" not in coco.new()

    bert = await terminal(engine, clock, "bert", rooms=True)
    await bert.type("/start")
    assert "Je bent partner voor Buurtwerk." in bert.new()  # no resident consent or onboarding
    await bert.arrive()  # the published idea in the partners' room
    assert "Kleurrijke bankjes." in bert.new()
    await bert.type(bert.number("Wij pakken dit op"))
    await anna.arrive()
    assert "Buurtwerk pakt je idee" in anna.new()
    await anna.type(anna.number("Ja, dat mag"))

    await bert.arrive()
    assert "zegt ja" in bert.new()
    await bert.type(bert.number("Antwoorden"), "Dag Anna, wanneer past het?")
    assert "Doorgestuurd." in bert.new()
    await anna.arrive()
    assert "Dag Anna, wanneer past het?" in anna.new()
    await anna.type(anna.number("Antwoorden"), "Zaterdag past!")
    await bert.arrive()
    assert "Zaterdag past!" in bert.new()
    [relay] = await rows(engine, Relay)
    assert relay.opened_at is not None and relay.closed_at is None


@pytest.mark.slow
def test_gangmaker_console_partner_makes_the_local_person_a_partner(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--db", str(tmp_path / "g.db"), "--no-web", "--partner", "Buurtwerk"],
        input="",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Je bent partner voor Buurtwerk." in result.stdout
    assert "Is dat goed voor jou?" not in result.stdout


async def test_an_organisation_the_settings_name_is_found_whatever_its_case(engine, clock):
    async with session_factory(engine)() as session, session.begin():
        session.add(Organisation(name="BUURTWERK"))
    bert = await terminal(engine, clock, "bert")
    await bert.type("/start")
    assert "Je bent partner voor BUURTWERK." in bert.new()
    assert [o.name for o in await rows(engine, Organisation)] == ["BUURTWERK"]
