"""gazetteer: a US town named without its state gets the state the gazetteer and the reports' cues agree on."""

from collections import Counter

from summarizer.gazetteer import infer_state, state_cues, world_towns
from summarizer.schema import Location


def test_a_town_one_state_dominates_gets_that_state_when_no_report_names_one():
    inferred = infer_state("Wichita", Counter())
    assert inferred.state == "Kansas" and "no report names the state" in inferred.basis


def test_a_town_several_states_share_stays_not_stated():
    assert infer_state("Springfield", Counter()) is None


def test_a_cue_settles_a_shared_town_name():
    assert infer_state("Springfield", state_cues("SPRINGFIELD, Ill. (AP) — Police said two men were shot.")).state \
        == "Illinois"


def test_cues_naming_only_other_states_conflict_with_the_gazetteer_and_leave_it_open():
    assert infer_state("Wichita", state_cues("The suspect was arrested in Oklahoma.")) is None


def test_a_state_named_more_than_any_other_wins_among_the_towns_namesakes():
    cues = state_cues("Aurora police said... Colorado Springs. The Colorado Bureau of Investigation... an Indiana man")
    assert infer_state("Aurora", cues).state == "Colorado"


def test_agencies_ap_abbreviations_postal_codes_and_counties_are_cues():
    assert state_cues("Louisiana State Police said") == Counter({"Louisiana": 1})
    assert state_cues("MEMPHIS, Tenn. (AP)") == Counter({"Tennessee": 1})
    assert state_cues("Memphis, TN 38103") == Counter({"Tennessee": 1})
    assert state_cues("East Baton Rouge Parish deputies") == Counter({"Louisiana": 1})


def test_a_county_several_states_have_points_to_each_of_them():
    assert state_cues("Sedgwick County deputies") == Counter({"Kansas": 1, "Colorado": 1})


def test_washington_is_no_cue_for_the_state_but_its_abbreviation_is():
    assert state_cues("The Washington Post reported") == Counter()
    assert state_cues("TACOMA, Wash. (AP)") == Counter({"Washington": 1})


def test_the_basis_of_either_rule_fits_the_schemas_location():
    cues = state_cues("Officers of the Baton Rouge Police Department and Louisiana State Police")
    for town, found in (("Baton Rouge", cues), ("Wichita Falls", Counter())):
        inferred = infer_state(town, found)
        assert Location(place=town, region=inferred.state, region_basis=inferred.basis).region_basis.startswith(town)


def test_the_city_of_a_town_is_that_town():
    assert infer_state("City of Milwaukee", Counter()).state == "Wisconsin"


def test_the_town_table_is_built_once_and_then_read_from_the_user_cache(tmp_path, monkeypatch):
    from summarizer import gazetteer

    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path))
    gazetteer._towns.cache_clear()
    try:
        built = gazetteer._towns()
        (cached,) = (tmp_path / "gazetteer").glob("us-towns-*.json")
        gazetteer._towns.cache_clear()
        monkeypatch.setattr(gazetteer, "_us_towns", lambda: {})  # a second process must not need GeoNames
        assert gazetteer._towns() == built and built["wichita"][0][0] == "Kansas"
    finally:
        gazetteer._towns.cache_clear()


def test_the_world_gazetteer_is_read_once_per_process():
    # Every lowercased place reads it; read again each time, one brief took minutes.
    assert world_towns() is world_towns()
