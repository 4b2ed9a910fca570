"""Unit tests of notebook 04's exercise checks (utils/exercise_checks/nb04.py)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from utils import exercises
from utils.exercise_checks import nb04


def run(exercise: str, answer: object, capsys: pytest.CaptureFixture) -> tuple[bool, str]:
    """Return (passed, printed line) of exercises.check."""
    passed = exercises.check(exercise, answer)
    return passed, capsys.readouterr().out


def flip_update_gate(w: np.ndarray) -> np.ndarray:
    w = np.array(w, dtype="float64")
    units = w.shape[-1] // 3
    w[..., :units] *= -1
    return w


def gru_jacobian(x_t: np.ndarray, h: np.ndarray, W_x: dict, W_h: dict, b_x: dict) -> np.ndarray:
    parts = nb04._jacobian_terms(x_t, h, W_x, W_h, b_x)
    return parts["highway"] + parts["through z"] + parts["through the candidate"]


def raises(*args: object) -> np.ndarray:
    raise ValueError("shapes do not align")


# --- 04.1 ---------------------------------------------------------------------------------------------------

def test_04_1_right_answer_matches_keras(capsys: pytest.CaptureFixture) -> None:
    model = keras.Sequential([keras.Input((None, 10)),
                              keras.layers.Bidirectional(keras.layers.GRU(32, reset_after=False,
                                                                          return_sequences=True)),
                              keras.layers.GRU(16, reset_after=False), keras.layers.Dense(1)])
    passed, out = run("04.1", model.count_params(), capsys)
    assert passed and "✓" in out


@pytest.mark.parametrize("wrong, hint", [
    (nb04._stack_params(second_reads=nb04.UNITS_1), "concatenated"),
    (nb04._stack_params(directions=1), "one per direction"),
    (nb04._stack_params(biases=2), "reset_after=False"),
    (nb04._stack_params(blocks=4), "LSTM"),
    (nb04._stack_params(dense=False), "Dense(1)"),
])
def test_04_1_typical_mistakes_get_their_hint(wrong: int, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("04.1", wrong, capsys)
    assert not passed and hint in out


@pytest.mark.parametrize("answer, says", [("12 thousand", "expected a number"), (float("nan"), "NaN"),
                                          (12000.5, "whole number"), (1, "too small"), (10**6, "too large"),
                                          (..., "no answer yet")])
def test_04_1_broken_answers(answer: object, says: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("04.1", answer, capsys)
    assert not passed and says in out and "Traceback" not in out
    assert str(nb04._stack_params()) not in out


def test_04_1_hints_never_equal_the_answer() -> None:
    assert nb04._stack_params() not in nb04._STACK_HINTS and len(set(nb04._STACK_HINTS)) == 8


# --- 04.2 ---------------------------------------------------------------------------------------------------

def test_04_2_right_function_passes_and_converts_keras_weights(capsys: pytest.CaptureFixture) -> None:
    passed, out = run("04.2", flip_update_gate, capsys)
    assert passed and "✓" in out
    layer = keras.layers.GRU(3, reset_after=True)
    layer.build((None, None, 2))
    kernel, recurrent, bias = (flip_update_gate(w) for w in layer.get_weights())
    assert bias.shape == (2, 9) and np.array_equal(recurrent[:, 3:], layer.get_weights()[1][:, 3:])


@pytest.mark.parametrize("wrong, hint", [
    (lambda w: -np.asarray(w), "only the update gate"),
    (lambda w: 1 - np.asarray(w), "sigmoid(-a) = 1 - sigmoid(a)"),
    (lambda w: nb04._negate(w, 1), "reset gate"),
    (lambda w: nb04._negate(w, 2), "candidate"),
    (nb04._rows_negated, "columns"),
    (lambda w: np.array(w), "unchanged"),
])
def test_04_2_typical_mistakes_get_their_hint(wrong: object, hint: str,
                                              capsys: pytest.CaptureFixture) -> None:
    passed, out = run("04.2", wrong, capsys)
    assert not passed and hint in out


def test_04_2_in_place_change_is_reported(capsys: pytest.CaptureFixture) -> None:
    def in_place(w: np.ndarray) -> np.ndarray:
        w[..., :w.shape[-1] // 3] *= -1
        return w
    passed, out = run("04.2", in_place, capsys)
    assert not passed and "in place" in out


def test_04_2_hard_coded_units_fail(capsys: pytest.CaptureFixture) -> None:
    def five_units(w: np.ndarray) -> np.ndarray:            # the notebook's `units`, not the array's
        w = np.array(w)
        w[..., :5] *= -1
        return w
    passed, out = run("04.2", five_units, capsys)
    assert not passed and "from the array" in out


@pytest.mark.parametrize("answer, says", [
    (flip_update_gate(np.ones(9)), "expected a function"),
    (raises, "your function raised ValueError"),
    (lambda w: np.asarray(w)[..., :3], "returned shape"),
    (lambda w: flip_update_gate(w) * np.nan, "NaN"),
    (lambda w: flip_update_gate(w) + np.random.normal(size=np.shape(w)), "unseeded"),
])
def test_04_2_broken_answers(answer: object, says: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("04.2", answer, capsys)
    assert not passed and says in out and "Traceback" not in out


# --- 04.3 ---------------------------------------------------------------------------------------------------

def test_04_3_reference_is_the_tape_and_the_formula_passes(capsys: pytest.CaptureFixture) -> None:
    args = nb04._step_inputs(0)
    np.testing.assert_allclose(gru_jacobian(*args), nb04._tape_jacobian(*args), atol=1e-12)
    passed, out = run("04.3", gru_jacobian, capsys)
    assert passed and "✓" in out


@pytest.mark.parametrize("terms, transpose, hint", [
    (("highway",), False, "only the highway term"),
    (nb04._FULL, True, "transposed"),
    (("highway", "through the candidate"), False, "z_t as a constant"),
    (("highway", "through z", "r constant"), False, "r_t as a constant"),
    (("highway", "through z", "no tanh'"), False, "1 - tanh^2"),
])
def test_04_3_typical_mistakes_get_their_hint(terms: tuple, transpose: bool, hint: str,
                                              capsys: pytest.CaptureFixture) -> None:
    passed, out = run("04.3", nb04._hint(*terms, transpose=transpose), capsys)
    assert not passed and hint in out


@pytest.mark.parametrize("answer, says", [
    ("gru_jacobian", "expected a function"),
    (raises, "your function raised ValueError"),
    (lambda x, h, *w: np.eye(len(h) + 1), "returned shape"),
    (lambda x, h, *w: np.full((len(h), len(h)), np.nan), "NaN"),
    (lambda *args: gru_jacobian(*args) + np.random.normal(), "unseeded"),
])
def test_04_3_broken_answers(answer: object, says: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("04.3", answer, capsys)
    assert not passed and says in out and "Traceback" not in out


def test_04_3_reader_exception_names_the_arguments(capsys: pytest.CaptureFixture) -> None:
    passed, out = run("04.3", lambda x_t, h, W_x, W_h, b_x: W_x @ h, capsys)
    assert not passed and "your function raised" in out and "keyed 'z', 'r', 'h'" in out
