"""Who speaks in the reports: attributions grouped into speakers, and each speaker's actor role from the words of
their name and the apposition after it (the 0.5B model answers 'perpetrator' for every speaker, so a rule decides)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from summarizer.anchors import Attribution, reporting_frames
from summarizer.draft.text import norm
from summarizer.schema import ActorRole
from summarizer.sources import Sources

MAX_SPEAKER_WORDS = 12  # a longer "speaker" is a clause a reporting-frame rule caught by mistake
# Actor roles from the words of a speaker's name and of the apposition after it ("Oudi Al-Khadran, the mayor of").
# First match wins; a speaker with none of these words who 'claims' responsibility (or credit) claims it.
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
# What an actor's name may not be on its own. Actors are named people or organisations: a name needs a word the table
# below does not hold ("Iraqi officials", "Amaq", "Oudi Al-Khadran"), or an institution as its head ("Police", "the
# army": reports name one organisation so). Never only a determiner, pronoun or quantifier ("Most", "Some", "They"),
# nor a role or group of people without a name ("our correspondent", "a spokesman", "officials", "police officials",
# "witnesses", "a police officer eyewitness"): the claim keeps such a speaker, the actors do not.
NOT_A_NAME: dict[str, set[str]] = {
    "determiner": set("the a an this that these those another other such any each every no own".split()),
    "pronoun": set("""i we you he she it they me us him her them my our your his its their one ones someone somebody
                   anyone anybody everyone everybody nobody none who which""".split()),
    "quantifier": set("""most many some several few much more less all both half majority minority number dozens
                      hundreds thousands scores two three four five six seven eight nine ten""".split()),
    "role": set("""official officials spokesman spokeswoman spokesperson spokesmen spokespeople spokeswomen
                correspondent correspondents reporter reporters journalist journalists source sources witness witnesses
                eyewitness eyewitnesses resident residents neighbor neighbors neighbour neighbours bystander
                bystanders survivor survivors victim victims officer officers agent agents guard guards analyst
                analysts expert experts observer observers member members people person persons man men woman women
                doctor doctors medic medics nurse nurses worker workers staff lawyer lawyers attorney attorneys
                representative representatives leader leaders aide aides diplomat diplomats activist activists
                protester protesters demonstrator demonstrators voter voters candidate candidates student students
                teacher teachers family families relative relatives friend friends investigator investigators
                detective detectives prosecutor prosecutors authorities authority administration management
                agency group company firm organisation organization statement statements report reports media""".split()),
    "modifier": set("""local senior top high ranking high-ranking junior anonymous unnamed unidentified security police
                    medical provincial state federal county city town district regional national foreign
                    international health hospital rescue emergency fire election electoral party prison jail
                    military army government court""".split()),
}
# Institutions a report names as one organisation without a proper name: an actor even alone ("Police said ...").
INSTITUTIONS = {"police", "army", "military", "government", "navy", "parliament", "senate", "congress"}
_TABLE = set().union(*NOT_A_NAME.values())
_LEADING_DETERMINER = re.compile(r"^(?:the|a|an|another|some)\s+", re.IGNORECASE)
_FUNCTION_WORDS = NOT_A_NAME["determiner"] | NOT_A_NAME["pronoun"] | NOT_A_NAME["quantifier"]
_APPOSITION = re.compile(r",\s+((?:the|a|an)\s[^,.;:!?]{1,80})")  # "Oudi Al-Khadran, the mayor of the town, ..."
# What a claim of responsibility says: responsibility, credit, or having done it ("ISIS has claimed to have broken
# dozens of criminals out"); "Wawrinka claimed an early break" claims no attack.
_RESPONSIBILITY = re.compile(r"\b(?:responsib\w*|credit)\b|\bclaim(?:s|ed|ing)?\s+to\s+have\b", re.IGNORECASE)


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
    usable = [a for a in attributions if 0 < len(a.speaker.split()) <= MAX_SPEAKER_WORDS
              and not set(norm(a.speaker).split()) <= _FUNCTION_WORDS]
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


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text)


def names_someone(name: str, written: list[tuple[str, bool]], lowercase: set[str] = frozenset()) -> bool:
    """Whether a speaker's name names a person or organisation (NOT_A_NAME, INSTITUTIONS). `written`: the speaker's
    words as each sentence writes them, with whether they open the sentence; a capital there says nothing, so an
    opening word is a name only if the sources never write it in lowercase (`lowercase`: every lowercase word)."""
    words = [w.casefold().removesuffix("'s").removesuffix("’s") for w in _words(name)]
    if words and words[-1] in INSTITUTIONS and all(w in _TABLE for w in words):
        return True
    for text, opens_sentence in written or [(name, True)]:
        for i, word in enumerate(_words(text)):
            bare = word.removesuffix("'s").removesuffix("’s")
            if bare.casefold() in _TABLE or not bare[:1].isupper():
                continue
            if i > 0 or not opens_sentence or bare.casefold() not in lowercase:
                return True
    return False


def lowercase_words(sources: Sources) -> set[str]:
    """Every word the sources write in lowercase (a common noun, not a name, when it opens a sentence)."""
    return {w for s in sources.sentences() for w in _words(s.text) if w.islower()}


def is_named(speaker: Speaker, sources: Sources, lowercase: set[str] | None = None) -> bool:
    """Whether any sentence names the speaker by a name (names_someone)."""
    written = []
    for a in speaker.attributions:
        sentence = sources.sentence(a.sentence_id)
        opens = sentence is not None and not sentence.text[: a.start - sentence.start].strip(" \"“'‘")
        written.append((a.as_written, opens))
        if a.speaker != a.as_written:  # 'the agency' resolved to the name it refers to
            written.append((a.speaker, False))
    return names_someone(speaker.name, written, lowercase_words(sources) if lowercase is None else lowercase)


def bare_institution(name: str) -> str | None:
    """The institution a name is and nothing more ('Police', 'the army'), else None."""
    words = [w.casefold() for w in _words(name)]
    return words[-1] if words and words[-1] in INSTITUTIONS and all(w in _TABLE for w in words) else None


def institution_named(institution: str, sources: Sources) -> tuple[str, str] | None:
    """The name the reports give a bare institution elsewhere, the form written most, with the first sentence that
    writes it: 'Police' said is the 'Oakland police' or the 'Miami-Dade Police Department' of another sentence; None
    when no report names it."""
    pattern = re.compile(r"((?:[A-Z][\w.'’&-]*\s+){1,3})(?i:" + re.escape(institution)
                         + r")(?:\s+(?:Department|Dept\.|Service|Force))?\b")
    found: Counter[str] = Counter()
    first: dict[str, str] = {}
    for sentence in sources.sentences():
        for m in pattern.finditer(sentence.text):
            words = m.group(1).split()
            while words and words[0].casefold() in _TABLE:  # 'The Oakland police', 'Local police'
                words.pop(0)
            if words:
                name = " ".join(words + m.group(0)[len(m.group(1)):].split())
                found[name] += 1
                first.setdefault(name, sentence.id)
    best = max(found, key=lambda n: (found[n], len(n))) if found else None
    return (best, first[best]) if best else None


def actor_name(speaker: Speaker, sources: Sources) -> tuple[str, list[str]]:
    """The name an actor is listed by and the sentences to cite for it: the speaker's own, or for a bare institution
    the name the reports give it, cited where they give it first."""
    institution = bare_institution(speaker.name)
    named = institution_named(institution, sources) if institution else None
    if named:
        return named[0], list(dict.fromkeys([named[1], *speaker.sentence_ids]))
    return speaker.name, list(speaker.sentence_ids)


def actor_role(speaker: Speaker, sources: Sources, lowercase: set[str] | None = None) -> ActorRole | None:
    """The speaker's role from the words of their name and the apposition after it; None for a document or an
    anonymous channel ('official reports', 'those posts'), which can make claims but is not an actor, and for a
    speaker no name names ('Most', 'our correspondent', 'officials': names_someone), nor for a bare institution
    ('Police') that no report names (institution_named)."""
    name_words = norm(speaker.name).split()
    if name_words and name_words[-1] in NOT_ACTORS:
        return None
    institution = bare_institution(speaker.name)
    if institution and not institution_named(institution, sources):  # 'Police', named nowhere: a role, no actor
        return None
    if not is_named(speaker, sources, lowercase):
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
    if any(a.stance == "claims" and (sentence := sources.sentence(a.sentence_id))
           and _RESPONSIBILITY.search(sentence.text) for a in speaker.attributions):
        return ActorRole.claimed_responsibility
    return ActorRole.other


_SAID = r"(?:said|says|say|stated|states|reported|reports|announced|added|claimed|claims|confirmed|confirms|blamed|" \
        r"attributed)"
_TOLD = r"told\s+(?:[\w.’'-]+\s+){1,4}?that"  # "told reporters that", not "told the Daily Camera newspaper she…"
_LEADING = re.compile(rf"(?<=\s)(?:also\s+)?(?:{_TOLD}|{_SAID}(?:\s+that)?)[,:]?\s+(?!to\s)", re.I)  # not "claimed to"
# "S, according to X." / "S,' X said." / "S, said X, a spokesman." (who, who2, who3)
_TRAILING = re.compile(rf"^(?P<rest>.+?),[\"”’']?\s+(?:according\s+to\s+(?P<who>[^,]+?)|"
                       rf"(?P<who2>[^,]+?)\s+(?:{_SAID}|told)[^,]*?|"
                       rf"(?:{_SAID}|told)\s+(?P<who3>[^,]+?)(?:,\s+[^,]+?)?)[.!]?[\"”’']?$", re.I)
# A quotation its speaker follows: '"Isis was responsible…," said Oudi Al-Khadran, the mayor…'.
_QUOTED = re.compile(rf"^[\"“](?P<quote>[^\"”]+)[\"”]\s*,?\s*(?:{_SAID})\s+(?P<who>[^,.]+)", re.I)


def unattributed(text: str, speaker: str) -> tuple[str, str]:
    """(who, what): a speaker's sentence split into the name its frame gives them and what they said, so a claim
    rendered from it ('X said that S') names them as the source does and says it once: 'Official reports said no
    attack had occurred' -> ('Official reports', 'no attack had occurred'); 'Five guards died, according to Maan.' ->
    ('Maan', 'Five guards died.'); '"X," said Oudi Al-Khadran, the mayor' -> ('Oudi Al-Khadran', 'X.'). A sentence
    whose frame names someone else is kept whole, with `speaker`."""
    names = set(norm(speaker).split())
    frames = [(len(names & set(norm(text[:m.start()]).split())), -m.start(), m) for m in _LEADING.finditer(text)
              if 0 < m.start() <= 100 and not re.search(r"[,;:]|\.\s", text[:m.start()])]
    if frames and max(frames)[0]:
        frame = max(frames)[2]  # the frame naming the speaker most fully: 'Official reports said', not 'Official'
        return text[:frame.start()].strip(), text[frame.end():].strip()
    quoted = _QUOTED.match(text)
    if quoted and names & set(norm(quoted["who"]).split()):
        return quoted["who"].strip(), quoted["quote"].strip().rstrip(",") + "."
    trailing = _TRAILING.match(text)
    who = trailing and (trailing["who"] or trailing["who2"] or trailing["who3"] or "")
    if who and names & set(norm(who).split()):
        return who.strip(), trailing["rest"].strip().strip("\"“'‘") + "."
    return speaker, text


def names_its_speaker(statement: str, speaker: str) -> bool:
    """Whether a statement's reporting frame names its own speaker ('ISIS was responsible…, while Oudi Al-Khadran
    blamed ISIS'): such a text tells about the speaker, where their claim should give what they said. A claim of an
    act ('ISIS has claimed responsibility', 'has claimed to have broken…') names its claimant as its subject."""
    names = set(norm(speaker).split()) - NOT_A_NAME["determiner"] - NOT_A_NAME["pronoun"]
    return any(names & set(norm(statement[start:end]).split()) for start, end, verb in reporting_frames(statement)
               if not re.match(rf"\W+(?:\w+\s+){{0,2}}{verb}\s+(?:to|responsibility|credit)\b", statement[end:], re.I))
