"""Rough edges found by working exercises 01, 03 and 07 as a learner (issue #18's second walk): the
natural wrong answer, run through the task's check, and what the learner reads. Each test holds one fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from steward import checks
from steward.checks import NOT_YET, PASS
from steward.datagen import load
from steward.lessons import failure_modes as fm


def _hit(task, answer) -> str | None:
    status, _, misconception = task.evaluate(answer)
    assert status == NOT_YET, (task.id, status)
    return misconception.name if misconception else None


# -- shared comparators ---------------------------------------------------------------------------
def test_a_series_numbered_by_row_is_told_to_use_the_label():
    """`data.severity * data.occurrence * data.detection` (data not indexed by mode_id) got "The labels do
    not match (missing FM01, …; unexpected 0, 1, …)"."""
    data = load("failure_modes")
    _, message, _ = fm.TASKS.rpn.evaluate(data.severity * data.occurrence * data.detection)
    assert "row number" in message and "set_index('mode_id')" in message


def test_choice_names_the_options_in_words_not_a_python_list():
    compare = checks.choice([f"FM{i:02d}" for i in range(1, 22)])
    message = compare(pd.DataFrame({"a": [1]}), "FM11").message
    assert "[" not in message and "21 options" in message
    assert "'etcd' or 'Redis'" in checks.choice(["etcd", "Redis"])(3, "Redis").message
    for one in (["FM11"], pd.Index(["FM11"]), pd.Series(["FM11"])):
        message = compare(one, "FM11").message
        assert "`[0]`" in message and "'FM11'" in message and "a Index" not in message


def test_structured_text_reads_like_words():
    compare = checks.structured_text({"a headline": lambda t: False, "a signal, with a threshold": lambda t: False}, 2)
    assert "1 word is too short" in compare("hello", None).message
    assert "Missing: a headline; a signal, with a threshold." == compare("hello there", None).message


# -- 01 -------------------------------------------------------------------------------------------
SHEET = load("failure_modes").set_index("mode_id")
NIGHT = fm.NIGHT


def _rpn() -> pd.Series:
    return SHEET.severity * SHEET.occurrence * SHEET.detection


def _top_ten() -> pd.Index:
    return _rpn().sort_values(ascending=False).index[:10]


def test_01_a_share_of_the_ten_is_named():
    """`(… != "page").mean()` got only "A count is a whole number; got 0.7"."""
    assert _hit(fm.TASKS.not_paged, (SHEET.loc[_top_ten()].channel != "page").mean()) == "gave a share"


def test_01_counting_one_channel_gets_a_hint_true_for_every_channel():
    """The paged count and the ticket count coincide in this data, so the hint for 3 said "That is how many
    *do* page someone" to a learner who counted tickets. The hint now fits whichever channel was counted."""
    task = fm.TASKS.not_paged
    top = SHEET.loc[_top_ten()]
    for channel in ("page", "ticket"):
        count = int((top.channel == channel).sum())
        if count != task.expected:
            status, _, hit = task.evaluate(count)
            if hit is not None and hit.name == "counted one channel":
                assert "page someone" not in hit.hint


def _night_engage(sheet=SHEET, when=NIGHT, watchers_rule=True, hours_factor=60, crew_offset=None, ack=True):
    until = sheet.detect_minutes + hours_factor * when.hours_until_staffed
    human = until if when.watchers == 0 else np.minimum(sheet.detect_minutes * fm.DAY_WATCHERS / when.watchers, until)
    if not watchers_rule:
        human = sheet.detect_minutes
    detect = sheet.detect_minutes.where(sheet.channel == "page", until.where(sheet.channel == "ticket", human))
    missing = (sheet.crew - (when.responders if crew_offset is None else crew_offset)).clip(lower=0)
    respond = (when.ack_minutes if ack else 0) + sheet.needs_expert * when.expert_minutes + when.call_in_minutes * missing
    return detect + respond


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"hours_factor": 1}, "added hours to minutes"),
    ({"crew_offset": 0}, "called in the whole crew"),
    ({"ack": False}, "left out the acknowledgement"),
    ({"watchers_rule": False}, "treated unwatched failures like pages"),
])
def test_01_night_engage_slips_are_named(kwargs, name):
    """Each slip in writing the lesson's rules in pandas got "The minutes for FM01, FM02, FM03 do not match"."""
    assert fm.TASKS.night_engage.evaluate(_night_engage())[0] == PASS
    assert _hit(fm.TASKS.night_engage, _night_engage(**kwargs)) == name


def test_01_hints_quote_no_night_constant():
    for task in (fm.TASKS.night_engage,):
        for m in task.misconceptions:
            for number in (NIGHT.call_in_minutes, NIGHT.ack_minutes, NIGHT.hours_until_staffed):
                assert f"{number:g} " not in m.hint, (m.name, m.hint)


def test_01_a_mode_answer_of_the_wrong_kind_is_told_what_it_is():
    """`night.rpn.max()`, `saving.idxmax()` on a row-numbered table and the mode's name got a list of 21 options."""
    task = fm.TASKS.night_top
    night = fm.lens(load("failure_modes"), NIGHT)
    assert "number" in task.evaluate(night.rpn.max())[1]
    assert "row number" in task.evaluate(int(np.argmax(night.rpn.to_numpy())))[1]
    assert "its mode_id" in task.evaluate(night.failure_mode.iloc[0])[1]
    assert "`[0]`" in task.evaluate(list(night.index[:1]))[1]
    assert _hit(task, night.engage_min.idxmax()) == "ranked by engage minutes alone"
    assert night.engage_min.idxmax() != night.index[0]


def test_01_impact_ratio_of_rpns_or_as_a_percentage_is_named():
    task = fm.TASKS.impact_ratio
    night, day = fm.lens(load("failure_modes"), NIGHT), fm.lens(load("failure_modes"), fm.DAY)
    assert _hit(task, night.rpn.sum() / day.rpn.sum()) == "compared the RPNs"
    assert _hit(task, 100 * night.impact_min_per_year.sum() / day.impact_min_per_year.sum()) == "gave a percentage"
    assert "in times" not in task.evaluate(1.5)[1]


def test_01_mitigations_message_does_not_give_away_the_night_top_three():
    """"Missing: the failure mode FM11 by its id, …" named Task 5's answer to anyone who typed three lines."""
    text = "FM01 Mitigation: add a replica so the cache survives. Signal: an alert when the primary fails. " * 3
    _, message, _ = fm.TASKS.mitigations.evaluate(text)
    night_top3 = list(fm.lens(load("failure_modes"), NIGHT).index[:3])
    assert "mode_id" in message and not any(mode in message for mode in night_top3), message


# -- 03 -------------------------------------------------------------------------------------------
def test_a_wrong_number_near_one_is_not_shown_as_one():
    """A fraction like 0.99999975 read "1 is not the value the data gives": the learner never typed 1."""
    message = checks.number(rel=0, abs=2e-7)(0.99999975, 0.9999)
    assert not message.message.startswith("1 is"), message.message
    assert "0.9999997" in message.message


def test_03_fraction_tasks_speak_no_unit_phrase():
    from steward.lessons import design_for_failure as dff

    for task in (dff.TASKS.path_availability, dff.TASKS.fallback_availability):
        assert "(in a fraction)" not in task.evaluate(0.5)[1]


def test_03_learner_slips_are_named():
    import math
    from dataclasses import replace

    from steward.lessons import design_for_failure as dff

    p = dff.EXERCISE_PATH
    pods_times_three = p.edge * (1 - (1 - p.replica) * 3) * p.redis * p.inventory
    assert _hit(dff.TASKS.path_availability, pods_times_three) == "multiplied by three instead of cubing"
    with_fallback = dff.path_availability(replace(p, zone=1.0, fallback=True))
    assert _hit(dff.TASKS.fallback_availability, 100 * with_fallback) == "answered a percentage"
    assert _hit(dff.TASKS.shared_zone, -dff.TASKS.shared_zone.expected) == "subtracted the wrong way round"
    assert _hit(dff.TASKS.shuffle_shard, 100 / math.perm(dff.SHARD_CELLS, dff.SHARD_SIZE)) == "counted ordered sets"
    low, high = dff.queue_bound_window()
    assert _hit(dff.TASKS.queue_bound, (low + high) / 2) == "gave seconds"
    assert dff.TASKS.queue_bound.evaluate(1000 * (low + high) / 2)[0] == PASS
    assert _hit(dff.TASKS.queue_bound, 0.0) == "a bound of zero (or too short)"  # zero is not read as seconds
    _, message, _ = dff.TASKS.queue_bound.evaluate((low + high) / 2)
    assert str((low + high) / 2) not in message  # 0.0475 not 0.047524716326670643


def test_03_the_fallback_setting_gets_its_own_hint_and_its_claim_is_true():
    from steward.lessons import design_for_failure as dff

    answer = {"retries": dff.TODAY_RETRIES, "fallback": True}
    assert _hit(dff.TASKS.client_settings, answer) == "counted on the fallback"
    with_, without = dff.evaluate_settings(answer), dff.evaluate_settings({"retries": dff.TODAY_RETRIES})
    assert with_["peak_after"] == pytest.approx(without["peak_after"])  # "the same calls with it as without"


def test_03_settings_messages_read_as_words():
    from steward.lessons import design_for_failure as dff

    for answer in ({"retries": 2, "backoff": 0.2}, "breaker"):
        message = dff.TASKS.client_settings.evaluate(answer)[1]
        assert "['" not in message, message
    assert "'backoff' is not a setting" in dff.TASKS.client_settings.evaluate({"backoff": 0.2})[1]


def test_03_experiment_helpers_show_sentences_not_dicts():
    """`lesson.evaluate_settings(...)` showed {'peak_after': 2.0000000000000004, …, 'client': Client(…)}, and the
    queue-bound table showed 4.444444e-01 and 3.297846e-10."""
    from IPython.lib.pretty import pretty

    from steward.lessons import design_for_failure as dff

    run = dff.evaluate_settings({"retries": dff.TODAY_RETRIES})
    shown = pretty(run)
    assert run["recovery_s"] is None and "{" not in shown and "never recovers" in shown and "2.00×" in shown
    for ms in (0, 20, 100):
        shown = str(dff.evaluate_queue_bound(ms))
        assert "e-" not in shown and "e+" not in shown and f"A bound of {ms} ms" in shown


def test_03_blank_breaker_replay_says_nothing_yet():
    import json
    from pathlib import Path

    for folder in ("solutions", "exercises"):
        cells = json.loads(Path(f"{folder}/03-design-for-failure.ipynb").read_text())["cells"]
        source = next("".join(c["source"]) for c in cells if "run_stream(transition" in "".join(c["source"]))
        assert "nothing yet" in source and "lesson.States(" in source
        assert not any("pd.DataFrame({f\"{ms} ms\"" in "".join(c["source"]) for c in cells)


# -- 07 -------------------------------------------------------------------------------------------
def _influence():
    from steward.lessons import influence

    return influence


def _ab():
    sessions = load("ab_sessions")
    carts = sessions[sessions.added_to_cart]
    return sessions, carts, (~carts.purchased).groupby(carts.arm).mean()


def test_describe_reads_numbers_plainly():
    """"got float64 np.float64(-3.527843093476035)" and "got tuple (np.float64(0.0266…), …)"."""
    import matplotlib.pyplot as plt

    assert checks.describe(np.float64(-3.527843093476035)) == "the number -3.52784"
    shown = checks.describe((np.float64(0.0266958905), np.float64(0.0933908126)))
    assert "np.float64" not in shown and "0.0266959" in shown
    assert checks.describe(plt) == "the module matplotlib.pyplot"  # not the venv's path


def test_07_abandonment_slips_are_named():
    lesson = _influence()
    _, carts, _ = _ab()
    assert _hit(lesson.TASKS.abandonment_per_arm, carts.groupby("arm").purchased.mean()) == "gave the carts that bought"
    assert _hit(lesson.TASKS.abandonment_per_arm, (~carts.purchased).groupby(carts.arm).sum()) == "counted, not a rate"


def test_07_z_test_slips_are_named_and_the_order_message_fits_the_pair():
    import math

    lesson = _influence()
    _, carts, rate = _ab()
    x, n = (~carts.purchased).groupby(carts.arm).sum(), carts.groupby("arm").size()
    pooled = x.sum() / n.sum()
    z = (rate["treatment"] - rate["control"]) / math.sqrt(pooled * (1 - pooled) * (1 / n["control"] + 1 / n["treatment"]))
    assert z < 0, "premise: the drop gives a negative z"
    p = math.erfc(abs(z) / math.sqrt(2))
    assert lesson.TASKS.z_test.evaluate((z, p))[0] == PASS
    assert _hit(lesson.TASKS.z_test, (z, math.erfc(z / math.sqrt(2)))) == "took the tail on the wrong side"
    message = lesson.TASKS.z_test.evaluate((p, z))[1]
    assert "(z, p)" in message and "low end" not in message


def test_07_srm_chi2_is_named():
    lesson = _influence()

    def chi2(frame):
        counts = frame.arm.value_counts()
        return ((counts - counts.sum() / 2) ** 2 / (counts.sum() / 2)).sum()

    answer = pd.Series({name: chi2(load(name)) for name in ("ab_sessions", "ab_sessions_srm")})
    assert _hit(lesson.TASKS.srm_check, answer) == "gave χ², not the p-value"


def _revenue_range():
    import math
    from statistics import NormalDist

    from steward import cartwheel

    sessions, carts, rate = _ab()
    n = carts.groupby("arm").size()
    p1, p2 = rate["control"], rate["treatment"]
    diff = p2 - p1
    se = math.sqrt(p1 * (1 - p1) / n["control"] + p2 * (1 - p2) / n["treatment"])
    z95 = NormalDist().inv_cdf(0.975)
    ci_pp = (100 * (diff - z95 * se), 100 * (diff + z95 * se))
    aov = sessions.loc[sessions.purchased, "order_value"].mean()
    monthly_carts = cartwheel.sessions_per_month() * sessions.added_to_cart.mean()
    return monthly_carts, ci_pp, aov, diff


def test_07_revenue_range_in_pp_is_named_and_never_in_exponent_form():
    lesson = _influence()
    carts, ci_pp, aov, _ = _revenue_range()
    right = (carts * (-ci_pp[1] / 100) * aov, carts * (-ci_pp[0] / 100) * aov)
    assert lesson.TASKS.revenue_range.evaluate(right)[0] == PASS
    wrong = (carts * -ci_pp[1] * aov, carts * -ci_pp[0] * aov)
    status, message, hit = lesson.TASKS.revenue_range.evaluate(wrong)
    assert hit.name == "multiplied by percentage points" and "e+" not in message
    assert "e+" not in lesson.TASKS.revenue_range.evaluate(right[::-1])[1]


def test_07_revenue_share_slips_are_named():
    from steward import cartwheel

    lesson = _influence()
    carts, _, aov, diff = _revenue_range()
    point = carts * -diff * aov
    sessions, _, _ = _ab()
    store = cartwheel.sessions_per_month() * sessions.loc[sessions.arm == "control", "order_value"].mean()
    task = lesson.TASKS.revenue_share
    assert task.evaluate(point / store)[0] == PASS
    assert _hit(task, point / (cartwheel.sessions_per_month() * aov)) == "as if every session ordered"
    assert _hit(task, cartwheel.stockout_revenue_share_bound()) == "gave the ceiling"
    assert "(in fraction" not in task.evaluate(0.5)[1]


def test_07_saving_slips_are_named():
    from steward import cartwheel

    lesson = _influence()
    costs = load("cloud_costs")
    monthly = costs.hourly_cost_usd * cartwheel.HOURS_PER_BILLING_MONTH
    small = costs.instance_type.str.endswith(".large")
    shrink = (costs.cpu_p95_pct < 40) & (costs.mem_p95_pct < 40) & ~small
    right = (monthly / 2).where(shrink, 0.0).groupby(costs.service).sum()
    task = lesson.TASKS.saving_by_service
    assert task.evaluate(right)[0] == PASS
    assert _hit(task, (monthly / 2)[shrink].groupby(costs.service[shrink]).sum()) == "left out services with nothing to shrink"
    either = ((costs.cpu_p95_pct < 40) | (costs.mem_p95_pct < 40)) & ~small
    assert _hit(task, (monthly / 2).where(either, 0.0).groupby(costs.service).sum()) == "CPU or memory"
    hourly = (costs.hourly_cost_usd / 2).where(shrink, 0.0).groupby(costs.service).sum()
    assert _hit(task, hourly) == "an hour's saving, not a month's"
    assert _hit(lesson.TASKS.saving_share, right.sum() / monthly.sum()) == "gave a fraction"


def test_07_latency_and_mde_signs_are_named():
    lesson = _influence()
    assert _hit(lesson.TASKS.latency_cost, -lesson.TASKS.latency_cost.expected) == "subtracted the wrong way round"
    assert lesson.TASKS.latency_cost.expected > 0  # the hint says the treatment is slower at the p99
    assert _hit(lesson.TASKS.mde, -lesson.TASKS.mde.expected) == "a negative MDE"


def test_07_chart_task_names_pyplot_and_bars():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lesson = _influence()
    fig, ax = plt.subplots()
    bars = ax.bar(["control", "treatment"], [60, 56])
    task = lesson.TASKS.conclusion_chart
    assert "pyplot itself" in task.evaluate(plt)[1] and "site-packages" not in task.evaluate(plt)[1]
    assert "`ax`" in task.evaluate(bars)[1]
    plt.close(fig)


def test_07_decisions_read_as_words_and_accept_dont():
    lesson = _influence()
    task = lesson.TASKS.guardrail_decision
    message = task.evaluate(pd.Series({"ab_sessions": "maybe", "ab_sessions_srm": "rerun"}))[1]
    assert "['" not in message and "'keep testing'" in message
    right = dict(task.expected)
    spoken = {k: ("don't ship" if v == "do not ship" else v) for k, v in right.items()}
    assert task.evaluate(pd.Series(spoken))[0] == PASS
    from steward.lessons.influence.exercise import _decisions_compare

    expected = pd.Series({"ab_sessions": "do not ship", "ab_sessions_srm": "rerun"})
    assert _decisions_compare({"ab_sessions": "Don't ship", "ab_sessions_srm": "rerun"}, expected).passed


def test_07_a_true_number_rounded_too_far_is_not_called_invented():
    """"3 ms" for the 3.26 ms the check adds read "'3 ms' is not a number the data gives", with the hint "Where did
    it come from?", though the notebook said "round freely"; the 5% cap now has its own message."""
    lesson = _influence()
    from steward.lessons.influence.model import _facts, check_statement, impact_statement

    facts = _facts()
    base = impact_statement(facts)
    said = f"{facts.latency_p99_added_ms:.1f} ms more"
    assert said in base
    coarse = f"{round(facts.latency_p99_added_ms):.0f} ms more"
    assert abs(round(facts.latency_p99_added_ms) - facts.latency_p99_added_ms) > 0.05 * facts.latency_p99_added_ms
    text = base.replace(said, coarse)
    report = check_statement(text)
    assert "too-coarse" in report.codes and "unsupported" not in report.codes
    assert lesson.TASKS.impact_statement.evaluate(text)[2] is None
    invented = base.replace(said, f"{10 * facts.latency_p99_added_ms:.0f} ms more")
    assert "unsupported" in check_statement(invented).codes
    for folder in ("solutions", "exercises"):
        assert "round freely" not in Path(f"{folder}/07-influence-with-data.ipynb").read_text()


def test_01_a_ranking_of_row_numbers_is_named():
    """Top five from the table numbered by row got "Those are not the mode_ids the data gives"."""
    data = load("failure_modes")
    rpn = data.severity * data.occurrence * data.detection
    message = fm.TASKS.top_five.evaluate(list(rpn.sort_values(ascending=False).index[:5]))[1]
    assert "row numbers" in message


def test_hints_and_prompts_quote_no_typed_scenario_number():
    """03's prompt said "A fraction, e.g. 0.998": the answer to three decimals; its hints typed 0.995, and 01's
    said the top two are "about one percent apart"."""
    from steward.lessons import design_for_failure as dff

    task = dff.TASKS.path_availability
    assert f"{task.expected:.3f}" not in task.prompt and f"{task.expected:.2f}" not in task.prompt
    texts = [h for t in dff.TASKS for h in t.hints] + [m.hint for t in dff.TASKS for m in t.misconceptions]
    assert not any("0.995" in t for t in texts)
    assert not any("one percent" in h for t in fm.TASKS for h in t.hints)


def _breaker(gt: bool = False, trim: bool = True, reopen_now: bool = True):
    """transition() as a learner writes it from the notebook's rules, with one slip switched on."""
    from steward.lessons import resilience_sim as sim

    config = sim.EXERCISE_BREAKER

    def transition(breaker, now, failed):
        if breaker.state == sim.OPEN:
            if now - breaker.opened_at < config.wait_s:
                return breaker
            breaker = sim.Breaker(sim.HALF_OPEN, (), breaker.opened_at, ())
        if breaker.state == sim.HALF_OPEN:
            trials = breaker.trials + (failed,)
            if len(trials) < config.half_open_calls:
                return breaker._replace(trials=trials)
            if sum(trials) / len(trials) >= config.failure_rate:
                return sim.Breaker(sim.OPEN, (), now if reopen_now else breaker.opened_at, ())
            return sim.Breaker(sim.CLOSED, (), breaker.opened_at, ())
        window = breaker.window + (failed,)
        window = window[-config.window:] if trim else window
        share = sum(window) / len(window)
        if len(window) >= config.min_calls and (share > config.failure_rate if gt else share >= config.failure_rate):
            return sim.Breaker(sim.OPEN, (), now, ())
        return breaker._replace(window=window)

    return transition


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"gt": True}, "opens only above the failure rate"),
    ({"trim": False}, "never trims the window"),
    ({"reopen_now": False}, "reopens with the old time"),
])
def test_03_breaker_slips_are_named(kwargs, name):
    from steward.lessons import design_for_failure as dff

    task = dff.TASKS.breaker_transition
    assert task.evaluate(_breaker())[0] == PASS
    assert _hit(task, _breaker(**kwargs)) == name


def test_03_breaker_message_names_the_stream_and_the_states_in_words():
    """"For stream (lesson.breaker_streams()[1],) your function returns 'CCCCCCCCOOOOO'; …": a Python 1-tuple and an
    unexplained code."""
    from steward.lessons import design_for_failure as dff

    message = dff.TASKS.breaker_transition.evaluate(_breaker(gt=True))[1]
    assert "(lesson.breaker_streams()" not in message and "lesson.breaker_streams()[" in message
    assert "C closed, O open, H half-open" in message and "they part at call" in message

    def returns_text(breaker, now, failed):
        return "open"

    message = dff.TASKS.breaker_transition.evaluate(returns_text)[1]
    assert "Your function raised" not in message and "('closed'" not in message and "'half-open'" in message


def test_a_wide_table_for_a_series_is_told_to_pick_its_column():
    """`sheet.assign(rpn=…)` (the whole worksheet with an rpn column) got only "got a DataFrame of shape (21, 14)"."""
    sheet = load("failure_modes").set_index("mode_id")
    message = fm.TASKS.rpn.evaluate(sheet.assign(rpn=sheet.severity * sheet.occurrence * sheet.detection))[1]
    assert "pick the one column that holds the RPN" in message


def test_01_fragile_top_counts_of_every_change_or_against_the_day_are_named():
    """The loop with `flips += 1` outside the test, or with `top_now` taken from Task 2's daytime ranking, got only
    "125 is not the count the data gives"."""
    top_day = list(_rpn().sort_values(ascending=False).index)[0]
    top_night = fm.top_risk(SHEET, NIGHT)
    assert top_day != top_night, "premise: the night's top differs from the day's"
    changes = every = 0
    for mode in SHEET.index:
        for score in fm.SCORES:
            for step in (-1, 1):
                value = SHEET.at[mode, score] + step
                if not 1 <= value <= 10:
                    continue
                changed = SHEET.copy()
                changed.at[mode, score] = value
                every += 1
                changes += int(fm.top_risk(changed, NIGHT) != top_day)
    assert _hit(fm.TASKS.fragile_top, every) == "counted every change"
    assert _hit(fm.TASKS.fragile_top, changes) == "compared with the daytime top"


def test_01_night_engage_hints_are_true_of_the_data():
    """"Each of your response times is one call-in too long": every mode has a crew of at least the one responder."""
    assert (SHEET.crew >= NIGHT.responders).all() and NIGHT.responders == 1
    hint = next(m.hint for m in fm.TASKS.night_engage.misconceptions if m.name == "called in the whole crew")
    assert hint.startswith("Each of your response times is one call-in too long")


def test_a_dict_is_described_by_its_keys():
    """`{"z": z, "p": p}` for the pair read "got dict {'z': np.float64(-3.52…), …}"."""
    lesson = _influence()
    message = lesson.TASKS.z_test.evaluate({"z": np.float64(-3.5), "p": np.float64(0.0004)})[1]
    assert "a dict with the keys z, p" in message and "np.float64" not in message


def test_a_kept_pair_of_large_numbers_reads_as_two():
    """"Kept 07.revenue_range = [143,534,570, 502,130,097]" read as six numbers."""
    from steward import results

    assert results.plain([143_534_570, 502_130_097]) == "[143,534,570; 502,130,097]"
    assert results.plain([65.54, 63.46]) == "[65.54, 63.46]"
    assert results.plain(0.99998) == "0.99998" and results.plain(0.9999) == "0.9999" and results.plain(1.0) == "1"
