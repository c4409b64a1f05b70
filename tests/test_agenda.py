"""The facilitator's run-sheet (issue 19): whole facilitator notes, "pairs drive the widget"
only where a lesson app is built or driven, and a real plan for a shorter session."""

from __future__ import annotations

import re

import pytest

from steward import agenda, cli, lessonmeta, nbjson

NUMBERS = [p.name[:2] for p in sorted(lessonmeta.find("00").parent.glob("[0-9][0-9]-*.ipynb"))]
WIDGET = "Pairs: one drives the widget"


def _rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines() if re.match(r"^\| \d+:\d\d ", line)]


def _section_code(number: str) -> dict[str, str]:
    """Each timed section's code, joined."""
    code: dict[str, str] = {}
    title = None
    for cell in nbjson.read(lessonmeta.find(number)).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if match := agenda._SECTION.match(line):
                    title = match["title"].strip()
                    code[title] = ""
        elif title:
            code[title] += cell.source + "\n"
    return code


@pytest.mark.parametrize("number", NUMBERS)
def test_facilitator_notes_are_whole(number):
    nb = nbjson.read(lessonmeta.find(number))
    text = " ".join(agenda.agenda(number, length=240).split())
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for note in re.findall(r"^> \*\*Facilitator:\*\*(.*(?:\n>.*)*)", cell.source, re.M):
            whole = " ".join(line.lstrip(">").strip() for line in note.splitlines())
            assert " ".join(whole.split()) in text, f"note cut: {whole[:80]}"


def test_a_wrapped_note_is_not_cut_mid_sentence():
    text = agenda.agenda("04", length=240)
    assert "write down the last performance claim they made or heard at work" in text
    assert "Most rooms have at least one." in text


@pytest.mark.parametrize("number", NUMBERS)
def test_widget_pairs_only_where_an_app_is_built_or_driven(number):
    names = agenda.app_names(number, "\n".join(c.source for c in nbjson.read(lessonmeta.find(number)).cells))
    assert names, f"module {number} has APPS"
    code = _section_code(number)
    for block in agenda.blocks(number):
        builds = any(re.search(rf"\b{name}\(", code[block.title]) for name in names)
        if builds:
            assert block.widget, f"{block.title} builds an app"
        if block.widget:
            assert builds or ".set(" in code[block.title], f"{block.title} is no widget section"


def test_a_capitalised_call_is_not_a_widget():
    code = _section_code("04")
    blocks = {b.title: b for b in agenda.blocks("04")}
    plain = [t for t, b in blocks.items() if not b.widget and re.search(r"\b(pd\.)?[A-Z]\w*\(", code[t])]
    assert plain, "04 has sections calling pd.Series/pd.DataFrame without a widget"
    rows = {r[2]: r[3] for r in _rows(agenda.agenda("04", length=240))}
    for title in plain:
        assert WIDGET not in rows[title]
    assert WIDGET in rows["Why latency bends: queues"]


@pytest.mark.parametrize("number", ["04", "07"])
def test_a_60_minute_session_is_a_real_plan(number):
    lesson = lessonmeta.read(number)
    blocks = agenda.blocks(number)
    assert sum(b.minutes for b in blocks) + agenda.WELCOME + agenda.WRAP > 60, "the lesson is longer than 60 min"
    text = agenda.agenda(number, length=60)
    planned = int(re.search(r"planned: (\d+) min", text).group(1))
    assert planned <= 60 and "split the lesson" not in text
    rows = _rows(text)
    assert sum(int(r[1]) for r in rows) == planned
    in_room = {r[2] for r in rows}
    homework = re.search(r"Read the sections moved out of the session: (.*?) — (\d+) min in all", text)
    assert homework, "the plan names the sections that move to homework"
    moved = [b for b in blocks if b.title not in in_room]
    assert moved and all(f"{b.title} ({b.minutes} min)" in homework.group(1) for b in moved)
    assert int(homework.group(2)) == sum(b.minutes for b in moved)
    # the core stays in the room: the opening situation and each objective's best-matching section
    agenda._mark_core(blocks, lesson.objectives)
    assert blocks[0].title in in_room
    assert all(b.title in in_room for b in blocks if b.core)


def test_a_session_that_fits_moves_nothing():
    text = agenda.agenda("04", length=90)
    assert "move to homework" not in text and "Read the sections moved" not in text


def test_pairs_can_start_the_exercise_and_its_stretch_task_in_the_room():
    text = agenda.agenda("07", length=90, exercise=15)
    exercise = [r for r in _rows(text) if r[2].startswith("Exercise in pairs")]
    assert exercise and int(exercise[0][1]) >= 15
    assert "stretch task" in exercise[0][3]
    planned = int(re.search(r"planned: (\d+) min", text).group(1))
    assert planned <= 90
    default = agenda.agenda("07", length=90)
    assert "--exercise" in default, "when the exercise is homework, say how to start it in the room"


def test_agenda_cli_takes_the_exercise_minutes(capsys):
    assert cli.main(["agenda", "07", "--length", "90", "--exercise", "15"]) == 0
    assert "Exercise in pairs" in capsys.readouterr().out
    assert cli.main(["agenda", "07", "--length", "60", "--exercise", "50"]) == 1


def test_a_lesson_whose_core_does_not_fit_runs_over_several_sessions():
    blocks = agenda.blocks("05")
    text = agenda.agenda("05", length=60)
    rows = _rows(text)
    planned = int(re.search(r"planned: (\d+) min", text).group(1))
    assert planned <= 60 and "runs over" in text
    later = re.search(r"\*\*The next sessions:\*\* (.*)", text).group(1)
    in_room = [r[2] for r in rows]
    for block in blocks:  # every section is in this session or named for a later one, in order
        assert block.title in in_room or f"{block.title} ({block.minutes} min)" in later
    assert "Exercise in pairs" not in text and "after session" in text
