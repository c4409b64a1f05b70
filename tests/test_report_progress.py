"""The mentor's report keeps what happened before a kernel restart: hints and time on task come
from the mentee's progress record when there is one (``--progress``, a record beside the notebook,
or this machine's record if it holds the notebook's checks), from the notebook's last session
otherwise, and it says which. A hostile or malformed record gives a plain line, never a traceback,
and never changes a status: those come from the sealed run."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from steward import cli, paths, progress, progressview, report
from steward.authoring import write
from steward.checks import NOT_YET, PASS

EXERCISE = paths.root() / "exercises" / "00-start-here.ipynb"
#: Seconds between the mentee's steps in the first session (timestamps are whole seconds).
STEP_S = 2.5


def _edit(nb: nbformat.NotebookNode, old: str, new: str) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and old in cell.source:
            cell.source = cell.source.replace(old, new)
            return index
    raise AssertionError(f"no cell holds {old!r}")


@pytest.fixture(scope="module")
def restarted(tmp_path_factory) -> dict:
    """A mentee's session: two hints on task 1 and a wrong answer, one hint on task 2 and a pass, a
    few seconds apart; then Restart Kernel and Run All, and the notebook saved from that run. The
    record is kept where the mentee's kernels write it."""
    folder = tmp_path_factory.mktemp("mentee")
    record = folder / "their-machine" / "progress.json"
    nb = nbformat.read(str(EXERCISE), as_version=4)
    check_1 = _edit(nb, "downtime_minutes = ...", "downtime_minutes = (1 - SLO) * WINDOW_DAYS * 24  # hours")
    hint_1 = _edit(nb, "# tasks.downtime_allowed.hint()", "tasks.downtime_allowed.hint()")
    check_2 = _edit(nb, "budget_left_percent = ...", "budget_left_percent = 100 * (43.2 - INCIDENT_MINUTES) / 43.2")
    hint_2 = _edit(nb, "# tasks.budget_left.hint()", "tasks.budget_left.hint()")
    env = {**os.environ, "STEWARD_PROGRESS": str(record)}
    resources = {"metadata": {"path": str(folder)}}
    session = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True, resources=resources)
    with session.setup_kernel(env=env):
        session.execute_cell(nb.cells[1], 1)  # the set-up cell
        for index in (hint_1, hint_1, check_1, hint_2, check_2):
            time.sleep(STEP_S)
            session.execute_cell(nb.cells[index], index)
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                   resources=resources).execute(env=env)  # a fresh kernel: Restart and Run All
    path = folder / "ana-00-start-here.ipynb"
    write(nb, path)
    return {"path": path, "record": record, "folder": folder}


@pytest.fixture(scope="module")
def run_once(restarted):
    """The notebook's run, done once: the variants below only change which record is read."""
    path = restarted["path"]
    return report._execute(path, report._read(path), 60)


def _make(path: Path, run: report.Run, record, monkeypatch) -> report.Report:
    monkeypatch.setattr(report, "_execute", lambda *args: copy.deepcopy(run))
    return report.make(path, timeout=60, progress_record=record)


def _by_id(result: report.Report) -> dict[str, report.TaskReport]:
    return {t.id: t for t in result.tasks}


def test_with_the_record_the_report_keeps_hints_and_time_across_a_restart(restarted, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["report", str(restarted["path"]), "--progress", str(restarted["record"]), "-o", str(out)]) == 0
    assert f"from the progress record {restarted['record']}" in capsys.readouterr().out
    text = (out / "ana-00-start-here.report.md").read_text()
    assert "| Downtime the SLO allows | not yet | 2 |" in text, "two hint tiers seen before the restart"
    assert "| Error budget left after an incident | pass | 1 |" in text
    assert "progress record" in text and "not sealed" in text


def test_the_record_s_numbers_replace_the_last_session_s(restarted, run_once, monkeypatch):
    result = _make(restarted["path"], run_once, restarted["record"], monkeypatch)
    tasks = _by_id(result)
    first, second = tasks["00.downtime-allowed"], tasks["00.budget-left"]
    assert first.hints_used == 2 and "hints" not in first.from_notebook
    assert second.hints_used == 1
    assert first.seconds >= 2 * STEP_S - 1, "from the first hint to the last new step, before the restart"
    assert second.seconds >= 2 * STEP_S - 1, "from the previous step in the module to the pass"
    assert result.record == str(restarted["record"])
    assert "It holds 5 of the 5 checks saved in the notebook." in result.sources  # blank ones too


def test_without_the_record_the_report_says_it_is_the_last_session_only(restarted, run_once, monkeypatch):
    result = _make(restarted["path"], run_once, False, monkeypatch)
    tasks = _by_id(result)
    assert tasks["00.downtime-allowed"].hints_used == 1, "the Run All showed tier 1 again, in a new kernel"
    assert (tasks["00.downtime-allowed"].seconds or 0) < 2 * STEP_S - 1
    assert result.record is None and "last kernel session only" in result.sources[0]
    text = report.to_markdown(result)
    assert "last kernel session only" in text and "\\-\\-progress" not in text and "--progress" in text
    assert "last kernel session only" in report.to_html(result)


def test_by_default_a_record_beside_the_notebook_is_read(restarted, run_once, monkeypatch, tmp_path):
    folder = tmp_path / "mentoring" / "ana"
    folder.mkdir(parents=True)
    shutil.copy(restarted["path"], folder / "ana-00-start-here.ipynb")
    for part in progress.parts(restarted["record"]):
        if part.exists():
            shutil.copy(part, folder / part.name)
    result = _make(folder / "ana-00-start-here.ipynb", run_once, True, monkeypatch)
    assert _by_id(result)["00.downtime-allowed"].hints_used == 2
    assert result.record == str(folder.resolve() / "progress.json")
    other = folder / "progress.json.events.jsonl"  # someone else's record in the folder: not theirs
    other.write_text(json.dumps({"kind": "hint", "task": "00.budget-left", "module": "00", "tier": 2,
                                 "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}) + "\n")
    result = _make(folder / "ana-00-start-here.ipynb", run_once, True, monkeypatch)
    assert result.record is None and _by_id(result)["00.budget-left"].hints_used == 1
    assert any("beside the notebook" in line and "holds none of the 5 checks" in line for line in result.sources)


def test_this_machine_s_record_counts_only_if_it_holds_the_notebook_s_checks(restarted, run_once, monkeypatch,
                                                                            tmp_path):
    monkeypatch.setenv("STEWARD_PROGRESS", str(restarted["record"]))  # the mentee's machine
    assert _by_id(_make(restarted["path"], run_once, True, monkeypatch))["00.downtime-allowed"].hints_used == 2
    mentor = tmp_path / "mentor" / "progress.json"  # the mentor's machine: their own work on module 00
    for tier in (1, 2):
        progress.record_event({"kind": "hint", "task": "00.downtime-allowed", "module": "00", "tier": tier}, mentor)
    progress.record_event({"kind": "check", "task": "00.downtime-allowed", "module": "00", "status": PASS}, mentor)
    monkeypatch.setenv("STEWARD_PROGRESS", str(mentor))
    result = _make(restarted["path"], run_once, True, monkeypatch)
    assert _by_id(result)["00.downtime-allowed"].hints_used == 1 and result.record is None
    assert "last kernel session only" in result.sources[0]
    assert any("on this machine" in line and "not used" in line for line in result.sources)


def _hostile(folder: Path, kind: str) -> Path:
    record = folder / "progress.json"
    events = folder / "progress.json.events.jsonl"
    good = {"kind": "hint", "task": "00.downtime-allowed", "module": "00", "tier": 1,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if kind == "not json":
        record.write_text("{ not json")
    elif kind == "a list":
        record.write_text(json.dumps([1, 2, 3]))
    elif kind == "events not a list":
        record.write_text(json.dumps({"version": 1, "events": "lots"}))
    elif kind == "deeply nested":
        events.write_text("[" * 200_000 + "]" * 200_000 + "\n" + "x" * 10_000 + "\n")
    elif kind == "another module":
        events.write_text("".join(json.dumps({**good, "task": "04.week-p99", "module": "04"}) + "\n" for _ in range(5)))
    elif kind == "future":
        events.write_text(json.dumps({**good, "time": "2999-01-01T00:00:00+0000"}) + "\n")
    elif kind == "odd fields":
        odd = [{**good, "tier": 99}, {**good, "tier": -1}, {**good, "tier": True}, {**good, "tier": "2"},
               {**good, "tier": [1]}, {**good, "tier": {"a": 1}}, {**good, "misconception": ["x"], "kind": "check"},
               {**good, "task": "00.no-such-task"}, {**good, "task": 5}, {**good, "time": 5},
               {**good, "time": "x" * 1000}, {**good, "kind": "check", "status": {"x": 1}}, "a string", 7]
        events.write_text("".join(json.dumps(e) + "\n" for e in odd))
    elif kind == "huge":
        with open(record, "wb") as handle:
            handle.truncate(progress.MAX_READ_BYTES + 1)
    elif kind == "a folder":
        record.mkdir()
    elif kind == "a pipe":  # reading it would wait forever
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes on this system")
        os.mkfifo(events)
    return record


HOSTILE = {
    "not json": "is not JSON",
    "a list": "is not a progress record",
    "events not a list": "is not a progress record",
    "deeply nested": "not an event",
    "another module": "holds no checks or hints of module 00 (5 of other modules)",
    "future": "dated in the future",
    "odd fields": "2 events without a readable time: not used. 1 event of tasks exercise 00 does not have (a lesson's "
                  "demo, for one): not used. 6 events showing a hint tier its task does not have: not used.",
    "huge": "more than the 32 MB",
    "a pipe": "progress.json.events.jsonl is not a file: not read",
    "a folder": "does not exist (neither progress.json nor progress.json.events.jsonl is there)",
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_record_is_a_plain_line_and_never_changes_a_status(restarted, run_once, monkeypatch, tmp_path,
                                                                     kind):
    baseline = {t.id: (t.status, t.hints_used) for t in _make(restarted["path"], run_once, False, monkeypatch).tasks}
    folder = tmp_path / "sent"
    folder.mkdir()
    path = _hostile(folder, kind)
    before = sorted(p.name for p in folder.iterdir())
    result = _make(restarted["path"], run_once, path, monkeypatch)
    assert {t.id: t.status for t in result.tasks} == {k: v[0] for k, v in baseline.items()}
    assert all(t.hints_used >= baseline[t.id][1] for t in result.tasks), "a record never lowers a count"
    assert all(t.hints_used <= 2 for t in result.tasks), "no task has more than its two hint tiers"
    lines = " ".join(result.sources)
    assert HOSTILE[kind] in lines, lines
    assert "Traceback" not in lines and len(report.to_markdown(result)) < 50_000
    assert sorted(p.name for p in folder.iterdir()) == before, "the mentee's record is never moved or locked"


def test_a_missing_record_is_one_plain_line(restarted, capsys, tmp_path):
    assert cli.main(["report", str(restarted["path"]), "--progress", str(tmp_path / "nope.json")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("steward: --progress") and "Traceback" not in err


# -- the record's arithmetic, on events written by hand --------------------------------------
def _at(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(1_790_000_000 + seconds))


TIERS = {"04.week-p99": 2, "04.claim": 2}


def test_time_on_task_runs_from_the_previous_step_to_the_pass_and_a_run_all_adds_nothing():
    events = [
        {"kind": "check", "task": "04.claim", "module": "04", "status": PASS, "time": _at(0)},
        {"kind": "hint", "task": "04.week-p99", "module": "04", "tier": 1, "time": _at(60)},
        {"kind": "check", "task": "04.week-p99", "module": "04", "status": NOT_YET, "misconception": "mean",
         "time": _at(200)},
        # restart, Run All twenty minutes later: the hint cell shows tier 1 again, the same answer is re-checked
        {"kind": "hint", "task": "04.week-p99", "module": "04", "tier": 1, "time": _at(1400)},
        {"kind": "check", "task": "04.week-p99", "module": "04", "status": NOT_YET, "misconception": "mean",
         "time": _at(1401)},
        {"kind": "check", "task": "04.claim", "module": "04", "status": PASS, "time": _at(1402)},
    ]
    found = progressview.activity(events, "04", TIERS, now=1_790_000_000 + 2000)
    assert found.hints == {"04.week-p99": 1}
    assert found.seconds["04.week-p99"] == 200, "from the claim's pass to the last new check, not to the Run All"
    assert found.seconds["04.claim"] == 0


def test_a_long_pause_counts_at_most_the_pause_limit():
    events = [{"kind": "hint", "task": "04.week-p99", "module": "04", "tier": 1, "time": _at(0)},
              {"kind": "check", "task": "04.week-p99", "module": "04", "status": PASS, "time": _at(2 * 86_400)}]
    found = progressview.activity(events, "04", TIERS, now=1_790_000_000 + 3 * 86_400)
    assert found.seconds["04.week-p99"] == progressview.PAUSE_S


def test_reading_a_record_for_a_report_changes_nothing(tmp_path):
    record = tmp_path / "progress.json"
    record.write_text("{ not json")
    assert progress.read_only(record)[0] == []
    assert [p.name for p in tmp_path.iterdir()] == ["progress.json"], "no lock, no corrupt-* copy"


def test_the_mentor_guide_says_what_the_report_reads():
    guide = (paths.root() / "docs" / "mentor-guide.md").read_text()
    assert f"a pause counts at most {progressview.PAUSE_S // 60} minutes" in guide
    assert f"a file over {progress.MAX_READ_BYTES // 2**20} MB" in guide
    assert "--progress PATH" in guide and "progress.json.events.jsonl" in guide
    assert "starts counting again" not in guide, "the walk's warning is gone: the report keeps the whole count"


def test_events_of_any_shape_never_raise():
    import random

    rng = random.Random(12)
    values = [None, True, 0, -1, 2, 10**30, 1.5, float("nan"), "", "x", "04", "04.claim", "04.week-p99", "hint",
              "check", PASS, NOT_YET, "not attempted", _at(5), _at(10**9), "9999-99-99", [], [1], {}, {"a": [1]}]
    keys = ["kind", "task", "module", "tier", "status", "misconception", "time"]
    events = [{k: rng.choice(values) for k in keys if rng.random() < 0.8} for _ in range(3000)]
    found = progressview.activity([*events, "x", 5, None], "04", TIERS, now=1_790_000_000 + 100)
    assert all(0 <= n <= 2 for n in found.hints.values())
    assert all(s >= 0 for s in found.seconds.values())


def test_progress_off_reads_the_notebook_alone(restarted, run_once, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("STEWARD_PROGRESS", str(restarted["record"]))  # even on the mentee's machine
    monkeypatch.setattr(report, "_execute", lambda *args: copy.deepcopy(run_once))
    assert cli.main(["report", str(restarted["path"]), "--progress", "off", "-o", str(tmp_path)]) == 0
    assert "from the notebook (its last kernel session only)" in capsys.readouterr().out
    assert "| Downtime the SLO allows | not yet | 1 |" in (tmp_path / "ana-00-start-here.report.md").read_text()


def test_steward_progress_says_which_files_to_send(progress_file, capsys):
    progress.record_event({"kind": "hint", "task": "00.downtime-allowed", "module": "00", "tier": 1})
    assert cli.main(["progress"]) == 0
    out = capsys.readouterr().out
    assert "send progress.json.events.jsonl (in " in out and str(progress_file.parent) in out


def test_long_times_read_in_hours():
    assert [report._duration(s) for s in (None, 0, 42, 333, 17_820)] == ["—", "—", "42 s", "5 min 33 s", "4 h 57 min"]


# -- an assignment reads the record from when it was made --------------------------------------
def _attempts(restarted, folder: Path, stamp) -> tuple[Path, Path]:
    """The mentee's record holding an earlier attempt at module 00 (a workshop, thirty days before:
    the second hint of the budget task), then this assignment's session; and their notebook stamped
    ``stamp`` as ``steward assign`` stamps it (``None``: a copy without the stamp)."""
    folder.mkdir(parents=True)
    events, _ = progress.read_only(restarted["record"])
    first = min(progressview.event_time(e["time"]) for e in events)
    old = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(first - 30 * 86_400))
    workshop = [{"kind": "hint", "task": "00.budget-left", "module": "00", "tier": tier, "time": old}
                for tier in (1, 2)]
    (folder / "progress.json.events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in workshop + events))
    nb = nbformat.read(str(restarted["path"]), as_version=4)
    nb.metadata["steward"] = {"kind": "assignment", "module": "00", "mentee": "Ana", "due": None}
    if stamp is not None:
        nb.metadata["steward"]["assigned"] = stamp(first) if callable(stamp) else stamp
    path = folder / "ana-00-start-here.ipynb"
    write(nb, path)
    return path, folder / "progress.json"


def test_an_assignment_reads_only_the_record_s_events_from_when_it_was_made(restarted, run_once, monkeypatch,
                                                                            tmp_path, capsys):
    from steward import assign

    def when(first: float) -> str:  # the assignment was made a minute before the session began
        return assign.stamp(dt.datetime.fromtimestamp(first - 60, dt.timezone.utc))

    path, record = _attempts(restarted, tmp_path / "stamped", when)
    result = _make(path, run_once, record, monkeypatch)
    tasks = _by_id(result)
    assert tasks["00.budget-left"].hints_used == 1, "the workshop's second hint is an earlier attempt"
    assert tasks["00.downtime-allowed"].hints_used == 2, "this attempt's hints, from before its restart, stay"
    assert "only events at or after the assignment was made" in result.sources[0]
    assert any("2 events of module 00 dated before the assignment was made" in line for line in result.sources)
    assert result.since is not None and "assignment was made" in report.to_markdown(result)
    assert "assignment was made" in report.to_html(result)

    path, record = _attempts(restarted, tmp_path / "plain", None)  # a copy without the stamp: as before
    result = _make(path, run_once, record, monkeypatch)
    assert _by_id(result)["00.budget-left"].hints_used == 2 and result.since is None
    assert not any("assignment was made" in line or "assigned" in line for line in result.sources)

    path, record = _attempts(restarted, tmp_path / "cli", when)  # what the command line says
    stamped = _make(path, run_once, record, monkeypatch)
    monkeypatch.setattr(report, "make", lambda *args, **kwargs: stamped)
    assert cli.main(["report", str(path), "-o", str(tmp_path / "out")]) == 0
    assert f"from the progress record {stamped.record} from the assignment's time ({stamped.since}) on." in \
        capsys.readouterr().out


STAMPS = {"not a time": "next Tuesday", "a number": 1_790_000_000, "too long": "2026-11-30T04:05:00" + "0" * 60,
          "in the future": "2999-01-01T00:00:00+00:00"}


@pytest.mark.parametrize("kind", list(STAMPS))
def test_an_odd_assignment_time_is_a_plain_line_and_reads_the_whole_record(restarted, run_once, monkeypatch,
                                                                          tmp_path, kind):
    baseline = {t.id: t.status for t in _make(restarted["path"], run_once, False, monkeypatch).tasks}
    path, record = _attempts(restarted, tmp_path / "odd", STAMPS[kind])
    result = _make(path, run_once, record, monkeypatch)
    assert {t.id: t.status for t in result.tasks} == baseline, "a stamp never changes a status"
    assert _by_id(result)["00.budget-left"].hints_used == 2, "ignored: the whole record is read, as without it"
    expected = "is in the future" if kind == "in the future" else "is not a time"
    lines = " ".join(result.sources)
    assert "metadata.steward.assigned" in lines and expected in lines and "Traceback" not in lines
    assert result.since is None and len(report.to_markdown(result)) < 50_000


def test_assign_stamps_when_the_copy_was_made(tmp_path):
    from steward import assign

    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    path, _ = assign.assign("00", tmp_path, mentee="Ana")
    stamp = nbformat.read(str(path), as_version=4).metadata["steward"]["assigned"]
    made = dt.datetime.fromisoformat(stamp)
    assert made.utcoffset() == dt.timedelta(0) and before <= made <= dt.datetime.now(dt.timezone.utc)
    assert report.assigned_since(nbformat.read(str(path), as_version=4)) == (made.timestamp(), [])


def test_the_guides_say_what_an_assignment_s_time_and_the_cohort_page_read():
    mentor = (paths.root() / "docs" / "mentor-guide.md").read_text()
    facilitator = (paths.root() / "docs" / "facilitator-guide.md").read_text()
    assert "metadata.steward.assigned" in mentor and "at or after the time it was made" in mentor
    assert "steward cohort ~/mentoring/*/" in mentor
    assert "steward cohort room-02/*/" in facilitator and "last kernel session only" in facilitator
