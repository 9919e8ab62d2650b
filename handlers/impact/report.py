"""The impact report drawn: a dashboard PNG for a phone, a PDF with a written summary, CSV files,
and a person's own impact card, with matplotlib's Agg backend (no display, no pyplot state).

Everything is drawn from `handlers.impact` figures, whose cells already follow the small-group
rule: a "< 5" is drawn as a hatched stub of the same length whatever the true number, never as
a bar of its size; a hidden cell as the word "verborgen" with no bar at all (an empty bar would
read as zero), and the footnote says why. Drawing takes a moment, so the chat and the outbox draw in a thread
(`drawn`), one drawing at a time (matplotlib's font cache is shared).
"""

from __future__ import annotations

import asyncio
import io
import textwrap
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval
from babel.numbers import format_decimal

from bot.i18n import N_, Translator
from handlers.impact.figures import HIDDEN, SMALL, UNDER, Figures, Personal, Row, Table
from handlers.impact.spreadsheet import csv_text

PAPER, INK, MUTED, LINE = "#faf7f2", "#1d2b4f", "#5d6680", "#e6e0d6"
NAVY, CORAL, TEAL, GOLD, SKY = "#1d2b4f", "#e8613c", "#23917f", "#e2a72e", "#cfe3f1"
PHONE_WIDTH, DPI = 5.4, 200  # 1080 pixels: text of 13 points reads as about 14 pixels on a phone
A4 = (8.27, 11.69)
MARGIN = 0.4
CALLS_ON_PHONE = 8
RULE = N_(
    "Om de privacy te beschermen, tonen we groepen kleiner dan 5 als “< 5”. Staat er “verborgen”, dan is "
    "dat geen nul: dat cijfer tonen we niet, omdat je er een kleine groep mee zou kunnen herkennen. "
    "Geen namen, geen persoonsgegevens."
)
T = TypeVar("T")
_drawing = threading.Lock()


async def drawn(draw: Callable[..., T], *args: Any) -> T:
    """Draw in a worker thread, so the bot keeps answering meanwhile."""

    def locked() -> T:
        with _drawing:
            return draw(*args)

    return await asyncio.to_thread(locked)


# -- words and numbers -------------------------------------------------------------------------


def number(value: Any, t: Translator) -> str:
    """A figure as the reader writes it: 1.234,5 in Dutch, "< 5" as it is, a hidden one as "verborgen"."""
    if value is None:
        return ""
    if value == HIDDEN:
        return t(HIDDEN)
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return format_date(value.astimezone(ZoneInfo(t.timezone)), "d MMM y", locale=t.babel_locale)
    return format_decimal(value, format="#,##0.#", locale=t.babel_locale)


def period_text(figures: Figures, t: Translator) -> str:
    zone = ZoneInfo(t.timezone)
    first = figures.start.astimezone(zone).date()
    last = (figures.end.astimezone(zone) - timedelta(microseconds=1)).date()
    if first == last:
        return format_date(first, "d MMMM y", locale=t.babel_locale)
    return format_interval(first, last, "yMMMd", locale=t.babel_locale)


def label_of(row: Row, t: Translator) -> str:
    return row.label if row.literal else t(row.label)


def title_of(figures: Figures, t: Translator) -> str:
    if figures.organisation:
        return t(N_("Impact van {organisation}"), organisation=figures.organisation)
    return t(N_("Impact van Kortrijk 2030"))


def summary_text(figures: Figures, t: Translator, *, short: bool = False) -> str:
    """The written summary: who took part, what they gave, what came of it (short: for a chat)."""
    shown = {
        key: number(figures.summary(key), t)
        for key in (
            "participants",
            "ideas",
            "offers",
            "calls",
            "sign_ups",
            "attended",
            "hours_given",
            "projects",
            "realised",
            "score",
        )
    }
    sentences = [
        t(
            N_("In de periode {period} deden {people} mensen mee."),
            period=period_text(figures, t),
            people=shown["participants"],
        ),
        t(
            N_(
                "{organisation} pakte {ideas} ideeën op en kreeg {offers} aanbiedingen van tijd, kennis of "
                "middelen door."
            ),
            organisation=figures.organisation,
            ideas=shown["ideas"],
            offers=shown["offers"],
        )
        if figures.organisation
        else t(
            N_("Ze deelden {ideas} ideeën en deden {offers} aanbiedingen van tijd, kennis of middelen."),
            ideas=shown["ideas"],
            offers=shown["offers"],
        ),
    ]
    if figures.summary("hours_given") not in (HIDDEN, 0, None):
        sentences.append(t(N_("Samen gaven ze {hours} uur op oproepen."), hours=shown["hours_given"]))
    if short:
        return " ".join([*sentences, *rounds_sentence(figures, t)])
    sentences.append(
        t(
            N_("Oproepen: {calls}, met {sign_ups} inschrijvingen en {attended} keer aanwezig."),
            calls=shown["calls"],
            sign_ups=shown["sign_ups"],
            attended=shown["attended"],
        )
    )
    sentences.append(
        t(
            N_("Projecten: {projects}; gerealiseerd: {realised}."),
            projects=shown["projects"],
            realised=shown["realised"],
        )
    )
    if figures.summary("score") not in (HIDDEN, None):
        sentences.append(t(N_("De gemiddelde score na afloop was {score} op 5."), score=shown["score"]))
    return " ".join([*sentences, *rounds_sentence(figures, t)])


def rounds_sentence(figures: Figures, t: Translator) -> list[str]:
    """How many thought along, when there were rounds (the chat's short summary says it too)."""
    if not figures.summary("rounds"):
        return []
    return [
        t(
            N_("Bevragingen: {rounds}, met {answers} antwoorden. Bij {closed} schreven we wat we ermee doen."),
            rounds=number(figures.summary("rounds"), t),
            answers=number(figures.summary("round_respondents"), t),
            closed=number(figures.summary("rounds_closed_loop"), t),
        )
    ]


# -- CSV ------------------------------------------------------------------------------------------


def csv_files(figures: Figures, t: Translator) -> dict[str, str]:
    """One CSV per table, with a header row: a stable code, the label in the reader's language,
    then the values (plain numbers with a decimal point, dates as YYYY-MM-DD, "< 5" and "verborgen" as shown)."""
    files = {}
    for table in figures.tables:
        header = [t(N_("Code")), t(table.heading), *(t(column.label) for column in table.columns)]
        rows = ([row.key, label_of(row, t), *(_plain(cell, t) for cell in table.cells(row))] for row in table.rows)
        files[f"{table.name}.csv"] = csv_text(header, rows)
    return files


def _plain(value: Any, t: Translator) -> str:
    if value is None:
        return ""
    if value == HIDDEN:
        return t(HIDDEN)
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(t.timezone)).date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- the sheet: a matplotlib figure laid out in inches from the top left --------------------------


class Sheet:
    """A figure measured in inches from its top left corner: one layer in inches for texts and
    boxes, and axes placed on it for the charts."""

    def __init__(self, width: float, height: float, background: str = PAPER) -> None:
        from matplotlib.figure import Figure

        self.width, self.height = width, height
        self.figure = Figure(figsize=(width, height), dpi=DPI, facecolor=background)
        self.layer = self.figure.add_axes((0, 0, 1, 1), zorder=0)
        self.layer.set_xlim(0, width)
        self.layer.set_ylim(height, 0)
        self.layer.set_axis_off()

    def axes(self, left: float, top: float, width: float, height: float) -> Any:
        axes = self.figure.add_axes(
            (left / self.width, 1 - (top + height) / self.height, width / self.width, height / self.height), zorder=1
        )
        axes.set_axis_off()
        return axes

    def text(self, left: float, top: float, text: str, **style: Any) -> None:
        style = {"va": "top", "ha": "left", "color": INK, "fontsize": 13, **style}
        self.layer.text(left, top, text, **style)

    def box(self, left: float, top: float, width: float, height: float, colour: str, rounded: bool = True) -> None:
        from matplotlib.patches import FancyBboxPatch

        inset = 0.06 if rounded else 0
        style = "round,pad=0,rounding_size=0.14" if rounded else "square,pad=0"
        self.layer.add_patch(
            FancyBboxPatch(
                (left + inset, top + inset),
                width - 2 * inset,
                height - 2 * inset,
                boxstyle=style,
                facecolor=colour,
                edgecolor="none",
            )
        )

    def png(self) -> bytes:
        out = io.BytesIO()
        self.figure.savefig(
            out, format="png", dpi=DPI, facecolor=self.figure.get_facecolor(), metadata={"Software": "Gangmaker"}
        )
        return out.getvalue()


@dataclass
class Panel:
    """One block of the report: its height for a width, and how it draws itself there."""

    height: Callable[[float], float]
    draw: Callable[[Sheet, float, float, float], None]


def _header(figures: Figures, t: Translator, generated: datetime | None) -> Panel:
    def draw(sheet: Sheet, left: float, top: float, width: float) -> None:
        sheet.box(0, top, sheet.width, 1.5, NAVY, rounded=False)
        sheet.text(left, top + 0.28, title_of(figures, t), fontsize=21, weight="bold", color="white")
        sheet.text(left, top + 0.78, period_text(figures, t), fontsize=14, color="#dfe6f3")
        if generated is not None:
            sheet.text(
                left,
                top + 1.1,
                t(
                    N_("Gangmaker · gemaakt op {date}"),
                    date=format_date(generated.astimezone(ZoneInfo(t.timezone)), "d MMMM y", locale=t.babel_locale),
                ),
                fontsize=10,
                color="#aab6cf",
            )

    return Panel(lambda width: 1.7, draw)


TILES = (
    ("participants", N_("Mensen deden mee"), CORAL),
    ("ideas", N_("Ideeën gedeeld"), GOLD),
    ("offers", N_("Keer hulp aangeboden"), TEAL),
    ("hours_given", N_("Uren gegeven op oproepen"), CORAL),
    ("hours_offered", N_("Uren per maand aangeboden"), GOLD),
    ("realised", N_("Projecten gerealiseerd"), TEAL),
)


def _tiles(figures: Figures, t: Translator, columns: int = 2) -> Panel:
    rows = -(-len(TILES) // columns)
    tile_height = 1.2

    def draw(sheet: Sheet, left: float, top: float, width: float) -> None:
        tile_width = width / columns
        for index, (key, label, colour) in enumerate(TILES):
            x, y = left + (index % columns) * tile_width, top + (index // columns) * tile_height
            sheet.box(x, y, tile_width, tile_height, "white")
            sheet.box(x + 0.08, y + 0.16, 0.07, tile_height - 0.32, colour, rounded=False)
            value = figures.summary(key)
            size = 18 if value == HIDDEN else 28  # a word, not a figure: it fits the tile
            sheet.text(x + 0.3, y + 0.2 + (28 - size) / 100, number(value, t), fontsize=size, weight="bold", color=INK)
            sheet.text(
                x + 0.3, y + 0.72, "\n".join(textwrap.wrap(t(label), 22)), fontsize=11, color=MUTED, linespacing=1.25
            )

    return Panel(lambda width: rows * tile_height + 0.15, draw)


def _title(sheet: Sheet, left: float, top: float, text: str) -> None:
    sheet.text(left, top, text, fontsize=16, weight="bold")


ROW = 0.54  # a label line and a bar under it


def _bars(table: Table, t: Translator, colour: str, subtitle: str = "") -> Panel:
    """Horizontal bars, each under its label with its value at the right: reads on a narrow screen."""
    values = [table.cells(row)[0] for row in table.rows]
    head = 0.9 if subtitle else 0.55

    def height(width: float) -> float:
        return head + max(1, len(values)) * ROW + 0.1

    def draw(sheet: Sheet, left: float, top: float, width: float) -> None:
        _title(sheet, left, top, t(table.title))
        if subtitle:
            sheet.text(left, top + 0.42, subtitle, fontsize=12, color=MUTED)
        if not values:
            sheet.text(left, top + head, t(N_("Nog niets in deze periode.")), fontsize=12, color=MUTED)
            return
        axes = sheet.axes(left, top + head, width, len(values) * ROW)
        top_value = bar_scale(values)
        axes.set_xlim(0, top_value)
        axes.set_ylim(len(values) * ROW, 0)
        for index, (row, value) in enumerate(zip(table.rows, values, strict=True)):
            y = index * ROW
            axes.text(0, y + 0.03, _cut(label_of(row, t), 34), va="top", ha="left", fontsize=12.5, color=INK)
            axes.text(
                top_value, y + 0.03, number(value, t), va="top", ha="right", fontsize=12.5, weight="bold", color=INK
            )
            _bar(axes, y + 0.27, value, colour, top_value)

    return Panel(height, draw)


def bar_scale(values: list[Any]) -> float:
    """The length of a full bar: the largest figure, and at least twice a "< 5" stub, so that a
    stub never looks like the largest group."""
    return max([2 * SMALL, *(value for value in values if isinstance(value, (int, float)))])


def _bar(
    axes: Any, y: float, value: Any, colour: str, top_value: float, thickness: float = 0.15, track: bool = True
) -> None:
    if value == HIDDEN:  # no bar, not even an empty one: it would read as zero
        return
    if track:
        axes.barh(y, top_value, height=thickness, color=LINE, align="edge")
    if value == UNDER:  # a stub of one length whatever the number
        axes.barh(
            y, SMALL, height=thickness, color="white", edgecolor=colour, hatch="////", linewidth=0.8, align="edge"
        )
    elif isinstance(value, (int, float)) and value > 0:
        axes.barh(y, value, height=thickness, color=colour, align="edge")


def _calls(table: Table, t: Translator, limit: int | None) -> Panel:
    """Per call: its places (light), who signed up (over them) and who came (under them)."""
    rows = list(table.rows)[-limit:] if limit else list(table.rows)
    left_out = len(table.rows) - len(rows)
    per_call = 1.2

    def height(width: float) -> float:
        return 0.95 + max(1, len(rows)) * per_call + (0.35 if left_out else 0) + 0.1

    def draw(sheet: Sheet, left: float, top: float, width: float) -> None:
        _title(sheet, left, top, t(table.title))
        x = left
        for colour, name in ((LINE, t(N_("Plaatsen"))), (CORAL, t(N_("Ingeschreven"))), (TEAL, t(N_("Aanwezig")))):
            sheet.box(x - 0.08, top + 0.42, 0.36, 0.36, colour)
            sheet.text(x + 0.26, top + 0.49, name, fontsize=11, color=MUTED)
            x += 0.5 + len(name) * 0.085
        if not rows:
            sheet.text(left, top + 0.95, t(N_("Nog niets in deze periode.")), fontsize=12, color=MUTED)
            return
        axes = sheet.axes(left, top + 0.95, width, len(rows) * per_call)
        cells = [table.cells(row) for row in rows]
        top_value = bar_scale([value for cell in cells for value in cell[1:4]])
        axes.set_xlim(0, top_value)
        axes.set_ylim(len(rows) * per_call, 0)
        for index, (row, (when, places, signed, came, _hours)) in enumerate(zip(rows, cells, strict=True)):
            y = index * per_call
            axes.text(0, y + 0.02, _cut(row.label, 40), va="top", fontsize=12.5, color=INK, weight="bold")
            axes.text(0, y + 0.3, number(when, t), va="top", fontsize=11, color=MUTED)
            axes.text(0, y + 0.53, call_counts(places, signed, came, t), va="top", fontsize=11, color=INK)
            _bar(axes, y + 0.77, places or 0, LINE, top_value, thickness=0.16, track=False)
            _bar(axes, y + 0.77, signed, CORAL, top_value, thickness=0.16, track=False)
            _bar(axes, y + 0.95, came, TEAL, top_value, thickness=0.1, track=False)
        if left_out:
            sheet.text(
                left,
                top + 0.95 + len(rows) * per_call + 0.05,
                t(N_("En nog {count} oproepen: zie de CSV."), count=left_out),
                fontsize=11,
                color=MUTED,
            )

    return Panel(height, draw)


def call_counts(places: Any, signed: Any, came: Any, t: Translator) -> str:
    """A call's places, sign-ups and who came, each with its word, so that "< 5" and "verborgen" read."""
    values = dict(places=number(places, t), signed=number(signed, t), came=number(came, t))
    if places:
        return t(N_("{places} plaatsen · ingeschreven: {signed} · aanwezig: {came}"), **values)
    return t(N_("ingeschreven: {signed} · aanwezig: {came}"), **values)


def _scores(figures: Figures, t: Translator) -> Panel:
    average = figures.summary("score")
    subtitle = (
        ""
        if average in (HIDDEN, None)
        else t(
            N_("Gemiddeld {score} op 5, uit {count} antwoorden"),
            score=number(average, t),
            count=number(figures.summary("responses"), t),
        )
    )
    return _bars(figures.table("feedback_scores"), t, GOLD, subtitle)


def _rounds(figures: Figures, t: Translator) -> Panel:
    """The rounds asked, each with how many answered, and how many closed the loop."""
    rounds = figures.summary("rounds")
    subtitle = (
        t(
            N_("Bij {closed} van {rounds} schreven we wat we ermee doen."),
            closed=number(figures.summary("rounds_closed_loop"), t),
            rounds=number(rounds, t),
        )
        if rounds
        else ""
    )
    return _bars(figures.table("rounds"), t, TEAL, subtitle)


def _footer(t: Translator) -> Panel:
    lines = textwrap.wrap(t(RULE), 54)
    height = 0.36 + len(lines) * 0.19

    def draw(sheet: Sheet, left: float, top: float, width: float) -> None:
        sheet.box(left - 0.1, top, width + 0.2, height, "white")
        sheet.text(left + 0.1, top + 0.18, "\n".join(lines), fontsize=10.5, color=MUTED, linespacing=1.3)

    return Panel(lambda width: height + 0.2, draw)


def _panels(figures: Figures, t: Translator, calls_limit: int | None) -> list[Panel]:
    return [
        _bars(figures.table("ideas_by_state"), t, GOLD),
        _bars(figures.table("ideas_by_theme"), t, GOLD),
        _bars(figures.table("projects_by_phase"), t, TEAL),
        _bars(figures.table("offers_by_kind"), t, CORAL),
        _calls(figures.table("calls"), t, calls_limit),
        _rounds(figures, t),
        _bars(figures.table("round_respondents_by_neighbourhood"), t, TEAL),
        _bars(figures.table("round_respondents_by_role"), t, TEAL),
        _bars(figures.table("participants_by_neighbourhood"), t, NAVY),
        _bars(figures.table("participants_by_role"), t, NAVY),
        _bars(figures.table("supports_by_theme"), t, CORAL),
        _bars(figures.table("supports_by_neighbourhood"), t, CORAL),
        _scores(figures, t),
    ]


def _lay_out(sheet: Sheet, panels: list[Panel], top: float, gap: float = 0.3) -> None:
    width = sheet.width - 2 * MARGIN
    for panel in panels:
        panel.draw(sheet, MARGIN, top, width)
        top += panel.height(width) + gap


def dashboard_png(figures: Figures, t: Translator, generated: datetime | None = None) -> bytes:
    """One tall image, 1080 pixels wide, to read on a phone from top to bottom."""
    return dashboard_sheet(figures, t, generated).png()


def dashboard_sheet(figures: Figures, t: Translator, generated: datetime | None = None) -> Sheet:
    width = PHONE_WIDTH - 2 * MARGIN
    panels = [_header(figures, t, generated), _tiles(figures, t), *_panels(figures, t, CALLS_ON_PHONE), _footer(t)]
    height = sum(panel.height(width) + 0.3 for panel in panels) - 0.5
    sheet = Sheet(PHONE_WIDTH, height)
    _lay_out(sheet, panels[:1], 0)
    _lay_out(sheet, panels[1:], 1.75)
    return sheet


def report_pdf(figures: Figures, t: Translator, generated: datetime | None = None) -> bytes:
    """A4 pages: the title, the written summary and the headline figures, then every chart."""
    from matplotlib.backends.backend_pdf import PdfPages

    out = io.BytesIO()
    width = A4[0] - 2 * MARGIN
    with PdfPages(
        out, metadata={"Title": title_of(figures, t), "Creator": "Gangmaker", "CreationDate": generated}
    ) as pdf:
        first = Sheet(*A4)
        _lay_out(first, [_header(figures, t, generated)], 0)
        summary = textwrap.wrap(summary_text(figures, t), 78)
        first.text(MARGIN, 2.0, t(N_("Samenvatting")), fontsize=16, weight="bold")
        first.text(MARGIN, 2.45, "\n".join(summary), fontsize=12, linespacing=1.45)
        below = 2.45 + len(summary) * 0.25 + 0.35
        tiles = _tiles(figures, t, columns=3)
        _lay_out(first, [tiles], below)
        first.text(MARGIN, A4[1] - 0.9, "\n".join(textwrap.wrap(t(RULE), 90)), fontsize=10, color=MUTED)
        pages = paginate(_panels(figures, t, None), width, below + tiles.height(width) + GAP)
        _lay_out(first, pages[0], below + tiles.height(width) + GAP)
        pdf.savefig(first.figure)
        for panels in pages[1:]:
            sheet = Sheet(*A4)
            _lay_out(sheet, panels, PAGE_TOP)
            pdf.savefig(sheet.figure)
    return out.getvalue()


GAP, PAGE_TOP = 0.3, 0.6  # inches between panels, and above the first panel of a page
FIRST_PAGE_END = A4[1] - 1.0  # the rule is written below this on the first page
PAGE_END = PAGE_TOP + A4[1] - 1.0


def paginate(panels: list[Panel], width: float, first_top: float) -> list[list[Panel]]:
    """The panels over A4 pages in order, the room left on the first page (under its summary and
    figures) filled first; a page holds at least one panel."""
    pages: list[list[Panel]] = [[]]
    used, end = first_top, FIRST_PAGE_END
    for panel in panels:
        needed = panel.height(width) + GAP
        if used + needed > end and (pages[-1] or len(pages) == 1):
            pages.append([])
            used, end = PAGE_TOP, PAGE_END
        pages[-1].append(panel)
        used += needed
    return pages


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- a person's own card ------------------------------------------------------------------------------

CARD_SIZE = 4.0  # inches: 800 pixels square


def personal_card(figures: Personal, t: Translator, bot_username: str) -> bytes:
    """A square card to share: the person's own figures, no name."""
    sheet = Sheet(CARD_SIZE, CARD_SIZE, background=NAVY)
    sheet.text(0.3, 0.28, t(N_("Mijn impact op Kortrijk 2030")), fontsize=15, weight="bold", color="white")
    sheet.box(0.3, 0.68, 0.6, 0.05, CORAL, rounded=False)
    tiles = (
        (figures.ideas, N_("Ideeën gedeeld"), GOLD),
        (figures.hours, N_("Uren gegeven"), CORAL),
        (figures.calls, N_("Oproepen meegedaan"), "#7fd1c3"),
        (figures.projects, N_("Ideeën werden project"), SKY),
    )
    for index, (value, label, colour) in enumerate(tiles):
        x, y = 0.3 + (index % 2) * 1.75, 0.95 + (index // 2) * 1.2
        sheet.text(x, y, number(value, t), fontsize=34, weight="bold", color=colour)
        sheet.text(
            x, y + 0.62, "\n".join(textwrap.wrap(t(label), 18)), fontsize=10.5, color="#dfe6f3", linespacing=1.25
        )
    sheet.text(
        0.3, CARD_SIZE - 0.42, t(N_("Doe ook mee: t.me/{bot}"), bot=bot_username), fontsize=10.5, color="#aab6cf"
    )
    return sheet.png()
