"""``steward assign NN -o DIR``: a copy of a module's exercise for a mentee, with a cover
cell (the mentor's note, objectives, time box, due date, questions to bring to the 1:1).

The copy is the *blank* exercise built afresh from ``solutions/`` (what ``steward build``
would write), never the file in ``exercises/``, which may hold the mentor's own work. It never
overwrites a file: if the name is taken it picks the next free one and says so.

The copy's ``metadata.steward`` says what it is (kind, module, mentee, due) and ``assigned``: when
it was made, in UTC (``2026-11-30T04:05:00+00:00``). ``steward report`` reads only the progress
record's events from that time on, so an earlier attempt at the same module (a workshop, weeks
before) does not add its hints and time to this assignment's.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from steward import build, lessonmeta, nbjson
from steward.errors import StewardError


def safe_name(text: str) -> str:
    """A file-name part from a person's name that keeps its letters: ``李明`` stays ``李明``,
    ``José María`` becomes ``josé-maría``; path separators, dots and shell-hostile characters go.
    Two different names give two different results unless they differ only in case or punctuation."""
    normal = unicodedata.normalize("NFKC", text).strip().casefold()
    kept = "".join(ch if (unicodedata.category(ch)[0] in "LN" or ch in "-_") else "-" for ch in normal)
    return re.sub(r"-{2,}", "-", kept).strip("-_")


def free_name(folder: Path, stem: str, suffix: str = ".ipynb") -> Path:
    candidate = folder / f"{stem}{suffix}"
    counter = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{counter}{suffix}"
        counter += 1
    return candidate


def due_date(text: str | None) -> str | None:
    """A due date as ``YYYY-MM-DD`` (a real calendar date), or ``None``."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise StewardError(f"--due {text!r} is not a date.", "Write it as YYYY-MM-DD, e.g. --due 2026-12-04.") from None


def cover(lesson: lessonmeta.Lesson, mentee: str | None, due: str | None, note: str | None) -> str:
    lines = [f"# Assignment · {lesson.number} {lesson.title}", ""]
    if mentee:
        lines.append(f"**For:** {mentee}  ")
    if due:
        lines.append(f"**Due:** {due}  ")
    time_box = lesson.exercise_minutes or 0
    lines.append(f"**Time box:** about {lesson.minutes} min for the lesson (`notebooks/{lesson.name}`)"
                 + (f" and {time_box} min for this exercise." if time_box else "."))
    if note:
        lines += ["", "**A note from your mentor:**", "", *[f"> {line}" for line in note.splitlines()]]
    lines += ["", "**What you will be able to do:**", "", *[f"- {o}" for o in lesson.objectives]]
    lines += [
        "",
        "**How this works:** run each cell; every check says *pass*, *not yet* or *not attempted*. "
        "Use the hint cells when you are stuck: your mentor sees how many hints you used, and that is "
        "useful, not a mark against you. Save the notebook when you are done.",
    ]
    if lesson.discussion:
        lines += ["", "**Bring to your 1:1:**", "", *[f"{i}. {q}" for i, q in enumerate(lesson.discussion, 1)]]
    return "\n".join(lines)


def stamp(now: dt.datetime | None = None) -> str:
    """When an assignment is made, as ``metadata.steward.assigned`` holds it: UTC, whole seconds."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def assign(number: str, out_dir: Path | str, mentee: str | None = None, due: str | None = None,
           note: str | None = None) -> tuple[Path, bool]:
    """Write the assignment; returns (path, renamed) where renamed says the plain name was taken."""
    number = lessonmeta.module_number(number)
    due = due_date(due)
    if mentee is not None and not safe_name(mentee):
        raise StewardError(f"--mentee {mentee!r} has no letters or digits to name a file with.",
                           "Give the mentee's name, e.g. --mentee Ana.")
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise StewardError(f"-o {folder} is a file, not a folder.", "Give a folder to write the assignment into.")
    lesson = lessonmeta.read(number)
    solution = lessonmeta.find(number, "solutions")
    nb = nbjson.from_dict(build.exercise_from(nbjson.read(solution), solution.name))
    for index, exercise_cell in enumerate(nb.cells):  # the ids the built exercise has (nbformat 4.5 wants one)
        exercise_cell.setdefault("id", f"cell-{index:03d}")
    cell = nbjson.markdown_cell(cover(lesson, mentee, due, note), "assignment-cover", ["assignment-cover"])
    nb.cells.insert(0, cell)
    meta = dict(nb.metadata.get("steward", {}))
    meta.update({"kind": "assignment", "module": lesson.number, "mentee": mentee, "due": due,
                 "assigned": stamp()})
    nb.metadata["steward"] = meta
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StewardError(f"Could not create the folder {folder}: {error.strerror or error}.",
                           "Give a folder you can write to.") from None
    stem = f"{safe_name(mentee)}-{solution.stem}" if mentee else solution.stem
    target = free_name(folder, stem)
    nbjson.write(nb, target)
    return target, target.name != f"{stem}.ipynb"
