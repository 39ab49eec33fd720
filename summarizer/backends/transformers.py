"""transformers + outlines (llguidance) on the same pinned GGUF file: the reference path, and the GPU path.

transformers can read the GGUF but takes about a minute to dequantize it, so the first load saves a safetensors copy
under `cache_root()/converted/<gguf sha256>/` and later loads read only that (never pickles). outlines compiles the
constraint with llguidance, which builds a bounded schema in about 2 s where outlines_core took minutes. The prompt
arrives with the chat template already applied (from prompts/), so the tokenizer's own template is switched off.
On CPU this path is slow (full-vocabulary masks per token, no prefix cache); it exists to check llama.cpp against
and to use a GPU where there is one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from summarizer.backends import Choice, Completion, OutputType, Request, compute_threads, json_schema_of, schema_key
from summarizer.lock import cache_root, load_lock, model_path

_COMPACT_JSON = {"whitespace_flexible": False}


def converted_folder(role: str) -> Path:
    """The safetensors copy of `role`'s GGUF weights, created once (atomically) on first use."""
    pin = load_lock()[role]
    folder = cache_root() / "converted" / pin.sha256
    if (folder / "config.json").is_file():
        return folder
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = model_path(role)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype="float32")
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # A GGUF-loaded model remembers its quantizer and save_pretrained refuses it; the weights are already
    # dequantized to float32, so the marker is stale.
    model.hf_quantizer = None
    model.config.quantization_config = None
    if hasattr(model.config, "__dict__"):
        model.config.__dict__.pop("quantization_config", None)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{pin.sha256[:12]}-", dir=folder.parent))
    os.chmod(staging, 0o755)
    try:
        model.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


class _FirstTokenClock:
    """A transformers streamer that notes when the prompt is done and counts generated tokens."""

    def __init__(self):
        self.calls = 0
        self.generated = 0
        self.first_token_at: float | None = None

    def put(self, value):
        self.calls += 1
        if self.calls == 1:  # the prompt ids
            return
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        self.generated += value.numel()

    def end(self):
        pass


class TransformersBackend:
    name = "transformers"

    def __init__(self, role: str):
        import outlines
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.role = role
        folder = converted_folder(role)
        self._device = "cuda" if torch.cuda.is_available() else "cpu"
        self.threads = compute_threads()
        if self._device == "cpu":
            torch.set_num_threads(self.threads)
        dtype = torch.bfloat16 if self._device == "cuda" else torch.float32
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, use_safetensors=True).to(self._device)
        tokenizer = AutoTokenizer.from_pretrained(folder)
        tokenizer.chat_template = None  # prompts arrive already templated
        self.context_size = min(8192, model.config.max_position_embeddings)
        self._tokenizer = tokenizer
        self._network = model
        self._model = outlines.from_transformers(model, tokenizer)
        self._generators: dict[str, object] = {}

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def _generator(self, output: OutputType):
        import outlines
        from outlines.types import JsonSchema

        key = schema_key(output)
        if key not in self._generators:
            if output is None:
                target = None
            elif isinstance(output, Choice):
                target = outlines.types.Choice(list(output.spellings))
            else:
                target = JsonSchema({**json_schema_of(output), "x-guidance": _COMPACT_JSON})
            self._generators[key] = outlines.Generator(self._model, target, backend="llguidance")
        return self._generators[key]

    def complete(self, requests: Sequence[Request]) -> list[Completion]:
        """One request after another: outlines' generator takes one output type per call."""
        return [self._complete(request) for request in requests]

    def _complete(self, request: Request) -> Completion:
        output, max_tokens = request.output, request.max_tokens
        prompt_tokens = self.count_tokens(request.prompt)
        clock = _FirstTokenClock()
        start = time.perf_counter()
        text = self._generator(output)(
            request.prompt,
            max_new_tokens=max_tokens,
            do_sample=False,
            repetition_penalty=request.repeat_penalty,
            streamer=clock,
        )
        end = time.perf_counter()
        if isinstance(output, Choice):
            text = output.canonical(text) or text
        first = clock.first_token_at or end
        return Completion(
            text=text,
            prompt_tokens=prompt_tokens,
            generated_tokens=clock.generated,
            prefill_s=first - start,
            decode_s=end - first,
            finished=clock.generated < max_tokens,
            option_logprobs=self._option_logprobs(request) if request.option_logprobs else None,
        )

    def _option_logprobs(self, request: Request) -> dict[str, float] | None:
        """One more forward pass over the prompt (outlines' generator does not hand out its logits)."""
        import torch

        if not isinstance(request.output, Choice):
            return None
        ids = self._tokenizer(request.prompt, add_special_tokens=False, return_tensors="pt")["input_ids"]
        with torch.no_grad():
            logits = self._network(ids.to(self._device)).logits[0, -1].float().cpu().numpy()
        return request.output.logprobs(
            logits, lambda text: self._tokenizer(text, add_special_tokens=False)["input_ids"][0])


def load(role: str) -> TransformersBackend:
    return TransformersBackend(role)
