"""The backend seam: requests (a prompt and an output type each) in, constrained text and honest token counts and
timings out, in order. Model tests run on both backends."""

import json

import numpy as np
import pytest
from pydantic import BaseModel, Field

from summarizer.backends import BackendError, Choice, Request, json_schema_of, load_backend
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


def test_option_logprobs_pool_the_spellings_of_each_option_over_the_whole_vocabulary():
    logits = np.log(np.array([0.5, 0.2, 0.1, 0.2]))  # yes, Yes, no, (anything else)
    first = {"yes": 0, "Yes": 1, "no": 2, "No": 2}.__getitem__
    odds = Choice(("yes", "no")).logprobs(logits, first)
    assert odds["yes"] == pytest.approx(np.log(0.7)) and odds["no"] == pytest.approx(np.log(0.1))


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


def _backend(name: str):
    if name == "llamacpp":
        pytest.importorskip("llama_cpp", reason="llama-cpp-python's extension is not built on this machine")
    return load_backend(name, "generator")


def _ask(backend, prompt: str, output, max_tokens: int):
    [done] = backend.complete([Request(CHAT.format(prompt), output, max_tokens)])
    return done


BOTH = pytest.mark.parametrize("name", ["llamacpp", "transformers"])


@pytest.mark.model
@BOTH
def test_output_validates_against_the_schema(name):
    done = _ask(_backend(name), "A man was shot dead in Dayton, Ohio, on Monday. Give the city and the number killed "
                                "as JSON.", Incident, 60)
    assert done.finished
    incident = Incident.model_validate_json(done.text)
    assert incident.city and done.generated_tokens > 0 and done.prompt_tokens > 0


@pytest.mark.model
@BOTH
def test_json_is_compact_without_pretty_printing(name):
    done = _ask(_backend(name), "Give a JSON object for: two people were killed in Austin.", Incident, 60)
    assert "\n" not in done.text and "  " not in done.text
    json.loads(done.text)


@pytest.mark.model
@BOTH
def test_a_choice_answers_one_of_the_options(name):
    done = _ask(_backend(name), "Is Paris in France? Answer yes or no.", Choice(("yes", "no")), 4)
    assert done.text in ("yes", "no")


@pytest.mark.model
@BOTH
def test_a_choice_can_also_say_how_likely_each_option_was(name):
    backend = _backend(name)
    [done] = backend.complete([Request(CHAT.format("Is Paris in France? Answer yes or no."), Choice(("yes", "no")),
                                       1, option_logprobs=True)])
    odds = done.option_logprobs
    assert set(odds) == {"yes", "no"} and all(v <= 0 for v in odds.values())
    assert sum(np.exp(v) for v in odds.values()) <= 1 + 1e-9
    assert done.text == max(odds, key=odds.get)  # the greedy answer is the likelier option
    [plain] = backend.complete([Request(CHAT.format("Is Paris in France?"), Choice(("yes", "no")), 1)])
    assert plain.option_logprobs is None  # only when asked for


@pytest.mark.model
@BOTH
def test_a_completion_cut_at_max_tokens_is_reported_unfinished(name):
    done = _ask(_backend(name), "Write a long story about a river.", None, 5)
    assert not done.finished and done.generated_tokens == 5


@pytest.mark.model
@BOTH
def test_requests_come_back_in_order_each_under_its_own_output_type(name):
    backend = _backend(name)
    done = backend.complete([
        Request(CHAT.format("Is Paris in France? Answer yes or no."), Choice(("yes", "no")), 4),
        Request(CHAT.format("Two people were killed in Austin. Give the city and the number killed as JSON."),
                Incident, 60),
        Request(CHAT.format("Name a colour."), Choice(("red", "blue")), 4),
    ])
    assert done[0].text in ("yes", "no") and done[2].text in ("red", "blue")
    assert Incident.model_validate_json(done[1].text).city


@pytest.mark.model
def test_llamacpp_answers_more_requests_than_it_decodes_side_by_side():
    from summarizer.backends.llamacpp import PARALLEL

    backend = _backend("llamacpp")
    towns = [f"Town{i}" for i in range(PARALLEL + 2)]
    done = backend.complete([Request(CHAT.format(f"Which town is named here: {town}?"), Choice((town, "none")), 8)
                             for town in towns])
    assert len(done) == len(towns) and all(d.text in (t, "none") for d, t in zip(done, towns))


@pytest.mark.model
def test_llamacpp_reuses_the_shared_prefix_of_the_previous_call():
    backend = _backend("llamacpp")
    prefix = "<|im_start|>user\n" + "The prison held about 300 people. " * 40
    backend.complete([Request(prefix + "How many?<|im_end|>\n<|im_start|>assistant\n", None, 2)])
    [again] = backend.complete([Request(prefix + "Where?<|im_end|>\n<|im_start|>assistant\n", None, 2)])
    # the last few prefix tokens may merge with the differing text that follows them ("people. How")
    assert again.cached_tokens >= backend.count_tokens(prefix) - 8


@pytest.mark.model
def test_llamacpp_requests_in_one_call_evaluate_their_shared_prefix_once():
    backend = _backend("llamacpp")
    backend.forget_prefix()
    prefix = "<|im_start|>user\n" + "The bridge closed for 12 days. " * 40
    done = backend.complete([Request(prefix + f"{question}<|im_end|>\n<|im_start|>assistant\n", None, 2)
                             for question in ("How long?", "What closed?", "Why?")])
    shared = backend.count_tokens(prefix) - 8
    assert done[0].cached_tokens < 8 and all(d.cached_tokens >= shared for d in done[1:])


@pytest.mark.model
def test_llamacpp_saves_a_long_prefix_and_loads_it_instead_of_evaluating_it_again(tmp_path, monkeypatch):
    backend = _backend("llamacpp")
    monkeypatch.setattr(backend.prefix_states, "folder", tmp_path)
    monkeypatch.setattr(backend.prefix_states, "enabled", True)
    prompt = CHAT.format("The prison held about 300 people. " * 150 + "How many?")
    backend.forget_prefix()
    [first] = backend.complete([Request(prompt, None, 3)])
    assert len(list(tmp_path.glob("*.state"))) == 1
    backend.forget_prefix()
    [again] = backend.complete([Request(prompt, None, 3)])
    assert first.cached_tokens == 0 and again.cached_tokens == again.prompt_tokens - 1
    assert again.text == first.text


@pytest.mark.model
def test_llamacpp_drops_the_held_prefix_when_a_prompt_does_not_fit_beside_it():
    from summarizer.backends.llamacpp import LlamaCppBackend

    _backend("llamacpp")  # skips where the extension is not built
    small = LlamaCppBackend("generator", context_size=1024)
    small.prefix_states.enabled = False
    held = "<|im_start|>user\n" + "The dam held back the river for years. " * 40
    small.complete([Request(held + "How long?<|im_end|>\n<|im_start|>assistant\n", None, 2)])
    ferry = CHAT.format("The ferry sank near the harbour at dawn. " * 40 + "What sank?")
    fire = CHAT.format("A fire closed the mill on the hill in June. " * 40 + "What closed?")
    done = small.complete([Request(ferry, None, 3), Request(fire, None, 3)])
    assert all(d.generated_tokens == 3 for d in done) and done[0].cached_tokens == 0


# --- llama.cpp's extra buffer types and AMX ---------------------------------------------------------------------
SAPPHIRE_RAPIDS = frozenset({"avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16"})
NO_AMX = frozenset({"avx2", "avx512f", "avx512_vnni", "avx512_bf16"})
AMX_BUILD = "CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 1 | AVX512_VNNI = 1 | AMX_INT8 = 1 | OPENMP = 1 | REPACK = 1 |"
PLAIN_BUILD = "CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 1 | AVX512_VNNI = 1 | OPENMP = 1 | REPACK = 1 |"


def _model_params(flags, info, setting="auto"):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python's extension is not built on this machine")
    from summarizer.backends.llamacpp import model_params

    return model_params(flags, info, setting)


def test_llamacpp_loads_without_extra_buffers_where_the_cpu_and_the_build_have_amx():
    assert _model_params(SAPPHIRE_RAPIDS, AMX_BUILD).use_extra_bufts is False


def test_llamacpp_keeps_extra_buffers_on_a_cpu_without_amx():
    assert _model_params(NO_AMX, PLAIN_BUILD).use_extra_bufts is True


def test_llamacpp_keeps_extra_buffers_on_an_amx_cpu_when_the_build_has_no_amx_kernels():
    assert _model_params(SAPPHIRE_RAPIDS, PLAIN_BUILD).use_extra_bufts is True


def test_summarizer_llama_extra_buffers_forces_them_on_or_off_whatever_the_cpu():
    assert _model_params(SAPPHIRE_RAPIDS, AMX_BUILD, "on").use_extra_bufts is True
    assert _model_params(NO_AMX, PLAIN_BUILD, "off").use_extra_bufts is False


def test_an_unknown_extra_buffers_setting_is_refused_with_the_choices_named():
    from summarizer.backends.llamacpp import extra_buffers

    with pytest.raises(BackendError, match="must be on, off or auto, not 'sometimes'"):
        extra_buffers(NO_AMX, PLAIN_BUILD, "sometimes")


@pytest.mark.model
def test_the_llamacpp_backend_loads_with_the_extra_buffers_decided_for_this_machine(monkeypatch):
    from summarizer.backends.llamacpp import extra_buffers, system_info
    from summarizer.native import cpu_flags

    monkeypatch.delenv("SUMMARIZER_LLAMA_EXTRA_BUFFERS", raising=False)
    assert _backend("llamacpp").extra_buffers == extra_buffers(cpu_flags(), system_info())[0]
