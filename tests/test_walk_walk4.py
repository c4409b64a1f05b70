"""Rough edges found by working exercises 00, 09, 10 and 11 as a learner would (issue #18's walk,
second round): the natural wrong answer of each task, and what the check answers it. Each test holds
one fix: the learner's slip, computed the way they would write it, and the hint it must get."""

from __future__ import annotations

import json

import pytest

from steward import cartwheel, nbjson, paths
from steward.checks import NOT_YET, PASS
from steward.lessons import start_here


def _named(task, answer) -> str | None:
    status, _, misconception = task.evaluate(answer)
    assert status == NOT_YET, (task.id, answer, status)
    return misconception.name if misconception else None


# -- 00 ------------------------------------------------------------------------------------------
def test_00_uptime_minutes_are_named():
    """SLO × window (the minutes up) got only "43,156.8 is not the value the data gives"."""
    slo, days = start_here.SLO, start_here.WINDOW_DAYS
    assert _named(start_here.TASKS.downtime_allowed, slo * days * 24 * 60) == "computed the minutes up, not down"


def test_00_request_budget_slips_are_named():
    """Calls/s × the window's minutes, and every call in the window, were generic."""
    task, rate, budget = start_here.TASKS.request_budget, cartwheel.average_calls_per_s(), 1 - start_here.SLO
    minutes = start_here.WINDOW_DAYS * 24 * 60
    assert _named(task, budget * rate * minutes) == "multiplied calls per second by minutes"
    assert _named(task, rate * cartwheel.MONTH_SECONDS) == "gave every call in the window"
    assert task.evaluate(budget * rate * cartwheel.MONTH_SECONDS)[0] == PASS


def test_00_peak_outage_slips_are_named():
    """Minutes × calls/s (no × 60), and the failed calls themselves, were generic."""
    task, minutes, peak = start_here.TASKS.peak_outage, start_here.INCIDENT_MINUTES, cartwheel.PEAK_CALLS_PER_S
    budget = start_here.request_budget_calls()
    assert _named(task, 100 * minutes * peak / budget) == "multiplied minutes by calls per second"
    assert _named(task, minutes * 60 * peak) == "gave the failed calls, not a percentage"
    assert task.evaluate(100 * minutes * 60 * peak / budget)[0] == PASS


def test_00_where_to_start_slips_are_named():
    """`min(ratings)` (the alphabetically first shift), the lowest rating, or the shift's name where the
    module goes: the learner read "Module Influence with data does not teach a shift you rated 2" or a
    wrong module with no question."""
    task = start_here.TASKS.first_module
    ratings = {name: 3 for name in start_here.SHIFTS}
    ratings.update({"Ask how it will break": 4, "Own the un-owned": 5, "Choose your projects": 2})
    lowest = min(ratings, key=ratings.get)
    assert _named(task, (ratings, start_here.SHIFTS[min(ratings)][0])) == "took min() of the dict: the first name alphabetically"
    assert _named(task, (ratings, min(ratings.values()))) == "passed the lowest rating, not its module"
    assert _named(task, (ratings, lowest)) == "named the shift, not its module"
    _, message, _ = task.evaluate((ratings, lowest))
    assert "not a module number" in message and "does not teach" not in message
    assert "other way round" in task.evaluate((start_here.SHIFTS[lowest][0], ratings))[1]
    for right in (start_here.SHIFTS[lowest][0], int(start_here.SHIFTS[lowest][0]), float(start_here.SHIFTS[lowest][0])):
        assert task.evaluate((ratings, right))[0] == PASS


def test_setup_says_when_progress_is_not_recorded(monkeypatch, capsys):
    """With STEWARD_PROGRESS=off the set-up cell printed "progress is kept in None"."""
    import steward

    monkeypatch.setenv("STEWARD_PROGRESS", "off")
    steward.setup()
    shown = capsys.readouterr().out
    assert "None" not in shown and "not recorded" in shown


# -- every module of this walk ---------------------------------------------------------------------
MODULES = ["00-start-here", "09-engineer-your-visibility", "10-choose-your-projects", "11-the-seniority-paradox"]


@pytest.mark.parametrize("name", MODULES)
def test_a_blank_cell_prints_no_placeholder(name):
    """A blank exercise cell must not print its placeholder: 11's task 4 printed "budget Ellipsis
    person-hours against 12 planned"."""
    nb = nbjson.read(paths.notebooks_dir("exercises") / f"{name}.ipynb")
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        source = nbjson.source(cell)
        blanks = {line.split(" = ...")[0].strip() for line in source.splitlines() if line.rstrip().endswith(" = ...")}
        for line in source.splitlines():
            if line.lstrip().startswith("print(") and any(
                    f"{{{blank}" in line or line.strip() == f"print({blank})" for blank in blanks):
                pytest.fail(f"{name}: a blank cell prints its placeholder: {line}")
    json.dumps(nb)  # the notebook reads


# -- 11 ------------------------------------------------------------------------------------------
def _review():
    from steward.lessons import seniority

    review = seniority.REVIEW
    return seniority, review["review_hours"], review["p_flaw"], review["catch_share"], review["fix_hours"]


def test_11_number_slips_are_named():
    """Each of these got only "… is not the value the data gives"."""
    lesson, h, p, q, f = _review()
    m, m5 = lesson.STRETCH_MULTIPLIER, lesson.SMALL_SYSTEM_MULTIPLIER
    tasks = lesson.TASKS
    assert _named(tasks.expected_savings, h - p * q * (m - 1) * f) == "subtracted the saving from the cost"
    assert _named(tasks.expected_savings, p * q * (lesson.MULT_HIGH - 1) * f - h) == "used the folklore 100×"
    assert _named(tasks.break_even, 1 + h / (p * f)) == "forgot the catch share"
    assert _named(tasks.small_system, p * q * (m5 - 1) * f - h) == "gave the planned review's net saving"
    assert _named(tasks.small_system, p * q * (m - 1) * f) == "used task 1's multiplier"
    delay = lesson.REVIEW_DELAY_DAYS * lesson.delay_hours_per_day()
    assert _named(tasks.cost_of_delay, 1 + delay / (p * q * f)) == "counted the delay but not the review's hours"
    assert _named(tasks.cost_of_delay, (h + delay) / (p * q * f)) == "dropped the + 1"
    assert _named(tasks.break_even_probability, 100 * h / (q * (m - 1) * f)) == "gave a percentage, not a probability"
    assert tasks.break_even_probability.evaluate(h / (q * (m - 1) * f))[0] == PASS


def test_11_a_range_without_labels_is_named():
    """[low, high] as a list got "Expected a Series (or dict) … got list [-12.0, 130.56]"."""
    lesson, h, p, q, f = _review()
    ends = [p * q * (x - 1) * f - h for x in (lesson.MULT_LOW, lesson.MULT_HIGH)]
    for answer in (ends, tuple(ends), ends[::-1]):
        assert _named(lesson.TASKS.savings_range, answer) == "gave the two numbers without their labels"
    assert lesson.TASKS.savings_range.evaluate(dict(zip(("low", "high"), ends, strict=True)))[0] == PASS


def test_11_draft_findings_slips_are_named_and_the_hint_is_true():
    """The Finding objects themselves, or every check id, got "Those are not the checks" / "Expected 7 checks"."""
    lesson = _review()[0]
    findings = lesson.lint_design_doc(lesson.DRAFT_DOC)
    assert _named(lesson.TASKS.draft_findings, findings) == "passed the findings, not their ids"
    assert _named(lesson.TASKS.draft_findings, [c for c, _, _ in lesson.CHECKS]) == "listed every check"
    # the hint names the draft's context, goals, design and metrics headings, and asks which pass: some do
    titles = " ".join(lesson.headings(lesson.DRAFT_DOC))
    assert all(word in titles for word in ("context", "goals", "design", "metrics"))
    assert len(findings) < len(lesson.CHECKS)


def test_11_headings_slips():
    """Trailing #s kept is named; a function that forgot `return` is told so, not "not attempted"; a case
    is shown as the doc, not as a one-element tuple."""
    import re

    lesson = _review()[0]
    task = lesson.TASKS.headings

    def trailing_kept(markdown):
        out, code = [], False
        for line in markdown.splitlines():
            if line.lstrip().startswith("```"):
                code = not code
                continue
            match = re.match(r"^ {0,3}(#{1,6}) +(.*)$", line)
            if match and not code:
                out.append(" ".join(match.group(2).lower().split()))
        return out

    assert _named(task, trailing_kept) == "kept the trailing #s"
    _, message, _ = task.evaluate(trailing_kept)
    assert "('" not in message and ",)" not in message, message

    def no_return(markdown):
        found = [line for line in markdown.splitlines() if line.startswith("#")]
        print(found)

    status, message, _ = task.evaluate(no_return)
    assert status == NOT_YET and "return" in message


def test_11_blank_lint_report_reads_plainly():
    """The blank capstone cell printed "1 thing(s) missing: - [text] missing the doc (nothing written yet)"."""
    lesson = _review()[0]
    assert lesson.lint_report(...).startswith("Nothing written yet")
    assert "thing(s)" not in lesson.lint_report("# Title\n")
    assert lesson.things_missing(1) == "1 thing missing" and lesson.things_missing(3) == "3 things missing"


# -- 09 ------------------------------------------------------------------------------------------
def _nine():
    import numpy as np

    from steward.datagen import load
    from steward.lessons import visibility

    return visibility, np, load("inventory_updates"), load("requests")


def test_09_number_slips_are_named_and_their_hints_are_true():
    lesson, np, keys, log = _nine()
    tasks, ttl, today = lesson.TASKS, lesson.TASK_TTL_S, lesson.TTL_TODAY_S
    unweighted = float((keys.lookups * keys.stock_updates / 24).sum())
    assert _named(tasks.update_rate, unweighted) == "weights that do not sum to 1"
    assert unweighted > (keys.stock_updates / 24).max()  # its hint: "far above every key's own rate"
    p = log.cache_hit.astype(bool).mean()
    rho = p / ((1 - p) * today)
    share = rho * ttl / (1 + rho * ttl)
    assert _named(tasks.hit_ratio, 100 * share) == "a percentage"
    assert _named(tasks.hit_ratio, (p / today) * ttl / (1 + (p / today) * ttl)) == "ρ = p / T, without 1 − p"
    weight = (keys.lookups / keys.lookups.sum()).to_numpy()

    def fresh(per, hits=share):
        x = keys.stock_updates.to_numpy() / per * ttl
        return (1 - hits) + hits * (weight * np.where(x > 0, -np.expm1(-x) / np.where(x > 0, x, 1), 1.0)).sum()

    assert tasks.freshness.evaluate(fresh(86_400))[0] == PASS
    assert _named(tasks.freshness, fresh(24)) == "λ per hour, T in seconds"
    assert _named(tasks.freshness, fresh(1)) == "λ per day, T in seconds"
    assert _named(tasks.freshness, fresh(86_400, hits=p)) == "today's share of hits"
    assert _named(tasks.freshness, 100 * fresh(86_400)) == "a percentage"
    misses = log.latency_ms[~log.cache_hit.astype(bool)]
    assert _named(tasks.call_p99, float(np.percentile(misses, 0.99))) == "np.percentile with 0.99"
    assert float(np.percentile(misses, 0.99)) <= float(np.quantile(misses, 0.02))  # "almost the fastest call"
    assert _named(tasks.call_p99, float(np.quantile(misses, 0.95))) == "the p95"


def test_09_the_share_of_hits_is_not_called_the_weeks_answer():
    """Task 5's H_needed (a fraction under 1) passed for the TTL was within 1 s of the week's answer, 0 s,
    and got "Over the week no cache is needed"."""
    lesson, np, _, log = _nine()
    hit = log.cache_hit.astype(bool).to_numpy()
    incident = ((log.timestamp >= lesson.INCIDENT_START) & (log.timestamp < lesson.INCIDENT_END)).to_numpy()
    good = (log.latency_ms <= lesson.SLO_MS).to_numpy()
    good_hits, good_misses = good[incident & hit].mean(), good[incident & ~hit].mean()
    needed = (0.99 - good_misses) / (good_hits - good_misses)
    assert 0 < needed < 1
    assert _named(lesson.TASKS.incident_ttl, needed) == "the share of hits, not the TTL"
    assert _named(lesson.TASKS.incident_ttl, 0) == "the week's answer"


def test_09_later_tasks_at_the_wrong_ttl_are_named():
    lesson, _, _, log = _nine()
    tasks, rates = lesson.TASKS, lesson.model._rates()
    at_120, at_today = lesson.cache_at(rates, lesson.TASK_TTL_S), lesson.cache_at(rates, lesson.TTL_TODAY_S)
    assert _named(tasks.fresh_at_best, 100 * at_120.fresh_share) == "task 3's TTL"
    assert _named(tasks.fresh_at_best, 100 * at_today.fresh_share) == "today's TTL"
    assert _named(tasks.inventory_load, at_120.inventory_lookups_per_s) == "task 3's TTL"
    assert _named(tasks.inventory_load, cartwheel.stock_lookups_per_s()) == "every lookup, as with no cache"
    import numpy as np

    week = float(np.quantile(lesson.with_policy(log, "one attempt"), 0.99))
    assert _named(tasks.one_attempt_p99, week) == "over the week"


def test_09_prompts_name_the_notebooks_task_numbers():
    """The prompts said "your TTL of task 4"; in the notebook the incident's TTL is task 5."""
    lesson = _nine()[0]
    nb = nbjson.read(paths.notebooks_dir("solutions") / "09-engineer-your-visibility.ipynb")
    assert any("## Task 5 · The TTL the incident needed" in nbjson.source(c) for c in nb.cells)
    for task in lesson.TASKS:
        assert "task 4" not in task.prompt + " ".join(task.hints), task.id


def test_09_recalled_values_read_plainly(monkeypatch, capsys):
    """"You have not kept your week's p99 (module 04) yet (module 04); … [143,534,570, 502,130,097]", and
    this module's own answers printed before the learner derives them."""
    monkeypatch.setenv("STEWARD_PROGRESS", "off")
    lesson = _nine()[0]
    facts = lesson.digest_facts()
    shown = capsys.readouterr().out
    assert "(module 04) yet (module 04)" not in shown and "[" not in shown
    assert f"{cartwheel.money(facts.revenue_range[0])} to {cartwheel.money(facts.revenue_range[1])}" in shown
    mine = [line for line in shown.splitlines() if "your TTL" in line or "fresh answers" in line]
    assert mine and all(f"{facts.ttl_s:g}" not in line for line in mine), mine
    digest = lesson.TASKS.digest.sample_answer()
    assert "found 1 problem;" in lesson.TASKS.digest.evaluate(digest[:digest.index("**Next:**")])[1]


def test_11_recalled_values_read_plainly(monkeypatch, capsys):
    monkeypatch.setenv("STEWARD_PROGRESS", "off")
    from steward.lessons import seniority

    seniority.capstone_inputs()
    shown = capsys.readouterr().out
    assert "yet (module" not in shown and "['" not in shown and "[1" not in shown, shown


# -- 10 ------------------------------------------------------------------------------------------
def _ten():
    import numpy as np
    import pandas as pd

    from steward.datagen import load
    from steward.lessons import projects

    return projects, np, pd, load("projects"), load("stakeholders")


def test_10_scoring_slips_are_named():
    lesson, np, pd, projects, _ = _ten()
    tasks = lesson.TASKS
    flat = projects["reach"] * projects["impact"] * projects["confidence_pct"] / 100 / projects["effort_weeks"]
    status, message, _ = tasks.rice_scores.evaluate(flat)  # no set_index: a RangeIndex
    assert status == NOT_YET and "row number" in message and "set_index('project_id')" in message, message
    p = projects.set_index("project_id")
    rice = p["reach"] * p["impact"] * p["confidence_pct"] / 100 / p["effort_weeks"]
    aligned = p["okr"] != "none"
    assert _named(tasks.portfolio_score, rice * (lesson.OKR_BONUS * aligned).where(aligned, 1)) == \
        "multiplied by the bonus, not by 1 + the bonus"
    score = rice * (1 + lesson.OKR_BONUS * aligned)

    def pick(order):
        out, used = [], 0
        for pid in order:
            if used + p.loc[pid, "effort_weeks"] <= lesson.CAPACITY_WEEKS:
                out.append(pid)
                used += p.loc[pid, "effort_weeks"]
        return out

    assert _named(tasks.pick_portfolio, pick(score.sort_values().index)) == "went up the list from the lowest score"
    assert tasks.pick_portfolio.evaluate(pick(score.sort_values(ascending=False).index))[0] == PASS
    assert tasks.pick_portfolio.title == "Fill the quarter"  # the notebook's heading; the capacity is a quarter's
    valued = projects.assign(value=projects["reach"] * projects["impact"] * projects["confidence_pct"])
    totals = valued.groupby("kind")[["value", "effort_weeks"]].sum()
    assert _named(tasks.value_per_week, totals["value"] / totals["effort_weeks"]) == "used confidence in percent"


def test_10_grid_slips_are_told_what_to_fix():
    """np.select's array, or a Series without the names, got "Expected a Series" / "Missing: Priya Raman, …"."""
    lesson, np, pd, _, people = _ten()
    cut = lesson.QUADRANT_CUT
    high_power, high_interest = people["power"] > cut, people["interest"] > cut
    labels = np.select([high_power & high_interest, high_power, high_interest],
                       ["manage closely", "keep satisfied", "keep informed"], default="monitor")
    task = lesson.TASKS.stakeholder_quadrants
    for answer in (labels, pd.Series(labels)):
        status, message, _ = task.evaluate(answer)
        assert status == NOT_YET and "index=people['name']" in message, message
    assert task.evaluate(pd.Series(labels, index=people["name"]))[0] == PASS
    grid = pd.Series(labels, index=people["name"])
    close = people[grid.to_numpy() == "manage closely"]
    meet = lesson.TASKS.meet_first
    assert _named(meet, close.sort_values(["power", "interest"])["name"].tolist()) == "sorted the least powerful first"
    assert _named(meet, close.sort_values(["power", "interest"], ascending=False)) == "passed the table, not the names"


def test_10_stretch_slips_and_the_strata_hint():
    lesson = _ten()[0]
    assert _named(lesson.TASKS.make_30_percent, lesson.CLAIM_PCT + 1.2) == "gave the gap, not the setting"
    _, message, _ = lesson.TASKS.glue_on_purpose.evaluate("the template")
    assert "[" not in message and " or " in message, message
    # the plain-mean hint says level 3 has "nearly four times the engineers of level 1"
    sizes = lesson.per_level(lesson.company())["engineers"]
    assert 3.5 <= sizes[3] / sizes[1] < 4


def test_09_where_the_numbers_come_from_is_a_table():
    """The cell showed `facts.sources`, a Python dict ({'04.p99_ms': 'reference', …})."""
    nb = nbjson.read(paths.notebooks_dir("exercises") / "09-engineer-your-visibility.ipynb")
    cell = next(nbjson.source(c) for c in nb.cells if c.get("cell_type") == "code" and "lesson.digest_facts()" in nbjson.source(c))
    assert cell.splitlines()[-1].startswith("pd.DataFrame("), cell


def test_written_task_messages_read_plainly():
    """An ADR that commits with "We'll" was told its decision is not in the active voice; a note too long
    for a director was "Missing: short enough for a director's attention"."""
    from steward.lessons import projects, seniority

    adr = seniority.TASKS.adr.sample_answer()
    assert "We will" in adr and seniority.TASKS.adr.evaluate(adr.replace("We will", "We'll"))[0] == PASS
    assert seniority.TASKS.adr.evaluate(adr.replace("We will", "Our plan is to"))[0] == NOT_YET
    long = projects.director_note_example() + " Also." * projects.MEMO_WORDS
    _, message, _ = projects.TASKS.note_to_director.evaluate(long)
    assert message == f"Missing: a length a director reads between meetings (at most {projects.MEMO_WORDS} words)."


def test_09_keys_that_never_change_are_named():
    """Task 3 without a guard for λ = 0 gave NaN ("Your answer is NaN") and with np.nansum a fresh share too low
    ("… is not the value"), though the notebook warns about those keys."""
    import warnings

    lesson, np, keys, _ = _nine()
    lam = keys.stock_updates.to_numpy() / 86_400
    assert (lam == 0).any()  # the hint's premise: some keys never changed stock that day
    weight = (keys.lookups / keys.lookups.sum()).to_numpy()
    share = float(lesson.call_hit_share(lesson.TASK_TTL_S))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        per_key = (1 - np.exp(-lam * lesson.TASK_TTL_S)) / (lam * lesson.TASK_TTL_S)
    assert _named(lesson.TASKS.freshness, (1 - share) + share * (weight * per_key).sum()) == "divided by λT = 0"
    assert _named(lesson.TASKS.freshness, (1 - share) + share * np.nansum(weight * per_key)) == "dropped the keys with λ = 0"


def test_09_interval_from_percentiles_given_as_fractions_is_named():
    """np.percentile(ttl_b, [0.05, 0.95]) (fractions where it takes percents) got "The low and high ends are
    not what resampling the log gives"."""
    lesson, np, _, _ = _nine()
    draws = lesson.model._bootstrap()
    answer = tuple(np.percentile(draws, [0.05, 0.95]))
    assert _named(lesson.TASKS.ttl_interval, answer) == "np.percentile with 5 and 95 as fractions"
    assert answer[1] <= np.percentile(draws, 1)  # its hint: "both ends sit in the lowest 1%"


def test_hints_quote_the_canon_not_a_copy():
    """00's hints typed the SLO ("99.9%", "0.001") and 10's the cut ("exactly 5"): they are computed now."""
    import inspect

    from steward.lessons import projects

    source = inspect.getsource(start_here)
    for typed in ("too big. 99.9%", "(0.001 here)", "SLO says 99.9%"):
        assert typed not in source, typed
    assert f"{start_here.SLO:.1%}" in start_here.TASKS.downtime_allowed.hints[0]
    assert f"{1 - start_here.SLO:.3g}" in start_here.TASKS.downtime_allowed.hints[1]
    assert "exactly 5 " not in inspect.getsource(projects.exercise)


def test_more_ratio_slips_are_named():
    """10 task 7 as the ratio, as (others / OKR − 1) or as months; 09 task 1 as the mean of weighted rates."""
    from steward.lessons import projects

    company = projects.company()
    on = company.loc[company["okr"], "months_to_promotion"].mean()
    off = company.loc[~company["okr"], "months_to_promotion"].mean()
    task = projects.TASKS.naive_gap
    assert _named(task, 100 * on / off) == "gave the ratio, not the gap"
    assert _named(task, 100 * (off / on - 1)) == "measured against the OKR group"
    assert _named(task, off - on) == "gave the difference in months"
    assert task.evaluate(100 * (1 - on / off))[0] == PASS
    lesson, _, keys, _ = _nine()
    weight = keys.lookups / keys.lookups.sum()
    assert _named(lesson.TASKS.update_rate, (weight * keys.stock_updates / 24).mean()) == "the mean of the weighted rates"


def test_a_list_of_the_wrong_length_does_not_give_away_the_count():
    """11 task 7 ("predict which checks the draft fails") answered with every check was told "Expected 7 checks;
    got 10": half of the prediction, given away."""
    from steward import checks
    from steward.lessons import seniority

    every = [c for c, _, _ in seniority.CHECKS]
    _, message, _ = seniority.TASKS.draft_findings.evaluate(every)
    want = len(seniority.lint_design_doc(seniority.DRAFT_DOC))
    assert str(want) not in message and "fewer" in message, message
    assert "more" in checks.same_items(what="checks")(["a"], ["a", "b"]).message


def test_existing_hints_are_true_of_the_data():
    """Claims the hints of 09 and 10 make about the data: the week needs no cache (task 5, task 6: every
    resample), and ranking by value alone lets two big projects fill the quarter (10 task 3)."""
    import numpy as np

    from steward.lessons import projects
    from steward.lessons.projects import exercise as ten

    lesson = _nine()[0]
    assert lesson.required_whole_ttl("week") == 0
    assert np.all(lesson.model._bootstrap("week") == 0)
    by_value = projects.pick_portfolio(projects.value(ten._projects()), ten._effort(), projects.CAPACITY_WEEKS)
    assert len(by_value) == 2


def test_11_inputs_table_is_not_cut_mid_word():
    """In Lab the capstone's inputs table showed "your coordination choice for a correctness loc…": pandas cuts
    a cell past 50 characters, and the key already names the module."""
    from steward.lessons import seniority

    table = seniority.inputs_table(seniority.capstone_inputs(quiet=True))
    assert table["what"].str.len().max() <= 50 and not table["what"].str.contains(r"\(module").any()


def test_a_wrapped_blank_function_is_still_not_attempted():
    """Module 03 replays the learner's transition() through a wrapper of its own: the blank stub inside it is
    not attempted, and a body without `return` is told to return (checks.function_on's new message)."""
    from steward.checks import NOT_ATTEMPTED
    from steward.lessons import design_for_failure

    def transition(breaker, now, failed):
        """The blank stub."""
        ...

    def forgot_return(breaker, now, failed):
        state = breaker.state  # noqa: F841

    task = design_for_failure.TASKS.breaker_transition
    assert task.evaluate(transition)[0] == NOT_ATTEMPTED
    status, message, _ = task.evaluate(forgot_return)
    assert status == NOT_YET and "return" in message
