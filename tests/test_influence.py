"""Module 07: the statistics against closed forms and the factsheet's worked examples, the
money and right-sizing arithmetic by hand, the statement checker, and the widget."""

from __future__ import annotations

import math
import time
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward import cartwheel, checks, datagen, paths
from steward.lessons import influence as L

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _private_progress(progress_file):
    return progress_file


@pytest.fixture(scope="module")
def facts():
    return L.impact_facts()


# -- the normal distribution ---------------------------------------------------------------------
@given(st.floats(-8, 8))
@FAST
def test_normal_cdf_matches_the_standard_library(x):
    assert L.normal_cdf(x) == pytest.approx(NormalDist().cdf(x), abs=1e-12)


@given(st.floats(0, 60))
@FAST
def test_chi2_with_one_df_is_z_squared(chi2):
    assert L.chi2_1df_p(chi2) == pytest.approx(L.two_sided_p(math.sqrt(chi2)), rel=1e-12, abs=1e-300)


def test_z_quantile():
    assert L.z_quantile(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert L.z_quantile(0.90) == pytest.approx(1.644854, abs=1e-6)
    with pytest.raises(ValueError, match="fraction"):
        L.z_quantile(95)


# -- the z-test ------------------------------------------------------------------------------------
def test_ztest_reproduces_the_factsheet_worked_example():
    """Factsheet §7: 1,000/10,000 vs 1,100/10,000 → z = 2.31, p = 0.021, CI +0.15 to +1.85 pp."""
    t = L.two_proportion_ztest(1000, 10_000, 1100, 10_000)
    assert round(t.z, 2) == 2.31
    assert round(t.p_value, 3) == 0.021
    low, high = t.ci_pp
    assert (round(low, 2), round(high, 2)) == (0.15, 1.85)
    abs_pp, rel_pct = L.changes(t.p1, t.p2)
    assert abs_pp == pytest.approx(1.0) and rel_pct == pytest.approx(10.0)  # +1 pp absolute, +10% relative


def test_ci_uses_unpooled_and_z_uses_pooled_standard_error():
    t = L.two_proportion_ztest(50, 1000, 150, 1000)
    pooled = 0.1
    assert t.z == pytest.approx(0.1 / math.sqrt(pooled * (1 - pooled) * (2 / 1000)))
    unpooled = math.sqrt(0.05 * 0.95 / 1000 + 0.15 * 0.85 / 1000)
    assert t.ci_high - t.diff == pytest.approx(1.959964 * unpooled, rel=1e-6)


counts = st.integers(1, 50_000)


@st.composite
def two_arms(draw):
    n1, n2 = draw(counts), draw(counts)
    return draw(st.integers(0, n1)), n1, draw(st.integers(0, n2)), n2


@given(two_arms())
@FAST
def test_ztest_properties(arms):
    x1, n1, x2, n2 = arms
    t = L.two_proportion_ztest(x1, n1, x2, n2)
    assert 0 <= t.p_value <= 1
    assert t.ci_low <= t.diff <= t.ci_high
    swapped = L.two_proportion_ztest(x2, n2, x1, n1)
    assert swapped.z == pytest.approx(-t.z, abs=1e-9)
    assert swapped.p_value == pytest.approx(t.p_value, abs=1e-12)
    narrow = L.two_proportion_ztest(x1, n1, x2, n2, confidence=0.80)
    assert narrow.ci_high - narrow.ci_low <= t.ci_high - t.ci_low + 1e-12


@pytest.mark.parametrize("args", [(-1, 10, 1, 10), (11, 10, 1, 10), (1, 0, 1, 10), (1.5, 10, 1, 10), (True, 10, 1, 10)])
def test_ztest_rejects_impossible_counts(args):
    with pytest.raises(ValueError):
        L.two_proportion_ztest(*args)


# -- the data and the metric -----------------------------------------------------------------------
def test_abandonment_is_abandoned_carts_over_carts():
    s = pd.DataFrame({"arm": ["control"] * 4 + ["treatment"] * 4,
                      "added_to_cart": [1, 1, 1, 0, 1, 1, 0, 0], "purchased": [1, 0, 0, 0, 1, 0, 0, 0]})
    rates = L.cart_abandonment(s)
    assert rates["control"] == pytest.approx(2 / 3) and rates["treatment"] == pytest.approx(1 / 2)


def test_the_effect_is_real_and_measured_not_announced(facts):
    """The data carries a genuine drop whose CI excludes zero, near (not equal to) the generator's −4 pp."""
    assert facts.ci_high_pp < 0 and facts.p_value < 0.001
    assert -6 < facts.abs_pp < -2 and facts.abs_pp != pytest.approx(-4.0, abs=1e-3)
    assert abs(facts.rel_pct) - abs(facts.abs_pp) > 1, "relative and absolute change must be told apart"


def test_srm_check_flags_the_broken_split_and_not_the_clean_one():
    clean, broken = L.sessions_srm(datagen.load("ab_sessions")), L.sessions_srm(datagen.load("ab_sessions_srm"))
    assert not clean.mismatch and clean.p_value > 0.1
    assert broken.mismatch and broken.p_value < 0.001


@given(st.integers(0, 100_000), st.integers(0, 100_000))
@FAST
def test_srm_p_value_is_a_probability(a, b):
    if a + b == 0:
        with pytest.raises(ValueError):
            L.srm_check({"control": a, "treatment": b})
        return
    result = L.srm_check({"control": a, "treatment": b})
    assert 0 <= result.p_value <= 1
    if a == b:
        assert result.p_value == pytest.approx(1.0)


def test_srm_by_hand():
    result = L.srm_check({"control": 5100, "treatment": 4900})
    assert result.chi2 == pytest.approx(2 * 100**2 / 5000)
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(4 / 2)))
    with pytest.raises(ValueError):
        L.srm_check({"a": 1, "b": 2, "c": 3})


def test_data_files_are_small_and_load_fast():
    for name in ("ab_sessions", "ab_sessions_srm", "cloud_costs"):
        path = paths.data_dir() / f"{name}.csv"
        assert path.stat().st_size < 5_200_000  # the brief's ceiling: about 5 MB (the A/B file is ~4.9 MB)
        started = time.perf_counter()
        pd.read_csv(path)
        assert time.perf_counter() - started < 1.0


def test_the_design_is_fifty_fifty():
    s = datagen.load("ab_sessions")
    assert abs(s.arm.eq("treatment").mean() - 0.5) < 0.01
    assert not (s.purchased & ~s.added_to_cart).any(), "no purchase without a cart"
    assert (s.loc[~s.purchased, "order_value"] == 0).all() and (s.loc[s.purchased, "order_value"] > 0).all()


# -- from effect to money ----------------------------------------------------------------------------
def test_revenue_range_by_hand():
    low, high = L.revenue_range(100_000, 0.3, (-0.05, -0.01), 50.0)
    assert low == pytest.approx(100_000 * 0.3 * 0.01 * 50) and high == pytest.approx(100_000 * 0.3 * 0.05 * 50)


@given(st.floats(0, 1e7), st.floats(0, 1), st.floats(-0.5, 0.5), st.floats(0, 0.5), st.floats(0, 500))
@FAST
def test_revenue_range_is_ordered(sessions, share, low, width, aov):
    a, b = L.revenue_range(sessions, share, (low, low + width), aov)
    assert a <= b + 1e-6


def test_revenue_rejects_bad_input():
    for bad in (float("nan"), "1", None):
        with pytest.raises(ValueError):
            L.revenue_per_month(bad, 0.3, 0.01, 50)
    with pytest.raises(ValueError):
        L.revenue_range(1000, 0.3, (0.02, 0.01), 50)


def test_facts_revenue_matches_the_formula(facts):
    assert facts.revenue_low < facts.revenue_point < facts.revenue_high
    assert facts.revenue_point == pytest.approx(
        facts.sessions_per_month * facts.cart_rate_pct / 100 * -facts.abs_pp / 100 * facts.aov)


# -- right-sizing ---------------------------------------------------------------------------------------
def test_rightsizing_by_hand():
    costs = pd.DataFrame({
        "service": ["a", "a", "b", "c"], "instance_id": ["a1", "a2", "b1", "c1"],
        "instance_type": ["m.xlarge", "m.xlarge", "r.xlarge", "m.large"],
        "hourly_cost_usd": [0.2, 0.2, 0.3, 0.1],
        "cpu_p50_pct": [10, 10, 5, 5], "cpu_p95_pct": [30, 60, 10, 10],
        "mem_p50_pct": [10, 10, 50, 5], "mem_p95_pct": [30, 30, 70, 10],
    })
    table = L.rightsizing(costs)
    assert table["over_provisioned"].tolist() == [True, False, False, False]  # c1 is already the smallest size
    assert L.saving_share(costs) == pytest.approx(100 * 0.1 / 0.8)
    assert L.saving_by_service(costs)["a"] == pytest.approx(0.1 * L.HOURS_PER_MONTH)
    assert L.saving_share(costs, resources=("cpu",)) > L.saving_share(costs)


def test_honest_saving_is_well_below_the_p50_claim():
    costs = datagen.load("cloud_costs")
    honest, median, cpu_only = (L.saving_share(costs), L.saving_share(costs, percentile="p50"),
                                L.saving_share(costs, resources=("cpu",)))
    assert 5 < honest < 20 < median and honest < cpu_only


def test_rightsizing_rejects_bad_input():
    with pytest.raises(ValueError, match="DataFrame"):
        L.rightsizing("costs")
    with pytest.raises(ValueError, match="empty"):
        L.rightsizing(pd.DataFrame(columns=["service", "instance_type", "hourly_cost_usd"]))


# -- sample size and peeking ------------------------------------------------------------------------------
def test_sample_size_matches_the_factsheet():
    """Factsheet §7: 10% baseline, δ = 1 pp → about 14,750 exact, about 14,400 by 16σ²/δ²."""
    assert L.sample_size_per_arm(0.10, 0.01) == pytest.approx(14_750, rel=2e-3)
    assert 16 * 0.1 * 0.9 / 0.01**2 == pytest.approx(14_400)


@given(st.floats(0.05, 0.85), st.floats(0.002, 0.02))
@FAST
def test_halving_delta_needs_about_four_times_the_units(baseline, delta):
    ratio = L.sample_size_per_arm(baseline, delta / 2) / L.sample_size_per_arm(baseline, delta)
    assert 3.5 < ratio < 4.5


def test_peeking_inflates_false_positives():
    """Factsheet §7: about 14% with 5 looks, about 25% with 20; one look keeps the nominal 5%."""
    assert L.peeking_false_positive_rate(1) == pytest.approx(0.05, abs=0.003)
    assert L.peeking_false_positive_rate(5) == pytest.approx(0.14, abs=0.01)
    assert L.peeking_false_positive_rate(20) == pytest.approx(0.25, abs=0.01)
    with pytest.raises(ValueError):
        L.peeking_false_positive_rate(0)


# -- reading numbers and checking the statement -------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("$47–129k", [(47_000, "$"), (129_000, "$")]),
    ("between 2.1 and 6.0 pp", [(2.1, "pp"), (6.0, "pp")]),
    ("p95 latency rose 19 ms", [(19, "ms")]),
    ("1.2M sessions and 4.1 percentage points", [(1_200_000, None), (4.1, "pp")]),
    ("US$1,239k a month, 65.8 %", [(1_239_000, "$"), (65.8, "%")]),
    ("five times faster: 5× or 5x", [(5, "×"), (5, "×")]),
])
def test_extract_numbers(text, expected):
    got = [(q.value, q.unit) for q in L.extract_numbers(text)]
    assert got == [(pytest.approx(v), u) for v, u in expected]


def test_rounding_tolerance():
    q = L.extract_numbers("66%")[0]
    assert L.matches_value(q, 65.8) and not L.matches_value(q, 64.0)
    q = L.extract_numbers("30%")[0]
    assert not L.matches_value(q, 28.35), "a round 30% must not stand in for 28%"
    q = L.extract_numbers("$140k")[0]
    assert L.matches_value(q, 142_800) and not L.matches_value(q, 160_000)


def test_statement_checker_accepts_the_reference(facts):
    report = L.check_statement(L.impact_statement(facts), facts)
    assert report.ok, report.summary()
    assert all(report.parts.values()) and set(report.parts) == set(L.PARTS)


@pytest.mark.parametrize("kind, code", [
    ("relative-as-pp", "relative-as-pp"), ("pp-as-percent", "pp-as-percent"), ("point", "point-not-range"),
    ("unsupported", "unsupported"), ("no-uncertainty", "missing-uncertainty"), ("no-cost", "missing-cost"),
])
def test_statement_checker_rejects(kind, code):
    report = L.check_statement(L._statement_variant(kind))
    assert not report.ok and code in report.codes


def test_relative_change_as_pp_is_caught_even_when_it_equals_a_ci_end(facts):
    """Caught after the data was regenerated: the relative change (3.2%) rounds to the CI's far end (3.2 pp), so
    "cut abandonment by 3.2 pp" passed as a CI bound. A CI end is only one when written as part of an interval."""
    rel = f"{abs(facts.rel_pct):.1f}"
    ends = {f"{abs(facts.ci_low_pp):.1f}", f"{abs(facts.ci_high_pp):.1f}"}
    text = f"Real-time inventory checks cut cart abandonment from {facts.baseline_pct:.1f}% by {rel} pp."
    assert "relative-as-pp" in L.check_statement(text, facts).codes
    if rel in ends:  # the collision itself: the same figure inside an interval is a CI end, and passes as one
        interval = f"(95% CI {abs(facts.ci_high_pp):.1f} to {abs(facts.ci_low_pp):.1f} pp)"
        assert "relative-as-pp" not in L.check_statement(text.replace(f"by {rel} pp", interval), facts).codes


def test_statement_checker_rejects_a_wrong_number(facts):
    text = L.impact_statement(facts).replace(f"{facts.baseline_pct:.1f}%", f"{facts.baseline_pct + 3:.1f}%")
    report = L.check_statement(text, facts)
    assert "unsupported" in report.codes and "missing-baseline" in report.codes


def test_statement_checker_names_missing_parts():
    report = L.check_statement("We shipped real-time inventory checks and it went great.")
    assert {"missing-metric", "missing-baseline", "missing-change", "missing-uncertainty",
            "missing-business-outcome", "missing-cost"} <= report.codes


@pytest.mark.parametrize("junk", [None, 3.5, float("nan"), [], pd.DataFrame(), "", "   ", "∞ % pp $$ 1e308 ms"])
def test_statement_checker_never_raises_on_junk(junk):
    report = L.check_statement(junk)
    assert not report.ok and report.summary()


@given(st.text(max_size=300) | st.text(alphabet="0123456789.,$%kM pp ms–-", max_size=500))
@FAST
def test_statement_checker_never_raises(text):
    report = L.check_statement(text)
    assert isinstance(report.ok, bool)


@pytest.mark.parametrize("text", ["9" * 400 + " pp", "1" + "0" * 400, "0." + "0" * 400 + "1%", "$" + "9" * 400 + "k"])
def test_statement_checker_survives_huge_numbers(text):
    assert not L.check_statement(text).ok


def test_statement_task_messages():
    task = L.TASKS.impact_statement
    assert task.check(L.impact_statement()).passed
    outcome = task.check(L._statement_variant("relative-as-pp"))
    assert outcome.status == checks.NOT_YET and "relative" in outcome.message


# -- the chart --------------------------------------------------------------------------------------------------
def test_chart_with_a_conclusion_passes_and_a_topic_title_does_not(facts):
    assert L._chart_compare(L._reference_chart(), facts).passed
    topic = L._chart_compare(L._chart_figure("Cart abandonment by arm"), facts)
    assert not topic.passed and "topic" in topic.message
    wrong = L._chart_compare(L._chart_figure("Checks cut cart abandonment by 9.9 pp"), facts)
    assert not wrong.passed
    assert not L._chart_compare("a chart", facts).passed


def test_chart_needs_axis_labels(facts):
    from steward import plotting

    fig, ax = plotting.new_figure()
    ax.bar(["control", "treatment"], [65, 61])
    ax.set_title(f"Checks cut cart abandonment by {abs(facts.abs_pp):.1f} pp")
    assert "Label" in L._chart_compare(ax, facts).message
    ax.set_ylabel("cart abandonment (%)")
    assert L._chart_compare(ax, facts).passed
    assert L._chart_compare(fig, facts).passed


# -- the widget --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app():
    return L.ImpactRange()


@given(
    sessions=st.integers(50, 2_000),
    aov=st.floats(10, 300),
    confidence=st.sampled_from([0.80, 0.90, 0.95, 0.99]),
    scale=st.floats(0.25, 4.0),
)
@FAST
def test_widget_compute_accepts_every_control_value(app, sessions, aov, confidence, scale):
    view = app.compute(sessions_millions=sessions, aov=aov, confidence=confidence, test_scale=scale)
    assert view.revenue_low <= view.revenue_point <= view.revenue_high
    assert view.ci_low_pp <= view.point_pp <= view.ci_high_pp
    assert -12 < view.ci_low_pp and view.ci_high_pp < 6, "the CI must fit the fixed axis (blitting)"
    assert view.crosses_zero == (view.revenue_low < 0 < view.revenue_high)


def test_widget_shows_the_range_and_says_when_it_crosses_zero(app, facts):
    app.set(sessions_millions=round(L.monthly_sessions() / 1e6), confidence=0.95, test_scale=1.0)
    assert app.error is None and "95% confidence" in app.figure.title
    assert app.state.ci_low_pp == pytest.approx(facts.ci_low_pp, abs=1e-6)
    app.set(confidence=0.99, test_scale=0.25)
    assert app.state.crosses_zero and "not yet a result" in app.figure.title
    app.set(confidence=0.95, test_scale=1.0)


def test_widget_redraws_fast_by_blitting(app):
    before = app.figure.full_draws
    for value in (0.25, 0.5, 1.0, 2.0, 4.0, 1.0):
        app.set(test_scale=value)
    assert app.figure.full_draws == before, "control changes should blit, not redraw the whole figure"
    assert np.percentile(app.timings[-6:], 50) < 0.25  # generous: CI machines are shared


def test_the_explorer_axis_fits_the_data():
    """The axis was fixed at −12 to +6 pp for a −4 pp effect; with the effect at −2 pp most of it was empty."""
    app = L.ImpactRange()
    widest = app.set(confidence=0.99, test_scale=0.25)
    left, right = app.figure.ax.get_xlim()
    assert left < widest.ci_low_pp and widest.ci_high_pp < right and left < 0 < right  # the axis holds every interval
    assert right - left < 2 * (widest.ci_high_pp - widest.ci_low_pp)  # and is not mostly empty


def test_apps_registry():
    assert set(L.APPS) == {"impact-range"}
    assert isinstance(L.APPS["impact-range"](), L.ImpactRange)


# -- the canon (issue 12) ------------------------------------------------------------------------------
def test_traffic_money_and_hours_come_from_the_canon(facts):
    """Caught the module-local 400,000 sessions, 730 h and 200 ms: the canon is the only source."""
    assert not hasattr(L, "SESSIONS_PER_MONTH")
    assert facts.sessions_per_month == pytest.approx(cartwheel.sessions_per_month())
    assert L.HOURS_PER_MONTH == cartwheel.HOURS_PER_BILLING_MONTH and L.LATENCY_SLO_MS == cartwheel.LATENCY.threshold_ms
    text = L.impact_statement(facts)
    assert cartwheel.money(facts.revenue_low) in text and cartwheel.money(facts.revenue_high) in text
    assert "€" not in text and f"{facts.sessions_per_month / 1e6:,.0f} million" in text


def test_the_statement_says_the_test_ran_on_a_random_slice(facts):
    assert facts.traffic_share_pct == pytest.approx(100 * cartwheel.ab_traffic_share())
    report = L.check_statement(L.impact_statement(facts), facts)
    assert any("share of traffic in the test" in matched for _, matched in report.numbers)


def test_latency_cost_is_the_p99_difference_with_a_computed_slo_verdict(facts):
    """Caught '19 ms more p95, still inside the SLO': the SLI is the p99 of calls, the verdict is computed."""
    s = datagen.load("ab_sessions")
    treated = s.loc[s.arm == "treatment", "latency_ms"]
    control = s.loc[s.arm == "control", "latency_ms"]
    assert facts.latency_p99_added_ms == pytest.approx(cartwheel.call_percentile(treated) - cartwheel.call_percentile(control))
    assert facts.treatment_inside_slo == cartwheel.inside_latency_slo(treated)
    text = L.impact_statement(facts)
    assert "p95" not in text and f"{facts.latency_p99_added_ms:.1f} ms more p99" in text
    assert L.slo_claim(text) == facts.treatment_inside_slo


def test_the_statement_flips_its_verdict_when_the_slo_is_breached(facts):
    from dataclasses import replace
    breached = replace(facts, treatment_inside_slo=False, latency_p99_treatment_ms=226.0)
    text = L.impact_statement(breached)
    assert L.slo_claim(text) is False and "breaks the 200 ms SLO" in text


@pytest.mark.parametrize("text, claim", [
    ("still inside the 200 ms SLO", True), ("within the latency SLO", True), ("which breaks the 200 ms SLO", False),
    ("outside the SLO", False), ("the SLO is 200 ms", None),
])
def test_slo_claims_are_read(text, claim):
    assert L.slo_claim(text) == claim


def test_a_mean_latency_gets_its_misconception_not_a_missing_cost(facts):
    """Issue 19 item 8: a mean latency read as 'not a number the data gives. Give the cost'."""
    report = L.check_statement(L._statement_variant("mean-latency"), facts)
    assert "latency-not-p99" in report.codes and "missing-cost" not in report.codes and "unsupported" not in report.codes
    assert "p99" in report.summary()
    wrong = L.check_statement(L._statement_variant("wrong-slo-verdict"), facts)
    assert wrong.codes == {"slo-verdict"}


# -- corrections (issue 14) -------------------------------------------------------------------------------
def test_the_redis_cache_cannot_shrink_whatever_the_rule():
    """Caught 'CPU only would shrink … the Redis cache': it is already the smallest size."""
    costs = datagen.load("cloud_costs")
    cache = costs[costs.service == L.CHECK_INFRA_SERVICE]
    assert not cache.empty and cache.instance_type.map(L.at_smallest_size).all()
    for rule in ({"resources": ("cpu",)}, {"percentile": "p50"}, {"resources": ("cpu",), "percentile": "p50"}):
        assert L.CHECK_INFRA_SERVICE not in L.shortcut_extras(costs, **rule)
    assert L.shortcut_extras(costs, resources=("cpu",)) == ["feature-store"]


def test_money_uncertainty_carries_cart_rate_and_order_value():
    s = datagen.load("ab_sessions")
    u = L.revenue_uncertainty(s)
    assert set(u.relative_se) == {"abandonment change", "cart rate", "average order value"}
    assert u.all_sources[0] <= u.effect_only[0] and u.effect_only[1] <= u.all_sources[1]
    assert 0 <= u.widening < 0.05, "here the effect's CI carries almost all of it"
    boot = L.revenue_bootstrap(s, reps=300)
    se = (u.all_sources[1] - u.all_sources[0]) / (2 * L.z_quantile(0.95))
    assert np.std(boot, ddof=1) == pytest.approx(se, rel=0.15)


def test_revenue_uncertainty_by_hand():
    s = pd.DataFrame({"arm": ["control"] * 4 + ["treatment"] * 4,
                      "added_to_cart": [1, 1, 1, 1, 1, 1, 1, 1], "purchased": [1, 0, 0, 0, 1, 1, 0, 0],
                      "order_value": [10.0, 0, 0, 0, 20.0, 30.0, 0, 0]}).astype({"added_to_cart": bool, "purchased": bool})
    u = L.revenue_uncertainty(s, sessions_per_month=1000)
    assert u.point == pytest.approx(1000 * 1.0 * 0.25 * 20.0)
    assert u.relative_se["cart rate"] == 0  # every session carted: no sampling error there


def test_whether_52_48_is_a_mismatch_depends_on_the_sample_size():
    table = L.srm_table(0.52)
    assert not table.loc[1_000, "mismatch"] and table.loc[10_000, "mismatch"]
    assert table.index[-1] == cartwheel.AB_SESSIONS  # the table reaches this lab's test, whatever its size
    n = L.srm_min_sessions(0.52)
    assert L.srm_p_for_split(0.52, n) < L.SRM_ALPHA <= L.srm_p_for_split(0.52, n - 1)
    assert L.srm_p_for_split(0.52, 10_000) == pytest.approx(L.srm_check({"a": 5200, "b": 4800}).p_value)
    with pytest.raises(ValueError):
        L.srm_min_sessions(0.5)


def test_ci_feedback_says_what_differs(facts):
    """Issue 14: a CI rounded to one decimal, or given as (high, low), got only 'not the value'."""
    task = L.TASKS["07.confidence-interval"]
    low, high = facts.ci_low_pp, facts.ci_high_pp
    assert "low end first" in task.check((high, low)).message
    assert "Close" in task.check((round(low, 1), round(high, 1))).message
    assert task.check((low, high)).passed


def test_pooled_and_unpooled_are_told_apart():
    """Issue 19 item 8: the CI task insisted on unpooled but passed the pooled SE."""
    ci = L.TASKS["07.confidence-interval"]
    assert not ci.check(L._ci_with(unpooled=False)).passed
    assert ci.evaluate(L._ci_with(unpooled=False))[2].name == "used the pooled standard error"
    z = L.TASKS["07.z-test"]
    assert z.evaluate(L._ztest_with(unpooled=True))[2].name == "used the unpooled standard error"


def test_absolute_change_rounded_as_the_lesson_prints_it_is_close(facts):
    """Issue 19 item 4: the lesson's own rounding got 'not the value the data gives'."""
    outcome = L.TASKS["07.absolute-change"].check(round(facts.abs_pp, 1))
    assert not outcome.passed and "Close" in outcome.message and "one more decimal" in outcome.message


# -- deepen: OEC, guardrails, power ----------------------------------------------------------------------
def test_revenue_per_session_is_the_direct_metric_with_its_variance():
    s = datagen.load("ab_sessions")
    table = L.revenue_per_session(s)
    control = s.loc[s.arm == "control", "order_value"]
    assert table.loc["control", "revenue_per_session"] == pytest.approx(cartwheel.session_money().revenue_per_session)
    assert table.loc["control", "variance"] == pytest.approx(control.var(ddof=1))
    t = L.revenue_per_session_test(s)
    assert t.ci_low < t.diff < t.ci_high and t.se == pytest.approx(math.sqrt((table.se ** 2).sum()))


def test_mde_closed_form_and_consistency_with_the_sample_size():
    assert L.minimum_detectable_effect(1.0) == pytest.approx(1.959964 + 0.841621, abs=1e-5)
    # the n the sample-size formula asks for detects about the delta it was sized for
    n = L.sample_size_per_arm(0.66, -0.02)
    se = math.sqrt(0.66 * 0.34 * 2 / n)
    assert L.minimum_detectable_effect(se) == pytest.approx(0.02, rel=0.03)
    s = datagen.load("ab_sessions")
    mde = L.abandonment_mde_pp(s)
    assert 0 < mde < abs(L.impact_facts(s).abs_pp), "this test could see an effect of the size it found"
    assert L.abandonment_mde_pp(s, power=0.5) < mde


def test_guardrail_decision():
    assert L.guardrail_decision(datagen.load("ab_sessions")) == "ship"
    assert L.guardrail_decision(datagen.load("ab_sessions_srm")) == "rerun"
    assert L.guardrail_decision(datagen.load("ab_sessions"), latency_rule="any increase") == "do not ship"


# -- the notebooks' Markdown -----------------------------------------------------------------------------
NOTEBOOKS_07 = [paths.root() / folder / "07-influence-with-data.ipynb" for folder in ("notebooks", "solutions", "exercises")]


def _markdown(path):
    from steward import nbjson

    return [c.source for c in nbjson.read(path).cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS_07, ids=lambda p: p.parent.name)
def test_no_two_dollar_signs_pair_up_as_maths(path):
    """Issue 19 item 1: '\\$143k to \\$413k' rendered as italic maths in JupyterLab."""
    import re

    for source in _markdown(path):
        text = re.sub(r"\$\$.*?\$\$", "", source, flags=re.S)  # display maths, written as maths
        text = re.sub(r"`[^`]*`", "", text)
        for paragraph in re.split(r"\n\s*\n", text):
            assert paragraph.count("$") < 2, f"two dollar signs in one paragraph would pair as maths: {paragraph[:120]!r}"


#: Figures in module 07's Markdown that are not Cartwheel's: the essay's claims, the factsheet's worked
#: examples, the course's rules and conventions. Everything else with a unit must be a computed fact.
NOT_CARTWHEEL = {
    "30%": "the essay's 'cut infra costs by 30%'", "12%": "the essay's digest",
    "10%": "factsheet worked example", "11%": "factsheet worked example", "1 pp": "factsheet worked example",
    "1.85 pp": "factsheet worked example", "5%": "a test's nominal α", "80%": "headroom target / power",
    "40%": "the right-sizing rule (80% ÷ 2)", "99%": "the latency SLO's objective (checked below)",
    "1,000": "worked example", "1,100": "worked example", "10,000": "worked example / coin tosses",
    "5,200": "coin tosses", "14,750": "factsheet sample size", "14,400": "factsheet rule of thumb",
}


@pytest.mark.parametrize("path", NOTEBOOKS_07[:2], ids=lambda p: p.parent.name)
def test_markdown_states_no_cartwheel_figure_the_data_does_not_give(path, facts):
    """Caught '65.8%', '19 ms more p95', '\\$143k', '400,000 sessions' and '8% of experiments'."""
    assert 100 * cartwheel.LATENCY.objective == 99
    units = facts.by_unit()
    for source in _markdown(path):
        for q in L.extract_numbers(source):
            if q.text in NOT_CARTWHEEL or q.unit == "×" or (q.unit is None and (q.value < 1000 or 1900 <= q.value <= 2100)):
                continue
            assert any(L.matches_value(q, v) for v in units[q.unit or ""].values()), \
                f"{q.text!r} in {source[max(0, q.start - 60):q.end + 20]!r} is not a computed fact"
    text = "\n".join(_markdown(path))
    assert "8% of experiments" not in text and "Redis cache." not in text


def test_the_errors_guardrail_column_is_the_request_logs_rate_in_both_arms():
    from steward.datasets import ab_sessions, requests

    s = datagen.load("ab_sessions")
    rate = 1 - (1 - requests.SERVER_ERROR_RATE) ** cartwheel.CALLS_PER_SESSION
    assert ab_sessions.SESSION_ERROR_RATE == pytest.approx(rate) and ab_sessions.TREATMENT_ERROR_FACTOR == 1.0
    per_arm = s.groupby("arm").server_error.mean()
    se = math.sqrt(rate * (1 - rate) / (len(s) / 2))
    assert all(abs(per_arm - rate) < 4 * se)
    errors = L.error_guardrail(s)
    assert errors.ci_low < 0 < errors.ci_high, "the check fails open: no detectable change in errors"
    assert 0.2 < L.error_mde_relative(s) < 1.0, "guardrails on rare events need power too"


def test_a_significant_rise_in_errors_blocks_the_launch():
    s = datagen.load("ab_sessions").copy()
    treated = s.arm == "treatment"
    s.loc[treated, "server_error"] = s.loc[treated, "server_error"] | (s.loc[treated].index % 50 == 0)
    assert L.error_guardrail(s).ci_low > 0
    assert L.guardrail_decision(s) == "do not ship"


@given(st.floats(0.501, 0.7), st.integers(10, 200_000))
@FAST
def test_the_same_split_is_more_suspicious_in_a_bigger_test(share, n):
    assert L.srm_p_for_split(share, 2 * n) <= L.srm_p_for_split(share, n) + 1e-15
    assert (L.srm_p_for_split(share, n) < L.SRM_ALPHA) == (n >= L.srm_min_sessions(share)) or \
        abs(n - L.srm_min_sessions(share)) <= 1  # the boundary is exact up to float rounding


@given(st.floats(1e-6, 10), st.floats(0.5, 0.99))
@FAST
def test_mde_is_linear_in_the_standard_error_and_grows_with_power(se, power):
    assert L.minimum_detectable_effect(2 * se, power=power) == pytest.approx(2 * L.minimum_detectable_effect(se, power=power))
    assert L.minimum_detectable_effect(se, power=power) >= L.minimum_detectable_effect(se, power=0.5) - 1e-12


# -- is the number plausible? (Twyman's law) and the slice --------------------------------------------------
def test_revenue_claim_by_hand():
    s = datagen.load("ab_sessions")
    claim = L.revenue_claim(s)
    test = L.abandonment_test(s)
    n = cartwheel.sessions_per_month()
    point = n * L.cart_rate(s) * -test.diff * L.average_order_value(s)
    store = n * s.loc[s.arm == "control", "order_value"].mean()
    assert claim.share_point == pytest.approx(point / store)
    assert claim.orders_lift == pytest.approx(-test.diff / (1 - test.p1))
    assert claim.rescued_point == pytest.approx(-test.diff / cartwheel.STOCKOUT_CART_SHARE)
    assert claim.rescued_high == pytest.approx(-test.ci_low / cartwheel.STOCKOUT_CART_SHARE)
    # the share does not depend on the traffic figure: sessions multiply the claim and the store alike
    assert L.revenue_claim(s, sessions_per_month=1e6).share_point == pytest.approx(claim.share_point)
    # a recovered order is an average order, so the share of revenue is (nearly) the rise in orders
    assert claim.share_point == pytest.approx(claim.orders_lift, rel=0.05)


def test_the_slice_numbers_come_from_the_canon():
    s = datagen.load("ab_sessions")
    wider = L.slice_comparison(s, other_share=0.01)
    days = cartwheel.sessions_per_month() * cartwheel.AB_DAYS / cartwheel.WINDOW_DAYS
    assert wider.test_sessions == cartwheel.AB_SESSIONS
    assert wider.test_share == pytest.approx(cartwheel.ab_traffic_share())
    assert wider.other_sessions == pytest.approx(0.01 * days)
    assert wider.scale == pytest.approx(0.01 * days / cartwheel.AB_SESSIONS)
    assert wider.narrowing == pytest.approx(math.sqrt(wider.scale))
    assert wider.ci_half_pp == pytest.approx(wider.other_ci_half_pp * wider.narrowing)
    low, high = wider.revenue
    assert (low, high) == pytest.approx((L.impact_facts().revenue_low, L.impact_facts().revenue_high))
    o_low, o_high = wider.other_revenue
    assert (o_high - o_low) == pytest.approx((high - low) / wider.narrowing)
    point_per_day = L.impact_facts().revenue_point / cartwheel.WINDOW_DAYS
    assert wider.risk_per_day == pytest.approx(point_per_day * cartwheel.ab_traffic_share())
    assert wider.other_risk_per_day == pytest.approx(point_per_day * 0.01)
    with pytest.raises(ValueError):
        L.slice_comparison(s, other_share=0)


def test_the_reference_statement_states_its_share_of_revenue(facts):
    """The statement's model answer states the share, and the checker reads it as that share."""
    report = L.check_statement(L.impact_statement(facts), facts)
    assert report.ok
    assert any("share of monthly revenue" in matched for _, matched in report.numbers)
    # the share written as the change in abandonment is the right number in the wrong role
    wrong = L.impact_statement(facts).replace("cut cart abandonment from",
                                              f"cut cart abandonment by {facts.revenue_share_pct:.1f}%, from", 1)
    assert "wrong-role" in L.check_statement(wrong, facts).codes


def test_the_lesson_interrogates_its_own_claim():
    """Twyman's law with its source, the three checks, and the slice, computed in the lesson (no literal figures)."""
    from steward import nbjson

    cells = nbjson.read(NOTEBOOKS_07[0]).cells
    text = " ".join(" ".join(c.source for c in cells if c.cell_type == "markdown").split())
    assert '"any figure that looks interesting or different is usually wrong"' in text
    assert "Kohavi et al., KDD 2014" in text and "factsheet §7" in text
    for check in ("**The split.**", "**The step to every session.**", "**Novelty.**", "**Why such a small slice?**"):
        assert check in text
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert "lesson.revenue_claim(sessions)" in code and "lesson.slice_comparison(sessions" in code


def test_revenue_share_task_misconceptions_are_distinct():
    task = L.TASKS.revenue_share
    expected = task.expected
    assert expected == pytest.approx(L.revenue_claim(datagen.load("ab_sessions")).share_point)
    values = [m.example() for m in task.misconceptions]
    for value in values:
        assert not math.isclose(value, expected, rel_tol=1e-3)
        assert not task.check(value).passed
