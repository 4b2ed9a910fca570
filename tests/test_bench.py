"""utils/bench.py: the CPU run finishes within a minute and prints its table; bad arguments stop clearly."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools.notebook_rules import margin_from_env
from utils import bench

ROOT = Path(__file__).resolve().parents[1]
CPU_BUDGET_SECONDS = 60


@pytest.fixture(scope="module")
def cpu_run() -> tuple[str, float]:
    """Return what `python -m utils.bench --cpu` printed and how long it took (a fresh process: in this one,
    other tests may have turned on op determinism, which makes Keras refuse XLA)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "utils.bench", "--cpu"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout, seconds


def test_cpu_run_is_fast_enough(cpu_run):
    _, seconds = cpu_run
    limit = CPU_BUDGET_SECONDS * margin_from_env()
    assert seconds < limit, f"python -m utils.bench --cpu took {seconds:.0f} s (limit {limit:.0f} s)"


def test_cpu_run_prints_the_table(cpu_run):
    out, _ = cpu_run
    assert "device: CPU" in out
    lines = [line for line in out.splitlines() if line.startswith("| ")]
    header, body = lines[0], lines[1:]
    titles = [t.strip() for t in header.strip("|").split("|")]
    assert titles == ["cell", "batch x time x units", "generic f32", "generic f32 +XLA", "generic mixed",
                      "generic mixed +XLA", "cuDNN f32", "cuDNN mixed"]
    expected = [(cell.upper(), size) for cell in bench.CELLS for size in bench.CPU_SIZES]
    assert [tuple(c.strip() for c in line.strip("|").split("|")[:2]) for line in body] == expected
    for line in body:
        cells = [c.strip() for c in line.strip("|").split("|")][2:]
        assert float(cells[0].replace(",", "")) > 0 and float(cells[1].replace(",", "")) > 0, line
        assert cells[2:] == ["n/a (CPU)"] * 4, line  # mixed precision and cuDNN are GPU-only here


def test_run_returns_rows_and_skips_gpu_only_variants(monkeypatch):
    monkeypatch.setattr(bench, "measure", lambda *args: 123.0)  # the grid and the skips, without training
    rows = bench.run(["lstm", "gru"], [(8, 5, 4)], steps=1, warmup=1, on_gpu=False)
    assert len(rows) == 2 * len(bench.VARIANTS)
    measured = {(r["cell"], r["kernel"], r["precision"], r["xla"]) for r in rows if r["seq_per_s"] == 123.0}
    assert measured == {(c, "generic", "float32", x) for c in ("lstm", "gru") for x in (False, True)}
    assert all(r["note"] == "n/a (CPU)" for r in rows if r["seq_per_s"] is None)
    on_gpu = bench.run(["lstm"], [(8, 5, 4)], steps=1, warmup=1, on_gpu=True)
    assert all(r["seq_per_s"] == 123.0 for r in on_gpu)
    table = bench.format_table(rows, "CPU (2 cores)")
    assert "device: CPU (2 cores)" in table and "| LSTM | 8x5x4 | 123 | 123 | n/a (CPU) |" in table


def test_measure_returns_a_throughput():
    assert bench.measure("gru", (4, 3, 2), "generic", "float32", False, steps=1, warmup=1, repeats=2) > 0


@pytest.mark.parametrize("argv, message", [
    (["--sizes", "64x100"], "BATCHxTIMExUNITS"),
    (["--sizes", "0x10x10"], "between 1 and 100000"),
    (["--steps", "0"], "expected a whole number >= 1, got 0"),
    (["--warmup", "two"], "expected a whole number >= 1, got 'two'"),
    (["--repeats", "-1"], "expected a whole number >= 1, got -1"),
    (["--cells", "rnn"], "invalid choice: 'rnn'"),
    (["--fast"], "unrecognized arguments: --fast"),
])
def test_bad_arguments_stop_with_a_clear_message(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        bench.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_parse_size():
    assert bench.parse_size("64x100x128") == (64, 100, 128)
    assert bench.parse_size(" 1x2x3 ") == (1, 2, 3)
