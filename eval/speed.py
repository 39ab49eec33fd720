"""Speed: per-stage wall time and memory of the seeds brief (`summarizer brief seeds/`), in one fresh process.

Run 1 is what a user waits for: imports, both models loaded from disk, every sentence embedded. Later runs (`--repeat`)
reuse the loaded models and the embedder's memo of texts it has seen, which is the steady state of a batch worker,
minus the cost of embedding a new case's sentences (on the seeds that is part of run 1's verify).
Memory is the process's resident set (VmRSS) after each stage and its peak so far (VmHWM), read from /proc.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TITLE = "Speed (seeds brief)"


def memory_mib() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MiB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class StageLog:
    """Wall time and memory at the end of every stage, in the order stages finish."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, float]] = []

    def record(self, stage: str, seconds: float) -> None:
        self.rows.append((stage, seconds, *memory_mib()))
        print(f"{stage}: {seconds:.2f} s, RSS {self.rows[-1][2]:.0f} MiB", file=sys.stderr, flush=True)

    def timed(self, stage: str, work):
        started = time.perf_counter()
        result = work()
        self.record(stage, time.perf_counter() - started)
        return result


def run(model: str, backend: str, repeat: int) -> tuple[list[StageLog], list]:
    """Brief the seeds `repeat` times in this process; the first run includes imports and model loading."""
    logs = [StageLog() for _ in range(repeat)]
    first = logs[0]
    first.timed("import modules", lambda: __import__("summarizer.brief") and __import__("summarizer.verify"))
    from summarizer.brief import brief
    from summarizer.embed import Embedder

    first.timed("load embedder", Embedder.load)
    results = []
    for log in logs:
        def on_event(event, log=log):
            if event.state == "done":
                log.record(event.stage, event.seconds)

        with tempfile.TemporaryDirectory(prefix="summarizer-speed-") as out_dir:
            started = time.perf_counter()
            results.append(brief(SEEDS, out_dir, model=model, backend=backend, progress=on_event))
            log.record("brief total", time.perf_counter() - started)
    return logs, results


def table(logs: list[StageLog]) -> str:
    cold = logs[0].rows
    warm: dict[str, list[float]] = {}
    for log in logs[1:]:
        for stage, seconds, *_ in log.rows:
            warm.setdefault(stage, []).append(seconds)
    warm_header = f" later runs, median of {len(logs) - 1} (s) |" if warm else ""
    lines = [f"| stage | run 1 (s) |{warm_header} RSS after (MiB) | peak RSS so far (MiB) |",
             "|---|---:|" + ("---:|" if warm else "") + "---:|---:|"]
    for stage, seconds, rss, peak in cold:
        later = f" {statistics.median(warm[stage]):.2f} |" if stage in warm else (" |" if warm else "")
        lines.append(f"| {stage} | {seconds:.2f} |{later} {rss:.0f} | {peak:.0f} |")
    return "\n".join(lines)


def generation_details(result) -> str:
    meta = result.verified.meta
    decode = meta.timings.get("decode", 0.0)
    steps = ", ".join(f"{name} {seconds:.2f}" for name, seconds in meta.timings.items() if name != "total")
    return (
        f"Model {meta.model.role} ({meta.model.repo_id}, {meta.model.backend}): {meta.prompt_tokens} prompt tokens "
        f"({meta.cached_tokens} reused from the prefix cache), {meta.generated_tokens} generated tokens in "
        f"{len(meta.calls)} calls; decode {meta.generated_tokens / decode if decode else 0:.1f} tokens/s.\n"
        f"Generate steps in run 1 (s): {steps}.\n"
        f"Checked fields: {len(result.verified.claims)}; faithfulness {result.verified.faithfulness.score:.2f}."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval speed", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="generator", choices=("generator", "generator-large"))
    parser.add_argument("--backend", default="llamacpp")
    parser.add_argument("--repeat", type=int, default=2, help="briefs in this process (run 1 cold, later warm)")
    parser.add_argument("--no-write", action="store_true", help="print the table without updating eval/RESULTS.md")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load = os.getloadavg()
    logs, results = run(args.model, args.backend, args.repeat)
    body = (
        f"{table(logs)}\n\n{generation_details(results[0])}\n"
        f"Peak RSS of the whole process: {memory_mib()[1]:.0f} MiB. Load average at start: "
        f"{load[0]:.2f} (other work shares these cores, so timings carry that noise).\n"
    )
    print(body)
    if not args.no_write:
        from eval.results import write_section

        write_section(TITLE, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
