"""The domain's words, named once: the states of calls, sign-ups, ideas and projects, the roles
and the shared rooms. They are `StrEnum`s with the values stored today, so rows compare and save
as the plain strings they always were (no migration)."""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import N_


class Role(StrEnum):
    """What a person may do beyond taking part (granted in the database, audited)."""

    COORDINATOR = "coordinator"  # creates and manages calls, moderates ideas, approves partners
    PARTNER = "partner"  # a member of a partner organisation


class SharedRoom(StrEnum):
    """The shared rooms the bot writes to (on Slack: channels named in the settings)."""

    COORDINATORS = "coordinators"
    PARTNERS = "partners"


class Level(StrEnum):
    """How a person chose to take part (onboarding, /profiel): think along, lend a hand, or both."""

    STRATEGIC = "strategic"  # Meedenken: gets question rounds
    OPERATIONAL = "operational"  # Meehelpen: gets calls
    BOTH = "both"


class RoundState(StrEnum):
    """A question round ("bevraging") from its first draft to its closing."""

    DRAFT = "draft"
    AWAITING = "awaiting"  # a partner's round before a coordinator approved it
    SCHEDULED = "scheduled"  # sent at its publish time
    OPEN = "open"  # sent; answers are taken until it closes
    CLOSED = "closed"
    CANCELLED = "cancelled"


class CallState(StrEnum):
    DRAFT = "draft"
    AWAITING = "awaiting"  # a partner's call before a coordinator approved it
    SCHEDULED = "scheduled"  # published at its publish time
    PUBLISHED = "published"
    CLOSED = "closed"  # takes place, takes no new sign-ups
    CANCELLED = "cancelled"


class SignUpState(StrEnum):
    JOINED = "joined"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # a freed place offered to the first on the waitlist, until it is confirmed
    PASSED = "passed"  # that place went to the next in line
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class IdeaState(StrEnum):
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"
    ADOPTED = "adopted"
    PROTOTYPING = "prototyping"
    TESTED = "tested"
    REALISED = "realised"
    ARCHIVED = "archived"


class ProjectPhase(StrEnum):
    """The Design Thinking phases a project moves through, or its stop."""

    EXPLORE = "explore"
    PROTOTYPE = "prototype"
    TEST = "test"
    REALISED = "realised"
    STOPPED = "stopped"


OPEN = (CallState.PUBLISHED, CallState.CLOSED)  # calls that still take place
HOLDING = (SignUpState.JOINED, SignUpState.OFFERED)  # sign-ups that take a place
TOOK_PART = (SignUpState.JOINED, SignUpState.ATTENDED)  # who counts as taking part: hears news, may rate, is counted
# Who gets what, by level; a person who never chose (None) gets calls, as before the levels counted.
THINKING = (Level.STRATEGIC, Level.BOTH)
HELPING = (Level.OPERATIONAL, Level.BOTH)
PHASES = (ProjectPhase.EXPLORE, ProjectPhase.PROTOTYPE, ProjectPhase.TEST, ProjectPhase.REALISED)
# Ideas the public may read: published, and every step after.
PUBLIC_IDEAS = (
    IdeaState.PUBLISHED,
    IdeaState.ADOPTED,
    IdeaState.PROTOTYPING,
    IdeaState.TESTED,
    IdeaState.REALISED,
)
# The small-group rule, everywhere people are counted: a group under SMALL is shown as UNDER.
SMALL = 5
UNDER = "< 5"
# A count hidden because a small group could be worked out from it (it may be larger): its msgid is
# what the reader sees, never a dash or an empty bar that would read as nothing.
HIDDEN = N_("verborgen")


def small_count(value: int) -> int | str:
    """A count of people as anyone may read it: one under SMALL (but not 0) as UNDER."""
    return UNDER if 0 < value < SMALL else value
