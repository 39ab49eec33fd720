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
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from pydantic import BaseModel, Field

from summarizer.checks import dates, numbers
from summarizer.claims import ClaimInput, claims_from_summary, event_noun
from summarizer.draft import Draft, Flag, RunMeta
from summarizer.draft.bottom_line import compose_bottom_line
from summarizer.judge import Judge
from summarizer.schema import EventSummary, Figure
from summarizer.anchors import FigureCandidate, find_candidates
from summarizer.sources import Document, Sentence, Sources
from summarizer.support import Calibration, Encode, Entail, JudgedModel, Support, agreeing_checks, assess_all, \
    default_calibration, default_encode, index_documents

MAX_EVIDENCE = 4  # evidence sentences kept per claim (supporting reports first, then contradicting ones)


class Status(str, Enum):
    supported = "supported"
    contested = "contested"
    unsupported = "unsupported"
    contradicted = "contradicted"
    not_stated = "not stated"
    inferred = "inferred"  # from a gazetteer, not a sentence: 'Wichita -> Kansas'


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
    reported_by: list[str] = Field(default_factory=list, description="who the sources say gave this value")


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
    threshold: float  # the support threshold of the model that scored it
    evidence: list[int]  # sentence indices to show, the one that decided first
    lacks: str | None = None  # why the report cannot support the claim whatever its score


def check_claims(
    claims: Sequence[ClaimInput],
    sources: Sources,
    *,
    calibration: Calibration | None = None,
    encode: Encode | None = None,
    entail: Entail | None = None,
    judge: Judge | None = None,
) -> list[CheckedClaim]:
    """Check each claim against every independent report in `sources`. Sentences and claims are embedded in batches,
    once per run, and the verifier reads every claim against each report's closest passages in one batch;
    near-duplicate captures count as the report they copy. With a `judge` (summarizer.judge), claim text is also read
    by the generator, and the calibrated combination of both decides."""
    calibration = calibration or default_calibration()
    encode = encode or default_encode
    docs = [d for d in sources.canonical if d.sentences]
    index = index_documents([[s.text for s in d.sentences] for d in docs], [_iso(d.date) for d in docs], encode)
    stated = list({c.text: c for c in claims if c.stated and not c.inferred}.values())
    vectors = encode([c.text for c in stated]) if stated else []
    supports = iter(assess_all([(c.text, v, indexed) for c, v in zip(stated, vectors) for indexed in index], entail))
    assessed = {(c.text, doc.id): next(supports) for c in stated for doc in docs}
    read = _judged(stated, docs, calibration, judge) if judge else {}
    out = []
    for claim in claims:
        if not claim.stated:
            out.append(CheckedClaim(pointer=claim.pointer, text="", status=Status.not_stated, score=0.0,
                                    reasons=["the summary leaves this field empty"]))
            continue
        if claim.inferred:
            out.append(CheckedClaim(pointer=claim.pointer, text=claim.text, status=Status.inferred, score=0.0,
                                    reasons=[claim.inferred]))
            continue
        reports = [_report(claim, assessed[(claim.text, doc.id)], doc, calibration, read.get((doc.id, claim.text)))
                   for doc in docs]
        out.append(_decide(claim, reports))
    return out


def _judged(claims: Sequence[ClaimInput], docs: Sequence[Document], calibration: Calibration,
            judge: Judge) -> dict[tuple[str, str], tuple[float, JudgedModel]]:
    """The judge's log-odds and the combined model for each (document, claim text) it reads: one call per document."""
    models = {c.text: calibration.judged_model(c.field, judge.identity) for c in claims}
    texts = [text for text, model in models.items() if model]
    out = {}
    for doc in docs:
        for text, log_odds in zip(texts, judge.log_odds([s.text for s in doc.sentences], texts)):
            out[(doc.id, text)] = (log_odds, models[text])
    return out


def _report(claim: ClaimInput, support: Support, doc: Document, calibration: Calibration,
            judged: tuple[float, JudgedModel] | None) -> _Report:
    support = replace(support)  # two claims of one text may be scored by different models
    model = calibration.model_for(claim.field)
    support.score = float(model.score(support.features))
    threshold = model.threshold
    if judged:
        log_odds, combined = judged
        support.score, threshold = combined.score(support.score, log_odds), combined.threshold
    failed = support.failed_checks() if support.cosine >= calibration.contradiction_min_cosine else []
    evidence = support.evidence_sentences()
    conflict = failed[0].detail if failed else _verifier_conflict(claim.text, support, doc, calibration)
    if conflict and not failed:  # the verifier's passage is the evidence against
        evidence = [support.reading.contradicting]
    lacks = None if claim.field != "date" or _dates_the_event(claim, doc) else \
        f"{doc.id} has no sentence that dates the {claim.event_type.replace('_', ' ') or 'event'} so"
    supports = support.score >= threshold and conflict is None and support.grounded and lacks is None
    return _Report(doc, support, supports, conflict, threshold, evidence, lacks)


def _dates_the_event(claim: ClaimInput, doc: Document) -> bool:
    """A date claim ('The election took place in 1999.') needs a sentence of the report that dates the event so: a
    compatible date not given as background ('since 1999'), and for a bare year or month, in a sentence that names
    the event (checks.dates.event_dates). A '1999' elsewhere in the report is no evidence."""
    ref = _iso(doc.date)
    claimed = [m for m in dates.extract(claim.text, ref) if not m.background]
    if not claimed:
        return True
    return any(all(any(dates.agree(c, g) for g in given) for c in claimed)
               for given in (dates.event_dates(s.text, claim.event_type or "other", ref) for s in doc.sentences))


def _verifier_conflict(claim: str, support: Support, doc: Document, calibration: Calibration) -> str | None:
    """The verifier reads a sentence on the claim's topic as contradicting it, no passage of the report entails it
    more strongly (a passage that sets a negated sentence beside a copy of the claim is no contradiction), and a hard
    check agrees (support.agreeing_checks)."""
    reading = support.reading
    sentence = doc.sentences[reading.contradicting]
    agreeing = agreeing_checks(claim, reading, sentence.text, _iso(doc.date))
    p = reading.contradiction
    if not agreeing or p < calibration.verifier_contradiction \
            or reading.contradicting_cosine < calibration.verifier_min_cosine:
        return None
    return f"the verifier reads {sentence.id} as contradicting it (p = {p:.2f}): " + \
        "; ".join(check.detail for check in agreeing)


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
        reasons += [r.lacks for r in ranked if r.lacks and r.support.score >= r.threshold]
        best = ranked[0]
        failed = [c.detail for name, c in best.support.document_checks.items()
                  if name in ("numbers", "dates", "entities") and c.verdict in ("absent", "mismatch")]
        reasons.append(f"no source supports it (best: {best.doc.id}, score {best.support.score:.2f}, "
                       f"needs {best.threshold:.2f})" + (": " + "; ".join(failed) if failed else ""))
    elif not reports:
        reasons.append("no source document has any sentence to check against")
    score = supporting[0].support.score if supporting else max((r.support.score for r in reports), default=0.0)
    if status is Status.contradicted:
        score = min(r.support.score for r in contradicting)
    return CheckedClaim(
        pointer=claim.pointer, text=claim.text, status=status, score=round(score, 4),
        evidence=_evidence(shown), reasons=reasons,
        supported_by=[r.doc.id for r in supporting], contradicted_by=[r.doc.id for r in contradicting],
    )


def _evidence(reports: list[_Report]) -> list[Evidence]:
    """Each report's checked sentence first (so both sides of a dispute show), then the rest of their best windows,
    each sentence with its cosine to the claim; at most MAX_EVIDENCE."""
    ordered = [(r, r.evidence) for r in reports]
    picks = [(r, idx[0]) for r, idx in ordered] + [(r, i) for r, idx in ordered for i in idx[1:]]
    return [_evidence_of(r.doc, i, float(r.support.sentence_cosines[i])) for r, i in picks[:MAX_EVIDENCE]]


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

Slot = tuple[str, str]  # (what happened, noun class), e.g. ("killed", "police")


@dataclass(frozen=True)
class _Stated:
    """One figure one report states: the slot it fills, its value and where it is said."""

    slot: Slot
    key: tuple[float, float | None, str]  # "twelve" and "12", "an estimated fifty" and "50" share a key
    text: str
    bounds: tuple[float, float]
    doc_id: str
    sentence_index: int
    sentence_id: str
    reported_by: str | None


def _figure_slot(kind: str | None, noun: str | None) -> Slot | None:
    """'police officers' and 'guards' fill one slot; 'people' fills none (it spans them all)."""
    group = numbers.noun_class(noun)
    if not kind or group in (None, "generic"):
        return None
    return (kind, group)


def _direction(qualifier: str) -> str:
    return {"more_than": ">", "at_least": ">", "less_than": "<", "at_most": "<"}.get(qualifier, "=")


def _written(sentence: Sentence, figure: FigureCandidate, document: Document) -> str:
    """The figure as the source words it: 'dozens of prisoners', '12 police officers'."""
    written = figure.text
    if figure.group and figure.group.lower() not in figure.text.lower():
        at = document.text.find(figure.group, figure.end, sentence.end)
        written = document.text[figure.start:at + len(figure.group)] if 0 <= at - figure.end <= 4 else \
            f"{figure.text} {figure.group}"
    return " ".join(written.split())


def stated_figures(sources: Sources, years: set[int] = frozenset()) -> list[_Stated]:
    """Every counted figure each independent report states (anchors' figure candidates), by slot.

    Left out: figures of generic nouns ('people' spans every slot); sub-counts of a figure in the same slot ('more
    than fifty prisoners escaped, including nine who...'); and figures in sentences that name only years other than
    the event's and the report's own (an earlier prison break, last year's toll).
    """
    canonical = {d.id: d for d in sources.canonical}
    found: list[_Stated] = []
    for figure in find_candidates(sources).figures:
        document, sentence = canonical.get(figure.doc_id), sources.sentence(figure.sentence_id)
        slot = _figure_slot(figure.kind.value, figure.group)
        if document is None or sentence is None or slot is None:
            continue
        allowed = set(years) | ({int(document.date[:4])} if document.date else set())
        named = {int(y) for y in _YEAR.findall(sentence.text)}
        if allowed and named and not named & allowed:
            continue
        before = document.text[sentence.start:figure.start]
        if _SUBCOUNT_BEFORE.search(before) and any(
                s.slot == slot and s.sentence_id == sentence.id for s in found):
            continue
        quantity = numbers.Quantity(figure.value_min, figure.value_max, figure.qualifier, figure.text, figure.start,
                                    figure.end, vague=figure.vague)
        found.append(_Stated(slot, (figure.value_min, figure.value_max, _direction(figure.qualifier)),
                             _written(sentence, figure, document), quantity.bounds(), document.id, sentence.index,
                             sentence.id, figure.reported_by))
    return found


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


@dataclass
class _SlotReport:
    """The values of one slot, each with the statements giving it, and whether the reports differ."""

    slot: Slot
    values: dict[tuple, list[_Stated]]

    @property
    def disputed(self) -> bool:
        """Two or more reports, not all giving the same set of values."""
        given_by: dict[str, set[tuple]] = {}
        for key, stated in self.values.items():
            for s in stated:
                given_by.setdefault(s.doc_id, set()).add(key)
        return len({frozenset(keys) for keys in given_by.values()}) > 1

    @property
    def incompatible(self) -> bool:
        """No single number fits every value given."""
        bounds = [s.bounds for stated in self.values.values() for s in stated]
        return max(b[0] for b in bounds) > min(b[1] for b in bounds)

    def as_contested(self, sources: Sources) -> ContestedSlot:
        return ContestedSlot(
            slot=f"{self.slot[0]}: {self.slot[1]}",
            values=[
                SlotValue(value=stated[0].text, doc_ids=list(dict.fromkeys(s.doc_id for s in stated)),
                          evidence=[_evidence_of(sources.document(s.doc_id), s.sentence_index, 1.0) for s in stated],
                          reported_by=list(dict.fromkeys(s.reported_by for s in stated if s.reported_by)))
                for stated in self.values.values()
            ],
            incompatible=self.incompatible,
        )


def slot_reports(sources: Sources, years: set[int] = frozenset()) -> list[_SlotReport]:
    by_slot: dict[Slot, dict[tuple, list[_Stated]]] = {}
    for stated in stated_figures(sources, years):
        by_slot.setdefault(stated.slot, {}).setdefault(stated.key, []).append(stated)
    return [_SlotReport(slot, values) for slot, values in by_slot.items()]


def contested_slots(sources: Sources, years: set[int] = frozenset()) -> list[ContestedSlot]:
    """Slots where independent reports give different figures, each value with the reports and sentences giving it."""
    return [r.as_contested(sources) for r in slot_reports(sources, years) if r.disputed]


def _figure_bounds(figure: Figure) -> tuple[float, float]:
    written = numbers.extract(figure.text)
    if written:
        return written[0].bounds()
    return (figure.value_min, figure.value_max if figure.value_max is not None else figure.value_min)


def _contest_figure(claim: CheckedClaim, figure: Figure, reports: list[_SlotReport], sources: Sources) -> None:
    """A supported figure is contested when another report gives a value for its slot that cannot also be true; a
    contested one gets those values as its reasons too (what each report gives, beside what read against it)."""
    slot = _figure_slot(figure.kind.value, figure.group)
    bounds = _figure_bounds(figure)
    for report in reports:
        if report.slot != slot:
            continue
        rivals = [stated for stated in report.values.values() if not _overlap(bounds, stated[0].bounds)]
        if not rivals:
            continue
        claim.status = Status.contested
        shown = {e.sentence_id for e in claim.evidence}
        for s in (stated[0] for stated in rivals):
            claim.reasons.append(f"{s.doc_id} ({sources.document(s.doc_id).label}) gives {s.text!r} "
                                 f"for {slot[0]} {slot[1]}")
            evidence = _evidence_of(sources.document(s.doc_id), s.sentence_index, 1.0)
            if evidence.sentence_id not in shown:
                claim.evidence.append(evidence)
            claim.contradicted_by = list(dict.fromkeys([*claim.contradicted_by, s.doc_id]))


# --- a structured summary ----------------------------------------------------------------------------------------------
def verify(
    summary: EventSummary | Draft,
    sources: Sources,
    meta: RunMeta | None = None,
    *,
    calibration: Calibration | None = None,
    encode: Encode | None = None,
    judge: Judge | None = None,
) -> VerifiedSummary:
    """Check every field of `summary` against `sources`; list the slots the sources disagree on."""
    if isinstance(summary, Draft):
        summary, meta = summary.summary, meta or summary.meta
    claims = summary_claims(summary, sources)
    composed = _composed_from(summary, meta)
    if composed is not None:  # its facts are checked as their own fields; it takes their statuses (composed_claim)
        claims = [c for c in claims if c.pointer != "/bottom_line"]
    checked = check_claims(claims, sources, calibration=calibration, encode=encode, judge=judge)
    years = {int(summary.date.value[:4])} if summary.date else set()
    reports = slot_reports(sources, years)
    for claim in checked:
        if claim.pointer.startswith("/figures/") and claim.status in (Status.supported, Status.contested):
            _contest_figure(claim, summary.figures[int(claim.pointer.rsplit("/", 1)[1])], reports, sources)
    if composed is not None:
        after = sum(c.pointer == "/headline" for c in checked)
        checked.insert(after, composed_claim(summary.bottom_line, composed, checked))
    return VerifiedSummary(summary=summary, claims=checked, contested=[r.as_contested(sources) for r in reports
                                                                        if r.disputed],
                           faithfulness=faithfulness(checked), sources=sources, meta=meta)


def summary_claims(summary: EventSummary, sources: Sources) -> list[ClaimInput]:
    """The summary's claims, its date and place naming the event as its reports do."""
    return claims_from_summary(summary, event_noun(summary.event_type, (s.text for s in sources.sentences())))


def _composed_from(summary: EventSummary, meta: RunMeta | None) -> list[str] | None:
    """The pointers the bottom line was composed from (draft.bottom_line), when it is a composed one: composing it
    again from the pointers the run metadata names, or from every fact (a summary read without its metadata), gives
    the same text. None for free text."""
    for usable in ([set(meta.bottom_line_from)] if meta else []) + [None]:
        text, used = compose_bottom_line(summary, usable)
        if text == summary.bottom_line:
            return used
    return None


_WORST_FIRST = (Status.contradicted, Status.unsupported, Status.contested, Status.supported, Status.inferred)


def composed_claim(text: str, pointers: Sequence[str], checked: Sequence[CheckedClaim]) -> CheckedClaim:
    """The claim of a bottom line composed from other fields (draft.bottom_line): it fuses facts several reports give,
    which no one report states as such, so it is not checked as free text but takes the statuses of the fields it
    was composed from: flagged if one is, contested if one is, supported if any part is (an inferred region beside
    it stays inferred only when nothing else was checked); with each part's evidence and reasons, and its parts named."""
    parts = [c for c in checked if c.pointer in set(pointers)]
    status = next((s for s in _WORST_FIRST if any(c.status is s for c in parts)), Status.not_stated)
    evidence = list({e.sentence_id: e for c in parts for e in c.evidence[:1]}.values())[:2 * MAX_EVIDENCE]
    reasons = ["composed from the fields " + ", ".join(f"{c.pointer} ({c.status.value})" for c in parts)
               + ", each checked on its own"] if parts else ["composed from no checked field"]
    reasons += [f"{c.pointer}: {r}" for c in parts if c.status is not Status.supported for r in c.reasons]
    scored = [c.score for c in parts if c.status is not Status.inferred]
    return CheckedClaim(pointer="/bottom_line", text=text, status=status, score=min(scored, default=0.0),
                        evidence=evidence, reasons=reasons,
                        supported_by=list(dict.fromkeys(d for c in parts for d in c.supported_by)),
                        contradicted_by=list(dict.fromkeys(d for c in parts for d in c.contradicted_by)))


def flagged_fields(verified: VerifiedSummary) -> list[Flag]:
    """The fields the checker flagged (unsupported or contradicted), as plain data for the draft stage's repair: the
    draft stage imports nothing of verify."""
    return [Flag(pointer=c.pointer, status=c.status.value, reasons=c.reasons,
                 evidence=[e.sentence_id for e in c.evidence])
            for c in verified.claims if c.status in (Status.unsupported, Status.contradicted)]


def faithfulness(claims: Sequence[CheckedClaim]) -> Faithfulness:
    """Supported / checkable claims. Contested claims count as supported: at least one report states them; a claim
    not stated or inferred is not checkable."""
    counts = {status.value: sum(c.status is status for c in claims) for status in Status}
    checkable = len(claims) - counts[Status.not_stated.value] - counts[Status.inferred.value]
    supported = counts[Status.supported.value] + counts[Status.contested.value]
    return Faithfulness(supported=supported, checkable=checkable,
                        score=round(supported / checkable, 4) if checkable else 1.0, counts=counts)
