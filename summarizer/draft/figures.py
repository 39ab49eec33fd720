"""The figures of the main event: one row per number per reporter, each keeping the value, group, reporter and sentence
it was read from, capped at the schema's limit with casualties first."""

from __future__ import annotations

from collections import Counter

from summarizer.anchors import FigureCandidate
from summarizer.draft.limits import LIMITS
from summarizer.draft.text import norm
from summarizer.schema import Figure, FigureKind

# Group nouns that count the same people, for merging one number said twice.
GROUP_SYNONYMS = {"inmate": "prisoner", "convict": "prisoner", "detainee": "prisoner", "officer": "police",
                  "policeman": "police", "policemen": "police", "cop": "police", "person": "people"}
KIND_RANK = {FigureKind.killed: 0, FigureKind.injured: 0, FigureKind.shot: 0, FigureKind.escaped: 1, FigureKind.freed: 1,
             FigureKind.arrested: 1, FigureKind.missing: 1, FigureKind.held: 2, FigureKind.other: 3}


def _group_key(group: str) -> str:
    head = (norm(group).split() or [""])[-1]
    head = head[:-1] if head.endswith("s") and not head.endswith("ss") else head
    return GROUP_SYNONYMS.get(head, head)


def _figure(c: FigureCandidate) -> Figure:
    return Figure(kind=c.kind, group=(c.group or "people")[:120], value_min=c.value_min, value_max=c.value_max,
                  text=c.text[:120], reported_by=c.reported_by[:120] if c.reported_by else None,
                  citations=[c.sentence_id])


def merge_figures(candidates: list[FigureCandidate]) -> list[Figure]:
    """One row per number per reporter. The same count of the same people said again (in the same report, or by a
    report that names no source) becomes a citation of the row, not a second row; different reporters stay apart.
    Capped at the schema's 12: precise before vague, casualties before escapes before the rest, and within those each
    reporter's first count of a kind before anyone's second (so one reporter's list cannot crowd out another's only
    count)."""
    merged: list[tuple[FigureCandidate, Figure]] = []
    for c in candidates:
        same = next((i for i, (first, f) in enumerate(merged)
                     if (f.kind, f.value_min, f.value_max) == (c.kind, c.value_min, c.value_max)
                     and _group_key(f.group) == _group_key(c.group or "people")
                     and (not f.reported_by or not c.reported_by or norm(f.reported_by) == norm(c.reported_by))),
                    None)
        if same is None:
            merged.append((c, _figure(c)))
            continue
        first, f = merged[same]
        if not f.reported_by and c.reported_by:  # the reported wording leads
            first, f = c, _figure(c).model_copy(update={"citations": [c.sentence_id] + f.citations})
        else:
            f = f.model_copy(update={"citations": f.citations + [c.sentence_id]})
        merged[same] = (first, f.model_copy(update={"citations": list(dict.fromkeys(f.citations))[:4]}))
    seen: Counter = Counter()
    turn = []  # 0 for the first figure of its kind from its reporter, 1 for the second...
    for _, f in merged:
        key = (f.kind, norm(f.reported_by or ""))
        turn.append(seen[key])
        seen[key] += 1
    ranked = sorted(range(len(merged)), key=lambda i: (merged[i][0].vague, not merged[i][0].group,
                                                       KIND_RANK[merged[i][1].kind], turn[i], i))
    kept = sorted(ranked[: LIMITS["figures"]], key=lambda i: (KIND_RANK[merged[i][1].kind], i))
    return [merged[i][1] for i in kept]
