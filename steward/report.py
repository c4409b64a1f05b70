"""``steward report NOTEBOOK``: what a mentee did, for the mentor's 1:1.

It executes a *copy* of the notebook (the file is never written), with a per-cell
timeout, and reads two things:

- the **fresh run**: does the work run top to bottom, and what does each check say now;
- the **saved outputs**: the mentee's own session, which carries how many hints they used
  and how long they spent on each task (the fresh run starts with no hints);

and, when there is one, the mentee's **progress record** (``progress.json`` and its events journal,
see :mod:`steward.progress`), which keeps every check and hint across kernel restarts. Which
record is the truth for what:

- **status** (pass / not yet / not attempted), answers, misconceptions hit, written answers: the
  fresh run only, sealed per run (:mod:`steward.seal`). Nothing in the record or the saved outputs
  can change a status.
- **hints** and **time on task**: the record when it is given and holds this module's checks, else
  the saved outputs, which only know the last kernel session (a mentee who asked for hints, then
  restarted and ran all, shows no hints and about 0 s there). Where the saved outputs show more
  than the record, their number is used and marked. The record is the mentee's own file and cannot
  be sealed, so the report says where these numbers come from, and skips what a record cannot
  honestly hold: other modules' events, tasks the module does not have, hint tiers a task does not
  have, events dated in the future, a file larger than :data:`steward.progress.MAX_READ_BYTES`.

An **assignment** (a copy ``steward assign`` made) carries when it was made
(``metadata.steward.assigned``, UTC): only the record's events at or after that time are read, so an
earlier attempt at the same module (a workshop, weeks before) adds nothing. A copy without the stamp
reads the whole record; a stamp that is not a time, or is in the future, is ignored and the report says so.

Which record: ``make(..., progress=PATH)`` (``steward report --progress PATH``); by default a
``progress.json`` (or its journal) beside the notebook, where a mentee who sends their work puts
it (unless it holds none of the checks saved in the notebook: another learner's), then the record
on this machine, but that one only if it holds most of the checks saved in the notebook (on the
mentor's own machine it is the mentor's record, not the mentee's).

Tasks are matched by their id, never by cell position, so deleted, duplicated or
reordered cells and a renamed notebook still give a report.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from steward import environment, feedback, lessonmeta, outcomes, paths, progress, seal
from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS
from steward.errors import StewardError
from steward.feedback import MIME_ASSESSMENT, MIME_HINT, MIME_NOTE, MIME_OUTCOME

_CHECK_CALL = re.compile(r"tasks\.(\w+)\.check\(")


@dataclass
class TaskReport:
    id: str
    title: str
    status: str = NOT_ATTEMPTED
    hints_used: int = 0
    misconceptions: list[str] = field(default_factory=list)
    answer: str | None = None
    seconds: float | None = None
    message: str = ""
    problem: str | None = None
    stretch: bool = False
    checked: bool = False  # a check for it ran in the fresh execution
    #: "hints" / "seconds" when that number comes from the saved outputs although a progress record
    #: was used (the record had less): the report marks it.
    from_notebook: set[str] = field(default_factory=set)


@dataclass
class Report:
    notebook: str
    module: str | None
    lesson_title: str
    seconds: float
    tasks: list[TaskReport]
    assessments: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    problems: list[str]
    questions: list[str]
    generated: str
    #: Where the hints and times on task come from, and what of a progress record was not used.
    sources: list[str] = field(default_factory=list)
    #: The progress record used for hints and time on task, if any.
    record: str | None = None
    #: The assignment's time (``metadata.steward.assigned``) from which the record was read, if one applied.
    since: str | None = None

    def counts(self) -> dict[str, int]:
        counts = {PASS: 0, NOT_YET: 0, NOT_ATTEMPTED: 0}
        for task in self.tasks:
            counts[task.status] = counts.get(task.status, 0) + 1
        return counts


def _read(path: Path) -> nbformat.NotebookNode:
    if not path.exists():
        raise StewardError(f"{path} does not exist.", "Give the path of the mentee's .ipynb file.")
    if path.is_dir():
        raise StewardError(f"{path} is a folder, not a notebook.", "Give the path of the mentee's .ipynb file.")
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:
        raise StewardError(f"{path} is not a Jupyter notebook (it could not be read as one).",
                           "Give the path of the mentee's .ipynb file.") from None
    if not isinstance(nb.get("cells"), list):
        raise StewardError(f"{path} is not a Jupyter notebook (no cells).", "Give the path of the mentee's .ipynb file.")
    return nb


def _module_of(nb: nbformat.NotebookNode, path: Path, records: list[dict[str, Any]]) -> str | None:
    module = nb.metadata.get("steward", {}).get("module")
    if module:
        return str(module)
    for record in records:
        if record.get("module"):
            return str(record["module"])
    match = re.match(r"(?:.*-)?(\d\d)-", path.name)
    return match.group(1) if match else None


def _task_cells(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell index, task slug) for every check call in the notebook's source."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for slug in _CHECK_CALL.findall(cell.source):
                found.append((index, slug))
    return found


def _task_for_cell(index: int, task_cells: list[tuple[int, str]]) -> str | None:
    """The task a failing cell belongs to: its own check, else the next check after it."""
    for cell, slug in task_cells:
        if cell >= index:
            return slug
    return None


#: The shortest per-cell limit a report accepts: a kernel needs a few seconds to import pandas.
MIN_TIMEOUT_S = 5
#: After a cell's limit, the kernel is interrupted; if the cell swallows the interrupt, it is
#: killed (its whole process group) this many seconds later.
KILL_GRACE_S = 5


@dataclass
class Run:
    """What executing the copy produced."""

    nb: Any
    seconds: float
    key: str
    #: cell index → why it was stopped from outside (killed after the limit, or the kernel died)
    stopped: dict[int, str] = field(default_factory=dict)


def validate_timeout(timeout: Any) -> int:
    """A per-cell limit in whole seconds, at least :data:`MIN_TIMEOUT_S`."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout != timeout:
        raise StewardError(f"--timeout must be a number of seconds; got {timeout!r}.",
                           f"Give at least {MIN_TIMEOUT_S}, e.g. --timeout 60.")
    if timeout < MIN_TIMEOUT_S:
        raise StewardError(f"--timeout {timeout:g} is too short: every report needs a hard limit of at least "
                           f"{MIN_TIMEOUT_S} s per cell (0 or less would mean no limit at all).",
                           f"Give at least {MIN_TIMEOUT_S}, e.g. --timeout 60.")
    return int(timeout)


def _sandbox(path: Path) -> Path:
    """A fresh temporary folder with a copy of the curriculum's data and a folder for the
    notebook, laid out like the curriculum, so relative paths in the mentee's code resolve
    there and never beside the mentee's real file."""
    root = Path(tempfile.mkdtemp(prefix="steward-report-"))
    data = paths.root() / "data"
    if data.is_dir():
        shutil.copytree(data, root / "data")
    (root / "exercises").mkdir()
    return root


def _kill(client: Any) -> None:
    """Kill the kernel and everything it started: it runs in its own session (jupyter_client
    starts kernels with ``start_new_session``), so its process group is its own."""
    try:
        pid = client.km.provisioner.process.pid
    except AttributeError:
        return
    _kill_pid(pid)


def _kill_pid(pid: int | None) -> None:
    """SIGKILL a kernel's process group (a no-op when it is already gone)."""
    if pid is None:
        return
    try:
        if hasattr(os, "killpg"):
            os.killpg(pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            os.kill(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _execute(path: Path, nb: Any, timeout: int) -> Run:
    """Run a copy of ``nb`` in a fresh sandbox folder with a hard limit per cell.

    nbclient interrupts a cell at ``timeout``; a watchdog thread kills the kernel's process group
    if the cell is still running ``KILL_GRACE_S`` later (a bare ``except:`` swallows the
    interrupt). A kernel that dies or is killed ends the run; the cells it ran are reported."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    work = nbformat.reads(nbformat.writes(nb), as_version=4)
    for cell in work.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    sandbox = _sandbox(path)
    key = seal.new_key()
    env = {**os.environ, "STEWARD_PROGRESS": "off",  # the mentor's own progress is not the mentee's
           seal.ENV: key, "PYTHONWARNINGS": os.environ.get("PYTHONWARNINGS", "ignore::DeprecationWarning")}
    client = NotebookClient(
        work, timeout=timeout, allow_errors=True, interrupt_on_timeout=True, kernel_name="python3",
        resources={"metadata": {"path": str(sandbox / "exercises")}}, **environment.quiet_kernel(),
    )
    quiet = logging.getLogger("steward.report.kernel")  # nbclient logs each timeout as ERROR; we report it
    quiet.setLevel(logging.CRITICAL)
    client.log = quiet
    state: dict[str, Any] = {"cell": None, "since": 0.0, "done": False}
    run = Run(work, 0.0, key)

    def started(cell: Any = None, cell_index: int = 0, **_: Any) -> None:
        state["cell"], state["since"] = cell_index, time.monotonic()
        if state.get("pid") is None:
            state["pid"] = getattr(getattr(getattr(client.km, "provisioner", None), "process", None), "pid", None)
        if state.get("interrupted"):  # Ctrl-C came while the kernel was still starting
            _kill_pid(state["pid"])

    def finished(cell: Any = None, cell_index: int = 0, **_: Any) -> None:
        state["cell"] = None

    client.on_cell_start, client.on_cell_executed = started, finished  # on_cell_complete fires on *sending*

    def watchdog() -> None:
        while not state["done"]:
            index = state["cell"]
            if index is not None and time.monotonic() - state["since"] > timeout + KILL_GRACE_S:
                run.stopped[index] = (f"did not finish within {timeout} s and ignored the interrupt, so the "
                                      "kernel was killed; the cells after it did not run")
                _kill(client)
                return
            time.sleep(0.2)

    guard = threading.Thread(target=watchdog, daemon=True)
    began = time.perf_counter()
    def caused_by(error: BaseException | None, kind: type[BaseException]) -> bool:
        while error is not None:
            if isinstance(error, kind):
                return True
            error = error.__context__
        return False

    # Ctrl-C: nbclient would pass the interrupt to the kernel and carry on, so take SIGINT ourselves,
    # kill the kernel's process group, and stop once nbclient notices the kernel is gone.
    interrupted = threading.Event()

    def on_sigint(signum: int, frame: Any) -> None:
        interrupted.set()
        state["interrupted"] = True
        _kill_pid(state.get("pid"))

    def take_sigint(**_: Any) -> None:
        # nbclient registers its own SIGINT handler on its event loop (it shuts the kernel down and
        # carries on as if the kernel had died); put ours in its place once its loop runs.
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, on_sigint, signal.SIGINT, None)
        except (RuntimeError, NotImplementedError, ValueError):  # not the main thread, or Windows
            pass

    client.on_notebook_start = take_sigint
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        guard.start()
        # the kernel's own stdout/stderr (its start-up warnings, its dying words) are not the mentee's
        # output and would read as our traceback: cell output still arrives through the protocol
        client.execute(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except KeyboardInterrupt:
        _kill_pid(state.get("pid"))
        raise
    except Exception as error:
        # nbclient raises DeadKernelError for a dead kernel, and sometimes an AssertionError from its
        # clean-up right after it; a kernel the watchdog killed ends the same way.
        if interrupted.is_set():
            pass  # raised below, once the sandbox is gone
        elif caused_by(error, KeyboardInterrupt):  # Ctrl-C inside nbclient's loop, then its clean-up failed
            _kill_pid(state.get("pid"))
            raise KeyboardInterrupt from None
        elif run.stopped or caused_by(error, DeadKernelError):
            index = state["cell"] if state["cell"] is not None else -1
            run.stopped.setdefault(index, "the kernel died while it ran (e.g. os._exit or out of memory); the "
                                          "cells after it did not run")
        else:  # nbclient's own failures (a kernel that never starts): one plain line
            raise StewardError(f"The notebook could not be run: {type(error).__name__}: {error}"[:400],
                               "Check that the curriculum's environment is installed (python3 run.py test).") from None
    finally:
        state["done"] = True
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        _kill_pid(state.get("pid"))  # never leave a kernel (or what it started) behind
        shutil.rmtree(sandbox, ignore_errors=True)
    if interrupted.is_set():
        raise KeyboardInterrupt
    run.seconds = time.perf_counter() - began
    return run


def _text(value: Any, limit: int = 300) -> str:
    """A saved field as short text, whatever its type (saved outputs can be edited by hand)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _well_formed(record: dict[str, Any]) -> bool:
    """A record the report can use: a note with its key, or anything else with a task id."""
    if record.get("mime") == MIME_NOTE:
        return isinstance(record.get("note"), str) and bool(record["note"].strip())
    return isinstance(record.get("task"), str) and bool(record["task"].strip())


#: A check saved in the notebook and the same check in a progress record are written within a
#: second of each other (both stamp the time in whole seconds); this allows for a slow disk.
MATCH_S = 2.0
#: What the report says when hints and time on task come from the saved outputs only.
LAST_SESSION_ONLY = ("Hints and time on task: from the notebook's saved outputs, i.e. the mentee's last kernel "
                     "session only. Hints asked before a restart are not counted, and after Restart and Run All "
                     "each task shows about 0 s. For the whole count, report with the mentee's progress record: "
                     "steward report NOTEBOOK --progress PATH (docs/mentor-guide.md says how they send it).")


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp)) if stamp is not None else "?"


def assigned_since(nb: Any, now: float | None = None) -> tuple[float | None, list[str]]:
    """When the assignment was made (``metadata.steward.assigned`` of a copy ``steward assign`` wrote),
    as a POSIX time, and the lines to say when a stamp is there but cannot be used. No stamp, or a
    notebook that is not an assignment: ``(None, [])``. A time without a zone is read as UTC (that is
    what ``steward assign`` writes)."""
    import datetime as dt

    from steward import progressview

    meta = nb.get("metadata", {}).get("steward") if isinstance(nb.get("metadata"), dict) else None
    if not isinstance(meta, dict) or meta.get("kind") != "assignment" or "assigned" not in meta:
        return None, []
    value = meta["assigned"]
    shown = _text(value if isinstance(value, str) else repr(value), 60)
    when = None
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
            when = (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)).timestamp()
        except (ValueError, OverflowError, OSError):
            when = None
    if when is None:
        return None, [f"The notebook's assignment time (metadata.steward.assigned: {shown}) is not a time, so the "
                      "record's events were read whatever their date, as for a copy without it: an earlier attempt "
                      "at this module may add its hints and time."]
    if when > (time.time() if now is None else now) + progressview.FUTURE_SLACK_S:
        return None, [f"The notebook's assignment time (metadata.steward.assigned: {shown}) is in the future, so it "
                      "was ignored and the record's events were read whatever their date: an earlier attempt at "
                      "this module may add its hints and time."]
    return when, []


def _since(events: list[Any], module: str, since: float | None) -> tuple[list[Any], int]:
    """The record's events without the checks and hints dated before ``since`` (an earlier attempt),
    and how many of those were of ``module``."""
    from steward import progressview

    if since is None:
        return events, 0
    kept, earlier = [], 0
    for event in events:
        if isinstance(event, dict) and event.get("kind") in ("check", "hint"):
            when = progressview.event_time(event.get("time"))
            if when is not None and when < since:
                task = event.get("task")
                earlier += isinstance(task, str) and task.startswith(f"{module}.")
                continue
        kept.append(event)
    return kept, earlier


def _saved_checks(saved: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
    """(task, status, time) of every check whose outcome the notebook saved."""
    from steward import progressview

    found = []
    for record in saved:
        when = progressview.event_time(record.get("time"))
        if record.get("mime") == MIME_OUTCOME and isinstance(record.get("status"), str) and when is not None:
            found.append((record["task"], record["status"], when))
    return found


def _matched(saved: list[tuple[str, str, float]], logged: list[tuple[str, str, float]]) -> int:
    """How many of the notebook's saved checks the record also holds (same task, status, second)."""
    index: dict[tuple[str, str], list[float]] = {}
    for task, status, when in logged:
        index.setdefault((task, status), []).append(when)
    return sum(any(abs(when - other) <= MATCH_S for other in index.get((task, status), ()))
               for task, status, when in saved)


def _progress_record(notebook: Path, saved: list[dict[str, Any]], module: str | None, lesson_module: Any,
                     choice: Path | str | bool | None, since: float | None = None,
                     stamp_lines: list[str] | None = None) -> tuple[Any, str | None, list[str]]:
    """The mentee's activity from a progress record (``None`` if none is used), the record's path, and
    the lines saying where the hints and times come from. ``choice``: a path (given by the mentor),
    True (look beside the notebook, then this machine's record if it holds the notebook's saved
    checks), or False / None (the saved outputs only). ``since``: the assignment's time; the record's
    checks and hints before it are an earlier attempt and are not read. ``stamp_lines``: what to say
    about an assignment time that could not be used."""
    from steward import progressview

    if choice is None or choice is False:
        return None, None, [LAST_SESSION_ONLY]
    if lesson_module is None or module is None:
        return None, None, [LAST_SESSION_ONLY + " (The notebook's module is unknown, so no record was read.)"]
    tiers = {task.id: len(task.hints) for task in lesson_module.TASKS}
    # (path, how sure we are it is the mentee's): "given" by the mentor is used; one "beside" the
    # notebook is used unless the notebook saved checks and the record holds none of them (a folder
    # of several mentees' notebooks); this machine's ("local") only if it holds most of them.
    candidates: list[tuple[Path, str]] = []
    if choice is True:
        beside = notebook.resolve().parent / "progress.json"
        if beside.exists() or progress.journal(beside).exists():
            candidates.append((beside, "beside"))
        local = progress.location()
        if local is not None and (local.exists() or progress.journal(local).exists()) and \
                os.path.realpath(local) != os.path.realpath(beside):
            candidates.append((local, "local"))
    else:
        candidates.append((Path(choice), "given"))
    checks = _saved_checks(saved)
    unused: list[str] = list(stamp_lines or [])  # records looked at and not used, and why
    since_text = _when(since) if since is not None else ""
    for path, how in candidates:
        events, problems = progress.read_only(path)
        events, earlier = _since(events, module, since)
        earlier_line = (f"{earlier:,} event{'s' if earlier != 1 else ''} of module {module} dated before the "
                        f"assignment was made ({since_text}): an earlier attempt, not read." if earlier else "")
        found = progressview.activity(events, module, tiers)
        matched = _matched(checks, found.checks)
        if how == "local" and (not checks or matched * 2 < len(checks)):
            unused.append(f"The progress record on this machine ({path}) was not used: it does not hold the "
                          "checks saved in this notebook, so it is not the record of the mentee's sessions.")
            continue
        if how == "beside" and checks and not matched and found.used:
            unused.append(f"The progress record beside the notebook ({path}) was not used: it holds none of the "
                          f"{len(checks)} checks saved in the notebook, so it is another learner's or another copy's. "
                          "Give the mentee's record with --progress.")
            continue
        skipped = [f"{n:,} event{'s' if n != 1 else ''} {what}: not used." for n, what in (
            (found.future, "dated in the future"), (found.undated, "without a readable time"),
            (found.unknown_tasks, f"of tasks exercise {module} does not have (a lesson's demo, for one)"),
            (found.odd_tiers, "showing a hint tier its task does not have")) if n]
        if not found.used:
            why = "; ".join(problems) or f"it holds no checks or hints of module {module}"
            if found.other_modules and not problems:
                why += f" ({found.other_modules:,} of other modules)"
            if since is not None:
                why += f" from the assignment's time ({since_text}) on"
            unused.append(" ".join([f"The progress record {path} was not used: {why}.", *skipped,
                                    *([earlier_line] if earlier_line else [])]))
            continue
        lines = [
            f"Hints and time on task: from the mentee's progress record {path} ({found.used:,} checks and hints of "
            f"module {module}, {_when(found.first)} to {_when(found.last)}"
            + (f"; only events at or after the assignment was made, {since_text}" if since is not None else "")
            + "), across kernel restarts; where the "
            "notebook's saved outputs show more, their number is used and marked †. Time on task runs from the "
            f"previous step in the module to the pass (or the last new step); a pause counts at most "
            f"{progressview.PAUSE_S // 60} min. The record is the mentee's own file: unlike the statuses, it is not "
            "sealed, so read these numbers as what their machine logged."]
        if checks:
            lines.append(f"It holds {matched} of the {len(checks)} checks saved in the notebook." if matched else
                         f"None of the {len(checks)} checks saved in the notebook is in it: it may be the record of "
                         "another copy of this module, or of a session with recording off. Ask the mentee.")
        lines += ([earlier_line] if earlier_line else []) + skipped + [f"{problem}." for problem in problems]
        return found, str(path), lines + unused
    return None, None, [LAST_SESSION_ONLY, *unused]


def _merge(tasks: dict[str, TaskReport], found: Any) -> None:
    """Hints and time on task from the record's activity, kept where the saved outputs show less."""
    for task_id, item in tasks.items():
        hints = found.hints.get(task_id, 0)
        if item.hints_used > hints:
            item.from_notebook.add("hints")
        else:
            item.hints_used = hints
        seconds = found.seconds.get(task_id)
        if item.seconds and (seconds is None or item.seconds > seconds):
            item.from_notebook.add("seconds")
        elif seconds is not None:
            item.seconds = seconds


def make(path: Path | str, timeout: int = 60, progress_record: Path | str | bool | None = True) -> Report:
    """Run a copy of the mentee's notebook in a sandbox and build the report from that run.

    Statuses come only from the fresh run's *sealed* outcomes (see :mod:`steward.seal`): an
    outcome bundle the notebook displays itself, or one left in its saved outputs, counts for
    nothing. The saved outputs add what only the mentee's own session knows: hints used, time on
    task, misconceptions hit. Odd saved fields (``hints_used: "lots"``, no task) are skipped.

    ``progress_record`` chooses the mentee's progress record for hints and time across kernel restarts (see
    the module's docstring): a path, True (look for one), or False (the saved outputs only)."""
    timeout = validate_timeout(timeout)
    path = Path(path)
    original = _read(path)
    saved = [r for r in outcomes.collect(original) if _well_formed(r)]
    module = _module_of(original, path, saved)
    run = _execute(path, original, timeout)
    executed = run.nb
    collected = [r for r in outcomes.collect(executed) if _well_formed(r)]
    fresh = [r for r in collected if seal.valid(r, run.key)]
    forged = [r for r in collected if r.get("mime") == MIME_OUTCOME and not seal.valid(r, run.key)]

    from steward.lessons import all_lessons

    lesson_module = all_lessons().get(module or "")
    lesson_title = ""
    tasks: dict[str, TaskReport] = {}
    if lesson_module is not None:
        for task in lesson_module.TASKS:
            tasks[task.id] = TaskReport(task.id, task.title, stretch=task.stretch)
        try:
            lesson_title = lessonmeta.read(module).title
        except StewardError:
            lesson_title = ""

    def entry(record: dict[str, Any]) -> TaskReport:
        task_id = record["task"]
        if task_id not in tasks:
            tasks[task_id] = TaskReport(task_id, _text(record.get("title") or task_id, 120),
                                        stretch=bool(record.get("stretch")))
        return tasks[task_id]

    for record in (r for r in saved if r.get("mime") == MIME_HINT):
        if record["task"] in tasks:
            item = tasks[record["task"]]
            item.hints_used = max(item.hints_used, outcomes.count(record.get("hints_used")))
    for record in (r for r in saved if r.get("mime") == MIME_OUTCOME and r["task"] in tasks):
        item = tasks[record["task"]]
        item.hints_used = max(item.hints_used, outcomes.count(record.get("hints_used")))
        seconds = record.get("seconds_on_task")
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and 0 <= seconds < 1e7:
            item.seconds = max(item.seconds or 0.0, float(seconds))
        misconception = _text(record.get("misconception"), 120)
        if misconception and misconception not in item.misconceptions:
            item.misconceptions.append(misconception)
    since, stamp_lines = assigned_since(original)
    found, record_path, sources = _progress_record(path, saved, module, lesson_module, progress_record,
                                                   since, stamp_lines)
    if found is not None:
        _merge(tasks, found)
    for record in (r for r in fresh if r.get("mime") == MIME_OUTCOME):
        item = entry(record)
        item.checked = True
        status = record.get("status")
        if item.status != PASS and status in (PASS, NOT_YET, NOT_ATTEMPTED):  # a duplicated cell that passes counts
            item.status = status
            item.message = _text(record.get("message"))
        if record.get("answer"):
            item.answer = _text(record["answer"], 4000)
        misconception = _text(record.get("misconception"), 120)
        if misconception and misconception not in item.misconceptions:
            item.misconceptions.append(misconception)

    problems: list[str] = []
    if forged:
        problems.append(f"{len(forged)} outcome(s) in the run were displayed by the notebook itself, not by a check; "
                        "they were ignored")
    task_cells = _task_cells(executed)
    by_slug = {t.id.split(".", 1)[-1].replace("-", "_"): t for t in tasks.values()}
    reported = []
    for error in outcomes.errors(executed):
        cell = error["cell"]
        if error["ename"] == "KeyboardInterrupt":
            text = f"cell {cell + 1} did not finish within {timeout} s and was stopped"
        else:
            text = f"cell {cell + 1} raised {_text(error['ename'], 80)}: {_text(error['evalue'])}"[:300]
        reported.append((cell, text))
    for cell, why in sorted(run.stopped.items()):
        reported.append((cell, f"cell {cell + 1} {why}" if cell >= 0 else f"the run stopped: {why}"))
    for cell, text in reported:
        owner = by_slug.get(_task_for_cell(cell, task_cells) or "")
        if owner is not None:
            owner.problem = text
            problems.append(f"{owner.title} ({owner.id}): {text}")
        else:
            problems.append(text)
    for item in tasks.values():
        if not item.checked and lesson_module is not None:
            item.message = "its check never ran (the cell is missing, or an earlier error stopped it)"

    def assessed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in records if r.get("mime") == MIME_ASSESSMENT and r.get("status") == "self-assessed"
                and isinstance(r.get("scores"), dict)]

    assessments = assessed(fresh) or assessed(saved)
    notes = {r["note"]: r for r in saved if r.get("mime") == MIME_NOTE and isinstance(r.get("note"), str)}
    notes.update({r["note"]: r for r in fresh if r.get("mime") == MIME_NOTE and isinstance(r.get("note"), str)})

    ordered = list(tasks.values())
    return Report(
        notebook=path.name,
        module=module,
        lesson_title=lesson_title,
        seconds=run.seconds,
        tasks=ordered,
        assessments=assessments,
        notes=[{"note": n["note"], "title": _text(n.get("title") or n["note"], 120), "text": _text(n.get("text"), 4000)}
               for n in notes.values()],
        problems=problems,
        questions=_questions(ordered, lesson_module, module),
        generated=time.strftime("%Y-%m-%d %H:%M"),
        sources=sources,
        record=record_path,
        since=_when(since) if since is not None and record_path is not None else None,
    )


def _questions(tasks: list[TaskReport], lesson_module: Any, module: str | None, limit: int = 6) -> list[str]:
    """Questions for the 1:1, most useful first: a misconception the mentee hit, then a task that
    is *not yet* or used hints, then the lesson's own discussion prompts (always kept); tasks
    never attempted come last, grouped in one line, because there is nothing to discuss yet."""
    known = {t.id: t for t in lesson_module.TASKS} if lesson_module is not None else {}

    def rank(item: TaskReport) -> tuple[int, int]:
        if item.misconceptions:
            return 0, -item.hints_used
        if item.status == NOT_YET or item.problem:
            return 1, -item.hints_used
        return 2, -item.hints_used  # passed, but with hints

    worked = sorted((t for t in tasks if t.id in known and t.status != NOT_ATTEMPTED
                     and (t.status != PASS or t.hints_used or t.misconceptions or t.problem)), key=rank)
    questions: list[str] = []
    for item in worked[:limit]:
        task = known[item.id]
        question = f"{item.title}: {task.hints[0]}"
        if item.misconceptions:
            question += (f" (They hit '{item.misconceptions[0]}'. Ask them to explain, in their own words, "
                         "why it is wrong.)")
        questions.append(question)
    if module:
        try:
            questions += [f"From the lesson: {q}" for q in lessonmeta.read(module).discussion[:3]]
        except StewardError:
            pass
    untried = [t.title for t in tasks if t.id in known and t.status == NOT_ATTEMPTED and not t.stretch]
    if untried:
        questions.append(f"Not attempted yet ({len(untried)}): {', '.join(untried)}. Which one would they start with, "
                         "and what stopped them?")
    return questions


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def md_escape(text: Any) -> str:
    """Learner-written text made inert in Markdown: HTML is escaped (no ``<script>``, no raw tags),
    and Markdown syntax characters are backslash-escaped (no injected headings, links,
    ``javascript:`` URLs, images or tables). A viewer shows the text as the mentee wrote it."""
    escaped = html.escape(_text(text, 100_000), quote=False)
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    escaped = re.sub(r"(?m)^(\s*)(\d+)([.)])", r"\1\2\\\3", escaped)
    return re.sub(r"(?m)^(\s*)([-=>])", r"\1\\\2", escaped)


def _number(text: str) -> str:
    """'np.float64(-6.17422237721899)' or '-6.17422237721899' as '-6.174'; other text unchanged."""
    found = re.fullmatch(r"(?:np\.\w+\()?\s*([-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*\)?", text.strip())
    if not found:
        return text
    value = float(found.group(1))
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    return str(int(value)) if value == int(value) else f"{value:.4g}"


def _duration(seconds: float | None) -> str:
    if not seconds:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    if minutes >= 60:  # across sessions a task can take hours; seconds no longer matter
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _hints(task: TaskReport) -> str:
    return f"{task.hints_used}{'†' if 'hints' in task.from_notebook else ''}"


def _time(task: TaskReport) -> str:
    return f"{_duration(task.seconds)}{'†' if 'seconds' in task.from_notebook else ''}"


def _notes(task: TaskReport) -> str:
    """The notes column, the same in both reports: the misconception hit (as the mentor guide names
    it, "hit: …"), then the problem or the check's message."""
    # ". " between them: the check's message is a sentence of its own ("hit: … . The load in …").
    return ". ".join(filter(None, [
        f"hit: {', '.join(task.misconceptions)}" if task.misconceptions else "",
        task.problem or (task.message if task.status not in (PASS, NOT_ATTEMPTED) else ""),
    ]))


def to_markdown(report: Report) -> str:
    counts = report.counts()
    hints = sum(t.hints_used for t in report.tasks)
    heading = f"module {report.module}" + (f" · {report.lesson_title}" if report.lesson_title else "") if report.module else "an unknown module"
    lines = [
        f"# Report: {md_escape(report.notebook)} ({md_escape(heading)})",
        "",
        f"Generated {report.generated}. A copy of the notebook was executed in {report.seconds:.1f} s in a fresh "
        "temporary folder; the mentee's file was not modified.",
        "",
        f"**Summary:** {counts[PASS]} pass · {counts[NOT_YET]} not yet · {counts[NOT_ATTEMPTED]} not attempted · "
        f"{hints} hint{'s' if hints != 1 else ''} used.",
        "",
        "## Tasks",
        "",
        "| task | status | hints | time on task | notes |",
        "|---|---|---|---|---|",
    ]
    for task in report.tasks:
        notes = "; ".join(filter(None, ["stretch" if task.stretch else "", _notes(task)]))
        lines.append(f"| {md_escape(task.title)} | {task.status} | {_hints(task)} | {_time(task)} | "
                     f"{md_escape(notes).replace(chr(10), ' ')} |")
    if report.sources:
        lines += ["", md_escape(report.sources[0])] + ([""] + [f"- {md_escape(s)}" for s in report.sources[1:]]
                                                       if report.sources[1:] else [])
    numbers = [t for t in report.tasks if t.answer and _number(t.answer) != t.answer]
    if numbers:
        lines += ["", "Numbers they gave: " + "; ".join(f"{md_escape(t.title)} {md_escape(_number(t.answer))}"
                                                     for t in numbers) + "."]
    written = [t for t in report.tasks if t.answer and _number(t.answer) == t.answer]
    if written or report.notes:
        lines += ["", "## Written answers", ""]
        for title, text in [(t.title, t.answer) for t in written] + [(n["title"], n["text"]) for n in report.notes]:
            lines += [f"### {md_escape(title)}", ""]
            lines += [f"> {md_escape(line)}" if line.strip() else ">" for line in (text or "").splitlines()] + [""]
    if report.assessments:
        lines += ["", "## Self-assessments", "", "| rubric | criterion | their rating |", "|---|---|---|"]
        for assessment in report.assessments:
            for criterion, level in assessment.get("scores", {}).items():
                lines.append(f"| {md_escape(assessment.get('title', ''))} | {md_escape(criterion)} | {md_escape(level)} |")
    if report.problems:
        lines += ["", "## Problems while running", ""] + [f"- {md_escape(p)}" for p in report.problems]
    if report.questions:
        lines += ["", "## Questions for your 1:1", ""]
        lines += [f"{i}. {md_escape(q)}" for i, q in enumerate(report.questions, 1)]
    return "\n".join(lines).rstrip() + "\n"


def to_html(report: Report) -> str:
    """A self-contained page (no scripts, no external assets) rendering the same content."""
    counts = report.counts()
    e = html.escape
    colour = {PASS: "#0072B2", NOT_YET: "#D55E00", NOT_ATTEMPTED: "#777777"}
    rows = "".join(
        f"<tr><td>{e(t.title)}{' <em>(stretch)</em>' if t.stretch else ''}</td>"
        f"<td style='color:{colour.get(t.status, '#000')}'><b>{e(t.status)}</b></td><td>{e(_hints(t))}</td>"
        f"<td>{e(_time(t))}</td><td>{e(_notes(t))}</td></tr>"
        for t in report.tasks
    )
    numbers = "; ".join(f"{e(t.title)} <b>{e(_number(t.answer))}</b>" for t in report.tasks
                        if t.answer and _number(t.answer) != t.answer)
    written = "".join(
        f"<h3>{e(title)}</h3><blockquote>{e(text).replace(chr(10), '<br>')}</blockquote>"
        for title, text in [(t.title, t.answer) for t in report.tasks if t.answer and _number(t.answer) == t.answer]
        + [(n["title"], n["text"]) for n in report.notes]
    )
    assessed = "".join(
        f"<tr><td>{e(a.get('title', ''))}</td><td>{e(c)}</td><td>{e(level)}</td></tr>"
        for a in report.assessments for c, level in a.get("scores", {}).items()
    )
    problems = "".join(f"<li>{e(p)}</li>" for p in report.problems)
    sources = (f"<p>{e(report.sources[0])}</p>" + ("<ul>" + "".join(f"<li>{e(s)}</li>" for s in report.sources[1:])
                                                    + "</ul>" if report.sources[1:] else "")) if report.sources else ""
    questions = "".join(f"<li>{e(q)}</li>" for q in report.questions)
    title = f"Report: {report.notebook}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}}
blockquote{{border-left:4px solid #E69F00;margin:0;padding:.2rem .8rem;background:#fafafa}}</style></head><body>
<h1>{e(title)}</h1>
<p>Module {e(report.module or '?')}{(' · ' + e(report.lesson_title)) if report.lesson_title else ''}. Generated {e(report.generated)};
a copy was executed in {report.seconds:.1f} s and the mentee's file was not modified.</p>
<p><b>Summary:</b> {counts[PASS]} pass · {counts[NOT_YET]} not yet · {counts[NOT_ATTEMPTED]} not attempted ·
{feedback.plural(sum(t.hints_used for t in report.tasks), 'hint')} used.</p>
<h2>Tasks</h2><table><tr><th>task</th><th>status</th><th>hints</th><th>time on task</th><th>notes</th></tr>{rows}</table>
{sources}
{('<p>Numbers they gave: ' + numbers + '.</p>') if numbers else ''}
{('<h2>Written answers</h2>' + written) if written else ''}
{('<h2>Self-assessments</h2><table><tr><th>rubric</th><th>criterion</th><th>their rating</th></tr>' + assessed + '</table>') if assessed else ''}
{('<h2>Problems while running</h2><ul>' + problems + '</ul>') if problems else ''}
{('<h2>Questions for your 1:1</h2><ol>' + questions + '</ol>') if questions else ''}
</body></html>
"""


def write(report: Report, out_dir: Path | str) -> tuple[Path, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = Path(report.notebook).stem
    md, page = out / f"{stem}.report.md", out / f"{stem}.report.html"
    md.write_text(to_markdown(report), encoding="utf-8")
    page.write_text(to_html(report), encoding="utf-8")
    return md, page
