"""The checks of notebook 04's exercises (see utils/exercises.py).

04.1 the parameters of a stacked bidirectional GRU (reset_after=False), 04.2 converting GRU weights between
the z and 1 - z conventions, 04.3 the exact Jacobian dh_t/dh_{t-1} of one GRU step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from utils.exercises import ReaderCodeError, Verdict, call_reader, expect_function, expect_number, register

BLOCKS = ("z", "r", "h")          # update gate, reset gate, candidate: Keras's order


# --- 04.1: parameters of Input(10) -> Bidirectional(GRU(32, reset_after=False)) -> GRU(16, ...) -> Dense(1)

FEATURES, UNITS_1, UNITS_2 = 10, 32, 16


def _stack_params(blocks: int = 3, biases: int = 1, directions: int = 2, second_reads: int = 2 * UNITS_1,
                  dense: bool = True) -> int:
    """Return the parameters of the exercise's model, counted with the given (right or wrong) assumptions."""
    def layer(units: int, features: int) -> int:
        return blocks * (units * (units + features) + biases * units)
    return (directions * layer(UNITS_1, FEATURES) + layer(UNITS_2, second_reads)
            + (UNITS_2 + 1 if dense else 0))


_STACK_HINTS = {
    _stack_params(directions=1): "a Bidirectional layer holds two GRUs, one per direction",
    _stack_params(directions=1, second_reads=UNITS_1): "a Bidirectional layer holds two GRUs, one per "
    "direction, and the second GRU reads both directions' outputs",
    _stack_params(second_reads=UNITS_1): "the second GRU reads the outputs of both directions, concatenated",
    _stack_params(second_reads=FEATURES): "the second GRU reads the first layer's outputs, not the input "
    "features",
    _stack_params(biases=2): "with reset_after=False each block has one bias vector (the second one comes "
    "with the default reset_after=True)",
    _stack_params(blocks=4): "a GRU has three weight blocks (z, r and the candidate); four is the LSTM",
    _stack_params(biases=0): "each block has a bias vector too",
    _stack_params(dense=False): "the Dense(1) layer on top has parameters too",
}


@register("04.1")
def check_stack_parameters(answer: object) -> Verdict:
    """Check exercise 04.1: the parameter count of the stacked bidirectional GRU (reset_after=False)."""
    return expect_number(answer, _stack_params(), integer=True, hints=_STACK_HINTS)


# --- 04.2: flip the update gate's block of one fused Keras weight array (the z <-> 1 - z conventions) -------

_SHAPES = [(7, 12), (5, 15), (2, 18), (9,)]   # kernel (f, 3u), recurrent kernel (u, 3u), bias (2, 3u), (3u,)


def _weights(seed: int) -> tuple[np.ndarray]:
    """Return one random fused GRU weight array, of a different kind and number of units for each seed."""
    return (np.random.default_rng(400 + seed).normal(size=_SHAPES[seed % len(_SHAPES)]),)


def _negate(w: np.ndarray, block: int | None) -> np.ndarray:
    """Return a copy of w with block 0, 1 or 2 of its last axis negated (None: all of it)."""
    w = np.array(w, dtype="float64")
    if block is None:
        return -w
    units = w.shape[-1] // 3
    w[..., block * units:(block + 1) * units] *= -1
    return w


def _negate_first(w: np.ndarray, columns: int) -> np.ndarray:
    """Return a copy of w with its first `columns` columns negated (a hard-coded number of units)."""
    w = np.array(w, dtype="float64")
    w[..., :columns] *= -1
    return w


def _rows_negated(w: np.ndarray) -> np.ndarray:
    """Return a copy of w with its first third of *rows* negated (blocks taken along the wrong axis)."""
    w = np.array(w, dtype="float64")
    w[:w.shape[-1] // 3] *= -1
    return w


_FLIP_HINTS: list[tuple[Callable[..., object], str]] = [
    (lambda w: w, "your function returned the weights unchanged"),
    (lambda w: _negate(w, 1), "you negated the reset gate's block; Keras stacks the blocks as z, r, h"),
    (lambda w: _negate(w, 2), "you negated the candidate's block; Keras stacks the blocks as z, r, h"),
    (lambda w: _negate(w, None), "only the update gate's block changes sign; r and the candidate stay"),
    (lambda w: 1 - np.asarray(w), "1 - z is a statement about the gate's value: the weights and biases of "
     "its pre-activation change sign, since sigmoid(-a) = 1 - sigmoid(a)"),
    (_rows_negated, "the blocks sit side by side along the last axis (columns), not along the rows"),
    (lambda w: _negate_first(w, 5), "take the number of units from the array (its last axis is 3 * units), "
     "not from the notebook's `units`"),
]


def _mutates(function: object) -> bool:
    """Return True if calling the reader's function changes the array it was given."""
    w = _weights(0)[0]
    given = w.copy()
    call_reader(function, given)
    return not np.array_equal(given, w)


@register("04.2")
def check_flip_update_gate(answer: object) -> Verdict:
    """Check exercise 04.2: a function that converts one fused GRU weight array to the other z convention."""
    if _mutates(answer):
        return Verdict(False, "your function changed the array it was given in place: work on a copy "
                       "(w = np.array(w)), or each call flips the notebook's weights back and forth")
    return expect_function(answer, lambda w: _negate(w, 0), _weights, trials=len(_SHAPES), hints=_FLIP_HINTS)


# --- 04.3: the Jacobian dh_t/dh_{t-1} of one GRU step, reset_after=False (checked with tf.GradientTape) -----

def _step_inputs(seed: int) -> tuple:
    """Return (x_t (features,), h (units,), W_x, W_h, b_x), the weights as dicts keyed by BLOCKS."""
    rng = np.random.default_rng(4300 + seed)
    units, features = 4 + seed % 2, 3
    W_x = {g: rng.normal(scale=0.6, size=(units, features)) for g in BLOCKS}
    W_h = {g: rng.normal(scale=0.6, size=(units, units)) for g in BLOCKS}
    b_x = {g: rng.normal(scale=0.3, size=units) for g in BLOCKS}
    return rng.normal(size=features), rng.uniform(-0.9, 0.9, size=units), W_x, W_h, b_x


def _tape_jacobian(x_t: np.ndarray, h: np.ndarray, W_x: dict, W_h: dict, b_x: dict) -> np.ndarray:
    """Return dh_t/dh_{t-1} (units, units), row i = derivatives of h_t[i], from tf.GradientTape."""
    import tensorflow as tf

    h_prev = tf.constant(h, dtype=tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(h_prev)

        def pre(g: str, state: tf.Tensor) -> tf.Tensor:
            return (tf.linalg.matvec(tf.constant(W_x[g]), tf.constant(x_t))
                    + tf.linalg.matvec(tf.constant(W_h[g]), state) + tf.constant(b_x[g]))
        z, r = tf.sigmoid(pre("z", h_prev)), tf.sigmoid(pre("r", h_prev))
        h_tilde = tf.tanh(pre("h", r * h_prev))
        h_new = z * h_prev + (1 - z) * h_tilde
    return tape.jacobian(h_new, h_prev, experimental_use_pfor=False).numpy()


def _jacobian_terms(x_t: np.ndarray, h: np.ndarray, W_x: dict, W_h: dict, b_x: dict) -> dict[str, np.ndarray]:
    """Return the three terms of the Jacobian (highway, through z, through the candidate) and its variants."""
    def sigmoid(a: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-a))
    z = sigmoid(W_x["z"] @ x_t + W_h["z"] @ h + b_x["z"])
    r = sigmoid(W_x["r"] @ x_t + W_h["r"] @ h + b_x["r"])
    h_tilde = np.tanh(W_x["h"] @ x_t + W_h["h"] @ (r * h) + b_x["h"])
    through_r = np.diag(r) + np.diag(h * r * (1 - r)) @ W_h["r"]
    return {"highway": np.diag(z),
            "through z": np.diag((h - h_tilde) * z * (1 - z)) @ W_h["z"],
            "through the candidate": np.diag((1 - z) * (1 - h_tilde**2)) @ W_h["h"] @ through_r,
            "r constant": np.diag((1 - z) * (1 - h_tilde**2)) @ W_h["h"] @ np.diag(r),
            "no tanh'": np.diag(1 - z) @ W_h["h"] @ through_r}


def _hint(*terms: str, transpose: bool = False) -> Callable[..., np.ndarray]:
    def wrong(*args: object) -> np.ndarray:
        parts = _jacobian_terms(*args)
        total = sum(parts[t] for t in terms)
        return total.T if transpose else total
    return wrong


_FULL = ("highway", "through z", "through the candidate")
_JACOBIAN_HINTS = [
    (_hint("highway"), "diag(z_t) is only the highway term: z_t, r_t and the candidate depend on h_{t-1} "
     "too"),
    (_hint(*_FULL, transpose=True), "transposed: row i should hold the derivatives of h_t[i] with respect to "
     "each h_{t-1}[j]"),
    (_hint("highway", "through the candidate"), "you treated z_t as a constant; it depends on h_{t-1} "
     "through W_hz"),
    (_hint("highway", "through z", "r constant"), "you treated r_t as a constant inside the candidate; it "
     "depends on h_{t-1} through W_hr"),
    (_hint("highway", "through z", "no tanh'"), "the candidate passes through tanh: its derivative "
     "1 - tanh^2 is missing"),
]


@register("04.3")
def check_gru_jacobian(answer: object) -> Verdict:
    """Check exercise 04.3: the reader's dh_t/dh_{t-1} of one GRU step against tf.GradientTape."""
    try:
        return expect_function(answer, _tape_jacobian, _step_inputs, trials=3, rtol=1e-6, atol=1e-8,
                               hints=_JACOBIAN_HINTS)
    except ReaderCodeError as error:
        return Verdict(False, f"{error}; the arguments are x_t (features,), h (units,) and the dicts W_x, "
                       "W_h, b_x keyed 'z', 'r', 'h'")
