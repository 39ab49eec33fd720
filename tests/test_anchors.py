"""anchors: deterministic figures, attributions, dates and places from the seed articles, each tied to its sentence."""

import json

import pytest

from summarizer.anchors import Candidates, find_candidates
from summarizer.ingest import sources_from_texts
from summarizer.schema import FigureKind
from summarizer.sources import Document, Sentence, Sources


@pytest.fixture(scope="module")
def candidates(seed_sources):
    return find_candidates(seed_sources)


def figure(candidates, text, group):
    matches = [f for f in candidates.figures if f.text == text and f.group == group]
    assert matches, f"no figure {text!r} {group!r} in {[(f.text, f.group) for f in candidates.figures]}"
    return matches[0]


def test_officials_report_twelve_police_officers_killed(candidates):
    f = figure(candidates, "12", "police officers")
    assert (f.value_min, f.kind, f.reported_by) == (12, FigureKind.killed, "Iraqi officials")


def test_officials_report_fifty_inmates_killed(candidates):
    f = figure(candidates, "50", "inmates")
    assert (f.kind, f.reported_by) == (FigureKind.killed, "Iraqi officials")


def test_the_ministry_spokesman_reports_more_than_forty_escaped(candidates):
    f = figure(candidates, "more than 40", "prisoners")
    assert (f.value_min, f.qualifier, f.kind) == (40, "more_than", FigureKind.escaped)
    assert f.reported_by == "Iraq’s Ministry of Interior spokesman"


def test_maan_reports_five_guards_and_thirty_prisoners_killed_as_two_figures(candidates):
    guards, prisoners = figure(candidates, "five", "guards"), figure(candidates, "30", "prisoners")
    assert (guards.value_min, guards.kind, guards.reported_by) == (5, FigureKind.killed, "Maan")
    assert (prisoners.value_min, prisoners.kind, prisoners.reported_by) == (30, FigureKind.killed, "Maan")
    assert guards.sentence_id == prisoners.sentence_id


def test_more_than_fifty_prisoners_escaped(candidates):
    f = figure(candidates, "More than fifty", "prisoners")
    assert (f.value_min, f.qualifier, f.kind) == (50, "more_than", FigureKind.escaped)


def test_amaq_reports_thirty_inmates_freed(candidates):
    f = figure(candidates, "30", "inmates")
    assert (f.kind, f.reported_by) == (FigureKind.freed, "Amaq News Agency")


def test_the_agency_resolves_to_amaq_for_approximately_sixty_killed(candidates):
    f = figure(candidates, "approximately 60", "people")
    assert (f.value_min, f.qualifier, f.kind, f.reported_by) == (60, "about", FigureKind.killed, "Amaq News Agency")


def test_the_baghdad_car_bomb_killed_seven_civilians_and_injured_fourteen(candidates):
    killed, injured = figure(candidates, "seven", "civilians"), figure(candidates, "14", "others")
    assert (killed.kind, injured.kind) == (FigureKind.killed, FigureKind.injured)
    assert killed.reported_by == "police and medical sources"


def test_figure_offsets_point_into_the_document_text(seed_sources, candidates):
    for f in candidates.figures:
        assert seed_sources.document(f.doc_id).text[f.start:f.end] == f.text
        assert f.sentence_id.startswith(f.doc_id + ":")


def test_distances_years_and_ages_are_not_figures(candidates):
    texts = {f.text for f in candidates.figures}
    assert not texts & {"about 80", "2015", "2013", "2014"}
    assert all(f.group not in ("km", "miles") for f in candidates.figures)


def test_counts_of_things_that_nothing_happened_to_are_left_out(candidates):
    assert not [f for f in candidates.figures if f.group in ("bombs", "accounts", "prison breaks", "vehicles")]


def test_near_duplicate_documents_add_no_candidates(seed_sources, candidates):
    duplicates = {d.id for d in seed_sources.documents if d.duplicate_of}
    assert duplicates, "the seeds hold a near-duplicate capture"
    assert not [f for f in candidates.figures if f.doc_id in duplicates]


def test_attributions_name_the_speaker_and_the_verb(candidates):
    said = {(a.speaker, a.verb) for a in candidates.attributions}
    assert {("Iraqi officials", "said"), ("Maan", "according to"), ("Oudi Al-Khadran", "blamed"),
            ("Iraqi officials", "told"), ("security and police officials", "said")} <= said


def test_a_definite_description_keeps_its_written_words(candidates):
    agency = [a for a in candidates.attributions if a.as_written == "The agency"]
    assert agency and agency[0].speaker == "Amaq News Agency" and agency[0].stance == "claims"


def test_a_passive_is_not_a_reporting_frame(candidates):
    assert not [a for a in candidates.attributions if a.verb == "supported"]


def test_an_adverb_opening_the_sentence_is_not_part_of_the_speaker():
    sources = sources_from_texts(["Meanwhile Amaq said the attack was planned. Meanwhile motoring groups said the "
                                  "fines were unfair. However, the mayor said the road was closed."])
    assert {a.speaker for a in find_candidates(sources).attributions} == {"Amaq", "the mayor"}


def test_pronoun_speakers_are_left_out(candidates):
    assert not [a for a in candidates.attributions if a.speaker.lower() in ("he", "she", "they")]


def test_relative_dates_resolve_against_the_document_date(seed_sources, candidates):
    dated = {d.id for d in seed_sources.canonical if d.date == "2015-05-09"}
    friday = [d for d in candidates.dates if d.doc_id in dated and d.text == "on Friday"]
    assert friday and all(d.value == "2015-05-08" and d.relative for d in friday)


def test_explicit_dates_are_normalised(candidates):
    assert ("8 May 2015", "2015-05-08", "day") in {(d.text, d.value, d.precision) for d in candidates.dates}


def test_places_come_with_a_country_hint(candidates):
    places = {(p.text, p.kind, p.country) for p in candidates.places}
    assert {("Baghdad", "place", "Iraq"), ("Iraq", "country", "Iraq"), ("Karrada", "site", "Iraq")} <= places
    assert ("Diyala", "region", "Iraq") in places


def test_a_part_of_a_town_is_a_site_wherever_it_is_named(candidates):
    """'Karrada neighborhood, Baghdad' makes Karrada a part of Baghdad, also in 'Baghdad's Karrada district'."""
    assert {p.kind for p in candidates.places if p.text == "Karrada"} == {"site"}
    assert ("Al Khalis", "place") in {(p.text, p.kind) for p in candidates.places}  # "the Al Khalis prison break"


def test_demonyms_and_groups_are_not_places(candidates):
    assert not {p.text for p in candidates.places} & {"Iraqi", "ISIS", "Isis", "ISIL"}


def one_sentence(text, doc_date=None):
    doc = Document(id="d1", path="a.txt", text=text, date=doc_date,
                   sentences=[Sentence(id="d1:0", doc_id="d1", index=0, text=text, start=0, end=len(text))])
    return find_candidates(Sources(root=".", documents=[doc]))


def test_us_state_abbreviations_are_regions_of_the_united_states():
    found = one_sentence("ANDERSON, S.C. (WSPA) – A woman was shot at a gun range in Anderson.")
    places = {(p.text, p.kind, p.country, p.region) for p in found.places}
    assert ("S.C.", "region", "United States", "South Carolina") in places


def test_a_dateline_names_the_town_and_its_state_when_the_report_names_the_town_again():
    found = one_sentence("MEMPHIS, Tenn. (AP) -- Two men were shot in Memphis on Saturday.")
    assert ("Memphis", "place", "Tennessee") in {(p.text, p.kind, p.region) for p in found.places}


def test_a_shouted_word_before_a_dash_is_not_a_dateline():
    found = one_sentence("BREAKING - Two men were shot in Memphis on Saturday.")
    assert "Breaking" not in {p.text for p in found.places}


def test_a_town_followed_by_its_state_is_a_place_in_that_state():
    found = one_sentence("Police in Taylor, Mich. said a girl was shot.")
    assert ("Taylor", "place", "United States", "Michigan") in {(p.text, p.kind, p.country, p.region)
                                                                for p in found.places}


def test_a_venue_is_a_site_not_the_town():
    found = one_sentence("Two people were shot at Villa Hermosa Apartments in Albuquerque.")
    kinds = {p.text: p.kind for p in found.places}
    assert kinds["Villa Hermosa Apartments"] == "site" and kinds["Albuquerque"] == "place"


def test_a_casualty_said_with_an_article_counts_as_one():
    found = one_sentence("Police said a 23-year-old woman died at the hospital; a dozen people were hurt.")
    assert [(f.text, f.value_min, f.kind) for f in found.figures] == [
        ("a dozen", 12, FigureKind.injured), ("a 23-year-old woman", 1, FigureKind.killed)]


def test_one_person_counts_when_something_happened_to_them():
    found = one_sentence("One woman was hospitalized after one of the guns went off.")
    assert [(f.text, f.group, f.kind) for f in found.figures] == [("One", "woman", FigureKind.injured)]


def test_a_weekday_without_a_document_date_has_no_value():
    assert [(d.text, d.value) for d in one_sentence("She was shot on Monday.").dates] == [("on Monday", None)]
    assert [d.value for d in one_sentence("She was shot on Monday.", "2016-12-29").dates] == ["2016-12-26"]


def test_candidates_round_trip_through_json(candidates):
    assert Candidates.model_validate(json.loads(candidates.model_dump_json())) == candidates


def test_a_count_set_off_by_an_aside_keeps_its_kind_and_every_figure_its_words():
    found = one_sentence("A woman was killed and five others, including a 4-year-old, were injured.")
    assert all(f.text for f in found.figures)
    assert ("five", 5, FigureKind.injured) in {(f.text, f.value_min, f.kind) for f in found.figures}


def test_a_person_named_as_the_subject_of_a_casualty_verb_counts_as_one():
    found = one_sentence("Sharon Watson is in stable condition at a local hospital.")
    assert [(f.text, f.value_min, f.kind) for f in found.figures] == [("Sharon Watson", 1, FigureKind.injured)]


def test_a_number_that_is_no_person_is_no_casualty():
    found = one_sentence("Webb was walking in the 3100 block of Cedar Avenue when he was shot.")
    assert [(f.text, f.kind) for f in found.figures] == [("he", FigureKind.shot)]


def test_a_town_named_without_its_state_gets_the_gazetteers_with_the_basis():
    found = one_sentence("Two men were shot in Wichita on Saturday.")
    wichita = next(p for p in found.places if p.text == "Wichita")
    assert (wichita.region, "gazetteer" in wichita.region_basis) == ("Kansas", True)


def test_a_shared_town_name_gets_no_state_without_a_cue():
    found = one_sentence("Two men were shot in Springfield on Saturday.")
    assert next(p for p in found.places if p.text == "Springfield").region is None


def test_the_counted_group_is_the_victims_not_the_attackers(tmp_path):
    from summarizer.ingest import load_sources

    (tmp_path / "a.txt").write_text("The agency claimed Shia militiamen then stormed the prison and killed "
                                    "approximately 60 people in clashes.\n")
    figures = find_candidates(load_sources(tmp_path)).figures
    assert [(f.kind.value, f.group, f.value_min) for f in figures] == [("killed", "people", 60)]


# --- the event's own day, and the town rather than a part of it or a site (GVA-style US reports) -------------------------
def _report(text: str, date: str = "2017-03-27") -> Sources:
    from summarizer.ingest import sentence_spans

    sentences = [Sentence(id=f"d1:{i}", doc_id="d1", index=i, text=text[start:end], start=start, end=end)
                 for i, (start, end) in enumerate(sentence_spans(text, 0, len(text)))]
    return Sources(root=".", documents=[Document(id="d1", path="d1.txt", text=text, date=date, sentences=sentences)])


def _days(text: str, date: str = "2017-03-27") -> list[tuple[str, str, bool]]:
    return [(d.text, d.value, d.of_event) for d in find_candidates(_report(text, date)).dates]


@pytest.mark.parametrize("text, event_day", [
    # the shooting's day, not the death's ('died Sunday ... after being shot Saturday night')
    ("A 15-year-old boy died at a local hospital Sunday, March 26, after being shot multiple times Saturday night.",
     "Saturday"),
    ("Authorities are weighing whether to treat Monday's shooting as a hate crime.", "Monday"),
    ("Four people were wounded when gunfire erupted Wednesday night in Southwest Philadelphia, police said.", "Wednesday"),
    ("Amari was standing on the sidewalk just before midnight Saturday when shots rang out.", "Saturday"),
    ("Police said a man was shot Tuesday near the park.", "Tuesday"),
    ("The latest tragedy occurred Tuesday night when an 11-year-old girl took her own life.", "Tuesday"),
    ("Police were called about 10:30 p.m. Tuesday on the South Side, where the fatal shooting happened.", "Tuesday"),
    ("Late Saturday, a man was shot outside the bar.", "Saturday"),
    ("More than 40 prisoners escaped from a facility in Al-Khalis, north of Baghdad, on Friday.", "on Friday"),
])
def test_a_date_in_a_clause_telling_the_shooting_is_the_events_day(text, event_day):
    assert [t for t, _, of_event in _days(text) if of_event] == [event_day]


@pytest.mark.parametrize("text", [
    "Minneapolis police said Tuesday that they have arrested three men in connection with the shooting.",
    "Nearly 1,000 people marched to City Hall on Tuesday, less than a day after five protesters were shot.",
    "The family held a prayer vigil Sunday on the sidewalk where the boy was killed.",
    "Seven young men remained hospitalized Tuesday, one with critical injuries, after they were attacked by gunmen.",
    "(Published Wednesday, May 15, 2013)",
    "A man was charged Friday in the shooting.",
    "By mid-afternoon Sunday, at least seven people had been killed in 33 separate shooting incidents since Friday.",
    "WASHINGTON, May 9, 2015 – The latest jail-break by ISIS suggests that the group is mobilizing.",
])
def test_dates_of_what_followed_or_of_the_page_are_not_the_events_day(text):
    assert not [t for t, _, of_event in _days(text) if of_event]


def _places(text: str) -> set[tuple[str, str]]:
    return {(p.text, p.kind) for p in find_candidates(_report(text)).places}


def test_a_neighbourhood_is_a_site_and_the_town_it_is_in_a_place():
    places = _places("Three people were killed in a shooting in the Harbor Gateway area of Los Angeles on Friday. "
                     "Police in Harbor Gateway said the gunman fled.")
    assert {("Harbor Gateway", "site"), ("Los Angeles", "place")} <= places
    assert ("Harbor Gateway", "place") not in places


def test_a_county_is_a_site_offered_only_when_no_town_is_named():
    assert ("Cache County", "site") in _places("A girl was found injured in a ditch in Cache County early Friday.")


def test_a_business_before_a_venue_word_is_a_site_but_a_town_before_one_is_the_town():
    assert ("KFC", "site") in _places("A teen was shot in the KFC parking lot on Friday.")
    assert ("Duluth", "place") in _places("A 17-year-old was taken to a Duluth hospital after being shot.")
    assert ("BBC Sport", "place") not in _places("You can now add tennis alerts in the BBC Sport app.")


def test_a_towns_police_and_a_compass_part_of_a_town_name_the_town():
    places = _places("The girl was shot and killed early Thursday, the Montgomery Police Department said.")
    assert ("Montgomery", "place") in places
    places = _places("Seven men were shot in East Oakland on Monday. Oakland police have no suspects.")
    assert ("Oakland", "place") in places and ("East Oakland", "place") not in places


def test_a_person_named_by_age_title_or_possession_is_not_a_town_after_a_place_cue():
    places = _places("The gunman was Don Charles Spirit, 51. Deputies found two bodies at Spirit's home near Bell. "
                     "A 911 call came from Spirit at about 4 p.m.")
    assert ("Spirit", "place") not in places and ("Bell", "place") in places
    assert ("Boparan", "place") not in _places("Mr Boparan bought the firm. Staff met representatives from Boparan.")


def test_a_person_of_a_town_names_their_home_town_not_the_event_town():
    places = _places("Kelly Piluyeva of Rancho Cordova was taken from Sunriver to a hospital in Bend.")
    assert not {p for p, kind in places if "Rancho Cordova" in p and kind == "place"}


def test_a_title_cased_headline_offers_only_towns_the_gazetteer_knows():
    places = _places("Only On 6 Mother of 7-Year-Old Boy Killed in Shooting Speaks Out in Miami")
    assert ("Shooting Speaks Out", "place") not in places and ("Miami", "place") in places


def test_cut_off_names_agencies_and_acronyms_are_not_towns():
    places = _places("The victim showed up at St. John's Hospital. The first shooting happened at East 26th Street. "
                     "The officer worked in the K-9 unit. Despite efforts at CPR, he died. He was taken to the "
                     "Miami-Dade Police Department. \"It feels amazing,\" Del Potro told BBC Sport.")
    assert not {p for p, kind in places if kind == "place"}


def test_a_compass_named_neighbourhood_is_not_the_town_its_last_word_names():
    """'East Hillside' (Duluth) is no part of Hillside, New Jersey: no report names a Hillside alone."""
    assert ("Hillside", "place") not in _places("A man was shot in East Hillside on Thursday.")


def test_the_event_day_is_the_day_most_reports_tell_not_the_most_mentioned():
    """A roundup report lists other shootings on other days; it is one vote. The death, statements and vigils days
    later are mentioned more than the shooting's day, and are not the event's."""
    lead = ("A 15-year-old boy died at a local hospital Sunday, after being shot Saturday night. Police said Sunday "
            "that they have no suspect. Friends held a vigil Sunday.")
    follow = "A 15-year-old boy was shot in a gang-related shooting Saturday night. He died Sunday."
    roundup = ("A man was shot Friday in the park. A woman was wounded Friday on Main Street. A boy was shot Saturday "
               "night.")
    documents = [Document(id=f"d{i}", path=f"d{i}.txt", text=text, date="2017-03-27", sentences=[
        Sentence(id=f"d{i}:{n}", doc_id=f"d{i}", index=n, text=text[a:b], start=a, end=b)
        for n, (a, b) in enumerate(__import__("summarizer.ingest", fromlist=["x"]).sentence_spans(text, 0, len(text)))])
        for i, text in enumerate((lead, follow, roundup), 1)]
    from summarizer.anchors import event_day

    assert event_day(find_candidates(Sources(root=".", documents=documents)).dates) == "2017-03-25"


def test_a_town_named_with_area_or_a_community_hall_stays_the_town():
    places = _places("Five people were shot at a Detroit community hall early Sunday. Police in the Detroit area are "
                     "looking for the gunman. DETROIT police said the hall was rented.")
    assert ("Detroit", "site") not in places and ("Detroit", "place") in places


def test_a_name_before_a_possessive_institution_is_a_site():
    assert ("Children", "place") not in _places("The teen is recovering at Children's Hospital of Michigan in Detroit.")


def test_a_neighbourhood_in_a_town_leaves_the_town_a_town():
    assert ("Greenacres", "place") in _places("Four people were found shot dead in a Greenacres neighborhood.")
    assert ("Miami", "place") in _places("Police responded to a shooting in the Miami neighborhood on Monday. "
                                         "Five people were shot in Miami.")


def test_the_country_across_a_border_is_not_the_country_of_the_place_near_it():
    places = find_candidates(_report("Two soldiers were killed in an attack near Dogubayezit, near the border with "
                                     "Iran, the army said.")).places
    assert [(p.text, p.country) for p in places if p.kind == "place"] == [("Dogubayezit", None)]


def test_a_court_or_arena_named_after_its_town_names_the_town_and_a_hospital_does_not():
    places = _places("Holland scored twice at the Amsterdam Arena. He was found guilty at Dundee Sheriff Court. "
                     "The victim was taken to Jackson Memorial Hospital.")
    assert {("Amsterdam", "place"), ("Dundee", "place")} <= places
    assert ("Jackson", "place") not in places


def test_where_someone_lives_is_a_home_not_the_scene():
    places = _places("Weatherhogg, formerly of Guthrie, near Forfar, was found guilty at a trial in Dundee.")
    assert ("Dundee", "place") in places
    assert not {p for p, kind in places if p in ("Guthrie", "Forfar")}


def test_a_compass_part_of_a_town_names_the_town_another_report_names_alone():
    places = {(p.text, p.kind) for p in find_candidates(sources_from_texts([
        "Four people were wounded Wednesday night in Southwest Philadelphia, police said.",
        "Philadelphia police are looking for two gunmen after four people were shot."])).places}
    assert ("Philadelphia", "place") in places and ("Southwest Philadelphia", "place") not in places


def test_a_farm_or_an_airport_is_a_site_not_the_town():
    places = _places("The boy was flown from near Pounds Turkey Farm to a Pittsburgh hospital, police said. "
                     "Officers at Nashville International Airport were told.")
    assert ("Pounds Turkey Farm", "place") not in places and ("Nashville International Airport", "place") not in places
