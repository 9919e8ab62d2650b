"""`gangmaker export`: the ideas, offers, calls, sign-ups and projects of a period as CSV for the city's
reporting; names, person ids and free text written by residents only with `--personal`, which is audited."""

from __future__ import annotations

import asyncio
import getpass
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.assembly import database
from bot.config import ConfigError, Settings, load_settings
from handlers.common.domain import HOLDING, SignUpState
from handlers.impact import figures as impact
from handlers.impact.cli import _day
from handlers.impact.spreadsheet import ENCODING, csv_text
from storage.db import session_factory
from storage.models import Call, Idea, Offer, Organisation, Person, Project, SignUp
from storage.repositories import Audit

Column = tuple[str, Callable[[Any], Any], bool]  # header, value of a row, personal


def _time(value: datetime | None) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds") if value else ""


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def _table(rows: Sequence[Any], columns: Sequence[Column], personal: bool) -> str:
    shown = [column for column in columns if personal or not column[2]]
    return csv_text([header for header, _, _ in shown], ([value(row) for _, value, _ in shown] for row in rows))


async def tables(session: AsyncSession, start: datetime, end: datetime, personal: bool) -> dict[str, str]:
    """One CSV text per table, for what was created in [start, end)."""
    names = dict((await session.execute(select(Person.id, Person.display_name))).all()) if personal else {}
    organisations = dict((await session.execute(select(Organisation.id, Organisation.name))).all())

    def name(person_id: int | None) -> str:
        return (names.get(person_id) or "") if person_id is not None else ""

    def made(model: Any) -> Any:
        return select(model).where(model.created_at >= start, model.created_at < end).order_by(model.id)

    ideas = list(await session.scalars(made(Idea)))
    offers = list(await session.scalars(made(Offer)))
    calls = list(await session.scalars(made(Call)))
    signups = list(await session.scalars(made(SignUp)))
    projects = list(await session.scalars(made(Project)))
    counts: dict[tuple[int, str], int] = {
        (call_id, state): n
        for call_id, state, n in (
            await session.execute(
                select(SignUp.call_id, SignUp.state, func.count(SignUp.id)).group_by(SignUp.call_id, SignUp.state)
            )
        ).all()
    }
    return {
        "ideas.csv": _table(
            ideas,
            [
                ("id", lambda r: r.id, False),
                ("created_at", lambda r: _time(r.created_at), False),
                ("state", lambda r: r.state, False),
                ("theme", lambda r: r.theme, False),
                ("place", lambda r: r.place, False),
                ("will_help", lambda r: int(r.will_help), False),
                ("author_id", lambda r: r.author_id or "", True),
                ("author_name", lambda r: name(r.author_id), True),
                ("problem", lambda r: r.problem, True),
                ("idea", lambda r: r.idea, True),
                ("prototype", lambda r: r.prototype or "", True),
            ],
            personal,
        ),
        "offers.csv": _table(
            offers,
            [
                ("id", lambda r: r.id, False),
                ("created_at", lambda r: _time(r.created_at), False),
                ("kind", lambda r: r.kind, False),
                ("state", lambda r: r.state, False),
                ("valid_until", lambda r: _time(r.valid_until), False),
                ("person_id", lambda r: r.person_id, True),
                ("person_name", lambda r: name(r.person_id), True),
                ("details", lambda r: _json(r.details), True),
            ],
            personal,
        ),
        "calls.csv": _table(
            calls,
            [
                ("id", lambda r: r.id, False),
                ("created_at", lambda r: _time(r.created_at), False),
                ("title", lambda r: r.title.get("nl", ""), False),
                ("state", lambda r: r.state, False),
                ("needs", lambda r: " ".join(r.needs), False),
                ("themes", lambda r: " ".join(r.themes), False),
                ("neighbourhood", lambda r: r.neighbourhood or "", False),
                ("starts_at", lambda r: _time(r.starts_at), False),
                ("ends_at", lambda r: _time(r.ends_at), False),
                ("capacity", lambda r: r.capacity or "", False),
                ("published_at", lambda r: _time(r.published_at), False),
                ("project_id", lambda r: r.project_id or "", False),
                ("signed_up", lambda r: sum(counts.get((r.id, state), 0) for state in HOLDING), False),
                ("waitlisted", lambda r: counts.get((r.id, SignUpState.WAITLISTED), 0), False),
                ("created_by", lambda r: r.created_by or "", True),
            ],
            personal,
        ),
        "signups.csv": _table(
            signups,
            [
                ("id", lambda r: r.id, False),
                ("created_at", lambda r: _time(r.created_at), False),
                ("call_id", lambda r: r.call_id, False),
                ("state", lambda r: r.state, False),
                ("person_id", lambda r: r.person_id, True),
                ("person_name", lambda r: name(r.person_id), True),
            ],
            personal,
        ),
        "projects.csv": _table(
            projects,
            [
                ("id", lambda r: r.id, False),
                ("created_at", lambda r: _time(r.created_at), False),
                ("idea_id", lambda r: r.idea_id or "", False),
                ("organisation", lambda r: organisations.get(r.organisation_id, ""), False),
                ("phase", lambda r: r.phase, False),
                ("updated_at", lambda r: _time(r.updated_at), False),
                ("adopted_by", lambda r: r.adopted_by or "", True),
            ],
            personal,
        ),
    }


@click.command("export")
@click.option("--from", "first", required=True, callback=_day, help="First day, YYYY-MM-DD (local time).")
@click.option("--to", "last", required=True, callback=_day, help="Last day, YYYY-MM-DD, included.")
@click.option(
    "--personal", is_flag=True, help="Also names, person ids and the residents' own words (written to the audit log)."
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write to.")
def export_command(first: date, last: date, personal: bool, out: Path) -> None:
    """Write ideas.csv, offers.csv, calls.csv, signups.csv and projects.csv of what was created in the period."""
    if last < first:
        raise click.BadParameter("must not be before --from", param_hint="--to")
    try:
        settings = load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    for path in asyncio.run(_write(settings, first, last, personal, out)):
        click.echo(str(path))


async def _write(settings: Settings, first: date, last: date, personal: bool, out: Path) -> list[Path]:
    start, end = impact.period(first, last, settings.timezone)
    async with database(settings) as engine, session_factory(engine)() as session, session.begin():
        files = await tables(session, start, end, personal)
        await Audit(session).record(
            "data_exported",
            datetime.now(timezone.utc),
            personal=personal,
            period=f"{first.isoformat()}/{last.isoformat()}",
            by=getpass.getuser(),
            files=sorted(files),
        )
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_text(text, encoding=ENCODING, newline="")
    return [out / name for name in files]
