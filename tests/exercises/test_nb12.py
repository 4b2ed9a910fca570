"""Tests of notebook 12's exercise checks (utils/exercise_checks/nb12.py): right answers pass, typical wrong
answers get their hint, broken answers a clear message, and no message gives the right answer away."""

from __future__ import annotations

import numpy as np
import pytest

from tests.exercises.helpers import assert_hides, verdict
from utils.exercise_checks import nb12

MIB = 2 * 6 * 2048 * 512 * 2 / 2**20      # keys and values x blocks x positions x d_model x 2 bytes (float16)


def sliding_window_mask(T: int, window: int) -> np.ndarray:
    """The right answer of exercise 12.2, written independently of the check."""
    causal = np.tril(np.ones((T, T), dtype=bool))
    return causal & ~np.tril(np.ones((T, T), dtype=bool), -window)


def longest_match(word: str, pieces: set[str]) -> list[str]:
    """The right answer of exercise 12.3, written independently of the check."""
    out = []
    while word:
        length = max((len(p) for p in pieces if word.startswith(p)), default=1)
        out.append(word[:length])
        word = word[length:]
    return out


# --- 12.1: the memory of a key/value cache ------------------------------------------------------------------

@pytest.mark.parametrize("answer", [MIB, int(MIB), np.float32(MIB), np.int64(MIB), np.array([MIB]),
                                    2 * 6 * 2048 * 512 * 2 / 1024 / 1024])
def test_12_1_right(answer: object, capsys: pytest.CaptureFixture) -> None:
    assert verdict("12.1", answer, capsys)[0]


@pytest.mark.parametrize(("answer", "hint"), [
    (6 * 2048 * 512 * 2 / 2**20, "a key *and* a value"),                          # keys only
    (2 * 2048 * 512 * 2 / 2**20, "every block has its own"),                      # one block
    (2 * 6 * 2048 * 512 * 4 / 2**20, "float32 takes 4"),                          # float32
    (2 * 6 * 2048 * 512 * 8 * 2 / 2**20, "do not multiply it"),                   # times the heads
    (2 * 6 * 2048 * 512 * 2 * 8 / 2**20, "bytes, not bits"),                      # bits
    (2 * 6 * 2048 * 64 * 2 / 2**20, "for *each* of the 8 heads"),                 # one head's key_dim
    (2 * 6 * 2048 * 512 * 2 / 10**6, "2**20 bytes"),                              # MB, not MiB
    (2 * 6 * 2048 * 512 * 2, "that is in bytes"),
    (2 * 6 * 2048 * 512 * 2 / 2**10, "that is in KiB"),
    (2 * 6 * 2048 * 512 * 2 / 2**30, "that is in GiB"),
])
def test_12_1_typical_wrong(answer: float, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("12.1", answer, capsys)
    assert not passed and hint in message
    assert_hides(MIB, message.replace(f"{answer:g}", ""))


@pytest.mark.parametrize(("answer", "words"), [
    ("24", "expected a number"), ([MIB], "expected a number"), (float("nan"), "NaN"),
    (True, "expected a number"), (..., "no answer yet"), (None, "no answer yet"), (1000.0, "too large"),
    (1.0, "too small"), (np.zeros(3), "expected a number"),
])
def test_12_1_broken(answer: object, words: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("12.1", answer, capsys)
    assert not passed and words in message and "Traceback" not in message


# --- 12.2: a sliding-window causal mask ---------------------------------------------------------------------

def test_12_2_right(capsys: pytest.CaptureFixture) -> None:
    assert verdict("12.2", sliding_window_mask, capsys)[0]
    assert verdict("12.2", lambda T, w: sliding_window_mask(T, w).astype(int), capsys)[0]   # 1/0 is a mask
    assert verdict("12.2", lambda T, w: sliding_window_mask(T, w).astype("float32"), capsys)[0]


def test_12_2_sizes_cover_window_one_and_window_at_least_t() -> None:
    assert any(w == 1 for _, w in nb12.WINDOW_SIZES) and any(w >= t for t, w in nb12.WINDOW_SIZES)
    for T, w in nb12.WINDOW_SIZES:
        if w >= T:
            np.testing.assert_array_equal(sliding_window_mask(T, w), np.tril(np.ones((T, T), bool)))
        if w == 1:
            np.testing.assert_array_equal(sliding_window_mask(T, w), np.eye(T, dtype=bool))


def test_12_2_reference_works_as_a_keras_attention_mask() -> None:
    """The mask limits MultiHeadAttention to the window: changing an input outside it changes nothing."""
    import keras
    x = np.random.default_rng(0).normal(size=(1, 8, 4)).astype("float32")
    layer = keras.layers.MultiHeadAttention(num_heads=1, key_dim=4)
    mask = sliding_window_mask(8, 3)[None]
    changed = x.copy()
    changed[:, 2] += 1.0                                       # positions 5, 6, 7 no longer see position 2
    before = keras.ops.convert_to_numpy(layer(x, x, attention_mask=mask))
    after = keras.ops.convert_to_numpy(layer(changed, changed, attention_mask=mask))
    np.testing.assert_allclose(before[:, 5:], after[:, 5:], atol=1e-6)
    assert not np.allclose(before[:, 2:5], after[:, 2:5])


def band(T: int, low: int, high: int) -> np.ndarray:
    """True where low <= t - s <= high."""
    offset = np.subtract.outer(np.arange(T), np.arange(T))
    return (offset >= low) & (offset <= high)


@pytest.mark.parametrize(("answer", "hint"), [
    (lambda T, w: ~sliding_window_mask(T, w), "forbidden"),
    (lambda T, w: np.abs(np.subtract.outer(np.arange(T), np.arange(T))) < w, "symmetric"),
    (lambda T, w: sliding_window_mask(T, w).T, "see the future"),
    (lambda T, w: band(T, 0, w), "window + 1 positions"),
    (lambda T, w: band(T, 0, w - 2), "window - 1 positions"),
    (lambda T, w: band(T, 1, w), "attend to itself"),
    (lambda T, w: np.tril(np.ones((T, T), dtype=bool)), "ignores the window"),
    (lambda T, w: sliding_window_mask(T, w) if w < T else np.eye(T, dtype=bool), "at least T"),
    (lambda T, w: sliding_window_mask(T, w) if w > 1 else np.ones((T, T), bool), "sees only itself"),
    (lambda T, w: np.ones((T, T), dtype=bool), "check which keys"),
])
def test_12_2_typical_wrong(answer: object, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("12.2", answer, capsys)
    assert not passed and hint in message


@pytest.mark.parametrize(("answer", "words"), [
    (sliding_window_mask(6, 3), "pass the function itself"),
    (lambda T, w: sliding_window_mask(T, w)[None], "has shape (1, 6, 6)"),
    (lambda T, w: sliding_window_mask(T + 1, w), "expected (T, T)"),
    (lambda T, w: np.where(sliding_window_mask(T, w), 0.0, -np.inf), "additive mask"),
    (lambda T, w: np.full((T, T), np.nan), "NaN"),
    (lambda T, w: sliding_window_mask(T, w) * 0.5, "True/False"),
    (lambda T, w: np.random.default_rng().random((T, T)) < 0.5, "random draw"),
    (lambda T, w: 1 / 0, "raised ZeroDivisionError"),
    (lambda T: sliding_window_mask(T, T), "raised TypeError"),
    (lambda T, w: "mask", "expected an array"),
    ("sliding_window_mask", "expected a function"),
])
def test_12_2_broken(answer: object, words: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("12.2", answer, capsys)
    assert not passed and words in message and "Traceback" not in message


# --- 12.3: greedy longest-match segmentation ----------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    longest_match,
    lambda word, pieces: tuple(longest_match(word, pieces)),                  # a tuple, as apply_bpe returns
    lambda word, pieces: np.array(longest_match(word, pieces)),
    lambda word, pieces: longest_match(word, sorted(pieces, key=len, reverse=True)),
])
def test_12_3_right(answer: object, capsys: pytest.CaptureFixture) -> None:
    assert verdict("12.3", answer, capsys)[0]


def test_12_3_first_case_tells_every_wrong_rule_apart() -> None:
    word, pieces = nb12.MATCH_CASES[0]
    results = [longest_match(word, set(pieces))] + [wrong(word, set(pieces)) for wrong, _ in nb12.MATCH_HINTS]
    assert len({tuple(r) for r in results}) == len(results)
    assert any(longest_match(w, set(p)) != nb12._dropping(w, p) for w, p in nb12.MATCH_CASES)


def shortest(word: str, pieces: set[str]) -> list[str]:
    out = []
    while word:
        length = min((len(p) for p in pieces if word.startswith(p) and len(p) > 1), default=1)
        out.append(word[:length])
        word = word[length:]
    return out


def right_to_left(word: str, pieces: set[str]) -> list[str]:
    out = []
    while word:
        length = max((len(p) for p in pieces if word.endswith(p)), default=1)
        out.insert(0, word[-length:])
        word = word[:-length]
    return out


def bottom_up(word: str, pieces: set[str]) -> list[str]:
    symbols, joined = list(word), True
    while joined:
        joined = False
        for i in range(len(symbols) - 1):
            if symbols[i] + symbols[i + 1] in pieces:
                symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
                joined = True
                break
    return symbols


def dropping(word: str, pieces: set[str]) -> list[str]:
    return [p for p in longest_match(word, pieces) if p in pieces]


@pytest.mark.parametrize(("answer", "hint"), [
    (lambda word, pieces: list(word), "single characters"),
    (shortest, "shortest piece"),
    (right_to_left, "from the right end"),
    (bottom_up, "bottom up"),
    (dropping, "still a piece of its own"),
    (lambda word, pieces: ["[UNK]"] if set(word) - pieces else longest_match(word, pieces), "no [UNK]"),
    (lambda word, pieces: [p if i == 0 else "##" + p for i, p in enumerate(longest_match(word, pieces))],
     "no ## marks"),
    (lambda word, pieces: "".join(longest_match(word, pieces)), "not them joined"),
    (lambda word, pieces: " ".join(longest_match(word, pieces)).split(" ")[::-1], "do not join back"),
    (lambda word, pieces: longest_match(word, pieces) if word != "banana" else ["b", "anana"],
     "not the greedy longest match"),
])
def test_12_3_typical_wrong(answer: object, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("12.3", answer, capsys)
    assert not passed and hint in message
    for word, pieces in nb12.MATCH_CASES:
        right = longest_match(word, set(pieces))
        if len(right) > 1:
            assert str(right) not in message and " ".join(right) not in message, message


@pytest.mark.parametrize(("answer", "words"), [
    (longest_match("unaffable", {"un"}), "pass the function itself"),
    (lambda word, pieces: 1 / 0, "raised ZeroDivisionError"),
    (lambda word: [word], "raised TypeError"),
    (lambda word, pieces: None, "expected a list of strings"),
    (lambda word, pieces: [1, 2], "expected a list of strings"),
    (lambda word, pieces: float("nan"), "expected a list of strings"),
    (lambda word, pieces: (p for p in longest_match(word, pieces)), "expected a list of strings"),
    (lambda word, pieces: [""] + longest_match(word, pieces), "empty string"),
    (lambda word, pieces: list(np.random.default_rng().permutation(list(word))), "different pieces"),
    (..., "no answer yet"),
])
def test_12_3_broken(answer: object, words: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("12.3", answer, capsys)
    assert not passed and words in message and "Traceback" not in message


def test_12_3_a_reader_function_that_keeps_state_between_calls(capsys: pytest.CaptureFixture) -> None:
    seen: list[str] = []

    def remembering(word: str, pieces: set[str]) -> list[str]:
        seen.append(word)
        return longest_match(word, pieces) if seen.count(word) == 1 else list(word)

    passed, message = verdict("12.3", remembering, capsys)
    assert not passed and "different pieces" in message
