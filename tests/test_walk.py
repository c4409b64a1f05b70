"""Rough edges found by working exercises 02 and 04 in JupyterLab as a learner, then reporting on
them as a mentor (issue #18's walk). Each test holds one fix: what the learner or the mentor reads."""

from __future__ import annotations

import math
import re
import time

import numpy as np
import pandas as pd
import pytest

from steward import progressview, report, results
from steward.checks import NOT_ATTEMPTED, NOT_YET
from steward.lessons import quantify, tradeoffs
from steward.tasks import Rubric


def test_the_mean_per_bin_is_named_when_it_gives_nan():
    """Task 4 as a learner writes it with the mean instead of the p99: no bin reaches 10 ms, the first
    crossing of none is NaN, and the check said only "Your answer is NaN"; the misconception written for
    exactly this mistake never fired."""
    log = quantify.requests_log()
    window = log["timestamp"].dt.floor(quantify.LOAD_WINDOW)
    load_rps = window.groupby(window).transform("size") * quantify.SAMPLE_RATE / 600
    load_bin = np.floor(load_rps / 1000) * 1000
    by_load = log["latency_ms"].groupby(load_bin).mean()
    answer = by_load[by_load >= quantify.TARGET_MS].index.min()
    assert math.isnan(answer), "the mean now crosses 10 ms in some bin: this test's premise changed"
    status, _, misconception = quantify.TASKS.max_load_under_target.evaluate(answer)
    assert status == NOT_YET and misconception is not None and misconception.name == "used the mean latency per bin"
    # The p99, done right, passes; the misconception's own example still matches.
    assert quantify.TASKS.max_load_under_target.evaluate(quantify.max_load_under(log))[0] == "pass"
    example = quantify.max_load_under(log, statistic="mean")
    assert quantify.TASKS.max_load_under_target.evaluate(example)[2].name == "used the mean latency per bin"


def test_the_claim_check_does_not_give_away_the_load():
    """Task 9's "the sentence lacks … a load (e.g. 14,000 requests/s)" quoted task 4's answer, typed in."""
    answer = quantify.max_load_under(quantify.requests_log())
    _, message, _ = quantify.TASKS.claim.evaluate("The recommendation engine is fast.")
    assert "requests/s" in message
    for spelled in (f"{answer:,.0f}", f"{answer:.0f}", f"{answer / 1000:g}k"):
        assert spelled not in message, message


def test_ranking_every_option_hits_the_ignored_constraint():
    """Task 2 with the constraint left out (all options, best first by the weighted score) got only
    "Expected 4 options; got 7": the misconception's example was the efficiency lock's ranking, which
    excludes the conditional write and so never equals the learner's list."""
    task = tradeoffs.TASKS.correctness_shortlist
    weighted = tradeoffs.weighted_scores(_wide(), tradeoffs.TEAM_WEIGHTS)
    for answer in (list(weighted.sort_values(ascending=False).index), list(weighted.sort_values().index)):
        status, _, misconception = task.evaluate(answer)
        assert status == NOT_YET and misconception.name == "ranked every option, ignoring the constraint"
    assert task.evaluate(task.sample_answer())[0] == "pass"
    assert task.evaluate("Redis")[2] is None  # a string is not a list of every option


def _wide() -> pd.DataFrame:
    from steward.datagen import load

    return load("coordination_options").pivot(index="option", columns="criterion", values="score")


def test_a_kept_number_reads_plainly():
    """"Kept 04.max_load_rps = 1.4e+04 for later modules." is now 14,000."""
    assert results.plain(14000.0) == "14,000"
    assert results.plain(12.41076) == "12.41"
    assert results.plain(0.75123) == "0.7512"
    assert results.plain(2_500_000.0) == "2,500,000"
    assert "e+" not in results.plain(1234.5)


def test_none_is_not_called_the_placeholder():
    """An answer of None (a function without return, inplace=True) was told "Replace the ... with
    your answer", which it does not hold."""
    status, message, _ = quantify.TASKS.week_p99.evaluate(None)
    assert status == NOT_ATTEMPTED and "None" in message and "Replace the ..." not in message
    assert "Replace the ..." in quantify.TASKS.week_p99.evaluate(...)[1]


def test_a_rubric_self_assessment_says_how_to_fix_it(capsys):
    rubric = Rubric("02.test", "The test", ["one", "two", "three"], "mid", "senior")
    rubric.assess(["yes", "maybe"])
    shown = capsys.readouterr().out
    assert "['not yet'" not in shown and "(got" not in shown
    assert 'you wrote "maybe"' in shown and '"not yet", "partly" or "yes"' in shown and "you gave 2" in shown


def test_an_unwritten_note_reads_like_an_unattempted_task(capsys):
    from steward.tasks import note

    note("04.reflection", "What would you change before Black Friday?", ...)
    shown = capsys.readouterr().out
    assert "?:" not in shown and "Not written yet — What would you change before Black Friday?" in shown


def test_a_hint_seen_again_after_a_restart_counts_once():
    """Run All after a restart runs an uncommented hint cell again: the same tier is shown again and
    `steward progress` counted it as another hint (3 for 2 hints seen)."""
    def hint(tier):
        return {"kind": "hint", "task": "04.week-p99", "module": "04", "tier": tier, "time": "t"}

    record = {"events": [hint(1), hint(2), hint(1), {"kind": "hint", "task": "04.claim", "module": "04"}]}
    assert progressview.hints_seen(record) == {"04.week-p99": 2, "04.claim": 1}
    assert progressview.from_record(record).loc["04", "hints"] == 3


def test_the_progress_chart_counts_in_whole_tasks():
    table = progressview.from_record({"events": [
        {"kind": "check", "task": "04.week-p99", "module": "04", "status": "pass", "time": "t"}]})
    fig = progressview.chart(table)
    ticks = fig.axes[0].get_xticks()
    assert all(float(t).is_integer() for t in ticks), ticks


def _task_report(**kw) -> report.TaskReport:
    return report.TaskReport(**{"id": "04.week-p99", "title": "The week's p99", **kw})


def test_the_html_report_shows_what_the_markdown_shows():
    """The page the mentor opens lacked the numbers the mentee gave and the "hit:" the mentor guide
    names in its notes column."""
    tasks = [_task_report(status=NOT_YET, misconceptions=["averaged the hourly p99s"], answer="11.3589",
                          message="11.3589 is not the value the data gives (in ms).")]
    made = report.Report("x.ipynb", "04", "Quantify", 1.0, tasks, [], [], [], [], time.strftime("%Y"))
    page, markdown = report.to_html(made), report.to_markdown(made)
    assert "hit: averaged the hourly p99s" in page and "hit: averaged the hourly p99s" in markdown
    assert "Numbers they gave" in page and "11.36" in page


@pytest.mark.parametrize("name", ["04-quantify-everything.ipynb"])
def test_a_blank_claim_cell_prints_no_ellipsis(name):
    """The blank task 9 printed `Ellipsis` above its *not attempted*: `print(claim)` ran on `...`."""
    from steward import nbjson, paths

    nb = nbjson.read(paths.notebooks_dir("exercises") / name)
    for cell in nb.cells:
        source = nbjson.source(cell)
        for line in source.splitlines():
            if line.startswith("print(") and f"{line[6:].split(')')[0]} = ..." in source:
                pytest.fail(f"a blank cell prints its placeholder: {line}")


def _log():
    return quantify.requests_log()


def test_a_percentage_given_as_a_fraction_is_named():
    """04 tasks 5 and 6 ask for a percentage; 0.853 for 85.3% got only "is not the value"."""
    log = _log()
    bad = log["status"] >= 500
    left = 1 - bad.mean() / quantify.AVAILABILITY.error_budget * 7 / 30
    assert quantify.TASKS.budget_remaining.evaluate(left)[2].name == "gave a fraction, not a percentage"
    assert quantify.TASKS.budget_remaining.evaluate(100 * left)[0] == "pass"
    slow = log["latency_ms"] > quantify.LATENCY.threshold_ms
    spent = slow.mean() / quantify.LATENCY.error_budget * 7 / 30
    assert quantify.TASKS.latency_budget.evaluate(spent)[2].name == "gave a fraction, not a percentage"
    assert quantify.TASKS.latency_budget.evaluate(100 * spent)[0] == "pass"


def test_busiest_rate_times_slowest_latency_is_named():
    """04 task 8: max λ × max W, as a learner writes it, pairs two different windows."""
    windows = _log().set_index("timestamp")["latency_ms"].resample("10min")
    rate, latency = windows.size() * quantify.SAMPLE_RATE / 600, windows.mean() / 1000
    status, _, misconception = quantify.TASKS.in_flight_worst.evaluate(rate.max() * latency.max())
    assert status == NOT_YET and misconception.name == "multiplied the busiest rate by the slowest latency"
    assert quantify.TASKS.in_flight_worst.evaluate((rate * latency).max())[0] == "pass"


def test_a_wrong_number_is_never_shown_in_exponent_form():
    """04 task 3 in requests per hour: "7.196e+07 is not the value the data gives"."""
    per_hour = _log().set_index("timestamp").resample("1h").size()
    _, message, _ = quantify.TASKS.peak_throughput.evaluate(float(per_hour.max() * quantify.SAMPLE_RATE))
    assert "e+" not in message and re.match(r"[\d,]+ is not the value", message), message


def _weighted() -> pd.Series:
    return tradeoffs.weighted_scores(_wide(), tradeoffs.TEAM_WEIGHTS)


def test_a_ranked_series_is_told_where_the_names_are():
    """02 task 2 as a sorted Series (the right options, scores as values) was told "Those are not the
    options the data gives"."""
    task = tradeoffs.TASKS.correctness_shortlist
    ranked = _weighted()[list(task.sample_answer())]
    status, message, _ = task.evaluate(ranked)
    assert status == NOT_YET and ".index" in message and "not the options" not in message
    assert task.evaluate(ranked.index)[0] == "pass"


def test_a_flip_point_with_no_crossing_gets_a_question():
    """02 task 3 with the conditional write left in: no option catches up, `.min()` of nothing is NaN, and
    the learner read only "Your answer is NaN"."""
    wide, weights = _wide(), pd.Series(tradeoffs.TEAM_WEIGHTS)
    totals = (wide[weights.index] * weights).sum(axis=1)
    winner = totals.idxmax()
    slope = wide["availability"] - wide.loc[winner, "availability"]
    crossings = ((totals[winner] - totals) / slope)[slope > 0]
    answer = crossings[weights["availability"] + crossings <= 5].min()
    status, _, misconception = tradeoffs.TASKS.flip_point.evaluate(answer)
    assert status == NOT_YET and misconception is not None and "database_only" in misconception.hint


def _draws(low: int, high: int, scale: float = 1.0) -> float:
    """02 task 4 as the solution writes it, with the noise drawn from integers(low, high)."""
    wide, weights = _wide(), pd.Series(tradeoffs.TEAM_WEIGHTS)
    table = wide[weights.index]
    allowed = tradeoffs.fencing_by_option()[table.index].to_numpy(bool)
    moved = np.clip(table.to_numpy()[None] + np.random.default_rng(7).integers(low, high, size=(4000, *table.shape)), 1, 5)
    totals = moved @ weights.to_numpy()
    totals[:, ~allowed] = -np.inf
    winner = int(np.argmax(np.where(allowed, table.to_numpy() @ weights.to_numpy(), -np.inf)))
    return scale * float(np.mean(totals.argmax(axis=1) == winner))


def test_winner_holds_as_a_percentage_or_drawn_down_only_is_named():
    task = tradeoffs.TASKS.winner_holds
    assert task.evaluate(_draws(-1, 2))[0] == "pass"
    assert task.evaluate(_draws(-1, 2, 100))[2].name == "gave a percentage, not a share"
    assert task.evaluate(_draws(-1, 1))[2].name == "moved the scores by −1 or 0 only"


def test_the_mean_per_bin_hint_is_true_of_the_data():
    """Its hint says the mean stays under the target at every load: the data must agree."""
    table = quantify.latency_vs_load(_log(), quantify.LOAD_WINDOW, quantify.LOAD_BIN_RPS, quantify.TARGET_Q,
                                     quantify.SAMPLE_RATE)
    assert (table["mean_ms"] < quantify.TARGET_MS).all()


def test_a_table_instead_of_a_series_is_told_why():
    """04 task 1 with `reset_index()` or `as_index=False`: the regions became a column."""
    log = _log()
    for answer in (log.groupby("region")["latency_ms"].quantile(0.99).reset_index(),
                   log.groupby("region", as_index=False)["latency_ms"].quantile(0.99)):
        status, message, _ = quantify.TASKS.p99_per_region.evaluate(answer)
        assert status == NOT_YET and "set_index('region')" in message, message


def test_every_missing_value_of_a_series_is_named():
    """All three regions NaN was reported as "The p99 (ms) for ap-south is missing" only."""
    answer = _log().groupby("region")["latency_ms"].quantile(0.99) * float("nan")
    _, message, _ = quantify.TASKS.p99_per_region.evaluate(answer)
    assert all(region in message for region in answer.index) and " are missing" in message, message
