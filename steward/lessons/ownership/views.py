"""Module 08 (own the un-owned) · the widgets, thin views over ``model``."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from steward import plotting, themes
from steward.datagen import load
from steward.lessons.ownership.exercise import (
    BLAMEFUL_DRAFT,
    Finding,
    lint_blame,
)
from steward.lessons.ownership.model import (
    MODES,
    WEEKS_IN_QUARTER,
    _pages,
    pages_per_alert,
)
from steward.widgets import App, FigureView, dropdown, int_slider, w


@dataclass(frozen=True)
class PrunerView:
    """What the pruner shows: pages a week per alert, what goes, and the totals before and after."""

    alerts: list[str]
    per_week: np.ndarray
    removed_per_week: np.ndarray
    before: float
    after: float
    after_hours_before: float
    after_hours_after: float
    actionable_after_pct: float
    lost_actionable: int
    title: str


class AlertPruner(App):
    """How many noisy alerts to tune, and how → pages a week before and after.

    The bars (pages a week per alert) are static; the hatched overlay of removed pages and
    the title are the only artists that change, so a slider change only blits."""

    title = "Alert pruner: tune or delete the noisiest alerts"
    SHOWN = 11

    def __init__(self, pages: pd.DataFrame | None = None) -> None:
        self.pages = load("pages") if pages is None else _pages(pages)
        counts = pages_per_alert(self.pages)
        self.alerts = list(counts.index[: self.SHOWN])
        self.per_week = counts.to_numpy()[: self.SHOWN] / WEEKS_IN_QUARTER
        # precomputed once, so a control change is a few NumPy operations (rank 0 = noisiest alert)
        rank = {alert: i for i, alert in enumerate(counts.index)}
        self._rank = self.pages.alert.map(rank).to_numpy(dtype=int)
        self._actionable = self.pages.actionable.to_numpy(dtype=bool)
        self._after_hours = self.pages.after_hours.to_numpy(dtype=bool)
        self.figure = FigureView(width=8.0, height=3.4, margins={"top": 0.97, "bottom": 0.15, "left": 0.27, "right": 0.97})
        ax = self.figure.ax
        y = np.arange(len(self.alerts))[::-1]
        ax.barh(y, self.per_week, color=plotting.NEUTRAL, label="pages that stay")
        self._removed = ax.barh(y, np.zeros_like(self.per_week), color=plotting.HIGHLIGHT, hatch="//",
                                edgecolor="black", linewidth=0.5, label="pages removed")
        ax.set_yticks(y, self.alerts, fontsize=8)
        ax.set_xlim(0, float(self.per_week.max()) * 1.05)
        ax.legend(loc="lower right", fontsize=8)
        plotting.finish(ax, "…\n…", "pages a week", "alert")
        ax.set_ylabel("")
        self._title = plotting.title_artist(ax)
        self._title.set_fontsize(10)
        self.figure.animate(*self._removed.patches)
        self.figure.title_as_caption(ax)
        self.readout = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "top": int_slider("noisiest alerts to change", 3, 0, self.SHOWN),
            "mode": dropdown("how", [(label, key) for key, label in MODES.items()], "tune"),
        }

    def layout(self) -> w.Widget:
        return w.VBox([w.HBox(list(self.inputs.values())), self.figure.widget, self.readout])

    def compute(self, top: int, mode: str) -> PrunerView:
        if mode not in MODES:
            raise ValueError(f"mode is one of {list(MODES)}; got {mode!r}")
        actionable, after_hours = self._actionable, self._after_hours
        chosen = self._rank < int(top)
        removed = chosen if mode == "delete" else chosen & ~actionable       # as removed_mask, vectorised
        per_alert = np.bincount(self._rank[removed], minlength=len(self.per_week))
        removed_per_week = per_alert[: len(self.alerts)] / WEEKS_IN_QUARTER
        kept = ~removed
        before, after = len(kept) / WEEKS_IN_QUARTER, kept.sum() / WEEKS_IN_QUARTER
        cut = 100 * (1 - after / before) if before else 0.0
        verb = "Tuning" if mode == "tune" else "Deleting"
        title = (f"{verb} the top {top} alert{'s' if top != 1 else ''}: {before:.0f} → {after:.0f} pages a week "
                 f"(−{cut:.0f}%)") if top else f"Today: {before:.0f} pages a week"
        lost = int((removed & actionable).sum())
        title += f"\n{lost} actionable pages lost" if lost else "\nno actionable page lost"
        return PrunerView(self.alerts, self.per_week, removed_per_week, before, after,
                          after_hours.sum() / WEEKS_IN_QUARTER, (after_hours & kept).sum() / WEEKS_IN_QUARTER,
                          100 * float(actionable[kept].mean()) if kept.any() else 0.0, lost, title)

    def draw(self, state: PrunerView) -> None:
        for patch, value in zip(self._removed.patches, state.removed_per_week, strict=True):
            patch.set_width(float(value))
        self._title.set_text(state.title)
        self.readout.value = (f"<small>after hours: {state.after_hours_before:.0f} → {state.after_hours_after:.0f} "
                              f"pages a week · actionable share of what is left: {state.actionable_after_pct:.0f}%</small>")
        self.figure.render()


class BlameLinterApp(App):
    """Type or paste a draft → the blameful phrases in it, with a systemic rewording for each."""

    title = "Blame linter: does this draft indict a person or describe a system?"

    def __init__(self, draft: str = BLAMEFUL_DRAFT) -> None:
        self._draft = draft
        self.output = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {"draft": w.Textarea(value=self._draft, layout=w.Layout(width="100%", height="160px"),
                                    continuous_update=False)}

    def layout(self) -> w.Widget:
        return w.VBox([self.inputs["draft"], self.output])

    def compute(self, draft: str) -> list[Finding]:
        return lint_blame(draft)

    def draw(self, state: list[Finding]) -> None:
        if not state:
            self.output.value = f"<b style='color:{themes.GOOD}'>✔ No blameful phrasing found.</b>"
            return
        items = "".join(
            f"<li>line {f.line}: <b>{html.escape(f.phrase)}</b>: {html.escape(f.reason)} <i>Try:</i> {html.escape(f.suggestion)}</li>"
            for f in state[:50])
        more = f"<p>…and {len(state) - 50} more.</p>" if len(state) > 50 else ""
        self.output.value = f"<b style='color:{themes.BAD}'>✘ {len(state)} blameful phrase(s)</b><ul>{items}</ul>{more}"


#: Every widget of the lesson, by name.
APPS = {"alert-pruner": AlertPruner, "blame-linter": BlameLinterApp}
