"""Step 8a: RDF → networkx, and GraphML / GEXF export for Gephi, Cytoscape and Neo4j.

The MultiDiGraph has one node per entity (Person, Country, City, Place, Organization, Meeting,
UNResolution, Article) keyed by its IRI, carrying ``type``, ``label_ar``, ``label_en`` and, where
known, ``iso_code``, ``geonames_id`` and ``date``; and one edge per fact, keyed by the predicate,
carrying ``predicate`` (local name), ``articles`` and ``sentences`` (the provenance, as
``;``-separated article ids and ``article#sentence`` references, so that GraphML and GEXF can
hold them).  A person's positions become ``holds_position`` edges straight to the country, with
the role in ``role``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import networkx as nx
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from .atomic import atomic_path
from .rdf import CKG, SCHEMA, union_graph

NODE_TYPES = {CKG.Person: "Person", CKG.Country: "Country", CKG.City: "City", CKG.Place: "Place",
              CKG.Organization: "Organization", CKG.Meeting: "Meeting", CKG.UNResolution: "UNResolution",
              CKG.Article: "Article"}
EDGE_PREDICATES = {CKG.hasHost: "has_host", CKG.hostCountry: "host_country", CKG.inCity: "in_city",
                   CKG.inCountry: "in_country", CKG.joined: "joined", CKG.cites: "cites", CKG.reports: "reports",
                   CKG.countryOf: "country_of", CKG.adoptedBy: "adopted_by", CKG.mentions: "mentions",
                   CKG.participant: "participant"}


def _label(g: Graph, node, lang: str) -> str | None:
    for o in g.objects(node, RDFS.label):
        if isinstance(o, Literal) and o.language == lang:
            return str(o)
    return None


def _article_id(iri) -> str:
    return str(iri).rsplit("/", 1)[-1]


def to_networkx(source: Dataset | Graph) -> nx.MultiDiGraph:
    g = union_graph(source) if isinstance(source, Dataset) else source
    G = nx.MultiDiGraph()
    for cls, typ in NODE_TYPES.items():
        for node in g.subjects(RDF.type, cls):
            key = str(node)
            if key in G and G.nodes[key]["type"] in ("Country", "City"):
                continue  # a Country is also a Place: keep the most specific type
            attrs = {"type": typ, "iri": key}
            for lang in ("ar", "en"):
                lab = _label(g, node, lang)
                if lab:
                    attrs[f"label_{lang}"] = lab
            attrs["label"] = attrs.get("label_ar") or attrs.get("label_en") or key.rsplit("/", 1)[-1]
            for p, name in ((CKG.isoCode, "iso_code"), (CKG.geonamesId, "geonames_id"), (CKG.date, "date"),
                            (DCTERMS.date, "date"), (DCTERMS.issued, "published"), (SCHEMA.url, "url"),
                            (DCTERMS.publisher, "outlet"),
                            (CKG.resolutionNumber, "number"), (CKG.meetingKind, "kind"), (CKG.planned, "planned")):
                v = g.value(node, p)
                if v is not None:
                    attrs[name] = v.toPython() if name in ("geonames_id", "number", "planned") else str(v)
            if typ in ("Country", "City") and key in G:
                G.nodes[key].update(attrs)
            else:
                G.add_node(key, **attrs)
    # provenance of each fact
    prov: dict[tuple, dict[str, set]] = defaultdict(lambda: {"articles": set(), "sentences": set()})
    for ev in g.subjects(RDF.type, CKG.Evidence):
        s, p, o = g.value(ev, RDF.subject), g.value(ev, RDF.predicate), g.value(ev, RDF.object)
        art = g.value(ev, PROV.wasDerivedFrom)
        sent = g.value(ev, CKG.inSentence)
        idx = g.value(sent, CKG.sentenceIndex) if sent is not None else None
        rec = prov[(s, p, o)]
        if art is not None:
            rec["articles"].add(_article_id(art))
            if idx is not None:
                rec["sentences"].add(f"{_article_id(art)}#{idx}")
    for p, name in EDGE_PREDICATES.items():
        for s, o in g.subject_objects(p):
            if str(s) in G and str(o) in G:
                rec = prov.get((s, p, o))
                attrs = {"predicate": name}
                if rec:
                    attrs["articles"] = ";".join(sorted(rec["articles"]))
                    attrs["sentences"] = ";".join(sorted(rec["sentences"]))
                elif name == "mentions":
                    attrs["articles"] = _article_id(s)
                G.add_edge(str(s), str(o), key=name, **attrs)
    # positions: person -> country (or organization), the role on the edge
    for person, pos in g.subject_objects(CKG.holdsPosition):
        role = _label(g, pos, "en") or _label(g, g.value(pos, CKG.roleType), "en") or "role"
        target = g.value(pos, CKG.ofCountry) or g.value(pos, CKG.ofOrganization)
        if target is None or str(person) not in G or str(target) not in G:
            continue
        rec = prov.get((person, CKG.holdsPosition, pos), {"articles": set(), "sentences": set()})
        former = g.value(pos, CKG.former)
        G.add_edge(str(person), str(target), key=f"holds_position:{role}", predicate="holds_position", role=role,
                   former=bool(former.toPython()) if former is not None else False,
                   articles=";".join(sorted(rec["articles"])), sentences=";".join(sorted(rec["sentences"])))
    return G


def sentence_texts(source: Dataset | Graph) -> dict[str, str]:
    """``article#index`` -> sentence text, for showing where facts come from."""
    g = union_graph(source) if isinstance(source, Dataset) else source
    out = {}
    for sent in g.subjects(RDF.type, CKG.Sentence):
        art, idx, text = g.value(sent, CKG.inArticle), g.value(sent, CKG.sentenceIndex), g.value(sent, RDF.value)
        if art is not None and idx is not None and text is not None:
            out[f"{_article_id(art)}#{idx}"] = str(text)
    return out


def for_export(G: nx.MultiDiGraph, lang: str = "ar") -> nx.MultiDiGraph:
    """A copy for GraphML / GEXF: every edge with an id unique in the file (``e0``, ``e1``, …;
    GraphML requires it, and the graph's own keys repeat — ``mentions`` on every mention) and a
    ``label`` (the predicate, with the role for a position); every node with a ``label``."""
    H = nx.MultiDiGraph()
    for n, d in G.nodes(data=True):
        attrs = dict(d)
        attrs["label"] = d.get(f"label_{lang}") or d.get("label_ar") or d.get("label_en") or d.get("label") or str(n)
        H.add_node(n, **attrs)
    for i, (u, v, k, d) in enumerate(G.edges(keys=True, data=True)):
        attrs = dict(d)
        pred = d.get("predicate") or str(k)
        attrs["label"] = f"{pred} ({d['role']})" if d.get("role") else pred
        H.add_edge(u, v, key=f"e{i}", **attrs)
    return H


def write_graphml(G: nx.MultiDiGraph, path: Path, lang: str = "ar") -> None:
    """GraphML that strict readers accept: unique edge ids, labelled nodes and edges."""
    with atomic_path(path) as tmp:
        nx.write_graphml(for_export(G, lang), tmp, encoding="utf-8")


def write_gexf(G: nx.MultiDiGraph, path: Path, lang: str = "ar") -> None:
    H = for_export(G, lang)
    with atomic_path(path) as tmp:
        nx.write_gexf(H, tmp, encoding="utf-8")


def read_graphml(path: Path) -> nx.MultiDiGraph:
    """A GraphML file as written by :func:`write_graphml` (edges keyed by their ids)."""
    return nx.read_graphml(path, force_multigraph=True)


def entity_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Undirected simple graph of the facts between entities (articles and mentions left out)."""
    H = nx.Graph()
    for n, d in G.nodes(data=True):
        if d.get("type") != "Article":
            H.add_node(n, **d)
    for u, v, d in G.edges(data=True):
        if d.get("predicate") in ("mentions", "reports", "cites") or u not in H or v not in H or u == v:
            continue
        w = H.get_edge_data(u, v, {}).get("weight", 0)
        H.add_edge(u, v, weight=w + 1)
    return H


__all__ = ["to_networkx", "write_graphml", "write_gexf", "read_graphml", "entity_graph", "sentence_texts"]
