"""generate: sources + candidates + a backend -> Draft (a schema-valid EventSummary with citations and run metadata)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from summarizer.schema import EventSummary


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


class Draft(BaseModel):
    summary: EventSummary
    meta: RunMeta
