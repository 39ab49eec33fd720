"""Event-field accuracy on Gun Violence Archive incidents: date, city, state, killed, injured vs the gold record.

    python -m eval.events --model generator --limit 20
    python -m eval.events --model generator-large --limit 20

Each incident's articles go through the product's own path (ingest's JSON-record reader, then generate), and each
field is compared by exact match after light normalisation (case, 'County'/'City of', US state abbreviations).
"Not stated" (the draft leaves the field empty) is counted apart from "wrong": the gold comes from the incident
database, and some values are in no article.

Killed and injured are the product's own count from the draft's figures (summarizer.casualties: each report counted
as GVA counts, then the count most reports give); a draft with no casualty figure says not stated.

Each run's per-incident results are cached under the summarizer cache (one file per model, strategy, backend and
sample), and the `## Event fields (GVA dev)` section of eval/RESULTS.md is rebuilt from every cached run of the
same sample, so running the two models one after the other gives one table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from summarizer.casualties import count_casualties
from summarizer.checks.entities import us_state
from summarizer.files import atomic_write
from summarizer.lock import cache_root
from summarizer.schema import EventSummary
from summarizer.sources import Sources

EVAL_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "eval-data"
DATA = EVAL_DATA / "events" / "gva_incidents_dev.jsonl"
FIELDS = ("date", "city", "state", "killed", "injured")
SECTION = "Event fields (GVA dev)"


def load_incidents(path: Path, limit: int) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line, _ in zip(fh, range(limit))]


def incident_records(incident: dict) -> list[dict]:
    """The incident's articles as the JSON records ingest reads: title, text, date (the article's), url."""
    return [{"title": d.get("title"), "text": d.get("text"), "date": d.get("dct"), "url": d.get("url")}
            for d in incident["documents"]]


def incident_sources(incident: dict, folder: Path):
    """The incident's articles as one JSONL file read by ingest (title, text, date, url per record)."""
    from summarizer.ingest import load_sources

    path = folder / f"{incident['incident_id']}.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in incident_records(incident)) + "\n", encoding="utf-8")
    return load_sources(path)


def _place(name: str | None) -> str | None:
    """Normalised for comparison. GVA writes a neighbourhood or 'county' in parentheses after the city or county it
    is in ('Chicago (Roseland)', 'Polk (county)'): the city or county is the field."""
    if not name:
        return None
    name = re.sub(r"\s*\([^)]*\)", "", name)
    name = re.sub(r"^(?:city|town|village) of\s+|\s+(?:county|parish|township|city)$", "", name.strip(), flags=re.I)
    return " ".join(name.casefold().replace(".", "").split())


def _state(name: str | None) -> str | None:
    return _place(us_state(name) or name) if name else None


def predictions(summary: EventSummary, sources: Sources) -> tuple[dict, dict]:
    """The scored fields, and where the state and the casualty counts came from (for reading the errors)."""
    location, date = summary.location, summary.date
    casualties = count_casualties(summary.figures, sources)
    predicted = {
        "date": date.value if date and date.precision.value == "day" else None,
        "city": location.place if location else None,
        "state": location.region if location else None,
        "killed": casualties.killed,
        "injured": casualties.injured,
    }
    basis = {"state": location.region_basis if location else None,
             "casualties": [f"{r.doc_id}: killed {r.killed.value} ({r.killed.rule} {' '.join(r.killed.sentence_ids)}), "
                            f"injured {r.injured.value} ({r.injured.rule} {' '.join(r.injured.sentence_ids)})"
                            for r in casualties.reports]}
    return predicted, basis


def gold(incident: dict) -> dict:
    return {"date": incident["date"], "city": incident["city_or_county"], "state": incident["state"],
            "killed": incident["num_killed"], "injured": incident["num_injured"]}


def verdict(field: str, predicted, expected) -> str:
    if predicted is None:
        return "not stated"
    if field == "city":
        return "correct" if _place(predicted) == _place(expected) else "wrong"
    if field == "state":
        return "correct" if _state(predicted) == _state(expected) else "wrong"
    return "correct" if predicted == expected else "wrong"


def run(incidents: list[dict], model: str, backend: str, strategy: str, free_text: bool) -> list[dict]:
    from summarizer.draft import GenerationError, generate

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n, incident in enumerate(incidents, 1):
            started = time.perf_counter()
            row = {"incident_id": incident["incident_id"], "gold": gold(incident)}
            try:
                sources = incident_sources(incident, Path(folder))
                draft = generate(sources, model, backend=backend, strategy=strategy, free_text=free_text)
                row["predicted"], row["basis"] = predictions(draft.summary, sources)
                row["tokens"] = draft.meta.prompt_tokens
            except GenerationError as err:
                row["predicted"], row["error"] = dict.fromkeys(FIELDS), str(err)
            row["seconds"] = round(time.perf_counter() - started, 1)
            row["verdicts"] = {f: verdict(f, row["predicted"][f], row["gold"][f]) for f in FIELDS}
            rows.append(row)
            print(f"[{n}/{len(incidents)}] {incident['incident_id']} {row['seconds']} s "
                  + " ".join(f"{f}={row['predicted'][f]!r}/{row['gold'][f]!r}" for f in FIELDS), file=sys.stderr)
    return rows


def table(runs: dict[str, dict]) -> str:
    lines = ["| model | strategy | backend | free text | n | " + " | ".join(FIELDS) + " | s / incident | errors |",
             "|---|---|---|---|---|" + "---|" * len(FIELDS) + "---|---|"]
    for run_ in runs.values():
        rows = run_["rows"]
        cells = []
        for f in FIELDS:
            counts = {v: sum(r["verdicts"][f] == v for r in rows) for v in ("correct", "wrong", "not stated")}
            cells.append(f"{counts['correct'] / len(rows):.0%} ({counts['correct']} ok, {counts['wrong']} wrong, "
                         f"{counts['not stated']} not stated)")
        seconds = sum(r["seconds"] for r in rows) / len(rows)
        errors = sum("error" in r for r in rows)
        lines.append(f"| {run_['model']} | {run_['strategy']} | {run_['backend']} | "
                     f"{'yes' if run_['free_text'] else 'no'} | {len(rows)} | "
                     + " | ".join(cells) + f" | {seconds:.0f} | {errors} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="generator", choices=("generator", "generator-large"))
    parser.add_argument("--backend", default="llamacpp", choices=("llamacpp", "transformers"))
    parser.add_argument("--strategy", default="sections", choices=("sections", "single"))
    parser.add_argument("--limit", type=int, default=20, help="the first N incidents of the dev file")
    parser.add_argument("--free-text", action="store_true",
                        help="also have the model write headline, claims and notes (slower; the scored fields do not "
                             "depend on them)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--no-write", action="store_true", help="print the table; leave eval/RESULTS.md alone")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no GVA dev data at {args.data}: this benchmark needs ../shared/eval-data (see its README)",
              file=sys.stderr)
        return 2
    incidents = load_incidents(args.data, args.limit)
    rows = run(incidents, args.model, args.backend, args.strategy, args.free_text)
    cache = cache_root() / "eval" / "events"
    key = f"{args.model}-{args.strategy}-{args.backend}-{'text' if args.free_text else 'choices'}-first{len(incidents)}"
    atomic_write(cache / f"{key}.json", json.dumps({"model": args.model, "strategy": args.strategy, "backend": args.backend,
                                                    "free_text": args.free_text, "rows": rows}))
    runs = {p.stem: json.loads(p.read_text()) for p in sorted(cache.glob(f"*-first{len(incidents)}.json"))}
    body = table(runs)
    print(body)
    if not args.no_write:
        from eval.results import write_section

        note = (f"First {len(incidents)} incidents of `gva_incidents_dev.jsonl`; exact match after normalising case, "
                "'County'/'City of' and US state abbreviations. Killed/injured: summarizer.casualties "
                "over the draft's figures (see eval/events.py). Each row was run by its own command "
                "(`python -m eval.events --model M --limit N`); the provenance below is the latest run's.")
        write_section(SECTION, f"{note}\n\n{body}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
