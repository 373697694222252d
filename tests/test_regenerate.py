"""Regenerating a notebook twice changes nothing: its stored outputs are what a fresh run makes.

nbval compares outputs through the sanitizer; this is stricter: the whole notebook as JSON (only
PNG bytes and the outputs of `# NBVAL_IGNORE_OUTPUT` cells are left out), as ./dev regenerate
would write it.
"""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import regenerate  # noqa: E402

NOTEBOOKS = regenerate.all_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
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
