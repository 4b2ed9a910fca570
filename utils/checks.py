"""Argument checks shared by the utils modules, with messages that name the argument and what was expected;
imported by notebooks 08 and 09 too (`check_no_empty_rows` on their test sources).

Every module of utils/ that checks its arguments does so here:
- `check_int`, `check_number` and `check_fractions`: a number, or held-out fractions that leave data to train;
- `check_choice`: one of a few allowed values;
- `check_text`, `as_texts` and `as_text_pairs`: a string, a list of strings, or two lists of the same length;
  a bad item is named by its position ("predictions[1] is None; expected a str");
- `as_int_array`: integer ids or class indices, with their shape and range.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np


def check_int(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    """Return `value` as an int if it is an integer in [minimum, maximum]; raise TypeError or ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if maximum is not None and not minimum <= value <= maximum:
        raise ValueError(f"{name} must be an int from {minimum} to {maximum}, got {value}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_number(name: str, value: object, minimum: float | None = None, maximum: float | None = None, *,
                 strict: bool = False) -> float:
    """Return `value` as a float if it is a real number within the bounds (open ones when `strict`)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    low_ok = minimum is None or (value > minimum if strict else value >= minimum)
    high_ok = maximum is None or (value < maximum if strict else value <= maximum)
    if not (low_ok and high_ok and value == value):  # value == value is False for NaN
        if minimum is not None and maximum is not None:
            bounds = f"strictly between {minimum} and {maximum}" if strict else f"from {minimum} to {maximum}"
        elif minimum is not None:
            bounds = f"{'>' if strict else '>='} {minimum}"
        else:
            bounds = f"{'<' if strict else '<='} {maximum}"
        raise ValueError(f"{name} must be a number {bounds}, got {value!r}")
    return float(value)


def check_fractions(**fractions: float) -> dict[str, float]:
    """Return the fractions as floats if each is in (0, 1) and together they are below 1; raise otherwise.

    Used for held-out shares: check_fractions(val_frac=0.15, test_frac=0.15) leaves 70% to train on.
    """
    checked = {name: check_number(name, value, 0, 1, strict=True) for name, value in fractions.items()}
    if sum(checked.values()) >= 1:
        terms, total = " + ".join(checked), sum(checked.values())
        raise ValueError(f"{terms} must be below 1 so that training data is left, got {total:g}")
    return checked


def check_choice(name: str, value: object, choices: Sequence[object]) -> object:
    """Return `value` if it is one of `choices`; raise ValueError listing them otherwise."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def _describe(value: object) -> str:
    """Return how an error message names a bad item: "None", or its type and repr (shortened)."""
    if value is None:
        return "None"
    if isinstance(value, float) and value != value:
        return "NaN (a missing value)"
    shown = repr(value)
    return f"a {type(value).__name__} {shown if len(shown) <= 40 else shown[:37] + '...'}"


def check_text(name: str, value: object, *, allow_empty: bool = True) -> str:
    """Return `value` if it is a str (non-empty unless `allow_empty`); raise TypeError or ValueError."""
    if not isinstance(value, str):
        raise TypeError(f"{name} is {_describe(value)}; expected a str")
    if not value and not allow_empty:
        raise ValueError(f"{name} is an empty string; expected at least one character")
    return value


def as_texts(texts: Iterable[str], name: str = "texts") -> list[str]:
    """Return `texts` as a non-empty list of Python strings; raise on anything else, naming the bad position.

    A bare string is refused (it would be read as a list of characters), and so is None, a non-iterable, an
    empty sequence and any item that is not a str (None included): "texts[2] is None; expected a str".
    Accepts lists, tuples, 1-D NumPy arrays and pandas Series (positions count from 0 whatever the index).
    """
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a sequence of strings, not one string (wrap it in a list)")
    if texts is None or not isinstance(texts, Iterable):
        raise TypeError(f"{name} must be a sequence of strings, got {_describe(texts)}")
    texts = list(texts)
    if not texts:
        raise ValueError(f"{name} must be a non-empty sequence of strings, got an empty one")
    if set(map(type, texts)) != {str}:  # (a fast test) NumPy's str_, or a bad item to name
        for i, item in enumerate(texts):
            if not isinstance(item, str):
                raise TypeError(f"{name}[{i}] is {_describe(item)}; expected a str")
        texts = [str(t) for t in texts]
    return texts


def as_text_pairs(first: Iterable[str], second: Iterable[str],
                  names: tuple[str, str] = ("predictions", "references")) -> tuple[list[str], list[str]]:
    """Return two lists of strings of the same non-zero length (see `as_texts`); raise naming the argument."""
    first, second = as_texts(first, names[0]), as_texts(second, names[1])
    if len(first) != len(second):
        raise ValueError(f"{names[0]} and {names[1]} must have the same length, got {len(first)} and "
                         f"{len(second)}")
    return first, second


def as_int_array(name: str, values: object, ndim: int | None = 1, low: int | None = 0,
                 high: int | None = None, *, allow_empty: bool = True) -> np.ndarray:
    """Return `values` as an int64 array after checking its number of axes, dtype and range [low, high).

    `ndim=None` accepts any shape; `low`/`high` None leaves that side open. Raises ValueError for a wrong
    shape, an empty array when `allow_empty` is False, or a value out of range; TypeError for non-integers.
    """
    array = np.asarray(values)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D integer array, got shape {array.shape}")
    if not allow_empty and array.size == 0:
        raise ValueError(f"{name} must be non-empty, got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integers, got dtype {array.dtype}")
    if array.size and ((low is not None and array.min() < low) or (high is not None and array.max() >= high)):
        span = f"[{'-inf' if low is None else low}, {'inf' if high is None else high})"
        raise ValueError(f"{name} must lie in {span}, got {array.min()}..{array.max()}")
    return array.astype(np.int64)


def check_no_empty_rows(name: str, ids: object, pad_id: int = 0) -> np.ndarray:
    """Return `ids` (n, time) as an array after checking that every row holds at least one non-padding id.

    A row that is padding only (an empty text after standardisation) is a fully masked sequence: cuDNN's LSTM
    and GRU refuse it inside `fit` and `predict` on a GPU (eager calls fall back to the slow kernel instead).
    """
    array = np.asarray(ids)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n, time), got shape {array.shape}")
    empty = np.flatnonzero(~(array != pad_id).any(axis=1))
    if len(empty):
        raise ValueError(
            f"{name}: {len(empty)} row(s) hold padding only (first at rows {empty[:5].tolist()}): an empty "
            "text is a fully masked sequence, which cuDNN's LSTM/GRU refuses on a GPU; drop empty texts")
    return array

