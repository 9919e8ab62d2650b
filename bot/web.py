"""The one web server: each channel's routes (Telegram's webhook...) next to a health endpoint."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_web_app(channels: Iterable[Any] = ()) -> web.Application:
    """GET /healthz, and the routes every channel asks for (`routes()`: method, path, handler)."""
    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_get("/healthz", health)
    for channel in channels:
        for method, path, handler in (channel.routes() if hasattr(channel, "routes") else ()):
            app.router.add_route(method, path, handler)
    return app
