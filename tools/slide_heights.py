"""Measure every RISE slide of the series in a real browser, and split the ones that are too tall.

    .venv/bin/python tools/slide_heights.py                   every lesson, default and lecture
                                                              mode: report, change nothing
    .venv/bin/python tools/slide_heights.py notebooks/05_*.ipynb
    .venv/bin/python tools/slide_heights.py --mode default    one mode only (or --mode lecture)
    .venv/bin/python tools/slide_heights.py --split [paths]   also start a new subslide where a
                                                              slide runs past the screen, and let
                                                              RISE scroll; then measure again

The notebooks are copied to a temporary folder, trusted there (as `./dev lab` trusts them), opened
one after another as RISE slides in one JupyterLab server and one headless Chromium at 1280x800,
and every slide's height is measured as drawn on that screen (Reveal's scale included), with every
fragment shown. A slide fits when it is at most 760 px tall: RISE (with `scroll`) gives a taller
slide 95% of the screen's height and a scrollbar, so 760 px is what a class sees at once.

Default mode shows the stored outputs. Lecture mode (viz.lecture_mode, MICROGRAD_LECTURE=1) has
bigger drawings and text, so each notebook is first run with MICROGRAD_LECTURE=1 (a few seconds
each): its first cell's output then carries the lecture style, as when a lecturer runs it.

--split changes only `slideshow.slide_type` of the cells where a new subslide must start and the
notebook's `rise` metadata, so run `./dev regenerate` on the changed notebooks afterwards only if
you also changed something else. A single cell taller than the screen cannot be split this way:
the report names it, and it must be made smaller.

Exit status: 0 when every slide fits, 1 otherwise. Run it again after merging new or rewritten
notebooks.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import browser  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCREEN_HEIGHT = browser.SCREEN["height"]
# RISE with scroll: true gives a slide taller than 95% of the screen a height of 95vh and a
# scrollbar (jupyterlab-rise), so that is all of a slide a class sees at once.
VISIBLE_HEIGHT = round(0.95 * SCREEN_HEIGHT)
MODES = ("default", "lecture")
RISE_METADATA = {"scroll": True}  # a slide that is still too tall on a small screen can scroll
NEW_SLIDE_TYPES = ("slide", "subslide")

# Lay out every slide (Reveal hides the ones far from the current one) and measure each one that
# holds no other slide: its height on screen and, for each notebook cell in it, where the cell
# starts and ends relative to the slide's top (unscaled; the scale is returned beside).
MEASURE_JS = """() => {
  const style = document.createElement('style');
  style.textContent = '.reveal .slides section { display: block !important; }';
  document.head.appendChild(style);
  const slides = document.querySelector('.reveal .slides');
  const scale = slides.getBoundingClientRect().height / slides.offsetHeight;
  const leaves = [...slides.querySelectorAll('section')].filter(s => !s.querySelector('section'));
  const result = leaves.map(s => {
    const top = s.getBoundingClientRect().top;
    const cells = [...s.querySelectorAll('.jp-Cell[data-windowed-list-index]')].map(c => {
      const box = c.getBoundingClientRect();
      return [parseInt(c.dataset.windowedListIndex, 10), (box.top - top) / scale, (box.bottom - top) / scale];
    });
    return {height: s.scrollHeight, cells: cells};
  });
  style.remove();
  return {scale: scale, slides: result};
}"""
# Sum of every slide's height, to know when rendering (outputs, formulas) has settled.
TOTAL_JS = """() => {
  const style = document.createElement('style');
  style.textContent = '.reveal .slides section { display: block !important; }';
  document.head.appendChild(style);
  let total = 0;
  document.querySelectorAll('.reveal .slides section').forEach(s => { total += s.scrollHeight; });
  style.remove();
  return total;
}"""


@dataclass
class Slide:
    number: int                       # 1-based, in the order the slides are shown
    height: float                     # px on the 1280x800 screen
    cells: list = field(default_factory=list)  # (cell index, top, bottom) in screen px

    @property
    def fits(self):
        return self.height <= VISIBLE_HEIGHT


def wait_until_settled(page, timeout=30.0):
    """Wait until the slides stop growing (outputs drawn, formulas typeset)."""
    deadline = time.monotonic() + timeout
    last = None
    steady = 0
    while time.monotonic() < deadline:
        total = page.evaluate(TOTAL_JS)
        steady = steady + 1 if total == last and total > 0 else 0
        if steady >= 2:
            return
        last = total
        time.sleep(0.4)


def measure_open_page(page):
    data = page.evaluate(MEASURE_JS)
    scale = data["scale"]
    return [Slide(i + 1, s["height"] * scale, [(c[0], c[1] * scale, c[2] * scale) for c in s["cells"]])
            for i, s in enumerate(data["slides"])]


@contextmanager
def lecture_environment():
    """MICROGRAD_LECTURE=1 for the kernels started inside the `with` (regenerate.execute passes
    this process's environment on to them)."""
    before = os.environ.get("MICROGRAD_LECTURE")
    os.environ["MICROGRAD_LECTURE"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MICROGRAD_LECTURE", None)
        else:
            os.environ["MICROGRAD_LECTURE"] = before


def lecture_copy(path, folder):
    """Run a notebook in lecture mode and write the result into `folder` (same name); its outputs
    are what a lecturer's live run shows. The notebook itself is not touched."""
    import nbformat
    import regenerate
    with lecture_environment():
        nb = regenerate.execute(Path(path).resolve())
    target = Path(folder) / Path(path).name
    nbformat.write(nb, target)
    return target


def prepare(paths, folder, modes=MODES):
    """Copies of the notebooks to serve: folder/default/ (as stored) and folder/lecture/ (run in
    lecture mode). Returns {(mode, path): the copy's path relative to folder}."""
    copies = {}
    for mode in modes:
        (Path(folder) / mode).mkdir(parents=True, exist_ok=True)
    for p in paths:
        p = Path(p).resolve()
        if "default" in modes:
            shutil.copy(p, Path(folder) / "default" / p.name)
            copies["default", p] = Path("default") / p.name
        if "lecture" in modes:
            lecture_copy(p, Path(folder) / "lecture")
            copies["lecture", p] = Path("lecture") / p.name
    return copies


def measure(paths, page=None, lab=None, modes=("default",), copies=None):
    """{(mode, notebook path): [Slide, ...]} for every notebook and mode, in one server and one browser.

    Pass an open Playwright page, a browser.JupyterLab serving a folder and the `copies` that
    prepare() made in it to reuse them (the browser tests do); otherwise all three are made here
    on a trusted temporary copy.
    """
    paths = [Path(p).resolve() for p in paths]
    if page is not None:
        return {(mode, p): measure_one(page, lab, copies[mode, p]) for mode in modes for p in paths}
    from playwright.sync_api import sync_playwright
    folder = Path(tempfile.mkdtemp(prefix="mg-slides-"))
    try:
        copies = prepare(paths, folder, modes)
        with browser.JupyterLab(folder) as server, sync_playwright() as pw, browser.chromium(pw) as context:
            server.trust(sorted(folder.rglob("*.ipynb")))
            browser.offline(context)
            new_page = context.new_page()
            return {(mode, p): measure_one(new_page, server, copies[mode, p]) for mode in modes for p in paths}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure_one(page, lab, name):
    page.goto(lab.rise_url(name))
    page.wait_for_selector(".reveal .slides section .jp-Cell", timeout=120_000)
    wait_until_settled(page)
    return measure_open_page(page)


def split_points(slide, limit=VISIBLE_HEIGHT, prose=()):
    """Cells of one slide that should start a new subslide so that each part fits the screen.

    Where a part runs past the screen, the new subslide starts at the last prose cell (index in
    `prose`) before that point when the text and what follows it fit together, so an explanation
    stays with its code; otherwise at the cell that runs past.
    """
    starts, part, part_top = [], [], 0.0
    for cell in slide.cells:
        index, top, bottom = cell
        if part and bottom - part_top > limit:
            back = [k for k in range(1, len(part)) if part[k][0] in prose and bottom - part[k][1] <= limit]
            part = part[back[-1]:] if back else []
            start = part[0] if part else cell
            starts.append(start[0])
            part_top = start[1]
        part.append(cell)
    return starts


def prose_cells(path):
    return {i for i, c in enumerate(nbformat.read(path, as_version=4).cells) if c.cell_type == "markdown"}


def too_tall_cells(slide, limit=VISIBLE_HEIGHT):
    return [(index, bottom - top) for index, top, bottom in slide.cells if bottom - top > limit]


def apply_splits(path, cell_indices):
    """Start a new subslide at each given cell; let RISE scroll. Touches nothing else."""
    nb = nbformat.read(path, as_version=4)
    changed = False
    for index in cell_indices:
        slideshow = nb.cells[index].metadata.setdefault("slideshow", {})
        if slideshow.get("slide_type") not in NEW_SLIDE_TYPES:
            slideshow["slide_type"] = "subslide"
            changed = True
    changed |= set_rise_metadata(nb)
    if changed:
        nbformat.write(nb, path)
    return changed


def set_rise_metadata(nb):
    rise = nb.metadata.setdefault("rise", {})
    if all(rise.get(k) == v for k, v in RISE_METADATA.items()):
        return False
    rise.update(RISE_METADATA)
    return True


def report(results):
    """Human-readable lines, one per notebook and mode and one per slide that does not fit."""
    lines = []
    for (mode, path), slides in results.items():
        tall = [s for s in slides if not s.fits]
        highest = max((s.height for s in slides), default=0)
        lines.append(f"{path.name} ({mode} mode): {len(tall)} of {len(slides)} slides taller than "
                     f"{VISIBLE_HEIGHT} px (tallest {highest:.0f} px)")
        for s in tall:
            cells = ", ".join(str(c[0]) for c in s.cells)
            lines.append(f"    slide {s.number}: {s.height:.0f} px, cells {cells}")
            for index, height in too_tall_cells(s):
                lines.append(f"        cell {index} alone is {height:.0f} px: make it or its output smaller")
    return lines


def lessons():
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: every lesson)")
    parser.add_argument("--split", action="store_true", help="split slides that are too tall, then re-measure")
    parser.add_argument("--mode", choices=MODES, help="measure one mode only (default: both)")
    args = parser.parse_args(argv)
    reason = browser.missing()
    if reason:
        print(reason, file=sys.stderr)
        return 2
    paths = [p.resolve() for p in args.paths] or lessons()
    modes = (args.mode,) if args.mode else MODES
    results = measure(paths, modes=modes)
    if args.split:
        for _ in range(3):  # a split moves what follows; measure again until nothing changes
            starts = {}
            for (mode, p), slides in results.items():
                starts.setdefault(p, set()).update(i for s in slides if not s.fits
                                                   for i in split_points(s, prose=prose_cells(p)))
            changed = [p for p, cells in starts.items() if apply_splits(p, sorted(cells))]
            if not changed:
                break
            print("split: " + ", ".join(p.name for p in changed))
            results.update(measure(changed, modes=modes))
    for line in report(results):
        print(line)
    return 0 if all(s.fits for slides in results.values() for s in slides) else 1


if __name__ == "__main__":
    sys.exit(main())
