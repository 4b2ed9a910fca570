"""How sure is a comparison? Paired tests for two models scored on the same test examples, and the spread of a
result over seeds; imported by notebooks 03, 05, 08, 09, 10 and 12.

- `mcnemar`: McNemar's exact test for two classifiers on the same examples: only the examples on which
  they disagree count, and under "equally good" each disagreement is a fair coin (a binomial tail);
- `seed_summary`: mean, spread (max - min) and count of one result measured from several seeds.

A small p-value says the difference is unlikely to be noise *of this test set*; it says nothing about other
data, other budgets or other seeds. "Within noise" is a result too.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["McNemar", "mcnemar", "seed_summary"]


class McNemar(NamedTuple):
    """The outcome of `mcnemar`: disagreements each way and the exact two-sided p-value."""

    only_a: int  # examples model A gets right and model B wrong
    only_b: int  # examples model B gets right and model A wrong
    p_value: float

    def __str__(self) -> str:
        p = "< 1e-12" if self.p_value < 1e-12 else f"= {self.p_value:.2g}"
        return f"{self.only_a} right only for A, {self.only_b} only for B; McNemar p {p}"


def _as_correct(name: str, values: object) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array (per-example correctness), got {array.shape}")
    if array.dtype != bool:
        if not np.isin(array, (0, 1)).all():
            raise ValueError(f"{name} must hold booleans (or 0/1): True where the model was right")
        array = array.astype(bool)
    return array


def mcnemar(correct_a: object, correct_b: object) -> McNemar:
    """Return McNemar's exact test of two models from their per-example correctness on the same examples.

    `correct_a`, `correct_b`: (n,) booleans, True where that model's prediction was right, example by example
    (the same examples in the same order). p = P(a split at least as uneven as the observed one of the
    b + c disagreements | each disagreement is a fair coin), two-sided: min(1, 2 P(X <= min(b, c))).
    """
    a, b = _as_correct("correct_a", correct_a), _as_correct("correct_b", correct_b)
    if a.shape != b.shape:
        raise ValueError(f"correct_a and correct_b must score the same examples: {a.shape} != {b.shape}")
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    n = only_a + only_b
    if n == 0:
        return McNemar(0, 0, 1.0)
    tail = sum(math.comb(n, k) for k in range(min(only_a, only_b) + 1)) / 2**n
    return McNemar(only_a, only_b, min(1.0, 2 * tail))


def seed_summary(values: object) -> dict[str, float]:
    """Return {"mean", "spread", "seeds"} of one result measured from several seeds (spread = max - min)."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0 or not np.isfinite(array).all():
        raise ValueError(f"values must be a non-empty 1-D array of finite numbers, got {values!r}")
    return {"mean": float(array.mean()), "spread": float(np.ptp(array)), "seeds": int(array.size)}
