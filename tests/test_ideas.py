"""Sharing an idea, from the first question to the row in the database and /bijdragen."""

from storage.models import Conversation, Idea, Person
from tests.auxil.chat import onboard, share_idea
from tests.auxil.database import rows


async def test_sharing_an_idea_with_a_photo_stores_it_as_submitted(chat, engine):
    await onboard(chat)
    await share_idea(chat)
    assert "Dit is je idee:" in chat.text
    assert "• Foto: foto ontvangen" in chat.text
    assert await rows(engine, Idea) == []  # nothing saved before "Klopt"
    await chat.tap("Klopt")
    assert "Je idee is goed aangekomen" in chat.text
    [idea] = await rows(engine, Idea)
    [person] = await rows(engine, Person)
    assert idea.author_id == person.id
    assert idea.problem == "Het Leieboord is grijs. Buren zitten er nooit."
    assert idea.prototype == "Eén zaterdag met vijf bankjes bij de brug."
    assert (idea.theme, idea.place, idea.will_help, idea.photo, idea.state) == (
        "design",
        "kortrijk",
        True,
        "AgAD-photo-42",
        "submitted",
    )
    await chat.send("/bijdragen")
    assert "Kleurrijke bankjes die buren samen maken. – ontvangen" in chat.text


async def test_optional_steps_can_be_skipped_and_required_ones_cannot(chat, engine):
    await onboard(chat)
    await chat.send("/idee")
    await chat.send("/overslaan")
    assert "Deze vraag kun je niet overslaan." in chat.text
    await chat.send("Te weinig groen in de straat.")
    await chat.send("Bloembakken aan elke gevel.")
    await chat.tap("Overslaan")  # the small try-out is optional
    await chat.tap("Groen en natuur")
    await chat.tap("Heule")
    await chat.tap("Nee")
    await chat.send("een tekst in plaats van een foto")
    assert "Een foto stuur je als gewoon bericht. Heb je er geen? Kies dan Overslaan." in chat.text
    await chat.send("/skip")
    assert "• Klein uitproberen: (overgeslagen)" in chat.text
    await chat.tap("Klopt")
    [idea] = await rows(engine, Idea)
    assert (idea.prototype, idea.photo, idea.will_help) == (None, None, False)


async def test_over_long_text_is_refused_and_handed_back(chat, engine, settings):
    await onboard(chat)
    await chat.send("/idee")
    long_text = "Heel lang verhaal. " * 80
    replies = await chat.send(long_text)
    assert f"hier passen {settings.max_text_length} tekens" in chat.text
    assert any(getattr(reply, "text", None) == long_text.strip() for reply in replies)
    [conversation] = await rows(engine, Conversation)
    assert conversation.step == "problem"


async def test_help_in_the_middle_of_a_dialogue_keeps_the_dialogue(chat, engine):
    await onboard(chat)
    await chat.send("/idee")
    await chat.send("Het Leieboord is grijs.")
    await chat.send("/help")
    assert "Zo werk ik:" in chat.text
    assert "We gaan verder waar je was:" in chat.text and "Wat is je idee?" in chat.text
    await chat.send("/onbestaand")
    assert "Dat commando ken ik niet." in chat.text and "Wat is je idee?" in chat.text
    [conversation] = await rows(engine, Conversation)
    assert conversation.answers == {"problem": "Het Leieboord is grijs."}


async def test_starting_another_command_mid_dialogue_asks_first(chat, engine):
    await onboard(chat)
    await chat.send("/idee")
    await chat.send("Het Leieboord is grijs.")
    await chat.send("/tijd")
    assert "Wil je daarmee stoppen en iets nieuws beginnen?" in chat.text
    await chat.tap("Nee, ga verder")
    assert "Wat is je idee?" in chat.text
    await chat.send("/tijd")
    await chat.tap("Ja, iets nieuws")
    assert "Oké, ik stop met je idee. Er is niets bewaard." in chat.text  # says what it stopped
    assert "Hoeveel uur per maand" in chat.text
    [conversation] = await rows(engine, Conversation)
    assert conversation.flow == "offer_time"


async def test_stale_and_double_tapped_buttons_change_nothing(chat, engine):
    await onboard(chat)
    await share_idea(chat, photo=False)
    summary = chat.keyboard()
    await chat.tap("Aanpassen")
    await chat.tap("Klopt", on=summary)  # a button from the older summary message
    assert chat.notices == ["Deze knop is verlopen. Gebruik de knoppen onder het laatste bericht."]
    assert await rows(engine, Idea) == []
    await chat.tap("Terug")
    summary = chat.keyboard()
    await chat.tap("Klopt")
    await chat.tap("Klopt", on=summary)  # tapped twice
    assert "verlopen" in chat.text
    assert len(await rows(engine, Idea)) == 1


async def test_cancel_ends_the_dialogue_without_saving(chat, engine):
    await onboard(chat)
    await chat.send("/idee")
    await chat.send("Het Leieboord is grijs.")
    await chat.send("/annuleer")  # something was written: ask first
    assert chat.text.endswith("Wil je stoppen?") and len(await rows(engine, Conversation)) == 1
    await chat.tap("Nee, ga verder")
    assert "Wat is je idee?" in chat.text
    await chat.send("/annuleer")
    await chat.tap("Ja, stoppen")
    assert "Er is niets bewaard." in chat.text and "Wat wil je doen?" in chat.text  # and what next
    assert await rows(engine, Conversation) == []
    await chat.send("/annuleer")
    assert "Er loopt nu geen vraag." in chat.text


async def test_a_restart_continues_at_the_same_step_with_the_answers(chat, engine, settings, clock):
    from bot.assembly import assemble
    from tests.auxil.chat import Chat

    await onboard(chat)
    await chat.send("/idee")
    await chat.send("Het Leieboord is grijs.")
    await chat.send("Kleurrijke bankjes.")
    restarted = Chat((await assemble(settings, engine=engine, clock=clock)).core)  # a new process, same database
    await restarted.send("/start")
    assert "Welkom terug!" in restarted.text
    assert "Hoe kunnen we jouw idee klein uitproberen?" in restarted.text
    await restarted.tap("Overslaan")
    await restarted.tap("Erfgoed")
    await restarted.tap("Aalbeke")
    await restarted.tap("Ja")
    await restarted.tap("Overslaan")
    await restarted.tap("Klopt")
    [idea] = await rows(engine, Idea)
    assert (idea.problem, idea.idea, idea.theme) == ("Het Leieboord is grijs.", "Kleurrijke bankjes.", "heritage")


async def test_a_message_outside_any_dialogue_gets_the_menu(chat):
    await onboard(chat)
    await chat.send("hallo?")
    assert "Wat wil je doen?" in chat.text
    await chat.sticker()
    assert "Dit soort bericht kan ik niet lezen." in chat.text
    await chat.tap("💡 Idee delen")
    assert "Wat kan beter in je buurt" in chat.text


async def test_free_text_at_the_menu_becomes_an_idea_when_the_person_wants(chat, engine):
    await onboard(chat)
    await chat.send("Ik heb een idee voor het Schouwburgplein: een zomerbar.")
    assert chat.text.rstrip().endswith("Wil je het als idee delen?")
    await chat.send("ja graag")
    assert "Wat kan beter in je buurt" in chat.text  # empathy first; the idea itself is already there
    await chat.send("Er is 's avonds niets te doen.")
    assert "Hoe kunnen we jouw idee klein uitproberen?" in chat.text  # past the idea: already given
    await chat.tap("Overslaan")
    for label in ("Erfgoed", "Marke", "Ja", "Overslaan"):
        await chat.tap(label)
    assert "Ik heb een idee voor het Schouwburgplein: een zomerbar." in chat.text  # the summary
    await chat.tap("Klopt")
    [idea] = await rows(engine, Idea)
    assert idea.idea == "Ik heb een idee voor het Schouwburgplein: een zomerbar."


async def test_a_menu_label_typed_works_as_its_button_and_a_short_word_gets_the_menu(chat):
    await onboard(chat)
    await chat.send("idee delen")
    assert "Wat kan beter in je buurt" in chat.text
    await chat.send("/annuleer")
    await chat.send("hallo")
    assert "Wat wil je doen?" in chat.text


async def test_a_text_too_long_is_handed_back_above_the_question_that_says_so(chat, engine):
    await onboard(chat)
    await chat.send("/idee")
    long_text = "Het Leieboord is grijs. " * 200  # far over the limit
    await chat.send(long_text)
    echo, question = chat.last[-2:]
    assert echo.text == long_text.strip()  # nothing typed is lost
    assert "Je tekst staat hierboven" in question.text and "Wat kan beter" in question.text
    assert await rows(engine, Idea) == []
