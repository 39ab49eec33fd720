"""draft: sources + candidates + a backend -> Draft (a schema-valid EventSummary with citations and run metadata).

The model proposes, the text anchors it. What the pinned small models do well, measured on the seeds, is write:
condense a speaker's sentences into a claim, write a headline; and pick the place
and event type among the few candidates the text offers (the date they picked worse than a count of the sentences
giving each day, so the count decides it: see Options.event_date). What they do badly is judge a list:
asked which of 31 numbers belong to the main event, the 0.5B model labels all of them alike (with a JSON map, per
item, with or without the sources in context) and the 1.5B model gets about 9 of 11; asked for actors' roles, the
0.5B model answers 'perpetrator' for every speaker. So the structure comes from `anchors` and a few documented rules here
(a sentence that names another place or date than the main event's is about another event; figures keep the value,
group, reporter and sentence they were read from), and the model writes and chooses:

  over the cached sources prefix (system + the sources, then one short task each): event type, place, region,
  country (one call), then the headline;
  over short prompts of their own: one claim per main speaker (these and the headline are one call, which a backend
  may decode side by side; `writer` may give them to a larger model than the one that chose).

A note (key point, aftermath, related event) is its source sentence itself, cut at a sentence or clause end when too
long: the 0.5B model's restatements of one sentence changed its meaning ("at the same time as the prison break" became
"during prison break") or its grammar ("Al Khalis has been imposed on curfew") and cost half the writing time.

The bottom line is not written by the model: it is composed from the facts (`bottom_line`: what, where, when, each
reporter's toll, who claims it), and RunMeta.bottom_line_from says which fields it was composed from. After verify,
`repair` takes the fields the checker flagged (plain data: pointer, status, reasons, evidence sentence ids) and
rewrites them once with their evidence, or puts the source sentence in their place, or drops them.

Nothing the model writes carries a number or a ranking word ('largest') its cited sentences do not state: such
text falls back to the source sentence itself. `strategy="single"` is the measured alternative: one constrained call
for the whole schema.

The stages, one module each: `prompts` (the templates), `selection` (what the model is shown), `scope` (the main
event and which sentences are about it), `speakers` and `figures` (the rules), `writing` (the backend session and the
guard on written text), `strategies` (the two ways to fill the schema), `bottom_line` (its composition), `repair`
(flagged fields, once); here, `generate` and what it returns.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from summarizer.anchors import Candidates, find_candidates
from summarizer.backends import DEFAULT_BACKEND, Backend, load_backend
from summarizer.draft.bottom_line import NOTHING, compose_bottom_line
from summarizer.draft.limits import LIMITS
from summarizer.draft.prompts import prompt_version
from summarizer.draft.repair import Action, Flag, Repair, repair
from summarizer.draft.selection import select_sentences
from summarizer.draft.strategies import draft_sections, draft_single
from summarizer.draft.text import norm
from summarizer.draft.valid import log, why
from summarizer.draft.writing import CallStats, GenerationError, Session
from summarizer.lock import load_lock
from summarizer.schema import SCHEMA_VERSION, EventSummary
from summarizer.sources import Sources

DEFAULT_MODEL = "generator"
STRATEGIES = ("sections", "single")
DEFAULT_STRATEGY = "sections"
DEFAULT_SOURCE_BUDGET = 3000  # tokens of numbered sources shown to the model; the seeds' three reports take ~2,300

__all__ = ["DEFAULT_MODEL", "DEFAULT_SOURCE_BUDGET", "DEFAULT_STRATEGY", "STRATEGIES", "Action", "CallStats", "Draft",
           "Flag", "GenerationError", "ModelInfo", "Repair", "RunMeta", "generate", "model_info", "repair"]


class ModelInfo(BaseModel):
    role: str
    repo_id: str
    sha256: str
    backend: str


class RunMeta(BaseModel):
    """How a draft was made, so a note can say it and a batch can tell whether a rerun is needed."""

    model: ModelInfo
    prompt_version: str
    schema_version: str
    prompt_tokens: int = 0
    generated_tokens: int = 0
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per step")
    left_out: list[str] = Field(default_factory=list, description="sentence ids not shown to the model (budget)")
    withheld: list[str] = Field(default_factory=list,
                                description="sentence ids not shown because they address the model (prompt injection)")
    strategy: str = DEFAULT_STRATEGY
    cached_tokens: int = Field(default=0, description="prompt tokens reused from an earlier call (prefix cache)")
    calls: list[CallStats] = Field(default_factory=list)
    stages: dict[str, float] = Field(
        default_factory=dict, description="wall seconds per stage of the whole line (ingest ... verify), set by brief"
    )
    embedder: ModelInfo | None = Field(default=None, description="the sentence embedder verify searched evidence with")
    judge: ModelInfo | None = Field(default=None, description="the entailment judge verify also asked (--judge)")
    writer: ModelInfo | None = Field(default=None, description="the model that wrote the free text (headline, claims, "
                                     "repairs) while `model` made the choices; None: `model` wrote it too")
    bottom_line_from: list[str] = Field(
        default_factory=list, description="JSON pointers of the fields the bottom line was composed from (verify gives "
        "it their statuses); empty when it is free text")
    repairs: list[Repair] = Field(default_factory=list, description="what the repair step changed after verify, "
                                  "and why")
    first_draft: EventSummary | None = Field(default=None, description="the summary before repair (only when "
                                             "something was repaired)")


class Draft(BaseModel):
    summary: EventSummary
    meta: RunMeta


# --- clean-up --------------------------------------------------------------------------------------------------------
def _dedupe(items: list, key: Callable[[Any], str]) -> list:
    seen: set[str] = set()
    return [i for i in items if not (key(i) in seen or seen.add(key(i)))]


def _clean(out: dict, sources: Sources) -> dict:
    """No duplicated list item, no citation of a sentence the sources do not have, every list within its limit."""
    known = {s.id for s in sources.sentences(canonical_only=False)}
    keys = {"actors": lambda a: norm(a.name), "figures": lambda f: json.dumps([f.kind, f.value_min, f.value_max,
                                                                              f.group, f.reported_by, f.text]),
            "claims": lambda c: norm(c.claimant + " " + c.statement)}
    seen_text: set[str] = set()
    for field, limit in LIMITS.items():
        items = [i.model_copy(update={"citations": list(dict.fromkeys(c for c in i.citations if c in known))})
                 for i in out.get(field, [])]
        if field in keys:
            items = _dedupe(items, keys[field])
        else:  # notes: one text once across key points, aftermath and related events
            items = [n for n in items if not (norm(n.text) in seen_text or seen_text.add(norm(n.text)))]
        out[field] = items[:limit]
    for field in ("date", "location"):
        if out.get(field):
            item = out[field]
            out[field] = item.model_copy(update={"citations": [c for c in item.citations if c in known]})
    return out


def _summary(out: dict) -> EventSummary:
    """The EventSummary of the cleaned fields. A list item or an optional field (date, location) the schema cannot
    hold is logged with why and dropped, and the rest is validated again; only a required field that does not fit
    (headline, bottom line, event type) stops the draft."""
    for _ in range(1 + sum(len(v) for v in out.values() if isinstance(v, list)) + 2):
        try:
            return EventSummary.model_validate(out)
        except ValidationError as err:
            first = err.errors()[0]
            loc = first["loc"]
            field = str(loc[0]) if loc else ""
            if field in LIMITS and len(loc) > 1 and isinstance(loc[1], int):
                log.warning("dropped %s item %d of the draft: %s", field, loc[1], why(err))
                out[field] = [item for i, item in enumerate(out[field]) if i != loc[1]]
            elif field in ("date", "location"):
                log.warning("dropped the draft's %s: %s", field, why(err))
                out[field] = None
            else:
                raise GenerationError(f"the draft does not fit the schema: {str(err).splitlines()[0]}") from err
    raise GenerationError("the draft does not fit the schema")


# --- the whole stage ---------------------------------------------------------------------------------------------------
def model_info(role: str, backend: str) -> ModelInfo:
    pin = load_lock()[role]
    return ModelInfo(role=role, repo_id=pin.repo_id, sha256=pin.sha256, backend=backend)


def generate(
    sources: Sources,
    model: str = DEFAULT_MODEL,
    *,
    backend: str | Backend = DEFAULT_BACKEND,
    strategy: str = DEFAULT_STRATEGY,
    source_budget: int = DEFAULT_SOURCE_BUDGET,
    candidates: Candidates | None = None,
    free_text: bool = True,
    on_call: Callable[[CallStats], None] | None = None,
    writer: str | Backend | None = None,
) -> Draft:
    """Draft an EventSummary of `sources` with pinned model `model` ('generator' or 'generator-large').

    `writer` (a model role, loaded on the same runtime, or a loaded backend) writes the free text (headline, claims,
    repairs) while `model` makes every choice: a larger writer costs its load and the sources' prefill again, not the
    choices' time. Only the `sections` strategy separates the two.

    `free_text=False` has the model make only the choices (event type, place, region, country): headline, bottom
    line and claims are then the source sentences themselves. Several times faster; eval/events.py uses it because the
    fields it scores do not depend on the written text. `on_call` sees each model call's stats as it finishes (a
    progress display: a draft is a few dozen short calls)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}")
    if writer is not None and strategy != "sections":
        raise ValueError(f"a separate writer needs the 'sections' strategy; {strategy!r} writes in its one call")
    if not sources.canonical:
        raise GenerationError("there is nothing to summarize: no readable document in the sources")
    started = time.perf_counter()
    runner = load_backend(backend, model) if isinstance(backend, str) else backend
    author = load_backend(runner.name, writer) if isinstance(writer, str) else writer or runner
    timings: dict[str, float] = {"load": time.perf_counter() - started}
    clock = time.perf_counter()
    candidates = candidates if candidates is not None else find_candidates(sources)
    shown = select_sentences(sources, runner.count_tokens, source_budget)
    session = Session(runner, shown, free_text, ids=strategy == "single", on_call=on_call, writer=author)
    timings["prepare"] = time.perf_counter() - clock
    if strategy == "sections":
        out = draft_sections(session, sources, candidates, shown, timings)
    else:
        out = draft_single(session, sources, shown, timings)
    summary = _summary({**_clean(out, sources), "bottom_line": NOTHING})
    bottom_line, composed_from = compose_bottom_line(summary)
    summary = summary.model_copy(update={"bottom_line": bottom_line})
    calls = session.calls
    timings |= {"prefill": sum(c.prefill_s for c in calls), "decode": sum(c.decode_s for c in calls),
                "total": time.perf_counter() - started}
    meta = RunMeta(
        model=model_info(model, runner.name),
        prompt_version=prompt_version(),
        schema_version=SCHEMA_VERSION,
        prompt_tokens=sum(c.prompt_tokens for c in calls),
        cached_tokens=sum(c.cached_tokens for c in calls),
        generated_tokens=sum(c.generated_tokens for c in calls),
        timings={k: round(v, 3) for k, v in timings.items()},
        left_out=shown.left_out,
        withheld=[s.id for s in shown.withheld],
        strategy=strategy,
        calls=calls,
        bottom_line_from=composed_from,
        writer=model_info(author.role, author.name) if author is not runner else None,
    )
    return Draft(summary=summary, meta=meta)
