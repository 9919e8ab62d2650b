"""A feature is a folder and a line: a `Part` added to the application is served by the core, and
the application refuses a name two parts declare."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import Application, Command, DuplicateDeclaration, Part, Push, Route
from bot.assembly import assemble
from bot.config import Settings, load_settings
from bot.context import Context, Scope
from bot.outbox import Purpose
from bot.replies import Action, Button, Message, Reply
from handlers import calls, people
from handlers.app import PARTS
from handlers.common import pushing
from storage.db import session_factory
from storage.models import OutboxMessage, Person
from tests.auxil.chat import Chat, onboard

GREETING = Purpose("test_greeting", quiet=False)
WAVE = "wave"  # the route of the greeting's button


async def greet(ctx: Context) -> None:
    ctx.say(f"Dag {ctx.person.display_name}!", [Button("Zwaai terug", Action.of(WAVE, "back"))])


async def on_wave(ctx: Context, tapped: Action) -> None:
    await pushing.push(ctx, ctx.person, GREETING, key=f"greeting:{ctx.person.id}")
    ctx.say("Ik zwaai straks terug.")


async def render_greeting(scope: Scope, row: OutboxMessage) -> list[Reply]:
    return [Message(f"👋 van Gangmaker, {scope.person.display_name}.")]


GREETINGS = Part(
    name="greetings",
    commands=(Command(("groet", "greet"), greet, "Groet"),),
    routes={WAVE: Route(on_wave)},
    pushes=(Push(GREETING, render_greeting),),
)


def with_greetings(settings: Settings) -> Application:
    """Gangmaker plus the greetings feature: one more line."""
    return Application.of((*PARTS, GREETINGS), settings)


async def test_a_feature_is_a_folder_and_a_line(engine, clock):
    settings = load_settings(
        database_url="sqlite://", gangmaker_application="tests.test_app:with_greetings", _env_file=None
    )
    bot = (await assemble(settings, engine=engine, clock=clock)).core
    chat = Chat(bot)
    await onboard(chat, name="Noor")

    await chat.send("/groet")
    assert chat.text == "Dag Noor!"
    await chat.tap("Zwaai terug")
    assert chat.text == "Ik zwaai straks terug."

    async with session_factory(engine)() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.purpose == GREETING.name))
        person = await session.get(Person, row.person_id)
        replies = await bot.render_push(session, row, person, None, clock())
    assert [reply.text for reply in replies] == ["👋 van Gangmaker, Noor."]
    assert "groet" in [name for name, _ in bot.app.listed()]


def test_a_name_two_parts_declare_stops_the_start():
    settings = load_settings(database_url="sqlite://", _env_file=None)
    twice = Part(name="copycat", commands=(Command(("nieuw", "idee"), people.PART.commands[0].run),))
    with pytest.raises(DuplicateDeclaration, match="command 'idee' is declared by ideas and by copycat"):
        Application.of((*PARTS, twice), settings)
    with pytest.raises(DuplicateDeclaration, match="purpose 'test_greeting'"):
        Application.of((*PARTS, GREETINGS, Part(name="echo", pushes=GREETINGS.pushes)), settings)
    with pytest.raises(DuplicateDeclaration, match="check 'remind' is declared by calls and by again"):
        Application.of((*PARTS, Part(name="again", checks=calls.PART.checks[3:4])), settings)
    with pytest.raises(DuplicateDeclaration, match="the answer 'menu'"):
        Application.of((*PARTS, Part(name="menu2", menu=people.PART.menu)), settings)


def test_every_part_of_gangmaker_is_declared_once():
    app = Application.of(PARTS, load_settings(database_url="sqlite://", _env_file=None))
    assert len(app.purposes) == len({purpose.name for purpose in app.purposes})
    assert len(app.checks) == len({check.__name__ for check in app.checks})
    assert {part.name for part in PARTS} == {
        "people",
        "ideas",
        "offers",
        "calls",
        "projects",
        "support",
        "rounds",
        "impact",
    }
