"""Every notebook follows the rules of tools/notebook_rules.py; each rule fails on a broken copy."""

from __future__ import annotations

import base64
import copy
import json
import struct
import zlib
from pathlib import Path

import pytest

from tools import notebook_rules
from tools.notebook_rules import SETUP_CELL, check_notebook
from utils.setup import colab_url

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_rules(path):
    assert check_notebook(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_readme_lists_notebook(path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"notebooks/{path.name}" in readme, f"README.md has no row linking to notebooks/{path.name}"


def test_only_the_seq2seq_notebooks_install_on_colab():
    wanted = {}
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first = next(c for c in cells if c["cell_type"] == "code")
        wanted[path.name[:2]] = notebook_rules.colab_packages("".join(first["source"]))
    assert {nb for nb, packages in wanted.items() if packages} == {"08", "09", "12"}
    assert wanted["12"] == ["sacrebleu", "rapidfuzz", "sentencepiece"]
    assert wanted["08"] == ["sacrebleu", "rapidfuzz"]


# --- the rules must be able to fail: a good notebook, then one broken copy per rule -------------------------


def _png(width: int, height: int, padding: int = 0) -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"tEXt", b"x" * padding) + chunk(b"IEND", b"")
    return base64.b64encode(raw).decode()


def _good_notebook(name: str) -> dict:
    def md(text):
        return {"cell_type": "markdown", "metadata": {}, "source": text}

    def code(text, count, tags=(), outputs=()):
        return {"cell_type": "code", "metadata": {"tags": list(tags)}, "execution_count": count,
                "outputs": list(outputs), "source": text}

    picture = {"output_type": "display_data", "metadata": {}, "data": {"image/png": _png(640, 480)}}
    return {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [
            md(f"# 99 · A test notebook\n\n[![Open In Colab](badge.svg)]({colab_url(name)})\n\n"
               "**Lecture path:** section 1 (core)."),
            code(SETUP_CELL, 1),
            code("setup.init(seed=42)", 2),
            code("EPOCHS = 3", 3, tags=["parameters"], outputs=[picture]),
            md("## 1. The idea (core)\nText."),
            md("## Summary\n- a point"),
            md("## Exercises\n1. one"),
            md("## Solutions\n1. one"),
            md("## References\n- Elman, J. L. (1990). Finding structure in time."),
        ],
    }


def _write(tmp_path: Path, nb: dict, name: str = "99_test_notebook.ipynb") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_check_accepts_good_notebook(tmp_path):
    assert check_notebook(_write(tmp_path, _good_notebook("99_test_notebook.ipynb"))) == []


def test_check_accepts_colab_packages_line(tmp_path):
    nb = _good_notebook("99_test_notebook.ipynb")
    nb["cells"][1]["source"] = SETUP_CELL.replace("COLAB_PACKAGES = []", 'COLAB_PACKAGES = ["sacrebleu"]')
    assert check_notebook(_write(tmp_path, nb)) == []


def _set(cell: int, field: str, value):
    def breaker(nb):
        nb["cells"][cell][field] = value
    return breaker


def _edit_setup(old: str, new: str):
    def breaker(nb):
        nb["cells"][1]["source"] = nb["cells"][1]["source"].replace(old, new)
    return breaker


def _output(cell: int, output: dict):
    def breaker(nb):
        nb["cells"][cell]["outputs"] = [output]
    return breaker


def _image(width: int, height: int, padding: int = 0):
    return _output(3, {"output_type": "display_data", "metadata": {},
                       "data": {"image/png": _png(width, height, padding)}})


def _untag_parameters(nb):
    nb["cells"][3]["metadata"]["tags"] = []


BREAKERS = {
    "no title": (_set(0, "source", f"Notebook [x]({colab_url('99_test_notebook.ipynb')}) **Lecture path:**"),
                 "title"),
    "no badge": (_set(0, "source", "# 99 · A test notebook\n\n**Lecture path:** section 1."), "Colab"),
    "set-up cell edited": (_edit_setup("--depth=1", "--depth=2"), "differs from the shared set-up cell"),
    "set-up cell clone URL": (_edit_setup("github.com", "example.org"), "differs from the shared"),
    "set-up cell without packages line": (_edit_setup("COLAB_PACKAGES = []", "PACKAGES = []"),
                                          "exactly one line 'COLAB_PACKAGES"),
    "no setup.init": (_set(2, "source", "import keras"), "setup.init"),
    "no parameters tag": (_untag_parameters, "parameters"),
    "no Summary": (_set(5, "source", "Some closing words"), "Summary"),
    "no Exercises": (_set(6, "source", "Nothing to do"), "Exercises"),
    "no Solutions": (_set(7, "source", "Nothing here"), "Solutions"),
    "no References": (_set(8, "source", "The end"), "References"),
    "section without a lecture marker": (_set(4, "source", "## 1. The idea\nText."), "'(optional)' marker"),
    "no lecture path": (_set(0, "source", f"# 99 · A notebook [x]({colab_url('99_test_notebook.ipynb')})"),
                        "Lecture path"),
    "out of order": (_set(1, "execution_count", 5), "execution counts"),
    "error output": (_output(3, {"output_type": "error", "ename": "ValueError", "evalue": "x",
                                 "traceback": []}), "error output"),
    "too big": (_output(3, {"output_type": "stream", "name": "stdout", "text": "x" * 2_100_000}), "MB"),
    "stderr": (_output(3, {"output_type": "stream", "name": "stderr", "text": "WARNING: x"}), "stderr"),
    "machine path in output": (_output(3, {"output_type": "stream", "name": "stdout", "text": "/home/ann/x"}),
                               "a path of one machine"),
    "machine path in source": (_set(3, "source", "EPOCHS = 3  # /root/data"), "a path of one machine"),
    "shell install": (_set(3, "source", "!pip install keras"), "shell install"),
    "image too wide": (_image(2400, 480), "too large"),
    "image too heavy": (_image(640, 480, padding=300_000), "too large"),
    "prose number not in the outputs": (_set(4, "source", "## Summary\n- the model reached 0.912"),
                                        "the prose quotes '0.912'"),
    "prose percentage not in the outputs": (_set(4, "source", "## Summary\n- 87.3% right"), "'87.3%'"),
    "tab in markdown": (_set(4, "source", "## Summary\n- the gate $v^\top\tanh(x)$"), "character U+0009"),
}


@pytest.mark.parametrize("breaker, expected", BREAKERS.values(), ids=BREAKERS.keys())
def test_check_rejects_broken_notebook(tmp_path, breaker, expected):
    nb = copy.deepcopy(_good_notebook("99_test_notebook.ipynb"))
    breaker(nb)
    problems = check_notebook(_write(tmp_path, nb))
    assert len(problems) == 1 and expected in problems[0], problems


def test_check_rejects_bad_file_name(tmp_path):
    path = _write(tmp_path, _good_notebook("Untitled.ipynb"), name="Untitled.ipynb")
    assert "file name" in check_notebook(path)[0]


def test_shell_install_allowed_in_colab_only_cell(tmp_path):
    nb = _good_notebook("99_test_notebook.ipynb")
    nb["cells"][3]["source"] = 'if "google.colab" in sys.modules:\n    !pip install keras\nEPOCHS = 3'
    assert check_notebook(_write(tmp_path, nb)) == []


# --- budgets ------------------------------------------------------------------------------------------------


def test_budgets():
    assert notebook_rules.budget_seconds("01_x.ipynb") == 180
    assert notebook_rules.budget_seconds("08_seq2seq.ipynb") == 300
    assert notebook_rules.over_budget({"01_x.ipynb": 170, "09_y.ipynb": 290}) == []
    assert notebook_rules.over_budget({"01_x.ipynb": 200}) == ["01_x.ipynb: 200 s, over its budget of 180 s"]
    assert notebook_rules.over_budget({"01_x.ipynb": 200}, margin=1.5) == []


def test_budget_margin_from_env(monkeypatch):
    monkeypatch.setenv(notebook_rules.MARGIN_ENV, "1.5")
    assert notebook_rules.margin_from_env() == 1.5
    for bad in ("fast", "0.5"):
        monkeypatch.setenv(notebook_rules.MARGIN_ENV, bad)
        with pytest.raises(ValueError, match="NOTEBOOK_TIME_MARGIN must be a number >= 1"):
            notebook_rules.margin_from_env()


# --- the numbers in the prose come from the run -------------------------------------------------------------


def _with_output(text: str, prose: str) -> dict:
    nb = _good_notebook("99_test_notebook.ipynb")
    nb["cells"][3]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": text}]
    nb["cells"][4]["source"] = "## Summary\n" + prose
    return nb


@pytest.mark.parametrize("printed, prose", [
    ("test accuracy 0.7476", "- the model reached 0.748 (about 0.75, 75%, 74.8%)."),
    ("ratio 2.345", "- the pipeline was 2.3 times faster, x2.35 in the table."),
    ("loss 1.0", "- $L = 0.5\\,\\lVert y \\rVert^2$ with `lr=0.003` and Keras 3.15 ([link](a/0.99.html))."),
    ("", "- Graves (2013) reports 1.67 bits per character (a paper's figure, not this run)."),
    ("", "| model (not this run) | bpc |\n|---|---|\n| LSTM | 1.67 |"),
    ("", "- a run made earlier reached 1.65 bits per character (not\n  this run), line-wrapped."),
])
def test_prose_numbers_accepts_printed_rounded_and_marked_numbers(printed, prose):
    problems, checked, exempt = notebook_rules.prose_numbers(_with_output(printed, prose))
    assert problems == []
    expected = 0 if "Keras 3.15" in prose else len(notebook_rules.PROSE_NUMBER.findall(prose))
    assert checked + exempt == expected   # LaTeX, code, links and versions are not counted


def test_prose_numbers_names_the_cell_and_the_number(tmp_path):
    path = _write(tmp_path, _with_output("test accuracy 0.7476", "- it reached 0.748, then 0.762."))
    problems = check_notebook(path)
    assert problems == ["cell 4: the prose quotes '0.762', which no output prints (print it, quote the "
                        "printed figure, or mark it as not from this run)"]


def test_changing_one_quoted_number_of_a_real_notebook_fails():
    nb = json.loads((ROOT / "notebooks" / "10_transformer_vs_rnn.ipynb").read_text(encoding="utf-8"))
    assert notebook_rules.prose_numbers(nb)[0] == []
    cell = next(i for i, c in enumerate(nb["cells"]) if "(p about 0.01)" in "".join(c["source"]))
    source = "".join(nb["cells"][cell]["source"])
    nb["cells"][cell]["source"] = source.replace("(p about 0.01)", "(p about 0.0173)")
    problems = notebook_rules.prose_numbers(nb)[0]
    assert len(problems) == 1 and problems[0].startswith(f"cell {cell}: the prose quotes '0.0173'")
