"""Build an otter-grader assignment from one lesson of the series (default: notebook 00).

    python grading/build_assignment.py [--lesson 00] [--out grading/build/00]

writes `<out>/<lesson>_assignment.ipynb`, an otter-assign master notebook: the lesson's set-up cell,
then for each exercise its statement (from the lesson), its solution (from the solutions notebook,
hidden from students: the answer variables become `...`) and one test that runs the exercise's own
checker quietly:

    with quiet():
        verdict = nb00.check_new_L(new_L)
    assert verdict, verdict.message

So the grade and the hint a learner sees come from the same checker. A checker that takes a function
draws its cases afresh for every check (series_checks.fresh_rng), the grader's run included, so
nothing the learner's kernel saw or can read (the cases of an earlier check, a module constant)
makes a lookup table that passes; tests/test_grading.py grades one. Then, with otter-grader
installed (requirements-dev.txt, "grading" block; ./dev test installs it):

    otter assign <out>/00_assignment.ipynb <out>/dist      # student notebook + autograder.zip
    otter run -a <out>/dist/autograder/*.zip submission.ipynb

The autograder imports `micrograd_core` and `series_checks`: install this repository (pip install .)
wherever the grading runs, or put it on PYTHONPATH.
"""

import argparse
import ast
import glob
import os
import re
import sys

import nbformat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK_CALL = re.compile(r"^\s*(?P<module>nb\d\d)\.(?P<check>check_\w+)\((?P<args>.*)\)\s*$")


def _lesson_paths(number):
    (lesson,) = glob.glob(os.path.join(ROOT, "notebooks", f"{number}_*.ipynb"))
    name = os.path.splitext(os.path.basename(lesson))[0]
    return lesson, os.path.join(ROOT, "notebooks", "solutions", f"{name}_solutions.ipynb"), name


def _check_line(cell):
    """The `nbNN.check_x(args)` line of a code cell, as a match, or None."""
    if cell.cell_type != "code":
        return None
    for line in cell.source.splitlines():
        match = CHECK_CALL.match(line)
        if match:
            return match
    return None


def _answer_names(args):
    """The variable names the checker is called with (positional or keyword)."""
    call = ast.parse(f"f({args})").body[0].value
    values = list(call.args) + [k.value for k in call.keywords]
    return [v.id for v in values if isinstance(v, ast.Name)]


def _solution_source(cell, names):
    """The solution cell with otter's markers: answer assignments become `name = ...`, the other
    solution lines are removed from the student's copy, and the checker call stays."""
    lines = cell.source.splitlines()
    tree = ast.parse(cell.source)
    marks = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Expr) and CHECK_CALL.match(lines[stmt.lineno - 1]):
            continue                                          # the checker call: keep it as is
        targets = [t.id for t in getattr(stmt, "targets", []) if isinstance(t, ast.Name)]
        first = "  # SOLUTION" if any(t in names for t in targets) else "  # SOLUTION NO PROMPT"
        marks[stmt.lineno - 1] = first
        for i in range(stmt.lineno, stmt.end_lineno):
            marks[i] = "  # SOLUTION NO PROMPT"
    out = []
    for i, line in enumerate(lines):
        if i in marks:
            out.append(line + marks[i])
        elif line.strip().startswith("#"):
            continue                                          # a solution comment: not for students
        else:
            out.append(line)
    return "\n".join(out).strip() + "\n"


def _test_source(match):
    return (f"from series_checks import {match['module']}, quiet\n"
            f"with quiet():\n"
            f"    verdict = {match['module']}.{match['check']}({match['args']})\n"
            f"assert verdict, verdict.message\n")


def _raw(text):
    return nbformat.v4.new_raw_cell(text)


def build(number="00"):
    """The otter-assign master notebook for lesson `number`."""
    lesson_path, solutions_path, name = _lesson_paths(number)
    lesson = nbformat.read(lesson_path, as_version=4)
    solutions = nbformat.read(solutions_path, as_version=4)
    setup = next(c for c in lesson.cells if c.cell_type == "code")
    solved = {m["check"]: c for c in solutions.cells if (m := _check_line(c))}

    cells = [
        _raw("# ASSIGNMENT CONFIG\n"
             f"name: {name}\n"
             "init_cell: false\n"
             "check_all_cell: false\n"
             "export_cell: false\n"
             "run_tests: false\n"
             "generate: true\n"
             "tests:\n"
             "  ok_format: true\n"),
        nbformat.v4.new_markdown_cell(f"# Graded exercises of lesson {name}\n\n"
                                      "Each exercise is graded by the checker the lesson uses: run "
                                      "the cell below an answer to see its hint."),
        nbformat.v4.new_code_cell(setup.source),
    ]
    for i, cell in enumerate(lesson.cells):
        match = _check_line(cell)
        if not match:
            continue
        statement = next(c for c in reversed(lesson.cells[:i]) if c.cell_type == "markdown")
        solution = solved[match["check"]]
        names = _answer_names(match["args"])
        cells += [
            _raw(f"# BEGIN QUESTION\nname: {match['check']}\npoints: 1\ncheck_cell: false\n"),
            nbformat.v4.new_markdown_cell(statement.source),
            _raw("# BEGIN SOLUTION"),
            nbformat.v4.new_code_cell(_solution_source(solution, names)),
            _raw("# END SOLUTION"),
            _raw("# BEGIN TESTS"),
            nbformat.v4.new_code_cell(_test_source(match)),
            _raw("# END TESTS"),
            _raw("# END QUESTION"),
        ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="00", help="two-digit number of the lesson")
    parser.add_argument("--out", default=None, help="folder for the master notebook")
    args = parser.parse_args(argv)
    out = args.out or os.path.join(ROOT, "grading", "build", args.lesson)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"{args.lesson}_assignment.ipynb")
    nbformat.write(build(args.lesson), path)
    print(path)
    return path


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
