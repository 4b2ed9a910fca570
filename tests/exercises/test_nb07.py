"""Tests of the checks of notebook 07's exercises (utils/exercise_checks/nb07.py)."""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
from pathlib import Path

import numpy as np
import pytest

from utils import exercises, recipes, timeseries
from utils.exercise_checks import nb07


def run(exercise: str, answer: object) -> tuple[bool, str]:
    """Return (passed, the line printed) of exercises.check."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        passed = exercises.check(exercise, answer)
    return passed, printed.getvalue().strip()


def test_the_constants_are_those_of_the_notebook():
    from utils import data

    train_part, _, _ = data.split_by_time(data.load_nyc_weather(), val_frac=1 / 6, test_frac=1 / 6)
    assert nb07.TRAIN_HOURS == len(train_part)
    assert (nb07.INPUT_HOURS, nb07.STRIDE) == (recipes.WEATHER["input_hours"], recipes.WEATHER["stride"])
    for horizon in (1, 24):
        starts = timeseries.window_starts(nb07.TRAIN_HOURS, nb07.INPUT_HOURS, horizon, nb07.STRIDE)
        assert nb07.n_windows(nb07.TRAIN_HOURS, nb07.INPUT_HOURS, horizon, nb07.STRIDE) == len(starts)


def test_the_notebook_trains_that_many_recurrent_models_and_seeds():
    """Exercise 07.4 counts the recurrent models of section 5 and the seeds: the notebook must agree."""
    path = Path(__file__).resolve().parents[2] / "notebooks" / "07_time_series_forecasting.ipynb"
    code = "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
                     if cell["cell_type"] == "code")
    names = re.findall(r'\btrain\(\s*"([^"]+)"', code)
    assert len([name for name in names if "GRU" in name or "LSTM" in name]) == nb07.RECURRENT_MODELS, names
    seeds = re.search(r"^SEEDS = (.*)$", code, flags=re.MULTILINE).group(1)
    assert len(eval(seeds, {"SEED": 42, "FULL_RUN": False})) == nb07.SEEDS


# --- 07.1 ---------------------------------------------------------------------------------------------------

RIGHT_WINDOWS = len(timeseries.window_starts(5820, 48, 1, 3))


def test_windows_right_answer_passes():
    assert run("07.1", RIGHT_WINDOWS) == (True, "✓ 07.1: right")
    assert run("07.1", np.int64(RIGHT_WINDOWS))[0]
    assert run("07.1", float(RIGHT_WINDOWS))[0]


@pytest.mark.parametrize("wrong, hint", [
    (len(timeseries.window_starts(5820, 48, 24, 3)), "24-hour target"),
    (RIGHT_WINDOWS - 1, "starts at row 0"),
    (RIGHT_WINDOWS + 1, "inside the series"),
    (len(timeseries.window_starts(5820, 48, 1, 1)), "every STRIDE hours"),
    (3000, "too large"),
    (RIGHT_WINDOWS + 0.5, "not a whole number"),
    ("1924", "expected a number"),
    (float("nan"), "NaN"),
    ([RIGHT_WINDOWS], "expected a number"),
    (True, "expected a number"),
])
def test_windows_wrong_answers_fail_with_their_hint(wrong, hint):
    passed, message = run("07.1", wrong)
    assert not passed and hint in message
    assert str(RIGHT_WINDOWS) not in message.replace(str(wrong), "")


def test_windows_unanswered():
    passed, message = run("07.1", ...)
    assert not passed and "no answer yet" in message


# --- 07.2 ---------------------------------------------------------------------------------------------------

def target_row(i, input_length, horizon, stride):
    return i * stride + input_length - 1 + horizon


def test_target_row_right_answer_passes():
    assert run("07.2", target_row) == (True, "✓ 07.2: right on 3 random inputs")
    assert run("07.2", lambda i, L, h, s: float(np.array(i * s + L + h - 1)))[0]


@pytest.mark.parametrize("wrong, hint", [
    (lambda i, L, h, s: i * s + L + h, "one row too far"),
    (lambda i, L, h, s: i * s + L + h - 2, "one row too early"),
    (lambda i, L, h, s: i + L - 1 + h, "i * stride"),
    (lambda i, L, h, s: (i - 1) * s + L - 1 + h, "counted from 0"),
    (lambda i, L, h, s: i * s + L - 1, "last input row"),
    (lambda i, L, h, s: i * s + h, "from the window's last row"),
    (lambda i, L, h, s: i * s + L * h, "differs from the reference"),
])
def test_target_row_wrong_versions_fail_with_their_hint(wrong, hint):
    passed, message = run("07.2", wrong)
    assert not passed and hint in message


@pytest.mark.parametrize("broken, says", [
    (lambda i, L, h, s: 1 / 0, "raised ZeroDivisionError"),
    (lambda i, L, h, s: float("nan"), "NaN"),
    (lambda i, L, h, s: [i, L], "returned shape (2,)"),
    (lambda i, L, h, s: target_row(i, L, h, s) + random.random(), "unseeded"),
    (lambda i, L: i, "raised TypeError"),
    (lambda i, L, h, s: "row", "expected an array"),
    (target_row(1, 48, 24, 3), "expected a function"),
])
def test_target_row_broken_answers_fail_with_a_message(broken, says):
    passed, message = run("07.2", broken)
    assert not passed and says in message and "Traceback" not in message


# --- 07.4 ---------------------------------------------------------------------------------------------------

RIGHT_PAIRS = 10 * 2 * 0.5 ** 3


def test_unanimous_pairs_right_answer_passes():
    assert run("07.4", RIGHT_PAIRS) == (True, "✓ 07.4: right")
    assert run("07.4", np.float32(RIGHT_PAIRS))[0]


@pytest.mark.parametrize("wrong, hint", [
    (0.25, "probability for one pair"),
    (1.25, "two ways"),
    (5.0, "count each pair once"),
    (3.75, "dense network"),
    (0.625, "five seeds"),
    (10, "not every pair"),
    (7, "too large"),
    ("2.5", "expected a number"),
    (float("nan"), "NaN"),
    (None, "no answer yet"),
])
def test_unanimous_pairs_wrong_answers_fail_with_their_hint(wrong, hint):
    passed, message = run("07.4", wrong)
    assert not passed and hint in message
    assert f"{RIGHT_PAIRS:g}" not in message.replace(repr(wrong), "")
