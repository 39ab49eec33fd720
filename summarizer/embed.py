"""The pinned sentence embedder, loaded once per process, with each distinct text embedded once per process."""

from __future__ import annotations

from functools import cache

import numpy as np

from summarizer.lock import model_path


class Embedder:
    """L2-normalised embeddings, so a dot product is a cosine. Remembers every text it has embedded."""

    def __init__(self, model):
        self._model = model
        self._memo: dict[str, np.ndarray] = {}

    @classmethod
    @cache
    def load(cls) -> Embedder:
        path = model_path("embedder")  # verified before the library that reads it is even imported
        from sentence_transformers import SentenceTransformer

        return cls(SentenceTransformer(str(path), device="cpu", local_files_only=True))

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if todo:
            vectors = self._model.encode(
                todo, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
            self._memo.update(zip(todo, vectors.astype(np.float32)))
        dim = self._model.get_embedding_dimension()
        return np.stack([self._memo[t] for t in texts]) if texts else np.zeros((0, dim), np.float32)
