"""Suite-wide checks, at the repository root so that they also see the notebooks: run-time budgets."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from tools.notebook_rules import MARGIN_ENV, margin_from_env, over_budget

_seconds: dict[str, float] = defaultdict(float)

# notebooks/zh/ is the Chinese edition, built by tools/zh.py from the English notebooks (same code, same
# outputs) and checked by tests/test_zh.py; nbval runs the English notebooks only.
collect_ignore = ["notebooks/zh"]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up setup, call and teardown time of every nbval cell, per notebook."""
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _seconds[Path(path).name] += report.duration


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a notebook was slower than its budget (x $NOTEBOOK_TIME_MARGIN)."""
    problems = over_budget(dict(_seconds), margin_from_env())
    if problems:
        session.config._notebook_budget_problems = problems
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Print each notebook's run time, and the budget failures."""
    if _seconds:
        terminalreporter.section("notebook run times")
        for name, seconds in sorted(_seconds.items()):
            terminalreporter.write_line(f"{name}: {seconds:.0f} s")
    for problem in getattr(config, "_notebook_budget_problems", []):
        terminalreporter.write_line(f"FAILED (time budget; set {MARGIN_ENV} on a slower machine): {problem}",
                                    red=True)
