"""`gangmaker admin …`: who is a coordinator, which organisations there are and who belongs to them.

Every change is written to the audit log, with who made it (the operating-system user).
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

import click

from bot.channels.registry import NAMES
from bot.config import ConfigError, load_settings
from handlers.common.domain import Role
from storage.db import session_factory
from storage.models import Organisation
from storage.repositories import Audit, Roles

CHANNELS = click.Choice(NAMES)


def _run(work: Callable[[Roles, Audit, datetime, str], Awaitable[str]]) -> None:
    from bot.assembly import database

    try:
        settings = load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None

    async def main() -> str:
        async with database(settings) as engine, session_factory(engine)() as session, session.begin():
            return await work(Roles(session), Audit(session), datetime.now(timezone.utc), f"cli:{getpass.getuser()}")

    click.echo(asyncio.run(main()))


async def _organisation(roles: Roles, name: str) -> Organisation:
    organisation = await roles.organisation(name)
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
@click.argument("user_id")
def grant(channel: str, user_id: str) -> None:
    """Make the person with this chat id on CHANNEL a coordinator."""

    async def work(roles: Roles, audit: Audit, now: datetime, by: str) -> str:
        if not await roles.grant(channel, user_id, Role.COORDINATOR, by, now):
            return f"{channel} {user_id} is a coordinator already."
        await audit.record("role_granted", now, role=Role.COORDINATOR, channel=channel, by=by)
        return f"{channel} {user_id} is now a coordinator."

    _run(work)


@coordinator.command("revoke")
@click.argument("channel", type=CHANNELS)
@click.argument("user_id")
def revoke(channel: str, user_id: str) -> None:
    """Take the coordinator role away."""

    async def work(roles: Roles, audit: Audit, now: datetime, by: str) -> str:
        if not await roles.revoke(channel, user_id, Role.COORDINATOR):
            raise click.ClickException(f"{channel} {user_id} is not a coordinator.")
        await audit.record("role_revoked", now, role=Role.COORDINATOR, channel=channel, by=by)
        return f"{channel} {user_id} is no longer a coordinator."

    _run(work)


@coordinator.command("list")
def list_coordinators() -> None:
    """Every coordinator, by channel and chat id."""

    async def work(roles: Roles, audit: Audit, now: datetime, by: str) -> str:
        grants = await roles.holders(Role.COORDINATOR)
        return "\n".join(f"{g.channel}\t{g.external_id}\t{g.granted_by}" for g in grants) or "No coordinators."

    _run(work)


@admin.group()
def org() -> None:
    """Partner organisations and their members."""


@org.command("create")
@click.argument("name")
def create_organisation(name: str) -> None:
    """Add a partner organisation."""

    async def work(roles: Roles, audit: Audit, now: datetime, by: str) -> str:
        if await roles.organisation(name) is not None:
            raise click.ClickException(f"There is an organisation {name!r} already.")
        organisation = await roles.add_organisation(name, now)
        await audit.record("organisation_created", now, organisation=organisation.id, by=by)
        return f"Organisation {organisation.id} {name!r} created."

    _run(work)


@org.command("add")
@click.argument("name")
@click.argument("channel", type=CHANNELS)
@click.argument("user_id")
def add_member(name: str, channel: str, user_id: str) -> None:
    """Make the person with this chat id a partner of organisation NAME."""

    async def work(roles: Roles, audit: Audit, now: datetime, by: str) -> str:
        organisation = await _organisation(roles, name)
        if not await roles.grant(channel, user_id, Role.PARTNER, by, now, organisation):
            return f"{channel} {user_id} is a member of {name!r} already."
        await audit.record("member_added", now, organisation=organisation.id, channel=channel, by=by)
        return f"{channel} {user_id} is now a member of {name!r}."

    _run(work)


@org.command("remove")
@click.argument("name")
@click.argument("channel", type=CHANNELS)
@click.argument("user_id")
def remove_member(name: str, channel: str, user_id: str) -> None:
    """Take a member out of organisation NAME."""

    async def work(roles: Roles, audit: Audit, now: datetime, by: str) -> str:
        organisation = await _organisation(roles, name)
        if not await roles.revoke(channel, user_id, Role.PARTNER, organisation):
            raise click.ClickException(f"{channel} {user_id} is not a member of {name!r}.")
        await audit.record("member_removed", now, organisation=organisation.id, channel=channel, by=by)
        return f"{channel} {user_id} is no longer a member of {name!r}."

    _run(work)


@org.command("list")
def list_organisations() -> None:
    """Every organisation with its members."""

    async def work(roles: Roles, audit: Audit, now: datetime, by: str) -> str:
        lines = []
        for organisation in await roles.organisations():
            members = ", ".join(f"{g.channel}:{g.external_id}" for g in await roles.members(organisation))
            lines.append(f"{organisation.id}\t{organisation.name}\t{members or '-'}")
        return "\n".join(lines) or "No organisations."

    _run(work)
