"""The idea card in the coordinators' room: every value labelled, the author's language, a warning
for a phone number or e-mail address, "Lijkt op" only for ideas that are really alike, and a
rejection that reaches a French author with the coordinator's words quoted as theirs."""

import json
from pathlib import Path

import pytest
from sqlalchemy import update

from handlers.ideas.likeness import ALIKE, likeness
from storage.models import Person
from tests.auxil.slack_fixtures import COORDINATORS_ROOM
from tests.auxil.town import card_in, share_idea, shows, until
from tests.test_console_roles import ONBOARDING, terminal

PAIRS = json.loads((Path(__file__).parent / "auxil" / "idea_pairs.json").read_text())["pairs"]


def test_the_likeness_threshold_separates_the_labelled_pairs_in_every_language():
    scored = [(likeness(pair["a"], pair["b"]), pair["similar"], pair["lang"]) for pair in PAIRS]
    assert len(PAIRS) >= 20 and {lang for _, _, lang in scored} == {"nl", "en", "fr"}
    found = [similar for score, similar, _ in scored if score >= ALIKE]
    precision = sum(found) / len(found)
    recall = sum(found) / sum(similar for _, similar, _ in scored)
    assert (precision, recall) == (1.0, 1.0)
    # and not by a hair: the threshold sits in a gap on both sides
    assert max(score for score, similar, _ in scored if not similar) < ALIKE - 0.04
    assert min(score for score, similar, _ in scored if similar) > ALIKE + 0.04


async def test_in_the_console_the_coordinators_card_labels_every_value_and_warns_of_a_phone_number(engine, clock):
    anna, coco = await terminal(engine, clock, "anna"), await terminal(engine, clock, "coco", rooms=True)
    idea = ["/idee", "Het Leieboord is grijs.", "Kleurrijke bankjes. Bel me op 0478 12 34 56."]
    await anna.type(
        "/start", *ONBOARDING, *idea, "Overslaan", "Kinderen en jongeren", "Heule", "Ja", "Overslaan", "Klopt"
    )
    await coco.arrive()
    card = coco.new().rsplit("[#coordinators]", 1)[1]
    for labelled in (
        "Wat ze zien: Het Leieboord is grijs.",
        "Klein uitproberen: –",
        "Thema: Kinderen en jongeren",
        "Plaats: Heule",
        "Helpt zelf mee: Ja",
        "Taal van de indiener: Nederlands",
    ):
        assert labelled in card, labelled
    assert "telefoonnummer of e-mailadres" in card


@pytest.mark.dialect  # the candidates come from full-text search on PostgreSQL, shared words on SQLite
async def test_a_summer_bar_is_not_shown_as_like_a_light_art_idea_but_a_real_twin_is(town):
    city, slack = town
    anna = await city.resident(1001, "Anna")
    await share_idea(
        anna, "Een zomerbar met muziek en drankjes voor de buurt.", problem="In de zomer is er 's avonds niets te doen."
    )
    await city.tick()
    await share_idea(
        anna, "Lichtkunst tussen de bomen in het park.", problem="In de winter is het park 's avonds pikdonker."
    )
    await city.tick()
    light = card_in(slack, COORDINATORS_ROOM, "Idee #2")
    assert not shows(light, "Lijkt op")  # the summer bar shares "avond" with it, and nothing more
    await share_idea(
        anna, "Kunstenaars verlichten de bomen met lichtkunst.", problem="Het park is 's avonds te donker."
    )
    await city.tick()
    twin = card_in(slack, COORDINATORS_ROOM, "Idee #3")
    assert shows(twin, "#2 Lichtkunst tussen de bomen") and not shows(twin, "zomerbar")


async def test_a_french_author_is_named_on_the_card_and_reads_the_reason_as_the_coordinators_words(town, engine):
    city, slack = town
    anna = await city.resident(1001, "Anna")
    await share_idea(anna, "Des bancs au bord de la Lys. Mail: anna@example.org")
    async with engine.begin() as connection:
        await connection.execute(update(Person).values(locale="fr"))
    await city.tick()
    card = card_in(slack, COORDINATORS_ROOM, "Des bancs")
    shown = json.dumps(card.blocks, ensure_ascii=False)
    assert "Taal van de indiener" in shown and "Frans" in shown
    assert "telefoonnummer of e-mailadres" in shown
    await slack.tap("UCOCO", card, "Afwijzen")
    await until(lambda: slack.views, slack)
    [modal] = slack.views.values()
    await slack.submit(
        "UCOCO", modal["id"], {"reason": {"type": "plain_text_input", "value": "Het plein blijft autovrij."}}
    )
    await until(lambda: any("afgewezen door Coco" in m.text for m in slack.in_channel(COORDINATORS_ROOM)), slack)
    await city.tick(hours=3)
    [news] = [text for text in anna.unread_texts() if "Des bancs" in text]
    assert "«\u00a0Het plein blijft autovrij.\u00a0»" in news  # quoted: the coordinator's own words, in their language
    assert "L’explication de la ville" not in news
