"""``steward agenda NN``: a timed run-sheet for a workshop session, built from the lesson's
own sections, facilitator notes and discussion prompts."""

from __future__ import annotations

from steward import lessonmeta
from steward.errors import StewardError

WELCOME, WRAP = 5, 10  # minutes: opening and the discussion/close


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def agenda(number: str, length: int = 90) -> str:
    """Markdown: each block with its start time, the pauses for discussion, and what to
    do with the exercise if the session is too short for it."""
    if not 30 <= length <= 240:
        raise StewardError(f"A session of {length} min is outside 30–240 min.", "Pass --length between 30 and 240.")
    lesson = lessonmeta.read(number)
    rows: list[tuple[int, int, str, str]] = []
    t = 0
    rows.append((t, WELCOME, "Welcome and set-up check", "Everyone opens the lesson and runs its set-up cell; pair anyone whose cell fails with a neighbour (see the facilitator guide)."))
    t += WELCOME
    for section in lesson.sections:
        how = "Pairs: one drives the widget, one predicts before each change." if section.interactive else "Read together; the facilitator summarises at the whiteboard."
        notes = " ".join(section.facilitator_notes)
        rows.append((t, section.minutes, section.title, how + (f" Facilitator: {notes}" if notes else "")))
        t += section.minutes
    exercise_minutes = lesson.exercise_minutes or 0
    remaining = length - t - WRAP
    if exercise_minutes and remaining >= exercise_minutes:
        rows.append((t, exercise_minutes, f"Exercise in pairs (exercises/{lesson.name})", "Pairs work the checked tasks; the stretch task is for pairs who finish early."))
        t += exercise_minutes
        homework = None
    elif exercise_minutes and remaining >= 10:
        rows.append((t, remaining, f"Exercise in pairs, started (exercises/{lesson.name})", "Start in the room; finish as homework."))
        t += remaining
        homework = f"Finish exercises/{lesson.name} before the next session."
    else:
        homework = f"Work exercises/{lesson.name} ({exercise_minutes} min) before the next session." if exercise_minutes else None
    prompts = "; ".join(lesson.discussion[:3]) or "What surprised you?"
    rows.append((t, WRAP, "Discussion and close", f"Prompts: {prompts}"))
    t += WRAP

    lines = [f"# Agenda · {lesson.number} {lesson.title}", "",
             f"Session length: {length} min · planned: {t} min" + (" (over: trim a section or split the session)" if t > length else ""), ""]
    if lesson.objectives:
        lines += ["**Objectives**", "", *[f"- {o}" for o in lesson.objectives], ""]
    lines += ["| start | min | block | how |", "|---|---|---|---|"]
    lines += [f"| {_clock(start)} | {minutes} | {title} | {how} |" for start, minutes, title, how in rows]
    if homework:
        lines += ["", f"**Homework:** {homework}"]
    lines += ["", f"Prerequisites to send out beforehand: {lesson.prerequisites.rstrip('.') or 'none'}; "
              "and the set-up command `python3 run.py lab` (see docs/facilitator-guide.md)."]
    return "\n".join(lines) + "\n"
