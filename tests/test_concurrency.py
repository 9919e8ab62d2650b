"""Many residents at once on one SQLite file while the scheduler works: every turn is answered,
none with "Sorry" (a turn SQLite refuses with "database is locked" is tried again)."""
import asyncio

import pytest

from bot.assembly import assemble
from tests.auxil.chat import Chat, onboard
from tests.test_outbox import publish_call


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_a_hundred_residents_at_once_while_the_scheduler_works_are_all_answered(settings, engine, clock):
    assembly = await assemble(settings, engine=engine, clock=clock)
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
