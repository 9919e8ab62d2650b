"""One assembly: the core, its channels, the outbox dispatcher, the scheduler and the web server,
built from the settings and the application they name. The CLI, the tests and the benchmarks use it."""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Application
from bot.channels import registry
from bot.channels.base import Channel, ChannelFactory
from bot.config import Settings, database_unreachable
from bot.core import RESEND, Gangmaker
from bot.metrics import Metrics
from bot.outbox import Dispatcher
from bot.scheduler import Jobs, Leadership, Schedule
from bot.web import Lifecycle, create_web_app
from storage.db import create_engine
from storage.migrate import upgrade
from storage.models import utcnow

log = logging.getLogger(__name__)


def load_application(settings: Settings) -> Application:
    """The application named by GANGMAKER_APPLICATION ("module:function" taking the settings)."""
    module, _, name = settings.gangmaker_application.partition(":")
    return getattr(importlib.import_module(module), name)(settings)


async def migrated(engine: AsyncEngine) -> None:
    """Bring the schema up to date; a database that cannot be opened at all stops with one line naming
    DATABASE_URL (a failure past the first connection is no setting's fault, and keeps its traceback)."""
    try:
        async with engine.connect():
            pass
    except (DBAPIError, OSError) as error:
        await _driver_threads_stopped()
        raise database_unreachable(engine.url.render_as_string(hide_password=False), error) from None
    await upgrade(engine)


async def _driver_threads_stopped(most: float = 2.0) -> None:
    """After a failed SQLite connect, aiosqlite's thread still hands its stop back to this loop: wait
    (at most `most` seconds) until it has, or it prints a traceback once the loop is closed."""
    waited = 0.0
    while waited < most and any("_connection_worker_thread" in t.name for t in threading.enumerate()):
        await asyncio.sleep(0.01)
        waited += 0.01


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The configured database, migrated, for a command that runs and ends."""
    engine = create_engine(
        settings.database_url, pool_size=settings.database_pool_size, fast_commit=settings.database_fast_commit
    )
    try:
        await migrated(engine)
        yield engine
    finally:
        await engine.dispose()


@dataclass
class Assembly:
    """Everything that runs Gangmaker in one process."""

    settings: Settings
    engine: AsyncEngine
    core: Gangmaker
    channels: dict[str, Channel]
    jobs: Jobs
    dispatcher: Dispatcher
    owns_engine: bool = True
    schedule: Schedule | None = field(default=None, repr=False)
    web: web.AppRunner | None = field(default=None, repr=False)
    lifecycle: Lifecycle = field(default_factory=Lifecycle, repr=False)

    @property
    def metrics(self) -> Metrics:
        return self.core.metrics

    @property
    def app(self) -> Application:
        return self.core.app

    def new_dispatcher(self) -> Dispatcher:
        """Another dispatcher on the same database and channels (as a second process has)."""
        return _dispatcher(self.core, self.channels)

    async def start(self, *, scheduler: bool = True, serve_web: bool = True) -> Assembly:
        """Start the web server (when a channel needs one, or always with `serve_web`), the
        channels, and the scheduler."""
        self.lifecycle.ready = False  # the web server answers 503 to webhooks until the channels run
        if serve_web:
            # aiohttp waits this long for requests in progress (a turn) when the server stops.
            self.web = web.AppRunner(
                create_web_app(self.channels.values(), self.core, self.lifecycle), shutdown_timeout=5
            )
            await self.web.setup()
            await web.TCPSite(self.web, self.settings.host, self.settings.port).start()
        for channel in self.channels.values():
            await channel.start()
        self.lifecycle.ready = True
        if scheduler:
            # A leader whose machine vanished is let go after three missed rounds (PostgreSQL 14+).
            leadership = Leadership(
                self.engine,
                self.settings.instance,
                self.metrics,
                idle_timeout=max(60, 3 * self.settings.checks_interval_seconds),
            )
            self.schedule = Schedule(
                self.jobs,
                self.dispatcher,
                self.core.clock,
                check_seconds=self.settings.checks_interval_seconds,
                leadership=leadership,
                metrics=self.metrics,
            ).start()
        return self

    async def stop(self, *, whole_batch: bool = False) -> None:
        """Stop gracefully: webhooks answer 503 (the platforms retry them later), polling stops,
        turns in progress finish, the message in flight is sent and the rest stays queued (with
        `whole_batch`, the batch claimed is sent), the lead is handed over, and the database is closed."""
        self.lifecycle.stopping = True
        self.dispatcher.stopping = not whole_batch
        # First what is in progress: the scheduler's round and the web server's requests (a webhook's turn)...
        await _together(
            [
                *([self.schedule.stop(whole_batch=whole_batch)] if self.schedule is not None else []),
                *([self.web.cleanup()] if self.web is not None else []),
            ]
        )
        # ...then the channels: polling stops, and python-telegram-bot waits for the turns it runs.
        await _together([channel.stop() for channel in self.channels.values()])
        if self.owns_engine:
            await self.engine.dispose()


async def assemble(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    clock: Callable[[], datetime] = utcnow,
    channels: Sequence[ChannelFactory] = (),
) -> Assembly:
    """Migrate the database, build the core from the application, grant the roles the
    settings name, and build the channels: those in `channels` (a console's terminal, or a
    channel with options of its own), and each other channel the settings configure (see
    `bot.channels.registry`); then the dispatcher and the scheduled jobs. Nothing runs until `start`."""
    owns_engine = engine is None
    engine = engine or create_engine(
        settings.database_url, pool_size=settings.database_pool_size, fast_commit=settings.database_fast_commit
    )
    await migrated(engine)
    app = load_application(settings)
    core = Gangmaker(settings, engine, app, clock, surfaces=registry.SURFACES, metrics=Metrics())
    await core.bootstrap()
    running = {channel.name: channel for channel in (make(core, settings, app.rooms) for make in channels)}
    for kind in registry.configured(settings):
        if kind.name not in running:
            running[kind.name] = kind(core, settings, app.rooms)
    return Assembly(
        settings,
        engine,
        core,
        running,
        Jobs(core.sessions, settings, app.checks),
        _dispatcher(core, running),
        owns_engine=owns_engine,
    )


async def _together(stops: list[Any]) -> None:
    for outcome in await asyncio.gather(*stops, return_exceptions=True):
        if isinstance(outcome, BaseException):
            log.error("a part did not stop cleanly", exc_info=outcome)


def _dispatcher(core: Gangmaker, channels: dict[str, Channel]) -> Dispatcher:
    purposes = core.app.purposes
    return Dispatcher(
        core.sessions,
        core.settings,
        channels,
        core.render_push,
        core.clock,
        metrics=core.metrics,
        pausable={purpose.name for purpose in purposes if purpose.pausable},
        to_blocked={purpose.name for purpose in purposes if purpose.to_blocked},
        first={RESEND.name},
    )  # a reply Telegram or Slack would not take waits behind nothing
