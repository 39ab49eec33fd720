"""Speed: the seeds brief (`summarizer brief seeds/`) per backend and stage, both backends in one run.

    python -m eval speed                                   # llamacpp then transformers, default model
    python -m eval speed --backends llamacpp --no-write

Each backend runs in a fresh process of its own (so its peak RSS is its own), which briefs the seeds:
- run 1 'first': what a user of `summarizer brief` waits for: imports, both models loaded from disk (files already
  materialised and in the page cache), every sentence embedded, the sources evaluated afresh;
- run 2 'warm' (llama.cpp): models loaded, the held prefix dropped and saved prefix states off, so the sources are
  evaluated again, as for a new event in a batch worker;
- run 3 'saved prefix' (llama.cpp): the same sources briefed again, their prefix state loaded from the file run 1 saved.
Each stage gets wall time and CPU time (all threads of this process: steadier than wall time on shared cores) and the
process's resident memory. Outputs are checked against the schema and compared across backends field by field.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from summarizer.batch import cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
TITLE = "Speed (seeds brief)"
STAGES = ("ingest", "load model", "generate", "verify", "repair", "render")


def memory_mib() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MiB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def brief_once(model: str, backend: str, label: str) -> dict:
    """One brief of the seeds in this process: per-stage wall/CPU/RSS, generation counts, the summary."""
    from summarizer.brief import brief
    from summarizer.schema import EventSummary

    stages: dict[str, dict] = {}
    mark = {"cpu": cpu_seconds()}

    def on_event(event) -> None:
        if event.state == "done":
            now = cpu_seconds()
            stages[event.stage] = {"wall": round(event.seconds, 2), "cpu": round(now - mark["cpu"], 2),
                                   "rss": round(memory_mib()[0])}
            mark["cpu"] = now

    with tempfile.TemporaryDirectory(prefix="summarizer-speed-") as out_dir:
        started, started_cpu = time.perf_counter(), cpu_seconds()
        result = brief(SEEDS, out_dir, model=model, backend=backend, progress=on_event)
        total = time.perf_counter() - started
        summary = json.loads((Path(out_dir) / "summary.json").read_text())["summary"]
    meta = result.verified.meta
    evaluated = meta.prompt_tokens - meta.cached_tokens
    prefill, decode = meta.timings.get("prefill", 0.0), meta.timings.get("decode", 0.0)
    try:
        EventSummary.model_validate(summary)
        valid = True
    except ValueError:
        valid = False
    return {
        "run": label, "stages": stages, "total": round(total, 2), "cpu": round(cpu_seconds() - started_cpu, 1),
        "calls": len(meta.calls), "prompt_tokens": meta.prompt_tokens, "evaluated_tokens": evaluated,
        "prefill_s": round(prefill, 2), "prefill_tps": round(evaluated / prefill, 1) if prefill else None,
        "generated_tokens": meta.generated_tokens, "decode_s": round(decode, 2),
        "decode_tps": round(meta.generated_tokens / decode, 1) if decode else None,
        "schema_valid": valid, "supported": sum(c.status == "supported" for c in result.verified.claims),
        "checked": len(result.verified.claims), "summary": summary,
        "peak_rss": round(memory_mib()[1]),
    }


def measure(model: str, backend_name: str) -> dict:
    """All runs of one backend, in this (fresh) process; saved prefix states go to a folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="summarizer-prefix-states-") as states:
        return _runs(model, backend_name, Path(states))


def _runs(model: str, backend_name: str, states: Path) -> dict:
    started = time.perf_counter()
    import summarizer.brief  # noqa: F401 - the import cost belongs to run 1's process time
    from summarizer.backends import load_backend
    from summarizer.embed import Embedder

    imports = time.perf_counter() - started
    clock = time.perf_counter()
    Embedder.load()
    embedder = time.perf_counter() - clock
    clock = time.perf_counter()
    backend = load_backend(backend_name, model)  # before run 1 (timed here), so its prefix states can be redirected
    model_load = time.perf_counter() - clock
    if hasattr(backend, "prefix_states"):
        backend.prefix_states.folder = states
    runs = [brief_once(model, backend_name, "first")]
    runs[0]["total"] = round(runs[0]["total"] + model_load, 2)  # brief() would have loaded it: ingest to HTML
    runs[0]["process"] = round(time.perf_counter() - started, 2)
    if hasattr(backend, "forget_prefix"):
        backend.forget_prefix()
        backend.prefix_states.enabled = False
        runs.append(brief_once(model, backend_name, "warm"))
        backend.forget_prefix()
        backend.prefix_states.enabled = True
        runs.append(brief_once(model, backend_name, "saved prefix"))
    return {"backend": backend_name, "model": model, "imports_s": round(imports, 2), "model_load_s": round(model_load, 2),
            "embedder_s": round(embedder, 2), "threads": getattr(backend, "threads", None), "runs": runs}


def agreement(results: list[dict]) -> str:
    """Which of the fields a reader acts on are the same in every backend's first run."""
    def fields(summary: dict) -> dict:
        loc = summary.get("location") or {}
        return {
            "event type": summary.get("event_type"),
            "date": (summary.get("date") or {}).get("value"),
            "place": (loc.get("place"), loc.get("region"), loc.get("country")),
            "figures": sorted((f["kind"], f["value_min"], f["value_max"], f["reported_by"] or "")
                              for f in summary.get("figures", [])),
            "actors": sorted(a["name"] for a in summary.get("actors", [])),
            "headline": summary.get("headline"),
            "bottom line": summary.get("bottom_line"),
            "claims": [(c["claimant"], c["statement"]) for c in summary.get("claims", [])],
            "notes": [n["text"] for field in ("key_points", "aftermath", "related_events") for n in summary.get(field, [])],
        }

    if len(results) < 2:
        return ""
    per = [fields(r["runs"][0]["summary"]) for r in results]
    same = [k for k in per[0] if all(p[k] == per[0][k] for p in per[1:])]
    differ = [k for k in per[0] if k not in same]
    why = (" (both decode greedily, but on different numerics: transformers in float32 on the dequantized weights, "
           "llama.cpp on the quantized ones, so a near-tie between two tokens can go either way)") if differ else ""
    return f"Outputs agree across backends on: {', '.join(same) or 'nothing'}; differ on: {', '.join(differ) or 'nothing'}{why}."


def tables(results: list[dict]) -> str:
    head = ("| backend | run | load model s | generate s | verify s | ingest to HTML s | whole process s | "
            "prompt tokens (evaluated) | prefill tok/s | generated tokens | decode tok/s | peak RSS MiB | "
            "schema-valid | supported / checked |")
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in results:
        for run in r["runs"]:
            st = run["stages"]
            lines.append(
                f"| {r['backend']} | {run['run']} | {r['model_load_s'] if run is r['runs'][0] else 0:.2f} | "
                f"{st['generate']['wall']:.1f} | {st['verify']['wall']:.2f} | **{run['total']:.1f}** | "
                f"{run.get('process', '')} | "
                f"{run['prompt_tokens']} ({run['evaluated_tokens']}) | {run['prefill_tps']} | "
                f"{run['generated_tokens']} | {run['decode_tps']} | {run['peak_rss']} | "
                f"{'yes' if run['schema_valid'] else 'NO'} | {run['supported']} / {run['checked']} |")
    out = ["\n".join(lines)]
    first = {r["backend"]: r["runs"][0] for r in results}
    if {"llamacpp", "transformers"} <= set(first):
        ratio = first["transformers"]["total"] / first["llamacpp"]["total"]
        whole = first["transformers"]["process"] / first["llamacpp"]["process"]
        out.append(f"llama.cpp is {ratio:.1f}x faster than transformers from ingest to HTML ({whole:.1f}x for the "
                   f"whole process, imports and model loading included), first runs, same machine, same command.")
    for r in results:
        stage_rows = [f"| {name} | " + " | ".join(f"{run['stages'][name]['wall']:.2f} / {run['stages'][name]['cpu']:.1f}"
                                                   for run in r["runs"]) + f" | {r['runs'][0]['stages'][name]['rss']} |"
                      for name in STAGES]
        out.append(
            f"Stages, {r['backend']} ({r['threads'] or 'torch default'} threads; imports {r['imports_s']:.2f} s and "
            f"embedder load {r['embedder_s']:.2f} s before run 1), wall s / CPU s:\n\n"
            f"| stage | " + " | ".join(run["run"] for run in r["runs"]) + " | RSS after, run 1 (MiB) |\n"
            "|---|" + "---:|" * (len(r["runs"]) + 1) + "\n" + "\n".join(stage_rows))
    return "\n\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval speed", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="generator", choices=("generator", "generator-large"))
    parser.add_argument("--backends", default="llamacpp,transformers")
    parser.add_argument("--no-write", action="store_true", help="print the tables without updating eval/RESULTS.md")
    parser.add_argument("--one", metavar="BACKEND", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.one:
        print(json.dumps(measure(args.model, args.one)))
        return 0
    load = os.getloadavg()
    results = []
    for name in args.backends.split(","):
        child = subprocess.run([sys.executable, "-m", "eval.speed", "--one", name, "--model", args.model],
                               capture_output=True, text=True, cwd=ROOT)
        if child.returncode:
            print(child.stderr[-3000:], file=sys.stderr)
            return 1
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(f"{name}: first brief {results[-1]['runs'][0]['total']:.1f} s", file=sys.stderr, flush=True)
    body = (f"{tables(results)}\n\n{agreement(results)}\n\n"
            f"Model `{args.model}`. Load average (1 min) at start {load[0]:.2f}, at end {os.getloadavg()[0]:.2f} on "
            f"{os.cpu_count()} cores: other jobs on these cores slow wall times; CPU time is the steadier number.\n")
    print(body)
    if not args.no_write:
        from eval.results import write_section

        write_section(TITLE, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
