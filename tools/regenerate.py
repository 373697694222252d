"""Re-execute notebooks top to bottom and store their outputs: the only way outputs are made.

    ./dev regenerate                      every notebook in notebooks/ and zh-TW/, solutions included
    ./dev regenerate notebooks/03_*.ipynb only these
    ./dev regenerate --check [paths]      execute, compare with what is stored, write nothing;
                                          exit 1 if anything would change (PNG bytes excepted)

Outputs are deterministic by construction (seeds in the first cell, counters instead of ids,
rounded floats), so running this twice in a row changes nothing; --check proves it.
"""

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ZH_TW = ROOT / "zh-TW"   # the zh-TW edition (tools/i18n.py builds it; its outputs are made here too)
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
# Cell metadata that execution adds and that would only make diffs noisy.
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled")


def shown(path):
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def all_notebooks():
    found = []
    for folder in (NOTEBOOKS, ZH_TW):
        found += sorted(folder.glob("*.ipynb")) + sorted((folder / "solutions").glob("*.ipynb"))
    return [p for p in found if ".ipynb_checkpoints" not in p.parts]


def execute(path):
    """Run one notebook in a fresh kernel, in its own folder; return the executed notebook.

    Stored outputs are drawn by graphviz-pure, the default renderer, whatever else this machine has,
    so they are the same bytes everywhere (nbval compares them through the sanitizer, so any
    renderer passes).
    """
    nb = nbformat.read(path, as_version=4)
    stored_version = nb.metadata.get("language_info", {}).get("version")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    # startup_timeout: nbclient waits 60 s for a kernel by default, which a machine busy with
    # other jobs can exceed; a slow start is not a broken notebook.
    client = NotebookClient(nb, timeout=600, startup_timeout=300, kernel_name="python3",
                            record_timing=False, allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    env = dict(os.environ)
    # Stored drawings come from the default renderer, graphviz-pure (requirements.txt installs it),
    # which is also what a learner's live run uses: saving a notebook after running it changes nothing.
    env.pop("MICROGRAD_RENDERER", None)
    env.setdefault("PYTHONHASHSEED", "0")
    client.execute(env=env)  # the kernel's environment only; this process's stays as it was
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    keep_stored_python_version(nb, stored_version)
    return nb


def keep_stored_python_version(nb, stored_version):
    """Keep the interpreter version the notebook was stored with (3.11, 3.12 and 3.13 all run it).

    The kernel reports its own version in language_info; it says nothing about the notebook's
    content, and writing it would make every regeneration on another Python a change in git.
    """
    info = nb.metadata.get("language_info")
    if info is not None and stored_version:
        info["version"] = stored_version


def merge_streams(outputs):
    """Join consecutive stdout (or stderr) outputs into one.

    The kernel flushes its output buffer on a timer, so one print can arrive in one piece on one
    run and in two on the next; merged, the stored notebook is the same every time.
    """
    merged = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (out.output_type == "stream" and prev is not None and prev.output_type == "stream"
                and prev.name == out.name):
            prev.text += out.text
        else:
            merged.append(out)
    return merged


def comparable(nb):
    """The notebook as JSON, minus what may differ without meaning anything.

    That is PNG bytes, the Python version in language_info, and the outputs of cells marked
    `# NBVAL_IGNORE_OUTPUT` (timings), which nbval does not compare either.
    """
    nb = copy.deepcopy(nb)
    nb.metadata.get("language_info", {}).pop("version", None)  # the interpreter's, not the notebook's
    for cell in nb.cells:
        if cell.cell_type == "code" and "# NBVAL_IGNORE_OUTPUT" in cell.source.splitlines():
            cell.outputs = []
        for out in cell.get("outputs", []):
            if "data" in out and "image/png" in out["data"]:
                out["data"]["image/png"] = "<png>"
    return json.dumps(nb, sort_keys=True, indent=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or all_notebooks()
    changed = []
    for path in paths:
        start = time.perf_counter()
        nb = execute(path)
        seconds = time.perf_counter() - start
        if args.check:
            stored = nbformat.read(path, as_version=4)
            same = comparable(stored) == comparable(nb)
            if not same:
                changed.append(path)
            print(f"{'same   ' if same else 'CHANGED'} {seconds:6.1f} s  {shown(path)}")
        else:
            nbformat.write(nb, path)
            print(f"wrote   {seconds:6.1f} s  {shown(path)}")
    if changed:
        print(f"{len(changed)} notebook(s) would change: regenerate them with ./dev regenerate", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
