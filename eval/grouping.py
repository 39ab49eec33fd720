"""How well `batch` groups loose article files into events: GVA incidents (../shared/eval-data/events) as files.

Every article of every incident is written as one JSON file (title, text, date, url) into one folder, as a user
would drop them; `summarizer.grouping.cluster_files` groups them and the groups are compared with the incidents.
The incidents are split in two halves: the join threshold was chosen on the first ("tune"), the second ("test") is
the honest number. The threshold sweep shows how sensitive the result is. This set is hard on purpose: 200 shootings
in the US in 2016-17, so topic alone cannot separate them.

    python -m eval.grouping [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from eval.results import write_section
from summarizer import grouping

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "eval-data" / "events" / "gva_incidents_dev.jsonl"
SWEEP = (0.55, 0.6, 0.625, 0.65, 0.7, 0.75)


def pair_scores(gold: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Pairwise precision/recall/F1 (are two files put together that belong together?) and adjusted Rand index."""
    from sklearn.metrics import adjusted_rand_score

    upper = np.triu_indices(len(gold), 1)
    same_gold = (gold[:, None] == gold[None, :])[upper]
    same_pred = (predicted[:, None] == predicted[None, :])[upper]
    together = (same_gold & same_pred).sum()
    precision = together / max(same_pred.sum(), 1)
    recall = together / max(same_gold.sum(), 1)
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(2 * precision * recall / max(precision + recall, 1e-9)),
        "ari": float(adjusted_rand_score(gold, predicted)),
        "groups": int(len(set(predicted.tolist()))),
    }


def write_files(incidents: list[dict], folder: Path) -> dict[str, int]:
    """One JSON file per article; returns file name -> incident number."""
    gold = {}
    for n, incident in enumerate(incidents):
        for k, doc in enumerate(incident["documents"]):
            name = f"{n:03d}_{k}.json"
            record = {"title": doc.get("title"), "text": doc["text"], "date": doc.get("dct"), "url": doc.get("url")}
            (folder / name).write_text(json.dumps(record), encoding="utf-8")
            gold[name] = n
    return gold


def evaluate(incidents: list[dict]) -> tuple[dict, dict[float, dict]]:
    """The grouping as shipped, plus a sweep of the join threshold on the same scores."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        gold_of = write_files(incidents, folder)
        names = sorted(gold_of)
        cases = grouping.cluster_files(folder, names)
        case_of = {f: i for i, case in enumerate(cases) for f in case.files}
        gold = np.array([gold_of[f] for f in names])
        shipped = pair_scores(gold, np.array([case_of[f] for f in names]))
        from summarizer.ingest import load_sources

        documents = {f: load_sources(folder / f).documents for f in names}
    readable = [f for f in names if documents[f]]
    leads = [grouping.lead_of(documents[f][0]) for f in readable]
    cosine, bonus = grouping.similarity_scores(leads)
    singletons = [f for f in names if not documents[f]]  # unreadable files: a case each, as cluster_files does
    order = np.array([gold_of[f] for f in readable + singletons])

    def sweep_at(score, threshold):
        labels = grouping.complete_linkage(score, threshold) + [-1 - i for i in range(len(singletons))]
        return pair_scores(order, np.array(labels))

    sweep = {t: sweep_at(cosine + bonus, t) for t in SWEEP}
    sweep_no_dates = {t: sweep_at(cosine, t) for t in SWEEP}
    return shipped, {"with dates": sweep, "embeddings only": sweep_no_dates}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="incidents per half (0: all)")
    args = parser.parse_args(argv)
    if not DATA.is_file():
        print(f"skipped: {DATA} is not there (the GVA eval data lives in ../shared/eval-data)", file=sys.stderr)
        return 0
    incidents = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    half = len(incidents) // 2
    halves = {"tune": incidents[:half], "test": incidents[half:]}
    if args.limit:
        halves = {k: v[: args.limit] for k, v in halves.items()}
    rows, sweeps = [], []
    for part, chosen in halves.items():
        started = time.perf_counter()
        shipped, sweep = evaluate(chosen)
        seconds = time.perf_counter() - started
        files = sum(len(i["documents"]) for i in chosen)
        rows.append(f"| {part} | {len(chosen)} | {files} | {shipped['groups']} | {shipped['precision']:.3f} | "
                    f"{shipped['recall']:.3f} | {shipped['f1']:.3f} | {shipped['ari']:.3f} | {seconds:.0f} |")
        for variant, by_threshold in sweep.items():
            sweeps.append(f"| {part} | {variant} | " + " | ".join(
                f"{m['ari']:.3f}" + (" *" if t == grouping.JOIN_THRESHOLD else "") for t, m in by_threshold.items()
            ) + " |")
    body = (
        f"Loose article files grouped into events by `summarizer.grouping` (complete linkage, join threshold "
        f"{grouping.JOIN_THRESHOLD}, date bonus {grouping.DATE_BONUS} for leads naming the same day within "
        f"{grouping.DATE_TOLERANCE_DAYS} day), against the GVA incidents in ../shared/eval-data (each incident's "
        f"articles written as JSON files with title, text and date). The threshold was chosen on the tune half.\n\n"
        "| half | incidents | files | groups made | pair precision | pair recall | pair F1 | ARI | seconds |\n"
        "|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "ARI by join threshold (* = shipped):\n\n"
        "| half | scores | " + " | ".join(str(t) for t in SWEEP) + " |\n|---|---|" + "---|" * len(SWEEP) + "\n"
        + "\n".join(sweeps) + "\n"
    )
    print(body)
    write_section("Batch grouping", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
