"""Question rounds ("Meedenken"): a coordinator asks, residents who think along answer in the chat,
one question at a time, typed or tapped, and may stop, continue and change their answers."""

import asyncio

import pytest

from bot.assembly import assemble
from bot.replies import Action
from storage.models import RoundAnswer, RoundResponse
from tests.auxil.builders import publish_round
from tests.auxil.chat import Chat, onboard
from tests.auxil.database import rows
from tests.auxil.telegram_user import TelegramUser


async def ask_round(coordinator: TelegramUser, *, now: bool = True) -> None:
    """A coordinator asks three questions about the Leie banks to Heule, up to the summary."""
    await coordinator.send("/vraag")
    await coordinator.send("Bankjes aan de Leie")
    await coordinator.send("We kiezen samen waar de bankjes komen. Met je antwoorden kiezen we de plek.")
    await coordinator.tap("Een schaal van 1 tot 5")
    await coordinator.send("Hoe graag zit je aan het water?")
    await coordinator.send("helemaal niet, heel graag")
    await coordinator.tap("Eén keuze")
    await coordinator.send("Moeten de bankjes een rugleuning hebben?")
    await coordinator.send("Ja, Nee")
    await coordinator.tap("Een kort antwoord")
    await coordinator.send("Waar zou jij een bankje zetten?")
    await coordinator.tap("Overslaan")  # no fourth question
    await coordinator.tap("Heule")
    await coordinator.tap("Klaar")
    await coordinator.send("20/3/2027 18:00")
    await coordinator.tap("Meteen" if now else "Later")


async def test_a_round_reaches_who_thinks_along_and_is_answered_in_the_chat(city, engine):
    anna = await city.resident(1, "Anna", level="Meedenken")
    bert = await city.resident(2, "Bert", level="Meehelpen")
    coordinator = await city.coordinator()
    await ask_round(coordinator)
    assert "Mensen die de vragen krijgen: 1." in coordinator.text
    await coordinator.tap("Klopt")
    assert "Je bevraging is verstuurd. Aantal mensen: 1." in coordinator.text
    await city.tick()
    assert bert.unread_texts() == []
    [card] = anna.unread_texts()
    assert "Bankjes aan de Leie" in card and "We kiezen samen waar de bankjes komen." in card
    await anna.tap("Meedenken")
    assert "Vraag 1 van 3" in anna.text and "Hoe graag zit je aan het water?" in anna.text
    await anna.send("vier")
    assert "Vraag 2 van 3" in anna.text
    await anna.send("ja")
    assert "Vraag 3 van 3" in anna.text and "maximaal 500 tekens" in anna.text
    await anna.send("Aan de brug in Heule")
    assert "Dit zijn je antwoorden:" in anna.text
    await anna.tap("Klopt")
    assert "Bedankt om mee te denken!" in anna.text
    [response] = await rows(engine, RoundResponse)
    assert response.completed_at is not None
    answers = {(a.question, a.option, a.text) for a in await rows(engine, RoundAnswer)}
    assert answers == {(0, 4, None), (1, 0, None), (2, None, "Aan de brug in Heule")}


async def anna_got_a_round(city) -> tuple[TelegramUser, TelegramUser]:
    anna = await city.resident(1, "Anna", level="Meedenken")
    coordinator = await city.coordinator()
    await ask_round(coordinator)
    await coordinator.tap("Klopt")
    await city.tick()
    anna.unread()
    return anna, coordinator


async def answers_in(engine) -> set[tuple[int, int | None, str | None]]:
    return {(a.question, a.option, a.text) for a in await rows(engine, RoundAnswer)}


async def test_who_stops_halfway_goes_on_the_next_day_where_they_were(city, engine):
    anna, _ = await anna_got_a_round(city)
    await anna.tap("Meedenken")
    await anna.tap("2")
    assert await answers_in(engine) == {(0, 2, None)}  # kept as soon as it is given
    await anna.send("/stop")
    assert "Wat je al antwoordde, is bewaard." in anna.text
    city.clock.advance(days=1)
    await anna.send("/agenda")
    await anna.tap("Meedenken", message=anna.message_with("Bankjes aan de Leie"))
    assert "Vraag 2 van 3" in anna.text  # not the first again
    await anna.tap("Nee")
    await anna.tap("Overslaan")  # the open question
    assert "• Hoe graag zit je aan het water?: 2" in anna.text and "(overgeslagen)" in anna.text
    await anna.tap("Klopt")
    assert await answers_in(engine) == {(0, 2, None), (1, 1, None)}


async def test_an_answer_can_be_changed_until_the_round_closes_and_never_counts_twice(city, engine):
    anna, _ = await anna_got_a_round(city)
    await anna.tap("Meedenken")
    await anna.send("5")
    await anna.send("nee")
    await anna.send("Bij de brug")
    await anna.tap("Klopt")
    await anna.send("/agenda")
    await anna.tap("Antwoorden aanpassen", message=anna.message_with("Bankjes aan de Leie"))
    assert "Dit zijn je antwoorden:" in anna.text
    await anna.tap("Aanpassen")
    await anna.tap("Hoe graag zit je aan het water?")
    await anna.send("drie")
    await anna.tap("Klopt")
    assert await answers_in(engine) == {(0, 3, None), (1, 1, None), (2, None, "Bij de brug")}
    assert len(await rows(engine, RoundResponse)) == 1
    city.clock.advance(days=11)
    await city.tick()
    await anna.tap("Antwoorden aanpassen", message=anna.message_with("Bankjes aan de Leie"))
    assert "Deze bevraging is gesloten." in anna.text
    assert await answers_in(engine) == {(0, 3, None), (1, 1, None), (2, None, "Bij de brug")}


async def test_a_round_that_closes_while_someone_answers_keeps_nothing_more(city, engine):
    anna, _ = await anna_got_a_round(city)
    await anna.tap("Meedenken")
    city.clock.advance(days=11)
    await anna.send("4")
    assert "Deze bevraging is gesloten." in anna.text
    assert await answers_in(engine) == set()
    await anna.send("ja")  # the dialogue has ended: no question waits for this
    assert "Vraag" not in anna.text


async def test_forged_taps_on_rounds_are_refused(city, engine):
    anna, coordinator = await anna_got_a_round(city)
    bert = await city.resident(2, "Bert", level="Meehelpen")
    await tap_forged(bert, "round", "answer", 1)  # a round for another audience
    assert bert.toasts == ["Deze knop is verlopen."]
    await tap_forged(anna, "round", "answer", 99)  # a round that does not exist
    assert anna.toasts == ["Deze knop is verlopen."]
    await tap_forged(anna, "round", "delete", 1)  # no such verb
    assert anna.toasts == ["Deze knop is verlopen."]
    await anna.tap("Meedenken")
    token = Action.decode(anna.keyboard_message()["reply_markup"]["inline_keyboard"][0][0]["callback_data"]).args[0]
    await tap_forged(anna, "dlg", "answer", token, "9")  # an option the question does not have
    assert "Vraag 1 van 3" in anna.text
    assert await answers_in(engine) == set()


async def tap_forged(user: TelegramUser, *parts: object) -> None:
    """A tap on data the bot never drew, as a forger sends it, under the newest message."""
    message = user.keyboard_message()
    query = {
        "id": user.fake.new_query_id(user.id),
        "from": user.sender(),
        "chat_instance": f"ci-{user.id}",
        "message": {k: v for k, v in message.items() if k != "_content"},
        "data": Action.of(*parts).encode(),
    }
    await user.deliver({"callback_query": query})


@pytest.mark.dialect  # row locks
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_two_instances_taking_the_same_persons_answer_at_once_keep_one(settings, engine, clock):
    first, second = [await assemble(settings, engine=engine, clock=clock) for _ in range(2)]
    people = [Chat(first.core, str(7000 + n)) for n in range(8)]
    for chat in people:
        await onboard(chat, level="Meedenken")
    round_ = await publish_round(engine, settings, clock())
    for chat in people:
        await chat._deliver(kind="tap", action=Action.of("round", "answer", round_.id))
        assert "Vraag 1 van 3" in chat.text
    await asyncio.gather(
        *(turn for chat in people for turn in (chat.send("2"), Chat(second.core, chat.user_id).send("4")))
    )
    answers = await rows(engine, RoundAnswer)
    assert sorted(a.response_id for a in answers if a.question == 0) == sorted(
        r.id for r in await rows(engine, RoundResponse)
    )
    assert len(await rows(engine, RoundResponse)) == len(people)
