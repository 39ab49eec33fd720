"""calibrate: the checker's operating point fitted on a user's own labelled pairs.

The default threshold (calibration.toml) is one operating point for every genre, fitted on public dev sets. A team
whose summaries read differently (another language register, another kind of claim) labels a few hundred of its own
(document, summary, supported?) pairs, and `calibrate` moves the threshold to where balanced accuracy is highest on
them, as the SummaC protocol fits a threshold per dataset. Everything else of calibration.toml (the weights, the
vetoes, the field model) is kept; the result is a calibration file that `score`, `verify` and `brief` take with
`--calibration`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from summarizer.files import atomic_write
from summarizer.score import score_pairs
from summarizer.support import CALIBRATION_FILE, Calibration

MIN_PER_CLASS = 5  # fewer labelled items of either class cannot place a threshold


@dataclass(frozen=True)
class Fitted:
    threshold: float
    pairs: int
    positives: int
    errors: int  # lines that could not be scored (bad JSON, no label, unreadable sources)
    default_threshold: float
    default_bacc: float  # balanced accuracy on these pairs at the default threshold
    bacc: float  # ... at the fitted one (in-sample: an optimistic estimate)


def balanced_accuracy(labels: np.ndarray, predicted: np.ndarray) -> float:
    """The mean of the two classes' recalls (nan with neither class present)."""
    recalls = [float((predicted[labels == c] == c).mean()) for c in (0, 1) if (labels == c).any()]
    return float(np.mean(recalls)) if recalls else float("nan")


def best_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """The cut maximising balanced accuracy, halfway between the two scores it falls between."""
    values = np.unique(scores)
    cuts = np.concatenate([[values[0] - 1e-6], (values[:-1] + values[1:]) / 2, [values[-1] + 1e-6]])
    return float(max(cuts, key=lambda t: balanced_accuracy(labels, (scores >= t).astype(int))))


def _label(record: dict) -> int:
    value = record.get("label")
    if isinstance(value, bool) or value in (0, 1):
        return int(value)
    raise ValueError(f"'label' must be true/false (or 1/0), got {value!r}")


def fit(pairs: Path, base: Path = CALIBRATION_FILE) -> tuple[Fitted, str]:
    """Score every labelled pair of `pairs` (the `score --pairs` format plus a boolean `label`) with the calibration
    in `base`, and fit the support threshold. Returns the fit and the new calibration file's text."""
    calibration = Calibration.load(base)
    lines = pairs.read_text(encoding="utf-8", errors="replace").splitlines()  # a bad line fails alone
    labels, errors = {}, 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            labels[json.dumps(record.get("id", number), sort_keys=True)] = _label(record)
        except (json.JSONDecodeError, ValueError, AttributeError):
            errors += 1
    scores, y = [], []
    for result in score_pairs(lines, base=pairs.parent, calibration=calibration):
        key = json.dumps(result["id"], sort_keys=True)
        if "error" in result or key not in labels or not result["claims"]:
            errors += 1
            continue
        # a summary is as faithful as its weakest claim; a claim left empty ("not stated") or inferred is not checked
        scores.append(min(c["score"] for c in result["claims"] if c["status"] not in ("not stated", "inferred")))
        y.append(labels[key])
    s, y = np.array(scores), np.array(y)
    if min((y == 1).sum(), (y == 0).sum()) < MIN_PER_CLASS:
        raise ValueError(f"{pairs}: need at least {MIN_PER_CLASS} supported and {MIN_PER_CLASS} unsupported pairs "
                         f"that could be scored (got {(y == 1).sum()} and {(y == 0).sum()}; {errors} lines failed)")
    threshold = best_threshold(y, s)
    default = calibration.threshold
    fitted = Fitted(threshold, len(y), int(y.sum()), errors, default,
                    balanced_accuracy(y, (s >= default).astype(int)), balanced_accuracy(y, (s >= threshold).astype(int)))
    return fitted, _with_threshold(base.read_text(encoding="utf-8"), fitted, pairs)


def _with_threshold(text: str, fitted: Fitted, pairs: Path) -> str:
    """calibration.toml's text with [model]'s threshold replaced, and a header that says where it came from."""
    section = re.search(r"^\[model\]\n(.*?)(?=^\[)", text, re.M | re.S)
    line = re.search(r"^threshold = .*$", section.group(1), re.M)
    start = section.start(1) + line.start()
    text = text[:start] + f"threshold = {fitted.threshold:.4f}" + text[section.start(1) + line.end():]
    header = (f"# Written by `summarizer calibrate {pairs.name}` on {datetime.now(UTC):%Y-%m-%d}: [model] threshold "
              f"{fitted.default_threshold:.4f} -> {fitted.threshold:.4f}, fitted on {fitted.pairs} labelled pairs "
              f"({fitted.positives} supported; balanced accuracy {fitted.default_bacc:.3f} -> {fitted.bacc:.3f}, "
              "in-sample).\n")
    return header + text


def calibrate(pairs: str | Path, out: str | Path, base: str | Path = CALIBRATION_FILE) -> Fitted:
    """Fit the threshold on `pairs` and write the calibration file `out` (which then loads as a Calibration)."""
    fitted, text = fit(Path(pairs), Path(base))
    atomic_write(Path(out), text)
    Calibration.load(Path(out))
    return fitted
