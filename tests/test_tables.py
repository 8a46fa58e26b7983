"""`query --format table`: readable in an 80-column terminal — labels, codes and dates, not IRIs."""

import csv
import gc
import io
import json

import pytest
from rich.cells import cell_len
from rich.console import Console

from coalition_kg.query import library, resolve_query
from coalition_kg.tables import plan_columns, render

from conftest import run_cli


def _text(table, footer, width=80) -> str:
    c = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    c.print(table)
    c.print(footer)
    return c.export_text()


@pytest.mark.parametrize("name", sorted(library()))
def test_every_library_table_fits_80_columns_without_iris(seeds_store, name):
    q = resolve_query(name)
    rows = seeds_store.query(q.text)
    t, footer = render(rows, q.title, seeds_store, "ar", width=80)
    out = _text(t, footer)
    lines = out.splitlines()
    assert max(cell_len(x) for x in lines) <= 80              # terminal cells (Arabic marks take none)
    assert "https://" not in out and "id:" not in out
    if rows.rows:
        # every shown column is at least 6 characters wide: no columns squeezed to one or two letters
        header = next(x for x in lines if x.strip() and not x.strip().startswith(q.title[:10]))
        cols = [c for c in header.split("  ") if c.strip()]
        assert len(cols) >= 2
        assert all(len(c.strip()) >= 3 for c in cols), header


def test_who_hosted_what_table_in_arabic_and_english(seeds_store):
    q = resolve_query("who_hosted_what")
    rows = seeds_store.query(q.text)
    plan = plan_columns(rows, "ar")
    assert [c["title"] for c in plan][:2] == ["meeting", "city"]
    assert not any(c["source"] in ("city", "host", "country") for c in plan)   # IRIs folded into their names
    ar = _text(*render(rows, q.title, seeds_store, "ar"))
    assert "روما" in ar and "لويجي دي مايو" in ar and "2021-06-28" in ar and "IT" in ar
    en = _text(*render(rows, q.title, seeds_store, "en"))
    assert "Rome" in en and "Marrakesh" in en and "روما" not in en
    assert "United States" in en                  # a country host in English; persons keep their Arabic name
    # the hidden columns are named in the footer
    assert "not shown to fit 80 columns" in ar and "--format csv" in ar


def test_cli_table_csv_json(seeds_build, tmp_path):
    from coalition_kg.store import OxigraphStore
    store = OxigraphStore(tmp_path / "store")
    store.replace(seeds_build.dataset)
    del store
    gc.collect()
    args = ("query", "who_hosted_what", "--store", tmp_path / "store")
    out = run_cli(*args, "--lang", "en", env={"COLUMNS": "80"}).stdout
    assert max(cell_len(x) for x in out.splitlines()) <= 80 and "Rome" in out and "https://" not in out
    rows = list(csv.DictReader(io.StringIO(run_cli(*args, "--format", "csv").stdout)))
    assert rows and set(rows[0]) >= {"meeting", "city", "cityGeonamesId", "host", "hostName", "date"}
    assert all(r["meeting"].startswith("https://") for r in rows)          # csv keeps the IRIs
    data = json.loads(run_cli(*args, "--format", "json").stdout)
    assert len(data["results"]["bindings"]) == len(rows) and "cityGeonamesId" in data["head"]["vars"]
