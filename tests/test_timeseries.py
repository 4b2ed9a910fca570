"""Unit tests of utils/timeseries.py: windows checked by index, baselines, scaling, and bad inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from utils import data
from utils import timeseries as ts

N = 50


def _series(n: int = N) -> tuple[np.ndarray, np.ndarray]:
    """Return features (n, 3) whose values name their row (row r: r, 100 + r, -r) and target (n,) = r."""
    rows = np.arange(n, dtype=np.float32)
    return np.stack([rows, 100 + rows, -rows], axis=1), rows


def _collect(dataset) -> tuple[np.ndarray, np.ndarray]:
    """Return all (inputs, targets) of a batched dataset, concatenated in the order it yields them."""
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in dataset], strict=True)
    return np.concatenate(xs), np.concatenate(ys)


# -------------------------------------------------------------------------------------------------- windows


@pytest.mark.parametrize("n, length, horizon, stride", [(50, 5, 3, 1), (50, 5, 3, 2), (50, 10, 1, 7),
                                                        (8, 5, 3, 1), (50, 1, 1, 1),
                                                        (50, 46, 4, 5)])
def test_window_starts_count_and_last_target_inside(n, length, horizon, stride):
    starts = ts.window_starts(n, length, horizon, stride)
    assert len(starts) == (n - length - horizon) // stride + 1
    assert starts[0] == 0 and (np.diff(starts) == stride).all()
    assert starts[-1] + length - 1 + horizon <= n - 1  # the last target is a row of the series
    assert starts[-1] + stride + length - 1 + horizon > n - 1  # and one more window would not fit


@pytest.mark.parametrize("stride", [1, 3])
def test_one_window_matches_the_raw_series_by_index(stride):
    features, target = _series()
    length, horizon = 6, 4
    x, y = _collect(ts.make_windows(features, target, length, horizon, stride=stride, batch_size=5))
    starts = ts.window_starts(N, length, horizon, stride)
    assert x.shape == (len(starts), length, 3) and y.shape == (len(starts),)
    assert x.dtype == np.float32 and y.dtype == np.float32
    k = 2
    s = starts[k]
    np.testing.assert_array_equal(x[k], features[s:s + length])
    assert y[k] == target[s + length - 1 + horizon]
    # every window, not just one: inputs start at s, the target is horizon rows after the last input
    np.testing.assert_array_equal(x[:, 0, 0], starts)
    np.testing.assert_array_equal(y, starts + length - 1 + horizon)
    np.testing.assert_array_equal(y, ts.window_targets(target, length, horizon, stride=stride))


def test_multi_step_targets_are_the_next_horizon_rows():
    features, target = _series()
    length, horizon = 5, 4
    x, y = _collect(ts.make_windows(features, target, length, horizon, stride=2, multi_step=True))
    assert y.shape == (len(x), horizon)
    for k in (0, 7, len(x) - 1):
        last = int(x[k, -1, 0])
        np.testing.assert_array_equal(y[k], target[last + 1:last + 1 + horizon])
    assert y[-1, -1] <= N - 1
    np.testing.assert_array_equal(y, ts.window_targets(target, length, horizon, stride=2, multi_step=True))


def test_several_targets_add_a_last_axis():
    features, target = _series()
    x, y = _collect(ts.make_windows(features, features[:, :2], 5, 1))
    assert y.shape == (len(x), 2)
    np.testing.assert_array_equal(y, features[5:, :2])
    x, y = _collect(ts.make_windows(features, features[:, :2], 5, 3, stride=4, multi_step=True))
    assert y.shape == (len(x), 3, 2)
    np.testing.assert_array_equal(y[1], features[9:12, :2])
    persist = ts.persistence(features[:, :2], 5, 3, stride=4, multi_step=True)
    assert persist.shape == (len(x), 3, 2)
    np.testing.assert_array_equal(persist[1], np.repeat(features[8:9, :2], 3, axis=0))


def test_one_feature_series_and_other_target():
    features, target = _series()
    x, y = _collect(ts.make_windows(features[:, 1], target * 2, 3, 2))
    assert x.shape == (N - 4, 3, 1)
    np.testing.assert_array_equal(x[0, :, 0], [100, 101, 102])
    assert y[0] == 2 * 4


def test_shuffle_keeps_the_windows_and_is_seeded():
    features, target = _series()
    plain = _collect(ts.make_windows(features, target, 5, 3, batch_size=8))
    first = _collect(ts.make_windows(features, target, 5, 3, batch_size=8, shuffle=True, seed=1))
    again = _collect(ts.make_windows(features, target, 5, 3, batch_size=8, shuffle=True, seed=1))
    assert not np.array_equal(first[1], plain[1])  # the order changed
    np.testing.assert_array_equal(np.sort(first[1]), plain[1])  # but not the set of windows
    np.testing.assert_array_equal(first[0][:, 0, 0] + 4 + 3, first[1])  # inputs stay paired with targets
    np.testing.assert_array_equal(first[1], again[1])  # same seed, same order


def test_shuffle_changes_the_order_between_epochs():
    features, target = _series()
    dataset = ts.make_windows(features, target, 5, 3, batch_size=64, shuffle=True, seed=3)
    epoch1, epoch2 = (_collect(dataset)[1] for _ in range(2))
    assert not np.array_equal(epoch1, epoch2)
    np.testing.assert_array_equal(np.sort(epoch1), np.sort(epoch2))


# ------------------------------------------------------------------------------------------------ baselines


def test_persistence_is_the_last_input_value():
    _, target = _series()
    length, horizon = 6, 4
    last = ts.window_starts(N, length, horizon, 2) + length - 1
    np.testing.assert_array_equal(ts.persistence(target, length, horizon, stride=2), target[last])
    multi = ts.persistence(target, length, horizon, stride=2, multi_step=True)
    assert multi.shape == (len(last), horizon)
    np.testing.assert_array_equal(multi, np.repeat(target[last][:, None], horizon, axis=1))


def test_seasonal_persistence_is_the_same_phase_one_period_back():
    _, target = _series()
    length, horizon, period = 6, 7, 3
    multi = ts.seasonal_persistence(target, length, horizon, period, multi_step=True)
    last = ts.window_starts(N, length, horizon) + length - 1
    # lead 1..7 with period 3: e-2, e-1, e, e-2, e-1, e, e-2 (the latest value at the same phase)
    expected = last[:, None] + np.array([-2, -1, 0, -2, -1, 0, -2])
    np.testing.assert_array_equal(multi, target[expected])
    single = ts.seasonal_persistence(target, length, horizon, period)
    np.testing.assert_array_equal(single, multi[:, -1])
    assert (expected <= last[:, None]).all() and (expected >= last[:, None] - length + 1).all()


def test_at_a_horizon_of_one_period_seasonal_persistence_is_persistence():
    _, target = _series()
    np.testing.assert_array_equal(ts.seasonal_persistence(target, 24, 24, 24),
                                  ts.persistence(target, 24, 24))


def test_baselines_and_targets_are_aligned_on_a_daily_cycle():
    hours = np.arange(24 * 10)
    target = np.sin(2 * np.pi * hours / 24)  # a perfect daily cycle: seasonal persistence is exact
    truth = ts.window_targets(target, 24, 24, multi_step=True)
    seasonal = ts.seasonal_persistence(target, 24, 24, 24, multi_step=True)
    np.testing.assert_allclose(seasonal, truth, atol=1e-5)
    assert np.abs(ts.persistence(target, 24, 24, multi_step=True) - truth).mean() > 0.5


# -------------------------------------------------------------------------------------------------- scaling


def test_scaler_uses_the_training_rows_only():
    rng = np.random.default_rng(0)
    train = rng.normal(5, 2, size=(500, 3)).astype(np.float32)
    train[:, 2] = 7.0  # a constant column
    later = rng.normal(50, 20, size=(100, 3)).astype(np.float32)
    mean, std = ts.fit_scaler(train)
    assert mean.shape == std.shape == (3,) and mean.dtype == np.float32
    np.testing.assert_allclose(mean, train.mean(axis=0), rtol=1e-5)
    assert std[2] == 1.0  # constant column: shifted, not divided by zero
    scaled = ts.scale(train, mean, std)
    np.testing.assert_allclose(scaled[:, :2].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(scaled[:, :2].std(axis=0), 1, atol=1e-5)
    assert ts.scale(later, mean, std)[:, 0].mean() > 10  # later data is not re-centred
    np.testing.assert_allclose(ts.unscale(ts.scale(later, mean, std), mean, std), later, rtol=1e-5)
    np.testing.assert_allclose(ts.unscale(scaled[:, 0], mean[0], std[0]), train[:, 0], rtol=1e-5)


# ---------------------------------------------------------------------------------------------- bad inputs


def test_nan_in_features_or_target_is_an_error():
    features, target = _series()
    features[12, 1] = np.nan
    with pytest.raises(ValueError, match="NaN.*row 12.*fill"):
        ts.make_windows(features, target, 5, 3)
    _, target = _series()
    target[30] = np.inf
    for call in (lambda: ts.window_targets(target, 5, 3), lambda: ts.persistence(target, 5, 3),
                 lambda: ts.seasonal_persistence(target, 5, 3, 2)):
        with pytest.raises(ValueError, match="row 30"):
            call()
    with pytest.raises(ValueError, match="NaN"):
        ts.fit_scaler(np.array([[1.0], [np.nan]]))


@pytest.mark.parametrize("length, horizon", [(48, 3), (47, 4), (50, 1), (1, 50)])
def test_window_longer_than_the_series_is_an_error(length, horizon):
    features, target = _series()
    with pytest.raises(ValueError, match=f"needs {length + horizon} rows.*only {N}"):
        ts.make_windows(features, target, length, horizon)
    with pytest.raises(ValueError, match="only"):
        ts.window_starts(N, length, horizon)


@pytest.mark.parametrize("name, kwargs, error", [
    ("horizon", {"horizon": 0}, ValueError), ("horizon", {"horizon": -1}, ValueError),
    ("horizon", {"horizon": 2.0}, TypeError), ("horizon", {"horizon": True}, TypeError),
    ("input_length", {"input_length": 0}, ValueError), ("stride", {"stride": 0}, ValueError),
    ("batch_size", {"batch_size": 0}, ValueError), ("seed", {"seed": -1}, ValueError),
])
def test_bad_window_arguments(name, kwargs, error):
    features, target = _series()
    args = {"input_length": 5, "horizon": 3, **kwargs}
    with pytest.raises(error, match=name):
        ts.make_windows(features, target, **args)


def test_bad_shapes_and_types():
    features, target = _series()
    with pytest.raises(ValueError, match="features has 50 rows but target has 49"):
        ts.make_windows(features, target[:-1], 5, 3)
    with pytest.raises(ValueError, match="target must be 1-D or 2-D"):
        ts.make_windows(features, features[:, :, None], 5, 3)
    with pytest.raises(ValueError, match="features must be 1-D or 2-D"):
        ts.make_windows(features[:, :, None], target, 5, 3)
    with pytest.raises(TypeError, match="real numbers"):
        ts.window_targets(np.array(["a", "b", "c"]), 1, 1)
    with pytest.raises(ValueError, match="train must be 2-D"):
        ts.fit_scaler(target)


def test_seasonal_period_longer_than_the_window_is_an_error():
    _, target = _series()
    with pytest.raises(ValueError, match="period=24 is longer than input_length=12"):
        ts.seasonal_persistence(target, 12, 3, 24)
    with pytest.raises(ValueError, match="period must be >= 1"):
        ts.seasonal_persistence(target, 12, 3, 0)


def test_dataset_shapes_are_static():
    features, target = _series()
    spec = ts.make_windows(features, target, 6, 2).element_spec
    assert tuple(spec[0].shape) == (None, 6, 3) and tuple(spec[1].shape) == (None,)
    spec = ts.make_windows(features, features[:, :2], 6, 4, multi_step=True).element_spec
    assert tuple(spec[0].shape) == (None, 6, 3) and tuple(spec[1].shape) == (None, 4, 2)


# --- prepared data sets -------------------------------------------------------------------------------------


def test_next_value_windows_pairs_each_window_with_the_next_value():
    inputs, targets = ts.next_value_windows(np.arange(6.0), 3)
    assert inputs.shape == (3, 3, 1) and inputs.dtype == np.float32
    np.testing.assert_array_equal(inputs[:, :, 0], [[0, 1, 2], [1, 2, 3], [2, 3, 4]])
    np.testing.assert_array_equal(targets, [3, 4, 5])
    _, every = ts.next_value_windows(np.arange(6.0), 3, every_step=True)
    np.testing.assert_array_equal(every[:, :, 0], [[1, 2, 3], [2, 3, 4], [3, 4, 5]])


@pytest.mark.parametrize("values, window, error, message", [
    (np.arange(3.0), 3, ValueError, "at least 4 values"),
    (np.arange(6.0).reshape(3, 2), 1, ValueError, "1-D"),
    (np.array([1.0, np.nan, 2.0, 3.0]), 1, ValueError, "NaN"),
    (np.arange(6.0), 0, ValueError, "window"),
])
def test_next_value_windows_rejects_bad_input(values, window, error, message):
    with pytest.raises(error, match=message):
        ts.next_value_windows(values, window)


def test_split_windows_gives_every_validation_and_test_row_a_prediction():
    frame = pd.DataFrame({"t": np.arange(40), "v": np.arange(40.0) ** 1.5})
    w = ts.split_windows(frame, "v", 4, val_frac=0.25, test_frac=0.25)
    train, val, test = data.split_by_time(frame, val_frac=0.25, test_frac=0.25)
    assert (w.mean, w.std) == (train.v.mean(), train.v.std())
    assert len(w.y_train) == len(train) - 4 and len(w.y_val) == len(val) and len(w.y_test) == len(test)
    np.testing.assert_allclose(w.y_val * w.std + w.mean, val.v, rtol=1e-5)
    np.testing.assert_allclose(w.x_test[0, :, 0] * w.std + w.mean, val.v.iloc[-4:], rtol=1e-5)


def test_prepare_weather_fills_flags_and_scales_each_split():
    splits, mean, std = ts.prepare_weather(data.load_nyc_weather())
    assert list(splits) == ["train", "val", "test"]
    for part in splits.values():
        assert part["raw"].shape[1] == len(ts.WEATHER_FEATURES) and not np.isnan(part["raw"]).any()
        np.testing.assert_allclose(part["x"], (part["raw"] - mean) / std, rtol=1e-5, atol=1e-5)
        assert len(part["measured"]) == len(part["raw"]) == len(part["time"])
    np.testing.assert_allclose(splits["train"]["x"].mean(axis=0), 0, atol=1e-4)
    assert int(splits["train"]["raw"][:, -1].sum()) == 646  # hours with a filled value (notebook 07)
    assert int((~splits["train"]["measured"]).sum()) == 11  # the glitch hour is a gap now
