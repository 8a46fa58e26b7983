"""networkx export (GraphML/GEXF round trip), analysis, pictures, and the HTML page in real Chromium."""

import shutil

import networkx as nx
import pytest

from coalition_kg.analysis import analyze
from coalition_kg.graph import read_graphml, sentence_texts, to_networkx, write_gexf, write_graphml
from coalition_kg.viz import draw_who_hosted_what, who_hosted_what, write_all

from conftest import SEEDS, require, run_cli


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


def test_picture_draws_every_host_meeting_and_city(G, tmp_path):
    H = who_hosted_what(G)
    fig, info = draw_who_hosted_what(G)
    drawn = sum(len(c.get_offsets()) for c in fig.axes[0].collections)
    assert drawn == info["nodes"] == H.number_of_nodes() >= 10
    assert info["by_type"]["Meeting"] == sum(1 for _, d in H.nodes(data=True) if d["type"] == "Meeting")
    paths = write_all(G, tmp_path)
    from PIL import Image
    img = Image.open(paths["png"]).convert("L")
    lo, hi = img.getextrema()
    assert hi - lo > 100                                    # not blank
    import numpy as np
    assert int((np.asarray(img) < 200).sum()) > 5000        # real ink
    assert paths["svg"].read_text().count("<svg") == 1


def test_cli_viz_writes_png_svg_html(tmp_path):
    out = tmp_path / "viz"
    run_cli("viz", SEEDS, "--out", out)
    assert {p.name for p in out.iterdir()} >= {"who_hosted_what.png", "who_hosted_what.svg", "graph.html"}
    page = (out / "graph.html").read_text(encoding="utf-8")
    assert "<script src" not in page and "<link" not in page and "@import" not in page   # self-contained
    assert "بوريطة" in page


def test_html_page_in_headless_chromium(seeds_build, G, tmp_path):
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    require(bool(chromium and driver), "chromium and chromedriver (Debian chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    paths = write_all(G, tmp_path, sentence_texts(seeds_build.dataset))
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
              "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,900"):
        opts.add_argument(a)
    browser = webdriver.Chrome(service=Service(driver), options=opts)
    try:
        browser.get(paths["html"].as_uri())
        WebDriverWait(browser, 20).until(lambda b: b.execute_script("return document.body.dataset.ready") == "true")
        circles = browser.find_elements(By.CSS_SELECTOR, "g.node circle")
        assert len(circles) == G.number_of_nodes()
        visible = [c for c in circles if c.is_displayed()]
        assert len(visible) == sum(1 for _, d in G.nodes(data=True) if d["type"] != "Article")
        box = browser.find_element(By.ID, "search")
        box.send_keys("بوريطة")
        results = browser.find_elements(By.CSS_SELECTOR, "#results .result")
        assert len(results) == 1 and "ناصر بوريطة" in results[0].text
        results[0].click()
        details = browser.find_element(By.ID, "details").text
        assert "has_host" in details                           # a fact about him
        sentences = browser.find_elements(By.CSS_SELECTOR, "#details .sent")
        assert any("بدعوة من" in s.text for s in sentences)    # the sentence it came from
        # filter: hide persons
        browser.find_element(By.CSS_SELECTOR, 'input[data-type="Person"]').click()
        person_nodes = browser.find_elements(By.CSS_SELECTOR, 'g.node[data-type="Person"]')
        assert person_nodes and not any(n.is_displayed() for n in person_nodes)
        shot = tmp_path / "screenshot.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10000
    finally:
        browser.quit()
