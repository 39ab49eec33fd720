"""The verifier: the project's own entailment cross-encoder, sha256-checked like every model, read by the checker
against each claim's closest passages; what it reads as contradicting a claim makes the claim contradicted, with the
passage it read as the evidence.

These run the real trained adapter over the real pinned embedder (a MiniLM-L6 pass per pair: seconds on CPU).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from summarizer.claims import ClaimInput
from summarizer.lock import IntegrityError, load_lock, resolve
from summarizer.support import index_documents, verified_passages
from summarizer.verifier import ID2LABEL, Verifier
from summarizer.verify import Status, check_claims

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    return Verifier.load()


def _claim(seeds, text: str):
    (checked,) = check_claims([ClaimInput("/claims/0", text)], seeds)
    return checked


def test_the_verifier_is_pinned_in_models_lock_over_the_embedders_weights():
    pin = load_lock()["verifier"]
    assert pin.base == "embedder" and pin.format == "peft-adapter"
    assert {f.name for f in pin.files} == {"adapter_config.json", "adapter_model.safetensors"}
    assert all(f.size < 5 * 2**20 for f in pin.files)  # what lands in git stays small


def test_the_verifier_refuses_a_tampered_weights_file(tmp_path, monkeypatch):
    folder = resolve("verifier").path
    copy = tmp_path / "verifier"
    shutil.copytree(folder, copy)
    weights = copy / "adapter_model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte changed
    weights.write_bytes(bytes(data))
    monkeypatch.setenv(load_lock()["verifier"].env, str(copy))
    with pytest.raises(IntegrityError, match="sha256 mismatch"):
        resolve("verifier")


def test_probabilities_are_three_way_and_each_pair_is_scored_once(verifier):
    pairs = [("Police said three men were arrested on Tuesday.", "Three men were arrested."),
             ("Police said three men were arrested on Tuesday.", "Nobody was arrested.")]
    first = verifier.probabilities(pairs + pairs[:1])
    assert first.shape == (3, len(ID2LABEL)) and np.allclose(first.sum(axis=1), 1, atol=1e-5)
    assert np.array_equal(first[0], first[2])
    assert first[0, 0] > first[1, 0]  # the entailed claim is more entailed than its denial


def test_the_verifier_reads_the_closest_sentences_alone_and_together_in_order():
    sentences = ["The storm hit the coast on Monday.", "Schools will reopen on Friday.", "Ten people died.",
                 "The mayor thanked volunteers.", "Power was cut to 40,000 homes.", "A festival was postponed."]
    (doc,) = index_documents([sentences])
    from summarizer.embed import Embedder

    (vector,) = Embedder.load().encode(["Ten people died when the storm hit the coast."])
    *singles, together = verified_passages(vector, doc)
    assert len(singles) == 2 and all(len(p) == 1 for p in singles)
    assert (2,) in singles  # the sentence that states the toll
    assert len(together) == 4 and list(together) == sorted(together)  # the evidence set, in the report's order
    assert {0, 2} <= set(together)  # the storm and the toll, two sentences apart


def test_a_true_restatement_of_a_seeds_fact_is_supported(seed_sources):
    # Not every one is yet (issue 16): eval/RESULTS.md counts the seeds' near misses, 4 of 12 true ones flagged.
    checked = _claim(seed_sources, "A curfew was declared in Al-Khalis after the escape.")
    assert checked.status in (Status.supported, Status.contested)


@pytest.mark.parametrize("claim, changed", [
    ("Authorities declared a curfew in Al-Khalis.", "Authorities did not declare a curfew in Al-Khalis."),
    ("Authorities declared a curfew in Al-Khalis.", "Authorities declared a curfew in Baghdad."),
    ("Twelve policemen were killed in the attack on the prison.",
     "Ninety policemen were killed in the attack on the prison."),
], ids=["negation", "place", "number"])
def test_a_changed_seeds_claim_is_flagged_with_its_evidence_sentence(seed_sources, claim, changed):
    checked = _claim(seed_sources, changed)
    assert checked.status in (Status.contradicted, Status.unsupported), checked
    assert checked.evidence and all(e.text for e in checked.evidence)
    sentence = seed_sources.document(checked.evidence[0].doc_id).text[checked.evidence[0].start:
                                                                       checked.evidence[0].end]
    assert sentence == checked.evidence[0].text  # offsets point at the sentence shown


@pytest.mark.parametrize("changed", ["Authorities did not declare a curfew in Al-Khalis.",
                                     "Authorities declared a curfew in Baghdad."], ids=["negation", "place"])
def test_the_verifier_contradicts_a_changed_claim_with_the_sentence_it_read(seed_sources, changed):
    checked = _claim(seed_sources, changed)
    assert checked.status is Status.contradicted
    reason = next(r for r in checked.reasons if "the verifier reads" in r)
    assert checked.evidence[0].sentence_id in reason
    assert "curfew" in checked.evidence[0].text  # the sentence that states what the claim changes


def test_calibrate_fits_a_threshold_on_labelled_pairs_and_score_uses_it(tmp_path):
    from click.testing import CliRunner

    from summarizer.cli import main

    document = ("Police said three armed men robbed a security van outside a bank in Glasgow on Tuesday. "
                "Nobody was injured in the robbery. The van was carrying cash for the bank's branches.")
    true = ["Three armed men robbed a security van in Glasgow.", "Nobody was hurt in the robbery.",
            "The robbery happened outside a bank.", "The van carried cash.", "Police said the robbers were armed.",
            "The robbery was in Glasgow."]
    false = ["Seven armed men robbed a security van in Glasgow.", "Two guards were injured in the robbery.",
             "The robbery happened in Edinburgh.", "The van was empty.", "The robbers were unarmed.",
             "The robbery took place on Friday."]
    pairs = tmp_path / "labelled.jsonl"
    pairs.write_text("".join(json.dumps({"id": i, "document": document, "summary": s, "label": i < len(true)}) + "\n"
                             for i, s in enumerate(true + false)))
    mine = tmp_path / "my.toml"
    result = CliRunner().invoke(main, ["calibrate", str(pairs), "-o", str(mine)])
    assert result.exit_code == 0, result.output
    assert "12 pairs scored" in result.output and mine.exists()
    from summarizer.support import Calibration

    fitted = Calibration.load(mine)
    scored = CliRunner().invoke(main, ["score", "--pairs", str(pairs), "--json", "--calibration", str(mine)])
    assert scored.exit_code == 0, scored.output
    thresholds = {json.loads(line)["threshold"] for line in scored.stdout.splitlines() if line.startswith("{")}
    assert len(thresholds) == 1 and thresholds.pop() == pytest.approx(fitted.threshold, abs=1e-4)


def test_calibrate_refuses_pairs_without_both_labels(tmp_path):
    from click.testing import CliRunner

    from summarizer.cli import main

    pairs = tmp_path / "labelled.jsonl"
    pairs.write_text(json.dumps({"id": 1, "document": "It rained in Oslo.", "summary": "It rained.", "label": True})
                     + "\n")
    result = CliRunner().invoke(main, ["calibrate", str(pairs), "-o", str(tmp_path / "my.toml")])
    assert result.exit_code == 2 and "need at least" in result.output
