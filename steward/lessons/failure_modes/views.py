"""failure_modes · the widgets, thin views over ``model``."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from steward import plotting
from steward.datagen import load
from steward.widgets import App, FigureView, w

if TYPE_CHECKING:
    from matplotlib.axes import Axes
from steward.lessons.failure_modes.model import (
    BUSINESS_HOURS,
    DAY,
    HOLIDAY_NIGHT,
    TIMES,
    _lens_inputs,
    _score,
    _spread,
    conditions,
    lens_title,
    ranked,
    risk_matrix_title,
    risk_zone,
)


def risk_matrix(table: pd.DataFrame | None = None, ax: Axes | None = None, top: int = 5) -> Axes:
    """Likelihood (occurrence) × impact (severity), one marker per failure mode, shaped by
    how it is detected; the ``top`` modes by RPN are labelled with their rank and name."""
    frame = ranked(table)
    if "channel" not in frame.columns:
        frame["channel"] = "page"
    if ax is None:
        fig, ax = plotting.new_figure(8.2, 5.6)
    level = {"low": 0, "medium": 1, "high": 2}
    zones = np.array([[level[risk_zone(s, o)] for o in range(1, 11)] for s in range(1, 11)])
    from matplotlib.colors import ListedColormap

    ax.imshow(zones, origin="lower", extent=(0.5, 10.5, 0.5, 10.5), aspect="auto", alpha=0.18,
              cmap=ListedColormap(["#FFFFFF", plotting.PALETTE["yellow"], plotting.PALETTE["vermillion"]]), vmin=0, vmax=2)
    spread = _spread(frame)
    markers = {"page": ("o", plotting.PALETTE["blue"]), "ticket": ("s", plotting.PALETTE["orange"]),
               "human": ("^", plotting.PALETTE["vermillion"])}
    for channel, (marker, colour) in markers.items():
        part = spread[spread.channel == channel]
        if not part.empty:
            ax.scatter(part.x, part.y, marker=marker, s=70, color=colour, edgecolor="black", linewidth=0.6,
                       label=f"detected by {channel}", zorder=3)
    for mode_id, row in spread.head(top).iterrows():
        name = str(row.get("failure_mode", mode_id))
        ax.annotate(f"#{int(row['rank'])} {name}", (row.x, row.y), xytext=(6, 5), textcoords="offset points",
                    fontsize=8, zorder=4, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    ax.set_xlim(0.5, 10.5)
    ax.set_ylim(0.5, 10.5)
    ax.set_xticks(range(1, 11))
    ax.set_yticks(range(1, 11))
    ax.legend(loc="lower left", fontsize=8)
    plotting.finish(ax, risk_matrix_title(frame, top), "likelihood: occurrence score (1–10)", "impact: severity score (1–10)")
    return ax


class ThreeAMLens(App):
    """Pick the hour and the staffing; the FMEA re-scores itself.

    One row per failure mode, in business-hours order (drawn once). Left: bars are the RPN
    under the lens, black ticks the business-hours RPN. Right: each mode's rank, a hollow
    circle by day and a filled dot under the lens, joined by a line, so a long line is a
    mode that moved. Only the bars and three line artists are redrawn on a change (no
    text: the title is the caption above the chart), which keeps a change inside the
    50 ms budget."""

    title = "The 3 AM lens: the same failures, at a different hour"
    COLOURS = {"page": plotting.PALETTE["blue"], "ticket": plotting.PALETTE["orange"], "human": plotting.PALETTE["vermillion"]}

    def __init__(self, table: pd.DataFrame | None = None) -> None:
        self.table = _lens_inputs(load("failure_modes") if table is None else table)
        self.day = _score(self.table, DAY)
        rows = list(self.day.index)
        n = len(rows)
        self._row = {mode: i for i, mode in enumerate(rows)}
        self.figure = FigureView(width=8.6, height=5.2, axes=2,
                                 margins={"left": 0.43, "right": 0.97, "top": 0.92, "bottom": 0.1, "wspace": 0.08})
        ax, rank_ax = self.figure.axes
        ax.set_position((0.43, 0.1, 0.37, 0.82))
        rank_ax.set_position((0.82, 0.1, 0.16, 0.82))
        worst = _score(self.table, conditions(HOLIDAY_NIGHT, responders=1, ack_minutes=60)).rpn.max()
        ax.set_xlim(0, max(worst, self.day.rpn.max()) * 1.05)
        for a in (ax, rank_ax):
            a.set_ylim(n - 0.5, -0.5)
            a.grid(axis="y", visible=False)
        ax.set_yticks(range(n))
        ax.set_yticklabels([f"{m} {self.day.at[m, 'failure_mode']} · {self.day.at[m, 'channel']}" for m in rows], fontsize=7.5)
        (self._day_ticks,) = ax.plot(self.day.rpn.to_numpy(), range(n), marker="|", markersize=10, mew=2.2,
                                     color="black", linestyle="none", label="business-hours RPN", zorder=4)
        for channel, colour in self.COLOURS.items():
            ax.barh([0], [0], color=colour, label=f"lens RPN ({channel})")
        self.figure.fig.legend(loc="upper left", bbox_to_anchor=(0.0, 1.0), ncol=4, fontsize=7.5, frameon=False)
        plotting.finish(ax, "…", "RPN under the lens (S × O × E)", "failure mode, in business-hours order")
        rank_ax.set_xlim(0, n + 1)
        rank_ax.set_yticks([])
        rank_ax.spines["left"].set_visible(False)
        rank_ax.set_xticks([1, 5, 10, 15, 20])
        rank_ax.set_xlabel("rank (1 = top risk)")
        rank_ax.plot(np.arange(1, n + 1), range(n), marker="o", markersize=5, mfc="white", mec="black", linestyle="none")
        self._bars = plotting.mcollections.LineCollection([], linewidths=9, capstyle="butt", zorder=3)
        ax.add_collection(self._bars)
        self._moves = plotting.mcollections.LineCollection([], colors="black", linewidths=1.2, zorder=3)
        rank_ax.add_collection(self._moves)
        (self._lens_rank,) = rank_ax.plot([], [], marker="o", markersize=5, color=plotting.PALETTE["blue"], linestyle="none", zorder=4)
        (self._top3,) = rank_ax.plot([], [], marker="*", markersize=11, color=plotting.PALETTE["vermillion"],
                                     mec="black", mew=0.5, linestyle="none", zorder=5)
        self.figure.title_as_caption(ax)
        self.figure.animate(self._bars, self._day_ticks, self._moves, self._lens_rank, self._top3)
        self.summary = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "when": w.Dropdown(options=list(TIMES), value=BUSINESS_HOURS, description="When",
                               style={"description_width": "initial"}),
            "responders": w.IntSlider(value=DAY.responders, min=1, max=6, description="Responders on hand",
                                      continuous_update=False, style={"description_width": "initial"}),
            "ack_minutes": w.IntSlider(value=int(DAY.ack_minutes), min=1, max=60, description="Minutes to acknowledge a page",
                                       continuous_update=False, style={"description_width": "initial"},
                                       layout=w.Layout(width="420px")),
        }

    def layout(self) -> w.Widget:
        return w.VBox([w.HBox([self.inputs["when"], self.inputs["responders"]]), self.inputs["ack_minutes"],
                       self.figure.widget, self.summary])

    def compute(self, when: str, responders: int, ack_minutes: float) -> dict:
        chosen = conditions(when, responders, ack_minutes)
        result = _score(self.table, chosen)
        result["rank_day"] = self.day["rank"].reindex(result.index).to_numpy()
        result["moved"] = result["rank_day"] - result["rank"]
        day_minutes = self.day.impact_min_per_year.sum()
        return {
            "conditions": chosen,
            "table": result,
            "top": result.index[0],
            "top3": list(result.index[:3]),
            "top_day": self.day.index[0],
            "impact_ratio": float(result.impact_min_per_year.sum() / day_minutes),
            "moved": int((result.moved.abs() >= 3).sum()),
            "title": lens_title(result, chosen),
        }

    def draw(self, state: dict) -> None:
        result: pd.DataFrame = state["table"]
        rows = np.array([self._row[m] for m in result.index])
        ranks = result["rank"].to_numpy()
        self._bars.set_segments([((0, y), (x, y)) for x, y in zip(result.rpn.to_numpy(), rows, strict=True)])
        self._bars.set_color([self.COLOURS.get(c, plotting.NEUTRAL) for c in result.channel.to_numpy()])
        day_ranks = result.rank_day.to_numpy()
        self._moves.set_segments([((d, y), (r, y)) for d, r, y in zip(day_ranks, ranks, rows, strict=True)])
        self._lens_rank.set_data(ranks, rows)
        self._top3.set_data(ranks[:3], rows[:3])
        self.figure.ax.set_title(state["title"], fontsize=9, loc="left")
        # the bars are line segments, which the generic description cannot read: name the order
        top = result.head(5)
        self.figure.alt_details = lambda: "Top five under the lens: " + "; ".join(
            f"{mode} {row.failure_mode} (RPN {row.rpn:,.0f}, rank by day {row.rank_day:.0f})"
            for mode, row in top.iterrows()) + "."
        self.figure.render()
        top = result.iloc[0]
        self.summary.value = (
            f"<small>Top risk: <b>{html.escape(str(result.index[0]))} {html.escape(str(top.failure_mode))}</b> "
            f"(detect {top.detect_min:,.0f} min + respond {top.respond_min:,.0f} min + repair {top.repair_min:,.0f} min; "
            f"detection D {top.detection:.1f}, engage score E {top.engage_score:.1f}). "
            f"Expected minutes of impact per year: <b>{state['impact_ratio']:.1f}×</b> business hours. "
            "Right panel: ○ rank by day, ● rank under the lens, ★ the lens's top three.</small>")


#: Every widget of the lesson, by name: the benchmark and the robustness tests drive each
#: control of each through its whole range.
APPS = {"three-am-lens": ThreeAMLens}
