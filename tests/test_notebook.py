"""The exploration notebook: it uses only the Python API, opens the store the quick start built,
runs top to bottom, and its committed outputs are those of today's build of the seeds."""

import nbformat
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _texts(nb) -> list[list[str]]:
    """Per code cell, its text outputs (printed and returned values; pictures aside)."""
    out = []
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        out.append([o.get("text") or o.get("data", {}).get("text/plain", "") for o in c.get("outputs", [])
                    if o.get("output_type") in ("stream", "execute_result")])
    return out


def test_notebook_is_committed_with_its_outputs_and_uses_only_the_api():
    """Someone browsing the repository sees the answers, not only the code."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("outputs") for c in code), [c.source[:40] for c in code if not c.get("outputs")]
    images = [o for o in _outputs(nb) if "image/png" in o.get("data", {})]
    assert len(images) >= 2                                   # who hosted what and the timeline
    assert not [o for o in _outputs(nb) if o.get("output_type") == "error"]
    source = "\n".join(c.source for c in code)
    imports = [line.strip() for line in source.splitlines() if line.strip().startswith(("import ", "from "))]
    assert imports == ["import coalition_kg as ckg", "import matplotlib.pyplot as plt"], imports
    assert "ckg.open()" in source and "tempfile" not in source and "force_jupyter" not in source


def test_notebook_runs_on_the_seeds_store_and_gives_its_committed_outputs(seeds_store, monkeypatch):
    committed = nbformat.read(NOTEBOOK, as_version=4)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.setenv("COALITION_KG_STORE", str(seeds_store.path))     # the kernel inherits it
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    assert not [o for o in _outputs(nb) if o.get("output_type") == "error"]
    text = "".join("".join(t) for t in _texts(nb))
    assert "لويجي دي مايو" in text and "Antony Blinken (US)" in text and "90 nodes, 188 edges" in text
    assert sum("image/png" in o.get("data", {}) for o in _outputs(nb)) == 2
    assert _texts(nb) == _texts(committed)            # the committed outputs are today's
