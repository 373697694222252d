"""`./dev export`: the whole series as static HTML, players included."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import export_html  # noqa: E402


def test_export_writes_every_notebook_and_an_index(tmp_path):
    assert export_html.main(["--out", str(tmp_path)]) == 0
    lessons = sorted(p.name for p in tmp_path.glob("*.html"))
    solutions = sorted(p.name for p in (tmp_path / "solutions").glob("*.html"))
    notebooks = sorted(p.stem + ".html" for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert lessons == sorted(notebooks + ["index.html"])
    assert len(solutions) == len(list((ROOT / "notebooks" / "solutions").glob("*.ipynb")))
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(name in index for name in notebooks)
    page = (tmp_path / "04_chain_rule_automated.html").read_text(encoding="utf-8")
    assert 'class="mgplayer"' in page and 'class="mg-frame"' in page  # the backprop player came along
    assert "<svg" in page  # graphs are inline SVG
