"""Checkers for notebook 12, classifying moons.

The reference values are computed here with the engine (Value, relu, backward) and, for the
gradients, confirmed with symmetric finite differences, so a checker never trusts one method alone.
"""


from micrograd_core import Value

from . import call_and_read, check_number, checker, close, failed, is_function, is_unwritten
from . import is_waiting, numeric_derivative, passed, read_number, read_numbers, waiting
from series_language import _

__all__ = ["EX1_SCORES", "EX1_LABELS", "ALPHA", "LR", "W",
           "check_margin_loss", "check_score_grads", "check_accuracy",
           "check_l2_gradient", "check_shrink_factor"]

# Exercise 1: five scores and their labels
EX1_SCORES = [2.0, 0.5, -0.3, -1.5, 0.2]
EX1_LABELS = [1, 1, 1, -1, -1]
# Exercise 3: the L2 term alpha * sum(p * p), one parameter, one step
ALPHA = 1e-4
LR = 1.0
W = 0.8


# ----------------------------------------------------------------------------------------------
# Exercise 1: the margin loss of given scores, and its gradient with respect to each score
# ----------------------------------------------------------------------------------------------

def _margin_loss_values(scores, labels):
    """The engine's version: mean(relu(1 - y * s)), with the scores as leaves."""
    leaves = [Value(s, label=f"s{i}") for i, s in enumerate(scores)]
    terms = [(1 + -y * s).relu() for s, y in zip(leaves, labels)]
    loss = sum(terms) * (1.0 / len(terms))
    loss.backward()
    return loss.data, [s.grad for s in leaves]


def _margin_loss_float(scores, labels):
    return sum(max(0.0, 1.0 - y * s) for s, y in zip(scores, labels)) / len(scores)


@checker
def check_margin_loss(answer):
    name = "Exercise 1a" + _(" (margin loss)")
    expected, _grads = _margin_loss_values(EX1_SCORES, EX1_LABELS)
    n = len(EX1_SCORES)
    no_relu = sum(1 - y * s for s, y in zip(EX1_SCORES, EX1_LABELS)) / n
    flipped = _margin_loss_float(EX1_SCORES, [-y for y in EX1_LABELS])
    zero_one = _margin_loss_float(EX1_SCORES, [1 if y > 0 else 0 for y in EX1_LABELS])
    hints = [
        (expected * n, _("that is the sum over the five points: the loss is their mean.")),
        (no_relu, _("points whose margin y*s is already above 1 must contribute 0, not a negative amount: "
                    "that is what the relu (max with 0) is for.")),
        (no_relu * n, _("two things: points beyond the margin must contribute 0 (the relu), and the loss "
                        "is a mean, not a sum.")),
        (flipped, _("the margin is y * s, and the loss is relu(1 - margin): check the sign inside the relu.")),
        (zero_one, _("the labels are -1 and +1 here, not 0 and 1.")),
    ]
    return check_number(name, answer, expected, hints,
                        confirmed_by=_("The engine gives {value} as well.").format(value=f"{expected:.4f}"),
                        otherwise=_("compute the margin y*s of each point, then relu(1 - margin) of each, "
                                    "then their mean; a table with one row per point helps."))


@checker
def check_score_grads(answer):
    name = "Exercise 1b" + _(" (gradient of the loss with respect to each score)")
    if is_waiting(answer) or (isinstance(answer, (list, tuple)) and any(is_waiting(a) for a in answer)):
        return waiting(name, _("fill in the five gradients"))
    values = read_numbers(name, answer, "score_grads", length=len(EX1_SCORES))
    if values is None:
        return False
    _loss, expected = _margin_loss_values(EX1_SCORES, EX1_LABELS)
    numeric = []
    for i in range(len(EX1_SCORES)):
        def f(s, i=i):
            return _margin_loss_float(EX1_SCORES[:i] + [s] + EX1_SCORES[i + 1:], EX1_LABELS)
        numeric.append(numeric_derivative(f, EX1_SCORES[i]))
    if all(close(v, e) for v, e in zip(values, expected)):
        shown = ", ".join(f"{g:+.4f}" for g in numeric)
        return passed(name, _("The engine agrees, and nudging each score gives [{grads}].").format(grads=shown))
    n = len(EX1_SCORES)
    if all(close(v, e * n) for v, e in zip(values, expected)):
        return failed(name, _("right pattern, but each point's share is divided by the number of points: "
                              "the loss is a mean."))
    if all(close(v, -e) for v, e in zip(values, expected)):
        return failed(name, _("every sign is flipped: raising the score of a +1 point lowers its loss, so "
                              "that gradient is negative."))
    wrong = [i for i, (v, e) in enumerate(zip(values, expected)) if not close(v, e)]
    beyond = [i for i in wrong if EX1_LABELS[i] * EX1_SCORES[i] >= 1]
    if beyond:
        return failed(name, _("look at score {index}: its margin y*s is at least 1, so the relu is flat "
                              "there and a small change of that score does not change the loss.").format(
                                  index=beyond[0]))
    return failed(name, _("score {index} is off. Inside the margin, d relu(1 - y*s)/ds = -y; then "
                          "divide by the number of points.").format(index=wrong[0]))


# ----------------------------------------------------------------------------------------------
# Exercise 2: accuracy
# ----------------------------------------------------------------------------------------------

_ACC_CASES = [
    ([2.0, -1.0, 0.5, -0.2, 3.0, -4.0, 0.1, -0.1], [1, -1, -1, -1, 1, 1, 1, 1]),
    ([0.7, -0.3, 1.2, 0.0], [1, 1, 1, -1]),
    ([-0.5, -0.5, 0.4, 0.9, -2.0], [-1, -1, 1, 1, -1]),
]


def _reference_accuracy(scores, labels):
    return sum((1 if s > 0 else -1) == y for s, y in zip(scores, labels)) / len(scores)


@checker
def check_accuracy(accuracy):
    name = "Exercise 2" + _(" (accuracy)")
    if is_waiting(accuracy) or is_unwritten(accuracy):
        return waiting(name, _("write the body of {name} in place of the `...`").format(name="accuracy"))
    if not is_function(name, accuracy, "accuracy"):
        return False
    for scores, labels in _ACC_CASES:
        expected = _reference_accuracy(scores, labels)
        ok, got = call_and_read(name, accuracy, list(scores), list(labels), case=_("on scores {scores}").format(scores=scores),
                                name=_("what accuracy returns"))
        if not ok:
            return got
        if close(got, expected, 1e-9):
            continue
        n = len(scores)
        if close(got, 100 * expected, 1e-9):
            return failed(name, _("that looks like a percentage: return a fraction between 0 and 1."))
        if close(got, expected * n, 1e-9):
            return failed(name, _("that is the number of correct points: divide by the number of points."))
        if close(got, 1 - expected, 1e-9):
            return failed(name, _("that is the fraction of mistakes: count the points whose predicted class "
                                  "matches the label."))
        zero_as_plus = sum((1 if s >= 0 else -1) == y for s, y in zip(scores, labels)) / n
        if 0.0 in scores and close(got, zero_as_plus, 1e-9):
            return failed(name, _("a score of exactly 0 must count as class -1: the rule is score > 0 -> +1, "
                                  "otherwise -1 (careful: np.sign(0) is 0, which matches neither label)."))
        return failed(name, _("on scores {scores} with labels {labels} your function returns {got}. "
                              "A point is correct when its predicted class (+1 if score > 0, else -1) "
                              "equals its label.").format(scores=scores, labels=labels, got=f"{got:.4f}"))
    return passed(name, _("It matches the reference on {count} test cases, including a score "
                          "of exactly 0.").format(count=len(_ACC_CASES)))


# ----------------------------------------------------------------------------------------------
# Exercise 3: what the L2 term does to one parameter
# ----------------------------------------------------------------------------------------------

def _l2_grad_engine():
    p = Value(W, label="p")
    reg = ALPHA * (p * p)
    reg.backward()
    return p.grad


def _relatively_close(a, b, rel=1e-3):
    """Within rel of b's own size: the L2 numbers are tiny, so no absolute floor of 1 here."""
    return abs(a - b) <= rel * abs(b)


@checker
def check_l2_gradient(answer):
    name = "Exercise 3a" + _(" (gradient of the L2 term)")
    expected = _l2_grad_engine()
    numeric = numeric_derivative(lambda w: ALPHA * w * w, W, h=1e-4)
    if is_waiting(answer):
        return waiting(name)
    value = read_number(name, answer)
    if value is None:
        return False
    if _relatively_close(value, expected):
        return passed(name, _("The engine gives {grad} and a finite difference {numeric}.").format(
            grad=f"{expected:.1e}", numeric=f"{numeric:.1e}"))
    for wrong, message in [
        (ALPHA * W, _("the derivative of p*p is not p: where does the factor from the square go?")),
        (ALPHA * W * W, _("that is the value of the term; the question asks for its derivative with respect to p.")),
        (2 * W, _("the term is alpha * p^2: keep the alpha.")),
        (-expected, _("the gradient of alpha * p^2 has the sign of p.")),
    ]:
        if _relatively_close(value, wrong):
            return failed(name, message)
    return failed(name, _("differentiate alpha * p^2 with respect to p, then put in alpha = 1e-4 and p = 0.8."))


@checker
def check_shrink_factor(answer):
    name = "Exercise 3b" + _(" (shrink factor per step)")
    p = Value(W, label="p")
    (ALPHA * (p * p)).backward()
    expected = (W - LR * p.grad) / W  # one update with only the L2 gradient, as a factor
    if is_waiting(answer):
        return waiting(name)
    value = read_number(name, answer)
    if value is None:
        return False
    if abs(value - expected) < 1e-9:
        return passed(name, _("One update with the engine's L2 gradient takes p from {before} to "
                              "{after}: a factor {factor}.").format(before=W, after=f"{W * expected:.6f}",
                                                                    factor=f"{expected:.4f}"))
    for wrong, message in [
        (1 - ALPHA * LR, _("your factor misses something from the derivative of the square: take the "
                           "L2 gradient of exercise 3a as it is, and put it in the update.")),
        (1 + 2 * ALPHA * LR, _("with that factor p would grow: an update steps against the gradient. "
                               "Check the sign of the step.")),
        (2 * ALPHA * LR, _("that number is tiny, but one step barely changes p: the factor multiplies "
                           "the whole of p. Write the new p as (a number) * p.")),
        (W * expected, _("that is the new value of p; divide by p to get the factor.")),
    ]:
        if abs(value - wrong) < 1e-9:
            return failed(name, message)
    return failed(name, _("write the update p - lr * (gradient of the L2 term) and factor out p."))
