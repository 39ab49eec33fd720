"""The figures of the main event: one row per number per reporter, each keeping the value, group, reporter and sentence
it was read from, capped at the schema's limit with casualties first."""

from __future__ import annotations

from collections import Counter

from summarizer.anchors import FigureCandidate
from summarizer.checks import numbers
from summarizer.draft.limits import LIMITS
from summarizer.draft.text import norm
from summarizer.draft.valid import built
from summarizer.schema import Figure, FigureKind

KIND_RANK = {FigureKind.killed: 0, FigureKind.injured: 0, FigureKind.shot: 0, FigureKind.escaped: 1, FigureKind.freed: 1,
             FigureKind.arrested: 1, FigureKind.missing: 1, FigureKind.held: 2, FigureKind.other: 3}
# Kinds that count the same people when one reporter gives one number for both: whoever was freed from a prison
# escaped it ("free 30 inmates" and "thirty ISIS members among those who escaped", both per Amaq).
SAME_PEOPLE_KINDS = {FigureKind.freed: FigureKind.escaped}
_NOT_IN_A_NAME = {"the", "a", "an", "its", "their", "s"}


def _kind_key(kind: FigureKind) -> FigureKind:
    return SAME_PEOPLE_KINDS.get(kind, kind)


_DIRECTION = {"more_than": ">", "at_least": ">=", "less_than": "<", "at_most": "<="}


def _values_fit(a: FigureCandidate, b: FigureCandidate) -> bool:
    """'thirty' and '30' are one value, and so are 'at least 56' and '56' (a bound that takes the number in); 'more
    than 30' is another (the qualifier's direction is part of it)."""
    directions = {_DIRECTION.get(a.qualifier, "="), _DIRECTION.get(b.qualifier, "=")}
    return (a.value_min, a.value_max) == (b.value_min, b.value_max) and (len(directions) == 1 or directions in (
        {"=", ">="}, {"=", "<="}))


def _groups_fit(a: str | None, b: str | None, value: int) -> bool:
    """The counted people can be the same: nouns of one class ('inmates', 'prisoners'), or a generic noun ('people',
    'members') or none on either side; two nouns outside the class table only when their heads are the same word.
    One person is the person described: 'a woman' and 'the suspect' are two."""
    if not a or not b:
        return value > 1 or a == b
    classes = {numbers.noun_class(a), numbers.noun_class(b)}
    if value > 1 and "generic" in classes:
        return True
    if None in classes:
        return _head(a) == _head(b)
    return len(classes) == 1


def _head(group: str) -> str:
    head = (norm(group).split() or [""])[-1]
    return head[:-1] if head.endswith("s") and not head.endswith("ss") else head


def _reporter_words(name: str | None) -> frozenset[str]:
    return frozenset(w for w in norm(name or "").split() if w not in _NOT_IN_A_NAME)


def _reporters_fit(a: str | None, b: str | None) -> bool:
    """One reporter, named fully or partly ('Amaq' and 'Amaq News Agency', 'ISIS' and 'the ISIS militant group');
    a figure no one is said to give fits any reporter."""
    x, y = _reporter_words(a), _reporter_words(b)
    return not x or not y or x <= y or y <= x


def _generic(group: str | None) -> bool:
    return not group or numbers.noun_class(group) == "generic"


def _restated(a: FigureCandidate, b: FigureCandidate) -> bool:
    """One sentence naming one count twice, once as a whole and once by its parts ('wounding six others - four women
    and two men'): with the same kind and value (checked by the caller), the sum of its parts is the same people."""
    return _enumerated(a.group) != _enumerated(b.group)


def _enumerated(group: str | None) -> bool:
    return " and " in f" {norm(group or '')} "


def _figure(c: FigureCandidate) -> Figure | None:
    """The row of one candidate; None, logged with the sentence id and why, when the schema cannot hold it (a value
    over its limit: 'supplies water to about 40 million people')."""
    return built(Figure, c.sentence_id, kind=c.kind, group=(c.group or "people")[:120], value_min=c.value_min,
                 value_max=c.value_max, text=c.text[:120] or str(c.value_min),
                 reported_by=c.reported_by[:120] if c.reported_by else None, citations=[c.sentence_id])


def merge_figures(candidates: list[FigureCandidate]) -> list[Figure]:
    """One row per (kind, group, reporter, value) across sources. The same count of the same people said again (in
    the same report or another, by the same reporter named fully or partly, or by a report that names no source)
    becomes a citation of the row, not a second row: 'thirty' and '30' are one value, 'inmates' and 'prisoners' one
    group, a generic noun ('people', 'members') fits any group, and escaped and freed are one kind. Different
    reporters, values or groups stay apart, and two counts of one sentence are one row only when one adds up the
    other's parts ('six others - four women and two men'; never 'five guards and 30 prisoners'); a part of a count of the same people ('including nine who ...') is no row. A candidate the schema cannot hold is dropped (logged). Capped at the schema's 12: precise before
    vague, casualties before escapes before the rest, and within those each reporter's first count of a kind before
    anyone's second (so one reporter's list cannot crowd out another's only count)."""
    merged: list[tuple[FigureCandidate, Figure]] = []
    members: list[list[FigureCandidate]] = []
    for c in candidates:
        if c.part_of is not None:  # 'including nine': part of a row, not one
            continue
        row = _figure(c)
        if row is None:
            continue
        same = next((i for i, group in enumerate(members)
                     if all(m.sentence_id != c.sentence_id or _restated(m, c) for m in group)
                     and all(_kind_key(m.kind) == _kind_key(c.kind) and _values_fit(m, c)
                             and _groups_fit(m.group, c.group, c.value_min) and _reporters_fit(m.reported_by, c.reported_by)
                             for m in group)),
                    None)
        if same is None:
            merged.append((c, row))
            members.append([c])
            continue
        first, f = merged[same]
        members[same].append(c)
        leads = (not first.reported_by and c.reported_by) or (  # the reported wording leads, then the specific group
            bool(first.reported_by) == bool(c.reported_by) and _generic(first.group) and not _generic(c.group))
        if leads:
            first, f = c, row.model_copy(update={"citations": [c.sentence_id] + f.citations})
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
