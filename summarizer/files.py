"""Writing files so that a reader never sees half of one, nor half of a set: a crash or a full disk leaves the old
files or the new ones, nothing between, each with the mode a file there would have."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path


def atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder and `os.replace` (atomic on POSIX)."""
    write_set({path: text})


def write_set(files: Mapping[str | os.PathLike, str | bytes]) -> None:
    """Write several files as one: every new file is written and synced beside its target first (where a full disk
    fails, touching nothing), then each is renamed over its target; if a rename fails, the ones already made are
    undone from hard links of the old files, so a failure leaves the old set whole."""
    staged: dict[Path, Path] = {}
    kept: dict[Path, Path] = {}
    replaced: list[Path] = []
    try:
        for path, data in files.items():
            path = Path(path)
            staged[path] = _staged(path, data.encode("utf-8") if isinstance(data, str) else data)
        for path in staged:
            if path.exists():
                kept[path] = _temporary_name(path, "old")
                _keep(path, kept[path])
        for path, new in staged.items():
            os.replace(new, path)
            replaced.append(path)
    except BaseException:
        for path in replaced:
            if path in kept:
                os.replace(kept.pop(path), path)
            else:
                path.unlink(missing_ok=True)
        raise
    finally:
        for leftover in [*staged.values(), *kept.values()]:
            leftover.unlink(missing_ok=True)
    for folder in {path.parent for path in staged}:
        fsync_dir(folder)


def _keep(path: Path, copy: Path) -> None:
    """A second name for the old file (a hard link: no bytes written); a copy where the filesystem has no links."""
    try:
        os.link(path, copy)
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        shutil.copy2(path, copy)


def _temporary_name(path: Path, kind: str) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.{kind}-tmp")


def _staged(path: Path, data: bytes) -> Path:
    """`data` in a new hidden file beside `path`, synced to disk. It gets `path`'s mode when `path` exists, else
    what the umask gives a new file (0644 under 022), as `open()` would: never a private 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_name(path, "partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the kernel applies the umask
    try:
        with os.fdopen(fd, "wb") as handle:
            if path.exists():
                os.fchmod(handle.fileno(), stat.S_IMODE(path.stat().st_mode))
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable (the directory entry itself is synced)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stays_inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """Whether `path`, read as written ('..' applied, symlinks not followed), lies inside `folder`: the test for a
    path named in someone else's file (a grouping, a pairs line). Symlinks inside `folder` are its owner's."""
    return Path(os.path.normpath(Path(path).absolute())).is_relative_to(os.path.normpath(Path(folder).absolute()))


def check_writable(folder: str | os.PathLike, needed_bytes: int = 0) -> None:
    """Raise OSError naming `folder` unless a file can be made in it (it is created if missing) and its disk has
    `needed_bytes` free: so a read-only or full output folder stops a command before its slow work, not after."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=folder):
        pass
    free = shutil.disk_usage(folder).free
    if free < needed_bytes:
        raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)} ({free:,} bytes free, about {needed_bytes:,} "
                                    "needed)", str(folder))
