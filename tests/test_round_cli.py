"""`gangmaker round …` for scripts: a round from a JSON or YAML file of the flow's answers, checked by
the same rules as `/vraag`, and the list of rounds."""

import asyncio
import json
from datetime import datetime, timezone

from storage.models import OutboxMessage, Round
from tests.auxil.database import rows, sqlite_engine
from tests.auxil.people import add_residents

ROUND = {
    "title": "Bankjes aan de Leie",
    "why": "We kiezen samen waar de bankjes komen.",
    "q1_kind": "scale",
    "q1_text": "Hoe graag zit je aan het water?",
    "q1_ends": ["helemaal niet", "heel graag"],
    "q2_kind": "many",
    "q2_text": "Waar wil je zitten?",
    "q2_options": ["Aan de brug", "Bij de speeltuin", "iets anders"],
    "closes_at": "2030-05-04 18:00",
    "target_neighbourhoods": ["heule"],
}
YAML = """\
title: Bankjes aan de Leie
why: We kiezen samen waar de bankjes komen.
q1_kind: open
q1_text: Waar zou jij een bankje zetten?
closes_at: 2030-05-04 18:00
publish_at: 2030-05-01 10:00
target_neighbourhoods: heule, marke
who: everyone
"""


async def test_a_round_from_a_json_file_goes_to_who_thinks_along(cli, tmp_path):
    await asyncio.to_thread(cli, "db", "upgrade")
    async with sqlite_engine(cli.path) as engine:
        now = datetime.now(timezone.utc)
        await add_residents(engine, None, 2, now)
        await add_residents(engine, None, 1, now, first_id=20_000, level="operational")
        await add_residents(engine, None, 1, now, first_id=30_000, neighbourhood="marke")
    (tmp_path / "round.json").write_text(json.dumps(ROUND), encoding="utf-8")
    code, output = await asyncio.to_thread(cli, "round", "create", "--dry-run", str(tmp_path / "round.json"))
    assert code == 0 and "The round is fine; it would reach 2 people." in output
    async with sqlite_engine(cli.path) as engine:
        assert await rows(engine, Round) == []
    code, output = await asyncio.to_thread(cli, "round", "create", str(tmp_path / "round.json"))
    assert code == 0 and "Round 1 published; it reaches 2 people." in output
    async with sqlite_engine(cli.path) as engine:
        [round_] = await rows(engine, Round)
        assert round_.questions[1] == {
            "kind": "many",
            "text": "Waar wil je zitten?",
            "options": ["Aan de brug", "Bij de speeltuin"],
            "other": True,
        }
        assert round_.closes_at == datetime(2030, 5, 4, 16, 0, tzinfo=timezone.utc)  # 18:00 in Kortrijk
        assert len([row for row in await rows(engine, OutboxMessage) if row.person_id is not None]) == 2


def test_a_round_from_a_yaml_file_is_scheduled_and_listed(cli, tmp_path):
    (tmp_path / "round.yml").write_text(YAML, encoding="utf-8")
    code, output = cli("round", "create", str(tmp_path / "round.yml"))
    assert code == 0 and "Round 1 created; it will be sent at 2030-05-01T08:00:00+00:00." in output
    code, output = cli("round", "list")
    assert output.splitlines() == ["1\tscheduled\t2030-05-04 18:00\tanswers 0\tBankjes aan de Leie"]


def test_a_file_with_mistakes_is_refused_with_one_line_per_field(cli, tmp_path):
    wrong = {
        **ROUND,
        "q1_kind": "slider",
        "q2_options": ["Aan de brug", "Bij de speeltuin, in de schaduw"],
        "q3_text": "Nog iets?",
        "colour": "blue",
        "closes_at": "2020-01-01 10:00",
    }
    (tmp_path / "round.json").write_text(json.dumps(wrong), encoding="utf-8")
    code, output = cli("round", "create", str(tmp_path / "round.json"))
    assert code != 0
    assert "colour: unknown field" in output
    assert "q1_kind: Kies een van de mogelijkheden. (one, many, scale, open)" in output
    assert "q2_options: an option holds no comma or semicolon (they separate the options)" in output
    assert "q3_kind: Kies welke soort vraag dit is, of maak de vraag leeg." in output
    assert "closes_at: Dat moment is al voorbij. Kies een moment in de toekomst." in output
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    code, output = cli("round", "create", str(tmp_path / "list.json"))
    assert code != 0 and "the file must hold the fields by name" in output
    code, output = cli("round", "create", str(tmp_path / "missing.json"))
    assert code != 0 and "does not exist" in output
    code, output = cli("round", "list")
    assert output == ""


def test_the_help_names_the_fields_of_the_file(cli):
    code, output = cli("round", "create", "--help")
    for field in ("title", "why", "q1_kind", "q1_options", "q1_ends", "closes_at", "publish_at", "who"):
        assert field in output
