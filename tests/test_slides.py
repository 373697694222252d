"""RISE slides: every lesson lets RISE scroll, and tools/slide_heights.py measures against what RISE
shows at once (760 px of a 1280x800 screen), in default and lecture mode, and splits where it should.

The heights themselves are measured in a real browser by tests/test_browser.py.
"""

import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import slide_heights  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_every_lesson_lets_rise_scroll(path):
    rise = nbformat.read(path, as_version=4).metadata.get("rise", {})
    assert rise.get("scroll") is True, \
        f"{path.name}: set notebook metadata rise.scroll = true (tools/slide_heights.py --split does)"


def test_split_points_start_a_new_part_where_the_screen_ends():
    # (cell index, top, bottom) in screen px: 300 + 300 fit, the third cell would end at 900.
    slide = slide_heights.Slide(1, 1000, [(4, 0, 300), (5, 300, 600), (6, 600, 900), (7, 900, 1000)])
    assert not slide.fits
    assert slide_heights.split_points(slide, limit=800) == [6]
    assert slide_heights.too_tall_cells(slide, limit=800) == []


def test_a_split_keeps_the_text_that_explains_the_code_beside_it():
    # Cell 5 is prose introducing code cell 6: the new subslide starts at the prose.
    slide = slide_heights.Slide(1, 1000, [(4, 0, 300), (5, 300, 400), (6, 400, 900)])
    assert slide_heights.split_points(slide, limit=800, prose={5}) == [5]
    assert slide_heights.split_points(slide, limit=800) == [6]


def test_a_single_cell_taller_than_the_screen_is_named_not_split():
    slide = slide_heights.Slide(2, 950, [(3, 0, 950)])
    assert slide_heights.split_points(slide, limit=800) == []
    assert slide_heights.too_tall_cells(slide, limit=800) == [(3, 950)]


def test_apply_splits_changes_only_the_slide_type_and_rise_metadata(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"cell {i}", metadata={"slideshow": {"slide_type": t}})
                for i, t in enumerate(["slide", "-", "fragment", "-"])]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert slide_heights.apply_splits(path, [2]) is True
    after = nbformat.read(path, as_version=4)
    assert [c.metadata["slideshow"]["slide_type"] for c in after.cells] == ["slide", "-", "subslide", "-"]
    assert [c.source for c in after.cells] == [c.source for c in nb.cells]
    assert after.metadata["rise"] == {"scroll": True}
    assert slide_heights.apply_splits(path, [2]) is False  # nothing left to change


def test_a_slide_fits_in_what_rise_shows_at_once():
    # RISE with scroll gives a taller slide 95% of the screen (95vh) and a scrollbar.
    assert slide_heights.VISIBLE_HEIGHT == 760
    assert slide_heights.Slide(1, 760).fits and not slide_heights.Slide(1, 761).fits
    assert slide_heights.split_points(slide_heights.Slide(1, 900, [(1, 0, 500), (2, 500, 770)])) == [2]


def test_the_report_names_the_mode_and_the_cells():
    path = Path("notebooks/99_example.ipynb")
    results = {("default", path): [slide_heights.Slide(1, 700, [(0, 0, 700)])],
               ("lecture", path): [slide_heights.Slide(1, 700, [(0, 0, 700)]),
                                   slide_heights.Slide(2, 900, [(3, 0, 100), (4, 100, 900)])]}
    assert slide_heights.report(results) == [
        "99_example.ipynb (default mode): 0 of 1 slides taller than 760 px (tallest 700 px)",
        "99_example.ipynb (lecture mode): 1 of 2 slides taller than 760 px (tallest 900 px)",
        "    slide 2: 900 px, cells 3, 4",
        "        cell 4 alone is 800 px: make it or its output smaller"]


def test_lecture_mode_is_set_for_the_kernels_started_inside_and_put_back(monkeypatch):
    monkeypatch.delenv("MICROGRAD_LECTURE", raising=False)
    with slide_heights.lecture_environment():
        assert os.environ["MICROGRAD_LECTURE"] == "1"
    assert "MICROGRAD_LECTURE" not in os.environ
    monkeypatch.setenv("MICROGRAD_LECTURE", "0")
    with slide_heights.lecture_environment():
        assert os.environ["MICROGRAD_LECTURE"] == "1"
    assert os.environ["MICROGRAD_LECTURE"] == "0"
