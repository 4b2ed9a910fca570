"""docs/: the glossary covers the notebooks' terms in two languages; common-errors.md cites real sections."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GLOSSARY = DOCS / "glossary.md"
ERRORS = DOCS / "common-errors.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")
NOTEBOOK_LINK = re.compile(r"\]\(\.\./notebooks/([^)]+)\)")

# Bold text in the Summaries that is not a term, and why. Each entry must still occur (a test checks it), so
# that the list cannot outlive the text it excuses.
NOT_TERMS = {
    "i, f, c, o": "03: Keras's gate order, a convention rather than a term (the glossary has 'gate order')",
    "every": "06: emphasis, 'predict every position'",
    "first": "07: emphasis, 'split by time first'",
}

# Terms of the section headings and of common-errors.md that the glossary must have, with the Chinese it must
# give where the standard term matters most.
REQUIRED_TERMS = {
    "recurrent neural network": "循环神经网络",
    "recursive neural network": "递归神经网络",
    "long short-term memory": "长短期记忆",
    "gated recurrent unit": "门控循环单元",
    "backpropagation through time": "随时间反向传播",
    "truncated BPTT": "截断",
    "teacher forcing": "教师强制",
    "beam search": "束搜索",
    "perplexity": "困惑度",
    "attention": "注意力",
    "self-attention": "自注意力",
    "exposure bias": "曝光偏差",
    "hidden state": "隐状态",
    "cell state": "细胞状态",
    "update gate": "更新门",
    "reset gate": "重置门",
    "forget gate": "遗忘门",
    "input gate": "输入门",
    "output gate": "输出门",
    "vanishing gradient": "梯度消失",
    "exploding gradient": "梯度爆炸",
    "gradient clipping": "梯度裁剪",
    "singular value": "奇异值",
    "eigenvalue": "特征值",
    "spectral radius": "谱半径",
    "peephole connection": "",
    "stateful RNN": "",
    "embedding": "嵌入",
    "mask": "掩码",
    "padding": "填充",
    "one-hot encoding": "独热",
    "Sequential model": "",
    "functional API": "",
    "Tokenizer": "",
    "Transformer": "",
    "positional encoding": "位置编码",
    "multi-head attention": "多头注意力",
    "encoder-decoder": "编码器-解码器",
    "greedy decoding": "贪心",
    "BLEU": "",
    "language model": "语言模型",
    "n-gram model": "",
    "Kneser-Ney smoothing": "",
    "bag of words": "词袋",
    "TF-IDF": "",
    "macro-F1": "",
    "persistence forecast": "",
    "cuDNN": "",
    "XLA": "",
    "mixed precision": "混合精度",
    "data parallelism": "数据并行",
    "SavedModel": "",
}

# One pattern per error that common-errors.md must cover (searched in the text with whitespace collapsed).
REQUIRED_ITEMS = {
    "an LSTM gate fed its own previous value": r"U_f f_\{t-1\}",
    "the carried cell squashed by tanh": r"C_t = \\tanh\(f_t \\odot C_\{t-1\}",
    "extra layers after h_t": r"layers added after \$h_t\$",
    "the cell state called the hidden state": r"cell state called \"the hidden state\"",
    "a GRU with an input and an output gate": r"an input gate and an output gate",
    "the GRU's z and 1 - z swapped": r"\(1 - z_t\) \\odot h_\{t-1\} \+ z_t \\odot",
    "the GRU's reset gate outside the candidate": r"reset gate outside the candidate",
    "vanishing gradients from the eigenvalues alone": r"eigenvalues of \$W_h\$ alone",
    "the bound: largest singular value times the derivative": r"\\gamma\\, \\sigma_\\max\(W_h\)",
    "'LSTM solves vanishing gradients'": r"The LSTM solves the vanishing gradient problem",
    "LSTM + attention presented as a Transformer": r"LSTM \+ Attention\" model presented as a Transformer",
    "recurrent called recursive": r"called a \*recursive\* network",
    "classes counted with np.unique on one-hot labels": r"`np\.unique` on one-hot labels",
    "word ids without an Embedding": r"Word ids fed to an LSTM without an `Embedding`",
    "return_state=True inside a Sequential model": r"`return_state=True` inside a `Sequential` model",
    "accuracy on the training data": r"Accuracy reported on the training data",
    "Keras 2: Tokenizer and keras.preprocessing": r"from keras\.preprocessing\.text import Tokenizer",
    "Keras 2: input_shape= in a Sequential": r"input_shape=",
    "Keras 2: batch_input_shape": r"batch_input_shape=",
    "Keras 2: model.reset_states()": r"model\.reset_states\(\)",
    "pad_sequences pads on the left": r"`pad_sequences` pads on the left by default",
}


def _markdown(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def _summary(path: Path) -> str:
    """Return the markdown from "## Summary" up to "## Exercises"."""
    found = re.search(r"^## Summary[ \t]*\n(.*?)^## Exercises", _markdown(path), re.S | re.M)
    assert found, f"{path.name}: no '## Summary' followed by '## Exercises'"
    return found.group(1)


def _headings(path: Path) -> set[str]:
    """Return the text of every markdown heading of a notebook ("2. The simple RNN", "Baselines first")."""
    return {re.sub(r" \((core|optional)\)$", "", line.lstrip("#").strip())   # without the lecture marker
            for line in _markdown(path).splitlines() if re.match(r"#{1,6} ", line)}


def _normal(term: str) -> str:
    return " ".join(term.replace("`", "").casefold().split()).strip(" .,:;")


def _forms(english: str) -> set[str]:
    """Return the names an entry answers to: "a (b)" gives "a (b)", "a" and "b"; "a / b" gives "a" and "b"."""
    forms = set()
    for part in english.split(" / "):
        forms.add(_normal(part))
        bracket = re.fullmatch(r"(.*?)\s*\((.*)\)", part.strip())
        if bracket:
            forms |= {_normal(bracket.group(1)), _normal(bracket.group(2))}
    return forms - {""}


def _same_term(a: str, b: str) -> bool:
    """Return whether two normalised terms are equal up to an English plural ending."""
    if a == b:
        return True
    pairs = ((a, b), (b, a))
    return any(y in (x + "s", x + "es") or (x.endswith("y") and y == x[:-1] + "ies") for x, y in pairs)


def _glossary_rows() -> list[dict[str, str]]:
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| English |"))
    rows = []
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 4, f"glossary row without 4 columns: {line}"
        rows.append(dict(zip(["english", "chinese", "introduced", "note"], cells, strict=True)))
    return rows


def _glossary_has(term: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Return the glossary rows whose English names `term`, up to case and a plural ending."""
    wanted = _normal(term)
    return [row for row in rows if any(_same_term(wanted, form) for form in _forms(row["english"]))]


def test_the_docs_exist():
    assert GLOSSARY.is_file() and ERRORS.is_file()
    assert NOTEBOOKS, "no notebooks to document"


def test_term_matching_allows_case_plurals_and_aliases():
    assert _forms("backpropagation through time (BPTT)") == {"backpropagation through time (bptt)",
                                                            "backpropagation through time", "bptt"}
    assert _same_term("gate", "gates") and _same_term("query", "queries") and _same_term("mask", "masks")
    assert not _same_term("gate", "update gate")
    rows = [{"english": "Update gate", "chinese": "更新门", "introduced": "", "note": ""}]
    assert _glossary_has("update gates", rows) and not _glossary_has("reset gate", rows)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_glossary_has_every_bold_term_of_the_summary(path):
    rows = _glossary_rows()
    bold = {_normal(b) for b in re.findall(r"\*\*(.+?)\*\*", _summary(path), re.S)}
    missing = sorted(b for b in bold - set(NOT_TERMS) if not _glossary_has(b, rows))
    assert not missing, f"{path.name}: bold Summary terms missing from docs/glossary.md: {missing}"


def test_every_excluded_bold_text_still_occurs():
    bold = {_normal(b) for path in NOTEBOOKS for b in re.findall(r"\*\*(.+?)\*\*", _summary(path), re.S)}
    stale = sorted(set(NOT_TERMS) - bold)
    assert not stale, f"NOT_TERMS excuses bold text that no Summary has any more: {stale}"


@pytest.mark.parametrize("term", REQUIRED_TERMS)
def test_glossary_has_the_heading_and_common_error_terms(term):
    rows = _glossary_has(term, _glossary_rows())
    assert rows, f"docs/glossary.md has no entry for {term!r}"
    chinese = [row["chinese"] for row in rows]
    expected = REQUIRED_TERMS[term]
    assert any(expected in zh for zh in chinese), f"{term!r}: no {expected!r} in {chinese}"


def test_every_glossary_row_has_chinese_and_a_notebook_that_exists():
    rows = _glossary_rows()
    assert len(rows) > 100
    for row in rows:
        assert row["english"], row
        assert CJK.search(row["chinese"]), f"{row['english']}: no Chinese characters in {row['chinese']!r}"
        link = re.fullmatch(r"\[(\d\d)\]\(\.\./notebooks/((\d\d)_\w+\.ipynb)\)", row["introduced"])
        assert link, f"{row['english']}: 'introduced in' is not a link to a notebook: {row['introduced']!r}"
        assert link.group(1) == link.group(3), f"{row['english']}: link text and notebook differ"
        file = link.group(2)
        assert (ROOT / "notebooks" / file).is_file(), f"{row['english']}: no notebooks/{file}"


def test_glossary_is_sorted_and_has_no_duplicates():
    english = [row["english"] for row in _glossary_rows()]
    assert english == sorted(english, key=str.casefold), "sort the glossary alphabetically by English term"
    assert len({e.casefold() for e in english}) == len(english), "a term is listed twice"


def test_recurrent_is_never_translated_as_recursive():
    rows = _glossary_rows()
    for row in rows:
        if "递归" in row["chinese"]:
            assert "recursive" in row["english"].casefold(), f"{row['english']}: 递归 means recursive"
        if re.search(r"\brecurrent\b", row["english"], re.I):
            assert "递归" not in row["chinese"], f"{row['english']}: recurrent is 循环, not 递归"
    (recurrent,) = _glossary_has("recurrent neural network", rows)
    assert recurrent["chinese"].startswith("循环神经网络")
    (recursive,) = _glossary_has("recursive neural network", rows)
    assert recursive["chinese"].startswith("递归神经网络")


def _citations(text: str) -> list[tuple[str, str | None, str]]:
    """Return (notebook file, section number or None, heading text) for each section cited after a link."""
    flat = " ".join(text.split())
    found = []
    pieces = NOTEBOOK_LINK.split(flat)          # text, file, text, file, text ...
    for file, after in zip(pieces[1::2], pieces[2::2], strict=True):
        after = re.split(r" - \*\*|#", after)[0]  # up to the next list item or heading
        for match in re.finditer(r"\b(sub)?section (?:(\d+[a-z]?) )?\"([^\"]+)\"", after):
            found.append((file, match.group(2), match.group(3)))
    return found


def test_common_errors_cite_notebooks_and_sections_that_exist():
    text = ERRORS.read_text(encoding="utf-8")
    files = NOTEBOOK_LINK.findall(text)
    assert files, "common-errors.md links no notebook"
    for file in files:
        assert (ROOT / "notebooks" / file).is_file(), f"common-errors.md links a missing notebook: {file}"
    citations = _citations(text)
    assert len(citations) >= 20
    for file, number, heading in citations:
        headings = _headings(ROOT / "notebooks" / file)
        wanted = f"{number}. {heading}" if number else heading
        unnumbered = {h.split(". ", 1)[-1] for h in headings}
        assert wanted in headings or (not number and heading in unnumbered), (
            f"common-errors.md cites {file}, section {wanted!r}, which is not a heading there")


def test_every_common_error_has_the_three_parts_and_a_citation():
    items = re.split(r"^#{2,3} \d+\. ", ERRORS.read_text(encoding="utf-8"), flags=re.M)[1:]
    assert len(items) >= len(REQUIRED_ITEMS) - 7   # some items cover several of the required errors
    for item in items:
        title = item.splitlines()[0]
        for part in ("**Circulates:**", "**Correct:**", "**Demonstrated in:**"):
            assert part in item, f"common-errors.md, {title!r}: no {part}"
        demonstrated = item.split("**Demonstrated in:**", 1)[1]
        assert _citations(demonstrated), f"common-errors.md, {title!r}: no notebook section cited"


@pytest.mark.parametrize("error", REQUIRED_ITEMS)
def test_common_errors_cover_each_required_error(error):
    flat = " ".join(ERRORS.read_text(encoding="utf-8").split())
    assert re.search(REQUIRED_ITEMS[error], flat), f"common-errors.md does not cover: {error}"


def test_docs_link_each_other():
    assert "(glossary.md)" in ERRORS.read_text(encoding="utf-8")
    assert "(common-errors.md)" in GLOSSARY.read_text(encoding="utf-8")
