"""The learner's progress, kept on their own machine in one JSON file.

Location: ``$STEWARD_PROGRESS`` if set (``off`` disables recording), else
``$XDG_DATA_HOME/steward/progress.json`` (``~/.local/share/steward/progress.json``;
``%APPDATA%\\steward\\progress.json`` on Windows). Never inside the git tree. A relative
``STEWARD_PROGRESS`` means relative to the folder the learner started from (``$PWD``), not to
each notebook's folder, so two notebooks never split the record; a symlink is followed, so the
file it points to is updated and the link stays a link.

**Nothing is lost under concurrency.** Checks and hints, the frequent writes, are *appended* to a
journal beside the file (``progress.json.events.jsonl``, one JSON object a line): no
read-modify-write, so a 20,000-event history costs an append like an empty one. The rarer changes
(kept results, self-assessments) rewrite ``progress.json``. Both happen under an operating-system
lock (``fcntl.lockf`` on POSIX, which NFS's lock manager honours; ``msvcrt.locking`` on Windows)
on a separate ``progress.json.lock`` file. The OS releases the lock when its holder exits or dies,
so there is no "stale" lock to break and no one can delete a lock another process holds. A writer
that cannot get the lock in ``LOCK_TIMEOUT_S`` says so and keeps nothing, rather than writing over
someone else's record. :func:`load` returns the file's events followed by the journal's.

Writes are atomic (a temporary file in the same folder, ``fsync``, then ``os.replace``), so a
crash mid-write leaves the previous record. A file whose text is not a progress record is moved
aside (``progress.json.corrupt-<time>``) with a warning, never silently dropped; a file that
cannot be *read* (a permission problem) is left alone and nothing is written over it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

VERSION = 1
#: How long a writer waits for another kernel's write to finish before giving up (seconds).
LOCK_TIMEOUT_S = 10.0


class Unreadable(OSError):
    """The progress file exists but cannot be read (permissions, a folder in its place): it is
    the learner's record, so it is neither moved aside nor written over."""


def location() -> Path | None:
    """Where the record lives, or ``None`` when recording is off."""
    env = os.environ.get("STEWARD_PROGRESS")
    if env is not None:
        if env.strip().lower() in {"off", "0", "none", ""}:
            return None
        path = Path(env.strip()).expanduser()
        if not path.is_absolute():
            start = os.environ.get("PWD")
            base = Path(start) if start and Path(start).is_absolute() else Path.cwd()
            path = base / path
        return path
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "steward" / "progress.json"


def _target(path: Path) -> Path:
    """The file to write: a symlink's target (so the link stays a link), else the path itself."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def journal(path: Path) -> Path:
    """The append-only file of events beside the record."""
    return path.with_name(path.name + ".events.jsonl")


def _journal_events(path: Path) -> list[dict[str, Any]]:
    """Events appended to the journal; a line that is not a JSON object is skipped (and kept in
    the file), so one damaged line never costs the rest."""
    try:
        text = journal(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    except OSError as error:
        warnings.warn(f"The progress journal {journal(path)} could not be read ({error}).", stacklevel=3)
        return []
    found = []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            found.append(event)
    return found


def _empty() -> dict[str, Any]:
    return {"version": VERSION, "events": [], "self_assessments": {}, "results": {}}


def _normalise(record: dict[str, Any]) -> dict[str, Any]:
    """Make a readable record safe for every reader: sections of the wrong type are kept under
    ``<name>_unreadable`` (never dropped) and replaced by empty ones; events that are not
    objects stay in the list and every reader skips them."""
    for name, kind in (("self_assessments", dict), ("results", dict)):
        value = record.get(name)
        if value is None:
            record[name] = {}
        elif not isinstance(value, kind):
            record.setdefault(f"{name}_unreadable", value)
            record[name] = {}
    return record


def _read(path: Path) -> dict[str, Any]:
    """Read the record; raise :class:`Unreadable` for permission problems and ``ValueError`` for
    text that is not a progress record."""
    try:
        text = path.read_text(encoding="utf-8")
    except (PermissionError, IsADirectoryError) as error:
        raise Unreadable(f"{path} cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"not text ({error.reason})") from None
    record = json.loads(text)
    if not isinstance(record, dict) or not isinstance(record.get("events"), list):
        raise ValueError("not a progress record (no list of events)")
    return _normalise(record)


def _move_aside(path: Path, error: Exception) -> None:
    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        os.replace(path, aside)
        where = f"it was moved to {aside}"
    except OSError:
        where = "it could not be moved aside and is left in place"
    warnings.warn(f"Your progress file {path} could not be read ({error}); {where}. Starting a new record.",
                  stacklevel=3)


def load(path: Path | None = None) -> dict[str, Any]:
    """The record, or an empty one when there is none yet. Never raises for a bad file: a
    corrupt one is moved aside, an unreadable one is reported and left alone."""
    path = location() if path is None else path
    if path is None:
        return _empty()
    path = _target(path)
    record = _empty()
    if path.exists():
        try:
            record = _read(path)
        except Unreadable as error:
            warnings.warn(f"Your progress file could not be read: {error}. It was left as it is.", stacklevel=2)
        except ValueError as error:
            _move_aside(path, error)
    record["events"] = record["events"] + _journal_events(path)
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


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.lockf(fd, fcntl.LOCK_UN)


@contextmanager
def _locked(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the OS lock on ``<file>.lock`` while the block runs. The lock file itself is never
    deleted (deleting it would let two writers lock two different files)."""
    lock = path.with_name(path.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.002
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise TimeoutError(f"another kernel held {lock.name} for more than {timeout:.0f} s")
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def update(change: Callable[[dict[str, Any]], None], path: Path | None = None) -> bool:
    """Apply ``change(record)`` and save, under the lock. Returns False (with a warning) if it
    could not be saved: a learner's check must never fail because of the progress file."""
    path = location() if path is None else path
    if path is None:
        return False
    target = _target(path)
    try:
        with _locked(target):
            record = _empty()
            if target.exists():
                try:
                    record = _read(target)
                except ValueError as error:
                    _move_aside(target, error)
            change(record)
            _save(record, target)
        return True
    except (OSError, TimeoutError) as error:
        warnings.warn(f"Progress could not be saved to {path}: {error}. Nothing was written.", stacklevel=2)
        return False
    except Exception as error:  # a change that cannot apply to this record must not reach the learner
        warnings.warn(f"Progress could not be saved to {path}: the record has an unexpected shape "
                      f"({type(error).__name__}: {error}). Nothing was written.", stacklevel=2)
        return False


def record_event(event: dict[str, Any], path: Path | None = None) -> bool:
    """Append one event to the journal, under the lock, and ``fsync`` it. Returns False (with a
    warning) when it could not be kept."""
    path = location() if path is None else path
    if path is None:
        return False
    target = _target(path)
    line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **event}, ensure_ascii=False, default=str)
    try:
        with _locked(target):
            with open(journal(target), "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        return True
    except (OSError, TimeoutError) as error:
        warnings.warn(f"Progress could not be saved to {path}: {error}. Nothing was written.", stacklevel=2)
        return False


def save_self_assessment(module: str, scores: dict[str, float], path: Path | None = None) -> bool:
    """Keep every self-assessment with its date, so module 11 can compare with module 00."""
    entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "scores": dict(scores)}

    def change(record: dict[str, Any]) -> None:
        history = record["self_assessments"].get(module)
        if not isinstance(history, list):
            if history is not None:
                record.setdefault("self_assessments_unreadable", {})[module] = history
            history = record["self_assessments"][module] = []
        history.append(entry)

    return update(change, path)


def latest_self_assessment(module: str, path: Path | None = None) -> dict[str, float] | None:
    entries = load(path).get("self_assessments", {}).get(module)
    if not isinstance(entries, list):
        return None
    for entry in reversed(entries):
        if isinstance(entry, dict) and isinstance(entry.get("scores"), dict):
            return dict(entry["scores"])
    return None


def events(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's events that are objects (a hand-edited file may hold anything)."""
    found = record.get("events")
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def summary(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per task: its latest status, how many checks and hints. Used by `steward progress`."""
    tasks: dict[str, dict[str, Any]] = {}
    for event in events(record):
        task = event.get("task")
        if not task or not isinstance(task, str):
            continue
        entry = tasks.setdefault(task, {"module": str(event.get("module", "")), "status": "not attempted",
                                        "checks": 0, "hints": 0})
        if event.get("kind") == "check":
            entry["checks"] += 1
            status = event.get("status")
            entry["status"] = status if isinstance(status, str) else entry["status"]
        elif event.get("kind") == "hint":
            entry["hints"] += 1
    return tasks


# -- reading someone else's record (the mentor's report) ------------------------------------
#: The largest progress file or journal a report reads, in bytes. A 20,000-event history is about
#: 2.5 MB; a file past this is not a record a learner's checks wrote, and reading it would stall.
MAX_READ_BYTES = 32 * 1024 * 1024


def parts(path: Path) -> tuple[Path, Path]:
    """The record and its journal for a path a mentor gives: the record (``progress.json``), its
    journal (``progress.json.events.jsonl``), or a folder holding them."""
    path = Path(path)
    if path.is_dir():
        path = path / "progress.json"
    if path.name.endswith(".events.jsonl"):
        return path.with_name(path.name[: -len(".events.jsonl")]), path
    return path, journal(path)


def read_only(path: Path, max_bytes: int | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Events from a record that is not ours to change (a mentee's, read for a report): never
    locks, moves aside or writes anything, and never raises for what the files hold. Returns the
    events that are JSON objects (the file's, then the journal's) and plain lines saying what could
    not be read: a missing file, one larger than ``max_bytes``, text that is not a record, lines of
    the journal that are not events."""
    limit = MAX_READ_BYTES if max_bytes is None else max_bytes
    record, log = parts(path)
    found: list[dict[str, Any]] = []
    problems: list[str] = []
    existing = [p for p in (record, log) if p.exists()]
    if not existing:
        return [], [f"{path} does not exist (neither {record.name} nor {log.name} is there)"]
    for part in existing:
        try:
            size = part.stat().st_size
            if not part.is_file():
                problems.append(f"{part} is not a file: not read")
                continue
            if size > limit:
                problems.append(f"{part} is {size / 2**20:,.0f} MB, more than the {limit / 2**20:,.0f} MB a progress "
                                "record can hold: not read")
                continue
            with open(part, "rb") as handle:
                text = handle.read(limit + 1).decode("utf-8", errors="replace")
        except OSError as error:
            problems.append(f"{part} could not be read ({error.strerror or error})")
            continue
        if part == record:
            try:
                data = json.loads(text)
            except (ValueError, RecursionError):
                problems.append(f"{part} is not JSON: not read")
                continue
            if not isinstance(data, dict) or not isinstance(data.get("events"), list):
                problems.append(f"{part} is not a progress record (no list of events): not read")
                continue
            kept = [e for e in data["events"] if isinstance(e, dict)]
            skipped = len(data["events"]) - len(kept)
        else:
            kept, skipped = [], 0
            for line in text.splitlines():
                if not line.strip():
                    continue
                try:
                    event = json.loads(line)
                except (ValueError, RecursionError):
                    event = None
                if isinstance(event, dict):
                    kept.append(event)
                else:
                    skipped += 1
        if skipped:
            problems.append(f"{skipped:,} entr{'y' if skipped == 1 else 'ies'} in {part.name} {'is' if skipped == 1 else 'are'} "
                            "not an event: skipped")
        found += kept
    return found, problems
