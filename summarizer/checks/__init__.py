"""Deterministic claim-vs-evidence checks: numbers, dates, names, negation. Small pure functions, no model.

Each `compare(claim, evidence)` returns a `Check` whose verdict is match / mismatch / absent / na (see base.Check);
`run_all` runs every check on one pair. verify weighs the verdicts; the checks never decide a status on their own.
"""

from __future__ import annotations

from datetime import date

from summarizer.checks import dates, entities, negation, numbers
from summarizer.checks.base import Check, Verdict

__all__ = ["Check", "Verdict", "run_all", "dates", "entities", "negation", "numbers"]


def run_all(claim: str, evidence: str, ref_date: date | None = None) -> dict[str, Check]:
    """Every check on one (claim, evidence) pair, keyed 'numbers', 'dates', 'entities', 'negation'."""
    return {
        "numbers": numbers.compare(claim, evidence),
        "dates": dates.compare(claim, evidence, ref_date),
        "entities": entities.compare(claim, evidence),
        "negation": negation.compare(claim, evidence),
    }
