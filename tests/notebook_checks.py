"""The house-style check of a notebook (../shared/CONVENTIONS.md, "A notebook"), used by test_notebooks.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

from utils.setup import colab_url

MAX_BYTES = 2_000_000
NAME_PATTERN = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def check_notebook(path: Path) -> list[str]:
    """Return the list of ways the notebook at `path` breaks the template (empty when it follows it)."""
    path = Path(path)
    match = NAME_PATTERN.match(path.name)
    if not match:
        return [f"file name {path.name!r} is not NN_topic_in_words.ipynb"]
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        return [f"cannot read the notebook as JSON: {err}"]
    problems: list[str] = []
    cells = nb.get("cells", [])
    markdown = [_source(c) for c in cells if c.get("cell_type") == "markdown"]
    code = [c for c in cells if c.get("cell_type") == "code"]
    all_markdown = "\n".join(markdown)

    number = match.group(1)
    first = cells[0] if cells else {}
    if first.get("cell_type") != "markdown" or not re.match(rf"# {number} · \S", _source(first)):
        problems.append(f"the first cell must be a markdown title '# {number} · ...'")
    if colab_url(path.name) not in all_markdown:
        problems.append(f"no Open-in-Colab badge linking to {colab_url(path.name)}")
    if not any(re.search(r"\bsetup\.init\(seed=\d+", _source(c)) for c in code):
        problems.append("no setup cell calling setup.init(seed=...)")
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in code):
        problems.append("no code cell tagged 'parameters'")
    for heading in ("Summary", "Exercises", "Solutions"):
        if not re.search(rf"^#+ .*\b{heading}\b", all_markdown, flags=re.MULTILINE):
            problems.append(f"no '{heading}' section heading")

    counts = [c.get("execution_count") for c in code if _source(c).strip()]
    if counts != list(range(1, len(counts) + 1)):
        problems.append(f"not executed top to bottom in one clean run: execution counts {counts[:10]}")
    for i, c in enumerate(code):
        for out in c.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"code cell {i} has an error output ({out.get('ename')})")
            elif out.get("name") == "stderr" and re.search(r"Traceback|Error", "".join(out.get("text", ""))):
                problems.append(f"code cell {i} has an error on stderr")
    size = path.stat().st_size
    if size > MAX_BYTES:
        problems.append(f"file is {size / 1e6:.1f} MB, over {MAX_BYTES / 1e6:.0f} MB")
    return problems
