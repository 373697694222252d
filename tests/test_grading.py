"""Grading at scale: the checkers as otter-grader tests (grading/build_assignment.py).

The assignment is built from lesson 00 and its solutions, turned into a student notebook and an
autograder by `otter assign`, and four submissions are graded by `otter run`: the solved notebook
scores full marks; a wrong one (one wrong answer, one inf, the function left unwritten) and a blank one
score zero; and one whose function is a lookup table of the cases a check drew in the learner's own
kernel scores zero on that exercise (the checker draws fresh cases for every check, the grader's too).
"""

import json
import os
import subprocess
import sys

import nbformat
import pytest

otter = pytest.importorskip("otter", reason="otter-grader is not installed (requirements-dev.txt: ./dev test installs it)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grading"))
import build_assignment  # noqa: E402

# Grades every submission given on the command line with one autograder; prints
# {name: [score, max, {question: score}]}.
GRADE_ALL = """
import json, sys
from otter.run import main as run
scores = {}
for path in sys.argv[2:]:
    results = run(path, autograder=sys.argv[1], output_dir=None, no_logo=True)
    scores[path] = [results.total, results.possible, {q: results.get_score(q) for q in results.results}]
print("SCORES " + json.dumps(scores))
"""

# Exercise 3 of lesson 00 answered by a lookup table: the learner runs the checker once with a right
# function that writes down every case it is given (in a file: the check runs in a process of its
# own), then answers from what it wrote down. With cases fixed in the checker, this scored full marks.
LOOKUP_TABLE = """
import json, os, tempfile

seen_path = os.path.join(tempfile.mkdtemp(), "seen_cases.jsonl")


def case_key(L, nudges):
    return repr((round(L.data, 6), sorted((v.label, round(d, 6)) for v, d in nudges.items())))


def write_down(L, nudges):
    prediction = L.data + sum(leaf.grad * change for leaf, change in nudges.items())
    with open(seen_path, "a") as f:
        f.write(json.dumps([case_key(L, nudges), prediction]) + "\\n")
    return prediction


nb00.check_predict_L(write_down)
with open(seen_path) as f:
    seen = dict(json.loads(line) for line in f)


def predict_L(L, nudges):
    return seen[case_key(L, nudges)]


nb00.check_predict_L(predict_L)
"""


def _fill(student_path, out_path, answers):
    """A submission: the student notebook with `name = ...` lines replaced by `name = answer`."""
    nb = nbformat.read(student_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            for name, answer in answers.items():
                cell.source = cell.source.replace(f"{name} = ...", f"{name} = {answer}")
    nbformat.write(nb, out_path)
    return out_path


def _replace_cell(student_path, out_path, marker, source):
    """A submission: the student notebook with the code cell that contains `marker` replaced."""
    nb = nbformat.read(student_path, as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    cell.source = source
    nbformat.write(nb, out_path)
    return out_path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    work = tmp_path_factory.mktemp("otter")
    master = work / "00_assignment.ipynb"
    nbformat.write(build_assignment.build("00"), master)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, "-m", "otter", "assign", str(master), str(work / "dist")],
                   cwd=work, env=env, check=True, capture_output=True, text=True)
    (zip_path,) = (work / "dist" / "autograder").glob("*.zip")
    student = work / "dist" / "student" / "00_assignment.ipynb"
    submissions = {
        "solved": str(work / "dist" / "autograder" / "00_assignment.ipynb"),
        "wrong": str(_fill(student, work / "wrong.ipynb", {"new_L": "1.0", "nudged_L": 'float("inf")'})),
        "blank": str(student),
        "lookup": str(_replace_cell(_fill(student, work / "answered.ipynb", {"new_L": "-9.0", "nudged_L": "-7.8"}),
                                    work / "lookup.ipynb", "nb00.check_predict_L(", LOOKUP_TABLE)),
    }
    done = subprocess.run([sys.executable, "-c", GRADE_ALL, str(zip_path), *submissions.values()],
                          cwd=work, env=env, capture_output=True, text=True, timeout=1200)
    line = next((l for l in done.stdout.splitlines() if l.startswith("SCORES ")), None)
    assert line, f"otter run printed no scores:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    by_path = json.loads(line[len("SCORES "):])
    return {name: by_path[path] for name, path in submissions.items()}, student


def test_the_student_notebook_hides_the_answers(graded):
    _, student = graded
    text = student.read_text()
    assert "new_L = ..." in text and "nudged_L = ..." in text
    assert "-9.0" not in text and "-7.94" not in text


# Lesson 00's exercises: predict L (a number), predict L after a nudge (a number), predict_L (code).
EXERCISES = 3


def test_a_solved_submission_scores_full_marks(graded):
    scores, _ = graded
    total, possible, _ = scores["solved"]
    assert possible == EXERCISES and total == possible


@pytest.mark.parametrize("submission", ["wrong", "blank"])
def test_a_wrong_or_blank_submission_scores_zero(graded, submission):
    scores, _ = graded
    total, possible, _ = scores[submission]
    assert possible == EXERCISES and total == 0


def test_a_lookup_table_of_the_cases_a_check_drew_scores_zero_on_that_exercise(graded):
    """The grader's check draws its own cases: a table of those the learner's kernel saw is no answer."""
    scores, _ = graded
    total, possible, by_question = scores["lookup"]
    assert by_question["check_predict_L"] == 0, by_question
    assert by_question["check_new_L"] == by_question["check_nudged_L"] == 1, by_question
    assert possible == EXERCISES and total == EXERCISES - 1
