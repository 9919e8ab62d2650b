"""The outbox under load and failure: nothing lost, nothing sent twice, within Telegram's limits."""

import asyncio
import io
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from bot.assembly import assemble
from bot.channels.console.channel import Console
from bot.config import load_settings
from bot.replies import Message
from handlers.calls import service as call_service
from storage.models import Identity, OutboxMessage
from tests.auxil.builders import publish_call
from tests.auxil.city import build_city, sent_per_chat
from tests.auxil.database import rows
from tests.auxil.fake_telegram import DROP, GATEWAY_PAGE
from tests.auxil.faults import failing
from tests.auxil.people import add_residents
from tests.auxil.telegram_user import create_call
from tests.auxil.waiting import wait_until


async def test_a_broadcast_reaches_everyone_once(city, engine, fake_telegram):
    people = await add_residents(engine, fake_telegram, 40, city.clock())
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    assert sent_per_chat(fake_telegram) == Counter({p.id: 1 for p in people})
    states = Counter(row.state for row in await rows(engine, OutboxMessage))
    assert states == Counter({"sent": 40})
    assert all(row.message_id for row in await rows(engine, OutboxMessage))


async def test_a_crash_mid_broadcast_resumes_without_doubles(city, engine, fake_telegram):
    people = await add_residents(engine, fake_telegram, 40, city.clock())
    await publish_call(engine, city.bot.settings, city.clock())
    crashing = asyncio.create_task(city.dispatcher.tick())
    while len(fake_telegram.calls_to("sendMessage")) < 15:
        await asyncio.sleep(0.005)
    crashing.cancel()  # the process dies here, mid-send
    await asyncio.gather(crashing, return_exceptions=True)
    delivered = sent_per_chat(fake_telegram)
    assert 15 <= sum(delivered.values()) < 40

    restarted = city.bot.assembly.new_dispatcher()
    city.clock.advance(minutes=3)  # past the lease of the rows that were in flight
    await restarted.drain()
    counts = sent_per_chat(fake_telegram)
    assert set(counts) == {p.id for p in people}
    doubles = [chat for chat, n in counts.items() if n > 1]
    assert len(doubles) <= 1  # at most the one message in flight at the kill
    assert all(n <= 2 for n in counts.values())
    assert Counter(row.state for row in await rows(engine, OutboxMessage)) == Counter({"sent": 40})


async def test_429_is_honoured_and_every_message_arrives(city, engine, fake_telegram):
    people = await add_residents(engine, fake_telegram, 30, city.clock())
    fake_telegram.rate_per_second = 10
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    for _ in range(10):
        if len(sent_per_chat(fake_telegram)) == 30:
            break
        city.clock.advance(seconds=5)
        await city.dispatcher.drain()
    assert fake_telegram.refused(429)
    assert sent_per_chat(fake_telegram) == Counter({p.id: 1 for p in people})


async def test_server_errors_are_retried_later(city, engine, fake_telegram):
    [person] = await add_residents(engine, fake_telegram, 1, city.clock())
    fake_telegram.failures["sendMessage"] = [500, 502]
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    [row] = await rows(engine, OutboxMessage)
    assert row.state == "pending" and row.not_before > city.clock()
    assert sent_per_chat(fake_telegram) == Counter()
    await city.tick(seconds=31)
    assert sent_per_chat(fake_telegram) == Counter()  # the 502
    await city.tick(seconds=31)
    assert sent_per_chat(fake_telegram) == Counter({person.id: 1})
    [row] = await rows(engine, OutboxMessage)
    assert (row.state, row.attempts) == ("sent", 3)


async def test_a_blocked_person_is_marked_unreachable_and_skipped_after(city, engine, fake_telegram):
    first, second = await add_residents(engine, fake_telegram, 2, city.clock())
    first.chat.blocked = True
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    identities = {i.external_id: i.reachable for i in await rows(engine, Identity)}
    assert identities == {str(first.id): False, str(second.id): True}
    await publish_call(engine, city.bot.settings, city.clock(), title="Tweede oproep")
    await city.tick()
    assert sent_per_chat(fake_telegram) == Counter({second.id: 2})
    assert [c.status for c in fake_telegram.calls if c.params.get("chat_id") == first.id] == [403]


@pytest.mark.dialect  # FOR UPDATE SKIP LOCKED
async def test_two_dispatchers_share_the_work_on_postgresql(city, engine, fake_telegram):
    if engine.dialect.name != "postgresql":
        pytest.skip("several dispatching instances need PostgreSQL (FOR UPDATE SKIP LOCKED)")
    people = await add_residents(engine, fake_telegram, 60, city.clock())
    await publish_call(engine, city.bot.settings, city.clock())
    other = city.bot.assembly.new_dispatcher()
    sent = await asyncio.gather(city.dispatcher.drain(), other.drain())
    assert sum(sent) == 60
    assert sent_per_chat(fake_telegram) == Counter({p.id: 1 for p in people})


async def test_quiet_hours_hold_a_broadcast_until_morning(city, engine, fake_telegram):
    city.clock.now = datetime(2027, 3, 10, 21, 30, tzinfo=timezone.utc)  # 22:30 in Kortrijk
    [person] = await add_residents(engine, fake_telegram, 1, city.clock())
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    await city.tick(hours=9)  # 07:30 local
    assert sent_per_chat(fake_telegram) == Counter()
    await city.tick(hours=1, minutes=31)  # 09:01 local
    assert sent_per_chat(fake_telegram) == Counter({person.id: 1})


async def test_no_more_than_the_weekly_cap(city, engine, fake_telegram):
    [person] = await add_residents(engine, fake_telegram, 1, city.clock())
    for number in range(5):
        await publish_call(engine, city.bot.settings, city.clock(), title=f"Oproep {number}")
    await city.tick()
    assert sent_per_chat(fake_telegram) == Counter({person.id: city.bot.settings.push_weekly_cap})
    city.clock.advance(days=8)
    await publish_call(engine, city.bot.settings, city.clock(), title="Volgende week")
    await city.tick()
    assert sent_per_chat(fake_telegram)[person.id] == city.bot.settings.push_weekly_cap + 1


async def test_a_person_without_quiet_hours_gets_a_late_call_at_once(city, engine, fake_telegram):
    city.clock.now = datetime(2027, 3, 10, 21, 30, tzinfo=timezone.utc)  # 22:30 in Kortrijk
    anna = await city.resident(1, "Anna")
    await anna.send("/profiel")
    assert "• Stille uren: 21.00 tot 9.00 uur" in anna.text
    await anna.tap("Stille uren")
    await anna.tap("Geen stille uren")
    assert "• Stille uren: Geen stille uren" in anna.text
    await publish_call(engine, city.bot.settings, city.clock(), themes=["heritage"])
    await city.tick()
    assert "📣 Bankjes bouwen" in anna.unread_texts()[0]


async def test_each_console_on_one_database_takes_only_its_own_persons_messages(engine, clock):
    """One console per local person on one database: each shows its own person's pushes at once,
    and leaves the others' untouched for their own console (no lease, no attempt counted)."""
    settings = load_settings(database_url="sqlite://", _env_file=None)
    shown = {user: io.StringIO() for user in ("anna", "bert")}
    consoles = {
        user: await assemble(settings, engine=engine, clock=clock, channels=[Console(user, io.StringIO(), out)])
        for user, out in shown.items()
    }
    for user, assembly in consoles.items():
        chat = assembly.channels["console"]
        for line in [
            "/start",
            "Ja, dat is goed",
            "Nederlands",
            user,
            "Heule",
            "1",
            "Erfgoed",
            "Klaar",
            "2",
            "Klaar",
            "Meehelpen",
            "Nee",
            "Klopt",
        ]:
            await chat.send(chat.parse(line))
    await publish_call(engine, settings, clock())
    assert await consoles["bert"].dispatcher.tick() == 1
    assert "📣 Bankjes bouwen" in shown["bert"].getvalue() and "Bankjes" not in shown["anna"].getvalue()
    annas = [row for row in await rows(engine, OutboxMessage) if row.state != "sent"]
    assert [(row.state, row.attempts) for row in annas] == [("pending", 0)]
    assert await consoles["anna"].dispatcher.tick() == 1
    assert "📣 Bankjes bouwen" in shown["anna"].getvalue()


async def test_calls_past_the_weekly_cap_wait_for_mondays_overview_and_the_coordinator_sees_it(
    city, engine, fake_telegram
):
    city.clock.now = datetime(2027, 3, 3, 12, 0, tzinfo=timezone.utc)  # a Wednesday
    [person] = await add_residents(engine, fake_telegram, 1, city.clock())
    cap = city.bot.settings.push_weekly_cap
    far = {
        "starts_at": (city.clock() + timedelta(days=20)).isoformat(),
        "ends_at": (city.clock() + timedelta(days=20, hours=2)).isoformat(),
    }
    for number in range(cap):
        await publish_call(engine, city.bot.settings, city.clock(), title=f"Oproep {number}", **far)
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Klopt")
    assert "Je oproep gaat naar 1 persoon." in coordinator.text  # not sent: held for Monday
    assert "• In het overzicht van maandag, omdat ze deze week al genoeg berichten kregen: 1." in coordinator.text
    await city.tick()
    assert sent_per_chat(fake_telegram)[person.id] == cap  # the new call is not sent past the cap
    city.clock.now = datetime(2027, 3, 8, 9, 1, tzinfo=timezone.utc)  # Monday 10:01 in Kortrijk
    await city.tick()
    overview = [c.params["text"] for c in fake_telegram.calls_to("sendMessage") if c.params["chat_id"] == person.id][-1]
    assert "Dit zijn de oproepen van deze week" in overview and "Bankjes bouwen aan de Leie" in overview
    await coordinator.send("/oproepen")
    await coordinator.tap("#4 Bankjes bouwen aan de Leie")
    assert "• In het overzicht van maandag" in coordinator.text


async def test_a_call_held_for_the_overview_stays_out_of_it_once_the_person_chooses_only_to_think(
    city, engine, fake_telegram
):
    city.clock.now = datetime(2027, 3, 3, 12, 0, tzinfo=timezone.utc)  # a Wednesday
    [person] = await add_residents(engine, fake_telegram, 1, city.clock())
    far = {
        "starts_at": (city.clock() + timedelta(days=20)).isoformat(),
        "ends_at": (city.clock() + timedelta(days=20, hours=2)).isoformat(),
    }
    for number in range(city.bot.settings.push_weekly_cap + 1):  # the last one waits for Monday
        await publish_call(engine, city.bot.settings, city.clock(), title=f"Oproep {number}", **far)
    await city.tick()
    await person.send("/profiel")
    await person.tap("Meedenken of meehelpen")
    await person.tap("Meedenken")
    person.unread()
    city.clock.now = datetime(2027, 3, 8, 9, 1, tzinfo=timezone.utc)  # Monday 10:01 in Kortrijk
    await city.tick()
    assert person.unread() == []


async def test_an_html_error_page_is_retried_later_with_a_short_reason(city, engine, fake_telegram):
    [person] = await add_residents(engine, fake_telegram, 1, city.clock())
    fake_telegram.failures["sendMessage"] = [GATEWAY_PAGE]
    await publish_call(engine, city.bot.settings, city.clock())
    await city.tick()
    [row] = await rows(engine, OutboxMessage)
    assert (row.state, row.attempts) == ("pending", 1) and "504" in row.last_error and len(row.last_error) <= 255
    await city.tick(seconds=31)
    assert sent_per_chat(fake_telegram) == Counter({person.id: 1})


async def test_a_push_that_may_have_arrived_is_not_sent_again(city, engine, fake_telegram):
    [person] = await add_residents(engine, fake_telegram, 1, city.clock())
    fake_telegram.failures["sendMessage"] = [DROP]  # Telegram sent it; its answer was lost on the way
    await publish_call(engine, city.bot.settings, city.clock())
    for _ in range(3):
        await city.tick(seconds=31)
    assert len(fake_telegram.chats[person.id].messages) == 1  # at most once: no second copy
    [row] = await rows(engine, OutboxMessage)
    assert row.state == "sent" and "may not have arrived" in row.last_error


async def test_a_database_error_while_preparing_a_push_leaves_it_pending(city, engine, fake_telegram):
    [person] = await add_residents(engine, fake_telegram, 1, city.clock())
    await publish_call(engine, city.bot.settings, city.clock())
    # Reading the person fails when the batch is prepared, and again when the row is tried on its own.
    with failing(engine, statements=2, only="FROM person \nWHERE person.id IN") as failed:
        await city.tick()
    [row] = await rows(engine, OutboxMessage)
    assert len(failed) == 2 and row.state == "pending"
    await city.tick(seconds=31)
    assert sent_per_chat(fake_telegram) == Counter({person.id: 1})


async def test_a_big_call_is_announced_in_batches_and_its_coordinator_hears_when_all_are_queued(
    city, engine, fake_telegram, monkeypatch
):
    monkeypatch.setattr(call_service, "ANNOUNCE_BATCH", 10)
    people = await add_residents(engine, fake_telegram, 25, city.clock(), quiet_start=0, quiet_end=0)
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Klopt")
    assert "Je oproep is verstuurd naar 25 mensen." in coordinator.text
    assert len(await rows(engine, OutboxMessage)) == 10  # the first batch, in the coordinator's turn
    await city.tick()  # the rest in the background, a batch per transaction
    sent = sent_per_chat(fake_telegram)
    assert Counter({p.id: sent[p.id] for p in people}) == Counter({p.id: 1 for p in people})
    assert (
        coordinator.unread_texts()[-1] == "Je oproep “Bankjes bouwen aan de Leie” is onderweg naar iedereen: 25 mensen."
    )


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # the channel's order, whatever the database
async def test_a_reply_during_a_broadcast_goes_before_the_pushes_still_waiting(city, engine, fake_telegram):
    """While a reply is being sent, no push starts: no push reaches Telegram between the reply's
    arrival and its answer (each request takes 0.2 s, so a push let through would land in between)."""
    anna = await city.resident(1001, "Anna")
    people = await add_residents(engine, fake_telegram, 60, city.clock(), quiet_start=0, quiet_end=0)
    await publish_call(engine, city.bot.settings, city.clock())
    fake_telegram.send_delay = 0.2
    broadcasting = asyncio.create_task(city.dispatcher.drain())
    await wait_until(
        lambda: len([c for c in fake_telegram.calls_to("sendMessage") if c.params["chat_id"] != 1001]) >= 8
    )
    for _ in range(2):
        await anna.send("/help")
    await broadcasting
    replies = [c for c in fake_telegram.calls_to("sendMessage") if c.params["text"].startswith("Zo werk ik")]
    pushed = [c for c in fake_telegram.calls_to("sendMessage") if c.params["chat_id"] != 1001]
    assert len(replies) == 2 and len(pushed) == 60
    for reply in replies:
        during = [c.params["chat_id"] for c in pushed if reply.arrived < c.arrived < reply.answered]
        assert during == [], "a push started while Anna was answered"
    counts = sent_per_chat(fake_telegram)
    assert all(counts[p.id] == 1 for p in people)
    assert len([c for c in fake_telegram.calls_to("sendMessage") if c.params["text"].startswith("Zo werk ik")]) == 2


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # the channel's limits, whatever the database
async def test_a_reply_waits_for_no_push_while_a_broadcast_wants_all_of_telegrams_rate(fake_telegram, engine, clock):
    """Telegram takes 12 a second and the broadcast wants 11 of them: pushes leave room for the
    next reply, so replies go out at once (a push queued ahead would cost a reply 90 ms)."""
    fake_telegram.rate_per_second = 12
    city = await build_city(fake_telegram, engine, clock, telegram_rate=12, telegram_broadcast_rate=11)
    try:
        anna = await city.resident(1001, "Anna")
        people = await add_residents(engine, fake_telegram, 40, clock(), quiet_start=0, quiet_end=0)
        await publish_call(engine, city.bot.settings, clock())
        broadcasting = asyncio.create_task(city.dispatcher.drain())
        while len(sent_per_chat(fake_telegram)) < 10:
            await asyncio.sleep(0.01)
        waits = city.bot.assembly.core.metrics.registry.get_sample_value

        def replies(le: str | None = None) -> float:
            labels = dict(channel="telegram", kind="reply")
            if le is None:
                return waits("gangmaker_flood_limit_wait_seconds_count", labels)
            return waits("gangmaker_flood_limit_wait_seconds_bucket", labels | dict(le=le))

        before, before_at_once = replies(), replies("0.025")
        for _ in range(6):
            await anna.send("/help")
            await asyncio.sleep(0.2)
        await broadcasting
        assert replies() - before == 6
        assert replies("0.025") - before_at_once == 6  # none waited for a push
        assert waits("gangmaker_flood_limit_wait_seconds_count", dict(channel="telegram", kind="push")) >= 40
        assert not fake_telegram.refused(429)
        assert all(sent_per_chat(fake_telegram)[p.id] == 1 for p in people)
    finally:
        await city.bot.stop()


async def test_a_reply_kept_for_later_goes_before_a_broadcast_queued_earlier(city, engine, fake_telegram):
    """A reply Telegram would not take waits for nobody: not behind a call to 30 people."""
    anna = await city.resident(1001, "Anna")
    await add_residents(engine, fake_telegram, 30, city.clock(), quiet_start=0, quiet_end=0)
    await publish_call(engine, city.bot.settings, city.clock())
    city.clock.advance(seconds=1)
    await city.bot.assembly.core.keep_for_later("telegram", "1001", [Message("Wat is je idee?")])
    sent_before = len(fake_telegram.calls_to("sendMessage"))
    await city.tick()
    first = fake_telegram.calls_to("sendMessage")[sent_before]
    assert (first.params["chat_id"], first.params["text"]) == (anna.id, "Wat is je idee?")
