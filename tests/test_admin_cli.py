"""`gangmaker admin …`: coordinators and organisations live in the database, every change audited."""

import asyncio

from bot.assembly import assemble
from bot.config import load_settings
from storage.models import AuditEvent, Person
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
        assert "Wat is de titel" not in chat.text and "Is dat goed voor jou?" in chat.text
        kinds = [event.kind for event in await rows(engine, AuditEvent)]
        assert kinds.count("role_granted") == 1 and kinds.count("role_revoked") == 1


async def coordinator_then_not(cli) -> None:
    """Coco is made a coordinator, writes once (admitted without the residents' yes), and loses the role."""
    assert (await asyncio.to_thread(cli, "admin", "coordinator", "grant", "console", "coco"))[0] == 0
    async with sqlite_engine(cli.path) as engine:
        assembly = await assemble(load_settings(database_url=f"sqlite:///{cli.path}", _env_file=None), engine=engine)
        await Chat(assembly.core, user_id="coco", channel="console").send("/oproepen")
    assert (await asyncio.to_thread(cli, "admin", "coordinator", "revoke", "console", "coco"))[0] == 0


async def test_a_coordinator_who_lost_the_role_is_asked_the_residents_consent(cli):  # noqa: F811
    await coordinator_then_not(cli)
    async with sqlite_engine(cli.path) as engine:
        assembly = await assemble(load_settings(database_url=f"sqlite:///{cli.path}", _env_file=None), engine=engine)
        chat = Chat(assembly.core, user_id="coco", channel="console")
        await chat.send("/idee")  # as a resident: not before her yes
        assert "Je bent geen coördinator meer." in chat.text and chat.text.rstrip().endswith("Is dat goed voor jou?")
        assert "Wat kan beter" not in chat.text
        await chat.send("/mijngegevens")  # her rights hold meanwhile
        assert chat.documents
        await chat.tap("Nee, liever niet", chat.keyboard())
        [coco] = await rows(engine, Person)
        assert coco.consent_version == "workspace"
        await chat.send("Hallo")
        assert chat.text.rstrip().endswith("Is dat goed voor jou?")
        await chat.tap("Ja, dat is goed")
        assert "Eerst een paar korte vragen" in chat.text
        [person] = await rows(engine, Person)
        assert person.id == coco.id and person.consent_version == "2026-11"
        answers = [(e.kind, e.person_id) for e in await rows(engine, AuditEvent) if e.kind.startswith("consent")]
        assert answers == [("consent_refused", coco.id), ("consent_given", coco.id)]


async def test_a_coordinator_who_lost_the_role_can_have_everything_erased_before_saying_yes(cli):  # noqa: F811
    await coordinator_then_not(cli)
    async with sqlite_engine(cli.path) as engine:
        assembly = await assemble(load_settings(database_url=f"sqlite:///{cli.path}", _env_file=None), engine=engine)
        chat = Chat(assembly.core, user_id="coco", channel="console")
        await chat.send("/vergeet")
        assert "Wil je je gegevens wissen?" in chat.text
        await chat.tap("Ja, wis mijn gegevens")
        assert "Alles is gewist" in chat.text
        assert await rows(engine, Person) == []


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
