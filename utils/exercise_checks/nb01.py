"""The checks of notebook 01's exercises (see utils/exercises.py).

01.1 the shapes a stacked SimpleRNN returns, 01.2 weights that make a linear SimpleRNN keep the running sum
exactly, 01.3 the states that SimpleRNN(go_backwards=True, return_sequences=True) returns.
"""

from __future__ import annotations

import numbers

import numpy as np

from utils.exercises import ReaderCodeError, Verdict, expect_function, expect_shape, register

# --- 01.1: Input((12, 1)) -> SimpleRNN(16, return_sequences=True) -> SimpleRNN(8, return_sequences=True,
#           return_state=True), on a batch of 32 sunspot windows: the second layer's two outputs -------------

BATCH, STEPS, FEATURES, UNITS_1, UNITS_2 = 32, 12, 1, 16, 8

_SEQUENCE_HINTS = {
    (BATCH, STEPS, UNITS_1): "that is the first layer's width: a layer's outputs have its own number of "
    "units",
    (BATCH, UNITS_2): "with return_sequences=True a layer returns one state per time step",
    (BATCH, STEPS, FEATURES): "the last axis of a recurrent layer's outputs counts its units, not the input "
    "features",
    (STEPS, BATCH, UNITS_2): "Keras puts the batch axis first: (batch, time, units)",
}
_STATE_HINTS = {
    (BATCH, STEPS, UNITS_2): "the final state is one state per sequence, not one per step",
    (BATCH, UNITS_1): "that is the first layer's width; return_state belongs to the second layer",
    (UNITS_2,): "every sequence of the batch has its own final state",
    (BATCH, FEATURES): "the state has one number per unit of the layer",
}


def _as_shape(shape: object) -> object:
    """Return a TensorShape or an array's shape as a tuple; anything else unchanged."""
    if hasattr(shape, "as_list"):
        return tuple(shape.as_list())
    return shape


def _one_shape(answer: object, expected: tuple[int, ...], hints: dict[tuple, str], what: str) -> Verdict:
    """Return the verdict on one of the two shapes, with a hint for the typical wrong ones."""
    answer = _as_shape(answer)
    key = tuple(answer) if isinstance(answer, (tuple, list)) else None
    if key is not None and all(isinstance(a, numbers.Integral) for a in key) and key in hints:
        return Verdict(False, f"{what}: not quite: {hints[key]}")
    if isinstance(answer, (tuple, list)) and answer and answer[0] is None:
        return Verdict(False, f"{what}: the batch axis is known here (a batch of {BATCH} windows), not None")
    verdict = expect_shape(answer, expected)
    return verdict if verdict.passed else Verdict(False, f"{what}: {verdict.message}")


@register("01.1")
def check_stacked_shapes(answer: object) -> Verdict:
    """Check exercise 01.1: (sequence shape, final-state shape) of the second layer of a SimpleRNN stack."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 2 or isinstance(answer[0], numbers.Number):
        return Verdict(False, "give two shapes, (shape of the sequence output, shape of the final state), "
                       "e.g. ((4, 6, 5), (4, 5))")
    for shape, expected, hints, what in [
            (answer[0], (BATCH, STEPS, UNITS_2), _SEQUENCE_HINTS, "the sequence output"),
            (answer[1], (BATCH, UNITS_2), _STATE_HINTS, "the final state")]:
        verdict = _one_shape(shape, expected, hints, what)
        if not verdict.passed:
            return verdict
    return Verdict(True, "right: both shapes")


# --- 01.2: weights (W_x, W_h, b, W_y, b_y) of SimpleRNN(1, activation=None) + Dense(1) that output the
#           running sum exactly -----------------------------------------------------------------------------

def _linear_rnn(weights: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    """Return the outputs (batch, time) of a one-unit linear RNN and its dense read-out on x (batch, time)."""
    W_x, W_h, b, W_y, b_y = weights
    h = np.zeros(len(x))
    outputs = []
    for t in range(x.shape[1]):
        h = W_x * x[:, t] + W_h * h + b               # activation=None: no tanh
        outputs.append(W_y * h + b_y)
    return np.stack(outputs, axis=1)


def _five_numbers(answer: object) -> tuple[float, ...]:
    """Return the answer as five floats; raise ReaderCodeError with what is wrong with it."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 5:
        raise ReaderCodeError("give five numbers, (W_x, W_h, b, W_y, b_y), in the order of the weights of "
                              "SimpleRNN(1) and Dense(1)")
    values = []
    for name, value in zip(("W_x", "W_h", "b", "W_y", "b_y"), answer, strict=True):
        array = np.asarray(value, dtype="object")
        if array.size != 1 or isinstance(array.item(), bool) or not isinstance(array.item(), numbers.Real):
            got = f"an array of shape {array.shape}" if array.size != 1 else f"{value!r:.40}"
            raise ReaderCodeError(f"{name} should be one number (the layer has one unit), got {got}")
        values.append(float(array.item()))
    if not np.all(np.isfinite(values)):
        raise ReaderCodeError("one of your weights is NaN or infinite")
    return tuple(values)


def _diagnose(W_x: float, W_h: float, b: float, W_y: float, b_y: float) -> str:
    """Return what a wrong set of weights does, in words (never the right weights)."""
    if W_x * W_y == 0:
        return "the outputs never see the inputs: the path x_t -> h_t -> y_t has a zero weight on it"
    if W_h == 0:
        return "the state forgets everything at every step, so each output sees only its own input"
    if W_h != 1 and abs(W_h) < 1:
        return "the state leaks: each step keeps only part of the old state, so early inputs fade away"
    if W_h != 1:
        return "each step scales the old state up (or flips its sign), so early inputs count too much"
    if b != 0:
        return "the error grows by the same amount at every step: something besides x_t is added each step"
    if b_y != 0:
        return "every output is off by the same constant"
    return "the outputs are a multiple of the running sum: look at the scale along the path x_t -> y_t"


@register("01.2")
def check_running_sum_weights(answer: object) -> Verdict:
    """Check exercise 01.2: weights of a linear one-unit SimpleRNN + Dense(1) that output the running sum."""
    weights = _five_numbers(answer)
    x = np.random.default_rng(12).uniform(-1, 1, size=(8, 40))            # (batch, time), 40 steps
    if np.allclose(_linear_rnn(weights, x), np.cumsum(x, axis=1), rtol=1e-6, atol=1e-9):
        return Verdict(True, "right: the running sum, exactly, at every one of 40 steps")
    return Verdict(False, "not the running sum: " + _diagnose(*weights))


# --- 01.3: the states of SimpleRNN(units, return_sequences=True, go_backwards=True), in Keras's order -------

def _forward(x: np.ndarray, W_x: np.ndarray, W_h: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the states (batch, time, units) of the simple RNN of notebook 01 read from the first step."""
    h = np.zeros((len(x), len(W_h)))
    states = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_x.T + h @ W_h.T + b)
        states.append(h)
    return np.stack(states, axis=1)


def _backwards(x: np.ndarray, W_x: np.ndarray, W_h: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return what SimpleRNN(go_backwards=True, return_sequences=True) returns (tested against Keras)."""
    return _forward(x[:, ::-1], W_x, W_h, b)


def _rnn_inputs(seed: int) -> tuple[np.ndarray, ...]:
    """Return (x (batch, time, features), W_x (units, features), W_h (units, units), b (units,))."""
    rng = np.random.default_rng(100 + seed)
    batch, steps, features, units = 3, 5 + seed, 2, 4
    return (rng.normal(size=(batch, steps, features)), rng.normal(scale=0.5, size=(units, features)),
            rng.normal(scale=0.4, size=(units, units)), rng.normal(scale=0.1, size=units))


_BACKWARDS_HINTS = [
    (_forward, "your function reads the sequence from its first step, as go_backwards=False does"),
    (lambda *args: _backwards(*args)[:, ::-1], "your states are in the input's time order: check the order "
     "in which Keras returns them (try a sequence whose only non-zero input is at its first step)"),
]


@register("01.3")
def check_go_backwards(answer: object) -> Verdict:
    """Check exercise 01.3: the reader's function returns what SimpleRNN(go_backwards=True) returns."""
    return expect_function(answer, _backwards, _rnn_inputs, trials=3, rtol=1e-5, atol=1e-5,
                           hints=_BACKWARDS_HINTS)
