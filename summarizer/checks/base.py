"""The result type every check returns, kept apart from the package root so the check modules can import it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Verdict = Literal["match", "mismatch", "absent", "na"]


@dataclass(frozen=True)
class Check:
    """One deterministic comparison of a claim with one evidence sentence.

    match: every claim value is compatible with a value in the evidence; mismatch: the evidence gives a value of the
    same kind that conflicts; absent: the evidence says nothing comparable; na: the claim has nothing to check.
    """

    verdict: Verdict
    detail: str = ""
