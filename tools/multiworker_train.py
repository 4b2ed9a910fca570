"""Train notebook 11's genre classifier with MultiWorkerMirroredStrategy, set up by TF_CONFIG alone.

Every machine runs the same command; only its TF_CONFIG differs (the `task` part). On two hosts:

    # on hostA (worker 0, the chief), then the same on hostB with "index": 1
    export TF_CONFIG='{"cluster": {"worker": ["hostA:12345", "hostB:12345"]},
                       "task": {"type": "worker", "index": 0}}'
    python tools/multiworker_train.py --output /shared/run --backup /shared/run/backup

Without TF_CONFIG it trains in one process without any strategy: the reference run. The chief (the `chief`
task, or worker 0 when there is none) alone writes `model.keras`, `weights.npz` and `metrics.json` to
--output; the other workers run the same saving code into a temporary folder and delete it, as TensorFlow's
multi-worker guide prescribes. `keras.callbacks.BackupAndRestore` backs the training state up after every
epoch; a restarted job resumes from the last backup and prints the epoch it restored. A bad TF_CONFIG stops
the program with a message saying what is wrong and how to fix it, before TensorFlow is even imported.

Notebook 11 imports this module for `local_tf_configs` (a cluster on 127.0.0.1 with free ports) and
`launch_local_workers` (starts the workers, streams their logs, stops every one of them when it ends).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(__file__).resolve()
PARENT_ENV = "MULTIWORKER_PARENT_PID"  # set by launch_local_workers: a worker exits when its launcher dies
EXIT_BAD_CONFIG = 2                    # TF_CONFIG or arguments are wrong: fix them, do not restart
EXIT_PEER_LOST = 3                     # a peer died or did not answer: restart every worker, they resume

TF_CONFIG_EXAMPLE = ('{"cluster": {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]}, '
                     '"task": {"type": "worker", "index": 0}}')


# ------------------------------------------------------------------------------------------ TF_CONFIG


class TFConfigError(ValueError):
    """Raised when TF_CONFIG cannot describe a MultiWorkerMirroredStrategy cluster; the message says why."""


@dataclass(frozen=True)
class Task:
    """This process's place in the cluster, read from TF_CONFIG."""

    cluster: dict[str, list[str]]   # job name -> host:port of every task, the same on every machine
    type: str                       # "chief" or "worker"
    index: int
    rank: int                       # 0 for the chief, then the workers in order
    num_workers: int                # processes that train (chief and workers)

    @property
    def is_chief(self) -> bool:
        return self.rank == 0

    @property
    def label(self) -> str:
        """The prefix of this worker's log lines, e.g. '[worker 0/2 chief]'."""
        chief = " chief" if self.type == "worker" and self.is_chief else ""
        return f"[{self.type} {self.index}/{self.num_workers}{chief}]"


def _fail(problem: str, fix: str) -> TFConfigError:
    return TFConfigError(f"TF_CONFIG: {problem}. {fix}\n"
                         f"A valid TF_CONFIG, for worker 0 of two: {TF_CONFIG_EXAMPLE}")


def parse_tf_config(text: str | None) -> Task | None:
    """Return this process's Task from a TF_CONFIG string (None when unset or empty: one process, no cluster).

    Checks everything MultiWorkerMirroredStrategy needs, in pure Python, so that a mistake is reported
    before TensorFlow starts a server or waits for peers that will never come.
    """
    if text is None or not text.strip():
        return None
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})",
                    "Check the quotes: JSON needs double quotes, a shell single quotes around it.") from None
    if not isinstance(config, dict):
        raise _fail(f"expected a JSON object with 'cluster' and 'task', got {type(config).__name__}",
                    "Wrap it in {...}.")
    cluster = config.get("cluster")
    if not isinstance(cluster, dict) or not cluster:
        raise _fail("no 'cluster' (the host:port of every task, by job)",
                    "Add \"cluster\": {\"worker\": [\"host:port\", ...]}, the same on every machine.")
    unknown = sorted(set(cluster) - {"chief", "worker", "evaluator"})
    if unknown:
        raise _fail(f"job(s) {unknown} in 'cluster'; MultiWorkerMirroredStrategy uses only 'chief' and "
                    "'worker' (and a side-car 'evaluator')",
                    "Parameter servers ('ps') belong to ParameterServerStrategy; remove them or use that.")
    addresses = []
    for job, hosts in cluster.items():
        if not isinstance(hosts, list) or not hosts:
            raise _fail(f"cluster['{job}'] must be a non-empty list of \"host:port\" strings, got {hosts!r}",
                        "List every task of that job in order, or leave the job out.")
        for host in hosts:
            if not isinstance(host, str) or not re.fullmatch(r"[^\s:]+:\d{1,5}", host) \
                    or not 0 < int(host.rsplit(":", 1)[1]) < 65536:
                raise _fail(f"cluster['{job}'] has {host!r}, not a \"host:port\" address",
                            "Write each task as \"hostname:port\", e.g. \"10.0.0.1:12345\".")
            addresses.append(host)
    duplicates = sorted({host for host in addresses if addresses.count(host) > 1})
    if duplicates:
        raise _fail(f"address(es) {duplicates} appear twice in 'cluster'",
                    "Every task needs its own host:port (on one machine: a different port each).")
    if len(cluster.get("chief", [])) > 1:
        raise _fail(f"{len(cluster['chief'])} chiefs in 'cluster'", "A cluster has at most one chief.")
    if "chief" not in cluster and "worker" not in cluster:
        raise _fail("no 'chief' and no 'worker' in 'cluster': nobody would train",
                    "Add \"worker\": [...] (worker 0 is then the chief).")
    task = config.get("task")
    if not isinstance(task, dict) or "type" not in task or "index" not in task:
        raise _fail(f"no 'task' with 'type' and 'index' (got {task!r})",
                    "Add \"task\": {\"type\": \"worker\", \"index\": i}, a different i on every machine.")
    task_type, index = task["type"], task["index"]
    if task_type not in cluster:
        raise _fail(f"task type {task_type!r} is not a job of 'cluster' ({', '.join(cluster)})",
                    "Use one of the cluster's job names.")
    if task_type == "evaluator":
        raise _fail("this process is the 'evaluator', which this script does not implement",
                    "Run only the chief and the workers with this script.")
    size = len(cluster[task_type])
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < size:
        raise _fail(f"task index {index!r} is out of range: cluster['{task_type}'] has {size} address(es), "
                    f"so the index must be 0 to {size - 1}",
                    "Give each machine its own index into its job's list.")
    chiefs, workers = len(cluster.get("chief", [])), len(cluster.get("worker", []))
    rank = index if task_type == "chief" else chiefs + index
    return Task(cluster={job: list(hosts) for job, hosts in cluster.items()}, type=task_type, index=index,
                rank=rank, num_workers=chiefs + workers)


def free_ports(n: int, host: str = "127.0.0.1") -> list[int]:
    """Return n distinct TCP ports that were free on `host` a moment ago (all held open while choosing)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in sockets:
            s.bind((host, 0))
        return [s.getsockname()[1] for s in sockets]


def local_tf_configs(n: int, host: str = "127.0.0.1", ports: Sequence[int] | None = None) -> list[str]:
    """Return the TF_CONFIG (JSON string) of each of n workers on one host, free ports picked now.

    Worker 0 is the chief. The `cluster` part is the same in all n; only `task.index` differs.
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive number of workers, got {n!r}")
    ports = free_ports(n, host) if ports is None else list(ports)
    if len(ports) != n:
        raise ValueError(f"{n} workers need {n} ports, got {len(ports)}")
    cluster = {"worker": [f"{host}:{port}" for port in ports]}
    return [json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}) for i in range(n)]


# ------------------------------------------------------------------------------------ the launcher


@dataclass
class Worker:
    """One worker process started by `launch_local_workers`, and the lines it printed so far."""

    index: int
    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None


_ECHO_LOCK = threading.Lock()   # one reader thread per worker: whole lines, never two interleaved


def _read_lines(worker: Worker, echo: bool | re.Pattern) -> None:
    for line in worker.process.stdout:          # until the process closes its output
        line = line.rstrip("\n")
        worker.lines.append(line)
        if echo is True or (echo and echo.search(line)):
            with _ECHO_LOCK:
                sys.stdout.write(line + "\n")   # one write: print() writes the line and "\n" separately
                sys.stdout.flush()


def stop_workers(workers: Sequence[Worker], grace: float = 2.0) -> None:
    """Stop every worker still running: SIGTERM, then SIGKILL after `grace` seconds; wait for each to go.

    Once its strategy exists a worker ignores SIGTERM: TensorFlow's coordination service catches it
    (`tsl::SigtermNotifier`, a preemption notice), so SIGKILL is what stops it.
    """
    for worker in workers:
        if worker.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.process.pid, signal.SIGTERM)   # its own process group (start_new_session)
    deadline = time.monotonic() + grace
    for worker in workers:
        try:
            worker.process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait()
    for worker in workers:
        if worker.reader is not None:
            worker.reader.join(timeout=5)
        if worker.process.stdout is not None:
            worker.process.stdout.close()


@contextlib.contextmanager
def launch_local_workers(n: int, args: Sequence[str] = (), *, tf_configs: Sequence[str] | None = None,
                         echo: bool | str = r"^\[", env: dict[str, str] | None = None,
                         python: str = sys.executable, script: Path = SCRIPT) -> Iterator[list[Worker]]:
    """Yield n running workers of this script (one process each, each with its own TF_CONFIG); stop them all.

    `args` go to every worker's command line; `tf_configs` default to `local_tf_configs(n)` on 127.0.0.1.
    Every line a worker prints is kept in `worker.lines`; the lines matching the regular expression `echo`
    (default: the script's own "[worker i/n] ..." lines) are printed as they come (True: all, False: none).
    The workers run on the CPU (CUDA_VISIBLE_DEVICES=""): several processes must not share one GPU here.
    When the block ends, normally or by an exception (a timeout, a failed assert, KeyboardInterrupt), every
    worker still running is stopped and waited for; a worker whose launcher is killed exits by itself.
    `script` runs another program instead of this one (the tests use it).
    """
    tf_configs = local_tf_configs(n) if tf_configs is None else list(tf_configs)
    if len(tf_configs) != n:
        raise ValueError(f"{n} workers need {n} TF_CONFIGs, got {len(tf_configs)}")
    pattern = re.compile(echo) if isinstance(echo, str) else echo
    workers: list[Worker] = []
    try:
        for index, tf_config in enumerate(tf_configs):
            worker_env = {**os.environ, **(env or {}), "TF_CONFIG": tf_config, "CUDA_VISIBLE_DEVICES": "",
                          "PYTHONUNBUFFERED": "1", PARENT_ENV: str(os.getpid())}
            process = subprocess.Popen([python, str(script), *map(str, args)], env=worker_env, cwd=ROOT,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, bufsize=1,
                                       start_new_session=True)   # its own group: stopped with its children
            worker = Worker(index, process)
            workers.append(worker)
            worker.reader = threading.Thread(target=_read_lines, args=(worker, pattern), daemon=True)
            worker.reader.start()
        yield workers
    finally:
        stop_workers(workers)


def wait_for_line(worker: Worker, pattern: str, timeout: float) -> str:
    """Return the first line of `worker` matching the regular expression; TimeoutError if none in time."""
    regex, deadline = re.compile(pattern), time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        lines = worker.lines[seen:]
        for line in lines:
            if regex.search(line):
                return line
        seen += len(lines)
        if worker.process.poll() is not None and not worker.reader.is_alive() and seen == len(worker.lines):
            raise RuntimeError(f"worker {worker.index} exited (code {worker.process.returncode}) without "
                               f"printing a line matching {pattern!r}; its last lines:\n"
                               + "\n".join(worker.lines[-15:]))
        time.sleep(0.05)
    raise TimeoutError(f"worker {worker.index} printed no line matching {pattern!r} in {timeout} s")


def wait_workers(workers: Sequence[Worker], timeout: float) -> list[int]:
    """Return the workers' exit codes once all have exited; TimeoutError (with their last lines) if not."""
    deadline = time.monotonic() + timeout
    for worker in workers:
        try:
            worker.process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            running = [w.index for w in workers if w.process.poll() is None]
            tails = "\n".join(f"--- worker {w.index}:\n" + "\n".join(w.lines[-10:]) for w in workers)
            raise TimeoutError(f"worker(s) {running} still running after {timeout} s\n{tails}") from None
    for worker in workers:
        worker.reader.join(timeout=5)
    return [worker.process.returncode for worker in workers]


# ---------------------------------------------------------------------------------------- training


def _exit_with_parent() -> None:
    """When started by launch_local_workers: exit as soon as the launcher is gone, even if it was killed."""
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return

    def watch() -> None:
        while os.getppid() == int(parent):
            time.sleep(0.5)
        os._exit(EXIT_PEER_LOST)

    threading.Thread(target=watch, daemon=True).start()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Return the command-line arguments (the same on every worker)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True, help="folder for the chief's model and metrics")
    parser.add_argument("--backup", type=Path, default=None,
                        help="BackupAndRestore folder, readable by every worker (default: OUTPUT/backup)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--global-batch", type=int, default=64, help="sequences per step, all workers")
    parser.add_argument("--examples", type=int, default=None, help="train on the first N paragraphs only")
    parser.add_argument("--vocab-size", type=int, default=5000)
    parser.add_argument("--sequence-length", type=int, default=100)
    parser.add_argument("--units", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0,
                        help="TensorFlow threads per op (0: TensorFlow's choice; 1 when workers share a CPU)")
    parser.add_argument("--collective-timeout", type=float, default=60.0,
                        help="seconds an all-reduce may wait for a peer before it fails (0: forever)")
    parser.add_argument("--epoch-delay", type=float, default=0.0,
                        help="seconds to pause after each epoch's backup (a window to interrupt a demo)")
    args = parser.parse_args(argv)
    for name in ("epochs", "global_batch", "vocab_size", "sequence_length", "units"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.examples is not None and args.examples < args.global_batch:
        parser.error(f"--examples {args.examples} is less than one global batch ({args.global_batch})")
    if args.backup is None:
        args.backup = args.output / "backup"
    return args


def worker_temp(folder: Path, task: Task | None) -> Path:
    """Return where this process writes what `folder` is for: `folder` itself on the chief, else a temporary.

    As in TensorFlow's multi-worker guide: a non-chief writes into `<folder>_workertemp_<rank>` (the same path
    after a restart, so a killed worker leaves no second copy) and deletes it when done.
    """
    folder = Path(folder)
    if task is None or task.is_chief:
        return folder
    return folder.with_name(f"{folder.name}_workertemp_{task.rank}")


def read_backup_epoch(backup_dir: Path) -> int:
    """Return the number of epochs completed in the BackupAndRestore backup in `backup_dir` (0: none)."""
    path = Path(backup_dir) / "training_metadata.json"
    return int(json.loads(path.read_text())["epoch"]) if path.is_file() else 0


def make_backup_callback(keras, backup_dir: Path, task: Task | None):
    """Return a BackupAndRestore that restores every worker from `backup_dir`, where only the chief writes.

    Keras 3's BackupAndRestore (keras/src/callbacks/backup_and_restore.py, the same in 3.10 to 3.15) knows
    nothing of workers, unlike tf.keras's: every process writes `latest.weights.h5` and
    `training_metadata.json` into `backup_dir` after each epoch (two processes writing one HDF5 file),
    restores from it in `on_train_begin`, and deletes the folder in `on_train_end`. We keep its code and move
    only the writing: after the restore, a non-chief points its write paths at its own temporary folder
    (`worker_temp`), which the callback then deletes at the end. All workers therefore restore the one
    backup the chief wrote, the same weights and epoch for all, which the all-reduce requires; so
    `backup_dir` must be readable by every worker (a shared file system or bucket on real machines).
    """
    write_dir = worker_temp(backup_dir, task)

    class ChiefBackupAndRestore(keras.callbacks.BackupAndRestore):
        def on_train_begin(self, logs=None):
            super().on_train_begin(logs)                       # every worker reads the chief's backup
            if write_dir != Path(backup_dir):
                shutil.rmtree(write_dir, ignore_errors=True)   # what a killed run of this worker left
                self.backup_dir = str(write_dir)
                self._weights_path = str(write_dir / "latest.weights.h5")
                self._training_metadata_path = str(write_dir / "training_metadata.json")
                self._prev_weights_path = f"{self._weights_path}.bkp"
                self._prev_training_metadata_path = f"{self._training_metadata_path}.bkp"

    return ChiefBackupAndRestore(str(backup_dir))


def load_data(vocab_size: int, sequence_length: int, examples: int | None):
    """Return (x, y): notebook 11's training paragraphs as word ids (examples, sequence_length), labels."""
    import keras

    from utils import data

    train, _, _ = data.load_brown_genres()
    vectorizer = keras.layers.TextVectorization(vocab_size, output_sequence_length=sequence_length)
    vectorizer.adapt(train["text"].to_numpy())
    x = vectorizer(train["text"].to_numpy()).numpy()        # (examples, time) int64, zeros on the right
    y = train["label"].to_numpy()
    return x[:examples], y[:examples]


def multiworker_sequential(keras, tf):
    """Return a keras.Sequential subclass that `fit` trains under MultiWorkerMirroredStrategy (Keras 3.10+).

    Keras 3's `fit` fails under MultiWorkerMirroredStrategy with two or more workers, in two places (read
    in keras/src/backend/tensorflow/trainer.py; keras-team/keras#20585, tensorflow/tensorflow#72388):
    1. `_maybe_symbolic_build` all-reduces the first (x, y) batch to learn its shapes, and this strategy's
       `reduce` takes no tuple ("Attempt to convert a value (PerReplica...)"). A model built from
       `keras.Input`, with its optimizer built, has nothing to learn from that batch: we skip the step.
    2. Every step, `reduce_per_replica(..., "auto")` averages the step's logs with
       `strategy.reduce("MEAN", v, axis=0)`, which fails for a scalar loss ("Invalid reduction dimension 0
       for input with 0 dimensions"). We return each log as a vector of one element, which that reduce
       averages correctly. The epoch's logs, which the callbacks see, are the metrics read afterwards.
    Without MultiWorkerMirroredStrategy both changes do nothing.
    """

    def multi_worker(strategy) -> bool:
        return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)

    class MultiWorkerSequential(keras.Sequential):
        def _maybe_symbolic_build(self, iterator=None, data_batch=None):
            if multi_worker(self.distribute_strategy) and self.built and self.optimizer.built:
                return None
            return super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

        def train_step(self, data):
            logs = super().train_step(data)
            if multi_worker(self.distribute_strategy):
                logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
            return logs

    return MultiWorkerSequential


def build_classifier(vocab_size: int, units: int, sequence_length: int, seed: int, distributed: bool = False):
    """Return notebook 11's uncompiled Embedding -> LSTM -> Dense(4) classifier, its weights seeded.

    distributed=True: the same model, of a class that `fit` can train under MultiWorkerMirroredStrategy.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    sequential = multiworker_sequential(keras, tf) if distributed else keras.Sequential
    return sequential([
        keras.Input((sequence_length,), dtype="int32"),
        keras.layers.Embedding(vocab_size, units, mask_zero=True),   # (batch, time, units) and a mask
        keras.layers.LSTM(units),                                    # (batch, units)
        keras.layers.Dense(4, dtype="float32"),                      # (batch, 4) logits
    ])


def peer_error(error: Exception) -> str:
    """Return the telling part of a collective's error: which peer stopped answering, or what timed out."""
    message = str(error)
    for marker in ("The following tasks are unhealthy", "Collective ops is aborted by: ", "timed out"):
        if marker in message:
            lines = message[message.index(marker):].splitlines()
            return " ".join(lines[:2] if len(lines) > 1 and lines[1].startswith("/job:") else lines[:1])
    return message.splitlines()[0][:200] if message else ""


def train(args: argparse.Namespace, task: Task | None) -> int:
    """Train under the strategy TF_CONFIG describes (none: one process), the chief saves; return exit code."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    sys.path.insert(0, str(ROOT))
    from utils import setup  # imports TensorFlow and Keras with their start-up lines silenced

    tf, keras, np = setup.tf, setup.keras, setup.np
    tf.get_logger().setLevel("ERROR")
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(max(2, args.threads))   # collectives need 2
    label = task.label if task else "[one process]"
    if task:
        # The first TensorFlow call that builds anything: it starts this worker's server, then waits for
        # every peer to join. RING is the collective implementation for CPUs (NCCL is for GPUs).
        # timeout_seconds turns an all-reduce stuck on a live but silent peer into an error; a peer that
        # dies is caught sooner, by the coordination service's heartbeats (about 10 s, TF 2.19 to 2.21).
        options = tf.distribute.experimental.CommunicationOptions(
            implementation=tf.distribute.experimental.CommunicationImplementation.RING,
            timeout_seconds=args.collective_timeout or None)
        strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    else:
        strategy = tf.distribute.get_strategy()
    tf.config.experimental.enable_op_determinism()
    start = time.perf_counter()

    x, y = load_data(args.vocab_size, args.sequence_length, args.examples)
    # The same global batches, in the same order, as the one-process run. The strategy cuts each global
    # batch into one part per replica and deals the parts out in order (AutoShardPolicy.DATA: there are
    # no files to shard by), so worker i always gets the i-th part of every batch.
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(args.global_batch, drop_remainder=True)
    data_options = tf.data.Options()
    data_options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = dataset.with_options(data_options).cache()

    with strategy.scope():                                      # variables are mirrored on every worker
        model = build_classifier(args.vocab_size, args.units, args.sequence_length, args.seed,
                                 distributed=True)
        model.compile(optimizer=keras.optimizers.Adam(args.learning_rate),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.optimizer.build(model.trainable_variables)

    restored = read_backup_epoch(args.backup)
    print(f"{label} restored from epoch {restored}" if restored else f"{label} no backup: starts at epoch 0",
          flush=True)
    epoch_losses: dict[int, float] = {}

    def log_epoch(epoch: int, logs: dict) -> None:
        epoch_losses[epoch + 1] = float(logs["loss"])       # fit's mean over the epoch, all workers together
        print(f"{label} epoch {epoch + 1}/{args.epochs} loss {epoch_losses[epoch + 1]:.4f}, backed up",
              flush=True)
        time.sleep(args.epoch_delay)

    callbacks = [make_backup_callback(keras, args.backup, task),          # first: the line below follows it
                 keras.callbacks.LambdaCallback(on_epoch_end=log_epoch)]
    lost_peer = (tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.AbortedError,
                 tf.errors.CancelledError)
    try:
        model.fit(dataset, epochs=args.epochs, verbose=0, shuffle=False, callbacks=callbacks)
    except lost_peer as error:
        if task is None:
            raise
        print(f"{label} stopped, a peer is lost ({type(error).__name__}: {peer_error(error)}). Restart "
              f"every worker: they resume from the backup of epoch {read_backup_epoch(args.backup)}.",
              flush=True)
        return EXIT_PEER_LOST
    seconds = time.perf_counter() - start

    # Every worker runs the same saving code; a non-chief writes into a temporary folder and deletes it.
    weights = [np.asarray(w) for w in model.get_weights()]
    plain = build_classifier(args.vocab_size, args.units, args.sequence_length, args.seed)   # no strategy
    plain.set_weights(weights)
    folder = worker_temp(args.output, task)
    folder.mkdir(parents=True, exist_ok=True)
    plain.save(folder / "model.keras")          # a plain keras.Sequential: keras.models.load_model reads it
    if folder != Path(args.output):
        shutil.rmtree(folder, ignore_errors=True)
        print(f"{label} done", flush=True)
        return 0
    # The final training loss of the final weights, computed alike in every run: one process, no strategy,
    # the whole training set (fit's epoch loss is a mean over weights that change during the epoch).
    logits = plain.predict(x, batch_size=512, verbose=0)                   # (examples, 4)
    final_loss = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits))
    metrics = {"workers": task.num_workers if task else 1, "global_batch": args.global_batch,
               "epochs": args.epochs, "restored_from_epoch": restored, "epochs_run": sorted(epoch_losses),
               "epoch_losses": epoch_losses, "final_loss": final_loss, "seconds": round(seconds, 2)}
    np.savez(folder / "weights.npz", *weights)
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=1))
    print(f"{label} done: final loss {final_loss:.4f}, {seconds:.1f} s", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Check TF_CONFIG and the arguments, then train; return the exit code."""
    args = parse_args(argv)
    try:
        task = parse_tf_config(os.environ.get("TF_CONFIG"))
    except TFConfigError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return EXIT_BAD_CONFIG
    if task and args.global_batch % task.num_workers:
        print(f"error: --global-batch {args.global_batch} does not split evenly over {task.num_workers} "
              f"workers; use a multiple of {task.num_workers}, so that every worker's loss is a mean over "
              "as many sequences as the others'.", file=sys.stderr, flush=True)
        return EXIT_BAD_CONFIG
    _exit_with_parent()
    return train(args, task)


if __name__ == "__main__":
    sys.exit(main())
