"""Module 09 — engineer your visibility: derive the digest's trade-off, then write the digest.

The essay's example digest says: "Trade-off: chose 95% freshness over 100% to maintain our
200 ms latency SLA." This module makes the learner *derive* such a sentence, and find out what
it rests on.

**What the request log measures** is a whole recommendation call: ``latency_ms`` is the call's
server time, which already includes waiting for the stock levels of its 24 items, and
``cache_hit`` is a per-call flag (1: all 24 came from Redis; 0: the call made one batched
request to the inventory service). So the latency model is a mixture of *calls*: at a share H
of calls that hit, a call's CDF is H·F_hit + (1 − H)·F_miss, with F_hit and F_miss the log's
own hit and miss calls. At the log's own H it is the log, so its p99 is module 04's
(``cartwheel.call_p99_ms()``); a test holds them together.

**Which calls hit at a TTL T.** A miss fetches the call's stock set in one request and writes
it with one expiry, so the set behaves as one cache entry looked up at rate ρ: H = ρT/(1 + ρT)
[Jung, Berger & Balakrishnan, "Modeling TTL-based Internet caches", INFOCOM 2003]. The log was
recorded at today's TTL (``cartwheel.CACHE_TTL_TODAY_S``), which fixes ρ.

**Freshness** ("fresh" = the stock level had not changed since it was cached; not "in stock"):
a hit's age is uniform on [0, T], so a key with update rate λ gives a fresh cached answer with
probability (1 − e^{−λT})/(λT); misses are fresh; keys are weighted by their lookups
(``inventory_updates``). **Load**: (1 − H) × the canon's stock lookups per second reach the
inventory service.

**The result.** Over the week the call's p99 is within 200 ms at every TTL, with no cache at
all; only the 75-minute inventory incident needs a TTL, and how long rests on ~2,000 calls:
the lesson bootstraps it (a seeded multinomial resample of the log, vectorised), compares the
window with and without the incident, and a one-attempt client (or serve-stale-on-error).

**The digest**: a builder that fills Progress (with a Trade-off), Metrics and Next from the
learner's results of modules 04, 07 and 09 (with the curriculum's reference values when a
module was skipped), and a linter that takes any text.

The lesson is a package: ``model`` (the data, closed forms, latency, bootstrap, trade-off),
``digest`` (builder and linter), ``views`` (the explorer) and ``exercise`` (tasks, rubric).
Every name stays importable from ``steward.lessons.visibility``.

Results read here: ``04.p99_ms``, ``04.max_load_rps``, ``07.abandonment_pct`` (control,
treatment), ``07.revenue_range`` (low, high). Results kept: ``09.ttl_s``, ``09.freshness_pct``.
Module 11 calls :func:`_default_ttl` and may quote :func:`ttl_claim` for any TTL.
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
