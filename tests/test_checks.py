"""Comparators: each accepts the right answer and explains every wrong one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from steward import checks


def test_number_tolerance_and_types():
    compare = checks.number(rel=1e-3)
    assert compare(100.05, 100.0).passed
    assert compare(np.float32(100.0), 100.0).passed
    assert compare(pd.Series([100.0]), 100.0).passed
    assert not compare(101.0, 100.0).passed
    assert "NaN" in compare(np.nan, 1.0).message
    assert "single number" in compare("1", 1.0).message


def test_series_labels_values_and_order():
    expected = pd.Series({"redis": 3.0, "zookeeper": 2.0}, name="score")
    compare = checks.series(ordered=True)
    assert compare(expected, expected).passed
    assert compare({"redis": 3.0, "zookeeper": 2.0}, expected).passed
    assert "order" in compare(expected.iloc[::-1], expected).message
    assert "missing zookeeper" in compare({"redis": 3.0}, expected).message
    assert "do" in compare({"redis": 3.0, "zookeeper": 9.0}, expected).message
    assert "empty" in compare(pd.Series(dtype=float), expected).message
    assert "Expected a Series" in compare(3.0, expected).message
    assert "not a number" in compare({"redis": "x", "zookeeper": 2.0}, expected).message



def test_empty_series_from_nan_labels_names_the_real_cause():
    """Issue 14: map({1: ..., 0: ...}) on a boolean column gives NaN labels, groupby drops them,
    and the learner was asked "did a filter remove every row?" although no filter ran."""
    flags = pd.Series([True, False, True])
    grouped = pd.Series([1.0, 2.0, 3.0]).groupby(flags.map({1: "hit", 0: "miss"})).mean()
    assert grouped.empty
    message = checks.series()(grouped, pd.Series({"hit": 2.0, "miss": 2.0})).message
    assert "NaN" in message and "True/False" in message

def test_frame():
    expected = pd.DataFrame({"name": ["a", "b"], "value": [1.0, 2.0]})
    compare = checks.frame(["name", "value"], key="name")
    assert compare(expected.iloc[::-1], expected).passed
    assert "lacks" in compare(expected[["name"]], expected).message
    assert "empty" in compare(expected.iloc[0:0], expected).message
    assert "does not match" in compare(expected.assign(value=[1.0, 5.0]), expected).message
    assert "Expected a DataFrame" in compare([1], expected).message


def test_choice_items_integer():
    assert checks.choice(["Redis", "etcd"])(" redis ", "Redis").passed
    assert "not one of" in checks.choice(["Redis", "etcd"])("mysql", "Redis").message
    assert checks.same_items()(["b", "a"], ["a", "b"]).passed
    assert "order" in checks.same_items(ordered=True)(["b", "a"], ["a", "b"]).message
    assert "Expected a list" in checks.same_items()("ab", ["a", "b"]).message
    assert checks.integer()(3.0, 3).passed
    assert "whole number" in checks.integer()(3.5, 3).message


def test_function_on():
    def reference(x):
        return x * 2

    compare = checks.function_on(lambda: [(1,), (2,), (3,)])
    assert compare(reference, reference).passed
    assert compare(lambda x: None, reference).status == checks.NOT_ATTEMPTED
    assert "returns 4" in compare(lambda x: x + 2, reference).message or "returns" in compare(lambda x: x + 2, reference).message
    assert "raised ZeroDivisionError" in compare(lambda x: 1 / 0, reference).message
    assert "Expected a function" in compare(3, reference).message


@pytest.mark.parametrize("text, status", [("", checks.NOT_ATTEMPTED), ("risk and cost", checks.PASS), ("risk", checks.NOT_YET)])
def test_structured_text(text, status):
    compare = checks.structured_text({"the risk": lambda t: "risk" in t, "the cost": lambda t: "cost" in t})
    assert compare(text, None).status == status


@pytest.mark.parametrize("answer, expected, close", [
    (-4.1, -4.065, True),     # the lesson's own "≈ −4.1 pp": matches at the precision it was written
    (-4.07, -4.0651, True),
    (-4, -3.95, True),
    (-3.9, -3.951, False),    # truncated, not rounded: not the value
    (-4.3, -4.065, False),
    (0, 0.3, False),          # zero says nothing about a value
    (-4.0651234, -4.0659, False),  # a computed value is never "close"
])
def test_one_rounding_rule_says_close_at_the_written_precision(answer, expected, close):
    verdict = checks.number(rel=1e-5, unit="pp")(answer, expected)
    assert verdict.status == checks.NOT_YET
    assert ("Close:" in verdict.message and "one more decimal" in verdict.message) == close
    assert ("not the value the data gives" in verdict.message) == (not close)
