"""Helpers shared by the test files (public names: no test file imports a private helper of another)."""

from __future__ import annotations

import pandas as pd


def assert_no_overlap(*parts) -> None:
    """Assert that no item occurs in two of the parts (lists, Series or lists of row tuples)."""
    sets = [set(part) for part in parts]
    for i, first in enumerate(sets):
        for second in sets[i + 1:]:
            assert not first & second


def rows(frame: pd.DataFrame) -> list[tuple]:
    """Return the rows of a frame as plain tuples, index left out."""
    return list(frame.itertuples(index=False, name=None))
