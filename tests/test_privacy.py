"""Privacy: the export of everything stored, and erasure after an explicit yes."""

import json
import sqlite3
from pathlib import Path

import pytest

from storage.models import AuditEvent, Conversation, Idea, Identity, Offer, Person
from tests.auxil.chat import onboard, share_idea
from tests.auxil.database import rows


async def test_my_data_sends_everything_as_json(chat, engine):
    await onboard(chat, name="Anna")
    await share_idea(chat)
    await chat.tap("Klopt")
    await chat.send("/mijngegevens")
    assert "Dit bewaar ik over jou:" in chat.text  # readable, next to the file
    assert "• Je profiel: Anna, Heule" in chat.text and "• Ideeën die je deelde: 1" in chat.text
    assert "Aanbiedingen" not in chat.text  # only what there is
    [document] = chat.documents
    assert document.mime_type == "application/json"
    data = json.loads(document.content)
    assert data["person"]["display_name"] == "Anna"
    assert data["person"]["consent_version"] == "2026-11"
    assert data["identities"][0]["external_id"] == "1001"
    assert data["ideas"][0]["photo"] == "AgAD-photo-42"
    assert [event["kind"] for event in data["audit"]] == ["consent_given"]
    kinds = [event.kind for event in await rows(engine, AuditEvent)]
    assert kinds == ["consent_given", "data_exported"]


async def test_forget_erases_the_person_and_anonymises_ideas(chat, engine):
    await onboard(chat)
    await share_idea(chat)
    await chat.tap("Klopt")
    await chat.send("/tijd")
    await chat.send("4")
    await chat.tap("Weekend")
    await chat.tap("Klaar")
    await chat.send("1/4/2027")
    await chat.tap("Overslaan")
    await chat.tap("Klopt")
    await chat.send("/vergeet")
    assert chat.text.rstrip().endswith("Wil je je gegevens wissen?")
    await chat.tap("Ja, wis mijn gegevens")
    assert "Alles is gewist." in chat.text
    for model in (Person, Identity, Offer, Conversation):
        assert await rows(engine, model) == [], model
    [idea] = await rows(engine, Idea)
    assert (idea.author_id, idea.photo, idea.will_help) == (None, None, False)
    assert idea.idea == "Kleurrijke bankjes die buren samen maken."
    events = await rows(engine, AuditEvent)
    assert [e.kind for e in events] == ["consent_given", "person_erased"]
    assert all(e.person_id is None for e in events)
    assert events[-1].detail == {"version": "2026-11"}
    await chat.send("hallo")
    assert "Is dat goed voor jou?" in chat.text  # a stranger again


async def test_forget_needs_a_clear_yes(chat, engine):
    await onboard(chat)
    await chat.send("/vergeet")
    await chat.send("misschien")
    assert "Kies een van de knoppen." in chat.text
    await chat.tap("Nee, toch niet")
    assert "ik wis niets" in chat.text
    assert len(await rows(engine, Person)) == 1


async def test_privacy_menu_offers_export_and_erasure(chat):
    await onboard(chat)
    await chat.tap("🔒 Privacy")
    await chat.tap("Meer uitleg")
    assert "privacy@kortrijk.be" in chat.text
    await chat.tap("Mijn gegevens")
    assert len(chat.documents) == 1
    await chat.send("/privacy")
    await chat.tap("Alles wissen")
    assert "Wil je je gegevens wissen?" in chat.text


async def test_before_consent_there_is_nothing_to_export_or_erase(chat, engine):
    await chat.send("/mijngegevens")
    assert "Ik heb niets over jou bewaard." in chat.text
    await chat.send("/vergeet")
    assert "Ik heb niets over jou bewaard." in chat.text
    assert await rows(engine, AuditEvent) == []


async def test_before_consent_every_alias_of_export_and_erasure_gets_the_same_answer(chat, engine):
    for command in ("/mydata", "/mesdonnees", "/forget", "/oublier"):
        await chat.send(command)
        assert "Ik heb niets over jou bewaard." in chat.text, command
        assert "Is dat goed voor jou?" not in chat.text
    assert await rows(engine, Person) == []


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_forget_leaves_no_trace_of_the_name_in_the_sqlite_file(chat, engine):
    await onboard(chat, name="Quorinda Vermeulenhof")
    await chat.send("/vergeet")
    await chat.tap("Ja, wis mijn gegevens")
    path = Path(engine.url.database)
    with sqlite3.connect(path) as connection:  # what SQLite does by itself once the log has grown
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for file in (path, path.with_name(path.name + "-wal")):
        assert b"Quorinda" not in (file.read_bytes() if file.exists() else b""), file


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize("language", ["Nederlands", "English", "Français"])
async def test_privacy_and_help_come_in_short_messages_with_more_on_request(chat, language):
    art, time = {
        "Nederlands": ("Kunst en cultuur", "Tijd"),
        "English": ("Art and culture", "Time"),
        "Français": ("Art et culture", "Temps"),
    }[language]
    await onboard(chat, language=language, interests=(art,), contributions=(time,))
    more = {"Nederlands": "Meer uitleg", "English": "Tell me more", "Français": "En savoir plus"}[language]
    for command in ("/privacy", "/help"):
        await chat.send(command)
        assert all(words(reply.text) <= 60 for reply in chat.last), command
        await chat.tap(more)
        assert all(words(reply.text) <= 60 for reply in chat.last), command
        assert chat.text
    await chat.send("/privacy")
    await chat.tap(more)
    assert "privacy@kortrijk.be" in chat.text and "24" in chat.text  # who to ask, how long it is kept
