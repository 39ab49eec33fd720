"""llama.cpp (llama-cpp-python's C API) on the pinned GGUF file: the CPU default.

It drives llama.cpp's C API itself rather than `Llama.generate`, for three things that call does not do (measured on
the seeds, eval/speed.py and the README):
- Requests decode side by side: one llama_decode per step for all of them, so a step's weights are read once for
  many tokens (9 notes: 56 tokens/s together against 39 one after another).
- Requests share prefixes without evaluating them again: sequence 0 holds the batch's common prefix (the numbered
  sources), and each request copies the part it shares into its own sequence. In llama.cpp's unified KV cache a copy
  is bookkeeping, not compute.
- The grammar checks the greedy token first, and masks the whole 152k-token vocabulary only when that token is
  refused (llama.cpp's 'grammar first' sampling): constrained decoding at ~36 tokens/s instead of ~18.

Constraints are llama.cpp's GBNF grammars: a JSON schema compiles in about a millisecond, and the converter's
whitespace rule is a single optional space, so the model cannot pretty-print its way to the token limit.
A long prefix evaluated afresh is saved to disk (`PrefixStates`) and loaded the next time the same sources are
briefed by the same model, which turns ~12 s of prefill into a file read.

Weights go into llama.cpp's extra buffer types (repacked for its faster CPU matmuls) except where the CPU and the
build both have AMX: llama.cpp then moves the Q4_K weights into its AMX buffer, whose matmul segfaults in the first
decode (llama.cpp issue 20824). `extra_buffers` decides; the README's Backends section has what each choice costs.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import time
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from summarizer.backends import (
    BackendError,
    Choice,
    Completion,
    OutputType,
    Request,
    compute_threads,
    json_schema_of,
    schema_key,
)
from summarizer.lock import cache_root, load_lock, model_path
from summarizer.native import cpu_flags

PARALLEL = 16  # sequences decoded side by side; sequence 0 (the shared prefix) is one more
BATCH = 512  # tokens per llama_decode: the fastest prefill on 2 cores (measured 256-1024)
PENALTY_WINDOW = 64  # tokens a repetition penalty looks back over (llama.cpp's default)
SAVE_PREFIX_TOKENS = 1024  # a prefix at least this long (~7 s of prefill) is saved for the next run
KEEP_PREFIX_STATES = 8  # saved prefixes kept on disk, newest used first (~22 MB each for the 0.5B model)
EXTRA_BUFFERS_ENV = "SUMMARIZER_LLAMA_EXTRA_BUFFERS"  # on | off | auto (the default: off only with AMX)


def extra_buffers(flags: frozenset[str], system_info: str, setting: str = "auto") -> tuple[bool, str]:
    """Whether llama.cpp may use its extra buffer types, and why. They are off only where this CPU reports AMX
    (`amx_int8`) and this build has AMX kernels (llama.cpp's system info says `AMX_INT8 = 1`): the AMX buffer is
    used only then, and it crashes. Elsewhere they stay on, for the repacked weights' speed. `setting` (from
    SUMMARIZER_LLAMA_EXTRA_BUFFERS) forces on or off."""
    setting = (setting or "auto").strip().lower()
    if setting in ("on", "off"):
        return setting == "on", f"{setting}: set by {EXTRA_BUFFERS_ENV}={setting}"
    if setting != "auto":
        raise BackendError(f"{EXTRA_BUFFERS_ENV} must be on, off or auto, not {setting!r}")
    if "amx_int8" in flags and "AMX_INT8 = 1" in system_info:
        return False, ("off: this CPU and this llama.cpp build have AMX, whose matmul crashes on these weights "
                       "(llama.cpp issue 20824)")
    return True, "on: " + ("this llama.cpp build has no AMX kernels" if "amx_int8" in flags else "the CPU has no AMX")


def system_info() -> str:
    """llama.cpp's build and CPU features line ('CPU : SSE3 = 1 | ... | AMX_INT8 = 1 | REPACK = 1 |')."""
    import llama_cpp

    return llama_cpp.llama_print_system_info().decode(errors="replace").strip()


def model_params(flags: frozenset[str], info: str, setting: str = "auto"):
    """llama.cpp's default model parameters, with extra buffer types as `extra_buffers` decides."""
    import llama_cpp

    params = llama_cpp.llama_model_default_params()
    params.use_extra_bufts = extra_buffers(flags, info, setting)[0]
    return params


def choice_grammar(choice: Choice) -> str:
    """GBNF accepting exactly one spelling of one option (JSON string escapes are valid GBNF literal escapes)."""
    return "root ::= " + " | ".join(json.dumps(option, ensure_ascii=False) for option in choice.spellings)


def _common_length(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


class PrefixStates:
    """Sequence 0's KV state saved per (model, prefix tokens), so a second brief of the same sources skips their
    prefill. Files are written atomically and the oldest are removed beyond KEEP_PREFIX_STATES.
    SUMMARIZER_PREFIX_CACHE=off turns this off (benchmarks of a first run set it)."""

    def __init__(self, ctx, model_sha256: str):
        self._ctx = ctx
        self._model = model_sha256
        self.enabled = os.environ.get("SUMMARIZER_PREFIX_CACHE", "on").lower() not in ("off", "0", "no")
        self.folder = cache_root() / "prefix-states"

    def _path(self, tokens: Sequence[int]) -> Path:
        key = hashlib.sha256(f"{self._model}:{','.join(map(str, tokens))}".encode()).hexdigest()
        return self.folder / f"{key[:32]}.state"

    def load(self, tokens: Sequence[int]) -> bool:
        """Load the state of exactly `tokens` into sequence 0; False when none is saved (or it does not match)."""
        import llama_cpp

        path = self._path(tokens)
        if not self.enabled or not path.is_file():
            return False
        stored = (llama_cpp.llama_token * len(tokens))()
        count = ctypes.c_size_t(0)
        read = llama_cpp.llama_state_seq_load_file(self._ctx, str(path).encode(), 0, stored, len(tokens),
                                                   ctypes.byref(count))
        if read == 0 or list(stored[: count.value]) != list(tokens):
            llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(self._ctx), 0, -1, -1)
            return False
        os.utime(path)  # recently used: kept longest
        return True

    def save(self, tokens: Sequence[int]) -> None:
        import llama_cpp

        if not self.enabled:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(tokens)
        staging = path.with_name(f".{path.name}.{os.getpid()}")
        array = (llama_cpp.llama_token * len(tokens))(*tokens)
        try:
            if llama_cpp.llama_state_seq_save_file(self._ctx, str(staging).encode(), 0, array, len(tokens)):
                os.replace(staging, path)
        finally:
            staging.unlink(missing_ok=True)
        states = sorted(self.folder.glob("*.state"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in states[KEEP_PREFIX_STATES:]:
            old.unlink(missing_ok=True)


class _Sequence:
    """One request while it runs: its sequence id, tokens, grammar sampler and what it has written."""

    def __init__(self, seq: int, request: Request, tokens: list[int], shared: int, sampler):
        self.seq, self.request, self.tokens, self.shared, self.sampler = seq, request, tokens, shared, sampler
        self.generated: list[int] = []
        self.finished = False
        self.logits: np.ndarray | None = None
        self.option_logprobs: dict[str, float] | None = None

    @property
    def position(self) -> int:
        return len(self.tokens) + len(self.generated)

    def penalized(self, logits: np.ndarray) -> np.ndarray:
        """llama.cpp's repetition penalty over the last PENALTY_WINDOW tokens written (not the prompt's: a note is
        meant to repeat its source's names and numbers)."""
        penalty = self.request.repeat_penalty
        if penalty == 1.0 or not self.generated:
            return logits
        recent = np.unique(np.array(self.generated[-PENALTY_WINDOW:], dtype=np.int64))
        values = logits[recent]
        logits = logits.copy()
        logits[recent] = np.where(values > 0, values / penalty, values * penalty)
        return logits


class LlamaCppBackend:
    name = "llamacpp"

    def __init__(self, role: str, context_size: int = 8192):
        import llama_cpp
        from llama_cpp import _internals, _logger

        _logger.set_verbose(False)
        self.role = role
        self.context_size = context_size
        self.threads = compute_threads()
        model_parameters = model_params(cpu_flags(), system_info(), os.environ.get(EXTRA_BUFFERS_ENV, "auto"))
        self.extra_buffers = model_parameters.use_extra_bufts
        self._model = _internals.LlamaModel(path_model=str(model_path(role)), params=model_parameters, verbose=False)
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = context_size
        params.n_batch = params.n_ubatch = BATCH
        params.n_seq_max = PARALLEL + 1
        params.kv_unified = True  # sequences share cells: a copied prefix costs no memory and no compute
        params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED  # ~12% faster prefill here
        params.n_threads = params.n_threads_batch = self.threads
        self._ctx = _internals.LlamaContext(model=self._model, params=params, verbose=False)
        self._memory = llama_cpp.llama_get_memory(self._ctx.ctx)
        self._batch = llama_cpp.llama_batch_init(BATCH, 0, 1)
        weakref.finalize(self, llama_cpp.llama_batch_free, self._batch)
        self._vocab = self._model.vocab
        self._n_vocab = self._model.n_vocab()
        self._everything = _internals.LlamaTokenDataArray(n_vocab=self._n_vocab)
        self._one = (llama_cpp.llama_token_data * 1)()
        self._one_array = llama_cpp.llama_token_data_array(data=self._one, size=1, selected=-1, sorted=False)
        self._grammars: dict[str, str] = {}
        self._prefix: list[int] = []  # the tokens sequence 0 holds, positions 0..n-1
        self.prefix_states = PrefixStates(self._ctx.ctx, load_lock()[role].sha256)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenize(text.encode(), add_bos=False, special=False))

    def complete(self, requests: Sequence[Request]) -> list[Completion]:
        """All requests, decoded side by side PARALLEL at a time, in order."""
        tokenized = [self._model.tokenize(r.prompt.encode(), add_bos=False, special=True) for r in requests]
        for tokens, request in zip(tokenized, requests):
            if len(tokens) + request.max_tokens > self.context_size:
                raise ValueError(f"prompt ({len(tokens)} tokens) + output ({request.max_tokens}) exceed the "
                                 f"{self.context_size}-token context")
        done: list[Completion] = []
        while len(done) < len(requests):
            pending = tokenized[len(done):]
            started = time.perf_counter()
            fresh = self._hold_prefix(pending)
            held_s = time.perf_counter() - started
            room = self.context_size - len(self._prefix) - BATCH  # a step's worth kept free
            take, used = 0, 0
            for tokens, request in zip(pending, requests[len(done):]):
                need = len(tokens) - min(_common_length(self._prefix, tokens), len(tokens) - 1) + request.max_tokens
                if take == PARALLEL or (take and used + need > room):
                    break
                take, used = take + 1, used + need
            if used > room:  # one request that does not fit beside the held prefix: drop the prefix
                self.forget_prefix()
                fresh = 0
            done += self._run(list(zip(requests[len(done):len(done) + take], pending[:take])), fresh, held_s)
        return done

    # --- sequence 0: the shared prefix ---------------------------------------------------------------------------------
    def _hold_prefix(self, pending: list[list[int]]) -> int:
        """Make sequence 0 hold the prefix the pending prompts share, when they share more than it holds (each
        prompt keeps at least its last token to evaluate, for fresh logits). Returns the tokens evaluated."""
        common = min(len(tokens) - 1 for tokens in pending)
        for tokens in pending[1:]:
            common = min(common, _common_length(pending[0], tokens))
        wanted = pending[0][:common]
        kept = _common_length(self._prefix, wanted)
        if len(wanted) <= kept:
            return 0
        import llama_cpp

        llama_cpp.llama_memory_seq_rm(self._memory, 0, kept, -1)
        self._prefix = self._prefix[:kept]
        long = len(wanted) - kept >= SAVE_PREFIX_TOKENS
        if long and self.prefix_states.load(wanted):
            self._prefix = wanted
            return 0
        self._decode([(token, position, 0, False) for position, token in enumerate(wanted[kept:], start=kept)])
        self._prefix = wanted
        if long:
            self.prefix_states.save(wanted)
        return len(wanted) - kept

    def forget_prefix(self) -> None:
        """Drop the prefix held in memory: the next call evaluates its prompt afresh (or loads a saved state), as a
        call on new sources would. Benchmarks use it to time a first brief with the model already loaded."""
        import llama_cpp

        llama_cpp.llama_memory_seq_rm(self._memory, 0, -1, -1)
        self._prefix = []

    # --- one group of requests ---------------------------------------------------------------------------------------
    def _run(self, group: list[tuple[Request, list[int]]], fresh: int, held_s: float) -> list[Completion]:
        """Prefill and decode one group side by side. `fresh` prefix tokens were just evaluated for it (in `held_s`):
        they count as the first request's own, not as reused."""
        import llama_cpp

        started = time.perf_counter() - held_s
        running: list[_Sequence] = []
        prompt_items = []
        try:
            for seq, (request, tokens) in enumerate(group, start=1):
                shared = min(_common_length(self._prefix, tokens), len(tokens) - 1)
                running.append(_Sequence(seq, request, tokens, shared, self._sampler(request.output)))
                if shared:
                    llama_cpp.llama_memory_seq_cp(self._memory, 0, seq, 0, shared)
                last = len(tokens) - 1
                prompt_items += [(token, position, seq, position == last)
                                 for position, token in enumerate(tokens[shared:], start=shared)]
            for item, logits in self._decode(prompt_items).items():
                sequence = running[item - 1]
                sequence.logits = logits
                if sequence.request.option_logprobs and isinstance(sequence.request.output, Choice):
                    sequence.option_logprobs = sequence.request.output.logprobs(logits, self._first_token)
            prefilled = time.perf_counter()
            active = running
            while active:
                step = []
                for sequence in active:
                    token = self._pick(sequence)
                    if llama_cpp.llama_vocab_is_eog(self._vocab, token):
                        sequence.finished = True
                        continue
                    if sequence.sampler:
                        llama_cpp.llama_sampler_accept(sequence.sampler, token)
                    sequence.generated.append(token)
                    if len(sequence.generated) < sequence.request.max_tokens:
                        step.append((token, sequence.position - 1, sequence.seq, True))
                by_seq = self._decode(step) if step else {}
                for sequence in active:
                    sequence.logits = by_seq.get(sequence.seq)
                active = [s for s in active if s.seq in by_seq]
            decoded = time.perf_counter()
        finally:
            for sequence in running:
                llama_cpp.llama_memory_seq_rm(self._memory, sequence.seq, -1, -1)
                if sequence.sampler:
                    llama_cpp.llama_sampler_free(sequence.sampler)
        return self._completions(running, fresh, prefilled - started, decoded - prefilled)

    def _completions(self, running: list[_Sequence], fresh: int, prefill_s: float, decode_s: float) -> list[Completion]:
        """A group's wall time shared among its requests by the tokens each evaluated, so that the sums over calls
        are the real prefill and decode time."""
        running[0].shared -= fresh
        evaluated = [len(s.tokens) - s.shared for s in running]
        generated = [len(s.generated) for s in running]
        out = []
        for sequence, own, wrote in zip(running, evaluated, generated):
            text = self._model.detokenize(sequence.generated).decode("utf-8", errors="replace")
            if isinstance(sequence.request.output, Choice):
                text = sequence.request.output.canonical(text) or text
            out.append(Completion(
                text=text,
                prompt_tokens=len(sequence.tokens),
                cached_tokens=sequence.shared,
                generated_tokens=wrote,
                prefill_s=prefill_s * own / max(1, sum(evaluated)),
                decode_s=decode_s * wrote / max(1, sum(generated)),
                finished=sequence.finished,
                option_logprobs=sequence.option_logprobs,
            ))
        return out

    def _first_token(self, text: str) -> int:
        return self._model.tokenize(text.encode(), add_bos=False, special=False)[0]

    def _decode(self, items: list[tuple[int, int, int, bool]]) -> dict[int, np.ndarray]:
        """Evaluate (token, position, sequence, wants logits) items, BATCH at a time; the logits per sequence."""
        import llama_cpp

        logits: dict[int, np.ndarray] = {}
        batch = self._batch
        for start in range(0, len(items), BATCH):
            chunk = items[start:start + BATCH]
            batch.n_tokens = len(chunk)
            for i, (token, position, seq, wants) in enumerate(chunk):
                batch.token[i], batch.pos[i], batch.n_seq_id[i], batch.logits[i] = token, position, 1, wants
                batch.seq_id[i][0] = seq
            status = llama_cpp.llama_decode(self._ctx.ctx, batch)
            if status != 0:
                raise BackendError(f"llama.cpp could not evaluate a batch (status {status}; 1 means the KV cache is full)")
            for i, (_, _, seq, wants) in enumerate(chunk):
                if wants:
                    row = llama_cpp.llama_get_logits_ith(self._ctx.ctx, i)
                    logits[seq] = np.ctypeslib.as_array(row, shape=(self._n_vocab,)).copy()
        return logits

    # --- choosing each token -----------------------------------------------------------------------------------------
    def _sampler(self, output: OutputType):
        import llama_cpp
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        if output is None:
            return None
        key = schema_key(output)
        if key not in self._grammars:
            self._grammars[key] = (choice_grammar(output) if isinstance(output, Choice)
                                   else json_schema_to_gbnf(json.dumps(json_schema_of(output))))
        sampler = llama_cpp.llama_sampler_init_grammar(self._vocab, self._grammars[key].encode(), b"root")
        if not sampler:
            raise BackendError(f"llama.cpp refused the grammar for {key[:80]}")
        return sampler

    def _pick(self, sequence: _Sequence) -> int:
        """Greedy: the best token the grammar allows, checking the best token alone before the whole vocabulary."""
        import llama_cpp

        logits = sequence.penalized(sequence.logits)
        token = int(np.argmax(logits))
        if sequence.sampler is None:
            return token
        self._one[0].id, self._one[0].logit, self._one[0].p = token, float(logits[token]), 0.0
        self._one_array.size, self._one_array.selected = 1, -1
        llama_cpp.llama_sampler_apply(sequence.sampler, ctypes.byref(self._one_array))
        if np.isfinite(self._one[0].logit):
            return token
        everything = self._everything
        everything.copy_logits(logits)
        everything.candidates.selected = -1
        llama_cpp.llama_sampler_apply(sequence.sampler, ctypes.byref(everything.candidates))
        return int(np.argmax(everything.candidates_data.logit))


def load(role: str) -> LlamaCppBackend:
    return LlamaCppBackend(role)
