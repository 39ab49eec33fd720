"""What the model writes, and the guard on it: one draft's session on a backend (the shared sources prefix, one retry
per bad answer, what each call cost), bounded one-field text answers trimmed to whole sentences, and the grounding
rule: text carrying a number or ranking word its cited sentences do not state falls back to the source sentence."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, ValidationError, create_model

from summarizer.backends import Backend, Choice, OutputType, Request
from summarizer.checks import dates, numbers
from summarizer.draft.limits import TEXT_LIMITS
from summarizer.draft.prompts import addresses_the_model, render_prompt
from summarizer.draft.selection import Shown, render_prefix
from summarizer.sources import Document, Sentence

log = logging.getLogger("summarizer.draft")

NOT_STATED = "not stated"


class CallStats(BaseModel):
    """One backend call: what it cost and whether it had to be retried."""

    step: str
    model: str = Field(default="", description="the model role that answered (a draft with a writer uses two)")
    prompt_tokens: int
    cached_tokens: int = Field(description="prompt tokens reused from the previous call's KV cache")
    generated_tokens: int
    prefill_s: float
    decode_s: float
    constrained: bool = True
    attempts: int = 1


class GenerationError(RuntimeError):
    """The model could not produce a valid answer for one step, even after one retry; the message says which."""


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.casefold()))


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
    fallback: Any = None  # the answer when both attempts fail, where one can stand in (written text); None: fail


class Session:
    """One draft's calls: the shared prefix, retries, and what each call cost. Choices go to `backend`; free text
    (`write`) goes to `writer`, the same backend unless a larger model is to write what the small one chose. The
    writer gets the same prompts, sources prefix included (the pinned models share one tokenizer and chat template),
    and reads that prefix into its own cache."""

    def __init__(self, backend: Backend, shown: Shown, free_text: bool = True, ids: bool = False,
                 on_call: Callable[[CallStats], None] | None = None, writer: Backend | None = None):
        self.backend, self.prefix, self.free_text = backend, render_prefix(shown, ids=ids), free_text
        self.writer = writer or backend
        self.shown = shown.sentences
        self.calls: list[CallStats] = []
        self.on_call = on_call or (lambda call: None)
        # Words the sources use only in withheld sentences: written text using one echoes an injection.
        self.foreign = _words(" ".join(s.text for s in shown.withheld)) - _words(" ".join(s.text for s in shown.sentences))

    def echoes_withheld(self, text: str) -> bool:
        return bool(_words(text) & self.foreign)

    def ask(self, asks: list[Ask], backend: Backend | None = None) -> list[Any]:
        """The answers to `asks`, asked in one call of `backend` (default: the session's; a backend may decode them
        side by side). A cut-off or invalid answer is asked again once, with twice the room and a stronger repetition
        penalty."""
        answers: dict[int, Any] = {}
        problems: dict[int, str] = {}
        todo = list(enumerate(asks))
        backend = backend or self.backend
        for attempt in (1, 2):
            done = backend.complete([Request(a.prompt, a.output, a.max_tokens, a.repeat_penalty) for _, a in todo])
            again = []
            for (index, a), completion in zip(todo, done):
                self.calls.append(CallStats(
                    step=a.step, model=backend.role, prompt_tokens=completion.prompt_tokens,
                    cached_tokens=completion.cached_tokens, generated_tokens=completion.generated_tokens,
                    prefill_s=round(completion.prefill_s, 3),
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
        for index, a in todo:
            if a.fallback is None:
                raise GenerationError(f"the model's answer for '{a.step}' was {problems[index]}, twice; no draft was made")
            log.warning("the model's answer for '%s' was %s, twice; source text stands in", a.step, problems[index])
            answers[index] = a.fallback
        return [answers[i] for i in range(len(asks))]

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
        """Bounded free text for each (step, prompt, field) (a one-field JSON object), by the writer, trimmed to whole
        sentences; '' where the model is not to write or wrote nothing usable twice (the caller then uses the source
        sentence itself: greedy decoding repeats an invalid answer, and one bad note must not cost the whole draft)."""
        if not self.free_text:
            return [""] * len(jobs)
        asks = []
        for step, prompt, field in jobs:
            limit = TEXT_LIMITS[field]
            model = _text_model(field, limit)

            def parse(raw: str, model=model, field=field, limit=limit) -> str:
                text = getattr(model.model_validate_json(raw), field)
                return "" if self.echoes_withheld(text) else _complete_sentences(text, limit)

            asks.append(Ask(step, prompt, model, limit // 2 + 24, parse, repeat_penalty=1.1, fallback=""))
        return self.ask(asks, self.writer)


# --- text the model writes, and the guard on it -------------------------------------------------------------------------
def _numbers_in(text: str) -> set[float]:
    return {q.value_min for q in numbers.extract(text) if q.unit is None}


# Words that rank what they describe. A small model adds them to make a headline read as news ('Largest landslide in
# Colombia' of a report that ranks nothing); its sources must use them too.
RANKING_WORDS = frozenset("""largest biggest worst deadliest best greatest highest lowest longest strongest heaviest
    record unprecedented historic""".split())


def _ranking_words_in(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower())) & RANKING_WORDS


def states_only_what_is_cited(text: str, cited: list[Sentence]) -> bool:
    """Whether every number and ranking word of the model's text is in its cited sentences."""
    source = " ".join(s.text for s in cited)
    return _numbers_in(text) <= _numbers_in(source) and _ranking_words_in(text) <= _ranking_words_in(source)


# The end of a sentence inside a text: a stop after a word of two lowercase letters or digits ('motorists.', not
# 'U.S.' or 'Mr.'), then a space; and the end of a clause: before ', but', ', while', '; ', ' - '.
_SENTENCE_END = re.compile(r"(?<=[a-z0-9]{2})[.!?][\"'”’)]?(?=\s)")
_CLAUSE_END = re.compile(r"(?=,\s+(?:but|while|although|though|as|after|before|when|which|who)\s)|(?=;\s)"
                         r"|(?=\s[-–—]\s)")


# A report's first lines that are no lead: a caption or pull-quote opening with a quotation mark ("` gunman' :
# claudio giardiello was described as `very unusual' by his former lawyer."), or a line too short to tell an event.
_QUOTE_OPENERS = "`'\"‘“«"
MIN_LEAD_WORDS = 8


_ENDS_A_SENTENCE = re.compile(r"[.!?…][\"”’')\]]*$")


def reads_as_prose(text: str) -> bool:
    """A whole sentence of reporting, ending as one does: not a title, caption or list line, which read as facts
    out of their context ('ISIS part of major Iraq prison break that killed 62' is a title)."""
    return len(text.split()) >= MIN_LEAD_WORDS and bool(_ENDS_A_SENTENCE.search(text.rstrip()))


def lead_text(document: Document) -> str | None:
    """What a report says first about its event: its title, else its first sentence that reads as a news lead (none
    that speaks to the model). The headline falls back to it when the model's text cannot stand."""
    if document.title:
        return document.title
    sentences = [s.text for s in document.sentences if not addresses_the_model(s.text)]
    leads = [t for t in sentences if t[:1] not in _QUOTE_OPENERS and len(t.split()) >= MIN_LEAD_WORDS]
    return (leads or sentences or [None])[0]


def trimmed(text: str, limit: int) -> str:
    """`text` within `limit` characters: its whole sentences that fit, else its whole clauses with '…', else cut at a
    word with '…', taking the first that keeps a third of the limit. A cut after a sentence's end would leave a
    fragment ('I am utterly…') that reads as a claim of its own, and a cut mid-clause half a statement."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    sentences = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit)]
    if sentences and sentences[-1] >= limit // 3:
        return text[: sentences[-1]]
    clauses = [m.start() for m in _CLAUSE_END.finditer(text, 0, limit - 1)]
    if clauses and clauses[-1] >= limit // 3:
        return text[: clauses[-1]] + "…"
    return text[: text.rfind(" ", 0, limit - 1)].rstrip(",;:") + "…"


def dates_only_the_event(text: str, event_date: str | None) -> bool:
    """Whether every date `text` gives can be the main event's (ISO `event_date`, None when not stated). A headline
    'Suitland, Maryland shooter killed in 2006' over an undated event took its year from another sentence ('the
    campus, built in 2006'); the checker, reading the headline as a whole, let it pass."""
    event = [int(part) for part in event_date.split("-")] + [None] * 2 if event_date else [None] * 3
    for mention in dates.extract(text):
        if mention.value is None:
            continue  # a weekday alone dates nothing
        if event_date is None or any(a is not None and b is not None and a != b
                                     for a, b in zip(mention.parts, event)):
            return False
    return True


def grounded(written: str, cited: list[Sentence], field: str, fallback: str | None = None) -> str:
    """The model's text, or source text itself (`fallback`, else the first cited sentence) when there is no text or
    it carries a number or ranking word no cited sentence states."""
    if written and states_only_what_is_cited(written, cited):
        return written
    return trimmed(fallback or cited[0].text, TEXT_LIMITS[field])
