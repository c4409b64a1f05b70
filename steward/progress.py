"""The learner's progress, kept on their own machine in one JSON file.

Location: ``$STEWARD_PROGRESS`` if set (``off`` disables recording), else
``$XDG_DATA_HOME/steward/progress.json`` (``~/.local/share/steward/progress.json``;
``%APPDATA%\\steward\\progress.json`` on Windows). Never inside the git tree.

Writes are atomic (a temporary file in the same folder, then ``os.replace``), so a
crash mid-write leaves the previous record. A file that cannot be read is moved aside
(``progress.json.corrupt-<time>``) with a warning, never silently dropped.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any

VERSION = 1


def location() -> Path | None:
    """Where the record lives, or ``None`` when recording is off."""
    env = os.environ.get("STEWARD_PROGRESS")
    if env:
        return None if env.strip().lower() in {"off", "0", "none", ""} else Path(env).expanduser()
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "steward" / "progress.json"


def _empty() -> dict[str, Any]:
    return {"version": VERSION, "events": [], "self_assessments": {}}


def load(path: Path | None = None) -> dict[str, Any]:
    """The record, or an empty one when there is none yet. Never raises for a bad file."""
    path = location() if path is None else path
    if path is None or not path.exists():
        return _empty()
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or not isinstance(record.get("events"), list):
            raise ValueError("not a progress record")
    except (OSError, ValueError) as error:
        aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(path, aside)
            where = f"it was moved to {aside}"
        except OSError:
            where = "it could not be moved aside and is left in place"
        warnings.warn(f"Your progress file {path} could not be read ({error}); {where}. Starting a new record.", stacklevel=2)
        return _empty()
    record.setdefault("self_assessments", {})
    return record


def _save(record: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=1, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(path: Path, timeout: float = 2.0):
    """A small lock file so two kernels saving at once do not lose each other's events."""
    lock = path.with_name(path.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    fd = None
    while fd is None:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if time.monotonic() > deadline:  # a stale lock from a killed kernel
                lock.unlink(missing_ok=True)
            else:
                time.sleep(0.01)
    try:
        yield
    finally:
        os.close(fd)
        lock.unlink(missing_ok=True)


def update(change, path: Path | None = None) -> bool:
    """Apply ``change(record)`` and save. Returns False (with a warning) if it could not
    be saved: a learner's check must never fail because of the progress file."""
    path = location() if path is None else path
    if path is None:
        return False
    try:
        with _locked(path):
            record = load(path)
            change(record)
            _save(record, path)
        return True
    except OSError as error:
        warnings.warn(f"Progress could not be saved to {path}: {error}", stacklevel=2)
        return False


def record_event(event: dict[str, Any], path: Path | None = None) -> bool:
    stamped = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **event}
    return update(lambda record: record["events"].append(stamped), path)


def save_self_assessment(module: str, scores: dict[str, float], path: Path | None = None) -> bool:
    """Keep every self-assessment with its date, so module 11 can compare with module 00."""
    entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "scores": dict(scores)}

    def change(record: dict[str, Any]) -> None:
        record["self_assessments"].setdefault(module, []).append(entry)

    return update(change, path)


def latest_self_assessment(module: str, path: Path | None = None) -> dict[str, float] | None:
    entries = load(path).get("self_assessments", {}).get(module) or []
    return dict(entries[-1]["scores"]) if entries else None


def summary(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per task: its latest status, how many checks and hints. Used by `steward progress`."""
    tasks: dict[str, dict[str, Any]] = {}
    for event in record.get("events", []):
        task = event.get("task")
        if not task:
            continue
        entry = tasks.setdefault(task, {"module": event.get("module", ""), "status": "not attempted", "checks": 0, "hints": 0})
        if event.get("kind") == "check":
            entry["checks"] += 1
            entry["status"] = event.get("status", entry["status"])
        elif event.get("kind") == "hint":
            entry["hints"] += 1
    return tasks
