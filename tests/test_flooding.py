"""Flooding: one person sending far too much is told once and not read for a while; nobody else waits."""

from bot.assembly import assemble
from bot.config import load_settings
from tests.auxil.chat import Chat

NOTICE = "Je stuurt veel berichten kort na elkaar."


async def test_a_flood_is_told_once_and_everyone_else_is_answered(engine, clock):
    settings = load_settings(database_url="sqlite://", flood_limit="10/minute", _env_file=None)
    bot = (await assemble(settings, engine=engine, clock=clock)).core
    flooder, neighbour = Chat(bot, "1001"), Chat(bot, "1002")
    answers = [await flooder.send(f"hallo {n}") for n in range(30)]
    assert all(answer and NOTICE not in answer[0].text for answer in answers[:10])
    assert NOTICE in answers[10][0].text
    assert answers[11:] == [[]] * 19  # told once; not read, not stored
    await neighbour.send("hallo")
    assert "Is dat goed voor jou?" in neighbour.text
