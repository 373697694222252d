"""The series in a real browser: headless Chromium driven by Playwright, with the network off.

- the offline HTML player: previous, next, the slider and play change the frame and the card;
- a lesson opened untrusted in real JupyterLab (as after a fresh clone) shows a PNG for every graph;
- no RISE slide of any lesson is taller than a 1280x800 screen (tools/slide_heights.py measures);
- an exported page typesets its formulas with MathJax from the export's own copy.

One Chromium and one JupyterLab server serve the whole module. Without Playwright or Chromium
the module skips with one line saying what to install.
"""

import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import browser  # noqa: E402

REASON = browser.missing()
if REASON:
    pytest.skip(REASON, allow_module_level=True)

import export_html  # noqa: E402
import slide_heights  # noqa: E402
import viz  # noqa: E402
from micrograd_core import Value  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
UNTRUSTED_LESSON = "04_chain_rule_automated.ipynb"  # graphs, steppers and a player
FRAME_JS = """root => {
  const frames = [...root.querySelectorAll('.mg-frame')];
  const shown = frames.filter(f => f.checkVisibility({visibilityProperty: true}));
  return shown.map(f => [frames.indexOf(f), f.innerText]);
}"""
FRAME_INDEX_JS = """k => {
  const frames = [...document.querySelectorAll('.mg-frame')];
  return frames.findIndex(f => f.checkVisibility({visibilityProperty: true})) === k;
}"""


@pytest.fixture(scope="module")
def session():
    """One Chromium for the module, every request off the machine refused and remembered."""
    with sync_playwright() as playwright, browser.chromium(playwright) as ctx:
        yield ctx, browser.offline(ctx)


@pytest.fixture
def context(session):
    return session[0]


@pytest.fixture
def asks_network(session):
    """A check that the pages this test opened asked the network for nothing. (RISE's own
    theme asks for two web fonts; that is jupyterlab-rise's, not ours, so it is not checked.)"""
    refused = session[1]
    before = len(refused)
    yield
    assert not refused[before:], f"the page asked the network for {sorted(set(refused[before:]))}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of the lessons (trusted, as ./dev lab trusts them) and, in
    untrusted/, a copy of one lesson that nobody trusted."""
    folder = tmp_path_factory.mktemp("lab")
    for path in LESSONS:
        shutil.copy(path, folder / path.name)
    # Trust goes by content, not path: the untrusted copy gets one metadata key of its own, so
    # trusting the lessons does not trust it too.
    (folder / "untrusted").mkdir()
    copy = nbformat.read(ROOT / "notebooks" / UNTRUSTED_LESSON, as_version=4)
    copy.metadata["opened_by"] = "tests/test_browser.py, untrusted"
    nbformat.write(copy, folder / "untrusted" / UNTRUSTED_LESSON)
    with browser.JupyterLab(folder) as server:
        server.trust(sorted(folder.glob("*.ipynb")))
        yield server


def small_stepper():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    return viz.BackpropStepper(d)


@pytest.mark.usefixtures("asks_network")
def test_offline_player_previous_next_slider_and_play(context, tmp_path):
    stepper = small_stepper()
    cards = [stepper.goto(k).card_text().splitlines()[0] for k in range(stepper.first, stepper.n_steps + 1)]
    stepper.reset()
    last = len(cards) - 1
    page = context.new_page()
    page.goto(stepper.player().save(tmp_path / "player.html").as_uri())
    player = page.locator(".mgplayer")
    slider = player.locator("input[type=range]")

    def shown():
        frames = player.evaluate(FRAME_JS)
        assert len(frames) == 1, f"exactly one frame must show, {len(frames)} do"
        index, text = frames[0]
        assert cards[index] in text, f"frame {index} must show its card {cards[index]!r}"
        assert slider.input_value() == str(index)
        return index

    def press(name):
        player.get_by_role("button", name=name).click()

    assert shown() == 0
    press("next ▶")
    assert shown() == 1
    press("next ▶")
    assert shown() == 2
    press("◀ previous")
    assert shown() == 1
    slider.focus()
    page.keyboard.press("End")
    assert shown() == last
    page.keyboard.press("Home")
    assert shown() == 0
    press("▶ play")
    for k in range(1, last + 1):  # play walks through every frame, in order
        page.wait_for_function(FRAME_INDEX_JS, arg=k, timeout=30_000)
    expect(player.get_by_role("button", name="▶ play")).to_be_visible(timeout=30_000)  # and stops
    assert shown() == last
    page.close()


def graph_outputs_per_cell(path):
    """{cell index: number of stored outputs that show a graph} (an SVG, alone or in HTML)."""
    counts = {}
    for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if any("<svg" in "".join(data.get(key, "")) for key in ("image/svg+xml", "text/html")):
                counts[i] = counts.get(i, 0) + 1
    return counts


def test_an_untrusted_lesson_in_jupyterlab_shows_a_picture_for_every_graph(context, lab):
    expected = graph_outputs_per_cell(ROOT / "notebooks" / UNTRUSTED_LESSON)
    assert expected, "the lesson must have graphs for this test to mean anything"
    page = context.new_page()
    page.goto(lab.lab_url(f"untrusted/{UNTRUSTED_LESSON}"))
    last_cell = max(expected)
    page.wait_for_selector(f'.jp-Cell[data-windowed-list-index="{last_cell}"] .jp-OutputArea-output',
                           timeout=120_000)
    page.wait_for_function("() => [...document.images].every(img => img.complete)", timeout=60_000)
    pictures = page.evaluate("""cells => Object.fromEntries(cells.map(i => {
        const cell = document.querySelector(`.jp-Notebook .jp-Cell[data-windowed-list-index="${i}"]`);
        if (!cell) return [i, -1];
        const imgs = [...cell.querySelectorAll('.jp-OutputArea-output img')]
            .filter(img => img.src.startsWith('data:image/png') && img.complete && img.naturalWidth > 0);
        return [i, imgs.length];
    }))""", list(expected))
    page.close()
    missing = {i: (pictures[str(i)], n) for i, n in expected.items() if pictures[str(i)] < n}
    assert not missing, (f"{UNTRUSTED_LESSON} opened untrusted: cells {{cell: (PNG pictures shown, graphs "
                         f"stored)}} {missing} show no picture for a graph; every graph output needs a PNG "
                         f"that an untrusted notebook shows (viz draws it, ./dev regenerate stores it)")


def test_no_rise_slide_is_taller_than_the_screen(context, lab):
    page = context.new_page()
    results = slide_heights.measure([lab.folder / p.name for p in LESSONS], page=page, lab=lab)
    page.close()
    assert all(slides for slides in results.values()), "RISE showed no slides"
    too_tall = [line for line in slide_heights.report(results) if line.startswith("    ")]
    assert not too_tall, ("RISE slides taller than 1280x800 (run tools/slide_heights.py --split, then "
                          "shorten the cells it names):\n" + "\n".join(slide_heights.report(results)))


@pytest.mark.usefixtures("asks_network")
def test_an_exported_page_typesets_its_formulas_offline(context, tmp_path):
    lesson, _ = next((l, s) for l, s in export_html.series_pages() if l.path.stem.startswith("03_"))
    export_html.export_page(export_html.page_exporter(), lesson,
                            export_html.navigation(lesson, [lesson], 0, None), tmp_path)
    export_html.copy_mathjax(tmp_path)
    page = context.new_page()
    page.goto((tmp_path / lesson.href).as_uri())
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 "
                           "&& MathJax.Hub.queue.running === 0 && document.querySelector('.MathJax')",
                           timeout=60_000)
    state = page.evaluate("""() => ({
        formulas: document.querySelectorAll('script[type^="math/tex"]').length,
        typeset: document.querySelectorAll('span.MathJax[id$="-Frame"]').length,
        errors: document.querySelectorAll('.MathJax .merror, .MathJax_Error').length,
        raw: (document.querySelector('main').innerText.match(/\\$\\$|\\\\frac|\\\\partial/g) || []).length,
        fonts: [...document.fonts].filter(f => f.family.includes('STIX') && f.status === 'loaded').length,
    })""")
    page.close()
    assert state["formulas"] >= 20, state
    assert state["typeset"] == state["formulas"], f"every formula is typeset: {state}"
    assert state["errors"] == 0 and state["raw"] == 0, f"no TeX is left as text: {state}"
    assert state["fonts"] > 0, f"MathJax drew with its own web fonts from the export: {state}"
