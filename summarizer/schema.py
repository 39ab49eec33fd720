"""The event schema: what an analyst's briefing note needs about one news event.

Informed by ACLED (event types, actors, fatalities), ACE 2005 (attack / justice / movement events, argument roles)
and schema.org Event (name, startDate, location). Every string and list is bounded so constrained decoding cannot
run away, unstated facts are `null` or empty (never invented), and every fact carries the ids of the source
sentences that state it. Figures from different sources stay separate figures: the schema has no place for a
single "true" number when sources disagree.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SCHEMA_VERSION = "1.1"

Short = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=300)]
SentenceId = Annotated[str, StringConstraints(pattern=r"^d[0-9]+:[0-9]+$", max_length=12)]
Citations = Annotated[list[SentenceId], Field(max_length=4, description="ids of the source sentences that state it")]


class EventType(str, Enum):
    attack = "attack"
    bombing = "bombing"
    shooting = "shooting"
    prison_break = "prison_break"
    riot = "riot"
    protest = "protest"
    armed_clash = "armed_clash"
    arrest = "arrest"
    accident = "accident"
    disaster = "disaster"
    election = "election"
    court_ruling = "court_ruling"
    company_deal = "company_deal"
    sports_match = "sports_match"
    other = "other"


class DatePrecision(str, Enum):
    day = "day"
    month = "month"
    year = "year"


class EventDate(BaseModel):
    value: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")] = Field(
        description="ISO 8601 date, as precise as the sources allow"
    )
    precision: DatePrecision
    text: Short = Field(description="the words the source used, e.g. 'on Friday', '8 May 2015'")
    citations: Citations = []


class Location(BaseModel):
    place: Short | None = Field(default=None, description="town, city, district or facility")
    region: Short | None = Field(default=None, description="province, state or county")
    country: Short | None = None
    citations: Citations = []
    region_basis: Text | None = Field(default=None, description="how the region was inferred when no source "
                                      "sentence states it, e.g. 'Wichita → Kansas: gazetteer ...; no report names "
                                      "the state'")


class ActorRole(str, Enum):
    perpetrator = "perpetrator"
    claimed_responsibility = "claimed_responsibility"
    authority = "authority"
    victim = "victim"
    witness = "witness"
    spokesperson = "spokesperson"
    other = "other"


class Actor(BaseModel):
    name: Short
    role: ActorRole
    citations: Citations = []


class FigureKind(str, Enum):
    killed = "killed"
    injured = "injured"
    shot = "shot"  # hit by gunfire, killed or not: "three people were shot, one fatally"
    escaped = "escaped"
    freed = "freed"
    held = "held"
    arrested = "arrested"
    missing = "missing"
    other = "other"


class Figure(BaseModel):
    """One number as one source reported it: 'more than 50 prisoners escaped, said the ministry'."""

    kind: FigureKind
    group: Short = Field(description="who or what was counted, e.g. 'police officers', 'inmates'")
    value_min: int = Field(ge=0, le=10_000_000)
    value_max: int | None = Field(default=None, ge=0, le=10_000_000, description="upper bound for ranges")
    text: Short = Field(description="the words used, e.g. 'more than 50', 'a dozen'")
    reported_by: Short | None = Field(default=None, description="who gave the number, from the source sentence")
    citations: Citations = []


class Stance(str, Enum):
    asserts = "asserts"
    denies = "denies"


class Claim(BaseModel):
    """A claim or counter-claim with its attribution: who says what."""

    claimant: Short
    stance: Stance = Stance.asserts
    statement: Text
    citations: Citations = []


class Note(BaseModel):
    """A free-text item (aftermath, related event, key point) with its citations."""

    text: Text
    citations: Citations = []


class EventSummary(BaseModel):
    """A structured, cited summary of one news event."""

    model_config = ConfigDict(title="EventSummary", json_schema_extra={"version": SCHEMA_VERSION})

    headline: Short
    bottom_line: Annotated[str, StringConstraints(min_length=1, max_length=400)] = Field(
        description="one or two sentences: what happened, where, when, and what is disputed"
    )
    event_type: EventType
    date: EventDate | None = None
    location: Location | None = None
    actors: Annotated[list[Actor], Field(max_length=8)] = []
    figures: Annotated[list[Figure], Field(max_length=12)] = []
    claims: Annotated[list[Claim], Field(max_length=6)] = []
    aftermath: Annotated[list[Note], Field(max_length=4)] = []
    related_events: Annotated[list[Note], Field(max_length=4)] = []
    key_points: Annotated[list[Note], Field(max_length=5)] = []


def json_schema() -> dict:
    """The JSON Schema users and other systems validate against (`summarizer schema`)."""
    return EventSummary.model_json_schema()
