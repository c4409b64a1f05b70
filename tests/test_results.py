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
