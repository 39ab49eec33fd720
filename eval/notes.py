"""Notes on a multi-kind dev set: what `brief` writes for storms, elections, court rulings, deals, protests, shootings.

    python -m eval notes                       # the 27 dev cases and the seeds (~40-60 s a brief on 2 cores)
    python -m eval notes --only seeds --only protest-jordan-amman --no-write
    python -m eval notes --writer generator-large   # generator chooses, generator-large writes (issue 17)
    python -m eval notes --from-results out/eval-notes/results.json   # re-score and re-table a saved run, no model

The dev set is eval/data/notes_dev.jsonl: one case per line, each one article (or a GVA incident's articles, or the
seeds folder) about one concrete event, read from ../shared/eval-data at run time (file + id or line, with a
checksum of the text) and a small gold written by hand from the article: the event type(s) that fit, the date
("not stated" when the text gives only a weekday), the place (any-of strings), 1-3 words a correct headline
contains, the key figures with who reported them, and the central named actors. `why` says what was tricky.

Each case is written into `--out`/<case id>/: input/ (the articles as brief read them), brief.md, brief.html,
summary.json (brief's own files) and metrics.json. A case's folder is emptied before it runs, so nothing stale is
left beside a new note; the run's rows go to `--out`/results.json. Measured per case, from the VerifiedSummary
that the note is rendered from:

- flagged: claims the note shows as unsupported or contradicted (render's FLAGGED), listed; contested and
  not-stated fields are not flagged.
- gold figures found: a summary figure of the gold kind and value (the value read from the figure's words, so
  'thirty' = 30, else value_min..value_max); reporter matched separately (a gold reporter word in reported_by).
- duplicate figures: figure rows with the same (kind, group, reporter, value); groups normalised by the checker's
  noun classes (inmates = prisoners, officers = police, people = persons) or else their head word, singular.
- actors that are not names: see `is_name` for the rule.
- headline / date / place / event type correct: see `headline_correct`, `date_correct`, `place_correct`; a
  headline is correct only when it also is not flagged.
- crashes: any exception from brief(), with its message; the run goes on. A crashed case counts as wrong on every
  field and as finding no gold figure.

Before and after: eval/data/notes_dev_before.json is the run on the code before issue 17 (its rows as scored then;
the notes themselves are not committed, since they quote the eval data). Each later run prints its totals beside
it, over the cases both runs briefed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from eval.events import EVAL_DATA, incident_records
from summarizer.checks import numbers
from summarizer.schema import Actor, EventDate, Figure, Location

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEV = HERE / "data" / "notes_dev.jsonl"
BASELINE = HERE / "data" / "notes_dev_before.json"
OUT = REPO / "out" / "eval-notes"
SECTION = "Notes on the multi-kind dev set"
NOT_STATED = "not stated"
MARKER = ".eval-notes-case"  # a case folder the harness made: the only kind it empties

# --- the dev set ---------------------------------------------------------------------------------------------------


def load_cases(path: Path = DEV) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _rows_of(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def case_articles(case: dict, data: Path = EVAL_DATA, repo: Path = REPO) -> list[dict]:
    """The case's articles as records (title, text, date, url), or [{'folder': path}] for a folder case.

    Raises ValueError when the stored text no longer has the checksum the gold was written against.
    """
    source = case["source"]
    if "folder" in source:
        return [{"folder": str(repo / source["folder"])}]
    rows = _rows_of(data / source["file"])
    if "line" in source:
        row = rows[source["line"]]
    else:
        row = next((r for r in rows if str(r[source["key"]]) == source["id"]), None)
        if row is None:
            raise ValueError(f"{case['id']}: no {source['key']} {source['id']} in {source['file']}")
    if "documents" in row:  # a GVA incident: every article with its title, date and address
        records = incident_records(row)
    else:  # FRANK / QAGS: the article text only (no title or publication date is known)
        records = [{"title": None, "text": row["article"], "date": None, "url": None}]
    digest = hashlib.sha1("\n".join(r["text"] or "" for r in records).encode()).hexdigest()[:12]
    if source.get("sha1") and digest != source["sha1"]:
        raise ValueError(f"{case['id']}: the text in {source['file']} changed (sha1 {digest}, gold written "
                         f"against {source['sha1']})")
    return records


def materialise(case: dict, records: list[dict], folder: Path) -> Path:
    """Write the case's articles into `folder` the way a user would hand them to `summarizer brief`: the seeds'
    files as they are, a GVA incident as one JSONL file (ingest's record reader, so each article keeps its date),
    a FRANK/QAGS article as a .txt."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(records) == 1 and "folder" in records[0]:
        for path in sorted(Path(records[0]["folder"]).iterdir()):
            if path.is_file():
                shutil.copyfile(path, folder / path.name)
    elif any(r.get("date") or r.get("title") for r in records):
        lines = [json.dumps(r, ensure_ascii=False) for r in records]
        (folder / f"{case['id']}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        for n, record in enumerate(records, 1):
            (folder / f"article{n}.txt").write_text(record["text"], encoding="utf-8")
    return folder


# --- metrics (pure: they read schema objects, no model) -------------------------------------------------------------

# Words that never make an actor a name: determiners, pronouns, quantifiers, connectives, titles and generic role
# nouns. "Police" alone, "officials", "Our correspondent", "Most", "The prime minister" are not names; "Miami
# Police", "Iraqi officials", "Lady Wolffe", "PKK" are.
NOT_NAME_WORDS = frozenset("""
a an the this that these those some most many several all both each every other others another any few no none
such same it its they them their he she his her him we our us you your i my me who whom whose which one ones
of and or in at for on to from by with near over after before under against into about as
thousands hundreds dozens millions scores number
local unnamed unidentified anonymous unknown senior junior former acting deputy chief head top
mr mrs ms miss dr sir lord lady dame prof professor president vice prime minister ministers secretary chairman
chairwoman chair judge judges justice mayor governor king queen prince princess captain sheriff detective
lieutenant lt sgt sergeant col colonel general gen brigadier commander officer officers trooper
official officials authority authorities police policeman policemen cops spokesman spokeswoman spokesperson
spokespeople correspondent reporter reporters journalist journalists witness witnesses eyewitness eyewitnesses
resident residents people person persons man men woman women boy boys girl girls child children victim victims
suspect suspects gunman gunmen attacker attackers shooter militant militants soldier soldiers troops forces army
military government governments source sources agency group groups member members family families relative relatives
friend friends neighbour neighbours neighbor neighbors student students prisoner prisoners inmate inmates guard
guards staff worker workers employee employees driver drivers passenger passengers crew protester protesters
demonstrator demonstrators leader leaders party parties team teams club company firm firms organisers organizers
investigators prosecutors prosecution defence defense lawyer lawyers court jury emergency services rescuers
security rescue medical paramedics firefighters doctors hospital hospitals state federal
arrest warrant report reports statement statements video footage documents records media news post posts website
""".split())


# Words that make an "actor" a piece of a sentence, not a name: 'But yesterday judges', 'Meanwhile motoring
# groups', 'His left-wing social democrat party (psd) had'.
FRAGMENT_WORDS = frozenset("""
had has have was were is are be been being said says told will would could should may might
but however meanwhile yesterday today tonight also then when while if because though although
""".split())


def is_name(name: str, lowercased: bool = False) -> bool:
    """A name has no FRAGMENT_WORDS and at least one word that is capitalised (or all-caps, or with a capital after
    a hyphen or apostrophe: 'al-Douri', "O'Neill") and is not in NOT_NAME_WORDS. On a case whose source text is all
    lower case (the QAGS articles), capitalisation is not asked for: any word outside NOT_NAME_WORDS will do."""
    tokens = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", name)
    if any(t.lower() in FRAGMENT_WORDS for t in tokens):
        return False
    for token in tokens:
        bare = re.sub(r"['’]s$", "", token)
        if bare.lower() in NOT_NAME_WORDS:
            continue
        if lowercased or any(part[:1].isupper() for part in re.split(r"['’-]", bare)):
            return True
    return False


def non_name_actors(actors: list[Actor], lowercased: bool = False) -> list[str]:
    return [a.name for a in actors if not is_name(a.name, lowercased)]


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def normalise_group(group: str | None) -> str:
    """'inmates' and 'prisoners' -> 'prisoners'; 'police officers', 'officers', 'policemen' -> 'police'; 'people',
    'persons', 'victims' -> 'generic'; anything else -> its last word, singular ('vehicles' -> 'vehicle')."""
    words = re.findall(r"[a-z]+", (group or "").lower())
    if not words:
        return ""
    return numbers.noun_class(" ".join(words)) or _singular(words[-1])


def normalise_reporter(reporter: str | None) -> str:
    text = re.sub(r"^(?:according to|as reported by|reported by)\s+", "", (reporter or "").strip().lower())
    text = re.sub(r"^the\s+", "", text)
    return " ".join(re.findall(r"[\w'’-]+", text))


def figure_value(figure: Figure) -> float:
    """The number the note shows: read from the figure's words ('thirty' -> 30, 'more than 50' -> 50), else
    value_min."""
    written = numbers.extract(figure.text or "")
    return written[0].value_min if written else float(figure.value_min)


def figure_key(figure: Figure) -> tuple[str, str, str, float]:
    return (figure.kind.value, normalise_group(figure.group), normalise_reporter(figure.reported_by),
            figure_value(figure))


def duplicate_figures(figures: list[Figure]) -> list[dict]:
    """Each (kind, group, reporter, value) given by more than one figure row, with how many extra rows repeat it."""
    counts = Counter(figure_key(f) for f in figures)
    return [{"kind": k[0], "group": k[1], "reporter": k[2], "value": k[3], "extra": n - 1}
            for k, n in counts.items() if n > 1]


def _alternatives(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def date_correct(date: EventDate | None, gold) -> bool:
    """Exact ISO match (a month-precision '2015-05' is not '2015-05-08'), or no date where the gold says 'not
    stated'. `gold` is one value or a list of acceptable ones."""
    accepted = _alternatives(gold)
    if date is None:
        return NOT_STATED in accepted
    return date.value in accepted


def place_correct(location: Location | None, gold) -> bool:
    """Any gold string is a case-insensitive substring of 'place, region, country'; 'not stated' in the gold
    accepts a summary with no location."""
    accepted = _alternatives(gold)
    named = [p for p in ((location.place, location.region, location.country) if location else ()) if p]
    if not named:
        return NOT_STATED in accepted
    where = ", ".join(named).casefold()
    return any(g.casefold() in where for g in accepted if g != NOT_STATED)


def _has_term(text: str, term: str) -> bool:
    """`term` starts a word of `text` (case-insensitive): 'flood' is in 'Flooding', 'PM' is not in 'development'."""
    return re.search(r"(?<!\w)" + re.escape(term.casefold()), text.casefold()) is not None


def headline_correct(headline: str, groups: list[list[str]]) -> bool:
    """Every group has a term in the headline (most cases have one group of any-of words)."""
    return all(any(_has_term(headline, term) for term in group) for group in groups)


def _value_matches(figure: Figure, value: float) -> bool:
    if figure_value(figure) == value or figure.value_min == value:
        return True
    return figure.value_max is not None and figure.value_min <= value <= figure.value_max


def gold_figures_found(figures: list[Figure], gold: list[dict]) -> list[dict]:
    """Per gold figure: found (a figure of one of its kinds with its value) and, when the gold names who reported
    it, whether one of those figures has a reported_by containing one of the gold's reporter words."""
    out = []
    for g in gold:
        kinds = _alternatives(g["kind"])
        matches = [f for f in figures if f.kind.value in kinds and _value_matches(f, g["value"])]
        reporter = None
        if g.get("reporter"):
            reporter = any(any(alt.casefold() in (f.reported_by or "").casefold() for alt in g["reporter"])
                           for f in matches)
        out.append({"gold": f"{'/'.join(kinds)} {g['value']} {g['group']}", "found": bool(matches),
                    "reporter": reporter})
    return out


def actors_found(actors: list[Actor], gold: list[list[str]]) -> list[bool]:
    return [any(alt.casefold() in a.name.casefold() for a in actors for alt in alts) for alts in gold]


def flagged_claims(verified) -> list[dict]:
    """The claims the note shows as flagged (render's FLAGGED: unsupported, contradicted)."""
    from summarizer.render.filters import FLAGGED

    return [{"pointer": c.pointer, "status": c.status.value, "text": c.text} for c in verified.claims
            if c.status in FLAGGED]


def score_case(verified, case: dict) -> dict:
    """Every metric of one case from the VerifiedSummary its note is rendered from."""
    summary, gold, lowercased = verified.summary, case["gold"], case.get("lowercased", False)
    location, flagged = summary.location, flagged_claims(verified)
    scores = {
        "predicted": {
            "headline": summary.headline, "event_type": summary.event_type.value,
            "date": summary.date.value if summary.date else NOT_STATED,
            "place": ", ".join(p for p in (location.place, location.region, location.country) if p) if location
            else NOT_STATED,
            "figures": [f"{f.kind.value}: {f.text} {f.group}" + (f" ({f.reported_by})" if f.reported_by else "")
                        for f in summary.figures],
            "actors": [f"{a.name} ({a.role.value})" for a in summary.actors],
            "bottom_line": summary.bottom_line,
        },
        "flagged": flagged,
        "statuses": dict(Counter(c.status.value for c in verified.claims)),
        "gold_figures": gold_figures_found(summary.figures, gold.get("figures", [])),
        "duplicates": duplicate_figures(summary.figures),
        "non_names": non_name_actors(summary.actors, lowercased),
        "actors_found": actors_found(summary.actors, gold.get("actors", [])),
        "headline_terms": headline_correct(summary.headline, gold["headline_must"]),
        "headline_flagged": any(f["pointer"] == "/headline" for f in flagged),
        "date_ok": date_correct(summary.date, gold["date"]),
        "place_ok": place_correct(location, gold["place"]) if "place" in gold else None,
        "event_type_ok": summary.event_type.value in case["event_type"],
    }
    # A headline is correct when it names the event (a gold term) and the note does not flag it: "Attack in Boparan
    # on 2004" has the buyer's name but is no headline for a company sale.
    scores["headline_ok"] = scores["headline_terms"] and not scores["headline_flagged"]
    return scores


# --- running -------------------------------------------------------------------------------------------------------


def _case_folder(out: Path, case_id: str) -> Path:
    """`out`/<id>, emptied: only a folder this harness made (it holds MARKER) is ever removed."""
    folder = out / case_id
    if folder.exists():
        if not (folder / MARKER).exists():
            raise SystemExit(f"{folder} exists and was not made by eval notes; choose another --out")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("made by python -m eval notes; emptied on every run\n", encoding="utf-8")
    return folder


def run_case(case: dict, records: list[dict], out: Path, model: str, backend: str, writer: str | None = None) -> dict:
    import summarizer

    folder = _case_folder(out, case["id"])
    inputs = materialise(case, records, folder / "input")
    row = {"id": case["id"], "set": case.get("set", "dev"), "kind": case["kind"]}
    started = time.perf_counter()
    try:
        result = summarizer.brief(inputs, folder, model=model, backend=backend, writer=writer)
    except Exception as err:  # one case's crash is a measurement: count it, keep its message, go on
        row["crash"] = f"{type(err).__name__}: {err}"
        row["traceback"] = traceback.format_exc(limit=8)
    else:
        row.update(score_case(result.verified, case))
        row["stages"] = result.timings
    row["seconds"] = round(time.perf_counter() - started, 1)
    (folder / "metrics.json").write_text(json.dumps(row, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return row


# --- totals and tables ---------------------------------------------------------------------------------------------


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} ({k / n:.0%})" if n else "-"


def totals(rows: list[dict]) -> dict:
    """One set's totals; a crashed case is wrong on every field and finds no gold figure."""
    ok = [r for r in rows if "crash" not in r]
    gold = [g for r in rows for g in r.get("gold_figures", [])]
    crashed_gold = sum(r.get("gold_figure_count", 0) for r in rows if "crash" in r)
    reporters = [g["reporter"] for g in gold if g["reporter"] is not None]
    placed = [r for r in rows if r.get("place_ok") is not None or ("crash" in r and r.get("has_place_gold"))]
    return {
        "cases": len(rows),
        "crashes": len(rows) - len(ok),
        "flagged": sum(len(r["flagged"]) for r in ok),
        "cases_with_flags": sum(bool(r["flagged"]) for r in ok),
        "gold_found": sum(g["found"] for g in gold),
        "gold_total": len(gold) + crashed_gold,
        "reporter_found": sum(reporters),
        "reporter_total": len(reporters) + sum(r.get("gold_reporter_count", 0) for r in rows if "crash" in r),
        "duplicates": sum(d["extra"] for r in ok for d in r["duplicates"]),
        "non_names": sum(len(r["non_names"]) for r in ok),
        "actors_found": sum(sum(r["actors_found"]) for r in ok),
        "actors_total": sum(r["gold_actor_count"] for r in rows),
        "headline_ok": sum(bool(r.get("headline_ok")) for r in rows),
        "date_ok": sum(bool(r.get("date_ok")) for r in rows),
        "place_ok": sum(bool(r.get("place_ok")) for r in placed),
        "place_total": len(placed),
        "event_type_ok": sum(bool(r.get("event_type_ok")) for r in rows),
        "seconds": round(sum(r["seconds"] for r in rows) / len(rows), 1) if rows else 0.0,
    }


TOTAL_COLUMNS = ("set | cases | crashes | flagged fields (cases with any) | gold figures found | their reporter | "
                 "duplicate figures | actors not names | headline ok | date ok | place ok | event type ok | "
                 "gold actors named | s / brief")


def total_row(name: str, t: dict) -> str:
    return (f"| {name} | {t['cases']} | {t['crashes']} | {t['flagged']} ({t['cases_with_flags']}) | "
            f"{_pct(t['gold_found'], t['gold_total'])} | {_pct(t['reporter_found'], t['reporter_total'])} | "
            f"{t['duplicates']} | {t['non_names']} | {_pct(t['headline_ok'], t['cases'])} | "
            f"{_pct(t['date_ok'], t['cases'])} | {_pct(t['place_ok'], t['place_total'])} | "
            f"{_pct(t['event_type_ok'], t['cases'])} | {_pct(t['actors_found'], t['actors_total'])} | "
            f"{t['seconds']} |")


def _mark(value) -> str:
    return "-" if value is None else ("ok" if value else "**no**")


def case_row(r: dict) -> str:
    if "crash" in r:
        return f"| {r['id']} | {r['kind']} | {r['seconds']} | **crash** | | | | | | | | |"
    gold = r["gold_figures"]
    reporters = [g["reporter"] for g in gold if g["reporter"] is not None]
    p = r["predicted"]
    return (f"| {r['id']} | {r['kind']} | {r['seconds']} | {len(r['flagged'])} | "
            f"{sum(g['found'] for g in gold)}/{len(gold)} | {sum(reporters)}/{len(reporters)} | "
            f"{sum(d['extra'] for d in r['duplicates'])} | {len(r['non_names'])} | "
            f"{_mark(r['headline_ok'])} | {_mark(r['date_ok'])} {p['date']} | "
            f"{_mark(r['place_ok'])} {_cell(p['place'])} | {_mark(r['event_type_ok'])} {p['event_type']} |")


def _cell(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split()).replace("|", "/")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def details(rows: list[dict]) -> str:
    """What went wrong, case by case: crash messages, flagged fields, duplicates, non-name actors, misses."""
    lines = []
    for r in rows:
        if "crash" in r:
            lines.append(f"- **{r['id']}** crashed: `{_cell(r['crash'], 300)}`")
            continue
        found = []
        if r["flagged"]:
            found.append("flagged: " + "; ".join(f"[{f['status']}] {f['pointer']} \"{_cell(f['text'], 110)}\""
                                                   for f in r["flagged"]))
        if r["duplicates"]:
            found.append("duplicate figures: " + "; ".join(f"{d['kind']} {d['value']:g} {d['group']}"
                                                             f"{' (' + d['reporter'] + ')' if d['reporter'] else ''}"
                                                             f" x{d['extra'] + 1}" for d in r["duplicates"]))
        if r["non_names"]:
            found.append("actors not names: " + ", ".join(f"\"{n}\"" for n in r["non_names"]))
        missed = [g["gold"] for g in r["gold_figures"] if not g["found"]]
        if missed:
            found.append("gold figures missing: " + ", ".join(missed))
        why = "" if r["headline_ok"] else " (no gold term)" if not r["headline_terms"] else " (flagged)"
        found.insert(0, f"headline{why}: \"{_cell(r['predicted']['headline'], 120)}\"")
        lines.append(f"- **{r['id']}**: " + " — ".join(found))
    return "\n".join(lines)


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown CPU"
    return next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name:")),
                "unknown CPU")


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "summarizer", "prompts", "calibration.toml")
    return commit + ("+changes" if dirty else "")


def rescore(run: dict, folder: Path, cases: dict[str, dict]) -> int:
    """Score a saved run again from each case's summary.json (after a change to a metric or to the gold): no model.
    Returns how many rows were re-scored."""
    from summarizer.verify import VerifiedSummary

    done = 0
    for row in run["rows"]:
        path = folder / row["id"] / "summary.json"
        if "crash" in row or row["id"] not in cases or not path.is_file():
            continue
        verified = VerifiedSummary.model_validate_json(path.read_text(encoding="utf-8"))
        kept = {k: row[k] for k in ("id", "set", "kind", "seconds", "stages") if k in row}
        row.clear()
        row.update(kept)
        row.update(score_case(verified, cases[row["id"]]))
        done += 1
    return done


def annotate(rows: list[dict], cases: dict[str, dict]) -> None:
    """Gold counts a crashed row needs for the totals (it has no per-figure verdicts)."""
    for r in rows:
        gold = cases[r["id"]]["gold"] if r["id"] in cases else {}
        r["gold_figure_count"] = len(gold.get("figures", []))
        r["gold_reporter_count"] = sum(bool(g.get("reporter")) for g in gold.get("figures", []))
        r["gold_actor_count"] = len(gold.get("actors", []))
        r["has_place_gold"] = "place" in gold


def _load(run: dict) -> str:
    if run.get("load_note"):
        return run["load_note"]
    if len(run.get("load_avg", [])) == 2:
        return f"load average {run['load_avg'][0]} at the start, {run['load_avg'][1]} at the end"
    return "load not recorded"


def _writer(run: dict) -> str:
    return f" choosing, `{run['writer']}` writing" if run.get("writer") else ""


def report(run: dict, baseline: dict | None) -> str:
    rows = run["rows"]
    by_set = {name: [r for r in rows if r["set"] == name] for name in ("dev", "seeds")}
    briefed = [f"{len(by_set['dev'])} multi-kind dev cases"] if by_set["dev"] else []
    briefed += ["the seeds"] if by_set["seeds"] else []
    lines = [
        f"{' and '.join(briefed)} (`eval/data/notes_dev.jsonl`: FRANK validation and QAGS CNN/DM and XSum/BBC "
        "articles, GVA dev incidents; gold written by hand from each article), each briefed by `summarizer.brief` "
        f"(model `{run['model']}`{_writer(run)}, backend `{run['backend']}`) at code `{run['commit']}` on {run['date']}, one "
        "process, so the "
        f"first brief's time includes loading the models. CPU: {run['cpu']}, {run['cores']} cores, "
        f"{_load(run)} (times are comparable only on an idle machine). Metrics and the rule for each are in eval/notes.py's "
        "docstring; a crashed brief counts as wrong on every field. The notes are under the run's `--out` folder.",
        "",
        "| " + TOTAL_COLUMNS + " |",
        "|" + "---|" * len(TOTAL_COLUMNS.split(" | ")),
    ]
    lines += [total_row(name, totals(set_rows)) for name, set_rows in by_set.items() if set_rows]
    if baseline and (baseline["commit"], baseline["date"]) != (run["commit"], run["date"]):
        lines += ["", f"### Before and after (before: code `{baseline['commit']}`, {baseline['date']})", "",
                  "| " + TOTAL_COLUMNS + " |", "|" + "---|" * len(TOTAL_COLUMNS.split(" | "))]
        for name in ("dev", "seeds"):
            ran = {r["id"] for r in by_set[name]}  # the same cases on both sides, also after --only / --limit
            before = [r for r in baseline["rows"] if r["set"] == name and r["id"] in ran]
            if before:
                lines.append(total_row(f"{name}, before", totals(before)))
            if by_set[name]:
                lines.append(total_row(f"{name}, now", totals(by_set[name])))
    lines += ["", "### Per case", "",
              "| case | kind | s | flagged | gold figures | reporters | dup. figures | non-name actors | headline | "
              "date | place | event type |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [case_row(r) for r in rows]
    lines += ["", "### What went wrong, per case", "", details(rows) or "Nothing."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="generator", choices=("generator", "generator-large"))
    parser.add_argument("--writer", choices=("generator", "generator-large"),
                        help="the model that writes the free text while --model chooses (default: --model)")
    parser.add_argument("--backend", default="llamacpp", choices=("llamacpp", "transformers"))
    parser.add_argument("--cases", type=Path, default=DEV, help="the dev set (JSONL)")
    parser.add_argument("--data", type=Path, default=EVAL_DATA, help="the eval-data folder the cases point into")
    parser.add_argument("--limit", type=int, help="the first N cases of the dev set (the seeds are kept)")
    parser.add_argument("--only", action="append", metavar="ID", help="run only this case (repeatable)")
    parser.add_argument("--out", type=Path, default=OUT, help="where each case's note and metrics are kept")
    parser.add_argument("--baseline", type=Path, default=BASELINE,
                        help="an earlier results.json to compare against (default: the committed 'before' run)")
    parser.add_argument("--from-results", type=Path, metavar="RESULTS_JSON",
                        help="table a saved run (its results.json) instead of running the model")
    parser.add_argument("--no-write", action="store_true", help="print the table; leave eval/RESULTS.md alone")
    args = parser.parse_args(argv)

    cases = load_cases(args.cases)
    by_id = {c["id"]: c for c in cases}
    if args.from_results:
        run = json.loads(args.from_results.read_text(encoding="utf-8"))
        n = rescore(run, args.from_results.parent, by_id)
        print(f"re-scored {n} of {len(run['rows'])} cases from their summary.json", file=sys.stderr)
        run["rescored_by"] = f"python -m eval notes --from-results {args.from_results}"
        run["rescored"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        args.from_results.write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        if not args.data.is_dir():
            print(f"no eval data at {args.data}: this benchmark needs ../shared/eval-data (see its README)",
                  file=sys.stderr)
            return 2
        chosen = cases
        if args.only:
            unknown = [i for i in args.only if i not in by_id]
            if unknown:
                print(f"unknown case(s): {', '.join(unknown)}; see {args.cases}", file=sys.stderr)
                return 2
            chosen = [c for c in cases if c["id"] in args.only]
        elif args.limit is not None:
            dev = [c for c in cases if c.get("set", "dev") == "dev"][:args.limit]
            chosen = dev + [c for c in cases if c.get("set", "dev") != "dev"]
        try:  # every source is read and checked before any model is loaded
            records = {c["id"]: case_articles(c, args.data) for c in chosen}
        except (OSError, ValueError, KeyError, IndexError) as err:
            print(f"cannot read the dev set's sources: {err}", file=sys.stderr)
            return 2
        args.out.mkdir(parents=True, exist_ok=True)
        run = {"model": args.model, "writer": args.writer, "backend": args.backend, "commit": git_commit(), "cpu": cpu_model(),
               "cores": os.cpu_count(), "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
               "command": " ".join(["python", "-m", "eval", "notes", *(argv if argv is not None else sys.argv[1:])]),
               "load_avg": [round(os.getloadavg()[0], 1)], "rows": []}
        for n, case in enumerate(chosen, 1):
            row = run_case(case, records[case["id"]], args.out, args.model, args.backend, args.writer)
            run["rows"].append(row)
            summary = row.get("crash") or (f"flagged {len(row['flagged'])}, headline {_mark(row['headline_ok'])}, "
                                           f"date {_mark(row['date_ok'])} ({row['predicted']['date']}), place "
                                           f"{_mark(row['place_ok'])} ({row['predicted']['place']})")
            print(f"[{n}/{len(chosen)}] {case['id']} {row['seconds']} s: {summary}", file=sys.stderr, flush=True)
        run["load_avg"].append(round(os.getloadavg()[0], 1))
        (args.out / "results.json").write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
    annotate(run["rows"], by_id)
    baseline = None
    if args.baseline and args.baseline.is_file():
        baseline = json.loads(args.baseline.read_text(encoding="utf-8"))
        annotate(baseline["rows"], by_id)
    body = report(run, baseline)
    print(body)
    if not args.no_write:
        from eval.results import write_section

        command = run["command"] + (f"` (the briefs), re-scored by `{run['rescored_by']}" if run.get("rescored_by")
                                    else "")
        write_section(SECTION, body, command=command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
