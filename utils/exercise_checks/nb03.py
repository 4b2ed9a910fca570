"""The checks of notebook 03's exercises (see utils/exercises.py).

03.1 the test MSE of an adding-problem model that remembers only the second marked number, 03.2 the
forget-gate bias that gives a memory half-life of 50 steps, 03.3 the backward pass of one LSTM step (checked
against tf.GradientTape).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from utils.exercises import ReaderCodeError, Verdict, expect_function, expect_number, register

GATES = ("i", "f", "c", "o")      # the notebook's order of the gates (and Keras's)

# --- 03.1: the adding problem, values uniform in [0, 1): MSE of the best model that forgot u_1 -------------

_HALF_HINTS = {
    1 / 6: "that is the chance level, a model that remembers neither number",
    1 / 3: "the forgotten number still has a best guess: predict its mean, not nothing",
    0.0: "a model that has forgotten one of the two numbers cannot be exact",
    np.sqrt(1 / 12): "that is a standard deviation; the MSE is a squared error",
}


@register("03.1")
def check_half_remembered(answer: object) -> Verdict:
    """Check exercise 03.1: the MSE of the best prediction that knows u_2 but not u_1 (Var(u_1))."""
    return expect_number(answer, 1 / 12, rtol=5e-3, hints=_HALF_HINTS)


# --- 03.2: the forget-gate bias b_f with sigma(b_f)^50 = 1/2 (zero input, zero hidden state) --------------

HALF_LIFE = 50


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _forget_bias_hints() -> dict[float, str]:
    keep = 0.5 ** (1 / HALF_LIFE)                       # the forget gate's value per step
    lifetime = "that keeps 1/e of the content (or 1 - 1/50 per step), not one half, after 50 steps"
    return {
        0.0: "sigma(0) = 0.5 halves the cell at every step: a half-life of one step",
        _logit(1 - 1 / HALF_LIFE): lifetime,
        _logit(np.exp(-1 / HALF_LIFE)): lifetime,
        keep: "that is the forget gate's value; the bias is its pre-activation, before the sigmoid",
        _logit(0.5**HALF_LIFE): "the gate is applied once per step: take the 50th root of 1/2, not its power",
        -_logit(keep): "the sign is flipped: a gate near 1 needs a large positive pre-activation",
        float(-np.log(1 - keep)): "close, but -log(1 - f) only approximates the inverse of the sigmoid",
        float(np.log10(keep / (1 - keep))): "the inverse of the sigmoid uses the natural logarithm",
    }


@register("03.2")
def check_forget_bias(answer: object) -> Verdict:
    """Check exercise 03.2: b_f such that sigma(b_f)^50 = 1/2."""
    return expect_number(answer, _logit(0.5 ** (1 / HALF_LIFE)), rtol=1e-3, hints=_forget_bias_hints())


# --- 03.3: one LSTM step backwards: (dL/dh_{t-1}, dL/dc_{t-1}) from dL/dh_t and the dL/dc_t of step t+1 ----

def _step_inputs(seed: int) -> tuple:
    """Return (x_t, h_prev, c_prev, W_x, W_h, b, dh, dc); the weights are dicts keyed by GATES."""
    rng = np.random.default_rng(330 + seed)
    batch, features, units = 3, 2, 4 + seed % 2
    W_x = {g: rng.normal(scale=0.6, size=(units, features)) for g in GATES}
    W_h = {g: rng.normal(scale=0.6, size=(units, units)) for g in GATES}
    b = {g: rng.normal(scale=0.5, size=units) for g in GATES}
    return (rng.normal(size=(batch, features)), rng.uniform(-0.9, 0.9, size=(batch, units)),
            rng.normal(size=(batch, units)), W_x, W_h, b, rng.normal(size=(batch, units)),
            rng.normal(size=(batch, units)))


def _tape_step_backward(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, W_x: dict, W_h: dict,
                        b: dict, dh: np.ndarray, dc: np.ndarray) -> np.ndarray:
    """Return [dL/dh_{t-1}, dL/dc_{t-1}] (2, batch, units) of L = sum(dh * h_t) + sum(dc * c_t), by tape."""
    import tensorflow as tf

    h_prev, c_prev = tf.constant(h_prev), tf.constant(c_prev)
    with tf.GradientTape() as tape:
        tape.watch([h_prev, c_prev])
        z = {g: x_t @ W_x[g].T + h_prev @ tf.constant(W_h[g].T) + b[g] for g in GATES}
        i, f, o = tf.sigmoid(z["i"]), tf.sigmoid(z["f"]), tf.sigmoid(z["o"])
        c = f * c_prev + i * tf.tanh(z["c"])
        h = o * tf.tanh(c)
        loss = tf.reduce_sum(dh * h) + tf.reduce_sum(dc * c)
    return np.stack([g.numpy() for g in tape.gradient(loss, [h_prev, c_prev])])


def _by_hand(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, W_x: dict, W_h: dict, b: dict,
             dh: np.ndarray, dc: np.ndarray, *, through_h: bool = True, tanh_of_c: bool = True,
             gate_slopes: bool = True, transpose: bool = False) -> np.ndarray:
    """Return [dL/dh_{t-1}, dL/dc_{t-1}] written out by hand, or one of its typical wrong versions."""
    def sigmoid(a: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-a))
    z = {g: x_t @ W_x[g].T + h_prev @ W_h[g].T + b[g] for g in GATES}
    i, f, o, c_tilde = sigmoid(z["i"]), sigmoid(z["f"]), sigmoid(z["o"]), np.tanh(z["c"])
    c = f * c_prev + i * c_tilde
    slope_c = 1 - np.tanh(c) ** 2 if tanh_of_c else 1 - c**2
    dc_total = dc + (dh * o * slope_c if through_h else 0.0)          # dL/dc_t, both paths
    d_gate = {"i": dc_total * c_tilde, "f": dc_total * c_prev, "o": dh * np.tanh(c), "c": dc_total * i}
    slope = {"i": i * (1 - i), "f": f * (1 - f), "o": o * (1 - o), "c": 1 - c_tilde**2}
    dz = {g: d_gate[g] * (slope[g] if gate_slopes or g == "c" else 1.0) for g in GATES}
    dh_prev = sum(dz[g] @ (W_h[g].T if transpose else W_h[g]) for g in GATES)
    return np.stack([dh_prev, dc_total * f])


def _wrong(**mistake: bool) -> Callable[..., np.ndarray]:
    return lambda *args: _by_hand(*args, **mistake)


_STEP_HINTS = [
    (_wrong(through_h=False), "c_t reaches the loss along two paths: the dc of step t+1, and h_t = "
     "o_t * tanh(c_t) of this step; add the second to dc first"),
    (_wrong(tanh_of_c=False), "the slope of tanh(c_t) is 1 - tanh(c_t)^2, not 1 - c_t^2"),
    (_wrong(gate_slopes=False), "each gate passes through a sigmoid: multiply by its slope g (1 - g)"),
    (_wrong(transpose=True), "in row form z = h_{t-1} @ W_h.T, so the gradient goes back as dz @ W_h, "
     "not dz @ W_h.T"),
    (lambda *args: _by_hand(*args)[::-1], "return the two gradients in the order (dh_prev, dc_prev)"),
]


@register("03.3")
def check_lstm_step_backward(answer: object) -> Verdict:
    """Check exercise 03.3: the reader's one-step LSTM backward pass against tf.GradientTape."""
    try:
        return expect_function(answer, _tape_step_backward, _step_inputs, trials=3, rtol=1e-6, atol=1e-8,
                               hints=_STEP_HINTS)
    except ReaderCodeError as error:
        raise ReaderCodeError(f"{error}; the arguments are x_t (batch, features), h_prev, c_prev, the dicts "
                              "W_x, W_h, b keyed 'i', 'f', 'c', 'o', then dh and dc (batch, units)") from None
