"""The channel contract: every reply kind drawn on every registered channel, on its fake, with its
text and its buttons' actions; then what each channel draws its own way (the console's numbers,
Telegram's keyboards, a button that asks first), and the words each channel asks in."""

import inspect
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.channels.console.channel import Console, ConsoleChannel
from bot.channels.fallbacks import NEVER_MIND, drawable, fallback
from bot.channels.registry import CHANNELS, NAMES, SURFACES
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
    Reply,
    Room,
    Section,
    buttons_of,
)
from tests.auxil.channel_fakes import FAKES
from tests.auxil.chat import Chat, onboard
from tests.auxil.telegram_fixtures import start_bot, telegram_settings
from tests.test_architecture import imported_modules

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
            FormField(
                "needs", "Nodig", "multi", options=(("Tijd", "Tijd"), ("Kennis", "Kennis")), value=["Tijd", "Kennis"]
            ),
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


def shown(reply: Reply) -> list[str]:
    """What of a reply every channel shows, in whatever way it draws it."""
    if isinstance(reply, Card):
        return [reply.title, *(line.value for line in reply.lines), reply.footer]
    if isinstance(reply, Form):
        return [reply.title, *(f.label for f in reply.fields)]
    if isinstance(reply, FieldErrors):
        return list(reply.errors.values())
    if isinstance(reply, Dashboard):
        figures = [text for s in reply.sections for f in s.figures for text in (f.label, f.value)]
        return [
            reply.title,
            *(s.title for s in reply.sections),
            *figures,
            *(c.title for s in reply.sections for c in s.cards),
        ]
    if isinstance(reply, Document):
        return [reply.caption]
    return [reply.text]


@pytest.fixture(params=NAMES)
async def channel(request, engine, clock, tmp_path):
    """Each registered channel on its fake (tests/auxil/channel_fakes.py)."""
    async with FAKES[request.param](engine, clock, tmp_path) as drawing:
        yield drawing


async def test_every_channel_draws_every_reply_kind_with_its_text_and_its_buttons_actions(channel):
    """A channel draws each kind its own way or as its fallback; the fake refuses nothing it sends."""
    for reply in REPLIES:
        seen = await channel.draw(reply)
        kind = type(reply).__name__
        for text in shown(reply):
            assert text in seen.text, (kind, text)
        assert {button.action for button in buttons_of(reply)} <= seen.actions, kind
        if isinstance(reply, Document):
            assert seen.files == [reply.filename]


def test_every_registered_channel_has_a_fake_and_a_surface():
    assert set(FAKES) == set(NAMES) == set(SURFACES)
    assert all(kind.name == name for name, kind in CHANNELS.items())


def test_a_channel_reaches_the_core_only_through_its_contract():
    """Its own folder, the contract and what replies, events, errors and settings are: no core, no dialogue,
    no other channel."""
    allowed = (
        "bot.app",
        "bot.config",
        "bot.errors",
        "bot.events",
        "bot.i18n",
        "bot.outbox",
        "bot.replies",
        "bot.surfaces",
    )
    for name, kind in CHANNELS.items():
        own = ("bot.channels.base", "bot.channels.fallbacks", f"bot.channels.{name}")
        for path in Path(inspect.getfile(kind)).parent.rglob("*.py"):
            reached = {module for module in imported_modules(path) if module.split(".")[0] == "bot"}
            assert {module for module in reached if not module.startswith(allowed + own)} == set(), path


def test_a_kind_a_channel_does_not_draw_comes_as_a_message_with_its_text_and_buttons():
    assert drawable(REPLIES, frozenset({Message, Document, Card})) == [
        reply if isinstance(reply, (Message, Document, Card)) else fallback(reply) for reply in REPLIES
    ]
    card = fallback(Card("Oproep", buttons=(JOIN,), multi=True, replace="buttons", to=Room("partners")))
    assert card == Message("Oproep", (JOIN,), multi=True, replace="buttons", to=Room("partners"))
    board = fallback(REPLIES[6])
    assert isinstance(board, Message) and board.buttons == (JOIN,) and board.text == REPLIES[6].text
    assert fallback(Notice("Opgeslagen.")) == Message("Opgeslagen.")


# -- what each channel draws its own way ------------------------------------------------------


def test_the_console_numbers_answers_and_shows_the_rooms_it_is_asked_to(bot, tmp_path):
    out = io.StringIO()
    console = ConsoleChannel(bot, bot.settings, terminal=Console("anna", io.StringIO(), out, download_dir=tmp_path))
    for reply in [*REPLIES, Message("Voor de coördinatoren.", to=Room("coordinators"))]:
        console.draw(reply)
    drawn = out.getvalue()
    for text in EXPECTED_TEXTS:
        assert text in drawn
    assert "  1. [x] Erfgoed" in drawn and "  [Klaar]" in drawn  # navigation goes by its label
    assert "Ik doe mee" in drawn
    assert "[#coordinators] Voor de coördinatoren." in drawn
    assert (tmp_path / "gegevens.json").read_bytes() == b"{}"
    # Numbers count on across the messages (the same button keeps its number); the newest is the highest.
    numbers = [int(line.split(".")[0]) for line in drawn.splitlines() if line.startswith("  ") and line[2:3].isdigit()]
    assert numbers == sorted(numbers) and len(set(numbers)) > 1
    assert console.parse(str(numbers[-1])).action == Action.of("coord", "cancel!", 7)


class Recorder:
    """A core that notes what it is handed and answers with a notice."""

    def __init__(self):
        self.events = []

    async def handle(self, event):
        self.events.append(event)
        return [Notice("Gedaan.")]


async def test_on_the_console_a_button_that_asks_first_asks_in_a_message(bot):
    out, core = io.StringIO(), Recorder()
    console = ConsoleChannel(core, bot.settings, terminal=Console("anna", io.StringIO(), out))
    console.draw(REPLIES[7])  # Annuleren, with "Zeker?"
    await console.send(console.parse("Annuleren"))
    assert core.events == [] and "Zeker?\nIedereen krijgt bericht.\n  1. Ja\n  [Nee]" in out.getvalue()
    await console.send(console.parse("Nee"))
    assert core.events == [] and console.last_buttons == ()
    console.draw(REPLIES[7])
    await console.send(console.parse("1"))
    await console.send(console.parse("Ja"))
    assert [event.action for event in core.events] == [Action.of("coord", "cancel!", 7)]
    assert NEVER_MIND.route not in {event.action.route for event in core.events}


async def test_telegram_draws_keyboards_and_leaves_the_rooms_out(fake_telegram, engine, clock):
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


async def test_on_telegram_a_button_that_asks_first_asks_in_a_message(fake_telegram, engine, clock, monkeypatch):
    running = await start_bot(fake_telegram, telegram_settings(fake_telegram, "polling"), engine, clock)
    core = Recorder()
    monkeypatch.setattr(running.core, "handle", core.handle)
    try:
        user = running.user(1001)
        await running.channel.deliver(user.id, [REPLIES[7]])
        await user.tap("Annuleren")
        assert core.events == [] and user.texts == ["Annuleren?"]
        assert user.button_labels() == ["Ja", "Nee"]
        await user.tap("Nee")
        assert core.events == [] and user.chat.messages[max(user.chat.messages)].get("reply_markup") is None
        await user.tap("Annuleren", user.message_with("Weet je het zeker?"))
        await user.tap("Ja")
        assert [event.action for event in core.events] == [Action.of("coord", "cancel!", 7)]
        assert user.toasts == ["Gedaan."]
    finally:
        await running.stop()


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
