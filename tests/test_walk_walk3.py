"""Rough edges found by working exercises 05, 06 and 08 as a learner (issue #18's walk, helper walk3):
the natural wrong answer each task gets, and what the learner reads back. Each test holds one fix."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from steward import checks
from steward.checks import NOT_YET, PASS
from steward.datagen import load
from steward.lessons import incident


def _hit(task, answer) -> str | None:
    status, _, misconception = task.evaluate(answer)
    assert status == NOT_YET, (task.id, status)
    return misconception.name if misconception else None


# -- 05 · lead the incident ---------------------------------------------------------------------
A, M = incident.ANSWER_MIN, incident.MAX_INTERRUPTED


def _lost(f, a, s):
    return a * (A + s) / (60 * f)


@pytest.mark.parametrize(("code", "name"), [
    (lambda f, a, s: min(M, _lost(f, a, s)), "returned the share lost, not the share left"),
    (lambda f, a, s: max(M, 1 - _lost(f, a, s)), "read MAX_INTERRUPTED as a bound on the time left"),
    (lambda f, a, s: min(M, 1 - _lost(f, a, s)), "read MAX_INTERRUPTED as a bound on the time left"),
    (lambda f, a, s: max(0, 1 - _lost(f, a, s)), "capped at zero, not at MAX_INTERRUPTED"),
    (lambda f, a, s: 1 - min(M, a * (A + s) / f), "mixed hours and minutes"),
    (lambda f, a, s: 100 * (1 - min(M, _lost(f, a, s))), "gave a percentage, not a share"),
])
def test_focus_share_slips_are_named(code, name):
    """05 task 1: each of these got only "your function returns 0.15000000000000002; the model gives 0.2"."""
    task = incident.TASKS.focus_share
    assert _hit(task, code) == name
    assert "0000000" not in task.evaluate(code)[1]


def test_the_gain_flipped_or_in_the_wrong_scenario_is_named():
    task, sim = incident.TASKS.gain_at, incident.simulate(**incident.GAIN_SCENARIO)
    assert _hit(task, 100 * (sim.with_lead.mean() / sim.without.mean() - 1)) == "divided the other way round"
    assert _hit(task, incident.simulate(**incident.DEFAULTS).gain_pct) == "ran the lesson's default scenario"
    assert _hit(task, 100 * (1 - np.median(sim.with_lead) / np.median(sim.without))) == "compared medians, not means"
    assert task.evaluate(100 * (1 - sim.with_lead.mean() / sim.without.mean()))[0] == PASS


def test_the_smallest_team_as_a_gain_or_a_position_is_named():
    """`gains[gains > 0].min()` is a gain, and `np.argmax(gains > 0)` a position: both got generic messages."""
    task = incident.TASKS.smallest_team
    gains = incident.gain_by_team_size(**incident.SMALL_TEAM_SCENARIO)
    assert _hit(task, gains[gains > 0].min()) == "gave the gain, not the team size"
    assert _hit(task, gains[gains > 0].head(1)) == "gave the gain, not the team size"
    assert _hit(task, int(np.argmax(gains.to_numpy() > 0))) == "gave the position, not the team size"
    assert "1.6071768908401562" not in task.evaluate(gains[gains > 0].min())[1]
    assert task.evaluate(int(gains[gains > 0].index[0]))[0] == PASS


def test_forty_and_five_says_what_each_half_is():
    """A search that found nothing (None), a gain, a Simulation or a partial dict each got "not a scenario the
    simulator can run", which does not say what went wrong."""
    task, five = incident.TASKS.forty_and_five, incident.find_asks_for(5.0)
    messages = {
        "None": task.evaluate((None, five))[1],
        "a number": task.evaluate((40.0, five))[1],
        "a Simulation": task.evaluate((incident.simulate(**five), five))[1],
        "lacks team_size": task.evaluate(({"asks_per_hour": 30.0}, five))[1],
    }
    for said, message in messages.items():
        assert said in message, message


def _incidents():
    inc = load("incidents")
    return inc, inc.mitigated_at - inc.detected_at


def test_durations_and_seconds_are_named():
    """A Series of Timedeltas was "The mean minutes to mitigate for False, True do not match the data"."""
    inc, td = _incidents()
    task = incident.TASKS.naive_mttm
    _, message, _ = task.evaluate(td.groupby(inc.commander).mean())
    assert "durations (Timedelta)" in message, message
    assert _hit(task, td.dt.total_seconds().groupby(inc.commander).mean()) == "gave seconds, not minutes"
    _, message, _ = incident.TASKS.drill_savings.evaluate(incident.replay().mitigated
                                                          - incident.replay({"declare": "declare"}).mitigated)
    assert message.startswith("That is a duration (a Timedelta)"), message


def test_the_by_severity_table_or_ratio_is_named():
    inc, td = _incidents()
    means = (td.dt.total_seconds() / 60).groupby([inc.severity, inc.commander]).mean().unstack()
    task = incident.TASKS.by_severity
    assert _hit(task, means) == "gave the table of means, not the difference"
    assert _hit(task, means[False] / means[True]) == "divided instead of subtracting"
    assert task.evaluate(means[False] - means[True])[0] == PASS


def test_np_average_with_value_counts_is_named():
    """`np.average(by_severity, weights=value_counts())` pairs the weights by position: value_counts sorts by
    count, the differences are by severity."""
    inc, td = _incidents()
    means = (td.dt.total_seconds() / 60).groupby([inc.severity, inc.commander]).mean().unstack()
    by_severity, weights = means[False] - means[True], inc.severity.value_counts()
    assert list(weights.index) != list(by_severity.index), "value_counts now sorts like the severities: premise gone"
    task = incident.TASKS.adjusted_effect
    assert _hit(task, np.average(by_severity, weights=weights)) == "paired each weight with another severity"
    assert _hit(task, (by_severity * weights).sum()) == "did not divide by the total weight"
    assert _hit(task, -(by_severity * weights).sum() / weights.sum()) == "subtracted the other way round"
    assert task.evaluate(np.average(by_severity, weights=weights[by_severity.index]))[0] == PASS


def _draws(skip=True):
    inc, td = _incidents()
    severities = sorted(inc.severity.unique())
    group = (2 * inc.severity.map(severities.index) + inc.commander.astype(int)).to_numpy()
    minutes = (td.dt.total_seconds() / 60).to_numpy()
    rng, draws = np.random.default_rng(1), []
    for _ in range(2000):
        pick = rng.integers(0, len(minutes), len(minutes))
        n = np.bincount(group[pick], minlength=8).reshape(-1, 2)
        total = np.bincount(group[pick], weights=minutes[pick], minlength=8).reshape(-1, 2)
        if (n > 0).all() or not skip:
            with np.errstate(invalid="ignore", divide="ignore"):
                draws.append(((total[:, 0] / n[:, 0] - total[:, 1] / n[:, 1]) * n.sum(axis=1)).sum() / n.sum())
    return np.array(draws)


def test_the_interval_as_numpy_gives_and_its_slips():
    """`np.percentile(draws, [2.5, 97.5])` is an array, not a tuple: it got "Expected a pair … got an array"."""
    task, draws = incident.TASKS.adjusted_interval, _draws()
    assert task.evaluate(np.percentile(draws, [2.5, 97.5]))[0] == PASS
    assert task.evaluate(pd.Series(draws).quantile([0.025, 0.975]))[0] == PASS
    assert _hit(task, np.percentile(draws, [0.025, 0.975])) == "asked np.percentile for 0.025 and 0.975"
    half = 1.96 * draws.std() / math.sqrt(draws.size)
    assert _hit(task, (draws.mean() - half, draws.mean() + half)) == "divided the spread by the square root of the draws"
    _, message, _ = task.evaluate(tuple(np.percentile(_draws(skip=False), [2.5, 97.5])))
    assert "NaN" in message and "skip" in message and "np.float64" not in message, message


def test_the_drill_saving_reversed_or_partial_is_named():
    task, guided = incident.TASKS.drill_savings, {p.id: p.guided for p in incident.drills()}
    actual = incident.replay().impact_min
    assert _hit(task, incident.replay(guided).impact_min - actual) == "subtracted the other way round"
    assert _hit(task, actual - incident.replay({"mitigate": "rollback"}).impact_min) == "counted only the earlier rollback"
    assert "Replay(" not in task.evaluate(incident.replay(guided))[1]


def test_a_status_update_in_system_terms_or_without_a_contact_is_named():
    task = incident.TASKS.status_update
    internal = ("Update 15:00 UTC. Redis eviction rate is high and recommendation-api p99 breached 200 ms since 14:09. "
                "We are rolling back the config change now. Next update 15:20 UTC. Ask Dana in #inc-recs-0611.")
    assert _hit(task, internal) == "described the impact in the system's terms"
    no_contact = ("Update 15:00 UTC: about 30% of product pages are missing recommendations since 14:09 UTC. We are "
                  "rolling back the Redis config change that shipped at 14:02. Next update at 15:30 UTC.")
    assert _hit(task, no_contact) == "left out whom to contact"


def test_the_cadence_gap_in_minutes_or_the_team_spread_is_named():
    task = incident.TASKS.cadence_spread
    gains = pd.Series({c: incident.gain_pct(cadence_min=c, **incident.CADENCE_SCENARIO) for c in incident.CADENCES})
    assert _hit(task, gains.idxmax() - gains.idxmin()) == "gave the gap between the cadences, in minutes"
    assert _hit(task, abs(gains.idxmax() - gains.idxmin())) == "gave the gap between the cadences, in minutes"
    spread = incident.team_spread(asks_per_hour=10, switch_min=10, cadence_min=15)
    assert _hit(task, spread) == "gave the team size's spread"


def test_the_interval_task_does_not_quote_task_7s_answer():
    """Task 8's hint and text said "the 9 minutes": task 7's answer, rounded (the rounding rule calls 9 close)."""
    effect = incident.adjusted_difference(load("incidents"))
    said = f"{effect:.0f} min"
    task = incident.TASKS.adjusted_interval
    assert all(said not in hint and f"{effect:.0f} minutes" not in hint for hint in task.hints)
    from steward import nbjson, paths

    for folder in ("solutions", "exercises"):
        text = "\n".join(nbjson.source(c) for c in nbjson.read(paths.notebooks_dir(folder) / "05-lead-the-incident.ipynb").cells)
        assert f'"{effect:.0f} minutes sooner"' not in text


def test_the_incident_hints_counts_are_true_of_the_data():
    """Hints name small cells in words ("four SEV1s", "141 SEV4s"): the data must agree."""
    table = incident.stratified(load("incidents"))
    assert table.loc["SEV1", "n_without"] == 4 and table.loc["SEV4", "n_without"] == 141
    hint = next(m.hint for m in incident.TASKS.adjusted_effect.misconceptions if m.name.startswith("averaged"))
    assert "four SEV1" in hint and "141 SEV4s" in hint
    assert table.loc["SEV1", "n_without"] < table["n_without"].drop("SEV1").min()  # "Only a few SEV1s had no commander"


def test_describe_reads_like_words():
    """"got float64 np.float64(-15.65)", "got Index Index([4, 5, …", "got Replay Replay(response_start=…"."""
    assert checks.describe(np.float64(-15.653042)) == "the number -15.653"
    assert checks.describe(pd.Index([4, 5, 6])) == "an Index of length 3"
    assert checks.describe(incident.replay()) == "a Replay object"
    assert checks.describe((np.float64(1.5), 2)) == "the pair (1.5, 2)"
    assert not re.search(r"np\.|float64", checks.describe(np.int64(3)))


# -- 06 · mentor with frameworks ------------------------------------------------------------------
from steward import cartwheel  # noqa: E402
from steward.datasets.requests import INCIDENT_END, INCIDENT_START  # noqa: E402
from steward.lessons import mentoring  # noqa: E402


def _log():
    return load("requests")


@pytest.mark.parametrize("label", ["date", "day number", "lower-case name"])
def test_daily_p99s_under_other_labels_are_named(label):
    """06 task 2 by date or by day number: the right seven numbers got "The labels do not match (missing Monday…)"."""
    log = _log()
    key = {"date": log.timestamp.dt.date, "day number": log.timestamp.dt.day_of_week,
           "lower-case name": log.timestamp.dt.day_name().str.lower()}[label]
    assert _hit(mentoring.TASKS.p99_by_day, log.latency_ms.groupby(key).quantile(0.99)) == \
        "labelled the days by date or number"


def test_p99_by_cache_labelled_true_false_is_named():
    log, task = _log(), mentoring.TASKS.p99_by_cache
    assert _hit(task, log.latency_ms.groupby(log.cache_hit).quantile(0.99)) == "kept cache_hit's True/False as the labels"
    assert task.evaluate(log.latency_ms.groupby(log.cache_hit.map({True: "hit", False: "miss"})).quantile(0.99))[0] == PASS


def _what_changed(order=(False, True), percent=False, week=False):
    log = _log()
    thursday = log.timestamp.min().normalize() + pd.Timedelta(days=3)
    incident_window = (log.timestamp >= INCIDENT_START) & (log.timestamp < INCIDENT_END)
    rows = []
    for late in order:
        half, days = (log.timestamp >= thursday) == late, (4 if late else 3)
        rows.append({"p99_ms": log.latency_ms[half].quantile(0.99),
                     "p99_outside_incident_ms": log.latency_ms[half & ~incident_window].quantile(0.99),
                     "calls_per_s": half.sum() * cartwheel.REQUEST_LOG_SAMPLING / ((7 if week else days) * 86_400),
                     "miss_rate": (~log.cache_hit[half]).mean() * (100 if percent else 1)})
    return pd.DataFrame(rows)


def test_what_changed_slips_are_named():
    task = mentoring.TASKS.what_changed
    assert task.evaluate(_what_changed())[0] == PASS
    assert _hit(task, _what_changed(order=(True, False))) == "put Thu–Sun first"
    assert _hit(task, _what_changed(percent=True)) == "gave the miss rate in percent"
    assert _hit(task, _what_changed(week=True)) == "divided both halves by the whole week"
    _, message, _ = task.evaluate(_what_changed().T)
    assert "transposed" in message and "[" not in message, message


def test_verdicts_spelled_as_keys_or_ruled_in_pass():
    """{'miss_rate': 'out', …} was told "missing miss rate"; 'ruled in' was told "Say 'in' or 'out'"."""
    task = mentoring.TASKS.ruled_in_out
    expected = task.expected
    assert task.evaluate({k.replace(" ", "_"): v for k, v in expected.items()})[0] == PASS
    assert task.evaluate({k: f"ruled {v}" for k, v in expected.items()})[0] == PASS


def test_slow_share_slips_are_named():
    log, task = _log(), mentoring.TASKS.miss_share_of_slow
    slow, miss = log.latency_ms > log.latency_ms.quantile(0.99), ~log.cache_hit
    assert _hit(task, (miss & slow).sum()) == "counted the slow misses"
    assert _hit(task, (miss & slow).sum() / len(log)) == "divided the slow misses by every request"
    assert _hit(task, miss[log.latency_ms > cartwheel.LATENCY.threshold_ms].mean()) == \
        "called slow what breaks the latency SLO"


def test_a_lift_as_how_much_more_or_upside_down_is_named():
    log = _log()
    slow, miss = log.latency_ms > log.latency_ms.quantile(0.99), ~log.cache_hit
    lift = miss[slow].mean() / miss.mean()
    assert _hit(mentoring.TASKS.miss_lift, lift - 1) == "gave how much more, not how many times"
    assert _hit(mentoring.TASKS.miss_lift, 100 * (lift - 1)) == "gave how much more, not how many times"
    by_endpoint = log.endpoint[slow].value_counts(normalize=True) / log.endpoint.value_counts(normalize=True)
    assert _hit(mentoring.TASKS.endpoint_lift, 1 / by_endpoint) == "divided the wrong way round"


def test_an_empty_fix_that_matches_every_hint_is_named():
    def linter(hint, fix):
        if not isinstance(hint, str) or not hint.strip() or not hint.rstrip().rstrip("\"'”’)").endswith("?"):
            return False
        if any(hint.lower().startswith(o.lower()) for o in mentoring.DISGUISED_OPENERS):
            return False
        return " ".join(re.sub(r"[^\w\s]", " ", fix.lower()).split()) not in hint.lower()

    assert _hit(mentoring.TASKS.hint_linter, linter) == "an empty fix matches every hint"


def test_a_tiny_wrong_number_is_not_in_exponent_form():
    """06 task 8 with the base rate as a count: "3.84408e-05 is not the value the data gives"."""
    log = _log()
    slow, miss = log.latency_ms > log.latency_ms.quantile(0.99), ~log.cache_hit
    _, message, _ = mentoring.TASKS.miss_lift.evaluate(miss[slow].mean() / miss.sum())
    assert "e-0" not in message and message.startswith("0.0000"), message


def test_the_mentoring_hints_are_true_of_the_data():
    log = _log()
    slow, miss = log.latency_ms > log.latency_ms.quantile(0.99), ~log.cache_hit
    hint = mentoring.TASKS.endpoint_lift.hints[0]
    assert "home has the most slow requests" not in hint  # it was false: cart has the most (a sixth of the requests)
    assert (miss[slow].groupby(log.timestamp[slow].dt.date).mean() > 0.5).all()      # "misses are most …, every day"
    assert log.cache_hit.mean() > 0.8                                                # "Your miss_rate is near 1"
    assert (INCIDENT_END - INCIDENT_START) == pd.Timedelta(minutes=75)               # "75 minutes cannot move a week"


# -- 08 · own the un-owned -----------------------------------------------------------------------
from steward.lessons import ownership  # noqa: E402

OWN = ownership.TASKS


def _pages():
    return load("pages")


def _first(kind):
    events = load("incident_events")
    return pd.to_datetime(events.loc[events.kind == kind, "time"]).min()


def test_page_rates_slips_are_named():
    pages = _pages()
    noise = pages.after_hours & ~pages.actionable
    assert _hit(OWN.non_actionable, (~pages.actionable).sum()) == "gave a count"
    assert _hit(OWN.after_hours_noise, (~pages.actionable).sum() / ownership.WEEKS_IN_QUARTER) == \
        "counted the daytime noise too"
    weeks = (pages.fired_at.max() - pages.fired_at.min()).days / 7
    assert _hit(OWN.after_hours_noise, noise.sum() / weeks) == "counted the weeks from the first page to the last"
    assert _hit(OWN.after_hours_noise, 100 * noise.mean()) == "gave a percentage"


def test_shift_slips_are_named():
    """Shifts floored at midnight and noon, every page counted, or the shifts listed got generic messages."""
    pages = _pages()
    part = pages[pages.incident_id.notna()]
    by_clock = part.groupby(part.fired_at.dt.floor("12h")).incident_id.nunique()
    assert _hit(OWN.shifts_over_limit, int((by_clock > 2).sum())) == "started the shifts at midnight and noon"
    every = pages.groupby((pages.fired_at - pd.Timedelta(hours=8)).dt.floor("12h")).size()
    assert _hit(OWN.shifts_over_limit, int((every > 2).sum())) == "counted every page, not incidents"
    shifts = part.groupby((part.fired_at - pd.Timedelta(hours=8)).dt.floor("12h")).incident_id.nunique()
    assert _hit(OWN.shifts_over_limit, shifts[shifts > 2]) == "listed the shifts, not how many"
    assert OWN.shifts_over_limit.evaluate(int((shifts > 2).sum()))[0] == PASS


def test_reduction_over_the_wrong_denominator_is_named():
    pages = _pages()
    top3 = pages.alert.value_counts().index[:3]
    removed = pages.alert.isin(top3) & ~pages.actionable
    assert _hit(OWN.projected_reduction, 100 * removed.sum() / (~pages.actionable).sum()) == \
        "divided by the non-actionable pages, not all pages"


def test_detect_and_mitigate_slips_are_named():
    impact = _first("impact_start")
    assert _hit(OWN.time_to_detect, (_first("alert") - impact).total_seconds()) == "gave seconds"
    assert _hit(OWN.time_to_detect, (_first("page") - impact).total_seconds() / 60) == "measured to the page"
    mitigated = _first("mitigated")
    assert _hit(OWN.time_to_mitigate, (mitigated - impact).total_seconds() / 3600) == "gave hours"
    assert _hit(OWN.time_to_mitigate, (mitigated - _first("page")).total_seconds() / 60) == "measured from the page"
    assert _hit(OWN.time_to_mitigate, mitigated.minute - impact.minute) == "subtracted the clock's minutes"
    assert OWN.time_to_detect.evaluate(_first("alert") - impact)[1].startswith("That is a duration")


def test_list_answers_with_one_wrong_kind_of_item_are_named():
    """An extra item got only "Expected 3 action items; got 4": which kind of item it was decides the question."""
    passes = next(i for i, ok in ownership.review(ownership.PROPOSAL).items() if ok)
    assert _hit(OWN.review_gaps, [*OWN.review_gaps.expected, passes]) == "listed an item the proposal passes"
    accepted = list(OWN.action_items.expected)
    exhortation = next(k for k in ownership.ACTION_ITEM_CANDIDATES if k not in accepted
                       and not ownership.review_action_item(ownership.ACTION_ITEM_CANDIDATES[k]).changes_the_system)
    assert _hit(OWN.action_items, [*accepted, exhortation]) == "accepted 'be careful' because it has an owner and a date"
    wish = next(k for k in ownership.ACTION_ITEM_CANDIDATES
                if not ownership.review_action_item(ownership.ACTION_ITEM_CANDIDATES[k]).has_date)
    assert _hit(OWN.action_items, [*accepted, wish]) == "accepted good ideas with no owner or date"
    numbers = [int(i.lstrip("S")) for i in OWN.second_story.expected]
    assert _hit(OWN.second_story, numbers) == "gave the statements' numbers, not their ids"


def test_the_stretch_as_a_list_of_alerts_is_named():
    k = OWN.tune_until_actionable.expected
    answer = list(_pages().alert.value_counts().index[:k])
    status, message, misconception = OWN.tune_until_actionable.evaluate(answer)
    assert misconception.name == "listed the alerts to tune, not how many"
    assert "['" not in message, message


def test_the_blameless_rewrite_reads_in_words():
    _, message, _ = OWN.blameless_rewrite.evaluate(ownership.BLAMEFUL_DRAFT)
    assert "phrase(s)" not in message and "phrases" in message
    lost_one = ownership.REWRITE_SAMPLE.replace("decided to roll back at 14:55 and the rollback finished",
                                                "acted at 14:55 and it finished")
    _, message, _ = OWN.blameless_rewrite.evaluate(lost_one)
    assert message == ("Blameless, but it no longer says how it was mitigated (the rollback): the postmortem "
                       "needs it."), message


def test_action_item_dates_in_another_format_are_named():
    """dd/mm/yyyy due dates were told "no action item has an owner and a date", which is untrue of them."""
    dated = re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", ownership.POSTMORTEM_SAMPLE)
    assert _hit(OWN.postmortem, dated) == "wrote the due dates in another format"
    bare = re.sub(r" Owner: \w+\. Due: \d{4}-\d{2}-\d{2}\.", "", ownership.POSTMORTEM_SAMPLE)
    assert _hit(OWN.postmortem, bare) == "action items without owners or dates"


def test_more_slips_are_named():
    inc, td = _incidents()
    minutes = td.dt.total_seconds() / 60
    assert _hit(incident.TASKS.naive_mttm, minutes.groupby(inc.commander).median()) == "used medians"
    log = _log()
    miss = ~log.cache_hit
    assert _hit(mentoring.TASKS.miss_share_of_slow, miss[log.latency_ms > log.latency_ms.quantile(0.95)].mean()) == \
        "called slow the slowest 5%"
    assert _hit(OWN.time_to_mitigate, (_first("mitigated") - _first("change")).total_seconds() / 60) == \
        "measured from the change"


def test_the_drill_hint_does_not_write_the_answer():
    """05 task 9's second hint was the whole answer: `saved = lesson.replay().impact_min − …`."""
    assert not any("saved =" in hint or "impact_min −" in hint for hint in incident.TASKS.drill_savings.hints)


def test_the_correlation_hint_is_true_of_the_data():
    """06 task 5, reply (b): "Misses and the p99 both rise in the evening" is false of the miss *rate* (flat by
    hour); the *number* of misses an hour rises with the load, like the p99."""
    log = _log()
    hour = log.timestamp.dt.hour
    per_hour = pd.DataFrame({"calls": hour.value_counts().sort_index(),
                             "misses": (~log.cache_hit).groupby(hour).sum(),
                             "p99": log.latency_ms.groupby(hour).quantile(0.99)})
    evening, night = per_hour.loc[17:20], per_hour.loc[2:5]
    assert (evening.mean() > night.mean()).all()
    assert "number of misses" in mentoring.METRIC_HINTS["b"]


def test_forty_and_five_reads_in_words():
    """"Not yet: the first conditions give …" repeated the badge; the keys were a Python list."""
    task = incident.TASKS.forty_and_five
    _, message, _ = task.evaluate(({**incident.DEFAULTS, "asks_per_hour": 20.0}, incident.DEFAULTS))
    assert message.startswith("Your first scenario gives a gain of") and "Not yet" not in message, message
    _, message, _ = task.evaluate([1, 2, 3])
    assert "[" not in message and "team_size, asks_per_hour" in message, message


def test_the_blank_blame_report_does_not_call_the_placeholder_empty():
    """The blank exercise printed "Nothing to lint yet: the text is empty." above a cell holding `...`."""
    assert ownership.blame_report(...) == "Nothing to lint yet: replace the ... with your text."
    assert ownership.blame_report("  ") == "Nothing to lint yet: the text is empty."


@pytest.mark.parametrize("folder", ["exercises", "notebooks"])
def test_the_checklist_is_shown_in_full(folder, capsys):
    """Task 10 showed the checklist as a DataFrame, which cuts each question at 50 characters ("Does the new path
    have an SLO, stated as an SL..."): the learner could not read what they must apply."""
    from steward import nbjson, paths

    nb = nbjson.read(paths.notebooks_dir(folder) / "08-own-the-unowned.ipynb")
    source = next(nbjson.source(c) for c in nb.cells if c.cell_type == "code" and "lesson.CHECKLIST" in nbjson.source(c)
                  and "check(" not in nbjson.source(c))
    exec(source, {"lesson": ownership, "pd": pd})  # noqa: S102 - the notebook's own display cell
    shown = capsys.readouterr().out
    assert all(item.question in shown for item in ownership.CHECKLIST), shown


def test_a_conclusion_with_shares_as_fractions_is_named():
    """`f"{miss_share_of_slow} of the slow requests…"` writes 0.79: the check said only "Missing: … (a %)"."""
    sample = mentoring.conclusion_sample()
    fractions = re.sub(r"(\d+(?:\.\d+)?)\s*%", lambda m: f"{float(m.group(1)) / 100:.2f}", sample)
    assert "%" not in fractions
    assert _hit(mentoring.TASKS.conclusion, fractions) == "wrote the share as a fraction"
    assert mentoring.TASKS.conclusion.evaluate(sample)[0] == PASS


def test_a_few_more_slips_are_named():
    sim = incident.simulate(**incident.GAIN_SCENARIO)
    assert _hit(incident.TASKS.gain_at, 100 * np.mean(1 - sim.with_lead / sim.without)) == "averaged each incident's gain"
    gains = incident.gain_by_team_size(**incident.SMALL_TEAM_SCENARIO)
    assert _hit(incident.TASKS.smallest_team, int((gains > 0).sum())) == "counted the team sizes that gain"
    log = _log()
    assert _hit(mentoring.TASKS.p99_by_day, log.latency_ms.groupby(log.timestamp.dt.day_name()).max()) == \
        "took each day's slowest request"


def test_describe_never_uses_exponent_form():
    assert checks.describe(np.float64(7.196e7)) == "the number 71,960,000"
    assert checks.describe((1e7, 3e-5)) == "the pair (10000000, 0.00003)"
