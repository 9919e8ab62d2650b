"""The thresholds of typed answers (bot.typed): what a near miss names, what it does not, and
what could be several things and is asked about."""

import pytest

from bot.typed import asks_back, choose, yes_or_no

PLACES = ["Kortrijk centrum", "Aalbeke", "Bellegem", "Bissegem", "Heule", "Kooigem", "Marke", "Rollegem"]
THEMES = ["Kunst en cultuur", "Design en maken", "Groen en natuur", "Kinderen en jongeren", "Sport en bewegen"]
PAUSE = ["Een week", "Een maand", "Tot ik het zeg"]
SIGN_OUT = ["Ja, uitschrijven", "Nee, ik kom"]
SUMMARY = ["Klopt", "Aanpassen", "Stoppen"]


@pytest.mark.parametrize(
    ("typed", "labels", "named"),
    [
        ("heulle", PLACES, ["Heule"]),  # one slip: 91
        ("bellegm", PLACES, ["Bellegem"]),
        ("jongeren", THEMES, ["Kinderen en jongeren"]),  # a word of the label
        ("natuur!", THEMES, ["Groen en natuur"]),
        ("maand", PAUSE, ["Een maand"]),
        ("aanpasen", SUMMARY, ["Aanpassen"]),
        ("ja", SIGN_OUT, ["Ja, uitschrijven"]),  # a leading yes
        ("nee", SIGN_OUT, ["Nee, ik kom"]),
        ("👍", SIGN_OUT, ["Ja, uitschrijven"]),
        ("ja, ik doe mee!", ["🙋 Ik doe mee", "Niet nu"], ["🙋 Ik doe mee"]),
        ("francais", ["Nederlands", "English", "Français"], ["Français"]),
    ],
)
def test_a_near_miss_names_its_label(typed, labels, named):
    assert [labels[index] for index in choose(typed, labels)] == named


@pytest.mark.parametrize(
    ("typed", "labels"),
    [
        ("2 weken", PAUSE),  # 53: another answer, not a slip
        ("een", PAUSE),  # a word of two labels, and too short to name either
        ("en", THEMES),  # too short to be a part of a label
        ("klopt niet", SUMMARY),  # "niet" is no word of Klopt
        ("engels", ["Nederlands", "English", "Français"]),  # 77
        ("Er moeten meer bankjes komen", ["Meer uitleg", "Menu"]),
        ("ja", ["Ik doe mee", "Niet nu"]),
    ],
)
def test_what_is_not_near_enough_names_nothing(typed, labels):
    assert choose(typed, labels) == []


def test_what_names_two_labels_as_well_names_both_so_it_is_asked():
    labels = ["Kinderen en jongeren", "Jongeren en sport"]
    assert choose("jongeren", labels) == [0, 1]
    assert choose("ja", ["Ja, stoppen", "Ja, iets nieuws"]) == [0, 1]


def test_yes_and_no_in_words_and_emoji():
    assert [yes_or_no(said) for said in ("oké", "👍🏽", "ja hoor", "non merci", "👎", "misschien")] == [
        True,
        True,
        True,
        False,
        False,
        None,
    ]


def test_a_question_asked_back_is_short_and_asks():
    assert asks_back("bedoel je wat ik wil veranderen?")
    assert asks_back("wat moet ik hier typen")
    assert asks_back("c'est quoi un prototype ?")
    assert not asks_back("Het Leieboord is grijs en niemand zit er.")
