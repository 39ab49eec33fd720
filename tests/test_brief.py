"""brief: the whole line for one case (ingest -> generate -> verify -> repair -> render), its files, progress and
errors."""

import json
import re

import pytest
from click.testing import CliRunner

from summarizer.brief import BriefError, brief, write_outputs
from summarizer.cli import main
from summarizer.lock import load_lock
from summarizer.render.filters import md_escape
from summarizer.verify import VerifiedSummary

SEEDS = "seeds"


@pytest.fixture
def unreadable_folder(tmp_path):
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 not an article")
    (folder / "empty.txt").write_text("")
    return folder


def test_write_outputs_writes_the_note_in_markdown_html_and_json(seeds_verified, tmp_path):
    paths = write_outputs(seeds_verified, tmp_path / "out")
    assert {fmt: p.name for fmt, p in paths.items()} == {"md": "brief.md", "html": "brief.html",
                                                         "json": "summary.json"}
    assert paths["md"].read_text().startswith(f"# {seeds_verified.summary.headline}")
    assert paths["html"].read_text().startswith("<!DOCTYPE html>")
    assert VerifiedSummary.model_validate_json(paths["json"].read_text()) == seeds_verified


def test_write_outputs_writes_only_the_requested_formats(seeds_verified, tmp_path):
    write_outputs(seeds_verified, tmp_path, formats=["html"])
    assert [p.name for p in tmp_path.iterdir()] == ["brief.html"]


def test_write_outputs_replaces_old_files_and_leaves_no_temporary_files(seeds_verified, tmp_path):
    (tmp_path / "brief.md").write_text("an old note")
    write_outputs(seeds_verified, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.html", "brief.md", "summary.json"]
    assert (tmp_path / "brief.md").read_text() != "an old note"


def test_an_unknown_format_is_refused_before_anything_is_written(seeds_verified, tmp_path):
    with pytest.raises(ValueError, match="unknown output format.*pdf.*choose from: md, html, json"):
        write_outputs(seeds_verified, tmp_path, formats=["md", "pdf"])
    assert list(tmp_path.iterdir()) == []


def test_a_folder_without_articles_fails_at_ingest_before_any_model_loads(unreadable_folder, tmp_path):
    events = []
    expected = r"ingest: no readable article in .*empty\.txt: empty file.*scan\.pdf: unsupported file type"
    with pytest.raises(BriefError, match=expected) as err:
        brief(unreadable_folder, tmp_path / "out", progress=events.append)
    assert err.value.stage == "ingest"
    assert [(e.stage, e.state) for e in events] == [("ingest", "start")]
    assert not (tmp_path / "out").exists()


def test_cli_brief_on_a_folder_without_articles_exits_2_with_a_message_not_a_traceback(unreadable_folder):
    result = CliRunner().invoke(main, ["brief", str(unreadable_folder)])
    assert result.exit_code == 2
    assert "Error: ingest: no readable article in" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_cli_brief_reports_its_process_dying_by_a_signal_as_an_error_line_and_exit_status_1(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from processes import spawned_children

    command = [sys.executable, "-m", "summarizer.cli", "brief", SEEDS, "--out", str(tmp_path)]
    cli = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "300"})
    deadline = time.monotonic() + 60
    while not (child := spawned_children(cli.pid)):
        assert cli.poll() is None and time.monotonic() < deadline, "brief started no child process"
        time.sleep(0.05)
    os.kill(child[0], signal.SIGSEGV)  # what a crash in llama.cpp does to the process running it
    _, stderr = cli.communicate(timeout=60)
    assert cli.returncode == 1
    assert "Error: the brief's process died of SIGSEGV (signal 11: a crash in native code)" in stderr
    assert "summarizer doctor" in stderr and "Traceback" not in stderr
    assert not any(tmp_path.iterdir())


OLD_SET = {"brief.md": "an old note", "brief.html": "<p>an old note</p>", "summary.json": "{}"}


@pytest.mark.parametrize("step", ["write", "rename"])
@pytest.mark.parametrize("failing", [0, 1, 2])
def test_a_render_interrupted_at_any_file_leaves_the_old_set_or_the_new_one_whole(seeds_verified, tmp_path,
                                                                                  monkeypatch, step, failing):
    import errno
    import os

    new_set = {p.name: p.read_text() for p in write_outputs(seeds_verified, tmp_path / "new").values()}
    for name, text in OLD_SET.items():
        (tmp_path / name).write_text(text)
    operation = {"write": "fsync", "rename": "replace"}[step]  # a full disk fails where a file's bytes are flushed
    real, calls = getattr(os, operation), []

    def fail_once(*args):
        calls.append(args)
        if len(calls) == failing + 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)

    monkeypatch.setattr(os, operation, fail_once)
    with pytest.raises(OSError, match="No space left"):
        write_outputs(seeds_verified, tmp_path)
    monkeypatch.undo()
    found = {p.name: p.read_text() for p in tmp_path.iterdir() if p.is_file()}
    assert found in (OLD_SET, new_set)


def test_an_output_folder_that_cannot_be_written_fails_before_any_model_loads(tmp_path, monkeypatch):
    import summarizer.backends

    monkeypatch.setattr(summarizer.backends, "load_backend", lambda *args: pytest.fail("a model was loaded"))
    (tmp_path / "a-file").write_text("")
    events = []
    with pytest.raises(BriefError, match="output: cannot write the note to .*a-file/out: Not a directory; free some "
                                         "space or choose another --out"):
        brief(SEEDS, tmp_path / "a-file" / "out", progress=events.append)
    assert [e.stage for e in events if e.state == "start"] == ["ingest"]


def test_cli_brief_skips_files_over_max_bytes_and_names_the_option_that_reads_them(tmp_path):
    result = CliRunner().invoke(main, ["brief", SEEDS, "--out", str(tmp_path), "--max-bytes", "100"])
    assert result.exit_code == 2
    assert "file too large" in result.output and "(raise --max-bytes to read it)" in result.output


def test_cli_brief_interrupted_with_ctrl_c_exits_130_with_one_line(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from processes import spawned_children

    command = [sys.executable, "-m", "summarizer.cli", "brief", SEEDS, "--out", str(tmp_path)]
    # As from a terminal: a test run started in the background inherits SIGINT ignored, and so would the CLI.
    cli = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "300"},
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not spawned_children(cli.pid):
        assert cli.poll() is None and time.monotonic() < deadline, "brief started no child process"
        time.sleep(0.05)
    os.kill(cli.pid, signal.SIGINT)  # what Ctrl-C sends
    _, stderr = cli.communicate(timeout=60)
    assert cli.returncode == 130
    assert "Interrupted." in stderr and "Traceback" not in stderr and "Aborted" not in stderr


def test_cli_brief_refuses_an_unknown_format(tmp_path):
    result = CliRunner().invoke(main, ["brief", SEEDS, "--out", str(tmp_path), "--format", "md,pdf"])
    assert result.exit_code == 2
    assert "unknown output format(s) pdf; choose from: md, html, json" in result.output


# --- the real line on the seeds (pinned model) ------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds_brief(tmp_path_factory):
    """`summarizer brief seeds/ --out DIR`, the README's first command, run once with the real model."""
    out_dir = tmp_path_factory.mktemp("brief")
    result = CliRunner().invoke(main, ["brief", SEEDS, "--out", str(out_dir)])
    assert result.exit_code == 0, result.output
    return result, out_dir


@pytest.mark.model
def test_brief_on_the_seeds_writes_the_note_and_the_verified_summary(seeds_brief):
    result, out_dir = seeds_brief
    verified = VerifiedSummary.model_validate_json((out_dir / "summary.json").read_text())
    md = (out_dir / "brief.md").read_text()
    assert md.startswith(f"# {md_escape(verified.summary.headline)}\n\n**Bottom line:** ")
    assert "## Key facts" in md and "## Sources" in md and "[1]" in md
    assert "<span id=\"s-d" in (out_dir / "brief.html").read_text()


@pytest.mark.model
def test_brief_records_how_long_each_stage_took_and_which_model_ran(seeds_brief):
    result, out_dir = seeds_brief
    meta = json.loads((out_dir / "summary.json").read_text())["meta"]
    assert list(meta["stages"]) == ["ingest", "load model", "generate", "verify", "repair"]
    assert meta["model"]["sha256"] == load_lock()["generator"].sha256
    assert meta["embedder"]["sha256"] == load_lock()["embedder"].sha256


@pytest.mark.model
def test_cli_brief_ends_with_headline_status_counts_and_where_the_files_are(seeds_brief):
    result, out_dir = seeds_brief
    verified = VerifiedSummary.model_validate_json((out_dir / "summary.json").read_text())
    assert verified.summary.headline in result.output
    for stage in ("ingest: ", "load model: ", "generate: ", "verify: ", "repair: ", "render: "):
        assert stage in result.output
    assert "fields checked:" in result.output and " supported · " in result.output
    for name in ("brief.md", "brief.html", "summary.json"):
        assert str(out_dir / name) in result.output


@pytest.mark.model
def test_the_seeds_bottom_line_names_when_where_each_sides_toll_with_its_reporter_and_who_claimed_it(seeds_brief):
    result, out_dir = seeds_brief
    line = VerifiedSummary.model_validate_json((out_dir / "summary.json").read_text()).summary.bottom_line
    assert line.startswith("Prison break in Al") and "Khalis" in line and "8 May 2015" in line
    assert re.search(r"12 police officers and 50 inmates (were killed )?according to Iraqi officials", line)
    assert re.search(r"five guards and 30 prisoners (were killed )?according to [\w ]*Maan", line)
    assert "ISIS claimed responsibility" in line
    assert not re.search(r"suggest|may indicate|desperate|offensive", line)  # the op-ed's analysis is not in it


@pytest.mark.model
def test_after_repair_the_seeds_note_flags_nothing_and_says_what_was_repaired(seeds_brief):
    result, out_dir = seeds_brief
    verified = VerifiedSummary.model_validate_json((out_dir / "summary.json").read_text())
    assert not [c.pointer for c in verified.claims if c.status.value in ("unsupported", "contradicted")]
    if verified.meta.repairs:
        assert verified.meta.first_draft is not None
        assert "- Repaired before this note: " in (out_dir / "brief.md").read_text()
