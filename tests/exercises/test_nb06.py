"""Unit tests of notebook 06's exercise checks (utils/exercise_checks/nb06.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from utils import exercises, lm
from utils.exercise_checks import nb06


def run(exercise: str, answer: object, capsys: pytest.CaptureFixture) -> tuple[bool, str]:
    """Return (passed, printed line) of exercises.check."""
    passed = exercises.check(exercise, answer)
    return passed, capsys.readouterr().out


BPC = nb06.LOSS_NATS / math.log(2)
WORD_PERPLEXITY = 2 ** (BPC * nb06.CHARS_PER_WORD)


def softmax_with_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def raises(*args: object) -> np.ndarray:
    raise ZeroDivisionError("float division by zero")


# --- 06.1 ---------------------------------------------------------------------------------------------------

def test_06_1_right_pair_passes_in_any_container(capsys: pytest.CaptureFixture) -> None:
    assert BPC == pytest.approx(lm.bits_per_char(nb06.LOSS_NATS))
    for answer in [(BPC, WORD_PERPLEXITY), [round(BPC, 3), round(WORD_PERPLEXITY)],
                   (np.float32(BPC), np.array(WORD_PERPLEXITY))]:
        passed, out = run("06.1", answer, capsys)
        assert passed and "✓" in out


@pytest.mark.parametrize("answer, hint", [
    ((nb06.LOSS_NATS * math.log(2), WORD_PERPLEXITY), "you multiplied by ln 2"),
    ((nb06.LOSS_NATS, WORD_PERPLEXITY), "in nats"),
    ((BPC, 2 ** BPC), "perplexity per character"),
    ((BPC, 2 ** (BPC * (nb06.CHARS_PER_WORD - 1))), "the space"),
    ((BPC, BPC * nb06.CHARS_PER_WORD), "bits per word"),
    ((BPC, 2 ** BPC * nb06.CHARS_PER_WORD), "do not multiply"),
])
def test_06_1_typical_mistakes_get_their_hint(answer: tuple, hint: str,
                                              capsys: pytest.CaptureFixture) -> None:
    passed, out = run("06.1", answer, capsys)
    assert not passed and hint in out


@pytest.mark.parametrize("answer, says", [
    (1.5, "a pair of numbers"), ((1.5,), "a pair of numbers"), (("1.5", "900"), "a pair of numbers"),
    ((1.5, 900.0, 3.0), "a pair of numbers"), ((float("nan"), 900.0), "NaN"), ((1.5, 900.0), "too small"),
    (..., "no answer yet"),
])
def test_06_1_broken_answers(answer: object, says: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("06.1", answer, capsys)
    assert not passed and says in out and "Traceback" not in out
    assert f"{BPC:g}" not in out and "1.80" not in out
    assert f"{WORD_PERPLEXITY:g}" not in out and "968" not in out


@pytest.mark.parametrize("answer, says", [((BPC, float("nan")), "NaN"), ((BPC, 10.0), "too small")])
def test_06_1_broken_second_number(answer: tuple, says: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("06.1", answer, capsys)
    assert not passed and "bits per character right; perplexity per word" in out and says in out
    assert f"{WORD_PERPLEXITY:g}" not in out and "968" not in out


# --- 06.2 ---------------------------------------------------------------------------------------------------

def test_06_2_reference_agrees_with_the_kneser_ney_of_utils_lm(capsys: pytest.CaptureFixture) -> None:
    vocab = lm.char_vocabulary(nb06.KN_TEXT)
    ids = lm.text_to_ids(nb06.KN_TEXT, vocab)
    model = lm.NGramModel(3, len(vocab), kneser_ney=True).fit(ids)
    table = model._tables(3)[1]                               # context length 1: continuation counts
    r, c = vocab.index("r"), vocab.index("c")
    after_r = {int(g) % len(vocab): n for g, n in zip(table["grams"], table["counts"], strict=True)
               if int(g) // len(vocab) == r}
    share = after_r[c] / sum(after_r.values())
    passed, out = run("06.2", share, capsys)
    assert passed and "✓" in out


def test_06_2_fraction_and_rounded_answers_pass(capsys: pytest.CaptureFixture) -> None:
    right = nb06._share(nb06._continuation_counts(nb06.KN_TEXT), "r", "c")
    for answer in (right, np.float64(right)):
        assert run("06.2", answer, capsys)[0]


@pytest.mark.parametrize("wrong, hint", [(0.5, "raw counts"), (1 / 3, "every pair counts once")])
def test_06_2_typical_mistakes_get_their_hint(wrong: float, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("06.2", wrong, capsys)
    assert not passed and hint in out


@pytest.mark.parametrize("answer, says", [("1/4", "expected a number"), (float("nan"), "NaN"),
                                          (2, "too large"), (0.01, "too small")])
def test_06_2_broken_answers(answer: object, says: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("06.2", answer, capsys)
    assert not passed and says in out and "Traceback" not in out
    assert "0.25" not in out and "1/4" not in out.replace("'1/4'", "")


# --- 06.3 ---------------------------------------------------------------------------------------------------

def test_06_3_right_function_passes(capsys: pytest.CaptureFixture) -> None:
    passed, out = run("06.3", softmax_with_temperature, capsys)
    assert passed and "✓" in out


def test_06_3_normalising_p_to_the_power_1_over_t_is_right_too(capsys: pytest.CaptureFixture) -> None:
    def powered(z: np.ndarray, t: float) -> np.ndarray:
        p = softmax_with_temperature(z, 1.0) ** (1 / t)
        return p / p.sum(axis=-1, keepdims=True)
    with np.errstate(under="ignore"):
        assert run("06.3", powered, capsys)[0]


@pytest.mark.parametrize("number, hint", [(0, "ignored"), (1, "do not multiply"), (2, "normalised"),
                                          (3, "normalised again"), (4, "not over the batch"),
                                          (5, "before the softmax")])
def test_06_3_typical_mistakes_get_their_hint(number: int, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("06.3", nb06._SOFTMAX_HINTS[number][0], capsys)
    assert not passed and hint in out


def test_06_3_overflow_gets_a_hint_and_no_warning(capsys: pytest.CaptureFixture) -> None:
    def naive(z: np.ndarray, t: float) -> np.ndarray:
        return np.exp(z / t) / np.exp(z / t).sum(axis=-1, keepdims=True)
    with np.errstate(all="raise"):                    # the check silences the reader's overflow itself
        passed, out = run("06.3", naive, capsys)
    assert not passed and "subtract each row's largest value" in out and "Traceback" not in out


@pytest.mark.parametrize("answer, says", [
    (softmax_with_temperature(np.zeros((1, 3)), 1.0), "expected a function"),
    (raises, "your function raised ZeroDivisionError"),
    (lambda z, t: softmax_with_temperature(z, t)[0], "returned shape"),
    (lambda z, t: softmax_with_temperature(z, t) * np.nan, "NaN"),
    (lambda z, t: softmax_with_temperature(z + np.random.normal(size=z.shape), t), "unseeded"),
    (lambda z: z, "your function raised TypeError"),
])
def test_06_3_broken_answers(answer: object, says: str, capsys: pytest.CaptureFixture) -> None:
    passed, out = run("06.3", answer, capsys)
    assert not passed and says in out and "Traceback" not in out
