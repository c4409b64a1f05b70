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

import html
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from steward import checks, plotting, results
from steward.datagen import load
from steward.datasets import inventory_updates as inventory_data
from steward.tasks import Misconception, Rubric, Task, TaskSet
from steward.widgets import App, FigureView, dropdown, int_slider, w

MODULE = "09"

#: The recommendation call's latency objective (module 00/04): p99 within 200 ms.
SLO_MS = 200.0
SLO_QUANTILE = 0.99
#: A recommendation carousel shows 24 items; the engine checks each one's stock in parallel.
ITEMS_PER_CALL = 24
ITEMS_OPTIONS = (1, 6, 12, 24, 48)
SECONDS_PER_DAY = inventory_data.SECONDS
TTL_MAX_S = 600
TTL_GRID = np.arange(0, TTL_MAX_S + 1)
#: The TTL the exercise's first tasks evaluate.
TASK_TTL_S = 60
#: The essay's digest, verbatim: the text the linter is first pointed at.
ESSAY_DIGEST = (
    "**Progress:** Implemented real-time inventory checks using Redis. Trade-off: chose 95% freshness over 100% to "
    "maintain our 200 ms latency SLA. Resulted in a 12% reduction in cart abandonment (A/B test).\n\n"
    "**Next:** partnering with data science to improve ranking."
)


# -- the data --------------------------------------------------------------------------------------------
def inventory() -> pd.DataFrame:
    """The sampled cache keys with their day's lookups and stock updates (a fresh copy)."""
    return load("inventory_updates")


def key_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Per key: lookups and stock updates per second (day averages) and the key's weight,
    its share of all lookups. Popular keys dominate what customers see, so every average
    over keys is weighted by lookups."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"expected the inventory_updates DataFrame; got {type(frame).__name__}")
    missing = [c for c in ("lookups", "stock_updates") if c not in frame.columns]
    if missing:
        raise ValueError(f"the keys need the column(s) {missing}")
    lookups = pd.to_numeric(frame["lookups"], errors="coerce").fillna(0).clip(lower=0).to_numpy(dtype=float)
    updates = pd.to_numeric(frame["stock_updates"], errors="coerce").fillna(0).clip(lower=0).to_numpy(dtype=float)
    if lookups.sum() <= 0:
        raise ValueError("no key has any lookups: there is nothing to cache")
    return pd.DataFrame({
        "lookup_rate": lookups / SECONDS_PER_DAY,
        "update_rate": updates / SECONDS_PER_DAY,
        "weight": lookups / lookups.sum(),
    }, index=frame.index)


def weighted_update_rate_per_hour(frame: pd.DataFrame) -> float:
    """The stock-update rate an average *lookup* sees, per hour (lookup-weighted mean)."""
    rates = key_rates(frame)
    return float((rates["weight"] * rates["update_rate"]).sum() * 3600)


# -- the closed forms --------------------------------------------------------------------------------------
def _ttl(ttl: Any) -> np.ndarray:
    array = np.asarray(ttl, dtype=float)
    if np.any(~np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"a TTL is a number of seconds ≥ 0; got {ttl!r}")
    return array


def hit_ratio(lookup_rate: Any, ttl: Any) -> Any:
    """Share of a key's lookups served from the cache: rT / (1 + rT).

    Broadcasts: ``lookup_rate`` of shape (keys,) and ``ttl`` of shape (ttls, 1) give (ttls, keys)."""
    r = np.asarray(lookup_rate, dtype=float)
    x = r * _ttl(ttl)
    result = x / (1.0 + x)
    return float(result) if np.ndim(result) == 0 else result


def cached_freshness(update_rate: Any, ttl: Any) -> Any:
    """Share of a key's *cached* answers that are still true: (1 − e^{−λT}) / (λT), and 1 when
    λT = 0. ``-expm1(-x) / x`` keeps full precision for tiny λT."""
    lam = np.asarray(update_rate, dtype=float)
    x = lam * _ttl(ttl)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(x > 1e-12, -np.expm1(-x) / np.where(x > 1e-12, x, 1.0), 1.0 - x / 2)
    return float(result) if np.ndim(result) == 0 else result


def answer_freshness(lookup_rate: Any, update_rate: Any, ttl: Any) -> Any:
    """Share of a key's answers that are fresh: misses read the source, hits are fresh with
    probability ``cached_freshness``."""
    h = hit_ratio(lookup_rate, ttl)
    return (1 - h) + h * cached_freshness(update_rate, ttl)


@dataclass(frozen=True)
class CacheAt:
    """The cache's behaviour at one TTL, averaged over keys by their lookups."""

    ttl_s: float
    hit_ratio: float
    fresh_share: float
    cached_fresh_share: float


def cache_at(rates: pd.DataFrame, ttl: float) -> CacheAt:
    """Hit ratio, share of answers fresh, and share of cached answers fresh at ``ttl``."""
    r, lam, weight = rates["lookup_rate"].to_numpy(), rates["update_rate"].to_numpy(), rates["weight"].to_numpy()
    h = hit_ratio(r, ttl)
    f = cached_freshness(lam, ttl)
    hits = float((weight * h).sum())
    fresh = float((weight * ((1 - h) + h * f)).sum())
    cached = float((weight * h * f).sum() / hits) if hits > 0 else 1.0
    return CacheAt(float(ttl), hits, fresh, cached)


def cache_curves(rates: pd.DataFrame, ttls: np.ndarray = TTL_GRID) -> pd.DataFrame:
    """``cache_at`` for every TTL of a grid at once: a (ttls × keys) computation."""
    t = _ttl(ttls).reshape(-1, 1)
    r, lam, weight = rates["lookup_rate"].to_numpy(), rates["update_rate"].to_numpy(), rates["weight"].to_numpy()
    h = hit_ratio(r, t)
    f = cached_freshness(lam, t)
    hits = h @ weight
    fresh = ((1 - h) + h * f) @ weight
    with np.errstate(divide="ignore", invalid="ignore"):
        cached = np.where(hits > 0, (h * f) @ weight / np.where(hits > 0, hits, 1.0), 1.0)
    return pd.DataFrame({"hit_ratio": hits, "fresh_share": fresh, "cached_fresh_share": cached},
                        index=pd.Index(np.asarray(ttls, dtype=float), name="ttl_s"))


# -- latency ------------------------------------------------------------------------------------------------
class LatencyModel:
    """Hit and miss latencies from the request log, sorted once, so the CDF of any hit/miss
    mixture is two binary searches per point."""

    def __init__(self, hits: Any, misses: Any) -> None:
        self.hits = np.sort(np.asarray(hits, dtype=float)[np.isfinite(np.asarray(hits, dtype=float))])
        self.misses = np.sort(np.asarray(misses, dtype=float)[np.isfinite(np.asarray(misses, dtype=float))])
        if self.hits.size == 0 or self.misses.size == 0:
            raise ValueError("the latency model needs at least one hit and one miss latency")

    @classmethod
    def from_requests(cls, frame: pd.DataFrame) -> LatencyModel:
        if not isinstance(frame, pd.DataFrame) or not {"cache_hit", "latency_ms"} <= set(frame.columns):
            raise ValueError("expected the requests log with columns cache_hit and latency_ms")
        hit = frame["cache_hit"].astype(bool).to_numpy()
        latency = frame["latency_ms"].to_numpy(dtype=float)
        return cls(latency[hit], latency[~hit])

    def cdf(self, x: Any, hit_share: Any) -> np.ndarray:
        """P(one lookup ≤ x) when a share ``hit_share`` of lookups hit (broadcasts)."""
        x = np.asarray(x, dtype=float)
        f_hit = np.searchsorted(self.hits, x, side="right") / self.hits.size
        f_miss = np.searchsorted(self.misses, x, side="right") / self.misses.size
        h = np.asarray(hit_share, dtype=float)
        return h * f_hit + (1 - h) * f_miss

    def call_quantile(self, hit_share: Any, items: int = ITEMS_PER_CALL, q: float = SLO_QUANTILE,
                      iterations: int = 48) -> Any:
        """The ``q`` quantile of a call that waits for ``items`` independent lookups: the
        smallest x with F(x)^items ≥ q, by bisection (vectorised over ``hit_share``)."""
        items = int(items)
        if items < 1:
            raise ValueError("a call checks at least one item")
        if not 0 < q < 1:
            raise ValueError(f"q is a quantile between 0 and 1; got {q!r}")
        h = np.clip(np.asarray(hit_share, dtype=float), 0.0, 1.0)
        if np.any(~np.isfinite(h)):
            raise ValueError("the hit share must be a number between 0 and 1")
        level = q ** (1.0 / items)  # F^K ≥ q  ⇔  F ≥ q^(1/K)
        low = np.zeros_like(h)
        high = np.full_like(h, max(self.hits[-1], self.misses[-1]))
        for _ in range(iterations):
            mid = (low + high) / 2
            ok = self.cdf(mid, h) >= level
            high = np.where(ok, mid, high)
            low = np.where(ok, low, mid)
        return float(high) if np.ndim(high) == 0 else high


@cache
def latency_model() -> LatencyModel:
    return LatencyModel.from_requests(load("requests"))


def call_p99(hit_share: Any, items: int = ITEMS_PER_CALL, model: LatencyModel | None = None) -> Any:
    """p99 (ms) of the recommendation call at a given overall hit ratio."""
    return (latency_model() if model is None else model).call_quantile(hit_share, items)


def averaged_p99(hit_share: float, items: int = ITEMS_PER_CALL, model: LatencyModel | None = None) -> float:
    """The wrong way: mixing the all-hit and all-miss p99s in proportion. Percentiles do not
    average [Dean & Barroso 2013]; kept, named, for the misconception."""
    model = latency_model() if model is None else model
    return float(hit_share * model.call_quantile(1.0, items) + (1 - hit_share) * model.call_quantile(0.0, items))


# -- the trade-off ----------------------------------------------------------------------------------------
def tradeoff_table(rates: pd.DataFrame, items: int = ITEMS_PER_CALL, model: LatencyModel | None = None,
                   ttls: np.ndarray = TTL_GRID, slo_ms: float = SLO_MS) -> pd.DataFrame:
    """For each TTL: hit ratio, fresh share, cached fresh share, call p99 and whether it meets the SLO."""
    table = cache_curves(rates, ttls)
    table["p99_ms"] = call_p99(table["hit_ratio"].to_numpy(), items, model)
    table["meets_slo"] = table["p99_ms"] <= slo_ms
    return table


def best_ttl(table: pd.DataFrame) -> float | None:
    """The TTL with the most fresh answers among those whose call p99 meets the SLO
    (None when no TTL on the grid does)."""
    ok = table[table["meets_slo"]]
    if ok.empty:
        return None
    return float(ok["fresh_share"].idxmax())


@dataclass(frozen=True)
class TradeOff:
    """The derived sentence's numbers."""

    ttl_s: float | None
    fresh_pct: float | None
    hit_ratio_pct: float | None
    p99_ms: float | None
    p99_no_cache_ms: float
    items: int
    slo_ms: float = SLO_MS

    def sentence(self) -> str:
        if self.ttl_s is None:
            return (f"No TTL up to {TTL_MAX_S} s keeps the p99 of a {self.items}-item call within {self.slo_ms:.0f} ms: "
                    "the cache alone cannot meet the SLO.")
        return (f"Trade-off: chose {self.fresh_pct:.1f}% fresh answers over 100% (a {self.ttl_s:.0f} s TTL instead of "
                f"none) to keep the recommendation call's p99 at {self.p99_ms:.0f} ms, within our {self.slo_ms:.0f} ms "
                f"SLO; without the cache it would be {self.p99_no_cache_ms:.0f} ms.")


def derive_tradeoff(rates: pd.DataFrame | None = None, items: int = ITEMS_PER_CALL,
                    model: LatencyModel | None = None) -> TradeOff:
    """The freshest TTL within the SLO and its numbers. Without ``rates`` and ``model`` it uses
    the curriculum's data and the curves the explorer already computed."""
    if rates is None and model is None:
        curves = _curves()
        table = curves.cache.copy()
        table["p99_ms"] = curves.p99(int(items))
        table["meets_slo"] = table["p99_ms"] <= SLO_MS
    else:
        table = tradeoff_table(key_rates(inventory()) if rates is None else rates, items, model)
    ttl = best_ttl(table)
    no_cache = float(table["p99_ms"].iloc[0])
    if ttl is None:
        return TradeOff(None, None, None, None, no_cache, int(items))
    row = table.loc[ttl]
    return TradeOff(ttl, 100 * float(row["fresh_share"]), 100 * float(row["hit_ratio"]), float(row["p99_ms"]),
                    no_cache, int(items))


@cache
def _reference_tradeoff() -> TradeOff:
    return derive_tradeoff()


@cache
def _rates() -> pd.DataFrame:
    return key_rates(inventory())


def adaptive_fresh_pct(rates: pd.DataFrame | None = None, items: int = ITEMS_PER_CALL,
                       model: LatencyModel | None = None, grid: np.ndarray | None = None) -> float:
    """Stretch: one TTL per key, T = c/λ (keys that never change get the longest TTL on the
    grid, TTL_MAX_S × 10). Every key then has the same cached freshness (1 − e^{−c})/c. Find the
    smallest c on ``grid`` (0.01 … 3 by 0.01) whose call p99 meets the SLO; return the share
    of answers fresh, in %. NaN if none does."""
    rates = _rates() if rates is None else rates
    grid = np.arange(1, 301) / 100 if grid is None else np.asarray(grid, dtype=float)
    r, lam, weight = rates["lookup_rate"].to_numpy(), rates["update_rate"].to_numpy(), rates["weight"].to_numpy()
    cap = TTL_MAX_S * 10.0
    c = grid.reshape(-1, 1)
    with np.errstate(divide="ignore"):
        ttl = np.where(lam > 0, np.minimum(c / np.where(lam > 0, lam, 1.0), cap), cap)
    h = hit_ratio(r, ttl)
    hits = h @ weight
    p99 = call_p99(hits, items, model)
    ok = np.flatnonzero(p99 <= SLO_MS)
    if ok.size == 0:
        return float("nan")
    row = ok[0]
    f = cached_freshness(lam, ttl[row])
    return float(100 * (weight * ((1 - h[row]) + h[row] * f)).sum())


# -- Monte-Carlo checks of the closed forms -------------------------------------------------------------------
def simulate_key(lookup_rate: float, update_rate: float, ttl: float, horizon_s: float = 200_000.0,
                 seed: int = 0) -> tuple[float, float]:
    """Simulate one key: Poisson lookups and stock changes, a TTL cache written on each miss.
    Returns (hit ratio, share of answers fresh). Jumps from miss to miss with binary search,
    so it costs one step per miss, not per lookup."""
    if lookup_rate <= 0 or horizon_s <= 0 or ttl < 0 or update_rate < 0:
        raise ValueError("rates and the horizon must be positive (the update rate and TTL ≥ 0)")
    rng = np.random.RandomState(seed)
    lookups = np.cumsum(rng.exponential(1 / lookup_rate, int(lookup_rate * horizon_s * 1.2) + 50))
    lookups = lookups[lookups < horizon_s]
    if update_rate > 0:
        updates = np.cumsum(rng.exponential(1 / update_rate, int(update_rate * horizon_s * 1.2) + 50))
        updates = np.append(updates[updates < horizon_s], np.inf)
    else:
        updates = np.array([np.inf])
    n = lookups.size
    if n == 0:
        raise ValueError("no lookups in the horizon: lengthen it")
    hits = fresh = 0
    i = 0
    while i < n:
        written = lookups[i]  # a miss: read the source (fresh) and write the entry
        fresh += 1
        end = int(np.searchsorted(lookups, written + ttl, side="right"))
        window = lookups[i + 1:end]  # hits (a lookup at exactly written + ttl still hits)
        hits += window.size
        next_change = updates[int(np.searchsorted(updates, written, side="right"))]
        fresh += int(np.count_nonzero(window < next_change))
        i = max(end, i + 1)
    return hits / n, fresh / n


def simulate_call_p99(hit_share: float, items: int = ITEMS_PER_CALL, calls: int = 200_000, seed: int = 0,
                      model: LatencyModel | None = None) -> float:
    """Monte-Carlo p99 of a call: draw ``items`` lookups per call (each a hit with probability
    ``hit_share``, its latency resampled from the log) and keep each call's slowest."""
    model = latency_model() if model is None else model
    rng = np.random.RandomState(seed)
    is_hit = rng.uniform(size=(calls, items)) < hit_share
    hit_draw = model.hits[rng.randint(0, model.hits.size, size=(calls, items))]
    miss_draw = model.misses[rng.randint(0, model.misses.size, size=(calls, items))]
    slowest = np.where(is_hit, hit_draw, miss_draw).max(axis=1)
    return float(np.quantile(slowest, SLO_QUANTILE, method="inverted_cdf"))


# -- the explorer -------------------------------------------------------------------------------------------
class _Curves:
    """Everything the explorer needs, computed once: the cache curves over the TTL grid and,
    per fan-out, the p99 curve (lazily)."""

    def __init__(self, rates: pd.DataFrame, model: LatencyModel) -> None:
        self.model = model
        self.cache = cache_curves(rates)
        self.ttls = self.cache.index.to_numpy()
        self._p99: dict[int, np.ndarray] = {}

    def p99(self, items: int) -> np.ndarray:
        if items not in self._p99:
            self._p99[items] = self.model.call_quantile(self.cache["hit_ratio"].to_numpy(), items)
        return self._p99[items]


@cache
def _curves() -> _Curves:
    return _Curves(_rates(), latency_model())


def ttl_state(ttl_s: int, items: int, curves: _Curves | None = None, slo_ms: float = SLO_MS) -> dict[str, Any]:
    """What the explorer shows for one TTL and fan-out."""
    curves = _curves() if curves is None else curves
    ttl = int(round(float(ttl_s)))
    if not 0 <= ttl <= TTL_MAX_S:
        raise ValueError(f"the TTL is between 0 and {TTL_MAX_S} s")
    items = int(items)
    p99 = curves.p99(items)
    fresh = curves.cache["fresh_share"].to_numpy()
    ok = np.flatnonzero(p99 <= slo_ms)
    best = int(ok[np.argmax(fresh[ok])]) if ok.size else None
    meets = bool(p99[ttl] <= slo_ms)
    # Short on purpose: drawing text dominates a redraw, and the readout carries the rest.
    title = f"TTL {ttl} s: {100 * fresh[ttl]:.1f}% fresh, p99 {p99[ttl]:.0f} ms {'≤' if meets else '>'} {slo_ms:.0f}"
    best_text = (f"The freshest TTL within {slo_ms:.0f} ms: <b>{best} s</b>, {100 * fresh[best]:.1f}% fresh answers."
                 if best is not None else f"<b>No TTL up to {TTL_MAX_S} s</b> keeps this call within {slo_ms:.0f} ms.")
    return {
        "ttl_s": ttl, "items": items, "fresh_share": float(fresh[ttl]),
        "hit_ratio": float(curves.cache["hit_ratio"].iloc[ttl]), "p99_ms": float(p99[ttl]), "meets_slo": meets,
        "best_ttl_s": best, "best_fresh_share": float(fresh[best]) if best is not None else None,
        "p99_curve": p99, "title": title, "best_text": best_text,
    }


class CacheTTLExplorer(App):
    """TTL and items per call → share of fresh answers and the call's p99, with the best TTL
    that keeps the p99 within 200 ms."""

    title = "Cache-TTL explorer: how fresh can the answers be within a 200 ms p99?"

    def __init__(self) -> None:
        self.curves = _curves()
        ttls = self.curves.ttls
        self.figure = FigureView(width=7.6, height=3.0, axes=2,
                                 margins={"left": 0.08, "right": 0.98, "top": 0.97, "bottom": 0.16, "wspace": 0.3})
        left, right = self.figure.axes
        left.plot(ttls, 100 * self.curves.cache["fresh_share"], color=plotting.GOOD, label="answers fresh")
        left.plot(ttls, 100 * self.curves.cache["hit_ratio"], color=plotting.NEUTRAL, linestyle="--", label="hit ratio")
        left.set_xlim(0, TTL_MAX_S)
        left.set_ylim(0, 101)
        left.set_xlabel("TTL (s)")
        left.set_ylabel("% of lookups")
        left.legend(loc="lower right", fontsize=8)
        (self._fresh_dot,) = left.plot([0], [100], "o", color=plotting.GOOD)
        (self._best_left,) = left.plot([0, 0], [0, 101], color=plotting.HIGHLIGHT, linestyle=":")
        (self._curve,) = right.plot(ttls, np.zeros_like(ttls, dtype=float), color=plotting.BAD, label="call p99")
        right.axhline(SLO_MS, color=plotting.NEUTRAL, linestyle="--", linewidth=1)
        right.text(TTL_MAX_S, SLO_MS, f"{SLO_MS:.0f} ms SLO ", ha="right", va="bottom", fontsize=8)
        right.set_xlim(0, TTL_MAX_S)
        right.set_ylim(0, 300)
        right.set_xlabel("TTL (s)")
        right.set_ylabel("p99 of the call (ms)")
        (self._p99_dot,) = right.plot([0], [0], "o", color=plotting.BAD)
        (self._best_right,) = right.plot([0, 0], [0, 300], color=plotting.HIGHLIGHT, linestyle=":")
        left.set_title("…", fontsize=10)
        self._title = plotting.title_artist(left)
        self._title.set_parse_math(False)
        self.figure.animate(self._fresh_dot, self._best_left, self._curve, self._p99_dot, self._best_right)
        self.figure.title_as_caption(left)
        self.readout = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "ttl_s": int_slider("TTL (s)", TASK_TTL_S, 0, TTL_MAX_S, 1),
            "items": dropdown("items checked per call", [(str(k), k) for k in ITEMS_OPTIONS], ITEMS_PER_CALL),
        }

    def layout(self) -> w.Widget:
        return w.VBox([w.HBox(list(self.inputs.values())), self.figure.widget, self.readout])

    def compute(self, ttl_s: int, items: int) -> dict[str, Any]:
        return ttl_state(ttl_s, items, self.curves)

    def draw(self, state: dict[str, Any]) -> None:
        ttl = state["ttl_s"]
        self._fresh_dot.set_data([ttl], [100 * state["fresh_share"]])
        self._curve.set_ydata(np.minimum(state["p99_curve"], 299))
        self._p99_dot.set_data([ttl], [min(state["p99_ms"], 299)])
        best = state["best_ttl_s"]
        for line in (self._best_left, self._best_right):
            line.set_visible(best is not None)
            if best is not None:
                line.set_xdata([best, best])
        self._title.set_text(state["title"])
        self.figure.render()
        self.readout.value = (f"{state['best_text']}<br><small>At {state['ttl_s']} s: hit ratio {state['hit_ratio']:.1%} · "
                              f"fresh answers {state['fresh_share']:.1%} · p99 of a {state['items']}-item call "
                              f"{state['p99_ms']:.1f} ms</small>")


#: Every widget of the lesson, by name: the robustness tests drive every control of each.
APPS = {"cache-ttl": CacheTTLExplorer}


# -- the digest ----------------------------------------------------------------------------------------------
def _pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        try:
            a, b = float(value[0]), float(value[1])
        except (TypeError, ValueError):
            return None
        if math.isfinite(a) and math.isfinite(b):
            return a, b
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _default_p99() -> float:
    from steward.lessons import quantify

    return round(quantify.percentile(quantify.requests_log()["latency_ms"], 0.99), 2)


def _default_max_load() -> float:
    from steward.lessons import quantify

    return quantify.max_load_under(quantify.requests_log())


def _default_abandonment() -> tuple[float, float]:
    from steward.lessons import influence

    facts = influence._facts()
    return round(facts.baseline_pct, 2), round(facts.treatment_pct, 2)


def _default_revenue() -> tuple[float, float]:
    from steward.lessons import influence

    facts = influence._facts()
    return round(facts.revenue_low), round(facts.revenue_high)


def _default_ttl() -> float:
    return _reference_tradeoff().ttl_s


def _default_fresh() -> float:
    return round(_reference_tradeoff().fresh_pct, 2)


#: The results the digest reads: key → (what, default, kind).
DIGEST_RESULTS: dict[str, tuple[str, Callable[[], Any], str]] = {
    "04.p99_ms": ("your week's p99 (module 04)", _default_p99, "number"),
    "04.max_load_rps": ("the load up to which p99 stays under 10 ms (module 04)", _default_max_load, "number"),
    "07.abandonment_pct": ("cart abandonment, control and treatment (module 07)", _default_abandonment, "pair"),
    "07.revenue_range": ("the revenue range a month (module 07)", _default_revenue, "pair"),
    "09.ttl_s": ("your TTL (this module)", _default_ttl, "number"),
    "09.freshness_pct": ("your share of fresh answers (this module)", _default_fresh, "number"),
}


@dataclass(frozen=True)
class DigestFacts:
    """Every number the digest uses, each from a module's results (or its reference value)."""

    p99_ms: float
    max_load_rps: float
    abandonment_pct: tuple[float, float]
    revenue_range: tuple[float, float]
    ttl_s: float
    fresh_pct: float
    p99_no_cache_ms: float
    items: int = ITEMS_PER_CALL
    slo_ms: float = SLO_MS
    sources: Mapping[str, str] = field(default_factory=dict)


def _recall(key: str) -> tuple[Any, str]:
    """A kept result, checked; a malformed one is replaced by the default with a plain message."""
    what, default, kind = DIGEST_RESULTS[key]
    kept = results.all_results()
    value = results.recall(key, default, what=what)
    parsed = _pair(value) if kind == "pair" else _number(value)
    if parsed is None:
        fallback = default()
        from steward import feedback

        text = f"The kept {key} ({value!r}) is not a {kind} of numbers; using the reference value {fallback!r}."
        feedback.show(feedback.bundle(text, f"<div class='steward-result'>{html.escape(text)}</div>"))
        return (_pair(fallback) if kind == "pair" else float(fallback)), "reference"
    return parsed, ("yours" if key in kept else "reference")


def digest_facts() -> DigestFacts:
    """The digest's numbers: the learner's kept results where they exist, else the reference values."""
    values, sources = {}, {}
    for key in DIGEST_RESULTS:
        values[key], sources[key] = _recall(key)
    return DigestFacts(
        p99_ms=values["04.p99_ms"], max_load_rps=values["04.max_load_rps"],
        abandonment_pct=values["07.abandonment_pct"], revenue_range=values["07.revenue_range"],
        ttl_s=values["09.ttl_s"], fresh_pct=values["09.freshness_pct"],
        p99_no_cache_ms=_reference_tradeoff().p99_no_cache_ms, sources=sources,
    )


def _money(value: float) -> str:
    return f"${value / 1e6:,.2f}M" if abs(value) >= 1e6 else f"${value / 1e3:,.0f}k"


class Digest(str):
    """Markdown text that renders itself in a notebook."""

    def _repr_markdown_(self) -> str:
        return str(self)


def build_digest(progress: str, trade_off: str, metrics: Sequence[str], next_steps: str,
                 title: str = "Recommendation engine: bi-weekly digest") -> Digest:
    """Assemble the three sections (Progress with its Trade-off, Metrics, Next) as Markdown."""
    def clean(text: Any) -> str:
        return " ".join(str(text).split()) if text is not None and text is not Ellipsis else ""

    if metrics is None or metrics is Ellipsis:
        metrics = []
    elif isinstance(metrics, str | bytes | Mapping) or not isinstance(metrics, Iterable):
        metrics = [metrics]
    bullets = "\n".join(f"- {clean(m)}" for m in metrics if clean(m))
    return Digest(
        f"### {clean(title)}\n\n**Progress:** {clean(progress)}\n\n**Trade-off:** {clean(trade_off)}\n\n"
        f"**Metrics:**\n{bullets}\n\n**Next:** {clean(next_steps)}\n"
    )


def digest_from(facts: DigestFacts) -> Digest:
    """The digest filled from the numbers: what the builder produces before the author edits it."""
    control, treatment = facts.abandonment_pct
    low, high = facts.revenue_range
    return build_digest(
        progress=(f"Shipped real-time inventory checks: each recommendation call checks stock for its "
                  f"{facts.items} items, cached in Redis for {facts.ttl_s:.0f} s."),
        trade_off=(f"chose {facts.fresh_pct:.1f}% fresh answers over 100% (a {facts.ttl_s:.0f} s TTL instead of no "
                   f"cache) to keep the call's p99 within our {facts.slo_ms:.0f} ms SLO; without the cache it would "
                   f"be {facts.p99_no_cache_ms:.0f} ms."),
        metrics=[
            f"Cart abandonment fell from {control:.1f}% to {treatment:.1f}% of carts (A/B test against control).",
            f"Recovered orders worth {_money(low)} to {_money(high)} a month (from the test's 95% CI), against none before.",
            f"Engine p99 latency {facts.p99_ms:.1f} ms over the week, against the 10 ms target; it holds up to "
            f"{facts.max_load_rps:,.0f} requests/s.",
        ],
        next_steps=("partnering with the data science team to test ranking by stock level, and with SRE to alert "
                    "when the share of stale answers rises above 6%."),
    )


# -- the digest linter -------------------------------------------------------------------------------------
MAX_DIGEST_CHARS = 6_000
_SECTION = re.compile(
    r"(?im)^[ \t]{0,3}(?:#{1,6}[ \t]*)?(?:\*\*|__)?[ \t]*(progress|trade[- ]?offs?|metrics|next(?:[ \t]+steps)?)"
    r"[ \t]*:?[ \t]*(?:\*\*|__)?[ \t]*:?"
)
_INLINE_LABEL = re.compile(r"(?i)\b(progress|trade[- ]?offs?|metrics|next(?:[ \t]+steps)?)[ \t]*(?:\*\*|__)?[ \t]*:")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CHANGE = re.compile(r"(?i)\b(reduc\w*|cut|cuts|improv\w*|increas\w*|decreas\w*|grew|grow\w*|rose|rise|fell|fall\w*|"
                     r"drop\w*|faster|slower|saved|sav\w*|resulted|lower\w*|higher|gain\w*|lift\w*|boost\w*|"
                     r"halv\w*|doubl\w*|shrank|more|less|fewer)\b")
_CONNECTOR = re.compile(r"(?i)\b(over|instead of|rather than|at the cost of|in exchange for|traded|trading|versus|vs|"
                        r"to keep|to maintain|to stay|to protect|to hold|in return for|for the sake of)\b")
_PARTNER = re.compile(r"(?i)\b(with|partner\w*|pair\w*|alongside|together|handing|hand off|owned by|jointly)\b")
_TEAM = re.compile(r"(?i)\b(team|squad|data science|sre|product|security|finance|design|analytics|platform|"
                   r"marketing|support|ops|infra\w*|pm|manager|lead)\b|@\w+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def _has_baseline(sentence: str) -> bool:
    """A baseline: "from X to Y", "vs", "versus", "compared with", "against", "than", "baseline",
    "control", "before", or an arrow. Plain substring tests: linear on any input."""
    lowered = f" {sentence.lower()} "
    if " from " in lowered and " to " in lowered.split(" from ", 1)[1]:
        return True
    markers = (" vs", " versus ", " compared ", " against ", " than ", " baseline", " control", " before",
               "→", "->", " over ", " instead of ", " down from ", " up from ")
    return any(marker in lowered for marker in markers)


def _sentences(text: str) -> list[str]:
    return [s.strip(" -*•\t") for s in _SENTENCE_SPLIT.split(text) if s and s.strip(" -*•\t")]


@dataclass
class Finding:
    section: str
    problem: str
    excerpt: str = ""


@dataclass
class DigestLint:
    """What the linter found; an empty ``findings`` means the digest is ready to send."""

    findings: list[Finding]
    sections: dict[str, str]

    @property
    def passed(self) -> bool:
        return not self.findings

    def problems(self) -> list[str]:
        return [f"{f.section}: {f.problem}" + (f' ("{f.excerpt}")' if f.excerpt else "") for f in self.findings]

    def _repr_markdown_(self) -> str:
        if self.passed:
            return "**Digest linter:** ✔ every claim has a number and a baseline, the trade-off names both sides, Next names a partner."
        items = "\n".join(f"- **{html.escape(f.section)}**: {html.escape(f.problem)}"
                          + (f" — “{html.escape(f.excerpt)}”" if f.excerpt else "") for f in self.findings)
        return f"**Digest linter:** {len(self.findings)} finding(s)\n\n{items}"

    def __repr__(self) -> str:
        return "DigestLint(" + ("passed" if self.passed else "; ".join(self.problems())) + ")"


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_sections(text: str) -> dict[str, str]:
    """The digest's sections by name (progress, trade-off, metrics, next): a label at the start
    of a line (a heading, bold, or "Name:"), or "Name:" inside a paragraph, as the essay's
    "Trade-off:" sits inside its Progress."""
    marks: list[tuple[int, int, str]] = []
    for match in _SECTION.finditer(text):
        name = match.group(1).lower()
        key = "trade-off" if name.startswith("trade") else "next" if name.startswith("next") else name
        marks.append((match.start(), match.end(), key))
    for match in _INLINE_LABEL.finditer(text):
        if not any(start <= match.start() < end for start, end, _ in marks):
            name = match.group(1).lower()
            key = "trade-off" if name.startswith("trade") else "next" if name.startswith("next") else name
            marks.append((match.start(), match.end(), key))
    marks.sort()
    sections: dict[str, str] = {}
    for index, (_, end, key) in enumerate(marks):
        stop = marks[index + 1][0] if index + 1 < len(marks) else len(text)
        sections[key] = (sections.get(key, "") + " " + text[end:stop]).strip()
    return sections


def lint_digest(text: Any) -> DigestLint:
    """Check a digest draft. Takes any value; never raises.

    Rules: the four parts are present; every sentence that claims a change has a number and a
    baseline; every metric has a number; the trade-off names both sides (a connector like
    "over" or "to keep", and a number on each side); "Next" names a partner. A digest longer
    than a page is flagged (it will not be read)."""
    if text is None or text is Ellipsis:
        return DigestLint([Finding("digest", "there is no text yet")], {})
    if not isinstance(text, str):
        return DigestLint([Finding("digest", f"a digest is text; got {type(text).__name__}")], {})
    findings: list[Finding] = []
    if not text.strip():
        return DigestLint([Finding("digest", "the digest is empty")], {})
    if len(text) > MAX_DIGEST_CHARS:
        findings.append(Finding("digest", f"{len(text.split()):,} words: longer than a page, so nobody reads it to the end"))
        text = text[:MAX_DIGEST_CHARS]
    sections = split_sections(text)
    for name in ("progress", "trade-off", "metrics", "next"):
        if not sections.get(name, "").strip():
            label = {"trade-off": "Trade-off"}.get(name, name.capitalize())
            findings.append(Finding(name, f"missing: add a **{label}:** part and fill it"))
    for name in ("progress", "trade-off", "metrics"):
        for sentence in _sentences(sections.get(name, "")):
            numbers = _NUMBER.findall(sentence)
            if name == "metrics" and not numbers:
                findings.append(Finding(name, "a metric without a number", _short(sentence)))
                continue
            if _CHANGE.search(sentence):
                if not numbers:
                    findings.append(Finding(name, "a claim without a number", _short(sentence)))
                elif not _has_baseline(sentence):
                    findings.append(Finding(name, "a number without a baseline (from what? compared with what?)",
                                            _short(sentence)))
    trade = sections.get("trade-off", "")
    if trade.strip():
        if not _CONNECTOR.search(trade):
            findings.append(Finding("trade-off", "names one side only: what did you give up, and for what?", _short(trade)))
        elif len(_NUMBER.findall(trade)) < 2:
            findings.append(Finding("trade-off", "give each side a number (e.g. 95% fresh over 100%, to keep 200 ms)",
                                    _short(trade)))
    nxt = sections.get("next", "")
    if nxt.strip() and not (_PARTNER.search(nxt) and _TEAM.search(nxt)):
        findings.append(Finding("next", "names no partner: who are you doing it with?", _short(nxt)))
    return DigestLint(findings, sections)


def _digest_numbers(text: str) -> list[float]:
    values = []
    for token in _NUMBER.findall(text):
        try:
            values.append(float(token.replace(",", "")))
        except ValueError:
            continue
    return values


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
