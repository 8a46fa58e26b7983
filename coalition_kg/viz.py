"""Step 8c: pictures — who hosted what, a who-hosted-what timeline (PNG, SVG) and an interactive
HTML explorer.

*Who hosted what* is layered: hosts (persons and countries) on the left, meetings in the middle
(each a labelled box: its date, or how many meetings it stands for), cities on the right.  Host
labels sit left of their dots and city labels right of theirs, so arrows never cross a label.
When there are more meetings than fit (``max_rows``), meetings are aggregated — by hosts, city
and year, then by host countries and city, then by host countries — and arrows get thicker with
the number of meetings they stand for; hosts and cities beyond ``max_rows`` are folded into
"other …" rows.

The *timeline* puts meetings on a date axis, one lane per host country (co-hosted meetings are
drawn in each host's lane, joined by a vertical line); undated meetings sit in a panel apart.
City labels are drawn where they fit and skipped where they would overlap (the count per lane
stays in the lane label).

Arabic labels are shaped and ordered by matplotlib itself from 3.11 on (libraqm); with older
matplotlib they are shaped with arabic-reshaper and ordered with python-bidi first.  They are
drawn with a font that has Arabic glyphs (Noto Sans Arabic when installed — Debian
``fonts-noto-core`` — else DejaVu Sans).

The HTML page (``web/explorer.html`` filled with the graph's data) is one self-contained file
(data, script and style inline; no CDN), so it opens offline.  It draws in screen pixels (zoom
and pan move the nodes, never scale strokes or text), hides labels that would overlap, and has
two views: the layered graph and the timeline.  Search a name, click a node to see its facts and
the sentences they came from, filter by type.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import networkx as nx

from .atomic import atomic_path, write_bytes

COLORS = {"Person": "#1f77b4", "Country": "#2ca02c", "City": "#ff7f0e", "Meeting": "#d62728",
          "Organization": "#9467bd", "Place": "#8c564b", "UNResolution": "#e377c2", "Article": "#7f7f7f"}
# lane colours of the timeline (tab20 without its greys)
LANE_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
               "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2",
               "#dbdb8d", "#9edae5"]
ARABIC_FONTS = ("Noto Sans Arabic", "Noto Naskh Arabic", "Amiri", "DejaVu Sans")
WEB = Path(__file__).resolve().parent / "web"


def native_shaping() -> bool:
    """Matplotlib 3.11+ lays text out with libraqm (shaping and bidi) itself."""
    import matplotlib
    major, minor = (int(x) for x in matplotlib.__version__.split(".")[:2])
    return (major, minor) >= (3, 11)


def is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text or "")


def shape(text: str) -> str:
    """Arabic text ready for the renderer: joined letter forms in visual order (arabic-reshaper +
    python-bidi) where matplotlib does no shaping itself, unchanged where it does."""
    if not text or not is_arabic(text) or native_shaping():
        return text or ""
    import arabic_reshaper
    from bidi.algorithm import get_display
    return get_display(arabic_reshaper.reshape(text))


def arabic_font() -> list[str]:
    """A font family list for labels: a font with Arabic glyphs first, DejaVu Sans (Latin,
    digits, punctuation) as the fallback for what it lacks."""
    from matplotlib import font_manager
    names = {f.name for f in font_manager.fontManager.ttflist}
    first = next((f for f in ARABIC_FONTS if f in names), "DejaVu Sans")
    return [first] if first == "DejaVu Sans" else [first, "DejaVu Sans"]


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def node_label(G, n, lang: str = "ar") -> str:
    d = G.nodes[n]
    first, second = ("label_en", "label_ar") if lang == "en" else ("label_ar", "label_en")
    return d.get(first) or d.get(second) or str(n).rsplit("/", 1)[-1]


# ---------------------------------------------------------------------------------------------
# meetings: hosts, host countries, city, date

def _out(G, n, predicate):
    return sorted({v for _, v, d in G.out_edges(n, data=True) if d.get("predicate") == predicate})


def host_countries(G, m) -> list[str]:
    """Countries that hosted meeting ``m``: its host_country facts, else the countries its hosts
    are (country hosts) or represent (a current position)."""
    out = set(_out(G, m, "host_country"))
    if not out:
        for h in _out(G, m, "has_host"):
            if G.nodes[h].get("type") == "Country":
                out.add(h)
            for _, v, d in G.out_edges(h, data=True):
                if d.get("predicate") == "holds_position" and not d.get("former") \
                        and G.nodes[v].get("type") == "Country":
                    out.add(v)
    return sorted(out)


def parse_date(value) -> date | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` → a date (mid-month / mid-year for partial ones)."""
    if not value:
        return None
    parts = str(value)[:10].split("-")
    try:
        y = int(parts[0])
        m = int(parts[1]) if len(parts) > 1 else 7
        d = int(parts[2]) if len(parts) > 2 else (15 if len(parts) > 1 else 1)
        return date(y, m, d)
    except (ValueError, IndexError):
        return None


def meeting_records(G: nx.MultiDiGraph, lang: str = "ar") -> list[dict]:
    """One record per meeting: date, city, hosts, host countries (sorted by date, undated last)."""
    rows = []
    for m, d in G.nodes(data=True):
        if d.get("type") != "Meeting":
            continue
        cities = _out(G, m, "in_city")
        hosts = _out(G, m, "has_host")
        rows.append({"id": m, "date": d.get("date") or "", "when": parse_date(d.get("date")),
                     "planned": bool(d.get("planned")), "kind": d.get("kind", ""),
                     "city": cities[0] if cities else None,
                     "city_label": node_label(G, cities[0], lang) if cities else "",
                     "hosts": hosts, "host_labels": [node_label(G, h, lang) for h in hosts],
                     "countries": host_countries(G, m)})
    return sorted(rows, key=lambda r: (r["when"] is None, r["when"] or date.min, r["id"]))


# ---------------------------------------------------------------------------------------------
# who hosted what (static)

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


def _fold(items: Counter, limit: int, other: str) -> dict[str, str]:
    """Map each item to itself, or — beyond the ``limit - 1`` most frequent — to ``other``."""
    if len(items) <= limit:
        return {k: k for k in items}
    keep = {k for k, _ in sorted(items.items(), key=lambda x: (-x[1], x[0]))[: limit - 1]}
    return {k: (k if k in keep else other) for k in items}


def hosting_groups(G: nx.MultiDiGraph, max_rows: int = 36, lang: str = "ar") -> dict:
    """The rows of the who-hosted-what picture: hosts, meeting groups and cities, each at most
    ``max_rows`` long, with weighted links.  ``level`` says how far meetings were aggregated
    (0: one row per meeting)."""
    recs = meeting_records(G, lang)
    OTHER_H, OTHER_C, NO_CITY = "__other_hosts__", "__other_cities__", None

    def year(r):
        return r["when"].year if r["when"] else None

    levels = [lambda r: r["id"],
              lambda r: (tuple(r["hosts"]), r["city"], year(r)),
              lambda r: (tuple(r["countries"]), r["city"]),
              lambda r: tuple(r["countries"])]
    level, groups = 0, {}
    for level, key in enumerate(levels):
        groups = defaultdict(list)
        for r in recs:
            groups[key(r)].append(r)
        if len(groups) <= max_rows:
            break
    by_country = level >= 2
    # hosts of each meeting (persons/countries, or host countries once meetings are aggregated by them)
    host_of = {r["id"]: (r["countries"] if by_country else r["hosts"]) for r in recs}
    if not by_country and len({h for hs in host_of.values() for h in hs}) > max_rows:
        host_of = {r["id"]: r["countries"] for r in recs}
        by_country = True
    hmap = _fold(Counter(h for hs in host_of.values() for h in hs), max_rows, OTHER_H)
    cmap = _fold(Counter(r["city"] for r in recs if r["city"]), max_rows, OTHER_C)
    gl = list(groups.values())
    if len(gl) > max_rows:               # even by host country: fold the smallest groups together
        gl.sort(key=lambda g: -len(g))
        gl = gl[: max_rows - 1] + [[r for g in gl[max_rows - 1:] for r in g]]
    rows = []
    for members in gl:
        dated = sorted(r["when"] for r in members if r["when"])
        if len(members) == 1:
            r = members[0]
            if r["date"]:
                text = r["date"]
            else:                         # an undated meeting is told apart by its city, else its hosts
                sep = "، " if lang == "ar" else ", "
                where = r["city_label"] or sep.join(_short(h, 16) for h in r["host_labels"][:2])
                text = "undated" + (f" · {_short(where, 26)}" if where else "")
            if r["planned"]:
                text += " (planned)"
        else:
            span = ""
            if dated:
                span = str(dated[0].year) if dated[0].year == dated[-1].year else f"{dated[0].year}–{dated[-1].year}"
            text = f"{len(members)} meetings" + (f" · {span}" if span else "")
            if level >= 2 and all(r["countries"] == members[0]["countries"] for r in members):
                isos = [G.nodes[c].get("iso_code") or "" for c in members[0]["countries"]]
                text = ("+".join(i for i in isos if i)[:11] or "host not named") + " · " + text
        rows.append({"members": [r["id"] for r in members], "label": text,
                     "first": dated[0] if dated else date.max,
                     "hosts": Counter(hmap[h] for r in members for h in host_of[r["id"]]),
                     "cities": Counter(cmap[r["city"]] for r in members if r["city"])})
    seen = Counter(g["label"] for g in rows)
    nth: Counter = Counter()
    for g in rows:                       # labels still alike (two undated meetings in one city): numbered
        if seen[g["label"]] > 1:
            nth[g["label"]] += 1
            g["label"] = f"{g['label']} #{nth[g['label']]}"
    rows.sort(key=lambda g: (g["first"], g["label"]))
    if level >= 2:                       # aggregated: order rows to follow their hosts (fewer crossings)
        hosts0 = sorted({h for g in rows for h in g["hosts"]}, key=str)
        hpos = {h: i for i, h in enumerate(hosts0)}
        for _ in range(3):
            rows.sort(key=lambda g: sum(hpos[h] * w for h, w in g["hosts"].items()) / max(1, sum(g["hosts"].values())))
            gp = {i: i for i in range(len(rows))}
            hosts0 = _barycentre_order(hosts0, lambda h: [i for i, g in enumerate(rows) if h in g["hosts"]], gp)
            hpos = {h: i for i, h in enumerate(hosts0)}

    def label(n):
        if n == OTHER_H:
            return f"other hosts ({sum(1 for k, v in hmap.items() if v == OTHER_H)})"
        if n == OTHER_C:
            return f"other cities ({sum(1 for k, v in cmap.items() if v == OTHER_C)})"
        return node_label(G, n, lang)
    hosts = sorted({h for g in rows for h in g["hosts"]})
    cities = sorted({c for g in rows for c in g["cities"]})
    return {"level": level, "by_country": by_country, "groups": rows, "hosts": hosts, "cities": cities,
            "label": label, "types": {n: G.nodes[n].get("type") if n in G else "Other" for n in hosts + cities},
            "meetings": len(recs)}


def _barycentre_order(items, neighbours, pos_of):
    def key(n):
        ps = [pos_of[m] for m in neighbours(n) if m in pos_of]
        return (sum(ps) / len(ps) if ps else 1e9, str(n))
    return sorted(items, key=key)


def _spread(n: int, rows: int) -> list[float]:
    """``n`` positions spread over 0 … rows-1 (top to bottom, as negative y)."""
    if n == 1:
        return [-(rows - 1) / 2]
    step = (rows - 1) / (n - 1)
    return [-i * step for i in range(n)]


def draw_who_hosted_what(G: nx.MultiDiGraph, max_rows: int = 36, lang: str = "ar"):
    """Figure of who hosted what; returns (figure, info).  ``info`` has the number of drawn rows
    per column, the label and arrow artists (for overlap checks) and the aggregation level."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    P = hosting_groups(G, max_rows, lang)
    groups, hosts, cities = P["groups"], P["hosts"], P["cities"]
    gpos = {i: i for i in range(len(groups))}
    hosts = _barycentre_order(hosts, lambda h: [i for i, g in enumerate(groups) if h in g["hosts"]], gpos)
    cities = _barycentre_order(cities, lambda c: [i for i, g in enumerate(groups) if c in g["cities"]], gpos)
    rows = max(1, len(groups), len(hosts), len(cities))
    height = max(3.5, 0.34 * rows + 1.6)
    fig, ax = plt.subplots(figsize=(14, height), dpi=110)
    font = arabic_font()
    ax.set_xlim(-1.9, 4.6)
    ax.set_ylim(-(rows - 1) - 0.6, 1.0)
    ax.axis("off")
    X_HOST, X_MEET, X_CITY = 0.0, 1.5, 3.0
    yh = dict(zip(hosts, _spread(len(hosts), rows)))
    yg = dict(zip(range(len(groups)), _spread(len(groups), rows)))
    yc = dict(zip(cities, _spread(len(cities), rows)))
    info = {"level": P["level"], "meetings": P["meetings"], "rows": {"hosts": len(hosts), "meetings": len(groups),
            "cities": len(cities)}, "by_type": Counter(), "labels": [], "boxes": [], "arrows": [], "nodes": 0}
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.02)
    # meeting boxes first: the arrows end at their edges
    for i, g in enumerate(groups):
        t = ax.text(X_MEET, yg[i], shape(g["label"]), ha="center", va="center", fontsize=9, zorder=4, fontfamily=font,
                    bbox=dict(boxstyle="round,pad=0.3", fc="#fdecea", ec=COLORS["Meeting"], lw=1))
        info["boxes"].append(t)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inv = ax.transData.inverted().frozen()
    box_x = {}
    for i, t in enumerate(info["boxes"]):
        bb = t.get_bbox_patch().get_window_extent(renderer)
        (x0, _), (x1, _) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
        box_x[i] = (x0, x1)
    info["by_type"]["Meeting"] = P["meetings"]
    wmax = max([1] + [c for g in groups for c in list(g["hosts"].values()) + list(g["cities"].values())])

    def arrow(p, q, w, color):
        lw = 0.9 + 2.6 * math.log1p(w - 1) / math.log1p(max(1, wmax - 1)) if wmax > 1 else 1.1
        a = FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=9, color=color, lw=lw, alpha=0.75,
                            shrinkA=5, shrinkB=2, zorder=2, connectionstyle="arc3,rad=0")
        ax.add_patch(a)
        info["arrows"].append(a)
    for i, g in enumerate(groups):
        for h, w in g["hosts"].items():
            arrow((X_HOST, yh[h]), (box_x[i][0] - 0.01, yg[i]), w, "#8aa9c9")
        for c, w in g["cities"].items():
            arrow((box_x[i][1] + 0.01, yg[i]), (X_CITY, yc[c]), w, "#e8b48a")
    for col, ys, x, ha, dx in ((hosts, yh, X_HOST, "right", -0.07), (cities, yc, X_CITY, "left", 0.07)):
        for n in col:
            typ = P["types"][n]
            color = COLORS.get(typ, "#999999")
            ax.scatter([x], [ys[n]], s=90, c=color, zorder=3, edgecolors="white", linewidths=1)
            info["by_type"][typ] += 1
            info["nodes"] += 1
            t = ax.text(x + dx, ys[n], shape(_short(P["label"](n), 34)), ha=ha, va="center", fontsize=9.5,
                        fontfamily=font, zorder=4)
            info["labels"].append(t)
    top = 0.75
    for x, title in ((X_HOST, "hosts"), (X_MEET, "meetings" + (" (grouped)" if P["level"] else "")),
                     (X_CITY, "cities")):
        ax.text(x, top, title, ha="center", fontsize=11, fontweight="bold")
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], marker="o", ls="", color=COLORS[t], label=t)
               for t in ("Person", "Country", "City") if info["by_type"].get(t)]
    handles.append(Line2D([], [], marker="s", ls="", mfc="#fdecea", mec=COLORS["Meeting"], label="Meeting"))
    ax.legend(handles=handles, loc="upper right", frameon=False, fontsize=9, bbox_to_anchor=(1.0, 1.0))
    title = f"Who hosted what — {P['meetings']} meetings"
    if P["level"]:
        title += " (grouped by " + ["", "hosts, city and year", "host countries and city", "host countries"][P["level"]] + ")"
    ax.set_title(title, fontsize=13)
    info["nodes"] += len(groups)
    return fig, info


# ---------------------------------------------------------------------------------------------
# timeline

def timeline_lanes(G: nx.MultiDiGraph, max_lanes: int = 20, lang: str = "en") -> dict:
    """Meetings with their lanes (host countries; beyond ``max_lanes`` folded into "other")."""
    recs = meeting_records(G, lang)
    UNKNOWN, OTHER = "__unknown__", "__other__"
    count = Counter(c for r in recs for c in r["countries"])
    first = {}
    for r in recs:
        for c in r["countries"]:
            if r["when"] and c not in first:
                first[c] = r["when"]
    fmap = _fold(count, max_lanes - (1 if any(not r["countries"] for r in recs) else 0), OTHER)
    lanes_used = sorted({fmap[c] for c in count}, key=lambda c: (c == OTHER, first.get(c, date.max), c))
    if any(not r["countries"] for r in recs):
        lanes_used.append(UNKNOWN)
    lane_of = {c: i for i, c in enumerate(lanes_used)}
    meetings = []
    for r in recs:
        ls = sorted({lane_of[fmap[c]] for c in r["countries"]}) or [lane_of[UNKNOWN]]
        meetings.append(dict(r, lanes=ls))
    folded = sum(1 for c, v in fmap.items() if v == OTHER)
    lanes = []
    for c in lanes_used:
        n = sum(1 for m in meetings if lane_of[c] in m["lanes"])
        if c == UNKNOWN:
            name = "host not named"
        elif c == OTHER:
            name = f"{folded} other countries"
        else:
            d = G.nodes[c]
            name = node_label(G, c, lang)
            if d.get("iso_code") and lang == "en":
                name = f"{name} ({d['iso_code']})"
        lanes.append({"id": c, "label": name, "meetings": n,
                      "color": "#9a9a9a" if c in (UNKNOWN, OTHER) else LANE_COLORS[lane_of[c] % len(LANE_COLORS)]})
    return {"lanes": lanes, "meetings": meetings}


def _overlaps(bb, placed, pad=4.0) -> bool:
    return any(bb.x0 < p.x1 + pad and p.x0 < bb.x1 + pad and bb.y0 < p.y1 + pad and p.y0 < bb.y1 + pad
               for p in placed)


def draw_timeline(G: nx.MultiDiGraph, max_lanes: int = 20, lang: str = "en"):
    """Meetings on a time axis, one lane per host country; returns (figure, info) with the drawn
    markers, the labels kept and skipped."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    T = timeline_lanes(G, max_lanes, lang)
    lanes, meetings = T["lanes"], T["meetings"]
    dated = [m for m in meetings if m["when"]]
    undated = [m for m in meetings if not m["when"]]
    n_lanes = max(1, len(lanes))
    font = arabic_font()
    fig = plt.figure(figsize=(14, max(3.2, 0.5 * n_lanes + 1.8)), dpi=110)
    widths = [6, 1 + 0.35 * min(len(undated), 6)] if undated else [1]
    gs = fig.add_gridspec(1, len(widths), width_ratios=widths, wspace=0.04)
    ax = fig.add_subplot(gs[0, 0])
    axu = fig.add_subplot(gs[0, 1], sharey=ax) if undated else None
    y = lambda lane: -lane
    size = 70 if len(meetings) <= 30 else (40 if len(meetings) <= 100 else 22)
    info = {"markers": 0, "labels": [], "skipped": 0, "lanes": len(lanes), "meetings": len(meetings),
            "dated": len(dated), "undated": len(undated)}
    for i, lane in enumerate(lanes):
        ax.axhline(y(i), color="#eeeeee", lw=0.8, zorder=0)
        if axu is not None:
            axu.axhline(y(i), color="#eeeeee", lw=0.8, zorder=0)
    for m in dated:
        x = mdates.date2num(m["when"])
        if len(m["lanes"]) > 1:
            ax.plot([x, x], [y(min(m["lanes"])), y(max(m["lanes"]))], color="#bbbbbb", lw=1, zorder=1)
        for li in m["lanes"]:
            ax.scatter([x], [y(li)], s=size, c=lanes[li]["color"], edgecolors="white", linewidths=0.8, zorder=3,
                       marker="o" if not m["planned"] else "D")
            info["markers"] += 1
    if dated:
        lo, hi = min(m["when"] for m in dated), max(m["when"] for m in dated)
        pad = max(45, (hi - lo).days * 0.04)
        ax.set_xlim(mdates.date2num(lo) - pad, mdates.date2num(hi) + pad)
    else:
        ax.set_xlim(0, 1)
        ax.text(0.5, 0.5, "no dated meetings", transform=ax.transAxes, ha="center", color="#777777")
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=12))
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_ylim(-(n_lanes - 1) - 0.6, 0.75)
    ax.set_yticks([y(i) for i in range(len(lanes))])
    ax.set_yticklabels([shape(f"{_short(l['label'], 30)} · {l['meetings']}") for l in lanes], fontfamily=font,
                       fontsize=9.5)
    import matplotlib.transforms as mtransforms
    edge = mtransforms.blended_transform_factory(ax.transAxes, ax.transData)
    ax.scatter([-0.008] * len(lanes), [y(i) for i in range(len(lanes))], s=40, marker="s", transform=edge,
               c=[l["color"] for l in lanes], clip_on=False, zorder=5)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    ax.tick_params(axis="y", length=0, pad=14)
    ax.set_title(f"Coalition meetings by host country — {len(meetings)} meetings"
                 + (f", {len(undated)} undated" if undated else ""), fontsize=13, loc="left")
    if any(m["planned"] for m in meetings):
        from matplotlib.lines import Line2D
        # above the undated panel when there is one: the title's end is then free
        (axu or ax).legend(handles=[Line2D([], [], marker="D", ls="", color="#777777", label="planned"),
                                    Line2D([], [], marker="o", ls="", color="#777777", label="held")],
                           loc="lower right", bbox_to_anchor=(1.0, 1.04 if axu is not None else 1.0), ncol=2,
                           frameon=False, fontsize=8.5, borderaxespad=0.2)
    if axu is not None:
        # one column per undated meeting: a dot in each host country's lane, a line joining them
        # (co-hosts), and the meeting's city (else its hosts) written above its top dot
        sep = "، " if lang == "ar" else ", "
        named = [m for m in undated if any(lanes[li]["id"] != "__unknown__" for li in m["lanes"])]
        labelled = {m["id"] for m in (undated if len(undated) <= 12 else named if len(named) <= 12 else [])}
        for k, m in enumerate(undated):
            ys = [y(li) for li in m["lanes"]]
            if len(ys) > 1:
                axu.plot([k, k], [min(ys), max(ys)], color="#bbbbbb", lw=1, zorder=1)
            for li in m["lanes"]:
                axu.scatter([k], [y(li)], s=size, c=lanes[li]["color"], edgecolors="white", linewidths=0.8,
                            zorder=3, marker="o" if not m["planned"] else "D")
                info["markers"] += 1
            name = m["city_label"] or sep.join(_short(h, 14) for h in m.get("host_labels", [])[:2])
            if name and m["id"] in labelled:
                lift = 0.2 + (0.28 if k % 2 else 0.0)   # neighbours' labels on alternate heights
                t = axu.text(k, max(ys) + lift, shape(_short(name, 20)), ha="center", va="bottom", fontsize=7.5,
                             fontfamily=font, color="#444444", zorder=4)
                info["labels"].append(t)
        axu.set_xlim(-1.0, max(2.2, len(undated)))
        axu.set_title("undated", fontsize=10)
        axu.tick_params(left=False, labelleft=False, bottom=False, labelbottom=False)
        for s in ("top", "right", "bottom"):
            axu.spines[s].set_visible(False)
    fig.subplots_adjust(left=0.2, right=0.98, top=0.88, bottom=0.12)
    # labels: city (and host names where room allows) above each marker, where they fit
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    placed = [t.get_window_extent(renderer) for t in ax.get_yticklabels()]
    axbb = ax.get_window_extent(renderer)
    for m in dated:
        x = mdates.date2num(m["when"])
        li = m["lanes"][0]
        city = m["city_label"]
        persons = [lab for h, lab in zip(m["hosts"], m["host_labels"]) if G.nodes[h].get("type") == "Person"]
        options = []
        if city and persons and len(dated) <= 40:
            options.append(f"{city} · {_short(persons[0], 22)}")
        if city:
            options.append(city)
        elif persons:
            options.append(_short(persons[0], 22))
        done = False
        for text in options:
            for dy, va in ((0.16, "bottom"),):
                t = ax.text(x, y(li) + dy, shape(text), ha="center", va=va, fontsize=8, fontfamily=font, zorder=4,
                            color="#333333")
                bb = t.get_window_extent(renderer)
                if bb.x0 >= axbb.x0 - 2 and bb.x1 <= axbb.x1 + 2 and not _overlaps(bb, placed):
                    placed.append(bb)
                    info["labels"].append(t)
                    done = True
                    break
                t.remove()
            if done:
                break
        if options and not done:
            info["skipped"] += 1
    # markers occupy room too: remember their boxes for the overlap check
    info["axes"] = ax
    return fig, info


def _save_fig(fig, path: Path, fmt: str) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt)


# ---------------------------------------------------------------------------------------------
# interactive HTML

LAYERS = ("persons & others", "hosts", "meetings", "cities & places", "countries", "articles")


def _layer(G, n) -> int:
    d = G.nodes[n]
    typ = d.get("type")
    if typ == "Meeting":
        return 2
    if typ == "Article":
        return 5
    if any(e.get("predicate") == "has_host" for _, _, e in G.in_edges(n, data=True)):
        return 1
    if typ in ("City", "Place"):
        return 3
    if typ == "Country":
        return 4
    return 0


def html_layout(G: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Layered positions: x = layer (persons & others, hosts, meetings, cities, countries,
    articles), y = order in the layer by barycentre of the neighbours (a few sweeps)."""
    layers = defaultdict(list)
    for n in G:
        layers[_layer(G, n)].append(n)
    UG = nx.Graph()
    UG.add_nodes_from(G)
    for u, v, d in G.edges(data=True):
        if d.get("predicate") != "mentions" or G.nodes[u].get("type") == "Article":
            UG.add_edge(u, v)
    recs = {r["id"]: i for i, r in enumerate(meeting_records(G))}
    order = {L: sorted(ns, key=lambda n: (recs.get(n, 0), G.nodes[n].get("type", ""), str(n)))
             for L, ns in layers.items()}
    rank = {}

    def set_ranks():
        for L, ns in order.items():
            k = len(ns)
            for i, n in enumerate(ns):
                rank[n] = (i + 0.5) / k if k else 0.5
    set_ranks()
    sweep = [1, 3, 0, 4, 5]
    for _ in range(4):
        for L in sweep:
            if L not in order:
                continue
            def key(n):
                ps = [rank[m] for m in UG.neighbors(n) if _layer(G, m) != L]
                return (sum(ps) / len(ps) if ps else rank[n], str(n))
            order[L] = sorted(order[L], key=key)
            set_ranks()
    tallest = max((len(v) for v in order.values()), default=1)
    pos = {}
    for L, ns in order.items():
        k = len(ns)
        gap = max(1.0, min(2.5, 0.6 * tallest / max(1, k)))   # short layers spread a little, not over all
        for i, n in enumerate(ns):
            pos[n] = (L * 1.0, (i - (k - 1) / 2) * gap / max(1, tallest - 1) * max(1.0, tallest / 10))
    return pos


def html_data(G: nx.MultiDiGraph, sentences: dict[str, str], lang: str = "ar") -> dict:
    """The explorer's data; node labels in ``lang`` (the other language where a node has none)."""
    pos = html_layout(G)
    nodes = []
    for n, d in G.nodes(data=True):
        x, y = pos[n]
        nodes.append({"id": n, "type": d.get("type"), "label": node_label(G, n, lang) or n,
                      "label_en": d.get("label_en", ""), "iso": d.get("iso_code", ""),
                      "geonames": d.get("geonames_id", ""), "date": d.get("date", ""),
                      "x": round(float(x), 4), "y": round(float(y), 4), "layer": _layer(G, n),
                      "deg": G.degree(n)})
    edges = [{"s": u, "t": v, "p": d.get("predicate"), "role": d.get("role", ""),
              "sentences": [x for x in (d.get("sentences") or "").split(";") if x]}
             for u, v, d in G.edges(data=True)]
    used = {s for e in edges for s in e["sentences"]}
    T = timeline_lanes(G, lang=lang)
    tl = {"lanes": T["lanes"],
          "meetings": [{"id": m["id"], "date": m["date"], "t": m["when"].toordinal() if m["when"] else None,
                        "planned": m["planned"], "lanes": m["lanes"], "city": m["city_label"],
                        "city_en": node_label(G, m["city"], "en") if m["city"] else "",
                        "hosts": [node_label(G, h, lang) for h in m["hosts"]]} for m in T["meetings"]]}
    # where a person can read each article a shown sentence comes from, when its input said
    cited = {s.split("#", 1)[0] for s in used}
    articles = {n.rsplit("/", 1)[-1]: {k: d[k] for k in ("url", "published", "outlet") if d.get(k)}
                for n, d in G.nodes(data=True) if d.get("type") == "Article" and n.rsplit("/", 1)[-1] in cited}
    return {"nodes": nodes, "edges": edges, "sentences": {k: v for k, v in sentences.items() if k in used},
            "colors": COLORS, "layers": list(LAYERS), "timeline": tl,
            "articles": {k: v for k, v in articles.items() if v}}


def write_html(G: nx.MultiDiGraph, sentences: dict[str, str], path: Path, lang: str = "ar") -> Path:
    data = json.dumps(html_data(G, sentences, lang), ensure_ascii=False).replace("</", "<\\/")
    page = (WEB / "explorer.html").read_text(encoding="utf-8").replace("__DATA__", data)
    write_bytes(path, page.encode("utf-8"))
    return path


def write_all(G: nx.MultiDiGraph, out_dir: Path, sentences: dict[str, str] | None = None,
              lang: str | None = None) -> dict[str, Path]:
    """The pictures (PNG and SVG) and the explorer page in ``out_dir``; labels in ``lang`` (default:
    Arabic for who hosted what and the explorer, English for the timeline)."""
    import matplotlib.pyplot as plt
    out_dir = Path(out_dir)
    paths = {"png": out_dir / "who_hosted_what.png", "svg": out_dir / "who_hosted_what.svg",
             "timeline_png": out_dir / "timeline.png", "timeline_svg": out_dir / "timeline.svg",
             "html": out_dir / "graph.html"}
    for draw, png, svg in ((draw_who_hosted_what, "png", "svg"), (draw_timeline, "timeline_png", "timeline_svg")):
        fig, _ = draw(G, lang=lang) if lang else draw(G)
        _save_fig(fig, paths[png], "png")
        _save_fig(fig, paths[svg], "svg")
        plt.close(fig)
    write_html(G, sentences or {}, paths["html"], lang or "ar")
    return paths


__all__ = ["shape", "who_hosted_what", "draw_who_hosted_what", "draw_timeline", "timeline_lanes",
           "hosting_groups", "meeting_records", "write_html", "write_all"]
