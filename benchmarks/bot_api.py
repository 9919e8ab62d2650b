"""The fake Bot API in a process of its own, so its CPU is not counted against the bot's (a real
Bot API costs the bot nothing but the wait): started with the chats it knows, stopped with what
it received."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import Counter
from typing import Any

from tests.auxil.fake_telegram import FakeTelegram


class BotApiProcess:
    """`async with BotApiProcess(chats, rate, latency) as api:` gives `api.url` and `api.token`;
    afterwards `api.sent` counts sendMessage per chat and `api.refused` the 429s."""

    def __init__(self, chats: range, rate: float | None, latency: float) -> None:
        self._args = (chats, rate, latency)
        self.url = self.token = ""
        self.sent: Counter = Counter()
        self.refused = 0

    async def __aenter__(self) -> BotApiProcess:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=serve, args=(child, *self._args), daemon=True)
        self._process.start()
        self.url, self.token = await asyncio.to_thread(self._pipe.recv)
        return self

    async def __aexit__(self, *_: Any) -> None:
        self._pipe.send("stop")
        self.sent, self.refused = await asyncio.to_thread(self._pipe.recv)
        await asyncio.to_thread(self._process.join, 10)


def serve(pipe: Any, chats: range, rate: float | None, latency: float) -> None:
    """The child process: the fake until the parent says stop, then what it saw."""

    async def main() -> None:
        fake = FakeTelegram(rate_per_second=rate)
        fake.send_delay = latency
        for chat in chats:
            fake.add_chat(chat, "Inwoner")
        await fake.start()
        pipe.send((fake.url, fake.token))
        await asyncio.to_thread(pipe.recv)
        pipe.send((Counter(c.params["chat_id"] for c in fake.calls_to("sendMessage")), len(fake.refused(429))))
        await fake.stop()

    asyncio.run(main())
