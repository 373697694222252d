"""Export the whole series, lessons and solutions, as a static site that works offline.

    ./dev export            -> export/index.html, export/NN_*.html, export/solutions/*.html (English)
                               export/zh-TW/index.html, export/zh-TW/NN_*.html, ... (繁體中文版)
    ./dev export --out DIR  -> somewhere else

Both editions are exported: the English one from notebooks/, the zh-TW one from zh-TW/ into a zh-TW/
folder of the export. Every page, index included, links to the same page in the other language.
The pages are made from the outputs stored in the notebooks (made by ./dev regenerate), so nothing
is executed here. Nothing is loaded from the network: graphs are inline SVG (or PNG), the backprop
players carry their own script, and formulas are typeset by the copy of MathJax 2.7 that the
`jupyter-server-mathjax` package ships, copied into export/mathjax/. Links between notebooks point
at the exported pages, every page has previous / index / next links, and the index lists the
lessons in series order, each with its solutions.
"""

import argparse
import html
import posixpath
import re
import shutil
import sys
from pathlib import Path

import jupyter_server_mathjax
import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


class Edition:
    """One language of the series: where its notebooks are, where its pages go, the words of its pages."""

    def __init__(self, code, html_lang, source, folder, words):
        self.code, self.html_lang, self.source, self.folder, self.words = code, html_lang, source, folder, words

    @property
    def prefix(self):
        """The edition's folder inside the export, as an href prefix: "" or "zh-TW/"."""
        return f"{self.folder}/" if self.folder else ""


ENGLISH = Edition("en", "en", NOTEBOOKS, "", {
    "index": "Index", "solutions": "Solutions", "lesson": "Back to the lesson", "solutions_link": "solutions",
    "language": "繁體中文", "title": "Backpropagation, step by step",
    "intro": "The notebook series as static pages, in the order to read them; every page links to the previous "
             "and the next one. Everything works offline: graphs, backprop players and formulas. To run the code "
             "yourself, see the project's README."})
ZH_TW = Edition("zh_TW", "zh-Hant-TW", ROOT / "zh-TW", "zh-TW", {
    "index": "目錄", "solutions": "解答", "lesson": "回到課程", "solutions_link": "解答",
    "language": "English", "title": "一步一步學反向傳播",
    "intro": "這是筆記本系列的靜態網頁版，依閱讀順序排列；每一頁都連到上一頁和下一頁。圖、反向傳播播放器和數學式"
             "都能離線使用。想自己執行程式碼，請看專案的 README.zh-TW.md。"})
EDITIONS = (ENGLISH, ZH_TW)
TEMPLATES = Path(__file__).resolve().parent / "export_templates"
MATHJAX_SOURCE = Path(jupyter_server_mathjax.__file__).parent / "static"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"  # the one configuration the package ships
# A relative link to a notebook, with an optional #anchor: href="../03_x.ipynb#step-2".
NOTEBOOK_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:)([^"#]*?)\.ipynb(#[^"]*)?"', re.IGNORECASE)


class Page:
    """One notebook of the series and the page it becomes, relative to the export folder."""

    def __init__(self, path, edition=ENGLISH):
        self.path = path
        self.edition = edition
        # relative to the edition's folder of the export; site_href: relative to the export folder
        self.href = path.relative_to(edition.source).with_suffix(".html").as_posix()
        self.site_href = edition.prefix + self.href
        self.nb = nbformat.read(path, as_version=4)
        self.title = title_of(self.nb, path.stem)

    @property
    def depth(self):
        """How deep the page lies in its edition's folder (0 for a lesson, 1 for a solution)."""
        return self.href.count("/")

    @property
    def site_depth(self):
        """How deep the page lies in the export folder."""
        return self.site_href.count("/")

    def link_to(self, other):
        """The relative href from this page to another one (of either edition)."""
        return posixpath.relpath(other.site_href, posixpath.dirname(self.site_href) or ".")

    def same_page_in(self, edition):
        """The path of this page's notebook in another edition, if that edition has it."""
        path = edition.source / self.path.relative_to(self.edition.source)
        return path if path.is_file() else None


def title_of(nb, fallback):
    """The first Markdown heading of a notebook, for the index and the navigation links."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def series_pages(edition=ENGLISH):
    """Lessons in series order (their NN_ prefix), and each lesson's solutions page if it has one."""
    lessons = [Page(p, edition) for p in sorted(edition.source.glob("*.ipynb"))]
    solutions = {}
    for path in sorted((edition.source / "solutions").glob("*_solutions.ipynb")):
        solutions[path.name.removesuffix("_solutions.ipynb")] = Page(path, edition)
    return [(lesson, solutions.get(lesson.path.stem)) for lesson in lessons]


def other_edition(edition):
    return ZH_TW if edition is ENGLISH else ENGLISH


def language_link(page):
    """The link to the same page in the other language, or None when the other edition lacks it."""
    other = other_edition(page.edition)
    path = page.same_page_in(other)
    if path is None:
        return None
    target = posixpath.relpath(other.prefix + path.relative_to(other.source).with_suffix(".html").as_posix(),
                               posixpath.dirname(page.site_href) or ".")
    return {"href": target, "title": page.edition.words["language"], "hreflang": other.html_lang}


def navigation(page, sequence, position, counterpart):
    """Previous / index / next links (within the lessons, or within the solutions) for one page,
    and the link to the same page in the other language."""
    def link(other, title=None):
        return None if other is None else {"href": page.link_to(other), "title": title or other.title}
    previous = sequence[position - 1] if position > 0 else None
    following = sequence[position + 1] if position + 1 < len(sequence) else None
    counterpart_title = None
    if counterpart is not None:
        counterpart_title = page.edition.words["solutions" if page.depth == 0 else "lesson"]
    return {"previous": link(previous), "next": link(following),
            "counterpart": link(counterpart, counterpart_title),
            "index": "../" * page.depth + "index.html", "index_title": page.edition.words["index"],
            "language": language_link(page),
            "mathjax": "../" * page.site_depth + f"mathjax/MathJax.js?config={MATHJAX_CONFIG}"}


def link_notebooks_to_pages(body):
    """Point every relative link to a notebook at its exported page (the .ipynb is not exported)."""
    return NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)


def export_page(exporter, page, nav, out_dir):
    resources = {"metadata": {"name": page.title}, "series": nav}
    body, _ = exporter.from_notebook_node(page.nb, resources=resources)
    # <html lang>: nbconvert's language_code accepts ISO 639-1 codes only (and its check reads the old
    # value), but a browser picks Traditional glyph forms for CJK text from "zh-Hant-TW", not from "zh".
    body = body.replace('<html lang="en">', f'<html lang="{page.edition.html_lang}">', 1)
    target = out_dir / page.site_href
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(link_notebooks_to_pages(body), encoding="utf-8")


def index_page(pairs, edition=ENGLISH):
    words = edition.words
    rows = []
    for lesson, solutions in pairs:
        extra = (f' &middot; <a href="{html.escape(solutions.href)}">{html.escape(words["solutions_link"])}</a>'
                 if solutions else "")
        rows.append(f'<li><a href="{html.escape(lesson.href)}">{html.escape(lesson.title)}</a>{extra}</li>')
    items = "\n".join(rows)
    other = other_edition(edition)
    language = posixpath.relpath(other.prefix + "index.html", edition.folder or ".")
    return f"""<!DOCTYPE html>
<html lang="{edition.html_lang}"><head><meta charset="utf-8"><title>{html.escape(words["title"])}</title>
<style>body{{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.5}}</style></head>
<body><p style="text-align:right"><a class="language" hreflang="{other.html_lang}" href="{language}">{html.escape(words["language"])}</a></p>
<h1>{html.escape(words["title"])}</h1>
<p>{html.escape(words["intro"])}</p>
<ol start="0">
{items}
</ol>
</body></html>
"""


def copy_mathjax(out_dir):
    target = out_dir / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(MATHJAX_SOURCE, target)


def page_exporter():
    """nbconvert's JupyterLab look with our page template (no CDN script, series navigation)."""
    return HTMLExporter(template_name="lab", extra_template_paths=[str(TEMPLATES)],
                        template_file="series_page.html.j2")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "export")
    args = parser.parse_args(argv)
    out_dir = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = page_exporter()
    for edition in EDITIONS:
        pairs = series_pages(edition)
        lessons = [lesson for lesson, _ in pairs]
        solutions = [s for _, s in pairs if s is not None]
        for position, (lesson, solution) in enumerate(pairs):
            export_page(exporter, lesson, navigation(lesson, lessons, position, solution), out_dir)
        for position, solution in enumerate(solutions):
            lesson = next(lesson for lesson, s in pairs if s is solution)
            export_page(exporter, solution, navigation(solution, solutions, position, lesson), out_dir)
        index = out_dir / edition.prefix / "index.html"
        index.write_text(index_page(pairs, edition), encoding="utf-8")
        print(f"exported {len(lessons)} lessons and {len(solutions)} solution notebooks ({edition.code})"
              f" to {index}")
    copy_mathjax(out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
