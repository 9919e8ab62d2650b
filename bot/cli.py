"""The `gangmaker` command line (click): run the bot, chat in the console, manage the database,
plus the commands the application adds (`gangmaker call ...`, `gangmaker admin ...`)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import click

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure, report_errors


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


async def _console(settings: Settings, user: str, rooms: bool = False, web: bool = True) -> int:
    from bot.assembly import assemble
    from bot.channels.console.channel import Console, ConsoleChannel
    from bot.local import serve_pages

    assembly = await assemble(settings, channels=[Console(user, sys.stdin, sys.stdout, rooms=rooms)])
    await assembly.start(serve_web=False)
    console = assembly.channels[ConsoleChannel.name]
    assert isinstance(console, ConsoleChannel)
    if web:
        console.pages = await serve_pages(assembly)
    try:
        return await console.run()
    finally:
        await assembly.stop(whole_batch=True)


def _configured(settings: Settings) -> bool:
    """Whether the settings configure a platform channel (a token is set)."""
    from bot.channels import registry

    return bool(registry.configured(settings))


class GangmakerGroup(click.Group):
    """The built-in commands, then those of the application named in the settings."""

    def _application_commands(self) -> dict[str, click.Command]:
        from bot.assembly import load_application

        return {command.name: command for command in load_application(_settings()).cli}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._application_commands()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._application_commands().get(name)

    def invoke(self, ctx: click.Context) -> object:
        """Any command: a setting that is wrong, or does not work (a refused token, no database),
        ends it with one line that names the variable, never with a traceback."""
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise click.ClickException(str(error)) from None


def _use_database(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """`--db`: the database of every command of this run, as DATABASE_URL would name it. It goes
    through the environment, where every command (the application's too) reads its settings from."""
    if not value:
        return
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = value if "://" in value else f"sqlite:///{Path(value)}"

    def restore() -> None:
        if before is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = before

    ctx.call_on_close(restore)


@click.group(cls=GangmakerGroup, invoke_without_command=True)
@click.option(
    "--db",
    metavar="FILE|URL",
    is_eager=True,
    expose_value=False,
    callback=_use_database,
    help="The database of any command: a SQLite file, or a database URL (default: DATABASE_URL).",
)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Gangmaker, the participation bot of Kortrijk 2030.

    Without a command: run the channels that have tokens, or the console when none has.
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings()
    if _configured(settings):
        ctx.invoke(serve)
        return
    from bot.local import for_the_console

    settings = for_the_console(settings, None)
    configure(settings, logging.WARNING)
    sys.exit(asyncio.run(_console(settings, "local")))


@main.command()
def serve() -> None:
    """Run the configured platform channels and the web server."""
    from bot.channels import registry
    from bot.runner import AlreadyServing
    from bot.runner import serve as run

    settings = _settings()
    configure(settings)
    report_errors(settings)
    if not _configured(settings):
        raise click.ClickException(
            f"None of {', '.join(registry.needs())} is set; without them, try `gangmaker console`."
        )
    try:
        asyncio.run(run(settings))
    except AlreadyServing as error:
        raise click.ClickException(str(error)) from None


@main.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file to use (default: DATABASE_URL, else gangmaker.db in your data folder).",
)
@click.option("--user", default="local", show_default=True, help="Which local person you are.")
@click.option(
    "--coordinator",
    is_flag=True,
    help="Act as a coordinator (as COORDINATOR_CONSOLE_USERS makes you) and see the shared rooms here.",
)
@click.option(
    "--partner",
    metavar="ORGANISATION",
    help="Act as a partner of this organisation (made when missing), and see the shared rooms here.",
)
@click.option(
    "--web/--no-web",
    default=True,
    show_default=True,
    help="Serve the public page on this computer (127.0.0.1, PORT or a free port) and print its address.",
)
def console(db_path: Path | None, user: str, coordinator: bool, partner: str | None, web: bool) -> None:
    """Chat with Gangmaker in this terminal."""
    from bot.local import for_the_console

    settings = for_the_console(_settings(), db_path)
    if coordinator:
        settings.coordinator_console_users = [*settings.coordinator_console_users, user]
    if partner:
        settings.partner_console_users = [*settings.partner_console_users, f"{user}={partner.strip()}"]
    configure(settings, logging.WARNING)
    sys.exit(asyncio.run(_console(settings, user, rooms=coordinator or bool(partner), web=web)))


@main.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (also done automatically at start)."""
    from bot.assembly import database

    async def run() -> None:
        async with database(_settings()):
            pass

    asyncio.run(run())
    click.echo("Database is up to date.")


@db.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(target: Path) -> None:
    """Copy the SQLite database to TARGET while the bot runs (SQLite's online backup API).

    PostgreSQL: use pg_dump (see docs/deploy.md)."""
    import sqlite3

    from sqlalchemy.engine import make_url

    url = make_url(_settings().database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise click.ClickException("`gangmaker db backup` copies a SQLite file; for PostgreSQL use pg_dump.")
    if target.exists():
        raise click.ClickException(f"{target} exists; choose a new file.")
    source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
    try:
        with sqlite3.connect(target) as copy:
            source.backup(copy)  # a consistent copy, page by page, while others keep writing
        copy.close()
    finally:
        source.close()
    click.echo(f"Backed up {url.database} to {target}.")


@main.group()
def config() -> None:
    """The settings Gangmaker reads from its environment."""


@config.command("table")
def config_table() -> None:
    """Print every environment variable as a Markdown table (docs/deploy.md holds a copy)."""
    from bot.config import settings_table

    click.echo(settings_table(), nl=False)


@main.group()
def i18n() -> None:
    """Translation catalogs."""


@i18n.command("update")
def i18n_update() -> None:
    """Bring locales/ in step with the texts in the code."""
    from bot.catalogs import update

    update()
    click.echo("Catalogs updated; translate the new empty entries in en and fr.")
