"""Query latency: every library query on the embedded Oxigraph store and on rdflib's in-memory graph,
for the seeds graph and for a graph built from many articles.

    python bench/queries.py [--articles N] [--repeat R]

The large graph is built by the real pipeline from N synthetic articles, each made of four
sentences drawn (seeded) from the seed articles; the NER result of a sentence is memoized, so the
build measures extraction, linking, resolution and RDF, not N times the same tagging.  Prints
one JSON object: {"seeds": {query: {"oxigraph_ms", "rdflib_ms"}}, "large": {...}, ...}.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(out), 2)


def bench_graph(ds, repeat, rdflib_repeat):
    from coalition_kg.query import library
    from coalition_kg.store import MemoryStore, OxigraphStore

    with tempfile.TemporaryDirectory() as d:
        store = OxigraphStore(Path(d) / "store")
        t = time.perf_counter()
        store.replace(ds)
        load_s = time.perf_counter() - t
        mem = MemoryStore(ds)
        res = {}
        for name, q in library().items():
            res[name] = {"oxigraph_ms": timed(lambda: store.query(q.text), repeat),
                         "rdflib_ms": timed(lambda: mem.query(q.text), rdflib_repeat)}
        res["_load_s"] = round(load_s, 2)
        res["_quads"] = len(store)
    return res


class MemoNER:
    def __init__(self, rec):
        self.rec, self.cache = rec, {}
        self.source = rec.source

    def tag(self, sentences):
        todo = [s for s in sentences if self._key(s) not in self.cache]
        if todo:
            for s, tags in zip(todo, self.rec.tag(todo)):
                self.cache[self._key(s)] = tags
        return [self.cache[self._key(s)] for s in sentences]

    @staticmethod
    def _key(s):
        return tuple(t.text for t in s.tokens)

    def __call__(self, text, sentences):
        from coalition_kg.ner import entities_from_tags
        return entities_from_tags(text, sentences, self.tag(sentences))


def synthetic_articles(n, seed=7):
    from coalition_kg.reader import Article, read_article
    from coalition_kg.text import split_sentences
    pool = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        text = read_article(p).text
        pool += [text[s.start:s.end] for s in split_sentences(text) if len(s.tokens) > 6]
    rnd = random.Random(seed)
    for i in range(n):
        text = "\n".join(rnd.sample(pool, 4)) + "\n"
        yield Article(f"synthetic-{i:06d}", Path(f"synthetic-{i:06d}.txt"), text, f"{i:064x}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from coalition_kg import pipeline, rdf
    from coalition_kg.build import run
    from coalition_kg.ner import Recognizer

    rec = Recognizer()
    out = {"seeds": bench_graph(run([str(ROOT / "seeds")], rec).dataset, args.repeat, args.repeat)}
    memo = MemoNER(rec)
    t = time.perf_counter()
    results = [pipeline.process_article(a, memo) for a in synthetic_articles(args.articles)]
    extract_s = time.perf_counter() - t
    t = time.perf_counter()
    resolved = pipeline.resolve(results)
    ds = rdf.to_dataset(resolved)
    rdf_s = time.perf_counter() - t
    out["large"] = bench_graph(ds, args.repeat, max(1, args.repeat // 2))
    out["large"]["_articles"] = args.articles
    out["large"]["_extract_s"] = round(extract_s, 1)
    out["large"]["_resolve_and_rdf_s"] = round(rdf_s, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
