"""batch: brief every event case under a folder, in parallel processes or on a Ray cluster, without losing work.

The rules that make a batch safe to kill and rerun:

- Workers never write into the output folder. A worker gets a case's input bytes, runs `brief()` in its own scratch
  folder and returns the output bytes; the driver alone publishes them. So the same code serves a process pool on
  this machine and Ray actors on other machines (nothing assumes a shared filesystem).
- A case is published as a whole: its files are written into `cases/.tmp.<id>.<case>/` and that folder is renamed
  to `cases/<case>/` (a directory rename is atomic on one filesystem). Its record file is written last inside it:
  `done.json` for a finished case, `error.json` for a skipped or failed one. A crash leaves either the old case
  folder or the new one; leftovers are cleaned at the start of the next run.
- A case is done when `cases/<case>/done.json` holds the case's current key: sha256 of its input paths and bytes,
  the sha256 pins of the models it uses, the prompt templates, the schema version, calibration.toml, backend,
  formats and --judge, and every output file it lists still has the sha256 it records (a file cut short or edited
  makes the case run again, and the index says why in `rerun_because`). A rerun reuses done cases and runs every
  other case again (changed, new, skipped, failed, damaged).
- Input files are read through ingest's checks before they are opened (regular files only, --max-bytes, inside the
  input folder): a FIFO or a device in a case folder is refused with its reason, never waited on.
- `index.jsonl` (one line per case, in grouping order) is rewritten atomically after every finished case, from the
  records, so it is always complete (unfinished cases say `pending`) and never holds a duplicate or half a line.
- One failing case (unreadable files, a model error, even its worker process dying by a signal, which is named)
  is recorded and the batch goes on, with a fresh worker in place of a dead one; the other workers' cases go on.
  Ctrl-C / SIGTERM stops the workers and loses only the cases in flight; so does `kill -9` (workers notice
  their driver is gone within a second and exit).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import resource
import shutil
import signal
import socket
import tempfile
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from summarizer.files import atomic_write, check_writable, fsync_dir
from summarizer.grouping import Case, GroupMode, plan_cases, read_grouping, write_grouping
from summarizer.ingest import DEFAULT_MAX_BYTES

CASES_DIR = "cases"
DONE_FILE = "done.json"
ERROR_FILE = "error.json"
INDEX_FILE = "index.jsonl"
GROUPING_FILE = "grouping.json"
LOCK_FILE = ".batch.lock"
WORK_DIR = ".work"
LAYOUT_VERSION = 1
ENGINES = ("local", "ray")


class BatchError(RuntimeError):
    """The batch as a whole cannot run (bad folder, bad grouping file, another batch writing the same output)."""


@dataclass(frozen=True)
class BatchOptions:
    """What every case is run with; part of each case's key."""

    model: str = "generator"
    backend: str = "llamacpp"
    formats: tuple[str, ...] = ("md", "html", "json")
    threads: int = 0  # compute threads per worker; 0: this machine's cores divided among the workers
    judge: bool = False  # also check every claim with the entailment judge (summarizer.judge)
    max_bytes: int = DEFAULT_MAX_BYTES  # larger input files are refused unread (their refusal is in the case key)


@dataclass(frozen=True)
class CaseJob:
    """Everything a worker needs to run one case, with no path into the driver's filesystem."""

    name: str
    key: str
    inputs: dict[str, bytes]  # path inside the case folder -> file bytes
    options: BatchOptions
    source_folder: str = ""  # where the inputs came from, named in summary.json instead of the scratch folder


@dataclass
class CaseOutcome:
    """What a worker sends back: the output files' bytes, or why there are none."""

    name: str
    key: str
    status: str  # "done" | "skipped" | "failed"
    outputs: dict[str, bytes] = field(default_factory=dict)
    counts: dict[str, float] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None
    worker: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BatchEvent:
    """Progress for a display: `plan` (how many cases will run), `stage` (a worker's case moved on), `finished`."""

    kind: str
    total: int = 0
    reused: int = 0
    worker: str = ""
    case: str = ""
    stage: str = ""
    state: str = ""
    detail: str = ""
    record: dict | None = None


@dataclass
class BatchReport:
    out_dir: Path
    records: list[dict]
    notes: list[str]
    seconds: float
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.records if r["status"] == status)

    @property
    def ran(self) -> int:
        return sum(1 for r in self.records if r.get("this_run"))


# --- running one case (in a worker) -----------------------------------------------------------------------------
class _WorkerState:
    """Per worker process: models are loaded once, before the first case; a load failure fails each case clearly."""

    label = ""
    events = None
    load_error: str | None = None


def load_models(options: BatchOptions) -> None:
    """Load the embedder, the verifier, the generator backend and the judge's into this process's caches (brief()
    finds them there)."""
    from summarizer.backends import load_backend
    from summarizer.embed import Embedder
    from summarizer.judge import JUDGE_ROLE
    from summarizer.verifier import Verifier

    Embedder.load()
    Verifier.load()
    load_backend(options.backend, options.model)  # same positional calls as brief(): one functools.cache entry each
    if options.judge:
        load_backend(options.backend, JUDGE_ROLE)


def _prepare_worker(options: BatchOptions, label: str, events) -> None:
    """Threads, offline mode and models for one worker. Threads must be set before llama.cpp or torch start."""
    threads = options.threads or default_threads(1)
    os.environ["SUMMARIZER_THREADS"] = str(threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # workers share the driver's terminal
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    _WorkerState.label, _WorkerState.events = label, events
    try:
        import torch

        torch.set_num_threads(threads)
        load_models(options)
    except Exception as err:  # noqa: BLE001 - reported on every case this worker is given
        _WorkerState.load_error = f"models could not be loaded: {type(err).__name__}: {_one_line(err)}"


def _emit(case: str, stage: str, state: str, detail: str = "") -> None:
    if _WorkerState.events is not None:
        try:
            _WorkerState.events.put_nowait((_WorkerState.label, case, stage, state, detail))
        except Exception:  # noqa: BLE001 - progress is best effort; a full or closed queue must not fail a case
            pass


def run_case(job: CaseJob, scratch_root: str | None = None) -> CaseOutcome:
    """Run the whole pipeline for one case in a private scratch folder; never raises for a case's own failure."""
    from summarizer.brief import BriefError, brief, write_outputs
    from summarizer.ingest import load_sources

    started, cpu_before = time.perf_counter(), cpu_seconds()
    outcome = CaseOutcome(name=job.name, key=job.key, status="failed")
    try:
        if _WorkerState.load_error:
            outcome.error = _WorkerState.load_error
            return outcome
        if scratch_root:
            Path(scratch_root).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=scratch_root, prefix=f"{job.name}.") as scratch:
            folder, out = Path(scratch) / "in" / job.name, Path(scratch) / "out"
            for rel, data in job.inputs.items():
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).write_bytes(data)
            _emit(job.name, "start", "start")
            try:
                result = brief(folder, out, model=job.options.model, backend=job.options.backend,
                               formats=job.options.formats, judge=job.options.judge, max_bytes=job.options.max_bytes,
                               progress=lambda e: _emit(job.name, e.stage, e.state, e.detail))
            except BriefError as err:
                # Nothing readable is a property of the inputs, not a fault: 'skipped', with ingest's reasons.
                unreadable = err.stage == "ingest" and not _readable(load_sources, folder)
                outcome.status = "skipped" if unreadable else "failed"
                outcome.error = _one_line(err).replace(str(folder), job.name)  # the scratch path means nothing
                outcome.traceback = None if unreadable else _traceback_of(err)
            else:
                verified = result.verified
                if job.source_folder:  # re-rendered so the note names the user's folder, not our scratch copy
                    sources = verified.sources.model_copy(update={"root": job.source_folder})
                    write_outputs(verified.model_copy(update={"sources": sources}), out, job.options.formats)
                outcome.status = "done"
                outcome.outputs = {path.name: path.read_bytes() for path in result.paths.values()}
                outcome.counts = _counts(result)
                outcome.timings = dict(result.timings)
    except Exception as err:  # noqa: BLE001 - any other error is this case's failure, recorded, never the batch's
        outcome.status, outcome.error, outcome.traceback = "failed", f"{type(err).__name__}: {_one_line(err)}", \
            traceback.format_exc()
    finally:
        outcome.timings["total"] = round(time.perf_counter() - started, 3)
        outcome.worker = {
            "label": _WorkerState.label,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "cpu_s": round(cpu_seconds() - cpu_before, 1),  # this case's CPU time, all threads: load-independent
        }
        _emit(job.name, "end", outcome.status)
    return outcome


def cpu_seconds() -> float:
    """CPU time of this process, all threads: unlike wall time, barely moved by other jobs on shared cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _readable(load_sources, folder: Path) -> bool:
    try:
        return bool(load_sources(folder).documents)
    except Exception:  # noqa: BLE001 - ingest itself broke: a failure, not unreadable input
        return True


def _counts(result) -> dict[str, float]:
    verified = result.verified
    counts: dict[str, float] = {
        "documents": len(verified.sources.documents),
        "independent_reports": len(verified.sources.canonical),
        "unread_files": len(verified.sources.skipped),
        "fields_checked": len(verified.claims),
        "contested_slots": len(verified.contested),
        "faithfulness": round(verified.faithfulness.score, 4),
    }
    counts.update({status.value: n for status, n in sorted(result.status_counts().items())})
    return counts


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text[:500] or type(err).__name__


def _traceback_of(err: BaseException) -> str:
    return "".join(traceback.format_exception(err))


# --- the case key -------------------------------------------------------------------------------------------------
def prompt_fingerprint() -> str:
    """The prompt version plus sha256 over the prompt templates: an edit that forgets to bump the version still
    makes every case run again."""
    from summarizer.draft.prompts import PROMPT_VERSION, PROMPTS

    digest = hashlib.sha256()
    for path in sorted(p for p in PROMPTS.rglob("*") if p.is_file()):
        digest.update(path.relative_to(PROMPTS).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{PROMPT_VERSION}:{digest.hexdigest()}"


def run_settings(options: BatchOptions) -> dict:
    """The part of every case's key that is the same for the whole run: models, prompts, schema, the calibration
    verify decides by, backend, formats and whether the judge reads."""
    from summarizer.judge import JUDGE_ROLE
    from summarizer.lock import load_lock
    from summarizer.schema import SCHEMA_VERSION
    from summarizer.support import CALIBRATION_FILE

    pins = load_lock()
    roles = sorted({options.model, "embedder", "verifier", *([JUDGE_ROLE] if options.judge else [])})
    missing = [r for r in roles if r not in pins]
    if missing:
        raise BatchError(f"no model role {', '.join(map(repr, missing))} in models.lock (roles: {', '.join(pins)})")
    return {
        "layout": LAYOUT_VERSION,
        "models": {role: pins[role].sha256 for role in roles},
        "prompt": prompt_fingerprint(),
        "schema": SCHEMA_VERSION,
        "calibration": hashlib.sha256(CALIBRATION_FILE.read_bytes()).hexdigest(),
        "backend": options.backend,
        "formats": sorted(options.formats),
        "judge": options.judge,
    }


def _read_inputs(in_dir: Path, case: Case, max_bytes: int) -> tuple[dict[str, bytes], list[str]]:
    """The case's file bytes by their path in the case folder, each read through ingest's checks (a FIFO, a device,
    a file over `max_bytes` or a link out of the input folder is refused before it is opened), and a reason for
    each file refused."""
    from summarizer.ingest import Unreadable, read_checked

    inputs, problems = {}, []
    inside = (in_dir.resolve(), (in_dir / case.root).resolve())
    for rel, staged in case.layout().items():
        try:
            inputs[staged] = read_checked(in_dir / rel, max_bytes=max_bytes, inside=inside)
        except Unreadable as err:
            problems.append(f"{rel}: {err}")
    return inputs, problems


def case_key(case: Case, inputs: dict[str, bytes], settings: dict) -> str:
    """sha256 of everything that decides a case's outputs: its files (paths and bytes) and the run settings."""
    layout = case.layout()
    files = sorted([rel, layout[rel], hashlib.sha256(inputs[layout[rel]]).hexdigest() if layout[rel] in inputs
                    else "unreadable"] for rel in case.files)
    return hashlib.sha256(json.dumps({"files": files, **settings}, sort_keys=True).encode()).hexdigest()


# --- publishing (driver only) -------------------------------------------------------------------------------------
def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def publish_case(cases_dir: Path, name: str, files: dict[str, bytes]) -> None:
    """Make `cases_dir/name` hold exactly `files`, all at once: written into a temp folder beside it, renamed in.

    `files` is written in order, so the record file (last) exists only if everything before it does. An old
    folder is moved aside first (rename cannot replace a non-empty folder); `recover()` puts it back if a crash
    falls between the two renames.
    """
    tag = uuid.uuid4().hex[:12]
    tmp, final = cases_dir / f".tmp.{tag}.{name}", cases_dir / name
    tmp.mkdir(parents=True)
    for filename, data in files.items():
        _write_synced(tmp / filename, data)
    fsync_dir(tmp)
    if final.exists():
        old = cases_dir / f".old.{tag}.{name}"
        os.rename(final, old)
        os.rename(tmp, final)
        shutil.rmtree(old)
    else:
        os.rename(tmp, final)
    fsync_dir(cases_dir)


def recover(cases_dir: Path) -> list[str]:
    """Undo what a killed run left: unfinished temp folders go; an old case folder moved aside comes back if its
    replacement never arrived. Returns what was done, for the notes."""
    notes = []
    if not cases_dir.is_dir():
        return notes
    for path in sorted(cases_dir.iterdir()):
        if not path.name.startswith("."):
            continue
        kind, _, rest = path.name[1:].partition(".")
        if kind not in ("tmp", "old"):
            continue
        name = rest.partition(".")[2]
        if kind == "old" and not (cases_dir / name).exists():
            os.rename(path, cases_dir / name)
            notes.append(f"{name}: restored the previous output (a run was killed while replacing it)")
        else:
            shutil.rmtree(path, ignore_errors=True)
            if kind == "tmp":
                notes.append(f"{name}: removed an unfinished output folder from a killed run")
    return notes


def read_record(case_dir: Path) -> dict | None:
    """The record of a published case (done.json, else error.json), or None if it has none or it is unreadable."""
    for filename in (DONE_FILE, ERROR_FILE):
        path = case_dir / filename
        if path.is_file():
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
            return record if isinstance(record, dict) else None
    return None


def rerun_reason(case_dir: Path, record: dict | None, key: str) -> str | None:
    """None when the case finished with these inputs and settings and its files are whole; else why it runs again
    ('' for a case never run)."""
    if record is None:
        return ""
    if record.get("status") != "done":
        return f"its last run ended {record.get('status')}"
    if record.get("key") != key:
        return "its input files or the run's settings changed"
    return damage(case_dir, record)


def damage(case_dir: Path, record: dict) -> str | None:
    """Why a finished case's files can no longer be trusted (one is missing, or is not the bytes it wrote, by the
    sha256 manifest in its record), or None when every one is whole."""
    manifest = record.get("sha256")
    if not isinstance(manifest, dict):
        return "its record has no sha256 manifest of its files (written by an older version)"
    for name in record.get("outputs", []):
        path = case_dir / name
        try:
            data = path.read_bytes() if path.is_file() else None
        except OSError as err:
            return f"{name} cannot be read ({err.strerror})"
        if data is None:
            return f"{name} is missing"
        if hashlib.sha256(data).hexdigest() != manifest.get(name):
            return f"{name} is not the file the run wrote (changed or cut short)"
    return None


def _record(outcome: CaseOutcome, case: Case, input_errors: list[str]) -> dict:
    record = {
        "case": outcome.name,
        "status": outcome.status,
        "error": outcome.error,
        "files": len(case.files),
        "input_errors": input_errors or None,
        "grouping": case.how,
        **outcome.counts,
        "timings": outcome.timings,
        "outputs": sorted(outcome.outputs),
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(outcome.outputs.items())} or None,
        "key": outcome.key,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "worker": outcome.worker,
    }
    return {k: v for k, v in record.items() if v is not None}


def commit_outcome(cases_dir: Path, outcome: CaseOutcome, case: Case, input_errors: list[str] = ()) -> dict:
    """Publish one case's outputs and record; the one code path for every engine."""
    record = _record(outcome, case, list(input_errors))
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    if outcome.status == "done":
        files = {**outcome.outputs, DONE_FILE: text.encode()}
    else:
        detail = {**record, "traceback": outcome.traceback} if outcome.traceback else record
        files = {ERROR_FILE: (json.dumps(detail, indent=2, ensure_ascii=False) + "\n").encode()}
    publish_case(cases_dir, outcome.name, files)
    return record


def index_rows(cases: list[Case], records: dict[str, dict], keys: dict[str, str], ran: set[str],
               rerun: dict[str, str] | None = None) -> list[dict]:
    """One row per case, in grouping order: its record when it matches the case's current key, else `pending`;
    `rerun` says why a case that had a record runs again."""
    rows = []
    for case in cases:
        record = records.get(case.name)
        if record is None or record.get("key") != keys[case.name]:
            record = {"case": case.name, "status": "pending", "files": len(case.files), "grouping": case.how,
                      "key": keys[case.name]}
        why = (rerun or {}).get(case.name)
        rows.append({**record, "this_run": case.name in ran, **({"rerun_because": why} if why else {})})
    return rows


def write_index(out_dir: Path, rows: list[dict]) -> None:
    atomic_write(out_dir / INDEX_FILE, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


# --- engines: jobs in, outcomes out (as they finish) ----------------------------------------------------------
def default_threads(workers: int) -> int:
    """The cores this process may use, shared among the workers (2 cores, 2 workers: 1 thread each)."""
    from summarizer.backends import available_cores

    return max(1, available_cores() // max(1, workers))


def _init_pool_worker(options: BatchOptions, events, driver_pid: int) -> None:
    from summarizer.native import exit_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver decides what Ctrl-C stops
    exit_with_parent(driver_pid)  # the driver was killed: our results have nowhere to go
    _prepare_worker(options, f"pid {os.getpid()}", events)


def _failed(job: CaseJob, message: str) -> CaseOutcome:
    return CaseOutcome(name=job.name, key=job.key, status="failed", error=message)


def local_outcomes(jobs: list[CaseJob], workers: int, options: BatchOptions, scratch_root: Path, events
                   ) -> Iterator[CaseOutcome]:
    """Spawned worker processes, each loading the models once. Each worker is a pool of its own, so one that dies
    (a signal: a crash in native code, the out-of-memory killer's SIGKILL) fails only the case it was running, with
    the signal named; a fresh worker takes its place and the others run on."""
    context = multiprocessing.get_context("spawn")

    def new_worker() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(1, mp_context=context, initializer=_init_pool_worker,
                                   initargs=(options, events, os.getpid()))

    queue = deque(jobs)
    pools = [new_worker() for _ in range(min(workers, len(queue)))]
    idle = list(range(len(pools)))
    running: dict = {}  # future -> (worker index, job)
    finished_all = False
    try:
        while queue or running:
            while queue and idle:
                slot, job = idle.pop(), queue.popleft()
                running[pools[slot].submit(run_case, job, str(scratch_root))] = (slot, job)
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                slot, job = running.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    result = _failed(job, f"the worker process running this case {_worker_exit(pools[slot])}; "
                                          "rerun to retry")
                    _stop_pool(pools[slot])
                    pools[slot] = new_worker()
                idle.append(slot)
                yield result
        finished_all = True
    finally:
        for pool in pools:
            if finished_all:
                pool.shutdown(wait=True)
            else:
                _stop_pool(pool)


def _worker_exit(pool: ProcessPoolExecutor) -> str:
    """How a broken one-worker pool's process ended: 'died of SIGSEGV (signal 11: a crash in native code)'."""
    from summarizer.native import exit_reason

    processes = list((pool._processes or {}).values())  # no public API for this before Python 3.14
    if not processes:
        return "died"
    processes[0].join(timeout=60)  # a loaded machine can take a while to reap it
    return exit_reason(processes[0].exitcode)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down now, killing busy workers (an interrupted case's work is not kept anyway)."""
    processes = list((pool._processes or {}).values())  # no public API for this before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)


class CaseRunner:
    """A Ray actor: loads the models in its constructor (once per worker) and runs cases one at a time."""

    def __init__(self, options: BatchOptions, label: str, events=None):
        _prepare_worker(options, label, events)

    def run(self, job: CaseJob) -> CaseOutcome:
        return run_case(job)


def ray_outcomes(jobs: list[CaseJob], workers: int, options: BatchOptions, address: str | None,
                 events_sink: Callable[[tuple], None] | None) -> Iterator[CaseOutcome]:
    """The same cases on Ray: one actor per worker holding the models; results come back to this driver, which
    publishes them with the same code as the local engine. Without `address`, a local Ray instance is started
    (light: no dashboard, as many CPUs as this machine has)."""
    import logging

    import ray
    from ray.exceptions import RayError

    started_here = not ray.is_initialized()
    if started_here:
        try:
            if address:
                ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
            else:
                ray.init(num_cpus=max(default_threads(1), workers * (options.threads or 1)),
                         include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
        except (ConnectionError, RuntimeError, ValueError) as err:
            cause = f" ({_one_line(err.__cause__)[:300]})" if err.__cause__ else ""
            raise BatchError(f"Ray could not start or connect{f' to {address}' if address else ''}: "
                             f"{_one_line(err)}{cause}") from err
    drain_stop = threading.Event()
    drain = None
    try:
        events = None
        if events_sink is not None:
            from ray.util.queue import Empty, Queue

            events = Queue(actor_options={"num_cpus": 0})
            drain = threading.Thread(target=_drain, args=(events, Empty, events_sink, drain_stop), daemon=True)
            drain.start()
        threads = options.threads or default_threads(workers)
        actor_class = ray.remote(num_cpus=threads, max_restarts=0)(CaseRunner)
        env = {"env_vars": {"SUMMARIZER_THREADS": str(threads),
                            "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1")}}

        def new_actor(i: int):
            return actor_class.options(runtime_env=env).remote(options, f"actor {i}", events)

        idle = [(i, new_actor(i)) for i in range(workers)]
        queue, running = deque(jobs), {}
        while queue or running:
            while queue and idle:
                i, actor = idle.pop()
                job = queue.popleft()
                running[actor.run.remote(job)] = (i, actor, job)
            done, _ = ray.wait(list(running), num_returns=1)
            i, actor, job = running.pop(done[0])
            try:
                result = ray.get(done[0])
            except RayError as err:  # the actor died (out of memory, a node lost): a fresh one takes the next case
                result = _failed(job, f"the Ray worker failed while running this case: {_one_line(err)}")
                ray.kill(actor)
                actor = new_actor(i)
            idle.append((i, actor))
            yield result
        for _, actor in idle:
            ray.kill(actor)
    finally:
        drain_stop.set()
        if drain is not None:  # a queue read still in flight when Ray shuts down makes Ray exit the process (code 1)
            drain.join()
        if started_here:
            ray.shutdown()


def _drain(queue, empty_error, sink: Callable[[tuple], None], stop: threading.Event) -> None:
    """Forward workers' stage events to the display until told to stop."""
    while not stop.is_set():
        try:
            item = queue.get(timeout=0.25)
        except empty_error:
            continue
        except Exception:  # noqa: BLE001 - the queue went away with its workers: nothing more will come
            return
        sink(item)


# --- the driver -----------------------------------------------------------------------------------------------
@contextmanager
def _exclusive(out_dir: Path) -> Iterator[None]:
    """One batch at a time per output folder (the lock goes with the process, even after kill -9)."""
    import fcntl

    fd = os.open(out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise BatchError(f"another batch is writing to {out_dir}; wait for it or choose another --out") from err
        yield
    finally:
        os.close(fd)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a batch the way Ctrl-C does (finished cases kept, workers stopped)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _plan(in_dir: Path, out_dir: Path, group: GroupMode, grouping: Path | None) -> tuple[list[Case], list[str]]:
    """Cases from --grouping FILE, else the saved grouping.json when it was made with the same --group (so hand
    edits and case names survive reruns), else found afresh; written back to OUT_DIR/grouping.json."""
    saved_path = grouping or (out_dir / GROUPING_FILE)
    saved, mode, notes = None, group, []
    if grouping is not None or saved_path.is_file():
        try:
            saved_mode, saved = read_grouping(saved_path, in_dir)
        except ValueError as err:
            if grouping is not None:
                raise BatchError(str(err)) from err
            notes.append(f"{saved_path} could not be used ({err}); grouped the files again")
        else:
            mode = saved_mode
            if grouping is None and saved_mode not in (group, "grouping file"):
                notes.append(f"grouping.json was made with --group {saved_mode}; grouped again with --group {group}")
                saved, mode = None, group
    cases, plan_notes = plan_cases(in_dir, group, saved, exclude=(out_dir,))
    write_grouping(out_dir / GROUPING_FILE, cases, in_dir=in_dir.resolve(), mode=mode)
    return cases, notes + plan_notes


def run_batch(in_dir: str | os.PathLike, out_dir: str | os.PathLike, *, group: GroupMode = "cluster",
              grouping: str | os.PathLike | None = None, workers: int = 1, engine: str = "local",
              ray_address: str | None = None, options: BatchOptions = BatchOptions(),
              progress: Callable[[BatchEvent], None] | None = None) -> BatchReport:
    """Brief every case of `in_dir` into `out_dir`, reusing finished cases; see the module docstring for the rules.

    Raises BatchError only for problems with the batch as a whole; a case's failure is in its record.
    KeyboardInterrupt (Ctrl-C, SIGTERM) returns a report with `interrupted` set, after stopping the workers.
    """
    started = time.perf_counter()
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    if not in_dir.is_dir():
        raise BatchError(f"{in_dir} is not a folder (batch reads a folder of event folders or article files)")
    if engine not in ENGINES:
        raise BatchError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if workers < 1:
        raise BatchError("--workers must be at least 1")
    from summarizer.brief import check_formats

    try:
        formats = check_formats(options.formats)
    except ValueError as err:
        raise BatchError(str(err)) from err
    options = replace(options, formats=formats, threads=options.threads or default_threads(workers))
    try:
        check_writable(out_dir)
    except OSError as err:
        raise BatchError(f"cannot write to the output folder {out_dir}: {err.strerror}; choose another --out") from err
    cases_dir = out_dir / CASES_DIR
    emit = progress or (lambda event: None)
    with _exclusive(out_dir), _sigterm_as_interrupt():
        notes = recover(cases_dir)
        shutil.rmtree(out_dir / WORK_DIR, ignore_errors=True)  # scratch of a killed run's workers
        cases, plan_notes = _plan(in_dir, out_dir, group, Path(grouping) if grouping else None)
        notes += plan_notes
        by_name = {case.name: case for case in cases}
        settings = run_settings(options)
        records, jobs, keys, rerun = {}, [], {}, {}
        unreadable: dict[str, list[str]] = {}
        for case in cases:
            inputs, unreadable[case.name] = _read_inputs(in_dir, case, options.max_bytes)
            keys[case.name] = case_key(case, inputs, settings)
            record = read_record(cases_dir / case.name)
            why = rerun_reason(cases_dir / case.name, record, keys[case.name])
            if why is None:
                records[case.name] = record
                continue
            jobs.append(CaseJob(case.name, keys[case.name], inputs, options,
                                str(case.source_folder(in_dir.resolve()))))
            if why:
                rerun[case.name] = why
        ran: set[str] = set()
        write_index(out_dir, index_rows(cases, records, keys, ran, rerun))
        emit(BatchEvent("plan", total=len(jobs), reused=len(cases) - len(jobs)))

        def finish(outcome: CaseOutcome) -> None:
            records[outcome.name] = commit_outcome(cases_dir, outcome, by_name[outcome.name], unreadable[outcome.name])
            ran.add(outcome.name)
            write_index(out_dir, index_rows(cases, records, keys, ran, rerun))
            emit(BatchEvent("finished", case=outcome.name, record=records[outcome.name]))

        runnable = []
        for job in jobs:
            if job.inputs:
                runnable.append(job)
            else:
                reason = "; ".join(unreadable[job.name]) or "empty folder: no files to read"
                finish(CaseOutcome(job.name, job.key, "skipped", error=reason, timings={"total": 0.0}))

        def sink(item: tuple) -> None:
            worker, case, stage, state, detail = item
            emit(BatchEvent("stage", worker=worker, case=case, stage=stage, state=state, detail=detail))

        interrupted = False
        try:
            if runnable and engine == "ray":
                with closing(ray_outcomes(runnable, workers, options, ray_address, sink)) as outcomes:
                    for outcome in outcomes:
                        finish(outcome)
            elif runnable:
                context = multiprocessing.get_context("spawn")
                events = context.Queue()
                stop = threading.Event()
                import queue as queue_module

                threading.Thread(target=_drain, args=(events, queue_module.Empty, sink, stop), daemon=True).start()
                try:
                    with closing(local_outcomes(runnable, workers, options, out_dir / WORK_DIR, events)) as outcomes:
                        for outcome in outcomes:
                            finish(outcome)
                finally:
                    stop.set()
                    events.close()
                    events.join_thread()
        except KeyboardInterrupt:
            interrupted = True
        shutil.rmtree(out_dir / WORK_DIR, ignore_errors=True)
        if interrupted:
            notes.append("interrupted: cases in flight were not kept; rerun to finish (finished cases are reused)")
        listed = {case.name for case in cases}
        stray = sorted(p.name for p in cases_dir.iterdir() if not p.name.startswith(".") and p.name not in listed) \
            if cases_dir.is_dir() else []
        if stray:
            notes.append(f"{len(stray)} folder(s) in {cases_dir} belong to no current case (an older grouping): "
                         f"{', '.join(stray[:10])}")
        rows = index_rows(cases, records, keys, ran, rerun)
    return BatchReport(out_dir=out_dir, records=rows, notes=notes, seconds=round(time.perf_counter() - started, 1),
                       interrupted=interrupted)


class ProgressDisplay:
    """A live view on stderr: cases finished of those to run, with ETA, and one line per worker saying which case
    it has and which stage that case is in. Use as a context manager; pass the instance as `progress=`."""

    def __init__(self, console):
        from rich.console import Group
        from rich.live import Live
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self.console = console
        self.cases = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                              TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                              console=console)
        self.stages = Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console)
        self.live = Live(Group(self.cases, self.stages), console=console, refresh_per_second=4)
        self.overall = None
        self.lines: dict[str, int] = {}
        self.lock = threading.Lock()

    def __enter__(self) -> ProgressDisplay:
        self.live.start()
        return self

    def __exit__(self, *exc) -> None:
        for task in self.lines.values():
            self.stages.update(task, visible=False)
        self.live.stop()
        if not self.console.is_terminal:
            self.console.line()  # the last frame ends without one when not on a terminal

    def __call__(self, event: BatchEvent) -> None:
        from rich.markup import escape

        with self.lock:
            if event.kind == "plan":
                reused = f", {event.reused} already done" if event.reused else ""
                self.overall = self.cases.add_task(f"cases to run{reused}", total=event.total)
            elif event.kind == "finished" and self.overall is not None:
                self.cases.advance(self.overall)
                record = event.record or {}
                if record.get("status") != "done":
                    self.live.console.print(f"[yellow]{escape(record.get('status', ''))}[/yellow] "
                                            f"{escape(event.case)}: {escape(str(record.get('error', '')))}")
            elif event.kind == "stage":
                if event.worker not in self.lines:
                    self.lines[event.worker] = self.stages.add_task("")
                what = "idle" if event.stage == "end" else f"{event.case} · {event.stage} {event.detail}".strip()
                self.stages.update(self.lines[event.worker], description=escape(f"{event.worker}: {what}"[:150]))
