"""Module 03's exercise: its scenario, the custom comparators and every checked task."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from steward import cartwheel, checks
from steward.lessons import resilience_sim as sim
from steward.lessons.design_for_failure.model import (
    LAYER_TRIES,
    MINUTES,
    Path,
    calls_received,
    count_calls,
    parallel,
    path_availability,
    queue_bound_window,
    recommended_queue_bound,
    series,
    shed_limit,
    shuffle_shard_shares,
)
from steward.lessons.resilience_sim import (
    CLOSED,
    EXERCISE_BREAKER,
    HALF_OPEN,
    OPEN,
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

MODULE = "03"

# -- the exercise's scenario -----------------------------------------------------------------
#: The path of the exercise: three pods over three zones, a 99.9% inventory service.
EXERCISE_PATH = Path()
#: Targets for the client-settings task, under the default 10 s outage.
LOAD_LIMIT = 1.2        #: × capacity, at every tick after the fault ends
SUCCESS_TARGET = 0.70   #: share of all user requests answered with real recommendations
#: Retries of today's inventory client: the canon's attempts minus the first try.
TODAY_RETRIES = cartwheel.INVENTORY.attempts - 1
SETTING_KEYS = ("retries", "backoff_base_s", "backoff_cap_s", "breaker", "budget_ratio", "fallback")
#: Stretch: at most this many cells; the noisy customer's reach must stay under these.
MAX_CELLS, MAX_FULL, MAX_PARTIAL = 16, 0.005, 0.5
#: Shuffle-sharding task: Cartwheel's 12 cells, 3 per customer.
SHARD_CELLS, SHARD_SIZE = 12, 3


def _keys_text() -> str:
    return ", ".join(SETTING_KEYS[:-1]) + f" and {SETTING_KEYS[-1]}"


def settings_to_client(settings: Any) -> Client | str:
    """A client from the learner's settings dict, or a sentence saying what is wrong."""
    if not isinstance(settings, Mapping):
        return (f"Expected a dict of client settings such as {{'retries': 1}}, with keys among {_keys_text()}; "
                f"got {checks.describe(settings)}.")
    unknown = [str(k) for k in settings if k not in SETTING_KEYS]
    if unknown:
        return (f"{' and '.join(repr(k) for k in unknown)} {'is not a setting' if len(unknown) == 1 else 'are not settings'}"
                f"; the keys are {_keys_text()}.")
    try:
        retries = settings.get("retries", TODAY_RETRIES)
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


class Findings(dict):
    """A dict of a run's numbers (for code) that shows itself as a sentence (for the learner), not as
    a Python dict with 2.0000000000000004 and None in it."""

    def __init__(self, values: Mapping[str, Any], words: str) -> None:
        super().__init__(values)
        self.words = words

    def __str__(self) -> str:
        return self.words

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.words)


def _settings_words(result: Mapping[str, Any]) -> str:
    recovery = ("the service never recovers" if result["recovery_s"] is None
                else f"the service recovers {result['recovery_s']:g} s after the fault ends")
    return (f"After the fault the load peaks at {result['peak_after']:.2f}× capacity (limit {LOAD_LIMIT}×); "
            f"{result['success']:.1%} of requests get real recommendations (target {SUCCESS_TARGET:.0%}); {recovery}.")


def evaluate_settings(settings: Any) -> Findings | str:
    """Run the exercise's outage with the learner's client; the numbers the check needs (a dict that
    shows itself as a sentence)."""
    client = settings_to_client(settings)
    if isinstance(client, str):
        return client
    run = simulate(client, Scenario())
    after = run.time_s >= run.scenario.fault_end_s
    total = run.requests.sum()
    values = {"peak_after": float(run.load_rps[after].max() / run.scenario.capacity_rps),
              "success": float(run.ok.sum() / total) if total else 0.0, "recovery_s": run.recovery_s, "client": client}
    return Findings(values, _settings_words(values))


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
    {"retries": TODAY_RETRIES},
    {"retries": 0},
    {"retries": TODAY_RETRIES, "backoff_base_s": sim.CLIENTS["backoff + jitter"].backoff_base_s},
    {"retries": TODAY_RETRIES, "budget_ratio": sim.CLIENTS["retry budget"].budget_ratio},
    {"retries": TODAY_RETRIES, "backoff_base_s": sim.CLIENTS["backoff + jitter"].backoff_base_s, "breaker": True},
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


_STATE_NAMES = {"C": "closed", "O": "open", "H": "half-open"}


def _streams_compare(answer: Any, expected: Any) -> checks.Verdict:
    """The learner's replay against the reference's on every stream: the first stream where they differ,
    both state strings with their legend, and the call where they part (never a Python 1-tuple)."""
    all_blank = True
    for (case,) in _stream_cases():
        name = repr(case)
        want = expected(case)
        try:
            got = answer(case)
        except ValueError as error:
            if str(error).startswith("your function returned"):
                return checks.not_yet(f"On stream {name}, {error}.")
            return checks.not_yet(f"Your function raised ValueError: {error} on stream {name}.")
        except Exception as error:  # the learner's code: report, never raise
            return checks.not_yet(f"Your function raised {type(error).__name__}: {error} on stream {name}.")
        if got is None:
            if all_blank:
                continue
            return checks.not_yet(f"On stream {name} your function returned nothing (None) for a call: every path "
                                  "through it must return a Breaker.")
        all_blank = False
        if got != want:
            mine, theirs = repr(got).strip("'"), repr(want).strip("'")
            part = next((i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b), min(len(mine), len(theirs)))
            where = (f"they part at call {part + 1}, where yours is {_STATE_NAMES.get(mine[part:part + 1], 'missing')} "
                     f"and the reference's {_STATE_NAMES.get(theirs[part:part + 1], 'missing')}")
            return checks.not_yet(f"On stream {name} your breaker goes {mine}; the reference goes {theirs} "
                                  f"(C closed, O open, H half-open): {where}.")
    if all_blank:
        if checks.has_body(answer):  # a body that forgot its return, not the blank stub
            return checks.not_yet("Your function returns None for every call: does every path through it end with "
                                  "`return …` (a Breaker)?")
        return checks.Verdict(checks.NOT_ATTEMPTED, "Your function returns nothing yet.")
    return checks.OK


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


def _opens_above_the_rate(breaker: Breaker, now: float, failed: bool, config: BreakerConfig = EXERCISE_BREAKER) -> Breaker:
    """Compares with ``>``: a window exactly at the failure rate does not open it."""
    return transition(breaker, now, failed, config._replace(failure_rate=config.failure_rate + 1e-9))


def _window_never_trimmed(breaker: Breaker, now: float, failed: bool, config: BreakerConfig = EXERCISE_BREAKER) -> Breaker:
    """Keeps every call since the breaker closed instead of the last ``window``."""
    return transition(breaker, now, failed, config._replace(window=10**9))


def _reopens_with_old_time(breaker: Breaker, now: float, failed: bool, config: BreakerConfig = EXERCISE_BREAKER) -> Breaker:
    """After failed trials, opens again but keeps the first ``opened_at``, so the next wait is already over."""
    after = transition(breaker, now, failed, config)
    if breaker.state in (OPEN, HALF_OPEN) and after.state == OPEN and after is not breaker:
        return after._replace(opened_at=breaker.opened_at)
    return after


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
           f"({_P.replicas} pods, each {_P.replica:.1%}, one per zone; ignore zone failures here, i.e. zones never fail). "
           "What share of the time can the path answer with real recommendations? A fraction between 0 and 1, not a "
           "percentage.",
    reference=lambda: path_availability(replace(_P, zone=1.0)),
    compare=checks.number(rel=0, abs=2e-6),
    hints=[
        "Which parts must *all* be up, and which part needs only *one* of its copies up?",
        "Series parts multiply. The pods are in parallel: 1 − (1 − P.replica) ** P.replicas. Multiply that by the edge, "
        "Redis and inventory.",
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
            "multiplied by three instead of cubing",
            "Your pods' share is below a single pod's. Three pods all down at once: is that the chance of one down "
            "times three, or to the power of three?",
            lambda: series(_P.edge, 1 - (1 - _P.replica) * _P.replicas, _P.redis, _P.inventory),
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
    compare=checks.number(rel=0, abs=2e-7),
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
            "answered a percentage",
            "That looks like a percentage. The task asks for a fraction between 0 and 1.",
            lambda: 100 * path_availability(replace(_P, zone=1.0, fallback=True)),
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
        "One zone: zone × (1 − (1 − replica) ** replicas) for the pods. One per zone: 1 − (1 − zone × replica) ** replicas. Put each in the "
        "path, subtract the availabilities, and turn the difference into minutes of a 30-day month.",
    ],
    misconceptions=[
        Misconception(
            "reported the one-zone downtime, not the difference",
            "That is all the downtime of the one-zone path. The task asks how much *more* it is down than with one pod per zone.",
            lambda: (1 - path_availability(replace(_P, zones=1))) * MINUTES["month"],
        ),
        Misconception(
            "subtracted the wrong way round",
            "A negative number of extra minutes says the one-zone path is down *less*. Which layout loses all three "
            "pods when one zone fails?",
            lambda: -zone_cost_minutes(),
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
            "used a 31-day month",
            "That month has 31 days. The SLO's window, and this task's, is 30 days: how many minutes is that?",
            lambda: zone_cost_minutes() * 31 / 30,
        ),
        Misconception(
            "answered in seconds",
            "That looks like seconds. The task asks for minutes.",
            lambda: zone_cost_minutes() * 60,
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
            "opens only above the failure rate",
            "Your breaker stays closed when the failure share equals failure_rate. Does the rule say the share "
            "*reaches* it, or passes it?",
            lambda: _opens_above_the_rate,
        ),
        Misconception(
            "never trims the window",
            "Your window keeps every call since the breaker closed, so old successes dilute new failures. How many "
            "of the latest calls should it hold?",
            lambda: _window_never_trimmed,
        ),
        Misconception(
            "reopens with the old time",
            "After failed trials your breaker opens again but lets the next call through at once. From when should "
            "the next wait run?",
            lambda: _reopens_with_old_time,
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


def _stopped_early_hint(tries: Mapping[str, int] = LAYER_TRIES) -> str:
    """The hint for Π of every layer's tries but the last: that many calls reach the *last*
    layer (the database driver), not the one above it. Worded from :func:`calls_received`, so it
    names the layer whose count the wrong answer is."""
    received = calls_received(tries)
    layers = list(tries)
    last, above = layers[-1], layers[-2]
    return (f"That is what reaches the {last} ({received[last]:,} calls; the {above} receives "
            f"{received[above]:,}). The {last} retries too: what does it multiply by?")


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
            _stopped_early_hint(),
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
        Misconception(
            "counted ordered sets",
            "You counted each set of cells once for every order of its cells. Is a customer on cells 1, 2, 3 on a "
            "different set from one on cells 3, 2, 1? math.perm counts orders; what counts sets?",
            lambda: 100 / math.perm(SHARD_CELLS, SHARD_SIZE),
        ),
        Misconception(
            "left the noisy customer's set out of the count",
            "You divided by one set fewer than there are. Another customer draws its set from *all* of them, the "
            "noisy customer's own set included: out of how many sets is that one?",
            lambda: 100 / (math.comb(SHARD_CELLS, SHARD_SIZE) - 1),
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
            "counted on the fallback",
            "The fallback serves popular items, which the task does not count as real recommendations, and the "
            "inventory service gets the same calls with it as without. What would stop the calls while its queue drains?",
            lambda: {"retries": TODAY_RETRIES, "fallback": True},
            matches=lambda a: _naive_like(a) and bool(a.get("fallback")),
        ),
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
            "Backoff spreads retries out. With a short base the fleet still sends about as much as the service can "
            "serve, so the queue barely drains; with a long one, requests sleep so long that too few succeed. What "
            "would stop the calls entirely while the queue drains?",
            lambda: {"retries": TODAY_RETRIES, "backoff_base_s": 0.1},
            matches=_backoff_alone,
        ),
        Misconception(
            "a retry budget alone",
            "The budget caps the retries, but first tries alone still fill the queue the outage left. How long does "
            "it take to drain at the spare capacity left? What stops calls entirely for a while?",
            lambda: {"retries": TODAY_RETRIES, "budget_ratio": 0.1},
            matches=_budget_alone,
        ),
    ],
))


# -- the server's queue bound ----------------------------------------------------------------
def _bound_ms(answer: Any) -> float | None:
    """The learner's bound in ms as a float, or None if it is not a number (inf allowed)."""
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.integer | np.floating):
        return None
    value = float(answer)
    return None if math.isnan(value) else value


def _share_words(share: float) -> str:
    return "less than 0.001%" if 0 < share < 1e-5 else f"{share:.3%}"


def _queue_bound_words(bound: float, result: Mapping[str, Any]) -> str:
    recovery = ("today's client never recovers from the outage" if result["recovery_s"] is None
                else f"today's client recovers {result['recovery_s']:g} s after the outage ends")
    return (f"A bound of {bound:,.6g} ms sheds {_share_words(result['shed_when_healthy'])} of calls at today's traffic "
            f"(limit {shed_limit():.2%}); a call admitted at the bound answers at its p99 after "
            f"{result['answer_by_ms']:,.0f} ms (the client's timeout: {result['timeout_ms']:,.0f} ms); {recovery}, "
            f"and {result['wasted_after_fault']:.1%} of the server's work after the fault is wasted.")


def evaluate_queue_bound(bound_ms: Any) -> Findings | str:
    """What a queue bound of ``bound_ms`` does: the share shed at today's traffic (closed form),
    the longest an admitted call can wait plus the service's p99 against the client's timeout,
    and whether today's naive client recovers from the lesson's outage behind it."""
    bound = _bound_ms(bound_ms)
    if bound is None:
        return f"Expected the bound as a number of milliseconds, e.g. 20; got {checks.describe(bound_ms)}."
    if bound < 0:
        return "A queue bound is 0 ms or more."
    sc = Scenario()
    seconds = bound / 1000
    run = simulate(sim.CLIENTS["naive retries"], replace(sc, queue_limit_s=seconds))
    values = {
        "shed_when_healthy": sim.shed_probability(sc.demand, seconds, sc.capacity_rps),
        "answer_by_ms": 1000 * (seconds + sim.service_quantile(0.99, sc)),
        "timeout_ms": 1000 * sc.timeout_s,
        "recovery_s": run.recovery_s,
        "wasted_after_fault": run.wasted_share(),
    }
    return Findings(values, _queue_bound_words(bound, values))


def _check_queue_bound(answer: Any, expected: Any) -> checks.Verdict:
    result = evaluate_queue_bound(answer)
    if isinstance(result, str):
        return checks.not_yet(result)
    problems = []
    if result["shed_when_healthy"] > shed_limit():
        problems.append(f"at today's traffic it sheds {result['shed_when_healthy']:.3%} of healthy calls "
                        f"(limit {shed_limit():.2%}, a tenth of the error budget)")
    if result["answer_by_ms"] > result["timeout_ms"]:
        problems.append(f"a call admitted at the bound answers at its p99 after {result['answer_by_ms']:.0f} ms, "
                        f"past the client's {result['timeout_ms']:.0f} ms timeout")
    if result["recovery_s"] is None:
        problems.append("today's client never recovers from the outage behind it")
    if problems:
        return checks.not_yet(f"With a bound of {float(answer):,.6g} ms, " + "; ".join(problems) + ".")
    return checks.OK


def _window_ms() -> tuple[float, float]:
    low, high = queue_bound_window()
    return 1000 * low, 1000 * high


def _is_unbounded(answer: Any) -> bool:
    bound = _bound_ms(answer)
    return bound is not None and bound >= 1000 * Scenario().queue_limit_s


def _past_timeout(answer: Any) -> bool:
    bound = _bound_ms(answer)
    return bound is not None and 1000 * Scenario().timeout_s <= bound < 1000 * Scenario().queue_limit_s


def _no_room_for_service(answer: Any) -> bool:
    bound = _bound_ms(answer)
    return bound is not None and _window_ms()[1] < bound < 1000 * Scenario().timeout_s


def _in_seconds(answer: Any) -> bool:
    """A bound that is in the window once read as seconds (0.045 for 45 ms)."""
    bound = _bound_ms(answer)
    low, high = _window_ms()
    return bound is not None and 0 < bound < 1 and low <= 1000 * bound <= high


def _too_short(answer: Any) -> bool:
    bound = _bound_ms(answer)
    return bound is not None and 0 <= bound < _window_ms()[0]


TASKS.add(Task(
    id="03.queue-bound",
    title="The inventory server's queue bound",
    prompt="The inventory service admits a call only while its queue holds at most B milliseconds of work, and "
           "refuses the rest at once (load shedding). Choose B, in ms. It must shed at most `lesson.shed_limit()` of "
           "calls at today's traffic (`lesson.Scenario().demand` of capacity; `lesson.shed_probability` gives the "
           "share), a call admitted at the bound must still answer within the client's timeout at the service's p99 "
           "(`sim.service_quantile(0.99)`), and today's naive client must recover from the lesson's outage.",
    reference=lambda: 1000 * recommended_queue_bound(),
    compare=_check_queue_bound,
    hints=[
        "Two things limit B. What does a bound that is too short do to healthy traffic, and what happens to a "
        "call that waits longer than its client will?",
        "Upper end: timeout − the service's p99. Lower end: the smallest B where lesson.shed_probability(demand, "
        "B / 1000, capacity) ≤ lesson.shed_limit(). Any B between the two passes.",
    ],
    misconceptions=[
        Misconception(
            "an unbounded queue",
            f"A queue that never refuses anything (today's holds {Scenario().queue_limit_s:g} s of work) is full of calls when the "
            "fault ends. How long does a new call wait behind it, and is its client still waiting?",
            lambda: math.inf,
            matches=_is_unbounded,
        ),
        Misconception(
            "a bound longer than the client's timeout",
            "A call that has waited longer than the client's timeout is answered to nobody: the server's work is "
            "wasted and the client retries. How long does today's client wait for one try?",
            lambda: 2000 * Scenario().timeout_s,
            matches=_past_timeout,
        ),
        Misconception(
            "no room left for the service time",
            "A call that waits the whole bound still has to be served. After the wait, how much of the client's "
            "timeout is left for the service's p99?",
            lambda: (_window_ms()[1] + 1000 * Scenario().timeout_s) / 2,
            matches=_no_room_for_service,
        ),
        Misconception(
            "gave seconds",
            "Your bound is a fraction of a millisecond; in seconds it would be a sensible bound. The task asks for "
            "B in milliseconds: what is your number times 1000?",
            lambda: sum(_window_ms()) / 2000,
            matches=_in_seconds,
        ),
        Misconception(
            "a bound of zero (or too short)",
            "A bound that short refuses calls the server could have answered in time. At today's traffic, how "
            "often does a call arrive while the server is busy? What does lesson.shed_probability say?",
            lambda: 0.0,
            matches=_too_short,
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
