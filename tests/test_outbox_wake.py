"""Publishing starts the background at once, and the person who acted hears first: a commit that
queued work rings the doorbell of the dispatcher and the checks, and a message to the coordinator
goes ahead of the broadcast their call caused."""

import asyncio

from bot.outbox import FIRST, OUTBOX, enqueue
from bot.scheduler import CHECKS, Schedule, wake_checks
from handlers.calls import purposes
from handlers.calls import service as call_service
from storage.db import doorbell, session_factory
from storage.models import Person
from tests.auxil.city import COORDINATOR_ID, sent_per_chat
from tests.auxil.database import rows
from tests.auxil.people import add_residents
from tests.auxil.telegram_user import create_call
from tests.auxil.waiting import wait_until

HOUR = 3600


async def queue_for(engine, settings, now, person: Person, purpose, *, commit: bool = True) -> None:
    """Queue one push for `person` (and say the checks have work), then commit or roll back."""
    async with session_factory(engine)() as session:
        async with session.begin():
            await enqueue(session, settings, key=f"k:{purpose.name}", person=person, purpose=purpose, now=now)
            wake_checks(session)
            if not commit:
                await session.rollback()


async def test_a_commit_that_queued_a_push_rings_the_dispatcher_and_a_rollback_does_not(bot, engine, clock):
    await add_residents(engine, None, 1, clock())
    [anna] = await rows(engine, Person)
    bell = doorbell(engine)
    for name in (OUTBOX, FIRST, CHECKS):
        bell.event(name).clear()
    await queue_for(engine, bot.settings, clock(), anna, purposes.CALL, commit=False)
    assert not any(bell.event(name).is_set() for name in (OUTBOX, FIRST, CHECKS))
    await queue_for(engine, bot.settings, clock(), anna, purposes.CALL)
    assert bell.event(OUTBOX).is_set() and bell.event(CHECKS).is_set()
    assert not bell.event(FIRST).is_set()  # a call is no answer to what its reader did
    bell.event(OUTBOX).clear()
    await queue_for(engine, bot.settings, clock(), anna, purposes.CALL_ANNOUNCED)
    assert bell.event(OUTBOX).is_set() and bell.event(FIRST).is_set()


async def test_publishing_wakes_the_dispatcher_and_the_background_without_waiting_for_their_interval(
    city, engine, fake_telegram, monkeypatch
):
    """The schedule wakes each only once an hour, after its first round: every resident still
    gets the call, and the coordinator hears all were queued, because the publish rang."""
    monkeypatch.setattr(call_service, "ANNOUNCE_BATCH", 10)
    people = await add_residents(engine, fake_telegram, 25, city.clock(), quiet_start=0, quiet_end=0)
    coordinator = await city.coordinator()
    schedule = Schedule(city.jobs, city.dispatcher, city.clock, check_seconds=HOUR, dispatch_seconds=HOUR).start()
    runs = schedule.metrics.job_runs
    try:
        await wait_until(lambda: runs.labels(job="checks")._value.get() and runs.labels(job="dispatch")._value.get())
        await create_call(coordinator, publish_at=None)
        await coordinator.tap("Klopt")
        await wait_until(lambda: all(sent_per_chat(fake_telegram)[p.id] for p in people))
        await wait_until(lambda: told_on_its_way(fake_telegram))
    finally:
        await schedule.stop()
    assert {p.id: sent_per_chat(fake_telegram)[p.id] for p in people} == {p.id: 1 for p in people}
    assert "is onderweg naar iedereen: 25 mensen" in told_on_its_way(fake_telegram)


def told_on_its_way(fake) -> str:
    """The coordinator's message that the call was queued for everyone ("" before it came)."""
    for call in fake.calls_to("sendMessage"):
        if call.params["chat_id"] == COORDINATOR_ID and "is onderweg" in call.params.get("text", ""):
            return call.params["text"]
    return ""


def resident_order(fake, coordinator_id: int) -> tuple[int, int]:
    """Where the coordinator's "onderweg" came among the messages the residents got: how many came before it."""
    before = 0
    for call in fake.calls_to("sendMessage"):
        if call.params["chat_id"] == coordinator_id and "is onderweg" in call.params.get("text", ""):
            return before, len(fake.calls_to("sendMessage"))
        if call.params["chat_id"] != coordinator_id:
            before += 1
    raise AssertionError("the coordinator never heard the call was on its way")


async def test_the_coordinator_hears_the_call_is_on_its_way_before_the_rows_it_queued(
    city, engine, fake_telegram, monkeypatch
):
    monkeypatch.setattr(call_service, "ANNOUNCE_BATCH", 10)
    await add_residents(engine, fake_telegram, 25, city.clock(), quiet_start=0, quiet_end=0)
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Klopt")
    await city.jobs.run_due(city.clock())  # the rest queued, then the coordinator's message
    await city.dispatcher.drain()
    before, _ = resident_order(fake_telegram, COORDINATOR_ID)
    assert before == 0  # queued last, sent first


async def test_the_coordinator_hears_first_even_while_a_batch_of_the_call_is_being_sent(
    city, engine, fake_telegram, monkeypatch
):
    """The dispatcher is sending a claimed batch of 30 when the rest is queued and the coordinator's
    message with it: that message goes ahead of what is left of the batch."""
    monkeypatch.setattr(call_service, "ANNOUNCE_BATCH", 30)
    await add_residents(engine, fake_telegram, 40, city.clock(), quiet_start=0, quiet_end=0)
    coordinator = await city.coordinator()
    await create_call(coordinator, publish_at=None)
    await coordinator.tap("Klopt")
    fake_telegram.send_delay = 0.2
    sending = asyncio.create_task(city.dispatcher.tick())
    await wait_until(lambda: len(fake_telegram.calls_to("sendMessage")) >= 3)
    await city.jobs.run_due(city.clock())  # the last 10 and the coordinator's message, while the batch goes out
    await sending
    await city.dispatcher.drain()
    before, _ = resident_order(fake_telegram, COORDINATOR_ID)
    assert before < 30
