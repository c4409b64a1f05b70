"""``failure_modes``: how Cartwheel's recommendation engine can fail, scored for an FMEA.

A hand-authored table, not a random one: each row is a failure mode the team wrote down
in a design review, with the scores a team would give it in business hours and the facts
the 3 AM lens needs (who or what would notice, how long that takes in the day, how many
people and which specialists the repair needs). Occurrence is *derived* from the expected
events per year through :data:`OCCURRENCE_SCALE`, so the score and the rate cannot drift.
Nothing is random; the generator is deterministic by construction.
"""

from __future__ import annotations

import pandas as pd

from steward import cartwheel
from steward.datagen import Column, Dataset

#: The latency SLO's threshold, as the effect texts quote it (the canon's, never typed in).
_SLO_MS = f"{cartwheel.LATENCY.threshold_ms:.0f} ms"
#: The inventory client's backoff in the retry storm's words (the canon's client retries at once).
_BACKOFF = "no backoff" if cartwheel.INVENTORY.backoff.startswith("none") else f"backoff {cartwheel.INVENTORY.backoff}"

#: Occurrence score from expected events per year (the lower bound of each band). A
#: scenario choice for Cartwheel, written down so two people score the same rate alike.
OCCURRENCE_SCALE: tuple[tuple[float, int], ...] = (
    (12.0, 8), (6.0, 7), (3.0, 6), (1.0, 5), (0.5, 4), (0.2, 3), (0.0, 2),
)

#: How a failure gets noticed. "page": an automated alert wakes the on-call engineer.
#: "ticket": an automated alert files a ticket that a person reads in business hours.
#: "human": nobody is alerted; a person has to notice (a dashboard, a customer complaint).
CHANNELS = ("page", "ticket", "human")


def occurrence_score(per_year: float) -> int:
    """The 1–10 occurrence score of a failure expected ``per_year`` times a year."""
    if not per_year >= 0:
        raise ValueError(f"a rate of failures per year is a number ≥ 0; got {per_year!r}")
    return next(score for low, score in OCCURRENCE_SCALE if per_year >= low)


# mode_id, failure_mode, component, effect, severity, detection, per_year, detected_by,
# channel, detect_minutes, crew, needs_expert, repair_minutes
_MODES: tuple[tuple, ...] = (
    ("FM01", "Redis primary down", "redis",
     f"cache misses fall through to the inventory service; the p99 of calls passes {_SLO_MS} and some recommendations time out",
     7, 3, 2.0, "SLO burn-rate page on recommendation errors", "page", 5, 2, False, 30),
    ("FM02", "Redis slow (memory pressure, evictions)", "redis",
     "p99 latency creeps up through the evening; the SLO burns slowly",
     5, 5, 6.0, "slow-burn SLO page (6 h window)", "page", 60, 1, False, 45),
    ("FM03", "Inventory service slow", "inventory-service",
     f"calls hit the {cartwheel.INVENTORY.timeout_ms:.0f} ms client timeout; recommendations fall back to cached stock or come back empty",
     6, 4, 12.0, "latency page on the inventory client", "page", 10, 2, True, 60),
    ("FM04", "Bad deploy: ranking regression", "recommendation-engine",
     "no errors, but the engine recommends out-of-stock and irrelevant items; conversion drops",
     5, 4, 6.0, "merchandising notices click-through falling on a dashboard", "human", 120, 1, False, 20),
    ("FM05", "Bad deploy: crash on start", "recommendation-engine",
     "new pods crash-loop; capacity shrinks while the rollout continues",
     8, 2, 4.0, "canary error-rate page", "page", 3, 1, False, 10),
    ("FM06", "Traffic spike beyond capacity", "recommendation-engine",
     "a sale or a bot flood saturates the pods; latency and errors rise for everyone",
     7, 3, 3.0, "SLO burn-rate page", "page", 5, 2, False, 40),
    ("FM07", "Network partition between zones", "network",
     "pods in one zone lose the Redis primary; writes on the minority side are lost after failover",
     8, 4, 0.5, "error-rate page, then a hunt for the cause", "page", 10, 3, True, 90),
    ("FM08", "Clock skew on a cache node", "redis",
     "TTLs run fast or slow; stock levels go stale or expire early with no error anywhere",
     4, 10, 0.3, "someone compares timestamps while debugging something else", "human", 480, 1, False, 30),
    ("FM09", "Expired TLS certificate on the inventory API", "inventory-service",
     "every inventory call fails its handshake; only stale cached stock is left",
     9, 3, 0.5, "error-rate page", "page", 5, 1, True, 60),
    ("FM10", "Full disk on the Redis host", "redis",
     "persistence fails and Redis refuses writes; the cache stops updating and serves stale stock",
     6, 5, 1.0, "disk-usage ticket at 85%", "ticket", 30, 1, False, 30),
    ("FM11", "Retry storm against the inventory service", "inventory-service",
     f"timeouts trigger retries at every layer (our client: {cartwheel.INVENTORY.attempts} attempts of "
     f"{cartwheel.INVENTORY.timeout_ms:.0f} ms, {_BACKOFF}); load multiplies and the inventory service falls over",
     9, 4, 1.0, "error-rate page", "page", 5, 3, True, 90),
    ("FM12", "Lost cache invalidations (stuck consumer)", "redis",
     "stock changes stop reaching the cache; sold-out items are recommended and oversold",
     8, 4, 2.0, "support tickets from customers whose orders were cancelled", "human", 240, 1, False, 30),
    ("FM13", "Acknowledged writes lost on Redis failover", "redis",
     "a few seconds of stock updates vanish; counts are wrong until the next refresh",
     3, 9, 2.0, "nobody, unless an audit compares the cache with the inventory service", "human", 720, 1, False, 15),
    ("FM14", "Hot key overloads one Redis shard", "redis",
     "one best-selling product's key saturates a shard; requests on that shard slow down",
     5, 4, 4.0, "shard latency page", "page", 15, 2, False, 45),
    ("FM15", "Fallback path broken and never exercised", "recommendation-engine",
     "the next time the inventory service is slow, there is no fallback and the page errors",
     7, 5, 0.5, "nightly synthetic check files a ticket", "ticket", 60, 1, False, 40),
    ("FM16", "Connection pool exhausted", "recommendation-engine",
     "slow inventory responses hold every connection; new requests queue and time out",
     6, 3, 4.0, "latency page", "page", 5, 1, False, 20),
    ("FM17", "DNS failure for the inventory service", "network",
     "the engine cannot resolve the inventory service; calls fail until resolvers recover",
     8, 4, 0.5, "error-rate page", "page", 5, 2, True, 45),
    ("FM18", "Alerting pipeline silently down", "observability",
     "pages stop being delivered; any other failure now goes unnoticed",
     6, 5, 1.0, "someone notices a dashboard has gone flat", "human", 90, 1, True, 60),
    ("FM19", "Memory leak in engine pods", "recommendation-engine",
     "pods are OOM-killed every few hours; each restart drops in-flight requests and cold-starts the cache",
     5, 5, 4.0, "restart-count ticket", "ticket", 60, 1, False, 30),
    ("FM20", "Zone outage at the cloud provider", "network",
     "a third of capacity disappears; the rest must absorb the load",
     8, 2, 0.3, "error-rate page and the provider's status page", "page", 3, 2, False, 60),
    ("FM21", "Ranking model refresh fails silently", "recommendation-engine",
     "yesterday's model keeps serving; recommendations drift from what is in stock",
     4, 7, 4.0, "the data-science weekly review", "human", 1440, 1, False, 30),
)

_NAMES = ("mode_id", "failure_mode", "component", "effect", "severity", "detection", "per_year",
          "detected_by", "channel", "detect_minutes", "crew", "needs_expert", "repair_minutes")

COLUMNS = (
    Column("mode_id", "str", "", "stable identifier, FM01…"),
    Column("failure_mode", "str", "", "what goes wrong, in a few words"),
    Column("component", "str", "", "the part of the system that fails: redis, inventory-service, recommendation-engine, network, observability"),
    Column("effect", "str", "", "what customers and the business see"),
    Column("severity", "int", "score 1–10", "how bad the effect is when it happens (10 = worst)"),
    Column("occurrence", "int", "score 1–10", "how often it happens, derived from per_year by OCCURRENCE_SCALE (10 = most often)"),
    Column("detection", "int", "score 1–10", "how hard it is to notice in business hours (10 = we would not notice; 1 = we surely notice at once)"),
    Column("per_year", "float", "events per year", "expected number of occurrences in a year (the team's estimate)"),
    Column("detected_by", "str", "", "the signal that would reveal it"),
    Column("channel", "str", "", "page (an alert wakes someone), ticket (an alert waits for business hours) or human (a person must notice)"),
    Column("detect_minutes", "int", "minutes", "time from the failure to someone knowing, in business hours"),
    Column("crew", "int", "people", "people the repair needs working in parallel"),
    Column("needs_expert", "bool", "", "the repair needs a specialist who is not on call (another team, network, security)"),
    Column("repair_minutes", "int", "minutes", "time to repair once the crew is working on it"),
)


def _generate() -> pd.DataFrame:
    frame = pd.DataFrame(list(_MODES), columns=list(_NAMES))
    if frame.mode_id.duplicated().any():
        raise RuntimeError("failure_modes: duplicate mode_id")
    if not frame.channel.isin(CHANNELS).all():
        raise RuntimeError(f"failure_modes: channel must be one of {CHANNELS}")
    frame.insert(5, "occurrence", frame.per_year.map(occurrence_score))
    return frame[[c.name for c in COLUMNS]]


DATASET = Dataset(
    name="failure_modes",
    title="failure modes of the recommendation engine (an FMEA worksheet)",
    description="""
Twenty-one ways Cartwheel's recommendation engine can fail, as the team wrote them down in
a design review: the failing component, the effect, and the three FMEA scores (severity,
occurrence, detection, each 1–10, where 10 is worst). Hand-authored and deterministic (no
random numbers). Occurrence is derived from `per_year` by a fixed scale (≥12/yr → 8,
≥6 → 7, ≥3 → 6, ≥1 → 5, ≥0.5 → 4, ≥0.2 → 3, else 2). The last five columns feed the
"3 AM lens" of module 01: how a failure is noticed (`channel`), how long that takes in
business hours, and what the repair needs (people, a specialist, minutes). All numbers
are the scenario's estimates, not measurements of any real system.
""",
    columns=COLUMNS,
    generate=_generate,
    float_format="%.2f",
    used_by=("01",),
)
