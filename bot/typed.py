"""What people type instead of tapping: words compared plainly (no case, accents, punctuation
or emoji, so "idee delen" is the button "💡 Idee delen"), near misses matched with rapidfuzz
("heulle" is Heule, "jongeren" is "Kinderen en jongeren"), yes, no or "I don't know" in Dutch,
English and French, and a question asked back instead of an answer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz, process

YES = frozenset(
    {
        "ja",
        "jaa",
        "jep",
        "jawel",
        "ja graag",
        "graag",
        "ja hoor",
        "ja dat is goed",
        "ja dat klopt",
        "dat klopt",
        "klopt",
        "dat is goed",
        "goed",
        "ok",
        "oke",
        "okay",
        "okido",
        "prima",
        "akkoord",
        "in orde",
        "yes",
        "yep",
        "yes please",
        "sure",
        "fine",
        "oui",
        "oui merci",
        "daccord",
        "ok daccord",
        "volontiers",
        "bien sur",
        "cest bon",
    }
)
NO = frozenset(
    {
        "nee",
        "neen",
        "nee bedankt",
        "nee dank je",
        "liever niet",
        "nee liever niet",
        "niet nu",
        "no",
        "no thanks",
        "nope",
        "not now",
        "non",
        "non merci",
        "pas maintenant",
    }
)
DONT_KNOW = frozenset(
    {
        "weet ik niet",
        "ik weet het niet",
        "geen idee",
        "weet niet",
        "dont know",
        "i dont know",
        "no idea",
        "not sure",
        "je ne sais pas",
        "sais pas",
        "aucune idee",
    }
)
# "I have none", where something (a photo) is asked that one may not have.
NOTHING = frozenset(
    {
        "geen",
        "geen foto",
        "heb ik niet",
        "heb ik niet echt",
        "ik heb er geen",
        "ik heb geen",
        "ik heb geen foto",
        "niet",
        "niks",
        "niets",
        "none",
        "no photo",
        "i dont have one",
        "i have none",
        "pas de photo",
        "je nen ai pas",
        "aucune",
        "rien",
    }
)
# Emoji that say yes or no on their own (skin tones and the emoji variation selector left out).
YES_EMOJI = frozenset({"👍", "👌", "✅", "✔", "🆗", "🙋", "🙋‍♀", "🙋‍♂"})
NO_EMOJI = frozenset({"👎", "❌", "✖", "🙅", "🙅‍♀", "🙅‍♂"})
EMOJI_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")
# The first word of a label or an answer that says yes or no ("Ja, uitschrijven", "nee, ik kom").
LEAD_YES = frozenset({"ja", "jawel", "yes", "oui", "ok", "oke"})
LEAD_NO = frozenset({"nee", "neen", "no", "non"})

# How alike a typed answer and a label must be (rapidfuzz's normalised Indel similarity, 0-100).
# 85 lets one slip in about seven letters through ("heulle" for Heule scores 91, "bellegm" for
# Bellegem 93, "aanpasen" for Aanpassen 94) and keeps apart what merely looks alike ("engels" for
# English scores 77, "weekend" for Weekdagen 71, "2 weken" for "Een week" 53).
ALIKE = 85
# Typed words that are part of a label name it ("jongeren", "maker", "week") when they hold at
# least this many letters: "en" or "of" name nothing.
PART_LETTERS = 4
# Labels that score within this many points of the best are as likely: then ask, do not guess.
CLOSE = 5


def plain(text: str) -> str:
    """The words of `text` in lower case, without accents, punctuation, emoji or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold()).replace("'", "").replace("’", "")
    kept = "".join(char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char))
    return " ".join(kept.split())


def same(typed: str, label: str) -> bool:
    """Whether what someone typed names this label."""
    return bool(plain(typed)) and plain(typed) == plain(label)


def yes_or_no(typed: str) -> bool | None:
    """True for a typed yes (also 👍), False for a no, None for anything else."""
    said = plain(typed)
    if said in YES:
        return True
    if said in NO:
        return False
    if not said:
        emoji = EMOJI_MODIFIERS.sub("", "".join(typed.split()))
        return True if emoji in YES_EMOJI else False if emoji in NO_EMOJI else None
    return None


def _lead(words: Sequence[str]) -> bool | None:
    """Whether the first word says yes (True), no (False) or neither (None)."""
    first = words[0] if words else ""
    return True if first in LEAD_YES else False if first in LEAD_NO else None


def _score(typed: str, label: str) -> float:
    """How well `typed` names `label` (both plain), 0-100: the whole of it, or a part of its words."""
    if not typed or not label:
        return 0.0
    whole = fuzz.ratio(typed, label)
    words, label_words = typed.split(), label.split()
    if len(words) >= len(label_words) or sum(len(word) for word in words) < PART_LETTERS:
        return whole
    # Every typed word is (nearly) one of the label's words: "jongeren", "sport", "avond".
    scores = []
    left = list(label_words)
    for word in words:
        found = process.extractOne(word, left, scorer=fuzz.ratio, score_cutoff=ALIKE)
        if found is None:
            return whole
        scores.append(found[1])
        left.pop(found[2])
    return max(whole, min(scores) - 1)  # a part weighs a hair less than the whole label


def choose(typed: str, labels: Sequence[str]) -> list[int]:
    """The places in `labels` that `typed` names: one when it is clear, several when it could be any
    of them (ask which), none when it names none. Case, accents, punctuation and emoji do not count,
    nor a leading yes or no the label does not contradict ("ja, ik doe mee" for "Ik doe mee")."""
    said = plain(typed)
    shown = [plain(label) for label in labels]
    exact = [index for index, label in enumerate(shown) if said and label == said]
    if exact:
        return exact
    answer = yes_or_no(typed)
    if answer is not None:  # a bare yes or no: the one label that starts with it ("Ja, uitschrijven")
        return [
            index
            for index, label in enumerate(shown)
            if label in (YES if answer else NO) or _lead(label.split()) is answer
        ]
    words = said.split()
    scored = [(_score(said, label), index) for index, label in enumerate(shown)]
    lead = _lead(words)
    if lead is not None and len(words) > 1:  # "ja, ik doe mee": the rest names a label that says no other
        rest = " ".join(words[1:])
        scored += [
            (_score(rest, label if _lead(label.split()) is None else " ".join(label.split()[1:])), index)
            for index, label in enumerate(shown)
            if _lead(label.split()) in (None, lead)
        ]
    best = max((score for score, _ in scored), default=0.0)
    if best < ALIKE:
        return []
    return sorted({index for score, index in scored if score >= best - CLOSE and score >= ALIKE})


QUESTION_WORDS = frozenset(
    {
        # Dutch
        "wat",
        "wie",
        "waar",
        "wanneer",
        "waarom",
        "hoe",
        "welke",
        "welk",
        "bedoel",
        "bedoelt",
        "moet",
        "mag",
        # English
        "what",
        "who",
        "where",
        "when",
        "why",
        "how",
        "which",
        "do",
        "does",
        "should",
        "mean",
        # French
        "quoi",
        "qui",
        "ou",
        "quand",
        "pourquoi",
        "comment",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "questce",
        "cest",
        "dois",
        "faut",
    }
)
ASKED_BACK_WORDS = 12  # a question back is short; a longer text ending in "?" is an answer put as one


def asks_back(typed: str) -> bool:
    """Whether a typed answer is a question to the bot ("bedoel je wat ik wil veranderen?"): short,
    and ending in a question mark or opening with a question word, in Dutch, English or French."""
    words = plain(typed).split()
    if not words or len(words) > ASKED_BACK_WORDS:
        return False
    return typed.rstrip().endswith("?") or words[0] in QUESTION_WORDS
