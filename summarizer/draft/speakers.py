"""Who speaks in the reports: attributions grouped into speakers, and each speaker's actor role from the words of
their name and the apposition after it (the 0.5B model answers 'perpetrator' for every speaker, so a rule decides)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from summarizer.anchors import Attribution
from summarizer.draft.text import norm
from summarizer.schema import ActorRole
from summarizer.sources import Sources

MAX_SPEAKER_WORDS = 12  # a longer "speaker" is a clause a reporting-frame rule caught by mistake
# Actor roles from the words of a speaker's name and of the apposition after it ("Oudi Al-Khadran, the mayor of").
# First match wins; a speaker with none of these words who 'claims' is taken to claim responsibility.
ROLE_WORDS: list[tuple[ActorRole, set[str]]] = [
    (ActorRole.witness, {"witness", "witnesses", "eyewitness", "eyewitnesses", "resident", "residents", "neighbor",
                         "neighbors", "neighbour", "neighbours", "bystander", "bystanders", "survivor", "survivors"}),
    (ActorRole.spokesperson, {"spokesman", "spokeswoman", "spokesperson", "spokesmen", "agency", "media"}),
    (ActorRole.authority, {"official", "officials", "authorities", "police", "ministry", "government", "military",
                           "army", "general", "colonel", "mayor", "governor", "sheriff", "chief", "commander", "head",
                           "committee", "department", "minister", "coroner", "prosecutor", "prosecutors", "officer",
                           "officers", "detective", "detectives", "investigators", "council", "president", "court"}),
]
# Heads of speaker names that are documents or anonymous channels, not actors (they still make claims).
NOT_ACTORS = {"report", "reports", "post", "posts", "message", "messages", "statement", "statements", "source",
              "sources", "media"}
_LEADING_DETERMINER = re.compile(r"^(?:the|a|an|another|some)\s+", re.IGNORECASE)
_APPOSITION = re.compile(r",\s+((?:the|a|an)\s[^,.;:!?]{1,80})")  # "Oudi Al-Khadran, the mayor of the town, ..."


@dataclass
class Speaker:
    name: str
    attributions: list[Attribution]

    @property
    def sentence_ids(self) -> list[str]:
        return list(dict.fromkeys(a.sentence_id for a in self.attributions))


def group_speakers(attributions: list[Attribution]) -> list[Speaker]:
    """Attributions grouped by who speaks: names whose words are all in another name are one speaker ('Amaq' and
    'Amaq News Agency'; 'Maan' and 'Brigadier General Saad Maan'), unless the longer one joins two with 'and'.
    Most-quoted first; a speaker is named as most often written."""
    usable = [a for a in attributions if 0 < len(a.speaker.split()) <= MAX_SPEAKER_WORDS]
    words = {a.speaker: frozenset(norm(_LEADING_DETERMINER.sub("", a.speaker)).split()) for a in usable}
    parent = {name: name for name in words}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    for a in words:
        for b in words:
            if a != b and words[a] <= words[b] and "and" not in words[b]:
                parent[root(a)] = root(b)
    groups: dict[str, list[Attribution]] = {}
    for a in usable:
        groups.setdefault(root(a.speaker), []).append(a)
    speakers = []
    for members in groups.values():
        counts = Counter(_LEADING_DETERMINER.sub("", a.speaker) for a in members)
        name = max(counts, key=lambda n: (counts[n], len(n)))
        speakers.append(Speaker(name[:1].upper() + name[1:], members))
    return sorted(speakers, key=lambda s: -len(s.sentence_ids))


def actor_role(speaker: Speaker, sources: Sources) -> ActorRole | None:
    """The speaker's role from the words of their name and the apposition after it; None for a document or an
    anonymous channel ('official reports', 'those posts'), which can make claims but is not an actor."""
    name_words = norm(speaker.name).split()
    if name_words and name_words[-1] in NOT_ACTORS:
        return None
    words = set(name_words)
    for a in speaker.attributions:
        sentence = sources.sentence(a.sentence_id)
        apposition = _APPOSITION.match(sentence.text, a.end - sentence.start) if sentence else None
        if apposition:
            words |= set(norm(apposition.group(1)).split())
    for role, cues in ROLE_WORDS:
        if words & cues:
            return role
    if any(a.stance == "claims" for a in speaker.attributions):
        return ActorRole.claimed_responsibility
    return ActorRole.other
