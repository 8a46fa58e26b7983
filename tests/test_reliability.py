"""Issue 13 — a hostile user's inputs: no injection, no lost data, one-line errors, never a traceback.

Every case goes through the command line, where a user meets it.  Remote endpoints are a small
HTTP server on loopback that records what it is sent and answers what each test asks for.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from conftest import CLI, ROOT, SEEDS, run_cli

# short, different articles: cheap to tag
ARTICLES = {
    "rome": "استضاف وزير الخارجية الإيطالي لويجي دي مايو في روما يوم 28 حزيران/يونيو 2021 اجتماعا للتحالف "
            "الدولي ضد داعش.\n",
    "amman": "استضاف وزير الخارجية الأردني أيمن الصفدي يوم 2 أيار/مايو 2024 اجتماعا للتحالف الدولي ضد داعش "
             "في العاصمة الأردنية عمان، بحضور وزير الخارجية العراقي فؤاد حسين.\n",
    "marrakesh": "استضاف وزير الخارجية المغربي ناصر بوريطة في مراكش يوم 11 أيار/مايو 2022 اجتماعا وزاريا "
                 "للتحالف الدولي ضد داعش.\n",
    "kuwait": "عقد التحالف الدولي ضد داعش اجتماعا في الكويت برئاسة وزير الخارجية الكويتي.\n",
    "baghdad": "أعلن رئيس الوزراء العراقي في بغداد أن التحالف الدولي ضد داعش سيواصل دعم العراق.\n",
}


def no_traceback(proc):
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert lines and all(x.startswith("coalition-kg: error:") or x.startswith("usage:") or "error:" in x
                         for x in lines), proc.stderr


# ---------------------------------------------------------------------------------------------
# a recording SPARQL endpoint on loopback

class FakeEndpoint:
    def __init__(self):
        self.requests: list[tuple[str, str, str]] = []
        self.answer = (200, "application/sparql-results+json", b'{"head":{"vars":[]},"results":{"bindings":[]}}')
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _go(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
                fake.requests.append((self.command, self.path, body))
                code, ctype, data = fake.answer
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _go

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def endpoint():
    fake = FakeEndpoint()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    """A store built through the CLI from two short articles."""
    d = tmp_path_factory.mktemp("small")
    for name in ("rome", "amman"):
        (d / "in").mkdir(exist_ok=True)
        (d / "in" / f"{name}.txt").write_text(ARTICLES[name], encoding="utf-8")
    run_cli("build", d / "in", "--out", d / "out", "--store", d / "store", "-q")
    return d / "store"


# ---------------------------------------------------------------------------------------------
# 1. SPARQL Update injection through `load --graph`

@pytest.mark.parametrize("graph", ["urn:x> ; DROP ALL ; DROP SILENT GRAPH <urn:y", "urn:a b", "urn:x}", "no-scheme",
                                   "urn:x\\u003E"])
def test_load_refuses_a_graph_name_that_is_not_an_iri(small_store, endpoint, graph):
    proc = run_cli("load", "--store", small_store, "--endpoint", endpoint.url, "--graph", graph, check=False)
    assert proc.returncode == 1 and "not a valid absolute IRI" in proc.stderr, proc.stderr
    no_traceback(proc)
    assert endpoint.requests == []          # nothing was sent


def test_iri_parameters_are_validated(small_store):
    for bad in ("urn:x> } ; DROP ALL #", "http://a b"):
        proc = run_cli("query", "provenance", "--store", small_store, "--param", f"subject={bad}", check=False)
        assert proc.returncode == 1 and "not a valid iri" in proc.stderr.lower(), proc.stderr


# ---------------------------------------------------------------------------------------------
# 2. a string parameter never breaks out of its literal

def test_two_string_parameters_cannot_break_out(small_store, tmp_path):
    rq = tmp_path / "two.rq"
    rq.write_text("# title: two strings\n# param: a string — first\n# param: b string — second\n"
                  "SELECT ?s ?a ?b WHERE { ?s ?p ?a . ?s ?q ?b }\n", encoding="utf-8")
    proc = run_cli("query", rq, "--store", small_store, "--format", "json",
                   "--param", 'a=x\n\\"', "--param", "b=) (UNDEF UNDEF) } #")
    assert json.loads(proc.stdout)["results"]["bindings"] == []
    echo = tmp_path / "echo.rq"
    echo.write_text("# title: echo\n# param: a string — first\n# param: b ar — second\nSELECT ?a ?b WHERE { }\n",
                    encoding="utf-8")
    values = ['x\n\\"', ") (UNDEF UNDEF) } #", '\\u0022 } ; DROP ALL #', "روما\\'\r\t\b\f"]
    for a, b in zip(values, reversed(values)):     # (test_properties.py covers any string)
        proc = run_cli("query", echo, "--store", small_store, "--format", "json", "--param", f"a={a}",
                       "--param", f"b={b}")
        rows = json.loads(proc.stdout)["results"]["bindings"]
        assert rows == [{"a": {"type": "literal", "value": a},
                         "b": {"type": "literal", "value": b, "xml:lang": "ar"}}], (a, b)


# ---------------------------------------------------------------------------------------------
# 4, 5, 8. file names, same names in two folders, duplicates, links, .TXT, UTF-16

@pytest.fixture(scope="module")
def odd_inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("odd")
    a, x, y = d / "a", d / "b" / "x", d / "b" / "y"
    for p in (a, x, y):
        p.mkdir(parents=True)
    (a / "name with spaces.txt").write_text(ARTICLES["rome"], encoding="utf-8")
    (a / "اجتماع عمان <1>.txt").write_text(ARTICLES["amman"], encoding="utf-8")
    (a / "zz copy of rome.txt").write_text(ARTICLES["rome"], encoding="utf-8")        # a true duplicate
    (a / "UPPER.TXT").write_text(ARTICLES["baghdad"], encoding="utf-8")
    (a / "dangling.txt").symlink_to(d / "nowhere.txt")
    (a / "loop.txt").symlink_to(a / "loop.txt")
    (x / "same.txt").write_text(ARTICLES["marrakesh"], encoding="utf-8")
    (y / "same.txt").write_text(ARTICLES["kuwait"], encoding="utf-8")
    out, store = d / "out", d / "store"
    proc = run_cli("build", a, x, y, "--out", out, "--store", store, "-q", "--json", check=False)
    return d, proc, out, store


def test_any_file_name_gives_valid_iris_and_nothing_is_lost(odd_inputs):
    d, proc, out, store = odd_inputs
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["articles"] == 5 and summary["store_articles"] == 5
    g = Graph().parse(out / "graph.ttl", format="turtle")
    sources = {str(o) for o in g.objects(None, URIRef("http://purl.org/dc/terms/source"))}
    assert {"name with spaces.txt", "اجتماع عمان <1>.txt", "UPPER.TXT", "same.txt"} <= sources
    import pyoxigraph as ox
    for s in g.subjects():
        if isinstance(s, URIRef):
            ox.NamedNode(str(s))               # Oxigraph validates IRIs strictly


def test_same_name_in_two_folders_is_two_articles_and_a_duplicate_is_read_once(odd_inputs):
    d, proc, out, store = odd_inputs
    assert proc.stderr.count("same text as") == 1 and "zz copy of rome.txt" in proc.stderr
    q = d / "articles.rq"
    q.write_text("# title: articles\nPREFIX ckg: <https://w3id.org/coalition-kg/ontology#>\n"
                 "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
                 "SELECT ?a (COUNT(DISTINCT ?h) AS ?hashes) (COUNT(DISTINCT ?t) AS ?titles) (SAMPLE(?src) AS ?source) "
                 "WHERE { ?a a ckg:Article ; ckg:sha256 ?h ; dcterms:source ?src ; "
                 "<http://www.w3.org/2000/01/rdf-schema#label> ?t } GROUP BY ?a\n", encoding="utf-8")
    rows = json.loads(run_cli("query", q, "--store", store, "--format", "json").stdout)["results"]["bindings"]
    assert len(rows) == 5
    assert all(r["hashes"]["value"] == "1" and r["titles"]["value"] == "1" for r in rows)
    assert sum(r["source"]["value"] == "same.txt" for r in rows) == 2


def test_links_that_go_nowhere_are_reported_and_txt_in_capitals_is_read(odd_inputs):
    d, proc, out, store = odd_inputs
    assert "dangling.txt: broken symbolic link" in proc.stderr
    assert "loop.txt: symbolic link loop" in proc.stderr


def test_utf16_articles_are_read(tmp_path):
    f = tmp_path / "utf16.txt"
    f.write_bytes(ARTICLES["rome"].encode("utf-16"))           # with a byte-order mark
    proc = run_cli("ner", f, "--json")
    ents = json.loads(proc.stdout)[0]["entities"]
    assert any(e["text"] == "روما" for e in ents)
    g = tmp_path / "nobom.txt"
    g.write_bytes(ARTICLES["rome"].encode("utf-16-le"))
    proc = run_cli("ner", g, "--json", check=False)
    assert "UTF-16" in proc.stderr and "binary" not in proc.stderr


# ---------------------------------------------------------------------------------------------
# 6. `query` runs queries only

@pytest.mark.parametrize("update", ["DROP ALL", "PREFIX x: <urn:x#>\n# a comment\nCLEAR DEFAULT",
                                    "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DELETE WHERE { ?s ?p ?o }"])
def test_query_refuses_updates_everywhere(small_store, endpoint, tmp_path, update):
    rq = tmp_path / "u.rq"
    rq.write_text(update + "\n", encoding="utf-8")
    for where in (["--endpoint", endpoint.url], ["--store", small_store]):
        proc = run_cli("query", rq, *where, check=False)
        assert proc.returncode == 1 and "refused" in proc.stderr and "SPARQL Update" in proc.stderr, proc.stderr
        no_traceback(proc)
    assert endpoint.requests == []


def test_ask_and_construct_files_work(small_store, tmp_path):
    ask = tmp_path / "ask.rq"
    ask.write_text("ASK { ?m a <https://w3id.org/coalition-kg/ontology#Meeting> }\n", encoding="utf-8")
    assert run_cli("query", ask, "--store", small_store).stdout.strip() == "true"
    assert json.loads(run_cli("query", ask, "--store", small_store, "--format", "json").stdout)["boolean"] is True
    c = tmp_path / "c.rq"
    c.write_text("PREFIX ckg: <https://w3id.org/coalition-kg/ontology#>\n"
                 "CONSTRUCT { ?m ckg:hasHost ?h } WHERE { ?m ckg:hasHost ?h }\n", encoding="utf-8")
    out = run_cli("query", c, "--store", small_store).stdout
    g = Graph().parse(data=out, format="turtle")
    assert len(g) >= 2


# ---------------------------------------------------------------------------------------------
# 7. endpoints: http(s) only, credentials never printed

@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/sparql", "127.0.0.1:8890/sparql",
                                 "http:///sparql"])
def test_only_http_endpoints(url):
    proc = run_cli("query", "who_hosted_what", "--endpoint", url, check=False)
    assert proc.returncode == 1 and "only http:// and https://" in proc.stderr, proc.stderr
    assert "root:" not in proc.stdout
    no_traceback(proc)


def test_a_password_in_the_endpoint_url_is_never_printed(endpoint):
    endpoint.answer = (500, "text/plain", b"boom")
    url = endpoint.url.replace("http://", "http://alice:s3cr3t-pw@")
    proc = run_cli("-v", "query", "who_hosted_what", "--endpoint", url, check=False)
    assert proc.returncode == 1
    assert "s3cr3t-pw" not in proc.stdout + proc.stderr and "alice" not in proc.stderr, proc.stderr
    assert "retrying" in proc.stderr and len(endpoint.requests) == 3
    assert all("s3cr3t" not in r[2] for r in endpoint.requests)     # not sent in the body either


# ---------------------------------------------------------------------------------------------
# 8. one-line errors, never tracebacks

@pytest.mark.parametrize("answer", [(200, "text/html", b"<html><body>It works!</body></html>"),
                                    (200, "application/sparql-results+json", b'{"foo": 1}'),
                                    (200, "application/sparql-results+json", b'{"head": {"vars": ["a"]}, "resu'),
                                    (200, "application/json", b'[1, 2]'),
                                    (200, "application/sparql-results+json", b'{"head": {"vars": 3}, "results": {}}')])
def test_an_endpoint_answering_junk_is_one_clear_line(endpoint, answer):
    endpoint.answer = answer
    proc = run_cli("query", "who_hosted_what", "--endpoint", endpoint.url, check=False)
    assert proc.returncode == 1, proc.stderr
    no_traceback(proc)
    assert endpoint.url in proc.stderr


@pytest.mark.parametrize("damage", ["CURRENT", "truncate", "flip", "manifest"])
def test_a_damaged_store_is_one_clear_line(small_store, tmp_path, damage):
    s = tmp_path / "store"
    shutil.copytree(small_store, s)
    sst = sorted(s.glob("*.sst"), key=lambda p: p.stat().st_size)[-1]
    if damage == "CURRENT":
        (s / "CURRENT").write_bytes(b"\x00junk\xff\n")
    elif damage == "truncate":
        data = sst.read_bytes()
        sst.write_bytes(data[: len(data) // 3])
    elif damage == "flip":
        data = bytearray(sst.read_bytes())
        for i in range(100, len(data) - 100, 97):
            data[i] ^= 0xFF
        sst.write_bytes(bytes(data))
    else:
        for m in s.glob("MANIFEST-*"):
            m.write_bytes(b"garbage")
    for cmd in (["query", "who_hosted_what"], ["analyze"], ["export", "--graphml", tmp_path / "g.graphml"]):
        proc = run_cli(*cmd, "--store", s, check=False)
        assert proc.returncode == 1, (damage, cmd, proc.stdout[-300:])
        no_traceback(proc)
        assert str(s) in proc.stderr


def test_outputs_that_cannot_be_written_are_one_clear_line(small_store, tmp_path):
    a_file = tmp_path / "plain-file"
    a_file.write_text("x")
    a_dir = tmp_path / "a-dir"
    a_dir.mkdir()
    for cmd in (["export", "--graphml", a_dir], ["export", "--gexf", a_file / "g.gexf"],
                ["viz", "--out", a_file], ["viz", "--out", a_file / "sub"]):
        proc = run_cli(*cmd, "--store", small_store, check=False)
        assert proc.returncode == 1, (cmd, proc.stderr)
        no_traceback(proc)


def test_build_checks_every_output_before_the_work(tmp_path):
    art = tmp_path / "a.txt"
    art.write_text(ARTICLES["rome"], encoding="utf-8")
    a_file = tmp_path / "plain-file"
    a_file.write_text("x")
    not_a_store = tmp_path / "documents"
    not_a_store.mkdir()
    (not_a_store / "thesis.odt").write_text("precious")
    for store, why in ((a_file, "not a store directory"), (a_file / "s", "cannot create"),
                       (not_a_store, "not a coalition-kg store")):
        out = tmp_path / f"out-{why[:3]}"
        proc = run_cli("build", art, "--out", out, "--store", store, "-q", check=False,
                       env={"COALITION_KG_NER_MODEL": str(tmp_path / "no-model")})   # NER never reached
        assert proc.returncode == 1 and why in proc.stderr, proc.stderr
        no_traceback(proc)
        assert not (out / "graph.ttl").exists()
    assert (not_a_store / "thesis.odt").read_text() == "precious"
    proc = run_cli("build", art, "--out", a_file, "--no-store", "-q", check=False)
    assert proc.returncode == 1 and "plain-file" in proc.stderr
    no_traceback(proc)


@pytest.mark.parametrize("opt", [["--batch-size", "0"], ["--timeout", "0"], ["--batch-size", "-5"],
                                 ["--timeout", "soon"]])
def test_load_options_are_validated(small_store, endpoint, opt):
    proc = run_cli("load", "--store", small_store, "--endpoint", endpoint.url, *opt, check=False)
    assert proc.returncode == 2 and opt[0] in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and endpoint.requests == []


# ---------------------------------------------------------------------------------------------
# 9. pathological input: memory stays flat

def _peak_rss_mb(args) -> float:
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    out = subprocess.run([sys.executable, "-c", code, *CLI, *map(str, args)], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=600)
    return float(out.stdout.strip())


def test_a_huge_line_without_spaces_or_punctuation_costs_no_more_memory(tmp_path):
    small = tmp_path / "small.txt"
    small.write_text(ARTICLES["rome"], encoding="utf-8")
    huge = tmp_path / "huge.txt"
    huge.write_text("داعش" * 50_000 + "\n", encoding="utf-8")          # 200,000 characters, one "word"
    base = _peak_rss_mb(["ner", small, "--json"])
    peak = _peak_rss_mb(["ner", huge, "--json"])
    assert peak < base + 250, (base, peak)      # (before the cap: about +700 MB, growing with the length)


# ---------------------------------------------------------------------------------------------
# issue 14: a build replaces the store's content; --add adds; the summary says what the store holds

def test_build_replaces_the_store_and_add_adds(small_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(small_store, store)                     # rome + amman
    for name in ("kuwait", "baghdad", "rome"):
        (tmp_path / f"{name}.txt").write_text(ARTICLES[name], encoding="utf-8")
    out = tmp_path / "out"
    s = json.loads(run_cli("build", tmp_path / "kuwait.txt", "--out", out, "--store", store, "-q", "--json").stdout)
    assert s["store_mode"] == "replaced" and s["store_articles"] == 1
    proc = run_cli("build", tmp_path / "baghdad.txt", tmp_path / "rome.txt", "--out", out, "--store", store, "-q",
                   "--add", env={"COLUMNS": "200"})
    assert "articles added to it; it now holds 3 articles" in proc.stdout, proc.stdout
    s = json.loads(run_cli("build", tmp_path / "rome.txt", "--out", out, "--store", store, "-q", "--add",
                           "--json").stdout)
    assert s["store_mode"] == "added" and s["store_articles"] == 3     # rome again: replaced, not doubled
    rows = run_cli("query", "who_hosted_what", "--store", store, "--format", "csv").stdout
    assert "روما" in rows or "Rome" in rows
