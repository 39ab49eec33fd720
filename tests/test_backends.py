"""The backend seam: one prompt + one output type in, constrained text and honest token counts and timings out."""

import json

import pytest
from pydantic import BaseModel, Field

from summarizer.backends import BackendError, Choice, json_schema_of, load_backend
from summarizer.backends.llamacpp import choice_grammar

CHAT = "<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n"


class Incident(BaseModel):
    city: str = Field(max_length=40)
    killed: int


def test_a_choice_needs_distinct_options():
    with pytest.raises(ValueError):
        Choice(("yes", "yes"))
    with pytest.raises(ValueError):
        Choice(())


def test_a_choice_accepts_either_case_of_the_first_letter_and_maps_it_back():
    choice = Choice(("prison break", "Other"))
    assert set(choice.spellings) == {"prison break", "Prison break", "Other", "other"}
    assert choice.canonical("Prison break") == "prison break"
    assert choice.canonical("something else") is None


def test_the_choice_grammar_lists_every_spelling_as_an_escaped_literal():
    grammar = choice_grammar(Choice(('say "hi"', "no")))
    assert grammar.startswith("root ::= ")
    assert r'"say \"hi\""' in grammar and '"Say \\"hi\\""' in grammar


def test_schemas_are_closed_so_no_backend_accepts_extra_keys():
    schema = json_schema_of(Incident)
    assert schema["additionalProperties"] is False
    nested = json_schema_of({"type": "object", "properties": {"a": {"type": "object", "properties": {}}}})
    assert nested["properties"]["a"]["additionalProperties"] is False


def test_an_unknown_backend_is_refused_with_the_known_ones_named():
    with pytest.raises(BackendError, match="llamacpp, transformers"):
        load_backend("vllm")


@pytest.mark.model
def test_llamacpp_output_validates_against_the_schema():
    backend = load_backend("llamacpp", "generator")
    done = backend.complete(CHAT.format("A man was shot dead in Dayton, Ohio, on Monday. Give the city and the number "
                                        "killed as JSON."), Incident, max_tokens=60)
    assert done.finished
    incident = Incident.model_validate_json(done.text)
    assert incident.city and done.generated_tokens > 0 and done.prompt_tokens > 0


@pytest.mark.model
def test_llamacpp_json_is_compact_without_pretty_printing():
    backend = load_backend("llamacpp", "generator")
    done = backend.complete(CHAT.format("Give a JSON object for: two people were killed in Austin."), Incident,
                            max_tokens=60)
    assert "\n" not in done.text and "  " not in done.text
    json.loads(done.text)


@pytest.mark.model
def test_llamacpp_choice_answers_one_of_the_options():
    backend = load_backend("llamacpp", "generator")
    done = backend.complete(CHAT.format("Is Paris in France? Answer yes or no."), Choice(("yes", "no")), max_tokens=4)
    assert done.text in ("yes", "no")


@pytest.mark.model
def test_llamacpp_reuses_the_shared_prefix_of_the_previous_call():
    backend = load_backend("llamacpp", "generator")
    prefix = "<|im_start|>user\n" + "The prison held about 300 people. " * 40
    backend.complete(prefix + "How many?<|im_end|>\n<|im_start|>assistant\n", None, max_tokens=2)
    again = backend.complete(prefix + "Where?<|im_end|>\n<|im_start|>assistant\n", None, max_tokens=2)
    # the last few prefix tokens may merge with the differing text that follows them ("people. How")
    assert again.cached_tokens >= backend.count_tokens(prefix) - 8


@pytest.mark.model
def test_llamacpp_reports_a_completion_cut_at_max_tokens_as_unfinished():
    backend = load_backend("llamacpp", "generator")
    done = backend.complete(CHAT.format("Write a long story about a river."), None, max_tokens=5)
    assert not done.finished and done.generated_tokens == 5


@pytest.mark.model
def test_transformers_backend_output_validates_against_the_schema():
    """The reference path (outlines + llguidance over a safetensors copy of the same GGUF); slow on CPU."""
    backend = load_backend("transformers", "generator")
    done = backend.complete(CHAT.format("A man was shot dead in Dayton, Ohio. Give the city and the number killed "
                                        "as JSON."), Incident, max_tokens=40)
    Incident.model_validate_json(done.text)
    assert "\n" not in done.text
