"""Telegram's flood limits for one bot, replies before broadcasts: python-telegram-bot's rate limiter
interface on aiolimiter buckets, where a push takes a turn only when no reply needs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

PUSH = "push"  # `rate_limit_args` of a request the outbox makes: it waits for replies
GROUPS_KEPT = 512  # group buckets kept before the idle ones are dropped


class RepliesFirstLimiter(BaseRateLimiter[str]):
    """Every request to a chat shares one bucket that keeps any second within `rate` (a burst of a
    few, so a turn's messages go out together, on a steady refill: Telegram answers a burst past
    its limit with 429, which stops every request for its retry_after). A group gets 20 a minute.
    Pushes are spaced evenly at `broadcast_rate` and take a turn only while no reply is being
    sent and from a full bucket: the next turn finds room for its burst, never a push ahead of it.
    A 429 is waited out and tried again, up to `max_retries` times. `waited` hears, per request,
    "reply" or "push" and the seconds it waited before going out."""

    def __init__(
        self,
        rate: float,
        broadcast_rate: float,
        max_retries: int = 3,
        waited: Callable[[str, float], None] = lambda kind, wait: None,
    ) -> None:
        burst = 4 if rate >= 10 else 1  # a turn's few messages pass together even just after a push
        steady = rate - burst if burst > 1 else rate  # refilled per second: a burst and a second's pace fit the rate
        self._overall = AsyncLimiter(burst, burst / steady)
        self._pushes = AsyncLimiter(1, 1 / broadcast_rate)  # a bucket of one: evenly spaced
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._max_retries = max_retries
        self._waited = waited
        self._replying = 0
        self._no_replies = asyncio.Event()
        self._no_replies.set()
        self._no_retry_after = asyncio.Event()
        self._no_retry_after.set()

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @contextlib.contextmanager
    def replying(self) -> Iterator[None]:
        """While a turn's replies are being sent, pushes wait."""
        self._replying += 1
        self._no_replies.clear()
        try:
            yield
        finally:
            self._replying -= 1
            if not self._replying:
                self._no_replies.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> Any:
        chat_id = data.get("chat_id")
        if chat_id is None:  # getMe, answerCallbackQuery...: outside the flood limits
            return await callback(*args, **kwargs)
        retries, push = 0, rate_limit_args == PUSH
        while True:
            try:
                started = time.monotonic()
                if push:
                    await self._turn_for_push()
                async with self._group(chat_id), self._overall:  # a push enters a full bucket: no await between
                    await self._no_retry_after.wait()
                    self._waited(PUSH if push else "reply", time.monotonic() - started)
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                if retries == self._max_retries:
                    raise
                retries += 1
                log.info("Telegram asked to wait %s", error.retry_after)
                self._no_retry_after.clear()
                try:
                    await asyncio.sleep(seconds(error.retry_after) + 0.1)
                finally:
                    self._no_retry_after.set()

    async def _turn_for_push(self) -> None:
        await self._pushes.acquire()
        refill = self._overall.time_period / self._overall.max_rate
        while self._replying or not self._overall.has_capacity(self._overall.max_rate):  # a full bucket
            if self._replying:
                await self._no_replies.wait()
            else:
                await asyncio.sleep(refill)

    def _group(self, chat_id: Any) -> contextlib.AbstractAsyncContextManager[Any]:
        """20 messages a minute in a group (negative ids and @usernames); private chats pass."""
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        if isinstance(chat_id, int) and chat_id > 0:
            return contextlib.nullcontext()
        if chat_id not in self._groups and len(self._groups) >= GROUPS_KEPT:
            for idle in [key for key, bucket in self._groups.items() if bucket.has_capacity(bucket.max_rate)]:
                del self._groups[idle]
        return self._groups.setdefault(chat_id, AsyncLimiter(FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP, 60))


def seconds(wait: timedelta | float) -> float:
    """A RetryAfter's wait in seconds (a timedelta, or a number in older settings)."""
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
