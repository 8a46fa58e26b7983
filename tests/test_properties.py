"""Property tests (hypothesis): any string stays one literal; offsets map back to the original text
for arbitrary Unicode; any file name gives a valid IRI."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef

from coalition_kg.store import MemoryStore, OxigraphStore, StoreError, check_iri, sparql_literal, with_values
from coalition_kg.text import MAX_SENTENCE_CHARS, MAX_TOKEN_CHARS, normalize, normalize_for_model, split_sentences, tokenize

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# strings with a taste for what breaks quoting: quotes, backslashes, u-escapes, line breaks, braces
NASTY = st.text(alphabet=st.one_of(st.sampled_from(list('"\'\\\n\r\t\b\f{}()<>#;.?uU0123456789abcdefAF $')),
                                   st.characters(blacklist_categories=("Cs",))), max_size=40)
ANY = st.one_of(NASTY, st.text(max_size=60))
LANG = st.sampled_from([None, "ar", "en", "ar-EG"])

ECHO = "SELECT ?a ?b WHERE { }"
PATTERN = "SELECT ?s WHERE { ?s ?p ?a . ?s ?q ?b }"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    store = OxigraphStore(tmp_path_factory.mktemp("prop") / "store")
    g = Graph()
    g.add((URIRef("urn:s"), URIRef("urn:p"), Literal("v")))
    ds = Dataset()
    ds.graph(URIRef("urn:g")).add((URIRef("urn:s"), URIRef("urn:p"), Literal("v")))
    store.replace(ds)
    return store


@pytest.fixture(scope="module")
def rdflib_store():
    ds = Dataset()
    ds.graph(URIRef("urn:g")).add((URIRef("urn:s"), URIRef("urn:p"), Literal("v")))
    return MemoryStore(ds)


def _check_echo(store, a, b, lang):
    la, lb = Literal(a), Literal(b, lang=lang)
    rows = store.query(ECHO, {"a": la, "b": lb}).rows
    assert len(rows) == 1
    assert str(rows[0]["a"]) == a and rows[0]["a"].language is None
    assert str(rows[0]["b"]) == b and (rows[0]["b"].language or "").lower() == (lang or "").lower()
    # two values side by side never turn into SPARQL: no row matches unless a value is "v"
    found = store.query(PATTERN, {"a": la, "b": lb}).rows
    assert (len(found) == 1) == (a == "v" and b == "v" and lang is None), (a, b, lang)


@SETTINGS
@given(a=ANY, b=ANY, lang=LANG)
def test_any_string_is_one_literal_on_oxigraph(oxigraph, a, b, lang):
    _check_echo(oxigraph, a, b, lang)


@SETTINGS
@given(a=ANY, b=ANY, lang=LANG)
def test_any_string_is_one_literal_on_rdflib(rdflib_store, a, b, lang):
    _check_echo(rdflib_store, a, b, lang)


VIRTUOSO_TEXT = st.text(alphabet=list('"\'\\\n\r\t{}()<>#;.?uU0123456789abcdefAF $') + list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي"),
                        max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=VIRTUOSO_TEXT, b=VIRTUOSO_TEXT)
@pytest.mark.virtuoso
def test_any_string_is_one_literal_on_virtuoso(virtuoso, a, b):
    from coalition_kg.store import RemoteStore
    r = RemoteStore(virtuoso["query"])
    rows = r.query(ECHO, {"a": Literal(a), "b": Literal(b, lang="ar")}).rows
    assert len(rows) == 1 and str(rows[0]["a"]) == a and str(rows[0]["b"]) == b


@settings(max_examples=300, deadline=None)
@given(ANY)
def test_a_literal_is_written_without_raw_quotes_or_line_breaks(value):
    text = sparql_literal(Literal(value))
    body = text[1:-1]
    assert text[0] == text[-1] == '"' and "\n" not in body and "\r" not in body
    # every quote inside is escaped: an odd run of backslashes before it
    for m in re.finditer('"', body):
        run = len(body[:m.start()]) - len(body[:m.start()].rstrip("\\"))
        assert run % 2 == 1
    # no backslash-u sequence an engine could expand before parsing, except our own escapes
    rest = body.replace("\\U00000075", "").replace("\\U00000055", "").replace("\\\\", "")
    assert "\\u" not in rest and "\\U" not in rest


# ---------------------------------------------------------------------------------------------
# offsets for arbitrary Unicode

TEXT = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)),
                                  st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي ًٌٍَُِّْـ.؟!،\n\u200c\u200f"))),
               max_size=400)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_tokens_and_sentences_map_back_to_the_original_text(text):
    sentences = split_sentences(text)
    last = 0
    for i, s in enumerate(sentences):
        assert s.index == i and 0 <= s.start < s.end <= len(text)
        assert s.tokens and s.tokens[0].start == s.start and s.tokens[-1].end == s.end
        assert len(s.tokens) <= 120 and s.end - s.start <= MAX_SENTENCE_CHARS
        for t in s.tokens:
            assert text[t.start:t.end] == t.text and t.start >= last
            assert 0 < len(t.text) <= MAX_TOKEN_CHARS
            assert normalize_for_model(t.text)            # the model never gets an empty token
            last = t.end
    covered = {i for s in sentences for t in s.tokens for i in range(t.start, t.end)}
    assert all(ch.isspace() or ch in "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067"
               "\u2068\u2069\ufeff" for i, ch in enumerate(text) if i not in covered)
    assert [t.text for t in tokenize(text)] == [t.text for s in sentences for t in s.tokens]
    normalize(text)                                        # never raises


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=20_000), st.sampled_from(["داعش", "و", "ab", "٣"]))
def test_long_runs_are_cut_into_bounded_pieces(n, unit):
    text = unit * n
    sentences = split_sentences(text)
    assert "".join(t.text for s in sentences for t in s.tokens) == text
    assert all(len(s.tokens) <= 120 and s.end - s.start <= MAX_SENTENCE_CHARS for s in sentences)


# ---------------------------------------------------------------------------------------------
# any file name gives a valid IRI

NAMES = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1,
                max_size=60)


@settings(max_examples=400, deadline=None)
@given(NAMES, NAMES)
def test_any_file_name_gives_a_valid_unique_iri(a, b):
    import pyoxigraph as ox
    from pathlib import Path

    from coalition_kg.rdf import ID, graph_iri
    from coalition_kg.reader import article_id
    ia = article_id(Path(a + ".txt").stem)
    ib = article_id(Path(b + ".txt").stem)
    assert (ia == ib) == (Path(a + ".txt").stem == Path(b + ".txt").stem)
    for iri in (graph_iri(ia), ID[f"article/{ia}"], ID[f"article/{ia}/sentence/3"]):
        check_iri(str(iri))
        ox.NamedNode(str(iri))                               # Oxigraph's strict RFC 3987 parser
        assert "/./" not in str(iri) + "/" and "/../" not in str(iri) + "/"
    g = Graph()
    g.add((ID[f"article/{ia}"], URIRef("urn:p"), Literal(a)))
    back = Graph().parse(data=g.serialize(format="turtle"), format="turtle")
    assert set(back) == set(g)


def test_with_values_refuses_bad_names_and_iris():
    with pytest.raises(StoreError):
        with_values(ECHO, {"a b": Literal("x")})
    for bad in ("urn:x> } DROP ALL {", "http://a b", "no-scheme", "urn:\u0085"):
        with pytest.raises(StoreError):
            with_values(ECHO, {"a": URIRef(bad)})
