"""Checkers for notebook 14, optimisers and mini-batches.

Exercise 2 (Adam) and 3 (a cosine schedule) run the learner's function on cases drawn afresh for
every check (`fresh_rng`), so no learner has seen them and no table of earlier cases can pass. Every
step is compared with the reference; a wrong result is compared with the usual wrong versions (no
bias correction, g instead of g squared, no square root, ...) to name the mistake, and never shows
the expected value.

No answer key is in reach: each reference lives inside its check function. The lesson trains with
`adam_on_values` before Exercise 2 is done: an optimiser over a list of Values (not the exercise's
per-number function), which refuses to run inside a check.
"""

import math

from . import (call_safely, check_number, checker, close, failed, fresh_rng, function_not_ready, passed,
               quiet, read_number, read_numbers)
from series_language import N_, _

__all__ = ["adam_on_values", "check_momentum_step", "check_adam_update", "check_cosine_schedule"]


# ----------------------------------------------------------------------------------------------
# Exercise 1: the settled step of momentum
# ----------------------------------------------------------------------------------------------

MOMENTUM_LR, MOMENTUM_BETA, MOMENTUM_G = 0.01, 0.95, 2.0


@checker
def check_momentum_step(answer):
    name = "Exercise 1" + _(" (how fast does momentum run)")
    lr, beta, g = MOMENTUM_LR, MOMENTUM_BETA, MOMENTUM_G
    settled = g / (1 - beta)
    hints = [
        (lr * g, _("that is the step of plain SGD (lr times g), or of a velocity that never grows. With "
                   "momentum the velocity keeps adding new gradients: what does it settle at?")),
        (lr * g / (1 - 0.9), _("that would be right for beta = 0.9, the lesson's value; this exercise uses "
                               "beta = 0.95.")),
        (lr * g * (1 + beta), _("that is the step after two updates; the velocity keeps growing after that.")),
        (lr * g * (1 - beta), _("you multiplied by (1 - beta). The settled velocity is the sum of a geometric "
                                "series: g + beta g + beta^2 g + ...")),
        (settled, _("that is the settled velocity itself; the parameter moves by lr times the velocity.")),
        (lr * g * beta / (1 - beta), _("close: your series is missing its first term (the newest gradient, "
                                       "which enters with weight 1).")),
    ]
    return check_number(name, answer, lr * settled, hints=hints,
                        confirmed_by=_("A loop of 500 momentum steps gives a velocity of {velocity}, times "
                                       "lr.").format(velocity=f"{_settled_velocity(g, beta, 500):.4f}"),
                        otherwise=_("write the velocity after many steps as a geometric series in beta, sum "
                                    "it, then multiply by lr."),
                        what=_("set {name} to a number").format(name="momentum_step"))


def _settled_velocity(g, beta, steps):
    v = 0.0
    for _ in range(steps):
        v = beta * v + g
    return v


# ----------------------------------------------------------------------------------------------
# The lesson's optimiser, before Exercise 2 is done
# ----------------------------------------------------------------------------------------------

def adam_on_values(params, state, lr, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam over a list of Values, in place: each p.data takes one step t (1 for the first) with its
    p.grad, and every parameter's running averages m and v are kept in state (a dict, empty before
    the first step). Notebook 14 trains with it until your adam_update of Exercise 2 passes.
    """
    from . import in_a_check
    if in_a_check():   # called by a learner's function during a check: not an answer key
        raise RuntimeError(_("adam_on_values is the lesson's stand-in, not an answer: write your own update "
                             "from the equations of section 5"))
    m = state.setdefault("m", [0.0] * len(params))
    v = state.setdefault("v", [0.0] * len(params))
    for i, p in enumerate(params):
        g = p.grad
        m[i] = beta1 * m[i] + (1 - beta1) * g
        v[i] = beta2 * v[i] + (1 - beta2) * g * g
        m_hat = m[i] / (1 - beta1 ** t)
        v_hat = v[i] / (1 - beta2 ** t)
        p.data = p.data - lr * m_hat / (math.sqrt(v_hat) + eps)


# ----------------------------------------------------------------------------------------------
# Exercise 2: Adam
# ----------------------------------------------------------------------------------------------

ADAM_DEFAULTS = {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

# (what changed, the hint): checked in this order against a wrong answer.
_ADAM_MISTAKES = [
    ({"sign": 1.0}, N_("the parameter moved uphill: Adam subtracts lr * m_hat / (sqrt(v_hat) + eps).")),
    ({"correct_m": False, "correct_v": False}, N_("the bias correction is missing: divide m by (1 - beta1**t) "
                                                  "and v by (1 - beta2**t) before the step (keep the returned "
                                                  "m and v uncorrected).")),
    ({"correct_m": False}, N_("m_hat is missing its bias correction, 1 / (1 - beta1**t).")),
    ({"correct_v": False}, N_("v_hat is missing its bias correction, 1 / (1 - beta2**t).")),
    ({"root": False}, N_("the step divides by v_hat itself; it should divide by its square root (plus eps).")),
    ({"square": False}, N_("v must average the *square* of the gradient, g * g, not g itself.")),
    ({"m_weight": False}, N_("the new gradient enters m with weight (1 - beta1), not 1.")),
    ({"old_m": True}, N_("the step used the previous m; update m and v first, then step with the new ones.")),
]

# How many steps each of the four gradient sequences has: the passing line counts them.
_ADAM_LENGTHS = (25, 20, 20, 11)


def _three_digits(x):
    return float(f"{x:.3g}")


def _adam_cases(rng):
    """Four gradient sequences drawn with rng: (description, hyperparameters, gradients)."""
    noisy = [rng.uniform(-1, 1) + rng.gauss(0, 1) for _ in range(_ADAM_LENGTHS[0])]
    large = [100 * rng.choice((-1, 1)) * rng.uniform(0.5, 2) for _ in range(_ADAM_LENGTHS[1])]
    tiny = [1e-4 * rng.gauss(1, 0.3) for _ in range(_ADAM_LENGTHS[2])]
    starts_at_zero = [0.0] + [rng.gauss(0, 2) for _ in range(_ADAM_LENGTHS[3] - 1)]
    large_hyper = {"lr": _three_digits(rng.uniform(0.02, 0.2)), "beta1": _three_digits(rng.uniform(0.6, 0.85)),
                   "beta2": _three_digits(rng.uniform(0.95, 0.995))}
    tiny_hyper = {"lr": _three_digits(rng.uniform(0.005, 0.05))}
    zero_hyper = {"lr": _three_digits(rng.uniform(0.05, 0.5)), "eps": _three_digits(10 ** rng.uniform(-7, -5))}
    return [
        (_("noisy gradients, default settings"), {}, noisy),
        (_("large gradients (about 100) of changing sign, {settings}").format(settings=_settings(large_hyper)),
         large_hyper, large),
        (_("tiny gradients (about 1e-4), {settings}").format(settings=_settings(tiny_hyper)), tiny_hyper, tiny),
        (_("a first gradient of exactly 0, {settings}").format(settings=_settings(zero_hyper)), zero_hyper,
         starts_at_zero),
    ]


def _settings(hyper):
    return ", ".join(f"{k}={v:g}" for k, v in hyper.items())


@checker
def check_adam_update(adam_update):
    name = "Exercise 2" + _(" (write Adam)")
    unready = function_not_ready(name, adam_update, "adam_update", "(w, g, m, v, t, lr, beta1, beta2, eps)")
    if unready is not None:
        return unready

    def adam(w, g, m, v, t, lr, beta1, beta2, eps, *, m_weight=True, square=True, root=True,
             correct_m=True, correct_v=True, sign=-1.0, old_m=False, eps_inside=False):
        """The reference step (Kingma and Ba, 2015), or one of the usual mistakes: the new (w, m, v)."""
        new_m = beta1 * m + ((1 - beta1) if m_weight else 1.0) * g
        new_v = beta2 * v + (1 - beta2) * (g * g if square else g)
        m_used = m if old_m else new_m
        m_hat = m_used / (1 - beta1 ** t) if correct_m else m_used
        v_hat = new_v / (1 - beta2 ** t) if correct_v else new_v
        if root:
            scale = math.sqrt(v_hat + eps) if eps_inside else math.sqrt(abs(v_hat)) + eps
        else:
            scale = v_hat + eps
        return w + sign * lr * m_hat / scale, new_m, new_v

    def same_step(got, expected, w0):
        """Equal new (w, m, v): w compared through the step it took, so a small step is judged fairly."""
        (w, m, v), (ew, em, ev) = got, expected
        return close(w - w0, ew - w0, 1e-6) and close(m, em, 1e-9) and close(v, ev, 1e-9)

    def mistake(got, w, g, m, v, t, settings, hyper):
        for changes, hint in _ADAM_MISTAKES:
            if same_step(got, adam(w, g, m, v, t, **settings, **changes), w):
                return _(hint)
        for key in hyper:
            if same_step(got, adam(w, g, m, v, t, **{**settings, key: ADAM_DEFAULTS[key]}), w):
                return _("with {key}={value} passed in, your function behaved as if {key} had its default "
                         "value: use the {key} argument, not a fixed number.").format(key=key,
                                                                                      value=f"{hyper[key]:g}")
        ew, em, ev = adam(w, g, m, v, t, **settings)
        if not close(got[1], em, 1e-9):
            return _("the new m is off: m = beta1 * m + (1 - beta1) * g, returned without the bias correction.")
        if not close(got[2], ev, 1e-9):
            return _("the new v is off: v = beta2 * v + (1 - beta2) * g**2, returned without the bias correction.")
        return _("m and v are right, but the new w is off: step by lr * m_hat / (sqrt(v_hat) + eps), with the "
                 "bias-corrected m_hat and v_hat of the current step t.")

    cases = _adam_cases(fresh_rng())
    steps = 0
    for description, hyper, grads in cases:
        settings = {**ADAM_DEFAULTS, **hyper}
        w, m, v = 1.0, 0.0, 0.0
        for t, g in enumerate(grads, start=1):
            where = _("on step t={t} of a run with {description}").format(t=t, description=description)
            with quiet():  # first without a word, to give a division by zero at t=1 its own hint
                ok, result = call_safely(name, adam_update, w, g, m, v, t, case=where, **hyper)
            if not ok:
                if t == 1 and "ZeroDivisionError" in result.message:
                    return failed(name, _("{where}: a division by zero. t is already 1 on the first step, so "
                                          "1 - beta1**t is not 0: use t as given; and keep eps in the "
                                          "denominator, in case v_hat is 0.").format(where=where))
                return call_safely(name, adam_update, w, g, m, v, t, case=where, **hyper)[1]
            if isinstance(result, (list, tuple)) and len(result) != 3:
                return failed(name, _("adam_update returned {count} values {where}; return three: "
                                      "the new w, m and v.").format(count=len(result), where=where))
            got = read_numbers(name, result, name=_("what {function} returned {where}").format(
                function="adam_update", where=where), length=3)
            if got is None:
                return False
            expected = adam(w, g, m, v, t, **settings)
            if not (same_step(got, expected, w)  # eps inside the root is a common, valid choice too
                    or same_step(got, adam(w, g, m, v, t, **settings, eps_inside=True), w)):
                return failed(name, _("{where}: {hint}").format(
                    where=where, hint=mistake(got, w, g, m, v, t, settings, hyper)))
            w, m, v = expected   # continue from the reference state, so one slip is reported once
            steps += 1
    size = {scale: abs(adam(0.0, scale, 0.0, 0.0, 1, **{**ADAM_DEFAULTS, "lr": 0.01})[0]) for scale in (1e-4, 100.0)}
    return passed(name, _("All {steps} steps of {count} unseen gradient sequences match the reference. Note "
                          "the first step with lr=0.01: {tiny} for a gradient of 1e-4 and {large} for a "
                          "gradient of 100.").format(steps=steps, count=len(cases), tiny=f"{size[1e-4]:.4f}",
                                                     large=f"{size[100.0]:.4f}"))


# ----------------------------------------------------------------------------------------------
# Exercise 3: a cosine schedule
# ----------------------------------------------------------------------------------------------

# Wrong schedules, each with its hint; the first one that matches every value is named.
_SCHEDULE_MISTAKES = [
    (lambda s, n, b: b * 0.5 * (1 + math.cos(2 * math.pi * s / n)),
     N_("your rate comes back up in the second half: that is a whole cosine wave. Half a wave is enough: the "
        "argument of cos should reach pi, not 2 pi, at the end.")),
    (lambda s, n, b: b * math.cos(math.pi * s / n),
     N_("your rate goes negative in the second half: cos runs from 1 to -1, so shift it up and scale it "
        "so that it runs from 1 to 0.")),
    (lambda s, n, b: b * (1 + math.cos(math.pi * s / n)),
     N_("your rate starts at twice base_lr: (1 + cos) runs from 2 to 0, so halve it.")),
    (lambda s, n, b: b * 0.5 * (1 - math.cos(math.pi * s / n)),
     N_("your rate rises from 0 to base_lr: the wrong way round. It should start at base_lr.")),
    (lambda s, n, b: b * (1 - s / n),
     N_("that is a straight line from base_lr to 0. The cosine schedule follows half a cosine wave: flat at "
        "the start, steepest in the middle, flat at the end.")),
    (lambda s, n, b: b * 0.5 * (1 + math.cos(math.pi * (s + 1) / n)),
     N_("your schedule is one step ahead: at step 0 it should give exactly base_lr.")),
    (lambda s, n, b: b * 0.5 * (1 + math.cos(math.pi * s / (n - 1))) if n > 1 else b,
     N_("your schedule reaches 0 one step early (at total_steps - 1); it should reach 0 at step == total_steps.")),
    (lambda s, n, b: 0.5 * (1 + math.cos(math.pi * s / n)),
     N_("your schedule ignores base_lr: it should start at base_lr, whatever that is, and scale with it.")),
]

# Every run is tried at its landmarks (its start, quarters and end, and the steps next to the ends)
# and at _SCHEDULE_RANDOM_STEPS steps in between drawn at random. Runs last 12 to 2,000 steps.
_SCHEDULE_RUNS, _SCHEDULE_RANDOM_STEPS = 4, 5
_SCHEDULE_LENGTHS = ((12, 30), (31, 200), (201, 2000), (12, 2000))


def _landmarks(total):
    return [0, 1, total // 4, total // 2, (3 * total) // 4, total - 1, total]


def _schedule_runs(rng):
    """(total_steps, base_lr, landmark steps, steps drawn at random) for each run of one check."""
    runs = []
    for low, high in _SCHEDULE_LENGTHS:
        total = rng.randint(low, high)
        base = _three_digits(10 ** rng.uniform(-4, 0.5))
        landmarks = _landmarks(total)
        between = sorted(rng.sample(sorted(set(range(total + 1)) - set(landmarks)), _SCHEDULE_RANDOM_STEPS))
        runs.append((total, base, landmarks, between))
    return runs


@checker
def check_cosine_schedule(cosine_lr):
    name = "Exercise 3" + _(" (a cosine schedule)")
    unready = function_not_ready(name, cosine_lr, "cosine_lr", "(step, total_steps, base_lr)")
    if unready is not None:
        return unready

    def cosine(step, total, base):
        return base * 0.5 * (1 + math.cos(math.pi * step / total))

    got, landmarks, between = {}, [], []
    for total, base, marks, drawn in _schedule_runs(fresh_rng()):
        for step in sorted(marks + drawn):
            where = _("for step={step}, total_steps={total}, base_lr={base}").format(step=step, total=total,
                                                                                     base=f"{base:g}")
            ok, result = call_safely(name, cosine_lr, step, total, base, case=where)
            if not ok:
                return result
            if isinstance(result, (list, tuple)):
                return failed(name, _("cosine_lr returned a {type} {where}; return one number, the learning "
                                      "rate at that step.").format(type=type(result).__name__, where=where))
            value = read_number(name, result, name=_("what {function} returned {where}").format(
                function="cosine_lr", where=where))
            if value is None:
                return False
            got[(step, total, base)] = value
            (landmarks if step in marks else between).append((step, total, base))
    points = landmarks + between

    def right(p):
        return close(got[p], cosine(*p), 1e-9)

    if all(right(p) for p in points):
        total, base = 37, 2.5
        shown = ", ".join(f"{cosine(s, total, base):.4f}" for s in (0, 9, 18, 27, 37))
        return passed(name, _("Right at all {count} points of {runs} runs drawn at random for this check "
                              "(lengths from 12 to 2,000 steps). For a 37-step run from 2.5, steps 0, 9, 18, 27, "
                              "37 give {shown}.").format(count=len(points), runs=_SCHEDULE_RUNS, shown=shown))
    for wrong, hint in _SCHEDULE_MISTAKES:
        if all(close(got[p], wrong(*p), 1e-9) for p in points):
            return failed(name, _(hint))
    if all(right(p) for p in landmarks):
        step, total, base = next(p for p in between if not right(p))
        return failed(name, _("your schedule is right at the start, the quarters and the end of every run, but "
                              "not in between: at step={step} of total_steps={total} with base_lr={base} you "
                              "gave {value}. cosine_lr must follow half a cosine wave at every step, not only at "
                              "a few.").format(step=step, total=total, base=f"{base:g}",
                                               value=f"{got[(step, total, base)]:.4g}"))
    step, total, base = next(p for p in points if not right(p))
    return failed(name, _("the first value that is off is at step={step} of total_steps={total} with "
                          "base_lr={base} (you gave {value}). Check the factor 1/2, the '1 +', and that the "
                          "argument of cos runs from 0 to pi.").format(step=step, total=total, base=f"{base:g}",
                                                                       value=f"{got[(step, total, base)]:.4g}"))
