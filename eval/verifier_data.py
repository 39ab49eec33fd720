"""Training pairs for the verifier: the licensed NLI sets in ../shared/nli-data, and synthetic news pairs.

The NLI sets teach entailment in general; the synthetic pairs teach the errors a news summary makes. They are built
from real sentences of the dev articles (the fit halves of ../shared/eval-data and of the GVA dev incidents, never an
eval half). The premise is a passage as the checker reads one at run time: one to three adjacent sentences or, as
often, the sentence among up to three others of the article in its order (the evidence set); the hypothesis is
- supported: a sentence of the passage, a clause of it, or two adjacent sentences merged;
- contradicted: that sentence with one thing changed: a number, a date, a place, person or organisation (swapped for
  another of the same article), a flipped negation, a swapped speaker, a reversed quantifier;
- neutral: a sentence from elsewhere in the article, which the passage neither states nor denies.
Each pair keeps its `kind`, so the verifier's accuracy is reported per error type.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from summarizer.checks import dates, entities, numbers

NLI_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "nli-data"
LABELS = ("entailment", "neutral", "contradiction")
NOT_ENTAILMENT = "not_entailment"  # two-class sources: neutral or contradiction, not which
NLI_FILES = ("snli_devtest_esnli", "docnli_binary_mnli", "docnli_binary_fever", "breaking_nli", "factcc_sample1k")
ERRORS = ("number", "date", "entity", "speaker", "negation", "quantifier")
SUPPORTED_KINDS = ("sentence", "clause", "merged")


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: str  # one of LABELS, or NOT_ENTAILMENT
    source: str  # the file (without .jsonl) or "news"
    kind: str = ""  # news pairs: what was done to the sentence


# --- the licensed NLI sets -----------------------------------------------------------------------------------------
_PTB = ((re.compile(r"-LRB-"), "("), (re.compile(r"-RRB-"), ")"), (re.compile(r"-LSB-"), "["),
        (re.compile(r"-RSB-"), "]"), (re.compile(r"``|''"), '"'), (re.compile(r" ([.,;:!?%)\]])"), r"\1"),
        (re.compile(r"([(\[$]) "), r"\1"), (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b"), r"\1"),
        (re.compile(r" -- "), " - "))


def detokenise(text: str) -> str:
    """SNLI and FEVER come tokenised ('-LRB-', ' , ', ' 's'): written back as running text."""
    for pattern, repl in _PTB:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def nli_pairs(folder: Path = NLI_DATA) -> list[Pair]:
    out = []
    for name in NLI_FILES:
        for line in (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            label = row["label3"] if row["label3"] in LABELS else NOT_ENTAILMENT
            out.append(Pair(detokenise(row["premise"]), detokenise(row["hypothesis"]), label, name))
    return out


def is_held_out(pair: Pair, share: float = 0.05) -> bool:
    """A fixed slice of every source, by hash of the text, that training never sees."""
    digest = hashlib.sha1(f"{pair.premise}\x00{pair.hypothesis}".encode()).digest()
    return int.from_bytes(digest[:4], "big") < share * 2**32


# --- synthetic news pairs ------------------------------------------------------------------------------------------
_NEGATABLE = re.compile(r"\b(is|are|was|were|has|have|had|will|would|could|can|should|did|does|do)\b(?! not\b)(?!n't)")
_NEGATED = re.compile(r"\b(is|are|was|were|has|have|had|will|would|could|can|should|did|does|do) not\b|"
                      r"\b(is|are|was|were|has|have|had|would|could|should|did|does|do)n't\b")
_NEGATIVE_WORD = re.compile(r"\b(?:not|no|never|nobody|none|nothing|neither|nor|without|un\w+)\b|n't\b", re.I)
_QUANTIFIERS = (("more than", "fewer than"), ("at least", "at most"), ("over", "under"), ("nearly", "more than"),
                ("almost", "more than"), ("up to", "at least"))
_SPEAKER = re.compile(r"\b(said|says|told|claimed|reported|announced|confirmed)\b")
_CLAUSE_CUT = re.compile(r",\s+(?:and|but|while|which|who|after|as|when|before)\s+|;\s+|\s+-\s+")
_MONTHS = ("January", "February", "March", "April", "June", "July", "August", "September", "October", "November",
           "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def swap_number(sentence: str, article: Sequence[str], rng: np.random.Generator) -> str | None:
    """One number changed: to another number the article gives, else scaled by a factor a reader would notice."""
    found = [q for q in numbers.extract(sentence) if q.unit != "year" and q.value_min >= 1]
    if not found:
        return None
    target = found[int(rng.integers(len(found)))]
    written = sentence[target.start:target.end]
    digits = re.search(r"\d[\d,.]*", written)
    others = sorted({q.value_min for s in article for q in numbers.extract(s)
                     if q.value_min >= 1 and q.value_min != target.value_min and float(q.value_min).is_integer()})
    if others and rng.random() < 0.5:
        value = others[int(rng.integers(len(others)))]
    else:
        value = target.value_min * float(rng.choice([0.5, 2, 3, 0.25])) + float(rng.integers(1, 4))
    value = int(round(value))
    if value == target.value_min:
        value += 2
    shown = f"{value:,}" if digits and "," in digits.group(0) else str(value)
    if digits:
        new = written[:digits.start()] + shown + written[digits.end():]
    else:  # a number in words ("three people"): the noun stays, the number becomes digits
        new = re.sub(r"^[A-Za-z-]+(?:\s+(?:hundred|thousand|million))?", shown, written, count=1)
        if new == written:
            return None
    return _replace(sentence, target.start, target.end, new)


def swap_date(sentence: str, rng: np.random.Generator) -> str | None:
    """A weekday, month or year changed."""
    for pattern, options in ((r"\b(%s)\b" % "|".join(_WEEKDAYS), _WEEKDAYS), (r"\b(%s)\b" % "|".join(_MONTHS), _MONTHS)):
        m = re.search(pattern, sentence)
        if m:
            choice = [o for o in options if o != m.group(1)]
            return _replace(sentence, m.start(1), m.end(1), choice[int(rng.integers(len(choice)))])
    m = re.search(r"\b(19[5-9]\d|20[0-2]\d)\b", sentence)
    if m and dates.extract(sentence):
        return _replace(sentence, m.start(), m.end(), str(int(m.group(0)) + int(rng.choice([-3, -2, -1, 1, 2]))))
    return None


def swap_entity(sentence: str, article: Sequence[str], rng: np.random.Generator, speaker: bool) -> str | None:
    """A name replaced by another name of the same article in the same role (a speaker by a speaker, a place by a
    place); other names when the role is unknown."""
    names = [e for e in entities.find(sentence) if not e.weak and (e.slot == "speaker") == speaker]
    if not names:
        return None
    target = names[int(rng.integers(len(names)))]
    pool = {e.text: e for s in article for e in entities.find(s) if not e.sentence_initial and not (e.key & target.key)
            and (e.slot == target.slot if target.slot else True)}
    if not pool:
        return None
    rival = sorted(pool)[int(rng.integers(len(pool)))]
    return _replace(sentence, target.start, target.end, rival)


def flip_negation(sentence: str, rng: np.random.Generator) -> str | None:
    """'was not' -> 'was', 'was' -> 'was not' (an auxiliary's negation, which stays grammatical both ways)."""
    negated = _NEGATED.search(sentence)
    if negated:
        plain = negated.group(0).replace(" not", "").replace("n't", "")
        return None if plain in ("do", "does", "did") else _replace(sentence, negated.start(), negated.end(), plain)
    spots = list(_NEGATABLE.finditer(sentence))
    if not spots or _NEGATIVE_WORD.search(sentence):  # "not unknown", "not no plan": no clean flip
        return None
    m = spots[int(rng.integers(len(spots)))]
    return _replace(sentence, m.start(), m.end(), m.group(0) + " not")


def reverse_quantifier(sentence: str) -> str | None:
    for word, opposite in _QUANTIFIERS:
        m = re.search(rf"\b{word}\b(?=\s+(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|a dozen|half))",
                      sentence, re.I)
        if m:
            return _replace(sentence, m.start(), m.end(), opposite)
    return None


def clause_of(sentence: str) -> str | None:
    """The sentence's main clause, when a comma-joined second clause can be cut off and enough is left."""
    m = _CLAUSE_CUT.search(sentence)
    if not m or m.start() < 25 or len(sentence) - m.start() < 15:
        return None
    return sentence[:m.start()].rstrip(" ,;") + "."


def _usable(sentence: str) -> bool:
    words = sentence.split()
    return 6 <= len(words) <= 60 and not sentence.isupper() and sentence[-1:] in '.!?"”\''


def _passage(article: Sequence[str], index: int, rng: np.random.Generator) -> tuple[str, list[int]]:
    """The sentence as run time reads it: alone or with up to two neighbours (a window of 1-3 adjacent sentences),
    or, as often, among up to three other sentences of the article in its order (the evidence set: the claim's
    closest sentences together, which are seldom adjacent)."""
    if rng.random() < 0.5:
        others = [j for j in range(len(article)) if j != index]
        chosen = sorted([index, *rng.choice(others, size=min(len(others), int(rng.integers(1, 4))), replace=False)])
    else:
        size = int(rng.integers(1, 4))
        first = max(0, min(index - int(rng.integers(0, size)), len(article) - size))
        chosen = list(range(first, min(len(article) - 1, first + size - 1) + 1))
    return " ".join(article[j] for j in chosen), [int(j) for j in chosen]


def article_pairs(article: Sequence[str], rng: np.random.Generator, per_article: int) -> Iterator[Pair]:
    """Up to `per_article` sentences of one article, each giving one supported and one changed pair, and every
    third one a neutral pair."""
    usable = [i for i, s in enumerate(article) if _usable(s)]
    for i in rng.permutation(usable)[:per_article]:
        sentence = article[i]
        premise, chosen = _passage(article, i, rng)
        kind = SUPPORTED_KINDS[int(rng.integers(len(SUPPORTED_KINDS)))]
        hypothesis = sentence
        if kind == "clause":
            hypothesis = clause_of(sentence) or sentence
        elif kind == "merged" and i + 1 < len(article) and _usable(article[i + 1]):
            premise = " ".join(article[max(0, i - (min(chosen) < i)):i + 2])
            hypothesis = sentence.rstrip(".") + ", and " + article[i + 1][0].lower() + article[i + 1][1:]
        yield Pair(premise, hypothesis, "entailment", "news", kind if hypothesis != sentence else "sentence")
        changes = {error: _changed(error, sentence, article, rng) for error in ERRORS}
        changes = {error: text for error, text in changes.items() if text and text != sentence}
        specific = sorted(e for e in changes if e != "negation")  # negation fits almost any sentence: less often
        if specific and ("negation" not in changes or rng.random() < 0.75):
            error = specific[int(rng.integers(len(specific)))]
        else:
            error = "negation" if "negation" in changes else None
        if error:
            yield Pair(premise, changes[error], "contradiction", "news", error)
        if int(i) % 3 == 0:
            far = [j for j in usable if all(abs(j - k) > 2 for k in chosen)]
            if far:
                yield Pair(premise, article[far[int(rng.integers(len(far)))]], "neutral", "news", "unrelated")


def _changed(error: str, sentence: str, article: Sequence[str], rng: np.random.Generator) -> str | None:
    if error == "number":
        return swap_number(sentence, article, rng)
    if error == "date":
        return swap_date(sentence, rng)
    if error == "entity":
        return swap_entity(sentence, article, rng, speaker=False)
    if error == "speaker":
        return swap_entity(sentence, article, rng, speaker=True) if _SPEAKER.search(sentence) else None
    if error == "negation":
        return flip_negation(sentence, rng)
    return reverse_quantifier(sentence)


def news_pairs(articles: Sequence[Sequence[str]], seed: int, per_article: int = 6) -> list[Pair]:
    rng = np.random.default_rng(seed)
    articles = [[" ".join(s.split()) for s in article] for article in articles]
    return [pair for article in articles for pair in article_pairs(article, rng, per_article)]
