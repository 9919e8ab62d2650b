"""Onboarding: welcome, consent (nothing stored without a yes), the profile questions, the summary."""

from bot.assembly import assemble
from bot.config import load_settings
from storage.models import AuditEvent, Conversation, Identity, Person
from tests.auxil.chat import Chat, onboard
from tests.auxil.database import rows


async def test_first_message_gets_welcome_and_consent_question_and_stores_nothing(chat, engine):
    await chat.send("hallo")
    assert "Kortrijk 2030" in chat.text
    assert chat.text.rstrip().endswith("Is dat goed voor jou?")
    assert chat.buttons[:3] == ["Ja, dat is goed", "Nee, liever niet", "Meer uitleg"]
    assert await rows(engine, Person) == []
    assert await rows(engine, Identity) == []


async def test_refusing_consent_stores_only_the_refusal(chat, engine):
    await chat.send("/start")
    await chat.tap("Nee, liever niet")
    assert "Ik bewaar niets over jou" in chat.text
    assert await rows(engine, Person) == []
    [event] = await rows(engine, AuditEvent)
    assert (event.kind, event.person_id, event.detail) == ("consent_refused", None, {"version": "2026-11"})


async def test_more_explanation_shows_the_privacy_text_and_asks_again(chat):
    await chat.send("/start")
    await chat.tap("Meer uitleg")
    assert "Stad Kortrijk is verantwoordelijk" in chat.text
    assert "/mijngegevens" in chat.text and "/vergeet" in chat.text
    assert "Ja, dat is goed" in chat.buttons


async def test_full_onboarding_stores_the_profile_with_consent(chat, engine, clock):
    await onboard(
        chat,
        name="Anna",
        neighbourhood="Marke",
        interests=("Kunst en cultuur", "Erfgoed"),
        contributions=("Tijd", "Ideeën"),
    )
    assert "Dank je, Anna!" in chat.text
    assert "Wat wil je doen?" in chat.text
    [person] = await rows(engine, Person)
    assert person.display_name == "Anna"
    assert person.neighbourhood == "marke"
    assert person.role == "resident"
    assert person.interests == ["art", "heritage"]
    assert person.contributions == ["ideas", "time"]
    assert person.level == "both"
    assert person.consent_at == clock.now and person.consent_version == "2026-11"
    assert person.onboarded_at == clock.now
    [identity] = await rows(engine, Identity)
    assert (identity.channel, identity.external_id, identity.person_id) == ("test", "1001", person.id)
    assert await rows(engine, Conversation) == []
    assert [e.kind for e in await rows(engine, AuditEvent)] == ["consent_given"]


async def test_summary_lists_answers_and_can_edit_one_before_saving(chat, engine):
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    await chat.tap("Nederlands")
    await chat.send("Bram")
    await chat.tap("Bissegem")
    await chat.tap("Ondernemer")
    await chat.tap("Groen en natuur")
    await chat.tap("Klaar")
    await chat.tap("Geld of materiaal")
    await chat.tap("Klaar")
    await chat.tap("Meehelpen")
    await chat.tap("Ja")
    assert "• Buurt: Bissegem" in chat.text and "Klopt dit?" in chat.text
    assert (await rows(engine, Person))[0].display_name is None  # nothing saved before "Klopt"
    await chat.tap("Aanpassen")
    await chat.tap("Buurt")
    assert "Nu: Bissegem" in chat.text
    await chat.tap("Rollegem")
    assert "• Buurt: Rollegem" in chat.text  # straight back to the summary
    await chat.tap("Klopt")
    [person] = await rows(engine, Person)
    assert (person.display_name, person.neighbourhood, person.level) == ("Bram", "rollegem", "operational")
    assert person.digest is True


async def test_the_level_question_and_the_summary_say_what_each_choice_brings(chat, engine):
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    await chat.tap("Nederlands")
    await chat.send("Dina")
    for label in ("Heule", "Inwoner", "Erfgoed", "Klaar", "Ideeën", "Klaar"):
        await chat.tap(label)
    for line in (
        "Meedenken: je krijgt af en toe een paar vragen over plannen en projecten.",
        "Meehelpen: je krijgt oproepen om ergens mee te helpen.",
        "Allebei: je krijgt ze allebei.",
    ):
        assert line in chat.text
    assert chat.text.rstrip().endswith("?") and chat.buttons[:3] == ["Meedenken", "Meehelpen", "Allebei"]
    await chat.tap("Meedenken")
    await chat.tap("Nee")
    assert "• Meedenken of meehelpen: Meedenken (je krijgt vragen over plannen en projecten)" in chat.text
    await chat.tap("Aanpassen")
    await chat.tap("Meedenken of meehelpen")
    await chat.tap("Meehelpen")
    assert "• Meedenken of meehelpen: Meehelpen (je krijgt oproepen om mee te helpen)" in chat.text
    await chat.tap("Klopt")
    assert (await rows(engine, Person))[0].level == "operational"


async def test_a_wrong_answer_is_reasked_and_earlier_answers_stay(chat, engine):
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    await chat.tap("Nederlands")
    await chat.send("Chris")
    await chat.send("ergens")  # not a neighbourhood button
    assert "Kies een van de knoppen." in chat.text and "/annuleer" in chat.text
    assert "Waar woon of werk je?" in chat.text
    await chat.sticker()
    assert "Dit soort bericht kan ik hier niet lezen." in chat.text
    await chat.send("heule")  # a label typed instead of tapped counts
    await chat.tap("Terug")
    await chat.tap("Terug")
    assert "Nu: Chris" in chat.text
    [conversation] = await rows(engine, Conversation)
    assert conversation.step == "display_name"
    assert conversation.answers == {"language": "nl", "display_name": "Chris", "neighbourhood": "heule"}


async def test_interests_need_at_least_one_choice(chat):
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    await chat.tap("Nederlands")
    await chat.send("Dina")
    await chat.tap("Heule")
    await chat.tap("School")
    await chat.tap("Klaar")
    assert "Kies minstens één antwoord." in chat.text


async def test_choosing_english_switches_the_next_question_to_english(chat, engine):
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    await chat.tap("English")
    assert "What should I call you?" in chat.text
    [person] = await rows(engine, Person)
    assert person.locale == "en"


async def test_english_welcome_before_consent_keeps_english_after_yes(chat, engine):
    await chat.send("/start")
    await chat.tap("English")
    assert "Is that OK with you?" in chat.text
    await chat.tap(chat.buttons[0])
    [person] = await rows(engine, Person)
    assert person.locale == "en"


async def test_language_hint_from_the_channel_picks_the_welcome_language(bot):
    from tests.auxil.chat import Chat

    french = Chat(bot, user_id="fr-1", locale="fr-BE")
    await french.send("/start")
    assert "Kortrijk 2030" in french.text and "Hallo!" not in french.text


async def test_cancelling_onboarding_keeps_consent_and_shows_where_to_continue(chat, engine):
    await chat.send("/start")
    await chat.tap("Ja, dat is goed")
    await chat.send("/annuleer")
    assert "/profiel" in chat.text
    assert await rows(engine, Conversation) == []
    assert len(await rows(engine, Person)) == 1


async def test_a_typed_yes_or_no_answers_the_consent_question(chat, engine):
    await chat.send("/start")
    await chat.send("nee hoor")  # not a plain no: the question stays, nothing stored
    assert chat.text.rstrip().endswith("Is dat goed voor jou?") and await rows(engine, Person) == []
    await chat.send("Nee, bedankt.")
    assert "Ik bewaar niets over jou" in chat.text and await rows(engine, Person) == []
    await chat.send("/privacy")  # the whole privacy text, and the question again
    assert "Stad Kortrijk is verantwoordelijk" in chat.text and "Hallo!" not in chat.text
    assert "Ja, dat is goed" in chat.buttons
    await chat.send("Ja graag!")
    assert "Eerst een paar korte vragen" in chat.text
    [person] = await rows(engine, Person)
    assert person.consent_version == "2026-11"


async def test_typed_words_answer_as_people_say_them(chat, engine):
    await chat.send("/start")
    await chat.send("oké")
    await chat.tap("Nederlands")
    await chat.send("Bram")
    await chat.send("bissegem")  # a neighbourhood typed, not tapped
    await chat.send("ondernemer")
    await chat.send("groen en natuur")
    await chat.send("klaar")
    await chat.send("tijd")
    await chat.send("Klaar.")
    await chat.send("meehelpen")
    await chat.send("ja graag")  # the Monday overview
    assert "Zo ken ik je nu:" in chat.text
    await chat.send("klopt")
    [person] = await rows(engine, Person)
    assert (person.neighbourhood, person.role, person.interests, person.digest) == (
        "bissegem",
        "entrepreneur",
        ["green"],
        True,
    )


async def test_a_coordinator_is_known_at_once_without_the_residents_onboarding(engine, clock):
    settings = load_settings(database_url="sqlite://", coordinator_console_users="coco", _env_file=None)
    chat = Chat((await assemble(settings, engine=engine, clock=clock)).core, user_id="coco", channel="console")
    await chat.send("/oproep")
    assert "Je bent coördinator" in chat.text and "Wat is de titel van de oproep?" in chat.text
    [person] = await rows(engine, Person)
    assert person.consent_version == "workspace" and person.onboarded_at is None  # no call targets her


async def test_under_thirteen_nothing_is_stored_without_a_parents_yes(chat, engine):
    await chat.send("hallo")
    await chat.tap("Ik ben jonger dan 13")
    assert "een ouder" in chat.text
    assert await rows(engine, Person) == [] and await rows(engine, AuditEvent) == []
    await chat.tap("Nee, liever niet")
    assert "Ik bewaar niets over jou" in chat.text
    assert await rows(engine, Person) == []
    await chat.send("/start")
    await chat.tap("Ik ben jonger dan 13")
    await chat.tap("Mijn ouder zegt ja")
    assert "Eerst een paar korte vragen" in chat.text
    [consent] = [e for e in await rows(engine, AuditEvent) if e.kind == "consent_given"]
    assert consent.detail == {"version": "2026-11", "parent": True}
