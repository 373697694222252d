"""`./dev export`: the whole series, both editions (English, and zh-TW in export/zh-TW/), as a static
site that needs no network, with a link on every page to the same page in the other language.

Most tests read the HTML; the last ones open pages in Chromium with the network off (they skip
with one line without it), and tests/test_browser.py checks that MathJax typesets the formulas.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import export_html  # noqa: E402

LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted(p.stem for p in (ROOT / "notebooks" / "solutions").glob("*.ipynb"))
ZH_LESSONS = sorted(p.stem for p in (ROOT / "zh-TW").glob("*.ipynb"))
ZH_SOLUTIONS = sorted(p.stem for p in (ROOT / "zh-TW" / "solutions").glob("*.ipynb"))
EDITIONS = {"": (LESSONS, SOLUTIONS), "zh-TW/": (ZH_LESSONS, ZH_SOLUTIONS)}  # folder in the export: names


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    assert export_html.main(["--out", str(out)]) == 0
    return out


def pages(site):
    """Every page of both editions, the indexes included."""
    return [page for folder in (site, site / "zh-TW")
            for page in sorted(folder.glob("*.html")) + sorted((folder / "solutions").glob("*.html"))]


class Links(HTMLParser):
    """The href of every <a rel=...> on a page, by rel (nbconvert reorders attributes)."""

    def __init__(self, text):
        super().__init__()
        self.by_rel = {}
        self.counterparts = []
        self.languages = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "rel" in attrs:
            self.by_rel.setdefault(attrs["rel"], set()).add(attrs["href"])
        if tag == "a" and attrs.get("class") == "counterpart":
            self.counterparts.append(attrs["href"])
        if tag == "a" and attrs.get("class") == "language":
            self.languages.append((attrs["href"], attrs.get("hreflang")))


@pytest.mark.parametrize("folder", list(EDITIONS))
def test_every_notebook_becomes_a_page_and_the_index_lists_lessons_in_order(site, folder):
    lessons, solutions = EDITIONS[folder]
    assert lessons, f"no notebooks for the edition in {folder or 'the root'}"
    assert sorted(p.stem for p in (site / folder).glob("*.html")) == sorted(lessons + ["index"])
    assert sorted(p.stem for p in (site / folder / "solutions").glob("*.html")) == solutions
    index = (site / folder / "index.html").read_text(encoding="utf-8")
    positions = [index.index(f'href="{name}.html"') for name in lessons]
    assert positions == sorted(positions), "the index must list the lessons in series order"
    assert all(f'href="solutions/{name}.html"' in index for name in solutions)


def test_the_zh_tw_edition_has_every_english_page_and_speaks_zh_tw(site):
    assert ZH_LESSONS == LESSONS and ZH_SOLUTIONS == SOLUTIONS
    page = (site / "zh-TW" / "03_backprop_by_hand.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hant-TW">' in page and "反向傳播" in page
    assert re.search(r'rel="index"[^>]*>目錄<|>目錄</a>', page)
    assert '<html lang="en">' in (site / "03_backprop_by_hand.html").read_text(encoding="utf-8")


def test_every_page_links_the_same_page_in_the_other_language(site):
    """English NN.html <-> zh-TW/NN.html, solutions and indexes too; each link leads back."""
    for page in pages(site):
        relative = page.relative_to(site).as_posix()
        zh = relative.startswith("zh-TW/")
        languages = Links(page.read_text(encoding="utf-8")).languages
        assert languages, f"{relative} has no language link"
        expected = relative.removeprefix("zh-TW/") if zh else f"zh-TW/{relative}"
        for href, hreflang in languages:
            assert (page.parent / href).resolve() == (site / expected).resolve(), f"{relative} -> {href}"
            assert hreflang == ("en" if zh else "zh-Hant-TW"), f"{relative}: hreflang {hreflang}"


def test_players_and_graphs_come_along(site):
    page = (site / "04_chain_rule_automated.html").read_text(encoding="utf-8")
    assert 'class="mgplayer"' in page and 'class="mg-frame"' in page
    assert "<svg" in page


def test_no_script_style_or_font_comes_from_the_network(site):
    for page in pages(site):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', text)
        remote = [url for url in remote if not url.startswith(("https://github.com", "https://pypi.org"))]
        scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', text)
        assert all(not urlparse(s).scheme and not s.startswith("//") for s in scripts), \
            f"{page.name} loads a script from elsewhere: {scripts}"
        assert "require.js" not in text and "cdnjs" not in text and "unpkg" not in text, page.name
        stylesheets = [u for u in remote if u.endswith((".css", ".js", ".woff", ".woff2"))]
        assert not stylesheets, f"{page.name} loads {stylesheets}"
        links = [tag for tag in re.findall(r"<link\b[^>]*>", text) if re.search(r'href="(https?:)?//', tag)]
        assert not links, f"{page.name} links {links}"
        css_urls = re.findall(r"""(?:@import\s+|url\(\s*)["']?((?:https?:)?//[^"')\s]+)""", text)
        assert not css_urls, f"{page.name}'s styles load {css_urls}"
        if "MathJax.js" in text:
            assert "MathJax_Blank\", src: \"local('MathJax_Blank')\"" in text, \
                f"{page.name}: MathJax's blank font must not be requested (url('about:blank') is refused and logged)"
    assert (site / "mathjax" / "MathJax.js").is_file()
    assert (site / "mathjax" / "config" / "TeX-AMS-MML_HTMLorMML-full.js").is_file()


def test_every_local_link_leads_to_an_exported_file(site):
    broken = []
    notebook_links = 0
    for page in pages(site):
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            url = urlparse(href)
            if url.scheme or href.startswith(("#", "//")):
                continue
            notebook_links += url.path.endswith(".ipynb")
            if not (page.parent / unquote(url.path)).resolve().is_file():
                broken.append(f"{page.relative_to(site)} -> {href}")
    assert notebook_links == 0, "links to .ipynb files must point at their exported pages"
    assert not broken, "broken links:\n" + "\n".join(broken)


@pytest.mark.parametrize("folder", list(EDITIONS))
def test_every_page_links_previous_index_and_next_in_series_order(site, folder):
    lessons, solutions = EDITIONS[folder]
    order = [f"{name}.html" for name in lessons]
    for position, name in enumerate(order):
        links = Links((site / folder / name).read_text(encoding="utf-8")).by_rel
        assert links["index"] == {"index.html"}, name
        assert links.get("prev") == ({order[position - 1]} if position > 0 else None), name
        assert links.get("next") == ({order[position + 1]} if position + 1 < len(order) else None), name
    first = Links((site / folder / "solutions" / f"{solutions[0]}.html").read_text(encoding="utf-8"))
    assert first.by_rel["index"] == {"../index.html"}
    assert first.by_rel["next"] == {f"{solutions[1]}.html"}
    assert set(first.counterparts) == {f"../{solutions[0].removesuffix('_solutions')}.html"}


def test_a_link_to_a_notebook_keeps_its_anchor():
    body = '<a href="../03_x.ipynb#step-2">x</a> <a href="https://example.org/a.ipynb">y</a>'
    assert export_html.link_notebooks_to_pages(body) == \
        '<a href="../03_x.html#step-2">x</a> <a href="https://example.org/a.ipynb">y</a>'


# ----------------------------------------------------------------------------------------------
# In a browser, offline: no request leaves the page, nothing is logged, outputs line up with the text
# ----------------------------------------------------------------------------------------------

COLUMN = """() => {
  // Where the content of each kind of block starts: its left edge inside border and padding.
  const left = e => { const style = getComputedStyle(e);
    return Math.round(e.getBoundingClientRect().left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft)); };
  const shown = e => e.getClientRects().length > 0;
  const all = selector => Array.from(document.querySelectorAll(selector)).filter(shown).map(left);
  return {markdown: all('.jp-MarkdownCell .jp-RenderedMarkdown > p'),
          code: all('.jp-CodeCell .jp-InputArea-editor pre'),
          text_output: all('.jp-OutputArea-output > pre'),
          drawing: all('.jp-OutputArea-output > svg, .jp-OutputArea-output > img, .jp-OutputArea-output .mgplayer')};
}"""


@pytest.fixture(scope="module")
def offline_browser():
    import browser
    why = browser.missing()
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright, browser.chromium(playwright) as context:
        yield context, browser.offline(context)


@pytest.mark.parametrize("name", ["04_chain_rule_automated.html", "solutions/02_values_and_graphs_solutions.html",
                                  "zh-TW/solutions/02_values_and_graphs_solutions.html"])
def test_a_page_requests_nothing_offline_and_outputs_start_at_the_text_column(site, offline_browser, name):
    context, refused = offline_browser
    page = context.new_page()
    failed, logged = [], []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("console", lambda message: logged.append(f"{message.type}: {message.text}"))
    page.goto((site / name).as_uri())
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
                           " && MathJax.Hub.queue.running === 0", timeout=60_000)
    column = page.evaluate(COLUMN)
    page.close()
    assert not refused and not failed, f"{name} requested {refused + failed}"
    assert not [m for m in logged if m.startswith(("error", "warning"))], logged
    assert column["markdown"] and column["code"] and column["drawing"], column
    left = column["markdown"][0]
    for kind, edges in column.items():
        assert all(abs(edge - left) <= 1 for edge in edges), f"{name}: {kind} starts at {sorted(set(edges))}, the text at {left}"
