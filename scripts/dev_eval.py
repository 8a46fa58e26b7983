"""Developer loop for extraction work: score a build against a gold file with the NER output
cached per article text (the tagger is the slow part; extraction rules change, its tags do not).

    .venv/bin/python scripts/dev_eval.py [--gold ../shared/dev/gold.json] [DOCS…] [--details] [--json]

The cache lives in $XDG_CACHE_HOME/coalition-kg/dev-ner/, keyed by the tagger used (its files'
digest and the transformer precision) and the text's hash.  Measuring only: nothing here feeds a build.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coalition_kg import pipeline  # noqa: E402
from coalition_kg.evaluation import CATEGORIES, WHO_HOSTED_WHAT, evaluate, evaluate_per_article  # noqa: E402
from coalition_kg.ner import Entity, Recognizer  # noqa: E402
from coalition_kg.reader import iter_articles  # noqa: E402
from coalition_kg.text import split_sentences  # noqa: E402


class CachedRecognizer:
    def __init__(self, model=None):
        self.model = model
        self._rec = None
        # keyed by the tagger actually used (the default and the environment resolved) and its
        # precision, so that a changed default never reads another tagger's cached entities
        from coalition_kg.cache import model_version
        from coalition_kg.ner import precision_choice, tagger_choice
        model_dir, stanza_dir = tagger_choice(model)
        tag = hashlib.sha1(f"{model_version(stanza_dir or model_dir)}-{precision_choice()}".encode()).hexdigest()[:8]
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        self.dir = base / "coalition-kg" / "dev-ner" / tag
        self.dir.mkdir(parents=True, exist_ok=True)

    def __call__(self, text, sentences):
        key = hashlib.sha1(text.encode("utf-8")).hexdigest()
        f = self.dir / f"{key}.json"       # plain JSON of the entities: no code from a cache file
        if f.exists():
            try:
                return [Entity(**e) for e in json.loads(f.read_text(encoding="utf-8"))]
            except (ValueError, TypeError):
                pass                      # unreadable: tag again
        if self._rec is None:
            self._rec = Recognizer(self.model)
        ents = self._rec(text, sentences)
        f.write_text(json.dumps([dataclasses.asdict(e) for e in ents], ensure_ascii=False), encoding="utf-8")
        return ents


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("inputs", nargs="*")
    ap.add_argument("--gold", default=str(ROOT.parent / "shared/dev/gold.json"))
    ap.add_argument("--ner-model")
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--thresholds")
    ap.add_argument("--per-article", action="store_true",
                    help="each article built alone (the figure to move); dev: old (b, c) and new (e, f, g) apart")
    a = ap.parse_args(argv)
    inputs = a.inputs or [str(Path(a.gold).parent / "docs") if Path(a.gold).parent.name == "dev"
                          else str(ROOT / "seeds")]
    rec = CachedRecognizer(a.ner_model)
    errors = []
    results = [pipeline.process_article(art, rec) for art in iter_articles(inputs, errors)]
    th_ = [float(x) for x in a.thresholds.split(",")] if a.thresholds else None
    if a.per_article:
        groups = {"old": ("b", "c"), "new": ("e", "f", "g")} if Path(a.gold).parent.name == "dev" else {}
        rep = evaluate_per_article(results, a.gold, groups, th_)
        if a.json:
            print(json.dumps({k: v for k, v in rep.items() if k != "details" or a.details}, ensure_ascii=False, indent=1))
            return
        for name, r in rep.items():
            if name == "details":
                continue
            print(f"[{name}] {r['articles']} articles, {r['all_right']} right on all three; overall {r['overall_f1']}")
            for c in CATEGORIES:
                if c in r:
                    s = r[c]
                    print(f"  {c:20s} P {s['p']:.3f} R {s['r']:.3f} F1 {s['f1']:.3f}  tp {s['tp']} fp {s['fp']} fn {s['fn']}")
            for t, cats in r.get("thresholds", {}).items():
                print(f"  >= {t}: " + "  ".join(f"{k} {v['p']:.2f}/{v['r']:.2f}/{v['f1']:.3f}" for k, v in cats.items()))
        if a.details:
            for aid, d in sorted(rep["details"].items()):
                for c, v in d.items():
                    if c in WHO_HOSTED_WHAT:
                        print(aid, c, "missing", v["missing"], "extra", v["extra"])
        return
    resolved = pipeline.resolve(results)
    th = [float(x) for x in a.thresholds.split(",")] if a.thresholds else None
    rep = evaluate(resolved, a.gold, th)
    if a.json:
        print(json.dumps({k: v for k, v in rep.items() if k != "details" or a.details}, ensure_ascii=False, indent=1))
        return
    for c in CATEGORIES:
        if c in rep:
            s = rep[c]
            print(f"{c:20s} P {s['p']:.3f} R {s['r']:.3f} F1 {s['f1']:.3f}  tp {s['tp']} fp {s['fp']} fn {s['fn']}")
    print("overall", rep["overall_f1"])
    for t, cats in rep.get("thresholds", {}).items():
        print(f">= {t}: " + "  ".join(f"{k} {v['p']:.2f}/{v['r']:.2f}/{v['f1']:.3f}" for k, v in cats.items()))
    if a.details:
        for aid, d in sorted(rep["details"].items()):
            for c, v in d.items():
                if c.startswith("whw") or c == "persons":
                    print(aid, c, "missing", v["missing"], "extra", v["extra"])


if __name__ == "__main__":
    main()
