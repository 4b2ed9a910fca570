"""The hand-out edition (tools/handout.py, `make handout`): no solution survives, everything else does."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools import handout

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _text(nb) -> str:
    return "\n".join("".join(c.source) if isinstance(c.source, list) else c.source for c in nb.cells)


def _solution_lines(nb) -> list[str]:
    """Return the lines of a notebook's Solutions section that occur nowhere else in it (code and prose)."""
    text = _text(nb)
    start = re.search(r"^## Solutions\b", text, re.M)
    assert start, "every notebook has a Solutions section"
    end = re.search(r"^## (?!Solutions)", text[start.end():], re.M)
    stop = start.end() + end.start() if end else len(text)
    section, rest = text[start.end():stop], text[:start.start()] + text[stop:]
    return [line.strip() for line in section.splitlines()
            if len(line.strip()) > 25 and "<" not in line and line.strip() not in rest]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("handout")
    assert handout.main(["--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_handout_has_no_solutions_and_keeps_the_rest(built, path):
    original = nbformat.read(path, as_version=4)
    copy = nbformat.read(built / path.name, as_version=4)
    nbformat.validate(copy)                                     # opens in Jupyter
    text = _text(copy)
    assert not re.search(r"^## Solutions", text, re.M)
    assert "<details>" not in text
    leaked = [line for line in _solution_lines(original) if line in text]
    assert not leaked, f"solution text survived: {leaked[:3]}"
    for heading in ("## Exercises", "## References", "## Summary"):
        assert heading in text
    stubs = [c for c in original.cells if c.cell_type == "code" and "exercises.check(" in c.source]
    assert len(stubs) == sum(c.cell_type == "code" and "exercises.check(" in c.source for c in copy.cells)
    kept_code = [c.source for c in copy.cells if c.cell_type == "code"]
    assert kept_code == [c.source for c in original.cells if c.cell_type == "code"]


def test_handout_drops_cells_tagged_solution_and_a_solutions_section_inside_a_cell():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Exercises\n1. Do it.\n\n## Solutions\nThe answer is 42.\n\n"
                                      "## References\n- x"),
        nbformat.v4.new_code_cell("answer = 42", metadata={"tags": ["solution"]}),
        nbformat.v4.new_markdown_cell("See [the guide](../CONTRIBUTING.md)."),
    ])
    out = handout.handout(nb)
    text = _text(out)
    assert "42" not in text and "## Exercises" in text and "## References" in text
    assert "](../../CONTRIBUTING.md)" in text
