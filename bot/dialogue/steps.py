"""The steps of a flow: each kind reads a chat answer into a value and checks a value against its rules.

A step *reads* what a person typed or tapped (a number, a date, one of a few options...) and
*checks* a value against the answers so far and the clock, apart from each other: a form hands
over values that were never typed, and they meet the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from bot.dates import parse_amount, parse_date, parse_moment, recently_passed, recently_passed_day
from bot.i18n import N_, Translator
from bot.replies import Action, Button, FormField
from bot.surfaces import FORM as FORM_SURFACE
from bot.surfaces import Surface
from bot.typed import LEAD_NO, NOTHING, choose, plain, yes_or_no

if TYPE_CHECKING:
    from bot.context import Context

LIST_SEPARATORS = re.compile(r"\s*[,;+]\s*")  # "erfgoed, sport"
DECLINE_WORDS = 5  # "nee, ik heb geen foto": a no this short declines what an optional step asks
NUMBERS = re.compile(r"-?\d+")  # the numbers in "een uurtje of 4"
LAST_SEPARATOR = re.compile(r"\s+(?:en|and|et)\s+", re.IGNORECASE)  # "erfgoed en sport" (unless a label says it)
ROUTE = "dlg"  # the route of every dialogue button; its first argument is the render token
TODAY = "today"  # the value of a date step's "Vanaf nu" button

Answers = dict[str, Any]


class Invalid(Exception):
    """An answer that does not fit the step; `message` (a msgid) says what is wrong.

    When the answer is not of the `expected` kind at all (no number, no date...), the
    channel's surface says what to give, in its own words. Values that are dates or
    moments are written in the reader's language when shown."""

    def __init__(self, message: str = "", /, *, expected: str | None = None, **values: object) -> None:
        super().__init__(message or expected)
        self.message = message
        self.expected = expected
        self.values = values

    def text(self, t: Translator, surface: Surface = FORM_SURFACE) -> str:
        message = (surface.hint(self.expected) or "") if self.expected else self.message
        shown = {}
        for key, value in self.values.items():
            if isinstance(value, datetime):
                value = t.datetime(value)
            elif isinstance(value, date):
                value = t.date(value)
            shown[key] = value
        shown.pop("echo", None)
        return t(message, **shown)


class Unsure(Invalid):
    """An answer read one way that may have meant another ("5/12" on 6 December: next year?): the
    person is asked `message` with yes or no, and a yes takes `value`."""

    def __init__(self, message: str, /, *, value: Any, **values: object) -> None:
        super().__init__(message)
        self.values = values
        self.value = value


PASSED = N_("Dat is al voorbij: {moment}. Bedoel je {year}?")


@dataclass(frozen=True)
class Answer:
    """One chat answer to a step: typed `text`, a tapped option `value`, or a `photo`."""

    kind: str  # "text", "tap", "photo" or "other"
    text: str = ""
    value: str | None = None
    photo: str | None = None


@dataclass(frozen=True)
class Option:
    """One choice: a short stable `value` and a `label` msgid."""

    value: str
    label: str


def empty(value: Any) -> bool:
    """Whether a value counts as no answer (an optional step skipped, a field left blank)."""
    return value is None or value == "" or value == []


@dataclass(frozen=True, kw_only=True)
class Step:
    """One question. `prompt` and `label` are msgids, translated when shown.

    `now` is always the local, timezone-aware moment (its zone is the city's).
    """

    name: str
    prompt: str
    label: str
    optional: bool = False
    skipped: str = N_("(overgeslagen)")  # what an optional step left empty means, in the summary
    when: Callable[[Answers], bool] | None = None
    on_answer: Callable[[Context, Any], Awaitable[None]] | None = None
    # False: not asked in turn; shown in the summary (its default) and changed from there, or in a form.
    asked: bool = True
    # A msgid: an answer as someone might give it. With one, a question asked back instead of an answer
    # ("bedoel je wat ik wil veranderen?") gets it, and the question stays open, as after a bare yes or
    # no ("ja" to "Wat kan beter?"); a step whose answer may well be a question or a yes (a round's
    # question, a call's title) has none.
    example: str | None = None
    kind = "text"

    def applies(self, answers: Answers) -> bool:
        return self.when is None or self.when(answers)

    def buttons(self, t: Translator, token: str, answers: Answers) -> list[Button]:
        return []

    def hint_values(self, now: datetime) -> dict[str, object]:
        """What the hint for this kind of answer fills in (limits, an example date)."""
        return {}

    def expectation(self, now: datetime) -> Invalid:
        """What this step expects, as the re-ask for an answer that does not fit."""
        return Invalid(expected=self.kind, **self.hint_values(now))

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> Any:
        """The value of a chat answer (a tap, a typed date...); Invalid when it cannot be read."""
        raise NotImplementedError

    def coerce(self, raw: Any, now: datetime) -> Any:
        """The value of a form field as a channel hands it over (text, a number, a list)."""
        return raw

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        """Raise Invalid when the value breaks one of this step's rules."""

    def show(self, value: Any, t: Translator) -> str:
        return str(value)

    def limits(self) -> tuple[int | None, int | None]:
        return None, None

    def options_for(self, t: Translator) -> tuple[tuple[str, str], ...]:
        return ()

    def declines(self, answer: Answer) -> bool:
        """Whether the answer says there is nothing to give ("nee", "geen"), where a text is no answer."""
        return False

    def field(self, t: Translator, value: Any = None, optional: bool | None = None) -> FormField:
        """This step as a form field (or as the question a chat asks)."""
        low, high = self.limits()
        return FormField(
            name=self.name,
            label=t(self.label),
            kind=self.kind,
            prompt=t(self.prompt),
            options=self.options_for(t),
            optional=self.optional if optional is None else optional,
            value=value,
            minimum=low,
            maximum=high,
        )


@dataclass(frozen=True, kw_only=True)
class TextStep(Step):
    """Free text between `min_length` and `max_length` characters."""

    min_length: int = 2
    max_length: int = 1000

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> str:
        if answer.kind != "text":
            raise self.expectation(now)
        return answer.text.strip()

    def coerce(self, raw: Any, now: datetime) -> str:
        return str(raw).strip()

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        if not isinstance(value, str):
            raise self.expectation(now)
        if len(value) < self.min_length:
            raise Invalid(N_("Dat is wat kort. Schrijf minstens {min} tekens."), min=self.min_length)
        if len(value) > self.max_length:
            raise Invalid(
                N_(
                    "Dat is wat lang: hier passen {max} tekens, jouw tekst telt er {count}. "
                    "Maak hem wat korter. Je tekst staat hierboven, zodat je hem kunt kopiëren."
                ),
                max=self.max_length,
                count=len(value),
                echo=value,
            )

    def limits(self) -> tuple[int | None, int | None]:
        return self.min_length, self.max_length


@dataclass(frozen=True, kw_only=True)
class NumberStep(Step):
    """A whole number between `minimum` and `maximum`."""

    minimum: int = 0
    maximum: int = 1000
    kind = "number"

    def hint_values(self, now: datetime) -> dict[str, object]:
        return {"min": self.minimum, "max": self.maximum}

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> int:
        return self.coerce(answer.text if answer.kind == "text" else "", now)

    def coerce(self, raw: Any, now: datetime) -> int:
        amount = parse_amount(str(raw))  # also "4 uur", "€ 50"
        numbers = NUMBERS.findall(str(raw))
        if amount is None and len(numbers) == 1 and numbers[0].isdecimal() and len(numbers[0]) < 10:
            amount = int(numbers[0])  # one number among words: "een uurtje of 4", "max 20 mensen"
        if amount is None:
            raise self.expectation(now)
        return amount

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not self.minimum <= value <= self.maximum:
            raise self.expectation(now)

    def limits(self) -> tuple[int | None, int | None]:
        return self.minimum, self.maximum


def _example(now: datetime) -> str:
    return f"{now.day}/{now.month}/{now.year}"


@dataclass(frozen=True, kw_only=True)
class DateStep(Step):
    """A calendar date typed as day/month(/year), not in the past; stored as ISO text. With
    `from_now`, a button answers today ("Vanaf nu")."""

    after_step: str | None = None  # must not be before the answer of this step
    from_now: str | None = None  # the label of a button that answers today
    kind = "date"

    def buttons(self, t: Translator, token: str, answers: Answers) -> list[Button]:
        return [Button(t(self.from_now), Action.of(ROUTE, "answer", token, TODAY))] if self.from_now else []

    def hint_values(self, now: datetime) -> dict[str, object]:
        return {"example": _example(now)}

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> str:
        if self.from_now and answer.kind == "tap" and answer.value == TODAY:
            return now.date().isoformat()
        value = parse_date(answer.text, now.date()) if answer.kind == "text" else None
        if value is None:
            raise self.expectation(now)
        passed = recently_passed_day(answer.text, now.date())
        if passed is not None:  # "5/12" on 6 December: asked, not moved on a year without a word
            raise Unsure(PASSED, value=value.isoformat(), moment=passed, year=str(value.year))
        return value.isoformat()

    def coerce(self, raw: Any, now: datetime) -> str:
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise self.expectation(now) from None

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        chosen = date.fromisoformat(self.coerce(value, now))
        if chosen < now.date():
            raise Invalid(N_("Die datum is al voorbij. Kies vandaag of later."))
        earlier = answers.get(self.after_step) if self.after_step else None
        if earlier and chosen < date.fromisoformat(earlier):
            raise Invalid(N_("Kies {date} of later."), date=date.fromisoformat(earlier))

    def show(self, value: Any, t: Translator) -> str:
        return t.date(date.fromisoformat(value))


@dataclass(frozen=True, kw_only=True)
class DateTimeStep(Step):
    """A moment typed as day/month(/year) hour:minute in local time; stored as UTC ISO text."""

    after_step: str | None = None  # must come after the answer of this step
    kind = "datetime"

    def hint_values(self, now: datetime) -> dict[str, object]:
        return {"example": f"{now.day}/{now.month}"}  # "14/3 om 14.00 uur", as people here write it

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> str:
        earlier = answers.get(self.after_step) if self.after_step else None
        start = datetime.fromisoformat(earlier).astimezone(now.tzinfo) if earlier else None
        local = parse_moment(answer.text, now, same_day_as=start) if answer.kind == "text" else None
        if local is None:
            raise self.expectation(now)
        value = local.astimezone(timezone.utc).isoformat()
        passed = recently_passed(answer.text, now, same_day_as=start)
        if passed is not None:  # "5/12 om 14u" on 6 December: asked, not moved on a year without a word
            raise Unsure(PASSED, value=value, moment=passed, year=str(local.year))
        return value

    def coerce(self, raw: Any, now: datetime) -> str:
        """An ISO moment (local when it has no zone) or a Unix timestamp (Slack's datetimepicker)."""
        try:
            if isinstance(raw, (int, float)) or str(raw).strip().isdecimal():
                return datetime.fromtimestamp(int(raw), timezone.utc).isoformat()
            moment = datetime.fromisoformat(str(raw).strip())
        except (ValueError, OverflowError, OSError):
            raise self.expectation(now) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=now.tzinfo)
        return moment.astimezone(timezone.utc).isoformat()

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        moment = datetime.fromisoformat(self.coerce(value, now))
        if moment <= now:
            raise Invalid(N_("Dat moment is al voorbij. Kies een moment in de toekomst."))
        earlier = answers.get(self.after_step) if self.after_step else None
        if earlier and moment <= datetime.fromisoformat(earlier):
            raise Invalid(N_("Dit moment moet na {moment} komen."), moment=datetime.fromisoformat(earlier))

    def show(self, value: Any, t: Translator) -> str:
        return t.datetime(datetime.fromisoformat(value), with_year=True)


@dataclass(frozen=True, kw_only=True)
class ChoiceStep(Step):
    """One of a few options, tapped or typed by its label."""

    options: Sequence[Option] = ()
    by_number: Callable[[int], str] | None = None  # the option a typed number falls in ("50" → "< 100 euro")
    kind = "choice"

    def buttons(self, t: Translator, token: str, answers: Answers) -> list[Button]:
        return [Button(t(option.label), Action.of(ROUTE, "answer", token, option.value)) for option in self.options]

    def options_for(self, t: Translator) -> tuple[tuple[str, str], ...]:
        return tuple((option.value, t(option.label)) for option in self.options)

    def _find(self, answer: Answer, t: Translator) -> Option | None:
        """The option tapped, or typed by its label or near it ("heulle", "jongeren"); Invalid
        when the typed text could be several (ask which, never guess)."""
        if answer.kind == "tap":
            return next((option for option in self.options if answer.value == option.value), None)
        labels = [t(option.label) for option in self.options]
        found = choose(answer.text, labels) if answer.kind == "text" else []
        if len(found) == 1:
            return self.options[found[0]]
        if found:
            raise Invalid(
                N_("Dat past bij meer dan één antwoord: {choices}. Welke bedoel je?"),
                choices=", ".join(labels[index] for index in found),
            )
        by_number = self.by_number
        amount = parse_amount(answer.text) if answer.kind == "text" and by_number else None
        if by_number is not None and amount is not None:
            value = by_number(amount)
            return next((option for option in self.options if option.value == value), None)
        return None

    def takes(self, answer: Answer, t: Translator) -> bool:
        """Whether a typed answer names one of the options, or could be several (asked which)."""
        try:
            return self._find(answer, t) is not None
        except Invalid:
            return True

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> Any:
        option = self._find(answer, t)
        if option is None:
            raise self.expectation(now)
        return option.value

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        if value not in {option.value for option in self.options}:
            raise self.expectation(now)

    def show(self, value: Any, t: Translator) -> str:
        labels = {option.value: option.label for option in self.options}
        return t(labels[value]) if value in labels else str(value)


YES_NO = (Option("yes", N_("Ja")), Option("no", N_("Nee")))


@dataclass(frozen=True, kw_only=True)
class YesNoStep(ChoiceStep):
    """A yes-or-no question; the answer is stored as a boolean."""

    options: Sequence[Option] = YES_NO
    kind = "yesno"

    def takes(self, answer: Answer, t: Translator) -> bool:
        return (answer.kind == "text" and yes_or_no(answer.text) is not None) or super().takes(answer, t)

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> bool:
        said = yes_or_no(answer.text) if answer.kind == "text" else None  # "ja graag", "oké", "non merci"
        return said if said is not None else super().read(answer, t, now, answers) == "yes"

    def coerce(self, raw: Any, now: datetime) -> bool:
        if isinstance(raw, bool):
            return raw
        if raw in ("yes", "no"):
            return raw == "yes"
        raise self.expectation(now)

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        if not isinstance(value, bool):
            raise self.expectation(now)

    def show(self, value: Any, t: Translator) -> str:
        return t(self.options[0].label if value else self.options[1].label)


@dataclass(frozen=True, kw_only=True)
class MultiStep(ChoiceStep):
    """Several options, toggled one tap at a time and closed with "Klaar"."""

    minimum: int = 1
    kind = "multi"

    def buttons(self, t: Translator, token: str, answers: Answers) -> list[Button]:
        chosen = set(answers.get(self.name) or ())
        return [
            Button(t(option.label), Action.of(ROUTE, "answer", token, option.value), selected=option.value in chosen)
            for option in self.options
        ] + [Button(t(N_("Klaar")), Action.of(ROUTE, "done", token), navigation=True)]

    def toggle(self, answer: Answer, t: Translator, answers: Answers) -> list[str] | None:
        """The selection after this tap, or None when the answer is not a toggle."""
        option = self._find(answer, t)
        if option is None:
            return None
        chosen = list(answers.get(self.name) or ())
        if option.value in chosen:
            chosen.remove(option.value)
        else:
            chosen.append(option.value)
        order = [o.value for o in self.options]
        return sorted(chosen, key=order.index)

    def takes(self, answer: Answer, t: Translator) -> bool:
        return self.typed_done(answer, t) or self.typed_list(answer, t) is not None or super().takes(answer, t)

    @staticmethod
    def typed_done(answer: Answer, t: Translator) -> bool:
        """Whether the answer is "Klaar" typed (near enough), instead of tapped."""
        return answer.kind == "text" and choose(answer.text, [t(N_("Klaar"))]) == [0]

    def typed_list(self, answer: Answer, t: Translator) -> list[str] | None:
        """Several options typed at once ("erfgoed, sport" or "1, 3": their place in the list), or None."""
        if answer.kind != "text":
            return None
        chosen: list[str] = []
        parts = [part for part in LIST_SEPARATORS.split(answer.text.strip()) if part]
        if len(parts) == 1 and all(word.isdecimal() for word in parts[0].split()):
            parts = parts[0].split()  # "1 9": numbers with spaces only
        for part in parts:
            found = self._one(part, t)
            pieces = [self._one(piece, t) for piece in LAST_SEPARATOR.split(part)] if found is None else [found]
            named = [piece for piece in pieces if piece is not None]
            if len(named) < len(pieces):
                return None
            chosen += named
        order = [o.value for o in self.options]
        return sorted(set(chosen), key=order.index) if len(chosen) > 1 else None

    def _one(self, typed: str, t: Translator) -> str | None:
        """The option one typed item names: its label, or its place in the list."""
        if typed.isdecimal() and 1 <= int(typed) <= len(self.options):
            return self.options[int(typed) - 1].value
        option = self._find(Answer("text", text=typed), t)
        return option.value if option is not None else None

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> list[str]:
        return list(answers.get(self.name) or ())  # "Klaar": what was toggled so far

    def coerce(self, raw: Any, now: datetime) -> list[str]:
        items = raw if isinstance(raw, (list, tuple)) else [raw] if raw else []
        return [str(item) for item in items]

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        known = {option.value for option in self.options}
        if not isinstance(value, list) or any(item not in known for item in value):
            raise self.expectation(now)
        if len(value) < self.minimum:
            raise Invalid(N_("Kies minstens één antwoord."))

    def limits(self) -> tuple[int | None, int | None]:
        return self.minimum, None

    def show(self, value: Any, t: Translator) -> str:
        return ", ".join(ChoiceStep.show(self, item, t) for item in value or ())


@dataclass(frozen=True, kw_only=True)
class PhotoStep(Step):
    """A picture; the channel's file id is stored, not the image itself."""

    optional: bool = True
    kind = "photo"

    def declines(self, answer: Answer) -> bool:
        said = plain(answer.text) if answer.kind == "text" else ""
        words = said.split()
        return bool(words) and (
            yes_or_no(answer.text) is False
            or said in NOTHING
            or (words[0] in LEAD_NO | {"geen"} and len(words) <= DECLINE_WORDS)  # "nee, geen foto"
        )

    def read(self, answer: Answer, t: Translator, now: datetime, answers: Answers) -> str:
        if answer.kind != "photo" or not answer.photo:
            raise self.expectation(now)
        return answer.photo

    def check(self, value: Any, answers: Answers, now: datetime) -> None:
        if not isinstance(value, str) or not value:
            raise self.expectation(now)

    def show(self, value: Any, t: Translator) -> str:
        return t(N_("foto ontvangen"))
