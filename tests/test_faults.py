"""Fault test (issue 13, item 3): SIGKILL a real `coalition-kg build` into an existing store at many
moments; every time the store answers the complete old graph or the complete new one — never a
mix, never 0 rows with success — and `query`, `export` and `analyze` agree."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import networkx as nx
import pytest

from conftest import CLI, ROOT, run_cli
from test_reliability import ARTICLES

ARTICLES_Q = """# title: articles
PREFIX ckg: <https://w3id.org/coalition-kg/ontology#>
SELECT ?a ?h WHERE { ?a a ckg:Article ; ckg:sha256 ?h } ORDER BY ?a
"""
COUNT_Q = "# title: size\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n"


def _cli(*args) -> tuple[int, str, str]:
    """The CLI in this process (the checks are many; the build under test is a real process)."""
    from coalition_kg.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in args])
    return rc, out.getvalue(), err.getvalue()


def state(store: Path, work: Path):
    """What query, export and analyze answer about ``store``, after checking that they agree."""
    rc, out, err = _cli("query", work / "articles.rq", "--store", store, "--format", "json")
    if rc != 0:
        return ("error", err.strip())
    articles = sorted((b["a"]["value"], b["h"]["value"]) for b in json.loads(out)["results"]["bindings"])
    rc, out, err = _cli("query", work / "count.rq", "--store", store, "--format", "json")
    assert rc == 0, err
    size = json.loads(out)["results"]["bindings"][0]["n"]["value"]
    rc, out, err = _cli("query", "who_hosted_what", "--store", store, "--format", "csv")
    assert rc == 0, err
    hosted = sorted(out.splitlines())
    gml = work / "g.graphml"
    rc, out, err = _cli("export", "--store", store, "--graphml", gml)
    assert rc == 0, err
    G = nx.read_graphml(gml)
    exported = sorted(n for n, d in G.nodes(data=True) if d.get("type") == "Article")
    rc, out, err = _cli("analyze", "--store", store, "--json")
    assert rc == 0, err
    report = json.loads(out)
    # the default graph (query) and the article graphs (export, analyze) tell the same story
    assert [a for a, _ in articles] == exported, (articles, exported)
    return ("ok", tuple(articles), size, tuple(hosted), G.number_of_nodes(), G.number_of_edges(),
            json.dumps(report, sort_keys=True))


def _build(inputs: Path, store: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(CLI + ["build", str(inputs), "--out", str(out), "--store", str(store), "-q"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_at(proc: subprocess.Popen, delay: float | None, watch: Path | None = None, after: float = 0.0) -> bool:
    """SIGKILL ``proc`` ``delay`` s after start, or ``after`` s after ``watch``'s new-store directory
    appears; True when it was still running."""
    t0 = time.monotonic()
    if watch is not None:
        while proc.poll() is None and not any(watch.parent.glob(f".{watch.name}.new-*")):
            time.sleep(0.002)
        time.sleep(after)
    else:
        while proc.poll() is None and time.monotonic() - t0 < delay:
            time.sleep(0.005)
    alive = proc.poll() is None
    if alive:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return alive


def test_sigkill_during_build_leaves_old_or_new_never_a_mix(tmp_path):
    old_in, new_in = tmp_path / "old", tmp_path / "new"
    old_in.mkdir()
    new_in.mkdir()
    for name in ("rome", "amman"):
        (old_in / f"{name}.txt").write_text(ARTICLES[name], encoding="utf-8")
    for name in ("marrakesh", "kuwait", "baghdad", "amman"):    # amman: in both, the same article id
        (new_in / f"{name}.txt").write_text(ARTICLES[name], encoding="utf-8")
    (tmp_path / "articles.rq").write_text(ARTICLES_Q, encoding="utf-8")
    (tmp_path / "count.rq").write_text(COUNT_Q, encoding="utf-8")
    out = tmp_path / "out"

    pristine = tmp_path / "pristine"
    t0 = time.monotonic()
    assert _build(old_in, pristine, out).wait() == 0
    duration = time.monotonic() - t0          # about a build's time (loading the model dominates)
    old = state(pristine, tmp_path)
    assert old[0] == "ok" and len(old[1]) == 2

    store = tmp_path / "store"
    got = []
    killed_in_store_phase = 0
    # kills at fractions of a build's time, and at moments after the new store's directory appears
    # (the store phase is a small part of a build: most of it is loading the model and tagging)
    plans = [(f * duration, None) for f in (0.3, 0.7, 0.95)] + [(None, a) for a in (0.0, 0.01, 0.04, 0.1, 0.3)]
    for delay, after in plans:
        for p in [store, *tmp_path.glob(".store.new-*")]:
            if p.exists():
                shutil.rmtree(p)
        shutil.copytree(pristine, store)
        proc = _build(new_in, store, out)
        alive = _kill_at(proc, delay, store if after is not None else None, after or 0.0)
        killed_in_store_phase += alive and after is not None
        got.append(((delay, after), state(store, tmp_path)))

    # a first build killed while writing its store leaves no store, and readers say so
    shutil.rmtree(store)
    proc = _build(new_in, store, out)
    _kill_at(proc, None, store, 0.02)
    first = state(store, tmp_path)
    # the next complete build cleans up what the killed ones left; its graph is "new"
    assert _build(new_in, store, out).wait() == 0
    new = state(store, tmp_path)
    assert new[0] == "ok" and len(new[1]) == 4 and new != old
    assert not list(tmp_path.glob(".store.new-*"))

    seen = {"old": 0, "new": 0}
    for when, st in got:
        assert st in (old, new), (when, st[:3])          # never a mix, never an error
        seen["old" if st == old else "new"] += 1
    print(f"kills: {seen}, {killed_in_store_phase} while writing the store")
    assert seen["old"] and killed_in_store_phase >= 3, (seen, killed_in_store_phase)
    assert first == new or (first[0] == "error" and "no store here" in first[1]), first
