"""The checks of notebook 11's exercises (see utils/exercises.py)."""

from __future__ import annotations

import numbers

import numpy as np

from utils.exercises import Verdict, expect_number, register

# Exercise 11.1: the cluster of the exercise; every machine has GPUS_PER_MACHINE GPUs
CLUSTER = {"chief": ["10.0.0.1:12345"],
           "worker": ["10.0.0.2:12345", "10.0.0.3:12345", "10.0.0.4:12345"],
           "evaluator": ["10.0.0.5:12345"]}
GPUS_PER_MACHINE = 2
PER_REPLICA_BATCH = 32            # as in the notebook
# Exercise 11.2: the TPU snippet of section 4 on the notebook's training set
TRAIN_EXAMPLES, TPU_CORES, PER_CORE_BATCH = 1960, 8, 128
# Exercise 11.3: the gradient of section 3's float16 demonstration
SMALL_GRADIENT = 1e-8


def _two_numbers(answer: object, what: str) -> tuple[object, object] | Verdict:
    """Return the two entries of a tuple answer, or the verdict on an answer that is not such a pair."""
    if isinstance(answer, np.ndarray):
        answer = tuple(answer.tolist())
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return Verdict(False, f"expected a tuple of two numbers ({what}), got {answer!r:.60}")
    if not all(isinstance(a, numbers.Real) and not isinstance(a, bool) for a in answer):
        return Verdict(False, f"expected two numbers ({what}), got {answer!r:.60}")
    return answer[0], answer[1]


def _training_machines(cluster: dict[str, list[str]]) -> int:
    """Return how many machines of a TF_CONFIG cluster train: the chief and the workers, not the evaluator."""
    return len(cluster.get("chief", [])) + len(cluster.get("worker", []))


@register("11.1")
def cluster_replicas(answer: object) -> Verdict:
    """Exercise 11.1: (num_replicas_in_sync, global batch) of the exercise's TF_CONFIG cluster."""
    pair = _two_numbers(answer, "replicas, global batch")
    if isinstance(pair, Verdict):
        return pair
    machines = _training_machines(CLUSTER)
    replicas = machines * GPUS_PER_MACHINE
    everything = sum(len(hosts) for hosts in CLUSTER.values())
    verdict = expect_number(pair[0], replicas, integer=True, hints={
        everything * GPUS_PER_MACHINE: "the evaluator does not train: it only reads the checkpoints",
        (machines - 1) * GPUS_PER_MACHINE: "the chief trains too (it is a worker with extra duties)",
        machines: "every GPU of a machine is one replica",
        everything: "every GPU is one replica, and the evaluator does not train",
        GPUS_PER_MACHINE: "that is one machine's share: the replicas span all the training machines",
        machines - 1: "the chief trains too, and every GPU of a machine is one replica"})
    if not verdict.passed:
        return Verdict(False, f"replicas: {verdict.message}")
    verdict = expect_number(pair[1], replicas * PER_REPLICA_BATCH, integer=True, hints={
        PER_REPLICA_BATCH: "that is the per-replica batch; the global batch is what one step consumes in all",
        PER_REPLICA_BATCH / replicas: "each replica gets PER_REPLICA_BATCH; the global batch is their sum",
        2 * PER_REPLICA_BATCH: "that is the global batch of the notebook's two replicas, not this cluster's"})
    if not verdict.passed:
        return Verdict(False, f"replicas right; global batch: {verdict.message}")
    return Verdict(True, "right: replicas and global batch")


@register("11.2")
def tpu_steps(answer: object) -> Verdict:
    """Exercise 11.2: (steps per epoch, paragraphs left out) of the TPU snippet, with drop_remainder=True."""
    pair = _two_numbers(answer, "steps per epoch, paragraphs left out")
    if isinstance(pair, Verdict):
        return pair
    global_batch = TPU_CORES * PER_CORE_BATCH
    steps = TRAIN_EXAMPLES // global_batch
    per_core = "one step consumes the global batch: 128 per core, on every core"
    verdict = expect_number(pair[0], steps, integer=True, hints={
        -(-TRAIN_EXAMPLES // global_batch): "drop_remainder=True drops the last, partial batch",
        TRAIN_EXAMPLES // PER_CORE_BATCH: per_core, -(-TRAIN_EXAMPLES // PER_CORE_BATCH): per_core})
    if not verdict.passed:
        return Verdict(False, f"steps per epoch: {verdict.message}")
    left_out = TRAIN_EXAMPLES - steps * global_batch
    verdict = expect_number(pair[1], left_out, integer=True, hints={
        0: "with drop_remainder=True the paragraphs of the last, partial batch are not used in the epoch",
        global_batch - left_out: "that is how many would be missing to fill one more batch",
        TRAIN_EXAMPLES % PER_CORE_BATCH: "that is the remainder for batches of 128 (one core's share), not "
                                         "for the global batch",
        steps * global_batch: "that is how many are used, not how many are left out"})
    if not verdict.passed:
        return Verdict(False, f"steps right; paragraphs left out: {verdict.message}")
    return Verdict(True, "right: steps per epoch and paragraphs left out")


def _smallest_scale(gradient: float, floor: float) -> float:
    """Return the smallest power of two 2**k (k >= 0) with float16(gradient * 2**k) >= floor."""
    scale = 1.0
    while np.float16(gradient * scale) < floor:
        scale *= 2
    return scale


@register("11.3")
def loss_scale(answer: object) -> Verdict:
    """Exercise 11.3: the smallest power-of-two loss scale that makes 1e-8 a normal float16 number."""
    smallest_normal = float(np.finfo(np.float16).tiny)                  # 2**-14
    right = _smallest_scale(SMALL_GRADIENT, smallest_normal)
    nonzero = _smallest_scale(SMALL_GRADIENT, float(np.finfo(np.float16).smallest_subnormal))
    return expect_number(answer, right, rtol=0, atol=0.5, hints={
        nonzero: "that scale only makes the gradient non-zero: a subnormal float16 keeps few significant "
                 "bits; the question asks for the normal range",
        2.0 ** 15: "that is where Keras's LossScaleOptimizer starts: it works, but is not the smallest",
        2 * right: "a smaller power of two also works",
        float(np.log2(right)): "give the scale 2**k itself, not the exponent k",
        smallest_normal / SMALL_GRADIENT: "the scale is a power of two (multiplying by it is exact)",
    })
