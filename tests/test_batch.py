"""batch: cases from a folder, grouping loose files, atomic publishing, resume after kill -9, the Ray engine."""

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from summarizer.batch import (
    BatchError,
    BatchOptions,
    CaseOutcome,
    case_key,
    commit_outcome,
    index_rows,
    publish_case,
    read_record,
    recover,
    run_batch,
    run_settings,
)
from summarizer.grouping import Case, GroupingError, discover_cases, plan_cases, read_grouping, write_grouping

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ROOT = Path(__file__).resolve().parent.parent
QUAKE = (
    "Earthquake shakes coastal town of Portvale\n\n"
    "PORTVALE, March 3, 2021 - A magnitude 5.8 earthquake struck the coastal town of Portvale on Wednesday, "
    "officials said.\n"
    "The regional fire service said two people were killed and 14 were injured when a market roof collapsed.\n"
)
FIRE = (
    "Warehouse fire in Dunmore\n\n"
    "DUNMORE, June 12, 2022 - A fire destroyed a furniture warehouse in Dunmore on Sunday night, the fire "
    "brigade said.\n"
    "Fire chief Tom Reilly said 60 firefighters fought the blaze for six hours and nobody was hurt.\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"


def three_cases(root: Path) -> Path:
    """The seeds and two small events, one subfolder each."""
    shutil.copytree(SEEDS, root / "seeds")
    (root / "fire").mkdir()
    (root / "fire" / "dunmore.txt").write_text(FIRE)
    (root / "quake").mkdir()
    (root / "quake" / "portvale.txt").write_text(QUAKE)
    return root


def index_of(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "index.jsonl").read_text().splitlines()]


def outcome(name: str, key: str, status: str = "done", **outputs: bytes) -> CaseOutcome:
    return CaseOutcome(name=name, key=key, status=status, outputs=dict(outputs), timings={"total": 1.0},
                       error=None if status == "done" else "boom")


# --- which files make a case ------------------------------------------------------------------------------------
def test_each_subfolder_is_one_case_and_hidden_entries_and_the_output_folder_are_not_read(tmp_path):
    three_cases(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "fire" / ".DS_Store").write_text("x")
    (tmp_path / "out" / "cases").mkdir(parents=True)
    cases = discover_cases(tmp_path, "folders", exclude=(tmp_path / "out",))
    assert [(c.name, c.files) for c in cases] == [
        ("fire", ("fire/dunmore.txt",)),
        ("quake", ("quake/portvale.txt",)),
        ("seeds", tuple(f"seeds/{p.name}" for p in sorted(SEEDS.iterdir()))),
    ]
    assert cases[0].layout() == {"fire/dunmore.txt": "dunmore.txt"}  # runs exactly like `brief fire/`
    assert cases[0].source_folder(tmp_path) == tmp_path / "fire"


def test_a_case_mixing_folders_keeps_paths_relative_to_the_input_folder_so_none_collide():
    case = Case("mixed", ("a/x.txt", "b/x.txt"), "grouping file", root="a")
    assert case.layout() == {"a/x.txt": "a/x.txt", "b/x.txt": "b/x.txt"}
    assert case.source_folder(Path("/in")) == Path("/in")


def test_an_empty_subfolder_is_still_a_case_so_it_gets_reported(tmp_path):
    (tmp_path / "empty").mkdir()
    assert [(c.name, c.files) for c in discover_cases(tmp_path)] == [("empty", ())]


def test_loose_files_about_one_event_are_grouped_together_and_other_events_apart(tmp_path):
    for path in SEEDS.iterdir():
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "quake.txt").write_text(QUAKE)
    (tmp_path / "fire.txt").write_text(FIRE)
    (tmp_path / "photo.png").write_bytes(PNG)
    cases = discover_cases(tmp_path, "cluster")
    groups = {c.files: c for c in cases}
    seeds = tuple(sorted(p.name for p in SEEDS.iterdir()))
    assert set(groups) == {seeds, ("fire.txt",), ("quake.txt",), ("photo.png",)}
    assert groups[seeds].how == "cluster" and groups[seeds].similarity >= 0.625
    assert len(groups[seeds].links) == len(seeds) - 1  # one recorded reason per joined file
    assert groups[("photo.png",)].how == "unreadable"


def test_group_file_makes_one_case_per_loose_file_and_folders_one_case_of_all(tmp_path):
    (tmp_path / "a.txt").write_text(QUAKE)
    (tmp_path / "b.txt").write_text(QUAKE)
    assert [c.files for c in discover_cases(tmp_path, "file")] == [("a.txt",), ("b.txt",)]
    assert [c.files for c in discover_cases(tmp_path, "folders")] == [("a.txt", "b.txt")]


def test_grouping_json_round_trips_and_an_edited_grouping_is_honoured_with_new_files_added(tmp_path):
    in_dir = three_cases(tmp_path / "in")
    cases = discover_cases(in_dir, "file")
    write_grouping(tmp_path / "grouping.json", cases, in_dir=in_dir, mode="file")
    data = json.loads((tmp_path / "grouping.json").read_text())
    # the user merges the two small events into one case and renames it
    data["cases"] = [c for c in data["cases"] if c["name"] not in ("fire", "quake")] + [
        {"name": "small-events", "files": ["fire/dunmore.txt", "quake/portvale.txt"]}
    ]
    (tmp_path / "grouping.json").write_text(json.dumps(data))
    (in_dir / "fire" / "update.txt").write_text(FIRE)  # added after the grouping was made
    (in_dir / "storm").mkdir()
    (in_dir / "storm" / "a.txt").write_text(QUAKE)
    mode, saved = read_grouping(tmp_path / "grouping.json", in_dir)
    cases, notes = plan_cases(in_dir, "file", saved)
    by_name = {c.name: c.files for c in cases}
    assert by_name["small-events"] == ("fire/dunmore.txt", "quake/portvale.txt")
    assert by_name["storm"] == ("storm/a.txt",)
    assert ("fire/update.txt",) in by_name.values()  # its folder's case was merged away: a case of its own
    assert all(f in {f for c in cases for f in c.files} for f in ("seeds/000_108d603849a4caa9.txt",))
    assert any("storm" in note for note in notes)


def test_a_symlink_to_a_file_outside_the_input_folder_is_not_read(tmp_path):
    (tmp_path / "secret.txt").write_text("not an article")
    (tmp_path / "in" / "case").mkdir(parents=True)
    (tmp_path / "in" / "case" / "link.txt").symlink_to(tmp_path / "secret.txt")
    report = run_batch(tmp_path / "in", tmp_path / "out")
    assert [(r["case"], r["status"], r["error"]) for r in report.records] == [
        ("case", "skipped", f"case/link.txt: symlink points outside the folder (to {tmp_path / 'secret.txt'}); "
                            "not followed")]


def test_the_grouping_json_a_batch_wrote_is_used_again_and_accepted_by_grouping_even_beside_a_symlink_out(
        tmp_path):
    (tmp_path / "secret.txt").write_text("not an article")
    (tmp_path / "in" / "case").mkdir(parents=True)
    (tmp_path / "in" / "case" / "link.txt").symlink_to(tmp_path / "secret.txt")
    run_batch(tmp_path / "in", tmp_path / "out")
    rerun = run_batch(tmp_path / "in", tmp_path / "out")
    assert not [note for note in rerun.notes if "could not be used" in note]
    shutil.copy(tmp_path / "out" / "grouping.json", tmp_path / "copy.json")
    again = run_batch(tmp_path / "in", tmp_path / "out2", grouping=tmp_path / "copy.json")
    assert [(r["case"], r["status"]) for r in again.records] == [("case", "skipped")]


def test_a_fifo_in_a_case_folder_is_refused_unopened_so_the_batch_does_not_hang(tmp_path):
    (tmp_path / "in" / "case1").mkdir(parents=True)
    fifo = tmp_path / "in" / "case1" / "pipe.txt"
    os.mkfifo(fifo)
    records = []
    runner = threading.Thread(target=lambda: records.extend(run_batch(tmp_path / "in", tmp_path / "out").records),
                              daemon=True)
    runner.start()
    runner.join(timeout=60)
    if runner.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # lets the blocked reader go
        pytest.fail("the batch blocked opening a FIFO")
    assert [(r["case"], r["status"], r["error"]) for r in records] == [
        ("case1", "skipped", "case1/pipe.txt: not a regular file")]


def test_a_file_over_max_bytes_is_refused_unread_naming_the_option_that_reads_it(tmp_path):
    (tmp_path / "in" / "quake").mkdir(parents=True)
    (tmp_path / "in" / "quake" / "portvale.txt").write_text(QUAKE)
    report = run_batch(tmp_path / "in", tmp_path / "out", options=BatchOptions(max_bytes=100))
    assert [(r["case"], r["status"]) for r in report.records] == [("quake", "skipped")]
    assert "quake/portvale.txt: file too large" in report.records[0]["error"]
    assert "(raise --max-bytes to read it)" in report.records[0]["error"]


def test_a_grouping_that_puts_one_file_in_two_cases_is_refused(tmp_path):
    (tmp_path / "a.txt").write_text(QUAKE)
    grouping = tmp_path / "g.json"
    grouping.write_text(json.dumps({"cases": [{"name": "x", "files": ["a.txt"]}, {"name": "y", "files": ["a.txt"]}]}))
    with pytest.raises(GroupingError, match="'a.txt' is in both case 'x' and case 'y'"):
        read_grouping(grouping, tmp_path)


def test_a_grouping_that_points_outside_the_input_folder_is_refused(tmp_path):
    grouping = tmp_path / "g.json"
    grouping.write_text(json.dumps({"cases": [{"name": "x", "files": ["../../etc/passwd"]}]}))
    with pytest.raises(GroupingError, match="not a path inside"):
        read_grouping(grouping, tmp_path / "in")


# --- keys, publishing, recovery ---------------------------------------------------------------------------------
def test_the_case_key_changes_with_file_bytes_model_backend_and_judge_but_not_with_the_input_folders_location(tmp_path):
    case = Case(name="c", files=("c/a.txt",), how="folder", root="c")
    settings = run_settings(BatchOptions())
    key = case_key(case, {"a.txt": b"one"}, settings)
    assert key == case_key(case, {"a.txt": b"one"}, run_settings(BatchOptions()))
    assert key != case_key(case, {"a.txt": b"two"}, settings)
    assert key != case_key(case, {"a.txt": b"one"}, run_settings(BatchOptions(model="generator-large")))
    assert key != case_key(case, {"a.txt": b"one"}, run_settings(BatchOptions(backend="transformers")))
    assert key != case_key(case, {"a.txt": b"one"}, run_settings(BatchOptions(formats=("md",))))
    assert key != case_key(case, {"a.txt": b"one"}, run_settings(BatchOptions(judge=True)))


def test_a_new_calibration_makes_every_case_run_again(tmp_path, monkeypatch):
    import summarizer.support

    case = Case(name="c", files=("c/a.txt",), how="folder", root="c")
    key = case_key(case, {"a.txt": b"one"}, run_settings(BatchOptions()))
    refitted = tmp_path / "calibration.toml"
    refitted.write_bytes(summarizer.support.CALIBRATION_FILE.read_bytes() + b"\n# refitted\n")
    monkeypatch.setattr(summarizer.support, "CALIBRATION_FILE", refitted)
    assert key != case_key(case, {"a.txt": b"one"}, run_settings(BatchOptions()))


def test_publishing_a_case_replaces_its_folder_whole_with_the_record_inside(tmp_path):
    case = Case(name="c", files=("c/a.txt",), how="folder", root="c")
    commit_outcome(tmp_path, outcome("c", "k1", **{"brief.md": b"old", "stale.txt": b"x"}), case)
    record = commit_outcome(tmp_path, outcome("c", "k2", **{"brief.md": b"new"}), case)
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["brief.md", "done.json"]
    assert (tmp_path / "c" / "brief.md").read_bytes() == b"new"
    assert read_record(tmp_path / "c") == record and record["key"] == "k2"
    assert [p.name for p in tmp_path.iterdir()] == ["c"]  # no temp or moved-aside folder left


def test_a_failed_case_gets_an_error_record_and_no_done_record(tmp_path):
    case = Case(name="c", files=("c/a.txt",), how="folder", root="c")
    commit_outcome(tmp_path, outcome("c", "k1", **{"brief.md": b"old"}), case)
    record = commit_outcome(tmp_path, outcome("c", "k2", status="failed"), case)
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["error.json"]
    assert record["status"] == "failed" and record["error"] == "boom"


def test_recovery_removes_unfinished_folders_and_restores_one_moved_aside_mid_replace(tmp_path):
    (tmp_path / ".tmp.0123456789ab.half").mkdir()
    (tmp_path / ".tmp.0123456789ab.half" / "brief.md").write_text("half written")
    publish_case(tmp_path, "kept", {"done.json": b"{}"})
    os.rename(tmp_path / "kept", tmp_path / ".old.0123456789ab.kept")  # killed between the two renames
    notes = recover(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept"]
    assert (tmp_path / "kept" / "done.json").read_text() == "{}"
    assert len(notes) == 2


def test_the_index_has_one_row_per_case_and_calls_a_record_with_an_old_key_pending():
    cases = [Case("a", ("a/x",), "folder", "a"), Case("b", ("b/x",), "folder", "b")]
    records = {"a": {"case": "a", "status": "done", "key": "new"}, "b": {"case": "b", "status": "done", "key": "old"}}
    rows = index_rows(cases, records, {"a": "new", "b": "now"}, ran={"a"})
    assert [(r["case"], r["status"], r["this_run"]) for r in rows] == [("a", "done", True), ("b", "pending", False)]


def test_an_empty_folder_is_reported_as_skipped_and_indexed_without_starting_a_worker(tmp_path):
    (tmp_path / "in" / "empty").mkdir(parents=True)
    report = run_batch(tmp_path / "in", tmp_path / "out")
    assert [(r["case"], r["status"], r["error"]) for r in report.records] == [
        ("empty", "skipped", "empty folder: no files to read")]
    assert index_of(tmp_path / "out") == report.records
    assert json.loads((tmp_path / "out" / "grouping.json").read_text())["cases"][0]["name"] == "empty"


def test_the_options_a_batch_is_given_reach_its_cases_keys(tmp_path):
    (tmp_path / "in" / "empty").mkdir(parents=True)
    options = BatchOptions(formats=("md",), judge=True)
    report = run_batch(tmp_path / "in", tmp_path / "out", options=options)
    empty = Case(name="empty", files=(), how="folder", root="empty")
    assert report.records[0]["key"] == case_key(empty, {}, run_settings(options))


def test_a_finished_case_whose_output_was_cut_short_runs_again_and_the_index_says_why(tmp_path, monkeypatch):
    import summarizer.batch

    def finish_every_case(jobs, *args):
        yield from (outcome(job.name, job.key, **{"summary.json": b'{"whole": true}'}) for job in jobs)

    monkeypatch.setattr(summarizer.batch, "local_outcomes", finish_every_case)
    (tmp_path / "in" / "quake").mkdir(parents=True)
    (tmp_path / "in" / "quake" / "portvale.txt").write_text(QUAKE)
    run_batch(tmp_path / "in", tmp_path / "out")
    summary = tmp_path / "out" / "cases" / "quake" / "summary.json"
    summary.write_bytes(summary.read_bytes()[:5])
    run_batch(tmp_path / "in", tmp_path / "out")
    assert [(r["case"], r["status"], r["this_run"], r["rerun_because"]) for r in index_of(tmp_path / "out")] == [
        ("quake", "done", True, "summary.json is not the file the run wrote (changed or cut short)")]
    assert summary.read_bytes() == b'{"whole": true}'


def test_an_output_folder_that_cannot_be_written_is_one_error_line_not_a_traceback(tmp_path):
    from click.testing import CliRunner

    from summarizer.cli import main

    (tmp_path / "in").mkdir()
    (tmp_path / "a-file").write_text("")
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "a-file" / "out")])
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit
    assert f"Error: cannot write to the output folder {tmp_path / 'a-file' / 'out'}: Not a directory; choose " \
           "another --out" in result.output


def test_a_second_batch_on_the_same_output_folder_is_refused_while_one_runs(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    with open(tmp_path / "out" / ".batch.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(BatchError, match="another batch is writing"):
            run_batch(tmp_path / "in", tmp_path / "out")


# --- the real pipeline ------------------------------------------------------------------------------------------
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}


def batch_command(in_dir: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "summarizer.cli", "batch", str(in_dir), "--out", str(out), *extra]


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def assert_no_partial_files(out: Path, names: set[str]) -> None:
    cases = out / "cases"
    assert {p.name for p in cases.iterdir()} == names  # no .tmp / .old leftovers
    for folder in cases.iterdir():
        record_files = {p.name for p in folder.iterdir()} & {"done.json", "error.json"}
        assert len(record_files) == 1, f"{folder.name} has no record: half published"
        for path in folder.glob("*.json"):
            json.loads(path.read_text())
        if (folder / "done.json").exists():
            assert {"brief.md", "brief.html", "summary.json"} <= {p.name for p in folder.iterdir()}


@pytest.fixture(scope="module")
def killed_then_rerun(tmp_path_factory):
    """Run a 3-case batch with 2 workers, SIGKILL the driver (only the driver, as `kill -9 PID` does) as soon as
    the first case is published, then rerun it to the end. Returns what was seen at each step."""
    root = tmp_path_factory.mktemp("batch")
    in_dir, out = three_cases(root / "in"), root / "out"
    env = ENV
    driver = subprocess.Popen(batch_command(in_dir, out, "--workers", "2"), cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 1800
    first = []
    while not first:
        assert driver.poll() is None, "the batch ended before a case was published"
        assert time.monotonic() < deadline, "no case finished within 30 minutes"
        first = sorted((out / "cases").glob("*/done.json")) if (out / "cases").is_dir() else []
        time.sleep(0.2)
    workers = children_of(driver.pid)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    first_case = first[0].parent.name
    first_record = first[0].read_bytes()
    time.sleep(3)  # workers notice their driver is gone within a second
    orphans = [pid for pid in workers if alive(pid)]
    for pid in orphans:  # don't leave them running if the test fails
        os.kill(pid, signal.SIGKILL)
    after_kill = {"index": index_of(out), "cases": sorted(p.name for p in (out / "cases").iterdir())}
    rerun = subprocess.run(batch_command(in_dir, out, "--workers", "2"), cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=3600)
    return {"in_dir": in_dir, "out": out, "first_case": first_case, "first_record": first_record,
            "orphans": orphans, "workers": workers, "after_kill": after_kill, "rerun": rerun}


@pytest.mark.model
def test_after_kill_9_the_index_is_complete_and_only_finished_cases_are_done(killed_then_rerun):
    run = killed_then_rerun
    statuses = {r["case"]: r["status"] for r in run["after_kill"]["index"]}
    assert set(statuses) == {"fire", "quake", "seeds"}
    assert statuses[run["first_case"]] == "done"
    assert all(s in ("done", "pending") for s in statuses.values())


@pytest.mark.model
def test_workers_exit_when_their_driver_is_killed(killed_then_rerun):
    assert killed_then_rerun["workers"], "the batch had no worker processes"
    assert killed_then_rerun["orphans"] == []


@pytest.mark.model
def test_a_rerun_after_kill_9_finishes_every_case_exactly_once_with_no_partial_files(killed_then_rerun):
    run, out = killed_then_rerun, killed_then_rerun["out"]
    assert run["rerun"].returncode == 0, run["rerun"].stderr[-3000:]
    rows = index_of(out)
    assert sorted(r["case"] for r in rows) == ["fire", "quake", "seeds"]
    assert all(r["status"] == "done" for r in rows)
    done_before_kill = {r["case"] for r in run["after_kill"]["index"] if r["status"] == "done"}
    assert {r["case"] for r in rows if r["this_run"]} == {"fire", "quake", "seeds"} - done_before_kill
    assert (out / "cases" / run["first_case"] / "done.json").read_bytes() == run["first_record"]
    assert_no_partial_files(out, {"fire", "quake", "seeds"})
    for row in rows:
        assert read_record(out / "cases" / row["case"])["key"] == row["key"]
        summary = json.loads((out / "cases" / row["case"] / "summary.json").read_text())
        assert summary["sources"]["root"] == str(run["in_dir"].resolve() / row["case"])  # not the scratch copy


@pytest.mark.model
def test_a_rerun_with_nothing_changed_runs_nothing(killed_then_rerun):
    out = killed_then_rerun["out"]
    before = {p: p.read_bytes() for p in (out / "cases").rglob("*") if p.is_file()}
    again = subprocess.run(batch_command(killed_then_rerun["in_dir"], out, "--workers", "2"), cwd=ROOT,
                           capture_output=True, text=True, timeout=600, env=ENV)
    assert again.returncode == 0, again.stderr[-3000:]
    assert not any(r["this_run"] for r in index_of(out))
    assert {p: p.read_bytes() for p in (out / "cases").rglob("*") if p.is_file()} == before


@pytest.mark.model
def test_the_ray_engine_gives_the_same_statuses_as_the_local_one(killed_then_rerun, tmp_path):
    pytest.importorskip("ray")
    out = tmp_path / "ray-out"
    result = subprocess.run(batch_command(killed_then_rerun["in_dir"], out, "--engine", "ray", "--workers", "2"),
                            cwd=ROOT, capture_output=True, text=True, timeout=3600,
                            env=ENV)
    assert result.returncode == 0, result.stderr[-3000:]
    local = {r["case"]: (r["status"], r["key"]) for r in index_of(killed_then_rerun["out"])}
    assert {r["case"]: (r["status"], r["key"]) for r in index_of(out)} == local  # same cases, inputs and settings
    assert_no_partial_files(out, set(local))


@pytest.mark.model
def test_a_binary_only_case_and_an_empty_case_are_reported_with_reasons_and_the_others_finish(tmp_path):
    in_dir = tmp_path / "in"
    (in_dir / "a-binary").mkdir(parents=True)
    (in_dir / "a-binary" / "photo.png").write_bytes(PNG)
    (in_dir / "b-empty").mkdir()
    (in_dir / "c-quake").mkdir()
    (in_dir / "c-quake" / "portvale.txt").write_text(QUAKE)
    result = subprocess.run(batch_command(in_dir, tmp_path / "out"), cwd=ROOT, capture_output=True, text=True,
                            timeout=3600, env=ENV)
    assert result.returncode == 0, result.stderr[-3000:]  # skipped inputs are reported, not failures
    rows = {r["case"]: r for r in index_of(tmp_path / "out")}
    assert rows["a-binary"]["status"] == "skipped"
    assert "photo.png" in rows["a-binary"]["error"] and "unsupported file type" in rows["a-binary"]["error"]
    assert rows["b-empty"]["status"] == "skipped" and rows["b-empty"]["error"] == "empty folder: no files to read"
    assert rows["c-quake"]["status"] == "done"
    assert "photo.png" in result.stdout and "empty folder" in result.stdout  # the summary table says why


@pytest.fixture(scope="module")
def segfaulted_then_rerun(tmp_path_factory):
    """A 3-case batch with 2 workers, one of which is sent SIGSEGV (a real signal, as a crash in llama.cpp gives)
    once it has loaded llama.cpp; then the batch is rerun. Returns both runs and the indexes after each."""
    from processes import has_loaded, spawned_children

    root = tmp_path_factory.mktemp("segfault")
    in_dir, out = root / "in", root / "out"
    for name, text in (("fire", FIRE), ("quake", QUAKE), ("quake-again", QUAKE.replace("Wednesday", "Thursday"))):
        (in_dir / name).mkdir(parents=True)
        (in_dir / name / "article.txt").write_text(text)
    driver = subprocess.Popen(batch_command(in_dir, out, "--workers", "2"), cwd=ROOT, env=ENV,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline, victim = time.monotonic() + 600, None
    while victim is None:
        assert driver.poll() is None, "the batch ended before a worker loaded llama.cpp"
        assert time.monotonic() < deadline, "no worker loaded llama.cpp within 10 minutes"
        victim = next((pid for pid in spawned_children(driver.pid) if has_loaded(pid, "libllama")), None)
        time.sleep(0.1)
    os.kill(victim, signal.SIGSEGV)
    stdout, stderr = driver.communicate(timeout=1800)
    first = {"returncode": driver.returncode, "stdout": stdout, "stderr": stderr, "index": index_of(out)}
    rerun = subprocess.run(batch_command(in_dir, out, "--workers", "2"), cwd=ROOT, env=ENV, capture_output=True,
                           text=True, timeout=1800)
    return {"first": first, "rerun": rerun, "index": index_of(out)}


@pytest.mark.model
def test_a_worker_dying_by_sigsegv_fails_its_case_with_the_signal_named_and_the_other_cases_finish(
        segfaulted_then_rerun):
    first = segfaulted_then_rerun["first"]
    assert first["returncode"] == 1, first["stderr"][-3000:]  # a case failed
    failed = [r for r in first["index"] if r["status"] == "failed"]
    assert len(failed) == 1, first["index"]
    assert "died of SIGSEGV (signal 11: a crash in native code)" in failed[0]["error"]
    assert sorted(r["status"] for r in first["index"]) == ["done", "done", "failed"]


@pytest.mark.model
def test_a_rerun_retries_the_case_whose_worker_died_and_keeps_the_finished_ones(segfaulted_then_rerun):
    run = segfaulted_then_rerun
    assert run["rerun"].returncode == 0, run["rerun"].stderr[-3000:]
    crashed = {r["case"] for r in run["first"]["index"] if r["status"] == "failed"}
    assert all(r["status"] == "done" for r in run["index"])
    assert {r["case"] for r in run["index"] if r["this_run"]} == crashed
