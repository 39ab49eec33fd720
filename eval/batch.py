"""Batch throughput: cases per hour with --workers 1 and --workers 2 on this machine, and peak memory per worker.

The same cases run twice in one invocation, each time into a fresh output folder, through `run_batch` (the code
behind `summarizer batch`). Wall time includes starting the workers and loading the models, as a user's batch
does. Cases are real events: GVA incidents of typical short-news size from ../shared/eval-data (one subfolder per
incident, each article a JSON file), or copies of the seeds when that folder is absent.

    python -m eval batch [--cases 4] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from eval.results import write_section
from summarizer.batch import BatchEvent, BatchOptions, run_batch

ROOT = Path(__file__).resolve().parent.parent
GVA = ROOT.parent / "shared" / "eval-data" / "events" / "gva_incidents_dev.jsonl"
SIZE = (2_000, 6_000)  # characters of article text per incident: short news events, a third to half the seeds


def make_cases(folder: Path, count: int) -> str:
    """Write `count` event folders; returns a description of them."""
    if GVA.is_file():
        incidents = [json.loads(line) for line in GVA.read_text(encoding="utf-8").splitlines() if line.strip()]
        chosen = [i for i in incidents if SIZE[0] <= sum(len(d["text"]) for d in i["documents"]) <= SIZE[1]][:count]
        for incident in chosen:
            case = folder / f"gva-{incident['incident_id']}"
            case.mkdir(parents=True)
            for k, doc in enumerate(incident["documents"]):
                record = {"title": doc.get("title"), "text": doc["text"], "date": doc.get("dct"), "url": doc.get("url")}
                (case / f"article{k}.json").write_text(json.dumps(record), encoding="utf-8")
        chars = [sum(len(d["text"]) for d in i["documents"]) for i in chosen]
        docs = [len(i["documents"]) for i in chosen]
        return (f"the first {len(chosen)} GVA incidents with {SIZE[0]:,}-{SIZE[1]:,} characters of articles "
                f"({min(docs)}-{max(docs)} articles, {min(chars):,}-{max(chars):,} characters each)")
    for n in range(count):
        shutil.copytree(ROOT / "seeds", folder / f"seeds-{n}")
    return f"{count} copies of the seeds (../shared/eval-data absent)"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def log(event: BatchEvent) -> None:
    if event.kind == "finished":
        record = event.record or {}
        print(f"  {event.case}: {record.get('status')} in {record.get('timings', {}).get('total', 0):.0f}s",
              file=sys.stderr, flush=True)


def measure(in_dir: Path, out_dir: Path, workers: int) -> dict:
    print(f"--workers {workers}", file=sys.stderr, flush=True)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    report = run_batch(in_dir, out_dir, group="folders", workers=workers, options=BatchOptions(), progress=log)
    wall = time.perf_counter() - started
    if report.interrupted:
        raise SystemExit(f"the --workers {workers} batch was interrupted: no numbers written")
    ran = [r for r in report.records if r.get("this_run")]
    peak_by_worker: dict[int, float] = {}
    for r in ran:
        worker = r.get("worker") or {}
        if "pid" in worker:
            peak_by_worker[worker["pid"]] = max(peak_by_worker.get(worker["pid"], 0.0), worker["peak_rss_mb"])
    return {
        "workers": workers,
        "cases": len(ran),
        "done": sum(1 for r in ran if r["status"] == "done"),
        "not_done": [f"{r['case']}: {r['status']} ({r.get('error', '')})" for r in ran if r["status"] != "done"],
        "wall_s": wall,
        "case_s": [r["timings"]["total"] for r in ran],
        "cpu_s": [r["worker"]["cpu_s"] for r in ran if "cpu_s" in r.get("worker", {})],
        "load": (load_before, os.getloadavg()[0]),
        "cases_per_hour": len(ran) / wall * 3600,
        "peak_rss_mb": sorted(peak_by_worker.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=4, help="events in the batch (default 4)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to compare")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        in_dir = Path(tmp) / "in"
        described = make_cases(in_dir, args.cases)
        results = [measure(in_dir, Path(tmp) / f"out-{w}", w) for w in args.workers]
    rows = []
    for r in results:
        rows.append(
            f"| {r['workers']} | {r['done']}/{r['cases']} | {r['wall_s']:.0f} | {r['cases_per_hour']:.1f} | "
            f"{median(r['case_s']):.0f} | {median(r['cpu_s']):.0f} | {r['load'][0]:.1f} → {r['load'][1]:.1f} | "
            f"{', '.join(f'{m:.0f}' for m in r['peak_rss_mb'])} |"
        )
    base = results[0]["cases_per_hour"]
    ratios = ", ".join(f"--workers {r['workers']}: {r['cases_per_hour'] / base:.2f}x" for r in results[1:])
    problems = [p for r in results for p in r["not_done"]]
    body = (
        f"Cases: {described}; outputs md, html, json; model `generator` on llama.cpp, threads per worker = "
        f"{os.cpu_count()} cores / workers. Wall times and cases/hour depend on whatever else the machine runs "
        f"(see the load column): read the ratio with it. CPU s per case is the worker's own CPU time (all "
        f"threads), much less affected by other load (llama.cpp threads that spin while waiting still add some)."
        f"\n\n"
        "| workers | cases done | wall s (incl. model loading) | cases/hour | median wall s per case | "
        "median CPU s per case | load avg (1 min) start → end | peak RSS per worker, MB |\n"
        "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"Throughput relative to --workers {results[0]['workers']}: {ratios or 'n/a'}. "
        f"Driver peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB.\n"
        + (f"\nCases not done: {'; '.join(problems)}\n" if problems else "")
    )
    print(body)
    write_section("Batch throughput", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
