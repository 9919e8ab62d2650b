"""Impact figures: what people did in a period, counted so that no figure identifies a person.

`gather` reads one period (for everyone, or for one partner organisation) into tables of
plain data; the report, the chat, the rooms and the public page all draw these same tables.
The small-group rule lives here, in `shown`, so nothing downstream can forget it: a count of
people or of what they gave (ideas, offers, sign-ups, scores) under 5 is shown as "< 5", and
hours or an average resting on fewer than 5 people are hidden. A table whose rows are parts of
a total shown elsewhere hides more cells where that total would give a hidden group away by
subtraction (`Table.complement`). A hidden cell is `HIDDEN`, drawn as the word for "hidden" in
the reader's language, never as a dash or an empty bar that would read as nothing. An empty
group is left out of a table (it identifies nobody). Calls, their places, the projects and the
question rounds asked are the organisations' own public work and are shown as they are; who
answered a round is counted under the rule. Free text never enters a table (a call's or a
round's title is their owner's).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from handlers.common.domain import (
    HIDDEN,
    PHASES,
    PUBLIC_IDEAS,
    SMALL,
    TOOK_PART,
    UNDER,
    CallState,
    ProjectPhase,
    RoundState,
    SignUpState,
    small_count,
)
from handlers.common.options import GIFT_KINDS, IDEA_STATES, NEIGHBOURHOODS, PHASE_LABELS, ROLES, THEMES
from storage.models import (
    Call,
    Feedback,
    Follow,
    Idea,
    Offer,
    Person,
    Project,
    ProjectUpdate,
    Relay,
    Round,
    RoundResponse,
    SignUp,
    Support,
)

COUNT, PLAIN, HOURS, AVERAGE, DATE = "count", "plain", "hours", "average", "date"
SIGNED = (
    SignUpState.JOINED,
    SignUpState.OFFERED,
    SignUpState.ATTENDED,
    SignUpState.NO_SHOW,
)  # sign-ups that held a place
NOT_FILLED = N_("Niet ingevuld")
OFFER_KINDS = {
    "time": N_("Tijd"),
    "expertise": N_("Kennis of talent"),
    **{option.value: option.label for option in GIFT_KINDS},
}


@dataclass(frozen=True)
class Column:
    label: str  # msgid
    kind: str = COUNT


@dataclass(frozen=True)
class Row:
    """One group: a stable `key` (for the CSV), its label (a msgid, or the text itself when
    `literal`, such as a call's title), its values, and `group`, the people behind its hours."""

    key: str
    label: str
    values: tuple[Any, ...]
    group: int = 0
    literal: bool = False
    kind: str | None = None  # instead of the column's kind (the summary mixes counts, hours and an average)


@dataclass(frozen=True)
class Table:
    """One figure: its file name, title and first column's heading (msgids), columns and rows."""

    name: str
    title: str
    heading: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    parts: bool = True  # the rows add up to a total shown elsewhere (the summary's)

    def cells(self, row: Row) -> list[Any]:
        """The row's values as they may be shown."""
        return [
            HIDDEN if (row.key, index) in self.complement else shown(row.kind or column.kind, value, row.group)
            for index, (column, value) in enumerate(zip(self.columns, row.values, strict=True))
        ]

    @cached_property
    def complement(self) -> frozenset[tuple[str, int]]:
        """The (row, column) cells hidden besides the small groups, so that the total minus the
        cells shown does not give a small group away: per column, the smallest shown groups
        join the hidden ones until at least two are hidden and, for counts, together 5 or more."""
        hidden: set[tuple[str, int]] = set()
        for index, column in enumerate(self.columns if self.parts else ()):
            if column.kind not in (COUNT, HOURS):
                continue
            values = [(row, row.values[index]) for row in self.rows if row.values[index]]
            secret = [value for row, value in values if shown(column.kind, value, row.group) in (UNDER, HIDDEN)]
            others = sorted(
                (pair for pair in values if shown(column.kind, pair[1], pair[0].group) == pair[1]),
                key=lambda pair: pair[1],
                reverse=True,
            )
            while secret and others and (len(secret) < 2 or (column.kind == COUNT and sum(secret) < SMALL)):
                row, value = others.pop()
                secret.append(value)
                hidden.add((row.key, index))
        return frozenset(hidden)

    def row(self, key: str) -> Row | None:
        return next((row for row in self.rows if row.key == key), None)


def shown(kind: str, value: Any, group: int = 0) -> Any:
    """A value as it may be shown: the small-group rule applied."""
    if value is None:
        return None
    if kind == COUNT:
        return small_count(value)
    if kind in (HOURS, AVERAGE):
        return HIDDEN if group < SMALL and value != 0 else value
    return value


@dataclass(frozen=True)
class Figures:
    """Everything counted for one period (`start` inclusive, `end` exclusive, UTC)."""

    start: datetime
    end: datetime
    organisation: str | None
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        return next(table for table in self.tables if table.name == name)

    def summary(self, key: str) -> Any:
        """One headline figure as it may be shown."""
        table = self.table("summary")
        row = table.row(key)
        return table.cells(row)[0] if row else None


def period(first: date, last: date, timezone: str) -> tuple[datetime, datetime]:
    """From the start of `first` to the end of `last` in local time, as UTC moments (end exclusive)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def last_days(now: datetime, timezone: str, days: int = 30) -> tuple[datetime, datetime]:
    """The `days` days up to and including today."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    return period(today - timedelta(days=days - 1), today, timezone)


def hours_of(call: Call) -> float:
    return max(0.0, (call.ends_at - call.starts_at).total_seconds() / 3600)


def _within(column: Any, start: datetime, end: datetime) -> Any:
    return (column >= start) & (column < end)


async def gather(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    organisation_id: int | None = None,
    organisation: str | None = None,
    locale: str = "nl",
) -> Figures:
    """Count one period, for everyone or for one organisation: the ideas it took up, its
    projects, the offers it was put in touch with, its calls and who came to them; and the supports
    and follows given to public ideas (its own, for an organisation)."""
    org = organisation_id
    own_projects = select(Project.id).where(Project.organisation_id == org)
    if org is None:
        ideas = list(await session.scalars(select(Idea).where(_within(Idea.created_at, start, end))))
        offers = list(await session.scalars(select(Offer).where(_within(Offer.created_at, start, end))))
        projects = list(await session.scalars(select(Project).where(Project.created_at < end)))
    else:
        ideas = list(
            await session.scalars(
                select(Idea)
                .join(Project, Project.idea_id == Idea.id)
                .where(Project.organisation_id == org, _within(Project.created_at, start, end))
            )
        )
        offers = list(
            await session.scalars(
                select(Offer).where(
                    Offer.id.in_(
                        select(Relay.offer_id).where(Relay.organisation_id == org, _within(Relay.asked_at, start, end))
                    )
                )
            )
        )
        projects = list(
            await session.scalars(select(Project).where(Project.organisation_id == org, Project.created_at < end))
        )
    calls_query = select(Call).where(
        _within(Call.starts_at, start, end), Call.published_at.is_not(None), Call.state != CallState.CANCELLED
    )
    if org is not None:
        calls_query = calls_query.where(Call.project_id.in_(own_projects))
    calls = list(await session.scalars(calls_query.order_by(Call.starts_at, Call.id)))
    call_ids = [call.id for call in calls]
    sign_ups = list(await session.scalars(select(SignUp).where(SignUp.call_id.in_(call_ids)))) if calls else []
    feedback = list(await session.scalars(select(Feedback).where(Feedback.call_id.in_(call_ids)))) if calls else []
    phases = await _phases_at(session, projects, end)
    rounds_query = select(Round).where(
        _within(Round.published_at, start, end), Round.state.in_((RoundState.OPEN, RoundState.CLOSED))
    )
    if org is not None:
        rounds_query = rounds_query.where(Round.project_id.in_(own_projects))
    rounds = list(await session.scalars(rounds_query.order_by(Round.published_at, Round.id)))
    # Counted in the database: a round may have a hundred thousand answers.
    answered = (
        (
            await session.execute(
                select(RoundResponse.round_id, RoundResponse.neighbourhood, RoundResponse.role, func.count())
                .where(RoundResponse.round_id.in_([r.id for r in rounds]))
                .group_by(RoundResponse.round_id, RoundResponse.neighbourhood, RoundResponse.role)
            )
        ).all()
        if rounds
        else []
    )
    by_round, by_neighbourhood, by_role = Counter[int](), Counter[str](), Counter[str]()
    for round_id, neighbourhood, role, count in answered:
        by_round[round_id] += count
        by_neighbourhood[neighbourhood or ""] += count
        by_role[role or ""] += count
    closed_loop = sum(round_.outcome is not None for round_ in rounds)
    supports, follows = (
        await _backing(session, Support, start, end, org),
        await _backing(session, Follow, start, end, org),
    )

    took_part = {idea.author_id for idea in ideas if idea.author_id is not None}
    took_part |= {offer.person_id for offer in offers}
    took_part |= {sign_up.person_id for sign_up in sign_ups if sign_up.state in (*SIGNED, SignUpState.WAITLISTED)}
    people = list(await session.scalars(select(Person).where(Person.id.in_(took_part)))) if took_part else []

    attended = [s for s in sign_ups if s.state == SignUpState.ATTENDED]
    by_call = {call.id: call for call in calls}
    given = sum(hours_of(by_call[s.call_id]) for s in attended)
    givers = len({s.person_id for s in attended})
    time_offers = [offer for offer in offers if offer.kind == "time"]
    offered = sum(float(offer.details.get("hours") or 0) for offer in time_offers)
    offerers = len({offer.person_id for offer in time_offers})
    scores = [item.rating for item in feedback]
    average = round(sum(scores) / len(scores), 1) if scores else None
    signed_up = [s for s in sign_ups if s.state in SIGNED]

    tables = (
        Table(
            "summary",
            N_("In één oogopslag"),
            N_("Wat"),
            (Column(N_("Aantal"), COUNT),),
            parts=False,
            rows=(
                Row("participants", N_("Mensen die meededen"), (len(people),)),
                Row("ideas", N_("Ideeën gedeeld"), (len(ideas),)),
                Row("offers", N_("Aanbiedingen van tijd, kennis of middelen"), (len(offers),)),
                Row("hours_offered", N_("Uren per maand aangeboden"), (round(offered, 1),), group=offerers, kind=HOURS),
                Row("calls", N_("Oproepen"), (len(calls),), kind=PLAIN),
                Row("sign_ups", N_("Inschrijvingen op oproepen"), (len(signed_up),)),
                Row("attended", N_("Keer aanwezig"), (len(attended),)),
                Row("hours_given", N_("Uren gegeven op oproepen"), (round(given, 1),), group=givers, kind=HOURS),
                Row("projects", N_("Projecten"), (len(projects),), kind=PLAIN),
                Row(
                    "realised",
                    N_("Gerealiseerde projecten"),
                    (sum(phase == ProjectPhase.REALISED for phase in phases.values()),),
                    kind=PLAIN,
                ),
                Row("responses", N_("Antwoorden na afloop"), (len(scores),)),
                Row("score", N_("Gemiddelde score (op 5)"), (average,), group=len(scores), kind=AVERAGE),
                Row("rounds", N_("Bevragingen"), (len(rounds),), kind=PLAIN),
                Row("round_respondents", N_("Antwoorden op bevragingen"), (by_round.total(),)),
                Row("rounds_closed_loop", N_("Bevragingen met “Wat we ermee doen”"), (closed_loop,), kind=PLAIN),
                Row("supports", N_("Keer steun voor een idee"), (supports.total(),)),
                Row("follows", N_("Nieuwe volgers van een idee"), (follows.total(),)),
            ),
        ),
        Table(
            "time",
            N_("Tijd van mensen"),
            N_("Wat"),
            (Column(N_("Mensen"), COUNT), Column(N_("Uren"), HOURS)),
            parts=False,
            rows=(
                Row("offered", N_("Aangeboden (uren per maand)"), (offerers, round(offered, 1)), group=offerers),
                Row("given", N_("Gegeven op oproepen"), (givers, round(given, 1)), group=givers),
            ),
        ),
        _by(
            N_("Ideeën per stand"),
            "ideas_by_state",
            N_("Stand"),
            N_("Ideeën"),
            Counter(idea.state for idea in ideas),
            IDEA_STATES.items(),
        ),
        _by(
            N_("Ideeën per thema"),
            "ideas_by_theme",
            N_("Thema"),
            N_("Ideeën"),
            Counter(idea.theme for idea in ideas),
            ((o.value, o.label) for o in THEMES),
        ),
        _by(
            N_("Projecten per fase"),
            "projects_by_phase",
            N_("Fase"),
            N_("Projecten"),
            Counter(phases.values()),
            ((phase, PHASE_LABELS[phase]) for phase in (*PHASES, ProjectPhase.STOPPED)),
            kind=PLAIN,
        ),
        _offers(offers),
        _calls(calls, sign_ups, locale),
        _by(
            N_("Deelnemers per buurt"),
            "participants_by_neighbourhood",
            N_("Buurt"),
            N_("Mensen"),
            Counter(person.neighbourhood or "" for person in people),
            [*((o.value, o.label) for o in NEIGHBOURHOODS), ("", NOT_FILLED)],
        ),
        _by(
            N_("Deelnemers per rol"),
            "participants_by_role",
            N_("Rol"),
            N_("Mensen"),
            Counter(person.role or "" for person in people),
            [*((o.value, o.label) for o in ROLES), ("", NOT_FILLED)],
        ),
        _rounds(rounds, by_round),
        _backed(
            N_("Steun en volgers per thema"),
            "supports_by_theme",
            N_("Thema"),
            _sum_by(supports, 0),
            _sum_by(follows, 0),
            ((o.value, o.label) for o in THEMES),
        ),
        _backed(
            N_("Steun en volgers per buurt"),
            "supports_by_neighbourhood",
            N_("Buurt"),
            _sum_by(supports, 1),
            _sum_by(follows, 1),
            ((o.value, o.label) for o in NEIGHBOURHOODS),
        ),
        _by(
            N_("Antwoorden op bevragingen per buurt"),
            "round_respondents_by_neighbourhood",
            N_("Buurt"),
            N_("Aantal antwoorden"),
            by_neighbourhood,
            [*((o.value, o.label) for o in NEIGHBOURHOODS), ("", NOT_FILLED)],
        ),
        _by(
            N_("Antwoorden op bevragingen per rol"),
            "round_respondents_by_role",
            N_("Rol"),
            N_("Aantal antwoorden"),
            by_role,
            [*((o.value, o.label) for o in ROLES), ("", NOT_FILLED)],
        ),
        _by(
            N_("Scores na afloop"),
            "feedback_scores",
            N_("Score"),
            N_("Antwoorden"),
            Counter(str(score) for score in scores),
            ((str(n), "★" * n) for n in range(5, 0, -1)),
            literal=True,
        ),
    )
    return Figures(start, end, organisation, tables)


def _by(
    title: str,
    name: str,
    heading: str,
    column: str,
    counts: Counter,
    labels: Any,
    *,
    kind: str = COUNT,
    literal: bool = False,
) -> Table:
    """A table of one count per known value, in the options' order; empty groups left out."""
    rows = tuple(Row(key or "none", label, (counts[key],), literal=literal) for key, label in labels if counts[key])
    return Table(name, title, heading, (Column(column, kind),), rows)


async def _backing(
    session: AsyncSession, model: type[Support] | type[Follow], start: datetime, end: datetime, org: int | None
) -> Counter[tuple[str, str]]:
    """The supports (or follows) given in the period to public ideas (for an organisation: those it
    took up), counted per (theme, neighbourhood) in the database: there may be a million."""
    query = (
        select(Idea.theme, Idea.place, func.count())
        .join(model, model.idea_id == Idea.id)
        .where(Idea.state.in_(PUBLIC_IDEAS), _within(model.at, start, end))
        .group_by(Idea.theme, Idea.place)
    )
    if org is not None:
        query = query.where(Idea.id.in_(select(Project.idea_id).where(Project.organisation_id == org)))
    return Counter({(theme, place): count for theme, place, count in (await session.execute(query)).all()})


def _sum_by(counts: Counter[tuple[str, str]], index: int) -> Counter[str]:
    """The counts per theme (index 0) or per neighbourhood (1)."""
    summed = Counter[str]()
    for key, count in counts.items():
        summed[key[index]] += count
    return summed


def _backed(title: str, name: str, heading: str, supports: Counter[str], follows: Counter[str], labels: Any) -> Table:
    """Supports and new followers per theme or neighbourhood, in the options' order; groups with
    neither left out."""
    rows = tuple(
        Row(key, label, (supports[key], follows[key])) for key, label in labels if supports[key] or follows[key]
    )
    return Table(name, title, heading, (Column(N_("Steun"), COUNT), Column(N_("Volgers"), COUNT)), rows)


def _offers(offers: list[Offer]) -> Table:
    kinds: dict[str, list[Offer]] = {}
    for offer in offers:
        kind = offer.details.get("kind", "material") if offer.kind == "gift" else offer.kind
        kinds.setdefault(kind, []).append(offer)
    rows = tuple(
        Row(kind, label, (len(kinds[kind]), len({o.person_id for o in kinds[kind]})))
        for kind, label in OFFER_KINDS.items()
        if kinds.get(kind)
    )
    return Table(
        "offers_by_kind",
        N_("Aanbiedingen per soort"),
        N_("Soort"),
        (Column(N_("Aanbiedingen"), COUNT), Column(N_("Mensen"), COUNT)),
        rows,
    )


def _calls(calls: list[Call], sign_ups: list[SignUp], locale: str) -> Table:
    rows = []
    for call in calls:
        mine = [s for s in sign_ups if s.call_id == call.id]
        signed = sum(s.state in SIGNED for s in mine)
        came = sum(s.state == SignUpState.ATTENDED for s in mine)
        title = (call.title or {}).get(locale) or (call.title or {}).get("nl") or ""
        rows.append(
            Row(
                str(call.id),
                title,
                (call.starts_at, call.capacity, signed, came, round(came * hours_of(call), 1)),
                group=came,
                literal=True,
            )
        )
    columns = (
        Column(N_("Datum"), DATE),
        Column(N_("Plaatsen"), PLAIN),
        Column(N_("Ingeschreven"), COUNT),
        Column(N_("Aanwezig"), COUNT),
        Column(N_("Uren gegeven"), HOURS),
    )
    return Table("calls", N_("Oproepen"), N_("Oproep"), columns, tuple(rows))


def _rounds(rounds: list[Round], answered: Counter[int]) -> Table:
    """Per round: who answered (under the rule), when it closed, and when its owner wrote what they
    do with the answers."""
    rows = tuple(
        Row(
            str(round_.id),
            round_.title,
            (answered[round_.id], round_.closed_at, round_.outcome_at if round_.outcome is not None else None),
            literal=True,
        )
        for round_ in rounds
    )
    columns = (
        Column(N_("Aantal antwoorden"), COUNT),
        Column(N_("Gesloten"), DATE),
        Column(N_("Wat we ermee doen"), DATE),
    )
    return Table("rounds", N_("Bevragingen"), N_("Bevraging"), columns, rows)


async def _phases_at(session: AsyncSession, projects: list[Project], end: datetime) -> dict[int, str]:
    """Each project's phase at the end of the period: its last step before then."""
    phases = {project.id: project.phase for project in projects}
    if projects:
        steps = await session.scalars(
            select(ProjectUpdate)
            .where(ProjectUpdate.project_id.in_(list(phases)), ProjectUpdate.at < end)
            .order_by(ProjectUpdate.at, ProjectUpdate.id)
        )
        for step in steps:
            phases[step.project_id] = step.phase
    return phases


@dataclass(frozen=True)
class Personal:
    """What one person did, for their own eyes (their own figures need no small-group rule)."""

    ideas: int
    hours: float
    calls: int  # those that began: one still to come is not yet something they did
    projects: int
    coming: int = 0  # calls they joined that are still to come

    @property
    def empty(self) -> bool:
        return not (self.ideas or self.hours or self.calls)


async def personal(session: AsyncSession, person: Person, now: datetime) -> Personal:
    ideas = list(await session.scalars(select(Idea.id).where(Idea.author_id == person.id)))
    projects: Iterable[int] = (
        await session.scalars(select(Project.id).where(Project.idea_id.in_(ideas))) if ideas else []
    )
    rows = (
        await session.execute(
            select(SignUp, Call)
            .join(Call, Call.id == SignUp.call_id)
            .where(SignUp.person_id == person.id, SignUp.state.in_(TOOK_PART), Call.state != CallState.CANCELLED)
        )
    ).all()
    hours = sum(hours_of(call) for sign_up, call in rows if sign_up.state == SignUpState.ATTENDED)
    began = sum(call.starts_at <= now for _, call in rows)
    return Personal(len(ideas), round(hours, 1), began, len(list(projects)), coming=len(rows) - began)
