"""Pure formatting helpers the note templates use: citation numbers, field labels, status marks, escaping.

They only reshape what is in a VerifiedSummary for display; no checking or deciding happens here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum

from pydantic import BaseModel

from summarizer.schema import Actor, Claim, EventDate, EventSummary, Figure, Location, Note, Stance
from summarizer.sources import Document, Sources
from summarizer.verify import CheckedClaim, Evidence, Status, VerifiedSummary

STATUS_ICONS = {
    Status.supported: "✓",
    Status.contested: "⚖",
    Status.unsupported: "⚠",
    Status.contradicted: "✗",
    Status.not_stated: "—",
    Status.inferred: "≈",
}
FLAGGED = frozenset({Status.unsupported, Status.contradicted})
NOTE_POINTERS = ("/headline", "/bottom_line")
"""Fields shown as the note's own title and lead rather than as rows of the key-facts table."""

_SECTION_LABELS = {
    "headline": "Headline",
    "bottom_line": "Bottom line",
    "event_type": "Event type",
    "date": "Date",
    "location": "Location",
    "actors": "Actor",
    "figures": "Figure",
    "claims": "Claim",
    "aftermath": "Aftermath",
    "related_events": "Related event",
    "key_points": "Key point",
}


def is_flagged(status: Status) -> bool:
    return status in FLAGGED


def status_class(status: Status) -> str:
    """A CSS class name for the status ('not stated' has a space)."""
    return status.value.replace(" ", "-")


def report_numbers(sources: Sources) -> dict[str, int]:
    """Citation number of every document: reports are numbered 1.. in order, and a capture shares its report's."""
    numbers = {doc.id: n for n, doc in enumerate(sources.canonical, 1)}
    for doc in sources.documents:
        if doc.duplicate_of in numbers:
            numbers[doc.id] = numbers[doc.duplicate_of]
    return numbers


def cite_numbers(evidence: Iterable[Evidence], sources: Sources) -> list[int]:
    """The distinct report numbers a list of evidence cites, in order."""
    numbers = report_numbers(sources)
    return sorted({numbers[e.doc_id] for e in evidence if e.doc_id in numbers})


def as_cited(reason: str, sources: Sources) -> str:
    """A reason as the note cites: verify names documents by id ('d3 (Communities Digital News) gives ...'), the
    note by report number ('[2] (Communities Digital News) gives ...')."""
    numbers = report_numbers(sources)
    return re.sub(r"\bd\d+\b", lambda m: f"[{numbers[m[0]]}]" if m[0] in numbers else m[0], reason)


def report_label(doc_id: str, sources: Sources) -> str:
    """How the note names a report: the first outlet any capture of it gives, else its title or file name."""
    docs = [sources.document(i) for i in sources.reports_of(doc_id)]
    return next((d.outlet for d in docs if d.outlet), docs[0].label)


def reporters(doc_ids: Iterable[str], sources: Sources) -> list[tuple[int, str]]:
    """(number, label) of each distinct report among `doc_ids`: two captures of one report count once."""
    numbers = report_numbers(sources)
    seen: dict[int, str] = {}
    for doc_id in doc_ids:
        if doc_id in numbers and numbers[doc_id] not in seen:
            seen[numbers[doc_id]] = report_label(doc_id, sources)
    return sorted(seen.items())


def captures(doc: Document, sources: Sources) -> list[Document]:
    """Near-duplicate copies of a canonical report."""
    return [d for d in sources.documents if d.duplicate_of == doc.id]


def evidence_ids(evidence: Iterable[Evidence]) -> str:
    """Sentence ids for a `data-evidence` attribute, each once: 'd2:5 d1:3'."""
    return " ".join(dict.fromkeys(e.sentence_id for e in evidence))


def span_id(sentence_id: str) -> str:
    """The HTML id of a cited sentence's span: 'd2:5' -> 's-d2-5'."""
    return "s-" + sentence_id.replace(":", "-")


def claims_at(claims: Iterable[CheckedClaim], pointer: str) -> list[CheckedClaim]:
    """The claims checked for one field (free text such as the bottom line gives one per sentence)."""
    return [c for c in claims if c.pointer == pointer]


def _cited_evidence(vs: VerifiedSummary) -> list[Evidence]:
    slots = [e for slot in vs.contested for value in slot.values for e in value.evidence]
    return [e for claim in vs.claims for e in claim.evidence] + slots


def segments(doc: Document, vs: VerifiedSummary) -> list[tuple[str, str | None, str | None]]:
    """The document text cut into (piece, sentence id, removal reason) so a template can mark both kinds.

    Every cited sentence of the document becomes its own piece, taken at the evidence's exact offsets so the
    highlighted text is exactly what was checked; text ingest set aside as boilerplate becomes a piece with its
    reason. Overlapping spans (never expected: boilerplate yields no sentences) keep the earlier one whole.
    """
    cited = {e.sentence_id: (e.start, e.end) for e in _cited_evidence(vs) if e.doc_id == doc.id}
    marks = [(start, end, sentence_id, None) for sentence_id, (start, end) in cited.items()]
    marks += [(r.start, r.end, None, r.reason) for r in doc.removed]
    pieces: list[tuple[str, str | None, str | None]] = []
    cursor = 0
    for start, end, sentence_id, reason in sorted(marks, key=lambda mark: mark[:2]):
        if start < cursor or end > len(doc.text):
            continue
        if start > cursor:
            pieces.append((doc.text[cursor:start], None, None))
        pieces.append((doc.text[start:end], sentence_id, reason))
        cursor = end
    if cursor < len(doc.text):
        pieces.append((doc.text[cursor:], None, None))
    return pieces


def has_evidence(doc: Document, vs: VerifiedSummary) -> bool:
    return any(e.doc_id == doc.id for e in _cited_evidence(vs))


def _resolve(summary: EventSummary, pointer: str) -> object:
    """The value a JSON pointer names in the summary, or None when it names nothing."""
    target: object = summary
    for part in pointer.strip("/").split("/"):
        if isinstance(target, BaseModel):
            target = getattr(target, part, None)
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            return None
    return target


def _words(name: str) -> str:
    return name.replace("_", " ")


def field_label(claim: CheckedClaim, summary: EventSummary) -> str:
    """A person's name for the field a claim checks: 'Killed: police officers', 'Actor (authority)', 'Date'."""
    target = _resolve(summary, claim.pointer)
    if isinstance(target, Figure):
        return f"{_words(target.kind.value).capitalize()}: {target.group}"
    if isinstance(target, Actor):
        return f"Actor ({_words(target.role.value)})"
    if isinstance(target, Claim):
        return f"Claim by {target.claimant}"
    parts = claim.pointer.strip("/").split("/")
    label = _SECTION_LABELS.get(parts[0], _words(parts[0]).capitalize())
    if len(parts) > 1 and not parts[-1].isdigit():
        label += f": {_words(parts[-1])}"
    return label


def field_value(claim: CheckedClaim, summary: EventSummary) -> str:
    """The summary's value for a claim, in words; '' when the summary gives none (a not-stated field).

    Free text (notes, the bottom line) is checked sentence by sentence, so its claims show their own sentence.
    """
    target = _resolve(summary, claim.pointer)
    match target:
        case EventDate():
            return f"{target.text} ({target.value})"
        case Location():
            return ", ".join(p for p in (target.place, target.region, target.country) if p)
        case Actor():
            return target.name
        case Figure():
            return target.text + (f", per {target.reported_by}" if target.reported_by else "")
        case Claim():
            return ("denies: " if target.stance is Stance.denies else "") + target.statement
        case Note():
            return claim.text or target.text
        case Enum():
            return _words(str(target.value))
        case str() | int():
            return claim.text or str(target)
    return claim.text


def repairs_done(meta) -> str:
    """What the repair step did, in words: '3 fields the check flagged in the first draft (2 rewritten, 1 replaced by
    its source sentence)'; '' when nothing was repaired. A field repaired twice counts once, by what it ended as."""
    final = {r.pointer: r.action.value for r in (meta.repairs if meta else [])}
    if not final:
        return ""
    counts = {action: list(final.values()).count(action) for action in dict.fromkeys(final.values())}
    said = ", ".join(f"{n} {action.replace('source sentence', 'source sentence' if n == 1 else 'source sentences')}"
                     for action, n in counts.items())
    return f"{len(final)} field{'s' if len(final) != 1 else ''} the check flagged in the first draft ({said})"


def seconds(value: float) -> str:
    if value >= 90:
        return f"{int(value // 60)} min {round(value % 60)} s"
    return f"{value:.1f} s" if value >= 1 else f"{value:.2f} s"


class MdSafe(str):
    """Markdown the templates built themselves (already escaped); the Markdown finalizer passes it through."""


def _one_line(text: str) -> str:
    """Line breaks would end a table row or list item early: every run of whitespace becomes one space."""
    return re.sub(r"\s+", " ", text)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md_escape(value: object) -> str:
    """Make text inert in Markdown: one line, with every character that could start markup backslash-escaped.

    Applied to every `{{ }}` output of the Markdown template (as Jinja's finalize), so a source's `<script>`,
    `[link](...)`, table pipe or heading cannot become markup in whoever's viewer opens the note.
    """
    if isinstance(value, MdSafe):
        return value
    return _MD_SPECIAL.sub(r"\\\1", _one_line(str(value)))


def trusted(value: str) -> MdSafe:
    """Mark Markdown a template built itself (a macro's output, whose own `{{ }}` were escaped) as final."""
    return MdSafe(value)


def md_code(value: object) -> MdSafe:
    """An inline code span that holds any text: the fence is longer than any backtick run inside it."""
    text = _one_line(str(value)).strip()
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return MdSafe(f"{fence}{pad}{text}{pad}{fence}")


FILTERS = {
    "status_class": status_class,
    "cite_numbers": cite_numbers,
    "as_cited": as_cited,
    "reporters": reporters,
    "captures": captures,
    "evidence_ids": evidence_ids,
    "span_id": span_id,
    "claims_at": claims_at,
    "segments": segments,
    "has_evidence": has_evidence,
    "field_label": field_label,
    "field_value": field_value,
    "seconds": seconds,
    "repairs_done": repairs_done,
    "md_code": md_code,
    "trusted": trusted,
}
TESTS = {"flagged": is_flagged}
