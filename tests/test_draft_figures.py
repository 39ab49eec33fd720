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
