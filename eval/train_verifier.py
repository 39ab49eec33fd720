"""Train the verifier: a cross-encoder (passage, claim) -> entailment / neutral / contradiction, on CPU.

    python -m eval train_verifier [--pairs 60000] [--epochs 1] [--no-write]

The model is the pinned embedder (all-MiniLM-L6-v2) read as a BERT cross-encoder, with LoRA adapters on every
encoder projection and a new pooler and 3-way head (peft): what lands in git is the adapter and head (~3 MB), over
base weights every user already has, verified by sha256. Training data: the licensed NLI sets in ../shared/nli-data,
and synthetic news pairs from the fit halves' articles of ../shared/eval-data and the GVA dev incidents
(eval/verifier_data.py); a fixed 5% of every source is held out. No human label of ../shared/eval-data is trained on:
the checker's calibration is fitted on the fit halves' labels with the verifier's scores as features, and a verifier
that had learnt those labels scores them better than any new claim, so the calibration trusted it too much (trained on
them, the checker with the verifier lost AUC on every eval half; RESULTS.md of 2026-12-02). Two-class sources (MultiNLI and FEVER as DocNLI gives them, FactCC) say
"entailment" or "not", so their loss is on p(entailment) against p(neutral) + p(contradiction).

Batches are sorted by length within shuffled blocks and padded per batch (most pairs are far shorter than the
MAX_TOKENS cap). Fixed seed: the same data and code give the same weights. Writes summarizer/weights/verifier/ (adapter,
config, model card) and the verifier's row in models.lock; eval/RESULTS.md gets the held-out accuracies.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from eval.verifier_data import (
    ERRORS,
    LABELS,
    NLI_DATA,
    NLI_FILES,
    NOT_ENTAILMENT,
    Pair,
    is_held_out,
    news_pairs,
    nli_pairs,
)
from summarizer.claims import split_sentences
from summarizer.verifier import ID2LABEL, MAX_TOKENS

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261202
BATCH = 32
LORA_RANK = 16
SECTION = "Verifier (training)"
# Pairs drawn from each source per training run (all of the smaller ones): about 22k pairs, half an hour on 2 cores.
# SNLI and MultiNLI are the 3-way core; FEVER adds encyclopedic premises with several sentences; Breaking-NLI
# single-word swaps (mostly contradictions), FactCC's news claims and the synthetic news pairs are what a summary
# gets wrong.
SOURCE_CAPS = {"snli_devtest_esnli": 4000, "docnli_binary_mnli": 5000, "docnli_binary_fever": 3000,
               "breaking_nli": 1500, "factcc_sample1k": 1000, "news": 8000}


# --- data ------------------------------------------------------------------------------------------------------------
def dev_articles() -> list[list[str]]:
    """Sentences of every fit-half article of the faithfulness dev sets and of the GVA dev incidents' fit half."""
    from eval.faithfulness import DATA, EVENTS, SEED as SPLIT_SEED, _doc_sentences, load_units

    seen, articles = set(), []
    for unit in load_units(DATA, cap_wice=None):
        if unit.fit and isinstance(unit.document, str) and unit.doc_key not in seen:
            seen.add(unit.doc_key)
            articles.append(_doc_sentences(unit.document))
    for line in EVENTS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if int(hashlib.sha1(f"{SPLIT_SEED}:gva:{row['incident_id']}".encode()).hexdigest(), 16) % 2 == 0:
            articles += [split_sentences(d["text"]) for d in row["documents"] if d.get("text", "").strip()]
    return [a for a in articles if len(a) >= 3]


def training_set(pairs: Sequence[Pair], rng: np.random.Generator) -> list[Pair]:
    by_source = defaultdict(list)
    for pair in pairs:
        by_source[pair.source].append(pair)
    chosen = []
    for source, items in sorted(by_source.items()):
        cap = SOURCE_CAPS.get(source, len(items))
        chosen += [items[i] for i in rng.permutation(len(items))[:cap]]
    return [chosen[i] for i in rng.permutation(len(chosen))]


# --- the model -----------------------------------------------------------------------------------------------------
def base_model():
    """The pinned embedder's weights as a 3-way sequence classifier (pooler and head newly initialised)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from summarizer.lock import model_path

    path = model_path("embedder")
    model = AutoModelForSequenceClassification.from_pretrained(
        str(path), num_labels=len(LABELS), id2label=ID2LABEL, label2id={v: k for k, v in ID2LABEL.items()},
        local_files_only=True)
    return model, AutoTokenizer.from_pretrained(str(path), local_files_only=True)


def with_adapter(model):
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=LORA_RANK, lora_alpha=2 * LORA_RANK, lora_dropout=0.0,  # dropout: 1.5x slower here
                        target_modules=r".*encoder\.layer\.\d+\..*(query|key|value|dense)$",
                        modules_to_save=["pooler", "classifier"], task_type="SEQ_CLS")
    return get_peft_model(model, config)


def batches(pairs: Sequence[Pair], tokenizer, rng: np.random.Generator | None, size: int = BATCH):
    """Tokenised batches; with `rng`, shuffled blocks of 50 batches, each block sorted by length (little padding)."""
    lengths = [len(p.premise) + len(p.hypothesis) for p in pairs]
    order = rng.permutation(len(pairs)) if rng is not None else np.argsort(lengths)
    block = size * 50
    groups = []
    for start in range(0, len(order), block):
        chunk = sorted(order[start:start + block], key=lambda i: lengths[i])
        groups += [chunk[i:i + size] for i in range(0, len(chunk), size)]
    if rng is not None:
        groups = [groups[i] for i in rng.permutation(len(groups))]
    for group in groups:
        items = [pairs[i] for i in group]
        encoded = tokenizer([p.premise for p in items], [p.hypothesis for p in items], truncation="longest_first",
                            max_length=MAX_TOKENS, padding=True, return_tensors="pt")
        yield group, items, encoded


def loss_of(logits, items: Sequence[Pair]):
    """Cross-entropy over the three labels; for a two-class 'not entailment', over entailment vs the other two."""
    import torch

    log_p = torch.log_softmax(logits, dim=-1)
    rows = []
    for row, pair in zip(log_p, items):
        rows.append(torch.logsumexp(row[1:], 0) if pair.label == NOT_ENTAILMENT else row[LABELS.index(pair.label)])
    return -torch.stack(rows).mean()


def train(model, tokenizer, pairs: Sequence[Pair], epochs: int, lr: float, seed: int) -> dict:
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    steps = epochs * math.ceil(len(pairs) / BATCH)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    warmup = max(1, steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
    model.train()
    started, step, seen, recent = time.perf_counter(), 0, 0, []
    for _ in range(epochs):
        for _, items, encoded in batches(pairs, tokenizer, rng):
            loss = loss_of(model(**encoded).logits, items)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step, seen = step + 1, seen + len(items)
            recent = (recent + [loss.item()])[-50:]
            if step % 50 == 0 or step == steps:
                elapsed = time.perf_counter() - started
                print(f"  step {step}/{steps}  loss {np.mean(recent):.3f}  {seen / elapsed:.1f} pairs/s  "
                      f"{elapsed / 60:.1f} min", flush=True)
    model.eval()
    elapsed = time.perf_counter() - started
    return {"steps": step, "pairs": seen, "seconds": round(elapsed), "pairs_per_s": round(seen / elapsed, 1)}


def predict(model, tokenizer, pairs: Sequence[Pair]) -> np.ndarray:
    import torch

    out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
    with torch.inference_mode():
        for group, _, encoded in batches(pairs, tokenizer, None, size=64):
            out[group] = torch.softmax(model(**encoded).logits, dim=-1).numpy()
    return out


# --- scores ----------------------------------------------------------------------------------------------------------
def accuracies(pairs: Sequence[Pair], probabilities: np.ndarray) -> dict[str, dict]:
    """Per source: 3-way accuracy where the source has three labels, else entailment-vs-not accuracy; per news
    kind: the share given the right label (an error counts as caught when called contradiction)."""
    by: dict[str, list[bool]] = defaultdict(list)
    binary: dict[str, list[bool]] = defaultdict(list)
    three_way = {p.source for p in pairs if p.label == "neutral"}  # sources that tell neutral from contradiction
    for pair, p in zip(pairs, probabilities):
        entailed = p[0] >= p[1:].sum()
        binary[pair.source].append(entailed == (pair.label == "entailment"))
        if pair.source in three_way:
            by[pair.source].append(LABELS[int(np.argmax(p))] == pair.label)
        if pair.source == "news":
            by[f"news:{pair.kind}"].append(LABELS[int(np.argmax(p))] == pair.label)
    table = {}
    for key in sorted(set(by) | set(binary)):
        row = {"n": len(binary.get(key) or by[key])}
        if key in binary:
            row["binary"] = round(float(np.mean(binary[key])), 4)
        if by.get(key):
            row["three_way"] = round(float(np.mean(by[key])), 4)
        table[key] = row
    return table


# --- output ----------------------------------------------------------------------------------------------------------
def weights_folder() -> Path:
    from summarizer.lock import load_lock

    return ROOT / load_lock()["verifier"].bundled


def write_lock_row(folder: Path, files: Sequence[str]) -> None:
    """models.lock's [models.verifier] files: sizes and sha256 of what was just written (the rest of the row stays)."""
    from summarizer.lock import LOCK_FILE, sha256_of

    rows = "".join(f'  {{ name = "{name}", size = {(folder / name).stat().st_size}, '
                   f'sha256 = "{sha256_of(folder / name)}" }},\n' for name in files)
    text = LOCK_FILE.read_text(encoding="utf-8")
    pattern = re.compile(r"(\[models\.verifier\].*?\nfiles = \[\n)(.*?)(\])", re.S)
    if not pattern.search(text):
        raise SystemExit("models.lock has no [models.verifier] section with a files list")
    LOCK_FILE.write_text(pattern.sub(lambda m: m.group(1) + rows + m.group(3), text, count=1), encoding="utf-8")


def model_card(data: dict, run: dict, scores: dict, files: dict[str, str]) -> str:
    lines = ["# verifier: entailment cross-encoder for summarizer's checker", "",
             "Trained by `python -m eval train_verifier` (eval/train_verifier.py) on 2 CPU cores, "
             f"{datetime.now(UTC):%Y-%m-%d}. Premise = a source passage (one sentence, 1-3 adjacent ones, or the claim's 4 "
             "closest in the document's order), hypothesis = a claim; "
             "outputs p(entailment), p(neutral), p(contradiction).", "",
             "- Base: `sentence-transformers/all-MiniLM-L6-v2` (the pinned `embedder` of models.lock, Apache-2.0), "
             "read as a BERT cross-encoder.",
             f"- Adapter: LoRA r={LORA_RANK} (alpha {2 * LORA_RANK}) on every encoder projection; pooler and 3-way "
             "head trained in full (peft `modules_to_save`).",
             f"- Training: {run['pairs']:,} pairs, {run['steps']} steps of {BATCH}, AdamW, {run['seconds'] / 60:.0f} "
             f"min ({run['pairs_per_s']} pairs/s), max {MAX_TOKENS} tokens, seed {SEED}.", "",
             "## Data", "", "| source | pairs trained on | held out |", "|---|---|---|"]
    lines += [f"| {s} | {data['train'].get(s, 0):,} | {data['held_out'].get(s, 0):,} |" for s in data["train"]]
    lines += ["", "Synthetic news pairs are built from the fit halves of the dev articles only (eval/verifier_data.py); "
              "no human label of the dev sets is trained on (the checker's calibration is fitted on them).",
              "", "Licences of the training data (attribution kept with the weights):", "",
              "| data | licence |", "|---|---|",
              "| SNLI dev+test (via e-SNLI) | CC BY-SA 4.0 (e-SNLI: MIT) |",
              "| MultiNLI dev, two-class (via DocNLI) | OANC and permissive licences (DocNLI: BSD-3) |",
              "| FEVER-NLI, two-class (via DocNLI) | CC BY-SA 3.0 (Wikipedia; DocNLI: BSD-3) |",
              "| Breaking-NLI | CC BY-SA 4.0 |",
              "| FactCC sample | MIT (repository); CNN/DM stories for research use |",
              "| synthetic news pairs | from QAGS, FRANK, SummaC and GVA dev articles (research use) |",
              "",
              "## Held-out accuracy", "", "| slice | n | entailment vs not | 3-way |", "|---|---|---|---|"]
    lines += [f"| {k} | {v['n']} | {v.get('binary', '')} | {v.get('three_way', '')} |" for k, v in scores.items()]
    lines += ["", "## Files", "", "| file | sha256 |", "|---|---|"]
    lines += [f"| {name} | `{digest}` |" for name, digest in files.items()]
    return "\n".join(lines) + "\n"


def results_body(data: dict, run: dict, scores: dict) -> str:
    news = [f"| {kind} | {scores[f'news:{kind}']['n']} | {scores[f'news:{kind}']['three_way']:.3f} |"
            for kind in (*ERRORS, "unrelated", "sentence", "clause", "merged") if f"news:{kind}" in scores]
    sources = [f"| {s} | {scores[s]['n']} | {scores[s].get('binary', float('nan')):.3f} | "
               f"{scores[s]['three_way']:.3f} |" if "three_way" in scores[s] else
               f"| {s} | {scores[s]['n']} | {scores[s]['binary']:.3f} | (two-class) |"
               for s in (*NLI_FILES, "news") if s in scores]
    return "\n".join([
        f"{run['pairs']:,} training pairs ({', '.join(f'{s} {n:,}' for s, n in data['train'].items())}), one pass, "
        f"{run['seconds'] / 60:.0f} min at {run['pairs_per_s']} pairs/s on 2 cores. Held out: a fixed 5% of every "
        "source (by hash), never trained on.", "",
        "| held-out slice | n | entailment vs not | 3-way |", "|---|---|---|---|", *sources, "",
        "Synthetic news pairs by kind (held-out slice): the share given the right label (a changed sentence must come "
        "out *contradiction*, an unrelated one *neutral*, a true one *entailment*):", "",
        "| kind | n | right label |", "|---|---|---|", *news])


SHIPPED = "Verifier (shipped, held-out)"


def shipped_held_out(held_out: Sequence[Pair]) -> int:
    """The held-out accuracies of the verifier as the checker loads it (Verifier.load: the adapter merged)."""
    from eval.results import write_section
    from summarizer.verifier import Verifier

    verifier = Verifier.load()
    started = time.perf_counter()
    probabilities = verifier.probabilities([(p.premise, p.hypothesis) for p in held_out])
    rate = len(held_out) / (time.perf_counter() - started)
    scores = accuracies(held_out, probabilities)
    for key, row in scores.items():
        print(f"  {key:28} {row}")
    rows = [f"| {k} | {v['n']} | {v.get('binary', '')} | {v.get('three_way', '')} |" for k, v in scores.items()]
    write_section(SHIPPED, "\n".join([
        f"The shipped verifier (`Verifier.load()`: the adapter merged into the base) on the same held-out slice as "
        f"the training run's table above, {len(held_out):,} pairs at {rate:.1f} pairs/s on this machine "
        f"(sorted by length, batches of 64, max {MAX_TOKENS} tokens; adapter sha256 {verifier.identity[:12]}).", "",
        "| slice | n | entailment vs not | 3-way |", "|---|---|---|---|", *rows]))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval train_verifier", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=0, help="train on only the first N pairs (a smoke test; it still writes unless --no-write)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--no-write", action="store_true", help="train and report; write no weights")
    parser.add_argument("--held-out", action="store_true",
                        help="train nothing: score the shipped verifier (as the checker loads it) on the held-out "
                        "slice and add its accuracies to eval/RESULTS.md beside the training run's")
    args = parser.parse_args(argv)
    if not NLI_DATA.exists():
        print(f"no training data at {NLI_DATA}")
        return 2
    import torch

    torch.set_num_threads(max(1, torch.get_num_threads()))
    rng = np.random.default_rng(SEED)
    everything = nli_pairs() + news_pairs(dev_articles(), SEED)
    held_out = [p for p in everything if is_held_out(p)]
    train_pairs = training_set([p for p in everything if not is_held_out(p)], rng)
    if args.pairs:
        train_pairs = train_pairs[: args.pairs]
        held_out = [held_out[i] for i in rng.permutation(len(held_out))[: max(200, args.pairs // 4)]]
    data = {"train": dict(sorted(Counter(p.source for p in train_pairs).items())),
            "held_out": dict(sorted(Counter(p.source for p in held_out).items()))}
    if args.held_out:
        return shipped_held_out(held_out)
    print(f"training on {len(train_pairs)} pairs {data['train']}; held out {len(held_out)}", flush=True)
    model, tokenizer = base_model()
    model = with_adapter(model)
    model.print_trainable_parameters()
    run = train(model, tokenizer, train_pairs, args.epochs, args.lr, SEED)
    scores = accuracies(held_out, predict(model, tokenizer, held_out))
    for key, row in scores.items():
        print(f"  {key:28} {row}")
    if args.no_write:
        return 0
    folder = weights_folder()
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder), safe_serialization=True)
    config_path = folder / "adapter_config.json"
    config = json.loads(config_path.read_text())
    config["base_model_name_or_path"] = "sentence-transformers/all-MiniLM-L6-v2"  # not this machine's path
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    from summarizer.lock import sha256_of

    files = {name: sha256_of(folder / name) for name in ("adapter_config.json", "adapter_model.safetensors")}
    (folder / "README.md").write_text(model_card(data, run, scores, files), encoding="utf-8")
    write_lock_row(folder, list(files))
    from eval.results import write_section

    write_section(SECTION, results_body(data, run, scores))
    print(f"wrote {folder} and models.lock's verifier row")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
