"""The console channel: chat with Gangmaker over stdin/stdout, no token needed.

Each input line is one message. The answers of the last message are printed numbered and
can be chosen by their number or their label; navigation (Terug, Overslaan, Klaar...) and
the buttons under a question that wants typed text, a number or a date go by their label
only, so that a typed "3" is an answer there. `/foto NAME` sends a (pretend) photo. EOF ends
the chat.
Pushes for this person (calls, reminders) appear between the lines as they fall due.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TextIO

from bot.core import Gangmaker
from bot.events import Inbound
from bot.replies import Button, Document, Notice, Question, Reply, buttons_of

CHANNEL = "console"
TYPED = frozenset({"text", "number", "date", "datetime", "photo"})  # questions whose answer is typed


class ConsoleChannel:
    """One local person talking to the core through a terminal (or a pipe)."""

    def __init__(
        self,
        app: Gangmaker,
        user: str,
        stdin: TextIO,
        stdout: TextIO,
        download_dir: Path = Path("."),
        rooms: bool = False,
    ) -> None:
        self.app = app
        self.user = user
        self.rooms = rooms  # a local coordinator also sees the shared rooms here
        self.stdin = stdin
        self.stdout = stdout
        self.download_dir = download_dir
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

    def event(self, **fields: object) -> Inbound:
        return Inbound(channel=CHANNEL, user_id=self.user, display_name=self.user, **fields)

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
        replies = await self.app.handle(event)
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
        """For a local coordinator, every shared room is shown in the terminal, marked with its name."""
        return self.rooms

    async def push_room(self, room: str, replies: list[Reply]) -> str | None:
        for reply in replies:
            self.write(f"[#{room}]")
            self.draw(reply)
        return None

    def draw(self, reply: Reply) -> None:
        if isinstance(reply, Notice):
            self.write(f"  ({reply.text})")
        elif isinstance(reply, Document):
            path = self.download_dir / reply.filename
            path.write_bytes(reply.content)
            self.write(f"📎 {reply.caption} → {path}")
        else:
            to = getattr(reply, "to", None)
            room = to.name if to is not None else None
            self.write(f"[#{room}] {reply.text}" if room else reply.text)
            buttons = buttons_of(reply)
            multi = getattr(reply, "multi", False)
            field = reply.field if isinstance(reply, Question) else None
            numbered = (
                ()
                if field is not None and field.kind in TYPED
                else tuple(button for button in buttons if not button.navigation)
            )
            for number, button in enumerate(numbered, start=1):
                mark = ("[x] " if button.selected else "[ ] ") if multi else ""
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
