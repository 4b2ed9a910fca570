"""The self-checking exercises: the framework of utils/exercises.py, and each notebook's stubs and solutions.

Per-notebook checks are tested in tests/exercises/test_nbNN.py. Here: the building blocks, and that every
notebook's stub cells and worked solutions agree with the registered checks (a solution and its check cannot
drift apart: the solution's code block is executed and its check must pass).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from utils import exercises

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHECK_CALL = re.compile(r"""exercises\.check\(\s*["'](\d\d\.\d+)["']""")


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _solution_blocks(path: Path) -> list[str]:
    """Return the fenced Python blocks of the notebook's Solutions section that call exercises.check."""
    text = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "markdown")
    start = re.search(r"^## Solutions\b", text, re.M)
    if not start:
        return []
    end = re.search(r"^## (?!Solutions)", text[start.end():], re.M)
    section = text[start.end():start.end() + end.start()] if end else text[start.end():]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    return [block for block in blocks if CHECK_CALL.search(block)]


# --- the building blocks ----------------------------------------------------------------------------------

def test_numbers_right_wrong_hinted_and_broken():
    assert exercises.expect_number(4.0, 4.0).passed
    assert exercises.expect_number(np.float32(4.0000001), 4.0).passed
    assert exercises.expect_number(np.array([4.0]), 4.0).passed
    hinted = exercises.expect_number(3.0, 4.0, hints={3.0: "the bias is missing"})
    assert not hinted.passed and "bias" in hinted.message and "4" not in hinted.message
    assert "too large" in exercises.expect_number(9.0, 4.0).message
    for broken, words in [("4", "number"), (float("nan"), "NaN"), (True, "number"), ([4.0, 1.0], "number")]:
        verdict = exercises.expect_number(broken, 4.0)
        assert not verdict.passed and words in verdict.message
    assert "whole number" in exercises.expect_number(4.5, 5.0, integer=True).message


def test_shapes():
    assert exercises.expect_shape((32, 10, 8), (32, 10, 8)).passed
    assert exercises.expect_shape((5, 10, 8), (None, 10, 8)).passed
    assert "axis 1" in exercises.expect_shape((32, 8), (32, 10)).message
    assert "axes" in exercises.expect_shape((32,), (32, 10)).message
    assert "tuple" in exercises.expect_shape(np.zeros((3, 2)), (3, 2)).message
    assert "tuple" in exercises.expect_shape("32, 10", (32, 10)).message


def _inputs(seed: int) -> tuple[np.ndarray]:
    return (np.random.default_rng(seed).normal(size=(4, 3)),)


def test_functions_right_wrong_raising_and_unseeded():
    def reference(x):
        return np.tanh(x)

    assert exercises.expect_function(lambda x: np.tanh(x), reference, _inputs).passed
    wrong = exercises.expect_function(np.sin, reference, _inputs,
                                      hints=[(np.sin, "sine, not the hyperbolic tangent")])
    assert not wrong.passed and "sine" in wrong.message
    assert "differs" in exercises.expect_function(lambda x: x, reference, _inputs).message
    assert "shape" in exercises.expect_function(lambda x: x[0], reference, _inputs).message
    rng = np.random.default_rng()
    assert "unseeded" in exercises.expect_function(lambda x: x + rng.normal(), reference, _inputs).message
    assert "NaN" in exercises.expect_function(lambda x: x * np.nan, reference, _inputs).message
    with pytest.raises(exercises.ReaderCodeError, match="ZeroDivisionError"):
        exercises.expect_function(lambda x: 1 / 0, reference, _inputs)
    with pytest.raises(exercises.ReaderCodeError, match="pass the function itself"):
        exercises.expect_function(np.tanh(1.0), reference, _inputs)


def test_check_prints_one_line_and_handles_no_answer_and_reader_errors(capsys):
    @exercises.register("99.1")
    def _check(answer):
        return exercises.expect_function(answer, np.tanh, _inputs)

    try:
        assert exercises.check("99.1", ...) is False
        assert "no answer yet" in capsys.readouterr().out
        assert exercises.check("99.1", lambda x: 1 / 0) is False
        out = capsys.readouterr().out
        assert out.startswith("✗ 99.1") and "ZeroDivisionError" in out and "Traceback" not in out
        assert exercises.check("99.1", np.tanh) is True
        assert capsys.readouterr().out.startswith("✓ 99.1")
        with pytest.raises(KeyError, match="99.2"):
            exercises.check("99.2", 1)
        with pytest.raises(ValueError, match="two checks"):
            exercises.register("99.1")(_check)
    finally:
        exercises._CHECKS.pop("99.1")


# --- the notebooks' stubs and solutions ------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stubs_name_registered_checks_and_run_unanswered(path):
    number = path.name[:2]
    stubs = [_source(c) for c in _cells(path) if c["cell_type"] == "code" and CHECK_CALL.search(_source(c))]
    named = {i for stub in stubs for i in CHECK_CALL.findall(stub)}
    registered = {i for i in exercises.available() if i.startswith(number + ".")}
    assert named == registered, f"stub cells name {sorted(named)}, checks exist for {sorted(registered)}"
    assert len(registered) >= (2 if number == "01" else 3), "too few self-checking exercises"
    for stub in stubs:
        assert re.search(r"^answer = \.\.\.", stub, re.M), f"a stub must start unanswered: {stub[:80]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_check_accepts_the_worked_solution_printed_in_the_notebook(path, capsys):
    number = path.name[:2]
    passed: dict[str, bool] = {}
    real_check = exercises.check

    def recording_check(exercise, answer, **options):
        passed[exercise] = real_check(exercise, answer, **options)
        return passed[exercise]

    for block in _solution_blocks(path):
        namespace = {"np": np, "exercises": exercises}
        exercises.check = recording_check
        try:
            exec(compile(block, f"{path.name} solution", "exec"), namespace)  # noqa: S102 - our own notebooks
        finally:
            exercises.check = real_check
    registered = {i for i in exercises.available() if i.startswith(number + ".")}
    assert set(passed) == registered, f"solutions check {sorted(passed)}, checks are {sorted(registered)}"
    failed = [i for i, ok in passed.items() if not ok]
    assert not failed, f"the worked solutions of {failed} fail their checks:\n{capsys.readouterr().out}"
