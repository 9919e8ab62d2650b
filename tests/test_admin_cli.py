"""`gangmaker admin …`: coordinators and organisations live in the database, every change audited."""

import asyncio

from bot.assembly import assemble
from bot.config import load_settings
from storage.models import AuditEvent
from tests.auxil.chat import Chat
from tests.auxil.database import rows, sqlite_engine


async def test_a_granted_coordinator_creates_calls_until_revoked(cli):  # noqa: F811
    code, output = await asyncio.to_thread(cli, "admin", "coordinator", "grant", "console", "coco")
    assert code == 0 and "console coco is now a coordinator." in output
    async with sqlite_engine(cli.path) as engine:
        assembly = await assemble(load_settings(database_url=f"sqlite:///{cli.path}", _env_file=None), engine=engine)
        chat = Chat(assembly.core, user_id="coco", channel="console")
        await chat.send("/oproep")  # known at once as a coordinator
        assert "Wat is de titel van de oproep?" in chat.text
        await chat.send("/annuleer")
        code, output = await asyncio.to_thread(cli, "admin", "coordinator", "revoke", "console", "coco")
        assert code == 0
        await chat.send("/oproep")
        assert "Dat commando ken ik niet." in chat.text
        kinds = [event.kind for event in await rows(engine, AuditEvent)]
        assert kinds.count("role_granted") == 1 and kinds.count("role_revoked") == 1


def test_organisations_and_their_members(cli):  # noqa: F811
    assert cli("admin", "org", "create", "Budascoop")[0] == 0
    code, output = cli("admin", "org", "create", "Budascoop")
    assert code != 0 and "already" in output
    assert "is now a member of 'Budascoop'" in cli("admin", "org", "add", "Budascoop", "slack", "U123")[1]
    assert "U123" in cli("admin", "org", "list")[1]
    assert "is no longer a member" in cli("admin", "org", "remove", "Budascoop", "slack", "U123")[1]
    code, output = cli("admin", "org", "add", "Nergens", "slack", "U123")
    assert code != 0 and "There is no organisation 'Nergens'" in output
    code, output = cli("admin", "coordinator", "grant", "fax", "1")
    assert code != 0


def test_coordinators_named_in_the_settings_are_granted_at_start(cli, monkeypatch):  # noqa: F811
    monkeypatch.setenv("COORDINATOR_TELEGRAM_IDS", "12,34")
    cli("db", "upgrade")

    async def start() -> None:
        async with sqlite_engine(cli.path) as engine:
            await assemble(load_settings(database_url=f"sqlite:///{cli.path}"), engine=engine)

    asyncio.run(start())
    code, output = cli("admin", "coordinator", "list")
    assert output.splitlines() == ["telegram\t12\tsettings", "telegram\t34\tsettings"]
