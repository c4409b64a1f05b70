"""Your progress across modules, from the local record or from saved notebooks: a table for
the terminal (`steward progress`) and a small chart for a notebook."""

from __future__ import annotations

import re
from collections.abc import Iterable
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


def hints_seen(record: dict) -> dict[str, int]:
    """Per task, how many of its hints the learner has seen: the distinct tiers asked for. A hint cell
    run again (after a restart, by Run All) shows a tier already seen and does not count twice."""
    tiers: dict[str, set] = {}
    untiered: dict[str, int] = {}
    for event in progress.events(record):
        task = event.get("task")
        if event.get("kind") != "hint" or not isinstance(task, str):
            continue
        if isinstance(event.get("tier"), int):
            tiers.setdefault(task, set()).add(event["tier"])
        else:  # an older record without tiers: every hint counts
            untiered[task] = untiered.get(task, 0) + 1
    return {task: max(len(tiers.get(task, ())), untiered.get(task, 0)) for task in {*tiers, *untiered}}


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
