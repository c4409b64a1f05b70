"""Module 09: the TTL cache's closed forms against Monte-Carlo simulation, the call's p99
against brute force and simulation, the derived trade-off, the explorer over every control
value and within budget, and the digest builder and linter on any text."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward import results
from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS
from steward.datasets import inventory_updates as inventory_data
from steward.lessons import visibility as V

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _private_progress(progress_file):
    return progress_file


@pytest.fixture(scope="module")
def rates() -> pd.DataFrame:
    return V.key_rates(V.inventory())


# -- closed forms ------------------------------------------------------------------------------------------
def test_closed_forms_at_their_limits():
    assert V.hit_ratio(0.1, 0) == 0.0
    assert V.hit_ratio(0.1, 10) == pytest.approx(0.5)
    assert V.cached_freshness(0.0, 100) == 1.0
    assert V.cached_freshness(0.01, 0) == 1.0
    assert V.cached_freshness(1e-9, 1.0) == pytest.approx(1.0)
    assert V.cached_freshness(1.0, 1.0) == pytest.approx(1 - math.exp(-1))
    assert V.answer_freshness(0.1, 0.5, 0) == 1.0, "no cache: every answer reads the source"


@given(st.floats(1e-4, 10), st.floats(0, 1), st.floats(0, 3600))
@FAST
def test_closed_forms_stay_in_range(r, lam, ttl):
    h, f = V.hit_ratio(r, ttl), V.cached_freshness(lam, ttl)
    assert 0 <= h < 1 and 0 < f <= 1
    assert f <= V.answer_freshness(r, lam, ttl) <= 1 + 1e-12


@pytest.mark.parametrize("r, lam, ttl, horizon", [
    (0.05, 0.001, 60, 1_500_000),
    (0.02, 0.004, 200, 800_000),
    (0.3, 0.02, 20, 300_000),
])
def test_closed_forms_match_a_monte_carlo_simulation(r, lam, ttl, horizon):
    hit, fresh = V.simulate_key(r, lam, ttl, horizon_s=horizon, seed=11)
    assert hit == pytest.approx(V.hit_ratio(r, ttl), abs=0.006)
    stale_sim, stale = 1 - fresh, 1 - V.answer_freshness(r, lam, ttl)
    assert stale_sim == pytest.approx(stale, rel=0.08)


def test_simulation_refuses_bad_input():
    with pytest.raises(ValueError):
        V.simulate_key(0, 0.1, 10)
    with pytest.raises(ValueError):
        V.hit_ratio(0.1, -1)
    with pytest.raises(ValueError):
        V.cached_freshness(0.1, float("nan"))


def test_cache_curves_match_cache_at(rates):
    curves = V.cache_curves(rates, np.array([0, 60, 300]))
    for ttl in (0, 60, 300):
        at = V.cache_at(rates, ttl)
        row = curves.loc[float(ttl)]
        assert row["hit_ratio"] == pytest.approx(at.hit_ratio)
        assert row["fresh_share"] == pytest.approx(at.fresh_share)
        assert row["cached_fresh_share"] == pytest.approx(at.cached_fresh_share)


def test_more_ttl_means_more_hits_and_fewer_fresh_answers(rates):
    curves = V.cache_curves(rates)
    assert np.all(np.diff(curves["hit_ratio"]) >= 0)
    assert np.all(np.diff(curves["fresh_share"]) <= 1e-15)


# -- latency ---------------------------------------------------------------------------------------------
def _brute_force_quantile(model: V.LatencyModel, h: float, items: int, q: float = 0.99) -> float:
    points = np.unique(np.concatenate([model.hits, model.misses]))
    cdf = model.cdf(points, h) ** items
    return float(points[np.searchsorted(cdf, q, side="left")])


@pytest.mark.parametrize("h, items", [(0.0, 1), (1.0, 1), (0.5, 1), (0.8, 24), (0.3, 12), (0.95, 48)])
def test_call_quantile_matches_brute_force(h, items):
    model = V.latency_model()
    assert model.call_quantile(h, items) == pytest.approx(_brute_force_quantile(model, h, items), abs=1e-6)


def test_single_lookup_quantile_is_the_log_quantile():
    model = V.latency_model()
    assert model.call_quantile(1.0, 1) == pytest.approx(np.quantile(model.hits, 0.99, method="inverted_cdf"), abs=1e-6)
    assert model.call_quantile(0.0, 1) == pytest.approx(np.quantile(model.misses, 0.99, method="inverted_cdf"), abs=1e-6)


@pytest.mark.parametrize("h", [0.6, 0.9])
def test_call_quantile_matches_a_monte_carlo_simulation(h):
    exact = V.call_p99(h)
    simulated = V.simulate_call_p99(h, calls=120_000, seed=3)
    assert simulated == pytest.approx(exact, rel=0.05)


def test_a_wider_fan_out_has_a_worse_tail():
    p99 = [V.call_p99(0.8, k) for k in V.ITEMS_OPTIONS]
    assert all(a <= b + 1e-9 for a, b in zip(p99, p99[1:], strict=False))


def test_averaged_percentiles_are_not_the_mixture():
    assert abs(V.averaged_p99(0.67) - V.call_p99(0.67)) > 20


def test_latency_model_refuses_empty_input():
    with pytest.raises(ValueError):
        V.LatencyModel([], [1.0])
    with pytest.raises(ValueError):
        V.LatencyModel.from_requests(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError):
        V.call_p99(0.5, items=0)


# -- the trade-off -----------------------------------------------------------------------------------------
def test_best_ttl_is_the_freshest_that_meets_the_slo(rates):
    table = V.tradeoff_table(rates)
    best = V.best_ttl(table)
    assert best is not None and table.loc[best, "meets_slo"]
    freshest_ok = table[table.meets_slo]["fresh_share"].max()
    assert table.loc[best, "fresh_share"] == freshest_ok
    assert not table.loc[: best - 1, "meets_slo"].any(), "every shorter TTL misses the SLO"


def test_derived_tradeoff_is_a_real_tradeoff():
    t = V.derive_tradeoff()
    assert t.p99_no_cache_ms > V.SLO_MS, "100% freshness (no cache) breaks the SLO"
    assert 80 < t.fresh_pct < 100 and t.p99_ms <= V.SLO_MS
    assert f"{t.fresh_pct:.1f}%" in t.sentence() and "200 ms" in t.sentence()


def test_no_ttl_meets_the_slo_at_a_very_wide_fan_out(rates):
    t = V.derive_tradeoff(rates, items=48)
    assert t.ttl_s is None and "cannot meet" in t.sentence()
    assert V.derive_tradeoff(rates, items=1).ttl_s == 0.0, "one lookup per call needs no cache for the SLO"


def test_per_key_ttls_beat_one_ttl():
    assert V.adaptive_fresh_pct() > V.derive_tradeoff().fresh_pct + 1


def test_key_rates_refuse_bad_frames():
    for bad in (None, pd.DataFrame(), pd.DataFrame({"lookups": [0, 0], "stock_updates": [1, 2]}), "x"):
        with pytest.raises(ValueError):
            V.key_rates(bad)


def test_the_data_matches_its_description():
    frame = V.inventory()
    assert len(frame) == inventory_data.ITEMS
    assert frame["lookups"].is_monotonic_decreasing
    assert set(frame["category"]) == set(inventory_data.CATEGORIES)
    implied = frame["lookups"].mean() / inventory_data.SECONDS * inventory_data.KEYS_IN_CATALOGUE
    assert 200_000 < implied < 400_000, "the sample scales to the request log's lookups per second"
    top = frame["lookups"].iloc[: len(frame) // 20].sum() / frame["lookups"].sum()
    assert top > 0.3, "popularity is heavy-tailed"
    assert frame[["lookups", "stock_updates"]].corr().iloc[0, 1] > 0.5, "popular keys change more often"


# -- the explorer ----------------------------------------------------------------------------------------------
@given(st.integers(0, V.TTL_MAX_S), st.sampled_from(V.ITEMS_OPTIONS))
@FAST
def test_ttl_state_over_its_controls(ttl, items):
    state = V.ttl_state(ttl, items)
    assert 0 <= state["hit_ratio"] < 1 and 0 < state["fresh_share"] <= 1
    assert state["meets_slo"] == (state["p99_ms"] <= V.SLO_MS)
    assert state["title"] and "…" not in state["title"]
    if state["best_ttl_s"] is not None:
        assert state["best_fresh_share"] >= state["fresh_share"] or not state["meets_slo"]


def test_explorer_accepts_every_control_value():
    app = V.APPS["cache-ttl"]()
    for name, control in app.inputs.items():
        values = [o[1] for o in control.options] if hasattr(control, "options") else [control.min, control.max, 172]
        for value in values:
            app.set(**{name: value})
            assert app.error is None, f"{name}={value!r} gave {app.error}"
            assert app.figure.title and "…" not in app.figure.title


def test_explorer_redraws_within_budget():
    app = V.CacheTTLExplorer()
    app.timings.clear()
    for ttl in range(0, 601, 15):
        app.set(ttl_s=ttl)
    for items in V.ITEMS_OPTIONS:
        app.set(items=items)
    # The 50 ms p95 budget is measured on an idle machine (see the report); a test run shares
    # its cores with other tests, so here the median gets 4× slack.
    median = float(np.median(app.timings))
    assert median < 0.2, f"median redraw {1000 * median:.0f} ms"
    started = time.perf_counter()
    V.ttl_state(123, 24)
    assert time.perf_counter() - started < 0.01, "the model part of a slider change is instant"


# -- the digest ------------------------------------------------------------------------------------------
def test_essay_digest_is_flagged_for_what_it_lacks():
    report = V.lint_digest(V.ESSAY_DIGEST)
    problems = " ".join(report.problems())
    assert "metrics: missing" in problems
    assert "12% reduction" in problems and "baseline" in problems
    assert not any(f.section == "next" for f in report.findings), "the essay names a partner"


def test_reference_digest_passes_and_renders_markdown():
    digest = V._reference_digest()
    assert V.lint_digest(digest).passed
    assert digest._repr_markdown_().startswith("###")
    for part in ("**Progress:**", "**Trade-off:**", "**Metrics:**", "**Next:**"):
        assert part in digest


@pytest.mark.parametrize("text, section, problem", [
    ("Progress: cut latency by 30%. Trade-off: 95% fresh over 100% to keep 200 ms. Metrics: p99 12 ms vs 10 ms target. "
     "Next: with the SRE team.", "progress", "baseline"),
    ("Progress: latency is much lower now. Trade-off: 95% fresh over 100% to keep 200 ms. Metrics: p99 12 ms vs 10 ms. "
     "Next: with the SRE team.", "progress", "without a number"),
    ("Progress: shipped it. Trade-off: chose Redis. Metrics: p99 12 ms vs 10 ms. Next: with the SRE team.",
     "trade-off", "one side"),
    ("Progress: shipped it. Trade-off: fresher over faster, to keep the SLO. Metrics: p99 12 ms vs 10 ms. "
     "Next: with the SRE team.", "trade-off", "number"),
    ("Progress: shipped it. Trade-off: 95% fresh over 100% to keep 200 ms. Metrics: p99 12 ms vs 10 ms. "
     "Next: improve ranking.", "next", "partner"),
    ("Progress: shipped it. Trade-off: 95% fresh over 100% to keep 200 ms.\n**Metrics:**\n- stable\nNext: with SRE.",
     "metrics", "without a number"),
])
def test_each_rule_fires(text, section, problem):
    report = V.lint_digest(text)
    assert any(f.section == section and problem in f.problem for f in report.findings), report.problems()


@given(st.text(max_size=5000))
@FAST
def test_linter_takes_any_text(text):
    report = V.lint_digest(text)
    assert isinstance(report.passed, bool) and isinstance(report._repr_markdown_(), str)
    assert isinstance(V.build_digest(text, text, [text], text), str)


@pytest.mark.parametrize("junk", [None, Ellipsis, 42, b"x", ["a"], "", "   ", "Ünïcødé ✓ 数字 95% → 100%" * 50,
                                  "x" * 2_000_000, "from " * 100_000, "Progress:" * 10_000])
def test_linter_takes_junk_quickly(junk):
    started = time.perf_counter()
    report = V.lint_digest(junk)
    assert not report.passed
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("metrics", [None, Ellipsis, 42, "one metric 5 vs 3", ["a", None, 3], pd.Series([1, 2]),
                                     {"a": 1}, (m for m in ["x"])])
def test_builder_takes_junk(metrics):
    digest = V.build_digest(None, Ellipsis, metrics, 12)
    assert isinstance(digest, str) and "**Metrics:**" in digest


def test_digest_facts_fall_back_to_reference_values_with_a_message(capsys):
    facts = V.digest_facts()
    assert set(facts.sources.values()) == {"reference"}
    assert facts.ttl_s == V.derive_tradeoff().ttl_s
    assert len(facts.abandonment_pct) == 2 and facts.revenue_range[0] < facts.revenue_range[1]


def test_digest_facts_use_kept_results_and_survive_bad_ones(progress_file):
    results.remember("09.ttl_s", 150)
    results.remember("04.p99_ms", 11.0)
    results.remember("07.revenue_range", "lots")
    facts = V.digest_facts()
    assert facts.ttl_s == 150 and facts.p99_ms == 11.0
    assert facts.sources["09.ttl_s"] == "yours" and facts.sources["07.revenue_range"] == "reference"
    assert facts.revenue_range == V._default_revenue()
    assert V.lint_digest(V.digest_from(facts)).passed
    json.loads(progress_file.read_text())  # the progress file is still valid JSON


def test_digest_task_checks_numbers_not_just_structure():
    task = V.TASKS.digest
    good = str(V._reference_digest())
    assert task.check(good).status == PASS
    t = V.derive_tradeoff()
    wrong = good.replace(f"{t.fresh_pct:.1f}%", "90.0%")
    assert task.check(wrong).status == NOT_YET
    assert task.check("").status == NOT_ATTEMPTED
    rounded = good.replace(f"{t.fresh_pct:.1f}%", f"{t.fresh_pct:.0f}%")
    assert task.check(rounded).status == PASS, "a rounded percentage is still the derived one"
