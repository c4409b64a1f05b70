"""Every module has a lesson, an exercise and a solution; all are stored stripped; lessons
follow the anatomy (objectives and minutes up front, key points and discussion at the end)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from steward import paths
from steward.lessons import all_lessons

ROOT = paths.root()
FOLDERS = ("notebooks", "exercises", "solutions")
ALL = sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
NAME = re.compile(r"^(\d\d)-[a-z0-9-]+\.ipynb$")
MINUTES = re.compile(r"\((\d+) min\)")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_stored_stripped(path):
    nb = read(path)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"cell {index + 1} has outputs: strip them"


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_first_code_cell_fails_fast(path):
    first = next(c for c in read(path).cells if c.cell_type == "code")
    assert "import steward" in first.source and "steward.setup()" in first.source
    assert "python3 run.py lab" in first.source, "say how to install when steward is missing"


def test_every_module_has_three_notebooks():
    lesson_numbers = set(all_lessons())
    names = {folder: {p.name for p in (ROOT / folder).glob("*.ipynb")} for folder in FOLDERS}
    assert names["notebooks"] == names["exercises"] == names["solutions"]
    for name in names["notebooks"]:
        assert NAME.match(name), f"{name} should be NN-slug.ipynb"
    assert {NAME.match(n).group(1) for n in names["notebooks"]} == lesson_numbers


@pytest.mark.parametrize("path", LESSONS, ids=rel)
def test_lesson_anatomy(path):
    nb = read(path)
    first = nb.cells[0].source
    number = path.name[:2]
    assert first.startswith(f"# {number} · "), "the title is '# NN · Title'"
    total = re.search(r"\*\*Time:\*\*\s*(\d+)\s*min", first)
    assert total, "the first cell states the time: **Time:** N min"
    assert "Objectives" in first and "\n- " in first, "the first cell lists objectives"
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    headings = [line for source in markdown for line in source.splitlines() if line.startswith("## ")]
    sections = [int(m.group(1)) for h in headings if (m := MINUTES.search(h))]
    assert sections, "sections are '## Title (N min)'"
    assert sum(sections) == int(total.group(1)), f"section minutes {sections} do not add up to {total.group(1)}"
    assert 30 <= int(total.group(1)) <= 90, "a lesson fits a 60–90 minute session"
    text = "\n".join(markdown)
    assert "## Key points" in text and "## Discussion" in text
    assert f"exercises/{path.name}" in text, "the lesson ends with a pointer to its exercise"
    assert nb.metadata.get("steward", {}).get("module") == number


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*.ipynb")), ids=rel)
def test_solution_metadata(path):
    meta = read(path).metadata.get("steward", {})
    assert meta.get("module") == path.name[:2] and meta.get("kind") == "solution"
