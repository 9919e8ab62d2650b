"""The one web server: each channel's routes (Telegram's webhook...), the application's public pages,
and a health endpoint."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.context import Scope
from bot.i18n import SUPPORTED

if TYPE_CHECKING:
    from bot.app import Page
    from bot.core import Gangmaker


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


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
            scope = Scope(session=session, settings=core.settings, now=core.clock(),
                          locale_hint=reader_language(request))
            content = await page.render(scope)
        headers = {"Content-Language": scope.t.locale, "Vary": "Accept-Language",
                   "Cache-Control": f"public, max-age={content.max_age}" if content.max_age else "no-cache"}
        return web.Response(text=content.body, content_type=content.content_type, charset="utf-8", headers=headers)

    return handle


def create_web_app(channels: Iterable[Any] = (), core: Gangmaker | None = None) -> web.Application:
    """GET /healthz, the routes every channel asks for (`routes()`: method, path, handler), and
    the pages of the core's application."""
    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_get("/healthz", health)
    for channel in channels:
        for method, path, handler in (channel.routes() if hasattr(channel, "routes") else ()):
            app.router.add_route(method, path, handler)
    for page in (core.app.pages if core is not None else ()):
        app.router.add_get(page.path, page_handler(core, page))
    return app
