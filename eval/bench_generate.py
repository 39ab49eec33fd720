"""Generation speed on the seeds, per model and strategy: prompt tokens, prefill, decode, constrained vs free decode.

    python -m eval.bench_generate                       # both models x both strategies, llama.cpp
    python -m eval.bench_generate --models generator --strategies sections

Each (model, strategy) runs in its own process, so its peak RSS is its own (resource.getrusage). After the draft,
the same process decodes one task over the cached sources prefix twice, once constrained to a bounded JSON string
and once free, with the same token budget: the ratio of the two decode rates is the cost of the grammar, measured in
one run on one warm model. A benchmark, not a test: timings vary with the machine and its load, so each section
records the command, date, machine and the load average at the start.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SECTION = "Generation speed"
PROBE_TOKENS = 96


def _rate(tokens: int, seconds: float) -> float:
    return tokens / seconds if seconds > 0 else 0.0


def measure(model: str, strategy: str, backend_name: str) -> dict:
    """One draft of the seeds plus the constrained-vs-free decode probe, in this process."""
    from summarizer.backends import Request, load_backend
    from summarizer.generate import _render, _text_model, generate, render_prefix, select_sentences
    from summarizer.ingest import load_sources

    sources = load_sources(SEEDS)
    started = time.perf_counter()
    backend = load_backend(backend_name, model)
    load_s = time.perf_counter() - started
    draft = generate(sources, model, backend=backend, strategy=strategy)
    calls = draft.meta.calls
    constrained = [c for c in calls if c.constrained]
    prefix = render_prefix(select_sentences(sources, backend.count_tokens, 3000), ids=False)
    task = prefix + _render("task", task="In at most 60 words, say what happened and what the sources disagree about.")
    probe_json, probe_free = (backend.complete([Request(task, output, PROBE_TOKENS)])[0]
                              for output in (_text_model("bottom_line", 400), None))
    json_rate = _rate(probe_json.generated_tokens, probe_json.decode_s)
    free_rate = _rate(probe_free.generated_tokens, probe_free.decode_s)
    return {
        "model": model, "strategy": strategy, "backend": backend_name, "calls": len(calls),
        "prompt_tokens": draft.meta.prompt_tokens, "cached_tokens": draft.meta.cached_tokens,
        "prefill_s": round(sum(c.prefill_s for c in calls), 1),
        "generated_tokens": draft.meta.generated_tokens,
        "decode_s": round(sum(c.decode_s for c in calls), 1),
        "draft_decode_tps": round(_rate(sum(c.generated_tokens for c in constrained),
                                        sum(c.decode_s for c in constrained)), 1),
        "probe_constrained_tps": round(json_rate, 1), "probe_free_tps": round(free_rate, 1),
        "probe_ratio": round(json_rate / free_rate, 2) if free_rate else None,
        "load_s": round(load_s, 1), "total_s": round(draft.meta.timings["total"], 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


COLUMNS = [("model", "model"), ("strategy", "strategy"), ("calls", "calls"), ("prompt_tokens", "prompt tokens"),
           ("cached_tokens", "reused from cache"), ("prefill_s", "prefill s"), ("generated_tokens", "generated"),
           ("decode_s", "decode s"), ("draft_decode_tps", "draft decode tok/s"),
           ("probe_constrained_tps", "probe constrained tok/s"), ("probe_free_tps", "probe free tok/s"),
           ("probe_ratio", "constrained / free"), ("total_s", "total s"), ("peak_rss_mib", "peak RSS MiB")]


def table(results: list[dict]) -> str:
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r.get(key, "")) for key, _ in COLUMNS) + " |" for r in results]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="generator,generator-large")
    parser.add_argument("--strategies", default="sections,single")
    parser.add_argument("--backend", default="llamacpp", choices=("llamacpp", "transformers"))
    parser.add_argument("--one", nargs=2, metavar=("MODEL", "STRATEGY"), help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the table; leave eval/RESULTS.md alone")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(*args.one, args.backend)))
        return 0
    load = os.getloadavg()
    results = []
    for model in args.models.split(","):
        for strategy in args.strategies.split(","):
            child = subprocess.run([sys.executable, "-m", "eval.bench_generate", "--one", model, strategy,
                                    "--backend", args.backend], capture_output=True, text=True,
                                   cwd=Path(__file__).resolve().parent.parent)
            if child.returncode:
                print(child.stderr[-2000:], file=sys.stderr)
                results.append({"model": model, "strategy": strategy, "calls": "failed"})
                continue
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))
            print(table(results[-1:]), file=sys.stderr)
    body = table(results)
    print(body)
    if not args.no_write:
        from eval.results import write_section

        note = (f"Seeds (3 independent reports, ~2,300 source tokens), backend `{args.backend}`, "
                f"{os.environ.get('SUMMARIZER_THREADS') or os.cpu_count()} threads; load average at start "
                f"{load[0]:.1f}. Prefill/decode are sums over the draft's calls; 'probe' decodes one task over the "
                f"cached sources twice ({PROBE_TOKENS} tokens max), constrained to a bounded JSON string and free.")
        write_section(SECTION, f"{note}\n\n{body}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
