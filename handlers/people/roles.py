"""Who holds a role from the start: the coordinators named in the settings, and the console's partners."""

from __future__ import annotations

from collections.abc import Sequence

from bot.app import Grant
from bot.config import Settings
from handlers.common.domain import Role


def partner_from_settings(settings: Settings, channel: str, user_id: str) -> bool:
    """Whether PARTNER_CONSOLE_USERS names this console user (admitted as a partner, as a
    coordinator the settings name is)."""
    return channel == "console" and any(
        user.strip() == user_id and organisation.strip()
        for user, _, organisation in (entry.partition("=") for entry in settings.partner_console_users)
    )


def coordinators_from_settings(settings: Settings) -> Sequence[Grant]:
    """COORDINATOR_TELEGRAM_IDS, SLACK_COORDINATOR_IDS and COORDINATOR_CONSOLE_USERS grant the role at
    start; PARTNER_CONSOLE_USERS ("user=organisation") makes console users partners of an organisation."""
    partners = [entry.partition("=") for entry in settings.partner_console_users]
    return [
        *(
            ("console", user.strip(), Role.PARTNER, organisation.strip())
            for user, _, organisation in partners
            if organisation.strip()
        ),
        *(("telegram", str(user_id), Role.COORDINATOR) for user_id in settings.coordinator_telegram_ids),
        *(("slack", user, Role.COORDINATOR) for user in settings.slack_coordinator_ids),
        *(("console", user, Role.COORDINATOR) for user in settings.coordinator_console_users),
    ]
