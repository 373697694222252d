"""Small helpers that the checker tests of notebooks 14-17 share: hostile answers, running a check
and reading what it printed, checks run in this process, and the names a lesson's first cell gives
the learner."""

import ast
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

import series_checks as sc

ROOT = Path(__file__).resolve().parent.parent


class AlwaysEqual:
    """An answer that claims to equal everything (and converts to nothing)."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


def raises(*args, **kwargs):
    raise RuntimeError("boom")


def returns_inf(*args, **kwargs):
    return math.inf


def returns_none(*args, **kwargs):
    return None


def returns_numpy_true(*args, **kwargs):
    return np.True_


def returns_numpy_bools(*args, **kwargs):
    return [np.False_] * 30


def unwritten(*args, **kwargs):
    ...


def stable_id(value):
    """A test id without memory addresses, so that every pytest-xdist worker collects the same ids."""
    text = getattr(value, "__name__", None) or repr(value)
    return re.sub(r" at 0x[0-9a-f]+", "", text)[:40]


def run(check, answer, capsys):
    """Run a checker; return (verdict, printed text), and make sure nothing leaked as a traceback."""
    verdict = check(answer)
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return verdict, out.out


def assert_refused(check, answer, capsys):
    verdict, text = run(check, answer, capsys)
    assert not verdict and verdict.kind in ("failed", "waiting"), text
    assert "✅" not in text and "[ok]" not in text
    assert sc.UNCHECKABLE not in text, text
    return verdict, text


def assert_waiting(check, answer, capsys):
    verdict, text = run(check, answer, capsys)
    assert not verdict and verdict.kind == "waiting", text
    return text


def numbers_in(expected):
    """The ways a hint could spell the expected value."""
    return {f"{expected:.4f}", f"{expected:.4g}", f"{expected:g}", repr(expected)}


def first_cell_namespace(notebook):
    """What the first code cell of a notebook imports: the names a learner has from the start."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    source = next("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    imports = [node for node in ast.parse(source).body if isinstance(node, (ast.Import, ast.ImportFrom))]
    namespace = {}
    exec(compile(ast.Module(imports, type_ignores=[]), notebook, "exec"), namespace)
    namespace.pop("__builtins__", None)
    return namespace


@pytest.fixture
def in_process(monkeypatch):
    """Checks run in this process, so that a function handed to them can record what it was called
    with (in a forked check its records would stay in the fork). A test module imports it by name."""
    monkeypatch.setenv("SERIES_CHECKS_IN_PROCESS", "1")


def two_checks_print_the_same(check, answer):
    """What a check prints when it passes does not depend on the cases it drew (stored outputs)."""
    with sc.quiet():
        first, second = check(answer), check(answer)
    assert first and second, first.message
    assert first.message == second.message
