"""Unseen means unseen, and no answer key in reach: the checkers of notebooks 00, 03, 10, 11 and 13.

For every exercise that takes a function: its cases are drawn afresh for each check (a lookup table
of the cases one check drew fails the next), no function a learner can reach from the notebook's
namespace passes as the answer, and what a passing check prints does not depend on the cases drawn.
And each answer that used to pass although it is wrong is refused with a hint of its own:

- notebook 03, exercise 4: a pass_back that calls the engine's own chain-rule step
  (`node._backward()`, `node._chain_rule_step()`, `backward()`) or reads its stored local
  derivatives (`node._da`, `node._db`) instead of writing the step;
- notebook 10, exercise 2: a class that is called Value but is not the engine's; exercise 3: a model
  (or input) other than the one the exercise builds, e.g. a one-neuron model;
- notebook 11, exercise 1: an sgd_step right only at the learning rates the checker used to try, or
  one that moves every parameter right but leaves the grads nan (or changed);
- notebook 13: the module's reference functions, and tables of its fixed cases.

Each such test fails on the checkers as they were before (see the report of issue 19).
"""

import ast
import json
import math
import pathlib
import random

import pytest

import series_checks as sc
from checks_battery import (assert_a_lookup_table_fails, assert_distinct_hints, assert_hint,
                            assert_no_reachable_answer, assert_passes, assert_refuses_battery)
from micrograd_core import MLP, Value
from series_checks import nb00, nb03, nb10, nb11, nb13

REPO = pathlib.Path(__file__).resolve().parent.parent


def lesson_namespace(number):
    """What the first code cell of lesson `number` imports (its other lines set seeds)."""
    (path,) = (REPO / "notebooks").glob(f"{number}_*.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    source = next("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    imports = [node for node in ast.parse(source).body if isinstance(node, (ast.Import, ast.ImportFrom))]
    namespace = {}
    exec(compile(ast.Module(imports, type_ignores=[]), path.name, "exec"), namespace)
    namespace.pop("__builtins__", None)
    return namespace


@pytest.fixture
def in_process(monkeypatch):
    """Checks run in this process, so that a recorder sees the calls a check makes."""
    monkeypatch.setenv("SERIES_CHECKS_IN_PROCESS", "1")


def quietly(check, *args):
    with sc.quiet():
        return check(*args)


def same_message_twice(check, *args):
    """A right answer passes twice with the same words: nothing printed depends on the cases drawn."""
    first, second = quietly(check, *args), quietly(check, *args)
    assert first and second, first.message or second.message
    assert first.message == second.message


# ---------------------------------------------------------------------------------- right answers

def predict_L(L, nudges):
    return L.data + sum(leaf.grad * change for leaf, change in nudges.items())


def pass_back(node):
    x, y = node._prev
    if node._op == "+":
        x.grad = 1.0 * node.grad
        y.grad = 1.0 * node.grad
    elif node._op == "*":
        x.grad = y.data * node.grad
        y.grad = x.data * node.grad


def count_parameters(nin, nouts):
    sizes = [nin] + list(nouts)
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


def sgd_step(params, lr):
    for p in params:
        p.data -= lr * p.grad


def fixed_train(model, steps, lr):
    losses = []
    for _ in range(steps):
        loss = sum((model(x) - y) ** 2 for x, y in zip(nb11.XS, nb11.YS))
        model.zero_grad()
        loss.backward()
        sgd_step(model.parameters(), lr)
        losses.append(loss.data)
    return losses


def softmax(scores):
    m = max(scores)
    exps = [math.exp(z - m) for z in scores]
    return [e / sum(exps) for e in exps]


def ce_gradient(scores, target):
    return [p - (1.0 if k == target else 0.0) for k, p in enumerate(softmax(scores))]


FUNCTION_CHECKS = {
    "nb00 predict_L": (nb00.check_predict_L, predict_L, "00", nb00),
    "nb03 pass_back": (nb03.check_pass_back, pass_back, "03", nb03),
    "nb10 count_parameters": (nb10.check_count_parameters, count_parameters, "10", nb10),
    "nb11 sgd_step": (nb11.check_sgd_step, sgd_step, "11", nb11),
    "nb11 fixed_train": (nb11.check_fixed_train, fixed_train, "11", nb11),
    "nb13 softmax": (nb13.check_softmax, softmax, "13", nb13),
    "nb13 ce_gradient": (nb13.check_ce_gradient, ce_gradient, "13", nb13),
}


# ---------------------------------------------------------------------------------- every function exercise

@pytest.mark.parametrize("name", FUNCTION_CHECKS)
def test_no_function_in_reach_passes_as_the_answer(name):
    """Nothing callable in the checker module (private names included, and one level into the
    modules it imports from series_checks and micrograd_core) or in the lesson's first cell passes."""
    check, _, lesson, module = FUNCTION_CHECKS[name]
    assert_no_reachable_answer(check, module, lesson_namespace(lesson))


@pytest.mark.parametrize("name", FUNCTION_CHECKS)
def test_a_lookup_table_of_one_checks_cases_fails_the_next(name, in_process):
    check, right, _, _ = FUNCTION_CHECKS[name]
    assert_a_lookup_table_fails(check, right)


@pytest.mark.parametrize("name", FUNCTION_CHECKS)
def test_what_a_passing_check_prints_does_not_depend_on_the_cases_drawn(name):
    check, right, _, _ = FUNCTION_CHECKS[name]
    same_message_twice(check, right)


def test_the_modules_keep_no_fixed_cases_and_no_reference_function():
    for module, names in [(nb00, ["_rebuilt_L"]), (nb03, []), (nb10, ["COUNT_SHAPES", "_mlp_size", "_formula"]),
                          (nb11, ["STEP_CASES", "FIXED_TRAIN_CASES"]),
                          (nb13, ["EX1_CASES", "EX3_CASES", "reference_softmax", "reference_gradient",
                                  "engine_gradient", "_finite_difference_gradient"])]:
        for gone in names:
            assert not hasattr(module, gone), f"{module.__name__}.{gone}"


# ---------------------------------------------------------------------------------- notebook 00

class Replayer:
    """Records a right answer's results by what a case looks like, then answers from the record."""

    def __init__(self, right, key):
        self.right, self.key, self.table = right, key, {}

    def record(self, *args):
        result = self.right(*args)
        self.table[self.key(*args)] = result
        return result

    def replay(self, *args):
        return self.table[self.key(*args)]


def test_nb00_predict_L_a_table_of_cases_seen_in_the_kernel_fails(in_process):
    """The lookup the graded assignment must refuse (tests/test_grading.py grades it with otter)."""
    def key(L, nudges):
        return round(L.data, 6), tuple(sorted((v.label, round(d, 6)) for v, d in nudges.items()))
    table = Replayer(predict_L, key)
    assert quietly(nb00.check_predict_L, table.record) and table.table
    assert not quietly(nb00.check_predict_L, table.replay)


# ---------------------------------------------------------------------------------- notebook 03

def _reads_the_stored_local_derivatives(node):
    x, y = node._prev
    x.grad = node._da * node.grad
    y.grad = node._db * node.grad


def _reads_them_through_the_slot(node):
    x, y = node._prev
    x.grad = Value._da.__get__(node) * node.grad
    y.grad = Value._db.__get__(node) * node.grad


ENGINE_STEPS = [
    ((lambda n: n._backward(),), "calls the engine's own chain-rule step"),
    ((lambda n: n._chain_rule_step(),), "calls the engine's own chain-rule step"),
    ((lambda n: n.backward(),), "calls backward()"),
    ((_reads_the_stored_local_derivatives,), "reads the local derivatives the engine keeps in node._da"),
]


@pytest.mark.parametrize("mistake", ENGINE_STEPS, ids=["_backward()", "_chain_rule_step()", "backward()", "_da/_db"])
def test_nb03_pass_back_refuses_the_engines_own_step(mistake):
    args, words = mistake
    assert_hint(nb03.check_pass_back, args, words)


def test_nb03_pass_back_engine_mistakes_each_get_their_hint():
    results = [assert_hint(nb03.check_pass_back, args, words) for args, words in ENGINE_STEPS[1:]]
    assert_distinct_hints(results)
    # the engine's step taken from the class, and the slots read past the node's own attributes
    assert not quietly(nb03.check_pass_back, Value._chain_rule_step)
    assert not quietly(nb03.check_pass_back, _reads_them_through_the_slot)


def test_nb03_pass_back_a_replay_of_the_grads_of_seen_expressions_fails(in_process):
    """A pass_back that sets the grads it saw the right one set, for a node that looks the same."""
    seen = {}

    def key(node):
        x, y = node._prev
        return (node._op, round(node.grad, 6), round(x.data, 6), round(y.data, 6))

    def record(node):
        pass_back(node)
        seen[key(node)] = [child.grad for child in node._prev]

    def replay(node):
        for child, grad in zip(node._prev, seen[key(node)]):
            child.grad = grad
    assert quietly(nb03.check_pass_back, record) and seen
    assert not quietly(nb03.check_pass_back, replay)


# ---------------------------------------------------------------------------------- notebook 10

LearnersValue = type("Value", (), {})   # a learner's own class called Value, as in notebook 07


def test_nb10_exercise2_wants_the_engines_value_not_any_class_of_that_name():
    import micrograd_core
    from micrograd_core import Value as EngineValue
    check = nb10.check_exercise_2
    assert_passes(check, 3, EngineValue)
    assert_passes(check, 3, "Value")
    assert_hint(check, (3, LearnersValue), "that is a class called Value, but not the one the layer returns")
    micrograd = pytest.importorskip("micrograd.engine")
    assert_hint(check, (3, micrograd.Value), "it comes from 'micrograd.engine'")
    assert micrograd_core.Value is EngineValue


def nb10_model(seed=11, **kwargs):
    random.seed(seed)
    kwargs = kwargs or {"activation": "tanh", "output_activation": "tanh"}
    model = MLP(3, [4, 4, 1], **kwargs)
    x = [1.0, -2.0, 0.5]
    model(x).backward()
    return model, x


def nb10_answer(model):
    return max(((abs(w.grad), n.name) for layer in model.layers for n in layer.neurons for w in n.w))[1]


class LooksLikeTheModel:
    """The exercise's layers and parameters, but a call that answers something else."""

    def __init__(self, model):
        self.layers = model.layers

    def parameters(self):
        return [p for layer in self.layers for n in layer.neurons for p in n.w + [n.b]]

    def __call__(self, x):
        return Value(0.5)


def test_nb10_exercise3_checks_the_model_and_input_it_is_given():
    check = nb10.check_exercise_3
    model, x = nb10_model()
    answer = nb10_answer(model)
    assert_passes(check, answer, model, x)
    random.seed(0)
    one_neuron = MLP(3, [1], activation="tanh")
    one_neuron(x).backward()
    results = [
        assert_hint(check, ("L1 N1", one_neuron, x), "not the exercise's MLP(3, [4, 4, 1])"),
        assert_hint(check, (answer, nb10_model(seed=12)[0], x), "has the exercise's layers but not its weights"),
        assert_hint(check, (answer, nb10_model(activation="relu")[0], x), "not tanh everywhere"),
        assert_hint(check, (answer, model, [1.0, 2.0, 0.5]), "pass the input the cell uses"),
        assert_hint(check, (answer, "model3", x), "pass the network the cell builds"),
    ]
    assert_distinct_hints(results)
    # the right layers, but not the model: its answers on fresh inputs give it away
    assert_hint(check, (answer, LooksLikeTheModel(model), x), "has the exercise's layers but not its weights")


def test_nb10_exercise3_refuses_hostile_models_and_inputs():
    model, x = nb10_model()
    answer = nb10_answer(model)
    assert_refuses_battery(nb10.check_exercise_3, (answer, model, x), 1)
    assert_refuses_battery(nb10.check_exercise_3, (answer, model, x), 2)


def test_nb10_count_parameters_only_right_for_the_shapes_it_used_to_try_fails():
    old_shapes = [(3, [4, 4, 1]), (1, [1]), (2, [3]), (5, [2, 7, 3]), (10, [32, 1]), (4, [6, 6, 6, 2])]
    table = {(nin, tuple(nouts)): count_parameters(nin, nouts) for nin, nouts in old_shapes}
    assert not quietly(nb10.check_count_parameters, lambda nin, nouts: table.get((nin, tuple(nouts)), 0))


# ---------------------------------------------------------------------------------- notebook 11

def step_at(lrs):
    """An sgd_step right only at the learning rates in lrs (it uses 0.05 anywhere else)."""
    def step(params, lr):
        sgd_step(params, lr if lr in lrs else 0.05)
    return step


def then(change_grads):
    def step(params, lr):
        sgd_step(params, lr)
        for p in params:
            p.grad = change_grads(p.grad)
    return step


def test_nb11_sgd_step_is_checked_at_learning_rates_drawn_at_random():
    check = nb11.check_sgd_step
    assert_hint(check, (step_at({0.001, 0.1, 0.03}),), "right at the learning rates tried first, but not with lr=")
    assert_hint(check, (step_at({0.001}),), "as if lr were 0.05")


def test_nb11_sgd_step_must_leave_the_grads_as_backward_left_them():
    check = nb11.check_sgd_step
    results = [
        assert_hint(check, (then(lambda g: math.nan),), "their .grad is not a finite number"),
        assert_hint(check, (then(lambda g: math.inf),), "their .grad is not a finite number"),
        assert_hint(check, (then(lambda g: 0.0),), "also set every .grad to 0"),
        assert_hint(check, (then(lambda g: g / 2),), "also changed their .grad"),
    ]
    assert_distinct_hints(results[1:])
    assert_hint(check, (then(lambda g: "grad"),), "their .grad is not a finite number")


def test_nb11_sgd_step_gets_a_list_of_its_own():
    """Emptying the list it is given does not hide the parameters from the check."""
    def clears(params, lr):
        sgd_step(params, lr)
        params.clear()
    assert_passes(nb11.check_sgd_step, clears)


def test_nb11_fixed_train_is_checked_on_a_model_and_settings_drawn_at_random():
    def right_only_where_it_used_to_be_checked(model, steps, lr):
        if (steps, lr) in ((30, 0.05), (12, 0.1)):
            return fixed_train(model, steps, lr)
        return [1.0] * steps
    assert not quietly(nb11.check_fixed_train, right_only_where_it_used_to_be_checked)


# ---------------------------------------------------------------------------------- notebook 13

def test_nb13_a_cases_own_methods_are_no_answer():
    assert not quietly(nb13.check_softmax, nb13._Case.probabilities)
    assert not quietly(nb13.check_ce_gradient, nb13._Case.gradient)
    assert not quietly(nb13.check_ce_gradient, nb13._Case.engine_gradient)
    assert not quietly(nb13.check_ce_gradient, nb13._Case.numeric_gradient)


def test_nb13_a_table_of_the_old_fixed_cases_fails():
    old_ex1 = [[0.5, -1.0, 3.0, 0.0], [7.0], [0.0] * 5, [-2.5, 4.0], [1000.0, 1001.0, 999.0],
               [-3.5, 710.0, 2.0], [-1000.0, -1002.0, -1001.5]]
    old_ex3 = [([0.5, -1.0, 3.0], 0), ([1.0, 2.0, 3.0, 4.0], 3), ([-2.0, 0.0], 1), ([0.0, 0.0, 0.0], 2),
               ([800.0, -20.0, 3.0], 1)]
    ex1 = {tuple(s): softmax(s) for s in old_ex1}
    ex3 = {(tuple(s), t): ce_gradient(s, t) for s, t in old_ex3}
    assert not quietly(nb13.check_softmax, lambda s: ex1.get(tuple(s), [0.0] * len(s)))
    assert not quietly(nb13.check_ce_gradient, lambda s, t: ex3.get((tuple(s), t), [0.0] * len(s)))


def test_nb13_references_are_computed_before_the_learners_code_runs():
    """A softmax that replaces math.exp (so that a reference computed afterwards agrees with it)
    is still compared with the right probabilities."""
    def flattens_exp(scores):
        math.exp = lambda z: 1.0
        return [1.0 / len(scores)] * len(scores)
    exp = math.exp
    try:
        assert not quietly(nb13.check_softmax, flattens_exp)
    finally:
        math.exp = exp
