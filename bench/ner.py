"""NER speed and memory: model load time, tokens per second over all seeds (CPU), peak RSS.

    python bench/ner.py [--model DIR] [--repeat N]

Prints one JSON object.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", help="model directory (default: the bundled model)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import torch

    from coalition_kg.ner import Recognizer
    from coalition_kg.reader import read_article
    from coalition_kg.text import split_sentences

    articles = [read_article(p) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    docs = [(a.text, split_sentences(a.text)) for a in articles]
    tokens = sum(len(s.tokens) for _, sents in docs for s in sents)

    t0 = time.perf_counter()
    rec = Recognizer(args.model)
    load_s = time.perf_counter() - t0
    rec(*docs[0])  # warm-up
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        n_ents = sum(len(rec(text, sents)) for text, sents in docs)
        times.append(time.perf_counter() - t)
    best = min(times)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "tokens_per_s": round(tokens / best, 1),
        "load_s": round(load_s, 3),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "tokens": tokens, "articles": len(articles), "entities": n_ents,
        "seconds_best_of": [round(x, 3) for x in times], "torch_threads": torch.get_num_threads(),
        "model": rec.source,
    }))


if __name__ == "__main__":
    main()
