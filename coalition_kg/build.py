"""``coalition-kg build``: run the whole flow over a batch of articles and write the results.

Bad files are reported and skipped; outputs are written atomically (to a temporary file in the
same directory, then renamed), so an interrupted or failed build never leaves a half-written
graph where a good one was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from . import pipeline, rdf
from .atomic import write_bytes
from .reader import iter_articles

FORMATS = {"ttl": ("turtle", "graph.ttl"), "nt": ("nt", "graph.nt"), "jsonld": ("json-ld", "graph.jsonld"),
           "trig": ("trig", "graph.trig")}


@dataclass
class BuildResult:
    resolved: pipeline.Resolved
    dataset: Dataset
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        nodes: dict[str, set] = {}
        for r in self.resolved.results:
            for m in r.mentions:
                nodes.setdefault(m.kind, set()).add(m.node)
        nodes["Person"] = set(self.resolved.persons)
        nodes["UNResolution"] = {(x.body, x.number) for r in self.resolved.results for x in r.resolutions}
        return {
            "articles": len(self.resolved.results),
            "skipped": len(self.errors),
            "entities": {k: len(v) for k, v in sorted(nodes.items())},
            "meetings": len(self.resolved.meetings),
            "triples": len(set((s, p, o) for s, p, o, _ in self.dataset.quads((None, None, None, None)))),
            "quads": len(self.dataset),
        }


def run(inputs: list[str], recognizer, progress=None) -> BuildResult:
    """Read, recognize and extract every article, then resolve across them and make RDF."""
    errors: list[str] = []
    results = []
    for article in iter_articles(inputs, errors):
        try:
            results.append(pipeline.process_article(article, recognizer))
        except Exception as exc:  # one broken article must not sink the batch
            errors.append(f"{article.path}: extraction failed ({type(exc).__name__}: {exc})")
        if progress:
            progress(article)
    resolved = pipeline.resolve(results)
    return BuildResult(resolved, rdf.to_dataset(resolved), errors)


def serialize(ds: Dataset, fmt: str) -> bytes:
    rdflib_fmt, _ = FORMATS[fmt]
    if fmt in ("ttl", "nt"):
        return rdf.union_graph(ds).serialize(format=rdflib_fmt, encoding="utf-8")
    return ds.serialize(format=rdflib_fmt, encoding="utf-8")


def write_outputs(ds: Dataset, out_dir: Path, fmt: str) -> Path:
    path = out_dir / FORMATS[fmt][1]
    write_bytes(path, serialize(ds, fmt))
    return path
