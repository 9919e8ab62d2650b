"""Each step kind reads a chat answer and checks a value on its own, and a dialogue's position
reads and writes the stored columns: no database, no core, a fixed clock."""

from datetime import datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.dialogue.flow import Flow
from bot.dialogue.position import AT_EDIT, AT_SUMMARY, At, Position
from bot.dialogue.steps import (
    TODAY,
    Answer,
    ChoiceStep,
    DateStep,
    DateTimeStep,
    Invalid,
    MultiStep,
    NumberStep,
    Option,
    PhotoStep,
    TextStep,
    Unsure,
    YesNoStep,
)
from bot.i18n import translator

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=ZoneInfo("Europe/Brussels"))  # a Wednesday
T = translator("nl")
THEMES = (Option("erfgoed", "Erfgoed"), Option("sport", "Sport"), Option("natuur", "Natuur en groen"))


def typed(text: str) -> Answer:
    return Answer("text", text=text)


def tapped(value: str) -> Answer:
    return Answer("tap", value=value)


def read(step, answer: Answer, answers: dict | None = None):
    return step.read(answer, T, NOW, answers or {})


def problem(step, value, answers: dict | None = None) -> Invalid:
    with pytest.raises(Invalid) as raised:
        step.check(value, answers or {}, NOW)
    return raised.value


# -- position ------------------------------------------------------------------------------


def row(step: str, mode: str = "ask") -> SimpleNamespace:
    return SimpleNamespace(step=step, mode=mode)


@pytest.mark.parametrize(
    ("stored", "position"),
    [
        (("title", "ask"), Position.asking("title")),
        (("title", "_summary"), Position.asking("title", from_summary=True)),
        (("_summary", "ask"), AT_SUMMARY),
        (("_edit", "ask"), AT_EDIT),
    ],
)
def test_a_position_reads_and_writes_the_values_stored_before_it_had_a_type(stored, position):
    assert Position.of(row(*stored)) == position
    written = row("somewhere", "else")
    position.write(written)
    assert (written.step, written.mode) == stored


def test_a_row_at_the_summary_is_at_the_summary_whatever_its_mode_says():
    assert Position.of(row("_summary", "_summary")).at is At.SUMMARY
    assert Position.of(row("_edit", "_summary")).at is At.EDIT


def test_only_a_position_at_a_step_names_one():
    with pytest.raises(ValueError):
        Position(At.SUMMARY, "title")
    with pytest.raises(ValueError):
        Position(At.STEP)
    with pytest.raises(ValueError):
        Position(At.EDIT, from_summary=True)


# -- text and number -------------------------------------------------------------------------


def test_text_is_read_without_the_spaces_around_it_and_only_from_typed_text():
    step = TextStep(name="title", prompt="p", label="l", min_length=2, max_length=10)
    assert read(step, typed("  Bankjes ")) == "Bankjes"
    with pytest.raises(Invalid) as raised:
        read(step, Answer("photo", photo="file"))
    assert raised.value.expected == "text"


def test_text_must_be_between_its_lengths_and_a_too_long_one_is_echoed():
    step = TextStep(name="title", prompt="p", label="l", min_length=2, max_length=10)
    step.check("ab", {}, NOW)
    step.check("a" * 10, {}, NOW)
    assert problem(step, "a").values == {"min": 2}
    too_long = problem(step, "a" * 11)
    assert too_long.values["echo"] == "a" * 11 and too_long.values["count"] == 11
    assert "10 tekens" in too_long.text(T) and "11" in too_long.text(T)


def test_a_number_is_read_with_or_without_its_unit():
    step = NumberStep(name="hours", prompt="p", label="l", minimum=1, maximum=40)
    assert read(step, typed("4")) == 4
    assert read(step, typed("4 uur")) == 4
    assert read(step, typed("€ 50")) == 50
    with pytest.raises(Invalid) as raised:
        read(step, typed("veel"))
    assert raised.value.expected == "number" and raised.value.values == {"min": 1, "max": 40}


def test_a_number_must_lie_within_its_bounds():
    step = NumberStep(name="hours", prompt="p", label="l", minimum=1, maximum=40)
    step.check(1, {}, NOW)
    step.check(40, {}, NOW)
    for wrong in (0, 41, -3, True, "4"):
        assert problem(step, wrong).expected == "number", wrong


# -- dates and moments ---------------------------------------------------------------------


def test_a_date_is_read_as_the_next_time_it_comes_and_stored_as_iso():
    step = DateStep(name="start", prompt="p", label="l")
    assert read(step, typed("14/3")) == "2027-03-14"
    with pytest.raises(Unsure) as unsure:  # yesterday's day and month: next year, after a yes (issue 25)
        read(step, typed("9/3"))
    assert unsure.value.value == "2028-03-09" and unsure.value.values["year"] == "2028"
    assert read(step, typed("1/1")) == "2028-01-01"  # passed over two months ago: next year, no question
    assert read(step, typed("morgen")) == "2027-03-11"
    with pytest.raises(Invalid) as raised:
        read(step, typed("ooit"))
    assert raised.value.expected == "date" and raised.value.values == {"example": "10/3/2027"}


def test_a_date_button_answers_today_only_when_the_step_offers_it():
    assert read(DateStep(name="start", prompt="p", label="l", from_now="Vanaf nu"), tapped(TODAY)) == "2027-03-10"
    with pytest.raises(Invalid):
        read(DateStep(name="start", prompt="p", label="l"), tapped(TODAY))


def test_a_date_may_not_be_past_nor_before_the_step_it_follows():
    step = DateStep(name="until", prompt="p", label="l", after_step="start")
    step.check("2027-03-10", {}, NOW)
    assert problem(step, "2027-03-09").values == {}
    before_start = problem(step, "2027-04-01", {"start": "2027-05-01"})
    assert before_start.text(T) == "Kies zaterdag 1 mei 2027 of later."
    step.check("2027-05-01", {"start": "2027-05-01"}, NOW)


def test_a_moment_is_read_in_local_time_and_stored_in_utc():
    step = DateTimeStep(name="starts_at", prompt="p", label="l")
    assert read(step, typed("14/3 om 14.00 uur")) == "2027-03-14T13:00:00+00:00"
    assert read(step, typed("14/3/2027 14:00")) == "2027-03-14T13:00:00+00:00"
    with pytest.raises(Invalid) as raised:
        read(step, typed("straks"))
    assert raised.value.expected == "datetime"


def test_a_time_alone_is_on_the_day_of_the_moment_it_follows():
    step = DateTimeStep(name="ends_at", prompt="p", label="l", after_step="starts_at")
    assert read(step, typed("17u"), {"starts_at": "2027-03-14T13:00:00+00:00"}) == "2027-03-14T16:00:00+00:00"


def test_a_moment_must_be_to_come_and_after_the_one_it_follows():
    step = DateTimeStep(name="ends_at", prompt="p", label="l", after_step="starts_at")
    step.check("2027-03-10T11:01:00+00:00", {}, NOW)
    problem(step, "2027-03-10T11:00:00+00:00")  # now itself has passed
    start = {"starts_at": "2027-03-14T13:00:00+00:00"}
    assert "14 maart" in problem(step, "2027-03-14T13:00:00+00:00", start).text(T)
    step.check("2027-03-14T13:01:00+00:00", start, NOW)


def test_a_form_hands_a_moment_over_as_local_iso_or_as_a_unix_timestamp():
    step = DateTimeStep(name="starts_at", prompt="p", label="l")
    assert step.coerce("2027-03-14T14:00", NOW) == "2027-03-14T13:00:00+00:00"
    stamp = int(datetime(2027, 3, 14, 13, tzinfo=timezone.utc).timestamp())
    assert step.coerce(stamp, NOW) == step.coerce(str(stamp), NOW) == "2027-03-14T13:00:00+00:00"


# -- choices ---------------------------------------------------------------------------------


def test_a_choice_is_tapped_or_typed_by_its_label():
    step = ChoiceStep(name="theme", prompt="p", label="l", options=THEMES)
    assert read(step, tapped("sport")) == "sport"
    assert read(step, typed("SPORT!")) == "sport"
    assert read(step, typed("natuur en groen")) == "natuur"
    with pytest.raises(Invalid) as raised:
        read(step, typed("muziek"))
    assert raised.value.expected == "choice"
    with pytest.raises(Invalid):
        read(step, tapped("muziek"))  # a forged value


def test_a_typed_number_falls_in_the_option_its_step_says():
    bands = (Option("small", "< 100 euro"), Option("large", "100 euro of meer"))
    step = ChoiceStep(
        name="budget", prompt="p", label="l", options=bands, by_number=lambda n: "small" if n < 100 else "large"
    )
    assert read(step, typed("50")) == "small"
    assert read(step, typed("€ 250")) == "large"
    with pytest.raises(Invalid):
        read(ChoiceStep(name="theme", prompt="p", label="l", options=THEMES), typed("2"))


def test_a_choice_must_be_one_of_its_options():
    step = ChoiceStep(name="theme", prompt="p", label="l", options=THEMES)
    step.check("erfgoed", {}, NOW)
    assert problem(step, "muziek").expected == "choice"
    assert step.show("natuur", T) == "Natuur en groen"


@pytest.mark.parametrize(("text", "said"), [("ja", True), ("Nee", False), ("ja graag", True), ("oké", True)])
def test_yes_or_no_is_read_from_what_people_type(text, said):
    assert read(YesNoStep(name="help", prompt="p", label="l"), typed(text)) is said


def test_yes_or_no_is_a_boolean_tapped_or_handed_over():
    step = YesNoStep(name="help", prompt="p", label="l")
    assert read(step, tapped("no")) is False and read(step, tapped("yes")) is True
    with pytest.raises(Invalid):
        read(step, typed("misschien"))
    assert step.coerce("yes", NOW) is True and step.coerce(False, NOW) is False
    assert problem(step, "yes").expected == "yesno"
    assert step.show(True, T) == "Ja" and step.show(False, T) == "Nee"


# -- several choices ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("erfgoed, sport", ["erfgoed", "sport"]),
        ("sport en erfgoed", ["erfgoed", "sport"]),  # in the order of the options
        ("Sport; natuur en groen", ["sport", "natuur"]),  # "en" inside a label stays part of it
        ("1, 3", ["erfgoed", "natuur"]),  # places in the list
        ("erfgoed + sport + natuur en groen", ["erfgoed", "sport", "natuur"]),
    ],
)
def test_several_options_are_typed_at_once(text, chosen):
    assert MultiStep(name="themes", prompt="p", label="l", options=THEMES).typed_list(typed(text), T) == chosen


@pytest.mark.parametrize("text", ["erfgoed", "erfgoed, muziek", "4, 1", "ja en nee"])
def test_a_list_with_one_item_or_an_unknown_one_is_no_list(text):
    assert MultiStep(name="themes", prompt="p", label="l", options=THEMES).typed_list(typed(text), T) is None


def test_a_tap_toggles_one_option_and_klaar_reads_what_is_chosen():
    step = MultiStep(name="themes", prompt="p", label="l", options=THEMES)
    assert step.toggle(tapped("sport"), T, {"themes": ["natuur"]}) == ["sport", "natuur"]
    assert step.toggle(typed("natuur en groen"), T, {"themes": ["sport", "natuur"]}) == ["sport"]
    assert step.toggle(typed("muziek"), T, {}) is None
    assert read(step, Answer("tap"), {"themes": ["sport"]}) == ["sport"]


def test_several_choices_need_their_minimum_and_known_options():
    step = MultiStep(name="themes", prompt="p", label="l", options=THEMES, minimum=1)
    step.check(["sport"], {}, NOW)
    assert problem(step, []).message == "Kies minstens één antwoord."
    assert problem(step, ["sport", "muziek"]).expected == "multi"
    assert step.show(["erfgoed", "sport"], T) == "Erfgoed, Sport"


def test_a_photo_step_keeps_the_file_id_of_a_photo_only():
    step = PhotoStep(name="photo", prompt="p", label="l")
    assert read(step, Answer("photo", photo="file-1")) == "file-1"
    with pytest.raises(Invalid) as raised:
        read(step, typed("een foto"))
    assert raised.value.expected == "photo"


# -- a flow over its steps -----------------------------------------------------------------------


async def _done(ctx, answers):  # never called here
    raise AssertionError


FLOW = Flow(
    name="sample",
    steps=(
        TextStep(name="title", prompt="p", label="l"),
        YesNoStep(name="help", prompt="p", label="l"),
        NumberStep(name="hours", prompt="p", label="l", when=lambda answers: answers.get("help") is True),
        PhotoStep(name="photo", prompt="p", label="l"),
    ),
    on_done=_done,
)


def test_a_flow_goes_back_from_a_step_and_from_the_summary_to_the_step_asked_before():
    assert FLOW.before("title", {}) is None
    assert FLOW.before("help", {}).name == "title"
    assert FLOW.before(None, {"help": False}).name == "photo"
    assert FLOW.before("photo", {"help": True}).name == "hours"
    assert FLOW.after("help", {"help": False}).name == "photo"


def test_a_flow_validates_required_steps_each_rule_and_only_steps_that_apply():
    assert FLOW.validate({"title": "Bankjes", "help": False}, NOW) == {}
    problems = FLOW.validate({"title": "B", "help": True}, NOW)
    assert set(problems) == {"title", "hours"}
    assert problems["hours"].message == "Deze vraag moet je nog beantwoorden."
