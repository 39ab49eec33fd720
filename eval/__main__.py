"""`python -m eval <benchmark> [options]`: one entry point for the benchmarks in eval/, each its own module.

Each benchmark runs exactly as `python -m eval.<benchmark> [options]` would (same argv, same `__main__`), so the
modules keep their own option parsing and `--help`.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

BENCHMARKS = {
    "faithfulness": "checker vs human faithfulness labels: balanced accuracy and ROC AUC per dataset",
    "events": "full pipeline on GVA incidents: date, city, state, killed, injured vs gold",
    "speed": "per-stage timings and peak memory for the seeds brief",
    "batch": "the batch runner over many events",
}


def usage() -> str:
    lines = ["usage: python -m eval <benchmark> [options]   (python -m eval <benchmark> --help for its options)", ""]
    lines += [f"  {name:<13} {what}" for name, what in BENCHMARKS.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in BENCHMARKS:
        print(f"unknown benchmark {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    if not (Path(__file__).parent / f"{name}.py").exists():
        print(f"eval/{name}.py is not there yet: this benchmark has not been written", file=sys.stderr)
        return 2
    sys.argv = [str(Path(__file__).parent / f"{name}.py"), *rest]
    runpy.run_module(f"eval.{name}", run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
