"""lowercase_places: places named in a report written without capitals are read from the words around them."""

from summarizer.anchors import find_candidates
from summarizer.checks.entities import compare
from summarizer.lowercase_places import is_lowercased, places_in
from summarizer.ingest import sources_from_texts

LOWERCASED = ("More than 50 people have been killed in a landslide in antioquia province in north-west colombia, "
              "officials say. The heavy rains caused the river liboriana, in the town of salgar, to burst its banks. "
              "President juan manuel santos said the government would help the families of the victims and rebuild "
              "the homes that were destroyed. Rescue teams from medellin were still searching for people missing in "
              "the mud on monday, and the red cross said it had sent food and water to the village.")


def named(sentence: str) -> list[tuple[str, str]]:
    return [(p.text, p.kind) for p in places_in(sentence)]


def test_a_report_with_capitals_only_opening_sentences_is_lowercased():
    assert is_lowercased(LOWERCASED)
    assert not is_lowercased(LOWERCASED.replace("colombia", "Colombia").replace("salgar", "Salgar")
                             .replace("juan manuel santos", "Juan Manuel Santos").replace("medellin", "Medellin")
                             .replace("red cross", "Red Cross"))


def test_a_place_noun_names_the_unknown_town_after_it():
    assert named("It burst its banks in the town of salgar, officials said.") == [("Salgar", "place")]


def test_a_two_word_name_is_kept_whole_after_a_place_noun():
    assert named("Much of the village of santa margarita was buried.") == [("Santa Margarita", "place")]


def test_a_region_noun_names_the_word_before_it():
    assert named("The attack happened near the town of dogubayezit in agri province.") == [
        ("Dogubayezit", "place"), ("Agri", "region")]


def test_a_sea_keeps_its_noun_in_the_name():
    assert named("The trawler sank in the sea of okhotsk in 15 minutes.") == [("Sea of Okhotsk", "place")]


def test_an_irish_county_is_named_with_its_noun():
    assert named("There were reports of flooding in county down on monday.") == [("County Down", "region")]


def test_a_large_known_town_after_a_preposition_is_a_place():
    assert named("Thousands attended a protest demanding reforms in amman on friday.") == [("Amman", "place")]


def test_a_known_town_before_an_office_or_a_possessive_is_a_place():
    assert named("Incumbent chicago mayor rahm emanuel celebrated.") == [("Chicago", "place")]
    assert named("It was a first, even for romania's turbulent politics.") == [("Romania", "country")]


def test_a_small_town_sharing_its_name_with_a_word_is_not_a_place_after_a_bare_preposition():
    assert named("He said in most cases the help came in time.") == []


def test_an_adjective_before_a_region_noun_is_not_a_name():
    assert named("Fighters of the islamic state entered the kurdish region.") == []


def test_a_state_of_emergency_is_not_a_place():
    assert named("The government declared a state of emergency.") == []


def test_a_country_that_is_also_a_word_needs_a_preposition():
    assert named("They ate turkey on thursday.") == []
    assert named("Two soldiers were killed in turkey.") == [("Turkey", "country")]


def test_the_anchors_offer_lowercased_places_with_their_country_and_offsets():
    sources = sources_from_texts([LOWERCASED])
    places = {p.text: p for p in find_candidates(sources).places}
    salgar, text = places["Salgar"], sources.canonical[0].text
    assert salgar.country == "Colombia" and text[salgar.start:salgar.end] == "salgar"
    assert places["Antioquia"].kind == "region"


def test_the_us_written_lowercase_after_an_article_names_the_country_not_the_pronoun():
    claim = "The protest was in North Dakota, United States."
    assert compare(claim, "Police in the us state of north dakota say they arrested 76 people.").verdict == "match"
    assert compare(claim, "Police told us they arrested 76 people in north dakota.").verdict == "absent"


def test_a_country_that_is_a_common_word_needs_a_preposition_a_possessive_or_a_country_beside_it():
    def countries(text):
        return [p.country for p in places_in(text) if p.kind == "country"]

    assert countries("the pkk has fought iraq and turkey since july.") == ["Iraq", "Türkiye"]
    assert countries("he sees it as turkey's collaboration with the militants.") == ["Türkiye"]
    assert countries("the turkey farm was sold to a tycoon.") == []
