"""The task contract, for every task of every module:

- the reference (sample) answer passes;
- a blank (``...`` or ``None``) is *not attempted*;
- each declared misconception gets *not yet* and the hint aimed at it;
- junk gets *not yet* with a message, never an exception or a pass;
- hints do not give the answer away.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
import pytest

from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS
from steward.lessons import all_lessons

LESSONS = all_lessons()
TASKS = [task for module in LESSONS.values() for task in module.TASKS]
IDS = [task.id for task in TASKS]
MISCONCEPTIONS = [(task, m) for task in TASKS for m in task.misconceptions]

JUNK = ["", "fast", -1, 0, 1e308, float("nan"), float("inf"), True, [], {}, (), pd.DataFrame(),
        pd.Series(dtype=float), np.array([]), object(), ["a", 1], {"x": None}]

#: The fewest checked tasks (stretch excluded) a module's exercise must have.
MIN_TASKS = {"00": 2, "02": 5}


@pytest.fixture(autouse=True)
def _private_progress(progress_file):
    return progress_file


@pytest.mark.parametrize("task", TASKS, ids=IDS)
def test_reference_passes(task):
    outcome = task.check(task.sample_answer())
    assert outcome.status == PASS, outcome.message


@pytest.mark.parametrize("task", TASKS, ids=IDS)
@pytest.mark.parametrize("blank", [Ellipsis, None], ids=["ellipsis", "none"])
def test_blank_is_not_attempted(task, blank):
    assert task.check(blank).status == NOT_ATTEMPTED


@pytest.mark.parametrize("task, misconception", MISCONCEPTIONS, ids=[f"{t.id}:{m.name}" for t, m in MISCONCEPTIONS])
def test_misconception_gets_its_hint(task, misconception):
    outcome = task.check(misconception.example())
    assert outcome.status == NOT_YET, f"the wrong answer for '{misconception.name}' passed"
    assert outcome.record["misconception"] == misconception.name, (
        f"got the hint for {outcome.record['misconception']!r} instead"
    )
    assert outcome.hint == misconception.hint


@pytest.mark.parametrize("task", TASKS, ids=IDS)
def test_junk_is_not_yet_with_a_message(task):
    for junk in JUNK:
        outcome = task.check(junk)
        assert outcome.status in {NOT_YET, NOT_ATTEMPTED}, f"{junk!r} passed"
        if outcome.status == NOT_YET:
            assert outcome.message or outcome.hint, f"no message for {junk!r}"


@pytest.mark.parametrize("task", TASKS, ids=IDS)
def test_task_is_well_formed(task):
    assert task.prompt.strip() and task.title.strip()
    assert len(task.hints) >= 2
    assert task.misconceptions, "each task names at least one plausible wrong answer"
    assert task.hints[0].rstrip().endswith("?"), "the first hint is a Socratic question"


@pytest.mark.parametrize("task", TASKS, ids=IDS)
def test_hints_do_not_give_the_answer(task):
    expected = task.expected
    if isinstance(expected, numbers.Real) and not isinstance(expected, bool) and math.isfinite(expected) and abs(expected) >= 10:
        for text in task.hints + [m.hint for m in task.misconceptions]:
            for rendered in {f"{expected:.1f}", f"{expected:.2f}", f"{expected:,.1f}", f"{expected:.0f}"}:
                assert rendered not in text, f"a hint contains the answer {rendered}"


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_module_has_enough_tasks(number):
    tasks = list(LESSONS[number].TASKS)
    checked = [t for t in tasks if not t.stretch]
    assert len(checked) >= MIN_TASKS.get(number, 6)
    if number != "00":
        assert any(t.stretch for t in tasks), "each exercise has a stretch task"
