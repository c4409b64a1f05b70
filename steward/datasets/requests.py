"""A week of sampled request logs from Cartwheel's recommendation engine.

The generator is a small model of a real service, so the numbers a learner computes
behave like the real thing:

- **Traffic** is an inhomogeneous Poisson process: a diurnal curve (trough near 05:00
  UTC, peak near 20:00 UTC) times a weekly one (weekends busier), peaking near 20,000
  requests/s. The log keeps a uniform random **1 in ``SAMPLE_RATE``** of requests, so a
  count times ``SAMPLE_RATE`` estimates real traffic.
- **Latency** is a log-normal body (a Redis cache hit, or a miss that calls the
  inventory service), times per-endpoint and per-region factors, plus a queueing delay
  that grows as ``ρ/(1−ρ)`` with the fleet's utilization ``ρ`` (a fixed fleet, no
  autoscaling), plus rare slow outliers (GC pauses, retries).
- **Causes of slowness** (module 06 tests "cache misses cause our p99"): misses are the
  main cause, but the ``cart`` endpoint is slower and misses more, ``ap-south`` runs on
  older hosts, the outliers strike hits and misses alike, and there is one incident.
- **The incident**: the inventory service degrades for 75 minutes on Thursday evening;
  misses get slow and many fail with 503/504.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from steward import cartwheel
from steward.datagen import Column, Dataset

SEED = 20240304
#: The log keeps one request in this many (uniform random sampling): the canon's figure.
SAMPLE_RATE = cartwheel.REQUEST_LOG_SAMPLING
START = pd.Timestamp("2024-03-04 00:00:00")  # a Monday
DAYS = 7
#: Requests/s the fleet can serve at 100% utilization (fixed size, no autoscaling).
CAPACITY_RPS = float(cartwheel.FLEET_CAPACITY_CALLS_PER_S)
PEAK_RPS = float(cartwheel.PEAK_CALLS_PER_S)
INCIDENT_START = pd.Timestamp("2024-03-07 19:35:00")
INCIDENT_END = pd.Timestamp("2024-03-07 20:50:00")

ENDPOINTS = ("home", "product", "cart", "search")
ENDPOINT_SHARE = (0.45, 0.30, 0.15, 0.10)
ENDPOINT_HIT_RATE = (0.92, 0.89, 0.72, 0.86)
ENDPOINT_FACTOR = (1.0, 1.05, 1.4, 1.1)
REGIONS = ("us-east", "eu-west", "ap-south")
REGION_SHARE = (0.50, 0.32, 0.18)
REGION_FACTOR = (1.0, 1.05, 1.3)

HIT_MEDIAN_MS, HIT_SIGMA = cartwheel.HIT_MEDIAN_MS, cartwheel.HIT_SIGMA
MISS_MEDIAN_MS, MISS_SIGMA = cartwheel.MISS_MEDIAN_MS, cartwheel.MISS_SIGMA
QUEUE_MS = 0.4  # mean queueing delay is QUEUE_MS · ρ/(1−ρ)
OUTLIER_RATE, OUTLIER_MEDIAN_MS, OUTLIER_SIGMA = (cartwheel.OUTLIER_RATE, cartwheel.OUTLIER_MEDIAN_MS,
                                                  cartwheel.OUTLIER_SIGMA)
#: A call whose inventory attempts all time out answers 504 after timeout × attempts (the canon's client).
TIMEOUT_TOTAL_MS = cartwheel.INVENTORY.worst_case_ms
SERVER_ERROR_RATE = 0.0002
CLIENT_ERRORS = ((400, 0.002), (404, 0.004), (429, 0.0005))


def traffic_shape(minutes: np.ndarray) -> np.ndarray:
    """Relative load (peak ≈ 1) at each minute since START: diurnal times weekly."""
    hour = (minutes / 60.0) % 24
    day = (minutes // (24 * 60)).astype(int) % 7  # 0 = Monday
    from_evening = (hour - 20.0 + 12.0) % 24 - 12.0  # circular distance, so 23:00 is near 20:00
    evening = np.exp(-0.5 * (from_evening / 3.4) ** 2)
    midday = 0.5 * np.exp(-0.5 * ((hour - 13.0) / 2.8) ** 2)
    daily = 0.2 + 0.8 * (evening + midday)
    weekly = np.array([0.90, 0.88, 0.90, 0.93, 0.96, 1.0, 0.98])[day]
    return daily * weekly


def rate_per_minute() -> pd.Series:
    """True requests/s in each minute of the week (the generator's ground truth)."""
    minutes = np.arange(DAYS * 24 * 60)
    shape = traffic_shape(minutes)
    rps = PEAK_RPS * shape / shape.max()
    return pd.Series(rps, index=START + pd.to_timedelta(minutes, unit="min"), name="rps")


def _generate() -> pd.DataFrame:
    rng = np.random.RandomState(SEED)
    rate = rate_per_minute()
    rps = rate.to_numpy()
    counts = rng.poisson(rps * 60.0 / SAMPLE_RATE)
    minute = np.repeat(np.arange(len(rps)), counts)
    n = len(minute)
    second = np.floor(rng.uniform(0, 60, n)).astype(int)
    order = np.lexsort((second, minute))
    minute, second = minute[order], second[order]
    timestamp = START + pd.to_timedelta(minute * 60 + second, unit="s")

    endpoint = rng.choice(len(ENDPOINTS), n, p=ENDPOINT_SHARE)
    region = rng.choice(len(REGIONS), n, p=REGION_SHARE)
    hit = rng.uniform(size=n) < np.asarray(ENDPOINT_HIT_RATE)[endpoint]

    rho = rps[minute] / CAPACITY_RPS
    body = np.where(
        hit,
        rng.lognormal(np.log(HIT_MEDIAN_MS), HIT_SIGMA, n),
        rng.lognormal(np.log(MISS_MEDIAN_MS), MISS_SIGMA, n) * (1 + 1.5 * rho**3),  # inventory also loaded
    )
    latency = body * np.asarray(ENDPOINT_FACTOR)[endpoint] * np.asarray(REGION_FACTOR)[region]
    latency += rng.exponential(QUEUE_MS * rho / (1 - rho))
    outlier = rng.uniform(size=n) < OUTLIER_RATE
    latency += np.where(outlier, rng.lognormal(np.log(OUTLIER_MEDIAN_MS), OUTLIER_SIGMA, n), 0.0)

    status = np.full(n, 200)
    u = rng.uniform(size=n)
    edge = 0.0
    for code, share in CLIENT_ERRORS:
        status[(u >= edge) & (u < edge + share)] = code
        edge += share
    status[(u >= edge) & (u < edge + SERVER_ERROR_RATE)] = 503

    # The incident: the inventory service degrades; misses slow down and many fail.
    ts = timestamp.to_numpy()
    during = (ts >= INCIDENT_START.to_datetime64()) & (ts < INCIDENT_END.to_datetime64())
    miss_in = during & ~hit
    latency = np.where(miss_in, latency * rng.uniform(3.0, 6.0, n), latency)
    latency = np.where(during & hit, latency * 1.25, latency)
    v = rng.uniform(size=n)
    fail_fast = miss_in & (v < 0.18)
    timeout = miss_in & (v >= 0.18) & (v < 0.26)
    status = np.where(fail_fast, 503, status)
    latency = np.where(fail_fast, rng.uniform(2.0, 15.0, n), latency)
    status = np.where(timeout, 504, status)
    latency = np.where(timeout, TIMEOUT_TOTAL_MS + rng.uniform(0.0, 3.0, n), latency)

    return pd.DataFrame({
        "timestamp": timestamp,
        "endpoint": np.asarray(ENDPOINTS)[endpoint],
        "region": np.asarray(REGIONS)[region],
        "status": status,
        "latency_ms": np.round(latency, 3),
        "cache_hit": hit.astype(int),
    })


DATASET = Dataset(
    name="requests",
    title="a week of sampled requests to the recommendation engine",
    description=f"""
One row per sampled request to Cartwheel's recommendation engine, {START:%Y-%m-%d} (a Monday) 00:00 to
{START + pd.Timedelta(days=DAYS):%Y-%m-%d} 00:00 UTC. **Sampling: a uniform random 1 in {SAMPLE_RATE:,}
requests**, so real throughput = sampled count × {SAMPLE_RATE:,} / window seconds. Real traffic peaks near
{PEAK_RPS:,.0f} requests/s on weekend evenings and bottoms out near 05:00 UTC.

Generated by `steward/datasets/requests.py` (seed {SEED}, `np.random.RandomState`): Poisson arrivals
per minute from a diurnal × weekly curve; latency = log-normal body (cache hit: median {HIT_MEDIAN_MS} ms;
miss, which calls the inventory service: median {MISS_MEDIAN_MS} ms) × endpoint factor (`cart` is slowest
and misses most) × region factor (`ap-south` runs on older hosts) + a queueing delay with mean
{QUEUE_MS} ms · ρ/(1−ρ) for fleet utilization ρ = load / {CAPACITY_RPS:,.0f} requests/s + rare slow outliers
({OUTLIER_RATE:.2%} of requests, median {OUTLIER_MEDIAN_MS:.0f} ms: GC pauses and retries). About 0.7% of
requests are client errors (400/404/429) and {SERVER_ERROR_RATE:.2%} fail with 503. **One incident:**
{INCIDENT_START:%Y-%m-%d %H:%M}–{INCIDENT_END:%H:%M} UTC the inventory service degrades: cache misses
take 3–6× longer, 18% of them fail fast with 503 and 8% time out with 504 after {TIMEOUT_TOTAL_MS:.0f} ms
(the inventory client's {cartwheel.INVENTORY.attempts} attempts × {cartwheel.INVENTORY.timeout_ms:.0f} ms timeout, from the canon).
""",
    columns=(
        Column("timestamp", "datetime", "UTC, to the second", "when the request arrived"),
        Column("endpoint", "str", "", "which recommendation surface asked: home, product, cart or search"),
        Column("region", "str", "", "the serving region: us-east, eu-west or ap-south"),
        Column("status", "int", "HTTP status", "200 = served; 4xx = the client's error; 5xx = ours (503 unavailable, 504 timeout)"),
        Column("latency_ms", "float", "ms", "time from arrival to the last byte of the response, measured at the server"),
        Column("cache_hit", "bool", "0/1", "1 if the stock levels came from Redis, 0 if the engine called the inventory service"),
    ),
    generate=_generate,
    float_format="%.3f",
    used_by=("04", "06", "09"),
)
