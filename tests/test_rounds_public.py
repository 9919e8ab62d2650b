"""What a question round leaves behind: a resident's answers in /mijngegevens and after /vergeet, the
closed rounds on the public page under the small-group rule, the rounds in `gangmaker report`, and a
project's rounds on its card and in its news."""

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.i18n import translator
from bot.replies import Card, Dashboard, Form
from bot.web import create_web_app
from handlers.impact import figures as impact
from handlers.impact import report
from storage.db import session_factory
from storage.models import Idea, Organisation, OutboxMessage, Person, Project, Round, RoundAnswer, RoundResponse
from storage.repositories import Roles
from tests.auxil.builders import answer_round, close_round, publish_round
from tests.auxil.chat import Chat, onboard, tap
from tests.auxil.database import rows


async def pushed(bot, clock, purpose: str, person_id: int, **payload):
    """The replies of the push queued for this person (the newest of its purpose whose payload
    holds `payload`), rendered as the dispatcher would."""
    async with bot.sessions() as session, session.begin():
        found = [
            row
            for row in await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.purpose == purpose, OutboxMessage.person_id == person_id)
                .order_by(OutboxMessage.id)
            )
            if payload.items() <= row.payload.items()
        ]
        assert found, f"nothing queued for {purpose}"
        return await bot.render_push(session, found[-1], await session.get(Person, person_id), None, clock())


async def person_named(engine, name: str) -> Person:
    [person] = await rows(engine, Person, Person.display_name == name)
    return person


async def answer_leie_round(chat: Chat, card) -> None:
    """Anna answers the three questions: "vier", something else in her words, and where."""
    await chat.tap("Meedenken", on=card)
    await chat.send("vier")
    await chat.tap("Iets anders")
    await chat.send("Met een tafel erbij")
    await chat.send("Aan de brug bij de bakker")
    await chat.tap("Klopt")
    assert "Bedankt om mee te denken!" in chat.text


# -- privacy -----------------------------------------------------------------------------------------------


async def test_my_data_holds_my_answers_and_forget_removes_them_or_keeps_them_without_me(
    bot, chat, engine, clock, settings
):
    await onboard(chat, name="Anna")  # she thinks along
    anna = await person_named(engine, "Anna")
    still_open = await publish_round(engine, settings, clock())
    closing = await publish_round(
        engine, settings, clock(), title="Licht op het plein", closes_at=(clock() + timedelta(days=1)).isoformat()
    )
    await answer_round(engine, closing.id, [{0: "5", 1: "0"}] * 6, clock())
    for round_ in (still_open, closing):
        [card] = await pushed(bot, clock, "round", anna.id, round_id=round_.id)
        await answer_leie_round(chat, card)
    clock.advance(days=2)
    await close_round(engine, closing.id, clock())

    await chat.send("/mijngegevens")
    assert "• Bevragingen die je beantwoordde: 2" in chat.text
    [document] = chat.documents
    answered = json.loads(document.content)["round_answers"]
    assert [entry["round"] for entry in answered] == ["Bankjes aan de Leie", "Licht op het plein"]
    assert answered[1]["answers"] == [
        {"question": "Hoe graag zit je aan het water?", "answer": 4},
        {
            "question": "Moeten de bankjes een rugleuning hebben?",
            "answer": "Iets anders",
            "other": "Met een tafel erbij",
        },
        {"question": "Waar zou jij een bankje zetten?", "answer": "Aan de brug bij de bakker"},
    ]

    await chat.send("/vergeet")
    assert "bevraging" in chat.text  # she is told what happens to her answers before she says yes
    await chat.tap("Ja, wis mijn gegevens")
    assert "Alles is gewist." in chat.text
    # The open round: her answers are gone. The closed one: her choices still count, without her
    # and without what she wrote.
    assert await rows(engine, RoundResponse, RoundResponse.round_id == still_open.id) == []
    assert await rows(engine, RoundAnswer, RoundAnswer.round_id == still_open.id) == []
    responses = await rows(engine, RoundResponse, RoundResponse.round_id == closing.id)
    assert len(responses) == 7
    [kept] = [response for response in responses if response.person_id is None]
    assert {
        (a.question, a.option, a.text) for a in await rows(engine, RoundAnswer, RoundAnswer.response_id == kept.id)
    } == {
        (0, 4, None),
        (1, -1, None),
    }
    texts = {answer.text for answer in await rows(engine, RoundAnswer)}
    assert texts == {None}


async def test_the_privacy_text_says_what_stays_of_answers_to_a_closed_round(chat):
    await onboard(chat)
    await chat.send("/privacy")
    await chat.tap("Meer uitleg")
    assert "bevraging" in chat.text and len(chat.text.split()) <= 60


# -- the public page ---------------------------------------------------------------------------------------


@pytest.fixture
async def web(bot):
    client = TestClient(TestServer(create_web_app((), bot)))
    await client.start_server()
    yield client
    await client.close()


async def coordinator(bot, clock, user_id: str = "9001") -> Chat:
    async with bot.sessions() as session, session.begin():
        await Roles(session).grant("test", user_id, "coordinator", by="test", now=clock())
    return Chat(bot, user_id)


async def test_the_public_page_shows_a_closed_round_under_the_rule_with_only_the_picked_open_answers(
    bot, web, engine, clock, settings
):
    leie = await publish_round(engine, settings, clock(), title="Bankjes & <b>licht</b>")
    scale = ["5"] * 6 + ["4"] * 5 + ["3"]  # the 3 alone is a small group; the 4s are hidden with it
    yes_no = ["0"] * 7 + ["1"] * 5
    written = ["<script>alert(1)</script> aan de brug", "Bij de kerk", "Jan Peeters woont hier"]
    await answer_round(
        engine,
        leie.id,
        [
            {0: s, 1: y} | ({2: written[n]} if n < len(written) else {})
            for n, (s, y) in enumerate(zip(scale, yes_no, strict=True))
        ],
        clock(),
    )
    still_open = await publish_round(
        engine, settings, clock(), title="Nog een open vraag", closes_at=(clock() + timedelta(days=30)).isoformat()
    )
    await answer_round(engine, still_open.id, [{0: "5"}] * 6, clock())
    clock.advance(days=8)
    await close_round(engine, leie.id, clock(), outcome="We zetten 5 bankjes <i>en</i> een tafel.")

    # The coordinator reads the open answers and picks two for the page.
    coco = await coordinator(bot, clock)
    await coco.send("/bevragingen")
    await coco.tap(f"#{leie.id} Bankjes & <b>licht</b>")
    await coco.tap("Open antwoorden")
    assert all(text in coco.text for text in written)
    listed = list(coco.last)
    for text in written:
        await coco.tap("Tonen op de pagina", on=next(reply for reply in listed if text in reply.text))
        assert "Staat op de publieke pagina." in coco.text and coco.labels(coco.last[0]) == ["Niet meer tonen"]
    await coco.tap("Niet meer tonen")  # the last one after all not

    page = await (await web.get("/impact")).text()
    assert "Bankjes &amp; &lt;b&gt;licht&lt;/b&gt;" in page and "<b>licht</b>" not in page
    assert "12 mensen antwoordden" in page
    assert "We zetten 5 bankjes &lt;i&gt;en&lt;/i&gt; een tafel." in page and "Wat we ermee doen" in page
    assert '<span>5 · heel graag</span><span class="value">6</span>' in page
    assert '<span>4</span><span class="value">verborgen</span>' in page  # hidden with the small group
    assert '<span>3</span><span class="value">&lt; 5</span>' in page
    assert (
        '<span>Ja</span><span class="value">7</span>' in page and '<span>Nee</span><span class="value">5</span>' in page
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt; aan de brug" in page and "Bij de kerk" in page
    assert "<script" not in page and "Jan Peeters" not in page
    assert "Nog een open vraag" not in page
    section = page.split("Meedenken</h2>")[1].split("<h2>")[0]
    values = re.findall(r'class="value">([^<]*)<', section)
    assert values and all(v in ("&lt; 5", "verborgen", "0") or int(v) >= 5 for v in values)


async def test_only_coordinators_pick_and_only_open_answers_of_that_round(bot, engine, clock, settings, chat):
    leie = await publish_round(engine, settings, clock())
    await answer_round(engine, leie.id, [{0: "5", 2: "Aan de brug"}], clock())
    await onboard(chat)
    await chat.send("/bevragingen")
    assert "Dat commando ken ik niet" in chat.text
    await tap(chat, "rcoord", "written", leie.id)  # a resident's forged tap for the list
    assert "Aan de brug" not in chat.text
    coco = await coordinator(bot, clock)
    other = await publish_round(engine, settings, clock(), title="Licht op het plein")
    [scale] = await rows(engine, RoundAnswer, RoundAnswer.question == 0)
    [written] = await rows(engine, RoundAnswer, RoundAnswer.question == 2)
    await tap(coco, "rpick", "show", other.id, written.id)  # forged: an answer to another round
    await tap(coco, "rpick", "show", leie.id, scale.id)  # forged: not an open answer
    await tap(chat, "rpick", "show", leie.id, written.id)  # a resident's forged tap
    assert [round_.picked for round_ in await rows(engine, Round)] == [[], []]


# -- the report ------------------------------------------------------------------------------------------


async def organisation_with_project(engine, clock, author_id: int | None = None, name: str = "Budascoop") -> Project:
    async with session_factory(engine)() as session, session.begin():
        organisation = Organisation(name=name, created_at=clock())
        idea = Idea(
            author_id=author_id,
            problem="Het Leieboord is grijs.",
            idea="Kleurrijke bankjes aan de Leie.",
            theme="heritage",
            place="heule",
            state="adopted",
            created_at=clock(),
        )
        session.add_all([organisation, idea])
        await session.flush()
        project = Project(
            idea_id=idea.id, organisation_id=organisation.id, phase="explore", created_at=clock(), updated_at=clock()
        )
        session.add(project)
        await session.flush()
        return project


def csvs(figures) -> dict[str, dict[str, list[str]]]:
    return {
        name.removesuffix(".csv"): {row[0]: row[1:] for row in list(csv.reader(io.StringIO(text)))[1:]}
        for name, text in report.csv_files(figures, translator("nl")).items()
    }


async def test_the_report_counts_rounds_their_respondents_by_neighbourhood_and_role_and_the_loop_closed(
    engine, clock, settings
):
    project = await organisation_with_project(engine, clock)
    leie = await publish_round(engine, settings, clock(), project_id=project.id)
    await answer_round(engine, leie.id, [{0: "5"}] * 7, clock())
    await answer_round(engine, leie.id, [{0: "4"}] * 2, clock(), neighbourhood="marke", role="creative")
    plein = await publish_round(engine, settings, clock(), title="Licht op het plein")
    await answer_round(engine, plein.id, [{0: "3", 2: "Jan Peeters woont hier"}] * 5, clock(), neighbourhood="bissegem")
    clock.advance(days=8)
    await close_round(engine, leie.id, clock(), outcome="We zetten vijf bankjes.")
    await close_round(engine, plein.id, clock())
    start, end = impact.period(date(2027, 3, 1), date(2027, 3, 31), "Europe/Brussels")
    async with session_factory(engine)() as session:
        figures = await impact.gather(session, start, end)
        own = await impact.gather(session, start, end, organisation_id=project.organisation_id, organisation="B")
    tables = csvs(figures)
    summary = {code: values[1] for code, values in tables["summary"].items()}
    assert (summary["rounds"], summary["round_respondents"], summary["rounds_closed_loop"]) == ("2", "14", "1")
    assert tables["rounds"][str(leie.id)] == ["Bankjes aan de Leie", "9", "2027-03-18", "2027-03-18"]
    assert tables["rounds"][str(plein.id)] == ["Licht op het plein", "5", "2027-03-18", ""]
    assert {code: values[1] for code, values in tables["round_respondents_by_neighbourhood"].items()} == {
        "heule": "7",
        "marke": "< 5",
        "bissegem": "verborgen",  # hidden too: the total minus the rest would tell Marke's two
    }
    assert {code: values[1] for code, values in tables["round_respondents_by_role"].items()} == {
        "resident": "verborgen",
        "creative": "< 5",
    }
    assert "Jan Peeters" not in "".join(report.csv_files(figures, translator("nl")).values())
    text = report.summary_text(figures, translator("nl"))
    assert "Bevragingen: 2, met 14 antwoorden. Bij 1 schreven we wat we ermee doen." in text
    assert {code: values[1] for code, values in csvs(own)["summary"].items()}["rounds"] == "1"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # drawing does not depend on the database
async def test_the_report_draws_the_rounds(engine, clock, settings):
    leie = await publish_round(engine, settings, clock())
    await answer_round(engine, leie.id, [{0: "5"}] * 6, clock())
    start, end = impact.period(date(2027, 3, 1), date(2027, 3, 31), "Europe/Brussels")
    async with session_factory(engine)() as session:
        figures = await impact.gather(session, start, end)
    sheet = report.dashboard_sheet(figures, translator("nl"))
    shown = [text.get_text() for axes in sheet.figure.axes[1:] for text in axes.texts]
    assert "Bankjes aan de Leie" in shown and "6" in shown


# -- projects -------------------------------------------------------------------------------------------


def project_card(replies) -> Card:
    for reply in replies:
        cards = [c for s in reply.sections for c in s.cards] if isinstance(reply, Dashboard) else [reply]
        for card in cards:
            if isinstance(card, Card) and card.icon == "🛠":
                return card
    raise AssertionError("no project card")


async def update(partner: Chat, button: str, text: str) -> None:
    """The partner moves the project on from her dashboard, with her update in the form (Slack's modal)."""
    await partner.tap(button)
    [form] = partner.last
    assert isinstance(form, Form)
    await partner.submit(form.submit, {**form.hidden, "text": text})


def rounds_line(card: Card) -> str:
    [line] = [line.value for line in card.lines if line.label == "Bevragingen"]
    return line


async def test_a_projects_rounds_are_on_its_card_and_its_news_says_how_many_thought_along(
    bot, chat, engine, clock, settings
):
    await onboard(chat, name="Anna")
    anna = await person_named(engine, "Anna")
    project = await organisation_with_project(engine, clock, author_id=anna.id)
    async with bot.sessions() as session, session.begin():
        budascoop = await session.get(Organisation, project.organisation_id)
        await Roles(session).grant("slack", "UPIA", "partner", by="test", now=clock(), organisation=budascoop)
    pia = Chat(bot, "UPIA", channel="slack")
    first = await publish_round(engine, settings, clock(), project_id=project.id)
    await answer_round(engine, first.id, [{0: "5"}] * 3, clock())

    await pia._deliver(kind="open")  # her dashboard
    assert rounds_line(project_card(pia.last)) == "1 (< 5 mensen antwoordden)"
    await update(pia, "Naar prototype", "We bouwen een eerste bankje met de buren.")
    [news] = await pushed(bot, clock, "project_news", anna.id, phase="prototype")
    assert "We bouwen een eerste bankje" in news.text and "We vroegen" not in news.text  # fewer than 5: no number

    second = await publish_round(engine, settings, clock(), title="Welke kleur?", project_id=project.id)
    await answer_round(engine, second.id, [{0: "4"}] * 9, clock())
    await pia._deliver(kind="open")
    assert rounds_line(project_card(pia.last)) == "2 (12 mensen antwoordden)"
    await update(pia, "Naar testen", "Drie buren testen de bankjes een week.")
    assert rounds_line(project_card(pia.last)) == "2 (12 mensen antwoordden)"  # the card after the update
    [news] = await pushed(bot, clock, "project_news", anna.id, phase="test")
    assert "We vroegen 12 mensen om mee te denken." in news.text


async def test_a_coordinator_finds_her_rounds_in_her_data_and_hears_they_stay_without_her_name(
    bot, engine, clock, settings
):
    coco = await coordinator(bot, clock)
    await coco.send("/start")
    [person] = await rows(engine, Person)
    leie = await publish_round(engine, settings, clock())
    async with session_factory(engine)() as session, session.begin():
        (await session.get(Round, leie.id)).created_by = person.id
    await coco.send("/mijngegevens")
    assert "• Bevragingen die je maakte: 1" in coco.text
    assert [made["title"] for made in json.loads(coco.documents[0].content)["rounds_you_created"]] == [leie.title]
    await coco.send("/vergeet")
    assert "Oproepen, bevragingen en projecten die je voor de stad maakte, blijven staan" in coco.text
    await coco.tap("Ja, wis mijn gegevens")
    [kept] = await rows(engine, Round)
    assert kept.created_by is None
