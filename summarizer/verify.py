"""verify: a summary + sources -> VerifiedSummary (claims, evidence, statuses, contested slots, faithfulness).

Two layers. `check_claims` works for any claim text: every canonical document is scored against every claim
(summarizer.support: retrieval cosines, lexical support and the deterministic checks, combined by the calibrated model
in calibration.toml), and the per-document verdicts become one status: supported by one report and contradicted by
another is *contested*, never silently one or the other. `verify` adds what only a structured summary allows: claims
rendered from the schema, null fields as `not stated`, and the figures every source gives per slot (killed police,
escaped prisoners...) so that disagreements between sources are surfaced even when the summary picked one value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from pydantic import BaseModel, Field

from summarizer.checks import numbers
from summarizer.claims import ClaimInput, claims_from_summary
from summarizer.generate import Draft, RunMeta
from summarizer.schema import EventSummary, Figure
from summarizer.sources import Document, Sources
from summarizer.support import Calibration, Encode, IndexedDocument, Support, assess, default_calibration, \
    default_encode, index_documents

MAX_EVIDENCE = 4  # evidence sentences kept per claim (supporting reports first, then contradicting ones)
HARD_CHECKS = ("numbers", "dates", "entities", "negation")  # a mismatch here on the same topic is a contradiction


class Status(str, Enum):
    supported = "supported"
    contested = "contested"
    unsupported = "unsupported"
    contradicted = "contradicted"
    not_stated = "not stated"


class Evidence(BaseModel):
    doc_id: str
    sentence_id: str
    start: int
    end: int
    text: str
    score: float


class CheckedClaim(BaseModel):
    pointer: str = Field(description="JSON pointer of the field the claim comes from, e.g. /figures/2")
    text: str = Field(description="the claim as a checkable sentence")
    status: Status
    score: float = Field(description="calibrated support score in [0, 1]")
    evidence: list[Evidence] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list, description="why: failed checks, disagreeing sources")
    supported_by: list[str] = Field(default_factory=list, description="ids of the canonical documents that support it")
    contradicted_by: list[str] = Field(default_factory=list, description="ids of the documents that contradict it")


class SlotValue(BaseModel):
    value: str
    doc_ids: list[str]
    evidence: list[Evidence]


class ContestedSlot(BaseModel):
    """One fact the sources disagree on (e.g. 'killed: police'), with every value and who gives it."""

    slot: str
    values: list[SlotValue]
    incompatible: bool = Field(
        default=True,
        description="true when no single number fits every report (12 vs 5); false when reports differ but overlap "
        "(more than 50 vs more than 40)",
    )


class Faithfulness(BaseModel):
    supported: int
    checkable: int
    score: float
    counts: dict[str, int] = Field(default_factory=dict, description="claims per status")


class VerifiedSummary(BaseModel):
    summary: EventSummary
    claims: list[CheckedClaim]
    contested: list[ContestedSlot] = Field(default_factory=list)
    faithfulness: Faithfulness
    sources: Sources
    meta: RunMeta | None = None


# --- any claims against sources ----------------------------------------------------------------------------------------
@dataclass
class _Report:
    """One canonical document's view of one claim."""

    doc: Document
    support: Support
    supports: bool
    contradiction: str | None  # the failed check's detail, when the document contradicts the claim


def check_claims(
    claims: Sequence[ClaimInput],
    sources: Sources,
    *,
    calibration: Calibration | None = None,
    encode: Encode | None = None,
) -> list[CheckedClaim]:
    """Check each claim against every independent report in `sources`. Sentences and claims are embedded in batches,
    once per run; near-duplicate captures count as the report they copy."""
    calibration = calibration or default_calibration()
    encode = encode or default_encode
    docs = [d for d in sources.canonical if d.sentences]
    index = index_documents([[s.text for s in d.sentences] for d in docs], [_iso(d.date) for d in docs], encode)
    stated = [c for c in claims if c.stated]
    vectors = dict(zip((c.text for c in stated), encode([c.text for c in stated]))) if stated else {}
    out = []
    for claim in claims:
        if not claim.stated:
            out.append(CheckedClaim(pointer=claim.pointer, text="", status=Status.not_stated, score=0.0,
                                    reasons=["the summary leaves this field empty"]))
            continue
        reports = [_judge(claim.text, vectors[claim.text], doc, indexed, calibration)
                   for doc, indexed in zip(docs, index)]
        out.append(_decide(claim, reports))
    return out


def _judge(text: str, vector, doc: Document, indexed: IndexedDocument, calibration: Calibration) -> _Report:
    support = assess(text, vector, indexed)
    support.score = float(calibration.score(support.features))
    conflict = None
    if support.cosine >= calibration.contradiction_min_cosine:
        failed = [support.sentence_checks[name] for name in HARD_CHECKS
                  if support.sentence_checks[name].verdict == "mismatch"]
        conflict = failed[0].detail if failed else None
    return _Report(doc, support, support.score >= calibration.threshold and conflict is None, conflict)


def _decide(claim: ClaimInput, reports: list[_Report]) -> CheckedClaim:
    supporting = sorted((r for r in reports if r.supports), key=lambda r: -r.support.score)
    contradicting = [r for r in reports if r.contradiction and not r.supports]
    if supporting and contradicting:
        status = Status.contested
    elif supporting:
        status = Status.supported
    elif contradicting:
        status = Status.contradicted
    else:
        status = Status.unsupported
    ranked = sorted(reports, key=lambda r: -r.support.score)
    shown = supporting + contradicting or ranked[:2]
    reasons = [f"{r.doc.id} ({r.doc.label}) contradicts it: {r.contradiction}" for r in contradicting]
    if status is Status.unsupported and ranked:
        best = ranked[0]
        failed = [c.detail for name, c in best.support.document_checks.items() if c.verdict in ("absent", "mismatch")]
        reasons.append(f"no source supports it (best: {best.doc.id}, score {best.support.score:.2f})"
                       + (": " + "; ".join(failed) if failed else ""))
    score = supporting[0].support.score if supporting else max((r.support.score for r in reports), default=0.0)
    if status is Status.contradicted:
        score = min(r.support.score for r in contradicting)
    return CheckedClaim(
        pointer=claim.pointer, text=claim.text, status=status, score=round(score, 4),
        evidence=[e for r in shown for e in _evidence(r)][:MAX_EVIDENCE], reasons=reasons,
        supported_by=[r.doc.id for r in supporting], contradicted_by=[r.doc.id for r in contradicting],
    )


def _evidence(report: _Report) -> list[Evidence]:
    """The sentence the document was checked on, then the rest of its best window, each with its cosine to the claim."""
    support = report.support
    return [_evidence_of(report.doc, i, float(support.sentence_cosines[i])) for i in support.evidence_sentences()]


def _evidence_of(doc: Document, index: int, score: float) -> Evidence:
    s = doc.sentences[index]
    return Evidence(doc_id=doc.id, sentence_id=s.id, start=s.start, end=s.end, text=s.text, score=round(score, 4))


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- figures per slot, across sources ----------------------------------------------------------------------------------
_SUBCOUNT_BEFORE = re.compile(r"\b(?:including|among\s+them|of\s+whom|of\s+them|of\s+those|among\s+whom)[\s,:]*$", re.I)
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


@dataclass(frozen=True)
class _Stated:
    """One figure one report states: the slot it fills, its bounds and where it is said."""

    slot: tuple[str, str]
    key: tuple[float, float | None, str]
    text: str
    bounds: tuple[float, float]
    doc_id: str
    sentence_index: int


def _slot_name(slot: tuple[str, str]) -> str:
    return f"{slot[0]}: {slot[1]}"


def _figure_slot(kind: str | None, noun: str | None) -> tuple[str, str] | None:
    """(what happened, noun class): 'police officers' and 'guards' fill one slot, 'people' none (it spans them all)."""
    group = numbers.noun_class(noun)
    if not kind or group in (None, "generic"):
        return None
    return (kind, group)


def _direction(qualifier: str) -> str:
    return {"more_than": ">", "at_least": ">", "less_than": "<", "at_most": "<"}.get(qualifier, "=")


def stated_figures(sources: Sources, event_year: int | None = None) -> list[_Stated]:
    """Every counted figure each independent report states about the event, by slot.

    Left out: figures of generic nouns ('people' spans every slot), sub-counts ('including nine who...'), and
    figures in sentences that name a year other than the event's (an earlier prison break, an old toll).
    """
    found = []
    for doc in sources.canonical:
        for sentence in doc.sentences:
            years = {int(y) for y in _YEAR.findall(sentence.text)}
            if event_year is not None and years and event_year not in years:
                continue
            for q in numbers.extract(sentence.text):
                slot = _figure_slot(q.kind, q.noun) if q.unit is None else None
                if slot is None or _SUBCOUNT_BEFORE.search(sentence.text[: q.start]):
                    continue
                key = (q.value_min, q.value_max, _direction(q.qualifier))
                noun = f" {q.noun}" if q.noun and q.noun.lower() not in q.text.lower() else ""
                found.append(_Stated(slot, key, f"{q.text}{noun}", q.bounds(), doc.id, sentence.index))
    return found


def contested_slots(sources: Sources, event_year: int | None = None) -> list[ContestedSlot]:
    """Slots where independent reports give different figures, each value with the reports and sentences giving it."""
    by_slot: dict[tuple[str, str], list[_Stated]] = {}
    for stated in stated_figures(sources, event_year):
        by_slot.setdefault(stated.slot, []).append(stated)
    out = []
    for slot, stated in by_slot.items():
        values: dict[tuple, list[_Stated]] = {}
        for s in stated:
            values.setdefault(s.key, []).append(s)
        given_by: dict[str, set[tuple]] = {}
        for s in stated:
            given_by.setdefault(s.doc_id, set()).add(s.key)
        if len({frozenset(keys) for keys in given_by.values()}) < 2:  # one report, or all reports say the same
            continue
        lo = max(s.bounds[0] for s in stated)
        hi = min(s.bounds[1] for s in stated)
        out.append(ContestedSlot(
            slot=_slot_name(slot),
            values=[
                SlotValue(
                    value=group[0].text,
                    doc_ids=list(dict.fromkeys(s.doc_id for s in group)),
                    evidence=[_evidence_of(sources.document(s.doc_id), s.sentence_index, 1.0) for s in group],
                )
                for group in values.values()
            ],
            incompatible=lo > hi,
        ))
    return out


def _figure_in_slot(figure: Figure, slot: ContestedSlot) -> bool:
    kind, group = slot.slot.split(": ", 1)
    return figure.kind.value == kind and numbers.noun_class(figure.group) == group


# --- a structured summary ----------------------------------------------------------------------------------------------
def verify(
    summary: EventSummary | Draft,
    sources: Sources,
    meta: RunMeta | None = None,
    *,
    calibration: Calibration | None = None,
    encode: Encode | None = None,
) -> VerifiedSummary:
    """Check every field of `summary` against `sources`; list the slots the sources disagree on."""
    if isinstance(summary, Draft):
        summary, meta = summary.summary, meta or summary.meta
    claims = claims_from_summary(summary)
    checked = check_claims(claims, sources, calibration=calibration, encode=encode)
    event_year = int(summary.date.value[:4]) if summary.date else None
    slots = contested_slots(sources, event_year)
    for claim in checked:
        if claim.pointer.startswith("/figures/") and claim.status is Status.supported:
            figure = summary.figures[int(claim.pointer.rsplit("/", 1)[1])]
            for slot in slots:
                if _figure_in_slot(figure, slot):
                    claim.status = Status.contested
                    others = [f"{v.value} ({', '.join(v.doc_ids)})" for v in slot.values
                              if not set(v.doc_ids) <= set(claim.supported_by)]
                    claim.reasons.append(f"sources disagree on {slot.slot}: " + "; ".join(others))
    return VerifiedSummary(summary=summary, claims=checked, contested=slots, faithfulness=faithfulness(checked),
                           sources=sources, meta=meta)


def faithfulness(claims: Sequence[CheckedClaim]) -> Faithfulness:
    """Supported / checkable claims. Contested claims count as supported: at least one report states them."""
    counts = {status.value: sum(c.status is status for c in claims) for status in Status}
    checkable = len(claims) - counts[Status.not_stated.value]
    supported = counts[Status.supported.value] + counts[Status.contested.value]
    return Faithfulness(supported=supported, checkable=checkable,
                        score=round(supported / checkable, 4) if checkable else 1.0, counts=counts)
