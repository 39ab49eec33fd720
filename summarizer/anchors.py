"""anchors: Sources -> Candidates, the deterministic facts a small model chooses among instead of inventing them.

Every candidate is read off one source sentence by rules (summarizer.checks and the reporting-frame rules below) and
carries that sentence's id, so a figure's citation and its `reported_by` come from the text, never from the model's
memory. Only canonical documents are read: a near-duplicate capture adds no new candidates.

Reporting frames recognised (the speaker is the words the text uses, trimmed to a noun phrase):
  "Iraqi officials said ...", "X told CNN that ...", "X reported that ...", "X, the mayor of Y, blamed ..."
  "..., security and police officials have said."   "..., said Oudi Al-Khadran, the mayor ..."
  "according to Maan", "according to Amaq News Agency"
Places come from names with a place cue ("in X", "X province"), from "Town, State" and from datelines
("MEMPHIS, Tenn. (AP) --"); a name ending in a venue word ("... Apartments", "... Hospital") is a site, not a town,
and a person, an agency or a cut-off name after a cue is no town at all. A report written without capitals is read
by summarizer.lowercase_places instead.
A US town no sentence gives a state gets one from summarizer.gazetteer when the reports' cues agree, marked with
the basis of the inference.
"The agency claimed ..." resolves "the agency" to the nearest earlier name in the same document containing
"Agency"; a pronoun ("he said") gives no speaker, because a wrong name is worse than none.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date

from pydantic import BaseModel, Field

from summarizer import gazetteer, lowercase_places
from summarizer.checks import dates, entities, numbers
from summarizer.schema import FigureKind
from summarizer.sources import Document, Sentence, Sources


class FigureCandidate(BaseModel):
    """A number that counts people (or says what happened to things): '12 police officers' killed, per X."""

    sentence_id: str
    doc_id: str
    text: str = Field(description="the number as written, e.g. 'more than 50', 'a dozen'")
    value_min: int
    value_max: int | None = None
    qualifier: str
    vague: bool = False
    group: str | None = Field(default=None, description="the counted noun phrase, e.g. 'police officers'")
    kind: FigureKind = FigureKind.other
    reported_by: str | None = Field(default=None, description="speaker of the sentence's reporting frame")
    part_of: int | None = Field(default=None, description="offset of the figure of the same people and kind this one "
                                "is part of ('more than fifty prisoners escaped, including nine who ...')")
    start: int = Field(description="offset of `text` in the document")
    end: int


class Attribution(BaseModel):
    """Who says something in a sentence, and how ('claimed' hedges, 'denied' negates)."""

    sentence_id: str
    doc_id: str
    speaker: str = Field(description="the speaker, with 'the agency' resolved to the name it refers to")
    as_written: str = Field(description="the speaker's words in the sentence")
    verb: str
    stance: str = Field(description="asserts | claims | denies | blames | supports")
    start: int = Field(description="offset of the speaker's words in the document")
    end: int


class DateCandidate(BaseModel):
    sentence_id: str
    doc_id: str
    value: str | None = Field(description="ISO date at its precision; None for a weekday the document can't date")
    precision: str
    text: str
    relative: bool = Field(description="resolved against the document's date ('on Friday', 'yesterday')")
    background: bool = Field(default=False, description="a time the sentence measures from or to ('since 1999'), "
                             "not when something happened")
    of_event: bool = Field(default=False, description="the clause it is in tells the event itself ('shot Saturday "
                           "night', 'Monday's shooting'), not what followed ('died Sunday', 'said Tuesday', 'a vigil "
                           "Sunday'): see EVENT_WORDS")
    news_of_the_day: bool = Field(default=False, description="a day in the week up to the report's own date: news, "
                                  "where an older day or an undated report's day is more often background")
    start: int
    end: int


class PlaceCandidate(BaseModel):
    sentence_id: str
    doc_id: str
    text: str
    kind: str = Field(description="country | region | place | site (a venue, street or institution, or a part of a "
                      "town or a county: offered as the event's place only when no town is named)")
    country: str | None = Field(default=None, description="the country it is in or is, when the text says")
    region: str | None = None
    region_basis: str | None = Field(default=None, description="how the region was inferred, when no sentence "
                                     "states it (summarizer.gazetteer)")
    start: int
    end: int


class Candidates(BaseModel):
    figures: list[FigureCandidate] = Field(default_factory=list)
    attributions: list[Attribution] = Field(default_factory=list)
    dates: list[DateCandidate] = Field(default_factory=list)
    places: list[PlaceCandidate] = Field(default_factory=list)


# --- reporting frames --------------------------------------------------------------------------------------------------
STANCES = {
    "said": "asserts", "says": "asserts", "say": "asserts", "told": "asserts", "tells": "asserts",
    "reported": "asserts", "reports": "asserts", "stated": "asserts", "states": "asserts", "added": "asserts",
    "announced": "asserts", "confirmed": "asserts", "confirms": "asserts", "posted": "asserts", "wrote": "asserts",
    "according to": "asserts", "claimed": "claims", "claims": "claims", "alleged": "claims", "alleges": "claims",
    "insisted": "claims", "denied": "denies", "denies": "denies", "blamed": "blames", "blames": "blames",
    "attributed": "blames", "accused": "blames", "backed": "supports", "supported": "supports",
}
_FRAME_VERB = re.compile(r"\b(" + "|".join(v for v in STANCES if v != "according to") + r")\b")
_ACCORDING_TO = re.compile(r"\baccording\s+to\s+([^,.;:!?\"“”()]+)", re.IGNORECASE)
_INVERTED = re.compile(r"(?:,|[\"”’])\s*(said|says|added|told|reported|claimed|stated)\s+(?!that\b)", re.IGNORECASE)
# Lowercase words that can head or fill a speaker's noun phrase ("security and police officials").
SPEAKER_WORDS = set(
    """official officials spokesman spokeswoman spokesperson source sources agency police authorities report reports
    ministry officer officers witness witnesses eyewitness eyewitnesses resident residents medic medics doctor doctors
    government military army security medical local senior anonymous unnamed group militant militants media
    statement social mayor governor commander colonel general head chief director minister analyst analysts expert experts
    activist activists monitor observatory hospital coroner sheriff department office prosecutor prosecutors
    investigator investigators spokesmen correspondent journalist journalists provincial interior defence defense
    state federal county city""".split()
)
_SKIPPED_BEFORE_VERB = {"has", "have", "had", "also", "later", "previously", "reportedly", "then", "again", "earlier",
                        "separately", "initially", "first", "had"}
_OPENING_ADVERB = re.compile(r"^(?:meanwhile|however|but|and|also|separately|elsewhere|earlier|later|yet|still|now|"
                             r"instead|indeed|moreover)\b[\s,]*", re.IGNORECASE)
_DETERMINERS = {"the", "a", "an", "another", "two", "three", "several", "some", "other", "its", "their"}
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "who", "which", "that", "this"}
_TOKEN = re.compile(r"[A-Za-z][\w.'’-]*|,|\S")
_NOUN_OR_VERB = {"reports", "claims", "states", "say"}
_DEFINITE = re.compile(r"^the\s+([a-z]+)$", re.IGNORECASE)


def _is_name_word(word: str) -> bool:
    return word[:1].isupper() or bool(re.match(r"(?:al|el|bin|ibn|abu)-[A-Z]", word))


def _speaker_before(text: str, end: int) -> tuple[int, int] | None:
    """The noun phrase that ends just before a reporting verb at `end`, skipping auxiliaries and one apposition."""
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text, 0, end)]
    while tokens and tokens[-1][0].lower() in _SKIPPED_BEFORE_VERB:
        tokens.pop()
    if tokens and tokens[-1][0] == ",":  # "ISIS, however, claimed" / "X, the mayor of Y, blamed"
        commas = [i for i, t in enumerate(tokens[:-1]) if t[0] == ","]
        if commas and len(tokens) - commas[-1] <= 14 and not any(t[0] in '"“”' for t in tokens[commas[-1]:]):
            tokens = tokens[: commas[-1]]
        else:
            return None
    phrase: list[tuple[str, int, int]] = []
    while tokens:
        word, start, stop = tokens[-1]
        low = word.lower().rstrip("’'s") if word.lower().endswith(("’s", "'s")) else word.lower()
        if low in _DETERMINERS:
            phrase.insert(0, tokens.pop())
            break
        if _is_name_word(word) or low in SPEAKER_WORDS or (phrase and low in ("of", "and", "for")):
            phrase.insert(0, tokens.pop())
            continue
        break
    while phrase and (phrase[0][0].lower() in ("of", "and", "for") or _OPENING_ADVERB.fullmatch(phrase[0][0])):
        phrase.pop(0)  # "Meanwhile Amaq said": the adverb opens the sentence, it names no one
    if not phrase or phrase[-1][0].lower() in _PRONOUNS or phrase[-1][0].lower() in _DETERMINERS:
        return None
    if len(phrase) == 1 and phrase[0][0].lower() in _PRONOUNS:
        return None
    return phrase[0][1], phrase[-1][2]


def _speaker_after(text: str, start: int) -> tuple[int, int] | None:
    """The speaker after an inverted verb: '..., said Oudi Al-Khadran, the mayor' -> 'Oudi Al-Khadran'.

    Only a name, or 'the'/'a' + a name or speaker word, counts: '..., claimed the prison break was ...' is no frame.
    """
    m = re.match(r"([^,.;:!?\"“”()]+?)(?=\s*(?:[,.;:!?\"“”()]|$))", text[start:])
    if not m:
        return None
    words = m.group(1).split()
    head = words[1] if words[0].lower() in _DETERMINERS and len(words) > 1 else words[0]
    if not (_is_name_word(head) or head.lower() in SPEAKER_WORDS) or head.lower() in _PRONOUNS or len(words) > 10:
        return None
    end = start + m.end(1)
    named = re.match(r",\s*((?:[A-Z][\w'’-]*|(?:al|el|bin|ibn|abu)-[A-Z][\w'’-]*)(?:\s+(?:[A-Z][\w'’-]*|(?:al|el|bin|"
                     r"ibn|abu)-[A-Z][\w'’-]*))+)\s*(?:[.;!?]|$)", text[end:])
    if named and words[0].lower() == "the":  # "said the Head of X, Seyyid Sadiq al-Husseini."
        end += named.end(1)
    return start, end


def reporting_frames(text: str) -> list[tuple[int, int, str]]:
    """(speaker start, speaker end, verb) for every reporting frame in one sentence."""
    frames = []
    for m in _ACCORDING_TO.finditer(text):
        speaker = m.group(1).strip()
        cut = re.search(r"\s+(?:which|who|that|and|but|on|in|at)\s", speaker)
        speaker = speaker[: cut.start()] if cut else speaker
        if speaker and speaker.split()[0].lower() not in _PRONOUNS:
            frames.append((m.start(1), m.start(1) + len(speaker), "according to"))
    inverted = set()
    for m in _INVERTED.finditer(text):
        span = _speaker_after(text, m.end())
        if span:
            frames.append((*span, m.group(1).lower()))
            inverted.add(m.start(1))
    for m in _FRAME_VERB.finditer(text):
        if m.start() in inverted or not _is_frame_verb(text, m):
            continue
        span = _speaker_before(text, m.start())
        if span is None:
            prefix = _OPENING_ADVERB.sub("", text[: m.start()].strip())  # "Meanwhile motoring groups said"
            words = [w.lower() for w in re.findall(r"[\w'’-]+", prefix)]
            if words and "," not in prefix and len(words) <= 8 and _is_name_word(prefix) and not _PRONOUNS & set(words):
                span = (text.index(prefix), text.index(prefix) + len(prefix))  # "Messages posted on X said"
        if span:
            frames.append((*span, m.group(1).lower()))
    return sorted(frames)


def _is_frame_verb(text: str, m: re.Match[str]) -> bool:
    """Not a passive ('was supported by'), and a noun-or-verb form ('reports') only right after a name."""
    before = re.findall(r"[\w'’]+", text[: m.start()])[-1:]
    if before and before[0].lower() in {"was", "were", "is", "are", "been", "be", "being"}:
        return False
    if re.match(r"\s+by\b", text[m.end():]):
        return False
    if m.group(1) in _NOUN_OR_VERB:  # "Isis claims responsibility", not "Official reports said"
        return bool(before) and _is_name_word(before[0]) and not _FRAME_VERB.match(text, m.end() + 1)
    return True


def _resolve(speaker: str, doc: Document, before: int) -> str:
    """'the agency' -> the nearest earlier name in the document that contains 'Agency'; otherwise unchanged."""
    m = _DEFINITE.match(speaker.strip())
    if not m:
        return speaker
    head = m.group(1).lower()
    names = [e for e in entities.find(doc.text[:before]) if head in (w.lower() for w in e.text.split())]
    return names[-1].text if names else speaker


# --- places --------------------------------------------------------------------------------------------------------
_PLACE_NOUN_AFTER = re.compile(
    r"\s+(province|governorate|district|neighbou?rhood|town|city|village|county|region|state|prison|facility|jail|"
    r"camp|base|airport|hospital|area|market|mosque|square|suburb)\b",
    re.IGNORECASE,
)
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|outside|inside|from|into|across|(?:north|south|east|west|northeast|northwest|southeast|"
    r"southwest)\s+of|(?:town|city|village|province|district|region|capital|neighbou?rhood|section|area|community|suburbs?|outskirts)\s+of)\s+(?:the\s+)?|"
    r"(?:neighbou?rhood|district|province|town|city),\s+)$",
    re.IGNORECASE,
)
_REGION_NOUNS = {"province", "governorate", "county", "region", "state"}
# A name ending in one of these is a site (a venue, a street, an institution), not the town the event happened in.
_SITE_WORDS = set(
    """hospital school hall apartments apartment center centre restaurant nightclub club lounge bar cafe hotel motel park
    church mosque temple synagogue mall store market plaza building tower complex sportsplex stadium arena university
    college academy department office headquarters station jail prison courthouse court street avenue road boulevard
    drive lane highway freeway expressway interstate bridge farm ranch plant factory warehouse airport cemetery
    elementary""".split()
)
# A business named before one of these is a site too: "the KFC parking lot", "outside Chili's restaurant" (not a
# town's institution: "the Al Khalis prison", "a Duluth hospital").
VENUE_AFTER = ("parking lot", "parking garage", "parking deck", "restaurant", "store", "nightclub", "night club",
               "club", "bar", "lounge", "apartments", "apartment complex", "motel", "hotel", "gas station", "mall",
               "drive-thru", "drive-through", "convenience store", "liquor store", "app", "website")
_SITE_AFTER = re.compile(r"(?:['’]s)?\s+(?:" + "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in VENUE_AFTER)
                         + r")\b", re.IGNORECASE)
_POSSESSIVE_SITE_AFTER = re.compile(r"['’]s\s+(?:" + "|".join(sorted(_SITE_WORDS)) + r")\b", re.IGNORECASE)
# A part of a town ("the East Hillside neighborhood", "the Elmwood section of Southwest Philadelphia", "the Harbor
# Gateway area of Los Angeles") and a county are not the town GVA and an analyst name: the town is.
# "Area" and "community" are weaker ("the Detroit area", "a Detroit community hall"): they make a part of a town of a
# name no gazetteer knows as a town, or of one followed by "of" ("the Harbor Gateway area of Los Angeles").
PART_OF_TOWN_WORDS = ("neighborhood", "neighbourhood", "section", "subdivision", "housing project")
WEAK_PART_OF_TOWN_WORDS = ("area", "community")
_PART_OF_TOWN_AFTER = re.compile(r"\s+(?:" + "|".join(PART_OF_TOWN_WORDS) + r")\b(?!\s+(?:hall|center|centre|"
                                 r"college|school|church|association|group|meeting|leaders?|members?))", re.IGNORECASE)
_WEAK_PART_OF_TOWN_AFTER = re.compile(r"\s+(?:" + "|".join(WEAK_PART_OF_TOWN_WORDS) + r")\b(?P<of>\s+of\b)?"
                                      r"(?!\s+(?:hall|center|centre|college|school|church|association|group|meeting|"
                                      r"leaders?|members?))", re.IGNORECASE)


CITY_POPULATION = 100_000  # a town this large is never a part of another ('in the Miami neighborhood')


def part_of_town(name: str, text: str, start: int, end: int) -> bool:
    """Whether the name at text[start:end] is called a part of a town there ('the East Hillside neighborhood'), not a
    town with a neighbourhood in it ('in a Greenacres neighborhood', 'the Miami neighborhood')."""
    strong, weak = _PART_OF_TOWN_AFTER.match(text, end), _WEAK_PART_OF_TOWN_AFTER.match(text, end)
    if not (strong or weak) or re.search(r"\b(?:an?|one)\s+$", text[max(0, start - 6):start], re.IGNORECASE):
        return False
    namesakes = gazetteer.states_with_town(name)
    if namesakes and namesakes[0][1] >= CITY_POPULATION:
        return False
    return bool(strong) or bool(weak["of"]) or not namesakes
_COUNTY_WORDS = {"county", "parish", "township"}
# "Southwest Philadelphia", "East Oakland": a compass part of a town is that town.
_COMPASS_PART = re.compile(r"^(?:North|South|East|West|Northeast|Northwest|Southeast|Southwest|Central|Downtown|"
                           r"Uptown|Midtown|Inner)\s+(?P<town>.+)$")
# "the Montgomery Police Department", "Duluth police": a town's police name the town (when it is a town).
_TOWN_POLICE = re.compile(r"(?P<town>(?:[A-Z][\w.'’-]*\s+){0,2}[A-Z][\w.'’-]*)\s+(?:Police(?:\s+Department|\s+Dept\.?)?|P\.?D\.?)$")
_POLICE_AFTER = re.compile(r"\s+(?:police|Police)\b")
_STATE_AFTER = re.compile(r",\s*([A-Z][A-Za-z]*\.?(?:\s?[A-Z][A-Za-z]*\.?)?)(?=[\s,.;:)]|$)")
# "MEMPHIS, Tenn. (AP) -- ...", "OAKLAND — ...", "MIAMI (WSVN) - ...": the town a report is filed from.
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){0,3})(?:,\s*(?P<state>[A-Z][A-Za-z.]*(?:\s[A-Z][a-z.]+)?))?"
    r"\s*(?:\([^)]{1,40}\))?\s*(?:--|[—–-])")


def _place(entity: entities.Entity, text: str) -> tuple[str, str | None, str | None] | None:
    """(kind, country, region) when a name is a place, from the gazetteers or the words around it."""
    low = entity.text.lower()
    state = entities.us_state(entity.text)
    if state and len(entity.text) == 2 and not re.search(r"[A-Za-z],\s*$", text[: entity.start]):
        state = None  # a postal code counts only in "Memphis, TN", not as "ID" or "OK" in a sentence
    if state:
        return ("region", "United States", state)
    country = entities.countries().get(low)
    if country and (low == country.lower() or low in entities.ALIASES):
        return ("country", country, None)
    if country or entity.alias == "isis" or low.split()[-1] in OUTLET_WORDS:  # a demonym ("Iraqi"), a group, an outlet
        return None
    state_after = _STATE_AFTER.match(text, entity.end)
    if state_after and entities.us_state(state_after.group(1)):  # "Taylor, Mich." / "Memphis, Tennessee"
        return ("place", "United States", entities.us_state(state_after.group(1)))
    if low.split()[-1] in _SITE_WORDS or low.split()[-1] in _COUNTY_WORDS or part_of_town(entity.text, text, entity.start, entity.end):
        return ("site", None, None)
    if _SITE_AFTER.match(text, entity.end) and not gazetteer.states_with_town(entity.text):  # not "a Duluth hospital"
        return ("site", None, None)
    if _POSSESSIVE_SITE_AFTER.match(text, entity.end):  # "Children's Hospital", "St. John's Hospital"
        return ("site", None, None)
    noun = _PLACE_NOUN_AFTER.match(text, entity.end)
    if noun and noun.group(1).lower() in _REGION_NOUNS:
        return ("region", None, entity.text)
    if noun or _PLACE_BEFORE.search(text[max(0, entity.start - 30): entity.start]):
        return ("place", None, None)
    return None


def _countries_named(text: str, lowercased: bool = False) -> list[str]:
    """The countries `text` names, in order, but a country across a border ('near the border with Iran')."""
    if lowercased:
        return [p.country for p in lowercase_places.places_in(text)
                if p.kind == "country" and not _across_border(text, p.start)]
    table = entities.countries()
    return [table[m.group().lower()] for m in re.finditer(r"[A-Z][a-z]+", text)
            if m.group().lower() in table and not _across_border(text, m.start())]


# Where someone lives or lived ("Weatherhogg, formerly of Guthrie, near Forfar, was found guilty"): a home, not a scene.
_HOME_BEFORE = re.compile(r"\b(?:(?:formerly|originally)\s+(?:of|from)|(?:lives|lived|living|resides|resided)\s+"
                          r"(?:in|at|near))\b[^.;:]*$", re.IGNORECASE)
# "near the border with Iran": the country across a border is the neighbour of the place, not its country.
_ACROSS_BORDER = re.compile(r"\bborder(?:s|ing)?\s+(?:with\s+)?(?:the\s+)?$", re.IGNORECASE)


def _across_border(text: str, start: int) -> bool:
    return bool(_ACROSS_BORDER.search(text, max(0, start - 25), start))


# --- the event's own day ------------------------------------------------------------------------------------------
# A report dates many things: the shooting, the death days later, the statement, the vigil, the arrest, the page
# itself. The day of the event is the one written in a clause that tells the event ("was shot Saturday night",
# "Monday's shooting", "gunfire erupted Wednesday night") and nothing that followed it. Each table is what a reader
# goes by; a clause runs between punctuation marks and words that open another time ("after", "before", "since").
EVENT_WORDS = {
    "shooting": r"shot|shoots?|shootings?|shootouts?|shooters?|gun(?:man|men|fire|shots?)|gunned\s+down|"
                r"opened\s+fire|open\s+fire|fired|shots\s+rang|bullets?",
    "killing": r"killed|killing|slain|murdered|wounded|ambushed",
    "suicide": r"suicide|took\s+(?:his|her|their)\s+own\s+li(?:fe|ves)",
    # the other kinds of event a report can be about (schema.EventType)
    "attack": r"attack(?:ed|s)?|stormed|bomb(?:s|ing|ings|ed)?|explo(?:ded|sions?)|blasts?|ambush",
    "prison break": r"prison\s+break|jail-?break|escaped|broke\s+out",
    "unrest": r"riots?|rioting|clash(?:es|ed)?|protests?|protesters",
}
AFTER_WORDS = {
    "death later": r"died|dies|succumbed|pronounced|autopsy",
    "the scene later": r"visit(?:s|ed|ing)?|photo(?:graph)?s?|pictured?",
    "mourning": r"vigils?|funerals?|memorials?|rall(?:y|ies)|marched|marching|gathered|honou?red|buried|mourn(?:ed)?",
    "justice": r"arrest(?:ed|s)?|charged?|charges|arraign(?:ed|ment)|court|hearing|sentenced|pleaded|indicted|"
               r"custody|booked|trial|identified",
    "hospital stay": r"remain(?:s|ed)?|condition",
    "the page": r"published|posted|updated|created",
    "a statement": r"statements?|comment(?:s|ed)?|(?:news|press)\s+conference",
}
# A statement is dated by the words right before the date ("police said Tuesday", "told reporters Tuesday"), where
# "police said a man was shot Tuesday" dates the shooting.
STATEMENT_BEFORE = r"(?:said|says|told|announced|confirmed|stated|added|released|identified)(?:\s+\w+){0,2}\s+$"
# Words that open another clause, and so another time: "died Friday after she was shot", "since Friday", "police
# said Tuesday that ...". "After"/"before" a time of day stay in the clause ("just before midnight Saturday").
CLAUSE_OPENERS = r"that|since|until|following|(?:after|before)(?!\s+(?:about\s+|around\s+)?(?:\d|midnight|noon|dawn|dark))"
_EVENT = re.compile(r"\b(?:" + "|".join(EVENT_WORDS.values()) + r")\b", re.IGNORECASE)
_AFTER = re.compile(r"\b(?:" + "|".join(AFTER_WORDS.values()) + r")\b", re.IGNORECASE)
_STATEMENT_BEFORE = re.compile(r"\b" + STATEMENT_BEFORE, re.IGNORECASE)
_CLAUSE_EDGE = re.compile(r",(?!\s+(?:where|when)\b)|(?<!\d):|[;()\[\]\"“”—–]|\s-+\s|\b(?:" + CLAUSE_OPENERS + r")\b",
                          re.IGNORECASE)  # "10:30 p.m. Tuesday on the South Side, where the shooting happened": one


# A dateline's date is the day the report was filed: "WASHINGTON, May 9, 2015 – ...", "SAVANNAH, GA (December 2, 2015):"
_DATELINE_BEFORE = re.compile(r"^[A-Z][A-Z .,'’-]*(?:,\s*[A-Z][A-Za-z.]*)?[\s,(]*$")
_DATELINE_AFTER = re.compile(r"\s*\)?\s*(?:--|[—–:-])")


_SPAN_BEFORE = re.compile(r"\b(?:since|until|till|by|through)\s+(?:(?:early|late|mid-?\w*)\s+)?$", re.IGNORECASE)


def clause_around(text: str, start: int, end: int) -> str:
    """The clause a span is in: from the last edge before it (an opener like 'after' starts the clause it opens) to
    the next edge after it."""
    left = max((m.start() if m.group()[:1].isalpha() else m.end() for m in _CLAUSE_EDGE.finditer(text, 0, start)),
               default=0)
    right = next((m.start() for m in _CLAUSE_EDGE.finditer(text, end)), len(text))
    return text[left:right]


def tells_the_event(text: str, start: int, end: int) -> bool:
    """Whether the date at text[start:end] is the event's day: its clause has an EVENT_WORDS word and no
    AFTER_WORDS word, and no statement verb dates it ('died Sunday after being shot Saturday night': Saturday only;
    'police said Tuesday that ... the shooting': not Tuesday)."""
    if _DATELINE_BEFORE.match(text[:start]) and _DATELINE_AFTER.match(text, end):  # "WASHINGTON, May 9, 2015 –"
        return False
    if _SPAN_BEFORE.search(text[:start]):  # "since Friday", "by mid-afternoon Sunday": the edge of a span
        return False
    clause = clause_around(text, start, end)
    if len(re.findall(r"[A-Za-z]+", clause.replace(text[start:end], ""))) < 3:  # "On Friday, a man was shot": the
        clause = text  # date set off by itself dates the sentence's clause
    before = text[max(0, start - 40):start]
    return bool(_EVENT.search(clause)) and not _AFTER.search(clause) and not _STATEMENT_BEFORE.search(before)


def event_day(dates: list[DateCandidate]) -> str | None:
    """The day most reports give the event: each report's day is the one its event-telling clauses give most (then
    the one it tells first: news leads with its event); the day most reports give wins, and on a tie the day
    mentioned most in all. None when no clause tells the event's day. A roundup report's other shootings are one
    report's vote, not many."""
    days = [d for d in dates if d.value and len(d.value) == 10 and d.value[:1].isdigit()]
    mentions = Counter(value for _, value in {(d.sentence_id, d.value) for d in days})
    votes: Counter[str] = Counter()
    for doc_id in dict.fromkeys(d.doc_id for d in days):
        told = sorted({(_index(d.sentence_id), d.value) for d in days if d.doc_id == doc_id and d.of_event})
        if told:
            told_days = Counter(value for _, value in told)
            first = {value: at for at, value in reversed(told)}
            votes[max(told_days, key=lambda v: (told_days[v], -first[v]))] += 1
    return max(votes, key=lambda v: (votes[v], mentions[v])) if votes else None


NEWS_DAYS = 7  # a report tells news of the week up to its own date; the day of an older event is background


def _in_the_week_up_to(value: str | None, report_date: date | None) -> bool:
    if not value or len(value) != 10 or report_date is None:
        return False
    try:
        return 0 <= (report_date - date.fromisoformat(value)).days <= NEWS_DAYS
    except ValueError:
        return False


def _index(sentence_id: str) -> int:
    return int(sentence_id.rsplit(":", 1)[1])


# --- the whole pass ------------------------------------------------------------------------------------------------
def _document_date(doc: Document) -> date | None:
    try:
        return date.fromisoformat(doc.date[:10]) if doc.date else None
    except ValueError:
        return None


def find_candidates(sources: Sources) -> Candidates:
    """Figures, attributions, dates and places from every sentence of every canonical document."""
    out = Candidates()
    people = people_named(sources)
    reports = "\n".join(doc.text for doc in sources.canonical)
    for doc in sources.canonical:
        ref = _document_date(doc)
        lowercased = lowercase_places.is_lowercased(doc.text)
        doc_countries = Counter(_countries_named(doc.text, lowercased))
        for sentence in doc.sentences:
            frames = _sentence_attributions(doc, sentence, out.attributions)
            _sentence_figures(doc, sentence, frames, out.figures)
            for d in dates.extract(sentence.text, ref):
                out.dates.append(DateCandidate(
                    sentence_id=sentence.id, doc_id=doc.id, value=d.value, precision=d.precision, text=d.text,
                    relative=d.relative, background=d.background,
                    of_event=tells_the_event(sentence.text, d.start, d.end),
                    news_of_the_day=_in_the_week_up_to(d.value, ref),
                    start=sentence.start + d.start, end=sentence.start + d.end))
            _sentence_places(doc, sentence, doc_countries, lowercased, out.places, people, reports)
    _parts_of_towns_everywhere(sources, out.places)
    _infer_states(sources, out.places)
    return out


def _parts_of_towns_everywhere(sources: Sources, places: list[PlaceCandidate]) -> None:
    """A name the reports once call a part of a town ('the East Hillside neighborhood') is one wherever they name
    it ('the West Duluth and East Hillside incidents')."""
    parts = {_norm_name(p.text) for p in places if p.kind == "site"
             and part_of_town(p.text, sources.document(p.doc_id).text, p.start, p.end)}
    for p in places:
        if p.kind == "place" and _norm_name(p.text) in parts:
            p.kind = "site"


def _norm_name(name: str) -> str:
    return " ".join(name.casefold().split())


def _infer_states(sources: Sources, places: list[PlaceCandidate]) -> None:
    """A US town no sentence gives a state gets the one the gazetteer and the reports' cues agree on, if any."""
    cues = sum((gazetteer.state_cues(doc.text) for doc in sources.canonical), Counter())
    for place in places:
        if place.kind == "place" and not place.region and place.country in (None, "United States"):
            inferred = gazetteer.infer_state(place.text, cues)
            if inferred:
                place.region, place.region_basis = inferred.state, inferred.basis


def _sentence_attributions(doc: Document, sentence: Sentence, out: list[Attribution]) -> list[Attribution]:
    found = []
    for start, end, verb in reporting_frames(sentence.text):
        written = sentence.text[start:end].strip()
        found.append(Attribution(
            sentence_id=sentence.id, doc_id=doc.id, speaker=_resolve(written, doc, sentence.start + start),
            as_written=written, verb=verb, stance=STANCES[verb],
            start=sentence.start + start, end=sentence.start + end))
    out.extend(found)
    return found


CASUALTY_KINDS = ("killed", "injured", "shot")
_ARTICLE = re.compile(r"\b(?:a|an|A|An)\b(?=\s)")
_AGE = re.compile(r"\b\d{1,3}-year-old\b")
# One person referred back to: "the victim", "the 19-year-old suspect", "he", "she".
_REFERENCE = re.compile(
    r"\b(?:[Tt]he\s+(?:\d{1,3}-year-old\s+)?(?P<noun>man|woman|boy|girl|teen|teenager|child|victim|suspect|gunman|"
    r"shooter|driver|passenger|officer|deputy|trooper)|(?P<pronoun>[Hh]e|[Ss]he))\b")
# ... as the subject of its clause: "Emma died", "Mike Smith, 24, of Buckner, was pronounced dead", "he remains in
# critical condition".
_SUBJECT_VERB = re.compile(r"(?:\s*,\s*\d{1,3}\s*,(?:\s*of\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*\s*,?)?)?"
                           r"\s+(?:who\s+)?(?P<verb>was|is|had\s+been|has\s+been|remains|remained|died|succumbed)\b")
# A shooter who shot themselves (GVA counts them like any victim): what happened, by the words used.
SELF_INFLICTED = {
    "killed": r"(?:killed|killing|shot\s+and\s+killed|shooting\s+and\s+killing|fatally\s+shot|fatally\s+shooting|"
              r"turned\s+(?:the|his|her)\s+gun\s+on|turning\s+(?:the|his|her)\s+gun\s+on)\s+(?:himself|herself)"
              r"|took\s+(?:his|her)\s+own\s+life",
    "shot": r"(?:shot|shooting)\s+(?:himself|herself)",
}
_SELF_INFLICTED = re.compile("|".join(f"(?P<{kind}>{words})" for kind, words in SELF_INFLICTED.items()))
_SAME_PERSON_GAP = re.compile(r"[\s,]*(?:who\s+)?(?:\w+ly\s+)?")
_HOMETOWN_BEFORE = re.compile(r"\bof\s+$")  # "Talitha Bowman, 20, of Chattanooga died": the town is no person
# Words saying the people counted were not hurt: "one person inside was not injured", "was home but was not hurt"
# ("not seriously injured" is hurt). The first of these or of HURT in the clause after the count decides ("shot but
# not killed" was shot).
UNHURT = r"\b(?:not|never)\s+(?:been\s+)?(?:injured|hurt|wounded|harmed|shot|struck|killed)\b|" \
         r"\b(?:uninjured|unharmed|unhurt|unscathed)\b"
HURT = r"\b(?:shot|killed|injured|hurt|wounded|harmed|struck|died|dead)\b"
_HURT_OR_NOT = re.compile(f"(?P<unhurt>{UNHURT})|{HURT}", re.IGNORECASE)


def _casualties_of_one(text: str) -> list[numbers.Quantity]:
    """'A man was shot and killed', 'an 18-year-old was wounded': a count of one said with an article. The article
    is read as the digit 1 (an age as the person it describes, offsets kept) and only a casualty counts."""
    masked = _AGE.sub(lambda m: "person".ljust(len(m.group())), text)
    masked = _ARTICLE.sub(lambda m: "1".ljust(len(m.group())), masked)
    ages = [m.span() for m in _AGE.finditer(text)]
    found = []
    for q in numbers.extract(masked):
        if q.text.startswith("1") and q.kind in CASUALTY_KINDS and q.counts_people:
            noun_start = masked.find(q.noun, q.start)
            noun_end = max([noun_start + len(q.noun)] + [e for s, e in ages if s <= noun_start + len(q.noun) <= e])
            end = max(q.end, noun_end)
            noun = text[noun_start:noun_end]
            found.append(numbers.Quantity(**{**q.__dict__, "text": text[q.start:end], "end": end, "noun": noun,
                                             "value_min": float(_people_joined(noun))}))
    return found


def _people_joined(noun: str) -> int:
    """'A woman and girl' is two people, one article for both nouns."""
    parts = re.split(r"\s+and\s+", noun)
    return len(parts) if all(p.split()[-1:] and p.split()[-1].lower() in numbers.PERSON_NOUNS for p in parts) else 1


def _casualties_by_reference(text: str) -> list[numbers.Quantity]:
    """'Emma died', 'he was pronounced dead', 'the suspect was shot and killed by officers': one person, by name or
    referred back to, as the subject of a casualty verb. The name (or the noun) is the counted group, so one person
    named in several sentences stays one person (summarizer.casualties)."""
    spans = [(m.start(), m.end(), m["noun"] or "person") for m in _REFERENCE.finditer(text)]
    spans += [(e.start, e.end, e.text) for e in entities.find(text)
              if _place(e, text) is None and not _HOMETOWN_BEFORE.search(text[:e.start])]
    found = []
    for start, end, group in spans:
        subject = _SUBJECT_VERB.match(text, end)
        kind = numbers.kind_after(text, subject.start("verb")) if subject else None
        if kind in CASUALTY_KINDS:
            found.append(numbers.Quantity(1.0, None, "exact", text[start:end], start, end, noun=group, kind=kind))
    return found


def _shooters_by_suicide(text: str, counted: list[numbers.Quantity]) -> list[numbers.Quantity]:
    """'... then turned the gun on himself': the shooter, one person more, unless the person counted just before
    the words is the one who shot themselves ('a 10-year-old who fatally shot himself')."""
    found = []
    for m in _SELF_INFLICTED.finditer(text):
        if not any(_SAME_PERSON_GAP.fullmatch(text[q.end:m.start()]) for q in counted if q.end <= m.start()):
            kind = next(k for k, v in m.groupdict().items() if v)
            found.append(numbers.Quantity(1.0, None, "exact", "the shooter", m.start(), m.end(), noun="shooter",
                                          kind=kind))
    return found


def _said_unhurt(text: str, end: int) -> bool:
    """Whether the clause after a count says its people were not hurt (UNHURT before any word of HURT)."""
    clause = re.split(r"[.;:!?]", text[end:end + 120], maxsplit=1)[0]
    first = _HURT_OR_NOT.search(clause)
    return bool(first and first["unhurt"])


_PART_BEFORE = re.compile(r"\b(?:including|among\s+them|among\s+whom|of\s+whom|of\s+them|of\s+those)[\s,:]*$",
                          re.IGNORECASE)


def _whole_of(text: str, q: numbers.Quantity, counted: list[numbers.Quantity]) -> numbers.Quantity | None:
    """The earlier figure of the sentence that `q` is part of: 'including nine' after 'more than fifty prisoners
    escaped', of the same kind and the same people ('five guards' among 'several individuals' is a count of its
    own)."""
    if not _PART_BEFORE.search(text[max(0, q.start - 30): q.start]):
        return None
    before = [w for w in counted if w.end <= q.start and w.kind == q.kind and w is not q]
    if not before:
        return None
    whole = before[-1]
    same = numbers.noun_class(whole.noun) == numbers.noun_class(q.noun) if whole.noun and q.noun else True
    return whole if same else None


def _sentence_figures(doc: Document, sentence: Sentence, frames: list[Attribution],
                      out: list[FigureCandidate]) -> None:
    counted = numbers.extract(sentence.text)
    said_with_numbers = {q.start for q in counted}  # "a dozen" is twelve, not one dozen
    ones = _casualties_of_one(sentence.text) + _casualties_by_reference(sentence.text)
    ones += _shooters_by_suicide(sentence.text, counted + ones)
    for q in counted + [q for q in ones if q.start not in said_with_numbers]:
        if q.unit is not None or not (q.counts_people or q.kind):
            continue
        if q.value_min == 1 and not q.kind and not q.vague:  # "one of the inmates took a weapon"
            continue
        if q.kind in CASUALTY_KINDS and q.noun and not (q.counts_people or q.noun[:1].isupper()):  # a name is a person
            continue  # "the 3100 block ... when he was shot", "officers from several agencies ... how she was injured"
        if q.kind in CASUALTY_KINDS and _said_unhurt(sentence.text, q.end):
            continue
        at = sentence.start + q.start
        nearest = min(frames, key=lambda f: abs(f.start - at), default=None)
        whole = _whole_of(sentence.text, q, counted)
        out.append(FigureCandidate(
            part_of=None if whole is None else sentence.start + whole.start,
            sentence_id=sentence.id, doc_id=doc.id, text=q.text, value_min=int(q.value_min),
            value_max=None if q.value_max is None else int(q.value_max), qualifier=q.qualifier, vague=q.vague,
            group=q.noun, kind=FigureKind(q.kind) if q.kind else FigureKind.other,
            reported_by=nearest.speaker if nearest else None, start=at, end=sentence.start + q.end))


def _dateline_place(doc: Document, sentence: Sentence) -> PlaceCandidate | None:
    """The town of a dateline opening the sentence, when the report names it again in running text ('Memphis'),
    which tells a dateline from a shouted word ('BREAKING -'); its state when the dateline gives a US one."""
    match = _DATELINE.match(sentence.text)
    if not match:
        return None
    name = match["place"].title()
    if not re.search(rf"\b{re.escape(name)}\b", doc.text):
        return None
    state = entities.us_state(match["state"]) if match["state"] else None
    return PlaceCandidate(sentence_id=sentence.id, doc_id=doc.id, text=name, kind="place",
                          country="United States" if state else None, region=state,
                          start=sentence.start + match.start("place"), end=sentence.start + match.end("place"))


def _town_in(entity: entities.Entity, text: str, document: str) -> entities.Entity | None:
    """The town a name stands for when it names the town's police ('Montgomery Police Department', 'Duluth police')
    or a compass part of it ('Southwest Philadelphia', 'East Oakland', when `document`, the reports' text, names the
    town alone): only a town the gazetteer knows."""
    police = _TOWN_POLICE.search(entity.text)
    if police or _POLICE_AFTER.match(text, entity.end):
        words = (police["town"] if police else entity.text).split()
        town = next((" ".join(words[i:]) for i in range(len(words)) if gazetteer.states_with_town(" ".join(words[i:]))),
                    "")
    elif (compass := _COMPASS_PART.match(entity.text)) and not part_of_town(entity.text, text, entity.start, entity.end) \
            and _named_alone(compass["town"], document):
        town = compass["town"]
    else:
        return None
    if not town or not gazetteer.states_with_town(town) or entities.us_state(town):
        return None
    start = entity.start + entity.text.rindex(town)
    return replace(entity, text=town, start=start, end=start + len(town))


def _named_alone(town: str, document: str) -> bool:
    """Whether the document names the town without a compass word before it ('Oakland', not only 'East Oakland'):
    'East Hillside' is a neighbourhood, not a part of Hillside, when no Hillside is named."""
    return any(not _COMPASS_PART.match(document[max(0, m.start() - 12):m.end()].split(None, 1)[-1])
               and not re.search(r"(?:North|South|East|West|Central|Downtown|Uptown|Midtown|Inner)\s+$",
                                 document[max(0, m.start() - 12):m.start()])
               for m in re.finditer(rf"\b{re.escape(town)}\b", document))


# --- names after a place cue that are not the town ----------------------------------------------------------------
# A person's name: written with an age ("Don Charles Spirit, 51,"), a title ("Mr Boparan") or owning a home or a
# death ("at Weekly's home", "Amiere's death"); such a name after "at" or "from" elsewhere ("a 911 call from Spirit",
# "representatives from Boparan") is the person's.
_PERSON_OWNS = re.compile(r"['’]s\s+(?:home|house|residence|apartment|trailer|death|body|family|funeral|killing|"
                          r"murder|mother|father|wife|husband|girlfriend|boyfriend|son|daughter|car|truck)\b")
_AGE_AFTER = re.compile(r",\s*\d{1,3}\s*,")
_PERSONAL_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lord|Lady)\.?\s+(?=[A-Z])")
# Words that open a longer name the sentence splitter or a street cut off ("St. John's Hospital", "East 26th Street").
NOT_TOWNS = {"st", "mt", "ft", "east", "west", "north", "south", "northeast", "northwest", "southeast", "southwest",
             "central", "downtown", "least"}
AGENCY_WORDS = {"department", "sheriff", "police", "office", "unit", "program", "programme", "street"}
# The last words of a news outlet's name ('told BBC Sport', 'the Denver Post'): never a place or a site.
OUTLET_WORDS = {"news", "sport", "sports", "radio", "television", "tv", "times", "post", "herald", "tribune"}
# A venue of these kinds named after its town ('the Amsterdam Arena', 'Dundee Sheriff Court') names the town too,
# when the gazetteer knows it as a town of this many people or more ('High Court' names no town called High). A
# hospital is not among them: 'Jackson Memorial Hospital' is a person's name, and the hospital is not the scene.
VENUE_TOWN_WORDS = {"arena", "stadium", "court", "courthouse", "airport"}
VENUE_TOWN_MIN_POPULATION = 15_000
# "Kelly Piluyeva of Rancho Cordova", "Aaron Alexis of Fort Worth": a person and their home town, not the event's.
_PERSON_OF_TOWN = re.compile(r"^(?!(?:City|Town|Village|Borough|County|Port|Isle|Bay|Gulf|Sea)\s)[A-Z][a-z]+\s+"
                             r"[A-Z][\w'’-]+\s+of\s+[A-Z]")
LONGEST_UNKNOWN_TOWN = 3  # words: a longer name no gazetteer knows is a programme or a phrase ("Students Taking A
#                           Right Stand"); "Fort Walton Beach" is three
_TITLE_SMALL_WORDS = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "by", "with", "from", "as"}


def people_named(sources: Sources) -> set[str]:
    """The last words of the names the reports use for people (by an age, a title or a possessive), casefolded."""
    people = set()
    for doc in sources.canonical:
        for e in entities.find(doc.text):
            if (_PERSON_OWNS.match(doc.text, e.end) or _AGE_AFTER.match(doc.text, e.end)
                    or _PERSONAL_TITLE.match(e.text) or _PERSONAL_TITLE.search(doc.text, max(0, e.start - 6), e.end)):
                people.add(e.text.split()[-1].casefold())
    return people


def title_cased(sentence: str) -> bool:
    """A headline written in title case ('13 Dead, at Least 3 Wounded in Navy Yard Shooting'), where every word
    looks like a name."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", sentence) if w.lower() not in _TITLE_SMALL_WORDS]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _venue_town(venue: str) -> str | None:
    """The town whose name opens a venue's ('Amsterdam' of 'Amsterdam Arena'), the longest the gazetteer knows."""
    words = venue.split()
    if words[-1].casefold() not in VENUE_TOWN_WORDS:
        return None
    for n in range(len(words) - 1, 0, -1):
        name = " ".join(words[:n])
        world = gazetteer.world_towns().get(name.casefold())
        us = gazetteer.states_with_town(name)
        if name.casefold() not in NOT_TOWNS and ((world and world[2] >= VENUE_TOWN_MIN_POPULATION)
                                                 or any(people >= VENUE_TOWN_MIN_POPULATION for _, people in us)):
            return name
    return None


def _known_town(name: str) -> bool:
    return bool(gazetteer.states_with_town(name) or gazetteer.world_towns().get(name.casefold()))


def _as_town(entity: entities.Entity, sentence: str, people: set[str]) -> entities.Entity | None:
    """The name, or None when it is no town by the rules above."""
    if _known_town(entity.text) or entities.us_state(entity.text):
        return entity
    words = entity.text.split()
    if (entity.text.casefold().rstrip(".") in NOT_TOWNS or words[-1].casefold() in people | AGENCY_WORDS | OUTLET_WORDS
            or _PERSON_OF_TOWN.match(entity.text)
            or re.search(r"\d", entity.text) or (entity.text.isupper() and len(entity.text) <= 4)
            or len(words) > LONGEST_UNKNOWN_TOWN or title_cased(sentence)):
        return None
    return entity


def _sentence_places(doc: Document, sentence: Sentence, doc_countries: Counter, lowercased: bool,
                     out: list[PlaceCandidate], people: set[str], reports: str) -> None:
    """`reports`: the text of every report, where a town named alone makes 'Southwest X' a part of X."""
    if lowercased:
        places = lowercase_places.places_in(sentence.text)
        places = [p for p in places if not (p.kind == "country" and _across_border(sentence.text, p.start))]
        named_here = [p.country for p in places if p.kind == "country"]
        for place in places:
            out.append(PlaceCandidate(
                sentence_id=sentence.id, doc_id=doc.id, text=place.text, kind=place.kind,
                country=place.country or _country_around(named_here, doc_countries),
                region=place.text if place.kind == "region" else None,
                start=sentence.start + place.start, end=sentence.start + place.end))
        return
    dateline = _dateline_place(doc, sentence)
    if dateline:
        out.append(dateline)
    named_here = _countries_named(sentence.text)
    for entity in entities.find(sentence.text):
        town = _town_in(entity, sentence.text, reports)
        place = ("place", None, None) if town else _place(entity, sentence.text)
        entity = town or entity
        if place is None:
            continue
        kind, country, region = place
        if kind == "country" and _across_border(sentence.text, entity.start):
            continue
        if kind == "place" and _HOME_BEFORE.search(sentence.text, max(0, entity.start - 40), entity.start):
            continue
        if kind == "place" and not town and not (entity := _as_town(entity, sentence.text, people)):
            continue
        out.append(PlaceCandidate(
            sentence_id=sentence.id, doc_id=doc.id, text=entity.text, kind=kind,
            country=country or _country_around(named_here, doc_countries), region=region,
            start=sentence.start + entity.start, end=sentence.start + entity.end))
        if kind == "site" and (town_name := _venue_town(entity.text)):
            out.append(PlaceCandidate(
                sentence_id=sentence.id, doc_id=doc.id, text=town_name, kind="place",
                country=gazetteer.world_country(town_name) or _country_around(named_here, doc_countries), region=None,
                start=sentence.start + entity.start, end=sentence.start + entity.start + len(town_name)))


def _country_around(named_here: list[str], doc_countries: Counter) -> str | None:
    """The country a place is in when the text does not say: the sentence's first, else the report's most named."""
    return named_here[0] if named_here else (doc_countries.most_common(1)[0][0] if doc_countries else None)
