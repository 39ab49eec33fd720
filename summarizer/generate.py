"""generate: sources + candidates + a backend -> Draft (a schema-valid EventSummary with citations and run metadata).

The model proposes, the text anchors it. What the pinned small models do well, measured on the seeds, is write:
condense a speaker's sentences into a claim, restate a sentence as a note, write a headline; and pick the place
and event type among the few candidates the text offers (the date they picked worse than a count of the sentences
giving each day, so the count decides it: see Options.most_reported_date). What they do badly is judge a list:
asked which of 31 numbers belong to the main event, the 0.5B model labels all of them alike (with a JSON map, per
item, with or without the sources in context) and the 1.5B model gets about 9 of 11; asked for actors' roles, the
0.5B model answers 'perpetrator' for every speaker. So the structure comes from `anchors` and a few documented rules here
(a sentence that names another place or date than the main event's is about another event; figures keep the value,
group, reporter and sentence they were read from), and the model writes and chooses:

  over the cached sources prefix (system + the sources, then one short task each): event type, place, region,
  country (one call), then headline and bottom line;
  over short prompts of their own: one claim per main speaker, one note per selected sentence
  (these and the headline and bottom line are one call, which a backend may decode side by side).

Nothing the model writes carries a number its cited sentences do not state: such text falls back to the source
sentence itself. `strategy="single"` is the measured alternative: one constrained call for the whole schema.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import jinja2
import numpy as np
from pydantic import BaseModel, Field, StringConstraints, ValidationError, create_model

from summarizer.anchors import Attribution, Candidates, FigureCandidate, find_candidates
from summarizer.backends import DEFAULT_BACKEND, Backend, Choice, OutputType, Request, load_backend
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
DEFAULT_MODEL = "generator"
STRATEGIES = ("sections", "single")
DEFAULT_STRATEGY = "sections"
DEFAULT_SOURCE_BUDGET = 3000  # tokens of numbered sources shown to the model; the seeds' three reports take ~2,300
NOT_STATED = "not stated"
MAX_SPEAKER_WORDS = 12  # a longer "speaker" is a clause a reporting-frame rule caught by mistake
MMR_LAMBDA = 0.7  # relevance (centrality) vs novelty when picking sentences
SAME_EVENT_DAYS = 7  # a dated sentence further than this from the main event's day is about something else
SAME_SENTENCE_COSINE = 0.85  # two sentences this similar say the same thing: one note, not two
LIMITS = {"figures": 12, "actors": 8, "claims": 6, "key_points": 4, "aftermath": 3, "related_events": 3}
TEXT_LIMITS = {"headline": 120, "bottom_line": 400, "claim": 200, "note": 200}

# Words that make a main-event sentence an aftermath note (what followed: curfews, searches, arrests).
AFTERMATH = re.compile(
    r"\b(?:curfews?|search(?:ed|es|ing)?|raided|manhunt|arrest(?:ed|s)?|detain(?:ed)?|investigat\w*|funerals?"
    r"|vigils?|charged|recaptur\w*|reward|lockdown|evacuat\w*|closed)\b",
    re.IGNORECASE,
)
# Actor roles from the words of a speaker's name and of the apposition after it ("Oudi Al-Khadran, the mayor of").
# First match wins; a speaker with none of these words who 'claims' is taken to claim responsibility.
ROLE_WORDS: list[tuple[ActorRole, set[str]]] = [
    (ActorRole.witness, {"witness", "witnesses", "eyewitness", "eyewitnesses", "resident", "residents", "neighbor",
                         "neighbors", "neighbour", "neighbours", "bystander", "bystanders", "survivor", "survivors"}),
    (ActorRole.spokesperson, {"spokesman", "spokeswoman", "spokesperson", "spokesmen", "agency", "media"}),
    (ActorRole.authority, {"official", "officials", "authorities", "police", "ministry", "government", "military",
                           "army", "general", "colonel", "mayor", "governor", "sheriff", "chief", "commander", "head",
                           "committee", "department", "minister", "coroner", "prosecutor", "prosecutors", "officer",
                           "officers", "detective", "detectives", "investigators", "council", "president", "court"}),
]
# Heads of speaker names that are documents or anonymous channels, not actors (they still make claims).
NOT_ACTORS = {"report", "reports", "post", "posts", "message", "messages", "statement", "statements", "source",
              "sources", "media"}
# Group nouns that count the same people, for merging one number said twice.
GROUP_SYNONYMS = {"inmate": "prisoner", "convict": "prisoner", "detainee": "prisoner", "officer": "police",
                  "policeman": "police", "policemen": "police", "cop": "police", "person": "people"}
KIND_RANK = {FigureKind.killed: 0, FigureKind.injured: 0, FigureKind.shot: 0, FigureKind.escaped: 1, FigureKind.freed: 1,
             FigureKind.arrested: 1, FigureKind.missing: 1, FigureKind.held: 2, FigureKind.other: 3}


class ModelInfo(BaseModel):
    role: str
    repo_id: str
    sha256: str
    backend: str


class CallStats(BaseModel):
    """One backend call: what it cost and whether it had to be retried."""

    step: str
    prompt_tokens: int
    cached_tokens: int = Field(description="prompt tokens reused from the previous call's KV cache")
    generated_tokens: int
    prefill_s: float
    decode_s: float
    constrained: bool = True
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


class Draft(BaseModel):
    summary: EventSummary
    meta: RunMeta


class GenerationError(RuntimeError):
    """The model could not produce a valid answer for one step, even after one retry; the message says which."""


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


def render_prompt(name: str, **values: Any) -> str:
    return _templates().get_template(f"{PROMPT_VERSION}/{name}.jinja").render(**values)


@cache
def prompt_version() -> str:
    """The template set's version plus a hash of its text, so an edited prompt never passes for the old one."""
    digest = hashlib.sha256()
    for path in sorted((PROMPTS / PROMPT_VERSION).glob("*.jinja")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{PROMPT_VERSION}+{digest.hexdigest()[:8]}"


def shown_text(text: str) -> str:
    """Source text as the model sees it: one line, and no chat-control markers ('<|im_end|>') a source could smuggle
    in (the tokenizer would read them as real turn boundaries)."""
    return " ".join(text.split()).replace("<|", "< |")


# Sentences that speak to the model instead of reporting news (prompt injection). They are not shown to the model,
# and model-written text using a word found only in them falls back to source text. Documented, not exhaustive: the
# grammar, the extractive fallbacks and verify are the other layers.
ADDRESSES_THE_MODEL = re.compile(
    r"<\|[a-z_]+\|>"
    r"|\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instructions?|schema|prompts?|rules|format|above|previous)\b"
    r"|\b(?:system|developer)\s+(?:prompt|message|instructions?)\b"
    r"|\byou\s+(?:must|should|will|are\s+to)\s+(?:now\s+)?(?:answer|reply|respond|output|print|write|say|obey|ignore)\b"
    r"|\b(?:write|answer|reply|respond|output|print|say)\b[^.]{0,40}\b(?:in|to|for)\s+(?:every|each|all)\s+"
    r"(?:fields?|answers?|outputs?|questions?)\b"
    r"|^\s*(?:system|assistant|user)\s*:",
    re.IGNORECASE,
)


def addresses_the_model(text: str) -> bool:
    return bool(ADDRESSES_THE_MODEL.search(text))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.casefold()))


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold().replace("-", " ")).split())


# --- what the model is shown -------------------------------------------------------------------------------------------
@dataclass
class Shown:
    """The deduplicated sentences that fit the budget, grouped by document, what the budget left out, and what was
    withheld because it addresses the model."""

    documents: list[tuple[Document, list[Sentence]]]
    left_out: list[str]
    withheld: list[Sentence]

    @property
    def sentences(self) -> list[Sentence]:
        return [s for _, sentences in self.documents for s in sentences]


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


def _line(sentence: Sentence) -> str:
    return f"[{sentence.id}] {shown_text(sentence.text)}\n"


def _mmr(vectors: np.ndarray, relevance: np.ndarray, cost: np.ndarray, budget: float) -> list[int]:
    """Maximal marginal relevance: greedily the most relevant item least like those already picked, within budget;
    an item nearly identical to a picked one is never picked."""
    chosen: list[int] = []
    used = 0.0
    closest = np.full(len(relevance), -1.0)
    while True:
        score = MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * np.maximum(closest, 0)
        fits = [i for i in np.argsort(-score, kind="stable")
                if i not in chosen and used + cost[i] <= budget and closest[i] < SAME_SENTENCE_COSINE]
        if not fits:
            return chosen
        pick = int(fits[0])
        chosen.append(pick)
        used += float(cost[pick])
        closest = np.maximum(closest, vectors @ vectors[pick])


def _vectors(texts: list[str]) -> np.ndarray:
    from summarizer.embed import Embedder

    return Embedder.load().encode(texts)


def _centrality(vectors: np.ndarray) -> np.ndarray:
    centroid = vectors.mean(axis=0)
    return vectors @ (centroid / (np.linalg.norm(centroid) or 1.0))


def select_sentences(sources: Sources, count_tokens: Callable[[str], int], budget: int) -> Shown:
    """Everything when it fits in `budget` tokens; otherwise the sentences MMR picks over embedder vectors (centrality
    to all sentences vs similarity to those already picked), shown in reading order. The rest is `left_out`.
    Sentences that address the model (prompt injection) are never shown: `withheld`."""
    pool = _distinct_sentences(sources)
    withheld = [s for s in pool if addresses_the_model(s.text)]
    pool = [s for s in pool if not addresses_the_model(s.text)]
    cost = np.array([count_tokens(_line(s)) for s in pool], dtype=float)
    chosen = set(range(len(pool)))
    if cost.sum() > budget:
        vectors = _vectors([s.text for s in pool])
        chosen = set(_mmr(vectors, _centrality(vectors), cost, budget))
    by_doc: dict[str, list[Sentence]] = {}
    for i, sentence in enumerate(pool):
        if i in chosen:
            by_doc.setdefault(sentence.doc_id, []).append(sentence)
    documents = [(d, by_doc[d.id]) for d in sources.canonical if d.id in by_doc]
    return Shown(documents, left_out=[s.id for i, s in enumerate(pool) if i not in chosen], withheld=withheld)


def render_prefix(shown: Shown, *, ids: bool = True) -> str:
    """The system message and the numbered sources; `ids` puts each sentence's id before it, for a model that cites."""
    documents = [
        {"id": doc.id, "about": ", ".join(shown_text(p) for p in (doc.outlet, doc.date) if p),
         "sentences": [{"id": s.id, "text": shown_text(s.text)} for s in sentences]}
        for doc, sentences in shown.documents
    ]
    return render_prompt("prefix", documents=documents, ids=ids)


# --- talking to the backend --------------------------------------------------------------------------------------------
def _bounded(max_length: int):
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length)]


@cache
def _text_model(field: str, max_length: int) -> type[BaseModel]:
    """A one-field JSON object: the grammar bounds the text and closes it, which plain text generation would not."""
    return create_model(f"{field.title().replace('_', '')}Answer", **{field: (_bounded(max_length), ...)})


def _complete_sentences(text: str, max_length: int) -> str:
    """Text the length bound cut mid-sentence, trimmed back to its last complete sentence (if it has one)."""
    text = " ".join(text.split())
    if len(text) < max_length - 1 or text.endswith((".", "!", "?", '"')):
        return text
    end = max(text.rfind(". "), text.rfind("! "), text.rfind("? "))
    return text[: end + 1] if end > 0 else text


@dataclass
class Ask:
    """One question for the model: the answer text is parsed by `parse` (which raises ValueError when it is unusable)."""

    step: str
    prompt: str
    output: OutputType
    max_tokens: int
    parse: Callable[[str], Any]
    repeat_penalty: float = 1.0


class _Session:
    """One draft's calls on one backend: the shared prefix, retries, and what each call cost."""

    def __init__(self, backend: Backend, shown: Shown, free_text: bool = True, ids: bool = False,
                 on_call: Callable[[CallStats], None] | None = None):
        self.backend, self.prefix, self.free_text = backend, render_prefix(shown, ids=ids), free_text
        self.shown = shown.sentences
        self.calls: list[CallStats] = []
        self.on_call = on_call or (lambda call: None)
        # Words the sources use only in withheld sentences: written text using one echoes an injection.
        self.foreign = _words(" ".join(s.text for s in shown.withheld)) - _words(" ".join(s.text for s in shown.sentences))

    def echoes_withheld(self, text: str) -> bool:
        return bool(_words(text) & self.foreign)

    def ask(self, asks: list[Ask]) -> list[Any]:
        """The answers to `asks`, asked in one backend call (a backend may decode them side by side). A cut-off or
        invalid answer is asked again once, with twice the room and a stronger repetition penalty."""
        answers: dict[int, Any] = {}
        problems: dict[int, str] = {}
        todo = list(enumerate(asks))
        for attempt in (1, 2):
            done = self.backend.complete([Request(a.prompt, a.output, a.max_tokens, a.repeat_penalty) for _, a in todo])
            again = []
            for (index, a), completion in zip(todo, done):
                self.calls.append(CallStats(
                    step=a.step, prompt_tokens=completion.prompt_tokens, cached_tokens=completion.cached_tokens,
                    generated_tokens=completion.generated_tokens, prefill_s=round(completion.prefill_s, 3),
                    decode_s=round(completion.decode_s, 3), constrained=a.output is not None, attempts=attempt))
                self.on_call(self.calls[-1])
                try:
                    answers[index] = a.parse(completion.text)
                except (ValidationError, ValueError) as err:
                    problems[index] = (f"cut off after {completion.generated_tokens} tokens" if not completion.finished
                                       else f"invalid ({str(err).splitlines()[0][:200]})")
                    again.append((index, replace(a, max_tokens=a.max_tokens * 2, repeat_penalty=a.repeat_penalty + 0.15)))
            todo = again
            if not todo:
                return [answers[i] for i in range(len(asks))]
        index, a = todo[0]
        raise GenerationError(f"the model's answer for '{a.step}' was {problems[index]}, twice; no draft was made")

    def task(self, name: str, **view: Any) -> str:
        return self.prefix + render_prompt("task", task=render_prompt(name, **view).strip())

    def choice(self, name: str, options: list[str]) -> Ask:
        """Pick one option, or None for 'not stated', asked after the sources."""
        choice = Choice(tuple(dict.fromkeys(options)) + (NOT_STATED,))
        longest = max(self.backend.count_tokens(o) for o in choice.spellings)

        def parse(text: str) -> str | None:
            if text not in choice.options:
                raise ValueError(f"{text!r} is not one of the options")
            return None if text == NOT_STATED else text

        return Ask(name, self.task(name, options=list(choice.options)), choice, longest + 2, parse)

    def write(self, jobs: list[tuple[str, str, str]]) -> list[str]:
        """Bounded free text for each (step, prompt, field) (a one-field JSON object), trimmed to whole sentences;
        '' where the model is not to write (the caller then uses the source sentence itself)."""
        if not self.free_text:
            return [""] * len(jobs)
        asks = []
        for step, prompt, field in jobs:
            limit = TEXT_LIMITS[field]
            model = _text_model(field, limit)

            def parse(raw: str, model=model, field=field, limit=limit) -> str:
                text = getattr(model.model_validate_json(raw), field)
                return "" if self.echoes_withheld(text) else _complete_sentences(text, limit)

            asks.append(Ask(step, prompt, model, limit // 2 + 24, parse, repeat_penalty=1.1))
        return self.ask(asks)


# --- the main event: what the model chose, and which sentences are about something else -------------------------------
_DATE_VALUE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")


def _by_mentions(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """name -> sentence ids, names spelled as most often written but never shouted when the text also writes them
    normally ('Memphis', not a dateline's 'MEMPHIS'), most-mentioned first ('Al-Khalis' = 'Al Khalis')."""
    spellings: dict[str, Counter] = {}
    mentions: dict[str, list[str]] = {}
    for name, sentence_id in pairs:
        key = _norm(name)
        spellings.setdefault(key, Counter())[name] += 1
        mentions.setdefault(key, []).append(sentence_id)
    ranked = sorted(mentions, key=lambda k: -len(mentions[k]))
    written = {k: max(spellings[k], key=lambda name: (not name.isupper(), spellings[k][name])) for k in ranked}
    return {written[k]: list(dict.fromkeys(mentions[k])) for k in ranked}


def _town_regions(places: list) -> dict[str, tuple[str, str | None]]:
    """Town (normalised) -> (region, basis): the region most often written with it ('Taylor, Mich.'), else the
    gazetteer's inference (basis set)."""
    written: dict[str, Counter] = {}
    inferred: dict[str, tuple[str, str]] = {}
    for p in places:
        if p.kind == "place" and p.region:
            if p.region_basis:
                inferred[_norm(p.text)] = (p.region, p.region_basis)
            else:
                written.setdefault(_norm(p.text), Counter())[p.region] += 1
    return inferred | {town: (regions.most_common(1)[0][0], None) for town, regions in written.items()}


@dataclass
class Options:
    """What the text offers for date and location, restricted to the sentences the model was shown. A site (a venue,
    a street) is offered as the place only when the reports name no town."""

    dates: dict[str, list[str]]
    places: dict[str, list[str]]
    regions: dict[str, list[str]]
    countries: dict[str, list[str]]
    town_regions: dict[str, tuple[str, str | None]]

    @classmethod
    def of(cls, candidates: Candidates, visible: set[str]) -> Options:
        places = [p for p in candidates.places if p.sentence_id in visible]
        dates = [(d.value, d.sentence_id) for d in candidates.dates
                 if d.sentence_id in visible and d.value and _DATE_VALUE.match(d.value)]
        return cls(
            dates=_by_mentions(dates),
            places=_by_mentions([(p.text, p.sentence_id) for p in places if p.kind == "place"]
                                or [(p.text, p.sentence_id) for p in places if p.kind == "site"]),
            regions=_by_mentions([(p.region or p.text, p.sentence_id) for p in places if p.kind == "region"]
                                 + [(p.region, p.sentence_id) for p in places
                                    if p.kind == "place" and p.region and not p.region_basis]),
            countries=_by_mentions([(p.country, p.sentence_id) for p in places if p.country]),
            town_regions=_town_regions(places),
        )

    def region_of(self, town: str | None) -> tuple[str, str | None] | None:
        """(region, basis) of a town: the one a sentence writes with it, else the one the gazetteer inferred."""
        return self.town_regions.get(_norm(town)) if town else None

    @property
    def most_reported_date(self) -> str | None:
        """The day the most sentences give, else the most given month or year. The text decides, not the model:
        on the first 20 GVA dev incidents this rule gave the right day 17 times, the 0.5B model's own choice among
        the same options 13-14 times and the 1.5B's 5 of its first 8; on incidents 21-120, the rule 83 of 100."""
        days = [value for value in self.dates if len(value) == 10]
        return (days or list(self.dates) or [None])[0]


@dataclass
class MainEvent:
    event_type: EventType
    date: str | None
    place: str | None
    region: str | None
    country: str | None
    region_basis: str | None = None  # set when the region is inferred (summarizer.gazetteer), not written

    def describe(self) -> str:
        where = ", ".join(x for x in (self.place, self.region, self.country) if x)
        return " ".join(filter(None, (self.event_type.value.replace("_", " "), where and f"in {where}",
                                      self.date and f"on {spoken_date(self.date)}")))


def spoken_date(value: str) -> str:
    """'2015-05-08' -> '8 May 2015', as the model is told the main event's date: reports write dates this way."""
    parts = value.split("-")
    if len(parts) == 3:
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"
    return f"{date(int(parts[0]), int(parts[1]), 1):%B %Y}" if len(parts) == 2 else value


def _dates_agree(a: str, b: str) -> bool:
    """'2015' agrees with '2015-05-08', and so does any day within a week of it (a death confirmed three days later is
    news of the same event); 'June 2014' does not."""
    if len(a) == len(b) == 10:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= SAME_EVENT_DAYS
    n = min(len(a), len(b))
    return a[:n] == b[:n]


class EventScope:
    """Whether a sentence is about the main event. A sentence that names the main place is; one that names another
    town or place (its own region and country aside), or a date the main event's date rules out, is about something
    else (a car bomb in Baghdad the next day, a prison break in 2013); anything else is taken to be about the main
    event, as the reports are."""

    def __init__(self, main: MainEvent, candidates: Candidates):
        self.main = main
        self.places: dict[str, list[str]] = {}
        around = {_norm(x) for x in (main.region, main.country) if x}  # the main event's own region is no elsewhere
        for p in candidates.places:
            if p.kind == "place" and _norm(p.text) not in around:
                self.places.setdefault(p.sentence_id, []).append(_norm(p.text))
        self.dates: dict[str, list[str]] = {}
        for d in candidates.dates:
            if d.value and _DATE_VALUE.match(d.value):
                self.dates.setdefault(d.sentence_id, []).append(d.value)

    def is_main(self, sentence_id: str) -> bool:
        here = self.places.get(sentence_id, [])
        if self.main.place:
            main_place = _norm(self.main.place)
            if main_place in here:
                return True
            if any(p != main_place for p in here):
                return False
        if self.main.date and any(not _dates_agree(d, self.main.date) for d in self.dates.get(sentence_id, [])):
            return False
        return True


# --- speakers, actors, figures -----------------------------------------------------------------------------------------
_LEADING_DETERMINER = re.compile(r"^(?:the|a|an|another|some)\s+", re.IGNORECASE)
_APPOSITION = re.compile(r",\s+((?:the|a|an)\s[^,.;:!?]{1,80})")  # "Oudi Al-Khadran, the mayor of the town, ..."


@dataclass
class Speaker:
    name: str
    attributions: list[Attribution]

    @property
    def sentence_ids(self) -> list[str]:
        return list(dict.fromkeys(a.sentence_id for a in self.attributions))


def group_speakers(attributions: list[Attribution]) -> list[Speaker]:
    """Attributions grouped by who speaks: names whose words are all in another name are one speaker ('Amaq' and
    'Amaq News Agency'; 'Maan' and 'Brigadier General Saad Maan'), unless the longer one joins two with 'and'.
    Most-quoted first; a speaker is named as most often written."""
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
        speakers.append(Speaker(name[:1].upper() + name[1:], members))
    return sorted(speakers, key=lambda s: -len(s.sentence_ids))


def actor_role(speaker: Speaker, sources: Sources) -> ActorRole | None:
    """The speaker's role from the words of their name and the apposition after it; None for a document or an
    anonymous channel ('official reports', 'those posts'), which can make claims but is not an actor."""
    name_words = _norm(speaker.name).split()
    if name_words and name_words[-1] in NOT_ACTORS:
        return None
    words = set(name_words)
    for a in speaker.attributions:
        sentence = sources.sentence(a.sentence_id)
        apposition = _APPOSITION.match(sentence.text, a.end - sentence.start) if sentence else None
        if apposition:
            words |= set(_norm(apposition.group(1)).split())
    for role, cues in ROLE_WORDS:
        if words & cues:
            return role
    if any(a.stance == "claims" for a in speaker.attributions):
        return ActorRole.claimed_responsibility
    return ActorRole.other


def _group_key(group: str) -> str:
    head = (_norm(group).split() or [""])[-1]
    head = head[:-1] if head.endswith("s") and not head.endswith("ss") else head
    return GROUP_SYNONYMS.get(head, head)


def _figure(c: FigureCandidate) -> Figure:
    return Figure(kind=c.kind, group=(c.group or "people")[:120], value_min=c.value_min, value_max=c.value_max,
                  text=c.text[:120], reported_by=c.reported_by[:120] if c.reported_by else None,
                  citations=[c.sentence_id])


def merge_figures(candidates: list[FigureCandidate]) -> list[Figure]:
    """One row per number per reporter. The same count of the same people said again (in the same report, or by a
    report that names no source) becomes a citation of the row, not a second row; different reporters stay apart.
    Capped at the schema's 12: precise before vague, casualties before escapes before the rest, and within those each
    reporter's first count of a kind before anyone's second (so one reporter's list cannot crowd out another's only
    count)."""
    merged: list[tuple[FigureCandidate, Figure]] = []
    for c in candidates:
        same = next((i for i, (first, f) in enumerate(merged)
                     if (f.kind, f.value_min, f.value_max) == (c.kind, c.value_min, c.value_max)
                     and _group_key(f.group) == _group_key(c.group or "people")
                     and (not f.reported_by or not c.reported_by or _norm(f.reported_by) == _norm(c.reported_by))),
                    None)
        if same is None:
            merged.append((c, _figure(c)))
            continue
        first, f = merged[same]
        if not f.reported_by and c.reported_by:  # the reported wording leads
            first, f = c, _figure(c).model_copy(update={"citations": [c.sentence_id] + f.citations})
        else:
            f = f.model_copy(update={"citations": f.citations + [c.sentence_id]})
        merged[same] = (first, f.model_copy(update={"citations": list(dict.fromkeys(f.citations))[:4]}))
    seen: Counter = Counter()
    turn = []  # 0 for the first figure of its kind from its reporter, 1 for the second...
    for _, f in merged:
        key = (f.kind, _norm(f.reported_by or ""))
        turn.append(seen[key])
        seen[key] += 1
    ranked = sorted(range(len(merged)), key=lambda i: (merged[i][0].vague, not merged[i][0].group,
                                                       KIND_RANK[merged[i][1].kind], turn[i], i))
    kept = sorted(ranked[: LIMITS["figures"]], key=lambda i: (KIND_RANK[merged[i][1].kind], i))
    return [merged[i][1] for i in kept]


# --- text the model writes, and the guard on it -------------------------------------------------------------------------
def _numbers_in(text: str) -> set[float]:
    return {q.value_min for q in numbers.extract(text) if q.unit is None}


def _states_its_numbers(text: str, cited: list[Sentence]) -> bool:
    return _numbers_in(text) <= _numbers_in(" ".join(s.text for s in cited))


def _trimmed(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit - 1)].rstrip(",;:") + "…"


def _grounded(written: str, cited: list[Sentence], field: str, fallback: str | None = None) -> str:
    """The model's text, or source text itself (`fallback`, else the first cited sentence) when there is no text or
    it carries a number no cited sentence states."""
    if written and _states_its_numbers(written, cited):
        return written
    return _trimmed(fallback or cited[0].text, TEXT_LIMITS[field])


def _pick_sentences(sentences: list[Sentence], limit: int, vectors: dict[str, np.ndarray], central: bool) -> list[Sentence]:
    """Up to `limit` sentences with no two saying the same thing: the most central first, or in reading order."""
    if not sentences:
        return []
    matrix = np.stack([vectors[s.id] for s in sentences])
    relevance = _centrality(matrix) if central else np.linspace(1.0, 0.5, len(sentences))
    picked = _mmr(matrix, relevance, np.ones(len(sentences)), limit)
    return [sentences[i] for i in (picked if central else sorted(picked))]


# --- the two strategies ---------------------------------------------------------------------------------------------
def event_types_by_use(sentences: list[Sentence]) -> list[EventType]:
    """Event types, the one whose words the most sentences use first ('prison break', 'bombing' ~ 'bombs'), 'other'
    last. The options are offered in this order, like places and dates: a small model leans to the first one."""
    import snowballstemmer

    stem = snowballstemmer.stemmer("english").stemWords
    used = [set(stem(re.findall(r"[a-z]+", s.text.casefold()))) for s in sentences]

    def sentences_using(kind: EventType) -> int:
        words = set(stem(kind.value.split("_")))
        return sum(words <= sentence for sentence in used)

    named = sorted((k for k in EventType if k is not EventType.other), key=lambda k: -sentences_using(k))
    return [*named, EventType.other]


def _main_event(session: _Session, options: Options) -> MainEvent:
    """The choices that fix the main event, asked side by side over the cached sources. The date is counted, not
    asked (Options.most_reported_date)."""
    kinds = {t.value.replace("_", " "): t for t in event_types_by_use(session.shown)}
    named = [("place", options.places), ("region", options.regions), ("country", options.countries)]
    asked = [(field, table) for field, table in named if table]
    answers = session.ask([session.choice("event_type", list(kinds))]
                          + [session.choice(field, list(table)) for field, table in asked])
    chosen = dict(zip((field for field, _ in asked), answers[1:]))
    region, basis = options.region_of(chosen.get("place")) or (chosen.get("region"), None)
    return MainEvent(event_type=kinds.get(answers[0] or "other", EventType.other), date=options.most_reported_date,
                     place=chosen.get("place"), region=region, country=chosen.get("country"), region_basis=basis)


def _date_and_location(main: MainEvent, options: Options, candidates: Candidates, order: dict[str, int]) -> dict:
    out: dict[str, Any] = {}
    if main.date:
        said = sorted((d for d in candidates.dates if d.value == main.date and d.sentence_id in order),
                      key=lambda d: (d.relative, order[d.sentence_id]))
        out["date"] = EventDate(value=main.date, precision=DatePrecision(said[0].precision), text=said[0].text[:120],
                                citations=list(dict.fromkeys(d.sentence_id for d in said))[:4])
    chosen = [(main.place, options.places), (main.region, options.regions), (main.country, options.countries)]
    mentioned = Counter(sid for name, table in chosen if name for sid in table.get(name, []))
    if mentioned:
        citations = sorted(mentioned, key=lambda sid: (-mentioned[sid], order[sid]))[:4]
        out["location"] = Location(place=main.place, region=main.region, country=main.country, citations=citations,
                                   region_basis=main.region_basis)
    return out


def _draft_sections(session: _Session, sources: Sources, candidates: Candidates, shown: Shown,
                    timings: dict[str, float]) -> dict:
    clock = time.perf_counter()
    visible = shown.sentences
    order = {s.id: i for i, s in enumerate(visible)}
    options = Options.of(candidates, set(order))
    main = _main_event(session, options)
    timings["main_event"] = time.perf_counter() - clock
    clock = time.perf_counter()
    scope = EventScope(main, candidates)
    on_main = [s for s in visible if scope.is_main(s.id)]
    anchored = ({c.sentence_id for c in candidates.figures} | {a.sentence_id for a in candidates.attributions}
                | {sid for name in (main.place, main.date) if name
                   for sid in options.places.get(name, []) + options.dates.get(name, [])})
    lead = next((s for s in on_main if s.id in anchored), (on_main or visible)[0])
    title = next((d.title for d, _ in shown.documents if d.title), lead.text)
    out: dict[str, Any] = {"event_type": main.event_type, **_date_and_location(main, options, candidates, order)}
    out["figures"] = merge_figures([c for c in candidates.figures if c.sentence_id in order and scope.is_main(c.sentence_id)])
    speakers = [Speaker(s.name, [a for a in s.attributions if scope.is_main(a.sentence_id)])
                for s in group_speakers([a for a in candidates.attributions if a.sentence_id in order])]
    speakers = sorted((s for s in speakers if s.attributions), key=lambda s: -len(s.sentence_ids))
    roles = [(s, actor_role(s, sources)) for s in speakers]
    out["actors"] = [Actor(name=s.name[:120], role=role, citations=s.sentence_ids[:4])
                     for s, role in roles if role][: LIMITS["actors"]]
    vectors = dict(zip((s.id for s in visible), _vectors([s.text for s in visible])))
    figure_sentences = {c.sentence_id for c in candidates.figures}
    aftermath = _pick_sentences([s for s in on_main if AFTERMATH.search(s.text)], LIMITS["aftermath"], vectors, False)
    related = _pick_sentences([s for s in visible if not scope.is_main(s.id) and s.id in figure_sentences],
                              LIMITS["related_events"], vectors, False)
    used = {s.id for s in aftermath + related}
    key_points = _pick_sentences([s for s in on_main if s.id not in used and s.id in anchored
                                  and len(s.text.split()) >= 8], LIMITS["key_points"], vectors, True)
    timings["rules"] = time.perf_counter() - clock

    # Everything the model writes, in one call: headline and bottom line over the cached sources (naming the chosen
    # event keeps a small model from headlining a side event), a claim per main speaker and a note per picked
    # sentence over short prompts of their own.
    clock = time.perf_counter()
    event = main.describe()
    claimants = speakers[: LIMITS["claims"]]
    cited = [[sources.sentence(sid) for sid in speaker.sentence_ids[:4]] for speaker in claimants]
    noted = [(field, s) for field, picked in (("key_points", key_points), ("aftermath", aftermath),
                                              ("related_events", related)) for s in picked]
    jobs = [(field, session.task(field, event=shown_text(event)), field) for field in ("headline", "bottom_line")]
    jobs += [("claim", render_prompt("claim", event=event, speaker=shown_text(speaker.name),
                                     sentences=[shown_text(s.text) for s in said[:3]]), "claim")
             for speaker, said in zip(claimants, cited)]
    jobs += [("note", render_prompt("note", sentence=shown_text(sentence.text)), "note") for _, sentence in noted]
    written = session.write(jobs)
    out["headline"] = _grounded(written[0], visible, "headline", title)
    out["bottom_line"] = _grounded(written[1], visible, "bottom_line", lead.text)
    out["claims"] = [Claim(claimant=speaker.name[:120], statement=_grounded(text, said, "claim"),
                           stance=Stance.denies if any(a.stance == "denies" for a in speaker.attributions)
                           else Stance.asserts, citations=speaker.sentence_ids[:4])
                     for speaker, said, text in zip(claimants, cited, written[2:])]
    notes = written[2 + len(claimants):]
    for field in ("key_points", "aftermath", "related_events"):
        out[field] = [Note(text=_grounded(text, [sentence], "note"), citations=[sentence.id])
                      for (kind, sentence), text in zip(noted, notes) if kind == field]
    timings["write"] = time.perf_counter() - clock
    return out


def _single_schema(ids: list[str]) -> dict:
    """EventSummary's own schema, with each citation an enum of the sentence ids the model was shown."""
    def narrow(node):
        if isinstance(node, dict):
            if node.get("pattern") == r"^d[0-9]+:[0-9]+$":
                return {"type": "string", "enum": ids}
            return {k: narrow(v) for k, v in node.items()}
        if isinstance(node, list):
            return [narrow(v) for v in node]
        return node

    return narrow(EventSummary.model_json_schema())


def _draft_single(session: _Session, sources: Sources, shown: Shown, timings: dict[str, float]) -> dict:
    """The whole schema in one constrained call (the measured alternative). List items that fail validation, cite
    nothing, echo a withheld sentence, or carry a number their cited sentences do not state are dropped; a headline
    or bottom line that does either is replaced by source text."""
    clock = time.perf_counter()
    visible = shown.sentences
    [raw] = session.ask([Ask("single", session.task("single"), _single_schema([s.id for s in visible]), 1500,
                             json.loads, repeat_penalty=1.1)])
    timings["single"] = time.perf_counter() - clock

    def written(text: str, cited: list[Sentence]) -> bool:
        return bool(cited) and not session.echoes_withheld(text) and _states_its_numbers(text, cited)

    title = next((d.title for d, _ in shown.documents if d.title), visible[0].text)
    out: dict[str, Any] = {"event_type": raw.get("event_type") or EventType.other}
    for field, fallback in (("headline", title), ("bottom_line", visible[0].text)):
        text = raw.get(field) or ""
        out[field] = text if written(text, visible) else _trimmed(fallback, TEXT_LIMITS[field])
    for field, model in (("date", EventDate), ("location", Location)):
        try:
            out[field] = model.model_validate(raw[field]) if raw.get(field) else None
        except ValidationError:
            out[field] = None
    item_text = {"figures": lambda f: f"{f.text} ({f.value_min})", "claims": lambda c: c.claimant + " " + c.statement,
                 "actors": lambda a: a.name}
    for field, model in (("actors", Actor), ("figures", Figure), ("claims", Claim), ("aftermath", Note),
                         ("related_events", Note), ("key_points", Note)):
        out[field] = []
        for item in raw.get(field) or []:
            try:
                parsed = model.model_validate(item)
            except ValidationError:
                continue
            cited = [s for sid in parsed.citations if (s := sources.sentence(sid))]
            if written(item_text.get(field, lambda n: n.text)(parsed), cited):
                out[field].append(parsed)
    return out


# --- clean-up --------------------------------------------------------------------------------------------------------
def _dedupe(items: list, key: Callable[[Any], str]) -> list:
    seen: set[str] = set()
    return [i for i in items if not (key(i) in seen or seen.add(key(i)))]


def _clean(out: dict, sources: Sources) -> dict:
    """No duplicated list item, no citation of a sentence the sources do not have, every list within its limit."""
    known = {s.id for s in sources.sentences(canonical_only=False)}
    keys = {"actors": lambda a: _norm(a.name), "figures": lambda f: json.dumps([f.kind, f.value_min, f.value_max,
                                                                               f.group, f.reported_by, f.text]),
            "claims": lambda c: _norm(c.claimant + " " + c.statement)}
    seen_text: set[str] = set()
    for field, limit in LIMITS.items():
        items = [i.model_copy(update={"citations": list(dict.fromkeys(c for c in i.citations if c in known))})
                 for i in out.get(field, [])]
        if field in keys:
            items = _dedupe(items, keys[field])
        else:  # notes: one text once across key points, aftermath and related events
            items = [n for n in items if not (_norm(n.text) in seen_text or seen_text.add(_norm(n.text)))]
        out[field] = items[:limit]
    for field in ("date", "location"):
        if out.get(field):
            item = out[field]
            out[field] = item.model_copy(update={"citations": [c for c in item.citations if c in known]})
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
    free_text: bool = True,
    on_call: Callable[[CallStats], None] | None = None,
) -> Draft:
    """Draft an EventSummary of `sources` with pinned model `model` ('generator' or 'generator-large').

    `free_text=False` has the model make only the choices (event type, place, region, country): headline, bottom
    line, claims and notes are then the source sentences themselves. Several times faster; eval/events.py uses it because the
    fields it scores do not depend on the written text. `on_call` sees each model call's stats as it finishes (a
    progress display: a draft is a few dozen short calls)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}")
    if not sources.canonical:
        raise GenerationError("there is nothing to summarize: no readable document in the sources")
    started = time.perf_counter()
    runner = load_backend(backend, model) if isinstance(backend, str) else backend
    timings: dict[str, float] = {"load": time.perf_counter() - started}
    clock = time.perf_counter()
    candidates = candidates if candidates is not None else find_candidates(sources)
    shown = select_sentences(sources, runner.count_tokens, source_budget)
    session = _Session(runner, shown, free_text, ids=strategy == "single", on_call=on_call)
    timings["prepare"] = time.perf_counter() - clock
    if strategy == "sections":
        out = _draft_sections(session, sources, candidates, shown, timings)
    else:
        out = _draft_single(session, sources, shown, timings)
    try:
        summary = EventSummary.model_validate(_clean(out, sources))
    except ValidationError as err:
        raise GenerationError(f"the draft does not fit the schema: {str(err).splitlines()[0]}") from err
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
    )
    return Draft(summary=summary, meta=meta)
