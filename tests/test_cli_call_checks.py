"""`gangmaker call …` as a script writer meets it: the chat's rules, a dry run, local times, English
throughout, codes in --help, a question before cancelling, a careful QR code, and `--db`."""

import asyncio
from datetime import datetime, timezone

from storage.models import Call, OutboxMessage
from tests.auxil.database import rows, sqlite_engine
from tests.auxil.people import add_residents
from tests.test_call_cli import CREATE


def replaced(args: list[str], **values: str) -> list[str]:
    """CREATE with the values of some options changed (`title="  "` for --title)."""
    changed = list(args)
    for name, value in values.items():
        changed[changed.index("--" + name.replace("_", "-")) + 1] = value
    return changed


async def test_a_blank_title_is_refused_as_in_the_chat_and_nothing_is_created(cli):
    for blank in ("  ", "", "\t"):
        code, output = await asyncio.to_thread(cli, *replaced(CREATE, title=blank))
        assert code != 0 and "--title:" in output, output
    code, output = await asyncio.to_thread(cli, *replaced(CREATE, address=" "))
    assert code != 0 and "--address:" in output
    async with sqlite_engine(cli.path) as engine:
        assert await rows(engine, Call) == []
    code, output = await asyncio.to_thread(cli, *replaced(CREATE, title_en=" "))  # a translation may be left blank
    assert code == 0 and "published" in output
    async with sqlite_engine(cli.path) as engine:
        [call] = await rows(engine, Call)
        assert call.title == {"nl": "Bankjes bouwen"}  # a blank translation is none


async def test_a_dry_run_shows_the_audience_and_the_message_and_changes_nothing(cli):
    assert (await asyncio.to_thread(cli, "db", "upgrade"))[0] == 0
    async with sqlite_engine(cli.path) as engine:
        now = datetime.now(timezone.utc)
        await add_residents(engine, None, 2, now)
        await add_residents(engine, None, 1, now, first_id=20_000, interests=("sport",))
    code, output = await asyncio.to_thread(cli, *CREATE, "--dry-run")
    assert code == 0, output
    assert "2 people" in output  # those who chose heritage
    assert "Bankjes bouwen" in output and "Groeningestraat 1" in output and "Ik doe mee" in output
    assert "nothing was saved or sent" in output.lower()
    async with sqlite_engine(cli.path) as engine:
        assert await rows(engine, Call) == [] and await rows(engine, OutboxMessage) == []
    code, output = await asyncio.to_thread(cli, *replaced(CREATE, title="  "), "--dry-run")
    assert code != 0 and "--title:" in output  # a dry run checks the same rules


def test_the_publish_time_is_told_in_kortrijk_time(cli):
    code, output = cli(*CREATE, "--publish-at", "2030-05-01 10:00")
    assert code == 0 and "2030-05-01 10:00" in output and "+00:00" not in output


def test_the_rules_of_the_chat_are_told_in_english_like_the_rest_of_the_cli(cli):
    code, output = cli(*CREATE, "--deadline", "2030-05-04 15:00")
    assert code != 0 and "--deadline: Sign-ups have to close before the start." in output
    code, output = cli("call", "publish", "7")
    assert code != 0 and "There is no call 7." in output


def test_help_lists_the_codes_of_themes_and_needs(cli):
    code, output = cli("call", "create", "--help")
    assert code == 0
    for code_name in ("heritage", "sport", "time", "money", "heule", "marke"):
        assert code_name in output, code_name


def test_cancel_asks_first_or_takes_yes(cli):
    assert cli(*CREATE)[0] == 0
    code, output = cli("call", "cancel", "1", input="n\n")
    assert code != 0 and "cancelled" not in output.split("?")[-1]
    assert "\tpublished\t" in cli("call", "list")[1]
    code, output = cli("call", "cancel", "1", input="y\n")
    assert code == 0 and "Call 1 cancelled" in output
    assert cli(*CREATE)[0] == 0
    code, output = cli("call", "cancel", "2", "--yes")
    assert code == 0 and "Call 2 cancelled" in output


def test_qr_warns_without_a_bot_username_and_refuses_a_cancelled_call(cli, monkeypatch, tmp_path):
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)
    assert cli(*CREATE)[0] == 0
    code, output = cli("call", "qr", "1")
    assert code == 0 and "TELEGRAM_BOT_USERNAME" in output
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "Kortrijk2030Bot")
    code, output = cli("call", "qr", "1")
    assert code == 0 and "TELEGRAM_BOT_USERNAME" not in output and "t.me/Kortrijk2030Bot?start=c1" in output
    assert cli("call", "cancel", "1", "--yes")[0] == 0
    (tmp_path / "call-1.png").unlink()
    code, output = cli("call", "qr", "1")
    assert code != 0 and "cancelled" in output and not (tmp_path / "call-1.png").exists()


def test_one_person_is_a_person(cli):
    async def one_resident() -> None:
        async with sqlite_engine(cli.path) as engine:
            await add_residents(engine, None, 1, datetime.now(timezone.utc))

    assert cli("db", "upgrade")[0] == 0
    asyncio.run(one_resident())
    code, output = cli(*CREATE)
    assert code == 0 and "queued for 1 person." in output


def test_every_database_command_takes_db(cli, tmp_path):
    other = tmp_path / "other.db"
    code, output = cli("--db", str(other), *CREATE)
    assert code == 0, output
    assert "Bankjes bouwen" in cli("--db", str(other), "call", "list")[1]
    assert cli("call", "list")[1].strip() == "No calls."  # the default database has none
    code, output = cli("--db", str(other), "admin", "org", "list")
    assert code == 0 and "No organisations." in output


def test_org_add_finds_the_organisation_whatever_the_case(cli):
    assert cli("admin", "org", "create", "Budascoop")[0] == 0
    code, output = cli("admin", "org", "add", "budascoop", "telegram", "12345")
    assert code == 0 and "telegram 12345 is now a member of 'Budascoop'." in output
    code, output = cli("admin", "org", "create", "BUDASCOOP")
    assert code != 0 and "already" in output


def test_closing_a_cancelled_call_keeps_it_cancelled(cli):
    assert cli(*CREATE)[0] == 0
    assert cli("call", "cancel", "1", "--yes")[0] == 0
    code, output = cli("call", "close", "1")
    assert code != 0 and "Call 1 is cancelled" in output
    assert "\tcancelled\t" in cli("call", "list")[1]


def test_a_chat_id_that_cannot_be_one_is_refused(cli):
    code, output = cli("admin", "coordinator", "grant", "telegram", "@anna")
    assert code != 0 and "Telegram user id" in output
    code, output = cli("admin", "coordinator", "grant", "slack", "anna")
    assert code != 0 and "Slack user id" in output
    assert cli("admin", "coordinator", "list")[1].strip() == "No coordinators."
    assert cli("admin", "coordinator", "grant", "telegram", "12345")[0] == 0
    assert cli("admin", "coordinator", "grant", "slack", "U0123ABC")[0] == 0
