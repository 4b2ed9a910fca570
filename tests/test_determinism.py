"""Determinism: a notebook run twice in fresh kernels prints the same numbers (not so without a seed)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHOSEN = ROOT / "notebooks" / "01_sequences_and_simple_rnn.ipynb"  # short, trains several seeded models
DURATION = re.compile(r"\b\d+(?:\.\d+)?\s?(?:s|ms|sec|seconds)\b")  # "in 19 s": wall times may differ


def printed_outputs(path: Path) -> list[str]:
    """Return, per code cell, what a fresh kernel printed (stdout and results), with durations masked."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   ).execute()
    texts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        parts = [out.get("text", "") for out in cell.outputs if out.get("name") == "stdout"]
        parts += [out.get("data", {}).get("text/plain", "") for out in cell.outputs
                  if out.get("output_type") == "execute_result"]
        texts.append(DURATION.sub("<duration>", "".join(parts)))
    return texts


def differences(first: list[str], second: list[str]) -> list[str]:
    """Return a description of each cell whose printed output differs between two runs."""
    return [f"cell {i}: {a!r} != {b!r}" for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]


def tiny_notebook(path: Path, seeded: bool) -> Path:
    """Return the path of a small notebook that prints a freshly initialised model's output."""
    seed_line = "setup.init(seed=1)" if seeded else "pass  # no seed"
    code = (f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom utils import setup\n{seed_line}\n"
            "import keras\nimport numpy as np\n"
            "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n"
            "print(model.predict(np.ones((1, 4)), verbose=0).round(6))")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbformat.write(nb, path)
    return path


@pytest.mark.determinism
def test_chosen_notebook_prints_the_same_numbers_twice(tmp_path):
    copy = tmp_path / CHOSEN.name
    copy.write_bytes(CHOSEN.read_bytes())
    (tmp_path / "utils").symlink_to(ROOT / "utils")  # the setup cell looks for utils/ above the notebook
    (tmp_path / "data").symlink_to(ROOT / "data")
    first, second = printed_outputs(copy), printed_outputs(copy)
    assert any("MAE" in text for text in first), "the chosen notebook printed no metrics"
    assert differences(first, second) == []


@pytest.mark.determinism
def test_check_detects_a_missing_seed(tmp_path):
    seeded = tiny_notebook(tmp_path / "seeded.ipynb", seeded=True)
    assert differences(printed_outputs(seeded), printed_outputs(seeded)) == []
    unseeded = tiny_notebook(tmp_path / "unseeded.ipynb", seeded=False)
    assert differences(printed_outputs(unseeded), printed_outputs(unseeded)) != []


def test_duration_mask():
    assert DURATION.sub("<d>", "3 runs in 19 s, 0.5 seconds, MAE 13.3") == "3 runs in <d>, <d>, MAE 13.3"
