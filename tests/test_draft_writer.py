"""generate's `writer`: the drafting model makes every choice, the writer model writes every free text (issue 17).

The draft stage is the real one on the seeds (anchors, scope, selection, the embedder); only the two models are
stand-ins that keep what they were asked, so the test can see which model got which job."""

import json

import pytest

from summarizer.backends import Choice, Completion
from summarizer.draft import generate


class Model:
    """A backend that answers as a model would (a choice's first option, one short sentence of text) and keeps every
    request it was sent."""

    name = "llamacpp"
    context_size = 8192

    def __init__(self, role: str):
        self.role, self.requests = role, []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def complete(self, requests):
        self.requests += requests
        return [Completion(self.answer(r.output), 10, 5, 0.0, 0.0) for r in requests]

    def answer(self, output) -> str:
        if isinstance(output, Choice):
            return output.options[0]
        [field] = output.model_fields
        return json.dumps({field: f"Written by the {self.role} model."})


@pytest.fixture(scope="module")
def drafted(seeds_sources):
    """(chooser, writer, draft): the seeds drafted by 'generator' with 'generator-large' writing."""
    chooser, writer = Model("generator"), Model("generator-large")
    return chooser, writer, generate(seeds_sources, backend=chooser, writer=writer)


def test_with_a_writer_the_drafting_model_gets_only_the_choices(drafted):
    chooser, _, _ = drafted
    assert chooser.requests and all(isinstance(r.output, Choice) for r in chooser.requests)


def test_with_a_writer_the_writer_gets_every_free_text_job_and_no_choice(drafted):
    _, writer, draft = drafted
    written = [c.step for c in draft.meta.calls if c.model == "generator-large"]
    assert not any(isinstance(r.output, Choice) for r in writer.requests)
    assert written[0] == "headline" and "claim" in written and len(written) == len(writer.requests)


def test_the_writer_writes_the_headline_over_the_sources_the_choices_were_made_over(drafted):
    chooser, writer, _ = drafted
    sources_prefix = chooser.requests[0].prompt.split("TASK.")[0]
    assert "REPORTS." in sources_prefix and "Khalis" in sources_prefix
    assert writer.requests[0].prompt.split("TASK.")[0] == sources_prefix


def test_the_writers_text_is_what_the_draft_shows(drafted):
    _, _, draft = drafted
    assert draft.summary.headline == "Written by the generator-large model."
    assert {c.statement for c in draft.summary.claims} == {"Written by the generator-large model."}


def test_a_draft_with_a_writer_names_both_models_in_its_run_metadata(drafted):
    _, _, draft = drafted
    assert (draft.meta.model.role, draft.meta.writer.role) == ("generator", "generator-large")


def test_a_draft_without_a_writer_records_none(seeds_sources):
    draft = generate(seeds_sources, backend=Model("generator"))
    assert draft.meta.writer is None and {c.model for c in draft.meta.calls} == {"generator"}


def test_a_writer_is_refused_by_the_single_strategy_that_writes_in_its_one_call(seeds_sources):
    with pytest.raises(ValueError, match="sections"):
        generate(seeds_sources, backend=Model("generator"), writer=Model("generator-large"), strategy="single")
