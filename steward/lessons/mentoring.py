"""Module 06 — mentor with frameworks, not fixes.

Three parts, each small pure functions with thin layers on top:

- **The quiz**: situations in which a junior is stuck, and replies a mentor could give
  (the fix, a question that is the fix in disguise, a question that leads to the fix, a
  framework). Each wrong reply carries the misconception it reveals, and the right reply
  depends on the situation: in an incident the fix *is* the right reply.
- **The hypothesis lab**: the mentee's "cache misses cause our p99", tested on the
  ``requests`` log. The metric that can prove or refute it compares the share of *slow*
  requests that are misses with the share of *all* requests that are misses (a base
  rate), and then asks what else is slow.
- **The hint linter**: a Socratic hint is a question, does not contain the fix, and is
  not a fix dressed as a question ("Have you tried…?"). The curriculum's own hints are
  held to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from steward import checks, plotting
from steward.checks import require_frame
from steward.datagen import load
from steward.tasks import Misconception, Rubric, Task, TaskSet
from steward.widgets import App, FigureView, dropdown, slider, w

MODULE = "06"

#: "Slow" in the lab means slower than the week's p99: the requests the p99 describes.
SLOW_QUANTILE = 0.99
BREAKDOWNS = ("cache", "endpoint", "region")


# -- the quiz ------------------------------------------------------------------------------------------
#: The kinds of mentor reply the quiz distinguishes.
KINDS = {
    "fix": "gives the fix",
    "disguised fix": "a fix phrased as a question",
    "question": "asks a question that leads the mentee to the fix",
    "framework": "offers a framework the mentee can reuse",
    "deflection": "sends the mentee away without help",
    "approval": "approves without testing anything",
}


@dataclass(frozen=True)
class Reply:
    """One reply a mentor could give, the kind it is, and what choosing it reveals."""

    text: str
    kind: str
    feedback: str


@dataclass(frozen=True)
class Situation:
    """A moment in which the mentee is stuck, the replies on offer, and the best one."""

    id: str
    title: str
    text: str
    replies: Mapping[str, Reply]
    best: str

    def options(self) -> list[tuple[str, str]]:
        return [(f"{key}) {reply.text}", key) for key, reply in self.replies.items()]


QUIZ: tuple[Situation, ...] = (
    Situation(
        id="q1",
        title="The hypothesis",
        text="Sam, eight months on the team, messages you: \"p99 on the recommendation call went up this week. I think "
             "it's cache misses. Should I raise the Redis TTL to 10 minutes?\"",
        replies={
            "a": Reply("Yes, set it to 600 s and watch the dashboard.", "fix",
                       "You solved it for Sam, and accepted an untested hypothesis along the way. Next time Sam will "
                       "come back with the next symptom, because you are the fastest way to an answer."),
            "b": Reply("Have you tried raising the TTL?", "disguised fix",
                       "A question mark does not make a reply Socratic: the answer is inside it. Sam will raise the TTL "
                       "without knowing whether misses were the cause."),
            "c": Reply("What would you expect to see in the request log if misses were the cause, and what if they "
                       "weren't?", "question",
                       "Right: Sam has to turn the hunch into a prediction that the data can refute, which is the skill "
                       "you want them to leave with."),
            "d": Reply("Read the Redis docs on key expiry first.", "deflection",
                       "The docs explain expiry, not Sam's latency. Sending someone away is not mentoring, it only "
                       "delays the conversation."),
        },
        best="c",
    ),
    Situation(
        id="q2",
        title="The incident",
        text="Thursday 19:40. The inventory service is timing out and customers see errors at checkout. Sam is on "
             "call and asks you: \"Should I turn on the stale-stock fallback flag?\" You know the answer is yes.",
        replies={
            "a": Reply("What do you think the trade-offs of the fallback are?", "question",
                       "In an incident, customers pay for every minute you spend teaching. Give the answer now; the "
                       "questions belong in tomorrow's debrief."),
            "b": Reply("Yes, turn it on now. Tomorrow let's go through how you could have decided that alone.", "fix",
                       "Right: mitigate first, teach afterwards. The debrief is where the framework goes."),
            "c": Reply("Let's write a runbook for this kind of decision first.", "framework",
                       "A runbook is the right outcome of this incident, not the right first step during it."),
            "d": Reply("Whatever you think is best, you're on call.", "deflection",
                       "Sam asked because they are unsure, in front of customers' errors. Withholding an answer you "
                       "have is not autonomy, it is abandonment."),
        },
        best="b",
    ),
    Situation(
        id="q3",
        title="The third time",
        text="For the third time this quarter Sam asks you to look at a slow endpoint. The last two times you found "
             "the cause in twenty minutes.",
        replies={
            "a": Reply("Send me the dashboard link, I'll have a look after lunch.", "fix",
                       "Fixing it a third time teaches Sam that slow endpoints are your job. The pattern, not this "
                       "endpoint, is the problem to solve."),
            "b": Reply("What did you look at first the last two times?", "question",
                       "A good question, but it treats this as one more instance. After three times, Sam needs "
                       "something reusable: a way to work any slow endpoint."),
            "c": Reply("Let's write down the steps for any slow endpoint: the hypothesis, the metric that would "
                       "refute it, the smallest test. Then walk me through this one with it.", "framework",
                       "Right: a framework turns three rescues into a method Sam owns, and you still see Sam "
                       "apply it once."),
            "d": Reply("Have you checked whether it's the cache again?", "disguised fix",
                       "That is your guess, phrased as a question. If it is right, Sam learns your guess, not how "
                       "to make one."),
        },
        best="c",
    ),
    Situation(
        id="q4",
        title="The big design",
        text="Sam proposes a new caching layer in front of the inventory service: three weeks of work, to cut the "
             "p99 of the recommendation call.",
        replies={
            "a": Reply("Too complex. Just raise the TTL instead.", "fix",
                       "You replaced Sam's untested idea with yours. Neither has been tested, and Sam learns to wait "
                       "for your verdict."),
            "b": Reply("Sounds great, go for it.", "approval",
                       "Three weeks of work rest on an untested hypothesis. Encouragement is not the same as support."),
            "c": Reply("What's the simplest thing we could build to test whether it would help?", "question",
                       "Right: the essay's own question. Sam finds out, in a day instead of three weeks, whether the "
                       "layer would move the p99."),
            "d": Reply("Write a 20-page design doc first and we'll review it.", "framework",
                       "A design doc is a good tool at the right size. Here the first question is whether the idea "
                       "works at all, and a small test answers that faster than a document."),
        },
        best="c",
    ),
    Situation(
        id="q5",
        title="The evidence",
        text="Sam comes back: \"Most of the slow requests are cache misses, so misses cause the p99.\"",
        replies={
            "a": Reply("Great, ship the TTL change.", "approval",
                       "\"Most of the slow requests\" means nothing without the base rate: if most requests were "
                       "misses, most slow ones would be too."),
            "b": Reply("That's wrong: misses are only a small share of all requests, so they are heavily "
                       "over-represented. Misses are the main cause.", "fix",
                       "You did the analysis for Sam. The conclusion may be right, but Sam did not learn to ask for "
                       "the baseline, and will not ask next time."),
            "c": Reply("Most, compared with what? What share of all requests are misses?", "question",
                       "Right: one question about the baseline, and Sam computes the rest."),
            "d": Reply("Correlation isn't causation.", "deflection",
                       "True, and useless as it stands: a slogan closes the conversation without pointing Sam to "
                       "what to compute next."),
        },
        best="c",
    ),
)

QUIZ_BY_ID: dict[str, Situation] = {s.id: s for s in QUIZ}


def quiz_reference() -> dict[str, str]:
    """The best reply for each situation."""
    return {s.id: s.best for s in QUIZ}


def _choice_key(value: Any) -> str | None:
    """"c", "C", " c) …" → "c"; anything else → None."""
    if not isinstance(value, str):
        return None
    match = re.match(r"\s*([a-dA-D])\b", value)
    return match.group(1).lower() if match else None


def quiz_feedback(situation_id: str, choice: Any) -> tuple[bool, str]:
    """Whether ``choice`` is the best reply to a situation, and what it reveals."""
    situation = QUIZ_BY_ID.get(str(situation_id).strip().lower())
    if situation is None:
        raise ValueError(f"there is no situation {situation_id!r}; they are {', '.join(QUIZ_BY_ID)}")
    key = _choice_key(choice)
    if key is None or key not in situation.replies:
        raise ValueError(f"pick one of {', '.join(situation.replies)} for {situation.id}")
    reply = situation.replies[key]
    return key == situation.best, f"{KINDS[reply.kind].capitalize()}. {reply.feedback}"


def _quiz_answers(answer: Any) -> dict[str, str | None] | None:
    if not isinstance(answer, Mapping):
        return None
    return {str(k).strip().lower(): _choice_key(v) for k, v in answer.items()}


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


# -- the hypothesis lab --------------------------------------------------------------------------------
def requests_log() -> pd.DataFrame:
    """The week of sampled requests from module 04 (a fresh copy)."""
    return load("requests")


def _require(frame: Any, columns: Iterable[str]) -> pd.DataFrame:
    return require_frame(frame, columns, "requests")


def cache_status(frame: pd.DataFrame) -> pd.Series:
    """"hit" or "miss" per request: labels read better in a table than 1 and 0."""
    frame = _require(frame, ["cache_hit"])
    return frame["cache_hit"].astype(bool).map({True: "hit", False: "miss"}).rename("cache")


def slow_threshold(frame: pd.DataFrame, q: float = SLOW_QUANTILE) -> float:
    """The latency above which a request counts as slow: the week's p99 by default."""
    frame = _require(frame, ["latency_ms"])
    if not 0 < q < 1:
        raise ValueError(f"the slow quantile is between 0 and 1 (0.99 for p99); got {q!r}")
    return float(frame["latency_ms"].quantile(q))


def is_slow(frame: pd.DataFrame, q: float = SLOW_QUANTILE) -> pd.Series:
    """True for the requests slower than the ``q`` quantile: the tail the p99 describes."""
    return frame["latency_ms"] > slow_threshold(frame, q)


def p99_by_cache(frame: pd.DataFrame, q: float = 0.99) -> pd.Series:
    """p99 latency (ms) of hits and of misses: the first thing the hypothesis predicts."""
    frame = _require(frame, ["cache_hit", "latency_ms"])
    return frame["latency_ms"].groupby(cache_status(frame)).quantile(q).rename("p99_ms")


def miss_share_of_slow(frame: pd.DataFrame, q: float = SLOW_QUANTILE) -> float:
    """P(miss | slow): of the slow requests, the share that were cache misses."""
    frame = _require(frame, ["cache_hit", "latency_ms"])
    slow = is_slow(frame, q)
    return float((~frame.loc[slow, "cache_hit"].astype(bool)).mean())


def miss_share(frame: pd.DataFrame) -> float:
    """P(miss): the base rate the share above must be compared with."""
    frame = _require(frame, ["cache_hit"])
    return float((~frame["cache_hit"].astype(bool)).mean())


def slow_share_of_misses(frame: pd.DataFrame, q: float = SLOW_QUANTILE) -> float:
    """P(slow | miss): the *other* conditional, which answers a different question."""
    frame = _require(frame, ["cache_hit", "latency_ms"])
    slow = is_slow(frame, q)
    return float(slow[~frame["cache_hit"].astype(bool)].mean())


def miss_lift(frame: pd.DataFrame, q: float = SLOW_QUANTILE) -> float:
    """How many times more common misses are among slow requests than among all requests:
    P(miss | slow) / P(miss). 1 means misses are no more likely to be slow than anything else."""
    return miss_share_of_slow(frame, q) / miss_share(frame)


def group_labels(frame: pd.DataFrame, by: str) -> pd.Series:
    """The label of each request for a breakdown: its cache status, endpoint or region."""
    if by == "cache":
        return cache_status(frame)
    if by not in ("endpoint", "region"):
        raise ValueError(f"break down by one of {BREAKDOWNS}; got {by!r}")
    return _require(frame, [by])[by]


def slow_lift(frame: pd.DataFrame, by: str = "endpoint", q: float = SLOW_QUANTILE) -> pd.Series:
    """Per group: share of the slow requests ÷ share of all requests. Above 1, the group is
    over-represented in the tail; the raw share of slow requests alone mostly measures how
    much traffic a group has."""
    frame = _require(frame, ["latency_ms"])
    labels = group_labels(frame, by)
    slow = is_slow(frame, q)
    among_slow = labels[slow].value_counts(normalize=True)
    among_all = labels.value_counts(normalize=True)
    return (among_slow.reindex(among_all.index, fill_value=0.0) / among_all).sort_values(ascending=False).rename("lift")


def slow_share_by(frame: pd.DataFrame, by: str = "endpoint", q: float = SLOW_QUANTILE) -> pd.Series:
    """Per group: its share of the slow requests (no baseline: the trap)."""
    labels = group_labels(frame, by)
    return labels[is_slow(frame, q)].value_counts(normalize=True).rename("share_of_slow")


def hit_share_of_slow(frame: pd.DataFrame, q: float = SLOW_QUANTILE) -> float:
    """The slow requests that the hypothesis cannot explain: hits."""
    return 1.0 - miss_share_of_slow(frame, q)


def miss_rate_by(frame: pd.DataFrame, by: str = "endpoint") -> pd.Series:
    """Share of each group's requests that miss the cache (a confounder for the lift by endpoint)."""
    frame = _require(frame, ["cache_hit", by])
    return (~frame["cache_hit"].astype(bool)).groupby(frame[by]).mean().rename("miss_rate")


def hits_only_p99(frame: pd.DataFrame, q: float = 0.99) -> float:
    """p99 of the hits alone: an optimistic floor for what removing every miss could buy
    (it keeps the hits' own tail: outliers, queueing, slow regions)."""
    frame = _require(frame, ["cache_hit", "latency_ms"])
    return float(frame.loc[frame["cache_hit"].astype(bool), "latency_ms"].quantile(q))


@dataclass(frozen=True)
class HypothesisFindings:
    """Every number the lab computes, once."""

    p99_ms: float
    p99_hit_ms: float
    p99_miss_ms: float
    miss_share: float
    miss_share_of_slow: float
    slow_share_of_misses: float
    lift: float
    endpoint_lift: pd.Series
    region_lift: pd.Series
    cart_miss_rate: float
    other_miss_rate: float

    def verdict(self) -> str:
        top_endpoint, top_region = self.endpoint_lift.index[0], self.region_lift.index[0]
        return (f"Misses are {self.miss_share:.0%} of all requests but {self.miss_share_of_slow:.0%} of the requests slower "
                f"than the p99 ({self.lift:.1f}× over-represented): the main cause, not the only one. "
                f"{self.hit_share_of_slow():.0%} of the slow requests were hits; {top_endpoint} ({self.endpoint_lift.iloc[0]:.1f}×) "
                f"and {top_region} ({self.region_lift.iloc[0]:.1f}×) are over-represented too.")

    def hit_share_of_slow(self) -> float:
        return 1.0 - self.miss_share_of_slow


def findings(frame: pd.DataFrame | None = None) -> HypothesisFindings:
    """Compute the lab's numbers (loads the request log if not given)."""
    frame = requests_log() if frame is None else frame
    by_cache = p99_by_cache(frame)
    rates = miss_rate_by(frame)
    return HypothesisFindings(
        p99_ms=slow_threshold(frame), p99_hit_ms=float(by_cache["hit"]), p99_miss_ms=float(by_cache["miss"]),
        miss_share=miss_share(frame), miss_share_of_slow=miss_share_of_slow(frame),
        slow_share_of_misses=slow_share_of_misses(frame), lift=miss_lift(frame),
        endpoint_lift=slow_lift(frame, "endpoint"), region_lift=slow_lift(frame, "region"),
        cart_miss_rate=float(rates["cart"]), other_miss_rate=float(rates.drop("cart").mean()),
    )


@cache
def _findings() -> HypothesisFindings:
    return findings()


# -- which metric would prove or refute it ---------------------------------------------------------------
METRICS = {
    "a": "the mean latency of misses and of hits",
    "b": "the number of cache misses per hour, next to the p99 per hour",
    "c": "the share of slow requests (slower than the p99) that are misses, next to the share of all requests that are misses",
    "d": "the share of misses that are slow",
}
METRIC_BEST = "c"
METRIC_HINTS = {
    "a": "Means describe the typical request. The hypothesis is about the p99: which requests does it describe?",
    "b": "Misses and the p99 both rise in the evening, with the load. Would the two curves moving together tell "
         "you that one causes the other?",
    "d": "That is P(slow | miss): how often a miss is slow. The question is what the slow requests are made of: "
         "which conditional answers that, and what must you compare it with?",
}


def _metric_compare(answer: Any, expected: str) -> checks.Verdict:
    key = _choice_key(answer)
    if key is None or key not in METRICS:
        return checks.not_yet(f"Expected one letter, a–d; got {checks.describe(answer)}.")
    if key == expected:
        return checks.OK
    return checks.not_yet(f"({key}) measures something, but not whether misses make up the slow requests more often than their share.")


# -- the experiment and the conclusion --------------------------------------------------------------------
_NUM = r"\d+(?:\.\d+)?"
CONCLUSION_PARTS: dict[str, Callable[[str], bool]] = {
    "the share of slow requests that are misses (a %)": lambda t: bool(re.search(rf"{_NUM}\s*%", t)) and bool(re.search(r"\bmiss", t, re.I)),
    "the baseline it is compared with (the share of all requests)": lambda t: bool(re.search(r"\b(all requests|of all|base ?rate|baseline|overall|compared with|×|times)\b|×", t, re.I)),
    "something else that is slow (an endpoint, a region, outliers, load or the incident)": lambda t: bool(re.search(r"\b(cart|ap-south|region|endpoint|outlier|gc|pause|load|peak|incident|hits?\b)", t, re.I)),
    "a verdict (supported, partly, refuted, the main cause, not the only one)": lambda t: bool(re.search(r"\b(support|partly|partial|refut|main cause|not the only|largest|biggest|mostly|confirm|reject)", t, re.I)),
}

EXPERIMENT_PARTS: dict[str, Callable[[str], bool]] = {
    "the change (what you would build or switch on)": lambda t: bool(re.search(r"\b(ttl|pre-?warm|warm|cache|raise|increase|flag|change)\b", t, re.I)),
    "the scope that keeps it small (one endpoint, one region, a canary or a share of traffic)": lambda t: bool(re.search(r"\b(canary|one (?:endpoint|region|host|pod)|cart|ap-south|us-east|eu-west|\d+\s*%\s*of (?:traffic|requests|hosts)|shadow|subset)\b", t, re.I)),
    "the metric (p99 of the recommendation call)": lambda t: bool(re.search(r"\bp99\b|99(?:th)? percentile", t, re.I)),
    "a success criterion with a number (e.g. p99 under N ms)": lambda t: bool(re.search(rf"(?:under|below|<|≤|less than|at most|drops? (?:to|by)|from)\s*{_NUM}\s*(?:ms|%)", t, re.I)),
    "a guardrail or a stopping rule (freshness, errors, a time limit)": lambda t: bool(re.search(r"\b(guardrail|stale|fresh|error|roll ?back|stop|abort|days?|hours?|week)\b", t, re.I)),
}

EXPERIMENT_RUBRIC = Rubric(
    id="06.experiment-rubric",
    title="The simplest thing we could build to test the hypothesis",
    criteria=[
        "The test could fail: I wrote down what result would refute the hypothesis.",
        "It is the smallest change that answers the question (hours or a day, not weeks).",
        "The success criterion is a number on the metric the hypothesis is about (p99), with a baseline.",
        "A guardrail says what must not get worse (freshness, errors) and when I would stop.",
        "I said what I would do next in either outcome.",
    ],
    mid_level="Raise the TTL to 10 minutes for everyone and see whether the p99 goes down over the next week.",
    senior_level=("Raise the TTL for the cart endpoint only, in one region, for a day. Success: its p99 drops from "
                  "the current value to under the hit-only p99 plus 2 ms; if it does not move, misses are not the "
                  "cause there and we look at the hosts. Guardrail: stale answers stay under 5% (sampled against the "
                  "inventory service) and the error rate does not rise; roll back after 24 hours either way."),
)


def conclusion_sample(f: HypothesisFindings | None = None) -> str:
    """A conclusion that passes, written from the computed numbers."""
    f = _findings() if f is None else f
    return (f"Partly supported. {f.miss_share_of_slow:.0%} of the requests slower than the p99 "
            f"({f.p99_ms:.1f} ms) are cache misses, against {f.miss_share:.0%} of all requests: misses are "
            f"{f.lift:.1f}× over-represented, the main cause. But {f.hit_share_of_slow():.0%} of slow requests are "
            f"hits, the cart endpoint is {f.endpoint_lift['cart']:.1f}× over-represented (it also misses more), and "
            f"ap-south is {f.region_lift['ap-south']:.1f}× over-represented.")


def experiment_sample(f: HypothesisFindings | None = None) -> str:
    """An experiment plan that passes, with numbers from the lab."""
    f = _findings() if f is None else f
    return (f"Raise the Redis TTL for the cart endpoint only, on a canary of 5% of traffic in us-east, for two days. "
            f"Metric: p99 of the recommendation call on the canary against the rest. Success: the canary's p99 drops "
            f"from {f.p99_ms:.1f} ms to under {f.p99_hit_ms + 2:.0f} ms. Guardrail: stale answers stay under 5% and the "
            f"error rate does not rise; roll back at once if either fails.")


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


# -- the hint linter -----------------------------------------------------------------------------------
#: Openers that turn a fix into a question without making it Socratic.
DISGUISED_OPENERS = (
    "have you tried", "did you try", "why don't you", "why not", "shouldn't you", "could you just", "can't you just",
    "what if you just", "wouldn't it be easier to", "have you considered",
)
#: Words that tell a stuck person they are slow.
CONDESCENDING = ("just", "simply", "obviously", "clearly", "of course", "easy", "trivial")
MAX_HINT_WORDS = 35
_STOP = {
    "the", "a", "an", "to", "of", "in", "on", "for", "and", "or", "is", "it", "its", "it's", "with", "by", "at", "be",
    "this", "that", "from", "as", "your", "you", "use", "set", "then", "into", "each",
}


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s.%-]", " ", text.lower()).split())


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9][a-z0-9._%-]*", text.lower()) if w not in _STOP and len(w) > 1}


def _is_question(text: str) -> bool:
    return text.rstrip().rstrip("\"'”’)").rstrip().endswith("?")


def _opens_with_fix(text: str) -> bool:
    start = _normal(text)
    return any(start.startswith(_normal(opener)) for opener in DISGUISED_OPENERS)


def _contains_fix(text: str, fix: str | None) -> bool:
    if not fix or not isinstance(fix, str) or not fix.strip():
        return False
    if _normal(fix) in _normal(text):
        return True
    wanted = _content_words(fix)
    return bool(wanted) and len(wanted) >= 2 and wanted <= _content_words(text)


def is_socratic(hint: Any, fix: Any = None) -> bool:
    """The three core rules, and only them: the hint is a question, it does not open like
    a fix ("Have you tried…?"), and the fix (a phrase) does not appear in it
    (case and punctuation ignored)."""
    if not isinstance(hint, str) or not hint.strip():
        return False
    if not _is_question(hint) or _opens_with_fix(hint):
        return False
    return not (isinstance(fix, str) and fix.strip() and _normal(fix) in _normal(hint))


def lint_hint(hint: Any, fix: Any = None) -> list[str]:
    """What is wrong with a hint for a stuck mentee; an empty list means it passes.

    Core rules (a hint that breaks one gives the answer away or gives none):
    it is a question; it is not a fix dressed as a question; it does not contain the fix
    (the phrase, or all of its content words). Style rules: at most ``MAX_HINT_WORDS``
    words (a longer hint is a lecture), and no words that tell the mentee it is easy.
    Takes any text; never raises.
    """
    if hint is None or hint is Ellipsis:
        return ["there is no hint yet"]
    if not isinstance(hint, str):
        return [f"a hint is text; got {type(hint).__name__}"]
    if not hint.strip():
        return ["the hint is empty"]
    fix_text = fix if isinstance(fix, str) else None
    problems = []
    if not _is_question(hint):
        problems.append("it is not a question: a statement tells, a question makes the mentee think")
    if _opens_with_fix(hint):
        problems.append("it is a fix dressed as a question (\"Have you tried…?\"): the answer is inside it")
    if _contains_fix(hint, fix_text):
        problems.append("it contains the fix: the mentee can act on it without understanding why")
    words = len(hint.split())
    if words > MAX_HINT_WORDS:
        problems.append(f"it is {words} words long: a hint longer than {MAX_HINT_WORDS} words is a lecture")
    lowered = f" {_normal(hint)} "
    found = [word for word in CONDESCENDING if f" {word} " in lowered]
    if found:
        problems.append(f"\"{found[0]}\" tells a stuck person the problem is easy: it makes them feel slow")
    return problems


def lint_table(hints: Sequence[tuple[str, str | None]]) -> pd.DataFrame:
    """Lint several (hint, fix) pairs: one row each, with its problems."""
    rows = []
    for hint, fix in hints:
        problems = lint_hint(hint, fix)
        rows.append({"hint": hint, "passes": not problems, "problems": "; ".join(problems)})
    return pd.DataFrame(rows, columns=["hint", "passes", "problems"])


def curriculum_hints() -> pd.DataFrame:
    """Every task's first hint in every module of the curriculum, linted (no fix known, so
    the core question and opener rules and the style rules apply)."""
    from steward.lessons import all_lessons

    rows = []
    for number, lesson in sorted(all_lessons().items()):
        for task in lesson.TASKS:
            problems = lint_hint(task.hints[0])
            rows.append({"module": number, "task": task.id, "hint": task.hints[0], "passes": not problems,
                         "problems": "; ".join(problems)})
    return pd.DataFrame(rows, columns=["module", "task", "hint", "passes", "problems"])


#: Three hints a mentor gave Sam, each a fix, and the fix each gives away.
FIX_HINTS: tuple[tuple[str, str], ...] = (
    ("Compare the p99 of hits and misses.", "p99 of hits and misses"),
    ("Have you tried dividing by the share of all requests that are misses?", "share of all requests"),
    ("Just raise the TTL on the cart endpoint and watch the p99.", "raise the TTL"),
)

SOCRATIC_SAMPLE = (
    "If misses were the cause, how would their tail differ from the hits' tail?",
    "Most of the slow requests are misses, but compared with what?",
    "What is the smallest change that would tell you whether misses on one endpoint move its p99?",
)


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
            return checks.not_yet(f"Hint {number}: {problems[0]}.")
    return checks.OK


def _any_hint(rule: Callable[[str, str], bool]) -> Callable[[Any], bool]:
    def matches(answer: Any) -> bool:
        if isinstance(answer, str) or not isinstance(answer, Sequence) or len(answer) != len(FIX_HINTS):
            return False
        return any(isinstance(h, str) and h.strip() and rule(h, fix) for h, (_, fix) in zip(answer, FIX_HINTS, strict=True))

    return matches


# -- the slow-requests explorer ---------------------------------------------------------------------------
_GROUPS = (("cache", "hit"), ("cache", "miss"), ("endpoint", "home"), ("endpoint", "product"), ("endpoint", "cart"),
           ("endpoint", "search"), ("region", "us-east"), ("region", "eu-west"), ("region", "ap-south"))


class _TailIndex:
    """The request log reduced to what the explorer needs: latencies sorted once, and for
    each group a boolean mask in the same order, so any threshold is a prefix sum away."""

    def __init__(self, frame: pd.DataFrame) -> None:
        frame = _require(frame, ["latency_ms", "cache_hit", "endpoint", "region"])
        order = np.argsort(frame["latency_ms"].to_numpy(), kind="stable")
        self.latency = frame["latency_ms"].to_numpy()[order]
        masks = np.empty((len(_GROUPS), len(order)), dtype=bool)
        for by in BREAKDOWNS:  # compare small integer codes, not strings: ten times faster on 170k rows
            labels = pd.Categorical(group_labels(frame, by).to_numpy()[order])
            codes = labels.codes
            for row, (group_by, name) in enumerate(_GROUPS):
                if group_by == by:
                    known = list(labels.categories)
                    masks[row] = codes == known.index(name) if name in known else False
        # Counts of each group among the slowest k requests, for every k: a reversed cumulative sum.
        self.tail_counts = np.cumsum(masks[:, ::-1], axis=1, dtype=np.int32)
        self.totals = masks.sum(axis=1)
        self.n = len(self.latency)

    def lift(self, q: float) -> tuple[float, np.ndarray, np.ndarray]:
        """Threshold (ms), each group's share of the slow requests, and its lift."""
        position = q * (self.n - 1)  # linear interpolation, as np.quantile (the data are sorted already)
        low = int(np.floor(position))
        high = min(low + 1, self.n - 1)
        threshold = float(self.latency[low] + (position - low) * (self.latency[high] - self.latency[low]))
        k = self.n - int(np.searchsorted(self.latency, threshold, side="right"))
        if k <= 0:
            raise ValueError("no request is slower than this threshold")
        slow = self.tail_counts[:, k - 1]
        share_slow = slow / k
        share_all = self.totals / self.n
        return threshold, share_slow, share_slow / share_all


@cache
def _tail_index() -> _TailIndex:
    return _TailIndex(requests_log())


def tail_state(percentile: float, index: _TailIndex | None = None) -> dict[str, Any]:
    """What the explorer shows for a "slow" threshold at ``percentile`` (90–99.9)."""
    if not 50 <= float(percentile) < 100:
        raise ValueError("the threshold is a percentile between 50 and 100")
    index = _tail_index() if index is None else index
    threshold, share_slow, lift = index.lift(float(percentile) / 100)
    miss = lift[1]
    top = int(np.argmax(np.where(np.arange(len(_GROUPS)) >= 2, lift, -np.inf)))
    label = f"p{float(percentile):g}"
    title = (f"Slower than the {label} ({threshold:.1f} ms): misses {miss:.1f}× over-represented; "
             f"next, {_GROUPS[top][1]} {lift[top]:.1f}×")
    return {"percentile": float(percentile), "threshold_ms": threshold, "share_slow": share_slow, "lift": lift,
            "miss_lift": float(miss), "title": title}


class SlowRequestsExplorer(App):
    """Where is "slow"? A threshold slider → how over-represented each group is among the
    requests slower than it (share of slow ÷ share of all)."""

    title = "Slow-requests explorer: what are the slow requests made of?"

    def __init__(self, frame: pd.DataFrame | None = None) -> None:
        self.index = _tail_index() if frame is None else _TailIndex(frame)
        self.figure = FigureView(width=7.2, height=3.4, margins={"left": 0.1, "right": 0.97, "top": 0.97, "bottom": 0.2})
        ax = self.figure.ax
        x = np.arange(len(_GROUPS))
        colours = [plotting.GOOD if by == "cache" else plotting.HIGHLIGHT if by == "endpoint" else plotting.PALETTE["purple"]
                   for by, _ in _GROUPS]
        self._bars = ax.bar(x, np.ones(len(_GROUPS)), color=colours)
        ax.axhline(1.0, color=plotting.NEUTRAL, linestyle="--", linewidth=1)
        ax.text(2.5, 1.0, "1× = its share of all traffic", ha="center", va="bottom", fontsize=8)  # over two short bars
        ax.set_xticks(x)
        ax.set_xticklabels([f"{name}\n({by})" for by, name in _GROUPS], fontsize=8)
        ax.set_ylim(0, 9)
        plotting.finish(ax, "…", "group of requests", "share of slow ÷ share of all (×)")
        self._title = plotting.title_artist(ax)
        self._title.set_fontsize(10)
        self._title.set_parse_math(False)  # plain text draws several times faster than mathtext parsing
        self.figure.animate(*self._bars)
        self.figure.title_as_caption(ax)
        self.readout = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {"percentile": slider("slow = slower than the percentile", 99.0, 90.0, 99.9, 0.1, readout_format=".1f")}

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget, self.readout])

    def compute(self, percentile: float) -> dict[str, Any]:
        return tail_state(percentile, self.index)

    def draw(self, state: dict[str, Any]) -> None:
        for bar, value in zip(self._bars, state["lift"], strict=True):
            bar.set_height(min(float(value), 8.9))
        self._title.set_text(state["title"])
        self.figure.render()
        shares = ", ".join(f"{name} {share:.0%}" for (by, name), share in zip(_GROUPS[:2], state["share_slow"][:2], strict=True))
        self.readout.value = f"<small>Of the requests slower than {state['threshold_ms']:.1f} ms: {shares}.</small>"


class MentorQuiz(App):
    """Pick a situation and a reply → what that reply teaches, and whether it is the best one."""

    title = "Mentor quiz: what would you reply?"

    def __init__(self) -> None:
        self.situation_text = w.HTML()
        self.feedback = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "situation": dropdown("situation", [(f"{s.id}: {s.title}", s.id) for s in QUIZ], QUIZ[0].id),
            "reply": dropdown("your reply", [("a", "a"), ("b", "b"), ("c", "c"), ("d", "d")], "a"),
        }

    def layout(self) -> w.Widget:
        return w.VBox([self.inputs["situation"], self.situation_text, self.inputs["reply"], self.feedback])

    def compute(self, situation: str, reply: str) -> dict[str, Any]:
        best, text = quiz_feedback(situation, reply)
        s = QUIZ_BY_ID[situation]
        return {"situation": situation, "reply": reply, "best": best, "feedback": text, "kind": s.replies[reply].kind}

    def draw(self, state: dict[str, Any]) -> None:
        import html

        s = QUIZ_BY_ID[state["situation"]]
        options = "".join(f"<li><b>{k})</b> {html.escape(r.text)}</li>" for k, r in s.replies.items())
        self.situation_text.value = f"<p>{html.escape(s.text)}</p><ul style='list-style:none'>{options}</ul>"
        mark = "✔ the best reply here" if state["best"] else "✘ not the best reply here"
        colour = plotting.GOOD if state["best"] else plotting.BAD
        self.feedback.value = (f"<div style='border-left:4px solid {colour};padding-left:8px'><b>{mark}</b><br>"
                               f"{html.escape(state['feedback'])}</div>")


#: Every widget of the lesson, by name: the robustness tests drive every control of each.
APPS = {"slow-requests": SlowRequestsExplorer, "mentor-quiz": MentorQuiz}


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

TASKS.add(Task(
    id="06.metric-choice",
    title="What metric would prove that hypothesis?",
    prompt="One letter from METRICS: the metric that could prove or refute \"cache misses cause our p99\".",
    reference=lambda: METRIC_BEST,
    compare=_metric_compare,
    hints=[
        "The p99 is made of the slowest 1% of requests. What would those requests look like if misses caused them, "
        "and what if they didn't?",
        "A share among the slow requests means little alone: if 12% of all requests are misses, what share of slow "
        "ones would you expect by chance?",
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
        "home has the most slow requests. Does it also have the most requests? What would you divide by?",
        "value_counts(normalize=True) among the slow rows, divided by value_counts(normalize=True) among all rows.",
    ],
    misconceptions=[
        Misconception("no baseline",
                      "Those are shares of the slow requests. The biggest endpoint gets the most of everything: "
                      "what would you divide by to see which is *over*-represented?",
                      lambda: slow_share_by(requests_log(), "endpoint")),
        Misconception("slow share within each endpoint",
                      "That is each endpoint's own slow share, P(slow | endpoint), which is about 1% × the lift. "
                      "The task asks for the ratio of shares.",
                      lambda: is_slow(requests_log()).groupby(requests_log()["endpoint"]).mean()),
        Misconception("p99 per endpoint",
                      "Those are p99s per endpoint, in ms. The task asks how over-represented each endpoint is among "
                      "the slow requests.",
                      lambda: requests_log().groupby("endpoint")["latency_ms"].quantile(0.99)),
    ],
))

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
                      lambda: "Proven: misses cause the p99. 79% of slow requests are misses, so the cache is the problem "
                              "and raising the TTL will fix the tail. We should ship it this week and close the ticket "
                              "after confirming the dashboard.",
                      matches=_sounds_proven),
    ],
))

TASKS.add(Task(
    id="06.experiment",
    title="The simplest thing we could build to test this",
    prompt="An experiment plan (a string, 40+ words): the change, a scope that keeps it small, the metric, a "
           "success criterion with a number, and a guardrail or stopping rule.",
    reference=lambda: "structure",
    compare=_structured(EXPERIMENT_PARTS, min_words=40),
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
                              "of the recommendation call. Success: the p99 drops from 12.4 ms to under 10 ms within a "
                              "week. Guardrail: stale answers stay rare and errors do not rise, else we roll back.",
                      matches=lambda a: isinstance(a, str) and len(a.split()) >= 40 and not EXPERIMENT_PARTS[
                          "the scope that keeps it small (one endpoint, one region, a canary or a share of traffic)"](a)),
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
                      matches=_any_hint(lambda h, fix: _is_question(h) and (_contains_fix(h, fix) or _opens_with_fix(h)))),
        Misconception("statements, not questions",
                      "One of your hints is a statement. What question would make Sam find it out?",
                      lambda: ["Look at how the tail of misses differs from the tail of hits.", SOCRATIC_SAMPLE[1],
                               SOCRATIC_SAMPLE[2]],
                      matches=_any_hint(lambda h, fix: not _is_question(h))),
    ],
))


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
    ],
))
