"""What backing an idea brings: its author hears the day's supports in one message (never in quiet
hours, round numbers once, or never again if they say so); when a partner takes it up, its
supporters hear who did; each step of the project then reaches its followers, in their language."""

from sqlalchemy import update

from storage.db import session_factory
from storage.models import Idea, Organisation, OutboxMessage, Person, Project
from tests.auxil.backing import follow, people, support, unfollow, unsupport
from tests.auxil.builders import person_of, publish_call
from tests.auxil.database import rows
from tests.auxil.town import share_idea, shows, until
from tests.test_projects import partner_of, published_by_coco, until_card


async def published_idea(city, engine, user_id: int = 1001):
    """A resident shares an idea and it is published; returns the resident and the idea's id."""
    anna = await city.resident(user_id, "Anna")
    await share_idea(anna)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(Idea).values(state="published"))
    anna.unread()
    [idea] = await rows(engine, Idea)
    return anna, idea.id


async def test_the_supports_of_a_day_reach_the_author_in_one_evening_message_never_in_quiet_hours(city, engine):
    anna, idea = await published_idea(city, engine)
    neighbours = await people(engine, 6, city.clock())
    await support(engine, idea, neighbours[0], city.clock())  # 10.00: the day's bundle waits for the evening
    await city.tick(minutes=10)
    assert anna.unread_texts() == []
    await city.tick(hours=8)  # 18.10
    [told] = anna.unread_texts()
    assert told.startswith("Je idee “Kleurrijke bankjes.” kreeg nieuwe steun.")
    assert "Het heeft nu" not in told  # below five, no number

    await city.tick(hours=4)  # 22.10: quiet hours
    for neighbour in neighbours[1:5]:
        await support(engine, idea, neighbour, city.clock())
        await city.tick(minutes=10)
    await city.tick(hours=11)  # 9.50 the next morning
    assert anna.unread_texts() == []
    await city.tick(hours=8, minutes=10)  # 18.00: one message, not four
    assert anna.unread_texts() == ["🎉 Je idee “Kleurrijke bankjes.” heeft nu 5 steunen!\n\n" + PARTNERS_SEE]

    await support(engine, idea, neighbours[5], city.clock())  # after that day's message: the next evening
    await city.tick(hours=1)
    assert anna.unread_texts() == []
    await city.tick(days=1)
    [told] = anna.unread_texts()
    assert "kreeg nieuwe steun. Het heeft nu 6 steunen." in told


PARTNERS_SEE = "Partners zien hoeveel mensen een idee steunen. Zo weten ze wat leeft."


async def test_a_round_number_is_told_once(city, engine):
    anna, idea = await published_idea(city, engine)
    neighbours = await people(engine, 12, city.clock())
    for neighbour in neighbours[:10]:
        await support(engine, idea, neighbour, city.clock())
    await city.tick(hours=9)
    [told] = anna.unread_texts()
    assert told.startswith("🎉 Je idee “Kleurrijke bankjes.” haalde 10 steunen. Het zijn er nu 10.") or (
        told.startswith("🎉 Je idee “Kleurrijke bankjes.” heeft nu 10 steunen!")
    )
    await unsupport(engine, idea, neighbours[0])
    await city.tick(days=1)
    await support(engine, idea, neighbours[10], city.clock())  # back at ten: nothing new to tell
    await city.tick(days=1)
    assert anna.unread_texts() == []
    await support(engine, idea, neighbours[11], city.clock())
    await city.tick(days=1)
    [told] = anna.unread_texts()
    assert "🎉" not in told and "Het heeft nu 11 steunen." in told


async def test_the_author_turns_the_messages_off(city, engine):
    anna, idea = await published_idea(city, engine)
    neighbours = await people(engine, 2, city.clock())
    await support(engine, idea, neighbours[0], city.clock())
    await city.tick(hours=9)
    await anna.tap("Geen berichten meer hierover", anna.message_with("kreeg nieuwe steun"))
    assert "geen berichten meer" in anna.text
    anna.unread()
    await support(engine, idea, neighbours[1], city.clock())
    await city.tick(days=1)
    assert anna.unread_texts() == []
    [person] = [p for p in await rows(engine, Person) if p.id == await person_of(engine, anna.id)]
    assert person.support_news is False

    # She turns them back on in her profile: the supports still untold come that evening.
    await anna.send("/profiel")
    assert "• Steun voor je ideeën: Geen berichten" in anna.text
    await anna.tap("Steun voor je ideeën")
    await anna.tap("Eén bericht per dag")
    anna.unread()
    await city.tick(days=1)
    [told] = anna.unread_texts()
    assert "kreeg nieuwe steun" in told


async def pia_steps(city, slack, label: str, text: str) -> None:
    """Pia moves her project on from its card, with an update."""
    slack.views.clear()
    await slack.tap("UPIA", await until_card(slack, "UPIA", "🛠"), label)
    await until(lambda: slack.views, slack)
    [view] = slack.views.values()
    await slack.submit("UPIA", view["id"], {"text": {"type": "plain_text_input", "value": text}})
    await until(lambda: any(shows(m, text) for m in slack.dm("UPIA")), slack)


async def test_supporters_hear_who_took_the_idea_up_and_followers_hear_each_step(town, engine):
    city, slack = town
    slack.add_user("UPIA", "Pia")
    await partner_of(city, "UPIA", "Budascoop")
    anna, published = await published_by_coco(city, slack)
    anna.unread()
    [idea] = await rows(engine, Idea)
    ben, cleo, dirk = [await city.resident(1000 + n, name) for n, name in ((2, "Ben"), (3, "Cleo"), (4, "Dirk"))]
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(Person).where(Person.id == await person_of(engine, cleo.id)).values(locale="fr"))
    now = city.clock()
    await support(engine, idea.id, await person_of(engine, ben.id), now)
    for follower in (cleo, dirk, anna):  # the author follows her own idea too: still one message a step
        await follow(engine, idea.id, await person_of(engine, follower.id), now)

    await slack.tap("UPIA", published, "Wij pakken dit op")
    await until(lambda: shows(published, "Budascoop"), slack)
    await city.tick()
    assert ben.unread_texts() == ["Budascoop pakt het idee op dat je steunt: “Kleurrijke bankjes.”."]
    [told] = cleo.unread_texts()
    assert told.startswith("Budascoop reprend l’idée que vous suivez :")
    assert len(dirk.unread_texts()) == 1
    news, ask = anna.unread_texts()
    assert "Budascoop" in news and "Mogen ze je berichten sturen via mij?" in ask

    # Pia moves on late in the evening: the news waits for the morning; Dirk stops following meanwhile.
    city.clock.advance(hours=12)
    await pia_steps(city, slack, "Naar prototype", "Vijf bankjes staan een week bij de brug.")
    assert len(await rows(engine, OutboxMessage, OutboxMessage.purpose == "follower_news")) == 3  # not in her turn
    await city.tick()
    assert cleo.unread_texts() == [] and anna.unread_texts() == []
    await unfollow(engine, idea.id, await person_of(engine, dirk.id))
    await city.tick(hours=11)
    [told] = cleo.unread_texts()
    assert "prototype" in told and "Vijf bankjes staan een week bij de brug." in told and "suivez" in told
    assert dirk.unread_texts() == [] and ben.unread_texts() == []
    [news] = anna.unread_texts()
    assert news.startswith("Nieuws over je idee")
    queued = [row.person_id for row in await rows(engine, OutboxMessage) if row.purpose == "follower_news"]
    assert len(queued) == 5 and await person_of(engine, anna.id) not in queued  # 3 at adoption, 2 now

    # Cleo asks for no more news of it: the next step does not reach her.
    await cleo.tap("Plus de nouvelles à ce sujet", cleo.message_with("Vijf bankjes"))
    cleo.unread()
    await pia_steps(city, slack, "Naar testen", "Drie buren testten de bankjes.")
    await city.tick()
    assert cleo.unread_texts() == []
    assert any("Drie buren" in text for text in anna.unread_texts())


async def test_a_projects_call_reaches_its_followers_first_whatever_its_lists_say(city, engine):
    anna, idea = await published_idea(city, engine)
    gert = await city.resident(1006, "Gert")  # in Heule, follows nothing
    eva = await city.resident(1005, "Eva", neighbourhood="Bissegem")  # the call is for Heule
    async with session_factory(engine)() as session, session.begin():
        organisation = Organisation(name="Budascoop", created_at=city.clock())
        session.add(organisation)
        await session.flush()
        project = Project(idea_id=idea, organisation_id=organisation.id, phase="prototype", created_at=city.clock())
        session.add(project)
    await follow(engine, idea, await person_of(engine, eva.id), city.clock())
    await publish_call(engine, city.bot.settings, city.clock(), project_id=project.id)
    announced = [
        row.person_id
        for row in sorted(await rows(engine, OutboxMessage), key=lambda row: row.id)
        if row.purpose == "call"
    ]
    assert announced[0] == await person_of(engine, eva.id)  # first, before the neighbourhood's
    await city.tick()
    assert any("Bankjes bouwen" in text for text in eva.unread_texts())
    assert any("Bankjes bouwen" in text for text in gert.unread_texts())
    assert sorted(announced) == sorted(set(announced))  # once each
