"""Module 03's models: availability arithmetic, shared failure domains and fallbacks, retry
amplification across layers, blast radius (cells and shuffle sharding), what a network
partition does to each coordination option of module 02, and the small helpers that name a
retry-storm run. Pure functions: no widgets, no tasks.

The retry simulator and the breaker's state machine live in
:mod:`steward.lessons.resilience_sim`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from steward import cartwheel
from steward.lessons import resilience_sim as sim
from steward.lessons.resilience_sim import CLIENTS, Client, Scenario, simulate

# -- availability arithmetic ---------------------------------------------------------------
#: Minutes per period; "month" is the canon's SLO window (30 days), so a month's downtime here is
#: what the availability SLO's error budget counts.
MINUTES = {"year": 365 * 24 * 60, "month": cartwheel.WINDOW_DAYS * 24 * 60, "week": 7 * 24 * 60}


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


#: Cartwheel's stack and how many tries each layer makes. The engine's tries are the canon's
#: inventory client (``cartwheel.INVENTORY.attempts``); the others are scenario numbers.
LAYER_TRIES = {"edge gateway": 2, "recommendation engine": cartwheel.INVENTORY.attempts, "inventory service": 3,
               "database driver": 2}


def calls_received(tries_per_layer: Mapping[str, int]) -> dict[str, int]:
    """Calls each layer *receives* per user request when the bottom always fails, plus what
    reaches the store below the last layer (``"the database"``). A layer receives the product of
    the tries of every layer above it: the edge receives 1, the next layer the edge's tries, …"""
    received: dict[str, int] = {}
    calls = 1
    for layer, tries in tries_per_layer.items():
        if int(tries) < 1:
            raise ValueError(f"each layer makes at least one try; {layer} makes {tries}")
        received[layer] = calls
        calls *= int(tries)
    received["the database"] = calls
    return received


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


def client_for(name: str, retries: int = cartwheel.INVENTORY.attempts - 1, backoff_ms: int = 400,
               budget: int = 10) -> Client:
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


def server_name(scenario: Scenario) -> str:
    """Which of :data:`SERVERS` a scenario's inventory service runs (for titles)."""
    if scenario.drop_expired:
        return "deadline propagation"
    return "today: queue holds 2 s" if scenario.queue_limit_s >= Scenario().queue_limit_s else "load shedding: queue bound"


def storm_title(run: sim.Run, other: sim.Run | None = None) -> str:
    """The point of the chart, short: how long each client took to recover."""
    server = server_name(run.scenario)
    where = "" if server.startswith("today") else f" ({server.split(':')[0]})"
    text = f"{run.client.name.capitalize()}{where}: {recovery_text(run)}"
    if other is not None and other.client != run.client:
        text += f"; compared with {other.client.name} (grey): {recovery_text(other)}"
    return text


def run_all(scenario: Scenario | None = None) -> dict[str, sim.Run]:
    """The five clients against one scenario (the default 10 s outage)."""
    return {name: simulate(client, scenario) for name, client in CLIENTS.items()}


# -- the server side of overload -----------------------------------------------------------
#: Share of the availability SLO's error budget the server may spend shedding calls at today's
#: traffic (a lesson choice: shedding when healthy should be a rounding error in the budget).
SHED_SHARE_OF_BUDGET = 0.1


def shed_limit() -> float:
    """The share of calls the server may refuse at normal load: a tenth of the canon's
    availability error budget (a refused call is a server error the client sees or retries)."""
    return SHED_SHARE_OF_BUDGET * cartwheel.AVAILABILITY.error_budget


def shortest_queue_bound(scenario: Scenario | None = None, limit: float | None = None) -> float:
    """The shortest queue bound (s) that sheds at most ``limit`` of calls at the scenario's
    traffic, by bisection on :func:`resilience_sim.shed_probability` (which falls as the bound
    grows)."""
    sc = scenario or Scenario()
    limit = shed_limit() if limit is None else limit
    if sim.shed_probability(sc.demand, 0.0, sc.capacity_rps) <= limit:
        return 0.0
    low, high = 0.0, 1.0
    while sim.shed_probability(sc.demand, high, sc.capacity_rps) > limit:
        high *= 2
        if high > 1e4:
            raise ValueError("no bound sheds that little at this load: the server is overloaded")
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if sim.shed_probability(sc.demand, mid, sc.capacity_rps) > limit else (low, mid)
    return high


def longest_queue_bound(scenario: Scenario | None = None) -> float:
    """The longest queue bound (s) after which an admitted call still answers before the
    client's timeout at the service's p99: timeout − p99 service time."""
    sc = scenario or Scenario()
    return sc.timeout_s - sim.service_quantile(0.99, sc)


def queue_bound_window(scenario: Scenario | None = None) -> tuple[float, float]:
    """(shortest, longest) queue bound in seconds: long enough not to shed healthy traffic,
    short enough that an admitted call can still be answered in time."""
    return shortest_queue_bound(scenario), longest_queue_bound(scenario)


def recommended_queue_bound(scenario: Scenario | None = None) -> float:
    """The middle of :func:`queue_bound_window` (s): room for error on both sides."""
    low, high = queue_bound_window(scenario)
    return (low + high) / 2


#: The inventory service's server-side policies the widget and the stretch section compare:
#: name → the scenario fields they change.
SERVERS: dict[str, dict[str, object]] = {
    "today: queue holds 2 s": {},
    "load shedding: queue bound": {"queue_limit_s": "recommended"},
    "deadline propagation": {"drop_expired": True},
}


def server_scenario(name: str, scenario: Scenario | None = None) -> Scenario:
    """``scenario`` (default: the lesson's) with the named server policy of :data:`SERVERS`."""
    if name not in SERVERS:
        raise ValueError(f"unknown server policy {name!r}; choose one of {list(SERVERS)}")
    sc = scenario or Scenario()
    # the bound is designed for today's traffic (the lesson's scenario), not for whatever load a
    # slider sets: a server does not know tomorrow's load when its queue is configured
    changes = {k: (recommended_queue_bound() if v == "recommended" else v) for k, v in SERVERS[name].items()}
    return replace(sc, **changes)


def run_servers(client: Client | None = None, scenario: Scenario | None = None) -> dict[str, sim.Run]:
    """Today's naive client (by default) against each server policy of :data:`SERVERS`."""
    client = client or CLIENTS["naive retries"]
    return {name: simulate(client, server_scenario(name, scenario)) for name in SERVERS}


def slots_held(calls_per_s: float, hold_s: float) -> float:
    """Little's law, L = λW: threads a call path holds on average. A bulkhead caps it."""
    if calls_per_s < 0 or hold_s < 0:
        raise ValueError("a rate and a holding time are 0 or more")
    return calls_per_s * hold_s


def deadline_worst_case(deadline_ms: float, dependency: cartwheel.Dependency = cartwheel.INVENTORY) -> dict[str, float]:
    """What a deadline for the whole call does to a dependency whose every try times out.

    Without one, tries × timeout (the canon's worst case). With one, each try waits at most the
    time left, so a dead dependency costs at most the deadline, and only the tries that *start*
    before it are made: ⌈deadline ÷ timeout⌉, capped at the attempts."""
    if not deadline_ms > 0:
        raise ValueError(f"a deadline is a positive number of ms; got {deadline_ms}")
    tries = min(dependency.attempts, math.ceil(deadline_ms / dependency.timeout_ms))
    return {"without_ms": dependency.worst_case_ms, "with_ms": min(dependency.worst_case_ms, deadline_ms),
            "tries": float(tries)}


def false_timeout_share(timeout_s: float, scenario: Scenario | None = None) -> float:
    """Share of healthy calls a per-try timeout of ``timeout_s`` cuts off: 1 − P(service ≤ timeout)."""
    return float(1.0 - sim.service_cdf(timeout_s, scenario or Scenario()))
