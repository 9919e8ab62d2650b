"""What a resident backs, in /mijnbijdragen: the ideas they support and follow, each with a
button to stop, and the counts that drop when they stop or ask to be forgotten."""

from storage.db import session_factory
from storage.models import Follow, Idea, Person, Support
from tests.auxil.backing import follow, idea, support
from tests.auxil.chat import onboard, tap
from tests.auxil.database import rows


async def anna_backs_two_ideas(chat, engine, clock) -> tuple[int, int]:
    """Anna supports the benches and follows the flower boxes; two neighbours back both."""
    await onboard(chat, name="Anna")
    [anna] = await rows(engine, Person)
    benches = await idea(engine, clock(), "Bankjes aan de Leie.")
    flowers = await idea(engine, clock(), "Bloembakken in de Groeningestraat.")
    await support(engine, benches, anna.id, clock())
    await follow(engine, flowers, anna.id, clock())
    return benches, flowers


async def counts(engine) -> dict[str, tuple[int, int]]:
    return {row.idea: (row.supporters, row.followers) for row in await rows(engine, Idea)}


async def test_my_contributions_list_what_i_support_and_follow_with_a_button_to_stop(chat, engine, clock):
    await anna_backs_two_ideas(chat, engine, clock)
    await chat.send("/mijnbijdragen")
    assert "Je steunt:" in chat.text and "Bankjes aan de Leie." in chat.text
    assert "Je volgt:" in chat.text and "Bloembakken in de Groeningestraat." in chat.text
    assert "Steun intrekken (1)" in chat.buttons and "Niet meer volgen (1)" in chat.buttons


async def test_stopping_removes_the_support_and_the_count_drops(chat, engine, clock):
    await anna_backs_two_ideas(chat, engine, clock)
    await chat.send("/mijnbijdragen")
    await chat.tap("Steun intrekken (1)")
    assert "Je steunt “Bankjes aan de Leie.” niet meer." in chat.text
    assert await rows(engine, Support) == []
    assert (await counts(engine))["Bankjes aan de Leie."] == (0, 0)
    await chat.send("/mijnbijdragen")
    await chat.tap("Niet meer volgen (1)")
    assert "Je volgt “Bloembakken in de Groeningestraat.” niet meer." in chat.text
    assert await rows(engine, Follow) == []
    assert (await counts(engine))["Bloembakken in de Groeningestraat."] == (0, 0)


async def test_stopping_twice_or_someone_elses_counts_once(chat, engine, clock):
    benches, flowers = await anna_backs_two_ideas(chat, engine, clock)
    await support(engine, benches, [await neighbour(engine, clock)], clock())
    await chat.send("/mijnbijdragen")
    stop = chat.keyboard()
    await chat.tap("Steun intrekken (1)")
    await chat.tap("Steun intrekken (1)", on=stop)  # the same button again: nothing more drops
    await tap(chat, "backing", "support", flowers)  # she never supported the flower boxes
    assert await counts(engine) == {"Bankjes aan de Leie.": (1, 0), "Bloembakken in de Groeningestraat.": (0, 1)}
    assert len(await rows(engine, Support)) == 1


async def neighbour(engine, clock) -> int:
    async with session_factory(engine)() as session, session.begin():
        person = Person(display_name="Bert", locale="nl", consent_at=clock(), consent_version="2026-11")
        session.add(person)
        await session.flush()
        return person.id


async def test_forget_removes_my_supports_and_follows_and_the_counts_drop(chat, engine, clock):
    benches, flowers = await anna_backs_two_ideas(chat, engine, clock)
    bert = await neighbour(engine, clock)
    await support(engine, flowers, bert, clock())
    await chat.send("/vergeet")
    await chat.tap("Ja, wis mijn gegevens")
    assert "Alles is gewist." in chat.text
    assert await counts(engine) == {"Bankjes aan de Leie.": (0, 0), "Bloembakken in de Groeningestraat.": (1, 0)}
    assert [row.person_id for row in await rows(engine, Support)] == [bert]
    assert await rows(engine, Follow) == []
