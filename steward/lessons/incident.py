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
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from steward import checks, plotting
from steward.datagen import load
from steward.tasks import Misconception, Rubric, Task, TaskSet
from steward.widgets import App, FigureView, int_slider, slider, w

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


# -- the simulator widget ------------------------------------------------------------------------
QUANTILES = np.linspace(0.0, 100.0, 101)
X_MAX_MIN = 480.0
GAIN_LIMITS = (-60.0, 90.0)


@dataclass(frozen=True)
class SimulatorView:
    """What the simulator shows: both distributions, the gain, and the gain for every team size."""

    sim: Simulation
    cdf_without: np.ndarray
    cdf_with: np.ndarray
    by_size: pd.Series
    title: str

    @property
    def gain_pct(self) -> float:
        return self.sim.gain_pct


def simulator_title(sim: Simulation) -> str:
    gain = sim.gain_pct
    if gain >= 0.5:
        verdict = f"A comms lead cuts mean time to mitigate by {gain:.0f}%"
    elif gain <= -0.5:
        verdict = f"A comms lead makes mitigation {-gain:.0f}% slower"
    else:
        verdict = "A comms lead makes no difference"
    return f"{verdict}\n({sim.mean_without:.0f} → {sim.mean_with:.0f} min, {sim.team_size} responders)"


def simulator_view(team_size: int, asks_per_hour: float, switch_min: float, cadence_min: float) -> SimulatorView:
    sim = simulate(team_size, asks_per_hour, switch_min, cadence_min)
    by_size = gain_by_team_size(asks_per_hour, switch_min, cadence_min)
    ranks = np.round(QUANTILES / 100 * (sim.without.size - 1)).astype(int)  # nearest-rank: a sort, no interpolation
    return SimulatorView(sim, np.sort(sim.without)[ranks], np.sort(sim.with_lead)[ranks], by_size, simulator_title(sim))


class IncidentSimulator(App):
    """Four sliders → 4,000 simulated incidents, with and without a comms lead.

    Left: the share of incidents mitigated within x minutes (further left is better). Right:
    the gain for every team size at the same ask rate, switch cost and cadence, with the
    current team marked. Both axes are fixed, so a slider change only redraws the lines."""

    title = "Incident simulator: when does one person taking the questions help?"

    def __init__(self) -> None:
        self.figure = FigureView(width=8.4, height=3.2, axes=2,
                                 margins={"top": 0.9, "bottom": 0.16, "left": 0.07, "right": 0.98, "wspace": 0.28})
        left, right = self.figure.axes
        left.set_xlim(0, X_MAX_MIN)
        left.set_ylim(0, 100)
        plotting.finish(left, "…\n…", "time to mitigate (min)", "incidents mitigated (%)")
        (self._without,) = left.plot([], [], color=plotting.BAD, linewidth=2, label="everyone fixes and answers")
        (self._with,) = left.plot([], [], color=plotting.GOOD, linewidth=2, linestyle="--", label="one comms lead")
        left.legend(loc="lower right", fontsize=8)
        right.axhline(0, color=plotting.NEUTRAL, linewidth=1)
        right.set_xlim(TEAM_RANGE[0] - 0.5, TEAM_RANGE[1] + 0.5)
        right.set_ylim(*GAIN_LIMITS)
        plotting.finish(right, "Gain by team size", "responders (team size)", "gain in mean time to mitigate (%)")
        right.set_title("Gain by team size", fontsize=10)
        (self._by_size,) = right.plot([], [], color=plotting.GOOD, marker="o", markersize=4)
        (self._here,) = right.plot([], [], "o", color=plotting.HIGHLIGHT, markersize=10, markeredgecolor="black")
        self._title = plotting.title_artist(left)
        self._title.set_fontsize(10)
        self.figure.animate(self._without, self._with, self._by_size, self._here)
        self.figure.title_as_caption(left)
        self.readout = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "team_size": int_slider("responders", DEFAULTS["team_size"], *TEAM_RANGE),
            "asks_per_hour": slider("status asks per hour", DEFAULTS["asks_per_hour"], *ASKS_RANGE, 1.0),
            "switch_min": slider("context switch (min)", DEFAULTS["switch_min"], *SWITCH_RANGE, 1.0),
            "cadence_min": slider("update every (min)", DEFAULTS["cadence_min"], *CADENCE_RANGE, 5.0),
        }

    def layout(self) -> w.Widget:
        items = list(self.inputs.values())
        return w.VBox([w.HBox(items[:2]), w.HBox(items[2:]), self.figure.widget, self.readout])

    def compute(self, team_size: int, asks_per_hour: float, switch_min: float, cadence_min: float) -> SimulatorView:
        return simulator_view(team_size, asks_per_hour, switch_min, cadence_min)

    def draw(self, state: SimulatorView) -> None:
        self._without.set_data(np.minimum(state.cdf_without, X_MAX_MIN * 1.2), QUANTILES)
        self._with.set_data(np.minimum(state.cdf_with, X_MAX_MIN * 1.2), QUANTILES)
        gains = np.clip(state.by_size.to_numpy(), GAIN_LIMITS[0], GAIN_LIMITS[1])
        self._by_size.set_data(state.by_size.index.to_numpy(), gains)
        here = float(np.clip(state.gain_pct, *GAIN_LIMITS))
        self._here.set_data([state.sim.team_size], [here])
        self._title.set_text(state.title)
        p90 = state.sim.percentile(90)
        self.readout.value = (f"<small>mean {state.sim.mean_without:.0f} → {state.sim.mean_with:.0f} min · "
                              f"p90 {p90[0]:.0f} → {p90[1]:.0f} min · read as speed: {state.sim.speedup_pct:+.0f}% "
                              f"· gain {state.gain_pct:+.1f}%</small>")
        self.figure.render()


#: Every widget of the lesson, by name.
APPS = {"incident-simulator": IncidentSimulator}


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


# -- the status update ---------------------------------------------------------------------------
_TIME = r"(\b\d{1,2}[:.h]\d{2}\b|\b\d{1,2}\s?(am|pm)\b|\bin\s+\d+\s*(min|minutes|mins|hours?|h)\b|\b\d+\s*(min|minutes)\b)"
STATUS_PARTS: dict[str, Callable[[str], bool]] = {
    "impact (who is affected, and how)": lambda t: bool(re.search(
        r"\b(impact|affect|affected|customers?|users?|shoppers?|unable|cannot|can't|errors?|degraded|slow|fail)", t, re.I)),
    "current action (what the team is doing now)": lambda t: bool(re.search(
        r"\b(we are|we're|currently|investigating|rolling back|rolled back|mitigat\w*|working on|restarting|failing over|"
        r"disabled?|disabling|scaling)\b", t, re.I)),
    "next update time": lambda t: bool(re.search(r"next\s+update", t, re.I)) and bool(re.search(
        r"next\s+update[^\n]{0,60}?" + _TIME, t, re.I)),
    "who to contact": lambda t: bool(re.search(r"\b(contact|questions?|reach|ping|ask)\b", t, re.I)) and bool(
        re.search(r"([#@][\w-]+|\b(incident commander|commander|IC|comms lead|communications lead|on-call)\b)", t)),
}

STATUS_SAMPLE = (
    "[SEV2 · recommendations degraded · update 2]\n"
    "Impact: since 14:09 UTC about 30% of product pages show no 'You may also like' panel; checkout and "
    "search are not affected.\n"
    "Current action: we are rolling back this afternoon's Redis configuration change; early signs are good.\n"
    "Next update: 15:15 UTC, or sooner if anything changes.\n"
    "Contact: Dana (incident commander) in #inc-recs-0611; please ask there rather than DM the responders."
)


def _no_next_update(text: Any) -> bool:
    return isinstance(text, str) and bool(text.strip()) and not STATUS_PARTS["next update time"](text) and all(
        present(text) for name, present in STATUS_PARTS.items() if name != "next update time")


STATUS_RUBRIC = Rubric(
    id="05.status-update-rubric",
    title="A status update during an incident",
    criteria=[
        "Impact is in the reader's terms (what customers see, how many, since when), not in system internals.",
        "It says what we are doing now without promising a fix time we cannot know.",
        "It commits to the next update at a clock time, and then keeps that promise.",
        "It names one place and one person for questions, so the responders are left alone.",
        "It separates what we know from what we suspect; no blame, no guesses about root cause.",
    ],
    mid_level=("We're seeing some issues with the recommendation service after a Redis change. Looking into it, "
               "should be fixed soon. Ping me if you need anything."),
    senior_level=STATUS_SAMPLE,
)


# -- tasks -------------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)

#: The scenarios the exercise asks about (scenario parameters).
GAIN_SCENARIO = {"team_size": 6, "asks_per_hour": 12.0, "switch_min": 10.0, "cadence_min": 20.0}
SMALL_TEAM_SCENARIO = {"asks_per_hour": 6.0, "switch_min": 5.0, "cadence_min": 20.0}
CADENCE_SCENARIO = {"team_size": 4, "asks_per_hour": 10.0, "switch_min": 10.0}
CADENCES = tuple(range(5, 61, 5))


def _close_function(cases: Callable[[], Iterable[tuple[Any, ...]]], rel: float = 1e-6, abs_: float = 1e-9,
                    what: str = "case") -> checks.Comparator:
    """Like ``checks.function_on``, but numbers compare within a tolerance (the learner may
    add the terms in another order)."""

    def compare(answer: Any, expected: Callable[..., Any]) -> checks.Verdict:
        if not callable(answer):
            return checks.not_yet(f"Expected a function; got {checks.describe(answer)}.")
        blank = True
        for args in cases():
            want = expected(*args)
            try:
                got = answer(*args)
            except Exception as error:  # the learner's code: report, never raise
                return checks.not_yet(f"Your function raised {type(error).__name__}: {error} for {what} {args!r}.")
            if checks.is_placeholder(got):
                continue
            blank = False
            value = checks._as_float(got)
            if value is None or math.isnan(value) or not math.isclose(value, want, rel_tol=rel, abs_tol=abs_):
                return checks.not_yet(f"For {what} {args!r} your function returns {got!r}; the model gives {want:.4g}.")
        if blank:
            return checks.Verdict(checks.NOT_ATTEMPTED, "Your function returns nothing yet.")
        return checks.OK

    return compare


def _focus_cases() -> list[tuple[int, float, float]]:
    return [(f, a, s) for f in (1, 2, 4, 7) for a in (0.0, 3.0, 12.0, 40.0) for s in (0.0, 5.0, 15.0)]


def _focus_no_switch(fixers: float, asks: float, switch: float) -> float:
    return focus_share(fixers, asks, 0.0)


def _focus_not_shared(fixers: float, asks: float, switch: float) -> float:
    return focus_share(1, asks, switch)


def _focus_uncapped(fixers: float, asks: float, switch: float) -> float:
    return 1.0 - asks * (ANSWER_MIN + switch) / (60.0 * fixers)


def _same_function(reference: Callable[..., float]) -> Callable[[Any], bool]:
    compare = _close_function(_focus_cases)

    def matches(answer: Any) -> bool:
        return callable(answer) and compare(answer, reference).passed

    return matches


TASKS.add(Task(
    id="05.focus-share",
    title="How much of a fixer's time is left",
    prompt="Write `focus_share(fixers, asks_per_hour, switch_min)`: the share of each fixer's time left for the fix "
           "when the asks spread evenly over the fixers, each costing ANSWER_MIN plus `switch_min` minutes, with at "
           "most MAX_INTERRUPTED of anyone's time lost. A function returning a number between 0 and 1.",
    reference=lambda: focus_share,
    compare=_close_function(_focus_cases, what="(fixers, asks/h, switch min)"),
    hints=[
        "In one hour, how many minutes do the asks take from the whole team, and how many minutes does the team have?",
        "Lost share = asks × (ANSWER_MIN + switch_min) / (60 × fixers); cap it at MAX_INTERRUPTED; focus = 1 − lost.",
    ],
    misconceptions=[
        Misconception("left out the switch cost",
                      "Answering takes two minutes; what does getting back into the heap dump afterwards cost, and who pays it?",
                      lambda: _focus_no_switch, matches=_same_function(_focus_no_switch)),
        Misconception("charged every ask to every fixer",
                      "Each ask interrupts one person. How is the load shared when there are several fixers?",
                      lambda: _focus_not_shared, matches=_same_function(_focus_not_shared)),
        Misconception("did not cap the lost share",
                      "With 40 asks an hour and a 15-minute switch your share goes below zero. What do people do when "
                      "the questions would take all their time?",
                      lambda: _focus_uncapped, matches=_same_function(_focus_uncapped)),
    ],
))

TASKS.add(Task(
    id="05.gain-at",
    title="The gain in one scenario",
    prompt=f"Run the simulator for {GAIN_SCENARIO}. By what percentage does a comms lead cut the mean time to "
           "mitigate (100 × (1 − mean with / mean without))? A number, in percent.",
    reference=lambda: gain_pct(**GAIN_SCENARIO),
    compare=checks.number(rel=1e-3, unit="percent"),
    hints=[
        "'Faster' by what measure: less time, or more speed? Which one does the task define?",
        "lesson.simulate(**GAIN_SCENARIO) returns a Simulation; compare its mean_with and mean_without.",
    ],
    misconceptions=[
        Misconception("reported the speed-up instead of the time saved",
                      "That is the change read as speed (time without / time with − 1). The task asks how much "
                      "*shorter* the time is. Which of the two would '40% faster recovery' mean?",
                      lambda: simulate(**GAIN_SCENARIO).speedup_pct),
        Misconception("gave a fraction, not a percentage",
                      "That is a fraction between 0 and 1. The task asks for percent.",
                      lambda: gain_pct(**GAIN_SCENARIO) / 100),
        Misconception("gave the minutes saved, not a percentage",
                      "That is the saving in minutes. As a share of the time without a comms lead, what is it?",
                      lambda: simulate(**GAIN_SCENARIO).mean_without - simulate(**GAIN_SCENARIO).mean_with),
    ],
))

TASKS.add(Task(
    id="05.smallest-team",
    title="When a comms lead starts to pay",
    prompt=f"With {SMALL_TEAM_SCENARIO}, what is the smallest team size (responders, including the comms lead) "
           "for which a comms lead shortens the mean time to mitigate? A whole number.",
    reference=lambda: smallest_helpful_team(**SMALL_TEAM_SCENARIO),
    compare=checks.integer(),
    hints=[
        "What does the team give up when one of its people stops fixing, and when is that worth it?",
        "lesson.gain_by_team_size(**SMALL_TEAM_SCENARIO) gives the gain per team size; find the first positive one.",
    ],
    misconceptions=[
        Misconception("counted fixers, not responders",
                      "That is the number of *fixers*. The task counts every responder, the comms lead included.",
                      lambda: smallest_helpful_team(**SMALL_TEAM_SCENARIO) - 1),
        Misconception("picked the team size with the largest gain",
                      "That is where the gain is largest. The task asks where it first becomes positive.",
                      lambda: int(gain_by_team_size(**SMALL_TEAM_SCENARIO).idxmax())),
    ],
))


def _conditions(value: Any) -> dict[str, float] | None:
    if not isinstance(value, Mapping):
        return None
    try:
        scenario = {k: float(value[k]) for k in DEFAULTS}
    except (KeyError, TypeError, ValueError):
        return None
    return scenario


def _gain_of(value: Any) -> float | None:
    scenario = _conditions(value)
    if scenario is None:
        return None
    try:
        return simulate(int(scenario["team_size"]), scenario["asks_per_hour"], scenario["switch_min"],
                        scenario["cadence_min"]).gain_pct
    except ValueError:
        return None


FORTY, FIVE = (35.0, 45.0), (0.0, 10.0)


def _pair_of_conditions(answer: Any) -> tuple[Any, Any] | None:
    if isinstance(answer, tuple | list) and len(answer) == 2:
        return answer[0], answer[1]
    return None


def _conditions_compare(answer: Any, expected: Any) -> checks.Verdict:
    pair = _pair_of_conditions(answer)
    if pair is None:
        return checks.not_yet("Expected a pair: (conditions for about 40%, conditions for about 5%), each a dict with "
                              f"the keys {list(DEFAULTS)}.")
    verdicts = []
    for label, conditions, (low, high) in (("first", pair[0], FORTY), ("second", pair[1], FIVE)):
        gain = _gain_of(conditions)
        if gain is None:
            return checks.not_yet(f"The {label} conditions are not a scenario the simulator can run: give a dict with "
                                  f"the keys {list(DEFAULTS)}, a team of at least two and a cadence above "
                                  f"{UPDATE_WRITE_MIN:g} min.")
        if not low <= gain <= high:
            verdicts.append(f"the {label} conditions give a gain of {gain:.1f}%, outside {low:g}–{high:g}%")
    if verdicts:
        return checks.not_yet("Not yet: " + "; ".join(verdicts) + ".")
    return checks.OK


def _speedup_of(value: Any) -> float | None:
    scenario = _conditions(value)
    if scenario is None:
        return None
    try:
        return simulate(int(scenario["team_size"]), scenario["asks_per_hour"], scenario["switch_min"],
                        scenario["cadence_min"]).speedup_pct
    except ValueError:
        return None


def _forty_as_speed(answer: Any) -> bool:
    pair = _pair_of_conditions(answer)
    if pair is None:
        return False
    speed, gain = _speedup_of(pair[0]), _gain_of(pair[0])
    return speed is not None and gain is not None and FORTY[0] <= speed <= FORTY[1] and not FORTY[0] <= gain <= FORTY[1]


def _swapped(answer: Any) -> bool:
    pair = _pair_of_conditions(answer)
    if pair is None:
        return False
    first, second = _gain_of(pair[0]), _gain_of(pair[1])
    return first is not None and second is not None and FIVE[0] <= first <= FIVE[1] and FORTY[0] <= second <= FORTY[1]


def _forty_and_five() -> tuple[dict[str, float], dict[str, float]]:
    return find_asks_for(40.0), find_asks_for(5.0)


TASKS.add(Task(
    id="05.forty-and-five",
    title="Make the gain 40%, then 5%",
    prompt="Find two scenarios: one where the comms lead's gain is about 40% (35–45%) and one where it is about 5% "
           f"(0–10%). Pass them as a pair of dicts with the keys {list(DEFAULTS)}.",
    reference=_forty_and_five,
    compare=_conditions_compare,
    hints=[
        "What has to be true of the interruptions for removing them to be worth one fewer fixer?",
        "Start from lesson.DEFAULTS and move one slider at a time; asks per hour and the switch cost move the gain most.",
    ],
    misconceptions=[
        Misconception("read '40% faster' as a 40% speed-up",
                      "Your first scenario makes recovery 1.4× as *fast*, which is only about 29% less *time*. The "
                      "task measures time saved. Which reading did the essay mean? Nobody can tell, which is a "
                      "question to ask of the claim.",
                      lambda: (find_asks_for(40.0, measure="speedup"), find_asks_for(5.0)), matches=_forty_as_speed),
        Misconception("swapped the two scenarios",
                      "Both scenarios work, in the other order: first the one for about 40%, then the one for about 5%.",
                      lambda: (find_asks_for(5.0), find_asks_for(40.0)), matches=_swapped),
    ],
))


def _incidents() -> pd.DataFrame:
    return load("incidents")


@lru_cache(maxsize=1)
def _durations() -> pd.DataFrame:
    return durations(_incidents())


@lru_cache(maxsize=1)
def _strata() -> pd.DataFrame:
    return stratified(_incidents())


def _mean_by(column: str) -> pd.Series:
    return _durations().groupby("commander")[column].mean()


TASKS.add(Task(
    id="05.naive-mttm",
    title="Mean time to mitigate, with and without a commander",
    prompt="From the incidents table: the mean minutes from detection to mitigation, for incidents without "
           "(False) and with (True) a named commander. A Series indexed by `commander`.",
    reference=lambda: mean_by(_incidents(), "ttm_min"),
    compare=checks.series(rel=1e-3, what="mean minutes to mitigate"),
    hints=[
        "Which two timestamps bound 'time to mitigate', and in what unit do you get their difference?",
        "(mitigated_at − detected_at).dt.total_seconds() / 60, then group by commander and take the mean.",
    ],
    misconceptions=[
        Misconception("measured to resolution, not mitigation",
                      "That runs until the incident was *resolved*. Mitigation is when customers stopped feeling it.",
                      lambda: _mean_by("ttr_min")),
        Misconception("measured from acknowledgement",
                      "That starts at acknowledgement. The task measures from detection: the clock customers feel "
                      "starts before anyone picks up the page.",
                      lambda: _mean_by("ttm_min") - _mean_by("tta_min")),
        Misconception("gave hours, not minutes",
                      "Those look like hours. The task asks for minutes.",
                      lambda: _mean_by("ttm_min") / 60),
    ],
))


TASKS.add(Task(
    id="05.by-severity",
    title="The difference within each severity",
    prompt="For each severity: mean minutes to mitigate without a commander − mean with one (positive means the "
           "commander's incidents were mitigated sooner). A Series indexed by `severity`.",
    reference=lambda: stratified(_incidents()).difference_min,
    compare=checks.series(rel=1e-3, what="difference in mean minutes"),
    hints=[
        "If bigger incidents get commanders and bigger incidents take longer, whom should you compare with whom?",
        "Group by severity and commander, take the mean of minutes to mitigate, unstack, then False − True.",
    ],
    misconceptions=[
        Misconception("subtracted the other way round",
                      "Your signs are flipped: the task asks for without − with, so positive means the commander helped.",
                      lambda: -_strata().difference_min),
        Misconception("used medians",
                      "Those are medians. The task asks for means (MTTM is a mean).",
                      lambda: _durations().pivot_table(index="severity", columns="commander", values="ttm_min",
                                                                  aggfunc="median").pipe(lambda t: t[False] - t[True])),
    ],
))


def _unweighted() -> float:
    return float(_strata().difference_min.mean())


TASKS.add(Task(
    id="05.adjusted-effect",
    title="The commander's effect, adjusted for severity",
    prompt="Average the within-severity differences, weighting each severity by its number of incidents. "
           "A number, in minutes (positive: a commander shortens mitigation).",
    reference=lambda: adjusted_difference(_incidents()),
    compare=checks.number(rel=1e-3, unit="minutes"),
    hints=[
        "Should a severity with a handful of incidents count as much as one with a hundred?",
        "Multiply each severity's difference by its incident count, sum, and divide by the total count.",
    ],
    misconceptions=[
        Misconception("compared the two groups without stratifying",
                      "That is the naive difference, which mixes a SEV1-heavy group with a SEV4-heavy one. What is "
                      "severity doing to both columns?",
                      lambda: float(_mean_by("ttm_min")[False] - _mean_by("ttm_min")[True])),
        Misconception("averaged the severities without weights",
                      "That gives the four SEV1 incidents without a commander as much say as 141 SEV4s. Weight each "
                      "severity by how many incidents it has.",
                      _unweighted),
    ],
))


TASKS.add(Task(
    id="05.status-update",
    title="Write the status update",
    prompt="Write the second status update of the incident in lesson.STATUS_SCENARIO: impact, current action, the "
           "time of the next update, and whom to contact. Text; only its structure is checked.",
    reference=lambda: "structure",
    compare=checks.structured_text(STATUS_PARTS, min_words=25),
    hints=[
        "If you were the product manager reading this in a meeting, what four things would you need to know?",
        "Impact in customer terms; what we are doing now; 'Next update: HH:MM UTC'; a channel and a named person for questions.",
    ],
    misconceptions=[
        Misconception("left out when the next update comes",
                      "Without a time for the next update, what will every stakeholder do in ten minutes?",
                      lambda: STATUS_SAMPLE.replace("Next update: 15:15 UTC, or sooner if anything changes.\n", ""),
                      matches=_no_next_update),
    ],
    sample_answer=lambda: STATUS_SAMPLE,
))

STATUS_SCENARIO = (
    "14:02 UTC a Redis configuration change ships; 14:09 recommendation latency breaches its SLO and about 30% of "
    "product pages render without the 'You may also like' panel; 14:31 the burn-rate alert pages the on-call; 14:41 "
    "Dana is named incident commander and opens #inc-recs-0611; 14:45 the first update goes out; 14:58 the team "
    "starts rolling back the change. It is now 15:00 UTC."
)


def best_cadence(team_size: int, asks_per_hour: float, switch_min: float, cadences: Iterable[float] = CADENCES) -> float:
    """The update cadence (from ``cadences``) with the largest gain."""
    gains = {float(c): gain_pct(team_size, asks_per_hour, switch_min, c) for c in cadences}
    return max(gains, key=lambda c: gains[c])


TASKS.add(Task(
    id="05.best-cadence",
    title="How often should the comms lead send updates?",
    prompt=f"With {CADENCE_SCENARIO}, which update cadence in {list(CADENCES)} minutes gives the largest gain? "
           "A number, in minutes.",
    reference=lambda: best_cadence(**CADENCE_SCENARIO),
    compare=checks.number(rel=1e-9, unit="minutes"),
    hints=[
        "What does a more frequent update cost, and whom? What does a less frequent one cost, and whom?",
        "Compute lesson.gain_pct for each cadence in lesson.CADENCES and take the one with the largest gain.",
    ],
    misconceptions=[
        Misconception("assumed more frequent is always better",
                      "Every update costs the lead time to write and a fixer a check-in. Did you compute the gain at each cadence?",
                      lambda: float(min(CADENCES))),
        Misconception("assumed fewer updates is always better",
                      "With updates an hour apart, the questions come back. Did you compute the gain at each cadence?",
                      lambda: float(max(CADENCES))),
    ],
    stretch=True,
))
