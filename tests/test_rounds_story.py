"""The whole of a question round, across channels, as issue 23 tells it: a partner asks in the Slack
modal, a coordinator approves, residents who think along answer on Telegram after their quiet
hours (one stops and goes on the next day, one changes an answer, one types "vier"), the live card
counts with small groups hidden, the partner writes what they will do, everyone who answered hears
it in their own language, and the public page, the report and the person's own data show it."""

import json

import aiohttp

from storage.models import Identity, Round, RoundAnswer, RoundResponse
from tests.auxil.database import rows
from tests.auxil.people import add_residents
from tests.auxil.slack_fixtures import COORDINATORS_ROOM, PARTNERS_ROOM
from tests.auxil.telegram_user import TelegramUser
from tests.auxil.town import card_in, until
from tests.test_projects import adopted_by_pia, until_card
from tests.test_round_results import seen
from tests.test_rounds_asking import ROUND

THOUGHTS = "We zetten drie bankjes aan de brug, met een rugleuning. In mei staan ze er."


def first_button(user: TelegramUser) -> str:
    return user.button_labels(user.message_with("Bankjes aan de Leie"))[0]


async def answers(user: TelegramUser, scale: str, back: str, where: str, *, done: bool = True) -> None:
    await user.tap(first_button(user), user.message_with("Bankjes aan de Leie"))
    for given in (scale, back, where):
        await user.send(given)
    if done:
        await user.tap(user.button_labels()[0])  # "Klopt", in their language


async def test_a_partners_round_from_the_modal_to_what_was_done_with_it(town, engine):
    city, slack = town
    await adopted_by_pia(city, slack)  # Budascoop's project for Marke, in "verkennen"
    now = city.clock()
    fake = city.bot.fake
    dutch = await add_residents(engine, fake, 24, now, first_id=50_000, neighbourhood="marke", level="strategic")
    english = await add_residents(
        engine, fake, 3, now, first_id=60_000, neighbourhood="marke", level="strategic", locale="en"
    )
    french = await add_residents(
        engine, fake, 3, now, first_id=70_000, neighbourhood="marke", level="strategic", locale="fr"
    )
    helping = await add_residents(engine, fake, 2, now, first_id=80_000, neighbourhood="marke", level="operational")

    # 1. Pia prepares three questions in the modal in the evening; Coco approves them.
    city.clock.advance(hours=11, minutes=30)  # 21:30 in Kortrijk: everyone's quiet hours
    project = await until_card(slack, "UPIA", "🛠")
    await slack.tap("UPIA", project, "Vragen stellen")
    await until(lambda: slack.views, slack)
    [view] = slack.views.values()
    marke = {"type": "multi_static_select", "selected_options": [{"value": "marke"}]}
    await slack.submit("UPIA", view["id"], {**ROUND, "target_neighbourhoods": marke})
    await until(lambda: any("wacht nu op een coördinator" in m.text for m in slack.dm("UPIA")), slack)
    await city.tick()
    approval = card_in(slack, COORDINATORS_ROOM, "Bankjes aan de Leie")
    await slack.tap("UCOCO", approval, "Goedkeuren")
    await until(lambda: "Goedgekeurd door Coco" in seen(approval), slack)

    # 2. The 30 who think along get it after their quiet hours; who only helps does not.
    await city.tick()
    people = dutch + english + french
    assert all(user.unread_texts() == [] for user in people)
    await city.tick(hours=11, minutes=35)  # 9:05 the next morning
    assert all(any("Bankjes aan de Leie" in text for text in user.unread_texts()) for user in people)
    assert all(user.unread_texts() == [] for user in helping)

    # 3. Twelve answer: one types "vier", one stops halfway and goes on the next day, one changes an answer.
    await answers(dutch[0], "vier", "ja", "Aan de brug")
    for user in dutch[1:8]:
        await answers(user, "4", "ja", "Bij de brug")
    await answers(english[0], "5", "yes", "By the bridge")
    await answers(french[0], "5", "oui", "Près du pont")
    await answers(dutch[8], "2", "nee", "Op de markt", done=False)  # changes it at the summary
    await dutch[8].tap("Aanpassen")
    await dutch[8].tap("Hoe graag zit je aan het water?")
    await dutch[8].send("3")
    await dutch[8].tap("Klopt")
    halfway = dutch[9]
    await halfway.tap("Meedenken", halfway.message_with("Bankjes aan de Leie"))
    await halfway.send("1")
    await halfway.send("nee")  # and then nothing, until tomorrow
    await city.tick(days=1)
    await halfway.send("Aan de kerk")
    await halfway.tap("Klopt")
    [answered] = [r for r in await rows(engine, RoundResponse) if r.person_id == (await person_of(engine, halfway))]
    assert answered.completed_at is not None
    scale = sorted(a.option for a in await rows(engine, RoundAnswer) if a.question == 0)
    assert scale == [1, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5]  # twelve; the changed answer counts once, as 3

    # 4. The live card counts, with small groups hidden, in both rooms.
    await city.tick(minutes=1)
    for room in (COORDINATORS_ROOM, PARTNERS_ROOM):
        shown = seen(card_in(slack, room, "Bankjes aan de Leie"))
        assert '{"emoji": false, "text": "12"' in shown
        assert "Nee: < 5" in shown and "Ja: verborgen" in shown  # 2 said no: hidden, and so is 12 - 2
        assert "1 · helemaal niet: < 5" in shown and "2: 0" in shown and "3: < 5" in shown
        assert "4: verborgen" in shown and "5 · heel graag: < 5" in shown  # 1 + 1 + 2 < 5: the 8 too

    # 5. The round closes; Pia writes what Budascoop will do.
    await city.tick(days=13)  # past its closing time, 24 March
    [round_] = await rows(engine, Round)
    assert round_.state == "closed"
    closed = next(m for m in reversed(slack.dm("UPIA")) if "is gesloten" in m.text)
    await slack.tap("UPIA", closed, "Wat we ermee doen")
    await until(lambda: len(slack.views) > 1, slack)
    outcome = list(slack.views.values())[-1]
    await slack.submit("UPIA", outcome["id"], {"outcome": {"type": "plain_text_input", "value": THOUGHTS}})
    await until(lambda: any("Verstuurd." in m.text for m in slack.dm("UPIA")), slack)

    # 6. Everyone who answered is told, in their own language; nobody else.
    await city.tick()
    told = {user.id: "\n".join(user.unread_texts()) for user in people}
    assert [user.id for user in people if THOUGHTS in told[user.id]] == [
        user.id for user in [*dutch[:10], english[0], french[0]]
    ]
    assert "Thank you!" in told[english[0].id] and "Merci" in told[french[0].id]

    # 7. The public page and the report show the round.
    async with aiohttp.ClientSession() as client:
        async with client.get(f"http://127.0.0.1:{city.bot.settings.port}/impact") as response:
            page = await response.text()
    assert "Bankjes aan de Leie" in page and "We zetten drie bankjes aan de brug" in page
    coordinator = await city.coordinator()
    await coordinator.send("/rapport")
    assert "Bevragingen: 1, met 12 antwoorden. Bij 1 schreven we wat we ermee doen." in coordinator.text

    # 8. A resident's answers are in /mijngegevens; /vergeet takes them from her.
    anna = dutch[0]
    await anna.send("/mijngegevens")
    [document] = [c for c in anna.last if c.method == "sendDocument"]
    data = json.loads(document.params["document"].content)
    [mine] = data["round_answers"]
    assert mine["round"] == "Bankjes aan de Leie" and "Aan de brug" in json.dumps(mine, ensure_ascii=False)
    who = await person_of(engine, anna)
    await anna.send("/vergeet")
    await anna.tap("Ja, wis mijn gegevens")
    kept = await rows(engine, RoundResponse)
    assert who not in {response.person_id for response in kept} and len(kept) == 12  # counted, without her
    assert "Aan de brug" not in {a.text for a in await rows(engine, RoundAnswer)}


async def person_of(engine, user: TelegramUser) -> int:
    [identity] = [i for i in await rows(engine, Identity) if i.external_id == str(user.id)]
    return identity.person_id
