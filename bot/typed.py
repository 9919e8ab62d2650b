"""What people type instead of tapping: words compared plainly (no case, accents, punctuation
or emoji, so "idee delen" is the button "💡 Idee delen"), and yes, no or "I don't know" in
Dutch, English and French."""

from __future__ import annotations

import unicodedata

YES = frozenset(
    {
        "ja",
        "ja graag",
        "graag",
        "ja hoor",
        "ja dat is goed",
        "dat is goed",
        "goed",
        "ok",
        "oke",
        "okay",
        "prima",
        "akkoord",
        "in orde",
        "yes",
        "yes please",
        "sure",
        "fine",
        "oui",
        "oui merci",
        "daccord",
        "ok daccord",
        "volontiers",
        "bien sur",
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


def plain(text: str) -> str:
    """The words of `text` in lower case, without accents, punctuation, emoji or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold()).replace("'", "").replace("’", "")
    kept = "".join(char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char))
    return " ".join(kept.split())


def same(typed: str, label: str) -> bool:
    """Whether what someone typed names this label."""
    return bool(plain(typed)) and plain(typed) == plain(label)


def yes_or_no(typed: str) -> bool | None:
    """True for a typed yes, False for a no, None for anything else."""
    said = plain(typed)
    return True if said in YES else False if said in NO else None
