"""casualties: a draft's figures -> killed and injured as the Gun Violence Archive counts them, each count naming the
rule and the sentences it read.

GVA counts every person hit once: killed when they died (then or later), injured otherwise; a suspect shot by police
counts like anyone else. Reports say it many ways, and anchors reads each as a figure of kind killed, injured or
shot ("pronounced dead", "succumbed", "fatally shot", "four bodies were found" are killed; "wounded", "grazed",
"hospitalized", "in critical condition", "non-life-threatening injuries" are injured, "was not injured" is no
figure; "two men and a woman were shot, one fatally" is 3 shot and 1 killed). Figures of one person referred to by
name ("Emma died") or back ("he was pronounced dead", "the suspect was shot") count people, not numbers: one person
named twice is one, a person named as killed who is also named as hurt is one killed person, and one referred back
to as hurt is one of the dead unless of another sex than all of them (SEXES: "the woman was hospitalized" is not the
boy who died).

Per report (the figures citing one document), each the largest of what its rules give:
  killed  = the first count of people killed | the people named (or else the one referred back to); plus the
            suspect referred to as killed ('the suspect was shot and killed by officers')
  injured = the first count hurt | the people named as hurt and not as killed | everyone shot (a shooter who shot
            himself too) less those killed
Per event: the count most reports give (on a tie, the one most reports that are no roundup give, then the larger),
after the latest report has updated the earlier ones (a victim who died of his injuries later moves from injured to
killed, unless the dead are of another sex than those hurt). An ordinal counts the people before it ('three people
were killed ... a fourth man who was shot': four hit, one injured). A report that reads no sentence for a kind
is silent on it, not a count of zero: "three dead" and "three killed, one wounded" count one injured; a report
silent on the dead counts those it says were shot less those the event's reports say died.

A count in a sentence that tallies several shootings together (TALLIES: "seven people had been killed and 40
wounded in 33 separate shooting incidents since Friday", "shootings across the city", "so far this year") counts
no one for the event: a report's first count is its lead only when the lead is about the event. Nor does a count
in a sentence set in an earlier year (EARLIER_YEARS: "Last year, musician Emiliano Nevarez was killed ...").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from summarizer.schema import Figure, FigureKind
from summarizer.sources import Sources

# How a figure of one person refers to them, by its first word; a figure opening with anything else is a name.
REFERRED_BACK = {"the", "he", "she"}
COUNTS = {"a", "an", "one"}  # "a man was killed" is a count of one, like "one man was killed"
SUSPECTS = {"suspect", "gunman", "shooter"}  # a person apart from the victims, even when unnamed
CASUALTY_KINDS = (FigureKind.killed, FigureKind.injured, FigureKind.shot)
# Words that tell a person's sex: a woman hurt is not the boy who was killed. A name's sex is the pronoun of its
# sentence ('Council succumbed to her injuries').
SEXES = {
    "female": {"woman", "women", "girl", "girls", "she", "her", "mother", "daughter", "wife", "sister", "grandmother"},
    "male": {"man", "men", "boy", "boys", "he", "his", "him", "father", "son", "husband", "brother", "grandfather"},
}
_NUMBER_WORDS = r"\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|multiple|separate|other"
_WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# Words that make a sentence a tally of several shootings, each with an example it reads.
TALLIES = {
    "several shootings": (  # "in 33 separate shooting incidents", "three overnight shootings"
        rf"\b(?:{_NUMBER_WORDS})\s+(?:[\w-]+\s+)?(?:shootings|shooting\s+incidents|incidents|homicides|attacks)\b|"
        r"\b(?:string|series|spate|rash|wave|spree)\s+of\s+(?:[\w-]+\s+){0,2}(?:shootings|shooting\s+deaths|deaths|"
        r"homicides|killings|attacks|violence)\b"),
    "across a city": r"\b(?:across|around|throughout)\s+(?:the\s+)?(?:city|county|state|country|region)\b|\bcity-?wide\b",
    "a span of time": (  # "since Friday", "over an eight-hour stretch that night", "so far this year"
        rf"\bthis\s+year\b|\bso\s+far\b|\bsince\s+(?:early\s+|late\s+)?(?:{_WEEKDAYS}|january|february|march|april|"
        r"may|june|july|august|september|october|november|december)\b|\b(?:over|in|during)\s+(?:the|an?)\s+"
        r"(?:[\w-]+\s+)?(?:stretch|span|period)\b|\bviolent\s+weekend\b|\bweekend\s+of\s+violence\b|"
        r"\bthroughout\s+the\s+(?:day|night|weekend|week)\b|"
        rf"\bfrom\s+(?:early\s+|late\s+)?(?:{_WEEKDAYS})\b[^.;]{{0,40}}\b(?:to|through|until)\s+(?:early\s+|late\s+)?"
        rf"(?:{_WEEKDAYS})\b"),
}
_TALLY = re.compile("|".join(f"(?:{words})" for words in TALLIES.values()), re.IGNORECASE)
# Words that set a sentence in an earlier year, so about another shooting ("Last year, musician Emiliano Nevarez was
# killed by a stray bullet ..."), each with an example it reads.
EARLIER_YEARS = {
    "last year": r"\b(?:last|previous|prior)\s+year\b",  # "last year", "the previous year"
    "years ago": r"\b(?:a|one|two|three|four|five|several|\d+)\s+years?\s+(?:ago|earlier)\b",  # "two years ago"
}
# Words that say a person hurt lived, so a person referred back to with them is not one of the dead ("She was treated
# for a non-life-threatening gunshot wound and released"), each with an example it reads.
SURVIVED = {
    "released": r"\btreated\s+and\s+released\b|\breleased\s+from\s+(?:the\s+|a\s+)?(?:\w+\s+)?hospital\b",
    "not life-threatening": r"\bnon-?\s?life[-\s]threatening\b|\bnot\s+life[-\s]threatening\b",
    "stable": r"\b(?:stable|good|fair)\s+condition\b",  # "in stable condition"
    "will live": r"\bexpected\s+to\s+(?:survive|recover|be\s+(?:ok|okay|fine))\b",
}
_SURVIVED = re.compile("|".join(f"(?:{words})" for words in SURVIVED.values()), re.IGNORECASE)
_EARLIER_YEAR = re.compile("|".join(f"(?:{words})" for words in EARLIER_YEARS.values()), re.IGNORECASE)


def tally_of_shootings(sentence: str) -> bool:
    """Whether a sentence counts several shootings together (TALLIES), not one event's casualties."""
    return bool(_TALLY.search(sentence))


def counts_no_one_for_the_event(sentence: str) -> bool:
    """Whether a sentence's counts are of other shootings: several together (TALLIES) or one in an earlier year
    (EARLIER_YEARS)."""
    return tally_of_shootings(sentence) or bool(_EARLIER_YEAR.search(sentence))


@dataclass(frozen=True)
class Count:
    """One report's count of one kind, with the rule that gave it and the sentences that rule read."""

    value: int
    rule: str
    sentence_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportCount:
    doc_id: str
    killed: Count
    injured: Count
    sex_of_dead: str | None = None  # when everyone the report says died is of one sex, as far as its words tell
    sex_of_hurt: str | None = None  # likewise everyone it says was hurt or shot


@dataclass
class Casualties:
    killed: int | None
    injured: int | None
    reports: list[ReportCount] = field(default_factory=list)
    basis: str = "no report gives a casualty figure"


def _sex_in(words: list[str]) -> str | None:
    sexes = {sex for sex, said in SEXES.items() if said & set(words)}
    return sexes.pop() if len(sexes) == 1 else None


def _sex(figure: Figure, sentences: dict[str, str]) -> str | None:
    """The sex the figure's words tell ('two men', 'she'); for a name, the one its sentence's pronouns tell."""
    words = re.findall(r"[a-z]+", f"{figure.text} {figure.group}".lower())
    if _name(figure) is None:
        return _sex_in(words)
    pronouns = re.findall(r"\b(?:he|his|him|she|her)\b", sentences.get(figure.citations[0], "").lower())
    return _sex_in(pronouns)


def _one_sex(figures: list[Figure], sentences: dict[str, str]) -> str | None:
    """The sex of the people the figures count, when those whose words tell one all tell the same."""
    sexes = {sex for f in figures if (sex := _sex(f, sentences))}
    return sexes.pop() if len(sexes) == 1 else None


def _first_word(figure: Figure) -> str:
    return (re.findall(r"[\w'’-]+", figure.text) or [""])[0].lower()


def _is_count(figure: Figure) -> bool:
    """A number of people ('three men', 'a woman'), not one person named or referred back to."""
    first = _first_word(figure)
    if figure.value_min != 1 or first in COUNTS or first[:1].isdigit():
        return True
    return first not in REFERRED_BACK and not figure.text[:1].isupper()


def _group_key(figure: Figure) -> str:
    """Who a count of one counts, by the last words of its group: 'killed a 16-year-old' and 'critically injured a
    16-year-old' count one '16-year-old'."""
    return " ".join(figure.group.lower().split()[-2:])


def _name(figure: Figure) -> frozenset[str] | None:
    return None if _is_count(figure) or _first_word(figure) in REFERRED_BACK else frozenset(figure.text.lower().split())


def _distinct(names: list[frozenset[str]]) -> list[frozenset[str]]:
    """Names that are not part of a longer one: 'Emma' and 'Emma Watson Nowling' are one person."""
    return [n for n in set(names) if not any(n < other for other in names)]


def _cited_in(figure: Figure, doc_id: str) -> str:
    """The figure's first citation in that report (a count said alike by two reports cites both)."""
    return next(c for c in figure.citations if c.split(":")[0] == doc_id)


def _first_count(figures: list[Figure], doc_id: str) -> Count:
    """The count the report gives first: news leads with it, and later paragraphs recount other shootings and
    city-wide totals (on the first 100 GVA dev incidents the first count was right more often than the largest)."""
    first = min(figures, key=lambda f: int(_cited_in(f, doc_id).split(":")[1]), default=None)
    if first is None:
        return Count(0, "first count")
    return Count(first.value_min, "first count", (_cited_in(first, doc_id),))


def _people(figures: list[Figure], but_not: list[frozenset[str]] = (), referred_back: bool = True) -> Count:
    """The people named (less those in `but_not`) and, when nobody is named, the person referred back to ('he was
    pronounced dead'); with `referred_back` False that person is taken to be one already counted (the victim who was
    'in critical condition' before he died)."""
    names = [n for f in figures if (n := _name(f))]
    named = [n for n in _distinct(names) if not any(n <= other or other <= n for other in but_not)]
    referred = [f for f in figures if _first_word(f) in REFERRED_BACK and f.group.lower() not in SUSPECTS]
    cited = [f for f in figures if (n := _name(f)) and any(n <= m for m in named)]
    if referred and referred_back and not named:
        return Count(1, "referred back", (referred[0].citations[0],))
    return Count(len(named), "named", tuple(f.citations[0] for f in cited))


ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
            "tenth": 10}
_ORDINAL = re.compile(r"\b(" + "|".join(ORDINALS) + r")\b", re.IGNORECASE)


def _ordinal(figures: list[Figure], doc_id: str) -> Count:
    """'A fourth man who was shot', 'a third person died': one more person, and the count so far is the ordinal (of
    everyone hit, or of the dead)."""
    found = [(ORDINALS[m.group(1).lower()], f) for f in figures if f.value_min == 1 and (m := _ORDINAL.search(f.text))]
    if not found:
        return Count(0, "ordinal")
    value, figure = max(found, key=lambda item: item[0])
    return Count(value, "ordinal", (_cited_in(figure, doc_id),))


def _with_suspect(victims: Count, figures: list[Figure]) -> Count:
    """The victims and the suspect referred to ('the suspect was shot and killed by officers'), unless the count is
    of suspects already."""
    suspect = [f for f in figures if _first_word(f) == "the" and f.group.lower() in SUSPECTS]
    counts_suspects = any(_is_count(f) and f.group.lower().rstrip("s") in SUSPECTS
                          and f.citations[0] in victims.sentence_ids for f in figures)
    if not suspect or counts_suspects:
        return victims
    return Count(victims.value + 1, f"{victims.rule} and the suspect",
                 victims.sentence_ids + (suspect[0].citations[0],))


def count_report(doc_id: str, figures: list[Figure], killed_elsewhere: list[frozenset[str]] = (),
                 sentences: dict[str, str] | None = None) -> ReportCount:
    """One report's killed and injured, from the figures citing it (see the module docstring). People named as
    killed here or in `killed_elsewhere` (another report) are not counted hurt, nor is one person said to be hurt
    who is the same one said to be killed ('killed a 16-year-old' and 'critically injured a 16-year-old'). A person
    referred back to as hurt ('the woman was hospitalized') is one of the dead unless of another sex than all of
    them or said to have lived (SURVIVED: 'treated and released'); `sentences`, by id, tell a name's sex."""
    sentences = sentences or {}
    of = {kind: [f for f in figures if f.kind is kind] for kind in CASUALTY_KINDS}
    dead_ones = {_group_key(f) for f in of[FigureKind.killed] if f.value_min == 1}
    counted = {kind: [f for f in found if _is_count(f) and not (kind is not FigureKind.killed and f.value_min == 1
                                                                 and _group_key(f) in dead_ones)]
               for kind, found in of.items()}
    killed_names = [n for f in of[FigureKind.killed] if (n := _name(f))] + list(killed_elsewhere)

    def largest(*counts: Count) -> Count:
        return max(counts, key=lambda c: c.value)

    killed = _with_suspect(largest(_first_count(counted[FigureKind.killed], doc_id), _people(of[FigureKind.killed]),
                                   _ordinal(of[FigureKind.killed], doc_id)), of[FigureKind.killed])
    nobody_died = killed.value == 0
    sex_of_dead = _one_sex(of[FigureKind.killed], sentences)
    shot = _with_suspect(largest(_first_count(counted[FigureKind.shot], doc_id),
                                 _people(of[FigureKind.shot], killed_names, nobody_died),
                                 _ordinal(of[FigureKind.shot] + of[FigureKind.injured], doc_id)), of[FigureKind.shot])
    less_killed = Count(max(0, shot.value - killed.value), "shot less killed", shot.sentence_ids + killed.sentence_ids)
    hurt_referred = [f for f in of[FigureKind.injured] if _first_word(f) in REFERRED_BACK]
    hurt_are_not_the_dead = bool(sex_of_dead and hurt_referred
                                 and all(_sex(f, sentences) not in (None, sex_of_dead) for f in hurt_referred)) \
        or any(_SURVIVED.search(sentences.get(f.citations[0], "")) for f in hurt_referred)
    injured = largest(_first_count(counted[FigureKind.injured], doc_id),
                      _with_suspect(_people(of[FigureKind.injured], killed_names, nobody_died or hurt_are_not_the_dead),
                                    of[FigureKind.injured]),
                      less_killed)
    return ReportCount(doc_id, killed, injured, sex_of_dead,
                       _one_sex(of[FigureKind.injured] + of[FigureKind.shot], sentences))


def _updated(report: ReportCount, latest: ReportCount) -> ReportCount:
    """An earlier report as a later one updates it: people it counted hurt who have died since count as killed (when
    the later report counts no more people in all: the same people, more of them dead; not when the dead are of
    another sex than the hurt: 'three men were hospitalized' and later 'Council succumbed to her injuries')."""
    died_since = latest.killed.value - report.killed.value
    same_people = latest.killed.value + latest.injured.value <= report.killed.value + report.injured.value
    others_died = None not in (report.sex_of_hurt, latest.sex_of_dead) and report.sex_of_hurt != latest.sex_of_dead
    if died_since <= 0 or not same_people or others_died:
        return report
    return ReportCount(report.doc_id, latest.killed,
                       Count(max(0, report.injured.value - died_since), "updated by a later report",
                             report.injured.sentence_ids + latest.killed.sentence_ids))


def _less_the_dead(report: ReportCount, killed: int) -> ReportCount:
    """A report silent on the dead counts everyone it says was shot as hurt, less those the event's reports say
    died; when they may all be among the dead ('Antwone was shot' where another report says he was pronounced
    dead) it is silent on the hurt too."""
    if report.killed.sentence_ids or report.injured.rule != "shot less killed":
        return report
    hurt = report.injured.value - killed
    return replace(report, injured=Count(max(0, hurt), "shot less the event's killed",
                                         report.injured.sentence_ids if hurt > 0 else ()))


def _most_given(votes: list[tuple[int, bool]]) -> int:
    """The value most reports give; on a tie, the one most reports about the event alone give (a roundup of the
    day's shootings recounts others: 'The teen and the man were among 11 people shot'), then the larger."""
    counts = Counter(value for value, _ in votes)
    alone = Counter(value for value, roundup in votes if not roundup)
    return max(counts, key=lambda value: (counts[value], alone[value], value))


def _text(sources: Sources, sentence_id: str) -> str:
    sentence = sources.sentence(sentence_id)
    return sentence.text if sentence else ""


def count_casualties(figures: list[Figure], sources: Sources) -> Casualties:
    """Killed and injured for the event: what most reports count, once the latest report has updated the earlier."""
    by_doc: dict[str, list[Figure]] = {}
    for f in figures:
        if f.kind in CASUALTY_KINDS:
            for doc_id in dict.fromkeys(c.split(":")[0] for c in f.citations):
                read = [c for c in f.citations if c.split(":")[0] == doc_id]
                if not all(counts_no_one_for_the_event(_text(sources, c)) for c in read):
                    by_doc.setdefault(doc_id, []).append(f.model_copy(update={"citations": [
                        c for c in f.citations
                        if c.split(":")[0] != doc_id or not counts_no_one_for_the_event(_text(sources, c))]}))
    if not by_doc:
        return Casualties(None, None)
    named_dead = [n for f in figures if f.kind is FigureKind.killed and (n := _name(f))]
    sentences = {c: _text(sources, c) for f in figures for c in f.citations}
    reports = [count_report(doc_id, found, named_dead, sentences) for doc_id, found in by_doc.items()]
    dates = {d.id: d.date[:10] for d in sources.canonical if d.date}
    if len(reports) > 1 and all(r.doc_id in dates for r in reports):
        latest = max(reports, key=lambda r: dates[r.doc_id])
        reports = [_updated(r, latest) if dates[r.doc_id] < dates[latest.doc_id] else r for r in reports]
    roundups = {d.id for d in sources.documents if any(tally_of_shootings(s.text) for s in d.sentences)}
    killed = _most_given([(r.killed.value, r.doc_id in roundups) for r in reports if r.killed.sentence_ids]
                         or [(0, False)])
    reports = [_less_the_dead(r, killed) for r in reports]
    injured = _most_given([(r.injured.value, r.doc_id in roundups) for r in reports if r.injured.sentence_ids]
                          or [(0, False)])
    return Casualties(killed, injured, reports, f"killed {killed}, injured {injured}: the counts most of "
                                                f"{len(reports)} reports give")
