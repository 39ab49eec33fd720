"""verify: every field of a summary is matched to source sentences, planted errors are flagged, and where the sources
disagree the claim and the slot come out contested with each value tied to the sources that give it.

These tests run the real pinned embedder (all-MiniLM-L6-v2, seconds on CPU) and the calibration in calibration.toml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.claims import ClaimInput
from summarizer.ingest import load_sources
from summarizer.schema import EventSummary, Stance
from summarizer.support import Calibration, CalibrationError, default_calibration, score_document
from summarizer.verify import Status, check_claims, contested_slots, verify

ROOT = Path(__file__).resolve().parent.parent
FLAGGED = (Status.contradicted, Status.unsupported)
GROUNDED = (Status.supported, Status.contested)


@pytest.fixture(scope="module")
def seeds():
    return load_sources(ROOT / "seeds")


@pytest.fixture(scope="module")
def true_summary() -> EventSummary:
    return EventSummary.model_validate_json((ROOT / "tests/data/seeds_summary.json").read_text())


@pytest.fixture(scope="module")
def planted(true_summary, seeds):
    """The seeds summary with four planted errors: a wrong number, place, date and a reversed stance."""
    summary = true_summary.model_copy(deep=True)
    summary.figures[0].value_min, summary.figures[0].text = 120, "120"
    summary.location.place = "Mosul"
    summary.date.value, summary.date.text = "2016-06-12", "12 June 2016"
    summary.claims[0].stance = Stance.denies
    return verify(summary, seeds)


@pytest.fixture(scope="module")
def verified(true_summary, seeds):
    return verify(true_summary, seeds)


def _status(verified, pointer: str) -> Status:
    (claim,) = [c for c in verified.claims if c.pointer == pointer]
    return claim.status


def _file(sources, doc_id: str) -> str:
    return sources.document(doc_id).path.rsplit("/", 1)[-1]


# --- planted errors ------------------------------------------------------------------------------------------------------
def test_a_wrong_number_is_flagged(planted):
    assert _status(planted, "/figures/0") in FLAGGED


def test_a_wrong_place_is_flagged(planted):
    assert _status(planted, "/location") in FLAGGED


def test_a_wrong_date_is_flagged(planted):
    assert _status(planted, "/date") in FLAGGED


def test_a_reversed_stance_is_contradicted_by_the_quote_it_reverses(planted):
    (claim,) = [c for c in planted.claims if c.pointer == "/claims/0"]
    assert claim.status is Status.contradicted
    assert any("Oudi Al-Khadran" in e.text and "responsible" in e.text for e in claim.evidence)


def test_fields_without_planted_errors_stay_grounded_next_to_planted_ones(planted):
    for pointer in ("/event_type", "/actors/0", "/aftermath/0", "/claims/1"):
        assert _status(planted, pointer) in GROUNDED, pointer


# --- true fields ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pointer", ["/headline", "/bottom_line", "/location", "/date", "/figures/0", "/actors/0",
                                     "/claims/0", "/claims/1", "/aftermath/0", "/event_type"])
def test_true_fields_of_the_seeds_summary_are_supported_or_contested(verified, pointer):
    assert _status(verified, pointer) in GROUNDED


# --- headlines: one-sentence summaries paraphrase, and are still checked -------------------------------------------------
def _headline(text: str, seeds) -> Status:
    (claim,) = check_claims([ClaimInput("/headline", text, "headline")], seeds)
    return claim.status


def test_a_summarising_paraphrase_of_the_event_is_a_supported_headline(seeds):
    assert _headline("ISIS claims deadly prison break in Al Khalis, Iraq", seeds) in GROUNDED


@pytest.mark.parametrize("headline", ["ISIS claims deadly prison break in Mosul, Iraq",
                                      "ISIS claims prison break in Al Khalis that killed 120 police officers"])
def test_a_headline_with_a_wrong_place_or_number_is_flagged(seeds, headline):
    assert _headline(headline, seeds) in FLAGGED


def test_evidence_points_at_exact_source_offsets(verified, seeds):
    evidence = [e for c in verified.claims for e in c.evidence]
    assert evidence
    for e in evidence:
        document = seeds.document(e.doc_id)
        assert document.text[e.start:e.end] == e.text
        assert seeds.sentence(e.sentence_id).text == e.text


# --- sources that disagree -----------------------------------------------------------------------------------------------
def test_twelve_police_killed_is_contested_because_another_report_gives_five_guards(verified, seeds):
    (claim,) = [c for c in verified.claims if c.pointer == "/figures/0"]
    assert claim.status is Status.contested
    assert "five guards" in " ".join(claim.reasons)


def _slot(verified, name: str) -> dict[str, set[str]]:
    (slot,) = [s for s in verified.contested if s.slot == name]
    return {v.value.lower(): {_file(verified.sources, d) for d in v.doc_ids} for v in slot.values}


def test_killed_police_is_a_contested_slot_with_each_value_tied_to_its_sources(verified):
    assert _slot(verified, "killed: police") == {
        "12 police officers": {"000_108d603849a4caa9.txt", "002_d6adc25b9d441586.txt"},  # "twelve" in the second
        "five guards": {"004_a072155b09cad796.txt"},
    }


def test_each_disputed_value_says_who_gave_it(verified):
    (slot,) = [s for s in verified.contested if s.slot == "killed: police"]
    assert {v.value: v.reported_by for v in slot.values} == {"12 police officers": ["Iraqi officials"],
                                                             "five guards": ["Maan"]}


def test_sources_alone_reveal_the_disputed_casualty_figures(seeds):
    """No summary needed: a draft that mentions one value still gets the dispute listed."""
    slots = {s.slot for s in contested_slots(seeds)}
    assert {"killed: police", "killed: prisoners", "escaped: prisoners"} <= slots


def test_killed_prisoners_is_contested_fifty_against_thirty(verified):
    values = _slot(verified, "killed: prisoners")
    by_file = {f: v for v, files in values.items() for f in files}
    assert by_file["000_108d603849a4caa9.txt"].startswith("50")
    assert by_file["004_a072155b09cad796.txt"].startswith("30")


def test_escaped_prisoners_lists_every_report_and_notes_the_values_overlap(verified):
    (slot,) = [s for s in verified.contested if s.slot == "escaped: prisoners"]
    values = {v.value.lower(): {_file(verified.sources, d) for d in v.doc_ids} for v in slot.values}
    assert values["more than fifty prisoners"] == {"002_d6adc25b9d441586.txt"}
    assert values["more than 40 prisoners"] == {"004_a072155b09cad796.txt"}
    assert values["dozens of prisoners"] == {"000_108d603849a4caa9.txt"}
    assert slot.incompatible is False  # more than 50, more than 40 and dozens can all be true at once


def test_killed_police_values_cannot_all_be_true(verified):
    (slot,) = [s for s in verified.contested if s.slot == "killed: police"]
    assert slot.incompatible is True


def test_a_copy_of_a_report_is_not_independent_support(seeds):
    copy = next(d for d in seeds.documents if d.duplicate_of)
    (claim,) = check_claims([ClaimInput("/0", "Authorities declared a curfew in Al-Khalis.")], seeds)
    assert copy.id not in claim.supported_by + claim.contradicted_by + [e.doc_id for e in claim.evidence]


# --- any claim text ------------------------------------------------------------------------------------------------------
def test_arbitrary_claim_text_is_checked_and_null_fields_are_not_stated(seeds):
    claims = [ClaimInput("/0", "Authorities declared a curfew in Al Khalis."), ClaimInput("/1", ""),
              ClaimInput("/2", "The prison was attacked with chemical weapons by the Iraqi army.")]
    checked = check_claims(claims, seeds)
    assert [c.status for c in checked] == [Status.supported, Status.not_stated, Status.unsupported]
    assert checked[0].score >= default_calibration().threshold > checked[2].score


def test_an_inferred_value_is_reported_as_inferred_not_checked_against_the_sources(seeds):
    [checked] = check_claims([ClaimInput("/location/region", "The event took place in Kansas.", "location",
                                         inferred="Wichita → Kansas, gazetteer")], seeds)
    assert (checked.status, checked.reasons) == (Status.inferred, ["Wichita → Kansas, gazetteer"])


def test_faithfulness_counts_supported_over_checkable_claims(planted):
    f = planted.faithfulness
    assert f.checkable == len([c for c in planted.claims if c.status not in (Status.not_stated, Status.inferred)])
    assert f.supported == f.counts["supported"] + f.counts["contested"]
    assert f.score == pytest.approx(f.supported / f.checkable, abs=1e-4)
    assert f.counts["contradicted"] + f.counts["unsupported"] >= 4


def test_plain_document_pairs_score_a_changed_number_below_the_true_sentence():
    document = ("Police said three armed men robbed a security van outside a bank in Glasgow on Tuesday. "
                "Nobody was injured in the robbery.")
    true, wrong = score_document(document, ["Three armed men robbed a security van in Glasgow.",
                                         "Seven armed men robbed a security van in Glasgow."])
    assert true.score > wrong.score
    assert true.cosine > 0.5  # the baseline cannot tell them apart as well: both are near-copies


# --- calibration ---------------------------------------------------------------------------------------------------------
def test_calibration_is_versioned_and_pinned_to_the_embedder():
    calibration = Calibration.load()
    text = (ROOT / "calibration.toml").read_text()
    assert calibration.version >= 1 and "fitted_on" in text and "[metrics.qags_cnndm]" in text
    assert 0 < calibration.threshold < 1


def test_a_calibration_fitted_with_another_embedder_is_refused(tmp_path):
    text = (ROOT / "calibration.toml").read_text()
    sha = Calibration.load().embedder_sha256
    other = tmp_path / "calibration.toml"
    other.write_text(text.replace(sha, "0" * 64))
    with pytest.raises(CalibrationError, match="refit"):
        Calibration.load(other)


# --- command line --------------------------------------------------------------------------------------------------------
def test_verify_command_reads_a_draft_and_exits_1_when_a_claim_is_flagged(tmp_path, true_summary):
    import json

    from click.testing import CliRunner

    from summarizer.cli import main
    from summarizer.draft import Draft, ModelInfo, RunMeta

    wrong = true_summary.model_copy(deep=True)
    wrong.location.place = "Mosul"
    meta = RunMeta(model=ModelInfo(role="generator", repo_id="x/y", sha256="0" * 64, backend="llamacpp"),
                   prompt_version="v1", schema_version="1.0")
    path = tmp_path / "draft.json"
    path.write_text(Draft(summary=wrong, meta=meta).model_dump_json())
    result = CliRunner().invoke(main, ["verify", "--sources", str(ROOT / "seeds"), "--summary", str(path), "--json"])
    assert result.exit_code == 1, result.output
    verified = json.loads(result.stdout)
    assert verified["meta"]["prompt_version"] == "v1"
    assert {c["pointer"]: c["status"] for c in verified["claims"]}["/location"] in ("unsupported", "contradicted")


def test_verify_command_rejects_a_file_that_is_not_a_summary(tmp_path):
    from click.testing import CliRunner

    from summarizer.cli import main

    path = tmp_path / "bad.json"
    path.write_text('{"headline": 3}')
    result = CliRunner().invoke(main, ["verify", "--sources", str(ROOT / "seeds"), "--summary", str(path)])
    assert result.exit_code == 2 and "not an EventSummary or Draft JSON" in result.output


def test_a_date_claim_is_not_supported_by_a_year_the_sources_give_as_background(tmp_path):
    (tmp_path / "a.txt").write_text(
        "Voters in Lagos chose a governor on a calm day, officials said. The governorship election was the fifth "
        "since military rule ended in 1999. In 1999 military rule ended and a civilian took office.\n")
    [claim] = check_claims([ClaimInput("/date", "The election took place in 1999.", "date", event_type="election")],
                           load_sources(tmp_path))
    assert claim.status is Status.unsupported


def test_a_date_claim_is_supported_by_a_sentence_that_dates_the_event(tmp_path):
    (tmp_path / "a.txt").write_text("The 2015 governorship election in Lagos was calm, officials said. Military rule "
                                    "ended in 1999.\n")
    [claim] = check_claims([ClaimInput("/date", "The election took place in 2015.", "date", event_type="election")],
                           load_sources(tmp_path))
    assert claim.status is Status.supported


# --- a bottom line composed from the fields (draft.bottom_line) ------------------------------------------------------------
def _composed_meta(summary: EventSummary):
    from summarizer.draft import ModelInfo, RunMeta
    from summarizer.draft.bottom_line import compose_bottom_line

    text, used = compose_bottom_line(summary)
    meta = RunMeta(model=ModelInfo(role="generator", repo_id="test", sha256="0" * 64, backend="llamacpp"),
                   prompt_version="v1+test", schema_version="1.1", bottom_line_from=used)
    return summary.model_copy(update={"bottom_line": text}), meta


def test_a_composed_bottom_line_takes_the_statuses_of_the_fields_it_was_composed_from(true_summary, planted, seeds):
    good, bad = (verify(summary, seeds, meta=meta) for summary, meta in map(_composed_meta, (true_summary,
                                                                                            planted.summary)))
    ((good_line,), (bad_line,)) = ([c for c in v.claims if c.pointer == "/bottom_line"] for v in (good, bad))
    assert good_line.status in GROUNDED and good_line.evidence
    assert good_line.reasons[0].startswith("composed from the fields /event_type (supported), /date (supported)")
    assert bad_line.status in FLAGGED and any(r.startswith("/figures/0: ") for r in bad_line.reasons)


def test_a_bottom_line_that_is_not_the_composed_one_is_checked_as_free_text(true_summary, seeds):
    summary, meta = _composed_meta(true_summary)
    edited = summary.model_copy(update={"bottom_line": "ISIS freed 500 prisoners in Mosul."})
    (line,) = [c for c in verify(edited, seeds, meta=meta).claims if c.pointer == "/bottom_line"]
    assert line.status in FLAGGED and line.text == "ISIS freed 500 prisoners in Mosul."


def test_a_composed_bottom_line_read_without_its_run_metadata_is_still_recognised(true_summary, seeds):
    summary, meta = _composed_meta(true_summary)
    (line,) = [c for c in verify(summary, seeds).claims if c.pointer == "/bottom_line"]
    assert line.reasons[0].startswith("composed from the fields ") and line.status in GROUNDED
