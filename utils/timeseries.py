"""Windows, baselines, scaling and prepared data sets for forecasting; imported by notebooks 01, 02, 04, 07
and 10.

One index convention everywhere. A series has `n` rows, one per time step (row 0 oldest). A window that starts
at row `s` holds the rows `s .. s + input_length - 1`; its last row `e = s + input_length - 1` is "now", the
latest hour the forecast may use. With `horizon = h` the target is row `e + h` (one value per window), or with
`multi_step=True` the rows `e + 1 .. e + h` (one value per lead time). A target may be one series (time,) or
several (time, k), e.g. every weather variable for an autoregressive model. Windows start every `stride`
rows, `s = 0, stride, 2 * stride, ...`, as long as the last target row `e + h` is inside the series.

    make_windows(features, target, input_length=48, horizon=24, stride=3)   # tf.data.Dataset of (x, y)
    window_targets(target, 48, 24)                                          # the same y, as a NumPy array
    persistence(target, 48, 24), seasonal_persistence(target, 48, 24, period=24)   # aligned baselines

Two prepared data sets, so that every notebook that uses them prepares them the same way:

    split_windows(sunspots, "sunspots", window=12)     # notebooks 01, 02, 04: next-value windows per split
    prepare_weather(data.load_nyc_weather())           # notebooks 07, 10: JFK weather, gaps filled, scaled

Everything returned is aligned with `window_starts`, so a model's `predict` on an unshuffled dataset, the
targets and the baselines can be compared element by element. Inputs must be gap-free (fill them first, e.g.
`utils.data.fill_gaps` on each split separately): a NaN is an error here, not something to train on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from utils.checks import check_int
from utils.data import fill_gaps, split_by_time

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = ["WEATHER_FEATURES", "fit_scaler", "make_windows", "next_value_windows", "persistence",
           "prepare_weather", "scale", "seasonal_persistence", "split_windows", "unscale", "window_starts",
           "window_targets"]


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


# ------------------------------------------------------------------------------------ prepared data sets


def next_value_windows(values: np.ndarray, window: int, *,
                       every_step: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return (inputs (n, window, 1), targets) float32 cut from a 1-D series, n = len(values) - window.

    The target of a window is the value right after it, (n,); with `every_step=True` it is the value after
    each of its steps, (n, window, 1): the inputs shifted by one, a target at every step.
    """
    values = _check_values("values", values, (1,))
    window = check_int("window", window, 1)
    if window >= len(values):
        raise ValueError(f"window={window} needs a series of at least {window + 1} values, got {len(values)}")
    inputs = np.lib.stride_tricks.sliding_window_view(values[:-1], window)[..., np.newaxis]
    if every_step:
        return inputs, np.lib.stride_tricks.sliding_window_view(values[1:], window)[..., np.newaxis]
    return inputs, values[window:]


class SplitWindows(NamedTuple):
    """Next-value windows of a standardised series, split by time; see `split_windows`."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    mean: float
    std: float


def split_windows(frame: pd.DataFrame, column: str, window: int, *, val_frac: float = 0.15,
                  test_frac: float = 0.15, every_step: bool = False) -> SplitWindows:
    """Return the next-value windows of `frame[column]`, split by time and standardised with training numbers.

    The split is `data.split_by_time(frame, val_frac, test_frac)`; mean and std (pandas' sample std) come from
    the training rows only. Validation and test windows start `window` rows before their part, so that every
    validation and test row gets a prediction: len(y_val) == len(val part), len(y_test) == len(test part).
    """
    train, val, _ = split_by_time(frame, val_frac=val_frac, test_frac=test_frac)
    mean, std = float(train[column].mean()), float(train[column].std())
    z = ((frame[column] - mean) / std).to_numpy()  # (time,) float64, cast to float32 per window
    borders = (0, len(train), len(train) + len(val), len(frame))
    arrays = []
    for part, (begin, end) in enumerate(zip(borders[:-1], borders[1:], strict=True)):
        context = 0 if part == 0 else window  # the rows before the part that its first windows read
        arrays += next_value_windows(z[begin - context:end], window, every_step=every_step)
    return SplitWindows(*arrays, mean=mean, std=std)


WEATHER_FEATURES = ["temp", "dewp", "humid", "wind_x", "wind_y", "precip", "pressure", "visib",  # measured
                    "hour_sin", "hour_cos", "gap"]  # known in advance, and "a value of this hour was filled"


def prepare_weather(weather: pd.DataFrame, val_frac: float = 1 / 6, test_frac: float = 1 / 6
                    ) -> tuple[dict[str, dict[str, np.ndarray]], np.ndarray, np.ndarray]:
    """Return (splits, mean, std): the JFK weather of `data.load_nyc_weather()` as notebook 07 prepares it.

    Notebook 07 builds the same thing step by step and checks that it equals this. The steps: a one-hour
    glitch (a jump of over 20 °F and straight back) becomes a gap in temp, dewp and humid; wind_gust goes;
    wind becomes a vector (wind_x, wind_y); the hour of day a point on a circle; split by time; inside each
    split, the gaps are filled by straight lines and flagged in `gap`; scaled with the training months' mean
    and std. splits["train" | "val" | "test"] holds "raw" (time, 11) float32 in WEATHER_FEATURES order (temp
    first), "x" (the same, standardised), "measured" (time,) bool (was temp measured?) and "time".
    """
    frame = weather.drop(columns="wind_gust")
    jump = frame.temp.diff()
    back = jump.shift(-1)
    frame.loc[(jump.abs() > 20) & (back.abs() > 20) & (np.sign(jump) != np.sign(back)),
              ["temp", "dewp", "humid"]] = np.nan
    angle, speed = np.deg2rad(frame.pop("wind_dir")), frame.pop("wind_speed")
    hour = 2 * np.pi * frame.time.dt.hour / 24
    frame = frame.assign(wind_x=speed * np.sin(angle), wind_y=speed * np.cos(angle),
                         hour_sin=np.sin(hour), hour_cos=np.cos(hour))
    measured_columns = WEATHER_FEATURES[:8]
    splits = {}
    for name, part in zip(("train", "val", "test"), split_by_time(frame, val_frac, test_frac), strict=True):
        flagged = fill_gaps(part, "interpolate").assign(gap=part[measured_columns].isna().any(axis=1))
        splits[name] = {"raw": flagged[WEATHER_FEATURES].to_numpy("float32"),
                        "measured": part.temp.notna().to_numpy(), "time": part.time.to_numpy()}
    mean, std = fit_scaler(splits["train"]["raw"])
    for part in splits.values():
        part["x"] = scale(part["raw"], mean, std)
    return splits, mean, std

