"""The exercise checkers of notebooks 14 (optimisers) and 15 (a character-level language model).

For every checker: an untouched exercise waits, the reference answer passes, every declared mistake
gets its own hint (and no ✅), hostile answers are refused without a traceback, and no hint shows
the expected value.
"""

import math
import re

import pytest

from micrograd_core import Value
from series_checks import nb14, nb15


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


def stable_id(value):
    """A test id without memory addresses, so that every pytest-xdist worker collects the same ids."""
    text = getattr(value, "__name__", None) or repr(value)
    return re.sub(r" at 0x[0-9a-f]+", "", text)[:40]


HOSTILE_NUMBERS = [math.inf, -math.inf, math.nan, "inf", "0.4", 10 ** 400, Value(0.4), AlwaysEqual(),
                   True, [0.4], 3 + 0j]
HOSTILE_FUNCTIONS = [raises, returns_inf, returns_none, lambda *a, **k: Value(1.0),
                     lambda *a, **k: AlwaysEqual(), lambda *a, **k: [math.nan] * 30,
                     lambda *a, **k: "0.1", 42, "adam", AlwaysEqual()]


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
    return verdict, text


def assert_waiting(check, answer, capsys):
    verdict, text = run(check, answer, capsys)
    assert not verdict and verdict.kind == "waiting", text
    return text


def unwritten(*args, **kwargs):
    ...


def numbers_in(expected):
    """The ways a hint could spell the expected value."""
    return {f"{expected:.4f}", f"{expected:.4g}", f"{expected:g}", repr(expected)}


# ----------------------------------------------------------------------------------------------
# Notebook 14, exercise 1: the settled step of momentum
# ----------------------------------------------------------------------------------------------

MOMENTUM_EXPECTED = 0.01 * 2.0 / (1 - 0.95)


def test_momentum_waits_and_passes(capsys):
    assert_waiting(nb14.check_momentum_step, ..., capsys)
    verdict, text = run(nb14.check_momentum_step, MOMENTUM_EXPECTED, capsys)
    assert verdict and "✅" in text


def test_momentum_each_declared_mistake_has_its_own_hint(capsys):
    wrong = [0.02, 0.2, 0.01 * 2 * 1.95, 0.001, 40.0, 0.38, -MOMENTUM_EXPECTED, 123.0]
    hints = set()
    for answer in wrong:
        verdict, text = assert_refused(nb14.check_momentum_step, answer, capsys)
        assert verdict.kind == "failed"
        assert not numbers_in(MOMENTUM_EXPECTED) & set(text.replace(",", " ").replace("(", " ").split())
        hints.add(verdict.message)
    assert len(hints) == len(wrong)


@pytest.mark.parametrize("answer", HOSTILE_NUMBERS, ids=stable_id)
def test_momentum_refuses_hostile_answers(answer, capsys):
    assert_refused(nb14.check_momentum_step, answer, capsys)


# ----------------------------------------------------------------------------------------------
# Notebook 14, exercise 2: Adam
# ----------------------------------------------------------------------------------------------

def adam_with(**changes):
    def update(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        return nb14._adam_variant(w, g, m, v, t, lr, beta1, beta2, eps, **changes)
    return update


def adam_ignoring_lr(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return nb14.reference_adam_update(w, g, m, v, t, 0.001, beta1, beta2, eps)


def adam_from_t_zero(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return nb14.reference_adam_update(w, g, m, v, t - 1, lr, beta1, beta2, eps)


def adam_two_values(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return nb14.reference_adam_update(w, g, m, v, t, lr, beta1, beta2, eps)[:2]


def adam_eps_inside(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * (m / (1 - beta1 ** t)) / math.sqrt(v / (1 - beta2 ** t) + eps), m, v


def test_adam_waits_and_passes(capsys):
    assert_waiting(nb14.check_adam_update, ..., capsys)
    assert_waiting(nb14.check_adam_update, unwritten, capsys)
    for right in (nb14.reference_adam_update, adam_eps_inside):
        verdict, text = run(nb14.check_adam_update, right, capsys)
        assert verdict and "✅" in text


ADAM_MISTAKES = [
    (adam_with(sign=1.0), "uphill"),
    (adam_with(correct_m=False, correct_v=False), "bias correction is missing"),
    (adam_with(correct_m=False), "m_hat is missing"),
    (adam_with(correct_v=False), "v_hat is missing"),
    (adam_with(root=False), "square root"),
    (adam_with(square=False), "*square*"),
    (adam_with(m_weight=False), "weight (1 - beta1)"),
    (adam_with(old_m=True), "previous m"),
    (adam_ignoring_lr, "use the lr argument"),
    (adam_from_t_zero, "t is already 1 on the first step"),
    (adam_two_values, "return three"),
]


@pytest.mark.parametrize("fn, words", ADAM_MISTAKES, ids=[w for _, w in ADAM_MISTAKES])
def test_adam_each_mistake_gets_its_hint(fn, words, capsys):
    verdict, text = assert_refused(nb14.check_adam_update, fn, capsys)
    assert verdict.kind == "failed" and words in verdict.message, verdict.message
    assert text.count("\n") == 1, "one line per check"


def test_adam_hints_are_all_different(capsys):
    messages = {assert_refused(nb14.check_adam_update, fn, capsys)[0].message for fn, _ in ADAM_MISTAKES}
    assert len(messages) == len(ADAM_MISTAKES)


def test_adam_hint_does_not_show_the_expected_step(capsys):
    verdict, _ = assert_refused(nb14.check_adam_update, adam_with(correct_m=False), capsys)
    expected_w, _, _ = nb14.reference_adam_update(1.0, nb14._adam_cases()[0][2][0], 0.0, 0.0, 1)
    assert not any(s in verdict.message for s in numbers_in(expected_w))


@pytest.mark.parametrize("fn", HOSTILE_FUNCTIONS + HOSTILE_NUMBERS, ids=stable_id)
def test_adam_refuses_hostile_answers(fn, capsys):
    assert_refused(nb14.check_adam_update, fn, capsys)


# ----------------------------------------------------------------------------------------------
# Notebook 14, exercise 3: a cosine schedule
# ----------------------------------------------------------------------------------------------

def cosine(step, total, base):
    return base * 0.5 * (1 + math.cos(math.pi * step / total))


def test_cosine_waits_and_passes(capsys):
    assert_waiting(nb14.check_cosine_schedule, ..., capsys)
    assert_waiting(nb14.check_cosine_schedule, unwritten, capsys)
    verdict, text = run(nb14.check_cosine_schedule, cosine, capsys)
    assert verdict and "✅" in text


def test_cosine_each_mistake_gets_its_own_hint(capsys):
    messages = set()
    for wrong, hint in nb14._SCHEDULE_MISTAKES:
        verdict, _ = assert_refused(nb14.check_cosine_schedule, wrong, capsys)
        assert verdict.message.endswith(hint)
        messages.add(verdict.message)
    assert len(messages) == len(nb14._SCHEDULE_MISTAKES)


def test_cosine_unknown_mistake_names_a_point_but_not_its_value(capsys):
    def off(step, total, base):
        return cosine(step, total, base) + (0.01 if step == total // 2 else 0.0)
    verdict, _ = assert_refused(nb14.check_cosine_schedule, off, capsys)
    assert "step=50" in verdict.message
    assert not any(s in verdict.message for s in numbers_in(cosine(50, 100, 0.1)))


@pytest.mark.parametrize("fn", HOSTILE_FUNCTIONS + HOSTILE_NUMBERS, ids=stable_id)
def test_cosine_refuses_hostile_answers(fn, capsys):
    assert_refused(nb14.check_cosine_schedule, fn, capsys)


# ----------------------------------------------------------------------------------------------
# Notebook 15, exercise 1: the loss of knowing nothing
# ----------------------------------------------------------------------------------------------

def test_uniform_loss_waits_passes_and_hints(capsys):
    assert_waiting(nb15.check_uniform_loss, ..., capsys)
    verdict, text = run(nb15.check_uniform_loss, math.log(27), capsys)
    assert verdict and "✅" in text
    wrong = [27, 1 / 27, math.log(1 / 27), math.log2(27), math.log10(27), math.log(26), math.log(28), 2.0]
    messages = set()
    for answer in wrong:
        verdict, _ = assert_refused(nb15.check_uniform_loss, answer, capsys)
        assert not any(s in verdict.message for s in numbers_in(math.log(27)))
        messages.add(verdict.message)
    assert len(messages) == len(wrong)


@pytest.mark.parametrize("answer", HOSTILE_NUMBERS, ids=stable_id)
def test_uniform_loss_refuses_hostile_answers(answer, capsys):
    assert_refused(nb15.check_uniform_loss, answer, capsys)


# ----------------------------------------------------------------------------------------------
# Notebook 15, exercise 2: build the examples
# ----------------------------------------------------------------------------------------------

def build_examples(names, block):
    out = []
    for name in names:
        context = "." * block
        for ch in name + ".":
            out.append((context, ch))
            context = context[1:] + ch
    return out


def build_as_lists(names, block):
    return [(list(c), n) for c, n in build_examples(names, block)]


def build_fixed_three(names, block):
    return build_examples(names, 3)


def test_build_examples_waits_and_passes(capsys):
    assert_waiting(nb15.check_build_examples, ..., capsys)
    assert_waiting(nb15.check_build_examples, unwritten, capsys)
    for right in (build_examples, build_as_lists):
        verdict, text = run(nb15.check_build_examples, right, capsys)
        assert verdict and "✅" in text


BUILD_MISTAKES = [
    (lambda n, b: nb15._reference_examples(n, b, end=False), "predict '.'"),
    (lambda n, b: nb15._reference_examples(n, b, pad=False), "pad the start"),
    (lambda n, b: nb15._reference_examples(n, b, reset=False), "start every name again"),
    (lambda n, b: nb15._reference_examples(n, b, slide=False), "never changes"),
    (build_fixed_three, "block_size characters"),
    (lambda n, b: build_examples(n, b)[::-1], "not what the sliding window gives"),
]


@pytest.mark.parametrize("fn, words", BUILD_MISTAKES, ids=[w for _, w in BUILD_MISTAKES])
def test_build_examples_each_mistake_gets_its_hint(fn, words, capsys):
    verdict, _ = assert_refused(nb15.check_build_examples, fn, capsys)
    assert words in verdict.message, verdict.message


@pytest.mark.parametrize("fn", HOSTILE_FUNCTIONS + HOSTILE_NUMBERS + [lambda n, b: [(1, 2)], lambda n, b: [None]],
                         ids=stable_id)
def test_build_examples_refuses_hostile_answers(fn, capsys):
    assert_refused(nb15.check_build_examples, fn, capsys)


# ----------------------------------------------------------------------------------------------
# Notebook 15, exercise 3: temperature and top-k
# ----------------------------------------------------------------------------------------------

def top_k_probabilities(logits, temperature, top_k):
    kept = sorted(range(len(logits)), key=lambda i: logits[i], reverse=True)[:top_k]
    biggest = max(logits[i] for i in kept)
    weights = [math.exp((z - biggest) / temperature) if i in kept else 0.0 for i, z in enumerate(logits)]
    return [w / sum(weights) for w in weights]


def overflowing(logits, temperature, top_k):
    kept = sorted(range(len(logits)), key=lambda i: logits[i], reverse=True)[:top_k]
    weights = [math.exp(z / temperature) if i in kept else 0.0 for i, z in enumerate(logits)]
    return [w / sum(weights) for w in weights]


def unnormalised(logits, temperature, top_k):
    return [p * 2 for p in top_k_probabilities(logits, temperature, top_k)]


def test_probabilities_wait_and_pass(capsys):
    assert_waiting(nb15.check_next_char_probabilities, ..., capsys)
    assert_waiting(nb15.check_next_char_probabilities, unwritten, capsys)
    verdict, text = run(nb15.check_next_char_probabilities, top_k_probabilities, capsys)
    assert verdict and "✅" in text


PROBABILITY_MISTAKES = [(fn, hint) for fn, hint in nb15._PROBABILITY_MISTAKES] + [
    (overflowing, "Subtract the largest logit"),
    (unnormalised, "add up to"),
]


@pytest.mark.parametrize("fn, words", PROBABILITY_MISTAKES, ids=[w[:30] for _, w in PROBABILITY_MISTAKES])
def test_probabilities_each_mistake_gets_its_hint(fn, words, capsys):
    verdict, text = assert_refused(nb15.check_next_char_probabilities, fn, capsys)
    assert words in verdict.message, verdict.message
    assert text.count("\n") == 1, "one line per check"


@pytest.mark.parametrize("fn", HOSTILE_FUNCTIONS + HOSTILE_NUMBERS, ids=stable_id)
def test_probabilities_refuse_hostile_answers(fn, capsys):
    assert_refused(nb15.check_next_char_probabilities, fn, capsys)


def test_checkers_leave_the_random_state_alone():
    import random
    random.seed(5)
    before = random.getstate()
    nb14.check_adam_update(nb14.reference_adam_update)
    nb15.check_build_examples(build_examples)
    nb15.check_next_char_probabilities(top_k_probabilities)
    assert random.getstate() == before
