"""Module 06's models: the quiz, the week-over-week diagnosis, the hypothesis lab, the hint linter
and the explorer's index.

Pure functions and data only (no widgets, no tasks): ``views`` draws them and ``exercise``
checks the learner against them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from steward import cartwheel
from steward.checks import require_frame
from steward.datagen import load
from steward.tasks import Rubric

MODULE = "06"

#: "Slow" in the lab means slower than the week's p99: the requests the p99 describes. The p99 is the
#: latency SLO's percentile (the canon's SLI), so the lab's p99 is the one every module quotes.
SLOW_QUANTILE = cartwheel.LATENCY.objective
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



# -- why did the p99 go up? The week-over-week diagnosis --------------------------------------------------
#: The log holds one week (Monday to Sunday), so "this week against last week" cannot be computed from it.
#: What it supports is the rise Sam's dashboard shows *within* the week: the first three days, whose daily
#: p99s are level, against the last four. The split is chosen after looking at the daily p99, so each
#: explanation is tested on its own evidence, not on the size of the difference.
HALVES = ("Mon–Wed", "Thu–Sun")
EARLY_DAYS = 3
#: Thresholds of :func:`diagnose`: a share moved beyond sampling error if |z| exceeds this (5%, two-sided).
Z_CRITICAL = 1.96
#: The incident is "in" if removing its window takes back more than this share of the rise.
INCIDENT_SHARE_OF_RISE = 0.1
#: Load is "in" if calls/s rose beyond sampling error and the hits' p99 outside the incident rose by more
#: than this (relative): a cause that is not the cache must slow hits too.
HIT_RISE = 0.05
HYPOTHESES = ("miss rate", "endpoint mix", "region mix", "incident", "load")


def _week_start(frame: pd.DataFrame) -> pd.Timestamp:
    return frame["timestamp"].min().normalize()


def in_incident(frame: pd.DataFrame) -> pd.Series:
    """True for the requests inside the log's incident window (the generator declares it)."""
    from steward.datasets.requests import INCIDENT_END, INCIDENT_START

    frame = _require(frame, ["timestamp"])
    return (frame["timestamp"] >= INCIDENT_START) & (frame["timestamp"] < INCIDENT_END)


def week_half(frame: pd.DataFrame) -> pd.Series:
    """"Mon–Wed" or "Thu–Sun" per request."""
    frame = _require(frame, ["timestamp"])
    late = frame["timestamp"] >= _week_start(frame) + pd.Timedelta(days=EARLY_DAYS)
    return pd.Series(np.where(late, HALVES[1], HALVES[0]), index=frame.index, name="half")


def p99_by_day(frame: pd.DataFrame, q: float = 0.99) -> pd.Series:
    """The dashboard Sam reads: the p99 of each day (ms), by day name, Monday first."""
    frame = _require(frame, ["timestamp", "latency_ms"])
    by_day = frame["latency_ms"].groupby(frame["timestamp"].dt.normalize()).quantile(q)
    by_day.index = by_day.index.day_name()
    return by_day.rename("p99_ms").rename_axis("day")


def day_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Per day: the p99, the p99 outside the incident, the busiest hour's calls/s and the miss rate."""
    frame = _require(frame, ["timestamp", "latency_ms", "cache_hit"])
    day = frame["timestamp"].dt.normalize()
    outside = ~in_incident(frame)
    hourly = frame.groupby(frame["timestamp"].dt.floor("h")).size() * cartwheel.REQUEST_LOG_SAMPLING / 3600
    table = pd.DataFrame({
        "p99_ms": frame["latency_ms"].groupby(day).quantile(0.99),
        "p99_outside_incident_ms": frame.loc[outside, "latency_ms"].groupby(day[outside]).quantile(0.99),
        "busiest_hour_calls_per_s": hourly.groupby(hourly.index.normalize()).max(),
        "miss_rate": (~frame["cache_hit"].astype(bool)).groupby(day).mean(),
    })
    table.index = table.index.day_name()
    return table.rename_axis("day")


def _calls_per_s(count: int, seconds: float) -> float:
    return count * cartwheel.REQUEST_LOG_SAMPLING / seconds


def week_change(frame: pd.DataFrame) -> pd.DataFrame:
    """The two halves side by side: what the tail did, and each candidate cause.

    Columns: the p99; the p99 outside the incident window; the hits' p99 outside it; real calls/s
    (sampled count × the log's sampling ÷ seconds); the miss rate; the shares of the cart endpoint and
    the ap-south region (the slow ones)."""
    frame = _require(frame, ["timestamp", "latency_ms", "cache_hit", "endpoint", "region"])
    half = week_half(frame)
    empty = [name for name in HALVES if not (half == name).any()]
    if empty:
        raise ValueError(f"the log has no requests in {' or '.join(empty)}: the comparison needs the whole week")
    outside = ~in_incident(frame)
    hit = frame["cache_hit"].astype(bool)
    rows = []
    for name, days in zip(HALVES, (EARLY_DAYS, 7 - EARLY_DAYS), strict=True):
        mine = half == name
        rows.append({
            "p99_ms": float(frame.loc[mine, "latency_ms"].quantile(0.99)),
            "p99_outside_incident_ms": float(frame.loc[mine & outside, "latency_ms"].quantile(0.99)),
            "hit_p99_outside_incident_ms": float(frame.loc[mine & outside & hit, "latency_ms"].quantile(0.99)),
            "calls_per_s": _calls_per_s(int(mine.sum()), days * 86_400),
            "miss_rate": float((~hit[mine]).mean()),
            "cart_share": float((frame.loc[mine, "endpoint"] == "cart").mean()),
            "ap_south_share": float((frame.loc[mine, "region"] == "ap-south").mean()),
        })
    return pd.DataFrame(rows, index=pd.Index(HALVES, name="half"))


def _share_z(late_half: np.ndarray, flag: pd.Series) -> float:
    """Two-proportion z of a share between the halves (pooled standard error)."""
    flag = flag.to_numpy()
    early, late = flag[~late_half], flag[late_half]
    pooled = float(flag.mean())
    se = np.sqrt(pooled * (1 - pooled) * (1 / len(early) + 1 / len(late)))
    return float((late.mean() - early.mean()) / se) if se > 0 else 0.0


def _rate_z(late_half: np.ndarray) -> float:
    """z of the change in sampled calls per day between the halves (counts are Poisson)."""
    early, late = int((~late_half).sum()), int(late_half.sum())
    d1, d2 = EARLY_DAYS, 7 - EARLY_DAYS
    return float((late / d2 - early / d1) / np.sqrt(late / d2**2 + early / d1**2))


def evidence(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per hypothesis: what it predicts, the number that tests it, and the verdict."""
    frame = _require(frame, ["timestamp", "latency_ms", "cache_hit", "endpoint", "region"])
    change = week_change(frame)
    early, late = change.loc[HALVES[0]], change.loc[HALVES[1]]
    rise = late["p99_ms"] - early["p99_ms"]
    late_half = (week_half(frame) == HALVES[1]).to_numpy()
    z_miss = _share_z(late_half, ~frame["cache_hit"].astype(bool))
    z_cart = _share_z(late_half, frame["endpoint"] == "cart")
    z_south = _share_z(late_half, frame["region"] == "ap-south")
    z_load = _rate_z(late_half)
    taken_back = (late["p99_ms"] - late["p99_outside_incident_ms"]) / rise if rise > 0 else 0.0
    hit_rise = late["hit_p99_outside_incident_ms"] / early["hit_p99_outside_incident_ms"] - 1
    rows = [
        ("miss rate", "more requests miss the cache", f"{early['miss_rate']:.1%} → {late['miss_rate']:.1%} (z = {z_miss:+.1f})",
         z_miss > Z_CRITICAL),
        ("endpoint mix", "more traffic on cart, the slow endpoint",
         f"{early['cart_share']:.1%} → {late['cart_share']:.1%} (z = {z_cart:+.1f})", z_cart > Z_CRITICAL),
        ("region mix", "more traffic in ap-south, the slow region",
         f"{early['ap_south_share']:.1%} → {late['ap_south_share']:.1%} (z = {z_south:+.1f})", z_south > Z_CRITICAL),
        ("incident", "the rise sits in the incident window",
         f"removing its window takes back {taken_back:.0%} of the rise", bool(taken_back > INCIDENT_SHARE_OF_RISE)),
        ("load", "more calls/s, and hits slower too (load slows everything)",
         f"{early['calls_per_s']:,.0f} → {late['calls_per_s']:,.0f} calls/s (z = {z_load:+.1f}); hits' p99 outside the "
         f"incident {hit_rise:+.0%}", bool(z_load > Z_CRITICAL and hit_rise > HIT_RISE)),
    ]
    table = pd.DataFrame(rows, columns=["hypothesis", "predicts", "the data", "ruled in"]).set_index("hypothesis")
    table["verdict"] = np.where(table["ruled in"], "in", "out")
    return table.drop(columns="ruled in")


def diagnose(frame: pd.DataFrame) -> dict[str, str]:
    """Hypothesis → "in" or "out", by the rules of :func:`evidence`."""
    return evidence(frame)["verdict"].to_dict()


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
    "b": "The number of misses an hour and the p99 both rise in the evening, with the load. Would the two curves "
         "moving together tell you that one causes the other?",
    "d": "That is P(slow | miss): how often a miss is slow. The question is what the slow requests are made of: "
         "which conditional answers that, and what must you compare it with?",
}



# -- the experiment and the conclusion --------------------------------------------------------------------
_NUM = r"\d+(?:\.\d+)?"
CONCLUSION_PARTS: dict[str, Callable[[str], bool]] = {
    "the share of slow requests that are misses (a %)": lambda t: bool(re.search(rf"{_NUM}\s*%", t)) and bool(re.search(r"\bmiss", t, re.I)),
    "the baseline it is compared with (the share of all requests)": lambda t: bool(re.search(r"\b(all requests|of all|base ?rate|baseline|overall|compared with|×|times)\b|×", t, re.I)),
    "something else that is slow (an endpoint, a region, outliers, load or the incident)": lambda t: bool(re.search(r"\b(cart|ap-south|region|endpoint|outlier|gc|pause|load|peak|incident|hits?\b)", t, re.I)),
    "a verdict (supported, partly, refuted, the main cause, not the only one)": lambda t: bool(re.search(r"\b(support|partly|partial|refut|main cause|not the only|largest|biggest|mostly|confirm|reject)", t, re.I)),
    "why it went up this week (what changed, and whether the miss rate did)": lambda t: bool(re.search(r"\b(this week|went up|rose|rise|risen|grew|changed|unchanged|did not change|didn't change|stayed|flat|same)\b", t, re.I)),
}

EXPERIMENT_PARTS: dict[str, Callable[[str], bool]] = {
    "the change (what you would build or switch on)": lambda t: bool(re.search(r"\b(ttl|pre-?warm|warm|cache|raise|increase|flag|change)\b", t, re.I)),
    "the scope that keeps it small (one endpoint, one region, a canary or a share of traffic)": lambda t: bool(re.search(r"\b(canary|one (?:endpoint|region|host|pod)|cart|ap-south|us-east|eu-west|\d+\s*%\s*of (?:traffic|requests|hosts)|shadow|subset)\b", t, re.I)),
    "the metric (p99 of the recommendation call)": lambda t: bool(re.search(r"\bp99\b|99(?:th)? percentile", t, re.I)),
    "a success criterion with a number (e.g. p99 under N ms)": lambda t: bool(re.search(rf"(?:under|below|<|≤|less than|at most|drops? (?:to|by)|from)\s*{_NUM}\s*(?:ms|%)", t, re.I)),
    "a guardrail or a stopping rule (freshness, errors, a time limit)": lambda t: bool(re.search(r"\b(guardrail|stale|fresh|error|roll ?back|stop|abort|days?|hours?|week)\b", t, re.I)),
}

def shares_one_cache(text: Any) -> bool:
    """The plan's scope is a share of requests (a canary of N% of traffic) with nothing that keeps the
    canary's cache apart from the control's: with one Redis per region, the canary's longer-lived
    entries also serve the control's calls, so the comparison measures the change on both sides."""
    if not isinstance(text, str):
        return False
    by_share = re.search(r"\d+(?:\.\d+)?\s*%\s*of\s+(?:the\s+)?(?:traffic|requests|calls|users|sessions|shoppers)"
                         r"|\bcanary\b", text, re.I)
    apart = re.search(r"\binterfer|\bown (?:redis|cache)|\bseparate (?:redis|cache)|\bby key|\bkeys\b|\bby region"
                      r"|\bwhole region|\bper region|\bregion as\b|\bonly in (?:us-east|eu-west|ap-south)\b"
                      r"|\bin (?:us-east|eu-west|ap-south) only\b", text, re.I)
    return bool(by_share) and not apart


EXPERIMENT_RUBRIC = Rubric(
    id="06.experiment-rubric",
    title="The simplest thing we could build to test the hypothesis",
    criteria=[
        "The test could fail: I wrote down what result would refute the hypothesis.",
        "It is the smallest change that answers the question (hours or a day, not weeks).",
        "The success criterion is a number on the metric the hypothesis is about (p99), with a baseline.",
        "A guardrail says what must not get worse (freshness, errors) and when I would stop.",
        "I said what I would do next in either outcome.",
        "The changed calls and the compared calls do not share a cache (a region with its own Redis, or a split by "
        "key), so the change cannot leak into the comparison.",
    ],
    mid_level="Raise the TTL to 10 minutes for everyone and see whether the p99 goes down over the next week.",
    senior_level=("Raise the TTL for the cart endpoint only, in one region, for a day (the region has its own Redis, "
                  "so the other regions are a clean comparison). Success: its p99 drops from "
                  "the current value to under the hit-only p99 plus 2 ms; if it does not move, misses are not the "
                  "cause there and we look at the hosts. Guardrail: stale answers stay under 5% (sampled against the "
                  "inventory service) and the error rate does not rise; roll back after 24 hours either way."),
)


def conclusion_sample(f: HypothesisFindings | None = None, frame: pd.DataFrame | None = None) -> str:
    """A conclusion that passes, written from the computed numbers: what the tail is made of, and
    what changed this week (the question Sam asked)."""
    f = _findings() if f is None else f
    change = week_change(requests_log() if frame is None else frame)
    early, late = change.loc[HALVES[0]], change.loc[HALVES[1]]
    verdicts = diagnose(requests_log() if frame is None else frame)
    ruled_in = [h for h, v in verdicts.items() if v == "in"] or ["nothing"]
    ruled_out = [h for h, v in verdicts.items() if v == "out"] or ["nothing"]
    return (f"Partly supported. {f.miss_share_of_slow:.0%} of the requests slower than the p99 "
            f"({f.p99_ms:.1f} ms) are cache misses, against {f.miss_share:.0%} of all requests: misses are "
            f"{f.lift:.1f}× over-represented, the main cause of the tail. But {f.hit_share_of_slow():.0%} of slow "
            f"requests are hits, the cart endpoint is {f.endpoint_lift['cart']:.1f}× over-represented (it also "
            f"misses more), and ap-south is {f.region_lift['ap-south']:.1f}× over-represented. The p99 rose this week "
            f"from {early['p99_ms']:.1f} ms (Mon–Wed) to {late['p99_ms']:.1f} ms (Thu–Sun); the miss rate went from "
            f"{early['miss_rate']:.1%} to {late['miss_rate']:.1%}. Ruled in by the data: {', '.join(ruled_in)}; "
            f"ruled out: {', '.join(ruled_out)}. Outside the incident the late p99 is "
            f"{late['p99_outside_incident_ms']:.1f} ms, with {late['calls_per_s']:,.0f} calls/s against "
            f"{early['calls_per_s']:,.0f}.")


#: The experiment sample's scope: one endpoint in one region (the region has its own Redis, so the
#: longer TTL cannot leak into the comparison's calls), compared with the same endpoint elsewhere.
CANARY_ENDPOINT, CANARY_REGION, COMPARISON_REGION = "cart", "eu-west", "us-east"


def scoped_p99(frame: pd.DataFrame, endpoint: str | None = None, region: str | None = None,
               hits_only: bool = False, q: float = 0.99) -> float:
    """The p99 (ms) of one slice of calls: an endpoint, a region, optionally only the hits.

    An experiment's success criterion must quote the p99 *of the slice it changes*: the fleet's p99
    is not cart's."""
    frame = _require(frame, ["latency_ms", "cache_hit", "endpoint", "region"])
    mask = pd.Series(True, index=frame.index)
    if endpoint is not None:
        mask &= frame["endpoint"] == endpoint
    if region is not None:
        mask &= frame["region"] == region
    if hits_only:
        mask &= frame["cache_hit"].astype(bool)
    if not mask.any():
        raise ValueError(f"no calls for endpoint={endpoint!r}, region={region!r}")
    return float(frame.loc[mask, "latency_ms"].quantile(q))


def experiment_sample(frame: pd.DataFrame | None = None) -> str:
    """An experiment plan that passes, with numbers from the lab for the slice it changes."""
    frame = requests_log() if frame is None else frame
    now = scoped_p99(frame, CANARY_ENDPOINT, CANARY_REGION)
    floor = scoped_p99(frame, CANARY_ENDPOINT, CANARY_REGION, hits_only=True)
    return (f"Raise the Redis TTL of the {CANARY_ENDPOINT} endpoint's stock keys from "
            f"{cartwheel.CACHE_TTL_TODAY_S} s to 600 s in {CANARY_REGION} only, for two days. Not a canary on a "
            f"share of requests: {cartwheel.CACHE_SCOPE}, so a canary's longer-lived entries would also serve the "
            f"control's calls (interference); a region has its own Redis. Metric: p99 of {CANARY_ENDPOINT} calls in "
            f"{CANARY_REGION}, against its own previous two days and against {CANARY_ENDPOINT} in "
            f"{COMPARISON_REGION} over the same days. Success: the p99 of {CANARY_ENDPOINT} in {CANARY_REGION} "
            f"drops from {now:.1f} ms to under {floor + 2:.0f} ms. Guardrail: stale answers stay under 5% and "
            f"the error rate does not rise; roll back at once if either fails.")


# -- the hint linter -----------------------------------------------------------------------------------
#: Openers that turn a fix into a question without making it Socratic.
DISGUISED_OPENERS = (
    "have you tried", "did you try", "why don't you", "why not", "shouldn't you", "could you just", "can't you just",
    "what if you just", "wouldn't it be easier to", "have you considered",
)
#: Openers of an open prompt: not a question, but it asks the mentee to think aloud, which is what a
#: Socratic question is for ("Walk me through what you tried."). The fix rule still applies to them.
OPEN_PROMPTS = (
    "walk me through", "talk me through", "take me through", "tell me", "show me", "describe", "explain",
    "help me understand", "say more", "think aloud", "think out loud",
)
#: Words that tell a stuck person they are slow.
CONDESCENDING = ("just", "simply", "obviously", "clearly", "of course", "easy", "trivial", "surely")
MAX_HINT_WORDS = 35
_STOP = {
    "the", "a", "an", "to", "of", "in", "on", "for", "and", "or", "is", "it", "its", "it's", "with", "by", "at", "be",
    "this", "that", "from", "as", "your", "you", "use", "set", "then", "into", "each",
}


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s.%-]", " ", text.lower()).split())


def _stem(word: str) -> str:
    """A crude stem, enough to see that "raised", "raising" and "raises" are "raise"."""
    word = word.rstrip(".")  # a sentence's full stop is not part of its last word
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _stems(text: str) -> str:
    return " ".join(_stem(w) for w in _normal(text).split())


def _content_words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z0-9][a-z0-9._%-]*", text.lower()) if w not in _STOP and len(w) > 1}


def _is_question(text: str) -> bool:
    return text.rstrip().rstrip("\"'”’)").rstrip().endswith("?")


def _is_open_prompt(text: str) -> bool:
    start = _normal(text)
    return any(start.startswith(opener) for opener in OPEN_PROMPTS)


def _opens_with_fix(text: str) -> bool:
    start = _normal(text)
    return any(start.startswith(_normal(opener)) for opener in DISGUISED_OPENERS)


#: Words for the action of a fix, by what the action does: a hint that suggests the same action in
#: other words ("a longer expiry" for "raise the TTL") still gives the fix away.
_ACTIONS = {
    "more": r"rais\w*|increas\w*|bump\w*|lengthen\w*|extend\w*|longer|bigger|higher|larger|more|grow\w*|doubl\w*|up",
    "less": r"lower\w*|reduc\w*|decreas\w*|shorten\w*|shorter|smaller|less|fewer|cut\w*|cap\w*|limit\w*|halv\w*",
    "undo": r"roll\w*\s+(?:\w+\s+){0,3}back|rollback|revert\w*|undo\w*|undoing|back\w*\s+out",
    "add": r"add\w*|introduc\w*|enabl\w*|turn\w*\s+on|put\w*\s+in",
    "compare": r"compar\w*|contrast\w*|versus|vs|against|side\s+by\s+side",
}
#: Words for what a fix acts on. An object marked True is itself the remedy: naming it gives the fix away.
_OBJECTS = {
    "ttl": (r"ttls?|time[- ]to[- ]live|expiry|expiration|lifetime|entries|entry|cached", False),
    "change": (r"change|config\w*|deploy\w*|release|commit", False),
    "backoff": (r"back[- ]?off|wait\w*(?:\s+\w+){0,3}\s+between|delays?\s+between|pause\w*\s+between|jitter", True),
    "retries": (r"retr(?:y|ies)|attempts", False),
    "timeout": (r"time[- ]?outs?", False),
}
_WINDOW = 6  # words between the action and its object


def _concepts(text: str, table: dict[str, str]) -> dict[str, list[int]]:
    """Where each concept of ``table`` occurs in ``text``, as word positions."""
    words = _normal(text).split()
    found: dict[str, list[int]] = {}
    joined = " ".join(words)
    for name, pattern in table.items():
        for match in re.finditer(rf"(?<![\w-])(?:{pattern})(?![\w-])", joined):
            found.setdefault(name, []).append(joined[: match.start()].count(" "))
    return found


def _suggests_fix(text: str, fix: str) -> bool:
    """The fix's action on the fix's object, in any words: "a longer expiry" suggests "raise the TTL",
    "reverting the config change" suggests "roll back the config change"."""
    objects = {name: pattern for name, (pattern, _) in _OBJECTS.items()}
    fix_actions, fix_objects = _concepts(fix, _ACTIONS), _concepts(fix, objects)
    if not fix_objects:
        return False
    hint_actions, hint_objects = _concepts(text, _ACTIONS), _concepts(text, objects)
    for obj in fix_objects:
        if obj not in hint_objects:
            continue
        if _OBJECTS[obj][1]:
            return True
        for action in fix_actions:
            if any(abs(a - o) <= _WINDOW for a in hint_actions.get(action, ()) for o in hint_objects[obj]):
                return True
    return False


def _contains_fix(text: str, fix: str | None) -> bool:
    if not fix or not isinstance(fix, str) or not fix.strip():
        return False
    if _normal(fix) in _normal(text) or f" {_stems(fix)} " in f" {_stems(text)} ":
        return True
    wanted = _content_words(fix)
    if bool(wanted) and len(wanted) >= 2 and wanted <= _content_words(text):
        return True
    return _suggests_fix(text, fix)


#: "just" as a time ("just before 14:02") is not condescending.
_JUST_TIME = re.compile(r"\bjust\s+(?:before|after|as|when|then|now|under|over|below|above|once)\b")


def is_socratic(hint: Any, fix: Any = None) -> bool:
    """The three core rules, and only them: the hint is a question, it does not open like
    a fix ("Have you tried…?"), and the fix (a phrase) does not appear in it
    (case and punctuation ignored)."""
    if not isinstance(hint, str) or not hint.strip():
        return False
    if not _is_question(hint) or _opens_with_fix(hint):
        return False
    return not (isinstance(fix, str) and fix.strip() and _normal(fix) in _normal(hint))


#: What the linter cannot judge, said with its verdicts.
HINT_LIMITS = ("The linter reads wording, not teaching: it cannot tell whether the question leads this mentee "
               "anywhere, or whether it fits what they already tried.")


def hint_findings(hint: Any, fix: Any = None) -> list[tuple[str, str]]:
    """The rules a hint breaks, as (code, message) pairs; :func:`lint_hint` gives the messages.

    Codes: ``no-hint``, ``not-question``, ``disguised-fix``, ``contains-fix``, ``too-long``,
    ``condescending``."""
    if hint is None or hint is Ellipsis:
        return [("no-hint", "there is no hint yet")]
    if not isinstance(hint, str):
        return [("no-hint", f"a hint is text; got {type(hint).__name__}")]
    if not hint.strip():
        return [("no-hint", "the hint is empty")]
    fix_text = fix if isinstance(fix, str) else None
    problems = []
    question = _is_question(hint)
    if not question and not _is_open_prompt(hint):
        problems.append(("not-question", "it is not a question (nor an open prompt such as \"Walk me through…\"): a "
                         "statement tells, a question makes the mentee think"))
    if _opens_with_fix(hint):
        problems.append(("disguised-fix", "it is a fix dressed as a question (\"Have you tried…?\"): the answer is inside it"))
    if _contains_fix(hint, fix_text):
        problems.append(("contains-fix", "it contains the fix, phrased as a question: the answer is inside it" if question
                         else "it contains the fix: the mentee can act on it without understanding why"))
    words = len(hint.split())
    if words > MAX_HINT_WORDS:
        problems.append(("too-long", f"it is {words} words long: a hint longer than {MAX_HINT_WORDS} words is a lecture"))
    lowered = f" {_JUST_TIME.sub(' ', _normal(hint))} "
    found = [word for word in CONDESCENDING if f" {word} " in lowered]
    if found:
        problems.append(("condescending", f"\"{found[0]}\" tells a stuck person the problem is easy: it makes them feel slow"))
    return problems


def hint_rules(hint: Any, fix: Any = None) -> list[str]:
    """The codes of the rules a hint breaks (for measuring the linter on a labelled corpus)."""
    return [code for code, _ in hint_findings(hint, fix)]


def lint_hint(hint: Any, fix: Any = None) -> list[str]:
    """What is wrong with a hint for a stuck mentee; an empty list means it passes.

    Core rules (a hint that breaks one gives the answer away or gives none):
    it is a question, or an open prompt ("Walk me through what you tried."); it is not a fix
    dressed as a question; it does not contain the fix (the phrase, or all of its content words,
    in any inflection: "What if you raised the TTL?" contains "raise the TTL"). Style rules: at most ``MAX_HINT_WORDS``
    words (a longer hint is a lecture), and no words that tell the mentee it is easy.
    Takes any text; never raises.
    """
    return [message for _, message in hint_findings(hint, fix)]


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

