"""The embedded Oxigraph store, rdflib in memory, the query library and safe parameters."""

import pytest
from rdflib import Literal

from coalition_kg.query import QueryError, library, resolve_query, to_term
from coalition_kg.store import MemoryStore, OxigraphStore, StoreError, with_values

from conftest import SEEDS, run_cli

HOSTILE = ['x" } ; DROP ALL ; #', "x' } } ; CLEAR DEFAULT", 'a\\" . ?s ?p ?o . FILTER("1', "}\n} UNION { ?s ?p ?o }",
           '"""', "<http://evil.example/> } ;", "روما\" ) } DELETE WHERE { ?s ?p ?o } #"]


def norm(rows):
    """Rows as comparable, order-free values (numbers by value, lists inside a cell sorted)."""
    def cell(v):
        if v is None:
            return ""
        s = str(v)
        if ", " in s:
            return ", ".join(sorted(s.split(", ")))
        try:
            return repr(float(s)) if s.replace(".", "", 1).lstrip("-").isdigit() else s
        except ValueError:
            return s
    return sorted(tuple(cell(r[v]) for v in rows.variables) for r in rows.rows)


def test_library_is_documented():
    lib = library()
    assert {"who_hosted_what", "meetings_by_city", "meetings_by_country", "persons_roles", "joined_coalition",
            "resolutions", "cohosts", "participants", "most_mentioned", "provenance"} <= set(lib)
    for q in lib.values():
        assert q.title and q.description, q.name
        for p in q.params.values():
            assert f"?{p.name}" in q.text and p.doc, (q.name, p.name)


def test_who_hosted_what_min_confidence_keeps_only_surer_hosts(seeds_store):
    q = resolve_query("who_hosted_what")
    every = seeds_store.query(q.text).rows
    confs = sorted({float(r["confidence"]) for r in every})
    cut = confs[len(confs) // 2] if len(confs) > 1 else confs[0]
    sure = seeds_store.query(q.text, q.bind({"minConfidence": str(cut)})).rows
    assert sure and len(sure) <= len(every)
    assert all(float(r["confidence"]) >= cut for r in sure)
    assert {(str(r["meeting"]), str(r["host"])) for r in sure} == {
        (str(r["meeting"]), str(r["host"])) for r in every if float(r["confidence"]) >= cut}
    assert seeds_store.query(q.text, q.bind({"minConfidence": "1.01"})).rows == []


def test_who_hosted_what_columns_and_rows(seeds_store):
    rows = seeds_store.query(resolve_query("who_hosted_what").text)
    assert rows.variables == ["meeting", "city", "cityName", "cityGeonamesId", "country", "countryCode", "host",
                              "hostName", "hostCountryCode", "date", "status", "confidence"]
    assert all(0 < float(r["confidence"]) <= 1 for r in rows.rows)
    assert {str(r["status"]) for r in rows.rows} <= {"held", "planned", "past"}
    pairs = {(str(r["meeting"]), str(r["host"])) for r in rows.rows}
    assert len(pairs) == len(rows.rows)          # one row per (meeting, host)
    rome = [r for r in rows.rows if r["cityGeonamesId"] is not None and int(r["cityGeonamesId"]) == 3169070]
    assert {str(r["hostCountryCode"]) for r in rome} == {"IT", "US"}
    assert all(str(r["date"]) == "2021-06-28" and str(r["countryCode"]) == "IT" for r in rome)
    marrakesh = [r for r in rows.rows if str(r["cityName"] or "") == "مراكش"]
    assert marrakesh and any(str(r["hostName"]) == "ناصر بوريطة" for r in marrakesh)


def test_every_library_query_gives_the_same_rows_in_oxigraph_and_rdflib(seeds_build, seeds_store):
    mem = MemoryStore(seeds_build.dataset)
    for name, q in library().items():
        a, b = seeds_store.query(q.text), mem.query(q.text)
        assert a.variables == b.variables, name
        assert norm(a) == norm(b), name
        if name not in ("joined_coalition", "participants") or a.rows:
            assert a.rows, f"{name} returned nothing on the seeds"   # (participants: see below)


def test_participants_query_on_an_article_that_names_them(recognizer, tmp_path):
    from coalition_kg.build import run
    art = tmp_path / "amman.txt"
    art.write_text("استضاف وزير الخارجية الأردني أيمن الصفدي يوم 2 أيار/مايو 2024 اجتماعا للتحالف الدولي ضد داعش "
                   "في العاصمة الأردنية عمان، بحضور وزير الخارجية العراقي فؤاد حسين.\n", encoding="utf-8")
    build = run([str(art)], recognizer)
    store = OxigraphStore(tmp_path / "store")
    store.replace(build.dataset)
    q = resolve_query("participants")
    a, b = store.query(q.text), MemoryStore(build.dataset).query(q.text)
    assert norm(a) == norm(b)
    assert {str(r["participantName"]) for r in a.rows} == {"فؤاد حسين", "العراق"}
    assert {str(r["cityName"]) for r in a.rows} == {"عمان"}


def test_parameters_filter(seeds_store):
    q = resolve_query("persons_roles")
    rows = seeds_store.query(q.text, q.bind({"name": "بوريطة"}))
    assert {str(r["personName"]) for r in rows.rows} == {"ناصر بوريطة"}
    q = resolve_query("resolutions")
    assert seeds_store.query(q.text, q.bind({"number": "2254"})).rows
    assert not seeds_store.query(q.text, q.bind({"number": "1"})).rows


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_string_values_cannot_change_a_query(seeds_store, value):
    before = len(seeds_store)
    for name in ("persons_roles", "meetings_by_city", "who_hosted_what", "meetings_by_country"):
        q = resolve_query(name)
        key = next(k for k, p in q.params.items() if p.type in ("string", "country"))
        if q.params[key].type == "country":      # a country parameter takes only a code or a country's name
            with pytest.raises(QueryError, match="is not a country"):
                q.bind({key: value})
            continue
        rows = seeds_store.query(q.text, q.bind({key: value}))
        assert rows.rows == [], (name, value)
    assert len(seeds_store) == before


@pytest.mark.parametrize("value,typ", [("2254 } ; DROP ALL", "integer"), ("http://x> } ; DROP ALL ; <http://y", "iri"),
                                       ("2021-06-28\" } #", "date")])
def test_malformed_typed_values_are_rejected(value, typ):
    with pytest.raises(QueryError):
        to_term(value, typ)


def test_values_block_goes_into_the_where_group():
    text = '# a comment with WHERE { in it\nSELECT ?x WHERE { ?x <http://p> "WHERE {" }'
    out = with_values(text, {"name": Literal('a"b')})
    assert out.index("VALUES") > out.index("SELECT")
    assert 'VALUES (?name) { ("a\\"b") }' in out


def test_store_replaces_an_article_graph_instead_of_duplicating(tmp_path, recognizer):
    from coalition_kg.build import run
    store = OxigraphStore(tmp_path / "s")
    one = run([str(SEEDS / "000_6077af6b98776dc7.txt")], recognizer)
    store.replace(one.dataset)
    n = len(store)
    store.replace(one.dataset)
    assert len(store) == n
    two = run([str(SEEDS / "001_c5b8073897b9a493.txt")], recognizer)
    store.replace(two.dataset, add=True)           # adding keeps the first article
    assert len(store) > n
    assert any(g.endswith("/graph/000_6077af6b98776dc7") for g in store.graphs())
    m = len(store)
    store.replace(two.dataset, add=True)           # adding an article again replaces its graph
    assert len(store) == m
    store.replace(two.dataset)                     # replacing: only the second article is left
    assert not any(g.endswith("/graph/000_6077af6b98776dc7") for g in store.graphs())
    assert any(g.endswith("/graph/001_c5b8073897b9a493") for g in store.graphs())
    assert store.info()["articles"] == 1


def test_cli_build_then_query_with_params(tmp_path):
    store = tmp_path / "store"
    run_cli("build", SEEDS, "--out", tmp_path / "out", "--store", store, "-q")
    proc = run_cli("query", "who_hosted_what", "--store", store, "--format", "csv", "--param", "hostCountry=IT")
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("meeting,city,cityName") and len(lines) == 2 and "لويجي" in lines[1]
    proc = run_cli("query", "who_hosted_what", "--store", store, "--param", "nope=1", check=False)
    assert proc.returncode == 1 and "unknown parameter" in proc.stderr
    proc = run_cli("query", "persons_roles", "--store", tmp_path / "missing", check=False)
    assert proc.returncode == 1 and "no store here" in proc.stderr


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store here"):
        OxigraphStore(tmp_path / "nothing", read_only=True)


@pytest.mark.parametrize("value", HOSTILE + ["a\\b", "line\r\nbreak", 'ends in a quote"', "\\", ""])
def test_article_graph_literals_are_the_terms_rdflib_and_oxigraph_read(value):
    """The article graphs are written as N-Triples text directly (no rdflib terms): every string
    comes back as the same literal from both parsers, written as rdflib writes it."""
    import pyoxigraph as ox
    from rdflib import Graph, URIRef

    from coalition_kg.rdf import _lit
    for lang in (None, "ar"):
        term = _lit(value, lang)
        if "\n" not in value:
            assert term == Literal(value, lang=lang).n3()
        line = f"<http://x.example/s> <http://x.example/p> {term} .\n"
        [(_, _, o)] = Graph().parse(data=line, format="nt")
        assert o == Literal(value, lang=lang)
        [q] = ox.parse(line.encode(), ox.RdfFormat.N_TRIPLES)
        assert q.object.value == value and q.object.language == lang
    assert _lit(12) == Literal(12).n3() and _lit(True) == Literal(True).n3()


def test_seed_graphs_are_written_as_rdflib_would_write_them(seeds_build):
    """Every line of every article graph is the N-Triples rdflib writes for the triple it parses to."""
    from rdflib import Graph

    from coalition_kg.rdf import named_graphs
    n = 0
    for _, lines in named_graphs(seeds_build.resolved):
        for line in lines:
            [(s, p, o)] = Graph().parse(data=line, format="nt")
            assert line == f"{s.n3()} {p.n3()} {o.n3()} .\n"
            n += 1
    assert n > 5000


def test_the_union_file_written_while_loading_holds_each_triple_once(tmp_path, seeds_build):
    """The N-Triples file written from the article graphs' lines as they load: entity
    descriptions repeated in several article graphs are written once, so the file has exactly
    the store's distinct triples, line for line."""
    from coalition_kg.build import graph_source
    store = OxigraphStore(tmp_path / "store")
    store.write_graphs(graph_source(seeds_build.resolved), output=(tmp_path / "g.nt", "nt"))
    lines = (tmp_path / "g.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == store.triples() > 5000
    repeated = sum(len(ls) for _, ls in graph_source(seeds_build.resolved)()) - len(lines)
    assert repeated > 0        # the seeds share countries and persons: there was something to drop
    store.dump(tmp_path / "after.nt", "nt")
    assert set(lines) == set((tmp_path / "after.nt").read_text(encoding="utf-8").splitlines())


def test_a_write_that_fails_midway_keeps_the_old_store_and_file(tmp_path, seeds_build, monkeypatch):
    """The graphs' source fails after the loaders and the union file's writer have started: the
    error is one StoreError line, the store and the output file are the old ones, and nothing
    half-written is left beside them."""
    from coalition_kg.build import graph_source
    store = OxigraphStore(tmp_path / "store")
    out = tmp_path / "g.ttl"
    store.write_graphs(graph_source(seeds_build.resolved), output=(out, "ttl"))
    before, triples = out.read_bytes(), store.triples()
    graphs = list(graph_source(seeds_build.resolved)())

    calls = []
    monkeypatch.setattr("coalition_kg.store.oxigraph.BULK_LINES", 500)   # batches reach the loaders before the failure

    def failing():          # every graph changed (a new store is bulk-loaded); the second pass breaks down
        calls.append(1)
        for k, (iri, lines) in enumerate(graphs):
            if k == 4 and len(calls) > 1:
                raise OSError("the disk went away")
            yield iri, lines + [f"<{iri}> <https://w3id.org/coalition-kg/id/p> \"{k}\" .\n"]
    with pytest.raises(StoreError, match="writing the new store failed .*the disk went away.*old store is unchanged"):
        store.write_graphs(failing, output=(out, "ttl"))
    assert len(calls) == 2
    assert out.read_bytes() == before and store.triples() == triples
    # beside them only the store's lock files (the writer's, and the readers' gate and swap locks)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".store.gate", ".store.lock", ".store.swap",
                                                                 "g.ttl", "store"])


def test_the_output_written_while_the_store_loads_is_the_stores_graph(tmp_path, seeds_build):
    """A new store is bulk-loaded and the union graph's file (ttl) written from it before the
    article graphs have finished loading; it is the graph of the finished store, and an
    incremental write (nothing changed) writes the same file after the store."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from coalition_kg.build import graph_source
    store = OxigraphStore(tmp_path / "store")
    first = store.write_graphs(graph_source(seeds_build.resolved), output=(tmp_path / "during.ttl", "ttl"))
    assert first["written"] and not first["incremental"]
    store.dump(tmp_path / "after.ttl", "ttl")
    again = store.write_graphs(graph_source(seeds_build.resolved), output=(tmp_path / "again.ttl", "ttl"))
    assert not again["written"]
    during = Graph().parse(tmp_path / "during.ttl", format="turtle")
    assert len(during) > 5000 and len(during) == store.triples()
    for other in ("after.ttl", "again.ttl"):
        assert isomorphic(during, Graph().parse(tmp_path / other, format="turtle"))
    assert not list(tmp_path.glob(".during.ttl.*"))         # no temporary file left behind
