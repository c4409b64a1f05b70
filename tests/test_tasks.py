"""The Task machinery: three outcomes, misconceptions, hints, display, recording."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from steward import checks, feedback, progress
from steward.tasks import Misconception, Rubric, Task, TaskSet


def make_task(**overrides) -> Task:
    spec = dict(
        id="99.sample",
        title="Sample",
        prompt="The p99 of [1..100].",
        reference=lambda: float(np.percentile(np.arange(1, 101), 99)),
        compare=checks.number(rel=1e-6),
        hints=["What does p99 mean?", "Use np.percentile(values, 99)."],
        misconceptions=[Misconception("used the mean", "That is the mean, not the p99.", lambda: 50.5)],
    )
    spec.update(overrides)
    return Task(**spec)


def test_three_outcomes(progress_file):
    task = make_task()
    assert task.check(task.expected).status == "pass"
    assert task.check(...).status == "not attempted"
    assert task.check(None).status == "not attempted"
    assert task.check(3.0).status == "not yet"


def test_misconception_gets_its_hint(progress_file):
    task = make_task()
    outcome = task.check(50.5)
    assert outcome.status == "not yet"
    assert outcome.hint == "That is the mean, not the p99."
    assert outcome.record["misconception"] == "used the mean"


def test_unknown_wrong_answer_gets_no_misconception_hint(progress_file):
    outcome = make_task().check(12.0)
    assert outcome.hint is None and outcome.record["misconception"] is None
    assert "hint()" in str(outcome)


@pytest.mark.parametrize(
    "answer, fragment",
    [
        ("fast", "single number"),
        (float("nan"), "NaN"),
        (pd.DataFrame(), "single number"),
        ([1, 2], "single number"),
        (True, "single number"),
        (object(), "single number"),
    ],
)
def test_bad_input_is_not_yet_with_a_message(progress_file, answer, fragment):
    outcome = make_task().check(answer)
    assert outcome.status == "not yet"
    assert fragment in outcome.message


def test_a_comparator_that_raises_still_gives_an_outcome(progress_file):
    def broken(answer, expected):
        raise RuntimeError("boom")

    outcome = make_task(compare=broken).check(1.0)
    assert outcome.status == "not yet" and "could not read" in outcome.message


def test_hints_are_tiered_and_counted(progress_file):
    task = make_task()
    first, second, third = task.hint(), task.hint(), task.hint()
    assert (first.tier, second.tier, third.tier) == (1, 2, 2)
    assert first.text == task.hints[0] and second.text == task.hints[1]
    assert "last hint" in third.text
    assert task.check(1.0).record["hints_used"] == 2  # seeing the last hint again is not another hint


def test_task_needs_two_hint_tiers_and_a_good_id():
    with pytest.raises(ValueError):
        make_task(hints=["only one"])
    with pytest.raises(ValueError):
        make_task(id="Bad Id")


def test_outcome_mime_bundle_carries_json(progress_file):
    outcome = make_task().check(50.5)
    bundle = outcome._repr_mimebundle_()
    record = bundle[feedback.MIME_OUTCOME]
    assert {"task", "status", "hints_used"} <= set(record)
    assert record["status"] == "not yet"
    json.dumps(record)  # serialisable
    assert "Not yet" in bundle["text/html"] and "Not yet" in bundle["text/plain"]


def test_outcome_displays_once(progress_file, monkeypatch):
    shown = []
    monkeypatch.setattr(feedback, "show", lambda data: shown.append(data))
    outcome = make_task().check(1.0)
    outcome._ipython_display_()  # as IPython would when it is the cell's value
    assert len(shown) == 1


def test_checks_and_hints_are_recorded(progress_file):
    task = make_task()
    task.check(1.0)
    task.hint()
    task.check(task.expected)
    events = progress.load(progress_file)["events"]
    assert [e["kind"] for e in events] == ["check", "hint", "check"]
    assert events[-1]["status"] == "pass" and events[-1]["hints_used"] == 1
    assert progress.summary(progress.load(progress_file))["99.sample"]["status"] == "pass"


def test_written_answers_travel_in_the_record(progress_file):
    task = make_task(compare=checks.structured_text({"a risk": lambda t: "risk" in t}), reference=lambda: "risk")
    outcome = task.check("the risk is small")
    assert outcome.record["answer"] == "the risk is small"


def test_taskset_attribute_access():
    tasks = TaskSet("99")
    task = tasks.add(make_task())
    assert tasks.sample is task and tasks["99.sample"] is task and list(tasks) == [task]
    with pytest.raises(AttributeError, match="has no task"):
        tasks.missing  # noqa: B018
    with pytest.raises(ValueError):
        tasks.add(make_task())
    with pytest.raises(ValueError):
        TaskSet("98").add(make_task())


def test_reference_is_computed_once():
    calls = []
    task = make_task(reference=lambda: calls.append(1) or 99.01)
    _ = (task.expected, task.expected)
    assert calls == [1]


def test_rubric_self_assessment(progress_file):
    rubric = Rubric("99.rubric", "A rubric", ["names both options", "states the risk"], "mid", "senior")
    rubric.show()
    assert rubric.assess(...)["status"] == "not attempted"
    assert rubric.assess(["yes"])["status"] == "not yet"
    assert rubric.assess(["yes", "maybe"])["status"] == "not yet"
    done = rubric.assess(["yes", "partly"])
    assert done["status"] == "self-assessed" and done["scores"]["states the risk"] == "partly"
    assert not math.isnan(len(progress.load(progress_file)["events"]))


def test_a_composed_rubric_writes_its_senior_example_when_read_not_when_built() -> None:
    from steward.tasks import ComposedRubric

    calls: list[int] = []

    def compose() -> str:
        calls.append(1)
        return f"composed {len(calls)}"

    rubric = ComposedRubric(id="x.y", title="t", criteria=("a",), mid_level="m", senior_level="(composed)", compose=compose)
    assert calls == []  # nothing is loaded at import
    assert rubric.senior_level == "composed 1" and rubric.senior_level == "composed 2"
    assert ComposedRubric(id="x.z", title="t", criteria=("a",), mid_level="m", senior_level="fixed").senior_level == "fixed"
