"""Impact at a glance: the report of a seeded month (CSV against the seed, a phone-sized PNG, a PDF),
the small-group rule in every figure, `/rapport` and `/mijnimpact` in the chat, the monthly post in
the coordinators' Slack room (once, across a restart) and the public page `/impact`."""

import asyncio
import csv
import io
import re
import struct
from datetime import date, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner
from matplotlib.text import Text
from sqlalchemy import select

from bot.cli import main
from bot.i18n import translator
from bot.web import create_web_app
from handlers.impact import figures as impact
from handlers.impact import report
from handlers.impact.page import KEPT
from storage.db import session_factory
from storage.models import Idea, Identity, Organisation, OutboxMessage, Person, Project, SignUp
from storage.repositories import Roles
from tests.auxil import contrast
from tests.auxil.chat import Chat, onboard
from tests.auxil.database import rows, sqlite_engine
from tests.auxil.impact_seed import EXPECTED, PRIVATE_IDEA, PRIVATE_REMARK, STORY, local, seed
from tests.auxil.slack_fixtures import COORDINATORS_ROOM, start_slack_bot

MARCH = (date(2030, 3, 1), date(2030, 3, 31))
APRIL_FIRST = local(2030, 4, 1, 8)  # the first Monday of April 2030, 8.00 in Kortrijk
SMALL_NUMBER = re.compile(r"(?<![\d,.:/-])[1-4](?![\d,.:/])")
SQLITE_ONLY = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # drawing does not depend on the database


async def march(engine, organisation: int | None = None, name: str | None = None, locale: str = "nl"):
    start, end = impact.period(*MARCH, "Europe/Brussels")
    async with session_factory(engine)() as session:
        return await impact.gather(session, start, end, organisation_id=organisation, organisation=name, locale=locale)


def tables(figures, locale: str = "nl") -> dict[str, list[list[str]]]:
    """Each CSV file as rows of cells, the header first."""
    return {
        name.removesuffix(".csv"): list(csv.reader(io.StringIO(text)))
        for name, text in report.csv_files(figures, translator(locale)).items()
    }


def by_code(table: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row[2:] for row in table[1:]}


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", content[16:24])


def pdf_pages(content: bytes) -> int:
    assert content.startswith(b"%PDF")
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", content))


async def test_the_csv_figures_of_a_month_are_those_of_the_seed(engine):
    ids = await seed(engine, APRIL_FIRST)
    csvs = tables(await march(engine))
    assert set(csvs) == {
        "summary",
        "time",
        "ideas_by_state",
        "ideas_by_theme",
        "projects_by_phase",
        "offers_by_kind",
        "calls",
        "participants_by_neighbourhood",
        "participants_by_role",
        "rounds",
        "round_respondents_by_neighbourhood",
        "round_respondents_by_role",
        "feedback_scores",
        "supports_by_theme",
        "supports_by_neighbourhood",
    }
    assert csvs["summary"][0] == ["Code", "Wat", "Aantal"]
    summary = {code: values[0] for code, values in by_code(csvs["summary"]).items()}
    assert summary == {key: str(value) for key, value in EXPECTED["summary"].items()}
    for name in (
        "ideas_by_state",
        "ideas_by_theme",
        "projects_by_phase",
        "participants_by_neighbourhood",
        "participants_by_role",
        "feedback_scores",
    ):
        assert {code: values[0] for code, values in by_code(csvs[name]).items()} == {
            key: str(value) for key, value in EXPECTED[name].items()
        }, name
    assert by_code(csvs["offers_by_kind"]) == {k: [str(v) for v in vs] for k, vs in EXPECTED["offers_by_kind"].items()}
    assert csvs["calls"][0] == ["Code", "Oproep", "Datum", "Plaatsen", "Ingeschreven", "Aanwezig", "Uren gegeven"]
    assert csvs["calls"][1:] == [
        [str(ids["benches"]), "Bankjes bouwen", "2030-03-09", "10", "7", "verborgen", "verborgen"],
        [str(ids["walk"]), "Erfgoedwandeling", "2030-03-16", "20", "5", "< 5", "verborgen"],
    ]
    assert by_code(csvs["time"]) == {"offered": ["6", "24"], "given": ["9", "24"]}
    english = tables(await march(engine, locale="en"), "en")
    assert english["participants_by_neighbourhood"][0] == ["Code", "Neighbourhood", "People"]
    assert english["calls"][1][1] == "Bankjes bouwen (en)"


async def test_a_partner_organisation_sees_its_own_projects_calls_and_hours(engine):
    ids = await seed(engine, APRIL_FIRST)
    csvs = tables(await march(engine, ids["budascoop"], "Budascoop"))
    summary = {code: values[0] for code, values in by_code(csvs["summary"]).items()}
    # Two ideas adopted, its two projects (one realised), its one call: 7 signed up, 6 came for 3 hours.
    assert summary == {
        "participants": "8",
        "ideas": "< 5",
        "offers": "0",
        "hours_offered": "0",
        "calls": "1",
        "sign_ups": "7",
        "attended": "6",
        "hours_given": "18",
        "projects": "2",
        "realised": "1",
        "responses": "6",
        "score": "4.3",
        "rounds": "0",
        "round_respondents": "0",
        "rounds_closed_loop": "0",
        "supports": "0",
        "follows": "0",
    }
    assert [row[0] for row in csvs["calls"][1:]] == [str(ids["benches"])]
    huis = tables(await march(engine, ids["huis"], "Huis van de Mens"))
    assert by_code(huis["projects_by_phase"]) == {"prototype": ["1"]}  # its phase at the end of March
    assert by_code(huis["summary"])["hours_given"] == ["0"]  # no call of its own in March


async def test_no_group_under_five_is_shown_in_any_csv(engine):
    await seed(engine, APRIL_FIRST)
    for figures in (await march(engine), await march(engine, 1, "Budascoop")):
        for table in figures.tables:
            for row in table.rows:
                for column, cell in zip(table.columns, table.cells(row), strict=True):
                    kind = row.kind or column.kind
                    if kind == impact.COUNT:
                        assert cell in (impact.UNDER, impact.HIDDEN) or cell == 0 or cell >= impact.SMALL, (
                            table.name,
                            row.key,
                        )
                    elif kind in (impact.HOURS, impact.AVERAGE):
                        assert cell in (impact.HIDDEN, 0) or row.group >= impact.SMALL, (table.name, row.key)
    text = "".join(report.csv_files(await march(engine), translator("nl")).values())
    for secret in ("Vermeersch", PRIVATE_REMARK, PRIVATE_IDEA, STORY, "Groeningestraat"):
        assert secret not in text  # no names, no free text in the figures


async def test_no_small_group_can_be_worked_out_by_subtracting_the_groups_shown_from_a_total(engine):
    """Where the rows add up to a total (16 people: 8 in Heule, 6 in Marke, 2 in Bissegem), one
    hidden group alone would be the total minus the rest: a second one is hidden with it, and
    hidden counts never add up to fewer than 5."""
    await seed(engine, APRIL_FIRST)
    for figures in (await march(engine), await march(engine, 1, "Budascoop")):
        for table in figures.tables:
            if not table.parts:
                continue
            for index, column in enumerate(table.columns):
                if column.kind not in (impact.COUNT, impact.HOURS):
                    continue
                hidden = [
                    row.values[index] for row in table.rows if table.cells(row)[index] in (impact.UNDER, impact.HIDDEN)
                ]
                if len(hidden) == len([row for row in table.rows if row.values[index]]):
                    continue  # nothing shown to subtract: the total keeps the rule itself
                assert len(hidden) != 1, (table.name, column.label)
                assert column.kind != impact.COUNT or not hidden or sum(hidden) >= impact.SMALL, (
                    table.name,
                    column.label,
                    hidden,
                )


@SQLITE_ONLY
async def test_the_dashboard_png_and_the_pdf_are_drawn_with_the_rule(engine):
    await seed(engine, APRIL_FIRST)
    figures = await march(engine)
    t = translator("nl")
    png = report.dashboard_png(figures, t, APRIL_FIRST)
    width, height = png_size(png)
    assert width == 1080 and 3000 < height < 9000  # a phone's width, read from top to bottom
    assert len(png) > 100_000
    pdf = report.report_pdf(figures, t, APRIL_FIRST)
    assert pdf_pages(pdf) >= 3 and len(pdf) > 20_000

    # Every figure a chart writes: suppressed groups read "< 5" and their bars are stubs of one length.
    sheet = report.dashboard_sheet(figures, t, APRIL_FIRST)
    values = [
        text.get_text()
        for axes in sheet.figure.axes[1:]
        for text in axes.texts
        if text.get_horizontalalignment() == "right"
    ]
    expected = [
        str(value)
        for name in ("ideas_by_state", "ideas_by_theme", "projects_by_phase")
        for value in EXPECTED[name].values()
    ]
    assert values[: len(expected)] == ["< 5", "6", "< 5", "< 5", "< 5", "5", "7", "1", "1", "1"]
    assert values[-8:] == ["< 5", "8", "verborgen", "verborgen", "< 5", "< 5", "< 5", "< 5"]  # places, roles, scores
    counts = [
        text.get_text() for axes in sheet.figure.axes[1:] for text in axes.texts if "aanwezig:" in text.get_text()
    ]
    assert counts == [
        "10 plaatsen · ingeschreven: 7 · aanwezig: verborgen",
        "20 plaatsen · ingeschreven: 5 · aanwezig: < 5",
    ]
    stubs = {
        round(patch.get_width(), 6) for axes in sheet.figure.axes[1:] for patch in axes.patches if patch.get_hatch()
    }
    assert stubs == {impact.SMALL}
    shown = " ".join(text.get_text() for text in sheet.figure.findobj(Text))
    for secret in ("Vermeersch", PRIVATE_REMARK, PRIVATE_IDEA):
        assert secret not in shown


def test_the_rule_is_kept_even_when_every_group_is_small():
    row = impact.Row("x", "x", (3, 12.5), group=3)
    table = impact.Table("t", "t", "t", (impact.Column("n"), impact.Column("h", impact.HOURS)), (row,))
    assert table.cells(row) == ["< 5", impact.HIDDEN]
    assert impact.shown(impact.COUNT, 0) == 0 and impact.shown(impact.COUNT, 5) == 5
    assert impact.shown(impact.PLAIN, 1) == 1  # the partners' own work (calls, projects) is public
    assert impact.shown(impact.HOURS, 0, group=0) == 0  # nobody: nothing to hide


async def test_gangmaker_report_writes_the_png_pdf_and_csvs(tmp_path, monkeypatch):
    path = tmp_path / "report.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    run = CliRunner()
    assert (await asyncio.to_thread(run.invoke, main, ["db", "upgrade"])).exit_code == 0
    async with sqlite_engine(str(path)) as engine:
        ids = await seed(engine, APRIL_FIRST)
    out = tmp_path / "out"
    result = await asyncio.to_thread(
        run.invoke,
        main,
        [
            "report",
            "--from",
            "2030-03-01",
            "--to",
            "2030-03-31",
            "--lang",
            "fr",
            "--organisation",
            str(ids["budascoop"]),
            "--out",
            str(out),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {"dashboard.png", "report.pdf", "summary.csv", "calls.csv"}
    assert png_size((out / "dashboard.png").read_bytes())[0] == 1080
    assert pdf_pages((out / "report.pdf").read_bytes()) >= 3
    assert (out / "summary.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 as Excel on Windows reads it
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as file:
        summary = list(csv.reader(file))
    assert summary[0] == ["Code", "Quoi", "Nombre"] and ["sign_ups", "Inscriptions aux appels", "7"] in summary
    wrong = await asyncio.to_thread(
        run.invoke, main, ["report", "--from", "2030-03-31", "--to", "2030-03-01", "--out", str(out)]
    )
    assert wrong.exit_code != 0 and "--to" in wrong.output


# -- in the chat ---------------------------------------------------------------------------------------


async def test_my_impact_sums_up_what_a_person_did_with_a_card_to_share(bot, engine, clock):
    clock.now = APRIL_FIRST
    ids = await seed(engine, APRIL_FIRST)
    resident = Chat(bot, user_id="50010", channel="telegram")  # one idea (realised), came to Bankjes bouwen
    await resident.send("/help")
    await resident.tap("Meer uitleg")
    assert "/mijnimpact – wat je bijdroeg, in cijfers" in resident.text  # found where the other commands are
    await resident.send("/mijnimpact")
    assert resident.text.startswith(
        "Je deelde 1 idee, gaf 3 uur tijd en deed mee aan 1 oproep. 1 idee van jou werd een project."
    )
    assert len(resident.text.split()) <= 60
    [card] = resident.documents
    assert card.mime_type == "image/png" and png_size(card.content) == (800, 800)

    async with session_factory(engine)() as session, session.begin():
        person = await session.get(Person, ids["people"][0])
        person.locale = "fr"
    french = Chat(bot, user_id="50000", channel="telegram")  # two ideas, came to the walk (2 hours)
    await french.send("/monimpact")
    assert french.text.startswith(
        "Vous avez partagé 2 idées, avez donné 2\u00a0h de votre temps et avez participé à 1 appel."
    )
    newcomer = Chat(bot, user_id="1001")
    await onboard(newcomer)
    await newcomer.send("/myimpact")
    assert "nog niet mee" in newcomer.text and newcomer.documents == []


async def test_rapport_is_for_coordinators_and_partners_only(bot, engine, clock):
    clock.now = APRIL_FIRST
    ids = await seed(engine, APRIL_FIRST)
    resident = Chat(bot, user_id="50001", channel="telegram")
    await resident.send("/rapport")
    assert "Dat commando ken ik niet" in resident.text and resident.documents == []
    async with session_factory(engine)() as session, session.begin():
        roles = Roles(session)
        await roles.grant("telegram", "50002", "coordinator", by="test", now=APRIL_FIRST)
        budascoop = await session.get(Organisation, ids["budascoop"])
        await roles.grant("telegram", "50003", "partner", by="test", now=APRIL_FIRST, organisation=budascoop)
    coordinator = Chat(bot, user_id="50002", channel="telegram")
    await coordinator.send("/rapport")
    assert coordinator.text.startswith("📊 Zo ging het de voorbije 30 dagen.")
    assert "In de periode 3 mrt\u2009–\u20091 apr 2030 deden 16 mensen mee." in coordinator.text
    assert len(coordinator.text.split()) <= 60
    [dashboard] = coordinator.documents
    assert png_size(dashboard.content)[0] == 1080
    partner = Chat(bot, user_id="50003", channel="telegram")
    await partner.send("/report")
    summary = partner.text.split("\n\n")[1]
    assert "Budascoop pakte < 5 ideeën op" in summary and not SMALL_NUMBER.search(summary.split(" deden ")[1])
    assert len(partner.documents) == 1


async def test_my_impact_card_goes_out_on_telegram_as_a_document(city, engine, clock):
    anna = await city.resident(1001, "Anna")
    ids = await seed(engine, clock())
    async with session_factory(engine)() as session, session.begin():
        identity = await session.scalar(
            select(Identity).where(Identity.channel == "telegram", Identity.external_id == "1001")
        )
        session.add(SignUp(call_id=ids["benches"], person_id=identity.person_id, state="attended"))
    await anna.send("/mijnimpact")
    [document] = [call for call in anna.last if call.method == "sendDocument"]
    assert png_size(document.params["document"].content) == (800, 800)
    assert "gaf 3 uur tijd" in anna.text


# -- the monthly report in the coordinators' room ----------------------------------------------------------


@SQLITE_ONLY
async def test_the_monthly_report_reaches_the_coordinators_once_at_its_time_across_a_restart(fake_slack, engine, clock):
    fake_slack.add_user("UCOCO", "Coco")
    clock.now = APRIL_FIRST - timedelta(minutes=1)  # Monday 1 April 2030, 7.59
    await seed(engine, clock())
    slack = await start_slack_bot(fake_slack, engine, clock, slack_coordinator_ids="UCOCO")
    jobs, dispatcher = slack.assembly.jobs, slack.assembly.dispatcher

    assert (await jobs.run_due(clock()))["monthly_report"] == 0
    clock.advance(hours=1)  # 8.59
    assert (await jobs.run_due(clock()))["monthly_report"] == 0
    clock.advance(minutes=1)  # 9.00
    assert (await jobs.run_due(clock()))["monthly_report"] == 1
    assert await dispatcher.tick() == 1
    [post] = fake_slack.in_channel(COORDINATORS_ROOM)
    assert post.text.startswith("📊 Het maandrapport van maart 2030.")
    assert "deden 16 mensen mee. Ze deelden 12 ideeën en deden 9 aanbiedingen" in post.text
    assert "24 uur" in post.text and "4,3 op 5" in post.text
    [chart] = [f for f in fake_slack.files.values() if f["channel"] == COORDINATORS_ROOM]
    assert chart["name"] == "impact-2030-03-01.png" and png_size(chart["content"])[0] == 1080

    await slack.stop()  # a restart, later that morning and that day
    slack = await start_slack_bot(fake_slack, engine, clock, slack_coordinator_ids="UCOCO")
    for advance in (dict(minutes=30), dict(hours=12)):
        clock.advance(**advance)
        assert (await slack.assembly.jobs.run_due(clock()))["monthly_report"] == 0
        await slack.assembly.dispatcher.tick()
    clock.advance(days=7)  # the next Monday is no first Monday
    assert (await slack.assembly.jobs.run_due(clock()))["monthly_report"] == 0
    assert len(fake_slack.in_channel(COORDINATORS_ROOM)) == 1
    assert [row.key for row in await rows(engine, OutboxMessage, OutboxMessage.room.is_not(None))] == ["report:2030-03"]

    await fake_slack.command("UCOCO", "rapport")  # any time, in the coordinator's direct messages
    await slack.until(lambda: [f for f in fake_slack.files.values() if f["channel"] == "DUCOCO"])
    await slack.stop()


# -- the public page ------------------------------------------------------------------------------------------


@pytest.fixture
async def web(bot):
    client = TestClient(TestServer(create_web_app((), bot)))
    await client.start_server()
    yield client
    await client.close()


async def test_the_public_page_shows_the_figures_projects_and_open_calls_without_personal_data(web, engine, clock):
    clock.now = APRIL_FIRST
    ids = await seed(engine, APRIL_FIRST)
    response = await web.get("/impact")
    assert response.status == 200 and response.content_type == "text/html"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    page = await response.text()
    assert '<html lang="nl">' in page and "<script" not in page and 'name="viewport"' in page
    assert "<b>17</b><span>Mensen deden mee</span>" in page  # March's 16 and February's idea
    assert STORY in page and "Budascoop: De bankjes staan er, kom erop zitten!" in page
    assert f'href="https://t.me/GangmakerBot?start=c{ids["april"]}"' in page and "Lentepicknick" in page
    assert '<span>Bissegem</span><span class="value">&lt; 5</span>' in page
    for secret in ("Vermeersch", "Toeschouwer", PRIVATE_REMARK, PRIVATE_IDEA, "Pia"):
        assert secret not in page
    for section in page.split("<h2>")[1:]:
        title, numbers = section.split("</h2>")[0], re.findall(r'class="value">([^<]*)<', section)
        if title not in ("Projecten per fase", "Oproepen"):  # their own work is public; calls checked above
            assert all(n in ("&lt; 5", "verborgen") or int(n) >= 5 for n in numbers), title
    assert "20 plaatsen · ingeschreven: 5 · aanwezig: &lt; 5" in page

    english = await (await web.get("/impact?lang=en")).text()
    assert '<html lang="en">' in english and "Open in Telegram" in english and "Neighbourhood" not in english
    french = await web.get("/impact", headers={"Accept-Language": "de-DE,fr-BE;q=0.8,en;q=0.5"})
    assert (await french.text()).startswith('<!doctype html><html lang="fr">')
    assert french.headers["Content-Language"] == "fr"
    assert (await (await web.get("/healthz")).json()) == {"status": "ok"}


async def test_every_idea_and_project_on_the_public_page_links_to_supporting_it_in_telegram(web, engine, clock):
    clock.now = APRIL_FIRST
    await seed(engine, APRIL_FIRST)
    page = await (await web.get("/impact")).text()
    ideas = {idea.idea: idea for idea in await rows(engine, Idea)}
    projects = {p.idea_id: p.id for p in await rows(engine, Project)}
    cards = re.findall(r'<article class="card"><h3>(.*?)</h3>.*?</article>', page, re.S)
    shown = [title for title in cards if title in ideas]
    assert STORY in shown and "Idee nummer 5." in shown and "Idee nummer 9." in shown and PRIVATE_IDEA not in page
    for title in shown:
        idea = ideas[title]
        kind, row_id = ("p", projects[idea.id]) if idea.id in projects else ("i", idea.id)
        [card] = [c for c in re.findall(r'<article class="card">.*?</article>', page, re.S) if f"<h3>{title}<" in c]
        assert f'href="https://t.me/GangmakerBot?start={kind}{row_id}">Steun of volg dit in Telegram</a>' in card


async def test_a_count_hidden_to_protect_a_small_group_reads_as_hidden_not_as_nothing(web, engine, clock):
    """Marke's 6 are hidden so that Bissegem's 2 cannot be worked out from the 16 in all: the page,
    the dashboard, the PDF's text and the CSV say "verborgen" with no bar, and the footnote tells why."""
    clock.now = APRIL_FIRST
    await seed(engine, APRIL_FIRST)
    page = await (await web.get("/impact")).text()
    [marke] = re.findall(r"<li><span>Marke</span>.*?</li>", page)
    assert '<span class="value">verborgen</span>' in marke and 'class="bar' not in marke  # no empty bar: no bar
    [bissegem] = re.findall(r"<li><span>Bissegem</span>.*?</li>", page)
    assert 'class="bar' in bissegem  # a small group keeps its stub
    footer = page.split("<footer>")[1]
    assert "“< 5”" in footer.replace("&lt;", "<") and "“verborgen”" in footer and "privacy" in footer
    assert "–" not in page.split("<main>")[1]

    figures = await march(engine)
    t = translator("nl")
    sheet = report.dashboard_sheet(figures, t, APRIL_FIRST)
    drawn = [text.get_text() for text in sheet.figure.findobj(Text)]
    assert "verborgen" in drawn and "–" not in drawn
    assert any("“verborgen”" in text for text in drawn)  # the footnote
    [marke_row] = [axes for axes in sheet.figure.axes[1:] for text in axes.texts if text.get_text() == "Marke"]
    assert len(marke_row.patches) == 4  # Heule's track and bar, Bissegem's track and stub: nothing for Marke

    csvs = tables(figures)
    assert by_code(csvs["participants_by_neighbourhood"])["marke"] == ["verborgen"]
    english = tables(await march(engine, locale="en"), "en")
    assert by_code(english["participants_by_neighbourhood"])["marke"] == ["hidden"]


SECURE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def secured(response) -> None:
    """Sniffing off, no address passed on, and a policy that runs no script and takes no inline style."""
    for name, value in SECURE.items():
        assert response.headers.get(name) == value, name
    policy = dict(part.strip().partition(" ")[::2] for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'" and "script-src" not in policy
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert policy["style-src"] == "'self'" and policy["frame-ancestors"] == "'none'"


async def stylesheets(web, page: str) -> str:
    """Every style the page uses: its <style> blocks and the stylesheets it links, as served."""
    css = "".join(re.findall(r"<style>(.*?)</style>", page, re.DOTALL))
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)">', page):
        response = await web.get(href)
        assert response.status == 200 and response.content_type == "text/css"
        secured(response)
        css += await response.text()
    return css


async def test_the_public_page_is_served_with_a_strict_policy_and_no_inline_style(web, engine, clock):
    clock.now = APRIL_FIRST
    await seed(engine, APRIL_FIRST)
    for url in ("/impact", "/impact?lang=fr"):
        response = await web.get(url)
        secured(response)
        page = await response.text()
        assert "style=" not in page and "<style" not in page  # the policy would refuse them
        assert "width:" in await stylesheets(web, page)  # the bars are drawn from the stylesheet


async def test_every_text_colour_of_the_public_page_reads_against_its_background(web, engine, clock):
    """WCAG AA: 4.5:1 for text, computed from the stylesheet as served; the "Open in Telegram"
    button was white on coral (3.38:1)."""
    clock.now = APRIL_FIRST
    await seed(engine, APRIL_FIRST)
    page = await (await web.get("/impact")).text()
    assert 'class="button"' in page
    rules = contrast.rules(await stylesheets(web, page))
    paired = {
        selector: (
            contrast.solid(body["color"]),
            contrast.solid(body.get("background", body.get("background-color", ""))),
        )
        for selector, body in rules.items()
        if "color" in body and ("background" in body or "background-color" in body)
    }
    assert ".button" in paired and "body" in paired
    for selector, (text, background) in paired.items():
        assert text and background, selector
        assert contrast.ratio(text, background) >= 4.5, (selector, text, background)


async def test_an_unknown_address_gets_a_page_in_the_readers_language_with_a_way_back(web, engine, clock):
    clock.now = APRIL_FIRST
    for url in ("/impact/", "/nergens", "/impact/oud/adres.html", "/metrics"):  # no METRICS_TOKEN: no /metrics
        response = await web.get(url)
        assert response.status == 404 and response.content_type == "text/html", url
        secured(response)
        page = await response.text()
        assert page.startswith('<!doctype html><html lang="nl">') and "Not Found" not in page
        assert "Deze pagina bestaat niet" in page and re.search(r'<a [^>]*href="/impact">', page), page
        assert "style=" not in page and "<script" not in page
    french = await web.get("/nergens", headers={"Accept-Language": "fr-BE,fr;q=0.9"})
    assert french.status == 404 and (await french.text()).startswith('<!doctype html><html lang="fr">')
    assert (await web.head("/nergens")).status == 404
    assert (await web.post("/nergens", data="x")).status == 404  # no page for what no browser asks
    assert (await web.get("/impact")).status == 200


async def test_the_public_page_is_kept_five_minutes(web, engine, clock):
    clock.now = APRIL_FIRST
    await seed(engine, APRIL_FIRST)
    first = await (await web.get("/impact")).text()
    async with session_factory(engine)() as session, session.begin():
        for n in range(5):
            session.add(
                Idea(
                    author_id=None,
                    problem="p",
                    idea=f"Nieuw {n}",
                    theme="food",
                    place="heule",
                    state="published",
                    created_at=APRIL_FIRST,
                )
            )
    clock.advance(minutes=4)
    assert await (await web.get("/impact")).text() == first  # a busy day does not reach the database
    clock.advance(seconds=KEPT.total_seconds())
    fresh = await (await web.get("/impact")).text()
    assert "<b>18</b><span>Ideeën gedeeld</span>" in fresh and "Eten en drinken" in fresh
