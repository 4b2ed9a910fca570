"""Tests of notebook 10's exercise checks (utils/exercise_checks/nb10.py): right answers pass, typical wrong
answers get their hint, broken answers a clear message, and no message gives the right answer away."""

from __future__ import annotations

import numpy as np
import pytest

from tests.exercises.helpers import verdict

SINUSOID = float(np.cos(100 / 10000 ** (8 / 32)))     # p_{100,9}, d = 32: column 9 is the cosine of pair 4
CROSSOVER = (4 * 32 * 32 + 2 * 32 * 64) / (2 * 32)     # T where 2 d T^2 = (4 d^2 + 2 d d_ff) T


def causal_mask(n_queries: int, n_keys: int) -> np.ndarray:
    """The right answer of exercise 10.5, written independently of the check."""
    return np.tril(np.ones((n_keys, n_keys), dtype=bool))[n_keys - n_queries:]


# --- 10.1: a sinusoidal encoding by hand ------------------------------------------------------------------

@pytest.mark.parametrize("answer", [SINUSOID, np.float32(SINUSOID), round(SINUSOID, 3), np.array([SINUSOID])])
def test_10_1_right(answer: object, capsys: pytest.CaptureFixture) -> None:
    assert verdict("10.1", answer, capsys)[0]


@pytest.mark.parametrize(("answer", "hint"), [
    (np.sin(10.0), "odd columns"),
    (np.cos(np.deg2rad(10.0)), "radians"),
    (np.cos(1.0), "d is d_model"),
    (np.cos(9.9), "counting from 0"),
    (np.cos(100 / 10000 ** (9 / 32)), "pair of columns"),
])
def test_10_1_typical_wrong(answer: float, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("10.1", answer, capsys)
    assert not passed and hint in message
    assert f"{SINUSOID:.3f}" not in message and f"{SINUSOID:g}" not in message


@pytest.mark.parametrize(("answer", "words"), [
    ("-0.84", "expected a number"), ([SINUSOID], "expected a number"), (float("nan"), "NaN"),
    (True, "expected a number"), (..., "no answer yet"), (0.5, "too large"),
])
def test_10_1_broken(answer: object, words: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("10.1", answer, capsys)
    assert not passed and words in message and "Traceback" not in message


# --- 10.4: where attention's T**2 work takes over -----------------------------------------------------------

def test_10_4_right(capsys: pytest.CaptureFixture) -> None:
    assert verdict("10.4", CROSSOVER, capsys)[0]
    assert verdict("10.4", int(CROSSOVER), capsys)[0]


@pytest.mark.parametrize(("linear", "quadratic", "hint"), [
    (4 * 32 * 32, 2 * 32, "feed-forward part is probably missing"),          # no feed-forward part
    (4 * 32 * 32 + 2 * 32 * 64, 2 * 2 * 32, "feed-forward part is probably missing"),   # heads with d_model
    (3 * 32 * 32 + 2 * 32 * 64, 2 * 32, "W_o"),
    (4 * 32 * 32 + 32 * 64, 2 * 32, "two Dense layers"),
    (4 * 32 * 32 + 2 * 32 * 64, 32, "weighted sum of the values"),
    (4 * 32 * 32 + 2 * 32 * 128, 2 * 32, "FFN_UNITS is 64"),
])
def test_10_4_typical_wrong(linear: int, quadratic: int, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("10.4", linear / quadratic, capsys)
    assert not passed and hint in message
    assert f"{CROSSOVER:g}" not in message


@pytest.mark.parametrize(("answer", "words"), [
    ("128", "expected a number"), (float("nan"), "NaN"), (127.5, "not a whole number"), (1000, "too large"),
    ((128,), "expected a number"),
])
def test_10_4_broken(answer: object, words: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("10.4", answer, capsys)
    assert not passed and words in message and "Traceback" not in message


# --- 10.5: a causal mask after a key/value cache ------------------------------------------------------------

def test_10_5_right(capsys: pytest.CaptureFixture) -> None:
    assert verdict("10.5", causal_mask, capsys)[0]
    assert verdict("10.5", lambda q, k: causal_mask(q, k).astype(int), capsys)[0]       # 1/0 is a mask too


def test_10_5_reference_agrees_with_keras_on_squares() -> None:
    import keras
    x = np.random.default_rng(0).normal(size=(1, 5, 4)).astype("float32")
    layer = keras.layers.MultiHeadAttention(num_heads=1, key_dim=4)
    _, builtin = layer(x, x, use_causal_mask=True, return_attention_scores=True)
    _, ours = layer(x, x, attention_mask=causal_mask(5, 5)[None], return_attention_scores=True)
    np.testing.assert_allclose(builtin.numpy(), ours.numpy(), atol=1e-7)


@pytest.mark.parametrize(("answer", "hint"), [
    (lambda q, k: np.tril(np.ones((q, k), dtype=bool)), "top left"),            # use_causal_mask's alignment
    (lambda q, k: ~causal_mask(q, k), "forbidden"),
    (lambda q, k: np.tril(np.ones((k, k), dtype=bool), -1)[k - q:], "attend to itself"),
    (lambda q, k: np.triu(np.ones((k, k), dtype=bool))[k - q:], "future"),
    (lambda q, k: np.ones((q, k), dtype=bool), "is wrong"),
])
def test_10_5_typical_wrong(answer: object, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("10.5", answer, capsys)
    assert not passed and hint in message


@pytest.mark.parametrize(("answer", "words"), [
    (causal_mask(3, 5), "pass the function itself"),
    (lambda q, k: causal_mask(q, k)[None], "has shape (1, 5, 5)"),
    (lambda q, k: np.where(causal_mask(q, k), 0.0, -np.inf), "additive mask"),
    (lambda q, k: np.full((q, k), np.nan), "NaN"),
    (lambda q, k: causal_mask(q, k) * 0.5, "True/False"),
    (lambda q, k: np.random.default_rng().random((q, k)) < 0.5, "random draw"),
    (lambda q, k: 1 / 0, "raised ZeroDivisionError"),
    (lambda q: causal_mask(q, q), "raised TypeError"),
    (lambda q, k: "mask", "expected an array"),
])
def test_10_5_broken(answer: object, words: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("10.5", answer, capsys)
    assert not passed and words in message and "Traceback" not in message
