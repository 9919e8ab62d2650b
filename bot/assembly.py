"""One assembly: the core, its channels, the outbox dispatcher, the scheduler and the web server,
built from the settings and the application they name. The CLI, the tests and the benchmarks use it."""
from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import surfaces
from bot.app import Application
from bot.config import Settings
from bot.core import Gangmaker
from bot.outbox import Dispatcher
from bot.scheduler import Jobs, Schedule
from bot.web import create_web_app
from storage.db import create_engine
from storage.migrate import upgrade
from storage.models import utcnow


def load_application(settings: Settings) -> Application:
    """The application named by GANGMAKER_APPLICATION ("module:function" taking the settings)."""
    module, _, name = settings.gangmaker_application.partition(":")
    return getattr(importlib.import_module(module), name)(settings)


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The configured database, migrated, for a command that runs and ends."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


@dataclass
class Console:
    """A terminal to chat in: who is typing, and where lines come from and go to."""

    user: str
    stdin: TextIO
    stdout: TextIO
    rooms: bool = False  # show the shared rooms (coordinators, partners) in this terminal


@dataclass
class Assembly:
    """Everything that runs Gangmaker in one process."""

    settings: Settings
    engine: AsyncEngine
    core: Gangmaker
    channels: dict[str, Any]
    jobs: Jobs
    dispatcher: Dispatcher
    owns_engine: bool = True
    schedule: Schedule | None = field(default=None, repr=False)
    web: web.AppRunner | None = field(default=None, repr=False)

    @property
    def app(self) -> Application:
        return self.core.app

    def new_dispatcher(self) -> Dispatcher:
        """Another dispatcher on the same database and channels (as a second process has)."""
        return _dispatcher(self.core, self.channels)

    async def start(self, *, scheduler: bool = True, serve_web: bool = True) -> Assembly:
        """Start the web server (when a channel needs one, or always with `serve_web`), the
        channels, and the scheduler."""
        if serve_web:
            self.web = web.AppRunner(create_web_app(self.channels.values(), self.core))
            await self.web.setup()
            await web.TCPSite(self.web, self.settings.host, self.settings.port).start()
        for channel in self.channels.values():
            if hasattr(channel, "start"):
                await channel.start()
        if scheduler:
            self.schedule = Schedule(self.jobs, self.dispatcher, self.core.clock).start()
        return self

    async def stop(self) -> None:
        if self.schedule is not None:
            await self.schedule.stop()
        for channel in self.channels.values():
            if hasattr(channel, "stop"):
                await channel.stop()
        if self.web is not None:
            await self.web.cleanup()
        if self.owns_engine:
            await self.engine.dispose()


async def assemble(settings: Settings, *, engine: AsyncEngine | None = None,
                   clock: Callable[[], datetime] = utcnow, console: Console | None = None,
                   telegram_retry_wait: float = 0.5) -> Assembly:
    """Migrate the database, build the core from the application, grant the roles the
    settings name, and build the configured channels (Telegram with a token, Slack with a
    bot token, the console when asked), the dispatcher and the scheduled jobs. Nothing runs until `start`."""
    owns_engine = engine is None
    engine = engine or create_engine(settings.database_url)
    await upgrade(engine)
    app = load_application(settings)
    core = Gangmaker(settings, engine, app, clock, surfaces=surfaces.BY_CHANNEL)
    await core.bootstrap()
    channels: dict[str, Any] = {}
    if console is not None:
        from bot.channels.console import ConsoleChannel

        channels["console"] = ConsoleChannel(core, console.user, console.stdin, console.stdout, rooms=console.rooms)
    if settings.slack_bot_token:
        from bot.channels.slack import SlackChannel

        channels["slack"] = SlackChannel(core, settings)
    if settings.telegram_token:
        from bot.channels.telegram import TelegramChannel

        channels["telegram"] = TelegramChannel(core, settings, webhook=bool(settings.telegram_webhook_url),
                                               retry_wait=telegram_retry_wait)
    return Assembly(settings, engine, core, channels, Jobs(core.sessions, settings, app.checks),
                    _dispatcher(core, channels), owns_engine=owns_engine)


def _dispatcher(core: Gangmaker, channels: dict[str, Any]) -> Dispatcher:
    purposes = core.app.purposes
    return Dispatcher(core.sessions, core.settings, channels, core.render_push, core.clock,
                      pausable={purpose.name for purpose in purposes if purpose.pausable},
                      to_blocked={purpose.name for purpose in purposes if purpose.to_blocked})
