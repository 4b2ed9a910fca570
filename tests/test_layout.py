"""The repository's own bookkeeping: every utils module's docstring names the notebooks that import it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MODULES = sorted(p for p in (ROOT / "utils").glob("*.py") if p.name != "__init__.py")


def importers(module: str) -> set[str]:
    """Return the numbers ("05") of the notebooks whose code cells do `from utils import ... module ...`."""
    found = set()
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                for names in re.findall(r"^from utils import ([\w, ]+)", "".join(cell["source"]), re.M):
                    if module in {n.strip() for n in names.split(",")}:
                        found.add(path.name[:2])
    return found


def named_notebooks(docstring: str) -> set[str]:
    """Return the notebook numbers that the first paragraph of a module docstring names ("04-07": a range)."""
    first = docstring.split("\n\n")[0]
    if re.search(r"No notebook imports", docstring):
        return set()
    numbers = set()
    for start, end in re.findall(r"\b(\d\d)(?:-(\d\d))?\b", first):
        numbers |= {f"{n:02d}" for n in range(int(start), int(end or start) + 1)}
    return numbers


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_docstring_names_the_notebooks_that_import_it(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert named_notebooks(docstring) == importers(path.stem), f"utils/{path.name}: fix its first paragraph"


def test_named_notebooks_reads_ranges_and_lists():
    expected = {"01", "02", "04", "05", "06"}
    assert named_notebooks("Loaders; imported by notebooks 01, 02, 04-06.\n\nMore 09.") == expected
    assert named_notebooks("Plumbing.\n\nNo notebook imports this module.") == set()
