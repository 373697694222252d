"""The GitHub-like view: every notebook through nbconvert with HTML sanitizing shows every graph.

GitHub, nbviewer and an untrusted JupyterLab do not run scripts or keep SVG drawn inside HTML.
nbconvert's `sanitize_html` does the same (scripts and unsafe markup go; SVG and PNG outputs
become <img> pictures), so each stored graph output must still come out as an <img> there: the PNG
beside it, or the SVG as an image. tests/test_browser.py opens an untrusted lesson in JupyterLab.
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
PICTURE = re.compile(r'<img\b[^>]*\bsrc="data:image/(?:png|svg\+xml);base64,[A-Za-z0-9+/=]{200,}"')


def is_graph(output):
    data = output.get("data", {})
    return any("<svg" in data.get(key, "") for key in ("image/svg+xml", "text/html"))


def cell_chunks(body, nb):
    """The exported HTML of each cell, found by the id nbconvert gives it."""
    starts = [body.index(f'id="cell-id={cell.id}"') for cell in nb.cells]
    return [body[start:end] for start, end in zip(starts, starts[1:] + [len(body)])]


@pytest.fixture(scope="module")
def exporter():
    return HTMLExporter(template_name="lab", sanitize_html=True)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT / "notebooks")) for p in NOTEBOOKS])
def test_every_graph_is_a_picture_in_the_sanitized_view(path, exporter):
    nb = nbformat.read(path, as_version=4)
    graphs = {i: sum(map(is_graph, cell.get("outputs", []))) for i, cell in enumerate(nb.cells)}
    graphs = {i: n for i, n in graphs.items() if n}
    if not graphs:
        pytest.skip(f"{path.name} has no graph outputs")
    body, _ = exporter.from_notebook_node(nb)
    chunks = cell_chunks(body, nb)
    missing = {i: (len(PICTURE.findall(chunks[i])), n) for i, n in graphs.items()
               if len(PICTURE.findall(chunks[i])) < n}
    assert not missing, (f"{path.name} through sanitized nbconvert: cells {{cell: (pictures, graphs)}} "
                         f"{missing} lose a graph; every graph output needs a PNG beside it (viz draws it, "
                         f"./dev regenerate stores it)")
