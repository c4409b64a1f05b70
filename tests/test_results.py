"""Results carried between modules: kept, recalled, and a plain default when missing."""

from __future__ import annotations

import numpy as np

from steward import results


def test_remember_and_recall(progress_file):
    assert results.remember("04.p99_ms", np.float64(8.5))
    assert results.recall("04.p99_ms", default=1.0) == 8.5
    assert results.all_results() == {"04.p99_ms": 8.5}


def test_missing_result_uses_default_with_a_message(progress_file, capsys):
    assert results.recall("09.ttl_s", default=lambda: 30, what="your TTL") == 30
    assert "have not kept your TTL yet (module 09)" in capsys.readouterr().out


def test_bad_values_are_not_kept(progress_file, capsys):
    assert not results.remember("04.x", float("nan"))
    assert not results.remember("04.y", object())
    assert "Not kept" in capsys.readouterr().out
    assert results.all_results() == {}


def test_placeholder_is_not_kept(progress_file, capsys):
    assert not results.remember("04.p99_ms", ...)
    assert "not kept yet" in capsys.readouterr().out


def test_recording_off(monkeypatch, capsys):
    monkeypatch.setenv("STEWARD_PROGRESS", "off")
    assert not results.remember("04.p99_ms", 1.0)
    assert results.recall("04.p99_ms", default=2.0) == 2.0


def _task():
    from steward import checks
    from steward.tasks import Misconception, Task

    return Task(id="99.kept", title="Kept", prompt="2 + 2", reference=lambda: 4.0, compare=checks.number(),
                hints=["What is 2 + 2?", "Add them."], misconceptions=[Misconception("concatenated", "Numbers, not text?", lambda: 22.0)])


def test_outcome_keeps_only_a_passing_answer(progress_file, capsys):
    task = _task()
    assert not task.check(5.0).keep("99.kept")
    assert not task.check(...).keep("99.kept", lambda answer: answer + 1)  # never called on a blank
    assert "kept once this check passes" in capsys.readouterr().out
    assert results.all_results() == {}
    assert task.check(4.0).keep("99.kept")
    assert task.check(4.0).keep("99.doubled", lambda answer: answer * 2)
    assert task.check(4.0).keep("99.fixed", "four")
    assert results.all_results() == {"99.kept": 4.0, "99.doubled": 8.0, "99.fixed": "four"}
