"""llama.cpp (llama-cpp-python) on the pinned GGUF file: the CPU default.

Constraints are llama.cpp's own GBNF grammars: a JSON schema compiles in about a millisecond (outlines' automaton
for the same bounded schema took minutes), and masking runs in C++ at 18-31 tokens/s on 2 cores. The converter's
whitespace rule is a single optional space, so the model cannot pretty-print its way to the token limit.
llama-cpp-python keeps the previous call's tokens and re-evaluates only what follows the longest common prefix,
which is why prompts put the shared sources first.
"""

from __future__ import annotations

import json
import os
import time

from summarizer.backends import Choice, Completion, OutputType, json_schema_of, schema_key
from summarizer.lock import model_path


def _threads() -> int:
    return int(os.environ.get("SUMMARIZER_THREADS") or os.cpu_count() or 2)


def choice_grammar(choice: Choice) -> str:
    """GBNF accepting exactly one spelling of one option (JSON string escapes are valid GBNF literal escapes)."""
    return "root ::= " + " | ".join(json.dumps(option, ensure_ascii=False) for option in choice.spellings)


class LlamaCppBackend:
    name = "llamacpp"

    def __init__(self, role: str, context_size: int = 8192):
        from llama_cpp import Llama

        self.role = role
        self.context_size = context_size
        self._llm = Llama(
            model_path=str(model_path(role)),
            n_ctx=context_size,
            n_threads=_threads(),
            n_batch=512,
            seed=0,
            verbose=False,
        )
        self._grammars: dict[str, str] = {}

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode(), add_bos=False, special=False))

    def _grammar(self, output: OutputType):
        from llama_cpp import LlamaGrammar
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        if output is None:
            return None
        key = schema_key(output)
        if key not in self._grammars:
            self._grammars[key] = (
                choice_grammar(output) if isinstance(output, Choice) else json_schema_to_gbnf(json.dumps(json_schema_of(output)))
            )
        return LlamaGrammar.from_string(self._grammars[key], verbose=False)

    def complete(self, prompt: str, output: OutputType, *, max_tokens: int, repeat_penalty: float = 1.0) -> Completion:
        import llama_cpp

        llm = self._llm
        tokens = llm.tokenize(prompt.encode(), add_bos=False, special=True)
        if len(tokens) + max_tokens > self.context_size:
            raise ValueError(
                f"prompt ({len(tokens)} tokens) + output ({max_tokens}) exceed the {self.context_size}-token context"
            )
        cached = 0
        for old, new in zip(llm.input_ids[: llm.n_tokens].tolist(), tokens):
            if old != new:
                break
            cached += 1
        cached = min(cached, len(tokens) - 1)  # the last prompt token is always re-evaluated for fresh logits
        vocab = llm._model.vocab
        generated: list[int] = []
        finished = False
        start = time.perf_counter()
        first = None
        for token in llm.generate(tokens, temp=0.0, repeat_penalty=repeat_penalty, grammar=self._grammar(output)):
            if first is None:
                first = time.perf_counter()
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                finished = True
                break
            generated.append(token)
            if len(generated) >= max_tokens:
                break
        end = time.perf_counter()
        first = first or end
        text = llm.detokenize(generated, prev_tokens=tokens).decode("utf-8", errors="replace")
        if isinstance(output, Choice):
            text = output.canonical(text) or text
        return Completion(
            text=text,
            prompt_tokens=len(tokens),
            cached_tokens=cached,
            generated_tokens=len(generated),
            prefill_s=first - start,
            decode_s=end - first,
            finished=finished,
        )


def load(role: str) -> LlamaCppBackend:
    return LlamaCppBackend(role)
