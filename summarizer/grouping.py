"""Which files make one event: subfolders are cases; loose files are grouped by what they report.

Grouping loose files (`cluster`, the default): each file's title and first sentences are embedded with the pinned
sentence embedder; two files' score is their cosine similarity plus `DATE_BONUS` when their leads name the same day
(within a day: "Monday" in one report, "May 9" in another); files are joined by complete-linkage agglomerative
clustering, so every pair inside a group scores at least `JOIN_THRESHOLD`. Complete linkage is chosen over average
linkage because merging two events is worse than splitting one: a merged case yields a note with invented
"contested" facts, a split one yields two notes of the same event. The numbers were tuned on the first half of the
GVA incidents in ../shared/eval-data and measured on the second (`python -m eval.grouping`, eval/RESULTS.md).
Places are not used: same-topic events in one city are common, and dates separate them better.

The grouping is written to `grouping.json` so a person can check it, move files between cases, rename cases, and
rerun: a saved grouping is honoured as written (see `read_grouping`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

from summarizer.files import atomic_write, stays_inside

GroupMode = Literal["folders", "cluster", "file"]
GROUP_MODES: tuple[str, ...] = ("folders", "cluster", "file")
JOIN_THRESHOLD = 0.625
DATE_BONUS = 0.15
DATE_TOLERANCE_DAYS = 1
LEAD_CHARS = 600  # about the 128 word pieces MiniLM reads well; the opening says what the event is
DATE_LEAD_CHARS = 1000
GROUPING_VERSION = 1


class GroupingError(ValueError):
    """A grouping file that cannot be used as written; the message says which entry and why."""


@dataclass(frozen=True)
class Link:
    """Why two files share a case: the score that joined them and its parts."""

    a: str
    b: str
    cosine: float
    date_bonus: float

    @property
    def score(self) -> float:
        return round(self.cosine + self.date_bonus, 4)


@dataclass(frozen=True)
class Case:
    """One event to summarize. `files` are relative to the batch input folder (posix), sorted.

    `root` is the folder the case's files are laid out from when the case is run (its subfolder, or "" for loose
    files), so a subfolder case reads exactly like `summarizer brief IN_DIR/<folder>`.
    """

    name: str
    files: tuple[str, ...]
    how: str  # "folder", "loose files", "cluster", "file", "unreadable", "grouping file"
    root: str = ""
    links: tuple[Link, ...] = field(default=())
    similarity: float | None = None  # the lowest score of any two files in the case (None: one file, or a folder)

    @property
    def _stripped(self) -> bool:
        return bool(self.root) and all(f.startswith(self.root + "/") for f in self.files)

    def layout(self) -> dict[str, str]:
        """Input path -> path inside the folder the pipeline reads: relative to `root` when every file is under
        it (so a subfolder case reads exactly like that folder), else relative to the batch input folder."""
        cut = len(self.root) + 1 if self._stripped else 0
        return {f: f[cut:] for f in self.files}

    def source_folder(self, in_dir: Path) -> Path:
        """The folder the layout's paths are relative to: what the note should name as the case's sources."""
        return in_dir / self.root if self._stripped else in_dir


def discover_cases(in_dir: str | Path, group: GroupMode = "cluster", exclude: tuple[Path, ...] = ()) -> list[Case]:
    """Subfolders of `in_dir` are cases; loose files at the top are grouped by `group`:

    cluster: by embedding similarity plus date agreement (see module docstring); folders: all loose files are one
    case named after `in_dir` (what `summarizer brief IN_DIR` would summarize); file: one case per file.
    Hidden entries and `exclude` (e.g. the output folder inside the input) are not read.
    """
    folders, loose = _scan(Path(in_dir), exclude)
    return unique_names(folders + group_loose(Path(in_dir), loose, group))


def plan_cases(in_dir: str | Path, group: GroupMode, saved: list[Case] | None,
               exclude: tuple[Path, ...] = ()) -> tuple[list[Case], list[str]]:
    """The cases to run and notes for the user: a saved (possibly hand-edited) grouping is kept as written, files
    that have gone are dropped from it, and files it does not list are added: into the saved case of their
    subfolder when there is one, otherwise grouped as `discover_cases` would."""
    root = Path(in_dir)
    if saved is None:
        return discover_cases(root, group, exclude), []
    folders, loose = _scan(root, exclude)
    present = {f for c in folders for f in c.files} | set(loose)
    listed = {f for c in saved for f in c.files}
    notes, cases = [], []
    for case in saved:
        kept = tuple(f for f in case.files if f in present)
        gone = [f for f in case.files if f not in present]
        if gone:
            notes.append(f"{case.name}: {len(gone)} listed file(s) no longer in {root}: {', '.join(gone)}")
        if kept or (not case.files and case.root and (root / case.root).is_dir()):
            cases.append(replace(case, files=kept))
        else:
            notes.append(f"{case.name}: dropped (none of its files are left)")
    by_root = {c.root: i for i, c in enumerate(cases) if c.root}
    for folder in folders:
        new = tuple(f for f in folder.files if f not in listed)
        if folder.root in by_root and new:
            i = by_root[folder.root]
            cases[i] = replace(cases[i], files=tuple(sorted(cases[i].files + new)))
            notes.append(f"{cases[i].name}: added {len(new)} new file(s) from its folder")
        elif folder.root not in by_root and (new or not folder.files) and len(new) == len(folder.files):
            cases.append(folder)
            notes.append(f"{folder.name}: new folder, added as a case")
        elif new:
            cases.append(replace(folder, files=new))
            notes.append(f"{folder.name}: {len(new)} new file(s) added as a case")
    new_loose = [f for f in loose if f not in listed]
    if new_loose:
        added = group_loose(root, new_loose, group)
        cases += added
        notes.append(f"{len(new_loose)} new loose file(s) grouped into {len(added)} new case(s)")
    return unique_names(cases), notes


def _scan(root: Path, exclude: tuple[Path, ...]) -> tuple[list[Case], list[str]]:
    """One case per visible subfolder (its files, recursively; maybe none) and the visible loose files."""
    excluded = {p.resolve() for p in exclude}
    entries = sorted(p for p in root.iterdir() if not p.name.startswith(".") and p.resolve() not in excluded)
    folders = []
    for folder in (p for p in entries if p.is_dir()):
        files = []
        for here, dirnames, filenames in os.walk(folder):  # symlinked folders inside are not followed, as in ingest
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and (Path(here) / d).resolve() not in excluded]
            files += [(Path(here) / n).relative_to(root).as_posix() for n in filenames if not n.startswith(".")]
        folders.append(Case(name=folder.name, files=tuple(sorted(files)), how="folder", root=folder.name))
    return folders, [p.name for p in entries if p.is_file()]


def group_loose(root: Path, files: list[str], group: GroupMode) -> list[Case]:
    if group not in GROUP_MODES:
        raise ValueError(f"unknown grouping {group!r}; choose one of: {', '.join(GROUP_MODES)}")
    if not files:
        return []
    if group == "folders":
        return [Case(name=root.resolve().name, files=tuple(files), how="loose files")]
    if group == "file":
        return [Case(name=Path(f).stem, files=(f,), how="file") for f in files]
    return cluster_files(root, files)


def cluster_files(root: Path, files: list[str]) -> list[Case]:
    """Group loose files into events; a file nothing can be read from becomes its own case (reported when run)."""
    import numpy as np

    from summarizer.ingest import load_sources

    leads, unreadable = {}, []
    for rel in files:
        sources = load_sources(root / rel)
        if sources.documents:
            leads[rel] = lead_of(sources.documents[0])
        else:
            unreadable.append(rel)
    cases = [Case(name=Path(rel).stem, files=(rel,), how="unreadable") for rel in unreadable]
    names = list(leads)
    if not names:
        return cases
    cosine, bonus = similarity_scores([leads[n] for n in names])
    score = cosine + bonus
    labels = complete_linkage(score, JOIN_THRESHOLD)
    for label in dict.fromkeys(labels):
        members = [i for i, lab in enumerate(labels) if lab == label]
        group_files = tuple(names[i] for i in members)
        cases.append(Case(
            name=Path(group_files[0]).stem,
            files=group_files,
            how="cluster" if len(members) > 1 else "file",
            links=_nearest_links(members, names, cosine, bonus),
            similarity=round(float(score[np.ix_(members, members)].min()), 4) if len(members) > 1 else None,
        ))
    return sorted(cases, key=lambda c: c.files)


@dataclass(frozen=True)
class Lead:
    text: str
    days: tuple[tuple[int | None, int, int], ...]


def lead_of(document) -> Lead:
    """Title and opening sentences (what the report is about) and the days its opening names."""
    title = (document.title or "").strip()
    parts, size = [title] if title else [], len(title)
    for sentence in document.sentences:
        if size >= DATE_LEAD_CHARS:
            break
        if sentence.text.strip() != title:
            parts.append(sentence.text)
            size += len(sentence.text) + 1
    full = "\n".join(parts)
    return Lead(text=full[:LEAD_CHARS], days=_days(full[:DATE_LEAD_CHARS], document.date))


def _days(text: str, doc_date: str | None) -> tuple[tuple[int | None, int, int], ...]:
    from summarizer.checks.dates import extract

    ref = None
    if doc_date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc_date):
        ref = date.fromisoformat(doc_date)
    found = set()
    for mention in extract(text, ref):
        if mention.precision == "day" and mention.value:
            year, month, day = mention.parts
            found.add((year, month, day))
    return tuple(sorted(found, key=lambda d: (d[0] or 0, d[1], d[2])))


def _same_day(a: tuple[int | None, int, int], b: tuple[int | None, int, int]) -> bool:
    """Within DATE_TOLERANCE_DAYS; a day without a year ("May 9") is compared in the other's year."""
    year = a[0] or b[0] or 2000
    if a[0] and b[0] and a[0] != b[0]:
        year_a, year_b = a[0], b[0]
    else:
        year_a = year_b = year
    try:
        return abs((date(year_a, a[1], a[2]) - date(year_b, b[1], b[2])).days) <= DATE_TOLERANCE_DAYS
    except ValueError:  # Feb 29 in a year without it
        return False


def similarity_scores(leads: list[Lead]):
    import numpy as np

    from summarizer.embed import Embedder

    vectors = Embedder.load().encode([lead.text for lead in leads])
    cosine = np.clip(vectors @ vectors.T, -1.0, 1.0)
    n = len(leads)
    bonus = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        for j in range(i + 1, n):
            if any(_same_day(x, y) for x in leads[i].days for y in leads[j].days):
                bonus[i, j] = bonus[j, i] = DATE_BONUS
    return cosine, bonus


def complete_linkage(score, threshold: float) -> list[int]:
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering

    if len(score) == 1:
        return [0]
    distance = np.clip(1.0 - score, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="complete", distance_threshold=1.0 - threshold
    )
    return [int(label) for label in model.fit(distance).labels_]


def _nearest_links(members: list[int], names: list[str], cosine, bonus) -> tuple[Link, ...]:
    """For each file after the first, its best-scoring partner earlier in the case: a readable reason per file."""
    links = []
    for pos, i in enumerate(members[1:], start=1):
        j = max(members[:pos], key=lambda k: cosine[i, k] + bonus[i, k])
        links.append(Link(a=names[j], b=names[i], cosine=round(float(cosine[i, j]), 4),
                          date_bonus=round(float(bonus[i, j]), 4)))
    return tuple(links)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A case name usable as a folder name anywhere: letters, digits, '.', '_', '-'; no leading dot."""
    cleaned = _UNSAFE.sub("-", name).strip("-.")[:80]
    return cleaned or "case"


def unique_names(cases: list[Case]) -> list[Case]:
    """Folder-safe, distinct names (a second 'x' becomes 'x-2'), keeping the order."""
    seen: set[str] = set()
    out = []
    for case in cases:
        base = safe_name(case.name)
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            name = f"{base}-{n}"
        seen.add(name.lower())
        out.append(replace(case, name=name))
    return out


def write_grouping(path: Path, cases: list[Case], *, in_dir: Path, mode: str) -> None:
    """grouping.json: every case, its files, and the similarity that joined them, for a person to check and edit."""
    data = {
        "version": GROUPING_VERSION,
        "in_dir": str(in_dir),
        "mode": mode,
        "join_threshold": JOIN_THRESHOLD,
        "date_bonus": DATE_BONUS,
        "how_to_edit": "Move file paths between cases, rename cases, split or merge them, then rerun the batch "
                       "(this file is reused; --grouping FILE uses another). Paths are relative to in_dir.",
        "cases": [
            {
                "name": c.name,
                "how": c.how,
                "root": c.root,
                "files": list(c.files),
                "similarity": c.similarity,
                "links": [asdict(link) | {"score": link.score} for link in c.links],
            }
            for c in cases
        ],
    }
    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_grouping(path: Path, in_dir: Path) -> tuple[str, list[Case]]:
    """The mode and cases of a grouping file, validated against `in_dir`: every file appears once and, as written,
    stays inside the folder; names are distinct. A hand-written file needs only `cases: [{name, files}]`. Files that
    no longer exist are dropped later, by `plan_cases`, with a note; where a listed path leads (a symlink out of the
    folder) is judged when it is read, so the reason lands in its case's record and every grouping.json batch
    writes is one it accepts."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise GroupingError(f"cannot read grouping file {path}: {err}") from err
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise GroupingError(f"{path}: expected an object with a 'cases' list")
    cases, owner = [], {}
    for n, entry in enumerate(data["cases"], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                or not isinstance(entry.get("files"), list):
            raise GroupingError(f"{path}: case #{n} needs a 'name' (text) and 'files' (a list of paths)")
        name = entry["name"]
        if safe_name(name) != name:
            raise GroupingError(f"{path}: case name {name!r} is not folder-safe (use letters, digits, '.', '_', '-'; "
                                f"e.g. {safe_name(name)!r})")
        for rel in entry["files"]:
            if not isinstance(rel, str) or not stays_inside(in_dir / rel, in_dir):
                raise GroupingError(f"{path}: case {name!r} lists {rel!r}, which is not a path inside {in_dir}")
            if rel in owner:
                raise GroupingError(f"{path}: {rel!r} is in both case {owner[rel]!r} and case {name!r}")
            owner[rel] = name
        if name.lower() in {c.name.lower() for c in cases}:
            raise GroupingError(f"{path}: two cases are named {name!r}")
        root = entry.get("root") if isinstance(entry.get("root"), str) else ""
        links = tuple(Link(x["a"], x["b"], x["cosine"], x["date_bonus"]) for x in entry.get("links") or []
                      if isinstance(x, dict) and {"a", "b", "cosine", "date_bonus"} <= x.keys())
        similarity = entry.get("similarity") if isinstance(entry.get("similarity"), (int, float)) else None
        cases.append(Case(name=name, files=tuple(sorted(entry["files"])), how=entry.get("how") or "grouping file",
                          root=root, links=links, similarity=similarity))
    return str(data.get("mode") or "grouping file"), cases
