"""Replies as Slack Block Kit, built with slack_sdk.models so that a payload Slack would refuse
fails here first: messages and questions, cards, dashboards, forms as modals, field errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    DateTimePickerElement,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    TextObject,
)
from slack_sdk.models.views import View

from bot.channels.fallbacks import summary
from bot.replies import (
    Button,
    Card,
    CardLine,
    Dashboard,
    Drawn,
    Form,
    FormField,
    Message,
    Section,
    buttons_of,
    is_multi,
)

SECTION_TEXT = 3000  # characters in one section block
FIELD_TEXT = 2000  # characters in one of a section's fields
FIELDS = 10  # fields in one section
BUTTON_TEXT = 75
ACTIONS = 25  # elements in one actions block
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
TITLE = 24  # characters in a modal's title and buttons
# A web address and nothing else, that mrkdwn's <…> shows as itself (no "|" to give it other words).
LINK = re.compile(r"https?://[^\s<>|]+")
NOTIFICATION = 3000  # characters of a message's `text` kept (Slack takes 40,000, escaped)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = SECTION_TEXT, emoji: bool = True) -> PlainTextObject:
    """Text Slack shows as it is: no formatting, mention or link is read in it (with `emoji`, only
    a :shortcode: becomes its emoji)."""
    return PlainTextObject(text=cut(text, limit) or " ", emoji=emoji)


def sections(text: str, emoji: bool = True) -> list[Block]:
    """A text as section blocks, cut at paragraph, line or word ends under Slack's limit."""
    blocks: list[Block] = []
    while len(text) > SECTION_TEXT:
        at = max(text.rfind(sep, 0, SECTION_TEXT) for sep in ("\n\n", "\n", " "))
        at = at if at > 0 else SECTION_TEXT
        blocks.append(SectionBlock(text=plain(text[:at].rstrip(), emoji=emoji)))
        text = text[at:].lstrip()
    return [*blocks, SectionBlock(text=plain(text, emoji=emoji))] if text.strip() else blocks


def button(item: Button, multi: bool = False) -> ButtonElement:
    action = item.action.encode()
    label = f"✅ {item.label}" if multi and item.selected else item.label
    confirm = item.confirm and ConfirmObject(
        title=cut(item.confirm.title, 100),
        text=plain(item.confirm.text, 300),
        confirm=cut(item.confirm.yes, 30),
        deny=cut(item.confirm.no, 30),
    )
    return ButtonElement(
        text=plain(label, BUTTON_TEXT), action_id=action, value=action, style=item.style, confirm=confirm or None
    )


def actions(items: Iterable[Button], multi: bool = False) -> list[Block]:
    """Buttons in rows of at most 25: the answers first, then navigation (back, skip, done)."""
    items = list(items)
    ordered = [b for b in items if not b.navigation] + [b for b in items if b.navigation]
    return [
        ActionsBlock(elements=[button(b, multi) for b in ordered[i : i + ACTIONS]])
        for i in range(0, len(ordered), ACTIONS)
    ]


def card_blocks(card: Card) -> list[Block]:
    blocks: list[Block] = sections(card.lead) if card.lead else []
    blocks.append(HeaderBlock(text=plain(f"{card.icon} {card.title}" if card.icon else card.title, 150)))
    blocks += facts(card.lines)
    if card.image:
        blocks.append(ImageBlock(image_url=card.image, alt_text=cut(card.title, 2000)))
    blocks += actions(card.buttons, card.multi)
    if card.footer:
        blocks.append(ContextBlock(elements=[plain(card.footer)]))
    return blocks


def facts(lines: Iterable[CardLine]) -> list[Block]:
    """A card's facts as a table: each label (ours, in bold) beside its value, five to a section.
    A value is anyone's text, so it goes as plain text: Slack reads no formatting, mention or link
    in it (mrkdwn has no escape for `*`, `_`, `~` or a backtick), and shows it whole. A value too
    long for a column goes under its label, over as many full-width sections as it needs; one
    without a label goes full width; a web address alone is a link."""
    blocks: list[Block] = []
    row: list[TextObject] = []
    loose: list[str] = []  # lines without a label, drawn together

    def flush() -> None:
        if row:
            blocks.append(SectionBlock(fields=row.copy()))
            row.clear()
        if loose:
            blocks.extend(sections("\n".join(loose), emoji=False))
            loose.clear()

    for line in lines:
        label = " ".join(part for part in (line.icon, f"*{escape(line.label)}*" if line.label else "") if part)
        link = MarkdownTextObject(text=f"<{escape(line.value)}>") if LINK.fullmatch(line.value) else None
        if line.label and (link or len(line.value) <= FIELD_TEXT):
            if loose or len(row) == FIELDS:
                flush()
            row += [MarkdownTextObject(text=label), link or plain(line.value, FIELD_TEXT, emoji=False)]
        elif link:
            flush()
            blocks.append(SectionBlock(text=link))
        elif line.label:
            flush()
            blocks.append(SectionBlock(text=MarkdownTextObject(text=label)))
            blocks.extend(sections(line.value, emoji=False))
        else:
            if row:
                flush()
            loose.append(f"{line.icon} {line.value}" if line.icon else line.value)
    flush()
    return blocks


def dashboard_blocks(board: Dashboard, room: int | None = None) -> list[Block]:
    """A dashboard: its title, then each section's title, figures, cards and count. Within `room`
    blocks every section keeps its title, figures and count, and the cards that fit are taken in
    turns (each section's first before any second), so a long section cannot push the others out."""
    heads = [_section_head(section) for section in board.sections]
    cards = [[card_blocks(item) for item in section.cards] for section in board.sections]
    shown = [len(drawn) for drawn in cards]
    if room is not None:
        counts = sum(1 for section in board.sections if section.counted(0))  # a line each, when cut
        shown = _in_turns(cards, room - 1 - sum(len(head) for head in heads) - counts)
    blocks: list[Block] = [HeaderBlock(text=plain(board.title, 150))]
    for section, head, drawn, n in zip(board.sections, heads, cards, shown, strict=True):
        blocks += head + [block for card in drawn[:n] for block in card]
        if section.counted(n):
            blocks.append(ContextBlock(elements=[plain(section.counted(n))]))
    return blocks


def _section_head(section: Section) -> list[Block]:
    head: list[Block] = [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=f"*{escape(cut(section.title, 2900))}*")),
    ]
    figures = [MarkdownTextObject(text=cut(f"*{escape(f.label)}*\n{escape(f.value)}", 2000)) for f in section.figures]
    return head + [SectionBlock(fields=figures[start : start + FIELDS]) for start in range(0, len(figures), FIELDS)]


def _in_turns(cards: list[list[list[Block]]], budget: int) -> list[int]:
    """How many cards of each section fit in `budget` blocks, taken one per section in turn; a
    section whose next card does not fit gets no more (its cards are in order of importance)."""
    shown = [0] * len(cards)
    open_ = [bool(drawn) for drawn in cards]
    while any(open_):
        for i, drawn in enumerate(cards):
            if not open_[i]:
                continue
            if len(drawn[shown[i]]) > budget:
                open_[i] = False
                continue
            budget -= len(drawn[shown[i]])
            shown[i] += 1
            open_[i] = shown[i] < len(drawn)
    return shown


def blocks_of(reply: Drawn, room: int | None = None) -> list[Block]:
    """The blocks that draw one reply in a message or on the App Home (a dashboard within `room`)."""
    if isinstance(reply, Card):
        return card_blocks(reply)
    if isinstance(reply, Dashboard):
        return dashboard_blocks(reply, room)
    return sections(reply.text) + actions(buttons_of(reply), is_multi(reply))


def message(reply: Drawn) -> dict[str, Any]:
    """chat.postMessage arguments: the blocks, the plain text notifications show, and the thread
    it continues."""
    blocks = blocks_of(reply, MESSAGE_BLOCKS)[:MESSAGE_BLOCKS]
    arguments = {"text": text(summary(reply)), "blocks": [block.to_dict() for block in blocks]}
    if isinstance(reply, Message) and reply.reply_to:
        arguments["thread_ts"] = reply.reply_to
    return arguments


def home(replies: Iterable[Drawn]) -> dict[str, Any]:
    """The App Home: every reply's blocks, one under the other, within Slack's 100 blocks: the
    dashboards share what the other replies leave (see `dashboard_blocks`)."""
    replies = list(replies)
    boards = sum(isinstance(reply, Dashboard) for reply in replies)
    others = sum(len(blocks_of(reply)) for reply in replies if not isinstance(reply, Dashboard))
    room = (VIEW_BLOCKS - others - (len(replies) - 1)) // max(boards, 1)
    blocks: list[Block] = []
    for reply in replies:
        if blocks:
            blocks.append(DividerBlock())
        blocks += blocks_of(reply, room)
    return View(type="home", blocks=blocks[:VIEW_BLOCKS]).to_dict()


def modal(form: Form, cancel: str) -> dict[str, Any]:
    """A form as a modal: one input per field (a photo has no place there), submitted as `form.submit`."""
    inputs = [
        InputBlock(
            block_id=f.name,
            label=plain(f.label, 2000),
            element=element(f),
            optional=f.optional,
            hint=plain(f.prompt, 2000) if f.prompt else None,
        )
        for f in form.fields
        if f.kind != "photo"
    ]
    return View(
        type="modal",
        callback_id=form.submit.encode(),
        title=plain(form.title, TITLE),
        submit=plain(form.submit_label, TITLE),
        close=plain(cancel, TITLE),
        blocks=inputs,
        private_metadata=json.dumps(form.hidden) if form.hidden else None,
    ).to_dict()


def element(f: FormField) -> Any:
    """The input for one field, filled with its current value."""
    options = [Option(value=value, label=cut(label, 75)) for value, label in f.options][:100]
    chosen = [o for o in options if o.value in (f.value if isinstance(f.value, list) else [f.value])]
    if f.kind == "number":
        return NumberInputElement(
            action_id=f.name, is_decimal_allowed=False, min_value=f.minimum, max_value=f.maximum, initial_value=f.value
        )
    if f.kind == "date":
        return DatePickerElement(action_id=f.name, initial_date=f.value or None)
    if f.kind == "datetime":
        moment = int(datetime.fromisoformat(f.value).timestamp()) if f.value else None
        return DateTimePickerElement(action_id=f.name, initial_date_time=moment)
    if f.kind in ("choice", "yesno"):
        if f.kind == "yesno" and isinstance(f.value, bool):
            chosen = [o for o in options if o.value == ("yes" if f.value else "no")]
        return StaticSelectElement(action_id=f.name, options=options, initial_option=chosen[0] if chosen else None)
    if f.kind == "multi":
        if len(options) <= 10:
            return CheckboxesElement(action_id=f.name, options=options, initial_options=chosen or None)
        return StaticMultiSelectElement(action_id=f.name, options=options, initial_options=chosen or None)
    return PlainTextInputElement(
        action_id=f.name,
        initial_value=f.value or None,
        multiline=(f.maximum or 0) > 200,
        max_length=min(f.maximum or 3000, 3000),
    )


def submitted(view: Mapping[str, Any]) -> dict[str, Any]:
    """The values of a submitted modal by field name, as the flow's steps read them, and what
    the form carried along (Slack keeps `private_metadata` on its side: the person cannot change it).
    ValueError when the view is not as Slack sends it back: a `private_metadata` the bot did not
    write, or a state of another shape."""
    values: dict[str, Any] = {name: value for name, value in _hidden(view).items() if name.startswith("_")}
    state = view.get("state") or {}
    blocks = state.get("values", {}) if isinstance(state, dict) else None
    if not isinstance(blocks, dict):
        raise ValueError("a view state that is not Slack's")
    for block_id, inputs in blocks.items():
        if not isinstance(inputs, dict) or not all(isinstance(value, dict) for value in inputs.values()):
            raise ValueError("a view state that is not Slack's")
        for value in inputs.values():
            kind = value.get("type")
            if kind in ("plain_text_input", "number_input"):
                values[block_id] = _scalar(value.get("value"), str)
            elif kind == "datepicker":
                values[block_id] = _scalar(value.get("selected_date"), str)
            elif kind == "datetimepicker":
                values[block_id] = _scalar(value.get("selected_date_time"), int)
            elif kind in ("static_select", "radio_buttons"):
                values[block_id] = _option(value.get("selected_option") or {})
            elif kind in ("checkboxes", "multi_static_select"):
                options = value.get("selected_options") or []
                if not isinstance(options, list):
                    raise ValueError("selected options that are not Slack's")
                values[block_id] = [_option(option) for option in options]
    return values


def _hidden(view: Mapping[str, Any]) -> dict[str, Any]:
    """What the bot wrote in the modal's `private_metadata`: a JSON object, or nothing."""
    try:
        hidden = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        raise ValueError("a private_metadata the bot did not write") from None
    if not isinstance(hidden, dict):
        raise ValueError("a private_metadata the bot did not write")
    return hidden


def _scalar(value: Any, kind: type) -> Any:
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise ValueError("a field value that is not Slack's")
    return value


def _option(option: Any) -> str | None:
    """A chosen option's value (none chosen: an empty object)."""
    if not isinstance(option, dict) or (option and not (isinstance(option.get("value"), str) and option["value"])):
        raise ValueError("an option that is not Slack's")
    return option.get("value")


def escape(text: str) -> str:
    """Text shown as mrkdwn, with Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text(words: str) -> str:
    """A message's top-level `text` (what notifications and screen readers give, as mrkdwn): escaped,
    so that what someone typed is no mention (`<!channel>`, `<@U…>`) and no disguised link."""
    return escape(cut(words, NOTIFICATION))
