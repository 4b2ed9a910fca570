"""Run-time budgets of the notebooks (seconds on a 2-core CPU) and the check the test suite applies."""

from __future__ import annotations

import os

DEFAULT_BUDGET = 180  # 3 minutes
BUDGETS = {"08": 300, "09": 300}  # the seq2seq and attention notebooks: 5 minutes
MARGIN_ENV = "NOTEBOOK_TIME_MARGIN"  # e.g. 1.5 on a machine slower than a 2-core laptop


def budget_seconds(notebook_name: str) -> int:
    """Return the budget in seconds of a notebook, from the NN prefix of its file name."""
    return BUDGETS.get(notebook_name[:2], DEFAULT_BUDGET)


def margin_from_env() -> float:
    """Return the budget multiplier in $NOTEBOOK_TIME_MARGIN (default 1); ValueError unless a number >= 1."""
    text = os.environ.get(MARGIN_ENV, "1")
    try:
        margin = float(text)
    except ValueError:
        raise ValueError(f"{MARGIN_ENV} must be a number >= 1, got {text!r}") from None
    if not margin >= 1:
        raise ValueError(f"{MARGIN_ENV} must be a number >= 1, got {text!r}")
    return margin


def over_budget(seconds: dict[str, float], margin: float = 1.0) -> list[str]:
    """Return one message per notebook whose run time (notebook name -> seconds) exceeds budget x margin."""
    return [f"{name}: {spent:.0f} s, over its budget of {budget_seconds(name) * margin:.0f} s"
            for name, spent in sorted(seconds.items()) if spent > budget_seconds(name) * margin]
