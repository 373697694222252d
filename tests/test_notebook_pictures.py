"""Every stored graph has a picture for every viewer, fits any column and stays readable (read from the files).

JupyterLab drops SVG and scripted HTML from an untrusted notebook (a fresh clone), and GitHub and
nbviewer strip them too: a PNG in the same output is what those viewers show. JupyterLab draws an
SVG output as an <img> at the width its root element states and never shrinks it, so a stored SVG
says width="100%" (viz.column_svg): it shrinks with the column, never runs past it. Its text, and
the text of a player's frames, must stay readable in the narrowest column the series is read in
(848 px: JupyterLab beside its file browser at 1280x800). tests/test_browser.py measures the same
on screen.
"""

import base64
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import viz  # noqa: E402

NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
COLUMN_PX = viz.NARROW_COLUMN_PX
SMALLEST_TEXT_PX = viz.SMALLEST_TEXT_PX
# A player keeps its frames in script strings; each frame is an SVG (inline, max-width:100%).
FRAME_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


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


def drawings(data):
    """The SVGs of one output: the picture itself, or a player's frames (from its script's strings)."""
    if data.get("image/svg+xml"):
        yield text_of(data["image/svg+xml"])
    html = text_of(data.get("text/html", ""))
    if 'class="mgplayer"' in html:
        for frames in re.findall(r"var FRAMES=(\[.*?\]);", html, re.S):
            for frame in json.loads(frames.replace("<\\/", "</")):
                yield from FRAME_SVG.findall(frame)


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
def test_every_stored_graph_shrinks_with_its_column(path):
    fixed = []
    for i, data in graph_outputs(path):
        svg = text_of(data.get("image/svg+xml", ""))
        root = re.search(r"<svg\b[^>]*>", svg).group(0) if svg else ""
        if svg and not ('width="100%"' in root and "max-width:" in root and "height=" not in root.replace("max-height", "")):
            fixed.append(i)
        html = text_of(data.get("text/html", ""))
        if 'class="mgplayer"' in html and "max-width:100%" not in html:
            fixed.append(i)
    assert not fixed, (f"{path.name}: cells {fixed} store a drawing of a fixed width, which JupyterLab cuts "
                       f"off in a narrower column; viz draws them as wide as the column: ./dev regenerate")


VIEWBOX = re.compile(r'\bviewBox="\s*(-?[\d.]+)[\s,]+(-?[\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"')


def scaling_problems(svg, inline):
    """Why a drawing would not scale in a viewer that only honours the SVG itself (VS Code's webview
    and any other: no stylesheet of ours reaches them); empty when it scales."""
    root = re.search(r"<svg\b[^>]*>", svg)
    if root is None:
        return ["no <svg> root"]
    root = root.group(0)
    problems = []
    box = VIEWBOX.search(root)
    if box is None or not (float(box.group(3)) > 0 and float(box.group(4)) > 0):
        problems.append("no viewBox with a positive width and height")
    if inline:  # a player's frame, inline in HTML: CSS shrinks it, the viewBox keeps its shape
        if "max-width:100%" not in root or "height:auto" not in root:
            problems.append("an inline frame without max-width:100%;height:auto")
    else:  # an <img>: the root's own width decides, and a fixed height would keep it tall
        if not re.search(r'\swidth="100%"', root):
            problems.append('a root without width="100%"')
        if re.search(r'\sheight="', root):
            problems.append("a root with a fixed height")
        if "preserveAspectRatio=" not in root:
            problems.append("no preserveAspectRatio")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_stored_drawing_scales_in_any_viewer(path):
    """VS Code (not tested here: no VS Code on the machine) shows an SVG output in a webview, as an
    <img> like JupyterLab or inline: it scales with its column when the SVG says width="100%" and
    has a viewBox (a player's inline frames: max-width:100%, height:auto and a viewBox)."""
    bad = {}
    for i, data in graph_outputs(path):
        inline = not data.get("image/svg+xml")
        for svg in drawings(data):
            problems = scaling_problems(svg, inline)
            if problems:
                bad.setdefault(i, problems)
    assert not bad, f"{path.name}: drawings that would not scale with their column, {{cell: why}}: {bad}"


def test_scaling_problems_are_found():
    good = ('<svg width="100%" viewBox="0.00 0.00 780.00 232.00" preserveAspectRatio="xMinYMin meet" '
            'style="max-width:1040px">')
    assert scaling_problems(good, inline=False) == []
    assert scaling_problems('<svg width="780pt" height="232pt" viewBox="0 0 780 232">', inline=False)
    assert scaling_problems('<svg width="100%" preserveAspectRatio="xMinYMin meet">', inline=False)
    frame = '<svg style="max-width:100%;height:auto" width="663pt" height="273pt" viewBox="0.00 0.00 663.00 273.00">'
    assert scaling_problems(frame, inline=True) == []
    assert scaling_problems('<svg width="663pt" height="273pt" viewBox="0 0 663 273">', inline=True)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_stored_drawing_has_text_under_9_px_in_the_narrow_column(path):
    small = {}
    for i, data, previous in graph_outputs(path, with_previous=True):
        sizes = [viz.shown_text_px(svg, COLUMN_PX) for svg in drawings(data)]
        for png in (data.get("image/png"), previous.get("image/png") if "text/html" in data else None):
            if png:
                recorded = viz.png_smallest_text_px(base64.b64decode(text_of(png)))
                width = png_width(base64.b64decode(text_of(png)))
                if recorded:
                    sizes.append(recorded * min(1.0, COLUMN_PX / width))
        sizes = [size for size in sizes if size is not None]
        if sizes and min(sizes) < SMALLEST_TEXT_PX:
            small[i] = round(min(sizes), 1)
    assert not small, (f"{path.name}: drawings whose smallest text is under {SMALLEST_TEXT_PX:.0f} px in a "
                       f"{COLUMN_PX} px column (JupyterLab beside its file browser at 1280x800), {{cell: px}}: "
                       f"{small}; draw less (group='collapse', expand=..., compact=True, labels=...) or split it")


def png_width(png_bytes):
    return int.from_bytes(png_bytes[16:20], "big")  # the IHDR chunk: width, then height
