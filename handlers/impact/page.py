"""The public results page, `GET /impact`: the figures so far, the realised projects with their
story, the closed question rounds with their results and what was done with them, and the open
calls with a link that opens each in Telegram. Plain HTML and a stylesheet of its own
(`/impact/style.css`: no script, no inline style, no login), readable on a phone, in the
reader's language, and kept 5 minutes in memory so that a busy day does not load the database.
An address the web server does not know gets a page that leads back here. Free text comes only
from published ideas, their projects' updates, the calls and the rounds (their questions, what
was done, and the open answers their owner picked); no name, and the small-group rule of
`handlers.impact` on every figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import select

from bot.app import PageContent
from bot.context import Scope
from bot.i18n import N_, SUPPORTED, Translator
from bot.replies import short
from handlers import calls, ideas, rounds, support
from handlers.common.domain import PUBLIC_IDEAS, IdeaState, ProjectPhase
from handlers.common.options import LANGUAGES, PHASE_LABELS, label
from handlers.impact import figures as impact
from handlers.impact.figures import COUNT, HIDDEN, UNDER, Column, Figures, Row, Table
from handlers.impact.report import RULE, TILES, bar_scale, call_counts, label_of, number
from storage.models import Idea, Organisation, Person, Project, ProjectUpdate
from storage.repositories import Calls

PATH = "/impact"
STYLESHEET = "/impact/style.css"
KEPT = timedelta(minutes=5)
SINCE = datetime(2024, 1, 1, tzinfo=timezone.utc)  # before Gangmaker's first day: "so far"
OPEN_CALLS = 10
CHARTS = (
    "ideas_by_state",
    "ideas_by_theme",
    "projects_by_phase",
    "offers_by_kind",
    "participants_by_neighbourhood",
    "participants_by_role",
    "feedback_scores",
    "supports_by_theme",
    "supports_by_neighbourhood",
)
CALLS_SHOWN = 8
# --button: white text on it reads at 4.97:1 (WCAG AA asks 4.5:1; the coral itself gave 3.38:1).
STYLE = """
:root{--ink:#1d2b4f;--muted:#5d6680;--paper:#faf7f2;--line:#e6e0d6;--coral:#e8613c;--teal:#23917f;--gold:#e2a72e;
--button:#c0492a}
*{box-sizing:border-box}
body{margin:0;background:var(--paper);color:var(--ink);font:1.05rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"DejaVu Sans",sans-serif}
header{background:var(--ink);color:#fff;padding:1.2rem 1rem 1.6rem}
header p{color:#dfe6f3;margin:.4rem 0 0}
h1{font-size:1.7rem;line-height:1.2;margin:.6rem 0 0}
h2{font-size:1.3rem;margin:2rem 0 .8rem}
h3{font-size:1.05rem;margin:0}
main,header>div,footer>div{max-width:42rem;margin:0 auto}
main{padding:0 1rem 2rem}
nav{font-size:.95rem}
nav a{color:#fff;margin-right:.8rem}
nav a[aria-current]{font-weight:700;text-decoration:none}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.7rem;margin-top:1.2rem}
.tile{background:#fff;border-radius:.8rem;padding:.8rem 1rem;border-left:.4rem solid var(--coral)}
.tile:nth-child(3n+2){border-color:var(--gold)}.tile:nth-child(3n){border-color:var(--teal)}
.tile b{display:block;font-size:2rem;line-height:1.1}
.tile b.hidden{font-size:1.3rem;line-height:1.7}
.tile span{color:var(--muted);font-size:.95rem}
.card{background:#fff;border-radius:.8rem;padding:1rem;margin:0 0 .8rem}
.card p{margin:.3rem 0 0}
.muted{color:var(--muted)}
.button{display:inline-block;margin-top:.6rem;background:var(--button);color:#fff;border-radius:2rem;
padding:.45rem 1rem;text-decoration:none;font-weight:600}
.bars{list-style:none;padding:0;margin:0}
.bars li{display:grid;grid-template-columns:1fr auto;gap:.15rem .5rem;margin:0 0 .7rem}
.bars .value{font-weight:700;text-align:right}
.bars .counts{grid-column:1/-1;font-weight:400;text-align:left}
.bar{grid-column:1/-1;height:.7rem;background:var(--line);border-radius:.35rem;overflow:hidden}
.bar i{display:block;height:100%;background:var(--c,var(--ink))}
.bar i.small{background:repeating-linear-gradient(135deg,var(--c,var(--ink)) 0 2px,#fff 2px 6px)}
.gold{--c:var(--gold)}.teal{--c:var(--teal)}.coral{--c:var(--coral)}
h4{font-size:1rem;margin:1rem 0 .4rem}
.outcome{white-space:pre-line}
.quotes{margin:.3rem 0 0;padding-left:1.2rem}
.quotes li{margin:0 0 .3rem}
footer{padding:1.2rem 1rem 2rem;color:var(--muted);font-size:.9rem;border-top:1px solid var(--line)}
"""
# A bar's length as a class (`w0` to `w100`): the policy takes no inline style.
WIDTHS = "".join(f".w{n}{{width:{n}%}}" for n in range(101))
TITLE = N_("Kortrijk 2030: wat we samen doen")
LEAD = N_(
    "Inwoners, makers, scholen en organisaties bouwen samen aan Kortrijk 2030. Dit is wat er tot nu toe gebeurde."
)
LANGUAGE = N_("Taal")
AT_A_GLANCE = N_("In één oogopslag")
REALISED = N_("Gerealiseerd")
JOIN = N_("Doe mee")
OPEN_IN_TELEGRAM = N_("Open in Telegram")
BACK_IN_TELEGRAM = N_("Steun of volg dit in Telegram")
IN_THE_MAKING = N_("Ideeën en projecten in de maak")
NEW_IDEA = N_("nieuw idee")
NO_IDEAS = N_("Nu staat er geen nieuw idee open. Deel zelf een idee in Telegram!")
UPDATED = N_("Bijgewerkt op {moment}.")
NOTHING = N_("Nog niets.")
NO_PROJECTS = N_("Nog geen gerealiseerde projecten. Binnenkort meer!")
NO_CALLS = N_("Nu zijn er geen open oproepen. Kom later terug!")
NO_PAST_CALLS = N_("Zodra een oproep voorbij is, zie je hier hoeveel mensen meededen.")
NOT_FOUND = N_("Deze pagina bestaat niet")
NOT_FOUND_TEXT = N_("Misschien is de link oud, of zit er een tikfout in het adres.")
BACK = N_("Bekijk wat we samen doen")
ROUNDS = N_("Meedenken")
ROUNDS_SHOWN = 6
ANSWERED = N_("{people} mensen antwoordden")
ANSWERED_CLOSED = N_("{people} mensen antwoordden · gesloten op {date}")
WHAT_WE_DO = N_("Wat we ermee doen")
WRITTEN = N_("Wat mensen schreven")
ANSWERS = N_("Aantal antwoorden")
COLOURS = {  # classes of the stylesheet; ink when not named
    "ideas_by_state": "gold",
    "ideas_by_theme": "gold",
    "projects_by_phase": "teal",
    "supports_by_theme": "coral",
    "supports_by_neighbourhood": "coral",
    "offers_by_kind": "coral",
    "feedback_scores": "gold",
}


@dataclass
class ImpactPage:
    """The page, and the copy of it kept per database and language (one process may serve several
    databases: the tests do, and a page of one must never show another's)."""

    kept: WeakKeyDictionary[Any, dict[str, tuple[datetime, PageContent]]] = field(default_factory=WeakKeyDictionary)

    async def render(self, scope: Scope) -> PageContent:
        locale = scope.t.locale
        kept = self.kept.setdefault(scope.session.get_bind(), {})
        made = kept.get(locale)
        if made is not None and timedelta(0) <= scope.now - made[0] < KEPT:
            return made[1]
        content = PageContent(await page(scope), max_age=int(KEPT.total_seconds()))
        kept[locale] = (scope.now, content)
        return content


async def stylesheet(scope: Scope) -> PageContent:
    """The page's stylesheet, served from the bot's own address as the policy asks."""
    return PageContent(STYLE + WIDTHS, content_type="text/css", max_age=int(KEPT.total_seconds()))


async def not_found(scope: Scope) -> PageContent:
    """What a reader gets at an address there is nothing at: a word in their language and the way here."""
    t = scope.t
    parts = [
        _top(t, f"{t(NOT_FOUND)} · {t(TITLE)}", t(NOT_FOUND)),
        f"<p>{escape(t(NOT_FOUND_TEXT))}</p>",
        f'<p><a class="button" href="{PATH}">{escape(t(BACK))}</a></p>',
        "</main></body></html>",
    ]
    return PageContent("\n".join(parts))


def _top(t: Translator, title: str, heading: str, lead: str = "") -> str:
    """The document's head and the page's header, up to the opening of <main>."""
    languages = " ".join(
        f'<a href="?lang={code}" hreflang="{code}" lang="{code}"{" aria-current=page" if code == t.locale else ""}>'
        f"{escape(translate_in(code, label(LANGUAGES, code)))}</a>"
        for code in SUPPORTED
    )
    return "\n".join(
        [
            f'<!doctype html><html lang="{t.locale}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width,initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f'<link rel="stylesheet" href="{STYLESHEET}"></head><body>',
            f'<header><div><nav aria-label="{escape(t(LANGUAGE))}">{languages}</nav>',
            f"<h1>{escape(heading)}</h1>",
            f"<p>{escape(lead)}</p></div></header><main>" if lead else "</div></header><main>",
        ]
    )


async def page(scope: Scope) -> str:
    t = scope.t
    figures = await impact.gather(scope.session, SINCE, scope.now, locale=t.locale)
    parts = [
        _top(t, t(TITLE), t(TITLE), t(LEAD)),
        _tiles(figures, t),
        f"<h2>{escape(t(REALISED))}</h2>",
        await _realised(scope),
        f"<h2>{escape(t(IN_THE_MAKING))}</h2>",
        await _in_the_making(scope),
        await _rounds(scope),
        f"<h2>{escape(t(JOIN))}</h2>",
        await _open_calls(scope),
        *(_chart(figures.table(name), t) for name in CHARTS[:4]),
        _calls(figures.table("calls"), t),
        *(_chart(figures.table(name), t) for name in CHARTS[4:]),
        "</main><footer><div>",
        f"<p>{escape(t(RULE))}</p>",
        f"<p>{escape(t(UPDATED, moment=t.datetime(scope.now, with_year=True)))}</p>",
        "</div></footer></body></html>",
    ]
    return "\n".join(parts)


def translate_in(locale: str, message: str) -> str:
    """A language's name in that language (the switch reads the same in every language)."""
    return Translator(locale)(message)


_HIDDEN_CLASS = ' class="hidden"'  # a word in a tile, set smaller than a figure


def _tiles(figures: Figures, t: Translator) -> str:
    tiles = "".join(
        f'<div class="tile"><b{_HIDDEN_CLASS if figures.summary(key) == HIDDEN else ""}>'
        f"{escape(number(figures.summary(key), t))}</b><span>{escape(t(name))}</span></div>"
        for key, name, _colour in TILES
    )
    return f'<section class="tiles" aria-label="{escape(t(AT_A_GLANCE))}">{tiles}</section>'


async def _realised(scope: Scope) -> str:
    """Each realised project's story in two lines: what residents saw, and what the organisation did;
    and how many support and follow it (under the small-group rule)."""
    t = scope.t
    rows = (
        await scope.session.execute(
            select(Project, Idea, Organisation)
            .join(Idea, Idea.id == Project.idea_id)
            .join(Organisation, Organisation.id == Project.organisation_id)
            .where(Project.phase == ProjectPhase.REALISED, Idea.state.in_(PUBLIC_IDEAS))
            .order_by(Project.updated_at.desc(), Project.id.desc())
            .limit(12)
        )
    ).all()
    if not rows:
        return f'<p class="muted">{escape(t(NO_PROJECTS))}</p>'
    cards = []
    for project, idea, organisation in rows:
        step = await scope.session.scalar(
            select(ProjectUpdate)
            .where(ProjectUpdate.project_id == project.id, ProjectUpdate.phase == ProjectPhase.REALISED)
            .order_by(ProjectUpdate.at.desc(), ProjectUpdate.id.desc())
            .limit(1)
        )
        done = t.labelled(organisation.name, step.text) if step is not None else organisation.name
        backing = ideas.backing_line(scope, idea)
        counted = f'<p class="muted">{escape(backing.value)}</p>' if backing is not None else ""
        cards.append(
            f'<article class="card"><h3>{escape(short(idea.idea, 90))}</h3>'
            f"<p>{escape(short(idea.problem, 140))}</p>"
            f'<p class="muted">{escape(short(done, 140))}</p>{counted}{_back_link(scope, "p", project.id)}</article>'
        )
    return "".join(cards)


IN_THE_MAKING_SHOWN = 6


async def _in_the_making(scope: Scope) -> str:
    """Published ideas and running projects, the most supported first, each with its link to back it in Telegram."""
    t = scope.t
    blocked = select(Person.id).where(Person.id == Idea.author_id, Person.blocked_at.is_not(None)).exists()
    running = (IdeaState.ADOPTED, IdeaState.PROTOTYPING, IdeaState.TESTED)
    rows = (
        await scope.session.execute(
            select(Idea, Project)
            .outerjoin(Project, Project.idea_id == Idea.id)
            .where(Idea.state.in_((IdeaState.PUBLISHED, *running)), ~blocked)
            .order_by(Idea.supporters.desc(), Idea.id.desc())
            .limit(IN_THE_MAKING_SHOWN)
        )
    ).all()
    if not rows:
        return f'<p class="muted">{escape(t(NO_IDEAS))}</p>'
    return "".join(
        f'<article class="card"><h3>{escape(short(idea.idea, 90))}</h3>'
        f"<p>{escape(short(idea.problem, 140))}</p>"
        f'<p class="muted">{escape(t(PHASE_LABELS[project.phase]) if project else t(NEW_IDEA))}</p>'
        f"{_back_link(scope, 'p', project.id) if project else _back_link(scope, 'i', idea.id)}</article>"
        for idea, project in rows
    )


def _back_link(scope: Scope, kind: str, row_id: int) -> str:
    """The button that opens an idea or project in Telegram, to support or follow it there."""
    link = f"https://t.me/{scope.settings.telegram_bot_username}?start={support.deep_link(kind, row_id)}"
    return f'<a class="button" href="{escape(link)}">{escape(scope.t(BACK_IN_TELEGRAM))}</a>'


async def _open_calls(scope: Scope) -> str:
    t = scope.t
    found = (await Calls(scope.session).open_for_sign_up(scope.now))[:OPEN_CALLS]
    if not found:
        return f'<p class="muted">{escape(t(NO_CALLS))}</p>'
    items = []
    for call in found:
        link = f"https://t.me/{scope.settings.telegram_bot_username}?start={calls.deep_link(call.id)}"
        items.append(
            f'<article class="card"><h3>{escape(calls.call_text(call, "title", t.locale))}</h3>'
            f"<p>{escape(t.datetime(call.starts_at))}<br>{escape(calls.where(scope, call))}</p>"
            f'<a class="button" href="{escape(link)}">{escape(t(OPEN_IN_TELEGRAM))}</a></article>'
        )
    return "".join(items)


def _bar(value: object, scale: float) -> str:
    """A value's bar: a hatched stub of one length for "< 5", none at all for a hidden value (an
    empty bar would read as zero)."""
    if value == UNDER:
        width, small = round(100 * impact.SMALL / scale), " small"
    elif isinstance(value, (int, float)):
        width, small = round(100 * value / scale), ""
    else:
        return ""
    return f'<span class="bar" aria-hidden="true"><i class="w{width}{small}"></i></span>'


def _chart(table: Table, t: Translator) -> str:
    head = f"<h2>{escape(t(table.title))}</h2>"
    if not table.rows:
        return head + f'<p class="muted">{escape(t(NOTHING))}</p>'
    return head + _bars(table, t, COLOURS.get(table.name))


def _bars(table: Table, t: Translator, colour: str | None) -> str:
    """A bar per row, its value written beside it (the bar itself is hidden from screen readers)."""
    values = [table.cells(row)[0] for row in table.rows]
    scale = bar_scale(values)
    items = []
    for row, value in zip(table.rows, values, strict=True):
        items.append(
            f'<li><span>{escape(label_of(row, t))}</span><span class="value">{escape(number(value, t))}</span>'
            f"{_bar(value, scale)}</li>"
        )
    return f'<ul class="bars{" " + colour if colour else ""}">{"".join(items)}</ul>'


async def _rounds(scope: Scope) -> str:
    """The newest closed rounds: how many answered, what was done with it, the counts per question
    under the small-group rule, and only the open answers their owner picked."""
    t = scope.t
    found = await rounds.public_rounds(scope.session, t, ROUNDS_SHOWN)
    if not found:
        return ""
    return f"<h2>{escape(t(ROUNDS))}</h2>" + "".join(_round(round_, t) for round_ in found)


def _round(round_: rounds.PublicRound, t: Translator) -> str:
    people = number(impact.shown(COUNT, round_.respondents), t)
    answered = (
        t(ANSWERED_CLOSED, people=people, date=number(round_.closed_at, t))
        if round_.closed_at
        else t(ANSWERED, people=people)
    )
    heading = f"round-{round_.id}"
    parts = [
        f'<article class="card" aria-labelledby="{heading}"><h3 id="{heading}">{escape(round_.title)}</h3>',
        f'<p class="muted">{escape(answered)}</p>',
    ]
    if round_.outcome:
        parts.append(f'<h4>{escape(t(WHAT_WE_DO))}</h4><p class="outcome">{escape(round_.outcome)}</p>')
    for index, question in enumerate(round_.questions):
        if not question.counts and not question.picked:
            continue  # an open question whose answers nobody picked: nothing to show
        parts.append(f"<h4>{escape(question.text)}</h4>")
        if question.counts:
            rows = tuple(Row(c.key, c.label, (c.count,), literal=True) for c in question.counts)
            table = Table(f"round_{round_.id}_{index}", question.text, "", (Column(ANSWERS, COUNT),), rows)
            parts.append(_bars(table, t, "teal"))
        if question.picked:
            quotes = "".join(f"<li>“{escape(text)}”</li>" for text in question.picked)
            parts.append(f'<p class="muted">{escape(t(WRITTEN))}</p><ul class="quotes">{quotes}</ul>')
    parts.append("</article>")
    return "".join(parts)


def _calls(table: Table, t: Translator) -> str:
    """How the calls that began went; none yet is said as such (open calls stand under "Doe mee")."""
    rows = list(table.rows)[-CALLS_SHOWN:]
    head = f"<h2>{escape(t(table.title))}</h2>"
    if not rows:
        return head + f'<p class="muted">{escape(t(NO_PAST_CALLS))}</p>'
    cells = [table.cells(row) for row in rows]
    scale = bar_scale([value for cell in cells for value in cell[1:4]])
    items = []
    for row, (when, places, signed, came, _hours) in zip(rows, cells, strict=True):
        items.append(
            f'<li><span>{escape(row.label)} <span class="muted">· {escape(number(when, t))}</span></span>'
            f'<span class="value counts">{escape(call_counts(places, signed, came, t))}</span>'
            f"{_bar(signed, scale)}</li>"
        )
    return f'{head}<ul class="bars coral">{"".join(items)}</ul>'
