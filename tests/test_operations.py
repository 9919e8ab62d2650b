"""Operating Gangmaker: /healthz with the database up and down, /metrics moving and only for whoever shows
its token, 503s while stopping, the leader."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import ClientSession

from bot.metrics import Metrics
from bot.scheduler import Leadership
from storage.db import create_engine
from tests.auxil.builders import publish_call
from tests.auxil.city import build_city
from tests.auxil.metrics import SHOWN, TOKEN, sample
from tests.auxil.people import add_residents

DEAD_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:1/nothing_here"


def base_url(city) -> str:
    return city.bot.settings.telegram_webhook_url.rsplit("/telegram", 1)[0]


async def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, await response.text()


async def test_health_is_ok_while_the_database_answers_and_503_with_the_reason_when_not(city):
    assert await get(base_url(city) + "/healthz") == (200, '{"status": "ok"}')
    core = city.bot.core
    working, core.engine = core.engine, create_engine(DEAD_DATABASE)
    try:
        status, body = await get(base_url(city) + "/healthz")
    finally:
        await core.engine.dispose()
        core.engine = working
    assert status == 503
    assert '"status": "unavailable"' in body and "database unavailable" in body
    assert (await get(base_url(city) + "/healthz"))[0] == 200


async def test_metrics_show_every_series_and_they_move(city, engine):
    before = (await get(base_url(city) + "/metrics", SHOWN))[1]
    assert sample(before, "gangmaker_updates_handled_total", channel="telegram") == 0
    anna = await city.resident(1, "Anna")
    await anna.send("/help")
    people = await add_residents(engine, city.bot.fake, 5, city.clock(), quiet_start=0, quiet_end=0)
    city.bot.fake.chats[people[0].id].blocked = True
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick(seconds=1)
    status, after = await get(base_url(city) + "/metrics", SHOWN)
    assert status == 200
    assert sample(after, "gangmaker_updates_handled_total", channel="telegram") >= 10  # onboarding taps and texts
    assert sample(after, "gangmaker_turn_seconds_count", channel="telegram") >= 10
    assert sample(after, "gangmaker_replies_sent_total", channel="telegram") >= 10 + 5
    assert sample(after, "gangmaker_outbox_messages", state="sent", purpose="call") == 5  # Anna and four of five
    assert sample(after, "gangmaker_outbox_messages", state="failed", purpose="call") == 1
    assert sample(after, "gangmaker_sends_failed_total", reason="unreachable") == 1
    for family in (
        "gangmaker_rate_limited",
        "gangmaker_job_runs",
        "gangmaker_job_failures",
        "gangmaker_leader",
        "gangmaker_turn_seconds",
    ):
        assert f"# TYPE {family}" in after


async def test_metrics_are_served_only_to_whoever_shows_the_token(city):
    """The backlog per purpose, the host name and the pid are no one else's business."""
    url = base_url(city) + "/metrics"
    for refused in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer " + TOKEN[:-1]},
        {"Authorization": "Bearer " + TOKEN + "x"},
        {"Authorization": "Basic " + TOKEN},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer métrique"},
    ):
        async with ClientSession() as session, session.get(url, headers=refused) as response:
            body = await response.text()
            assert response.status == 401, refused
            assert response.headers["WWW-Authenticate"] == "Bearer"
            assert "gangmaker_" not in body and "instance" not in body
    status, body = await get(url, {"Authorization": "bearer " + TOKEN})  # the scheme is case-insensitive
    assert status == 200 and "# TYPE gangmaker_leader" in body


async def test_without_a_metrics_token_there_are_no_metrics(fake_telegram, engine, clock):
    town = await build_city(fake_telegram, engine, clock, metrics_token=None)
    try:
        for headers in ({}, SHOWN):
            status, body = await get(base_url(town) + "/metrics", headers)
            assert status == 404 and "gangmaker_" not in body
        assert (await get(base_url(town) + "/healthz"))[0] == 200
    finally:
        await town.bot.stop()


async def test_while_stopping_webhooks_answer_503_so_the_platform_retries(city):
    city.bot.assembly.lifecycle.stopping = True
    try:
        async with ClientSession() as session:
            async with session.post(
                city.bot.settings.telegram_webhook_url,
                json={"update_id": 1},
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"},
            ) as response:
                assert response.status == 503
        assert (await get(base_url(city) + "/healthz")) == (503, '{"status": "stopping"}')
    finally:
        city.bot.assembly.lifecycle.stopping = False


@pytest.mark.dialect  # PostgreSQL's advisory locks
async def test_one_instance_leads_and_another_takes_over_when_it_goes(engine):
    if engine.dialect.name != "postgresql":
        first = Leadership(engine, "solo", Metrics())
        assert await first.hold() and first.leading  # SQLite: the only instance leads
        return
    first, second = Leadership(engine, "a", Metrics()), Leadership(engine, "b", Metrics())
    assert await first.hold()
    assert not await second.hold()
    assert await first.hold()  # it keeps the lead
    assert 'gangmaker_leader{instance="b"} 0.0' in (await second.metrics.scrape(None)).decode()
    await first.release()  # a clean shutdown hands over at once
    assert await second.hold() and not await first.hold()
    await second._connection.invalidate()  # its connection dies, as when the process is killed
    second._connection = None
    assert await first.hold()
    assert 'gangmaker_leader{instance="a"} 1.0' in (await first.metrics.scrape(None)).decode()
    await first.release()


@pytest.mark.dialect  # PostgreSQL's advisory locks and idle session time-out
async def test_a_leader_whose_connection_goes_quiet_is_let_go(engine):
    if engine.dialect.name != "postgresql":
        return
    import asyncio

    first, second = Leadership(engine, "a", Metrics(), idle_timeout=0.5), Leadership(engine, "b", Metrics())
    assert await first.hold()
    await asyncio.sleep(1.5)  # its machine froze: no round touched the connection
    assert await second.hold()  # PostgreSQL ended the idle session and with it the lock
    assert not await first.hold()  # and the old leader finds out at its next round
    await second.release()


async def test_an_over_long_request_line_is_refused_with_one_quiet_line_and_no_traceback(city, caplog):
    """Anyone can send a request line past aiohttp's limit: 400, and not an ERROR with a
    traceback each time (the error log and the error tracker would fill with them)."""
    caplog.set_level(logging.DEBUG)
    host, port = base_url(city).removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: gangmaker\r\n\r\n")
        await writer.drain()
        status_line = await reader.readline()
    finally:
        writer.close()
    assert status_line.split(b" ")[1] == b"400"
    served = [record for record in caplog.records if record.name == "aiohttp.server"]  # beside the access log
    assert [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info] == []
    assert len(served) <= 1 and all(len(record.getMessage()) < 200 for record in served)
