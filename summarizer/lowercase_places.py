"""lowercase_places: the places named in a report written without capitals ('protests in amman', 'the town of
salgar', 'in antioquia province'), where no name stands out by its capital letter.

Some feeds and datasets lowercase everything but the first letter of each sentence. The place rules of
summarizer.anchors start from capitalised names, so in such a report they find nothing. Here the words around a
name carry the whole weight, each cue a table below:
  - a place noun names what follows or precedes it ('the town of salgar', 'the sea of okhotsk', 'county down',
    'antioquia province', 'olongapo city'): any words there are a place, a known name preferred;
  - a preposition ('in amman', 'near frankfurt'), a possessive or an office ('romania's', 'chicago mayor', 'a milan
    court') names a place only when the gazetteer knows it: a country, a US state, or a town of at least
    TOWN_ON_ITS_OWN people, since smaller towns share their names with English words ('in most', 'in time');
  - a country's own name ('romania', 'northern ireland') needs no cue, except the few that are also common words
    ('turkey', 'jordan'): a preposition, a possessive ("turkey's") or another country beside it ('iraq and turkey').
The name is returned title-cased ('Santa Margarita', 'Sea of Okhotsk') with the offsets of the words as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from summarizer import gazetteer
from summarizer.checks import entities

LOWERCASE_SHARE = 0.01  # a report is lowercased when fewer than 1% of its words inside sentences are capitalised
TOWN_ON_ITS_OWN = 100_000  # people: a town this large is a place after a bare 'in'; a smaller one needs a place noun

# Nations within a country, which no country table lists: a region, with no country the report may not name.
NATIONS = {"northern ireland", "scotland", "wales", "england"}
# Nouns that name the place after "of": kind of place each gives.
NOUN_OF = {"town": "place", "city": "place", "village": "place", "capital": "place", "suburb": "place",
           "outskirts": "place", "district": "region", "province": "region", "region": "region", "state": "region",
           "county": "region", "governorate": "region", "island": "place", "sea": "place", "gulf": "place",
           "bay": "place", "lake": "place", "port": "place"}
# Nouns whose "of" is more often not a place ("a state of emergency", "the region of interest"): a known name only.
KNOWN_ONLY_OF = {"state", "region", "district", "port"}
# The words in "the sea of okhotsk" that belong to the name itself.
NAMED_WITH_NOUN = {"sea", "gulf", "bay", "lake", "island", "isle"}
# Nouns that name the place before them ("antioquia province", "olongapo city", "kamchatka peninsula").
NOUN_AFTER = {"province": "region", "governorate": "region", "region": "region", "county": "region",
              "state": "region", "peninsula": "region", "city": "place", "town": "place", "village": "place"}
PREPOSITIONS = ("in", "at", "near", "outside", "inside", "from", "into", "across", "around", "of")
OFFICES_AFTER = ("mayor", "police", "court", "courthouse", "prosecutor", "prosecutors", "governor", "council",
                 "airport", "city council", "authorities", "officials")
COMMON_WORD_COUNTRIES = {"turkey", "jordan", "chad", "georgia", "guinea", "china", "niger", "us"}
# Words that never open or fill a place name here, whatever follows them.
NOT_NAMES = set("""the a an this that these those its their his her our and or but of to for with by on in at from
    as is was were be been has have had us we said says will would who which where when while after before during since
    north south east west northern southern eastern western central january february march april may june july august
    september october november december monday tuesday wednesday thursday friday saturday sunday""".split())
NAME_STARTERS = {"san", "santa", "santo", "st", "saint", "new", "port", "fort", "mount", "el", "la", "las", "los",
                 "al", "ras", "abu", "ben", "bel", "puerto", "rio", "sao", "north", "south", "east", "west", "great",
                 "upper", "lower"}
# An unknown word with an adjective's ending is not a name before a place noun: "the kurdish region", "the islamic
# state", "an autonomous region" (a known name is: "the isfahan province").
_ADJECTIVE = re.compile(r"(?:ic|ish|ous|al|an|ese|ian|ive)$")
_LOWER_PARTICLES = {"of", "de", "del", "da", "do", "dos", "du", "la", "le", "am", "an", "on", "upon", "the"}

_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*(?:['’](?!s\b)[a-z]+)*")  # "romania's" is "romania", "o'neill" one word
_INNER_WORD = re.compile(r"(?<![.!?:;\"“‘(\n]\s)(?<![.!?:;\"“‘(\n])(?<=\s)([A-Za-z][a-z]+)\b")


class Known(NamedTuple):
    """A place name the tables or the gazetteer know, ending before word `end`."""

    end: int
    kind: str
    country: str | None
    population: int = 0


@dataclass(frozen=True)
class LowercasePlace:
    text: str  # title-cased
    kind: str  # place | region | country
    country: str | None
    start: int
    end: int


def is_lowercased(text: str) -> bool:
    """Whether a report is written without capitals inside its sentences (at least 50 such words to judge by)."""
    inner = _INNER_WORD.findall(text)
    return len(inner) >= 50 and sum(w[0].isupper() for w in inner) < LOWERCASE_SHARE * len(inner)


def countries_in(text: str) -> list[str]:
    """The countries a lowercased text names, in order."""
    return [p.country for p in places_in(text) if p.kind == "country"]


def places_in(sentence: str) -> list[LowercasePlace]:
    """Every place the cues name in one lowercased sentence, each named once (the longest reading at a spot)."""
    low = sentence.lower()
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(low)]
    found: list[LowercasePlace] = []
    taken: set[int] = set()
    for i, (_, _, word) in enumerate(words):
        for place in (_after_noun_of(words, i), _before_noun(words, i), _after_county(words, i),
                      _known(words, i, low)):
            if place and not taken.intersection(range(place.start, place.end)):
                found.append(place)
                taken.update(range(place.start, place.end))
    return sorted(found, key=lambda p: p.start)


def _after_noun_of(words: list, i: int) -> LowercasePlace | None:
    """'the town of salgar', 'the village of santa margarita', 'the sea of okhotsk', 'the us state of north dakota'."""
    word = words[i][2]
    if word not in NOUN_OF or i + 2 >= len(words) or words[i + 1][2] != "of" or not _adjacent(words, i, i + 1):
        return None
    known = _known_at(words, i + 2)
    end = known.end if known else None if word in KNOWN_ONLY_OF else _unknown_end(words, i + 2)
    if end is None:
        return None
    return _place(words, i if word in NAMED_WITH_NOUN else i + 2, end, NOUN_OF[word], known.country if known else None)


def _before_noun(words: list, i: int) -> LowercasePlace | None:
    """'antioquia province', 'agri province', 'olongapo city', 'kamchatka peninsula', 'morton county'."""
    if i + 1 >= len(words) or words[i + 1][2] not in NOUN_AFTER or not _adjacent(words, i, i + 1):
        return None
    for first in (i - 1, i):
        if first >= 0 and all(words[k][2] not in NOT_NAMES for k in range(first, i + 1)) \
                and _adjacent(words, first, i) and (_known_name(words, first, i + 1) or not _ADJECTIVE.search(
                    words[i][2]) and (first == i or words[first][2] in NAME_STARTERS)):
            return _place(words, first, i + 1, NOUN_AFTER[words[i + 1][2]])
    return None


def _after_county(words: list, i: int) -> LowercasePlace | None:
    """'county down', 'county fermanagh': the Irish order, the county named with its noun."""
    if words[i][2] != "county" or i + 1 >= len(words) or words[i + 1][2] in NOT_NAMES or not _adjacent(words, i, i + 1):
        return None
    if i > 0 and words[i - 1][2] not in NOT_NAMES and _adjacent(words, i - 1, i):  # 'morton county sheriff'
        return None
    return _place(words, i, i + 2, "region")


def _known(words: list, i: int, low: str) -> LowercasePlace | None:
    """A country, US state or town the gazetteer knows, with the cue the module docstring names for it."""
    known = _known_at(words, i)
    if not known:
        return None
    end, kind, country, population = known
    name = " ".join(w[2] for w in words[i:end])
    before = words[i - 1][2] if i > 0 and _adjacent(words, i - 1, i) else ""
    after = low[words[end - 1][1]:]
    cued = before in PREPOSITIONS or re.match(r"['’]s\b|\s+(?:" + "|".join(OFFICES_AFTER) + r")\b", after)
    if kind == "country" or name in NATIONS:
        ok = name not in COMMON_WORD_COUNTRIES or name != "us" and (
            before in PREPOSITIONS or bool(re.match(r"['’]s\b", after)) or _beside_a_country(words, i, end))
    elif kind == "region":
        ok = bool(cued)
    else:
        ok = bool(cued) and population >= TOWN_ON_ITS_OWN
    return _place(words, i, end, kind, country) if ok else None


def _beside_a_country(words: list, i: int, end: int) -> bool:
    """'iraq and turkey', 'turkey or syria': a common word joined to a country's name is a country too."""
    left = i >= 2 and words[i - 1][2] in ("and", "or") and _adjacent(words, i - 2, i)
    right = end + 1 < len(words) and words[end][2] in ("and", "or") and _adjacent(words, end - 1, end + 1)
    return any(known and known[1] == "country" and name not in COMMON_WORD_COUNTRIES
               for known, name in ((left and _known_at(words, i - 2), left and words[i - 2][2]),
                                   (right and _known_at(words, end + 1), right and words[end + 1][2])))


def _known_at(words: list, i: int) -> Known | None:
    """The longest known place name starting at word i."""
    for end in range(min(len(words), i + 3), i, -1):
        name = " ".join(w[2] for w in words[i:end])
        if not _adjacent(words, i, end - 1) or name in NOT_NAMES:
            continue
        if name in NATIONS:
            return Known(end, "region", None)
        country = entities.countries().get(name)
        if country and name == country.lower() or name in COMMON_WORD_COUNTRIES and country:
            return Known(end, "country", country)
        if entities.us_state(name.title()):
            return Known(end, "region", "United States")
        town = gazetteer.world_towns().get(name)
        if town:
            return Known(end, "place", town[1], town[2])
    return None


def _unknown_end(words: list, i: int) -> int | None:
    """Where an unknown name after a place noun ends: one word, or two when the first opens names ('santa
    margarita')."""
    if words[i][2] in NOT_NAMES and words[i][2] not in NAME_STARTERS:
        return None
    if words[i][2] in NAME_STARTERS and i + 1 < len(words) and words[i + 1][2] not in NOT_NAMES \
            and _adjacent(words, i, i + 1):
        return i + 2
    return i + 1 if words[i][2] not in NAME_STARTERS else None


def _known_name(words: list, start: int, end: int) -> bool:
    known = _known_at(words, start)
    return bool(known and known.end == end)


def _adjacent(words: list, i: int, j: int) -> bool:
    """Whether words i..j are separated only by single spaces (no comma or full stop between them)."""
    return all(words[k + 1][0] - words[k][1] == 1 for k in range(i, j))


def _place(words: list, start: int, end: int, kind: str, country: str | None = None) -> LowercasePlace:
    text = " ".join(w[2] if w[2] in _LOWER_PARTICLES and k > start else w[2].capitalize()
                    for k, w in enumerate(words[start:end], start))
    if kind == "region" and entities.us_state(text):
        country = "United States"
    return LowercasePlace(text=text, kind=kind, country=country, start=words[start][0], end=words[end - 1][1])
