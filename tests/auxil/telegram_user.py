"""A person in a private Telegram chat with the bot, typing and tapping through the fake Bot API.

They send messages and tap the buttons the bot actually sent (by their label), and read
what the bot answered; nothing calls the bot's code directly.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from tests.auxil.fake_telegram import Call, FakeTelegram

QUIET = 0.15  # seconds without bot traffic after which a polled update counts as answered


class TelegramUser:
    def __init__(
        self, fake: FakeTelegram, user_id: int, first_name: str = "Anna", language_code: str | None = "nl"
    ) -> None:
        self.fake = fake
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.chat = fake.add_chat(user_id, first_name, language_code)
        self.last: list[Call] = []
        self.last_update_id: int | None = None
        self._dates = iter(range(1_800_000_000, 2_000_000_000))

    def sender(self) -> dict[str, Any]:
        user = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._dates),
            "date": next(self._dates),
            "from": self.sender(),
            "chat": {"id": self.id, "type": "private", "first_name": self.first_name},
            **content,
        }

    # -- doing things ---------------------------------------------------------------------

    async def send(self, text: str) -> list[Call]:
        entities = (
            [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
        )
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return await self.deliver({"message": self._message(**content)})

    async def send_photo(self, sizes: tuple[str, ...] = ("small-id", "medium-id", "large-id")) -> list[Call]:
        photo = [
            {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 90 * (n + 1), "height": 90 * (n + 1)}
            for n, file_id in enumerate(sizes)
        ]
        return await self.deliver({"message": self._message(photo=photo)})

    async def send_sticker(self) -> list[Call]:
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return await self.deliver({"message": self._message(sticker=sticker)})

    async def send_location(self) -> list[Call]:
        return await self.deliver({"message": self._message(location={"latitude": 50.83, "longitude": 3.26})})

    async def edit(self, text: str) -> list[Call]:
        message = self._message(text=text)
        message["edit_date"] = message["date"] + 5
        return await self.deliver({"edited_message": message})

    def keyboard_message(self) -> dict[str, Any]:
        """The newest bot message in this chat that has an inline keyboard."""
        for message in reversed(list(self.chat.messages.values())):
            if (message.get("reply_markup") or {}).get("inline_keyboard"):
                return message
        raise AssertionError("the bot has shown no buttons in this chat")

    def message_with(self, fragment: str) -> dict[str, Any]:
        """The newest bot message whose text or buttons contain `fragment`."""
        for message in reversed(list(self.chat.messages.values())):
            if fragment in message.get("text", "") or fragment in json.dumps(
                message.get("reply_markup"), ensure_ascii=False
            ):
                return message
        raise AssertionError(f"no message with {fragment!r}")

    def button_labels(self, message: dict[str, Any] | None = None) -> list[str]:
        message = message or self.keyboard_message()
        return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]

    async def tap(self, label: str, message: dict[str, Any] | None = None) -> list[Call]:
        """Tap the button labelled `label` (a check mark in front is ignored)."""
        message = message or self.keyboard_message()
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if button["text"] in (label, f"✅ {label}"):
                    query = {
                        "id": self.fake.new_query_id(self.id),
                        "from": self.sender(),
                        "message": {k: v for k, v in message.items() if k != "_content"},
                        "chat_instance": f"ci-{self.id}",
                        "data": button["callback_data"],
                    }
                    return await self.deliver({"callback_query": query})
        raise AssertionError(f"no button {label!r}; shown: {self.button_labels(message)}")

    async def block(self) -> None:
        self.chat.blocked = True
        await self.deliver(self._member_update("member", "kicked"), expect_reply=False)

    async def unblock(self) -> None:
        self.chat.blocked = False
        await self.deliver(self._member_update("kicked", "member"), expect_reply=False)

    def _member_update(self, old: str, new: str) -> dict[str, Any]:
        bot = self.fake.bot_user()
        member = {"user": bot, "status": new} | ({"until_date": 0} if new == "kicked" else {})
        previous = {"user": bot, "status": old} | ({"until_date": 0} if old == "kicked" else {})
        return {
            "my_chat_member": {
                "chat": {"id": self.id, "type": "private", "first_name": self.first_name},
                "from": self.sender(),
                "date": next(self._dates),
                "old_chat_member": previous,
                "new_chat_member": member,
            }
        }

    # -- waiting for the answer -------------------------------------------------------------

    async def deliver(
        self, update: dict[str, Any], update_id: int | None = None, expect_reply: bool = True
    ) -> list[Call]:
        mark = len(self.fake.calls)
        status = await self.fake.send_update(update, update_id)
        if status is None:  # polling: wait until the bot has answered and gone quiet
            await self._settle(mark, expect_reply)
        else:
            assert status == 200, f"webhook answered {status}"
        self.last = [c for c in self.fake.calls[mark:] if c.method != "getUpdates"]
        self.unread()  # answers are read; what arrives later on its own is a push
        return self.last

    async def _settle(self, mark: int, expect_reply: bool, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        seen, quiet_since = 0, time.monotonic()
        while time.monotonic() < deadline:
            traffic = [c for c in self.fake.calls[mark:] if c.method != "getUpdates"]
            if len(traffic) != seen:
                seen, quiet_since = len(traffic), time.monotonic()
            done_waiting = seen > 0 or not expect_reply
            # After a 429 the bot waits retry_after (1 s here) before it tries again.
            quiet = 1.5 if traffic and traffic[-1].status == 429 else (QUIET if seen else 0.5)
            if done_waiting and time.monotonic() - quiet_since >= quiet:
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the bot did not answer in time")

    # -- reading the answer -----------------------------------------------------------------

    def unread(self) -> list[dict[str, Any]]:
        """Bot messages in this chat not looked at before (pushes arrive here)."""
        seen = getattr(self, "_seen", set())
        fresh = [m for m in self.chat.messages.values() if m["message_id"] not in seen]
        self._seen = seen | {m["message_id"] for m in fresh}
        return fresh

    def unread_texts(self) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.unread()]

    @property
    def texts(self) -> list[str]:
        """Texts the bot sent or edited in its last answer, in order."""
        return [
            c.params["text"] for c in self.last if c.method in ("sendMessage", "editMessageText") and c.status == 200
        ]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def toasts(self) -> list[str]:
        return [c.params.get("text", "") for c in self.last if c.method == "answerCallbackQuery"]


async def onboard(
    user: TelegramUser,
    name: str = "Anna",
    neighbourhood: str = "Heule",
    interests: tuple[str, ...] = ("Erfgoed",),
    digest: bool = False,
    start: str = "/start",
    level: str = "Meehelpen",
) -> None:
    """Consent and answer every onboarding question by tapping, as a Dutch-speaking resident
    (who gets calls: Meehelpen, unless `level` says otherwise)."""
    await user.send(start)
    await user.tap("Ja, dat is goed")
    await user.tap("Nederlands")
    await user.send(name)
    await user.tap(neighbourhood)
    await user.tap("Inwoner")
    for interest in interests:
        await user.tap(interest)
    await user.tap("Klaar")
    await user.tap("Tijd")
    await user.tap("Klaar")
    await user.tap(level)
    await user.tap("Ja" if digest else "Nee")
    await user.tap("Klopt")


async def create_call(
    coordinator: TelegramUser,
    *,
    capacity: str = "2",
    publish_at: str | None = "11/3/2027 10:00",
    title: str = "Bankjes bouwen aan de Leie",
    translations: dict[str, tuple[str, str]] | None = None,
):
    """A coordinator makes a call by answering the call dialogue: benches in Heule on 13 March
    2027, for those who give time and care for heritage; published later at `publish_at`, or at once.
    `translations` gives a title and description per language button ("Frans", "Engels")."""
    await coordinator.send("/oproep")
    await coordinator.send(title)
    await coordinator.send("We bouwen samen vijf bankjes en zetten ze aan het water.")
    if translations:
        for language in translations:
            await coordinator.tap(language)
        await coordinator.tap("Klaar")
        for translated_title, translated_description in translations.values():
            await coordinator.send(translated_title)
            await coordinator.send(translated_description)
    else:
        await coordinator.tap("Overslaan")  # in Dutch only
    await coordinator.tap("Tijd")
    await coordinator.tap("Klaar")
    await coordinator.tap("Erfgoed")
    await coordinator.tap("Klaar")
    await coordinator.tap("Heule")
    await coordinator.send("Groeningestraat 1")
    await coordinator.send("13/3/2027 14:00")
    await coordinator.send("13/3/2027 17:00")
    await coordinator.send(capacity)
    await coordinator.tap("Overslaan")  # deadline: until the start
    await coordinator.tap("Heule")
    await coordinator.tap("Klaar")
    if publish_at:
        await coordinator.tap("Later")
        await coordinator.send(publish_at)
    else:
        await coordinator.tap("Meteen")
