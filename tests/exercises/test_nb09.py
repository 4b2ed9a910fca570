"""Tests of the checks of notebook 09's exercises (utils/exercise_checks/nb09.py)."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from utils import attention, exercises
from utils.exercise_checks import nb09


def run(exercise: str, answer: object) -> tuple[bool, str]:
    """Return (passed, the line printed) of exercises.check."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), np.errstate(all="ignore"):
        passed = exercises.check(exercise, answer)
    return passed, printed.getvalue().strip()


# --- 09.1 ---------------------------------------------------------------------------------------------------

def masked_weights(query, keys, source_ids):
    """The notebook's own functions, as a reader may use them (utils.attention has the same ones)."""
    return attention.masked_softmax(attention.scaled_dot_scores(query, keys), source_ids != 0)


def with_large_negative(query, keys, source_ids):
    """Keras's way: subtract a large number from the padded scores instead of setting them to -inf."""
    scores = query @ keys.transpose(0, 2, 1) / np.sqrt(query.shape[-1]) - 1e9 * (source_ids == 0)[:, None, :]
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


def test_masked_weights_right_answers_pass():
    assert run("09.1", masked_weights) == (True, "✓ 09.1: right on 3 random inputs")
    assert run("09.1", with_large_negative)[0]
    assert run("09.1", lambda q, k, ids: masked_weights(q.astype("float32"), k.astype("float32"), ids))[0]


def test_the_padding_matters_in_the_check_inputs():
    query, keys, ids = nb09._query_keys_ids(0)
    assert (ids == 0).any(axis=1).sum() == 2 and (ids != 0).all(axis=1).any()


def unmasked(query, keys, ids):
    return attention.masked_softmax(attention.scaled_dot_scores(query, keys))


@pytest.mark.parametrize("wrong, hint", [
    (lambda q, k, ids: attention.masked_softmax(attention.dot_scores(q, k), ids != 0), "sqrt(d)"),
    (lambda q, k, ids: attention.masked_softmax(attention.dot_scores(q, k) / q.shape[-1], ids != 0),
     "not by d"),
    (unmasked, "mask their scores before the softmax"),
    (lambda q, k, ids: unmasked(q, k, ids) * (ids != 0)[:, None, :], "do not sum to 1"),
    (lambda q, k, ids: np.nan_to_num(nb09._masked_weights(q, k, ids, axis=1)), "not over the output steps"),
    (lambda q, k, ids: masked_weights(q, k, ids) ** 2, "differs from the reference"),
])
def test_masked_weights_wrong_versions_fail_with_their_hint(wrong, hint):
    passed, message = run("09.1", wrong)
    assert not passed and hint in message


@pytest.mark.parametrize("broken, says", [
    (masked_weights(*nb09._query_keys_ids(0)), "expected a function"),
    (lambda q, k, ids: 1 / 0, "raised ZeroDivisionError"),
    (lambda q, k, ids: masked_weights(q, k, ids)[:, 0], "returned shape (3, 6), expected (3, 4, 6)"),
    (lambda q, k, ids: attention.masked_softmax(attention.scaled_dot_scores(q, k), ids == 0), "raised"),
    (lambda q, k, ids: nb09._masked_weights(q, k, ids, axis=1), "NaN"),
    (lambda q, k, ids: masked_weights(q, k, ids) + np.random.rand(), "unseeded"),
    (lambda q, k: q, "raised TypeError"),
])
def test_masked_weights_broken_answers_fail_with_a_message(broken, says):
    passed, message = run("09.1", broken)
    assert not passed and says in message and "Traceback" not in message


# --- 09.2 ---------------------------------------------------------------------------------------------------

RIGHT_SPREAD = np.sqrt(128)


def test_spread_right_answers_pass():
    assert run("09.2", RIGHT_SPREAD) == (True, "✓ 09.2: right")
    assert run("09.2", 11.31)[0] and run("09.2", 11.3)[0]


@pytest.mark.parametrize("wrong, hint", [
    (128, "variance"),
    (1, "scaled"),
    (0, "mean"),
    (8, "full number of components"),
    (12, "too large"),
    ("11.3", "expected a number"),
    (float("nan"), "NaN"),
    (None, "no answer yet"),
])
def test_spread_wrong_answers_fail_with_their_hint(wrong, hint):
    passed, message = run("09.2", wrong)
    assert not passed and hint in message
    assert "11.3" not in message.replace(repr(wrong), "")


# --- 09.3 ---------------------------------------------------------------------------------------------------

def attention_query_gradient(query, keys, values, upstream):
    weights = attention.masked_softmax(attention.dot_scores(query, keys))      # (batch, T, S)
    d_weights = upstream @ values.transpose(0, 2, 1)
    d_scores = weights * (d_weights - (weights * d_weights).sum(axis=-1, keepdims=True))
    return d_scores @ keys


def tape_gradient(query, keys, values, upstream):
    """A reader who differentiates with tf.GradientTape in float32 passes too."""
    import tensorflow as tf

    q, k, v, g = (tf.constant(array, tf.float32) for array in (query, keys, values, upstream))
    with tf.GradientTape() as tape:
        tape.watch(q)
        loss = tf.reduce_sum(g * (tf.nn.softmax(q @ tf.transpose(k, [0, 2, 1])) @ v))
    return tape.gradient(loss, q)


def test_query_gradient_right_answers_pass():
    assert run("09.3", attention_query_gradient) == (True, "✓ 09.3: right on 3 random inputs")
    assert run("09.3", nb09._hand_gradient)[0]


def test_a_float32_tape_is_close_enough():
    passed, message = run("09.3", tape_gradient)
    assert passed, message


@pytest.mark.parametrize("wrong, hint", [
    (lambda q, k, v, g: np.zeros_like(q), "through the softmax"),
    (lambda q, k, v, g: nb09._hand_gradient(q, k, v, g, centre=False), "second term"),
    (lambda q, k, v, g: nb09._hand_gradient(q, v, k, g), "swapped"),
    (lambda q, k, v, g: nb09._hand_gradient(q, k, v, g, scale=2.0), "plain dot product"),
    (lambda q, k, v, g: -attention_query_gradient(q, k, v, g), "sign"),
    (lambda q, k, v, g: attention_query_gradient(q, k, v, np.ones_like(g)), "upstream gradient"),
    (lambda q, k, v, g: 2 * attention_query_gradient(q, k, v, g), "differs from the reference"),
])
def test_query_gradient_wrong_versions_fail_with_their_hint(wrong, hint):
    passed, message = run("09.3", wrong)
    assert not passed and hint in message


@pytest.mark.parametrize("broken, says", [
    ("grad", "expected a function"),
    (lambda q, k, v, g: np.linalg.inv(k), "raised LinAlgError"),
    (lambda q, k, v, g: attention_query_gradient(q, k, v, g).sum(axis=0), "returned shape (3, 4)"),
    (lambda q, k, v, g: np.full(q.shape, np.inf), "NaN or infinity"),
    (lambda q, k, v, g: attention_query_gradient(q, k, v, g) + np.random.rand(*q.shape), "unseeded"),
])
def test_query_gradient_broken_answers_fail_with_a_message(broken, says):
    passed, message = run("09.3", broken)
    assert not passed and says in message and "Traceback" not in message
