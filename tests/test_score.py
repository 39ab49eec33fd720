"""score: any summary's faithfulness to its sources, from the CLI (`summarizer score`) and the Python API.

These run the real checker with the real (small) embedder and the fitted calibration.toml: no mocks.
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.cli import main
from summarizer.schema import EventSummary
from summarizer.score import FaithfulnessReport, claims_of, json_claims, score, text_claims

SEEDS = str(Path(__file__).resolve().parent.parent / "seeds")
FALSE_SENTENCE = "The prison break happened in Mosul in June 2016."
TRUE_SENTENCES = [  # close to the seeds' own words, so any sound checker supports them
    "A riot erupted and dozens of prisoners escaped from the Al-Khalis facility.",
    "Iraqi officials said 12 police officers died.",
    "The Al-Khalis facility held around 300 people convicted of terror charges.",
    "Authorities declared a curfew in Al-Khalis.",
]
FLAGGED = {"unsupported", "contradicted"}
REPORT_FIELDS = {"claims", "score", "counts", "threshold", "supported"}
CLAIM_FIELDS = {"pointer", "text", "status", "score", "evidence", "reasons", "supported_by", "contradicted_by"}


def run_cli(*args: str):
    return CliRunner().invoke(main, ["score", *args])


@pytest.fixture
def summary_with_one_false_sentence(tmp_path):
    path = tmp_path / "summary.txt"
    path.write_text(" ".join(TRUE_SENTENCES[:2] + [FALSE_SENTENCE] + TRUE_SENTENCES[2:]) + "\n")
    return path


@pytest.fixture
def scored_seeds_summary(summary_with_one_false_sentence):
    result = run_cli("--sources", SEEDS, "--summary", str(summary_with_one_false_sentence), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- turning summaries into claims (no model) -------------------------------------------------------------------------
def test_each_sentence_of_a_text_summary_is_one_claim():
    claims = text_claims("The riot began at night. Mr. Saad Maan said 5 guards died.\nA curfew followed.")
    assert [(c.pointer, c.text) for c in claims] == [
        ("/0", "The riot began at night."), ("/1", "Mr. Saad Maan said 5 guards died."), ("/2", "A curfew followed.")]


def test_markdown_markup_is_stripped_and_section_labels_are_not_claims():
    summary = ("# Prison break at Al-Khalis\n\n## Key points\n\n- **ISIS** claimed the [raid](http://x.example) "
               "on *Friday*.\n- Officials said 12 police died\n  and 50 inmates died.\n")
    assert [c.text for c in text_claims(summary)] == [
        "Prison break at Al-Khalis", "ISIS claimed the raid on Friday.", "Officials said 12 police died and 50 inmates died."]


def test_any_json_object_gives_one_claim_per_string_leaf_pointed_at_by_json_pointer():
    claims = json_claims({"title": "A curfew was declared.", "points": ["Five guards died.", 5], "a/b": {"~c": "x"}})
    assert [(c.pointer, c.text) for c in claims] == [
        ("/title", "A curfew was declared."), ("/points/0", "Five guards died."), ("/a~1b/~0c", "x")]


def test_our_summary_json_is_recognised_inside_a_verified_summary(seeds_verified):
    as_json = json.loads(seeds_verified.model_dump_json())
    assert claims_of(as_json) == seeds_verified.summary
    assert isinstance(claims_of(as_json["summary"]), EventSummary)


def test_a_broken_summary_of_our_schema_is_an_error_not_a_bag_of_strings(seeds_verified):
    as_json = json.loads(seeds_verified.summary.model_dump_json())
    as_json["event_type"] = "picnic"
    with pytest.raises(ValueError, match="event_type"):
        claims_of(as_json)


def test_a_summary_that_makes_no_claim_is_an_error_not_a_perfect_score():
    with pytest.raises(ValueError, match="makes no claim"):
        claims_of("## Key points\n\n")


# --- summarizer score --sources --summary -----------------------------------------------------------------------------
def test_the_false_sentence_of_a_plain_text_summary_is_flagged_and_the_true_ones_are_not(scored_seeds_summary):
    statuses = {c["text"]: c["status"] for c in scored_seeds_summary["claims"]}
    assert list(statuses) == TRUE_SENTENCES[:2] + [FALSE_SENTENCE] + TRUE_SENTENCES[2:]
    assert statuses[FALSE_SENTENCE] in FLAGGED
    assert all(statuses[s] in ("supported", "contested") for s in TRUE_SENTENCES)
    assert scored_seeds_summary["supported"] is False
    assert scored_seeds_summary["score"] == 0.8


def test_json_output_has_exactly_the_documented_fields(scored_seeds_summary):
    assert set(scored_seeds_summary) == REPORT_FIELDS
    assert all(set(c) == CLAIM_FIELDS for c in scored_seeds_summary["claims"])
    assert 0 < scored_seeds_summary["threshold"] < 1
    assert sum(scored_seeds_summary["counts"].values()) == len(scored_seeds_summary["claims"])
    supported = next(c for c in scored_seeds_summary["claims"] if c["text"] == TRUE_SENTENCES[3])
    assert "curfew" in supported["evidence"][0]["text"]


def test_the_table_names_the_flagged_sentence(summary_with_one_false_sentence):
    result = run_cli("--sources", SEEDS, "--summary", str(summary_with_one_false_sentence))
    assert result.exit_code == 0
    assert "Mosul" in result.stdout and "not supported: 1 flagged" in " ".join(result.stdout.split())


def test_fail_under_exits_1_only_when_the_score_is_below_it(summary_with_one_false_sentence):
    args = ("--sources", SEEDS, "--summary", str(summary_with_one_false_sentence), "--json")
    assert run_cli(*args, "--fail-under", "0.9").exit_code == 1
    assert run_cli(*args, "--fail-under", "0.7").exit_code == 0


def test_an_unreadable_summary_exits_2_with_the_reason(tmp_path):
    bad = tmp_path / "summary.json"
    bad.write_text("{not json")
    result = run_cli("--sources", SEEDS, "--summary", str(bad))
    assert result.exit_code == 2
    assert "invalid JSON" in result.output


def test_the_python_api_scores_a_summary_against_document_text():
    report = score("Five guards were killed.", document="Officials said five guards were killed in the riot.")
    assert isinstance(report, FaithfulnessReport)
    assert [c.status.value for c in report.claims] == ["supported"] and report.supported


# --- summarizer score --pairs ------------------------------------------------------------------------------------------
DOCUMENT = ("A fire broke out at a warehouse in Leeds on Monday night. Firefighters said no one was injured. "
            "West Yorkshire Police are investigating the cause of the fire.")
PAIRS = [
    {"id": "leeds", "document": DOCUMENT, "summary": "A fire broke out at a warehouse in Leeds on Monday night."},
    {"id": "manchester", "document": DOCUMENT, "summary": "A warehouse fire in Manchester injured five people."},
    {"id": 3, "sources": "seeds", "summary": "Authorities declared a curfew in Al-Khalis."},
    {"id": "json", "document": DOCUMENT, "summary": {"points": ["Police are investigating the cause of the fire."]}},
]


@pytest.fixture
def pairs_file(tmp_path):
    (tmp_path / "seeds").symlink_to(SEEDS)  # a pair's `sources` path is relative to the pairs file
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PAIRS))
    return path


def results_of(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_pairs_give_one_result_line_per_pair_with_its_id(pairs_file):
    result = run_cli("--pairs", str(pairs_file), "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in lines] == ["leeds", "manchester", 3, "json"]
    assert all(set(r) == REPORT_FIELDS | {"id"} for r in lines)
    assert [r["supported"] for r in lines] == [True, False, True, True]


def test_a_pairs_run_cut_short_resumes_and_writes_each_id_once(pairs_file, tmp_path):
    out = tmp_path / "scores.jsonl"
    assert run_cli("--pairs", str(pairs_file), "--out", str(out)).exit_code == 0
    full = results_of(out)
    first, second = out.read_text().splitlines(keepends=True)[:2]
    marked = json.dumps({**json.loads(first), "score": -1.0}) + "\n"  # proves the finished pair is not scored again
    out.write_text(marked + second[: len(second) // 2])  # as if killed while writing the second line

    result = run_cli("--pairs", str(pairs_file), "--out", str(out))

    assert result.exit_code == 0, result.output
    resumed = results_of(out)
    assert [r["id"] for r in resumed] == ["leeds", "manchester", 3, "json"]
    assert resumed[0]["score"] == -1.0
    assert resumed[1:] == full[1:]
    assert "1 already in" in result.stderr


def test_a_bad_pair_line_gets_an_error_line_and_the_run_goes_on(pairs_file, tmp_path):
    with pairs_file.open("a") as f:
        f.write("{not json\n")
        f.write(json.dumps({"id": "nowhere", "sources": "missing/folder", "summary": "x"}) + "\n")
        f.write(json.dumps({"id": "leeds", "document": DOCUMENT, "summary": "again"}) + "\n")
        f.write(json.dumps(PAIRS[0] | {"id": "after"}) + "\n")
    out = tmp_path / "scores.jsonl"

    result = run_cli("--pairs", str(pairs_file), "--out", str(out))

    assert result.exit_code == 0, result.output
    lines = results_of(out)
    errors = {r["id"]: r["error"] for r in lines if "error" in r}
    assert set(errors) == {5, "nowhere", "leeds"}
    assert "invalid JSON" in errors[5] and "no such file" in errors["nowhere"] and "more than once" in errors["leeds"]
    assert lines[-1]["id"] == "after" and lines[-1]["supported"] is True


def test_a_pairs_line_cannot_read_sources_outside_the_sources_root(tmp_path):
    (tmp_path / "pairs").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.txt").write_text("Officials said five guards were killed in the riot.\n")
    pairs = tmp_path / "pairs" / "pairs.jsonl"
    pairs.write_text(json.dumps({"id": "system", "sources": "/etc", "summary": "x"}) + "\n"
                     + json.dumps({"id": "up", "sources": "../elsewhere", "summary": "x"}) + "\n")
    result = run_cli("--pairs", str(pairs), "--json")
    assert result.exit_code == 0, result.output
    errors = [json.loads(line)["error"] for line in result.stdout.splitlines()]
    assert errors == [f"line 1: 'sources' '/etc' is outside {pairs.parent}, the folder pairs may read (--sources-root)",
                      f"line 2: 'sources' '../elsewhere' is outside {pairs.parent}, the folder pairs may read "
                      "(--sources-root)"]


def test_sources_root_lets_pairs_read_the_folders_under_it(tmp_path):
    (tmp_path / "pairs").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "empty.txt").write_text("")
    pairs = tmp_path / "pairs" / "pairs.jsonl"
    pairs.write_text(json.dumps({"id": "up", "sources": "../elsewhere", "summary": "x"}) + "\n")
    result = run_cli("--pairs", str(pairs), "--json", "--sources-root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "no readable source document (empty.txt: empty file" in json.loads(result.stdout)["error"]


def test_fail_under_accepts_only_a_number_from_0_to_1_so_nan_cannot_turn_the_gate_off(
        summary_with_one_false_sentence):
    result = run_cli("--sources", SEEDS, "--summary", str(summary_with_one_false_sentence), "--fail-under", "nan")
    assert result.exit_code == 2
    assert "--fail-under" in result.output and "not NaN" in result.output


def test_an_out_file_that_cannot_be_written_exits_2_before_any_pair_is_scored(pairs_file, tmp_path):
    (tmp_path / "a-file").write_text("")
    result = run_cli("--pairs", str(pairs_file), "--out", str(tmp_path / "a-file" / "scores.jsonl"))
    assert result.exit_code == 2 and result.exception.__class__ is SystemExit
    assert f"Error: --out: cannot write to {tmp_path / 'a-file'}: Not a directory" in result.output
