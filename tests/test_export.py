"""`./dev export`: the whole series as a static site that needs no network.

These tests read the HTML; tests/test_browser.py opens a page in Chromium with the network off
and checks that MathJax typesets its formulas.
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


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    assert export_html.main(["--out", str(out)]) == 0
    return out


def pages(site):
    return sorted(site.glob("*.html")) + sorted((site / "solutions").glob("*.html"))


class Links(HTMLParser):
    """The href of every <a rel=...> on a page, by rel (nbconvert reorders attributes)."""

    def __init__(self, text):
        super().__init__()
        self.by_rel = {}
        self.counterparts = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "rel" in attrs:
            self.by_rel.setdefault(attrs["rel"], set()).add(attrs["href"])
        if tag == "a" and attrs.get("class") == "counterpart":
            self.counterparts.append(attrs["href"])


def test_every_notebook_becomes_a_page_and_the_index_lists_lessons_in_order(site):
    assert sorted(p.stem for p in site.glob("*.html")) == sorted(LESSONS + ["index"])
    assert sorted(p.stem for p in (site / "solutions").glob("*.html")) == SOLUTIONS
    index = (site / "index.html").read_text(encoding="utf-8")
    positions = [index.index(f'href="{name}.html"') for name in LESSONS]
    assert positions == sorted(positions), "the index must list the lessons in series order"
    assert all(f'href="solutions/{name}.html"' in index for name in SOLUTIONS)


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


def test_every_page_links_previous_index_and_next_in_series_order(site):
    order = [f"{name}.html" for name in LESSONS]
    for position, name in enumerate(order):
        links = Links((site / name).read_text(encoding="utf-8")).by_rel
        assert links["index"] == {"index.html"}, name
        assert links.get("prev") == ({order[position - 1]} if position > 0 else None), name
        assert links.get("next") == ({order[position + 1]} if position + 1 < len(order) else None), name
    first = Links((site / "solutions" / f"{SOLUTIONS[0]}.html").read_text(encoding="utf-8"))
    assert first.by_rel["index"] == {"../index.html"}
    assert first.by_rel["next"] == {f"{SOLUTIONS[1]}.html"}
    assert set(first.counterparts) == {f"../{SOLUTIONS[0].removesuffix('_solutions')}.html"}


def test_a_link_to_a_notebook_keeps_its_anchor():
    body = '<a href="../03_x.ipynb#step-2">x</a> <a href="https://example.org/a.ipynb">y</a>'
    assert export_html.link_notebooks_to_pages(body) == \
        '<a href="../03_x.html#step-2">x</a> <a href="https://example.org/a.ipynb">y</a>'
