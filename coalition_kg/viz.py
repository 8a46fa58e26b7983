"""Step 8c: pictures — who hosted what (PNG, SVG) and an interactive HTML explorer.

The static picture is layered: hosts (persons and countries) on the left, meetings in the middle,
cities on the right, nodes coloured by type.  Arabic labels are shaped and ordered by matplotlib
itself from 3.11 on (libraqm); with older matplotlib they are shaped with arabic-reshaper and
ordered with python-bidi first.  They are drawn with a font that has Arabic glyphs (Noto Sans Arabic when
installed — Debian ``fonts-noto-core`` — else DejaVu Sans).

The HTML page is one self-contained file (data, script and style inline; no CDN), so it opens
offline: search a name, click a node to see its facts and the sentences they came from, filter
by type.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from .atomic import atomic_path, write_bytes

COLORS = {"Person": "#1f77b4", "Country": "#2ca02c", "City": "#ff7f0e", "Meeting": "#d62728",
          "Organization": "#9467bd", "Place": "#8c564b", "UNResolution": "#e377c2", "Article": "#7f7f7f"}
ARABIC_FONTS = ("Noto Sans Arabic", "Noto Naskh Arabic", "Amiri", "DejaVu Sans")


def native_shaping() -> bool:
    """Matplotlib 3.11+ lays text out with libraqm (shaping and bidi) itself."""
    import matplotlib
    major, minor = (int(x) for x in matplotlib.__version__.split(".")[:2])
    return (major, minor) >= (3, 11)


def shape(text: str) -> str:
    """Arabic text ready for the renderer: joined letter forms in visual order (arabic-reshaper +
    python-bidi) where matplotlib does no shaping itself, unchanged where it does."""
    if not text or not any("\u0600" <= ch <= "\u06ff" for ch in text) or native_shaping():
        return text or ""
    import arabic_reshaper
    from bidi.algorithm import get_display
    return get_display(arabic_reshaper.reshape(text))


def arabic_font() -> str:
    from matplotlib import font_manager
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in ARABIC_FONTS if f in names), "DejaVu Sans")


def who_hosted_what(G: nx.MultiDiGraph) -> nx.DiGraph:
    """hosts → meetings → cities."""
    H = nx.DiGraph()
    for m, d in G.nodes(data=True):
        if d.get("type") != "Meeting":
            continue
        H.add_node(m, **d)
        for _, v, e in G.out_edges(m, data=True):
            if e.get("predicate") == "has_host":
                H.add_node(v, **G.nodes[v])
                H.add_edge(v, m, predicate="hosted")
            elif e.get("predicate") == "in_city":
                H.add_node(v, **G.nodes[v])
                H.add_edge(m, v, predicate="in_city")
    return H


def _layers(H: nx.DiGraph) -> dict[str, tuple[float, float]]:
    meetings = sorted((n for n, d in H.nodes(data=True) if d.get("type") == "Meeting"),
                      key=lambda n: (H.nodes[n].get("date") or "9999", n))
    hosts = [n for n in H if H.nodes[n].get("type") != "Meeting" and H.out_degree(n) > 0]
    cities = [n for n in H if H.nodes[n].get("type") != "Meeting" and H.out_degree(n) == 0]
    mpos = {m: i for i, m in enumerate(meetings)}

    def order(nodes, neighbours):
        return sorted(nodes, key=lambda n: (sum(mpos[m] for m in neighbours(n)) / max(1, len(list(neighbours(n)))), n))

    hosts = order(hosts, lambda n: [m for m in H.successors(n) if m in mpos])
    cities = order(cities, lambda n: [m for m in H.predecessors(n) if m in mpos])
    pos = {}
    for x, col in ((0.0, hosts), (1.0, meetings), (2.0, cities)):
        for i, n in enumerate(col):
            pos[n] = (x, -(i - (len(col) - 1) / 2))
    return pos


def draw_who_hosted_what(G: nx.MultiDiGraph):
    """Figure of who hosted what; returns (figure, info) with the number of drawn nodes per type."""
    import matplotlib.pyplot as plt

    H = who_hosted_what(G)
    pos = _layers(H)
    rows = max([1] + [sum(1 for p in pos.values() if p[0] == x) for x in (0.0, 1.0, 2.0)])
    fig, ax = plt.subplots(figsize=(14, max(4, 0.9 * rows + 1.5)), dpi=110)
    font = arabic_font()
    for u, v in H.edges():
        (x1, y1), (x2, y2) = pos[u], pos[v]
        ax.annotate("", xy=(x2, y2), xytext=(x1, y1),
                    arrowprops=dict(arrowstyle="-|>", color="#999999", lw=1.2, shrinkA=9, shrinkB=9))
    info = {"nodes": 0, "by_type": {}, "labels": 0}
    for typ, color in COLORS.items():
        nodes = [n for n in H if H.nodes[n].get("type") == typ]
        if not nodes:
            continue
        xs, ys = zip(*(pos[n] for n in nodes))
        ax.scatter(xs, ys, s=260, c=color, label=typ, zorder=3, edgecolors="white", linewidths=1.5)
        info["by_type"][typ] = len(nodes)
        info["nodes"] += len(nodes)
    for n, (x, y) in pos.items():
        d = H.nodes[n]
        label = d.get("label_ar") or d.get("label_en") or n.rsplit("/", 1)[-1]
        if d.get("type") == "Meeting":
            label = (d.get("label_en") or label)
        ha = "right" if x == 0.0 else ("left" if x == 2.0 else "center")
        dx = -0.06 if x == 0.0 else (0.06 if x == 2.0 else 0)
        dy = 0.28 if x == 1.0 else 0
        ax.text(x + dx, y + dy, shape(label), ha=ha, va="center", fontsize=10, fontfamily=font, zorder=4)
        info["labels"] += 1
    ax.set_xlim(-1.0, 3.0)
    ax.set_ylim(min([p[1] for p in pos.values()] + [0]) - 1, max([p[1] for p in pos.values()] + [0]) + 1)
    ax.axis("off")
    for x, title in ((0.0, "hosts"), (1.0, "meetings"), (2.0, "cities")):
        ax.text(x, ax.get_ylim()[1] - 0.3, title, ha="center", fontsize=12, fontweight="bold")
    ax.legend(loc="lower center", ncol=len(info["by_type"]) or 1, frameon=False, bbox_to_anchor=(0.5, -0.05))
    ax.set_title("Who hosted what", fontsize=14)
    fig.tight_layout()
    return fig, info


def _save_fig(fig, path: Path, fmt: str) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt)


# ---------------------------------------------------------------------------------------------
# interactive HTML

def html_data(G: nx.MultiDiGraph, sentences: dict[str, str]) -> dict:
    UG = nx.Graph()
    for n in G:
        UG.add_node(n)
    for u, v, d in G.edges(data=True):
        if d.get("predicate") != "mentions":
            UG.add_edge(u, v)
    pos = nx.spring_layout(UG, seed=7, k=1.2 / max(1, UG.number_of_nodes()) ** 0.5, iterations=200)
    nodes = []
    for n, d in G.nodes(data=True):
        x, y = pos[n]
        nodes.append({"id": n, "type": d.get("type"), "label": d.get("label_ar") or d.get("label_en") or n,
                      "label_en": d.get("label_en", ""), "iso": d.get("iso_code", ""),
                      "geonames": d.get("geonames_id", ""), "date": d.get("date", ""),
                      "x": round(float(x), 4), "y": round(float(y), 4)})
    edges = [{"s": u, "t": v, "p": d.get("predicate"), "role": d.get("role", ""),
              "sentences": [x for x in (d.get("sentences") or "").split(";") if x]}
             for u, v, d in G.edges(data=True)]
    used = {s for e in edges for s in e["sentences"]}
    return {"nodes": nodes, "edges": edges, "sentences": {k: v for k, v in sentences.items() if k in used},
            "colors": COLORS}


_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>coalition-kg — graph explorer</title>
<style>
body{margin:0;font-family:"Noto Sans Arabic","DejaVu Sans",sans-serif;display:flex;height:100vh}
#side{width:360px;padding:10px;overflow:auto;border-right:1px solid #ccc;box-sizing:border-box}
#main{flex:1;position:relative}
svg{width:100%;height:100%;cursor:grab;background:#fafafa}
.node circle{stroke:#fff;stroke-width:1.5px;cursor:pointer}
.node text{font-size:11px;pointer-events:none}
.node.hit circle{stroke:#000;stroke-width:3px}
.node.sel circle{stroke:#d00;stroke-width:4px}
.edge{stroke:#bbb;stroke-width:1}
.hidden{display:none}
#results div,#facts div{padding:2px 0;cursor:pointer}
.sent{direction:rtl;text-align:right;background:#f3f3f3;margin:4px 0;padding:4px;font-size:13px}
.ar{direction:rtl;unicode-bidi:plaintext}
h3{margin:8px 0 4px}
</style></head>
<body>
<div id="side">
<h2>Who hosted what</h2>
<input id="search" type="search" placeholder="search a name / ابحث عن اسم" style="width:100%">
<div id="results"></div>
<h3>Types</h3><div id="filters"></div>
<h3>Selected</h3><div id="details">Click a node.</div>
</div>
<div id="main"><svg id="graph"></svg></div>
<script id="data" type="application/json">__DATA__</script>
<script>
const DATA = JSON.parse(document.getElementById('data').textContent);
const svg = document.getElementById('graph');
const NS = 'http://www.w3.org/2000/svg';
const byId = {}; DATA.nodes.forEach(n => byId[n.id] = n);
const hidden = new Set(['Article']);
let view = {x: -1.2, y: -1.2, w: 2.4, h: 2.4};
function setView(){ svg.setAttribute('viewBox', `${view.x} ${view.y} ${view.w} ${view.h}`); }
const gEdges = document.createElementNS(NS, 'g'), gNodes = document.createElementNS(NS, 'g');
svg.appendChild(gEdges); svg.appendChild(gNodes);
const edgeEls = DATA.edges.filter(e => e.p !== 'mentions').map(e => {
  const a = byId[e.s], b = byId[e.t], l = document.createElementNS(NS, 'line');
  l.setAttribute('x1', a.x); l.setAttribute('y1', a.y); l.setAttribute('x2', b.x); l.setAttribute('y2', b.y);
  l.setAttribute('class', 'edge'); l.setAttribute('vector-effect', 'non-scaling-stroke'); gEdges.appendChild(l);
  return {e, el: l};
});
const nodeEls = {};
DATA.nodes.forEach(n => {
  const g = document.createElementNS(NS, 'g'); g.setAttribute('class', 'node'); g.dataset.id = n.id;
  g.dataset.type = n.type;
  const c = document.createElementNS(NS, 'circle');
  c.setAttribute('cx', n.x); c.setAttribute('cy', n.y); c.setAttribute('r', 0.018);
  c.setAttribute('fill', DATA.colors[n.type] || '#555');
  const t = document.createElementNS(NS, 'text');
  t.setAttribute('x', n.x + 0.022); t.setAttribute('y', n.y + 0.006); t.setAttribute('font-size', 0.03);
  t.textContent = n.label;
  const title = document.createElementNS(NS, 'title'); title.textContent = n.label + (n.label_en ? ' — ' + n.label_en : '');
  g.appendChild(c); g.appendChild(t); g.appendChild(title); gNodes.appendChild(g);
  g.addEventListener('click', ev => { ev.stopPropagation(); select(n.id); });
  nodeEls[n.id] = g;
});
function applyFilter(){
  for (const [id, g] of Object.entries(nodeEls)) g.classList.toggle('hidden', hidden.has(byId[id].type));
  edgeEls.forEach(({e, el}) => el.classList.toggle('hidden', hidden.has(byId[e.s].type) || hidden.has(byId[e.t].type)));
}
const types = [...new Set(DATA.nodes.map(n => n.type))].sort();
const filters = document.getElementById('filters');
types.forEach(t => {
  const lab = document.createElement('label'); const cb = document.createElement('input');
  cb.type = 'checkbox'; cb.checked = !hidden.has(t); cb.dataset.type = t;
  cb.addEventListener('change', () => { cb.checked ? hidden.delete(t) : hidden.add(t); applyFilter(); });
  const count = DATA.nodes.filter(n => n.type === t).length;
  lab.appendChild(cb); lab.appendChild(document.createTextNode(` ${t} (${count}) `));
  lab.style.color = DATA.colors[t] || '#333'; filters.appendChild(lab); filters.appendChild(document.createElement('br'));
});
function esc(s){ return String(s).replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c])); }
function select(id){
  document.querySelectorAll('.node.sel').forEach(g => g.classList.remove('sel'));
  const n = byId[id]; if (!n) return;
  nodeEls[id].classList.add('sel');
  if (hidden.has(n.type)) { hidden.delete(n.type); document.querySelector(`input[data-type="${n.type}"]`).checked = true; applyFilter(); }
  let h = `<div class="ar"><b>${esc(n.label)}</b></div><div>${esc(n.label_en)} · ${esc(n.type)}`;
  if (n.iso) h += ` · ISO ${esc(n.iso)}`; if (n.geonames) h += ` · GeoNames ${esc(n.geonames)}`;
  if (n.date) h += ` · ${esc(n.date)}`; h += '</div><h3>Facts</h3><div id="facts">';
  const facts = DATA.edges.filter(e => (e.s === id || e.t === id) && e.p !== 'mentions');
  facts.forEach(e => {
    const other = byId[e.s === id ? e.t : e.s];
    const arrow = e.s === id ? '→' : '←';
    h += `<div class="fact" data-other="${esc(other.id)}">${arrow} <i>${esc(e.p)}${e.role ? ' (' + esc(e.role) + ')' : ''}</i> <span class="ar">${esc(other.label)}</span></div>`;
    e.sentences.forEach(s => { if (DATA.sentences[s]) h += `<div class="sent" title="${esc(s)}">${esc(DATA.sentences[s])}</div>`; });
  });
  h += '</div>';
  document.getElementById('details').innerHTML = h;
  document.querySelectorAll('#facts .fact').forEach(d => d.addEventListener('click', () => select(d.dataset.other)));
}
document.getElementById('search').addEventListener('input', ev => {
  const q = ev.target.value.trim().toLowerCase();
  document.querySelectorAll('.node.hit').forEach(g => g.classList.remove('hit'));
  const out = document.getElementById('results'); out.innerHTML = '';
  if (!q) return;
  const hits = DATA.nodes.filter(n => n.label.toLowerCase().includes(q) || (n.label_en || '').toLowerCase().includes(q));
  hits.slice(0, 30).forEach(n => {
    nodeEls[n.id].classList.add('hit');
    const d = document.createElement('div'); d.className = 'result'; d.dataset.id = n.id;
    d.textContent = `${n.label}${n.label_en ? ' — ' + n.label_en : ''} (${n.type})`;
    d.addEventListener('click', () => select(n.id)); out.appendChild(d);
  });
  if (!hits.length) out.textContent = 'no match';
});
let drag = null;
svg.addEventListener('mousedown', ev => { drag = {x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y}; });
window.addEventListener('mouseup', () => drag = null);
window.addEventListener('mousemove', ev => { if (!drag) return; const r = svg.getBoundingClientRect();
  view.x = drag.vx - (ev.clientX - drag.x) * view.w / r.width; view.y = drag.vy - (ev.clientY - drag.y) * view.h / r.height; setView(); });
svg.addEventListener('wheel', ev => { ev.preventDefault(); const f = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
  const r = svg.getBoundingClientRect(); const mx = view.x + (ev.clientX - r.left) / r.width * view.w, my = view.y + (ev.clientY - r.top) / r.height * view.h;
  view.x = mx - (mx - view.x) * f; view.y = my - (my - view.y) * f; view.w *= f; view.h *= f; setView(); }, {passive: false});
setView(); applyFilter();
document.body.dataset.ready = 'true';
</script></body></html>
"""


def write_html(G: nx.MultiDiGraph, sentences: dict[str, str], path: Path) -> Path:
    data = json.dumps(html_data(G, sentences), ensure_ascii=False).replace("</", "<\\/")
    page = _HTML.replace("__DATA__", data)
    write_bytes(path, page.encode("utf-8"))
    return path


def write_all(G: nx.MultiDiGraph, out_dir: Path, sentences: dict[str, str] | None = None) -> dict[str, Path]:
    import matplotlib.pyplot as plt
    out_dir = Path(out_dir)
    fig, _ = draw_who_hosted_what(G)
    paths = {"png": out_dir / "who_hosted_what.png", "svg": out_dir / "who_hosted_what.svg",
             "html": out_dir / "graph.html"}
    _save_fig(fig, paths["png"], "png")
    _save_fig(fig, paths["svg"], "svg")
    plt.close(fig)
    write_html(G, sentences or {}, paths["html"])
    return paths


__all__ = ["shape", "who_hosted_what", "draw_who_hosted_what", "write_html", "write_all"]
