"""Shared helpers of the exercise-check tests (tests/exercises/test_nbNN.py)."""

from __future__ import annotations

import pytest

from utils import exercises


def verdict(exercise: str, answer: object, capsys: pytest.CaptureFixture) -> tuple[bool, str]:
    """Return (passed, the line the check printed); a check prints one line and never a traceback."""
    passed = exercises.check(exercise, answer)
    out = capsys.readouterr().out
    assert "Traceback" not in out and out.count("\n") == 1
    return passed, out


def assert_hides(value: float, message: str) -> None:
    """Assert that `message` does not give away `value` in any of the usual roundings."""
    for text in (f"{value:g}", f"{value:.4f}", f"{value:.3f}", f"{value:.2f}", repr(value)):
        assert text not in message, (text, message)
