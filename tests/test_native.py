"""Native crashes: work run in a child process comes back as its result, its exception, or a NativeCrash naming
the signal that killed it; the CPU facts a crash report needs."""

import ctypes

import pytest

from summarizer.native import NativeCrash, cpu_flags, exit_reason, run_in_child, vector_features


def count_to(n: int, progress) -> int:
    """Reports 1..n as progress, then returns n (run in the child: module level, so spawn can import it)."""
    for i in range(1, n + 1):
        progress(i)
    return n


def test_work_in_a_child_returns_its_result():
    assert run_in_child(divmod, 7, 2) == (3, 1)


def test_an_exception_in_the_child_is_raised_here():
    with pytest.raises(ValueError, match="invalid literal"):
        run_in_child(int, "seven")


def test_progress_reported_in_the_child_arrives_here_in_order():
    seen = []
    assert run_in_child(count_to, 3, progress=seen.append) == 3
    assert seen == [1, 2, 3]


def test_a_child_that_segfaults_in_native_code_raises_native_crash_naming_the_signal():
    with pytest.raises(NativeCrash, match=r"died of SIGSEGV \(signal 11: a crash in native code\)") as crash:
        run_in_child(ctypes.string_at, 0)  # reads address 0: a real segfault, inside ctypes' C code
    assert crash.value.signal_name == "SIGSEGV"


def test_a_child_still_running_at_its_timeout_is_stopped():
    import time

    with pytest.raises(TimeoutError, match="no result within 0.5 s"):
        run_in_child(time.sleep, 30, timeout=0.5)


def test_an_exit_by_sigkill_is_explained_as_the_out_of_memory_killer_or_kill_9():
    assert exit_reason(-9) == "died of SIGKILL (signal 9: the kernel's out-of-memory killer, or kill -9)"
    assert exit_reason(3) == "exited with status 3 before returning a result"


def test_the_vector_features_name_amx_only_when_the_cpu_has_it():
    assert vector_features(frozenset({"avx2", "amx_int8", "sse2", "fpu"})) == "amx_int8 avx2"
    assert vector_features(frozenset({"avx2", "avx512f", "sse2"})) == "avx2 avx512f (no amx)"


def test_this_machines_cpu_flags_are_read():
    assert "fpu" in cpu_flags() or "fp" in cpu_flags()  # x86 and ARM name their float unit so
