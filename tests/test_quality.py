"""Quality gates: lint, repository size and the runtime table (notebook rules: tests/test_notebooks.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools.execute_notebooks import rewrite_readme_minutes

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_REPO_BYTES = 25_000_000  # tracked files in all; data/ alone is capped at 8 MB
MAX_DATA_BYTES = 8_000_000


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def test_ruff_passes_on_utils_tests_tools_and_notebooks():
    paths = ["utils", "tests", "tools", "conftest.py", "notebooks"]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *paths], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


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
        assert path.name in times, f"{path.name} has no measured time: run `make execute`"
        row = next(line for line in readme.splitlines() if f"(notebooks/{path.name})" in line)
        minutes = row.rstrip().rstrip("|").split("|")[-1].strip()
        expected = f"{times[path.name]['seconds'] / 60:.1f}"
        assert minutes == expected, f"README row of {path.name}: run `make execute`"


def test_rewrite_readme_minutes(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("| # | notebook | minutes |\n|---|---|---|\n| 01 | [A](notebooks/01_a.ipynb) | ? |\n")
    assert rewrite_readme_minutes({"01_a.ipynb": {"seconds": 75.0}}, readme) == 1
    assert readme.read_text().splitlines()[-1] == "| 01 | [A](notebooks/01_a.ipynb) | 1.2 |"
