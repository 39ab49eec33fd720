"""The data that ingest produces and every later stage reads: documents split into sentences with exact offsets.

Offsets always index into `Document.text`, the decoded (NFC-normalised) text of the file, so a citation can be
checked by anyone with `document.text[sentence.start:sentence.end] == sentence.text`.
"""

from __future__ import annotations

from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field


class Sentence(BaseModel):
    """One sentence of one document. `id` is `"<doc_id>:<index>"` and stays stable for the same input folder."""

    model_config = ConfigDict(frozen=True)

    id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int


class Removal(BaseModel):
    """A span of the original text that is not the article (boilerplate), kept so the user can audit the cut."""

    start: int
    end: int
    text: str
    reason: str


class Document(BaseModel):
    """One readable input file (or one record of a JSON/JSONL file)."""

    id: str = Field(description="short stable id, 'd1', 'd2', ... in sorted path order")
    path: str
    text: str = Field(description="decoded, NFC-normalised text; every offset points into it")
    title: str | None = None
    outlet: str | None = None
    date: str | None = Field(default=None, description="ISO date from a dateline or metadata, when derivable")
    url: str | None = None
    sentences: list[Sentence] = Field(default_factory=list)
    removed: list[Removal] = Field(default_factory=list)
    duplicate_of: str | None = Field(default=None, description="id of the canonical document when this is a near-copy")
    similarity: float | None = Field(default=None, description="similarity to the canonical document, if a copy")
    notes: list[str] = Field(
        default_factory=list, description="how the file was read, where it matters (e.g. decoded as cp1252, not UTF-8)"
    )

    @property
    def label(self) -> str:
        """How a person names this source in a note: outlet or title, falling back to the file name."""
        return self.outlet or self.title or self.path.rsplit("/", 1)[-1]


class Skipped(BaseModel):
    """A file that was not read, with the reason in words a user can act on."""

    path: str
    reason: str


class Sources(BaseModel):
    """Everything read from a folder: documents, what was skipped, and which sentences repeat across documents."""

    root: str
    documents: list[Document] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    sentence_groups: list[list[str]] = Field(
        default_factory=list,
        description="ids of sentences that say the same thing in different documents (corroboration groups)",
    )

    @property
    def canonical(self) -> list[Document]:
        """Independent reports only: near-duplicate captures are folded into their canonical document."""
        return [d for d in self.documents if d.duplicate_of is None]

    @cached_property
    def _by_id(self) -> dict[str, Sentence]:
        return {s.id: s for d in self.documents for s in d.sentences}

    def sentence(self, sentence_id: str) -> Sentence | None:
        return self._by_id.get(sentence_id)

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.id == doc_id)

    def sentences(self, canonical_only: bool = True) -> list[Sentence]:
        docs = self.canonical if canonical_only else self.documents
        return [s for d in docs for s in d.sentences]

    def reports_of(self, doc_id: str) -> list[str]:
        """The canonical document and every capture of the same report, for attribution ('one report, two copies')."""
        root = self.document(doc_id).duplicate_of or doc_id
        return [d.id for d in self.documents if d.id == root or d.duplicate_of == root]
