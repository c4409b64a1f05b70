"""Module 07's views: the chart whose title states the conclusion, and the impact-range explorer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from steward import cartwheel, checks, plotting
from steward.datagen import load
from steward.lessons.influence.model import (
    CONFIDENCE,
    ImpactFacts,
    abandonment_test,
    arm_counts,
    average_order_value,
    cart_abandonment,
    check_statement,
    monthly_sessions,
    revenue_per_month,
    revenue_range,
    z_quantile,
)
from steward.widgets import App, FigureView, dropdown, int_slider, slider, w

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


# -- a chart whose title states the conclusion -------------------------------------------------
def chart_title(answer: Any) -> str | None:
    """The title a reader sees first: the figure's suptitle, else the first Axes title."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(answer, tuple | list) and answer and all(isinstance(a, Figure | Axes) for a in answer):
        answer = answer[0]
    if isinstance(answer, Axes):
        fig, axes = answer.figure, [answer]
    elif isinstance(answer, Figure):
        fig, axes = answer, list(answer.axes)
    else:
        return None
    suptitle = getattr(fig, "_suptitle", None)
    titles = ([suptitle.get_text()] if suptitle is not None else []) + [plotting.title_of(ax) for ax in axes]
    return next((t for t in titles if t and t.strip()), "")


def _chart_compare(answer: Any, expected: ImpactFacts) -> checks.Verdict:
    from matplotlib.axes import Axes

    title = chart_title(answer)
    if title is None:
        if getattr(answer, "__name__", "") == "matplotlib.pyplot":
            return checks.not_yet("That is pyplot itself. Pass the Axes you drew on (`fig, ax = plt.subplots()`, "
                                  "then `ax`), or `plt.gca()`.")
        if type(answer).__name__ in {"BarContainer", "Line2D", "PathCollection", "Text"} or (
                isinstance(answer, list) and answer and type(answer[0]).__name__ == "Line2D"):
            return checks.not_yet("That is what the plotting call returned (the bars or lines), not the chart. "
                                  "Pass the Axes they are drawn on: `ax`, or `plt.gca()`.")
        return checks.not_yet(f"Expected a matplotlib Axes or Figure; got {checks.describe(answer)}.")
    if not title:
        return checks.not_yet("The chart has no title. What is the one thing a reader should take from it?")
    axes = [answer] if isinstance(answer, Axes) else [a for a in getattr(answer, "axes", []) if isinstance(a, Axes)]
    if isinstance(answer, tuple | list):
        axes = [a for a in answer if isinstance(a, Axes)] or list(getattr(answer[0], "axes", []))
    if not any(ax.get_ylabel().strip() or ax.get_xlabel().strip() for ax in axes):
        return checks.not_yet("Label the axes, with units: a reader needs to know what the bars measure.")
    report = check_statement(title, expected)
    bad = [m for code, m in report.issues if code in {"relative-as-pp", "pp-as-percent", "unsupported"}]
    if bad:
        return checks.not_yet(" ".join(bad))
    key = ("absolute change", "relative change", "CI bound", "CI bound (other)", "baseline rate", "treatment rate",
           "revenue (low)", "revenue (high)")
    if not any(name.split(" (")[0] in key or name in key for _, names in report.numbers for name in names.split(", ")):
        return checks.not_yet(f"The title {title!r} names the topic, not the conclusion: it carries no number from the result.")
    return checks.OK


def conclusion_chart(ax: Axes, sessions: pd.DataFrame | None = None) -> Axes:
    """Cart abandonment per arm with 95% CIs; the title states the result with its number."""
    sessions = load("ab_sessions") if sessions is None else sessions
    counts = arm_counts(sessions)
    test = abandonment_test(sessions)
    rates = counts["abandoned"] / counts["carts"]
    half = z_quantile(CONFIDENCE) * np.sqrt(rates * (1 - rates) / counts["carts"])
    colours = [plotting.NEUTRAL, plotting.GOOD]
    ax.bar(rates.index, 100 * rates, yerr=100 * half, color=colours, capsize=6)
    for i, rate in enumerate(rates):
        ax.annotate(f"{100 * rate:.1f}%", (i, 100 * rate), xytext=(12, 4), textcoords="offset points")
    low, high = test.ci_pp
    plotting.finish(
        ax,
        f"Real-time checks cut cart abandonment by {abs(100 * test.diff):.1f} pp\n"
        f"(95% CI {abs(high):.1f}–{abs(low):.1f} pp, {test.p1:.1%} → {test.p2:.1%} of carts)",
        "arm", "cart abandonment (% of carts)",
    )
    ax.set_ylim(0, 100)
    return ax


def _chart_figure(title: str) -> Figure:
    """A chart of the per-arm rates with a given title (for the contract's wrong answers)."""
    fig, ax = plotting.new_figure(6, 3.5)
    rates = cart_abandonment(load("ab_sessions"))
    ax.bar(rates.index, 100 * rates)
    plotting.finish(ax, title, "arm", "cart abandonment (% of carts)")
    return fig


def _reference_chart() -> Figure:
    fig, ax = plotting.new_figure(6, 3.5)
    conclusion_chart(ax)
    return fig


# -- the widget: how wide is the money? -------------------------------------------------------------
@dataclass(frozen=True)
class ImpactView:
    """What the explorer shows: the CI of the change (pp) and the revenue range it implies (USD a month)."""

    point_pp: float
    ci_low_pp: float
    ci_high_pp: float
    revenue_low: float
    revenue_high: float
    revenue_point: float
    crosses_zero: bool
    title: str
    test_scale: float = 1.0

    def readout(self) -> str:
        return (f"change {self.point_pp:+.2f} pp (CI {self.ci_low_pp:+.2f} to {self.ci_high_pp:+.2f}) · point estimate "
                f"{_signed_money(self.revenue_point)} a month · a test ×{self.test_scale:g} the size of ours")


def impact_view(counts: pd.DataFrame, sessions_per_month: float, aov: float, confidence: float,
                test_scale: float) -> ImpactView:
    """The revenue range for a test ``test_scale`` times as large (same observed rates).

    More data narrows the CI as 1/√n; the point estimate does not move. The range is what
    a decision can rely on; when it crosses zero, the honest statement is "we don't know yet".
    """
    if not test_scale > 0:
        raise ValueError(f"the test size multiplier must be positive; got {test_scale}")
    c, t = counts.loc["control"], counts.loc["treatment"]
    p1, p2 = c.abandoned / c.carts, t.abandoned / t.carts
    n1, n2 = c.carts * test_scale, t.carts * test_scale
    half = z_quantile(confidence) * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    diff = p2 - p1
    share = counts["carts"].sum() / counts["sessions"].sum()
    low, high = revenue_range(sessions_per_month, share, (diff - half, diff + half), aov)
    point = revenue_per_month(sessions_per_month, share, -diff, aov)
    crosses = low < 0 < high
    level = f"{confidence:.0%}"
    if crosses:
        title = f"{level} CI crosses zero: {_signed_money(low)} to {_signed_money(high)} a month, not yet a result"
    else:
        title = f"At {level} confidence: {_signed_money(low)} to {_signed_money(high)} a month"
    return ImpactView(100 * diff, 100 * (diff - half), 100 * (diff + half), low, high, point, crosses, title, test_scale)


def _signed_money(value: float) -> str:
    """A signed amount in the canon's currency and format: −$12M, +$320M."""
    return ("−" if value < 0 else "+") + cartwheel.money(abs(float(value)))


class ImpactRange(App):
    """Sessions a month, order value, confidence level and test size → the revenue range.

    The chart shows the CI of the change in abandonment on a fixed axis (so redraws blit),
    and the title carries the money.
    """

    title = "Impact range explorer: how much is the change worth, and how sure are we?"

    def __init__(self, sessions: pd.DataFrame | None = None) -> None:
        sessions = load("ab_sessions") if sessions is None else sessions
        self.counts = arm_counts(sessions)
        self.aov = average_order_value(sessions)
        self.figure = FigureView(width=7.5, height=2.4, margins={"top": 0.97, "bottom": 0.2, "left": 0.03, "right": 0.97})
        ax = self.figure.ax
        ax.axvline(0, color=plotting.NEUTRAL, linewidth=1)
        # fixed, so redraws blit: wide enough for the widest interval the controls allow (99%, a quarter-size test)
        widest = impact_view(self.counts, monthly_sessions(), self.aov, 0.99, 0.25)
        ax.set_xlim(min(widest.ci_low_pp, 0.0) - 1.0, max(widest.ci_high_pp, 0.0) + 1.0)
        ax.set_ylim(-1, 1)
        ax.set_yticks([])
        ax.set_xlabel("change in cart abandonment, treatment − control (pp)")
        ax.set_title("At 95% confidence: …", fontsize=10)
        self.readout = w.HTML()
        self._title = plotting.title_artist(ax)
        self._title.set_parse_math(False)  # "$" is money here, not mathtext (which is also 10× slower)
        (self._range,) = ax.plot([0, 0], [0, 0], color=plotting.GOOD, linewidth=8, solid_capstyle="butt")
        (self._point,) = ax.plot([0], [0], "o", color=plotting.PALETTE["black"], markersize=8)
        ax.annotate("← fewer carts abandoned", (0.01, 0.06), xycoords="axes fraction", fontsize=8, color=plotting.MUTED_TEXT)
        ax.annotate("more abandoned →", (0.99, 0.06), xycoords="axes fraction", ha="right", fontsize=8, color=plotting.MUTED_TEXT)
        self.figure.animate(self._range, self._point)
        self.figure.title_as_caption(ax)
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        # The test's size and the confidence first: they move the interval (the lesson's point); the
        # traffic and the order value only scale the money (one step of a million sessions moves it 0.1%).
        return {
            "test_scale": slider("test size × (same rates)", 1.0, 0.25, 4.0, 0.25),
            "confidence": dropdown("confidence", [("80%", 0.80), ("90%", 0.90), ("95%", 0.95), ("99%", 0.99)], 0.95),
            "sessions_millions": int_slider("sessions a month (millions)", round(monthly_sessions() / 1e6), 50, 2_000, 1),
            "aov": slider(f"average order value ({cartwheel.CURRENCY})", round(self.aov, 2), 10, 300, 1),
        }

    def layout(self) -> w.Widget:
        return w.VBox([w.HBox(list(self.inputs.values())[:2]), w.HBox(list(self.inputs.values())[2:]),
                       self.figure.widget, self.readout])

    def compute(self, sessions_millions: int, aov: float, confidence: float, test_scale: float) -> ImpactView:
        return impact_view(self.counts, 1e6 * sessions_millions, aov, confidence, test_scale)

    def draw(self, state: ImpactView) -> None:
        self._range.set_data([state.ci_low_pp, state.ci_high_pp], [0, 0])
        self._range.set_color(plotting.BAD if state.crosses_zero else plotting.GOOD)
        self._point.set_data([state.point_pp], [0])
        self._title.set_text(state.title)
        self.readout.value = f"<small>{state.readout()}</small>"
        self.figure.render()


#: Every widget of the lesson, by name (the benchmark and robustness tests drive each control).
APPS = {"impact-range": ImpactRange}
