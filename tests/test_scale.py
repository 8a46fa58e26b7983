"""Issue 12: the batch machinery — worker processes and Dask give the same graph as one process;
incremental builds reprocess only what changed and leave the store as a fresh build would; a
killed build, run again, does not redo the articles it had finished.  Real model, real stores."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import CLI, ROOT, SEEDS, run_cli
from test_reliability import ARTICLES


def _quads(store_dir) -> set:
    st = ox.Store.read_only(str(store_dir))
    out = {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in st}
    del st
    return out


def _graph(out_dir) -> Graph:
    return Graph().parse(out_dir / "graph.ttl", format="turtle")


def test_worker_processes_and_a_dask_local_cluster_give_the_graph_of_one_process(tmp_path, monkeypatch):
    from coalition_kg import runner
    from coalition_kg.build import build
    from coalition_kg.ner import Recognizer
    pytest.importorskip("distributed")
    monkeypatch.setattr(runner, "CHUNK_ARTICLES", 2)        # the five seeds in three chunks
    # the lexical tagger: a pool of tagger processes (runner._run_pool); the default tagger, a
    # transformer, would take the one shared tagger process instead (tested below)
    pools = []
    run_pool = runner._run_pool

    def counted(*a, **k):
        pools.append(a[2])
        return run_pool(*a, **k)

    def no_shared(*a, **k):
        raise AssertionError("the shared tagger process ran, not the pool")
    monkeypatch.setattr(runner, "_run_pool", counted)
    monkeypatch.setattr(runner, "_run_shared", no_shared)
    spec = runner.TaggerSpec("lexical")
    one = build([str(SEEDS)], spec, tmp_path / "one", workers=1, recognizer=Recognizer("lexical"))
    pool = build([str(SEEDS)], spec, tmp_path / "pool", workers=2)
    assert pools == [2]                                     # two tagger processes
    dask = build([str(SEEDS)], spec, tmp_path / "dask", workers=2, scheduler="local")
    assert one["articles"] == pool["articles"] == dask["articles"] == 5
    assert one["articles_processed"] == 5
    g1 = _graph(tmp_path / "one")
    assert len(g1) > 5000
    assert isomorphic(g1, _graph(tmp_path / "pool"))
    assert isomorphic(g1, _graph(tmp_path / "dask"))      # same triples (the graphs have no blank nodes)


def test_a_transformer_tagger_runs_in_one_process_shared_by_the_workers(tmp_path, monkeypatch):
    # a transformer tagger takes about a gigabyte per process: with two workers the build runs one
    # tagger process (two torch threads) and extracts in the main process, never a pool of taggers
    from coalition_kg import runner
    from coalition_kg.build import build
    from coalition_kg.ner import Recognizer
    monkeypatch.setattr(runner, "CHUNK_ARTICLES", 2)        # the five seeds in three chunks

    def no_pool(*a, **k):
        raise AssertionError("a pool of transformer taggers was started")
    monkeypatch.setattr(runner, "_run_pool", no_pool)
    spec = runner.TaggerSpec("transformer-fast")
    assert spec.is_transformer() and not runner.TaggerSpec("lexical").is_transformer()
    one = build([str(SEEDS)], spec, tmp_path / "one", workers=1, recognizer=Recognizer("transformer-fast"))
    shared = build([str(SEEDS)], spec, tmp_path / "shared", workers=2)
    assert one["articles"] == shared["articles"] == 5 and shared["articles_processed"] == 5
    g1 = _graph(tmp_path / "one")
    assert len(g1) > 5000
    assert isomorphic(g1, _graph(tmp_path / "shared"))


def _write(folder, names, extra=None):
    folder.mkdir(exist_ok=True)
    for p in folder.glob("*.txt"):
        p.unlink()
    for n in names:
        (folder / f"{n}.txt").write_text(ARTICLES[n] + (extra.get(n, "") if extra else ""), encoding="utf-8")


def test_incremental_builds_reprocess_only_changed_articles_and_match_a_fresh_build(tmp_path):
    docs, store, out = tmp_path / "docs", tmp_path / "store", tmp_path / "out"
    env = {"COALITION_KG_FACTS": str(tmp_path / "facts.sqlite")}

    def build(target=store, *more):
        proc = run_cli("build", docs, "--out", out, "--store", target, "--json", "-q", *more, env=env)
        return json.loads(proc.stdout)

    _write(docs, ["rome", "amman", "marrakesh", "kuwait"])
    first = build()
    assert (first["articles_processed"], first["articles_reused"]) == (4, 0)
    # nothing changed: no article processed, the store not rewritten
    mark = (store / "coalition-kg-store.json").read_text()
    again = build()
    assert (again["articles_processed"], again["articles_reused"]) == (0, 4)
    assert again["store_graphs_changed"] == 0 and (store / "coalition-kg-store.json").read_text() == mark
    assert again["triples"] == first["triples"]
    # one article changed, one removed: only the changed one is processed; the store holds what a
    # fresh build of the same files holds, quad for quad (the union default graph included)
    _write(docs, ["rome", "amman", "marrakesh"],
           extra={"amman": "وشارك في الاجتماع وزير الخارجية المغربي ناصر بوريطة.\n"})
    changed = build()
    assert (changed["articles_processed"], changed["articles_reused"]) == (1, 2)
    assert changed["store_articles"] == 3
    fresh = build(tmp_path / "fresh", "--no-cache")
    assert fresh["articles_processed"] == 3
    assert _quads(store) == _quads(tmp_path / "fresh")
    assert not any("kuwait" in q[3] for q in _quads(store))
    # the changed article's new sentence is in its graph
    assert any("graph/amman" in q[3] and "بوريطة" in q[2] for q in _quads(store))


def test_a_killed_build_goes_on_where_it_stopped(tmp_path):
    docs, store, out = tmp_path / "docs", tmp_path / "store", tmp_path / "out"
    facts = tmp_path / "facts.sqlite"
    docs.mkdir()
    for p in sorted((ROOT.parent / "shared" / "dev" / "docs").glob("*.txt"))[:6] + sorted(SEEDS.glob("*.txt")):
        (docs / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    n = len(list(docs.glob("*.txt")))
    env = {"COALITION_KG_FACTS": str(facts), "COALITION_KG_CHUNK_ARTICLES": "1"}
    import os
    proc = subprocess.Popen(CLI + ["build", str(docs), "--out", str(out), "--store", str(store), "-q",
                                   "--workers", "1"], cwd=ROOT, env=dict(os.environ, **env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if facts.exists():
            try:
                with sqlite3.connect(str(facts), timeout=5) as db:
                    stored = db.execute("SELECT COUNT(*) FROM facts").fetchone()[0]
            except sqlite3.Error:
                stored = 0
            if stored >= 3:
                break
        time.sleep(0.2)
    assert proc.poll() is None, "the build finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (store / "coalition-kg-store.json").exists()        # killed before its store was written
    with sqlite3.connect(str(facts)) as db:
        stored = db.execute("SELECT COUNT(*) FROM facts").fetchone()[0]
    assert 3 <= stored < n
    done = json.loads(run_cli("build", docs, "--out", out, "--store", store, "--json", "-q", env=env).stdout)
    assert done["articles_reused"] == stored and done["articles_processed"] == n - stored
    assert done["store_articles"] == n
    ref = json.loads(run_cli("build", docs, "--out", tmp_path / "ref", "--store", tmp_path / "ref-store", "--json",
                             "-q", "--no-cache", env=env).stdout)
    assert _quads(store) == _quads(tmp_path / "ref-store") and ref["triples"] == done["triples"]


def test_node_iris_are_valid_whatever_the_surface_form():
    from coalition_kg.rdf import node_iri
    from coalition_kg.store import check_iri
    assert str(node_iri("org:global-coalition")).endswith("/org/global-coalition")
    assert str(node_iri("country:MA")).endswith("/country/MA")
    for key in ("org:El Telegramma Del Rif", "org:منظمة <x>", "place:a\"b", "org:a{b}|c"):
        iri = str(node_iri(key))
        assert check_iri(iri) == iri and " " not in iri
    assert node_iri("org:El Telegramma Del Rif") != node_iri("org:El Telegramma del Rif")


def test_the_facts_cache_key_follows_the_taggers_weights(tmp_path):
    import argparse
    import shutil

    from coalition_kg.cli import _facts_cache
    from coalition_kg.ner import model_dir_for
    from coalition_kg.runner import TaggerSpec
    model = tmp_path / "model"
    shutil.copytree(model_dir_for("lexical"), model)
    args = argparse.Namespace(no_cache=False)

    def key():
        cache = _facts_cache(args, TaggerSpec(model=str(model)))
        cache.close()
        return cache.version
    before = key()
    assert before == key()
    assert before != _facts_cache(args, TaggerSpec(model="transformer")).version
    pt = model / "ner.pt"
    data = bytearray(pt.read_bytes())
    data[-1] ^= 1                                   # retrained in place: same name, same size
    pt.write_bytes(bytes(data))
    assert key() != before                          # its articles are tagged again


def _build_on_a_terminal(out, *extra) -> str:
    """Run ``coalition-kg build`` on the seeds with stderr on a pseudo-terminal; what it showed."""
    import os
    import pty
    import re
    master, slave = pty.openpty()
    env = dict(os.environ, COLUMNS="120", TERM="xterm")
    proc = subprocess.Popen(CLI + ["build", str(SEEDS), "--no-store", "--out", str(out), "--workers", "1", *extra],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:          # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=600) == 0
    os.close(master)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))


def test_a_long_build_on_a_terminal_shows_its_phases_counts_and_rate(tmp_path):
    import re
    shown = _build_on_a_terminal(tmp_path / "o", "--no-cache")
    assert "loading the tagger, then tagging" in shown and "0/5 articles" in shown, shown[-2000:]
    assert "5/5 articles" in shown and re.search(r"\(\d[\d,]* words\)", shown), shown[-2000:]
    assert re.search(r"\d[\d,]* words/s", shown), shown[-2000:]
    assert "writing the store and the file" in shown, shown[-2000:]
    # -q: nothing on the terminal
    assert "words/s" not in _build_on_a_terminal(tmp_path / "q", "-q")
