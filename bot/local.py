"""Where the console keeps its things on this computer: its database in the person's data folder, and
the public pages served on the loopback address beside the chat."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.config import Settings, normalise_database_url
from bot.web import create_web_app

if TYPE_CHECKING:
    from bot.app import Page
    from bot.assembly import Assembly

CONSOLE_CHECKS = 5  # seconds between a console's checks: a person trying two roles sees the other's turn soon
LOOPBACK = "127.0.0.1"  # the console's web server answers this computer only


def data_folder() -> Path:
    """The person's data folder for Gangmaker (XDG: `$XDG_DATA_HOME/gangmaker`, else
    `~/.local/share/gangmaker`), made when missing."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    folder = Path(base) / "gangmaker"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def for_the_console(settings: Settings, db_path: Path | None) -> Settings:
    """The settings of a console: its database is `--db` when given, else DATABASE_URL when set,
    else `gangmaker.db` in the data folder (not in whatever folder the console started in); unless
    CHECKS_INTERVAL_SECONDS says otherwise, what another console queued shows within seconds."""
    changes: dict[str, object] = {}
    if db_path is not None:
        changes["database_url"] = normalise_database_url(f"sqlite:///{db_path}")
    elif "database_url" not in settings.model_fields_set:
        changes["database_url"] = normalise_database_url(f"sqlite:///{data_folder() / 'gangmaker.db'}")
    if "checks_interval_seconds" not in settings.model_fields_set:
        changes["checks_interval_seconds"] = CONSOLE_CHECKS
    return settings.model_copy(update=changes)


async def serve_pages(assembly: Assembly) -> tuple[str, ...]:
    """Serve the bot's web server (its public pages) on the loopback address beside the chat: on
    PORT when it is free, else on a port the system picks; the addresses of the pages a person
    reads (not their stylesheets). The assembly stops it with the rest."""
    place = socket.socket()
    place.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        place.bind((LOOPBACK, assembly.settings.port))
    except OSError:  # taken (another console, a bot): any free port; the socket stays ours, no race
        place.bind((LOOPBACK, 0))
    runner = web.AppRunner(
        create_web_app(assembly.channels.values(), assembly.core, assembly.lifecycle), shutdown_timeout=5
    )
    await runner.setup()
    await web.SockSite(runner, place).start()
    assembly.web = runner
    return page_addresses(f"http://{LOOPBACK}:{place.getsockname()[1]}", assembly.app.pages)


def page_addresses(origin: str, pages: Sequence[Page]) -> tuple[str, ...]:
    """The addresses of the public pages a person reads (not their stylesheets and images)."""
    return tuple(f"{origin}{page.path}" for page in pages if "." not in page.path.rsplit("/", 1)[-1])
