"""What the Slack channel checks of a signed request before Bolt sees it: whether it holds what the
channel reads, and what identifies it, so a replay of it does nothing.

Slack always sends the person who acted, the actions tapped, the view as the bot drew it and the
`private_metadata` the bot wrote; a body without them can only come from someone holding the
signing secret. It is refused whole, with a reason that quotes nothing of the body.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any, TypeGuard

from bot.channels.slack.blocks import submitted


def problem(body: Mapping[str, Any]) -> str | None:
    """What is missing or malformed in a request the channel handles, or None when nothing is."""
    if "command" in body:
        return None if _text(body.get("user_id")) else "a slash command without a user id"
    kind = body.get("type")
    if kind == "block_actions":
        return _person(body) or _tap(body)
    if kind == "view_submission":
        return _person(body) or _submission(body)
    if kind == "event_callback":
        return _event(body.get("event"))
    return None  # Bolt answers what the channel has no listener for


def replay_key(body: Mapping[str, Any], signature: str) -> str:
    """What identifies a signed request among those already handled: its kind and a digest of its
    signature (which covers its timestamp and body, so Slack's own requests never share one)."""
    kind = "command" if "command" in body else str(body.get("type") or "request")[:20]
    digest = base64.urlsafe_b64encode(hashlib.sha256(signature.encode()).digest()).decode().rstrip("=")
    return f"{kind}:{digest}"


def _text(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _optional_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _person(body: Mapping[str, Any]) -> str | None:
    user = body.get("user")
    if not isinstance(user, dict) or not _text(user.get("id")):
        return "no user id"
    return None if _optional_text(body.get("trigger_id")) else "a trigger id that is not text"


def _tap(body: Mapping[str, Any]) -> str | None:
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        return "no actions"
    for action in actions:
        if (
            not isinstance(action, dict)
            or not _text(action.get("action_id"))
            or not _optional_text(action.get("value"))
        ):
            return "an action that is not Slack's"
    container = body.get("container", {})
    if not isinstance(container, dict) or not all(
        _optional_text(container.get(name)) for name in ("type", "channel_id", "message_ts")
    ):
        return "a container that is not Slack's"
    if "view" in body and not _view(body["view"]):
        return "a view without a type"
    return None


def _view(view: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(view, dict) and _text(view.get("type"))


def _submission(body: Mapping[str, Any]) -> str | None:
    view = body.get("view")
    if not _view(view) or not _text(view.get("callback_id")):
        return "a view without a type or callback id"
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or not all(isinstance(block, dict) for block in blocks):
        return "a view whose blocks are not Slack's"
    try:
        submitted(view)
    except ValueError as error:
        return str(error)
    return None


def _event(event: Any) -> str | None:
    if not isinstance(event, dict) or not _text(event.get("type")):
        return "an event without a type"
    ours = event["type"] == "app_home_opened" or (
        event["type"] == "message" and not event.get("subtype") and not event.get("bot_id")
    )
    if ours and not _text(event.get("user")):
        return "an event without a user"
    fields = ("tab", "channel_type", "text", "thread_ts", "subtype")
    return None if all(_optional_text(event.get(name)) for name in fields) else "an event field that is not text"
