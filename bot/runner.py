"""Running Gangmaker on its platforms: the configured channels and the web server, until stopped."""
from __future__ import annotations

import asyncio
import logging
import signal

from bot.assembly import assemble
from bot.config import Settings

log = logging.getLogger(__name__)


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Migrate, start the configured channels and the web server, and run until `stop` (or SIGTERM)."""
    assembly = await assemble(settings)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await assembly.start()
        log.info("channels running: %s", ", ".join(assembly.channels) or "none")
        await stop.wait()
    finally:
        await assembly.stop()
