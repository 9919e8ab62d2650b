"""Where the console keeps its things on this computer: its database in the person's data folder, and
the public pages served on the loopback address beside the chat."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings, normalise_database_url

if TYPE_CHECKING:
    from bot.app import Page

LOOPBACK = "127.0.0.1"  # the console's web server answers this computer only


def data_folder() -> Path:
    """The person's data folder for Gangmaker (XDG: `$XDG_DATA_HOME/gangmaker`, else
    `~/.local/share/gangmaker`), made when missing."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    folder = Path(base) / "gangmaker"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def own_database(settings: Settings, db_path: Path | None) -> Settings:
    """The settings with the console's database: `--db` when given, else DATABASE_URL when set,
    else `gangmaker.db` in the data folder (not in whatever folder the console started in)."""
    if db_path is not None:
        url = f"sqlite:///{db_path}"
    elif "database_url" in settings.model_fields_set:
        return settings
    else:
        url = f"sqlite:///{data_folder() / 'gangmaker.db'}"
    return settings.model_copy(update={"database_url": normalise_database_url(url)})


def serve_locally(settings: Settings) -> Settings:
    """Serve on the loopback address: on PORT when it is free, else on a port the system picks."""
    port = settings.port
    with socket.socket() as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            probe.bind((LOOPBACK, 0))
            port = probe.getsockname()[1]
    settings.host, settings.port = LOOPBACK, port
    return settings


def page_addresses(settings: Settings, pages: Sequence[Page]) -> tuple[str, ...]:
    """The addresses of the public pages a person reads (not their stylesheets and images)."""
    return tuple(
        f"http://{settings.host}:{settings.port}{page.path}"
        for page in pages
        if "." not in page.path.rsplit("/", 1)[-1]
    )
