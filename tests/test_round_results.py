"""A round's results, live and closed: the card in the coordinators' Slack room counts the answers
as they come (small groups hidden) and is redrawn in place at most once a few seconds; once the
round closes its owner writes what will be done, every respondent reads it with the result in
their own language, and a round left without it gets one reminder after a week."""

import html
import json

from storage.models import Round
from tests.auxil.database import rows
from tests.auxil.fake_slack import Message
from tests.auxil.slack_fixtures import COORDINATORS_ROOM
from tests.auxil.telegram_user import TelegramUser
from tests.auxil.town import card_in, until
from tests.test_rounds import ask_round

NAMES = ("Anna", "Bert", "Carl", "Dirk", "Eva", "Fien")


def seen(message: Message) -> str:
    """What a Slack message shows, as a reader reads it."""
    return html.unescape(json.dumps(message.blocks, ensure_ascii=False))


async def thinkers(city, count: int, first: int = 100) -> list[TelegramUser]:
    return [await city.resident(first + n, NAMES[n], level="Meedenken") for n in range(count)]


async def asked(city) -> TelegramUser:
    """The coordinator sends the round about the benches (3 questions) to Heule at once."""
    coordinator = await city.coordinator()
    await ask_round(coordinator)
    await coordinator.tap("Klopt")
    await city.tick()
    return coordinator


async def answer(user: TelegramUser, scale: str = "vier", back: str = "ja", where: str = "Aan de brug") -> None:
    await user.tap("Meedenken")
    await user.send(scale)
    await user.send(back)
    await user.send(where)
    await user.tap("Klopt")


def card_updates(slack) -> list:
    return [call for call in slack.calls_to("chat.update") if call.params.get("channel") == COORDINATORS_ROOM]


async def test_the_live_card_counts_the_answers_and_hides_small_groups(town):
    city, slack = town
    residents = await thinkers(city, 6)
    await asked(city)
    card = card_in(slack, COORDINATORS_ROOM, "Bankjes aan de Leie")
    assert "Mensen die antwoordden" in seen(card)

    city.clock.advance(minutes=1)
    places = ("Aan de brug", "aan de brug!", "Bij de kerk", "Aan de BRUG", "Op de markt", "Aan de brug")
    for n, user in enumerate(residents):
        await answer(user, "twee" if n == 0 else "vier", "ja", places[n])
    await city.tick()

    [card] = slack.in_channel(COORDINATORS_ROOM)  # redrawn in place, no second card
    shown = seen(card)
    assert '"text": "*Mensen die antwoordden*", "type": "mrkdwn"}, {"emoji": false, "text": "6"' in shown
    assert "Ja: 6" in shown and "Nee: 0" in shown
    assert "2: < 5" in shown  # one person chose 2
    assert "4: verborgen" in shown  # and 6 - 5 would give that one away: hidden too
    assert "5 · heel graag: 0" in shown
    assert "Aan de brug" in shown and "aan de brug!" not in shown and "Aan de BRUG" not in shown  # grouped
    assert "Bij de kerk" in shown and "Op de markt" in shown
    assert (
        '"text": "*3. Waar zou jij een bankje zetten?*", "type": "mrkdwn"}, {"emoji": false, "text": "Antwoorden: 6\\n• '
        in shown
    )
    assert "Anna" not in shown and "Bert" not in shown  # nobody's name


async def test_long_open_answers_are_listed_within_slacks_limits(town):
    city, slack = town
    residents = await thinkers(city, 5)
    await asked(city)
    city.clock.advance(minutes=1)
    for n, user in enumerate(residents):
        await answer(user, where=" ".join(f"plek{n}x{word}" for word in range(80))[:500])
    await city.tick()
    [card] = slack.in_channel(COORDINATORS_ROOM)
    assert "plek4x0" in seen(card) and "• …" in seen(card)  # the newest first, then cut where Slack would
    assert all(len(field["text"]) <= 2000 for block in card.blocks for field in block.get("fields", []))


async def test_the_card_is_redrawn_once_per_window_however_many_answers_arrive(town):
    city, slack = town
    residents = await thinkers(city, 4)
    await asked(city)
    assert card_updates(slack) == []

    city.clock.advance(minutes=1)
    await answer(residents[0])
    await city.tick()
    assert len(card_updates(slack)) == 1

    city.clock.advance(seconds=2)
    for user in residents[1:]:
        await answer(user)
    await city.tick()
    await city.tick(seconds=3)
    assert len(card_updates(slack)) == 1  # within the window: not yet

    await city.tick(seconds=10)
    assert len(card_updates(slack)) == 2  # after it: once, with every answer
    await city.tick(seconds=30)
    assert len(card_updates(slack)) == 2  # nothing new: not redrawn
    assert len(slack.in_channel(COORDINATORS_ROOM)) == 1


async def test_the_outcome_reaches_every_respondent_once_in_their_own_language(city, engine):
    anna, bert, carl, dirk = await thinkers(city, 4)
    await bert.send("/taal")
    await bert.tap("English")
    bert.unread()
    coordinator = await asked(city)
    await answer(anna)
    await bert.tap("Help plan")
    await bert.send("four")
    await bert.send("yes")
    await bert.send("By the bridge")
    await bert.tap("That's right")
    await carl.tap("Meedenken")
    await carl.send("drie")  # and stops there: one answer is enough to hear the outcome
    dirk.unread()  # Dirk does not answer

    await city.tick(days=11)  # the round closed on 20 March
    [ask] = coordinator.unread_texts()
    assert "Bankjes aan de Leie" in ask and "is gesloten" in ask
    await coordinator.tap("Wat we ermee doen")
    await coordinator.send("We zetten drie bankjes aan de brug, met een rugleuning. In mei staan ze er.")
    assert "Aantal mensen: < 5." in coordinator.text  # three: under the small-group rule too
    await coordinator.tap("Klopt")
    assert "Verstuurd." in coordinator.text

    await city.tick()
    outcome, result = anna.unread_texts()
    assert "Bankjes aan de Leie" in outcome and "drie bankjes aan de brug" in outcome
    assert "< 5" in result and "Ja" not in result  # three people answered: no figures
    outcome, result = bert.unread_texts()
    assert "This is what we do with the answers" in outcome and "drie bankjes aan de brug" in outcome
    assert "< 5" in result and "so few people" in result
    assert len(carl.unread_texts()) == 2
    assert dirk.unread_texts() == []
    [round_] = await rows(engine, Round)
    assert round_.outcome.startswith("We zetten drie bankjes")

    await city.tick(days=1)
    assert anna.unread_texts() == bert.unread_texts() == carl.unread_texts() == []
    await coordinator.tap("Wat we ermee doen", coordinator.message_with("is gesloten"))
    assert "al geschreven" in " ".join(coordinator.toasts + coordinator.texts)


async def test_a_round_left_without_its_outcome_gets_one_reminder_and_a_coordinator_writes_it(town):
    city, slack = town
    [anna] = await thinkers(city, 1)
    coordinator = await asked(city)
    await answer(anna)

    await city.tick(days=11)  # closed; its owner is asked, and writes nothing
    assert any("is gesloten" in text for text in coordinator.unread_texts())
    await city.tick(days=6)
    assert not any("nog niet" in message.text for message in slack.in_channel(COORDINATORS_ROOM))
    await city.tick(days=2)
    await city.tick(days=1)
    [reminder] = [message for message in slack.in_channel(COORDINATORS_ROOM) if "nog niet" in message.text]
    assert "Bankjes aan de Leie" in reminder.text

    await slack.tap("UCOCO", reminder, "Wat we ermee doen")
    await until(lambda: slack.views, slack)
    [modal] = slack.views.values()
    written = "We zetten drie bankjes aan de brug."
    await slack.submit("UCOCO", modal["id"], {"outcome": {"type": "plain_text_input", "value": written}})
    await until(
        lambda: any("1 mensen krijgen" in m.text or "krijgt je uitleg" in m.text for m in slack.dm("UCOCO")), slack
    )
    await city.tick()
    outcome, _result = anna.unread_texts()
    assert written in outcome
    await city.tick(days=7)
    assert len([message for message in slack.in_channel(COORDINATORS_ROOM) if "nog niet" in message.text]) == 1


async def test_a_redraw_slack_could_not_take_is_tried_again_on_the_same_card(town):
    city, slack = town
    [anna] = await thinkers(city, 1)
    await asked(city)
    city.clock.advance(minutes=1)
    await answer(anna)
    slack.failures["chat.update"] = ["fatal_error"]  # Slack's own trouble, a 500
    await city.tick()
    assert card_updates(slack) == []
    await city.tick(seconds=31)  # the outbox tries again after Slack's wait
    assert len(card_updates(slack)) == 1
    assert len(slack.in_channel(COORDINATORS_ROOM)) == 1  # the same card, not a second one
    slack.calls = [call for call in slack.calls if not call.error]  # the refusal above was asked for
