"""A hostile input corpus, made fresh in a folder (FIFOs and symlinks cannot be committed): every file in it is one
that no command may open, follow, hang on or be crashed by."""

import json
import os
from pathlib import Path

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"


def build(root: Path) -> dict[str, Path]:
    """`events/hostile/` (the corpus, one batch case), a secret file outside it that links point to, a binary
    'summary' and a pairs file whose every line reaches where it must not. Returns them by name."""
    outside = root / "outside"
    outside.mkdir(parents=True)
    (outside / "secret.txt").write_text("Officials said the secret file must never be read.\n")
    corpus = root / "events" / "hostile"
    corpus.mkdir(parents=True)
    os.mkfifo(corpus / "pipe.txt")  # opening it blocks until a writer comes: forever
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "zero.txt").symlink_to("/dev/zero")  # a read never ends
    (corpus / "broken.txt").symlink_to(corpus / "nowhere.txt")
    (corpus / "linked").symlink_to("/etc", target_is_directory=True)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "huge.txt").write_bytes(b"Officials said. " * 125_001)  # just over the 2,000,000-byte default cap
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4 not an article")
    (corpus / "photo.png").write_bytes(PNG)
    (corpus / ".hidden.txt").write_text("Officials said the hidden file must never be read.\n")
    (corpus / "folder.txt").mkdir()
    summary = root / "summary.png"
    summary.write_bytes(PNG)
    pairs = root / "pairs" / "pairs.jsonl"
    pairs.parent.mkdir()
    lines = [{"id": "system", "sources": "/etc", "summary": "x", "label": True},
             {"id": "up", "sources": "../outside", "summary": "x", "label": False},
             {"id": "corpus", "sources": "../events/hostile", "summary": "x", "label": True}]
    pairs.write_text("".join(json.dumps(line) + "\n" for line in lines) + "{not json\n[1, 2]\n")
    return {"events": root / "events", "corpus": corpus, "summary": summary, "pairs": pairs}
