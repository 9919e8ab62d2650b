"""Moderation as it happens: a resident shares an idea on Telegram, its card reaches the
coordinators' Slack room, a coordinator publishes, rejects (with a reason, in a modal) or
blocks, the partners' room gets what is published, and the resident hears the outcome."""

import json
import re

import pytest

from storage.models import AuditEvent, Idea, Person
from tests.auxil.database import rows
from tests.auxil.slack_fixtures import COORDINATORS_ROOM, PARTNERS_ROOM
from tests.auxil.town import card_in, share_idea, shows, until


async def moderation_card(city, slack, idea: str):
    """Anna shares `idea` on Telegram; its card reaches the coordinators' room."""
    anna = await city.resident(1001, "Anna")
    await share_idea(anna, idea)
    await city.tick()
    return anna, card_in(slack, COORDINATORS_ROOM, idea)


async def test_a_published_idea_reaches_the_partners_and_its_author_hears_it(town, engine):
    city, slack = town
    anna, card = await moderation_card(city, slack, "Kleurrijke bankjes.")
    shown = json.dumps(card.blocks, ensure_ascii=False)
    assert "Het Leieboord is grijs." in shown and "Marke" in shown and "Anna" not in shown  # no name
    assert slack.in_channel(PARTNERS_ROOM) == []  # partners see nothing before publication
    await slack.tap("UCOCO", card, "Publiceren")
    await until(lambda: "Gepubliceerd door Coco" in json.dumps(card.blocks, ensure_ascii=False), slack)
    [idea] = await rows(engine, Idea)
    assert (idea.state, idea.moderated_by) == ("published", "Coco")
    await city.tick(hours=3)  # the author's news waits for the end of quiet hours at most
    assert any("staat nu open voor de partners" in text for text in anna.unread_texts())
    assert "Kleurrijke bankjes." in json.dumps(card_in(slack, PARTNERS_ROOM, "Kleurrijke").blocks, ensure_ascii=False)
    assert not any(block["type"] == "actions" for block in card.blocks)  # decided: no buttons left
    await anna.send("/bijdragen")
    assert "Kleurrijke bankjes. – gepubliceerd" in anna.text


async def test_a_rejection_comes_with_the_coordinators_reason_and_a_second_tap_is_told_it_is_done(town, engine):
    city, slack = town
    anna, card = await moderation_card(city, slack, "Een parking op het plein.")
    await slack.tap("UCOCO", card, "Afwijzen")
    await until(lambda: slack.views, slack)
    [modal] = slack.views.values()
    status, body = await slack.submit("UCOCO", modal["id"], {"reason": {"type": "plain_text_input", "value": "kort"}})
    assert json.loads(body)["errors"] == {"reason": "Dat is wat kort. Schrijf minstens 5 tekens."}
    await slack.submit(
        "UCOCO", modal["id"], {"reason": {"type": "plain_text_input", "value": "Het plein blijft autovrij."}}
    )
    await until(lambda: any("afgewezen door Coco" in m.text for m in slack.in_channel(COORDINATORS_ROOM)), slack)
    [idea] = await rows(engine, Idea)
    assert (idea.state, idea.moderation_note) == ("rejected", "Het plein blijft autovrij.")
    await city.tick(hours=3)
    [news] = [text for text in anna.unread_texts() if "Een parking op het plein." in text]
    assert "Het plein blijft autovrij." in news
    await slack.tap("UCOCO", card, "Publiceren")  # the card in the room still has its buttons
    await until(lambda: any(m.user == "UCOCO" and "al behandeld door Coco" in m.text for m in slack.messages), slack)
    assert slack.in_channel(PARTNERS_ROOM) == []


async def test_a_blocked_author_is_told_once_and_then_nothing_is_kept_until_unblocked(town, engine):
    city, slack = town
    anna, card = await moderation_card(city, slack, "Iets kwetsends.")
    await slack.tap("UCOCO", card, "Indiener blokkeren")
    await until(lambda: "geblokkeerd door Coco" in json.dumps(card.blocks, ensure_ascii=False), slack)
    await city.tick()
    [notice] = anna.unread_texts()
    assert "stilgelegd" in notice
    calls_before = len(city.bot.fake.calls)
    await anna.deliver({"message": anna._message(text="/idee")}, expect_reply=False)
    assert [c for c in city.bot.fake.calls[calls_before:] if c.method == "sendMessage"] == []
    [person] = [p for p in await rows(engine, Person) if p.display_name == "Anna"]
    assert person.blocked_at is not None
    await slack.tap("UCOCO", card, "Deblokkeren")
    await until(lambda: any("niet meer geblokkeerd" in m.text for m in slack.dm("UCOCO")), slack)
    await anna.send("/menu")
    assert "Wat wil je doen?" in anna.text
    kinds = [event.kind for event in await rows(engine, AuditEvent)]
    assert "person_blocked" in kinds and "person_unblocked" in kinds


async def test_the_coordinators_dashboard_holds_the_queue_and_empties_as_they_decide(town, engine):
    city, slack = town
    await moderation_card(city, slack, "Kleurrijke bankjes.")
    await slack.event({"type": "app_home_opened", "user": "UCOCO", "tab": "home", "channel": "DUCOCO"})
    await until(lambda: "UCOCO" in slack.homes, slack)
    home = json.dumps(slack.homes["UCOCO"]["blocks"], ensure_ascii=False)
    assert "Kleurrijke bankjes." in home and "Wachten op moderatie*\\n1" in home
    await slack.tap_home("UCOCO", "Publiceren")
    await until(lambda: "Wachten op moderatie*\\n0" in json.dumps(slack.homes["UCOCO"]["blocks"]), slack)
    [idea] = await rows(engine, Idea)
    assert idea.state == "published"


@pytest.mark.dialect  # full-text search on PostgreSQL, shared words on SQLite
async def test_the_card_shows_similar_earlier_ideas_found_by_their_words(town):
    city, slack = town
    anna = await city.resident(1001, "Anna")
    await share_idea(anna, "Kleurrijke bankjes langs de Leie.", problem="Niemand zit aan het water.")
    await share_idea(anna, "Een moestuin voor de school.", problem="Kinderen zien geen groenten groeien.")
    await share_idea(anna, "Houten bankjes bij de brug.", problem="Aan het water kun je nergens zitten.")
    await city.tick()
    card = card_in(slack, COORDINATORS_ROOM, "Houten bankjes bij de brug.")
    assert shows(card, "Lijkt op") and shows(card, "#1 Kleurrijke bankjes langs de Leie.")
    assert not shows(card, "moestuin")
    assert not shows(card_in(slack, COORDINATORS_ROOM, "Een moestuin voor de school."), "Lijkt op")


async def test_cards_for_one_room_keep_to_slacks_pace_of_one_message_a_second(town):
    city, slack = town
    slack.per_channel_per_second = 1  # past it, Slack answers 429 (which the fixture counts as refused)
    for number in range(3):
        await share_idea(await city.resident(1001 + number, f"Inwoner{number}"), idea=f"Idee nummer {number}.")
    await city.tick()
    assert len(slack.in_channel(COORDINATORS_ROOM)) == 3  # all three in one go, none refused


# What a resident may type that Slack would turn into a mention of everyone, of one person, or a
# link whose shown text hides where it goes, if it reached Slack's mrkdwn as it was typed.
HOSTILE_PROBLEM = "<!channel> Het Leieboord is grijs <!here>"
HOSTILE_IDEA = "Kleurrijke bankjes <@U0ADMIN> <https://evil.example|gemeente.be> <!subteam^S01>"
LIVE = re.compile(r"<[!@#]|<https?://")


async def test_what_a_resident_typed_reaches_slacks_notifications_escaped_as_a_labelled_sentence(town):
    city, slack = town
    anna = await city.resident(1001, "Anna")
    await share_idea(anna, HOSTILE_IDEA, problem=HOSTILE_PROBLEM)
    await city.tick()
    card = card_in(slack, COORDINATORS_ROOM, "Kleurrijke bankjes")
    await slack.tap("UCOCO", card, "Publiceren")
    await until(lambda: shows(card, "Gepubliceerd door Coco"), slack)
    await city.tick()
    texts = [c.params["text"] for c in slack.calls if c.method.startswith("chat.") and not c.error]
    assert len(texts) >= 3  # the card, its redraw when published, the partners' card
    assert not [text for text in texts if LIVE.search(text)]
    [posted] = [c.params["text"] for c in slack.calls_to("chat.postMessage") if "Leieboord" in c.params["text"]][:1]
    assert "&lt;!channel&gt; Het Leieboord is grijs &lt;!here&gt;" in posted
    assert "&lt;https://evil.example|gemeente.be&gt;" in posted
    assert "Thema: Erfgoed · Plaats: Marke" in posted  # a sentence with labels, not bare values


def text_objects(blocks) -> list[dict]:
    """Every text object (plain_text or mrkdwn) in Block Kit, in order."""
    if isinstance(blocks, dict):
        own = [blocks] if blocks.get("type") in ("plain_text", "mrkdwn") else []
        return own + [found for value in blocks.values() for found in text_objects(value)]
    if isinstance(blocks, list):
        return [found for item in blocks for found in text_objects(item)]
    return []


async def test_what_a_resident_typed_shows_on_the_card_as_typed_not_as_slack_formatting(town):
    city, slack = town
    anna = await city.resident(1001, "Anna")
    problem = "Het Leieboord is *echt* grijs\n> en dit is geen citaat"
    idea = "Bankjes met `code`, ~weg~ en _schuin_"
    await share_idea(anna, idea, problem=problem)
    await city.tick()
    card = card_in(slack, COORDINATORS_ROOM, "Bankjes met")
    shown = text_objects(card.blocks)
    assert {"type": "plain_text", "text": problem} in [{k: o[k] for k in ("type", "text")} for o in shown]
    assert {"type": "plain_text", "text": idea} in [{k: o[k] for k in ("type", "text")} for o in shown]
    for typed in ("*echt*", "> en dit", "`code`", "~weg~", "_schuin_"):
        assert not [o for o in shown if o["type"] == "mrkdwn" and typed in o["text"]], typed


LONG_IDEA = " ".join(f"Zin {n} over de bankjes aan de Leie en wie er mag zitten." for n in range(1, 70)) + " EINDE."


@pytest.mark.parametrize("town", [{"max_text_length": 4000}], indirect=True)
async def test_a_long_idea_shows_whole_on_the_card_a_coordinator_publishes_from(town):
    city, slack = town
    assert 3900 < len(LONG_IDEA) <= 4000
    await share_idea(await city.resident(1001, "Anna"), LONG_IDEA)
    await city.tick()
    card = card_in(slack, COORDINATORS_ROOM, "Zin 1 over")
    await slack.event({"type": "app_home_opened", "user": "UCOCO", "tab": "home", "channel": "DUCOCO"})
    await until(lambda: "UCOCO" in slack.homes, slack)
    for blocks in (card.blocks, slack.homes["UCOCO"]["blocks"]):
        shown = " ".join(o["text"] for o in text_objects(blocks))
        missing = [n for n in range(1, 70) if f"Zin {n} over de bankjes" not in shown]
        assert missing == [] and "EINDE." in shown
