"""The console channel: chat with Gangmaker over stdin/stdout, no token needed.

Each input line is one message. Every answer on the screen has its own number: the numbers count
on across the cards of an answer, the pushes that arrive and the answers to a tap, so a number
typed later still means what it said (the same button keeps its number); a typed command or text
starts again at 1, and so does a question, after which only its own answers count. A label picks a button of the newest message;
navigation (Terug, Overslaan, Klaar...) and the buttons under a question that wants typed text, a
number or a date go by their label only, so that a typed "3" is an answer there. `/foto NAME` sends
a (pretend) photo. EOF ends the chat with a goodbye. A button that asks before it acts asks here in
a message of its own. Pushes for this person (calls, reminders) appear between the lines as they
fall due.
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
from bot.i18n import N_, Translator, translator
from bot.replies import Action, Button, Document, Message, Notice, Question, Reply
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
        self.rooms = rooms
        self.ended = False  # the person ended the chat (EOF): the console says goodbye when it stops
        self.hosted: frozenset[str] = frozenset()  # the rooms shown: those the person's roles read
        self.stdin = terminal.stdin
        self.stdout = terminal.stdout
        self.download_dir = terminal.download_dir
        self.pages: tuple[str, ...] = ()  # the addresses of the public pages served beside the chat
        self.last_buttons: tuple[Button, ...] = ()  # the buttons of the newest message: a label picks one
        self.numbers: dict[int, Button] = {}  # every button a typed number still picks
        self.asking = False  # the numbers are a question's: the next answer starts again at 1

    async def run(self) -> int:
        """Greet (or resume the dialogue in progress), say where the public page is, then answer line
        by line until EOF."""
        loop = asyncio.get_running_loop()
        await self.send(self.event(kind="text", text="/start"))
        if self.pages:
            t = await self.translator()
            self.write(t(N_("🌐 De publieke pagina: {address}"), address=" · ".join(self.pages)) + "\n")
        while True:
            if self.stdin.isatty():
                self.write("» ", end="")
            line = await loop.run_in_executor(None, self.stdin.readline)
            if line == "":
                if self.stdin.isatty():
                    self.write("")  # off the prompt's line
                self.ended = True
                return 0
            line = line.strip()
            if line:
                await self.send(self.parse(line))

    async def translator(self) -> Translator:
        """The words of what the console says itself, in the person's language."""
        locale = await self.core.locale_of(self.name, self.user) or self.settings.default_locale
        return translator(locale, self.settings.timezone)

    def event(self, **fields: Any) -> Inbound:
        return Inbound(channel=self.name, user_id=self.user, display_name=self.user, **fields)

    def parse(self, line: str) -> Inbound:
        """A typed line as an event: a number or label of a shown button is a tap."""
        if line.isdecimal() and len(line) < 6 and int(line) in self.numbers:
            return self.event(kind="tap", action=self.numbers[int(line)].action)
        for button in self.last_buttons:
            if line.casefold() == button.label.casefold():
                return self.event(kind="tap", action=button.action)
        if line.startswith("/foto"):
            name = line.removeprefix("/foto").strip() or "foto.jpg"
            return self.event(kind="photo", photo=f"console:{name}")
        return self.event(kind="text", text=line)

    async def send(self, event: Inbound) -> None:
        tapped = self._shown(event.action) if event.action else None
        if tapped is not None and tapped.action == NEVER_MIND:  # the no of a question the console asked
            self.last_buttons, self.numbers, self.asking = (), {}, False
            return
        if event.kind == "text" and _a_number(event.text) and not self.asking:  # no question wants a number now
            t = await self.translator()
            self.write(
                t(
                    N_("Nummer {number} staat niet op het scherm. Typ een nummer van hierboven, of /menu."),
                    number=event.text,
                )
                + "\n"
            )
            return
        if tapped is not None and tapped.confirm is not None:  # a terminal has no dialog: it asks in a message
            replies: list[Reply] = [confirmation(tapped.confirm, tapped)]
            self._start_over()
        else:
            replies = await self.core.handle(event)
            typed = event.kind != "tap"  # a command or words: what comes is a screen of its own
            if typed or any(isinstance(reply, Question) for reply in replies) or (self.asking and _answers(replies)):
                self._start_over()
                for question in (reply for reply in replies if isinstance(reply, Question)):
                    for button in _numbered(question):  # numbered from 1, as a typed "1, 3" reads them
                        self._number(button)
        for reply in replies:
            self.draw(reply)

    def _shown(self, action: Action) -> Button | None:
        return next((b for b in (*self.last_buttons, *self.numbers.values()) if b.action == action), None)

    def _start_over(self) -> None:
        """A command or words were typed, or a question (or a confirmation) comes: the answers are
        numbered from 1 again, and the older ones no longer count; nor do a question's once answered."""
        self.last_buttons, self.numbers = (), {}
        self.asking = False

    @property
    def only_user(self) -> str:
        """The dispatcher hands this console the pushes for its own person only."""
        return self.user

    async def push(self, user_id: str, replies: list[Reply]) -> str | None:
        """Show a push (a call, a reminder) for the person at this console."""
        for reply in replies:
            self.draw(reply)
        return None

    async def start(self) -> None:
        """Find the shared rooms to show: when asked to, those the person's roles read (a
        coordinator's, a partner's), so that each card goes to the console of someone who can act on it."""
        if self.shows_rooms:
            held = await self.core.roles_of(self.name, self.user)
            self.hosted = frozenset(room.name for room in self.rooms if room.readers is None or room.readers in held)

    async def stop(self) -> None:
        """After the last pushes of the batch in flight: goodbye, when the person ended the chat."""
        if self.ended:
            t = await self.translator()
            self.write(t(N_("Tot later! Start je de console opnieuw, dan gaan we verder waar we waren.")))

    def hosts(self, room: str) -> bool:
        """The shared rooms shown in the terminal, each card marked with its room's name."""
        return room in self.hosted

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
            numbered = _numbered(reply)
            if isinstance(reply, Question) or _confirms(reply):
                self.asking = True
            for button in numbered:
                mark = ("[x] " if button.selected else "[ ] ") if reply.multi else ""
                self.write(f"  {self._number(button)}. {mark}{button.label}")
            labels = [button.label for button in buttons if button not in numbered]
            if labels:
                self.write("  " + " · ".join(f"[{label}]" for label in labels))
            if buttons:
                self.last_buttons = buttons
            self.write("")

    def _number(self, button: Button) -> int:
        """The button's number: the one it already has on the screen, else the next free one."""
        for number, shown in self.numbers.items():
            if shown.action == button.action:
                self.numbers[number] = button  # its newest label
                return number
        number = max(self.numbers, default=0) + 1
        self.numbers[number] = button
        return number

    def write(self, text: str, end: str = "\n") -> None:
        self.stdout.write(text + end)
        self.stdout.flush()


def _answers(replies: list[Reply]) -> bool:
    """Whether the replies hold more than notices: an answer that replaces a question's buttons."""
    return any(not isinstance(reply, Notice) for reply in replies)


def _confirms(reply: Message) -> bool:
    """Whether the message is the console's own "are you sure?" (its no is the console's)."""
    return any(button.action == NEVER_MIND for button in reply.buttons)


def _numbered(reply: Message) -> tuple[Button, ...]:
    """The buttons a number picks: not navigation, and none under a question answered by typing."""
    field = reply.field if isinstance(reply, Question) else None
    if field is not None and field.kind in TYPED:
        return ()
    return tuple(button for button in reply.buttons if not button.navigation)


def _a_number(text: str | None) -> bool:
    return text is not None and text.isdecimal()
