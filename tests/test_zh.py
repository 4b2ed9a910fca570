"""The Chinese edition (tools/zh.py, `make zh`): complete, in sync with the English, built; and each check
able to fail on a deliberately broken copy."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools import zh
from tools.notebook_rules import check_notebook
from utils.setup import colab_url

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = zh.english_notebooks(ROOT)
TERMS = zh.load_glossary(zh.glossary_path(ROOT))


def _messages(problems: list[zh.Problem]) -> str:
    return "\n".join(map(str, problems))


# --- the committed files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_translation_is_complete_and_in_sync(path):
    problems, _ = zh.notebook_problems(ROOT, path, TERMS, built=False)
    assert problems == [], f"python tools/zh.py check --notebook {path.name[:2]}:\n" + _messages(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_zh_notebook_equals_a_fresh_build(path):
    problems, text = zh.notebook_problems(ROOT, path, TERMS, built=True)
    assert text is not None, "the translation is missing or out of sync:\n" + _messages(problems)
    built = [p for p in problems if p.check == "built"]
    assert built == [], _messages(built)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_zh_notebook_follows_the_notebook_rules(path):
    """The rules of tools/notebook_rules.py hold for the Chinese notebook too (the Summary, Exercises, ...
    headings, section markers, lecture path, no control characters, prose numbers); its badge opens zh/."""
    built = zh.output_dir(ROOT) / path.name
    assert built.is_file(), f"run `make zh`: {built.relative_to(ROOT)} is missing"
    english_badge = f"no Open-in-Colab badge linking to {colab_url(path.name)}"
    assert [p for p in check_notebook(built) if p != english_badge] == []
    zh_badge = colab_url(path.name).replace("/notebooks/", "/notebooks/zh/")
    assert zh_badge in built.read_text(encoding="utf-8")


def test_every_zh_notebook_has_an_english_one():
    assert NOTEBOOKS
    assert zh.extra_outputs(ROOT) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_relative_links_of_zh_notebook_resolve(path):
    built = zh.output_dir(ROOT) / path.name
    assert built.is_file(), f"run `make zh`: {built.relative_to(ROOT)} is missing"
    for cell_id, text in zh.markdown_cells(zh.read_json(built)):
        text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)     # code blocks hold no links
        for target in zh.LINK_TARGET.findall(text):
            if not re.match(r"[a-z]+:|#", target):
                file = (built.parent / target.split("#")[0]).resolve()
                assert file.is_file(), f"{path.name}, cell {cell_id}: link to a missing file {target!r}"


def test_setup_cell_finds_the_repository_from_notebooks_zh():
    """The shared set-up cell, up to its first import of utils, run with the current directory notebooks/zh/
    (on Colab the cell clones the repository and changes into it wherever the notebook lies:
    tests/test_colab_setup.py)."""
    cells = zh.read_json(NOTEBOOKS[0])["cells"]
    setup_cell = zh.source(next(c for c in cells if c["cell_type"] == "code"))
    head = setup_cell.split("from utils import setup")[0]
    assert "def find_root" in head and "ROOT = find_root()" in head
    folder = zh.output_dir(ROOT)
    folder.mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, "-c", head + "\nprint(ROOT)\nprint(sys.path[0])"], cwd=folder,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(ROOT), str(ROOT)]


def test_pytest_does_not_collect_the_zh_notebooks():
    """nbval runs the English notebooks only (conftest.py's collect_ignore): notebooks/zh/ holds copies of
    their code and outputs."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "notebooks"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert f"notebooks/{NOTEBOOKS[0].name}::" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
    assert "notebooks/zh/" not in done.stdout


def _table_notebooks(readme: str, folder: str) -> list[str]:
    return re.findall(rf"^\| \d\d \| \[[^\]]+\]\({folder}(\d\d_[a-z0-9_]+\.ipynb)\)", readme, re.M)


def test_readme_zh_lists_every_notebook_of_readme():
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    chinese = (ROOT / "README.zh.md").read_text(encoding="utf-8")
    names = _table_notebooks(english, "notebooks/")
    assert names == [p.name for p in NOTEBOOKS]
    assert _table_notebooks(chinese, "notebooks/zh/") == names, "README.zh.md: one row per notebook, in order"
    for name in names:
        assert f"/blob/main/notebooks/zh/{name})" in chinese, f"README.zh.md: no Colab badge for zh/{name}"
    assert "(README.zh.md)" in english.split("## ")[0], "README.md links the Chinese edition near the top"
    assert "(README.md)" in chinese


def _minutes(readme: str) -> list[str]:
    return [line.rstrip().rstrip("|").split("|")[-1].strip() for line in readme.splitlines()
            if re.match(r"\| \d\d \| \[", line)]


def test_readme_zh_has_the_minutes_of_readme():
    english = _minutes((ROOT / "README.md").read_text(encoding="utf-8"))
    chinese = _minutes((ROOT / "README.zh.md").read_text(encoding="utf-8"))
    assert english and chinese == english, "copy the CPU minutes of README.md (make execute) to README.zh.md"


# --- each check fails on a broken copy: a tiny repository in tmp_path ---------------------------------------

NAME = "99_tiny.ipynb"
BADGE = ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
         f"(https://colab.research.google.com/github/rnn-notebooks/rnn-notebooks/blob/main/notebooks/{NAME})")
GLOSSARY = """# Glossary

| English | 中文 | introduced in | note |
|---|---|---|---|
| backpropagation through time (BPTT) | 随时间反向传播 | [99](x) | also 通过时间反向传播 (d2l-zh) |
| hidden state | 隐状态（隐藏状态） | [99](x) |  |
| mask | 掩码 | [99](x) |  |
| recurrent neural network (RNN) | 循环神经网络 | [99](x) | not 递归神经网络 |
| recursive neural network | 递归神经网络 | [99](x) |  |
"""
ENGLISH = {
    "title": f"# 99 · A tiny notebook\n\n{BADGE}\n\n**Lecture path:** section 1 is core.",
    "idea": ("## 1. The idea (core)\n\nA recurrent neural network keeps a **hidden state**\n"
             "$h_t = \\tanh(W_x x_t + W_h h_{t-1} + b)$; `keras.layers.SimpleRNN` computes it.\n"
             "It reached 0.748 on 1,024 examples in 12 epochs.\n\n"
             "See [the common errors](../docs/common-errors.md), "
             "[the guide](../CONTRIBUTING.md#determinism), [notebook 08](08_seq2seq.ipynb#beam) "
             "and the [README](../README.md)."),
    "mask": ("A **mask** hides the padding:\n\n$$y = \\sum_t m_t h_t$$\n\n"
             "<details><summary>Solution 1.1</summary>\n\n```python\nanswer = 3  # the sum\n```\n</details>"),
    "summary": "## Summary\n\n- BPTT is backpropagation through time (not this run).",
}
CHINESE = {
    "title": f"# 99 · 一个小笔记本\n\n{BADGE}\n\n**Lecture path（授课路线）:** 第 1 节是核心内容。",
    "idea": ("## 1. 基本思路 (core)\n\n循环神经网络（recurrent neural network, RNN）保存一个"
             "**隐状态**（hidden state）\n$h_t = \\tanh(W_x x_t + W_h h_{t-1} + b)$，"
             "由 `keras.layers.SimpleRNN` 计算。\n"
             "它在 1,024 个样本上训练 12 轮，达到 0.748。\n\n"
             "参见[常见错误](../docs/common-errors.md)、[贡献指南](../CONTRIBUTING.md#determinism)、"
             "[第 08 篇](08_seq2seq.ipynb#beam)和 [README](../README.md)。"),
    "mask": ("**掩码**（mask）遮住填充部分：\n\n$$y = \\sum_t m_t h_t$$\n\n"
             "<details><summary>参考答案 1.1</summary>\n\n```python\nanswer = 3  # the sum\n```\n</details>"),
    "summary": "## 小结 (Summary)\n\n- BPTT 即随时间反向传播（not this run，非本次运行）。",
}


def _english_notebook() -> dict:
    def md(cell_id):
        return {"cell_type": "markdown", "id": cell_id, "metadata": {},
                "source": ENGLISH[cell_id].splitlines(keepends=True)}

    output = {"name": "stdout", "output_type": "stream", "text": ["0.748\n"]}
    code = {"cell_type": "code", "execution_count": 1, "id": "code1", "metadata": {"tags": ["parameters"]},
            "outputs": [output], "source": ["x = 1"]}
    return {"cells": [md("title"), code, md("idea"), md("mask"), md("summary")],
            "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


def _entry(en: str, text: str) -> dict:
    return {"sha256": zh.sha256(en), "en": en, "zh": text}


class Tiny:
    """A repository with one English notebook, its translation and a glossary; edit, then check or build."""

    def __init__(self, root: Path):
        self.root = root
        (root / "notebooks").mkdir()
        (root / "docs").mkdir()
        zh.translation_dir(root).mkdir(parents=True)
        (root / "docs" / "glossary.md").write_text(GLOSSARY, encoding="utf-8")
        self.english = _english_notebook()
        self.cells = {k: _entry(ENGLISH[k], CHINESE[k]) for k in ENGLISH}
        self.save()

    def save(self) -> None:
        (self.root / "notebooks" / NAME).write_text(zh.dumps(self.english), encoding="utf-8")
        data = {"notebook": NAME, "cells": self.cells}
        self.translation.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @property
    def translation(self) -> Path:
        return zh.translation_dir(self.root) / "99_tiny.json"

    @property
    def built(self) -> Path:
        return zh.output_dir(self.root) / NAME

    def edit_english(self, cell_id: str, old: str, new: str) -> None:
        cell = next(c for c in self.english["cells"] if c.get("id") == cell_id)
        cell["source"] = zh.source(cell).replace(old, new, 1).splitlines(keepends=True)
        self.save()

    def edit_zh(self, cell_id: str, old: str, new: str) -> None:
        assert old in self.cells[cell_id]["zh"], old
        self.cells[cell_id]["zh"] = self.cells[cell_id]["zh"].replace(old, new)
        self.save()

    def problems(self, built: bool = False) -> list[zh.Problem]:
        """Return the problems of checks 1 and 3-7, and with `built` those of check 2 too."""
        return zh.check(self.root, built=built)


@pytest.fixture
def tiny(tmp_path) -> Tiny:
    repo = Tiny(tmp_path)
    written, problems = zh.build(repo.root)
    assert written == [repo.built] and problems == [], _messages(problems)
    return repo


def _only(problems: list[zh.Problem], check: str, *expected: str) -> zh.Problem:
    """Assert that there is exactly one problem, of kind `check`, whose message has every `expected` text."""
    assert len(problems) == 1, _messages(problems)
    (problem,) = problems
    text = str(problem)
    assert problem.check == check and all(e in text for e in expected), text
    assert text.startswith(NAME), text
    return problem


def test_a_good_translation_passes(tiny):
    assert tiny.problems(built=True) == []


def test_build_is_deterministic_and_in_the_notebook_format(tiny):
    first = tiny.built.read_bytes()
    zh.build(tiny.root)
    assert tiny.built.read_bytes() == first
    text = first.decode("utf-8")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    assert "一个小笔记本" in text            # not \\u escapes


def test_build_copies_code_cells_ids_metadata_and_outputs(tiny):
    nb = zh.read_json(tiny.built)
    assert [c["id"] for c in nb["cells"]] == [c["id"] for c in tiny.english["cells"]]
    assert nb["cells"][1] == tiny.english["cells"][1]
    assert nb["metadata"] == tiny.english["metadata"]


def test_build_rewrites_badge_and_relative_links(tiny):
    cells = {c["id"]: zh.source(c) for c in zh.read_json(tiny.built)["cells"]}
    assert f"/blob/main/notebooks/zh/{NAME})" in cells["title"]
    assert "/notebooks/99_tiny.ipynb" not in cells["title"]
    assert "](../../docs/common-errors.zh.md)" in cells["idea"]
    assert "](../../CONTRIBUTING.md#determinism)" in cells["idea"]
    assert "](../../README.zh.md)" in cells["idea"]
    assert "](08_seq2seq.ipynb#beam)" in cells["idea"]    # a sibling: the Chinese one
    assert zh.rewrite("[a](../../x.md)") == "[a](../../../x.md)"


def test_changed_english_cell_names_notebook_cell_and_first_changed_line(tiny):
    tiny.edit_english("idea", "keeps a", "carries a")
    problem = _only(tiny.problems(), "sync", "cell idea ('## 1. The idea (core)')", "changed since",
                    "line 3: was 'A recurrent neural network keeps a **hidden state**', "
                    "now 'A recurrent neural network carries a **hidden state**'", "tools/zh.py diff 99")
    assert problem.blocking
    assert "+A recurrent neural network carries a **hidden state**" in zh.diff(tiny.root, "99")


def test_build_refuses_a_stale_translation_and_keeps_the_old_output(tiny, capsys):
    before = tiny.built.read_bytes()
    tiny.edit_english("summary", "(not this run)", "(not from this run)")
    assert zh.main(["build", "--root", str(tiny.root)]) == 1
    out = capsys.readouterr().out
    assert f"NOT written: notebooks/zh/{NAME}" in out and "cell summary" in out
    assert "0 notebooks written" in out
    assert tiny.built.read_bytes() == before


def test_missing_cell(tiny):
    del tiny.cells["mask"]
    tiny.save()
    _only(tiny.problems(), "sync", "cell mask ('A **mask** hides the padding:", "no translation")


def test_extra_entry_for_a_deleted_cell(tiny):
    tiny.cells["gone"] = _entry("## Old section\n\nText.", "## 旧的一节\n\n正文。")
    tiny.save()
    _only(tiny.problems(), "sync", "cell gone ('## Old section')", "no longer has")


def test_entry_stamped_with_a_wrong_sha256(tiny):
    tiny.cells["mask"]["sha256"] = zh.sha256("something else")
    tiny.save()
    _only(tiny.problems(), "sync", "cell mask", "sha256 is not the SHA-256")


def test_empty_translation(tiny):
    tiny.cells["mask"]["zh"] = " \n"
    tiny.save()
    _only(tiny.problems(), "sync", "cell mask", "empty translation")


def test_missing_translation_file(tiny, capsys):
    tiny.translation.unlink()
    problems = tiny.problems()
    assert "no translation file translations/zh/99_tiny.json" in _messages(problems)
    assert zh.main(["build", "--root", str(tiny.root)]) == 1
    assert f"NOT written: notebooks/zh/{NAME}" in capsys.readouterr().out


def test_translation_file_naming_another_notebook(tiny):
    text = tiny.translation.read_text(encoding="utf-8")
    text = text.replace(f'"notebook": "{NAME}"', '"notebook": "98_x.ipynb"')
    tiny.translation.write_text(text, encoding="utf-8")
    _only(tiny.problems(), "sync", "says it translates '98_x.ipynb'")


def test_changed_latex_span(tiny):
    tiny.edit_zh("idea", "W_h h_{t-1}", "W_h h_t")
    _only(tiny.problems(), "spans", "cell idea", "LaTeX '$h_t = \\\\tanh(W_x x_t + W_h h_{t-1} + b)$'",
          "missing or changed")


def test_changed_display_latex(tiny):
    tiny.edit_zh("mask", "$$y = \\sum_t m_t h_t$$", "$$y = \\sum m_t h_t$$")
    _only(tiny.problems(), "spans", "LaTeX '$$y = \\\\sum_t m_t h_t$$'")


def test_whitespace_inside_a_span_may_differ(tiny):
    tiny.edit_zh("idea", "$h_t = \\tanh(W_x x_t + W_h h_{t-1} + b)$",
                 "$h_t = \\tanh(W_x x_t +\n W_h h_{t-1} + b)$")
    assert tiny.problems() == []


def test_missing_inline_code(tiny):
    tiny.edit_zh("idea", "由 `keras.layers.SimpleRNN` 计算", "由 Keras 的 SimpleRNN 计算")
    _only(tiny.problems(), "spans", "code span '`keras.layers.SimpleRNN`'")


def test_translated_comment_in_a_code_block(tiny):
    tiny.edit_zh("mask", "# the sum", "# 求和")
    _only(tiny.problems(), "spans", "code block")


def test_changed_link_target(tiny):
    tiny.edit_zh("idea", "(../CONTRIBUTING.md#determinism)", "(../CONTRIBUTING.md#确定性)")
    _only(tiny.problems(), "spans", "link target '../CONTRIBUTING.md#determinism'")


def test_dropped_html_tag(tiny):
    tiny.edit_zh("mask", "<summary>参考答案 1.1</summary>", "参考答案 1.1")
    problems = tiny.problems()
    assert {p.check for p in problems} == {"spans"} and len(problems) == 2
    assert "HTML tag '<summary>'" in _messages(problems) and "HTML tag '</summary>'" in _messages(problems)


def test_glossary_term_not_used(tiny):
    tiny.edit_zh("idea", "**隐状态**", "**隐层状态**")
    _only(tiny.problems(), "glossary", "cell idea", "'hidden state'", "'隐状态'", "'隐藏状态'")


def test_glossary_term_in_bold_counts_even_as_one_word(tiny):
    tiny.edit_zh("mask", "**掩码**（mask）", "**遮罩**（mask）")
    _only(tiny.problems(), "glossary", "cell mask", "'mask'", "'掩码'")


def test_glossary_accepts_the_alternatives_of_its_note(tiny):
    tiny.edit_zh("summary", "随时间反向传播", "通过时间反向传播")
    assert tiny.problems() == []


def test_recursive_for_recurrent_is_refused(tiny):
    tiny.edit_zh("idea", "循环神经网络（recurrent", "递归神经网络（recurrent")
    problems = tiny.problems()
    assert {p.check for p in problems} == {"mistranslation", "glossary"}, _messages(problems)
    assert "'递归'" in _messages(problems) and "循环神经网络" in _messages(problems)


def test_recursive_is_allowed_where_the_english_says_recursive(tiny):
    tiny.edit_english("mask", "hides the padding:", "hides the padding (unlike a recursive network):")
    tiny.cells["mask"] = _entry(zh.source(tiny.english["cells"][3]),
                                CHINESE["mask"].replace("遮住填充部分", "遮住填充部分（与递归神经网络不同）"))
    tiny.save()
    assert tiny.problems() == []


def test_long_short_term_memory_mistranslation(tiny):
    tiny.edit_zh("mask", "遮住填充部分", "遮住长短时记忆网络的填充部分")
    _only(tiny.problems(), "mistranslation", "长短时记忆", "长短期记忆")


@pytest.mark.parametrize("old, new, number", [("1,024", "1024", "'1,024'"), ("0.748", "0.75", "'0.748'"),
                                              ("12 轮", "十二轮", "'12'")])
def test_number_changed(tiny, old, new, number):
    tiny.edit_zh("idea", old, new)
    _only(tiny.problems(), "numbers", "cell idea", f"the number {number}")


@pytest.mark.parametrize("cell, old, new, expected", [
    ("idea", "(core)", "(核心)", "does not end with '(core)'"),
    ("idea", "## 1. 基本思路", "## 基本思路", "lost the numbering '1.'"),
    ("summary", "## 小结 (Summary)", "## 小结", "lost the word 'Summary'"),
    ("summary", "## 小结 (Summary)", "### 小结 (Summary)", "headings ['##'] in English, ['###']"),
    ("title", "**Lecture path（授课路线）:**", "**授课路线：**", "'**Lecture path' is missing"),
    ("summary", "not this run，", "", "'not this run'"),
    ("title", CHINESE["title"], ENGLISH["title"], "has no Chinese"),
])
def test_structure_markers_kept(tiny, cell, old, new, expected):
    tiny.edit_zh(cell, old, new)
    problems = tiny.problems()
    assert len(problems) == 1 and problems[0].check == "structure" and expected in str(problems[0]), \
        _messages(problems)


def test_zh_notebook_edited_by_hand(tiny):
    nb = zh.read_json(tiny.built)
    nb["cells"][2]["source"][0] = "## 1. 改过的标题 (core)\n"
    tiny.built.write_text(zh.dumps(nb), encoding="utf-8")
    _only(tiny.problems(built=True), "built", "differs from what `make zh` builds", "never notebooks/zh/")


def test_zh_notebook_not_rebuilt_after_a_translation_change(tiny):
    tiny.edit_zh("mask", "遮住填充部分", "把填充部分遮住")
    _only(tiny.problems(built=True), "built", "differs from what `make zh` builds")
    zh.build(tiny.root)
    assert tiny.problems(built=True) == []


def test_missing_zh_notebook(tiny):
    tiny.built.unlink()
    _only(tiny.problems(built=True), "built", f"notebooks/zh/{NAME} does not exist", "make zh")


def test_zh_notebook_without_an_english_one(tiny):
    (zh.output_dir(tiny.root) / "98_gone.ipynb").write_text("{}", encoding="utf-8")
    problems = tiny.problems(built=True)
    assert len(problems) == 1 and "98_gone.ipynb has no English notebook" in str(problems[0])


def test_command_line(tiny, capsys):
    assert zh.main(["check", "--root", str(tiny.root)]) == 0
    assert "no problems" in capsys.readouterr().out
    tiny.edit_zh("idea", "1,024", "1024")
    assert zh.main(["check", "--root", str(tiny.root), "--notebook", "99"]) == 1
    out = capsys.readouterr().out
    assert "the number '1,024'" in out and "fix: keep numbers" in out and "numbers 1, built 1" in out
    assert zh.main(["build", "--root", str(tiny.root)]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"wrote notebooks/zh/{NAME}\n.*1 notebooks written in \d+\.\d s", out, re.S)
    assert zh.main(["status", "--root", str(tiny.root)]) == 0
    assert re.search(rf"{NAME} +4 / 4 +0 ", capsys.readouterr().out)
    assert zh.main(["check", "--root", str(tiny.root), "--notebook", "42"]) == 2


def test_problems_are_listed_in_notebook_order(tiny):
    broken = copy.deepcopy(tiny.cells)
    broken["summary"]["zh"] = broken["summary"]["zh"].replace("(Summary)", "")
    broken["title"]["zh"] = broken["title"]["zh"].replace("**Lecture path", "**授课路线")
    tiny.cells = broken
    tiny.save()
    cells = [p.cell.split()[1] for p in tiny.problems() if p.cell]
    assert cells == ["title", "summary"]
