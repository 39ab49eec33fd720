"""Native runtimes (llama.cpp, torch) can kill the process with a signal no Python code can catch.

So work that runs them, where a crash must become a message rather than a bare "Segmentation fault" (a brief, a
set-up check), runs in a spawned child process: `run_in_child` returns what the child returns, re-raises what it
raises, and raises `NativeCrash` naming the signal when the child dies. The CPU's features are read here too,
because what crashes depends on them (llama.cpp's AMX kernels, see summarizer/backends/llamacpp.py).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from functools import cache
from multiprocessing.connection import wait
from pathlib import Path

_CAUSES = {
    signal.SIGSEGV: "a crash in native code",
    signal.SIGBUS: "a crash in native code",
    signal.SIGILL: "an instruction this CPU does not have",
    signal.SIGABRT: "native code aborted",
    signal.SIGFPE: "a crash in native code",
    signal.SIGKILL: "the kernel's out-of-memory killer, or kill -9",
}


class NativeCrash(RuntimeError):
    """A child process died by a signal (or exited without a result); the message names it."""

    def __init__(self, exitcode: int | None):
        self.exitcode = exitcode
        super().__init__(exit_reason(exitcode))

    @property
    def signal_name(self) -> str | None:
        return signal_name(self.exitcode)


def signal_name(exitcode: int | None) -> str | None:
    """'SIGSEGV' for a process that died by signal 11 (multiprocessing and subprocess report it as -11)."""
    if exitcode is None or exitcode >= 0:
        return None
    try:
        return signal.Signals(-exitcode).name
    except ValueError:
        return f"signal {-exitcode}"


def exit_reason(exitcode: int | None) -> str:
    """How a process ended, in words: 'died of SIGSEGV (signal 11: a crash in native code)'."""
    name = signal_name(exitcode)
    if name is not None:
        cause = _CAUSES.get(-exitcode)
        return f"died of {name} (signal {-exitcode}{': ' + cause if cause else ''})"
    if exitcode is None:
        return "ended with no exit status"
    return f"exited with status {exitcode} before returning a result"


@cache
def _cpuinfo(*keys: str) -> str:
    """The first /proc/cpuinfo value under one of `keys` ('' where there is no such file or key)."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return ""
    return next((line.partition(":")[2].strip() for line in lines if line.split(":")[0].strip() in keys), "")


def cpu_flags() -> frozenset[str]:
    """The feature flags the kernel reports for this CPU (lscpu's `Flags`)."""
    return frozenset(_cpuinfo("flags", "Features").split())


def cpu_model() -> str:
    return _cpuinfo("model name") or "unknown CPU"


def vector_features(flags: frozenset[str] | None = None) -> str:
    """The flags that decide which llama.cpp and torch kernels run: AMX, AVX-512, AVX-VNNI, AVX2, FMA, F16C."""
    flags = cpu_flags() if flags is None else flags
    wanted = sorted(f for f in flags if f.startswith(("amx", "avx")) or f in ("fma", "f16c"))
    amx = "" if any(f.startswith("amx") for f in wanted) else " (no amx)"
    return (" ".join(wanted) or "none of amx, avx, fma, f16c") + amx


def exit_with_parent(parent_pid: int) -> None:
    """Exit soon after the process that started this one is gone (killed with -9): our results have nowhere to go."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _child(connection, parent_pid: int, function: Callable, args: tuple, kwargs: dict, progress: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    exit_with_parent(parent_pid)
    if progress:
        kwargs = {**kwargs, "progress": lambda event: connection.send(("event", event))}
    try:
        connection.send(("result", function(*args, **kwargs)))
    except Exception as err:  # noqa: BLE001 - re-raised in the parent
        try:
            connection.send(("error", err))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled still arrives, as its message
            connection.send(("error", RuntimeError(f"{type(err).__name__}: {err}")))
    connection.close()


def run_in_child(function: Callable, *args, progress: Callable | None = None, timeout: float | None = None,
                 **kwargs):
    """`function(*args, **kwargs)` in a spawned child process: its result, or the exception it raised.

    With `progress`, the function is also given `progress=` and each event it reports there is passed on to
    `progress` here. A child killed by a signal raises NativeCrash; one still running after `timeout` seconds is
    terminated and raises TimeoutError. Ctrl-C terminates the child and raises KeyboardInterrupt here.
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, os.getpid(), function, args, kwargs, progress is not None))
    child.start()
    sender.close()  # the child holds the only writer: its death is an end of file here
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not wait([receiver], timeout=left):
                raise TimeoutError(f"no result within {timeout:g} s")
            try:
                kind, value = receiver.recv()
            except EOFError:
                child.join()
                raise NativeCrash(child.exitcode) from None
            if kind == "event":
                progress(value)
            elif kind == "error":
                raise value
            else:
                return value
    finally:
        receiver.close()
        child.join(timeout=10 if sys.exc_info()[0] is None else 0)  # a child that returned is exiting: let it
        if child.is_alive():
            child.terminate()
            child.join()
