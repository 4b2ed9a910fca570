"""Unit tests of notebook 02's exercise checks (utils/exercise_checks/nb02.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.exercises.helpers import assert_hides, verdict
from utils.exercise_checks import nb02

# --- 02.1 -------------------------------------------------------------------------------------------------

def test_02_1_hand_formula_agrees_with_the_tape():
    assert nb02._by_hand() == pytest.approx(nb02._tape_dw_h(), rel=1e-12)


def test_02_1_right(capsys):
    right = nb02._tape_dw_h()
    assert verdict("02.1", right, capsys)[0]
    assert verdict("02.1", round(right, 4), capsys)[0]
    assert verdict("02.1", round(right, 2), capsys)[0]                 # a calculator's answer
    assert verdict("02.1", np.array([right]), capsys)[0]


@pytest.mark.parametrize(("mistake", "words"), [
    ({"total": False}, "total derivative"),
    ({"first_step": False}, "step 1 contributes"),
    ({"both_losses": False}, "a term at each step"),
    ({"tanh_slope": False}, "slope"),
    ({"previous_state": False}, "h_{t-1}"),
])
def test_02_1_wrong(capsys, mistake, words):
    passed, out = verdict("02.1", nb02._by_hand(**mistake), capsys)
    assert not passed and words in out
    assert_hides(nb02._tape_dw_h(), out)


def test_02_1_sign_and_far_off(capsys):
    right = nb02._tape_dw_h()
    passed, out = verdict("02.1", -right, capsys)
    assert not passed and "sign" in out
    passed, out = verdict("02.1", 10.0, capsys)
    assert not passed and "too large" in out
    assert_hides(right, out)


@pytest.mark.parametrize(("answer", "words"), [(np.nan, "NaN"), ("1.06", "expected a number"),
                                               (True, "expected a number"),
                                               (np.ones(3), "expected a number")])
def test_02_1_broken(capsys, answer, words):
    passed, out = verdict("02.1", answer, capsys)
    assert not passed and words in out


# --- 02.2 -------------------------------------------------------------------------------------------------

def right_bound() -> float:
    sigma = np.linalg.svd(nb02.W_H, compute_uv=False)[0]
    slopes = [max(1 - h**2) for h in nb02.STATES[1:]]                   # steps 2, 3, 4
    return float(sigma**3 * np.prod(slopes))


def test_02_2_bound_holds_on_a_real_backward_pass():
    """The exercise's bound is a bound: random dL/dh_4 pushed back through the three Jacobians stay below."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        g = rng.normal(size=2)
        start = np.linalg.norm(g)
        for h in nb02.STATES[:0:-1]:                                    # h_4, h_3, h_2
            g = (g * (1 - h**2)) @ nb02.W_H                             # dL/dh_{t-1} from dL/dh_t
        assert np.linalg.norm(g) <= right_bound() * start + 1e-12


def test_02_2_right(capsys):
    assert verdict("02.2", right_bound(), capsys)[0]
    assert verdict("02.2", round(right_bound(), 4), capsys)[0]
    assert verdict("02.2", round(right_bound(), 2), capsys)[0]


@pytest.mark.parametrize(("answer", "words"), [
    (lambda s, r, f, g: s**3 * np.prod(g), "h_1's own slope"),
    (lambda s, r, f, g: s**4 * np.prod(g), "h_1's own slope"),
    (lambda s, r, f, g: s**3 * np.prod(g[:3]), "steps 4, 3 and 2"),
    (lambda s, r, f, g: (s * g.max()) ** 3, "one gamma for all steps"),
    (lambda s, r, f, g: r**3 * np.prod(g[1:]), "spectral radius"),
    (lambda s, r, f, g: f**3 * np.prod(g[1:]), "Frobenius"),
    (lambda s, r, f, g: s * np.prod(g[1:]), "once per step"),
    (lambda s, r, f, g: s**3, "slope is missing"),
])
def test_02_2_wrong(capsys, answer, words):
    sigma = np.linalg.svd(nb02.W_H, compute_uv=False)[0]
    radius = np.abs(np.linalg.eigvals(nb02.W_H)).max()
    gamma = (1 - nb02.STATES**2).max(axis=1)
    passed, out = verdict("02.2", answer(sigma, radius, np.linalg.norm(nb02.W_H), gamma), capsys)
    assert not passed and words in out
    assert_hides(right_bound(), out)


@pytest.mark.parametrize(("answer", "words"), [(np.nan, "NaN"), (None, "no answer"),
                                               ([0.3], "expected a number")])
def test_02_2_broken(capsys, answer, words):
    passed, out = verdict("02.2", answer, capsys)
    assert not passed and words in out


# --- 02.3 -------------------------------------------------------------------------------------------------

def numpy_clip(gradients, c):
    norm = np.sqrt(sum(np.sum(g**2) for g in gradients))
    return [g * c / max(norm, c) for g in gradients]


def tensorflow_clip(gradients, c):
    import tensorflow as tf

    clipped, _ = tf.clip_by_global_norm([tf.constant(g) for g in gradients], c)
    return [g.numpy() for g in clipped]


def test_02_3_reference_is_tensorflow():
    for seed in range(3):
        gradients, c = nb02._gradients(seed)
        for ours, theirs in zip(nb02._global_clip(gradients, c), tensorflow_clip(gradients, c), strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("answer", [numpy_clip, tensorflow_clip, lambda gs, c: tuple(numpy_clip(gs, c))])
def test_02_3_right(capsys, answer):
    assert verdict("02.3", answer, capsys)[0]


def test_02_3_in_place_is_fine(capsys):
    def in_place(gradients, c):
        scale = min(1.0, c / np.sqrt(sum(np.sum(g**2) for g in gradients)))
        for g in gradients:
            g *= scale
        return gradients
    assert verdict("02.3", in_place, capsys)[0]


@pytest.mark.parametrize(("answer", "words"), [
    (lambda gs, c: [g * min(1.0, c / np.linalg.norm(g)) for g in gs], "clipnorm"),
    (lambda gs, c: [g * c / np.sqrt(sum(np.sum(h**2) for h in gs)) for g in gs], "scaled up"),
    (lambda gs, c: [np.clip(g, -c, c) for g in gs], "clipvalue"),
    (lambda gs, c: [g * min(1.0, c / sum(np.sum(h**2) for h in gs)) for g in gs], "square root"),
    (lambda gs, c: [g * min(1.0, c / sum(np.linalg.norm(h) for h in gs)) for g in gs], "not the sum of"),
    (lambda gs, c: [g * 0.5 for g in gs], "wrong on gradients"),
])
def test_02_3_wrong(capsys, answer, words):
    passed, out = verdict("02.3", answer, capsys)
    assert not passed and words in out


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_02_3_broken(capsys):
    import tensorflow as tf

    passed, out = verdict("02.3", lambda gs, c: tf.clip_by_global_norm(gs, c), capsys)
    assert not passed and "not the norm as well" in out
    passed, out = verdict("02.3", numpy_clip(*nb02._gradients(0)), capsys)
    assert not passed and "expected a function" in out
    passed, out = verdict("02.3", lambda gs, c: np.concatenate([g.ravel() for g in gs]), capsys)
    assert not passed and "expected a list of 3 arrays" in out
    passed, out = verdict("02.3", lambda gs, c: [g.ravel() for g in gs], capsys)
    assert not passed and "keeps every shape" in out
    passed, out = verdict("02.3", lambda gs, c: [g / 0.0 for g in gs], capsys)
    assert not passed and "NaN or infinity" in out
    passed, out = verdict("02.3", lambda gs, c: [g * gs.norm for g in gs], capsys)
    assert not passed and "your function raised AttributeError" in out
    rng = np.random.default_rng()
    passed, out = verdict("02.3", lambda gs, c: [g * rng.uniform() for g in numpy_clip(gs, c)], capsys)
    assert not passed and "unseeded" in out
    passed, out = verdict("02.3", lambda gs, c: ["a" for g in gs], capsys)
    assert not passed and "arrays of numbers" in out
