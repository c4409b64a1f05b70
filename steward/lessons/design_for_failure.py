"""Module 03 — design for failure: availability arithmetic, shared failure domains and
fallbacks, the retry storm and the circuit breaker, retry amplification across layers,
blast radius (cells and shuffle sharding), and what a network partition does to each
coordination option of module 02.

The retry simulator and the breaker's state machine live in
:mod:`steward.lessons.resilience_sim`; this module holds the closed forms, the widgets
and the exercise's tasks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from steward import checks, plotting
from steward.lessons import resilience_sim as sim
from steward.lessons.resilience_sim import (
    CLIENTS,
    CLOSED,
    EXERCISE_BREAKER,
    HALF_OPEN,
    OPEN,
    RESILIENCE4J_DEFAULTS,
    Breaker,
    BreakerConfig,
    Client,
    Scenario,
    breaker_streams,
    run_stream,
    simulate,
    transition,
)
from steward.tasks import Misconception, Task, TaskSet
from steward.widgets import App, FigureView, dropdown, int_slider, w

MODULE = "03"

__all__ = [
    "CLIENTS", "CLOSED", "OPEN", "HALF_OPEN", "EXERCISE_BREAKER", "RESILIENCE4J_DEFAULTS", "Breaker",
    "BreakerConfig", "Client", "Scenario", "run_stream", "simulate", "transition", "breaker_streams",
]

# -- availability arithmetic ---------------------------------------------------------------
MINUTES = {"year": 365 * 24 * 60, "month": 30 * 24 * 60, "week": 7 * 24 * 60}


def _check_fraction(name: str, value: float) -> float:
    value = float(value)
    if not 0 <= value <= 1 or math.isnan(value):
        raise ValueError(f"{name} is an availability between 0 and 1 (e.g. 0.999); got {value}")
    return value


def series(*availabilities: float) -> float:
    """Every part must be up: availabilities multiply (0.999³ = 0.997) [Treynor et al. 2017]."""
    return float(np.prod([_check_fraction("each part", a) for a in availabilities])) if availabilities else 1.0


def parallel(*availabilities: float) -> float:
    """Any one part is enough: 1 − Π(1 − Aᵢ) — true only if the parts fail independently."""
    return 1.0 - float(np.prod([1 - _check_fraction("each part", a) for a in availabilities]))


def spread(replicas: int, zones: int) -> list[int]:
    """Replicas per zone when ``replicas`` are placed round-robin over ``zones`` zones."""
    if replicas < 0 or zones < 1:
        raise ValueError("replicas cannot be negative and there is at least one zone")
    used = min(zones, replicas) or 1
    return [replicas // used + (1 if i < replicas % used else 0) for i in range(used)]


def replica_tier(replica: float, replicas: int, zones: int = 3, zone: float = 1.0) -> float:
    """Availability of a tier of identical replicas spread over ``zones`` zones, each zone
    up with probability ``zone``. A zone failure takes down every replica in it, so with
    one zone the tier can never beat the zone: ``zone × (1 − (1 − a)ⁿ)``."""
    _check_fraction("a replica", replica)
    _check_fraction("a zone", zone)
    if replicas == 0:
        return 0.0
    down = 1.0
    for count in spread(replicas, zones):
        down *= 1 - zone * (1 - (1 - replica) ** count)
    return 1 - down


@dataclass(frozen=True)
class Path:
    """Cartwheel's recommendation path: edge → recommendation pods → Redis → inventory.

    The fallback is a list of popular items the edge serves when the rest of the path
    fails; it still needs the edge. (Scenario numbers, not measurements.)"""

    edge: float = 0.9999
    replica: float = 0.995
    replicas: int = 3
    zones: int = 3
    zone: float = 0.999
    redis: float = 0.9995
    inventory: float = 0.999
    fallback: bool = False
    popular: float = 0.9999


def path_parts(path: Path) -> dict[str, float]:
    """Availability of each stage, of the path behind the edge, and of what users get."""
    pods = replica_tier(path.replica, path.replicas, path.zones, path.zone)
    behind = series(pods, _check_fraction("Redis", path.redis), _check_fraction("inventory", path.inventory))
    edge = _check_fraction("the edge", path.edge)
    rest = parallel(behind, path.popular) if path.fallback else behind
    return {"edge": edge, "recommendation pods": pods, "Redis": path.redis, "inventory": path.inventory,
            "behind the edge": behind, "as served": edge * rest}


def path_availability(path: Path) -> float:
    """What users get: edge × (the rest, or the rest *or* the fallback)."""
    return path_parts(path)["as served"]


def simulate_path(path: Path, trials: int = 200_000, seed: int = 0) -> float:
    """Monte Carlo: draw every component up or down independently, ``trials`` times,
    and count how often users are served. Agrees with :func:`path_availability` within
    sampling error — the check that the closed form encodes the right structure."""
    rng = np.random.RandomState(seed)
    up = lambda p: rng.random_sample(trials) < p  # noqa: E731
    pods = np.zeros(trials, dtype=bool)
    for count in (spread(path.replicas, path.zones) if path.replicas else []):
        zone_up = up(path.zone)
        any_replica = np.zeros(trials, dtype=bool)
        for _ in range(count):
            any_replica |= up(path.replica)
        pods |= zone_up & any_replica
    behind = pods & up(path.redis) & up(path.inventory)
    served = behind | up(path.popular) if path.fallback else behind
    return float((up(path.edge) & served).mean())


def downtime_minutes(availability: float, period: str = "month") -> float:
    """Minutes down per year (365 d), month (30 d) or week at this availability."""
    return (1 - _check_fraction("availability", availability)) * MINUTES[period]


def human_duration(minutes: float) -> str:
    """3.65 d, 7.2 h, 43.2 min, 26 s: the unit a person would say."""
    if minutes >= 24 * 60:
        return f"{minutes / 1440:.3g} d"
    if minutes >= 60:
        return f"{minutes / 60:.3g} h"
    if minutes >= 1:
        return f"{minutes:.3g} min"
    return f"{minutes * 60:.3g} s"


def nines_table(levels: Sequence[float] = (0.99, 0.999, 0.9995, 0.9999, 0.99999)) -> pd.DataFrame:
    """Downtime allowed per year, month and week (factsheet §4, computed here)."""
    rows = [{"availability": f"{100 * a:.3f}".rstrip("0").rstrip(".") + "%",
             **{f"per {p}": human_duration(downtime_minutes(a, p)) for p in MINUTES}} for a in levels]
    return pd.DataFrame(rows).set_index("availability")


def nines(availability: float) -> float:
    """How many nines: 0.999 → 3. Capped at 9 so a perfect part still draws."""
    a = _check_fraction("availability", availability)
    return 9.0 if a >= 1 - 1e-9 else -math.log10(1 - a)


# -- retry amplification ------------------------------------------------------------------
def amplification(tries: int, layers: int, where: str = "every layer") -> list[int]:
    """Calls that reach each layer (top first) per user request when the bottom layer
    always fails: ``tries^depth`` if every layer retries, ``tries`` at every depth if
    only the top layer does ("retry at a single point in the stack" [Brooker, Builders'
    Library])."""
    if tries < 1 or layers < 1:
        raise ValueError("each layer makes at least one try, and there is at least one layer")
    if where == "every layer":
        return [tries**depth for depth in range(1, layers + 1)]
    if where == "top layer only":
        return [tries] * layers
    raise ValueError(f"retries happen at 'every layer' or the 'top layer only'; got {where!r}")


def count_calls(tries_per_layer: Sequence[int]) -> int:
    """Calls reaching the bottom when it always fails, by walking the call tree (the
    check on the closed form Π tries)."""
    if not tries_per_layer:
        return 1
    head, *rest = tries_per_layer
    return sum(count_calls(rest) for _ in range(int(head)))


#: Cartwheel's stack and how many tries each layer makes (scenario numbers).
LAYER_TRIES = {"edge gateway": 2, "recommendation engine": 3, "inventory service": 3, "database driver": 2}


# -- blast radius -------------------------------------------------------------------------
def shuffle_shard_shares(cells: int, shard_size: int) -> dict[str, float]:
    """Shares of customers a single noisy (or poisonous) customer reaches.

    * ``one cell fails``: cell-based architecture, one cell per customer: 1/cells.
    * ``plain shards``: cells grouped into fixed shards of ``shard_size``: everyone on the
      noisy customer's shard, 1/(cells // shard_size).
    * ``same shuffle shard``: each customer gets a random set of ``shard_size`` cells;
      only customers with exactly the same set lose every cell: 1/C(cells, shard_size).
    * ``share a cell``: customers with at least one cell in common, who still have a
      healthy cell to fail over to: 1 − C(cells − k, k)/C(cells, k).
    [AWS Well-Architected REL10; factsheet §4: 8 cells, 2 per shard → 28 shards]"""
    if cells < 1 or shard_size < 1:
        raise ValueError("there is at least one cell and a shard has at least one cell")
    if shard_size > cells:
        raise ValueError(f"a shard cannot use more cells ({shard_size}) than exist ({cells})")
    combos = math.comb(cells, shard_size)
    return {
        "combinations": float(combos),
        "one cell fails": 1 / cells,
        "plain shards": 1 / (cells // shard_size),
        "same shuffle shard": 1 / combos,
        "share a cell": 1 - math.comb(cells - shard_size, shard_size) / combos,
    }


def simulate_shuffle_sharding(cells: int, shard_size: int, customers: int = 20_000, seed: int = 0) -> dict[str, float]:
    """Give each customer a random shard, pick a noisy customer, and count who shares its
    whole shard or any cell of it: the Monte Carlo check of :func:`shuffle_shard_shares`."""
    shuffle_shard_shares(cells, shard_size)  # validates
    rng = np.random.RandomState(seed)
    keys = rng.random_sample((customers, cells)).argsort(axis=1)[:, :shard_size]
    member = np.zeros((customers, cells), dtype=bool)
    np.put_along_axis(member, keys, True, axis=1)
    noisy = member[0]
    overlap = (member[1:] & noisy).sum(axis=1)
    return {"same shuffle shard": float((overlap == shard_size).mean()), "share a cell": float((overlap > 0).mean())}


# -- network partitions -------------------------------------------------------------------
def partition_table() -> pd.DataFrame:
    """What each coordination option of module 02 does for a client on the *minority*
    side of a partition (sources: factsheet §1; PostgreSQL docs, "Explicit Locking: Advisory Locks")."""
    rows = [
        ("Redis (Sentinel, async replication)",
         "an old master cut off with clients keeps accepting writes; they are lost when it rejoins as a replica",
         "may read its own soon-to-be-lost writes",
         "a lock it grants can coexist with one granted on the majority side",
         "bound it with min-replicas-to-write; fence writes; efficiency locks only [redis sentinel.md]"),
        ("ZooKeeper",
         "no writes: the minority has no quorum",
         "served by one server without a quorum, so stale until that server notices it lost the leader",
         "the session expires, the ephemeral lock node is deleted, and someone else gets the lock",
         "treat session loss as lock loss; fence with the zxid [ZooKeeper docs; Kleppmann 2016]"),
        ("etcd",
         "no writes: Raft needs a majority",
         "linearizable reads (the default) fail; serializable reads may be stale",
         "the lease expires and the lock key goes with it",
         "condition writes on the revision, which works like a fencing token [etcd 'Why etcd']"),
        ("Postgres advisory lock",
         "no database at all for a client cut off from the primary",
         "none",
         "a session lock is held until released or the session ends; when the server drops the dead "
         "connection the lock is free, while the client may still believe it holds it",
         "fence: check a token in the same transaction as the write [PostgreSQL docs, Explicit Locking]"),
    ]
    return pd.DataFrame(rows, columns=["option", "writes", "reads", "locks / leases", "what to do"]).set_index("option")


# -- widgets --------------------------------------------------------------------------------
AVAILABILITY_OPTIONS = [("90%", 0.9), ("99%", 0.99), ("99.5%", 0.995), ("99.9%", 0.999), ("99.95%", 0.9995),
                        ("99.99%", 0.9999), ("100%", 1.0)]


def _bar_verts(positions: Sequence[float], values: Sequence[float], horizontal: bool, base: float = 0.0,
               width: float = 0.7) -> list[np.ndarray]:
    """Rectangles for a bar chart drawn as one PolyCollection: one artist to blit
    instead of one per bar, which keeps a redraw inside the 50 ms budget."""
    half = width / 2
    verts = []
    for p, v in zip(positions, values, strict=True):
        if horizontal:
            verts.append(np.array([[base, p - half], [v, p - half], [v, p + half], [base, p + half]]))
        else:
            verts.append(np.array([[p - half, base], [p - half, v], [p + half, v], [p + half, base]]))
    return verts


def _table_html(rows: Sequence[tuple[str, str]], note: str = "") -> str:
    """The numbers behind a chart, as text beside it (for screen readers and copying)."""
    body = "".join(f"<tr><td style='padding-right:10px'>{k}</td><td style='text-align:right'><b>{v}</b></td></tr>"
                   for k, v in rows)
    return f"<table style='font-size:12px'>{body}</table>" + (f"<div style='font-size:11px'>{note}</div>" if note else "")


class AvailabilityApp(App):
    """Replicas, zones and a fallback → the availability of each stage and of the path."""

    title = "Availability of the recommendation path"
    STAGES = ("edge", "recommendation pods", "Redis", "inventory", "behind the edge", "as served")

    def __init__(self) -> None:
        self.figure = FigureView(width=6.8, height=2.9, margins={"left": 0.33, "right": 0.97, "top": 0.97, "bottom": 0.17})
        ax = self.figure.ax
        self._y = np.arange(len(self.STAGES))[::-1]
        colours = [plotting.NEUTRAL] * 4 + [plotting.BAD, plotting.GOOD]
        self._bars = plotting.mcollections.PolyCollection(_bar_verts(self._y, np.zeros(len(self._y)), True), facecolors=colours)
        ax.add_collection(self._bars)
        ax.set_yticks(self._y)
        ax.set_yticklabels(self.STAGES)
        ax.set_xlim(0, 6.5)
        ax.set_ylim(-0.6, len(self._y) - 0.4)
        ax.axvline(3, color=plotting.NEUTRAL, linestyle=":", linewidth=1)
        plotting.finish(ax, "…", "nines (3 = 99.9%; dotted: a 99.9% SLO)", "part of the path")
        self.figure.animate(self._bars)
        self.figure.title_as_caption()
        self.numbers = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "replicas": int_slider("recommendation pods", 3, 0, 6),
            "replica": dropdown("each pod", AVAILABILITY_OPTIONS, 0.995),
            "zones": dropdown("placement", [("all in one zone", 1), ("over 2 zones", 2), ("over 3 zones", 3)], 3),
            "zone": dropdown("each zone", AVAILABILITY_OPTIONS, 0.999),
            "inventory": dropdown("inventory service", AVAILABILITY_OPTIONS, 0.999),
            "fallback": w.Checkbox(value=False, description="fallback: popular items"),
        }

    def layout(self) -> w.Widget:
        return w.HBox([w.VBox([*self.inputs.values(), self.numbers]), self.figure.widget])

    def compute(self, replicas: int, replica: float, zones: int, zone: float, inventory: float, fallback: bool) -> dict[str, Any]:
        path = Path(replica=replica, replicas=int(replicas), zones=int(zones), zone=zone, inventory=inventory, fallback=bool(fallback))
        parts = path_parts(path)
        total = parts["as served"]
        return {"path": path, "parts": parts, "availability": total,
                "minutes_per_month": downtime_minutes(total, "month")}

    def draw(self, state: dict[str, Any]) -> None:
        parts = state["parts"]
        self._bars.set_verts(_bar_verts(self._y, [min(nines(parts[s]), 6.5) for s in self.STAGES], True))
        path = state["path"]
        how = "with the fallback" if path.fallback else "no fallback"
        if path.replicas == 0:
            how += "; no pods: only the fallback can answer" if path.fallback else "; no pods: nothing can answer"
        self.figure.ax.set_title(
            f"{state['availability']:.3%} as served ({how}): "
            f"{human_duration(state['minutes_per_month'])} down a month", fontsize=10)
        rows = [(s, f"{parts[s]:.4%}") for s in self.STAGES]
        rows.append(("down per month", human_duration(state["minutes_per_month"])))
        self.numbers.value = _table_html(rows)
        self.figure.render()


class AmplificationApp(App):
    """Tries per layer and layers → calls reaching each layer when the bottom fails."""

    title = "Retries multiply across layers"
    MAX_LAYERS = 8

    def __init__(self) -> None:
        self.figure = FigureView(width=6.6, height=2.9, margins={"left": 0.16, "right": 0.97, "top": 0.97, "bottom": 0.26})
        ax = self.figure.ax
        self._x = np.arange(1, self.MAX_LAYERS + 1)
        # log10 of the calls on a linear axis: a log-scaled axis costs several times more to draw
        self._bars = plotting.mcollections.PolyCollection(_bar_verts(self._x, np.zeros(len(self._x)), False), facecolors=plotting.BAD)
        ax.add_collection(self._bars)
        ax.set_ylim(0, math.log10(5**8) + 0.4)
        ax.set_yticks(range(6))
        ax.set_yticklabels(["1", "10", "100", "1,000", "10,000", "100,000"])
        ax.set_xlim(0.4, self.MAX_LAYERS + 0.6)
        ax.set_xticks(self._x)
        ax.set_xticklabels(["1\n(top)"] + [str(i) for i in self._x[1:]])
        plotting.finish(ax, "…", "layer (each calls the next; the deepest is failing)", "calls per request (log)")
        self.figure.animate(self._bars)
        self.figure.title_as_caption()
        self.numbers = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "tries": int_slider("tries per layer", 3, 1, 5),
            "layers": int_slider("layers", 5, 1, self.MAX_LAYERS),
            "where": dropdown("who retries", ["every layer", "top layer only"], "every layer"),
        }

    def layout(self) -> w.Widget:
        return w.HBox([w.VBox([*self.inputs.values(), self.numbers]), self.figure.widget])

    def compute(self, tries: int, layers: int, where: str) -> dict[str, Any]:
        calls = amplification(int(tries), int(layers), where)
        return {"calls": calls, "factor": calls[-1], "where": where, "tries": tries, "layers": layers}

    def draw(self, state: dict[str, Any]) -> None:
        calls = state["calls"]
        self._bars.set_verts(_bar_verts(self._x[: len(calls)], np.log10(calls), False))
        self.figure.ax.set_title(
            f"{state['where'].capitalize()} retries: the deepest layer gets {state['factor']:,}× the calls", fontsize=10)
        self.numbers.value = _table_html([(f"layer {i + 1}", f"{c:,}") for i, c in enumerate(calls)])
        self.figure.render()


class BlastRadiusApp(App):
    """Cells and shard size → the share of customers one bad cell or one noisy customer reaches."""

    title = "Blast radius: cells and shuffle sharding"
    BARS = ("one cell fails", "plain shards", "share a cell", "same shuffle shard")
    LABELS = ("one bad cell (1 cell each)", "noisy customer, plain shards", "shuffle: shares ≥ 1 cell",
              "shuffle: same shard (all down)")

    def __init__(self) -> None:
        self.figure = FigureView(width=6.8, height=2.8, margins={"left": 0.42, "right": 0.97, "top": 0.97, "bottom": 0.18})
        ax = self.figure.ax
        self._y = np.arange(len(self.BARS))[::-1]
        colours = [plotting.NEUTRAL, plotting.BAD, plotting.HIGHLIGHT, plotting.GOOD]
        self._bars = plotting.mcollections.PolyCollection(_bar_verts(self._y, np.zeros(len(self._y)), True), facecolors=colours)
        ax.add_collection(self._bars)
        ax.set_yticks(self._y)
        ax.set_yticklabels(self.LABELS)
        ax.set_xlim(0, 102)
        ax.set_ylim(-0.6, len(self._y) - 0.4)
        plotting.finish(ax, "…", "customers affected (%)", "what goes wrong")
        self.figure.animate(self._bars)
        self.figure.title_as_caption()
        self.numbers = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {"cells": int_slider("cells", 8, 1, 20), "shard_size": int_slider("cells per customer", 2, 1, 6)}

    def layout(self) -> w.Widget:
        return w.HBox([w.VBox([*self.inputs.values(), self.numbers]), self.figure.widget])

    def compute(self, cells: int, shard_size: int) -> dict[str, Any]:
        size = min(int(shard_size), int(cells))
        shares: dict[str, Any] = dict(shuffle_shard_shares(int(cells), size))
        shares["note"] = f"{cells} cell(s): a customer can use at most {size}." if size < shard_size else ""
        return shares

    def draw(self, state: dict[str, Any]) -> None:
        self._bars.set_verts(_bar_verts(self._y, [100 * state[k] for k in self.BARS], True))
        self.figure.ax.set_title(
            f"{state['combinations']:,.0f} shuffle shards: a noisy customer takes down "
            f"{100 * state['same shuffle shard']:.2g}% of customers instead of {100 * state['plain shards']:.3g}%",
            fontsize=10)
        rows = [(label, f"{100 * state[k]:.3g}%") for label, k in zip(self.LABELS, self.BARS, strict=True)]
        self.numbers.value = _table_html([("possible shards", f"{state['combinations']:,.0f}"), *rows], state["note"])
        self.figure.render()


class RetryStormApp(App):
    """A fault on the inventory service and a client → load, success and p99 over time."""

    title = "Retry storm: the inventory service fails; how does each client behave?"
    NONE = "(none)"

    def __init__(self) -> None:
        self.figure = FigureView(width=6.4, height=4.0, margins={"left": 0.15, "right": 0.97, "top": 0.97, "bottom": 0.11})
        fig = self.figure.fig
        fig.clear()
        axes = list(fig.subplots(3, 1, sharex=True))
        fig.subplots_adjust(left=0.15, right=0.97, top=0.97, bottom=0.11, hspace=0.15)
        self.figure.axes = axes
        load_ax, ok_ax, lat_ax = axes
        horizon = Scenario().horizon_s
        cap = Scenario().capacity_rps
        self._span = [ax.axvspan(0, 0, color=plotting.BAD, alpha=0.12, linewidth=0) for ax in axes]
        load_ax.axhline(cap, color=plotting.BAD, linestyle="--", linewidth=1)
        load_ax.text(horizon, cap * 1.03, "capacity", ha="right", va="bottom", fontsize=8, color=plotting.BAD)
        load_ax.set_ylim(0, 2200)
        ok_ax.set_ylim(-3, 105)
        lat_ax.set_ylim(1, math.log10(20_000))   # log10(ms) on a linear axis: cheaper to draw than a log scale
        lat_ax.set_yticks([1, 2, 3, 4])
        lat_ax.set_yticklabels(["10", "100", "1,000", "10,000"])
        for ax in axes:
            ax.set_xlim(0, horizon)
        plotting.finish(load_ax, "…", "time (s)", "load on inventory\n(calls/s)")
        load_ax.set_xlabel("")
        ok_ax.set_ylabel("success (%)\n(1 s windows)")
        lat_ax.set_ylabel("p99 latency (ms)")
        lat_ax.set_xlabel("time (s); shaded: the fault")
        main, other = plotting.GOOD, plotting.NEUTRAL
        self._lines = {
            "load2": load_ax.plot([], [], color=other, linewidth=1.0)[0],
            "load": load_ax.plot([], [], color=main, linewidth=1.2)[0],
            "ok2": ok_ax.step([], [], where="post", color=other, linewidth=1.0)[0],
            "served": ok_ax.step([], [], where="post", color=plotting.HIGHLIGHT, linestyle="--", linewidth=1.2)[0],
            "ok": ok_ax.step([], [], where="post", color=main, linewidth=1.4)[0],
            "p992": lat_ax.step([], [], where="post", color=other, linewidth=1.0)[0],
            "p99": lat_ax.step([], [], where="post", color=main, linewidth=1.4)[0],
        }
        self.figure.animate(*self._span, *self._lines.values())
        self.figure.title_as_caption(load_ax)
        self.numbers = w.HTML()
        self._cache: dict[tuple, sim.Run] = {}
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        names = list(CLIENTS)
        return {
            "client": dropdown("client", names, "backoff + jitter"),
            "compare": dropdown("compared with", [self.NONE, *names], "naive retries"),
            "fault_s": int_slider("fault lasts (s)", 10, 0, 20),
            "fault_capacity": int_slider("capacity left in the fault (%)", 0, 0, 100, 10),
            "demand": int_slider("traffic (% of capacity)", 80, 0, 120, 5),
            "retries": int_slider("retries per call", 3, 0, 5),
            "backoff_ms": int_slider("backoff base (ms), backoff client", 200, 0, 1000, 50),
            "budget": int_slider("retry budget (% of traffic), budget client", 10, 0, 100, 5),
        }

    def layout(self) -> w.Widget:
        controls = list(self.inputs.values())
        return w.VBox([w.HBox([w.VBox(controls[:4]), w.VBox(controls[4:])]),
                       w.HBox([self.figure.widget, self.numbers])])

    def _run(self, name: str, scenario: Scenario, retries: int, backoff_ms: int, budget: int) -> sim.Run:
        client = client_for(name, retries, backoff_ms, budget)
        key = (client, scenario)
        if key not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = simulate(client, scenario)
        return self._cache[key]

    def compute(self, client: str, compare: str, fault_s: int, fault_capacity: int, demand: int, retries: int,
                backoff_ms: int, budget: int) -> dict[str, Any]:
        scenario = Scenario(demand=demand / 100, fault_duration_s=float(fault_s), fault_capacity=fault_capacity / 100)
        main = self._run(client, scenario, retries, backoff_ms, budget)
        other = self._run(compare, scenario, retries, backoff_ms, budget) if compare != self.NONE else None
        return {"run": main, "other": other, "title": storm_title(main, other)}

    def draw(self, state: dict[str, Any]) -> None:
        run, other = state["run"], state["other"]
        sc = run.scenario
        x0 = sc.fault_start_s
        width = sc.fault_duration_s if sc.fault_capacity < 1 else 0.0
        for span in self._span:
            span.set_x(x0)
            span.set_width(width)
        lines = self._lines
        lines["load"].set_data(run.time_s, run.load_rps)
        lines["ok"].set_data(run.window_s, 100 * run.success_rate)
        lines["p99"].set_data(run.window_s, _log_ms(run.p99_ms))
        lines["served"].set_visible(run.client.fallback)
        lines["served"].set_data(run.window_s, 100 * run.served_rate)
        for key, field in (("load2", "load_rps"), ("ok2", "success_rate"), ("p992", "p99_ms")):
            lines[key].set_visible(other is not None)
            if other is not None:
                x = other.time_s if field == "load_rps" else other.window_s
                y = getattr(other, field)
                y = 100 * y if field == "success_rate" else (_log_ms(y) if field == "p99_ms" else y)
                lines[key].set_data(x, y)
        self.figure.axes[0].set_title(state["title"], fontsize=10)
        self.numbers.value = storm_html(run, other)
        self.figure.render()


def _log_ms(values: np.ndarray) -> np.ndarray:
    """log10 of latencies in ms, floored at 10 ms (the chart's bottom)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(np.maximum(values, 10.0))


def storm_html(run: sim.Run, other: sim.Run | None) -> str:
    """The run's numbers beside the chart: blue is the client, grey the comparison."""
    rows = []
    for label, r in (("client (blue)", run), ("compared (grey)", other)):
        if r is None:
            continue
        s = r.summary()
        rows += [(f"<b>{label}</b>", r.client.name), ("success", f"{s['success %']:.1f}%"),
                 ("served incl. fallback", f"{s['served % (incl. fallback)']:.1f}%"),
                 ("peak load after fault", f"{s['peak load after fault (× capacity)']:.2f}× capacity"),
                 ("recovery", recovery_text(r)), ("worst p99", f"{s['worst p99 (ms)']:,.0f} ms"), ("", "")]
    note = "No traffic: nothing to measure." if not run.requests.sum() else \
        ("Orange dashed: served including popular items." if run.client.fallback else "")
    return _table_html(rows, note)


def client_for(name: str, retries: int = 3, backoff_ms: int = 200, budget: int = 10) -> Client:
    """One of the five clients with the widget's retries, backoff base and budget."""
    if name not in CLIENTS:
        raise ValueError(f"unknown client {name!r}; choose one of {list(CLIENTS)}")
    client = replace(CLIENTS[name], retries=int(retries))
    if client.backoff_base_s > 0:
        client = replace(client, backoff_base_s=backoff_ms / 1000)
    if client.budget_ratio is not None:
        client = replace(client, budget_ratio=budget / 100)
    return client


def recovery_text(run: sim.Run) -> str:
    """How long the client took to get back to ≥ 99% success after the fault."""
    sc = run.scenario
    if sc.fault_duration_s <= 0 or sc.fault_capacity >= 1:
        return "no fault"
    if run.recovery_s is None:
        return "never recovers"
    return f"back {run.recovery_s:.0f} s after the fault"


def storm_title(run: sim.Run, other: sim.Run | None = None) -> str:
    """The point of the chart, short: how long each client took to recover."""
    text = f"{run.client.name.capitalize()}: {recovery_text(run)}"
    if other is not None and other.client != run.client:
        text += f"; compared with {other.client.name} (grey): {recovery_text(other)}"
    return text


def run_all(scenario: Scenario | None = None) -> dict[str, sim.Run]:
    """The five clients against one scenario (the default 10 s outage)."""
    return {name: simulate(client, scenario) for name, client in CLIENTS.items()}


def storm_figure(runs: Mapping[str, sim.Run]):
    """The five clients' load and success over time: a figure that shows itself in a notebook."""
    fig, axes = plotting.new_figure(7.6, 4.2, nrows=2, sharex=True)
    plot_storm_comparison(runs, axes)
    return fig


def plot_storm_comparison(runs: Mapping[str, sim.Run], axes) -> None:
    """Load on the inventory service and success rate over time, one line per client,
    with the fault shaded: the static picture of the retry storm."""
    load_ax, ok_ax = axes
    colours = dict(zip(CLIENTS, [plotting.BAD, plotting.GOOD, plotting.PALETTE["green"], plotting.PALETTE["purple"],
                                 plotting.HIGHLIGHT], strict=True))
    styles = dict(zip(CLIENTS, ["-", "-", "-", ":", "--"], strict=True))
    any_run = next(iter(runs.values()))
    sc = any_run.scenario
    for ax in axes:
        ax.axvspan(sc.fault_start_s, sc.fault_end_s, color=plotting.BAD, alpha=0.1, linewidth=0)
    load_ax.axhline(sc.capacity_rps, color=plotting.NEUTRAL, linestyle="--", linewidth=1)
    for name, run in runs.items():
        kernel = np.ones(5)
        smooth = np.convolve(run.load_rps, kernel, mode="same") / np.convolve(np.ones_like(run.load_rps), kernel, mode="same")
        load_ax.plot(run.time_s, smooth, color=colours[name], linestyle=styles[name], label=name, linewidth=1.3)
        ok_ax.step(run.window_s, 100 * run.success_rate, where="post", color=colours[name],
                   linestyle=styles[name], linewidth=1.3)
    stuck = [n for n, r in runs.items() if r.recovery_s is None]
    title = (f"{', '.join(stuck).capitalize()}: never recovered once the fault ended" if stuck
             else "Every client recovered once the fault ended")
    plotting.finish(load_ax, title, "time (s)", "load on inventory (calls/s)")
    load_ax.set_xlabel("")
    load_ax.legend(fontsize=8, loc="upper right", ncol=2)
    ok_ax.set_ylabel("success (%)")
    ok_ax.set_xlabel("time (s); shaded: the inventory service's fault; dashed line: its capacity")


#: Every widget of the lesson: the benchmark and the robustness tests drive each control.
APPS = {
    "availability": AvailabilityApp,
    "retry-storm": RetryStormApp,
    "amplification": AmplificationApp,
    "blast-radius": BlastRadiusApp,
}


# -- the exercise's scenario -----------------------------------------------------------------
#: The path of the exercise: three pods over three zones, a 99.9% inventory service.
EXERCISE_PATH = Path()
#: Targets for the client-settings task, under the default 10 s outage.
LOAD_LIMIT = 1.2        #: × capacity, at every tick after the fault ends
SUCCESS_TARGET = 0.70   #: share of all user requests answered with real recommendations
SETTING_KEYS = ("retries", "backoff_base_s", "backoff_cap_s", "breaker", "budget_ratio", "fallback")
#: Stretch: at most this many cells; the noisy customer's reach must stay under these.
MAX_CELLS, MAX_FULL, MAX_PARTIAL = 16, 0.005, 0.5
#: Shuffle-sharding task: Cartwheel's 12 cells, 3 per customer.
SHARD_CELLS, SHARD_SIZE = 12, 3


def settings_to_client(settings: Any) -> Client | str:
    """A client from the learner's settings dict, or a sentence saying what is wrong."""
    if not isinstance(settings, Mapping):
        return f"Expected a dict of client settings with keys from {list(SETTING_KEYS)}; got {checks.describe(settings)}."
    unknown = [k for k in settings if k not in SETTING_KEYS]
    if unknown:
        return f"Unknown setting(s) {unknown}; use keys from {list(SETTING_KEYS)}."
    try:
        retries = settings.get("retries", 3)
        if isinstance(retries, bool) or int(retries) != retries or not 0 <= int(retries) <= 10:
            return f"retries is a whole number from 0 to 10; got {retries!r}."
        budget = settings.get("budget_ratio")
        client = Client(
            "yours", retries=int(retries), backoff_base_s=float(settings.get("backoff_base_s", 0.0)),
            backoff_cap_s=float(settings.get("backoff_cap_s", 2.0)), breaker=bool(settings.get("breaker", False)),
            fallback=bool(settings.get("fallback", False)), budget_ratio=None if budget is None else float(budget),
        )
    except (TypeError, ValueError):
        return "Each setting must be a number (retries, backoff_base_s, backoff_cap_s, budget_ratio) or True/False (breaker, fallback)."
    if not all(math.isfinite(v) for v in (client.backoff_base_s, client.backoff_cap_s)) or client.backoff_base_s < 0 \
            or client.backoff_cap_s < 0 or client.backoff_cap_s > 30 or client.backoff_base_s > 30:
        return "Backoff times are seconds between 0 and 30."
    if client.budget_ratio is not None and not (0 <= client.budget_ratio <= 10):
        return "budget_ratio is a share of normal traffic between 0 and 10 (0.1 = retries up to 10% of traffic), or None."
    return client


def evaluate_settings(settings: Any) -> dict[str, Any] | str:
    """Run the exercise's outage with the learner's client; the numbers the check needs."""
    client = settings_to_client(settings)
    if isinstance(client, str):
        return client
    run = simulate(client, Scenario())
    after = run.time_s >= run.scenario.fault_end_s
    total = run.requests.sum()
    return {"peak_after": float(run.load_rps[after].max() / run.scenario.capacity_rps),
            "success": float(run.ok.sum() / total) if total else 0.0, "recovery_s": run.recovery_s, "client": client}


def _check_settings(answer: Any, expected: Any) -> checks.Verdict:
    result = evaluate_settings(answer)
    if isinstance(result, str):
        return checks.not_yet(result)
    problems = []
    if result["peak_after"] > LOAD_LIMIT:
        problems.append(f"after the fault the load peaks at {result['peak_after']:.2f}× capacity (limit {LOAD_LIMIT}×)")
    if result["success"] < SUCCESS_TARGET:
        problems.append(f"{result['success']:.1%} of requests got real recommendations (target {SUCCESS_TARGET:.0%})")
    if problems:
        return checks.not_yet("With your settings " + "; ".join(problems) + ".")
    return checks.OK


#: Candidate settings the reference tries in order; the first that meets both targets is
#: the reference answer (so it is computed by the simulator, not typed in).
CANDIDATE_SETTINGS = (
    {"retries": 3},
    {"retries": 0},
    {"retries": 3, "backoff_base_s": 0.2},
    {"retries": 3, "budget_ratio": 0.1},
    {"retries": 3, "backoff_base_s": 0.2, "breaker": True},
)


def reference_settings() -> dict[str, Any]:
    for candidate in CANDIDATE_SETTINGS:
        if _check_settings(candidate, None).passed:
            return dict(candidate)
    raise RuntimeError("no candidate meets the targets: the scenario changed")


def _naive_like(answer: Any) -> bool:
    client = settings_to_client(answer)
    return isinstance(client, Client) and client.retries >= 1 and client.backoff_base_s < 0.05 \
        and not client.breaker and client.budget_ratio is None


def _no_retries(answer: Any) -> bool:
    client = settings_to_client(answer)
    return isinstance(client, Client) and (client.retries == 0 or client.budget_ratio == 0) and not client.breaker


def _backoff_alone(answer: Any) -> bool:
    client = settings_to_client(answer)
    return isinstance(client, Client) and client.backoff_base_s >= 0.05 and not client.breaker \
        and client.budget_ratio is None


def _budget_alone(answer: Any) -> bool:
    client = settings_to_client(answer)
    return isinstance(client, Client) and client.budget_ratio is not None and client.budget_ratio > 0 \
        and not client.breaker


# -- the breaker task ----------------------------------------------------------------------
class StreamCase(tuple):
    """One stream of (time_s, failed) calls, shown briefly in a check's message."""

    index: int

    def __new__(cls, events: sim.Stream, index: int) -> StreamCase:
        obj = super().__new__(cls, events)
        obj.index = index
        return obj

    def __repr__(self) -> str:
        return f"lesson.breaker_streams()[{self.index}]"


class States(tuple):
    """A breaker's states after each call, shown as C / O / H."""

    def __repr__(self) -> str:
        short = {CLOSED: "C", OPEN: "O", HALF_OPEN: "H"}
        return "'" + "".join(short.get(s, "?") for s in self) + "'"


def _replay(step: Any):
    def replay(stream: StreamCase) -> States | None:
        states = run_stream(step, stream)
        return None if states is None else States(states)
    return replay


def _stream_cases() -> list[tuple[StreamCase]]:
    return [(StreamCase(s, i),) for i, s in enumerate(breaker_streams())]


_streams_compare = checks.function_on(_stream_cases, what="stream")


def _check_transition(answer: Any, expected: Any) -> checks.Verdict:
    if not callable(answer):
        return checks.not_yet(f"Expected your function transition(breaker, now, failed); got {checks.describe(answer)}.")
    return _streams_compare(_replay(answer), _replay(expected))


def _never_half_opens(breaker: Breaker, now: float, failed: bool, config: BreakerConfig = EXERCISE_BREAKER) -> Breaker:
    if breaker.state == OPEN:
        return breaker
    return transition(breaker, now, failed, config)


def _ignores_minimum(breaker: Breaker, now: float, failed: bool, config: BreakerConfig = EXERCISE_BREAKER) -> Breaker:
    return transition(breaker, now, failed, config._replace(min_calls=1))


def _decides_on_first_trial(breaker: Breaker, now: float, failed: bool, config: BreakerConfig = EXERCISE_BREAKER) -> Breaker:
    return transition(breaker, now, failed, config._replace(half_open_calls=1))


def _keeps_old_window(breaker: Breaker, now: float, failed: bool, config: BreakerConfig = EXERCISE_BREAKER) -> Breaker:
    """Forgets to empty the window: failures from before the outage still count after it."""
    memory = breaker.window
    after = transition(breaker, now, failed, config)
    if after.state == CLOSED and breaker.state != CLOSED:
        window = memory[-config.window:]
        if len(window) >= config.min_calls and sum(window) / len(window) >= config.failure_rate:
            return Breaker(OPEN, window, now, ())
        return after._replace(window=window)
    if after.state == OPEN and breaker.state == CLOSED:
        return after._replace(window=(*breaker.window, bool(failed))[-config.window:])
    if after.state in (OPEN, HALF_OPEN):
        return after._replace(window=memory)
    return after


# -- tasks ----------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)

_P = EXERCISE_PATH

TASKS.add(Task(
    id="03.path-availability",
    title="Availability of the recommendation path",
    prompt="The path is edge → recommendation pods → Redis → inventory, with the numbers in `lesson.EXERCISE_PATH` "
           "(three pods, each 99.5%, one per zone; ignore zone failures here, i.e. zones never fail). What share of the "
           "time can the path answer with real recommendations? A fraction, e.g. 0.998.",
    reference=lambda: path_availability(replace(_P, zone=1.0)),
    compare=checks.number(rel=0, abs=2e-6, unit="a fraction"),
    hints=[
        "Which parts must *all* be up, and which part needs only *one* of its copies up?",
        "Series parts multiply. The pods are in parallel: 1 − (1 − 0.995)³. Multiply that by the edge, Redis and inventory.",
    ],
    misconceptions=[
        Misconception(
            "treated the replicas as a chain",
            "You multiplied the three pods as if each were needed. Does the path need all three pods, or any one?",
            lambda: series(_P.edge, _P.replica, _P.replica, _P.replica, _P.redis, _P.inventory),
        ),
        Misconception(
            "used one pod",
            "That is the path with a single pod. What do the other two replicas add?",
            lambda: series(_P.edge, _P.replica, _P.redis, _P.inventory),
        ),
        Misconception(
            "averaged the availabilities",
            "An average says how good a typical part is. When any one failing part breaks the path, which operation combines them?",
            lambda: float(np.mean([_P.edge, parallel(_P.replica, _P.replica, _P.replica), _P.redis, _P.inventory])),
        ),
        Misconception(
            "answered a percentage",
            "That looks like a percentage. The task asks for a fraction between 0 and 1.",
            lambda: 100 * path_availability(replace(_P, zone=1.0)),
        ),
    ],
))

TASKS.add(Task(
    id="03.fallback-availability",
    title="The same path with a fallback",
    prompt="When anything behind the edge fails, the edge serves a list of popular items instead (available "
           "`lesson.EXERCISE_PATH.popular` of the time). Zones still never fail. What share of the time do users now get "
           "*something* (recommendations or popular items)? A fraction.",
    reference=lambda: path_availability(replace(_P, zone=1.0, fallback=True)),
    compare=checks.number(rel=0, abs=2e-7, unit="a fraction"),
    hints=[
        "The fallback and the path behind the edge are alternatives. Which part do both still depend on?",
        "Behind the edge: pods × Redis × inventory. Either that or the popular list: 1 − (1 − behind)(1 − popular). Then × edge.",
    ],
    misconceptions=[
        Misconception(
            "put the fallback in series",
            "You multiplied by the fallback, as if users needed it *and* the path. When is the fallback used?",
            lambda: path_availability(replace(_P, zone=1.0)) * _P.popular,
        ),
        Misconception(
            "made the edge redundant too",
            "The popular list is served by the same edge. Is the edge backed up by the fallback, or shared by both?",
            lambda: parallel(path_availability(replace(_P, zone=1.0)), _P.popular),
        ),
        Misconception(
            "forgot the fallback",
            "That is the path without the fallback (your answer to the first task). What does the popular list add?",
            lambda: path_availability(replace(_P, zone=1.0)),
        ),
    ],
))

def zone_cost_minutes(path: Path = EXERCISE_PATH) -> float:
    """Extra minutes down per 30-day month when every pod sits in one zone instead of one per zone."""
    spread_out = path_availability(replace(path, zones=max(path.replicas, 1)))
    together = path_availability(replace(path, zones=1))
    return (spread_out - together) * MINUTES["month"]


TASKS.add(Task(
    id="03.shared-zone",
    title="The cost of one shared zone",
    prompt="Now zones fail: each is up `lesson.EXERCISE_PATH.zone` of the time, independently. A deploy script put "
           "all three pods in one zone instead of one per zone. No fallback. How many more minutes per 30-day month "
           "is the path down? A number, in minutes.",
    reference=zone_cost_minutes,
    compare=checks.number(rel=2e-3, unit="minutes per month"),
    hints=[
        "If that one zone goes down, how many of the three pods are left? And if the pods sit in three zones?",
        "One zone: zone × (1 − (1 − 0.995)³) for the pods. One per zone: 1 − (1 − zone × 0.995)³. Put each in the "
        "path, subtract the availabilities, and turn the difference into minutes of a 30-day month.",
    ],
    misconceptions=[
        Misconception(
            "reported the one-zone downtime, not the difference",
            "That is all the downtime of the one-zone path. The task asks how much *more* it is down than with one pod per zone.",
            lambda: (1 - path_availability(replace(_P, zones=1))) * MINUTES["month"],
        ),
        Misconception(
            "answered in hours",
            "That looks like hours. The task asks for minutes.",
            lambda: zone_cost_minutes() / 60,
        ),
        Misconception(
            "answered per year",
            "That is per 365-day year. The task asks per 30-day month.",
            lambda: zone_cost_minutes() * 365 / 30,
        ),
        Misconception(
            "answered an availability difference",
            "That is a difference of availabilities (a fraction). How many minutes does a 30-day month have?",
            lambda: zone_cost_minutes() / MINUTES["month"],
        ),
    ],
))

TASKS.add(Task(
    id="03.breaker-transition",
    title="The circuit breaker's transition function",
    prompt="Write transition(breaker, now, failed) → Breaker, Fowler's Closed/Open/Half-open state machine with the "
           "thresholds in lesson.EXERCISE_BREAKER. Pass the function itself; it is replayed on many streams of calls.",
    reference=lambda: transition,
    compare=_check_transition,
    hints=[
        "What must be true before a CLOSED breaker opens — how many calls in the window, and what share of them failed?",
        "OPEN: until wait_s has passed, return the breaker unchanged (the call is not made). Then treat the call as a "
        "trial. HALF_OPEN: collect trials; after half_open_calls of them decide by the failure rate, and close with an "
        "empty window.",
    ],
    misconceptions=[
        Misconception(
            "never leaves OPEN",
            "Your breaker opens but never lets a trial call through. How would it ever notice the dependency is back?",
            lambda: _never_half_opens,
        ),
        Misconception(
            "ignores the minimum number of calls",
            "Your breaker opens on the first failure of a quiet period. What is min_calls for?",
            lambda: _ignores_minimum,
        ),
        Misconception(
            "decides on the first trial call",
            "Your breaker decides after one trial call. How many trials does the config permit in HALF_OPEN?",
            lambda: _decides_on_first_trial,
        ),
        Misconception(
            "keeps the old window",
            "After closing, your breaker still counts failures from before it opened. What should the window hold "
            "when the breaker closes again?",
            lambda: _keeps_old_window,
        ),
    ],
))

_L = list(LAYER_TRIES.values())

TASKS.add(Task(
    id="03.amplification",
    title="Retry amplification in Cartwheel's stack",
    prompt="Each layer in `lesson.LAYER_TRIES` calls the next and makes that many tries when the call fails. The "
           "database is down. How many calls reach the database for one user request? A whole number.",
    reference=lambda: count_calls(_L),
    compare=checks.integer(),
    hints=[
        "One try at the top becomes how many tries at the layer below? And each of those?",
        "Each layer multiplies what reaches it by its own number of tries. Walk down the stack.",
    ],
    misconceptions=[
        Misconception(
            "added the tries",
            "You added the tries per layer. Every try at one layer makes a full set of tries at the next: add or multiply?",
            lambda: sum(_L),
        ),
        Misconception(
            "counted retries, not tries",
            "You used the retries (tries − 1). The first try reaches the database too: how many tries does each layer make?",
            lambda: int(np.prod([t - 1 for t in _L])),
        ),
        Misconception(
            "stopped one layer early",
            "That is what reaches the inventory service. The database driver retries too: what does it multiply by?",
            lambda: int(np.prod(_L[:-1])),
        ),
    ],
))

TASKS.add(Task(
    id="03.shuffle-shard",
    title="How far does a noisy customer reach?",
    prompt=f"Cartwheel's storefront API runs in {SHARD_CELLS} cells; each customer is given a random set of "
           f"{SHARD_SIZE} cells (shuffle sharding). One customer's traffic takes down all of its cells. What percentage "
           "of the other customers lose *every* cell they use? A number from 0 to 100.",
    reference=lambda: 100 * shuffle_shard_shares(SHARD_CELLS, SHARD_SIZE)["same shuffle shard"],
    compare=checks.number(rel=1e-3, unit="percent"),
    hints=[
        "A customer loses every cell only if it has the same set of cells as the noisy one. How many different sets are there?",
        f"The number of ways to choose {SHARD_SIZE} cells out of {SHARD_CELLS} is math.comb; "
        "one set out of that many, as a percentage.",
    ],
    misconceptions=[
        Misconception(
            "used plain sharding",
            "That is the share with fixed shards of cells. With shuffle sharding, how many different sets of cells can a customer get?",
            lambda: 100 * shuffle_shard_shares(SHARD_CELLS, SHARD_SIZE)["plain shards"],
        ),
        Misconception(
            "counted customers who share any cell",
            "That counts everyone who shares at least one cell. They still have a healthy cell to fail over to. "
            "Who loses *every* cell?",
            lambda: 100 * shuffle_shard_shares(SHARD_CELLS, SHARD_SIZE)["share a cell"],
        ),
        Misconception(
            "used one cell out of all",
            "That is the share of one cell. The noisy customer takes down its whole set of cells.",
            lambda: 100 / SHARD_CELLS,
        ),
        Misconception(
            "answered a fraction",
            "That looks like a fraction. The task asks for a percentage.",
            lambda: shuffle_shard_shares(SHARD_CELLS, SHARD_SIZE)["same shuffle shard"],
        ),
    ],
))

TASKS.add(Task(
    id="03.client-settings",
    title="Settings that survive the outage",
    prompt="Choose settings for the recommendation engine's inventory client (a dict with keys from "
           "lesson.SETTING_KEYS). Under the default 10 s outage, the load on the inventory service must stay at or "
           f"under {LOAD_LIMIT}× capacity after the fault ends, and at least {SUCCESS_TARGET:.0%} of all user requests "
           "must get real recommendations. The check runs the simulator with your settings.",
    reference=reference_settings,
    compare=_check_settings,
    hints=[
        "What keeps the inventory service's queue full after the fault ends, and which mechanism stops sending "
        "calls while it drains?",
        "Try lesson.evaluate_settings(...) on a few dicts. Immediate retries keep the queue full; with no retries "
        "the queue is still full of calls nobody waits for. A breaker stops the calls; longer backoff thins them.",
    ],
    misconceptions=[
        Misconception(
            "more immediate retries for more reliability",
            "Immediate retries keep the inventory service's queue full after the fault: every retry waits behind "
            "calls nobody is waiting for. What would let the queue drain?",
            lambda: {"retries": 5},
            matches=_naive_like,
        ),
        Misconception(
            "no retries at all",
            "Without retries the load stays at the traffic level, but the queue the outage filled still takes seconds "
            "to drain, and every call waits behind it. What would stop sending calls while it drains?",
            lambda: {"retries": 0},
            matches=_no_retries,
        ),
        Misconception(
            "short backoff alone",
            "Backoff spreads retries out, but with this base the fleet still sends about as much as the service can "
            "serve, so the queue barely drains. What happens with a longer base, or with a breaker?",
            lambda: {"retries": 3, "backoff_base_s": 0.1},
            matches=_backoff_alone,
        ),
        Misconception(
            "a retry budget alone",
            "The budget caps the retries, but first tries alone still fill the queue the outage left. How long does "
            "it take to drain at the spare capacity left? What stops calls entirely for a while?",
            lambda: {"retries": 3, "budget_ratio": 0.1},
            matches=_budget_alone,
        ),
    ],
))


def _check_cells(answer: Any, expected: Any) -> checks.Verdict:
    if not (isinstance(answer, tuple | list) and len(answer) == 2):
        return checks.not_yet("Expected a pair (cells, cells_per_customer), e.g. (10, 2).")
    cells, size = answer
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in (cells, size)):
        return checks.not_yet("Both numbers are whole numbers of cells.")
    if not 1 <= size <= cells:
        return checks.not_yet("A customer uses at least one cell, and no more cells than exist.")
    if cells > MAX_CELLS:
        return checks.not_yet(f"{cells} cells is more than the {MAX_CELLS} the budget allows.")
    shares = shuffle_shard_shares(int(cells), int(size))
    problems = []
    if shares["same shuffle shard"] >= MAX_FULL:
        problems.append(f"{shares['same shuffle shard']:.2%} lose every cell (limit {MAX_FULL:.1%})")
    if shares["share a cell"] >= MAX_PARTIAL:
        problems.append(f"{shares['share a cell']:.1%} share a cell with the noisy customer (limit {MAX_PARTIAL:.0%})")
    if problems:
        return checks.not_yet(f"With {cells} cells and {size} per customer, " + " and ".join(problems) + ".")
    return checks.OK


def best_cell_design() -> tuple[int, int]:
    """The cheapest design (fewest cells, then fewest per customer) meeting the stretch targets."""
    for cells in range(1, MAX_CELLS + 1):
        for size in range(1, cells + 1):
            if _check_cells((cells, size), None).passed:
                return cells, size
    raise RuntimeError("no design meets the targets")


TASKS.add(Task(
    id="03.cell-design",
    title="Design the shuffle sharding (stretch)",
    prompt=f"Pick (cells, cells_per_customer) with at most {MAX_CELLS} cells so that a noisy customer takes down "
           f"fewer than {MAX_FULL:.1%} of customers completely, and fewer than {MAX_PARTIAL:.0%} share any cell with it.",
    reference=best_cell_design,
    compare=_check_cells,
    hints=[
        "Which way does each share move when a customer gets more cells? Can you meet both limits at once?",
        "Loop over cells and cells_per_customer, and call lesson.shuffle_shard_shares(cells, k) for each pair.",
    ],
    misconceptions=[
        Misconception(
            "maximised the number of shards",
            "More cells per customer make more combinations, but each customer then overlaps with almost everyone. "
            "Which share did that break?",
            lambda: (MAX_CELLS, MAX_CELLS // 2),
            matches=lambda a: isinstance(a, tuple | list) and len(a) == 2 and _is_int_pair(a)
            and 1 <= a[1] <= a[0] <= MAX_CELLS
            and shuffle_shard_shares(int(a[0]), int(a[1]))["share a cell"] >= MAX_PARTIAL,
        ),
        Misconception(
            "one cell per customer",
            "With one cell each, shuffle sharding is plain cells: everyone in that cell goes down. What does a second "
            "or third cell per customer change?",
            lambda: (MAX_CELLS, 1),
            matches=lambda a: isinstance(a, tuple | list) and len(a) == 2 and _is_int_pair(a) and a[1] == 1,
        ),
    ],
    stretch=True,
))


def _is_int_pair(pair: Sequence[Any]) -> bool:
    return all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in pair)
