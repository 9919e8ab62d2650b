"""Random conversations for the property tests: who takes part and what each of them does, drawn by
hypothesis, then played through the core with the invariants checked after every event.

A scenario is plain data (people, a few rows to start from, events), so hypothesis can shrink it;
what an event means (which button "the third button" is) is worked out while it is played, and
every event as it was delivered is written down with `note`, so a failure shows the conversation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import hypothesis
from babel.messages.pofile import read_po
from hypothesis import note
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.app import Application
from bot.channels.registry import SURFACES
from bot.config import Settings, load_settings
from bot.core import Gangmaker
from bot.dialogue import (
    EDIT,
    SUMMARY,
    ChoiceStep,
    DateStep,
    DateTimeStep,
    Flow,
    MultiStep,
    NumberStep,
    Step,
    TextStep,
    YesNoStep,
    new_token,
)
from bot.dialogue.engine import NAVIGATION, STOP, SWITCH
from bot.i18n import LOCALES_DIR
from bot.outbox import Dispatcher, PushSender, enqueue_room
from bot.replies import Action, Button, Document, Question, Reply, buttons_of
from bot.scheduler import Jobs
from bot.typed import yes_or_no
from handlers import ideas, projects
from handlers.app import application
from handlers.calls import service as call_service
from handlers.common.domain import Role, SharedRoom
from handlers.common.options import GIFT_KINDS, NEIGHBOURHOODS, THEMES
from storage.db import session_factory
from storage.models import Base, Conversation, Idea, Identity, Offer, Organisation, Person, RoleGrant
from tests.auxil.chat import Chat
from tests.auxil.clock import FakeClock

FAILED = "er ging iets mis aan mijn kant"  # in both answers of a turn that failed (bot.core `_failed`)
CALLBACK_DATA = 64  # bytes of button data Telegram carries
CONSENTED = ("yes", "parent")  # the consent buttons that say yes (a parent's for someone under 13)

# -- what people do ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """Someone taking part: a stranger, a resident who finished onboarding, a coordinator, or a
    partner of an organisation (known from the start, as a workspace member is); a
    resident or coordinator may start in the middle of a dialogue (`flow`, with the first `answered`
    questions answered, the summary when that is all of them), as if they had answered them."""

    kind: str
    channel: str = "test"
    locale: str | None = None
    flow: str | None = None
    answered: int = 0
    name: str | None = None  # the name the chat app gives with every event (Telegram's first name, Slack's)


@dataclass(frozen=True)
class Say:
    """Typed text (a command is typed text that starts with a slash)."""

    who: int
    text: str


@dataclass(frozen=True)
class Answer:
    """A sensible answer to the question shown, `times` times over (one after the other); with
    nothing asked, `pick` chooses what to start."""

    who: int
    pick: int = 0
    times: int = 1
    words: str = "Bankjes aan de Leie"  # typed where text is asked
    typed: str | None = None  # typed instead of the sensible answer where a number, date or moment is asked


@dataclass(frozen=True)
class Tap:
    """A button on the newest message with buttons."""

    who: int
    button: int


@dataclass(frozen=True)
class TypeLabel:
    """The label of a button on the newest message with buttons, typed instead of tapped."""

    who: int
    button: int


@dataclass(frozen=True)
class TapOld:
    """A button on any earlier message (most of them stale by now)."""

    who: int
    message: int
    button: int


@dataclass(frozen=True)
class TapTheirs:
    """A button someone else was shown, tapped by this person (data copied from another chat)."""

    who: int
    other: int
    button: int


@dataclass(frozen=True)
class Forged:
    """Button data made up by a client: any route, verb and ids."""

    who: int
    data: str


@dataclass(frozen=True)
class Photo:
    who: int
    file_id: str


@dataclass(frozen=True)
class Sticker:
    who: int


@dataclass(frozen=True)
class Edit:
    """An earlier message changed."""

    who: int
    text: str


@dataclass(frozen=True)
class Later:
    """Time passes: the scheduled checks run, then what the outbox holds that is due goes out."""

    hours: int


@dataclass(frozen=True)
class Submit:
    """A whole form sent at once (a Slack modal), with values of the types a modal gives: text or
    None, a Unix time for a moment, a list for a multiple choice; what the form carried along
    (`_call_id`...) may be stale."""

    who: int
    flow: str
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Slash:
    """A slash command given outside the chat (Slack's /gangmaker ...): kind "command"."""

    who: int
    text: str


@dataclass(frozen=True)
class Thread:
    """An answer in the thread of a message the bot pushed earlier (Slack): text, a photo or a sticker."""

    who: int
    message: int
    kind: str
    text: str


@dataclass(frozen=True)
class Open:
    """The person opens their dashboard (Slack's App Home)."""

    who: int


@dataclass(frozen=True)
class Dispatch:
    """What the outbox holds that is due goes out now: pushes land in the chats, room messages with
    every coordinator (who may then tap their buttons)."""


Event = (
    Say
    | Answer
    | Tap
    | TypeLabel
    | TapOld
    | TapTheirs
    | Forged
    | Photo
    | Sticker
    | Edit
    | Submit
    | Slash
    | Thread
    | Open
    | Later
    | Dispatch
)


@dataclass(frozen=True)
class Scenario:
    people: tuple[Who, ...]
    events: tuple[Event, ...]
    calls: int = 0  # published calls at the start
    ideas: int = 0  # ideas at the start, by the first resident: submitted, published, submitted...


# -- strategies ----------------------------------------------------------------------------------

ODD = (
    "\x00",
    "\x01",
    "\x07",
    "\x1b",
    "\x7f",
    "\u0085",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u00a0",
    "\u2003",
    "\u3000",
    "\u2028",
    "\u2029",
    "\t",
    "\n",
    "\r",
    "²",
    "³",
    "¹",
    "٣",
    "۴",
    "५",
    "１",
    "①",
    "Ⅻ",
    "¼",
    "İ",
    "ß",
    "ǅ",
    "ﬁ",
    "e\u0301",
    "👩🏽‍🚒",
    "🏳️‍🌈",
    "🇧🇪",
    "💡",
    "|",
    "/",
    "@",
    "%s",
    "{name}",
    "{",
    "}",
    "<b>",
    "*",
    "_",
    "`",
    "\\",
)
RTL = ("مرحبا، عندي فكرة للحي", "שלום, יש לי רעיון", "\u202eKlopt\u202c", "أ ب ت", "٢٠/٣")
PLAUSIBLE = (
    "Het Leieboord is grijs. Buren zitten er nooit.",
    "Kleurrijke bankjes die buren samen maken.",
    "Meer bomen in onze straat, want het is er heet",
    "ja",
    "Ja",
    "nee",
    "Ja graag",
    "oké",
    "non merci",
    "klopt",
    "Klopt",
    "aanpassen",
    "stoppen",
    "Klaar",
    "klaar",
    "terug",
    "Terug",
    "overslaan",
    "weet ik niet",
    "geen idee",
    "1, 3",
    "1 en 2",
    "2;4",
    "erfgoed, sport",
    "Erfgoed en Sport en bewegen",
    "4",
    "4 uur",
    "€ 50",
    "50 euro",
    "0",
    "-3",
    "201",
    "99999999999999999999",
    "²",
    "٣",
    "１２",
    "20/3",
    "29/2",
    "31/4",
    "1/1/0001",
    "20/3/2027",
    "32/13",
    "10/3",
    "9/3",
    "morgen",
    "vandaag",
    "zaterdag",
    "14/3 om 14.00 uur",
    "17u",
    "Anna",
    "A",
    "Jo",
    "idee delen",
    "💡 Idee delen",
    "Menu",
    "help",
    "Heule",
    "Kortrijk centrum",
    "Nederlands",
    "English",
    "Français",
    "Ja, dat is goed",
    "Nee, liever niet",
    "Ja, stoppen",
    "Ja, iets nieuws",
    "Nee, ga verder",
    "Ja, wis mijn gegevens",
    "Nee, toch niet",
    "Correct",
    "Yes",
    "oui",
    "Inwoner",
    "Tijd",
    "Dit is mijn idee",
    "",
    " ",
    "...",
    "?",
    "c1",
    "start",
)
APP = application(load_settings(max_text_length=1000, _env_file=None))
COMMAND_NAMES = sorted(
    {name for command in APP.commands for name in command.names}
    | {name for names in NAVIGATION for name in names}
    | {"geld", "foo", "foto", "IDEE", "Annuleer", "TIJD", "start@GangmakerBot", "idee@AnotherBot", "İDEE", "ídee"}
)
# The commands people use most, in Dutch, and the dialogue's own; then every name and alias, and a few unknown.
COMMON_COMMANDS = (
    "start",
    "idee",
    "tijd",
    "kennis",
    "geven",
    "profiel",
    "privacy",
    "mijngegevens",
    "vergeet",
    "annuleer",
    "terug",
    "overslaan",
    "agenda",
    "pauze",
    "help",
    "menu",
    "bijdragen",
    "mijnoproepen",
    "geld",
    "foo",
)
COMMAND_TAILS = (
    "",
    " c1",
    " c2",
    " c0",
    " c999999999",
    " c1234567890",
    " ²",
    " nu",
    "  ",
    " Bankjes aan de Leie",
    "\u200b",
    "\n/idee",
)
ODD_COMMANDS = ("/", "//idee", "/ idee", "/\u00a0", "/\u2003 ", "/²", "/٣", "/idee\u200b", "/\x00", "/|", "/start c")
STEP_NAMES = (
    "language",
    "display_name",
    "neighbourhood",
    "role",
    "interests",
    "contributions",
    "level",
    "digest",
    "quiet",
)
# The verbs each route knows (and a few it does not); a forged tap mostly names a real one.
ROUTE_VERBS = {
    "offer": ("withdraw", "withdraw!", "renew", "undo", "keep"),
    "privacy": ("export", "forget"),
    "profile": STEP_NAMES,
    "call": ("join", "no", "info", "ics", "show", "keep", "confirm", "release", "cancel!", "cancel"),
    "fb": ("1", "5", "0", "6", "²", "١", "05"),
    "pause": ("week", "month", "open", "off"),
    "nudge": ("resume",),
    "consent": ("yes", "no", "more", "lang", "young", "parent"),
    "onb": ("rest",),
    "coord": ("cancel", "cancel!", "keep", "close", "publish", "attendance", "edit"),
    "att": ("toggle",),
    "mod": ("publish", "reject", "block", "unblock"),
    "member": ("approve", "deny"),
    "adopt": ("idea",),
    "ocontact": ("ask",),
    "proj": ("next", "stop", "call"),
    "sup": ("back", "unback", "follow", "unfollow", "more"),
    "pquiet": ("mute",),
    "callok": ("approve", "deny"),
    "relay": ("allow", "deny", "answer", "close"),
    "phelp": ("offer", "yes", "no"),
    "cmd": COMMAND_NAMES,
    "switch": (*COMMAND_NAMES, STOP, ""),
    "dlg": ("answer", "done", "ok", "change", "stop", "edit", "back", "skip"),
    "form": ("idea", "onboarding", "offer_time", "call", "forget", "x"),
}
ROUTE_NAMES = (*APP.routes, *ROUTE_VERBS, "", "x", "CALL", "Offer")
OTHER_VERBS = ("", "x", "ok", "1", STOP, "join|1")
# The dialogues someone may be in when a scenario starts (a coordinator's: the call).
OPENINGS = (
    "idea",
    "idea",
    "offer_time",
    "offer_expertise",
    "offer_gift",
    "onboarding",
    "forget",
    "profile_interests",
    "profile_display_name",
    "call",
)
# Typed where a number, a date or a moment is asked: far, past, impossible, odd digits.
EDGES = (
    "31/12/9999",
    "31/12/9999 om 23.59 uur",
    "1/1/2100 om 10u",
    "29/2/2028 om 14.00 uur",
    "28/2/2100",
    "10/3",
    "9/3",
    "10/3 om 9.00",
    "10/3 om 8.59",
    "morgen 9u",
    "vandaag",
    "1/1/0001",
    "0",
    "1",
    "200",
    "201",
    "9999999",
    "²",
    "٣",
    "1e3",
    "4 uur",
    "€ 50",
    "-1",
)
# What a cooperative person starts when nothing is asked (Answer.pick); a higher pick taps a button shown.
STARTS = (
    "idee",
    "tijd",
    "kennis",
    "geven",
    "profiel",
    "agenda",
    "vergeet",
    "start",
    "mijnoproepen",
    "bijdragen",
    "pauze",
    "privacy",
)
STARTS_FOR_COORDINATORS = ("oproep", "oproepen", "idee", "agenda", "start")
MOMENTS = {"publish_at": (1, 10), "deadline": (2, 10), "starts_at": (3, 10), "ends_at": (3, 12)}  # days ahead, hour
IDS = (
    "1",
    "1",
    "2",
    "2",
    "3",
    "4",
    "0",
    "-1",
    "007",
    "999999999",
    "1000000000",
    "99999999999999999999999",
    "²",
    "٣",
    "١",
    "１２",
    "1.5",
    "1e3",
    " 1",
    "",
    "abc",
    "nl",
    "en",
    "fr",
    "zz",
    "c1",
    "c2",
    "c²",
    "abcdef",
    STOP,
)


@lru_cache(maxsize=None)
def typed_texts() -> st.SearchStrategy[str]:
    odd = st.sampled_from(ODD)
    return st.one_of(
        st.sampled_from(PLAUSIBLE),
        st.sampled_from(PLAUSIBLE),
        st.sampled_from(RTL),
        st.text(max_size=30),  # any code point but surrogates: controls, NUL, unassigned...
        st.lists(odd, min_size=1, max_size=6).map("".join),
        st.tuples(
            st.lists(odd, max_size=2).map("".join), st.sampled_from(PLAUSIBLE), st.lists(odd, max_size=2).map("".join)
        ).map("".join),
        st.tuples(
            st.sampled_from(("Lang verhaal. ", "é", "👩🏽‍🚒", "x", " ", "\u200b", "مرحبا ")),
            st.sampled_from((39, 40, 41, 999, 1000, 1001, 1002, 4096, 5000, 20_000)),
        ).map(lambda piece: (piece[0] * piece[1])[: piece[1]]),
    )


@lru_cache(maxsize=None)
def commands() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(COMMON_COMMANDS).map(lambda name: f"/{name}"),
        st.sampled_from(COMMON_COMMANDS).map(lambda name: f"/{name}"),
        st.builds(
            lambda name, tail: f"/{name}{tail}",
            st.sampled_from(COMMAND_NAMES),
            st.sampled_from(COMMAND_TAILS) | st.text(max_size=8).map(lambda tail: " " + tail),
        ),
        st.sampled_from(ODD_COMMANDS),
    )


@lru_cache(maxsize=None)
def forged_data() -> st.SearchStrategy[str]:
    part = st.text(max_size=8)
    verbs = st.sampled_from(OTHER_VERBS) | part
    starts = st.one_of(
        *(
            st.tuples(st.just(route), st.sampled_from(ROUTE_VERBS[route]) | verbs if route in ROUTE_VERBS else verbs)
            for route in ROUTE_NAMES
        )
    )
    return st.one_of(
        st.builds(
            lambda start, args: "|".join((*start, *args)), starts, st.lists(st.sampled_from(IDS) | part, max_size=3)
        ),
        st.text(max_size=30),
    )


@lru_cache(maxsize=None)
def names() -> st.SearchStrategy[str | None]:
    """Names chat apps give: none, plain ones, odd ones, and as long as Slack allows (80 characters)."""
    return st.one_of(
        st.none(),
        st.sampled_from(("Anna", "Jo", "Zoë", "محمد", "👩🏽‍🚒", "", " ")),
        st.text(max_size=80),
        st.integers(60, 80).map(lambda n: ("Anna-Lies Vandenberghe " * 4)[:n]),
    )


@lru_cache(maxsize=None)
def words() -> st.SearchStrategy[str]:
    """What a cooperative person types on a question that asks for text: mostly fit to be stored."""
    odd = st.lists(st.sampled_from(ODD), max_size=3).map("".join)
    return st.one_of(
        st.just("Bankjes aan de Leie"),
        st.tuples(odd, st.sampled_from(("Bankjes aan de Leie", "Anna", "Jo", *RTL)), odd).map("".join),
        st.text(min_size=2, max_size=40),
    )


def form_value(step: Step) -> st.SearchStrategy[Any]:
    """A value for one field as a modal hands it over (or leaves it empty)."""
    options = [option.value for option in getattr(step, "options", ())] + ["x", ""]
    kinds = {
        "number": st.sampled_from(("0", "1", "5", "-1", "10000", "10001", "²", "٣", "1e3", " 7 ", "12.5", "")),
        "date": st.sampled_from(
            ("2027-03-13", "2027-03-10", "2020-01-01", "2027-02-29", "0001-01-01", "9999-12-31", "13/3", "")
        ),
        "datetime": st.sampled_from((1805000000, 1805007200, 1804000000, 0, -1, 253402300800, 10**13))
        | st.integers(-(10**12), 10**13),
        "choice": st.sampled_from(options),
        "yesno": st.sampled_from(options),
        "multi": st.lists(st.sampled_from(options), max_size=4),
        "photo": st.sampled_from(("AgAD-photo-form", "")),
    }
    return st.none() | kinds.get(step.kind, typed_texts())


FLOWS = {flow.name: flow for flow in APP.flows}
FORMS = tuple(name for name, flow in FLOWS.items() if flow.form) + ("idea", "forget", "nope")
# What a form carries along (Slack keeps it: the person cannot change it, but it may be stale).
HIDDEN = {
    "_call_id": (1, 2, 3, 999999999),
    "_idea_id": (1, 2, 3, 999999999),
    "_project_id": (1, 2, 999999999),
    "_phase": ("explore", "prototype", "test", "realised", "stopped"),
}


def submissions(who: st.SearchStrategy[int]) -> st.SearchStrategy[Submit]:
    def values(name: str) -> st.SearchStrategy[tuple[tuple[str, Any], ...]]:
        steps = FLOWS[name].steps if name in FLOWS else ()
        fields = st.tuples(*(st.tuples(st.just(step.name), form_value(step)) for step in steps))
        hidden = st.lists(
            st.one_of(*(st.tuples(st.just(key), st.sampled_from(kept)) for key, kept in HIDDEN.items())),
            max_size=2,
            unique_by=lambda pair: pair[0],
        )
        return st.builds(lambda shown, kept: (*shown, *kept), fields, hidden)

    forms = st.one_of(*(st.tuples(st.just(name), values(name)) for name in FORMS))
    return st.builds(lambda person, form: Submit(person, *form), who, forms)  # one choice among the events


@lru_cache(maxsize=None)
def event(people: int) -> st.SearchStrategy[Event]:
    who = st.integers(0, people - 1)
    index = st.integers(0, 40)
    answer = st.builds(Answer, who, st.integers(0, 15), st.integers(1, 4), words(), st.none() | st.sampled_from(EDGES))
    tap = st.builds(Tap, who, index)
    return st.one_of(
        answer,
        answer,
        answer,
        tap,
        tap,
        tap,
        st.builds(Say, who, typed_texts()),
        st.builds(Say, who, typed_texts()),
        st.builds(Say, who, commands()),
        st.builds(Say, who, commands()),
        st.builds(TypeLabel, who, index),
        st.builds(TapOld, who, index, index),
        st.builds(TapTheirs, who, st.integers(0, people - 1), index),
        st.builds(Forged, who, forged_data()),
        st.builds(
            Photo,
            who,
            st.sampled_from(("AgAD-photo-1", "AgAD-photo-2", "x" * 100, "", "AgAD|photo", "console:" + "schets-" * 40)),
        ),
        st.builds(Sticker, who),
        st.builds(Edit, who, typed_texts()),
        st.builds(Open, who),
        st.builds(Slash, who, commands() | typed_texts()),
        st.builds(Thread, who, index, st.sampled_from(("text", "text", "photo", "other")), typed_texts()),
        submissions(who),
        st.builds(Later, st.sampled_from((1, 12, 24, 24 * 8, 24 * 40, 24 * 400))),
        st.just(Dispatch()),
    )


@st.composite
def scenarios(draw, min_events: int = 3, max_events: int = 15) -> Scenario:
    people = draw(
        st.lists(
            st.builds(
                Who,
                st.sampled_from(("resident", "resident", "stranger", "coordinator", "partner")),
                st.sampled_from(("test", "test", "telegram", "console", "slack")),
                st.sampled_from((None, None, "nl", "en", "fr", "de", "en-GB", "fr-BE", "zz")),
                st.none() | st.sampled_from(OPENINGS),
                st.integers(0, 12),
                names(),
            ),
            min_size=1,
            max_size=3,
        )
    )
    events = draw(st.lists(event(len(people)), min_size=min_events, max_size=max_events))
    return Scenario(tuple(people), tuple(events), calls=draw(st.integers(0, 2)), ideas=draw(st.integers(0, 2)))


# -- the database --------------------------------------------------------------------------------


async def empty(engine: AsyncEngine) -> None:
    """Delete every row and restart the ids, so each scenario starts from the same empty database
    (one script, one round trip: it runs before every scenario)."""
    deletes = "".join(f'DELETE FROM "{table.name}"; ' for table in reversed(Base.metadata.sorted_tables))
    async with engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        if engine.dialect.name == "postgresql":
            restarts = ", ".join(
                f"setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), 1, false)"
                for table in Base.metadata.sorted_tables
                if "id" in table.columns
            )
            await raw.execute(f"BEGIN; {deletes}SELECT {restarts}; COMMIT;")
        else:  # SQLite reuses ids from the highest one left (no table is AUTOINCREMENT)
            await raw.executescript(f"BEGIN; {deletes}COMMIT;")


@dataclass(frozen=True)
class State:
    """What the invariants compare between one event and the next."""

    identities: dict[tuple[str, str], int]  # (channel, external id) -> person id
    blocked: frozenset[int]
    conversations: dict[int, tuple[str, str, str]]  # person id -> flow, step, mode
    ideas: int
    offers: int
    locales: dict[int, str]  # person id -> the language they read


# Everything a `State` holds, in one query (cheap enough to run after every event).
STATE = text("""
    SELECT 'identity', i.channel, i.external_id, CAST(i.person_id AS TEXT), CAST(p.blocked_at IS NOT NULL AS TEXT),
           p.locale
      FROM identity i JOIN person p ON p.id = i.person_id
    UNION ALL SELECT 'conversation', c.flow, c.step, CAST(c.person_id AS TEXT), c.mode, NULL FROM conversation c
    UNION ALL SELECT 'count', CAST((SELECT count(*) FROM idea) AS TEXT), CAST((SELECT count(*) FROM offer) AS TEXT),
                     NULL, NULL, NULL
""")


async def state(connection: AsyncConnection) -> State:
    """The state now, read on a connection the scenario keeps."""
    rows = (await connection.execute(STATE)).all()  # each statement sees what is committed by then
    identities, blocked, conversations, ideas, offers, locales = {}, set(), {}, 0, 0, {}
    for kind, first, second, person, last, locale in rows:
        if kind == "identity":
            identities[first, second] = int(person)
            locales[int(person)] = locale
            if last in ("1", "true"):
                blocked.add(int(person))
        elif kind == "conversation":
            conversations[int(person)] = (first, second, last)
        else:
            ideas, offers = int(first), int(second)
    return State(identities, frozenset(blocked), conversations, ideas, offers, locales)


def sensible(step: Step, local: datetime) -> Any:
    """An answer to a step as the dialogue stores it, fit to be confirmed (a photo step is skipped)."""
    if isinstance(step, YesNoStep):
        return True
    if isinstance(step, MultiStep):
        return [step.options[0].value]
    if isinstance(step, ChoiceStep):
        return step.options[0].value
    if isinstance(step, NumberStep):
        return max(step.minimum, 1)
    if isinstance(step, DateStep):
        return (local + timedelta(days=3)).date().isoformat()
    if isinstance(step, DateTimeStep):
        day, hour = MOMENTS.get(step.name, (3, 10))
        moment = (local + timedelta(days=day)).replace(hour=hour, minute=0, second=0, microsecond=0)
        return moment.astimezone(timezone.utc).isoformat()
    if isinstance(step, TextStep):
        return "Bankjes aan de Leie"[: step.max_length]
    return None


def opening(flow: Flow, answered: int, local: datetime) -> tuple[str, dict[str, Any]]:
    """The step a dialogue stands at after its first `answered` questions, and the answers given."""
    answers: dict[str, Any] = {}
    step = flow.after("", answers)
    for _ in range(answered):
        following = flow.after(step.name, {**answers, step.name: sensible(step, local)})
        if following is None and not flow.confirm:
            break  # a flow without a summary ends with its last answer: stay at that question
        answers[step.name] = sensible(step, local)
        if following is None:
            return SUMMARY, answers
        step = following
    return step.name, answers


async def set_up(
    engine: AsyncEngine,
    settings: Settings,
    flows: dict[str, Flow],
    scenario: Scenario,
    chats: list[Chat],
    now: datetime,
) -> None:
    """Residents onboarded, coordinators named (and admitted when they start in a dialogue), the
    dialogues people start in, and the calls and ideas the scenario starts with."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    async with session_factory(engine)() as session, session.begin():
        author = None
        organisation = Organisation(name="Budafabriek", created_at=now)
        session.add(organisation)
        await session.flush()
        for who, chat in zip(scenario.people, chats, strict=True):
            if who.kind in ("coordinator", "partner"):
                session.add(
                    RoleGrant(
                        channel=chat.channel,
                        external_id=chat.user_id,
                        role=Role.COORDINATOR if who.kind == "coordinator" else Role.PARTNER,
                        organisation_id=organisation.id if who.kind == "partner" else None,
                        granted_by="settings",
                        granted_at=now,
                    )
                )
            if who.kind == "stranger" or (who.kind == "coordinator" and who.flow != "call"):
                continue
            resident = who.kind == "resident" and who.flow != "onboarding"  # else only just said yes
            person = Person(
                display_name="Anna",
                locale=who.locale if who.locale in ("nl", "en", "fr") else "nl",
                neighbourhood="heule" if resident else None,
                role="resident" if resident else None,
                interests=["heritage"] if resident else [],
                contributions=["time"] if resident else [],
                level="both" if resident else None,
                consent_at=now,
                consent_version=settings.privacy_version if resident else "workspace",
                onboarded_at=now if resident else None,
                created_at=now,
                last_active_at=now,
            )
            session.add_all(
                [person, Identity(person=person, channel=chat.channel, external_id=chat.user_id, created_at=now)]
            )
            author = author or (person if resident else None)
            if who.flow is not None and (who.flow == "call") == (who.kind == "coordinator"):
                await session.flush()
                step, answers = opening(flows[who.flow], who.answered, local)
                session.add(
                    Conversation(
                        person_id=person.id,
                        flow=who.flow,
                        step=step,
                        answers=answers,
                        token=new_token(),
                        mode="ask",
                        started_at=now,
                        updated_at=now,
                    )
                )
        await session.flush()
        for n in range(scenario.calls):
            call = call_service.new_call(
                dict(
                    title=f"Bankjes bouwen {n}",
                    description="Samen bouwen.",
                    address="Groeningestraat 1",
                    neighbourhood="heule",
                    needs=["time"],
                    themes=["heritage"],
                    capacity=1 + n,
                    starts_at=(now + timedelta(days=3 + n)).isoformat(),
                    ends_at=(now + timedelta(days=3 + n, hours=3)).isoformat(),
                ),
                None,
                now,
            )
            session.add(call)
            await session.flush()
            await call_service.publish(session, settings, call, now)
        for n in range(scenario.ideas if author is not None else 0):
            idea = Idea(
                author_id=author.id,
                problem=f"Het Leieboord is grijs {n}.",
                idea="Bankjes.",
                theme="heritage",
                place="heule",
                state=("submitted", "published")[n % 2],
                created_at=now,
                updated_at=now,
            )
            session.add(idea)
            await session.flush()
            if idea.state == "published":  # on its way to the partners' room
                await enqueue_room(
                    session,
                    key=f"idea:{idea.id}:published",
                    room=SharedRoom.PARTNERS,
                    purpose=projects.projects.IDEA_PUBLISHED,
                    now=now,
                    payload={"idea_id": idea.id},
                )
            else:  # to the coordinators' room, to be moderated
                await enqueue_room(
                    session,
                    key=f"idea:{idea.id}:moderate",
                    room=SharedRoom.COORDINATORS,
                    purpose=ideas.moderation.MODERATION,
                    now=now,
                    payload={"idea_id": idea.id},
                )


# -- playing a scenario --------------------------------------------------------------------------


def _shown(replies: list[Reply]) -> str:
    lines = []
    for reply in replies:
        body = f"<{reply.filename}>" if isinstance(reply, Document) else reply.text
        body = body if len(body) <= 160 else body[:157] + "..."
        labels = [button.label for button in buttons_of(reply)]
        lines.append(f"    {type(reply).__name__}: {body!r}" + (f" {labels}" if labels else ""))
    return "\n".join(lines)


@dataclass
class Play:
    """One scenario on one core: plays each event and checks every invariant after it."""

    core: Gangmaker
    engine: AsyncEngine
    reader: AsyncConnection  # where the state is read after each event
    clock: FakeClock
    scenario: Scenario
    errors: Callable[[], list[logging.LogRecord]]  # the records at ERROR and above logged so far
    chats: list[Chat] = field(default_factory=list)
    jobs: Jobs | None = None
    dispatcher: Dispatcher | None = None
    post: Post | None = None
    steer: bool = False  # towards sequences that reach further (hypothesis.target): they take longer
    reached: set[str] = field(default_factory=set)  # the flows and steps the sequence got to
    before: State | None = None

    async def run(self) -> None:
        self.before = await state(self.reader)
        if self.scenario.calls or self.scenario.ideas:
            await self.dispatch()  # what the start queued (calls announced, ideas in the rooms) has gone out
        for chat in self.chats:  # whoever starts in a dialogue sees its question
            if self.before.identities.get((chat.channel, chat.user_id)) in self.before.conversations:
                await self.deliver(chat, "says '/start' (in a dialogue already)", kind="text", text="/start")
        for event in self.scenario.events:
            await self.play(event)
        if self.steer:
            hypothesis.target(float(len(self.reached)), label="dialogue steps reached")
        await self.cancel_everything()
        await self.check_rows()

    # what an event means now

    async def play(self, event: Event) -> None:
        if isinstance(event, Later):
            self.clock.advance(hours=event.hours)
            done = await self.jobs.run_due(self.clock())
            note(f"({event.hours} h later; the scheduled checks did {done})")
        if isinstance(event, (Later, Dispatch)):
            await self.dispatch()
            return
        chat = self.chats[event.who]
        if isinstance(event, Say):
            await self.deliver(chat, f"says {event.text!r}", kind="text", text=event.text)
        elif isinstance(event, Edit):
            await self.deliver(chat, f"edits a message into {event.text!r}", kind="edited", text=event.text)
        elif isinstance(event, Photo):
            await self.deliver(chat, f"sends a photo {event.file_id!r}", kind="photo", photo=event.file_id)
        elif isinstance(event, Sticker):
            await self.deliver(chat, "sends a sticker", kind="other")
        elif isinstance(event, Submit):
            await self.deliver(
                chat,
                f"submits the form {event.flow!r} with {dict(event.values)!r}",
                kind="submit",
                action=Action.of("form", event.flow),
                values=dict(event.values),
            )
        elif isinstance(event, Slash):
            text = "/" + event.text.removeprefix("/")
            await self.deliver(chat, f"gives the slash command {text!r}", kind="command", text=text)
        elif isinstance(event, Thread):
            threads = self.post.threads.get(id(chat), [])
            thread = threads[event.message % len(threads)] if threads else "no-such-message"
            fields = (
                {"text": event.text}
                if event.kind == "text"
                else {"photo": "AgAD-thread"}
                if event.kind == "photo"
                else {}
            )
            await self.deliver(
                chat,
                f"answers in the thread of {thread!r}: {event.kind} {fields}",
                kind=event.kind,
                reply_to=thread,
                **fields,
            )
        elif isinstance(event, Open):
            await self.deliver(chat, "opens the dashboard", kind="open")
        elif isinstance(event, Forged):
            action = Action.decode(event.data)
            await self.deliver(chat, f"taps forged data {event.data!r} ({action!r})", kind="tap", action=action)
        elif isinstance(event, Answer):
            for _ in range(event.times):
                await self.answer(chat, event.pick, event.words, event.typed)
        else:
            await self.tap(chat, event)

    async def tap(self, chat: Chat, event: Tap | TypeLabel | TapOld | TapTheirs) -> None:
        if isinstance(event, TapOld):
            shown = [reply for reply in chat.history if buttons_of(reply)]
            message = shown[event.message % len(shown)] if shown else None
            whose = "an earlier message"
        elif isinstance(event, TapTheirs):
            other = self.chats[event.other]
            if other is chat:
                other = self.chats[(event.other + 1) % len(self.chats)]
            message = newest_keyboard(other)
            whose = f"the chat of {other.user_id}"
        else:
            message = newest_keyboard(chat)
            whose = "the newest message"
        if message is None:
            note(f"{chat.user_id} would tap, but has no buttons there")
            return
        buttons = buttons_of(message)
        button = buttons[event.button % len(buttons)]
        if isinstance(event, TypeLabel):
            await self.deliver(chat, f"types the label {button.label!r}", kind="text", text=button.label)
        else:
            await self.deliver(
                chat, f"taps {button.label!r} ({button.action.encode()}) on {whose}", kind="tap", action=button.action
            )

    async def answer(self, chat: Chat, pick: int, words: str, edge: str | None = None) -> None:
        """What a cooperative person does next: answer the question shown as it asks; with nothing
        asked, say yes to the consent question, start something, or tap a button shown."""
        person = self.before.identities.get((chat.channel, chat.user_id))
        if person is None or person not in self.before.conversations:
            message = newest_keyboard(chat)
            coordinator = self.scenario.people[self.chats.index(chat)].kind == "coordinator"
            starts = STARTS_FOR_COORDINATORS if coordinator else STARTS
            if message is not None and (person is None or pick >= len(starts)):
                button = buttons_of(message)[0 if person is None else pick % len(buttons_of(message))]
                await self.deliver(
                    chat, f"taps {button.label!r} ({button.action.encode()})", kind="tap", action=button.action
                )
            else:
                name = starts[pick % len(starts)]
                await self.deliver(chat, f"says '/{name}'", kind="text", text=f"/{name}")
            return
        question = next((reply for reply in reversed(chat.history) if isinstance(reply, Question)), None)
        kind = question.field.kind if question is not None and question.field is not None else None
        options = [button for button in buttons_of(question)] if question is not None else []
        answers = [button for button in options if not button.navigation]
        local = self.clock().astimezone(ZoneInfo(self.core.settings.timezone))
        if kind in ("text", "number", "date", "datetime"):
            if kind == "text":
                typed = words
            elif kind == "number":
                typed = str(max(question.field.minimum or 1, 1))
            elif kind == "date":
                day = local + timedelta(days=3)
                typed = f"{day.day}/{day.month}/{day.year}"
            else:  # a call: published tomorrow, sign up until the day after, from 10 to 12 the day after that
                day, hour = MOMENTS.get(question.field.name, (3, 10))
                moment = local + timedelta(days=day)
                typed = f"{moment.day}/{moment.month}/{moment.year} om {hour}.00 uur"
            typed = edge if edge is not None and kind != "text" else typed
            await self.deliver(chat, f"answers {typed!r}", kind="text", text=typed)
        elif kind == "photo":
            await self.deliver(chat, "answers with a photo", kind="photo", photo="AgAD-photo-answer")
        elif options:
            if kind == "multi" and any(button.selected for button in answers):
                button = next(button for button in options if button.navigation and button.action.verb == "done")
            else:
                button = (answers or options)[0]
            await self.deliver(
                chat,
                f"answers by tapping {button.label!r} ({button.action.encode()})",
                kind="tap",
                action=button.action,
            )
        else:
            await self.deliver(chat, "says '/start'", kind="text", text="/start")

    async def dispatch(self) -> None:
        """Send what is due through channels that put it in the chats, and check it as an answer."""
        self.post.sent.clear()
        await self.dispatcher.drain()
        after = await state(self.reader)
        for chat, replies in self.post.sent:
            note(f"(pushed to {chat.user_id})\n{_shown(replies)}")
            self.reached |= {f"pushed {button.action.route}" for reply in replies for button in buttons_of(reply)}
        where = "after the outbox was sent"
        self.check_errors(where)
        for _, replies in self.post.sent:
            check_replies(replies, where)
        self.check_steps(after, where)
        self.before = after

    # one event and the invariants after it

    async def deliver(self, chat: Chat, told: str, **fields: object) -> list[Reply]:
        key = (chat.channel, chat.user_id)
        person = self.before.identities.get(key)
        blocked = person in self.before.blocked
        name = self.scenario.people[self.chats.index(chat)].name
        replies = await chat._deliver(display_name=name, **fields)
        after = await state(self.reader)
        note(f"{chat.user_id} {told}\n{_shown(replies)}")
        where = f"after {chat.user_id} {told}"
        self.check_errors(where)
        if blocked:
            assert replies == [], f"a blocked person was answered {where}"
        else:
            assert replies, f"no answer {where}"
        check_replies(replies, where)
        languages = {self.before.locales.get(person), after.locales.get(person)}
        if person is not None and languages <= {"en", "fr"}:  # in one language all turn long (no switch to Dutch)
            check_language(replies, where)
        self.check_change(self.before, after, person, fields, where, chat)
        self.tell(self.before, after, person, blocked)
        action = fields.get("action")
        if fields.get("kind") == "tap" and action is not None and not told.startswith("taps forged"):
            self.reached.add(f"tap {action.route} {action.verb if action.route != 'dlg' else ''}")
        if fields.get("reply_to", "").startswith("pushed"):
            self.reached.add(f"thread {fields.get('kind')}")
        self.before = after
        return replies

    def check_errors(self, where: str) -> None:
        errors = self.errors()
        assert not errors, f"an error was logged {where}: {errors[0].getMessage()}\n" + (
            logging.Formatter().formatException(errors[0].exc_info) if errors[0].exc_info else ""
        )

    def check_steps(self, after: State, where: str) -> None:
        flows = self.core.dialogue.flows
        for owner, (flow, step, _) in after.conversations.items():
            assert flow in flows and (step in (SUMMARY, EDIT) or step in flows[flow].steps_by_name), (
                f"the dialogue of person {owner} stands at {flow}/{step}, which does not exist, {where}"
            )

    def check_change(
        self, before: State, after: State, person: int | None, fields: dict, where: str, chat: Chat
    ) -> None:
        kind = fields.get("kind")
        coordinator = self.scenario.people[self.chats.index(chat)].kind == "coordinator"
        for key in after.identities.keys() - before.identities.keys():
            action = fields.get("action")
            said_yes = (
                kind == "tap"
                and action is not None
                and action.route == "consent"
                and action.verb in CONSENTED
                or kind == "text"
                and yes_or_no(str(fields.get("text"))) is True
            )
            workspace = chat.channel == "slack"  # a workspace member takes part by their organisation's agreement
            assert key == (chat.channel, chat.user_id) and (said_yes or coordinator or workspace), (
                f"{key} is stored without having said yes {where}"
            )
        self.check_steps(after, where)
        was = before.conversations.get(person) if person is not None else None
        if after.ideas != before.ideas:
            assert after.ideas == before.ideas + 1, f"{after.ideas - before.ideas} ideas stored at once {where}"
            assert was is not None and was[:2] == ("idea", SUMMARY) and kind in ("tap", "text"), (
                f"an idea was stored though its author was at {was} (no summary confirmed) {where}"
            )
        if after.offers > before.offers:
            assert after.offers == before.offers + 1, f"{after.offers - before.offers} offers stored at once {where}"
            assert was is not None and was[0].startswith("offer_") and was[1] == SUMMARY, (
                f"an offer was stored though its author was at {was} (no summary confirmed) {where}"
            )
        elif after.offers < before.offers:
            assert (chat.channel, chat.user_id) not in after.identities, f"offers disappeared {where}"
        if not coordinator:
            for owner, dialogue in before.conversations.items():
                if owner != person:
                    assert after.conversations.get(owner) == dialogue, (
                        f"the dialogue of person {owner} changed by someone else's event {where}"
                    )

    def tell(self, before: State, after: State, person: int | None, blocked: bool) -> None:
        """What the sequences reached, for `--hypothesis-show-statistics`; hypothesis steers towards
        sequences that reach further (summaries, stored rows, several flows) when asked to steer."""
        reached = {f"{flow}/{step}" for flow, step, _ in after.conversations.values()}
        self.reached |= reached | (
            {"stored"} if (after.ideas, after.offers) != (before.ideas, before.offers) else set()
        )
        if after.ideas > before.ideas:
            hypothesis.event("an idea stored")
        if after.offers > before.offers:
            hypothesis.event("an offer stored")
        if blocked:
            hypothesis.event("a blocked person wrote")
        if person is not None and person not in after.identities.values():
            hypothesis.event("a person erased")
        for flow, step, _ in after.conversations.values():
            hypothesis.event(f"in {flow}" + (" (its summary)" if step == SUMMARY else ""))

    # after the sequence

    async def cancel_everything(self) -> None:
        """Everyone in a dialogue (who is not blocked) can stop it."""
        for chat in self.chats:
            person = self.before.identities.get((chat.channel, chat.user_id))
            if person not in self.before.conversations or person in self.before.blocked:
                continue
            replies = await self.deliver(chat, "says '/annuleer'", kind="text", text="/annuleer")
            stop = next(
                (button for reply in replies for button in buttons_of(reply) if button.action == Action(SWITCH, STOP)),
                None,
            )
            if stop is not None:
                await self.deliver(chat, f"taps {stop.label!r}", kind="tap", action=stop.action)
            assert person not in self.before.conversations, (
                f"{chat.user_id} is still in {self.before.conversations[person]} after /annuleer"
            )

    async def check_rows(self) -> None:
        """Every idea and offer stored is whole."""
        async with session_factory(self.engine)() as session:
            ideas = list(await session.scalars(select(Idea)))
            offers = list(await session.scalars(select(Offer)))
        themes, places = {o.value for o in THEMES}, {o.value for o in NEIGHBOURHOODS}
        for idea in ideas:
            assert len(idea.problem.strip()) >= 2 and len(idea.idea.strip()) >= 2, f"idea {idea.id} is half empty"
            assert idea.prototype is None or len(idea.prototype.strip()) >= 2, f"idea {idea.id}: {idea.prototype!r}"
            assert idea.theme in themes and idea.place in places, f"idea {idea.id}: {idea.theme}, {idea.place}"
        needed = {"time": ("hours", "moments", "start"), "expertise": ("skills",), "gift": ("kind",)}
        for offer in offers:
            assert offer.kind in needed and all(offer.details.get(key) for key in needed[offer.kind]), (
                f"offer {offer.id} is half filled in: {offer.kind} {offer.details}"
            )
            if offer.kind == "gift":
                assert offer.details["kind"] in {o.value for o in GIFT_KINDS}, f"offer {offer.id}: {offer.details}"
                # money is not described as a thing: how much and what for are both optional
                assert offer.details["kind"] == "money" or offer.details.get("what"), f"offer {offer.id} has no what"


class Post:
    """Every channel as the outbox dispatcher sees it: a push lands in the person's chat, a room's
    message in the chats of its members (as if they read the room): the partners' room with the
    partners, every other with the coordinators."""

    def __init__(self, chats: list[Chat], people: tuple[Who, ...]) -> None:
        self.chats = {(chat.channel, chat.user_id): chat for chat in chats}
        self.rooms = {
            room: [chat for who, chat in zip(people, chats, strict=True) if who.kind == kind]
            for room, kind in ((SharedRoom.PARTNERS, "partner"), (None, "coordinator"))
        }
        self.sent: list[tuple[Chat, list[Reply]]] = []
        self.threads: dict[int, list[str]] = {}  # the ids of the messages pushed to each chat
        self.count = 0

    def on(self, channel: str) -> Any:
        post = self

        class Sender(PushSender):
            async def push(self, user_id: str, replies: list[Reply]) -> str | None:
                return post.land([post.chats[channel, user_id]], replies)

            def hosts(self, room: str) -> bool:
                return True

            async def push_room(self, room: str, replies: list[Reply]) -> str | None:
                return post.land(post.rooms.get(room, post.rooms[None]), replies)

        return Sender()

    def land(self, chats: list[Chat], replies: list[Reply]) -> str:
        self.count += 1
        for chat in chats:
            chat.history += replies
            self.sent.append((chat, replies))
            self.threads.setdefault(id(chat), []).append(f"pushed-{self.count}")
        return f"pushed-{self.count}"


def newest_keyboard(chat: Chat) -> Reply | None:
    return next((reply for reply in reversed(chat.history) if buttons_of(reply)), None)


def check_replies(replies: list[Reply], where: str) -> None:
    """No reply says the turn failed or is empty, and every button can be drawn."""
    for reply in replies:
        shown = reply.caption if isinstance(reply, Document) else reply.text
        assert FAILED not in shown, f"the turn failed {where}: {shown!r}"
        assert isinstance(reply, Document) or shown.strip(), f"an empty {type(reply).__name__} {where}"
        for button in buttons_of(reply):
            check_button(button, where)


@lru_cache(maxsize=1)
def dutch() -> tuple[str, ...]:
    """Pieces of the bot's Dutch sentences (message ids, split at their placeholders) long enough to
    tell apart, that no English or French translation holds: one of them in a reply to someone who
    reads English or French is a sentence left untranslated (or translated for someone else)."""
    catalogs = []
    for language in ("en", "fr"):
        with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalogs.append(read_po(po, locale=language))
    translated = "\n".join(
        m.string if isinstance(m.string, str) else "\n".join(m.string) for catalog in catalogs for m in catalog if m.id
    )
    pieces = {
        piece.strip()
        for catalog in catalogs
        for m in catalog
        if m.id
        for message_id in ((m.id,) if isinstance(m.id, str) else m.id)
        for piece in re.split(r"\{[^}]*\}|\n", message_id)
    }
    return tuple(sorted(piece for piece in pieces if len(piece) >= 25 and piece not in translated))


def check_language(replies: list[Reply], where: str) -> None:
    for reply in replies:
        if getattr(reply, "to", None) is None:  # a shared room is written in the city's language
            shown = reply.caption if isinstance(reply, Document) else reply.text
            found = next((piece for piece in dutch() if piece in shown), None)
            assert found is None, f"Dutch for someone who reads English or French {where}: {found!r} in {shown!r}"


def check_button(button: Button, where: str) -> None:
    """Every button can be drawn on every channel: its data encodes, within Telegram's 64 bytes."""
    data = button.action.encode()
    assert len(data.encode()) <= CALLBACK_DATA, f"button {button.label!r} carries {len(data.encode())} bytes {where}"
    assert button.label.strip(), f"a button without a label {where}"


async def play(
    engine: AsyncEngine,
    settings: Settings,
    app: Application,
    scenario: Scenario,
    errors: Callable[[], list[logging.LogRecord]],
    steer: bool = False,
) -> None:
    """Play one scenario on an emptied database, as `bot.assembly.assemble` builds the core (the
    database is already migrated)."""
    await empty(engine)
    clock = FakeClock()
    core = Gangmaker(settings, engine, app, clock, surfaces=SURFACES)
    await core.bootstrap()
    chats = [
        Chat(core, user_id=str(7001 + n), channel=who.channel, locale=who.locale)
        for n, who in enumerate(scenario.people)
    ]
    await set_up(engine, settings, core.dialogue.flows, scenario, chats, clock())
    post = Post(chats, scenario.people)
    kinds = app.purposes  # as bot.assembly builds the dispatcher and the jobs
    dispatcher = Dispatcher(
        core.sessions,
        settings,
        {who.channel: post.on(who.channel) for who in scenario.people},
        core.render_push,
        clock,
        pausable={p.name for p in kinds if p.pausable},
        to_blocked={p.name for p in kinds if p.to_blocked},
    )
    async with engine.connect() as reader:
        await Play(
            core,
            engine,
            reader,
            clock,
            scenario,
            errors,
            chats,
            Jobs(core.sessions, settings, app.checks),
            dispatcher,
            post,
            steer=steer,
        ).run()
