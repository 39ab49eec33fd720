"""The seam between generate and a model runtime: a prompt and an output type in, text and timings out.

Every backend takes a list of requests, each a raw prompt string (the chat template is applied by the caller, from
prompts/, so a shared prefix is byte-identical across requests and its KV state can be reused) and one of three
output types: a JSON schema (a pydantic model class or a schema dict), a `Choice` among fixed strings, or None for
free text. Decoding is always greedy. A list lets a backend decode requests side by side (llama.cpp does).
Adding a runtime means one new module and one line in `_BACKENDS`. A vLLM backend would map a list of requests to
one `LLM.generate` call with `GuidedDecodingParams(json=...)` or `(choice=...)` per request and prefix caching on;
it is not here because no GPU was lent to this project to run and test it on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Protocol, Union

from pydantic import BaseModel

DEFAULT_BACKEND = "llamacpp"
_BACKENDS = {"llamacpp": "summarizer.backends.llamacpp", "transformers": "summarizer.backends.transformers"}
BACKENDS = tuple(_BACKENDS)


@dataclass(frozen=True)
class Choice:
    """Exactly one of these strings, emitted without quotes. The first letter may come in either case: a model that
    wants to open its answer with a capital would otherwise be forced onto an unlikely token, and greedy decoding
    then picks among the options almost at random (measured: 'the prison break' vs 'a different event' gave one
    constant answer, 'The ...' was what the model wrote). `canonical` maps what was emitted back to an option."""

    options: tuple[str, ...]

    def __post_init__(self):
        if not self.options or len(set(self.options)) != len(self.options):
            raise ValueError(f"a Choice needs distinct options, got {self.options!r}")

    @staticmethod
    def _cased(option: str) -> tuple[str, str]:
        return option, option[:1].swapcase() + option[1:]

    @property
    def spellings(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for o in self.options for v in self._cased(o)))

    def canonical(self, text: str) -> str | None:
        text = text.strip()
        return next((o for o in self.options if text in self._cased(o)), None)

    def logprobs(self, logits, first_tokens: Callable[[str], int]) -> dict[str, float]:
        """Each option's log-probability under next-token `logits` (all of them softmaxed): the probabilities of its
        spellings' first tokens, summed. Options should differ in their first token (yes / no) for this to mean
        the option rather than a shared opening."""
        import numpy as np
        from scipy.special import logsumexp

        logits = np.asarray(logits, dtype=np.float64)
        log_total = logsumexp(logits)
        return {option: float(logsumexp(logits[sorted({first_tokens(s) for s in self._cased(option)})]) - log_total)
                for option in self.options}


OutputType = Union[type[BaseModel], dict, Choice, None]


@dataclass(frozen=True)
class Request:
    prompt: str
    output: OutputType
    max_tokens: int
    repeat_penalty: float = 1.0
    option_logprobs: bool = False
    """for a Choice: also return how likely each option is as the answer (Completion.option_logprobs)"""


def compute_threads() -> int:
    """SUMMARIZER_THREADS (set by `--threads`, and by batch for its workers), or the cores this process may run on
    (its CPU affinity, which containers and `taskset` narrow, not the machine's count)."""
    return int(os.environ.get("SUMMARIZER_THREADS") or 0) or available_cores()


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def json_schema_of(output: type[BaseModel] | dict) -> dict:
    """The schema with every object closed (no extra keys), so all backends accept exactly the same outputs."""
    return _closed(output.model_json_schema() if isinstance(output, type) else output)


def _closed(node):
    if isinstance(node, dict):
        node = {key: _closed(value) for key, value in node.items()}
        if "properties" in node:
            node.setdefault("additionalProperties", False)
    elif isinstance(node, list):
        node = [_closed(item) for item in node]
    return node


def schema_key(output: OutputType) -> str:
    """A stable cache key for a compiled constraint."""
    if output is None:
        return "text"
    if isinstance(output, Choice):
        return "choice:" + json.dumps(output.options)
    return "json:" + json.dumps(json_schema_of(output), sort_keys=True)


@dataclass
class Completion:
    text: str
    prompt_tokens: int
    generated_tokens: int
    prefill_s: float
    decode_s: float
    cached_tokens: int = 0
    """prompt tokens whose KV state was reused from the previous call (not evaluated again)"""
    finished: bool = True
    """False when generation stopped at max_tokens instead of at the end of the output"""
    option_logprobs: dict[str, float] | None = None
    """when asked for: each Choice option's log-probability as the next token after the prompt (its spellings' first
    tokens pooled), a graded answer where the text is only the argmax"""


class Backend(Protocol):
    name: str
    role: str
    context_size: int

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes with this model's tokenizer (for prompt budgets)."""

    def complete(self, requests: Sequence[Request]) -> list[Completion]:
        """Greedy completions, in order, each constrained to its output type (for a Choice, `text` is the option as
        given)."""


class BackendError(RuntimeError):
    """A backend could not be loaded or run; the message says which and why."""


@cache
def load_backend(name: str = DEFAULT_BACKEND, role: str = "generator") -> Backend:
    """The backend `name` serving model `role`, loaded once per process (batch workers call this once)."""
    if name not in _BACKENDS:
        raise BackendError(f"unknown backend {name!r}; choose one of: {', '.join(BACKENDS)}")
    return import_module(_BACKENDS[name]).load(role)
