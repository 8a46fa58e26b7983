"""A real SPARQL server: Virtuoso Open Source on loopback with a temporary database."""

import json

import pytest
from rdflib import Graph, Literal, URIRef

from coalition_kg.query import QueryError, library, resolve_query
from coalition_kg.store import RemoteStore, StoreError

from conftest import run_cli
from test_store import HOSTILE, norm

GRAPH = "https://w3id.org/coalition-kg/id/graph/test"


@pytest.fixture(scope="module")
def loaded(virtuoso, seeds_build, seeds_store, tmp_path_factory):
    """The seeds graph, loaded into Virtuoso through `coalition-kg load`."""
    from coalition_kg.rdf import union_graph
    store_dir = seeds_store.path
    del seeds_store  # the CLI opens the store itself (read-only)
    proc = run_cli("load", "--store", store_dir, "--endpoint", virtuoso["query"], "--update-endpoint",
                   virtuoso["update"], "--graph", GRAPH,
                   env={"COALITION_KG_SPARQL_USER": "dba", "COALITION_KG_SPARQL_PASSWORD": "dba"})
    out = json.loads(proc.stdout)
    assert out["triples"] == len(union_graph(seeds_build.dataset))
    assert "dba" not in proc.stdout + proc.stderr
    return virtuoso


def remote(v, **kw):
    return RemoteStore(v["query"], v["update"], kw.pop("user", "dba"), kw.pop("password", "dba"), **kw)


def test_every_library_query_gives_the_same_rows_as_the_embedded_store(loaded, seeds_store):
    r = remote(loaded)
    for name, q in library().items():
        a, b = seeds_store.query(q.text), r.query(q.text)
        assert a.variables == b.variables, name
        assert norm(a) == norm(b), name


def test_cli_query_against_the_endpoint(loaded):
    proc = run_cli("query", "who_hosted_what", "--endpoint", loaded["query"], "--format", "json")
    data = json.loads(proc.stdout)
    rows = data["results"]["bindings"]
    assert any(b.get("cityName", {}).get("value") == "روما" for b in rows)
    proc = run_cli("query", "who_hosted_what", "--endpoint", loaded["query"], "--format", "csv",
                   "--param", "hostCountry=MA")
    assert "ناصر بوريطة" in proc.stdout and "روما" not in proc.stdout


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_cannot_change_a_query_on_virtuoso(loaded, value):
    r = remote(loaded)
    before = r.count(GRAPH)
    for name in ("persons_roles", "meetings_by_city", "who_hosted_what"):
        q = resolve_query(name)
        key = next((k for k, p in q.params.items() if p.type == "string"), None)
        if key is None:
            # who_hosted_what's hostCountry is a country: a hostile value is refused before any query
            key = next(k for k, p in q.params.items() if p.type == "country")
            with pytest.raises(QueryError, match="not a country"):
                q.bind({key: value})
            continue
        assert r.query(q.text, q.bind({key: value})).rows == [], (name, value)
    assert r.count(GRAPH) == before


def test_wrong_password_is_a_clear_error_without_the_secret(loaded):
    proc = run_cli("load", "--store", "/nonexistent-store", "--endpoint", loaded["query"], check=False)
    assert proc.returncode == 1 and "no store here" in proc.stderr
    r = remote(loaded, password="s3cret-wrong")
    with pytest.raises(StoreError, match="authentication failed") as exc:
        r.update(f"INSERT DATA {{ GRAPH <{GRAPH}/x> {{ <http://a> <http://b> <http://c> }} }}")
    assert "s3cret-wrong" not in str(exc.value)


def test_server_down_is_a_clear_error_after_retries():
    r = RemoteStore("http://127.0.0.1:9/sparql", timeout=2, retries=2)
    with pytest.raises(StoreError, match="failed after 2 tries"):
        r.query("ASK {}")


def test_a_batch_rejected_halfway_leaves_the_target_graph_as_it_was(loaded):
    r = remote(loaded)
    before = r.count(GRAPH)
    g = Graph()
    for i in range(30):
        g.add((URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal(i)))
    calls = {"n": 0}
    real = r.update

    def flaky(text):
        if text.startswith("INSERT DATA"):
            calls["n"] += 1
            if calls["n"] == 2:
                raise StoreError("simulated: batch rejected by the server")
        return real(text)

    r.update = flaky
    with pytest.raises(StoreError, match="batch rejected"):
        r.load(g, GRAPH, batch_size=10)
    assert r.count(GRAPH) == before
    leftovers = r.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), 'staging')) }")
    assert leftovers.rows == []
