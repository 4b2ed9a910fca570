"""How long training takes: a Keras callback that times every epoch; imported by notebooks 04-07, 10, 11.

    timer = timing.EpochTimer()
    model.fit(..., callbacks=[timer])
    timer.seconds, timer.cpu_seconds          # one entry per epoch (training and validation pass)

Wall-clock seconds say how long a reader waits; CPU seconds (the processor time this process used, summed over
its threads) change much less when other programs share the machine, so they compare models more fairly on a
busy CPU. The first epoch also traces and compiles the training step: report the median or the fastest epoch.
"""

from __future__ import annotations

import time

import keras


class EpochTimer(keras.callbacks.Callback):
    """Record every epoch's wall-clock seconds (`seconds`) and this process's CPU seconds (`cpu_seconds`).

    Both lists start empty at each `fit` (one timer can be reused) and grow by one entry per epoch.
    """

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []
        self._start = self._cpu_start = 0.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.seconds, self.cpu_seconds = [], []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start, self._cpu_start = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)
        self.cpu_seconds.append(time.process_time() - self._cpu_start)
