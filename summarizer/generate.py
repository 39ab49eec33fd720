"""generate: sources + candidates + a backend -> Draft (a schema-valid EventSummary with citations and run metadata).

The model proposes, the text anchors it. A small model asked to invent the whole schema in one breath loops and
misattributes, so the structure comes from `anchors` (figures, reporting frames, dates, places, each tied to one
sentence) and the model only chooses and classifies among them through enums, plus a few bounded free-text
fields. Values, groups, `reported_by` and citation ids are copied from the candidate the model picked, never
generated. Every call is [system + numbered sources] + [task], so llama.cpp reuses the shared prefix; with the
`sections` strategy each part of the schema is one short call, with `single` all parts are one call (same
constraints), which `eval/bench_generate.py` compares.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import jinja2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, create_model
from rapidfuzz.fuzz import ratio

from summarizer.anchors import Attribution, Candidates, DateCandidate, FigureCandidate, find_candidates
from summarizer.backends import DEFAULT_BACKEND, Backend, Completion, load_backend
from summarizer.checks import numbers
from summarizer.lock import load_lock
from summarizer.schema import (
    SCHEMA_VERSION,
    Actor,
    ActorRole,
    Claim,
    DatePrecision,
    EventDate,
    EventSummary,
    EventType,
    Figure,
    FigureKind,
    Location,
    Note,
    Stance,
)
from summarizer.sources import Document, Sentence, Sources

PROMPT_VERSION = "v1"
PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
MODELS = ("generator", "generator-large")
DEFAULT_MODEL = "generator"
STRATEGIES = ("sections", "single")
DEFAULT_STRATEGY = "sections"
DEFAULT_SOURCE_BUDGET = 3000  # tokens of numbered sources shown to the model; the seeds' reports take ~2,300
NOTE_LIMITS = {"key_points": 4, "aftermath": 3, "related_events": 3}
MAX_SPEAKER_WORDS = 12  # longer "speakers" are clauses a reporting-frame rule caught by mistake
MMR_LAMBDA = 0.7  # relevance (centrality) vs novelty when sources exceed the budget
UNRELATED = "unrelated"
NOT_INVOLVED = "none"


class ModelInfo(BaseModel):
    role: str
    repo_id: str
    sha256: str
    backend: str


class CallStats(BaseModel):
    """One backend call: what it cost and whether it had to be retried."""

    section: str
    prompt_tokens: int
    cached_tokens: int = Field(description="prompt tokens reused from the previous call's KV cache")
    generated_tokens: int
    prefill_s: float
    decode_s: float
    attempts: int = 1


class RunMeta(BaseModel):
    """How a draft was made, so a note can say it and a batch can tell whether a rerun is needed."""

    model: ModelInfo
    prompt_version: str
    schema_version: str
    prompt_tokens: int = 0
    generated_tokens: int = 0
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per step")
    left_out: list[str] = Field(default_factory=list, description="sentence ids not shown to the model (budget)")
    strategy: str = DEFAULT_STRATEGY
    cached_tokens: int = Field(default=0, description="prompt tokens reused from an earlier call (prefix cache)")
    calls: list[CallStats] = Field(default_factory=list)
    stages: dict[str, float] = Field(
        default_factory=dict, description="wall seconds per stage of the whole line (ingest ... verify), set by brief"
    )
    embedder: ModelInfo | None = Field(default=None, description="the sentence embedder verify searched evidence with")


class Draft(BaseModel):
    summary: EventSummary
    meta: RunMeta


class GenerationError(RuntimeError):
    """The model could not produce a valid answer for one part of the schema, even after one retry."""


# --- prompts -----------------------------------------------------------------------------------------------------------
@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # prompts are plain text for a tokenizer; nothing here is ever rendered as HTML
    )


def _render(name: str, **values: Any) -> str:
    return _templates().get_template(f"{PROMPT_VERSION}/{name}.jinja").render(**values)


@cache
def prompt_version() -> str:
    """The template set's version plus a hash of its text, so an edited prompt never passes for the old one."""
    digest = hashlib.sha256()
    for path in sorted((PROMPTS / PROMPT_VERSION).glob("*.jinja")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{PROMPT_VERSION}+{digest.hexdigest()[:8]}"


_SPECIAL_TOKEN = re.compile(r"<\|")


def _shown_text(text: str) -> str:
    """Source text as the model sees it: one line, and no chat-control markers ('<|im_end|>') a source could smuggle."""
    return _SPECIAL_TOKEN.sub("< |", " ".join(text.split()))


# --- what the model is shown -------------------------------------------------------------------------------------------
@dataclass
class Shown:
    """The deduplicated sentences that fit the budget, grouped by document, and what was left out."""

    documents: list[tuple[Document, list[Sentence]]]
    left_out: list[str]

    @property
    def ids(self) -> list[str]:
        return [s.id for _, sentences in self.documents for s in sentences]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold().replace("-", " ")).split())


def _distinct_sentences(sources: Sources) -> list[Sentence]:
    """Canonical sentences, minus exact repeats and minus later members of a cross-document repeat group."""
    later_in_group = {sid for group in sources.sentence_groups for sid in group[1:]}
    seen: set[str] = set()
    out = []
    for sentence in sources.sentences(canonical_only=True):
        key = _norm(sentence.text)
        if sentence.id in later_in_group or key in seen or not key:
            continue
        seen.add(key)
        out.append(sentence)
    return out


def _document_about(doc: Document) -> str:
    return ", ".join(_shown_text(part) for part in (doc.outlet, doc.date) if part)


def _line(sentence: Sentence) -> str:
    return f"[{sentence.id}] {_shown_text(sentence.text)}\n"


def select_sentences(sources: Sources, count_tokens: Callable[[str], int], budget: int) -> Shown:
    """Everything when it fits in `budget` tokens; otherwise the sentences picked by maximal marginal relevance
    (centrality to all sentences vs similarity to those already picked) over embedder vectors, in reading order."""
    pool = _distinct_sentences(sources)
    cost = np.array([count_tokens(_line(s)) for s in pool])
    chosen: set[int] = set(range(len(pool)))
    if cost.sum() > budget:
        from summarizer.embed import Embedder

        vectors = Embedder.load().encode([s.text for s in pool])
        centroid = vectors.mean(axis=0)
        relevance = vectors @ (centroid / (np.linalg.norm(centroid) or 1.0))
        chosen, used = set(), 0
        closest = np.full(len(pool), -1.0)  # similarity to the nearest chosen sentence
        while True:
            score = MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * np.maximum(closest, 0)
            fits = [i for i in np.argsort(-score) if i not in chosen and used + cost[i] <= budget]
            if not fits:
                break
            pick = int(fits[0])
            chosen.add(pick)
            used += int(cost[pick])
            closest = np.maximum(closest, vectors @ vectors[pick])
    by_doc: dict[str, list[Sentence]] = {}
    for i, sentence in enumerate(pool):
        if i in chosen:
            by_doc.setdefault(sentence.doc_id, []).append(sentence)
    documents = [(d, by_doc[d.id]) for d in sources.canonical if d.id in by_doc]
    return Shown(documents, left_out=[s.id for i, s in enumerate(pool) if i not in chosen])


def render_prefix(shown: Shown) -> str:
    documents = [
        {"id": doc.id, "about": _document_about(doc), "sentences": [{"id": s.id, "text": _shown_text(s.text)} for s in ss]}
        for doc, ss in shown.documents
    ]
    return _render("prefix", documents=documents)


# --- choices built from the candidates ----------------------------------------------------------------------------------
@dataclass
class FigureOption:
    key: str
    candidate: FigureCandidate

    def view(self) -> dict:
        c = self.candidate
        return {"key": self.key, "sentence_id": c.sentence_id, "text": _shown_text(c.text),
                "group": _shown_text(c.group or ""), "kind": c.kind.value, "reported_by": _shown_text(c.reported_by or "")}


@dataclass
class Speaker:
    key: str
    name: str
    attributions: list[Attribution]

    @property
    def sentence_ids(self) -> list[str]:
        return list(dict.fromkeys(a.sentence_id for a in self.attributions))

    def view(self) -> dict:
        return {"key": self.key, "name": _shown_text(self.name), "sentence_ids": self.sentence_ids}


@dataclass
class Choices:
    """The candidates the model may choose among, restricted to the sentences it was shown."""

    figures: list[FigureOption]
    speakers: list[Speaker]
    dates: dict[str, list[DateCandidate]]
    places: dict[str, list[str]]  # name -> sentence ids that mention it
    sentence_ids: list[str]


_DATE_VALUE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
_LEADING_DETERMINER = re.compile(r"^(?:the|a|an|another)\s+", re.IGNORECASE)


def _speakers(attributions: list[Attribution]) -> list[Speaker]:
    """Attributions grouped by who speaks: names whose words are all in another name are one speaker ('Amaq' and
    'Amaq News Agency'; 'Maan' and 'Brigadier General Saad Maan'), unless the longer one joins two with 'and'."""
    usable = [a for a in attributions if 0 < len(a.speaker.split()) <= MAX_SPEAKER_WORDS]
    words = {a.speaker: frozenset(_norm(_LEADING_DETERMINER.sub("", a.speaker)).split()) for a in usable}
    parent = {name: name for name in words}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    for a in words:
        for b in words:
            if a != b and words[a] <= words[b] and "and" not in words[b]:
                parent[root(a)] = root(b)
    groups: dict[str, list[Attribution]] = {}
    for a in usable:
        groups.setdefault(root(a.speaker), []).append(a)
    speakers = []
    for members in groups.values():
        counts = Counter(_LEADING_DETERMINER.sub("", a.speaker) for a in members)
        name = max(counts, key=lambda n: (counts[n], len(n)))
        speakers.append(Speaker(f"S{len(speakers) + 1}", name[:1].upper() + name[1:], members))
    return speakers


def _choices(candidates: Candidates, shown: Shown) -> Choices:
    visible = set(shown.ids)
    figures = [c for c in candidates.figures if c.sentence_id in visible]
    dates: dict[str, list[DateCandidate]] = {}
    for d in candidates.dates:
        if d.sentence_id in visible and d.value and _DATE_VALUE.match(d.value):
            dates.setdefault(d.value, []).append(d)
    spellings: dict[str, Counter] = {}
    mentions: dict[str, list[str]] = {}
    for p in candidates.places:
        if p.sentence_id not in visible:
            continue
        name = p.country if p.kind == "country" and p.country else p.text
        key = _norm(name)
        spellings.setdefault(key, Counter())[name] += 1
        mentions.setdefault(key, []).append(p.sentence_id)
    places = {spellings[k].most_common(1)[0][0]: list(dict.fromkeys(ids)) for k, ids in mentions.items()}
    return Choices(
        figures=[FigureOption(f"F{i + 1}", c) for i, c in enumerate(figures)],
        speakers=_speakers([a for a in candidates.attributions if a.sentence_id in visible]),
        dates=dates,
        places=places,
        sentence_ids=shown.ids,
    )


# --- sections: one part of the schema, its question and how its answer fills the summary ----------------------------
def _bounded(max_length: int):
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length, strip_whitespace=True)]


def _one_of(options: list[str]):
    """An enum of `options` or null (just null when there is nothing to choose)."""
    return (Literal[tuple(options)] | None) if options else None


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class Section:
    name: str
    fields: dict[str, tuple[Any, Any]]
    view: dict[str, Any]
    max_tokens: int
    apply: Callable[[dict, dict], None]
    repeat_penalty: float = 1.0
    """Label maps repeat their labels legitimately, so only free text gets a (mild) penalty."""


def _overview(choices: Choices) -> Section:
    dates, places = list(choices.dates), list(choices.places)

    def apply(answer: dict, out: dict) -> None:
        out["headline"], out["bottom_line"], out["event_type"] = answer["headline"], answer["bottom_line"], answer["event_type"]
        if answer["date"]:
            found = sorted(choices.dates[answer["date"]], key=lambda d: d.relative)  # words the source used, if any
            out["date"] = EventDate(
                value=answer["date"], precision=DatePrecision(found[0].precision), text=found[0].text[:120],
                citations=list(dict.fromkeys(d.sentence_id for d in found))[:4])
        chosen = [answer[k] for k in ("place", "region", "country") if answer[k]]
        if chosen:
            mentioned = Counter(sid for name in chosen for sid in choices.places[name])
            order = {sid: i for i, sid in enumerate(choices.sentence_ids)}
            citations = sorted(mentioned, key=lambda sid: (-mentioned[sid], order[sid]))[:4]
            out["location"] = Location(place=answer["place"], region=answer["region"], country=answer["country"],
                                       citations=citations)

    return Section(
        name="overview",
        fields={"headline": (_bounded(100), ...), "bottom_line": (_bounded(300), ...), "event_type": (EventType, ...),
                "date": (_one_of(dates), ...), "place": (_one_of(places), ...), "region": (_one_of(places), ...),
                "country": (_one_of(places), ...)},
        view={"event_types": [e.value for e in EventType], "dates": dates, "places": places},
        max_tokens=240,
        apply=apply,
        repeat_penalty=1.05,
    )


def _figures(choices: Choices) -> Section | None:
    if not choices.figures:
        return None
    labels = Literal[tuple([k.value for k in FigureKind] + [UNRELATED])]
    labelled = create_model("FigureLabels", __base__=_Closed, **{f.key: (labels, ...) for f in choices.figures})

    def apply(answer: dict, out: dict) -> None:
        for option in choices.figures:
            label = answer["figures"][option.key]
            if label == UNRELATED:
                continue
            c = option.candidate
            out["figures"].append(Figure(
                kind=FigureKind(label), group=(c.group or "people")[:120], value_min=c.value_min,
                value_max=c.value_max, text=c.text[:120], reported_by=(c.reported_by or None) and c.reported_by[:120],
                citations=[c.sentence_id]))

    return Section(
        name="figures",
        fields={"figures": (labelled, ...)},
        view={"figures": [f.view() for f in choices.figures], "kinds": [k.value for k in FigureKind]},
        max_tokens=12 * len(choices.figures) + 16,
        apply=apply,
    )


def _speaker_section(choices: Choices) -> Section | None:
    if not choices.speakers:
        return None
    roles = Literal[tuple([r.value for r in ActorRole] + [NOT_INVOLVED])]
    entry = create_model("SpeakerAnswer", __base__=_Closed, role=(roles, ...), claim=(_bounded(160) | None, ...))
    answers = create_model("Speakers", __base__=_Closed, **{s.key: (entry, ...) for s in choices.speakers})

    def apply(answer: dict, out: dict) -> None:
        for speaker in choices.speakers:
            said = answer["speakers"][speaker.key]
            cited = speaker.sentence_ids[:4]
            if said["role"] != NOT_INVOLVED:
                out["actors"].append(Actor(name=speaker.name[:120], role=ActorRole(said["role"]), citations=cited))
            if said["claim"]:
                denies = any(a.stance == "denies" for a in speaker.attributions)
                out["claims"].append(Claim(claimant=speaker.name[:120], statement=said["claim"],
                                           stance=Stance.denies if denies else Stance.asserts, citations=cited))

    return Section(
        name="speakers",
        fields={"speakers": (answers, ...)},
        view={"speakers": [s.view() for s in choices.speakers], "roles": [r.value for r in ActorRole]},
        max_tokens=70 * len(choices.speakers) + 16,
        apply=apply,
        repeat_penalty=1.05,
    )


def _notes(choices: Choices) -> Section:
    note = create_model("NoteAnswer", __base__=_Closed, text=(_bounded(200), ...),
                        source=(Literal[tuple(choices.sentence_ids)], ...))
    fields = {name: (Annotated[list[note], Field(max_length=limit)], ...) for name, limit in NOTE_LIMITS.items()}

    def apply(answer: dict, out: dict) -> None:
        for name in NOTE_LIMITS:
            out[name] = [Note(text=n["text"], citations=[n["source"]]) for n in answer[name]]

    return Section(name="notes", fields=fields, view={"limits": NOTE_LIMITS}, max_tokens=700, apply=apply,
                   repeat_penalty=1.1)


def _sections(choices: Choices, strategy: str) -> list[Section]:
    sections = [s for s in (_overview(choices), _figures(choices), _speaker_section(choices), _notes(choices)) if s]
    if strategy == "sections":
        return sections

    def apply_all(answer: dict, out: dict) -> None:
        for s in sections:
            s.apply(answer, out)

    view = {"figures": [], "speakers": [], "kinds": [], "roles": []}
    for s in sections:
        view |= s.view
    return [Section(name="single", fields={k: v for s in sections for k, v in s.fields.items()}, view=view,
                    max_tokens=sum(s.max_tokens for s in sections), apply=apply_all)]


# --- calls -------------------------------------------------------------------------------------------------------------
def _ask(backend: Backend, prefix: str, section: Section, stats: list[CallStats]) -> dict:
    """One constrained call, validated by pydantic; a cut-off or invalid answer is retried once with more room and a
    stronger repetition penalty, then reported."""
    answer_model = create_model(f"{section.name.title()}Answer", __base__=_Closed, **section.fields)
    task = _render(section.name, **section.view)
    prompt = prefix + _render("task", task=task.strip())
    max_tokens, penalty = section.max_tokens, section.repeat_penalty
    problem = ""
    for attempt in (1, 2):
        done: Completion = backend.complete(prompt, answer_model, max_tokens=max_tokens, repeat_penalty=penalty)
        stats.append(CallStats(section=section.name, prompt_tokens=done.prompt_tokens, cached_tokens=done.cached_tokens,
                               generated_tokens=done.generated_tokens, prefill_s=round(done.prefill_s, 3),
                               decode_s=round(done.decode_s, 3), attempts=attempt))
        try:
            return answer_model.model_validate_json(done.text).model_dump(mode="json")
        except ValidationError as err:
            problem = (f"cut off after {done.generated_tokens} tokens" if not done.finished
                       else f"invalid: {err.errors()[0]['msg']}")
        max_tokens, penalty = max_tokens * 2, penalty + 0.15
    raise GenerationError(f"the model's answer for '{section.name}' was {problem} twice; nothing was drafted")


# --- clean-up: no duplicates, no citation the sources don't have, no number the cited text doesn't state -------------
def _numbers_in(text: str) -> set[float]:
    return {q.value_min for q in numbers.extract(text) if q.unit is None}


def _states_its_numbers(text: str, citations: list[str], sources: Sources) -> bool:
    cited = " ".join(s.text for sid in citations if (s := sources.sentence(sid)))
    return _numbers_in(text) <= _numbers_in(cited)


def _dedupe(items: list, key: Callable[[Any], str], similar: int = 100) -> list:
    kept, keys = [], []
    for item in items:
        k = key(item)
        if any(k == other or (similar < 100 and ratio(k, other) >= similar) for other in keys):
            continue
        kept.append(item)
        keys.append(k)
    return kept


def _figure_key(f: Figure) -> str:
    doc = f.citations[0].split(":")[0] if f.citations else ""
    return "|".join([f.kind.value, str(f.value_min), str(f.value_max), _norm(f.reported_by or doc), _norm(f.group)])


def _merge_figures(figures: list[Figure]) -> list[Figure]:
    """One figure per (kind, value, reporter, group): a document that repeats a number adds a citation, not a row."""
    merged: dict[str, Figure] = {}
    for f in figures:
        key = _figure_key(f)
        if key in merged:
            old = merged[key]
            merged[key] = old.model_copy(update={"citations": list(dict.fromkeys(old.citations + f.citations))[:4]})
        else:
            merged[key] = f
    rank = {FigureKind.killed: 0, FigureKind.injured: 1, FigureKind.escaped: 2, FigureKind.freed: 2}
    return sorted(merged.values(), key=lambda f: rank.get(f.kind, 3))[:12]


def _clean(out: dict, sources: Sources) -> dict:
    known = {s.id for s in sources.sentences(canonical_only=False)}

    def cited(item):
        return item.model_copy(update={"citations": [c for c in item.citations if c in known]})

    out["figures"] = _merge_figures([cited(f) for f in out["figures"]])
    out["actors"] = _dedupe([cited(a) for a in out["actors"]], key=lambda a: _norm(a.name))[:8]
    claims = [cited(c) for c in out["claims"] if _states_its_numbers(c.statement, c.citations, sources)]
    out["claims"] = _dedupe(claims, key=lambda c: _norm(c.claimant + " " + c.statement), similar=90)[:6]
    seen: list[str] = []
    for name, limit in NOTE_LIMITS.items():
        notes = [cited(n) for n in out[name] if n.citations and _states_its_numbers(n.text, n.citations, sources)]
        notes = [n for n in _dedupe(notes, key=lambda n: _norm(n.text), similar=90)
                 if not any(ratio(_norm(n.text), s) >= 90 for s in seen)][:limit]
        seen += [_norm(n.text) for n in notes]
        out[name] = notes
    return out


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
) -> Draft:
    """Draft an EventSummary of `sources` with pinned model `model` ('generator' or 'generator-large')."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}")
    if not sources.canonical:
        raise GenerationError("there is nothing to summarize: no readable document in the sources")
    started = time.perf_counter()
    runner = load_backend(backend, model) if isinstance(backend, str) else backend
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    candidates = candidates if candidates is not None else find_candidates(sources)
    timings["anchors"] = time.perf_counter() - clock
    clock = time.perf_counter()
    shown = select_sentences(sources, runner.count_tokens, source_budget)
    prefix = render_prefix(shown)
    choices = _choices(candidates, shown)
    timings["select"] = time.perf_counter() - clock
    out: dict[str, Any] = {"figures": [], "actors": [], "claims": [], **{name: [] for name in NOTE_LIMITS}}
    stats: list[CallStats] = []
    for section in _sections(choices, strategy):
        clock = time.perf_counter()
        section.apply(_ask(runner, prefix, section, stats), out)
        timings[section.name] = time.perf_counter() - clock
    summary = EventSummary.model_validate(_clean(out, sources))
    timings |= {"prefill": sum(c.prefill_s for c in stats), "decode": sum(c.decode_s for c in stats),
                "total": time.perf_counter() - started}
    meta = RunMeta(
        model=model_info(model, runner.name),
        prompt_version=prompt_version(),
        schema_version=SCHEMA_VERSION,
        prompt_tokens=sum(c.prompt_tokens for c in stats),
        cached_tokens=sum(c.cached_tokens for c in stats),
        generated_tokens=sum(c.generated_tokens for c in stats),
        timings={k: round(v, 3) for k, v in timings.items()},
        left_out=shown.left_out,
        strategy=strategy,
        calls=stats,
    )
    return Draft(summary=summary, meta=meta)
