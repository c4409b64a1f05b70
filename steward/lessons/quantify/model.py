"""Module 04's model: the maths as small pure functions.

Percentiles and why averaging them is wrong, throughput scaled from a sampled log, latency
against load, SLO compliance, error budgets and burn rates (SRE workbook), queueing (M/M/1,
M/M/c with Erlang C, Little's law), tail at scale, and a coordinated-omission simulation.
The widgets (``views``) and the tasks (``exercise``) are thin layers over these.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from steward.checks import require_frame
from steward.datagen import load
from steward.datasets import requests as requests_data

MODULE = "04"

#: Cartwheel's recommendation SLO (as in module 00): 99.9% of requests are *good* over a
#: rolling 30-day window. Good = a non-5xx answer within the 200 ms latency objective.
SLO = 0.999
LATENCY_SLO_MS = 200.0
WINDOW_DAYS = 30
#: The essay's sentence: "under 10 ms latency at 20,000 requests per second".
TARGET_MS = 10.0
TARGET_Q = 0.99
ESSAY_RPS = 20_000.0
SAMPLE_RATE = requests_data.SAMPLE_RATE
LOG_DAYS = requests_data.DAYS
INCIDENT_START = requests_data.INCIDENT_START
INCIDENT_END = requests_data.INCIDENT_END
#: How the load is estimated: sampled requests per window, scaled; windows binned.
LOAD_WINDOW = "10min"
LOAD_BIN_RPS = 1000.0
PERCENTILES = {"p50": 0.5, "p95": 0.95, "p99": 0.99, "p99.9": 0.999}

#: The multi-window, multi-burn-rate alerts of the SRE workbook (ch. 5, table 5-8), for a
#: 30-day SLO: (action, long window, short window, burn rate, share of budget consumed).
BURN_ALERTS = (
    ("page", "1h", "5min", 14.4, 0.02),
    ("page", "6h", "30min", 6.0, 0.05),
    ("ticket", "3D", "6h", 1.0, 0.10),
)


def requests_log() -> pd.DataFrame:
    """The week of sampled requests (a fresh copy)."""
    return load("requests")


# -- validation -------------------------------------------------------------------------
def _require_frame(frame: Any, columns: Iterable[str]) -> pd.DataFrame:
    """A non-empty DataFrame with ``columns``, or a ValueError that says what is wrong."""
    return require_frame(frame, columns, "requests")


def _latencies(values: Any) -> np.ndarray:
    """Finite latencies as a float array; NaNs dropped; empty → ValueError."""
    try:
        array = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError("latencies must be numbers") from None
    array = array[np.isfinite(array)]
    if array.size == 0:
        raise ValueError("there are no latencies to summarise")
    return array


def _quantile(q: Any) -> float:
    if isinstance(q, bool) or not isinstance(q, int | float | np.floating | np.integer) or not 0 <= float(q) <= 1:
        raise ValueError(f"a quantile is a number between 0 and 1 (0.99 for p99); got {q!r}")
    return float(q)


# -- percentiles ------------------------------------------------------------------------
def percentile(values: Any, q: float) -> float:
    """The ``q`` quantile of ``values`` (linear interpolation: what both NumPy and pandas
    use by default, so a learner's ``quantile`` gives the same number)."""
    return float(np.quantile(_latencies(values), _quantile(q)))


def percentile_label(q: float) -> str:
    """0.99 → "p99", 0.999 → "p99.9", 0.5 → "p50"."""
    return "p" + f"{100 * _quantile(q):.4f}".rstrip("0").rstrip(".")


def latency_summary(frame: pd.DataFrame, by: str = "endpoint") -> pd.DataFrame:
    """Requests, mean and p50/p95/p99/p99.9 latency (ms) per group, slowest p99 first.

    The mean sits far from every percentile because latency has a long right tail: a
    few very slow requests pull it up, while most requests are much faster than it."""
    frame = _require_frame(frame, [by, "latency_ms"])
    grouped = frame.groupby(by, observed=True)["latency_ms"]
    table = pd.DataFrame({"requests": grouped.size(), "mean": grouped.mean()})
    for name, q in PERCENTILES.items():
        table[name] = grouped.quantile(q)
    return table.sort_values("p99", ascending=False)


def p99_per_endpoint(frame: pd.DataFrame) -> pd.Series:
    """p99 latency (ms) per endpoint."""
    frame = _require_frame(frame, ["endpoint", "latency_ms"])
    return frame.groupby("endpoint")["latency_ms"].quantile(0.99).rename("p99_ms")


def p99_per_region(frame: pd.DataFrame) -> pd.Series:
    """p99 latency (ms) per serving region."""
    frame = _require_frame(frame, ["region", "latency_ms"])
    return frame.groupby("region")["latency_ms"].quantile(0.99).rename("p99_ms")


def window_percentiles(frame: pd.DataFrame, freq: str = "1h", q: float = 0.99) -> pd.Series:
    """The ``q`` latency percentile of each time window (windows without requests dropped):
    what a dashboard shows, one point per window."""
    frame = _require_frame(frame, ["timestamp", "latency_ms"])
    return frame.set_index("timestamp")["latency_ms"].resample(freq).quantile(_quantile(q)).dropna()


def averaged_percentile(frame: pd.DataFrame, freq: str = "1h", q: float = 0.99) -> float:
    """The mean of per-window percentiles: **not** a percentile of anything.

    Kept here, named, so the lesson can show how far it sits from the real one. A p99 is
    a statement about the slowest 1% of *requests*; averaging windows weighs a quiet hour
    with 400 requests the same as a busy one with 2,000, and smooths away the hours where
    the tail lives [Dean & Barroso 2013: aggregate histograms, never average percentiles]."""
    return float(window_percentiles(frame, freq, q).mean())


# -- throughput -------------------------------------------------------------------------
def window_seconds(freq: str) -> float:
    try:
        seconds = pd.Timedelta(pd.tseries.frequencies.to_offset(freq)).total_seconds()
    except (ValueError, TypeError):
        raise ValueError(f"{freq!r} is not a time window like '10min' or '1h'") from None
    if seconds <= 0:
        raise ValueError("a time window must be longer than zero")
    return seconds


def throughput_rps(frame: pd.DataFrame, freq: str = LOAD_WINDOW, sample_rate: float = SAMPLE_RATE) -> pd.Series:
    """Real requests per second in each window: sampled count × sample rate / window seconds.

    The log keeps 1 request in ``sample_rate``; forgetting to scale back up understates
    traffic by that factor."""
    frame = _require_frame(frame, ["timestamp"])
    if not sample_rate or sample_rate < 1:
        raise ValueError("the sample rate is 'one in N', so N ≥ 1")
    counts = frame.set_index("timestamp").resample(freq).size()
    return (counts * sample_rate / window_seconds(freq)).rename("rps")


def latency_vs_load(
    frame: pd.DataFrame, freq: str = LOAD_WINDOW, bin_rps: float = LOAD_BIN_RPS, q: float = TARGET_Q,
    sample_rate: float = SAMPLE_RATE,
) -> pd.DataFrame:
    """Latency percentile as a function of load.

    Each window's throughput is its load; windows are binned by load (``bin_rps`` wide,
    labelled by the lower edge) and the requests of all windows in a bin are pooled
    before taking the percentile (pooling, not averaging per-window percentiles)."""
    frame = _require_frame(frame, ["timestamp", "latency_ms"])
    if not bin_rps or bin_rps <= 0:
        raise ValueError("the load bin must be wider than 0 requests/s")
    window = frame["timestamp"].dt.floor(freq)
    counts = window.map(window.value_counts())
    load_rps = counts.to_numpy(dtype=float) * sample_rate / window_seconds(freq)
    bins = np.floor(load_rps / bin_rps) * bin_rps
    grouped = frame["latency_ms"].groupby(bins)
    table = pd.DataFrame({
        "windows": window.groupby(bins).nunique(),
        "requests": grouped.size(),
        "mean_ms": grouped.mean(),
        f"{percentile_label(q)}_ms": grouped.quantile(_quantile(q)),
    })
    table.index.name = "load_rps"
    return table


def max_load_under(
    frame: pd.DataFrame, threshold_ms: float = TARGET_MS, q: float = TARGET_Q, freq: str = LOAD_WINDOW,
    bin_rps: float = LOAD_BIN_RPS, sample_rate: float = SAMPLE_RATE, statistic: str = "percentile",
) -> float:
    """The load (requests/s) up to which the latency ``q`` percentile stays under
    ``threshold_ms`` in every load bin: the lower edge of the first bin that crosses it
    (or the top of the last bin if none does). ``statistic="mean"`` uses the mean
    instead, to show what that hides."""
    table = latency_vs_load(frame, freq, bin_rps, q, sample_rate)
    column = "mean_ms" if statistic == "mean" else f"{percentile_label(q)}_ms"
    crossed = table.index[table[column] >= threshold_ms]
    if len(crossed) == 0:
        return float(table.index.max() + bin_rps)
    return float(crossed.min())


# -- the sentence ----------------------------------------------------------------------
def performance_sentence(q: float, latency_ms: float, load_rps: float, window: str) -> str:
    """A claim with its three parts: a percentile, a load and a window."""
    return (f"{percentile_label(q)} latency under {latency_ms:g} ms at up to {load_rps:,.0f} requests/s, "
            f"measured over {window}")


def log_window(frame: pd.DataFrame) -> str:
    """The measurement window of a log, in words: "7 days (2024-03-04 to 2024-03-10)"."""
    frame = _require_frame(frame, ["timestamp"])
    first, last = frame["timestamp"].min(), frame["timestamp"].max()
    days = math.ceil((last - first) / pd.Timedelta(days=1))
    return f"{days} days ({first:%Y-%m-%d} to {last:%Y-%m-%d})"


def claim_from_data(frame: pd.DataFrame, threshold_ms: float = TARGET_MS, q: float = TARGET_Q) -> str:
    """The sentence filled from computed numbers, never typed in."""
    return performance_sentence(q, threshold_ms, max_load_under(frame, threshold_ms, q), log_window(frame))


_NUMBER = r"(\d{1,3}(?:[,\s]\d{3})+|\d+(?:\.\d+)?)\s*(k\b)?"
CLAIM_PARTS: dict[str, re.Pattern[str]] = {
    "a percentile (p99, p99.9, or '99th percentile')": re.compile(r"\bp\d{2}(?:\.\d+)?\b|\b\d{2}(?:\.\d+)?(?:th|st|nd|rd)?[\s-]*percentile", re.I),
    "a latency with its unit (e.g. 10 ms)": re.compile(r"\d(?:\.\d+)?\s*(?:ms|milliseconds?)\b", re.I),
    "a load (e.g. 14,000 requests/s)": re.compile(_NUMBER + r"\s*(?:requests?\s*(?:/|per)\s*s(?:ec(?:ond)?)?|req/s|rps|qps)\b", re.I),
    "a window (e.g. over 7 days, over a week)": re.compile(r"\b(?:\d+|a|one|two|seven)\s*(?:days?|weeks?|hours?|months?)\b", re.I),
}


def claim_missing(text: Any) -> list[str]:
    """Which of the claim's parts a sentence lacks ("it's fast" lacks all four)."""
    if not isinstance(text, str):
        return list(CLAIM_PARTS)
    return [name for name, pattern in CLAIM_PARTS.items() if not pattern.search(text)]


def claim_load(text: str) -> float | None:
    """The load a sentence quotes, in requests/s ("14,000 requests/s", "14k rps")."""
    match = CLAIM_PARTS["a load (e.g. 14,000 requests/s)"].search(text)
    if not match:
        return None
    value = float(re.sub(r"[,\s]", "", match.group(1)))
    return value * 1000 if match.group(2) else value


# -- SLO, error budget, burn rate ------------------------------------------------------
def good_requests(frame: pd.DataFrame, latency_slo_ms: float = LATENCY_SLO_MS) -> pd.Series:
    """True for a good request: not a server error (5xx) and answered within the latency
    objective. A 4xx is the client's mistake, so it does not spend our budget."""
    frame = _require_frame(frame, ["status", "latency_ms"])
    return (frame["status"] < 500) & (frame["latency_ms"] <= latency_slo_ms)


def bad_share(frame: pd.DataFrame, latency_slo_ms: float = LATENCY_SLO_MS) -> float:
    """The share of requests that are not good (the SLI's complement)."""
    return float(1 - good_requests(frame, latency_slo_ms).mean())


def burn_rate(frame: pd.DataFrame, slo: float = SLO, latency_slo_ms: float = LATENCY_SLO_MS) -> float:
    """How fast a period spends the error budget: its bad share / (1 − SLO). A burn rate
    of 1 spends exactly the whole budget over the SLO window [SRE workbook ch. 5]."""
    if not 0 < slo < 1:
        raise ValueError(f"an SLO is a fraction between 0 and 1, e.g. 0.999; got {slo}")
    return bad_share(frame, latency_slo_ms) / (1 - slo)


def budget_consumed(burn: float, hours: float, window_hours: float = WINDOW_DAYS * 24) -> float:
    """Share of a window's error budget spent by burning at ``burn`` for ``hours``:
    burn × hours / window (14.4 × 1 h / 720 h = 2%)."""
    if window_hours <= 0 or hours < 0 or burn < 0:
        raise ValueError("burn, hours and the window must be non-negative (the window positive)")
    return burn * hours / window_hours


def budget_remaining_percent(
    frame: pd.DataFrame, slo: float = SLO, window_days: float = WINDOW_DAYS, log_days: float = LOG_DAYS,
) -> float:
    """Percentage of the 30-day error budget left after the ``log_days`` this log covers,
    if they are the window's first days (traffic assumed weekly-periodic)."""
    return 100 * (1 - budget_consumed(burn_rate(frame, slo), log_days * 24, window_days * 24))


def incident_requests(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows inside the incident window."""
    frame = _require_frame(frame, ["timestamp"])
    return frame[(frame["timestamp"] >= INCIDENT_START) & (frame["timestamp"] < INCIDENT_END)]


def bad_share_by_window(frame: pd.DataFrame, freq: str = "5min") -> pd.Series:
    """The bad share of each window (what an error-rate dashboard shows)."""
    frame = _require_frame(frame, ["timestamp", "status", "latency_ms"])
    bad = (~good_requests(frame)).astype(float)
    bad.index = frame["timestamp"]
    return bad.resample(freq).mean().rename("bad_share")


def find_incident(frame: pd.DataFrame, freq: str = "10min", burn: float = 14.4, slo: float = SLO) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The longest run of windows burning faster than ``burn``: where an incident was."""
    shares = bad_share_by_window(frame, freq).fillna(0)
    hot = (shares / (1 - slo) > burn).to_numpy().copy()
    # A sampled window is noisy: bridge a single cool window between two hot ones.
    hot[1:-1] |= hot[:-2] & hot[2:]
    if not hot.any():
        raise ValueError(f"no {freq} window burns faster than {burn}×")
    runs = np.flatnonzero(np.diff(np.concatenate([[0], hot.astype(int), [0]])))
    starts, ends = runs[::2], runs[1::2]
    longest = int(np.argmax(ends - starts))
    step = pd.Timedelta(seconds=window_seconds(freq))
    return shares.index[starts[longest]], shares.index[ends[longest] - 1] + step


def burn_rate_table(frame: pd.DataFrame, at: pd.Timestamp, slo: float = SLO) -> pd.DataFrame:
    """The workbook's multi-window alerts evaluated at time ``at``: each alert fires only
    when both its long and its short window burn faster than its threshold (the long
    window proves it matters, the short one that it is still happening)."""
    frame = _require_frame(frame, ["timestamp", "status", "latency_ms"])
    at = pd.Timestamp(at)
    rows = []
    for action, long_w, short_w, threshold, _consumed in BURN_ALERTS:
        burns = {}
        for name, span in (("long", long_w), ("short", short_w)):
            inside = frame[(frame["timestamp"] > at - pd.Timedelta(span)) & (frame["timestamp"] <= at)]
            burns[name] = burn_rate(inside, slo) if len(inside) else float("nan")
        rows.append({
            "action": action, "long window": long_w, "short window": short_w, "threshold": threshold,
            "budget consumed at threshold": budget_consumed(threshold, pd.Timedelta(long_w) / pd.Timedelta("1h")),
            "long burn": burns["long"], "short burn": burns["short"],
            "fires": bool(burns["long"] > threshold and burns["short"] > threshold),
        })
    return pd.DataFrame(rows)


# -- queueing ----------------------------------------------------------------------------
def _utilization(rho: Any) -> np.ndarray:
    array = np.asarray(rho, dtype=float)
    if np.any(~np.isfinite(array)) or np.any(array < 0) or np.any(array >= 1):
        raise ValueError("utilization ρ must be in [0, 1): at ρ ≥ 1 the queue grows without limit")
    return array


def mm1_latency(rho: Any, service_ms: float = 1.0) -> Any:
    """Mean time in an M/M/1 system: service time / (1 − ρ). 2× at ρ = 0.5, 10× at 0.9,
    100× at 0.99: the hockey stick [textbook queueing; factsheet §5]."""
    if service_ms <= 0:
        raise ValueError("the service time must be positive")
    result = service_ms / (1 - _utilization(rho))
    return float(result) if np.ndim(result) == 0 else result


def erlang_c(c: int, a: Any) -> Any:
    """Probability that an arrival waits in an M/M/c queue with offered load ``a`` = λ/μ
    (Erlang C). Computed through the Erlang B recurrence, which never overflows:
    B₀ = 1, Bₖ = a·Bₖ₋₁ / (k + a·Bₖ₋₁); C = c·B / (c − a(1 − B)). For a ≥ c every
    arrival waits (returns 1)."""
    if isinstance(c, bool) or int(c) != c or c < 1:
        raise ValueError(f"the number of servers is a whole number ≥ 1; got {c!r}")
    c = int(c)
    load_a = np.asarray(a, dtype=float)
    if np.any(~np.isfinite(load_a)) or np.any(load_a < 0):
        raise ValueError("the offered load a = λ/μ must be a finite number ≥ 0")
    b = np.ones_like(load_a)
    for k in range(1, c + 1):
        b = load_a * b / (k + load_a * b)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_wait = np.where(load_a < c, c * b / (c - load_a * (1 - b)), 1.0)
    p_wait = np.clip(p_wait, 0.0, 1.0)
    return float(p_wait) if np.ndim(p_wait) == 0 else p_wait


def mmc_latency(rho: Any, c: int, service_ms: float = 1.0) -> Any:
    """Mean time in an M/M/c system at per-server utilization ρ: the service time plus
    the wait Wq = C(c, a) · service / (c(1 − ρ))."""
    if service_ms <= 0:
        raise ValueError("the service time must be positive")
    util = _utilization(rho)
    result = service_ms * (1 + erlang_c(c, util * c) / (c * (1 - util)))
    return float(result) if np.ndim(result) == 0 else result


def servers_needed(offered_load: float, max_wait_probability: float) -> int:
    """The fewest servers for which P(wait) ≤ ``max_wait_probability`` (Erlang C)."""
    if not 0 < max_wait_probability <= 1:
        raise ValueError("the target is a probability in (0, 1]")
    if offered_load < 0 or not math.isfinite(offered_load):
        raise ValueError("the offered load must be a finite number ≥ 0")
    c = max(1, math.floor(offered_load) + 1)
    while erlang_c(c, offered_load) > max_wait_probability:
        c += 1
    return c


def littles_law(throughput_rps: float, latency_ms: float) -> float:
    """Requests in flight on average, L = λ·W, with W in seconds."""
    if throughput_rps < 0 or latency_ms < 0:
        raise ValueError("throughput and latency cannot be negative")
    return throughput_rps * latency_ms / 1000


def fan_out_slow_share(servers: Any, p_slow: float) -> Any:
    """Share of requests that wait for at least one slow server when each of ``servers``
    is slow with probability ``p_slow``: 1 − (1 − p)ⁿ [Dean & Barroso 2013]."""
    n = np.asarray(servers, dtype=float)
    if not 0 <= p_slow <= 1:
        raise ValueError("p_slow is a probability between 0 and 1")
    if np.any(n < 0):
        raise ValueError("the fan-out is a number of servers ≥ 0")
    result = 1 - (1 - p_slow) ** n
    return float(result) if np.ndim(result) == 0 else result


def per_server_budget(servers: int, request_share: float = 0.01) -> float:
    """How rarely each server may be slow so that only ``request_share`` of fanned-out
    requests are: 1 − (1 − share)^(1/n)."""
    if servers < 1:
        raise ValueError("a request fans out to at least one server")
    return 1 - (1 - request_share) ** (1 / servers)


# -- coordinated omission ----------------------------------------------------------------
def _fifo_completions(arrivals: np.ndarray, service: np.ndarray) -> np.ndarray:
    """Completion times of a single FIFO server (Lindley's recursion, vectorised):
    cᵢ = Sᵢ + maxⱼ≤ᵢ (aⱼ − Sⱼ₋₁) with S the running sum of service times."""
    total = np.cumsum(service)
    return total + np.maximum.accumulate(arrivals - (total - service))


def simulate_load_test(
    rate_rps: float = 200.0, stall_s: float = 2.0, duration_s: float = 60.0, service_ms: float = 1.0,
    stall_at_s: float = 30.0,
) -> dict[str, np.ndarray]:
    """Latencies (ms) two load generators record against one server that stalls for
    ``stall_s`` seconds (a GC pause, a failover) at ``stall_at_s``.

    - **open loop** (wrk2): sends on a fixed schedule, ``rate_rps``, whatever happens, and
      measures each latency from the request's *intended* send time;
    - **closed loop** (a naive benchmark): one connection that waits for each response
      before sending the next, so during the stall it sends nothing and records a single
      slow request [Tene; giltene/wrk2 README].
    """
    if rate_rps <= 0 or duration_s <= 0 or service_ms <= 0 or stall_s < 0:
        raise ValueError("rate, duration and service time must be positive; the stall ≥ 0")
    service = service_ms / 1000
    if rate_rps * service >= 1:
        raise ValueError("the server cannot keep up with this rate even without a stall (ρ ≥ 1)")
    if not 0 <= stall_at_s <= duration_s:
        raise ValueError("the stall must start inside the test")
    interval = 1 / rate_rps
    # Open loop: the stall is a job that arrives at stall_at_s and holds the server.
    sends = np.arange(0, duration_s, interval)
    arrivals = np.append(sends, stall_at_s)
    durations = np.append(np.full(len(sends), service), stall_s)
    order = np.argsort(arrivals, kind="stable")
    done = np.empty_like(arrivals)
    done[order] = _fifo_completions(arrivals[order], durations[order])
    open_loop = (done[:-1] - sends) * 1000
    # Closed loop: one request in flight; the next goes out on schedule or when the last returns.
    before = np.arange(0, stall_at_s, interval)
    latencies = [np.full(len(before), service)]
    last = before[-1] if len(before) else -interval
    stall_end = max(stall_at_s, last + service) + stall_s
    send = last + interval
    if send < duration_s:
        finish = max(send, stall_end) + service
        latencies.append(np.array([finish - send]))
        after = np.arange(max(send + interval, finish), duration_s, interval)
        latencies.append(np.full(len(after), service))
    closed_loop = np.concatenate(latencies) * 1000
    return {"open loop": open_loop, "closed loop": closed_loop}


def load_test_summary(result: dict[str, np.ndarray]) -> pd.DataFrame:
    """Requests recorded and p50/p99/p99.9/max (ms) for each generator."""
    rows = {}
    for name, latency in result.items():
        rows[name] = {"requests": len(latency), **{k: float(np.quantile(latency, q)) for k, q in PERCENTILES.items()},
                      "max": float(latency.max())}
    return pd.DataFrame(rows).T


# -- what the widgets show (pure: control values in, state out) ----------------------
_RHO = np.linspace(0, 0.99, 200)


def queueing_state(utilization: float, servers: int, service_ms: float) -> dict[str, Any]:
    """Everything the queueing explorer shows, from its three controls."""
    rho = float(utilization)
    if not 0 <= rho < 1:
        raise ValueError("utilization must be in [0, 1)")
    c = int(servers)
    if c < 1 or service_ms <= 0:
        raise ValueError("at least one server and a positive service time")
    throughput = rho * c * 1000 / service_ms
    mm1 = mm1_latency(rho, service_ms)
    mmc = mmc_latency(rho, c, service_ms)
    return {
        "utilization": rho, "servers": c, "service_ms": float(service_ms),
        "mm1_ms": mm1, "mmc_ms": mmc, "mm1_multiplier": mm1 / service_ms, "mmc_multiplier": mmc / service_ms,
        "p_wait": erlang_c(c, rho * c), "throughput_rps": throughput,
        "in_flight": littles_law(throughput, mmc),
        "curve_mmc": mmc_latency(_RHO, c, 1.0),
    }


P_SLOW_OPTIONS = (("1 in 100 (the server's p99)", 0.01), ("1 in 1,000 (p99.9)", 0.001), ("1 in 10,000 (p99.99)", 0.0001))
_FAN = np.unique(np.round(np.logspace(0, np.log10(2000), 200)))


def fan_out_state(servers: int, p_slow: float) -> dict[str, Any]:
    """What the tail-at-scale widget shows: the share of requests that wait for a slow
    server, and how rare slowness must be per server to keep 1% of requests slow."""
    n = int(servers)
    share = fan_out_slow_share(n, p_slow)
    return {"servers": n, "p_slow": float(p_slow), "slow_share": share,
            "per_server_for_1pct": per_server_budget(n, 0.01)}


def load_test_state(stall_s: float, rate_rps: int) -> dict[str, Any]:
    """The coordinated-omission widget's state: both generators' percentiles."""
    result = simulate_load_test(rate_rps=float(rate_rps), stall_s=float(stall_s))
    qs = np.append(1 - np.logspace(-0.3, -4, 60), 0.99)  # one sort per generator for all quantiles
    open_q, closed_q = np.quantile(result["open loop"], qs), np.quantile(result["closed loop"], qs)
    return {
        "stall_s": float(stall_s), "rate_rps": float(rate_rps), "x": -np.log10(1 - qs[:-1]),
        "open": open_q[:-1], "closed": closed_q[:-1], "open_p99": float(open_q[-1]), "closed_p99": float(closed_q[-1]),
        "open_n": len(result["open loop"]), "closed_n": len(result["closed loop"]),
    }


# -- helpers of the tasks ------------------------------------------------------------
def _busiest_window(frame: pd.DataFrame) -> pd.DataFrame:
    rps = throughput_rps(frame)
    start = rps.idxmax()
    return frame[(frame["timestamp"] >= start) & (frame["timestamp"] < start + pd.Timedelta(LOAD_WINDOW))]


def peak_throughput(frame: pd.DataFrame, freq: str = "1h") -> float:
    """The busiest window's real throughput, requests/s."""
    return float(throughput_rps(frame, freq).max())


def in_flight_at_peak(frame: pd.DataFrame, statistic: str = "mean", sample_rate: float = SAMPLE_RATE) -> float:
    """Little's law in the busiest window: throughput × mean latency (in seconds)."""
    busiest = _busiest_window(frame)
    latency = busiest["latency_ms"].quantile(0.99) if statistic == "p99" else busiest["latency_ms"].mean()
    return littles_law(len(busiest) * sample_rate / window_seconds(LOAD_WINDOW), latency)
