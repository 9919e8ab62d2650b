"""Every registered channel on its fake, for the channel contract test (tests/test_rendering.py):
draw one reply as the channel does, and read back what a person there would see: the texts, the
actions its buttons send, the files. A new channel adds its own here, beside its fake."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.channels.console.channel import Console, ConsoleChannel
from bot.channels.telegram.drawing import ASK_FIRST
from bot.config import load_settings
from bot.replies import Action, Reply
from tests.auxil.fake_slack import FakeSlack
from tests.auxil.fake_telegram import FakeTelegram
from tests.auxil.slack_fixtures import start_slack_bot
from tests.auxil.telegram_fixtures import start_bot, telegram_settings


@dataclass
class Seen:
    """What one reply became on a channel."""

    text: str = ""  # every text shown, one after the other
    actions: set[Action] = field(default_factory=set)  # what its buttons (or typing their labels) send
    files: list[str] = field(default_factory=list)  # the names of the files handed over


class Drawing(Protocol):
    async def draw(self, reply: Reply) -> Seen: ...


Fake = Callable[[Any, Any, Path], AbstractAsyncContextManager[Drawing]]  # (engine, clock, a folder) -> drawing


NUMBERED = re.compile(r"^  (\d+)\. ", re.MULTILINE)  # "  1. Ik doe mee": typing 1 picks it


class OnConsole:
    """The console channel writing to a string; a shown button's action is what typing its number
    or its label sends."""

    def __init__(self, channel: ConsoleChannel, out: io.StringIO, folder: Path) -> None:
        self.channel, self.out, self.folder = channel, out, folder

    async def draw(self, reply: Reply) -> Seen:
        start = len(self.out.getvalue())
        before = set(self.folder.iterdir())
        self.channel.draw(reply)
        text = self.out.getvalue()[start:]
        typed = NUMBERED.findall(text) + [label for line in text.splitlines() for label in _bracketed(line)]
        actions = {event.action for event in map(self.channel.parse, typed) if event.action is not None}
        return Seen(text, actions, [path.name for path in set(self.folder.iterdir()) - before])


def _bracketed(line: str) -> list[str]:
    """The labels a console shows as [label] · [label] (navigation, typed answers)."""
    if not line.startswith("  ["):
        return []
    return [part.strip().removeprefix("[").removesuffix("]") for part in line.split(" · ")]


@asynccontextmanager
async def on_console(engine: Any, clock: Any, folder: Path) -> AsyncIterator[OnConsole]:
    out = io.StringIO()
    settings = load_settings(database_url="sqlite://", _env_file=None)
    core: Any = None  # drawing hands nothing in
    channel = Console("anna", io.StringIO(), out, download_dir=folder)(core, settings)
    yield OnConsole(channel, out, folder)


class OnTelegram:
    """The real python-telegram-bot on the fake Bot API, in one private chat."""

    def __init__(self, running: Any) -> None:
        self.running = running
        self.user = running.user(1001)

    async def draw(self, reply: Reply) -> Seen:
        await self.running.channel.deliver(self.user.id, [reply])
        seen = Seen()
        for message in self.user.unread():
            seen.text += (message.get("text") or message.get("caption") or "") + "\n"
            if "document" in message:
                seen.files.append(message["document"]["file_name"])
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                # A button that asks first carries its action after a mark (see bot.channels.telegram.drawing).
                seen.actions |= {Action.decode(b["callback_data"].removeprefix(ASK_FIRST)) for b in row}
        return seen


@asynccontextmanager
async def on_telegram(engine: Any, clock: Any, folder: Path) -> AsyncIterator[OnTelegram]:
    fake = FakeTelegram()
    await fake.start()
    running = await start_bot(fake, telegram_settings(fake, "polling"), engine, clock)
    try:
        yield OnTelegram(running)
    finally:
        await running.stop()
        await fake.stop()
    assert fake.refused(400) == [], [(c.method, c.description) for c in fake.refused(400)]


class OnSlack:
    """The real slack-bolt against the fake Slack, in one person's direct messages (a form opens as
    a modal, as it does after a slash command)."""

    def __init__(self, running: Any) -> None:
        self.running = running
        self.fake: FakeSlack = running.fake
        self.fake.add_user("UPIA", "pia")

    async def draw(self, reply: Reply) -> Seen:
        fake = self.fake
        messages, views, files = len(fake.messages), set(fake.views), set(fake.files)
        await self.running.assembly.channels["slack"].deliver("UPIA", [reply], trigger_id="trigger-x")
        shown: list[Any] = [[m.text, m.blocks] for m in fake.messages[messages:]]
        shown += [view for key, view in fake.views.items() if key not in views]
        new_files = [fake.files[key] for key in fake.files.keys() - files]
        seen = Seen("\n".join(_strings(shown) + [f.get("comment") or "" for f in new_files]))
        seen.actions = {Action.decode(value) for value in _values(shown)} - {None}
        seen.files = [f["name"] for f in new_files]
        return seen


def _strings(drawn: Any) -> list[str]:
    """Every text in Block Kit (and the plain texts beside it)."""
    if isinstance(drawn, str):
        return [drawn]
    if isinstance(drawn, dict):
        return [text for key, value in drawn.items() if key not in ("value", "action_id") for text in _strings(value)]
    if isinstance(drawn, list):
        return [text for item in drawn for text in _strings(item)]
    return []


def _values(drawn: Any) -> list[str]:
    """The values of the buttons in Block Kit: what a click sends back."""
    if isinstance(drawn, dict):
        own = [drawn["value"]] if drawn.get("type") == "button" and "value" in drawn else []
        return own + [value for item in drawn.values() for value in _values(item)]
    if isinstance(drawn, list):
        return [value for item in drawn for value in _values(item)]
    return []


@asynccontextmanager
async def on_slack(engine: Any, clock: Any, folder: Path) -> AsyncIterator[OnSlack]:
    fake = FakeSlack()
    await fake.start()
    running = await start_slack_bot(fake, engine, clock)
    try:
        yield OnSlack(running)
    finally:
        await running.stop()
        await fake.stop()
    assert fake.refused() == [], [(c.method, c.error) for c in fake.refused()]


FAKES: dict[str, Fake] = {"console": on_console, "telegram": on_telegram, "slack": on_slack}
