"""The channels Gangmaker has, by name: the one list the assembly builds from, and the command
line and the admin command line read. A new channel is a folder beside these and one line here."""

from __future__ import annotations

from collections.abc import Mapping

from bot.channels.base import Channel
from bot.channels.console.channel import ConsoleChannel
from bot.channels.slack.channel import SlackChannel
from bot.channels.telegram.channel import TelegramChannel
from bot.config import Settings
from bot.surfaces import Surface

CHANNELS: Mapping[str, type[Channel]] = {
    kind.name: kind
    for kind in (
        TelegramChannel,
        SlackChannel,
        ConsoleChannel,
    )
}
NAMES = tuple(CHANNELS)  # what an identity's channel can be: the admin command line's choice
SURFACES: Mapping[str, Surface] = {name: kind.surface for name, kind in CHANNELS.items()}


def configured(settings: Settings) -> list[type[Channel]]:
    """The channels the settings configure: those `gangmaker serve` runs."""
    return [kind for kind in CHANNELS.values() if kind.configured(settings)]


def needs() -> list[str]:
    """What would configure a channel (its token's setting), for the command line's advice."""
    return [kind.needs for kind in CHANNELS.values() if kind.needs]
