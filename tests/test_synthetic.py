"""Unit tests of utils/synthetic.py: shapes, dtypes, seeding, the tasks' invariants, and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

from utils import synthetic

# ------------------------------------------------------------------------------------------ adding problem


@pytest.mark.parametrize("n, length", [(1, 2), (5, 3), (64, 50), (7, 101)])
def test_adding_problem_shapes_and_dtypes(n, length):
    inputs, targets = synthetic.adding_problem(n, length, seed=0)
    assert inputs.shape == (n, length, 2) and inputs.dtype == np.float32
    assert targets.shape == (n,) and targets.dtype == np.float32


def test_adding_problem_markers_one_in_each_half():
    length = 51
    inputs, _ = synthetic.adding_problem(2000, length, seed=1)
    markers = inputs[..., 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert (markers.sum(axis=1) == 2).all()
    half = length // 2
    assert (markers[:, :half].sum(axis=1) == 1).all()
    assert (markers[:, half:].sum(axis=1) == 1).all()
    # every step of each half is used (uniform placement, not a fixed position)
    assert markers[:, :half].any(axis=0).all() and markers[:, half:].any(axis=0).all()


def test_adding_problem_targets_are_the_marked_sums():
    inputs, targets = synthetic.adding_problem(500, 20, seed=2)
    values, markers = inputs[..., 0], inputs[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    np.testing.assert_allclose(targets, (values * markers).sum(axis=1), rtol=1e-6)


def test_adding_problem_chance_level():
    _, targets = synthetic.adding_problem(20000, 10, seed=3)
    assert np.mean((targets - 1.0) ** 2) == pytest.approx(1 / 6, abs=0.01)


def test_adding_problem_is_seeded():
    a = synthetic.adding_problem(10, 30, seed=7)
    b = synthetic.adding_problem(10, 30, seed=7)
    c = synthetic.adding_problem(10, 30, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_adding_problem_leaves_global_numpy_state_alone():
    np.random.seed(0)
    expected = np.random.random(3)
    np.random.seed(0)
    synthetic.adding_problem(10, 30, seed=7)
    np.testing.assert_array_equal(np.random.random(3), expected)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"n": 0, "length": 10, "seed": 0}, ValueError, "n must be >= 1"),
    ({"n": -3, "length": 10, "seed": 0}, ValueError, "n must be >= 1"),
    ({"n": 5, "length": 1, "seed": 0}, ValueError, "length must be >= 2"),
    ({"n": 5, "length": 0, "seed": 0}, ValueError, "length must be >= 2"),
    ({"n": 5, "length": 10, "seed": -1}, ValueError, "seed must be >= 0"),
    ({"n": 2.5, "length": 10, "seed": 0}, TypeError, "n must be an int"),
    ({"n": 5, "length": "10", "seed": 0}, TypeError, "length must be an int"),
    ({"n": 5, "length": True, "seed": 0}, TypeError, "length must be an int"),
    ({"n": 5, "length": 10, "seed": None}, TypeError, "seed must be an int"),
])
def test_adding_problem_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        synthetic.adding_problem(**kwargs)


def test_adding_problem_accepts_numpy_integers():
    inputs, _ = synthetic.adding_problem(np.int64(3), np.int32(8), seed=np.int64(0))
    assert inputs.shape == (3, 8, 2)


# ------------------------------------------------------------------------------------------ copy task


def test_copy_task_example_layout():
    inputs, targets = synthetic.copy_task(1, n_symbols=8, n_copy=3, lag=5, seed=0)
    a, b, c = inputs[0, :3]
    delim = 9
    np.testing.assert_array_equal(inputs[0], [a, b, c, 0, delim, 0, 0, 0])
    np.testing.assert_array_equal(targets[0], [0, 0, 0, 0, 0, a, b, c])


@pytest.mark.parametrize("n, n_symbols, n_copy, lag", [(1, 1, 1, 2), (4, 8, 5, 10), (32, 10, 10, 100)])
def test_copy_task_shapes_dtypes_and_invariants(n, n_symbols, n_copy, lag):
    inputs, targets = synthetic.copy_task(n, n_symbols, n_copy, lag, seed=0)
    length = lag + n_copy
    assert inputs.shape == targets.shape == (n, length)
    assert inputs.dtype == targets.dtype == np.int32
    symbols = inputs[:, :n_copy]
    assert ((symbols >= 1) & (symbols <= n_symbols)).all()
    assert (inputs[:, lag - 1] == n_symbols + 1).all()  # the delimiter, once per sequence
    assert ((inputs == n_symbols + 1).sum(axis=1) == 1).all()
    others = np.delete(inputs, list(range(n_copy)) + [lag - 1], axis=1)
    assert (others == synthetic.BLANK).all()
    assert (targets[:, :lag] == synthetic.BLANK).all()
    np.testing.assert_array_equal(targets[:, -n_copy:], symbols)  # each symbol again, `lag` steps later
    for k in range(n_copy):
        np.testing.assert_array_equal(targets[:, k + lag], inputs[:, k])


def test_copy_task_uses_every_symbol():
    inputs, _ = synthetic.copy_task(500, n_symbols=8, n_copy=5, lag=10, seed=4)
    assert set(np.unique(inputs[:, :5])) == set(range(1, 9))


def test_copy_task_is_seeded():
    a = synthetic.copy_task(10, 8, 5, 20, seed=7)
    b = synthetic.copy_task(10, 8, 5, 20, seed=7)
    c = synthetic.copy_task(10, 8, 5, 20, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("kwargs, error, message", [
    ({"n": 0}, ValueError, "n must be >= 1"),
    ({"n_symbols": 0}, ValueError, "n_symbols must be >= 1"),
    ({"n_copy": 0}, ValueError, "n_copy must be >= 1"),
    ({"lag": 0}, ValueError, "lag must be >= 1"),
    ({"lag": 5}, ValueError, "lag must be > n_copy"),
    ({"lag": 3}, ValueError, "lag must be > n_copy"),
    ({"seed": -2}, ValueError, "seed must be >= 0"),
    ({"n_symbols": 8.0}, TypeError, "n_symbols must be an int"),
    ({"seed": None}, TypeError, "seed must be an int"),
])
def test_copy_task_rejects_bad_arguments(kwargs, error, message):
    arguments = {"n": 4, "n_symbols": 8, "n_copy": 5, "lag": 10, "seed": 0} | kwargs
    with pytest.raises(error, match=message):
        synthetic.copy_task(**arguments)
