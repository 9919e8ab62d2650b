"""How alike two ideas are: the Snowball stems of the words that carry meaning, in the language the
text is written in (Dutch, English or French), cut in pieces of four letters (so "opruimactie" and
"opruimen" share some), compared by their Dice coefficient."""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer
from stop_words import get_stop_words

LANGUAGES = {"nl": "dutch", "en": "english", "fr": "french"}
WORD = re.compile(r"[^\W\d_]+")
PIECE = 4  # letters

# Measured on tests/auxil/idea_pairs.json (28 pairs in Dutch, English and French, labelled by hand):
# the pairs a coordinator would call the same idea score 0.39 and more, the others 0.28 and less.
ALIKE = 0.33


@cache
def _stop_words(code: str) -> frozenset[str]:
    return frozenset(get_stop_words(code))


@cache
def _small_words() -> frozenset[str]:
    return frozenset().union(*(_stop_words(code) for code in LANGUAGES))


@cache
def _stemmer(code: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(LANGUAGES[code])


def language(words: list[str]) -> str:
    """The language of these words: the one whose small words they use most (Dutch on a tie)."""
    return max(LANGUAGES, key=lambda code: sum(word in _stop_words(code) for word in words))


def pieces(text: str) -> frozenset[str]:
    """The four-letter pieces of the stems of the words in `text` that carry meaning."""
    words = [word.split("'")[-1] for word in WORD.findall(text.casefold().replace("’", "'"))]
    meant = [word for word in words if len(word) >= 3 and word not in _small_words()]
    found: set[str] = set()
    for stem in _stemmer(language(words)).stemWords(meant):
        padded = f" {stem} "
        found.update(padded[i : i + PIECE] for i in range(max(1, len(padded) - PIECE + 1)))
    return frozenset(found)


def likeness(one: str, other: str) -> float:
    """From 0 (nothing in common) to 1 (the same words)."""
    a, b = pieces(one), pieces(other)
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def alike(one: str, other: str) -> bool:
    """Whether a coordinator would likely call these the same idea."""
    return likeness(one, other) >= ALIKE
