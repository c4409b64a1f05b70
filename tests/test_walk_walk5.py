"""Rough edges the earlier walks left generic (issue #18's walk, third round): a natural wrong answer of
each task, computed the way a learner would write it, and the misconception it must now name."""

from __future__ import annotations

from steward.checks import NOT_YET, PASS


def _named(task, answer) -> str | None:
    status, _, misconception = task.evaluate(answer)
    assert status == NOT_YET, (task.id, answer, status)
    return misconception.name if misconception else None


# -- 01 ------------------------------------------------------------------------------------------
def test_01_rpn_missing_one_score_is_named():
    """S × D and O × D got only "The RPN for FM01, FM02, FM03 do not match the data"."""
    from steward.lessons.failure_modes import exercise as ex
    from steward.lessons.failure_modes.model import worksheet

    sheet, task = worksheet(ex._prepared()), ex.TASKS["01.rpn"]
    assert _named(task, sheet.eval("severity * detection")) == "left out occurrence"
    assert _named(task, sheet.eval("occurrence * detection")) == "left out severity"


def test_01_not_paged_wrong_ten_is_named():
    """Nine or eleven rows, or the ten lowest RPNs (as a count or a share), were generic."""
    from steward.lessons.failure_modes import exercise as ex
    from steward.lessons.failure_modes.model import ranked

    table, task = ranked(ex._prepared()), ex.TASKS["01.not-paged"]
    for n in (9, 11):
        count = int((table.head(n).channel != "page").sum())
        if count != task.expected:
            assert _named(task, count) == "counted nine or eleven"
    low = table.tail(10)
    assert _named(task, int((low.channel != "page").sum())) == "counted the ten lowest"
    assert _named(task, float((low.channel != "page").mean())) == "counted the ten lowest"
    assert task.evaluate(int((table.head(10).channel != "page").sum()))[0] == PASS


# -- 03 ------------------------------------------------------------------------------------------
def test_03_month_and_shard_slips_are_named():
    """A 31-day month, seconds, and one set fewer than math.comb gives were generic."""
    import math

    from steward.lessons.design_for_failure import exercise as ex

    zone, shard = ex.TASKS["03.shared-zone"], ex.TASKS["03.shuffle-shard"]
    minutes = ex.zone_cost_minutes()
    assert _named(zone, minutes * 31 / 30) == "used a 31-day month"
    assert _named(zone, minutes * 60) == "answered in seconds"
    assert zone.evaluate(minutes)[0] == PASS
    sets = math.comb(ex.SHARD_CELLS, ex.SHARD_SIZE)
    assert _named(shard, 100 / (sets - 1)) == "left the noisy customer's set out of the count"
    assert shard.evaluate(100 / sets)[0] == PASS


# -- 04 ------------------------------------------------------------------------------------------
def test_04_window_slips_are_named():
    """Task 3 over 1-minute windows, and task 7 scaled by the log's 7 days out of 30, were generic."""
    from steward.lessons.quantify import exercise as ex
    from steward.lessons.quantify.model import (
        AVAILABILITY,
        LOG_DAYS,
        WINDOW_DAYS,
        burn_rate,
        incident_requests,
        peak_throughput,
        requests_log,
    )

    log = requests_log()
    assert _named(ex.TASKS["04.peak-throughput"], peak_throughput(log, "1min")) == "used 1-minute windows"
    burn, task = burn_rate(incident_requests(log), AVAILABILITY), ex.TASKS["04.incident-burn-rate"]
    for scaled in (burn * LOG_DAYS / WINDOW_DAYS, burn * WINDOW_DAYS / LOG_DAYS):
        assert _named(task, scaled) == "scaled by the log's days over the SLO's"
    assert task.evaluate(burn)[0] == PASS


# -- 05 ------------------------------------------------------------------------------------------
def test_05_resolution_and_one_group_weights_are_named():
    """Task 6 measured to resolution, and task 7 weighted by the commanded incidents only, were generic."""
    import numpy as np

    from steward.lessons.incident import exercise as ex

    durations = ex._durations()
    to_resolution = durations.pivot_table(index="severity", columns="commander", values="ttr_min",
                                          aggfunc="mean").pipe(lambda t: t[False] - t[True])
    assert _named(ex.TASKS["05.by-severity"], to_resolution) == "measured to resolution, not mitigation"
    strata, task = ex._strata(), ex.TASKS["05.adjusted-effect"]
    commanded = durations[durations.commander].groupby("severity").size()
    assert _named(task, float((strata.difference_min * commanded).sum() / commanded.sum())) == \
        "weighted by one group's incidents only"
    assert _named(task, float(np.average(strata.difference_min, weights=strata.n_without))) == \
        "weighted by one group's incidents only"
    assert task.evaluate(float(np.average(strata.difference_min, weights=strata.n)))[0] == PASS


# -- 06 ------------------------------------------------------------------------------------------
def test_06_p999_and_calls_per_hour_are_named():
    """quantile(0.999) for the p99, and calls per hour in the calls_per_s column, were generic."""
    from steward.lessons.mentoring import exercise as ex
    from steward.lessons.mentoring.model import p99_by_cache, p99_by_day, requests_log, week_change

    log = requests_log()
    assert _named(ex.TASKS["06.p99-by-day"], p99_by_day(log, 0.999)) == "used the p99.9"
    assert _named(ex.TASKS["06.p99-by-cache"], p99_by_cache(log, 0.999)) == "used the p99.9"
    table = week_change(log)[list(ex.WEEK_COLUMNS)].copy()
    table["calls_per_s"] = table["calls_per_s"] * 3600
    assert _named(ex.TASKS["06.what-changed"], table) == "gave calls per hour"


# -- 07 ------------------------------------------------------------------------------------------
def test_07_natural_slips_are_named():
    """One arm's orders, a year's range, the treatment arm's store, and inv_cdf(0.2) for the power z were generic."""
    from steward.lessons.influence import exercise as ex
    from steward.lessons.influence.model import abandonment_mde_pp, sample_size_per_arm

    s, tasks = ex._sessions(), ex.TASKS
    bought = s[s.purchased]
    for arm in ("control", "treatment"):
        one_arm = float(bought[bought.arm == arm].order_value.mean())
        assert _named(tasks["07.average-order-value"], one_arm) == "averaged one arm's orders"
    low, high = ex._revenue_with()
    assert _named(tasks["07.revenue-range"], (12 * low, 12 * high)) == "gave a range per year"
    assert _named(tasks["07.revenue-range"], (low * 365 / 30, high * 365 / 30)) == "gave a range per year"
    treated = s[s.arm == "treatment"]
    point = ex._share_with("point") * ex.monthly_sessions() * float(s[s.arm == "control"].order_value.mean())
    store = ex.monthly_sessions() * float(treated.order_value.sum()) / len(treated)
    assert _named(tasks["07.revenue-share"], point / store) == "the store's revenue from the treatment arm"
    assert _named(tasks["07.sample-size"], lambda b, d: sample_size_per_arm(b, d, power=0.2)) == \
        "took the power z as inv_cdf(0.2)"
    assert _named(tasks["07.mde"], abandonment_mde_pp(s, power=0.2)) == "took the power z as inv_cdf(0.2)"


def test_07_value_counts_shares_are_named_in_words():
    """`value_counts(normalize=True)` got "unexpected ('control', False), ('control', True), …"."""
    from steward.lessons.influence import exercise as ex

    s = ex._sessions()
    carts = s[s.added_to_cart]
    task = ex.TASKS["07.abandonment-per-arm"]
    for shares in (carts.groupby("arm").purchased.value_counts(normalize=True),
                   (~carts.purchased).groupby(carts.arm).value_counts(normalize=True)):
        assert _named(task, shares) == "kept both shares of value_counts(normalize=True)"
        message = task.evaluate(shares)[1]
        assert "('" not in message and "arm and purchased" in message and "per arm" in message


# -- checks --------------------------------------------------------------------------------------
def test_series_message_is_grammatical_and_counts_the_rest():
    """"The score for P01, P02, P03 do not match the data" listed three of many, with the wrong verb."""
    import pandas as pd

    from steward import checks

    want = pd.Series(range(1, 8), index=[f"P0{i}" for i in range(1, 8)], dtype=float)
    compare = checks.series(what="score")
    assert compare(want * 2, want).message == "The score does not match the data for P01, P02, P03 and 4 others."
    assert compare(want.where(want > 2, 0), want).message == "The score does not match the data for P01 and P02."
    off = want.copy()
    off["P05"] = 9.0
    assert compare(off, want).message == "The score does not match the data for P05."
    exact = want.copy()
    exact.iloc[:2] = [1.0371, 2.0462]
    rounded = exact.round(2)
    assert compare(rounded, exact).message.startswith("Close: for P01 and P02, your score is the data's rounded")


def test_function_on_shows_arguments_in_words():
    """11's headings showed "For the doc '# Title\\n\\n## Context…'" and 06's linter a Python tuple."""
    from steward.lessons.mentoring import exercise as mentoring
    from steward.lessons.quantify import exercise as quantify
    from steward.lessons.seniority import exercise as seniority

    doc = seniority.TASKS["11.headings"].evaluate(lambda d: [line for line in d.splitlines() if line.startswith("#")])[1]
    assert "\\n" not in doc and "↵" in doc and "['" not in doc and "('" not in doc
    pair = mentoring.TASKS["06.hint-linter"].evaluate(lambda hint, fix: True)[1]
    assert pair.startswith("For (hint, fix) = (`") and "('" not in pair
    numbers = quantify.TASKS["04.servers-needed"].evaluate(lambda load, wait: 1)[1]
    assert "= (" in numbers and "your function returns 1;" in numbers
    raised = seniority.TASKS["11.headings"].evaluate(lambda d: 1 / 0)[1]
    assert raised.startswith("Your function raised ZeroDivisionError") and "\\n" not in raised


# -- 08 ------------------------------------------------------------------------------------------
def test_08_twelve_weeks_and_the_alerts_own_pages_are_named():
    """Dividing by 12 weeks, and the tuned share of the three alerts' own pages, were generic."""
    from steward.lessons.ownership import exercise as ex
    from steward.lessons.ownership.model import after_hours_noise_per_week

    pages, weeks = ex._p(), ex.WEEKS_IN_QUARTER
    woken = int((pages.after_hours.astype(bool) & ~pages.actionable.astype(bool)).sum())
    assert _named(ex.TASKS["08.after-hours-noise"], woken / (weeks - 1)) == "divided by twelve weeks"
    assert ex.TASKS["08.after-hours-noise"].evaluate(after_hours_noise_per_week(pages))[0] == PASS
    top = pages.alert.value_counts().index[:3]
    theirs = pages[pages.alert.isin(top)]
    own_share = 100 * float((~theirs.actionable.astype(bool)).mean())
    assert _named(ex.TASKS["08.projected-reduction"], own_share) == "divided by the three alerts' own pages"


def test_08_clock_minutes_for_detection_read_as_rounded_and_cannot_be_told_apart():
    """Left as it is: `.minute` − `.minute` for time to detect equals the rounded answer, so its "Close:
    rounded" message is all the check can say (a learner who rounded types the same number)."""
    from steward.lessons.ownership import exercise as ex
    from steward.lessons.ownership.model import first_time

    events, task = ex._e(), ex.TASKS["08.time-to-detect"]
    clock = first_time(events, "alert").minute - first_time(events, "impact_start").minute
    assert clock == round(task.expected)
    assert task.evaluate(clock)[1].startswith("Close:")
