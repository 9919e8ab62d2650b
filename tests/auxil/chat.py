"""A resident chatting with the core: send a message, tap a button by its label, read the replies.

It drives `Gangmaker.handle` exactly as a channel does, so tests read like a conversation.
"""

from __future__ import annotations

from bot.core import Gangmaker
from bot.events import Inbound
from bot.replies import Action, Document, Notice, Question, Reply, buttons_of


class Chat:
    def __init__(self, bot: Gangmaker, user_id: str = "1001", channel: str = "test", locale: str | None = None) -> None:
        self.bot = bot
        self.user_id = user_id
        self.channel = channel
        self.locale = locale
        self.last: list[Reply] = []
        self.history: list[Reply] = []

    async def _deliver(self, **fields: object) -> list[Reply]:
        event = Inbound(channel=self.channel, user_id=self.user_id, locale_hint=self.locale, **fields)
        self.last = await self.bot.handle(event)
        self.history += self.last
        return self.last

    async def send(self, text: str) -> list[Reply]:
        return await self._deliver(kind="text", text=text)

    async def photo(self, file_id: str = "photo-file-1") -> list[Reply]:
        return await self._deliver(kind="photo", photo=file_id)

    async def sticker(self) -> list[Reply]:
        return await self._deliver(kind="other")

    def keyboard(self) -> Reply:
        """The newest message with buttons: the one a person would tap on."""
        for reply in reversed(self.history):
            if buttons_of(reply):
                return reply
        raise AssertionError("the bot has shown no buttons yet")

    async def tap(self, label: str, on: Reply | None = None) -> list[Reply]:
        """Tap the button with this label (on the newest keyboard, or on message `on`)."""
        message = on or self.keyboard()
        for button in buttons_of(message):
            if button.label == label:
                return await self._deliver(kind="tap", action=button.action)
        raise AssertionError(f"no button {label!r}; shown: {self.labels(message)}")

    async def submit(self, action, values: dict) -> list[Reply]:
        """Submit a whole form, as a channel with forms (a Slack modal) does."""
        return await self._deliver(kind="submit", action=action, values=values)

    @staticmethod
    def labels(message: Reply) -> list[str]:
        return [button.label for button in buttons_of(message)]

    @property
    def buttons(self) -> list[str]:
        return self.labels(self.keyboard())

    @property
    def text(self) -> str:
        """All text of the last answer, messages and notices together."""
        return "\n".join(r.text for r in self.last if not isinstance(r, Document))

    @property
    def notices(self) -> list[str]:
        return [r.text for r in self.last if isinstance(r, Notice)]

    @property
    def documents(self) -> list[Document]:
        return [r for r in self.last if isinstance(r, Document)]

    @property
    def selected(self) -> list[str]:
        return [button.label for button in buttons_of(self.keyboard()) if button.selected]

    @property
    def questions(self) -> list[Question]:
        return [r for r in self.last if isinstance(r, Question)]


LEVELS = ("Meedenken", "Meehelpen", "Allebei")  # the level's buttons, in order


async def onboard(
    chat: Chat,
    name: str = "Anna",
    neighbourhood: str = "Heule",
    interests: tuple[str, ...] = ("Kunst en cultuur",),
    contributions: tuple[str, ...] = ("Tijd",),
    language: str = "Nederlands",
    digest: bool = False,
    level: str = "Allebei",
) -> None:
    """Consent and answer every onboarding question (Dutch labels unless `language` changes them);
    `level` is Meedenken, Meehelpen or Allebei (who gets calls and question rounds alike)."""
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    await chat.tap(language)
    await chat.send(name)
    await chat.tap(neighbourhood)
    await chat.tap("Inwoner" if language == "Nederlands" else chat.buttons[0])
    for label in interests:
        await chat.tap(label)
    await chat.tap(chat.buttons[len(chat.buttons) - 2])  # "Klaar" comes just before "Terug"
    for label in contributions:
        await chat.tap(label)
    await chat.tap(chat.buttons[len(chat.buttons) - 2])
    await chat.tap(level if language == "Nederlands" else chat.buttons[LEVELS.index(level)])
    await chat.tap(chat.buttons[0] if digest else chat.buttons[1])  # the Monday overview: yes or no
    await chat.tap(chat.buttons[0])  # summary: "Klopt"


async def tap(chat: Chat, *data: object) -> list[Reply]:
    """Tap a button the bot never showed: the action `data` spells (route, verb, arguments), as a forger would."""
    return await chat._deliver(kind="tap", action=Action.of(*data))


async def share_idea(chat: Chat, photo: bool = True) -> None:
    """Answer every question of /idee, up to its summary (with a photo, or skipping it); nothing is stored yet."""
    await chat.send("/idee")
    await chat.send("Het Leieboord is grijs. Buren zitten er nooit.")
    await chat.send("Kleurrijke bankjes die buren samen maken.")
    await chat.send("Eén zaterdag met vijf bankjes bij de brug.")
    await chat.tap("Design en maken")
    await chat.tap("Kortrijk centrum")
    await chat.tap("Ja")
    if photo:
        await chat.photo("AgAD-photo-42")
    else:
        await chat.tap("Overslaan")
