"""`coalition-kg load` never leaves the endpoint worse than it found it: an endpoint that fails at
any step (every update from the Nth on refused, or the Nth run but its answer lost) holds either
the old target graph or the new one, and a staging graph left behind is named in the error.
Against a fake endpoint on loopback (in-memory Oxigraph) and against Virtuoso itself."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Literal, URIRef

from conftest import run_cli
from fake_endpoint import FakeEndpoint

TARGET = "https://w3id.org/coalition-kg/id/graph/faults"
BATCH = "10"          # 25 triples: three INSERT batches
OLD = [f"<https://example.org/old/{i}> <https://example.org/p> \"old {i}\" ." for i in range(7)]


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    from coalition_kg.store import OxigraphStore
    ds = Dataset()
    g = ds.graph(URIRef("https://w3id.org/coalition-kg/id/graph/article/a1"))
    for i in range(25):
        g.add((URIRef(f"https://w3id.org/coalition-kg/id/x{i}"), URIRef("https://example.org/p"), Literal(f"new {i}")))
    path = tmp_path_factory.mktemp("loadstore") / "store"
    store = OxigraphStore(path)
    store.replace(ds)
    store.close()
    return path


def _load(store, fake, env=None):
    return run_cli("load", "--store", store, "--endpoint", fake.url, "--graph", TARGET, "--batch-size", BATCH,
                   "--timeout", "5", check=False, env=env, timeout=300)


def _check_every_step(store, fake: FakeEndpoint, env=None):
    fake.run_update(f"DROP SILENT GRAPH <{TARGET}>")
    assert _load(store, fake, env).returncode == 0
    new = fake.triples(TARGET)
    total = fake.updates                       # the updates of one clean load
    assert len(new) == 25 and total >= 5
    old = None
    for mode in ("refuse", "lost"):
        for n in range(1, total + 2):
            for g in fake.graphs(TARGET):
                fake.run_update(f"DROP SILENT GRAPH <{g}>")
            fake.run_update(f"INSERT DATA {{ GRAPH <{TARGET}> {{ {' '.join(OLD)} }} }}")
            old = old or fake.triples(TARGET)
            fake.updates, fake.fail_from, fake.mode = 0, n, mode
            proc = _load(store, fake, env)
            fake.fail_from = None
            now = fake.triples(TARGET)
            case = f"{mode} from update {n}: exit {proc.returncode}, {proc.stderr!r}"
            assert now in (old, new), case                                   # old or new, never a mix or nothing
            assert "Traceback" not in proc.stderr, case
            left = fake.graphs(TARGET) - {TARGET}                            # staging graphs left behind
            if proc.returncode == 0:
                assert now == new and not left, case
            else:
                assert [ln.startswith("coalition-kg: error:") for ln in proc.stderr.splitlines()].count(True) == 1, case
                for g in left:
                    assert g in proc.stderr, case                            # named, never silently left
                if "the last step" in proc.stderr:                          # the MOVE failed: the new
                    assert now == old and fake.triples(next(iter(left))) == new, case   # triples are kept
    return total


def test_load_fails_at_every_step_of_a_fake_endpoint_and_leaves_old_or_new(small_store):
    fake = FakeEndpoint()
    try:
        _check_every_step(small_store, fake)
    finally:
        fake.close()


@pytest.mark.virtuoso
def test_load_fails_at_every_step_of_virtuoso_and_leaves_old_or_new(small_store, virtuoso):
    fake = FakeEndpoint(forward=virtuoso)        # the failures injected in front of the real server
    try:
        _check_every_step(small_store, fake)
    finally:
        fake.close()
