"""score: how faithful is any summary (ours or anyone's) to its sources, claim by claim.

Every kind of summary becomes a list of claims and goes through the one checker our own drafts go through
(`verify.check_claims`): our EventSummary JSON (bare, or inside a Draft or VerifiedSummary) by its schema, any other
JSON by its string leaves, and text or Markdown by sentence. `score_pairs` does the same for a JSONL stream of
(document, summary) pairs, as eval runs need: documents are read and embedded once, claims are embedded in batches,
and a run that stops can be resumed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from summarizer.claims import ClaimInput, split_sentences
from summarizer.files import stays_inside
from summarizer.draft import Draft
from summarizer.judge import Judge
from summarizer.schema import EventSummary
from summarizer.sources import Sources
from summarizer.support import Calibration
from summarizer.verify import CheckedClaim, VerifiedSummary, check_claims, faithfulness, summary_claims, verify

SummaryInput = str | dict | list | EventSummary | Draft | VerifiedSummary | Path
PAIRS_BATCH = 32  # pairs whose sentences and claims are embedded in one call


class FaithfulnessReport(BaseModel):
    """Every claim of one summary with its status, support score and evidence, and the verdict on the whole."""

    claims: list[CheckedClaim]
    score: float = Field(description="supported / checkable claims (contested counts as supported); 1.0 if none")
    counts: dict[str, int] = Field(description="claims per status")
    threshold: float = Field(description="support score at or above which a claim counts as supported")
    supported: bool = Field(description="true when no checkable claim is unsupported or contradicted")


# --- any summary -> claims ------------------------------------------------------------------------------------------
def claims_of(summary: SummaryInput) -> EventSummary | list[ClaimInput]:
    """What to check: our EventSummary (checked field by field by `verify`) or the claims of any other summary.
    A `Path` is read by its suffix (.json; anything else is text or Markdown)."""
    if isinstance(summary, Path):
        return claims_of(read_summary(summary))
    if isinstance(summary, (Draft, VerifiedSummary)):
        return summary.summary
    if isinstance(summary, EventSummary):
        return summary
    if isinstance(summary, str):
        claims = text_claims(summary)
    elif isinstance(summary, (dict, list)):
        claims = _event_summary_in(summary) or json_claims(summary)
    else:
        raise TypeError(f"cannot score a {type(summary).__name__}: give text, a JSON value or an EventSummary")
    if not claims:  # an empty summary is not a faithful one: say so rather than score it 1.0
        raise ValueError("the summary makes no claim: no sentence (text) or string (JSON) in it")
    return claims


def read_summary(path: Path) -> str | dict | list:
    """A summary file as text or parsed JSON; errors name the file and say what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: cannot read the summary: {err}") from None
    if path.suffix.lower() != ".json":
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: invalid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None


def _event_summary_in(value: dict | list) -> EventSummary | None:
    """Our schema, when the JSON is an EventSummary or wraps one as `summary` (Draft, VerifiedSummary).

    Recognised by its keys, then validated strictly: a broken summary.json is an error, not a bag of strings.
    """
    if not isinstance(value, dict):
        return None
    inner = value.get("summary")
    candidate = inner if isinstance(inner, dict) and "event_type" in inner else value
    if "event_type" in candidate and "headline" in candidate:
        return EventSummary.model_validate(candidate)
    return None


def json_claims(value: Any, pointer: str = "") -> list[ClaimInput]:
    """Each string leaf of any JSON value, sentence by sentence, pointing at the leaf (RFC 6901 JSON pointer)."""
    if isinstance(value, str):
        return [ClaimInput(pointer, sentence) for sentence in split_sentences(value)]
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []  # numbers, booleans and null state nothing a sentence can support
    return [
        claim
        for key, item in items
        for claim in json_claims(item, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    ]


def text_claims(text: str) -> list[ClaimInput]:
    """Each sentence of a text or Markdown summary (markup stripped), pointer `/<n>`: its place in the summary.

    Plain text is Markdown without markup, so both go through one CommonMark parser (markdown-it, already installed
    with rich): list items, hard-wrapped paragraphs, emphasis and links come out as plain sentences. Section headings
    below the title that are short labels ("## Key points") are structure, not claims, as in ingest.
    """
    from summarizer.ingest import SHORT_SECTION_HEADING_WORDS

    sentences = [
        sentence
        for block, level in _markdown_blocks(text)
        if not (level >= 2 and len(block.split()) <= SHORT_SECTION_HEADING_WORDS)
        for sentence in split_sentences(block)
    ]
    return [ClaimInput(f"/{i}", sentence) for i, sentence in enumerate(sentences)]


def _markdown_blocks(text: str) -> Iterator[tuple[str, int]]:
    """(plain text, heading level or 0) for each paragraph, heading, list item, code block and table row."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark", {"html": False}).enable("table").parse(text)
    row: list[str] = []
    for previous, token in zip([None, *tokens], tokens):
        if token.type in ("code_block", "fence"):
            yield token.content, 0
        elif token.type == "inline" and previous is not None:
            plain = "".join(
                " " if child.type in ("softbreak", "hardbreak") else child.content for child in token.children or []
            ).strip()
            if previous.type == "td_open":
                row.append(plain)
            elif previous.type == "heading_open":
                yield plain, int(previous.tag[1])
            elif previous.type != "th_open":  # a table's header row labels columns and claims nothing
                yield plain, 0
        elif token.type == "tr_close" and row:
            yield "; ".join(cell for cell in row if cell), 0
            row = []


# --- sources ----------------------------------------------------------------------------------------------------------
def as_sources(sources: Sources | str | os.PathLike | None = None, document: str | list[str] | None = None) -> Sources:
    """Sources from a Sources object, a file or folder path, or the text of one or more documents (`document`)."""
    if (sources is None) == (document is None):
        raise ValueError("give either sources (a Sources object or a path) or document (text), not both or neither")
    if isinstance(sources, Sources):
        return sources
    if sources is not None:
        from summarizer.ingest import load_sources

        return load_sources(sources)
    return _sources_from_texts(tuple([document] if isinstance(document, str) else document))


@lru_cache(maxsize=256)
def _sources_from_texts(texts: tuple[str, ...]) -> Sources:
    """Cached because eval pairs share documents (several summaries of one article)."""
    from summarizer.ingest import sources_from_texts

    return sources_from_texts(texts)


@lru_cache(maxsize=64)
def _sources_at(path: Path) -> Sources:
    from summarizer.ingest import load_sources

    return load_sources(path)


# --- scoring ----------------------------------------------------------------------------------------------------------
def threshold(calibration: Calibration | None = None) -> float:
    """The calibrated support threshold (calibration.toml, or `calibration`) that calls a claim supported."""
    from summarizer.support import default_calibration

    return (calibration or default_calibration()).threshold


def check(claims: EventSummary | list[ClaimInput], sources: Sources, judge: Judge | None = None,
          calibration: Calibration | None = None) -> FaithfulnessReport:
    """Our schema goes through `verify` (figures the sources disagree on become contested); other claims through
    `check_claims`. Either way the summary-level numbers are verify's `faithfulness`."""
    checked = (verify(claims, sources, judge=judge, calibration=calibration).claims
               if isinstance(claims, EventSummary)
               else check_claims(claims, sources, judge=judge, calibration=calibration))
    overall = faithfulness(checked)
    return FaithfulnessReport(
        claims=checked,
        score=overall.score,
        counts=overall.counts,
        threshold=threshold(calibration),
        supported=overall.supported == overall.checkable,
    )


def score(
    summary: SummaryInput,
    sources: Sources | str | os.PathLike | None = None,
    *,
    document: str | list[str] | None = None,
    judge: Judge | None = None,
    calibration: Calibration | None = None,
) -> FaithfulnessReport:
    """Check every claim of `summary` against `sources` (a Sources object or a path) or against `document` text;
    with a `judge` (summarizer.judge.Judge.load()), claim text is also read by the generator; `calibration`
    (Calibration.load(path), e.g. from `summarizer calibrate`) replaces calibration.toml."""
    return check(claims_of(summary), as_sources(sources, document), judge, calibration)


# --- JSONL pairs ------------------------------------------------------------------------------------------------------
@dataclass
class _Pair:
    line: int
    id: Any
    record: dict | None = None
    claims: EventSummary | list[ClaimInput] | None = None
    sources: Sources | None = None
    error: str | None = None


def id_key(pair_id: Any) -> str:
    """Ids compare as JSON, so 7 and "7" stay different ids."""
    return json.dumps(pair_id, sort_keys=True)


def _read_pair(line_number: int, line: str) -> _Pair:
    """Just the JSON and its id (default: the line number), cheap enough to run on lines a resumed run skips."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return _Pair(line_number, line_number, error=f"line {line_number}: invalid JSON: {err.msg}")
    if not isinstance(record, dict):
        return _Pair(line_number, line_number, error=f"line {line_number}: expected a JSON object")
    return _Pair(line_number, record.get("id", line_number), record)


def _prepare(pair: _Pair, base: Path, sources_root: Path) -> None:
    """The pair's sources and claims, or the reason it cannot be scored: one bad pair never stops a run. A
    `sources` path is read only inside `sources_root`: a pairs file from elsewhere must not reach other files."""
    record = pair.record
    try:
        if "summary" not in record:
            raise ValueError("no 'summary'")
        sources, document = record.get("sources"), record.get("document")
        if isinstance(sources, list):  # the documents' texts, inline
            sources, document = None, [str(text) for text in sources]
        elif isinstance(sources, str):
            if not stays_inside(base / sources, sources_root):
                raise ValueError(f"'sources' {sources!r} is outside {sources_root}, the folder pairs may read "
                                 "(--sources-root)")
            sources = _sources_at((base / sources).resolve())
        elif sources is not None:
            raise ValueError("'sources' must be a path (relative to the pairs file) or a list of document texts")
        elif not isinstance(document, str):
            raise ValueError("give 'document' (text) or 'sources' (a path or a list of texts)")
        pair.sources = as_sources(sources, document)
        if not pair.sources.documents:
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in pair.sources.skipped) or "no text"
            raise ValueError(f"no readable source document ({reasons})")
        pair.claims = claims_of(record["summary"])
    except (OSError, ValueError, TypeError) as err:  # unreadable sources, malformed summary (ValidationError too)
        pair.error = f"line {pair.line}: {err}"


def _prefetch_embeddings(pairs: list[_Pair]) -> None:
    """Embed the batch's new sentences and claims in one batched call; the checker then finds them memoised."""
    from summarizer.embed import Embedder

    texts = [s.text for p in pairs if p.sources and p.error is None for s in p.sources.sentences()]
    texts += [c.text for p in pairs if p.error is None for c in _claim_list(p.claims, p.sources) if c.stated]
    if texts:  # a batch of error lines needs no model
        Embedder.load().encode(list(dict.fromkeys(texts)))


def _claim_list(claims: EventSummary | list[ClaimInput], sources: Sources) -> list[ClaimInput]:
    return summary_claims(claims, sources) if isinstance(claims, EventSummary) else claims


def score_pairs(
    lines: Iterable[str], *, base: Path = Path("."), skip: Collection[str] = (), batch_size: int = PAIRS_BATCH,
    judge: Judge | None = None, calibration: Calibration | None = None, sources_root: Path | None = None,
) -> Iterator[dict]:
    """One result per input line, in order: `{"id", "claims", "score", "counts", "threshold", "supported"}` or
    `{"id", "error"}`. Lines whose id (see `id_key`) is in `skip` are passed over; a repeated id is an error.
    A line's `sources` path is relative to `base` and must lie inside `sources_root` (default: `base`)."""
    threshold(calibration)  # a missing or stale calibration stops the run here, rather than failing every pair
    seen: set[str] = set()  # ids met in this pass: a repeat is an error even when the first was scored before
    batch: list[_Pair] = []

    def flush() -> Iterator[dict]:
        _prefetch_embeddings(batch)
        for pair in batch:
            if pair.error is None:
                try:
                    yield {"id": pair.id,
                           **check(pair.claims, pair.sources, judge, calibration).model_dump(mode="json")}
                    continue
                except Exception as err:  # noqa: BLE001 - one pair the checker chokes on must not end a long run
                    pair.error = f"line {pair.line}: checking failed: {type(err).__name__}: {err}"
            yield {"id": pair.id, "error": pair.error}
        batch.clear()

    for line_number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        pair = _read_pair(line_number, line)
        key = id_key(pair.id)
        if key in seen:
            pair.error = f"line {line_number}: id {pair.id!r} appears more than once in the input"
        elif key in skip:
            seen.add(key)
            continue
        seen.add(key)
        if pair.error is None:
            _prepare(pair, base, sources_root or base)
        batch.append(pair)
        if len(batch) >= batch_size:
            yield from flush()
    yield from flush()


def finished_ids(out: Path) -> set[str]:
    """Ids already scored in `out`. Error lines and a line cut short by a crash are dropped from the file (atomically)
    so a rerun appends exactly the pairs still to do, and every id ends up in the file once."""
    from summarizer.files import atomic_write

    if not out.exists():
        return set()
    kept: list[str] = []
    done: set[str] = set()
    raw = out.read_text(encoding="utf-8")
    for line in raw.splitlines(keepends=True):
        try:
            result = json.loads(line) if line.endswith("\n") else None
        except json.JSONDecodeError:
            result = None
        if isinstance(result, dict) and "id" in result and "error" not in result and id_key(result["id"]) not in done:
            done.add(id_key(result["id"]))
            kept.append(line)
    if "".join(kept) != raw:
        atomic_write(out, "".join(kept))
    return done


def score_pairs_file(
    pairs: Path,
    out: Path | None = None,
    on_result: Callable[[dict], None] = lambda _: None,
    skip: Collection[str] | None = None,
    judge: Judge | None = None,
    calibration: Calibration | None = None,
    sources_root: Path | None = None,
) -> Counter:
    """Score a JSONL file of pairs; with `out`, append each result line to it as soon as it is ready (flushed, so a
    crash loses at most the line being written) after skipping the ids it already holds (`finished_ids(out)` unless
    `skip` is given), so a rerun resumes. `on_result` sees every new result (progress, printing). `sources` paths
    must lie inside `sources_root` (default: the pairs file's folder).
    Returns counts of scored, errors and skipped lines."""
    if skip is None:
        skip = finished_ids(out) if out else set()
    tally: Counter = Counter(scored=0, errors=0, skipped=len(skip))
    # errors="replace": a line that is not UTF-8 fails as invalid JSON, with its line number, like any bad line
    with pairs.open(encoding="utf-8", errors="replace") as lines, \
            (out.open("a", encoding="utf-8") if out else nullcontext()) as sink:
        for result in score_pairs(lines, base=pairs.parent, skip=skip, judge=judge, calibration=calibration,
                                  sources_root=sources_root):
            if sink is not None:
                sink.write(json.dumps(result, ensure_ascii=False) + "\n")
                sink.flush()
            tally["errors" if "error" in result else "scored"] += 1
            on_result(result)
    return tally


def count_lines(path: Path) -> int:
    """Non-blank lines: the progress bar's total (a fast pass; the scoring pass streams)."""
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())
