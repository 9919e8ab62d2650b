"""The console as a person reads it: every button on the screen has its own number, and a number
typed later still means what it said."""

import io

from sqlalchemy import select

from bot.assembly import assemble
from bot.channels.console.channel import Console
from bot.config import load_settings
from storage.db import session_factory
from storage.models import Call, Idea, SignUp
from tests.auxil.builders import publish_call

ONBOARDING = ["1", "Nederlands", "Anna", "Heule", "1", "Erfgoed", "Klaar", "2", "Klaar", "Meehelpen", "Nee", "Klopt"]
TITLES = ("Bankjes bouwen", "Zwerfvuil rapen", "Muurschildering")


async def console(engine, clock, user="anna", settings=None, **terminal):
    """A console for `user` on the test database; returns the channel and what it printed."""
    out = io.StringIO()
    settings = settings or load_settings(database_url="sqlite://", _env_file=None)
    assembly = await assemble(
        settings, engine=engine, clock=clock, channels=[Console(user, io.StringIO(), out, **terminal)]
    )
    return assembly.channels["console"], out


async def type_lines(chat, *lines):
    for line in lines:
        await chat.send(chat.parse(line))


def number_of(printed: str, label: str, after: str) -> str:
    """The number printed before `label` in the part of the output that follows `after`."""
    part = printed.rsplit(after, 1)[1]
    line = next(line for line in part.splitlines() if line.strip().endswith(label))
    return line.strip().split(".", 1)[0]


async def signed_up_for(engine) -> list[str]:
    async with session_factory(engine)() as session:
        joined = await session.scalars(select(Call.title).join(SignUp, SignUp.call_id == Call.id))
        return [title["nl"] for title in joined]


async def test_each_call_of_the_agenda_has_its_own_numbers_and_they_last(engine, clock):
    settings = load_settings(database_url="sqlite://", _env_file=None)
    for title in TITLES:
        await publish_call(engine, settings, clock.now, title=title)
    chat, out = await console(engine, clock)
    await type_lines(chat, "/start", *ONBOARDING, "/agenda")
    second = number_of(out.getvalue(), "Ik doe mee", "Zwerfvuil rapen")
    third = number_of(out.getvalue(), "Ik doe mee", "Muurschildering")
    assert len({"1", second, third}) == 3  # no two buttons on the screen share a number
    await type_lines(chat, second)
    assert await signed_up_for(engine) == ["Zwerfvuil rapen"]
    await type_lines(chat, third)  # typed after the answer: still the third call's button
    assert sorted(await signed_up_for(engine)) == ["Muurschildering", "Zwerfvuil rapen"]


async def test_a_question_starts_again_at_one_and_then_only_its_answers_count(engine, clock):
    settings = load_settings(database_url="sqlite://", _env_file=None)
    for title in TITLES:
        await publish_call(engine, settings, clock.now, title=title)
    chat, out = await console(engine, clock)
    await type_lines(chat, "/start", *ONBOARDING, "/agenda", "/tijd")
    asked = out.getvalue().rsplit("Hoeveel uur", 1)[1]
    assert "  5. " not in asked
    await type_lines(chat, "9")  # the hours asked for, not the third call's "Ik doe mee"
    assert await signed_up_for(engine) == []


async def test_a_moderation_card_that_scrolled_away_is_reached_again_through_the_waiting_list(engine, clock):
    async with session_factory(engine)() as session, session.begin():
        session.add(
            Idea(problem="Het Leieboord is grijs.", idea="Kleurrijke bankjes.", theme="heritage", place="heule")
        )
    settings = load_settings(database_url="sqlite://", coordinator_console_users="coco", _env_file=None)
    chat, out = await console(engine, clock, "coco", settings, rooms=True)  # a console started anew
    await type_lines(chat, "/start", "/help")
    assert "/wachtend – wat op je wacht (1)" in out.getvalue()
    await type_lines(chat, "/menu")
    await type_lines(chat, number_of(out.getvalue(), "Wacht op jou (1)", "Wat wil je doen?"))
    await type_lines(chat, number_of(out.getvalue(), "Publiceren", "Kleurrijke bankjes."))
    async with session_factory(engine)() as session:
        [idea] = (await session.scalars(select(Idea))).all()
    assert idea.state == "published"


async def test_a_number_that_is_not_on_the_screen_is_said_so_instead_of_the_menu(engine, clock):
    settings = load_settings(database_url="sqlite://", _env_file=None)
    await publish_call(engine, settings, clock.now, title="Bankjes bouwen")
    chat, out = await console(engine, clock)
    await type_lines(chat, "/start", *ONBOARDING, "/agenda", "12")
    after = out.getvalue().rsplit("Ik doe mee", 1)[1]
    assert "Nummer 12 staat niet op het scherm." in after and "Wat wil je doen?" not in after
    assert await signed_up_for(engine) == []
