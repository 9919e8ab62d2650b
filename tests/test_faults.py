"""Faults: a database that drops its connections or stays locked never loses what a resident typed;
the turn is tried again on a fresh connection, and when it still fails the text is handed back."""

from collections import Counter

import pytest

from storage.models import Conversation, OutboxMessage
from tests.auxil.builders import publish_call
from tests.auxil.chat import onboard
from tests.auxil.city import sent_per_chat
from tests.auxil.database import rows
from tests.auxil.faults import drop_connections, failing
from tests.auxil.people import add_residents

SORRY = "Sorry, er ging iets mis"
PROBLEM = "Het Leieboord is grijs. Buren zitten er nooit."


@pytest.mark.dialect  # the pool replaces a connection PostgreSQL dropped
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_a_connection_dropped_between_two_steps_goes_unnoticed(chat, engine):
    await onboard(chat)
    await chat.send("/idee")
    assert await drop_connections(engine) >= 1  # the pool's connection is gone: a restart, a failover
    await chat.send(PROBLEM)
    assert SORRY not in chat.text
    [conversation] = await rows(engine, Conversation)
    assert conversation.answers["problem"] == PROBLEM


async def test_a_statement_that_fails_once_is_tried_again(chat, engine):
    await onboard(chat)
    await chat.send("/idee")
    with failing(engine, statements=1, only="UPDATE") as failed:
        await chat.send(PROBLEM)
    assert failed and SORRY not in chat.text
    [conversation] = await rows(engine, Conversation)
    assert conversation.answers["problem"] == PROBLEM


async def test_a_database_that_stays_locked_hands_the_text_back_and_keeps_the_question(chat, engine):
    await onboard(chat)
    await chat.send("/idee")
    question = chat.text
    with failing(engine, only="UPDATE"):
        await chat.send(PROBLEM)
    assert "ik kon je bericht niet bewaren" in chat.text
    assert f"Je schreef:\n{PROBLEM}" in chat.text  # to copy and send again
    [conversation] = await rows(engine, Conversation)
    assert "problem" not in conversation.answers
    await chat.send(PROBLEM)  # the database is back: the dialogue goes on where it was
    assert question not in chat.text and "Wat is je idee" in chat.text


async def test_a_database_that_blinks_during_a_broadcast_loses_nothing_and_repeats_nothing(city, engine, fake_telegram):
    people = await add_residents(engine, fake_telegram, 30, city.clock())
    await publish_call(engine, city.bot.settings, city.clock())
    with failing(engine, chance=1 / 12) as failed:  # one statement in twelve fails, whichever it is
        for _ in range(60):
            if len(sent_per_chat(fake_telegram)) == 30:
                break
            await city.dispatcher.tick()
            city.clock.advance(seconds=31)
    assert len(failed) > 10
    assert sent_per_chat(fake_telegram) == Counter({p.id: 1 for p in people})
    assert Counter(row.state for row in await rows(engine, OutboxMessage)) == Counter({"sent": 30})
