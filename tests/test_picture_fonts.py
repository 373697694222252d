"""Every zh-TW picture reads (issue 20, item 4): real glyphs, in boxes they fit.

graphviz-pure measures a Chinese character as a space and draws it as an empty box in PNG, and
matplotlib's default font has no Chinese: picture_fonts.py works around both. These tests check
the font kept in fonts/, the drawings viz makes in zh-TW (PNG and SVG, and in Chromium), the plots,
and the PNGs stored in the zh-TW notebooks, and that English drawings did not change.
"""

import io
import re
import sys
import warnings
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import nbformat  # noqa: E402
import pytest  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import picture_fonts  # noqa: E402
import series_language  # noqa: E402
import subset_font  # noqa: E402
import viz  # noqa: E402
from micrograd_core import Value  # noqa: E402

HAN = re.compile(r"[\u3400-\u9fff]")
NOT_IN_SUBSET = "\u9f98"  # a rare character: the subset draws it with its missing-glyph box


@pytest.fixture
def zh_tw():
    before = series_language.set_language("zh_TW")
    yield
    series_language.set_language(before)


def small_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    out = c.tanh()
    out.label = "L"
    return out


def zh_pictures():
    """Graphs that carry every kind of Chinese text viz writes: legends, cards, the banner."""
    out = small_graph()
    stepper = viz.BackpropStepper(out)
    pictures = [viz.draw_dot(out, color="grad"), viz.draw_dot(out, color="role"), stepper.graph(with_card=True)]
    stepper.step(3)
    pictures.append(stepper.graph(with_card=True, banner=stepper.player().text.splitlines()[0]))
    forward = viz.draw_forward(out)
    forward.step(2)
    pictures.append(forward.graph(with_card=True))
    return pictures


def render_text(text, size_px, bold=False):
    """`text` in the subset font, black on white, cropped to its ink."""
    font = ImageFont.truetype(str(picture_fonts.FONT_FILES[bold]), size_px)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right - left + 4, bottom - top + 4), 255)
    ImageDraw.Draw(image).text((2 - left, 2 - top), text, font=font, fill=0)
    return image


def ink(image, threshold=128):
    """The set of dark pixels of a greyscale image."""
    w, h = image.size
    data = image.load()
    return {(x, y) for y in range(h) for x in range(w) if data[x, y] < threshold}


# ----------------------------------------------------------------------------------------------
# The font kept in the repository
# ----------------------------------------------------------------------------------------------

def test_the_font_and_its_licence_are_in_the_repository():
    for path in picture_fonts.FONT_FILES.values():
        assert path.is_file() and path.stat().st_size < 200_000, path
    licence = (picture_fonts.FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence


def test_the_subset_holds_every_character_viz_draws_in_zh_tw():
    assert subset_font.check() == []
    chars = subset_font.characters()
    assert len(HAN.findall(chars)) > 100  # legends, cards, player: the real translations, not a stub


@pytest.mark.parametrize("bold", [False, True])
def test_every_glyph_differs_from_the_missing_glyph_box(bold):
    box = render_text(NOT_IN_SUBSET, 40, bold)
    box_ink = ink(box)
    assert box_ink, "the missing-glyph box draws something to compare with"
    for ch in subset_font.characters():
        if not HAN.match(ch):
            continue
        glyph = render_text(ch, 40, bold)
        assert ink(glyph), f"{ch!r} draws nothing"
        assert ink(glyph) != box_ink or glyph.size != box.size, f"{ch!r} draws as the missing-glyph box"


# ----------------------------------------------------------------------------------------------
# The drawings viz makes in zh-TW
# ----------------------------------------------------------------------------------------------

def test_english_drawings_use_no_font_of_ours():
    for picture in zh_pictures():   # language: English here
        assert picture_fonts.SVG_FAMILY not in picture.source
        assert picture_fonts.for_png(picture.source) == picture.source


def test_graphviz_pure_alone_makes_boxes_too_narrow_for_chinese(zh_tw):
    """Why picture_fonts exists: graphviz-pure makes a box too narrow for a Chinese word."""
    word = "連鎖律步驟已做完" * 3
    dot = f'digraph {{ a [shape=box, margin=0, fontname="Helvetica", fontsize=11, label="{word}"] }}'
    svg = viz.render(dot, "svg").decode("utf-8")
    width = float(re.search(r'points="([\d.]+),', svg).group(1))
    assert width < 0.9 * picture_fonts.width_pt(word, 11)  # measured: 220 pt for a 264 pt word


def texts_and_cells(svg):
    """Each painted text with the smallest drawn rectangle around its start, in SVG units."""
    shift = re.search(r'translate\(([-\d.]+)[ ,]([-\d.]+)\)', svg)
    tx, ty = float(shift.group(1)), float(shift.group(2))
    rects = []
    for points in re.findall(r'<polygon[^>]*stroke="(?!none)[^"]*"[^>]*points="([^"]+)"', svg):
        xy = [tuple(map(float, p.split(","))) for p in points.split()]
        xs, ys = [x + tx for x, _ in xy], [y + ty for _, y in xy]
        rects.append((min(xs), min(ys), max(xs), max(ys)))
    found = []
    for x, y, anchor, size, bold, _fill, text in picture_fonts.texts_to_paint(svg):
        around = [r for r in rects if r[0] <= x <= r[2] and r[1] <= y <= r[3]]
        found.append((x, y, size, bold, text, min(around, key=lambda r: (r[2] - r[0]) * (r[3] - r[1]))
                      if around else None))
    return found


def test_every_chinese_text_fits_its_box_in_the_svg(zh_tw):
    checked = 0
    for picture in zh_pictures():
        svg = picture._raw_svg()
        width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', svg).group(1))
        for x, y, size, bold, text, cell in texts_and_cells(svg):
            assert HAN.search(text) or "→" in text or "：" in text
            right = x + picture_fonts.width_pt(text, size, bold)
            limit = cell[2] if cell else width
            assert right <= limit + 0.01, f"{text!r} runs {right - limit:.1f} pt past its box"
            if cell:
                assert x >= cell[0] and y - size <= cell[3] and y >= cell[1], f"{text!r} is outside its box"
            checked += 1
    assert checked >= 25


def test_the_png_shows_the_chinese_glyphs_where_the_svg_puts_them(zh_tw):
    """The stored kind of PNG: at each Chinese text, its glyphs in ink, not missing-glyph boxes."""
    for picture in zh_pictures():
        png = Image.open(io.BytesIO(picture.png())).convert("L")
        svg = picture._raw_svg()
        scale = png.height / float(re.search(r'viewBox="[\d.]+ [\d.]+ [\d.]+ ([\d.]+)', svg).group(1))
        for x, y, anchor, size, bold, _fill, text in picture_fonts.texts_to_paint(svg):
            assert_glyphs_at(png, scale, x, y, anchor, size, bold, text)


def assert_glyphs_at(png, scale, x, y, anchor, size, bold, text):
    """The picture's ink where `text` sits matches `text` in the font far better than boxes do."""
    font = ImageFont.truetype(str(picture_fonts.FONT_FILES[bold]), size * scale)
    box = font.getbbox(text, anchor=anchor)
    left, top = round(x * scale + box[0]) - 1, round(y * scale + box[1]) - 1
    right, bottom = round(x * scale + box[2]) + 1, round(y * scale + box[3]) + 1
    crop = png.crop((left, top, right, bottom))

    def drawn(words):
        image = Image.new("L", crop.size, 255)
        ImageDraw.Draw(image).text((x * scale - left, y * scale - top), words, font=font, fill=0, anchor=anchor)
        return ink(image)

    def found(wanted, seen):   # the share of the wanted ink the picture has (cell borders may add more)
        return len(wanted & seen) / max(1, len(wanted))

    def best(wanted, seen):    # the scale is read from the PNG's size, so allow a pixel either way
        return max(found({(x + dx, y + dy) for x, y in wanted}, seen) for dx in (-1, 0, 1) for dy in (-1, 0, 1))

    seen, boxes = ink(crop), drawn(HAN.sub(NOT_IN_SUBSET, text))
    expected = drawn(text)
    assert best(expected, seen) > 0.6, f"{text!r}: the PNG does not show it"
    assert best(boxes, seen) < best(expected, seen) - 0.2, f"{text!r} shows as missing-glyph boxes"


def test_a_player_and_its_gif_carry_the_chinese_card(zh_tw, tmp_path):
    stepper = viz.BackpropStepper(small_graph())
    player = stepper.player()
    assert "逐步播放器" in player.text and "逐步播放器" in player._repr_html_()
    assert Image.open(io.BytesIO(player.png)).size[0] > 100
    gif = Image.open(stepper.to_gif(tmp_path / "steps.gif"))
    assert gif.n_frames == stepper.n_steps + 2


def test_plots_draw_chinese_with_no_missing_glyph(zh_tw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = viz.plot_function(lambda x: x * x, tangents_at=[1.0])
        fig.savefig(io.BytesIO(), format="png")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("斜率" in label for label in labels)
    assert not [w for w in caught if "missing from font" in str(w.message)]


# ----------------------------------------------------------------------------------------------
# What the zh-TW notebooks store
# ----------------------------------------------------------------------------------------------

def stored_drawings():
    """(notebook, SVG, PNG) of every stored zh-TW output whose SVG has text picture_fonts paints."""
    for path in sorted((ROOT / "zh-TW").rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                svg = data.get("image/svg+xml")
                svg = "".join(svg) if isinstance(svg, list) else svg
                # One drawing per SVG (side_by_side nests several, each with its own origin).
                if svg and picture_fonts.SVG_FAMILY in svg and "image/png" in data and svg.count('id="graph0"') == 1:
                    yield path.relative_to(ROOT), svg, data["image/png"]


def test_stored_zh_tw_pngs_show_glyphs_not_boxes():
    import base64
    drawings = list(stored_drawings())
    assert len(drawings) >= 15, "the zh-TW notebooks store drawings with Chinese legends and cards"
    for path, svg, png64 in drawings:
        png = Image.open(io.BytesIO(base64.b64decode(png64))).convert("L")
        height = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ [\d.]+ ([\d.]+)', svg).group(1))
        scale = png.height / height
        for x, y, anchor, size, bold, _fill, text in picture_fonts.texts_to_paint(svg)[:3]:
            assert_glyphs_at(png, scale, x, y, anchor, size, bold, text)


# ----------------------------------------------------------------------------------------------
# In a real browser
# ----------------------------------------------------------------------------------------------

def test_in_chromium_every_chinese_text_fits_its_box(zh_tw, tmp_path):
    """A reader's browser with a Traditional-Chinese font (here the subset, as Noto Sans TC): each
    text's drawn width stays inside the cell Graphviz made for it."""
    import browser
    reason = browser.missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    regular = picture_fonts.FONT_FILES[False].as_uri()
    bold = picture_fonts.FONT_FILES[True].as_uri()
    svgs = "".join(viz.inline_svg(p._raw_svg()) for p in zh_pictures())
    page_html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
                 f"@font-face{{font-family:'Noto Sans TC';src:url('{regular}')}}"
                 f"@font-face{{font-family:'Noto Sans TC';font-weight:bold;src:url('{bold}')}}"
                 f"</style></head><body>{svgs}</body></html>")
    page_file = tmp_path / "zh.html"
    page_file.write_text(page_html, encoding="utf-8")
    measure = """() => [...document.querySelectorAll('text')]
        .filter(t => t.getAttribute('font-family').startsWith('Noto Sans TC'))
        .map(t => { const b = t.getBBox(); return [t.textContent, b.x, b.x + b.width]; })"""
    with sync_playwright() as playwright, browser.chromium(playwright) as ctx:
        page = ctx.new_page()
        page.goto(page_file.as_uri())
        page.evaluate("document.fonts.ready")
        assert page.evaluate("document.fonts.check('12px \"Noto Sans TC\"', '連鎖律')")
        drawn = page.evaluate(measure)
    expected = [(text, x, size, bold) for p in zh_pictures()
                for x, _y, _a, size, bold, _f, text in picture_fonts.texts_to_paint(p._raw_svg())]
    assert len(drawn) == len(expected) >= 25
    for (text, left, right), (text2, x, size, bold) in zip(drawn, expected):
        assert text == text2
        allowed = picture_fonts.width_pt(text, size, bold) + picture_fonts.SLACK_PT
        assert right - left <= allowed + 0.5, f"{text!r}: {right - left:.1f} pt drawn, {allowed:.1f} allowed"


def test_without_the_font_files_drawings_still_render(zh_tw, monkeypatch, tmp_path):
    """A copy without fonts/ (an installed wheel): boxes keep room for the text, Graphviz draws
    what it can (missing-glyph boxes, not nothing), and nothing raises."""
    monkeypatch.setattr(picture_fonts, "FONT_FILES", {False: tmp_path / "none.ttf", True: tmp_path / "none-b.ttf"})
    assert not picture_fonts.available()
    assert picture_fonts.width_pt("連鎖律 ab", 10) == pytest.approx(3 * 10 + 3 * 6)
    picture = viz.draw_dot(small_graph(), color="grad")
    assert picture_fonts.for_png(picture.source) == picture.source
    assert Image.open(io.BytesIO(picture.png())).size[0] > 100
