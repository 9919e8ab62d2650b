"""The Telegram flood limiter's decisions, without Telegram and without timing anything: a group
gets twenty messages at once and the twenty-first waits for the group's minute; a private chat
is not held back by that rule."""

from __future__ import annotations

import asyncio

from bot.channels.telegram.limits import RepliesFirstLimiter

GROUP, PRIVATE = -100123, 4242


async def _send_many(limiter: RepliesFirstLimiter, chat_id: int, count: int) -> tuple[list[int], list[asyncio.Task]]:
    sent: list[int] = []

    async def send(n: int) -> None:
        sent.append(n)

    tasks = [
        asyncio.create_task(limiter.process_request(send, (n,), {}, "sendMessage", {"chat_id": chat_id}, None))
        for n in range(count)
    ]
    return sent, tasks


async def _until(condition) -> None:
    while not condition():  # bounded by the test's timeout, never asserted as a duration
        await asyncio.sleep(0.005)


async def test_a_group_gets_twenty_at_once_and_the_twenty_first_waits_for_the_groups_minute():
    limiter = RepliesFirstLimiter(rate=1000, broadcast_rate=25)  # the bot-wide rate out of the way
    sent, tasks = await _send_many(limiter, GROUP, 21)
    await _until(lambda: len(sent) == 20)
    await asyncio.sleep(0)
    assert len(sent) == 20 and not tasks[-1].done()  # held back: one more every three seconds
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_private_chat_is_not_held_to_the_group_rule():
    limiter = RepliesFirstLimiter(rate=1000, broadcast_rate=25)
    sent, tasks = await _send_many(limiter, PRIVATE, 21)
    await asyncio.gather(*tasks)
    assert sorted(sent) == list(range(21))
