"""Per-person translations from the gettext catalogs in `locales/`, and Babel date formatting.

Catalogs are compiled from the `.po` sources in memory when first used, so there is no
`.mo` file to forget to rebuild. Message ids are the Dutch texts: Dutch is the first language.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SUPPORTED = ("nl", "en", "fr")
DEFAULT = "nl"
# Babel locale per language: Belgian conventions where Kortrijk has them.
BABEL_LOCALE = {"nl": "nl_BE", "en": "en_GB", "fr": "fr_BE"}
# A command named in a text ("typ /idee"), not a date (14/3), a path or a URL.
COMMAND_IN_TEXT = re.compile(r"(?<![\w/.:])/([a-z]+)\b")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, in the reader's language."""
    return message


def supported(locale: str | None) -> str:
    """The given language when Gangmaker speaks it, else Dutch."""
    if locale:
        short = locale.replace("-", "_").split("_")[0].lower()
        if short in SUPPORTED:
            return short
    return DEFAULT


@lru_cache(maxsize=None)
def catalog(locale: str) -> Translations:
    """The compiled catalog for one language (read from its .po file once per process)."""
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as po_file:
        messages = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, messages, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@dataclass(frozen=True)
class Translator:
    """Everything language-dependent for one reader: texts, dates, numbers."""

    locale: str
    timezone: str = "Europe/Brussels"
    command: str = "/{}"  # how the reader types a command ("/gangmaker {}" on Slack)

    @property
    def _catalog(self) -> Translations:
        return catalog(self.locale)

    def __call__(self, message: str, **values: object) -> str:
        """Translate `message` and fill its {placeholders}."""
        text = self._catalog.gettext(message)
        if self.command != "/{}":
            text = COMMAND_IN_TEXT.sub(lambda found: self.command.format(found[1]), text)
        return text.format(**values) if values else text

    def plural(self, amount: int, one: str, other: str, **values: object) -> str:
        """The msgid of `one` or `other` that fits the amount in the reader's language (French:
        0 and 1 are singular), translated, with {n} the amount."""
        return self(one if self.babel_locale.plural_form(amount) == "one" else other, n=amount, **values)

    @property
    def babel_locale(self) -> Locale:
        return Locale.parse(BABEL_LOCALE[self.locale])

    def date(self, value: dt.date) -> str:
        """A date as people write it, e.g. 'zaterdag 14 maart 2027'."""
        return format_date(value, format="EEEE d MMMM y", locale=self.babel_locale)

    def datetime(self, value: dt.datetime, with_year: bool = False) -> str:
        """A moment in local time, e.g. 'zaterdag 14 maart om 14.00 uur' (with the year: 'zaterdag
        14 maart 2027 om 14.00 uur', where it is being chosen)."""
        pattern = self(N_("EEEE d MMMM y 'om' H.mm 'uur'") if with_year else N_("EEEE d MMMM 'om' H.mm 'uur'"))
        return format_datetime(value, pattern, tzinfo=ZoneInfo(self.timezone), locale=self.babel_locale)

    def time(self, value: dt.datetime) -> str:
        """A time of day in local time, e.g. '16.30 uur'."""
        pattern = self(N_("H.mm 'uur'"))
        return format_datetime(value, pattern, tzinfo=ZoneInfo(self.timezone), locale=self.babel_locale)


def translator(locale: str | None, timezone: str = "Europe/Brussels", command: str = "/{}") -> Translator:
    return Translator(supported(locale), timezone, command)
