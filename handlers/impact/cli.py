"""`gangmaker report`: the impact report of a period as a dashboard PNG, a PDF with a written
summary, and one CSV per table, for everyone or for one partner organisation, in nl, en or fr."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from pathlib import Path

import click

from bot.assembly import database
from bot.config import ConfigError, Settings, load_settings
from bot.i18n import SUPPORTED, translator
from handlers.impact import figures as impact
from handlers.impact.report import csv_files, dashboard_png, report_pdf
from handlers.impact.spreadsheet import ENCODING
from storage.db import session_factory
from storage.models import Organisation

DASHBOARD, PDF = "dashboard.png", "report.pdf"


def _day(ctx: click.Context, param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


@click.command("report")
@click.option("--from", "first", required=True, callback=_day, help="First day, YYYY-MM-DD (local time).")
@click.option("--to", "last", required=True, callback=_day, help="Last day, YYYY-MM-DD, included.")
@click.option("--lang", type=click.Choice(SUPPORTED), default="nl", show_default=True)
@click.option("--organisation", "organisation_id", type=int, help="Only this partner organisation (its id).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write to.")
def report_command(first: date, last: date, lang: str, organisation_id: int | None, out: Path) -> None:
    """Write the impact report: dashboard.png, report.pdf and a CSV per table."""
    if last < first:
        raise click.BadParameter("must not be before --from", param_hint="--to")
    try:
        settings = load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    written = asyncio.run(_write(settings, first, last, lang, organisation_id, out))
    for path in written:
        click.echo(str(path))


async def _write(
    settings: Settings, first: date, last: date, lang: str, organisation_id: int | None, out: Path
) -> list[Path]:
    start, end = impact.period(first, last, settings.timezone)
    async with database(settings) as engine, session_factory(engine)() as session:
        organisation = await session.get(Organisation, organisation_id) if organisation_id is not None else None
        if organisation_id is not None and organisation is None:
            raise click.ClickException(f"There is no organisation {organisation_id}.")
        figures = await impact.gather(
            session,
            start,
            end,
            organisation_id=organisation_id,
            organisation=organisation.name if organisation else None,
            locale=lang,
        )
    t = translator(lang, settings.timezone)
    now = datetime.now(timezone.utc)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        DASHBOARD: dashboard_png(figures, t, now),
        PDF: report_pdf(figures, t, now),
        **{name: text.encode(ENCODING) for name, text in csv_files(figures, t).items()},
    }
    for name, content in files.items():
        (out / name).write_bytes(content)
    return [out / name for name in files]
