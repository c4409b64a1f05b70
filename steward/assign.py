"""``steward assign NN -o DIR``: a copy of a module's exercise for a mentee, with a cover
cell (the mentor's note, objectives, time box, due date, questions to bring to the 1:1).
It never overwrites a file: if the name is taken it picks the next free one and says so."""

from __future__ import annotations

import re
from pathlib import Path

from steward import lessonmeta, nbjson


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text.strip()).strip("-").lower()


def free_name(folder: Path, stem: str, suffix: str = ".ipynb") -> Path:
    candidate = folder / f"{stem}{suffix}"
    counter = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{counter}{suffix}"
        counter += 1
    return candidate


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


def assign(number: str, out_dir: Path | str, mentee: str | None = None, due: str | None = None,
           note: str | None = None) -> tuple[Path, bool]:
    """Write the assignment; returns (path, renamed) where renamed says the plain name was taken."""
    lesson = lessonmeta.read(number)
    source = lessonmeta.find(number, "exercises")
    nb = nbjson.read(source)
    cell = nbjson.markdown_cell(cover(lesson, mentee, due, note), "assignment-cover", ["assignment-cover"])
    nb.cells.insert(0, cell)
    meta = dict(nb.metadata.get("steward", {}))
    meta.update({"kind": "assignment", "module": lesson.number, "mentee": mentee, "due": due})
    nb.metadata["steward"] = meta
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{_safe(mentee)}-{source.stem}" if mentee else source.stem
    target = free_name(folder, stem)
    nbjson.write(nb, target)
    return target, target.name != f"{stem}.ipynb"
