"""Execute notebooks top to bottom in fresh kernels, write them back in place, and record time and memory.

    python tools/execute_notebooks.py                      # every notebook in notebooks/
    python tools/execute_notebooks.py notebooks/01_*.ipynb # some of them
    python tools/execute_notebooks.py --readme             # ... and rewrite README.md's "CPU minutes" column

Each notebook runs in a new kernel (so the committed outputs always come from one clean run of the current
code); its wall time and the peak resident memory of the kernel are printed and saved in notebooks/times.json.
Exit status 1 if a notebook fails (it is then left unchanged on disk) or runs over its budget.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import re
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools.notebook_rules import budget_seconds  # noqa: E402

TIMES_FILE = ROOT / "notebooks" / "times.json"
README = ROOT / "README.md"


class PeakMemory:
    """Sample the summed resident memory of this process's children (the kernel) until stopped."""

    def __init__(self, interval: float = 0.2):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def execute(path: Path, timeout: int = 900) -> dict:
    """Return {"seconds", "peak_mb"} after executing the notebook at `path` and writing it back in place."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with PeakMemory() as memory:
        client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    return {"seconds": round(seconds, 1), "peak_mb": round(memory.peak / 2**20)}


def rewrite_readme_minutes(times: dict[str, dict], readme: Path = README) -> int:
    """Return the number of README table rows whose last column ("CPU minutes") was set from `times`."""
    lines, changed = readme.read_text(encoding="utf-8").splitlines(keepends=True), 0
    for i, line in enumerate(lines):
        match = re.search(r"\(notebooks/(\d\d_[a-z0-9_]+\.ipynb)\)", line)
        if match and line.startswith("|") and match.group(1) in times:
            cells = line.rstrip("\n").split("|")  # ['', ' 01 ', ..., ' minutes ', '']
            cells[-2] = f" {times[match.group(1)]['seconds'] / 60:.1f} "
            lines[i] = "|".join(cells) + "\n"
            changed += 1
    readme.write_text("".join(lines), encoding="utf-8")
    return changed


def save_times(results: dict[str, dict]) -> dict[str, dict]:
    """Merge `results` into times.json under a file lock (several `make run`s may finish at once)."""
    with open(TIMES_FILE.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        times = json.loads(TIMES_FILE.read_text()) if TIMES_FILE.exists() else {}
        times.update(results)
        TIMES_FILE.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/NN_*.ipynb")
    parser.add_argument("--readme", action="store_true", help="rewrite README.md's CPU minutes column")
    parser.add_argument("--margin", type=float, default=1.0, help="allow budget x margin (slower machines)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    results: dict[str, dict] = {}
    status = 0
    for path in paths:
        path = path.resolve()
        print(f"{path.name}: running ...", flush=True)
        try:
            result = execute(path)
        except Exception as error:  # the notebook failed: report it, keep going with the others
            lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in str(error).splitlines() if line.strip()]
            named = [line for line in lines if re.match(r"\w*(Error|Exception)\b", line)]   # "KeyError: ..."
            print(f"{path.name}: FAILED: {type(error).__name__}: {(named or lines or [''])[-1][:600]}")
            status = 1
            continue
        budget = budget_seconds(path.name) * args.margin
        verdict = "ok" if result["seconds"] <= budget else f"OVER the {budget:.0f} s budget"
        print(f"{path.name}: {result['seconds']:.0f} s, peak memory {result['peak_mb']} MB, {verdict}")
        status = status or int(result["seconds"] > budget)
        results[path.name] = result
    times = save_times(results)
    if args.readme:
        print(f"README.md: {rewrite_readme_minutes(times)} rows updated")
    return status


if __name__ == "__main__":
    sys.exit(main())
