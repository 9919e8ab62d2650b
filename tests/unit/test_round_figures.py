"""A round's figures under the small-group rule, and similar open answers grouped: pure parts, no database."""

from handlers.common.domain import HIDDEN, UNDER
from handlers.rounds.results import Tally, figures_of, grouped, hide

SCALE = {"kind": "scale", "text": "Hoe graag?", "ends": ["niet", "graag"]}
ONE = {"kind": "one", "text": "Rugleuning?", "options": ["Ja", "Nee"], "other": True}
MANY = {"kind": "many", "text": "Waar?", "options": ["Brug", "Kerk", "Markt"], "other": False}
OPEN = {"kind": "open", "text": "Waar nog?"}


def test_a_count_under_five_is_never_shown_and_zero_or_five_are():
    assert hide({1: 0, 2: 4, 3: 5, 4: 1}, parts=False) == {1: 0, 2: UNDER, 3: 5, 4: UNDER}


def test_one_small_part_of_a_shown_total_hides_the_smallest_other_part_with_it():
    # 20 answered: 12 + 6 + 2. Shown 12 and 6, the 2 would be 20 - 18: the 6 is hidden too.
    assert hide({0: 12, 1: 6, 2: 2}, parts=True) == {0: 12, 1: HIDDEN, 2: UNDER}


def test_two_small_parts_that_together_make_five_need_nothing_more_hidden():
    assert hide({0: 12, 1: 3, 2: 2}, parts=True) == {0: 12, 1: UNDER, 2: UNDER}


def test_two_small_parts_under_five_together_hide_more_until_they_reach_five():
    assert hide({0: 12, 1: 8, 2: 1, 3: 1}, parts=True) == {0: 12, 1: HIDDEN, 2: UNDER, 3: UNDER}


def test_parts_with_no_small_group_are_all_shown():
    assert hide({0: 12, 1: 6, 2: 0}, parts=True) == {0: 12, 1: 6, 2: 0}


def test_fewer_than_five_respondents_show_nothing_but_under_five():
    shown = figures_of([SCALE, OPEN], Tally(4, {0: 4, 1: 2}, {0: {4: 4}}, {1: ["Aan de brug", "Bij de kerk"]}))
    assert shown.respondents == UNDER
    assert shown.questions == ()


def test_no_respondents_yet_shows_zero():
    assert figures_of([SCALE], Tally(0, {}, {}, {})).respondents == 0


def test_a_question_answered_by_fewer_than_five_shows_only_under_five():
    shown = figures_of([SCALE, ONE], Tally(9, {0: 9, 1: 3}, {0: {4: 9}, 1: {0: 3}}, {}))
    first, second = shown.questions
    assert (first.answered, first.options) == (9, {1: 0, 2: 0, 3: 0, 4: 9, 5: 0})
    assert (second.answered, second.options, second.texts) == (UNDER, {}, ())


def test_every_option_is_listed_in_order_with_iets_anders_last_and_its_texts():
    shown = figures_of([ONE], Tally(10, {0: 10}, {0: {0: 6, -1: 4}}, {0: ["Een bank met tafel"] * 4}))
    [question] = shown.questions
    assert list(question.options.items()) == [(0, HIDDEN), (1, 0), (-1, UNDER)]
    assert question.texts == (("Een bank met tafel", UNDER),)  # how many wrote it: under the rule too


def test_several_choices_are_not_parts_of_one_total_so_only_small_counts_are_hidden():
    shown = figures_of([MANY], Tally(10, {0: 10}, {0: {0: 9, 1: 6, 2: 2}}, {}))
    assert shown.questions[0].options == {0: 9, 1: 6, 2: UNDER}


def test_similar_open_answers_are_grouped_the_biggest_group_first():
    texts = ["Aan de brug!", "bij de kerk", "aan de BRUG", "De brug in Heule", "Aan de brúg"]
    assert grouped(texts) == [("Aan de brug!", 3), ("bij de kerk", 1), ("De brug in Heule", 1)]


def test_answers_without_long_words_group_only_when_they_are_the_same():
    assert grouped(["ja", "Ja.", "nee", "ok"]) == [("ja", 2), ("nee", 1), ("ok", 1)]
