"""Found by the type checker: an application that names no menu (or no answer to a message or a
command it does not understand) stops at the start, instead of failing every turn later."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import Application, MissingDeclaration
from bot.config import load_settings
from handlers.app import PARTS


@pytest.mark.parametrize("answer", ["menu", "not_understood", "unknown_command"])
def test_an_application_without_an_answer_it_needs_stops_the_start(answer):
    settings = load_settings(database_url="sqlite://", _env_file=None)
    parts = tuple(replace(part, **{answer: None}) for part in PARTS)
    with pytest.raises(MissingDeclaration, match=f"no part declares the answer '{answer}'"):
        Application.of(parts, settings)
