"""eval/RESULTS.md: one `## <title>` section per benchmark, each replaced in place when its benchmark reruns.

Every eval script calls `write_section(title, body, command)`; the section starts with how the numbers were made
(command, date, machine), so a table never stands without its provenance. Scripts may run at the same time, so the
read-modify-write is done under a file lock and the file is replaced atomically.
"""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

from summarizer.files import atomic_write

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
_HEADER = "# Evaluation results\n\nWritten by the scripts in `eval/` (`python -m eval <name>`); each section says how it was made.\n"


def cpu() -> str:
    """The CPU's model and whether it has AVX-512 and AMX: the same code runs at different speeds (and llama.cpp and
    torch pick different kernels) on each, so a timing without them cannot be compared."""
    info = dict(line.split(":", 1) for line in Path("/proc/cpuinfo").read_text().splitlines() if ":" in line)
    info = {key.strip(): value.strip() for key, value in info.items()}
    flags = set(info.get("flags", "").split())
    features = ", ".join(f"{name} {'yes' if flag in flags else 'no'}" for flag, name in (("avx512f", "AVX-512"),
                                                                                       ("amx_tile", "AMX")))
    return f"{info.get('model name', 'unknown CPU')} ({features})"


def machine() -> str:
    """The CPU, cores, memory and `uname -a`: enough to tell whether two timings are comparable."""
    mem_kib = next(
        (int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")),
        0,
    )
    return f"{cpu()}, {os.cpu_count()} cores, {mem_kib / 2**20:.1f} GiB RAM, `{' '.join(os.uname())}`"


def invocation() -> str:
    """The command line running now, as a user would type it: `python -m eval speed --repeat 2`."""
    script = Path(sys.argv[0]).resolve()
    if script.parent == RESULTS.parent and script.stem != "__main__":
        return shlex.join(["python", "-m", "eval", script.stem, *sys.argv[1:]])
    return shlex.join(sys.argv)


def provenance(command: str | None = None) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"- Command: `{command or invocation()}`\n- Date: {now}\n- Machine: {machine()}\n"


def replace_section(document: str, title: str, section: str) -> str:
    """`document` with its `## title` section (up to the next `## ` heading) replaced by `section`, or appended."""
    pattern = re.compile(rf"^## {re.escape(title)}[ \t]*\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    section = section.rstrip("\n") + "\n\n"
    if pattern.search(document):
        return pattern.sub(lambda _: section, document, count=1)
    return document.rstrip("\n") + "\n\n" + section


def write_section(title: str, body: str, command: str | None = None, path: Path = RESULTS) -> None:
    """Put `## title`, the provenance lines and `body` into RESULTS.md, replacing that section if it exists.

    `body` may use `###` headings and tables but no `## ` heading (that would start another section).
    """
    if re.search(r"^## ", body, re.MULTILINE):
        raise ValueError("a section body must not contain a '## ' heading")
    section = f"## {title}\n\n{provenance(command)}\n{body.strip()}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)  # lock the folder: no lock file left behind
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        current = path.read_text(encoding="utf-8") if path.exists() else _HEADER
        atomic_write(path, replace_section(current, title, section))
    finally:
        os.close(folder)
