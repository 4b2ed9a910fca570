"""Unit tests of notebook 03's exercise checks (utils/exercise_checks/nb03.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.exercises.helpers import assert_hides, verdict
from utils import synthetic
from utils.exercise_checks import nb03

GATES = nb03.GATES


# --- 03.1 -------------------------------------------------------------------------------------------------

def test_03_1_right_answer_on_simulated_data():
    """Predicting u_2 + 0.5 on adding-problem data scores the exercise's answer."""
    x, y = synthetic.adding_problem(50_000, 20, seed=0)
    second = (x[:, 10:, 0] * x[:, 10:, 1]).sum(axis=1)              # the number marked in the second half
    assert np.mean((y - (second + 0.5)) ** 2) == pytest.approx(1 / 12, rel=0.03)


def test_03_1_right(capsys):
    assert verdict("03.1", 1 / 12, capsys)[0]
    assert verdict("03.1", 0.0833, capsys)[0]


@pytest.mark.parametrize(("answer", "words"), [(1 / 6, "chance level"), (1 / 3, "best guess"),
                                               (0, "cannot be exact"),
                                               (np.sqrt(1 / 12), "standard deviation"),
                                               (0.5, "too large"), (0.01, "too small")])
def test_03_1_wrong(capsys, answer, words):
    passed, out = verdict("03.1", answer, capsys)
    assert not passed and words in out
    assert_hides(1 / 12, out)


@pytest.mark.parametrize(("answer", "words"), [(np.nan, "NaN"), ("1/12", "expected a number"),
                                               ((1, 12), "expected a number")])
def test_03_1_broken(capsys, answer, words):
    passed, out = verdict("03.1", answer, capsys)
    assert not passed and words in out


# --- 03.2 -------------------------------------------------------------------------------------------------

RIGHT_BIAS = float(np.log(0.5 ** (1 / 50) / (1 - 0.5 ** (1 / 50))))


def test_03_2_right_answer_halves_the_cell_in_50_steps():
    import keras

    layer = keras.layers.LSTM(3, unit_forget_bias=False, kernel_initializer="zeros",
                              recurrent_initializer="zeros", return_state=True)
    layer.build((None, None, 1))
    kernel, recurrent, bias = layer.get_weights()
    bias[3:6] = RIGHT_BIAS                                           # the forget gate's block (i, f, c, o)
    layer.set_weights([kernel, recurrent, bias])
    c_0 = np.ones((1, 3), "float32")
    _, _, c_50 = layer(np.zeros((1, 50, 1), "float32"), initial_state=[np.zeros((1, 3), "float32"), c_0])
    np.testing.assert_allclose(np.asarray(c_50), 0.5, rtol=1e-4)  # input gate 0.5, candidate tanh(0) = 0


def test_03_2_right(capsys):
    assert verdict("03.2", RIGHT_BIAS, capsys)[0]
    assert verdict("03.2", round(RIGHT_BIAS, 2), capsys)[0]


@pytest.mark.parametrize(("answer", "words"), [
    (0.0, "half-life of one step"),
    (np.log(49), "not one half"),
    (0.5 ** (1 / 50), "before the sigmoid"),
    (np.log(0.5**50 / (1 - 0.5**50)), "50th root"),
    (-RIGHT_BIAS, "sign"),
    (-np.log(1 - 0.5 ** (1 / 50)), "approximates"),
    (10.0, "too large"),
])
def test_03_2_wrong(capsys, answer, words):
    passed, out = verdict("03.2", answer, capsys)
    assert not passed and words in out
    assert_hides(RIGHT_BIAS, out)


@pytest.mark.parametrize(("answer", "words"), [(np.nan, "NaN"), ("4.27", "expected a number"),
                                               (None, "no answer")])
def test_03_2_broken(capsys, answer, words):
    passed, out = verdict("03.2", answer, capsys)
    assert not passed and words in out


# --- 03.3 -------------------------------------------------------------------------------------------------

def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def reader_backward(x_t, h_prev, c_prev, W_x, W_h, b, dh, dc):
    """A reader's answer, written independently of the check's own version."""
    z = {g: x_t @ W_x[g].T + h_prev @ W_h[g].T + b[g] for g in GATES}
    i, f, o, g_ = sigmoid(z["i"]), sigmoid(z["f"]), sigmoid(z["o"]), np.tanh(z["c"])
    c = f * c_prev + i * g_
    tanh_c = np.tanh(c)
    dc_t = dc + dh * o * (1 - tanh_c**2)
    dz = {"i": dc_t * g_ * i * (1 - i), "f": dc_t * c_prev * f * (1 - f),
          "c": dc_t * i * (1 - g_**2), "o": dh * tanh_c * o * (1 - o)}
    return sum(dz[g] @ W_h[g] for g in GATES), dc_t * f


def finite_difference_backward(x_t, h_prev, c_prev, W_x, W_h, b, dh, dc, eps=1e-6):
    """The same gradients by central differences of L = sum(dh * h_t) + sum(dc * c_t)."""
    def loss(h, c):
        z = {g: x_t @ W_x[g].T + h @ W_h[g].T + b[g] for g in GATES}
        c_new = sigmoid(z["f"]) * c + sigmoid(z["i"]) * np.tanh(z["c"])
        return np.sum(dh * sigmoid(z["o"]) * np.tanh(c_new)) + np.sum(dc * c_new)
    grads = []
    for which in range(2):
        grad = np.zeros_like(h_prev)
        for idx in np.ndindex(h_prev.shape):
            step = np.zeros_like(h_prev)
            step[idx] = eps
            plus = loss(h_prev + step, c_prev) if which == 0 else loss(h_prev, c_prev + step)
            minus = loss(h_prev - step, c_prev) if which == 0 else loss(h_prev, c_prev - step)
            grad[idx] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return np.stack(grads)


def test_03_3_reference_agrees_with_finite_differences_and_by_hand():
    for seed in range(3):
        args = nb03._step_inputs(seed)
        tape = nb03._tape_step_backward(*args)
        np.testing.assert_allclose(tape, finite_difference_backward(*args), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(tape, nb03._by_hand(*args), rtol=1e-12, atol=1e-14)


def test_03_3_right(capsys):
    assert verdict("03.3", reader_backward, capsys)[0]
    assert verdict("03.3", lambda *args: list(reader_backward(*args)), capsys)[0]


@pytest.mark.parametrize(("mistake", "words"), [
    ({"through_h": False}, "two paths"),
    ({"tanh_of_c": False}, "1 - tanh(c_t)^2"),
    ({"gate_slopes": False}, "sigmoid"),
    ({"transpose": True}, "dz @ W_h"),
])
def test_03_3_wrong(capsys, mistake, words):
    passed, out = verdict("03.3", nb03._wrong(**mistake), capsys)
    assert not passed and words in out


def test_03_3_swapped_and_off(capsys):
    passed, out = verdict("03.3", lambda *args: reader_backward(*args)[::-1], capsys)
    assert not passed and "in the order (dh_prev, dc_prev)" in out
    passed, out = verdict("03.3", lambda *args: np.stack(reader_backward(*args)) * 1.1, capsys)
    assert not passed and "differs from the reference" in out


def test_03_3_broken(capsys):
    passed, out = verdict("03.3", reader_backward(*nb03._step_inputs(0)), capsys)
    assert not passed and "expected a function" in out
    passed, out = verdict("03.3", lambda x_t, h_prev, c_prev, W_x, W_h, b, dh, dc: W_x["g"], capsys)
    assert not passed and "KeyError" in out and "keyed 'i', 'f', 'c', 'o'" in out
    passed, out = verdict("03.3", lambda x_t, h_prev, c_prev, W_x, W_h, b, dh: dh, capsys)
    assert not passed and "TypeError" in out
    passed, out = verdict("03.3", lambda *args: reader_backward(*args)[1], capsys)
    assert not passed and "shape" in out
    passed, out = verdict("03.3", lambda *args: np.stack(reader_backward(*args)) * np.inf, capsys)
    assert not passed and "NaN or infinity" in out
    rng = np.random.default_rng()
    passed, out = verdict("03.3", lambda *args: np.stack(reader_backward(*args)) + rng.normal(), capsys)
    assert not passed and "unseeded" in out
