"""Readers and writers of the embedded store agree: a reader that opens the store while builds
replace it (and while a replacing writer is SIGKILLed) never reports damage and always sees one
complete generation, old or new; a second writer is refused as such, never as "damaged"."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_faults import _cli

from conftest import ROOT

ARTICLES_Q = """# title: articles
PREFIX ckg: <https://w3id.org/coalition-kg/ontology#>
SELECT ?a WHERE { GRAPH ?g { ?a a ckg:Article } } ORDER BY ?a
"""

# a writer that replaces the store with generation A or B, alternately, ``rounds`` times; every
# generation is big enough (several thousand quads, many RocksDB files) that a swap takes a while
WRITER = r"""
import sys
from rdflib import Dataset, Literal, URIRef
from coalition_kg.store import OxigraphStore, StoreError
CKG = "https://w3id.org/coalition-kg/ontology#"
def gen(tag, n):
    ds = Dataset()
    for i in range(n):
        g = ds.graph(URIRef(f"https://w3id.org/coalition-kg/id/graph/article/{tag}{i}"))
        a = URIRef(f"https://w3id.org/coalition-kg/id/article/{tag}{i}")
        g.add((a, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(CKG + "Article")))
        for k in range(60):
            g.add((a, URIRef(CKG + f"p{k}"), Literal(f"{tag} {i} {k}")))
    return ds
store, rounds = sys.argv[1], int(sys.argv[2])
gens = [gen("a", 40), gen("b", 25)]
for r in range(rounds):
    while True:
        s = OxigraphStore(store)
        try:
            s.replace(gens[r % 2])
            break
        except StoreError as exc:            # another writer (a test's) has the lock: try again
            assert "another build is writing" in str(exc), exc
        finally:
            s.close()
    print(r, flush=True)
"""


def _generation(store: Path, q: Path):
    rc, out, err = _cli("query", q, "--store", store, "--format", "json")
    if rc != 0:
        return ("error", err.strip())
    arts = [b["a"]["value"].rsplit("/", 1)[-1] for b in json.loads(out)["results"]["bindings"]]
    return ("ok", arts)


def _writer(store: Path, rounds: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(store), str(rounds)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_readers_during_replacing_writers_see_one_whole_generation(tmp_path):
    store, q = tmp_path / "store", tmp_path / "articles.rq"
    q.write_text(ARTICLES_Q, encoding="utf-8")
    assert _writer(store, 1).wait() == 0                 # generation A in place
    gen_a = sorted(f"a{i}" for i in range(40))
    gen_b = sorted(f"b{i}" for i in range(25))
    seen = {"a": 0, "b": 0}
    bad = []

    def look():
        st = _generation(store, q)
        if st[0] == "ok" and sorted(st[1]) in (gen_a, gen_b):
            seen["a" if sorted(st[1]) == gen_a else "b"] += 1
        else:
            bad.append(st)

    # 1. a reader loop while a writer replaces the store 24 times
    w = _writer(store, 24)
    while w.poll() is None:
        look()
    assert w.returncode == 0, w.stderr.read()
    # 2. and while writers are SIGKILLed at moments chosen by what they have done (a round printed)
    for k in range(6):
        w = _writer(store, 4)
        for _ in range(1 + k % 3):
            w.stdout.readline()                         # a round done: the next one is under way
        look()
        os.kill(w.pid, signal.SIGKILL)
        w.wait()
        look()
    look()
    assert not bad, bad[:3]                             # never "damaged", never a mix or an empty store
    assert seen["a"] and seen["b"], seen


def test_a_second_writer_is_refused_as_such_never_as_damaged(tmp_path):
    """What `build --add` does while another build replaces the store: open it read-only (the
    check that refuses a damaged store before any NER), then ask for the writer lock."""
    from coalition_kg.store import OxigraphStore, StoreError
    store = tmp_path / "store"
    assert _writer(store, 1).wait() == 0
    w = _writer(store, 30)
    errors, attempts = [], 0
    try:
        while w.poll() is None:
            attempts += 1
            try:
                OxigraphStore(store, read_only=True).close()
                OxigraphStore(store).write_graphs(lambda: iter([]), add=True)
            except StoreError as exc:
                errors.append(str(exc))
    finally:
        w.kill()
        w.wait()
    assert attempts > 10
    assert all("another build is writing" in e and "damaged" not in e for e in errors), errors[:3]
