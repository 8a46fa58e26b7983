"""NER speed and memory of the shipped taggers: model load time, tokens per second over all
seeds (CPU), peak RSS.  Each tagger is measured in its own process (so peak RSS is its own).

    python bench/ner.py [--model NAME|DIR …] [--repeat N] [--threads N] [--precision auto|bf16|fp32|int8]

``tokens_per_s``: article by article (``coalition-kg ner`` on one file at a time);
``tokens_per_s_batched``: all five seeds' sentences in one call, sorted by length, as the build's
workers tag a chunk of articles.  ``--precision`` is how the transformer tagger's transformer
computes (default auto: int8, as the taggers run by default); the JSON says which
ran, and the CPU.
Prints one JSON object per model, then a summary object ``{"models": […]}``.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu() -> str:
    from coalition_kg.transformer import native_bf16
    try:
        name = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                    if line.startswith("model name"))
    except (OSError, StopIteration):
        name = "unknown"
    return f"{name}, {os.cpu_count()} cores, native bf16: {'yes' if native_bf16() else 'no'}"


def measure(model: str, repeat: int, threads: int, precision: str) -> dict:
    import torch
    torch.set_num_threads(threads)

    from coalition_kg.ner import Recognizer
    from coalition_kg.reader import read_article
    from coalition_kg.text import split_sentences

    articles = [read_article(p) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    docs = [(a.text, split_sentences(a.text)) for a in articles]
    tokens = sum(len(s.tokens) for _, sents in docs for s in sents)

    t0 = time.perf_counter()
    rec = Recognizer(model, precision=precision)
    load_s = time.perf_counter() - t0
    rec(*docs[0])  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        n_ents = sum(len(rec(text, sents)) for text, sents in docs)
        times.append(time.perf_counter() - t)
    best = min(times)
    flat = [s for _, sents in docs for s in sents]
    batched = []
    for _ in range(repeat):
        t = time.perf_counter()
        rec.tag(flat)
        batched.append(time.perf_counter() - t)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "model": model, "tokens_per_s": round(tokens / best, 1),
        "tokens_per_s_batched": round(tokens / min(batched), 1), "load_s": round(load_s, 3),
        "peak_rss_mb": round(peak_kb / 1024, 1), "tokens": tokens, "articles": len(articles),
        "entities": n_ents, "seconds_best_of": [round(x, 3) for x in times],
        "torch_threads": torch.get_num_threads(), "precision": rec.precision if rec.transformer else None,
        "source": rec.source, "transformer": str(rec.transformer or ""), "cpu": _cpu(),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="append", help="model name or directory (default: lexical, transformer and transformer-fast)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", choices=["auto", "bf16", "fp32", "int8"], default="auto",
                    help="the transformer tagger's transformer: auto (int8, the taggers' default), "
                         "bfloat16 autocast, float32, or int8 linear layers")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)   # child process
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.model[0], args.repeat, args.threads, args.precision), ensure_ascii=False))
        return
    results = []
    for model in args.model or ["lexical", "transformer", "transformer-fast"]:
        cmd = [sys.executable, __file__, "--one", "--model", model, "--repeat", str(args.repeat),
               "--threads", str(args.threads), "--precision", args.precision]
        env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            res = {"model": model, "error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
        else:
            res = json.loads(proc.stdout.strip().splitlines()[-1])
        print(json.dumps(res, ensure_ascii=False), flush=True)
        results.append(res)
    print(json.dumps({"models": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
