"""The fake Bot API refuses what Telegram refuses, so "the bot never got a 400" means something."""

import pytest
from aiohttp import ClientSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter

from tests.auxil import fake_telegram
from tests.auxil.fake_telegram import FakeTelegram, Spec


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    server.add_chat(42, "Anna")
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake):
    async with Bot(fake.token, base_url=f"{fake.url}/bot") as client:
        yield client


async def raw(fake, method, **form):
    async with ClientSession() as session:
        async with session.post(f"{fake.url}/bot{fake.token}/{method}", data=form) as response:
            return response.status, await response.json()


async def test_a_valid_message_is_accepted(bot, fake):
    message = await bot.send_message(
        42, "Hallo", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="t|yes")]])
    )
    assert message.text == "Hallo" and message.chat.id == 42
    assert fake.refused() == []


@pytest.mark.parametrize("text", ["", "x" * 4097])
async def test_text_must_be_1_to_4096_characters(bot, text):
    with pytest.raises(BadRequest):
        await bot.send_message(42, text)


async def test_callback_data_over_64_bytes_is_refused(bot):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(42, "Hallo", reply_markup=markup)


async def test_unknown_chat_and_blocked_chat(bot, fake):
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(43, "Hallo")
    fake.chats[42].blocked = True
    with pytest.raises(Forbidden, match="(?i)blocked"):
        await bot.send_message(42, "Hallo")


@pytest.mark.skipif(Spec.find() is None, reason="no Telegram Bot API spec found (TELEGRAM_SPEC or ../shared/specs)")
async def test_parameters_are_checked_against_the_spec(fake):
    assert (await raw(fake, "sendMessage", chat_id="42", text="Hi", colour="red"))[0] == 400
    assert (await raw(fake, "sendMessage", chat_id="42"))[0] == 400
    status, body = await raw(fake, "sendMessage", chat_id="42", text="Hi", reply_markup='{"inline_keyboard": "x"}')
    assert status == 400 and "reply_markup" in body["description"]
    assert (await raw(fake, "sendMessage", chat_id="42", text="Hi", disable_notification="maybe"))[0] == 400
    assert (await raw(fake, "sendTelepathy", chat_id="42"))[0] == 404


async def test_rate_limit_answers_429_with_retry_after(bot, fake):
    fake.rate_per_second = 2
    await bot.send_message(42, "een")
    await bot.send_message(42, "twee")
    with pytest.raises(RetryAfter):
        await bot.send_message(42, "drie")


async def test_a_callback_query_is_answered_once(bot, fake):
    query_id = fake.new_query_id(42)
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_an_edit_that_changes_nothing_is_refused(bot):
    message = await bot.send_message(42, "Hallo")
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_text("Hallo", chat_id=42, message_id=message.message_id)


async def test_without_the_spec_the_fake_still_keeps_its_own_rules(monkeypatch, tmp_path):
    monkeypatch.delenv("TELEGRAM_SPEC", raising=False)
    monkeypatch.setattr(fake_telegram, "BESIDE_THE_REPOSITORY", tmp_path / "missing.json")
    server = FakeTelegram()
    assert server.spec is None
    await server.start()
    server.add_chat(42, "Anna")
    try:
        async with Bot(server.token, base_url=f"{server.url}/bot") as client:
            assert (await client.send_message(42, "12")).text == "12"  # a text of digits stays a text
            with pytest.raises(BadRequest):
                await client.send_message(42, "x" * 4097)
            with pytest.raises(BadRequest, match="(?i)chat not found"):
                await client.send_message(43, "Hallo")
        assert (await raw(server, "sendCarrierPigeon", chat_id="42"))[0] == 404
    finally:
        await server.stop()


def test_a_named_spec_that_is_missing_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("TELEGRAM_SPEC", str(tmp_path / "missing.json"))
    with pytest.raises(FileNotFoundError, match="TELEGRAM_SPEC"):
        Spec.find()
