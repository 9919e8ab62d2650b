"""Running Gangmaker on its platforms: the configured channels and the web server, until stopped."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout
from sqlalchemy.engine import make_url

from bot.assembly import assemble
from bot.config import Settings

log = logging.getLogger(__name__)
STOP_WITHIN = 9  # seconds; platforms and process managers expect an exit within 10 s of SIGTERM


class AlreadyServing(Exception):
    """Another instance serves this SQLite database: two would send pushes twice."""


@contextmanager
def only_instance(settings: Settings) -> Iterator[None]:
    """On a SQLite file, hold a lock beside it for as long as this instance serves; several
    instances need PostgreSQL, where they share the work safely."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    lock = FileLock(f"{url.database}.serving.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise AlreadyServing(
            f"Another Gangmaker already serves the SQLite database {url.database}. Stop it first: several "
            "instances at once need PostgreSQL (DATABASE_URL=postgresql://...)."
        ) from None
    try:
        yield
    finally:
        lock.release()


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Migrate, start the configured channels and the web server, and run until `stop` (or SIGTERM)."""
    with only_instance(settings):
        assembly = await assemble(settings)
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        try:
            await assembly.start()
            # What start-up made lives as long as the process: out of the collector's full passes,
            # which otherwise walk it again and again while a big job (Monday's overview) allocates,
            # stopping every turn for 0.3-0.4 s at a time (benchmarks.overview).
            gc.freeze()
            log.info("instance %s serving: %s", settings.instance, ", ".join(assembly.channels) or "none")
            await stop.wait()
            log.info("stopping: finishing what is in progress")
        finally:
            try:
                await asyncio.wait_for(assembly.stop(), STOP_WITHIN)
            except TimeoutError:
                log.error("did not stop within %d s; exiting anyway (queued messages stay queued)", STOP_WITHIN)
        log.info("stopped")
