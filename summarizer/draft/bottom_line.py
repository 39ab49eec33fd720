"""The bottom line up front, composed from the summary's own facts, not written by the model.

What an analyst reads first is what happened, where and when, the toll as each source gives it with who gives it,
and who claims (or denies) responsibility: "Prison break in Al-Khalis, Diyala, Iraq, on 8 May 2015: 12 police
officers and 50 inmates were killed according to Iraqi officials, five guards and 30 prisoners according to Brigadier
General Saad Maan Ibrahim. ISIS claimed responsibility." Every part of it is a field the checker checks on its own
(event type, date, location, figures, actors, claims), so the sentence is as good as those checks: verify gives it
the status of the fields it was composed from (it fuses several reports, which no single report states as such), and
the repair step composes it again from the fields that passed. The model wrote this line before; on the seeds it wrote
an op-ed's analysis ("suggests that the group is mobilizing for a new offensive"), which belongs in attributed key
points, never here.

A pure function over plain data: `compose_bottom_line(summary, usable)` -> (text, the pointers it used). With the
pointers it used as `usable`, it gives the same text again (verify relies on that to recognise a composed line).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from summarizer.claims import render_date
from summarizer.draft.text import norm
from summarizer.schema import ActorRole, DatePrecision, EventSummary, EventType, Figure, FigureKind, Stance

MAX_LENGTH = 400  # the schema's bound on the bottom line
MAX_REPORTERS = 3  # toll clauses: one per reporter; more reads as a table, which the key facts already are
TOLL_KINDS = (FigureKind.killed, FigureKind.injured)
NOTHING = "The sources do not state what happened, where or when."
_PERSONAL_PRONOUNS = {"he", "she", "him", "her"}
# First words of a count that are no name, written in lowercase mid-sentence ('more than 50', 'two', 'a man').
_LOWERCASE_OPENERS = set("""a an the one two three four five six seven eight nine ten eleven twelve more less fewer at
    about around nearly almost some several dozens hundreds thousands up over""".split())
_RESPONSIBILITY = re.compile(r"\b(?:responsib\w*|behind|involve\w*|carried out|perpetrat\w*)\b", re.IGNORECASE)


def _date(summary: EventSummary) -> str:
    """'on 8 May 2015', 'in May 2015', 'in 2015': as precise as the date's precision, written as claims render it."""
    kept = {DatePrecision.day: 3, DatePrecision.month: 2}.get(summary.date.precision, 1)
    parts = summary.date.value.split("-")[:kept]
    return f"{'on' if len(parts) == 3 else 'in'} {render_date('-'.join(parts))}"


def _place(summary: EventSummary, usable) -> tuple[str, list[str]]:
    location = summary.location
    if location is None or not usable("/location"):
        return "", []
    used = ["/location"]
    region = location.region
    if region and location.region_basis:  # a gazetteer's inference is its own claim
        region = region if usable("/location/region") else None
        used += ["/location/region"] if region else []
    named = [p for p in (location.place, region, location.country) if p]
    return ", ".join(dict.fromkeys(named)), used if named else []


def _one_of(group: str) -> str:
    """What one of a counted group is called: 'victims' -> 'victim', 'people' -> 'person'."""
    if group == "people":
        return "person"
    return group[:-1] if group.endswith("s") and not group.endswith("ss") else group


def _counted(figure: Figure) -> str:
    """The figure in the source's words with what was counted: '12 police officers', 'more than 60 people'; one
    person the source refers back to ('he was injured') is 'one person', and 'One' of 'victims' is 'one victim'. A
    capital the source gave a sentence's first word ('More than 50') is dropped: the count reads mid-sentence."""
    amount, group = figure.text.strip().rstrip("."), figure.group.lower()
    if amount.split() and amount.split()[0].lower() in _LOWERCASE_OPENERS:
        amount = amount[:1].lower() + amount[1:]
    if figure.value_min == 1 and figure.value_max is None:
        group = _one_of(group)
    if amount.lower() in _PERSONAL_PRONOUNS:
        return f"one {group}"
    said = {group, group.removesuffix("s"), "person" if group == "people" else group}  # 'one person' of 'people'
    return amount if any(noun in amount.lower() for noun in said) else f"{amount} {group}"


def _reporter(name: str, summary: EventSummary, usable) -> tuple[str, list[str]]:
    """Who gave a figure, by the fuller name an actor of the summary gives them ('Maan' -> 'Brigadier General Saad
    Maan Ibrahim'); a name opening with an article ('The', 'An') reads mid-sentence in lowercase."""
    words = set(norm(name).split())
    fuller = [(a.name, i) for i, a in enumerate(summary.actors)
              if usable(f"/actors/{i}") and words and words <= set(norm(a.name).split()) and len(a.name) > len(name)]
    if fuller:
        name, i = min(fuller, key=lambda pair: len(pair[0]))
        return name, [f"/actors/{i}"]
    return re.sub(r"^(?:the|an|a)\b", lambda article: article.group().lower(), name, flags=re.IGNORECASE), []


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _were(items: list[tuple[int, Figure]]) -> str:
    one = len(items) == 1 and items[0][1].value_min == 1 and items[0][1].value_max is None
    return "was" if one else "were"


def _toll_clause(figures: list[tuple[int, Figure]], first: bool) -> str:
    """'12 police officers and 50 inmates were killed and 3 people injured'; after the first clause the verbs go
    ('five guards and 30 prisoners'), unless the kinds differ from one killed list."""
    by_kind = {kind: [(i, f) for i, f in figures if f.kind is kind] for kind in TOLL_KINDS}
    parts = []
    for kind, items in by_kind.items():
        if not items:
            continue
        counted = _list([_counted(f) for _, f in items])
        if not parts:
            parts.append(f"{counted} {_were(items)} {kind.value}")
        else:
            parts.append(f"{counted} {kind.value}")
    if not first and len([k for k, items in by_kind.items() if items]) == 1 and by_kind[FigureKind.killed]:
        return _list([_counted(f) for _, f in by_kind[FigureKind.killed]])
    return " and ".join(parts)


def _tolls(summary: EventSummary, usable) -> list[tuple[str, list[str]]]:
    """One clause per reporter, those giving the most figures first (a reporter who breaks the toll down by group
    speaks to it most), then in the order the summary lists them: '12 police officers and 50 inmates were killed
    according to Iraqi officials'. A figure nobody is said to have given is used only when no figure of its kind has
    a reporter (a storm's toll; the one death in a shooting whose injured the police counted), and is then stated
    without one. Clauses with a death come first."""
    tolls = [(i, f) for i, f in enumerate(summary.figures) if f.kind in TOLL_KINDS and usable(f"/figures/{i}")]
    attributed_kinds = {f.kind for _, f in tolls if f.reported_by}
    groups: dict[str, list[tuple[int, Figure]]] = {}
    for i, f in tolls:
        if f.reported_by or f.kind not in attributed_kinds:
            groups.setdefault(norm(f.reported_by or ""), []).append((i, f))
    clauses = []
    ranked = sorted(groups.values(), key=lambda figures: (all(f.kind is not FigureKind.killed for _, f in figures),
                                                          -len(figures)))
    for n, figures in enumerate(ranked[:MAX_REPORTERS]):
        by = figures[0][1].reported_by
        clause, used = _toll_clause(figures, first=n == 0 or not by), [f"/figures/{i}" for i, _ in figures]
        if by:
            name, named = _reporter(by, summary, usable)
            clause, used = f"{clause} according to {name}", used + named
        clauses.append((clause, used))
    return clauses


def _responsibility(summary: EventSummary, usable) -> tuple[str, list[str]]:
    """'ISIS claimed responsibility.', 'X is named as the perpetrator.', 'Y denies responsibility.'"""
    sentences, used = [], []
    for role, words in ((ActorRole.claimed_responsibility, "claimed responsibility"),
                        (ActorRole.perpetrator, "named as the perpetrator")):
        actors = [(i, a) for i, a in enumerate(summary.actors) if a.role is role and usable(f"/actors/{i}")]
        if role is ActorRole.perpetrator and sentences:
            continue  # who claimed it says it
        if actors:
            names = _list([a.name for _, a in actors])
            verb = words if role is ActorRole.claimed_responsibility else \
                ("is " if len(actors) == 1 else "are ") + words
            sentences.append(f"{names} {verb}")
            used += [f"/actors/{i}" for i, _ in actors]
    deniers = [(i, c) for i, c in enumerate(summary.claims) if c.stance is Stance.denies
               and _RESPONSIBILITY.search(c.statement) and usable(f"/claims/{i}")]
    if deniers:
        sentences.append(f"{_list(list(dict.fromkeys(c.claimant for _, c in deniers)))} "
                         f"{'denies' if len(deniers) == 1 else 'deny'} responsibility")
        used += [f"/claims/{i}" for i, _ in deniers]
    return ("; ".join(sentences) + "." if sentences else ""), used


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def compose_bottom_line(summary: EventSummary, usable: Collection[str] | None = None) -> tuple[str, list[str]]:
    """The bottom line from the summary's facts at the pointers in `usable` (every fact when None), and the pointers
    it used. Parts not usable or not stated are left out with their words: no 'on None', no empty clause."""
    ok = (lambda pointer: True) if usable is None else (lambda pointer: pointer in usable)
    used: list[str] = []
    event = "" if summary.event_type is EventType.other or not ok("/event_type") else \
        summary.event_type.value.replace("_", " ")
    used += ["/event_type"] if event else []
    where, at = _place(summary, ok)
    used += at
    when = _date(summary) if summary.date is not None and ok("/date") else ""
    used += ["/date"] if when else []
    where = f"in {where}," if "," in where and when else (f"in {where}" if where else "")  # 'in A, B, C, on ...'
    setting = " ".join(p for p in (where, when) if p)
    if event:
        opening = _capitalised(event) + (f" {setting}" if setting else "")
    elif setting:
        opening = f"The event took place {setting}"
    else:
        opening = ""
    blame, blamed = _responsibility(summary, ok)
    tolls = _tolls(summary, ok)
    for n in range(len(tolls), -1, -1):  # as many toll clauses as fit
        toll = ", ".join(c for c, _ in tolls[:n])
        first = f"{opening}: {toll}." if opening and toll else (f"{_capitalised(opening or toll)}." if opening or toll
                                                               else "")
        text = " ".join(p for p in (first, _capitalised(blame)) if p)
        if text and len(text) <= MAX_LENGTH:
            return text, list(dict.fromkeys(used + [p for _, pointers in tolls[:n] for p in pointers] + blamed))
    return NOTHING, []
