"""Every notebook follows the template of CONVENTIONS.md; the check itself fails on broken notebooks."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.notebook_checks import check_notebook
from utils.setup import colab_url

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_template(path):
    assert check_notebook(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_readme_lists_notebook(path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"notebooks/{path.name}" in readme, f"README.md has no row linking to notebooks/{path.name}"


# --- the check must be able to fail: a good notebook, then one broken copy per rule -------------------------


def _good_notebook(name: str) -> dict:
    def md(text):
        return {"cell_type": "markdown", "metadata": {}, "source": text}

    def code(text, count, tags=()):
        return {"cell_type": "code", "metadata": {"tags": list(tags)}, "execution_count": count,
                "outputs": [], "source": text}

    return {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [
            md(f"# 99 · A test notebook\n\n[![Open In Colab](badge.svg)]({colab_url(name)})"),
            code("from utils import setup\nsetup.init(seed=42)", 1),
            code("EPOCHS = 3", 2, tags=["parameters"]),
            md("## Summary\n- a point"),
            md("## Exercises\n1. one"),
            md("## Solutions\n1. one"),
        ],
    }


def _write(tmp_path: Path, nb: dict, name: str = "99_test_notebook.ipynb") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_check_accepts_good_notebook(tmp_path):
    assert check_notebook(_write(tmp_path, _good_notebook("99_test_notebook.ipynb"))) == []


def _drop_title(nb):
    nb["cells"][0]["source"] = nb["cells"][0]["source"].replace("# 99 · A test notebook", "A test notebook")


def _drop_badge(nb):
    nb["cells"][0]["source"] = "# 99 · A test notebook"


def _drop_setup(nb):
    nb["cells"][1]["source"] = "import keras"


def _drop_parameters(nb):
    nb["cells"][2]["metadata"]["tags"] = []


def _drop_summary(nb):
    nb["cells"][3]["source"] = "Some closing words"


def _drop_exercises(nb):
    nb["cells"][4]["source"] = "Nothing to do"


def _drop_solutions(nb):
    nb["cells"][5]["source"] = "Nothing here"


def _out_of_order(nb):
    nb["cells"][1]["execution_count"] = 5


def _error_output(nb):
    error = {"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": []}
    nb["cells"][2]["outputs"] = [error]


def _too_big(nb):
    nb["cells"][2]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * 2_100_000}]


@pytest.mark.parametrize("breaker, expected", [
    (_drop_title, "title"), (_drop_badge, "Colab"), (_drop_setup, "setup.init"),
    (_drop_parameters, "parameters"), (_drop_summary, "Summary"), (_drop_exercises, "Exercises"),
    (_drop_solutions, "Solutions"), (_out_of_order, "execution counts"), (_error_output, "error output"),
    (_too_big, "MB"),
])
def test_check_rejects_broken_notebook(tmp_path, breaker, expected):
    nb = copy.deepcopy(_good_notebook("99_test_notebook.ipynb"))
    breaker(nb)
    problems = check_notebook(_write(tmp_path, nb))
    assert len(problems) == 1 and expected in problems[0], problems


def test_check_rejects_bad_file_name(tmp_path):
    path = _write(tmp_path, _good_notebook("Untitled.ipynb"), name="Untitled.ipynb")
    assert "file name" in check_notebook(path)[0]
