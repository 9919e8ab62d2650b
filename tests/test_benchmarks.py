"""The benchmarks at a tiny size, so they cannot rot: nothing lost, nothing duplicated, never timed."""

import pytest
from sqlalchemy import func, select

from benchmarks import broadcast, city, replies, rounds, support, turns
from storage.db import session_factory
from storage.models import Idea

pytestmark = pytest.mark.load


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


async def test_turns_answers_every_turn_and_every_resident_shares_an_idea(engine):
    figures = await turns.run(3, url_of(engine), population=20, broadcast=5)
    assert figures["turns"] == 3 * len(turns.SCRIPT)
    assert figures["unanswered"] == figures["sorry"] == 0
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count(Idea.id))) == 3


async def test_broadcast_reaches_everyone_once(engine):
    figures = await broadcast.run(12, latency=0, concurrency=2, database_url=url_of(engine))
    assert (figures["sent"], figures["reached"], figures["repeated"]) == (12, 12, 0)


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)  # instances share an outbox on PostgreSQL
async def test_broadcast_from_two_instances_beside_a_bot_api_of_its_own_reaches_everyone_once(engine):
    figures = await broadcast.run(12, latency=0, concurrency=2, database_url=url_of(engine), instances=2)
    assert (figures["sent"], figures["reached"], figures["repeated"]) == (12, 12, 0)


async def test_city_queues_one_announcement_per_person_in_each_audience(engine):
    figures = await city.run(300, 60, url_of(engine))
    assert 0 < figures["audience targeted"] < figures["audience everyone"] == 300
    assert figures["queued targeted"] == figures["audience targeted"]
    assert figures["queued everyone"] == figures["audience everyone"]


async def test_rounds_reaches_everyone_once_and_keeps_every_answer(engine):
    figures = await rounds.run(40, 5, 50, url_of(engine))
    assert figures["reach"] == figures["queued"] == 40
    assert figures["answers"] == 5 * len(rounds.ANSWERS)
    assert figures["card respondents"] == 40 and figures["report rounds"] == 10


async def test_replies_answers_every_update_once_and_the_broadcast_loses_nothing(engine):
    result = await replies.run(3, 2, url_of(engine), pace=50, broadcast=8, settle=0)
    assert set(result["rows"]) == {
        "Gangmaker, all at once",
        "Gangmaker, paced",
        "Gangmaker, paced, broadcasting",
        "echo bot, all at once",
        "echo bot, paced",
    }
    for row in result["rows"].values():
        assert (row["updates"], row["answered"], row["extra"]) == (6, 6, 0)
    assert result["broadcast"] | {"during_replies": None} == {
        "recipients": 8,
        "during_replies": None,
        "lost": 0,
        "repeated": 0,
    }


async def test_support_keeps_the_counters_in_step_and_tells_every_follower_once(engine):
    figures = await support.run(300, 40, 10, 3000, 120, url_of(engine), runs=5)
    assert figures["supports"] == figures["counted"] == 3000 + figures["taps added"]
    assert figures["queued"] == figures["outbox rows"] == 120
