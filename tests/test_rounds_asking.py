"""Who asks a round: a coordinator in the chat, the Slack modal (`/gangmaker vraag`) or from a file
(`gangmaker round create`), all three refusing the same mistakes with the same words; a partner
for a project, approved by a coordinator in the coordinators' room; and `/bevragingen` to keep track."""

import asyncio
import copy
import json

import pytest

from storage.models import Round
from tests.auxil.city import build_city
from tests.auxil.database import rows
from tests.auxil.slack_fixtures import COORDINATORS_ROOM
from tests.auxil.town import card_in, shows, until
from tests.test_projects import adopted_by_pia, until_card
from tests.test_rounds import ask_round

WHEN = 1805896800  # 2027-03-20 18:00 in Kortrijk: the round closes then
MISTAKE = "Geef 2 tot 8 keuzes, gescheiden door komma's. Nu zijn het er 1."


def choice(value: str) -> dict:
    return {"type": "static_select", "selected_option": {"value": value}}


def text(value: str) -> dict:
    return {"type": "plain_text_input", "value": value}


ROUND = {
    "title": text("Bankjes aan de Leie"),
    "why": text("We kiezen samen waar de bankjes komen. Met je antwoorden kiezen we de plek."),
    "q1_kind": choice("scale"),
    "q1_text": text("Hoe graag zit je aan het water?"),
    "q1_ends": text("helemaal niet, heel graag"),
    "q2_kind": choice("one"),
    "q2_text": text("Moeten de bankjes een rugleuning hebben?"),
    "q2_options": text("Ja, Nee"),
    "q3_kind": choice("open"),
    "q3_text": text("Waar zou jij een bankje zetten?"),
    "closes_at": {"type": "datetimepicker", "selected_date_time": WHEN},
    "publish": choice("now"),
}
ROUND_FILE = """\
title: Bankjes aan de Leie
why: We kiezen samen waar de bankjes komen.
q1_kind: one
q1_text: Moeten de bankjes een rugleuning hebben?
q1_options: [Ja]
closes_at: 2030-05-04 18:00
"""


async def test_a_coordinator_asks_in_one_modal_checked_by_the_chats_rules(slack, engine):
    fake = slack.fake
    await fake.command("UCOCO", "vraag")
    [view] = await slack.until(lambda: list(fake.views.values()))
    fields = [block["block_id"] for block in view["blocks"]]
    assert fields[:3] == ["title", "why", "q1_kind"] and "q5_ends" in fields and "closes_at" in fields
    status, body = await fake.submit("UCOCO", view["id"], {**ROUND, "q2_options": text("Ja")})
    assert json.loads(body)["errors"] == {"q2_options": MISTAKE}
    assert await rows(engine, Round) == []
    # A question written without its kind, and one after a question left empty: not dropped unseen.
    status, body = await fake.submit("UCOCO", view["id"], {**ROUND, "q4_text": text("Nog iets?")})
    assert json.loads(body)["errors"] == {"q4_kind": "Kies welke soort vraag dit is, of maak de vraag leeg."}
    gap = {"q5_kind": choice("open"), "q5_text": text("Nog iets?")}
    status, body = await fake.submit("UCOCO", view["id"], {**ROUND, **gap})
    assert json.loads(body)["errors"] == {"q4_kind": "Vul de vragen in volgorde in: deze vraag is nog leeg."}
    status, body = await fake.submit("UCOCO", view["id"], ROUND)
    assert (status, body) == (200, "")
    await slack.until(lambda: any("Je bevraging is verstuurd." in m.text for m in fake.dm("UCOCO")))
    [round_] = await rows(engine, Round)
    assert [q["kind"] for q in round_.questions] == ["scale", "one", "open"]


async def test_the_same_mistake_is_refused_with_the_same_words_in_the_chat_the_modal_and_the_command_line(
    town, cli, tmp_path
):
    city, slack = town
    coordinator = await city.coordinator()
    await coordinator.send("/vraag")
    await coordinator.send("Bankjes aan de Leie")
    await coordinator.send("We kiezen samen waar de bankjes komen.")
    await coordinator.tap("Eén keuze")
    await coordinator.send("Moeten de bankjes een rugleuning hebben?")
    await coordinator.send("Ja")
    assert MISTAKE in coordinator.text

    await slack.command("UCOCO", "vraag")
    await until(lambda: slack.views, slack)
    [view] = slack.views.values()
    status, body = await slack.submit("UCOCO", view["id"], {**ROUND, "q2_options": text("Ja")})
    assert json.loads(body)["errors"] == {"q2_options": MISTAKE}

    (tmp_path / "round.yaml").write_text(ROUND_FILE, encoding="utf-8")
    code, output = await asyncio.to_thread(cli, "round", "create", str(tmp_path / "round.yaml"))
    assert code != 0 and f"q1_options: {MISTAKE}" in output


async def test_a_partner_asks_for_a_project_and_a_coordinator_lets_it_go(town, engine):
    """The story's first step: a partner whose project is in "verkennen" prepares three questions
    in the Slack modal; a coordinator approves them; those who think along near the project get them."""
    city, slack = town
    await adopted_by_pia(city, slack)  # Anna's idea for Marke, taken up by Pia for Budascoop
    mia = await city.resident(2001, "Mia", neighbourhood="Marke", level="Meedenken")
    bert = await city.resident(2002, "Bert", neighbourhood="Marke", level="Meehelpen")
    hugo = await city.resident(2003, "Hugo", neighbourhood="Heule", level="Allebei")

    project = await until_card(slack, "UPIA", "🛠")
    await slack.tap("UPIA", project, "Vragen stellen")
    await until(lambda: slack.views, slack)
    [view] = slack.views.values()
    assert view["title"]["text"] == "Dit is je bevraging:"
    where = next(b for b in view["blocks"] if b["block_id"] == "target_neighbourhoods")
    assert [o["value"] for o in where["element"]["initial_options"]] == ["marke"]  # the project's place
    marke = {"type": "multi_static_select", "selected_options": [{"value": "marke"}]}
    status, body = await slack.submit(
        "UPIA", view["id"], {**ROUND, "q2_options": text("Ja"), "target_neighbourhoods": marke}
    )
    assert json.loads(body)["errors"] == {"q2_options": MISTAKE}
    await slack.submit("UPIA", view["id"], {**ROUND, "target_neighbourhoods": marke})
    await until(lambda: any("wacht nu op een coördinator" in m.text for m in slack.dm("UPIA")), slack)
    [round_] = await rows(engine, Round)
    assert (round_.state, round_.project_id, round_.target_neighbourhoods) == ("awaiting", 1, ["marke"])
    await city.tick()
    assert mia.unread_texts() == []  # nothing goes out before a coordinator's yes

    approval = card_in(slack, COORDINATORS_ROOM, "Bankjes aan de Leie")
    assert shows(approval, "Budascoop") and shows(approval, "Mensen die de vragen krijgen: 1.")
    await slack.tap("UPIA", approval, "Goedkeuren")  # a partner's forged tap
    await until(lambda: any(m.user == "UPIA" and m.channel == COORDINATORS_ROOM for m in slack.messages), slack)
    [round_] = await rows(engine, Round)
    assert round_.state == "awaiting"

    before = copy.deepcopy(approval)
    await slack.tap("UCOCO", approval, "Goedkeuren")
    await until(lambda: shows(approval, "Goedgekeurd door Coco"), slack)
    [round_] = await rows(engine, Round)
    assert (round_.state, round_.approved_by) == ("open", "Coco")
    await city.tick()
    [card] = mia.unread_texts()
    assert "Bankjes aan de Leie" in card and "We kiezen samen waar de bankjes komen." in card
    assert bert.unread_texts() == [] and hugo.unread_texts() == []
    await until(
        lambda: any("“Bankjes aan de Leie” is goedgekeurd door Coco" in m.text for m in slack.dm("UPIA")), slack
    )

    await slack.tap("UCOCO", before, "Weigeren")  # a second tap, on the card as it was
    await until(lambda: any(m.user == "UCOCO" and "al behandeld door Coco" in m.text for m in slack.messages), slack)
    [round_] = await rows(engine, Round)
    assert round_.state == "open"


@pytest.fixture
async def busy_city(fake_telegram, engine, clock):
    """A city whose coordinator may type two rounds in a minute (more than the flood limit's 40 turns)."""
    town = await build_city(fake_telegram, engine, clock, flood_limit="100/minute")
    yield town
    await town.bot.stop()


async def test_coordinators_list_rounds_close_one_and_cancel_one_not_sent_yet(busy_city, engine):
    city = busy_city
    anna = await city.resident(1, "Anna", level="Meedenken")
    coordinator = await city.coordinator()
    await coordinator.send("/bevragingen")
    assert "Er zijn nog geen bevragingen. Maak er een met /vraag." in coordinator.text
    await ask_round(coordinator)
    await coordinator.tap("Klopt")
    await ask_round(coordinator, now=False)
    await coordinator.send("12/3/2027 10:00")
    await coordinator.tap("Klopt")
    await city.tick()
    await anna.tap("Meedenken", anna.message_with("Bankjes aan de Leie"))
    await anna.send("vier")

    await coordinator.send("/rounds")
    lines = coordinator.text.splitlines()
    assert lines[0] == "Dit zijn de bevragingen. Tik op een bevraging om ze te beheren."
    assert lines[1].startswith("#1 Bankjes aan de Leie – tot ") and lines[1].endswith(" – loopt – antwoorden: < 5")
    assert lines[2].endswith(" – ingepland – antwoorden: 0")
    await coordinator.tap("#1 Bankjes aan de Leie")
    assert (
        "loopt" in coordinator.text and "Antwoorden: < 5" in coordinator.text and "• Verstuurd: 1." in coordinator.text
    )
    await coordinator.tap("Sluiten")
    await coordinator.tap("Ja")  # Telegram asks "Sluiten?" itself
    assert "De bevraging is gesloten." in coordinator.text
    await anna.send("Ja")
    assert "Deze bevraging is gesloten." in anna.text

    await coordinator.send("/bevragingen")
    await coordinator.tap("#2 Bankjes aan de Leie")
    assert "Sluiten" not in json.dumps(coordinator.keyboard_message()["reply_markup"])
    await coordinator.tap("Annuleren")
    await coordinator.tap("Ja")
    assert "De bevraging is geannuleerd." in coordinator.text
    states = sorted((r.id, r.state) for r in await rows(engine, Round))
    assert states == [(1, "closed"), (2, "cancelled")]
    await city.tick(days=3)
    assert not any("Bankjes aan de Leie" in text for text in anna.unread_texts())
