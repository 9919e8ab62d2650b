"""“Mijn profiel”: every onboarding answer can be seen and changed, language included."""

from storage.models import Conversation, Person
from tests.auxil.chat import onboard
from tests.auxil.database import rows


async def test_profile_shows_every_answer(chat):
    await onboard(chat, name="Anna", neighbourhood="Heule", interests=("Erfgoed",))
    await chat.tap("👤 Mijn profiel")
    for line in (
        "• Naam: Anna",
        "• Buurt: Heule",
        "• Thema's: Erfgoed",
        "• Taal: Nederlands",
        "• Wie je bent: Inwoner",
        "• Hoe je meedoet: Tijd",
        "• Meedenken of meehelpen: Allebei (je krijgt vragen en oproepen)",
    ):
        assert line in chat.text


async def test_changing_the_neighbourhood(chat, engine):
    await onboard(chat)
    await chat.send("/profiel")
    await chat.tap("Buurt")
    assert "Nu: Heule" in chat.text
    await chat.tap("Kooigem")
    assert "Opgeslagen." in chat.text and "• Buurt: Kooigem" in chat.text
    assert (await rows(engine, Person))[0].neighbourhood == "kooigem"


async def test_changing_interests_starts_from_the_current_choice(chat, engine):
    await onboard(chat, interests=("Erfgoed",))
    await chat.send("/profiel")
    await chat.tap("Thema's")
    assert chat.selected == ["Erfgoed"]
    await chat.tap("Sport en bewegen")
    await chat.tap("Erfgoed")
    await chat.tap("Klaar")
    assert (await rows(engine, Person))[0].interests == ["sport"]


async def test_changing_the_language_answers_in_the_new_language_at_once(chat, engine):
    await onboard(chat)
    await chat.send("/profiel")
    await chat.tap("Taal")
    await chat.tap("English")
    assert "Saved." in chat.text and "• Language: English" in chat.text
    assert (await rows(engine, Person))[0].locale == "en"
    await chat.send("/menu")
    assert "What would you like to do?" in chat.text


async def test_cancelling_a_change_keeps_the_profile(chat, engine):
    await onboard(chat, name="Anna")
    await chat.send("/profiel")
    await chat.tap("Naam")
    await chat.send("/annuleer")
    assert "je profiel blijft zoals het was" in chat.text
    assert (await rows(engine, Person))[0].display_name == "Anna"


async def test_who_stopped_onboarding_is_reachable_once_the_profile_says_where_and_what(chat, engine):
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    await chat.tap("Nederlands")
    await chat.send("/annuleer")
    await chat.tap("Ja, stoppen")
    [person] = await rows(engine, Person)
    assert person.onboarded_at is None
    await chat.send("/profiel")
    await chat.tap("Buurt")
    await chat.tap("Heule")
    [person] = await rows(engine, Person)
    assert person.onboarded_at is None  # where, but not yet what
    await chat.tap("Thema's")
    await chat.tap("Erfgoed")
    await chat.tap("Klaar")
    [person] = await rows(engine, Person)
    assert person.onboarded_at is not None  # calls, overviews and nudges can reach her now


async def test_an_old_profile_or_privacy_button_mid_dialogue_asks_before_stopping_it(chat, engine):
    await onboard(chat)
    await chat.send("/profiel")
    profile = chat.keyboard()
    await chat.send("/privacy")
    privacy = chat.keyboard()
    await chat.send("/idee")
    await chat.send("Het Leieboord is grijs.")
    for message, label in ((profile, "Buurt"), (privacy, "Alles wissen")):
        await chat.tap(label, on=message)
        assert "Wil je daarmee stoppen en iets nieuws beginnen?" in chat.text
        await chat.tap("Nee, ga verder")
        assert "Wat is je idee?" in chat.text  # the idea goes on where it was
    [conversation] = await rows(engine, Conversation)
    assert conversation.answers["problem"] == "Het Leieboord is grijs."
    await chat.tap("Buurt", on=profile)
    await chat.tap("Ja, iets nieuws")
    assert "Nu: Heule" in chat.text
    await chat.tap("Kooigem")
    assert (await rows(engine, Person))[0].neighbourhood == "kooigem"
