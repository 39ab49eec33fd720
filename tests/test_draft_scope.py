"""draft.scope: the options the text offers for the main event, the date it is counted to, and which sentences are
about another event."""

import json

import pytest

from summarizer.anchors import find_candidates
from summarizer.draft.scope import EventScope, MainEvent, Options, event_types_by_use, spoken_date
from summarizer.ingest import load_sources
from summarizer.schema import EventType
from summarizer.sources import Sentence, Sources


def test_the_event_type_the_reports_use_most_is_offered_first_and_other_last(seeds_sources):
    kinds = event_types_by_use(seeds_sources.sentences())
    assert kinds[0] == EventType.prison_break and kinds[-1] == EventType.other


def test_an_event_type_no_sentence_names_is_not_offered():
    storm = [Sentence(id=f"d0:{i}", doc_id="d0", index=i, start=0, end=len(t), text=t) for i, t in enumerate([
        "A blizzard dumped two feet of snow on Denver on Tuesday.",
        "The snowstorm caused a 30-car pile-up on Interstate 25."])]
    assert event_types_by_use(storm)[0] == EventType.disaster and EventType.attack not in event_types_by_use(storm)
    ruling = [Sentence(id="d0:0", doc_id="d0", index=0, start=0, end=44, text="The Supreme Court ruled the fine was lawful.")]
    assert event_types_by_use(ruling) == [EventType.court_ruling, EventType.other]
    visit = [Sentence(id="d0:0", doc_id="d0", index=0, start=0, end=38, text="The minister visited the new hospital.")]
    assert event_types_by_use(visit) == [EventType.other]


def test_the_main_events_date_is_the_day_the_most_sentences_give(seeds_sources):
    options = Options.of(find_candidates(seeds_sources), {s.id for s in seeds_sources.sentences()})
    assert options.most_reported_date == "2015-05-08"  # not the car bomb of 9 May, nor 2015 or June 2014


def test_the_model_is_told_the_date_as_reports_write_it():
    assert spoken_date("2015-05-08") == "8 May 2015"
    assert spoken_date("2015-05") == "May 2015" and spoken_date("2015") == "2015"


def town_options(folder, text: str) -> Options:
    (folder / "a.txt").write_text(text)
    sources = load_sources(folder)
    return Options.of(find_candidates(sources), {s.id for s in sources.sentences()})


def test_the_state_written_with_the_town_is_its_region(tmp_path):
    assert town_options(tmp_path, "Two men were shot in Taylor, Mich. on Friday.\n").region_of("Taylor") == (
        "Michigan", None)


def test_a_state_only_the_gazetteer_gives_is_the_towns_region_with_its_basis_and_no_option_of_the_text(tmp_path):
    options = town_options(tmp_path, "Two men were shot in Wichita on Friday.\n")
    region, basis = options.region_of("Wichita")
    assert (region, "gazetteer" in basis, "Kansas" in options.regions) == ("Kansas", True, False)


def test_a_towns_country_is_the_gazetteers_when_the_reports_offer_it(tmp_path):
    options = town_options(tmp_path, "Spain lost 2-0 to Holland at the Amsterdam Arena. Spain beat Ukraine in Madrid "
                                     "on Friday.\n")
    assert "Spain" in options.countries
    assert (options.country_of("Amsterdam"), options.country_of("Madrid")) == ("Netherlands", "Spain")
    assert options.country_of("Atlantis") is None


def test_a_sentence_naming_another_town_or_date_is_not_about_the_main_event(seeds_sources):
    main = MainEvent(EventType.prison_break, "2015-05-08", "Al-Khalis", "Diyala", "Iraq")
    scope = EventScope(main, find_candidates(seeds_sources))
    assert scope.is_main("d1:3")  # 12 police officers died (no place named)
    assert scope.is_main("d4:4")  # more than 40 escaped from a facility in Al-Khalis, north of Baghdad
    assert not scope.is_main("d1:16")  # a car bomb in Baghdad on Saturday
    assert not scope.is_main("d4:15")  # Abu Ghraib, 2013


def test_a_figure_from_a_sentence_about_a_related_event_is_not_a_main_event_figure(seeds_sources):
    from summarizer.draft.figures import merge_figures

    candidates = find_candidates(seeds_sources)
    texts = {s.id: s.text for s in seeds_sources.sentences()}
    main = MainEvent(EventType.prison_break, "2015-05-08", "Al-Khalis", "Diyala", "Iraq")
    scope = EventScope(main, candidates, texts)
    # "At the same time as the prison break, a series of suicide attacks in Diyala killed at least 22 people."
    assert not scope.is_main("d3:26")
    rows = merge_figures([c for c in candidates.figures if scope.is_main(c.sentence_id)])
    assert 22 not in {f.value_min for f in rows} and 12 in {f.value_min for f in rows}


@pytest.mark.parametrize(("text", "main"), [
    ("Separately, a roadside bomb killed four soldiers.", False),
    ("Elsewhere, two people were injured in a fire.", False),
    ("In a separate attack, gunmen killed three police officers.", False),
    ("In a separate statement, police said three officers were killed.", True),  # the same event, told again
    ("Three police officers were killed.", True),
])
def test_a_sentence_the_report_sets_beside_the_main_event_is_about_another_event(text, main):
    scope = EventScope(MainEvent(EventType.attack, None, None, None, None), find_candidates(
        Sources(root=".", documents=[])), {"d1:0": text})
    assert scope.is_main("d1:0") is main


def dated(folder, text: str, event_type: EventType) -> str | None:
    (folder / "a.txt").write_text(text)
    sources = load_sources(folder)
    texts = {s.id: s.text for s in sources.sentences()}
    return Options.of(find_candidates(sources), set(texts), texts).event_date(event_type)


def test_a_year_given_as_background_is_not_the_events_date_and_with_no_other_the_date_is_not_stated(tmp_path):
    text = ("Voters in Lagos chose a new governor on a calm day. It was the fifth vote since military rule ended in "
            "1999. In 1999 military rule ended. Our correspondent said turnout was low.\n")
    assert dated(tmp_path, text, EventType.election) is None


def test_a_year_in_a_sentence_about_the_event_dates_it(tmp_path):
    text = "The 2015 governorship elections in Lagos were calm. Military rule ended in 1999.\n"
    assert dated(tmp_path, text, EventType.election) == "2015"


def report_dated(folder, text: str, published: str | None, event_type: EventType) -> str | None:
    (folder / "a.jsonl").write_text(json.dumps({"title": "Report", "text": text, "date": published}) + "\n")
    sources = load_sources(folder)
    texts = {s.id: s.text for s in sources.sentences()}
    return Options.of(find_candidates(sources), set(texts), texts).event_date(event_type)


def test_a_day_no_clause_ties_to_the_event_dates_it_only_in_the_week_up_to_the_reports_date(tmp_path):
    text = "Barry Beavis parked in a retail car park on 15 April 2013. The Court of Appeal ruled the fine was fair.\n"
    assert report_dated(tmp_path, text, "2015-04-24", EventType.other) is None  # when he parked: two years before
    assert report_dated(tmp_path, text, "2013-04-17", EventType.other) == "2013-04-15"


def test_an_undated_reports_day_that_no_clause_ties_to_the_event_is_not_its_date(tmp_path):
    text = "The offences took place between 10 September 2013 and 17 September 2014. He was jailed for six years.\n"
    assert report_dated(tmp_path, text, None, EventType.other) is None


def test_a_bare_year_does_not_date_an_event_no_words_name(tmp_path):
    text = "Bernard Matthews was sold on Tuesday. Its final salary pension scheme was closed in 2004.\n"
    assert dated(tmp_path, text, EventType.other) is None


def test_a_bare_year_does_not_date_a_match_a_ruling_or_a_deal(tmp_path):
    text = "Del Potro beat Wawrinka in a thrilling match. He reached the Wimbledon semi-finals in 2013.\n"
    assert dated(tmp_path, text, EventType.sports_match) is None


def test_the_main_event_is_described_to_the_model_as_news_would_write_it():
    assert MainEvent(EventType.other, "2013", "Chelmsford", None, "United Kingdom").describe() == (
        "event in Chelmsford, United Kingdom in 2013")
    assert MainEvent(EventType.prison_break, "2015-05-08", "Al-Khalis", None, "Iraq").describe() == (
        "prison break in Al-Khalis, Iraq on 8 May 2015")


def test_a_town_with_a_known_state_is_offered_before_a_name_no_gazetteer_knows(tmp_path):
    """'Flour Bluff' is a neighbourhood of Corpus Christi: mentioned as often, offered second."""
    options = town_options(tmp_path, "A man was shot in Flour Bluff on Tuesday. Police in Flour Bluff found him. "
                                     "He died at a hospital in Corpus Christi, Texas.\n")
    assert list(options.places)[:2] == ["Corpus Christi", "Flour Bluff"]


def test_a_pick_no_report_gives_a_state_for_yields_to_the_first_town_offered_with_one(tmp_path):
    options = town_options(tmp_path, "A man was shot in Flour Bluff on Tuesday. Police in Flour Bluff found him. "
                                     "He died at a hospital in Corpus Christi, Texas.\n")
    assert options.town("Flour Bluff") == "Corpus Christi" and options.town("Corpus Christi") == "Corpus Christi"
    unknown = town_options(tmp_path, "A man was shot in Flour Bluff on Tuesday. He died in Amalga.\n")
    assert unknown.town("Amalga") == "Amalga"  # no town offered has a state: the model's pick stands


def test_a_sentence_naming_the_models_overridden_pick_is_about_the_main_event(seeds_sources):
    candidates = find_candidates(seeds_sources)
    baghdad = next(p.sentence_id for p in candidates.places if p.text == "Baghdad")
    main = MainEvent(EventType.prison_break, "2015-05-08", "Al-Khalis", "Diyala", "Iraq")
    assert not EventScope(main, candidates).is_main(baghdad)
    assert EventScope(MainEvent(EventType.prison_break, "2015-05-08", "Al-Khalis", "Diyala", "Iraq", within="Baghdad"),
                      candidates).is_main(baghdad)


def test_a_pick_yields_to_a_town_more_reports_name(tmp_path):
    (tmp_path / "a.txt").write_text("A man was shot in Detroit on Friday. He lived in Grandville, Michigan.\n")
    (tmp_path / "b.txt").write_text("Detroit police said the man shot on Friday has died.\n")
    sources = load_sources(tmp_path)
    options = Options.of(find_candidates(sources), {s.id for s in sources.sentences()})
    assert options.town("Grandville") == "Detroit" and options.town("Detroit") == "Detroit"


def test_the_event_day_most_reports_tell_beats_the_day_most_sentences_give(tmp_path):
    options = town_options(tmp_path, "A 15-year-old boy died at a local hospital on March 26, 2017, after being "
                                     "shot on March 25, 2017. Police said on March 26, 2017 they have no suspect. "
                                     "Friends gathered on March 26, 2017 for a vigil.\n")
    assert list(options.dates)[0] == "2017-03-26" and options.most_reported_date == "2017-03-25"


def test_a_town_no_gazetteer_knows_is_in_the_country_its_report_places_it(tmp_path):
    options = town_options(tmp_path, "A suicide bomber killed two soldiers near the town of Zerkelbayazit in "
                                     "Turkey. Turkey has raided bases in Iraq. Turkey blamed the PKK.\n")
    assert "Iraq" in options.countries and options.country_of("Zerkelbayazit") in ("Turkey", "Türkiye")
