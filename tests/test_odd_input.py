"""Odd input gets a friendly answer, never a crash: Unicode whitespace after a slash, digits
that are not decimal in button data, dates that do not exist, names longer than fit."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.replies import Action
from handlers.common.domain import Role
from storage.models import Idea, Person, RoleGrant
from tests.auxil.chat import onboard
from tests.auxil.database import rows

SORRY = "Sorry, er ging iets mis"


@pytest.mark.parametrize("text", ["/\u00a0", "/\u2003 ", "/", "/²"])
async def test_a_slash_followed_by_odd_characters_is_an_unknown_command(chat, text):
    await onboard(chat)
    await chat.send(text)
    assert SORRY not in chat.text and chat.text


@pytest.mark.parametrize(
    "forged",
    [
        "call|join|²",
        "call|info|٣",
        "offer|withdraw|9999999999",
        "fb|5|¹²",
        "privacy|bogus",
        "profile|bogus",
        "switch|!tap|privacy",
    ],
)
async def test_forged_button_data_with_odd_digits_is_expired_not_a_crash(chat, forged):
    await onboard(chat)
    await chat._deliver(kind="tap", action=Action.decode(forged))
    assert chat.notices == ["Deze knop is verlopen."] and SORRY not in chat.text


async def test_a_date_that_does_not_exist_and_year_one_are_asked_again(chat):
    await onboard(chat)
    await chat.send("/tijd")
    await chat.send("4")
    await chat.send("1, 2")
    for typed in ("29/2/2027", "31/4", "1/1/0001"):
        await chat.send(typed)
        assert SORRY not in chat.text and "Typ een datum" in chat.text
    await chat.send("29/2")  # the next 29 February there is
    assert "Tot wanneer kun je dit aanbieden?" in chat.text


async def test_control_characters_and_nul_are_dropped_so_the_idea_can_be_stored(chat, engine):
    await onboard(chat, name="An\x00na\x07")
    await chat.send("/idee")
    await chat.send("Het Leieboord\x00 is grijs.\x1b")
    await chat.send("Bankjes\u200b\u202e samen maken.")  # zero-width and right-to-left marks are text: they stay
    await chat.send("/overslaan")
    await chat.tap("Design en maken")
    await chat.tap("Kortrijk centrum")
    await chat.tap("Ja")
    await chat.tap("Overslaan")
    await chat.tap("Klopt")
    assert "Je idee is goed aangekomen" in chat.text
    [idea] = await rows(engine, Idea)
    assert idea.problem == "Het Leieboord is grijs." and idea.idea == "Bankjes\u200b\u202e samen maken."
    [person] = await rows(engine, Person)
    assert person.display_name == "Anna"


async def test_a_name_longer_than_the_column_is_kept_to_what_fits(chat, engine):
    """A channel may give a longer name than the 64 characters stored (Slack allows 80): the first
    64 are kept rather than fail the turn."""
    async with async_sessionmaker(engine)() as session, session.begin():
        session.add(
            RoleGrant(
                channel=chat.channel,
                external_id=chat.user_id,
                role=Role.COORDINATOR,
                granted_by="settings",
                granted_at=datetime.now(UTC),
            )
        )
    await chat._deliver(kind="text", text="/start", display_name="Anna-Lies Vandenberghe " * 4)
    assert "Welkom, Anna-Lies" in chat.text and SORRY not in chat.text
    [person] = await rows(engine, Person)
    assert person.display_name == ("Anna-Lies Vandenberghe " * 4)[:64]
