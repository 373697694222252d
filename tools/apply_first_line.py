"""Put the series' first line at the top of each notebook's first code cell (idempotent).

    python tools/apply_first_line.py notebooks/*.ipynb notebooks/solutions/*.ipynb

The line lets a notebook import micrograd_core, viz and series_checks from a plain checkout
(Jupyter starts a kernel in the notebook's folder: the repo is `..` for a lesson, `../..` for a
solution). A notebook that already starts with it is left byte for byte as it was; an older
variant of the line (any first line that starts with `import sys; sys.path`) is replaced; nothing
else in the notebook changes (outputs, metadata and other cells are kept).
"""

import sys

import nbformat

FIRST_LINE = ('import sys; sys.path[:0] = ["..", "../.."]  '
              '# find micrograd_core, viz and series_checks in this checkout: nothing to install')
OLD_VARIANT_PREFIX = "import sys; sys.path"


def with_first_line(source):
    lines = source.split("\n")
    if lines[0] == FIRST_LINE:
        return source
    if lines[0].startswith(OLD_VARIANT_PREFIX):
        lines[0] = FIRST_LINE
    else:
        lines.insert(0, FIRST_LINE)
    return "\n".join(lines)


def apply(path):
    nb = nbformat.read(path, as_version=4)
    cell = next((c for c in nb.cells if c.cell_type == "code"), None)
    if cell is None:
        return "no code cell"
    new = with_first_line(cell.source)
    if new == cell.source:
        return "already has it"
    cell.source = new
    nbformat.write(nb, path)
    return "added"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for p in sys.argv[1:]:
        print(f"{apply(p):15} {p}")
