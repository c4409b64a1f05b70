"""Module 09's tasks and rubric."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from steward import checks
from steward.datagen import load
from steward.lessons.visibility.digest import (
    Digest,
    DigestFacts,
    _default_abandonment,
    _default_max_load,
    _default_p99,
    _default_revenue,
    _digest_numbers,
    digest_from,
    lint_digest,
)
from steward.lessons.visibility.model import (
    ESSAY_DIGEST,
    MODULE,
    SLO_MS,
    TASK_TTL_S,
    TTL_GRID,
    TTL_MAX_S,
    CacheAt,
    TradeOff,
    _rates,
    _reference_tradeoff,
    adaptive_fresh_pct,
    averaged_p99,
    cache_at,
    call_p99,
    derive_tradeoff,
    hit_ratio,
    inventory,
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
    ],
))

TASKS.add(Task(
    id="09.hit-ratio",
    title="Hit ratio at a 60 s TTL",
    prompt="A fraction: the share of all lookups served from the cache at a TTL of TASK_TTL_S (60) seconds, using "
           "h = rT / (1 + rT) per key (r = lookups per second) and weighting keys by their lookups.",
    reference=lambda: _at().hit_ratio,
    compare=checks.number(rel=1e-3),
    hints=[
        "Does a busy key and a quiet key get the same hit ratio from the same TTL? Whose hit ratio counts more?",
        "r = lookups / 86,400 per key; h = r·60 / (1 + r·60); then sum h × lookups / lookups.sum().",
    ],
    misconceptions=[
        Misconception("unweighted mean", "That averages keys equally. Most lookups go to a few busy keys: whose hit "
                      "ratio does a customer see?", lambda: cache_at(_unweighted(_rates()), TASK_TTL_S).hit_ratio),
        Misconception("one rate for all keys",
                      "You put the total lookup rate into a per-key formula. Does a lookup of one key hit a cache entry "
                      "written for another?",
                      lambda: hit_ratio(_rates()["lookup_rate"].sum(), TASK_TTL_S)),
        Misconception("rT without the window", "rT alone is the number of lookups in a window, not a share: what "
                      "happens to the first lookup of each window?",
                      lambda: float((_rates()["weight"] * np.minimum(1.0, _rates()["lookup_rate"] * TASK_TTL_S)).sum())),
    ],
))

TASKS.add(Task(
    id="09.freshness",
    title="Share of answers that are fresh at a 60 s TTL",
    prompt="A fraction: the lookup-weighted share of all answers that are fresh at TASK_TTL_S seconds. Misses read "
           "the inventory service (fresh); a hit is fresh with probability (1 − e^(−λT))/(λT).",
    reference=lambda: _at().fresh_share,
    compare=checks.number(rel=1e-4),
    hints=[
        "Which answers are always fresh, and what share of the lookups are they?",
        "Per key: (1 − h) + h·(1 − e^(−λT))/(λT) with λ = stock_updates / 86,400; weight by lookups.",
    ],
    misconceptions=[
        Misconception("only cached answers", "That is the freshness of *cached* answers. What about the misses, which "
                      "read the source?", lambda: _at().cached_fresh_share),
        Misconception("freshness at expiry", "e^(−λT) is the chance an entry is still true when it *expires*. A hit "
                      "can be any age from 0 to T: what is the average over its age?",
                      lambda: float((_rates()["weight"] * ((1 - hit_ratio(_rates()["lookup_rate"], TASK_TTL_S))
                                     + hit_ratio(_rates()["lookup_rate"], TASK_TTL_S)
                                     * np.exp(-_rates()["update_rate"] * TASK_TTL_S))).sum())),
        Misconception("unweighted mean", "That averages keys equally. Whose answers do customers see most?",
                      lambda: cache_at(_unweighted(_rates()), TASK_TTL_S).fresh_share),
    ],
))

TASKS.add(Task(
    id="09.call-p99",
    title="p99 of a 24-item call at a 60 s TTL",
    prompt="A number, in ms: the p99 latency of a recommendation call that checks ITEMS_PER_CALL (24) items in "
           "parallel, at the hit ratio of the 60 s TTL. Lookup latencies come from the requests log (hits and "
           "misses separately); the call waits for its slowest lookup.",
    reference=lambda: call_p99(_at().hit_ratio),
    compare=checks.number(rel=1e-2, unit="ms"),
    hints=[
        "If each of 24 lookups is under x ms with probability F(x), what is the probability the whole call is?",
        "F(x) = H·(hits ≤ x).mean() + (1 − H)·(misses ≤ x).mean(); find the smallest x with F(x)**24 ≥ 0.99 "
        "(bisection between 0 and the slowest latency).",
    ],
    misconceptions=[
        Misconception("forgot the fan-out", "That is the p99 of one lookup. The call waits for the slowest of 24: "
                      "which quantile of a single lookup does its p99 correspond to?",
                      lambda: call_p99(_at().hit_ratio, items=1)),
        Misconception("averaged percentiles", "You mixed the all-hit and all-miss p99s in proportion. Do percentiles "
                      "average? [Dean & Barroso 2013]", lambda: averaged_p99(_at().hit_ratio)),
        Misconception("the log's p99", "That is the request log's own p99: one lookup, at the log's hit ratio. What "
                      "changes with the TTL and the fan-out?",
                      lambda: float(load("requests")["latency_ms"].quantile(0.99))),
    ],
))

TASKS.add(Task(
    id="09.best-ttl",
    title="The freshest TTL that keeps the p99 within 200 ms",
    prompt="A whole number of seconds between 0 and TTL_MAX_S (600): the TTL with the largest share of fresh answers "
           "among those whose 24-item call p99 is at most 200 ms.",
    reference=lambda: _reference_tradeoff().ttl_s,
    compare=checks.number(abs=1.0, unit="s"),
    hints=[
        "As the TTL grows, which way does freshness move, and which way does the p99 move?",
        "Compute both for every TTL from 0 to 600; keep those with p99 ≤ 200; take the one with the most fresh answers.",
    ],
    misconceptions=[
        Misconception("a single lookup, not the call", "With one lookup per call every TTL meets 200 ms. How many "
                      "items does a call check?", lambda: derive_tradeoff(_rates(), items=1).ttl_s),
        Misconception("maximised the hit ratio", "That TTL has the most hits, and the stalest answers. Which side of "
                      "the trade-off did you give up entirely?", lambda: float(TTL_MAX_S)),
        Misconception("averaged percentiles", "Your p99 mixes the all-hit and all-miss p99s. Do percentiles average?",
                      lambda: float(next(t for t in TTL_GRID if averaged_p99(cache_at(_rates(), t).hit_ratio) <= SLO_MS))),
    ],
))

TASKS.add(Task(
    id="09.fresh-at-best",
    title="How fresh, at that TTL?",
    prompt="A number in % (0–100): the share of answers that are fresh at your best TTL.",
    reference=lambda: _reference_tradeoff().fresh_pct,
    compare=checks.number(abs=0.05, unit="%"),
    hints=[
        "Is this the freshness of cached answers, or of every answer a customer gets?",
        "The fresh share at the best TTL, × 100.",
    ],
    misconceptions=[
        Misconception("a fraction", "That is a fraction; the task asks for a percentage.",
                      lambda: _reference_tradeoff().fresh_pct / 100),
        Misconception("only cached answers", "That is the freshness of *cached* answers. Misses are fresh too: what "
                      "share of *all* answers is fresh?",
                      lambda: 100 * cache_at(_rates(), _reference_tradeoff().ttl_s).cached_fresh_share),
        Misconception("the hit ratio", "That is the hit ratio at the TTL, not the share of fresh answers.",
                      lambda: _reference_tradeoff().hit_ratio_pct),
    ],
))


def _digest_compare(answer: Any, expected: TradeOff) -> checks.Verdict:
    if not isinstance(answer, str):
        return checks.not_yet(f"Expected your digest as a string of Markdown; got {checks.describe(answer)}.")
    if not answer.strip():
        return checks.Verdict(checks.NOT_ATTEMPTED, "The digest is empty.")
    report = lint_digest(answer)
    if not report.passed:
        return checks.not_yet(f"The linter found {len(report.findings)} problem(s); first: {report.problems()[0]}")
    trade = report.sections.get("trade-off", "")
    numbers = _digest_numbers(trade)
    if not any(abs(n - expected.fresh_pct) <= 0.5 for n in numbers):
        return checks.not_yet("The trade-off's freshness is not the share of fresh answers you derived.")
    if not any(abs(n - SLO_MS) < 1e-9 for n in numbers):
        return checks.not_yet(f"The trade-off should name what you kept: the {SLO_MS:.0f} ms SLO.")
    return checks.OK


def _one_sided_digest() -> str:
    text = str(_reference_digest())
    start = text.index("**Trade-off:**")
    end = text.index("**Metrics:**")
    return text[:start] + f"**Trade-off:** a {_reference_tradeoff().ttl_s:.0f} s TTL on the stock cache.\n\n" + text[end:]


def _reference_digest() -> Digest:
    t = _reference_tradeoff()
    facts = DigestFacts(p99_ms=_default_p99(), max_load_rps=_default_max_load(), abandonment_pct=_default_abandonment(),
                        revenue_range=_default_revenue(), ttl_s=t.ttl_s, fresh_pct=t.fresh_pct,
                        p99_no_cache_ms=t.p99_no_cache_ms)
    return digest_from(facts)


TASKS.add(Task(
    id="09.digest",
    title="Write the digest",
    prompt="Your digest as a Markdown string with Progress, Trade-off, Metrics and Next, which passes lint_digest; "
           "its trade-off must quote your derived share of fresh answers and the 200 ms SLO.",
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

TASKS.add(Task(
    id="09.adaptive-ttl",
    title="Stretch: one TTL per key",
    prompt="Give each key its own TTL, T = c/λ (keys with λ = 0 get TTL_MAX_S × 10 s, and no TTL exceeds that). "
           "Scan c = 0.01, 0.02, …, 3.00 and take the smallest c whose 24-item call p99 is at most 200 ms. What share "
           "of answers is fresh then, in %?",
    reference=adaptive_fresh_pct,
    compare=checks.number(abs=0.05, unit="%"),
    stretch=True,
    hints=[
        "With T = c/λ, what is λT for every key, and so what is every key's cached freshness?",
        "For each c: TTL per key, h per key, H = Σ weight·h, the call p99 from H as before; stop at the first c that "
        "meets 200 ms, then compute the fresh share with those TTLs.",
    ],
    misconceptions=[
        Misconception("the single TTL's freshness", "That is the freshness of one TTL for every key. What happens when "
                      "fast-changing keys get short TTLs and stable ones long TTLs?",
                      lambda: _reference_tradeoff().fresh_pct),
        Misconception("a fraction", "That is a fraction; the task asks for %.", lambda: adaptive_fresh_pct() / 100),
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

