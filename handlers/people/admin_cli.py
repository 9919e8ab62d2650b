"""`gangmaker admin …`: who is a coordinator, which organisations there are and who belongs to them.

Every change is written to the audit log, with who made it (the operating-system user). A member
taken out of an organisation no longer carries its conversations with residents: they close.
"""

from __future__ import annotations

import asyncio
import getpass
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

import click

from bot.channels.registry import NAMES
from bot.config import SLACK_USER_ID, ConfigError, load_settings
from bot.context import Scope
from handlers import projects
from handlers.common.domain import Role
from storage.db import session_factory
from storage.models import Organisation
from storage.repositories import Roles

CHANNELS = click.Choice(NAMES)
# What a chat id looks like where it has a shape: a mistyped one would grant a role to nobody.
ID_SHAPES = {
    "telegram": (re.compile(r"[1-9][0-9]{0,19}"), "a Telegram user id is a number, such as 123456789"),
    "slack": (SLACK_USER_ID, "a Slack user id looks like U0123ABCDE (a profile, ⋮, Copy member ID)"),
}


def _user_id(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The chat id, refused when it cannot be one on the CHANNEL given before it."""
    shape = ID_SHAPES.get(ctx.params.get("channel", ""))
    if shape is not None and not shape[0].fullmatch(value):
        raise click.BadParameter(f"{value!r} is no such id: {shape[1]}.")
    return value


def _run(work: Callable[[Scope, str], Awaitable[str]]) -> None:
    """Run `work` with a scope (the database, the settings, the moment) and who runs it."""
    from bot.assembly import database

    try:
        settings = load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None

    async def main() -> str:
        async with database(settings) as engine, session_factory(engine)() as session, session.begin():
            scope = Scope(session=session, settings=settings, now=datetime.now(timezone.utc))
            return await work(scope, f"cli:{getpass.getuser()}")

    click.echo(asyncio.run(main()))


async def _organisation(roles: Roles, name: str) -> Organisation:
    organisation = await roles.organisation_named(name)  # "budascoop" finds "Budascoop"
    if organisation is None:
        raise click.ClickException(f"There is no organisation {name!r}; create it with `gangmaker admin org create`.")
    return organisation


@click.group()
def admin() -> None:
    """Coordinators, organisations and their members."""


@admin.group()
def coordinator() -> None:
    """Who may create and manage calls."""


@coordinator.command("grant")
@click.argument("channel", type=CHANNELS)
@click.argument("user_id", callback=_user_id)
def grant(channel: str, user_id: str) -> None:
    """Make the person with this chat id on CHANNEL a coordinator."""

    async def work(scope: Scope, by: str) -> str:
        if not await scope.roles.grant(channel, user_id, Role.COORDINATOR, by, scope.now):
            return f"{channel} {user_id} is a coordinator already."
        await scope.audit.record("role_granted", scope.now, role=Role.COORDINATOR, channel=channel, by=by)
        return f"{channel} {user_id} is now a coordinator."

    _run(work)


@coordinator.command("revoke")
@click.argument("channel", type=CHANNELS)
@click.argument("user_id")
def revoke(channel: str, user_id: str) -> None:
    """Take the coordinator role away."""

    async def work(scope: Scope, by: str) -> str:
        if not await scope.roles.revoke(channel, user_id, Role.COORDINATOR):
            raise click.ClickException(f"{channel} {user_id} is not a coordinator.")
        await scope.audit.record("role_revoked", scope.now, role=Role.COORDINATOR, channel=channel, by=by)
        return f"{channel} {user_id} is no longer a coordinator."

    _run(work)


@coordinator.command("list")
def list_coordinators() -> None:
    """Every coordinator, by channel and chat id."""

    async def work(scope: Scope, by: str) -> str:
        grants = await scope.roles.holders(Role.COORDINATOR)
        return "\n".join(f"{g.channel}\t{g.external_id}\t{g.granted_by}" for g in grants) or "No coordinators."

    _run(work)


@admin.group()
def org() -> None:
    """Partner organisations and their members."""


@org.command("create")
@click.argument("name")
def create_organisation(name: str) -> None:
    """Add a partner organisation."""

    async def work(scope: Scope, by: str) -> str:
        existing = await scope.roles.organisation_named(name)
        if existing is not None:
            raise click.ClickException(f"There is an organisation {existing.name!r} already.")
        organisation = await scope.roles.add_organisation(name, scope.now)
        await scope.audit.record("organisation_created", scope.now, organisation=organisation.id, by=by)
        return f"Organisation {organisation.id} {name!r} created."

    _run(work)


@org.command("add")
@click.argument("name")
@click.argument("channel", type=CHANNELS)
@click.argument("user_id", callback=_user_id)
def add_member(name: str, channel: str, user_id: str) -> None:
    """Make the person with this chat id a partner of organisation NAME."""

    async def work(scope: Scope, by: str) -> str:
        organisation = await _organisation(scope.roles, name)
        named = organisation.name  # as it was created
        if not await scope.roles.grant(channel, user_id, Role.PARTNER, by, scope.now, organisation):
            return f"{channel} {user_id} is a member of {named!r} already."
        await scope.audit.record("member_added", scope.now, organisation=organisation.id, channel=channel, by=by)
        return f"{channel} {user_id} is now a member of {named!r}."

    _run(work)


@org.command("remove")
@click.argument("name")
@click.argument("channel", type=CHANNELS)
@click.argument("user_id")
def remove_member(name: str, channel: str, user_id: str) -> None:
    """Take a member out of organisation NAME."""

    async def work(scope: Scope, by: str) -> str:
        organisation = await _organisation(scope.roles, name)
        named = organisation.name  # as it was created
        if not await scope.roles.revoke(channel, user_id, Role.PARTNER, organisation):
            raise click.ClickException(f"{channel} {user_id} is not a member of {named!r}.")
        await scope.audit.record("member_removed", scope.now, organisation=organisation.id, channel=channel, by=by)
        identity = await scope.people.identity(channel, user_id)
        ended = await projects.end_former_partners_conversations(scope, identity.person) if identity else 0
        told = f" Their conversations with residents ({ended}) are closed; both sides are told." if ended else ""
        return f"{channel} {user_id} is no longer a member of {named!r}.{told}"

    _run(work)


@org.command("list")
def list_organisations() -> None:
    """Every organisation with its members."""

    async def work(scope: Scope, by: str) -> str:
        lines = []
        for organisation in await scope.roles.organisations():
            members = ", ".join(f"{g.channel}:{g.external_id}" for g in await scope.roles.members(organisation))
            lines.append(f"{organisation.id}\t{organisation.name}\t{members or '-'}")
        return "\n".join(lines) or "No organisations."

    _run(work)
