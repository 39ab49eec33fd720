"""The set-up's smoke decode and `summarizer doctor`: a model runtime that cannot run on this CPU is found, with
the model, the signal, the CPU and the work-around named, before any brief."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.doctor import crash_advice
from summarizer.native import NativeCrash, vector_features

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "250"}


def test_a_decode_that_segfaults_names_the_model_the_signal_the_cpu_features_and_the_work_around(monkeypatch):
    monkeypatch.delenv("SUMMARIZER_LLAMA_EXTRA_BUFFERS", raising=False)
    advice = crash_advice("generator", "llamacpp", NativeCrash(-11))
    assert advice.startswith("generator (qwen2.5-coder-0.5b-instruct-q4_k_m.gguf): the llamacpp runtime died of "
                             "SIGSEGV")
    assert vector_features() in advice and "SUMMARIZER_LLAMA_EXTRA_BUFFERS=off" in advice


def test_with_extra_buffers_already_off_the_advice_is_to_report_it(monkeypatch):
    monkeypatch.setenv("SUMMARIZER_LLAMA_EXTRA_BUFFERS", "off")
    advice = crash_advice("generator", "llamacpp", NativeCrash(-11))
    assert "=off" not in advice and "report this with the output of `summarizer doctor`" in advice


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "summarizer.cli", *args], cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.model
def test_models_verify_decodes_one_token_with_each_generator_after_hashing():
    result = _cli("models", "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for role in ("generator", "generator-large"):
        assert any(line.startswith(f"{role}: ok (") for line in lines), result.stdout
    assert not any(line.startswith("embedder: ok (") for line in lines)  # not a GGUF model: hashed only


@pytest.mark.model
def test_doctor_reports_the_cpu_the_llama_cpp_build_each_model_and_a_decode_per_generator():
    result = _cli("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    report = result.stdout
    assert f"CPU features: {vector_features()}" in report
    assert "llama.cpp: llama-cpp-python 0.3.36; CPU : " in report and "llama.cpp extra buffer types: " in report
    assert "model generator-large: verified (sha256 ok)" in report and "model embedder: verified" in report
    assert "decode one token: generator on llamacpp: ok" in report
    assert "decode one token: generator-large on llamacpp: ok" in report
    assert "decode one token: transformers: not checked" in report  # a minute to load: only when asked
