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

from bot.typed import plain

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


# The pattern of a time on the hour: Dutch and English write it as any other ("20.00 uur", "20:00"),
# French leaves the minutes out ("20 h"). Its own msgid, so that each language can choose.
ON_THE_HOUR = N_("H'.'mm 'uur'")


@dataclass(frozen=True)
class Translator:
    """Everything language-dependent for one reader: texts, dates, numbers."""

    locale: str
    timezone: str = "Europe/Brussels"
    command: str = "/{}"  # how the reader types a command ("/gangmaker {}" on Slack)
    year: int | None = None  # the reader's current year: a moment in another one shows its year

    @property
    def _catalog(self) -> Translations:
        return catalog(self.locale)

    def __call__(self, message: str, **values: object) -> str:
        """Translate `message` and fill its {placeholders}."""
        text = self._catalog.gettext(message)
        if self.command != "/{}":
            text = COMMAND_IN_TEXT.sub(lambda found: self.command.format(found[1]), text)
        return text.format(**values) if values else text

    def labelled(self, label: str, value: object) -> str:
        """A value after its label, 'Naam: Anna' ('Nom\u00a0: Anna': French puts a space before the colon)."""
        return self(N_("{label}: {value}"), label=label, value=value)

    def plural(self, amount: int, one: str, other: str, **values: object) -> str:
        """The msgid of `one` or `other` that fits the amount in the reader's language (French:
        0 and 1 are singular), translated, with {n} the amount."""
        return self(one if self.babel_locale.plural_form(amount) == "one" else other, n=amount, **values)

    @property
    def babel_locale(self) -> Locale:
        return Locale.parse(BABEL_LOCALE[self.locale])

    def _local(self, value: dt.datetime) -> dt.datetime:
        return value.astimezone(ZoneInfo(self.timezone))

    def date(self, value: dt.date) -> str:
        """A date as people write it, e.g. 'zaterdag 14 maart 2027'."""
        return format_date(value, format="EEEE d MMMM y", locale=self.babel_locale)

    def day(self, value: dt.datetime, with_year: bool = False) -> str:
        """The local day of a moment, 'zaterdag 14 maart', with its year when asked or when it is not
        the reader's current year ('zaterdag 14 maart 2027')."""
        local = self._local(value)
        shown = with_year or (self.year is not None and local.year != self.year)
        return format_date(local.date(), format="EEEE d MMMM y" if shown else "EEEE d MMMM", locale=self.babel_locale)

    def datetime(self, value: dt.datetime, with_year: bool = False) -> str:
        """A moment in local time, e.g. 'zaterdag 14 maart om 14.00 uur', 'samedi 14 mars à 14 h'; with
        the year where it is being chosen, or when it falls in another year than the reader's."""
        return self(N_("{date} om {time}"), date=self.day(value, with_year), time=self.time(value))

    def time(self, value: dt.datetime) -> str:
        """A time of day in local time, e.g. '16.30 uur', '16:30', '16 h 30' (on the hour: '16 h')."""
        local = self._local(value)
        pattern = self(ON_THE_HOUR) if local.minute == 0 else self(N_("H.mm 'uur'"))
        return format_datetime(local, pattern, locale=self.babel_locale)

    def span(self, start: dt.datetime, end: dt.datetime) -> str:
        """From one moment to another: 'zaterdag 14 maart om 20.00 uur tot 23.00 uur', 'Saturday 14
        March from 20:00 to 23:00', 'samedi 14 mars de 20 h à 23 h'; over two days, both in full."""
        if self._local(start).date() == self._local(end).date():
            return self(
                N_("{date} om {start} tot {end}"), date=self.day(start), start=self.time(start), end=self.time(end)
            )
        return self(N_("{start} tot {end}"), start=self.datetime(start), end=self.datetime(end))


# Languages named in what someone writes ("vous parlez français ?", "spreek je Engels?"), plainly spelled.
NAMED = {
    **dict.fromkeys(("nederlands", "dutch", "neerlandais", "vlaams"), "nl"),
    **dict.fromkeys(("english", "engels", "anglais"), "en"),
    **dict.fromkeys(("francais", "french", "frans"), "fr"),
}
NEGATION = frozenset(("niet", "geen", "not", "dont", "no", "pas", "ne", "non"))
# Answers and greetings too short for a detector: whose language they are.
SHORT = {
    **dict.fromkeys(("ja", "jawel", "nee", "neen", "hallo", "hoi", "dag", "goeiedag", "graag", "bedankt"), "nl"),
    **dict.fromkeys(("yes", "yeah", "yep", "no", "nope", "hello", "hi", "thanks", "please", "sure"), "en"),
    **dict.fromkeys(("oui", "ouais", "non", "bonjour", "bonsoir", "salut", "merci", "daccord", "volontiers"), "fr"),
}
# How sure py3langid must be (its probability over nl, en and fr alone) before a text counts as in a
# language: "wat is dit" (0.90 Dutch) and "Hi there" (0.88 English) pass, "hallo" (0.60 English) does
# not. Of 52 first messages written for the purpose, none was put in the wrong language; 8 ("ok",
# "help", "Can I help?") were left to the channel's hint.
SURE = 0.85


@lru_cache(maxsize=1)
def _identifier() -> object:
    """py3langid's model, limited to the languages Gangmaker speaks (loaded once, about half a second)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(SUPPORTED))
    return identifier


def language_of(text: str) -> str | None:
    """The language someone writes in, or asks for: a language named ("parlez-vous français ?"),
    a short answer or greeting ("oui", "yes please"), or longer text py3langid is sure about;
    None when it cannot tell ("ok", "👍")."""
    words = plain(text).split()
    named = {NAMED[word] for word in words if word in NAMED}
    if len(named) == 1 and not NEGATION.intersection(words):  # not "I don't speak Dutch"
        return named.pop()
    short = {SHORT[word] for word in words if word in SHORT}
    if len(words) <= 3 and len(short) == 1:
        return short.pop()
    if len(words) < 2:
        return None
    language, sure = _identifier().classify(text)  # type: ignore[attr-defined]
    return str(language) if sure >= SURE else None


def translator(
    locale: str | None, timezone: str = "Europe/Brussels", command: str = "/{}", year: int | None = None
) -> Translator:
    return Translator(supported(locale), timezone, command, year)
