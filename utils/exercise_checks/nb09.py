"""The checks of notebook 09's exercises: masked attention weights, dot-score spread, the query's gradient.

Registered with utils/exercises.py, which imports this module. Shapes as in the notebook: batch first, vectors
as rows; queries (batch, T, d), keys (batch, S, d), values (batch, S, d_v), scores and weights (batch, T, S);
source ids (batch, S) with 0 for padding.
"""

from __future__ import annotations

import numpy as np

from utils.exercises import Verdict, expect_function, expect_number, register

PAD_ID = 0
UNITS = 128      # the decoder's state and the encoder's memory in notebook 09 (FULL_RUN = False)


def _softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    exp = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return exp / exp.sum(axis=axis, keepdims=True)


# --- 09.1: scaled dot-product weights with the source padding mask ------------------------------------------

def _query_keys_ids(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return query (3, 4, 5), keys (3, 6, 5) and source ids (3, 6): rows of 6, 4 and 2 real tokens."""
    rng = np.random.default_rng(900 + seed)
    query, keys = 2 * rng.normal(size=(3, 4, 5)), 2 * rng.normal(size=(3, 6, 5))
    ids = rng.integers(4, 40, size=(3, 6))
    ids[np.arange(6) >= np.array([6, 4, 2])[:, None]] = PAD_ID
    return query, keys, ids


def _masked_weights(query: np.ndarray, keys: np.ndarray, ids: np.ndarray, scale: float | None = None,
                    mask: bool = True, axis: int = -1) -> np.ndarray:
    """Return softmax(q k / scale) over `axis`, -inf on the padded keys if `mask`; scale None: sqrt(d)."""
    scores = query @ keys.transpose(0, 2, 1) / (np.sqrt(query.shape[-1]) if scale is None else scale)
    if mask:
        scores = np.where(ids[:, None, :] != PAD_ID, scores, -np.inf)
    return _softmax(scores, axis=axis)


_MASK_HINTS = [
    (lambda q, k, ids: _masked_weights(q, k, ids, scale=1.0),
     "divide the scores by sqrt(d): the scaled dot product"),
    (lambda q, k, ids: _masked_weights(q, k, ids, scale=q.shape[-1]), "divide by sqrt(d), not by d"),
    (lambda q, k, ids: _masked_weights(q, k, ids, mask=False),
     "the padded source positions (id 0) still get weight: mask their scores before the softmax"),
    (lambda q, k, ids: _masked_weights(q, k, ids, mask=False) * (ids[:, None, :] != PAD_ID),
     "zeroing the weights after the softmax leaves rows that do not sum to 1: mask the scores before it"),
    (lambda q, k, ids: np.nan_to_num(_masked_weights(q, k, ids, axis=1)),
     "the softmax runs over the source positions S (the last axis), not over the output steps T"),
]


@register("09.1")
def check_masked_weights(answer: object) -> Verdict:
    """Exercise 09.1: scaled dot-product attention weights (batch, T, S), the mask made from source ids."""
    with np.errstate(invalid="ignore", divide="ignore"):   # a wrong mask may make 0/0: reported as NaN
        return expect_function(answer, _masked_weights, _query_keys_ids, rtol=1e-5, atol=1e-6,
                               hints=_MASK_HINTS)


# --- 09.2: the spread of dot scores -------------------------------------------------------------------------

@register("09.2")
def check_dot_score_spread(answer: object) -> Verdict:
    """Exercise 09.2: the standard deviation of q . k for random vectors of UNITS unit-variance components."""
    right = float(np.sqrt(UNITS))
    hints = {float(UNITS): "that is the variance of the score; the question asks for its standard deviation",
             1.0: "that is the spread of the *scaled* score, q . k / sqrt(d); the question is about q . k",
             0.0: "that is the mean of the score; the question asks for its standard deviation",
             float(np.sqrt(UNITS / 2)): "q_t and h_s both have the full number of components (the two "
             "halves of the bidirectional encoder make one memory vector)"}
    return expect_number(answer, right, rtol=2e-3, hints=hints)


# --- 09.3: the gradient of dot-product attention with respect to the query ----------------------------------

def _attention_inputs(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return query (2, 3, 4), keys (2, 5, 4), values (2, 5, 4) and upstream gradients (2, 3, 4)."""
    rng = np.random.default_rng(990 + seed)
    return tuple(rng.normal(size=shape) for shape in ((2, 3, 4), (2, 5, 4), (2, 5, 4), (2, 3, 4)))


def _tape_query_gradient(query: np.ndarray, keys: np.ndarray, values: np.ndarray,
                         upstream: np.ndarray) -> np.ndarray:
    """Return dL/dquery for L = sum(upstream * context), context = softmax(q k^T) v, by tf.GradientTape."""
    import tensorflow as tf

    q = tf.constant(query, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(q)
        weights = tf.nn.softmax(q @ tf.transpose(keys, [0, 2, 1]), axis=-1)     # (batch, T, S)
        loss = tf.reduce_sum(upstream * (weights @ values))                      # context (batch, T, d_v)
    return tape.gradient(loss, q).numpy()


def _hand_gradient(query: np.ndarray, keys: np.ndarray, values: np.ndarray, upstream: np.ndarray, *,
                   scale: float = 1.0, centre: bool = True) -> np.ndarray:
    """Return the gradient by the chain rule, or a typical wrong version (scaled scores, no centring)."""
    weights = _softmax(query @ keys.transpose(0, 2, 1) / scale)                   # (batch, T, S)
    u = upstream @ values.transpose(0, 2, 1)                                      # dL/dweights (batch, T, S)
    if centre:
        u = u - (weights * u).sum(axis=-1, keepdims=True)
    return (weights * u) @ keys / scale                                           # (batch, T, d)


_GRADIENT_HINTS = [
    (lambda q, k, v, g: np.zeros_like(q),
     "the context depends on the query through the weights: differentiate through the softmax"),
    (lambda q, k, v, g: _hand_gradient(q, k, v, g, centre=False),
     "the softmax's Jacobian is diag(alpha) - alpha alpha^T: the second term (subtract the weighted mean of "
     "dL/dalpha) is missing"),
    (lambda q, k, v, g: _hand_gradient(q, v, k, g),
     "keys and values are swapped: the scores compare the query with the keys, the context averages values"),
    (lambda q, k, v, g: _hand_gradient(q, k, v, g, scale=np.sqrt(q.shape[-1])),
     "the score here is the plain dot product q . k, without the 1/sqrt(d) of the scaled score"),
    (lambda q, k, v, g: -_hand_gradient(q, k, v, g), "the sign is flipped"),
    (lambda q, k, v, g: _hand_gradient(q, k, v, np.ones_like(g)),
     "the loss is sum(upstream * context): the upstream gradient weights each context component"),
]


@register("09.3")
def check_query_gradient(answer: object) -> Verdict:
    """Exercise 09.3: dL/dq of dot-product attention (no scale, no mask), checked against tf.GradientTape."""
    return expect_function(answer, _tape_query_gradient, _attention_inputs, rtol=1e-5, atol=1e-6,
                           hints=_GRADIENT_HINTS)   # float32 arithmetic passes too
