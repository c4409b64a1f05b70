"""Module 06: the quiz's structure, the hypothesis lab against hand computations, the hint
linter (including any text, via hypothesis), and both widgets over every control value."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS
from steward.lessons import mentoring as M

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _private_progress(progress_file):
    return progress_file


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return M.requests_log()


# -- the quiz --------------------------------------------------------------------------------------------
def test_every_situation_has_four_replies_of_known_kinds_and_one_best():
    for situation in M.QUIZ:
        assert set(situation.replies) == {"a", "b", "c", "d"}
        assert situation.best in situation.replies
        assert all(reply.kind in M.KINDS and reply.feedback for reply in situation.replies.values())


def test_the_best_reply_depends_on_the_situation():
    kinds = {s.id: s.replies[s.best].kind for s in M.QUIZ}
    assert kinds["q2"] == "fix", "in an incident the answer comes first"
    assert kinds["q3"] == "framework"
    assert {"question", "fix", "framework"} <= set(kinds.values())


def test_quiz_feedback_marks_the_best_reply_and_explains_the_others():
    for situation in M.QUIZ:
        for key, reply in situation.replies.items():
            best, text = M.quiz_feedback(situation.id, key.upper())
            assert best == (key == situation.best)
            assert reply.feedback in text


@pytest.mark.parametrize("bad", [("q9", "a"), ("q1", "e"), ("q1", None), ("q1", 3)])
def test_quiz_feedback_refuses_unknown_input_plainly(bad):
    with pytest.raises(ValueError):
        M.quiz_feedback(*bad)


def test_quiz_check_names_the_situations_to_revisit():
    answers = M.quiz_reference()
    answers["q4"] = "b"
    outcome = M.TASKS.quiz.check(answers)
    assert outcome.status == NOT_YET and "q4" in outcome.message
    assert M.TASKS.quiz.check({"q1": "c"}).status == NOT_YET
    assert M.TASKS.quiz.check({k: "c) whatever" if v == "c" else v for k, v in M.quiz_reference().items()}).status == PASS


# -- the hypothesis lab ----------------------------------------------------------------------------------
def test_p99_by_cache_matches_a_hand_computation(log):
    by_cache = M.p99_by_cache(log)
    assert by_cache["hit"] == pytest.approx(np.quantile(log.loc[log.cache_hit == 1, "latency_ms"], 0.99))
    assert by_cache["miss"] == pytest.approx(np.quantile(log.loc[log.cache_hit == 0, "latency_ms"], 0.99))
    assert by_cache["miss"] > 2 * by_cache["hit"]


def test_bayes_ties_the_two_conditionals_together(log):
    """P(miss | slow) = P(slow | miss) · P(miss) / P(slow)."""
    slow = M.is_slow(log)
    p_slow = float(slow.mean())
    assert M.miss_share_of_slow(log) == pytest.approx(M.slow_share_of_misses(log) * M.miss_share(log) / p_slow)
    assert p_slow == pytest.approx(0.01, abs=1e-3)


def test_lift_is_one_when_slowness_ignores_the_cache():
    rng = np.random.RandomState(1)
    n = 40_000
    frame = pd.DataFrame({"latency_ms": rng.lognormal(0, 1, n), "cache_hit": (rng.uniform(size=n) < 0.8).astype(int),
                          "endpoint": rng.choice(["home", "cart"], n), "region": rng.choice(["us-east", "ap-south"], n)})
    assert M.miss_lift(frame) == pytest.approx(1.0, abs=0.25)
    assert np.allclose(M.slow_lift(frame, "endpoint"), 1.0, atol=0.25)


def test_lift_is_large_when_only_misses_are_slow():
    frame = pd.DataFrame({"latency_ms": [1.0] * 90 + [50.0] * 10, "cache_hit": [1] * 90 + [0] * 10})
    assert M.miss_share_of_slow(frame, q=0.9) == 1.0
    assert M.miss_lift(frame, q=0.9) == pytest.approx(10.0)


def test_the_data_supports_partly_not_fully(log):
    f = M.findings(log)
    assert f.lift > 3, "misses are the main cause"
    assert f.hit_share_of_slow() > 0.1, "but hits are a real share of the tail"
    assert f.endpoint_lift.index[0] == "cart" and f.region_lift.index[0] == "ap-south"
    assert f.cart_miss_rate > f.other_miss_rate, "cart's lift is partly its miss rate (a confounder)"


@pytest.mark.parametrize("bad", [None, pd.DataFrame(), pd.DataFrame({"x": [1]}), "requests"])
def test_lab_functions_refuse_bad_frames_plainly(bad):
    for function in (M.p99_by_cache, M.miss_share_of_slow, M.miss_lift):
        with pytest.raises(ValueError):
            function(bad)


def test_slow_lift_refuses_an_unknown_breakdown(log):
    with pytest.raises(ValueError):
        M.slow_lift(log, "colour")


def test_samples_pass_their_own_structure_checks():
    assert M.TASKS.conclusion.check(M.conclusion_sample()).status == PASS
    assert M.TASKS.experiment.check(M.experiment_sample()).status == PASS
    assert M.TASKS.conclusion.check("misses").status == NOT_YET
    assert M.TASKS.experiment.check("x " * 30_000).status == NOT_YET


# -- the hint linter ------------------------------------------------------------------------------------
@pytest.mark.parametrize("hint, fix, problem", [
    ("Compare the p99 of hits and misses.", None, "not a question"),
    ("Have you tried raising the TTL?", None, "dressed as a question"),
    ("Why don't you check the cart endpoint?", None, "dressed as a question"),
    ("What happens if you raise the TTL?", "raise the TTL", "contains the fix"),
    ("Which TTL would you raise, and by how much?", "raise the TTL", "contains the fix"),
    ("Is it simply the cache?", None, "simply"),
    ("Why " + "really " * 40 + "?", None, "lecture"),
])
def test_lint_flags_each_rule(hint, fix, problem):
    assert any(problem in p for p in M.lint_hint(hint, fix))


def test_good_hints_pass_and_the_samples_fix_the_fixes():
    for hint, (_, fix) in zip(M.SOCRATIC_SAMPLE, M.FIX_HINTS, strict=True):
        assert M.lint_hint(hint, fix) == []
    for hint, fix in M.FIX_HINTS:
        assert M.lint_hint(hint, fix), f"{hint!r} should be flagged"


@given(st.text(max_size=3000), st.one_of(st.none(), st.text(max_size=50)))
@FAST
def test_lint_takes_any_text(hint, fix):
    problems = M.lint_hint(hint, fix)
    assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
    assert isinstance(M.is_socratic(hint, fix), bool)
    if not hint.strip():
        assert problems and not M.is_socratic(hint, fix)


@pytest.mark.parametrize("junk", [None, Ellipsis, 3, b"bytes", ["a?"], "🙂" * 10_000])
def test_lint_takes_junk(junk):
    assert M.lint_hint(junk)


def test_is_socratic_is_the_core_of_lint():
    """Whenever the linter's core rules pass, is_socratic agrees; the style rules are extra."""
    for hint, fix in M._linter_cases():
        core = [p for p in M.lint_hint(hint, fix) if "lecture" not in p and "easy" not in p]
        if M.is_socratic(hint, fix):
            assert not any("question" in p for p in core)


def test_curriculum_hints_are_linted():
    table = M.curriculum_hints()
    assert set(table.columns) == {"module", "task", "hint", "passes", "problems"}
    assert len(table) >= len(M.TASKS)
    assert table.loc[table.module == M.MODULE, "passes"].all(), "this module's own first hints pass its linter"


# -- widgets: every value of every control, and the budget ---------------------------------------------
@given(st.floats(90.0, 99.9))
@settings(max_examples=60, deadline=None)
def test_tail_state_over_its_control(percentile):
    state = M.tail_state(percentile)
    assert state["share_slow"][:2].sum() == pytest.approx(1.0)
    assert np.all(np.isfinite(state["lift"])) and state["threshold_ms"] > 0


def test_tail_state_matches_the_pandas_lift(log):
    state = M.tail_state(99.0)
    assert state["miss_lift"] == pytest.approx(M.miss_lift(log), rel=1e-9)
    endpoint = M.slow_lift(log, "endpoint")
    assert state["lift"][4] == pytest.approx(endpoint["cart"], rel=1e-9)


@pytest.mark.parametrize("name", sorted(M.APPS))
def test_every_app_accepts_every_control_value(name):
    app = M.APPS[name]()
    for control_name, control in app.inputs.items():
        if hasattr(control, "options"):
            values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        else:
            values = [control.min, control.max, (control.min + control.max) / 2]
        for value in values:
            app.set(**{control_name: value})
            assert app.error is None, f"{name}: {control_name}={value!r} gave {app.error}"
    if hasattr(app, "figure"):
        assert app.figure.title and "…" not in app.figure.title


def test_quiz_widget_shows_every_reply():
    app = M.MentorQuiz()
    for situation in M.QUIZ:
        for key in situation.replies:
            state = app.set(situation=situation.id, reply=key)
            assert state["best"] == (key == situation.best)
            assert ("✔" in app.feedback.value) == state["best"]


def test_explorer_redraws_within_budget():
    app = M.SlowRequestsExplorer()
    app.timings.clear()
    for value in np.linspace(90, 99.9, 40):
        app.set(percentile=float(value))
    # The 50 ms p95 budget is measured on an idle machine; a test run shares its cores with
    # other tests, so here the median gets 4× slack.
    median = float(np.median(app.timings))
    assert median < 0.2, f"median redraw {1000 * median:.0f} ms"
    started = time.perf_counter()
    M.tail_state(97.3)
    assert time.perf_counter() - started < 0.01


def test_blank_hints_are_not_attempted():
    assert M.TASKS.socratic_hints.check(["", "", ""]).status == NOT_ATTEMPTED


def test_the_curriculum_passes_its_own_hint_linter() -> None:
    """Module 06 shows learners this table; the course should hold itself to the rules it teaches."""
    from steward.lessons import mentoring

    table = mentoring.curriculum_hints()
    failing = table.loc[~table.passes, ["task", "problems"]]
    assert failing.empty, failing.to_string()


# -- issue 12 (canon) and issue 14 (corrections) ----------------------------------------------------------
def test_experiment_sample_quotes_the_p99_of_the_slice_it_changes(log):
    """The sample once quoted the fleet's p99 as the cart endpoint's."""
    import re

    text = M.experiment_sample(log)
    quoted = float(re.search(r"from (\d+\.\d) ms", text).group(1))
    scoped = M.scoped_p99(log, M.CANARY_ENDPOINT, M.CANARY_REGION)
    assert quoted == pytest.approx(scoped, abs=0.05)
    assert abs(quoted - M.findings(log).p99_ms) > 0.1, "the fleet's p99 is not the slice's"
    assert M.scoped_p99(log, "cart") > M.findings(log).p99_ms


def test_a_canary_on_a_share_of_requests_that_shares_one_redis_is_not_yet():
    old = ("Raise the Redis TTL for the cart endpoint only, on a canary of 5% of traffic in us-east, for two days. "
           "Metric: p99 of the recommendation call on the canary against the rest. Success: the canary's p99 drops "
           "from 17.4 ms to under 10 ms. Guardrail: stale answers stay under 5% and the error rate does not rise; "
           "roll back at once if either fails.")
    outcome = M.TASKS.experiment.check(old)
    assert outcome.status == NOT_YET and "Redis" in outcome.message
    assert "serve next" in outcome.hint
    assert M.shares_one_cache(old) and not M.shares_one_cache(M.experiment_sample())
    from steward import cartwheel

    assert "interference" in M.experiment_sample() and cartwheel.CACHE_SCOPE in M.experiment_sample()


def test_mapping_1_0_onto_the_boolean_column_names_the_real_cause(log):
    wrong = log["latency_ms"].groupby(log["cache_hit"].map({1: "hit", 0: "miss"})).quantile(0.99)
    outcome = M.TASKS.p99_by_cache.check(wrong)
    assert outcome.status == NOT_YET
    assert "NaN" in outcome.hint and "filter" in outcome.hint and "dtype" in outcome.hint
    assert "True/False" in outcome.message


def test_the_lift_misconception_is_named_base_rate_neglect():
    names = {m.name: m.hint for m in M.TASKS.endpoint_lift.misconceptions}
    assert any("base rate" in name and "base rate" in hint for name, hint in names.items())


def test_no_cartwheel_figure_is_typed_into_a_hint_or_prompt():
    import re

    figure = re.compile(r"\d+(?:\.\d+)?\s*(?:ms|%|calls/s)\b")
    for task in M.TASKS:
        for text in (task.prompt, *task.hints, *(m.hint for m in task.misconceptions)):
            assert not figure.search(text), f"{task.id}: {text!r}"


def test_week_change_matches_a_hand_computation(log):
    from steward import cartwheel
    from steward.datasets.requests import INCIDENT_END, INCIDENT_START

    late = log.timestamp >= log.timestamp.min().normalize() + pd.Timedelta(days=3)
    incident = (log.timestamp >= INCIDENT_START) & (log.timestamp < INCIDENT_END)
    table = M.week_change(log)
    assert list(table.index) == list(M.HALVES)
    assert table.loc["Thu–Sun", "p99_ms"] == pytest.approx(np.quantile(log.latency_ms[late], 0.99))
    assert table.loc["Thu–Sun", "p99_outside_incident_ms"] == pytest.approx(
        np.quantile(log.latency_ms[late & ~incident], 0.99))
    assert table.loc["Mon–Wed", "calls_per_s"] == pytest.approx(
        (~late).sum() * cartwheel.REQUEST_LOG_SAMPLING / (3 * 86_400))
    assert table.loc["Mon–Wed", "miss_rate"] == pytest.approx((~log.cache_hit[~late]).mean())
    by_day = M.p99_by_day(log)
    assert list(by_day.index) == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def test_the_week_diagnosis_on_the_data(log):
    """What the data says (recomputed, not typed): the p99 rose, the miss rate and the mix did not move,
    the incident and the load did."""
    table = M.week_change(log)
    assert table.loc["Thu–Sun", "p99_ms"] > table.loc["Mon–Wed", "p99_ms"]
    assert M.diagnose(log) == {"miss rate": "out", "endpoint mix": "out", "region mix": "out",
                               "incident": "in", "load": "in"}


def _synthetic_week(miss_late: float, seed: int = 3) -> pd.DataFrame:
    rng = np.random.RandomState(seed)
    n = 60_000
    ts = pd.Timestamp("2024-03-04") + pd.to_timedelta(rng.uniform(0, 7 * 86_400, n), unit="s")
    late = ts >= pd.Timestamp("2024-03-07")
    miss = rng.uniform(size=n) < np.where(late, miss_late, 0.12)
    latency = np.where(miss, rng.lognormal(np.log(3.0), 0.4, n), rng.lognormal(np.log(1.1), 0.35, n))
    return pd.DataFrame({"timestamp": ts, "endpoint": rng.choice(["home", "cart"], n),
                         "region": rng.choice(["us-east", "ap-south"], n), "latency_ms": latency, "cache_hit": ~miss})


def test_diagnose_rules_the_miss_rate_in_when_it_rises_and_out_when_it_does_not():
    assert M.diagnose(_synthetic_week(0.24))["miss rate"] == "in"
    flat = M.diagnose(_synthetic_week(0.12))
    assert flat["miss rate"] == "out" and flat["endpoint mix"] == "out" and flat["load"] == "out"


def test_the_conclusion_sample_answers_the_question_sam_asked(log):
    text = M.conclusion_sample()
    assert "rose this week" in text
    for hypothesis in M.diagnose(log):
        assert hypothesis in text
    assert M.TASKS.conclusion.check(text).status == PASS
    without_week = text.split(" The p99 rose")[0]
    assert M.TASKS.conclusion.check(without_week).status == NOT_YET


#: Figures the module's Markdown may state, reviewed: Sam's proposed TTL (not the canon's), the
#: definition of a p99, and a hypothetical base rate. Anything else must be printed by a code cell.
ALLOWED_FIGURES = ('"Set the TTL to 600 s."', "the slowest 1%", "If 80% of all requests", "80% of slow requests")


@pytest.mark.parametrize("folder", ["notebooks", "solutions", "exercises"])
def test_the_markdown_states_no_cartwheel_figure_that_code_does_not_print(folder):
    """Issue 12: "from 12 ms to under 10 ms" sat in the lesson's Markdown while the data moved."""
    import re

    from steward import nbjson, paths

    figure = re.compile(r"[$€]\s?\d|\d[\d,.]*\s*(?:ms\b|%|/s\b|s\b)")
    nb = nbjson.read(paths.root() / folder / "06-mentor-with-frameworks.ipynb")
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = cell["source"]
        for allowed in ALLOWED_FIGURES:
            text = text.replace(allowed, "")
        found = figure.search(text)
        assert not found, text[max(0, found.start() - 80):found.end() + 20]


def test_the_lab_p99_is_the_canons_call_p99(log):
    from steward import cartwheel

    assert M.SLOW_QUANTILE == cartwheel.LATENCY.objective
    assert M.findings(log).p99_ms == pytest.approx(cartwheel.call_p99_ms(), rel=1e-12)


# -- issue 15: the hint linter accepts open prompts and catches an inflected fix --------------------------
@pytest.mark.parametrize("prompt", ["Walk me through what you tried.", "Tell me what you expected the log to show.",
                                    "Explain how you chose the threshold."])
def test_open_prompts_that_are_not_questions_pass(prompt):
    assert M.lint_hint(prompt, "raise the TTL") == []


@pytest.mark.parametrize("hint, fix", [
    ("What if you raised the TTL?", "raise the TTL"),
    ("What if you raised the TTL?", "raising the TTL"),
    ("How about raising the ttl a little?", "raise the TTL"),
    ("Walk me through raising the TTL.", "raise the TTL"),
])
def test_a_fix_phrased_as_a_question_or_prompt_is_flagged(hint, fix):
    assert any("contains the fix" in p for p in M.lint_hint(hint, fix))


def test_an_imperative_fix_is_still_not_an_open_prompt():
    assert any("not a question" in p for p in M.lint_hint("Compare the p99 of hits and misses."))
    assert M.lint_hint("What if you were wrong about the cache?", "raise the TTL") == []


def test_an_open_prompt_rewrite_passes_the_hints_task():
    answer = ["Walk me through how the slowest misses differ from the slowest hits.", *M.SOCRATIC_SAMPLE[1:]]
    assert M.TASKS.socratic_hints.check(answer).status == PASS
    leaky = ["Walk me through comparing the p99 of hits and misses.", *M.SOCRATIC_SAMPLE[1:]]
    outcome = M.TASKS.socratic_hints.check(leaky)
    assert outcome.status == NOT_YET and "still carries the fix" in outcome.hint


def test_the_week_comparison_refuses_half_a_week_plainly(log):
    early = log[log.timestamp < log.timestamp.min().normalize() + pd.Timedelta(days=2)]
    for function in (M.week_change, M.evidence, M.diagnose):
        with pytest.raises(ValueError, match="whole week"):
            function(early)
    with pytest.raises(ValueError):
        M.day_table(pd.DataFrame({"x": [1]}))
