"""`gangmaker call …`: create, list, publish, close, cancel calls and print their QR code, for scripts.

It writes to the same database as the running bot; the bot's dispatcher sends what is queued.
A new call is read and checked by the same rules as `/oproep` in the chat (a form's), its problems
told in the chat's words in English, as the whole command line speaks; `--dry-run` saves nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import click

from bot.assembly import database
from bot.config import ConfigError, Settings, load_settings
from bot.context import Scope
from bot.i18n import translator
from handlers.calls import service as call_service
from handlers.calls.coordination import CALL_FLOW
from handlers.calls.residents import card, deep_link
from handlers.common.domain import HOLDING, CallState, SignUpState
from handlers.common.options import CONTRIBUTIONS, LANGUAGES, NEIGHBOURHOODS, ROLES, THEMES
from storage.db import session_factory
from storage.models import Call
from storage.repositories import Calls

OPTION_OF_STEP = {"starts_at": "--start", "ends_at": "--end"}  # where the option is not the step's name


def _values(options: Any) -> list[str]:
    return [option.value for option in options]


def _codes(what: str, options: Any) -> str:
    """An option's help that lists the codes it takes."""
    return f"{what}, comma-separated: {', '.join(_values(options))}."


def people(n: int) -> str:
    """ "1 person", "2 people"."""
    return f"{n} person" if n == 1 else f"{n} people"


def local(moment: datetime, settings: Settings) -> str:
    """A moment as `call list` shows it and `--start` takes it: YYYY-MM-DD HH:MM in the city's time."""
    return moment.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")


def _list_of(options: Any) -> Callable[[click.Context, click.Parameter, str | None], list[str]]:
    allowed = _values(options)

    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str]:
        items = [item.strip() for item in (value or "").split(",") if item.strip()]
        wrong = [item for item in items if item not in allowed]
        if wrong:
            raise click.BadParameter(f"unknown {', '.join(wrong)}; choose from {', '.join(allowed)}")
        return items

    return parse


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A local "YYYY-MM-DD HH:MM" as UTC ISO text."""
    if value is None:
        return None
    try:
        local = datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(_settings().timezone))
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD HH:MM, local time") from None
    return local.astimezone(ZoneInfo("UTC")).isoformat()


def _run(work: Callable[[Any, Settings, datetime], Awaitable[None]]) -> None:
    settings = _settings()

    async def main() -> None:
        async with database(settings) as engine, session_factory(engine)() as session, session.begin():
            await work(session, settings, datetime.now(ZoneInfo("UTC")))

    asyncio.run(main())


async def _get(session: Any, call_id: int) -> Call:
    call = await session.get(Call, call_id)
    if call is None:
        raise click.ClickException(f"There is no call {call_id}.")
    return call


@click.group("call")
def call_group() -> None:
    """Calls for participation."""


def _create_options(function: Callable[..., None]) -> Callable[..., None]:
    moment = _moment
    options = [
        click.option("--title", required=True, help="Title in Dutch."),
        click.option("--description", required=True, help="What it is about, in Dutch."),
        click.option("--title-en"),
        click.option("--title-fr"),
        click.option("--description-en"),
        click.option("--description-fr"),
        click.option("--address", required=True, help="Street and number."),
        click.option("--neighbourhood", type=click.Choice(_values(NEIGHBOURHOODS)), required=True),
        click.option("--start", "starts_at", required=True, callback=moment, help="YYYY-MM-DD HH:MM, local."),
        click.option("--end", "ends_at", required=True, callback=moment, help="YYYY-MM-DD HH:MM, local."),
        click.option("--deadline", callback=moment, help="Sign up until (default: the start)."),
        click.option("--publish-at", callback=moment, help="When to send it (default: now)."),
        click.option("--capacity", type=click.IntRange(0, 10000), default=0, help="0: no limit."),
        click.option(
            "--needs", callback=_list_of(CONTRIBUTIONS), default="time", help=_codes("What is needed", CONTRIBUTIONS)
        ),
        click.option("--themes", callback=_list_of(THEMES), help=_codes("Only for who chose one of these", THEMES)),
        click.option(
            "--target-neighbourhoods",
            callback=_list_of(NEIGHBOURHOODS),
            help=_codes("Only for people from", NEIGHBOURHOODS),
        ),
        click.option(
            "--target-contributions",
            callback=_list_of(CONTRIBUTIONS),
            help=_codes("Only for who wants to give", CONTRIBUTIONS),
        ),
        click.option("--target-roles", callback=_list_of(ROLES), help=_codes("Only for", ROLES)),
        click.option("--target-languages", callback=_list_of(LANGUAGES), help=_codes("Only for who reads", LANGUAGES)),
        click.option("--reminders", default="1440,120", help="Minutes before the start, comma-separated."),
        click.option(
            "--dry-run", is_flag=True, help="Check it and show whom it reaches and what they get; save nothing."
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@call_group.command("create")
@_create_options
def create(reminders: str, dry_run: bool, **values: Any) -> None:
    """Create a call; it is published now, or at --publish-at."""
    try:
        minutes = sorted({int(part) for part in reminders.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise click.BadParameter("minutes, comma-separated", param_hint="--reminders") from None

    async def work(session: Any, settings: Settings, now: datetime) -> None:
        values["publish"] = "later" if values.get("publish_at") else "now"
        call = call_service.new_call(refuse(values, settings, now), None, now)
        call.reminder_minutes = minutes
        if dry_run:
            await show(session, settings, call, now)
            return
        session.add(call)
        await session.flush()
        if call.state == CallState.SCHEDULED:
            assert call.publish_at is not None, "a scheduled call has a moment to go out"
            click.echo(f"Call {call.id} created; it will be published at {local(call.publish_at, settings)}.")
        else:
            queued = await call_service.publish(session, settings, call, now)
            click.echo(f"Call {call.id} published; queued for {people(queued)}.")

    _run(work)


def refuse(values: dict[str, Any], settings: Settings, now: datetime) -> dict[str, Any]:
    """The call's answers, read as the chat reads a form (blanks are no answer); stops with one line per
    problem when they break a rule of the chat's `/oproep`."""
    answers, problems = CALL_FLOW.read_form(
        {name: value for name, value in values.items() if value is not None},
        now.astimezone(ZoneInfo(settings.timezone)),
    )
    if problems:
        t = translator("en", settings.timezone)  # the command line speaks English throughout
        raise click.ClickException(
            "\n".join(
                f"{OPTION_OF_STEP.get(name, '--' + name.replace('_', '-'))}: {problem.text(t)}"
                for name, problem in problems.items()
            )
        )
    return answers


async def show(session: Any, settings: Settings, call: Call, now: datetime) -> None:
    """A dry run: whom the call reaches and what they get, in the residents' default language."""
    reached = await call_service.audience_size(session, call)
    scope = Scope(session=session, settings=settings, now=now, locale_hint=settings.default_locale)
    message = await card(scope, call, push=True)
    buttons = "  ".join(f"[{button.label}]" for button in message.buttons)
    if call.publish_at and call.publish_at > now:
        when = f"It would go out at {local(call.publish_at, settings)}; today it would reach {people(reached)}."
    else:
        when = f"It would go out now, to {people(reached)}."
    click.echo(f"Dry run: nothing was saved or sent. {when}")
    click.echo(f"This is what they would get (in {settings.default_locale}):\n\n{message.text}\n{buttons}")


@call_group.command("list")
def list_calls() -> None:
    """Every call with its state and sign-ups."""

    async def work(session: Any, settings: Settings, now: datetime) -> None:
        listed = await Calls(session).listed()
        if not listed:
            click.echo("No calls.")
        for call in listed:
            joined = await call_service.count(session, call, *HOLDING, SignUpState.ATTENDED, SignUpState.NO_SHOW)
            waiting = await call_service.count(session, call, SignUpState.WAITLISTED)
            capacity = call.capacity if call.capacity is not None else "-"
            click.echo(
                f"{call.id}\t{call.state}\t{local(call.starts_at, settings)}\t{joined}/{capacity}\twaitlist {waiting}\t{call.title.get('nl')}"
            )

    _run(work)


def _state_command(name: str, help_text: str, action: Callable[..., Awaitable[str]]) -> click.Command:
    @call_group.command(name, help=help_text)
    @click.argument("call_id", type=int)
    def command(call_id: int) -> None:
        async def work(session: Any, settings: Settings, now: datetime) -> None:
            click.echo(await action(session, settings, await _get(session, call_id), now))

        _run(work)

    return command


async def _publish(session: Any, settings: Settings, call: Call, now: datetime) -> str:
    if call.state not in (CallState.DRAFT, CallState.SCHEDULED):
        raise click.ClickException(f"Call {call.id} is {call.state}.")
    return f"Call {call.id} published; queued for {people(await call_service.publish(session, settings, call, now))}."


async def _close(session: Any, settings: Settings, call: Call, now: datetime) -> str:
    if call.state not in (CallState.PUBLISHED, CallState.SCHEDULED):  # as the chat's "Sluiten"
        raise click.ClickException(f"Call {call.id} is {call.state}; only a published or scheduled call can be closed.")
    call.state = CallState.CLOSED
    return f"Call {call.id} closed."


_state_command("publish", "Publish a call now.", _publish)
_state_command("close", "Stop sign-ups for a call.", _close)


@call_group.command("cancel")
@click.argument("call_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask first.")
def cancel(call_id: int, yes: bool) -> None:
    """Cancel a call and tell everyone signed up; asks first, unless --yes."""

    async def work(session: Any, settings: Settings, now: datetime) -> None:
        call = await _get(session, call_id)
        if call.state == CallState.CANCELLED:
            raise click.ClickException(f"Call {call.id} is cancelled already.")
        waiting = await call_service.count(session, call, *HOLDING, SignUpState.WAITLISTED)
        question = f"Cancel call {call.id} ({call_service.call_text(call, 'title', 'nl')}) and tell {people(waiting)}?"
        if not yes and not click.confirm(question):
            raise click.ClickException(f"Call {call.id} stays {call.state}; nobody was told anything.")
        told = await call_service.cancel_call(session, settings, call, now)
        click.echo(f"Call {call.id} cancelled; {people(told)} will be told.")

    _run(work)


@call_group.command("qr")
@click.argument("call_id", type=int)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="PNG file (default: call-ID.png); the SVG goes next to it.",
)
def qr(call_id: int, out: Path | None) -> None:
    """Write the QR code of the call's Telegram link for a poster: a PNG that prints 10 cm wide at
    300 dpi or more (its size is written in it) and an SVG with the call's title under the code."""

    async def work(session: Any, settings: Settings, now: datetime) -> None:
        call = await _get(session, call_id)
        if call.state == CallState.CANCELLED:
            raise click.ClickException(f"Call {call.id} is cancelled; a poster would lead nowhere.")
        if "telegram_bot_username" not in settings.model_fields_set:
            click.echo(
                f"Warning: TELEGRAM_BOT_USERNAME is not set; the code leads to @{settings.telegram_bot_username}. "
                "Set it to your bot's username.",
                err=True,
            )
        link = f"https://t.me/{settings.telegram_bot_username}?start={deep_link(call_id)}"
        png = out or Path(f"call-{call_id}.png")
        svg = png.with_suffix(".svg")
        poster_png(link, png)
        svg.write_text(poster_svg(link, call_service.call_text(call, "title", "nl")), encoding="utf-8")
        click.echo(f"{png}, {svg}: {link}")

    _run(work)


POSTER_PIXELS = 1200  # at least: 10 cm at 300 dpi
POSTER_CM = 10  # how wide the PNG prints
TITLE_SIZE = 2.4  # the title's font size, in modules of the code
TITLE_MARGIN = 2  # modules kept free on either side of the title (half the quiet zone)


def _code(link: str) -> Any:
    import qrcode

    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(link)
    code.make(fit=True)
    return code


def poster_png(link: str, path: Path) -> None:
    """The code in whole pixels per module, at least POSTER_PIXELS wide, with a resolution that
    prints it POSTER_CM wide (PNG's pHYs chunk counts pixels per metre: written exactly)."""
    from qrcode.image.pil import PilImage

    code = _code(link)
    code.box_size = -(-POSTER_PIXELS // (code.modules_count + 2 * code.border))  # whole pixels per module
    image = code.make_image(image_factory=PilImage)
    dpi = image.pixel_size * 2.54 / POSTER_CM
    image.save(str(path), dpi=(dpi, dpi))


def poster_svg(link: str, title: str) -> str:
    """The code as vector paths, 12 cm wide, with the title under it in as many lines as it needs."""
    from xml.etree import ElementTree

    from qrcode.image.svg import SvgPathImage

    code = _code(link)
    drawn = ElementTree.fromstring(code.make_image(image_factory=SvgPathImage).to_string())
    path = next(element.get("d") for element in drawn.iter() if element.tag.endswith("path"))
    size = code.modules_count + 2 * code.border
    lines = title_lines(title, size - 2 * TITLE_MARGIN)
    leading = 1.25 * TITLE_SIZE
    height = size + len(lines) * leading + 1.5  # room for the title
    spans = "".join(
        f'<tspan x="{size / 2}" y="{size + 1 + TITLE_SIZE + n * leading:g}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="120mm" height="{120 * height / size:.1f}mm" '
        f'viewBox="0 0 {size} {height:g}"><rect width="{size}" height="{height:g}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/><text x="{size / 2}" font-family="DejaVu Sans, Verdana, sans-serif" '
        f'font-size="{TITLE_SIZE}" text-anchor="middle">{spans}</text></svg>'
    )


def title_lines(title: str, width: float) -> list[str]:
    """The title in lines no wider than `width` (modules) in DejaVu Sans, as wide as sans-serif
    fonts come (a narrower one fits all the more); a word longer than a line is cut."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(_dejavu_sans()), 100)

    def fits(text: str) -> bool:
        return font.getlength(text) / 100 * TITLE_SIZE <= width

    lines: list[str] = []
    line = ""
    for word in title.split():
        if fits(f"{line} {word}".strip()):
            line = f"{line} {word}".strip()
            continue
        if line:
            lines.append(line)
        while not fits(word):  # the longest start of it that fits (one letter at least)
            cut = 1
            while fits(word[: cut + 1]):
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return [*lines, line] if line else lines


def _dejavu_sans() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"  # shipped with matplotlib
