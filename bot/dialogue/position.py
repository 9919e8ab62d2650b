"""Where a dialogue stands (a step, the summary, the list of what to change), read from and written to its row.

The `conversation` row keeps the position in two text columns, `step` and `mode`, with the
values every earlier version wrote: a dialogue begun before an upgrade goes on where it was.
`Position.of` is the only reader of those columns and `Position.columns` the only writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

# The stored values. In `step`: a step's name, or one of these two; in `mode`: ASK or SUMMARY.
SUMMARY = "_summary"  # `step` at the summary; `mode` while a step is changed from the summary
EDIT = "_edit"  # `step` at the list of what to change
ASK = "ask"  # `mode` while the steps are asked one after the other


class At(Enum):
    """The three places a dialogue can be."""

    STEP = "step"
    SUMMARY = "summary"
    EDIT = "edit"  # the list of steps to change, after "Aanpassen" on the summary


class Row(Protocol):
    """What of a `conversation` row holds the position (the model, or a stand-in in a test)."""

    step: str
    mode: str


@dataclass(frozen=True)
class Position:
    """A step asked (`step`), the summary, or the edit list; `from_summary` when answering the
    step (or going back from it) returns to the summary instead of to the next step."""

    at: At
    step: str | None = None
    from_summary: bool = False

    def __post_init__(self) -> None:
        if (self.at is At.STEP) != (self.step is not None) or (self.from_summary and self.at is not At.STEP):
            raise ValueError(f"only a position at a step names one, and returns to the summary: {self!r}")

    @classmethod
    def asking(cls, step: str, *, from_summary: bool = False) -> Position:
        return cls(At.STEP, step, from_summary)

    @classmethod
    def of(cls, row: Row) -> Position:
        """The position a row holds."""
        if row.step == SUMMARY:
            return AT_SUMMARY
        if row.step == EDIT:
            return AT_EDIT
        return cls.asking(row.step, from_summary=row.mode == SUMMARY)

    def columns(self) -> tuple[str, str]:
        """The stored `step` and `mode`."""
        if self.at is At.SUMMARY:
            return SUMMARY, ASK
        if self.at is At.EDIT:
            return EDIT, ASK
        assert self.step is not None  # __post_init__ sees to it
        return self.step, SUMMARY if self.from_summary else ASK

    def write(self, row: Row) -> None:
        """Move the row to this position."""
        row.step, row.mode = self.columns()


AT_SUMMARY = Position(At.SUMMARY)
AT_EDIT = Position(At.EDIT)
