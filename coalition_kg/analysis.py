"""Step 8b: graph analysis — who hosted how often, who hosted with whom, who is central, when.

Plain functions over the networkx graph from :func:`graph.to_networkx`; :func:`analyze`
gathers them into one JSON-ready report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from contextvars import ContextVar
from itertools import combinations

import networkx as nx

from .graph import entity_graph


_LANG = ContextVar("coalition_kg_analysis_lang", default="ar")    # the language of labels (analyze(lang=…))


def _label(G, n) -> str:
    d = G.nodes[n]
    first, second = ("label_en", "label_ar") if _LANG.get() == "en" else ("label_ar", "label_en")
    return d.get(first) or d.get(second) or n


def meetings(G: nx.MultiDiGraph) -> list[str]:
    return [n for n, d in G.nodes(data=True) if d.get("type") == "Meeting"]


def hosts_of(G: nx.MultiDiGraph, meeting: str) -> list[str]:
    return sorted({v for _, v, d in G.out_edges(meeting, data=True) if d.get("predicate") == "has_host"})


def hosted_per_country(G) -> list[dict]:
    c = Counter()
    for m in meetings(G):
        for v in {v for _, v, d in G.out_edges(m, data=True) if d.get("predicate") == "host_country"}:
            c[v] += 1
    return [{"country": n, "iso_code": G.nodes[n].get("iso_code"), "label": _label(G, n), "meetings": k}
            for n, k in sorted(c.items(), key=lambda x: (-x[1], x[0]))]


def hosted_per_person(G) -> list[dict]:
    c = Counter()
    for m in meetings(G):
        for h in hosts_of(G, m):
            if G.nodes[h].get("type") == "Person":
                c[h] += 1
    return [{"person": n, "label": _label(G, n), "meetings": k} for n, k in sorted(c.items(), key=lambda x: (-x[1], x[0]))]


def participation_per_country(G) -> list[dict]:
    """Meetings each country hosted or took part in (as a named participant or through a
    participant who represents it), most first."""
    hosted, took_part = Counter(), Counter()
    for m in meetings(G):
        hosts = {v for _, v, d in G.out_edges(m, data=True) if d.get("predicate") == "host_country"}
        parts = {v for _, v, d in G.out_edges(m, data=True)
                 if d.get("predicate") == "participant" and G.nodes[v].get("type") == "Country"} - hosts
        hosted.update(hosts)
        took_part.update(parts)
    rows = [{"country": n, "iso_code": G.nodes[n].get("iso_code"), "label": _label(G, n), "hosted": hosted[n],
             "took_part": took_part[n], "meetings": hosted[n] + took_part[n]} for n in set(hosted) | set(took_part)]
    return sorted(rows, key=lambda r: (-r["meetings"], -r["hosted"], r["country"]))


def cohosting_network(G) -> nx.Graph:
    H = nx.Graph()
    for m in meetings(G):
        hs = hosts_of(G, m)
        for h in hs:
            H.add_node(h, label=_label(G, h), type=G.nodes[h].get("type"))
        for a, b in combinations(hs, 2):
            w = H.get_edge_data(a, b, {}).get("weight", 0)
            H.add_edge(a, b, weight=w + 1)
    return H


def centrality(G, types=("Country", "Person")) -> list[dict]:
    H = entity_graph(G)
    if H.number_of_nodes() == 0:
        return []
    deg = nx.degree_centrality(H)
    btw = nx.betweenness_centrality(H, normalized=True)
    rows = [{"node": n, "type": H.nodes[n].get("type"), "label": _label(G, n), "degree": round(deg[n], 4),
             "betweenness": round(btw[n], 4)} for n in H if H.nodes[n].get("type") in types]
    return sorted(rows, key=lambda r: (-r["betweenness"], -r["degree"], r["node"]))


def timeline(G) -> list[dict]:
    rows = []
    for m in meetings(G):
        d = G.nodes[m]
        city = next((v for _, v, e in G.out_edges(m, data=True) if e.get("predicate") == "in_city"), None)
        rows.append({"meeting": m, "label": _label(G, m), "date": d.get("date"), "planned": d.get("planned", False),
                     "city": _label(G, city) if city else None,
                     "hosts": [_label(G, h) for h in hosts_of(G, m)]})
    return sorted(rows, key=lambda r: (r["date"] is None, r["date"] or "", r["meeting"]))


def joined(G) -> list[dict]:
    dates = {n: d.get("date") for n, d in G.nodes(data=True) if d.get("type") == "Article"}
    seen = defaultdict(set)
    for u, v, d in G.edges(data=True):
        if d.get("predicate") == "joined":
            for a in (d.get("articles") or "").split(";"):
                if a:
                    seen[u].add(a)
    out = []
    for country, arts in seen.items():
        reported = sorted(x for x in (dates.get(_article_iri(G, a)) for a in arts) if x)
        out.append({"country": country, "iso_code": G.nodes[country].get("iso_code"), "label": _label(G, country),
                    "articles": sorted(arts), "first_reported": reported[0] if reported else None})
    return sorted(out, key=lambda r: (r["first_reported"] or "9999", r["iso_code"] or ""))


def _article_iri(G, article_id: str) -> str | None:
    for n, d in G.nodes(data=True):
        if d.get("type") == "Article" and n.rsplit("/", 1)[-1] == article_id:
            return n
    return None


def analyze(G: nx.MultiDiGraph, lang: str = "ar") -> dict:
    """Every analysis in one JSON-ready report, labels in ``lang`` (the other language where a node has none)."""
    token = _LANG.set(lang)
    try:
        return _analyze(G)
    finally:
        _LANG.reset(token)


def _analyze(G: nx.MultiDiGraph) -> dict:
    co = cohosting_network(G)
    return {
        "meetings": len(meetings(G)),
        "hosted_per_country": hosted_per_country(G),
        "hosted_per_person": hosted_per_person(G),
        "participation_per_country": participation_per_country(G),
        "cohosting": [{"a": _label(G, a), "b": _label(G, b), "a_iri": a, "b_iri": b, "meetings": d["weight"]}
                      for a, b, d in sorted(co.edges(data=True), key=lambda e: (-e[2]["weight"], e[0], e[1]))],
        "centrality": centrality(G),
        "timeline": timeline(G),
        "joined": joined(G),
    }


def print_report(report: dict, console) -> None:
    """The report as tables in the style of ``coalition-kg query`` (a title, a header rule, a row count)."""
    from rich import box
    from rich.table import Table

    def table(title, cols, rows):
        if not rows:
            console.print(f"{title}: none")
            return
        t = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
        for c in cols:
            t.add_column(c.replace("_", " "), overflow="fold")
        for r in rows:
            t.add_row(*[("" if r.get(c) is None else str(r.get(c))) for c in cols])
        console.print(t)
        console.print(f"{len(rows)} rows\n")

    table("Meetings hosted per country", ["iso_code", "label", "meetings"], report["hosted_per_country"])
    table("Meetings hosted per person", ["label", "meetings"], report["hosted_per_person"])
    table("Meetings per country (hosted or took part)", ["iso_code", "label", "hosted", "took_part"],
          report["participation_per_country"])
    table("Co-hosts", ["a", "b", "meetings"], report["cohosting"])
    table("Centrality (countries and persons)", ["type", "label", "degree", "betweenness"], report["centrality"][:20])
    table("Timeline of meetings", ["date", "label", "hosts", "planned"],
          [dict(r, hosts=", ".join(r["hosts"])) for r in report["timeline"]])
    table("Countries that joined the coalition", ["iso_code", "label", "first_reported", "articles"],
          [dict(r, articles=", ".join(r["articles"])) for r in report["joined"]])
