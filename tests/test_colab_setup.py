"""The notebooks' shared set-up cell, run as Colab runs it: a fresh kernel in an empty folder, with a fake
`google.colab` module and a local git repository as the clone source (no network)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.kernels import ROOT, error_of, first_code_cells, run_in_fresh_kernel, text_of
from utils.setup import REPO_URL_ENV

NOTEBOOK = ROOT / "notebooks" / "08_seq2seq.ipynb"  # its set-up cell also installs (sacrebleu, rapidfuzz)

# Pretend to be Colab; point the clone at `url`; record every subprocess.run, and run only the git ones (a pip
# install is recorded, not run: these tests must not install anything).
PREAMBLE = """
import os, subprocess, sys, types
sys.modules["google.colab"] = types.ModuleType("google.colab")
os.environ[{env!r}] = {url!r}
CALLS = []
_run = subprocess.run
def _recording_run(args, *a, **k):
    CALLS.append([str(x) for x in args])
    if "pip" in args:
        return subprocess.CompletedProcess(args, 0, "", "")
    return _run(args, *a, **k)
subprocess.run = _recording_run
"""
REPORT = "import json; print(json.dumps({'cwd': os.getcwd(), 'calls': CALLS, 'utils': setup.__file__}))"


@pytest.fixture(scope="module")
def source_repo(tmp_path_factory) -> str:
    """Return a file:// URL of a local git repository holding this checkout's utils/ (what the cell needs)."""
    repo = tmp_path_factory.mktemp("source") / "rnn-notebooks"
    shutil.copytree(ROOT / "utils", repo / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org",
           "-c", "init.defaultBranch=main"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "utils"]):
        subprocess.run(git + command, cwd=repo, check=True, capture_output=True)
    return repo.as_uri()


def _colab_run(folder: Path, url: str, setup_cell: str) -> tuple[dict | None, str | None]:
    preamble = PREAMBLE.format(env=REPO_URL_ENV, url=url)
    outputs = run_in_fresh_kernel([preamble, setup_cell, REPORT], cwd=folder)
    errors = [error_of(o) for o in outputs if error_of(o)]
    report = text_of(outputs[2]).strip()
    return (json.loads(report) if report else None), (errors[0] if errors else None)


def test_setup_cell_clones_once_then_reuses_the_clone(tmp_path, source_repo):
    setup_cell = first_code_cells(NOTEBOOK, 1)[0]
    first, error = _colab_run(tmp_path, source_repo, setup_cell)
    assert error is None, error
    clone = tmp_path / "rnn-notebooks"
    assert [call[:2] for call in first["calls"]] == [["git", "clone"]], first["calls"]  # once, and no pip
    assert source_repo in first["calls"][0]
    assert Path(first["cwd"]) == clone
    assert Path(first["utils"]).resolve().is_relative_to(clone.resolve())

    second, error = _colab_run(tmp_path, source_repo, setup_cell)  # a new kernel in the same folder
    assert error is None, error
    assert second["calls"] == [] and Path(second["cwd"]) == clone


def test_setup_cell_installs_only_what_is_missing(tmp_path, source_repo):
    cell = first_code_cells(NOTEBOOK, 1)[0].replace('"rapidfuzz"]', '"rapidfuzz", "no_such_package_xyz"]')
    report, error = _colab_run(tmp_path, source_repo, cell)
    assert error is None, error
    installs = [call for call in report["calls"] if "pip" in call]
    assert len(installs) == 1 and installs[0][-1] == "no_such_package_xyz", installs  # sacrebleu is present


def test_setup_cell_stops_with_advice_when_the_clone_fails(tmp_path):
    missing = (tmp_path / "no-such-repository").as_uri()
    report, error = _colab_run(tmp_path, missing, first_code_cells(NOTEBOOK, 1)[0])
    assert report is None
    assert error.startswith("RuntimeError: Could not clone " + missing), error
    assert REPO_URL_ENV in error and "rerun this cell" in error
    assert not (tmp_path / "rnn-notebooks").exists()  # nothing half-cloned left behind
