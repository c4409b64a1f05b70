"""Module 09's tasks and rubric."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from steward import cartwheel, checks
from steward.lessons.visibility.digest import (
    DIGEST_LIMITS,
    Digest,
    _default_abandonment,
    _default_max_load,
    _default_p99,
    _default_revenue,
    _digest_numbers,
    digest_from,
    facts_for,
    lint_digest,
)
from steward.lessons.visibility.model import (
    ESSAY_DIGEST,
    ITEMS_PER_CALL,
    MODULE,
    SLO_MS,
    TASK_TTL_S,
    TTL_GRID,
    TTL_MAX_S,
    TTL_TODAY_S,
    CacheAt,
    TradeOff,
    _bootstrap,
    _rates,
    _reference_tradeoff,
    averaged_p99,
    cache_at,
    cached_freshness,
    call_hit_share,
    fanout_p99,
    hit_ratio,
    inventory,
    latency_model,
    log_hit_share,
    reference_ttl,
    required_whole_ttl,
    ttl_interval,
    weighted_update_rate_per_hour,
)
from steward.tasks import Misconception, Rubric, Task, TaskSet

# -- tasks -------------------------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)


def _at(ttl: float = TASK_TTL_S) -> CacheAt:
    return cache_at(_rates(), ttl)


def _unweighted(frame_rates: pd.DataFrame) -> pd.DataFrame:
    equal = frame_rates.copy()
    equal["weight"] = 1.0 / len(equal)
    return equal


TASKS.add(Task(
    id="09.update-rate",
    title="How fast does stock change, for the lookups that matter?",
    prompt="A number: the lookup-weighted mean stock-update rate, in updates per hour (each key's updates per "
           "hour, weighted by its share of all lookups).",
    reference=lambda: weighted_update_rate_per_hour(inventory()),
    compare=checks.number(rel=1e-3, unit="updates per hour"),
    hints=[
        "A key looked up 60,000 times a day and one looked up 3 times: which matters more to what customers see?",
        "Weight each key's stock_updates / 24 by lookups / lookups.sum(), then sum.",
    ],
    misconceptions=[
        Misconception("unweighted mean", "That treats every key alike. Which keys do most answers come from?",
                      lambda: float(inventory()["stock_updates"].mean() / 24)),
        Misconception("per day, not per hour", "That is per day. How many hours in a day?",
                      lambda: weighted_update_rate_per_hour(inventory()) * 24),
        Misconception("per second", "That is per second. The task asks per hour.",
                      lambda: weighted_update_rate_per_hour(inventory()) / 3600),
        Misconception("the mean of the weighted rates", "You weighted each key and then took the mean, which divides "
                      "by the number of keys again. A weighted mean is the *sum* of weight × rate: why?",
                      lambda: float((inventory()["lookups"] / inventory()["lookups"].sum()
                                     * inventory()["stock_updates"] / 24).mean())),
        Misconception("weights that do not sum to 1", "Your weights are the raw lookup counts, so the 'mean' is far "
                      "above every key's own rate. What must a set of weights add up to?",
                      lambda: float((inventory()["lookups"] * inventory()["stock_updates"] / 24).sum())),
    ],
))

def _key_hit_ratio(ttl: Any) -> Any:
    """The old lesson's hit ratio: each inventory key on its own, rT/(1 + rT), weighted by lookups."""
    rates = _rates()
    t = np.asarray(ttl, dtype=float).reshape(-1, 1)
    return hit_ratio(rates["lookup_rate"].to_numpy(), t) @ rates["weight"].to_numpy()


def _first_ttl(p99_of_share: Any) -> float:
    """The first whole TTL on the grid whose p99 (a function of the call hit share) is ≤ 200 ms,
    or TTL_MAX_S when none is (the answer a learner capping the scan would give)."""
    p99 = np.asarray(p99_of_share(np.atleast_1d(call_hit_share(TTL_GRID))))
    ok = np.flatnonzero(p99 <= SLO_MS)
    return float(TTL_GRID[ok[0]]) if ok.size else float(TTL_MAX_S)


def _hit_share_at(rate: float, ttl: float) -> float:
    return float(rate * ttl / (1 + rate * ttl))


def _fresh_with(update_scale: float = 1.0, hit_share: float | None = None, ttl: float = TASK_TTL_S,
                drop_unchanged: bool = False) -> float:
    """The fresh share with each key's λ scaled (per hour: × 3,600; per day: × 86,400, with T still in
    seconds), at another share of hits, or with the keys of λ = 0 left out of the sum (``np.nansum``
    over 0/0): the slips of task 3."""
    rates = _rates()
    h = float(call_hit_share(ttl)) if hit_share is None else hit_share
    lam = rates["update_rate"].to_numpy() * update_scale
    per_key = np.asarray(cached_freshness(lam, ttl), dtype=float)
    if drop_unchanged:
        per_key = np.where(lam > 0, per_key, 0.0)
    cached = float(per_key @ rates["weight"].to_numpy())
    return (1 - h) + h * cached


def _is_nan(answer: Any) -> bool:
    try:
        return bool(np.isnan(float(answer)))
    except (TypeError, ValueError):
        return False


def _or_max(ttl: int | None) -> float:
    return float(TTL_MAX_S if ttl is None else ttl)


def _incident_ttl() -> float:
    return _or_max(required_whole_ttl("incident"))


TASKS.add(Task(
    id="09.hit-ratio",
    title="Share of calls served from Redis at a 120 s TTL",
    prompt="A fraction: the share of recommendation calls whose stock levels all come from Redis at a TTL of "
           "TASK_TTL_S (120) seconds. The request log was recorded at today's TTL (lesson.TTL_TODAY_S, 60 s) and its "
           "cache_hit is a per-call flag. Treat a call's stock set as one cache entry looked up at rate ρ: the share "
           "of calls that hit is ρT/(1 + ρT). Get ρ from the log's share at 60 s, then evaluate at 120 s.",
    reference=lambda: call_hit_share(TASK_TTL_S),
    compare=checks.number(rel=1e-3),
    hints=[
        "At 60 s a share p of calls hit. Which ρ makes ρ·60/(1 + ρ·60) equal p?",
        "ρ = p / ((1 − p)·60) with p = log.cache_hit.mean(); then ρ·120 / (1 + ρ·120).",
    ],
    misconceptions=[
        Misconception("the log's share, unchanged", "That is the share at 60 s, when the log was recorded. What "
                      "does a longer TTL do to the calls that arrive after an entry would have expired?",
                      lambda: log_hit_share()),
        Misconception("doubled with the TTL", "Doubling the TTL doubles the window, not the share: can a share "
                      "pass 1? What happens to the first call after each expiry?",
                      lambda: min(1.0, log_hit_share() * TASK_TTL_S / TTL_TODAY_S)),
        Misconception("to the 24th power", "You treated each of the 24 items as hitting on its own. The log's flag "
                      "is per call: what does its share already include?",
                      lambda: call_hit_share(TASK_TTL_S) ** ITEMS_PER_CALL),
        Misconception("per key, from the inventory file", "That is each key's own rT/(1 + rT). A miss fetches the "
                      "call's whole stock set in one request: which hit ratio did the log measure at 60 s, and does "
                      "your model give it back at 60 s?", lambda: float(_key_hit_ratio(TASK_TTL_S)[0])),
        Misconception("a percentage", "Is that out of 1 or out of 100? The task asks for a fraction.",
                      lambda: 100 * call_hit_share(TASK_TTL_S)),
        Misconception("ρ = p / T, without 1 − p", "Put your ρ back in at 60 s: does ρ·60/(1 + ρ·60) give the log's share "
                      "p? Which ρ does?", lambda: _hit_share_at(log_hit_share() / TTL_TODAY_S, TASK_TTL_S)),
    ],
))

TASKS.add(Task(
    id="09.freshness",
    title="Share of answers that are fresh at a 120 s TTL",
    prompt="A fraction: the share of stock answers that are fresh (the stock had not changed since it was cached) "
           "at TASK_TTL_S seconds, weighted by lookups. Misses read the inventory service (fresh); a hit of a key "
           "with update rate λ is fresh with probability (1 − e^(−λT))/(λT); use your share of calls that hit.",
    reference=lambda: _at().fresh_share,
    compare=checks.number(rel=1e-4),
    hints=[
        "Which answers are always fresh, and what share of the answers are they?",
        "H = your hit share; per key f = (1 − e^(−λT))/(λT) with λ = stock_updates / 86,400; fresh = (1 − H) + "
        "H·Σ weight·f.",
    ],
    misconceptions=[
        Misconception("divided by λT = 0", "Some keys never changed stock that day (λ = 0), and (1 − e^0)/0 is 0/0. "
                      "What share of such a key's cached answers is fresh?", lambda: float("nan"),
                      matches=lambda answer: _is_nan(answer)),
        Misconception("dropped the keys with λ = 0", "Your sum leaves out the keys that never changed stock (λ = 0), as "
                      "if none of their answers were fresh. Are they stale, or always fresh?",
                      lambda: _fresh_with(drop_unchanged=True)),
        Misconception("only cached answers", "That is the freshness of *cached* answers. What about the misses, which "
                      "read the source?", lambda: _at().cached_fresh_share),
        Misconception("freshness at expiry", "e^(−λT) is the chance an entry is still true when it *expires*. A hit "
                      "can be any age from 0 to T: what is the average over its age?",
                      lambda: float((1 - _at().hit_ratio) + _at().hit_ratio * (_rates()["weight"]
                                    * np.exp(-_rates()["update_rate"] * TASK_TTL_S)).sum())),
        Misconception("unweighted mean", "That averages keys equally. Whose answers do customers see most?",
                      lambda: cache_at(_unweighted(_rates()), TASK_TTL_S).fresh_share),
        Misconception("λ per hour, T in seconds", "Is your λ per second, like your T? stock_updates counts a day's "
                      "updates: how many seconds are in a day?", lambda: _fresh_with(3600.0)),
        Misconception("λ per day, T in seconds", "Your λ is per day and your T in seconds: λT must have no unit. How "
                      "many seconds are in a day?", lambda: _fresh_with(86_400.0)),
        Misconception("today's share of hits", "That uses the share of calls that hit at 60 s, when the log was "
                      "recorded. Which share hits at 120 s (task 2)?", lambda: _fresh_with(hit_share=log_hit_share())),
        Misconception("a percentage", "Is that out of 1 or out of 100? The task asks for a fraction.",
                      lambda: 100 * _at().fresh_share),
    ],
))

TASKS.add(Task(
    id="09.call-p99",
    title="p99 of the call with no cache, over the week",
    prompt="A number, in ms: the p99 of the recommendation call over the week if no call were served from Redis "
           "(every call asks the inventory service). Each row of the request log is a whole call, which already "
           "waited for its 24 stock levels; with no cache, every call behaves like the log's calls that missed.",
    reference=lambda: float(latency_model().call_quantile(0.0)),
    compare=checks.number(rel=1e-2, unit="ms"),
    hints=[
        "With no cache, which of the log's calls does every call look like?",
        "The p99 of latency_ms over the calls with cache_hit == 0.",
    ],
    misconceptions=[
        Misconception("the slowest of 24 calls", "You took the slowest of a carousel's worth of draws from the log. "
                      "Each row is already a whole call that waited for all its items: what did you count twice?",
                      lambda: float(fanout_p99(0.0))),
        Misconception("the log's p99", "That is the p99 at today's share of hits. With no cache, how many calls "
                      "are served from Redis?", lambda: cartwheel.call_p99_ms()),
        Misconception("the mean", "That is the mean of the misses. Which percentile does the SLO bound?",
                      lambda: float(latency_model().misses.mean())),
        Misconception("np.percentile with 0.99", "That is almost the fastest call. `np.percentile` takes a percent "
                      "(0–100) and `np.quantile` a fraction (0–1): which did you give 0.99 to?",
                      lambda: float(np.percentile(latency_model().misses, 0.99))),
        Misconception("the p95", "That is the p95 of the misses. Which percentile does Cartwheel's latency SLO bound?",
                      lambda: float(np.quantile(latency_model().misses, 0.95))),
    ],
))

TASKS.add(Task(
    id="09.incident-ttl",
    title="The shortest TTL that would have kept the call's p99 within 200 ms during the incident",
    prompt="A whole number of seconds between 0 and TTL_MAX_S (600): the shortest TTL at which 99% of the calls in "
           "the incident's 75 minutes (lesson.INCIDENT_START to lesson.INCIDENT_END) are within 200 ms, with the "
           "incident's hit and miss calls mixed at the TTL's share of hits.",
    reference=_incident_ttl,
    compare=checks.number(abs=1.0, unit="s"),
    hints=[
        "Over the whole week, which TTL does the SLO need? Then: which calls does a 75-minute p99 count?",
        "For the incident's calls: good_hits = share of hits ≤ 200 ms, good_misses likewise; the smallest H with "
        "H·good_hits + (1 − H)·good_misses ≥ 0.99; then the TTL with that share, H / (ρ·(1 − H)), rounded up.",
    ],
    misconceptions=[
        Misconception("the share of hits, not the TTL", "That is the share of calls that must hit, a fraction. The "
                      "task asks for the TTL that gives that share: how does ρT/(1 + ρT) turn back into T?",
                      lambda: _needed_share(), matches=lambda a: checks.number(abs=0.005)(a, _needed_share()).status == checks.PASS),
        Misconception("the week's answer", "Over the week no cache is needed. The task asks about the incident's "
                      "75 minutes: which calls did you keep?", lambda: 0.0),
        Misconception("the slowest of 24 calls", "Your p99 takes the slowest of 24 calls from a log whose rows are "
                      "whole calls. What did you count twice?",
                      lambda: _first_ttl(lambda h: fanout_p99(h, latency_model("week")))),
        Misconception("averaged percentiles", "Your p99 mixes the all-hit and all-miss p99s. Do percentiles average?",
                      lambda: _first_ttl(lambda h: averaged_p99(h, latency_model("incident")))),
        Misconception("per-key hit ratio", "You used each key's own hit ratio. A miss fetches the call's whole "
                      "stock set: which share of calls hits at a TTL?",
                      lambda: float(TTL_GRID[np.flatnonzero(np.asarray(latency_model("incident").call_quantile(
                          _key_hit_ratio(TTL_GRID))) <= SLO_MS)[0]]) if np.any(np.asarray(latency_model("incident")
                          .call_quantile(_key_hit_ratio(TTL_GRID))) <= SLO_MS) else float(TTL_MAX_S)),
    ],
))


def _needed_share() -> float:
    """The share of the incident's calls that must hit so that 99% are within the SLO (task 5's H_needed)."""
    model = latency_model("incident")
    good_hits = float(np.mean(model.hits <= SLO_MS))
    good_misses = float(np.mean(model.misses <= SLO_MS))
    return max(0.0, (cartwheel.LATENCY.objective - good_misses) / (good_hits - good_misses))


def _interval_compare(answer: Any, expected: tuple[float, float]) -> checks.Verdict:
    """Two numbers, (low, high), each within the resampling noise of a 2,000-draw bootstrap
    (10%, at least 5 s). Says what differs: the order, or one end."""
    try:
        low, high = (float(answer[0]), float(answer[1])) if len(answer) == 2 else (None, None)
    except (TypeError, ValueError, KeyError, IndexError):
        low, high = None, None
    if low is None or high is None or not all(np.isfinite([low, high])):
        return checks.not_yet(f"Expected two finite numbers (low, high) in s; got {checks.describe(answer)}.")
    close = lambda a, b: abs(a - b) <= max(5.0, 0.1 * abs(b))  # noqa: E731
    if low > high:
        return checks.not_yet(f"You gave ({low:g}, {high:g}): the low end first, please.")
    if close(low, expected[0]) and close(high, expected[1]):
        return checks.OK
    ends = [name for name, a, b in (("low", low, expected[0]), ("high", high, expected[1])) if not close(a, b)]
    return checks.not_yet(f"The {' and '.join(ends)} end{'s are' if len(ends) == 2 else ' is'} not what resampling "
                          "the log gives (within its noise).")


TASKS.add(Task(
    id="09.ttl-interval",
    title="How sure is that TTL? Resample the log",
    prompt="A pair (low, high) in s: resample the request log's calls with replacement BOOTSTRAP_DRAWS (2,000) times "
           "(seed BOOTSTRAP_SEED), recompute the incident's TTL of task 5 (not rounded) on each resample, ρ included, "
           "and give the central 90% interval (the 5th and 95th percentiles).",
    reference=lambda: ttl_interval(_bootstrap()),
    compare=_interval_compare,
    hints=[
        "Resampling rows only moves a few numbers of the log: which ones does the incident's TTL depend on?",
        "Label each call by (in the incident, hit, ≤ 200 ms): 8 counts. A resample of the rows is a multinomial draw "
        "of those counts: rng.multinomial(n, counts / n, size=2000). Recompute ρ and the TTL from each row of counts.",
    ],
    misconceptions=[
        Misconception("the week's interval", "Over the week every resample needs no cache. Which calls does the "
                      "incident's TTL rest on?", lambda: (0.0, 0.0)),
        Misconception("np.percentile with 5 and 95 as fractions", "Both ends sit in the lowest 1% of your resampled TTLs. "
                      "`np.percentile` takes percents (0–100): which percentiles did you ask for?",
                      lambda: tuple(float(x) for x in np.percentile(_bootstrap(), [0.05, 0.95]))),
        Misconception("high before low", "You gave (high, low). Which end comes first?",
                      lambda: tuple(reversed(ttl_interval(_bootstrap()))),
                      matches=lambda a: isinstance(a, (tuple, list)) and len(a) == 2
                      and _interval_compare(tuple(reversed(a)), ttl_interval(_bootstrap())).status == checks.PASS),
    ],
))

TASKS.add(Task(
    id="09.fresh-at-best",
    title="How fresh, at that TTL?",
    prompt="A number in % (0–100): the share of stock answers that are fresh at your TTL of task 5.",
    reference=lambda: cache_at(_rates(), _incident_ttl()).fresh_share * 100,
    compare=checks.number(abs=0.05, unit="%"),
    hints=[
        "Is this the freshness of cached answers, or of every answer a customer gets?",
        "The fresh share at the TTL of task 5, × 100.",
    ],
    misconceptions=[
        Misconception("a fraction", "That is a fraction; the task asks for a percentage.",
                      lambda: cache_at(_rates(), _incident_ttl()).fresh_share),
        Misconception("only cached answers", "That is the freshness of *cached* answers. Misses are fresh too: what "
                      "share of *all* answers is fresh?",
                      lambda: 100 * cache_at(_rates(), _incident_ttl()).cached_fresh_share),
        Misconception("the hit share", "That is the share of calls that hit at the TTL, not the share of fresh "
                      "answers.", lambda: 100 * cache_at(_rates(), _incident_ttl()).hit_ratio),
        Misconception("task 3's TTL", "That is the freshness at task 3's TTL. Which TTL did the incident need "
                      "(task 5)?", lambda: 100 * _at().fresh_share),
        Misconception("today's TTL", "That is the freshness at today's TTL, when the log was recorded. Which TTL did "
                      "the incident need (task 5)?", lambda: 100 * cache_at(_rates(), TTL_TODAY_S).fresh_share),
    ],
))

TASKS.add(Task(
    id="09.inventory-load",
    title="What the cache is for: the inventory service's load",
    prompt="A number in stock lookups per second: how many of the canon's stock lookups (cartwheel."
           "stock_lookups_per_s(), the average) reach the inventory service at your TTL of task 5? A call that "
           "misses asks for all its items.",
    reference=lambda: cache_at(_rates(), _incident_ttl()).inventory_lookups_per_s,
    compare=checks.number(rel=1e-3, unit="lookups/s"),
    hints=[
        "Which calls reach the inventory service, and how many items does each ask for?",
        "cartwheel.stock_lookups_per_s() × (1 − the share of calls that hit at your TTL).",
    ],
    misconceptions=[
        Misconception("the hits, not the misses", "That is the load the cache *absorbs*. Which calls go through to "
                      "the inventory service?",
                      lambda: cartwheel.stock_lookups_per_s() * cache_at(_rates(), _incident_ttl()).hit_ratio),
        Misconception("requests, not lookups", "That counts batched requests (one per call). How many stock lookups "
                      "does each carry?", lambda: cache_at(_rates(), _incident_ttl()).inventory_lookups_per_s
                      / ITEMS_PER_CALL),
        Misconception("at the peak", "That is at the weekly peak. The task asks for the average rate: which would "
                      "you size for, and which did the task ask?",
                      lambda: cartwheel.PEAK_CALLS_PER_S * ITEMS_PER_CALL
                      * (1 - cache_at(_rates(), _incident_ttl()).hit_ratio)),
        Misconception("task 3's TTL", "That is the load at task 3's TTL. Which TTL did the incident need (task 5)?",
                      lambda: _at().inventory_lookups_per_s),
        Misconception("every lookup, as with no cache", "That is every stock lookup: the load with no cache. "
                      "Which calls does the cache answer, so that they never reach the inventory service?",
                      lambda: cartwheel.stock_lookups_per_s()),
        Misconception("today's TTL", "That is the load at today's TTL, when the log was recorded. Which TTL did the "
                      "incident need (task 5)?", lambda: cache_at(_rates(), TTL_TODAY_S).inventory_lookups_per_s),
    ],
))

TASKS.add(Task(
    id="09.one-attempt-p99",
    title="Stretch: the same incident with one attempt",
    prompt="A number in ms: the p99 of the incident's calls at today's TTL (TTL_TODAY_S) if the inventory client made "
           "one attempt of 100 ms instead of three (a call that timed out then spends 100 ms, not 300 ms: "
           "lesson.with_policy(log, 'one attempt')). Serve-stale-on-error costs the same time and answers from the "
           "expired entry instead of failing. Is it within 200 ms, and which TTL would the incident need then?",
    reference=lambda: float(latency_model("incident", "one attempt").call_quantile(call_hit_share(TTL_TODAY_S))),
    compare=checks.number(rel=1e-2, unit="ms"),
    stretch=True,
    hints=[
        "Which calls of the incident were above 200 ms, and how long do they take with one attempt?",
        "Take lesson.with_policy(log, 'one attempt') for the incident's calls and their p99 (at today's TTL the "
        "log's own share of hits).",
    ],
    misconceptions=[
        Misconception("today's client", "That is the p99 with today's three attempts. What do the timed-out calls "
                      "take with one?",
                      lambda: float(latency_model("incident").call_quantile(call_hit_share(TTL_TODAY_S)))),
        Misconception("over the week", "That is the p99 over the whole week. The task asks about the incident's "
                      "calls: which rows did you keep?",
                      lambda: float(latency_model("week", "one attempt").call_quantile(call_hit_share(TTL_TODAY_S)))),
    ],
))


def _digest_compare(answer: Any, expected: TradeOff) -> checks.Verdict:
    if not isinstance(answer, str):
        return checks.not_yet(f"Expected your digest as a string of Markdown; got {checks.describe(answer)}.")
    if not answer.strip():
        return checks.Verdict(checks.NOT_ATTEMPTED, "The digest is empty.")
    report = lint_digest(answer)
    if not report.passed:
        return checks.not_yet(f"The linter found {len(report.findings)} problem{'' if len(report.findings) == 1 else 's'}; "
                              f"first: {report.problems()[0]}. "
                              f"{DIGEST_LIMITS}")
    trade = report.sections.get("trade-off", "")
    numbers = _digest_numbers(trade)
    if not any(abs(n - expected.fresh_pct) <= 0.5 for n in numbers):
        return checks.not_yet("The trade-off's freshness is not the share of fresh answers you derived.")
    if not any(abs(n - SLO_MS) < 1e-9 for n in numbers):
        return checks.not_yet(f"The trade-off should say what the TTL does for the {SLO_MS:.0f} ms SLO.")
    return checks.Verdict(checks.PASS, DIGEST_LIMITS)


def _one_sided_digest() -> str:
    text = str(_reference_digest())
    start = text.index("**Trade-off:**")
    end = text.index("**Metrics:**")
    return text[:start] + f"**Trade-off:** a {_reference_tradeoff().ttl_s:.0f} s TTL on the stock cache.\n\n" + text[end:]


def _reference_digest() -> Digest:
    t = _reference_tradeoff()
    facts = facts_for(_default_p99(), _default_max_load(), _default_abandonment(), _default_revenue(),
                      reference_ttl(), t.fresh_pct)
    return digest_from(facts)


TASKS.add(Task(
    id="09.digest",
    title="Write the digest",
    prompt="Your digest as a Markdown string with Progress, Trade-off, Metrics and Next, which passes lint_digest; "
           "its trade-off must quote your derived share of fresh answers and the 200 ms SLO (what the TTL does and "
           "does not do for it).",
    reference=_reference_tradeoff,
    compare=_digest_compare,
    sample_answer=lambda: str(_reference_digest()),
    hints=[
        "Could your manager's manager repeat each line of your digest to someone else, with its number and what it "
        "is compared with?",
        "Start from build_digest(...) or digest_from(digest_facts()); then run lint_digest on your edits until it "
        "has no findings.",
    ],
    misconceptions=[
        Misconception("the essay's digest, unchanged",
                      "That is the essay's digest. Which of its claims has no baseline, and where are its metrics?",
                      lambda: ESSAY_DIGEST,
                      matches=lambda a: isinstance(a, str) and " ".join(a.split()) == " ".join(ESSAY_DIGEST.split())),
        Misconception("a trade-off with one side",
                      "Your trade-off says what you chose. What did you give up for it, and what did you keep?",
                      lambda: _one_sided_digest(),
                      matches=lambda a: any(f.section == "trade-off" and "one side" in f.problem
                                            for f in lint_digest(a).findings) if isinstance(a, str) else False),
    ],
))

@cache
def _digest_rubric() -> Rubric:
    return Rubric(
        id="09.digest-rubric",
        title="A digest a director can repeat",
        criteria=[
            "Each claim has a number and what it is compared with (a baseline, a control, a target).",
            "The trade-off names what I gave up and what I kept, both with numbers, and I derived them.",
            "The numbers say how sure we are (a CI or a range) where that matters.",
            "Next names a partner and what we will do together, not just what I will do.",
            "It fits on one screen and leads with the outcome, not the implementation.",
        ],
        mid_level=ESSAY_DIGEST.replace("**", ""),
        senior_level=str(_reference_digest()).replace("**", ""),
    )


def __getattr__(name: str) -> Any:
    """``DIGEST_RUBRIC`` is built on first use: its senior-level example is the digest filled
    from the reference numbers, which needs the data (kept out of the import)."""
    if name == "DIGEST_RUBRIC":
        return _digest_rubric()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

