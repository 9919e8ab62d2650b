"""The catalogs: complete in every shipped language, placeholders intact, in step with the code."""

import re
from datetime import datetime, timezone

import pytest
from babel.messages.pofile import read_po

from bot.catalogs import extract
from bot.config import load_settings
from bot.dialogue.engine import NAVIGATION
from bot.i18n import COMMAND_IN_TEXT, LOCALES_DIR, SUPPORTED, translator
from handlers.app import application
from handlers.people.menu import HELP, HELP_MORE

PLACEHOLDER = re.compile(r"{(\w*)}")


def catalog(locale):
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=locale)


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_message_is_translated_with_the_same_placeholders(locale):
    messages = [m for m in catalog(locale) if m.id]
    assert messages
    untranslated = [m.id for m in messages if not m.string or m.fuzzy]
    assert untranslated == []
    mismatched = [m.id for m in messages if sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))]
    assert mismatched == []


def test_catalogs_hold_exactly_the_texts_in_the_code(tmp_path):
    with extract(tmp_path / "messages.pot").open("rb") as file:
        in_code = {m.id for m in read_po(file) if m.id}
    for locale in SUPPORTED:
        in_catalog = {m.id for m in catalog(locale) if m.id}
        assert in_code - in_catalog == set(), f"missing in {locale}: run `gangmaker i18n update`"
        assert in_catalog - in_code == set(), f"obsolete in {locale}"


def test_dates_follow_each_language():
    moment = datetime(2027, 3, 13, 13, 0, tzinfo=timezone.utc)  # 14.00 in Kortrijk
    assert translator("nl").datetime(moment) == "zaterdag 13 maart om 14.00 uur"
    assert translator("en").datetime(moment) == "Saturday 13 March at 14:00"
    assert translator("fr").datetime(moment) == "samedi 13 mars à 14\u00a0h"  # Belgian French: "14 h"


def test_unknown_languages_fall_back_to_dutch():
    assert translator("de-DE").locale == "nl"
    assert translator(None).locale == "nl"
    assert translator("fr_BE").locale == "fr"


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_command_a_text_names_exists(locale):
    """Help and hints name commands people can type."""
    known = set(application(load_settings(_env_file=None)).by_name) | {n for names in NAVIGATION for n in names}
    named = {name for m in catalog(locale) if m.id for name in COMMAND_IN_TEXT.findall(m.string)}
    assert named - known - {"foto"} == set()  # /foto: the console's pretend photo


# The command each language has of its own, for the Dutch name (where it has one).
OWN_COMMANDS = {
    "en": {
        "idee": "idea",
        "tijd": "time",
        "kennis": "expertise",
        "geven": "give",
        "profiel": "profile",
        "taal": "language",
        "bijdragen": "contributions",
        "mijngegevens": "mydata",
        "vergeet": "forget",
        "agenda": "whatson",
        "mijnoproepen": "mycalls",
        "pauze": "pause",
        "oproep": "newcall",
        "oproepen": "calls",
        "annuleer": "cancel",
        "terug": "back",
        "overslaan": "skip",
        "koppel": "join",
        "hulp": "help",
    },
    "fr": {
        "tijd": "temps",
        "kennis": "competences",
        "geven": "donner",
        "profiel": "profil",
        "taal": "langue",
        "bijdragen": "contributions",
        "privacy": "confidentialite",
        "mijngegevens": "mesdonnees",
        "vergeet": "oublier",
        "mijnoproepen": "mesappels",
        "pauze": "pause",
        "annuleer": "annuler",
        "terug": "retour",
        "overslaan": "passer",
        "koppel": "rejoindre",
        "hulp": "aide",
        "help": "aide",
    },
}


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_english_and_french_texts_name_their_own_commands(locale):
    dutch = {
        m.id: name
        for m in catalog(locale)
        if m.id
        for name in COMMAND_IN_TEXT.findall(m.string)
        if name in OWN_COMMANDS[locale]
    }
    assert dutch == {}


def test_english_and_french_help_name_their_own_commands():
    english, french = (translator(locale)(HELP) + translator(locale)(HELP_MORE) for locale in ("en", "fr"))
    assert "/idea" in english and "/idee" not in english and "/mycalls" in english
    assert "/temps" in french and "/tijd" not in french and "/oublier" in french


def test_french_puts_a_non_breaking_space_before_double_punctuation_and_inside_quotes():
    wrong = re.compile(r"[ \w)’.…][?!;»]|[\w)»]:(?=\s|$)| :|«[^\u00a0\u202f]")
    assert [m.string for m in catalog("fr") if m.id and wrong.search(m.string)] == []
