"""Attention in NumPy, as a reference for the Keras layers, and a heatmap of attention weights; imported by
notebook 09.

- `dot_scores`, `scaled_dot_scores`, `general_scores`, `additive_scores`: the score functions of Luong et al.
  (2015), Vaswani et al. (2017) and Bahdanau et al. (2015), each (batch, T, S) for queries (batch, T, d) and
  keys (batch, S, d);
- `masked_softmax`: attention weights from scores, exactly zero where the source is padding;
- `attend`: weights and the weighted sum of the values, the context vectors;
- `plot_attention`: a heatmap of one example's weights, source tokens across, output tokens down.

Row-batch convention as in Keras: a query or key is a row, a weight matrix maps rows (`x @ W`, like a
`Dense` kernel). Masks are boolean, True where a source position holds a real token.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _check_3d(name: str, array: object) -> np.ndarray:
    """Return `array` as a float64 array of shape (batch, time, features); raise otherwise."""
    array = np.asarray(array)
    if array.ndim != 3 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must be a numeric array (batch, time, features), got shape {array.shape} "
                         f"dtype {array.dtype}")
    return array.astype(np.float64)


def _check_query_keys(query: object, keys: object, same_width: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return query (batch, T, d_q) and keys (batch, S, d_k) as arrays; raise if the batches (or d) differ."""
    query, keys = _check_3d("query", query), _check_3d("keys", keys)
    if query.shape[0] != keys.shape[0]:
        raise ValueError(f"query and keys must have the same batch size, got {query.shape[0]} and "
                         f"{keys.shape[0]}")
    if same_width and query.shape[2] != keys.shape[2]:
        raise ValueError(f"query and keys must have the same width for a dot product, got {query.shape[2]} "
                         f"and {keys.shape[2]}")
    return query, keys


def _check_matrix(name: str, matrix: object, shape: tuple[int, int | None]) -> np.ndarray:
    """Return `matrix` as a 2-D float64 array whose shape matches `shape` (None: any); raise otherwise."""
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != shape[0] or shape[1] not in (None, matrix.shape[1]):
        expected = f"({shape[0]}, {'any' if shape[1] is None else shape[1]})"
        raise ValueError(f"{name} must have shape {expected}, got {matrix.shape}")
    return matrix


def dot_scores(query: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Return the dot-product scores q_t . k_s (batch, T, S) (Luong's "dot")."""
    query, keys = _check_query_keys(query, keys, same_width=True)
    return query @ keys.transpose(0, 2, 1)  # (batch, T, d) @ (batch, d, S)


def scaled_dot_scores(query: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Return the scaled dot-product scores q_t . k_s / sqrt(d) (batch, T, S) (Vaswani et al. 2017)."""
    query, keys = _check_query_keys(query, keys, same_width=True)
    return dot_scores(query, keys) / np.sqrt(query.shape[2])


def general_scores(query: np.ndarray, keys: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Return the bilinear scores (q_t W) . k_s (batch, T, S) (Luong's "general"); W is (d_q, d_k)."""
    query, keys = _check_query_keys(query, keys, same_width=False)
    W = _check_matrix("W", W, (query.shape[2], keys.shape[2]))
    return dot_scores(query @ W, keys)


def additive_scores(query: np.ndarray, keys: np.ndarray, W_q: np.ndarray, W_k: np.ndarray,
                    v: np.ndarray) -> np.ndarray:
    """Return the additive scores v . tanh(q_t W_q + k_s W_k) (batch, T, S) (Bahdanau et al. 2015).

    W_q is (d_q, units), W_k (d_k, units) and v (units,): a one-hidden-layer network scores each pair.
    """
    query, keys = _check_query_keys(query, keys, same_width=False)
    W_q = _check_matrix("W_q", W_q, (query.shape[2], None))
    W_k = _check_matrix("W_k", W_k, (keys.shape[2], W_q.shape[1]))
    v = np.asarray(v, dtype=np.float64)
    if v.shape != (W_q.shape[1],):
        raise ValueError(f"v must have shape ({W_q.shape[1]},), got {v.shape}")
    hidden = np.tanh((query @ W_q)[:, :, None, :] + (keys @ W_k)[:, None, :, :])  # (batch, T, S, units)
    return hidden @ v


def masked_softmax(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Return the softmax of `scores` (batch, T, S) over S, with weight exactly 0 where `mask` is False.

    `mask` (batch, S) is True on real source tokens (the source padding mask); None attends everywhere.
    Every row needs at least one real token.
    """
    scores = _check_3d("scores", scores)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != (scores.shape[0], scores.shape[2]):
            expected = (scores.shape[0], scores.shape[2])
            raise ValueError(f"mask must be a boolean array (batch, S) = {expected}, got shape {mask.shape} "
                             f"dtype {mask.dtype}")
        if not mask.any(axis=1).all():
            raise ValueError("every mask row needs at least one True (a source without tokens cannot be "
                             "attended to)")
        scores = np.where(mask[:, None, :], scores, -np.inf)  # padding: exp(-inf) = 0
    scores = scores - scores.max(axis=-1, keepdims=True)  # for stability; the softmax is unchanged
    weights = np.exp(scores)
    return weights / weights.sum(axis=-1, keepdims=True)


def attend(scores: np.ndarray, values: np.ndarray,
           mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return the context vectors (batch, T, d_v) and the weights (batch, T, S) for `scores` (batch, T, S).

    weights = masked_softmax(scores, mask); context_t = sum_s weights[t, s] * values_s for values
    (batch, S, d_v).
    """
    values = _check_3d("values", values)
    weights = masked_softmax(scores, mask)
    if weights.shape[::2] != values.shape[:2]:
        raise ValueError(f"scores (batch, T, S) {weights.shape} and values (batch, S, d) {values.shape} "
                         f"disagree on batch or S")
    return weights @ values, weights


def plot_attention(weights: np.ndarray, source_tokens: Sequence[str], output_tokens: Sequence[str],
                   ax=None, title: str | None = None, fontsize: int = 13):
    """Return the matplotlib Axes with a heatmap of one example's attention weights (T, S).

    Columns are the source tokens, rows the output tokens (each row sums to 1): dark = much weight. Pass
    the weights cut to the real tokens, len(output_tokens) rows and len(source_tokens) columns.
    """
    import matplotlib.pyplot as plt

    weights = np.asarray(weights, dtype=np.float64)
    source_tokens, output_tokens = [str(t) for t in source_tokens], [str(t) for t in output_tokens]
    if weights.shape != (len(output_tokens), len(source_tokens)):
        raise ValueError(f"weights must have shape (output tokens, source tokens) = "
                         f"{(len(output_tokens), len(source_tokens))}, got {weights.shape}")
    if ax is None:
        ax = plt.gca()
    ax.imshow(weights, cmap="Greys", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(source_tokens)), source_tokens, fontsize=fontsize)
    ax.set_yticks(range(len(output_tokens)), output_tokens, fontsize=fontsize)
    ax.tick_params(length=0)
    if title is not None:
        ax.set_title(title, fontsize=fontsize)
    return ax
