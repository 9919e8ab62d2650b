"""CSV that spreadsheet programs open safely: a cell of people's text that would run as a formula
(it starts with =, +, -, @, a tab or a carriage return) gets a leading apostrophe, as OWASP and
the spreadsheet programs advise; lines end in CRLF, and files are written with a BOM so Excel on
Windows reads them as UTF-8."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

ENCODING = "utf-8-sig"  # UTF-8 with a BOM
FORMULA = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def cell(value: object) -> object:
    """The value as a spreadsheet should read it: text that starts like a formula is neutralised;
    numbers (also negative ones, written as text) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(value) for value in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()
