"""Polarity: does one sentence deny what the other asserts?

A sentence is negated when it holds a negation cue ("not", "no", "never", "didn't", "denied", "without", "failed
to", ...). The check only speaks when both sentences are about the same content: enough shared content words, and
the words the negation governs (its scope, up to the end of the clause) appear in the other sentence. "not only" and
"no longer"-style idioms are handled by the cue list, not by guessing.

A word swapped for its opposite flips a sentence as a negation does: "The APC lost 19 governor posts" of "The APC won
19 of the 28 governor posts". OPPOSITES lists such pairs. A contest's words count only when both sentences say them
of the same subject (words before them), since "Holland won" and "Spain lost" may tell one match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from summarizer.checks.base import Check

_CUES = re.compile(
    r"\b(?:not(?!\s+only\b|\s+just\b|\s+least\b)|no(?!\s+doubt\b|\s+matter\b)|never|none|nobody|nothing|neither|nor|"
    r"\w+n['’]t|cannot|without|den(?:y|ies|ied|ying)|fail(?:s|ed)?\s+to|unable\s+to|refus(?:e|es|ed)\s+to|"
    r"rul(?:e|es|ed)\s+out|reject(?:s|ed)?|dismiss(?:es|ed)?)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.;:!?]|,\s+(?:but|while|although|though|and)\b|\s+but\s+")
_STOPWORDS = set(
    """a an the and or but if of to in on at by for from with as is are was were be been being has have had do does
    did it its this that these those there their they them he she his her we our you your i not no never none
    nobody nothing neither nor cannot without deny denies denied denying fail fails failed unable refuse refuses
    refused rule rules ruled out reject rejects rejected dismiss dismisses dismissed said says told also than then
    which who whom what when where while would could should will may might can so such any some all into about after
    before over under up down very just only more most other""".split()
)
# Words whose swap for the other turns a fact into its opposite (each form listed: no stemming guesses).
OPPOSITES = (("won", "lost"), ("win", "lose"), ("wins", "loses"), ("winning", "losing"), ("acquitted", "convicted"),
             ("rose", "fell"), ("increased", "decreased"), ("survived", "died"), ("upheld", "overturned"),
             ("guilty", "innocent"))
CONTEST_WORDS = {"won", "lost", "win", "lose", "wins", "loses", "winning", "losing"}  # true of one side, not the other
# The share of the shorter sentence's content words the other must contain before polarity is compared.
MIN_OVERLAP = 0.5
# The share of a claim's characters that one run of the evidence must give for the claim to be a quote of it.
QUOTED_SHARE = 0.8


@dataclass(frozen=True)
class Polarity:
    negated: bool
    cue: str | None
    scope: frozenset[str]


def content_words(text: str) -> set[str]:
    """Lowercase content words with a light suffix strip, so 'killed' meets 'kill' and 'prisoners' meets 'prisoner'."""
    return {_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower().replace("n't", " not")) if w not in _STOPWORDS}


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ied", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix in ("ied", "ies") else "")
    return word


def polarity(text: str) -> Polarity:
    """The first negation cue in `text` and the content words in its clause after it."""
    cue = _CUES.search(text)
    if cue is None:
        return Polarity(False, None, frozenset())
    rest = text[cue.end():]
    end = _CLAUSE_END.search(rest)
    scope = content_words(rest[: end.start()] if end else rest)
    if re.match(r"den|rej|dis", cue.group(0), re.I):  # "X denied that Y": the denied content may come before too
        scope |= content_words(text[: cue.start()])
    return Polarity(True, cue.group(0), frozenset(scope))


def compare(claim: str, evidence: str) -> Check:
    """mismatch when exactly one side is negated about shared content; match when both are; na when neither is."""
    pc, pe = polarity(claim), polarity(evidence)
    if (swapped := _opposite(claim, evidence)) is not None:
        return swapped
    if not pc.negated and not pe.negated:
        return Check("na", "neither sentence is negated")
    words_c, words_e = content_words(claim), content_words(evidence)
    shared = words_c & words_e
    if not shared or len(shared) / max(1, min(len(words_c), len(words_e))) < MIN_OVERLAP:
        return Check("absent", "the sentences are not about the same content")
    if pc.negated and pe.negated:
        return Check("match", f"both negated ('{pc.cue}' / '{pe.cue}')")
    negated, other, side = (pc, words_e, "claim") if pc.negated else (pe, words_c, "evidence")
    if pe.negated and claim.rstrip(" .").endswith("…") and _quoted_before_negation(claim, evidence):
        return Check("absent", f"the claim quotes the evidence up to before its '{pe.cue}'")
    if not negated.scope & other:
        return Check("absent", f"the {side}'s '{negated.cue}' governs words the other sentence does not contain")
    return Check("mismatch", f"the {side} is negated ('{negated.cue}') about "
                             + ", ".join(sorted(negated.scope & other)[:5]) + "; the other is not")


def _quoted_before_negation(claim: str, evidence: str) -> bool:
    """The claim, an excerpt cut short ('…', as the notes cut a source sentence too long for its field), quotes the
    evidence ('Spain's 2-0 defeat ... memories of their 2014 World Cup…' of a sentence going on 'but coach Vicente del
    Bosque will not be too worried'), and every negation cue of the evidence comes after the quoted words: a negation
    later in the sentence does not deny what came before it. Only such excerpts: on whole claims that quote most of a
    sentence (extractive summaries), the calibrated checker already weighs the negation check as it is."""
    quoted = claim.rstrip(" .…")
    a, b = quoted.lower(), evidence.lower()
    run = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    if run.size < QUOTED_SHARE * len(a):
        return False
    return all(cue.start() >= run.b + run.size for cue in _CUES.finditer(evidence))


def _opposite(claim: str, evidence: str) -> Check | None:
    """A mismatch when the claim says one word of an OPPOSITES pair where the evidence, about the same content and
    the same subject, says only the other."""
    words_c, words_e = _words(claim), _words(evidence)
    for pair in OPPOSITES:
        for said, other in (pair, pair[::-1]):
            if said not in words_c or other not in words_e or said in words_e:
                continue
            subject_c = content_words(" ".join(words_c[: words_c.index(said)]))
            subject_e = content_words(" ".join(words_e[: words_e.index(other)]))
            rest_c, rest_e = content_words(claim) - {said, other}, content_words(evidence) - {said, other}
            shared = rest_c & rest_e
            same_side = bool(subject_c & subject_e) or said not in CONTEST_WORDS
            if same_side and len(shared) >= MIN_OVERLAP * max(1, min(len(rest_c), len(rest_e))):
                return Check("mismatch", f"the claim says '{said}' where the evidence says '{other}'")
    return None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())
