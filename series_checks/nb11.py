"""Checkers for notebook 11, the training loop.

Each checker rebuilds the notebook's tiny network itself (same data, same seed, same
initialisation), runs a reference computation with the engine, and compares the learner's answer
with it. The checkers that take a function also run it on models and learning rates drawn at random
for each check (fresh_rng()), which the learner cannot have seen. The learner's global `random`
state is saved and restored around every model build, so running a check never changes what the
notebook draws next.
"""

import itertools
import math
import numbers
import random

from micrograd_core import MLP, Value

from . import call_safely, checker, close, failed, fresh_rng, is_function, is_unwritten, is_waiting
from . import keep_random_state, passed, read_number, read_numbers, waiting
from series_language import _

__all__ = ["XS", "YS", "check_sgd_step", "check_learning_rate", "check_fixed_train"]

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]
TARGET_LOSS = 0.02   # exercise 2: loss after 20 updates must be below this
TARGET_STEPS = 20


# ----------------------------------------------------------------------------------------------
# The reference: the notebook's model, loss and loop
# ----------------------------------------------------------------------------------------------

def _model(seed=0):
    """MLP(3, [4, 4, 1]) with tanh everywhere, built from `seed` without touching the caller's RNG."""
    with keep_random_state():
        random.seed(seed)
        return MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")


def _loss(model):
    return sum((model(x) - y) ** 2 for x, y in zip(XS, YS))


def _reference_train(seed, lr, steps, zero_grad=True, with_model=False):
    """losses[k] is the loss measured at step k, before that step's update (and the trained model)."""
    model = _model(seed)
    losses = []
    for _ in range(steps):
        loss = _loss(model)
        if zero_grad:
            model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.data)
    return (losses, model) if with_model else losses


def _all_close(xs, ys, tol=1e-9):
    return len(xs) == len(ys) and all(close(a, b, tol) for a, b in zip(xs, ys))


# ----------------------------------------------------------------------------------------------
# Exercise 1: one update step
# ----------------------------------------------------------------------------------------------

def _prepared_step(seed, lr):
    """The model of `seed` after forward and backward, ready for a step of size lr: (model, lr,
    loss before, its parameters, their data and their grads)."""
    model = _model(seed)
    loss = _loss(model)
    model.zero_grad()
    loss.backward()
    params = model.parameters()
    return model, lr, loss.data, params, [p.data for p in params], [p.grad for p in params]


# The notebook's model at lr=0.001 (where the first-order prediction of the new loss is checked),
# then STEP_DRAWN models and learning rates drawn at random for each check.
FIRST_STEP = (0, 0.001)
STEP_DRAWN = 3


def _step_cases(rng):
    """(seed, lr) pairs: FIRST_STEP, then STEP_DRAWN drawn from rng, lr from 0.0005 to 0.5."""
    return [FIRST_STEP] + [(rng.randrange(1, 10 ** 6), round(10 ** rng.uniform(-3.3, -0.3), 6))
                           for _ in range(STEP_DRAWN)]


def _numbers(xs):
    """Every x is a plain number: an int, a float or a numpy number (not a bool, not a subclass that
    could say one thing as itself and another through float())."""
    return all(type(x) in (int, float) or type(x).__module__ == "numpy" and isinstance(x, numbers.Real)
               for x in xs)


def _step_hint(lr, before, grads, after, grads_after, right_before):
    """The hint for a step whose parameters did not all move by -lr * grad. right_before: the same
    function was right at the learning rates tried before this one."""
    expected = [d - lr * g for d, g in zip(before, grads)]
    if not _numbers(after):
        return _("a parameter's .data is no longer a plain number after your step: subtract lr * p.grad "
                 "from p.data, a float.")
    steps = [(d - a) / g for d, a, g in zip(before, after, grads) if abs(g) > 1e-6]
    constant = steps and all(close(k, steps[0], 1e-6) for k in steps) and steps[0] > 0
    if right_before:
        as_if = _(", where the parameters moved as if lr were {lr}").format(lr=f"{steps[0]:g}") if constant else ""
        return _("your step is right at the learning rates tried first, but not with lr={lr}{as_if}: "
                 "move every parameter by -lr * grad with the lr it is given, whatever its value.").format(
                     lr=f"{lr:g}", as_if=as_if)
    if _all_close(after, before):
        if not _all_close(grads_after, grads):
            return _("the parameters' .data did not move, but their .grad changed: the update belongs in "
                     "the value (.data); the gradient only says which way and how much.")
        return _("no parameter's .data changed. Rebinding the loop variable (p = ...) or building a new "
                 "Value leaves the model untouched: change the number stored inside each parameter object.")
    if _all_close(after, [d + lr * g for d, g in zip(before, grads)]):
        return _("every parameter moved uphill: the gradient points in the direction that increases the "
                 "loss, so the step must go the other way.")
    if _all_close(after, [d - g for d, g in zip(before, grads)]):
        return _("the parameters moved by a whole gradient: the step size lr is missing.")
    moved_right = sum(close(a, e, 1e-9) for a, e in zip(after, expected))
    if 0 < moved_right < len(after):
        return _("{moved} of {count} parameters moved correctly: every parameter in `params` "
                 "needs the update, not only some of them.").format(moved=moved_right, count=len(after))
    if constant:
        return _("with lr={lr} the parameters moved as if lr were {as_if}: use the lr argument "
                 "instead of a fixed number.").format(lr=f"{lr:g}", as_if=f"{steps[0]:g}")
    return _("each parameter should move by minus lr times its own gradient; print one parameter's data "
             "and grad before and after your step and compare by hand.")


def _grads_hint(grads, grads_after):
    """The hint for a step that moved every .data right but changed the .grad it read, or None."""
    if _all_close(grads_after, grads, 1e-12) and _numbers(grads_after):
        return None
    if not _numbers(grads_after) or not all(math.isfinite(g) for g in grads_after):
        return _("the parameters moved correctly, but after your step their .grad is not a finite number "
                 "(nan, inf or not a number at all): the update reads the gradients and must leave them "
                 "as backward() left them.")
    if all(g == 0.0 for g in grads_after):
        return _("the parameters moved correctly, but your step also set every .grad to 0: resetting is "
                 "zero_grad()'s beat, at the start of the next step. The update only reads the gradients: "
                 "leave .grad as backward() left it.")
    return _("the parameters moved correctly, but your step also changed their .grad: the update only "
             "reads the gradients; leave .grad as backward() left it.")


@checker
def check_sgd_step(sgd_step):
    """Exercise 1: sgd_step(params, lr) moves every p.data by -lr * p.grad and leaves p.grad alone.

    Run on the notebook's model and on models and learning rates drawn at random for each check;
    the first-order prediction of the new loss confirms the step on the notebook's model.
    """
    name = "Exercise 1" + _(" (one update step)")
    if is_waiting(sgd_step) or is_unwritten(sgd_step):
        return waiting(name, _("write the body of {name} in place of the `...`").format(name="sgd_step"))
    if not is_function(name, sgd_step, "sgd_step"):
        return False
    # Every model is built, and its grads filled in, before the learner's code first runs.
    prepared = [_prepared_step(seed, lr) for seed, lr in _step_cases(fresh_rng())]
    right_before = False
    for model, lr, loss0, params, before, grads in prepared:
        ok, outcome = call_safely(name, sgd_step, list(params), lr, case=_("with lr={lr}").format(lr=f"{lr:g}"))
        if not ok:
            return outcome
        after = [p.data for p in params]
        grads_after = [p.grad for p in params]
        if not (_numbers(after) and _all_close(after, [d - lr * g for d, g in zip(before, grads)])):
            return failed(name, _step_hint(lr, before, grads, after, grads_after, right_before))
        hint = _grads_hint(grads, grads_after)
        if hint:
            return failed(name, hint)
        right_before = True
    # Confirm with a second method: the first-order prediction of the new loss.
    model, lr, loss0, _params, _before, grads = prepared[0]
    new_loss = _loss(model).data
    predicted = loss0 - lr * sum(g * g for g in grads)
    if not (new_loss < loss0 and close(new_loss, predicted, 1e-3)):  # the outcome: the model learned
        return failed(name, _("the parameters moved as expected, but the loss did not fall as the "
                              "gradient predicts; tell your teacher."))
    return passed(name, _("Every parameter moved by -lr * grad, at {count} learning rates ({drawn} "
                          "drawn at random), and every grad was left as backward() left it. With lr={lr} "
                          "the loss went from {before} to {after}, and the first-order prediction "
                          "L - lr * sum(grad^2) gives {predicted}.").format(
                              count=len(prepared), drawn=STEP_DRAWN, lr=f"{lr:g}", before=f"{loss0:.4f}",
                              after=f"{new_loss:.4f}", predicted=f"{predicted:.4f}"))


# ----------------------------------------------------------------------------------------------
# Exercise 2: a learning rate that reaches the target
# ----------------------------------------------------------------------------------------------

@checker
def check_learning_rate(lr):
    name = "Exercise 2" + _(" (a learning rate that works)")
    if is_waiting(lr):
        return waiting(name, _("set {name} to a number").format(name="my_lr"))
    lr = read_number(name, lr, "my_lr")
    if lr is None:
        return False
    if lr <= 0:
        return failed(name, _("a learning rate must be a positive number: with lr <= 0 the update stands "
                              "still or climbs uphill."))
    if lr > 100:
        return failed(name, _("lr={lr} is enormous: the first step throws the weights so far that "
                              "every tanh saturates. Think in powers of ten, much smaller.").format(lr=f"{lr:g}"))
    losses = _reference_train(0, lr, TARGET_STEPS + 1)
    final = losses[TARGET_STEPS]
    if final < TARGET_LOSS:
        return passed(name, _("With lr={lr} the loss goes from {first} to {final} after "
                              "{steps} updates (target: below {target}).").format(
                                  lr=f"{lr:g}", first=f"{losses[0]:.4f}", final=f"{final:.4f}",
                                  steps=TARGET_STEPS, target=TARGET_LOSS))
    steadily_down = all(b <= a + 1e-12 for a, b in zip(losses, losses[1:]))
    if steadily_down:
        return failed(name, _("with lr={lr} the loss falls steadily but only reaches {final} after "
                              "{steps} updates: the steps are too timid, try a larger learning rate.").format(
                                  lr=f"{lr:g}", final=f"{final:.4f}", steps=TARGET_STEPS))
    return failed(name, _("with lr={lr} the loss does not fall steadily (it ends at {final}, "
                          "its lowest was {lowest}): the steps overshoot. Try a smaller learning rate.").format(
                              lr=f"{lr:g}", final=f"{final:.4f}", lowest=f"{min(losses):.4f}"))


# ----------------------------------------------------------------------------------------------
# Exercise 3: the bug in the loop
# ----------------------------------------------------------------------------------------------

# The notebook's call first; then, for each check, a model, a number of steps and a learning rate
# drawn at random (a model the notebook never shows).
def _fixed_train_cases(rng, steps, lr):
    """(seed, steps, lr): the notebook's model with the given steps and lr, then one drawn from rng."""
    return [(0, steps, lr), (rng.randrange(1, 10 ** 6), rng.randint(5, 15), round(rng.uniform(0.02, 0.15), 3))]


def _same_parameters(model, reference):
    return _all_close([p.data for p in model.parameters()], [p.data for p in reference.parameters()], 1e-6)


def _as_numbers(got, steps):
    """A list of losses as numbers (a loss kept as a Value counts as its .data); at most steps + 1 of
    them are read, so that a huge or endless list cannot hold the check. Anything else as it is."""
    if not isinstance(got, (list, tuple)):
        return got
    try:
        items = list(itertools.islice(iter(got), steps + 1))
    except Exception:  # noqa: BLE001 - a learner's list that fails to iterate: read_numbers says so
        return got
    return [v.data if isinstance(v, Value) else v for v in items]


def _fixed_train_hint(got, seed, steps, lr):
    if _all_close(got, [got[0]] * steps, 1e-9):
        return _("the loss never changes, so every update moved the parameters by zero. What are the "
                 "gradients worth at the moment the update reads them?")
    if _all_close(got, _reference_train(seed, lr, steps, zero_grad=False), 1e-6):
        return _("the loss moves, but exactly like the loop without zero_grad: the grads pile up from "
                 "one step to the next. Reset them once per step, at the right moment.")
    if got[-1] > got[0]:
        return _("the loss goes up: check the sign of the update.")
    return _("your losses differ from the reference loop. Keep the order of the four beats of a step "
             "and record loss.data before the update.")


@checker
def check_fixed_train(fixed_train, steps=30, lr=0.05):
    """Exercise 3: fixed_train(model, steps, lr) trains the model it is given and returns its losses.

    Run on the notebook's model and on one drawn at random for each check (with its own steps and
    lr); the model itself must end where the engine's reference loop takes it (a function that
    trains a model of its own does not pass).
    """
    name = "Exercise 3" + _(" (fix the loop)")
    if is_waiting(fixed_train) or is_unwritten(fixed_train):
        return waiting(name, _("write the body of {name} in place of the `...`").format(name="fixed_train"))
    if not is_function(name, fixed_train, "fixed_train"):
        return False
    cases = _fixed_train_cases(fresh_rng(), steps, lr)
    # The engine's reference runs, before the learner's code first runs.
    references = [_reference_train(seed, n_lr, n_steps, with_model=True) for seed, n_steps, n_lr in cases]
    notebooks_model = _reference_train(0, cases[1][2], cases[1][1])   # the second case's settings
    models = [_model(seed) for seed, _, _ in cases]                    # the models fixed_train gets
    first_losses = references[0][0]
    for (seed, n_steps, n_lr), (reference, trained), model in zip(cases, references, models):
        ok, got = call_safely(name, fixed_train, model, n_steps, n_lr,
                              case=_("on fixed_train(model, {steps}, {lr})").format(steps=n_steps, lr=n_lr))
        if not ok:
            return got
        got = read_numbers(name, _as_numbers(got, n_steps), _("the list of losses fixed_train returns"))
        if got is None:
            return False
        if len(got) != n_steps:
            return failed(name, _("fixed_train returned {count} losses for {steps} steps: record one "
                                  "loss per step.").format(count=len(got), steps=n_steps))
        if not _all_close(got, reference, 1e-6):
            if seed != 0 and _all_close(got, notebooks_model, 1e-6):
                return failed(name, _("your losses are those of the notebook's model, but the checker gave "
                                      "fixed_train another one: train the `model` argument, not a model "
                                      "made inside the function."))
            return failed(name, _fixed_train_hint(got, seed, n_steps, n_lr))
        if not _same_parameters(model, trained):
            return failed(name, _("the losses you return are right, but the model passed to fixed_train did "
                                  "not end where training takes it: update the parameters of the `model` "
                                  "argument itself."))
    return passed(name, _("The loss goes {first} -> {last} in {steps} steps, "
                          "exactly as the engine's reference loop, and the model you were given ends "
                          "with the reference's parameters (also on a second model, with steps and lr drawn at "
                          "random).").format(first=f"{first_losses[0]:.4f}", last=f"{first_losses[-1]:.4f}",
                                             steps=steps))
