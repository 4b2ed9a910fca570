"""Argument checks shared by the utils modules, with error messages that say what was expected."""

from __future__ import annotations

import numbers


def check_int(name: str, value: object, minimum: int) -> int:
    """Return `value` as an int if it is an integer >= minimum; raise TypeError or ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)
