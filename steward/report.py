"""``steward report NOTEBOOK``: what a mentee did, for the mentor's 1:1.

It executes a *copy* of the notebook (the file is never written), with a per-cell
timeout, and reads two things:

- the **fresh run**: does the work run top to bottom, and what does each check say now;
- the **saved outputs**: the mentee's own session, which carries how many hints they used
  and how long they spent on each task (the fresh run starts with no hints).

Tasks are matched by their id, never by cell position, so deleted, duplicated or
reordered cells and a renamed notebook still give a report.
"""

from __future__ import annotations

import html
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from steward import lessonmeta, outcomes
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


def _execute(path: Path, nb: nbformat.NotebookNode, timeout: int) -> tuple[nbformat.NotebookNode, float]:
    from nbclient import NotebookClient

    work = nbformat.reads(nbformat.writes(nb), as_version=4)
    for cell in work.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    env = {**os.environ, "STEWARD_PROGRESS": "off"}  # the mentor's own progress is not the mentee's
    client = NotebookClient(
        work, timeout=timeout, allow_errors=True, interrupt_on_timeout=True, kernel_name="python3",
        resources={"metadata": {"path": str(path.resolve().parent)}},
    )
    started = time.perf_counter()
    client.execute(env=env)
    return work, time.perf_counter() - started


def make(path: Path | str, timeout: int = 60) -> Report:
    path = Path(path)
    original = _read(path)
    saved = outcomes.collect(original)
    module = _module_of(original, path, saved)
    executed, seconds = _execute(path, original, timeout)
    fresh = outcomes.collect(executed)

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
            tasks[task_id] = TaskReport(task_id, record.get("title") or task_id, stretch=bool(record.get("stretch")))
        return tasks[task_id]

    for record in (r for r in saved if r.get("mime") == MIME_HINT):
        if record["task"] in tasks:
            tasks[record["task"]].hints_used = max(tasks[record["task"]].hints_used, int(record.get("hints_used") or 0))
    for record in (r for r in saved if r.get("mime") == MIME_OUTCOME):
        item = entry(record)
        item.hints_used = max(item.hints_used, int(record.get("hints_used") or 0))
        if record.get("seconds_on_task") is not None:
            item.seconds = max(item.seconds or 0.0, float(record["seconds_on_task"]))
        if record.get("misconception") and record["misconception"] not in item.misconceptions:
            item.misconceptions.append(record["misconception"])
    for record in (r for r in fresh if r.get("mime") == MIME_OUTCOME):
        item = entry(record)
        item.checked = True
        if item.status != PASS:  # a duplicated cell that passes counts
            item.status = record["status"]
            item.message = record.get("message") or ""
        if record.get("answer"):
            item.answer = record["answer"]
        if record.get("misconception") and record["misconception"] not in item.misconceptions:
            item.misconceptions.append(record["misconception"])

    problems: list[str] = []
    task_cells = _task_cells(executed)
    by_slug = {t.id.split(".", 1)[-1].replace("-", "_"): t for t in tasks.values()}
    for error in outcomes.errors(executed):
        cell = error["cell"] + 1
        slug = _task_for_cell(error["cell"], task_cells)
        owner = by_slug.get(slug or "")
        if error["ename"] == "KeyboardInterrupt":
            text = f"cell {cell} did not finish within {timeout} s and was stopped"
        else:
            text = f"cell {cell} raised {error['ename']}: {error['evalue']}"[:300]
        if owner is not None:
            owner.problem = text
            problems.append(f"{owner.title} ({owner.id}): {text}")
        else:
            problems.append(text)
    for item in tasks.values():
        if not item.checked and lesson_module is not None:
            item.message = "its check never ran (the cell is missing, or an earlier error stopped it)"

    assessments = [r for r in fresh if r.get("mime") == MIME_ASSESSMENT and r.get("status") == "self-assessed"]
    if not assessments:
        assessments = [r for r in saved if r.get("mime") == MIME_ASSESSMENT and r.get("status") == "self-assessed"]

    notes = {r["note"]: r for r in saved if r.get("mime") == MIME_NOTE}
    notes.update({r["note"]: r for r in fresh if r.get("mime") == MIME_NOTE})

    ordered = list(tasks.values())
    return Report(
        notebook=path.name,
        module=module,
        lesson_title=lesson_title,
        seconds=seconds,
        tasks=ordered,
        assessments=assessments,
        notes=list(notes.values()),
        problems=problems,
        questions=_questions(ordered, lesson_module, module),
        generated=time.strftime("%Y-%m-%d %H:%M"),
    )


def _questions(tasks: list[TaskReport], lesson_module: Any, module: str | None, limit: int = 5) -> list[str]:
    """Questions for the 1:1, from what the mentee struggled with (Socratic, not fixes)."""
    questions: list[str] = []
    known = {t.id: t for t in lesson_module.TASKS} if lesson_module is not None else {}
    struggled = sorted(
        (t for t in tasks if t.status != PASS or t.hints_used or t.misconceptions or t.problem),
        key=lambda t: (t.status == PASS, -t.hints_used),
    )
    for item in struggled:
        task = known.get(item.id)
        if task is None:
            continue
        hint = next((m.hint for m in task.misconceptions if m.name in item.misconceptions), None)
        question = f"{item.title}: {task.hints[0]}"
        if hint:
            question += f" (They hit '{item.misconceptions[0]}'. Ask them to explain, in their own words, why it is wrong.)"
        questions.append(question)
    if module:
        try:
            questions += [f"From the lesson: {q}" for q in lessonmeta.read(module).discussion[:2]]
        except StewardError:
            pass
    return questions[:limit + 2]


def _duration(seconds: float | None) -> str:
    if not seconds:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def to_markdown(report: Report) -> str:
    counts = report.counts()
    hints = sum(t.hints_used for t in report.tasks)
    heading = f"module {report.module}" + (f" · {report.lesson_title}" if report.lesson_title else "") if report.module else "an unknown module"
    lines = [
        f"# Report: {report.notebook} ({heading})",
        "",
        f"Generated {report.generated}. A copy of the notebook was executed in {report.seconds:.1f} s; "
        "the mentee's file was not modified.",
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
        notes = "; ".join(filter(None, [
            "stretch" if task.stretch else "",
            f"hit: {', '.join(task.misconceptions)}" if task.misconceptions else "",
            task.problem or (task.message if task.status != PASS else ""),
        ])).replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {task.title} | {task.status} | {task.hints_used} | {_duration(task.seconds)} | {notes} |")
    written = [t for t in report.tasks if t.answer and not re.fullmatch(r"[-+0-9.e]+", t.answer)]
    if written or report.notes:
        lines += ["", "## Written answers", ""]
        for title, text in [(t.title, t.answer) for t in written] + [(n["title"], n["text"]) for n in report.notes]:
            lines += [f"### {title}", ""] + [f"> {line}" if line else ">" for line in text.splitlines()] + [""]
    if report.assessments:
        lines += ["", "## Self-assessments", "", "| rubric | criterion | their rating |", "|---|---|---|"]
        for assessment in report.assessments:
            for criterion, level in assessment.get("scores", {}).items():
                lines.append(f"| {assessment.get('title', '')} | {criterion} | {level} |")
    if report.problems:
        lines += ["", "## Problems while running", ""] + [f"- {p}" for p in report.problems]
    if report.questions:
        lines += ["", "## Questions for your 1:1", ""] + [f"{i}. {q}" for i, q in enumerate(report.questions, 1)]
    return "\n".join(lines).rstrip() + "\n"


def to_html(report: Report) -> str:
    """A self-contained page (no scripts, no external assets) rendering the same content."""
    counts = report.counts()
    e = html.escape
    colour = {PASS: "#0072B2", NOT_YET: "#D55E00", NOT_ATTEMPTED: "#777777"}
    rows = "".join(
        f"<tr><td>{e(t.title)}{' <em>(stretch)</em>' if t.stretch else ''}</td>"
        f"<td style='color:{colour.get(t.status, '#000')}'><b>{e(t.status)}</b></td><td>{t.hints_used}</td>"
        f"<td>{e(_duration(t.seconds))}</td><td>{e('; '.join(filter(None, [', '.join(t.misconceptions), t.problem or (t.message if t.status != PASS else '')])))}</td></tr>"
        for t in report.tasks
    )
    written = "".join(
        f"<h3>{e(title)}</h3><blockquote>{e(text).replace(chr(10), '<br>')}</blockquote>"
        for title, text in [(t.title, t.answer) for t in report.tasks if t.answer and not re.fullmatch(r"[-+0-9.e]+", t.answer)]
        + [(n["title"], n["text"]) for n in report.notes]
    )
    assessed = "".join(
        f"<tr><td>{e(a.get('title', ''))}</td><td>{e(c)}</td><td>{e(level)}</td></tr>"
        for a in report.assessments for c, level in a.get("scores", {}).items()
    )
    problems = "".join(f"<li>{e(p)}</li>" for p in report.problems)
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
{sum(t.hints_used for t in report.tasks)} hints used.</p>
<h2>Tasks</h2><table><tr><th>task</th><th>status</th><th>hints</th><th>time on task</th><th>notes</th></tr>{rows}</table>
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
