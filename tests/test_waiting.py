"""What waits for a coordinator: ideas to moderate, partners' calls and rounds to approve, people
who ask to be a partner. One list (/wachtend, and the menu), its count in the coordinator's help."""

from sqlalchemy import update

from handlers.common.domain import CallState, RoundState
from storage.db import session_factory
from storage.models import Call, Idea, Organisation, Round
from tests.auxil.builders import publish_call, publish_round


async def something_of_each(city, engine) -> None:
    """An idea to moderate, a partner's call and a partner's round to approve, and Bert asking to
    be a partner of Buurtwerk."""
    settings = city.bot.assembly.core.settings
    async with session_factory(engine)() as session, session.begin():
        session.add(
            Idea(problem="Het Leieboord is grijs.", idea="Kleurrijke bankjes.", theme="heritage", place="heule")
        )
        session.add(Organisation(name="Buurtwerk"))
    call = await publish_call(engine, settings, city.clock.now, title="Zwerfvuil rapen")
    round_ = await publish_round(engine, settings, city.clock.now, title="Bankjes aan de Leie")
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(Call).where(Call.id == call.id).values(state=CallState.AWAITING))
        await session.execute(update(Round).where(Round.id == round_.id).values(state=RoundState.AWAITING))
    bert = await city.resident(2, "Bert")
    await bert.send("/koppel Buurtwerk")
    assert "verstuurd" in bert.text


async def test_a_coordinator_finds_everything_that_waits_in_one_list(city, engine):
    await something_of_each(city, engine)
    coco = await city.coordinator()
    await coco.send("/help")
    assert "/wachtend – wat op je wacht (4)" in coco.text
    await coco.send("/menu")
    assert coco.button_labels()[0] == "⏳ Wacht op jou (4)"
    await coco.tap("⏳ Wacht op jou (4)")
    shown = coco.text
    assert "Dit wacht op jou (4):" in shown
    for fragment in ("Kleurrijke bankjes.", "Zwerfvuil rapen", "Bankjes aan de Leie", "Bert wil partner worden"):
        assert fragment in shown, fragment
    await coco.tap("Publiceren", coco.message_with("Kleurrijke bankjes."))
    await coco.tap("Goedkeuren", coco.message_with("Bert wil partner worden"))
    await coco.send("/wachtend")
    assert "Dit wacht op jou (2):" in coco.text and "Kleurrijke bankjes." not in coco.text
    await coco.send("/help")
    assert "/wachtend – wat op je wacht (2)" in coco.text


async def test_residents_have_no_waiting_list(city, engine):
    anna = await city.resident(1, "Anna")
    await anna.send("/wachtend")
    assert "Dat commando ken ik niet." in anna.text
    await anna.send("/help")
    assert "/wachtend" not in anna.text
    await anna.send("/menu")
    assert not any("Wacht op jou" in label for label in anna.button_labels())


async def test_on_slack_a_coordinator_opens_the_waiting_list_from_the_app_home(slack, engine):
    fake = slack.fake
    async with session_factory(engine)() as session, session.begin():
        session.add(
            Idea(problem="Het Leieboord is grijs.", idea="Kleurrijke bankjes.", theme="heritage", place="heule")
        )
    await fake.event({"type": "app_home_opened", "user": "UCOCO", "tab": "home", "channel": "DUCOCO"})
    await slack.until(lambda: fake.homes.get("UCOCO"))
    await fake.tap_home("UCOCO", "⏳ Wacht op jou")
    [listed] = await slack.until(lambda: [m for m in fake.dm("UCOCO") if "Dit wacht op jou (1):" in m.text])
    await slack.until(lambda: [m for m in fake.dm("UCOCO") if "Kleurrijke bankjes." in m.text])
    await fake.command("UPIA", "wachtend")  # a partner, no coordinator
    await slack.until(lambda: [m for m in fake.dm("UPIA") if "Je ne connais pas cette commande" in m.text])
