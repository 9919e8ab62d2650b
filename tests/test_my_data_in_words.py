"""/mijngegevens tells only what was really sent, and its file opens with a part a person reads:
the profile with its labels and values in the person's language, before the complete JSON."""

import json
from datetime import UTC, datetime

from sqlalchemy import insert, select

from storage.models import OutboxMessage, Person
from tests.auxil.chat import onboard


async def queue(engine, person_id: int, key: str, state: str, sent: bool) -> None:
    now = datetime(2030, 3, 1, tzinfo=UTC)
    async with engine.begin() as connection:
        await connection.execute(
            insert(OutboxMessage).values(
                key=key,
                person_id=person_id,
                purpose="call",
                payload={},
                not_before=now,
                state=state,
                sent_at=now if sent else None,
            )
        )


async def test_my_data_counts_only_messages_that_left_and_opens_with_labelled_values(chat, engine):
    await onboard(chat, name="Anna")
    async with engine.connect() as connection:
        person_id = (await connection.execute(select(Person.id))).scalar_one()
    await queue(engine, person_id, "held", "held", sent=False)  # waiting for the weekly cap
    await queue(engine, person_id, "pending", "pending", sent=False)  # waiting for quiet hours
    await queue(engine, person_id, "sent", "sent", sent=True)
    await chat.send("/mijngegevens")
    assert "• Berichten die ik je uit mezelf stuurde: 1" in chat.text
    [document] = chat.documents
    data = json.loads(document.content)
    assert list(data)[0] == "in_words"  # the readable part comes first
    words = data["in_words"]
    assert words["profile"]["Buurt"] == "Heule"
    assert words["profile"]["Stille uren"] == "21.00 tot 9.00 uur"  # not 1260
    assert words["profile"]["Thema's"] == "Kunst en cultuur"
    assert "Berichten die ik je uit mezelf stuurde: 1" in " ".join(words["summary"])
    assert data["person"]["quiet_start"] == 21 * 60  # the machine-readable part stays complete
    assert len(data["messages_to_you"]) == 3


async def test_my_data_reads_in_the_persons_language(chat):
    await onboard(chat, name="Amélie", language="Français", interests=("Art et culture",), contributions=("Temps",))
    await chat.send("/mesdonnees")
    [document] = chat.documents
    words = json.loads(document.content)["in_words"]
    assert words["profile"]["Quartier"] == "Heule"
    assert "Voici tout ce que je garde" in words["about"]
