"""Unit tests of notebook 01's exercise checks (utils/exercise_checks/nb01.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.exercises.helpers import verdict
from utils.exercise_checks import nb01

RIGHT_SHAPES = ((32, 12, 8), (32, 8))


# --- 01.1 -------------------------------------------------------------------------------------------------

def test_01_1_right_answer_is_what_keras_returns():
    import keras

    inputs = keras.Input((12, 1), batch_size=32)
    first = keras.layers.SimpleRNN(16, return_sequences=True)(inputs)
    sequence, state = keras.layers.SimpleRNN(8, return_sequences=True, return_state=True)(first)
    assert (tuple(sequence.shape), tuple(state.shape)) == RIGHT_SHAPES


def test_01_1_right(capsys):
    assert verdict("01.1", RIGHT_SHAPES, capsys)[0]
    assert verdict("01.1", [list(RIGHT_SHAPES[0]), list(RIGHT_SHAPES[1])], capsys)[0]
    assert verdict("01.1", tuple(tuple(np.int64(n) for n in s) for s in RIGHT_SHAPES), capsys)[0]


@pytest.mark.parametrize(("answer", "words"), [
    (((32, 12, 16), (32, 8)), "first layer's width"),
    (((32, 8), (32, 8)), "one state per time step"),
    (((12, 32, 8), (32, 8)), "batch axis first"),
    (((32, 12, 8), (32, 12, 8)), "one state per sequence"),
    (((32, 12, 8), (8,)), "its own final state"),
    (((None, 12, 8), (32, 8)), "not None"),
    (((32, 12, 9), (32, 8)), "axis 2 is wrong"),
    (((32, 12, 8), (32, 8, 1)), "your shape has 3 axes"),
])
def test_01_1_wrong(capsys, answer, words):
    passed, out = verdict("01.1", answer, capsys)
    assert not passed and words in out
    assert str(RIGHT_SHAPES[0]) not in out and str(RIGHT_SHAPES[1]) not in out


@pytest.mark.parametrize("answer", [(32, 12, 8), "(32, 12, 8)", 8, ((32, 12, 8),),
                                    (np.zeros((32, 12, 8)), np.zeros((32, 8))),
                                    ([np.zeros(2), 12, 8], (32, 8)), ((32, 12, 8.0), (32, 8))])
def test_01_1_broken(capsys, answer):
    passed, out = verdict("01.1", answer, capsys)
    assert not passed and ("two shapes" in out or "tuple" in out)


def test_01_1_tensor_shapes(capsys):
    import tensorflow as tf

    assert verdict("01.1", (tf.zeros(RIGHT_SHAPES[0]).shape, tf.zeros(RIGHT_SHAPES[1]).shape), capsys)[0]


def test_01_1_no_answer(capsys):
    passed, out = verdict("01.1", ..., capsys)
    assert not passed and "no answer yet" in out


# --- 01.2 -------------------------------------------------------------------------------------------------

def test_01_2_check_model_is_keras_simple_rnn():
    import keras

    model = keras.Sequential([keras.Input((None, 1)),
                              keras.layers.SimpleRNN(1, activation=None, return_sequences=True),
                              keras.layers.Dense(1)])
    model.layers[0].set_weights([np.array([[2.0]]), np.array([[0.7]]), np.array([0.1])])
    model.layers[1].set_weights([np.array([[0.5]]), np.array([0.3])])
    x = np.random.default_rng(0).uniform(-1, 1, size=(4, 9))
    ours = nb01._linear_rnn((2.0, 0.7, 0.1, 0.5, 0.3), x)
    np.testing.assert_allclose(np.asarray(model(x[..., None].astype("float32")))[..., 0], ours, atol=1e-5)


@pytest.mark.parametrize("answer", [(1, 1, 0, 1, 0), (2.0, 1.0, 0.0, 0.5, 0.0), (-4, 1, 0, -0.25, 0),
                                    [np.array([[1.0]]), np.array([[1.0]]), np.zeros(1), np.array([[1.0]]),
                                     np.zeros(1)]])
def test_01_2_right(capsys, answer):
    assert verdict("01.2", answer, capsys)[0]


@pytest.mark.parametrize(("answer", "words"), [
    ((1, 0, 0, 1, 0), "forgets everything"),
    ((1, 0.9, 0, 1, 0), "leaks"),
    ((1, 1.1, 0, 1, 0), "scales the old state up"),
    ((1, -1, 0, 1, 0), "flips its sign"),
    ((1, 1, 0.1, 1, 0), "same amount at every step"),
    ((1, 1, 0, 1, 0.5), "same constant"),
    ((2, 1, 0, 1, 0), "multiple of the running sum"),
    ((0, 1, 0, 1, 0), "never see the inputs"),
])
def test_01_2_wrong(capsys, answer, words):
    passed, out = verdict("01.2", answer, capsys)
    assert not passed and words in out


@pytest.mark.parametrize(("answer", "words"), [
    ((1, 1, 0, 1), "five numbers"),
    ("1, 1, 0, 1, 0", "five numbers"),
    ((1, 1, 0, np.ones((2, 1)), 0), "one number"),
    ((1, "1", 0, 1, 0), "one number"),
    ((1, True, 0, 1, 0), "one number"),
    ((1, np.nan, 0, 1, 0), "NaN"),
])
def test_01_2_broken(capsys, answer, words):
    passed, out = verdict("01.2", answer, capsys)
    assert not passed and words in out


# --- 01.3 -------------------------------------------------------------------------------------------------

def keras_backwards(x, W_x, W_h, b):
    """A reader's answer that asks Keras itself."""
    import keras

    layer = keras.layers.SimpleRNN(len(W_h), return_sequences=True, go_backwards=True)
    layer.build((None, None, x.shape[-1]))
    layer.set_weights([W_x.T, W_h.T, b])
    return np.asarray(layer(x.astype("float32")))


def numpy_backwards(x, W_x, W_h, b):
    h, states = np.zeros((len(x), len(W_h))), []
    for t in reversed(range(x.shape[1])):
        h = np.tanh(x[:, t] @ W_x.T + h @ W_h.T + b)
        states.append(h)
    return np.stack(states, axis=1)


def test_01_3_reference_is_keras():
    for seed in range(3):
        args = nb01._rnn_inputs(seed)
        np.testing.assert_allclose(keras_backwards(*args), nb01._backwards(*args), atol=1e-5)


@pytest.mark.parametrize("answer", [numpy_backwards, keras_backwards])
def test_01_3_right(capsys, answer):
    assert verdict("01.3", answer, capsys)[0]


def test_01_3_wrong(capsys):
    passed, out = verdict("01.3", nb01._forward, capsys)
    assert not passed and "from its first step" in out
    passed, out = verdict("01.3", lambda *args: numpy_backwards(*args)[:, ::-1], capsys)
    assert not passed and "input's time order" in out
    passed, out = verdict("01.3", lambda *args: numpy_backwards(*args) * 1.01, capsys)
    assert not passed and "differs from the reference" in out


def test_01_3_broken(capsys):
    passed, out = verdict("01.3", numpy_backwards(*nb01._rnn_inputs(0)), capsys)
    assert not passed and "expected a function" in out
    passed, out = verdict("01.3", lambda *args: numpy_backwards(*args)[:, -1], capsys)
    assert not passed and "shape" in out
    passed, out = verdict("01.3", lambda x, W_x, W_h, b: np.tanh(x @ W_x), capsys)
    assert not passed and "your function raised" in out
    passed, out = verdict("01.3", lambda *args: numpy_backwards(*args) * np.nan, capsys)
    assert not passed and "NaN" in out
    rng = np.random.default_rng()
    passed, out = verdict("01.3", lambda *args: numpy_backwards(*args) + rng.normal(), capsys)
    assert not passed and "unseeded" in out
