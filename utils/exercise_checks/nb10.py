"""The checks of notebook 10's exercises (see utils/exercises.py)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from utils.exercises import Verdict, call_reader, expect_number, register

D_MODEL, HEADS, FFN_UNITS = 32, 2, 64      # the notebook's block: D_MODEL, HEADS, FFN_UNITS


def _sinusoid(t: int, j: int, d: int, *, odd_is_sine: bool = False, degrees: bool = False) -> float:
    """Return the sinusoidal encoding p_{t,j} of notebook 10 (columns 2i: sine, 2i + 1: cosine)."""
    angle = t / 10000 ** (2 * (j // 2) / d)
    angle = np.deg2rad(angle) if degrees else angle
    return float(np.sin(angle) if (j % 2 == 1) == odd_is_sine else np.cos(angle))


@register("10.1")
def sinusoidal_value(answer: object) -> Verdict:
    """Exercise 10.1: the sinusoidal positional encoding p_{t,j} at t = 100, j = 9, d_model = 32."""
    t, j, d = 100, 9, D_MODEL
    right = _sinusoid(t, j, d)
    wrong_exponent = float(np.cos(t / 10000 ** (j / d)))           # 2i taken as j itself
    hints = {
        _sinusoid(t, j, d, odd_is_sine=True): "odd columns (j = 2i + 1) hold the cosine, even ones the sine",
        _sinusoid(t, j, d, degrees=True): "NumPy's sin and cos take the angle in radians, not degrees",
        _sinusoid(t, j, 16): "d is d_model, the width the encoding is added to, not the size of one head",
        _sinusoid(t - 1, j, d): "the position is t itself: row t of sinusoidal_encoding, counting from 0",
        wrong_exponent: "the exponent is 2i/d with i the index of the pair of columns (j = 2i or 2i + 1)",
    }
    return expect_number(answer, right, rtol=0, atol=1e-3, hints=hints)


def _crossover(linear: float, quadratic: float) -> float:
    """Return the length T at which quadratic * T**2 equals linear * T."""
    return linear / quadratic


@register("10.4")
def attention_crossover(answer: object) -> Verdict:
    """Exercise 10.4: the length T at which the block's T**2 multiply-adds equal all its others."""
    d, d_ff, d_k = D_MODEL, FFN_UNITS, D_MODEL // HEADS
    projections, feed_forward = 4 * d * d, 2 * d * d_ff                # per position
    attention = 2 * HEADS * d_k                                       # per pair of positions
    right = _crossover(projections + feed_forward, attention)
    hints = {
        _crossover(projections, attention): "the feed-forward part is probably missing, or each head's "
                                            "scores were counted with d_model instead of d_k = d_model / H",
        _crossover(3 * d * d + feed_forward, attention): "the output projection W_o is a fourth projection",
        _crossover(projections + d * d_ff, attention): "the feed-forward part has two Dense layers",
        _crossover(projections + feed_forward, attention / 2): "two products grow with T**2: the scores "
                                                                "q^T k and the weighted sum of the values",
        _crossover(projections + 2 * d * 4 * d, attention): "FFN_UNITS is 64 in this notebook, not the "
                                                             "usual 4 d_model",
    }
    return expect_number(answer, right, rtol=0, atol=0.5, hints=hints, integer=True)


def _mask(n_queries: int, n_keys: int, *, offset: bool = True, diagonal: bool = True) -> np.ndarray:
    """Return the causal mask (n_queries, n_keys), True where allowed; queries at the end if offset."""
    position = np.arange(n_queries)[:, None] + (n_keys - n_queries if offset else 0)   # (queries, 1)
    keys = np.arange(n_keys)[None, :]                                                  # (1, keys)
    return keys <= position if diagonal else keys < position


MASK_SIZES = [(5, 5), (3, 7), (1, 6), (4, 9)]   # (n_queries, n_keys): square, then after a cache
MASK_HINTS: list[tuple[Callable[[int, int], np.ndarray], str]] = [   # typical wrong masks of exercise 10.5
    (lambda q, k: _mask(q, k, offset=False), "your mask is aligned at the top left, as use_causal_mask=True "
     "builds it; the new queries are the *last* n_queries of the n_keys positions"),
    (lambda q, k: ~_mask(q, k), "your mask is True where attention is forbidden: Keras's is True where it is "
     "allowed (PyTorch's key_padding_mask is the opposite)"),
    (lambda q, k: _mask(q, k, diagonal=False), "a position may attend to itself: the diagonal is allowed"),
    (lambda q, k: ~_mask(q, k, diagonal=False), "your mask lets each query see the future, not the past: "
     "rows are queries, columns keys"),
]


def _mask_problem(got: np.ndarray, again: np.ndarray, n_queries: int, n_keys: int) -> str:
    """Return what is wrong with the form of the reader's mask for these sizes ("" if nothing)."""
    if not np.array_equal(got, again, equal_nan=True):
        return "two calls with the same sizes gave different masks: is there a random draw in your function?"
    if got.shape != (n_queries, n_keys):
        return (f"causal_mask({n_queries}, {n_keys}) has shape {got.shape}, expected (n_queries, n_keys): "
                "one row per query, one column per key")
    if np.isnan(got).any():
        return "your mask holds NaN: a mask holds True/False (or 1/0) only"
    if np.isinf(got).any():
        return ("your mask holds -inf: that is an additive mask (PyTorch's float attn_mask); Keras's "
                "attention_mask is boolean, True where attention is allowed")
    if not np.isin(got, (0, 1)).all():
        return "a mask holds True/False (or 1/0) only: True where a query may attend to a key"
    return ""


@register("10.5")
def causal_mask(answer: object) -> Verdict:
    """Exercise 10.5: causal_mask(n_queries, n_keys), for new queries at the end of a key/value cache."""
    for n_queries, n_keys in MASK_SIZES:
        got = call_reader(answer, n_queries, n_keys)
        problem = _mask_problem(got, call_reader(answer, n_queries, n_keys), n_queries, n_keys)
        if problem:
            return Verdict(False, problem)
        if not np.array_equal(got, _mask(n_queries, n_keys)):
            for wrong, hint in MASK_HINTS:
                if np.array_equal(got, wrong(n_queries, n_keys)):
                    return Verdict(False, f"not quite: {hint}")
            return Verdict(False, f"causal_mask({n_queries}, {n_keys}) is wrong: check which keys each query "
                           "may see")
    return Verdict(True, f"right for {len(MASK_SIZES)} sizes, square and after a cache of keys")
