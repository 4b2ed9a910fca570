"""The checks of notebook 05's exercises (see utils/exercises.py).

05.1 macro-F1 from a confusion matrix, 05.2 the test-set size for a given standard error, 05.3 McNemar's
exact p-value from the disagreement counts, 05.4 a masked mean over time (GlobalAveragePooling1D with a mask).
"""

from __future__ import annotations

import math

import numpy as np

from utils.exercises import Verdict, expect_function, expect_number, register

# --- 05.1: macro-F1 of a 3-class confusion matrix (rows: true class, columns: predicted class) --------------

CONFUSION = np.array([[50, 5, 5],
                      [10, 20, 0],
                      [8, 2, 0]])


def _per_class(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (F1, precision, recall) per class, 0 where a ratio is 0 / 0."""
    tp = np.diag(counts).astype(float)
    predicted, true = counts.sum(axis=0), counts.sum(axis=1)

    def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.divide(a, b, out=np.zeros_like(a), where=b > 0)
    return ratio(2 * tp, predicted + true), ratio(tp, predicted.astype(float)), ratio(tp, true.astype(float))


def _f1_hints() -> dict[float, str]:
    f1, precision, recall = _per_class(CONFUSION)
    support = CONFUSION.sum(axis=1)
    p, r = precision.mean(), recall.mean()
    return {
        np.trace(CONFUSION) / CONFUSION.sum(): "that is the accuracy (and the micro-F1); macro-F1 averages "
        "the per-class F1 scores",
        float((f1 * support).sum() / support.sum()): "that is the F1 weighted by class size; macro-F1 gives "
        "every class the same weight",
        float(f1[f1 > 0].mean()): "a class that is never predicted has F1 = 0 and still counts in the "
        "average",
        2 * p * r / (p + r): "that is the F1 of the averaged precision and recall; average the per-class F1 "
        "scores instead",
        p: "that is the macro-averaged precision", r: "that is the macro-averaged recall",
    }


@register("05.1")
def check_macro_f1(answer: object) -> Verdict:
    """Check exercise 05.1: the macro-F1 of the confusion matrix CONFUSION, to 3 decimals."""
    return expect_number(answer, float(_per_class(CONFUSION)[0].mean()), rtol=0, atol=5e-4, hints=_f1_hints())


# --- 05.2: test examples needed for a standard error of at most 0.015 at an accuracy of 0.8 -----------------

ACCURACY, STANDARD_ERROR = 0.8, 0.015


def _examples_needed(p: float, se: float, z: float = 1.0) -> int:
    """Return the smallest n with z * sqrt(p (1 - p) / n) <= se (computed in integers where it can be)."""
    return math.ceil(z**2 * p * (1 - p) / se**2 - 1e-9)


@register("05.2")
def check_test_set_size(answer: object) -> Verdict:
    """Check exercise 05.2: the smallest test set with a standard error of at most 0.015 at accuracy 0.8."""
    needed = _examples_needed(ACCURACY, STANDARD_ERROR)
    hints = {
        needed - 1: "rounded down: with that many examples the standard error is still a little above the "
        "target",
        _examples_needed(0.5, STANDARD_ERROR): "p (1 - p) is largest at p = 1/2, a safe worst case; use the "
        "accuracy you expect",
        math.ceil(1 / STANDARD_ERROR**2): "the variance of one example's 0/1 correctness is p (1 - p), not 1",
        math.ceil(ACCURACY * (1 - ACCURACY) / STANDARD_ERROR): "the standard error is a square root: square "
        "it before solving for n",
        _examples_needed(ACCURACY, STANDARD_ERROR, 1.96): "that is for a 95% interval of half-width 0.015; "
        "the exercise asks for one standard error",
        _examples_needed(ACCURACY, STANDARD_ERROR, 2.0): "that is for an interval of two standard errors; "
        "the exercise asks for one",
    }
    return expect_number(answer, needed, integer=True, hints=hints)


# --- 05.3: McNemar's exact p-value for the table both right 700, only A 25, only B 12, both wrong 263 -------

BOTH_RIGHT, ONLY_A, ONLY_B, BOTH_WRONG = 700, 25, 12, 263


def _binomial_tail(k: int, n: int) -> float:
    """Return P(X <= k) for X ~ Binomial(n, 1/2)."""
    return sum(math.comb(n, i) for i in range(k + 1)) / 2**n


def _chi2_p(statistic: float) -> float:
    """Return the p-value of a chi-squared statistic with one degree of freedom."""
    return math.erfc(math.sqrt(statistic / 2))


def _mcnemar_hints() -> dict[float, str]:
    n, k = ONLY_A + ONLY_B, min(ONLY_A, ONLY_B)
    total = BOTH_RIGHT + ONLY_A + ONLY_B + BOTH_WRONG
    a, b = (BOTH_RIGHT + ONLY_A) / total, (BOTH_RIGHT + ONLY_B) / total
    pooled = (a + b) / 2
    z = abs(a - b) / math.sqrt(pooled * (1 - pooled) * 2 / total)
    return {
        _binomial_tail(k, n): "that is one tail; the test is two-sided (either model could have won more "
        "disagreements)",
        _chi2_p((ONLY_A - ONLY_B) ** 2 / n): "that is the chi-squared approximation without continuity "
        "correction; the exercise asks for the exact binomial test",
        _chi2_p((abs(ONLY_A - ONLY_B) - 1) ** 2 / n): "that is the chi-squared approximation with continuity "
        "correction; the exercise asks for the exact binomial test",
        2 * _binomial_tail(k - 1, n): "P(X <= k) includes k itself: a split exactly as uneven as the one "
        "observed counts",
        2 * math.comb(n, k) / 2**n: "the p-value sums the probabilities of every split at least as uneven, "
        "not only the observed one",
        math.erfc(z / math.sqrt(2)): "that is an unpaired test of the two accuracies; McNemar's test uses "
        "only the examples on which the models disagree",
    }


@register("05.3")
def check_mcnemar(answer: object) -> Verdict:
    """Check exercise 05.3: McNemar's exact two-sided p-value for 25 against 12 disagreements."""
    n, k = ONLY_A + ONLY_B, min(ONLY_A, ONLY_B)
    return expect_number(answer, min(1.0, 2 * _binomial_tail(k, n)), rtol=1e-3, hints=_mcnemar_hints())


# --- 05.4: the mean over the real (unmasked) time steps, as GlobalAveragePooling1D computes it with a mask

def _masked_inputs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return x (batch, time, features) and a boolean mask (batch, time): right-padded, or any pattern."""
    rng = np.random.default_rng(500 + seed)
    batch, steps, features = 4, 6 + seed, 3
    x = rng.normal(size=(batch, steps, features))
    if seed < 2:                                       # right-padded rows of 1..steps real tokens
        lengths = rng.integers(1, steps + 1, size=batch)
        mask = np.arange(steps)[None, :] < lengths[:, None]
    else:                                              # any pattern, at least one real step per row
        mask = rng.random((batch, steps)) < 0.5
        mask[:, 0] = True
    return x, mask


def _keras_masked_mean(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Return Keras's GlobalAveragePooling1D of x with the mask (batch, features)."""
    import keras

    return keras.ops.convert_to_numpy(keras.layers.GlobalAveragePooling1D()(x, mask=mask))


_MEAN_HINTS = [
    (lambda x, mask: x.mean(axis=1), "that is the mean over every step, padding included: the mask was "
     "ignored"),
    (lambda x, mask: (x * mask[..., None]).sum(axis=1) / x.shape[1], "the padded steps are zeroed, but the "
     "sum is divided by all the steps; divide by the number of real steps of each row"),
    (lambda x, mask: (x * mask[..., None]).sum(axis=1), "that is the sum over the real steps; divide by "
     "their number"),
    (lambda x, mask: (x * mask[..., None]).sum(axis=1) / mask.sum(), "divide each row by its own number of "
     "real steps, not by the batch's total"),
]


@register("05.4")
def check_masked_mean(answer: object) -> Verdict:
    """Check exercise 05.4: masked_mean(x, mask) against keras.layers.GlobalAveragePooling1D with the mask."""
    return expect_function(answer, _keras_masked_mean, _masked_inputs, trials=3, rtol=1e-5, atol=1e-6,
                           hints=_MEAN_HINTS)
