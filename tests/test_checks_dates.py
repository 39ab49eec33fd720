"""checks.dates: date mentions normalised to ISO, and whether a claim's dates agree with the evidence's."""

from datetime import date

import pytest

from summarizer.checks.dates import compare, extract, written_as_in

SATURDAY = date(2015, 5, 9)


def values(text, ref=None):
    return [(d.value, d.precision) for d in extract(text, ref)]


@pytest.mark.parametrize("text", ["8 May 2015", "May 8, 2015", "May 8 2015", "Friday, May 8, 2015", "2015-05-08",
                                  "5/8/2015", "the 8th of May 2015"])
def test_full_dates_normalise_to_one_iso_day(text):
    assert values(f"It happened on {text}.") == [("2015-05-08", "day")]


def test_month_and_year_give_month_precision():
    assert values("Since June 2014, three prison breaks have occurred.") == [("2014-06", "month")]


def test_a_year_in_a_date_context_gives_year_precision():
    assert values("In 2013, militants released 500 prisoners.") == [("2013", "year")]


def test_a_four_digit_count_is_not_a_year():
    assert values("It may be that 2000 people fled.") == []


def test_may_the_verb_is_not_a_month():
    assert values("The escape may indicate that the group is desperate.") == []


def test_day_and_month_without_a_year_keep_both_parts():
    assert values("a car bomb in Baghdad on 9 May.") == [("--05-09", "day")]


def test_day_and_month_take_the_year_of_the_reference_date():
    assert values("a car bomb in Baghdad on 9 May.", SATURDAY) == [("2015-05-09", "day")]


def test_a_weekday_resolves_to_the_latest_such_day_on_or_before_the_reference():
    (friday,) = extract("more than 40 prisoners escaped on Friday.", SATURDAY)
    assert (friday.value, friday.text, friday.relative) == ("2015-05-08", "on Friday", True)
    assert values("the violence continued on Saturday", SATURDAY) == [("2015-05-09", "day")]


def test_a_weekday_without_a_reference_keeps_only_the_weekday():
    (friday,) = extract("on Friday")
    assert (friday.value, friday.weekday) == (None, 4)


def test_yesterday_is_the_day_before_the_reference():
    assert values("A bomb exploded in Baghdad yesterday", SATURDAY) == [("2015-05-08", "day")]


def test_offsets_point_at_the_written_date():
    text = "WASHINGTON, May 9, 2015 – The latest jail-break"
    (d,) = extract(text)
    assert text[d.start:d.end] == d.text == "May 9, 2015"


def test_claim_without_dates_is_not_applicable():
    assert compare("Prisoners escaped.", "On 8 May 2015 prisoners escaped.").verdict == "na"


def test_the_same_day_written_differently_matches():
    assert compare("The break happened on 8 May 2015.", "WASHINGTON, May 8, 2015 – prisoners escaped").verdict == "match"


def test_a_different_day_is_a_mismatch():
    check = compare("The break happened on 9 May 2015.", "On 8 May 2015, a prison break occurred.")
    assert check.verdict == "mismatch" and "2015-05-08" in check.detail


def test_a_coarser_claim_matches_a_precise_evidence_date():
    assert compare("The break happened in May 2015.", "On 8 May 2015, a prison break occurred.").verdict == "match"


def test_a_weekday_matches_the_date_it_falls_on():
    assert compare("The break happened on 8 May 2015.", "Prisoners escaped on Friday.").verdict == "match"
    assert compare("The break happened on 9 May 2015.", "Prisoners escaped on Friday.").verdict == "mismatch"


def test_relative_evidence_resolves_against_the_reference_date():
    assert compare("The break happened on 8 May 2015.", "A bomb exploded yesterday.", SATURDAY).verdict == "match"


def test_evidence_without_dates_is_absent():
    assert compare("The break happened on 8 May 2015.", "Prisoners escaped.").verdict == "absent"


@pytest.mark.parametrize("text", ["the first elections since 1999", "It has held votes since military rule ended in "
                                  "1999.", "He ruled until 2015.", "Since June 2014, three prison breaks occurred."])
def test_a_date_the_text_measures_from_or_to_is_background(text):
    assert [d.background for d in extract(text)] == [True]


@pytest.mark.parametrize("text", ["The election took place in 1999.", "Police arrested him after Friday's attack.",
                                  "The 2015 governorship elections were calm."])
def test_a_date_something_happened_on_is_not_background(text):
    assert [d.background for d in extract(text, SATURDAY)] == [False]


def test_a_background_year_is_no_evidence_of_when_the_event_took_place():
    evidence = "Nigeria has held elections every four years since military rule ended in 1999."
    assert compare("The election took place in 1999.", evidence).verdict == "absent"
    assert compare("It has held elections since 1999.", evidence).verdict == "match"


def test_a_year_inside_a_phone_number_is_not_a_date():
    assert extract("Call the flood helpline on 0300 2000 100 for advice.") == []


def test_the_verifier_reads_a_day_as_the_evidence_writes_the_same_day():
    evidence = "Militants stormed the prison on Friday, officials said."
    assert written_as_in("The break happened on 8 May 2015.", evidence, date(2015, 5, 9)) == \
        "The break happened on Friday."
    assert written_as_in("The break happened on 7 May 2015.", evidence, date(2015, 5, 9)) == \
        "The break happened on 7 May 2015."


def test_a_weekday_no_report_date_resolves_is_left_as_written():
    claim = "The car bomb went off on Saturday."
    assert written_as_in(claim, "A car bomb in Baghdad on Saturday killed seven civilians.", None) == claim
