"""Return (and print) the training throughput of LSTM and GRU layers: cuDNN vs generic kernel, precision, XLA.

No notebook imports this module; notebook 11 explains its table, `make bench` runs it.

    python -m utils.bench            # on a GPU: three sizes, every kernel/precision/XLA combination
    python -m utils.bench --cpu      # small sizes on the CPU, under a minute (the test suite runs this)
    python -m utils.bench --cells lstm --sizes 64x100x256 --steps 50

Each measurement builds `Input(time, features) -> LSTM|GRU(units) -> Dense(1)`, compiles it with Adam and MSE,
runs `--warmup` training steps (tracing, XLA compilation, cuDNN autotuning), then times `--steps` more steps
`--repeats` times and keeps the fastest run (the one least disturbed by other jobs). The steps reuse one batch
kept in memory, so the number is the model's speed, not the input pipeline's. It prints a Markdown table of
sequences per second (higher is better) with the device that produced it, ready for README.md.

Combinations that cannot run on the device stay in the table as "n/a" with the reason: the cuDNN kernel needs
an NVIDIA GPU; cuDNN ops are not XLA-compatible, so Keras turns XLA off for a cuDNN layer and that pair is
never measured; mixed precision (`mixed_float16`) is only timed on a GPU, because a CPU emulates float16
arithmetic and the number would say nothing about the GPU this table is for. A TPU is not benchmarked here
(notebook 11 shows `TPUStrategy` with `mixed_bfloat16`).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import warnings

from utils import setup  # first: it imports TensorFlow with its start-up log lines silenced

keras, tf, np = setup.keras, setup.tf, setup.np  # imported there, quietly

CELLS = ("lstm", "gru")
FEATURES = 32  # input features per time step
GPU_SIZES = ("64x100x128", "128x100x512", "64x500x256")  # batch x time x units
CPU_SIZES = ("32x20x32", "64x40x64")
# The table's columns: (kernel, precision, XLA). cuDNN + XLA is left out: Keras never runs them together.
VARIANTS = (("generic", "float32", False), ("generic", "float32", True), ("generic", "mixed", False),
            ("generic", "mixed", True), ("cudnn", "float32", False), ("cudnn", "mixed", False))
KEYS = ("cell", "batch", "time", "units", "kernel", "precision", "xla")  # what identifies a row
SIZE_PATTERN = re.compile(r"^(\d+)x(\d+)x(\d+)$")


def parse_size(text: str) -> tuple[int, int, int]:
    """Return (batch, time, units) from 'BATCHxTIMExUNITS'; argparse.ArgumentTypeError when malformed."""
    match = SIZE_PATTERN.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"size must look like BATCHxTIMExUNITS, e.g. 64x100x128: {text!r}")
    numbers = tuple(int(g) for g in match.groups())
    if min(numbers) < 1 or max(numbers) > 100_000:
        raise argparse.ArgumentTypeError(f"batch, time and units must be between 1 and 100000; got {text!r}")
    return numbers


def _positive(text: str) -> int:
    """Return text as an int >= 1; argparse.ArgumentTypeError otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser of `python -m utils.bench`."""
    parser = argparse.ArgumentParser(
        prog="python -m utils.bench",
        description="Training throughput (sequences/s) of LSTM and GRU: cuDNN vs generic kernel, "
                    "float32 vs mixed precision, with and without XLA.")
    parser.add_argument("--cpu", action="store_true",
                        help="hide any GPU and use small sizes: a CPU run of under a minute")
    parser.add_argument("--cells", nargs="+", choices=CELLS, default=list(CELLS), help="layers to time")
    parser.add_argument("--sizes", nargs="+", type=parse_size, metavar="BxTxU",
                        help=f"batch x time x units (default: {' '.join(GPU_SIZES)} on a GPU, "
                             f"{' '.join(CPU_SIZES)} on a CPU)")
    parser.add_argument("--steps", type=_positive,
                        help="timed training steps (default 30 on a GPU, 10 on a CPU)")
    parser.add_argument("--repeats", type=_positive, default=3,
                        help="time the steps this many times and keep the fastest, the run least disturbed "
                             "by other jobs (default 3)")
    parser.add_argument("--warmup", type=_positive, default=2,
                        help="untimed steps first: tracing, XLA compilation, cuDNN autotuning (default 2)")
    return parser


def _build_model(cell: str, time_steps: int, units: int, kernel: str) -> keras.Model:
    """Return Input -> LSTM|GRU -> Dense(1, float32), the recurrent layer forced onto the given kernel."""
    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell]
    return keras.Sequential([
        keras.Input((time_steps, FEATURES)),
        layer(units, use_cudnn=(kernel == "cudnn")),  # True: cuDNN or an error; False: the generic loop
        keras.layers.Dense(1, dtype="float32"),       # outputs and loss in float32 under mixed precision
    ])


def measure(cell: str, size: tuple[int, int, int], kernel: str, precision: str, xla: bool,
            steps: int, warmup: int, repeats: int = 1) -> float:
    """Return the training throughput in sequences/s of one (cell, size, kernel, precision, XLA) setting."""
    batch, time_steps, units = size
    previous_policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16" if precision == "mixed" else "float32")
    try:
        keras.utils.set_random_seed(0)
        model = _build_model(cell, time_steps, units, kernel)
        with warnings.catch_warnings(record=True) as caught:  # Keras warns when it turns XLA off
            warnings.simplefilter("always")
            model.compile(optimizer="adam", loss="mse", jit_compile=xla)
        if bool(model.jit_compile) != xla:
            reason = "; ".join(str(w.message) for w in caught) or "Keras changed jit_compile"
            raise RuntimeError(f"asked for jit_compile={xla}, got {model.jit_compile}: {reason}")
        rng = np.random.default_rng(0)
        x = rng.normal(size=(batch, time_steps, FEATURES)).astype("float32")   # (batch, time, features)
        y = rng.normal(size=(batch, 1)).astype("float32")
        dataset = tf.data.Dataset.from_tensors((x, y)).repeat()  # one batch in memory: no input cost
        model.fit(dataset, steps_per_epoch=warmup, epochs=1, verbose=0, shuffle=False)
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
            seconds.append(time.perf_counter() - start)
        return steps * batch / min(seconds)
    finally:
        keras.config.set_dtype_policy(previous_policy)


def skip_reason(kernel: str, precision: str, on_gpu: bool) -> str | None:
    """Return why a combination is not measured on this device ('n/a (...)'), or None to measure it."""
    if kernel == "cudnn" and not on_gpu:
        return "n/a (CPU)"  # the cuDNN kernel exists only on NVIDIA GPUs
    if precision == "mixed" and not on_gpu:
        return "n/a (CPU)"  # float16 is emulated on CPUs: a number that would mislead
    return None


def run(cells: list[str], sizes: list[tuple[int, int, int]], steps: int, warmup: int,
        on_gpu: bool, repeats: int = 1) -> list[dict]:
    """Return one row per (cell, size, variant): the settings, `seq_per_s` (float or None) and `note`."""
    rows = []
    for cell in cells:
        for size in sizes:
            for kernel, precision, xla in VARIANTS:
                row = {"cell": cell, "batch": size[0], "time": size[1], "units": size[2], "kernel": kernel,
                       "precision": precision, "xla": xla, "seq_per_s": None, "note": ""}
                reason = skip_reason(kernel, precision, on_gpu)
                if reason:
                    row["note"] = reason
                else:
                    try:
                        row["seq_per_s"] = measure(cell, size, kernel, precision, xla, steps, warmup, repeats)
                    except (RuntimeError, ValueError, tf.errors.OpError) as err:  # keep going, say why
                        row["note"] = f"failed: {str(err).splitlines()[0][:60]}"
                rows.append(row)
    return rows


def _column(kernel: str, precision: str, xla: bool) -> str:
    """Return a table column title such as 'generic f32 +XLA'."""
    return f"{'cuDNN' if kernel == 'cudnn' else 'generic'} {'mixed' if precision == 'mixed' else 'f32'}" + (
        " +XLA" if xla else "")


def format_table(rows: list[dict], device: str) -> str:
    """Return the Markdown table of `rows`: a line per (cell, size), a column per variant, in sequences/s."""
    titles = [_column(*variant) for variant in VARIANTS]
    lines = [f"Training throughput in sequences/s (higher is better); device: {device}", "",
             "| cell | batch x time x units | " + " | ".join(titles) + " |",
             "|---|---|" + "---:|" * len(titles)]
    keys = list(dict.fromkeys((r["cell"], r["batch"], r["time"], r["units"]) for r in rows))
    for cell, batch, time_steps, units in keys:
        cells = []
        for kernel, precision, xla in VARIANTS:
            wanted = (cell, batch, time_steps, units, kernel, precision, xla)
            row = next(r for r in rows if tuple(r[k] for k in KEYS) == wanted)
            cells.append(f"{row['seq_per_s']:,.0f}" if row["seq_per_s"] is not None else row["note"])
        lines.append(f"| {cell.upper()} | {batch}x{time_steps}x{units} | " + " | ".join(cells) + " |")
    lines += ["", "mixed = mixed_float16 (float16 compute, float32 weights, loss scaling). There is no cuDNN "
                  "+ XLA column: cuDNN ops cannot be XLA-compiled, so Keras turns XLA off for a cuDNN layer."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    """Parse the arguments, run the benchmark, print the table; return its rows (see `run`)."""
    args = build_parser().parse_args(argv)
    if args.cpu:
        tf.config.set_visible_devices([], "GPU")  # before TensorFlow places any op
    on_gpu = bool(tf.config.list_logical_devices("GPU"))
    device = setup.describe_device() if on_gpu else f"CPU ({os.cpu_count()} cores)"
    sizes = args.sizes or [parse_size(s) for s in (GPU_SIZES if on_gpu else CPU_SIZES)]
    steps = args.steps or (30 if on_gpu else 10)
    start = time.perf_counter()
    rows = run(args.cells, sizes, steps, args.warmup, on_gpu, args.repeats)
    print(format_table(rows, device))
    print(f"\nTensorFlow {tf.__version__}, Keras {keras.__version__}; per cell: {args.warmup} warm-up steps, "
          f"then the fastest of {args.repeats} runs of {steps} steps; "
          f"{time.perf_counter() - start:.0f} s in all.")
    sys.stdout.flush()
    return rows


if __name__ == "__main__":
    main()
