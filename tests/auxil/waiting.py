"""Waiting, with a deadline, for what another process or task does."""

from __future__ import annotations

import asyncio
import inspect


async def wait_until(condition, timeout: float = 30.0) -> None:
    """Poll `condition` (a function, or a coroutine function) until it holds; fail the test when
    `timeout` seconds pass first. The timeout only keeps a broken run from hanging: no test asserts
    how long something took."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await _holds(condition):
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def _holds(condition) -> bool:
    result = condition()
    return bool(await result if inspect.isawaitable(result) else result)
