"""claims: an EventSummary -> atomic, checkable sentences, each pointing back to its field by JSON pointer.

The checker compares sentences with sentences, so every structured field is rendered as a plain statement ("The
event took place in Al Khalis, Diyala, Iraq."), every list item becomes its own claim and free text is split into
sentences. A field the summary leaves null becomes a claim with no text: the verifier marks it `not stated` rather
than dropping it, so the reader sees what the summary does not know. A region no sentence states but the gazetteer
inferred (Location.region_basis) is its own claim, carrying the inference, which the verifier reports as `inferred`
instead of checking it against sentences that cannot state it.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from summarizer.schema import Actor, ActorRole, Claim, EventSummary, EventType, Figure, FigureKind, Stance


@dataclass(frozen=True)
class ClaimInput:
    """One statement to check. `field` names the schema field it was rendered from ('' for arbitrary text), so the
    verifier can add structured checks (a figure is also matched as a number with a group)."""

    pointer: str
    text: str
    field: str = ""
    inferred: str = ""  # how the value was inferred when no sentence states it: reported as such, not checked
    event_type: str = ""  # the summary's event type (EventType value), for a date claim: it needs a sentence dating it

    @property
    def stated(self) -> bool:
        return bool(self.text.strip())


FIGURE_VERBS = {
    FigureKind.killed: "were killed",
    FigureKind.injured: "were injured",
    FigureKind.shot: "were shot",
    FigureKind.escaped: "escaped",
    FigureKind.freed: "were freed",
    FigureKind.held: "were held",
    FigureKind.arrested: "were arrested",
    FigureKind.missing: "were missing",
    FigureKind.other: "were reported",
}

ACTOR_TEMPLATES = {
    ActorRole.perpetrator: "{name} was responsible for the {event}.",
    ActorRole.claimed_responsibility: "{name} claimed responsibility for the {event}.",
    ActorRole.authority: "{name} was among the authorities dealing with the {event}.",
    ActorRole.victim: "{name} were victims of the {event}.",
    ActorRole.witness: "{name} witnessed the {event}.",
    ActorRole.spokesperson: "{name} spoke about the {event}.",
    ActorRole.other: "{name} was involved in the {event}.",
}


_OPENING_WORDS = {"a", "an", "the", "it", "there", "they", "he", "she", "this", "these", "those", "no", "some", "its"}


def event_words(event_type: EventType) -> str:
    return "event" if event_type is EventType.other else event_type.value.replace("_", " ")


# The nouns reports use for an event of a broad type. A date or place claim names the event as its reports do ("The
# flooding took place in County Down"): "the disaster took place in County Down" reads to the checker as a second
# claim, about the kind of event, which the event type's own claim already checks (0.58 against 0.91 on that report).
EVENT_NOUNS = {
    EventType.disaster: "snowstorm storm blizzard hurricane typhoon cyclone flooding floods flood earthquake quake "
                        "tremor tsunami wildfire fire tornado landslide mudslide avalanche eruption",
    EventType.court_ruling: "verdict ruling sentencing trial hearing appeal conviction",
    EventType.company_deal: "takeover acquisition merger buyout sale deal auction",
    EventType.sports_match: "match game semi-final quarter-final",
    EventType.armed_clash: "clashes clash fighting battle firefight",
    EventType.accident: "crash collision accident derailment pile-up pileup",
    EventType.election: "election elections run-off vote poll referendum",
    EventType.protest: "protests protest demonstrations demonstration rally",
}
_EVENT_NOUNS = {kind: re.compile(rf"\b(?:{'|'.join(map(re.escape, nouns.split()))})\b", re.IGNORECASE)
                for kind, nouns in EVENT_NOUNS.items()}


def event_noun(event_type: EventType, texts: Iterable[str]) -> str:
    """The noun the reports use most for the event ('flooding', 'sale'), else the type's own words."""
    pattern = _EVENT_NOUNS.get(event_type)
    said = Counter(m.group(0).lower() for text in texts for m in pattern.finditer(text)) if pattern else Counter()
    return said.most_common(1)[0][0] if said else event_words(event_type)


def render_date(value: str) -> str:
    """'2015-05-08' -> '8 May 2015', '2015-05' -> 'May 2015', '2015' -> '2015' (the form news text uses)."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return f"{parts[2]} {calendar.month_name[parts[1]]} {parts[0]}"
    if len(parts) == 2:
        return f"{calendar.month_name[parts[1]]} {parts[0]}"
    return str(parts[0])


def render_figure(figure: Figure) -> str:
    amount = figure.text.strip().rstrip(".")
    counted = amount if figure.group.lower() in amount.lower() else f"{amount} {figure.group}"
    verb = FIGURE_VERBS[figure.kind]
    if figure.value_min == 1 and figure.value_max is None:
        verb = verb.replace("were ", "was ")
    sentence = f"{counted} {verb}"
    if figure.reported_by:
        sentence += f", according to {figure.reported_by}"
    return _capitalised(sentence) + "."


def render_actor(actor: Actor, event_type: EventType) -> str:
    return ACTOR_TEMPLATES[actor.role].format(name=actor.name, event=event_words(event_type))


def render_claim(claim: Claim) -> str:
    """'X said that S.' or 'X denied that S.': the stance lives in the verb, where the negation check looks for it."""
    statement = claim.statement.strip().rstrip(".")
    first, _, rest = statement.partition(" ")
    if first.lower() in _OPENING_WORDS:
        statement = f"{first.lower()} {rest}"
    verb = "denied" if claim.stance is Stance.denies else "said"
    return f"{claim.claimant} {verb} that {statement}."


def claims_from_summary(summary: EventSummary, event: str | None = None) -> list[ClaimInput]:
    """Every checkable statement the summary makes, in field order, plus an empty claim per null scalar field.
    `event` names the event in the date and place claims (`event_noun` of its reports; default: its type's words)."""
    kind = event_words(summary.event_type)
    event = event or kind
    claims = [ClaimInput("/headline", summary.headline, "headline")]
    claims += _sentences("/bottom_line", summary.bottom_line, "bottom_line")
    if summary.event_type is not EventType.other:
        article = "an" if kind[0] in "aeiou" else "a"
        claims.append(ClaimInput("/event_type", f"The event was {article} {kind}.", "event_type"))
    if summary.date is None:
        claims.append(ClaimInput("/date", "", "date"))
    else:
        when = render_date(summary.date.value)
        preposition = "on" if summary.date.precision.value == "day" else "in"
        claims.append(ClaimInput("/date", f"The {event} took place {preposition} {when}.", "date",
                                 event_type=summary.event_type.value))
    if summary.location is None:
        claims.append(ClaimInput("/location", "", "location"))
    else:
        location = summary.location
        inferred = location.region if location.region_basis else None
        named = [p for p in (location.place, location.region, location.country) if p and p != inferred]
        where = f"The {event} took place in {', '.join(named)}." if named else ""
        claims.append(ClaimInput("/location", where, "location"))
        if inferred:
            claims.append(ClaimInput("/location/region", f"The {event} took place in {inferred}.", "location",
                                     inferred=location.region_basis))
        for name in ("place", "region", "country"):
            if getattr(location, name) is None and named:
                claims.append(ClaimInput(f"/location/{name}", "", "location"))
    claims += [
        ClaimInput(f"/actors/{i}", render_actor(actor, summary.event_type), "actors")
        for i, actor in enumerate(summary.actors)
    ]
    claims += [ClaimInput(f"/figures/{i}", render_figure(figure), "figures") for i, figure in enumerate(summary.figures)]
    claims += [ClaimInput(f"/claims/{i}", render_claim(claim), "claims") for i, claim in enumerate(summary.claims)]
    for field in ("aftermath", "related_events", "key_points"):
        for i, note in enumerate(getattr(summary, field)):
            claims += _sentences(f"/{field}/{i}", note.text, field)
    return claims


def split_sentences(text: str) -> list[str]:
    """The sentences of a plain text, split exactly as ingest splits sources (so claims and evidence align)."""
    from summarizer.ingest import sentence_spans  # ingest's pysbd splitter; no second splitter in the project

    return [text[start:end] for start, end in sentence_spans(text, 0, len(text))]


def _sentences(pointer: str, text: str, field: str) -> list[ClaimInput]:
    return [ClaimInput(pointer, sentence, field) for sentence in split_sentences(text)]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
