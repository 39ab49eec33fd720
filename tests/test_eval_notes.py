"""The metrics of `python -m eval notes` on small hand-made summaries: no model, no eval data."""

from __future__ import annotations

import json

import pytest

from eval import notes
from summarizer.schema import Actor, ActorRole, EventDate, Figure, FigureKind, Location


def figure(kind: str, value: int, group: str, text: str | None = None, reported_by: str | None = None,
           value_max: int | None = None) -> Figure:
    return Figure(kind=FigureKind(kind), group=group, value_min=value, value_max=value_max, text=text or str(value),
                  reported_by=reported_by)


def actor(name: str) -> Actor:
    return Actor(name=name, role=ActorRole.other)


# --- duplicate figures ---------------------------------------------------------------------------------------------

def test_duplicates_match_number_words_synonym_groups_and_plurals():
    figures = [
        figure("escaped", 30, "inmates", "thirty", "Amaq"),
        figure("escaped", 30, "prisoners", "30", "Amaq"),  # inmates = prisoners, thirty = 30
        figure("killed", 12, "police officers", "12", "Iraqi officials"),
        figure("killed", 12, "policemen", "twelve", "Iraqi officials"),  # officers = policemen = police
        figure("killed", 12, "police officers", "12", "Ministry"),  # another reporter: not a duplicate
        figure("other", 39, "vehicle", "39"),
        figure("other", 39, "vehicles", "39"),  # singular = plural
    ]
    found = notes.duplicate_figures(figures)
    assert sorted((d["kind"], d["value"], d["group"], d["extra"]) for d in found) == [
        ("escaped", 30, "prisoners", 1), ("killed", 12, "police", 1), ("other", 39, "vehicle", 1)]


def test_no_duplicates_when_kind_or_value_differs():
    figures = [figure("killed", 50, "inmates", "50"), figure("escaped", 50, "inmates", "more than 50"),
               figure("escaped", 40, "prisoners", "more than 40")]
    assert notes.duplicate_figures(figures) == []


def test_duplicate_reporters_are_compared_without_attribution_words():
    figures = [figure("killed", 4, "people", reported_by="police"),
               figure("killed", 4, "persons", reported_by="according to the police")]
    assert [d["extra"] for d in notes.duplicate_figures(figures)] == [1]


def test_figure_value_reads_the_words_the_note_shows():
    assert notes.figure_value(figure("killed", 0, "people", "thirty")) == 30
    assert notes.figure_value(figure("killed", 12, "people", "a dozen")) == 12
    assert notes.figure_value(figure("killed", 7, "people", "several")) in (7, 3)  # vague words: whatever extract says


# --- actors that are not names -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Most", "Our correspondent", "officials", "Police", "the police", "Witnesses",
                                  "The prime minister", "Thousands", "He", "local residents", "Security forces",
                                  "But yesterday judges", "Meanwhile motoring groups", "Arrest warrant", "Judge"])
def test_not_names(name):
    assert not notes.is_name(name)


@pytest.mark.parametrize("name", ["Miami Police", "Iraqi officials", "Lady Wolffe", "PKK", "Amaq News Agency",
                                  "Izzat Ibrahim al-Douri", "Mr Beavis", "Unite", "Colorado State Patrol"])
def test_names(name):
    assert notes.is_name(name)


def test_lowercased_sources_need_no_capital():
    assert not notes.is_name("mario draghi")
    assert notes.is_name("mario draghi", lowercased=True)
    assert not notes.is_name("the police", lowercased=True)
    assert not notes.is_name("His left-wing social democrat party (psd) had", lowercased=True)


def test_non_name_actors_lists_them():
    assert notes.non_name_actors([actor("Most"), actor("ISIS"), actor("officials")]) == ["Most", "officials"]


# --- date, place, headline -----------------------------------------------------------------------------------------

def test_date_exact_iso_or_both_not_stated():
    day = EventDate(value="2015-05-08", precision="day", text="on Friday")
    month = EventDate(value="2015-05", precision="month", text="in May")
    assert notes.date_correct(day, "2015-05-08")
    assert not notes.date_correct(month, "2015-05-08")
    assert notes.date_correct(None, "not stated")
    assert not notes.date_correct(None, "2015-05-08")
    assert not notes.date_correct(EventDate(value="1999", precision="year", text="since 1999"), "not stated")
    assert notes.date_correct(day, ["not stated", "2015-05-08"])


def test_place_any_of_substring_case_insensitive():
    where = Location(place="Al Khalis prison", region="Diyala", country="Iraq")
    assert notes.place_correct(where, ["Khalis", "Diyala"])
    assert notes.place_correct(Location(place="boulder"), ["Colorado", "Boulder"])
    assert not notes.place_correct(Location(country="Colombia"), ["Salgar", "Antioquia"])
    assert not notes.place_correct(None, ["Miami"])
    assert notes.place_correct(None, ["Great Witchingham", "not stated"])
    assert notes.place_correct(Location(), ["not stated"])


def test_headline_terms_start_a_word_and_every_group_counts():
    assert notes.headline_correct("Flooding closes roads in Northern Ireland", [["flood"]])
    assert not notes.headline_correct("Development plan approved", [["PM"]])
    assert notes.headline_correct("Holland beat Spain 2-0", [["Holland", "Netherlands"], ["Spain"]])
    assert not notes.headline_correct("Holland win friendly", [["Holland", "Netherlands"], ["Spain"]])


# --- gold figures --------------------------------------------------------------------------------------------------

def test_gold_figures_value_and_kind_reporter_apart():
    summary = [figure("killed", 12, "police officers", "12", "Iraqi officials"),
               figure("escaped", 50, "prisoners", "more than fifty"),
               figure("injured", 2, "people", value_max=3, text="two or three")]
    gold = [{"kind": "killed", "value": 12, "group": "police", "reporter": ["officials"]},
            {"kind": "escaped", "value": 40, "group": "prisoners", "reporter": ["Ministry"]},
            {"kind": ["freed", "escaped"], "value": 50, "group": "prisoners", "reporter": ["Amaq"]},
            {"kind": ["injured", "shot"], "value": 3, "group": "people"}]
    assert [(g["found"], g["reporter"]) for g in notes.gold_figures_found(summary, gold)] == [
        (True, True), (False, False), (True, False), (True, None)]


# --- totals, and the dev set file itself ---------------------------------------------------------------------------

def test_totals_count_a_crash_as_wrong_everywhere():
    ok = {"id": "a", "set": "dev", "kind": "x", "seconds": 10.0, "flagged": [{"pointer": "/headline"}],
          "gold_figures": [{"found": True, "reporter": False}], "duplicates": [{"extra": 2}], "non_names": ["Most"],
          "actors_found": [True, False], "headline_ok": True, "date_ok": True, "place_ok": False,
          "event_type_ok": True, "gold_figure_count": 1, "gold_reporter_count": 1, "gold_actor_count": 2,
          "has_place_gold": True}
    crashed = {"id": "b", "set": "dev", "kind": "y", "seconds": 2.0, "crash": "BriefError: generate: boom",
               "gold_figure_count": 2, "gold_reporter_count": 1, "gold_actor_count": 1, "has_place_gold": True}
    t = notes.totals([ok, crashed])
    assert (t["crashes"], t["flagged"], t["duplicates"], t["non_names"]) == (1, 1, 2, 1)
    assert (t["gold_found"], t["gold_total"], t["reporter_found"], t["reporter_total"]) == (1, 3, 0, 2)
    assert (t["headline_ok"], t["date_ok"], t["place_ok"], t["place_total"]) == (1, 1, 0, 2)
    assert (t["actors_found"], t["actors_total"], t["seconds"]) == (1, 3, 6.0)


def test_dev_set_is_well_formed():
    cases = notes.load_cases()
    assert len({c["id"] for c in cases}) == len(cases)
    dev = [c for c in cases if c["set"] == "dev"]
    assert len(dev) >= 22 and any(c["id"] == "seeds" for c in cases)
    from summarizer.schema import EventType

    for case in cases:
        gold = case["gold"]
        assert set(case["event_type"]) <= {t.value for t in EventType}, case["id"]
        assert gold["date"] == "not stated" or len(gold["date"]) == 10, case["id"]
        assert gold["headline_must"] and all(gold["headline_must"]), case["id"]
        for g in gold["figures"]:
            kinds = [g["kind"]] if isinstance(g["kind"], str) else g["kind"]
            assert set(kinds) <= {k.value for k in FigureKind} and isinstance(g["value"], int), case["id"]
        assert "file" in case["source"] or "folder" in case["source"], case["id"]
    json.dumps(cases)  # plain JSON all through


# --- a whole case, and re-scoring a saved run ----------------------------------------------------------------------

def test_score_case_and_rescore_from_summary_json(tmp_path):
    from verified_fixture import seeds_verified

    case = next(c for c in notes.load_cases() if c["id"] == "seeds")
    scores = notes.score_case(seeds_verified(), case)
    assert [f["pointer"] for f in scores["flagged"]] == ["/actors/3", "/figures/5", "/claims/2"]
    assert (scores["headline_ok"], scores["date_ok"], scores["place_ok"], scores["event_type_ok"]) == (True,) * 4
    assert scores["duplicates"] == [] and scores["non_names"] == []
    assert [g["found"] for g in scores["gold_figures"]] == [True, False, True, False, True]

    from summarizer.verify import Status

    flagged_headline = seeds_verified()
    next(c for c in flagged_headline.claims if c.pointer == "/headline").status = Status.unsupported
    scores = notes.score_case(flagged_headline, case)
    assert scores["headline_terms"] and scores["headline_flagged"] and not scores["headline_ok"]

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "summary.json").write_text(seeds_verified().model_dump_json(), encoding="utf-8")
    run = {"rows": [{"id": "seeds", "set": "seeds", "kind": "prison break", "seconds": 30.0, "flagged": []},
                    {"id": "landslide-colombia", "set": "dev", "kind": "landslide", "seconds": 5.0, "crash": "x"}]}
    assert notes.rescore(run, tmp_path, {c["id"]: c for c in notes.load_cases()}) == 1
    assert len(run["rows"][0]["flagged"]) == 3 and run["rows"][0]["seconds"] == 30.0
    assert run["rows"][1]["crash"] == "x"
