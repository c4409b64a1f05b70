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

from steward import cartwheel
from steward.checks import require_frame
from steward.datagen import load
from steward.datasets import requests as requests_data

MODULE = "04"

#: Cartwheel's two SLOs, from the canon (module 00 introduced them, and the difference between a
#: request-based and a time-based SLO). Both are request-based, over a rolling 30 days:
#: availability = 99.9% of calls without a 5xx; latency = 99% of calls within 200 ms, i.e. the p99
#: of calls at most 200 ms. Each has its own error budget (0.1% and 1% of calls).
AVAILABILITY = cartwheel.AVAILABILITY
LATENCY = cartwheel.LATENCY
#: Aliases the exercise hands to learners: the availability objective and the latency threshold.
SLO = AVAILABILITY.objective
LATENCY_SLO_MS = float(LATENCY.threshold_ms)
WINDOW_DAYS = cartwheel.WINDOW_DAYS
#: The essay's sentence: "under 10 ms latency at 20,000 requests per second". Its load is the
#: canon's weekly peak; its 10 ms (at the p99, the lesson's reading) is module 04's own target.
TARGET_MS = 10.0
TARGET_Q = 0.99
ESSAY_RPS = float(cartwheel.PEAK_CALLS_PER_S)
#: The fleet's capacity (fixed size): load ÷ capacity is its utilisation ρ.
CAPACITY_RPS = float(cartwheel.FLEET_CAPACITY_CALLS_PER_S)
#: The call's fan-out: a call looks up its items' stock levels in parallel and waits for the slowest.
FAN_OUT = cartwheel.ITEMS_PER_CALL
SAMPLE_RATE = cartwheel.REQUEST_LOG_SAMPLING
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
    the same as a busy one with several times its requests, and smooths away the hours where
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
_PER_SECOND = r"(?:requests?|calls?|req|queries|lookups?)\s*(?:/\s*|\s+per\s+|\s+an?\s+)s(?:ec(?:ond)?s?)?\b|rps\b|qps\b"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
#: A window is a duration ("over 7 days", "a 7-day window", "168 hours"), a named period ("the week
#: of 4–10 March", "last week", "the past month") or dates ("2024-03-04 to 2024-03-10", "4–10 March",
#: "March 4-10"): a careful writer uses any of them.
_WINDOW = (
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|ten|fourteen|thirty)[\s-]*(?:days?|weeks?|hours?|months?)\b"
    r"|\b(?:this|last|past|previous|whole|full|entire|that|the|same)\s+(?:week|month|day|fortnight|weekend)\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    rf"|\b{_DAY}(?:\s*[–—-]\s*{_DAY})?\s+{_MONTH}"
    rf"|\b{_MONTH}\s+{_DAY}\b"
)
CLAIM_PARTS: dict[str, re.Pattern[str]] = {
    "a percentile (p99, p99.9, or '99th percentile')":
        re.compile(r"\bp\s?\d{2}(?:\.\d+)?\b|\b\d{2}(?:\.\d+)?(?:th|st|nd|rd)?[\s-]*(?:percentile|%ile)", re.I),
    "a latency with its unit (e.g. 10 ms)": re.compile(r"\d(?:\.\d+)?[\s-]*(?:ms|milliseconds?)\b", re.I),
    # The example must not be the answer: the load is what task 4 computes from the data.
    "a load in requests/s (e.g. 'at up to N requests/s', N from your analysis)":
        re.compile(_NUMBER + r"[\s-]*(?:" + _PER_SECOND + ")", re.I),
    "a window (e.g. over 7 days, over the week of 4–10 March)": re.compile(_WINDOW, re.I),
}
_LOAD_PART = "a load in requests/s (e.g. 'at up to N requests/s', N from your analysis)"


def claim_missing(text: Any) -> list[str]:
    """Which of the claim's parts a sentence lacks ("it's fast" lacks all four)."""
    if not isinstance(text, str):
        return list(CLAIM_PARTS)
    return [name for name, pattern in CLAIM_PARTS.items() if not pattern.search(text)]


def claim_loads(text: str) -> list[float]:
    """Every load a sentence quotes, in requests/s ("14,000 requests/s", "14k rps", "14 000 calls/s")."""
    if not isinstance(text, str):
        return []
    loads = []
    for match in CLAIM_PARTS[_LOAD_PART].finditer(text):
        value = float(re.sub(r"[,\s]", "", match.group(1)))
        loads.append(value * 1000 if match.group(2) else value)
    return loads


def claim_load(text: str) -> float | None:
    """The first load a sentence quotes, in requests/s, or None."""
    loads = claim_loads(text)
    return loads[0] if loads else None


# -- SLOs, error budgets, burn rates ------------------------------------------------------
def _slo(slo: Any) -> cartwheel.SLO:
    if not isinstance(slo, cartwheel.SLO):
        raise ValueError(f"pass one of the canon's SLOs (AVAILABILITY or LATENCY); got {slo!r}")
    return slo


def good_calls(frame: pd.DataFrame, slo: cartwheel.SLO = AVAILABILITY) -> pd.Series:
    """True for a call the SLO counts as good.

    Availability: the engine did not answer with a server error (5xx); a 4xx is the client's
    mistake, so it does not spend our budget. Latency: the call took at most the threshold
    (200 ms), whatever its status: a 504 that waited 300 ms for the inventory service is a
    failed call *and* a slow one, so it spends both budgets."""
    slo = _slo(slo)
    if slo.threshold_ms is not None:
        frame = _require_frame(frame, ["latency_ms"])
        return cartwheel.good_latency(frame["latency_ms"])
    frame = _require_frame(frame, ["status"])
    return frame["status"] < 500


def bad_share(frame: pd.DataFrame, slo: cartwheel.SLO = AVAILABILITY) -> float:
    """The share of calls the SLO counts as bad (the SLI's complement)."""
    return float(1 - good_calls(frame, slo).mean())


def burn_rate(frame: pd.DataFrame, slo: cartwheel.SLO = AVAILABILITY) -> float:
    """How fast a period spends the SLO's error budget: its bad share / (1 − objective). A
    burn rate of 1 spends exactly the whole budget over the SLO's window [SRE workbook ch. 5]."""
    slo = _slo(slo)
    return bad_share(frame, slo) / slo.error_budget


def latency_compliance(frame: pd.DataFrame) -> float:
    """The latency SLI over a set of calls: the share answered within the threshold."""
    return float(good_calls(frame, LATENCY).mean())


def budget_spent_percent(
    frame: pd.DataFrame, slo: cartwheel.SLO = AVAILABILITY, log_days: float | None = None,
) -> float:
    """Percentage of the SLO's 30-day error budget that the ``log_days`` this log covers spent
    (burn rate × log days ÷ window days; the log's traffic taken as typical of the window)."""
    slo = _slo(slo)
    days = LOG_DAYS if log_days is None else log_days
    return 100 * budget_consumed(burn_rate(frame, slo), days * 24, slo.window_days * 24)


def budget_consumed(burn: float, hours: float, window_hours: float = WINDOW_DAYS * 24) -> float:
    """Share of a window's error budget spent by burning at ``burn`` for ``hours``:
    burn × hours / window (14.4 × 1 h / 720 h = 2%)."""
    if window_hours <= 0 or hours < 0 or burn < 0:
        raise ValueError("burn, hours and the window must be non-negative (the window positive)")
    return burn * hours / window_hours


def budget_remaining_percent(
    frame: pd.DataFrame, slo: cartwheel.SLO = AVAILABILITY, log_days: float | None = None,
) -> float:
    """Percentage of the SLO's 30-day error budget left after the ``log_days`` this log covers,
    if they are the window's first days (traffic assumed weekly-periodic)."""
    return 100 - budget_spent_percent(frame, slo, log_days)


def incident_requests(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows inside the incident window."""
    frame = _require_frame(frame, ["timestamp"])
    return frame[(frame["timestamp"] >= INCIDENT_START) & (frame["timestamp"] < INCIDENT_END)]


def bad_share_by_window(frame: pd.DataFrame, freq: str = "5min", slo: cartwheel.SLO = AVAILABILITY) -> pd.Series:
    """The bad share of each window (what an error-rate dashboard shows)."""
    frame = _require_frame(frame, ["timestamp"])
    bad = (~good_calls(frame, slo)).astype(float)
    bad.index = frame["timestamp"]
    return bad.resample(freq).mean().rename("bad_share")


def find_incident(
    frame: pd.DataFrame, freq: str = "10min", burn: float = 14.4, slo: cartwheel.SLO = AVAILABILITY,
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The longest run of windows burning ``slo``'s budget faster than ``burn``: where an incident was."""
    slo = _slo(slo)
    shares = bad_share_by_window(frame, freq, slo).fillna(0)
    hot = (shares / slo.error_budget > burn).to_numpy().copy()
    # A sampled window is noisy: bridge a single cool window between two hot ones.
    hot[1:-1] |= hot[:-2] & hot[2:]
    if not hot.any():
        raise ValueError(f"no {freq} window burns faster than {burn}×")
    runs = np.flatnonzero(np.diff(np.concatenate([[0], hot.astype(int), [0]])))
    starts, ends = runs[::2], runs[1::2]
    longest = int(np.argmax(ends - starts))
    step = pd.Timedelta(seconds=window_seconds(freq))
    return shares.index[starts[longest]], shares.index[ends[longest] - 1] + step


def burn_rate_table(frame: pd.DataFrame, at: pd.Timestamp, slo: cartwheel.SLO = AVAILABILITY) -> pd.DataFrame:
    """The workbook's multi-window alerts evaluated at time ``at``: each alert fires only
    when both its long and its short window burn faster than its threshold (the long
    window proves it matters, the short one that it is still happening)."""
    frame = _require_frame(frame, ["timestamp", "status", "latency_ms"])
    slo = _slo(slo)
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


# -- calls in flight: Little's law gives the mean, a pool must hold the peaks ---------------------
def in_flight_by_window(
    frame: pd.DataFrame, freq: str = LOAD_WINDOW, statistic: str = "mean", sample_rate: float = SAMPLE_RATE,
) -> pd.Series:
    """Little's law in every window: L = λ·W, with λ the window's real throughput and W its
    calls' mean latency (s). Each value is the *mean* number in flight during that window; the
    series is how that mean moves over the week (with load, and with the downstream's speed).
    ``statistic="p99"`` puts each window's p99 in W instead (a misconception the task names)."""
    frame = _require_frame(frame, ["timestamp", "latency_ms"])
    grouped = frame.set_index("timestamp")["latency_ms"].resample(freq)
    latency = grouped.quantile(0.99) if statistic == "p99" else grouped.mean()
    rate = grouped.size() * sample_rate / window_seconds(freq)
    return (rate * latency / 1000).dropna().rename("in_flight")


def worst_in_flight(frame: pd.DataFrame, freq: str = LOAD_WINDOW, statistic: str = "mean",
                    sample_rate: float = SAMPLE_RATE) -> float:
    """The largest per-window L of the log: the fullest window, not necessarily the busiest."""
    return float(in_flight_by_window(frame, freq, statistic, sample_rate).max())


def in_flight_quantile(mean_in_flight: float, q: float = 0.999) -> int:
    """The ``q`` quantile of the number of calls in flight at a random instant, when L is their
    mean. With random (Poisson) arrivals and calls that do not wait for each other, the number in
    flight is Poisson with mean L, whatever the latency distribution (the M/G/∞ queue)."""
    if not math.isfinite(mean_in_flight) or mean_in_flight < 0:
        raise ValueError("the mean number in flight is a finite number ≥ 0")
    q = _quantile(q)
    top = int(mean_in_flight + 12 * math.sqrt(mean_in_flight) + 20)
    k = np.arange(top + 1)
    log_pmf = k * math.log(mean_in_flight) - mean_in_flight - np.array([math.lgamma(i + 1) for i in k]) \
        if mean_in_flight > 0 else np.where(k == 0, 0.0, -np.inf)
    cdf = np.cumsum(np.exp(log_pmf))
    return int(np.searchsorted(cdf, q - 1e-12))


def pool_sizes(frame: pd.DataFrame, freq: str = LOAD_WINDOW) -> dict[str, float]:
    """Candidate sizes for the engine's pool of in-flight calls, from the mean to the bound, with
    ``freq`` windows (the lesson uses hours; the exercise asks for 10 minutes)."""
    by_window = in_flight_by_window(frame, freq)
    busiest = float(by_window[throughput_rps(frame, freq).idxmax()])
    return {
        "mean in flight, busiest window (Little's law)": busiest,
        "p99.9 at an instant of that window (Poisson)": float(in_flight_quantile(busiest, 0.999)),
        "peak rate × the week's p99 latency (a rule of thumb)": littles_law(ESSAY_RPS, percentile(frame["latency_ms"], 0.99)),
        "mean in flight, fullest window": float(by_window.max()),
        "peak rate × the inventory client's worst case (the bound)": littles_law(ESSAY_RPS, cartwheel.INVENTORY.worst_case_ms),
    }


# -- the averaged-percentile demo: one sample for every number it quotes -------------------------
def averaging_demo(frame: pd.DataFrame, freq: str = "1h", q: float = 0.99) -> dict[str, float]:
    """The week's percentile of ``frame``, the mean of its per-window percentiles, and how many
    rows the windows of *the same sample* hold (the weights the average throws away)."""
    frame = _require_frame(frame, ["timestamp", "latency_ms"])
    rows = frame.set_index("timestamp")["latency_ms"].resample(freq).size()
    rows = rows[rows > 0]
    return {
        "rows": int(rows.sum()), "windows": len(rows),
        "true": percentile(frame["latency_ms"], q), "averaged": averaged_percentile(frame, freq, q),
        "fewest_rows": int(rows.min()), "most_rows": int(rows.max()),
    }


# -- uncertainty: bootstrap intervals --------------------------------------------------------------
#: Seed of the lesson's bootstrap draws (any seed gives the same interval within Monte Carlo error).
BOOTSTRAP_SEED = 20240311


def bootstrap_quantile(values: Any, q: float, resamples: int = 4000, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """The ``q`` quantile of ``resamples`` bootstrap resamples of ``values`` (drawn with
    replacement, same size), as ``np.quantile`` would compute it on each resample.

    Vectorised without building the resamples: with the values sorted, the k-th smallest of a
    resample is ``sorted[floor(n·U)]`` where U, the k-th smallest of n uniforms, is
    Beta(k, n − k + 1); the next one up is U + (1 − U)·Beta(1, n − k). Drawing those two per
    resample gives exactly the naive bootstrap's distribution in O(n log n + resamples), which
    is what lets a lesson bootstrap the p99.9 of 166,000 calls thousands of times in
    milliseconds [Efron 1979: the bootstrap; the order-statistic identity is textbook]."""
    x = np.sort(_latencies(values))
    n = x.size
    if isinstance(resamples, bool) or int(resamples) != resamples or resamples < 1:
        raise ValueError("the number of resamples is a whole number ≥ 1")
    rng = np.random.RandomState(seed)
    h = (n - 1) * _quantile(q)
    k = int(math.floor(h))
    frac = h - k
    u1 = rng.beta(k + 1, n - k, size=int(resamples))
    lower = x[np.minimum((n * u1).astype(int), n - 1)]
    if k + 1 >= n or frac == 0:
        return lower
    u2 = u1 + (1 - u1) * rng.beta(1, n - k - 1, size=int(resamples))
    upper = x[np.minimum((n * u2).astype(int), n - 1)]
    return lower + frac * (upper - lower)


def interval(draws: Any, level: float = 0.95) -> tuple[float, float]:
    """The percentile interval of bootstrap draws: their middle ``level`` share."""
    draws = _latencies(draws)
    if not 0 < level < 1:
        raise ValueError("the level is a share between 0 and 1, e.g. 0.95")
    tail = (1 - level) / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    return float(low), float(high)


def quantile_interval(values: Any, q: float, level: float = 0.95, resamples: int = 4000,
                      seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """A bootstrap percentile interval for the ``q`` quantile of ``values``."""
    return interval(bootstrap_quantile(values, q, resamples, seed), level)


def crossing_load(sampled_rows: np.ndarray, slow_rows: np.ndarray, load_rps: np.ndarray,
                  bin_rps: float = LOAD_BIN_RPS, q: float = TARGET_Q) -> np.ndarray:
    """The load where the p99 first reaches the threshold, from per-window counts.

    ``sampled_rows`` and ``slow_rows`` (rows at or above the threshold) are per window, with a
    leading resample axis if given 2-D; ``load_rps`` is each window's load. A bin's pooled p99
    reaches the threshold when the row at the quantile's lower index does (exact unless the
    threshold falls between that row and the next, where interpolation decides). Returns, per resample, the lower edge of the first such bin, or the
    top of the last bin when none crosses."""
    rows, slow, load = (np.atleast_2d(np.asarray(a, dtype=float)) for a in (sampled_rows, slow_rows, load_rps))
    bins = np.floor(load / bin_rps).astype(int)
    nbins = int(bins.max()) + 2
    offset = (np.arange(rows.shape[0]) * nbins)[:, None]
    flat = (bins + offset).ravel()
    size = rows.shape[0] * nbins
    pooled = np.bincount(flat, rows.ravel(), size).reshape(-1, nbins)
    pooled_slow = np.bincount(flat, slow.ravel(), size).reshape(-1, nbins)
    # The interpolated quantile at h = (n − 1)·q is at least the threshold when the row at floor(h)
    # (0-based, sorted) is: when at least n − floor(h) rows are at or above it.
    needed = pooled - np.floor((pooled - 1) * q + 1e-9)
    crossed = (pooled > 0) & (pooled_slow >= needed)
    top = nbins - np.argmax((pooled > 0)[:, ::-1], axis=1)  # one past the last bin with rows
    first = np.where(crossed.any(axis=1), crossed.argmax(axis=1), top)
    return first * bin_rps


def _window_counts(frame: pd.DataFrame, threshold_ms: float, freq: str) -> tuple[np.ndarray, np.ndarray]:
    frame = _require_frame(frame, ["timestamp", "latency_ms"])
    window = frame["timestamp"].dt.floor(freq)
    rows = window.value_counts().sort_index()
    slow = (frame["latency_ms"] >= threshold_ms).groupby(window).sum().reindex(rows.index, fill_value=0)
    return rows.to_numpy(dtype=float), slow.to_numpy(dtype=float)


def bootstrap_max_load(
    frame: pd.DataFrame, threshold_ms: float = TARGET_MS, q: float = TARGET_Q, resamples: int = 2000,
    seed: int = BOOTSTRAP_SEED, freq: str = LOAD_WINDOW, bin_rps: float = LOAD_BIN_RPS,
    sample_rate: float = SAMPLE_RATE,
) -> np.ndarray:
    """Bootstrap draws of :func:`max_load_under`: the load at which the p99 crosses ``threshold_ms``.

    A resample of the log's calls changes two things: how many calls each window holds (so its
    estimated load, and which bin it falls in) and how many of them are slow. The Poisson
    bootstrap draws both per window, each count Poisson around the observed one (a standard
    stand-in for resampling with replacement at this size), so 2,000 resamples of 166,000 calls
    cost two small arrays, not 2,000 group-bys."""
    rows, slow = _window_counts(frame, threshold_ms, freq)
    rng = np.random.RandomState(seed)
    slow_draw = rng.poisson(slow, size=(int(resamples), slow.size))
    fast_draw = rng.poisson(rows - slow, size=(int(resamples), rows.size))
    draw_rows = slow_draw + fast_draw
    load = draw_rows * sample_rate / window_seconds(freq)
    return crossing_load(draw_rows, slow_draw, load, bin_rps, q)


def max_load_by_counts(frame: pd.DataFrame, threshold_ms: float = TARGET_MS, q: float = TARGET_Q,
                       freq: str = LOAD_WINDOW, bin_rps: float = LOAD_BIN_RPS,
                       sample_rate: float = SAMPLE_RATE) -> float:
    """:func:`max_load_under` by counting slow rows per bin (what the bootstrap resamples)."""
    rows, slow = _window_counts(frame, threshold_ms, freq)
    return float(crossing_load(rows, slow, rows * sample_rate / window_seconds(freq), bin_rps, q)[0])
