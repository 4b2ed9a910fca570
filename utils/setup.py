"""Notebook setup: seeds, determinism, version checks, the device, and a distribution strategy; imported by
every notebook (01-12).

Every notebook calls `init(seed=...)` once, right after its imports:

    from utils import setup
    setup.init(seed=42)

It prints one line such as
``TensorFlow 2.21.0 | Keras 3.15.1 | Python 3.11.7 | device: CPU (2 cores) | seed 42, deterministic ops
(CPU default)`` (on one line).

Determinism policy: TensorFlow's op determinism is on by default on a CPU (cheap there, and the committed
notebook outputs rely on it) and off by default on a GPU or TPU, where some kernels raise `UnimplementedError`
under it (e.g. `DenseBincount`, used by `TextVectorization` for counts and TF-IDF) and training has been
reported to run many times slower (tensorflow/tensorflow#62100). `init(seed, deterministic=True)` forces it
anywhere, `deterministic=False` turns it off anywhere. See CONTRIBUTING.md, "Determinism".
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import re
import sys

# Keep TensorFlow's C++ log lines out of notebook outputs. Level 3 also hides C++ "E" lines, which in
# TF 2.21 include a harmless one printed at every `fit` ("NodeDef mentions attribute
# use_unbounded_threadpool"); Python exceptions are not affected. It works only if set before TensorFlow is
# first imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402


@contextlib.contextmanager
def quiet_native_stderr():
    """Yield with the process's file descriptor 2 sent to /dev/null (silences C++ log lines, not Python)."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


# TensorFlow writes start-up lines (oneDNN notice, CUDA probes on machines without a GPU) straight to the
# C-level stderr, before its logging can be configured; on Jupyter they would end up in the cell output.
with quiet_native_stderr():
    import keras  # noqa: E402
    import tensorflow as tf  # noqa: E402

    tf.config.list_physical_devices("GPU")  # the CUDA probe logs here, once

# The version floor: the oldest TensorFlow and Keras these notebooks run on (Colab's oldest selectable one).
# One fact: tests/test_setup.py checks it equals constraints-oldest.txt, requirements.txt and README.md.
MIN_TENSORFLOW = (2, 19)
MIN_KERAS = (3, 10)
REPO = "rnn-notebooks/rnn-notebooks"  # GitHub owner/name: the Colab badges and the Colab clone use it
REPO_URL = f"https://github.com/{REPO}"
REPO_URL_ENV = "RNN_NOTEBOOKS_REPO_URL"  # overrides REPO_URL in the notebooks' Colab set-up cell (a fork)


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


INSTALL_HINT = (f"pip install -r requirements.txt  (or, on Colab: pip install -U "
                f"'tensorflow>={_dotted(MIN_TENSORFLOW)}' 'keras>={_dotted(MIN_KERAS)}', "
                "then restart the session)")


class VersionError(RuntimeError):
    """Raised when the installed TensorFlow or Keras is too old (or Keras 2) for these notebooks."""


def _version_tuple(version: str) -> tuple[int, ...]:
    """Return the leading numeric parts of a version string: '2.21.0rc1' -> (2, 21, 0)."""
    parts = []
    for piece in version.split(".")[:3]:
        digits = re.match(r"\d+", piece)
        if not digits:
            break
        parts.append(int(digits.group()))
    if not parts:
        raise ValueError(f"cannot read a version number from {version!r}")
    return tuple(parts)


def check_versions(tensorflow_version: str, keras_version: str) -> None:
    """Return None if the versions are supported; raise VersionError saying what to install otherwise."""
    problems = []
    if _version_tuple(tensorflow_version) < MIN_TENSORFLOW:
        problems.append(f"TensorFlow {tensorflow_version} is older than {_dotted(MIN_TENSORFLOW)}")
    if _version_tuple(keras_version) < (3,):
        problems.append(
            f"Keras {keras_version} is Keras 2; these notebooks need Keras {_dotted(MIN_KERAS)} or newer "
            "(if TF_USE_LEGACY_KERAS is set, unset it)"
        )
    elif _version_tuple(keras_version) < MIN_KERAS:
        problems.append(f"Keras {keras_version} is older than {_dotted(MIN_KERAS)}")
    if problems:
        raise VersionError("; ".join(problems) + f". Install supported versions with: {INSTALL_HINT}")


def in_colab() -> bool:
    """Return True when running inside Google Colab."""
    return "google.colab" in sys.modules


def colab_url(notebook: str) -> str:
    """Return the 'Open in Colab' address of a notebook of this repository, e.g. '01_simple_rnn.ipynb'."""
    return f"https://colab.research.google.com/github/{REPO}/blob/main/notebooks/{notebook}"


def describe_device() -> str:
    """Return the device TensorFlow uses, in words: 'TPU (8 cores)', 'GPU: <name>' or 'CPU (n cores)'."""
    if tf.config.list_logical_devices("TPU"):
        return f"TPU ({len(tf.config.list_logical_devices('TPU'))} cores)"
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
        return "GPU: " + ", ".join(names)
    return f"CPU ({os.cpu_count()} cores)"


def _figure_defaults() -> None:
    """Set matplotlib defaults for lecture-hall figures (no effect if matplotlib is not installed)."""
    try:
        import matplotlib as mpl
    except ImportError:
        return
    mpl.rcParams.update({"font.size": 12, "axes.titlesize": 13, "axes.grid": True, "grid.alpha": 0.3,
                         "figure.figsize": (9, 3.5), "legend.fontsize": 11})


def accelerator_kind(device: str) -> str | None:
    """Return 'GPU' or 'TPU' for a `describe_device()` text naming one, else None (a CPU-only run)."""
    return next((kind for kind in ("GPU", "TPU") if device.startswith(kind)), None)


def determinism_policy(deterministic: bool | None, device_kind: str | None) -> tuple[bool, str]:
    """Return (turn op determinism on?, the reason in words) for a requested setting and a device kind."""
    if deterministic is not None and not isinstance(deterministic, bool):
        raise ValueError(f"deterministic must be True, False or None (automatic), got {deterministic!r}")
    if deterministic is True:
        return True, "deterministic ops (forced by deterministic=True)"
    if deterministic is False:
        return False, "op determinism off (deterministic=False)"
    if device_kind is None:
        return True, "deterministic ops (CPU default)"
    return False, (f"op determinism off ({device_kind} default: some kernels raise or run slowly under it; "
                   "init(deterministic=True) forces it)")


def set_op_determinism(on: bool) -> None:
    """Turn TensorFlow's op determinism on or off for this process (off only undoes an earlier `on`)."""
    if on:
        tf.config.experimental.enable_op_determinism()
        return
    # TensorFlow has no public "disable"; the module behind enable_op_determinism has one (TF 2.9 and newer).
    from tensorflow.python.framework import config as tf_config

    if getattr(tf_config, "is_op_determinism_enabled", lambda: False)():
        tf_config.disable_op_determinism()


def init(seed: int = 42, *, deterministic: bool | None = None, expect_gpu: bool = False) -> None:
    """Seed and configure TensorFlow/Keras for a reproducible run, and print a one-line summary.

    - seeds Python's `random`, NumPy and TensorFlow through `keras.utils.set_random_seed(seed)`;
    - op determinism (see the module docstring): `deterministic=None` (default) turns it on on a CPU and off
      on a GPU or TPU; `True` forces it on (on a GPU a few ops then raise instead of running); `False`, off;
    - checks TensorFlow and Keras against the floor (MIN_TENSORFLOW, MIN_KERAS) and raises `VersionError` with
      the install command otherwise;
    - sets matplotlib's defaults for figures that stay readable when projected (12 pt text, light grid);
    - prints the versions, the device and the determinism in force; on Colab without a GPU when `expect_gpu`
      is set, how to get one.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    check_versions(tf.__version__, keras.__version__)
    if keras.backend.backend() != "tensorflow":
        raise VersionError(
            f"Keras is using the {keras.backend.backend()!r} backend; these notebooks need TensorFlow. "
            "Set os.environ['KERAS_BACKEND'] = 'tensorflow' before importing keras, then restart the kernel."
        )
    device = describe_device()
    device_kind = accelerator_kind(device)
    turn_on, reason = determinism_policy(deterministic, device_kind)
    tf.get_logger().setLevel("ERROR")
    keras.utils.set_random_seed(seed)  # seeds random, numpy and tensorflow together
    random.seed(seed)
    np.random.seed(seed)
    set_op_determinism(turn_on)
    if device_kind == "GPU":
        # Ampere and newer GPUs run float32 matrix products in TF32 (a 10-bit mantissa) by default: the
        # notebooks' NumPy-vs-Keras checks (1e-5 and tighter) need real float32.
        tf.config.experimental.enable_tensor_float_32_execution(False)
        reason += ", TF32 off"
    _figure_defaults()
    line = (
        f"TensorFlow {tf.__version__} | Keras {keras.__version__} | Python {platform.python_version()} | "
        f"device: {device} | seed {seed}, {reason}"
    )
    print(line)
    if expect_gpu and device_kind is None:
        hint = "Runtime > Change runtime type > GPU, then run all again" if in_colab() else "no GPU found"
        print(f"This notebook runs faster on a GPU ({hint}); it still runs on the CPU, only slower.")


def get_strategy():
    """Return the best `tf.distribute.Strategy` available: TPUStrategy, MirroredStrategy (2+ GPUs) or default.

    Build and compile models inside `with strategy.scope():`; the global batch size is
    `per_replica_batch * strategy.num_replicas_in_sync`.
    """
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()  # finds a Colab/Cloud TPU, else raises
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    except (ValueError, RuntimeError, tf.errors.NotFoundError):
        pass
    if len(tf.config.list_logical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
