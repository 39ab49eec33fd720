"""The key every stage of the draft compares names and sentences by: case, punctuation and hyphens do not make two
spellings of one name ('Al-Khalis', 'al Khalis') two names."""

from __future__ import annotations

import re


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold().replace("-", " ")).split())
