"""checks.negation: one sentence denying what the other asserts."""

import pytest

from summarizer.checks.negation import compare, polarity


@pytest.mark.parametrize("text", ["No external attack had occurred.", "The attack did not happen.",
                                  "ISIS never attacked the prison.", "The group denied attacking the prison.",
                                  "They didn't attack.", "Police failed to stop the escape."])
def test_negation_cues_are_found(text):
    assert polarity(text).negated


def test_not_only_is_not_a_negation():
    assert not polarity("Not only prisoners escaped but guards too.").negated


def test_neither_negated_is_not_applicable():
    assert compare("Militants attacked the prison.", "Militants attacked the prison.").verdict == "na"


def test_one_side_negated_about_the_same_content_is_a_mismatch():
    check = compare("An external attack occurred on the prison.", "Official reports said no external attack had occurred on the prison.")
    assert check.verdict == "mismatch" and "attack" in check.detail


def test_both_negated_match():
    assert compare("No external attack occurred.", "Officials said no external attack had occurred.").verdict == "match"


def test_negation_about_different_content_is_absent():
    assert compare("The prisoners did not escape.", "A car bomb killed seven civilians in Baghdad.").verdict == "absent"


def test_denial_verbs_negate_what_precedes_them():
    assert compare("ISIS attacked the prison.", "ISIS attacking the prison was denied by officials.").verdict == "mismatch"


def test_an_excerpt_of_the_words_before_a_later_negation_is_not_denied_by_it():
    evidence = ("Spain's 2-0 defeat by Holland brought back bitter memories of their 2014 World Cup, but coach "
                "Vicente del Bosque will not be too worried about a third straight friendly defeat.")
    quote = "Spain's 2-0 defeat by Holland brought back bitter memories of their 2014 World Cup, but coach…"
    assert compare(quote, evidence).verdict == "absent"
    assert compare("12 people died.", "It is not true that 12 people died.").verdict == "mismatch"


def test_a_word_swapped_for_its_opposite_is_a_mismatch():
    check = compare("The All Progressives Congress (APC) lost 19 governor posts in Saturday's elections.",
                    "The All Progressives Congress (APC) won 19 of the 28 governor posts in Saturday's elections.")
    assert check.verdict == "mismatch" and "'lost'" in check.detail and "'won'" in check.detail
    assert compare("The marine was convicted of killing Laude.",
                   "A court acquitted the marine of killing Laude.").verdict == "mismatch"


def test_one_side_winning_and_the_other_losing_tell_the_same_match():
    assert compare("Spain lost 2-0 to Holland on Tuesday.", "Holland won 2-0 against Spain on Tuesday.").verdict \
        != "mismatch"
    assert compare("Del Potro won the match.", "Del Potro won the match after he lost the first set.").verdict \
        != "mismatch"
