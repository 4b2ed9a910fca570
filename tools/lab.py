"""Start JupyterLab on notebooks/ the way `make lab` does; extra arguments go to JupyterLab unchanged.

    python tools/lab.py                         # what `make lab` runs (opens a browser tab)
    python tools/lab.py --no-browser --ServerApp.port=8899

As root (a container, a cloud machine) it adds --allow-root, which Jupyter otherwise refuses to start without.
tests/test_lab.py starts the server through this file, headless, and checks it end to end.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lab_command(extra: list[str], python: str = sys.executable) -> list[str]:
    """Return the command line that starts JupyterLab on notebooks/ with the `extra` arguments appended."""
    command = [python, "-m", "jupyterlab", f"--notebook-dir={ROOT / 'notebooks'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + list(extra)


def main(argv: list[str] | None = None) -> None:
    """Replace this process by JupyterLab (so that stopping it stops the server)."""
    command = lab_command(sys.argv[1:] if argv is None else argv)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
