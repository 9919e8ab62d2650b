"""How each channel asks: whole flows as forms or one step at a time, and the words of its hints.

A chat says "tik" or "typ", a form says neither; so no question or rule text carries a
gesture. Each channel declares its `Surface` (plain data: a chat's words changed where its
gesture differs, see `Channel.surface`), and the dialogue takes the hint for a kind of
answer (number, date, multi...) from the surface of the channel the reader is on. Texts
name commands as a chat types them ("/idee"); a surface whose commands are typed otherwise
("/gangmaker idee" on Slack) says how, and the reader's translator writes them that way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bot.i18n import N_

# Kinds whose hint is shown with the question itself, not only after an answer that does not fit.
ASKED_WITH_HINT = frozenset({"number", "date", "datetime", "multi", "photo"})

# For a form and the command line: what a value should be, with no gesture at all.
NEUTRAL_HINTS: Mapping[str, str] = {
    "text": N_("Dit veld vraagt een tekst."),
    "number": N_("Dat moet een getal tussen {min} en {max} zijn."),
    "date": N_("Dat moet een datum zijn, zoals {example}."),
    "datetime": N_("Dat moet een datum met een uur zijn, zoals {example} om 14.00 uur."),
    "choice": N_("Kies een van de mogelijkheden."),
    "yesno": N_("Kies een van de mogelijkheden."),
    "multi": N_("Kies een of meer van de mogelijkheden."),
    "photo": N_("Voeg een foto toe."),
}


@dataclass(frozen=True)
class Surface:
    """What a channel draws: a whole flow as one form (`forms`), and its hints per kind of answer.

    A hint missing here falls back to the neutral one; "cancel" (how to stop a question
    midway) has no neutral form, since a form has its own cancel button."""

    forms: bool = False
    hints: Mapping[str, str] = field(default_factory=dict)
    command: str = "/{}"  # how a person types the command {} here

    def hint(self, kind: str) -> str | None:
        return self.hints.get(kind) or NEUTRAL_HINTS.get(kind)

    def with_hints(self, forms: bool | None = None, command: str | None = None, **hints: str) -> Surface:
        return replace(
            self,
            forms=self.forms if forms is None else forms,
            command=command or self.command,
            hints={**self.hints, **hints},
        )


FORM = Surface(forms=True)

# A chat with buttons where people type their answers; channels change what differs.
CHAT = Surface(
    hints={
        "text": N_("Typ je antwoord in een bericht."),
        "number": N_("Typ een getal tussen {min} en {max}."),
        "date": N_("Typ een datum, bijvoorbeeld {example}."),
        "datetime": N_("Typ een datum en een uur, bijvoorbeeld {example} om 14.00 uur."),
        "choice": N_("Kies een van de knoppen."),
        "yesno": N_("Kies een van de knoppen."),
        "multi": N_("Kies alles wat past en dan Klaar."),
        "photo": N_("Een foto stuur je als gewoon bericht."),
        "cancel": N_("Of typ /annuleer om te stoppen."),
    }
)
