"""Access: buttons forged with other people's ids or the ids of unpublished things are refused
politely and change nothing; only people who took part rate an activity, and only afterwards."""

from datetime import timedelta

import pytest

from bot.assembly import assemble
from bot.config import load_settings
from handlers.calls import service as call_service
from storage.db import session_factory
from storage.models import Call, Feedback, SignUp
from tests.auxil.chat import Chat, onboard, tap
from tests.auxil.database import rows

TITLE, DESCRIPTION = "Geheime werf", "Nog niet bekend: de plek van het nieuwe kunstwerk."


async def add_call(engine, now, state="published", settings=None) -> Call:
    answers = dict(
        title=TITLE,
        description=DESCRIPTION,
        address="Groeningestraat 1",
        neighbourhood="heule",
        needs=["time"],
        starts_at=(now + timedelta(days=3)).isoformat(),
        ends_at=(now + timedelta(days=3, hours=3)).isoformat(),
    )
    async with session_factory(engine)() as session, session.begin():
        call = call_service.new_call(answers, None, now)
        session.add(call)
        await session.flush()
        if state == "published":
            await call_service.publish(session, settings, call, now)
        else:
            call.state = state
    return call


@pytest.mark.parametrize("state", ["draft", "scheduled", "cancelled"])
async def test_an_unpublished_call_cannot_be_read_through_forged_buttons(chat, engine, clock, state):
    await onboard(chat)
    call = await add_call(engine, clock(), state)
    for verb in ("info", "ics", "show", "join"):
        await tap(chat, "call", verb, call.id)
        assert chat.text and not chat.documents, verb
        assert TITLE not in chat.text and DESCRIPTION not in chat.text, verb


async def test_only_people_who_took_part_rate_a_call_and_only_after_it(bot, engine, clock):
    call = await add_call(engine, clock())
    joined, stranger = Chat(bot, "1001"), Chat(bot, "1002")
    for chat in (joined, stranger):
        await onboard(chat)
    await tap(joined, "call", "join", call.id)
    assert "je doet mee" in joined.text
    await tap(joined, "fb", 5, call.id)  # before the activity
    assert joined.notices == ["Deze knop is verlopen."]
    clock.advance(days=4)
    await tap(stranger, "fb", 1, call.id)  # never signed up
    assert stranger.notices == ["Deze knop is verlopen."]
    assert await rows(engine, Feedback) == []
    await tap(joined, "fb", 5, call.id)
    assert "Dank je voor je score!" in joined.text
    assert [(f.rating, f.call_id) for f in await rows(engine, Feedback)] == [(5, call.id)]


async def test_not_now_after_joining_asks_to_give_up_the_place(chat, engine, clock):
    call = await add_call(engine, clock())
    await onboard(chat)
    await tap(chat, "call", "join", call.id)
    await tap(chat, "call", "no", call.id)  # the same card's other button
    assert "Wil je je uitschrijven voor Geheime werf" in chat.text
    await chat.tap("Ja, uitschrijven")
    [sign_up] = await rows(engine, SignUp)
    assert sign_up.state == "cancelled"


async def test_every_coordinator_and_partner_action_is_refused_to_a_resident(engine, clock):
    """Each button route and command that needs a role, tried by a resident with forged data (fast:
    the flood guard is set aside)."""
    settings = load_settings(database_url="sqlite://", flood_limit="1000/minute", _env_file=None)
    bot = (await assemble(settings, engine=engine, clock=clock)).core
    chat = Chat(bot)
    await onboard(chat)
    call = await add_call(engine, bot.clock(), settings=bot.settings)
    guarded = [name for name, route in bot.app.routes.items() if route.role]
    assert {"coord", "att"} <= set(guarded)
    for name in guarded:
        for verb in ("cancel!", "publish", "adopt", "approve", "toggle", "x"):
            await tap(chat, name, verb, call.id)
            assert chat.notices == ["Deze knop is verlopen. Gebruik de knoppen onder het laatste bericht."], (
                name,
                verb,
                chat.last,
            )
    for command in {c.name for c in bot.app.commands if c.role}:
        await chat.send(f"/{command}")
        assert "Dat commando ken ik niet." in chat.text, command
    [stored] = await rows(engine, Call)
    assert (stored.state, stored.cancel_reason) == ("published", None)
