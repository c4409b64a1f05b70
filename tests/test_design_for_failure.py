"""Module 03 — design for failure: the closed forms, the simulators that must agree with
them, the breaker's state machine, the widgets over every control value, and the tasks'
custom comparators."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS
from steward.lessons import design_for_failure as lesson
from steward.lessons import resilience_sim as sim
from steward.lessons.resilience_sim import (
    CLOSED,
    HALF_OPEN,
    OPEN,
    Breaker,
    BreakerConfig,
    Client,
    Scenario,
)


@pytest.fixture(autouse=True)
def _private_progress(progress_file):
    return progress_file


# -- availability ---------------------------------------------------------------------------
def test_series_and_parallel_match_the_factsheet():
    assert lesson.series(0.999, 0.999, 0.999) == pytest.approx(0.997, abs=5e-4)   # 0.999³ ≈ 0.997
    assert lesson.parallel(0.99, 0.99) == pytest.approx(0.9999)                   # two 99% → 99.99%
    assert lesson.series() == 1.0


def test_nines_table_matches_the_factsheet():
    table = lesson.nines_table()
    assert table.loc["99%", "per year"] == "3.65 d"
    assert table.loc["99.9%", "per month"] == "43.2 min"
    assert table.loc["99.99%", "per week"] == "1.01 min"
    assert table.loc["99.999%", "per month"] == "25.9 s"
    assert table.loc["99.95%", "per year"] == "4.38 h"


def test_one_zone_caps_the_replicas():
    for replicas in range(1, 7):
        tier = lesson.replica_tier(0.99, replicas, zones=1, zone=0.999)
        assert tier <= 0.999 + 1e-12
    assert lesson.replica_tier(0.99, 3, zones=3, zone=0.999) > lesson.replica_tier(0.99, 3, zones=1, zone=0.999)
    assert lesson.replica_tier(0.99, 0, zones=3, zone=0.999) == 0.0


@pytest.mark.parametrize("path", [
    lesson.Path(),
    lesson.Path(zones=1),
    lesson.Path(fallback=True),
    lesson.Path(replicas=0, fallback=True),
    lesson.Path(replica=0.9, replicas=5, zones=2, zone=0.95, inventory=0.99, fallback=True, popular=0.97),
    lesson.Path(replica=0.8, replicas=2, zones=3, zone=0.9, redis=0.95, inventory=0.9, edge=0.99),
])
def test_monte_carlo_agrees_with_the_closed_form(path):
    trials = 400_000
    exact = lesson.path_availability(path)
    simulated = lesson.simulate_path(path, trials=trials, seed=1)
    sigma = math.sqrt(max(exact * (1 - exact), 1e-12) / trials)
    assert abs(simulated - exact) <= 5 * sigma + 1e-6


@given(replica=st.floats(0, 1), replicas=st.integers(0, 8), zones=st.integers(1, 4), zone=st.floats(0, 1))
def test_replica_tier_is_a_probability_and_monotone(replica, replicas, zones, zone):
    tier = lesson.replica_tier(replica, replicas, zones, zone)
    assert 0 <= tier <= 1
    assert tier <= zone * (1 if replicas else 0) + 1e-12 or zones > 1
    assert lesson.replica_tier(replica, replicas + 1, zones, zone) >= tier - 1e-12


def test_bad_availability_gets_a_plain_message():
    with pytest.raises(ValueError, match="between 0 and 1"):
        lesson.series(99.9)
    with pytest.raises(ValueError, match="between 0 and 1"):
        lesson.nines(float("nan"))


# -- amplification and blast radius ----------------------------------------------------------
@given(tries=st.integers(1, 5), layers=st.integers(1, 6))
def test_amplification_is_the_product_of_tries(tries, layers):
    calls = lesson.amplification(tries, layers)
    assert calls[-1] == tries**layers == lesson.count_calls([tries] * layers)
    assert lesson.amplification(tries, layers, "top layer only")[-1] == tries


def test_factsheet_243():
    assert lesson.amplification(3, 5)[-1] == 243


def test_shuffle_sharding_matches_the_factsheet():
    shares = lesson.shuffle_shard_shares(8, 2)
    assert shares["combinations"] == 28
    assert shares["plain shards"] == pytest.approx(0.25)
    assert lesson.shuffle_shard_shares(10, 1)["one cell fails"] == pytest.approx(0.1)  # 90% unaffected


@pytest.mark.parametrize("cells, k", [(8, 2), (12, 3), (6, 1), (10, 4)])
def test_shuffle_sharding_monte_carlo(cells, k):
    exact = lesson.shuffle_shard_shares(cells, k)
    simulated = lesson.simulate_shuffle_sharding(cells, k, customers=40_000, seed=2)
    for key in ("same shuffle shard", "share a cell"):
        p = exact[key]
        assert abs(simulated[key] - p) <= 5 * math.sqrt(p * (1 - p) / 40_000) + 1e-4


def test_shard_bigger_than_cells_is_a_plain_message():
    with pytest.raises(ValueError, match="more cells"):
        lesson.shuffle_shard_shares(3, 4)


# -- the circuit breaker ------------------------------------------------------------------------
def replay(stream, config=sim.EXERCISE_BREAKER):
    return sim.run_stream(lambda b, now, failed: sim.transition(b, now, failed, config), stream)


def test_breaker_needs_the_minimum_calls():
    states = replay([(i, True) for i in range(4)])
    assert states == (CLOSED,) * 4
    assert replay([(i, True) for i in range(5)])[-1] == OPEN


def test_breaker_rejects_calls_while_open_then_trials():
    config = sim.EXERCISE_BREAKER
    stream = [(i, True) for i in range(5)]                 # opens at t=4
    stream += [(10, False), (20, False)]                   # still within 30 s: rejected, stays OPEN
    stream += [(40, False), (41, False), (42, False)]      # three trials succeed → CLOSED
    states = replay(stream, config)
    assert states[4:7] == (OPEN, OPEN, OPEN)
    assert states[7:] == (HALF_OPEN, HALF_OPEN, CLOSED)


def test_failed_trials_reopen():
    stream = [(i, True) for i in range(5)] + [(40, True), (41, False), (42, True)]
    assert replay(stream)[-1] == OPEN


def test_resilience4j_defaults_are_the_documented_ones():
    d = sim.RESILIENCE4J_DEFAULTS
    assert (d.failure_rate, d.window, d.min_calls, d.wait_s, d.half_open_calls) == (0.5, 100, 100, 60.0, 10)


events = st.lists(st.tuples(st.floats(0, 50), st.booleans()), max_size=60)


@given(events=events, config=st.builds(BreakerConfig, window=st.integers(1, 12), min_calls=st.integers(1, 12),
                                       failure_rate=st.sampled_from([0.25, 0.5, 0.75, 1.0]),
                                       wait_s=st.floats(0, 60), half_open_calls=st.integers(1, 5)))
def test_breaker_properties(events, config):
    stream, now = [], 0.0
    for gap, failed in events:
        now += gap
        stream.append((now, failed))
    breaker, previous = Breaker(), CLOSED
    trials_in_a_row = 0
    for now, failed in stream:
        breaker = sim.transition(breaker, now, failed, config)
        state = breaker.state
        assert state in sim.STATES
        assert not (previous == OPEN and state == CLOSED and config.half_open_calls > 1), "OPEN goes through HALF_OPEN"
        if state == HALF_OPEN:
            trials_in_a_row += 1
            assert trials_in_a_row < config.half_open_calls
        else:
            trials_in_a_row = 0
        assert len(breaker.window) <= config.window
        if state == CLOSED:
            window = breaker.window
            assert not (len(window) >= config.min_calls and sum(window) / len(window) >= config.failure_rate)
        previous = state


@given(st.lists(st.floats(0, 10), max_size=40))
def test_all_successes_never_open(gaps):
    now, breaker = 0.0, Breaker()
    for gap in gaps:
        now += gap
        breaker = sim.transition(breaker, now, False)
        assert breaker.state == CLOSED


def test_streams_reach_every_state_and_tell_the_misconceptions_apart():
    streams = sim.breaker_streams()
    reference = [replay(s) for s in streams]
    assert {state for states in reference for state in states} == set(sim.STATES)
    wrongs = [m.example() for m in lesson.TASKS.breaker_transition.misconceptions]
    outcomes = [[sim.run_stream(fn, s) for s in streams] for fn in wrongs]
    for i, outcome in enumerate(outcomes):
        assert outcome != reference
        for other in outcomes[i + 1:]:
            assert outcome != other


def test_transition_check_explains_a_bad_return():
    task = lesson.TASKS.breaker_transition
    assert task.evaluate(lambda b, now, failed: "closed")[0] == NOT_YET
    assert "Breaker" in task.evaluate(lambda b, now, failed: "closed")[1]
    assert task.evaluate(lambda b, now, failed: None)[0] == NOT_ATTEMPTED
    assert task.evaluate(lambda b, now: b)[0] == NOT_YET
    assert task.evaluate(sim.transition)[0] == PASS


# -- the retry-storm simulator ---------------------------------------------------------------
def test_simulator_agrees_with_the_closed_form_for_independent_errors():
    """Healthy service, each call fails with p: calls per request = 1 + p + … + p^r and
    success = 1 − p^(r+1), while the load stays under capacity."""
    for p, retries in ((0.1, 3), (0.3, 2), (0.5, 1), (0.2, 0)):
        scenario = Scenario(demand=0.4, fault_duration_s=0, error_rate=p, horizon_s=60)
        run = sim.simulate(Client("t", retries=retries), scenario)
        user_rate = run.requests.sum() / scenario.horizon_s
        assert run.load_rps.mean() / user_rate == pytest.approx(sim.expected_tries(p, retries), rel=0.02)
        assert run.ok.sum() / run.requests.sum() == pytest.approx(1 - p ** (retries + 1), rel=0.01)


def test_a_healthy_service_stays_healthy():
    for client in sim.CLIENTS.values():
        run = sim.simulate(client, Scenario(fault_duration_s=0))
        assert np.nanmin(run.success_rate) >= 0.99
        assert run.recovery_s == 0.0


def test_the_storm_is_metastable_and_the_mechanisms_recover():
    """Naive retries keep the service down after the fault; backoff, the breaker and the
    budget each bring it back, at different speeds."""
    runs = {name: sim.simulate(c) for name, c in sim.CLIENTS.items()}
    assert runs["naive retries"].recovery_s is None
    recovered = {name: r.recovery_s for name, r in runs.items() if name != "naive retries"}
    assert all(v is not None for v in recovered.values())
    assert recovered["circuit breaker"] < recovered["backoff + jitter"] < recovered["retry budget"]
    naive = runs["naive retries"]
    end = naive.scenario.fault_end_s
    assert naive.load_rps[naive.time_s > end + 5].mean() > 1.5 * naive.scenario.capacity_rps
    fallback = runs["breaker + fallback"]
    served = fallback.served_rate[~np.isnan(fallback.served_rate)]
    assert served.min() > 0.8 and served.mean() > 0.97


@pytest.mark.parametrize("retries", [1, 2, 3, 4])
def test_naive_storm_threshold_matches_the_closed_form(retries):
    """Immediate retries sustain the storm exactly when (retries + 1) × traffic ≥ capacity."""
    threshold = sim.storm_threshold(retries)
    below = sim.simulate(Client("n", retries=retries), Scenario(demand=0.85 * threshold))
    above = sim.simulate(Client("n", retries=retries), Scenario(demand=1.1 * threshold))
    assert below.recovery_s is not None and above.recovery_s is None


def test_without_a_fault_nobody_needs_to_recover():
    run = sim.simulate(sim.CLIENTS["naive retries"], Scenario(fault_capacity=1.0))
    assert run.recovery_s == 0.0


def test_simulator_is_deterministic():
    a = sim.simulate(sim.CLIENTS["backoff + jitter"])
    b = sim.simulate(sim.CLIENTS["backoff + jitter"])
    assert np.array_equal(a.load_rps, b.load_rps) and np.array_equal(a.p99_ms, b.p99_ms, equal_nan=True)


def test_p99_when_healthy_is_the_service_time_tail():
    scenario = Scenario(fault_duration_s=0, error_rate=0.0)
    run = sim.simulate(Client("t", retries=0), scenario)
    expected = (scenario.service_shift_s + scenario.service_mean_s * math.log(100)) * 1000  # shifted exponential's p99
    assert np.nanmedian(run.p99_ms) == pytest.approx(expected, rel=0.1)


@settings(max_examples=25, deadline=None)
@given(demand=st.floats(0, 1.5), fault=st.floats(0, 20), capacity=st.floats(0, 1), retries=st.integers(0, 5),
       base=st.floats(0, 1), budget=st.one_of(st.none(), st.floats(0, 1)), breaker=st.booleans(),
       bound=st.one_of(st.just(math.inf), st.floats(0, 3)), drop=st.booleans())
def test_simulator_accepts_any_sensible_input(demand, fault, capacity, retries, base, budget, breaker, bound, drop):
    client = Client("h", retries=retries, backoff_base_s=base, breaker=breaker, budget_ratio=budget)
    run = sim.simulate(client, Scenario(demand=demand, fault_duration_s=fault, fault_capacity=capacity,
                                        queue_limit_s=bound, drop_expired=drop))
    assert np.all(run.shed >= -1e-9) and np.all(run.dropped >= -1e-9) and 0 <= run.wasted_share() <= 1
    assert np.all(run.load_rps >= 0) and np.all(run.queue >= 0)
    assert np.all(run.ok >= -1e-9)
    finite = run.success_rate[~np.isnan(run.success_rate)]
    assert np.all((finite >= -1e-9) & (finite <= 1 + 1e-9))
    assert run.load_rps.max() <= Scenario().slots / sim.DT + 1e-6


def test_simulator_rejects_nonsense_plainly():
    with pytest.raises(ValueError, match="share"):
        sim.simulate(Client("x"), Scenario(fault_capacity=2))
    with pytest.raises(ValueError, match="retries"):
        sim.simulate(Client("x", retries=-1))
    with pytest.raises(ValueError, match="queue bound"):
        sim.simulate(Client("x"), Scenario(queue_limit_s=float("nan")))


# -- widgets ---------------------------------------------------------------------------------
def _values(control):
    options = getattr(control, "options", None)
    if options is not None:
        return [o[1] if isinstance(o, tuple) else o for o in options]
    if hasattr(control, "min"):
        return list(range(control.min, control.max + 1, control.step))
    return [True, False]


@pytest.mark.parametrize("name", sorted(lesson.APPS))
def test_every_control_value_gives_a_view(name):
    app = lesson.APPS[name]()
    assert app.error is None, app.error
    for control_name, control in app.inputs.items():
        original = control.value
        for value in _values(control):
            app.set(**{control_name: value})
            assert app.error is None, f"{control_name}={value!r}: {app.error}"
            assert app.figure.title
        app.set(**{control_name: original})


@settings(max_examples=30, deadline=None)
@given(replicas=st.integers(0, 6), replica=st.sampled_from([v for _, v in lesson.AVAILABILITY_OPTIONS]),
       zones=st.sampled_from([1, 2, 3]), zone=st.sampled_from([v for _, v in lesson.AVAILABILITY_OPTIONS]),
       inventory=st.sampled_from([v for _, v in lesson.AVAILABILITY_OPTIONS]), fallback=st.booleans())
def test_availability_compute(replicas, replica, zones, zone, inventory, fallback):
    state = lesson.AvailabilityApp.compute(None, replicas, replica, zones, zone, inventory, fallback)
    assert 0 <= state["availability"] <= 1
    assert state["minutes_per_month"] >= 0
    if fallback:
        no_fallback = lesson.AvailabilityApp.compute(None, replicas, replica, zones, zone, inventory, False)
        assert state["availability"] >= no_fallback["availability"]


@settings(max_examples=20, deadline=None)
@given(tries=st.integers(1, 5), layers=st.integers(1, 8), where=st.sampled_from(["every layer", "top layer only"]))
def test_amplification_compute(tries, layers, where):
    state = lesson.AmplificationApp.compute(None, tries, layers, where)
    assert len(state["calls"]) == layers and state["factor"] >= 1


@settings(max_examples=30, deadline=None)
@given(cells=st.integers(1, 20), size=st.integers(1, 6))
def test_blast_radius_compute(cells, size):
    state = lesson.BlastRadiusApp.compute(None, cells, size)
    assert state["same shuffle shard"] <= state["plain shards"] + 1e-12
    assert state["same shuffle shard"] <= state["share a cell"] + 1e-12


@pytest.fixture(scope="module")
def storm_app():
    return lesson.RetryStormApp()


@settings(max_examples=20, deadline=None)
@given(client=st.sampled_from(list(sim.CLIENTS)), compare=st.sampled_from(["(none)", *sim.CLIENTS]),
       fault_s=st.integers(0, 20), fault_capacity=st.integers(0, 10).map(lambda v: 10 * v),
       demand=st.integers(0, 24).map(lambda v: 5 * v), retries=st.integers(0, 5),
       backoff_ms=st.integers(0, 20).map(lambda v: 50 * v), budget=st.integers(0, 20).map(lambda v: 5 * v),
       server=st.sampled_from(list(lesson.SERVERS)))
def test_storm_compute(storm_app, client, compare, fault_s, fault_capacity, demand, retries, backoff_ms, budget,
                       server):
    state = storm_app.compute(client, compare, fault_s, fault_capacity, demand, retries, backoff_ms, budget, server)
    assert state["title"]
    assert lesson.storm_html(state["run"], state["other"])


def test_storm_widget_shows_the_storm():
    app = lesson.RetryStormApp()
    app.set(client="circuit breaker", compare="naive retries")
    assert "never recovers" in app.figure.title
    app.set(fault_s=0)
    assert "no fault" in app.figure.title


# -- the exercise's custom checks --------------------------------------------------------------
def test_settings_check_runs_the_simulator():
    task = lesson.TASKS.client_settings
    assert task.evaluate({"retries": 3, "breaker": True})[0] == PASS
    status, message, misconception = task.evaluate({"retries": 3})
    assert status == NOT_YET and "load peaks" in message and misconception is not None
    assert task.evaluate({"retrys": 3})[0] == NOT_YET
    assert "is not a setting" in task.evaluate({"retrys": 3})[1]
    assert task.evaluate({"retries": 2.5})[0] == NOT_YET
    assert task.evaluate({"backoff_base_s": float("nan")})[0] == NOT_YET
    assert task.evaluate({"budget_ratio": "lots"})[0] == NOT_YET


def test_reference_settings_are_computed_by_the_simulator():
    settings_ = lesson.reference_settings()
    assert lesson.TASKS.client_settings.evaluate(settings_)[0] == PASS
    for candidate in lesson.CANDIDATE_SETTINGS[: lesson.CANDIDATE_SETTINGS.index(settings_)]:
        assert lesson.TASKS.client_settings.evaluate(candidate)[0] == NOT_YET


def test_cell_design_check():
    task = lesson.TASKS.cell_design
    assert task.evaluate(lesson.best_cell_design())[0] == PASS
    assert task.evaluate((40, 3))[0] == NOT_YET
    assert task.evaluate((3, 4))[0] == NOT_YET
    assert task.evaluate(("16", 3))[0] == NOT_YET


def test_partition_table_covers_module_02s_options():
    table = lesson.partition_table()
    assert len(table) == 4 and {"writes", "reads", "locks / leases", "what to do"} <= set(table.columns)


def test_zone_cost_is_the_difference_of_two_paths():
    spread_out = lesson.path_availability(replace(lesson.EXERCISE_PATH, zones=3))
    together = lesson.path_availability(replace(lesson.EXERCISE_PATH, zones=1))
    assert lesson.zone_cost_minutes() == pytest.approx((spread_out - together) * 30 * 24 * 60)


def test_storm_figure_is_a_self_displaying_chart_whose_title_names_who_never_recovered() -> None:
    from steward import plotting

    runs = lesson.run_all()
    fig = lesson.storm_figure(runs)
    stuck = [name for name, run in runs.items() if run.recovery_s is None]
    assert stuck and plotting.title_of(fig.axes[0]).lower().startswith(stuck[0])
    assert len(fig.axes) == 2 and fig._repr_png_().startswith(b"\x89PNG")


# -- the canon (issue 12) and the corrections (issue 13) ------------------------------------------
def test_todays_inventory_client_is_the_canons():
    """The simulator's client and the lesson's stack use cartwheel.INVENTORY, not copies of it."""
    from steward import cartwheel

    inventory = cartwheel.INVENTORY
    naive = sim.CLIENTS["naive retries"]
    assert naive.retries + 1 == inventory.attempts and naive.backoff_base_s == 0      # no backoff today
    assert Scenario().timeout_s * 1000 == inventory.timeout_ms
    assert lesson.LAYER_TRIES["recommendation engine"] == inventory.attempts
    assert lesson.TODAY_RETRIES == inventory.attempts - 1
    assert lesson.RetryStormApp().inputs["retries"].value == inventory.attempts - 1
    assert lesson.MINUTES["month"] == cartwheel.WINDOW_DAYS * 24 * 60


def test_a_call_that_times_out_every_try_takes_the_canons_worst_case():
    """During the storm the naive client's failed calls take attempts × timeout: the p99 the
    simulator reports is the canon's worst case, which is past the latency SLO."""
    from steward import cartwheel

    naive = sim.simulate(sim.CLIENTS["naive retries"])
    assert np.nanmax(naive.p99_ms) == pytest.approx(cartwheel.INVENTORY.worst_case_ms, rel=1e-6)
    assert not cartwheel.LATENCY.met_by(cartwheel.INVENTORY.worst_case_ms)


def test_calls_received_walks_the_stack():
    received = lesson.calls_received(lesson.LAYER_TRIES)
    assert received["edge gateway"] == 1
    assert received["the database"] == lesson.count_calls(list(lesson.LAYER_TRIES.values()))
    layers = list(lesson.LAYER_TRIES)
    for upper, lower in zip(layers, layers[1:], strict=False):
        assert received[lower] == received[upper] * lesson.LAYER_TRIES[upper]
    with pytest.raises(ValueError, match="at least one try"):
        lesson.calls_received({"a": 0})


def test_amplification_hints_name_the_layer_the_wrong_answer_reaches():
    """Issue 13: the hint for Π(tries but the last) said it 'reaches the inventory service';
    it reaches the database driver. Every layer a hint names must receive what it says."""
    import re

    received = lesson.calls_received(lesson.LAYER_TRIES)
    named = 0
    for m in lesson.TASKS.amplification.misconceptions:
        for layer in [name for name in received if f"is what reaches the {name}" in m.hint]:
            assert received[layer] == m.example(), f"{m.hint!r}: the {layer} receives {received[layer]}"
            named += 1
        for layer, count in re.findall(r"the ([a-z ]+?) receives ([\d,]+)", m.hint):
            assert received[layer] == int(count.replace(",", ""))
    assert named == 1


# -- the server side of overload (issue 13, "Deepen") ---------------------------------------------
def test_simulated_inventory_meets_its_canon_latency_budget_when_healthy():
    """The simulated service's healthy p99 fits the canon's 50 ms budget for the inventory call."""
    from steward import cartwheel

    assert 1000 * sim.service_quantile(0.99) <= cartwheel.INVENTORY.latency_budget_ms


def test_timeout_from_the_p999_times_out_that_share_of_healthy_calls():
    """Brooker: a timeout at the downstream's p99.9 times out 0.1% of healthy calls. The
    simulator, with that timeout and no retries, must agree."""
    timeout = sim.timeout_for(0.001)
    assert timeout == pytest.approx(sim.service_quantile(0.999))
    scenario = Scenario(fault_duration_s=0, error_rate=0.0, timeout_s=timeout, demand=0.3, horizon_s=60)
    run = sim.simulate(Client("t", retries=0), scenario)
    assert 1 - run.ok.sum() / run.requests.sum() == pytest.approx(0.001, rel=0.05)
    with pytest.raises(ValueError, match="between 0 and 1"):
        sim.timeout_for(0)


@pytest.mark.parametrize("load, bound", [(0.8, 0.0), (0.8, 0.005), (0.8, 0.01), (1.0, 0.01), (1.3, 0.02), (0.5, 0.002)])
def test_shed_probability_matches_a_call_by_call_queue(load, bound):
    """The closed form for a queue that admits a call only while its work is ≤ B, against
    Lindley's recursion call by call; and no admitted call waits longer than the bound."""
    exact = sim.shed_probability(load, bound, 1000.0)
    simulated = sim.simulate_bounded_queue(load, bound, 1000.0, calls=120_000, seed=4)
    assert simulated["shed"] == pytest.approx(exact, rel=0.06, abs=2e-3)
    assert simulated["max_wait_s"] <= bound + 1e-12


def test_shed_probability_limits():
    assert sim.shed_probability(0.8, 0.0, 1000) == pytest.approx(0.8 / 1.8)          # Erlang loss, one server
    assert sim.shed_probability(0.8, math.inf, 1000) == 0.0
    assert sim.shed_probability(1.0, 0.01, 1000) == pytest.approx(1 / 12)
    assert sim.shed_probability(1 + 1e-7, 0.01, 1000) == pytest.approx(1 / 12, rel=1e-4)  # continuous at ρ = 1
    assert sim.shed_probability(0.0, 0.0, 1000) == 0.0
    bounds = [0.0, 0.001, 0.01, 0.05]
    sheds = [sim.shed_probability(0.8, b, 1000) for b in bounds]
    assert sheds == sorted(sheds, reverse=True)


def test_fluid_simulator_never_lets_a_call_wait_past_the_bound():
    """In the fluid simulator too, an admitted call's queue wait stays within the bound, and under
    sustained overload the server sheds 1 − capacity/offered (the closed form of a full queue)."""
    bound = 0.04
    scenario = Scenario(demand=1.5, fault_duration_s=0, queue_limit_s=bound, slots=10_000, horizon_s=30)
    run = sim.simulate(Client("t", retries=0), scenario)
    assert run.queue.max() <= bound * scenario.capacity_rps + 1e-9
    late = run.time_s > 5
    assert run.shed[late].sum() / (run.load_rps[late].sum() * sim.DT) == pytest.approx(1 - 1 / 1.5, rel=0.05)


def test_server_side_remedies_end_the_metastable_state():
    """Today's client behind today's server never recovers; the same client behind load shedding or
    deadline propagation does, and the server stops working for callers who have gone."""
    runs = lesson.run_servers()
    today, shedding, deadline = runs.values()
    assert today.recovery_s is None and today.wasted_share() > 0.9
    for run in (shedding, deadline):
        assert run.recovery_s is not None and run.wasted_share() < 0.05
    assert lesson.server_name(shedding.scenario).startswith("load shedding")


def test_queue_bound_window_is_computed_from_the_canon_and_the_closed_form():
    from steward import cartwheel

    low, high = lesson.queue_bound_window()
    sc = Scenario()
    assert lesson.shed_limit() == pytest.approx(lesson.SHED_SHARE_OF_BUDGET * cartwheel.AVAILABILITY.error_budget)
    assert sim.shed_probability(sc.demand, low, sc.capacity_rps) == pytest.approx(lesson.shed_limit(), rel=1e-6)
    assert high == pytest.approx(cartwheel.INVENTORY.timeout_ms / 1000 - sim.service_quantile(0.99))
    assert 0 < low < lesson.recommended_queue_bound() < high


def test_queue_bound_check_and_its_misconceptions():
    task = lesson.TASKS.queue_bound
    low, high = (1000 * b for b in lesson.queue_bound_window())
    assert task.evaluate(task.expected)[0] == PASS
    assert task.evaluate(math.ceil(low))[0] == PASS and task.evaluate(math.floor(high))[0] == PASS
    for wrong, name in ((math.inf, "unbounded"), (2000.0, "unbounded"), (150, "longer than"),
                        (high + 1, "no room"), (0, "zero"), (low - 1, "zero")):
        status, message, misconception = task.evaluate(wrong)
        assert status == NOT_YET and name in misconception.name, (wrong, misconception)
    assert task.evaluate("fast")[0] == NOT_YET
    assert task.evaluate(-5)[0] == NOT_YET
    assert task.evaluate(float("nan"))[0] == NOT_YET


def test_storm_widget_has_the_server_remedies():
    app = lesson.RetryStormApp()
    app.set(client="naive retries", compare="(none)")
    assert "never recovers" in app.figure.title
    state = app.set(server="load shedding: queue bound")
    assert state["run"].recovery_s is not None and "load shedding" in app.figure.title
    app.set(server="deadline propagation", demand=120)     # any load: the bound is designed for today's
    assert app.error is None


def test_bulkhead_arithmetic_is_littles_law():
    assert lesson.slots_held(800, 0.3) == pytest.approx(240)
    with pytest.raises(ValueError):
        lesson.slots_held(-1, 0.3)


# -- the lesson's words -------------------------------------------------------------------------
def _lesson_markdown() -> list[str]:
    from steward import nbjson, paths

    nb = nbjson.read(paths.root() / "notebooks" / "03-design-for-failure.ipynb")
    # whitespace normalised: a phrase may wrap across lines
    return [" ".join(nbjson.source(c).split()) for c in nb.cells if c.cell_type == "markdown"]


def test_lesson_cites_the_retry_budget_and_drops_the_unsourced_failover_claim():
    markdown = _lesson_markdown()
    budget = [m for m in markdown if "retry budget" in m.replace("*", "") and "10%" in m]
    assert budget and all("SRE book ch. 21" in m for m in budget)
    assert not any("designed to take" in m for m in markdown)
    overload = next(m for m in markdown if m.startswith("## Stretch, optional: the server side of overload"))
    for source in ("Using load shedding to avoid overload", "Avoiding insurmountable queue backlogs",
                   "Timeouts, retries, and backoff with jitter"):
        assert source in overload


def test_lesson_states_no_millisecond_figure_the_code_does_not_produce():
    """Every 'N ms' in the lesson's Markdown is a canon value or a number the simulator uses."""
    import re

    from steward import cartwheel

    produced = {cartwheel.INVENTORY.timeout_ms, cartwheel.INVENTORY.worst_case_ms, cartwheel.LATENCY.threshold_ms,
                cartwheel.INVENTORY.latency_budget_ms, 1000 * sim.DT, 1000 * sim.CLIENTS["backoff + jitter"].backoff_base_s,
                200.0,   # the backoff base the lesson's cell shows failing (sim.client_with(..., 0.2))
                50.0}    # the widget's backoff slider step the lesson asks the learner to try
    for text in _lesson_markdown():
        for value in re.findall(r"(\d[\d,.]*)\s*ms\b", text):
            assert float(value.replace(",", "")) in produced, f"{value} ms in: {text[:80]}…"


def test_availability_chart_marks_the_canons_slo():
    from steward import cartwheel

    app = lesson.AvailabilityApp()
    lines = [ln for ln in app.figure.ax.lines if ln.get_linestyle() == ":"]
    assert lines and lines[0].get_xdata()[0] == pytest.approx(lesson.nines(cartwheel.AVAILABILITY.objective))


def test_a_deadline_bounds_what_a_dead_dependency_costs():
    from steward import cartwheel

    inventory = cartwheel.INVENTORY
    capped = lesson.deadline_worst_case(inventory.latency_budget_ms)
    assert capped["without_ms"] == inventory.worst_case_ms and capped["with_ms"] == inventory.latency_budget_ms
    assert capped["tries"] == 1
    assert lesson.deadline_worst_case(10_000)["tries"] == inventory.attempts
    assert lesson.deadline_worst_case(cartwheel.LATENCY.threshold_ms)["with_ms"] <= cartwheel.LATENCY.threshold_ms
    assert lesson.false_timeout_share(sim.timeout_for(0.001)) == pytest.approx(0.001)
    with pytest.raises(ValueError, match="positive"):
        lesson.deadline_worst_case(0)


def test_a_refused_call_fails_fast_and_a_timed_out_one_waits_its_timeout():
    """Shed at the door: the client hears at once. Queued past its timeout: it waited the timeout."""
    shed = sim.simulate(Client("t", retries=0), Scenario(queue_limit_s=0.0))
    queued = sim.simulate(Client("t", retries=0), Scenario())
    sc = Scenario()
    in_fault = (shed.window_s >= sc.fault_start_s + 1) & (shed.window_s + 1 <= sc.fault_end_s)
    assert np.nanmax(shed.p99_ms[in_fault]) < 1000 * sc.timeout_s / 2
    # today's queue takes calls until it holds its 2 s of work: those wait out their timeout
    filling = (queued.window_s >= sc.fault_start_s) & (queued.window_s + 1 <= sc.fault_start_s + 2)
    assert np.nanmin(queued.p99_ms[filling]) == pytest.approx(1000 * sc.timeout_s, rel=1e-6)
