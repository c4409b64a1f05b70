"""Rough edges found by working exercises 01, 03 and 07 as a learner (issue #18's second walk): the
natural wrong answer, run through the task's check, and what the learner reads. Each test holds one fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from steward import checks
from steward.checks import NOT_YET, PASS
from steward.datagen import load
from steward.lessons import failure_modes as fm


def _hit(task, answer) -> str | None:
    status, _, misconception = task.evaluate(answer)
    assert status == NOT_YET, (task.id, status)
    return misconception.name if misconception else None


# -- shared comparators ---------------------------------------------------------------------------
def test_a_series_numbered_by_row_is_told_to_use_the_label():
    """`data.severity * data.occurrence * data.detection` (data not indexed by mode_id) got "The labels do
    not match (missing FM01, …; unexpected 0, 1, …)"."""
    data = load("failure_modes")
    _, message, _ = fm.TASKS.rpn.evaluate(data.severity * data.occurrence * data.detection)
    assert "numbered 0, 1, 2" in message and "set_index('mode_id')" in message


def test_choice_names_the_options_in_words_not_a_python_list():
    compare = checks.choice([f"FM{i:02d}" for i in range(1, 22)])
    message = compare(pd.DataFrame({"a": [1]}), "FM11").message
    assert "[" not in message and "21 options" in message
    assert "'etcd' or 'Redis'" in checks.choice(["etcd", "Redis"])(3, "Redis").message
    for one in (["FM11"], pd.Index(["FM11"]), pd.Series(["FM11"])):
        message = compare(one, "FM11").message
        assert "`[0]`" in message and "'FM11'" in message and "a Index" not in message


def test_structured_text_reads_like_words():
    compare = checks.structured_text({"a headline": lambda t: False, "a signal, with a threshold": lambda t: False}, 2)
    assert "1 word is too short" in compare("hello", None).message
    assert "Missing: a headline; a signal, with a threshold." == compare("hello there", None).message


# -- 01 -------------------------------------------------------------------------------------------
SHEET = load("failure_modes").set_index("mode_id")
NIGHT = fm.NIGHT


def _rpn() -> pd.Series:
    return SHEET.severity * SHEET.occurrence * SHEET.detection


def _top_ten() -> pd.Index:
    return _rpn().sort_values(ascending=False).index[:10]


def test_01_a_share_of_the_ten_is_named():
    """`(… != "page").mean()` got only "A count is a whole number; got 0.7"."""
    assert _hit(fm.TASKS.not_paged, (SHEET.loc[_top_ten()].channel != "page").mean()) == "gave a share"


def test_01_counting_one_channel_gets_a_hint_true_for_every_channel():
    """The paged count and the ticket count coincide in this data, so the hint for 3 said "That is how many
    *do* page someone" to a learner who counted tickets. The hint now fits whichever channel was counted."""
    task = fm.TASKS.not_paged
    top = SHEET.loc[_top_ten()]
    for channel in ("page", "ticket"):
        count = int((top.channel == channel).sum())
        if count != task.expected:
            status, _, hit = task.evaluate(count)
            if hit is not None and hit.name == "counted one channel":
                assert "page someone" not in hit.hint


def _night_engage(sheet=SHEET, when=NIGHT, watchers_rule=True, hours_factor=60, crew_offset=None, ack=True):
    until = sheet.detect_minutes + hours_factor * when.hours_until_staffed
    human = until if when.watchers == 0 else np.minimum(sheet.detect_minutes * fm.DAY_WATCHERS / when.watchers, until)
    if not watchers_rule:
        human = sheet.detect_minutes
    detect = sheet.detect_minutes.where(sheet.channel == "page", until.where(sheet.channel == "ticket", human))
    missing = (sheet.crew - (when.responders if crew_offset is None else crew_offset)).clip(lower=0)
    respond = (when.ack_minutes if ack else 0) + sheet.needs_expert * when.expert_minutes + when.call_in_minutes * missing
    return detect + respond


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"hours_factor": 1}, "added hours to minutes"),
    ({"crew_offset": 0}, "called in the whole crew"),
    ({"ack": False}, "left out the acknowledgement"),
    ({"watchers_rule": False}, "treated unwatched failures like pages"),
])
def test_01_night_engage_slips_are_named(kwargs, name):
    """Each slip in writing the lesson's rules in pandas got "The minutes for FM01, FM02, FM03 do not match"."""
    assert fm.TASKS.night_engage.evaluate(_night_engage())[0] == PASS
    assert _hit(fm.TASKS.night_engage, _night_engage(**kwargs)) == name


def test_01_hints_quote_no_night_constant():
    for task in (fm.TASKS.night_engage,):
        for m in task.misconceptions:
            for number in (NIGHT.call_in_minutes, NIGHT.ack_minutes, NIGHT.hours_until_staffed):
                assert f"{number:g} " not in m.hint, (m.name, m.hint)


def test_01_a_mode_answer_of_the_wrong_kind_is_told_what_it_is():
    """`night.rpn.max()`, `saving.idxmax()` on a row-numbered table and the mode's name got a list of 21 options."""
    task = fm.TASKS.night_top
    night = fm.lens(load("failure_modes"), NIGHT)
    assert "number" in task.evaluate(night.rpn.max())[1]
    assert "row number" in task.evaluate(int(np.argmax(night.rpn.to_numpy())))[1]
    assert "its mode_id" in task.evaluate(night.failure_mode.iloc[0])[1]
    assert "`[0]`" in task.evaluate(list(night.index[:1]))[1]
    assert _hit(task, night.engage_min.idxmax()) == "ranked by engage minutes alone"
    assert night.engage_min.idxmax() != night.index[0]


def test_01_impact_ratio_of_rpns_or_as_a_percentage_is_named():
    task = fm.TASKS.impact_ratio
    night, day = fm.lens(load("failure_modes"), NIGHT), fm.lens(load("failure_modes"), fm.DAY)
    assert _hit(task, night.rpn.sum() / day.rpn.sum()) == "compared the RPNs"
    assert _hit(task, 100 * night.impact_min_per_year.sum() / day.impact_min_per_year.sum()) == "gave a percentage"
    assert "in times" not in task.evaluate(1.5)[1]


def test_01_mitigations_message_does_not_give_away_the_night_top_three():
    """"Missing: the failure mode FM11 by its id, …" named Task 5's answer to anyone who typed three lines."""
    text = "FM01 Mitigation: add a replica so the cache survives. Signal: an alert when the primary fails. " * 3
    _, message, _ = fm.TASKS.mitigations.evaluate(text)
    night_top3 = list(fm.lens(load("failure_modes"), NIGHT).index[:3])
    assert "mode_id" in message and not any(mode in message for mode in night_top3), message
