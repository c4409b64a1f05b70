"""``steward cohort``: one page for a room, from the learners' notebooks."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest

from steward import cli, cohort, report
from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS
from steward.lessons import all_lessons

ROOT = Path(__file__).resolve().parent.parent
TASKS = list(all_lessons()["00"].TASKS)


def fake(statuses: list[str], hints: list[int], misconceptions: list[list[str]]) -> report.Report:
    tasks = [report.TaskReport(t.id, t.title, status=s, hints_used=h, misconceptions=m)
             for t, s, h, m in zip(TASKS, statuses, hints, misconceptions, strict=False)]
    return report.Report("x.ipynb", "00", "", 1.0, tasks, [], [], [], [], "now")


@pytest.fixture
def room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict]:
    """Four learners' files; report.make is replaced by canned reports (and records how
    many ran at once)."""
    first, second = TASKS[0], TASKS[1]
    wrong = first.misconceptions[0].name
    canned = {
        "ana_q": fake([PASS, PASS], [0, 0], [[], []]),
        "ben_q": fake([NOT_YET, PASS], [2, 0], [[wrong], []]),
        "cy_q": fake([NOT_YET, NOT_ATTEMPTED], [1, 0], [[wrong], []]),
        "<dee_q>": fake([PASS, NOT_YET], [0, 1], [[], []]),
    }
    for name in canned:
        (tmp_path / f"{name}.ipynb").write_text("{}")
    (tmp_path / "broken_q.ipynb").write_text("{}")
    state = {"running": 0, "most": 0, "timeouts": set()}
    lock = threading.Lock()

    def make(path: Path, timeout: int = 60) -> report.Report:
        with lock:
            state["running"] += 1
            state["most"] = max(state["most"], state["running"])
            state["timeouts"].add(timeout)
        time.sleep(0.05)
        with lock:
            state["running"] -= 1
        if path.stem == "broken_q":
            raise cohort.StewardError(f"{path} is not a Jupyter notebook (no cells).")
        return canned[path.stem]

    monkeypatch.setattr(report, "make", make)
    return tmp_path, {"first": first, "second": second, "wrong": wrong, "state": state}


def test_counts_misconceptions_hints_and_the_hardest_tasks(room: tuple[Path, dict]) -> None:
    folder, facts = room
    result = cohort.build([folder], timeout=7, workers=2)
    assert sorted(result.learners) == ["<dee_q>", "ana_q", "ben_q", "cy_q"]
    assert list(result.failed) == ["broken_q"]
    assert facts["state"]["most"] <= 2 and facts["state"]["timeouts"] == {7}
    first = next(r for r in result.tasks if r.id == facts["first"].id)
    assert (first.counts[PASS], first.counts[NOT_YET], first.counts[NOT_ATTEMPTED]) == (2, 2, 0)
    assert first.misconceptions == {facts["wrong"]: 2}
    assert (first.hints, first.hinted_learners) == (3, 2)
    hardest = result.hardest()
    assert hardest[0].id == facts["first"].id and hardest[1].id == facts["second"].id
    assert hardest[0].first_hint() == facts["first"].hints[0]

    md = cohort.to_markdown(result)
    assert f"Ask the room: *{facts['first'].hints[0]}*" in md
    assert f"{facts['wrong']} ×2" in md
    assert f"| {facts['first'].title} | 2 | 2 | 0 | 3 (2) |" in md
    assert "ben_q" in md and "broken_q" in md
    page = cohort.to_html(result, png=b"PNG")
    assert "&lt;dee_q&gt;" in page and "<dee_q>" not in page  # names are escaped
    assert "data:image/png;base64," in page


def test_anonymous_shows_counts_only(room: tuple[Path, dict], tmp_path: Path) -> None:
    folder, facts = room
    result = cohort.build(sorted(folder.glob("*.ipynb")), workers=3)
    md, page = cohort.write(result, tmp_path / "out", anonymous=True)
    for text in (md.read_text(), page.read_text()):
        assert "_q" not in text  # every learner's name ends so; base64 has no "_"
        assert facts["first"].title in text and "could not be run" in text
    assert (tmp_path / "out" / "cohort.png").read_bytes().startswith(b"\x89PNG")


def test_a_missing_path_is_one_plain_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["cohort", str(tmp_path / "nope.ipynb")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_cohort_runs_real_notebooks_as_copies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two learners for real: one handed in the solution, one the blank exercise. The files
    are left exactly as they were."""
    room = tmp_path / "room"
    room.mkdir()
    shutil.copy(ROOT / "solutions" / "00-start-here.ipynb", room / "ana-00.ipynb")
    shutil.copy(ROOT / "exercises" / "00-start-here.ipynb", room / "ben-00.ipynb")
    before = {p.name: p.read_bytes() for p in room.iterdir()}
    assert cli.main(["cohort", str(room), "-o", str(tmp_path / "out"), "--workers", "2"]) == 0
    assert "2 learner(s)" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in room.iterdir()} == before
    md = (tmp_path / "out" / "cohort.md").read_text()
    solved = TASKS[0]
    assert f"| {solved.title} | 1 | 0 | 1 |" in md
    assert "ana-00" in md and "ben-00" in md
    assert "Hints (and, in each learner's steward report, time on task) come from" in md
    assert json.loads((ROOT / "exercises" / "00-start-here.ipynb").read_text())  # untouched source


def test_the_page_says_where_hints_come_from(room: tuple[Path, dict], tmp_path: Path) -> None:
    """Consistent with ``steward report``: a record beside the notebook, this machine's, or the
    notebook's last session only; once for the room when all are alike, else per learner."""
    folder, _ = room
    result = cohort.build([folder], workers=2)
    md = cohort.to_markdown(result)
    assert "each notebook's saved outputs, the learner's last kernel session only" in md
    assert f"ana_q: {cohort.FROM_NOTEBOOK}" not in md, "all alike: said once"

    ana, ben = report.make(folder / "ana_q.ipynb"), report.make(folder / "ben_q.ipynb")
    ana.record = str(folder.resolve() / "progress.json")
    ben.record, ben.since = str(tmp_path / "elsewhere" / "progress.json"), "2026-11-02 09:00"
    try:
        result = cohort.build([folder], workers=2)
    finally:
        ana.record = ben.record = ben.since = None
    md = cohort.to_markdown(result)
    assert "a progress record for 2 of 4 learners" in md and "not sealed" in md
    assert f"- ana_q: {cohort.FROM_RECORD} (beside the notebook)" in md
    assert f"- ben_q: {cohort.FROM_RECORD} (on this machine, from the assignment's time (2026-11-02 09:00) on)" in md
    assert f"- cy_q: {cohort.FROM_NOTEBOOK}" in md
    page = cohort.to_html(result)
    assert "a progress record for 2 of 4 learners" in page and "&lt;dee_q&gt;: the notebook" in page
    anonymous = cohort.to_markdown(result, anonymous=True) + cohort.to_html(result, anonymous=True)
    assert "a progress record for 2 of 4 learners" in anonymous and "_q" not in anonymous
