"""The local progress record: location, atomic writes, corrupt files moved aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from steward import paths, progress


def test_location_is_overridable_and_outside_the_tree(monkeypatch, tmp_path):
    monkeypatch.setenv("STEWARD_PROGRESS", str(tmp_path / "p.json"))
    assert progress.location() == tmp_path / "p.json"
    monkeypatch.setenv("STEWARD_PROGRESS", "off")
    assert progress.location() is None
    assert progress.record_event({"kind": "check"}) is False
    monkeypatch.delenv("STEWARD_PROGRESS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    default = progress.location()
    assert default == tmp_path / "xdg" / "steward" / "progress.json"
    assert paths.root() not in default.parents


def test_events_accumulate(progress_file):
    progress.record_event({"kind": "check", "task": "00.a", "status": "not yet"})
    progress.record_event({"kind": "check", "task": "00.a", "status": "pass"})
    record = progress.load()
    assert [e["status"] for e in record["events"]] == ["not yet", "pass"]
    assert all("time" in e for e in record["events"])


def test_corrupt_file_is_moved_aside_with_a_warning(progress_file):
    progress_file.write_text("{ not json")
    progress.record_event({"kind": "check", "task": "00.a", "status": "pass"})
    with pytest.warns(UserWarning, match="moved to"):
        assert progress.load()["events"][0]["status"] == "pass"
    asides = list(progress_file.parent.glob("progress.json.corrupt-*"))
    assert len(asides) == 1 and asides[0].read_text() == "{ not json"


def test_wrong_shape_counts_as_corrupt(progress_file):
    progress_file.write_text(json.dumps([1, 2, 3]))
    with pytest.warns(UserWarning):
        assert progress.load()["events"] == []


def test_atomic_write_leaves_no_temporary_files(progress_file):
    for i in range(5):
        progress.record_event({"kind": "check", "task": f"00.t{i}"})
    leftovers = [p.name for p in Path(progress_file.parent).iterdir() if p.name not in {"progress.json", "progress.json.lock", "progress.json.events.jsonl"}]
    assert leftovers == []


def test_failed_write_keeps_previous_record(progress_file, monkeypatch):
    progress.save_self_assessment("00", {"Master trade-offs": 2})
    before = progress_file.read_text()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(progress.json, "dump", fail)
    with pytest.warns(UserWarning, match="could not be saved"):
        assert progress.save_self_assessment("00", {"Master trade-offs": 3}) is False
    assert progress_file.read_text() == before
    monkeypatch.setattr(progress.os, "fsync", fail)
    with pytest.warns(UserWarning, match="could not be saved"):
        assert progress.record_event({"kind": "check", "task": "00.b"}) is False


def test_self_assessments_keep_history(progress_file):
    progress.save_self_assessment("00", {"Master trade-offs": 2})
    progress.save_self_assessment("00", {"Master trade-offs": 3})
    assert progress.latest_self_assessment("00") == {"Master trade-offs": 3}
    assert len(progress.load()["self_assessments"]["00"]) == 2
    assert progress.latest_self_assessment("11") is None


def test_a_leftover_lock_file_does_not_block(progress_file):
    """The lock is the OS's, not the file's existence: a lock file left by a killed kernel is free."""
    lock = progress_file.with_name("progress.json.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("")
    assert progress.record_event({"kind": "check", "task": "00.a"}) is True
    assert lock.exists(), "the lock file is never deleted (deleting it lets two writers lock two files)"


_WRITER = """
import os, sys, time
from pathlib import Path
from steward import progress
path, worker, n, slow = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "slow"
if slow:
    real = os.fsync
    os.fsync = lambda fd: (time.sleep(2.2), real(fd))  # longer than the old scheme's 2 s "stale lock"
ok = [progress.record_event({"kind": "check", "task": f"{worker}.{i}", "status": "pass"}, path) for i in range(n)]
sys.exit(0 if all(ok) else 3)
"""


def _writers(path, workers, records, slow=()):
    import subprocess
    import sys

    env = {**__import__("os").environ, "PYTHONPATH": str(paths.root())}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), f"w{w}", str(records),
                               "slow" if w in slow else "fast"], env=env) for w in range(workers)]
    return [p.wait(timeout=120) for p in procs]


def test_concurrent_writers_keep_every_record(tmp_path):
    """Six processes record eight events each into a 20,000-event file: all 48 are kept (the old
    lock-file scheme kept 16 of 48 here, each call reporting success)."""
    path = tmp_path / "progress.json"
    seed = {"version": 1, "events": [{"kind": "check", "task": f"old.{i}", "status": "pass"} for i in range(20_000)],
            "self_assessments": {}}
    path.write_text(json.dumps(seed))
    assert _writers(path, workers=6, records=8) == [0] * 6
    tasks = [e["task"] for e in progress.load(path)["events"]]
    assert len(tasks) == 20_000 + 48
    assert {f"w{w}.{i}" for w in range(6) for i in range(8)} <= set(tasks)


def test_a_writer_slowed_by_fsync_loses_nobody_s_record(tmp_path):
    path = tmp_path / "progress.json"
    assert _writers(path, workers=3, records=2, slow={0}) == [0, 0, 0]
    tasks = {e["task"] for e in progress.load(path)["events"]}
    assert tasks == {f"w{w}.{i}" for w in range(3) for i in range(2)}


def test_a_symlinked_record_stays_a_symlink(tmp_path, monkeypatch):
    real = tmp_path / "synced" / "progress.json"
    real.parent.mkdir()
    link = tmp_path / "progress.json"
    link.symlink_to(real)
    monkeypatch.setenv("STEWARD_PROGRESS", str(link))
    assert progress.record_event({"kind": "check", "task": "00.a"})
    assert progress.save_self_assessment("00", {"Master trade-offs": 2})
    assert link.is_symlink() and json.loads(real.read_text())["self_assessments"]["00"]
    assert progress.load(link)["events"][0]["task"] == "00.a"


def test_a_relative_location_is_relative_to_where_the_learner_started(tmp_path, monkeypatch):
    start, notebook_folder = tmp_path / "start", tmp_path / "start" / "notebooks"
    notebook_folder.mkdir(parents=True)
    monkeypatch.setenv("STEWARD_PROGRESS", "my-progress.json")
    monkeypatch.setenv("PWD", str(start))
    monkeypatch.chdir(notebook_folder)  # a kernel runs in the notebook's folder
    assert progress.location() == start / "my-progress.json"


def test_an_unreadable_file_is_neither_moved_nor_overwritten(progress_file, monkeypatch):
    progress_file.write_text(json.dumps({"version": 1, "events": [{"task": "00.keep"}]}))
    real_read = Path.read_text

    def denied(self, *args, **kwargs):
        if self == progress_file:
            raise PermissionError(13, "Permission denied")
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", denied)
    with pytest.warns(UserWarning, match="left as it is"):
        assert progress.load()["events"] == []
    with pytest.warns(UserWarning, match="Nothing was written"):
        assert progress.save_self_assessment("00", {"Master trade-offs": 3}) is False
    assert progress.record_event({"kind": "check", "task": "00.new"}) is True  # appended beside it
    monkeypatch.undo()
    assert json.loads(progress_file.read_text())["events"] == [{"task": "00.keep"}]
    assert not list(progress_file.parent.glob("*.corrupt-*"))


@pytest.mark.parametrize("record", [
    {"version": 1, "events": ["x", 3, None]},
    {"version": 1, "events": [{"kind": "check"}, {"task": 5, "kind": "hint"}]},
    {"version": 1, "events": [], "self_assessments": []},
    {"version": 1, "events": [], "self_assessments": {"00": "oops"}, "results": ["x"]},
])
def test_valid_json_of_the_wrong_shape_never_raises(progress_file, record):
    progress_file.write_text(json.dumps(record))
    assert isinstance(progress.summary(progress.load()), dict)
    assert progress.latest_self_assessment("00") is None
    assert progress.save_self_assessment("00", {"Master trade-offs": 3}) is True
    assert progress.latest_self_assessment("00") == {"Master trade-offs": 3}
    assert progress.record_event({"kind": "check", "task": "00.a", "status": "pass"}) is True
    saved = json.loads(progress_file.read_text())
    assert saved["events"] == record["events"], "no event is dropped"
    assert len(progress.load()["events"]) == len([e for e in record["events"]]) + 1


def test_a_change_that_raises_is_a_warning_not_a_traceback(progress_file):
    def broken(record):
        raise KeyError("no such section")

    with pytest.warns(UserWarning, match="unexpected shape"):
        assert progress.update(broken) is False
