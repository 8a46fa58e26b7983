"""The exploration notebook runs top to bottom."""

import nbformat
from nbclient import NotebookClient

from conftest import ROOT


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def test_notebook_is_committed_with_its_outputs():
    """Someone browsing the repository sees the answers, not only the code."""
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("outputs") for c in code), [c.source[:40] for c in code if not c.get("outputs")]
    images = [o for o in _outputs(nb) if "image/png" in o.get("data", {})]
    assert len(images) >= 2                                   # who hosted what and the timeline
    assert not [o for o in _outputs(nb) if o.get("output_type") == "error"]


def test_notebook_runs_without_errors():
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
    assert "لويجي دي مايو" in text and "image/png" in "".join(str(o.get("data", {}).keys()) for o in outputs)
