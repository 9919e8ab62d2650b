"""Supporting and following, the whole of it as issue 24 tells it: residents browse and back ideas in
the chat, the author hears the day's support in one evening message, a partner sees the count and
takes the idea up, supporters hear who did, followers hear the project move in their own language,
one stops following and hears no more, and a person's backing is in their data and goes with them."""

import json

from storage.models import Idea, Support
from tests.auxil.backing import people, support
from tests.auxil.builders import person_of
from tests.auxil.database import rows
from tests.auxil.town import share_idea, shows, until
from tests.test_projects import partner_of, published_by_coco, until_card, until_home
from tests.test_support_news import pia_steps


async def test_residents_back_an_idea_and_hear_it_become_a_project(town, engine):
    city, slack = town
    slack.add_user("UPIA", "Pia")
    await partner_of(city, "UPIA", "Budascoop")
    anna, published = await published_by_coco(city, slack)  # "Kleurrijke bankjes.", in Marke
    anna.unread()
    bert = await city.resident(1002, "Bert", neighbourhood="Marke")
    await share_idea(bert, idea="Bloembakken aan de Leie.")
    await city.tick()
    [flowers] = [i.id for i in await rows(engine, Idea) if i.idea == "Bloembakken aan de Leie."]
    moderation = next(m for m in reversed(slack.messages) if shows(m, "Bloembakken aan de Leie."))
    await slack.tap("UCOCO", moderation, "Publiceren")
    await until(lambda: shows(moderation, "Gepubliceerd"), slack)
    [benches] = [i.id for i in await rows(engine, Idea) if i.idea == "Kleurrijke bankjes."]

    # 1. Mia browses the ideas near her: she backs the benches and follows the flower boxes; Léa follows the benches.
    mia = await city.resident(1003, "Mia", neighbourhood="Marke")
    await mia.send("/ideeen")
    await mia.tap("Ik steun dit", mia.message_with("Kleurrijke bankjes."))
    await mia.tap("Volgen", mia.message_with("Bloembakken aan de Leie."))
    lea = await city.resident(1004, "Léa", neighbourhood="Marke")
    await lea.send("/language")
    await lea.tap("Français")
    await lea.send("/idees")
    await lea.tap("Suivre", lea.message_with("Kleurrijke bankjes."))
    for neighbour in await people(engine, 4, city.clock()):  # four more back it during the day
        await support(engine, benches, neighbour, city.clock())

    # 2. Anna hears it once, that evening, not five times.
    await city.tick(minutes=30)
    assert anna.unread_texts() == []
    await city.tick(hours=8)  # past 18.00 in Kortrijk
    [told] = anna.unread_texts()
    assert "Kleurrijke bankjes." in told and "5 steunen" in told
    await city.tick(hours=1)
    assert anna.unread_texts() == []

    # 3. Pia sees the count on her App Home, and takes the idea up; its supporters hear who did.
    await slack.event({"type": "app_home_opened", "user": "UPIA", "tab": "home", "channel": "DUPIA"})
    home = json.dumps((await until_home(slack, "UPIA"))["blocks"], ensure_ascii=False)
    assert "5 steunen dit" in home and "Mia" not in home
    city.clock.advance(hours=3)  # the next morning: past everyone's quiet hours
    await slack.tap("UPIA", published, "Wij pakken dit op")
    await until(lambda: shows(published, "Budascoop"), slack)
    await city.tick(hours=12)
    assert any("Budascoop pakt het idee op dat je steunt" in text for text in mia.unread_texts())
    assert any("Budascoop" in text for text in lea.unread_texts())

    # 4. The project moves to prototype: its follower hears it in her own language.
    await until_card(slack, "UPIA", "🛠")
    await pia_steps(city, slack, "Naar prototype", "Vijf bankjes staan een week bij de brug.")
    await city.tick(hours=1)
    [news] = lea.unread_texts()
    assert "prototype" in news and "suivez" in news and "Vijf bankjes" in news
    assert mia.unread_texts() == []  # she backs it but follows the flower boxes, not the benches

    # 5. Léa stops following in her contributions, and hears nothing more.
    await lea.send("/contributions")
    await lea.tap(next(label for label in lea.button_labels() if label.startswith("Ne plus suivre")))
    await pia_steps(city, slack, "Naar testen", "Drie buren testten de bankjes.")
    await city.tick(hours=1)
    assert lea.unread_texts() == []

    # 6. Mia's backing is in her data; when she is forgotten, it goes and the count drops.
    await mia.send("/mijngegevens")
    [document] = [c for c in mia.last if c.method == "sendDocument"]
    data = json.loads(document.params["document"].content)
    assert [row["idea_id"] for row in data["ideas_you_support"]] == [benches]
    assert [row["idea_id"] for row in data["ideas_you_follow"]] == [flowers]
    who = await person_of(engine, mia.id)
    await mia.send("/vergeet")
    await mia.tap("Ja, wis mijn gegevens")
    counted = {i.id: (i.supporters, i.followers) for i in await rows(engine, Idea)}
    assert counted[benches][0] == 4 and counted[flowers][1] == 0
    assert who not in {row.person_id for row in await rows(engine, Support)}
