"""Residents on Telegram: every flow through the real python-telegram-bot stack and the fake Bot API.

Each test runs in polling and in webhook mode, on SQLite and on PostgreSQL. The fake
server's fixture fails any test in which the bot sent a request Telegram would refuse.
"""

import asyncio
import json
import logging

import pytest
from aiohttp import ClientSession

from storage.models import Conversation, Idea, Identity, Offer, OutboxMessage, Person
from tests.auxil.database import rows
from tests.auxil.telegram_fixtures import start_bot, telegram_settings
from tests.auxil.telegram_user import onboard


async def test_a_resident_goes_through_every_flow(telegram, engine):
    user = telegram.user(first_name="Anna")
    await onboard(user)
    assert "Dank je, Anna!" in user.text
    [person] = await rows(engine, Person)
    [identity] = await rows(engine, Identity)
    assert (identity.channel, identity.external_id, identity.reachable) == ("telegram", "1001", True)
    assert (person.display_name, person.neighbourhood, person.interests) == ("Anna", "heule", ["heritage"])

    await user.send("/idee")
    await user.send("Het Leieboord is grijs.")
    await user.send("Kleurrijke bankjes.")
    await user.tap("Overslaan")
    await user.tap("Erfgoed")
    await user.tap("Marke")
    await user.tap("Ja")
    await user.send_photo(("small-id", "medium-id", "large-id"))
    await user.tap("Klopt")
    [idea] = await rows(engine, Idea)
    assert (idea.idea, idea.photo, idea.author_id) == ("Kleurrijke bankjes.", "large-id", person.id)

    await user.send("/tijd")
    await user.send("8")
    await user.tap("Weekend")
    await user.tap("Klaar")
    await user.send("1/4/2027")
    await user.tap("Overslaan")
    await user.tap("Klopt")
    [offer] = await rows(engine, Offer)
    assert offer.details["hours"] == 8

    await user.send("/profiel")
    await user.tap("Taal")
    await user.tap("English")
    assert "Saved." in user.text
    assert (await rows(engine, Person))[0].locale == "en"

    await user.send("/mijngegevens")
    [document] = [c for c in user.last if c.method == "sendDocument"]
    content = json.loads(document.params["document"].content)
    assert content["person"]["display_name"] == "Anna"
    assert content["ideas"][0]["photo"] == "large-id"

    await user.send("/vergeet")
    await user.tap("Yes, delete my data")
    for model in (Person, Identity, Offer, Conversation):
        assert await rows(engine, model) == []
    assert (await rows(engine, Idea))[0].author_id is None
    assert telegram.fake.open_queries == {}  # every tap was answered


async def test_multi_select_is_redrawn_in_place(telegram):
    user = telegram.user()
    await user.send("/start")
    await user.tap("Ja, dat is goed")
    await user.tap("Nederlands")
    await user.send("Bo")
    await user.tap("Heule")
    await user.tap("Inwoner")
    question = user.keyboard_message()
    await user.tap("Erfgoed")
    assert [c.method for c in user.last] == ["answerCallbackQuery", "editMessageReplyMarkup"]
    assert "✅ Erfgoed" in user.button_labels(question)
    await user.tap("Erfgoed")
    assert "✅ Erfgoed" not in user.button_labels(question) and "Erfgoed" in user.button_labels(question)


async def test_stale_and_double_taps_get_a_short_notice_and_change_nothing(telegram, engine):
    user = telegram.user()
    await user.send("/start")
    await user.tap("Ja, dat is goed")
    first_question = user.keyboard_message()
    await user.tap("Nederlands")
    await user.tap("English", message=first_question)
    assert user.toasts == ["Deze knop is verlopen. Gebruik de knoppen onder het laatste bericht."]
    assert [c.method for c in user.last] == ["answerCallbackQuery"]
    assert (await rows(engine, Person))[0].locale == "nl"


async def test_unreadable_messages_get_an_explanation_and_keep_the_step(telegram, engine):
    user = telegram.user()
    await user.send("/start")
    await user.tap("Ja, dat is goed")
    await user.tap("Nederlands")
    await user.send_sticker()
    assert "Dit soort bericht kan ik hier niet lezen." in user.text
    await user.send_location()
    assert "Dit soort bericht kan ik hier niet lezen." in user.text
    await user.edit("Anna")
    assert "Ik lees alleen nieuwe berichten." in user.text
    assert "Hoe mag ik je noemen?" in user.text
    [conversation] = await rows(engine, Conversation)
    assert conversation.step == "display_name"


async def test_long_replies_are_split_at_paragraphs(fake_telegram, engine, clock):
    running = await start_bot(
        fake_telegram, telegram_settings(fake_telegram, "polling", max_text_length=2000), engine, clock
    )
    try:
        user = running.user()
        await onboard(user)
        await user.send("/idee")
        for paragraph in ("a", "b"):
            await user.send((f"Zin {paragraph}. " * 300)[:1990])
        await user.send(("Klein proberen. " * 200)[:1990])
        await user.tap("Erfgoed")
        await user.tap("Marke")
        await user.tap("Ja")
        await user.tap("Overslaan")
        sent = [c for c in user.last if c.method == "sendMessage"]
        assert len(sent) == 2
        assert all(len(c.params["text"]) <= 4096 for c in sent)
        assert "reply_markup" not in sent[0].params and "Klopt" in json.dumps(sent[1].params["reply_markup"])
    finally:
        await running.stop()


async def test_commands_are_published_per_language(telegram):
    commands = telegram.fake.commands
    assert set(commands) == {None, "nl", "en", "fr"}
    names = [c["command"] for c in commands["nl"]]
    assert "idee" in names and "vergeet" in names and "annuleer" in names
    descriptions = {lang: dict((c["command"], c["description"]) for c in commands[lang]) for lang in ("nl", "en")}
    assert descriptions["nl"]["idee"] == "Een idee delen"
    assert descriptions["en"]["idee"] != descriptions["nl"]["idee"]


@pytest.mark.parametrize(("code", "expected"), [("fr", "fr"), ("en-GB", "en"), ("de", "nl"), (None, "nl")])
async def test_a_new_persons_language_comes_from_telegram(telegram, engine, code, expected):
    user = telegram.user(language_code=code)
    await user.send("/start")
    await user.tap(user.button_labels()[0])  # yes, in whatever language
    [person] = await rows(engine, Person)
    assert person.locale == expected


async def test_deep_link_payload_starts_like_start(telegram):
    user = telegram.user()
    await user.send("/start c12")
    assert "Kortrijk 2030" in user.text


async def test_group_chats_are_pointed_to_the_private_chat(telegram, engine):
    group = telegram.fake.add_chat(-100123, "Buurtgroep", chat_type="group")
    user = telegram.user()
    message = {
        "message_id": 1,
        "date": 1,
        "from": user.sender(),
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "chat": {"id": group.id, "type": "group", "title": "Buurtgroep"},
    }
    await user.deliver({"message": message})
    [reply] = [c for c in user.last if c.method == "sendMessage"]
    assert reply.params["chat_id"] == group.id
    assert "https://t.me/gangmaker_test_bot" in reply.params["text"]
    assert await rows(engine, Person) == []


async def test_a_group_gets_no_more_than_twenty_messages_a_minute(telegram):
    """Telegram's limit for a group: twenty at once, then one every three seconds; all arrive."""
    group = telegram.fake.add_chat(-100123, "Buurtgroep", chat_type="group")
    user = telegram.user()
    await asyncio.gather(
        *(
            telegram.fake.send_update(
                {
                    "message": {
                        "message_id": n,
                        "date": 1,
                        "from": user.sender(),
                        "text": "/start",
                        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                        "chat": {"id": group.id, "type": "group", "title": "Buurtgroep"},
                    }
                }
            )
            for n in range(1, 22)
        )
    )

    def replies() -> list:
        return [c for c in telegram.fake.calls_to("sendMessage") if c.params["chat_id"] == group.id]

    for _ in range(100):
        if len(replies()) == 21:
            break
        await asyncio.sleep(0.1)
    # Every answer arrives and Telegram refuses none; the limiter's own decision (twenty at once,
    # then one every three seconds) is tested without a clock in tests/unit/test_telegram_limits.py.
    assert len(replies()) == 21 and telegram.fake.refused(429) == []


async def test_a_block_marks_the_identity_unreachable_and_writing_again_restores_it(telegram, engine):
    user = telegram.user()
    await onboard(user)
    await user.block()
    assert (await rows(engine, Identity))[0].reachable is False
    await user.unblock()
    assert (await rows(engine, Identity))[0].reachable is True


async def test_a_403_on_sending_marks_the_identity_unreachable(telegram, engine):
    user = telegram.user()
    await onboard(user)
    user.chat.blocked = True  # blocked, but the update telling us so has not arrived
    await user.send("/menu")
    assert [c.status for c in user.last if c.method == "sendMessage"] == [403]
    assert (await rows(engine, Identity))[0].reachable is False
    user.chat.blocked = False
    await user.send("/menu")
    assert (await rows(engine, Identity))[0].reachable is True
    assert "Wat wil je doen?" in user.text


async def test_429_is_waited_out_and_the_message_still_arrives(telegram):
    user = telegram.user()
    telegram.fake.failures["sendMessage"] = [429]
    await user.send("/start")
    statuses = [c.status for c in user.last if c.method == "sendMessage"]
    assert statuses[0] == 429 and statuses.count(200) == 2
    assert "Kortrijk 2030" in user.text


async def test_server_errors_are_retried(telegram):
    user = telegram.user()
    telegram.fake.failures["sendMessage"] = [500, 502]
    await user.send("/start")
    statuses = [c.status for c in user.last if c.method == "sendMessage"]
    assert statuses[:3] == [500, 502, 200]
    assert "Kortrijk 2030" in user.text


async def test_a_restart_mid_dialogue_continues_at_the_same_step(fake_telegram, engine, clock):
    settings = telegram_settings(fake_telegram, "polling")
    first = await start_bot(fake_telegram, settings, engine, clock)
    user = first.user()
    await onboard(user)
    await user.send("/idee")
    await user.send("Het Leieboord is grijs.")
    await first.stop()

    second = await start_bot(fake_telegram, settings, engine, clock)
    try:
        await user.send("Kleurrijke bankjes.")
        assert "klein uitproberen" in user.text
        [conversation] = await rows(engine, Conversation)
        assert conversation.answers == {"problem": "Het Leieboord is grijs.", "idea": "Kleurrijke bankjes."}
    finally:
        await second.stop()


@pytest.fixture
async def webhook_bot(fake_telegram, engine, clock):
    running = await start_bot(fake_telegram, telegram_settings(fake_telegram, "webhook"), engine, clock)
    yield running
    await running.stop()


async def post(url, payload, headers):
    async with ClientSession() as session, session.post(url, json=payload, headers=headers) as response:
        return response.status


async def test_webhook_registers_its_secret_and_refuses_requests_without_it(webhook_bot, engine):
    fake, url = webhook_bot.fake, webhook_bot.settings.telegram_webhook_url
    assert fake.webhook == {"url": url, "secret_token": "s3cret-Token_1"}
    user = webhook_bot.user()
    update = {"update_id": 999, "message": user._message(text="/start")}
    before = len(fake.calls)
    assert await post(url, update, {}) == 403
    assert await post(url, update, {"X-Telegram-Bot-Api-Secret-Token": "guess"}) == 403
    assert fake.calls[before:] == []  # no handler ran, so the bot said nothing
    assert await post(url, {"no": "update"}, {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}) == 400


async def test_a_redelivered_update_is_handled_once(webhook_bot, engine):
    user = webhook_bot.user()
    await onboard(user)
    await user.send("/idee")
    update = {"message": user._message(text="Het Leieboord is grijs.")}
    await user.deliver(update, update_id=5000)
    assert "Wat is je idee?" in user.text
    await user.deliver(update, update_id=5000)
    assert user.last == []
    [conversation] = await rows(engine, Conversation)
    assert conversation.step == "idea"


async def test_health_endpoint(webhook_bot):
    url = webhook_bot.settings.telegram_webhook_url.rsplit("/telegram", 1)[0] + "/healthz"
    async with ClientSession() as session, session.get(url) as response:
        assert response.status == 200 and (await response.json()) == {"status": "ok"}


async def test_a_malformed_update_with_the_right_secret_is_refused_quietly(webhook_bot, caplog):
    url = webhook_bot.settings.telegram_webhook_url
    secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}
    for update in ({"update_id": 9004, "message": "x"}, {"update_id": 9005, "callback_query": [1]}):
        assert await post(url, update, secret) == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_redelivered_tap_is_answered_once(webhook_bot, engine, caplog):
    user = webhook_bot.user()
    await onboard(user)
    await user.send("/profiel")
    message = user.keyboard_message()
    query = {
        "id": user.fake.new_query_id(user.id),
        "from": user.sender(),
        "chat_instance": f"ci-{user.id}",
        "message": {k: v for k, v in message.items() if k != "_content"},
        "data": message["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
    }
    await user.deliver({"callback_query": query}, update_id=7000)
    await user.deliver({"callback_query": query}, update_id=7000)  # Telegram did not hear our 200 in time
    assert user.last == []
    assert user.fake.refused(400) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_reply_telegram_would_not_take_goes_out_later_with_its_buttons(city, engine):
    anna = await city.resident(1, "Anna")
    city.bot.fake.failures["sendMessage"] = [500] * 4  # past the channel's own retries
    await anna.send("/idee")
    assert [c.status for c in anna.last] == [500] * 4
    await city.tick(seconds=1)
    [pushed] = anna.unread_texts()
    assert "Wat kan beter in je buurt of in de stad" in pushed
    await anna.send("Het Leieboord is grijs.")  # the dialogue goes on from the question it resent
    assert "Wat is je idee?" in anna.text
    await anna.send("/annuleer")
    await anna.tap("Ja, stoppen")
    city.bot.fake.failures["sendMessage"] = [502] * 4
    await anna.send("/privacy")
    await city.tick(seconds=1)
    assert anna.button_labels() == ["Meer uitleg", "Mijn gegevens", "Alles wissen"]
    await anna.tap("Mijn gegevens")
    assert "Dit bewaar ik over jou:" in anna.text
    assert {r.state for r in await rows(engine, OutboxMessage) if r.purpose == "resend"} == {"sent"}


async def redeliver_tap(user, data: str, update_id: int) -> list:
    """A tap on the newest keyboard carrying `data`, delivered twice under one update id (Telegram did
    not hear the bot's 200 in time); returns what the bot sent for the second delivery."""
    message = user.keyboard_message()
    query = {
        "id": user.fake.new_query_id(user.id),
        "from": user.sender(),
        "chat_instance": f"ci-{user.id}",
        "message": {k: v for k, v in message.items() if k != "_content"},
        "data": data,
    }
    await user.deliver({"callback_query": query}, update_id=update_id)
    assert user.last, "the first delivery is answered"
    await user.deliver({"callback_query": query}, update_id=update_id, expect_reply=False)
    return user.last


@pytest.mark.parametrize("data", ["not-one-of-ours", "?call|join|1", "-|no"])
async def test_a_redelivered_tap_the_channel_answers_itself_is_answered_once(webhook_bot, caplog, data):
    """An expired button, a button that asks first and the no of that question are answered by the
    channel without a turn of the core; a second delivery of the same update sends nothing."""
    user = webhook_bot.user()
    await user.send("/start")
    assert await redeliver_tap(user, data, update_id=7100) == []
    assert user.fake.refused(400) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_edit_repeated_after_its_answer_was_lost_is_not_an_error(telegram, caplog):
    """Telegram made the edit but its answer was lost; the retry hears "Message is not modified"
    (python-telegram-bot capitalises it): the edit is there, so that is logged below ERROR."""
    from tests.auxil.fake_telegram import DROP

    caplog.set_level(logging.INFO)
    user = telegram.user()
    await user.send("/start")
    await user.tap("Ja, dat is goed")
    await user.tap("Nederlands")
    await user.send("Bo")
    await user.tap("Heule")
    await user.tap("Inwoner")
    question = user.keyboard_message()
    telegram.fake.failures["editMessageReplyMarkup"] = [DROP]
    await user.tap("Erfgoed")
    assert "✅ Erfgoed" in user.button_labels(question)
    [repeat] = telegram.fake.refused(400)
    assert "message is not modified" in repeat.description
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r for r in caplog.records if "not modified" in r.getMessage() and r.levelno < logging.ERROR]
    telegram.fake.calls.remove(repeat)  # the refusal above is the point of this test
