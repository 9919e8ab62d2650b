"""Texts, dates and numbers in the reader's language, with Dutch for every language Gangmaker does not speak."""

from datetime import date, datetime, timezone

import pytest
from babel.numbers import format_decimal

from bot.i18n import supported, translator

SATURDAY = date(2027, 3, 13)
SUMMER_NOON_UTC = datetime(2027, 7, 1, 12, 5, tzinfo=timezone.utc)  # 14.05 in Kortrijk (summer time)
WINTER_AFTERNOON_UTC = datetime(2027, 1, 1, 15, 30, tzinfo=timezone.utc)  # 16.30 in Kortrijk


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("nl", "nl"),
        ("en", "en"),
        ("fr", "fr"),
        ("fr-BE", "fr"),
        ("EN_us", "en"),
        ("de", "nl"),
        ("", "nl"),
        (None, "nl"),
    ],
)
def test_a_language_gangmaker_does_not_speak_falls_back_to_dutch(given, expected):
    assert supported(given) == expected
    assert translator(given).locale == expected


@pytest.mark.parametrize(
    ("locale", "day", "moment", "moment_with_year", "time_of_day"),
    [
        (
            "nl",
            "zaterdag 13 maart 2027",
            "donderdag 1 juli om 14.05 uur",
            "donderdag 1 juli 2027 om 14.05 uur",
            "16.30 uur",
        ),
        ("en", "Saturday 13 March 2027", "Thursday 1 July at 14:05", "Thursday 1 July 2027 at 14:05", "16:30"),
        (
            "fr",
            "samedi 13 mars 2027",
            "jeudi 1 juillet à 14\u00a0h\u00a005",
            "jeudi 1 juillet 2027 à 14\u00a0h\u00a005",
            "16\u00a0h\u00a030",
        ),
    ],
)
def test_dates_and_times_are_written_the_local_way_in_local_time(locale, day, moment, moment_with_year, time_of_day):
    t = translator(locale)
    assert t.date(SATURDAY) == day
    assert t.datetime(SUMMER_NOON_UTC) == moment
    assert t.datetime(SUMMER_NOON_UTC, with_year=True) == moment_with_year
    assert t.time(WINTER_AFTERNOON_UTC) == time_of_day


def test_times_follow_the_time_zone_given():
    assert translator("nl", timezone="America/New_York").time(WINTER_AFTERNOON_UTC) == "10.30 uur"


@pytest.mark.parametrize(("locale", "expected"), [("nl", "1.234,5"), ("en", "1,234.5"), ("fr", "1\u202f234,5")])
def test_numbers_follow_belgian_conventions_where_kortrijk_has_them(locale, expected):
    assert format_decimal(1234.5, format="#,##0.#", locale=translator(locale).babel_locale) == expected


def test_a_text_is_translated_and_its_placeholders_filled():
    dutch = "Aanbiedingen van tijd, kennis of geld: {n}"
    assert translator("nl")(dutch, n=3) == "Aanbiedingen van tijd, kennis of geld: 3"
    assert translator("fr")(dutch, n=3) == "Offres de temps, de compétences ou d’argent\u00a0: 3"
    assert translator("en")("Geen vertaling voor deze zin.") == "Geen vertaling voor deze zin."  # unknown: as written


def test_commands_named_in_a_text_are_written_as_the_channel_types_them():
    text = "Je hebt nog niets gedeeld. Typ /idee of /tijd om te beginnen."
    assert translator("nl")(text) == text
    assert translator("nl", command="/gangmaker {}")(text) == (
        "Je hebt nog niets gedeeld. Typ /gangmaker idee of /gangmaker tijd om te beginnen."
    )
    assert translator("en", command="/gangmaker {}")(text) == (
        "You haven't shared anything yet. Type /gangmaker idea or /gangmaker time to get started."
    )
    dates_and_links = "Op 14/3 om 10u, zie https://kortrijk2030.be/idee."
    assert translator("nl", command="/gangmaker {}")(dates_and_links) == dates_and_links
