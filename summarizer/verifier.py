"""The project's own entailment model: p(entailment, neutral, contradiction) of a claim given a source passage.

A cross-encoder trained by `python -m eval train_verifier` (its model card: summarizer/weights/verifier/README.md):
the pinned embedder's weights read as BERT, with a LoRA adapter and a 3-way head. Both the base and the adapter come
through models.lock (`model_path`), so each is sha256-checked before anything reads it; the adapter is merged into
the base once at load, so inference costs one float32 MiniLM-L6 pass per pair. (torch's dynamic int8 quantisation
was 1.7x faster here, but it scales activations per batch, so a pair's probabilities depended on which other pairs
shared its batch: the same claim scored differently in two runs. A score must not.) Word overlap measures how a
claim is worded; this reads whether the passage entails it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from summarizer.lock import load_lock, model_path

ID2LABEL = {0: "entailment", 1: "neutral", 2: "contradiction"}
MAX_TOKENS = 192  # what it was trained on (four sentences and a claim fit); a longer pair is cut, its longer side first
BATCH = 64


class Verifier:
    """Scores (passage, claim) pairs in length-sorted batches and remembers every pair it has scored."""

    def __init__(self, model, tokenizer, identity: str):
        self._model = model
        self._tokenizer = tokenizer
        self.identity = identity  # the adapter's sha256: calibration.toml names the verifier it was fitted with
        self._memo: dict[tuple[str, str], np.ndarray] = {}

    @classmethod
    @cache
    def load(cls) -> Verifier:
        pin = load_lock()["verifier"]
        adapter = model_path("verifier")  # both verified before torch or peft is even imported
        base = model_path(pin.base or "embedder")
        from peft import PeftModel
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # "newly initialised head" is expected: the adapter supplies it
        try:
            model = AutoModelForSequenceClassification.from_pretrained(
                str(base), num_labels=len(ID2LABEL), id2label=ID2LABEL, local_files_only=True)
        finally:
            hf_logging.set_verbosity(verbosity)
        model = PeftModel.from_pretrained(model, str(adapter), is_trainable=False).merge_and_unload()
        model.eval()
        return cls(model, AutoTokenizer.from_pretrained(str(base), local_files_only=True), pin.sha256)

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """(passage, claim) -> [p(entailment), p(neutral), p(contradiction)] per pair, each distinct pair once."""
        import torch

        todo = list(dict.fromkeys(p for p in pairs if p not in self._memo))
        todo.sort(key=lambda p: len(p[0]) + len(p[1]))  # similar lengths batch with little padding
        with torch.inference_mode():
            for start in range(0, len(todo), BATCH):
                chunk = todo[start:start + BATCH]
                encoded = self._tokenizer([p for p, _ in chunk], [c for _, c in chunk], truncation="longest_first",
                                          max_length=MAX_TOKENS, padding=True, return_tensors="pt")
                probs = torch.softmax(self._model(**encoded).logits.float(), dim=-1).numpy()
                self._memo.update(zip(chunk, probs))
        return np.stack([self._memo[p] for p in pairs]) if pairs else np.zeros((0, len(ID2LABEL)), np.float32)
