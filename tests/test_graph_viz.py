"""networkx export (GraphML/GEXF round trip), analysis, pictures, and the HTML page in real Chromium."""

import shutil

import networkx as nx
import pytest

from coalition_kg.analysis import analyze
from coalition_kg.graph import read_graphml, sentence_texts, to_networkx, write_gexf, write_graphml
from coalition_kg.viz import draw_timeline, draw_who_hosted_what, timeline_lanes, who_hosted_what, write_all

from conftest import ROOT, SEEDS, require, run_cli


@pytest.fixture(scope="module")
def G(seeds_build):
    return to_networkx(seeds_build.dataset)


def test_nodes_and_edges_carry_types_labels_ids_and_provenance(G):
    types = {d["type"] for _, d in G.nodes(data=True)}
    assert {"Person", "Country", "City", "Meeting", "Article", "Organization", "UNResolution"} <= types
    rome = G.nodes["https://w3id.org/coalition-kg/id/city/3169070"]
    assert rome["geonames_id"] == 3169070 and rome["label_en"] == "Rome" and rome["label_ar"] == "روما"
    assert G.nodes["https://w3id.org/coalition-kg/id/country/MA"]["iso_code"] == "MA"
    hosts = [(u, v, d) for u, v, d in G.edges(data=True) if d["predicate"] == "has_host"]
    assert hosts and all(d["articles"] and d["sentences"] for _, _, d in hosts)
    roles = [d for _, _, d in G.edges(data=True) if d["predicate"] == "holds_position"]
    assert any(d["role"] == "foreign minister" for d in roles)


def test_graphml_round_trip_gives_the_same_graph(G, tmp_path):
    path = tmp_path / "g.graphml"
    write_graphml(G, path)
    H = read_graphml(path)
    assert set(H.nodes) == set(G.nodes)
    for n, d in G.nodes(data=True):
        assert H.nodes[n] == d, n
    key = lambda g: sorted((u, v, d["predicate"], d.get("articles", ""), d.get("role", "")) for u, v, d in g.edges(data=True))
    assert key(H) == key(G)
    write_gexf(G, tmp_path / "g.gexf")
    X = nx.read_gexf(tmp_path / "g.gexf")
    assert X.number_of_nodes() == G.number_of_nodes()


def test_analysis(G):
    r = analyze(G)
    per_country = {x["iso_code"]: x["meetings"] for x in r["hosted_per_country"]}
    assert per_country.get("US", 0) >= 3 and per_country.get("IT") == 1
    pairs = [{c["a"], c["b"]} for c in r["cohosting"]]
    assert any("لويجي دي مايو" in p and any("بلينكن" in x or "بلكين" in x for x in p) for p in pairs), pairs
    dates = [t["date"] for t in r["timeline"] if t["date"]]
    assert dates == sorted(dates) and "2021-06-28" in dates
    assert {"BJ", "CF", "CD", "MR", "YE"} <= {j["iso_code"] for j in r["joined"]}
    assert all(0 <= c["betweenness"] <= 1 for c in r["centrality"])
    per = {x["iso_code"]: x for x in r["participation_per_country"]}
    assert per["IT"]["hosted"] == 1 and per["US"]["hosted"] >= 3


def test_participation_per_country_counts_participants_apart_from_hosts(recognizer, tmp_path):
    from coalition_kg.build import run
    art = tmp_path / "a.txt"
    art.write_text("استضاف وزير الخارجية الأردني أيمن الصفدي يوم 2 أيار/مايو 2024 اجتماعا للتحالف الدولي ضد داعش "
                   "في العاصمة الأردنية عمان، بحضور وزير الخارجية العراقي فؤاد حسين.\n", encoding="utf-8")
    r = analyze(to_networkx(run([str(art)], recognizer).dataset))
    per = {x["iso_code"]: (x["hosted"], x["took_part"]) for x in r["participation_per_country"]}
    assert per == {"JO": (1, 0), "IQ": (0, 1)}


def many_meetings(G, n, seed=3):
    """A copy of the seeds graph with ``n`` more meetings, hosted by its persons and countries in its
    cities on random dates (some partial, some missing): the pictures must stay readable at this size."""
    import random
    rnd = random.Random(seed)
    H = G.copy()
    persons = sorted(v for v, d in G.nodes(data=True) if d["type"] == "Person")
    countries = sorted(v for v, d in G.nodes(data=True) if d["type"] == "Country")
    cities = sorted(v for v, d in G.nodes(data=True) if d["type"] == "City")
    for i in range(n):
        m = f"https://w3id.org/coalition-kg/id/meeting/synthetic-{i}"
        y, mo, da = rnd.randint(2014, 2024), rnd.randint(1, 12), rnd.randint(1, 28)
        when = rnd.choice([f"{y}-{mo:02d}-{da:02d}"] * 6 + [f"{y}-{mo:02d}", f"{y}", ""])
        H.add_node(m, type="Meeting", label_ar=f"اجتماع {i}", label_en=f"Meeting {i}", planned=False,
                   **({"date": when} if when else {}))
        hosts = rnd.sample(persons, rnd.choice([1, 1, 2])) if rnd.random() < 0.6 else rnd.sample(countries, 1)
        for h in hosts:
            H.add_edge(m, h, key="has_host", predicate="has_host", sentences="", articles="")
        for c in rnd.sample(countries[:12], 1) + (rnd.sample(countries, 1) if len(hosts) > 1 else []):
            H.add_edge(m, c, key="host_country", predicate="host_country", sentences="", articles="")
        if rnd.random() < 0.85:
            H.add_edge(m, rnd.choice(cities), key="in_city", predicate="in_city", sentences="", articles="")
    return H


def _extents(fig, artists):
    r = fig.canvas.get_renderer()
    return [a.get_window_extent(r) for a in artists]


def _overlap_pairs(boxes, pad=0.0):
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
            if boxes[i].x0 < boxes[j].x1 - pad and boxes[j].x0 < boxes[i].x1 - pad
            and boxes[i].y0 < boxes[j].y1 - pad and boxes[j].y0 < boxes[i].y1 - pad]


def _arrows_through_labels(fig, info):
    """Points along the drawn arrows that fall inside a host or city label (the meeting boxes are
    where arrows end, so they are not obstacles)."""
    import numpy as np
    boxes = _extents(fig, info["labels"])
    hits = 0
    for a in info["arrows"]:
        path = a.get_path().transformed(a.get_transform())
        verts = path.interpolated(40).vertices
        for b in boxes:
            inside = (verts[:, 0] > b.x0 + 1) & (verts[:, 0] < b.x1 - 1) & (verts[:, 1] > b.y0 + 1) & (verts[:, 1] < b.y1 - 1)
            hits += int(np.count_nonzero(inside))
    return hits


def _ink(path):
    import numpy as np
    from PIL import Image
    a = np.asarray(Image.open(path).convert("L"))
    return int((a < 200).sum()), a.shape


def test_who_hosted_what_labels_every_meeting_of_the_seeds(G, tmp_path):
    H = who_hosted_what(G)
    fig, info = draw_who_hosted_what(G)
    fig.canvas.draw()
    meetings = sum(1 for _, d in H.nodes(data=True) if d["type"] == "Meeting")
    assert info["level"] == 0 and info["rows"]["meetings"] == meetings == len(info["boxes"]) >= 5
    assert {b.get_text() for b in info["boxes"]} >= {"2021-06-28", "2019-06-25"}     # dates, not "Meeting"
    assert info["rows"]["hosts"] + info["rows"]["cities"] == H.number_of_nodes() - meetings
    assert not _overlap_pairs(_extents(fig, info["labels"] + info["boxes"]))
    assert _arrows_through_labels(fig, info) == 0
    assert len(info["arrows"]) == H.number_of_edges()
    paths = write_all(G, tmp_path)
    ink, _ = _ink(paths["png"])
    assert ink > 5000
    assert paths["svg"].read_text().count("<svg") == 1 and paths["timeline_svg"].read_text().count("<svg") == 1


@pytest.mark.parametrize("extra", [45, 200])
def test_who_hosted_what_stays_readable_with_many_meetings(G, extra, tmp_path):
    import matplotlib.pyplot as plt
    big = many_meetings(G, extra)
    fig, info = draw_who_hosted_what(big)
    fig.canvas.draw()
    assert info["meetings"] == extra + 7
    assert info["level"] >= 1                                     # aggregated …
    assert max(info["rows"].values()) <= 36                       # … into at most 36 rows a column
    assert fig.get_size_inches()[1] <= 14.5
    assert all(b.get_text() for b in info["boxes"])               # every row is labelled
    boxes = _extents(fig, info["labels"] + info["boxes"])
    assert not _overlap_pairs(boxes)
    assert _arrows_through_labels(fig, info) == 0
    heights = [b.height for b in _extents(fig, info["labels"])]
    assert min(heights) >= 10                                     # labels at a readable size (px at 110 dpi)
    fig.savefig(tmp_path / "w.png")
    plt.close(fig)


def test_timeline_of_the_seeds(G, tmp_path):
    import matplotlib.pyplot as plt
    fig, info = draw_timeline(G)
    fig.canvas.draw()
    T = timeline_lanes(G)
    assert info["meetings"] == sum(1 for _, d in G.nodes(data=True) if d["type"] == "Meeting")
    assert info["dated"] >= 4 and info["undated"] >= 1 and info["dated"] + info["undated"] == info["meetings"]
    assert info["markers"] == sum(len(m["lanes"]) for m in T["meetings"])
    lanes = {l["label"] for l in T["lanes"]}
    assert {"Italy (IT)", "United States (US)", "France (FR)"} <= lanes
    us = next(l for l in T["lanes"] if l["label"] == "United States (US)")
    assert us["meetings"] >= 3
    texts = [t.get_text() for t in info["labels"]]
    assert "Rome" in texts and info["skipped"] == 0               # every dated meeting labelled at this size
    ticks = fig.axes[0].get_yticklabels()
    assert not _overlap_pairs(_extents(fig, info["labels"] + list(ticks)))
    fig.savefig(tmp_path / "t.png")
    ink, _ = _ink(tmp_path / "t.png")
    assert ink > 3000
    plt.close(fig)


def test_undated_meetings_are_labelled_joined_and_told_apart(G):
    """The undated panel labels each meeting (its city, else its hosts) and joins a co-hosted
    meeting's lanes; the who-hosted-what boxes of undated meetings differ."""
    import matplotlib.pyplot as plt
    fig, info = draw_timeline(G, lang="en")
    fig.canvas.draw()
    T = timeline_lanes(G, lang="en")
    undated = [m for m in T["meetings"] if not m["when"]]
    axu = fig.axes[1]
    texts = [t.get_text() for t in axu.texts]
    assert len(texts) == len(undated) == 2 and "Marrakesh" in texts
    assert any(t.startswith("Antony Blinken") or t.startswith("Sophie") for t in texts)
    joins = [ln for ln in axu.lines if len(set(ln.get_xdata())) == 1 and len(set(ln.get_ydata())) == 2]
    assert len(joins) == sum(1 for m in undated if len(m["lanes"]) > 1) == 2
    assert not _overlap_pairs(_extents(fig, list(axu.texts)))
    plt.close(fig)
    fig, info = draw_who_hosted_what(G, lang="en")
    labels = [b.get_text() for b in info["boxes"]]
    assert len(set(labels)) == len(labels)
    assert "undated · Marrakesh" in labels
    assert sum(1 for x in labels if x.startswith("undated · ")) == 2
    plt.close(fig)


def test_timeline_stays_readable_at_200_meetings(G, tmp_path):
    import matplotlib.pyplot as plt
    big = many_meetings(G, 200)
    fig, info = draw_timeline(big)
    fig.canvas.draw()
    assert info["meetings"] == 207 and info["lanes"] <= 20        # lanes beyond 20 folded into "other"
    assert fig.get_size_inches()[1] <= 12
    assert any("other countries" in t.get_text() for t in fig.axes[0].get_yticklabels())
    assert len(info["labels"]) >= 60 and info["skipped"] > 0     # labels what fits, skips the rest
    assert not _overlap_pairs(_extents(fig, info["labels"] + list(fig.axes[0].get_yticklabels())))
    assert min(b.height for b in _extents(fig, info["labels"])) >= 9
    plt.close(fig)

def test_cli_viz_writes_png_svg_html(tmp_path):
    out = tmp_path / "viz"
    run_cli("viz", SEEDS, "--out", out)
    assert {p.name for p in out.iterdir()} >= {"who_hosted_what.png", "who_hosted_what.svg", "timeline.png", "timeline.svg",
                                              "graph.html"}
    page = (out / "graph.html").read_text(encoding="utf-8")
    assert "<script src" not in page and "<link" not in page and "@import" not in page   # self-contained
    assert "بوريطة" in page


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    require(bool(chromium and driver), "chromium and chromedriver (Debian chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
              "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--user-data-dir={tmp_path_factory.mktemp('profile')}", "--window-size=1400,900"):
        opts.add_argument(a)
    b = webdriver.Chrome(service=Service(driver), options=opts)
    b.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    yield b
    b.quit()


def _open(browser, path, view="graph"):
    from selenium.webdriver.support.ui import WebDriverWait
    browser.get(path.as_uri() + ("#timeline" if view == "timeline" else ""))
    browser.refresh()
    WebDriverWait(browser, 20).until(lambda b: b.execute_script("return document.body.dataset.ready") == "true")


def _pane(browser, path):
    """Screenshot of the drawing pane as a grey-level array."""
    import io
    import numpy as np
    from PIL import Image
    browser.save_screenshot(str(path))
    r = browser.execute_script("const r = document.getElementById('main').getBoundingClientRect();"
                               "return [r.left, r.top, r.right, r.bottom - 26];")   # without the legend strip
    img = Image.open(io.BytesIO(path.read_bytes())).convert("L").crop(tuple(int(x) for x in r))
    return np.asarray(img)


def _dark(a) -> float:
    return float((a < 90).mean())


_LABEL_BOXES = """
const out = [];
document.querySelectorAll(arguments[0]).forEach(t => {
  if (t.closest('.hidden') || getComputedStyle(t).visibility === 'hidden') return;
  const r = t.getBoundingClientRect(); if (r.width > 0) out.push([r.left, r.top + 4, r.right, r.bottom - 4]);
});
return out;"""


_UNLABELED = """
return [...document.querySelectorAll('g.node')].filter(g => !g.classList.contains('hidden'))
  .filter(g => getComputedStyle(g.querySelector('text')).visibility === 'hidden')
  .map(g => [g.dataset.type, g.querySelector('text').textContent]);"""


def _overlap_fraction(boxes) -> float:
    """Area where labels overlap one another, as a fraction of the labels' area.  A label's box is
    its rendered line box less 4 px top and bottom (the leading of Noto Sans Arabic's 25 px line
    at 12 px, where no glyph is drawn)."""
    inter = 0.0
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            w, h = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
            if w > 0 and h > 0:
                inter += w * h
    total = sum((b[2] - b[0]) * (b[3] - b[1]) for b in boxes) or 1
    return inter / total


def _circle_sizes(browser, selector):
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].filter(c => !c.closest('.hidden'))"
        ".map(c => { const r = c.getBoundingClientRect(); return [r.width, r.height]; });", selector)


def test_html_graph_view_in_headless_chromium(seeds_build, G, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    paths = write_all(G, tmp_path, sentence_texts(seeds_build.dataset))
    _open(browser, paths["html"])
    circles = browser.find_elements(By.CSS_SELECTOR, "g.node circle")
    assert len(circles) == G.number_of_nodes()
    visible = [c for c in circles if c.is_displayed()]
    assert len(visible) == sum(1 for _, d in G.nodes(data=True) if d["type"] != "Article")
    pane = _pane(browser, tmp_path / "graph.png")
    assert _dark(pane) < 0.03, _dark(pane)                        # no huge black strokes over the pane
    assert (pane < 200).mean() > 0.005                            # but something is drawn
    sizes = _circle_sizes(browser, "g.node circle")
    assert all(9 <= w <= 16 and 9 <= h <= 16 for w, h in sizes), sorted(sizes)[:3] + sorted(sizes)[-3:]
    labels = browser.execute_script(_LABEL_BOXES, "g.node text")
    assert len(labels) >= 40 and _overlap_fraction(labels) < 0.01
    # every meeting, host, city and person keeps a label: a label whose own place is taken goes
    # left of its dot, or above or below it, before it is hidden; a long name is cut with "…"
    unlabeled = browser.execute_script(_UNLABELED)
    assert not [u for u in unlabeled if u[0] in ("Meeting", "City", "Person", "UNResolution")], unlabeled
    assert len(unlabeled) <= 0.1 * len(visible), unlabeled
    assert all(len(t) <= 31 for t in browser.execute_script(
        "return [...document.querySelectorAll('g.node text')].map(t => t.textContent)"))
    rtl = browser.execute_script("return [...document.querySelectorAll('g.node text')].filter(t => /[\\u0600-\\u06ff]/"
                                 ".test(t.textContent)).map(t => getComputedStyle(t).direction);")
    assert rtl and set(rtl) == {"rtl"}
    # layered: hosts left of meetings, meetings left of cities
    xs = browser.execute_script("const o = {}; document.querySelectorAll('g.node').forEach(g => { const c = g.querySelector('circle');"
                                "(o[g.dataset.type] = o[g.dataset.type] || []).push(+c.getAttribute('cx')); }); return o;")
    assert max(xs["City"]) > min(xs["Meeting"]) and len(set(xs["Meeting"])) == 1
    assert min(xs["City"]) > xs["Meeting"][0]
    # zoom in three steps: strokes and text keep their pixel size, the pane stays light
    for _ in range(3):
        browser.find_element(By.ID, "zin").click()
    assert all(9 <= w <= 16 for w, _ in _circle_sizes(browser, "g.node circle"))
    pane = _pane(browser, tmp_path / "zoomed.png")
    assert _dark(pane) < 0.03
    font = browser.execute_script("return getComputedStyle(document.querySelector('g.node text')).fontSize")
    assert font == "12px"
    browser.find_element(By.ID, "zfit").click()
    # search, then a real click on a node's circle shows its facts and their sentences
    box = browser.find_element(By.ID, "search")
    box.send_keys("بوريطة")
    results = browser.find_elements(By.CSS_SELECTOR, "#results .result")
    assert len(results) == 1 and "ناصر بوريطة" in results[0].text
    node = browser.find_element(By.CSS_SELECTOR, f'g.node[data-id="{results[0].get_attribute("data-id")}"] circle')
    ActionChains(browser).move_to_element(node).click().perform()
    details = browser.find_element(By.ID, "details").text
    assert "has_host" in details
    sentences = browser.find_elements(By.CSS_SELECTOR, "#details .sent")
    assert any("بدعوة من" in s.text for s in sentences)
    # filter: hide persons
    browser.find_element(By.CSS_SELECTOR, 'input[data-type="Person"]').click()
    person_nodes = browser.find_elements(By.CSS_SELECTOR, 'g.node[data-type="Person"]')
    assert person_nodes and not any(n.is_displayed() for n in person_nodes)


def test_html_timeline_view_in_headless_chromium(seeds_build, G, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    # the explorer in English (the default is Arabic): lanes named as the timeline picture names them
    paths = write_all(G, tmp_path, sentence_texts(seeds_build.dataset), lang="en")
    _open(browser, paths["html"])
    browser.find_element(By.ID, "tab-timeline").click()
    assert browser.find_element(By.ID, "timeline").is_displayed() and not browser.find_element(By.ID, "graph").is_displayed()
    T = timeline_lanes(G)
    circles = browser.find_elements(By.CSS_SELECTOR, "#timeline circle")
    assert len(circles) == sum(len(m["lanes"]) for m in T["meetings"])
    assert all(10 <= w <= 15 for w, _ in _circle_sizes(browser, "#timeline circle"))
    lanes = browser.execute_script("return [...document.querySelectorAll('#timeline .lanelab')].map(t => t.textContent)")
    assert any(l.startswith("Italy (IT)") for l in lanes) and len(lanes) == len(T["lanes"])
    labels = browser.execute_script(_LABEL_BOXES, "#timeline text")
    assert _overlap_fraction(labels) < 0.01
    cities = browser.execute_script("return [...document.querySelectorAll('#timeline text.lab')].map(t => t.textContent)")
    assert "Rome" in cities
    pane = _pane(browser, tmp_path / "timeline.png")
    assert _dark(pane) < 0.03
    rome = next(m for m in T["meetings"] if m["date"] == "2021-06-28")
    ActionChains(browser).move_to_element(
        browser.find_element(By.CSS_SELECTOR, f'#timeline circle[data-id="{rome["id"]}"]')).click().perform()
    details = browser.find_element(By.ID, "details").text
    assert "has_host" in details and "in_city" in details and "روما" in details


def test_html_views_stay_readable_with_200_meetings(G, browser, tmp_path):
    from selenium.webdriver.common.by import By
    path = tmp_path / "big.html"
    from coalition_kg.viz import write_html
    write_html(many_meetings(G, 200), {}, path)
    _open(browser, path)
    pane = _pane(browser, tmp_path / "g200.png")
    assert _dark(pane) < 0.05, _dark(pane)
    labels = browser.execute_script(_LABEL_BOXES, "g.node text")
    assert len(labels) >= 30 and _overlap_fraction(labels) < 0.01
    assert all(9 <= w <= 16 for w, _ in _circle_sizes(browser, "g.node circle"))
    browser.find_element(By.ID, "tab-timeline").click()
    pane = _pane(browser, tmp_path / "t200.png")
    assert _dark(pane) < 0.05, _dark(pane)
    labels = browser.execute_script(_LABEL_BOXES, "#timeline text")
    assert len(labels) >= 60 and _overlap_fraction(labels) < 0.01


@pytest.fixture(scope="module")
def dev_build(recognizer):
    """The seeds and the development articles (../shared/dev/docs), built by the real pipeline."""
    from coalition_kg.build import run
    docs = ROOT.parent / "shared" / "dev" / "docs"
    require(docs.is_dir(), f"{docs} (the shared development articles)")
    return run([str(SEEDS), str(docs)], recognizer)


def test_pictures_of_a_real_build_of_the_seeds_and_dev_articles(dev_build, browser, tmp_path):
    import matplotlib.pyplot as plt
    G = to_networkx(dev_build.dataset)
    assert sum(1 for _, d in G.nodes(data=True) if d["type"] == "Article") >= 25
    fig, info = draw_who_hosted_what(G)
    fig.canvas.draw()
    assert info["meetings"] >= 15 and all(b.get_text() for b in info["boxes"])
    assert not _overlap_pairs(_extents(fig, info["labels"] + info["boxes"]))
    assert _arrows_through_labels(fig, info) == 0
    plt.close(fig)
    fig, info = draw_timeline(G)
    fig.canvas.draw()
    assert info["markers"] >= info["meetings"] and len(info["labels"]) >= 5
    assert not _overlap_pairs(_extents(fig, info["labels"] + list(fig.axes[0].get_yticklabels())))
    plt.close(fig)
    paths = write_all(G, tmp_path, sentence_texts(dev_build.dataset))
    _open(browser, paths["html"])
    assert _dark(_pane(browser, tmp_path / "g.png")) < 0.03
    labels = browser.execute_script(_LABEL_BOXES, "g.node text")
    assert len(labels) >= 40 and _overlap_fraction(labels) < 0.01
    browser.find_element("id", "tab-timeline").click()
    assert _dark(_pane(browser, tmp_path / "t.png")) < 0.03
    assert _overlap_fraction(browser.execute_script(_LABEL_BOXES, "#timeline text")) < 0.01
