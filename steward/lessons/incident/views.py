"""Module 05's widgets: the incident simulator and the INC-0611 drill, thin views over ``model``."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from steward import plotting
from steward.lessons.incident.model import (
    ASKS_RANGE,
    CADENCE_RANGE,
    DEFAULTS,
    SWITCH_RANGE,
    TEAM_RANGE,
    Replay,
    Simulation,
    _at,
    drills,
    gain_by_team_size,
    incident_log,
    replay,
    simulate,
)
from steward.widgets import App, FigureView, dropdown, int_slider, slider, w

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


class IncidentDrill(App):
    """INC-0611 replayed: at each of three decision points choose what to do, and see the
    minutes of customer impact and the error budget your choices would have cost, next to
    what happened. A thin view over :func:`replay`."""

    title = "Incident drill: INC-0611 replayed with your choices"

    def __init__(self) -> None:
        self.events = incident_log()
        self.points = drills(self.events)
        self.actual = replay(events=self.events)
        self.impact_start = _at(self.events, "impact_start")
        self.figure = FigureView(width=8.0, height=2.4,
                                 margins={"top": 0.86, "bottom": 0.24, "left": 0.2, "right": 0.97})
        ax = self.figure.ax
        span = (self.actual.mitigated - self.impact_start).total_seconds() / 60
        ax.set_xlim(-2, span * 1.25)
        ax.set_ylim(-0.6, 1.6)
        ax.set_yticks([0, 1], ["your choices", "what happened"])
        ax.barh(1, span, color=plotting.BAD, height=0.5)
        for point in self.points:
            x = (point.time - self.impact_start).total_seconds() / 60
            ax.axvline(x, color=plotting.NEUTRAL, linewidth=0.8, linestyle=":")
            ax.text(x, 1.45, point.id, fontsize=7, ha="center", color=plotting.MUTED_TEXT)
        plotting.finish(ax, "…", "minutes since impact began", "replay")
        (self._bar,) = ax.barh(0, 0, color=plotting.GOOD, height=0.5, hatch="//")
        self._title = plotting.title_artist(ax)
        self.figure.animate(self._bar)
        self.figure.title_as_caption(ax)
        self.readout = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {point.id: dropdown(f"{point.time:%H:%M} · {point.id}",
                                   [(text, key) for key, text in point.options.items()],
                                   next(iter(point.options))) for point in self.points}

    def layout(self) -> w.Widget:
        notes = w.HTML("<br>".join(f"<b>{p.time:%H:%M}</b> {html.escape(p.situation)}" for p in self.points))
        return w.VBox([notes, *self.inputs.values(), self.figure.widget, self.readout])

    def compute(self, **choices: str) -> Replay:
        return replay(choices, events=self.events)

    def draw(self, state: Replay) -> None:
        self._bar.set_width(state.impact_min)
        saved = self.actual.impact_min - state.impact_min
        if abs(saved) < 0.5:
            verdict = f"Your choices: {state.impact_min:.0f} min of impact, as happened"
        else:
            verdict = (f"Your choices: {state.impact_min:.0f} min of impact, "
                       f"{abs(saved):.0f} min {'less' if saved > 0 else 'more'} than happened")
        self._title.set_text(verdict)
        self.readout.value = (f"<small>{html.escape(str(state))}. What happened: "
                              f"{html.escape(str(self.actual))}.</small>")
        self.figure.render()


#: Every widget of the lesson, by name.
APPS = {"incident-simulator": IncidentSimulator, "incident-drill": IncidentDrill}
