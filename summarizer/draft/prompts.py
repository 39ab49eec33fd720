"""The prompts: Jinja2 templates under prompts/<version>/, how source text is shown in them, and which source text is
never shown because it speaks to the model (prompt injection)."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

PROMPT_VERSION = "v1"
PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


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
