"""Generation speed on the seeds, per model and strategy: prompt tokens, prefill, decode, constrained vs free decode.

    python -m eval.bench_generate                       # both models x both strategies, llama.cpp
    python -m eval.bench_generate --models generator --strategies sections
    python -m eval.bench_generate --models generator --strategies sections --extra-buffers on,off --repeat 3

Each (model, strategy) runs in its own process, so its peak RSS is its own (resource.getrusage). After the draft,
the same process decodes one task over the cached sources prefix twice, once constrained to a bounded JSON string
and once free, with the same token budget: the ratio of the two decode rates is the cost of the grammar, measured in
one run on one warm model. Saved prefixes are off (SUMMARIZER_PREFIX_CACHE=off): every run evaluates its prompts.
`--extra-buffers on,off` runs each setting of SUMMARIZER_LLAMA_EXTRA_BUFFERS in turn, `--repeat` times, and writes
the rates of each against the first as its own section: what a CPU with AMX gives up by having them off.
A benchmark, not a test: timings vary with the machine and its load, so each section records the command, date,
machine and the load average at the start.
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
EXTRA_BUFFERS_SECTION = "llama.cpp extra buffer types on and off"
PROBE_TOKENS = 96


def _rate(tokens: int, seconds: float) -> float:
    return tokens / seconds if seconds > 0 else 0.0


def measure(model: str, strategy: str, backend_name: str) -> dict:
    """One draft of the seeds plus the constrained-vs-free decode probe, in this process."""
    from summarizer.backends import Request, load_backend
    from summarizer.draft import generate
    from summarizer.draft.prompts import render_prompt
    from summarizer.draft.selection import render_prefix, select_sentences
    from summarizer.draft.writing import _text_model
    from summarizer.ingest import load_sources

    sources = load_sources(SEEDS)
    started = time.perf_counter()
    backend = load_backend(backend_name, model)
    load_s = time.perf_counter() - started
    draft = generate(sources, model, backend=backend, strategy=strategy)
    calls = draft.meta.calls
    constrained = [c for c in calls if c.constrained]
    prefix = render_prefix(select_sentences(sources, backend.count_tokens, 3000), ids=False)
    task = prefix + render_prompt("task", task="In at most 60 words, say what happened and what the sources disagree about.")
    probe_json, probe_free = (backend.complete([Request(task, output, PROBE_TOKENS)])[0]
                              for output in (_text_model("bottom_line", 400), None))
    json_rate = _rate(probe_json.generated_tokens, probe_json.decode_s)
    free_rate = _rate(probe_free.generated_tokens, probe_free.decode_s)
    prefill_s, decode_s = sum(c.prefill_s for c in calls), sum(c.decode_s for c in calls)
    extra = getattr(backend, "extra_buffers", None)
    return {
        "model": model, "strategy": strategy, "backend": backend_name, "calls": len(calls),
        "extra_buffers": "" if extra is None else ("on" if extra else "off"),
        "prompt_tokens": draft.meta.prompt_tokens, "cached_tokens": draft.meta.cached_tokens,
        "prefill_s": round(prefill_s, 1),
        "prefill_tps": round(_rate(draft.meta.prompt_tokens - draft.meta.cached_tokens, prefill_s), 1),
        "generated_tokens": draft.meta.generated_tokens,
        "decode_s": round(decode_s, 1), "decode_tps": round(_rate(draft.meta.generated_tokens, decode_s), 1),
        "draft_decode_tps": round(_rate(sum(c.generated_tokens for c in constrained),
                                        sum(c.decode_s for c in constrained)), 1),
        "probe_constrained_tps": round(json_rate, 1), "probe_free_tps": round(free_rate, 1),
        "probe_ratio": round(json_rate / free_rate, 2) if free_rate else None,
        "load_s": round(load_s, 1), "total_s": round(draft.meta.timings["total"], 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


COLUMNS = [("model", "model"), ("strategy", "strategy"), ("extra_buffers", "extra buffers"), ("calls", "calls"),
           ("prompt_tokens", "prompt tokens"), ("cached_tokens", "reused from cache"), ("prefill_s", "prefill s"),
           ("prefill_tps", "prefill tok/s"), ("generated_tokens", "generated"), ("decode_s", "decode s"),
           ("decode_tps", "decode tok/s"), ("draft_decode_tps", "draft decode tok/s"),
           ("probe_constrained_tps", "probe constrained tok/s"), ("probe_free_tps", "probe free tok/s"),
           ("probe_ratio", "constrained / free"), ("total_s", "total s"), ("peak_rss_mib", "peak RSS MiB")]


def table(results: list[dict]) -> str:
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r.get(key, "")) for key, _ in COLUMNS) + " |" for r in results]
    return "\n".join(lines)


def ratios(results: list[dict], settings: list[str]) -> str:
    """Per model and strategy: each setting's best prefill and decode rates over its runs (other load on the cores
    only ever slows a run down), and their ratio to the first setting's."""
    lines = ["| model | strategy | extra buffers | runs | best prefill tok/s | best decode tok/s | "
             f"prefill vs {settings[0]} | decode vs {settings[0]} |", "|" + "---|" * 8]
    for model, strategy in dict.fromkeys((r["model"], r["strategy"]) for r in results):
        best = {}
        for setting in settings:
            runs = [r for r in results if (r["model"], r["strategy"], r["extra_buffers"]) == (model, strategy, setting)]
            if runs:
                best[setting] = (len(runs), max(r["prefill_tps"] for r in runs), max(r["decode_tps"] for r in runs))
        base = best.get(settings[0])
        for setting, (runs, prefill, decode) in best.items():
            vs = [f"{rate / base[i]:.2f}x" if base and base[i] else "" for i, rate in ((1, prefill), (2, decode))]
            lines.append(f"| {model} | {strategy} | {setting} | {runs} | {prefill:.1f} | {decode:.1f} | "
                         f"{vs[0]} | {vs[1]} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="generator,generator-large")
    parser.add_argument("--strategies", default="sections,single")
    parser.add_argument("--backend", default="llamacpp", choices=("llamacpp", "transformers"))
    parser.add_argument("--extra-buffers", metavar="SETTINGS",
                        help="compare SUMMARIZER_LLAMA_EXTRA_BUFFERS settings, e.g. on,off (the first is the base)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each setting, taken in turn")
    parser.add_argument("--one", nargs=2, metavar=("MODEL", "STRATEGY"), help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the table; leave eval/RESULTS.md alone")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(*args.one, args.backend)))
        return 0
    load = os.getloadavg()
    settings = args.extra_buffers.split(",") if args.extra_buffers else [None]
    results = []
    for model in args.models.split(","):
        for strategy in args.strategies.split(","):
            for _ in range(args.repeat):
                for setting in settings:
                    env = {**os.environ, "SUMMARIZER_PREFIX_CACHE": "off"}
                    if setting:
                        env["SUMMARIZER_LLAMA_EXTRA_BUFFERS"] = setting
                    child = subprocess.run([sys.executable, "-m", "eval.bench_generate", "--one", model, strategy,
                                            "--backend", args.backend], capture_output=True, text=True, env=env,
                                           cwd=Path(__file__).resolve().parent.parent)
                    if child.returncode:
                        print(child.stderr[-2000:], file=sys.stderr)
                        results.append({"model": model, "strategy": strategy, "extra_buffers": setting,
                                        "calls": "failed"})
                        continue
                    results.append(json.loads(child.stdout.strip().splitlines()[-1]))
                    print(table(results[-1:]), file=sys.stderr)
    body = table(results)
    if args.extra_buffers:
        body += "\n\n" + ratios([r for r in results if r.get("calls") != "failed"], settings)
    print(body)
    if not args.no_write:
        from eval.results import write_section
        from summarizer.native import cpu_flags, cpu_model

        note = (f"Seeds (3 independent reports, ~2,300 source tokens), backend `{args.backend}`, "
                f"{os.environ.get('SUMMARIZER_THREADS') or os.cpu_count()} threads; load average at start "
                f"{load[0]:.1f}. Prefill/decode are sums over the draft's calls; 'probe' decodes one task over the "
                f"cached sources twice ({PROBE_TOKENS} tokens max), constrained to a bounded JSON string and free.")
        if args.extra_buffers:
            amx = " ".join(sorted(f for f in cpu_flags() if f.startswith("amx"))) or "nothing"
            note += (f" CPU: {cpu_model()}; `lscpu | grep -o 'amx[a-z_0-9]*'` gives {amx}. Settings of "
                     f"SUMMARIZER_LLAMA_EXTRA_BUFFERS taken in turn, {args.repeat} run(s) each; prefill tok/s counts "
                     f"the prompt tokens evaluated (not those reused from the cache).")
        write_section(EXTRA_BUFFERS_SECTION if args.extra_buffers else SECTION, f"{note}\n\n{body}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
