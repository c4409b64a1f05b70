"""Module 05 — lead the incident: when does one person taking every status question make
recovery faster, and by how much?

The essay says a single point of contact "accelerated recovery by 40%" and gives no source
(factsheet §9). Instead of quoting it, this module builds a model in which the gain can be
*computed*, shows which assumptions make it 40%, 5% or negative, and then looks at a year of
Cartwheel's incidents, where a naive comparison of incidents with and without a commander
points the wrong way because severity drives both.

The simulator's model, stated so it can be argued with
-----------------------------------------------------
- **Work.** Each incident needs ``W`` minutes of focused engineering to mitigate, log-normal
  (median ``WORK_MEDIAN_MIN``). A share ``PARALLEL_SHARE`` of it splits across fixers; the
  rest is serial (one person must do it, Amdahl's law), so extra fixers help less and less.
- **Interruptions.** Stakeholders ask "any update?" at ``asks_per_hour`` when nobody sends
  regular updates, scaled per incident by an *attention* multiplier (gamma, mean 1): some
  incidents draw a crowd. Each ask costs whoever answers it ``ANSWER_MIN`` minutes plus a
  context switch of ``switch_min`` minutes to get back into the problem.
- **Without a comms lead** the asks spread evenly over the ``n`` responders. Each keeps a
  *focus share* ``1 − asks/h × (answer + switch) / (60 n)`` of their time for the fix
  (at worst ``1 − MAX_INTERRUPTED``: past that point people stop answering).
- **With a comms lead** (the SRE book's Communication role, often held by the Incident
  Commander in a small response [SRE book ch. 14]) one responder stops fixing, so ``n − 1``
  fix. The lead sends an update every ``cadence_min`` minutes, which pre-empts the asks of
  stakeholders whose patience (exponential, mean ``PATIENCE_MIN``) outlasts the gap:
  ``asks × (1 − exp(−cadence / patience))`` still arrive. A share ``LEAK_SHARE`` of those
  still go straight to a fixer (people DM the engineer they know, whatever the process
  says); the lead answers the rest, up to their capacity (each update takes
  ``UPDATE_WRITE_MIN`` to write), and asks beyond that capacity spill over to the fixers. Each update also takes ``SYNC_MIN`` of a fixer's time
  (a scheduled check-in, at a natural break, so no switch cost).
- **Time to mitigate** is ``W × ((1 − p) + p / fixers) / focus``.

Every constant is a scenario parameter chosen to be plausible, not a measured fact. The point
is the *shape*: which conditions make the gain large, small or negative.

This package splits the module by room: ``model.py`` (the simulator, the incident-log
analysis, the drill replay: pure functions), ``views.py`` (the widgets) and ``exercise.py``
(the status-update rubric and the tasks). ``from steward.lessons import incident`` gives all three.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from steward import cartwheel
from steward.datagen import load

MODULE = "05"

# -- the model's constants (scenario parameters, not facts) -----------------------------------
WORK_MEDIAN_MIN = 120.0     # focused engineer-minutes one incident needs, median
WORK_SIGMA = 0.6            # log-normal spread of that work
PARALLEL_SHARE = 0.7        # share of the work that splits across fixers
ANSWER_MIN = 2.0            # minutes to answer one "any update?"
PATIENCE_MIN = 20.0         # mean minutes a stakeholder waits for news before asking
UPDATE_WRITE_MIN = 3.0      # minutes the comms lead spends writing one scheduled update
SYNC_MIN = 2.0              # minutes of a fixer's time per scheduled update (a check-in)
LEAK_SHARE = 0.25           # share of the remaining asks that still go straight to a fixer
ATTENTION_CV = 0.5          # per-incident spread of the ask rate (coefficient of variation)
MAX_INTERRUPTED = 0.8       # at most this share of anyone's time goes to interruptions
N_INCIDENTS = 4000          # simulated incidents per scenario
SEED = 505

#: The ranges the widget's sliders cover; every value in them must give a view.
TEAM_RANGE = (2, 12)
ASKS_RANGE = (0.0, 40.0)
SWITCH_RANGE = (0.0, 30.0)
CADENCE_RANGE = (5.0, 60.0)

#: The scenario the lesson starts from (a SEV2 on the recommendation engine).
DEFAULTS = {"team_size": 5, "asks_per_hour": 10.0, "switch_min": 10.0, "cadence_min": 15.0}


# -- the model ------------------------------------------------------------------------------
def _check_scenario(team_size: float, asks_per_hour: float, switch_min: float, cadence_min: float) -> None:
    values = {"team size": team_size, "asks per hour": asks_per_hour, "switch cost": switch_min, "update cadence": cadence_min}
    for name, value in values.items():
        if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"the {name} must be a finite number; got {value!r}")
    if team_size < 2:
        raise ValueError(f"a comms lead needs a team of at least two (one fixes, one talks); got {team_size}")
    if asks_per_hour < 0 or switch_min < 0:
        raise ValueError("asks per hour and the switch cost cannot be negative")
    if cadence_min <= UPDATE_WRITE_MIN:
        raise ValueError(f"an update every {cadence_min:g} min leaves no time to write it (it takes {UPDATE_WRITE_MIN:g} min)")


def focus_share(fixers: float, asks_per_hour: float, switch_min: float, answer_min: float = ANSWER_MIN) -> float:
    """Share of each fixer's time left for the fix when ``asks_per_hour`` interruptions spread
    evenly over ``fixers`` people, each costing ``answer_min + switch_min`` minutes.

    Why the switch cost counts: answering takes two minutes, but getting back to where you
    were in a heap dump takes longer, and that time is lost to the fix too."""
    if fixers <= 0:
        raise ValueError(f"need at least one fixer; got {fixers}")
    load_share = asks_per_hour * (answer_min + switch_min) / (60.0 * fixers)
    return 1.0 - min(MAX_INTERRUPTED, max(0.0, load_share))


def residual_asks(asks_per_hour: float | np.ndarray, cadence_min: float) -> float | np.ndarray:
    """Asks per hour that still arrive when someone sends an update every ``cadence_min``:
    stakeholders whose patience (exponential, mean ``PATIENCE_MIN``) runs out first."""
    return asks_per_hour * (1.0 - math.exp(-cadence_min / PATIENCE_MIN))


def lead_capacity(cadence_min: float) -> float:
    """Asks per hour a comms lead can answer after writing an update every ``cadence_min``."""
    return max(0.0, 1.0 - UPDATE_WRITE_MIN / cadence_min) * 60.0 / ANSWER_MIN


def time_factor(fixers: np.ndarray | float) -> np.ndarray | float:
    """Minutes per engineer-minute of work for ``fixers`` people with full focus (Amdahl)."""
    return (1.0 - PARALLEL_SHARE) + PARALLEL_SHARE / fixers


@lru_cache(maxsize=8)
def _draws(n: int, seed: int, attention_cv: float) -> tuple[np.ndarray, np.ndarray]:
    """Work and attention per simulated incident. Common random numbers: the same incidents
    are replayed for every scenario, so a slider moves the answer, not the noise."""
    rs = np.random.RandomState(seed)
    work = WORK_MEDIAN_MIN * np.exp(WORK_SIGMA * rs.randn(n))
    if attention_cv > 0:
        shape = 1.0 / attention_cv**2
        attention = rs.gamma(shape, 1.0 / shape, size=n)
    else:
        attention = np.ones(n)
    work.setflags(write=False)
    attention.setflags(write=False)
    return work, attention


def _times(team: np.ndarray, asks: float, switch: float, cadence: float, work: np.ndarray,
           attention: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Time to mitigate without and with a comms lead; ``team`` broadcasts against incidents."""
    team = np.asarray(team, dtype=float)[..., None]
    ask_rate = asks * attention                                     # asks/h, per incident
    load0 = ask_rate * (ANSWER_MIN + switch) / (60.0 * team)
    focus0 = 1.0 - np.clip(load0, 0.0, MAX_INTERRUPTED)
    without = work * time_factor(team) / focus0

    fixers = team - 1.0
    residual = residual_asks(ask_rate, cadence)
    to_lead = (1.0 - LEAK_SHARE) * residual
    to_fixers = LEAK_SHARE * residual + np.maximum(0.0, to_lead - lead_capacity(cadence))
    load1 = (to_fixers * (ANSWER_MIN + switch) + (60.0 / cadence) * SYNC_MIN) / (60.0 * fixers)
    focus1 = 1.0 - np.clip(load1, 0.0, MAX_INTERRUPTED)
    with_lead = work * time_factor(fixers) / focus1
    return without, with_lead


@dataclass(frozen=True)
class Simulation:
    """One scenario, many incidents: times to mitigate (minutes) without and with a comms lead."""

    team_size: int
    asks_per_hour: float
    switch_min: float
    cadence_min: float
    without: np.ndarray
    with_lead: np.ndarray

    @property
    def mean_without(self) -> float:
        return float(self.without.mean())

    @property
    def mean_with(self) -> float:
        return float(self.with_lead.mean())

    @property
    def gain_pct(self) -> float:
        """How much shorter the mean time to mitigate is with a comms lead, in percent of
        the time without one. Negative: the lead made things slower."""
        return 100.0 * (1.0 - self.mean_with / self.mean_without)

    @property
    def speedup_pct(self) -> float:
        """The same change read as *speed*: (time without / time with − 1) in percent. "40%
        faster" is ambiguous between this and :attr:`gain_pct`."""
        return 100.0 * (self.mean_without / self.mean_with - 1.0)

    def percentile(self, q: float) -> tuple[float, float]:
        return float(np.percentile(self.without, q)), float(np.percentile(self.with_lead, q))


def simulate(team_size: int, asks_per_hour: float, switch_min: float, cadence_min: float,
             n: int = N_INCIDENTS, seed: int = SEED, attention_cv: float = ATTENTION_CV) -> Simulation:
    """Replay ``n`` incidents under one scenario, without and with a comms lead."""
    _check_scenario(team_size, asks_per_hour, switch_min, cadence_min)
    work, attention = _draws(int(n), int(seed), float(attention_cv))
    without, with_lead = _times(np.asarray([team_size]), float(asks_per_hour), float(switch_min), float(cadence_min),
                                work, attention)
    return Simulation(int(team_size), float(asks_per_hour), float(switch_min), float(cadence_min), without[0], with_lead[0])


def gain_pct(team_size: int, asks_per_hour: float, switch_min: float, cadence_min: float) -> float:
    """The comms lead's gain in percent (mean time to mitigate) for one scenario."""
    return simulate(team_size, asks_per_hour, switch_min, cadence_min).gain_pct


def gain_by_team_size(asks_per_hour: float, switch_min: float, cadence_min: float,
                      sizes: Iterable[int] = range(TEAM_RANGE[0], TEAM_RANGE[1] + 1),
                      n: int = N_INCIDENTS, seed: int = SEED) -> pd.Series:
    """Gain (%) for each team size, all sizes in one vectorised pass."""
    sizes = np.array(list(sizes), dtype=float)
    _check_scenario(float(sizes.min()) if sizes.size else 0.0, asks_per_hour, switch_min, cadence_min)
    work, attention = _draws(int(n), int(seed), ATTENTION_CV)
    without, with_lead = _times(sizes, float(asks_per_hour), float(switch_min), float(cadence_min), work, attention)
    gains = 100.0 * (1.0 - with_lead.mean(axis=1) / without.mean(axis=1))
    return pd.Series(gains, index=pd.Index(sizes.astype(int), name="team_size"), name="gain_pct")


def expected_gain_pct(team_size: int, asks_per_hour: float, switch_min: float, cadence_min: float) -> float:
    """The gain with every incident drawing average attention: a closed form (the work
    cancels), which the Monte-Carlo reproduces when ``attention_cv=0``."""
    _check_scenario(team_size, asks_per_hour, switch_min, cadence_min)
    t0 = time_factor(team_size) / focus_share(team_size, asks_per_hour, switch_min)
    residual = residual_asks(asks_per_hour, cadence_min)
    to_fixers = LEAK_SHARE * residual + max(0.0, (1.0 - LEAK_SHARE) * residual - lead_capacity(cadence_min))
    load1 = (to_fixers * (ANSWER_MIN + switch_min) + (60.0 / cadence_min) * SYNC_MIN) / (60.0 * (team_size - 1))
    t1 = time_factor(team_size - 1) / (1.0 - min(MAX_INTERRUPTED, load1))
    return 100.0 * (1.0 - t1 / t0)


def smallest_helpful_team(asks_per_hour: float, switch_min: float, cadence_min: float) -> int | None:
    """The smallest team (within the widget's range) for which a comms lead shortens the
    mean time to mitigate; ``None`` if none does."""
    gains = gain_by_team_size(asks_per_hour, switch_min, cadence_min)
    helpful = gains[gains > 0]
    return int(helpful.index[0]) if len(helpful) else None


def find_asks_for(target_pct: float, team_size: int = 5, switch_min: float = 10.0, cadence_min: float = 15.0,
                  measure: str = "gain") -> dict[str, float]:
    """Conditions (varying only the ask rate, in steps of 0.5/h) whose gain — or, with
    ``measure="speedup"``, speed-up — is closest to ``target_pct``."""
    grid = np.arange(ASKS_RANGE[0], ASKS_RANGE[1] + 0.25, 0.5)
    sims = [simulate(team_size, a, switch_min, cadence_min) for a in grid]
    values = np.array([s.gain_pct if measure == "gain" else s.speedup_pct for s in sims])
    best = float(grid[int(np.argmin(np.abs(values - target_pct)))])
    return {"team_size": team_size, "asks_per_hour": best, "switch_min": switch_min, "cadence_min": cadence_min}


# -- the incident log ----------------------------------------------------------------------------
DURATIONS = {"tta_min": "acknowledged_at", "ttm_min": "mitigated_at", "ttr_min": "resolved_at"}


def durations(incidents: pd.DataFrame) -> pd.DataFrame:
    """Minutes from detection to acknowledgement, mitigation and resolution, added as columns.

    We measure all three from *detection*, so MTTA, MTTM and MTTR nest (A ≤ M ≤ R). Teams
    define these differently; say which definition you used whenever you quote one."""
    needed = ["detected_at", *DURATIONS.values()]
    if not isinstance(incidents, pd.DataFrame) or any(c not in incidents.columns for c in needed):
        raise ValueError(f"expected the incidents table with columns {needed}")
    out = incidents.copy()
    for name, column in DURATIONS.items():
        out[name] = (pd.to_datetime(out[column]) - pd.to_datetime(out["detected_at"])).dt.total_seconds() / 60.0
    return out


def mean_by(incidents: pd.DataFrame, column: str = "ttm_min", by: str = "commander") -> pd.Series:
    """Mean of a duration by group (the naive comparison)."""
    return durations(incidents).groupby(by)[column].mean()


def stratified(incidents: pd.DataFrame, column: str = "ttm_min") -> pd.DataFrame:
    """Mean duration with and without a commander *within each severity*, the difference
    (without − with, so positive means a commander helped), and how many incidents each
    cell rests on."""
    d = durations(incidents)
    means = d.pivot_table(index="severity", columns="commander", values=column, aggfunc="mean")
    counts = d.pivot_table(index="severity", columns="commander", values=column, aggfunc="count")
    return pd.DataFrame({
        "without_min": means[False], "with_min": means[True], "difference_min": means[False] - means[True],
        "n_without": counts[False].astype(int), "n_with": counts[True].astype(int),
        "n": (counts[False] + counts[True]).astype(int),
    })


def adjusted_difference(incidents: pd.DataFrame, column: str = "ttm_min") -> float:
    """The within-severity differences averaged with each severity weighted by its number
    of incidents (standardising to the year's severity mix)."""
    table = stratified(incidents, column)
    return float((table.difference_min * table.n).sum() / table.n.sum())


def naive_difference(incidents: pd.DataFrame, column: str = "ttm_min") -> float:
    """Mean without a commander − mean with one, ignoring severity."""
    means = mean_by(incidents, column)
    return float(means[False] - means[True])


def _resample_adjusted(d: pd.DataFrame, idx: np.ndarray) -> np.ndarray:
    """The adjusted difference for each row of resampled incident indices ``idx`` (draws × n),
    vectorised with ``bincount``. A draw with an empty severity × commander cell gives NaN."""
    levels = np.sort(d["severity"].unique())
    sev = np.searchsorted(levels, d["severity"].to_numpy())
    cells = 2 * len(levels)
    group = (2 * sev + d["commander"].to_numpy().astype(int))[idx]          # draws × n
    minutes = d["ttm_min"].to_numpy()[idx]
    offset = (np.arange(idx.shape[0]) * cells)[:, None]
    sums = np.bincount((group + offset).ravel(), weights=minutes.ravel(), minlength=idx.shape[0] * cells)
    counts = np.bincount((group + offset).ravel(), minlength=idx.shape[0] * cells)
    sums, counts = sums.reshape(-1, len(levels), 2), counts.reshape(-1, len(levels), 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    difference = means[:, :, 0] - means[:, :, 1]                             # without − with, per severity
    weights = counts.sum(axis=2)
    return (difference * weights).sum(axis=1) / weights.sum(axis=1)


@dataclass(frozen=True)
class Interval:
    """A bootstrap interval: the bounds, the level, and how many draws it rests on."""

    low: float
    high: float
    level: float
    draws: int
    #: Draws dropped because a severity × commander cell came out empty (e.g. no SEV1 without one).
    dropped: int


def adjusted_interval(incidents: pd.DataFrame, draws: int = 2000, seed: int = SEED, level: float = 0.95) -> Interval:
    """Percentile bootstrap interval of :func:`adjusted_difference`: resample the year's
    incidents with replacement, recompute the severity-adjusted difference, take the middle
    ``level`` of the results. It carries the sampling noise of small cells (four SEV1s without
    a commander); it cannot carry confounding the log does not record."""
    if not 0 < level < 1 or draws < 100:
        raise ValueError("level is between 0 and 1, and a bootstrap needs at least 100 draws")
    d = durations(incidents)
    rng = np.random.RandomState(seed)
    values = _resample_adjusted(d, rng.randint(0, len(d), size=(draws, len(d))))
    kept = values[np.isfinite(values)]
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(kept, [tail, 100 - tail])
    return Interval(float(low), float(high), level, int(kept.size), int(draws - kept.size))


def mttm_false_alarm_share(incidents: pd.DataFrame, severity: str = "SEV2", change_pct: float = 20.0,
                           draws: int = 4000, seed: int = SEED) -> tuple[int, float]:
    """How often two quarters of the *same* process differ in mean time to mitigate by at
    least ``change_pct`` percent, from noise alone.

    Each quarter gets as many incidents of ``severity`` as the year averages per quarter,
    drawn with replacement from the year's incidents of that severity: nothing changed
    between the two quarters, so every "improvement" is noise. Returns (incidents per
    quarter, share of quarter pairs whose MTTM differs by ≥ ``change_pct``%). This is
    Davidovič's point (*Incident Metrics in SRE*, 2021): with heavy-tailed durations and the
    counts a team sees, mean-time-to-X comparisons are mostly noise."""
    d = durations(incidents)
    minutes = d.loc[d["severity"] == severity, "ttm_min"].to_numpy()
    if minutes.size < 2:
        raise ValueError(f"no incidents of severity {severity!r} to resample")
    per_quarter = max(1, round(minutes.size / 4))
    rng = np.random.RandomState(seed)
    first = minutes[rng.randint(0, minutes.size, size=(draws, per_quarter))].mean(axis=1)
    second = minutes[rng.randint(0, minutes.size, size=(draws, per_quarter))].mean(axis=1)
    change = 100 * np.abs(second - first) / first
    return per_quarter, float((change >= change_pct).mean())


# -- incident command: drills replayed from INC-0611 ---------------------------------------------
def incident_log() -> pd.DataFrame:
    """INC-0611's event log (module 08's data), with ``time`` parsed."""
    events = load("incident_events")
    events["time"] = pd.to_datetime(events["time"])
    return events


def _at(events: pd.DataFrame, kind: str, contains: str = "") -> pd.Timestamp:
    rows = events[(events["kind"] == kind) & events["message"].str.contains(contains, regex=False)]
    if rows.empty:
        raise ValueError(f"INC-0611's log has no {kind!r} event mentioning {contains!r}")
    return pd.Timestamp(rows["time"].iloc[0])


@dataclass(frozen=True)
class Decision:
    """One decision point of the drill: when, what the responders knew, the options."""

    id: str
    time: pd.Timestamp
    situation: str
    #: option key → what it means; the first option is what the team actually did.
    options: dict[str, str]
    #: The option that follows the SRE book's guidance (declare early, hand off, mitigate first).
    guided: str


@dataclass(frozen=True)
class Replay:
    """INC-0611 replayed under a set of choices: when mitigation comes, and what it cost."""

    response_start: pd.Timestamp
    rollback_decided: pd.Timestamp
    mitigated: pd.Timestamp
    impact_min: float
    budget_pct: float

    def __str__(self) -> str:
        return (f"response from {self.response_start:%H:%M}, rollback decided {self.rollback_decided:%H:%M}, "
                f"mitigated {self.mitigated:%H:%M}: {self.impact_min:.0f} min of impact, "
                f"{self.budget_pct:.2f}% of the 30-day error budget")


#: The burn rate INC-0611's fast alert reported (its message: "14.4x burn"), while impact lasted.
def _burn_rate(events: pd.DataFrame) -> float:
    message = events.loc[events["kind"] == "alert", "message"].iloc[0]
    found = re.search(r"(\d+(?:\.\d+)?)x burn", message)
    if not found:
        raise ValueError("INC-0611's alert does not state its burn rate")
    return float(found.group(1))


def drills(events: pd.DataFrame | None = None) -> tuple[Decision, ...]:
    """The three decision points of INC-0611, timed from its log."""
    events = incident_log() if events is None else events
    noticed = events.loc[(events["kind"] == "note") & events["message"].str.contains("spiky"), "time"].iloc[0]
    return (
        Decision("declare", pd.Timestamp(noticed),
                 "Priya sees spiky latency on the dashboards; no alert has fired; support has no tickets yet.",
                 {"wait": "wait for an alert to fire", "declare": "declare an incident now and page the on-call"},
                 guided="declare"),
        Decision("command", _at(events, "action", "Opened #inc-recs"),
                 "Marco has opened the incident channel and is investigating alone; questions are arriving.",
                 {"command": "name an incident commander and a comms lead now",
                  "alone": "keep everyone on the fix; answer questions as they come"},
                 guided="command"),
        Decision("mitigate", _at(events, "action", "scaled"),
                 "Scaling the inventory service did not help. A Redis change shipped at 14:02, 7 minutes before impact.",
                 {"diagnose": "keep diagnosing until the cause is proven",
                  "rollback": "roll back the 14:02 change now, diagnose after"},
                 guided="rollback"),
    )


def replay(choices: Mapping[str, str] | None = None, events: pd.DataFrame | None = None) -> Replay:
    """INC-0611 under other choices, using only intervals the log itself measured.

    - *declare*: the response starts when Priya noticed (14:12) instead of when Marco opened the
      channel after the page; every later interval is kept as the log measured it.
    - *mitigate*: "rollback" decides to roll back when scaling failed (14:47) instead of after the
      diagnosis (14:55); rollback plus cache refill take what they took (decision → mitigated).
    - *command*: without a commander and comms lead, the diagnosis interval stretches by the
      simulator's factor for a team of 5 at 10 asks/h (this module's model, not a measurement).
    The team's real choices are ``{"declare": "wait", "command": "command", "mitigate": "diagnose"}``."""
    events = incident_log() if events is None else events
    choices = dict(choices or {})
    points = {p.id: p for p in drills(events)}
    for key, value in choices.items():
        if key not in points or value not in points[key].options:
            raise ValueError(f"unknown choice {key!r}: {value!r}; the drill's options are "
                             + "; ".join(f"{p}: {list(d.options)}" for p, d in points.items()))
    impact_start = _at(events, "impact_start")
    mitigated = _at(events, "mitigated")
    channel, scaled = points["command"].time, points["mitigate"].time
    decided = _at(events, "decision", "roll back")
    start = points["declare"].time if choices.get("declare", "wait") == "declare" else channel
    diagnose = (scaled if choices.get("mitigate", "diagnose") == "rollback" else decided) - channel
    if choices.get("command", "command") == "alone":
        sim = simulate(**DEFAULTS)
        diagnose = diagnose * (sim.mean_without / sim.mean_with)
    rollback_decided = start + diagnose
    end = rollback_decided + (mitigated - decided)
    impact = (end - impact_start).total_seconds() / 60
    burn = _burn_rate(events)
    budget = 100 * burn * impact / (cartwheel.WINDOW_DAYS * 24 * 60)  # burn × time ÷ window (SRE workbook ch. 5)
    return Replay(start, rollback_decided, end, impact, budget)


# -- the exercise's scenarios (parameters, not facts) -------------------------------------------
#: The scenarios the exercise asks about (scenario parameters).
GAIN_SCENARIO = {"team_size": 6, "asks_per_hour": 12.0, "switch_min": 10.0, "cadence_min": 20.0}
SMALL_TEAM_SCENARIO = {"asks_per_hour": 6.0, "switch_min": 5.0, "cadence_min": 20.0}
CADENCE_SCENARIO = {"team_size": 4, "asks_per_hour": 10.0, "switch_min": 10.0}
CADENCES = tuple(range(5, 61, 5))


def best_cadence(team_size: int, asks_per_hour: float, switch_min: float, cadences: Iterable[float] = CADENCES) -> float:
    """The update cadence (from ``cadences``) with the largest gain."""
    gains = cadence_gains(team_size, asks_per_hour, switch_min, cadences)
    return float(gains.idxmax())


def cadence_gains(team_size: int, asks_per_hour: float, switch_min: float,
                  cadences: Iterable[float] = CADENCES) -> pd.Series:
    """The comms lead's gain (%) at each update cadence (minutes), same incidents for all."""
    return pd.Series({float(c): gain_pct(team_size, asks_per_hour, switch_min, c) for c in cadences}, name="gain_pct")


def cadence_spread(team_size: int, asks_per_hour: float, switch_min: float, cadences: Iterable[float] = CADENCES) -> float:
    """Percentage points between the best and the worst cadence: how much the cadence matters."""
    gains = cadence_gains(team_size, asks_per_hour, switch_min, cadences)
    return float(gains.max() - gains.min())


def team_spread(asks_per_hour: float, switch_min: float, cadence_min: float) -> float:
    """Percentage points between the best and the worst team size at the same asks, switch and cadence."""
    gains = gain_by_team_size(asks_per_hour, switch_min, cadence_min)
    return float(gains.max() - gains.min())
