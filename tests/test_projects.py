"""Module 10: RICE and portfolio scoring, greedy selection, the random-backlog simulation,
the power/interest grid, the promotion simulation (naive vs stratified) and both widgets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward import plotting
from steward.datagen import load
from steward.lessons import projects as p

PROJECTS = load("projects")
PEOPLE = load("stakeholders")


# -- data -------------------------------------------------------------------------------------
def test_projects_follow_the_rice_scales():
    assert PROJECTS["project_id"].is_unique and len(PROJECTS) == 18
    assert set(PROJECTS["impact"]) <= {0.25, 0.5, 1.0, 2.0, 3.0}
    assert set(PROJECTS["confidence_pct"]) <= {50, 80, 100}
    assert (PROJECTS["effort_weeks"] > 0).all() and (PROJECTS["reach"] > 0).all()
    assert set(PROJECTS["okr"]) <= {"none", "O1", "O2", "O3"}
    assert PROJECTS["kind"].eq("bug ticket").sum() == 6


def test_stakeholders_cover_product_security_and_sre():
    assert {"product", "security", "SRE"} <= set(PEOPLE["team"])
    assert PEOPLE[["power", "interest"]].stack().between(1, 10).all()
    assert set(PEOPLE["stance"]) <= set(p.STANCE_MARKERS)


# -- scoring ----------------------------------------------------------------------------------
def test_rice_by_hand_for_one_project():
    row = PROJECTS.set_index("project_id").loc["P01"]
    want = row.reach * row.impact * row.confidence_pct / 100 / row.effort_weeks
    assert p.rice(PROJECTS)["P01"] == pytest.approx(want)


def test_okr_bonus_multiplies_only_aligned_projects():
    base, bonus = p.rice(PROJECTS), p.portfolio_score(PROJECTS, okr_bonus=1.0)
    aligned = p.aligned(PROJECTS)
    np.testing.assert_allclose(bonus[aligned], 2 * base[aligned])
    np.testing.assert_allclose(bonus[~aligned], base[~aligned])


def test_zero_weights_give_plain_rice():
    pd.testing.assert_series_equal(p.portfolio_score(PROJECTS, 0.0, 0.0), p.rice(PROJECTS).rename("score"))


@pytest.mark.parametrize("bad", [-1, float("nan"), "high", float("inf")])
def test_bad_weights_get_a_sentence(bad):
    with pytest.raises(ValueError, match="≥ 0"):
        p.portfolio_score(PROJECTS, okr_bonus=bad)


@pytest.mark.parametrize("bad, words", [(pd.DataFrame(), "empty"), ("projects", "DataFrame"),
                                        (PROJECTS.drop(columns="reach"), "lacks")])
def test_bad_frames_get_a_sentence(bad, words):
    with pytest.raises(ValueError, match=words):
        p.rice(bad)


def test_greedy_skips_what_does_not_fit_and_carries_on():
    scores = pd.Series({"A": 3.0, "B": 2.0, "C": 1.0})
    effort = pd.Series({"A": 5.0, "B": 10.0, "C": 4.0})
    assert p.pick_portfolio(scores, effort, 10) == ["A", "C"]
    assert p.pick_portfolio(scores, effort, 0) == []


@given(st.integers(0, 80), st.floats(0, 3), st.floats(0, 1))
@settings(max_examples=60, deadline=None)
def test_portfolio_always_fits_its_capacity(capacity, bonus, vis):
    picked = p.pick_portfolio(p.portfolio_score(PROJECTS, bonus, vis), PROJECTS.set_index("project_id")["effort_weeks"], capacity)
    assert PROJECTS.set_index("project_id").loc[picked, "effort_weeks"].sum() <= capacity
    assert len(set(picked)) == len(picked)


def test_value_per_week_is_a_ratio_of_sums():
    got = p.value_per_week(PROJECTS)
    bugs = PROJECTS[PROJECTS["kind"] == "bug ticket"]
    want = (bugs.reach * bugs.impact * bugs.confidence_pct / 100).sum() / bugs.effort_weeks.sum()
    assert got["bug ticket"] == pytest.approx(want)
    assert got["bug ticket"] < got["feature"] / 5  # the lesson's "stop picking random bug tickets"


def test_random_backlog_draws_are_seeded_and_within_capacity():
    a = p.random_backlog_values(PROJECTS, 26, draws=500, seed=3)
    b = p.random_backlog_values(PROJECTS, 26, draws=500, seed=3)
    np.testing.assert_array_equal(a, b)
    assert (a >= 0).all() and a.max() <= p.value(PROJECTS).sum()
    assert p.random_backlog_values(PROJECTS, 0, draws=10).sum() == 0


def test_scored_portfolio_beats_random_picking():
    picked = p.pick_portfolio(p.portfolio_score(PROJECTS), PROJECTS.set_index("project_id")["effort_weeks"])
    best = p.portfolio_summary(PROJECTS, picked)["value"]
    assert best > np.percentile(p.random_backlog_values(PROJECTS), 95)


# -- stakeholders -----------------------------------------------------------------------------
@pytest.mark.parametrize("power, interest, want", [(9, 9, "manage closely"), (9, 2, "keep satisfied"),
                                                   (2, 9, "keep informed"), (5, 5, "monitor"), (6, 6, "manage closely")])
def test_quadrants(power, interest, want):
    assert p.quadrant(power, interest) == want


def test_meet_first_is_the_manage_closely_quadrant_by_power():
    names = p.meet_first(PEOPLE)
    rows = PEOPLE.set_index("name").loc[names]
    assert (rows["power"] > p.QUADRANT_CUT).all() and (rows["interest"] > p.QUADRANT_CUT).all()
    assert list(rows["power"]) == sorted(rows["power"], reverse=True)
    assert {"product", "SRE", "security"} <= set(rows["team"])


def test_power_interest_plot_has_a_title_that_states_the_point():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    p.plot_power_interest(ax, PEOPLE)
    assert "meet them first" in plotting.title_of(ax)


# -- the promotion simulation -----------------------------------------------------------------
def test_simulation_is_seeded():
    pd.testing.assert_frame_equal(p.simulate_promotions(seed=4), p.simulate_promotions(seed=4))


def test_no_selection_no_effect_means_no_gap():
    frame = p.simulate_promotions(n=50_000, selection=0.0, effect=0.0)
    assert abs(p.naive_gap(frame)) < 2 and abs(p.stratified_gap(frame)) < 2


def test_selection_alone_makes_a_naive_gap_that_stratifying_removes():
    frame = p.simulate_promotions(n=50_000, selection=1.5, effect=0.0)
    assert p.naive_gap(frame) > 25
    assert abs(p.stratified_gap(frame)) < 2


@pytest.mark.parametrize("effect", [0.1, 0.25])
def test_stratifying_recovers_a_real_effect(effect):
    frame = p.simulate_promotions(n=50_000, selection=1.5, effect=effect)
    assert p.stratified_gap(frame) == pytest.approx(100 * effect, abs=2)
    assert p.naive_gap(frame) > 100 * effect + 10


def test_level_stats_match_pandas():
    frame = p.simulate_promotions(n=3000, selection=0.7)
    table = p.per_level(frame)
    by_hand = frame.groupby(["strength", "okr"])["months_to_promotion"].mean().unstack()
    np.testing.assert_allclose(table["okr_months"], by_hand[True])
    np.testing.assert_allclose(table["other_months"], by_hand[False])


def test_levels_with_no_one_to_compare_are_left_out():
    frame = p.simulate_promotions(n=2000, selection=3.0)
    table = p.per_level(frame)
    assert table["gap_pct"].isna().any()
    assert math.isfinite(p.stratified_gap(frame))


@pytest.mark.parametrize("kwargs, words", [({"n": 3}, "at least 10"), ({"effect": 1.0}, "fraction"),
                                           ({"selection": float("nan")}, "finite")])
def test_bad_simulation_settings_get_a_sentence(kwargs, words):
    with pytest.raises(ValueError, match=words):
        p.simulate_promotions(**kwargs)


def test_nobody_on_okr_work_gets_a_sentence():
    frame = p.simulate_promotions(n=100).assign(okr=False)
    with pytest.raises(ValueError, match="both on and off"):
        p.naive_gap(frame)
    with pytest.raises(ValueError, match="nothing to compare"):
        p.stratified_gap(frame)


def test_the_claim_appears_with_zero_effect():
    selection = p.selection_for_claim(p.CLAIM_PCT, 0.0)
    assert 0 < selection <= p.COMPANY["selection"]
    company = {**p.COMPANY, "selection": selection}
    assert p.naive_gap(p.simulate_promotions(**company)) >= p.CLAIM_PCT


# -- widgets ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def portfolio():
    return p.PortfolioExplorer()


@pytest.fixture(scope="module")
def lab():
    return p.PromotionLab()


def test_portfolio_widget_matches_the_pure_functions(portfolio):
    state = portfolio.set(strategy=list(p.STRATEGIES)[0], okr_bonus=p.OKR_BONUS, visibility_weight=0.0, capacity=p.CAPACITY_WEEKS)
    want = p.pick_portfolio(p.portfolio_score(PROJECTS), PROJECTS.set_index("project_id")["effort_weeks"])
    assert sorted(state["picked"]) == sorted(want)
    assert portfolio.error is None and "projects" in portfolio.figure.title


@given(strategy=st.sampled_from(list(p.STRATEGIES)), bonus=st.floats(0, 3), vis=st.floats(0, 1), capacity=st.integers(0, 60))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_portfolio_compute_takes_every_control_value(portfolio, strategy, bonus, vis, capacity):
    state = portfolio.compute(strategy=strategy, okr_bonus=bonus, visibility_weight=vis, capacity=capacity)
    assert state["weeks"] <= capacity and 0 <= state["okr_share"] <= 1


@given(selection=st.floats(0, 3), effect=st.floats(0, 0.5))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_promotion_compute_takes_every_control_value(lab, selection, effect):
    state = lab.compute(selection=selection, effect=effect)
    assert math.isfinite(state["naive"]) and math.isfinite(state["stratified"])


def test_promotion_widget_shows_the_claim_without_a_cause(lab):
    lab.set(selection=p.COMPANY["selection"], effect=0.0)
    assert lab.state["naive"] >= p.CLAIM_PCT and abs(lab.state["stratified"]) < 5
    assert "Naive" in lab.figure.title and lab.error is None


# -- one unit of effort, stated (issue 14, "10 · units") -----------------------------------------
def test_capacity_is_two_engineers_for_a_quarter_in_the_backlogs_unit():
    assert p.CAPACITY_WEEKS == p.ENGINEERS * p.WEEKS_PER_QUARTER == 2 * 52 / 4
    assert p.person_months(p.CAPACITY_WEEKS) == pytest.approx(p.ENGINEERS * 3)  # 2 engineers × 3 months
    assert "effort_weeks" in PROJECTS.columns  # the data's unit is the person-week


def test_rice_per_person_month_scales_every_score_alike_and_keeps_the_ranking():
    weeks, months = p.rice(PROJECTS), p.rice(PROJECTS, per="person-month")
    pd.testing.assert_series_equal(months, weeks * 52 / 12)
    assert (weeks.rank() == months.rank()).all()
    with pytest.raises(ValueError, match="person-week"):
        p.rice(PROJECTS, per="days")


def test_the_lesson_states_one_unit_and_no_half_year_of_capacity():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for folder in ("notebooks", "solutions"):
        cells = json.loads((root / folder / "10-choose-your-projects.ipynb").read_text())["cells"]
        text = " ".join("\n".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                                  for c in cells).split())
        assert "half-year of capacity" not in text and "one half-year" not in text
        assert "person-months" in text and "person-week" in text  # the RICE source's unit, and ours, both named
        assert "26 person-weeks" not in text and "capacity=26" not in text  # the figure comes from the lesson module
        assert "95% fresh" not in text  # module 09's result is not a constant


def test_alignment_rubric_quotes_the_canon():
    from steward import cartwheel

    senior = p.ALIGNMENT_RUBRIC.senior_level
    assert f"{cartwheel.INVENTORY.latency_budget_ms:.0f} ms" in senior and "95%" not in senior
    assert f"{cartwheel.LATENCY.threshold_ms:.0f} ms" in senior


# -- stretch: the work that is not code (issue 14, "10–11 · the staff-level work") ----------------
def test_forced_portfolio_takes_the_request_first_and_refills():
    scores, effort = p.portfolio_score(PROJECTS), PROJECTS.set_index("project_id")["effort_weeks"]
    forced = p.forced_portfolio(scores, effort, p.DIRECTOR_ASK)
    assert forced[0] == p.DIRECTOR_ASK and effort[forced].sum() <= p.CAPACITY_WEEKS
    left = p.CAPACITY_WEEKS - effort[forced].sum()
    assert all(effort[pid] > left for pid in effort.index if pid not in forced), "no project that fits is left out"
    with pytest.raises(ValueError):
        p.forced_portfolio(scores, effort, "P99")
    with pytest.raises(ValueError):
        p.forced_portfolio(scores, effort, p.DIRECTOR_ASK, capacity=1)


def test_cost_of_yes_adds_up():
    cost = p.cost_of_yes(PROJECTS, p.DIRECTOR_ASK)
    worth = p.value(PROJECTS)
    assert cost["value_lost"] == pytest.approx(worth[cost["planned"]].sum() - worth[cost["forced"]].sum())
    assert set(cost["planned"]) - set(cost["dropped"]) <= set(cost["forced"])
    assert cost["planned"] == p.pick_portfolio(p.portfolio_score(PROJECTS), PROJECTS.set_index("project_id")["effort_weeks"])
    # a planned project costs nothing to say yes to
    assert p.cost_of_yes(PROJECTS, cost["planned"][0])["value_lost"] == pytest.approx(0, abs=1e-9)


def test_the_decision_the_stretch_teaches_holds_on_the_data():
    ask = p.cost_of_yes(PROJECTS, p.DIRECTOR_ASK)
    glue = {pid: p.cost_of_yes(PROJECTS, pid)["share_lost"] for pid in p.GLUE}
    assert max(glue.values()) < ask["share_lost"]
    assert p.TASKS.glue_on_purpose.expected == min(glue, key=glue.get)
    vp = load("stakeholders").set_index("name").loc["Daniel Kim", "cares_about"]
    assert any(o in vp for o in ask["objectives_hit"])


def test_the_note_to_the_director_is_composed_and_checked():
    note = p.director_note_example()
    assert p.TASKS.note_to_director.check(note).passed
    assert len(note.split()) <= p.MEMO_WORDS and note.startswith("Not this quarter.")
    cost = p.cost_of_yes(PROJECTS, p.DIRECTOR_ASK)
    assert f"{100 * cost['share_lost']:.0f}%" in note and all(pid in note for pid in cost["dropped"])
    assert p.DIRECTOR_NOTE_RUBRIC.senior_level == note
    long = note + " More words." * p.MEMO_WORDS
    assert not p.TASKS.note_to_director.check(long).passed
    assert not p.TASKS.note_to_director.check("Happy to help! " + note).passed
