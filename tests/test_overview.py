"""The Monday overview built in bounded steps: a resident's turn is answered while it is being built
(SQLite included), a second build repeats nothing, and the calls that fit match the audience's SQL."""

import asyncio
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from benchmarks import city as city_benchmark
from benchmarks import overview as overview_benchmark
from benchmarks.programme import FULL, SMALL
from handlers.calls import jobs
from handlers.calls import overview as calls_overview
from handlers.calls import service as calls
from handlers.common import overview
from storage.db import dialect_name, session_factory
from storage.models import Conversation, OutboxMessage, Person
from storage.repositories import Calls
from tests.auxil.builders import publish_call

MONDAY = datetime(2027, 3, 15, 9, 1, tzinfo=timezone.utc)  # 10:01 in Kortrijk
GUARD = 20  # seconds: only against hanging for ever, never what a test checks


async def digests(engine) -> list[OutboxMessage]:
    async with session_factory(engine)() as session:
        return list(await session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "digest")))


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_a_residents_turn_is_answered_while_the_overview_is_being_built(city, engine, monkeypatch):
    city.clock.now = datetime(2027, 3, 14, 12, 0, tzinfo=timezone.utc)  # Sunday
    subscribers = [await city.resident(n, f"Inwoner {n}", digest=True) for n in range(1, 4)]
    writer = await city.resident(4, "Wim")
    await publish_call(engine, city.bot.settings, city.clock(), themes=["heritage"])
    await city.tick()
    for resident in (*subscribers, writer):
        resident.unread()  # the call itself
    city.clock.now = MONDAY
    monkeypatch.setattr(overview, "BATCH", 1)  # one resident a batch: four batches, three overviews
    events: list[str] = []
    first_batch, turn_done = asyncio.Event(), asyncio.Event()

    async def between(batches: int) -> None:
        events.append(f"batch {batches} committed")
        if batches == 1:
            first_batch.set()
            await asyncio.wait_for(turn_done.wait(), GUARD)  # the build stands still until the turn is done

    monkeypatch.setattr(overview, "between_batches", between)
    building = asyncio.create_task(city.jobs.run_due(city.clock()))
    await asyncio.wait_for(first_batch.wait(), GUARD)
    await writer.send("/idee")  # a turn that writes: the dialogue is stored
    events.append("turn answered")
    turn_done.set()
    done = await asyncio.wait_for(building, GUARD)

    assert done["digest"] == 3
    assert events == ["batch 1 committed", "turn answered", "batch 2 committed", "batch 3 committed"]
    assert "Sorry" not in writer.text
    async with session_factory(engine)() as session:
        writer_id = await session.scalar(select(Person.id).where(Person.display_name == "Wim"))
        assert await session.scalar(select(func.count()).where(Conversation.person_id == writer_id)) == 1
    await city.tick()
    for subscriber in subscribers:
        [text] = subscriber.unread_texts()
        assert "Dit zijn de oproepen van deze week" in text and "Bankjes bouwen" in text


async def test_a_second_build_of_the_same_week_repeats_nothing(city, engine):
    city.clock.now = datetime(2027, 3, 14, 12, 0, tzinfo=timezone.utc)
    await city.resident(1, "Anna", digest=True)
    await publish_call(engine, city.bot.settings, city.clock(), themes=["heritage"])
    await city.tick()
    async with session_factory(engine)() as session, session.begin():
        assert await jobs.digest(session, city.bot.settings, MONDAY) == 1
    overview._built.clear()  # as a restarted process or another instance would: it builds again
    async with session_factory(engine)() as session, session.begin():
        assert await jobs.digest(session, city.bot.settings, MONDAY) == 0
    assert len(await digests(engine)) == 1


async def test_the_calls_that_fit_in_python_are_the_audience_in_sql(engine):
    """`Fitting` (the overview's matching) against `calls.targeting` (publishing's), on the full
    programme's 120 open calls and their varied targeting."""
    await city_benchmark.seed(engine, 600, 0, city_benchmark.MONDAY, programme=FULL)
    async with session_factory(engine)() as session:
        open_calls = await Calls(session).open_for_sign_up(city_benchmark.MONDAY)
        fitting = calls_overview.Fitting(open_calls)
        people = (await session.execute(select(*overview.columns(1, 10**9)))).all()
        checked = 0
        for call in open_calls:
            sql = set(await session.scalars(select(Person.id).where(*calls.targeting(call, dialect_name(session)))))
            python = {
                person.id
                for person in people
                if call.id in fitting.fitting(person)
                and (person.level is None or person.level in ("operational", "both"))
                and person.reachable
                and person.blocked_at is None
            }
            assert python == sql, call.id
            checked += bool(sql)
        assert len(open_calls) == FULL.open and checked > 100


async def test_the_overview_benchmark_builds_every_overview_once_while_residents_write(engine):
    url = engine.url.render_as_string(hide_password=False)
    figures = await overview_benchmark.run(400, 40, url, FULL, writers=2, alone_seconds=0.2)
    assert figures["overview"] == len(await digests(engine)) > 0
    assert figures["during"]["sorry"] == figures["alone"]["sorry"] == 0


async def test_the_city_benchmark_still_builds_the_small_citys_overview(engine):
    figures = await city_benchmark.run(300, 60, engine.url.render_as_string(hide_password=False), SMALL)
    assert figures["overview"] == 100  # the small city: one resident in three asked, every call fits them
