"""The one web server: each channel's routes (Telegram's webhook...), the application's public pages,
a health endpoint and the Prometheus metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import text

from bot.context import Scope
from bot.i18n import SUPPORTED
from bot.logs import quiet_malformed_requests
from bot.metrics import CONTENT_TYPE

if TYPE_CHECKING:
    from bot.app import Page
    from bot.channels.base import Channel
    from bot.core import Gangmaker


log = logging.getLogger(__name__)
HEALTH_TIMEOUT = 3  # seconds the database has to answer /healthz
OWN_PATHS = ("/healthz", "/metrics")


@dataclass
class Lifecycle:
    """Whether the server takes updates: not before the channels have started, nor once it is stopping
    (it answers 503, and the platforms send them again later or to another instance)."""

    ready: bool = True
    stopping: bool = False

    @property
    def state(self) -> str | None:
        """What keeps the server from taking updates, if anything."""
        return "stopping" if self.stopping else None if self.ready else "starting"


def health(core: Gangmaker | None, lifecycle: Lifecycle) -> Callable[[web.Request], Awaitable[web.Response]]:
    """200 when the database answers; 503 with the reason when it does not, or when the server is stopping."""

    async def handle(request: web.Request) -> web.Response:
        if lifecycle.state is not None:
            return web.json_response({"status": lifecycle.state}, status=503)
        if core is not None:
            try:
                async with asyncio.timeout(HEALTH_TIMEOUT):
                    async with core.engine.connect() as connection:
                        await connection.execute(text("SELECT 1"))
            except Exception as error:  # noqa: BLE001 - whatever it is, the database does not answer
                reason = f"database unavailable: {type(error).__name__}"
                log.warning("health check failed: %s", reason)
                return web.json_response({"status": "unavailable", "reason": reason}, status=503)
        return web.json_response({"status": "ok"})

    return handle


def metrics(core: Gangmaker) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        try:
            body = await core.metrics.scrape(core.sessions)
        except Exception:  # noqa: BLE001 - the counters still tell something without the backlog
            log.warning("outbox backlog not counted: database unavailable")
            body = await core.metrics.scrape(None)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    return handle


def refuse_while_stopping(lifecycle: Lifecycle) -> Any:
    """While starting or stopping, every route but the server's own answers 503, so Telegram and Slack
    send it again later."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        if lifecycle.state is not None and request.path not in OWN_PATHS:
            return web.json_response({"ok": False, "error": lifecycle.state}, status=503, headers={"Retry-After": "5"})
        return await handler(request)

    return middleware


def reader_language(request: web.Request) -> str | None:
    """The language a page is read in: `?lang=` when Gangmaker speaks it, else the first one
    the browser's Accept-Language names that it speaks (by weight), else None (Dutch)."""
    asked = request.query.get("lang", "").strip().lower()
    if asked in SUPPORTED:
        return asked
    weighted = []
    for position, part in enumerate(request.headers.get("Accept-Language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().replace("_", "-").split("-")[0]
        try:
            weight = float(params.strip().removeprefix("q=")) if params.strip().startswith("q=") else 1.0
        except ValueError:
            weight = 0.0
        if language in SUPPORTED and weight > 0:
            weighted.append((-weight, position, language))
    return min(weighted)[2] if weighted else None


def page_handler(core: Gangmaker, page: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """An aiohttp handler that draws the application's page in a scope of its own."""

    async def handle(request: web.Request) -> web.StreamResponse:
        async with core.sessions() as session:
            scope = Scope(
                session=session, settings=core.settings, now=core.clock(), locale_hint=reader_language(request)
            )
            content = await page.render(scope)
        headers = {
            "Content-Language": scope.t.locale,
            "Vary": "Accept-Language",
            "Cache-Control": f"public, max-age={content.max_age}" if content.max_age else "no-cache",
        }
        return web.Response(text=content.body, content_type=content.content_type, charset="utf-8", headers=headers)

    return handle


def create_web_app(
    channels: Iterable[Channel] = (), core: Gangmaker | None = None, lifecycle: Lifecycle | None = None
) -> web.Application:
    """GET /healthz and /metrics, the routes every channel asks for (`routes()`: method, path, handler), and
    the pages of the core's application."""
    lifecycle = lifecycle or Lifecycle()
    quiet_malformed_requests()  # a request line of 9,000 characters is no error of ours
    app = web.Application(client_max_size=1024 * 1024, middlewares=[refuse_while_stopping(lifecycle)])
    app.router.add_get("/healthz", health(core, lifecycle))
    if core is not None:
        app.router.add_get("/metrics", metrics(core))
    for channel in channels:
        for method, path, handler in channel.routes():
            app.router.add_route(method, path, handler)
    if core is not None:
        for page in core.app.pages:
            app.router.add_get(page.path, page_handler(core, page))
    return app
