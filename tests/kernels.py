"""Run code in fresh Jupyter kernels for the tests (the set-up cell test and the `make lab` test)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def first_code_cells(notebook: Path, count: int) -> list[str]:
    """Return the sources of the first `count` code cells of a notebook."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"][:count]


def run_in_fresh_kernel(sources: list[str], cwd: Path, timeout: int = 180) -> list[dict]:
    """Return the outputs of each source, run as cells in order in a new kernel started in `cwd`.

    Errors do not raise: a cell that fails has an output of type 'error', and the cells after it do not run.
    """
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute()
    except Exception:  # noqa: BLE001 - CellExecutionError and kernel deaths: the outputs say what happened
        pass
    return [cell.get("outputs", []) for cell in nb.cells]


def text_of(outputs: list[dict]) -> str:
    """Return everything a cell printed to stdout."""
    return "".join(o.get("text", "") for o in outputs
                   if o.get("output_type") == "stream" and o["name"] == "stdout")


def error_of(outputs: list[dict]) -> str | None:
    """Return 'Name: message' of a cell's error output, or None."""
    error = next((o for o in outputs if o.get("output_type") == "error"), None)
    return None if error is None else f"{error['ename']}: {error['evalue']}"
