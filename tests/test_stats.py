"""utils/stats.py: McNemar's exact test against hand values, and the seed summary."""

from __future__ import annotations

import numpy as np
import pytest

from utils import stats


def test_mcnemar_hand_values():
    # 5 disagreements, all in A's favour: p = 2 * (1/2)^5 = 0.0625
    a = np.array([True] * 5 + [True] * 10 + [False] * 3)
    b = np.array([False] * 5 + [True] * 10 + [False] * 3)
    result = stats.mcnemar(a, b)
    assert (result.only_a, result.only_b) == (5, 0) and result.p_value == pytest.approx(0.0625)
    # 3 against 1: p = 2 * (1 + 4) / 16 = 0.625
    a, b = np.array([1, 1, 1, 0, 1]), np.array([0, 0, 0, 1, 1])
    assert stats.mcnemar(a, b).p_value == pytest.approx(0.625)
    assert stats.mcnemar(b, a).only_b == 3  # symmetric
    assert "McNemar p" in str(stats.mcnemar(a, b))


def test_mcnemar_equal_models_and_a_clear_winner():
    same = np.array([True, False, True])
    assert stats.mcnemar(same, same) == stats.McNemar(0, 0, 1.0)
    rng = np.random.default_rng(0)
    truth_a = rng.random(1000) < 0.9
    truth_b = rng.random(1000) < 0.6
    assert stats.mcnemar(truth_a, truth_b).p_value < 1e-10
    assert str(stats.mcnemar([True] * 60, [False] * 60)).endswith("McNemar p < 1e-12")


@pytest.mark.parametrize("a, b, message", [
    ([True, False], [True], "same examples"),
    ([], [], "non-empty"),
    ([[True]], [[True]], "1-D"),
    ([0.5, 1], [1, 1], "booleans"),
])
def test_mcnemar_rejects_bad_input(a, b, message):
    with pytest.raises(ValueError, match=message):
        stats.mcnemar(a, b)


def test_seed_summary():
    assert stats.seed_summary([0.7, 0.8, 0.75]) == {"mean": pytest.approx(0.75), "spread": pytest.approx(0.1),
                                                   "seeds": 3}
    for bad in ([], [np.nan, 1.0], [[1.0]]):
        with pytest.raises(ValueError, match="non-empty 1-D"):
            stats.seed_summary(bad)
