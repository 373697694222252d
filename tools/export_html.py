"""Export the whole series, lessons and solutions, as a static site that works offline.

    ./dev export            -> export/index.html, export/NN_*.html, export/solutions/*.html
    ./dev export --out DIR  -> somewhere else

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
TEMPLATES = Path(__file__).resolve().parent / "export_templates"
MATHJAX_SOURCE = Path(jupyter_server_mathjax.__file__).parent / "static"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"  # the one configuration the package ships
# A relative link to a notebook, with an optional #anchor: href="../03_x.ipynb#step-2".
NOTEBOOK_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:)([^"#]*?)\.ipynb(#[^"]*)?"', re.IGNORECASE)


class Page:
    """One notebook of the series and the page it becomes, relative to the export folder."""

    def __init__(self, path):
        self.path = path
        self.href = path.relative_to(NOTEBOOKS).with_suffix(".html").as_posix()
        self.nb = nbformat.read(path, as_version=4)
        self.title = title_of(self.nb, path.stem)

    @property
    def depth(self):
        return self.href.count("/")

    def link_to(self, other):
        """The relative href from this page to another one."""
        return posixpath.relpath(other.href, posixpath.dirname(self.href) or ".")


def title_of(nb, fallback):
    """The first Markdown heading of a notebook, for the index and the navigation links."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def series_pages():
    """Lessons in series order (their NN_ prefix), and each lesson's solutions page if it has one."""
    lessons = [Page(p) for p in sorted(NOTEBOOKS.glob("*.ipynb"))]
    solutions = {}
    for path in sorted((NOTEBOOKS / "solutions").glob("*_solutions.ipynb")):
        solutions[path.name.removesuffix("_solutions.ipynb")] = Page(path)
    return [(lesson, solutions.get(lesson.path.stem)) for lesson in lessons]


def navigation(page, sequence, position, counterpart):
    """Previous / index / next links (within the lessons, or within the solutions) for one page."""
    def link(other, title=None):
        return None if other is None else {"href": page.link_to(other), "title": title or other.title}
    previous = sequence[position - 1] if position > 0 else None
    following = sequence[position + 1] if position + 1 < len(sequence) else None
    counterpart_title = None
    if counterpart is not None:
        counterpart_title = "Solutions" if page.depth == 0 else "Back to the lesson"
    return {"previous": link(previous), "next": link(following),
            "counterpart": link(counterpart, counterpart_title),
            "index": "../" * page.depth + "index.html",
            "mathjax": "../" * page.depth + f"mathjax/MathJax.js?config={MATHJAX_CONFIG}"}


def link_notebooks_to_pages(body):
    """Point every relative link to a notebook at its exported page (the .ipynb is not exported)."""
    return NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)


def export_page(exporter, page, nav, out_dir):
    resources = {"metadata": {"name": page.title}, "series": nav}
    body, _ = exporter.from_notebook_node(page.nb, resources=resources)
    target = out_dir / page.href
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(link_notebooks_to_pages(body), encoding="utf-8")


def index_page(pairs):
    rows = []
    for lesson, solutions in pairs:
        extra = f' &middot; <a href="{html.escape(solutions.href)}">solutions</a>' if solutions else ""
        rows.append(f'<li><a href="{html.escape(lesson.href)}">{html.escape(lesson.title)}</a>{extra}</li>')
    items = "\n".join(rows)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Backpropagation, step by step</title>
<style>body{{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.5}}</style></head>
<body><h1>Backpropagation, step by step</h1>
<p>The notebook series as static pages, in the order to read them; every page links to the previous
and the next one. Everything works offline: graphs, backprop players and formulas. To run the code
yourself, see the project's README.</p>
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
    pairs = series_pages()
    lessons = [lesson for lesson, _ in pairs]
    solutions = [s for _, s in pairs if s is not None]
    for position, (lesson, solution) in enumerate(pairs):
        export_page(exporter, lesson, navigation(lesson, lessons, position, solution), out_dir)
    for position, solution in enumerate(solutions):
        lesson = next(lesson for lesson, s in pairs if s is solution)
        export_page(exporter, solution, navigation(solution, solutions, position, lesson), out_dir)
    (out_dir / "index.html").write_text(index_page(pairs), encoding="utf-8")
    copy_mathjax(out_dir)
    print(f"exported {len(lessons)} lessons and {len(solutions)} solution notebooks to {out_dir}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
