"""Which source sentences the model is shown: the distinct ones that fit the token budget (MMR over embedder vectors
when they do not all fit), none that addresses the model; and the few sentences each list of notes is written from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from summarizer.draft.prompts import addresses_the_model, render_prompt, shown_text
from summarizer.draft.text import norm
from summarizer.sources import Document, Sentence, Sources

MMR_LAMBDA = 0.7  # relevance (centrality) vs novelty when picking sentences
SAME_SENTENCE_COSINE = 0.85  # two sentences this similar say the same thing: one note, not two


@dataclass
class Shown:
    """The deduplicated sentences that fit the budget, grouped by document, what the budget left out, and what was
    withheld because it addresses the model."""

    documents: list[tuple[Document, list[Sentence]]]
    left_out: list[str]
    withheld: list[Sentence]

    @property
    def sentences(self) -> list[Sentence]:
        return [s for _, sentences in self.documents for s in sentences]


def _distinct_sentences(sources: Sources) -> list[Sentence]:
    """Canonical sentences, minus exact repeats and minus later members of a cross-document repeat group."""
    later_in_group = {sid for group in sources.sentence_groups for sid in group[1:]}
    seen: set[str] = set()
    out = []
    for sentence in sources.sentences(canonical_only=True):
        key = norm(sentence.text)
        if sentence.id in later_in_group or key in seen or not key:
            continue
        seen.add(key)
        out.append(sentence)
    return out


def _line(sentence: Sentence) -> str:
    return f"[{sentence.id}] {shown_text(sentence.text)}\n"


def _mmr(vectors: np.ndarray, relevance: np.ndarray, cost: np.ndarray, budget: float) -> list[int]:
    """Maximal marginal relevance: greedily the most relevant item least like those already picked, within budget;
    an item nearly identical to a picked one is never picked."""
    chosen: list[int] = []
    used = 0.0
    closest = np.full(len(relevance), -1.0)
    while True:
        score = MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * np.maximum(closest, 0)
        fits = [i for i in np.argsort(-score, kind="stable")
                if i not in chosen and used + cost[i] <= budget and closest[i] < SAME_SENTENCE_COSINE]
        if not fits:
            return chosen
        pick = int(fits[0])
        chosen.append(pick)
        used += float(cost[pick])
        closest = np.maximum(closest, vectors @ vectors[pick])


def sentence_vectors(texts: list[str]) -> np.ndarray:
    from summarizer.embed import Embedder

    return Embedder.load().encode(texts)


def _centrality(vectors: np.ndarray) -> np.ndarray:
    centroid = vectors.mean(axis=0)
    return vectors @ (centroid / (np.linalg.norm(centroid) or 1.0))


def select_sentences(sources: Sources, count_tokens: Callable[[str], int], budget: int) -> Shown:
    """Everything when it fits in `budget` tokens; otherwise the sentences MMR picks over embedder vectors (centrality
    to all sentences vs similarity to those already picked), shown in reading order. The rest is `left_out`.
    Sentences that address the model (prompt injection) are never shown: `withheld`."""
    pool = _distinct_sentences(sources)
    withheld = [s for s in pool if addresses_the_model(s.text)]
    pool = [s for s in pool if not addresses_the_model(s.text)]
    cost = np.array([count_tokens(_line(s)) for s in pool], dtype=float)
    chosen = set(range(len(pool)))
    if cost.sum() > budget:
        vectors = sentence_vectors([s.text for s in pool])
        chosen = set(_mmr(vectors, _centrality(vectors), cost, budget))
    by_doc: dict[str, list[Sentence]] = {}
    for i, sentence in enumerate(pool):
        if i in chosen:
            by_doc.setdefault(sentence.doc_id, []).append(sentence)
    documents = [(d, by_doc[d.id]) for d in sources.canonical if d.id in by_doc]
    return Shown(documents, left_out=[s.id for i, s in enumerate(pool) if i not in chosen], withheld=withheld)


def render_prefix(shown: Shown, *, ids: bool = True) -> str:
    """The system message and the numbered sources; `ids` puts each sentence's id before it, for a model that cites."""
    documents = [
        {"id": doc.id, "about": ", ".join(shown_text(p) for p in (doc.outlet, doc.date) if p),
         "sentences": [{"id": s.id, "text": shown_text(s.text)} for s in sentences]}
        for doc, sentences in shown.documents
    ]
    return render_prompt("prefix", documents=documents, ids=ids)


def pick_sentences(sentences: list[Sentence], limit: int, vectors: dict[str, np.ndarray], central: bool) -> list[Sentence]:
    """Up to `limit` sentences with no two saying the same thing: the most central first, or in reading order."""
    if not sentences:
        return []
    matrix = np.stack([vectors[s.id] for s in sentences])
    relevance = _centrality(matrix) if central else np.linspace(1.0, 0.5, len(sentences))
    picked = _mmr(matrix, relevance, np.ones(len(sentences)), limit)
    return [sentences[i] for i in (picked if central else sorted(picked))]
