"""A bare python-telegram-bot echo bot in webhook mode: the yardstick for Gangmaker's replies.

Built as Gangmaker builds its Application (the same rate and concurrent updates; python-telegram-
bot's own AIORateLimiter where Gangmaker has one that puts replies first), with python-telegram-
bot's own webhook recipe: a small web server checks the secret header and puts each update on the
application's queue.
"""

from __future__ import annotations

import hmac

from aiohttp import web
from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/echo/hook"


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)


class EchoBot:
    """The echo bot and its web server on 127.0.0.1."""

    def __init__(self, token: str, base_url: str, rate: float, secret: str) -> None:
        root = base_url.rstrip("/")
        self.secret = secret
        self.application = (
            Application.builder()
            .token(token)
            .base_url(f"{root}/bot")
            .base_file_url(f"{root}/file/bot")
            .rate_limiter(AIORateLimiter(overall_max_rate=rate, max_retries=3))
            .concurrent_updates(32)
            .updater(None)
            .build()
        )
        self.application.add_handler(MessageHandler(filters.TEXT, echo))
        self._runner: web.AppRunner | None = None

    async def on_webhook(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), self.secret.encode()):
            return web.json_response({"ok": False}, status=403)
        await self.application.update_queue.put(Update.de_json(await request.json(), self.application.bot))
        return web.json_response({"ok": True})

    async def start(self, port: int) -> str:
        """Start the bot and its web server; returns the webhook URL."""
        await self.application.initialize()
        await self.application.start()
        app = web.Application()
        app.router.add_post(PATH, self.on_webhook)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        return f"http://127.0.0.1:{port}{PATH}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        await self.application.stop()
        await self.application.shutdown()
