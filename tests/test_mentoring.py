"""The mentor's and facilitator's commands: report, assign, progress, agenda. No command
ever writes to a learner's notebook."""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from steward import agenda, assign, cli, lessonmeta, paths, progressview, report
from steward.authoring import write

EXERCISE = paths.root() / "exercises" / "00-start-here.ipynb"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit(nb: nbformat.NotebookNode, old: str, new: str) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code" and old in cell.source:
            cell.source = cell.source.replace(old, new)
            return
    raise AssertionError(f"no cell holds {old!r}")


def cell_index(nb: nbformat.NotebookNode, text: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if text in c.source)


@pytest.fixture(scope="module")
def messy_mentee(tmp_path_factory) -> Path:
    """A mentee's saved notebook that does everything mentees do: a misconception and a
    hint in their own session, a duplicated cell, a deleted check, a moved cell, a cell
    that raises, a cell that hangs, and a new name."""
    folder = tmp_path_factory.mktemp("mentee")
    nb = nbformat.read(str(EXERCISE), as_version=4)
    edit(nb, "downtime_minutes = ...", "downtime_minutes = (1 - SLO) * WINDOW_DAYS * 24  # hours, by mistake")
    edit(nb, "# tasks.downtime_allowed.hint()", "tasks.downtime_allowed.hint()")
    edit(nb, "budget_left_percent = ...", "budget_left_percent = 100 * (43.2 - INCIDENT_MINUTES) / 43.2")
    edit(nb, "reflection = ...", 'reflection = "I rarely get to argue with numbers."')
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute(env={**os.environ, "STEWARD_PROGRESS": "off"})
    budget = cell_index(nb, "tasks.budget_left.check")
    duplicate = copy.deepcopy(nb.cells[budget])
    duplicate["id"] = "duplicate"
    nb.cells.insert(budget + 1, duplicate)  # duplicated
    del nb.cells[cell_index(nb, "tasks.first_module.check")]  # deleted check
    reflection = nb.cells.pop(cell_index(nb, "note(\"00.reflection\""))
    nb.cells.insert(3, reflection)  # moved up, out of order
    nb.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(300)"))
    nb.cells.append(nbformat.v4.new_code_cell("tasks.budget_left.check(undefined_name)"))
    target = folder / "my work (final).ipynb"
    write(nb, target)
    return target


@pytest.fixture(scope="module")
def messy_report(messy_mentee) -> tuple[report.Report, str, str]:
    before = digest(messy_mentee)
    result = report.make(messy_mentee, timeout=15)
    after = digest(messy_mentee)
    return result, before, after


def test_report_never_modifies_the_notebook(messy_report):
    _, before, after = messy_report
    assert before == after


def test_report_survives_what_mentees_do(messy_report):
    result, _, _ = messy_report
    by_id = {t.id: t for t in result.tasks}
    assert result.module == "00"  # from metadata, despite the new name
    assert by_id["00.downtime-allowed"].status == "not yet"
    assert by_id["00.downtime-allowed"].hints_used == 1
    assert "answered in hours" in by_id["00.downtime-allowed"].misconceptions
    assert by_id["00.budget-left"].status == "pass"  # duplicated cell: still one task
    assert by_id["00.first-module"].status == "not attempted"
    assert "never ran" in by_id["00.first-module"].message
    problems = " ".join(result.problems)
    assert "did not finish within 15 s" in problems
    assert "NameError" in problems and "Error budget left" in problems
    assert any(n["note"] == "00.reflection" for n in result.notes)  # found although moved


def test_report_files_carry_status_hints_answers_and_questions(messy_report, tmp_path):
    result, _, _ = messy_report
    md, page = report.write(result, tmp_path)
    text = md.read_text()
    assert md.name == "my work (final).report.md" and page.exists()
    assert "| Downtime the SLO allows | not yet | 1 |" in text
    assert "## Questions for your 1:1" in text and "what share of the window may be bad?" in text
    assert "<h2>Tasks</h2>" in page.read_text()


def test_report_of_a_solution_is_all_pass(tmp_path):
    source = paths.root() / "solutions" / "00-start-here.ipynb"
    result = report.make(source, timeout=60)
    assert {t.status for t in result.tasks} == {"pass"}
    assert not result.problems
    assert any(n["note"] == "00.reflection" for n in result.notes)
    text = report.to_markdown(result)
    assert "## Written answers" in text and "I report what I built" in text


@pytest.mark.parametrize("make_bad", [
    lambda p: p / "missing.ipynb",
    lambda p: p,
    lambda p: (p / "notes.txt").write_text("hello") and p / "notes.txt",
    lambda p: (p / "broken.ipynb").write_text("{ not json") and p / "broken.ipynb",
])
def test_report_bad_input_is_one_line_and_nonzero(tmp_path, capsys, make_bad):
    target = make_bad(tmp_path)
    assert cli.main(["report", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("steward: ") and "Traceback" not in err and len(err.strip().splitlines()) == 2


def test_assign_writes_a_cover_and_never_overwrites(tmp_path, capsys):
    first, renamed = assign.assign("00", tmp_path, mentee="Ana B", due="2026-12-04", note="Focus on task 3.")
    assert first.name == "ana-b-00-start-here.ipynb" and not renamed
    nb = nbformat.read(str(first), as_version=4)
    ids = [c.get("id") for c in nb.cells]
    assert all(ids) and len(set(ids)) == len(ids)  # nbformat 4.5: every cell has its own id
    cover = nb.cells[0].source
    assert "Ana B" in cover and "2026-12-04" in cover and "Focus on task 3." in cover
    assert "Bring to your 1:1" in cover and "Time box" in cover
    assert nb.metadata["steward"]["kind"] == "assignment"
    mine = digest(first)
    assert cli.main(["assign", "00", "-o", str(tmp_path), "--mentee", "Ana B"]) == 0
    assert "nothing was overwritten" in capsys.readouterr().out
    assert digest(first) == mine
    assert (tmp_path / "ana-b-00-start-here-2.ipynb").exists()


def test_assign_unknown_module(tmp_path, capsys):
    assert cli.main(["assign", "77", "-o", str(tmp_path)]) == 1
    assert "'77' is not a module" in capsys.readouterr().err


def test_progress_empty_record_is_friendly(progress_file, capsys):
    assert cli.main(["progress"]) == 0
    assert "No progress recorded yet" in capsys.readouterr().out


def test_progress_from_record(progress_file, capsys):
    from steward.lessons.start_here import TASKS

    TASKS.downtime_allowed.check(1.0)
    TASKS.downtime_allowed.hint()
    TASKS.budget_left.check(TASKS.budget_left.expected)
    table = progressview.from_record()
    assert table.loc["00", "pass"] == 1 and table.loc["00", "not yet"] == 1 and table.loc["00", "hints"] == 1
    assert cli.main(["progress"]) == 0
    assert "tasks passed" in capsys.readouterr().out
    fig = progressview.chart(table)
    assert "tasks passed" in fig.axes[0].get_title(loc="left")


def test_progress_from_notebooks(messy_mentee, capsys):
    table = progressview.from_notebooks([messy_mentee])
    assert table.loc["00", "hints"] == 1 and table.loc["00", "pass"] == 1
    assert cli.main(["progress", str(messy_mentee)]) == 0


def test_agenda_fits_the_session_and_uses_the_lesson():
    lesson = lessonmeta.read("00")
    text = agenda.agenda("00", length=90)
    for section in lesson.sections:
        assert section.title in text
    assert "Discussion and close" in text and "0:00" in text
    assert "over:" not in text
    short = agenda.agenda("00", length=45)
    assert "Homework" in short


def test_agenda_bad_length(capsys):
    assert cli.main(["agenda", "00", "--length", "5"]) == 1
    assert "outside" in capsys.readouterr().err


def test_no_command_writes_to_a_learners_notebook(messy_mentee, tmp_path, capsys):
    """Every command that takes a notebook leaves its bytes alone."""
    before = digest(messy_mentee)
    cli.main(["progress", str(messy_mentee)])
    cli.main(["report", str(messy_mentee), "-o", str(tmp_path), "--timeout", "15"])
    cli.main(["assign", "00", "-o", str(messy_mentee.parent)])
    assert digest(messy_mentee) == before
    json.loads(messy_mentee.read_text())
