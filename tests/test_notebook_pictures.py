"""Every stored graph has a picture for every viewer, and fits the notebook column (read from the files).

JupyterLab drops SVG and scripted HTML from an untrusted notebook (a fresh clone), and GitHub and
nbviewer strip them too: a PNG in the same output is what those viewers show. JupyterLab does not
shrink a fixed-size SVG, so one wider than the column (about 1,000 px at 100% zoom) is cut off.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
COLUMN_PX = 1000
SVG_WIDTH = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)(pt|px)?"')


def text_of(value):
    return "".join(value) if isinstance(value, list) else value


def graph_outputs(path, with_previous=False):
    """(cell number, output data) of every stored output that shows a graph (an SVG, alone or in HTML);
    with_previous: (cell number, output data, the data of the output just before it in the cell)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(cells):
        previous = {}
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if any("<svg" in text_of(data.get(key, "")) for key in ("image/svg+xml", "text/html")):
                yield (i, data, previous) if with_previous else (i, data)
            previous = data


def has_picture(data, previous):
    """A PNG in the output itself, or, for a player (its HTML has no room for a picture that survives
    GitHub's sanitizer), a still PNG output just before it, which the player's script hides."""
    is_player = 'class="mgplayer"' in text_of(data.get("text/html", ""))
    return bool(data.get("image/png")) or (is_player and bool(previous.get("image/png")))


def widths_px(data):
    for key in ("image/svg+xml", "text/html"):
        text = text_of(data.get(key, "")).replace('\\"', '"')  # a player keeps its frames in script strings
        for number, unit in SVG_WIDTH.findall(text):
            yield float(number) * (1.0 if unit == "px" else 96 / 72)


def ids(paths):
    return [str(p.relative_to(ROOT / "notebooks")) for p in paths]


def test_the_series_has_stored_graphs():
    assert sum(1 for path in NOTEBOOKS for _ in graph_outputs(path)) >= 40


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_stored_graph_carries_a_png_and_a_text(path):
    missing = [i for i, data, previous in graph_outputs(path, with_previous=True) if not has_picture(data, previous)]
    assert not missing, (f"{path.name}: cells {missing} show a graph without a PNG beside it; untrusted "
                         f"notebooks and GitHub show nothing there. Draw through viz and run ./dev regenerate.")
    textless = [i for i, data, previous in graph_outputs(path, with_previous=True)
                if not text_of(data.get("text/plain", "")).strip()
                or (not data.get("image/png") and not text_of(previous.get("text/plain", "")).strip())]
    assert not textless, f"{path.name}: cells {textless} show a graph without a text/plain description."


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_stored_graph_is_wider_than_the_column(path):
    too_wide = [(i, round(w)) for i, data in graph_outputs(path) for w in widths_px(data) if w > COLUMN_PX]
    assert not too_wide, (f"{path.name}: (cell, width in px) {too_wide} are wider than the {COLUMN_PX} px "
                          f"column; viz scales drawings down to fit, so regenerate, or draw less "
                          f"(group='collapse', expand=...).")
