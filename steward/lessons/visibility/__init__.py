"""Module 09 — engineer your visibility: derive the digest's trade-off, then write the digest.

The essay's example digest says: "Trade-off: chose 95% freshness over 100% to maintain our
200 ms latency SLA." This module makes the learner *derive* such a sentence:

**The cache-TTL model** (every formula is unit-tested against a Monte-Carlo simulation).
For one cache key (an item at one fulfilment centre) with lookups arriving as a Poisson
process at rate r and stock changes as a Poisson process at rate λ, and a cache entry that
is written on a miss and expires T seconds later:

- **hit ratio** h = rT / (1 + rT): each miss starts a window of length T in which rT
  lookups arrive on average, then the next lookup misses [Jung, Berger & Balakrishnan,
  "Modeling TTL-based Internet caches", INFOCOM 2003];
- **freshness of a cached answer** f = (1 − e^{−λT}) / (λT): a hit's age is uniform on
  [0, T] (Poisson arrivals within a window), and it is fresh if no change happened in its
  age, e^{−λ·age}, averaged over the age;
- **share of all answers that are fresh** = (1 − h) + h·f per key (a miss reads the source,
  so it is fresh), averaged over keys weighted by their lookups.

**The latency model.** Each lookup is a hit or a miss; hits and misses take the latencies
the ``requests`` log shows for them (its empirical distributions). A recommendation call
checks ``ITEMS_PER_CALL`` items in parallel and waits for the slowest, so its latency CDF is
F(x)^K with F = H·F_hit + (1 − H)·F_miss. Its p99 is the smallest x with F(x)^K ≥ 0.99,
found by a vectorised bisection. Assumptions (documented in the lesson): lookups in a call
are independent; day-average rates; any stock change makes a cached answer stale.

**The digest**: a builder that fills Progress (with a Trade-off), Metrics and Next from the
learner's results of modules 04, 07 and 09 (with the curriculum's reference values when a
module was skipped), and a linter that takes any text: every claim has a number and a
baseline, the trade-off names both sides, and "Next" names a partner.

Results read here: ``04.p99_ms``, ``04.max_load_rps``, ``07.abandonment_pct`` (control,
treatment), ``07.revenue_range`` (low, high). Results kept: ``09.ttl_s``, ``09.freshness_pct``.
"""

from __future__ import annotations

from typing import Any

from steward.lessons.visibility import digest, exercise, model, views

# Every name of the four parts, private helpers included, stays importable from
# ``steward.lessons.visibility`` as it was when the lesson was one file (module 11 calls
# ``visibility._default_ttl()``; the tests use the private reference builders).
for _part in (model, digest, views, exercise):
    globals().update({k: v for k, v in vars(_part).items() if not k.startswith("__") and k != "annotations"})
del _part


def __getattr__(name: str) -> Any:
    return exercise.__getattr__(name)
