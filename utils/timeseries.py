"""Windows, baselines and scaling for forecasting a regular time series (notebook 07 and later notebooks).

One index convention everywhere. A series has `n` rows, one per time step (row 0 oldest). A window that starts
at row `s` holds the rows `s .. s + input_length - 1`; its last row `e = s + input_length - 1` is "now", the
latest hour the forecast may use. With `horizon = h` the target is row `e + h` (one value per window), or with
`multi_step=True` the rows `e + 1 .. e + h` (one value per lead time). A target may be one series (time,) or
several (time, k), e.g. every weather variable for an autoregressive model. Windows start every `stride`
rows, `s = 0, stride, 2 * stride, ...`, as long as the last target row `e + h` is inside the series.

    make_windows(features, target, input_length=48, horizon=24, stride=3)   # tf.data.Dataset of (x, y)
    window_targets(target, 48, 24)                                          # the same y, as a NumPy array
    persistence(target, 48, 24), seasonal_persistence(target, 48, 24, period=24)   # aligned baselines

Everything returned is aligned with `window_starts`, so a model's `predict` on an unshuffled dataset, the
targets and the baselines can be compared element by element. Inputs must be gap-free (fill them first, e.g.
`utils.data.fill_gaps` on each split separately): a NaN is an error here, not something to train on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from utils.checks import check_int

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = ["fit_scaler", "make_windows", "persistence", "scale", "seasonal_persistence", "unscale",
           "window_starts", "window_targets"]


# ---------------------------------------------------------------------------------------------- checks


def _check_values(name: str, values: object, ndim: tuple[int, ...]) -> np.ndarray:
    """Return `values` as float32 after checking its number of dimensions and that it holds no NaN or inf."""
    array = np.asarray(values)
    if array.ndim not in ndim:
        wanted = " or ".join(f"{d}-D" for d in ndim)
        raise ValueError(f"{name} must be {wanted} with time on axis 0, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    array = array.astype(np.float32)
    bad = ~np.isfinite(array)
    if bad.any():
        rows = np.flatnonzero(bad.reshape(len(array), -1).any(axis=1))
        raise ValueError(
            f"{name} has {bad.sum()} NaN or infinite values (first at row {rows[0]}); fill the gaps of each "
            "split first, e.g. with utils.data.fill_gaps(part, 'interpolate')")
    return array


def _check_window(n_rows: int, input_length: int, horizon: int, stride: int) -> tuple[int, int, int]:
    """Return the checked (input_length, horizon, stride); raise if no window and target fit in n_rows."""
    input_length = check_int("input_length", input_length, 1)
    horizon = check_int("horizon", horizon, 1)
    stride = check_int("stride", stride, 1)
    if input_length + horizon > n_rows:
        raise ValueError(
            f"a window of input_length={input_length} plus horizon={horizon} needs "
            f"{input_length + horizon} rows, but the series has only {n_rows}")
    return input_length, horizon, stride


# --------------------------------------------------------------------------------------------- windows


def window_starts(n_rows: int, input_length: int, horizon: int, stride: int = 1) -> np.ndarray:
    """Return the first row `s` of every window, (windows,) int64: 0, stride, 2 * stride, ...

    The window's last input row is `s + input_length - 1` and its (last) target row `s + input_length - 1 +
    horizon`, which must be a row of the series; so there are
    `(n_rows - input_length - horizon) // stride + 1` windows.
    """
    n_rows = check_int("n_rows", n_rows, 1)
    input_length, horizon, stride = _check_window(n_rows, input_length, horizon, stride)
    return np.arange(0, n_rows - input_length - horizon + 1, stride, dtype=np.int64)


def _target_rows(n_rows: int, input_length: int, horizon: int, stride: int, multi_step: bool) -> np.ndarray:
    """Return the target row indices of every window: (windows,), or (windows, horizon) for multi_step."""
    last = window_starts(n_rows, input_length, horizon, stride) + input_length - 1  # (windows,) "now"
    if multi_step:
        return last[:, np.newaxis] + np.arange(1, horizon + 1)  # (windows, horizon)
    return last + horizon  # (windows,)


def window_targets(target: np.ndarray, input_length: int, horizon: int, *, stride: int = 1,
                   multi_step: bool = False) -> np.ndarray:
    """Return the targets of every window as float32: (windows,), or (windows, horizon) when multi_step.

    `target` is the series to forecast, (time,); a 2-D target (time, k) adds a last axis of size k. The
    window starting at row `s` gets `target[s + input_length - 1 + horizon]`, or with multi_step
    `target[s + input_length : s + input_length + horizon]` (lead times 1 .. horizon). These are the `y` of
    `make_windows`, in the unshuffled order.
    """
    target = _check_values("target", target, (1, 2))
    return target[_target_rows(len(target), input_length, horizon, stride, multi_step)]


def make_windows(features: np.ndarray, target: np.ndarray, input_length: int, horizon: int, *,
                 stride: int = 1, multi_step: bool = False, batch_size: int = 64, shuffle: bool = False,
                 seed: int | None = None) -> tf.data.Dataset:
    """Return a batched `tf.data.Dataset` of (inputs, targets) windows cut from one gap-free series.

    inputs: (batch, input_length, features) float32, the rows s .. s + input_length - 1 of `features`;
    targets: (batch,) float32 = target[s + input_length - 1 + horizon], or (batch, horizon) with multi_step
    (lead times 1 .. horizon). `features` is (time, features) or (time,); `target` is (time,), usually one
    column of `features`, or (time, k), which adds a last axis of size k to the targets. Windows start
    every `stride` rows (stride > 1 thins the overlapping training windows).

    Built on `keras.utils.timeseries_dataset_from_array`, then cached (windows are cut once), shuffled again
    at every epoch when `shuffle=True` (pass `seed` for a repeatable order), batched and prefetched.
    Unshuffled, the windows come in the order of `window_starts`, aligned with `window_targets` and the
    baselines.
    """
    import keras
    import tensorflow as tf

    features = _check_values("features", features, (1, 2))
    target = _check_values("target", target, (1, 2))
    if len(features) != len(target):
        raise ValueError(f"features has {len(features)} rows but target has {len(target)}; they must match")
    if features.ndim == 1:
        features = features[:, np.newaxis]  # (time, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    input_length, horizon, stride = _check_window(len(features), input_length, horizon, stride)
    if seed is not None:
        seed = check_int("seed", seed, 0)

    # Keras pairs window i (starting at row i) with targets[i], so give it one target per possible start.
    every_start = window_targets(target, input_length, horizon, stride=1, multi_step=multi_step)
    n_windows = len(window_starts(len(features), input_length, horizon, stride))
    dataset = keras.utils.timeseries_dataset_from_array(
        features[:len(every_start) + input_length - 1], every_start, sequence_length=input_length,
        sequence_stride=stride, batch_size=None)  # unbatched windows, in time order
    # Keras leaves the window length unknown, (None, features): state it, so that shapes stay static in graphs
    shapes = ((input_length, features.shape[1]), every_start.shape[1:])
    dataset = dataset.map(lambda x, y: (tf.ensure_shape(x, shapes[0]), tf.ensure_shape(y, shapes[1])))
    dataset = dataset.cache()
    if shuffle:
        dataset = dataset.shuffle(n_windows, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


# -------------------------------------------------------------------------------------------- baselines


def persistence(target: np.ndarray, input_length: int, horizon: int, *, stride: int = 1,
                multi_step: bool = False) -> np.ndarray:
    """Return the persistence forecast of every window, float32 (windows,) or (windows, horizon).

    "The future equals now": the last input value `target[s + input_length - 1]`, repeated for every lead
    time with multi_step. Aligned with `window_targets` for the same arguments.
    """
    target = _check_values("target", target, (1, 2))
    rows = _target_rows(len(target), input_length, horizon, stride, multi_step)
    last = window_starts(len(target), input_length, horizon, stride) + input_length - 1  # (windows,)
    return target[np.broadcast_to(last.reshape(-1, *([1] * (rows.ndim - 1))), rows.shape)]


def seasonal_persistence(target: np.ndarray, input_length: int, horizon: int, period: int, *,
                         stride: int = 1, multi_step: bool = False) -> np.ndarray:
    """Return the seasonal persistence forecast of every window, float32 (windows,) or (windows, horizon).

    "Same phase, last period": the forecast for lead time k is the latest input value one or more whole
    periods earlier, `target[e + k - period * ceil(k / period)]` with `e` the window's last row. For hourly
    data and period=24 that is "the same hour yesterday" (for k <= 24). The window must hold a whole
    period (input_length >= period), so the forecast uses only the window's own inputs.
    """
    target = _check_values("target", target, (1, 2))
    rows = _target_rows(len(target), input_length, horizon, stride, multi_step)  # (windows[, horizon])
    period = check_int("period", period, 1)
    if period > input_length:
        raise ValueError(f"period={period} is longer than input_length={input_length}: the window must hold "
                         "at least one whole period")
    last = window_starts(len(target), input_length, horizon, stride) + input_length - 1
    lead = rows - last.reshape(-1, *([1] * (rows.ndim - 1)))  # (windows[, horizon]) lead times 1 .. horizon
    return target[rows - period * np.ceil(lead / period).astype(np.int64)]


# ---------------------------------------------------------------------------------------------- scaling


def fit_scaler(train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (mean, std), each float32 (features,), of the columns of the training part (time, features).

    Fit on the training period only and apply the same numbers to validation and test: statistics of the
    later periods would leak the future into the inputs. A constant column gets std 1 (it is only shifted).
    """
    train = _check_values("train", train, (2,))
    mean = train.mean(axis=0)  # (features,)
    std = train.std(axis=0)  # (features,)
    return mean, np.where(std > 0, std, np.float32(1.0)).astype(np.float32)


def scale(values: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Return (values - mean) / std as float32; values (time, features) or anything broadcasting with mean."""
    return ((np.asarray(values, dtype=np.float32) - mean) / std).astype(np.float32)


def unscale(values: np.ndarray, mean: np.ndarray | float, std: np.ndarray | float) -> np.ndarray:
    """Return values * std + mean as float32: scaled numbers (predictions, say) back in the series' units."""
    return (np.asarray(values, dtype=np.float32) * std + mean).astype(np.float32)
