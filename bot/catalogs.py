"""Keeping the gettext catalogs in step with the code: extract, update, and fill Dutch.

Run as `gangmaker i18n update` after changing user-facing text. Dutch is the source
language (the message ids are Dutch), so its catalog takes each id as its translation
unless an editor has already reworded it; English and French are translated by hand.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from bot.i18n import DEFAULT, DOMAIN, LOCALES_DIR

ROOT = LOCALES_DIR.parent
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"
KEYWORDS = ["-k", "N_"]


def extract(output: Path = TEMPLATE) -> Path:
    """Write the template of every msgid in the code to `output`."""
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            *KEYWORDS,
            "--no-location",
            "--sort-output",
            "--project=gangmaker",
            "--copyright-holder=Stad Kortrijk",
            "--msgid-bugs-address=gangmaker@kortrijk.be",
            "-o",
            str(output),
            str(ROOT),
        ]
    )
    return output


def update() -> None:
    """Extract, merge into each language's catalog, and fill Dutch from the ids."""
    extract()
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "update",
            "-i",
            str(TEMPLATE),
            "-d",
            str(LOCALES_DIR),
            "-D",
            DOMAIN,
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        ]
    )
    source = LOCALES_DIR / DEFAULT / "LC_MESSAGES" / f"{DOMAIN}.po"
    with source.open("rb") as file:
        catalog = read_po(file, locale=DEFAULT)
    for message in catalog:
        if message.id and not message.string:
            message.string = message.id
    with source.open("wb") as file:
        write_po(file, catalog, omit_header=False, no_location=True, sort_output=True)
