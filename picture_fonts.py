"""Chinese text in the pictures viz draws: the font, its widths, and painting it into PNGs.

graphviz-pure (the renderer the series installs) knows the widths of Latin letters only: it lays
out a Chinese character as 0.83 em (a real one is 1 em, so a box runs 17% short), and its PNGs
draw it as an empty box. Matplotlib's default font has no Chinese either. So text that holds Chinese (a zh-TW legend, card or title)
takes this path instead, and English pictures stay exactly as they were:

1. Width. The text sits alone in a Graphviz table cell of fixed size, as wide as the text really
   is in Noto Sans TC (measured from the font file), and starts at the cell's left edge. Boxes
   around it are then laid out for its real width.
2. SVG. The text keeps its characters and asks the browser for SVG_FAMILY: Noto Sans TC, else the
   Traditional-Chinese fonts of macOS and Windows, else any sans-serif font. A reader who can read
   the zh-TW notebook's Markdown has a font for it; every CJK font draws a Han character one em
   wide, which is what the cell allows.
3. PNG. Graphviz draws the picture with that text transparent (same layout), and Pillow paints
   the text into it with the font in fonts/, at the places the SVG gives. Stored PNGs (GitHub,
   untrusted notebooks, nbviewer) therefore show real glyphs on every machine.
4. Matplotlib gets the font as a fallback after its default (use_in_matplotlib).

fonts/ holds Noto Sans TC (SIL Open Font License 1.1), Regular and Bold, subset to the characters
viz's zh-TW text uses (tools/subset_font.py makes them; `./dev i18n check` says when a new
translation needs a character the subset lacks).
"""

import html
import io
import re
from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {False: FONT_DIR / "NotoSansTC-Regular-subset.ttf", True: FONT_DIR / "NotoSansTC-Bold-subset.ttf"}
FAMILY = "Noto Sans TC"
# What an SVG asks for; the PNG painter finds the text it paints by this exact name.
SVG_FAMILY = "Noto Sans TC,PingFang TC,Microsoft JhengHei,sans-serif"
SLACK_PT = 2.0      # a cell is this much wider than its text: a browser's fallback font may differ a little
LINE_HEIGHT = 1.3   # a line of text in a fixed cell, in ems

# Han characters, CJK punctuation and full-width forms: what graphviz-pure cannot measure or draw.
_NEEDS_FONT = re.compile(r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                         r"\ufe30-\ufe4f\uff00-\uffef]")


def needs_font(text):
    """True when Graphviz alone would draw `text` wrong (it holds Chinese)."""
    return bool(_NEEDS_FONT.search(str(text)))


@lru_cache(maxsize=None)
def _font(bold, size_px):
    from PIL import ImageFont
    return ImageFont.truetype(str(FONT_FILES[bold]), size_px)


def available():
    return all(path.is_file() for path in FONT_FILES.values())


def width_pt(text, size_pt, bold=False):
    """How wide `text` is in Noto Sans TC at size_pt points (a Han character: one em)."""
    if not available():  # no font files (a partial copy): one em per Han character, 0.6 em else
        return sum(size_pt if needs_font(ch) else 0.6 * size_pt for ch in text)
    return _font(bold, 1000).getlength(text) * size_pt / 1000


def html_label(text, size_pt, bold=False, italic=False, line_per_line=False):
    """`text` for a Graphviz HTML-like label, to be the whole content of a <td>.

    Text without Chinese is escaped as usual: newlines become <br/>, or with line_per_line every
    line ends in a left-aligned break. Text with Chinese becomes a one-cell table of fixed size,
    as wide as the text in Noto Sans TC, with the text starting at its left edge (see the module's
    docstring); Chinese is not slanted, so italic applies to Latin text only.
    """
    text = str(text)
    lines = text.splitlines() or [""]
    if not needs_font(text):
        if line_per_line:
            inner = "".join(html.escape(line, quote=True) + '<br align="left"/>' for line in lines)
        else:
            inner = html.escape(text, quote=True).replace("\n", "<br/>")
        return _styled(inner, bold, italic)
    width = max(width_pt(line, size_pt, bold) for line in lines) + SLACK_PT
    height = len(lines) * LINE_HEIGHT * size_pt
    inner = '<br align="left"/>'.join(f'<font face="{SVG_FAMILY}">{html.escape(line, quote=True)}</font>'
                                      for line in lines)
    return ('<table border="0" cellborder="0" cellspacing="0" cellpadding="0"><tr>'
            f'<td fixedsize="true" width="{width:.1f}" height="{height:.1f}" align="left" balign="left">'
            f'{_styled(inner, bold, False)}</td></tr></table>')


def _styled(inner, bold, italic):
    if italic:
        inner = f"<i>{inner}</i>"
    return f"<b>{inner}</b>" if bold else inner


def for_png(source):
    """The DOT text for the PNG: the same layout, with the text this module paints left transparent
    (without the font files, Graphviz draws it as it can: better boxes than nothing)."""
    if not available():
        return source
    return source.replace(f'<font face="{SVG_FAMILY}">', f'<font face="{SVG_FAMILY}" color="transparent">')


_TEXT = re.compile(r"<text\b([^>]*)>([^<]*)</text>")
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_TRANSLATE = re.compile(r'<g id="graph0"[^>]*?translate\(([-\d.]+)[ ,]([-\d.]+)\)')
_ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}


def texts_to_paint(svg_text):
    """(x, y, anchor, size, bold, fill, text) in the SVG's units of every text this module paints."""
    shift = _TRANSLATE.search(svg_text)
    tx, ty = (float(v) for v in shift.groups()) if shift else (0.0, 0.0)
    found = []
    for m in _TEXT.finditer(svg_text):
        attrs = dict(_ATTR.findall(m.group(1)))
        if attrs.get("font-family") != SVG_FAMILY:
            continue
        found.append((float(attrs["x"]) + tx, float(attrs["y"]) + ty, _ANCHORS[attrs.get("text-anchor", "start")],
                      float(attrs.get("font-size", "14")), attrs.get("font-weight") == "bold",
                      attrs.get("fill", "black"), html.unescape(m.group(2))))
    return found


def paint(png_bytes, svg_text, dpi):
    """The PNG Graphviz drew from for_png(source) at `dpi`, with the Chinese text painted in."""
    texts = texts_to_paint(svg_text)
    if not texts or not available():
        return png_bytes
    from PIL import Image, ImageDraw
    image = Image.open(io.BytesIO(png_bytes))
    mode = image.mode
    image = image.convert("RGBA")
    draw = ImageDraw.Draw(image)
    scale = dpi / 72.0  # SVG units are points; the PNG has dpi pixels per inch
    for x, y, anchor, size, bold, fill, text in texts:
        font = _font(bold, size * scale)
        draw.text((x * scale, y * scale), text, font=font, fill=fill, anchor=anchor)
    out = io.BytesIO()
    image.convert(mode if mode in ("RGB", "RGBA", "L") else "RGBA").save(out, format="PNG")
    return out.getvalue()


_matplotlib_ready = False


def use_in_matplotlib():
    """Let matplotlib draw Chinese: Noto Sans TC as a fallback after its usual sans-serif font, so
    Latin text looks as it always does and Chinese characters come from Noto Sans TC."""
    global _matplotlib_ready
    if _matplotlib_ready or not available():
        return
    import matplotlib
    from matplotlib import font_manager
    for path in FONT_FILES.values():
        font_manager.fontManager.addfont(str(path))
    # Matplotlib falls back glyph by glyph along font.family (not along the fonts a generic family
    # such as sans-serif lists), so the font goes there, after what is there already.
    families = list(matplotlib.rcParams["font.family"])
    if FAMILY not in families:
        matplotlib.rcParams["font.family"] = families + [FAMILY]
    _matplotlib_ready = True
