"""Waiting, with a deadline, for what another process or task does."""

from __future__ import annotations

import asyncio


async def wait_until(condition, timeout: float = 30.0) -> None:
    """Poll `condition` until it holds; fail the test when `timeout` seconds pass first."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)
