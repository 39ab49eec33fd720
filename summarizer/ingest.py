"""ingest: a file or folder of articles -> Sources (clean, deduplicated, sentence-indexed documents).

Everything later cites sentences by character offsets, so this module never edits the text it reads: boilerplate is
*recorded* (`Document.removed`) and simply yields no sentences, and every offset indexes `Document.text`, the decoded,
NFC-normalised input (for HTML: the main text trafilatura extracts). A bad file never raises: each unreadable file or
record becomes a `Skipped` entry with a reason a user can act on.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

from summarizer.sources import Document, Removal, Sentence, Skipped, Sources

DEFAULT_MAX_BYTES = 2_000_000
STRAY_SHARE = 0.05  # at most this share of a text's characters (or letters) can be stray bytes, not its encoding
READERS = {".txt": "text", ".md": "text", ".markdown": "text", ".html": "html", ".htm": "html",
           ".json": "json", ".jsonl": "jsonl"}
MAX_SENTENCE_CHARS = 600  # longer "sentences" (lists, run-ons) are cut at '; ', newline, ', ' or a space
# Near-duplicate documents: Jaccard similarity of their 5-word shingle sets (kept text only). Two captures of one
# article score ~0.8-1.0 even with different boilerplate; different articles on the same event score < 0.1.
SHINGLE_WORDS = 5
DUPLICATE_MIN_JACCARD = 0.5
SAME_SENTENCE_MIN_RATIO = 92  # rapidfuzz ratio on normalised text: the same sentence in two documents
MIN_GROUPED_SENTENCE_CHARS = 20  # shorter sentences ("he said.") match everywhere and corroborate nothing

# --- boilerplate rules -----------------------------------------------------------------------------------------
# Matched case-insensitively per paragraph and per sentence. A paragraph with no event signal is removed whole when
# one of its sentences matches; in a paragraph with an event signal only the matching sentences without one go.
BOILERPLATE = {
    "donation appeal": [
        r"\byour (?:support|donation|contribution|gift)\b",
        r"\b(?:donate|make a (?:donation|contribution))\b",
        r"\bpaywalls?\b",
        r"\b(?:support|fund|funding) (?:our |independent |quality |local )?journalism\b",
        r"\bquality journalism\b",
    ],
    "subscription/reuse notice": [
        r"\bsubscribe (?:now|today|here|for|to (?:our|the))\b",
        r"\b(?:already an?|become an?) (?:subscriber|member)\b",
        r"\bsign up (?:for|to) (?:our|the)\b",
        r"\bnewsletters?\b",
        r"\breuse options\b",
        r"\b(?:republish|license|licensing) (?:this|our) (?:content|article|story|material)\b",
    ],
    "copyright/reprint notice": [
        r"^(?:copyright\b|©|\(c\)\s*\d{4})",
        r"\bcopyright(?:ed)? (?:property|law|holder|notice|\d{4})\b",
        r"\ball rights reserved\b",
        r"\b(?:written|prior) permission\b",
        r"\breprint(?:ing)? (?:in|content|rights|permission)\b|\bbefore reprint\b",
        r"\bfair use\b",
        r"\bmay not be (?:published|reproduced|broadcast|rewritten|redistributed)\b",
    ],
    "editorial disclaimer": [
        r"\bviews expressed\b.*\b(?:author|writer)s?\b",
        r"\bdo(?:es)? not necessarily (?:represent|reflect)\b",
    ],
    "comment prompt": [
        r"\bjoin (?:our|the) (?:comment\w*|conversation|discussion|debate)\b",
        r"^comments?(?:\s*\(\d+\))?:?$",
        r"\b(?:leave|post|add|view|show|read) (?:a |the |all )?comments?\b",
        r"\bcomments? (?:are|is) (?:closed|moderated)\b",
        r"\bfollow other \w+ readers\b",
        r"\bsee their replies\b",
    ],
    "credit line": [
        r"^\(?(?:additional )?(?:reporting|writing|editing|research) by\b",
    ],
}
_BOILERPLATE = [(reason, re.compile("|".join(patterns), re.I)) for reason, patterns in BOILERPLATE.items()]
# Navigation lines are links to other articles: removed even when the linked title mentions the event.
NAVIGATION = re.compile(
    r"^(?:(?:previous|next|prev\.?)\s*(?:article|post|story|page)(?-i:(?![a-z]))"
    r"|(?:read more|related (?:articles?|stories|coverage)|more from|recommended for you|advertisement)\b"
    # a related video's length and title: "1:29 Police respond to shooting on 17th Avenue", "00:38 Brutal beating ..."
    r"|\d{1,2}:\d{2}(?::\d{2})?\s+(?![ap]\.?m\b)(?-i:[A-Z0-9\"“‘']))",
    re.I,
)
NAVIGATION_MAX_CHARS = 160
# What a page's widgets leave in its text, often glued to the next sentence ("Media playback is not supported on this
# deviceDel Potro secured ...", "Share this withEmailFacebook...Copy this linkCuadrilla, the firm behind..."): cut
# out as a piece of its own and removed, with the widget's name as the reason.
WIDGET_TEXT = {
    "media player notice": r"Media playback is (?:not supported|unsupported) on (?:this|your) device",
    "share buttons": r"Share this with(?:\s*(?:Email|Facebook|Messenger|Twitter|Pinterest|WhatsApp|LinkedIn|Reddit"
                     r"|Copy this link))+",
}
_WIDGET_TEXT = re.compile("|".join(f"(?P<w{i}>{p})" for i, p in enumerate(WIDGET_TEXT.values())), re.I)
# Words that mark a sentence as reporting the event: such sentences are never removed by a pattern rule.
EVENT_SIGNAL = re.compile(
    r"\b(?:said|says|told|according to|reported(?:ly)?|claimed|confirmed|announced|killed|kill(?:s|ing)?|dead|died"
    r"|deaths?|wounded|injured|casualt\w*|bomb\w*|explo\w*|attack\w*|clash\w*|arrest\w*|escap\w*|riot\w*|curfew"
    r"|prison\w*|inmates?|militants?|police|troops|soldiers|officials)\b",
    re.I,
)
# Blocks of boilerplate often have a plain sentence in the middle ("From climate change to Big Tech, we are on the
# ground..."): up to this many event-free paragraphs between two removals of the same kind go with them.
SANDWICH_REASONS = {"donation appeal", "subscription/reuse notice", "copyright/reprint notice", "comment prompt"}
SANDWICH_MAX_GAP = 2
AUTHOR_NAME = re.compile(r"^[A-Z][\w'’-]*\.?(?:\s+[A-Z][\w'’-]*\.?){1,3}$")
AUTHOR_BIO = re.compile(
    r"^[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){1,3} (?:is|was) (?:a|an|the)\b[^.]{0,80}"
    r"\b(?:journalist|reporter|writer|editor|correspondent|columnist|contributor|author|analyst)\b"
)
SHORT_SECTION_HEADING_WORDS = 5  # "==Background==", "## Aftermath": structure, not a sentence

# --- text structure --------------------------------------------------------------------------------------------
_LINE = re.compile(r"[^\n]+")
# "difference.The Isis group..." - a sentence glued to the next by a lost line break or space.
_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|(?<=[a-z][.!?][\"”’)])(?=[A-Z])")  # not "Mr.Smith"
_WIKI_HEADING = re.compile(r"^(=+)\s*(.+?)\s*\1$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)(?:\s+#+)?$")
_LIST_MARK = re.compile(r"^(?:[•·▪●◦‣∙]|[-*+>](?=\s))\s*")
_INNER_STOP = re.compile(r"[.!?]")
_LIKELY_SENTENCE_END = re.compile(r"[a-z0-9)][.!?][\"”’)]?\s+(?=[\"“A-Z])")
PYSBD_WINDOW_CHARS = 3000
_SENTENCE_END = ".!?:;\"”’)"

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
          r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}})"
# "WASHINGTON, May 9, 2015 – ..." / "BAGHDAD (Reuters), 9 May 2015 - ..."
DATELINE = re.compile(rf"^[A-Z][A-Za-z.'’-]*(?:[ -][A-Z][A-Za-z.'’-]*)*\s*(?:\([^)]{{1,40}}\))?,\s*"
                      rf"(?P<date>{_DATE})\s*(?:[-–—:|(]|$)")
DATE_LINE = re.compile(rf"^(?:(?:published|updated|posted|date)\s*:?\s*)?(?:[a-z]+day,?\s+)?(?P<date>{_DATE})"
                       r"[^.]{0,30}$", re.I)
# "Copyright 2015 Communities Digital News" / "© 2020-2021 River Post. All rights reserved."
COPYRIGHT_HOLDER = re.compile(
    r"^(?:[Cc]opyright|COPYRIGHT|©)\s*©?\s*\d{4}(?:\s*[-–]\s*\d{4})?,?\s+"
    r"(?P<name>[A-Z][\w&'’-]*(?:\.[\w&'’-]+)*(?:\s+[A-Z][\w&'’-]*(?:\.[\w&'’-]+)*){0,4})",
    re.M,
)
_COMPANY_SUFFIX = re.compile(r"[,\s]+(?:LLC|Inc|Ltd|Limited|Corp|Co|PLC)\.?$|\.$")
OUTLET_MENTION = re.compile(r"\bThe(?:\s+[A-Z][a-z]+){1,3}\b")

JSON_FIELDS = {
    "text": ("text", "content", "body", "article", "maintext", "full_text", "story"),
    "title": ("title", "headline"),
    "url": ("url", "link", "source_url", "canonical_url"),
    "date": ("date", "published", "published_at", "publish_date", "date_publish", "datetime", "pubDate"),
    "outlet": ("outlet", "source", "publisher", "site_name", "sitename", "source_name"),
}
JSON_RECORD_LISTS = ("articles", "records", "items", "documents", "data", "results")
BINARY_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG image", b"\xff\xd8\xff": "JPEG image", b"GIF87a": "GIF image", b"GIF89a": "GIF image",
    b"%PDF-": "PDF document", b"PK\x03\x04": "ZIP archive or Office document", b"\x1f\x8b": "gzip archive",
    b"\x7fELF": "executable", b"SQLite format 3\x00": "SQLite database",
}


class Unreadable(Exception):
    """A file or record that cannot be read; the message is the reason shown to the user."""


@dataclass
class _Raw:
    """Decoded text of one document plus whatever metadata its container (HTML, JSON) supplied."""

    path: str
    text: str
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Piece:
    """A paragraph-like span of the text (a line, or part of one split at a glued sentence boundary)."""

    start: int
    end: int
    text: str
    heading: int = 0  # 0 body text; 1 title markup ("= T =", "# T"); 2+ section heading
    sentences: list[tuple[int, int]] = field(default_factory=list)
    removed: str | None = None  # reason the whole piece is boilerplate
    dropped: dict[int, str] = field(default_factory=dict)  # sentence index -> reason, inside a kept piece


# --- public API ------------------------------------------------------------------------------------------------
def load_sources(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Sources:
    """Read a file or a folder into Sources. Raises only when `path` itself does not exist."""
    root = Path(path)
    if not root.exists() and not root.is_symlink():
        raise FileNotFoundError(f"no such file or folder: {root}")
    inside = () if root.is_file() else (root.resolve(),)  # a file named directly is read wherever it points
    read: list[_Raw | Skipped] = []
    for rel, file_path, folder_reason in _walk(root):
        if folder_reason:
            read.append(Skipped(path=rel, reason=folder_reason))
            continue
        try:
            read.extend(_read_file(file_path, rel, inside, max_bytes))
        except Unreadable as skip:
            read.append(Skipped(path=rel, reason=str(skip)))
    return _assemble(str(root), read)


def sources_from_texts(texts: Iterable[str], root: str = "<texts>") -> Sources:
    """Documents given as strings (an eval pair's article, text a script already holds) through the same cleaning,
    sentence and near-duplicate rules as files; the i-th text is document `text-i`."""
    read: list[_Raw | Skipped] = []
    for i, text in enumerate(texts, 1):
        text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
        read.append(_Raw(path=f"text-{i}", text=text) if text.strip()
                    else Skipped(path=f"text-{i}", reason="no text (only whitespace)"))
    return _assemble(root, read)


def _assemble(root: str, read: list[_Raw | Skipped]) -> Sources:
    """Documents (ids d1, d2, ... in reading order) from what was read, with near-copies and shared sentences marked;
    a text that keeps no sentence is a skip with its reason."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for item in read:
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        document = _build_document(item, f"d{len(documents) + 1}")
        if document.sentences:
            documents.append(document)
        elif reasons := sorted({r.reason for r in document.removed}):
            skipped.append(Skipped(path=item.path, reason=f"no article sentences left after removing "
                                                          f"boilerplate ({', '.join(reasons)})"))
        else:
            skipped.append(Skipped(path=item.path, reason="no sentences found (no words in the text)"))
    _mark_near_duplicates(documents)
    return Sources(root=root, documents=documents, skipped=skipped, sentence_groups=_sentence_groups(documents))


# --- finding and reading files ---------------------------------------------------------------------------------
def _walk(root: Path):
    """Yield (relative path, file path, None) for every file in sorted order, or (path, None, reason) for folders
    that are not searched (hidden, symlinked, unreadable)."""
    if not root.is_dir():
        yield root.name, root, None
        return
    real_root = root.resolve()
    entries: list[tuple[str, Path | None, str | None]] = []

    def unreadable(err: OSError) -> None:
        rel = Path(err.filename).relative_to(root).as_posix() if err.filename else "?"
        entries.append((rel + "/", None, f"folder cannot be read: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        for name in list(dirnames):
            sub = here / name
            rel = sub.relative_to(root).as_posix() + "/"
            reason = None
            if sub.is_symlink():
                reason = _symlink_problem(sub, (real_root,)) or "symlinked folder (not followed; its files are read " \
                                                             "where they really are inside the folder)"
            elif name.startswith("."):
                reason = "hidden folder (not searched)"
            if reason:
                dirnames.remove(name)
                entries.append((rel, None, reason))
        entries += [((here / name).relative_to(root).as_posix(), here / name, None) for name in filenames]
    yield from sorted(entries, key=lambda entry: entry[0])


def _symlink_problem(path: Path, folders: tuple[Path, ...]) -> str | None:
    """Why `path` must not be followed: a broken symlink, or one that leads out of every folder in `folders`."""
    target = path.resolve()
    if path.is_symlink() and not target.exists():
        return "broken symlink (its target does not exist)"
    if not any(target.is_relative_to(folder) for folder in folders):
        return f"symlink points outside the folder (to {target}); not followed"
    return None


def read_checked(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, inside: tuple[Path, ...] = ()) -> bytes:
    """The bytes of one article file, after the checks that make opening it safe (batch reads its inputs here too):
    not hidden, a type ingest reads, inside one of the resolved `inside` folders when given, a regular file (opening
    a FIFO blocks forever, a device never ends), not empty, not over `max_bytes`. Raises Unreadable with the reason."""
    if path.name.startswith("."):
        raise Unreadable("hidden file (not read)")
    if inside and (problem := _symlink_problem(path, inside)):
        raise Unreadable(problem)
    if path.suffix.lower() not in READERS:
        raise Unreadable(f"unsupported file type '{path.suffix or '(no extension)'}' (reads {', '.join(READERS)})")
    try:
        _check_size_and_kind(path.stat(), max_bytes)  # before any open
        # O_NONBLOCK: should a FIFO take the file's place after the check, the open still returns at once.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            _check_size_and_kind(os.fstat(handle.fileno()), max_bytes)
            data = handle.read(max_bytes + 1)
    except OSError as err:
        raise Unreadable(f"cannot read: {err.strerror or err}") from None
    if len(data) > max_bytes:  # grew after stat
        raise Unreadable(_too_large(len(data), max_bytes))
    return data


def _check_size_and_kind(info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise Unreadable("not a regular file")
    if info.st_size == 0:
        raise Unreadable("empty file (0 bytes)")
    if info.st_size > max_bytes:
        raise Unreadable(_too_large(info.st_size, max_bytes))


def _read_file(path: Path, rel: str, inside: tuple[Path, ...], max_bytes: int) -> list[_Raw | Skipped]:
    """Read one file into documents (several for JSON lists/JSONL) and record-level skips; raise Unreadable for the
    file."""
    data = read_checked(path, max_bytes=max_bytes, inside=inside)
    kind = READERS[path.suffix.lower()]
    text, notes = _decode(data)
    if not text.strip():
        raise Unreadable("no text (only whitespace)")
    if kind == "html":
        return [_read_html(text, rel, notes)]
    if kind in ("json", "jsonl"):
        return _read_records(text, rel, kind, notes)
    return [_Raw(path=rel, text=text, notes=notes)]


def _too_large(size: int, max_bytes: int) -> str:
    return f"file too large: {size:,} bytes is over the {max_bytes:,}-byte limit (raise --max-bytes to read it)"


def _decode(data: bytes) -> tuple[str, list[str]]:
    """UTF-8 first (BOMs honoured), then detection; the text comes back NFC-normalised with '\\n' line ends."""
    notes: list[str] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise Unreadable("starts with a UTF-16 byte-order mark but is not valid UTF-16") from None
        notes.append("decoded as UTF-16 (byte-order mark)")
    else:
        for signature, kind in BINARY_SIGNATURES.items():
            if data.startswith(signature):
                raise Unreadable(f"binary file ({kind}), not text")
        if b"\x00" in data[:8192]:
            raise Unreadable("binary file (contains NUL bytes), not text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            text = _decode_non_utf8(data, err.start, notes)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text), notes


def _decode_non_utf8(data: bytes, first_bad: int, notes: list[str]) -> str:
    """UTF-8 with U+FFFD for its bad bytes when that reads right, else the detected legacy encoding."""
    lenient = data.decode("utf-8", errors="replace")
    replaced = (f"not valid UTF-8: {lenient.count(chr(0xFFFD))} undecodable byte(s) (first at byte {first_bad}) "
                "replaced with U+FFFD")
    if any(ord(char) > 127 and char != "\ufffd" for char in lenient):
        # Real multi-byte UTF-8 is present, so this is UTF-8 with a few corrupt bytes, not a legacy encoding.
        notes.append(replaced)
        return lenient
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and not _looks_garbled(str(best)) and not _stray_bytes(str(best)):
        notes.append(f"not valid UTF-8 (first bad byte at offset {first_bad}); decoded as {best.encoding} "
                     "(detected)")
        return str(best)
    if lenient.count("\ufffd") <= STRAY_SHARE * len(lenient):  # ASCII text with a few stray bytes
        notes.append(replaced)
        return lenient
    raise Unreadable(f"not valid UTF-8 (first bad byte at offset {first_bad}) and no other text encoding fits")


def _looks_garbled(text: str) -> bool:
    """A detected encoding that turns bytes into symbols and control characters is a wrong guess."""
    odd = sum(1 for char in text if unicodedata.category(char) in ("So", "Co", "Cn", "Cc") and char not in "\n\t\r")
    return odd > STRAY_SHARE * max(len(text), 1)


def _stray_bytes(text: str) -> bool:
    """Whether a guessed encoding made a few stray bytes of an ASCII text into characters no Western text has there
    (cp1251's "яюГ" or cp1250's "˙ţĂ" after a title): a letter of another script or outside any word, a symbol.
    Dashes, quotes and accented letters inside words are what legacy-encoded English and French text has."""
    odd = [i for i, char in enumerate(text) if ord(char) > 127]
    if not odd or len(odd) > STRAY_SHARE * len(text):  # mostly non-ASCII: a text in that encoding, not stray bytes
        return False

    def plausible(i: int) -> bool:
        char = text[i]
        if unicodedata.category(char)[0] in "PZ" or unicodedata.category(char) in ("Sc", "No") or char in "°©®™":
            return True
        beside = text[max(i - 1, 0):i] + text[i + 1:i + 2]
        return unicodedata.name(char, "").startswith("LATIN") and any(c.isascii() and c.isalpha() for c in beside)

    return not all(plausible(i) for i in odd)


def _read_html(html: str, rel: str, notes: list[str]) -> _Raw:
    """Main text via trafilatura on an lxml tree (parsing only: nothing in the page is executed or fetched)."""
    import lxml.html
    import trafilatura

    parser = lxml.html.HTMLParser()
    try:
        tree = lxml.html.document_fromstring(html, parser=parser)
    except (ValueError, lxml.etree.ParserError) as err:
        raise Unreadable(f"HTML could not be parsed: {err}") from None
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        raise Unreadable("HTML nested too deeply (over 255 levels) to parse safely; the page was not read")
    extracted = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False)
    text = unicodedata.normalize("NFC", (extracted.text or "") if extracted else "")
    if not text.strip():
        raise Unreadable("no main text found in the HTML (empty, script-only or navigation-only page)")
    return _Raw(path=rel, text=text, title=extracted.title, outlet=extracted.sitename, date=extracted.date,
                url=extracted.url, notes=[*notes, "main text extracted from HTML with trafilatura"])


def _read_records(text: str, rel: str, kind: str, notes: list[str]) -> list[_Raw | Skipped]:
    """JSON (one record, a list, or a list under 'articles'/'items'/...) or JSONL: one document per record.
    Record paths are `file#N`: N is the line number in JSONL, the 1-based position in a JSON list."""
    numbered: list[tuple[int, Any]] = []
    out: list[_Raw | Skipped] = []
    if kind == "jsonl":
        for number, line in enumerate(text.split("\n"), 1):
            if line.strip():
                try:
                    numbered.append((number, json.loads(line)))
                except json.JSONDecodeError as err:
                    out.append(Skipped(path=f"{rel}#{number}", reason=f"invalid JSON on line {number}: {err.msg}"))
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise Unreadable(f"invalid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
        if isinstance(data, dict):
            data = next((data[key] for key in JSON_RECORD_LISTS if isinstance(data.get(key), list)), [data])
        if not isinstance(data, list):
            raise Unreadable("JSON is neither an object nor a list of objects")
        numbered = list(enumerate(data, 1))
    for number, record in numbered:
        path = f"{rel}#{number}"
        try:
            out.append(_record_to_raw(record, path, notes))
        except Unreadable as skip:
            out.append(Skipped(path=path, reason=str(skip)))
    if not numbered and not out:
        raise Unreadable("no records in the file")
    return sorted(out, key=lambda item: int(item.path.rsplit("#", 1)[1]))


def _record_to_raw(record: Any, path: str, notes: list[str]) -> _Raw:
    if not isinstance(record, dict):
        raise Unreadable(f"record is a JSON {type(record).__name__}, not an object")

    def first(role: str) -> str | None:
        for key in JSON_FIELDS[role]:
            value = record.get(key)
            if isinstance(value, dict):  # e.g. NewsAPI's "source": {"id": ..., "name": ...}
                value = value.get("name") or value.get("title")
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    text = first("text")
    if text is None:
        raise Unreadable(f"record has no text (looked for fields: {', '.join(JSON_FIELDS['text'])})")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    date = first("date")
    return _Raw(path=path, text=text, title=first("title"), outlet=first("outlet"), url=first("url"),
                date=_iso_date(date) if date else None, notes=list(notes))


# --- one document: pieces, boilerplate, sentences, metadata ----------------------------------------------------
def _build_document(raw: _Raw, doc_id: str) -> Document:
    pieces = _pieces(raw.text)
    for piece in pieces:
        piece.sentences = sentence_spans(raw.text, piece.start, piece.end)
    _mark_boilerplate(raw.text, pieces)
    removed = _removals(raw.text, pieces)
    spans = [span for piece in pieces if not piece.removed
             for index, span in enumerate(piece.sentences) if index not in piece.dropped]
    sentences = [Sentence(id=f"{doc_id}:{index}", doc_id=doc_id, index=index, text=raw.text[start:end], start=start,
                          end=end) for index, (start, end) in enumerate(spans)]
    kept = [piece for piece in pieces if not piece.removed]
    return Document(
        id=doc_id, path=raw.path, text=raw.text, title=raw.title or _title(kept),
        outlet=raw.outlet or _outlet(removed) or _host(raw.url), date=raw.date or _dateline_date(kept),
        url=raw.url, sentences=sentences, removed=removed, notes=raw.notes,
    )


def _pieces(text: str) -> list[_Piece]:
    """Lines (hard-wrapped lines rejoined) split at glued sentence boundaries, with list/heading markup trimmed."""
    blocks: list[list[int]] = []
    for match in _LINE.finditer(text):
        start, end = _strip(text, match.start(), match.end())
        if start == end:
            continue
        previous = blocks[-1] if blocks else None
        if (previous and text[previous[1]:start].count("\n") == 1 and text[previous[1] - 1] not in _SENTENCE_END
                and text[start].islower()):
            previous[1] = end  # a hard-wrapped paragraph continues
        else:
            blocks.append([start, end])
    pieces: list[_Piece] = []
    for start, end in blocks:
        line = text[start:end]
        heading = _WIKI_HEADING.match(line) or _MD_HEADING.match(line)
        if heading:
            pieces.append(_Piece(start + heading.start(2), start + heading.end(2), heading.group(2),
                                 heading=len(heading.group(1))))
            continue
        if mark := _LIST_MARK.match(line):
            start += mark.end()
        notices = [start + i for m in _WIDGET_TEXT.finditer(text[start:end]) for i in m.span()]
        glued = [start + m.start() for m in _GLUED.finditer(text[start:end])]
        cuts = [start] + sorted(set(glued + notices)) + [end]
        for left, right in pairwise(cuts):
            left, right = _strip(text, left, right)
            if left < right:
                pieces.append(_Piece(left, right, text[left:right]))
    return pieces


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _segments(chunk: str):
    """pysbd segments of chunk. pysbd slows down superlinearly on long strings (a 160 KB line takes ~17 s), so long
    pieces go in windows cut at a likely sentence end; a piece with no inner stop is one sentence without pysbd."""
    position = 0
    while len(chunk) - position > PYSBD_WINDOW_CHARS:
        window = chunk[position:position + PYSBD_WINDOW_CHARS]
        ends = [m.end() for m in _LIKELY_SENTENCE_END.finditer(window, PYSBD_WINDOW_CHARS // 2)]
        cut = ends[-1] if ends else (window.rfind(" ") + 1 or PYSBD_WINDOW_CHARS)
        yield from _segmenter().segment(window[:cut])
        position += cut
    rest = chunk[position:]
    yield from _segmenter().segment(rest) if _INNER_STOP.search(rest[:-1]) else [rest]


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """pysbd sentences of text[start:end], located back in the text so offsets are exact, long ones bounded."""
    chunk = text[start:end].replace("\n", " ")  # a piece may be a rejoined hard-wrapped paragraph; same length
    spans: list[tuple[int, int]] = []
    cursor = 0
    for segment in map(str.strip, _segments(chunk)):
        if not segment:
            continue
        found = chunk.find(segment, cursor)
        if found < 0:  # pysbd changed the text: keep the rest of the piece as one span rather than lose it
            break
        spans.append((start + found, start + found + len(segment)))
        cursor = found + len(segment)
    tail = _strip(text, start + cursor, end)
    if tail[0] < tail[1]:
        spans.append(tail)
    spans = _rejoined(text, spans)
    return [bounded for span in spans for bounded in _bounded(text, *span)
            if any(char.isalnum() for char in text[bounded[0]:bounded[1]])]


# pysbd ends a sentence at "a.m."/"p.m." even when the clock time goes on with its day ("shot about 10:30 p.m.
# Tuesday on the South Side"), which leaves the day in a fragment without the event it dates.
_CLOCK_END = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)
_GOES_ON = re.compile(r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Jan\.?|January|Feb\.?|February|"
                      r"March|April|May|June|July|Aug\.?|August|Sept?\.?|September|Oct\.?|October|Nov\.?|November|"
                      r"Dec\.?|December|[A-Z][DS]T\b|ET\b|CT\b|PT\b|MT\b|[a-z(,])")


def _rejoined(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans with a sentence cut after a clock time glued back to its continuation ('... 10:30 p.m.' + 'Tuesday on
    the South Side, ...'), when what follows is a day, a month, a time zone or a lowercase word."""
    joined: list[tuple[int, int]] = []
    for span in spans:
        if joined and _CLOCK_END.search(text[joined[-1][0]:joined[-1][1]]) and _GOES_ON.match(text, span[0]):
            joined[-1] = (joined[-1][0], span[1])
        else:
            joined.append(span)
    return joined


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    while end - start > MAX_SENTENCE_CHARS:
        window = text[start:start + MAX_SENTENCE_CHARS]
        cut = MAX_SENTENCE_CHARS
        for separator in ("; ", "\n", ", ", " "):
            at = window.rfind(separator, MAX_SENTENCE_CHARS // 4)
            if at > 0:
                cut = at + len(separator)
                break
        spans.append(_strip(text, start, start + cut))
        start = _strip(text, start + cut, end)[0]
    return [*spans, (start, end)]


def _has_event_signal(text: str) -> bool:
    return EVENT_SIGNAL.search(text) is not None


def _boilerplate_reason(text: str) -> str | None:
    for reason, pattern in _BOILERPLATE:
        if pattern.search(text):
            return reason
    return None


def _mark_boilerplate(text: str, pieces: list[_Piece]) -> None:
    """Apply the rules in order: headings, navigation, widget text, patterns, author bio, sandwiched paragraphs,
    repeats."""
    for piece in pieces:
        if piece.heading >= 2 and len(piece.text.split()) <= SHORT_SECTION_HEADING_WORDS:
            piece.removed = "section heading"
        elif NAVIGATION.match(piece.text) and len(piece.text) <= NAVIGATION_MAX_CHARS:
            piece.removed = "navigation link"
        elif widget := _WIDGET_TEXT.fullmatch(piece.text):
            piece.removed = list(WIDGET_TEXT)[int(widget.lastgroup[1:])]
        elif reason := _boilerplate_reason(piece.text):
            if not _has_event_signal(piece.text):
                piece.removed = reason
            else:
                for index, (start, end) in enumerate(piece.sentences):
                    sentence = text[start:end]
                    if (found := _boilerplate_reason(sentence)) and not _has_event_signal(sentence):
                        piece.dropped[index] = found
    _mark_author_bio(text, pieces)
    _mark_sandwiched(pieces)
    _mark_repeats(text, pieces)


def _mark_author_bio(text: str, pieces: list[_Piece]) -> None:
    """'Jane Q. Doe' on its own line followed by 'Jane Q. Doe is ...' in the second half of the text; or a
    'Name is a reporter/editor ...' paragraph among the last three."""
    for name, bio in pairwise(pieces):
        if (not name.removed and len(name.text) <= 50 and AUTHOR_NAME.match(name.text) and bio.start > len(text) / 2
                and re.match(re.escape(name.text) + r"\s+(?:is|was|has|writes|covers|reports)\b", bio.text)):
            name.removed = bio.removed = "author bio"
    for piece in pieces[-3:]:
        if not piece.removed and AUTHOR_BIO.match(piece.text):
            piece.removed = "author bio"


def _mark_sandwiched(pieces: list[_Piece]) -> None:
    removed_at = [i for i, piece in enumerate(pieces) if piece.removed in SANDWICH_REASONS]
    for left, right in pairwise(removed_at):
        between = pieces[left + 1:right]
        if (pieces[left].removed == pieces[right].removed and 0 < len(between) <= SANDWICH_MAX_GAP
                and all(not p.removed and not p.heading and not p.dropped and not _has_event_signal(p.text)
                        for p in between)):
            for piece in between:
                piece.removed = pieces[left].removed


def _normalised(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _mark_repeats(text: str, pieces: list[_Piece]) -> None:
    """A line repeated verbatim (captions, teasers) keeps its first copy; a one-sentence line that also appears
    inside a longer paragraph (a pull quote) goes, since the paragraph keeps it in context."""
    seen: set[str] = set()
    for piece in pieces:
        key = _normalised(piece.text)
        if key and key in seen and not piece.removed:
            piece.removed = "duplicated line"
        seen.add(key)
    in_paragraphs = {_normalised(text[start:end]) for piece in pieces if not piece.removed and len(piece.sentences) > 1
                     for start, end in piece.sentences}
    for piece in pieces:
        key = _normalised(piece.text)
        if not piece.removed and len(piece.sentences) == 1 and len(key) >= 30 and key in in_paragraphs:
            piece.removed = "duplicated line"


def _removals(text: str, pieces: list[_Piece]) -> list[Removal]:
    """Removed spans in text order; neighbours with the same reason and only whitespace between become one span."""
    spans = [(p.start, p.end, p.removed) for p in pieces if p.removed]
    spans += [(*p.sentences[i], reason) for p in pieces if not p.removed for i, reason in p.dropped.items()]
    merged: list[list] = []
    for start, end, reason in sorted(spans):
        if merged and merged[-1][2] == reason and not text[merged[-1][1]:start].strip():
            merged[-1][1] = end
        else:
            merged.append([start, end, reason])
    return [Removal(start=start, end=end, text=text[start:end], reason=reason) for start, end, reason in merged]


def _title(kept: list[_Piece]) -> str | None:
    """A title-markup line, else the first short line without closing punctuation (a quote's closing mark after it is
    still closing punctuation) among the first three."""
    first = kept[:3]
    for piece in first:
        if piece.heading == 1:
            return piece.text
    for piece in first:
        words = piece.text.split()
        if 2 <= len(words) <= 25 and len(piece.text) <= 160 and not re.search(r"[.,;:!?][\"'”’)]*$", piece.text) \
                and not DATELINE.match(piece.text):
            return piece.text
    return None


def _dateline_date(kept: list[_Piece]) -> str | None:
    for piece in kept[:6]:
        match = DATELINE.match(piece.text) or DATE_LINE.match(piece.text)
        if match and (date := _iso_date(match["date"])):
            return date
    return None


def _iso_date(value: str) -> str | None:
    import dateparser

    # Absolute dates only: "yesterday" in a record would otherwise resolve against today's clock.
    parsed = dateparser.parse(value, languages=["en"], settings={
        "REQUIRE_PARTS": ["day", "month", "year"], "PARSERS": ["timestamp", "custom-formats", "absolute-time"]})
    return parsed.date().isoformat() if parsed else None


def _outlet(removed: list[Removal]) -> str | None:
    """The publisher named by the boilerplate itself: a copyright holder, else 'The X' named at least twice."""
    for removal in removed:
        if match := COPYRIGHT_HOLDER.search(removal.text):
            return _COMPANY_SUFFIX.sub("", match["name"]).strip()
    mentions = Counter(m.group(0) for r in removed if r.reason in SANDWICH_REASONS
                       for m in OUTLET_MENTION.finditer(r.text))
    if mentions and (best := mentions.most_common(1)[0])[1] >= 2:
        return best[0]
    return None


def _host(url: str | None) -> str | None:
    host = urlparse(url).hostname if url else None
    return host.removeprefix("www.") if host else None


# --- across documents ------------------------------------------------------------------------------------------
def _shingles(document: Document) -> set[str]:
    words = _normalised(" ".join(s.text for s in document.sentences)).split()
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(max(len(words) - SHINGLE_WORDS + 1, 1))}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _mark_near_duplicates(documents: list[Document]) -> None:
    """MinHash-LSH finds candidate pairs; exact shingle Jaccard >= DUPLICATE_MIN_JACCARD confirms them. In each
    group the canonical document is the one with the most kept (non-boilerplate) text; ties go to the earlier one."""
    if len(documents) < 2:
        return
    from datasketch import MinHash, MinHashLSH

    shingles = {d.id: _shingles(d) for d in documents}
    lsh = MinHashLSH(threshold=DUPLICATE_MIN_JACCARD * 0.8, num_perm=128)
    parent = {d.id: d.id for d in documents}

    def find(doc_id: str) -> str:
        while parent[doc_id] != doc_id:
            doc_id = parent[doc_id]
        return doc_id

    for document in documents:
        signature = MinHash(num_perm=128)
        signature.update_batch([s.encode() for s in shingles[document.id]])
        for other in lsh.query(signature):
            if _jaccard(shingles[document.id], shingles[other]) >= DUPLICATE_MIN_JACCARD:
                parent[find(document.id)] = find(other)
        lsh.insert(document.id, signature)
    groups: dict[str, list[Document]] = {}
    for document in documents:
        groups.setdefault(find(document.id), []).append(document)
    for members in groups.values():
        canonical = max(members, key=lambda d: sum(len(s.text) for s in d.sentences))  # first of equals wins
        for document in members:
            if document is not canonical:
                document.duplicate_of = canonical.id
                document.similarity = round(_jaccard(shingles[document.id], shingles[canonical.id]), 3)


def _sentence_groups(documents: list[Document]) -> list[list[str]]:
    """Sentences from different documents whose normalised text matches (rapidfuzz ratio), grouped transitively.
    Compared one document pair at a time, so cost and memory stay per pair, never all sentences squared."""
    import numpy as np
    from rapidfuzz import fuzz, process

    items = [[(s.id, key) for s in d.sentences if len(key := _normalised(s.text)) >= MIN_GROUPED_SENTENCE_CHARS]
             for d in documents]
    parent: dict[str, str] = {}

    def find(sentence_id: str) -> str:
        while parent.setdefault(sentence_id, sentence_id) != sentence_id:
            sentence_id = parent[sentence_id]
        return sentence_id

    for i, left in enumerate(items):
        for right in items[i + 1:]:
            if not left or not right:
                continue
            scores = process.cdist([key for _, key in left], [key for _, key in right], scorer=fuzz.ratio,
                                   score_cutoff=SAME_SENTENCE_MIN_RATIO, dtype=np.uint8)
            for a, b in zip(*np.nonzero(scores), strict=True):
                parent[find(right[b][0])] = find(left[a][0])
    groups: dict[str, list[str]] = {}
    for sentence_id, _ in (item for document_items in items for item in document_items):
        if sentence_id in parent:
            groups.setdefault(find(sentence_id), []).append(sentence_id)
    return [members for members in groups.values() if len(members) > 1]
