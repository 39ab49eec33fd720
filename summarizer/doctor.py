"""What this machine runs, and whether each model runtime works on it: the facts a bug report needs.

`decode_check` loads a model in a child process and decodes one token, so that a runtime that cannot run on this
CPU (a segfault in native code) fails a check with a message, not the process. `models verify` runs it for every
GGUF model after hashing, and `summarizer doctor` prints `report()`.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata

from summarizer.native import NativeCrash, cpu_flags, cpu_model, run_in_child, vector_features

DECODE_TIMEOUT_S = 180  # loading the 1.5B model takes a few seconds; a slow disk can take much longer


@dataclass(frozen=True)
class Check:
    """One line of the report: what was looked at, what was found, and whether that is a problem."""

    what: str
    found: str
    ok: bool = True


def _decode_one_token(backend: str, role: str) -> None:
    from summarizer.backends import Request, load_backend

    load_backend(backend, role).complete([Request("The capital of France is", None, 1)])


def decode_check(backend: str, role: str) -> Check:
    """Load `role` on `backend` in a child process and decode one token."""
    what = f"decode one token: {role} on {backend}"
    started = time.perf_counter()
    try:
        run_in_child(_decode_one_token, backend, role, timeout=DECODE_TIMEOUT_S)
    except NativeCrash as crash:
        return Check(what, crash_advice(role, backend, crash), ok=False)
    except Exception as err:  # noqa: BLE001 - any failure to load or decode is this check's finding
        return Check(what, f"failed: {type(err).__name__}: {err}", ok=False)
    return Check(what, f"ok ({time.perf_counter() - started:.1f} s, model load included)")


def crash_advice(role: str, backend: str, crash: NativeCrash) -> str:
    """What a user needs when a model runtime dies on this CPU: the model, the signal, the CPU, the work-around."""
    from summarizer.backends.llamacpp import EXTRA_BUFFERS_ENV
    from summarizer.lock import load_lock

    pin = load_lock()[role]
    if backend == "llamacpp" and os.environ.get(EXTRA_BUFFERS_ENV, "auto") != "off":
        advice = (f"{EXTRA_BUFFERS_ENV}=off in the environment (llama.cpp then keeps the weights in plain buffers, "
                  f"with no repacking or AMX) works around the known crash of llama.cpp's AMX kernels")
    else:
        advice = "Please report this with the output of `summarizer doctor`"
    return (f"{role} ({pin.files[0].name}): the {backend} runtime {crash} while decoding one token, so it cannot run "
            f"on this CPU ({cpu_model()}; {vector_features()}). {advice}.")


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _llama_cpp() -> Iterator[Check]:
    try:
        from summarizer.backends.llamacpp import EXTRA_BUFFERS_ENV, extra_buffers, system_info

        info = system_info()
    except Exception as err:  # noqa: BLE001 - an unbuilt extension is exactly what the report must show
        yield Check("llama.cpp", f"cannot be loaded: {type(err).__name__}: {err}", ok=False)
        return
    yield Check("llama.cpp", f"llama-cpp-python {_package_version('llama-cpp-python')}; {info}")
    try:
        _, why = extra_buffers(cpu_flags(), info, os.environ.get(EXTRA_BUFFERS_ENV, "auto"))
    except Exception as err:  # noqa: BLE001 - a bad setting is reported, not raised
        yield Check("llama.cpp extra buffer types", str(err), ok=False)
    else:
        yield Check("llama.cpp extra buffer types", why)


def report(all_backends: bool = False) -> Iterator[Check]:
    """The report, one check at a time (decode checks take seconds each, so they come last)."""
    from summarizer.backends import BACKENDS, DEFAULT_BACKEND, available_cores, compute_threads
    from summarizer.lock import ModelError, load_lock, resolve

    yield Check("summarizer", f"{_package_version('summarizer')}; Python {platform.python_version()}; "
                              f"{platform.platform()}")
    yield Check("CPU", f"{cpu_model()}; {available_cores()} cores usable of {os.cpu_count()}")
    yield Check("CPU features", vector_features())
    threads = os.environ.get("SUMMARIZER_THREADS")
    yield Check("threads", f"{compute_threads()}" + (f" (SUMMARIZER_THREADS={threads})" if threads else ""))
    yield from _llama_cpp()
    yield Check("torch", _package_version("torch"))
    decodable = []
    for role, pin in load_lock().items():
        try:
            found = resolve(role)
        except ModelError as err:
            yield Check(f"model {role}", str(err), ok=False)
            continue
        yield Check(f"model {role}", f"verified (sha256 ok) via {found.transport}: {found.path}")
        if pin.format == "gguf":
            decodable.append(role)
    for backend in BACKENDS:
        if backend != DEFAULT_BACKEND and not all_backends:
            yield Check(f"decode one token: {backend}", "not checked (loading it takes about a minute on 2 cores; "
                                                       "add --all-backends)")
            continue
        # the transformers backend is the reference: the default model is enough
        for role in decodable if backend == DEFAULT_BACKEND else [r for r in decodable if r == "generator"]:
            yield decode_check(backend, role)
