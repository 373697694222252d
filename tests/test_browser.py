"""The series in a real browser: headless Chromium driven by Playwright, with the network off.

What a class sees, at 1280x800 in JupyterLab with its file browser open (the notebook's output
column is then 848 px, its narrowest), on the lessons with the most drawings (02, 04, 10, 15),
trusted (as `./dev lab` opens them) and untrusted (a fresh clone):
- no output is wider than its column (no drawing cut off, no horizontal scrollbar);
- no text of a drawing (graph, stepper, player) is smaller than 9 px as shown;
- every graph shows a picture; a player shows its buttons where it is trusted, and where it is
  not, a still picture with a line saying it is a player and how to play it;
- no RISE slide is taller than the area Reveal leaves visible (760 px), in default mode and in
  lecture mode (the notebooks run with MICROGRAD_LECTURE=1), every fragment shown, and lecture
  mode's Markdown and code are big (tools/slide_heights.py measures, in one pass);
and: the offline HTML player's previous, next, slider and play change the frame and the card; an
exported page typesets its formulas with MathJax from the export's own copy.

One Chromium and one JupyterLab server serve the whole module. Without Playwright or Chromium
the module skips with one line saying what to install.
"""

import base64
import json
import shutil
import sys
import urllib.parse
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
# The lessons with the most drawings: graphs, steppers, players, a side-by-side, networks.
CHECKED = ["02_values_and_graphs.ipynb", "04_chain_rule_automated.ipynb", "10_layers_and_mlps.ipynb",
           "15_character_language_model.ipynb"]
# The lessons as JupyterLab shows them: these English ones, and a zh-TW one (its legends and cards
# are Chinese, drawn in cells as wide as the text, its player's words zh-TW).
SOURCES = {name: ROOT / "notebooks" / name for name in CHECKED}
SOURCES["zh-TW-04_chain_rule_automated.ipynb"] = ROOT / "zh-TW" / "04_chain_rule_automated.ipynb"
# What an untrusted player's note says, in each edition: what it is, trust, run this cell.
UNTRUSTED_WORDS = {"en": ("player", "trust", "run this cell"), "zh-TW": ("播放器", "信任", "執行這個儲存格")}
SMALLEST_TEXT_PX = viz.SMALLEST_TEXT_PX
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
    """JupyterLab serving copies of the checked lessons: trusted ones (as ./dev lab trusts them)
    and, in untrusted/, copies that nobody trusted."""
    folder = tmp_path_factory.mktemp("lab")
    (folder / "untrusted").mkdir()
    for name, source in SOURCES.items():
        shutil.copy(source, folder / name)
        # Trust goes by content, not path: the untrusted copy gets one metadata key of its own, so
        # trusting the lessons does not trust it too.
        copy = nbformat.read(source, as_version=4)
        copy.metadata["opened_by"] = "tests/test_browser.py, untrusted"
        nbformat.write(copy, folder / "untrusted" / name)
    with browser.JupyterLab(folder) as server:
        server.trust(sorted(folder.glob("*.ipynb")))
        yield server


@pytest.fixture(scope="module")
def lecture_copies(lab):
    """The checked lessons run with MICROGRAD_LECTURE=1 (as a lecturer runs them), in lecture/ of
    the same server, trusted: {(mode, lesson path): the copy to open}, for slide_heights.measure."""
    folder = lab.folder / "lecture"
    folder.mkdir(exist_ok=True)
    copies = {}
    for name in CHECKED:
        slide_heights.lecture_copy(ROOT / "notebooks" / name, folder)
        copies["lecture", (ROOT / "notebooks" / name).resolve()] = Path("lecture") / name
        copies["default", (ROOT / "notebooks" / name).resolve()] = Path(name)
    lab.trust(sorted(folder.glob("*.ipynb")))
    return copies


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


# Everything one open notebook shows, output by output: its width and what sticks out of it, its
# pictures (with their data: URLs, to read the drawing's text sizes), the text sizes of drawings
# inline in HTML (players) as drawn on screen, and the font sizes of HTML text beside them.
OUTPUTS_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const shown = e => e.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const outputs = [];
  panel.querySelectorAll('.jp-Notebook .jp-Cell').forEach(cell => {
    cell.querySelectorAll('.jp-OutputArea-output').forEach(o => {
      if (!shown(o)) return;
      const box = o.getBoundingClientRect();
      const out = {cell: +cell.dataset.windowedListIndex, mime: o.dataset.mimeType || '', width: box.width,
                   client: o.clientWidth, scroll: o.scrollWidth, sticking: [], pictures: [], svgText: [], htmlText: [],
                   player: null};
      o.querySelectorAll('*').forEach(e => {
        const b = e.getBoundingClientRect();
        if (b.width > 0 && b.right > box.right + 1 && shown(e)) out.sticking.push(`${e.tagName} ${Math.round(b.right - box.right)} px`);
      });
      o.querySelectorAll('img').forEach(img => {
        if (!shown(img)) return;
        const src = img.getAttribute('src') || '';
        if (src.startsWith('data:image/svg+xml') || src.startsWith('data:image/png'))
          out.pictures.push({src: src, shown: img.getBoundingClientRect().width, natural: img.naturalWidth});
      });
      o.querySelectorAll('svg text').forEach(t => {
        if (!shown(t) || !t.textContent.trim() || t.getAttribute('fill') === 'transparent') return;
        const m = t.getScreenCTM();
        if (m) out.svgText.push([t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)]);
      });
      o.querySelectorAll('.mgplayer *').forEach(e => {
        if (e.closest('svg') || !shown(e)) return;
        if ([...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
          out.htmlText.push([e.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(e).fontSize)]);
      });
      const player = o.querySelector('.mgplayer');
      if (player) {
        const note = player.querySelector('.mg-untrusted');
        const area = o.closest('.jp-OutputArea-child');
        const before = area && area.previousElementSibling;
        out.player = {buttons: player.querySelectorAll('.mg-controls button').length,
                      note: note && shown(note) ? note.innerText : '',
                      stillShown: !!(before && before.querySelector('.jp-RenderedImage img') && shown(before))};
      }
      outputs.push(out);
    });
  });
  const browserPanel = document.querySelector('.jp-FileBrowser');
  return {outputs: outputs, fileBrowser: !!browserPanel && shown(browserPanel)};
}"""


def picture_text_px(picture):
    """The smallest text of a drawing shown as an <img>, in px on screen; None for a picture that
    is not a drawing of viz (a matplotlib figure)."""
    src = picture["src"]
    if src.startswith("data:image/svg+xml"):
        head, data = src.split(",", 1)
        svg = base64.b64decode(data).decode("utf-8") if head.endswith(";base64") else urllib.parse.unquote(data)
        sizes = [size for _, size in viz.text_sizes_px(svg)]
        width = (viz.svg_size_px(svg) or (None,))[0]
        return min(sizes) * picture["shown"] / width if sizes and width else None
    smallest = viz.png_smallest_text_px(base64.b64decode(src.split(",", 1)[1]))
    return smallest * picture["shown"] / picture["natural"] if smallest and picture["natural"] else None


def open_in_lab(context, lab, path, last_cell):
    """Open a notebook in JupyterLab (alone) and wait until every output and picture is drawn."""
    page = context.new_page()
    page.goto(lab.lab_url(path))
    page.wait_for_selector(f'.jp-Cell[data-windowed-list-index="{last_cell}"] .jp-OutputArea-output',
                           state="attached", timeout=120_000)
    page.wait_for_function("() => [...document.images].every(img => img.complete)", timeout=60_000)
    page.wait_for_timeout(500)  # layout after the last picture
    return page


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted", "untrusted"])
@pytest.mark.parametrize("name", list(SOURCES))
def test_outputs_fit_the_column_and_drawings_are_readable(context, lab, name, trusted):
    stored = json.loads(SOURCES[name].read_text(encoding="utf-8"))["cells"]
    with_outputs = [i for i, cell in enumerate(stored) if cell.get("outputs")]
    page = open_in_lab(context, lab, name if trusted else f"untrusted/{name}", max(with_outputs))
    seen = page.evaluate(OUTPUTS_JS)
    page.close()
    where = f"{name} ({'trusted' if trusted else 'untrusted'}, JupyterLab at 1280x800, file browser open)"
    assert seen["fileBrowser"], f"{where}: the file browser should be open, as a learner first sees it"
    outputs = seen["outputs"]
    assert outputs, f"{where}: no output was drawn"
    column = min(o["width"] for o in outputs)
    assert column <= 860, f"{where}: the column is {column:.0f} px; the narrow column (848 px) is the point"

    too_wide = {o["cell"]: (o["scroll"], o["client"], o["sticking"][:3]) for o in outputs
                if o["scroll"] > o["client"] + 1 or o["sticking"]}
    assert not too_wide, (f"{where}: outputs wider than their {column:.0f} px column, "
                          f"{{cell: (content width, column width, what sticks out)}}: {too_wide}")

    small, drawings = {}, 0
    for o in outputs:
        sizes = [size for size in map(picture_text_px, o["pictures"]) if size is not None]
        sizes += [size for _, size in o["svgText"]] + [size for _, size in o["htmlText"]]
        drawings += bool(sizes)
        if sizes and min(sizes) < SMALLEST_TEXT_PX:
            small[o["cell"]] = round(min(sizes), 1)
    assert drawings >= 1, f"{where}: no drawing was measured"
    assert not small, (f"{where}: drawings whose smallest text is under {SMALLEST_TEXT_PX:.0f} px as shown, "
                       f"{{cell: px}}: {small}; draw less (group='collapse', expand=..., compact=True) "
                       f"or split the drawing")

    pictures = {}
    for o in outputs:
        pictures[o["cell"]] = pictures.get(o["cell"], 0) + len(o["pictures"]) + bool(o["player"] and trusted)
    missing = {i: (pictures.get(i, 0), n) for i, n in graph_outputs_per_cell(SOURCES[name]).items()
               if pictures.get(i, 0) < n}
    assert not missing, (f"{where}: cells {{cell: (pictures shown, graphs stored)}} {missing} show no picture "
                         f"for a graph; every graph output needs a PNG that an untrusted notebook shows (viz "
                         f"draws it, ./dev regenerate stores it)")

    for o in outputs:
        player = o["player"]
        if player is None:
            continue
        if trusted:
            assert player["buttons"] == 3 and not player["note"] and not player["stillShown"], \
                f"{where}, cell {o['cell']}: a trusted player shows its buttons, and no still or note: {player}"
        else:
            note = player["note"].lower()
            assert player["buttons"] == 0 and player["stillShown"], \
                f"{where}, cell {o['cell']}: an untrusted player shows its still picture: {player}"
            words = UNTRUSTED_WORDS["zh-TW" if name.startswith("zh-TW") else "en"]
            assert all(word in note for word in words), \
                f"{where}, cell {o['cell']}: an untrusted player says what it is and how to play it: {player}"


# Body text of the Markdown and of the code of the slide shown, in px.
TEXT_SIZES_JS = """() => {
  const px = e => e ? parseFloat(getComputedStyle(e).fontSize) : null;
  return {markdown: px(document.querySelector('.reveal .jp-RenderedMarkdown p')),
          code: px(document.querySelector('.reveal .jp-InputArea .cm-content'))};
}"""


def _slide_cases():
    for mode in slide_heights.MODES:
        for name in CHECKED:
            yield pytest.param(mode, name, id=f"{mode}-{name}")


@pytest.mark.parametrize("mode, name", list(_slide_cases()))
def test_no_rise_slide_is_taller_than_the_visible_area(context, lab, lecture_copies, mode, name):
    path = (ROOT / "notebooks" / name).resolve()
    page = context.new_page()  # one server and one browser for every lesson and mode
    results = slide_heights.measure([path], page=page, lab=lab, modes=(mode,), copies=lecture_copies)
    sizes = page.evaluate(TEXT_SIZES_JS)
    page.close()
    assert all(slides for slides in results.values()), "RISE showed no slides"
    if mode == "lecture":
        assert sizes["markdown"] >= 22 and sizes["code"] >= 18, f"lecture mode: Markdown and code are big: {sizes}"
    else:
        assert sizes["markdown"] <= 16 and sizes["code"] <= 14, f"default mode: the usual text sizes: {sizes}"
    lines = slide_heights.report(results)
    too_tall = [line for line in lines if line.startswith("    ")]
    assert not too_tall, (f"RISE slides taller than the {slide_heights.VISIBLE_HEIGHT} px that a 1280x800 "
                          f"screen shows at once (run tools/slide_heights.py --split {name}, then shorten "
                          f"the cells it names):\n" + "\n".join(lines))


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
