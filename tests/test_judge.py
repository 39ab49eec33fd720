"""The optional entailment judge: the generator-large model's yes/no log-odds that an article supports a claim, and
how verify combines them with the checker's score (calibration.toml's [judge] tables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.ingest import load_sources
from summarizer.judge import Judge
from summarizer.schema import EventSummary, Stance
from summarizer.support import CalibrationError, JudgedModel, default_calibration
from summarizer.verify import Status, verify

ROOT = Path(__file__).resolve().parent.parent


def test_the_combined_score_rises_with_either_the_checker_or_the_judge():
    model = JudgedModel(checker_weight=1.0, judge_weight=0.5, intercept=0.0, threshold=0.5)
    assert model.score(0.7, 0.0) > model.score(0.3, 0.0)
    assert model.score(0.5, 2.0) > model.score(0.5, -2.0)
    assert 0 <= model.score(0.0, -50.0) < model.score(1.0, 50.0) <= 1  # no overflow at the ends


def test_field_claims_are_never_sent_to_the_judge():
    calibration = default_calibration()
    assert calibration.judged_model("date", calibration.judge_identity) is None
    assert calibration.judged_model("figures", calibration.judge_identity) is None


def test_the_headline_and_claim_text_use_their_own_genre_of_combined_model():
    calibration = default_calibration()
    assert calibration.judged_model("headline", calibration.judge_identity) is calibration.judged["lead"]
    assert calibration.judged_model("claims", calibration.judge_identity) is calibration.judged["text"]


def test_a_judge_the_calibration_was_not_fitted_for_is_refused_with_how_to_refit():
    with pytest.raises(CalibrationError, match="--judge"):
        default_calibration().judged_model("headline", "another-model:0000:v1+0000")


@pytest.fixture(scope="module")
def judge():
    pytest.importorskip("llama_cpp", reason="llama-cpp-python's extension is not built on this machine")
    return Judge.load()


@pytest.fixture(scope="module")
def seeds():
    return load_sources(ROOT / "seeds")


@pytest.mark.model
def test_the_calibration_was_fitted_for_the_pinned_judge_and_question(judge):
    assert default_calibration().judge_identity == judge.identity


@pytest.mark.model
def test_the_judge_says_yes_more_to_what_the_article_states_than_to_a_changed_fact(judge, seeds):
    (article,) = [d for d in seeds.canonical if "12 police officers" in d.text][:1]
    stated, changed = judge.log_odds([s.text for s in article.sentences], [
        "Iraqi officials said 12 police officers died in the prison break.",
        "Iraqi officials said 12 police officers were rescued unharmed from the prison.",
    ])
    assert stated > changed


@pytest.fixture(scope="module")
def true_summary():
    return EventSummary.model_validate_json((ROOT / "tests/data/seeds_summary.json").read_text())


@pytest.fixture(scope="module")
def judged_true(judge, seeds, true_summary):
    return {c.pointer: c.status for c in verify(true_summary, seeds, judge=judge).claims}


@pytest.fixture(scope="module")
def judged_planted(judge, seeds, true_summary):
    planted = true_summary.model_copy(deep=True)
    planted.location.place = "Mosul"
    planted.claims[0].stance = Stance.denies
    planted.headline = "ISIS claims deadly prison break in Mosul, Iraq"
    return {c.pointer: c.status for c in verify(planted, seeds, judge=judge).claims}


@pytest.mark.model
@pytest.mark.parametrize("pointer", ["/headline", "/bottom_line", "/claims/0", "/claims/1", "/aftermath/0",
                                     "/location"])
def test_with_the_judge_true_fields_stay_supported(judged_true, pointer):
    assert judged_true[pointer] in (Status.supported, Status.contested)


@pytest.mark.model
@pytest.mark.parametrize("pointer", ["/headline", "/claims/0", "/location"])
def test_with_the_judge_planted_errors_are_flagged(judged_planted, pointer):
    assert judged_planted[pointer] in (Status.unsupported, Status.contradicted)
