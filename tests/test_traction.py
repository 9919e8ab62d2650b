"""Partners and coordinators see traction: how many support and follow an idea or a project, as
counts (never names) and under the small-group rule, on the cards in Slack and on App Home."""

import json
from datetime import date, timedelta

from sqlalchemy import select

from handlers.impact import figures as impact
from storage.db import session_factory
from storage.models import Organisation, Project
from tests import test_impact
from tests.auxil.backing import follow, idea, people, support
from tests.auxil.impact_seed import local
from tests.auxil.slack_fixtures import COORDINATORS_ROOM
from tests.auxil.town import card_in, shows, until
from tests.test_projects import partner_of, published_by_coco, until_home

web = test_impact.web  # the public page's client


async def test_a_partners_home_shows_the_ideas_to_take_up_most_supported_first_with_counts(town, engine):
    city, slack = town
    slack.add_user("UPIA", "Pia")
    await partner_of(city, "UPIA", "Budascoop")
    now = city.clock()
    neighbours = await people(engine, 8, now)
    benches = await idea(engine, now, "Bankjes aan de Leie.")
    flowers = await idea(engine, now, "Bloembakken in de Groeningestraat.")
    await idea(engine, now, "Een idee dat nog wacht.", state="submitted")
    taken = await idea(engine, now, "Een idee dat al loopt.", state="adopted")
    await support(engine, benches, neighbours[:2], now)
    await support(engine, flowers, neighbours[:7], now)
    await follow(engine, flowers, neighbours[:3], now)
    await support(engine, taken, neighbours[:6], now)
    async with city.bot.core.sessions() as session, session.begin():
        budascoop = await session.scalar(select(Organisation).where(Organisation.name == "Budascoop"))
        session.add(
            Project(idea_id=taken, organisation_id=budascoop.id, phase="explore", created_at=now, updated_at=now)
        )

    await slack.event({"type": "app_home_opened", "user": "UPIA", "tab": "home", "channel": "DUPIA"})
    home = json.dumps((await until_home(slack, "UPIA"))["blocks"], ensure_ascii=False)
    untaken = home[home.index("Ideeën om op te pakken") :]
    assert untaken.index("Bloembakken") < untaken.index("Bankjes")  # the most supported first
    assert "7 steunen dit · < 5 volgen dit" in untaken  # 3 followers are "< 5"
    assert "< 5 steunen dit · 0 volgen dit" in untaken
    assert "nog wacht" not in home  # not published
    assert "al loopt" not in untaken  # taken up: it is a project now, with its count on its card
    assert "6 steunen dit · 0 volgen dit" in home[: home.index("Ideeën om op te pakken")]
    assert "Buur" not in home  # counts, never names


async def test_the_moderation_card_counts_once_the_idea_is_public(town, engine):
    city, slack = town
    await published_by_coco(city, slack)
    moderation = card_in(slack, COORDINATORS_ROOM, "Kleurrijke bankjes.")
    await until(lambda: shows(moderation, "0 steunen dit · 0 volgen dit"), slack)


async def test_the_report_counts_supports_and_followers_per_theme_and_neighbourhood_under_the_rule(engine):
    march = [local(2030, 3, day) for day in (10, 11, 12)]
    neighbours = await people(engine, 15, march[0])
    green = await idea(engine, march[0], "Bloembakken.", theme="green", place="heule")
    art = await idea(engine, march[0], "Muurschildering.", theme="art", place="kortrijk")
    heritage = await idea(engine, march[0], "Erfgoedwandeling.", theme="heritage", place="marke")
    await support(engine, green, neighbours[:7], march[1])
    await follow(engine, green, neighbours[:2], march[1])
    await support(engine, art, neighbours[7:13], march[2])
    await support(engine, heritage, neighbours[13:15], march[2])
    await support(engine, heritage, neighbours[:3], local(2030, 4, 2))  # April: not March's
    start, end = impact.period(date(2030, 3, 1), date(2030, 3, 31), "Europe/Brussels")
    async with session_factory(engine)() as session:
        figures = await impact.gather(session, start, end)
    assert (figures.summary("supports"), figures.summary("follows")) == (15, "< 5")
    shown = {
        name: {row.key: figures.table(name).cells(row) for row in figures.table(name).rows}
        for name in ("supports_by_theme", "supports_by_neighbourhood")
    }
    # 15 supports in all: beside the "< 5" of heritage, the next smallest is hidden too (15 - 7 - 6).
    assert shown["supports_by_theme"] == {"art": ["verborgen", 0], "green": [7, "< 5"], "heritage": ["< 5", 0]}
    assert shown["supports_by_neighbourhood"] == {
        "kortrijk": ["verborgen", 0],
        "heule": [7, "< 5"],
        "marke": ["< 5", 0],
    }


async def test_the_public_page_counts_the_supporters_of_a_realised_project_and_per_neighbourhood(web, engine, clock):
    before = clock() - timedelta(days=1)
    neighbours = await people(engine, 9, before)
    benches = await idea(engine, before, "Bankjes aan de Leie.", state="realised", place="heule")
    await support(engine, benches, neighbours[:7], before)
    await follow(engine, benches, neighbours[:2], before)
    async with session_factory(engine)() as session, session.begin():
        budascoop = Organisation(name="Budascoop", created_at=before)
        session.add(budascoop)
        await session.flush()
        session.add(Project(idea_id=benches, organisation_id=budascoop.id, phase="realised", created_at=before))
    page = await (await web.get("/impact")).text()
    assert '<p class="muted">7 steunen dit · &lt; 5 volgen dit</p>' in page
    by_neighbourhood = page.split("<h2>Steun en volgers per buurt</h2>")[1].split("</ul>")[0]
    assert '<span>Heule</span><span class="value">7</span>' in by_neighbourhood
    assert "Buur" not in page
