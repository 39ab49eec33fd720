"""repair: the fields the checker flagged go back to the draft stage once, before render.

`brief` orchestrates; verify's verdicts come in as plain data (`Flag`: pointer, status, reasons, the ids of the
closest source sentences), so this stage still imports nothing of verify. What happens to a flagged field:

- generated text (headline, a claim's statement, a key point, aftermath or related-event note): on the first pass
  (`rewrite=True`) the model writes it again, shown the sentences it should say (the item's own cited sentences, then
  the checker's closest evidence) and told the check failed; on the second pass (the rewrite was still flagged) it is
  replaced by the source sentence it came from, with its attribution: a claim keeps its claimant and takes the
  speaker's cited sentence (without its 'X said' frame, which the claim's rendering adds), a note its cited sentence,
  the headline the lead report's title (else its lead sentence);
- a structured fact (an actor, a figure, the date, the location) no source supports is dropped, except a location
  whose town the sources name: it loses only the region and country they never name (the gazetteer's additions); a
  flagged event type becomes 'other' (the schema requires one);
- a headline giving a date the note no longer gives (the date was dropped) is replaced like a flagged one;
- the bottom line is composed again from the facts that remain (draft.bottom_line).

Every change is recorded (`Repair`: pointer, action, before, after, the status and reasons that triggered it) in
RunMeta.repairs; the first draft's summary is kept in RunMeta.first_draft.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from summarizer.backends import Backend, load_backend
from summarizer.draft.bottom_line import compose_bottom_line
from summarizer.draft.limits import TEXT_LIMITS
from summarizer.draft.prompts import addresses_the_model, render_prompt, shown_text
from summarizer.draft.selection import Shown
from summarizer.draft.speakers import unattributed
from summarizer.draft.text import norm
from summarizer.draft.writing import (CallStats, Session, dates_only_the_event, lead_text, states_only_what_is_cited,
                                      trimmed)
from summarizer.schema import EventSummary, EventType, Figure, Location
from summarizer.sources import Sentence, Sources

if TYPE_CHECKING:
    from summarizer.draft import Draft

TEXT_FIELDS = {"headline": "headline", "claims": "claim", "key_points": "note", "aftermath": "note",
               "related_events": "note"}
DROPPED_FIELDS = ("actors", "figures", "date", "location", "event_type")
SHOWN_SENTENCES = 3  # source sentences in a repair prompt


class Flag(BaseModel):
    """A field the checker flagged, as plain data: what verify found, for the draft stage to act on."""

    pointer: str = Field(description="JSON pointer of the flagged field, e.g. /claims/2")
    status: str = Field(description="'unsupported' or 'contradicted'")
    reasons: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list, description="ids of the closest source sentences, closest first")


class Action(str, Enum):
    rewritten = "rewritten"
    replaced = "replaced by source sentence"
    dropped = "dropped"
    narrowed = "narrowed to what the sources name"
    recomposed = "recomposed"


class Repair(BaseModel):
    """One change the repair step made, and why."""

    pointer: str = Field(description="the field, as pointed to in the draft the change was made on")
    action: Action
    before: str
    after: str = ""
    status: str = Field(description="the checker's status that triggered it")
    reasons: list[str] = Field(default_factory=list, description="the checker's reasons")
    attempt: int = Field(default=1, description="1: the first repair; 2: the rewrite was still flagged")


def _merge(flags: list[Flag]) -> dict[str, Flag]:
    """One flag per field (free text is checked sentence by sentence): contradicted over unsupported, all reasons,
    all evidence."""
    merged: dict[str, Flag] = {}
    for flag in flags:
        if flag.pointer in merged:
            old = merged[flag.pointer]
            merged[flag.pointer] = Flag(
                pointer=flag.pointer, status="contradicted" if "contradicted" in (old.status, flag.status)
                else old.status, reasons=list(dict.fromkeys(old.reasons + flag.reasons)),
                evidence=list(dict.fromkeys(old.evidence + flag.evidence)))
        else:
            merged[flag.pointer] = flag
    return merged


def _parts(pointer: str) -> tuple[str, int | None]:
    field, _, index = pointer.strip("/").partition("/")
    return field, int(index) if index.isdigit() else None


# --- what a field says, before and after -------------------------------------------------------------------------------
def _figure_words(figure: Figure) -> str:
    return f"{figure.kind.value}: {figure.text} {figure.group}" + (f", per {figure.reported_by}"
                                                                  if figure.reported_by else "")


def _value(summary: EventSummary, pointer: str, said_by: bool = False) -> str:
    """What a field says, in words (a claim with its claimant when `said_by`)."""
    field, index = _parts(pointer)
    value = getattr(summary, field, None)
    if index is not None and isinstance(value, list):
        value = value[index] if index < len(value) else None
    if value is None:
        return ""
    if field == "claims":
        return f"{value.claimant}: {value.statement}" if said_by else value.statement
    if field in ("key_points", "aftermath", "related_events"):
        return value.text
    if field == "actors":
        return f"{value.name} ({value.role.value.replace('_', ' ')})"
    if field == "figures":
        return _figure_words(value)
    if field == "date":
        return f"{value.text} ({value.value})"
    if field == "location":
        return ", ".join(p for p in (value.place, value.region, value.country) if p)
    if field == "event_type":
        return value.value.replace("_", " ")
    return str(value)


# --- source text in place of model text --------------------------------------------------------------------------------
def _named_parts(location: Location | None, sources: Sources) -> Location | None:
    """The flagged location less the region and country no source names ('Oakland, California, United States' when
    the reports only ever say Oakland: the gazetteer's additions), or None when the place itself is unnamed or
    nothing was left out (then the location goes). A correct town is worth more than the whole field dropped."""
    if location is None or not location.place:
        return None
    text = f" {norm(' '.join(s.text for s in sources.sentences()))} "

    def named(name: str | None) -> bool:
        return not name or f" {norm(name)} " in text

    if not named(location.place):
        return None
    unnamed = {"region": not named(location.region), "country": not named(location.country)}
    if not any(unnamed.values()):
        return None
    return location.model_copy(update={part: None for part, gone in unnamed.items() if gone}
                               | ({"region_basis": None} if unnamed["region"] else {}))


def _source_text(summary: EventSummary, pointer: str, flag: Flag, sources: Sources) -> tuple[str, str] | None:
    """The source sentence a flagged text came from, as the field takes it, and who says it (a claim's claimant, as
    the sentence names them; '' for other fields); None when there is none."""
    field, index = _parts(pointer)
    if field == "headline":
        lead = next(iter(sources.canonical), None)
        text = lead_text(lead) if lead else None
        return (trimmed(text, TEXT_LIMITS["headline"]), "") if text else None
    item = getattr(summary, field)[index]
    cited = [s for sid in item.citations if (s := sources.sentence(sid))]
    closest = [s for sid in flag.evidence if (s := sources.sentence(sid)) and sid in item.citations]
    sentence = (closest or cited or [s for sid in flag.evidence if (s := sources.sentence(sid))] or [None])[0]
    if sentence is None:
        return None
    who, text = unattributed(sentence.text, item.claimant) if field == "claims" else ("", sentence.text)
    return trimmed(text[:1].upper() + text[1:], TEXT_LIMITS[TEXT_FIELDS[field]]), who[:120]


def _set_text(summary: EventSummary, pointer: str, text: str, who: str = "") -> None:
    field, index = _parts(pointer)
    if field == "headline":
        summary.headline = text
    elif field == "claims":
        summary.claims[index].statement = text
        summary.claims[index].claimant = who or summary.claims[index].claimant
    else:
        getattr(summary, field)[index].text = text


# --- the model writes it again -----------------------------------------------------------------------------------------
def _shown(sentences: list[Sentence]) -> list[Sentence]:
    return [s for s in sentences if not addresses_the_model(s.text)]


def _prompt_sentences(summary: EventSummary, pointer: str, flag: Flag, sources: Sources) -> list[Sentence]:
    """The item's own cited sentences the checker found closest, then its other cited sentences, then the checker's
    closest evidence: at most SHOWN_SENTENCES, none that speaks to the model."""
    field, index = _parts(pointer)
    evidence = [s for sid in flag.evidence if (s := sources.sentence(sid))]
    cited = [] if field == "headline" else \
        [s for sid in getattr(summary, field)[index].citations if (s := sources.sentence(sid))]
    ordered = [s for s in evidence if s in cited] + [s for s in cited if s not in evidence] + evidence
    return _shown(list({s.id: s for s in ordered}.values()))[:SHOWN_SENTENCES]


def _session(backend: Backend, sources: Sources, on_call) -> Session:
    """A session over every source sentence, so written text echoing a sentence that speaks to the model (withheld)
    falls back to source text, as in the draft."""
    documents = [(d, _shown(d.sentences)) for d in sources.canonical]
    withheld = [s for d in sources.canonical for s in d.sentences if addresses_the_model(s.text)]
    return Session(backend, Shown(documents, left_out=[], withheld=withheld), on_call=on_call)


def _rewrite(session: Session, summary: EventSummary, todo: dict[str, Flag], sources: Sources
             ) -> dict[str, str]:
    """The model's new text for each flagged text field, '' where it wrote none usable (a number its sentences do not
    state, an echo of a withheld sentence, the same text again)."""
    jobs, shown = [], {}
    for pointer, flag in todo.items():
        field, index = _parts(pointer)
        sentences = _prompt_sentences(summary, pointer, flag, sources)
        if not sentences:
            continue
        shown[pointer] = sentences
        speaker = summary.claims[index].claimant if field == "claims" else ""
        prompt = render_prompt("repair", sentences=[shown_text(s.text) for s in sentences],
                               text=shown_text(_value(summary, pointer)), contradicted=flag.status == "contradicted",
                               field=TEXT_FIELDS[field], speaker=shown_text(speaker))
        jobs.append((f"repair {pointer}", prompt, TEXT_FIELDS[field]))
    written = dict(zip(shown, session.write(jobs)))
    return {pointer: text if text and states_only_what_is_cited(text, shown[pointer])
            and norm(text) != norm(_value(summary, pointer)) else "" for pointer, text in written.items()}


def _pointers(summary: EventSummary) -> set[str]:
    """Every pointer a bottom line may be composed from."""
    lists = {f"/{field}/{i}" for field in ("actors", "figures", "claims") for i in range(len(getattr(summary, field)))}
    return lists | {"/event_type", "/date", "/location", "/location/region"}


# --- the whole step ----------------------------------------------------------------------------------------------------
def repair(draft: Draft, sources: Sources, flags: list[Flag], *, backend: str | Backend = "llamacpp",
           model: str = "generator", rewrite: bool = True,
           on_call: Callable[[CallStats], None] | None = None) -> Draft:
    """The draft with its flagged fields repaired once (see the module's docstring), its changes recorded in
    meta.repairs and its first summary in meta.first_draft. `rewrite=False` is the second pass: flagged text is
    replaced by source sentences, with no model call."""
    started = time.perf_counter()
    summary = draft.summary.model_copy(deep=True)
    merged = _merge(flags)
    attempt = 1 if rewrite else 2
    repairs: list[Repair] = []

    def record(pointer: str, action: Action, before: str, after: str) -> None:
        flag = merged[pointer]
        repairs.append(Repair(pointer=pointer, action=action, before=before, after=after, status=flag.status,
                              reasons=flag.reasons, attempt=attempt))

    texts = {p: f for p, f in merged.items() if _parts(p)[0] in TEXT_FIELDS}
    calls: list[CallStats] = []
    written: dict[str, str] = {}
    if rewrite and texts:
        runner = load_backend(backend, model) if isinstance(backend, str) else backend
        session = _session(runner, sources, on_call)
        written = _rewrite(session, summary, texts, sources)
        calls = session.calls
    gone: dict[str, list[int]] = {}
    unchecked = [summary.claims[i] for p in texts if (i := _parts(p)[1]) is not None and p.startswith("/claims/")]
    for pointer, flag in texts.items():
        before = _value(summary, pointer, said_by=True)
        if written.get(pointer):
            _set_text(summary, pointer, written[pointer])
            record(pointer, Action.rewritten, before, _value(summary, pointer, said_by=True))
        elif (source := _source_text(summary, pointer, flag, sources)) is not None:
            _set_text(summary, pointer, *source)
            if _value(summary, pointer, said_by=True) != before:  # the same text again is no repair
                record(pointer, Action.replaced, before, _value(summary, pointer, said_by=True))
        elif pointer != "/headline":
            gone.setdefault(_parts(pointer)[0], []).append(_parts(pointer)[1])
            record(pointer, Action.dropped, before, "")
    for pointer in merged:
        field, index = _parts(pointer)
        if field not in DROPPED_FIELDS:
            continue
        if field == "location" and (named := _named_parts(summary.location, sources)) is not None:
            record(pointer, Action.narrowed, _value(summary, pointer), ", ".join(
                p for p in (named.place, named.region, named.country) if p))
            summary.location = named
            continue
        record(pointer, Action.dropped, _value(summary, pointer), "")
        if index is not None:
            gone.setdefault(field, []).append(index)
        elif field == "event_type":
            summary.event_type = EventType.other
        elif field in ("date", "location"):
            setattr(summary, field, None)
    for field, indices in gone.items():  # list items last, so the pointers above still name what they named
        setattr(summary, field, [item for i, item in enumerate(getattr(summary, field)) if i not in set(indices)])
    if not dates_only_the_event(summary.headline, summary.date.value if summary.date else None):
        # The headline was written to the draft's date, which the checker has just dropped or changed.
        flag = merged.setdefault("/headline", Flag(pointer="/headline", status="unsupported",
                                                   reasons=["it gives a date the note no longer gives"]))
        if (source := _source_text(summary, "/headline", flag, sources)) is not None:
            before = summary.headline
            _set_text(summary, "/headline", *source)
            record("/headline", Action.replaced, before, summary.headline)
    used = draft.meta.bottom_line_from
    if used or "/bottom_line" in merged:
        # Composed again from what remains, less the claims just rewritten (a denial of responsibility unchecked).
        usable = _pointers(summary) - {f"/claims/{i}" for i, c in enumerate(summary.claims)
                                       if any(c is u for u in unchecked)}
        text, used = compose_bottom_line(summary, usable)
        if text != summary.bottom_line:
            merged.setdefault("/bottom_line", Flag(pointer="/bottom_line", status="unsupported",
                                                   reasons=["it was composed from a fact that was dropped"]))
            record("/bottom_line", Action.recomposed, summary.bottom_line, text)
        summary.bottom_line = text
    meta = draft.meta.model_copy(update={
        "calls": draft.meta.calls + calls,
        "prompt_tokens": draft.meta.prompt_tokens + sum(c.prompt_tokens for c in calls),
        "cached_tokens": draft.meta.cached_tokens + sum(c.cached_tokens for c in calls),
        "generated_tokens": draft.meta.generated_tokens + sum(c.generated_tokens for c in calls),
        "timings": {**draft.meta.timings, f"repair {attempt}": round(time.perf_counter() - started, 3)},
        "bottom_line_from": used,
        "repairs": draft.meta.repairs + repairs,
        "first_draft": draft.meta.first_draft or (draft.summary if repairs else None),
    })
    summary = EventSummary.model_validate(summary.model_dump())  # edited in place: checked against the schema again
    return draft.model_copy(update={"summary": summary, "meta": meta})
