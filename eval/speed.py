"""Speed: per-stage wall time and memory of the seeds brief (`summarizer brief seeds/`), in one fresh process.

Run 1 is what a user waits for: imports, both models loaded from disk, every sentence embedded. Later runs (`--repeat`)
reuse the loaded models and the embedder's memo of texts it has seen, which is the steady state of a batch worker,
minus the cost of embedding a new case's sentences (on the seeds that is part of run 1's verify).
Each stage gets wall time and CPU time (all threads of this process; steadier than wall time on shared cores).
Memory is the process's resident set (VmRSS) after each stage and its peak so far (VmHWM), read from /proc.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TITLE = "Speed (seeds brief)"


def memory_mib() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MiB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cpu_seconds() -> float:
    """CPU time of this process, all threads: unlike wall time, barely moved by other jobs on shared cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Row:
    stage: str
    wall: float
    cpu: float
    rss: float
    peak: float


class StageLog:
    """Wall time, CPU time and memory at the end of every stage, in the order stages finish."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.cpu_mark = cpu_seconds()

    def record(self, stage: str, wall: float, cpu_since: float | None = None) -> None:
        """CPU time is counted from the previous record (stages run back to back) or from `cpu_since`."""
        now = cpu_seconds()
        self.rows.append(Row(stage, wall, now - (self.cpu_mark if cpu_since is None else cpu_since), *memory_mib()))
        self.cpu_mark = now
        row = self.rows[-1]
        print(f"{stage}: {wall:.2f} s wall, {row.cpu:.2f} s CPU, RSS {row.rss:.0f} MiB", file=sys.stderr, flush=True)

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
            log.cpu_mark = started_cpu = cpu_seconds()
            started = time.perf_counter()
            results.append(brief(SEEDS, out_dir, model=model, backend=backend, progress=on_event))
            log.record("brief total", time.perf_counter() - started, cpu_since=started_cpu)
    return logs, results


def table(logs: list[StageLog]) -> str:
    warm: dict[str, list[float]] = {}
    for log in logs[1:]:
        for row in log.rows:
            warm.setdefault(row.stage, []).append(row.wall)
    later = f" later runs: wall (s), median of {len(logs) - 1} |" if warm else ""
    lines = [f"| stage | run 1: wall (s) | run 1: CPU (s) |{later} RSS after (MiB) | peak RSS so far (MiB) |",
             "|---|---:|---:|" + ("---:|" if warm else "") + "---:|---:|"]
    for row in logs[0].rows:
        warm_cell = (f" {statistics.median(warm[row.stage]):.2f} |" if row.stage in warm else " |") if warm else ""
        lines.append(f"| {row.stage} | {row.wall:.2f} | {row.cpu:.2f} |{warm_cell} {row.rss:.0f} | {row.peak:.0f} |")
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
    parser.add_argument("--repeat", type=int, default=1, help="briefs in this process (run 1 cold, later ones warm)")
    parser.add_argument("--no-write", action="store_true", help="print the table without updating eval/RESULTS.md")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load = os.getloadavg()
    logs, results = run(args.model, args.backend, args.repeat)
    body = (
        f"{table(logs)}\n\n{generation_details(results[0])}\n"
        f"Peak RSS of the whole process: {memory_mib()[1]:.0f} MiB. Load average (1 min) at start {load[0]:.2f}, at end "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores: other jobs share these cores, so wall times carry that "
        f"noise; CPU time (all threads of this process) is the steadier number.\n"
    )
    print(body)
    if not args.no_write:
        from eval.results import write_section

        write_section(TITLE, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
