"""Partners and coordinators see traction: how many support and follow an idea or a project, as
counts (never names) and under the small-group rule, on the cards in Slack and on App Home."""

import json

from sqlalchemy import select

from storage.models import Organisation, Project
from tests.auxil.backing import follow, idea, people, support
from tests.auxil.slack_fixtures import COORDINATORS_ROOM
from tests.auxil.town import card_in, shows, until
from tests.test_projects import partner_of, published_by_coco, until_home


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
