"""Argument checks shared by the utils modules, with error messages that say what was expected."""

from __future__ import annotations

import numbers
from collections.abc import Iterable


def check_int(name: str, value: object, minimum: int) -> int:
    """Return `value` as an int if it is an integer >= minimum; raise TypeError or ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def as_texts(texts: Iterable[str], name: str = "texts") -> list[str]:
    """Return `texts` as a non-empty list of Python strings; raise on a bare string or a non-string entry."""
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a sequence of strings, not one string (wrap it in a list)")
    texts = list(texts)
    if not texts:
        raise ValueError(f"{name} must be a non-empty sequence of strings, got an empty one")
    bad = next((t for t in texts if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"{name} must hold strings only, found {type(bad).__name__} {bad!r}")
    return texts
