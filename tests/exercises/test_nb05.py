"""Unit tests of notebook 05's exercise checks (utils/exercise_checks/nb05.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from utils import exercises, stats, text
from utils.exercise_checks import nb05


def run(exercise: str, answer: object, capsys: pytest.CaptureFixture) -> tuple[bool, str]:
    """Return (passed, printed line) of exercises.check."""
    passed = exercises.check(exercise, answer)
    return passed, capsys.readouterr().out


def masked_mean(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(float)
    return (x * weights).sum(axis=1) / weights.sum(axis=1)


def raises(*args: object) -> np.ndarray:
    raise IndexError("index 3 is out of bounds")


# --- 05.1 ---------------------------------------------------------------------------------------------------

def test_05_1_reference_is_utils_macro_f1(capsys: pytest.CaptureFixture) -> None:
    true, predicted = np.nonzero(nb05.CONFUSION)
    counts = nb05.CONFUSION[true, predicted]
    right = text.macro_f1(np.repeat(true, counts), np.repeat(predicted, counts), 3)
    for answer in (right, round(right, 3)):
        passed, out = run("05.1", answer, capsys)
        assert passed and "✓" in out


@pytest.mark.parametrize("wrong, hint", [(0.7, "accuracy"), (0.6793, "weighted"), (0.7415, "never predicted"),
                                         (0.496, "averaged precision and recall")])
def test_05_1_typical_mistakes_get_their_hint(wrong: float, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("05.1", wrong, capsys)
    assert not passed and hint in out


@pytest.mark.parametrize("answer, says", [("0.49", "expected a number"), (float("nan"), "NaN"),
                                          ([0.5, 0.5], "expected a number"), (0.9, "too large")])
def test_05_1_broken_answers(answer: object, says: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("05.1", answer, capsys)
    assert not passed and says in out and "Traceback" not in out
    assert "0.494" not in out


# --- 05.2 ---------------------------------------------------------------------------------------------------

def test_05_2_right_answer_is_the_smallest_n(capsys: pytest.CaptureFixture) -> None:
    n = nb05._examples_needed(nb05.ACCURACY, nb05.STANDARD_ERROR)
    se = lambda n: math.sqrt(nb05.ACCURACY * (1 - nb05.ACCURACY) / n)  # noqa: E731
    assert se(n) <= nb05.STANDARD_ERROR < se(n - 1)
    passed, out = run("05.2", n, capsys)
    assert passed and "✓" in out


@pytest.mark.parametrize("wrong, hint", [(711, "rounded down"), (1112, "worst case"), (4445, "p (1 - p)"),
                                         (11, "square root"), (2732, "95%"), (2845, "two standard errors")])
def test_05_2_typical_mistakes_get_their_hint(wrong: int, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("05.2", wrong, capsys)
    assert not passed and hint in out


@pytest.mark.parametrize("answer, says", [(711.1, "whole number"), (None, "no answer yet"),
                                          (True, "expected a number"), (float("nan"), "NaN")])
def test_05_2_broken_answers(answer: object, says: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("05.2", answer, capsys)
    assert not passed and says in out and "Traceback" not in out
    assert "712" not in out


# --- 05.3 ---------------------------------------------------------------------------------------------------

def _right_p() -> float:
    a = np.repeat([True, True, False, False], [nb05.BOTH_RIGHT, nb05.ONLY_A, nb05.ONLY_B, nb05.BOTH_WRONG])
    b = np.repeat([True, False, True, False], [nb05.BOTH_RIGHT, nb05.ONLY_A, nb05.ONLY_B, nb05.BOTH_WRONG])
    return stats.mcnemar(a, b).p_value


def test_05_3_reference_is_utils_mcnemar(capsys: pytest.CaptureFixture) -> None:
    passed, out = run("05.3", _right_p(), capsys)
    assert passed and "✓" in out


_N = nb05.ONLY_A + nb05.ONLY_B


@pytest.mark.parametrize("wrong, hint", [
    (lambda: _right_p() / 2, "one tail"),
    (lambda: nb05._chi2_p((nb05.ONLY_A - nb05.ONLY_B) ** 2 / _N), "approximation without continuity"),
    (lambda: nb05._chi2_p((abs(nb05.ONLY_A - nb05.ONLY_B) - 1) ** 2 / _N), "approximation with continuity"),
    (lambda: 2 * math.comb(_N, nb05.ONLY_B) / 2**_N, "not only the observed one"),
    (lambda: 2 * nb05._binomial_tail(nb05.ONLY_B - 1, _N), "includes k itself"),
])
def test_05_3_typical_mistakes_get_their_hint(wrong: object, hint: str,
                                              capsys: pytest.CaptureFixture) -> None:
    passed, out = run("05.3", wrong(), capsys)
    assert not passed and hint in out


def test_05_3_unpaired_test_gets_its_hint(capsys: pytest.CaptureFixture) -> None:
    wrong = [v for v, h in nb05._mcnemar_hints().items() if "unpaired" in h][0]
    assert wrong > 0.3                                  # far from the paired answer: the point of the test
    passed, out = run("05.3", wrong, capsys)
    assert not passed and "disagree" in out


@pytest.mark.parametrize("answer, says", [("p < 0.05", "expected a number"), (float("nan"), "NaN"),
                                          (np.array([0.1, 0.2]), "expected a number"), (0.2, "too large")])
def test_05_3_broken_answers(answer: object, says: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("05.3", answer, capsys)
    assert not passed and says in out and "Traceback" not in out
    assert f"{_right_p():g}" not in out and "0.047" not in out


# --- 05.4 ---------------------------------------------------------------------------------------------------

def test_05_4_right_function_passes(capsys: pytest.CaptureFixture) -> None:
    passed, out = run("05.4", masked_mean, capsys)
    assert passed and "✓" in out


@pytest.mark.parametrize("number, hint", [(0, "the mask was ignored"), (1, "divided by all the steps"),
                                          (2, "divide by their number"), (3, "batch's total")])
def test_05_4_typical_mistakes_get_their_hint(number: int, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("05.4", nb05._MEAN_HINTS[number][0], capsys)
    assert not passed and hint in out


def test_05_4_a_right_padding_only_answer_fails_on_other_masks(capsys: pytest.CaptureFixture) -> None:
    def first_n(x: np.ndarray, mask: np.ndarray) -> np.ndarray:      # assumes the real steps come first
        lengths = mask.sum(axis=1)
        return np.stack([x[i, :n].mean(axis=0) for i, n in enumerate(lengths)])
    passed, out = run("05.4", first_n, capsys)
    assert not passed and "trial 3 of 3" in out


@pytest.mark.parametrize("answer, says", [
    (masked_mean(np.ones((1, 2, 3)), np.ones((1, 2), bool)), "expected a function"),
    (raises, "your function raised IndexError"),
    (lambda x, mask: masked_mean(x, mask)[:, :1], "returned shape"),
    (lambda x, mask: (x * mask[..., None]).sum(axis=1) / 0.0, "NaN or infinity"),
    (lambda x, mask: masked_mean(x, mask) + np.random.normal(), "unseeded"),
])
def test_05_4_broken_answers(answer: object, says: str, capsys: pytest.CaptureFixture) -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        passed, out = run("05.4", answer, capsys)
    assert not passed and says in out and "Traceback" not in out
