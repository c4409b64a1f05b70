"""Module 09's models: the cache-TTL closed forms, the call-latency model, the trade-off and the
curves the explorer draws (see the package docstring)."""


from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from steward.datagen import load
from steward.datasets import inventory_updates as inventory_data

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


