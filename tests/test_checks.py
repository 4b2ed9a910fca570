"""Unit tests of utils/checks.py."""

import numpy as np
import pytest

from utils.checks import as_texts, check_int


def test_check_int_accepts_integers_at_or_above_minimum():
    assert check_int("n", 3, minimum=1) == 3
    assert check_int("n", np.int64(1), minimum=1) == 1


@pytest.mark.parametrize("value, error, message", [
    (0, ValueError, "n must be >= 1, got 0"),
    (2.0, TypeError, "n must be an int, got float 2.0"),
    (True, TypeError, "n must be an int, got bool True"),
    ("3", TypeError, "n must be an int, got str '3'"),
])
def test_check_int_rejects_bad_values(value, error, message):
    with pytest.raises(error, match=message):
        check_int("n", value, minimum=1)


def test_as_texts_returns_a_list_of_strings():
    assert as_texts(("a", "b")) == ["a", "b"]
    assert as_texts(np.array(["x"], dtype=object)) == ["x"]


@pytest.mark.parametrize("value, error, message", [
    ("one string", TypeError, "not one string"),
    ([], ValueError, "non-empty"),
    (["ok", 3], TypeError, "strings only"),
])
def test_as_texts_rejects_bad_input(value, error, message):
    with pytest.raises(error, match=message):
        as_texts(value, name="texts")
