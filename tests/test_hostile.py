"""Every command that reads files, run on the hostile corpus (tests/hostile.py) as a user would run it: each ends in
time with its documented exit status, says what is wrong in one line without a traceback, and changes nothing
outside its --out."""

import os
import subprocess
import sys
from pathlib import Path

import hostile

ROOT = Path(__file__).resolve().parent.parent
SEEDS_SUMMARY = ROOT / "tests" / "data" / "seeds_summary.json"


def snapshot(root: Path, skip: Path) -> dict[str, tuple]:
    """Every entry under `root` but `skip`, without following links: type, size, mode and modification time."""
    entries = {}
    for here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(here, d) != skip]
        for name in dirs + files:
            info = os.lstat(Path(here, name))
            entries[os.path.relpath(Path(here, name), root)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return entries


def test_every_command_on_the_hostile_corpus_ends_with_its_exit_status_and_one_error_line(tmp_path):
    made = hostile.build(tmp_path / "in")
    out = tmp_path / "out"
    corpus = str(made["corpus"])
    commands = {  # arguments -> (exit status, what the one error line must say; None: no error line)
        ("sources", corpus): (1, None),
        ("sources", corpus, "--json"): (1, None),
        ("brief", corpus, "--out", str(out / "brief")): (2, "ingest: no readable article in"),
        ("generate", corpus): (2, "no readable source in"),
        ("score", "--sources", corpus, "--summary", str(SEEDS_SUMMARY)): (2, "no readable source in"),
        ("score", "--sources", str(ROOT / "seeds"), "--summary", str(made["summary"])): (2, str(made["summary"])),
        ("verify", "--sources", corpus, "--summary", str(SEEDS_SUMMARY)): (2, "no readable source in"),
        ("score", "--pairs", str(made["pairs"]), "--out", str(out / "scores.jsonl")): (0, None),
        ("calibrate", str(made["pairs"]), "-o", str(out / "mine.toml")): (2, "need at least"),
        ("batch", str(made["events"]), "--out", str(out / "batch")): (0, None),
    }
    before, said_anywhere = snapshot(tmp_path, skip=out), ""
    for args, (status, error) in commands.items():
        run = subprocess.run([sys.executable, "-m", "summarizer.cli", *args], capture_output=True, text=True,
                             timeout=300, cwd=tmp_path, env={**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "300"})
        said = run.stdout + run.stderr
        said_anywhere += said
        errors = [line for line in run.stderr.splitlines() if line.startswith("Error: ")]
        assert run.returncode == status, (args, said[-2000:])
        assert "Traceback" not in said, (args, said[-2000:])
        assert len(errors) == (1 if error else 0) and (not error or error in errors[0]), (args, run.stderr[-2000:])
    assert snapshot(tmp_path, skip=out) == before
    written = [path.read_bytes() for path in out.rglob("*") if path.is_file()]
    assert not [text for text in [said_anywhere.encode(), *written] if b"must never be read" in text]
