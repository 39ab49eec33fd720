"""draft.scope: the options the text offers for the main event, the date it is counted to, and which sentences are
about another event."""

from summarizer.anchors import find_candidates
from summarizer.draft.scope import EventScope, MainEvent, Options, event_types_by_use, spoken_date
from summarizer.ingest import load_sources
from summarizer.schema import EventType


def test_the_event_type_the_reports_use_most_is_offered_first_and_other_last(seeds_sources):
    kinds = event_types_by_use(seeds_sources.sentences())
    assert kinds[0] == EventType.prison_break and kinds[-1] == EventType.other


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


def test_a_sentence_naming_another_town_or_date_is_not_about_the_main_event(seeds_sources):
    main = MainEvent(EventType.prison_break, "2015-05-08", "Al-Khalis", "Diyala", "Iraq")
    scope = EventScope(main, find_candidates(seeds_sources))
    assert scope.is_main("d1:3")  # 12 police officers died (no place named)
    assert scope.is_main("d4:4")  # more than 40 escaped from a facility in Al-Khalis, north of Baghdad
    assert not scope.is_main("d1:16")  # a car bomb in Baghdad on Saturday
    assert not scope.is_main("d4:15")  # Abu Ghraib, 2013


def test_a_town_with_a_known_state_is_offered_before_a_name_no_gazetteer_knows(tmp_path):
    """'Flour Bluff' is a neighbourhood of Corpus Christi: mentioned as often, offered second."""
    options = town_options(tmp_path, "A man was shot in Flour Bluff on Tuesday. Police in Flour Bluff found him. "
                                     "He died at a hospital in Corpus Christi, Texas.\n")
    assert list(options.places)[:2] == ["Corpus Christi", "Flour Bluff"]


def test_the_event_day_most_reports_tell_beats_the_day_most_sentences_give(tmp_path):
    options = town_options(tmp_path, "A 15-year-old boy died at a local hospital on March 26, 2017, after being "
                                     "shot on March 25, 2017. Police said on March 26, 2017 they have no suspect. "
                                     "Friends gathered on March 26, 2017 for a vigil.\n")
    assert list(options.dates)[0] == "2017-03-26" and options.most_reported_date == "2017-03-25"
