"""Module 09: the TTL cache's closed forms against Monte-Carlo simulation; the call-latency
model against module 04's p99 on the same data, brute force and simulation; the bootstrap
against resampled rows; the derived trade-off and what it rests on; the explorer over every
control value and within budget; the digest builder and linter on any text, and the essay's
digest quoted exactly."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward import cartwheel, results
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
        assert row["inventory_lookups_per_s"] == pytest.approx(at.inventory_lookups_per_s)


def test_more_ttl_means_more_hits_fewer_fresh_answers_and_less_load(rates):
    curves = V.cache_curves(rates)
    assert np.all(np.diff(curves["hit_ratio"]) >= 0)
    assert np.all(np.diff(curves["fresh_share"]) <= 1e-15)
    assert np.all(np.diff(curves["inventory_lookups_per_s"]) <= 0)
    assert curves["inventory_lookups_per_s"].iloc[0] == pytest.approx(cartwheel.stock_lookups_per_s()), \
        "with no cache every stock lookup reaches the inventory service"


def test_the_call_hit_model_gives_back_the_log_at_todays_ttl():
    """The log was recorded at today's TTL: the model's share of calls that hit must be the log's."""
    assert V.call_hit_share(cartwheel.CACHE_TTL_TODAY_S) == pytest.approx(V.log_hit_share())
    assert V.call_hit_share(0) == 0.0, "no cache: every call asks the inventory service"
    assert V.ttl_for_hit_share(V.call_hit_share(137.0), V.log_set_rate()) == pytest.approx(137.0)
    with pytest.raises(ValueError):
        V.set_rate(1.0)


# -- latency ---------------------------------------------------------------------------------------------
def test_the_model_is_of_calls_and_its_p99_is_module_04s():
    """Issue 12 item 3: the log's rows are whole calls. At the log's own share of hits the model is
    the log, so its p99 is module 04's p99 of the same calls (the old model, the slowest of 24
    rows, gave ~165 ms here: this test would have caught it)."""
    p99 = V.call_p99(V.log_hit_share())
    assert p99 == pytest.approx(cartwheel.call_p99_ms(), abs=0.05)
    assert V.call_p99(V.call_hit_share(cartwheel.CACHE_TTL_TODAY_S)) == pytest.approx(cartwheel.call_p99_ms(), abs=0.05)
    assert V.fanout_p99(V.log_hit_share()) > 5 * cartwheel.call_p99_ms(), "the named error stays far off"


def test_model_p99_is_inside_the_sampling_error_of_module_04s():
    """Resample the log's calls: module 04's p99 varies; the model's (at the canon's TTL) sits inside."""
    latency = V.requests_log()["latency_ms"].to_numpy()
    rng = np.random.RandomState(4)
    boot = [cartwheel.call_percentile(latency[rng.randint(0, latency.size, latency.size)]) for _ in range(40)]
    low, high = np.quantile(boot, [0.01, 0.99])
    assert low - 0.05 <= V.call_p99(V.call_hit_share(cartwheel.CACHE_TTL_TODAY_S)) <= high + 0.05


def _brute_force_quantile(model: V.LatencyModel, h: float, items: int = 1, q: float = 0.99) -> float:
    points = np.unique(np.concatenate([model.hits, model.misses]))
    cdf = model.cdf(points, h) ** items
    return float(points[np.searchsorted(cdf, q, side="left")])


@pytest.mark.parametrize("h, items", [(0.0, 1), (1.0, 1), (0.5, 1), (0.8, 1), (0.3, 1), (0.8, 24)])
def test_call_quantile_matches_brute_force(h, items):
    model = V.latency_model()
    assert model.call_quantile(h, items=items) == pytest.approx(_brute_force_quantile(model, h, items), abs=1e-6)


def test_no_cache_quantile_is_the_miss_calls_quantile():
    model = V.latency_model()
    log = V.requests_log()
    misses = log.loc[log["cache_hit"] == 0, "latency_ms"]
    assert model.call_quantile(0.0) == pytest.approx(np.quantile(misses, 0.99, method="inverted_cdf"), abs=1e-6)


@pytest.mark.parametrize("h", [0.6, 0.9])
def test_call_quantile_matches_a_monte_carlo_simulation(h):
    exact = V.call_p99(h)
    simulated = V.simulate_call_p99(h, calls=200_000, seed=3)
    assert simulated == pytest.approx(exact, rel=0.05)


def test_more_hits_a_lower_p99():
    p99 = V.call_p99(np.linspace(0, 1, 21))
    assert np.all(np.diff(p99) <= 1e-9)


def test_averaged_percentiles_are_not_the_mixture():
    assert abs(V.averaged_p99(0.67) - V.call_p99(0.67)) > 0.5


def test_latency_model_refuses_empty_input():
    with pytest.raises(ValueError):
        V.LatencyModel([], [1.0])
    with pytest.raises(ValueError):
        V.LatencyModel.from_requests(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError):
        V.latency_model().call_quantile(0.5, items=0)
    with pytest.raises(ValueError):
        V.window_mask(V.requests_log(), "Tuesday")
    with pytest.raises(ValueError):
        V.with_policy(V.requests_log(), "five attempts")


def test_policy_moves_only_the_timed_out_calls():
    log = V.requests_log()
    one = V.with_policy(log, "one attempt")
    timed_out = log["status"].to_numpy() == 504
    assert timed_out.any()
    assert np.array_equal(one[~timed_out], log["latency_ms"].to_numpy()[~timed_out])
    assert np.all(one[timed_out] <= cartwheel.INVENTORY.timeout_ms + 5)
    assert np.array_equal(V.with_policy(log, "today"), log["latency_ms"].to_numpy())


# -- the trade-off and what it rests on ---------------------------------------------------------------------
def test_over_the_week_no_ttl_is_needed():
    """Issue 14: without the incident window no cache is needed for the SLO; with it neither, over
    the week. Checked with the canon's SLI on the log's calls, not the model's."""
    log = V.requests_log()
    misses = log.loc[log["cache_hit"] == 0, "latency_ms"]
    assert cartwheel.inside_latency_slo(misses), "every call a miss: still inside the SLO"
    assert V.required_ttl("week") == 0.0 and V.required_ttl("outside") == 0.0
    t = V.derive_tradeoff()
    assert t.week_ttl_s == 0 and cartwheel.LATENCY.met_by(t.p99_no_cache_ms)


def test_the_ttl_rests_on_the_incident():
    t = V.derive_tradeoff()
    assert t.ttl_s is not None and t.ttl_s > 0
    incident = V.latency_model("incident")
    at = V.cache_at(V._rates(), t.ttl_s)
    assert incident.call_quantile(at.hit_ratio) <= V.SLO_MS
    before = V.cache_at(V._rates(), t.ttl_s - 1)
    assert incident.call_quantile(before.hit_ratio) > V.SLO_MS, "one second shorter breaks it"
    assert t.p99_incident_today_ms > V.SLO_MS, "today's TTL did not hold the incident's p99"
    low, high = t.ttl_interval
    assert low < t.ttl_s < high and high - low > 0.3 * t.ttl_s, "75 minutes of data: a wide interval"
    assert f"{t.fresh_pct:.1f}%" in t.sentence() and "every TTL" in t.sentence()


def test_one_attempt_or_stale_on_error_needs_no_ttl():
    assert V.required_ttl("incident", "one attempt") < V.required_ttl("incident")
    assert V.derive_tradeoff("one attempt").ttl_s is not None


def test_bootstrap_is_a_resample_of_the_rows():
    """The multinomial draw of the eight cell counts is exact: for a row resample, the TTL from its
    counts equals the TTL recomputed from the resampled log itself."""
    log = V.requests_log()
    rng = np.random.RandomState(2)
    for _ in range(2):
        sample = log.iloc[rng.randint(0, len(log), len(log))]
        counts = np.bincount(V._cells(sample), minlength=8)
        share = V.LatencyModel.from_requests(sample, "incident").required_hit_share()
        direct = V.ttl_for_hit_share(share, V.set_rate(V.log_hit_share(sample)))
        assert float(V.ttl_from_counts(counts, "incident")) == pytest.approx(direct, rel=1e-9)


def test_bootstrap_is_seeded_and_fast():
    started = time.perf_counter()
    first = V.bootstrap_ttl()
    assert time.perf_counter() - started < 2.0, "vectorised: thousands of resamples in well under a second"
    assert np.array_equal(first, V.bootstrap_ttl())
    assert not np.array_equal(first, V.bootstrap_ttl(seed=V.BOOTSTRAP_SEED + 1))
    assert np.all(V.bootstrap_ttl("outside") == 0.0), "without the incident no resample needs a cache"


def test_ttl_claim_is_true_for_every_ttl():
    """Module 11 may quote ttl_claim for any TTL module 09 can produce: its SLO claim is the canon's
    SLI on the model's calls at that TTL, and its freshness the model's."""
    for ttl in (0, 1, 30, 60, 105, 172, 300, 600):
        text = V.ttl_claim(ttl)
        at = V.cache_at(V._rates(), ttl)
        assert f"{100 * at.fresh_share:.1f}%" in text and "had not changed since it was cached" in text
        assert "inside the 200 ms latency SLO" in text
        incident = V.latency_model("incident").call_quantile(at.hit_ratio)
        assert ("within 200 ms" in text) == (incident <= V.SLO_MS)


def test_module_11_names_keep_working():
    assert V._default_ttl() == V.reference_ttl() == V.derive_tradeoff().ttl_s
    from steward.lessons import seniority

    assert seniority.reference_ttl_s() == V._default_ttl()


def test_canon_facts_come_from_the_canon():
    assert V.SLO_MS == cartwheel.LATENCY.threshold_ms and V.SLO_QUANTILE == cartwheel.LATENCY.objective
    assert V.ITEMS_PER_CALL == cartwheel.ITEMS_PER_CALL and V.TTL_TODAY_S == cartwheel.CACHE_TTL_TODAY_S
    import pathlib

    source = "".join(p.read_text() for p in pathlib.Path(V.__file__).parent.glob("*.py"))
    for literal in ("SLO_MS = 200", "ITEMS_PER_CALL = 24", "€", '"$"'):
        assert literal not in source


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
@given(st.integers(0, V.TTL_MAX_S), st.sampled_from(list(V.POLICIES)))
@FAST
def test_ttl_state_over_its_controls(ttl, policy):
    state = V.ttl_state(ttl, policy)
    assert 0 <= state["hit_ratio"] < 1 and 0 < state["fresh_share"] <= 1
    assert state["meets_slo"] == cartwheel.LATENCY.met_by(state["p99_ms"])
    assert state["incident_within"] == (state["incident_p99_ms"] <= V.SLO_MS)
    assert state["title"] and "…" not in state["title"]
    if state["best_ttl_s"] is not None:
        assert (state["ttl_s"] >= state["best_ttl_s"]) == state["incident_within"]


def test_explorer_accepts_every_control_value():
    app = V.APPS["cache-ttl"]()
    for name, control in app.inputs.items():
        values = [o[1] for o in control.options] if hasattr(control, "options") else [control.min, control.max, 105]
        for value in values:
            app.set(**{name: value})
            assert app.error is None, f"{name}={value!r} gave {app.error}"
            assert app.figure.title and "…" not in app.figure.title


def test_explorer_redraws_within_budget():
    app = V.CacheTTLExplorer()
    app.timings.clear()
    for ttl in range(0, 601, 15):
        app.set(ttl_s=ttl)
    for policy in V.POLICIES:
        app.set(policy=policy)
    # The 50 ms p95 budget is measured on an idle machine (see the report); a test run shares
    # its cores with other tests, so here the median gets 4× slack.
    median = float(np.median(app.timings))
    assert median < 0.2, f"median redraw {1000 * median:.0f} ms"
    started = time.perf_counter()
    V.ttl_state(123, "today")
    assert time.perf_counter() - started < 0.01, "the model part of a slider change is instant"


# -- the digest ------------------------------------------------------------------------------------------
def test_essay_digest_is_flagged_for_what_it_lacks():
    report = V.lint_digest(V.ESSAY_DIGEST)
    problems = " ".join(report.problems())
    assert "metrics: a number without a baseline" in problems and "12% reduction" in problems
    assert not any(f.section == "next" for f in report.findings), "the essay names a partner"
    assert not any("missing" in f.problem for f in report.findings), "all three headers are there"


#: The essay's example as the curriculum quotes it (shift 9): its sentences, in order, under the
#: headers Progress (with its Trade-off), Metrics and Next.
ESSAY_PARTS = (
    ("Progress", "Implemented real-time inventory checks using Redis. Trade-off: chose 95% freshness over 100% to "
                 "maintain our 200 ms latency SLA."),
    ("Metrics", "Resulted in a 12% reduction in cart abandonment (A/B test)."),
    ("Next", "partnering with data science to improve ranking."),
)


def _plain(text: str) -> str:
    return " ".join(text.replace("**", "").replace(">", " ").split())


def test_essay_digest_is_quoted_exactly():
    """Issue 14: the quote dropped its *Metrics:* header. Every header and sentence, in order."""
    expected = " ".join(f"{header}: {body}" for header, body in ESSAY_PARTS)
    assert _plain(V.ESSAY_DIGEST) == expected


def test_the_lessons_quote_of_the_essay_is_the_essays():
    """Every blockquote of the essay's digest in the module's notebooks is the exact text."""
    import pathlib

    root = pathlib.Path(V.__file__).resolve().parents[3]
    expected = _plain(V.ESSAY_DIGEST)
    found = 0
    for folder in ("notebooks", "solutions", "exercises"):
        for path in (root / folder).glob("09-*.ipynb"):
            for cell in json.loads(path.read_text())["cells"]:
                text = "".join(cell["source"])
                quote = [line for line in text.splitlines() if line.startswith(">")]
                if cell["cell_type"] == "markdown" and any("Implemented real-time" in q for q in quote):
                    found += 1
                    assert _plain("\n".join(quote)) == expected, path.name
    assert found >= 1


def test_reference_digest_passes_and_renders_markdown():
    digest = V._reference_digest()
    assert V.lint_digest(digest).passed
    shown = digest._repr_markdown_()
    assert "mathjax_ignore" in shown.splitlines()[0], "amounts such as $320M to $965M must not pair as maths"
    assert shown.splitlines()[2].startswith("###")
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
    assert facts.slo_ms == cartwheel.LATENCY.threshold_ms and facts.items == cartwheel.ITEMS_PER_CALL
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
    incident = V.latency_model("incident").call_quantile(V.cache_at(V._rates(), 150).hit_ratio)
    assert facts.incident_p99_ms == pytest.approx(incident), "the digest's numbers follow the learner's TTL"
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


@pytest.mark.parametrize("ttl", [0, 30, 60, 105, 300, 600])
def test_digest_trade_off_is_true_for_any_ttl(progress_file, ttl):
    """The builder's trade-off for any kept TTL: the SLO sentence checked with the canon's SLI,
    the incident's p99 said as within or above 200 ms, and it passes the linter."""
    results.remember("09.ttl_s", ttl)
    facts = V.digest_facts()
    text = V.trade_off_text(facts)
    assert ("holds over the week" in text) == cartwheel.LATENCY.met_by(facts.p99_no_cache_ms)
    assert ("within 200 ms" in text) == (facts.incident_p99_ms <= V.SLO_MS)
    assert V.lint_digest(V.digest_from(facts)).passed


def test_fresh_is_defined_as_unchanged_since_cached():
    """Issue 14: say which "fresh" the percentage is. The lesson, the claim module 11 quotes and the
    explorer's readout all say it: unchanged since cached, not "in stock"."""
    import pathlib

    root = pathlib.Path(V.__file__).resolve().parents[3]
    lesson = json.loads((root / "notebooks" / "09-engineer-your-visibility.ipynb").read_text())
    markdown = " ".join(" ".join("".join(c["source"]) for c in lesson["cells"] if c["cell_type"] == "markdown").split())
    assert "fresh means the stock level had not changed since it was cached" in markdown
    assert "not \"the item is in stock\"" in markdown
    assert "had not changed since it was cached" in V.ttl_claim(60)
    app = V.CacheTTLExplorer()
    app.set(ttl_s=60)
    assert "unchanged since cached" in app.readout.value
