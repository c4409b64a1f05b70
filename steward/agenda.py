"""``steward agenda NN``: a timed run-sheet for a workshop session, built from the lesson's
own sections, facilitator notes and discussion prompts.

When the lesson does not fit the session, the run-sheet says which sections move to
homework: never the opening situation or a section an objective names (the *core*), first
the sections marked optional, then those least tied to an objective, later ones first."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field

from steward import lessonmeta, nbjson
from steward.errors import StewardError

WELCOME, WRAP = 5, 10  # minutes: opening and the discussion/close
#: The discussion gives up minutes, down to this, before a core section leaves the room.
WRAP_MIN = 5
#: Fewest minutes worth starting the exercise in the room (pairs, stretch for the fast ones).
EXERCISE_MIN = 10

_SECTION = re.compile(r"^## (?P<title>.+?)\s*\((?P<minutes>\d+) min\)\s*$")
_NOTE_START = re.compile(r"^>\s*\*\*Facilitator:\*\*\s*(?P<text>.*)$")
_LESSON_IMPORT = re.compile(r"from steward\.lessons import (\w+) as lesson\b")
_OPTIONAL = re.compile(r"\b(optional|stretch|appendix|going further)\b", re.I)
_STOP = set("a an and the of to in on for with from by as at is are be not or its it this that into how what why "
            "when which your you one two say find use read explain compute".split())


@dataclass
class Block:
    """One timed section of the lesson as the agenda sees it."""

    title: str
    minutes: int
    notes: list[str] = field(default_factory=list)
    widget: bool = False
    core: bool = False
    relevance: int = 0


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _words(text: str) -> set[str]:
    """Content words, cut to a crude stem (``percentiles`` and ``percentile`` meet)."""
    return {w[:6] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 2}


def app_names(number: str, notebook_code: str = "") -> set[str]:
    """Class names of the lesson's widgets: the values of its module's ``APPS``."""
    module = None
    if match := _LESSON_IMPORT.search(notebook_code):
        try:
            module = importlib.import_module(f"steward.lessons.{match.group(1)}")
        except ImportError:
            module = None
    if module is None or getattr(module, "MODULE", None) != number:
        from steward.lessons import all_lessons

        module = all_lessons().get(number)
    apps = getattr(module, "APPS", None) or {}
    return {getattr(app, "__name__", "") for app in apps.values()} - {""}


def blocks(number: str) -> list[Block]:
    """The lesson's timed sections, each with its whole facilitator notes (a note may wrap
    over several ``>`` lines) and whether its code builds or drives one of the lesson's apps."""
    nb = nbjson.read(lessonmeta.find(number))
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    names = app_names(number, code)
    build = re.compile(rf"(?:\b(\w+)\s*=\s*)?\b(?:\w+\.)?(?:{'|'.join(map(re.escape, sorted(names)))})\s*\(") if names else None
    handles: set[str] = set()
    found: list[Block] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            note: list[str] | None = None
            for line in cell.source.splitlines():
                if match := _SECTION.match(line):
                    found.append(Block(match["title"].strip(), int(match["minutes"])))
                    note = None
                elif (start := _NOTE_START.match(line)) and found:
                    note = [start["text"].strip()]
                    found[-1].notes.append("")
                elif note is not None and line.startswith(">") and line.lstrip("> ").strip():
                    note.append(line.lstrip(">").strip())
                else:
                    note = None
                if note is not None and found:
                    found[-1].notes[-1] = " ".join(note)
        elif cell.cell_type == "code" and found and build is not None:
            uses = False
            for match in build.finditer(cell.source):
                uses = True
                if match.group(1):
                    handles.add(match.group(1))
            if handles and re.search(rf"\b(?:{'|'.join(map(re.escape, sorted(handles)))})\.set\(", cell.source):
                uses = True
            found[-1].widget = found[-1].widget or uses
    return found


def _mark_core(sections: list[Block], objectives: list[str]) -> None:
    """The opening section and, for each objective, the section whose title shares most words with it."""
    for section in sections:
        section.relevance = sum(len(_words(section.title) & _words(o)) for o in objectives)
    if sections:
        sections[0].core = True
    for objective in objectives:
        scored = [(len(_words(s.title) & _words(objective)), -i) for i, s in enumerate(sections)]
        best, at = max(scored)
        if best and not _OPTIONAL.search(sections[-at].title):
            sections[-at].core = True


def plan(sections: list[Block], objectives: list[str], minutes: int) -> tuple[list[Block], list[Block]]:
    """(kept, moved to homework): move sections until the kept ones fit in ``minutes``.

    Order of moving: optional sections, then non-core ones least tied to an objective (later
    first). Core sections stay: if they alone do not fit, the caller shortens the discussion
    or says to split the lesson."""
    _mark_core(sections, objectives)
    order = sorted(
        (i for i, s in enumerate(sections) if not s.core),
        key=lambda i: (not _OPTIONAL.search(sections[i].title), sections[i].relevance, -i),
    )
    moved: set[int] = set()
    total = sum(s.minutes for s in sections)
    for index in order:
        if total <= minutes:
            break
        moved.add(index)
        total -= sections[index].minutes
    kept = [s for i, s in enumerate(sections) if i not in moved]
    return kept, [s for i, s in enumerate(sections) if i in moved]


def split(sections: list[Block], minutes: int) -> list[list[Block]]:
    """The lesson's sections, in order, cut into sessions of at most ``minutes`` each."""
    parts: list[list[Block]] = [[]]
    for section in sections:
        if parts[-1] and sum(s.minutes for s in parts[-1]) + section.minutes > minutes:
            parts.append([])
        parts[-1].append(section)
    return parts


def _stretch_titles(number: str) -> list[str]:
    try:
        from steward.lessons import all_lessons

        tasks = getattr(all_lessons().get(number), "TASKS", None) or []
    except Exception:  # noqa: BLE001 - the run-sheet works without naming them
        return []
    return [t.title for t in tasks if getattr(t, "stretch", False)]


def agenda(number: str, length: int = 90, exercise: int = 0) -> str:
    """Markdown: each block with its start time, the pauses for discussion, and what to
    do with the exercise and the sections that do not fit if the session is too short.

    ``exercise``: minutes to keep for pairs to start the exercise in the room (checked tasks,
    then a stretch task for pairs who finish); non-core sections move to homework to make room."""
    if not 30 <= length <= 240:
        raise StewardError(f"A session of {length} min is outside 30–240 min.", "Pass --length between 30 and 240.")
    lesson = lessonmeta.read(number)
    sections = blocks(number)
    if exercise < 0 or exercise > length - WELCOME - WRAP:
        raise StewardError(f"{exercise} min for the exercise does not fit a {length} min session.",
                           f"Pass --exercise between {EXERCISE_MIN} and {length - WELCOME - WRAP}.")
    kept, moved = plan(sections, lesson.objectives, length - WELCOME - WRAP - exercise)
    parts: list[list[Block]] = []
    if sum(s.minutes for s in kept) + WELCOME + WRAP_MIN > length:
        # Even the core does not fit: run the lesson over several sessions, in its own order.
        parts = split(sections, length - WELCOME - WRAP)
        kept, moved = parts[0], []
    wrap = max(WRAP_MIN, min(WRAP, length - WELCOME - sum(s.minutes for s in kept)))
    rows: list[tuple[int, int, str, str]] = []
    t = 0
    rows.append((t, WELCOME, "Welcome and set-up check", "Everyone opens the lesson and runs its set-up cell; pair anyone whose cell fails with a neighbour (see the facilitator guide)."))
    t += WELCOME
    for section in kept:
        how = "Pairs: one drives the widget, one predicts before each change." if section.widget else "Read together; the facilitator summarises at the whiteboard."
        notes = " ".join(section.notes)
        rows.append((t, section.minutes, section.title, how + (f" Facilitator: {notes}" if notes else "")))
        t += section.minutes
    exercise_minutes = lesson.exercise_minutes or 0
    remaining = length - t - wrap
    stretch = _stretch_titles(lesson.number) if exercise_minutes else []
    stretch_text = f" ({'; '.join(stretch)})" if stretch else ""
    pairs_stretch = f"; pairs who meet for it can share a stretch task{stretch_text}" if stretch else ""
    homework: list[str] = []
    in_room = False
    later = [f"Session {n} of {len(parts)}: " + "; ".join(f"{s.title} ({s.minutes} min)" for s in part)
             + f" — {sum(s.minutes for s in part)} min." for n, part in enumerate(parts[1:], start=2)]
    if moved:
        homework.append("Read the sections moved out of the session: "
                        + "; ".join(f"{s.title} ({s.minutes} min)" for s in moved)
                        + f" — {sum(s.minutes for s in moved)} min in all.")
    if exercise_minutes and later:
        homework.append(f"Work exercises/{lesson.name} ({exercise_minutes} min) after session {len(parts)}{pairs_stretch}.")
    elif exercise_minutes and remaining >= exercise_minutes:
        rows.append((t, exercise_minutes, f"Exercise in pairs (exercises/{lesson.name})",
                     f"Pairs work the checked tasks; pairs who finish early do a stretch task in the room{stretch_text}." if stretch else "Pairs work the checked tasks."))
        t += exercise_minutes
        in_room = True
    elif exercise_minutes and remaining >= EXERCISE_MIN and (exercise or not moved):
        rows.append((t, remaining, f"Exercise in pairs, started (exercises/{lesson.name})",
                     f"Start in the room in pairs; pairs who finish the checked tasks try a stretch task{stretch_text}. Finish as homework."))
        t += remaining
        in_room = True
        homework.append(f"Finish exercises/{lesson.name} before the next session.")
    elif exercise_minutes:
        homework.append(f"Work exercises/{lesson.name} ({exercise_minutes} min) before the next session{pairs_stretch}. "
                        f"(To start it in pairs in the room, run `steward agenda {lesson.number} --length {length} "
                        f"--exercise {EXERCISE_MIN}`.)")
    prompts = "; ".join(lesson.discussion[:3]) or "What surprised you?"
    rows.append((t, wrap, "Discussion and close", f"Prompts: {prompts}"))
    t += wrap

    status = f"Session length: {length} min · planned: {t} min"
    if moved:
        status += f" · {len(moved)} of {len(sections)} sections move to homework to fit"
    if wrap < WRAP:
        status += f" · the discussion is cut to {wrap} min to keep the core sections"
    if exercise and not in_room:
        status += f" · the core sections leave no {EXERCISE_MIN} min to start the exercise in the room"
    if len(parts) > 1:
        status += (f" · the core sections alone do not fit {length} min, so the lesson runs over {len(parts)} "
                   f"sessions; this is session 1")
    if t > length:
        status += " (over: a single section is longer than the session)"
    lines = [f"# Agenda · {lesson.number} {lesson.title}", "", status, ""]
    if lesson.objectives:
        lines += ["**Objectives**", "", *[f"- {o}" for o in lesson.objectives], ""]
    lines += ["| start | min | block | how |", "|---|---|---|---|"]
    lines += [f"| {_clock(start)} | {minutes} | {title} | {how} |" for start, minutes, title, how in rows]
    if later:
        lines += ["", "**The next sessions:** " + " ".join(later)]
    if homework:
        lines += ["", "**Homework:** " + " ".join(homework)]
    lines += ["", f"Prerequisites to send out beforehand: {lesson.prerequisites.rstrip('.') or 'none'}; "
              "and the set-up command `python3 run.py lab` (see docs/facilitator-guide.md)."]
    return "\n".join(lines) + "\n"
