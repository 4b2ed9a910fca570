"""Write the hand-out edition: every notebook without its Solutions, for lecturers to hand out.

    python tools/handout.py            # writes build/handout/NN_*.ipynb (make handout)
    python tools/handout.py --out DIR  # somewhere else

A hand-out notebook keeps everything a student should see, exercises and their self-checking stub cells
included, and loses the Solutions section (from its heading to the next `##` heading, References excepted)
and every cell tagged `solution`. The set-up cell works from `build/handout/` as from `notebooks/`: it looks
for the repository root upwards; relative links get one more `../`. Outputs are kept, so the plots show; stub
cells show "no answer yet".
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = re.compile(r"^##\s+Solutions\b", re.M)
NEXT_SECTION = re.compile(r"^##\s+(?!Solutions\b)", re.M)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def handout(nb: dict) -> dict:
    """Return a copy of `nb` without its Solutions section and without the cells tagged `solution`."""
    nb = copy.deepcopy(nb)
    kept, in_solutions = [], False
    for cell in nb["cells"]:
        if "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        text = _source(cell) if cell.get("cell_type") == "markdown" else ""
        if in_solutions and NEXT_SECTION.search(text):
            in_solutions = False
            text = text[NEXT_SECTION.search(text).start():]           # the next section starts in this cell
            cell["source"] = text
        if not in_solutions and SOLUTIONS.search(text):
            in_solutions = True
            before = text[:SOLUTIONS.search(text).start()]
            after = NEXT_SECTION.search(text, SOLUTIONS.search(text).end())
            if after:                                                  # Solutions end inside this cell
                in_solutions = False
                before += text[after.start():]
            if before.strip():                                         # what precedes them stays
                cell["source"] = before
                kept.append(cell)
            continue
        if not in_solutions:
            kept.append(cell)
    for cell in kept:                     # links relative to notebooks/ now start one folder deeper
        if cell.get("cell_type") == "markdown":
            cell["source"] = _source(cell).replace("](../", "](../../")
    nb["cells"] = kept
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "handout")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        nb = handout(nbformat.read(path, as_version=4))
        nbformat.validate(nb)
        nbformat.write(nb, args.out / path.name)
    print(f"{len(paths)} hand-out notebooks written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
