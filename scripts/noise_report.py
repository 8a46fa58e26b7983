"""Measure the Organization/Place noise filter (coalition_kg/noise.py) on a set of articles and its
gold: what it removes, that it removes no gold entity, and the scores with and without it.

    .venv/bin/python scripts/noise_report.py [--gold ../shared/dev/gold.json] [DOCS…]

Measuring only (the tagger's output cached per text, as scripts/dev_eval.py does)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from dev_eval import CachedRecognizer  # noqa: E402

from coalition_kg import noise, pipeline  # noqa: E402
from coalition_kg.evaluation import evaluate  # noqa: E402
from coalition_kg.reader import iter_articles  # noqa: E402
from coalition_kg.text import normalize  # noqa: E402


def gold_strings(gold: dict) -> set[str]:
    """Every name a gold file gives (persons with their Arabic spellings, cities, countries, hosts)."""
    out: set[str] = set()

    def walk(x):
        if isinstance(x, str):
            out.add(normalize(x))
        elif isinstance(x, dict):
            for k, v in x.items():
                if k not in ("source", "phenomena", "_about", "status", "kind"):
                    walk(k) if isinstance(v, str) and k not in ("date",) else None
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(gold)
    return out


def run(inputs, gold_path, rec, enabled: bool, log: list):
    real = noise.drop_noise
    noise_off = (lambda mentions, log=None: mentions)
    noise.drop_noise = (lambda mentions, log_=None: real(mentions, log)) if enabled else noise_off
    try:
        results = [pipeline.process_article(a, rec) for a in iter_articles(inputs, [])]
    finally:
        noise.drop_noise = real
    return evaluate(pipeline.resolve(results), gold_path)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("inputs", nargs="*")
    ap.add_argument("--gold", default=str(ROOT.parent / "shared/dev/gold.json"))
    a = ap.parse_args(argv)
    inputs = a.inputs or [str(Path(a.gold).parent / "docs") if Path(a.gold).parent.name == "dev" else str(ROOT / "seeds")]
    rec = CachedRecognizer()
    dropped: list = []
    on = run(inputs, a.gold, rec, True, dropped)
    off = run(inputs, a.gold, rec, False, [])
    golds = gold_strings(json.loads(Path(a.gold).read_text(encoding="utf-8")))
    hits = sorted({(k, s) for k, s, _ in dropped if normalize(s) in golds or normalize(noise.clean_label(s)) in golds})
    print(f"removed {len(dropped)} mentions ({len({s for _, s, _ in dropped})} distinct):")
    for (kind, s, why) in sorted(set(dropped)):
        print(f"  {kind:12s} {s}  ({why})")
    print("gold entities among them:", hits or "none")
    for c in on:
        if isinstance(on[c], dict) and "f1" in on[c]:
            print(f"  {c:22s} F1 without {off[c]['f1']:.3f}  with {on[c]['f1']:.3f}")
    print(f"  overall F1 without {off['overall_f1']:.3f}  with {on['overall_f1']:.3f}")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
