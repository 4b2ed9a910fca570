"""The checks of notebook 12's exercises: a key/value cache's size, a sliding-window mask, longest match.

Registered with utils/exercises.py, which imports this module. Masks as in notebooks 10 and 12: booleans
(queries, keys), True where a query may attend to a key (Keras's convention), positions counted from 0.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

import numpy as np

from utils.exercises import ReaderCodeError, Verdict, call_reader, expect_number, register

# --- 12.1: the memory of a key/value cache ------------------------------------------------------------------

BLOCKS, D_MODEL, HEADS, CONTEXT, BYTES = 6, 512, 8, 2048, 2     # exercise 12.1's model, float16
MIB = 2**20


def _cache_mib(kinds: int = 2, blocks: int = BLOCKS, width: int = D_MODEL, size: float = BYTES,
               unit: float = MIB) -> float:
    """Return kinds x blocks x CONTEXT x width x size bytes in `unit`s (a wrong version with one term off)."""
    return kinds * blocks * CONTEXT * width * size / unit


@register("12.1")
def cache_memory(answer: object) -> Verdict:
    """Exercise 12.1: MiB of key/value cache per sequence (6 blocks, d_model 512, float16, 2,048 tokens)."""
    right = _cache_mib()
    hints = {
        _cache_mib(kinds=1): "the cache holds a key *and* a value per position and block, each 2 bytes in "
                             "float16",
        _cache_mib(blocks=1): "every block has its own self-attention, so its own keys and values",
        _cache_mib(size=4): "float16 takes 2 bytes per number, float32 takes 4",
        _cache_mib(width=D_MODEL * HEADS): "either the heads were multiplied in (they split d_model "
                                           "into 8 x 64, they do not multiply it) or the count is in "
                                           "bits: the question is in bytes, not bits",
        _cache_mib(width=D_MODEL // HEADS): "a position's key holds key_dim numbers for *each* of the 8 "
                                            "heads: d_model in all",
        _cache_mib(unit=10**6): "a MiB is 2**20 bytes (1,048,576), not 10**6: that is a MB",
        _cache_mib(unit=1): "that is in bytes: the question asks for MiB (2**20 bytes)",
        _cache_mib(unit=2**10): "that is in KiB: the question asks for MiB (2**20 bytes)",
        _cache_mib(unit=2**30): "that is in GiB: the question asks for MiB (2**20 bytes)",
    }
    return expect_number(answer, right, rtol=1e-4, hints=hints)


# --- 12.2: a sliding-window causal mask ---------------------------------------------------------------------

def _band(T: int, low: int, high: int) -> np.ndarray:
    """Return (T, T) booleans, True where low <= t - s <= high (t the query's row, s the key's column)."""
    offset = np.arange(T)[:, None] - np.arange(T)[None, :]     # t - s, (T, T)
    return (offset >= low) & (offset <= high)


def _window_mask(T: int, window: int) -> np.ndarray:
    """Return the reference: query t sees keys t - window < s <= t."""
    return _band(T, 0, window - 1)


WINDOW_SIZES = [(6, 3), (7, 2), (5, 5), (4, 8), (5, 1), (1, 1)]   # (T, window): first the general case
WINDOW_HINTS: list[tuple[Callable[[int, int], np.ndarray], str]] = [   # typical wrong masks of exercise 12.2
    (lambda T, w: ~_window_mask(T, w), "your mask is True where attention is forbidden: Keras's is True "
     "where it is allowed"),
    (lambda T, w: _band(T, -(w - 1), w - 1), "your band is symmetric, so a query sees the future too: the "
     "mask must stay causal (s <= t)"),
    (lambda T, w: _band(T, -(w - 1), 0), "your mask lets each query see the future, not the past: rows are "
     "queries, columns keys"),
    (lambda T, w: _band(T, 0, w), "off by one: each query sees window + 1 positions; it should see itself "
     "and the window - 1 before it"),
    (lambda T, w: _band(T, 0, w - 2), "off by one: each query sees window - 1 positions; it should see "
     "itself and the window - 1 before it"),
    (lambda T, w: _band(T, 1, w), "a position may attend to itself: the diagonal is allowed"),
    (lambda T, w: _band(T, 0, T), "your mask is causal but ignores the window: keys more than window - 1 "
     "positions back must be hidden"),
]


def _window_problem(got: np.ndarray, again: np.ndarray, T: int, window: int) -> str:
    """Return what is wrong with the form of the reader's mask for these sizes ("" if nothing)."""
    if not np.array_equal(got, again, equal_nan=True):
        return "two calls with the same sizes gave different masks: is there a random draw in your function?"
    if got.shape != (T, T):
        return (f"sliding_window_mask({T}, {window}) has shape {got.shape}, expected (T, T): one row per "
                "query, one column per key")
    if np.isnan(got).any():
        return "your mask holds NaN: a mask holds True/False (or 1/0) only"
    if np.isinf(got).any():
        return ("your mask holds -inf: that is an additive mask (PyTorch's float attn_mask); Keras's "
                "attention_mask is boolean, True where attention is allowed")
    if not np.isin(got, (0, 1)).all():
        return "a mask holds True/False (or 1/0) only: True where a query may attend to a key"
    return ""


@register("12.2")
def sliding_window_mask(answer: object) -> Verdict:
    """Exercise 12.2: sliding_window_mask(T, window), True where t - window < s <= t."""
    for T, window in WINDOW_SIZES:
        got = call_reader(answer, T, window)
        problem = _window_problem(got, call_reader(answer, T, window), T, window)
        if problem:
            return Verdict(False, problem)
        if np.array_equal(got, _window_mask(T, window)):
            continue
        for wrong, hint in WINDOW_HINTS:
            if np.array_equal(got, wrong(T, window)):
                return Verdict(False, f"not quite: {hint}")
        if window >= T:
            return Verdict(False, f"sliding_window_mask({T}, {window}) is wrong: when the window is at least "
                           "T, every earlier position is inside it")
        if window == 1:
            return Verdict(False, f"sliding_window_mask({T}, 1) is wrong: with a window of 1 each position "
                           "sees only itself")
        return Verdict(False, f"sliding_window_mask({T}, {window}) is wrong: check which keys each query "
                       "may see")
    return Verdict(True, f"right for {len(WINDOW_SIZES)} sizes, window 1 and window >= T included")


# --- 12.3: greedy longest-match segmentation (WordPiece's rule) ---------------------------------------------

def _longest_match(word: str, pieces: set[str]) -> list[str]:
    """Return the reference: from the left, the longest piece the rest starts with (a character if none)."""
    out, i = [], 0
    while i < len(word):
        end = next(j for j in range(len(word), i, -1) if word[i:j] in pieces or j == i + 1)
        out.append(word[i:end])
        i = end
    return out


def _shortest_match(word: str, pieces: set[str]) -> list[str]:
    """Return the left-to-right segmentation that takes the shortest piece (of 2+ characters) each time."""
    out, i = [], 0
    while i < len(word):
        end = next((j for j in range(i + 2, len(word) + 1) if word[i:j] in pieces), i + 1)
        out.append(word[i:end])
        i = end
    return out


def _right_to_left(word: str, pieces: set[str]) -> list[str]:
    """Return the longest match taken from the right end of the word."""
    out, end = [], len(word)
    while end > 0:
        start = next(i for i in range(end) if word[i:end] in pieces or i == end - 1)
        out.insert(0, word[start:end])
        end = start
    return out


def _bottom_up(word: str, pieces: set[str]) -> list[str]:
    """Return BPE's way with a set: from characters, join the leftmost adjacent pair that is a piece."""
    symbols = list(word)
    while True:
        pair = next((i for i in range(len(symbols) - 1) if symbols[i] + symbols[i + 1] in pieces), None)
        if pair is None:
            return symbols
        symbols[pair:pair + 2] = [symbols[pair] + symbols[pair + 1]]


def _dropping(word: str, pieces: set[str]) -> list[str]:
    """Return the longest match that leaves out characters that are not pieces."""
    return [p for p in _longest_match(word, pieces) if p in pieces]


MATCH_CASES: list[tuple[str, frozenset[str]]] = [   # (word, pieces): the first tells the wrong rules apart
    ("unaffable", frozenset({"un", "una", "aff", "affable", "able", "ff"})),
    ("sphinx", frozenset({"s", "sp", "sph", "h", "in", "i", "n"})),
    ("tokenization", frozenset({"token", "tok", "iz", "ization", "ation", "en", "at", "ion", "to"})),
    ("banana", frozenset({"ban", "ana", "nan", "an", "na"})),
    ("a", frozenset()),
    ("abcd", frozenset({"abcd"})),
]
MATCH_HINTS: list[tuple[Callable[[str, set[str]], list[str]], str]] = [   # typical wrong rules of 12.3
    (lambda word, pieces: list(word), "you returned single characters: at each position take the longest "
     "piece in `pieces` that the rest of the word starts with"),
    (_shortest_match, "you took the shortest piece that fits: WordPiece takes the longest"),
    (_right_to_left, "you matched from the right end of the word: WordPiece goes from the left"),
    (_bottom_up, "you joined adjacent symbols bottom up, as BPE applies merges; WordPiece looks for the "
     "longest piece at the start of the rest directly, and needs no smaller pieces to build it"),
]


def _call_text(function: object, *args: object) -> object:
    """Return the reader's function(*args); its failures become ReaderCodeError (as call_reader does)."""
    if not callable(function):
        raise ReaderCodeError(f"expected a function, got {type(function).__name__}: pass the function "
                              "itself, without calling it (`check(..., longest_match)`, not "
                              "`longest_match(...)`)")
    try:
        return function(*args)
    except Exception as error:  # the reader's code: report it in one line, with where it happened
        frame = traceback.extract_tb(error.__traceback__)[-1]
        raise ReaderCodeError(f"your function raised {type(error).__name__}: {error} (line {frame.lineno}: "
                              f"`{(frame.line or '').strip()}`), called with a word of "
                              f"{len(str(args[0]))} characters and a set of pieces") from None


def _as_pieces(result: object) -> list[str] | str:
    """Return the reader's result as a list of strings, or a message saying what is wrong with its form."""
    if isinstance(result, str):
        return "you returned one string: return the list of pieces, e.g. ['un', 'able'], not them joined"
    if isinstance(result, np.ndarray):
        result = result.tolist()
    if not isinstance(result, (list, tuple)) or not all(isinstance(p, str) for p in result):
        return f"expected a list of strings (the pieces), got {type(result).__name__} {result!r:.60}"
    if any(p == "" for p in result):
        return "your list holds an empty string: every piece has at least one character"
    return list(result)


@register("12.3")
def longest_match(answer: object) -> Verdict:
    """Exercise 12.3: longest_match(word, pieces), WordPiece's greedy longest-match-first segmentation."""
    for word, pieces in MATCH_CASES:
        got = _as_pieces(_call_text(answer, word, set(pieces)))
        again = _as_pieces(_call_text(answer, word, set(pieces)))
        if isinstance(got, str):
            return Verdict(False, got)
        if got != again:
            return Verdict(False, "two calls on the same word gave different pieces: does your function keep "
                           "something between calls, or draw at random?")
        if any(p.startswith("##") for p in got[1:]):
            return Verdict(False, "no ## marks here: return the pieces exactly as they appear in the word")
        if "".join(got) != word:
            if got == _dropping(word, pieces):
                return Verdict(False, "a character that is not in `pieces` is still a piece of its own: "
                               "your pieces leave it out")
            if "[UNK]" in got:
                return Verdict(False, "no [UNK] here: a single character is always allowed, so every word "
                               "can be segmented")
            return Verdict(False, f"your pieces of {word!r} do not join back into the word: "
                           "''.join(pieces) must give the word")
        if got == _longest_match(word, pieces):
            continue
        for wrong, hint in MATCH_HINTS:
            if got == wrong(word, set(pieces)):
                return Verdict(False, f"not quite: {hint}")
        return Verdict(False, f"your pieces of {word!r} are not the greedy longest match: at each position "
                       "take the longest piece the rest of the word starts with")
    return Verdict(True, f"right on {len(MATCH_CASES)} words")
