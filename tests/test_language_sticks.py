"""The language a newcomer picks or writes in before consent is the one onboarding goes on in (issue 25)."""

import io

from bot.assembly import assemble
from bot.channels.console.channel import Console
from bot.config import load_settings
from storage.models import Person
from tests.auxil.database import rows


async def console(engine, clock):
    """A console chat in process, as `python -m bot console` runs it; returns (channel, its output)."""
    out = io.StringIO()
    assembly = await assemble(
        load_settings(database_url="sqlite://", _env_file=None),
        engine=engine,
        clock=clock,
        channels=[Console("anna", io.StringIO(), out)],
    )
    return assembly.channels["console"], out


async def typed(channel, out, *lines: str) -> str:
    """Type these lines; what the console printed for them."""
    start = len(out.getvalue())
    for line in lines:
        await channel.send(channel.parse(line))
    return out.getvalue()[start:]


async def test_tapping_francais_then_typing_oui_goes_on_in_french(engine, clock):
    channel, out = await console(engine, clock)
    await typed(channel, out, "/start", "Français")
    shown = await typed(channel, out, "oui")
    assert "merci" in shown and "Comment puis-je vous appeler" in shown
    assert "Dans quelle langue" not in shown, "the language was chosen already"
    assert "Fijn, dank je" not in shown
    [person] = await rows(engine, Person)
    assert person.locale == "fr"


async def test_tapping_english_then_typing_yes_goes_on_in_english(engine, clock):
    channel, out = await console(engine, clock)
    await typed(channel, out, "/start", "English")
    shown = await typed(channel, out, "yes")
    assert "What should I call you" in shown and "Which language" not in shown
    [person] = await rows(engine, Person)
    assert person.locale == "en"


async def test_a_dutch_ja_still_goes_on_in_dutch(chat, engine):
    await chat.send("/start")
    await chat.send("ja")
    # Dutch is what everyone is greeted in: who tapped through it may still pick another language.
    assert "In welke taal wil je mijn berichten lezen?" in chat.text
    [person] = await rows(engine, Person)
    assert person.locale == "nl"


async def test_writing_in_french_before_consent_gets_the_welcome_in_french(engine, clock):
    channel, out = await console(engine, clock)
    await typed(channel, out, "/start")
    shown = await typed(channel, out, "bonjour, vous parlez français?")
    assert "Je suis Gangmaker" in shown
    assert "Nederlands" in shown and "English" in shown  # the other languages stay on offer
    assert "Hallo! Ik ben Gangmaker" not in shown
    shown = await typed(channel, out, "1")  # "Oui, c'est d'accord"
    assert "Comment puis-je vous appeler" in shown
    assert "Dans quelle langue" not in shown, "they wrote in French and said yes in French"


async def test_writing_in_english_before_consent_gets_the_welcome_in_english(chat):
    await chat.send("hello, do you speak english?")
    assert "I'm Gangmaker" in chat.text
    assert "Nederlands" in chat.buttons and "Français" in chat.buttons


async def test_a_dutch_first_message_keeps_the_dutch_welcome(chat):
    for text in ("hallo", "Hallo, wat kan ik hier doen?"):  # (a 👍 there is a yes to the consent question)
        await chat.send(text)
        assert "Hallo! Ik ben Gangmaker" in chat.text, text


async def test_asking_for_english_in_dutch_offers_english(chat):
    await chat.send("hallo, spreek je Engels?")
    assert "I'm Gangmaker" in chat.text


async def test_the_language_known_at_consent_is_in_the_summary_and_can_be_changed(engine, clock):
    channel, out = await console(engine, clock)
    await typed(channel, out, "/start", "Français", "oui")
    shown = await typed(channel, out, "Anne", "Heule", "Habitant", "1", "Terminé", "1", "Terminé", "Les deux", "Oui")
    assert "Langue\u00a0: Français" in shown  # the summary, where "Modifier" can change it
