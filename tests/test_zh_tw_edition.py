"""What surrounds the zh-TW notebooks (issue 20, item 5): README.zh-TW.md, the lecturer's guide in
zh-TW, the zh-TW Colab / Binder links, and `./dev lab zh-TW`.

The zh-TW prose is held to the same checks as the PO files: the helpers of tests/test_i18n.py
(OpenCC's s2tw leaves it unchanged; no term of the deny-list) are imported, not copied.
The offline export of both editions is tested in tests/test_export.py.
"""

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))
from test_i18n import _denied, s2tw  # noqa: E402, F401  (s2tw is a fixture)
import class_links  # noqa: E402
import series_language  # noqa: E402

README = ROOT / "README.md"
README_ZH = ROOT / "README.zh-TW.md"
GUIDE = ROOT / "TEACHING_WITH_THIS_SERIES.md"
GUIDE_ZH = ROOT / "TEACHING_WITH_THIS_SERIES.zh-TW.md"
ZH_LESSONS = sorted(p.name for p in (ROOT / "zh-TW").glob("*.ipynb"))
ZH_SOLUTIONS = sorted(p.name for p in (ROOT / "zh-TW" / "solutions").glob("*.ipynb"))
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def text(path):
    return path.read_text(encoding="utf-8")


def local_links(path):
    return [href for href in LINK.findall(text(path)) if not re.match(r"[a-z][a-z0-9+.-]*:", href)]


def github_slug(heading):
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to '-'."""
    kept = "".join(c for c in heading.strip().lower()
                   if c in " -_" or unicodedata.category(c)[0] in "LMN")
    return kept.replace(" ", "-")


def test_every_zh_tw_lesson_and_solution_is_linked_from_readme_zh_tw():
    assert len(ZH_LESSONS) == 19 and len(ZH_SOLUTIONS) == 19
    links = set(local_links(README_ZH))
    missing = [f"zh-TW/{n}" for n in ZH_LESSONS if f"zh-TW/{n}" not in links]
    missing += [f"zh-TW/solutions/{n}" for n in ZH_SOLUTIONS if f"zh-TW/solutions/{n}" not in links]
    assert not missing, f"README.zh-TW.md does not link {missing}"


@pytest.mark.parametrize("path", [README_ZH, GUIDE_ZH], ids=lambda p: p.name)
def test_every_local_link_and_anchor_resolves(path):
    broken = []
    for href in local_links(path) + (local_links(README) if path == README_ZH else []):
        target, _, anchor = href.partition("#")
        file = (ROOT / target) if target else path
        if not file.exists():
            broken.append(href)
        elif anchor and file.suffix == ".md":
            headings = [github_slug(line.lstrip("#")) for line in text(file).splitlines()
                        if line.startswith("#") and not line.startswith("#!")]
            if unquote(anchor) not in headings:
                broken.append(href)
    assert not broken, f"{path.name}: broken links {broken}"


def test_readme_links_readme_zh_tw_at_its_top():
    first = text(README).splitlines()[0]
    assert "(README.zh-TW.md)" in first and "繁體中文" in first, first
    assert "(README.md)" in text(README_ZH), "README.zh-TW.md must send readers to the English README"


@pytest.mark.parametrize("path", [README_ZH, GUIDE_ZH], ids=lambda p: p.name)
def test_no_simplified_character(path, s2tw):
    bad = [f"line {n}: {line!r} -> {s2tw(line)!r}"
           for n, line in enumerate(text(path).splitlines(), 1) if s2tw(line) != line]
    assert not bad, "\n".join(bad[:20])


@pytest.mark.parametrize("path", [README_ZH, GUIDE_ZH], ids=lambda p: p.name)
def test_no_mainland_term(path):
    bad = [f"line {n}: {hit}" for n, line in enumerate(text(path).splitlines(), 1) for hit in _denied(line)]
    assert not bad, "\n".join(bad[:20])


def test_interface_words_are_jupyterlabs():
    readme = text(README_ZH)
    assert "儲存格" in readme and "程式碼" in readme and "執行" in readme


def test_the_guide_keeps_every_number_and_code_block_of_the_english():
    english, chinese = text(GUIDE), text(GUIDE_ZH)
    numbers = set(re.findall(r"\d+(?:\.\d+)?", english))
    assert not [n for n in sorted(numbers) if n not in chinese], "numbers of the English guide missing"
    assert not [b for b in FENCE.findall(english) if b not in chinese], "code blocks must stay unchanged"
    headings = lambda t: [line for line in t.splitlines() if line.startswith("## ")]  # noqa: E731
    assert len(headings(chinese)) == len(headings(english))


def test_readme_zh_tw_class_links_are_current_and_point_into_zh_tw():
    readme = text(README_ZH)
    assert class_links.readme_block("zh_TW") in readme, "run: python tools/class_links.py --zh-TW --write-readme"
    for name in ZH_LESSONS:
        assert class_links.colab_link(name, "zh_TW") in readme
        assert "/blob/main/zh-TW/" in class_links.colab_link(name, "zh_TW")
    assert "urlpath=lab/tree/zh-TW/00_welcome.ipynb" in class_links.binder_link(edition="zh_TW")
    assert "zh-TW%2F00_welcome.ipynb" in class_links.nbgitpuller_link("https://hub.example.edu", edition="zh_TW")
    # the English links are unchanged
    assert "/blob/main/notebooks/" in class_links.colab_link(ZH_LESSONS[0])
    assert class_links.colab_first_cell().endswith("/notebooks")


def test_the_colab_cell_moves_into_a_folder_that_speaks_zh_tw(tmp_path, monkeypatch):
    """A Colab kernel starts in /content; the cell's %cd into the clone's zh-TW/ is what selects zh-TW."""
    cell = class_links.colab_first_cell("zh_TW")
    folder = cell.splitlines()[-1].removeprefix("%cd ")
    assert cell.splitlines()[-1].startswith("%cd ") and folder.startswith("/content/") and folder.endswith("/zh-TW")
    monkeypatch.delenv("SERIES_LANGUAGE", raising=False)
    clone = tmp_path / folder.removeprefix("/")
    clone.mkdir(parents=True)
    monkeypatch.chdir(clone.parent)
    assert series_language.language() == "en"
    monkeypatch.chdir(clone)
    assert series_language.language() == "zh_TW"


def test_dev_help_says_how_to_open_the_zh_tw_edition():
    out = subprocess.run(["bash", str(ROOT / "dev"), "help"], capture_output=True, text=True, check=True).stdout
    assert "./dev lab zh-TW" in out, out


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "jupyter").exists() or "VENV" in os.environ,
                    reason="needs the project's .venv")
def test_dev_lab_zh_tw_serves_the_zh_tw_folder():
    """`./dev lab zh-TW --version`: the whole path of ./dev lab, with jupyter lab only printing its version
    (8 s, most of it `jupyter trust`). `--zh-TW` takes the same branch of ./dev."""
    run = subprocess.run(["bash", str(ROOT / "dev"), "lab", "zh-TW", "--version"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "--ServerApp.root_dir=zh-TW" in run.stderr and "--zh-TW" not in run.stderr.split("jupyter lab ")[-1]
    assert "繁體中文版" in run.stderr
