"""Export the whole series, lessons and solutions, as static HTML for learners without Python.

    ./dev export            -> export/index.html, export/NN_*.html, export/solutions/*.html
    ./dev export --out DIR  -> somewhere else

The pages are made from the outputs stored in the notebooks (made by ./dev regenerate), so nothing
is executed here. Graphs are inline SVG and the backprop players are self-contained HTML with
their own script, so every picture and player works offline; only LaTeX formulas use MathJax from
its CDN when a network is there (without one they show as plain TeX).
"""

import argparse
import html
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def title_of(nb, fallback):
    """The first Markdown heading of a notebook, for the index page."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def export_one(exporter, path, out_dir):
    nb = nbformat.read(path, as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title_of(nb, path.stem)}})
    target = out_dir / (path.stem + ".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target, title_of(nb, path.stem)


def index_page(lessons, solutions, out_dir):
    def items(entries):
        return "\n".join(f'<li><a href="{html.escape(str(t.relative_to(out_dir)))}">{html.escape(name)}</a></li>'
                         for t, name in entries)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Backpropagation, step by step</title>
<style>body{{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.5}}</style></head>
<body><h1>Backpropagation, step by step</h1>
<p>The notebook series as static pages: read them in order. The graphs and the backprop players
work offline; to run the code yourself, see the project's README.</p>
<h2>Lessons</h2><ol start="0">{items(lessons)}</ol>
<h2>Solutions to the exercises</h2><ul>{items(solutions)}</ul>
</body></html>
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "export")
    args = parser.parse_args(argv)
    out_dir = args.out.resolve()
    exporter = HTMLExporter(template_name="lab")
    lessons = [export_one(exporter, p, out_dir) for p in sorted(NOTEBOOKS.glob("*.ipynb"))]
    solutions = [export_one(exporter, p, out_dir / "solutions")
                 for p in sorted((NOTEBOOKS / "solutions").glob("*.ipynb"))]
    (out_dir / "index.html").write_text(index_page(lessons, solutions, out_dir), encoding="utf-8")
    print(f"exported {len(lessons)} lessons and {len(solutions)} solution notebooks to {out_dir}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
