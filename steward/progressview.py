"""Your progress across modules, from the local record or from saved notebooks: a table for
the terminal (`steward progress`) and a small chart for a notebook."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from steward import nbjson, outcomes, plotting, progress
from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS
from steward.errors import StewardError
from steward.feedback import MIME_HINT, MIME_OUTCOME

COLUMNS = [PASS, NOT_YET, NOT_ATTEMPTED, "hints"]


def _known_tasks() -> dict[str, list[str]]:
    from steward.lessons import all_lessons

    return {number: [t.id for t in module.TASKS] for number, module in all_lessons().items()}


def _table(latest: dict[str, str], hints: dict[str, int], modules: set[str] | None = None) -> pd.DataFrame:
    rows = []
    for module, ids in sorted(_known_tasks().items()):
        if modules is not None and module not in modules:
            continue
        statuses = [latest.get(task, NOT_ATTEMPTED) for task in ids]
        rows.append({
            "module": module,
            PASS: statuses.count(PASS),
            NOT_YET: statuses.count(NOT_YET),
            NOT_ATTEMPTED: statuses.count(NOT_ATTEMPTED),
            "hints": sum(hints.get(task, 0) for task in ids),
        })
    return pd.DataFrame(rows, columns=["module", *COLUMNS]).set_index("module")


def from_record(record: dict | None = None) -> pd.DataFrame:
    """Per module: tasks passed / not yet / not attempted and hints used, from the progress
    file. A task's status is its latest check; a pass stays a pass."""
    record = progress.load() if record is None else record
    summary = progress.summary(record)
    latest: dict[str, str] = {}
    for task, entry in summary.items():
        latest[task] = entry["status"]
    for event in progress.events(record):
        if event.get("kind") == "check" and event.get("status") == PASS and isinstance(event.get("task"), str):
            latest[event["task"]] = PASS
    return _table(latest, hints_seen(record))


def hints_seen(record: dict, tiers: dict[str, int] | None = None) -> dict[str, int]:
    """Per task, how many of its hints the learner has seen: the distinct tiers asked for. A hint cell
    run again (after a restart, by Run All) shows a tier already seen and does not count twice.

    ``tiers`` (task → how many hint tiers it has), when given, keeps only those tasks and only tiers
    that exist, so a hand-made record cannot claim more hints than a task has."""
    seen: dict[str, set] = {}
    untiered: dict[str, int] = {}
    for event in progress.events(record):
        task = event.get("task")
        if event.get("kind") != "hint" or not isinstance(task, str) or (tiers is not None and task not in tiers):
            continue
        tier = event.get("tier")
        if isinstance(tier, int) and not isinstance(tier, bool):
            if tiers is None or 1 <= tier <= tiers[task]:
                seen.setdefault(task, set()).add(tier)
        elif tier is None:  # an older record without tiers: every hint counts
            untiered[task] = untiered.get(task, 0) + 1
    counts = {task: max(len(seen.get(task, ())), untiered.get(task, 0)) for task in {*seen, *untiered}}
    return counts if tiers is None else {task: min(n, tiers[task]) for task, n in counts.items()}


#: A pause longer than this between two steps in a module counts as this long in time on task: the
#: learner was away (a break, the next day), and a gap cannot tell how much of it was work.
PAUSE_S = 30 * 60
#: An event dated more than this after the report is made is dated in the future (a wrong clock,
#: or a hand-made record) and is not used.
FUTURE_SLACK_S = 5 * 60


def event_time(value: object) -> float | None:
    """An event's ``time`` (``2026-11-30T03:05:38+0000``, as :func:`progress.record_event` writes it)
    as a POSIX timestamp; ``None`` for anything else. A time without a zone is the local time."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    for parse in (dt.datetime.fromisoformat, lambda v: dt.datetime.strptime(v, "%Y-%m-%dT%H:%M:%S%z")):
        try:
            return parse(value).timestamp()
        except (ValueError, OverflowError, OSError):
            continue
    return None


@dataclass
class Activity:
    """What a progress record says about one module's tasks, across kernel sessions."""

    module: str
    hints: dict[str, int] = field(default_factory=dict)  # task → distinct hints seen
    seconds: dict[str, float] = field(default_factory=dict)  # task → time on task
    checks: list[tuple[str, str, float]] = field(default_factory=list)  # (task, status, time)
    first: float | None = None  # the module's first and last dated step
    last: float | None = None
    used: int = 0  # checks and hints of this module's tasks, dated
    other_modules: int = 0
    unknown_tasks: int = 0
    odd_tiers: int = 0  # hints of a tier the task does not have
    future: int = 0
    undated: int = 0


def activity(events: Iterable[dict], module: str, tiers: dict[str, int], now: float | None = None) -> Activity:
    """Hints seen and time on task per task of ``module`` (``tiers``: its task ids → hint tiers), from
    a record's events, across kernel sessions.

    Only checks and hints of the module's own tasks count, and only those dated (not in the future); a
    check of a blank answer (*not attempted*) is not a step, as in the learner's kernel.
    Time on task runs from the learner's previous step in the module (or the task's first step) to
    the task's first pass, or, for a task not passed, to its last *new* step: a hint tier not seen
    before, or a check whose result (status, misconception) differs from the task's previous one. A
    re-check that gives the same result (a Run All after a restart) is not a new step. Each pause
    between two steps counts at most :data:`PAUSE_S`."""
    now = time.time() if now is None else now
    found = Activity(module)
    steps: list[tuple[float, int, dict]] = []
    for order, event in enumerate(events):
        if not isinstance(event, dict) or event.get("kind") not in ("check", "hint"):
            continue
        task = event.get("task")
        if not isinstance(task, str):
            continue
        if str(event.get("module", task.split(".")[0])) != module or not task.startswith(f"{module}."):
            found.other_modules += 1
            continue
        if task not in tiers:
            found.unknown_tasks += 1
            continue
        tier = event.get("tier")
        if event["kind"] == "hint" and tier is not None and not (
                isinstance(tier, int) and not isinstance(tier, bool) and 1 <= tier <= tiers[task]):
            found.odd_tiers += 1
            continue
        when = event_time(event.get("time"))
        if when is None:
            found.undated += 1
        elif when > now + FUTURE_SLACK_S:
            found.future += 1
        elif event["kind"] == "check" and event.get("status") == NOT_ATTEMPTED:
            found.checks.append((task, NOT_ATTEMPTED, when))  # a blank cell run: no step, as in the kernel
        else:
            steps.append((when, order, event))
    steps.sort(key=lambda step: step[:2])
    dated = [s[0] for s in steps] + [c[2] for c in found.checks]
    found.used = len(dated)
    if dated:
        found.first, found.last = min(dated), max(dated)
    found.hints = {t: n for t, n in hints_seen({"events": [s[2] for s in steps]}, tiers).items() if n}
    times = [s[0] for s in steps]
    by_task: dict[str, list[int]] = {}
    for index, (when, _, event) in enumerate(steps):
        by_task.setdefault(event["task"], []).append(index)
        if event["kind"] == "check" and isinstance(event.get("status"), str):
            found.checks.append((event["task"], event["status"], when))
    for task, indices in by_task.items():
        end, seen, previous = indices[0], set(), None
        for index in indices:
            event = steps[index][2]
            if event["kind"] == "hint":
                new = event.get("tier") not in seen
                seen.add(event.get("tier"))
            else:
                result = (event.get("status"), event.get("misconception"))
                new, previous = result != previous, result
            if new:
                end = index
            if event["kind"] == "check" and event.get("status") == PASS:
                end = index
                break
        start = max(indices[0] - 1, 0)
        found.seconds[task] = float(sum(min(times[i + 1] - times[i], PAUSE_S) for i in range(start, end)))
    return found


def from_notebooks(paths: Iterable[Path | str]) -> pd.DataFrame:
    """The same table from saved notebooks' outputs (nothing is executed), for the modules
    those notebooks belong to only."""
    latest: dict[str, str] = {}
    hints: dict[str, int] = {}
    modules: set[str] = set()
    for path in map(Path, paths):
        try:
            nb = nbjson.read(path)
        except Exception:
            raise StewardError(f"{path} is not a readable notebook.", "Give saved .ipynb files.") from None
        modules |= _modules_of(path, nb)
        for record in outcomes.collect(nb):
            task, status = record.get("task"), record.get("status")
            if not isinstance(task, str):
                continue  # a saved output of another shape: nothing to count
            if record["mime"] == MIME_OUTCOME and isinstance(status, str) and latest.get(task) != PASS:
                latest[task] = status
            if record["mime"] in (MIME_OUTCOME, MIME_HINT):
                hints[task] = max(hints.get(task, 0), outcomes.count(record.get("hints_used")))
    modules |= {task.split(".")[0] for task in latest} | {task.split(".")[0] for task in hints}
    return _table(latest, hints, modules)


def _modules_of(path: Path, nb: nbjson.Node) -> set[str]:
    """The module a notebook belongs to: its metadata (exercises, assignments), else its name (``07-….ipynb``)."""
    meta = (nb.get("metadata") or {}).get("steward") or {}
    if isinstance(meta, dict) and meta.get("module"):
        return {str(meta["module"]).zfill(2)}
    match = re.match(r"(\d\d)-", path.name)
    return {match.group(1)} if match else set()


def is_empty(table: pd.DataFrame) -> bool:
    return bool((table[PASS] + table[NOT_YET]).sum() == 0 and table["hints"].sum() == 0)


def chart(table: pd.DataFrame):
    """A stacked bar per module: passed, not yet, not attempted."""
    from matplotlib.ticker import MaxNLocator

    fig, ax = plotting.new_figure(7.5, 3.5)
    left = pd.Series(0, index=table.index)
    colours = {PASS: plotting.GOOD, NOT_YET: plotting.BAD, NOT_ATTEMPTED: plotting.NEUTRAL}
    for status in (PASS, NOT_YET, NOT_ATTEMPTED):
        ax.barh(table.index, table[status], left=left, color=colours[status], label=status)
        left = left + table[status]
    done = int(table[PASS].sum())
    total = int(table[[PASS, NOT_YET, NOT_ATTEMPTED]].to_numpy().sum())
    plotting.finish(ax, f"{done} of {total} tasks passed", "tasks", "module")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # tasks are counted: 0, 5, 10, never 2.5
    ax.invert_yaxis()
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=3)  # above the bars, beside the title
    return fig
