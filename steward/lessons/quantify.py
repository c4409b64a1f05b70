"""Module 04 — quantify everything: from "it's fast" to "p99 under 10 ms at N requests/s
over a week".

The maths lives here as small pure functions: percentiles and why averaging them is
wrong, throughput scaled from a sampled log, latency against load, SLO compliance,
error budgets and burn rates (SRE workbook), queueing (M/M/1, M/M/c with Erlang C,
Little's law), tail at scale, and a coordinated-omission simulation. The widgets and
the tasks are thin layers over them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from steward import checks, plotting
from steward.checks import require_frame
from steward.datagen import load
from steward.datasets import requests as requests_data
from steward.tasks import Misconception, Task, TaskSet
from steward.widgets import App, FigureView, dropdown, int_slider, slider, w

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


# -- static plots ------------------------------------------------------------------------
class Chart:
    """A static figure that shows itself in a notebook with one draw and a fast PNG
    encoding (the inline backend's tight bounding box draws every figure twice)."""

    def __init__(self, fig) -> None:
        self.fig = fig

    @property
    def title(self) -> str:
        return plotting.title_of(self.fig.axes[0])

    def _repr_png_(self) -> bytes:
        return plotting.png(self.fig)

    def __repr__(self) -> str:
        return f"<Chart: {self.title}>"


def chart(plot: Callable[..., None], *args: Any, width: float = 8.0, height: float = 3.4, **kwargs: Any) -> Chart:
    """Draw ``plot(ax, *args, **kwargs)`` on a new figure and return it as a :class:`Chart`."""
    fig, ax = plotting.new_figure(width, height)
    plot(ax, *args, **kwargs)
    return Chart(fig)


def plot_latency_histogram(ax, frame: pd.DataFrame) -> None:
    """Hits and misses on a log latency axis: two humps and a long tail."""
    frame = _require_frame(frame, ["latency_ms", "cache_hit"])
    bins = np.logspace(np.log10(0.3), np.log10(1000), 90)
    hit = frame["cache_hit"].astype(bool)
    hits, misses = frame.loc[hit, "latency_ms"], frame.loc[~hit, "latency_ms"]
    hit_counts, _ = np.histogram(hits, bins)
    miss_counts, _ = np.histogram(misses, bins)
    # Stairs (one polygon each) instead of bars: 2 artists instead of 180, drawn in a fraction of the time.
    ax.stairs(hit_counts + miss_counts, bins, fill=True, color=plotting.HIGHLIGHT,
              label=f"cache miss (median {misses.median():.1f} ms)")
    ax.stairs(hit_counts, bins, fill=True, color=plotting.GOOD, label=f"cache hit (median {hits.median():.1f} ms)")
    top = max(int((hit_counts + miss_counts).max()), 1) * 3
    ax.set_ylim(0.8, top)
    for name, q in PERCENTILES.items():
        value = frame["latency_ms"].quantile(q)
        ax.axvline(value, color=plotting.NEUTRAL, linestyle=":", linewidth=1)
        ax.text(value, top * 0.9, f" {name}\n {value:.1f}", fontsize=8, va="top")
    mean = frame["latency_ms"].mean()
    ax.axvline(mean, color=plotting.BAD, linewidth=1.2, label=f"mean {mean:.1f} ms")
    plotting.log_scale(ax, "xy")
    ax.legend(loc="center right", fontsize=8)
    plotting.finish(ax, "Two humps and a long tail: no single number describes it",
                    "latency (ms, log scale)", "sampled requests (log scale)")


def plot_throughput(ax, frame: pd.DataFrame) -> None:
    """Real requests/s per 10 minutes over the week."""
    rps = throughput_rps(frame)
    ax.plot(rps.index, rps.to_numpy(), color=plotting.GOOD, linewidth=0.8)
    ax.axhline(ESSAY_RPS, color=plotting.NEUTRAL, linestyle="--", linewidth=1)
    ax.text(rps.index[0], ESSAY_RPS, " 20,000 requests/s", va="bottom", fontsize=8)
    ax.axvspan(INCIDENT_START, INCIDENT_END, color=plotting.BAD, alpha=0.3, label="incident")
    ax.legend(loc="upper left", fontsize=8)
    plotting.finish(ax, f"Traffic swings {rps.max() / rps.min():.0f}× between night and evening",
                    "time (UTC)", "requests/s (scaled from the sample)")


def plot_window_percentiles(ax, frame: pd.DataFrame, freq: str = "1h") -> None:
    """Hourly p99s, their mean, and the real p99 of the week."""
    hourly = window_percentiles(frame, freq)
    true = percentile(frame["latency_ms"], 0.99)
    ax.plot(hourly.index, hourly.to_numpy(), color=plotting.NEUTRAL, linewidth=0.8, label="p99 of each hour")
    ax.axhline(hourly.mean(), color=plotting.BAD, linestyle="--", label=f"mean of hourly p99s: {hourly.mean():.2f} ms")
    ax.axhline(true, color=plotting.GOOD, label=f"p99 of the week's requests: {true:.2f} ms")
    plotting.log_scale(ax, "y")
    ax.legend(loc="upper left", fontsize=8)
    plotting.finish(ax, "The mean of hourly p99s is not the week's p99", "time (UTC)", "latency (ms, log scale)")


def plot_latency_vs_load(ax, table: pd.DataFrame, threshold_ms: float = TARGET_MS) -> None:
    """p99 and mean latency per load bin, with the threshold and where it is crossed."""
    column = [c for c in table.columns if c.startswith("p")][0]
    centres = table.index.to_numpy() + LOAD_BIN_RPS / 2
    ax.plot(centres, table[column], marker="o", color=plotting.BAD, label=column.replace("_ms", ""))
    ax.plot(centres, table["mean_ms"], marker="s", color=plotting.GOOD, label="mean")
    ax.axhline(threshold_ms, color=plotting.NEUTRAL, linestyle="--")
    crossed = table.index[table[column] >= threshold_ms]
    limit = float(crossed.min()) if len(crossed) else float(table.index.max() + LOAD_BIN_RPS)
    ax.axvline(limit, color=plotting.HIGHLIGHT, linestyle=":")
    ax.legend(loc="upper left", fontsize=8)
    plotting.finish(ax, f"p99 stays under {threshold_ms:g} ms only up to {limit:,.0f} requests/s",
                    "load (requests/s, 10-minute windows)", "latency (ms)")


def plot_bad_share(ax, frame: pd.DataFrame, slo: float = SLO) -> None:
    """Burn rate per 5 minutes over the week, with the 14.4× page threshold."""
    burn = bad_share_by_window(frame, "10min").fillna(0) / (1 - slo)
    ax.plot(burn.index, burn.to_numpy(), color=plotting.GOOD, linewidth=0.7)
    ax.axhline(14.4, color=plotting.BAD, linestyle="--", linewidth=1)
    ax.text(burn.index[0], 14.4, " 14.4× (page)", va="bottom", fontsize=8)
    plotting.finish(ax, f"One spike burns the budget {burn.max():.0f}× too fast", "time (UTC)",
                    "burn rate per 10 min (× sustainable)")


def plot_load_test(ax, result: dict[str, np.ndarray]) -> None:
    """Latency by percentile for both generators (a 'nines' x axis)."""
    qs = 1 - np.logspace(-0.3, -4, 60)
    x = -np.log10(1 - qs)
    for (name, latency), colour in zip(result.items(), (plotting.BAD, plotting.GOOD), strict=True):
        ax.plot(x, np.quantile(latency, qs), color=colour, label=name)
    plotting.log_scale(ax, "y")
    ax.set_xticks([1, 2, 3, 4])
    ax.set_xticklabels(["p90", "p99", "p99.9", "p99.99"])
    ax.legend(loc="upper left", fontsize=8)
    summary = load_test_summary(result)
    plotting.finish(ax, f"Same server, same stall: p99 {summary.loc['closed loop', 'p99']:.1f} ms vs "
                    f"{summary.loc['open loop', 'p99']:,.0f} ms", "percentile", "latency (ms, log scale)")


# -- widgets -----------------------------------------------------------------------------
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


class QueueingExplorer(App):
    """Utilization → latency for one queue (M/M/1) and a pool of c servers (M/M/c)."""

    title = "Queueing explorer: how busy can a server be before latency explodes?"

    def __init__(self) -> None:
        self.figure = FigureView(width=6.8, height=3.5, margins={"left": 0.11, "right": 0.95, "top": 0.97, "bottom": 0.14})
        ax = self.figure.ax
        ax.plot(_RHO, mm1_latency(_RHO, 1.0), color=plotting.BAD, label="M/M/1 (one queue)")
        (self._mmc,) = ax.plot(_RHO, _RHO * 0 + 1, color=plotting.GOOD, label="M/M/c (c servers, one queue)")
        (self._dot1,) = ax.plot([0.5], [2], "o", color=plotting.BAD)
        (self._dotc,) = ax.plot([0.5], [1], "s", color=plotting.GOOD)
        (self._now,) = ax.plot([0.5, 0.5], [1, 100], color=plotting.NEUTRAL, linestyle=":")
        plotting.log_scale(ax, "y")
        ax.set_ylim(0.9, 120)
        ax.set_xlim(0, 1)
        ax.legend(loc="upper left", fontsize=8)
        plotting.finish(ax, "…", "utilization ρ (share of time each server is busy)", "latency ÷ service time (log)")
        self.figure.animate(self._mmc, self._dot1, self._dotc, self._now)
        self.figure.title_as_caption(ax)
        self.text = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "utilization": slider("utilization ρ", 0.8, 0.0, 0.99, 0.01),
            "servers": int_slider("servers c", 4, 1, 32),
            "service_ms": slider("service time (ms)", 2.0, 0.5, 50.0, 0.5),
        }

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget, self.text])

    def compute(self, utilization: float, servers: int, service_ms: float) -> dict[str, Any]:
        return queueing_state(utilization, servers, service_ms)

    def draw(self, state: dict[str, Any]) -> None:
        rho = state["utilization"]
        self._mmc.set_ydata(state["curve_mmc"])
        self._dot1.set_data([rho], [state["mm1_multiplier"]])
        self._dotc.set_data([rho], [state["mmc_multiplier"]])
        self._now.set_xdata([rho, rho])
        self.figure.ax.set_title(
            f"{rho:.0%} busy: one queue {state['mm1_multiplier']:.1f}×, "
            f"{state['servers']} servers {state['mmc_multiplier']:.2f}× the service time")
        self.figure.render()
        self.text.value = (
            f"<b>Little's law</b>: {state['servers']} servers × {rho:.0%} busy ÷ {state['service_ms']:g} ms = "
            f"<b>{state['throughput_rps']:,.0f} requests/s</b>; at {state['mmc_ms']:.2f} ms each, "
            f"L = λW = <b>{state['in_flight']:,.1f} requests in flight</b>. "
            f"P(a request waits) = {state['p_wait']:.1%} (Erlang C).")


P_SLOW_OPTIONS = (("1 in 100 (the server's p99)", 0.01), ("1 in 1,000 (p99.9)", 0.001), ("1 in 10,000 (p99.99)", 0.0001))
_FAN = np.unique(np.round(np.logspace(0, np.log10(2000), 200)))


def fan_out_state(servers: int, p_slow: float) -> dict[str, Any]:
    """What the tail-at-scale widget shows: the share of requests that wait for a slow
    server, and how rare slowness must be per server to keep 1% of requests slow."""
    n = int(servers)
    share = fan_out_slow_share(n, p_slow)
    return {"servers": n, "p_slow": float(p_slow), "slow_share": share,
            "per_server_for_1pct": per_server_budget(n, 0.01)}


class TailAtScale(App):
    """Fan-out → share of requests that hit at least one slow server."""

    title = "Tail at scale: a request is as slow as its slowest server"

    def __init__(self) -> None:
        self.figure = FigureView(width=6.8, height=3.5, margins={"left": 0.11, "right": 0.95, "top": 0.97, "bottom": 0.14})
        ax = self.figure.ax
        for (label, p), colour in zip(P_SLOW_OPTIONS, (plotting.BAD, plotting.HIGHLIGHT, plotting.GOOD), strict=True):
            ax.plot(_FAN, 100 * fan_out_slow_share(_FAN, p), color=colour, label=f"each server slow {label.split(' (')[0]}")
        (self._dot,) = ax.plot([100], [63.4], "o", color=plotting.PALETTE["black"], markersize=8)
        (self._now,) = ax.plot([100, 100], [0, 100], color=plotting.NEUTRAL, linestyle=":")
        plotting.log_scale(ax, "x")
        ax.set_xlim(1, 2000)
        ax.set_ylim(0, 100)
        ax.legend(loc="upper left", fontsize=8)
        plotting.finish(ax, "…", "servers each request fans out to (log)", "requests that wait for a slow server (%)")
        self.figure.animate(self._dot, self._now)
        self.figure.title_as_caption(ax)
        self.text = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "servers": int_slider("fan-out (servers)", 100, 1, 2000),
            "p_slow": dropdown("each server is slow", list(P_SLOW_OPTIONS), 0.01),
        }

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget, self.text])

    def compute(self, servers: int, p_slow: float) -> dict[str, Any]:
        return fan_out_state(servers, p_slow)

    def draw(self, state: dict[str, Any]) -> None:
        n, share = state["servers"], state["slow_share"]
        self._dot.set_data([n], [100 * share])
        self._now.set_xdata([n, n])
        self.figure.ax.set_title(f"Fan out to {n:,} servers: {share:.1%} of requests wait for a slow one")
        self.figure.render()
        budget = state["per_server_for_1pct"]
        self.text.value = (f"To keep only 1% of requests slow at this fan-out, each server may be slow "
                           f"1 time in <b>{1 / budget:,.0f}</b>: its p{100 * (1 - budget):.4g}, not its p99.")


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


class CoordinatedOmission(App):
    """A server stalls; an open-loop and a closed-loop load generator report its tail."""

    title = "Coordinated omission: the benchmark that stops measuring when it matters"

    def __init__(self) -> None:
        self.figure = FigureView(width=6.8, height=3.5, margins={"left": 0.14, "right": 0.95, "top": 0.97, "bottom": 0.14})
        ax = self.figure.ax
        x = np.array([0.3, 4])
        (self._open,) = ax.plot(x, [1, 1], color=plotting.BAD, label="open loop (constant rate, wrk2)")
        (self._closed,) = ax.plot(x, [1, 1], color=plotting.GOOD, linestyle="--", label="closed loop (waits for each reply)")
        plotting.log_scale(ax, "y")
        ax.set_ylim(0.5, 10_000)
        ax.set_xlim(0.3, 4.1)
        ax.set_xticks([1, 2, 3, 4])
        ax.set_xticklabels(["p90", "p99", "p99.9", "p99.99"])
        ax.legend(loc="center right", fontsize=8)
        plotting.finish(ax, "…", "percentile", "recorded latency (ms, log)")
        self.figure.animate(self._open, self._closed)
        self.figure.title_as_caption(ax)
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "stall_s": slider("stall (s)", 2.0, 0.0, 5.0, 0.25),
            "rate_rps": int_slider("target rate (requests/s)", 200, 50, 900, 50),
        }

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget])

    def compute(self, stall_s: float, rate_rps: int) -> dict[str, Any]:
        return load_test_state(stall_s, rate_rps)

    def draw(self, state: dict[str, Any]) -> None:
        self._open.set_data(state["x"], state["open"])
        self._closed.set_data(state["x"], state["closed"])
        self.figure.ax.set_title(f"{state['stall_s']:g} s stall: closed loop p99 {state['closed_p99']:,.1f} ms, "
                                 f"open loop {state['open_p99']:,.1f} ms")
        self.figure.render()


#: Every widget of the lesson, by name (the benchmark and robustness tests drive them).
APPS: dict[str, Callable[[], App]] = {
    "queueing-explorer": QueueingExplorer,
    "tail-at-scale": TailAtScale,
    "coordinated-omission": CoordinatedOmission,
}


# -- tasks --------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)


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


TASKS.add(Task(
    id="04.p99-per-region",
    title="p99 latency per region",
    prompt="A Series (or dict): region → p99 latency in ms, over the whole week.",
    reference=lambda: p99_per_region(requests_log()),
    compare=checks.series(rel=1e-3, what="p99 (ms)"),
    hints=[
        "Which statistic describes what the slowest 1 in 100 requests of each region see?",
        "Group by region, then take the 0.99 quantile of latency_ms.",
    ],
    misconceptions=[
        Misconception("used the mean instead of the p99",
                      "That is each region's average. With a long tail, how much does the average tell you about "
                      "the slowest 1% of requests?",
                      lambda: requests_log().groupby("region")["latency_ms"].mean()),
        Misconception("used the p95",
                      "Those are p95s: the slowest 1 in 20. Which quantile is the slowest 1 in 100?",
                      lambda: requests_log().groupby("region")["latency_ms"].quantile(0.95)),
        Misconception("used the median",
                      "Those are medians: the typical request. Which quantile describes the tail?",
                      lambda: requests_log().groupby("region")["latency_ms"].median()),
    ],
))

TASKS.add(Task(
    id="04.week-p99",
    title="The week's p99 (the averaged-percentile trap)",
    prompt="One number, in ms: the p99 latency of all the week's requests. (The dashboard shows a p99 per "
           "hour; can you get the week's p99 from those?)",
    reference=lambda: percentile(requests_log()["latency_ms"], 0.99),
    compare=checks.number(rel=1e-3, unit="ms"),
    hints=[
        "Is the p99 of the week a statement about hours, or about requests?",
        "Take the 0.99 quantile of every request's latency_ms at once; do not go through the hourly values.",
    ],
    misconceptions=[
        Misconception("averaged the hourly p99s",
                      "That is the mean of the hourly p99s. A quiet hour and the incident's hour count the same in "
                      "that mean: does it describe the slowest 1% of the week's requests?",
                      lambda: averaged_percentile(requests_log(), "1h")),
        Misconception("took the median of the hourly p99s",
                      "That is the median of the hourly p99s: a typical hour, not the week's slowest 1% of requests.",
                      lambda: float(window_percentiles(requests_log(), "1h").median())),
        Misconception("took the worst hour's p99",
                      "That is the worst hour's p99. What do all the week's requests together say?",
                      lambda: float(window_percentiles(requests_log(), "1h").max())),
        Misconception("used the mean latency",
                      "That is the mean latency. Which quantile is the p99?",
                      lambda: float(requests_log()["latency_ms"].mean())),
    ],
))

TASKS.add(Task(
    id="04.peak-throughput",
    title="Peak throughput, scaled from the sample",
    prompt="The busiest hour's throughput in real requests per second (a number; hours start on the hour). "
           "The log keeps 1 request in SAMPLE_RATE.",
    reference=lambda: peak_throughput(requests_log()),
    compare=checks.number(rel=1e-3, unit="requests/s"),
    hints=[
        "How many real requests does each row of a sampled log stand for, and how many seconds are in an hour?",
        "Count rows per hour (resample('1h').size()), multiply by SAMPLE_RATE, divide by the hour's seconds, "
        "take the max.",
    ],
    misconceptions=[
        Misconception("forgot to scale the sample back up",
                      "That is the throughput of the *sample*. Each row stands for how many real requests?",
                      lambda: peak_throughput(requests_log()) / SAMPLE_RATE),
        Misconception("reported requests per hour, not per second",
                      "That is requests per hour. How many seconds does an hour last?",
                      lambda: peak_throughput(requests_log()) * 3600),
        Misconception("used 10-minute windows",
                      "That is the busiest 10-minute window, which also carries more sampling noise. The task asks "
                      "for the busiest hour.",
                      lambda: peak_throughput(requests_log(), LOAD_WINDOW)),
        Misconception("reported requests per minute",
                      "That looks like requests per minute. The task asks per second.",
                      lambda: peak_throughput(requests_log()) * 60),
    ],
))

TASKS.add(Task(
    id="04.max-load-under-target",
    title="The load at which p99 crosses 10 ms",
    prompt="Estimate each 10-minute window's load (real requests/s), put windows in 1,000 requests/s bins "
           "(the bin is floor(load / 1000) × 1000), pool the requests of each bin and take their p99. Up to what "
           "load does p99 stay under 10 ms? Report the lower edge of the first bin whose p99 is 10 ms or more.",
    reference=lambda: max_load_under(requests_log()),
    compare=checks.number(rel=1e-3, unit="requests/s"),
    hints=[
        "Which bins have a p99 of 10 ms or more, and which of those carries the least load?",
        "Map each request to its window's count (groupby the floored timestamp, transform('size')), scale to "
        "requests/s, floor to 1,000, then groupby that bin and take quantile(0.99).",
    ],
    misconceptions=[
        Misconception("used the mean latency per bin",
                      "The mean stays under 10 ms at every load. Which statistic does the sentence promise?",
                      lambda: max_load_under(requests_log(), statistic="mean")),
        Misconception("used the p95 per bin",
                      "That is where the p95 crosses 10 ms. The claim is about the p99.",
                      lambda: max_load_under(requests_log(), q=0.95)),
        Misconception("forgot to scale the sample back up",
                      "That load is in *sampled* requests/s. How many real requests does each row stand for?",
                      lambda: max_load_under(requests_log()) / SAMPLE_RATE),
    ],
))

TASKS.add(Task(
    id="04.budget-remaining",
    title="Error budget remaining",
    prompt="The SLO: 99.9% of requests are good (a non-5xx status within 200 ms) over 30 days. If this week is "
           "the first 7 days of the window, what percentage of the 30-day error budget is left? A number 0–100.",
    reference=lambda: budget_remaining_percent(requests_log()),
    compare=checks.number(rel=1e-3, unit="percent of the budget"),
    hints=[
        "What share of this week's requests were bad, and what share of 30 days' requests may be bad?",
        "Budget spent = bad share / (1 − SLO) × 7/30 (the burn rate times the share of the window that has "
        "passed). Left = 100 × (1 − spent). Bad = status ≥ 500 or latency_ms > 200.",
    ],
    misconceptions=[
        Misconception("counted 4xx as bad",
                      "You counted client errors (4xx) against the budget. Whose mistake is a 404?",
                      lambda: 100 * (1 - (((requests_log()["status"] >= 400) | (requests_log()["latency_ms"] > 200)).mean()
                                          / (1 - SLO)) * LOG_DAYS / WINDOW_DAYS)),
        Misconception("ignored slow requests",
                      "You counted only 5xx. The SLO also calls a request bad when it takes longer than what?",
                      lambda: 100 * (1 - ((requests_log()["status"] >= 500).mean() / (1 - SLO)) * LOG_DAYS / WINDOW_DAYS)),
        Misconception("reported the share spent",
                      "That is the share *spent*. The task asks what is left.",
                      lambda: 100 - budget_remaining_percent(requests_log())),
        Misconception("treated the week as the whole window",
                      "You compared the week's bad requests with a *week's* budget. The budget is for 30 days: "
                      "what share of it has this week used?",
                      lambda: 100 * (1 - burn_rate(requests_log()))),
    ],
))

TASKS.add(Task(
    id="04.incident-burn-rate",
    title="Burn rate during the incident",
    prompt="The burn rate during the incident (INCIDENT_START to INCIDENT_END, end excluded): how many times "
           "faster than sustainable did it spend the error budget? A number.",
    reference=lambda: burn_rate(incident_requests(requests_log())),
    compare=checks.number(rel=1e-3, unit="× the sustainable rate"),
    hints=[
        "If the budget allows 1 bad request in 1,000, how many times that rate were bad during the incident?",
        "Filter to the incident window, take the bad share (status ≥ 500 or latency_ms > 200), divide by (1 − SLO).",
    ],
    misconceptions=[
        Misconception("reported the bad share in percent",
                      "That is the bad share as a percentage. A burn rate compares it with the budget's share: "
                      "what is 1 − SLO?",
                      lambda: 100 * bad_share(incident_requests(requests_log()))),
        Misconception("reported the bad share as a fraction",
                      "That is the bad share. How many times the allowed share (1 − SLO) is it?",
                      lambda: bad_share(incident_requests(requests_log()))),
        Misconception("used the whole week",
                      "That is the week's burn rate. The task asks about the incident window only.",
                      lambda: burn_rate(requests_log())),
        Misconception("counted 4xx as bad",
                      "You counted client errors (4xx) as bad. Do they spend the budget?",
                      lambda: float(((incident_requests(requests_log())["status"] >= 400)
                                     | (incident_requests(requests_log())["latency_ms"] > 200)).mean() / (1 - SLO))),
    ],
))

TASKS.add(Task(
    id="04.in-flight",
    title="Requests in flight at the peak (Little's law)",
    prompt="In the busiest 10-minute window, how many requests are inside the engine at once, on average? Use "
           "that window's real throughput and its requests' mean latency. A number.",
    reference=lambda: in_flight_at_peak(requests_log()),
    compare=checks.number(rel=1e-3, unit="requests"),
    hints=[
        "Little's law says L = λW. What are λ and W here, and in which units must they meet?",
        "λ = the window's rows × SAMPLE_RATE / 600 (requests/s); W = the mean latency_ms in that window ÷ 1000.",
    ],
    misconceptions=[
        Misconception("left the latency in milliseconds",
                      "Your answer is 1,000× too big. λ is per second: what is W in seconds?",
                      lambda: in_flight_at_peak(requests_log()) * 1000),
        Misconception("used the p99 instead of the mean",
                      "Little's law relates *averages*: which latency statistic does W stand for?",
                      lambda: in_flight_at_peak(requests_log(), statistic="p99")),
        Misconception("forgot to scale the sample back up",
                      "That is the sample's concurrency. Each row stands for how many real requests?",
                      lambda: in_flight_at_peak(requests_log(), sample_rate=1)),
    ],
))


def _check_claim(answer: Any, expected: float) -> checks.Verdict:
    if not isinstance(answer, str):
        return checks.not_yet(f"Expected your sentence as a string; got {checks.describe(answer)}.")
    if not answer.strip():
        return checks.Verdict(checks.NOT_ATTEMPTED, "The sentence is empty.")
    missing = claim_missing(answer)
    if missing:
        return checks.not_yet(f"The sentence lacks {'; '.join(missing)}.")
    if not re.search(r"\bp99\b|\b99(?:th)?[\s-]*percentile", answer, re.I):
        return checks.not_yet("The target is about the p99; the sentence names another percentile.")
    if not re.search(rf"\b{TARGET_MS:g}\s*(?:ms|milliseconds?)\b", answer, re.I):
        return checks.not_yet(f"The target is {TARGET_MS:g} ms; the sentence quotes another latency.")
    load_rps = claim_load(answer)
    if load_rps is None or not math.isclose(load_rps, expected, rel_tol=0.02):
        return checks.not_yet("The load in the sentence is not the one your analysis of the data gives.")
    return checks.OK


TASKS.add(Task(
    id="04.claim",
    title="Turn 'it's fast' into a claim",
    prompt="One sentence, as a string, that the data supports: a percentile (p99), a latency (10 ms), the load "
           "up to which it holds (from your analysis, in requests/s) and the window it was measured over.",
    reference=lambda: max_load_under(requests_log()),
    compare=_check_claim,
    sample_answer=lambda: claim_from_data(requests_log()),
    hints=[
        "Which three things would someone need to check your claim: of which requests, under how much load, "
        "over what period?",
        "Write it like: 'p99 latency under 10 ms at up to N requests/s, measured over 7 days', with N from "
        "the load task.",
    ],
    misconceptions=[
        Misconception("quoted the essay's 20,000 requests/s",
                      "20,000 requests/s is the essay's number. Did our data show p99 under 10 ms at that load?",
                      lambda: performance_sentence(TARGET_Q, TARGET_MS, ESSAY_RPS, "7 days"),
                      matches=lambda a: isinstance(a, str) and claim_load(a) == ESSAY_RPS),
        Misconception("wrote an adjective, not a measurement",
                      "'Fast' compared with what? Which percentile, at what load, over which window?",
                      lambda: "The recommendation engine is fast.",
                      matches=lambda a: isinstance(a, str) and bool(a.strip()) and len(claim_missing(a)) == len(CLAIM_PARTS)),
    ],
))

_ERLANG_CASES = [(a, t) for a in (0.5, 1.0, 2.5, 4.0, 7.5, 12.0, 30.0) for t in (0.5, 0.2, 0.05, 0.01)]

TASKS.add(Task(
    id="04.servers-needed",
    title="Stretch: servers needed, by Erlang C",
    prompt="Write servers_needed(offered_load, max_wait_probability) → int: the fewest servers c for which an "
           "M/M/c queue with offered load a = λ/μ makes a request wait with probability at most "
           "max_wait_probability. Implement Erlang C yourself (a = 2.5: c = 3 → 70.2%, 4 → 32.0%, 5 → 13.0%, "
           "6 → 4.7%).",
    reference=lambda: servers_needed,
    compare=checks.function_on(lambda: _ERLANG_CASES, what="(offered load, max P(wait))"),
    stretch=True,
    hints=[
        "Below how many servers does the queue grow without bound, and what must you compute for each c above it?",
        "Start at c = floor(a) + 1 and increase c until erlang_c(c, a) ≤ the target. Erlang C: "
        "[aᶜ/c!·c/(c−a)] / [Σₖ<c aᵏ/k! + aᶜ/c!·c/(c−a)].",
    ],
    misconceptions=[
        Misconception("only made the queue stable",
                      "That is the fewest servers that keep up on average (c > a). How often does a request still "
                      "wait at that c?",
                      lambda: (lambda a, t: math.floor(a) + 1)),
        Misconception("capped utilization instead of P(wait)",
                      "You kept each server's utilization a/c under 1 − target. Is the chance of waiting the same "
                      "as the utilization?",
                      lambda: (lambda a, t: max(1, math.ceil(a / (1 - t) - 1e-9)))),
    ],
))
