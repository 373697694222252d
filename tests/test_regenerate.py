"""Regenerating a notebook twice changes nothing: its stored outputs are what a fresh run makes.

nbval compares outputs through the sanitizer; this is stricter: the whole notebook as JSON (only
PNG bytes and the outputs of `# NBVAL_IGNORE_OUTPUT` cells are left out), as ./dev regenerate
would write it.
"""

import copy
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import regenerate  # noqa: E402

# The English notebooks. The zh-TW ones run the same code: nbval runs them in this suite, and CI's
# learner environment runs `tools/regenerate.py --check` over both editions (.ci/run), so running
# them here as well would only double the suite's time.
NOTEBOOKS = [p for p in regenerate.all_notebooks() if "zh-TW" not in p.relative_to(ROOT).parts]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(regenerate.ROOT)) for p in NOTEBOOKS])
def test_regenerating_changes_nothing(path):
    stored = nbformat.read(path, as_version=4)
    fresh = regenerate.execute(path)
    assert regenerate.comparable(fresh) == regenerate.comparable(stored), \
        f"{path.name} changes when regenerated: run ./dev regenerate {path.relative_to(ROOT)}"


def test_merge_streams_joins_split_prints():
    outs = [nbformat.v4.new_output("stream", name="stdout", text="a"),
            nbformat.v4.new_output("stream", name="stdout", text="b\n"),
            nbformat.v4.new_output("stream", name="stderr", text="c")]
    merged = regenerate.merge_streams(outs)
    assert [(o.name, o.text) for o in merged] == [("stdout", "ab\n"), ("stderr", "c")]


def test_comparison_ignores_the_python_version_but_not_outputs():
    """3.11, 3.12 and 3.13 report different versions; the notebook's content is what counts."""
    nb = nbformat.v4.new_notebook(metadata={"language_info": {"name": "python", "version": "3.11.7"}})
    nb.cells.append(nbformat.v4.new_code_cell("print(1)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="1\n")]))
    other = copy.deepcopy(nb)
    other.metadata.language_info.version = "3.13.0"
    assert regenerate.comparable(other) == regenerate.comparable(nb)
    other.cells[0].outputs[0].text = "2\n"
    assert regenerate.comparable(other) != regenerate.comparable(nb)
    regenerate.keep_stored_python_version(other, "3.11.7")
    assert other.metadata.language_info.version == "3.11.7"
