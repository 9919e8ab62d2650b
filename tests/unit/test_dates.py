"""Dates, times and amounts as people type them, read against a fixed day: no database, no clock."""

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.dates import parse_amount, parse_date, parse_moment, parse_time

BRUSSELS = ZoneInfo("Europe/Brussels")
WEDNESDAY = date(2027, 3, 10)
NOW = datetime(2027, 3, 10, 9, 0, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("volgende zaterdag", date(2027, 3, 13)),
        ("zaterdag", date(2027, 3, 13)),
        ("Samedi", date(2027, 3, 13)),
        ("next sat", date(2027, 3, 13)),
        ("maandag", date(2027, 3, 15)),  # a day already past this week is next week's
        ("woensdag", WEDNESDAY),  # the day it is: today
        ("vandaag", WEDNESDAY),
        ("vanaf nu", WEDNESDAY),
        ("aujourd'hui", WEDNESDAY),
        ("morgen", date(2027, 3, 11)),
        ("Tomorrow", date(2027, 3, 11)),
        ("overmorgen", date(2027, 3, 12)),
        ("après-demain", date(2027, 3, 12)),
    ],
)
def test_words_for_days_count_from_today(typed, expected):
    assert parse_date(typed, WEDNESDAY) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14/3", date(2027, 3, 14)),
        ("14-3-2027", date(2027, 3, 14)),
        ("14.3.27", date(2027, 3, 14)),
        ("10/3", WEDNESDAY),  # today is still to come
        ("9/3", date(2028, 3, 9)),  # yesterday: next year's
        ("14 maart", date(2027, 3, 14)),
        ("14 mrt 2028", date(2028, 3, 14)),
        ("March 14", date(2027, 3, 14)),
        ("le 14 mars", date(2027, 3, 14)),
        ("zaterdag 14 maart", date(2027, 3, 14)),  # the weekday in front is not checked against the date
    ],
)
def test_a_day_and_month_without_a_year_is_the_next_one_to_come(typed, expected):
    assert parse_date(typed, WEDNESDAY) == expected


def test_the_29th_of_february_is_the_next_leap_year_s():
    assert parse_date("29/2", WEDNESDAY) == date(2028, 2, 29)
    assert parse_date("29/2", date(2028, 3, 1)) == date(2032, 2, 29)
    assert parse_date("29/2/2028", WEDNESDAY) == date(2028, 2, 29)
    assert parse_date("29/2/2027", WEDNESDAY) is None


@pytest.mark.parametrize(
    "typed",
    ["", "31/4", "13/13", "0/3", "1/1/1999", "1/1/2201", "14 maart 202", "14 maart 2027 extra", "donderdagavond"],
)
def test_what_is_no_date_is_none(typed):
    assert parse_date(typed, WEDNESDAY) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:00", time(14)),
        ("14.00 uur", time(14)),
        ("14 uur", time(14)),
        ("14u", time(14)),
        ("14u30", time(14, 30)),
        ("14h", time(14)),
        ("  10u ", time(10)),
        ("7", time(7)),
        ("2pm", time(14)),
        ("12pm", time(12)),
        ("12am", time(0)),
    ],
)
def test_times_in_each_way_of_writing(typed, expected):
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["24:00", "9:60", "14:5", "1430", "half drie", ""])
def test_what_is_no_time_is_none(typed):
    assert parse_time(typed) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("morgen om 10u", datetime(2027, 3, 11, 10, tzinfo=BRUSSELS)),
        ("volgende zaterdag 10u", datetime(2027, 3, 13, 10, tzinfo=BRUSSELS)),
        ("14/3 om 14.00 uur", datetime(2027, 3, 14, 14, tzinfo=BRUSSELS)),
        ("14/3 14:00", datetime(2027, 3, 14, 14, tzinfo=BRUSSELS)),
        ("14 maart 2027 om 14:00", datetime(2027, 3, 14, 14, tzinfo=BRUSSELS)),
        ("demain à 9h", datetime(2027, 3, 11, 9, tzinfo=BRUSSELS)),
        ("tomorrow at 2pm", datetime(2027, 3, 11, 14, tzinfo=BRUSSELS)),
    ],
)
def test_a_moment_is_a_date_then_a_time_in_now_s_zone(typed, expected):
    moment = parse_moment(typed, NOW)
    assert moment == expected and moment.tzinfo is BRUSSELS


def test_a_moment_after_the_clocks_go_forward_is_in_summer_time():
    saturday = datetime(2027, 3, 27, 9, 0, tzinfo=BRUSSELS)  # summer time starts on Sunday the 28th
    assert parse_moment("27/3 om 14u", saturday).astimezone(timezone.utc).hour == 13
    assert parse_moment("28/3 om 14u", saturday).astimezone(timezone.utc).hour == 12


def test_a_time_alone_is_on_the_day_of_the_start_it_ends():
    start = datetime(2027, 3, 13, 14, 0, tzinfo=BRUSSELS)
    assert parse_moment("17u", NOW, same_day_as=start) == datetime(2027, 3, 13, 17, tzinfo=BRUSSELS)
    assert parse_moment("17u", NOW) is None  # without a start there is no day to put it on


@pytest.mark.parametrize("typed", ["morgen", "om 10u", "10u morgen", "morgen om 25u", "31/4 om 10u"])
def test_a_moment_needs_both_a_valid_date_and_a_valid_time(typed):
    assert parse_moment(typed, NOW) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("4", 4), ("4 uur", 4), ("4u", 4), ("4h.", 4), ("€ 50", 50), ("€50", 50), ("50 euro", 50), ("50,00", 50)],
)
def test_amounts_with_or_without_their_unit(typed, expected):
    assert parse_amount(typed) == expected


@pytest.mark.parametrize("typed", ["1.500", "-3", "12345678", "vier", "4,5"])
def test_what_is_no_whole_amount_is_none(typed):
    assert parse_amount(typed) is None
