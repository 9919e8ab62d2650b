"""The language a newcomer writes in (bot.i18n.language_of): sure, or None."""

import pytest

from bot.i18n import language_of


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hallo", "nl"),
        ("Hallo, wat is dit?", "nl"),
        ("Ik wil iets doen voor mijn straat", "nl"),
        ("ja graag", "nl"),
        ("Ik spreek geen Frans", "nl"),
        ("bonjour, vous parlez français?", "fr"),
        ("oui", "fr"),
        ("d'accord", "fr"),
        ("Je ne parle pas néerlandais", "fr"),
        ("Comment ça marche ?", "fr"),
        ("hello, do you speak english?", "en"),
        ("yes please", "en"),
        ("I don't speak Dutch", "en"),
        ("hallo, spreek je Engels?", "en"),  # asked for by name
        ("parlez-vous anglais", "en"),
        ("ok", None),
        ("👍", None),
        ("Hey", None),
    ],
)
def test_language_of(text, language):
    assert language_of(text) == language
