"""Gangmaker as the core sees it: the tuple of its features' parts (`handlers/<feature>/__init__.py`
declares each), joined into one application description."""

from __future__ import annotations

from bot.app import Application
from bot.config import Settings
from handlers import calls, ideas, impact, offers, people, projects, rounds, support

PARTS = (people.PART, ideas.PART, offers.PART, calls.PART, projects.PART, support.PART, rounds.PART, impact.PART)


def application(settings: Settings) -> Application:
    """The application description the core runs (named by GANGMAKER_APPLICATION)."""
    return Application.of(PARTS, settings)
