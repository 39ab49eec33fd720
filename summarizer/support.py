"""support: how strongly one document supports one claim, as a calibrated probability.

Embedding cosine alone is a weak judge of faithfulness (about 67-70 ROC AUC on SummaC/TRUE) and is blind to a changed
number, date, name or a negation. So each (claim, document) pair gets a small feature vector: retrieval cosines over
sentences and windows of adjacent sentences, lexical support (novel words are a strong hallucination signal), and the
deterministic checks (numbers, dates, entities, negation) run on the whole document and on the closest sentence, and
the project's own entailment model (summarizer.verifier) reading the claim against its closest passages: the only
feature that measures whether a passage *entails* the claim rather than how alike they are worded. A logistic
regression fitted by `eval/faithfulness.py` combines them; its plain coefficients live in calibration.toml.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from summarizer.checks import dates, entities, numbers, run_all
from summarizer.checks.base import Check
from summarizer.claims import split_sentences

CALIBRATION_FILE = Path(__file__).resolve().parent.parent / "calibration.toml"
WINDOW_SIZES = (1, 2, 3)  # a claim may merge facts from up to three adjacent sentences
TOP_PASSAGES = 5  # passages (by cosine) whose words and checks are read for each claim
VERIFIED_SENTENCES = 2  # the verifier reads the claim against this many closest sentences...
EVIDENCE_SENTENCES = 4  # ... and against this many closest sentences together, in the report's order: a summary
# sentence may fuse facts from across a report (XSum-style summaries, WiCE claims), not only from adjacent sentences
NOVEL_WORDS_CAP = 5

FEATURES = (
    "cos_sentence",  # best cosine with one sentence
    "cos_window",  # best cosine with a window of 1-3 adjacent sentences
    "cos_top3",  # mean of the three best sentence cosines
    "lex_passage",  # share of the claim's content words found in the best passage
    "lex_document",  # ... found anywhere in the document
    "bigram_document",  # share of the claim's content-word bigrams found in the document
    "novel_words",  # claim content words absent from the document (capped, scaled to [0, 1])
    "entity_missing",  # the claim names an entity the document does not
    "number_conflict",  # the checked sentence gives a different value for the claim's number
    "number_missing",  # the document never gives the claim's number
    "date_conflict",  # the checked sentence gives a different date
    "date_missing",  # the document gives no date compatible with the claim's
    "negation_mismatch",  # the checked sentence and the claim disagree on negation
    "bigram_passage",  # share of the claim's word bigrams (all words) found in the best passage: order, swaps
    "fuzz_sentence",  # character-level partial match of the claim in the checked sentence
    "lex_sentence",  # share of the claim's content words found in the checked sentence
    "nli_entail",  # the verifier's highest p(entailment) over the passages it read
    "nli_contradict",  # the verifier's highest p(contradiction) over the single sentences it read
)
# Evidence of absence or conflict may only lower the score, evidence of support only raise it: the fit is
# constrained to these signs, so a quirk of the dev data can never make a failed check count in a claim's favour.
PENALTIES = frozenset(
    {"novel_words", "entity_missing", "number_conflict", "number_missing", "date_conflict", "date_missing",
     "negation_mismatch", "nli_contradict"}
)

# A mismatch of one of these with the checked sentence, on the same topic, is a contradiction (verify).
HARD_CHECKS = ("numbers", "dates", "entities", "negation")

Encode = Callable[[list[str]], np.ndarray]
Entail = Callable[[list[tuple[str, str]]], np.ndarray]  # (passage, claim) pairs -> p(entail, neutral, contradict)


def default_encode(texts: list[str]) -> np.ndarray:
    from summarizer.embed import Embedder

    return Embedder.load().encode(texts)


def default_entail(pairs: list[tuple[str, str]]) -> np.ndarray:
    from summarizer.verifier import Verifier

    return Verifier.load().probabilities(pairs)


# --- words ----------------------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"[^\W_]+")


@cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | {"s", "t", "said", "says", "say", "according", "told"})


@cache
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


@cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def word_stems(text: str) -> list[str]:
    """Stems of every word, function words included: bigrams of these keep order and negation ('did not')."""
    return [_stem(w) for w in _TOKEN.findall(text.lower())]


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry content, in order: what a claim must share with its evidence."""
    stop = _stop_words()
    return [_stem(w) for w in _TOKEN.findall(text.lower()) if w not in stop]


def _bigrams(stems: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(stems, stems[1:]))


# --- documents --------------------------------------------------------------------------------------------------------
@dataclass
class IndexedDocument:
    """One document's sentences with embeddings and word stems, computed once and reused for every claim."""

    sentences: list[str]
    vectors: np.ndarray
    ref_date: date | None = None
    stems: list[list[str]] = field(init=False)  # content-word stems per sentence
    words: list[list[str]] = field(init=False)  # all word stems per sentence
    vocabulary: set[str] = field(init=False)
    bigrams: set[tuple[str, str]] = field(init=False)
    text: str = field(init=False)
    windows: list[tuple[int, int]] = field(init=False)
    window_vectors: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.stems = [content_stems(s) for s in self.sentences]
        self.words = [word_stems(s) for s in self.sentences]
        self.vocabulary = {stem for stems in self.stems for stem in stems}
        self.bigrams = {pair for stems in self.stems for pair in _bigrams(stems)}
        self.text = " ".join(self.sentences)
        # A window's vector is the length-weighted mean of its sentences' vectors, renormalised: close to embedding
        # the joined text (mean pooling) at no extra model cost.
        n = len(self.sentences)
        self.windows = [(i, i + size - 1) for size in WINDOW_SIZES for i in range(n - size + 1)]
        weights = np.array([max(len(s.split()), 1) for s in self.sentences], dtype=np.float32)
        rows = []
        for first, last in self.windows:
            v = (self.vectors[first:last + 1] * weights[first:last + 1, None]).sum(axis=0)
            rows.append(v / (np.linalg.norm(v) or 1.0))
        self.window_vectors = np.stack(rows) if rows else np.zeros((0, self.vectors.shape[1]), np.float32)

    @cached_property
    def quantities(self) -> list[numbers.Quantity]:
        return [q for s in self.sentences for q in numbers.extract(s)]

    def lacks_number_of(self, claim: str) -> bool:
        """Does the claim state a number this document never gives, whatever it counts? (Stricter than the number
        check, where a generic 'more than 60 people' fits '120 police officers'.)"""
        return any(not any(_same_number(q, d) for d in self.quantities) for q in numbers.extract(claim))


def _same_number(a: numbers.Quantity, b: numbers.Quantity) -> bool:
    """The same stated value in the same unit; an approximate value admits its tolerance."""
    if a.unit != b.unit:
        return False
    if "about" in (a.qualifier, b.qualifier):
        (lo_a, hi_a), (lo_b, hi_b) = a.bounds(), b.bounds()
        return lo_a <= hi_b and lo_b <= hi_a
    return (a.value_min, a.value_max) == (b.value_min, b.value_max)


def index_documents(
    documents: Sequence[Sequence[str]], ref_dates: Sequence[date | None] | None = None, encode: Encode | None = None
) -> list[IndexedDocument]:
    """Embed every sentence of every document in one batched call (each distinct sentence once)."""
    encode = encode or default_encode
    flat = [s for doc in documents for s in doc]
    vectors = encode(flat)
    out, at = [], 0
    for i, doc in enumerate(documents):
        out.append(IndexedDocument(list(doc), vectors[at:at + len(doc)], ref_dates[i] if ref_dates else None))
        at += len(doc)
    return out


# --- one claim against one document -----------------------------------------------------------------------------------
@dataclass
class Passage:
    """A window of adjacent sentences (first..last, inclusive) and its cosine with the claim."""

    first: int
    last: int
    cosine: float


@dataclass(frozen=True)
class Reading:
    """What the verifier says of a claim against one document's closest passages: the strongest entailment (over
    the closest sentences and the evidence set) and the strongest contradiction (over single sentences), and the
    sentences that gave them."""

    entailment: float
    contradiction: float
    entailing: tuple[int, ...]
    contradicting: int
    contradicting_cosine: float


def closest_in_order(vectors: np.ndarray, claim_vector: np.ndarray, k: int) -> tuple[int, ...]:
    """The k sentences closest to the claim, in the document's order (how the verifier reads them together; its
    training reads the same selection: eval/train_verifier.py)."""
    return tuple(sorted(np.argsort(-(vectors @ claim_vector), kind="stable")[:k].tolist()))


def verified_passages(claim_vector: np.ndarray, doc: IndexedDocument) -> list[tuple[int, ...]]:
    """The passages the verifier reads for a claim: each of the closest sentences alone, then the evidence set (the
    closest sentences together, in order) when it adds a sentence."""
    ranked = np.argsort(-(doc.vectors @ claim_vector), kind="stable")
    singles = [(int(i),) for i in ranked[:VERIFIED_SENTENCES]]
    together = closest_in_order(doc.vectors, claim_vector, EVIDENCE_SENTENCES)
    return singles + ([together] if len(together) > len(singles) else [])


def as_written_in(claim: str, passage: str, ref_date: date | None) -> str:
    """The claim with its names, days and numbers written as the passage writes the same ones, which the checks have
    matched already: the verifier reads whether the passage entails the claim, not whether it spells 'km' alike."""
    return entities.named_as_in(numbers.written_as_in(dates.written_as_in(claim, passage, ref_date), passage), passage)


def read(items: Sequence[tuple[str, np.ndarray, IndexedDocument]], entail: Entail) -> list[Reading]:
    """The verifier's reading of each (claim, claim vector, document), all pairs in one batched call."""
    spans = [verified_passages(vector, doc) for _, vector, doc in items]
    texts = [(" ".join(doc.sentences[i] for i in passage), claim, doc.ref_date)
             for (claim, _, doc), passages in zip(items, spans) for passage in passages]
    pairs = [(text, as_written_in(claim, text, ref_date)) for text, claim, ref_date in texts]
    probabilities = entail(pairs) if pairs else np.zeros((0, 3))
    out, at = [], 0
    for (_, vector, doc), passages in zip(items, spans):
        rows = probabilities[at:at + len(passages)]
        at += len(passages)
        if not passages:
            out.append(Reading(0.0, 0.0, (), 0, 0.0))
            continue
        # Entailment may need several sentences together; a contradiction is read on one sentence: a passage that
        # sets a negated sentence beside a copy of the claim reads as contradicting it (measured on the verifier).
        singles = [i for i, p in enumerate(passages) if len(p) == 1]
        best, worst = int(np.argmax(rows[:, 0])), max(singles, key=lambda i: rows[i, 2])
        (against,) = passages[worst]
        out.append(Reading(float(rows[best, 0]), float(rows[worst, 2]), passages[best], against,
                           float(doc.vectors[against] @ vector)))
    return out


def agreeing_checks(claim: str, reading: Reading, sentence: str, ref_date: date | None) -> list[Check]:
    """The hard checks that find the verifier's contradicting sentence at odds with the claim, where the verifier may
    veto support (no passage entails the claim more); none otherwise. (The verifier alone over-reads a name: "Saad
    Maan said X" contradicted "Saad Maan Ibrahim said X" at p = 0.94 on the seeds.)"""
    if reading.contradiction < reading.entailment:
        return []
    checks = run_all(claim, sentence, ref_date)
    return [checks[name] for name in HARD_CHECKS if checks[name].verdict == "mismatch"]


def checked_contradiction(claim: str, reading: Reading, sentence: str, ref_date: date | None) -> float:
    """The verifier's p(contradiction) where a hard check agrees with it (agreeing_checks), else 0."""
    return reading.contradiction if agreeing_checks(claim, reading, sentence, ref_date) else 0.0


@dataclass
class Support:
    """Everything one document says about one claim: features, the evidence and the checks behind them.

    `sentence` is the one sentence the checks read (closest in meaning and words: a number check on the wrong
    sentence misleads); `window` is the passage of adjacent sentences most similar to the claim.
    """

    features: np.ndarray
    sentence: int
    window: Passage
    sentence_cosines: np.ndarray
    sentence_checks: dict[str, Check]
    document_checks: dict[str, Check]
    reading: Reading
    score: float = float("nan")

    def feature(self, name: str) -> float:
        return float(self.features[FEATURES.index(name)])

    @property
    def cosine(self) -> float:
        """Cosine of the checked sentence with the claim."""
        return float(self.sentence_cosines[self.sentence])

    def failed_checks(self) -> list[Check]:
        """The hard checks the checked sentence fails: the claim and the sentence give different values."""
        return [self.sentence_checks[name] for name in HARD_CHECKS if self.sentence_checks[name].verdict == "mismatch"]

    @property
    def grounded(self) -> bool:
        """Does the document name the claim's names, numbers and dates somewhere? However similar its sentences, a
        report that never mentions Mosul does not support 'it happened in Mosul'."""
        return not (self.feature("entity_missing") or self.feature("date_missing") or self.feature("number_missing"))

    def evidence_sentences(self) -> list[int]:
        """The checked sentence first, then the rest of the best window."""
        rest = [i for i in range(self.window.first, self.window.last + 1) if i != self.sentence]
        return [self.sentence, *rest]


def assess_all(items: Sequence[tuple[str, np.ndarray, IndexedDocument]], entail: Entail | None = None) -> list[Support]:
    """`assess` for each (claim, claim vector, document), the verifier reading all of them in one batch."""
    readings = read(items, entail or default_entail)
    return [assess(claim, vector, doc, reading) for (claim, vector, doc), reading in zip(items, readings)]


def assess(claim: str, claim_vector: np.ndarray, doc: IndexedDocument, reading: Reading) -> Support:
    """Features of (claim, document) and the evidence they rest on. The claim is one sentence; `reading` is the
    verifier's (see `read`, or `assess_all` for both at once)."""
    if not doc.sentences:
        raise ValueError("a document with no sentences cannot support a claim")
    sentence_cos = doc.vectors @ claim_vector
    window_cos = doc.window_vectors @ claim_vector
    stems = content_stems(claim)
    wanted = set(stems)

    def recall(found: set[str] | list[str]) -> float:
        return len(wanted & set(found)) / len(wanted) if wanted else 1.0

    top_windows = np.argsort(-window_cos)[:TOP_PASSAGES]
    window = Passage(*doc.windows[top_windows[0]], float(window_cos[top_windows[0]]))
    lex_passage = max(recall({s for i in range(*_span(doc.windows[w])) for s in doc.stems[i]}) for w in top_windows)
    claim_pairs = _bigrams(word_stems(claim))
    bigram_passage = max(
        len(claim_pairs & _bigrams([t for i in range(*_span(doc.windows[w])) for t in doc.words[i]])) / len(claim_pairs)
        for w in top_windows
    ) if claim_pairs else 1.0
    top_sentences = np.argsort(-sentence_cos)[:TOP_PASSAGES]
    checked = int(max(top_sentences, key=lambda i: sentence_cos[i] + recall(doc.stems[i])))
    sentence_checks = run_all(claim, doc.sentences[checked], doc.ref_date)
    document_checks = run_all(claim, doc.text, doc.ref_date)
    claim_bigrams = _bigrams(stems)
    ranked = np.sort(sentence_cos)[::-1]
    values = {
        "cos_sentence": float(ranked[0]),
        "cos_window": float(window_cos.max()),
        "cos_top3": float(ranked[:3].mean()),
        "lex_passage": lex_passage,
        "lex_document": recall(doc.vocabulary),
        "bigram_document": len(claim_bigrams & doc.bigrams) / len(claim_bigrams) if claim_bigrams else 1.0,
        "novel_words": min(len(wanted - doc.vocabulary), NOVEL_WORDS_CAP) / NOVEL_WORDS_CAP,
        "entity_missing": float(document_checks["entities"].verdict in ("absent", "mismatch")),
        "number_conflict": float(sentence_checks["numbers"].verdict == "mismatch"),
        "number_missing": float(doc.lacks_number_of(claim)),
        "date_conflict": float(sentence_checks["dates"].verdict == "mismatch"),
        "date_missing": float(document_checks["dates"].verdict in ("absent", "mismatch")),
        "negation_mismatch": float(sentence_checks["negation"].verdict == "mismatch"),
        "bigram_passage": bigram_passage,
        "fuzz_sentence": fuzz.partial_ratio(claim.lower(), doc.sentences[checked].lower()) / 100,
        "lex_sentence": recall(doc.stems[checked]),
        "nli_entail": reading.entailment,
        "nli_contradict": reading.contradiction,
    }
    features = np.array([values[name] for name in FEATURES], dtype=np.float64)
    return Support(features, checked, window, sentence_cos, sentence_checks, document_checks, reading)


def _span(window: tuple[int, int]) -> tuple[int, int]:
    return window[0], window[1] + 1


# --- calibration -------------------------------------------------------------------------------------------------------
class CalibrationError(RuntimeError):
    """calibration.toml is missing or does not fit this code or these models; the message says how to refit."""


@dataclass(frozen=True)
class LinearModel:
    """p(supported) = sigmoid(weights . features + intercept); a document supports the claim when p >= threshold."""

    weights: np.ndarray
    intercept: float
    threshold: float

    def score(self, features: np.ndarray) -> np.ndarray | float:
        return 1.0 / (1.0 + np.exp(-(features @ self.weights + self.intercept)))

    @classmethod
    def from_toml(cls, table: dict, path: Path) -> LinearModel:
        if tuple(table["features"]) != FEATURES:
            raise CalibrationError(
                f"{path} was fitted on features {table['features']}, this code computes {list(FEATURES)}: "
                "refit with `python -m eval faithfulness`"
            )
        return cls(np.array(table["weights"], dtype=np.float64), float(table["intercept"]), float(table["threshold"]))


@dataclass(frozen=True)
class JudgedModel:
    """The checker's score and the entailment judge's answer (summarizer.judge) combined:
    p = sigmoid(checker_weight * logit(checker p) + judge_weight * judge log-odds + intercept)."""

    checker_weight: float
    judge_weight: float
    intercept: float
    threshold: float

    def score(self, checker: float, judge_log_odds: float) -> float:
        from scipy.special import expit, logit

        checker = min(max(checker, 1e-6), 1 - 1e-6)
        return float(expit(self.checker_weight * logit(checker) + self.judge_weight * judge_log_odds + self.intercept))

    @classmethod
    def from_toml(cls, table: dict) -> JudgedModel:
        return cls(*(float(table[k]) for k in ("checker_weight", "judge_weight", "intercept", "threshold")))


# Claims rendered from a structured field ("The shooting took place in Anderson, South Carolina.") read unlike
# summary sentences, so they get their own model, fitted on field claims; everything else uses the text model.
FIELD_CLAIMS = frozenset({"date", "location", "figures", "actors", "event_type"})
# The headline and bottom line are one-sentence summaries of the whole event (XSum-style): faithful ones paraphrase
# and fuse more than a sentence-level claim does, so they get a model of their own, fitted on XSum-style data (one
# operating point for every genre was measured, and failed them: eval/RESULTS.md).
LEAD_CLAIMS = frozenset({"headline", "bottom_line"})


@dataclass(frozen=True)
class Calibration:
    """The fitted models (calibration.toml): one for summary sentences and any claim text, one for the headline and
    bottom line, one for field claims, and the vetoes."""

    text: LinearModel
    fields: LinearModel
    lead: LinearModel  # headline and bottom line
    contradiction_min_cosine: float
    embedder_sha256: str
    verifier_sha256: str
    verifier_min_cosine: float = 2.0  # the verifier vetoes support when it reads a passage this close to the claim...
    verifier_contradiction: float = 2.0  # ... as contradicting it with at least this p (the defaults: never)
    version: int = 1
    judged: dict[str, JudgedModel] | None = None  # "text" and "lead", when the judge was calibrated
    judge_identity: str = ""  # summarizer.judge.Judge.identity of the judge they were fitted for

    def judged_model(self, field: str, judge_identity: str) -> JudgedModel | None:
        """The combined model for a claim of `field` read by the judge; None for field claims, which the judge does
        not read (their own model checks dates, places and figures directly)."""
        if field in FIELD_CLAIMS:
            return None
        if not self.judged or judge_identity != self.judge_identity:
            raise CalibrationError(
                f"calibration.toml has no combined model for judge {judge_identity} "
                f"(it has {self.judge_identity or 'none'}): refit with `python -m eval faithfulness --judge N`"
            )
        return self.judged["lead" if field in LEAD_CLAIMS else "text"]

    @property
    def threshold(self) -> float:
        """The support threshold for claim text (what `summarizer score` reports)."""
        return self.text.threshold

    def model_for(self, field: str) -> LinearModel:
        if field in FIELD_CLAIMS:
            return self.fields
        return self.lead if field in LEAD_CLAIMS else self.text

    def score(self, features: np.ndarray, field: str = "") -> np.ndarray | float:
        return self.model_for(field).score(features)

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        if not path.exists():
            raise CalibrationError(f"{path} is missing: fit it with `python -m eval faithfulness`")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        from summarizer.lock import load_lock

        for role in ("embedder", "verifier"):
            pinned, fitted = load_lock()[role].sha256, data.get(f"{role}_sha256", "none")
            if fitted != pinned:
                raise CalibrationError(
                    f"{path} was fitted with {role} {fitted[:12]}, models.lock pins {pinned[:12]}: "
                    "refit with `python -m eval faithfulness`"
                )
        return cls(
            text=LinearModel.from_toml(data["model"], path),
            fields=LinearModel.from_toml(data["fields"], path),
            lead=LinearModel.from_toml(data["lead"], path),
            contradiction_min_cosine=float(data["statuses"]["contradiction_min_cosine"]),
            embedder_sha256=data["embedder_sha256"],
            verifier_sha256=data["verifier_sha256"],
            verifier_min_cosine=float(data["statuses"]["verifier_min_cosine"]),
            verifier_contradiction=float(data["statuses"]["verifier_contradiction"]),
            version=int(data["version"]),
            judged={genre: JudgedModel.from_toml(data["judge"][genre]) for genre in ("text", "lead")}
            if "judge" in data else None,
            judge_identity=data.get("judge", {}).get("identity", ""),
        )


@cache
def default_calibration() -> Calibration:
    return Calibration.load()


# --- plain-text scoring (benchmarks, `summarizer score` on raw pairs) ---------------------------------------------------
@dataclass
class PairScore:
    """A claim (one or more sentences) against one document: the weakest sentence decides."""

    score: float
    cosine: float  # the baseline: best cosine of the whole claim text with one document sentence
    sentences: list[tuple[str, Support]]


def score_document(
    document: str | Sequence[str],
    claims: Sequence[str],
    *,
    ref_date: date | None = None,
    calibration: Calibration | None = None,
    encode: Encode | None = None,
    entail: Entail | None = None,
) -> list[PairScore]:
    """Score each claim against a plain document (a string, or its sentences already split)."""
    calibration = calibration or default_calibration()
    encode = encode or default_encode
    sentences = split_sentences(document) if isinstance(document, str) else list(document)
    (doc,) = index_documents([sentences], [ref_date], encode)
    parts = [split_sentences(c) or [c] for c in claims]
    flat = [p for ps in parts for p in ps]
    vectors = encode(list(claims) + flat)
    whole, pieces = vectors[: len(claims)], vectors[len(claims):]
    supports = iter(assess_all([(p, v, doc) for p, v in zip(flat, pieces)], entail))
    out = []
    for i, ps in enumerate(parts):
        assessed = []
        for p in ps:
            support = next(supports)
            support.score = float(calibration.score(support.features))
            assessed.append((p, support))
        cosine = float((doc.vectors @ whole[i]).max()) if len(sentences) else 0.0
        out.append(PairScore(min(s.score for _, s in assessed), cosine, assessed))
    return out
