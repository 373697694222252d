"""Every notebook, read straight from its file: what nbval does not check but the series promises."""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import apply_first_line  # noqa: E402  the line every notebook starts with, and the script that adds it

NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
LESSONS = [p for p in NOTEBOOKS if p.parent.name == "notebooks"]
SOLUTIONS = [p for p in NOTEBOOKS if p.parent.name == "solutions"]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def cell_text(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def outputs_text(output):
    parts = [output.get("text", "")]
    for key, value in output.get("data", {}).items():
        if key.startswith("text/") or key == "image/svg+xml":
            parts.append(value)
    return "".join("".join(p) if isinstance(p, list) else p for p in parts)


def marked_to_raise(cell):
    return "raises-exception" in cell.get("metadata", {}).get("tags", []) or \
        any(line.strip() == "# NBVAL_RAISES_EXCEPTION" for line in cell_text(cell).splitlines())


def ids(paths):
    return [str(p.relative_to(ROOT / "notebooks")) for p in paths]


def test_there_are_notebooks():
    assert LESSONS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_execution_counts_are_in_order(path):
    counts = [c.get("execution_count") for c in load(path)["cells"]
              if c["cell_type"] == "code" and cell_text(c).strip()]
    assert counts == list(range(1, len(counts) + 1)), \
        f"{path.name}: execution counts {counts} are not 1..n: run ./dev regenerate {path.relative_to(ROOT)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_standard_kernel(path):
    spec = load(path)["metadata"].get("kernelspec", {})
    assert spec.get("name") == "python3" and spec.get("language") == "python"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_unexpected_errors_addresses_or_paths(path):
    for i, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                assert marked_to_raise(cell), f"{path.name} cell {i}: stored error {out.get('ename')}"
            text = outputs_text(out)
            assert not re.search(r" at 0x[0-9a-fA-F]+", text), f"{path.name} cell {i}: memory address in output"
            assert not re.search(r"(^|[\s'\"])/(root|home|tmp|Users|work)/", text), \
                f"{path.name} cell {i}: absolute path in output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_nbval_markers_are_whole_lines(path):
    for i, cell in enumerate(load(path)["cells"]):
        for line in cell_text(cell).splitlines():
            if "NBVAL_" in line:
                assert re.fullmatch(r"\s*# NBVAL_[A-Z_]+\s*", line), \
                    f"{path.name} cell {i}: an nbval marker must be a whole line: {line!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_plots_end_with_show_not_semicolon(path):
    for i, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] == "code":
            assert not re.search(r"plt\.[a-z_]+\(.*\);\s*$", cell_text(cell), re.M), \
                f"{path.name} cell {i}: end plot cells with plt.show(), not ';'"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_anatomy(path):
    """Objectives, a common-mistakes box, exercises, a summary, slide metadata, a seed first."""
    cells = load(path)["cells"]
    markdown = "\n".join(cell_text(c) for c in cells if c["cell_type"] == "markdown").lower()
    for needed in ("objectives", "common mistake", "exercise", "summary"):
        assert needed in markdown, f"{path.name}: no '{needed}' section"
    assert all("slideshow" in c.get("metadata", {}) for c in cells), f"{path.name}: cells without slide metadata"
    first_code = next(cell_text(c) for c in cells if c["cell_type"] == "code")
    assert "seed" in first_code, f"{path.name}: the first code cell must set the seeds"


TIME_LINE = re.compile(r"⏱️ \*\*Time:\*\* about (\d+) minutes for a learner alone, exercises included\.")
WORDS_PER_MINUTE = 130  # technical prose with formulas, read by a learner who also runs the cells


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_time_is_stated_the_same_way_and_fits_one_sitting(path):
    """Every lesson states its time in one form: a learner alone, exercises included. At most 60
    minutes (notebook 00, a welcome, about 20), and at least the time its prose takes to read."""
    cells = load(path)["cells"]
    markdown = "\n".join(cell_text(c) for c in cells if c["cell_type"] == "markdown")
    stated = TIME_LINE.findall(markdown)
    assert len(stated) == 1, f"{path.name}: state the time once, as '⏱️ **Time:** about NN minutes for a " \
                             f"learner alone, exercises included.' (found {len(stated)})"
    minutes = int(stated[0])
    limit = 20 if path.name.startswith("00") else 60
    assert minutes <= limit, f"{path.name}: {minutes} minutes is more than one sitting ({limit}): trim or split it"
    reading = len(re.findall(r"\w+", markdown)) / WORDS_PER_MINUTE
    assert reading <= minutes, f"{path.name}: its prose alone takes about {reading:.0f} minutes to read, " \
                               f"more than the {minutes} it states"


@pytest.mark.parametrize("path", LESSONS[:-1], ids=ids(LESSONS[:-1]))
def test_next_is_a_link_to_the_next_lesson(path):
    """Every lesson but the last ends with '**Next:** [NN · Title](NN_name.ipynb)' to the next one."""
    following = LESSONS[LESSONS.index(path) + 1].name
    markdown = "\n".join(cell_text(c) for c in load(path)["cells"] if c["cell_type"] == "markdown")
    assert re.search(r"\*\*Next:?\*?\*? ?\[[^\]]+\]\(" + re.escape(following) + r"\)", markdown), \
        f"{path.name}: its **Next:** must link to {following}"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_every_lesson_with_exercises_has_a_solution(path):
    names = {p.name for p in SOLUTIONS}
    assert path.name.replace(".ipynb", "_solutions.ipynb") in names, f"{path.name}: no solutions notebook"


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_solutions_pass_their_checks(path):
    """A solved exercise prints a confirmation, never a hint or a 'waiting' message."""
    text = "".join(outputs_text(o) for c in load(path)["cells"] for o in c.get("outputs", []))
    assert "✅" in text, f"{path.name}: no exercise confirmed"
    assert "❌" not in text and "⏳" not in text, f"{path.name}: an exercise is wrong or unanswered"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_first_cell_imports_from_the_checkout(path):
    first_code = next(cell_text(c) for c in load(path)["cells"] if c["cell_type"] == "code")
    assert first_code.split("\n")[0] == apply_first_line.FIRST_LINE, \
        f"{path.name}: the first code cell must start with the series' import line: " \
        f"run python tools/apply_first_line.py {path.relative_to(ROOT)}"
