"""summarizer: local, verifiable news-event summaries.

The public API (the CLI is a thin layer over it), one function per stage, plus `score` for any summary:

    import summarizer
    sources = summarizer.load_sources("seeds/")             # files -> Sources
    sources = summarizer.sources_from_texts([article_text])  # strings -> Sources (same cleaning and splitting)
    draft = summarizer.generate(sources)                     # Sources -> Draft (the local model)
    verified = summarizer.verify(draft, sources)             # Draft -> VerifiedSummary
    verified = summarizer.verify(draft, sources, judge=summarizer.Judge.load())  # + the entailment judge (slower)
    result = summarizer.brief("seeds/", "out/seeds")         # all of the above, and the note files
    report = summarizer.score("Five guards died.", sources)  # any summary -> FaithfulnessReport
    fitted = summarizer.calibrate("labelled.jsonl", "my.toml")  # your own operating point
    report = summarizer.score(text, sources, calibration=summarizer.Calibration.load(Path("my.toml")))

`import summarizer` is cheap: each function's module (and numpy, pydantic models, jinja2...) is imported on first use.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from summarizer.brief import brief
    from summarizer.calibrate import calibrate
    from summarizer.draft import generate
    from summarizer.ingest import load_sources, sources_from_texts
    from summarizer.judge import Judge
    from summarizer.score import score
    from summarizer.support import Calibration
    from summarizer.verifier import Verifier
    from summarizer.verify import verify

_API = {
    "load_sources": "summarizer.ingest",
    "sources_from_texts": "summarizer.ingest",
    "generate": "summarizer.draft",
    "verify": "summarizer.verify",
    "brief": "summarizer.brief",
    "score": "summarizer.score",
    "Judge": "summarizer.judge",
    "calibrate": "summarizer.calibrate",
    "Calibration": "summarizer.support",
    "Verifier": "summarizer.verifier",
}
__all__ = ["Calibration", "Judge", "Verifier", "brief", "calibrate", "generate", "load_sources", "score",
           "sources_from_texts", "verify"]


def __getattr__(name: str):
    """Import an API function on first use (PEP 562) and keep it as a package attribute."""
    if name not in _API:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    function = getattr(import_module(_API[name]), name)
    globals()[name] = function
    return function


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})


class _Package(types.ModuleType):
    """Four API functions share their name with the module that defines them (`summarizer.verify.verify`). Python
    sets every imported submodule as an attribute of its package, which would hide the function behind the module;
    here the function wins. The modules stay importable as usual: `from summarizer.verify import Status`."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _API and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
