"""The checks of notebook 07's exercises: counting windows, a window's target row, unanimous seeds.

Registered with utils/exercises.py, which imports this module. The numbers of the notebook's set-up are
restated here (the training months' length, the recipe's window, horizon and stride, the models of section 5
and the seeds), so that a check needs no data and no training; tests/exercises/test_nb07.py checks them
against the data and the recipe.
"""

from __future__ import annotations

from math import comb

import numpy as np

from utils.exercises import Verdict, expect_function, expect_number, register

TRAIN_HOURS = 5820          # rows of the training months (January to August 2013, hourly)
INPUT_HOURS, STRIDE = 48, 3  # recipes.WEATHER: window length and training stride
RECURRENT_MODELS = 5        # section 5: LSTM, GRU, GRU with dropout, with recurrent dropout, bidirectional
SEEDS = 3                   # FULL_RUN = False


def n_windows(n_rows: int, input_length: int, horizon: int, stride: int) -> int:
    """Return the number of windows whose target row lies inside a series of n_rows rows."""
    return (n_rows - input_length - horizon) // stride + 1


@register("07.1")
def check_one_step_windows(answer: object) -> Verdict:
    """Exercise 07.1: the number of training windows of the next-hour model of section 7."""
    right = n_windows(TRAIN_HOURS, INPUT_HOURS, 1, STRIDE)
    hints = {
        n_windows(TRAIN_HOURS, INPUT_HOURS, 24, STRIDE):
            "that is the count for the 24-hour target; the next-hour model's target is 1 hour after "
            "the window",
        right - 1: "the first window starts at row 0: count it too",
        n_windows(TRAIN_HOURS, INPUT_HOURS, 0, STRIDE): "the target row must lie inside the series as well",
        n_windows(TRAIN_HOURS, INPUT_HOURS, 1, 1): "training windows start only every STRIDE hours",
        TRAIN_HOURS - INPUT_HOURS - 1: "windows start every STRIDE hours, and the first one at row 0",
        TRAIN_HOURS // STRIDE: "a window needs INPUT_HOURS rows of inputs and its target row, not one row",
    }
    return expect_number(answer, right, integer=True, hints=hints)


def _target_row(i: int, input_length: int, horizon: int, stride: int) -> int:
    return i * stride + input_length - 1 + horizon


def _window_arguments(seed: int) -> tuple[int, int, int, int]:
    """Return (i, input_length, horizon, stride) with every size at least 2, so that mix-ups differ."""
    rng = np.random.default_rng(700 + seed)
    return (int(rng.integers(1, 60)), int(rng.integers(2, 200)), int(rng.integers(2, 48)),
            int(rng.integers(2, 8)))


@register("07.2")
def check_target_row(answer: object) -> Verdict:
    """Exercise 07.2: the row of the series that holds the target of window i (windows counted from 0)."""
    hints = [
        (lambda i, L, h, s: i * s + L + h,
         "one row too far: the window's last input row is its first row + input_length - 1"),
        (lambda i, L, h, s: i * s + L + h - 2, "one row too early: count the rows of the window again"),
        (lambda i, L, h, s: i + L - 1 + h, "window i starts at row i * stride, not at row i"),
        (lambda i, L, h, s: (i - 1) * s + L - 1 + h, "windows are counted from 0: window 0 starts at row 0"),
        (lambda i, L, h, s: i * s + L - 1, "that is the window's last input row (now): the target is later"),
        (lambda i, L, h, s: i * s + h,
         "the horizon counts from the window's last row, not from its first"),
    ]
    return expect_function(answer, _target_row, _window_arguments, hints=hints, rtol=0, atol=0)


@register("07.4")
def check_unanimous_pairs(answer: object) -> Verdict:
    """Exercise 07.4: the expected number of model pairs whose seeds all agree in sign, if all are equal."""
    p_unanimous = 2 * 0.5 ** SEEDS                      # all differences positive, or all negative
    pairs = comb(RECURRENT_MODELS, 2)
    right = pairs * p_unanimous
    hints = {
        p_unanimous: "that is the probability for one pair; the question asks for the expected number",
        right / 2: "a pair is unanimous if all its differences are positive or all are negative: two ways",
        2 * right: "count each pair once: a - b and b - a are the same comparison",
        comb(RECURRENT_MODELS + 1, 2) * p_unanimous: "the dense network is not recurrent: leave it out",
        pairs * 2 * 0.5 ** 5: "that is for five seeds (FULL_RUN); the committed run has three",
        float(pairs): "not every pair agrees by chance: what is the probability for one?",
    }
    return expect_number(answer, right, hints=hints)
