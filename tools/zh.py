"""The Chinese edition: translations/zh/NN_name.json (data) -> notebooks/zh/NN_name.ipynb (build output).

    python tools/zh.py build [--notebook NN]   # make zh: write notebooks/zh/ from the translations
    python tools/zh.py check [--notebook NN]   # every sync problem, with how to fix it (exit status 1 if any)
    python tools/zh.py status                  # per notebook: markdown cells translated / total, characters
    python tools/zh.py diff NN                 # what changed in the English cells whose translation is stale

A translation file maps each markdown cell of an English notebook (by its nbformat cell id) to the English
source it translates ("en"), that source's SHA-256 ("sha256") and the Chinese markdown ("zh"). The build
copies the English notebook, code cells and outputs unchanged, with each markdown cell replaced by its "zh"
text and three rewrites (so that the translation files keep the English link targets): the Colab badge opens
notebooks/zh/, relative links starting with ../ get one more ../, and docs/common-errors.md and README.md
become their .zh.md editions. The checks (tests/test_zh.py runs them in the default suite):

1. sync: every English markdown cell has an entry whose sha256 is that of its current source (a stale entry
   names the first changed line); no entry for a cell that no longer exists; every entry translated;
2. built: notebooks/zh/ holds exactly one notebook per English one, equal byte for byte to a fresh build;
3. spans: every LaTeX span, code span and block, link target and HTML tag of the English cell is in the
   translation (as often; whitespace inside a span may differ);
4. glossary: a glossary term (two or more words, or in bold) used in the English cell appears in one of its
   Chinese forms (docs/glossary.md);
5. mistranslations: 递归 (recursive) for the recurrent network, 长短时记忆 for long short-term memory;
6. numbers: every number of the English prose with a decimal point, a percent sign, a thousands comma or two
   or more digits appears verbatim;
7. structure: headings keep their level, numbering and (core)/(optional) markers; Summary, Exercises,
   Solutions, References and Parameters keep the English word; "**Lecture path" and "not this run" stay.

Pure Python (no TensorFlow); every function takes the repository root, so the tests run it on copies.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"


def english_dir(root: Path) -> Path:
    return root / "notebooks"


def translation_dir(root: Path) -> Path:
    return root / "translations" / "zh"


def output_dir(root: Path) -> Path:
    return root / "notebooks" / "zh"


def glossary_path(root: Path) -> Path:
    return root / "docs" / "glossary.md"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the Chinese edition: where, what, and how to fix it."""

    notebook: str
    cell: str        # "cell <id> (<heading or first words>)", or "" for the whole notebook
    what: str
    fix: str
    check: str       # sync, built, spans, glossary, mistranslation, numbers, structure
    blocking: bool = False   # True: the build refuses this notebook

    def __str__(self) -> str:
        where = f"{self.notebook}, {self.cell}" if self.cell else self.notebook
        return f"{where}: {self.what}\n    fix: {self.fix}"


# --- reading ------------------------------------------------------------------------------------------------


def sha256(text: str) -> str:
    """Return the SHA-256 hex digest of a cell source, as the translation files store it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def markdown_cells(nb: dict) -> list[tuple[str, str]]:
    """Return (cell id, source) of every markdown cell of a notebook, in order."""
    return [(c.get("id", ""), source(c)) for c in nb.get("cells", []) if c.get("cell_type") == "markdown"]


def label(text: str, width: int = 60) -> str:
    """Return the first heading of a cell, or its first words: how a message names a cell."""
    heading = re.search(r"^#{1,6} .*$", text, re.M)
    first = heading.group(0) if heading else " ".join(text.split())
    return first if len(first) <= width else first[:width - 1] + "…"


def cell_name(cell_id: str, text: str) -> str:
    return f"cell {cell_id} ({label(text)!r})"


def english_notebooks(root: Path, only: str | None = None) -> list[Path]:
    """Return the English notebooks (notebooks/NN_*.ipynb), or the one numbered `only`."""
    paths = sorted(english_dir(root).glob(NOTEBOOK_GLOB))
    if only is not None:
        paths = [p for p in paths if p.name.startswith(f"{int(only):02d}_")]
    return paths


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def dumps(nb: dict) -> str:
    """Return a notebook as nbformat writes it (and as the English notebooks are committed)."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


# --- check 1: every English markdown cell has an up-to-date translation -------------------------------------


def first_changed_line(old: str, new: str) -> str:
    """Return 'line N: was '...', now '...'' for the first line where `new` differs from `old`."""
    a, b = old.splitlines(), new.splitlines()
    n = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    was = repr(a[n][:100]) if n < len(a) else "<end of cell>"
    now = repr(b[n][:100]) if n < len(b) else "<end of cell>"
    return f"line {n + 1}: was {was}, now {now}"


def load_translation(root: Path, name: str) -> tuple[dict | None, list[Problem]]:
    """Return the translation file of notebook `name` (None if it cannot be used) and its file problems."""
    path = translation_dir(root) / (Path(name).stem + ".json")
    rel = path.relative_to(root).as_posix()
    if not path.is_file():
        return None, [Problem(name, "", f"no translation file {rel}", f"translate the notebook into {rel}",
                              "sync", blocking=True)]
    try:
        data = read_json(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, [Problem(name, "", f"{rel} is not valid UTF-8 JSON: {err}", "fix the file", "sync",
                              blocking=True)]
    if not isinstance(data, dict) or not isinstance(data.get("cells"), dict):
        return None, [Problem(name, "", f"{rel} has no 'cells' object", 'write {"notebook": ..., "cells": '
                              '{id: {"sha256", "en", "zh"}}}', "sync", blocking=True)]
    problems = []
    if data.get("notebook") != name:
        problems.append(Problem(name, "", f"{rel} says it translates {data.get('notebook')!r}",
                                f'set "notebook": "{name}"', "sync", blocking=True))
    return data, problems


def sync_problems(name: str, english: dict, data: dict) -> list[Problem]:
    """Return check 1's problems: missing, stale, extra or empty entries of a translation file."""
    problems = []
    entries = data["cells"]
    ids = set()
    for cell_id, text in markdown_cells(english):
        ids.add(cell_id)
        where = cell_name(cell_id, text)
        entry = entries.get(cell_id)
        if not isinstance(entry, dict):
            problems.append(Problem(name, where, "no translation of this markdown cell",
                                    'add an entry {"sha256", "en", "zh"} for it', "sync", blocking=True))
            continue
        en, zh = entry.get("en"), entry.get("zh")
        if not isinstance(en, str) or entry.get("sha256") != sha256(en):
            problems.append(Problem(name, where, "the entry's sha256 is not the SHA-256 of its 'en' text",
                                    "store 'en' and 'sha256' from the English cell you translated", "sync",
                                    blocking=True))
        elif entry["sha256"] != sha256(text):
            problems.append(Problem(
                name, where, "the English cell changed since it was translated; first changed "
                + first_changed_line(en, text),
                f"update 'zh' for the change (python tools/zh.py diff {name[:2]}), then store the new 'en' "
                "and 'sha256'", "sync", blocking=True))
        if not isinstance(zh, str) or not zh.strip():
            problems.append(Problem(name, where, "empty translation ('zh')", "translate the cell", "sync",
                                    blocking=True))
    for cell_id, entry in entries.items():
        if cell_id not in ids:
            text = entry.get("en", "") if isinstance(entry, dict) else ""
            problems.append(Problem(name, cell_name(cell_id, text),
                                    "an entry for a markdown cell the English notebook no longer has",
                                    "remove the entry (or move its text to the cell that replaced it)",
                                    "sync", blocking=True))
    return problems


# --- checks 3-7: the content of one translated cell ---------------------------------------------------------

FENCED = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", re.S | re.M)
CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(?:\\.|[^$\\])+?(?<!\\)\$", re.S)
LINK_TARGET = re.compile(r"\]\(((?:[^()\s]|\([^()\s]*\))*)(?:\s+\"[^\"]*\")?\)")
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
BARE_URL = re.compile(r"https?://[^\s<>()\]]+")
CJK = re.compile(r"[\u3400-\u9fff]")
SPAN_KINDS = [("code block", FENCED), ("code span", CODE_SPAN), ("LaTeX", DISPLAY_MATH),
              ("LaTeX", INLINE_MATH), ("link target", LINK_TARGET), ("HTML tag", HTML_TAG)]


def _squash(text: str) -> str:
    return " ".join(text.split())


def spans(text: str) -> tuple[Counter, str]:
    """Return the verbatim spans of a markdown text (Counter of (kind, span with whitespace squashed)) and
    the text with them blanked out (the prose), in the order code, LaTeX, links, tags."""
    found: Counter = Counter()
    for kind, pattern in SPAN_KINDS:
        def blank(match, kind=kind):
            span = match.group(1) if kind == "link target" else match.group(0)
            found[(kind, span if kind == "code block" else _squash(span))] += 1
            if kind == "link target":   # keep the "](" ")" so that link text stays prose
                return "](" + " " * len(span) + ")"
            return " " * len(match.group(0))
        text = pattern.sub(blank, text)
    return found, text


def span_problems(en: str, zh: str) -> list[tuple[str, str, str]]:
    """Return (check, what, fix) for each English span missing from the translation (check 3)."""
    want, _ = spans(en)
    have, _ = spans(zh)
    problems = []
    for (kind, span), count in want.items():
        if have[(kind, span)] < count:
            shown = span if len(span) <= 80 else span[:79] + "…"
            times = (f" ({count} times in English, {have[(kind, span)]} in the translation)"
                     if count > 1 else "")
            problems.append(("spans", f"{kind} {shown!r} is missing or changed{times}",
                             f"copy the {kind} from the English cell unchanged"))
    return problems


@dataclass(frozen=True)
class Term:
    english: str          # the glossary's English column
    pattern: re.Pattern   # the term in English prose (whole words, plural allowed)
    single_word: bool
    forms: tuple[str, ...]  # Chinese forms, whitespace removed, case-folded


def _term_pattern(base: str) -> re.Pattern:
    words = base.split()
    last = words[-1]
    if re.search(r"[^aeiou]y$", last, re.I):
        last_pattern = re.escape(last[:-1]) + "(?:y|ies)"
    else:
        last_pattern = re.escape(last) + "(?:s|es)?"
    body = r"\s+".join([*map(re.escape, words[:-1]), last_pattern])
    return re.compile(rf"(?<![A-Za-z0-9-]){body}(?![A-Za-z0-9-])", re.I)


def load_glossary(path: Path) -> list[Term]:
    """Return the glossary's terms with the Chinese forms a translation may use for each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| English |"))
    terms = []
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        english, chinese, _, note = [cell.strip() for cell in line.strip().strip("|").split("|")][:4]
        base = _squash(re.sub(r"\([^)]*\)", " ", english))
        if not base:
            continue
        forms = [f.strip() for f in re.split(r"[（）()、，,;；/]", chinese)]
        forms += re.findall(r"(?:also|d2l-zh:)\s*([\u3400-\u9fff]+)", note)   # accepted alternatives
        forms = tuple(dict.fromkeys("".join(f.split()).casefold() for f in forms if f.strip()))
        terms.append(Term(english, _term_pattern(base), len(base.split()) == 1, forms))
    return terms


def _bold(text: str) -> list[str]:
    return [_squash(b).strip(" .,:;").casefold() for b in re.findall(r"\*\*(.+?)\*\*", text, re.S)]


def glossary_problems(en_prose: str, en_bold: list[str], zh: str, terms: list[Term]) -> list[tuple]:
    """Return (check, what, fix) for each glossary term of the English prose without its Chinese (check 4)."""
    zh_flat = "".join(zh.split()).casefold()
    problems = []
    for term in terms:
        if term.single_word and not any(term.pattern.fullmatch(b) for b in en_bold):
            continue
        match = term.pattern.search(en_prose)
        if match and not any(form in zh_flat for form in term.forms):
            problems.append(("glossary", f"the English says {_squash(match.group(0))!r} (glossary: "
                             f"{term.english!r}), the translation has none of {list(term.forms)}",
                             "use the glossary's Chinese term (docs/glossary.md), with the English in "
                             "parentheses at its first use in the notebook"))
    return problems


MISTRANSLATIONS = [
    # (refused Chinese, unless the English cell contains this word, what to write instead)
    ("递归", "recursi", "递归 is recursive; the recurrent network is 循环神经网络 (recurrence: 循环, 递推)"),
    ("长短时记忆", None, "long short-term memory is 长短期记忆 (glossary)"),
]


def mistranslation_problems(en: str, zh: str) -> list[tuple]:
    """Return (check, what, fix) for the known mistranslations in a translation (check 5)."""
    problems = []
    for wrong, unless, right in MISTRANSLATIONS:
        if wrong in zh and not (unless and unless in en.casefold()):
            problems.append(("mistranslation", f"the translation writes {wrong!r}", right))
    return problems


NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:,\d{3})*(?:\.\d+)*%?(?![A-Za-z0-9_])")


def numbers(prose: str) -> Counter:
    """Return the numbers of a prose text (spans and URLs blanked) that check 6 holds fixed."""
    prose = BARE_URL.sub(" ", prose)
    return Counter(n for n in NUMBER.findall(prose)
                   if "." in n or "%" in n or "," in n or len(re.sub(r"\D", "", n)) >= 2)


def number_problems(en_prose: str, zh_prose: str) -> list[tuple]:
    """Return (check, what, fix) for each number of the English prose not verbatim in the translation."""
    have = numbers(zh_prose)
    return [("numbers", f"the number {n!r} of the English is not in the translation",
             "keep numbers exactly as in English (0.98 stays 0.98, 1,024 stays 1,024)")
            for n in numbers(en_prose) if n not in have]


HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$", re.M)
KEPT_HEADINGS = ("Summary", "Exercises", "Solutions", "References", "Parameters")
NOT_THIS_RUN = re.compile(r"not\s+(?:from\s+)?this\s+run", re.I)


def structure_problems(en: str, zh: str, en_prose: str, zh_prose: str) -> list[tuple]:
    """Return (check, what, fix) where the translation loses a structural marker of the English (check 7)."""
    problems = []
    en_heads, zh_heads = HEADING.findall(en_prose), HEADING.findall(zh_prose)
    if [h[0] for h in en_heads] != [h[0] for h in zh_heads]:
        problems.append(("structure", f"headings {[h[0] for h in en_heads]} in English, "
                         f"{[h[0] for h in zh_heads]} in the translation",
                         "keep one heading per English heading, at the same level"))
    else:
        for (_, e), (_, z) in zip(en_heads, zh_heads, strict=True):
            number = re.match(r"\d+[a-z]?\.(?=\s)|\d\d(?= ·)", e)
            marker = re.search(r"\((core|optional)\)$", e)
            kept = [w for w in KEPT_HEADINGS if re.search(rf"\b{w}\b", e)]
            if number and not z.startswith(number.group(0)):
                problems.append(("structure", f"heading {z!r} lost the numbering {number.group(0)!r} "
                                 f"of {e!r}", "start the heading with the same number"))
            if marker and not z.endswith(marker.group(0)):
                problems.append(("structure", f"heading {z!r} does not end with {marker.group(0)!r}",
                                 f"keep the marker {marker.group(0)!r} literally at the end of the heading"))
            for word in kept:
                if not re.search(rf"\b{word}\b", z):
                    problems.append(("structure", f"heading {z!r} lost the word {word!r}",
                                     f"write e.g. '## 小结 ({word})': the structure rules look for it"))
    for marker in ("**Lecture path", "*Not this run:*"):
        if en.count(marker) > zh.count(marker):
            example = ("'**Lecture path（授课路线）:**'" if "Lecture" in marker
                       else "'*Not this run:*（非本次运行）'")
            problems.append(("structure", f"{marker!r} is missing",
                             f"keep the literal {marker!r}, e.g. {example}"))
    if len(NOT_THIS_RUN.findall(en)) > len(NOT_THIS_RUN.findall(zh)):
        problems.append(("structure", "the English marks a number 'not this run', the translation lost the "
                         "marker", "keep the literal marker, e.g. '（not this run，非本次运行）'"))
    if not CJK.search(zh) and re.search(r"[A-Za-z]{3,}", en_prose):
        problems.append(("structure", "the translation has no Chinese", "translate the cell"))
    return problems


def content_problems(en: str, zh: str, terms: list[Term]) -> list[tuple[str, str, str]]:
    """Return (check, what, fix) of checks 3-7 for one English cell and its translation."""
    _, en_prose = spans(en)
    _, zh_prose = spans(zh)
    return (span_problems(en, zh) + glossary_problems(en_prose, _bold(en_prose), zh, terms)
            + mistranslation_problems(en, zh) + number_problems(en_prose, zh_prose)
            + structure_problems(en, zh, en_prose, zh_prose))


# --- the build and check 2 ----------------------------------------------------------------------------------

COLAB_BADGE = re.compile(r"(https://colab\.research\.google\.com/github/[^\s)\"']+?/notebooks/)(?=\d\d_)")
RELATIVE_TARGET = re.compile(r"\]\((\.\./[^)\s]*)")
ZH_PAGES = {"docs/common-errors.md": "docs/common-errors.zh.md", "README.md": "README.zh.md"}


def rewrite(text: str) -> str:
    """Return a zh text as it goes into notebooks/zh/: badge to the zh notebook, ../ one level deeper."""
    text = COLAB_BADGE.sub(r"\1zh/", text)

    def deeper(match: re.Match) -> str:
        target = match.group(1)
        path, hash_, anchor = target.partition("#")
        rest = path.removeprefix("../")
        while rest.startswith("../"):
            rest = rest[3:]
        ups = path[:len(path) - len(rest)]
        rest = ZH_PAGES.get(rest, rest)
        return "](../" + ups + rest + hash_ + anchor
    return RELATIVE_TARGET.sub(deeper, text)


def build_notebook(english: dict, data: dict) -> dict:
    """Return the Chinese notebook: `english` with each markdown source replaced by its rewritten zh text."""
    nb = json.loads(json.dumps(english))
    for cell in nb["cells"]:
        if cell.get("cell_type") == "markdown":
            cell["source"] = rewrite(data["cells"][cell["id"]]["zh"]).splitlines(keepends=True)
    return nb


def built_problems(root: Path, name: str, expected: str | None) -> list[Problem]:
    """Return check 2's problem for one notebook: notebooks/zh/<name> missing or not a fresh build."""
    path = output_dir(root) / name
    rel = path.relative_to(root).as_posix()
    if not path.is_file():
        return [Problem(name, "", f"{rel} does not exist", "run `make zh` and commit notebooks/zh/", "built")]
    if expected is not None and path.read_text(encoding="utf-8") != expected:
        return [Problem(name, "", f"{rel} differs from what `make zh` builds (edited by hand, or not "
                        "rebuilt after a change)", "edit the translation or the English notebook, never "
                        "notebooks/zh/; then run `make zh`", "built")]
    return []


def extra_outputs(root: Path) -> list[Problem]:
    """Return a problem for each notebooks/zh/*.ipynb without an English notebook of the same name."""
    names = {p.name for p in english_notebooks(root)}
    return [Problem(p.name, "", f"notebooks/zh/{p.name} has no English notebook", "delete it", "built")
            for p in sorted(output_dir(root).glob("*.ipynb")) if p.name not in names]


def notebook_problems(root: Path, path: Path, terms: list[Term], built: bool = True
                      ) -> tuple[list[Problem], str | None]:
    """Return every problem of one notebook's translation, and the built notebook's text (None if refused)."""
    name = path.name
    english = read_json(path)
    data, problems = load_translation(root, name)
    if data is None:
        return problems + (built_problems(root, name, None) if built else []), None
    problems += sync_problems(name, english, data)
    for cell_id, en in markdown_cells(english):
        entry = data["cells"].get(cell_id)
        if isinstance(entry, dict) and isinstance(entry.get("zh"), str) and entry["zh"].strip():
            problems += [Problem(name, cell_name(cell_id, en), what, fix, check)
                         for check, what, fix in content_problems(en, entry["zh"], terms)]
    text = None if any(p.blocking for p in problems) else dumps(build_notebook(english, data))
    if built:
        problems += built_problems(root, name, text)
    return problems, text


def check(root: Path = ROOT, only: str | None = None, built: bool = True) -> list[Problem]:
    """Return every problem of the Chinese edition (or of notebook `only`), all seven checks."""
    terms = load_glossary(glossary_path(root))
    problems = []
    for path in english_notebooks(root, only):
        problems += notebook_problems(root, path, terms, built)[0]
    if built and only is None:
        problems += extra_outputs(root)
    return problems


def build(root: Path = ROOT, only: str | None = None) -> tuple[list[Path], list[Problem]]:
    """Write notebooks/zh/ from the translations; return (paths written, problems). A notebook whose
    translation is missing or out of sync is not written (its blocking problems say why)."""
    terms = load_glossary(glossary_path(root))
    written, problems = [], []
    output_dir(root).mkdir(parents=True, exist_ok=True)
    for path in english_notebooks(root, only):
        found, text = notebook_problems(root, path, terms, built=False)
        problems += found
        if text is None:
            continue
        out = output_dir(root) / path.name
        if not out.is_file() or out.read_text(encoding="utf-8") != text:
            tmp = out.with_suffix(".ipynb.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out)
        written.append(out)
    return written, problems


# --- status and diff ----------------------------------------------------------------------------------------


def status(root: Path = ROOT) -> list[dict]:
    """Return per notebook: markdown cells, translated and in sync, stale, English and Chinese characters."""
    rows = []
    for path in english_notebooks(root):
        cells = markdown_cells(read_json(path))
        data, _ = load_translation(root, path.name)
        entries = data["cells"] if data else {}
        done = stale = zh_chars = 0
        for cell_id, text in cells:
            entry = entries.get(cell_id)
            if isinstance(entry, dict) and isinstance(entry.get("zh"), str) and entry["zh"].strip():
                zh_chars += len(entry["zh"])
                if entry.get("sha256") == sha256(text):
                    done += 1
                else:
                    stale += 1
        rows.append({"notebook": path.name, "cells": len(cells), "translated": done, "stale": stale,
                     "en_chars": sum(len(t) for _, t in cells), "zh_chars": zh_chars})
    return rows


def diff(root: Path, only: str) -> str:
    """Return a unified diff, per stale cell of notebook `only`, of the translated English against today's."""
    out = []
    for path in english_notebooks(root, only):
        data, _ = load_translation(root, path.name)
        entries = data["cells"] if data else {}
        for cell_id, text in markdown_cells(read_json(path)):
            entry = entries.get(cell_id)
            if isinstance(entry, dict) and isinstance(entry.get("en"), str) and entry["en"] != text:
                out.append(f"=== {path.name}, {cell_name(cell_id, text)}")
                out += difflib.unified_diff(entry["en"].splitlines(), text.splitlines(), "translated English",
                                            "current English", lineterm="", n=1)
    return "\n".join(out)


# --- command line -------------------------------------------------------------------------------------------


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:   # one notebook after another, cells in notebook order
        print(problem)
    if problems:
        kinds = Counter(p.check for p in problems)
        books = len({p.notebook for p in problems})
        print(f"\n{len(problems)} problems in {books} notebooks: "
              + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "check", "status", "diff"])
    parser.add_argument("number", nargs="?", help="diff: the notebook number, e.g. 03")
    parser.add_argument("--notebook", "-n", help="only the notebook with this number, e.g. 03")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--no-built", action="store_true",
                        help="check: skip check 2 (notebooks/zh/ equal to a fresh build)")
    args = parser.parse_args(argv)
    only = args.notebook or args.number
    if only is not None and not english_notebooks(args.root, only):
        print(f"no notebook notebooks/{only}_*.ipynb")
        return 2
    start = time.perf_counter()
    if args.command == "build":
        written, problems = build(args.root, only)
        for path in written:
            print(f"wrote {path.relative_to(args.root).as_posix()}")
        refused = sorted({p.notebook for p in problems if p.blocking})
        for name in refused:
            print(f"NOT written: notebooks/zh/{name} (translation missing or out of sync):")
            for p in problems:
                if p.notebook == name and p.blocking:
                    print(f"  {p}")
        others = [p for p in problems if not p.blocking]
        if others:
            print(f"{len(others)} content problems (spans, glossary, numbers, ...): python tools/zh.py check")
        print(f"{len(written)} notebooks written in {time.perf_counter() - start:.1f} s")
        return 1 if refused else 0
    if args.command == "check":
        problems = check(args.root, only, built=not args.no_built)
        _print_problems(problems)
        print(f"{'no problems' if not problems else 'problems found'} "
              f"({time.perf_counter() - start:.1f} s)")
        return 1 if problems else 0
    if args.command == "status":
        rows = status(args.root)
        print(f"{'notebook':36} {'cells':>11} {'stale':>5} {'en chars':>9} {'zh chars':>9}")
        for r in rows:
            print(f"{r['notebook']:36} {r['translated']:>5} / {r['cells']:<3} {r['stale']:>5} "
                  f"{r['en_chars']:>9,} {r['zh_chars']:>9,}")
        total = {k: sum(r[k] for r in rows) for k in ("cells", "translated", "stale", "en_chars", "zh_chars")}
        print(f"{'all':36} {total['translated']:>5} / {total['cells']:<3} {total['stale']:>5} "
              f"{total['en_chars']:>9,} {total['zh_chars']:>9,}")
        return 0
    if only is None:
        parser.error("diff needs a notebook number, e.g. python tools/zh.py diff 03")
    print(diff(args.root, only) or "no stale cells")
    return 0


if __name__ == "__main__":
    sys.exit(main())
