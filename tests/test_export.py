"""GraphML and GEXF exports that strict readers accept.

No copy of the GraphML XSD is available offline, so the test checks its rules itself, with lxml,
the way a validating reader does: the namespace, every <key> declared once with a known ``for`` and
``attr.type``, the identity constraints of graphml.xsd (node ids unique in a graph, edge ids unique,
each edge's source and target a node of the graph, each <data key> a declared key for that kind of
element), and every value of the declared type."""

from __future__ import annotations

import networkx as nx
import pytest
from lxml import etree

from coalition_kg.graph import to_networkx, write_graphml

from conftest import run_cli

NS = "http://graphml.graphdrawing.org/xmlns"
Q = "{%s}" % NS
TYPES = {"boolean": lambda v: v in ("true", "false"), "int": int, "long": int, "float": float, "double": float,
         "string": str}


def strict_graphml_errors(path) -> list[str]:
    errors = []
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    if root.tag != Q + "graphml":
        return [f"root is {root.tag}, not graphml in {NS}"]
    keys = {}
    for k in root.findall(Q + "key"):
        kid, kfor, ktype = k.get("id"), k.get("for", "all"), k.get("attr.type", "string")
        if kid in keys:
            errors.append(f"key id {kid} declared twice")
        if kfor not in ("all", "graphml", "graph", "node", "edge", "hyperedge", "port", "endpoint"):
            errors.append(f"key {kid}: for={kfor!r}")
        if ktype not in TYPES:
            errors.append(f"key {kid}: attr.type={ktype!r}")
        keys[kid] = (kfor, ktype)
    graphs = root.findall(Q + "graph")
    if len(graphs) != 1:
        errors.append(f"{len(graphs)} graph elements")
    edge_ids = set()
    for g in graphs:
        if g.get("edgedefault") not in ("directed", "undirected"):
            errors.append(f"graph edgedefault={g.get('edgedefault')!r}")
        nodes = [n.get("id") for n in g.findall(Q + "node")]
        if len(nodes) != len(set(nodes)):
            errors.append("node ids repeat")
        node_set = set(nodes)
        for e in g.findall(Q + "edge"):
            eid = e.get("id")
            if eid is None:
                errors.append("an edge without an id")
            elif eid in edge_ids:
                errors.append(f"edge id {eid!r} repeats")
            edge_ids.add(eid)
            for end in ("source", "target"):
                if e.get(end) not in node_set:
                    errors.append(f"edge {eid}: {end} {e.get(end)!r} is no node of the graph")
        for el in g.iter(Q + "node", Q + "edge"):
            kind = etree.QName(el).localname
            for d in el.findall(Q + "data"):
                k = d.get("key")
                if k not in keys:
                    errors.append(f"{kind} {el.get('id')}: data key {k!r} not declared")
                    continue
                kfor, ktype = keys[k]
                if kfor not in ("all", kind):
                    errors.append(f"{kind} {el.get('id')}: data key {k!r} is declared for {kfor}")
                try:
                    TYPES[ktype](d.text or "")
                except ValueError:
                    errors.append(f"{kind} {el.get('id')}: {k}={d.text!r} is not a {ktype}")
    return errors


@pytest.fixture(scope="module")
def G(seeds_build):
    return to_networkx(seeds_build.dataset)


def test_graphml_passes_a_strict_reader(G, tmp_path):
    path = tmp_path / "g.graphml"
    write_graphml(G, path)
    assert strict_graphml_errors(path) == []
    root = etree.parse(str(path)).getroot()
    edges = root.findall(f"{Q}graph/{Q}edge")
    assert len(edges) == G.number_of_edges() > 150
    assert len({e.get("id") for e in edges}) == len(edges)          # 'mentions' was the id of 129 edges
    # every edge and node has a label Gephi shows
    label_keys = {k.get("id"): k.get("for") for k in root.findall(Q + "key") if k.get("attr.name") == "label"}
    assert set(label_keys.values()) == {"node", "edge"}
    for e in edges:
        labels = [d.text for d in e.findall(Q + "data") if d.get("key") in label_keys]
        assert labels and labels[0], etree.tostring(e)[:200]
    edge_labels = {d.text for e in edges for d in e.findall(Q + "data") if label_keys.get(d.get("key")) == "edge"}
    assert {"has_host", "mentions", "in_city"} <= edge_labels
    assert any(x.startswith("holds_position (") for x in edge_labels)
    # and a second, independent reader agrees
    H = nx.read_graphml(path, force_multigraph=True)
    assert H.number_of_edges() == G.number_of_edges() and H.number_of_nodes() == G.number_of_nodes()


def test_the_strict_check_catches_what_networkx_writes_by_default(G, tmp_path):
    """The check is not vacuous: networkx's own GraphML of this multigraph repeats edge ids."""
    path = tmp_path / "plain.graphml"
    nx.write_graphml(G, path)
    errs = strict_graphml_errors(path)
    assert any("edge id 'mentions' repeats" in e for e in errs)


def test_cli_export_writes_strict_graphml_and_gexf(seeds_store, tmp_path):
    gml, gexf = tmp_path / "g.graphml", tmp_path / "g.gexf"
    run_cli("export", "--store", seeds_store.path, "--graphml", gml, "--gexf", gexf)
    assert strict_graphml_errors(gml) == []
    X = nx.read_gexf(gexf)
    assert X.number_of_edges() > 150 and all(d.get("label") for _, _, d in X.edges(data=True))
