"""Support and follow: residents browse published ideas and running projects near them, and back or
follow one with a tap (the rules in `service.py`, the cards and buttons in `browsing.py`)."""

from __future__ import annotations

from bot.app import Command, Part, Route
from handlers.support import browsing
from handlers.support.browsing import browse_projects, deep_link, deep_link_target, link_of_tap, show_link

__all__ = ["PART", "browse_projects", "deep_link", "deep_link_target", "link_of_tap", "show_link"]

PART = Part(
    name="support",
    commands=(Command(("ideeen", "ideas", "idees"), browsing.browse_ideas),),
    routes={browsing.SUPPORT: Route(browsing.on_support_button)},
)
