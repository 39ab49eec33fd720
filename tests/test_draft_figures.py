"""draft.figures: one row per number per reporter, capped at the schema's limit with casualties first."""

from summarizer.anchors import FigureCandidate
from summarizer.draft.figures import merge_figures
from summarizer.schema import FigureKind


def figure(sentence_id, value, group, reported_by=None, kind=FigureKind.killed, text=None):
    return FigureCandidate(sentence_id=sentence_id, doc_id=sentence_id.split(":")[0], text=text or str(value),
                           value_min=value, qualifier="exact", group=group, kind=kind, reported_by=reported_by,
                           start=0, end=1)


def test_a_number_repeated_without_a_source_joins_the_reported_one_and_reporters_stay_apart():
    merged = merge_figures([figure("d3:3", 12, "police officers"), figure("d1:3", 12, "police officers", "officials"),
                            figure("d4:9", 12, "policemen", "Maan")])
    assert [(f.reported_by, f.citations) for f in merged] == [("officials", ["d1:3", "d3:3"]), ("Maan", ["d4:9"])]


def test_figures_are_capped_at_the_schema_limit_keeping_precise_casualties_first():
    candidates = [figure(f"d1:{i}", i + 1, "people", f"source {i}", kind=FigureKind.held) for i in range(12)]
    candidates.append(figure("d2:0", 7, "civilians", "police"))
    merged = merge_figures(candidates)
    assert len(merged) == 12 and merged[0].kind == FigureKind.killed


def test_over_the_cap_a_reporters_only_count_of_a_kind_outlasts_anothers_second_count():
    candidates = [figure("d1:0", 5, "guards", "Maan")]
    candidates += [figure(f"d2:{i}", i + 1, "prisoners", "Amaq", kind=FigureKind.escaped) for i in range(11)]
    candidates.append(figure("d4:4", 40, "prisoners", "spokesman", kind=FigureKind.escaped))
    merged = merge_figures(candidates)
    assert len(merged) == 12 and merged[0].reported_by == "Maan"
    assert any(f.kind == FigureKind.escaped and f.reported_by == "spokesman" for f in merged)


def test_a_figure_too_large_for_the_schema_is_dropped_with_its_sentence_and_reason_logged(caplog):
    merged = merge_figures([figure("d1:4", 40_000_000, "people", kind=FigureKind.other, text="about 40 million"),
                            figure("d1:5", 3, "people")])
    assert [f.value_min for f in merged] == [3]
    assert "d1:4" in caplog.text and "value_min" in caplog.text


def test_the_same_count_across_sources_is_one_row_per_kind_group_reporter_and_value():
    merged = merge_figures([
        figure("d1:5", 30, "inmates", "Amaq News Agency", kind=FigureKind.freed),
        figure("d3:17", 30, "ISIS members", "Amaq", kind=FigureKind.escaped, text="thirty"),  # escaped = freed
        figure("d1:3", 50, "inmates", "Iraqi officials"),
        figure("d3:3", 50, "prisoners", text="An estimated fifty"),  # inmates = prisoners, no reporter named
    ])
    assert [(f.kind, f.group, f.reported_by, f.citations) for f in merged] == [
        (FigureKind.killed, "inmates", "Iraqi officials", ["d1:3", "d3:3"]),
        (FigureKind.freed, "inmates", "Amaq News Agency", ["d1:5", "d3:17"]),
    ]


def test_a_bound_that_takes_the_number_in_is_the_same_value_as_the_number():
    at_least = figure("d1:0", 56, "crew members", text="at least 56").model_copy(update={"qualifier": "at_least"})
    more_than = figure("d1:2", 56, "people", text="more than 56").model_copy(update={"qualifier": "more_than"})
    merged = merge_figures([at_least, figure("d1:9", 56, "people"), more_than])
    assert [(f.text, f.citations) for f in merged] == [("at least 56", ["d1:0", "d1:9"]), ("more than 56", ["d1:2"])]


def test_other_reporters_values_groups_and_two_counts_of_one_sentence_stay_separate_rows():
    merged = merge_figures([
        figure("d1:1", 30, "militants", "ISIS", kind=FigureKind.freed),
        figure("d2:1", 30, "militants", "Maan", kind=FigureKind.freed),  # another reporter
        figure("d2:2", 30, "militants", "Maan", kind=FigureKind.freed, text="more than 30").model_copy(
            update={"qualifier": "more_than"}),  # another value
        figure("d2:3", 30, "guards", "Maan", kind=FigureKind.freed),  # another group
        figure("d4:9", 5, "people", "Maan"), figure("d4:9", 5, "others", "Maan"),  # one sentence, two counts
    ])
    assert len(merged) == 6


def test_a_part_of_a_count_of_the_same_people_is_no_row_but_a_count_of_others_is(tmp_path):
    from summarizer.anchors import find_candidates
    from summarizer.ingest import load_sources

    (tmp_path / "a.txt").write_text("More than fifty prisoners escaped, including nine who faced terror charges. "
                                    "Several individuals died, including five guards and 30 prisoners.\n")
    rows = merge_figures(find_candidates(load_sources(tmp_path)).figures)
    assert sorted((f.kind.value, f.text) for f in rows) == [
        ("escaped", "More than fifty"), ("killed", "30"), ("killed", "Several"), ("killed", "five")]


def test_one_count_named_twice_in_a_sentence_as_a_whole_and_by_its_parts_is_one_row():
    merged = merge_figures([figure("d2:8", 6, "others", "Police", kind=FigureKind.other, text="six"),
                            figure("d2:8", 6, "women and two men", "Police", kind=FigureKind.other,
                                   text="four women and two men")])
    assert [(f.value_min, f.citations) for f in merged] == [(6, ["d2:8"])]
