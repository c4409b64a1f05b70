"""Module 04: the models against closed forms and the factsheet, the requests data's
realism, and every widget's compute over its controls' whole range."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward import cartwheel
from steward.datasets import requests as requests_data
from steward.lessons import quantify as q


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return q.requests_log()


# -- queueing: the factsheet's numbers -----------------------------------------------------
@pytest.mark.parametrize("rho, multiplier", [(0.5, 2), (0.8, 5), (0.9, 10), (0.95, 20), (0.99, 100)])
def test_mm1_hockey_stick(rho, multiplier):
    assert q.mm1_latency(rho, 1.0) == pytest.approx(multiplier)
    assert q.mm1_latency(rho, 3.0) == pytest.approx(3 * multiplier)


def test_mm1_refuses_an_overloaded_queue():
    for rho in (1.0, 1.5, -0.1, float("nan")):
        with pytest.raises(ValueError):
            q.mm1_latency(rho)


@pytest.mark.parametrize("c, p_wait", [(3, 0.702), (4, 0.320), (5, 0.130), (6, 0.047)])
def test_erlang_c_factsheet_values(c, p_wait):
    assert q.erlang_c(c, 2.5) == pytest.approx(p_wait, abs=5e-4)


def _erlang_c_textbook(c: int, a: float) -> float:
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@given(st.integers(1, 40), st.floats(0.01, 0.99))
def test_erlang_c_matches_the_textbook_formula(c, rho):
    a = rho * c
    assert q.erlang_c(c, a) == pytest.approx(_erlang_c_textbook(c, a), rel=1e-9)


def test_erlang_c_edges():
    assert q.erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = ρ
    assert q.erlang_c(3, 3.0) == 1.0 and q.erlang_c(3, 10.0) == 1.0
    assert q.erlang_c(200, 150.0) < 1e-3  # no overflow for large pools
    with pytest.raises(ValueError):
        q.erlang_c(0, 1.0)


@given(st.floats(0.0, 0.98))
def test_mmc_with_one_server_is_mm1(rho):
    assert q.mmc_latency(rho, 1, 2.0) == pytest.approx(q.mm1_latency(rho, 2.0))


@given(st.integers(1, 31), st.floats(0.05, 0.95))
def test_more_servers_at_the_same_utilization_wait_less(c, rho):
    assert q.mmc_latency(rho, c + 1) <= q.mmc_latency(rho, c) + 1e-12


def test_servers_needed():
    assert [q.servers_needed(2.5, t) for t in (0.75, 0.5, 0.2, 0.05)] == [3, 4, 5, 6]
    assert q.servers_needed(0.0, 0.01) == 1
    for a, t in q._ERLANG_CASES:
        c = q.servers_needed(a, t)
        assert q.erlang_c(c, a) <= t and (c - 1 <= a or q.erlang_c(c - 1, a) > t)


def test_littles_law():
    assert q.littles_law(20_000, 5.0) == pytest.approx(100)
    assert q.littles_law(0, 5.0) == 0
    with pytest.raises(ValueError):
        q.littles_law(-1, 5)


# -- tail at scale ---------------------------------------------------------------------------
def test_tail_at_scale_factsheet():
    assert q.fan_out_slow_share(100, 0.01) == pytest.approx(0.634, abs=5e-4)
    assert q.fan_out_slow_share(2000, 1e-4) == pytest.approx(0.18, abs=0.005)  # "almost 1 in 5"
    assert q.fan_out_slow_share(1, 0.01) == pytest.approx(0.01)


@given(st.integers(1, 5000), st.floats(0, 1))
def test_fan_out_share_is_a_probability_that_grows_with_fan_out(n, p):
    share = q.fan_out_slow_share(n, p)
    assert 0 <= share <= 1
    assert q.fan_out_slow_share(n + 1, p) >= share - 1e-12


@given(st.integers(1, 5000))
def test_per_server_budget_inverts_the_fan_out(n):
    assert q.fan_out_slow_share(n, q.per_server_budget(n, 0.01)) == pytest.approx(0.01, rel=1e-6)


# -- burn rates ---------------------------------------------------------------------------------
def test_burn_rate_table_budget_column():
    assert q.budget_consumed(14.4, 1, 720) == pytest.approx(0.02)
    assert q.budget_consumed(6, 6, 720) == pytest.approx(0.05)
    assert q.budget_consumed(1, 72, 720) == pytest.approx(0.10)
    for _action, long_w, short_w, burn, consumed in q.BURN_ALERTS:
        hours = pd.Timedelta(long_w) / pd.Timedelta("1h")
        assert q.budget_consumed(burn, hours) == pytest.approx(consumed)
        assert pd.Timedelta(short_w) * 12 == pd.Timedelta(long_w)  # the short window is 1/12 of the long


def test_burn_rate_of_a_known_frame():
    frame = pd.DataFrame({"status": [200] * 990 + [503] * 10, "latency_ms": [1.0] * 1000})
    assert q.burn_rate(frame, q.AVAILABILITY) == pytest.approx(10)
    frame.loc[0, "latency_ms"] = 250  # slow spends the latency budget, not the availability one
    frame.loc[1, "status"] = 404  # a client error spends neither
    assert q.burn_rate(frame, q.AVAILABILITY) == pytest.approx(10)
    assert q.budget_remaining_percent(frame, q.AVAILABILITY, 7) == pytest.approx(100 * (1 - 10 * 7 / 30))
    assert q.burn_rate(frame, q.LATENCY) == pytest.approx(0.001 / 0.01)
    assert q.budget_spent_percent(frame, q.LATENCY, 7) == pytest.approx(100 * 0.1 * 7 / 30)


def test_a_timed_out_call_is_failed_and_slow():
    """A 504 after the client's three 100 ms attempts spends both budgets; a fast 503 only one."""
    frame = pd.DataFrame({"status": [504, 503, 200], "latency_ms": [cartwheel.INVENTORY.worst_case_ms, 4.0, 1.0]})
    assert list(q.good_calls(frame, q.AVAILABILITY)) == [False, False, True]
    assert list(q.good_calls(frame, q.LATENCY)) == [False, True, True]


def test_the_slos_are_the_canons():
    """Module 04 builds on module 00's SLOs: the canon's objects, not local copies."""
    assert q.AVAILABILITY is cartwheel.AVAILABILITY and q.LATENCY is cartwheel.LATENCY
    assert q.SLO == cartwheel.AVAILABILITY.objective
    assert q.LATENCY_SLO_MS == cartwheel.LATENCY.threshold_ms
    assert q.ESSAY_RPS == cartwheel.PEAK_CALLS_PER_S and q.SAMPLE_RATE == cartwheel.REQUEST_LOG_SAMPLING
    assert q.FAN_OUT == cartwheel.ITEMS_PER_CALL
    with pytest.raises(ValueError):
        q.burn_rate(pd.DataFrame({"status": [200]}), 0.999)  # a bare number is no SLO


def test_the_weeks_p99_is_the_canons(log):
    assert q.percentile(log["latency_ms"], 0.99) == pytest.approx(cartwheel.call_p99_ms())
    assert q.TASKS.week_p99.expected == pytest.approx(cartwheel.call_percentile(log["latency_ms"]))


def test_the_week_is_inside_the_latency_slo_but_the_incident_is_not(log):
    """What the lesson says about the latency SLO, computed with the canon's SLI."""
    assert cartwheel.inside_latency_slo(log["latency_ms"])
    assert q.latency_compliance(log) >= q.LATENCY.objective
    incident = q.incident_requests(log)
    assert not cartwheel.inside_latency_slo(incident["latency_ms"])
    # the incident burns the availability budget much faster than the latency one
    assert q.burn_rate(incident, q.AVAILABILITY) > 10 * q.burn_rate(incident, q.LATENCY)


def test_timeouts_take_the_canons_worst_case(log):
    timeouts = log.loc[log["status"] == 504, "latency_ms"]
    assert len(timeouts) and (timeouts >= cartwheel.INVENTORY.worst_case_ms).all()


def test_multiwindow_alert_pages_during_the_incident_only(log):
    during = q.burn_rate_table(log, q.INCIDENT_END - pd.Timedelta("1min"))
    assert during.loc[0, "fires"] and during.loc[1, "fires"]
    quiet = q.burn_rate_table(log, pd.Timestamp("2024-03-05 15:00"))
    assert not quiet["fires"].any()


def test_find_incident(log):
    start, end = q.find_incident(log)
    assert abs(start - q.INCIDENT_START) <= pd.Timedelta("10min")
    assert abs(end - q.INCIDENT_END) <= pd.Timedelta("10min")


# -- percentiles -----------------------------------------------------------------------------------
def test_percentile_matches_numpy_and_pandas():
    values = np.random.RandomState(1).lognormal(0, 1, 1001)
    assert q.percentile(values, 0.99) == pytest.approx(np.percentile(values, 99))
    assert q.percentile(pd.Series(values), 0.5) == pytest.approx(pd.Series(values).quantile(0.5))
    assert q.percentile([1.0, float("nan"), 3.0], 0.5) == 2.0  # NaNs are dropped


@pytest.mark.parametrize("bad", [[], [float("nan")], "fast", None])
def test_percentile_refuses_what_it_cannot_summarise(bad):
    with pytest.raises(ValueError):
        q.percentile(bad, 0.99)


@pytest.mark.parametrize("bad_q", [-0.1, 1.5, "p99", True, float("nan")])
def test_percentile_refuses_a_bad_quantile(bad_q):
    with pytest.raises(ValueError):
        q.percentile([1.0, 2.0], bad_q)


def test_percentile_labels():
    assert [q.percentile_label(x) for x in (0.5, 0.95, 0.99, 0.999)] == ["p50", "p95", "p99", "p99.9"]


def test_averaged_percentile_differs_from_the_percentile(log):
    true = q.percentile(log["latency_ms"], 0.99)
    assert abs(q.averaged_percentile(log) - true) / true > 0.05


def test_averaging_percentiles_is_wrong_even_for_two_windows():
    quiet = pd.DataFrame({"timestamp": pd.Timestamp("2024-01-01 00:30"), "latency_ms": np.linspace(1, 2, 100)})
    busy = pd.DataFrame({"timestamp": pd.Timestamp("2024-01-01 01:30"), "latency_ms": np.linspace(1, 100, 1000)})
    both = pd.concat([quiet, busy], ignore_index=True)
    assert q.averaged_percentile(both) != pytest.approx(q.percentile(both["latency_ms"], 0.99), rel=0.01)


def test_frames_with_bad_shapes_get_value_errors():
    for bad in (None, "requests", pd.DataFrame(), pd.DataFrame({"x": [1]})):
        with pytest.raises(ValueError):
            q.p99_per_endpoint(bad)
        with pytest.raises(ValueError):
            q.throughput_rps(bad)


def test_throughput_scales_the_sample():
    frame = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=600, freq="1s")})
    assert q.throughput_rps(frame, "10min", sample_rate=100).iloc[0] == pytest.approx(100)


# -- the sentence ---------------------------------------------------------------------------------
def test_claim_parts():
    assert len(q.claim_missing("It's fast.")) == 4
    assert q.claim_missing("p99 under 10 ms at 14,000 requests/s over 7 days") == []
    assert q.claim_missing("99th percentile below 10 milliseconds at 14k rps over a week") == []
    assert q.claim_load("p99 under 10 ms at 14k rps over a week") == 14_000
    assert q.claim_load("p99 under 10 ms at 20 000 requests per second over 7 days") == 20_000


def test_claim_from_data_passes_its_own_lint(log):
    sentence = q.claim_from_data(log)
    assert q.claim_missing(sentence) == []
    assert q.claim_load(sentence) == q.max_load_under(log)


# -- coordinated omission ----------------------------------------------------------------------------
def test_closed_loop_under_reports_the_tail():
    result = q.simulate_load_test(rate_rps=200, stall_s=2.0)
    closed, open_ = (np.quantile(result[k], 0.99) for k in ("closed loop", "open loop"))
    assert closed == pytest.approx(1.0)  # the stall hides in one sample
    assert open_ > 100 * closed
    assert result["closed loop"].max() == pytest.approx(2001, abs=1)  # it did see the stall, once
    assert len(result["closed loop"]) < len(result["open loop"])  # it stopped sending


def test_no_stall_no_difference():
    result = q.simulate_load_test(rate_rps=300, stall_s=0.0)
    assert np.allclose(result["open loop"], 1.0) and np.allclose(result["closed loop"], 1.0)


def test_open_loop_queue_drains_as_lindley_says():
    # rate 100/s, 1 ms service, 1 s stall at t=10 (from 10.001: the request sent at 10.000 is
    # served first). The next, sent at 10.010, waits until 11.001 and takes 1 ms: 992 ms.
    result = q.simulate_load_test(rate_rps=100, stall_s=1.0, duration_s=20, stall_at_s=10)
    open_ = result["open loop"]
    assert open_.max() == pytest.approx(992, abs=0.01)
    # ~99 sent during the stall, then ~11 more arrive while the 99 ms backlog drains.
    assert 100 <= (open_ > 1.5).sum() <= 115


def test_load_test_refuses_an_impossible_rate():
    with pytest.raises(ValueError):
        q.simulate_load_test(rate_rps=2000, service_ms=1.0)


# -- the data behaves like the real thing -------------------------------------------------------------
def test_diurnal_peak_to_trough(log):
    hourly = q.throughput_rps(log, "1h")
    by_hour = hourly.groupby(hourly.index.hour).mean()
    assert by_hour.max() / by_hour.min() > 3
    assert by_hour.idxmax() in range(17, 23) and by_hour.idxmin() in range(2, 8)
    assert 17_000 < hourly.max() < 22_000  # peaks near 20,000 requests/s, scaled from the sample


def test_weekends_are_busier(log):
    daily = log.groupby(log["timestamp"].dt.day_of_week).size()
    assert daily[[5, 6]].mean() > daily[[0, 1, 2]].mean()


def test_hits_are_much_faster_than_misses(log):
    medians = log.groupby("cache_hit")["latency_ms"].median()
    assert medians[False] > 2.5 * medians[True]


def test_long_right_tail(log):
    latency = log["latency_ms"]
    assert latency.mean() > latency.median() * 1.2
    assert latency.quantile(0.999) > 4 * latency.quantile(0.99)


def test_incident_has_elevated_errors_and_latency(log):
    inside = q.incident_requests(log)
    outside = log.drop(inside.index)
    assert (inside["status"] >= 500).mean() > 20 * (outside["status"] >= 500).mean()
    assert inside["latency_ms"].quantile(0.99) > 3 * outside["latency_ms"].quantile(0.99)


def test_p99_rises_with_load(log):
    table = q.latency_vs_load(log)
    busy = table[table["requests"] > 2000]
    assert busy["p99_ms"].iloc[-1] > 1.5 * busy["p99_ms"].iloc[0]
    assert np.corrcoef(busy.index, busy["p99_ms"])[0, 1] > 0.8
    limit = q.max_load_under(log)
    assert 8_000 <= limit <= 18_000  # p99 crosses 10 ms inside the week's range of loads


def test_misses_are_the_main_but_not_only_cause_of_slow_requests(log):
    """What module 06 will test: most slow requests are misses, yet slowness has other causes."""
    calm = log.drop(q.incident_requests(log).index)
    slow = calm[calm["latency_ms"] > calm["latency_ms"].quantile(0.99)]
    assert (~slow["cache_hit"]).mean() > 0.5
    assert slow["cache_hit"].mean() > 0.1
    hits = calm[calm["cache_hit"]]
    by_endpoint = hits.groupby("endpoint")["latency_ms"].quantile(0.99)
    by_region = hits.groupby("region")["latency_ms"].quantile(0.99)
    assert by_endpoint.idxmax() == "cart" and by_region.idxmax() == "ap-south"


def test_sample_rate_is_documented():
    assert f"1 in {requests_data.SAMPLE_RATE:,}" in requests_data.DATASET.description


# -- widgets: every value of every control --------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 0.99), st.integers(1, 32), st.floats(0.5, 50.0))
def test_queueing_state_over_its_controls(rho, c, service):
    state = q.queueing_state(rho, c, service)
    assert state["mm1_ms"] >= state["mmc_ms"] * (1 - 1e-9) or c == 1
    assert state["mmc_ms"] >= service * (1 - 1e-12)
    assert 0 <= state["p_wait"] <= 1
    assert state["in_flight"] == pytest.approx(state["throughput_rps"] * state["mmc_ms"] / 1000)
    assert np.all(np.isfinite(state["curve_mmc"]))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 2000), st.sampled_from([p for _, p in q.P_SLOW_OPTIONS]))
def test_fan_out_state_over_its_controls(n, p):
    state = q.fan_out_state(n, p)
    assert 0 < state["slow_share"] < 1 and 0 < state["per_server_for_1pct"] <= 0.01 + 1e-12


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 5.0), st.integers(1, 18).map(lambda k: 50 * k))
def test_load_test_state_over_its_controls(stall, rate):
    state = q.load_test_state(stall, rate)
    assert np.all(np.isfinite(state["open"])) and np.all(np.isfinite(state["closed"]))
    assert state["open_p99"] >= state["closed_p99"] - 1e-9
    assert state["open_n"] >= state["closed_n"]


@pytest.mark.parametrize("name", sorted(q.APPS))
def test_every_app_accepts_every_control_value(name):
    app = q.APPS[name]()
    for control_name, control in app.inputs.items():
        if hasattr(control, "options"):
            values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        else:
            values = [control.min, control.max, (control.min + control.max) / 2]
            if isinstance(control.value, int):
                values = [int(v) for v in values]
        for value in values:
            app.set(**{control_name: value})
            assert app.error is None, f"{name}: {control_name}={value!r} gave {app.error}"
            assert app.figure.title and "…" not in app.figure.title


# -- a careful writer's claim passes -------------------------------------------------------------------
CAREFUL_CLAIMS = [
    "p99 latency under 10 ms at up to {n} requests/s, measured over the week of 4–10 March",
    "Over the week of 4-10 March 2024, the 99th percentile stayed below 10 ms up to {n} calls/s.",
    "P99 < 10ms at up to {n} calls per second (production, 2024-03-04 to 2024-03-10).",
    "Measured from March 4 to March 10: p99 under 10 milliseconds at loads up to {n} req/s.",
    "Last week the p99 stayed under 10 ms up to {n} rps; the peak was 20,000 requests/s.",
    "p99 under 10.0 ms at up to {n} calls a second, over a 7-day window of real traffic.",
    "Our 99th-percentile latency was below 10 ms at up to {k}k requests per second over 168 hours.",
]


@pytest.mark.parametrize("template", CAREFUL_CLAIMS)
def test_careful_phrasings_of_the_claim_pass(template):
    expected = q.TASKS.claim.expected
    sentence = template.format(n=f"{expected:,.0f}", k=f"{expected / 1000:g}")
    assert q.claim_missing(sentence) == [], sentence
    outcome = q.TASKS.claim.check(sentence)
    assert outcome.status == "pass", (sentence, outcome.message)


@pytest.mark.parametrize("sentence", [
    "It's fast, we load-tested it.",
    "p99 under 10 ms at up to 14,000 requests/s.",  # no window
    "p99 under 10 ms over the week of 4–10 March.",  # no load
])
def test_claims_missing_a_part_still_fail(sentence):
    assert q.claim_missing(sentence)


def test_claim_loads_reads_every_load():
    assert q.claim_loads("up to 14,000 calls/s; the peak was 20k rps") == [14_000, 20_000]
    assert q.claim_loads("14 000 requests per second") == [14_000]
    assert q.claim_loads(None) == []


# -- Little's law is the mean: what a pool must hold ---------------------------------------------------
def test_little_per_window_matches_the_busiest_window(log):
    by_window = q.in_flight_by_window(log)
    busiest = q.throughput_rps(log).idxmax()
    assert by_window[busiest] == pytest.approx(q.in_flight_at_peak(log))


def test_the_fullest_window_is_not_the_busiest(log):
    """The defect: the lesson called the busiest window's mean 'what a pool must hold'."""
    by_window = q.in_flight_by_window(log)
    fullest = by_window.idxmax()
    assert q.worst_in_flight(log) > 2 * q.in_flight_at_peak(log)
    assert q.INCIDENT_START <= fullest < q.INCIDENT_END  # the slow downstream fills the pool
    sizes = list(q.pool_sizes(log).values())
    assert sizes == sorted(sizes), "the candidate sizes run from the mean to the bound"
    assert sizes[-1] == pytest.approx(cartwheel.PEAK_CALLS_PER_S * cartwheel.INVENTORY.worst_case_ms / 1000)


@pytest.mark.parametrize("mean", [0.0, 0.5, 4.0, 130.5, 2500.0])
def test_in_flight_quantile_is_the_poisson_quantile(mean):
    draws = np.random.RandomState(3).poisson(mean, 200_000)
    for level in (0.5, 0.99, 0.999):
        got = q.in_flight_quantile(mean, level)
        assert (draws <= got).mean() >= level - 2e-3
        assert got == 0 or (draws <= got - 1).mean() < level + 2e-3


def test_in_flight_quantile_refuses_nonsense():
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            q.in_flight_quantile(bad)


# -- the averaged-percentile demo quotes one sample -----------------------------------------------------
def test_averaging_demo_counts_the_sample_it_computes_on(log):
    """The defect: the demo computed on cart but quoted every endpoint's hourly counts."""
    cart = log[log["endpoint"] == "cart"]
    demo = q.averaging_demo(cart)
    assert demo["rows"] == len(cart)
    assert demo["windows"] == len(q.window_percentiles(cart, "1h"))
    assert demo["true"] == pytest.approx(q.percentile(cart["latency_ms"], 0.99))
    assert demo["averaged"] == pytest.approx(q.averaged_percentile(cart, "1h"))
    everyone = q.averaging_demo(log)
    assert demo["most_rows"] < everyone["most_rows"]


# -- bootstrap intervals --------------------------------------------------------------------------------
@pytest.mark.parametrize("values, level", [
    ([1.0, 2.0, 3.0, 4.0], 0.5), ([1.0, 2.0, 3.0, 4.0], 0.9), ([1.0, 3.0, 4.0, 8.0, 9.0], 0.75),
    ([2.0, 2.0, 5.0, 7.0, 11.0], 0.99),
])
def test_order_statistic_bootstrap_is_the_naive_bootstrap_exactly(values, level):
    """Against the exact bootstrap distribution: every one of the nⁿ equally likely resamples."""
    import itertools

    values = np.asarray(values)
    exact: dict[float, float] = {}
    resamples = list(itertools.product(values, repeat=len(values)))
    for resample in resamples:
        key = round(float(np.quantile(resample, level)), 9)
        exact[key] = exact.get(key, 0.0) + 1 / len(resamples)
    draws = np.round(q.bootstrap_quantile(values, level, resamples=200_000, seed=3), 9)
    support, counts = np.unique(draws, return_counts=True)
    assert set(support) <= set(exact)
    for value, probability in exact.items():
        assert counts[support == value].sum() / draws.size == pytest.approx(probability, abs=0.005), value


def test_bootstrap_is_seeded_and_checks_its_input():
    values = np.arange(1000.0)
    assert np.array_equal(q.bootstrap_quantile(values, 0.99, 50, seed=1), q.bootstrap_quantile(values, 0.99, 50, seed=1))
    low, high = q.quantile_interval(values, 0.5)
    assert low < 499.5 < high
    for bad in ([], [float("nan")]):
        with pytest.raises(ValueError):
            q.bootstrap_quantile(bad, 0.99)
    with pytest.raises(ValueError):
        q.bootstrap_quantile(values, 0.99, resamples=0)
    with pytest.raises(ValueError):
        q.interval(values, level=1.5)


def test_p999_interval_is_wide_and_holds_the_estimate(log):
    estimate = q.percentile(log["latency_ms"], 0.999)
    low, high = q.quantile_interval(log["latency_ms"], 0.999)
    assert low < estimate < high
    p99_low, p99_high = q.quantile_interval(log["latency_ms"], 0.99)
    assert (high - low) / estimate > 5 * (p99_high - p99_low) / q.percentile(log["latency_ms"], 0.99)


def test_counting_rule_gives_the_same_crossing_as_the_quantiles(log):
    assert q.max_load_by_counts(log) == q.max_load_under(log)
    for threshold in (6.0, 8.0, 12.0):
        assert q.max_load_by_counts(log, threshold) == q.max_load_under(log, threshold)


def test_crossing_load_on_a_tiny_table():
    rows = np.array([100, 100, 100])
    slow = np.array([0, 2, 5])  # rows at or above the threshold
    load = np.array([500, 1500, 2500])
    assert q.crossing_load(rows, slow, load, 1000, 0.99)[0] == 1000
    for n_slow in range(6):  # the counting rule agrees with np.quantile's interpolated p99
        values = np.r_[np.ones(100 - n_slow), np.full(n_slow, 20.0)]
        crossed = q.crossing_load([100], [n_slow], [500], 1000, 0.99)[0] == 0
        assert crossed == (np.quantile(values, 0.99) >= 10.0), n_slow
    assert q.crossing_load(rows, np.zeros(3), load, 1000, 0.99)[0] == 3000  # never crosses: the top


def test_bootstrap_of_the_crossing_load_matches_a_naive_resample(log):
    fast = q.bootstrap_max_load(log, resamples=1000)
    rng = np.random.RandomState(11)
    naive = np.array([q.max_load_by_counts(log.iloc[rng.randint(0, len(log), len(log))]) for _ in range(25)])
    point = q.max_load_under(log)
    assert (fast == point).mean() > 0.2  # the estimate is a common draw, not a fluke
    for value in np.unique(naive):
        assert (fast == value).mean() > 0.05 or (naive == value).mean() < 0.1
    low, high = q.interval(fast)
    assert low <= point <= high


# -- the notebooks' Markdown quotes Cartwheel only through the canon ------------------------------------
FIGURE = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s*(ms|%|×|calls/s|requests/s|requests per second|/s|servers|items|rows)(?!\w)")
#: Figures the Markdown may state that are not Cartwheel's: each with where it comes from.
SOURCED_FIGURES = {
    "10 ms": "the essay's target (its 'under 10 ms'), module 04's TARGET_MS",
    "1 ms": "the coordinated-omission simulation's service time",
    "1%": "the definition of a p99 / the latency budget's 1 − 0.99",
    "95%": "the definition of a p95 and of a 95% interval",
    "1,000 requests/s": "the lesson's load bin (LOAD_BIN_RPS)", "1,000 calls/s": "the lesson's load bin",
    "63%": "Dean & Barroso 2013", "2,000 servers": "Dean & Barroso 2013", "1,800 ms": "Dean & Barroso 2013",
    "74 ms": "Dean & Barroso 2013", "2%": "Dean & Barroso 2013; SRE workbook table 5-8",
    "14.4×": "SRE workbook table 5-8", "6×": "SRE workbook table 5-8", "1×": "SRE workbook table 5-8",
    "5%": "SRE workbook table 5-8", "10%": "SRE workbook table 5-8",
    "70.2%": "factsheet §5, Erlang C", "32.0%": "factsheet §5", "13.0%": "factsheet §5", "4.7%": "factsheet §5",
    "2.5 servers": "factsheet §5 (the Erlang C example's offered load)",
    "2×": "factsheet §5, M/M/1", "10×": "factsheet §5, M/M/1", "100×": "factsheet §5, M/M/1",
    "80%": "factsheet §5, M/M/1", "90%": "factsheet §5, M/M/1",
}


def _canon_figures() -> set[str]:
    return {
        f"{cartwheel.LATENCY.threshold_ms:.0f} ms",
        f"{100 * cartwheel.LATENCY.objective:g}%",
        f"{100 * cartwheel.AVAILABILITY.objective:g}%",
        f"{cartwheel.PEAK_CALLS_PER_S:,} requests/s",
        f"{cartwheel.PEAK_CALLS_PER_S:,} requests per second",  # the essay's words, equal to the canon's peak
    }


@pytest.mark.parametrize("folder", ["notebooks", "solutions"])
def test_markdown_states_no_cartwheel_figure_the_canon_does_not_produce(folder):
    """The old lesson said '40 items', 'about 300 rows, ±6%', '≈ 18% of page views', '1-in-40,000':
    figures typed in by hand. Now they are printed by code or equal the canon."""
    path = Path(__file__).resolve().parents[1] / folder / "04-quantify-everything.ipynb"
    allowed = _canon_figures() | set(SOURCED_FIGURES)
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        for match in FIGURE.finditer(source):
            figure = re.sub(r"\s+", " ", match.group(0)).replace(" ×", "×")
            assert figure in allowed, f"{folder}: {figure!r} is neither the canon's nor sourced: print it from code"


def test_lesson_builds_on_module_00s_slos():
    path = Path(__file__).resolve().parents[1] / "notebooks" / "04-quantify-everything.ipynb"
    text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown")
    section = text[text.index("## Two SLOs"):]
    section = section[:section.index("\n## ", 1)]
    assert "Module 00" in section and "time-based" in section and "request-based" in section
    assert "non-5xx answer within" not in text  # the old combined SLO is gone


def test_tail_at_scale_starts_at_the_calls_fan_out():
    app = q.TailAtScale()
    assert app.inputs["servers"].value == cartwheel.ITEMS_PER_CALL
    assert app.state["slow_share"] == pytest.approx(q.fan_out_slow_share(cartwheel.ITEMS_PER_CALL, 0.01))


@pytest.mark.parametrize("text, loads", [
    ("14,000 requests/s", [14_000]), ("14,000 requests per second", [14_000]), ("14,000 calls a second", [14_000]),
    ("14k req/s", [14_000]), ("14,000 requests/sec", [14_000]), ("14000 rps", [14_000]),
    ("14,000 requests as seen on the dashboard", []), ("30 calls a session", []),
])
def test_what_counts_as_a_load(text, loads):
    assert q.claim_loads(text) == loads


def test_a_tiny_share_never_reads_as_p100():
    """The tail-at-scale caption once said 'its p100' for 1 time in 198,999 (issue 19)."""
    percentile_label = q.percentile_label

    assert percentile_label(1 - 1 / 198_999) == "p99.9995"
    assert percentile_label(1 - 0.01) == "p99" and percentile_label(1 - 0.001) == "p99.9"
