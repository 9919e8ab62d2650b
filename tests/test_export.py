"""`gangmaker export`: CSV of a period for the city; personal columns only with --personal, and that is audited."""

import asyncio
import csv
from datetime import datetime, timezone

from storage.db import session_factory
from storage.models import AuditEvent, Idea, Offer, SignUp
from tests.auxil.builders import publish_call
from tests.auxil.database import rows, sqlite_engine
from tests.auxil.people import add_residents

MARCH = datetime(2030, 3, 10, 12, tzinfo=timezone.utc)


async def seed(path: str) -> None:
    from bot.config import load_settings

    async with sqlite_engine(path) as engine:
        await add_residents(engine, None, 1, MARCH)
        call = await publish_call(engine, load_settings(_env_file=None), MARCH)
        async with session_factory(engine)() as session, session.begin():
            session.add_all(
                [
                    Idea(
                        author_id=1,
                        problem="De Leie is grijs",
                        idea="Bankjes",
                        theme="heritage",
                        place="heule",
                        state="published",
                        created_at=MARCH,
                    ),
                    Idea(
                        author_id=1,
                        problem="Te laat",
                        idea="Later",
                        theme="heritage",
                        place="heule",
                        created_at=datetime(2030, 4, 2, tzinfo=timezone.utc),
                    ),  # after the period
                    Offer(person_id=1, kind="time", details={"hours": 4}, created_at=MARCH),
                    SignUp(call_id=call.id, person_id=1, state="joined", created_at=MARCH),
                ]
            )


def read(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


async def test_an_export_without_personal_data_and_one_with_it_audited(cli, tmp_path):  # noqa: F811
    assert (await asyncio.to_thread(cli, "db", "upgrade"))[0] == 0
    await seed(cli.path)
    code, output = await asyncio.to_thread(
        cli, "export", "--from", "2030-03-01", "--to", "2030-03-31", "--out", str(tmp_path / "plain")
    )
    assert code == 0, output
    plain = {
        name: read(tmp_path / "plain" / name)
        for name in ("ideas.csv", "offers.csv", "calls.csv", "signups.csv", "projects.csv")
    }
    assert [idea["state"] for idea in plain["ideas.csv"]] == ["published"]  # April's idea is not in March
    assert plain["calls.csv"][0]["signed_up"] == "1" and plain["calls.csv"][0]["title"] == "Bankjes bouwen"
    written = "".join((tmp_path / "plain" / name).read_text() for name in plain)
    for personal in ("Inwoner 0", "De Leie is grijs", "person_id", "author_name", "hours"):
        assert personal not in written

    code, output = await asyncio.to_thread(
        cli, "export", "--from", "2030-03-01", "--to", "2030-03-31", "--personal", "--out", str(tmp_path / "personal")
    )
    assert code == 0, output
    [idea] = read(tmp_path / "personal" / "ideas.csv")
    assert idea["author_name"] == "Inwoner 0" and idea["problem"] == "De Leie is grijs"
    assert read(tmp_path / "personal" / "signups.csv")[0]["person_name"] == "Inwoner 0"
    async with sqlite_engine(cli.path) as engine:
        audited = [event.detail for event in await rows(engine, AuditEvent) if event.kind == "data_exported"]
    assert [entry["personal"] for entry in audited] == [False, True]
    assert audited[1]["period"] == "2030-03-01/2030-03-31"


async def test_people_s_text_cannot_become_a_formula_and_excel_reads_the_file_as_utf8(cli, tmp_path):
    """Cells a spreadsheet would run as a formula are neutralised as spreadsheet programs expect (a
    leading apostrophe); the files start with a BOM and end lines with CRLF, as Excel on Windows wants."""
    assert (await asyncio.to_thread(cli, "db", "upgrade"))[0] == 0
    from bot.config import load_settings

    async with sqlite_engine(cli.path) as engine:
        await add_residents(engine, None, 1, MARCH)
        await publish_call(engine, load_settings(_env_file=None), MARCH, title='=HYPERLINK("https://evil.example")')
        async with session_factory(engine)() as session, session.begin():
            session.add(
                Idea(
                    author_id=1,
                    problem="+32 470 12 34 56",
                    idea="@SUM(A1:A9)",
                    theme="heritage",
                    place="heule",
                    state="published",
                    created_at=MARCH,
                )
            )
    code, output = await asyncio.to_thread(
        cli, "export", "--from", "2030-03-01", "--to", "2030-03-31", "--personal", "--out", str(tmp_path)
    )
    assert code == 0, output
    raw = (tmp_path / "calls.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    with open(tmp_path / "calls.csv", newline="", encoding="utf-8-sig") as file:
        [call] = list(csv.DictReader(file))
    assert call["title"] == """'=HYPERLINK("https://evil.example")"""
    assert call["signed_up"] == "0"  # numbers stay numbers
    with open(tmp_path / "ideas.csv", newline="", encoding="utf-8-sig") as file:
        [idea] = list(csv.DictReader(file))
    assert (idea["idea"], idea["problem"]) == ("'@SUM(A1:A9)", "'+32 470 12 34 56")
