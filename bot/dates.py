"""Dates, times and amounts as people type them, in Dutch, English and French: "14/3",
"14 maart", "zaterdag", "morgen", "gisteren", "vanaf nu", "14.00 uur", "17u", "4 uur", "€ 50".

Everything here is pure: a text and the local "now" in, a value or None out. A date without
a year is the next one to come; a day that does not exist (29/2 in a year without it) is None.
A date without a year that passed only a little while ago ("5/12" on 6 December) may be a slip
rather than next year: `recently_passed` finds it, so that the person can be asked.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from bot.typed import plain

MONTHS = {
    **dict.fromkeys(("januari", "jan", "january", "janvier", "janv"), 1),
    **dict.fromkeys(("februari", "feb", "febr", "february", "fevrier", "fev", "fevr"), 2),
    **dict.fromkeys(("maart", "mrt", "march", "mar", "mars"), 3),
    **dict.fromkeys(("april", "apr", "avril", "avr"), 4),
    **dict.fromkeys(("mei", "may", "mai"), 5),
    **dict.fromkeys(("juni", "jun", "june", "juin"), 6),
    **dict.fromkeys(("juli", "jul", "july", "juillet", "juil"), 7),
    **dict.fromkeys(("augustus", "aug", "august", "aout"), 8),
    **dict.fromkeys(("september", "sep", "sept", "septembre"), 9),
    **dict.fromkeys(("oktober", "okt", "october", "oct", "octobre"), 10),
    **dict.fromkeys(("november", "nov", "novembre"), 11),
    **dict.fromkeys(("december", "dec", "decembre"), 12),
}
WEEKDAYS = {
    **dict.fromkeys(("maandag", "ma", "monday", "mon", "lundi", "lun"), 0),
    **dict.fromkeys(("dinsdag", "di", "tuesday", "tue", "mardi"), 1),
    **dict.fromkeys(("woensdag", "wo", "wednesday", "wed", "mercredi", "mer"), 2),
    **dict.fromkeys(("donderdag", "do", "thursday", "thu", "jeudi", "jeu"), 3),
    **dict.fromkeys(("vrijdag", "vr", "friday", "fri", "vendredi", "ven"), 4),
    **dict.fromkeys(("zaterdag", "za", "saturday", "sat", "samedi", "sam"), 5),
    **dict.fromkeys(("zondag", "zo", "sunday", "sun", "dimanche", "dim"), 6),
}
RELATIVE = {
    **dict.fromkeys(
        (
            "vandaag",
            "nu",
            "vanaf nu",
            "vanaf vandaag",
            "today",
            "now",
            "from now",
            "from today",
            "aujourdhui",
            "maintenant",
            "des maintenant",
            "a partir de maintenant",
        ),
        0,
    ),
    **dict.fromkeys(("morgen", "vanaf morgen", "tomorrow", "from tomorrow", "demain", "des demain"), 1),
    **dict.fromkeys(("overmorgen", "day after tomorrow", "apres demain"), 2),
    **dict.fromkeys(("gisteren", "yesterday", "hier"), -1),  # in the past: said so, not misread
    **dict.fromkeys(("eergisteren", "day before yesterday", "avant hier"), -2),
}
RECENT = timedelta(days=62)  # a date without a year that passed within two months: asked, not moved on a year
LEADS = ("vanaf", "from", "a partir du", "a partir de", "des", "op", "on", "le", "volgende", "next", "deze", "this")

_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}|\d{2}))?")
_TIME = re.compile(r"(\d{1,2})\s*(?:[:.hu]\s*(\d{2}))?\s*(?:uur|u|h|heures?|hours?)?\s*(am|pm)?")
_AT = re.compile(r"\s+(?:om|at|à|a|vanaf|from)\s+|\s+")
_AMOUNT = re.compile(r"(?:€\s*)?(\d{1,7})(?:[.,]00?)?\s*(?:€|euros?|eur|uur|uren|u|h|hours?|heures?)?\.?")


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming(month: int, day: int, year: str | None, today: date, upcoming: bool = True) -> date | None:
    """The date with this day and month: in the year given, or the next time it comes (or, not
    `upcoming`, this year's even when it has passed)."""
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _safe(full, month, day) if 2000 <= full <= 2200 else None
    this_year = _safe(today.year, month, day)
    if this_year is not None and (this_year >= today or not upcoming):
        return this_year
    return next((found for offset in range(1, 5) if (found := _safe(today.year + offset, month, day))), None)


def parse_date(text: str, today: date, upcoming: bool = True) -> date | None:
    """A typed date: 14/3(/2027), 14 maart (2027), March 14, zaterdag, morgen, vanaf nu...; a day
    and month without a year are the next to come (not `upcoming`: this year's)."""
    raw = text.strip().lower()
    numeric = _NUMERIC.fullmatch(raw)
    if numeric:
        day, month, year = numeric.groups()
        return _upcoming(int(month), int(day), year, today, upcoming)
    words = plain(raw)
    if words in RELATIVE:
        return today + timedelta(days=RELATIVE[words])
    for lead in LEADS:
        words = words.removeprefix(lead + " ")
    if words in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS[words] - today.weekday()) % 7)
    parts = words.split()
    if parts and parts[0] in WEEKDAYS:  # "zaterdag 14 maart"
        parts = parts[1:]
    if len(parts) in (2, 3):
        if parts[0].isdecimal() and parts[1] in MONTHS:  # 14 maart (2027)
            day, month = int(parts[0]), MONTHS[parts[1]]
        elif parts[1].isdecimal() and parts[0] in MONTHS:  # march 14 (2027)
            day, month = int(parts[1]), MONTHS[parts[0]]
        else:
            return None
        year = parts[2] if len(parts) == 3 and parts[2].isdecimal() and len(parts[2]) in (2, 4) else None
        if len(parts) == 3 and year is None:
            return None
        return _upcoming(month, day, year, today, upcoming)
    return None


def parse_time(text: str) -> time | None:
    """A typed time of day: 14:00, 14.00 uur, 14u, 14u30, 14h, 2pm."""
    match = _TIME.fullmatch(text.strip().lower())
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    return time(hour, minute) if hour < 24 and minute < 60 else None


def parse_moment(
    text: str, now: datetime, same_day_as: datetime | None = None, upcoming: bool = True
) -> datetime | None:
    """A typed date and time, in `now`'s zone: "14/3 om 14.00 uur", "zaterdag 10u", "morgen 9h".
    Only a time ("17u") is on the day of `same_day_as` (an end on the day of its start)."""
    raw = text.strip().lower()
    if same_day_as is not None:
        alone = parse_time(raw)
        if alone is not None:
            return datetime.combine(same_day_as.date(), alone, tzinfo=now.tzinfo)
    pieces = _AT.split(raw)
    for cut in range(len(pieces) - 1, 0, -1):  # the date is the start, the time the rest
        day = parse_date(" ".join(pieces[:cut]), now.date(), upcoming)
        moment = parse_time(" ".join(pieces[cut:])) if day else None
        if day and moment:
            return datetime.combine(day, moment, tzinfo=now.tzinfo)
    return None


def recently_passed(text: str, now: datetime, same_day_as: datetime | None = None) -> datetime | None:
    """The moment typed, read in this year, when it passed less than `RECENT` ago and was read as next
    year's ("5/12 om 14u" on 6 December): perhaps a slip, worth asking about; None otherwise."""
    read = parse_moment(text, now, same_day_as)
    this_year = parse_moment(text, now, same_day_as, upcoming=False)
    if read is None or this_year is None or this_year == read or not now - RECENT <= this_year <= now:
        return None
    return this_year


def recently_passed_day(text: str, today: date) -> date | None:
    """The same for a date alone: "5/12" on 6 December."""
    read, this_year = parse_date(text, today), parse_date(text, today, upcoming=False)
    if read is None or this_year is None or this_year == read or not today - RECENT <= this_year < today:
        return None
    return this_year


def parse_amount(text: str) -> int | None:
    """A whole number typed with or without its unit: 4, 4 uur, 4u, € 50, 50 euro."""
    match = _AMOUNT.fullmatch(text.strip().lower())
    return int(match[1]) if match else None
