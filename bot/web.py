"""The one web server: Telegram webhooks (secret header checked) and a health endpoint."""
from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlparse

from aiohttp import web

from bot.config import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM = web.AppKey("telegram", object)
SECRET = web.AppKey("secret", str)


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def telegram_webhook(request: web.Request) -> web.Response:
    """Hand an update to the Telegram channel, but only with the secret we registered."""
    expected = request.app[SECRET]
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("refused a Telegram webhook call without the right secret from %s", request.remote)
        return web.json_response({"ok": False, "error": "forbidden"}, status=403)
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.json_response({"ok": False, "error": "not JSON"}, status=400)
    if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
        return web.json_response({"ok": False, "error": "not an update"}, status=400)
    await request.app[TELEGRAM].process(payload)
    return web.json_response({"ok": True})


def create_web_app(settings: Settings, telegram: object | None = None) -> web.Application:
    """Routes: GET /healthz, and POST on the path of TELEGRAM_WEBHOOK_URL when a webhook is set."""
    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_get("/healthz", health)
    if telegram is not None and settings.telegram_webhook_url:
        app[TELEGRAM] = telegram
        app[SECRET] = settings.telegram_webhook_secret.get_secret_value()
        app.router.add_post(urlparse(settings.telegram_webhook_url).path or "/", telegram_webhook)
    return app
