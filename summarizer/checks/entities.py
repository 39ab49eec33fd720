"""Names in news text (people, places, organisations) and a claim-vs-evidence name check.

A name is a run of capitalised words, allowing the particles Arabic, Spanish and Dutch names use ("Ahmed al-Timimi",
"Islamic State of Iraq") and cut at possessives ("Iraq's Ministry of Interior" is two names). Names are compared as
token sets, so 'Al-Khalis', 'Al Khalis' and 'the Al Khalis facility' agree, and 'Maan' agrees with 'Brigadier General
Saad Maan'. Spelling variants within a letter or two ('Abu Ghraib' / 'Abu Ghrab') agree too.

Two small documented tables widen the match: ALIASES (names of the same organisation or country) and demonyms
generated from Babel's country names ('Iraqi' -> Iraq). Countries come from Babel's CLDR data, which ships with the
package; US states from a table here. Nothing is downloaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from rapidfuzz.fuzz import ratio

from summarizer.checks import dates
from summarizer.checks.base import Check

# Different names of one organisation or country, lowercase with hyphens as spaces -> one canonical key.
ALIASES = {
    "isis": "isis", "isil": "isis", "islamic state": "isis", "daesh": "isis", "is militants": "isis",
    "islamic state of iraq and the levant": "isis", "islamic state of iraq and syria": "isis",
    "islamic state of iraq and al sham": "isis", "al qaeda": "al qaeda", "al qaida": "al qaeda",
    "alqaeda": "al qaeda", "u.s.": "united states", "us": "united states", "usa": "united states",
    "u.s.a.": "united states", "america": "united states", "united states of america": "united states",
    "uk": "united kingdom", "u.k.": "united kingdom", "britain": "united kingdom", "great britain": "united kingdom",
    "un": "united nations", "u.n.": "united nations",
}
_ALIAS_PATTERN = re.compile(  # short aliases ("US", "UN") only in capitals, so the pronoun "us" is not a country
    r"(?<![\w.])(?:"
    + "|".join(re.escape(a).replace(r"\ ", r"[\s-]+") if len(a) > 3 else f"(?-i:{re.escape(a.upper())})"
               for a in sorted(ALIASES, key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)
# The same short aliases written in lowercase, where an article or a hyphen makes them a country, never the pronoun:
# "the us state of north dakota", "a us marine", "us-led forces" (text lowercased by its source).
_LOWERCASE_ALIAS = re.compile(r"\b(?:(?:the|a|an) (?P<after_article>us|uk|un)\b|(?P<hyphened>us|uk|un)(?=-(?:led|based|backed)\b))")

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho",
    "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
}
# AP-style abbreviations as they appear in datelines ("ANDERSON, S.C."), beside the postal codes.
STATE_ABBREVIATIONS = {"Ala.": "AL", "Ariz.": "AZ", "Ark.": "AR", "Calif.": "CA", "Colo.": "CO", "Conn.": "CT",
                        "Del.": "DE", "Fla.": "FL", "Ga.": "GA", "Ill.": "IL", "Ind.": "IN", "Kan.": "KS",
                        "Ky.": "KY", "La.": "LA", "Md.": "MD", "Mass.": "MA", "Mich.": "MI", "Minn.": "MN",
                        "Miss.": "MS", "Mo.": "MO", "Mont.": "MT", "Neb.": "NE", "Nev.": "NV", "N.H.": "NH",
                        "N.J.": "NJ", "N.M.": "NM", "N.Y.": "NY", "N.C.": "NC", "N.D.": "ND", "Okla.": "OK",
                        "Ore.": "OR", "Pa.": "PA", "R.I.": "RI", "S.C.": "SC", "S.D.": "SD", "Tenn.": "TN",
                        "Vt.": "VT", "Va.": "VA", "Wash.": "WA", "W.Va.": "WV", "Wis.": "WI", "Wyo.": "WY",
                        "D.C.": "DC"}
_DEMONYM_OVERRIDES = {"american": "United States", "british": "United Kingdom", "english": "United Kingdom",
                      "french": "France", "turkish": "Türkiye", "turkey": "Türkiye", "afghan": "Afghanistan",
                      "saudi": "Saudi Arabia", "chinese": "China", "japanese": "Japan", "lebanese": "Lebanon",
                      "sudanese": "Sudan", "somali": "Somalia", "palestinian": "Palestinian Territories",
                      "dutch": "Netherlands", "spanish": "Spain", "swedish": "Sweden", "polish": "Poland",
                      "danish": "Denmark", "irish": "Ireland", "filipino": "Philippines", "emirati":
                      "United Arab Emirates", "pakistani": "Pakistan", "israeli": "Israel", "iraqi": "Iraq"}

# Words that are capitalised only because they start a sentence or a headline. Function words are never the
# start of a name; the common nouns only when they open the sentence ("Officials said", but "Security Committee").
_FUNCTION_WORDS = set(
    """a an the but and or so yet if then when while after before although though however meanwhile moreover also
    according in on at of for from with by to into as since until during despite under over about it its this that
    these those there here he she they we i you his her their our my your him them us what which who whom whose why
    how where one some many several most all both each every no not nor other another such only just even still
    thus instead indeed please click read join share your two three four five six seven eight nine ten eleven twelve
    twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds dozens""".split()
)
_SENTENCE_START_NOUNS = set(
    """officials official authorities police witnesses sources reports report residents people local security
    messages earlier later last next first today yesterday tomorrow now more latest breaking update updated watch
    related comments additional copyright previous several many""".split()
)
_TITLES = set("""mr mrs ms dr gen lt sgt capt col rep sen gov president minister colonel general brigadier
    lieutenant sergeant captain major officer sheriff mayor chief coroner judge spokesman spokeswoman head director
    commander deputy governor prime king queen prince detective agent professor""".split())
_PARTICLES = "of|of the|for|for the|de|del|da|di|du|van|von|der|bin|ibn|abu|al|el"
_CAPITALISED = r"(?:(?:[A-Z]\.){2,}|(?:(?:al|el|ad|as|an|bin|ibn|abu)-)?[A-Z](?:[\w-]|['’](?![sS]\b)(?=[A-Za-z]))*)"
_NAME = re.compile(
    rf"(?<![\w'’-]){_CAPITALISED}(?:[ \t]+(?:(?:{_PARTICLES})[ \t]+)?{_CAPITALISED})*"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[\"“‘(]\s*|\n\s*)$")


_SLOT_BEFORE = re.compile(
    r"\b(in|at|near|from|outside|inside|to|by|of|according to|town of|city of)\s+(?:the\s+)?$", re.IGNORECASE
)
_SLOT_AFTER = re.compile(r"\s+(?:has\s+|have\s+|had\s+)?(said|says|told|claimed|reported|stated|announced|"
                         r"confirmed|denied|blamed|added)\b", re.I)


def _opens_sentence(text: str, start: int) -> bool:
    """Does a word at `start` open the text, a sentence, a quote or a line? Reads a few characters back, not all."""
    return _SENTENCE_START.search(text[max(0, start - 8): start]) is not None


@dataclass(frozen=True)
class Entity:
    """One name as written, with the normalised tokens it is compared by and the slot it fills in its sentence."""

    text: str
    start: int
    end: int
    key: frozenset[str]
    alias: str | None
    slot: str | None
    sentence_initial: bool = False

    @property
    def weak(self) -> bool:
        """A lone unknown word opening a sentence ('Prisoners escaped') may be a common noun, not a name."""
        return (self.sentence_initial and " " not in self.text and self.slot is None and self.alias is None
                and not us_state(self.text))


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """Lowercase country names and demonyms -> the country's English name (CLDR data shipped with Babel)."""
    names = {code: name for code, name in Locale("en").territories.items() if len(code) == 2 and code.isalpha()
             and code not in {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}}
    table: dict[str, str] = {}
    for name in names.values():
        table[name.lower()] = name
        if " " not in name:
            low = name.lower()
            for demonym in (low + "i", low + "n", low + "ian", low[:-1] + "an"):
                table.setdefault(demonym, name)
    table.update({k: v for k, v in _DEMONYM_OVERRIDES.items()})
    table.update({"us": "United States", "u.s.": "United States", "usa": "United States", "america":
                  "United States", "uk": "United Kingdom", "britain": "United Kingdom"})
    return table


def us_state(text: str) -> str | None:
    """'South Carolina', 'SC' or 'S.C.' -> 'South Carolina'; None for anything else."""
    code = STATE_ABBREVIATIONS.get(text, text if text in US_STATES else None)
    if code:
        return US_STATES[code]
    return text if text in US_STATES.values() else None


def find(text: str) -> list[Entity]:
    """Every name in `text` with offsets, leading sentence-start words and titles left out of the match."""
    return list(_find(text))


@lru_cache(maxsize=8192)
def _find(text: str) -> tuple[Entity, ...]:
    """Memoised: verify checks one evidence text against many claims."""
    found = []
    aliased = [m for m in _ALIAS_PATTERN.finditer(text) if " " in m.group(0).strip()]
    for m in aliased:  # multi-word aliases first: "Islamic State of Iraq and the Levant" is one name
        found.append(_entity(text, m.start(), m.end()))
    for m in _NAME.finditer(text):
        if any(m.start() < a.end() and a.start() < m.end() for a in aliased):
            continue
        start, words = m.start(), m.group(0).split()
        while words and _droppable(words, _opens_sentence(text, start)):
            start = text.index(words[1], start + len(words[0])) if len(words) > 1 else m.end()
            words = words[1:]
        while words and (words[-1].lower() in _PARTICLES.split("|") or _is_date_word(words[-1])):
            words = words[:-1]
        if not words:
            continue
        end = text.index(words[-1], start) + len(words[-1])
        if end - start >= 2:
            found.append(_entity(text, start, end))
    return tuple(sorted(found, key=lambda e: e.start))


def _entity(text: str, start: int, end: int) -> Entity:
    surface = text[start:end]
    return Entity(surface, start, end, _key(surface), _alias(surface), _slot(text, start, end),
                  _opens_sentence(text, start))


def _droppable(words: list[str], opens_sentence: bool) -> bool:
    """Is the first word of a capitalised run not part of the name (a function word, a date, a sentence opener)?"""
    low = words[0].lower()
    if low in _TITLES:
        return len(words) == 1  # "Colonel Ahmed al-Timimi" keeps its title; the key drops it
    return low in _FUNCTION_WORDS or _is_date_word(words[0]) or (opens_sentence and low in _SENTENCE_START_NOUNS)


def extract(text: str) -> list[str]:
    """The distinct names in `text`, in order of first mention."""
    return list(dict.fromkeys(e.text for e in find(text)))


def _is_date_word(word: str) -> bool:
    low = word.lower().rstrip(".")
    return low in dates.MONTHS and low != "may" or low in dates.WEEKDAYS or word == "May"


def _alias(surface: str) -> str | None:
    low = " ".join(surface.lower().replace("-", " ").split())
    if low in ALIASES:
        return ALIASES[low]
    country = countries().get(low)
    return country.lower() if country else None


def _key(surface: str) -> frozenset[str]:
    """Comparison tokens: lowercase, hyphens split, titles and particles dropped, demonyms mapped to countries."""
    tokens = re.findall(r"[^\W\d_]+", re.sub(r"['’]", "", surface.lower()))
    key = set()
    for token in tokens:
        if token in _TITLES or token in {"of", "the", "for", "al", "el", "de", "and"}:
            continue
        key.add(countries().get(token, token).lower() if token in countries() else token)
    return frozenset(key)


def _slot(text: str, start: int, end: int) -> str | None:
    """The role a name plays, from the word before or after it: 'in Baghdad' -> 'in', 'Maan said' -> 'speaker'."""
    if _SLOT_AFTER.match(text, end):
        return "speaker"
    before = _SLOT_BEFORE.search(text[max(0, start - 30): start])
    if before:
        word = before.group(1).lower()
        return "speaker" if word == "according to" else "place" if word in (
            "in", "at", "near", "from", "outside", "inside", "town of", "city of") else word
    return None


def _token_in(token: str, pool: set[str]) -> bool:
    return token in pool or (len(token) >= 5 and any(len(p) >= 5 and ratio(token, p) >= 85 for p in pool))


def _pools(text: str, names: list[Entity]) -> tuple[set[str], set[str]]:
    """The comparison words of a text (demonyms mapped to countries) and the aliases it uses."""
    words = {_key_word(w) for w in re.findall(r"[^\W\d_]+", text.lower())}
    aliases = {e.alias for e in names if e.alias} | {ALIASES[_norm(m.group(0))] for m in _ALIAS_PATTERN.finditer(text)}
    aliases |= {ALIASES[m["after_article"] or m["hyphened"]] for m in _LOWERCASE_ALIAS.finditer(text)}
    return words, aliases


def _matches(entity: Entity, other_names: list[Entity], other_words: set[str], other_aliases: set[str]) -> bool:
    """Named on the other side: same alias, all its tokens among the other's words, or a shorter form of it there."""
    if entity.alias and entity.alias in other_aliases:
        return True
    if entity.key and all(_token_in(t, other_words) for t in entity.key):
        return True
    return any(e.key and all(_token_in(t, set(entity.key)) for t in e.key) for e in other_names)


def compare(claim: str, evidence: str) -> Check:
    """Does the evidence name the claim's names?

    mismatch only when a claimed name is missing *and* the evidence puts a different name in the same slot
    ("in Baghdad" vs "in Mosul", "Maan said" vs "the ministry said", two countries); absent when it is just missing.
    """
    given = find(evidence)
    evidence_words, evidence_aliases = _pools(evidence, given)
    found = {c: _matches(c, given, evidence_words, evidence_aliases) for c in find(claim)}
    claimed = [c for c, matched in found.items() if matched or not c.weak]
    if not claimed:
        return Check("na", "claim names no one")
    missing = [c for c in claimed if not found[c]]
    if not missing:
        return Check("match", "evidence names " + ", ".join(dict.fromkeys(c.text for c in claimed)))
    claim_words, claim_aliases = _pools(claim, claimed)
    unused = [e for e in given if not _matches(e, claimed, claim_words, claim_aliases)]
    for c in missing:
        rival = next((e for e in unused if _same_slot(c, e)), None)
        if rival is not None:
            return Check("mismatch", f"claim names '{c.text}' where evidence names '{rival.text}'")
    return Check("absent", "evidence does not name " + ", ".join(dict.fromkeys(c.text for c in missing)))


def named_as_in(claim: str, evidence: str) -> str:
    """The claim with each person's or organisation's name written as the evidence writes it, where the evidence gives
    a shorter or fuller form of it ('Saad Maan Ibrahim' / 'Brigadier General Saad Maan'): the form the verifier reads.

    The verifier compares names as strings: given 'Saad Maan said the prisoners clashed with guards', it read 'Saad Maan
    Ibrahim said the prisoners clashed with guards' as a contradiction (p = 0.95 on the seeds), a different person. Only
    forms one of whose tokens contains the other's are aligned, never two different names ('John Smith' / 'Jane
    Smith'), and never a country or a name that holds one ('Iraq' is not a short form of 'Iraqi Interior Ministry').
    """
    given = [e for e in find(evidence) if e.key and not _holds_country(e)]
    out, at = [], 0
    for name in find(claim):
        if not name.key or _holds_country(name):
            continue
        forms = [e for e in given if e.key != name.key and (e.key < name.key or name.key < e.key)]
        if not forms:
            continue
        best = max(forms, key=lambda e: (len(e.key & name.key), len(e.text)))
        out += [claim[at:name.start], best.text]
        at = name.end
    return "".join(out) + claim[at:] if out else claim


def _holds_country(entity: Entity) -> bool:
    return any(token in _country_names() for token in entity.key) or (entity.alias or "") in _country_names()


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("-", " ").split())


def _key_word(word: str) -> str:
    return countries().get(word, word).lower() if word in countries() else word


def _same_slot(a: Entity, b: Entity) -> bool:
    if a.slot and a.slot == b.slot:
        return True
    a_country, b_country = _alias(a.text), _alias(b.text)
    return bool(a_country and b_country and a_country in _country_names() and b_country in _country_names())


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    return frozenset(name.lower() for name in countries().values())
