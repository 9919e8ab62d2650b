"""The button codec: what a button carries, written as one short string and read back; what a forged
or garbled callback reads as; the 64 bytes Telegram allows; the replies kept in the outbox."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.telegram.drawing import callback_data
from bot.replies import (
    Action,
    Button,
    Card,
    Document,
    FieldErrors,
    Form,
    Message,
    Notice,
    as_payload,
    from_payload,
    short,
)


def test_an_action_is_route_verb_and_arguments_joined_by_bars():
    action = Action.of("call", "join", 12, "x")
    assert action == Action("call", "join", ("12", "x"))
    assert action.encode() == "call|join|12|x"
    assert Action.decode("call|join|12|x") == action
    assert Action.of("menu").encode() == "menu|"


parts = st.text(st.characters(blacklist_characters="|", blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=100)  # a simple codec: a hundred draws find a slip, whatever the profile
@given(route=parts.filter(bool), verb=parts, args=st.lists(parts, max_size=4))
def test_whatever_is_encoded_decodes_to_itself(route, verb, args):
    action = Action(route, verb, tuple(args))
    assert Action.decode(action.encode()) == action


def test_a_bar_inside_a_part_is_refused_rather_than_read_back_as_another_action():
    with pytest.raises(ValueError, match="holds"):
        Action.of("call", "join", "12|admin").encode()
    with pytest.raises(ValueError):
        Action.of("call|admin", "join").encode()


@pytest.mark.parametrize("data", [None, "", "call", "|join|12", "|"])
def test_what_is_not_one_of_ours_decodes_to_none(data):
    assert Action.decode(data) is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("call|join|12", 12),
        ("call|join|012", 12),
        ("call|join|999999999", 999_999_999),  # nine digits: the most an id may have
        ("call|join|9999999999", None),  # ten: more than any id column holds
        ("call|join|-1", None),
        ("call|join|1.5", None),
        ("call|join|²", None),  # a digit int() refuses
        ("call|join|¹²", None),
        ("call|join| 12", None),
        ("call|join|abc", None),
        ("call|join|", None),
        ("call|join", None),
    ],
)
def test_a_forged_id_reads_as_no_id(data, expected):
    assert Action.decode(data).id == expected


def test_missing_arguments_read_as_empty():
    action = Action.decode("offer|withdraw")
    assert action.args == () and action.arg() == "" and action.arg(3) == ""


def test_telegram_takes_callback_data_up_to_64_bytes_not_characters():
    assert callback_data(Action.of("r", "v", "x" * 60)) == "r|v|" + "x" * 60  # 64 bytes
    with pytest.raises(ValueError, match="64 bytes"):
        callback_data(Action.of("r", "v", "x" * 61))
    with pytest.raises(ValueError, match="64 bytes"):
        callback_data(Action.of("r", "v", "é" * 31))  # 35 characters, 66 bytes


def test_replies_kept_for_later_come_back_with_their_buttons_and_without_what_does_not_keep():
    buttons = (
        Button("Ik doe mee", Action.of("call", "join", 7), style="primary"),
        Button("Erfgoed", Action.of("pick", "themes", "heritage"), selected=True),
        Button("Terug", Action.of("nav", "back"), navigation=True),
    )
    card = Card("Bankjes bouwen", buttons=buttons[:1], lead="Nieuw")
    kept = as_payload(
        [
            Message("Kies", buttons[1:], multi=True),
            card,
            Notice("Opgeslagen"),
            Document("data.json", b"{}", "application/json"),
            Form("Oproep", (), Action.of("form", "call"), "Versturen"),
            FieldErrors({"title": "Te lang"}),
        ]
    )
    assert from_payload(kept) == [
        Message("Kies", buttons[1:], multi=True),
        Message(card.text, buttons[:1]),  # a card comes back as its text
    ]


def test_short_keeps_a_short_text_and_cuts_a_long_one_at_the_limit():
    assert short("Bankjes", 7) == "Bankjes"
    assert short("Bankjes bouwen", 8) == "Bankjes…"
    assert len(short("x" * 100)) == 60
