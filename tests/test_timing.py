"""utils/timing.py: the epoch timer records one wall-clock and one CPU time per epoch, afresh at every fit."""

from __future__ import annotations

import time

import keras
import numpy as np

from utils.timing import EpochTimer


class Sleep(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        time.sleep(0.05)  # wall-clock time that uses no CPU


def test_epoch_timer_records_each_epoch_and_restarts_at_each_fit():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((8, 2), "float32"), np.zeros((8,), "float32")
    timer = EpochTimer()
    assert timer.seconds == [] and timer.cpu_seconds == []
    model.fit(x, y, epochs=3, verbose=0, callbacks=[Sleep(), timer])  # Sleep runs before the timer's end
    assert len(timer.seconds) == len(timer.cpu_seconds) == 3
    assert all(s >= 0.05 for s in timer.seconds)
    assert all(0 <= c for c in timer.cpu_seconds)
    assert sum(timer.cpu_seconds) < sum(timer.seconds) + 1.0  # sleeping costs no CPU time
    model.fit(x, y, epochs=2, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 2
