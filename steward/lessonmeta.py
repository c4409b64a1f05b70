"""What a lesson notebook says about itself: title, time, objectives, timed sections,
facilitator notes, key points and discussion prompts. Read from the notebook's own
markdown (the anatomy `tests/test_notebooks.py` enforces), so the agenda, the mentor's
cover cell and the report can never drift from the lesson."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from steward import nbjson, paths
from steward.errors import StewardError

_SECTION = re.compile(r"^## (?P<title>.+?)\s*\((?P<minutes>\d+) min\)\s*$")
_TIME = re.compile(r"\*\*Time:\*\*\s*(\d+)\s*min")
_FACILITATOR = re.compile(r"^>\s*\*\*Facilitator:\*\*\s*(.+)$")


@dataclass
class Section:
    title: str
    minutes: int
    facilitator_notes: list[str] = field(default_factory=list)
    interactive: bool = False  # has a code cell that builds a widget or runs a simulation


@dataclass
class Lesson:
    number: str
    slug: str
    title: str
    minutes: int
    prerequisites: str
    objectives: list[str]
    sections: list[Section]
    key_points: list[str]
    discussion: list[str]
    exercise_minutes: int | None

    @property
    def name(self) -> str:
        return f"{self.number}-{self.slug}.ipynb"


def _bullets(text: str, numbered: bool = False) -> list[str]:
    """List items of a markdown block, joining wrapped lines."""
    items: list[str] = []
    pattern = re.compile(r"^\s*(?:\d+\.|-)\s+(.*)$")
    for line in text.splitlines():
        match = pattern.match(line)
        if match:
            items.append(match.group(1).strip())
        elif items and line.startswith("   ") and line.strip():
            items[-1] += " " + line.strip()
    return items


def _block_after(text: str, heading: str) -> str:
    """The text under a '## heading' up to the next '## '."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(?P<body>.*?)(?=^## |\Z)", text, re.S | re.M)
    return match.group("body") if match else ""


#: The curriculum's index: module number → slug. A module's three notebooks are exactly
#: ``<folder>/NN-slug.ipynb``; nothing else in a folder (a JupyterLab "-Copy1", a build backup, a
#: learner's "02-trade-offs-mine.ipynb") is ever taken for one. A test holds it to the folders.
INDEX: dict[str, str] = {
    "00": "start-here",
    "01": "how-will-it-break",
    "02": "trade-offs",
    "03": "design-for-failure",
    "04": "quantify-everything",
    "05": "lead-the-incident",
    "06": "mentor-with-frameworks",
    "07": "influence-with-data",
    "08": "own-the-unowned",
    "09": "engineer-your-visibility",
    "10": "choose-your-projects",
    "11": "the-seniority-paradox",
}


def module_number(selector: object) -> str:
    """The two-digit module a selector names: ``2``, ``02``, ``trade-offs``, ``02-trade-offs`` or
    ``02-trade-offs.ipynb``. Anything else is a plain error that lists the modules (never a prefix
    match: ``1`` is module 01, not 10 and 11)."""
    text = str(selector).strip() if selector is not None else ""
    if text.endswith(".ipynb"):
        text = text[: -len(".ipynb")]
    text = text.rsplit("/", 1)[-1]
    if re.fullmatch(r"\d{1,2}", text) and text.zfill(2) in INDEX:
        return text.zfill(2)
    for number, slug in INDEX.items():
        if text in (slug, f"{number}-{slug}"):
            return number
    known = ", ".join(f"{n} ({s})" for n, s in INDEX.items())
    raise StewardError(f"{text or 'An empty name'!r} is not a module." if text else "No module was given.",
                       f"Give a two-digit number or a name: {known}.")


def find(number: str, folder: str = "notebooks") -> Path:
    """The module's notebook in ``folder``: exactly ``NN-slug.ipynb`` from :data:`INDEX`."""
    number = module_number(number)
    path = paths.notebooks_dir(folder) / f"{number}-{INDEX[number]}.ipynb"
    if not path.is_file():
        raise StewardError(f"{folder}/{path.name} is missing.",
                           "Restore it from git (git checkout -- " f"{folder}/{path.name}), or run steward build for exercises.")
    return path


def read(number: str) -> Lesson:
    path = find(number)
    nb = nbjson.read(path)
    cells = nb.cells
    first = cells[0].source if cells else ""
    title_line = first.splitlines()[0] if first else path.stem
    title = title_line.lstrip("# ").split("·", 1)[-1].strip()
    time_match = _TIME.search(first)
    prereq = re.search(r"\*\*Prerequisites:\*\*\s*(.+)", first)
    objectives_text = first.split("Objectives", 1)[1] if "Objectives" in first else ""

    sections: list[Section] = []
    for cell in cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                match = _SECTION.match(line)
                if match:
                    sections.append(Section(match["title"].strip(), int(match["minutes"])))
                note = _FACILITATOR.match(line)
                if note and sections:
                    sections[-1].facilitator_notes.append(note.group(1).strip())
        elif cell.cell_type == "code" and sections and re.search(r"\b[A-Z]\w*\(|simulate|\.set\(", cell.source):
            sections[-1].interactive = True
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    exercise_minutes = None
    exercise = paths.notebooks_dir("exercises") / path.name
    if exercise.exists():
        ex = nbjson.read(exercise)
        if ex.cells and (m := _TIME.search(ex.cells[0].source)):
            exercise_minutes = int(m.group(1))
    return Lesson(
        number=path.name[:2],
        slug=path.stem[3:],
        title=title,
        minutes=int(time_match.group(1)) if time_match else sum(s.minutes for s in sections),
        prerequisites=prereq.group(1).strip() if prereq else "",
        objectives=_bullets(objectives_text),
        sections=sections,
        key_points=_bullets(_block_after(markdown, "Key points")),
        discussion=_bullets(_block_after(markdown, "Discussion")),
        exercise_minutes=exercise_minutes,
    )
