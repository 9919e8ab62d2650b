"""Residents browse each other's ideas and the running projects on Telegram, near them first, and
support or follow one with a tap (or from a link); forged taps change nothing."""

import copy
from datetime import timedelta

from sqlalchemy import select

from storage.db import session_factory
from storage.models import Follow, Idea, Organisation, Person, Project, Support
from tests.auxil.database import rows


async def add_idea(city, engine, idea: str, *, place="marke", theme="design", state="published", **fields) -> int:
    """An idea as if a coordinator handled it an hour ago; its author is nobody in the chat."""
    now = city.clock()
    async with session_factory(engine)() as session, session.begin():
        row = Idea(
            problem="Het is hier grijs.",
            idea=idea,
            theme=theme,
            place=place,
            state=state,
            moderated_at=now - timedelta(hours=1),
            created_at=now - timedelta(days=1),
            updated_at=now,
            **fields,
        )
        session.add(row)
        await session.flush()
        return row.id


async def add_project(city, engine, idea: str, phase: str = "prototype", **fields) -> int:
    """A project of Budascoop made of a new idea, in `phase`; the idea's state follows the phase."""
    states = {"explore": "adopted", "prototype": "prototyping", "test": "tested", "stopped": "archived"}
    idea_id = await add_idea(city, engine, idea, state=states[phase], **fields)
    async with session_factory(engine)() as session, session.begin():
        organisation = await session.scalar(select(Organisation).where(Organisation.name == "Budascoop"))
        if organisation is None:
            organisation = Organisation(name="Budascoop", created_at=city.clock())
            session.add(organisation)
            await session.flush()
        project = Project(
            idea_id=idea_id,
            organisation_id=organisation.id,
            phase=phase,
            created_at=city.clock(),
            updated_at=city.clock(),
        )
        session.add(project)
        await session.flush()
        return project.id


async def counts(engine, idea_id: int) -> tuple[int, int, int, int]:
    """(supporters, followers) as counted on the idea, and the support and follow rows behind them."""
    [idea] = await rows(engine, Idea, Idea.id == idea_id)
    supports = await rows(engine, Support, Support.idea_id == idea_id)
    follows = await rows(engine, Follow, Follow.idea_id == idea_id)
    return idea.supporters, idea.followers, len(supports), len(follows)


def forged(user, data: str) -> dict:
    """The bot's last message with its keyboard, now carrying a button the bot never made."""
    message = user.keyboard_message()
    return {**message, "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}}


def cards(user) -> list[str]:
    return [text for text in user.texts if text.startswith(("💡", "🛠"))]


async def test_a_resident_browses_ideas_near_her_first_three_at_a_time(city, engine):
    await add_idea(city, engine, "Een moestuin aan de kerk.", place="heule", theme="green")
    await add_idea(city, engine, "Kleurrijke bankjes.")
    await add_idea(city, engine, "Een erfgoedwandeling.", place="marke", theme="heritage")
    await add_idea(city, engine, "Een speelstraat.", place="bissegem", theme="youth")
    await add_idea(city, engine, "Nog niet nagekeken.", place="heule", state="submitted")
    await add_idea(city, engine, "Afgewezen idee.", place="heule", state="rejected")
    await add_project(city, engine, "Een buurtfeest.", place="heule")  # taken up: a project, not on /ideeen
    anna = await city.resident(1, "Anna")  # Heule, Erfgoed

    await anna.send("/ideeen")
    first = cards(anna)
    assert len(first) == 3
    assert "Een moestuin aan de kerk." in first[0] or "Een moestuin aan de kerk." in first[1]
    assert any("Een erfgoedwandeling." in card for card in first[:2])  # her neighbourhood and themes first
    [garden] = [card for card in first if "moestuin" in card]
    assert "gedeeld sinds" in garden and "Groen en natuur in Heule" in garden and "Het is hier grijs." in garden
    await anna.tap("Meer")
    rest = cards(anna)
    assert len(rest) == 1
    shown = "\n".join(first + rest)
    for hidden in ("Nog niet nagekeken.", "Afgewezen idee.", "Een buurtfeest."):
        assert hidden not in shown
    assert "Naar de projecten" in anna.button_labels()


async def test_no_name_on_the_card_unless_the_author_said_yes(city, engine):
    bob = await city.resident(2, "Bob")
    [bob_person] = await rows(engine, Person)
    await add_idea(city, engine, "Bankjes met naam.", author_id=bob_person.id, show_author=True)
    await add_idea(city, engine, "Bankjes zonder naam.", author_id=bob_person.id)
    anna = await city.resident(1, "Anna")
    await anna.send("/ideeen")
    [with_name] = [card for card in cards(anna) if "Bankjes met naam." in card]
    [without] = [card for card in cards(anna) if "Bankjes zonder naam." in card]
    assert "Een idee van Bob" in with_name and "Bob" not in without
    assert bob


async def test_a_blocked_authors_idea_is_not_browsed(city, engine):
    bob = await city.resident(2, "Bob")
    [bob_person] = await rows(engine, Person)
    await add_idea(city, engine, "Van een geblokkeerde.", author_id=bob_person.id)
    async with session_factory(engine)() as session, session.begin():
        (await session.get(Person, bob_person.id)).blocked_at = city.clock()
    anna = await city.resident(1, "Anna")
    await anna.send("/ideeen")
    assert "Van een geblokkeerde." not in anna.text and bob


async def test_supporting_and_following_are_one_tap_each_counted_once_and_taken_back(city, engine):
    idea_id = await add_idea(city, engine, "Kleurrijke bankjes.")
    anna = await city.resident(1, "Anna")
    await anna.send("/ideeen")
    card = copy.deepcopy(anna.message_with("Kleurrijke bankjes."))  # as it was before the tap
    await anna.tap("Ik steun dit", message=card)
    assert await counts(engine, idea_id) == (1, 0, 1, 0)
    assert "Je steunt dit idee. Dank je!" in anna.toasts
    assert [c.method for c in anna.last if c.method.startswith(("send", "edit"))] == ["editMessageText"]
    assert "Steun intrekken" in anna.button_labels(anna.message_with("Kleurrijke bankjes."))

    await anna.tap("Ik steun dit", message=card)  # the old button again: counted once
    assert await counts(engine, idea_id) == (1, 0, 1, 0)
    assert "Je steunde dit al." in anna.toasts

    await anna.tap("Volgen", message=anna.message_with("Kleurrijke bankjes."))
    assert await counts(engine, idea_id) == (1, 1, 1, 1)
    assert "Niet meer volgen" in anna.button_labels(anna.message_with("Kleurrijke bankjes."))
    await anna.tap("Steun intrekken", message=anna.message_with("Kleurrijke bankjes."))
    await anna.tap("Niet meer volgen", message=anna.message_with("Kleurrijke bankjes."))
    assert await counts(engine, idea_id) == (0, 0, 0, 0)
    assert anna.button_labels(anna.message_with("Kleurrijke bankjes.")) == ["Ik steun dit", "Volgen"]


async def test_counts_show_from_five_people(city, engine):
    idea_id = await add_idea(city, engine, "Kleurrijke bankjes.", followers=4, supporters=4)
    anna = await city.resident(1, "Anna")
    await anna.send("/ideeen")
    assert "mensen" not in anna.message_with("Kleurrijke bankjes.")["text"]  # four could be told apart
    await anna.tap("Ik steun dit", message=anna.message_with("Kleurrijke bankjes."))
    assert "5 mensen steunen dit" in anna.message_with("Kleurrijke bankjes.")["text"]
    assert "volgen dit" not in anna.message_with("Kleurrijke bankjes.")["text"]
    assert (await counts(engine, idea_id))[0] == 5


async def test_residents_browse_running_projects_with_their_phase(city, engine):
    await add_project(city, engine, "Bankjes aan de Leie.", phase="prototype", followers=14)
    stopped = await add_project(city, engine, "Een gestopt project.", phase="stopped")
    anna = await city.resident(1, "Anna")
    await anna.send("/projecten")
    [card] = cards(anna)
    assert "Bankjes aan de Leie." in card and "prototype sinds" in card and "met Budascoop" in card
    assert "14 mensen volgen dit" in card
    assert "Een gestopt project." not in anna.text
    assert stopped


async def test_forged_taps_change_nothing(city, engine):
    published = await add_idea(city, engine, "Kleurrijke bankjes.")
    unpublished = await add_idea(city, engine, "Nog niet nagekeken.", state="submitted")
    rejected = await add_idea(city, engine, "Afgewezen.", state="rejected")
    stopped = await add_project(city, engine, "Een gestopt project.", phase="stopped")
    [stopped_project] = await rows(engine, Project, Project.id == stopped)
    bob = await city.resident(2, "Bob")
    anna = await city.resident(1, "Anna")
    [_, bob_person] = sorted(await rows(engine, Person), key=lambda p: p.display_name)
    await anna.send("/ideeen")

    closed = "Dit staat niet (meer) open om te steunen of te volgen."
    expired = "Deze knop is verlopen."
    for data, told in (
        (f"sup|back|{unpublished}", closed),  # supporting an unpublished idea
        (f"sup|follow|{rejected}", closed),
        (f"sup|follow|{stopped_project.idea_id}", closed),  # following a stopped project
        (f"sup|back|{stopped_project.idea_id}", closed),
        (f"sup|back|{published}|{bob_person.id}", expired),  # a tap carrying another person's id
        (f"sup|follow|{published}|{bob_person.id}", expired),
        ("sup|back|999999", expired),
        ("sup|steal|1", expired),
        ("sup|more|i|x", expired),
    ):
        await anna.tap("x", message=forged(anna, data))
        assert anna.toasts == [told], data
    assert await rows(engine, Support) == [] and await rows(engine, Follow) == []
    for idea_id in (published, unpublished, rejected, stopped_project.idea_id):
        assert await counts(engine, idea_id) == (0, 0, 0, 0)
    assert bob


async def test_a_link_opens_the_card_and_a_stranger_backs_it_after_her_yes(city, engine):
    idea_id = await add_idea(city, engine, "Kleurrijke bankjes.")
    project_id = await add_project(city, engine, "Bankjes aan de Leie.")
    anna = await city.resident(1, "Anna")
    await anna.send(f"/start p{project_id}")
    assert "Bankjes aan de Leie." in anna.text and "Volgen" in anna.button_labels()
    await anna.send("/start i424242")
    assert "vind ik niet" in anna.text

    zoe = city.person(3, "Zoë")
    await zoe.send(f"/start i{idea_id}")
    assert "Dit is wat je opende" in zoe.text and "Kleurrijke bankjes." in zoe.text
    assert await rows(engine, Person, Person.display_name == "Zoë") == []  # nothing stored yet
    await zoe.tap("Ik steun dit")
    assert "Is dat goed voor jou?" in zoe.text
    assert await rows(engine, Support) == []
    await zoe.tap("Ja, dat is goed")
    await zoe.tap("Nederlands")
    await zoe.send("Zoë")
    await zoe.tap("Heule")
    await zoe.tap("Inwoner")
    await zoe.tap("Erfgoed")
    await zoe.tap("Klaar")
    await zoe.tap("Tijd")
    await zoe.tap("Klaar")
    await zoe.tap("Meehelpen")
    await zoe.tap("Nee")
    await zoe.tap("Klopt")
    assert "Kleurrijke bankjes." in zoe.text  # the card she came for, again
    await zoe.tap("Ik steun dit")
    assert await counts(engine, idea_id) == (1, 0, 1, 0)


async def test_sharing_an_idea_asks_whether_the_name_may_show_and_the_answer_is_no_by_default(city, engine):
    anna = await city.resident(1, "Anna")
    await anna.send("/idee")
    await anna.send("Het Leieboord is grijs.")
    await anna.send("Kleurrijke bankjes.")
    await anna.tap("Overslaan")
    await anna.tap("Erfgoed")
    await anna.tap("Marke")
    await anna.tap("Ja")
    await anna.tap("Overslaan")
    assert "Je naam bij je idee: Nee, alleen het idee" in anna.text
    await anna.tap("Aanpassen")
    await anna.tap("Je naam bij je idee")
    assert "Mag je naam bij je idee staan?" in anna.text
    await anna.tap("Ja")
    assert "Je naam bij je idee: Ja" in anna.text
    await anna.tap("Klopt")
    bob = await city.resident(2, "Bob")
    await bob.send("/idee")
    for answer in ("Het plein is leeg.", "Een markt."):
        await bob.send(answer)
    for label in ("Overslaan", "Erfgoed", "Marke", "Ja", "Overslaan", "Klopt"):
        await bob.tap(label)
    assert [idea.show_author for idea in await rows(engine, Idea)] == [True, False]
