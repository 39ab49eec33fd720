"""brief: the whole line for one case, ingest -> generate -> verify -> repair -> render, with progress; its files are
one set.

Repair: the fields verify flags (unsupported or contradicted) go back to the draft stage as plain data
(verify.flagged_fields -> draft.repair): rewritten once with their evidence and checked again; what is still flagged
is replaced by its source sentence (or dropped) and checked again. Each check is the whole summary's (the verifier
remembers every pair it scored, so only changed text costs anything).

It only orchestrates: each stage's work lives in its own module. The CLI (`summarizer brief`) and the batch stage
both call `brief()`; they differ only in what they do with the progress events.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from summarizer import render
from summarizer.files import check_writable, write_set
from summarizer.ingest import DEFAULT_MAX_BYTES, load_sources
from summarizer.support import Calibration
from summarizer.verify import Status, VerifiedSummary

FORMATS = tuple(render.FILENAMES)
OUTPUT_MARGIN_BYTES = 1 << 20  # the claims, the page's styles and script: well under 1 MiB for any note


class BriefError(RuntimeError):
    """A case could not be briefed; `stage` says where, the message says why in words a user can act on."""

    def __init__(self, stage: str, message: str):
        self.stage, self.reason = stage, message
        super().__init__(f"{stage}: {message}")

    def __reduce__(self):  # so that it crosses from a child process intact (the CLI runs brief() in one)
        return BriefError, (self.stage, self.reason)


@dataclass(frozen=True)
class StageEvent:
    """One step of progress: a stage starts, reports how far it got, or is done (with its wall time)."""

    stage: str
    state: str  # "start" | "update" | "done"
    detail: str = ""
    seconds: float | None = None


Progress = Callable[[StageEvent], None]


@dataclass
class BriefResult:
    verified: VerifiedSummary
    paths: dict[str, Path]
    timings: dict[str, float] = field(default_factory=dict)

    def status_counts(self) -> Counter[Status]:
        """How many checked fields have each status."""
        return Counter(claim.status for claim in self.verified.claims)


class _Stage:
    def __init__(self, name: str, report: Progress):
        self.name, self.report, self.detail = name, report, ""

    def update(self, detail: str) -> None:
        self.detail = detail
        self.report(StageEvent(self.name, "update", detail))


@contextmanager
def _stage(name: str, report: Progress, timings: dict[str, float]) -> Iterator[_Stage]:
    """Time a stage, announce its start and end, and turn any failure into a BriefError naming the stage."""
    stage = _Stage(name, report)
    report(StageEvent(name, "start"))
    started = time.perf_counter()
    try:
        yield stage
    except BriefError:
        raise
    except Exception as err:  # one case's failure must become a message for the user or the batch, not a traceback
        raise BriefError(name, str(err) or type(err).__name__) from err
    timings[name] = round(time.perf_counter() - started, 3)
    report(StageEvent(name, "done", stage.detail, timings[name]))


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The requested formats, each once, in order; ValueError naming the choices for an unknown one."""
    formats = tuple(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in render.FILENAMES]
    if unknown or not formats:
        raise ValueError(f"unknown output format(s) {', '.join(unknown) or '(none given)'}; "
                         f"choose from: {', '.join(FORMATS)}")
    return formats


def write_outputs(verified: VerifiedSummary, out_dir: str | os.PathLike, formats: Iterable[str] = FORMATS
                  ) -> dict[str, Path]:
    """Render every requested format, then write them as one set: a failed render or write (a full disk) leaves
    the old files all untouched, never a new note beside an old summary.json."""
    texts = {fmt: render.RENDERERS[fmt](verified) for fmt in check_formats(formats)}
    paths = {fmt: Path(out_dir) / render.FILENAMES[fmt] for fmt in texts}
    write_set({paths[fmt]: text for fmt, text in texts.items()})
    return paths


def check_output_folder(out_dir: str | os.PathLike, sources) -> None:
    """Fail now, not after minutes of model work, when the note cannot be written: `out_dir` must take a new file
    and have room for about twice the sources as JSON (summary.json holds them all; brief.html shows them again)."""
    try:
        check_writable(out_dir, needed_bytes=2 * len(sources.model_dump_json()) + OUTPUT_MARGIN_BYTES)
    except OSError as err:
        raise BriefError("output", f"cannot write the note to {out_dir}: {err.strerror}; free some space or "
                                   "choose another --out") from err


def repaired(draft, verified: VerifiedSummary, sources, *, check: Callable, backend: str = "llamacpp",
             model: str = "generator", update: Callable[[str], None] = lambda detail: None):
    """(draft, verified) after repair: the flagged fields rewritten once by `model` with their evidence and checked
    again (the whole summary: `check` is verify, whose verifier remembers the pairs it scored); what is still flagged
    replaced by its source sentence (or dropped) and checked again."""
    from summarizer.draft import repair
    from summarizer.verify import flagged_fields

    flagged = first = len(flagged_fields(verified))
    for rewrite in (True, False):
        flags = flagged_fields(verified)
        if not flags:
            break
        update(f"{'rewriting' if rewrite else 'replacing by their source sentences'} {len(flags)} flagged "
               f"field{'s' if len(flags) > 1 else ''}")
        draft = repair(draft, sources, flags, backend=backend, model=model, rewrite=rewrite)
        update("checking the repaired fields")
        verified = check(draft)
        flagged = len(flagged_fields(verified))
    update(f"{first} flagged field{'s' if first != 1 else ''} repaired, {flagged} still flagged" if first
           else "nothing flagged")
    return draft, verified


def brief(folder: str | os.PathLike, out_dir: str | os.PathLike, *, model: str = "generator",
          backend: str = "llamacpp", formats: Iterable[str] = FORMATS, progress: Progress | None = None,
          judge: bool = False, calibration: Calibration | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
          writer: str | None = None) -> BriefResult:
    """Brief one case: read `folder` (files over `max_bytes` are skipped), draft with `model` on `backend` (with
    `writer` writing the free text and its repairs, when given), check every field (with the entailment judge too
    when `judge`; with `calibration` instead of calibration.toml when given), write the note files.

    Ingest and the output folder's check run first so that a folder with nothing readable, or an output folder that
    cannot take the note, fails in a second, before any model is loaded.
    Stage timings go into the run metadata (`meta.stages`), so the note and summary.json say how long it took.
    """
    formats = check_formats(formats)
    report = progress or (lambda event: None)
    timings: dict[str, float] = {}
    with _stage("ingest", report, timings) as stage:
        sources = load_sources(folder, max_bytes=max_bytes)
        if not sources.documents:
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in sources.skipped[:5]) or "the folder is empty"
            raise BriefError("ingest", f"no readable article in {folder} ({reasons})")
        stage.update(f"{len(sources.documents)} documents, {len(sources.canonical)} independent reports")
    check_output_folder(out_dir, sources)
    # The model runtimes and the embedder (torch) are imported only once there is something to brief.
    from summarizer.backends import load_backend
    from summarizer.draft import generate, model_info
    from summarizer.verify import verify

    with _stage("load model", report, timings) as stage:
        load_backend(backend, model)
        if writer:
            load_backend(backend, writer)
        stage.update(f"{model} on {backend}" + (f", {writer} writing" if writer else ""))
    with _stage("generate", report, timings) as stage:
        calls: list = []

        def on_call(call) -> None:
            calls.append(call)
            stage.update(f"{call.step} (call {len(calls)}, {sum(c.generated_tokens for c in calls)} tokens so far)")

        draft = generate(sources, model=model, backend=backend, on_call=on_call, writer=writer)
        stage.update(f"{draft.meta.generated_tokens} tokens in {len(draft.meta.calls)} calls")
    with _stage("verify", report, timings) as stage:
        reader = None
        if judge:
            from summarizer.judge import Judge

            stage.update("the entailment judge reads each source")
            reader = Judge.load(backend)
        verified = verify(draft.summary, sources, meta=draft.meta, judge=reader, calibration=calibration)
        stage.update(f"{len(verified.claims)} fields checked" + (" (with the entailment judge)" if judge else ""))
    with _stage("repair", report, timings) as stage:
        draft, verified = repaired(
            draft, verified, sources, backend=backend, model=writer or model, update=stage.update,
            check=lambda d: verify(d.summary, sources, meta=d.meta, judge=reader, calibration=calibration))
    # verify's default evidence search is the pinned embedder; the note names it next to the generator.
    meta = (verified.meta or draft.meta).model_copy(
        update={"stages": dict(timings), "embedder": model_info("embedder", "sentence-transformers"),
                "judge": model_info(reader.backend.role, backend) if reader else None})
    verified = verified.model_copy(update={"meta": meta})
    with _stage("render", report, timings) as stage:
        paths = write_outputs(verified, out_dir, formats)
        stage.update(f"{len(paths)} files in {out_dir}")
    return BriefResult(verified=verified, paths=paths, timings=timings)
