"""Self-checking exercises of notebooks 01-12: `check(exercise, answer)` says if an answer is right, not what.

Imported by the exercise cells of every notebook: `exercises.check("03.2", answer)`. Each exercise with a
definite answer (a number, a shape, a function the reader writes) has a check, registered under "NN.k"
(notebook NN, exercise k) by the module `utils/exercise_checks/nbNN.py`. A check knows the right answer only
through a reference it computes (a formula, or Keras itself run on fresh random inputs), compares the reader's
answer and prints one line: a pass, or what is wrong and a hint; never the answer. A wrong type, a wrong
shape, NaN, an unseeded answer or an exception raised by the reader's own function becomes a message, not a
traceback from inside utils.

    answer = ...                          # the reader's number, shape or function
    exercises.check("03.2", answer)       # prints "✓ 03.2 ..." or "✗ 03.2 ..." and returns True or False
"""

from __future__ import annotations

import numbers
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: passed or not, and the line shown to the reader."""

    passed: bool
    message: str


class ReaderCodeError(Exception):
    """The reader's function raised; the message says where, without the traceback of utils."""


_CHECKS: dict[str, Callable[[object], Verdict]] = {}
_NO_ANSWER = "no answer yet: replace the `...` by your answer and run the cell again"


def register(exercise: str) -> Callable:
    """Return a decorator that registers a check function `answer -> Verdict` under `exercise` ("NN.k")."""
    def decorate(function: Callable[[object], Verdict]) -> Callable[[object], Verdict]:
        if exercise in _CHECKS:
            raise ValueError(f"exercise {exercise!r} has two checks")
        _CHECKS[exercise] = function
        return function
    return decorate


def available() -> list[str]:
    """Return the ids of every exercise that has a check, sorted ("01.1", "01.3", ...)."""
    return sorted(_CHECKS)


def check(exercise: str, answer: object, *, quiet: bool = False) -> bool:
    """Return True if `answer` is right for `exercise`; print a pass, or what is wrong and a hint."""
    if exercise not in _CHECKS:
        known = ", ".join(available()) or "none"
        raise KeyError(f"no check for exercise {exercise!r}; exercises with a check: {known}")
    if answer is None or answer is Ellipsis:
        verdict = Verdict(False, _NO_ANSWER)
    else:
        try:
            verdict = _CHECKS[exercise](answer)
        except ReaderCodeError as error:
            verdict = Verdict(False, str(error))
    if not quiet:
        print(f"{'✓' if verdict.passed else '✗'} {exercise}: {verdict.message}")
    return verdict.passed


# --- building blocks for the checks -------------------------------------------------------------------------

def expect_number(answer: object, expected: float, *, rtol: float = 1e-6, atol: float = 0.0,
                  hints: dict[float, str] | None = None, integer: bool = False) -> Verdict:
    """Return the verdict on a number: right within rtol/atol, a known wrong value's hint, or too big/small.

    `hints` maps typical wrong answers to what the reader probably forgot (never the right answer).
    """
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return Verdict(False, f"expected a number, got {type(answer).__name__} {answer!r:.60}")
    value = float(answer)
    if value != value:
        return Verdict(False, "your answer is NaN: check for a division by zero or a NaN in the inputs")
    if integer and value != round(value):
        return Verdict(False, f"{value:g} is not a whole number, but a count is: check the formula")
    if abs(value - expected) <= atol + rtol * abs(expected):
        return Verdict(True, "right")
    for wrong, hint in (hints or {}).items():
        if abs(value - wrong) <= atol + rtol * abs(wrong):
            return Verdict(False, f"not quite: {hint}")
    direction = "too large" if value > expected else "too small"
    return Verdict(False, f"{value:g} is {direction}")


def expect_shape(answer: object, expected: tuple[int | None, ...], *, hint: str = "") -> Verdict:
    """Return the verdict on a shape given as a tuple of ints (None in `expected` matches any size)."""
    if hasattr(answer, "shape") and not isinstance(answer, tuple):
        return Verdict(False, "give the shape as a tuple of ints, e.g. (32, 10), not the array itself")
    if not isinstance(answer, (tuple, list)) or not all(
            a is None or (isinstance(a, numbers.Integral) and not isinstance(a, bool)) for a in answer):
        return Verdict(False, f"expected a tuple of ints such as (32, 10), got {answer!r:.60}")
    answer = tuple(answer)
    if len(answer) != len(expected):
        return Verdict(False, f"your shape has {len(answer)} axes, the right one has {len(expected)}"
                       + (f"; {hint}" if hint else ""))
    wrong = [i for i, (a, e) in enumerate(zip(answer, expected, strict=True)) if e is not None and a != e]
    if wrong:
        return Verdict(False, f"axis {wrong[0]} is wrong" + (f"; {hint}" if hint else ""))
    return Verdict(True, "right")


def call_reader(function: object, *args: object) -> np.ndarray:
    """Return the reader's `function(*args)` as a float64 array; turn its failures into ReaderCodeError."""
    if not callable(function):
        raise ReaderCodeError(f"expected a function, got {type(function).__name__}: pass the function "
                              "itself, without calling it (`check(..., my_step)`, not `my_step(...)`)")
    try:
        result = function(*args)
    except Exception as error:  # the reader's code: report it in one line, with where it happened
        frame = traceback.extract_tb(error.__traceback__)[-1]
        shapes = ", ".join(str(getattr(a, "shape", type(a).__name__)) for a in args)
        raise ReaderCodeError(f"your function raised {type(error).__name__}: {error} (line {frame.lineno}: "
                              f"`{(frame.line or '').strip()}`), called with arguments of shapes {shapes}"
                              ) from None
    try:
        return np.asarray(result, dtype="float64")
    except (TypeError, ValueError):
        raise ReaderCodeError(f"your function returned {type(result).__name__}, expected an array") from None


def expect_function(function: object, reference: Callable[..., object], make_inputs: Callable[[int], tuple],
                    *, trials: int = 3, rtol: float = 1e-5, atol: float = 1e-6,
                    hints: list[tuple[Callable[..., object], str]] | None = None) -> Verdict:
    """Return the verdict on a reader's function: equal to `reference` on `trials` fresh random inputs.

    make_inputs(seed) returns the arguments of one trial. `hints` pairs typical wrong versions with what the
    reader probably did (e.g. a gate fed its own previous value); they are tried when the answer is wrong.
    """
    for trial in range(trials):
        args = make_inputs(trial)
        got = call_reader(function, *args)
        again = call_reader(function, *args)
        want = np.asarray(reference(*args), dtype="float64")
        if got.shape != want.shape:
            return Verdict(False, f"your function returned shape {got.shape}, expected {want.shape}")
        if not np.array_equal(got, again, equal_nan=True):
            return Verdict(False, "two calls on the same inputs gave different results: is there an unseeded "
                           "random draw (or dropout) in your function?")
        if not np.all(np.isfinite(got)):
            return Verdict(False, "your function returned NaN or infinity: check for overflow or a division")
        if not np.allclose(got, want, rtol=rtol, atol=atol):
            for wrong, hint in hints or []:
                if np.allclose(got, np.asarray(wrong(*args), dtype="float64"), rtol=rtol, atol=atol):
                    return Verdict(False, f"not quite: {hint}")
            worst = float(np.max(np.abs(got - want)))
            return Verdict(False, f"your function differs from the reference by up to {worst:.3g} on random "
                           f"inputs (trial {trial + 1} of {trials})")
    return Verdict(True, f"right on {trials} random inputs")


# The checks themselves, one module per notebook; importing them registers them (they import this module).
from utils.exercise_checks import nb01, nb02, nb03, nb04, nb05, nb06  # noqa: E402, F401, I001
from utils.exercise_checks import nb07, nb08, nb09, nb10, nb11, nb12  # noqa: E402, F401, I001
