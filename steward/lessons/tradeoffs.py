"""Module 02 — master trade-offs: choosing how Cartwheel takes a lock.

Four pieces, each a set of pure functions with a thin widget on top:

1. **Weighted scoring with hard constraints.** Six options scored 1–5 on seven criteria
   (``data/coordination_options.csv``); the learner's weights rank them; a use case (an
   *efficiency* lock or a *correctness* lock) removes options that cannot be safe for it,
   whatever the weights say.
2. **The flip point.** Totals are linear in each weight, so the weight at which another
   option draws level with the winner is a crossing of two lines: solved exactly, not searched.
3. **A lease-lock simulation.** Clients take a lease lock; one pauses past its lease; without
   fencing tokens its stale writes overwrite the new holder's, with them the store rejects them.
4. **Writing it down.** An ADR in Nygard's format rendered from the choices, and a note for a
   non-technical stakeholder, whose structure is checked and whose reasoning is self-assessed.
"""

from __future__ import annotations

import html
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

from steward import checks, plotting, progress
from steward.datagen import load
from steward.datasets.coordination_options import CRITERIA, OPTIONS
from steward.tasks import Misconception, Rubric, Task, TaskSet
from steward.widgets import App, FigureView, dropdown, int_slider, slider, w

MODULE = "02"

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

    @property
    def constraint(self) -> str:
        if self.requires_fencing:
            return "the option must give the resource a fencing token"
        return "none: a duplicate now and then only costs work"

    @property
    def article(self) -> str:
        return "an" if self.lock[0] in "aeiou" else "a"


USE_CASES: dict[str, UseCase] = {
    "efficiency": UseCase(
        "efficiency", "efficiency lock", "duplicate work",
        "two workers must not both rebuild the recommendation cache (a rebuild costs CPU, nothing breaks)",
        requires_fencing=False,
    ),
    "correctness": UseCase(
        "correctness", "correctness lock", "corrupted data",
        "two inventory-reservation workers must never both sell the last unit (an oversell is a broken promise)",
        requires_fencing=True,
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
    """Whether each option can give the resource a fencing token (the correctness constraint)."""
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


def eligible(fencing: pd.Series, use_case: str) -> pd.Series:
    """Which options the use case allows. A hard constraint is a filter, not a weight: no
    amount of latency buys back a lock that can corrupt inventory."""
    case = use_case_of(use_case)
    if case.requires_fencing:
        return fencing.astype(bool).rename("eligible")
    return pd.Series(True, index=fencing.index, name="eligible")


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
    table = pd.DataFrame({"score": score, "eligible": allowed, "rank": ranks,
                          "reason": np.where(allowed, "", "no fencing token")}, index=scores.index)
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
    ``pause_ms`` right after taking the lock for its first job.

    Each client wants the lock all the time: it retries every ``poll_ms`` (each at its own
    seeded phase), and when it gets the lock it makes ``writes_per_job`` writes, 10–30 ms
    apart, then releases the lock (a no-op if the lease has expired) and thinks 30–150 ms.
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
        gaps = rng.randint(WRITE_GAP_MS[0], WRITE_GAP_MS[1] + 1, size=writes_per_job - 1).tolist()
        pause = pause_ms if (client == "A" and not paused) else 0
        paused = paused or client == "A"
        times = [start + pause]
        for gap in gaps:
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


def pause_sweep(pauses: Sequence[int], lease_ms: int = 500, n_clients: int = 3,
                seeds: Sequence[int] = range(10)) -> pd.DataFrame:
    """Corrupted writes per pause length (mean over seeds), with and without fencing, and the
    share of seeded runs that had any corruption."""
    rows = []
    for pause in pauses:
        runs = [simulate_lease_lock(n_clients, lease_ms, int(pause), seed) for seed in seeds]
        without = np.array([r.corrupted_without_fencing for r in runs])
        rows.append({"pause_ms": int(pause), "corrupted_without": without.mean(),
                     "corrupted_with": float(np.mean([r.corrupted_with_fencing for r in runs])),
                     "share_corrupted": float((without > 0).mean())})
    return pd.DataFrame(rows).set_index("pause_ms")


# -- static plots ---------------------------------------------------------------------------
def plot_flip_lines(ax, scores: pd.DataFrame, weights: Mapping[str, float], criterion: str,
                    allowed: pd.Series | None = None) -> Flip:
    """Each allowed option's total as a line in one weight, with the flip point marked: the
    picture behind the formula δ* = gap / slope."""
    flip = flip_point(scores, weights, criterion, allowed)
    grid = np.array([WEIGHT_MIN, WEIGHT_MAX])  # totals are straight lines: two points draw them
    mask = _mask(scores.index, allowed)
    base = weights_series(weights, list(scores.columns))
    now = scores.to_numpy(float) @ base.to_numpy(float)
    column = scores[criterion].to_numpy(float)
    for k, option in enumerate(scores.index):
        if not mask[k]:
            continue
        totals = now[k] + (grid - base[criterion]) * column[k]
        strong = option in (flip.winner, flip.challenger)
        ax.plot(grid, totals, color=plotting.CYCLE[k % len(plotting.CYCLE)], linewidth=2.2 if strong else 1.0,
                linestyle="-" if strong else "--", label=option)
    ax.axvline(flip.weight, color=plotting.NEUTRAL, linewidth=1)
    ax.annotate("weight now", (flip.weight, ax.get_ylim()[1]), ha="center", va="top", fontsize=8)
    if flip.change is None:
        title = f"{flip.winner} leads at every {criterion} weight from {WEIGHT_MIN:g} to {WEIGHT_MAX:g}"
    else:
        ax.axvline(flip.at, color=plotting.BAD, linewidth=1.5, linestyle=":")
        title = f"{flip.winner} leads until {criterion} weighs {flip.at:.2f}, then {flip.challenger}"
    ax.legend(fontsize=8, ncol=2)
    plotting.finish(ax, title, f"weight of {criterion} (0–5)", "weighted total (Σ weight × score)")
    return flip


def plot_pause_sweep(ax, sweep: pd.DataFrame, lease_ms: int) -> None:
    """Corrupted writes per pause length, with and without fencing, and the lease marked."""
    ax.plot(sweep.index, sweep["corrupted_without"], color=plotting.BAD, marker="o", markersize=3,
            label="without fencing tokens")
    ax.plot(sweep.index, sweep["corrupted_with"], color=plotting.GOOD, marker="s", markersize=3,
            label="with fencing tokens")
    ax.axvline(lease_ms, color=plotting.NEUTRAL, linestyle="--", linewidth=1)
    ax.annotate(f"lease = {lease_ms} ms", (lease_ms, ax.get_ylim()[1]), ha="right", va="top", fontsize=8)
    onset = sweep.index[sweep["corrupted_without"] > 0]
    title = ("No pause in the sweep corrupted anything" if len(onset) == 0 else
             f"Without fencing, pauses from {onset[0]} ms corrupt writes; with it, none")
    ax.legend(fontsize=8)
    plotting.finish(ax, title, "pause of client A (ms)", "corrupted writes (mean over seeds)")


# -- the ADR (Nygard, "Documenting Architecture Decisions", 2011) -------------------------------
ADR_STATUSES = ("proposed", "accepted", "deprecated", "superseded")
ADR_SECTIONS = ("status", "context", "decision", "consequences")
_DOWNSIDE = re.compile(r"\b(negative|downside|cost|costs|risk|risks|worse|weaker|harder|slower|lose|loses|"
                       r"give up|gives up|trade-off|tradeoff|drawback|must)\b", re.IGNORECASE)


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

    lines = [f"# ADR {number:04d}: Use {winner} for the {case.lock}", "", "## Status", "", "Proposed", "",
             "## Context", ""]
    if case.requires_fencing:
        constraint = f"The worst case of a failure is {case.worst_case}, so the hard constraint is that {case.constraint}."
    else:
        constraint = f"The worst case of a failure is {case.worst_case}, so there is no hard constraint."
    if excluded:
        constraint += f" That rules out {_join(excluded)}."
    lines += [f"Cartwheel needs {case.article} {case.lock}: {case.cartwheel}. {constraint}", ""]
    lines += ["We weighed the criteria (0–5): " + ", ".join(f"{CRITERION_WORDS[c]} {weight[c]:g}" for c in weighed)
              + (f"; not weighed: {', '.join(CRITERION_WORDS[c] for c in unweighed)}" if unweighed else "") + ".", ""]
    lines += ["Weighted scores (1–5): " + ", ".join(f"{o} {sc:.2f}" for o, sc in contenders) + ".", ""]
    lines += ["## Decision", ""]
    if case.requires_fencing:
        lines += [f"We will use {winner} for the {case.lock}, and the resource will reject any write whose fencing "
                  "token is lower than one it has already accepted.", ""]
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
    if case.requires_fencing:
        lines.append("- Negative: every write path must carry the token and the store must check it; that is work "
                     "in code we do not own yet.")
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
    (``## Context``) and labelled lines (``Status: accepted``)."""
    heading = re.compile(r"^\s*(?:#{1,6}\s*|\*\*)?(status|context|decision|consequences)\b\**\s*:?\**\s*(.*)$",
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


def adr_problems(text: Any) -> list[str]:
    """What an ADR lacks, as short phrases (empty when the structure is complete). Checks
    structure only; whether the reasoning is sound is for the rubric."""
    if not isinstance(text, str):
        return ["text"]
    problems = []
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not re.match(r"^\s*#\s+\S", first):
        problems.append("a title (the first line, '# ADR 0001: …')")
    sections = adr_sections(text)
    status = sections.get("status", "")
    if not re.search(r"\b(" + "|".join(ADR_STATUSES) + r")\b", status, re.IGNORECASE):
        problems.append("a Status of proposed, accepted, deprecated or superseded")
    if len(sections.get("context", "").split()) < 10:
        problems.append("a Context section that states the forces (at least a sentence or two)")
    if not re.search(r"\bwe will\b", sections.get("decision", ""), re.IGNORECASE):
        problems.append("a Decision section that commits: 'We will …'")
    consequences = sections.get("consequences", "")
    if not consequences:
        problems.append("a Consequences section")
    elif not _DOWNSIDE.search(consequences):
        problems.append("a downside among the Consequences (mark it 'Negative:' or name a cost or risk)")
    return problems


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


# -- explaining it to a non-technical stakeholder ------------------------------------------------
_FAMILIES = {
    "Redis": r"\bredis\b",
    "Postgres": r"\b(postgres|postgresql|database|db)\b",
    "ZooKeeper": r"\bzoo ?keeper\b",
    "etcd": r"\betcd\b",
}
_RISK = r"\b(risk|risks|oversell|oversells|oversold|overselling|corrupt\w*|twice|double|lose|lost|wrong|fail\w*|break\w*|broken)\b"
_COST = r"(\bcost\w*|[£$€]\s?\d|\bhours?\b|\bdays?\b|\bweeks?\b|\bmonths?\b|\bengineers?\b|\bpeople\b|\bon-call\b|\bmoney\b|\bbudget\b|\bspend\b|\beffort\b)"
_RECOMMEND = r"\b(recommend\w*|propose|suggest|we should|i would|my advice|let's)\b"
#: Words a product manager should not have to look up. A senior engineer translates them.
JARGON = ("fencing", "linearizable", "linearizability", "quorum", "raft", "zxid", "fsync", "split-brain", "split brain",
          "ttl", "consensus", "sentinel", "redlock", "advisory lock", "mutex", "jvm", "lease", "p99", "idempotent")
_JARGON = re.compile(r"\b(" + "|".join(re.escape(j) for j in JARGON) + r")\b", re.IGNORECASE)
STAKEHOLDER_WORDS = (60, 250)


def jargon_in(text: str) -> list[str]:
    return sorted({m.group(0).lower() for m in _JARGON.finditer(text)})


def stakeholder_problems(text: Any) -> list[str]:
    """What a note for a non-technical stakeholder lacks: both options, the risk, the cost, a
    recommendation, plain words, a readable length. Structure only; the rubric covers the rest."""
    if not isinstance(text, str):
        return ["text"]
    problems = []
    named = [name for name, pattern in _FAMILIES.items() if re.search(pattern, text, re.IGNORECASE)]
    if len(named) < 2:
        problems.append("both options by name (e.g. the Redis we run and the Postgres database)")
    if not re.search(_RISK, text, re.IGNORECASE):
        problems.append("the risk (what goes wrong for customers or the business)")
    if not re.search(_COST, text, re.IGNORECASE):
        problems.append("the cost (time, people or money)")
    if not re.search(_RECOMMEND, text, re.IGNORECASE):
        problems.append("a recommendation ('I recommend …')")
    found = jargon_in(text)
    if found:
        problems.append(f"plain words: translate {', '.join(repr(j) for j in found)}")
    words = len(text.split())
    if not STAKEHOLDER_WORDS[0] <= words <= STAKEHOLDER_WORDS[1]:
        problems.append(f"a length of {STAKEHOLDER_WORDS[0]}–{STAKEHOLDER_WORDS[1]} words (yours has {words})")
    return problems


def _text_check(problems_of) -> checks.Comparator:
    """A comparator over free text: pass when ``problems_of`` finds nothing missing."""

    def compare(answer: Any, expected: Any) -> checks.Verdict:
        if not isinstance(answer, str):
            return checks.not_yet(f"Expected your text as a string; got {checks.describe(answer)}.")
        if not answer.strip():
            return checks.Verdict(checks.NOT_ATTEMPTED, "The text is empty.")
        missing = problems_of(answer)
        return checks.OK if not missing else checks.not_yet("Missing: " + "; ".join(missing) + ".")

    return compare


STAKEHOLDER_RUBRIC = Rubric(
    id="02.stakeholder-note",
    title="Explaining the lock choice to Cartwheel's head of product",
    criteria=(
        "Leads with what the business risks (an oversold item, a refund, a support ticket), not with technology.",
        "Puts both options side by side on the same terms: what each costs and what each risks.",
        "Makes one recommendation and says what would change it.",
        "Gives the stakeholder a decision they can take or a question they can answer, in words they use.",
    ),
    mid_level=(
        "We compared Redis and Postgres for the reservation lock. Redis is faster and we already run it, but it is "
        "less safe because it can lose the lock during a failover, so there is a risk of overselling. Postgres is "
        "safer but adds some load to the database and will take the team a couple of weeks to build. I recommend "
        "Postgres because safety matters more than speed here."
    ),
    senior_level=(
        "We need a way to stop two checkout workers selling the last unit of an item twice. We already run two tools "
        "that could do it. The Redis we use for caching is fast and costs nothing new, but if it restarts at the "
        "wrong moment two workers can both think they won, and we oversell; a customer gets a cancellation email "
        "instead of a parcel. The Postgres database that holds inventory can make the second worker's sale fail "
        "safely; it costs about two weeks of one engineer and a little more load on a database we already run. I "
        "recommend Postgres. I would only revisit this if reservations grow past what that database can take, and we "
        "will see that coming in its dashboards months ahead. Can we agree on two weeks this quarter?"
    ),
)

ADR_RUBRIC = Rubric(
    id="02.adr",
    title="The reasoning in your ADR",
    criteria=(
        "The Context states the forces without arguing for the answer (a reader could disagree with the Decision).",
        "The hard constraint is named and justified by the worst case, separately from the weights.",
        "The Consequences include what gets worse, with numbers, not only what gets better.",
        "It says what would reopen the decision (the flip point, or a change in the use case).",
    ),
    mid_level=(
        "Context: we need a lock for inventory reservations. Decision: We will use Postgres advisory locks because "
        "they scored highest. Consequences: simpler operations, and we already run Postgres."
    ),
    senior_level=(
        "Context: reservations need a correctness lock; an oversell is the worst case, so options without a fencing "
        "token are out before any weighing. Decision: We will use Postgres advisory locks with a fencing counter "
        "checked in the reservation's transaction. Consequences: nothing new to run (+); weaker than etcd on safety "
        "(4 vs 5) and a Postgres failover drops every lock (−); revisit if the footprint weight falls below the flip "
        "point, e.g. if a platform team starts offering etcd as a service."
    ),
)


# -- fast labels --------------------------------------------------------------------------
@dataclass
class PixelLabel:
    """A label drawn onto the rendered pixels: ``x, y`` in data coordinates of the axes."""

    text: str = ""
    x: float = 0.0
    y: float = 0.0
    anchor: str = "lm"  # PIL anchors: l/m/r then t/m/s/b (ls = left, baseline)
    size: float = 8.0  # points
    bold: bool = False
    color: str = "#222222"
    visible: bool = True


class LabelledView(FigureView):
    """A :class:`FigureView` whose moving text (bar labels, the title) is drawn with PIL onto
    the blitted pixels after matplotlib has drawn the animated artists.

    Laying out one matplotlib Text costs 1–3 ms (glyph layout and rasterising), so a chart with
    a dozen moving labels blows the 50 ms budget; PIL draws the same string in about 0.05 ms.
    The Axes keeps its title text (``view.title`` and the caption read it), but the title
    artist is hidden and drawn here, so it never sticks in the cached background."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels: list[PixelLabel] = []
        self._fonts: dict[tuple[float, bool], Any] = {}
        self._sprites: dict[tuple[str, float, bool, str], tuple[Any, int, int]] = {}
        self.title_as_caption()

    def font(self, size: float, bold: bool) -> Any:
        from matplotlib import font_manager
        from PIL import ImageFont

        key = (size, bold)
        if key not in self._fonts:
            path = font_manager.findfont(font_manager.FontProperties(weight="bold" if bold else "normal"))
            self._fonts[key] = ImageFont.truetype(path, max(1, round(size * self.fig.dpi / 72)))
        return self._fonts[key]

    def sprite(self, text: str, size: float, bold: bool, color: str) -> tuple[Any, int, int]:
        """The label as a small RGBA image and the offset of its anchor point, cached: bar
        labels repeat ("4.13" comes back every time the slider does), names never change."""
        from PIL import Image, ImageDraw

        key = (text, size, bold, color)
        cached = self._sprites.get(key)
        if cached is None:
            font = self.font(size, bold)
            left, top, right, bottom = font.getbbox(text, anchor="ls")
            sprite = Image.new("RGBA", (max(1, right - left + 2), max(1, bottom - top + 2)), (255, 255, 255, 0))
            ImageDraw.Draw(sprite).text((-left + 1, -top + 1), text, font=font, fill=color, anchor="ls")
            cached = (sprite, left - 1, top - 1)
            if len(self._sprites) > 2000:
                self._sprites.clear()
            self._sprites[key] = cached
        return cached

    def _stamp(self, image: Any, text: str, x: float, y: float, anchor: str, size: float, bold: bool, color: str) -> None:
        sprite, dx, dy = self.sprite(text, size, bold, color)
        width = sprite.size[0] + 2 * dx + 2  # the ink's width, from the anchor's point of view
        shift_x = {"l": 0, "m": -width / 2, "r": -width}[anchor[0]]
        ascent = -dy
        shift_y = {"s": 0, "t": ascent, "m": ascent / 2 - 1, "b": 0}[anchor[1]]
        left, top = int(round(x + dx + shift_x)), int(round(y + dy + shift_y))
        if left < 0 or top < 0 or left + sprite.size[0] > image.size[0] or top + sprite.size[1] > image.size[1]:
            return  # off the canvas: skip rather than fail
        image.alpha_composite(sprite, (left, top))

    def render(self) -> None:

        from PIL import Image

        if self._background is None or not self._animated:
            self.canvas.draw()
            self.full_draws += 1
            self._background = self.canvas.copy_from_bbox(self.fig.bbox) if self._animated else None
        else:
            self.canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible() and artist.figure is not None:
                (artist.axes or self.fig).draw_artist(artist)
        width, height = self.canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).copy()
        ax = self.ax
        title = plotting.title_of(ax)
        if title:
            self._stamp(image, title, 8, height - ax.bbox.y1 - 6 * self.fig.dpi / 72, "ls", 11, True, "#000000")
        if self.labels:
            points = ax.transData.transform([(label.x, label.y) for label in self.labels])
            for label, (px, py) in zip(self.labels, points, strict=True):
                if label.visible and label.text:
                    self._stamp(image, label.text, px, height - py, label.anchor, label.size, label.bold, label.color)
        self.image.value = plotting.encode_image(image)
        self.caption.value = f"<span class='steward-chart-title'><b>{html.escape(title)}</b></span>"


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


class TradeoffExplorer(App):
    """A weight slider per criterion and a use-case switch → options ranked as horizontal
    bars (excluded ones hatched), the flip point of every weight, and the ADR."""

    title = "Trade-off explorer: how should Cartwheel take a lock?"

    def __init__(self, weights: Mapping[str, float] | None = None, use_case: str = "efficiency",
                 adr_folder: str | Path | None = None) -> None:
        self.scores = options_table()
        self.fencing = fencing_by_option()
        self._start = weights_series(weights if weights is not None else TEAM_WEIGHTS)
        self._start_case = use_case_of(use_case).key
        self.adr_folder = adr_folder
        self.figure = LabelledView(width=7.0, height=3.7,
                                   margins={"left": 0.25, "right": 0.97, "top": 0.89, "bottom": 0.23})
        ax = self.figure.ax
        n = len(self.scores)
        ax.set_xlim(0, 5)
        ax.set_ylim(n - 0.4, -0.6)
        ax.set_yticks([])
        ax.grid(axis="y", visible=False)
        plotting.finish(ax, "… wins the … lock by … over …", "weighted score (1–5; the weights as set)", "option")
        ax.yaxis.set_label_coords(-0.31, 0.5)
        self._bars = [ax.add_patch(plotting.mpatches.Rectangle((0, i - 0.35), 0, 0.7, linewidth=1.0)) for i in range(n)]
        self._names = [PixelLabel(str(option), -0.1, i, "rm", 9) for i, option in enumerate(self.scores.index)]
        self._values = [PixelLabel("", 0.05, i, "lm", 8) for i in range(n)]
        self.figure.labels = [*self._names, *self._values]
        ax.legend(handles=[plotting.mpatches.Patch(facecolor=plotting.HIGHLIGHT, label="winner"),
                           plotting.mpatches.Patch(facecolor=plotting.GOOD, label="allowed"),
                           plotting.mpatches.Patch(facecolor="#e6e6e6", edgecolor=plotting.NEUTRAL, hatch="///",
                                 label="excluded: no fencing token")],
                  loc="upper center", bbox_to_anchor=(0.42, -0.2), ncol=3, fontsize=8, frameon=False)
        self.figure.animate(*self._bars)
        self.flips_view = w.HTML()
        self.adr_view = w.HTML()
        self.filename = w.Text(value="", placeholder="file name (blank: from the ADR's title)",
                               layout=w.Layout(width="380px"))
        self.saved = w.HTML()
        self.last_saved: SavedADR | None = None
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        sliders: dict[str, w.Widget] = {
            "use_case": dropdown("Use case", [
                ("efficiency lock: duplicate work is the worst case", "efficiency"),
                ("correctness lock / leader election: corruption is the worst case", "correctness"),
            ], self._start_case),
        }
        for criterion in CRITERIA:
            sliders[criterion] = slider(CRITERION_LABELS[criterion], float(self._start[criterion]),
                                        WEIGHT_MIN, WEIGHT_MAX, WEIGHT_STEP)
        return sliders

    def layout(self) -> w.Widget:
        save = w.Button(description="Save the ADR", icon="save")
        save.on_click(lambda _: self.save())
        weights = w.VBox([w.HTML("<b>Weights</b> (0 = does not matter, 5 = matters most)"),
                          *[self.inputs[c] for c in CRITERIA]])
        adr = w.Accordion(children=[w.VBox([self.adr_view, w.HBox([self.filename, save]), self.saved])])
        adr.set_title(0, "ADR (Nygard's format), written from your choices")
        return w.VBox([self.inputs["use_case"], w.HBox([weights, self.figure.widget]),
                       w.HTML("<b>Flip points</b>: how far each weight must move before another option draws level"),
                       self.flips_view, adr])

    def compute(self, **values: Any) -> Exploration:
        weights = {c: values[c] for c in CRITERIA}
        return explore(self.scores, self.fencing, weights, values["use_case"])

    def draw(self, state: Exploration) -> None:
        table = state.table
        for option, (bar, name, value) in zip(self.scores.index, zip(self._bars, self._names, self._values, strict=True),
                                              strict=True):
            row = table.loc[option]
            y = int(np.flatnonzero(table.index == option)[0])
            score = float(row["score"])
            bar.set_y(y - 0.35)
            bar.set_width(score)
            if not row["eligible"]:
                bar.set_facecolor("#e6e6e6")
                bar.set_edgecolor(plotting.NEUTRAL)
                bar.set_hatch("///")
                value.text = f"{score:.2f} excluded"
            else:
                bar.set_facecolor(plotting.HIGHLIGHT if option == state.winner else plotting.GOOD)
                bar.set_edgecolor("none")
                bar.set_hatch(None)
                value.text = f"{score:.2f}"
            name.y = y
            name.bold = option == state.winner
            value.x, value.y = score + 0.05, y
        self.figure.ax.set_title(state.title)
        self.figure.render()
        self.flips_view.value = flips_html(state.flips)
        self.adr_view.value = ("<pre style='white-space:pre-wrap;font-size:12px;max-width:900px'>"
                               f"{html.escape(state.adr)}</pre>")

    def save(self, folder: str | Path | None = None, filename: str | None = None) -> SavedADR | None:
        """Save the ADR shown now as Markdown (never over an existing file)."""
        if self.state is None or self.error:
            self.saved.value = "Nothing to save: move a control until the chart shows a ranking."
            return None
        try:
            saved = save_adr(self.state.adr, folder if folder is not None else self.adr_folder,
                             filename or self.filename.value.strip() or None)
        except (OSError, ValueError) as error:
            self.saved.value = f"<span style='color:#D55E00'>Could not save: {html.escape(str(error))}</span>"
            return None
        self.last_saved = saved
        self.saved.value = html.escape(saved.message)
        return saved


def flips_html(flips: pd.DataFrame) -> str:
    """The flip table as a small HTML table, most fragile weight first."""
    rows = []
    for criterion, row in flips.iterrows():
        change = row["change"]
        if pd.isna(change):
            text = f"never within {WEIGHT_MIN:g}–{WEIGHT_MAX:g}"
        elif abs(change) < 1e-9:
            text = f"already tied with {row['challenger']}"
        else:
            text = f"{change:+.2f} (to {row['flips_at']:.2f}): {row['challenger']} draws level"
        rows.append(f"<tr><td>{html.escape(CRITERION_LABELS[criterion])}</td><td style='text-align:right'>"
                    f"{row['weight']:g}</td><td>{html.escape(text)}</td></tr>")
    return ("<table style='font-size:12px'><tr><th style='text-align:left'>criterion</th><th>weight</th>"
            "<th style='text-align:left'>flip point</th></tr>" + "".join(rows) + "</table>")


# -- the lease-lock timeline -------------------------------------------------------------
def lease_title(run: LeaseRun, fencing: bool) -> str:
    stale = run.rejected_with_fencing
    if stale == 0:
        return "No write landed out of order: no pause outlived a lease"
    if fencing:
        return f"With fencing tokens the store rejected {stale} stale write{'s' * (stale != 1)}: 0 corrupted"
    return f"Without fencing tokens {stale} stale write{'s' * (stale != 1)} overwrote newer work"


def row_positions(n_clients: int) -> dict[str, float]:
    """Rows spread over the fixed y-range, so the axes never change (no full redraw) when the
    number of clients does."""
    spacing = MAX_CLIENTS / n_clients
    return {name: (i + 0.5) * spacing - 0.5 for i, name in enumerate(CLIENT_NAMES[:n_clients])}


def _spans(frame: pd.DataFrame, start: str, end: str, row_of: Mapping[str, float], height: float) -> list:
    verts = []
    for client, a, b in zip(frame["client"], frame[start], frame[end], strict=True):
        y = row_of[client]
        verts.append([(a, y - height / 2), (b, y - height / 2), (b, y + height / 2), (a, y + height / 2)])
    return verts


def token_labels(holds: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The holds whose tokens tell the story: the paused client's and the ones that took the
    lock while it was paused (then the earliest, up to ``limit``)."""
    story = holds["pause_ms"] > 0
    if story.any():
        first = holds[story].iloc[0]
        end = max(first["job_end_ms"], first["acquired_ms"] + first["pause_ms"])
        story |= (holds["acquired_ms"] >= first["acquired_ms"]) & (holds["acquired_ms"] <= end)
    chosen = holds[story].head(limit)
    if len(chosen) < limit:
        chosen = pd.concat([chosen, holds[~story].head(limit - len(chosen))]).sort_values("acquired_ms")
    return chosen


class LeaseLockLab(App):
    """Sliders for the pause, the lease and the number of clients → a timeline of who held
    the lock and which writes landed, with and without fencing tokens."""

    title = "Lease-lock simulation: a pause, a lease, and who gets to write"
    MAX_TOKEN_LABELS = 12

    def __init__(self, pause_ms: int = 0, lease_ms: int = 300, n_clients: int = 3, seed: int = 0,
                 fencing: bool = False) -> None:
        self._start = {"pause_ms": pause_ms, "lease_ms": lease_ms, "n_clients": n_clients, "seed": seed,
                       "fencing": fencing}
        self.figure = LabelledView(width=7.5, height=3.6, margins={"left": 0.09, "right": 0.98, "top": 0.88, "bottom": 0.27})
        ax = self.figure.ax
        ax.set_xlim(0, HORIZON_MS)
        ax.set_ylim(MAX_CLIENTS - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        plotting.finish(ax, "…", "time (ms)", "client")
        ax.yaxis.set_label_coords(-0.06, 0.5)
        self._held = plotting.mcollections.PolyCollection([], facecolor=plotting.GOOD, alpha=0.3, edgecolor="none")
        self._stale = plotting.mcollections.PolyCollection([], facecolor="none", edgecolor=plotting.BAD, hatch="///", linewidth=0.8)
        self._pause = plotting.mcollections.PolyCollection([], facecolor=plotting.NEUTRAL, alpha=0.45, edgecolor="none")
        for collection in (self._held, self._stale, self._pause):
            ax.add_collection(collection)
        self._ok = ax.scatter([], [], s=14, marker="o", color=plotting.GOOD, zorder=3)
        self._bad = ax.scatter([], [], s=60, marker="X", color=plotting.BAD, zorder=4)
        self._rejected = ax.scatter([], [], s=40, marker="x", color="black", zorder=4)
        ax.set_yticks([])
        self._rows = [PixelLabel(name, -30, i, "rm", 9) for i, name in enumerate(CLIENT_NAMES)]
        self._tokens = [PixelLabel("", 0, 0, "ls", 7, color="#333333") for _ in range(self.MAX_TOKEN_LABELS)]
        self.figure.labels = [*self._rows, *self._tokens]
        handles = [plotting.mpatches.Patch(facecolor=plotting.GOOD, alpha=0.3, label="holds the lease"),
                   plotting.mpatches.Patch(facecolor=plotting.NEUTRAL, alpha=0.45, label="paused (GC, network); 33 = token"),
                   plotting.mpatches.Patch(facecolor="none", edgecolor=plotting.BAD, hatch="///", label="lease expired, still working"),
                   ax.scatter([], [], s=14, marker="o", color=plotting.GOOD, label="write landed"),
                   ax.scatter([], [], s=60, marker="X", color=plotting.BAD, label="stale write landed (corrupts)"),
                   ax.scatter([], [], s=40, marker="x", color="black", label="stale write rejected")]
        self.figure.fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
        self.figure.animate(self._held, self._stale, self._pause, self._ok, self._bad, self._rejected,
                            )
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        s = self._start
        return {
            "pause_ms": int_slider("Pause of client A (ms)", s["pause_ms"], 0, 1500, 50),
            "lease_ms": int_slider("Lease length (ms)", s["lease_ms"], 100, 1000, 50),
            "n_clients": int_slider("Clients", s["n_clients"], 2, MAX_CLIENTS),
            "seed": int_slider("Seed", s["seed"], 0, 20),
            "fencing": dropdown("Store", [("without fencing tokens", False), ("with fencing tokens", True)], s["fencing"]),
        }

    def compute(self, pause_ms: int, lease_ms: int, n_clients: int, seed: int, fencing: bool) -> dict[str, Any]:
        run = simulate_lease_lock(int(n_clients), int(lease_ms), int(pause_ms), int(seed))
        return {"run": run, "fencing": bool(fencing), "title": lease_title(run, bool(fencing)),
                "corrupted": run.corrupted_with_fencing if fencing else run.corrupted_without_fencing,
                "rejected": run.rejected_with_fencing if fencing else 0}

    def draw(self, state: dict[str, Any]) -> None:
        run: LeaseRun = state["run"]
        holds, writes = run.holds, run.writes
        n = run.params["n_clients"]
        row_of = row_positions(n)
        height = min(0.6 * MAX_CLIENTS / n, 1.2)
        self._held.set_verts(_spans(holds, "acquired_ms", "released_ms", row_of, height))
        late = holds[holds["job_end_ms"] > holds["expires_ms"]]
        self._stale.set_verts(_spans(late, "expires_ms", "job_end_ms", row_of, height * 0.8))
        paused = holds[holds["pause_ms"] > 0].assign(pause_end=lambda f: f["acquired_ms"] + f["pause_ms"])
        self._pause.set_verts(_spans(paused, "acquired_ms", "pause_end", row_of, height))
        xy = np.column_stack([writes["time_ms"].to_numpy(float), writes["client"].map(row_of).to_numpy(float)])
        stale = writes["out_of_order"].to_numpy(bool)
        if state["fencing"]:
            self._ok.set_offsets(xy[~stale])
            self._bad.set_offsets(np.empty((0, 2)))
            self._rejected.set_offsets(xy[stale])
        else:
            self._ok.set_offsets(xy[~stale])
            self._bad.set_offsets(xy[stale])
            self._rejected.set_offsets(np.empty((0, 2)))
        for i, label in enumerate(self._rows):
            label.visible = i < n
            label.y = row_of.get(CLIENT_NAMES[i], 0.0)
        shown = token_labels(holds, self.MAX_TOKEN_LABELS)
        for i, text in enumerate(self._tokens):
            if i < len(shown):
                row = shown.iloc[i]
                text.x, text.y = row["acquired_ms"], row_of[row["client"]] - height / 2 - 0.05
                text.text = str(row["token"])
                text.visible = True
            else:
                text.visible = False
        self.figure.ax.set_title(state["title"])
        self.figure.render()


#: Every widget of the lesson, by name: the benchmark and the robustness tests drive each
#: control of each through its whole range.
APPS = {"trade-off-explorer": TradeoffExplorer, "lease-lock": LeaseLockLab}


# -- the exercise -----------------------------------------------------------------------------
#: The run the exercise counts writes in: 4 clients, a 300 ms lease, A paused for 305 ms.
EXERCISE_RUN = {"n_clients": 4, "lease_ms": 300, "pause_ms": 305, "seed": 1}
#: The criterion whose flip point the exercise asks for, under the efficiency lock.
FLIP_CRITERION = "availability"


@lru_cache(maxsize=1)
def _exercise_writes() -> pd.DataFrame:
    return simulate_lease_lock(**EXERCISE_RUN).writes[["time_ms", "client", "token", "lease_expires_ms"]]


def exercise_write_log() -> pd.DataFrame:
    """The write log of ``EXERCISE_RUN``, as a storage server would record it (no verdicts).
    A fresh copy each call, so a learner's edits never reach the reference answers."""
    return _exercise_writes().copy()


@lru_cache(maxsize=1)
def _cached_scores() -> pd.DataFrame:
    return options_table()


def _scores() -> pd.DataFrame:
    """The reference scores (a copy: reference code must not share a frame with anyone)."""
    return _cached_scores().copy()


def _efficiency_flip() -> Flip:
    return flip_point(_scores(), TEAM_WEIGHTS, FLIP_CRITERION)


def _crossing_with(option: str, mean_scale: bool = False) -> float:
    """The weight change at which ``option`` would draw level with the winner, computed with
    totals (right) or with weighted *means* (a misconception: the mean's divisor moves too)."""
    scores, flip = _scores(), _efficiency_flip()
    values = weighted_scores(scores, TEAM_WEIGHTS) if mean_scale else weighted_totals(scores, TEAM_WEIGHTS)
    slope = scores.loc[option, FLIP_CRITERION] - scores.loc[flip.winner, FLIP_CRITERION]
    return float((values[flip.winner] - values[option]) / slope)


def _best_on_flip_criterion() -> str:
    """The option (other than the winner) that scores highest on the flip criterion."""
    scores, flip = _scores(), _efficiency_flip()
    column = scores[FLIP_CRITERION].drop(flip.winner)
    return str(column.idxmax())


def _pair(answer: Any) -> tuple[int, int] | None:
    if isinstance(answer, Mapping):
        answer = tuple(answer.values())
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return None
    out = []
    for value in answer:
        if isinstance(value, bool | np.bool_):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        if not math.isfinite(number) or number != int(number):
            return None
        out.append(int(number))
    return out[0], out[1]


def _compare_counts(answer: Any, expected: tuple[int, int]) -> checks.Verdict:
    got = _pair(answer)
    if got is None:
        return checks.not_yet("Expected a pair of whole numbers: (corrupted without fencing, corrupted with fencing); "
                              f"got {checks.describe(answer)}.")
    if got == tuple(expected):
        return checks.OK
    if got[0] == expected[0]:
        return checks.not_yet("The count without fencing is right; the count with fencing is not.")
    if got[1] == expected[1]:
        return checks.not_yet("The count with fencing is right; the count without fencing is not.")
    return checks.not_yet(f"{got} is not what the write log gives.")


def _flip_answer(scores: pd.DataFrame, weights: Mapping[str, float], criterion: str,
                 allowed: pd.Series | None) -> float | None:
    return flip_point(scores, weights, criterion, allowed).change


def _flip_one_way(scores: pd.DataFrame, weights: Mapping[str, float], criterion: str,
                  allowed: pd.Series | None) -> float | None:
    """A misconception: only ever raise the weight."""
    flip = flip_point(scores, weights, criterion, allowed, low=weights_series(weights)[criterion])
    return flip.change


def _flip_no_constraint(scores: pd.DataFrame, weights: Mapping[str, float], criterion: str,
                        allowed: pd.Series | None) -> float | None:
    """A misconception: ignore the hard constraint."""
    return flip_point(scores, weights, criterion, None).change


#: Weight sets the stretch function is checked on (besides the team's): all equal, an SRE who
#: weighs safety first, and a performance-minded engineer.
CHECK_WEIGHTS: dict[str, dict[str, float]] = {
    "team": TEAM_WEIGHTS,
    "even": dict.fromkeys(CRITERIA, 3.0),
    "sre": {"safety": 5.0, "availability": 4.0, "latency": 1.0, "throughput": 1.0, "simplicity": 3.0,
            "familiarity": 1.0, "footprint": 1.0},
    "speed": {"safety": 1.0, "availability": 2.0, "latency": 5.0, "throughput": 4.0, "simplicity": 2.0,
              "familiarity": 1.0, "footprint": 0.5},
}


def _flip_cases() -> list[tuple[Any, ...]]:
    scores, fencing = _scores(), fencing_by_option()
    return [(scores, weights, criterion, eligible(fencing, case))
            for weights in CHECK_WEIGHTS.values() for case in USE_CASES for criterion in CRITERIA]


def _same_change(a: Any, b: Any) -> bool:
    blank_a = a is None or (isinstance(a, float) and math.isnan(a))
    blank_b = b is None or (isinstance(b, float) and math.isnan(b))
    if blank_a or blank_b:
        return blank_a and blank_b
    try:
        return math.isclose(float(a), float(b), abs_tol=1e-6)
    except (TypeError, ValueError):
        return False


def _compare_flip_function(answer: Any, expected: Any) -> checks.Verdict:
    """The learner's flip function against ``expected`` (a function) on every criterion, both
    use cases and four weight sets, within 1e-6 (``None`` or NaN both mean "never")."""
    if not callable(answer):
        return checks.not_yet(f"Expected a function; got {checks.describe(answer)}.")
    results = []
    for args in _flip_cases():
        try:
            got = answer(*args)
        except Exception as error:  # the learner's code: report, never raise
            return checks.not_yet(f"Your function raised {type(error).__name__}: {error} for criterion {args[2]!r}.")
        results.append((args, got))
    if all(got is None or got is Ellipsis for _, got in results):
        return checks.Verdict(checks.NOT_ATTEMPTED, "Your function returns nothing yet.")
    for args, got in results:
        want = expected(*args)
        if not _same_change(got, want):
            case = "correctness" if not bool(args[3].all()) else "efficiency"
            return checks.not_yet(f"For criterion {args[2]!r} ({case} lock, weights {dict(args[1])}) your function "
                                  f"returns {got!r}; the reference gives {want!r}.")
    return checks.OK


TASKS = TaskSet(MODULE)

TASKS.add(Task(
    id="02.weighted-scores",
    title="Weighted scores in pandas",
    prompt="With the team's weights (`lesson.TEAM_WEIGHTS`), the weighted mean score of each option on the 1–5 "
           "scale: a Series option → score.",
    reference=lambda: weighted_scores(_scores(), TEAM_WEIGHTS),
    compare=checks.series(rel=1e-3, what="weighted score"),
    hints=[
        "If latency weighs 3 and throughput 1, how much more should a point of latency count — and what do "
        "you divide by so the result stays on the 1–5 scale?",
        "Pivot the long table to options × criteria, multiply each column by its weight (`wide * pd.Series(weights)`), "
        "sum across the row, then divide by the sum of the weights.",
    ],
    misconceptions=[
        Misconception(
            "took the plain mean of the scores",
            "That is every criterion weighing the same. Where do the team's weights come in?",
            lambda: _scores().mean(axis=1),
        ),
        Misconception(
            "kept the weighted sum",
            "Those are weighted sums, not on the 1–5 scale any more. What do you divide by so they are?",
            lambda: weighted_totals(_scores(), TEAM_WEIGHTS),
        ),
        Misconception(
            "divided by the number of criteria, not the sum of the weights",
            "You divided by 7, the number of criteria. A weighted mean divides by what instead?",
            lambda: weighted_totals(_scores(), TEAM_WEIGHTS) / len(CRITERIA),
        ),
    ],
))

TASKS.add(Task(
    id="02.correctness-shortlist",
    title="Apply the hard constraint",
    prompt="For the inventory-reservation (correctness) lock, the options still allowed, best first by the team's "
           "weighted score: a list of option names.",
    reference=lambda: list(ranking(_scores(), TEAM_WEIGHTS, fencing_by_option(), "correctness")
                           .query("eligible").index),
    compare=checks.same_items(ordered=True, what="options"),
    hints=[
        "For a lock whose failure oversells stock, which property must an option have before its score matters at all?",
        "Keep the options whose `fencing_token` is True (a filter, before any weighing), then sort them by your "
        "weighted scores, highest first.",
    ],
    misconceptions=[
        Misconception(
            "ranked every option, ignoring the constraint",
            "Every option is still in your list. Which ones cannot give the resource a fencing token, and what does "
            "that mean for a lock that must never let two writers through?",
            lambda: list(ranking(_scores(), TEAM_WEIGHTS, fencing_by_option(), "efficiency").index),
        ),
        Misconception(
            "kept the options without a fencing token",
            "Those are exactly the options that *cannot* produce a fencing token. Did the filter keep the wrong side?",
            lambda: list(weighted_scores(_scores(), TEAM_WEIGHTS)[~fencing_by_option()]
                         .sort_values(ascending=False).index),
        ),
        Misconception(
            "sorted worst first",
            "The right options, with the weakest first. Which end of a ranking does a reader look at?",
            lambda: list(ranking(_scores(), TEAM_WEIGHTS, fencing_by_option(), "correctness")
                         .query("eligible").index[::-1]),
        ),
    ],
))

TASKS.add(Task(
    id="02.flip-point",
    title="The flip point",
    prompt=f"Under the efficiency lock with the team's weights, by how much must the weight of `{FLIP_CRITERION}` "
           "rise before another option draws level with the winner? A number: the change in weight (not the new weight).",
    reference=lambda: _efficiency_flip().change,
    compare=checks.number(rel=1e-3, abs=1e-6, unit="weight units"),
    hints=[
        f"Each option's *total* (Σ weight × score) is a straight line in the {FLIP_CRITERION} weight. What is each "
        "line's slope, and where does a line that is steeper than the winner's catch up with it?",
        "For each other option o: gap = total(winner) − total(o); slope = score(o) − score(winner) on that criterion. "
        "Where slope > 0 the crossing is gap / slope. The flip is the smallest such crossing, and the weight must "
        "stay within 0–5.",
    ],
    misconceptions=[
        Misconception(
            "gave the weight at the flip, not the change",
            "That is the weight at which the decision flips. The task asks how far it must *move* from where it is.",
            lambda: _efficiency_flip().at,
        ),
        Misconception(
            "used the gap between weighted means",
            "You divided the gap between weighted *means* by the score difference. When one weight moves, what "
            "happens to the sum of the weights the mean divides by? Work with totals instead.",
            lambda: _crossing_with(_efficiency_flip().challenger, mean_scale=True),
        ),
        Misconception(
            "assumed the option best on that criterion catches up first",
            "That is where the option that scores *highest* on the criterion catches up. Does the steepest line "
            "always cross first, or does its starting gap matter too?",
            lambda: _crossing_with(_best_on_flip_criterion()),
        ),
    ],
))

TASKS.add(Task(
    id="02.stale-writes",
    title="Corrupted writes, with and without fencing",
    prompt="In the write log `lesson.exercise_write_log()`, how many writes corrupt the resource without fencing "
           "tokens, and how many with them? A pair of counts: (without, with).",
    reference=lambda: (corrupted_writes(exercise_write_log(), False), corrupted_writes(exercise_write_log(), True)),
    compare=_compare_counts,
    hints=[
        "A write corrupts the resource when it lands *after* work done under a newer lock. Which column tells you "
        "how new a writer's lock is, and what must you compare each write's value with?",
        "Sort by time. Without fencing, count writes whose token is lower than the highest token written before "
        "them (`token < token.cummax().shift()`). With fencing the store drops exactly those: of the writes it "
        "keeps, how many are out of order?",
    ],
    misconceptions=[
        Misconception(
            "counted the writes fencing rejects as corrupted",
            "With fencing, the stale writes are *rejected*: they never reach the resource. Can a write that never "
            "landed corrupt it?",
            lambda: (corrupted_writes(exercise_write_log(), False), corrupted_writes(exercise_write_log(), False)),
            matches=lambda a: _pair(a) == (corrupted_writes(exercise_write_log(), False),) * 2,
        ),
        Misconception(
            "counted every write made after the writer's lease expired",
            "You counted writes after the writer's lease expired. If nobody else has written yet, what has a late "
            "write overwritten?",
            lambda: (int((exercise_write_log().eval("time_ms > lease_expires_ms")).sum()), 0),
            matches=lambda a: (p := _pair(a)) is not None
            and p[0] == int(exercise_write_log().eval("time_ms > lease_expires_ms").sum()),
        ),
        Misconception(
            "compared each write with the previous write only",
            "You compared each token with the one just before it. After a stale write, the next stale write follows "
            "a write with the same old token: what should it be compared with instead?",
            lambda: (int((exercise_write_log()["token"].diff() < 0).sum()), 0),
            matches=lambda a: (p := _pair(a)) is not None
            and p[0] == int((exercise_write_log()["token"].diff() < 0).sum()),
        ),
        Misconception(
            "counted every write by the paused client",
            "That is every write client A made, including its later, perfectly good jobs. Which of its writes came "
            "after a newer token's?",
            lambda: (int((exercise_write_log()["client"] == "A").sum()), 0),
            matches=lambda a: (p := _pair(a)) is not None
            and p[0] == int((exercise_write_log()["client"] == "A").sum()),
        ),
    ],
))


def _sample_adr() -> str:
    """A model ADR for the reservation lock: rendered, then edited as a person would."""
    text = render_adr(_scores(), TEAM_WEIGHTS, fencing_by_option(), "correctness")
    failover = ("- Negative: a Postgres failover ends every session, so every worker loses its lock at once and must "
                "take it again; reservations pause for the length of the failover.\n")
    return text.replace("\nProposed\n", "\nAccepted\n").replace("- Neutral:", failover + "- Neutral:", 1)


def _adr_without_commitment() -> str:
    return _sample_adr().replace("We will use", "We could use")


def _adr_only_upsides() -> str:
    text = _sample_adr()
    head, _, tail = text.partition("## Consequences")
    positives = [line for line in tail.splitlines() if line.startswith("- Positive")]
    return head + "## Consequences\n\n" + "\n".join(positives) + "\n"


def _adr_bad_status() -> str:
    return _sample_adr().replace("\nAccepted\n", "\nDone\n")


def _section(text: Any, name: str) -> str:
    return adr_sections(text).get(name, "") if isinstance(text, str) else ""


TASKS.add(Task(
    id="02.adr",
    title="An ADR in Nygard's format",
    prompt="The ADR for the inventory-reservation lock, as Markdown text: a title, then Status, Context, Decision "
           "and Consequences sections. The structure is checked; the reasoning is yours to assess with the rubric.",
    reference=lambda: "an ADR with every part",
    compare=_text_check(adr_problems),
    sample_answer=_sample_adr,
    hints=[
        "Six months from now someone asks why the team did not pick etcd. Which section of your ADR answers them, "
        "and does it say what you gave up as well as what you gained?",
        "Start from `lesson.render_adr(...)` or the explorer's ADR and edit it: the Status is one of proposed, "
        "accepted, deprecated, superseded; the Decision starts 'We will'; the Consequences include a 'Negative:' line.",
    ],
    misconceptions=[
        Misconception(
            "wrote the decision as an option, not a commitment",
            "Your Decision describes what the team *could* do. An ADR records what it *will* do: how does Nygard's "
            "Decision section start?",
            _adr_without_commitment,
            matches=lambda a: bool(_section(a, "decision")) and not re.search(r"\bwe will\b", _section(a, "decision"), re.I),
        ),
        Misconception(
            "listed only the upsides",
            "Every consequence you list is good news. What does the team give up with this choice, and who will "
            "feel it first?",
            _adr_only_upsides,
            matches=lambda a: bool(_section(a, "consequences")) and not _DOWNSIDE.search(_section(a, "consequences")),
        ),
        Misconception(
            "used a status Nygard's format does not have",
            "A reader scans the Status to know whether the decision still holds. Which four words does Nygard's "
            "format allow there?",
            _adr_bad_status,
            matches=lambda a: isinstance(a, str) and "status" in adr_sections(a)
            and not re.search(r"\b(" + "|".join(ADR_STATUSES) + r")\b", _section(a, "status"), re.I),
        ),
    ],
))

#: A note with jargon a head of product would have to look up (the misconception's example).
_NOTE_JARGON = (
    "We need to stop two checkout workers selling the last unit of an item twice. Redis, which we already run, is "
    "cheap, but its locks have no fencing tokens and a failover can cause split-brain, so we risk overselling. "
    "Postgres gives us a fencing counter in the same transaction and costs about two weeks of one engineer. "
    "I recommend Postgres, and I would revisit it if reservations outgrow that database."
)
#: A note that lays out both options and never says which one to pick.
_NOTE_NO_RECOMMENDATION = (
    "We need to stop two checkout workers selling the last unit of an item twice. The Redis we already run for "
    "caching is fast and costs nothing new, but if it restarts at the wrong moment two workers can both think they "
    "won, and we oversell: a customer gets a cancellation email instead of a parcel. The Postgres database that "
    "holds inventory can make the second sale fail safely; it costs about two weeks of one engineer. Both are "
    "reasonable and the team is happy with either."
)
#: A note with the risk and a recommendation but no word of what it costs.
_NOTE_NO_COST = (
    "We need to stop two checkout workers selling the last unit of an item twice. The Redis we already run for "
    "caching is fast, but if it restarts at the wrong moment two workers can both think they won, and we oversell: "
    "a customer gets a cancellation email instead of a parcel. The Postgres database that holds inventory can make "
    "the second sale fail safely instead. I recommend Postgres for this, and Redis for the jobs where a duplicate "
    "only wastes a little computing."
)

TASKS.add(Task(
    id="02.stakeholder-note",
    title="Explain it to the head of product",
    prompt="A note of 60–250 words for Cartwheel's head of product: both options, the risk, the cost, and your "
           "recommendation, in words they use. The structure is checked; assess the reasoning with the rubric.",
    reference=lambda: "a note with every part",
    compare=_text_check(stakeholder_problems),
    sample_answer=lambda: STAKEHOLDER_RUBRIC.senior_level,
    hints=[
        "What does the head of product lose sleep over: a lock, or a customer who paid for an item that is not "
        "there? Which words in your note would they have to ask you about?",
        "Name both options in plain words (the Redis we run, the Postgres database), say what goes wrong for "
        "customers, what each costs in time or people, and finish with 'I recommend …'.",
    ],
    misconceptions=[
        Misconception(
            "used jargon the stakeholder would have to look up",
            "Would your head of product know what those words mean? Say what the mechanism *does* for customers "
            "instead of what it is called.",
            lambda: _NOTE_JARGON,
            matches=lambda a: isinstance(a, str) and bool(jargon_in(a)),
        ),
        Misconception(
            "laid out the options without recommending one",
            "You described both options well, then handed the decision back. What would you do, and why?",
            lambda: _NOTE_NO_RECOMMENDATION,
            matches=lambda a: isinstance(a, str) and not re.search(_RECOMMEND, a, re.I),
        ),
        Misconception(
            "named the risk but not the cost",
            "The note says what could go wrong, but not what the safer option costs. What will the stakeholder "
            "be asked to give up: weeks, people, money?",
            lambda: _NOTE_NO_COST,
            matches=lambda a: isinstance(a, str) and not re.search(_COST, a, re.I),
        ),
    ],
))

TASKS.add(Task(
    id="02.flip-function",
    title="Stretch: the flip point as a function",
    prompt="Write `flip(scores, weights, criterion, allowed)` that returns the signed change of one weight at which "
           "another allowed option draws level with the winner (the smallest |change| keeping the weight within "
           "0–5), or None when no change within the range does. It is checked on every criterion, both use cases "
           "and four weight sets.",
    reference=lambda: _flip_answer,
    compare=_compare_flip_function,
    hints=[
        "Moving one weight by δ moves every option's total along a straight line. Which options can catch the "
        "winner if the weight goes *up*, and which if it goes *down*?",
        "For every allowed option o ≠ winner: gap = T(winner) − T(o), slope = s(o, c) − s(winner, c); if slope ≠ 0 "
        "the crossing is δ = gap / slope (negative when slope < 0). Keep the δ with the smallest |δ| whose "
        "weight + δ stays in [0, 5]; a gap of 0 means δ = 0.",
    ],
    misconceptions=[
        Misconception(
            "searched upwards only",
            "Your function only ever raises the weight. A decision can also flip when a weight is *lowered*: which "
            "options gain on the winner then?",
            lambda: _flip_one_way,
        ),
        Misconception(
            "ignored the hard constraint",
            "Your function lets excluded options draw level. Can an option that has no fencing token win the "
            "correctness lock at any weight?",
            lambda: _flip_no_constraint,
        ),
    ],
    stretch=True,
))
