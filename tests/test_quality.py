"""Quality gates: lint, notebook hygiene, repository size, the runtime table and the time budgets."""

from __future__ import annotations

import base64
import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests import notebook_budget
from tools.execute_notebooks import rewrite_readme_minutes

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_REPO_BYTES = 25_000_000  # tracked files in all; data/ alone is capped at 8 MB
MAX_DATA_BYTES = 8_000_000
MAX_IMAGE_BYTES = 250_000
MAX_IMAGE_PIXELS = (1800, 1400)  # width, height
MACHINE_PATHS = re.compile(r"(/home/\w|/Users/\w|/root/|/work/|/tmp/|/content/drive|[A-Z]:\\\\Users)")
SHELL_INSTALL = re.compile(r"^\s*[!%]\s*(pip|wget|curl|apt|conda)\b", re.MULTILINE)
COLAB_ONLY = '"google.colab" in sys.modules'


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def test_ruff_passes_on_utils_tests_tools_and_notebooks():
    paths = ["utils", "tests", "tools", "conftest.py", "notebooks"]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *paths], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_hygiene(path):
    problems = []
    for i, cell in enumerate(_cells(path)):
        source = _source(cell)
        outputs = json.dumps(cell.get("outputs", []))
        if match := MACHINE_PATHS.search(source + outputs):
            problems.append(f"cell {i}: a path of one machine ({match.group(0)!r}) in the source or outputs")
        if SHELL_INSTALL.search(source) and COLAB_ONLY not in source:
            problems.append(f"cell {i}: a shell install/download outside a Colab-only cell")
        for out in cell.get("outputs", []):
            if out.get("name") == "stderr":
                text = "".join(out["text"])[:120]
                problems.append(f"cell {i}: stderr output left in the notebook: {text!r}")
            png = out.get("data", {}).get("image/png")
            if png:
                raw = base64.b64decode(png)
                width, height = struct.unpack(">II", raw[16:24])
                if len(raw) > MAX_IMAGE_BYTES or width > MAX_IMAGE_PIXELS[0] or height > MAX_IMAGE_PIXELS[1]:
                    problems.append(f"cell {i}: image {width}x{height} px, {len(raw) // 1000} KB: too large")
    assert problems == []


def _tracked_files() -> list[Path]:
    try:
        listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / name for name in listing.decode().split("\0") if name and (ROOT / name).is_file()]


def test_repository_size_is_bounded():
    files = _tracked_files()
    total = sum(f.stat().st_size for f in files)
    data = sum(f.stat().st_size for f in files if f.relative_to(ROOT).parts[0] == "data")
    assert total < MAX_REPO_BYTES, f"tracked files: {total / 1e6:.1f} MB (limit {MAX_REPO_BYTES / 1e6:.0f})"
    assert data < MAX_DATA_BYTES, f"data/ takes {data / 1e6:.1f} MB (limit {MAX_DATA_BYTES / 1e6:.0f})"


def test_readme_minutes_come_from_the_runtime_command():
    times = json.loads((ROOT / "notebooks" / "times.json").read_text())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert path.name in times, f"{path.name} has no measured time: run `make times`"
        row = next(line for line in readme.splitlines() if f"(notebooks/{path.name})" in line)
        minutes = row.rstrip().rstrip("|").split("|")[-1].strip()
        expected = f"{times[path.name]['seconds'] / 60:.1f}"
        assert minutes == expected, f"README row of {path.name}: run `make times`"


def test_rewrite_readme_minutes(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("| # | notebook | minutes |\n|---|---|---|\n| 01 | [A](notebooks/01_a.ipynb) | ? |\n")
    assert rewrite_readme_minutes({"01_a.ipynb": {"seconds": 75.0}}, readme) == 1
    assert readme.read_text().splitlines()[-1] == "| 01 | [A](notebooks/01_a.ipynb) | 1.2 |"


def test_budgets():
    assert notebook_budget.budget_seconds("01_x.ipynb") == 180
    assert notebook_budget.budget_seconds("08_seq2seq.ipynb") == 300
    assert notebook_budget.over_budget({"01_x.ipynb": 170, "09_y.ipynb": 290}) == []
    assert notebook_budget.over_budget({"01_x.ipynb": 200}) == ["01_x.ipynb: 200 s, over its budget of 180 s"]
    assert notebook_budget.over_budget({"01_x.ipynb": 200}, margin=1.5) == []


def test_budget_margin_from_env(monkeypatch):
    monkeypatch.setenv(notebook_budget.MARGIN_ENV, "1.5")
    assert notebook_budget.margin_from_env() == 1.5
    for bad in ("fast", "0.5"):
        monkeypatch.setenv(notebook_budget.MARGIN_ENV, bad)
        with pytest.raises(ValueError, match="NOTEBOOK_TIME_MARGIN must be a number >= 1"):
            notebook_budget.margin_from_env()
