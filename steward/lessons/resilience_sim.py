"""The retry-storm simulator and the circuit breaker of module 03 (design for failure).

Two models live here, both pure functions:

* :func:`transition` — a circuit breaker's state machine, one call at a time (Fowler's
  Closed / Open / Half-open, with resilience4j's count-based window and thresholds). The
  exercise asks the learner to write it; :func:`run_stream` replays a stream of call
  results through any transition function.
* :func:`simulate` — Cartwheel's recommendation fleet calling a struggling inventory
  service, time-stepped in 100 ms ticks. It is a *fluid* model: request counts are real
  numbers, not individual requests, so one run of 45 simulated seconds costs a few
  milliseconds of plain Python and a slider can re-run it.

Why the storm in :func:`simulate` is honest rather than scripted: nothing in it says
"naive retries never recover". The inventory service has a capacity and a queue; a call
waits in the queue and times out on the client if the wait is too long, but the server
still spends its capacity on that call later (wasted work). After an outage the queue
is full of calls nobody is waiting for, every new call times out behind them, and the
retries refill the queue. Whether the service comes back depends only on whether the
offered load drops below capacity long enough to drain the queue: the *sustaining
effect* of a metastable failure [Bronson et al., "Metastable Failures in Distributed
Systems", HotOS 2021]. The fleet has a fixed number of request slots (worker threads),
so it is a bounded client population: that is where backoff reduces the load [Brooker,
"What is Backoff For?", 2022].
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np

from steward import cartwheel

# -- the circuit breaker, one call at a time ----------------------------------------------
CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"
STATES = (CLOSED, OPEN, HALF_OPEN)


class BreakerConfig(NamedTuple):
    """A breaker's thresholds. The exercise uses small numbers so a stream of 40 calls
    shows every transition; resilience4j's defaults are in :data:`RESILIENCE4J_DEFAULTS`."""

    window: int = 10            #: the last N calls in CLOSED (a count-based sliding window)
    min_calls: int = 5          #: no decision before this many calls are in the window
    failure_rate: float = 0.5   #: open when failures / calls in the window reach this
    wait_s: float = 30.0        #: stay OPEN this long before letting trial calls through
    half_open_calls: int = 3    #: trial calls in HALF_OPEN before deciding


#: resilience4j's ``CircuitBreakerConfig`` defaults (factsheet §2): failure-rate threshold
#: 50%, count-based sliding window of 100 calls, minimum 100 calls, 60 s in OPEN, 10
#: permitted calls in HALF_OPEN. Its automatic OPEN → HALF_OPEN transition is off: the
#: breaker moves on the first call after the wait, as :func:`transition` does.
RESILIENCE4J_DEFAULTS = BreakerConfig(window=100, min_calls=100, failure_rate=0.5, wait_s=60.0, half_open_calls=10)

#: The exercise's breaker (small, so short streams exercise every transition).
EXERCISE_BREAKER = BreakerConfig()


class Breaker(NamedTuple):
    """Everything a breaker remembers between calls."""

    state: str = CLOSED
    window: tuple[bool, ...] = ()   #: results of the last calls while CLOSED (True = failed)
    opened_at: float = 0.0          #: when it last opened (seconds)
    trials: tuple[bool, ...] = ()   #: results of the trial calls while HALF_OPEN


def transition(breaker: Breaker, now: float, failed: bool, config: BreakerConfig = EXERCISE_BREAKER) -> Breaker:
    """The breaker after one call is attempted at time ``now``; ``failed`` is what the
    dependency *would* answer.

    Fowler's state machine: CLOSED lets calls through and opens when the failure rate of
    the last ``window`` calls reaches ``failure_rate`` (once at least ``min_calls`` are
    in the window — one early failure must not trip it). OPEN rejects calls without
    making them, so their results are never seen, until ``wait_s`` has passed; the next
    call then goes through as a trial (HALF_OPEN). After ``half_open_calls`` trials the
    breaker closes with an empty window, or opens again, by the same failure rate.
    """
    if breaker.state == OPEN:
        if now - breaker.opened_at < config.wait_s:
            return breaker
        breaker = Breaker(HALF_OPEN, (), breaker.opened_at, ())
    if breaker.state == HALF_OPEN:
        trials = (*breaker.trials, bool(failed))
        if len(trials) < config.half_open_calls:
            return breaker._replace(trials=trials)
        if sum(trials) / len(trials) >= config.failure_rate:
            return Breaker(OPEN, (), now, ())
        return Breaker(CLOSED, (), breaker.opened_at, ())
    window = (*breaker.window, bool(failed))[-config.window:]
    if len(window) >= config.min_calls and sum(window) / len(window) >= config.failure_rate:
        return Breaker(OPEN, (), now, ())
    return Breaker(CLOSED, window, breaker.opened_at, ())


Stream = tuple[tuple[float, bool], ...]


def run_stream(step: Callable[..., Any], stream: Iterable[tuple[float, bool]]) -> tuple[str, ...] | None:
    """The state after each call of ``stream`` ((time_s, failed) pairs), replayed through
    ``step(breaker, now, failed)``. ``None`` if ``step`` returns nothing (not written yet).

    Raises ``ValueError`` with a plain sentence if ``step`` returns something that is not
    a breaker, so a checker can say what went wrong."""
    breaker = Breaker()
    states: list[str] = []
    for now, failed in stream:
        result = step(breaker, now, failed)
        if result is None or result is Ellipsis:
            return None
        state = getattr(result, "state", None)
        if state not in STATES:
            raise ValueError(
                f"your function returned {str(result)[:60]!r}; return a Breaker (e.g. breaker._replace(...)) "
                f"whose state is {', '.join(repr(s) for s in STATES[:-1])} or {STATES[-1]!r}"
            )
        breaker = result
        states.append(state)
    return tuple(states)


def breaker_streams(count: int = 160, seed: int = 7) -> list[Stream]:
    """Streams of (time_s, failed) that reach every transition: healthy stretches,
    outages, gaps longer than the breaker's wait, and flapping recoveries."""
    rng = np.random.RandomState(seed)
    streams: list[Stream] = []
    for index in range(count):
        length = 12 + index % 37
        now = 0.0
        events: list[tuple[float, bool]] = []
        regime = rng.choice([0.02, 0.3, 0.6, 0.95])
        for _ in range(length):
            if rng.rand() < 0.12:
                regime = rng.choice([0.02, 0.3, 0.6, 0.95])
            gap = rng.exponential(4.0) if rng.rand() < 0.85 else rng.uniform(20, 80)
            now = round(now + gap, 2)
            events.append((now, bool(rng.rand() < regime)))
        streams.append(tuple(events))
    return streams


# -- the retry-storm simulator -----------------------------------------------------------
DT = 0.1  #: seconds per tick


@dataclass(frozen=True)
class Client:
    """How the recommendation fleet calls the inventory service.

    Every client is the naive one plus at most a mechanism or two, so a comparison shows
    what each mechanism does on its own."""

    name: str
    #: retries after the first try (tries = retries + 1); today's client makes the canon's
    #: ``cartwheel.INVENTORY.attempts`` tries, so retries = attempts − 1
    retries: int = cartwheel.INVENTORY.attempts - 1
    backoff_base_s: float = 0.0        #: 0: retry on the next tick; else full-jitter backoff
    backoff_cap_s: float = 2.0         #: the cap of the exponential backoff
    breaker: bool = False              #: a circuit breaker in front of the calls
    fallback: bool = False             #: serve popular items when the call fails or is short-circuited
    budget_ratio: float | None = None  #: token bucket: retries at most this share of normal traffic

    def retry_window_ticks(self, retry: int) -> int:
        """Ticks the ``retry``-th retry (1-based) is spread over: Brooker's full jitter,
        ``sleep = random(0, min(cap, base·2^attempt))`` with attempt = retry − 1,
        rounded to whole ticks (1 tick = retry on the next tick)."""
        if self.backoff_base_s <= 0:
            return 1
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2 ** (retry - 1))
        return int(round(ceiling / DT)) + 1


#: The five clients of the lesson: (a) to (e).
CLIENTS: dict[str, Client] = {
    "naive retries": Client("naive retries"),
    # base 400 ms: with the canon's two retries a 200 ms base still sends the service its whole
    # capacity after the fault and never recovers (the lesson shows it); 400 ms drains the queue
    "backoff + jitter": Client("backoff + jitter", backoff_base_s=0.4),
    "circuit breaker": Client("circuit breaker", breaker=True),
    "breaker + fallback": Client("breaker + fallback", breaker=True, fallback=True),
    "retry budget": Client("retry budget", budget_ratio=0.1),
}


@dataclass(frozen=True)
class SimBreaker:
    """The fleet's breaker in :func:`simulate`: resilience4j's thresholds, with a 1 s
    time-based window and a 2 s wait so an outage fits in a 45 s run (resilience4j waits
    60 s by default)."""

    failure_rate: float = 0.5
    window_s: float = 1.0
    min_calls: int = 20
    wait_s: float = 2.0
    half_open_calls: int = 10


@dataclass(frozen=True)
class Scenario:
    """Cartwheel's recommendation fleet and its inventory service (scenario numbers, not
    measurements)."""

    demand: float = 0.8            #: user requests per second, as a share of capacity
    capacity_rps: float = 1000.0   #: calls per second the inventory service can serve
    fault_start_s: float = 5.0
    fault_duration_s: float = 10.0
    fault_capacity: float = 0.0    #: share of capacity left during the fault (0 = down)
    timeout_s: float = cartwheel.INVENTORY.timeout_ms / 1000  #: the client's timeout per try (the canon's)
    #: the server's queue bound, in seconds of work at full capacity (``math.inf``: unbounded).
    #: Today's 2 s is far past the client's timeout; load shedding sets it below the timeout.
    queue_limit_s: float = 2.0
    #: deadline propagation: each call carries the client's deadline, and the server drops a
    #: queued call whose p99 service time no longer fits before it, instead of working for nobody
    drop_expired: bool = False
    slots: int = 200               #: user requests the fleet can hold at once (threads)
    error_rate: float = 0.001      #: share of calls that fail fast even when healthy
    service_shift_s: float = 0.005  #: service time = shift + exponential(mean)
    #: 5 ms + an 8 ms mean: a healthy p99 of 41.8 ms, inside the canon's 50 ms latency budget for
    #: the inventory call (``tests`` check it against ``cartwheel.INVENTORY``)
    service_mean_s: float = 0.008
    horizon_s: float = 45.0
    seed: int = 3
    breaker: SimBreaker = field(default_factory=SimBreaker)

    def validate(self) -> None:
        problems = []
        if not 0 <= self.demand <= 5:
            problems.append(f"demand is a share of capacity between 0 and 5; got {self.demand}")
        if self.capacity_rps <= 0:
            problems.append("capacity must be positive")
        if not 0 <= self.fault_capacity <= 1:
            problems.append(f"capacity during the fault is a share between 0 and 1; got {self.fault_capacity}")
        if self.fault_duration_s < 0 or self.fault_start_s < 0:
            problems.append("the fault needs a start and duration of 0 s or more")
        if not self.queue_limit_s >= 0:
            problems.append(f"the queue bound is 0 s or more (math.inf for none); got {self.queue_limit_s}")
        if self.timeout_s <= 0 or self.slots < 1 or self.horizon_s < 1:
            problems.append("timeout, slots and horizon must be positive")
        if not 0 <= self.error_rate < 1:
            problems.append(f"the error rate is a share between 0 and 1; got {self.error_rate}")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def fault_end_s(self) -> float:
        return self.fault_start_s + self.fault_duration_s


@dataclass
class Run:
    """What one simulation produced, per tick (arrays of length ``ticks``)."""

    client: Client
    scenario: Scenario
    time_s: np.ndarray
    load_rps: np.ndarray        #: calls offered to the inventory service per second
    requests: np.ndarray        #: user requests finished (or turned away) this tick
    ok: np.ndarray              #: … answered with real recommendations
    fallback: np.ndarray        #: … answered with popular items
    failed: np.ndarray          #: … answered with an error (incl. turned away)
    rejected: np.ndarray        #: … turned away because every slot was busy
    queue: np.ndarray           #: calls waiting in the inventory service's queue
    breaker_state: np.ndarray   #: 0 closed, 1 open, 2 half-open (all 0 without a breaker)
    served: np.ndarray = field(default_factory=lambda: np.zeros(0))   #: calls the server worked on
    shed: np.ndarray = field(default_factory=lambda: np.zeros(0))     #: calls refused at a full queue
    dropped: np.ndarray = field(default_factory=lambda: np.zeros(0))  #: queued calls dropped as expired
    window_s: np.ndarray = field(default_factory=lambda: np.zeros(0))  #: start of each 1 s window
    success_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))  #: per window
    served_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))   #: incl. fallback
    p99_ms: np.ndarray = field(default_factory=lambda: np.zeros(0))        #: per window
    recovery_s: float | None = None

    def summary(self) -> dict[str, Any]:
        """The numbers a comparison table needs."""
        end = self.scenario.fault_end_s
        after = self.time_s >= end
        total = self.requests.sum()
        return {
            "client": self.client.name,
            "success %": 100 * self.ok.sum() / total if total else float("nan"),
            "served % (incl. fallback)": 100 * (self.ok.sum() + self.fallback.sum()) / total if total else float("nan"),
            "peak load after fault (× capacity)": float(self.load_rps[after].max() / self.scenario.capacity_rps) if after.any() else 0.0,
            "recovery after fault (s)": self.recovery_s if self.recovery_s is not None else float("inf"),
            "worst p99 (ms)": float(np.nanmax(self.p99_ms)) if np.isfinite(self.p99_ms).any() else float("nan"),
            "wasted work after fault %": 100 * self.wasted_share(),
        }

    def wasted_share(self) -> float:
        """Share of the server's work after the fault spent on calls whose client had already
        given up: work done minus calls answered in time, over work done (0 if it did none)."""
        after = self.time_s >= self.scenario.fault_end_s
        work = float(self.served[after].sum()) if self.served.size else 0.0
        if work <= 0:
            return 0.0
        return max(0.0, 1.0 - float(self.ok[after].sum()) / work)


def service_cdf(x: np.ndarray | float, scenario: Scenario) -> np.ndarray | float:
    """P(service time ≤ x): a shifted exponential (5 ms + a 12 ms mean by default)."""
    z = (np.asarray(x, dtype=float) - scenario.service_shift_s) / scenario.service_mean_s
    return np.where(z > 0, -np.expm1(-np.maximum(z, 0)), 0.0)


def service_quantile(q: float, scenario: Scenario | None = None) -> float:
    """The healthy service time's ``q`` quantile in seconds: shift − mean × ln(1 − q)."""
    sc = scenario or Scenario()
    if not 0 <= q < 1:
        raise ValueError(f"a quantile is between 0 and 1 (e.g. 0.999); got {q}")
    return sc.service_shift_s - sc.service_mean_s * math.log1p(-q)


def timeout_for(false_timeout_rate: float, scenario: Scenario | None = None) -> float:
    """A timeout (s) chosen from the share of healthy calls you accept to time out: the
    downstream's (1 − rate) latency percentile, e.g. its p99.9 for 0.1% [Brooker, "Timeouts,
    retries, and backoff with jitter", Amazon Builders' Library]."""
    if not 0 < false_timeout_rate < 1:
        raise ValueError(f"the false-timeout rate is a share between 0 and 1 (e.g. 0.001); got {false_timeout_rate}")
    return service_quantile(1 - false_timeout_rate, scenario)


def shed_probability(load: float, bound_s: float, rate: float) -> float:
    """Share of calls a server refuses when it admits a call only while its queued work is at
    most ``bound_s`` seconds: Poisson arrivals at ``load`` × ``rate``, exponential work at
    ``rate`` calls/s (an M/M/1 queue with a bound on the waiting time). With θ = rate − arrivals:

        P(shed) = ρ(1 − ρ)e^(−θB) / (1 − ρ²e^(−θB)),   and 1 / (2 + rate·B) at ρ = 1.

    A bound of 0 sheds ρ/(1 + ρ) (Erlang's loss formula for one server); an unbounded queue sheds
    nothing while ρ < 1. The level-crossing derivation is in the lesson's tests, which check it
    against :func:`simulate_bounded_queue`."""
    rho, bound = float(load), float(bound_s)
    if rho < 0 or rate <= 0 or not bound >= 0:
        raise ValueError("load is 0 or more, the rate is positive and the bound is 0 s or more")
    if rho == 0:
        return 0.0
    if math.isinf(bound):
        return 0.0 if rho < 1 else 1.0 - 1.0 / rho
    if abs(rho - 1) < 1e-9:
        return 1.0 / (2.0 + rate * bound)
    decay = math.exp(-(rate - rho * rate) * bound)
    return rho * (1 - rho) * decay / (1 - rho * rho * decay)


def simulate_bounded_queue(load: float, bound_s: float, rate: float, calls: int = 100_000,
                           seed: int = 0) -> dict[str, float]:
    """One call at a time: the queued work each arrival finds (Lindley's recursion), admitted
    if it is at most ``bound_s``. Returns the share shed and the mean and largest wait of the
    admitted calls — the check on :func:`shed_probability` and on "no admitted call waits
    longer than the bound"."""
    if calls < 1:
        raise ValueError("simulate at least one call")
    rng = np.random.RandomState(seed)
    gaps = rng.exponential(1.0 / (load * rate), calls).tolist() if load > 0 else [math.inf] * calls
    work = rng.exponential(1.0 / rate, calls).tolist()
    backlog, shed, total_wait, longest = 0.0, 0, 0.0, 0.0
    for gap, size in zip(gaps, work, strict=True):
        backlog = backlog - gap if backlog > gap else 0.0
        if backlog <= bound_s:
            total_wait += backlog
            longest = backlog if backlog > longest else longest
            backlog += size
        else:
            shed += 1
    admitted = calls - shed
    return {"shed": shed / calls, "mean_wait_s": total_wait / admitted if admitted else 0.0, "max_wait_s": longest}


def _p_in_time(wait_s: float, scenario: Scenario) -> float:
    """Chance that a call which waits ``wait_s`` in the queue still answers before the
    client's timeout (scalar, on the hot path)."""
    room = scenario.timeout_s - wait_s - scenario.service_shift_s
    if room <= 0:
        return 0.0
    return -math.expm1(-room / scenario.service_mean_s)


RECOVERED = 0.99  #: a 1 s window counts as healthy at ≥ 99% success


def simulate(client: Client, scenario: Scenario | None = None) -> Run:
    """Run ``client`` against ``scenario`` (45 s in 100 ms ticks by default).

    Each tick: user requests arrive (Poisson, seeded) and take a free slot or are turned
    away; calls that are due (first tries and retries whose backoff has ended) go through
    the breaker, if any, into the inventory service's queue; a call answers in time if
    its queue wait plus service time is under the timeout; failed calls are retried
    (after backoff, within the budget) or given up on (fallback or error). The server
    works through its queue at its capacity whether or not the caller is still waiting.
    """
    sc = scenario or Scenario()
    sc.validate()
    if client.retries < 0 or client.retries > 10:
        raise ValueError(f"retries must be between 0 and 10; got {client.retries}")
    if client.budget_ratio is not None and client.budget_ratio < 0:
        raise ValueError("a retry budget cannot be negative")
    if client.backoff_base_s < 0 or client.backoff_cap_s < 0:
        raise ValueError("backoff times cannot be negative")
    n = int(round(sc.horizon_s / DT))
    retries = int(client.retries)
    rng = np.random.RandomState(sc.seed)
    lam = sc.demand * sc.capacity_rps * DT
    arrivals = rng.poisson(lam, n).astype(float).tolist()
    full = sc.capacity_rps * DT
    f0, f1 = int(round(sc.fault_start_s / DT)), int(round(sc.fault_end_s / DT))
    capacity = [full * sc.fault_capacity if f0 <= t < f1 else full for t in range(n)]
    qmax = sc.queue_limit_s * sc.capacity_rps if math.isfinite(sc.queue_limit_s) else math.inf
    drop_expired = sc.drop_expired
    # a call is worth starting only if its p99 service time fits in what is left of its deadline
    live_s = max(sc.timeout_s - float(service_quantile(0.99, sc)), 0.0)
    spans = [0] + [client.retry_window_ticks(j) for j in range(1, retries + 1)]
    pad = max(spans) + 2
    due_diff = [[0.0] * (n + pad) for _ in range(retries + 1)]
    start_diff = [[0.0] * (n + pad) for _ in range(retries + 1)]
    due_run = [0.0] * (retries + 1)
    start_run = [0.0] * (retries + 1)
    refill = 0.0 if client.budget_ratio is None else client.budget_ratio * lam
    bucket = max(refill * 10, 1.0) if client.budget_ratio else 0.0  # one second of refill
    tokens = bucket
    br = sc.breaker
    wtick = max(1, int(round(br.window_s / DT)))
    ring_calls, ring_fail = [0.0] * wtick, [0.0] * wtick
    b_state, opened_at, permits, trial_calls, trial_fail = 0, 0, 0.0, 0.0, 0.0
    wait_ticks = int(round(br.wait_s / DT))
    timeout, err = sc.timeout_s, sc.error_rate

    load, ok_out, fb_out, fail_out, rej_out, queue_out, state_out, wait_out = ([0.0] * n for _ in range(8))
    served_out, shed_out, dropped_out = ([0.0] * n for _ in range(3))
    width = retries + 1
    ok_mass = [0.0] * (n * width)         # flat (tick, try): NumPy converts flat lists far faster
    ok_offset = [0.0] * (n * width)
    point_mass = [0.0] * (n * 3)          # gave up after a timeout, short-circuited, turned away
    point_latency = [0.0] * (n * 3)
    occupancy, queue = 0.0, 0.0
    ks = range(retries + 1)
    slots = float(sc.slots)
    half_open_calls = float(br.half_open_calls)
    has_breaker, has_fallback, has_budget = client.breaker, client.fallback, client.budget_ratio is not None
    shift, mean = sc.service_shift_s, sc.service_mean_s
    expm1 = math.expm1

    for t in range(n):
        due = [0.0] * (retries + 1)
        starts = [0.0] * (retries + 1)
        for k in range(1, retries + 1):
            due_run[k] += due_diff[k][t]
            start_run[k] += start_diff[k][t]
            d = due_run[k]
            due[k] = d if d > 0 else 0.0
            starts[k] = start_run[k]
        free = slots - occupancy
        admitted = arrivals[t] if arrivals[t] < free else (free if free > 0 else 0.0)
        rejected = arrivals[t] - admitted
        occupancy += admitted
        due[0], starts[0] = admitted, admitted * t
        total_due = sum(due)

        # the breaker decides which calls are made
        allowed = 1.0
        if has_breaker:
            if b_state == 1 and t - opened_at >= wait_ticks:
                b_state, permits, trial_calls, trial_fail = 2, half_open_calls, 0.0, 0.0
            if b_state == 1:
                allowed = 0.0
            elif b_state == 2 and total_due > permits:
                allowed = permits / total_due
            state_out[t] = b_state

        # the inventory service: a queue worked at capacity; late answers are wasted. It takes
        # what it can serve this tick plus what fits in the queue's bound, and refuses the rest
        # at once (load shedding, when the bound is short).
        sent = total_due * allowed
        cap = capacity[t]
        room = qmax - queue + cap
        accepted = sent if sent < room else (room if room > 0 else 0.0)
        shed_out[t] = sent - accepted
        served_out[t] = cap if queue + accepted > cap else queue + accepted
        if cap > 0:
            excess = accepted - cap
            wait = (queue + (excess / 2 if excess > 0 else 0.0)) / (cap / DT)
            room_s = timeout - wait - shift
            p_ok = (err - 1) * expm1(-room_s / mean) if room_s > 0 else 0.0
        else:
            wait, p_ok = 1e3, 0.0
        ok_share = (accepted / sent) * p_ok if sent > 0 else 0.0
        # a failed call waited its timeout, unless the server refused it at the door (a fast error)
        fast = (sent - accepted) / sent if sent > 0 else 0.0
        fail_wait = timeout * (1 - fast - ok_share) / (1 - ok_share) if ok_share < 1 else timeout
        queue += accepted - cap
        if queue < 0:
            queue = 0.0
        if drop_expired:
            # the calls at the head have waited queue ÷ rate; those whose p99 service time no
            # longer fits before their deadline are dropped, costing no work
            live = live_s * cap / DT
            if queue > live:
                dropped_out[t] = queue - live
                queue = live
        load[t] = sent / DT
        queue_out[t] = queue
        wait_out[t] = wait

        # outcomes per try
        gave_up = short = gave_up_age = short_age = ok_total = 0.0
        eligible = [0.0] * (retries + 1)
        eligible_start = [0.0] * (retries + 1)
        base = t * width
        for k in ks:
            d = due[k]
            if d <= 0:
                continue
            mean_start = starts[k] / d
            age = (t - mean_start) * DT
            made = d * allowed
            ok = made * ok_share
            ok_mass[base + k] = ok
            ok_offset[base + k] = age
            ok_total += ok
            cut = d - made
            short += cut
            short_age += cut * age
            if k < retries:
                eligible[k] = made - ok
                eligible_start[k] = (made - ok) * mean_start
            else:
                gave_up += made - ok
                gave_up_age += (made - ok) * (age + fail_wait)
        want = sum(eligible)
        granted = want
        if has_budget:
            tokens = min(bucket, tokens + refill)
            granted = want if want < tokens else tokens
            tokens -= granted
        if want > 0:
            scale = granted / want
            for k in range(retries):
                e = eligible[k]
                if e <= 0:
                    continue
                again = e * scale
                span = spans[k + 1]
                share, share_start = again / span, eligible_start[k] * scale / span
                row, row_start = due_diff[k + 1], start_diff[k + 1]
                row[t + 1] += share
                row[t + 1 + span] -= share
                row_start[t + 1] += share_start
                row_start[t + 1 + span] -= share_start
                stop = e - again
                gave_up += stop
                gave_up_age += stop * ((t - eligible_start[k] / e) * DT + fail_wait)
        done_bad = gave_up + short
        occupancy -= ok_total + done_bad
        if occupancy < 0:
            occupancy = 0.0
        ok_out[t] = ok_total
        rej_out[t] = rejected
        if has_fallback:
            fb_out[t] = done_bad
            fail_out[t] = rejected
        else:
            fail_out[t] = done_bad + rejected
        p = 3 * t
        point_mass[p], point_mass[p + 1], point_mass[p + 2] = gave_up, short, rejected
        if gave_up > 0:
            point_latency[p] = gave_up_age / gave_up
        if short > 0:
            point_latency[p + 1] = short_age / short

        # the breaker learns from the calls that were made
        if has_breaker:
            if b_state == 0:
                slot = t % wtick
                ring_calls[slot], ring_fail[slot] = sent, sent * (1 - ok_share)
                window_calls = sum(ring_calls)
                if window_calls >= br.min_calls and sum(ring_fail) / window_calls >= br.failure_rate:
                    b_state, opened_at = 1, t
                    ring_calls, ring_fail = [0.0] * wtick, [0.0] * wtick
            elif b_state == 2 and sent > 0:
                trial_calls += sent
                trial_fail += sent * (1 - ok_share)
                permits -= sent
                if permits <= 1e-9:
                    b_state = 1 if trial_fail / trial_calls >= br.failure_rate else 0
                    opened_at = t if b_state == 1 else opened_at

    time_s = np.arange(n) * DT
    ok_arr, fb_arr, fail_arr = np.array(ok_out), np.array(fb_out), np.array(fail_out)
    run = Run(client, sc, time_s, np.array(load), ok_arr + fb_arr + fail_arr, ok_arr, fb_arr, fail_arr,
              np.array(rej_out), np.array(queue_out), np.array(state_out), np.array(served_out), np.array(shed_out),
              np.array(dropped_out))
    _windows(run, np.array(ok_mass).reshape(n, width), np.array(ok_offset).reshape(n, width), np.array(wait_out),
             np.array(point_mass).reshape(n, 3), np.array(point_latency).reshape(n, 3))
    return run


#: Quantiles that stand for a successful call's service time in the p99 mixture: fine
#: in the tail, where a p99 lives, coarse in the body. Each atom carries its share.
_ATOM_EDGES = np.array([0.0, 0.5, 0.9, 0.98, 0.99, 0.995, 0.999, 1.0])
_ATOM_Q = (_ATOM_EDGES[:-1] + _ATOM_EDGES[1:]) / 2
_ATOM_W = np.diff(_ATOM_EDGES)


def _windows(run: Run, ok_mass, ok_offset, wait, point_mass, point_latency) -> None:
    """Per 1 s window: success rate, served rate, p99 latency (a weighted percentile of
    everything that finished in it), and the time to recover after the fault."""
    sc = run.scenario
    per = int(round(1.0 / DT))
    n = len(run.time_s) // per * per
    w = n // per

    def windowed(x: np.ndarray) -> np.ndarray:
        return x[:n].reshape(w, per).sum(axis=1)

    requests = windowed(run.requests)
    good = windowed(run.ok)
    with np.errstate(invalid="ignore", divide="ignore"):
        success = np.where(requests > 0, good / requests, np.nan)
        served = np.where(requests > 0, (good + windowed(run.fallback)) / requests, np.nan)

    # successes: queue wait + service time given it beat the timeout (a truncated,
    # shifted exponential), as weighted quantile atoms; failures: points at their latency.
    wait = np.minimum(wait[:n], 1e3)
    tick, k = np.nonzero(ok_mass[:n] > 0)
    reach = service_cdf(np.maximum(sc.timeout_s - wait[tick], 0.0), sc)           # P(S ≤ limit)
    service = sc.service_shift_s - sc.service_mean_s * np.log1p(-_ATOM_Q[None, :] * reach[:, None])
    lat_ok = (ok_offset[tick, k] + wait[tick])[:, None] + service                    # (m, atoms)
    mass_ok = ok_mass[tick, k][:, None] * _ATOM_W[None, :]
    pt_tick, pt_kind = np.nonzero(point_mass[:n] > 0)
    lat = np.concatenate([lat_ok.ravel(), point_latency[pt_tick, pt_kind]])
    weight = np.concatenate([mass_ok.ravel(), point_mass[pt_tick, pt_kind]])
    window = np.concatenate([np.repeat(tick, len(_ATOM_Q)), pt_tick]) // per
    order = np.lexsort((lat, window))
    lat, weight, window = lat[order], weight[order], window[order]
    cum = np.cumsum(weight)
    totals = np.bincount(window, weights=weight, minlength=w)
    before = np.concatenate([[0.0], np.cumsum(totals)[:-1]])
    p99 = np.full(w, np.nan)
    has = totals > 0
    if lat.size:
        idx = np.searchsorted(cum, before + 0.99 * totals - 1e-9)
        p99[has] = lat[np.minimum(idx[has], lat.size - 1)] * 1000
    run.window_s = np.arange(w) * 1.0
    run.success_rate = success
    run.served_rate = served
    run.p99_ms = p99
    faulted = sc.fault_duration_s > 0 and sc.fault_capacity < 1
    run.recovery_s = recovery_time(run.window_s, success, sc.fault_end_s if faulted else 0.0)


def recovery_time(window_s: np.ndarray, success: np.ndarray, fault_end_s: float) -> float | None:
    """Seconds from the end of the fault until every later 1 s window is healthy
    (≥ 99% success); ``None`` if that never happens within the run."""
    healthy = np.where(np.isnan(success), True, success >= RECOVERED)
    after = window_s + 1.0 > fault_end_s
    # the last unhealthy window after the fault ends
    bad = np.flatnonzero(after & ~healthy)
    if bad.size == 0:
        return 0.0
    last = bad[-1]
    if last == len(window_s) - 1:
        return None
    return max(float(window_s[last] + 1.0 - fault_end_s), 0.0)


def compare_clients(scenario: Scenario | None = None, clients: Sequence[Client] | None = None):
    """One row per client: success, served, peak load after the fault, recovery, p99."""
    import pandas as pd

    runs = [simulate(c, scenario) for c in (clients or CLIENTS.values())]
    return pd.DataFrame([r.summary() for r in runs]).set_index("client")


def expected_tries(error_rate: float, retries: int) -> float:
    """Calls per request when each call fails independently with ``error_rate`` and is
    retried up to ``retries`` times: 1 + p + p² + … + p^retries."""
    p = float(error_rate)
    return float(sum(p**i for i in range(int(retries) + 1)))


def storm_threshold(retries: int) -> float:
    """Traffic (as a share of capacity) above which immediate retries can hold a failed
    service down: while every call fails, each request makes ``retries + 1`` calls, so
    the storm sustains itself once ``(retries + 1) × traffic ≥ capacity``."""
    if retries < 0:
        raise ValueError("retries cannot be negative")
    return 1 / (retries + 1)


def client_with(name: str, **changes: Any) -> Client:
    """One of :data:`CLIENTS` with some settings changed."""
    return replace(CLIENTS[name], **changes)
