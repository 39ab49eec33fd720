"""Quantities in news text ("more than 50 prisoners escaped") and a claim-vs-evidence number check.

Each quantity carries what a reader needs to compare it with another: its bounds (a qualifier turns "more than 50"
into [50, inf)), its unit (so "80 km" is never compared with a casualty count), the noun it counts ("police
officers") and a guess at what happened to them (killed / injured / escaped / ...), read from the verb around it.
Years, dates and clock times are not quantities here; ages, distances, durations, money and labels ("Route 9")
are kept but tagged with a unit so they only meet their own kind.

The noun and kind guesses are small word lists and word-order rules, documented where they are defined. They are
deliberately conservative: when a rule is unsure it says None, and None is compatible with everything.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Literal

from summarizer.checks import dates
from summarizer.checks.base import Check

Qualifier = Literal["exact", "more_than", "less_than", "about", "at_least", "at_most", "range"]

# --- number words -------------------------------------------------------------------------------------------------
_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUES = {w: i for i, w in enumerate(_SMALL)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "dozen": 12}

_ONE_WORD = rf"(?:(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_SMALL[1:10])})\b)?|{'|'.join(sorted(_SMALL, key=len, reverse=True))})"
_WORD_NUMBER = (
    rf"(?:{_ONE_WORD}(?:\s+hundred(?:\s+(?:and\s+)?{_ONE_WORD})?)?(?:\s+(?:thousand|million|billion))?"
    r"|an?\s+(?:hundred|thousand|million)|half\s+a\s+dozen|an?\s+dozen|dozen)"
)
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*(?:thousand|million|billion|bn)\b)?"
_CORE = rf"(?:{_DIGITS}|{_WORD_NUMBER})"

# Vague amounts, with the span of values a reader would accept for them (documented guesses, used only to find
# outright conflicts such as "dozens" against "5").
VAGUE = {
    "tens of thousands": (20_000, 99_999),
    "several dozen": (24, 120),
    "several hundred": (200, 999),
    "several thousand": (2_000, 9_999),
    "dozens": (24, 144),
    "scores": (40, 200),
    "hundreds": (200, 999),
    "thousands": (2_000, 9_999),
    "several": (3, 9),
    "a few": (2, 6),
    "a handful": (2, 6),
    "a couple": (2, 3),
}
_VAGUE = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in VAGUE)

_QUALIFIERS: dict[str, Qualifier] = {
    "more than": "more_than", "over": "more_than", "upwards of": "more_than", "in excess of": "more_than",
    "just over": "more_than",
    "at least": "at_least", "no fewer than": "at_least", "no less than": "at_least", "not less than": "at_least",
    "a minimum of": "at_least",
    "up to": "at_most", "at most": "at_most", "no more than": "at_most", "not more than": "at_most",
    "a maximum of": "at_most", "as many as": "at_most",
    "fewer than": "less_than", "less than": "less_than", "under": "less_than", "below": "less_than",
    "just under": "less_than",
    "about": "about", "around": "about", "approximately": "about", "approx.": "about", "roughly": "about",
    "some": "about", "an estimated": "about", "estimated": "about", "circa": "about", "nearly": "about",
    "almost": "about", "close to": "about", "~": "about",
}
_QUALIFIER = "|".join(re.escape(q).replace(r"\ ", r"\s+") for q in sorted(_QUALIFIERS, key=len, reverse=True))
_SUFFIXES: dict[str, Qualifier] = {"or more": "at_least", "+": "at_least", "plus": "at_least", "or so": "about"}

_QUANTITY = re.compile(
    rf"""(?<![\w.,:/-])
    (?:(?P<qual>{_QUALIFIER})\s+)?(?P<currency>(?:US)?[$£€]\s*)?
    (?: between\s+(?P<lo1>{_CORE})\s+and\s+(?P<hi1>{_CORE})
      | from\s+(?P<lo2>{_CORE})\s+to\s+(?P<hi2>{_CORE})
      | (?P<lo3>{_CORE})(?:\s*[-–—]\s*(?=\d)|\s+to\s+)(?P<hi3>{_CORE})
      | (?P<vague>{_VAGUE})
      | (?P<core>{_CORE}) )
    (?P<suffix>\s+or\s+more\b|\s*\+|\s+plus\b|\s+or\s+so\b)?
    (?=(?:km|kg|mph|ft|mi|%)\b|[^\w]|$)""",
    re.IGNORECASE | re.VERBOSE,
)

_HAS_NUMBER = re.compile(rf"\d|\b(?:{'|'.join(_WORD_VALUES)}|hundred|thousand|dozen|dozens|scores|several|few|handful|"
                         r"couple)\b", re.IGNORECASE)

# --- units --------------------------------------------------------------------------------------------------------
# (unit, pattern right after the number). Distances convert to km for comparison; everything else compares only
# with itself.
_UNITS_AFTER = [
    ("age", r"[- ](?:years?|yrs?)[- ]olds?\b|[- ]months?[- ]olds?\b"),
    ("km", r"\s*(?:km|kilomet(?:er|re)s?)\b"),
    ("mi", r"\s*(?:miles?|mi)\b"),
    ("m", r"\s*(?:met(?:er|re)s?)\b"),
    ("ft", r"\s*(?:feet|foot|ft)\b"),
    ("%", r"\s*(?:%|per\s*cent\b)"),
    ("$", r"\s*(?:dollars?|usd)\b"),
    ("€", r"\s*euros?\b"),
    ("year", r"[- ]years?\b"),
    ("month", r"[- ]months?\b"),
    ("week", r"[- ]weeks?\b"),
    ("day", r"[- ]days?\b"),
    ("hour", r"[- ](?:hours?|hrs?)\b"),
    ("minute", r"[- ](?:minutes?|mins?)\b"),
    ("second", r"[- ]seconds?\b"),
    ("kg", r"\s*(?:kg|kilo(?:gram)?s?)\b"),
    ("ton", r"\s*(?:tons?|tonnes?)\b"),
    ("mph", r"\s*(?:mph|km/h|kph)\b"),
    ("degree", r"\s*(?:degrees?|°)"),
]
_UNIT_AFTER = [(unit, re.compile(pattern, re.IGNORECASE)) for unit, pattern in _UNITS_AFTER]
_UNIT_PATTERN = dict(_UNIT_AFTER)
_AGE_BEFORE = re.compile(r"\b(?:aged?|ages)\s+$", re.IGNORECASE)
_AGE_APPOSITION = re.compile(r"[A-Z][\w'’-]+,\s*$")  # "Sarah Bonner, 24, died"
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:Highway|Route|Interstate|No\.?|Number|Article|Section|Chapter|Room|Apartment|Apt\.?|Unit|Flight|"
    r"Channel|Page|Block|Gate|Level|Floor|Phase|Resolution|Precinct|Ward|District|Station|Platform|Bus|Line|Category|"
    r"Grade|Class|Vol\.?|Episode|Season|Terminal|Building|Camp|Lot|Exit|Stage|Round)|#)\s*$"
)
_ADDRESS_AFTER = re.compile(
    r"\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z]+\s+){1,3}(?:Rd|Road|St|Street|Ave|Avenue|Blvd|Boulevard|Dr|Drive|Lane|Ln|"
    r"Way|Ct|Court|Pl|Place|Hwy|Highway|Pkwy|Parkway|Circle|Cir|Terrace|Trail)\b"
)
_TIME = re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)(?!\w)|\b\d{1,2}:\d{2}\b|\b\w+\s+o'clock\b", re.I)
# A telephone number is no quantity: "855-847-7247", "(212) 555-1234", "855-TIPS-247", "1-800-222-TIPS".
_PHONE = re.compile(r"(?:\b1-)?(?:\(\d{3}\)\s?|\b\d{3}-)(?:\d{3}|[A-Z]{3,4})-(?:\d{4}|[A-Z\d]{3,4})\b")
_DISTANCE_KM = {"km": 1.0, "mi": 1.609344, "m": 0.001, "ft": 0.0003048}

# --- what is counted ------------------------------------------------------------------------------------------------
# Classes of counted nouns that sources confuse or contrast ("12 police officers" vs "5 guards"). Two quantities
# count the same thing unless both nouns fall in *different* classes; generic nouns ("people") fit every class.
NOUN_CLASSES = {
    "prisoners": "prisoner inmate convict detainee escapee criminal fugitive",
    "police": "police policeman policemen officer guard cop trooper deputy security personnel",
    "military": "soldier troop serviceman servicemen marine",
    "militants": "militant fighter insurgent gunman gunmen jihadist attacker extremist terrorist militiamen "
    "militiaman rebel shooter",
    "civilians": "civilian resident citizen villager passenger worshipper pilgrim bystander shopper student child "
    "children kid boy girl teenager teen",
}
_NOUN_CLASS = {word: cls for cls, words in NOUN_CLASSES.items() for word in words.split()}
GENERIC_NOUNS = {"people", "person", "persons", "individual", "other", "victim", "casualty", "body", "bodies", "life",
                 "lives", "men", "man", "women", "woman", "member"}
PERSON_NOUNS = set(_NOUN_CLASS) | GENERIC_NOUNS | {
    "family", "families", "relative", "worker", "journalist", "protester", "demonstrator", "employee", "staff",
    "suspect", "hostage", "refugee", "migrant", "official", "baby", "babies", "infant", "adult", "patient", "pupil",
    "miner", "crew", "tourist", "guest", "customer", "driver",
}

# --- what happened to them -----------------------------------------------------------------------------------------
# Verbs that take the counted people as object ("killed 11 people") or passive subject ("50 inmates were
# slaughtered"). After the noun in active voice they make it the agent ("two bombs killed 11"), so no kind.
_TRANSITIVE = {
    "killed": "killed", "kill": "killed", "killing": "killed", "slaughtered": "killed", "massacred": "killed",
    "murdered": "killed", "executed": "killed", "slain": "killed", "beheaded": "killed",
    "wounded": "injured", "wounding": "injured", "injured": "injured", "injuring": "injured", "hurt": "injured",
    "hospitalized": "injured", "hospitalised": "injured",
    "freed": "freed", "free": "freed", "freeing": "freed", "released": "freed", "releasing": "freed",
    "rescued": "freed", "liberated": "freed", "broke": "freed", "broken": "freed",
    "held": "held", "holding": "held", "housed": "held", "housing": "held", "imprisoned": "held", "jailed": "held",
    "arrested": "arrested", "detained": "arrested", "apprehended": "arrested", "captured": "arrested",
    "kidnapped": "missing", "abducted": "missing",
    "shot": "shot", "grazed": "injured",
}
# Verb phrases before the counted people that say more than their last word: "fatally shot a woman" (killed).
_TRANSITIVE_PHRASES = re.compile(
    r"\b(?:(?P<killed>fatally\s+(?:shot|shooting|wounded|wounding)|shot\s+and\s+killed|shooting\s+and\s+killing|"
    r"shot\s+dead)|(?P<injured>shot\s+and\s+(?:wounded|injured)|shooting\s+and\s+(?:wounding|injuring)))"
    r"[\s\"“‘']*$", re.IGNORECASE)
# What was only tried or threatened did not happen: "trying to kill two others", "threatened to shoot three".
ATTEMPT_WORDS = ("try", "tries", "tried", "trying", "attempt", "attempts", "attempted", "attempting", "threaten",
                 "threatens", "threatened", "threatening", "plot", "plotted", "plotting", "plan", "planned", "planning",
                 "conspiring", "conspired", "intent", "intending", "intended", "wanted")
_ATTEMPT_BEFORE = re.compile(r"\b(?:" + "|".join(ATTEMPT_WORDS) + r")\s+to\s+$", re.IGNORECASE)
# Words that describe the counted people themselves ("12 officers died", "62 dead", "40 prisoners escaped").
_INTRANSITIVE = {
    "died": "killed", "dead": "killed", "die": "killed", "dies": "killed", "perished": "killed",
    "deaths": "killed", "fatalities": "killed", "deceased": "killed", "bodies": "killed",
    "escaped": "escaped", "escape": "escaped", "fled": "escaped", "escapees": "escaped",
    "missing": "missing", "injuries": "injured", "wounds": "shot", "succumbed": "killed",
}
_INTRANSITIVE_PHRASES = re.compile(
    r"\b(?:(?P<killed>lost\s+their\s+lives|shot\s+dead|shot\s+to\s+death|fatally\s+(?:shot|wounded|injured|hurt)|"
    r"pronounced\s+dead|shot\s+and\s+killed)|(?P<arrested>in\s+custody|behind\s+bars)"
    r"|(?P<escaped>broke\s+out|broken\s+out|on\s+the\s+run)|(?P<missing>unaccounted\s+for)"
    r"|(?P<injured>(?:critical|serious|stable|fair|life-threatening)\s+condition|recovering|treated\s+for|"
    r"shot\s+and\s+(?:wounded|injured)|non-life-threatening))\b",
    re.IGNORECASE,
)
# Kinds a later word of the same clause can make precise, and the kinds that may: "shot and died at the hospital",
# "taken to hospital in critical condition and pronounced dead".
LATER_KINDS = {"shot": ("killed", "injured"), "injured": ("killed",)}
# A count with its noun left out, the adverb saying what happened: "three men were shot, one fatally" (one of the
# three men was killed).
ELLIPTIC_KINDS = {"fatally": "killed", "critically": "injured", "seriously": "injured"}
_ELLIPTIC = re.compile(rf"\s+(?:of\s+them\s+)?({'|'.join(ELLIPTIC_KINDS)})\b", re.IGNORECASE)
# People of one kind counted in two parts: "two men and a woman", "a man and a 17-year-old boy" (the parts add up).
_JOINED_PEOPLE = re.compile(
    rf"\s+and\s+({_ONE_WORD}|\d+|an?)\s+(?:\d+-year-old\s+)?(?:man|woman|boy|girl|teen|teenager|child|person|men|"
    r"women|boys|girls|teens|teenagers|children|people)\b", re.IGNORECASE)
# Where a clause ends; "but" goes on with the same subject when a verb follows ("in critical condition but was
# pronounced dead").
_CLAUSE_END = re.compile(r"[.;:!?()]|,\s|\s(?:while|whereas)\s|\sbut\s(?!(?:was|were|later|died|is)\b)")
_ANOTHER_COUNT = re.compile(rf"\b(?:{'|'.join(_WORD_VALUES)}|\d+)\b", re.IGNORECASE)
_ASIDE = re.compile(r",\s*(?:including|among\s+them)\s[^,;.]{1,60},")
_TOLL_BEFORE = re.compile(r"\b(?:death\s+toll|toll|lives\s+of|deaths\s+of)\b[^.;]{0,25}$", re.IGNORECASE)
_AUX = {"was", "were", "been", "being", "is", "are", "be", "get", "got", "gets"}
_PARTICIPLE_FOLLOWERS = {"by", "in", "on", "at", "during", "when", "after", "as", "and", "or", "while", "near",
                         "inside", "outside", "since", "following", "before", "amid", "from", "yesterday", "today"}
_DETERMINERS = {"the", "a", "an", "this", "that", "its", "their", "his", "her"}
_OBJECT_AFTER = re.compile(rf"\s+(?:{'|'.join(_DETERMINERS)}|{'|'.join(_WORD_VALUES)}|\d+)\b", re.IGNORECASE)
_LINKS_BACK = re.compile(r"\b(?:including|among\s+them|of\s+whom|of\s+them|among\s+whom)[\s,:]*$", re.IGNORECASE)
_COMPATIBLE_KINDS = [{"escaped", "freed"}, {"held", "arrested"}]

_IRREGULAR_PLURALS = {"people", "men", "women", "children", "police", "militiamen", "gunmen", "policemen",
                      "servicemen", "staff", "crew"}
_NOUN_STOP = set(
    "and or but of in on at from to for with by during including among after before when while as than who whom that "
    "which were was is are had have has been be being will would could should may might can the a an this these "
    "where he she it they we you i him her them his its "
    "those its their his her also then there here not said says according inside outside near into out over under "
    "per each more than about".split()
)
_NOUN_SKIP = {"other", "more", "additional", "further", "new", "fellow", "of", "the", "those", "them", "'", '"', "“",
              "”", "‘", "’"}
_ADJECTIVES_ENDING_ED = {"armed", "unarmed", "suspected", "alleged", "detained", "hooded", "masked", "elected"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|[\"“”‘]")


@dataclass(frozen=True)
class Quantity:
    """One number expression. `value_max` is set only for ranges and vague amounts ("dozens" -> 24..144)."""

    value_min: float
    value_max: float | None
    qualifier: Qualifier
    text: str
    start: int
    end: int
    unit: str | None = None
    vague: bool = False
    noun: str | None = None
    kind: str | None = None

    def bounds(self) -> tuple[float, float]:
        """The values the expression admits: "about 60" -> (54, 66), "more than 50" -> (50, inf)."""
        v = self.value_min
        if self.qualifier == "range":
            return (v, self.value_max if self.value_max is not None else v)
        if self.qualifier == "about":
            tolerance = max(1.0, 0.1 * v)
            return (v - tolerance, v + tolerance)
        if self.qualifier in ("more_than", "at_least"):
            return (v, math.inf)
        if self.qualifier in ("less_than", "at_most"):
            return (0.0, v)
        return (v, v)

    @property
    def counts_people(self) -> bool:
        return self.unit is None and self.noun is not None and _head(self.noun) in PERSON_NOUNS


def extract(text: str) -> list[Quantity]:
    """Every quantity in `text`, left to right. Dates, years and clock times are skipped."""
    return list(_extract(text))


@lru_cache(maxsize=8192)
def _extract(text: str) -> tuple[Quantity, ...]:
    """Memoised: verify checks one evidence text against many claims."""
    if not _HAS_NUMBER.search(text):
        return ()
    masked = [(d.start, d.end) for d in dates.extract(text)] + [(m.start(), m.end()) for m in _TIME.finditer(text)] \
        + [(m.start(), m.end()) for m in _PHONE.finditer(text)]
    found: list[Quantity] = []
    for m in _QUANTITY.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in masked):
            continue
        quantity = _build(m, text, found)
        if quantity is not None:
            part = _part_of(text, found[-1], quantity) if found else None
            if part is not None:  # "two of the four victims had died": two died, of four shot
                found[-1], quantity = part, Quantity(**{**quantity.__dict__, "kind": _WHOLE_KINDS.get(quantity.kind)})
            found.append(quantity)
    return tuple(found)


# "Two of the four victims had died": what the clause says happened, happened to the part. The whole was hit (GVA
# counts everyone shot), so a whole of the dead or the hurt counts as shot; a whole of escapees etc. says nothing.
_PARTITIVE_GAP = re.compile(r"\s+of\s+(?:(?:the|those|these|all)\s+)?$", re.IGNORECASE)  # "one of five people hurt"
_WHOLE_KINDS = {"killed": "shot", "injured": "shot", "shot": "shot"}


def _part_of(text: str, part: Quantity, whole: Quantity) -> Quantity | None:
    """The part counted before '<part> of the <whole>', with the whole's noun and what happened, or None."""
    if part.noun is not None or part.unit is not None or not whole.kind \
            or not _PARTITIVE_GAP.fullmatch(text[part.end:whole.start]):
        return None
    return Quantity(**{**part.__dict__, "noun": whole.noun, "kind": whole.kind})


def _build(m: re.Match[str], text: str, earlier: list[Quantity]) -> Quantity | None:
    g = m.groupdict()
    before, after = _clause_before(text, m.start()), text[m.end(): m.end() + _WINDOW]
    if g["core"] and g["core"].lower() == "one" and (
            re.search(r"\bno\s+$", before, re.I) or re.match(r"\s+another\b", after)):
        return None  # "no one", "one another"
    if g["core"] and g["core"][0].isupper() and re.search(r"\b[A-Z][\w'’-]*[a-z]\s+$", before):
        return None  # a number word inside a name: "Regional One", "Air Force One"
    if g["core"] and g["core"][-1].isalpha() and re.match(r"-[a-z]", after) and not _unit(before, after, g["core"]):
        return None  # a compound adjective: "one-way street", "two-story house"
    qualifier: Qualifier = _QUALIFIERS[_norm(g["qual"])] if g["qual"] else "exact"
    value_max: float | None = None
    vague = False
    if g["vague"]:
        value_min, value_max = VAGUE[_norm(g["vague"])]
        qualifier, vague = "range", True
    elif g["core"]:
        value_min = _value(g["core"])
    else:
        lo, hi = next((g[f"lo{i}"], g[f"hi{i}"]) for i in (1, 2, 3) if g[f"lo{i}"])
        value_min, value_max = _value(lo), _value(hi)
        if value_max <= value_min or _looks_like_year(lo):  # "5-3" is a score, "2014-2015" a span of years
            return None
        qualifier = "range"
    if g["suffix"] and not vague:
        qualifier = _SUFFIXES[_norm(g["suffix"])]
    unit = g["currency"].strip()[-1] if g["currency"] else _unit(before, after, m.group(0))
    noun, noun_end = (None, m.end()) if unit else _counted_noun(text, m.end())
    written, end = m.group(0), m.end()
    joined = _JOINED_PEOPLE.match(text, noun_end) if noun and qualifier == "exact" and value_max is None else None
    if joined and noun_class(noun) in ("generic", "civilians"):  # "two men and a woman": three people
        value_min += _value(joined.group(1))
        noun, noun_end = text[noun_end - len(noun): joined.end()], joined.end()
        written, end = text[m.start(): joined.end()], joined.end()
    quantity = Quantity(float(value_min), None if value_max is None else float(value_max), qualifier,
                        written, m.start(), end, unit, vague, noun)
    elliptic = _ELLIPTIC.match(after) if unit is None and noun is None and earlier and earlier[-1].noun else None
    if elliptic:  # "three men were shot, one fatally"
        quantity = Quantity(**{**quantity.__dict__, "noun": earlier[-1].noun,
                               "kind": ELLIPTIC_KINDS[elliptic.group(1).lower()]})
    elif unit is None:
        kind = _kind(text, quantity, noun_end, earlier)
        if noun is None and _LINKS_BACK.search(before) and earlier and earlier[-1].noun:
            noun = earlier[-1].noun  # "more than fifty prisoners escaped, including nine who ..."
        quantity = Quantity(**{**quantity.__dict__, "noun": noun, "kind": kind})
    return quantity


_WINDOW = 200  # context read on each side of a number: keeps extraction linear in the text's length


def _clause_before(text: str, start: int) -> str:
    """The text before `start` back to the sentence start, at most _WINDOW characters."""
    window = text[max(0, start - _WINDOW): start]
    cut = max(window.rfind(". "), window.rfind("! "), window.rfind("? "), window.rfind("\n"))
    return window[cut + 1:] if cut >= 0 else window


def _norm(s: str) -> str:
    return " ".join(s.lower().split())


def _value(core: str) -> float:
    """The number a digit string or number-word phrase denotes: '1,200' -> 1200, 'thirty-five' -> 35."""
    words = _norm(core).replace("-", " ").split()
    if words[0] == "half":
        return _value(" ".join(words[1:])) / 2
    if words[0][0].isdigit():
        digits, scale = re.fullmatch(r"([\d,.]+)\s*([a-z]*)", " ".join(words)).groups()  # "25million" too
        return float(digits.replace(",", "")) * {"bn": 1e9}.get(scale, _SCALES.get(scale, 1))
    total, current = 0.0, 0.0
    for word in words:
        if word in _WORD_VALUES:
            current += _WORD_VALUES[word]
        elif word in ("a", "an", "half"):
            current += 0.5 if word == "half" else 1
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
    return total + current


def _looks_like_year(written: str) -> bool:
    return bool(re.fullmatch(r"1[89]\d\d|20\d\d", written))


def _unit(before: str, after: str, written: str) -> str | None:
    if _AGE_BEFORE.search(before) or (_AGE_APPOSITION.search(before) and re.match(r"\s*,", after)
                                      and written.isdigit() and int(written) < 120):
        return "age"
    if _LABEL_BEFORE.search(before):
        return "label"
    if _ADDRESS_AFTER.match(after):
        return "address"
    for unit, pattern in _UNIT_AFTER:
        if pattern.match(after):
            return unit
    return None


def _counted_noun(text: str, pos: int) -> tuple[str | None, int]:
    """The noun phrase right after a number: '12 police officers died' -> 'police officers'. Returns (noun, end)."""
    words: list[tuple[str, int, int]] = []
    for w in _WORD.finditer(text, pos):
        gap = text[pos:w.start()] if not words else text[words[-1][2]:w.start()]
        if gap.strip():  # punctuation ends the phrase
            break
        lower = w.group(0).lower()
        if not words and (lower in _NOUN_SKIP or lower in ("of", "the")):
            pos = w.end()
            continue
        if (lower in _NOUN_STOP or lower in _WORD_VALUES or lower in _TRANSITIVE or lower in _INTRANSITIVE
                or lower.endswith(("ing", "ly")) or (lower.endswith("ed") and lower not in _ADJECTIVES_ENDING_ED)
                or lower in dates.MONTHS or lower in dates.WEEKDAYS or len(words) == 4):
            break
        if words and _is_plural_person(words[-1][0]) and _singular(lower) not in PERSON_NOUNS:
            break  # "one of the inmates took ...": the phrase ends at its plural person noun
        words.append((w.group(0), w.start(), w.end()))
    if not words:
        return None, pos
    end = words[-1][2]
    conjunct = re.match(r"\s+and\s+([a-z]+)\b(?!\s+\d)", text[end:])
    if conjunct and _singular(conjunct.group(1)) in PERSON_NOUNS and not _QUANTITY.match(text, end + conjunct.start(1)):
        end += conjunct.end()  # "62 inmates and police killed"
    return text[words[0][1]:end], end


def _kind(text: str, q: Quantity, noun_end: int, earlier: list[Quantity]) -> str | None:
    """What happened to the counted people, from the words around the number (see the word lists above)."""
    before = _clause_before(text, q.start)
    phrase = _TRANSITIVE_PHRASES.search(before)
    if phrase:
        return next(k for k, v in phrase.groupdict().items() if v)
    left = re.search(r"([A-Za-z]+)[\s\"“‘']*$", before)
    if left and left.group(1).lower() in _TRANSITIVE:
        if _ATTEMPT_BEFORE.search(before[: left.start(1)]):  # "trying to kill two others": they were not killed
            return None
        return _TRANSITIVE[left.group(1).lower()]
    if _TOLL_BEFORE.search(before[-40:]):
        return "killed"
    forward = _forward_kind(text, noun_end)
    if forward is not None:
        return forward or None
    if _LINKS_BACK.search(before):
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", before)]
        for i in range(len(words) - 1, -1, -1):
            kind = _INTRANSITIVE.get(words[i]) or _TRANSITIVE.get(words[i])
            if kind and (i == 0 or words[i - 1] not in _DETERMINERS):
                return kind
    coordinated = earlier[-1] if earlier else None
    if coordinated and coordinated.kind and _only_noun_and(text[coordinated.end: q.start], coordinated.noun):
        return coordinated.kind  # "five guards and 30 prisoners" share what happened to them
    return None


def _only_noun_and(gap: str, noun: str | None) -> bool:
    """Is `gap` just the earlier number's noun and 'and' ("five guards and 30 ...", not "two are dead and two ...")?"""
    words = re.findall(r"[\w'’-]+", gap.lower())
    return bool(words) and words[-1] == "and" and set(words) <= {"and"} | set((noun or "").lower().split())


def kind_after(text: str, pos: int) -> str | None:
    """What happened to the people named just before `pos`, from the rest of their clause ('was pronounced dead')."""
    return _forward_kind(text, pos) or None


def _forward_kind(text: str, pos: int) -> str | None:
    """Kind from the rest of the clause after the noun; "" when an active verb makes the counted noun the agent. Some
    kinds give way to a later word of the clause that says more (LATER_KINDS)."""
    aside = _ASIDE.match(text, pos)  # "five others, including a 4-year-old, were injured"
    pos = aside.end() if aside else pos
    clause = _CLAUSE_END.split(text[pos: pos + 120], maxsplit=1)[0]
    kind, end = _clause_kind(clause)
    if kind in LATER_KINDS:  # up to another count, which says what happened to others: "3 were hurt and one died"
        later, _ = _clause_kind(_ANOTHER_COUNT.split(clause[end:], maxsplit=1)[0])
        return later if later in LATER_KINDS[kind] else kind
    return kind


def _clause_kind(clause: str) -> tuple[str | None, int]:
    """The first kind the clause gives, and where the words giving it end."""
    phrase = _INTRANSITIVE_PHRASES.search(clause)
    tokens = [(t.group(0).lower(), t.start()) for t in re.finditer(r"[A-Za-z]+|\d+", clause)]
    for i, (token, at) in enumerate(tokens):
        if phrase and at >= phrase.start():
            passive = _AUX & {t for t, _ in tokens[max(0, i - 3): i]}
            if not passive and _OBJECT_AFTER.match(clause, phrase.end()):  # "a man fatally shot a woman": the agent
                return "", at
            return next(k for k, v in phrase.groupdict().items() if v), phrase.end()
        previous = [t for t, _ in tokens[max(0, i - 3): i]]
        if (token in _WORD_VALUES or token.isdigit()) and previous[-1:] != ["and"]:
            return None, at  # another count starts its own clause: "four shootings that left two men dead"
        if previous[-1:] and previous[-1] in _DETERMINERS:  # "after the escape": a noun, not what they did
            continue
        if token in _INTRANSITIVE:
            if previous[-1:] == ["to"]:  # "attempting to escape" is not an escape
                continue
            return _INTRANSITIVE[token], at + len(token)
        if token in _TRANSITIVE:
            following = tokens[i + 1][0] if i + 1 < len(tokens) else None
            if _AUX & set(previous) or following is None or following in _PARTICIPLE_FOLLOWERS:
                return _TRANSITIVE[token], at + len(token)
            return "", at
    return None, len(clause)


def _is_plural_person(word: str) -> bool:
    low = word.lower()
    return _singular(low) in PERSON_NOUNS and (low != _singular(low) or low in _IRREGULAR_PLURALS)


def _singular(word: str) -> str:
    word = word.lower()
    if word in PERSON_NOUNS or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") else word


def _head(noun: str) -> str:
    """The counted noun's head word, singular: 'other police officers' -> 'officer'."""
    if re.search(r"year-olds?$", noun):  # "a 19-year-old" is a person
        return "person"
    return _singular(re.findall(r"[A-Za-z]+", noun.split(" and ")[0])[-1])


def noun_class(noun: str | None) -> str | None:
    """The class a counted noun belongs to ('inmates' -> 'prisoners'), 'generic' for 'people', None if unknown."""
    if not noun:
        return None
    head = _head(noun)
    if head in GENERIC_NOUNS:
        return "generic"
    return _NOUN_CLASS.get(head) or _NOUN_CLASS.get(_singular(noun.split()[0]))


def _same_thing(a: Quantity, b: Quantity) -> bool:
    """Could the two figures count the same thing? Nouns of one class fit ('inmates', 'prisoners'), a generic or
    missing noun fits anything; two nouns outside the class table fit only when they are the same word ('30 inmates
    freed' and 'several vehicles' are not one figure)."""
    classes = {noun_class(a.noun), noun_class(b.noun)}
    if a.noun and b.noun and None in classes and "generic" not in classes:
        nouns_fit = _head(a.noun) == _head(b.noun)
    else:
        nouns_fit = None in classes or "generic" in classes or len(classes) == 1
    kinds_fit = a.kind is None or b.kind is None or a.kind == b.kind or any(
        {a.kind, b.kind} <= pair for pair in _COMPATIBLE_KINDS
    )
    return nouns_fit and kinds_fit


def _dimension(q: Quantity) -> tuple[str | None, float]:
    """(what is measured, factor to a common scale): distances meet in km, everything else only its own unit."""
    if q.unit in _DISTANCE_KM:
        return ("distance", _DISTANCE_KM[q.unit])
    return (q.unit, 1.0)


# Bounds that point away from one number and leave it out on one side at least: "fewer than 40" and "more than 40"
# cannot both be true (while "more than 50" and "50" may be one count, rounded: news text is loose with them).
_EXCLUDING = {("more_than", "less_than"), ("more_than", "at_most"), ("at_least", "less_than")}


def _overlap(a: Quantity, b: Quantity) -> bool:
    if a.value_min == b.value_min and {(a.qualifier, b.qualifier), (b.qualifier, a.qualifier)} & _EXCLUDING:
        return False
    (_, fa), (_, fb) = _dimension(a), _dimension(b)
    (lo_a, hi_a), (lo_b, hi_b) = a.bounds(), b.bounds()
    slack = 0.05 if fa != fb else 0.0  # "80 km (50 miles)": converted figures are rounded
    return lo_a * fa <= hi_b * fb * (1 + slack) and lo_b * fb <= hi_a * fa * (1 + slack)


def _describe(q: Quantity) -> str:
    what = " ".join(p for p in (q.noun, q.kind) if p)
    return f"'{q.text}'" + (f" ({what})" if what else "")


def written_as_in(claim: str, evidence: str) -> str:
    """The claim with each number (and its unit) written as the evidence writes the same amount: 'about 80
    kilometres' as 'about 80 km', 'thirty' as '30'. The verifier compares tokens, and read '80 kilometres' against '80
    km' as a contradiction (p = 0.84 on the seeds). Only the same value, qualifier and unit are rewritten, so a changed
    number is still read as written."""
    given = extract(evidence)
    out, at = [], 0
    for q in extract(claim):
        same = next((e for e in given if (e.value_min, e.value_max, e.qualifier) == (q.value_min, q.value_max,
                                                                                      q.qualifier)
                     and e.unit == q.unit and e.unit not in ("age", "label", "address")), None)
        if same is None:
            continue
        end, written = _unit_end(claim, q), evidence[same.start:_unit_end(evidence, same)]
        if claim[q.start:end] != written:
            out += [claim[at:q.start], written]
            at = end
    return "".join(out) + claim[at:] if out else claim


def _unit_end(text: str, q: Quantity) -> int:
    """Where the quantity's unit word ends ('80 km' -> after 'km'); its own end when it has none."""
    pattern = _UNIT_PATTERN.get(q.unit) if q.unit else None
    m = pattern.match(text, q.end) if pattern else None
    return m.end() if m else q.end


def compare(claim: str, evidence: str) -> Check:
    """Are the claim's numbers compatible with the evidence's numbers of the same unit, noun class and kind?

    A claimed total may also equal the sum of the evidence's figures ("62 killed" vs "12 officers and 50 inmates").
    """
    claimed = extract(claim)
    if not claimed:
        return Check("na", "claim states no number")
    given = extract(evidence)
    matched, conflicts, missing = [], [], []
    for q in claimed:
        same_unit = [e for e in given if _dimension(e)[0] == _dimension(q)[0]]
        relevant = [e for e in same_unit if _same_thing(q, e)]
        if not relevant:
            missing.append(q)
        elif any(_overlap(q, e) for e in relevant):
            matched.append(q)
        elif q.qualifier == "exact" and _is_sum(q, relevant):
            matched.append(q)
        else:
            conflicts.append((q, relevant))
    if conflicts:
        parts = [f"claim {_describe(q)} vs evidence {', '.join(_describe(e) for e in es)}" for q, es in conflicts]
        return Check("mismatch", "; ".join(parts))
    if missing:
        return Check("absent", "evidence gives no comparable number for " + ", ".join(_describe(q) for q in missing))
    return Check("match", "numbers agree: " + ", ".join(_describe(q) for q in matched))


def _is_sum(q: Quantity, parts: list[Quantity]) -> bool:
    exact = [p.value_min for p in parts if p.qualifier in ("exact", "about") and p.unit is None]
    sizes = range(2, min(len(exact), 4) + 1)
    return any(math.isclose(sum(c), q.value_min) for n in sizes for c in combinations(exact, n))
