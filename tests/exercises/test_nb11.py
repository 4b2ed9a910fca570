"""Tests of notebook 11's exercise checks (utils/exercise_checks/nb11.py): right answers pass, typical wrong
answers get their hint, broken answers a clear message, and no message gives the right answer away."""

from __future__ import annotations

import numpy as np
import pytest

from tests.exercises.helpers import verdict
from utils.exercise_checks import nb11

REPLICAS, GLOBAL_BATCH = 8, 256        # chief + 3 workers train, 2 GPUs each; 32 per replica
STEPS, LEFT_OUT = 1, 936               # 1,960 paragraphs, global batch 8 * 128 = 1,024, drop_remainder=True
SCALE = 2.0 ** 13                      # 1e-8 * 2**13 >= 2**-14 > 1e-8 * 2**12


def test_the_check_counts_replicas_as_tensorflow_does() -> None:
    from tensorflow.python.distribute import multi_worker_util
    assert nb11._training_machines(nb11.CLUSTER) == multi_worker_util.worker_count(nb11.CLUSTER, "worker")


# --- 11.1: replicas and global batch of a cluster ----------------------------------------------------------

@pytest.mark.parametrize("answer", [(REPLICAS, GLOBAL_BATCH), [REPLICAS, GLOBAL_BATCH],
                                    np.array([REPLICAS, GLOBAL_BATCH]), (8.0, 256.0)])
def test_11_1_right(answer: object, capsys: pytest.CaptureFixture) -> None:
    assert verdict("11.1", answer, capsys)[0]


@pytest.mark.parametrize(("answer", "hint"), [
    ((10, 320), "evaluator does not train"),
    ((6, 192), "chief trains too"),
    ((4, 128), "every GPU of a machine"),
    ((5, 160), "evaluator does not train"),
    ((2, 64), "one machine's share"),
    ((3, 96), "chief trains too"),
    ((REPLICAS, 32), "per-replica batch"),
    ((REPLICAS, 4), "global batch is their sum"),
    ((REPLICAS, 64), "notebook's two replicas"),
])
def test_11_1_typical_wrong(answer: tuple, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("11.1", answer, capsys)
    assert not passed and hint in message
    assert str(REPLICAS) not in message.replace("replicas right", "") and str(GLOBAL_BATCH) not in message


@pytest.mark.parametrize(("answer", "words"), [
    (8, "tuple of two numbers"), ((8,), "tuple of two numbers"), ((8, 256, 1), "tuple of two numbers"),
    (("8", "256"), "two numbers"), ((True, 256), "two numbers"), ((float("nan"), 256), "NaN"),
    ((8.5, 256), "not a whole number"), ((REPLICAS, 1000), "too large"), ((..., ...), "two numbers"),
])
def test_11_1_broken(answer: object, words: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("11.1", answer, capsys)
    assert not passed and words in message and "Traceback" not in message


# --- 11.2: steps per epoch on a TPU -----------------------------------------------------------------------

def test_11_2_right(capsys: pytest.CaptureFixture) -> None:
    assert verdict("11.2", (STEPS, LEFT_OUT), capsys)[0]
    assert verdict("11.2", np.array([STEPS, LEFT_OUT]), capsys)[0]


@pytest.mark.parametrize(("answer", "hint"), [
    ((2, 0), "drops the last, partial batch"),
    ((15, 40), "128 per core, on every core"),
    ((16, 0), "128 per core, on every core"),
    ((STEPS, 0), "not used in the epoch"),
    ((STEPS, 88), "fill one more batch"),
    ((STEPS, 40), "one core's share"),
    ((STEPS, 1024), "how many are used"),
])
def test_11_2_typical_wrong(answer: tuple, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("11.2", answer, capsys)
    assert not passed and hint in message
    assert str(LEFT_OUT) not in message


@pytest.mark.parametrize(("answer", "words"), [
    (1, "tuple of two numbers"), ("1, 936", "tuple of two numbers"), ((1, None), "two numbers"),
    ((float("nan"), 936), "NaN"), ((STEPS, 935), "too small"), ((0, 936), "too small"),
])
def test_11_2_broken(answer: object, words: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("11.2", answer, capsys)
    assert not passed and words in message and "Traceback" not in message


# --- 11.3: the smallest loss scale -------------------------------------------------------------------------

def test_11_3_reference_is_the_boundary_of_the_normal_range() -> None:
    tiny = np.finfo(np.float16).tiny
    assert np.float16(1e-8 * SCALE) >= tiny > np.float16(1e-8 * SCALE / 2)


@pytest.mark.parametrize("answer", [SCALE, int(SCALE), np.float64(SCALE), 2 ** 13])
def test_11_3_right(answer: object, capsys: pytest.CaptureFixture) -> None:
    assert verdict("11.3", answer, capsys)[0]


@pytest.mark.parametrize(("answer", "hint"), [
    (4, "only makes the gradient non-zero"), (2 ** 15, "LossScaleOptimizer starts"),
    (2 ** 14, "smaller power of two"), (13, "not the exponent"), (6103.5, "power of two"),
    (6104, "power of two"),
])
def test_11_3_typical_wrong(answer: float, hint: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("11.3", answer, capsys)
    assert not passed and hint in message
    assert f"{SCALE:g}" not in message and "2**13" not in message


@pytest.mark.parametrize(("answer", "words"), [
    ("8192", "expected a number"), (float("nan"), "NaN"), ((8192,), "expected a number"),
    (2 ** 12, "too small"), (None, "no answer yet"),
])
def test_11_3_broken(answer: object, words: str, capsys: pytest.CaptureFixture) -> None:
    passed, message = verdict("11.3", answer, capsys)
    assert not passed and words in message and "Traceback" not in message
