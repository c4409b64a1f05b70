"""Module 02's model: pure maths and simulation (no plotting, no widgets, no tasks).

Scoring with hard constraints, the exact flip point, the lease-lock simulation, and the ADR
rendered from the choices. Everything here is a pure function of its inputs, unit-tested in
``tests/test_tradeoffs.py``.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from steward import progress
from steward.datagen import load
from steward.datasets.coordination_options import CRITERIA, OPTIONS

#: Each criterion in running prose (ADRs). Every score is "5 is best".
CRITERION_WORDS = {
    "safety": "safety under partitions and pauses",
    "availability": "availability",
    "latency": "latency",
    "throughput": "throughput",
    "simplicity": "operational simplicity",
    "familiarity": "team familiarity",
    "footprint": "existing footprint",
}
#: Each criterion as a slider label.
CRITERION_LABELS = {
    "safety": "Safety under partitions and pauses",
    "availability": "Availability (survives a server loss)",
    "latency": "Latency of taking the lock",
    "throughput": "Throughput (locks per second)",
    "simplicity": "Operational simplicity",
    "familiarity": "Team familiarity",
    "footprint": "Existing footprint at Cartwheel",
}

#: The weight sliders' range and step. The flip point is computed within this range.
WEIGHT_MIN, WEIGHT_MAX, WEIGHT_STEP = 0.0, 5.0, 0.5

#: The weights Cartwheel's team agreed on in its planning meeting (a scenario parameter): they
#: care most about not running something new, and they know Redis and Postgres.
TEAM_WEIGHTS: dict[str, float] = {
    "safety": 3.0, "availability": 2.0, "latency": 3.0, "throughput": 1.0,
    "simplicity": 4.0, "familiarity": 3.0, "footprint": 3.5,
}


@dataclass(frozen=True)
class UseCase:
    """What the lock protects, and therefore what a failure costs."""

    key: str
    lock: str
    worst_case: str
    cartwheel: str
    requires_fencing: bool
    #: Is the protected state a row in Cartwheel's Postgres? Only then can a conditional write
    #: in that database replace the lock.
    state_in_database: bool = False

    @property
    def constraint(self) -> str:
        if self.requires_fencing:
            return ("the resource must refuse a stale holder's read-modify-write (a fencing token it checks on "
                    "reads and writes, or a conditional write)")
        return "none: a duplicate now and then only costs work"

    @property
    def article(self) -> str:
        return "an" if self.lock[0] in "aeiou" else "a"


USE_CASES: dict[str, UseCase] = {
    "efficiency": UseCase(
        "efficiency", "efficiency lock", "duplicate work",
        "two workers must not both rebuild the recommendation cache (a rebuild costs CPU, nothing breaks)",
        requires_fencing=False, state_in_database=False,
    ),
    "correctness": UseCase(
        "correctness", "correctness lock", "corrupted data",
        "two inventory-reservation workers must never both sell the last unit (an oversell is a broken promise)",
        requires_fencing=True, state_in_database=True,
    ),
}


# -- data -----------------------------------------------------------------------------------
def options_table(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Scores as a wide table: one row per option (in the lesson's order), one column per
    criterion. ``frame`` is the long table (``load("coordination_options")`` by default)."""
    long = load("coordination_options") if frame is None else frame
    if not isinstance(long, pd.DataFrame) or not {"option", "criterion", "score"} <= set(long.columns):
        raise ValueError("expected the long table with columns option, criterion and score")
    wide = long.pivot(index="option", columns="criterion", values="score")
    order = [o for o in OPTIONS if o in wide.index] + [o for o in wide.index if o not in OPTIONS]
    columns = [c for c in CRITERIA if c in wide.columns] + [c for c in wide.columns if c not in CRITERIA]
    wide = wide.loc[order, columns].astype(float)
    wide.index.name, wide.columns.name = "option", None
    return wide


def fencing_by_option(frame: pd.DataFrame | None = None) -> pd.Series:
    """Whether the resource can refuse a stale holder's write under each option: a fencing token
    it checks, or its own condition (the correctness constraint)."""
    long = load("coordination_options") if frame is None else frame
    fencing = long.groupby("option", sort=False)["fencing_token"].first().astype(bool)
    return fencing.reindex([o for o in OPTIONS if o in fencing.index])


@lru_cache(maxsize=32)
def _index(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(list(names), dtype=object)


def weights_series(weights: Mapping[str, float] | pd.Series, criteria: Sequence[str] = CRITERIA) -> pd.Series:
    """Weights as a Series over ``criteria``; a criterion left out weighs 0.

    Unknown names, negative or missing-value weights are refused with a sentence, because a
    typo ("saftey") would otherwise silently weigh nothing."""
    if isinstance(weights, pd.Series):
        weights = dict(zip(weights.index, weights.to_numpy(), strict=True))
    if not isinstance(weights, Mapping):
        raise ValueError(f"weights must be a dict criterion → number; got {type(weights).__name__}")
    unknown = [k for k in weights if k not in criteria]
    if unknown:
        raise ValueError(f"unknown criterion {unknown[0]!r}; the criteria are {', '.join(criteria)}")
    values = np.zeros(len(criteria))
    for j, name in enumerate(criteria):
        value = weights.get(name, 0.0)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"the weight of {name} must be a number; got {value!r}") from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"the weight of {name} must be a number ≥ 0; got {value!r}")
        values[j] = value
    return pd.Series(values, index=_index(tuple(criteria)), dtype=float)


# -- scoring ----------------------------------------------------------------------------------
def weighted_totals(scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series) -> pd.Series:
    """Σ weight × score per option. Linear in every weight, which is what makes the flip
    point a crossing of straight lines."""
    w_ = weights_series(weights, list(scores.columns))
    return pd.Series(scores.to_numpy(float) @ w_.to_numpy(), index=scores.index, name="total")


def weighted_scores(scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series) -> pd.Series:
    """The weighted mean score per option, on the same 1–5 scale as the scores.

    Dividing by the sum of the weights changes no ranking; it keeps the number readable
    ("4.2 out of 5") whatever scale the weights use."""
    w_ = weights_series(weights, list(scores.columns))
    if w_.sum() <= 0:
        raise ValueError("every weight is 0, so nothing separates the options: give one criterion a weight")
    return (weighted_totals(scores, w_) / w_.sum()).rename("score")


def eligible(fencing: pd.Series, use_case: str, database_only: pd.Series | None = None) -> pd.Series:
    """Which options the use case allows. A hard constraint is a filter, not a weight: no
    amount of latency buys back a lock that can corrupt inventory. Two filters: a correctness
    lock needs a resource that refuses a stale holder's write (``fencing``); an option that
    works only on a database row (``database_only``, from the data unless given) needs a use
    case whose state is one."""
    case = use_case_of(use_case)
    allowed = fencing.astype(bool) if case.requires_fencing else pd.Series(True, index=fencing.index)
    if not case.state_in_database:
        only = _database_only() if database_only is None else database_only
        allowed = allowed & ~only.reindex(fencing.index).fillna(False).astype(bool)
    return allowed.rename("eligible")


def exclusion_reasons(fencing: pd.Series, use_case: str, database_only: pd.Series | None = None) -> pd.Series:
    """Why the use case excludes each option ("" when it does not)."""
    case = use_case_of(use_case)
    reasons = pd.Series("", index=fencing.index, name="reason", dtype=object)
    if not case.state_in_database:
        only = _database_only() if database_only is None else database_only
        reasons[only.reindex(fencing.index).fillna(False).astype(bool).to_numpy()] = "the state is not a database row"
    if case.requires_fencing:
        reasons[~fencing.astype(bool).to_numpy()] = "no fencing token"
    return reasons


def database_only_by_option(frame: pd.DataFrame | None = None) -> pd.Series:
    """Whether each option works only where the protected state is a row in Cartwheel's Postgres."""
    long = load("coordination_options") if frame is None else frame
    if "database_only" not in long.columns:
        return pd.Series(False, index=pd.Index(long["option"].unique()), name="database_only")
    only = long.groupby("option", sort=False)["database_only"].first().astype(bool)
    return only.reindex([o for o in OPTIONS if o in only.index] + [o for o in only.index if o not in OPTIONS])


@lru_cache(maxsize=1)
def _cached_database_only() -> pd.Series:
    return database_only_by_option()


def _database_only() -> pd.Series:
    return _cached_database_only().copy()


def use_case_of(key: str) -> UseCase:
    if key not in USE_CASES:
        raise ValueError(f"unknown use case {key!r}; choose one of {', '.join(USE_CASES)}")
    return USE_CASES[key]


def _mask(index: pd.Index, allowed: pd.Series | None) -> np.ndarray:
    if allowed is None:
        return np.ones(len(index), bool)
    return allowed.reindex(index).fillna(False).to_numpy(bool)


def _leader_index(totals: np.ndarray, mask: np.ndarray) -> int:
    """The highest total among allowed options; a tie goes to the option listed first, so the
    answer never depends on floating-point noise."""
    if not mask.any():
        raise ValueError("the constraints rule out every option")
    best = np.max(totals[mask])
    return int(np.flatnonzero(mask & (totals >= best - 1e-9))[0])


def leader(totals: pd.Series, allowed: pd.Series | None = None) -> str:
    """The option with the highest total among the allowed ones (ties: listed first)."""
    return str(totals.index[_leader_index(totals.to_numpy(float), _mask(totals.index, allowed))])


def ranking(scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series, fencing: pd.Series,
            use_case: str) -> pd.DataFrame:
    """Options ranked for a use case: eligible ones by weighted score, then the excluded ones.

    Columns: score (weighted mean, 1–5), eligible, rank (1 = winner; missing when excluded),
    reason (why an option is excluded)."""
    score = weighted_scores(scores, weights).to_numpy(float)
    allowed = _mask(scores.index, eligible(fencing, use_case))
    order = _rank_order(score, allowed)
    ranks = np.full(len(score), np.nan)
    ranks[order[: allowed.sum()]] = np.arange(1, allowed.sum() + 1)
    reasons = exclusion_reasons(fencing, use_case).reindex(scores.index).fillna("").to_numpy(object)
    table = pd.DataFrame({"score": score, "eligible": allowed, "rank": ranks,
                          "reason": np.where(allowed, "", reasons)}, index=scores.index)
    return table.iloc[order]


def _rank_order(score: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Eligible first, then by score (high first), then in the listed order."""
    return np.lexsort((np.arange(len(score)), -np.round(score, 9), ~allowed))


# -- the flip point ------------------------------------------------------------------------
@dataclass(frozen=True)
class Flip:
    """How far one weight must move before the winner loses its lead.

    ``change`` is signed (weight units): the smallest move, up or down within the slider
    range, at which another option's total reaches the winner's. Just past it, that option
    wins. ``None`` when no move within the range changes the decision."""

    criterion: str
    weight: float
    winner: str
    change: float | None
    challenger: str | None

    @property
    def at(self) -> float | None:
        return None if self.change is None else self.weight + self.change

    def describe(self) -> str:
        if self.change is None:
            return f"never within {WEIGHT_MIN:g}–{WEIGHT_MAX:g}"
        if abs(self.change) < 1e-9:
            return f"already tied with {self.challenger}"
        return f"{self.change:+.2f} (to {self.at:.2f}): {self.challenger} draws level"


def _flip_core(matrix: np.ndarray, w_: np.ndarray, j: int, mask: np.ndarray, low: float, high: float
               ) -> tuple[int, float | None, int | None]:
    """Winner index, signed change of weight ``j`` and challenger index (numpy, no pandas)."""
    totals = matrix @ w_
    i_w = _leader_index(totals, mask)
    gap = np.maximum(totals[i_w] - totals, 0.0)
    slope = matrix[:, j] - matrix[i_w, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(gap <= 1e-9, 0.0, np.where(slope != 0, gap / np.where(slope != 0, slope, 1), np.nan))
    target = w_[j] + delta
    ok = mask & ~np.isnan(delta) & (target >= low - 1e-9) & (target <= high + 1e-9)
    ok[i_w] = False
    if not ok.any():
        return i_w, None, None
    candidates = np.flatnonzero(ok)
    nearest = candidates[np.argmin(np.abs(delta[candidates]) + candidates * 1e-12)]
    return i_w, float(delta[nearest]), int(nearest)


def flip_point(scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series, criterion: str,
               allowed: pd.Series | None = None, low: float = WEIGHT_MIN, high: float = WEIGHT_MAX) -> Flip:
    """The smallest change of one weight that lets another allowed option draw level with the
    winner, solved exactly.

    Moving weight *c* by δ changes option o's total by δ·s(o, c). The winner W keeps its lead
    over o while gap − δ·(s(o, c) − s(W, c)) > 0, where gap = T(W) − T(o) ≥ 0: a straight
    line in δ, so the crossing is δ* = gap / (s(o, c) − s(W, c)). Upwards only options that
    score higher than W on *c* can catch up; downwards only those that score lower. The flip
    is the crossing nearest to zero that keeps the weight within [low, high]."""
    w_ = weights_series(weights, list(scores.columns))
    if criterion not in scores.columns:
        raise ValueError(f"unknown criterion {criterion!r}; the criteria are {', '.join(scores.columns)}")
    j = list(scores.columns).index(criterion)
    if not low - 1e-9 <= w_.iloc[j] <= high + 1e-9:
        raise ValueError(f"the weight of {criterion} ({w_.iloc[j]:g}) is outside the range {low:g}–{high:g}")
    i_w, change, i_c = _flip_core(scores.to_numpy(float), w_.to_numpy(float), j, _mask(scores.index, allowed), low, high)
    challenger = None if i_c is None else str(scores.index[i_c])
    return Flip(criterion, float(w_.iloc[j]), str(scores.index[i_w]), change, challenger)


def flip_table(scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series,
               allowed: pd.Series | None = None, low: float = WEIGHT_MIN, high: float = WEIGHT_MAX) -> pd.DataFrame:
    """The flip point of every criterion: weight now, signed change, the weight at the flip,
    and the option that draws level. Sorted so the most fragile weight comes first."""
    w_ = weights_series(weights, list(scores.columns))
    matrix, weights_np, mask = scores.to_numpy(float), w_.to_numpy(float), _mask(scores.index, allowed)
    rows = []
    for j, criterion in enumerate(scores.columns):
        i_w, change, i_c = _flip_core(matrix, weights_np, j, mask, low, high)
        rows.append((criterion, weights_np[j], np.nan if change is None else change,
                     np.nan if change is None else weights_np[j] + change,
                     None if i_c is None else scores.index[i_c], scores.index[i_w]))
    table = pd.DataFrame(rows, columns=["criterion", "weight", "change", "flips_at", "challenger", "winner"])
    table = table.set_index("criterion")
    return table.iloc[np.argsort(table["change"].abs().fillna(np.inf).to_numpy(), kind="stable")]


# -- the lease-lock simulation ------------------------------------------------------------
CLIENT_NAMES = "ABCDEF"
MAX_CLIENTS = len(CLIENT_NAMES)
#: Kleppmann's example starts at token 33, so ours does too: A holds 33, the next holder 34.
FIRST_TOKEN = 33
HORIZON_MS = 2000
POLL_MS = 10  # how often a waiting client retries the lock
WRITES_PER_JOB = 4
WRITE_GAP_MS = (10, 30)  # time between two writes of one job (uniform, ms)
THINK_MS = (30, 150)  # time a client spends between jobs (uniform, ms)


@dataclass
class LeaseRun:
    """One run: who held the lock when (``holds``) and every write (``writes``).

    ``writes.out_of_order`` marks a write whose token is lower than one the resource has
    already seen: a stale holder overwriting a newer holder's work. Without fencing each of
    those lands and corrupts the resource; with fencing the store rejects exactly those."""

    params: dict[str, Any]
    holds: pd.DataFrame
    writes: pd.DataFrame

    @property
    def corrupted_without_fencing(self) -> int:
        return corrupted_writes(self.writes, fencing=False)

    @property
    def corrupted_with_fencing(self) -> int:
        return corrupted_writes(self.writes, fencing=True)

    @property
    def rejected_with_fencing(self) -> int:
        return int((~self.writes["accepted_with_fencing"]).sum())


def _next_tick(phase: int, not_before: float, every: int) -> int:
    """The first retry time ``phase + k·every`` at or after ``not_before``."""
    if not_before <= phase:
        return phase
    return phase + int(math.ceil((not_before - phase) / every)) * every


def simulate_lease_lock(n_clients: int = 3, lease_ms: int = 500, pause_ms: int = 0, seed: int = 0,
                        horizon_ms: int = HORIZON_MS, writes_per_job: int = WRITES_PER_JOB,
                        poll_ms: int = POLL_MS) -> LeaseRun:
    """Clients share a lease lock; client A pauses (a GC, a page fault, a slow network) for
    ``pause_ms`` right after taking the lock for its first job and reading the stock.

    Each job is a reservation, a **read-modify-write**: the client reads the stock when it
    takes the lock (``holds.acquired_ms`` is the read) and then makes ``writes_per_job``
    writes that assume nothing changed since, each 10–30 ms after the one before (the first
    10–30 ms after the read, or after the pause for A).
    Each client wants the lock all the time: it retries every ``poll_ms`` (each at its own
    seeded phase); after its job it releases the lock (a no-op if the lease has expired) and
    thinks 30–150 ms.
    The lock is free again at the release or at the lease's expiry, whichever is first.
    Paused, A neither writes nor checks its lease: when it wakes it finishes the job it
    started, as the usual ``if lock.acquired: do_job()`` code would.

    Small and event-driven: one iteration per acquisition, deterministic given ``seed``."""
    for name, value, low in (("n_clients", n_clients, 1), ("lease_ms", lease_ms, 1), ("pause_ms", pause_ms, 0),
                             ("horizon_ms", horizon_ms, 1), ("writes_per_job", writes_per_job, 1),
                             ("poll_ms", poll_ms, 1)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{name} must be a whole number ≥ {low}; got {value!r}")
    if n_clients > MAX_CLIENTS:
        raise ValueError(f"the simulation has at most {MAX_CLIENTS} clients; got {n_clients}")
    rng = np.random.RandomState(seed)
    names = CLIENT_NAMES[:n_clients]
    phase = [0 if name == "A" else (int(rng.randint(1, poll_ms)) if poll_ms > 1 else 0) for name in names]
    ready = [0.0] * n_clients
    free_at, token, paused = 0.0, FIRST_TOKEN - 1, False
    holds: dict[str, list] = {k: [] for k in ("client", "token", "acquired_ms", "expires_ms", "released_ms",
                                              "job_end_ms", "pause_ms")}
    w_time: list[int] = []
    w_client: list[str] = []
    w_token: list[int] = []
    w_expires: list[int] = []
    while True:
        ticks = [_next_tick(phase[i], max(ready[i], free_at), poll_ms) for i in range(n_clients)]
        start = min(ticks)
        if start >= horizon_ms:
            break
        i = ticks.index(start)  # ties go to the client listed first
        client = names[i]
        token += 1
        # The job reads the stock when it takes the lock, then writes: the first write comes one
        # gap after the read (after the pause, for A), the others a gap apart.
        gaps = rng.randint(WRITE_GAP_MS[0], WRITE_GAP_MS[1] + 1, size=writes_per_job).tolist()
        pause = pause_ms if (client == "A" and not paused) else 0
        paused = paused or client == "A"
        times = [start + pause + gaps[0]]
        for gap in gaps[1:]:
            times.append(times[-1] + gap)
        expires = start + lease_ms
        job_end = float(times[-1])
        free_at = min(job_end, expires)
        for key, value in (("client", client), ("token", token), ("acquired_ms", start), ("expires_ms", expires),
                           ("released_ms", free_at), ("job_end_ms", job_end), ("pause_ms", pause)):
            holds[key].append(value)
        w_time += times
        w_client += [client] * len(times)
        w_token += [token] * len(times)
        w_expires += [expires] * len(times)
        ready[i] = job_end + rng.randint(THINK_MS[0], THINK_MS[1] + 1)
    hold_frame = pd.DataFrame(holds)
    time_arr, token_arr = np.array(w_time, dtype=np.int64), np.array(w_token, dtype=np.int64)
    order = np.lexsort((token_arr, time_arr))
    tokens = token_arr[order]
    write_frame = pd.DataFrame({
        "time_ms": time_arr[order], "client": np.array(w_client, dtype=object)[order], "token": tokens,
        "lease_expires_ms": np.array(w_expires, dtype=np.int64)[order],
        "out_of_order": out_of_order(tokens), "accepted_with_fencing": fenced_accepts(tokens),
    })
    params = {"n_clients": n_clients, "lease_ms": lease_ms, "pause_ms": pause_ms, "seed": seed,
              "horizon_ms": horizon_ms, "writes_per_job": writes_per_job, "poll_ms": poll_ms}
    return LeaseRun(params, hold_frame, write_frame)


def out_of_order(tokens: np.ndarray) -> np.ndarray:
    """True where a write carries a lower token than some earlier write (in time order)."""
    tokens = np.asarray(tokens, dtype=float)
    if tokens.size == 0:
        return np.zeros(0, bool)
    seen = np.maximum.accumulate(np.concatenate([[-np.inf], tokens[:-1]]))
    return tokens < seen


def fenced_accepts(tokens: np.ndarray) -> np.ndarray:
    """The store's fencing rule: accept a write unless its token is lower than the highest
    token already accepted. (The highest token so far is always accepted, so "highest
    accepted" equals "highest seen", and the rule vectorises.) Equal tokens pass: the holder's
    own second write carries the same token as its first."""
    return ~out_of_order(tokens)


def corrupted_writes(writes: pd.DataFrame, fencing: bool) -> int:
    """Writes that land on the resource out of order: a lower token after a higher one.

    Without fencing every write lands, so every out-of-order write corrupts. With fencing
    the store drops them first, so among the writes that land none is out of order."""
    if not isinstance(writes, pd.DataFrame) or not {"time_ms", "token"} <= set(writes.columns):
        raise ValueError("expected a write log with columns time_ms and token")
    ordered = writes.sort_values(["time_ms", "token"], kind="mergesort")
    tokens = ordered["token"].to_numpy(float)
    if fencing:
        tokens = tokens[fenced_accepts(tokens)]
    return int(out_of_order(tokens).sum())


#: What the store does with each write, from weakest to strongest (the lab's switch).
STORES: dict[str, str] = {
    "none": "no fencing",
    "fence-writes": "fencing tokens checked on writes only",
    "fence-reads": "fencing tokens checked on reads and writes",
    "conditional": "a conditional write (UPDATE … WHERE qty > 0)",
}


def store_of(key: str) -> str:
    if key not in STORES:
        raise ValueError(f"unknown store {key!r}; choose one of {', '.join(STORES)}")
    return key


def event_log(run: LeaseRun) -> pd.DataFrame:
    """Reads and writes in the order the store sees them: each job's read (when it took the
    lock) and its writes, sorted by time; at the same millisecond a write comes before a read
    (a holder's last write happens before it releases the lock the next reader takes), then
    the lower token first. Columns: time_ms, kind ("read"/"write"), client, token."""
    time, is_read, token, order = _event_arrays(run)
    clients = np.concatenate([run.holds["client"].to_numpy(object), run.writes["client"].to_numpy(object)])[order]
    return pd.DataFrame({"time_ms": time, "kind": np.where(is_read, "read", "write").astype(object),
                         "client": clients, "token": token})


def _verdicts(is_read: np.ndarray, tokens: np.ndarray, store: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`store_verdicts` on arrays: (accepted, stale_read) per event, in one pass."""
    accepted = np.ones(len(tokens), bool)
    stale = np.zeros(len(tokens), bool)
    highest_write = highest_seen = -(2 ** 62)
    # Other jobs' accepted writes since a job's read = all accepted writes since then − its own
    # (all of a job's writes come after its read): one pass, no set per job.
    total = 0
    at_read: dict[int, int] = {}
    own: dict[int, int] = {}
    for k, (read, token) in enumerate(zip(is_read.tolist(), tokens.tolist(), strict=True)):
        if read:
            at_read[token], own[token] = total, 0
            highest_seen = max(highest_seen, token)
            continue
        others = total - at_read.get(token, total) - own.get(token, 0)
        if store == "fence-writes":
            ok = token >= highest_write
        elif store == "fence-reads":
            ok = token >= highest_seen
        elif store == "conditional":
            ok = others == 0
        else:
            ok = True
        if not ok:
            accepted[k] = False
            continue
        stale[k] = others > 0
        highest_write = max(highest_write, token)
        highest_seen = max(highest_seen, token)
        total += 1
        own[token] = own.get(token, 0) + 1
    return accepted, stale


def _event_arrays(run: LeaseRun) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The event log as arrays, in the store's order: (time, is_read, token, order)."""
    holds, writes = run.holds, run.writes
    time = np.concatenate([holds["acquired_ms"].to_numpy(np.int64), writes["time_ms"].to_numpy(np.int64)])
    is_read = np.concatenate([np.ones(len(holds), bool), np.zeros(len(writes), bool)])
    token = np.concatenate([holds["token"].to_numpy(np.int64), writes["token"].to_numpy(np.int64)])
    order = np.lexsort((token, is_read, time))
    return time[order], is_read[order], token[order], order


def _stale_count(run: LeaseRun, store: str) -> int:
    _, is_read, token, _ = _event_arrays(run)
    _, stale = _verdicts(is_read, token, store_of(store))
    return int(np.unique(token[stale]).size)


def store_verdicts(events: pd.DataFrame, store: str) -> pd.DataFrame:
    """What a store does with each event, and which accepted writes were built on a stale read.

    One job is one token: it read the stock at its read and every write assumes nothing
    changed since. Rules, per ``store``:

    * ``none``: every write is accepted.
    * ``fence-writes``: a write is rejected if its token is lower than the highest token among
      the writes accepted before it (Kleppmann's rule, applied to writes only).
    * ``fence-reads``: the store also remembers the tokens it served reads to; a write is
      rejected if its token is lower than the highest token seen on a read *or* a write.
    * ``conditional``: a write is accepted only if no other job's write was accepted since its
      job's read (compare-and-set on what it read; the atomic ``UPDATE … SET qty = qty - 1
      WHERE qty > 0`` goes further and needs no read at all).

    Adds ``accepted`` (reads: always True) and ``stale_read``: an accepted write of a job
    after *another* job's accepted write that came after this job's read, i.e. the write
    overwrote a change its job never saw (a lost update; on the last unit, an oversell)."""
    store = store_of(store)
    if not isinstance(events, pd.DataFrame) or not {"time_ms", "kind", "token"} <= set(events.columns):
        raise ValueError("expected an event log with columns time_ms, kind and token")
    accepted, stale = _verdicts((events["kind"] == "read").to_numpy(bool), events["token"].to_numpy(np.int64), store)
    return events.assign(accepted=accepted, stale_read=stale)


def stale_reservations(events: pd.DataFrame, store: str) -> int:
    """Jobs (reservations) with at least one accepted write built on a stale read: each one
    sold stock that another reservation had already taken."""
    verdicts = store_verdicts(events, store)
    return int(verdicts.loc[verdicts["stale_read"], "token"].nunique())


def store_table(run: LeaseRun) -> pd.DataFrame:
    """Per store: writes rejected and reservations sold on a stale read, for one run."""
    events = event_log(run)
    rows = []
    for store, label in STORES.items():
        verdicts = store_verdicts(events, store)
        writes = verdicts[verdicts["kind"] == "write"]
        rows.append({"store": store, "what the store checks": label,
                     "writes rejected": int((~writes["accepted"]).sum()),
                     "reservations on a stale read": int(writes.loc[writes["stale_read"], "token"].nunique())})
    return pd.DataFrame(rows).set_index("store")


def pause_sweep(pauses: Sequence[int], lease_ms: int = 500, n_clients: int = 3,
                seeds: Sequence[int] = range(10)) -> pd.DataFrame:
    """Per pause length, means over seeds: out-of-order writes with and without fencing
    (``corrupted_without``, ``corrupted_with``), the share of runs with any, and the
    reservations sold on a stale read under each store but the conditional write
    (``stale_none``, ``stale_fence_writes``, ``stale_fence_reads``)."""
    rows = []
    for pause in pauses:
        runs = [simulate_lease_lock(n_clients, lease_ms, int(pause), seed) for seed in seeds]
        without = np.array([r.corrupted_without_fencing for r in runs])
        row = {"pause_ms": int(pause), "corrupted_without": without.mean(),
               "corrupted_with": float(np.mean([r.corrupted_with_fencing for r in runs])),
               "share_corrupted": float((without > 0).mean())}
        for store in ("none", "fence-writes", "fence-reads"):
            row["stale_" + store.replace("-", "_")] = float(np.mean([_stale_count(r, store) for r in runs]))
        rows.append(row)
    return pd.DataFrame(rows).set_index("pause_ms")



# -- the ADR (Nygard, "Documenting Architecture Decisions", 2011) -------------------------------
ADR_STATUSES = ("proposed", "accepted", "deprecated", "superseded")
ADR_SECTIONS = ("status", "context", "decision", "consequences")


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def render_adr(scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series, fencing: pd.Series,
               use_case: str, number: int = 1, *, table: pd.DataFrame | None = None,
               flips: pd.DataFrame | None = None) -> str:
    """An ADR in Nygard's format (Title, Status, Context, Decision, Consequences), written
    from the current weights and use case.

    The Context states the forces without taking sides (the worst case, the constraint, the
    weights and the scores); the Decision is one sentence that starts "We will"; the
    Consequences name what gets better, what gets worse, and the flip point, which tells a
    future reader which change in priorities should reopen the decision."""
    case = use_case_of(use_case)
    w_ = weights_series(weights, list(scores.columns))
    table = ranking(scores, w_, fencing, use_case) if table is None else table
    flips = flip_table(scores, w_, table["eligible"]) if flips is None else flips
    allowed = table["eligible"].to_numpy(bool)
    names = [str(o) for o in table.index]
    contenders = [(o, float(sc)) for o, sc, ok in zip(names, table["score"].to_numpy(float), allowed, strict=True) if ok]
    winner = contenders[0][0]
    runner = contenders[1][0] if len(contenders) > 1 else None
    excluded = [o for o, ok in zip(names, allowed, strict=True) if not ok]
    weight = dict(zip(scores.columns, w_.to_numpy(float), strict=True))
    weighed = sorted((c for c in scores.columns if weight[c] > 0), key=lambda c: -weight[c])
    unweighed = [c for c in scores.columns if weight[c] == 0]
    row = {o: dict(zip(scores.columns, values, strict=True)) for o, values in zip(scores.index, scores.to_numpy(float), strict=True)}

    no_lock = bool(_database_only().get(winner, False))
    title = f"Use {winner} instead of {case.article} {case.lock}" if no_lock else f"Use {winner} for the {case.lock}"
    lines = [f"# ADR {number:04d}: {title}", "", "## Status", "", "Proposed", "", "## Context", ""]
    if case.requires_fencing:
        constraint = f"The worst case of a failure is {case.worst_case}, so the hard constraint is that {case.constraint}."
    else:
        constraint = f"The worst case of a failure is {case.worst_case}, so there is no hard constraint."
    by_fencing = [o for o in excluded if table.loc[o, "reason"] == "no fencing token"] if "reason" in table else excluded
    by_place = [o for o in excluded if o not in by_fencing]
    if by_fencing:
        constraint += f" That rules out {_join(by_fencing)}."
    if by_place:
        constraint += (f" The protected work is not a row in the database, which rules out {_join(by_place)}.")
    lines += [f"Cartwheel needs {case.article} {case.lock}: {case.cartwheel}. {constraint}", ""]
    lines += ["We weighed the criteria (0–5): " + ", ".join(f"{CRITERION_WORDS[c]} {weight[c]:g}" for c in weighed)
              + (f"; not weighed: {', '.join(CRITERION_WORDS[c] for c in unweighed)}" if unweighed else "") + ".", ""]
    lines += ["Weighted scores (1–5): " + ", ".join(f"{o} {sc:.2f}" for o, sc in contenders) + ".", ""]
    lines += ["## Decision", ""]
    if no_lock:
        lines += [f"We will not run {case.article} {case.lock}: each reservation will be one conditional write in the "
                  "database that holds the stock (`UPDATE stock SET qty = qty - 1 WHERE item = $1 AND qty > 0`), and "
                  "an update that changes no row means the item is sold out.", ""]
    elif case.requires_fencing:
        lines += [f"We will use {winner} for the {case.lock}, and the resource will check the fencing token on every "
                  "read and write of a reservation, rejecting any token lower than the highest it has seen.", ""]
    else:
        lines += [f"We will use {winner} for the {case.lock}, and accept that a pause or a crash can now and then "
                  "let two workers do the same work.", ""]
    lines += ["## Consequences", ""]
    if runner is not None:
        better = [c for c in weighed if row[winner][c] > row[runner][c]][:3]
        worse = [c for c in weighed if row[winner][c] < row[runner][c]][:3]
        if better:
            lines.append(f"- Positive: it beats {runner} on " + _join([CRITERION_WORDS[c] for c in better]) + ".")
        if worse:
            lines.append(f"- Negative: it is weaker than {runner} on "
                         + _join([f"{CRITERION_WORDS[c]} ({row[winner][c]:g} vs {row[runner][c]:g})" for c in worse]) + ".")
    else:
        lines.append("- Negative: it is the only option the constraint allows, so the weights did not decide anything.")
    if no_lock:
        lines.append("- Negative: every path that changes stock must go through that one statement; logic that needs "
                     "more than one statement must lock the row with SELECT … FOR UPDATE in the same transaction, and "
                     "buyers of one hot item queue on its row.")
    elif case.requires_fencing:
        lines.append("- Negative: every read and write of the stock must carry the token and the store must check "
                     "it; that is work in code we do not own yet.")
    else:
        lines.append("- Negative: a pause past the lease can still let two workers rebuild the cache; we pay in CPU, "
                     "not in correctness.")
    first = flips.iloc[0] if len(flips) else None
    if first is not None and not pd.isna(first["change"]):
        lines.append(f"- Neutral: the decision holds until the weight of {CRITERION_WORDS[flips.index[0]]} "
                     f"moves by {first['change']:+.2f} (to {first['flips_at']:.2f}), where {first['challenger']} draws "
                     "level. Revisit it if that priority changes.")
    else:
        lines.append(f"- Neutral: no single weight moved within {WEIGHT_MIN:g}–{WEIGHT_MAX:g} changes the decision.")
    return "\n".join(lines) + "\n"


def adr_sections(text: str) -> dict[str, str]:
    """The body of each Nygard section, by lower-case name. Accepts Markdown headings
    (``## Context``) and labelled lines (``Status: accepted``, ``* Status: proposed`` as MADR writes it)."""
    heading = re.compile(r"^\s*(?:[-*+]\s+)?(?:#{1,6}\s*|\*\*)?(status|context|decision|consequences)\b\**\s*:?\**\s*(.*)$",
                         re.IGNORECASE)
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in str(text).splitlines():
        match = heading.match(line)
        if match:
            current = match.group(1).lower()
            sections.setdefault(current, [])
            if match.group(2).strip():
                sections[current].append(match.group(2))
        elif re.match(r"^\s*#{1,6}\s", line):
            current = None
        elif current is not None:
            sections[current].append(line)
    return {name: "\n".join(body).strip() for name, body in sections.items()}



@dataclass(frozen=True)
class SavedADR:
    path: Path
    renamed: bool
    message: str


def default_adr_folder() -> Path:
    """Where ADRs are saved unless told otherwise: ``$STEWARD_ADR_DIR``, else an ``adr`` folder
    next to the progress file (on the learner's machine, never in the git tree)."""
    env = os.environ.get("STEWARD_ADR_DIR")
    if env:
        return Path(env).expanduser()
    where = progress.location()
    return (where.parent if where is not None else Path(tempfile.gettempdir()) / "steward") / "adr"


def adr_filename(text: str) -> str:
    """A file name from the ADR's title: ``adr-0001-use-etcd-for-the-correctness-lock.md``."""
    first = next((line for line in str(text).splitlines() if line.strip()), "adr")
    slug = re.sub(r"[^a-z0-9]+", "-", first.lstrip("# ").lower()).strip("-")[:60].strip("-")
    slug = re.sub(r"^adr-(\d+)", r"adr-\1", slug)
    return f"{slug or 'adr'}.md" if slug.startswith("adr") else f"adr-{slug or 'decision'}.md"


def save_adr(text: str, folder: str | Path | None = None, filename: str | None = None) -> SavedADR:
    """Write the ADR as Markdown. An existing file is never overwritten: the ADR goes to the
    first free name (``…-2.md``, ``…-3.md``) and the message says so."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("there is no ADR text to save")
    target_dir = default_adr_folder() if folder is None else Path(folder).expanduser()
    name = filename or adr_filename(text)
    if not name.endswith(".md"):
        name += ".md"
    if Path(name).name != name:
        raise ValueError(f"give a file name, not a path: {name!r}")
    target_dir.mkdir(parents=True, exist_ok=True)
    stem, path, n = name[:-3], target_dir / name, 1
    while True:
        try:
            with open(path, "x", encoding="utf-8", newline="\n") as handle:  # "x": fails if it exists
                handle.write(text)
            break
        except FileExistsError:
            n += 1
            path = target_dir / f"{stem}-{n}.md"
    if n == 1:
        return SavedADR(path, False, f"Saved the ADR to {path}.")
    return SavedADR(path, True, f"{target_dir / name} already exists, so the ADR was saved as {path.name} instead "
                                f"(nothing was overwritten).")


# -- the trade-off explorer ----------------------------------------------------------------
@dataclass
class Exploration:
    """What the explorer shows for one setting of the controls."""

    weights: pd.Series
    use_case: str
    table: pd.DataFrame
    winner: str
    runner_up: str | None
    flips: pd.DataFrame
    adr: str
    title: str


def explore(scores: pd.DataFrame, fencing: pd.Series, weights: Mapping[str, float], use_case: str) -> Exploration:
    """Everything the explorer shows, from the controls' values: the ranking, the winner, the
    flip point of every weight and the ADR. Pure, so tests can call it for every value."""
    case = use_case_of(use_case)
    w_ = weights_series(weights, list(scores.columns))
    table = ranking(scores, w_, fencing, use_case)
    contenders = table[table["eligible"]]
    winner = str(contenders.index[0])
    runner = str(contenders.index[1]) if len(contenders) > 1 else None
    flips = flip_table(scores, w_, table["eligible"])
    adr = render_adr(scores, w_, fencing, use_case, table=table, flips=flips)
    return Exploration(w_, use_case, table, winner, runner, flips, adr, explorer_title(table, case))


def explorer_title(table: pd.DataFrame, case: UseCase) -> str:
    """The chart's point: who wins, by how much, over whom."""
    contenders = table[table["eligible"]]
    winner, best = contenders.index[0], contenders["score"].iloc[0]
    if len(contenders) == 1:
        return f"{winner} wins the {case.lock}: the only option left"
    runner, second = contenders.index[1], contenders["score"].iloc[1]
    if best - second < 5e-3:
        return f"{winner} and {runner} tie for the {case.lock} at {best:.2f}"
    return f"{winner} wins the {case.lock} by {best - second:.2f} over {runner}"




# -- uncertainty in the scores ---------------------------------------------------------------
#: Draws and seed of the lesson's Monte Carlo over the scores (any seed gives the same share
#: within about ±0.01 at this many draws: the standard error is at most √(0.25 / 4000) ≈ 0.008).
MC_DRAWS = 4000
MC_SEED = 2


def perturbed_scores(scores: pd.DataFrame, draws: int = MC_DRAWS, seed: int = MC_SEED, spread: int = 1,
                     clip: bool = True) -> np.ndarray:
    """``draws`` copies of the score table, each score moved by a whole number drawn uniformly
    from −spread…+spread and kept on the 1–5 scale: shape (draws, options, criteria).

    The scores are judgments; "someone weighing the same facts might move a score by one" is
    exactly this draw. Vectorised: one array, no loop over draws."""
    for name, value, low in (("draws", draws, 1), ("spread", spread, 0), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{name} must be a whole number ≥ {low}; got {value!r}")
    base = scores.to_numpy(float)
    noise = np.random.RandomState(seed).randint(-spread, spread + 1, size=(draws, *base.shape))
    out = base[None, :, :] + noise
    return np.clip(out, 1, 5) if clip else out


def draw_winners(scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series, allowed: pd.Series | None = None,
                 draws: int = MC_DRAWS, seed: int = MC_SEED, spread: int = 1, clip: bool = True) -> np.ndarray:
    """The winner's row index in each draw of :func:`perturbed_scores` (ties: listed first)."""
    w_ = weights_series(weights, list(scores.columns)).to_numpy(float)
    if w_.sum() <= 0:
        raise ValueError("every weight is 0, so nothing separates the options: give one criterion a weight")
    totals = perturbed_scores(scores, draws, seed, spread, clip) @ w_
    mask = _mask(scores.index, allowed)
    if not mask.any():
        raise ValueError("the constraints rule out every option")
    totals[:, ~mask] = -np.inf
    return np.argmax(totals, axis=1)


def winner_shares(scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series, allowed: pd.Series | None = None,
                  draws: int = MC_DRAWS, seed: int = MC_SEED, spread: int = 1, clip: bool = True) -> pd.Series:
    """Share of draws each option wins, highest first (options that never win are left out)."""
    winners = draw_winners(scores, weights, allowed, draws, seed, spread, clip)
    counts = np.bincount(winners, minlength=len(scores)) / len(winners)
    shares = pd.Series(counts, index=scores.index, name="share of draws won")
    return shares[shares > 0].sort_values(ascending=False, kind="stable")


def winner_holds(scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series, allowed: pd.Series | None = None,
                 draws: int = MC_DRAWS, seed: int = MC_SEED, spread: int = 1) -> float:
    """How often the winner at the scores as written still wins when every score moves by up to
    ``spread``: the share of draws it keeps first place."""
    winner = _leader_index(weighted_totals(scores, weights).to_numpy(float), _mask(scores.index, allowed))
    return float(np.mean(draw_winners(scores, weights, allowed, draws, seed, spread) == winner))
