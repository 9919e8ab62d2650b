"""`gangmaker round …`: a question round from a file (JSON or YAML holding the answers of the `/vraag`
form, checked by the same rules and refused with the same words) and the list of rounds, for scripts.

It writes to the same database as the running bot; the bot's dispatcher sends what is queued.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy import select

from bot.assembly import database
from bot.config import ConfigError, Settings, load_settings
from bot.dialogue import ChoiceStep, MultiStep
from bot.dialogue.steps import Invalid, empty
from bot.i18n import translator
from handlers.common.domain import RoundState
from handlers.common.options import NEIGHBOURHOODS, ROLES, THEMES
from handlers.rounds import service
from handlers.rounds.asking import ROUND_FLOW, WHO
from handlers.rounds.coordination import answered, counts
from handlers.rounds.questions import ITEM_SEPARATORS, KINDS, MAX_QUESTIONS, questions_of
from storage.db import session_factory
from storage.models import Round

DERIVED = "publish"  # the form's "now or later": in a file, whether publish_at is there


def _values(options: Any) -> str:
    return ", ".join(option.value for option in options)


FIELDS = (
    ("title", "a short title (at most 80 characters)"),
    ("why", "why you ask, and what will happen with the answers"),
    (f"q1_kind … q{MAX_QUESTIONS}_kind", f"{_values(KINDS)}; q1 is required, the others optional"),
    (f"q1_text … q{MAX_QUESTIONS}_text", "the question"),
    (
        "q1_options …",
        'one or many: 2 to 8 options, a list (no commas in an option); "iets anders" last lets people '
        "write their own answer",
    ),
    ("q1_ends …", "scale: the words at 1 and at 5, a list of two"),
    ("closes_at", "until when people answer: YYYY-MM-DD HH:MM, local time"),
    ("publish_at", "when it goes out: YYYY-MM-DD HH:MM, local time (default: now)"),
    ("target_neighbourhoods", f"a list of {_values(NEIGHBOURHOODS)} (default: all)"),
    ("themes", f"a list of {_values(THEMES)} (default: everyone)"),
    ("target_roles", f"a list of {_values(ROLES)} (default: everyone)"),
    ("who", f"{_values(WHO)} (default: thinkers, who chose to think along)"),
)
CREATE_HELP = "\n".join(
    [
        "Create a question round from FILE (.json, .yaml or .yml) and send it now, or at publish_at.",
        "",
        "The file holds the answers of the /vraag form by name. They are checked by the same rules as in "
        "the chat and the Slack modal, and a mistake is refused with the same words, one line per field.",
        "",
        "\b",
        *(textwrap.fill(text, 100, initial_indent=name.ljust(23), subsequent_indent=" " * 23) for name, text in FIELDS),
    ]
)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _run(work: Callable[[Any, Settings, datetime], Awaitable[None]]) -> None:
    settings = _settings()

    async def main() -> None:
        async with database(settings) as engine, session_factory(engine)() as session, session.begin():
            await work(session, settings, datetime.now(ZoneInfo("UTC")))

    asyncio.run(main())


def read_file(path: Path) -> dict[str, Any]:
    """The fields of a JSON or YAML file, by name."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise click.BadParameter("use a .json, .yaml or .yml file", param_hint="FILE")
    text = path.read_text(encoding="utf-8")
    if suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError as error:
            raise click.ClickException(f"{path}: not JSON ({error})") from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise click.ClickException(f"{path}: not YAML ({error})") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: the file must hold the fields by name (title: …, why: …)")
    return {str(name): value for name, value in data.items()}


def form_values(data: dict[str, Any]) -> dict[str, Any]:
    """The file's fields as a form hands them over: moments as text, lists where the step takes one
    ("heule, marke" too), one option per line where it takes a text."""
    values: dict[str, Any] = {}
    for name, value in data.items():
        step = ROUND_FLOW.steps_by_name.get(name)
        if isinstance(value, (datetime, date)):  # YAML reads an unquoted moment as one
            value = value.isoformat()
        if isinstance(step, MultiStep) and isinstance(value, str):
            value = [item.strip() for item in value.split(",") if item.strip()]
        elif isinstance(value, list) and not isinstance(step, MultiStep):
            value = ", ".join(str(item) for item in value)
        values[name] = value
    values[DERIVED] = "later" if not empty(data.get("publish_at")) else "now"
    return values


def _split(value: Any) -> bool:
    """Whether a list in the file has an item the form would read as two (options are one text there)."""
    return isinstance(value, list) and any(ITEM_SEPARATORS.search(str(item)) for item in value)


def _problem(name: str, problem: Invalid, t: Any) -> str:
    """One field's problem in the chat's words; the values it may take, where the step has a list."""
    line = f"{name}: {problem.text(t)}"
    step = ROUND_FLOW.steps_by_name.get(name)
    if problem.expected and isinstance(step, ChoiceStep):
        line += f" ({_values(step.options)})"
    return line


def refuse(data: dict[str, Any], settings: Settings, now: datetime) -> dict[str, Any]:
    """The answers of the file, or stop with one line per problem: an unknown field, or a rule of the
    `/vraag` form broken (in the chat's words)."""
    t = translator(settings.default_locale, settings.timezone)
    values = form_values(data)
    answers, problems = ROUND_FLOW.read_form(values, now.astimezone(ZoneInfo(settings.timezone)))
    lines = []
    for name, value in data.items():
        if name not in ROUND_FLOW.steps_by_name or name == DERIVED:
            lines.append(f"{name}: unknown field")
        elif _split(value):
            lines.append(f"{name}: an option holds no comma or semicolon (they separate the options)")
    lines += [_problem(name, problem, t) for name, problem in problems.items()]
    if lines:
        raise click.ClickException("\n".join(lines))
    return answers


@click.group("round")
def round_group() -> None:
    """Question rounds ("bevragingen"): a few questions to the residents who think along."""


@round_group.command("create", help=CREATE_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say how many people it reaches; save nothing.")
def create(file: Path, dry_run: bool) -> None:
    data = read_file(file)

    async def work(session: Any, settings: Settings, now: datetime) -> None:
        answers = refuse(data, settings, now)
        round_ = service.new_round(answers, questions_of(answers), None, now)
        if dry_run:
            click.echo(f"The round is fine; it would reach {await service.audience_size(session, round_)} people.")
            return
        session.add(round_)
        await session.flush()
        if round_.state == RoundState.SCHEDULED:
            assert round_.publish_at is not None, "a scheduled round has a moment to go out"
            click.echo(f"Round {round_.id} created; it will be sent at {round_.publish_at.isoformat()}.")
        else:
            reached = await service.publish(session, settings, round_, now)
            click.echo(f"Round {round_.id} published; it reaches {reached} people.")

    _run(work)


@round_group.command("list")
def list_rounds() -> None:
    """Every round, the soonest to close first: id, state, closes (local time), answers, title."""

    async def work(session: Any, settings: Settings, now: datetime) -> None:
        found = list(await session.scalars(select(Round).order_by(Round.closes_at, Round.id)))
        answers = await counts(session, found)
        for round_ in found:
            closes = round_.closes_at.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")
            click.echo(
                f"{round_.id}\t{round_.state}\t{closes}\tanswers {answered(answers.get(round_.id, 0))}\t{round_.title}"
            )

    _run(work)
