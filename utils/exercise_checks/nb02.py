"""The checks of notebook 02's exercises (see utils/exercises.py).

02.1 dL/dw_h of a two-step scalar RNN by hand (checked against tf.GradientTape), 02.2 the per-step bound on
how far a gradient can grow over three steps, 02.3 global-norm gradient clipping written out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from utils.exercises import Verdict, call_reader, expect_number, register

# --- 02.1: a scalar RNN over two steps from a given h_0, loss on both outputs: dL/dw_h ----------------------

SCALAR_RNN = {"w_x": 0.6, "w_h": 0.9, "b": 0.1, "w_y": 2.0, "b_y": 0.0, "h_0": 0.5,
              "x": (1.0, -1.0), "target": (1.0, 0.0)}


def _tape_dw_h() -> float:
    """Return dL/dw_h of the exercise's scalar RNN, L = sum_t (y_t - y*_t)^2 / 2, by tf.GradientTape."""
    import tensorflow as tf

    p = SCALAR_RNN
    w_h = tf.Variable(p["w_h"], dtype=tf.float64)
    with tf.GradientTape() as tape:
        h, loss = tf.constant(p["h_0"], tf.float64), tf.constant(0.0, tf.float64)
        for x_t, target_t in zip(p["x"], p["target"], strict=True):
            h = tf.tanh(p["w_x"] * x_t + w_h * h + p["b"])
            loss += 0.5 * (p["w_y"] * h + p["b_y"] - target_t) ** 2
    return float(tape.gradient(loss, w_h))


def _by_hand(total: bool = True, first_step: bool = True, both_losses: bool = True, tanh_slope: bool = True,
             previous_state: bool = True) -> float:
    """Return dL/dw_h by the BPTT recursion, or one of its typical wrong versions."""
    p = SCALAR_RNN
    h_0 = p["h_0"]
    h_1 = np.tanh(p["w_x"] * p["x"][0] + p["w_h"] * h_0 + p["b"])
    h_2 = np.tanh(p["w_x"] * p["x"][1] + p["w_h"] * h_1 + p["b"])
    delta_y1 = (p["w_y"] * h_1 + p["b_y"] - p["target"][0]) if both_losses else 0.0
    delta_y2 = p["w_y"] * h_2 + p["b_y"] - p["target"][1]
    slope_1, slope_2 = (1 - h_1**2, 1 - h_2**2) if tanh_slope else (1.0, 1.0)
    delta_a2 = p["w_y"] * delta_y2 * slope_2
    delta_a1 = (p["w_y"] * delta_y1 + (p["w_h"] * delta_a2 if total else 0.0)) * slope_1
    before_2, before_1 = (h_1, h_0) if previous_state else (h_2, h_1)
    return delta_a2 * before_2 + (delta_a1 * before_1 if first_step else 0.0)


_DW_H_HINTS = {
    _by_hand(total=False): "delta^a_1 needs the total derivative: h_1 also reaches the loss through h_2 "
    "(the term W_h^T delta^a_2)",
    _by_hand(first_step=False): "w_h is used at both steps; with h_0 not zero, step 1 contributes "
    "delta^a_1 h_0 too",
    _by_hand(both_losses=False): "the loss has a term at each step: y_1 has a target too",
    _by_hand(tanh_slope=False): "each step passes through tanh: multiply by its slope 1 - h_t^2",
    _by_hand(previous_state=False): "each term multiplies delta^a_t by the state w_h multiplied, h_{t-1}, "
    "not by h_t",
    -_by_hand(): "the sign is flipped: delta^y_t = y_t - y*_t",
}


@register("02.1")
def check_scalar_bptt(answer: object) -> Verdict:
    """Check exercise 02.1: dL/dw_h of the two-step scalar RNN, against tf.GradientTape."""
    return expect_number(answer, _tape_dw_h(), rtol=5e-3, hints=_DW_H_HINTS)


# --- 02.2: the bound on ||dL/dh_1|| / ||dL/dh_4|| with one tanh slope per step ------------------------------

W_H = np.array([[0.6, 0.8],
                [0.0, 0.6]])
STATES = np.array([[0.3, -0.4],     # h_1
                   [0.8, -0.9],     # h_2
                   [-0.1, 0.7],     # h_3
                   [0.6, 0.9]])     # h_4


def _bound(norm: float, slopes: np.ndarray) -> float:
    """Return norm^len(slopes) * prod(slopes): the bound for one per-step slope each."""
    return float(norm ** len(slopes) * np.prod(slopes))


def _bound_hints() -> dict[float, str]:
    sigma = np.linalg.svd(W_H, compute_uv=False).max()
    radius = np.abs(np.linalg.eigvals(W_H)).max()
    gamma = (1 - STATES**2).max(axis=1)                            # (4,): largest tanh slope of each step
    one_gamma = ("that is section 2's bound with one gamma for all steps; the exercise asks for the tighter "
                 "one, with each step's own slope")
    return {
        _bound(sigma, gamma): "the Jacobians from h_4 back to h_1 are those of steps 4, 3 and 2: h_1's own "
        "slope does not enter",
        sigma**3 * np.prod(gamma): "the Jacobians from h_4 back to h_1 are those of steps 4, 3 and 2: h_1's "
        "own slope does not enter",
        _bound(sigma, gamma[:3]): "the Jacobian of step t holds diag(1 - h_t^2): steps 4, 3 and 2, not "
        "3, 2 and 1",
        _bound(sigma * gamma[1:].max(), np.ones(3)): one_gamma,
        _bound(sigma * gamma.max(), np.ones(3)): one_gamma,
        _bound(radius, gamma[1:]): "the spectral radius (largest |eigenvalue|) does not bound ||W_h^T v||: "
        "the largest singular value does",
        _bound(np.linalg.norm(W_H), gamma[1:]): "that is the Frobenius norm; the bound uses the largest "
        "singular value, the spectral norm",
        _bound(sigma, (1 - STATES**2).min(axis=1)[1:]): "a bound needs each step's largest slope, not its "
        "smallest",
        _bound(sigma, (1 - STATES**2).mean(axis=1)[1:]): "a bound needs each step's largest slope, not the "
        "mean",
        sigma * np.prod(gamma[1:]): "sigma_max(W_h) enters once per step",
        _bound(sigma, np.ones(3)): "each step's tanh slope is missing",
    }


@register("02.2")
def check_per_step_bound(answer: object) -> Verdict:
    """Check exercise 02.2: sigma_max(W_h)^3 * prod over t = 2..4 of max_i (1 - h_{t,i}^2)."""
    sigma = np.linalg.svd(W_H, compute_uv=False).max()
    expected = _bound(sigma, (1 - STATES[1:] ** 2).max(axis=1))
    return expect_number(answer, expected, rtol=5e-3, hints=_bound_hints())


# --- 02.3: clip a list of gradients to a global norm c, as global_clipnorm and tf.clip_by_global_norm do --

_GRADIENT_SHAPES = [(3, 4), (4, 4), (4,)]          # kernel, recurrent kernel, bias of a small SimpleRNN


def _gradients(seed: int) -> tuple[list[np.ndarray], float]:
    """Return (gradients, c): a global norm above c in trials 0 and 2, below c in trial 1."""
    rng = np.random.default_rng(230 + seed)
    gradients = [rng.normal(scale=2.0, size=shape) for shape in _GRADIENT_SHAPES]
    norm = np.sqrt(sum(np.sum(g**2) for g in gradients))
    return gradients, float(norm * (1.5 if seed == 1 else 0.3))


def _global_clip(gradients: list[np.ndarray], c: float) -> list[np.ndarray]:
    norm = np.sqrt(sum(np.sum(g**2) for g in gradients))
    return [g * min(1.0, c / norm) for g in gradients]


_CLIP_HINTS: list[tuple[Callable, str]] = [
    (lambda gs, c: [g * min(1.0, c / np.linalg.norm(g)) for g in gs], "you clipped each gradient by its own "
     "norm: that is clipnorm; global_clipnorm uses the norm of all of them together"),
    (lambda gs, c: [g * c / np.sqrt(sum(np.sum(h**2) for h in gs)) for g in gs], "gradients whose global "
     "norm is already below c must stay as they are, not be scaled up"),
    (lambda gs, c: [np.clip(g, -c, c) for g in gs], "that clips every entry (clipvalue); the global rule "
     "shortens all gradients by one common factor and keeps the direction"),
    (lambda gs, c: [g * min(1.0, c / sum(np.sum(h**2) for h in gs)) for g in gs], "the norm is the square "
     "root of the sum of squares"),
    (lambda gs, c: [g * min(1.0, c / sum(np.linalg.norm(h) for h in gs)) for g in gs], "the global norm is "
     "sqrt(sum of the squared norms), not the sum of the norms"),
]


def _flat(gradients: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.ravel(g) for g in gradients])


def _reader_clip(function: object, gradients: list[np.ndarray], c: float) -> np.ndarray | str:
    """Return the reader's clipped gradients, flattened, or a message saying what is wrong with them."""
    if not callable(function):
        call_reader(function)                                    # raises the "expected a function" message
    returned = []
    call_reader(lambda gs, c: returned.append(function(gs, c)) or 0.0, [g.copy() for g in gradients], c)
    result = returned[0]
    if not isinstance(result, (list, tuple)) or len(result) != len(gradients):
        return (f"your function returned {type(result).__name__}; expected a list of {len(gradients)} "
                "arrays, the clipped gradients in the order given (only the list, not the norm as well)")
    try:
        arrays = [np.asarray(g, dtype="float64") for g in result]
    except (TypeError, ValueError):
        return "your function should return a list of arrays of numbers"
    if [a.shape for a in arrays] != [g.shape for g in gradients]:
        return (f"your arrays have shapes {[a.shape for a in arrays]}, the gradients "
                f"{[g.shape for g in gradients]}: clipping keeps every shape")
    return _flat(arrays)


@register("02.3")
def check_global_clip(answer: object) -> Verdict:
    """Check exercise 02.3: the reader's clip_by_global_norm(gradients, c) against the global-norm rule."""
    for trial in range(3):
        gradients, c = _gradients(trial)
        got = _reader_clip(answer, gradients, c)
        if isinstance(got, str):
            return Verdict(False, got)
        if not np.array_equal(got, _reader_clip(answer, gradients, c), equal_nan=True):
            return Verdict(False, "two calls on the same gradients gave different results: is there an "
                           "unseeded random draw in your function?")
        if not np.all(np.isfinite(got)):
            return Verdict(False, "your function returned NaN or infinity: check for a division by zero")
        if not np.allclose(got, _flat(_global_clip(gradients, c)), rtol=1e-6, atol=1e-9):
            for wrong, hint in _CLIP_HINTS:
                if np.allclose(got, _flat(wrong(gradients, c)), rtol=1e-6, atol=1e-9):
                    return Verdict(False, f"not quite: {hint}")
            situation = "below" if trial == 1 else "above"
            return Verdict(False, f"wrong on gradients whose global norm is {situation} c "
                           f"(trial {trial + 1})")
    return Verdict(True, "right on 3 sets of random gradients, above and below the threshold")
