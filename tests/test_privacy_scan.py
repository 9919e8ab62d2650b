"""Privacy, checked against the whole database: `/mijngegevens` holds every row that refers to
the person, and after `/vergeet` no table holds their name, chat id or what they typed, except
the idea texts the privacy text says stay (without a name)."""

import json

from sqlalchemy import select

from bot.replies import Action
from storage.models import Base
from tests.auxil.builders import publish_call, publish_round
from tests.auxil.chat import Chat, onboard, tap

NAME, CHAT_ID = "Zephyrine Vandewalle", "7318429"
TYPED = (
    "Het Leieboord is grijs en de buren zitten er nooit.",
    "Kleurrijke bankjes die buren samen maken.",
    "Meer gereedschap graag, en koffie.",
    "Aan de brug bij de bakker van Zephyrine.",
)
# Where each table that refers to a person shows up in the export, by the column that refers.
EXPORTED = {
    ("person", "id"): "person",
    ("identity", "person_id"): "identities",
    ("idea", "author_id"): "ideas",
    ("offer", "person_id"): "offers",
    ("conversation", "person_id"): "conversation",
    ("sign_up", "person_id"): "sign_ups",
    ("feedback", "person_id"): "feedback",
    ("outbox", "person_id"): "messages_to_you",
    ("audit_event", "person_id"): "audit",
    ("call", "created_by"): "calls_you_created",
    ("project", "adopted_by"): "projects_you_took_up",
    ("project_mute", "person_id"): "project_news_stopped",
    ("relay", "person_id"): "conversations_with_partners",
    ("relay", "partner_id"): "conversations_you_asked_for",
    ("round", "created_by"): "rounds_you_created",
    ("round_response", "person_id"): "round_answers",
    ("support", "person_id"): "ideas_you_support",
    ("follow", "person_id"): "ideas_you_follow",
}


def person_columns() -> list[tuple[str, str]]:
    """Every (table, column) that points at a person, and the person's own id."""
    found = [("person", "id")]
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(key.column.table.name == "person" for key in column.foreign_keys):
                found.append((table.name, column.name))
    return found


async def scan(engine, person_id: int) -> dict[tuple[str, str], int]:
    """How many rows of each table refer to the person, column by column."""
    counts = {}
    async with engine.connect() as connection:
        for table_name, column_name in person_columns():
            table = Base.metadata.tables[table_name]
            counts[(table_name, column_name)] = len(
                (await connection.execute(select(table).where(table.c[column_name] == person_id))).all()
            )
    return counts


async def everything_as_text(engine) -> str:
    """Every value in every table, as one text to search."""
    values = []
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in (await connection.execute(select(table))).all():
                values += [json.dumps(value, ensure_ascii=False, default=str) for value in row]
    return "\n".join(values)


async def a_full_life(bot, engine, clock) -> Chat:
    """A resident who did a bit of everything: an idea, an offer, a call, feedback with a remark, and
    an open answer to a round still open."""
    chat = Chat(bot, CHAT_ID)
    await onboard(chat, name=NAME)
    await chat.send("/idee")
    for text in TYPED[:2]:
        await chat.send(text)
    await chat.send("/overslaan")
    for label in ("Design en maken", "Kortrijk centrum", "Ja", "Overslaan", "Klopt"):
        await chat.tap(label)
    await chat.send("/tijd")
    await chat.send("4")
    await chat.send("1, 2")
    await chat.send("1/4/2027")
    await chat.tap("Overslaan")
    await chat.tap("Klopt")
    call = await publish_call(engine, bot.settings, clock())
    await tap(chat, "call", "join", call.id)
    clock.advance(days=4)
    await chat._deliver(kind="tap", action=Action.of("fb", 4, call.id))
    await chat.send(TYPED[2])
    round_ = await publish_round(engine, bot.settings, clock())
    await tap(chat, "round", "answer", round_.id)  # "Meedenken" on the round's card
    for typed in ("vier", "ja", TYPED[3]):
        await chat.send(typed)
    await chat.tap("Klopt")
    return chat


async def test_my_data_holds_every_row_that_refers_to_me(bot, engine, clock):
    chat = await a_full_life(bot, engine, clock)
    await chat.send("/mijngegevens")
    [document] = chat.documents
    data = json.loads(document.content)
    person_id = data["person"]["id"]
    assert set(person_columns()) <= set(EXPORTED), "a table refers to people: add it to /mijngegevens"
    for (table, column), count in (await scan(engine, person_id)).items():
        exported = data[EXPORTED[(table, column)]]
        shown = 1 if isinstance(exported, dict) else len(exported or ())
        if table == "audit_event":
            shown += 1  # this export itself, recorded after the document was made
        assert shown == count, (table, column)


async def test_after_forget_no_table_holds_my_name_my_chat_or_my_words(bot, engine, clock):
    chat = await a_full_life(bot, engine, clock)
    before = await everything_as_text(engine)
    assert NAME in before and CHAT_ID in before and all(text in before for text in TYPED)
    await chat.send("/vergeet")
    await chat.tap("Ja, wis mijn gegevens")
    after = await everything_as_text(engine)
    assert NAME not in after and CHAT_ID not in after
    assert TYPED[2] not in after  # a remark in their own words goes
    assert TYPED[3] not in after  # and an answer to a round still open
    assert TYPED[0] in after and TYPED[1] in after  # the idea stays, as the privacy text says, nameless
