"""Module 06's checked tasks (``TASKS``) and the comparators and matchers behind them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from steward import cartwheel, checks
from steward.lessons.mentoring.model import (
    CONCLUSION_PARTS,
    EARLY_DAYS,
    EXPERIMENT_PARTS,
    FIX_HINTS,
    HALVES,
    HINT_LIMITS,
    HYPOTHESES,
    MAX_HINT_WORDS,
    METRIC_BEST,
    METRIC_HINTS,
    METRICS,
    MODULE,
    QUIZ_BY_ID,
    SOCRATIC_SAMPLE,
    _choice_key,
    _contains_fix,
    _is_open_prompt,
    _is_question,
    _normal,
    _opens_with_fix,
    _quiz_answers,
    cache_status,
    conclusion_sample,
    diagnose,
    experiment_sample,
    findings,
    hit_share_of_slow,
    is_slow,
    is_socratic,
    lint_hint,
    miss_lift,
    miss_share,
    miss_share_of_slow,
    p99_by_cache,
    p99_by_day,
    quiz_reference,
    requests_log,
    scoped_p99,
    shares_one_cache,
    slow_lift,
    slow_share_by,
    slow_share_of_misses,
    week_change,
    week_half,
)
from steward.tasks import Misconception, Task, TaskSet


def _quiz_compare(answer: Any, expected: Mapping[str, str]) -> checks.Verdict:
    answers = _quiz_answers(answer)
    if answers is None:
        return checks.not_yet(f"Expected a dict situation → reply letter, like {{'q1': 'a', …}}; got {checks.describe(answer)}.")
    missing = [q for q in expected if q not in answers]
    if missing:
        return checks.not_yet(f"Answer every situation: missing {', '.join(missing)}.")
    bad = [q for q in expected if answers[q] not in QUIZ_BY_ID[q].replies]
    if bad:
        return checks.not_yet(f"Pick a letter a–d for {', '.join(bad)}.")
    wrong = [q for q in expected if answers[q] != expected[q]]
    if wrong:
        return checks.not_yet(f"{len(expected) - len(wrong)} of {len(expected)} replies are the best one; look again "
                              f"at {', '.join(wrong)} (quiz_feedback(situation, letter) explains each choice).")
    return checks.OK


def _with(**changes: str) -> dict[str, str]:
    answers = quiz_reference()
    answers.update(changes)
    return answers


def _chose(situation: str, kind: str) -> Callable[[Any], bool]:
    """A matcher: the learner chose the reply of ``kind`` in ``situation``."""
    keys = {k for k, r in QUIZ_BY_ID[situation].replies.items() if r.kind == kind}

    def matches(answer: Any) -> bool:
        answers = _quiz_answers(answer)
        return answers is not None and answers.get(situation) in keys

    return matches


def _key_of(situation: str, kind: str) -> str:
    return next(k for k, r in QUIZ_BY_ID[situation].replies.items() if r.kind == kind)



def _metric_compare(answer: Any, expected: str) -> checks.Verdict:
    key = _choice_key(answer)
    if key is None or key not in METRICS:
        return checks.not_yet(f"Expected one letter, a–d; got {checks.describe(answer)}.")
    if key == expected:
        return checks.OK
    return checks.not_yet(f"({key}) measures something, but not whether misses make up the slow requests more often than their share.")



def _all_labels_missing(answer: Any) -> bool:
    """An empty Series from grouping by labels that are all NaN: ``map({1: ..., 0: ...})`` on the
    boolean ``cache_hit`` column finds no key (pandas looks up True and False), and groupby drops
    NaN labels, so nothing is left. The learner's filter did not remove anything."""
    return isinstance(answer, pd.Series) and answer.empty


def _sounds_proven(text: Any) -> bool:
    """The conclusion declares the hypothesis proven and names nothing else that is slow."""
    if not isinstance(text, str):
        return False
    proven = re.search(r"\b(prov(?:ed|es|en)|confirm(?:ed|s)?|definitely|clearly)\b", text, re.I)
    other = CONCLUSION_PARTS["something else that is slow (an endpoint, a region, outliers, load or the incident)"](text)
    return bool(proven) and not other


def _structured(parts: Mapping[str, Callable[[str], bool]], min_words: int) -> checks.Comparator:
    inner = checks.structured_text(parts, min_words=min_words)

    def compare(answer: Any, expected: Any) -> checks.Verdict:
        if isinstance(answer, str) and len(answer) > 20_000:
            return checks.not_yet("That is longer than any mentee will read: keep it under a page.")
        return inner(answer, expected)

    return compare



_experiment_structure = _structured(EXPERIMENT_PARTS, min_words=40)


def _experiment_compare(answer: Any, expected: Any) -> checks.Verdict:
    """The five parts, and a scope whose changed and compared calls do not share one cache."""
    verdict = _experiment_structure(answer, expected)
    if verdict.status == checks.PASS and shares_one_cache(answer):
        return checks.not_yet(f"The parts are there, but the scope is a share of requests and {cartwheel.CACHE_SCOPE}: "
                              "say how the canary's cache is kept apart from the control's (a region, or a split by "
                              "key), or the comparison measures the change on both sides.")
    return verdict


def _hints_compare(answer: Any, expected: Sequence[tuple[str, str]]) -> checks.Verdict:
    if isinstance(answer, str) or not isinstance(answer, Sequence):
        return checks.not_yet(f"Expected a list of {len(expected)} hints (strings); got {checks.describe(answer)}.")
    if len(answer) != len(expected):
        return checks.not_yet(f"Rewrite each of the {len(expected)} hints: got {len(answer)}.")
    if not all(isinstance(h, str) for h in answer):
        return checks.not_yet("Each hint is a string.")
    if all(not h.strip() for h in answer):
        return checks.Verdict(checks.NOT_ATTEMPTED, "The hints are empty.")
    for number, (hint, (original, fix)) in enumerate(zip(answer, expected, strict=True), start=1):
        if _normal(hint) == _normal(original):
            return checks.not_yet(f"Hint {number} is the original: rewrite it.")
        problems = lint_hint(hint, fix)
        if problems:
            return checks.not_yet(f"Hint {number}: {problems[0]}. {HINT_LIMITS}")
    return checks.Verdict(checks.PASS, HINT_LIMITS)


def _any_hint(rule: Callable[[str, str], bool]) -> Callable[[Any], bool]:
    def matches(answer: Any) -> bool:
        if isinstance(answer, str) or not isinstance(answer, Sequence) or len(answer) != len(FIX_HINTS):
            return False
        return any(isinstance(h, str) and h.strip() and rule(h, fix) for h, (_, fix) in zip(answer, FIX_HINTS, strict=True))

    return matches



# -- tasks ---------------------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)

TASKS.add(Task(
    id="06.quiz",
    title="Which reply, when?",
    prompt="A dict situation → the letter of the best reply, for every situation in QUIZ (q1–q5).",
    reference=quiz_reference,
    compare=_quiz_compare,
    hints=[
        "In each situation, what does the mentee need to leave with: an answer now, a way to find it, or a method "
        "for next time?",
        "An incident is the exception where the answer comes first. A question that contains the answer is a fix. "
        "A problem that keeps coming back needs a framework.",
    ],
    misconceptions=[
        Misconception("always asks, even in an incident",
                      "In q2 customers are failing to check out while you ask. Whose time does a teaching question "
                      "spend during an incident?",
                      lambda: _with(q2=_key_of("q2", "question")), matches=_chose("q2", "question")),
        Misconception("a question mark makes it Socratic",
                      "\"Have you tried…?\" ends in a question mark. Where is the answer in that reply: in Sam's head, "
                      "or in yours?",
                      lambda: _with(q1=_key_of("q1", "disguised fix")),
                      matches=lambda a: _chose("q1", "disguised fix")(a) or _chose("q3", "disguised fix")(a)),
        Misconception("gives the fix when the pattern repeats",
                      "In q3 it is the third time. If you fix it again, who will fix the fourth one?",
                      lambda: _with(q3=_key_of("q3", "fix")), matches=_chose("q3", "fix")),
        Misconception("does the analysis for the mentee",
                      "In q5 your reply is right about the numbers. Which of you computed the baseline, and who will "
                      "ask for it next time?",
                      lambda: _with(q5=_key_of("q5", "fix")), matches=_chose("q5", "fix")),
        Misconception("process instead of a test",
                      "In q4 a 20-page document answers \"how would we build it\". What question comes before that?",
                      lambda: _with(q4=_key_of("q4", "framework")), matches=_chose("q4", "framework")),
    ],
))

# -- why did the p99 go up this week? -------------------------------------------------------------------
def _mean_of_hourly_p99s() -> pd.Series:
    log = requests_log()
    hourly = log["latency_ms"].groupby(log["timestamp"].dt.floor("h")).quantile(0.99)
    daily = hourly.groupby(hourly.index.normalize()).mean()
    daily.index = daily.index.day_name()
    return daily


def _same_numbers_other_labels(reference: Callable[[], pd.Series]) -> Callable[[Any], bool]:
    """The right values under other labels (day numbers, dates, True/False, 'Hit'): a Series of the reference's
    length whose sorted values match the reference's, while its labels do not."""
    def matches(answer: Any) -> bool:
        if not isinstance(answer, pd.Series) or len(answer) == 0:
            return False
        want = reference()
        if len(answer) != len(want) or {str(i) for i in answer.index} == {str(i) for i in want.index}:
            return False
        got = pd.to_numeric(answer, errors="coerce").sort_values().to_numpy(dtype=float)
        return bool(np.allclose(got, want.sort_values().to_numpy(dtype=float), rtol=1e-3))

    return matches


def _by_date() -> pd.Series:
    log = requests_log()
    return log["latency_ms"].groupby(log["timestamp"].dt.date).quantile(0.99)


#: quantile(0.999) for the p99: one more 9 than the percentile's name.
P999_HINT = ("Those are p99.9s: `quantile(0.999)` leaves 1 request in 1,000 above it. Which quantile leaves 1 in 100 "
             "above it?")


TASKS.add(Task(
    id="06.p99-by-day",
    title="The dashboard Sam reads: p99 per day",
    prompt="A Series day name ('Monday' … 'Sunday') → the p99 latency (ms) of that day's requests.",
    reference=lambda: p99_by_day(requests_log()),
    compare=checks.series(rel=1e-3, what="p99 (ms)"),
    hints=[
        "Sam says the p99 went up this week. On which days, and was it a step, a slope or one bad day?",
        "Group latency_ms by log.timestamp.dt.day_name() and take quantile(0.99).",
    ],
    misconceptions=[
        Misconception("used the mean", "Those are daily means. Which statistic did Sam say went up?",
                      lambda: requests_log()["latency_ms"].groupby(requests_log()["timestamp"].dt.day_name()).mean()),
        Misconception("averaged the hourly p99s",
                      "That is the mean of each hour's p99. Is the average of 24 percentiles the percentile of the day?",
                      _mean_of_hourly_p99s),
        Misconception("used the p95", "Those are p95s. Which quantile is the p99?",
                      lambda: p99_by_day(requests_log(), 0.95)),
        Misconception("used the p99.9", P999_HINT, lambda: p99_by_day(requests_log(), 0.999)),
        Misconception("took each day's slowest request",
                      "Those are each day's single slowest request. Is the worst request of the day what a p99 "
                      "describes?",
                      lambda: requests_log()["latency_ms"].groupby(requests_log()["timestamp"].dt.day_name()).max()),
        Misconception("labelled the days by date or number",
                      "Your numbers are the daily p99s; your labels are not the day names. Which `.dt` accessor gives "
                      "'Monday'?",
                      _by_date, matches=_same_numbers_other_labels(lambda: p99_by_day(requests_log()))),
    ],
))


def _week_change_with(**changes: Callable[[pd.DataFrame], pd.Series]) -> Callable[[], pd.DataFrame]:
    def example() -> pd.DataFrame:
        log = requests_log()
        table = week_change(log)[list(WEEK_COLUMNS)].copy()
        for column, compute in changes.items():
            table[column] = compute(log).to_numpy()
        return table

    return example


WEEK_COLUMNS = ("p99_ms", "p99_outside_incident_ms", "calls_per_s", "miss_rate")


def _by_half(log: pd.DataFrame, values: pd.Series, how: str) -> pd.Series:
    return values.groupby(week_half(log)).agg(how).reindex(list(HALVES))


def _p99_without_thursday(log: pd.DataFrame) -> pd.Series:
    kept = log["timestamp"].dt.day_name() != "Thursday"
    return log.loc[kept, "latency_ms"].groupby(week_half(log)[kept]).quantile(0.99).reindex(list(HALVES))


TASKS.add(Task(
    id="06.what-changed",
    title="What changed between the first three days and the last four?",
    prompt="A DataFrame with two rows, Mon–Wed then Thu–Sun, and columns p99_ms, p99_outside_incident_ms (the p99 "
           "without the incident window), calls_per_s (real calls/s: sampled count × cartwheel.REQUEST_LOG_SAMPLING "
           "÷ seconds) and miss_rate.",
    reference=lambda: week_change(requests_log())[list(WEEK_COLUMNS)],
    compare=checks.frame(WEEK_COLUMNS, rel=1e-3),
    hints=[
        "If misses made the p99 go up, what would have to change between the two halves? Which column would show it?",
        "half = where(timestamp >= Thursday 00:00, 'Thu–Sun', 'Mon–Wed'); the incident is INCIDENT_START ≤ timestamp "
        "< INCIDENT_END in steward.datasets.requests; 3 and 4 days of seconds.",
    ],
    misconceptions=[
        Misconception("calls/s of the sampled log",
                      "Your calls/s are the log's rows per second. The log keeps one call in how many?",
                      _week_change_with(calls_per_s=lambda log: _by_half(log, log["latency_ms"], "size")
                                        / (pd.Series([EARLY_DAYS, 7 - EARLY_DAYS], index=list(HALVES)) * 86_400))),
        Misconception("dropped all of Thursday, not the incident window",
                      "Your p99 outside the incident leaves out a whole day. How long was the incident?",
                      _week_change_with(p99_outside_incident_ms=_p99_without_thursday)),
        Misconception("the hit rate, not the miss rate",
                      "Your miss_rate is near 1. Which value of cache_hit is a miss?",
                      _week_change_with(miss_rate=lambda log: _by_half(log, log["cache_hit"].astype(float), "mean"))),
        Misconception("put Thu–Sun first",
                      "Your rows are the right ones in the other order. Which half comes first in the task?",
                      lambda: week_change(requests_log())[list(WEEK_COLUMNS)].iloc[::-1]),
        Misconception("gave the miss rate in percent",
                      "Your miss_rate looks like a percentage. The column holds a share between 0 and 1, like the "
                      "mean of a True/False column: where did a factor of 100 come in?",
                      _week_change_with(miss_rate=lambda log: 100 * _by_half(log, (~log["cache_hit"].astype(bool))
                                                                              .astype(float), "mean"))),
        Misconception("gave calls per hour",
                      "Your calls_per_s look like calls per hour. How many seconds are in each half?",
                      _week_change_with(calls_per_s=lambda log: week_change(log)["calls_per_s"] * 3600)),
        Misconception("divided both halves by the whole week",
                      "Your calls/s divide each half's calls by the seconds of the whole week. How long is each half?",
                      _week_change_with(calls_per_s=lambda log: _by_half(log, log["latency_ms"], "size")
                                        * cartwheel.REQUEST_LOG_SAMPLING / (7 * 86_400))),
    ],
))


def _verdicts(answer: Mapping[Any, Any]) -> dict[str, str]:
    """The learner's verdicts with spellings normalised: 'miss_rate' and 'Miss-Rate' are 'miss rate'; 'ruled in'
    and 'IN' are 'in'."""
    def key(k: Any) -> str:
        return " ".join(re.sub(r"[_-]", " ", str(k)).lower().split())

    def verdict(v: Any) -> str:
        return re.sub(r"^ruled\s+", "", str(v).strip().lower())

    return {key(k): verdict(v) for k, v in answer.items()}


def _diagnosis_compare(answer: Any, expected: Mapping[str, str]) -> checks.Verdict:
    if not isinstance(answer, Mapping):
        return checks.not_yet(f"Expected a dict hypothesis → 'in' or 'out', like {{'load': 'in', …}}; got "
                              f"{checks.describe(answer)}.")
    got = _verdicts(answer)
    missing = [h for h in expected if h not in got]
    if missing:
        return checks.not_yet(f"Rule each hypothesis in or out: missing {', '.join(missing)}.")
    bad = [h for h in expected if got[h] not in ("in", "out")]
    if bad:
        return checks.not_yet(f"Say 'in' or 'out' for {', '.join(bad)}.")
    wrong = [h for h in expected if got[h] != expected[h]]
    if wrong:
        return checks.not_yet(f"{len(expected) - len(wrong)} of {len(expected)} verdicts match the data; look again at "
                              f"{', '.join(wrong)}.")
    return checks.OK


def _diagnosis_with(**changes: str) -> Callable[[], dict[str, str]]:
    def example() -> dict[str, str]:
        answer = diagnose(requests_log())
        answer.update({k.replace("_", " "): v for k, v in changes.items()})
        return answer

    return example


def _said(hypothesis: str, verdict: str) -> Callable[[Any], bool]:
    def matches(answer: Any) -> bool:
        if not isinstance(answer, Mapping):
            return False
        got = _verdicts(answer)
        return got.get(hypothesis) == verdict and diagnose(requests_log())[hypothesis] != verdict

    return matches


TASKS.add(Task(
    id="06.ruled-in-out",
    title="Which explanations does the data rule in, and which out?",
    prompt=f"A dict hypothesis → 'in' or 'out' for each of {', '.join(HYPOTHESES)}: did its cause rise between the "
           "halves beyond sampling error (z above 1.96), and does it account for the rise? (evidence() states the rules.)",
    reference=lambda: diagnose(requests_log()),
    compare=_diagnosis_compare,
    hints=[
        "For each explanation, what would you see in the two halves if it were the cause, and did you see it?",
        "A share rose if its two-proportion z is above 1.96; the incident counts if removing its window takes back "
        "part of the rise; load counts if calls/s rose and hits got slower too.",
    ],
    misconceptions=[
        Misconception("misses make up the tail, so they made it go up",
                      "Misses are most of the slow requests, every day. Did their share of requests change between "
                      "the halves?",
                      _diagnosis_with(miss_rate="in"), matches=_said("miss rate", "in")),
        Misconception("75 minutes cannot move a week",
                      "What is Thursday's p99 with the incident window, and without it?",
                      _diagnosis_with(incident="out"), matches=_said("incident", "out")),
        Misconception("load ruled out because the miss rate did not move",
                      "Hits got slower too outside the incident. What slows a call that never touched the inventory "
                      "service?",
                      _diagnosis_with(load="out"), matches=_said("load", "out")),
        Misconception("a small difference in the mix read as a cause",
                      "How far did the cart and ap-south shares move, and is that more than sampling noise?",
                      _diagnosis_with(endpoint_mix="in", region_mix="in"),
                      matches=lambda a: _said("endpoint mix", "in")(a) or _said("region mix", "in")(a)),
    ],
))


TASKS.add(Task(
    id="06.metric-choice",
    title="What metric would prove that hypothesis?",
    prompt="One letter from METRICS: the metric that could prove or refute \"cache misses cause our p99\".",
    reference=lambda: METRIC_BEST,
    compare=_metric_compare,
    hints=[
        "The p99 is made of the slowest 1% of requests. What would those requests look like if misses caused them, "
        "and what if they didn't?",
        "A share among the slow requests means little alone: if misses had nothing to do with slowness, what share "
        "of the slow ones would you expect to be misses?",
    ],
    misconceptions=[Misconception(f"chose ({key})", hint, lambda key=key: key) for key, hint in METRIC_HINTS.items()],
))

TASKS.add(Task(
    id="06.p99-by-cache",
    title="p99 of hits and of misses",
    prompt="A Series indexed 'hit' and 'miss': the p99 latency (ms) of each.",
    reference=lambda: p99_by_cache(requests_log()),
    compare=checks.series(rel=1e-3, what="p99 (ms)"),
    hints=[
        "If misses caused the tail, how should the p99 of misses compare with the p99 of hits?",
        "Label cache_hit (a boolean) as 'hit'/'miss', group latency_ms by it, and take quantile(0.99).",
    ],
    misconceptions=[
        Misconception("used the mean", "Those are means. Which statistic describes the tail the hypothesis is about?",
                      lambda: requests_log()["latency_ms"].groupby(cache_status(requests_log())).mean()),
        Misconception("used the median", "Those are medians: the typical hit and miss. What about the slowest 1%?",
                      lambda: requests_log()["latency_ms"].groupby(cache_status(requests_log())).median()),
        Misconception("used the p95", "Those are p95s. Which quantile is the p99?",
                      lambda: p99_by_cache(requests_log(), 0.95)),
        Misconception("used the p99.9", P999_HINT, lambda: p99_by_cache(requests_log(), 0.999)),
        Misconception("mapped 1/0 labels onto a True/False column",
                      "Your Series is empty because every label is NaN, not because a filter removed rows: what "
                      "does log.cache_hit.dtype say, and which keys did your map() look for?",
                      lambda: requests_log()["latency_ms"].groupby(
                          requests_log()["cache_hit"].map({1: "hit", 0: "miss"})).quantile(0.99),
                      matches=_all_labels_missing),
        Misconception("kept cache_hit's True/False as the labels",
                      "Your numbers are the two p99s, labelled by the column's values rather than 'hit' and 'miss'. "
                      "Which of your labels is a hit?",
                      lambda: requests_log()["latency_ms"].groupby(requests_log()["cache_hit"]).quantile(0.99),
                      matches=_same_numbers_other_labels(lambda: p99_by_cache(requests_log()))),
    ],
))

TASKS.add(Task(
    id="06.miss-share-of-slow",
    title="Of the slow requests, how many are misses?",
    prompt="A fraction: of the requests slower than the week's p99 (latency_ms > the 0.99 quantile), the share "
           "that were cache misses.",
    reference=lambda: miss_share_of_slow(requests_log()),
    compare=checks.number(rel=1e-3),
    hints=[
        "Which requests are you describing: the misses, or the slow ones? Which of them goes in the denominator?",
        "Filter to latency_ms > quantile(0.99), then take the mean of (cache_hit == 0) over those rows.",
    ],
    misconceptions=[
        Misconception("the other conditional (slow given miss)",
                      "That is the share of misses that are slow, P(slow | miss). The question is what the slow "
                      "requests are made of: which group is the denominator?",
                      lambda: slow_share_of_misses(requests_log())),
        Misconception("the base rate", "That is the share of *all* requests that miss. Which requests does the "
                      "question ask about?", lambda: miss_share(requests_log())),
        Misconception("a percentage", "That is a percentage; the task asks for a fraction between 0 and 1.",
                      lambda: 100 * miss_share_of_slow(requests_log())),
        Misconception("the share of hits", "That is the share of slow requests that are *hits*.",
                      lambda: hit_share_of_slow(requests_log())),
        Misconception("counted the slow misses",
                      "That is how many slow requests are misses, a count. As a share of which requests?",
                      lambda: float((is_slow(requests_log()) & ~requests_log()["cache_hit"].astype(bool)).sum())),
        Misconception("divided the slow misses by every request",
                      "That is P(slow and miss): the slow misses as a share of *every* request. The question is "
                      "about the slow requests only: which denominator is that?",
                      lambda: float((is_slow(requests_log()) & ~requests_log()["cache_hit"].astype(bool)).mean())),
        Misconception("called slow what breaks the latency SLO",
                      "The exercise defines slow as slower than the week's p99, not the SLO's threshold. Which "
                      "threshold did you filter on?",
                      lambda: float((~requests_log()["cache_hit"].astype(bool))[
                          requests_log()["latency_ms"] > cartwheel.LATENCY.threshold_ms].mean())),
        Misconception("called slow the slowest 5%",
                      "Your slow requests are those above the p95. The exercise's slow is above the week's p99: which "
                      "quantile did you cut at?",
                      lambda: float((~requests_log()["cache_hit"].astype(bool))[
                          requests_log()["latency_ms"] > requests_log()["latency_ms"].quantile(0.95)].mean())),
    ],
))

TASKS.add(Task(
    id="06.miss-lift",
    title="Compared with what? The lift",
    prompt="A number: how many times more common misses are among the slow requests than among all requests, "
           "P(miss | slow) / P(miss).",
    reference=lambda: miss_lift(requests_log()),
    compare=checks.number(rel=1e-3, unit="×"),
    hints=[
        "If misses had nothing to do with slowness, what share of the slow requests would you expect to be misses?",
        "Divide your previous answer by the share of all requests that are misses.",
    ],
    misconceptions=[
        Misconception("subtracted instead of dividing",
                      "That is a difference in shares. How many *times* the base rate is it?",
                      lambda: miss_share_of_slow(requests_log()) - miss_share(requests_log())),
        Misconception("divided the wrong way round",
                      "That is the base rate divided by the share among slow requests: upside down.",
                      lambda: miss_share(requests_log()) / miss_share_of_slow(requests_log())),
        Misconception("compared misses with hits (relative risk)",
                      "That is P(slow | miss) / P(slow | hit): how much likelier a miss is to be slow than a hit. "
                      "A fair question, but not this one: compare the slow requests with all requests.",
                      lambda: slow_share_of_misses(requests_log())
                      / float(is_slow(requests_log())[requests_log()["cache_hit"].astype(bool)].mean())),
        Misconception("gave how much more, not how many times",
                      "That is how much *more* common misses are (the ratio minus one, perhaps in percent). The task "
                      "asks how many *times* as common: what is the ratio itself?",
                      lambda: miss_lift(requests_log()) - 1,
                      matches=lambda a: any(checks.number(rel=1e-3)(a, v).passed for v in (
                          miss_lift(requests_log()) - 1, 100 * (miss_lift(requests_log()) - 1)))),
    ],
))

TASKS.add(Task(
    id="06.endpoint-lift",
    title="What else is slow?",
    prompt="A Series endpoint → lift: each endpoint's share of the slow requests (slower than the p99) divided by "
           "its share of all requests.",
    reference=lambda: slow_lift(requests_log(), "endpoint"),
    compare=checks.series(rel=1e-3, what="lift (×)"),
    hints=[
        "An endpoint that serves most of the requests would hold most of the slow ones even if it were no slower. "
        "What would you divide by?",
        "value_counts(normalize=True) among the slow rows, divided by value_counts(normalize=True) among all rows.",
    ],
    misconceptions=[
        Misconception("base-rate neglect (shares of the slow requests, no base rate)",
                      "Those are shares of the slow requests with no base rate. An endpoint that serves most requests "
                      "would hold most slow ones even if it were no slower: what share of *all* requests does each "
                      "endpoint have?",
                      lambda: slow_share_by(requests_log(), "endpoint")),
        Misconception("slow share within each endpoint",
                      "That is each endpoint's own slow share, P(slow | endpoint), which is about 1% × the lift. "
                      "The task asks for the ratio of shares.",
                      lambda: is_slow(requests_log()).groupby(requests_log()["endpoint"]).mean()),
        Misconception("p99 per endpoint",
                      "Those are p99s per endpoint, in ms. The task asks how over-represented each endpoint is among "
                      "the slow requests.",
                      lambda: requests_log().groupby("endpoint")["latency_ms"].quantile(0.99)),
        Misconception("divided the wrong way round",
                      "Your lifts are upside down: an endpoint over-represented among the slow requests comes out "
                      "below 1. Which share goes on top?",
                      lambda: 1 / slow_lift(requests_log(), "endpoint")),
    ],
))

def _share_as_fraction(text: Any) -> bool:
    """Every part is there but the percentage, and the text writes a share as 0.xx."""
    if not isinstance(text, str) or len(text.split()) < 30:
        return False
    missing = [name for name, present in CONCLUSION_PARTS.items() if not present(text)]
    return len(missing) == 1 and "(a %)" in missing[0] and bool(re.search(r"\b0\.\d+", text))


TASKS.add(Task(
    id="06.conclusion",
    title="Write the conclusion",
    prompt="A few sentences for Sam (as a string, 30+ words): the share of slow requests that are misses, the "
           "baseline, what else is slow, and a verdict on the hypothesis.",
    reference=lambda: "structure",
    compare=_structured(CONCLUSION_PARTS, min_words=30),
    sample_answer=conclusion_sample,
    hints=[
        "Would Sam, reading only your paragraph, know how much of the p99 the misses explain, and what they don't?",
        "One sentence with the share among slow requests and the base rate, one with the lift, one naming what else "
        "is over-represented, and a verdict: supported, partly, or refuted.",
    ],
    misconceptions=[
        Misconception("declared it proven",
                      "Your text says the hypothesis is proven. What share of the slow requests were hits, and what "
                      "else did the breakdown show?",
                      lambda: f"Proven: misses cause the p99. {miss_share_of_slow(requests_log()):.0%} of slow requests "
                              "are misses, so the cache is the problem "
                              "and raising the TTL will fix the tail. We should ship it this week and close the ticket "
                              "after confirming the dashboard.",
                      matches=_sounds_proven),
        Misconception("wrote the share as a fraction",
                      "Your share of slow requests that are misses is written as a fraction (0.xx). Sam will read "
                      "it next to a base rate and a lift: which format makes it readable at a glance?",
                      lambda: re.sub(r"(\d+(?:\.\d+)?)\s*%", lambda m: f"{float(m.group(1)) / 100:.2f}",
                                     conclusion_sample()),
                      matches=_share_as_fraction),
    ],
))

TASKS.add(Task(
    id="06.experiment",
    title="The simplest thing we could build to test this",
    prompt="An experiment plan (a string, 40+ words): the change, a scope that keeps it small, the metric, a "
           "success criterion with a number, and a guardrail or stopping rule.",
    reference=lambda: "structure",
    compare=_experiment_compare,
    sample_answer=experiment_sample,
    hints=[
        "What result would tell you the hypothesis was wrong, and how little would you have to build to see it?",
        "Name one change on one slice of traffic, the p99 you expect (from → to, in ms), what must not get worse, "
        "and when you stop.",
    ],
    misconceptions=[
        Misconception("no number to succeed or fail against",
                      "Your plan has no number that would count as success. How will you know, on day two, whether "
                      "it worked?",
                      lambda: "Raise the Redis TTL for the cart endpoint on a canary of 5% of traffic for two days, and "
                              "watch the p99 of the recommendation call on the canary against the rest. If it improves "
                              "we roll it out; if errors or stale answers rise we roll back.",
                      matches=lambda a: isinstance(a, str) and len(a.split()) >= 40
                      and not EXPERIMENT_PARTS["a success criterion with a number (e.g. p99 under N ms)"](a)),
        Misconception("no small scope",
                      "Your plan changes everything at once. What is the smallest slice of traffic that would answer "
                      "the question?",
                      lambda: "Raise the Redis TTL for every endpoint in every region to ten minutes. Metric: the p99 "
                              f"of the recommendation call. Success: the p99 drops from {findings().p99_ms:.1f} ms to "
                              f"under {findings().p99_hit_ms + 2:.0f} ms within a week. Guardrail: stale answers stay "
                              "rare and errors do not rise, else we roll back.",
                      matches=lambda a: isinstance(a, str) and len(a.split()) >= 40 and not EXPERIMENT_PARTS[
                          "the scope that keeps it small (one endpoint, one region, a canary or a share of traffic)"](a)),
        Misconception("a canary on a share of requests that shares one Redis with the control",
                      "Your canary's requests and the control's read the same Redis. Whose calls does an entry "
                      "the canary keeps for ten minutes serve next?",
                      lambda: "Raise the Redis TTL for the cart endpoint only, on a canary of 5% of traffic in us-east, "
                              "for two days. Metric: p99 of the recommendation call on the canary against the rest. "
                              f"Success: the canary's p99 drops from {scoped_p99(requests_log(), 'cart', 'us-east'):.1f}"
                              f" ms to under {scoped_p99(requests_log(), 'cart', 'us-east', hits_only=True) + 2:.0f} "
                              "ms. Guardrail: stale answers stay under 5% and the error rate does not rise; roll back "
                              "at once if either fails.",
                      matches=shares_one_cache),
    ],
))

TASKS.add(Task(
    id="06.socratic-hints",
    title="Rewrite three fixes as Socratic hints",
    prompt="A list of three strings: FIX_HINTS rewritten, in order, so each passes lint_hint(hint, fix) with "
           "that hint's fix.",
    reference=lambda: FIX_HINTS,
    compare=_hints_compare,
    sample_answer=lambda: list(SOCRATIC_SAMPLE),
    hints=[
        "For each hint, what does Sam need to notice to find the fix alone, and what question would make them look there?",
        "Start with what, which, how or why; end with a question mark; leave the fix's words out; keep it under "
        f"{MAX_HINT_WORDS} words.",
    ],
    misconceptions=[
        Misconception("kept the fix in the question",
                      "One of your questions still carries the fix. If Sam acts on it, will they know why it works?",
                      lambda: ["What do you see if you compare the p99 of hits and misses?", SOCRATIC_SAMPLE[1],
                               SOCRATIC_SAMPLE[2]],
                      matches=_any_hint(lambda h, fix: (_is_question(h) or _is_open_prompt(h))
                                       and (_contains_fix(h, fix) or _opens_with_fix(h)))),
        Misconception("statements, not questions",
                      "One of your hints is a statement. What question would make Sam find it out?",
                      lambda: ["Look at how the tail of misses differs from the tail of hits.", SOCRATIC_SAMPLE[1],
                               SOCRATIC_SAMPLE[2]],
                      matches=_any_hint(lambda h, fix: not _is_question(h) and not _is_open_prompt(h))),
    ],
))


def _empty_fix_matches(hint: Any, fix: Any) -> bool:
    """The reference, except that an empty fix is 'contained' in every hint (`'' in text` is True)."""
    return is_socratic(hint, fix) and not (isinstance(fix, str) and not fix.strip())


def _returns(function: Callable[..., Any], args: tuple[Any, ...], value: Any) -> bool:
    try:
        return function(*args) is value or function(*args) == value
    except Exception:
        return False


def _linter_cases() -> list[tuple[str, str]]:
    cases = [(h, f) for h, f in FIX_HINTS]
    cases += [(h, f) for h, (_, f) in zip(SOCRATIC_SAMPLE, FIX_HINTS, strict=True)]
    cases += [
        ("Why don't you check the cart endpoint?", "cart endpoint"),
        ("Have you considered a canary?", "canary"),
        ("What would you expect to see if the cache were the cause?", "raise the TTL"),
        ("What would you expect to see if the cache were the cause", "raise the TTL"),
        ("Would it help to RAISE the ttl?", "raise the TTL"),
        ("Which requests make up the p99?  ", "share of slow requests"),
        ("", "anything"),
        ("   ", "anything"),
        ("Why not raise the TTL?", "raise the TTL"),
        ("What changed on Tuesday?", ""),
        ("Où est le problème ?", "cache"),
        ("How would you know if you were wrong?\n", "p99"),
        ("Is it the cache, or the region?\"", "hosts"),
    ]
    return cases


TASKS.add(Task(
    id="06.hint-linter",
    title="Stretch: write the hint linter's core rules",
    prompt="Write is_socratic(hint, fix) → bool: True only if the hint (1) ends with '?' (ignoring trailing "
           "spaces and closing quotes), (2) does not start with one of DISGUISED_OPENERS (case-insensitive), and "
           "(3) does not contain the fix phrase (case-insensitive, punctuation ignored). Empty hints are False.",
    reference=lambda: is_socratic,
    compare=checks.function_on(_linter_cases, what="(hint, fix)"),
    stretch=True,
    hints=[
        "Which of the three rules can a hint break while still ending in a question mark?",
        "Lower-case both texts and replace punctuation with spaces before comparing; check startswith for each opener.",
    ],
    misconceptions=[
        Misconception("only checks the question mark",
                      "Your linter passes \"Have you tried raising the TTL?\". Is that hint Socratic?",
                      lambda: (lambda hint, fix: isinstance(hint, str) and hint.rstrip().endswith("?"))),
        Misconception("only checks for the fix",
                      "Your linter passes statements. Does a statement make the mentee think?",
                      lambda: (lambda hint, fix: isinstance(hint, str) and bool(hint.strip())
                               and not (fix and fix.lower() in hint.lower()))),
        Misconception("an empty fix matches every hint",
                      "Your linter fails a good question when the fix is empty. What does `'' in text` give, for any "
                      "text?",
                      lambda: _empty_fix_matches,
                      matches=lambda a: callable(a) and _returns(a, ("What changed on Tuesday?", ""), False)
                      and _returns(a, ("What changed on Tuesday?", "raise the TTL"), True)),
    ],
))

