"""The console channel: chat with Gangmaker over stdin/stdout, no token needed.

Each input line is one message. The answers of the last message are printed numbered and
can be chosen by their number or their label; navigation (Terug, Overslaan, Klaar...) and
the buttons under a question that wants typed text, a number or a date go by their label
only, so that a typed "3" is an answer there. `/foto NAME` sends a (pretend) photo. EOF ends
the chat. A button that asks before it acts asks here in a message of its own.
Pushes for this person (calls, reminders) appear between the lines as they fall due.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.channels.base import Channel, Core
from bot.channels.fallbacks import NEVER_MIND, confirmation
from bot.config import Settings
from bot.events import Inbound
from bot.i18n import N_
from bot.replies import Button, Document, Message, Notice, Question, Reply
from bot.surfaces import CHAT

if TYPE_CHECKING:
    from bot.app import RoomSetting

TYPED = frozenset({"text", "number", "date", "datetime", "photo"})  # questions whose answer is typed


@dataclass
class Console:
    """A terminal to chat in: who is typing, where lines come from and go to, and whether the
    application's shared rooms show here too. Called like a channel class, it makes the console
    channel on it (what `bot.assembly.assemble(channels=...)` takes)."""

    user: str
    stdin: TextIO
    stdout: TextIO
    rooms: bool = False
    download_dir: Path = Path(".")

    def __call__(self, core: Core, settings: Settings, rooms: Sequence[RoomSetting] = ()) -> ConsoleChannel:
        return ConsoleChannel(core, settings, rooms, terminal=self)


class ConsoleChannel(Channel):
    """One local person talking to the core through a terminal (or a pipe)."""

    name = "console"
    draws = frozenset({Message, Document, Notice})
    surface = CHAT.with_hints(
        choice=N_("Typ het nummer van je keuze."),
        yesno=N_("Typ het nummer van je keuze."),
        multi=N_("Typ de nummers van alles wat past, bijvoorbeeld 1, 3."),
        photo=N_("Een foto stuur je met /foto en de naam van het bestand."),
    )

    def __init__(self, core: Core, settings: Settings, rooms: Sequence[RoomSetting] = (), *, terminal: Console) -> None:
        super().__init__(core, settings, rooms)
        self.user = terminal.user
        self.shows_rooms = terminal.rooms  # whoever reads the shared rooms also sees them here
        self.stdin = terminal.stdin
        self.stdout = terminal.stdout
        self.download_dir = terminal.download_dir
        self.last_buttons: tuple[Button, ...] = ()  # the buttons of the last message that had any
        self.numbered: tuple[Button, ...] = ()  # those of them a typed number picks

    async def run(self) -> int:
        """Greet (or resume the dialogue in progress), then answer line by line until EOF."""
        loop = asyncio.get_running_loop()
        await self.send(self.event(kind="text", text="/start"))
        while True:
            if self.stdin.isatty():
                self.write("» ", end="")
            line = await loop.run_in_executor(None, self.stdin.readline)
            if line == "":
                return 0
            line = line.strip()
            if line:
                await self.send(self.parse(line))

    def event(self, **fields: Any) -> Inbound:
        return Inbound(channel=self.name, user_id=self.user, display_name=self.user, **fields)

    def parse(self, line: str) -> Inbound:
        """A typed line as an event: a number or label of a shown button is a tap."""
        if line.isdecimal() and 1 <= int(line) <= len(self.numbered):
            return self.event(kind="tap", action=self.numbered[int(line) - 1].action)
        for button in self.last_buttons:
            if line.casefold() == button.label.casefold():
                return self.event(kind="tap", action=button.action)
        if line.startswith("/foto"):
            name = line.removeprefix("/foto").strip() or "foto.jpg"
            return self.event(kind="photo", photo=f"console:{name}")
        return self.event(kind="text", text=line)

    async def send(self, event: Inbound) -> None:
        tapped = next((b for b in self.last_buttons if b.action == event.action), None) if event.action else None
        if tapped is not None and tapped.action == NEVER_MIND:  # the no of a question the console asked
            self.last_buttons, self.numbered = (), ()
            return
        if tapped is not None and tapped.confirm is not None:  # a terminal has no dialog: it asks in a message
            replies: list[Reply] = [confirmation(tapped.confirm, tapped)]
        else:
            replies = await self.core.handle(event)
        if any(not isinstance(reply, Notice) for reply in replies):
            self.last_buttons, self.numbered = (), ()  # the buttons of an older answer no longer count
        for reply in replies:
            self.draw(reply)

    @property
    def only_user(self) -> str:
        """The dispatcher hands this console the pushes for its own person only."""
        return self.user

    async def push(self, user_id: str, replies: list[Reply]) -> str | None:
        """Show a push (a call, a reminder) for the person at this console."""
        for reply in replies:
            self.draw(reply)
        return None

    def hosts(self, room: str) -> bool:
        """When asked to, every shared room is shown in the terminal, marked with its name."""
        return self.shows_rooms

    async def push_room(self, room: str, replies: list[Reply]) -> str | None:
        for reply in replies:
            self.write(f"[#{room}]")
            self.draw(reply)
        return None

    def draw(self, reply: Reply) -> None:
        """Print one reply, or the fallback of a kind the console has no drawing for."""
        for shown in self.drawable([reply]):
            self._print(shown)

    def _print(self, reply: Reply) -> None:
        """A notice in brackets, a file saved beside the chat, a message with its buttons numbered
        (navigation, and the buttons under a question answered by typing, go by their label)."""
        if isinstance(reply, Notice):
            self.write(f"  ({reply.text})")
        elif isinstance(reply, Document):
            path = self.download_dir / reply.filename
            path.write_bytes(reply.content)
            self.write(f"📎 {reply.caption} → {path}")
        elif isinstance(reply, Message):
            room = reply.to.name if reply.to is not None else None
            self.write(f"[#{room}] {reply.text}" if room else reply.text)
            buttons = reply.buttons
            field = reply.field if isinstance(reply, Question) else None
            numbered = (
                ()
                if field is not None and field.kind in TYPED
                else tuple(button for button in buttons if not button.navigation)
            )
            for number, button in enumerate(numbered, start=1):
                mark = ("[x] " if button.selected else "[ ] ") if reply.multi else ""
                self.write(f"  {number}. {mark}{button.label}")
            labels = [button.label for button in buttons if button not in numbered]
            if labels:
                self.write("  " + " · ".join(f"[{label}]" for label in labels))
            if buttons and room is None:
                self.last_buttons, self.numbered = buttons, numbered
            self.write("")

    def write(self, text: str, end: str = "\n") -> None:
        self.stdout.write(text + end)
        self.stdout.flush()
