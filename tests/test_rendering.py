"""Every reply type drawn by the console and by Telegram (the real python-telegram-bot on the fake Bot API)."""

import io
import re
from zoneinfo import ZoneInfo

from bot.channels.console.channel import Console, ConsoleChannel
from bot.i18n import SUPPORTED, translator
from bot.replies import (
    Action,
    Button,
    Card,
    CardLine,
    Confirm,
    Dashboard,
    Document,
    FieldErrors,
    Figure,
    Form,
    FormField,
    Message,
    Notice,
    Question,
    Room,
    Section,
)
from tests.auxil.chat import Chat, onboard
from tests.auxil.telegram_fixtures import start_bot, telegram_settings

JOIN = Button("Ik doe mee", Action.of("call", "join", 7), style="primary")
CARD = Card(
    "Bankjes bouwen",
    (CardLine("zaterdag 4 mei om 14.00 uur", "Wanneer", "🗓"), CardLine("Groeningestraat 1", "Waar", "📍")),
    (JOIN,),
    icon="📣",
    footer="Tot dan!",
)
REPLIES = [
    Message("Gewoon een bericht."),
    Question(
        "Wanneer begint het?",
        (Button("Terug", Action.of("dlg", "back", "abc123"), navigation=True),),
        field=FormField("starts_at", "Begin", "datetime"),
    ),
    Message(
        "Kies alles wat past.",
        (
            Button("Erfgoed", Action.of("dlg", "answer", "abc123", "heritage"), selected=True),
            Button("Klaar", Action.of("dlg", "done", "abc123"), navigation=True),
        ),
        multi=True,
    ),
    CARD,
    Form(
        "Dit is je oproep:",
        (
            FormField("title", "Titel", "text", value="Bankjes"),
            FormField("needs", "Nodig", "multi", value=["Tijd", "Kennis"]),
        ),
        Action.of("form", "call"),
        "Klopt",
    ),
    FieldErrors({"deadline": "Inschrijven moet stoppen voor het begin."}),
    Dashboard("Jouw overzicht", (Section("Oproepen", (Figure("Open", "3"),), (CARD,)),)),
    Message(
        "Weet je het zeker?",
        (
            Button(
                "Annuleren",
                Action.of("coord", "cancel!", 7),
                style="danger",
                confirm=Confirm("Zeker?", "Iedereen krijgt bericht.", "Ja", "Nee"),
            ),
        ),
    ),
    Document("gegevens.json", b"{}", "application/json", caption="Alles wat ik bewaar."),
    Notice("Opgeslagen."),
]
EXPECTED_TEXTS = [
    "Gewoon een bericht.",
    "Wanneer begint het?",
    "Kies alles wat past.",
    "📣 Bankjes bouwen\n🗓 zaterdag 4 mei om 14.00 uur\n📍 Groeningestraat 1\n\nTot dan!",
    "Dit is je oproep:\n\n• Titel: Bankjes\n• Nodig: Tijd, Kennis",
    "• Inschrijven moet stoppen voor het begin.",
    "Jouw overzicht\n\nOproepen\n• Open: 3\n• 📣 Bankjes bouwen",
    "Weet je het zeker?",
    "Opgeslagen.",
]


def test_the_console_draws_every_reply_type(bot, tmp_path):
    out = io.StringIO()
    console = ConsoleChannel(bot, bot.settings, terminal=Console("anna", io.StringIO(), out, download_dir=tmp_path))
    for reply in [*REPLIES, Message("Voor de coördinatoren.", to=Room("coordinators"))]:
        console.draw(reply)
    drawn = out.getvalue()
    for text in EXPECTED_TEXTS:
        assert text in drawn
    assert "  1. [x] Erfgoed" in drawn and "  [Klaar]" in drawn  # navigation goes by its label
    assert "  1. Ik doe mee" in drawn
    assert "[#coordinators] Voor de coördinatoren." in drawn
    assert (tmp_path / "gegevens.json").read_bytes() == b"{}"
    assert console.parse("1").action == Action.of("coord", "cancel!", 7)  # the newest buttons for the person


async def test_telegram_draws_every_reply_type(fake_telegram, engine, clock):
    running = await start_bot(fake_telegram, telegram_settings(fake_telegram, "polling"), engine, clock)
    try:
        user = running.user(1001)
        await running.channel.deliver(user.id, [*REPLIES, Message("Voor de coördinatoren.", to=Room("x"))])
        sent = [message for message in user.unread()]
    finally:
        await running.stop()
    texts = [m.get("text") or m.get("caption") for m in sent]
    for expected in EXPECTED_TEXTS:
        assert any(expected in text for text in texts), expected
    assert "Alles wat ik bewaar." in texts  # the document, with its caption
    assert "Voor de coördinatoren." not in texts  # Telegram has no shared rooms for Gangmaker
    card = next(m for m in sent if (m.get("text") or "").startswith("📣"))
    [[button]] = card["reply_markup"]["inline_keyboard"]
    assert (button["text"], button["callback_data"]) == ("Ik doe mee", "call|join|7")
    multi = next(m for m in sent if m.get("text") == "Kies alles wat past.")
    assert [[b["text"] for b in row] for row in multi["reply_markup"]["inline_keyboard"]] == [["✅ Erfgoed"], ["Klaar"]]


async def test_each_channel_says_how_to_answer_in_its_own_words(bot):
    """The same question: Telegram says tap, the console says type the number; the question is the same."""
    texts = {}
    for channel in ("telegram", "console"):
        chat = Chat(bot, user_id=f"hint-{channel}", channel=channel)
        await onboard(chat)
        await chat.send("/tijd")
        await chat.send("12")
        texts[channel] = chat.text
    assert texts["telegram"].startswith("Tik op alles wat past en dan op Klaar. Wanneer kun je meestal?")
    assert texts["console"].startswith(
        "Typ de nummers van alles wat past, bijvoorbeeld 1, 3. Wanneer kun je meestal?"
    )  # Klaar has no number on the console


def test_no_question_or_rule_carries_a_gesture(bot):
    """What a step asks and what its rules say reads right in a form too: no "tap" or "type" in it."""
    gesture = re.compile(r"\b(tik|typ|tap|type|tapez|touchez)\b", re.IGNORECASE)
    now = bot.clock().astimezone(ZoneInfo("Europe/Brussels"))
    for locale in SUPPORTED:
        t = translator(locale)
        for flow in bot.dialogue.flows.values():
            for step in flow.steps:
                assert not gesture.search(t(step.prompt)), (locale, flow.name, step.name)
                assert not gesture.search(step.expectation(now).text(t)), (locale, step.kind)
