"""``steward cohort PATHS…``: where a room (or a mentor's several mentees) is stuck.

Each notebook (one per learner; a folder stands for the notebooks in it) goes through
``steward.report.make``, so every safety rule of ``steward report`` holds: a copy is
executed, never the learner's file, each cell under a hard timeout, the code treated as
untrusted. At most ``workers`` run at once. The page counts, per task, pass / not yet /
not attempted, the misconceptions hit and how often, and the hints used; it names the
three tasks the room found hardest with their Socratic first hint as a discussion prompt,
and draws the counts. Learners are named as their files are; ``anonymous`` shows counts
only.

Hints come from where ``steward report`` takes them: a learner's progress record beside their
notebook (or this machine's record when it holds the notebook's checks), across kernel restarts,
else the notebook's saved outputs, the learner's last kernel session only. The page says which,
once when every learner's come from the same kind of place, else per learner.
"""

from __future__ import annotations

import base64
import html
import io
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from steward import feedback, report
from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS
from steward.errors import StewardError

STATUSES = (PASS, NOT_YET, NOT_ATTEMPTED)
COLOURS = {PASS: "#0072B2", NOT_YET: "#D55E00", NOT_ATTEMPTED: "#999999"}  # colour-blind safe


@dataclass
class TaskRow:
    id: str
    title: str
    counts: Counter = field(default_factory=Counter)
    misconceptions: Counter = field(default_factory=Counter)
    hints: int = 0
    hinted_learners: int = 0
    by_learner: dict[str, str] = field(default_factory=dict)

    def difficulty(self) -> tuple[int, int, int, int]:
        """Higher is harder: learners not yet passing, hints asked, misconceptions hit,
        then learners who did not attempt it."""
        return (self.counts[NOT_YET], self.hints, sum(self.misconceptions.values()), self.counts[NOT_ATTEMPTED])

    def first_hint(self) -> str:
        from steward.lessons import all_lessons

        lesson = all_lessons().get(self.id.split(".", 1)[0])
        try:
            return lesson.TASKS[self.id].hints[0] if lesson is not None else ""
        except (KeyError, IndexError, AttributeError):
            return ""


@dataclass
class Cohort:
    learners: list[str]
    tasks: list[TaskRow]
    failed: dict[str, str]
    seconds: float
    generated: str
    #: learner → where their hints come from (:func:`source`)
    sources: dict[str, str] = field(default_factory=dict)

    def hardest(self, limit: int = 3) -> list[TaskRow]:
        struggled = [t for t in self.tasks if t.counts[NOT_YET] or t.hints or t.misconceptions]
        return sorted(struggled, key=TaskRow.difficulty, reverse=True)[:limit]


#: Where a learner's hints come from, as the page says it.
FROM_RECORD = "their progress record, across kernel restarts"
FROM_NOTEBOOK = "the notebook's saved outputs: their last kernel session only"


def source(result: report.Report, notebook: Path) -> str:
    """Where one learner's hints come from: the record beside the notebook, this machine's record,
    or the notebook's last session only; and the assignment's time the record was read from."""
    if result.record is None:
        return FROM_NOTEBOOK
    beside = Path(result.record).parent == notebook.resolve().parent
    where = "beside the notebook" if beside else "on this machine"
    since = f", from the assignment's time ({result.since}) on" if result.since else ""
    return f"{FROM_RECORD} ({where}{since})"


def sources_lines(cohort: Cohort, anonymous: bool = False) -> list[str]:
    """What the page says about where hints come from: one line when every learner's come from the
    same kind of place, else a count, then (unless anonymous) one line per learner."""
    if not cohort.learners:
        return []
    kinds = Counter(FROM_RECORD if s.startswith(FROM_RECORD) else FROM_NOTEBOOK for s in cohort.sources.values())
    lead = "Hints (and, in each learner's steward report, time on task) come from "
    if len(kinds) == 1 and FROM_NOTEBOOK in kinds:
        return [lead + "each notebook's saved outputs, the learner's last kernel session only: hints asked before "
                "a restart are not counted. Put each learner's progress record (progress.json and "
                "progress.json.events.jsonl) beside their notebook, in a folder of its own, to count them."]
    n = kinds[FROM_RECORD]
    head = (lead + "each learner's progress record, across kernel restarts." if n == len(cohort.learners) else
            lead + f"a progress record for {n} of {len(cohort.learners)} learners, across kernel restarts; for "
            "the others, from the notebook's saved outputs: their last kernel session only (hints asked before "
            "a restart are not counted).")
    head += " A record is the learner's own file, not sealed like the statuses."
    if anonymous:
        return [head]
    return [head] + [f"{name}: {cohort.sources.get(name, FROM_NOTEBOOK)}" for name in cohort.learners]


def notebooks(paths: list[str | Path]) -> list[Path]:
    """The notebooks named, folders expanded to the ``*.ipynb`` directly in them."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))
        elif path.exists():
            found.append(path)
        else:
            raise StewardError(f"{path} does not exist.", "Give notebooks or folders of them, one per learner.")
    if not found:
        raise StewardError("No notebooks found in " + ", ".join(map(str, paths)) + ".",
                           "Give notebooks or folders of them, one per learner.")
    return found


def _names(paths: list[Path]) -> list[str]:
    """Each learner as their file is named; the folder too where two files share a name."""
    stems = Counter(p.stem for p in paths)
    return [f"{p.parent.name}/{p.stem}" if stems[p.stem] > 1 else p.stem for p in paths]


def build(paths: list[str | Path], timeout: int = 60, workers: int | None = None) -> Cohort:
    files = notebooks(paths)
    names = _names(files)
    workers = max(1, min(workers or min(4, os.cpu_count() or 1), len(files)))
    started = time.perf_counter()

    def one(path: Path) -> report.Report | str:
        try:
            return report.make(path, timeout=timeout)
        except StewardError as error:
            return error.message
        except Exception as error:  # one learner's broken file must not stop the room's page
            return f"{type(error).__name__}: {error}"

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, files))
    rows: dict[str, TaskRow] = {}
    failed: dict[str, str] = {}
    learners: list[str] = []
    sources: dict[str, str] = {}
    for name, path, result in zip(names, files, results, strict=True):
        if isinstance(result, str):
            failed[name] = result
            continue
        learners.append(name)
        sources[name] = source(result, path)
        for task in result.tasks:
            row = rows.setdefault(task.id, TaskRow(task.id, task.title))
            row.counts[task.status] += 1
            row.misconceptions.update(task.misconceptions)
            row.hints += task.hints_used
            row.hinted_learners += bool(task.hints_used)
            row.by_learner[name] = task.status
    return Cohort(learners, list(rows.values()), failed, time.perf_counter() - started, time.strftime("%Y-%m-%d %H:%M"),
                  sources)


# -- the page -----------------------------------------------------------------------------
def chart_png(cohort: Cohort) -> bytes:
    """A stacked bar per task: how many learners pass, are not yet there, did not attempt."""
    from matplotlib.figure import Figure

    tasks = cohort.tasks[::-1]
    fig = Figure(figsize=(8, 0.45 * len(tasks) + 1.2), dpi=100)
    ax = fig.add_subplot()
    left = [0] * len(tasks)
    labels = [t.title if len(t.title) <= 40 else t.title[:39] + "…" for t in tasks]
    for status in STATUSES:
        values = [t.counts[status] for t in tasks]
        ax.barh(labels, values, left=left, color=COLOURS[status], label=status)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel("learners")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    fig.subplots_adjust(left=0.4, right=0.97)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _misconceptions(row: TaskRow) -> str:
    return "; ".join(f"{name} ×{count}" for name, count in row.misconceptions.most_common())


def to_markdown(cohort: Cohort, anonymous: bool = False, chart: str | None = None) -> str:
    n = len(cohort.learners)
    lines = [
        f"# Cohort: {n} learner{'s' if n != 1 else ''}",
        "",
        f"Generated {cohort.generated}. Each notebook was run as a copy ({cohort.seconds:.0f} s in all); "
        "no learner's file was modified.",
        "",
    ]
    if not anonymous:
        lines += ["Learners: " + ", ".join(cohort.learners), ""]
    hardest = cohort.hardest()
    if hardest:
        lines += ["## The hardest tasks: discussion prompts", ""]
        for i, row in enumerate(hardest, 1):
            lines.append(f"{i}. **{row.title}** ({row.counts[NOT_YET]} not yet, {feedback.plural(row.hints, 'hint')}"
                         + (f", misconceptions: {_misconceptions(row)}" if row.misconceptions else "") + ")")
            if row.first_hint():
                lines.append(f"   Ask the room: *{row.first_hint()}*")
        lines.append("")
    lines += ["## Per task", "", "| task | pass | not yet | not attempted | hints (learners) | misconceptions hit |",
              "|---|---|---|---|---|---|"]
    for row in cohort.tasks:
        lines.append(f"| {row.title} | {row.counts[PASS]} | {row.counts[NOT_YET]} | {row.counts[NOT_ATTEMPTED]} | "
                     f"{row.hints} ({row.hinted_learners}) | {_misconceptions(row) or '—'} |")
    where = sources_lines(cohort, anonymous)
    if where:
        lines += ["", where[0]] + ([""] + [f"- {line}" for line in where[1:]] if where[1:] else [])
    if chart:
        lines += ["", f"![pass, not yet and not attempted per task]({chart})"]
    if not anonymous and cohort.learners:
        mark = {PASS: "✔", NOT_YET: "✘", NOT_ATTEMPTED: "…"}
        lines += ["", "## Per learner", "", "| learner | " + " | ".join(r.title for r in cohort.tasks) + " |",
                  "|---|" + "---|" * len(cohort.tasks)]
        for name in cohort.learners:
            lines.append(f"| {name} | " + " | ".join(mark.get(r.by_learner.get(name, ""), "") for r in cohort.tasks) + " |")
    if cohort.failed:
        lines += ["", "## Notebooks that could not be reported", ""]
        if anonymous:  # the reasons name the files
            lines.append(f"{len(cohort.failed)} notebook(s) could not be run.")
        else:
            lines += [f"- {name}: {why}" for name, why in cohort.failed.items()]
    return "\n".join(lines).rstrip() + "\n"


def to_html(cohort: Cohort, anonymous: bool = False, png: bytes | None = None) -> str:
    """A self-contained page (no scripts, no external assets): the same content, escaped."""
    e = html.escape
    n = len(cohort.learners)
    hardest = "".join(
        f"<li><b>{e(r.title)}</b> ({r.counts[NOT_YET]} not yet, {feedback.plural(r.hints, 'hint')}"
        + (f", misconceptions: {e(_misconceptions(r))}" if r.misconceptions else "") + ")"
        + (f"<br>Ask the room: <em>{e(r.first_hint())}</em>" if r.first_hint() else "") + "</li>"
        for r in cohort.hardest()
    )
    rows = "".join(
        f"<tr><td>{e(r.title)}</td>" + "".join(f"<td style='color:{COLOURS[s]}'>{r.counts[s]}</td>" for s in STATUSES)
        + f"<td>{r.hints} ({r.hinted_learners})</td><td>{e(_misconceptions(r)) or '—'}</td></tr>"
        for r in cohort.tasks
    )
    learners = ""
    if not anonymous and cohort.learners:
        mark = {PASS: "✔", NOT_YET: "✘", NOT_ATTEMPTED: "…"}
        head = "".join(f"<th>{e(r.title)}</th>" for r in cohort.tasks)
        body = "".join(
            f"<tr><td>{e(name)}</td>" + "".join(
                f"<td style='color:{COLOURS.get(r.by_learner.get(name, ''), '#000')}'>{mark.get(r.by_learner.get(name, ''), '')}</td>"
                for r in cohort.tasks) + "</tr>"
            for name in cohort.learners
        )
        learners = f"<h2>Per learner</h2><table><tr><th>learner</th>{head}</tr>{body}</table>"
    failed = (f"<li>{len(cohort.failed)} notebook(s) could not be run.</li>" if anonymous and cohort.failed else
              "".join(f"<li>{e(name)}: {e(why)}</li>" for name, why in cohort.failed.items()))
    where = sources_lines(cohort, anonymous)
    where_html = (f"<p>{e(where[0])}</p>" + ("<ul>" + "".join(f"<li>{e(line)}</li>" for line in where[1:]) + "</ul>"
                                           if where[1:] else "")) if where else ""
    image = (f"<img alt='pass, not yet and not attempted per task' src='data:image/png;base64,"
             f"{base64.b64encode(png).decode()}'>") if png else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cohort: {n} learners</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}}
img{{max-width:100%}}</style></head><body>
<h1>Cohort: {n} learner{'s' if n != 1 else ''}</h1>
<p>Generated {e(cohort.generated)}. Each notebook was run as a copy ({cohort.seconds:.0f} s in all); no learner's file was modified.</p>
{'' if anonymous else '<p>Learners: ' + e(', '.join(cohort.learners)) + '</p>'}
{('<h2>The hardest tasks: discussion prompts</h2><ol>' + hardest + '</ol>') if hardest else ''}
<h2>Per task</h2><table><tr><th>task</th><th>pass</th><th>not yet</th><th>not attempted</th><th>hints (learners)</th><th>misconceptions hit</th></tr>{rows}</table>
{where_html}
{image}
{learners}
{('<h2>Notebooks that could not be reported</h2><ul>' + failed + '</ul>') if failed else ''}
</body></html>
"""


def write(cohort: Cohort, out_dir: Path | str, anonymous: bool = False) -> tuple[Path, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    png = chart_png(cohort) if cohort.tasks else None
    if png:
        (out / "cohort.png").write_bytes(png)
    md, page = out / "cohort.md", out / "cohort.html"
    md.write_text(to_markdown(cohort, anonymous, "cohort.png" if png else None), encoding="utf-8")
    page.write_text(to_html(cohort, anonymous, png), encoding="utf-8")
    return md, page
