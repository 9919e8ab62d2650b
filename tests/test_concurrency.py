"""Many residents at once while the scheduler works: every turn is answered, none with "Sorry" (on
SQLite a turn refused with "database is locked" is tried again; on PostgreSQL turns wait for a
connection of the pool DATABASE_POOL_SIZE sets)."""

import asyncio

import pytest
from sqlalchemy import event

from bot.assembly import assemble
from tests.auxil.builders import publish_call
from tests.auxil.chat import Chat, onboard


@pytest.mark.load  # on SQLite a turn refused with "database is locked" is tried again
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_a_hundred_residents_at_once_while_the_scheduler_works_are_all_answered(settings, engine, clock):
    await a_hundred_at_once(await assemble(settings, engine=engine, clock=clock), settings, clock)


@pytest.mark.load
@pytest.mark.dialect  # the pool
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_on_postgresql_a_hundred_at_once_share_the_pool_the_settings_size(settings, engine, clock):
    settings = settings.model_copy(
        update=dict(database_url=engine.url.render_as_string(hide_password=False), database_pool_size=2)
    )
    assembly = await assemble(settings, clock=clock)  # its own engine, from the settings
    open_now, most = 0, 0

    def checkout(*_) -> None:
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)

    def checkin(*_) -> None:
        nonlocal open_now
        open_now -= 1

    event.listen(assembly.engine.sync_engine.pool, "checkout", checkout)
    event.listen(assembly.engine.sync_engine.pool, "checkin", checkin)
    try:
        await a_hundred_at_once(assembly, settings, clock)
    finally:
        await assembly.engine.dispose()
    assert 2 < most <= 6  # 2 kept, and up to twice as many more under load


async def a_hundred_at_once(assembly, settings, clock) -> None:
    engine = assembly.engine
    chats = [Chat(assembly.core, str(5000 + n)) for n in range(100)]
    await asyncio.gather(*(onboard(chat) for chat in chats[:20]))
    await publish_call(engine, settings, clock())
    done = asyncio.Event()

    async def scheduler() -> None:  # the checks and the dispatcher, writing all the time
        while not done.is_set():
            await assembly.jobs.run_due(clock())
            await assembly.dispatcher.tick()

    async def resident(chat: Chat) -> None:
        await onboard(chat)
        await chat.send("/agenda")

    working = asyncio.create_task(scheduler())
    await asyncio.gather(*(resident(chat) for chat in chats[20:]))
    done.set()
    await working
    answers = [reply.text for chat in chats for reply in chat.history]
    assert len(answers) > 1000 and not [text for text in answers if "Sorry" in text]
    assert all("Bankjes bouwen" in chat.text for chat in chats[20:])
