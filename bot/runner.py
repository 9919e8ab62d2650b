"""Running Gangmaker on its platforms: the Telegram channel and the web server, until stopped."""
from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.config import Settings
from bot.core import Gangmaker
from bot.outbox import Dispatcher
from bot.scheduler import Jobs, start_scheduler
from bot.web import create_web_app
from storage.db import create_engine
from storage.migrate import upgrade

log = logging.getLogger(__name__)


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Migrate, start the configured channels and the web server, and run until `stop` (or SIGTERM)."""
    from bot.channels.telegram import TelegramChannel

    engine = create_engine(settings.database_url)
    await upgrade(engine)
    core = Gangmaker(settings, engine)
    telegram = None
    if settings.telegram_token:
        telegram = TelegramChannel(core, settings, webhook=bool(settings.telegram_webhook_url))
    runner = web.AppRunner(create_web_app(settings, telegram))
    await runner.setup()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    scheduler = None
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
        if telegram is not None:
            await telegram.start()
            log.info("Telegram channel running (%s)", "webhook" if telegram.webhook else "polling")
            dispatcher = Dispatcher(core.sessions, settings, {"telegram": telegram}, core.render_push, core.clock)
            scheduler = start_scheduler(Jobs(core.sessions, settings), dispatcher, core.clock)
        await stop.wait()
    finally:
        if scheduler is not None:
            await scheduler.stop()
        if telegram is not None:
            await telegram.stop()
        await runner.cleanup()
        await engine.dispose()
