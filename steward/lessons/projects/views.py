"""projects · the widgets, thin views over ``model``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from steward import plotting
from steward.datagen import load
from steward.datasets.projects import OKRS as OKRS  # re-exported for the notebooks
from steward.lessons.projects.model import (
    CAPACITY_WEEKS,
    COMPANY,
    OKR_BONUS,
    QUADRANT_CUT,
    STAKEHOLDER_COLUMNS,
    STANCE_MARKERS,
    _indexed,
    _require,
    _simulate_arrays,
    aligned,
    gap_pct,
    level_stats,
    quadrants,
    rice,
    value,
    weighted_gap,
)
from steward.widgets import App, FigureView, int_slider, slider, w


def plot_power_interest(ax, frame: pd.DataFrame, cut: float = QUADRANT_CUT) -> None:
    """The grid, one point per person; the marker shape carries the stance (not colour alone)."""
    f = _require(frame, STAKEHOLDER_COLUMNS, "stakeholders")
    ax.axhline(cut + 0.5, color=plotting.NEUTRAL, lw=1)
    ax.axvline(cut + 0.5, color=plotting.NEUTRAL, lw=1)
    colours = {"supportive": plotting.GOOD, "neutral": plotting.NEUTRAL, "skeptical": plotting.HIGHLIGHT, "opposed": plotting.BAD}
    for stance, group in f.groupby("stance"):
        ax.scatter(group["interest"], group["power"], marker=STANCE_MARKERS.get(stance, "o"), s=70,
                   color=colours.get(stance, plotting.NEUTRAL), label=stance, zorder=3)
    for _, row in f.iterrows():
        ax.annotate(str(row["name"]).split()[0], (row["interest"], row["power"]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8)
    for text, x, y in (("manage closely", 10.3, 10.3), ("keep satisfied", 0.7, 10.3), ("keep informed", 10.3, 0.7), ("monitor", 0.7, 0.7)):
        ax.text(x, y, text, ha="right" if x > 5 else "left", va="top" if y > 5 else "bottom", fontsize=9, color=plotting.MUTED_TEXT, style="italic")
    ax.set_xlim(0.5, 10.5)
    ax.set_ylim(0.5, 10.5)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), title="stance today")
    n_close = int((quadrants(f, cut) == "manage closely").sum())
    plotting.finish(ax, f"{n_close} people can stop this project and care about it: meet them first",
                    "interest in the project (1–10)", "power over the project (1–10)")


# -- widgets --------------------------------------------------------------------------------
STRATEGIES = {
    "portfolio score (RICE × OKR bonus)": "score",
    "RICE only": "rice",
    "biggest value first (ignore effort)": "value",
    "bug tickets first": "bugs",
}


def _labels_by_point(ids, xs, ys, digits: int = 2) -> dict[tuple[float, float], list[str]]:
    """Project ids grouped by where they are drawn (rounded, so points a hair apart count
    as one spot), in their order."""
    spots: dict[tuple[float, float], list[str]] = {}
    for pid, x, y in zip(ids, xs, ys, strict=True):
        spots.setdefault((round(float(x), digits), round(float(y), digits)), []).append(str(pid))
    return spots


class PortfolioExplorer(App):
    """Weights and capacity in, a picked portfolio out, on an impact/effort plot."""

    title = "Which projects fill the next half? Change the weights and watch the picks"

    def __init__(self, frame: pd.DataFrame | None = None) -> None:
        self.frame = load("projects") if frame is None else frame
        self._value = value(self.frame)
        self._effort = _indexed(self.frame)["effort_weeks"].astype(float)
        self._aligned = aligned(self.frame)
        self._ids = np.array(self._value.index, dtype=str)
        self._rice = rice(self.frame).to_numpy()
        self._vis = _indexed(self.frame)["visibility"].to_numpy(dtype=float)
        self._bug = _indexed(self.frame)["kind"].eq("bug ticket").to_numpy()
        self.figure = FigureView(width=7.2, height=4.0, margins={"top": 0.97, "bottom": 0.13, "left": 0.16, "right": 0.97})
        ax = self.figure.ax
        # log10 of value on a linear axis with hand-made ticks: a real log axis builds dozens
        # of minor-tick objects and mathtext labels, which costs about a second on first draw.
        xs, ys = self._effort.to_numpy(), np.log10(self._value.to_numpy())
        for flag, marker, label in ((True, "o", "serves an OKR"), (False, "s", "no OKR")):
            mask = self._aligned.to_numpy() == flag
            ax.scatter(xs[mask], ys[mask], marker=marker, s=40, color=plotting.NEUTRAL, label=label, zorder=2)
        # One label per point: projects at the same spot share it ("P08, P15"), not overprint it.
        for (x, y), pids in _labels_by_point(self._value.index, xs, ys).items():
            ax.annotate(", ".join(pids), (x, y), textcoords="offset points", xytext=(5, 3), fontsize=7)
        self._picked = ax.scatter([], [], s=160, facecolors="none", edgecolors=plotting.GOOD, linewidths=2,
                                  label="picked", zorder=3)
        decades = np.arange(math.floor(ys.min()), math.ceil(ys.max()) + 1)
        ax.set_yticks(decades, [f"{10 ** int(d):,}" for d in decades])
        ax.set_xlim(0, self._effort.max() + 2)
        ax.set_ylim(ys.min() - 0.3, ys.max() + 0.3)
        ax.legend(loc="lower right", fontsize=8)
        plotting.finish(ax, "…\n…", "effort (person-weeks)", "value: reach × impact × confidence (log)")
        self.figure.title_as_caption(ax)
        self.figure.animate(self._picked)
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "strategy": w.Dropdown(options=list(STRATEGIES), value=list(STRATEGIES)[0], description="rank by",
                                   style={"description_width": "initial"}),
            "okr_bonus": slider("OKR bonus (× 1 + bonus)", OKR_BONUS, 0.0, 3.0, 0.25),
            "visibility_weight": slider("visibility weight", 0.0, 0.0, 1.0, 0.1),
            "capacity": int_slider("capacity (person-weeks)", CAPACITY_WEEKS, 0, 60),
        }

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget])

    def compute(self, strategy: str, okr_bonus: float, visibility_weight: float, capacity: int) -> dict[str, Any]:
        """NumPy only (the pandas functions above give the same numbers, ~10× slower)."""
        kind = STRATEGIES.get(strategy, "score")
        aligned_ = self._aligned.to_numpy()
        if kind == "score":
            scores = self._rice * (1 + okr_bonus * aligned_) * (1 + visibility_weight * (self._vis - 3) / 2)
        elif kind == "rice":
            scores = self._rice
        elif kind == "value":
            scores = self._value.to_numpy()
        else:
            scores = self._rice + self._bug * 1e12  # every bug ticket ahead of everything else
        effort = self._effort.to_numpy()
        order = np.lexsort((self._ids, -scores))
        taken = np.zeros(len(scores), dtype=bool)
        used = 0.0
        for i in order:
            if used + effort[i] <= capacity + 1e-9:
                taken[i] = True
                used += effort[i]
        weeks = float(effort[taken].sum())
        # What the weights are doing even when the picks do not move: the first project left
        # out, and how far its score is from the weakest pick.
        left_out = [i for i in order if not taken[i]]
        weakest = float(scores[taken].min()) if taken.any() else 0.0
        next_in_line = (str(self._ids[left_out[0]]), float(scores[left_out[0]])) if left_out else None
        return {"picked": self._ids[taken][np.argsort(-scores[taken], kind="stable")].tolist(), "projects": int(taken.sum()),
                "next_in_line": next_in_line, "weakest_pick_score": weakest,
                "weeks": weeks, "value": float(self._value.to_numpy()[taken].sum()),
                "okr_share": float(effort[taken & aligned_].sum()) / weeks if weeks else 0.0,
                "bug_tickets": int((taken & self._bug).sum())}

    def draw(self, state: dict[str, Any]) -> None:
        taken = np.isin(self._ids, state["picked"])
        points = np.column_stack([self._effort.to_numpy()[taken], np.log10(self._value.to_numpy()[taken])])
        self._picked.set_offsets(points)
        self.figure.ax.set_title(
            f"{state['projects']} projects, {state['weeks']:g} weeks: value {state['value']:,.0f}\n"
            f"{state['okr_share']:.0%} of the weeks on OKR work, {state['bug_tickets']} bug tickets"
            + (f"\nfirst left out: {state['next_in_line'][0]} (score {state['next_in_line'][1]:,.0f}; "
               f"the weakest pick scores {state['weakest_pick_score']:,.0f})" if state["next_in_line"] else ""))
        self.figure.render()


class PromotionLab(App):
    """How strongly strength drives OKR assignment, and the true effect of OKR work, in; the
    naive and the like-for-like comparison out."""

    title = "Can you make “promoted 30% faster” appear with no causal effect at all?"

    def __init__(self) -> None:
        self.figure = FigureView(width=8.4, height=3.4, axes=2, margins={"top": 0.9, "bottom": 0.14, "left": 0.08, "right": 0.98, "wspace": 0.28})
        left, right = self.figure.axes
        levels = np.arange(1, 6)
        self._share = left.bar(levels, np.zeros(5), color=plotting.HIGHLIGHT)
        left.set_ylim(0, 1)
        left.set_xticks(levels)
        plotting.finish(left, "…", "engineer strength (level)", "share on OKR projects")
        left.set_title("Who is given OKR work", fontsize=10, loc="center")
        self._okr = right.bar(levels - 0.2, np.zeros(5), width=0.4, color=plotting.GOOD, label="on OKR work")
        self._other = right.bar(levels + 0.2, np.zeros(5), width=0.4, color=plotting.NEUTRAL, hatch="//", label="not on OKR work")
        right.set_ylim(0, 75)
        right.set_xticks(levels)
        right.legend(loc="upper right", fontsize=8)
        right.set_title("Compare bars within a level, not across", fontsize=10, loc="center")
        right.set_xlabel("engineer strength (level)")
        right.set_ylabel("mean months to promotion")
        self.figure.title_as_caption(left)
        self.figure.animate(*self._share, *self._okr, *self._other)
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "selection": slider("how strongly strength drives OKR assignment", COMPANY["selection"], 0.0, 3.0, 0.1),
            "effect": slider("true effect of OKR work (time saved)", 0.0, 0.0, 0.5, 0.05, readout_format=".0%"),
        }

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget])

    def compute(self, selection: float, effect: float) -> dict[str, Any]:
        strength, okr, months = _simulate_arrays(COMPANY["n"], selection, effect, COMPANY["seed"])
        stats = level_stats(strength, okr, months)
        if okr.all() or not okr.any():
            raise ValueError("everyone (or no one) is on OKR work, so there is nothing to compare")
        naive = gap_pct(months[okr].mean(), months[~okr].mean())
        return {"naive": naive, "stratified": weighted_gap(stats), "effect": 100 * effect, "stats": stats,
                "comparable_levels": int(np.isfinite(stats["gap_pct"]).sum())}

    def draw(self, state: dict[str, Any]) -> None:
        stats = state["stats"]
        for bars, column in ((self._share, "okr_share"), (self._okr, "okr_months"), (self._other, "other_months")):
            for bar, height in zip(bars, np.nan_to_num(stats[column]), strict=True):
                bar.set_height(height)
        note = "" if state["comparable_levels"] == 5 else f" ({state['comparable_levels']} of 5 levels comparable)"
        self.figure.ax.set_title(
            f"Naive: OKR engineers promoted {state['naive']:.0f}% faster\n"
            f"Like for like: {state['stratified']:.0f}%{note}; true effect {state['effect']:.0f}%")
        self.figure.render()


APPS = {"portfolio": PortfolioExplorer, "promotion-lab": PromotionLab}
