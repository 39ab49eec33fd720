"""verify: a summary + sources -> VerifiedSummary (claims, evidence, statuses, contested slots, faithfulness)."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field

from summarizer.generate import RunMeta
from summarizer.schema import EventSummary
from summarizer.sources import Sources


class Status(str, Enum):
    supported = "supported"
    contested = "contested"
    unsupported = "unsupported"
    contradicted = "contradicted"
    not_stated = "not stated"


class Evidence(BaseModel):
    doc_id: str
    sentence_id: str
    start: int
    end: int
    text: str
    score: float


class CheckedClaim(BaseModel):
    pointer: str = Field(description="JSON pointer of the field the claim comes from, e.g. /figures/2")
    text: str = Field(description="the claim as a checkable sentence")
    status: Status
    score: float = Field(description="calibrated support score in [0, 1]")
    evidence: list[Evidence] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list, description="why: failed checks, disagreeing sources")


class SlotValue(BaseModel):
    value: str
    doc_ids: list[str]
    evidence: list[Evidence]


class ContestedSlot(BaseModel):
    """One fact the sources disagree on (e.g. 'killed: police'), with every value and who gives it."""

    slot: str
    values: list[SlotValue]


class Faithfulness(BaseModel):
    supported: int
    checkable: int
    score: float


class VerifiedSummary(BaseModel):
    summary: EventSummary
    claims: list[CheckedClaim]
    contested: list[ContestedSlot] = Field(default_factory=list)
    faithfulness: Faithfulness
    sources: Sources
    meta: RunMeta | None = None
