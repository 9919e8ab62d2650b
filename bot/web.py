"""The one web server: each channel's routes (Telegram's webhook...), the application's public pages
and its page for an unknown address, a health endpoint and the Prometheus metrics (for whoever shows
METRICS_TOKEN). Every answer says not to sniff its type, passes no address on, and allows no script
and no inline style."""

from __future__ import annotations

import asyncio
import hmac
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
    from bot.app import Page, PageRender
    from bot.channels.base import Channel
    from bot.core import Gangmaker


log = logging.getLogger(__name__)
HEALTH_TIMEOUT = 3  # seconds the database has to answer /healthz
OWN_PATHS = ("/healthz", "/metrics")
# The application's pages are plain HTML with a stylesheet of their own: nothing else may run or load.
POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": POLICY,
}


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


def bearer_token(request: web.Request) -> str | None:
    """The token of an `Authorization: Bearer …` header (the scheme in any case), if there is one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def metrics(core: Gangmaker, token: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The Prometheus exposition, for a scraper that shows the token; 401 for anyone else."""
    expected = token.encode()

    async def handle(request: web.Request) -> web.Response:
        shown = bearer_token(request)
        if shown is None or not hmac.compare_digest(shown.encode(), expected):
            return web.Response(status=401, text="401: Unauthorized", headers={"WWW-Authenticate": "Bearer"})
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


@web.middleware
async def secured(request: web.Request, handler: Any) -> web.StreamResponse:
    """The security headers on every answer (a handler may set its own), errors too."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        for name, value in SECURITY_HEADERS.items():
            error.headers.setdefault(name, value)
        raise
    if not response.prepared:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def not_found_page(core: Gangmaker, render: PageRender) -> Any:
    """A browser asking for an address there is nothing at gets the application's page for it, with 404."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPNotFound:
            if request.method not in ("GET", "HEAD"):
                raise
            return await draw(core, request, render, status=404)

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


async def draw(core: Gangmaker, request: web.Request, render: PageRender, status: int = 200) -> web.Response:
    """A page of the application drawn in a scope of its own, in the reader's language."""
    async with core.sessions() as session:
        scope = Scope(session=session, settings=core.settings, now=core.clock(), locale_hint=reader_language(request))
        content = await render(scope)
    headers = {
        "Content-Language": scope.t.locale,
        "Vary": "Accept-Language",
        "Cache-Control": f"public, max-age={content.max_age}" if content.max_age else "no-cache",
    }
    return web.Response(
        status=status, text=content.body, content_type=content.content_type, charset="utf-8", headers=headers
    )


def page_handler(core: Gangmaker, page: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """An aiohttp handler that draws the application's page."""

    async def handle(request: web.Request) -> web.StreamResponse:
        return await draw(core, request, page.render)

    return handle


def create_web_app(
    channels: Iterable[Channel] = (), core: Gangmaker | None = None, lifecycle: Lifecycle | None = None
) -> web.Application:
    """GET /healthz and /metrics (when METRICS_TOKEN is set), the routes every channel asks for (`routes()`:
    method, path, handler), and the pages of the core's application."""
    lifecycle = lifecycle or Lifecycle()
    quiet_malformed_requests()  # a request line of 9,000 characters is no error of ours
    middlewares = [secured, refuse_while_stopping(lifecycle)]
    if core is not None and core.app.not_found is not None:
        middlewares.append(not_found_page(core, core.app.not_found))
    app = web.Application(client_max_size=1024 * 1024, middlewares=middlewares)
    app.router.add_get("/healthz", health(core, lifecycle))
    if core is not None and core.settings.metrics_token is not None:
        app.router.add_get("/metrics", metrics(core, core.settings.metrics_token.get_secret_value()))
    for channel in channels:
        for method, path, handler in channel.routes():
            app.router.add_route(method, path, handler)
    if core is not None:
        for page in core.app.pages:
            app.router.add_get(page.path, page_handler(core, page))
    return app
