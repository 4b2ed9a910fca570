"""Unit tests of utils/attention.py: NumPy scores against the Keras attention layers, masking, heatmaps."""

from __future__ import annotations

import keras
import matplotlib
import numpy as np
import pytest

from utils import attention

matplotlib.use("Agg")

RNG = np.random.default_rng(0)
QUERY = RNG.normal(size=(2, 3, 4)).astype(np.float32)  # (batch, T, d)
KEYS = RNG.normal(size=(2, 5, 4)).astype(np.float32)  # (batch, S, d)
VALUES = RNG.normal(size=(2, 5, 6)).astype(np.float32)  # (batch, S, d_v)
MASK = np.array([[True, True, True, False, False], [True, True, True, True, True]])  # (batch, S)


def keras_attention(layer, query, keys, values, mask):
    """Return the context (batch, T, d_v) and weights (batch, T, S) of a Keras attention layer, as NumPy."""
    # a (batch, 1, S) value mask: Keras 3.10 cannot broadcast the documented (batch, S) one
    context, weights = layer([query, values, keys], mask=[None, mask[:, None, :]],
                             return_attention_scores=True)
    return keras.ops.convert_to_numpy(context), keras.ops.convert_to_numpy(weights)


def test_dot_and_scaled_dot_match_keras_attention():
    for scores, scale in ((attention.dot_scores(QUERY, KEYS), 1.0),
                          (attention.scaled_dot_scores(QUERY, KEYS), 1 / np.sqrt(4))):
        layer = keras.layers.Attention(use_scale=True)
        layer.build([QUERY.shape, VALUES.shape, KEYS.shape])
        layer.scale.assign(scale)
        context, weights = attention.attend(scores, VALUES, MASK)
        keras_context, keras_weights = keras_attention(layer, QUERY, KEYS, VALUES, MASK)
        np.testing.assert_allclose(weights, keras_weights, atol=1e-6)
        np.testing.assert_allclose(context, keras_context, atol=1e-5)


def test_general_is_dot_on_the_projected_query():
    W = RNG.normal(size=(4, 4))
    expected = attention.dot_scores(QUERY @ W, KEYS)
    np.testing.assert_allclose(attention.general_scores(QUERY, KEYS, W), expected)
    wide = RNG.normal(size=(4, 7))
    assert attention.general_scores(QUERY, RNG.normal(size=(2, 5, 7)), wide).shape == (2, 3, 5)


def test_additive_matches_keras_additive_attention_on_projected_inputs():
    W_q, W_k, v = RNG.normal(size=(4, 8)), RNG.normal(size=(4, 8)), RNG.normal(size=8)
    scores = attention.additive_scores(QUERY, KEYS, W_q, W_k, v)
    context, weights = attention.attend(scores, VALUES, MASK)
    layer = keras.layers.AdditiveAttention(use_scale=True)
    query, keys = (QUERY @ W_q).astype(np.float32), (KEYS @ W_k).astype(np.float32)
    layer.build([query.shape, VALUES.shape, keys.shape])
    layer.scale.assign(v.astype(np.float32))
    keras_context, keras_weights = keras_attention(layer, query, keys, VALUES, MASK)
    np.testing.assert_allclose(weights, keras_weights, atol=1e-6)
    np.testing.assert_allclose(context, keras_context, atol=1e-5)


def test_masked_softmax_puts_no_weight_on_padding():
    weights = attention.masked_softmax(attention.dot_scores(QUERY, KEYS), MASK)
    assert np.all(weights[0, :, 3:] == 0)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    unmasked = attention.masked_softmax(attention.dot_scores(QUERY, KEYS))
    assert np.all(unmasked[0, :, 3:] > 0)  # the pitfall: without the mask, padding gets weight
    huge = attention.masked_softmax(np.full((1, 1, 3), 1000.0))  # no overflow
    np.testing.assert_allclose(huge, 1 / 3)


def test_attend_is_the_weighted_sum_of_values():
    scores = np.zeros((1, 2, 4))
    values = np.arange(8, dtype=float).reshape(1, 4, 2)
    context, weights = attention.attend(scores, values, np.array([[True, True, False, False]]))
    np.testing.assert_allclose(weights[0], [[0.5, 0.5, 0, 0]] * 2)
    np.testing.assert_allclose(context[0], [[1.0, 2.0]] * 2)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"query must be a numeric array \(batch, time, features\)"):
        attention.dot_scores(QUERY[0], KEYS)
    with pytest.raises(ValueError, match="same batch size"):
        attention.dot_scores(QUERY, KEYS[:1])
    with pytest.raises(ValueError, match="same width"):
        attention.dot_scores(QUERY, KEYS[..., :3])
    with pytest.raises(ValueError, match=r"W must have shape \(4, 4\)"):
        attention.general_scores(QUERY, KEYS, np.eye(3))
    with pytest.raises(ValueError, match=r"W_k must have shape \(4, 8\)"):
        attention.additive_scores(QUERY, KEYS, np.ones((4, 8)), np.ones((4, 7)), np.ones(8))
    with pytest.raises(ValueError, match=r"v must have shape \(8,\)"):
        attention.additive_scores(QUERY, KEYS, np.ones((4, 8)), np.ones((4, 8)), np.ones(7))
    scores = attention.dot_scores(QUERY, KEYS)
    with pytest.raises(ValueError, match="mask must be a boolean array"):
        attention.masked_softmax(scores, MASK.astype(int))
    with pytest.raises(ValueError, match="mask must be a boolean array"):
        attention.masked_softmax(scores, MASK[:, :4])
    with pytest.raises(ValueError, match="at least one True"):
        attention.masked_softmax(scores, np.zeros((2, 5), bool))
    with pytest.raises(ValueError, match="disagree"):
        attention.attend(scores, VALUES[:, :4])


def test_plot_attention():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    out = attention.plot_attention(np.eye(3)[:2], ["a", "b", "c"], ["x", "y"], ax=ax, title="t")
    assert out is ax and [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_title() == "t"
    with pytest.raises(ValueError, match=r"weights must have shape \(output tokens, source tokens\)"):
        attention.plot_attention(np.eye(3), ["a", "b", "c"], ["x", "y"], ax=ax)
    plt.close(fig)
