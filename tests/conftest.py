"""Shared fixtures. Keep each small; add yours with a targeted edit."""

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="session")
def seed_sources():
    """The four seed articles, ingested once per test session (read-only: don't mutate)."""
    from summarizer.ingest import load_sources

    return load_sources(SEEDS)


@pytest.fixture(scope="session")
def seeds_verified():
    """A hand-built VerifiedSummary of the seeds (every status, contested slots, a planted hostile source) for the
    renderer, independent of the model and of the real verify (tests/verified_fixture.py). Read-only."""
    from verified_fixture import seeds_verified as build

    return build()


@pytest.fixture(scope="session")
def seeds_sources(seed_sources):
    """load_sources('seeds'), under the name the generate-stage tests use (the same object as `seed_sources`)."""
    return seed_sources


@pytest.fixture(scope="session")
def seeds_draft(seeds_sources):
    """The seeds drafted once per session with the default model and backend (the real LLM: ~1-3 minutes on 2 cores).
    Only tests marked `model` should ask for it. Read-only."""
    from summarizer.draft import generate

    return generate(seeds_sources)
