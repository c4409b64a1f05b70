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
    record = json.loads(progress_file.read_text())
    assert [e["status"] for e in record["events"]] == ["not yet", "pass"]
    assert all("time" in e for e in record["events"])


def test_corrupt_file_is_moved_aside_with_a_warning(progress_file):
    progress_file.write_text("{ not json")
    with pytest.warns(UserWarning, match="moved to"):
        progress.record_event({"kind": "check", "task": "00.a", "status": "pass"})
    asides = list(progress_file.parent.glob("progress.json.corrupt-*"))
    assert len(asides) == 1 and asides[0].read_text() == "{ not json"
    assert json.loads(progress_file.read_text())["events"][0]["status"] == "pass"


def test_wrong_shape_counts_as_corrupt(progress_file):
    progress_file.write_text(json.dumps([1, 2, 3]))
    with pytest.warns(UserWarning):
        assert progress.load()["events"] == []


def test_atomic_write_leaves_no_temporary_files(progress_file):
    for i in range(5):
        progress.record_event({"kind": "check", "task": f"00.t{i}"})
    leftovers = [p.name for p in Path(progress_file.parent).iterdir() if p.name != "progress.json"]
    assert leftovers == []


def test_failed_write_keeps_previous_record(progress_file, monkeypatch):
    progress.record_event({"kind": "check", "task": "00.a"})
    before = progress_file.read_text()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(progress.json, "dump", fail)
    with pytest.warns(UserWarning, match="could not be saved"):
        assert progress.record_event({"kind": "check", "task": "00.b"}) is False
    assert progress_file.read_text() == before


def test_self_assessments_keep_history(progress_file):
    progress.save_self_assessment("00", {"Master trade-offs": 2})
    progress.save_self_assessment("00", {"Master trade-offs": 3})
    assert progress.latest_self_assessment("00") == {"Master trade-offs": 3}
    assert len(progress.load()["self_assessments"]["00"]) == 2
    assert progress.latest_self_assessment("11") is None


def test_stale_lock_is_broken(progress_file):
    lock = progress_file.with_name("progress.json.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("")
    assert progress.record_event({"kind": "check", "task": "00.a"}) is True
    assert not lock.exists()
