"""judge: the optional entailment check, read from the pinned generator-large model.

Retrieval cosine and word overlap cannot tell a faithful paraphrase from a fluent invented or fused fact; an
entailment-style reader can. The model is asked one question per (article, claim): "Is the claim fully supported by
the article above? Answer yes or no." Its answer is read, not written: the log-odds log P(yes) - log P(no) of its
next token, a graded score that calibration.toml combines with the checker's own (support.JudgedModel). On the
QAGS-XSum eval half it scores 0.855 ROC AUC where the feature checker scores 0.729 (eval/RESULTS.md has the run).

It costs a forward pass over every article and every claim on the 1.5B model: the article's tokens are evaluated
once and shared by all the claims checked against it, but on 2 CPU cores that is still 1.5-2 s per claim and
document, so it is opt-in (`--judge`).
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.backends import DEFAULT_BACKEND, Backend, Choice, Request, load_backend
from summarizer.draft.prompts import render_prompt, shown_text

JUDGE_ROLE = "generator-large"
MAX_ARTICLE_TOKENS = 1500  # an article is cut to the sentences that fit: about 6 s of prefill on 2 cores
ANSWER = Choice(("yes", "no"))


class Judge:
    """Log-odds that an article supports a claim, from the model behind `backend`."""

    def __init__(self, backend: Backend):
        self.backend = backend

    @classmethod
    def load(cls, backend: str = DEFAULT_BACKEND, role: str = JUDGE_ROLE) -> Judge:
        return cls(load_backend(backend, role))

    @property
    def identity(self) -> str:
        """The model and question the calibration was fitted for: a different one needs a refit."""
        import hashlib

        from summarizer.draft.prompts import PROMPT_VERSION, PROMPTS
        from summarizer.lock import load_lock

        question = hashlib.sha256((PROMPTS / PROMPT_VERSION / "judge.jinja").read_bytes()).hexdigest()[:8]
        return f"{self.backend.role}:{load_lock()[self.backend.role].sha256[:16]}:{PROMPT_VERSION}+{question}"

    def log_odds(self, article: Sequence[str], claims: Sequence[str]) -> list[float]:
        """log P(yes) - log P(no) for each claim against one article (its sentences); one backend call, so the
        article is evaluated once."""
        if not claims:
            return []
        shown = self._article(article)
        if hasattr(self.backend, "forget_prefix"):
            # llama.cpp's numbers depend on how the evaluated tokens were split into batches: reading the article
            # after a prefix held from another call moved one claim's log-odds from 1.39 to 1.12. Read from its first
            # token, the same claims against the same article score the same whatever was judged before.
            self.backend.forget_prefix()
        requests = [Request(render_prompt("judge", article=shown, claim=shown_text(claim)), ANSWER, 1,
                            option_logprobs=True) for claim in claims]
        return [c.option_logprobs["yes"] - c.option_logprobs["no"] for c in self.backend.complete(requests)]

    def _article(self, sentences: Sequence[str]) -> str:
        kept, used = [], 0
        for sentence in sentences:
            text = shown_text(sentence)
            used += self.backend.count_tokens(text) + 1
            if kept and used > MAX_ARTICLE_TOKENS:
                break
            kept.append(text)
        return " ".join(kept)
