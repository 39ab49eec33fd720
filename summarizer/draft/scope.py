"""The main event and its scope: the dates, places, regions and countries the text offers (the date is counted, not
asked), the event the model chose among them, and the rule that tells a sentence about another event from one about
the main event."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from summarizer import gazetteer
from summarizer.anchors import Candidates, event_day
from summarizer.checks import dates
from summarizer.claims import event_words
from summarizer.draft.text import norm
from summarizer.schema import EventType
from summarizer.sources import Sentence

# Events a bare year or month never dates: no words name an 'other' event, and reports on rulings, deals and matches
# give the years of what came before (a semi-final reached in 2013, a firm founded in 1851, a sale due in March 2017).
DATED_BY_DAY_ONLY = {EventType.other, EventType.court_ruling, EventType.company_deal, EventType.sports_match}
SAME_EVENT_DAYS = 7  # a dated sentence further than this from the main event's day is about something else
# Words with which a report says that what a sentence tells is another event than the one it reports: "At the same
# time as the prison break, a series of suicide attacks killed at least 22", "Separately, ...", "Elsewhere, ...",
# "In a separate attack, ...". (Not 'another' or 'separate' before a word for what someone said: "in a separate
# statement, police said" is the same event told again.)
OTHER_EVENT_CUES = re.compile(
    r"\b(?:at\s+the\s+same\s+time\s+as|(?:on\s+)?the\s+same\s+day\s+as|separately|elsewhere|in\s+an?\s+"
    r"(?:separate|unrelated|earlier|later|second|similar)\s+(?!statement|interview|report|post|message|news|press|"
    r"briefing|conference|tweet|video|email|letter)\w+|in\s+another\s+(?:attack|incident|bombing|blast|explosion|"
    r"shooting|raid|clash|strike|case|storm|crash|fire|protest|election|vote|deal|ruling))\b",
    re.IGNORECASE,
)
_DATE_VALUE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")


def _by_mentions(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """name -> sentence ids, names spelled as most often written but never shouted when the text also writes them
    normally ('Memphis', not a dateline's 'MEMPHIS'), most-mentioned first ('Al-Khalis' = 'Al Khalis')."""
    spellings: dict[str, Counter] = {}
    mentions: dict[str, list[str]] = {}
    for name, sentence_id in pairs:
        key = norm(name)
        spellings.setdefault(key, Counter())[name] += 1
        mentions.setdefault(key, []).append(sentence_id)
    ranked = sorted(mentions, key=lambda k: -len(mentions[k]))
    written = {k: max(spellings[k], key=lambda name: (not name.isupper(), spellings[k][name])) for k in ranked}
    return {written[k]: list(dict.fromkeys(mentions[k])) for k in ranked}


def _town_regions(places: list) -> dict[str, tuple[str, str | None]]:
    """Town (normalised) -> (region, basis): the region most often written with it ('Taylor, Mich.'), else the
    gazetteer's inference (basis set)."""
    written: dict[str, Counter] = {}
    inferred: dict[str, tuple[str, str]] = {}
    for p in places:
        if p.kind == "place" and p.region:
            if p.region_basis:
                inferred[norm(p.text)] = (p.region, p.region_basis)
            else:
                written.setdefault(norm(p.text), Counter())[p.region] += 1
    return inferred | {town: (regions.most_common(1)[0][0], None) for town, regions in written.items()}


@dataclass
class Options:
    """What the text offers for date and location, restricted to the sentences the model was shown. A site (a venue,
    a street) is offered as the place only when the reports name no town."""

    dates: dict[str, list[str]]
    places: dict[str, list[str]]
    regions: dict[str, list[str]]
    countries: dict[str, list[str]]
    town_regions: dict[str, tuple[str, str | None]]
    texts: dict[str, str] = field(default_factory=dict)  # sentence id -> text, for what a date's sentence is about
    event_day: str | None = None
    news_days: set[str] = field(default_factory=set)  # days in the week up to a report's own date
    place_countries: dict[str, set[str]] = field(default_factory=dict)  # town -> the countries its mentions are in
    report_of: dict[str, str] = field(default_factory=dict)  # sentence id -> its report's id

    @classmethod
    def of(cls, candidates: Candidates, visible: set[str], texts: dict[str, str] | None = None) -> Options:
        """`texts` (sentence id -> text) lets `event_date` tell which sentences are about the event."""
        places = [p for p in candidates.places if p.sentence_id in visible]
        dates = [(d.value, d.sentence_id) for d in candidates.dates
                 if d.sentence_id in visible and d.value and _DATE_VALUE.match(d.value) and not d.background]
        town_regions = _town_regions(places)
        towns = _by_mentions([(p.text, p.sentence_id) for p in places if p.kind == "place"]
                             or [(p.text, p.sentence_id) for p in places if p.kind == "site"])
        return cls(texts=dict(texts or {}),
            dates=_by_mentions(dates),
            # a town whose state a report writes or the gazetteer knows leads, then by mentions: the model leans to
            # the first option, and a name no gazetteer knows is more often a neighbourhood ('Flour Bluff' in Corpus
            # Christi) or a business than the town
            places=dict(sorted(towns.items(), key=lambda item: norm(item[0]) not in town_regions)),
            regions=_by_mentions([(p.region or p.text, p.sentence_id) for p in places if p.kind == "region"]
                                 + [(p.region, p.sentence_id) for p in places
                                    if p.kind == "place" and p.region and not p.region_basis]),
            countries=_by_mentions([(p.country, p.sentence_id) for p in places if p.country]),
            town_regions=town_regions,
            place_countries={norm(p.text): {q.country for q in places if norm(q.text) == norm(p.text) and q.country}
                             for p in places if p.kind in ("place", "site")},
            report_of={p.sentence_id: p.doc_id for p in places},
            event_day=event_day([d for d in candidates.dates if d.sentence_id in visible and not d.background]),
            news_days={d.value for d in candidates.dates if d.sentence_id in visible and d.news_of_the_day
                       and not d.background},
        )

    def region_of(self, town: str | None) -> tuple[str, str | None] | None:
        """(region, basis) of a town: the one a sentence writes with it, else the one the gazetteer inferred."""
        return self.town_regions.get(norm(town)) if town else None

    def town(self, pick: str | None) -> str | None:
        """The town for the model's pick. The model leans to a name it read near the event, so its pick yields to the
        first town offered when no report gives the pick's state (written, or the gazetteer's inference from their
        cues) but they do the first's ('Chisholm', a neighbourhood, under Montgomery, Alabama), and then to the town
        named by more reports than it ('Grandville' in one report under Detroit in two); on a tie, the earlier
        offered. (One run's picks on the first 100 GVA dev incidents, replayed: 81 right, 83 by the first rule, 88
        by both.)"""
        first = next(iter(self.places), None)
        if pick and first and pick != first and not self.region_of(pick) and self.region_of(first):
            pick = first
        if pick not in self.places:
            return pick
        most = max(self.places, key=lambda town: self.reports_naming(town))  # max keeps the earliest of a tie
        return most if self.reports_naming(most) > self.reports_naming(pick) else pick

    def reports_naming(self, town: str) -> int:
        return len({self.report_of[sentence_id] for sentence_id in self.places.get(town, [])})

    def country_of(self, town: str | None) -> str | None:
        """The country of a town, when the reports offer it as a country: the gazetteer's (Amsterdam's is the
        Netherlands, whatever country a report names most: 'Spain' in a report on Spain's defeat there), else the one
        every mention of the town is in (anchors: the country its sentence names, else its report's most named). A
        town no gazetteer knows ('dogubayezit' in a report on Turkey that also names Iraq) is not left to the model."""
        if not town:
            return None
        country = gazetteer.world_country(town)
        if country in self.countries:
            return country
        around = self.place_countries.get(norm(town), set())
        return next(iter(around)) if len(around) == 1 and next(iter(around)) in self.countries else None

    @property
    def most_reported_date(self) -> str | None:
        """The day most reports give for the event (anchors.event_day: dates in clauses telling the shooting, not
        the death days later, the statement, the vigil or the page), else the day the most sentences give among the
        days of the week up to a report's own date (news; an older day, or any day in an undated report, is more
        often background: when a parking fine was given, an offence, a correction note). The text decides, not the
        model: on the first 20 GVA dev incidents the sentence count gave the right day 17 times, the 0.5B model's
        own choice among the same options 13-14 times and the 1.5B's 5 of its first 8; on incidents 21-120, the
        count 83 of 100 (see eval/RESULTS.md for event_day)."""
        days = [value for value in self.dates if len(value) == 10 and value in self.news_days]
        return self.event_day or (days or [None])[0]

    def event_date(self, event_type: EventType) -> str | None:
        """The main event's date: the most reported day (`most_reported_date`); with no day, the month or year the
        most sentences that name such an event give ('the 2015 governorship elections'; DATED_BY_DAY_ONLY events get
        none); a year the reports give
        only beside something else ('in 1999 military rule ended', in a report on an election) or as background
        ('since 1999', never an option) is not the event's date, and with none the date is not stated."""
        day = self.most_reported_date
        if day and len(day) == 10:
            return day
        if event_type in DATED_BY_DAY_ONLY:
            return None
        named = {sid for sid, text in self.texts.items() if dates.names_event(text, event_type.value)}
        coarse = sorted((v for v in self.dates if any(sid in named for sid in self.dates[v])),
                        key=lambda v: -sum(sid in named for sid in self.dates[v]))
        return coarse[0] if coarse else None


@dataclass
class MainEvent:
    event_type: EventType
    date: str | None
    place: str | None
    region: str | None
    country: str | None
    region_basis: str | None = None  # set when the region is inferred (summarizer.gazetteer), not written
    within: str | None = None  # the model's pick when Options.town chose another town: a part of it, about the event

    def describe(self) -> str:
        where = ", ".join(x for x in (self.place, self.region, self.country) if x)
        when = self.date and f"{'on' if len(self.date) == 10 else 'in'} {spoken_date(self.date)}"  # in May 2015
        return " ".join(filter(None, (event_words(self.event_type), where and f"in {where}", when)))


def spoken_date(value: str) -> str:
    """'2015-05-08' -> '8 May 2015', as the model is told the main event's date: reports write dates this way."""
    parts = value.split("-")
    if len(parts) == 3:
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"
    return f"{date(int(parts[0]), int(parts[1]), 1):%B %Y}" if len(parts) == 2 else value


def _dates_agree(a: str, b: str) -> bool:
    """'2015' agrees with '2015-05-08', and so does any day within a week of it (a death confirmed three days later is
    news of the same event); 'June 2014' does not."""
    if len(a) == len(b) == 10:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= SAME_EVENT_DAYS
    n = min(len(a), len(b))
    return a[:n] == b[:n]


class EventScope:
    """Whether a sentence is about the main event. One the report itself sets beside the main event ('At the same time
    as the prison break, ...', 'Separately, ...': OTHER_EVENT_CUES) is not; otherwise, a sentence that names the main
    place (or the model's pick a rule overrode: 'Hermitage' under Nashville) is; one that names another town or place
    (its own region and country aside), or a date the main event's date rules out, is about something else (a car
    bomb in Baghdad the next day, a prison break in 2013); anything else is taken to be about the main event, as the
    reports are."""

    def __init__(self, main: MainEvent, candidates: Candidates, sentences: dict[str, str] | None = None):
        self.main = main
        self.elsewhere = {sid for sid, text in (sentences or {}).items() if OTHER_EVENT_CUES.search(text)}
        self.places: dict[str, list[str]] = {}
        around = {norm(x) for x in (main.region, main.country) if x}  # the main event's own region is no elsewhere
        for p in candidates.places:
            if p.kind == "place" and norm(p.text) not in around:
                self.places.setdefault(p.sentence_id, []).append(norm(p.text))
        self.dates: dict[str, list[str]] = {}
        for d in candidates.dates:
            if d.value and _DATE_VALUE.match(d.value):
                self.dates.setdefault(d.sentence_id, []).append(d.value)

    def is_main(self, sentence_id: str) -> bool:
        if sentence_id in self.elsewhere:
            return False
        here = self.places.get(sentence_id, [])
        if self.main.place:
            main_places = {norm(self.main.place), norm(self.main.within or self.main.place)}
            if main_places & set(here):
                return True
            if any(p not in main_places for p in here):
                return False
        if self.main.date and any(not _dates_agree(d, self.main.date) for d in self.dates.get(sentence_id, [])):
            return False
        return True


def event_types_by_use(sentences: list[Sentence]) -> list[EventType]:
    """The event types some sentence names (dates.EVENT_WORDS: 'bombs', 'blast' name a bombing; 'snowstorm' a
    disaster), the one the most sentences name first, then 'other'. The options are offered in this order, like places
    and dates: a small model leans to the first one, and offered 'attack' for a snowstorm or a court ruling, it took
    it (15 of 27 multi-kind dev notes). A type no sentence names is not offered."""
    uses = {kind: sum(dates.names_event(s.text, kind.value) for s in sentences)
            for kind in EventType if kind is not EventType.other}
    named = sorted((kind for kind, count in uses.items() if count), key=lambda kind: -uses[kind])
    return [*named, EventType.other]
