"""checks.numbers: quantities in text, and whether a claim's numbers agree with an evidence sentence's."""

import math

import pytest

from summarizer.checks.numbers import compare, extract, noun_class, written_as_in


def only(text):
    (quantity,) = extract(text)
    return quantity


@pytest.mark.parametrize("text, value", [("12", 12), ("1,200", 1200), ("twelve", 12), ("fifty", 50),
                                         ("thirty-five", 35), ("a dozen", 12), ("half a dozen", 6),
                                         ("two hundred and fifty", 250), ("1.5 million", 1_500_000)])
def test_digits_and_number_words_parse_to_their_value(text, value):
    assert only(f"Police said {text} people died.").value_min == value


@pytest.mark.parametrize("text, qualifier", [("more than 50", "more_than"), ("at least 22", "at_least"),
                                             ("about sixty", "about"), ("approximately 60", "about"),
                                             ("nearly 50", "about"), ("up to 50", "at_most"),
                                             ("fewer than 10", "less_than"), ("50 or more", "at_least")])
def test_qualifiers_are_read_with_the_number(text, qualifier):
    q = only(f"Officials said {text} people died.")
    assert (q.text, q.qualifier) == (text, qualifier)


@pytest.mark.parametrize("text", ["30-40", "30 to 40", "between 30 and 40"])
def test_ranges_give_both_bounds(text):
    q = only(f"{text} prisoners escaped.")
    assert (q.value_min, q.value_max, q.qualifier) == (30, 40, "range")


def test_vague_amounts_are_marked_vague_with_a_plausible_span():
    q = only("Dozens of prisoners escaped.")
    assert q.vague and q.value_min == 24 and q.value_max > 24 and q.noun == "prisoners"


def test_years_dates_and_clock_times_are_not_quantities():
    assert extract("On 8 May 2015 at 10:30 p.m., in 2013, and on May 9, 2015") == []


def test_telephone_numbers_are_not_quantities():
    assert extract("Call the tip line at 855-TIPS-247 (855-847-7247), (212) 555-1234 or 1-800-222-TIPS.") == []


def test_distances_carry_their_unit():
    assert [(q.value_min, q.unit) for q in extract("about 80 km (50 miles) northeast of Baghdad")] == [(80, "km"), (50, "mi")]


@pytest.mark.parametrize("text", ["a 25-year-old man", "Sarah Bonner, 24, died", "aged 24"])
def test_ages_are_tagged_as_ages(text):
    assert only(text).unit == "age"


def test_money_and_labels_are_tagged():
    assert [q.unit for q in extract("raised more than $3,000 on Route 9 at 605 Murphy Rd")] == ["$", "label", "address"]


def test_offsets_point_at_the_written_number():
    text = "Iraqi officials said 12 police officers died."
    q = only(text)
    assert text[q.start:q.end] == q.text == "12"


def test_counted_noun_follows_the_number():
    assert [q.noun for q in extract("12 police officers died and 50 inmates attempting to escape were slaughtered")] == [
        "police officers", "inmates"]


def test_kind_comes_from_the_verb_after_the_noun_skipping_infinitives():
    assert [q.kind for q in extract("12 police officers died and 50 inmates attempting to escape were slaughtered")] == [
        "killed", "killed"]


def test_kind_comes_from_the_verb_before_the_number():
    assert [q.kind for q in extract("A car bomb killed seven civilians and wounded 14 others.")] == ["killed", "injured"]


def test_subject_of_an_active_verb_gets_no_kind():
    two_bombs, eleven = extract("Two bombs in the town of Baladrouz killed 11 people.")
    assert (two_bombs.kind, eleven.kind) == (None, "killed")


def test_a_count_after_including_takes_the_kind_of_the_clause_it_belongs_to():
    assert [q.kind for q in extract("Several individuals died during the escape, including five guards and 30 prisoners.")] == [
        "killed", "killed", "killed"]


@pytest.mark.parametrize("text, kind", [("One person was fatally wounded.", "killed"),
                                        ("Two men were found shot to death.", "killed"),
                                        ("Three men are in custody.", "arrested"),
                                        ("Two others are in critical condition.", "injured")])
def test_set_phrases_give_the_kind(text, kind):
    assert only(text).kind == kind


def test_a_later_count_does_not_lend_its_kind_to_an_earlier_noun():
    shootings, men = extract("four separate shootings that left two men dead")
    assert (shootings.kind, men.kind) == (None, "killed")


def test_separate_clauses_do_not_share_a_kind():
    dead, critical = extract("Two are dead and two are in critical condition.")
    assert (dead.kind, critical.kind) == ("killed", "injured")


def test_number_words_in_names_and_compound_adjectives_are_not_counts():
    assert extract("He was taken to Regional One on a one-way street.") == []


def test_bounds_follow_the_qualifier():
    assert only("more than 50 died").bounds() == (50, math.inf)
    assert only("about 60 died").bounds() == (54, 66)


def test_a_reversed_quantifier_is_a_mismatch():
    assert compare("Fewer than 40 prisoners escaped.", "More than 40 prisoners escaped.").verdict == "mismatch"
    assert compare("At most 40 prisoners escaped.", "More than 40 prisoners escaped.").verdict == "mismatch"
    assert compare("At least 40 prisoners escaped.", "At most 40 prisoners escaped.").verdict == "match"


def test_noun_classes_group_synonyms_and_keep_people_generic():
    assert noun_class("inmates") == noun_class("prisoners") == "prisoners"
    assert noun_class("police officers") == noun_class("guards") == "police"
    assert noun_class("people") == "generic"
    assert noun_class("web sites") is None


def test_claim_without_numbers_is_not_applicable():
    assert compare("The prison was attacked.", "12 police officers died.").verdict == "na"


@pytest.mark.parametrize("claim, evidence", [("more than 50 prisoners escaped", "50 prisoners escaped"),
                                             ("12 officers died", "twelve officers died"),
                                             ("about sixty people were killed", "60 people were killed"),
                                             ("dozens of prisoners escaped", "more than 40 prisoners escaped")])
def test_compatible_numbers_match(claim, evidence):
    assert compare(claim, evidence).verdict == "match"


def test_a_different_exact_number_is_a_mismatch():
    check = compare("62 people were killed", "60 people were killed")
    assert check.verdict == "mismatch" and "62" in check.detail and "60" in check.detail


def test_numbers_are_compared_within_the_same_noun_class():
    evidence = "Iraqi officials said 12 police officers died and 50 inmates were slaughtered."
    assert compare("50 police officers died", evidence).verdict == "mismatch"
    assert compare("50 prisoners died", evidence).verdict == "match"


def test_counts_of_different_things_outside_the_noun_table_are_not_compared():
    evidence = "ISIS militants blew up several vehicles outside the prison."
    assert compare("ISIS militants freed 30 inmates.", evidence).verdict == "absent"
    assert compare("ISIS militants blew up 30 vehicles.", evidence).verdict == "mismatch"


def test_numbers_are_compared_within_the_same_kind():
    evidence = "A car bomb killed seven civilians and wounded 14 others."
    assert compare("14 people were killed", evidence).verdict == "mismatch"
    assert compare("14 people were injured", evidence).verdict == "match"


def test_a_claimed_total_may_be_the_sum_of_the_evidence_figures():
    assert compare("62 people were killed", "12 police officers died and 50 inmates were slaughtered").verdict == "match"


def test_a_distance_is_not_compared_with_a_count():
    assert compare("50 prisoners escaped", "the facility about 80 km (50 miles) north of Baghdad").verdict == "absent"


def test_distances_in_different_units_are_converted():
    assert compare("80 km north of Baghdad", "50 mi north of Baghdad").verdict == "match"


def test_evidence_without_comparable_numbers_is_absent():
    assert compare("12 police officers died", "The prison was attacked on Friday.").verdict == "absent"


@pytest.mark.parametrize("text, kinds", [("Three people were shot, one fatally.", ["shot", "killed"]),
                                         ("A man was shot and died at the hospital.", ["killed"]),
                                         ("Officers found six victims with gunshot wounds.", ["shot"])])
def test_shot_is_a_kind_a_later_word_or_an_elliptic_count_can_make_precise(text, kinds):
    assert [q.kind for q in extract(text.replace("A man", "1 man"))] == kinds


def test_people_counted_in_two_parts_add_up():
    [q] = extract("Two men and a woman were shot.")
    assert (q.text, q.value_min, q.kind) == ("Two men and a woman", 3, "shot")


def test_people_who_fatally_shot_others_are_not_the_killed():
    shooter, victims = extract("Two men fatally shot three people.")
    assert (shooter.kind, victims.kind) == (None, "killed")


@pytest.mark.parametrize(("claim", "as_read"), [
    ("The prison lies about 80 kilometres from Baghdad.", "The prison lies about 80 km from Baghdad."),
    ("Thirty prisoners escaped.", "30 prisoners escaped."),
    ("More than thirty prisoners escaped.", "More than thirty prisoners escaped."),  # another qualifier: as written
    ("Forty prisoners escaped.", "Forty prisoners escaped."),  # another number: as written
])
def test_the_verifier_reads_a_number_as_the_evidence_writes_the_same_amount(claim, as_read):
    assert written_as_in(claim, "Officials said 30 inmates fled the jail about 80 km (50 miles) away.") == as_read
