"""Finding a command's spawned worker processes, to kill them for real in crash tests."""

from pathlib import Path


def spawned_children(pid: int) -> list[int]:
    """The multiprocessing 'spawn' children of `pid` (not its resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid and b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


def has_loaded(pid: int, library: str) -> bool:
    """Whether process `pid` has mapped a shared library whose name contains `library`."""
    try:
        return library in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False
