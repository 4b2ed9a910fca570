"""Unit tests of utils/checks.py: what each check accepts, and the message of each refusal."""

import numpy as np
import pandas as pd
import pytest

from utils import checks


def test_check_int_accepts_integers_at_or_above_minimum():
    assert checks.check_int("n", 3, minimum=1) == 3
    assert checks.check_int("n", np.int64(1), minimum=1) == 1
    assert checks.check_int("order", 3, 1, maximum=3) == 3


@pytest.mark.parametrize("value, maximum, error, message", [
    (0, None, ValueError, "n must be >= 1, got 0"),
    (2.0, None, TypeError, "n must be an int, got float 2.0"),
    (True, None, TypeError, "n must be an int, got bool True"),
    ("3", None, TypeError, "n must be an int, got str '3'"),
    (None, None, TypeError, "n must be an int, got NoneType None"),
    (4, 3, ValueError, "n must be an int from 1 to 3, got 4"),
    (0, 3, ValueError, "n must be an int from 1 to 3, got 0"),
])
def test_check_int_rejects_bad_values(value, maximum, error, message):
    with pytest.raises(error, match=message):
        checks.check_int("n", value, minimum=1, maximum=maximum)


def test_check_number_accepts_reals_within_bounds():
    assert checks.check_number("x", 0, minimum=0) == 0.0
    assert checks.check_number("x", np.float32(0.5), 0, 1, strict=True) == 0.5
    assert checks.check_number("x", 7) == 7.0


@pytest.mark.parametrize("value, kwargs, error, message", [
    ("1", {}, TypeError, "x must be a number, got str '1'"),
    (True, {}, TypeError, "x must be a number, got bool"),
    (None, {}, TypeError, "x must be a number, got NoneType"),
    (-1, {"minimum": 0}, ValueError, "x must be a number >= 0, got -1"),
    (0, {"minimum": 0, "strict": True}, ValueError, "x must be a number > 0"),
    (2, {"maximum": 1}, ValueError, "x must be a number <= 1"),
    (1, {"minimum": 0, "maximum": 1, "strict": True}, ValueError, "strictly between 0 and 1"),
    (1.5, {"minimum": 0, "maximum": 1}, ValueError, "from 0 to 1"),
    (float("nan"), {"minimum": 0}, ValueError, "x must be a number >= 0, got nan"),
])
def test_check_number_rejects_bad_values(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        checks.check_number("x", value, **kwargs)


def test_check_fractions():
    assert checks.check_fractions(val_frac=0.15, test_frac=0.15) == {"val_frac": 0.15, "test_frac": 0.15}
    with pytest.raises(ValueError, match=r"val_frac \+ test_frac must be below 1 .* got 1"):
        checks.check_fractions(val_frac=0.5, test_frac=0.5)
    with pytest.raises(ValueError, match="test_frac must be a number strictly between 0 and 1, got 0"):
        checks.check_fractions(val_frac=0.5, test_frac=0)
    with pytest.raises(TypeError, match="val_frac must be a number"):
        checks.check_fractions(val_frac="0.1")


def test_check_choice():
    assert checks.check_choice("mode", "int", ("int", "count")) == "int"
    with pytest.raises(ValueError, match=r"mode must be one of \('int', 'count'\), got 'one_hot'"):
        checks.check_choice("mode", "one_hot", ("int", "count"))


def test_check_text():
    assert checks.check_text("text", "") == ""
    with pytest.raises(TypeError, match="text is None; expected a str"):
        checks.check_text("text", None)
    with pytest.raises(TypeError, match=r"text is a list \['a'\]; expected a str"):
        checks.check_text("text", ["a"])
    with pytest.raises(TypeError, match="text is a bytes b'a'; expected a str"):
        checks.check_text("text", b"a")
    with pytest.raises(ValueError, match="text is an empty string"):
        checks.check_text("text", "", allow_empty=False)


def test_as_texts_returns_a_list_of_python_strings():
    assert checks.as_texts(("a", "b")) == ["a", "b"]
    assert checks.as_texts(np.array(["x"], dtype=object)) == ["x"]
    converted = checks.as_texts(np.array(["x", "yz"]))  # NumPy's own str_ items become str
    assert converted == ["x", "yz"] and all(type(t) is str for t in converted)
    assert checks.as_texts(pd.Series(["a", "b"], index=[10, 20])) == ["a", "b"]
    assert checks.as_texts(t for t in ["g"]) == ["g"]


@pytest.mark.parametrize("value, error, message", [
    ("one string", TypeError, "texts must be a sequence of strings, not one string"),
    (None, TypeError, "texts must be a sequence of strings, got None"),
    (5, TypeError, "texts must be a sequence of strings, got a int 5"),
    ([], ValueError, "texts must be a non-empty sequence"),
    (np.array([], dtype=object), ValueError, "non-empty"),
    (["ok", None], TypeError, r"texts\[1\] is None; expected a str"),
    ([None], TypeError, r"texts\[0\] is None; expected a str"),
    (["ok", 3], TypeError, r"texts\[1\] is a int 3; expected a str"),
    (["ok", "fine", b"raw"], TypeError, r"texts\[2\] is a bytes b'raw'; expected a str"),
    ([["nested"], ["list"]], TypeError, r"texts\[0\] is a list \['nested'\]; expected a str"),
    (np.array([["a", "b"]]), TypeError, r"texts\[0\] is a ndarray"),
    (pd.Series(["a", None, "c"], index=[5, 6, 7]), TypeError, r"texts\[1\] is (None|NaN)"),  # not the label
    (["a", float("nan")], TypeError, r"texts\[1\] is NaN \(a missing value\); expected a str"),
])
def test_as_texts_rejects_bad_input_naming_the_position(value, error, message):
    with pytest.raises(error, match=message):
        checks.as_texts(value, name="texts")


def test_as_texts_shortens_long_items_in_its_message():
    with pytest.raises(TypeError) as caught:
        checks.as_texts([list(range(100))], name="texts")
    assert len(str(caught.value)) < 100 and "..." in str(caught.value)


def test_as_text_pairs():
    assert checks.as_text_pairs(["a"], ("b",)) == (["a"], ["b"])
    with pytest.raises(ValueError, match="hypotheses and references must have the same length, got 2 and 1"):
        checks.as_text_pairs(["a", "b"], ["a"], names=("hypotheses", "references"))
    with pytest.raises(TypeError, match=r"hypotheses\[1\] is None; expected a str"):
        checks.as_text_pairs(["a", None], ["a", "b"], names=("hypotheses", "references"))
    with pytest.raises(TypeError, match=r"references\[0\] is None"):
        checks.as_text_pairs(["a"], [None])
    with pytest.raises(ValueError, match="predictions must be a non-empty"):
        checks.as_text_pairs([], [])


def test_as_int_array_accepts_integer_arrays():
    ids = checks.as_int_array("ids", [3, 0, 2], high=4)
    assert ids.dtype == np.int64 and ids.tolist() == [3, 0, 2]
    assert checks.as_int_array("ids", [], high=4).shape == (0,)  # [] is float64 in NumPy: still fine
    assert checks.as_int_array("ids", [[-5, 5]], ndim=2, low=None).shape == (1, 2)
    assert checks.as_int_array("ids", np.zeros((2, 3, 4), np.int32), ndim=None).shape == (2, 3, 4)


@pytest.mark.parametrize("value, kwargs, error, message", [
    ([[1, 2]], {}, ValueError, r"ids must be a 1-D integer array, got shape \(1, 2\)"),
    ([1.0, 2.0], {}, TypeError, "ids must hold integers, got dtype float64"),
    ([True, False], {}, TypeError, "ids must hold integers, got dtype bool"),
    ([1, None], {}, TypeError, "ids must hold integers, got dtype object"),
    ([0, 4], {"high": 4}, ValueError, r"ids must lie in \[0, 4\), got 0..4"),
    ([-1, 2], {}, ValueError, r"ids must lie in \[0, inf\), got -1..2"),
    ([], {"allow_empty": False}, ValueError, "ids must be non-empty"),
])
def test_as_int_array_rejects_bad_input(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        checks.as_int_array("ids", value, **kwargs)


def test_check_no_empty_rows_accepts_rows_with_a_token():
    check_no_empty_rows = checks.check_no_empty_rows
    ids = np.array([[3, 0, 0], [1, 2, 0]])
    assert check_no_empty_rows("ids", ids) is not None


@pytest.mark.parametrize("ids, message", [
    (np.array([[3, 0], [0, 0], [0, 0]]), r"ids: 2 row\(s\) hold padding only \(first at rows \[1, 2\]\)"),
    (np.array([1, 2, 3]), "must be 2-D"),
])
def test_check_no_empty_rows_rejects(ids, message):
    with pytest.raises(ValueError, match=message):
        checks.check_no_empty_rows("ids", ids)
