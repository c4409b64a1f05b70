"""Module 03's models: availability arithmetic, shared failure domains and fallbacks, retry
amplification across layers, blast radius (cells and shuffle sharding), what a network
partition does to each coordination option of module 02, and the small helpers that name a
retry-storm run. Pure functions: no widgets, no tasks.

The retry simulator and the breaker's state machine live in
:mod:`steward.lessons.resilience_sim`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from steward.lessons import resilience_sim as sim
from steward.lessons.resilience_sim import CLIENTS, Client, Scenario, simulate

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
