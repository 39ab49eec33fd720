"""Date mentions in news text, normalised to ISO values, and a claim-vs-evidence date check.

Rule-based on purpose: it runs over every source sentence, so it must be fast, and it must not read "May" the modal
verb or "today" in a newsletter footer as something it can't point back to. (dateparser's `search_dates` is both
slower by orders of magnitude and far looser.) Relative mentions ("on Friday", "yesterday") resolve against the
article's own date when one is known, looking backwards: news reports past events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from summarizer.checks.base import Check

Precision = Literal["day", "month", "year"]

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
            ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
            ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {name: i for i, name in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}

# Nouns that make a four-digit number a count rather than a year ("2000 people", "1,900 prisoners" never looks like a
# year anyway because of the comma). Shared with numbers.py so both modules agree on what a year is.
COUNT_NOUN_AFTER = re.compile(
    r"\s+(?:[a-z]+\s+)?(?:people|persons|prisoners|inmates|civilians|soldiers|troops|fighters|militants|members|"
    r"children|students|workers|families|homes|houses|residents|refugees|migrants|deaths|cases|votes|jobs)\b",
    re.IGNORECASE,
)

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_MONTH_ALT = _MONTH.replace("?P<month>", "?P<month2>")
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[89]\d\d|20\d\d)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")),
    ("slash", re.compile(r"\b(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4}|\d{2})\b")),
    # "Friday, 8 May 2015", "8th of May", "9 May"
    ("dmy", re.compile(rf"\b(?:{_WEEKDAY},?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b(?!\s*\d)", re.I)),
    # "Friday, May 8, 2015", "May 9 2015", "May 9"
    ("mdy", re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY}\b(?!:)(?:,?\s+{_YEAR}\b)?", re.I)),
    # "May 2015", "June of 2014"
    ("my", re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b", re.I)),
    # a bare month only after a word that makes it a date ("in May", "since June"), never the modal verb
    ("m", re.compile(rf"\b(?P<lead>in|since|during|until|by|from|through|early|late|mid-|last|this|next)\s*{_MONTH_ALT}\b(?!\s+\d)", re.I)),
    ("weekday", re.compile(rf"\b(?:(?P<lead>last|this|next|on|early|late)\s+)?{_WEEKDAY}\b(?!s)", re.I)),
    ("relative", re.compile(r"\b(?P<rel>yesterday|today|tonight|tomorrow|last\s+night|this\s+(?:morning|afternoon|evening))\b", re.I)),
    ("year", re.compile(rf"(?<![\d,.$£€/-])(?<!\d\s){_YEAR}(?![\d%]|,\d|\.\d|-\d|\s\d{{2}}|s\b|\s*(?:km|kilomet|mile|per\s*cent|percent)\b)", re.I)),
]

_NEED_DIGITS = {"iso", "slash", "dmy", "mdy", "my", "year"}
_HINT = re.compile(
    r"\d|\b(?:" + "|".join(list(MONTHS) + list(WEEKDAYS)) + r"|yesterday|today|tonight|tomorrow|night|morning|"
    r"afternoon|evening)\b",
    re.IGNORECASE,
)
_RELATIVE_DAYS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "last night": -1}


@dataclass(frozen=True)
class DateMention:
    """A date as written and as normalised.

    `value` is ISO 8601 at the stated precision ("2015-05-08", "2015-05", "2015"); "--05-09" when a day and month are
    given without a year and no reference date supplies it; None for a weekday that could not be resolved.
    `relative` is true when the value came from the reference date ("on Friday", "yesterday").
    """

    value: str | None
    precision: Precision
    text: str
    start: int
    end: int
    weekday: int | None = None
    relative: bool = False
    background: bool = False  # a time the text measures from or to ('since 1999'), not when something happened

    @property
    def parts(self) -> tuple[int | None, int | None, int | None]:
        """(year, month, day), None where the mention does not say."""
        if self.value is None:
            return (None, None, None)
        if self.value.startswith("--"):
            month, day = self.value[2:].split("-")
            return (None, int(month), int(day))
        pieces = [int(p) for p in self.value.split("-")]
        return tuple(pieces + [None] * (3 - len(pieces)))  # type: ignore[return-value]


# A date the text measures from or to is background, not the date of what the sentence reports: "the first elections
# since 1999", "in power until 2015", "as of June". Right before any mention; before a bare year or month also the
# words that place it before or after something else ("before 2010", "by 2030", "from 2010 to 2015"), and a 'since'
# or 'until' clause that ends in it ("since military rule ended in 1999"). Not 'after' or 'before' a day: "after
# Friday's attack" dates the attack.
_BACKGROUND_BEFORE = re.compile(
    r"\b(?:(?:ever\s+)?since|until|till|prior\s+to|as\s+of|as\s+early\s+as|as\s+far\s+back\s+as|dating\s+back\s+to|"
    r"back\s+to|up\s+to)\s+(?:the\s+)?(?:(?:early|mid|late|end|start|beginning|spring|summer|autumn|fall|winter)"
    r"(?:\s+of)?[\s-]+(?:the\s+)?)?$", re.IGNORECASE)
_COARSE_BACKGROUND_BEFORE = re.compile(
    r"\b(?:before|after|by|from|between|through|throughout|to|and)\s+(?:the\s+)?(?:(?:early|mid|late|end|start|"
    r"beginning)(?:\s+of)?[\s-]+(?:the\s+)?)?$|\b(?:(?:ever\s+)?since|until|till)\s+[^,;:.!?()]{0,60}\bin\s+$",
    re.IGNORECASE)


def background(text: str, mention: DateMention) -> bool:
    """Is the mention a time `text` measures from or to ('since 1999'), rather than when something happened?"""
    before = text[max(0, mention.start - 80): mention.start]
    if _BACKGROUND_BEFORE.search(before):
        return True
    return mention.precision != "day" and bool(_COARSE_BACKGROUND_BEFORE.search(before))


# The words a sentence names an event of each type with (stems; summarizer.schema.EventType values), so that a bare year
# or month dates the event only in a sentence about it: "the 2015 governorship elections", not "in 1999 military rule
# ended" in a report on an election. An 'other' event has no words: any mention that is not background may date it.
EVENT_WORDS = {
    "attack": r"attack|assault|raid|ambush|stormed",
    "bombing": r"bomb|blast|explosi|explod|detonat",
    "shooting": r"shoot|shot|gunfire|gunm[ae]n",
    "prison_break": r"prison\s*break|jail\s*-?break|break\s*-?out|escap",
    "riot": r"riot|unrest",
    "protest": r"protest|demonstrat|rall(?:y|ies)|march|sit-in",
    "armed_clash": r"clash|fighting|battle|firefight",
    "arrest": r"arrest|detain|custody",
    "accident": r"accident|crash|collision|derail",
    "disaster": r"storm|snow|blizzard|hurricane|typhoon|cyclone|flood|earthquake|quake|tsunami|wildfire|fire|tornado|"
                r"landslide|mudslide|avalanche|drought|eruption|heat\s*wave|disaster",
    "election": r"elect|vote|voting|poll|ballot|referendum",
    "court_ruling": r"court|judge|verdict|sentenc|convict|acquit|trial|appeal|ruled|ruling|jury|jurors|guilty",
    "company_deal": r"takeover|acqui[rs]|merger|buyout|bought|sold\b|sale\b|deal\b|auction",
    "sports_match": r"match\b|matches\b|tournament|championship|semi-final|quarter-final|league\b|world cup|"
                    r"grand slam|wimbledon|olympic|striker|goalkeeper|midfielder|seeded\b",
}
_EVENT_WORDS = {kind: re.compile(rf"\b(?:{words})", re.IGNORECASE) for kind, words in EVENT_WORDS.items()}


def names_event(text: str, event_type: str) -> bool:
    """Does `text` name an event of this type ('the 2015 governorship elections' names an election)?"""
    words = _EVENT_WORDS.get(event_type)
    return words is None or bool(words.search(text))


def event_dates(text: str, event_type: str, ref_date: date | None = None) -> list[DateMention]:
    """The mentions in `text` that can date an event of `event_type`: none given as background ('since 1999'), and a
    bare year or month only in a sentence that names such an event (a day is news of the day)."""
    named = names_event(text, event_type)
    return [d for d in extract(text, ref_date) if not d.background and (d.precision == "day" or named)]


def written_as_in(claim: str, evidence: str, ref_date: date | None = None) -> str:
    """The claim with each day written as the evidence writes the same day: 'on 8 May 2015' as 'on Friday' where the
    report, dated 9 May 2015, says 'on Friday'. The verifier cannot resolve a weekday against a report's date; the
    date check does, and only a day it resolves to the same date is rewritten."""
    given = [d for d in extract(evidence, ref_date) if d.precision == "day" and (d.value or "")[:1].isdigit()]
    out, at = [], 0
    for mention in extract(claim):
        same = next((d for d in given if d.value == mention.value), None) if mention.value else None
        if mention.precision != "day" or same is None or same.text == mention.text:
            continue
        written = same.text
        if _PREPOSITION_OPENS.match(written) and _PREPOSITION_ENDS.search(claim[:mention.start]):
            written = _PREPOSITION_OPENS.sub("", written)  # 'on 8 May' -> 'on Friday', not 'on on Friday'
        out += [claim[at:mention.start], written]
        at = mention.end
    return "".join(out) + claim[at:] if out else claim


_PREPOSITION_OPENS = re.compile(r"^(?:on|in|at)\s+", re.IGNORECASE)
_PREPOSITION_ENDS = re.compile(r"\b(?:on|in|at)\s+$", re.IGNORECASE)


def extract(text: str, ref_date: date | None = None) -> list[DateMention]:
    """Every date mention in `text`, left to right, without overlaps (the longest, most specific pattern wins), each
    marked `background` when the text measures from or to it."""
    return list(_extract(text, ref_date))


@lru_cache(maxsize=8192)
def _extract(text: str, ref_date: date | None) -> tuple[DateMention, ...]:
    """Memoised: verify checks one evidence text against many claims."""
    if not _HINT.search(text):
        return ()
    has_digit = any(c.isdigit() for c in text)
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for name, pattern in _PATTERNS:
        if name in _NEED_DIGITS and not has_digit:
            continue
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            mention = _build(name, m, text, ref_date)
            if mention is not None:
                taken.append((mention.start, mention.end))
                found.append(mention)
    marked = [replace(d, background=True) if background(text, d) else d for d in found]
    return tuple(sorted(marked, key=lambda d: d.start))


def _build(name: str, m: re.Match[str], text: str, ref: date | None) -> DateMention | None:
    groups = m.groupdict()
    span_text, start, end = m.group(0), m.start(), m.end()
    weekday = WEEKDAYS[groups["weekday"].lower()] if groups.get("weekday") else None
    if name in ("iso", "slash", "dmy", "mdy"):
        month = int(groups["month"]) if groups["month"].isdigit() else MONTHS[groups["month"].lower()]
        day = int(groups["day"])
        year = _full_year(groups["year"]) if groups.get("year") else None
        if name == "slash" and month > 12 >= day:  # 25/12/2015: day first
            month, day = day, month
        if not _valid(year or 2000, month, day):
            return None
        if year is None and ref is not None:
            year = ref.year if (month, day) <= (ref.month, ref.day) else ref.year - 1
            return DateMention(f"{year:04d}-{month:02d}-{day:02d}", "day", span_text, start, end, weekday, True)
        value = f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
        return DateMention(value, "day", span_text, start, end, weekday)
    if name == "my":
        value = f"{int(groups['year']):04d}-{MONTHS[groups['month'].lower()]:02d}"
        return DateMention(value, "month", span_text, start, end)
    if name == "m":
        month = MONTHS[groups["month2"].lower()]
        lead = groups["lead"].lower()
        word_start = m.start("month2")
        if ref is None:
            return None
        if lead == "next":
            year = ref.year if month > ref.month else ref.year + 1
        elif lead == "last":
            year = ref.year if month < ref.month else ref.year - 1
        else:
            year = ref.year if month <= ref.month else ref.year - 1
        return DateMention(f"{year:04d}-{month:02d}", "month", text[word_start:end], word_start, end, relative=True)
    if name == "weekday":
        lead = (groups["lead"] or "").lower()
        word_start = start if lead in ("last", "this", "next", "on") else m.start("weekday")
        written = text[word_start:end]
        if ref is None:
            return DateMention(None, "day", written, word_start, end, weekday)
        if lead == "next":
            resolved = ref + timedelta(days=(weekday - ref.weekday()) % 7 or 7)
        else:
            back = (ref.weekday() - weekday) % 7
            resolved = ref - timedelta(days=back or (7 if lead == "last" else 0))
        return DateMention(resolved.isoformat(), "day", written, word_start, end, weekday, True)
    if name == "relative":
        if ref is None:
            return None
        words = " ".join(groups["rel"].lower().split())
        resolved = ref + timedelta(days=_RELATIVE_DAYS.get(words, 0))
        return DateMention(resolved.isoformat(), "day", span_text, start, end, resolved.weekday(), True)
    # a bare year
    if COUNT_NOUN_AFTER.match(text, end):
        return None
    return DateMention(groups["year"], "year", span_text, start, end)


def _full_year(raw: str) -> int:
    year = int(raw)
    return year + (2000 if year < 50 else 1900) if len(raw) == 2 else year


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def agree(claim: DateMention, evidence: DateMention) -> bool:
    """Can both mentions be the same date (equal on every part both state)?"""
    return _compatible(claim, evidence)


def _compatible(claim: DateMention, evidence: DateMention) -> bool:
    """Equal on every part both mentions state; a bare weekday must fall on the other's full date."""
    for a, b in zip(claim.parts, evidence.parts):
        if a is not None and b is not None and a != b:
            return False
    if claim.value is None and evidence.value is None:
        return claim.weekday == evidence.weekday
    for bare, full in ((claim, evidence), (evidence, claim)):
        if bare.weekday is not None and None not in full.parts:
            if date(*full.parts).weekday() != bare.weekday:  # type: ignore[misc]
                return False
    if claim.value is None or evidence.value is None:
        full = evidence if claim.value is None else claim
        return None not in full.parts
    return True


def compare(claim: str, evidence: str, ref_date: date | None = None) -> Check:
    """Does the evidence give the claim's dates? Relative words on both sides resolve against `ref_date`. A date the
    evidence gives only as background ('the first elections since 1999') is no evidence that something happened
    then ('The election took place in 1999.')."""
    claimed = extract(claim, ref_date)
    if not claimed:
        return Check("na", "claim states no date")
    given = extract(evidence, ref_date)
    if not given:
        return Check("absent", "evidence states no date")
    conflicts, missing = [], []
    for mention in claimed:
        # When something happened needs a date the evidence says it happened on; a background date ("since 1999")
        # supports only a claim that gives it as background too.
        usable = [o for o in given if mention.background or not o.background]
        if any(_compatible(mention, other) for other in usable):
            continue
        comparable = [o for o in usable if _comparable(mention, o)]
        (conflicts if comparable else missing).append((mention, comparable))
    if conflicts:
        mention, others = conflicts[0]
        return Check("mismatch", f"claim says {_show(mention)}; evidence says {', '.join(_show(o) for o in others)}")
    if missing:
        return Check("absent", f"evidence gives no date comparable with {_show(missing[0][0])}")
    return Check("match", "dates agree: " + ", ".join(_show(m) for m in claimed))


def _comparable(a: DateMention, b: DateMention) -> bool:
    """Two mentions can conflict only if they share a stated part (both give a month, or a weekday and a date)."""
    if any(x is not None and y is not None for x, y in zip(a.parts, b.parts)):
        return True
    return a.weekday is not None or b.weekday is not None


def _show(d: DateMention) -> str:
    return f"'{d.text}' ({d.value})" if d.value and d.value != d.text else f"'{d.text}'"
