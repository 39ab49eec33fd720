"""`python -m eval <benchmark> [options]`: one entry point for the benchmarks in eval/, one module each.

A benchmark runs exactly as `python -m eval.<benchmark> [options]` would (same argv, same `__main__`), so each module
keeps its own option parsing and `--help`. Every module in eval/ is a benchmark except the helpers named below.
"""

from __future__ import annotations

import ast
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HELPERS = {"__init__", "__main__", "results", "verifier_data"}


def benchmarks() -> dict[str, str]:
    """name -> first line of its docstring, read without importing it (imports can be heavy)."""
    found = {}
    for path in sorted(HERE.glob("*.py")):
        if path.stem not in HELPERS:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            found[path.stem] = doc.strip().splitlines()[0] if doc.strip() else ""
    return found


def usage() -> str:
    lines = ["usage: python -m eval <benchmark> [options]   (python -m eval <benchmark> --help for its options)", ""]
    lines += [f"  {name:<13} {what}" for name, what in benchmarks().items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in benchmarks():
        print(f"unknown benchmark {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    sys.argv = [str(HERE / f"{name}.py"), *rest]
    runpy.run_module(f"eval.{name}", run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
