"""One vocabulary, everywhere a learner or an editor reads (../shared/TEACHING.md, "One vocabulary").

- An op states its *local derivatives*; *the chain-rule step* is the one place grads change (`+=`).
  "Backward rule" is the first edition's word: no notebook, solution, checker hint, README,
  docstring or comment uses it (or its cousins) for what the engine does.
- Every "notebook NN" names the notebook that teaches what the sentence is about.
- Every engine function a notebook prints is marked "printed in notebook NN" in micrograd_core.py,
  and every mark is true: editing a marked function changes a lesson.
"""

import ast
import json
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
LESSONS = {p.name[:2]: p for p in NOTEBOOKS if p.parent.name == "notebooks"}
PROSE_FILES = [ROOT / name for name in ("README.md", "TEACHING_WITH_THIS_SERIES.md", "AUTHORING.md")
               if (ROOT / name).exists()]
CODE_FILES = sorted([ROOT / "micrograd_core.py", ROOT / "viz.py", *(ROOT / "series_checks").glob("*.py"),
                     *(ROOT / "tools").glob("*.py"), *(ROOT / "grading").glob("*.py"), *(ROOT / "bench").glob("*.py")])

# The first edition's words for what the engine does today. Calculus keeps its rules (the chain rule,
# the power rule, the product rule); the engine's ops have local derivatives, and the grads change
# in one chain-rule step. The lecture's hand-written `_backward` closures are called just that.
OLD_PHRASES = [
    r"backward[- ]rules?",
    r"\b(?:each|every|its|their|a node's|node's|op's|operation's|this node's|that node's|own) rules?\b",
    r"\brules? (?:ran|run|runs|running|applied|applies)\b",
    r"\b(?:apply|applies|applied|applying|run|runs|ran|running) (?:the|its|their|a|each|every|one|this|that) "
    r"(?:node's )?rules?\b",
    r"\b[\w`'.()*+-]+'s rule\b",
    r"nothing is allocated per node",
    r"keeps? no closure per node",
    r"\brules? of (?:the|a|each|every|this|that) (?:node|op|operation)",
    r"\bthe rules? of\b",
]
ALLOWED = re.compile(r"\b(?:chain|power|product|quotient|sum|exponent|decision|sign|update)[- ]rules?\b", re.I)


def notebook_texts(path):
    """(where, text) for every cell's source and every text output of a notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        yield f"{path.relative_to(ROOT)} cell {i}", "".join(cell.get("source", ""))
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", ""))
            for key, value in out.get("data", {}).items():
                if key in ("text/plain", "text/markdown", "text/html"):
                    text += "".join(value)
            if text:
                yield f"{path.relative_to(ROOT)} cell {i} (output)", text


def all_texts():
    for path in NOTEBOOKS:
        yield from notebook_texts(path)
    for path in PROSE_FILES + CODE_FILES:
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def old_phrases_in(text):
    found = []
    for pattern in OLD_PHRASES:
        for m in re.finditer(pattern, text, re.I):
            start = max(0, m.start() - 30)
            context = text[start:m.end() + 30]
            if ALLOWED.search(text[max(0, m.start() - 12):m.end()]):
                continue
            found.append(f"{m.group(0)!r} in ...{context!r}...")
    return found


def test_old_phrases_are_found():
    """The test can fail: every old phrase the review quoted is caught."""
    for quote in ["each operation's backward rule", "the `+=` in every backward rule", "reading each backward rule",
                  "ran the backward rules", "New backward rules need a check", "applying its rule now",
                  "The `+=` in every rule", "nothing is allocated per node", "it keeps no closure per node",
                  "tanh's rule", "the rule of s = u * v", "each rule ran twice"]:
        assert old_phrases_in(quote), quote
    for fine in ["the chain rule", "the power rule lowers it by one", "the chain-rule step", "local derivatives"]:
        assert not old_phrases_in(fine), fine


def test_no_old_vocabulary_anywhere():
    problems = [f"{where}: {hit}" for where, text in all_texts() for hit in old_phrases_in(text)]
    assert not problems, "the first edition's words (say 'local derivatives' or 'the chain-rule step'):\n" + \
        "\n".join(problems[:60])


# ----------------------------------------------------------------------------------------------
# "notebook NN" names the notebook that teaches it
# ----------------------------------------------------------------------------------------------

# Words that only one notebook teaches. A sentence that names "notebook NN" and one of these words
# must name that word's notebook (it may name others too).
TAUGHT_IN = {
    "01": [r"finite differences?", r"nudg\w+", r"step size h"],
    "02": [r"operator overloading", r"ForwardStepper", r"forward stepper"],
    "03": [r"backprop by hand"],
    "04": [r"BackpropStepper", r"stepper", r"\bplayer\b", r"chain-rule card"],
    "05": [r"topological", r"recursion", r"recursive"],
    "06": [r"`?\+=`?", r"accumulat\w+", r"zero_grad", r"backward\(\)` twice", r"twice"],
    "07": [r"your own engine", r"from scratch"],
    "08": [r"overflow\w*", r"stable form", r"sigmoid", r"\bexp\b", r"division"],
    "09": [r"a neuron\b"],
    "10": [r"layers and MLPs", r"count(?:ing)? parameters"],
    "11": [r"training loop", r"learning rate", r"forgotten `?zero_grad"],
    "12": [r"moons", r"decision boundary", r"held-out accuracy", r"overfitting"],
    "13": [r"softmax", r"cross-entropy", r"log-sum-exp", r"p - y", r"largest logit"],
    "14": [r"\bAdam\b", r"momentum", r"mini-batch\w*", r"schedule"],
    "15": [r"language model", r"embedding\w*", r"bigram", r"weighted_sum", r"fused"],
    "16": [r"layer norm", r"update-to-data", r"dead ReLU", r"fan-in initiali[sz]ation"],
    "17": [r"self-attention", r"causal mask", r"tiny GPT", r"attention weights"],
    "18": [r"tensors?", r"vectori[sz]ed"],
}
REFERENCE = re.compile(r"\b[Nn]otebooks?\s+(\d\d)\b")


def reference_problems(text):
    """A "notebook NN" whose clause, just before it, names what another notebook teaches."""
    problems = []
    for m in REFERENCE.finditer(text):
        number = m.group(1)
        if number not in LESSONS:
            problems.append(f"notebook {number} does not exist: {text[max(0, m.start() - 60):m.end()]!r}")
            continue
        if re.match(r"\s*(?:to|-|–|and)\s*\d\d", text[m.end():]):  # "notebooks 04 to 06": a range
            continue
        # What the reference is about stands just before it, in its own clause: "the `+=` of
        # notebook 06", "(`+=`, notebook 06)".
        before = re.split(r"[.;:!?]\s|\n\s*\n|\n[-*] |\|", text[max(0, m.start() - 80):m.start()])[-1]
        owners = {n for n, words in TAUGHT_IN.items() for w in words if re.search(w, before)}
        if owners and number not in owners:
            problems.append(f"'{m.group(0)}' after what notebook {'/'.join(sorted(owners))} teaches: "
                            f"{(before + m.group(0)).strip()!r}")
    return problems


def test_wrong_references_are_found():
    assert reference_problems("The backward rules *add* into `.grad` (`+=`, notebook 05).")
    assert reference_problems("the `+=` of notebook 05")
    assert not reference_problems("the `+=` of notebook 06")
    assert not reference_problems("Notebook 05 builds the topological order without recursion.")
    assert reference_problems("see notebook 42")


def prose_texts():
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            source = "".join(cell.get("source", ""))
            if cell["cell_type"] == "code":  # comments only: code and outputs name notebooks rarely
                source = "\n".join(line.split("#", 1)[1] for line in source.splitlines() if "#" in line)
            yield f"{path.relative_to(ROOT)} cell {i}", source
    for path in PROSE_FILES + CODE_FILES:
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def test_every_notebook_reference_names_the_notebook_that_teaches_it():
    problems = [f"{where}: {p}" for where, text in prose_texts() for p in reference_problems(text)]
    assert not problems, "\n".join(problems[:40])


# ----------------------------------------------------------------------------------------------
# "printed in notebook NN" marks in the engine
# ----------------------------------------------------------------------------------------------

MARK = re.compile(r"#\s*printed in notebooks? ([\d, and]+)")


def engine_functions():
    """(qualified name, its source lines stripped, the notebooks its mark names) for every def."""
    source = (ROOT / "micrograd_core.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    item.qualname = f"{node.name}.{item.name}"
        if isinstance(node, ast.FunctionDef):
            mark = MARK.search(lines[node.lineno - 1])
            notebooks = set(re.findall(r"\d\d", mark.group(1))) if mark else set()
            body = [line.strip() for line in lines[node.lineno - 1:node.end_lineno]]
            found.append((getattr(node, "qualname", node.name), body, notebooks))
    return found


def printed_in(number):
    """The stripped lines of every output of lesson `number` and of its solutions notebook."""
    paths = [p for p in NOTEBOOKS if p.name.startswith(number)]
    text = "\n".join(text for p in paths for where, text in notebook_texts(p) if where.endswith("(output)"))
    return [line.strip() for line in text.splitlines()]


def contains_run(lines, run):
    first = run[0]
    return any(lines[i:i + len(run)] == run for i, line in enumerate(lines) if line == first)


def test_marks_say_which_notebooks_print_each_engine_function():
    outputs = {number: printed_in(number) for number in LESSONS}
    problems = []
    for name, body, marked in engine_functions():
        shown = {n for n, lines in outputs.items() if contains_run(lines, body)}
        if shown != marked:
            problems.append(f"{name}: marked {sorted(marked) or 'nothing'}, printed by {sorted(shown) or 'none'}")
    assert not problems, "fix the '# printed in notebook NN' marks in micrograd_core.py:\n" + "\n".join(problems)


def test_the_lecture_comes_first():
    """A reader meets the first op within 90 lines, every op's local derivatives beside it, and the
    line that ends the lecture after backward() and the network classes."""
    lines = (ROOT / "micrograd_core.py").read_text(encoding="utf-8").splitlines()
    first_op = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("def __add__"))
    assert first_op <= 90, f"the first op is at line {first_op}"
    end = next(i for i, line in enumerate(lines, 1) if "the lecture ends here" in line and line.startswith("# ="))
    for name in ("def backward(", "def topological_order(", "class MLP("):
        assert next(i for i, line in enumerate(lines, 1) if name in line) < end, name
    for name in ("def _backward_steps(", "def gradient_check(", "def weighted_sum(", "class _HandWritten("):
        assert next(i for i, line in enumerate(lines, 1) if name in line) > end, name
    # each primitive op hands its local derivatives to _node in its own body
    import micrograd_core
    for op in ("__add__", "__mul__", "_power", "_power_of_value", "exp", "log", "tanh", "relu", "sigmoid"):
        body = textwrap.dedent(__import__("inspect").getsource(getattr(micrograd_core.Value, op)))
        assert "_node(" in body and re.search(r"# d\(", body), op
