"""Run each solution and each blank exercise (on a copy) and read the outcomes the
checks wrote into the outputs: solutions pass every task of their module; blanks report
every task *not attempted*; neither raises."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward import outcomes, paths
from steward.lessons import all_lessons

ROOT = paths.root()
LESSONS = all_lessons()


def _run(path: Path):
    nb = outcomes.execute(path, timeout=120)
    assert outcomes.errors(nb) == [], f"{path.name} raised: {outcomes.errors(nb)}"
    assert outcomes.undrawn_charts(nb) == [], f"{path.name} shows a chart as text"
    return [r for r in outcomes.collect(nb) if "task" in r]


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_solution_passes_every_task(path):
    records = _run(path)
    expected = {t.id for t in LESSONS[path.name[:2]].TASKS}
    seen = {r["task"] for r in records}
    assert expected <= seen, f"tasks never checked in the solution: {sorted(expected - seen)}"
    last = {r["task"]: r["status"] for r in records}
    failing = {task: status for task, status in last.items() if status != "pass"}
    assert not failing, f"not passing in the solution: {failing}"


@pytest.mark.parametrize("path", sorted((ROOT / "exercises").glob("*.ipynb")), ids=lambda p: p.name)
def test_blank_exercise_is_not_attempted(path):
    records = _run(path)
    expected = {t.id for t in LESSONS[path.name[:2]].TASKS}
    assert expected <= {r["task"] for r in records}
    attempted = {r["task"]: r["status"] for r in records if r["status"] != "not attempted"}
    assert not attempted, f"a blank exercise should report not attempted: {attempted}"
