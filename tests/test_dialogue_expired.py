"""A handler that raises `Expired` gets the core's one answer to a button whose row is gone, and
what it wrote before raising is kept, as when it said so itself and returned."""

from dataclasses import replace

import pytest

from bot.app import Command, Route
from bot.core import Gangmaker
from bot.dialogue import Flow, TextStep
from bot.errors import Expired
from bot.replies import Action, Button, Notice
from handlers.app import application
from storage.models import Conversation, Person
from tests.auxil.chat import Chat, onboard
from tests.auxil.database import rows

GONE = "gone"  # the route of a button whose row has disappeared


async def show_button(ctx) -> None:
    ctx.say("Hier is een knop.", [Button("Tik", Action.of(GONE, "show", 12345))])


async def on_gone_button(ctx, tapped: Action) -> None:
    ctx.person.display_name = "Bea"  # written before the handler finds out: it stays
    raise Expired()


async def ask(ctx) -> None:
    await ctx.dialogue.start(ctx, QUESTION)


async def on_done(ctx, answers: dict) -> None:
    ctx.person.display_name = answers["what"]
    raise Expired()


async def fails_at_once(ctx) -> None:
    raise Expired()


QUESTION = Flow(
    name="expired_question", steps=(TextStep(name="what", prompt="Wat?", label="Wat"),), on_done=on_done, confirm=False
)


@pytest.fixture
async def chat(settings, engine, clock):
    app = application(settings)
    app = replace(
        app,
        commands=[
            *app.commands,
            Command(("knop",), show_button),
            Command(("vraag",), ask),
            Command(("mislukt",), fails_at_once),
        ],
        routes={**app.routes, GONE: Route(on_gone_button)},
        flows=[*app.flows, QUESTION],
    )
    chat = Chat(Gangmaker(settings, engine, app, clock))
    await onboard(chat)
    return chat


async def test_a_button_handler_that_raises_expired_says_so_and_keeps_what_it_wrote(chat, engine):
    await chat.send("/knop")
    replies = await chat.tap("Tik")
    assert replies == [Notice("Deze knop is verlopen.")]
    assert [person.display_name for person in await rows(engine, Person)] == ["Bea"]


async def test_a_flow_whose_row_is_gone_when_it_ends_says_so_and_the_dialogue_is_over(chat, engine):
    await chat.send("/vraag")
    assert chat.questions[-1].text == "Wat?"
    replies = await chat.send("Bankjes aan de Leie")
    assert replies == [Notice("Deze knop is verlopen.")]
    assert await rows(engine, Conversation) == []
    assert [person.display_name for person in await rows(engine, Person)] == ["Bankjes aan de Leie"]


async def test_a_command_that_raises_expired_mid_dialogue_says_so_and_returns_to_the_question(chat):
    await chat.send("/vraag")
    replies = await chat.send("/mislukt")
    assert replies[0] == Notice("Deze knop is verlopen.")
    assert chat.questions[-1].text == "We gaan verder waar je was:\n\nWat?"
