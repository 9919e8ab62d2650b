"""What the logs of a whole conversation hold: never a secret, and at info level nothing about the person."""

from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager

import pytest

from bot.logs import CHATTY, handler
from tests.auxil.telegram_fixtures import start_bot, telegram_settings
from tests.auxil.telegram_user import onboard

NAME = "Wannesbert"
IDEA = "Het Leieboord is grijs en leeg"
CHAT_ID = 7319547


@contextmanager
def captured(settings, level: int, chatty: int):
    """Everything logged at `level` (third-party request chatter at `chatty`), as the server would write it."""
    stream = io.StringIO()
    out = handler(settings, stream)
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", *CHATTY)}
    root.addHandler(out)
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(chatty)
    try:
        yield stream
    finally:
        root.removeHandler(out)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


async def conversation(fake, settings, engine, clock) -> None:
    running = await start_bot(fake, settings, engine, clock)
    try:
        user = running.user(CHAT_ID, NAME)
        await onboard(user, NAME)
        await user.send("/idee")
        await user.send(IDEA)
        await user.send("/annuleer")
        await user.send("/mijngegevens")
    finally:
        await running.stop()


def secrets(settings) -> list[str]:
    token = settings.telegram_token.get_secret_value()
    return [token, token.split(":")[1], settings.telegram_webhook_secret.get_secret_value()]


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_no_secret_at_any_level(fake_telegram, engine, clock, log_format):
    settings = telegram_settings(fake_telegram, "webhook", log_format=log_format, instance_name="web-1")
    with captured(settings, logging.DEBUG, logging.DEBUG) as stream:
        await conversation(fake_telegram, settings, engine, clock)
    logged = stream.getvalue()
    assert "sendMessage" in logged  # the Bot API requests are there, at debug level, without the token
    for secret in secrets(settings):
        assert secret not in logged
    lines = logged.splitlines()
    if log_format == "json":
        events = [json.loads(line) for line in lines if line.startswith("{")]
        assert len(events) == len([line for line in lines if line.startswith("{")]) > 0
        assert all(event["instance"] == "web-1" for event in events)
        turns = [event for event in events if event["logger"] == "bot.core" and "handled in" in event["message"]]
        assert len(turns) >= 10
        assert all(event["channel"] == "telegram" and len(event["turn"]) == 12 and event["person"] for event in turns)
        assert len({event["turn"] for event in turns}) == len(turns)
        assert NAME not in json.dumps(turns) and str(CHAT_ID) not in json.dumps(turns)
    else:
        assert all("web-1" in line for line in lines if line[:4].isdigit())


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_nothing_about_the_person_at_info_level(fake_telegram, engine, clock, log_format):
    settings = telegram_settings(fake_telegram, "webhook", log_format=log_format)
    with captured(settings, logging.INFO, logging.WARNING) as stream:  # as `gangmaker serve` sets it up
        await conversation(fake_telegram, settings, engine, clock)
    logged = stream.getvalue()
    for personal in (NAME, IDEA, str(CHAT_ID), *secrets(settings)):
        assert personal not in logged


def test_errors_go_to_sentry_without_secrets_or_personal_data(fake_telegram):
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from bot.logs import report_errors

    sent = []

    class Keep(Transport):
        def capture_envelope(self, envelope):
            sent.extend(item.payload.json for item in envelope.items if item.payload.json)

    settings = telegram_settings(fake_telegram, "webhook", sentry_dsn="https://public@sentry.invalid/1")
    assert not report_errors(telegram_settings(fake_telegram, "webhook"))  # off without SENTRY_DSN
    assert report_errors(settings, transport=Keep)
    token = settings.telegram_token.get_secret_value()
    try:
        personal = NAME  # a local variable Sentry must not send
        try:
            raise RuntimeError(f"request to /bot{token}/sendMessage failed")
        except RuntimeError:
            logging.getLogger("bot.core").exception("failed to handle a text event from telegram")
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()  # off again for the other tests
    assert personal and sent
    text = json.dumps(sent)
    assert token not in text and token.split(":")[1] not in text and "***" in text
    assert NAME not in text and '"vars"' not in text


def test_a_line_break_from_outside_cannot_forge_a_line_of_the_text_log():
    """What a request brings (a body, a header, a command) is logged on its own line, its line breaks
    and control characters escaped; a traceback still reads as one."""
    import io

    from bot.config import load_settings
    from bot.logs import handler

    out = io.StringIO()
    logger = logging.getLogger("gangmaker.test.forging")
    logger.addHandler(handler(load_settings(_env_file=None), out))
    logger.propagate = False
    try:
        logger.warning("refused %s", "x\n2030-01-01 00:00:00 ERROR bot.core [-]: all data exported\r\x1b[2J")
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.handlers.clear()
    forged, failed, *traceback = out.getvalue().splitlines()
    assert "refused x\\n2030-01-01 00:00:00 ERROR bot.core [-]: all data exported\\r\\x1b[2J" in forged
    assert "failed" in failed and traceback[0].startswith("Traceback") and traceback[-1] == "ValueError: boom"
