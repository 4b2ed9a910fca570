"""Every rule a notebook of this collection must follow, in one place (CONTRIBUTING.md explains each).

- `budget_seconds`, `over_budget`, `margin_from_env`: the run-time budgets (3 min on 2 cores, 5 for 08/09);
- `SETUP_CELL` / `setup_cell_problems`: the shared first code cell (the Colab set-up), one text everywhere;
- `check_template`: the house template (title, badge, set-up, parameters, closing sections, one run);
- `check_hygiene`: no machine paths, no shell installs outside Colab-only cells, no stderr, small images;
- `prose_number_problems`: every measured number the prose quotes is found in the notebook's own outputs;
- `check_notebook`: all of the above for one file.

tests/test_notebooks.py applies them to every notebook and to broken copies; conftest.py and
tools/execute_notebooks.py use the budgets.
"""

from __future__ import annotations

import base64
import json
import os
import re
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from utils.setup import REPO_URL, REPO_URL_ENV, colab_url  # noqa: E402

# --- run-time budgets (seconds on a 2-core CPU) -------------------------------------------------------------
DEFAULT_BUDGET = 180  # 3 minutes
BUDGETS = {"08": 300, "09": 300, "12": 300}  # seq2seq, attention, Transformer seq2seq: 5 minutes
MARGIN_ENV = "NOTEBOOK_TIME_MARGIN"  # e.g. 1.5 on a machine slower than a 2-core laptop


def budget_seconds(notebook_name: str) -> int:
    """Return the budget in seconds of a notebook, from the NN prefix of its file name."""
    return BUDGETS.get(notebook_name[:2], DEFAULT_BUDGET)


def margin_from_env() -> float:
    """Return the budget multiplier in $NOTEBOOK_TIME_MARGIN (default 1); ValueError unless a number >= 1."""
    text = os.environ.get(MARGIN_ENV, "1")
    try:
        margin = float(text)
    except ValueError:
        raise ValueError(f"{MARGIN_ENV} must be a number >= 1, got {text!r}") from None
    if not margin >= 1:
        raise ValueError(f"{MARGIN_ENV} must be a number >= 1, got {text!r}")
    return margin


def over_budget(seconds: dict[str, float], margin: float = 1.0) -> list[str]:
    """Return one message per notebook whose run time (notebook name -> seconds) exceeds budget x margin."""
    return [f"{name}: {spent:.0f} s, over its budget of {budget_seconds(name) * margin:.0f} s"
            for name, spent in sorted(seconds.items()) if spent > budget_seconds(name) * margin]


# --- the shared set-up cell ---------------------------------------------------------------------------------
# The first code cell of every notebook is this text; only the COLAB_PACKAGES line may differ (the packages
# this notebook needs that Colab lacks). The clone address is utils.setup.REPO_URL, which the Colab badges
# use too.
COLAB_PACKAGES_LINE = re.compile(r"^COLAB_PACKAGES = \[(\"[a-z0-9_-]+\"(, )?)*\]  # .*$", re.MULTILINE)
SETUP_CELL = f'''\
# Set-up (the same in every notebook): on Colab, clone the repository once so that utils/ and data/ are there,
# and install what Colab lacks for this notebook; everywhere, find the repository root and import utils.
import os
import sys
from pathlib import Path

COLAB_PACKAGES = []  # what Colab lacks for this notebook (requirements.txt has it)
REPO_URL = os.environ.get("{REPO_URL_ENV}", "{REPO_URL}")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def find_root():
    here = Path.cwd()
    return next((p for p in (here, *here.parents) if (p / "utils" / "setup.py").is_file()), None)


if "google.colab" in sys.modules:
    import importlib.util
    import shutil
    import subprocess

    if find_root() is None:
        clone = Path.cwd() / "rnn-notebooks"
        if not (clone / "utils" / "setup.py").is_file():
            shutil.rmtree(clone, ignore_errors=True)  # what a failed clone may have left
            done = subprocess.run(["git", "clone", "--depth=1", REPO_URL, str(clone)],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                shutil.rmtree(clone, ignore_errors=True)
                raise RuntimeError(
                    f"Could not clone {{REPO_URL}} (git: {{done.stderr.strip()[-300:]}}). Check that "
                    "this session is online (Runtime > Disconnect and delete runtime, then run again), "
                    "or set os.environ['{REPO_URL_ENV}'] to a reachable copy of the repository "
                    "and rerun this cell.")
        os.chdir(clone)
    missing = [name for name in COLAB_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        print("Installing on Colab:", ", ".join(missing))
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)
ROOT = find_root()
if ROOT is None:
    raise RuntimeError("Cannot find the repository (a folder with utils/setup.py) above " + str(Path.cwd()))
sys.path.insert(0, str(ROOT))

from utils import setup  # first: it imports TensorFlow with its start-up log lines silenced
'''


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def setup_cell_problems(source: str) -> list[str]:
    """Return how a first code cell differs from SETUP_CELL (empty when equal but for COLAB_PACKAGES)."""
    if len(COLAB_PACKAGES_LINE.findall(source)) != 1:
        return ["the first code cell is not the shared set-up cell (tools/notebook_rules.py SETUP_CELL): "
                "it needs exactly one line 'COLAB_PACKAGES = [...]  # ...'"]
    template_line = COLAB_PACKAGES_LINE.search(SETUP_CELL).group(0)
    normalised = COLAB_PACKAGES_LINE.sub(lambda _: template_line, source)
    if normalised.rstrip("\n") == SETUP_CELL.rstrip("\n"):
        return []
    ours, theirs = SETUP_CELL.rstrip("\n").splitlines(), normalised.rstrip("\n").splitlines()
    pairs = enumerate(zip(ours, theirs, strict=False))
    line = next((i for i, (a, b) in pairs if a != b), min(len(ours), len(theirs)))
    got = theirs[line] if line < len(theirs) else "<end of cell>"
    return [f"the first code cell differs from the shared set-up cell (tools/notebook_rules.py SETUP_CELL) "
            f"at its line {line + 1}: {got!r}"]


def colab_packages(source: str) -> list[str]:
    """Return the packages named on the COLAB_PACKAGES line of a set-up cell."""
    match = COLAB_PACKAGES_LINE.search(source)
    return re.findall(r'"([a-z0-9_-]+)"', match.group(0).split("#")[0]) if match else []


# --- the house template -------------------------------------------------------------------------------------
MAX_BYTES = 2_000_000
LECTURE_MARK = re.compile(r" \((core|optional)\)\s*$")   # "## 3. Peephole connections (optional)"
NAME_PATTERN = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")


def check_template(path: Path, nb: dict) -> list[str]:
    """Return the ways the notebook `nb` (read from `path`) breaks the house template of CONTRIBUTING.md."""
    match = NAME_PATTERN.match(path.name)
    if not match:
        return [f"file name {path.name!r} is not NN_topic_in_words.ipynb"]
    problems: list[str] = []
    cells = nb.get("cells", [])
    all_markdown = "\n".join(_source(c) for c in cells if c.get("cell_type") == "markdown")
    code = [c for c in cells if c.get("cell_type") == "code"]

    number = match.group(1)
    first = cells[0] if cells else {}
    if first.get("cell_type") != "markdown" or not re.match(rf"# {number} · \S", _source(first)):
        problems.append(f"the first cell must be a markdown title '# {number} · ...'")
    if colab_url(path.name) not in all_markdown:
        problems.append(f"no Open-in-Colab badge linking to {colab_url(path.name)}")
    problems += setup_cell_problems(_source(code[0]) if code else "")
    if not any(re.search(r"\bsetup\.init\(seed=\d+", _source(c)) for c in code[1:3]):
        problems.append("no call of setup.init(seed=...) in the two code cells after the set-up cell")
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in code):
        problems.append("no code cell tagged 'parameters'")
    for heading in ("Summary", "Exercises", "Solutions", "References"):
        if not re.search(rf"^#+ .*\b{heading}\b", all_markdown, flags=re.MULTILINE):
            problems.append(f"no '{heading}' section heading")
    sections = re.findall(r"^## \d+[a-z]?\. .*$", all_markdown, flags=re.MULTILINE)
    unmarked = [line for line in sections if not LECTURE_MARK.search(line)]
    if unmarked:
        problems.append(f"section headings without a '(core)' or '(optional)' marker: {unmarked[:3]}")
    front = "".join(_source(c) for c in cells[:2] if c.get("cell_type") == "markdown")
    if sections and "**Lecture path" not in front:
        problems.append("no '**Lecture path:**' paragraph in the title cell or the cell after it")

    counts = [c.get("execution_count") for c in code if _source(c).strip()]
    if counts != list(range(1, len(counts) + 1)):
        problems.append(f"not executed top to bottom in one clean run: execution counts {counts[:10]}")
    for i, c in enumerate(code):
        for out in c.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"code cell {i} has an error output ({out.get('ename')})")
    size = path.stat().st_size
    if size > MAX_BYTES:
        problems.append(f"file is {size / 1e6:.1f} MB, over {MAX_BYTES / 1e6:.0f} MB")
    return problems


# --- hygiene ------------------------------------------------------------------------------------------------
MAX_IMAGE_BYTES = 250_000
MAX_IMAGE_PIXELS = (1800, 1400)  # width, height
MACHINE_PATHS = re.compile(r"(/home/\w|/Users/\w|/root/|/work/|/tmp/|/content/drive|[A-Z]:\\\\Users)")
SHELL_INSTALL = re.compile(r"^\s*[!%]\s*(pip|wget|curl|apt|conda)\b", re.MULTILINE)
COLAB_ONLY = '"google.colab" in sys.modules'


CONTROL_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # every control character but the newline


def check_hygiene(nb: dict) -> list[str]:
    """Return the hygiene problems of a notebook: machine paths, shell installs, stderr, oversized images,
    and control characters in markdown (a tab where LaTeX wanted a backslash-t command, e.g. the tanh of
    "v^T tanh" written through a string that turned backslash-t into a tab, renders as "anh")."""
    problems = []
    for i, cell in enumerate(nb.get("cells", [])):
        source = _source(cell)
        if cell.get("cell_type") == "markdown" and (match := CONTROL_CHARACTERS.search(source)):
            line = source[:match.start()].count("\n") + 1
            code = f"U+{ord(match.group()):04X}"
            problems.append(f"cell {i}: control character {code} in markdown, line {line}")
        outputs = json.dumps(cell.get("outputs", []))
        if match := MACHINE_PATHS.search(source + outputs):
            problems.append(f"cell {i}: a path of one machine ({match.group(0)!r}) in the source or outputs")
        if SHELL_INSTALL.search(source) and COLAB_ONLY not in source:
            problems.append(f"cell {i}: a shell install/download outside a Colab-only cell")
        for out in cell.get("outputs", []):
            if out.get("name") == "stderr":
                text = "".join(out["text"])[:120]
                problems.append(f"cell {i}: stderr output left in the notebook: {text!r}")
            png = out.get("data", {}).get("image/png")
            if png:
                raw = base64.b64decode(png)
                width, height = struct.unpack(">II", raw[16:24])
                if len(raw) > MAX_IMAGE_BYTES or width > MAX_IMAGE_PIXELS[0] or height > MAX_IMAGE_PIXELS[1]:
                    problems.append(f"cell {i}: image {width}x{height} px, {len(raw) // 1000} KB: too large")
    return problems


# --- numbers in the prose come from the run ----------------------------------------------------------------
# A "measured number" in a markdown cell: a decimal (0.748, 13.2), a percentage (55.8%) or a factor
# (19 times, x42). Each must match, at the precision the prose uses, a number printed in the notebook's
# outputs (or written in its code: its own settings). Not checked: LaTeX, code spans and blocks, link
# targets, HTML tags and version numbers. Numbers from elsewhere are marked visibly (CONTRIBUTING.md): a
# paragraph, list item or table that starts with "*Not this run:*" (a table: its first header cell says "not
# this run") is exempt as a whole; "(not this run)" inside a sentence exempts that sentence.
_LIBRARIES = (r"TensorFlow|Keras|Python|NumPy|pandas|matplotlib|cuDNN|CUDA|IPython|ipykernel|nbclient|"
              r"nbformat|tqdm|Colab|PyTorch|JAX|sacrebleu|rapidfuzz|versions?|release|runtimes?")
_MASKED = [re.compile(r"```.*?```", re.S),                       # code blocks
           re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S),           # LaTeX
           re.compile(r"`[^`\n]*`"),                               # code spans
           re.compile(r"\]\([^)]*\)|https?://\S+"),                  # link targets
           re.compile(r"<[^>]+>"),                                  # HTML tags
           re.compile(r"\b\d+\.\d+\.\d+(?:\.\d+)*\b"),                # dotted versions
           re.compile(rf"\b(?:{_LIBRARIES})\s+\d+(?:\.\d+)+", re.I)]  # "Keras 3.10"
PROSE_NUMBER = re.compile(r"(?<![\w.])(\d+(?:,\d{3})*\.\d+(?:\s?%)?|\d+\s?%"
                          r"|\d+(?:\.\d+)?\s?(?:times|×)(?!\w)|[×x]\d+(?:\.\d+)?\b)")
NOT_THIS_RUN = re.compile(r"not\s+(?:from\s+)?this\s+run", re.I)
_LABELLED = re.compile(r"^\s*(?:>\s*)?(?:[-*]|\d+\.)?\s*\*Not this run:\*|^\s*\|[^|\n]*not this run", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[*\"'])")
_UNIT_START = re.compile(r"^\s*(?:>\s*)?(?:[-*]|\d+\.)\s", re.M)
_ANY_NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:_\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?")


def _numbers(text: str) -> set[float]:
    found = set()
    for token in _ANY_NUMBER.findall(text):
        try:
            found.add(abs(float(token.replace(",", "").replace("_", ""))))
        except ValueError:
            pass
    return found


def _prose_units(markdown: str) -> list[str]:
    """Return the paragraphs, list items and tables of a markdown text, the unchecked spans blanked out."""
    for pattern in _MASKED:
        markdown = pattern.sub(lambda match: " " * len(match.group()), markdown)
    units = []
    for block in re.split(r"\n\s*\n", markdown):
        starts = sorted({0, *(m.start() for m in _UNIT_START.finditer(block))})
        units += [block[a:b] for a, b in zip(starts, [*starts[1:], len(block)], strict=True)]
    return units


def _matches(token: str, known: set[float]) -> bool:
    """Return True if a known number, rounded as `token` is, equals it (a percentage: also as a fraction)."""
    digits = re.search(r"\d+(?:\.\d+)?", token.replace(",", "")).group()
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    value = float(digits)
    candidates = [(value, decimals)] + ([(value / 100, decimals + 2)] if "%" in token else [])
    return any(abs(round(number, places) - target) <= 0.5 * 10 ** -places + 1e-9 * max(1.0, target)
               for number in known for target, places in candidates)


def prose_numbers(nb: dict) -> tuple[list[str], int, int]:
    """Return (problems, numbers checked, numbers exempt by a "not this run" marking) of a notebook."""
    known = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            known |= _numbers(_source(cell))
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                known |= _numbers("".join(out.get("text", "")) + "".join(data.get("text/plain", ""))
                                  + "".join(data.get("text/html", "")))
    problems, checked, exempt = [], 0, 0
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "markdown":
            continue
        for unit in _prose_units(_source(cell)):
            sentences = [unit] if _LABELLED.match(unit) else _SENTENCE_END.split(unit)
            for sentence in sentences:
                tokens = PROSE_NUMBER.findall(sentence)
                if NOT_THIS_RUN.search(sentence):
                    exempt += len(tokens)
                    continue
                checked += len(tokens)
                problems += [f"cell {i}: the prose quotes {token!r}, which no output prints (print it, "
                             "quote the printed figure, or mark it as not from this run)"
                             for token in tokens if not _matches(token, known)]
    return problems, checked, exempt


def check_notebook(path: Path) -> list[str]:
    """Return every rule the notebook at `path` breaks (template and hygiene); empty when it follows all."""
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        return [f"cannot read the notebook as JSON: {err}"]
    problems = check_template(path, nb)
    if problems and problems[0].startswith("file name"):
        return problems
    return problems + check_hygiene(nb) + prose_numbers(nb)[0]
