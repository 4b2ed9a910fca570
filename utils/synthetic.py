"""Seeded generators of the synthetic long-lag tasks that test a recurrent network's memory; imported by
notebooks 03, 04 and 10.

Both tasks put the information the model needs at the start of a sequence and ask for it at the end, so the
length of the sequence sets how long the network must remember:

- `adding_problem`: sum the two numbers marked in a long sequence of random numbers (regression);
- `copy_task`: reproduce a few symbols after a long stretch of blanks and a delimiter (classification).

Each call with the same arguments returns the same arrays (its own `numpy.random.Generator`, seeded with
`seed`; the global NumPy state is neither read nor changed).
"""

from __future__ import annotations

import numpy as np

from utils.checks import check_int

BLANK = 0  # the copy task's "nothing here" symbol; symbols are 1..n_symbols, the delimiter n_symbols + 1


def adding_problem(n: int, length: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return `n` adding-problem sequences: inputs (n, length, 2) float32 and targets (n,) float32.

    Channel 0 of each sequence holds random values, uniform in [0, 1). Channel 1 is a marker: 0 everywhere
    except for exactly two 1s, one at a uniformly random step of the first half (steps 0 .. length//2 - 1)
    and one in the second half (steps length//2 .. length - 1). The target is the sum of the two marked
    values.
    This is the form of Le et al. (2015) and Arjovsky et al. (2016); Hochreiter & Schmidhuber (1997), who
    introduced the task, used values in [-1, 1] and put the first marker among the first ten steps.

    The target lies in [0, 2) with variance 2/12: always predicting 1.0 scores a mean squared error of
    about 0.167, the "chance" level a model must beat to show that it remembers anything.
    """
    n = check_int("n", n, 1)
    length = check_int("length", length, 2)  # two markers, one in each half, need at least two steps
    seed = check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    values = rng.random((n, length), dtype=np.float32)  # (n, length) in [0, 1)
    half = length // 2
    first = rng.integers(0, half, size=n)  # (n,) a step of the first half
    second = rng.integers(half, length, size=n)  # (n,) a step of the second half
    markers = np.zeros((n, length), dtype=np.float32)  # (n, length)
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    inputs = np.stack([values, markers], axis=-1)  # (n, length, 2)
    targets = values[rows, first] + values[rows, second]  # (n,)
    return inputs, targets.astype(np.float32)


def copy_task(n: int, n_symbols: int, n_copy: int, lag: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return `n` copy-task sequences: inputs (n, lag + n_copy) int32 and targets (n, lag + n_copy) int32.

    Token ids: `BLANK` = 0, symbols 1 .. n_symbols, delimiter n_symbols + 1 (a vocabulary of n_symbols + 2).
    With `length = lag + n_copy` steps, numbered from 0:

    - inputs: steps 0 .. n_copy - 1 hold `n_copy` random symbols (uniform, with repetition); step lag - 1
      holds the delimiter, the cue "copy now"; every other step is BLANK;
    - targets: BLANK at steps 0 .. lag - 1, then the `n_copy` symbols, in order, at steps lag .. length - 1.

    So each symbol must be reproduced exactly `lag` steps after it was shown (with n_copy=3, lag=5:
    inputs ``a b c _ D _ _ _``, targets ``_ _ _ _ _ a b c``). Only the last `n_copy` steps are scored
    (`targets[:, -n_copy:]`, accuracy per symbol; chance is 1 / n_symbols); the BLANK targets before them
    are trivial to predict. Do not read the inputs with `mask_zero=True`: BLANK (0) is data here, not padding.
    """
    n = check_int("n", n, 1)
    n_symbols = check_int("n_symbols", n_symbols, 1)
    n_copy = check_int("n_copy", n_copy, 1)
    lag = check_int("lag", lag, 1)
    seed = check_int("seed", seed, 0)
    if lag <= n_copy:
        raise ValueError(
            f"lag must be > n_copy (the delimiter comes after the {n_copy} symbols), "
            f"got lag={lag}, n_copy={n_copy}"
        )
    rng = np.random.default_rng(seed)
    length = lag + n_copy
    symbols = rng.integers(1, n_symbols + 1, size=(n, n_copy), dtype=np.int32)  # (n, n_copy)
    inputs = np.full((n, length), BLANK, dtype=np.int32)  # (n, length)
    inputs[:, :n_copy] = symbols
    inputs[:, lag - 1] = n_symbols + 1  # the delimiter
    targets = np.full((n, length), BLANK, dtype=np.int32)  # (n, length)
    targets[:, lag:] = symbols
    return inputs, targets
