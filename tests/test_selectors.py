"""Module selectors and lookups are exact: `build 1` is module 01 (not 10 and 11), an unknown
module is an error, and a copy or a backup beside a notebook is never taken for it."""

from __future__ import annotations

import json
import shutil

import pytest

from steward import assign, build, cli, lessonmeta, nbjson, paths
from steward.errors import StewardError


def test_the_index_is_the_curriculum():
    for folder in ("notebooks", "exercises", "solutions"):
        names = sorted(p.name for p in (paths.root() / folder).glob("[0-9][0-9]-*.ipynb"))
        assert names == [f"{n}-{s}.ipynb" for n, s in lessonmeta.INDEX.items()], folder


@pytest.mark.parametrize("selector,number", [("2", "02"), ("02", "02"), ("trade-offs", "02"), ("02-trade-offs", "02"),
                                             ("02-trade-offs.ipynb", "02"), ("1", "01"), ("11", "11")])
def test_selectors(selector, number):
    assert lessonmeta.module_number(selector) == number


@pytest.mark.parametrize("selector", ["", " ", "99", "1x", "trade", "02-trade-offs-Copy1", None])
def test_bad_selectors_are_plain_errors(selector):
    with pytest.raises(StewardError):
        lessonmeta.module_number(selector)


def test_build_one_is_module_01_only():
    planned = build.plan(paths.root(), ["1"])
    assert [p.target.name for p in planned] == ["01-how-will-it-break.ipynb"]


@pytest.mark.parametrize("argv", [["build", "99"], ["build", ""], ["assign", "", "-o", "x"], ["agenda", ""],
                                  ["agenda", "99"]])
def test_unknown_modules_exit_non_zero_in_one_line(argv, capsys, tmp_path):
    argv = [a if a != "x" else str(tmp_path) for a in argv]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("steward: ") and "Traceback" not in err


def test_lookups_ignore_copies_and_backups(tmp_path, monkeypatch):
    """A JupyterLab 'Duplicate' or a build backup sorts before the real notebook; it is never used."""
    root = tmp_path / "curriculum"
    shutil.copytree(paths.root() / "notebooks", root / "notebooks")
    shutil.copytree(paths.root() / "solutions", root / "solutions")
    shutil.copytree(paths.root() / "exercises", root / "exercises")
    (root / "data").mkdir()
    decoy = json.loads((root / "notebooks" / "02-trade-offs.ipynb").read_text())
    decoy["cells"][0]["source"] = "# 02 · DECOY"
    for name in ("02-trade-offs-Copy1.ipynb", "02-trade-offs.backup-20260101-000000.ipynb", "02-a.ipynb"):
        (root / "notebooks" / name).write_text(json.dumps(decoy))
        (root / "exercises" / name).write_text(json.dumps(decoy))
    monkeypatch.setenv("STEWARD_ROOT", str(root))
    assert lessonmeta.find("02").name == "02-trade-offs.ipynb"
    assert "DECOY" not in lessonmeta.read("02").title


def test_assign_copies_the_blank_exercise_not_an_edited_one(tmp_path, monkeypatch):
    root = tmp_path / "curriculum"
    for folder in ("notebooks", "solutions", "exercises"):
        shutil.copytree(paths.root() / folder, root / folder)
    (root / "data").mkdir()
    edited = nbjson.read(root / "exercises" / "02-trade-offs.ipynb")
    for cell in edited.cells:
        if cell.cell_type == "code" and "= ..." in nbjson.source(cell):
            cell["source"] = nbjson.source(cell).replace("= ...", "= 'my worked answer'", 1)
            break
    nbjson.write(edited, root / "exercises" / "02-trade-offs.ipynb")
    monkeypatch.setenv("STEWARD_ROOT", str(root))
    target, _ = assign.assign("02", tmp_path / "out", mentee="Ana")
    assert "my worked answer" not in target.read_text()
    assert "### BEGIN SOLUTION" not in target.read_text()


@pytest.mark.parametrize("names", [("李明", "王芳"), ("José", "Jose"), ("Ana", "ana ")])
def test_mentee_names_keep_their_letters(names, tmp_path):
    first, _ = assign.assign("02", tmp_path, mentee=names[0])
    second, renamed = assign.assign("02", tmp_path, mentee=names[1])
    assert first.name.startswith(assign.safe_name(names[0]) + "-02-trade-offs")
    assert not first.name.startswith("-")
    assert first != second and first.exists() and second.exists()


@pytest.mark.parametrize("due", ["2026-13-40", "next friday", "04/12/2026"])
def test_due_dates_are_validated(due, tmp_path, capsys):
    assert cli.main(["assign", "02", "-o", str(tmp_path), "--due", due]) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_mentee_name_without_letters_is_refused(tmp_path):
    with pytest.raises(StewardError):
        assign.assign("02", tmp_path, mentee="../..")
