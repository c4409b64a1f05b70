"""Module 11 (the seniority paradox) · the widgets, thin views over ``model``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from steward import plotting
from steward.lessons.seniority.exercise import (
    DESIGN_DOC_LIMITS,
    Finding,
    lint_design_doc,
    things_missing,
)
from steward.lessons.seniority.model import (
    MULT_HIGH,
    MULT_LOW,
    REVIEW,
    _symlog,
    break_even_multiplier,
    delay_hours_per_day,
    expected_net_hours,
    savings_range,
    verdict,
)

# re-exported for the lesson: the self-assessment radar again, beside module 00's
from steward.lessons.start_here import SHIFTS as SHIFTS
from steward.lessons.start_here import SelfAssessment as SelfAssessment
from steward.lessons.start_here import draw_radar as draw_radar
from steward.widgets import App, FigureView, int_slider, slider, w


class ReviewReturn(App):
    """Review hours, the probability of a flaw, the share the review catches, the fix cost and
    a multiplier range in; expected net hours as a range and the break-even out."""

    title = "Does a design review pay for itself? It depends on a contested number"

    M_MAX = 1000.0

    def __init__(self) -> None:
        self.figure = FigureView(width=7.6, height=3.8, margins={"top": 0.97, "bottom": 0.15, "left": 0.12, "right": 0.97})
        ax = self.figure.ax
        self._x = np.linspace(0, math.log10(self.M_MAX), 200)  # log10 of the multiplier
        ax.axhline(0, color=plotting.NEUTRAL, lw=1)
        self._bottom = 0.0
        self._set_floor(-100.0)
        ax.set_xticks([0, 1, 2, 3], ["1×", "10×", "100×", "1000×"])
        ax.set_xlim(0, math.log10(self.M_MAX))
        self._band = ax.axvspan(0, 2, color=plotting.HIGHLIGHT, alpha=0.25, lw=0, label="your multiplier range")
        (self._curve,) = ax.plot(self._x, np.zeros_like(self._x), color=plotting.GOOD, lw=2, label="expected net hours saved")
        self._even = ax.axvline(1, color=plotting.BAD, ls="--", lw=1.5, label="break-even")
        (self._ends,) = ax.plot([0, 2], [0, 0], "o", color=plotting.BAD, ms=7)
        ax.legend(loc="upper left", fontsize=8)
        plotting.finish(ax, "…", "how much more a flaw costs when found late (multiplier, log scale)",
                        "expected net hours saved (symlog)")
        self.figure.title_as_caption(ax)
        self.figure.animate(self._band, self._curve, self._even, self._ends)
        super().__init__()

    def _set_floor(self, lowest: float) -> bool:
        """Put the y axis's floor a power of ten below ``lowest`` (hours), so a long wait's cost of
        delay stays on the chart; True if the floor moved (the static part must be redrawn)."""
        bottom = -(10.0 ** max(2, math.ceil(math.log10(max(1.0, -lowest) * 1.5))))
        if bottom == self._bottom:
            return False
        self._bottom = bottom
        top = 4
        step = 1 if -bottom <= 1e4 else 2
        ticks = [-(10 ** k) for k in range(int(math.log10(-bottom)), 0, -step)] + [0] + [10 ** k for k in range(1, top + 1, step)]
        ax = self.figure.ax
        ax.set_yticks(_symlog(np.array(ticks, dtype=float)), [f"{t:+,}" if t else "0" for t in ticks])
        ax.set_ylim(_symlog(bottom), _symlog(40_000))
        return True

    def controls(self) -> dict[str, w.Widget]:
        log = {"min": 0, "max": 3, "base": 10, "continuous_update": False, "style": {"description_width": "initial"},
               "layout": w.Layout(width="420px"), "readout_format": ".3g"}
        return {
            "review_hours": int_slider("review cost (person-hours)", int(REVIEW["review_hours"]), 0, 40),
            "p_flaw": slider("probability the design has a flaw", REVIEW["p_flaw"], 0.0, 1.0, 0.05),
            "catch_share": slider("share of flaws the review catches", REVIEW["catch_share"], 0.0, 1.0, 0.05),
            "fix_hours": int_slider("fix cost at design time (hours)", int(REVIEW["fix_hours"]), 1, 40),
            "mult_low": w.FloatLogSlider(value=MULT_LOW, step=0.1, description="multiplier, low end", **log),
            "mult_high": w.FloatLogSlider(value=MULT_HIGH, step=0.1, description="multiplier, high end", **log),
            "delay_days": slider("days the launch waits for the review", 0.0, 0.0, 10.0, 0.5),
        }

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget])

    def compute(self, review_hours: float, p_flaw: float, catch_share: float, fix_hours: float,
                mult_low: float, mult_high: float, delay_days: float = 0.0) -> dict[str, Any]:
        swapped = mult_low > mult_high
        low, high = (mult_high, mult_low) if swapped else (mult_low, mult_high)
        low, high = max(1.0, float(low)), max(1.0, float(high))
        if not hasattr(self, "_per_day"):
            self._per_day = delay_hours_per_day()  # module 07's revenue, once
        delay = float(delay_days) * self._per_day
        curve = expected_net_hours(review_hours, p_flaw, catch_share, fix_hours, 10 ** self._x, delay)
        ends = savings_range(review_hours, p_flaw, catch_share, fix_hours, low, high, delay)
        return {"low": low, "high": high, "swapped": swapped, "curve": curve, "low_net": float(ends["low"]),
                "high_net": float(ends["high"]), "delay_days": float(delay_days), "delay_hours": delay,
                "break_even": break_even_multiplier(review_hours, p_flaw, catch_share, fix_hours, delay),
                "verdict": verdict(float(ends["low"]), float(ends["high"]))}

    def draw(self, state: dict[str, Any]) -> None:
        if self._set_floor(min(float(np.min(state["curve"])), state["low_net"], -100.0)):
            self.figure.invalidate(key=self._bottom)  # the floor takes a few levels: each is drawn once
        lo, hi = math.log10(state["low"]), math.log10(state["high"])
        self._band.set_x(lo)
        self._band.set_width(max(hi - lo, 0.005))
        self._curve.set_ydata(_symlog(state["curve"]))
        even = state["break_even"]
        self._even.set_visible(math.isfinite(even) and even <= self.M_MAX)
        if math.isfinite(even):
            self._even.set_xdata([math.log10(min(even, self.M_MAX))] * 2)
        self._ends.set_data([lo, hi], _symlog([state["low_net"], state["high_net"]]))
        where = f"break-even at {even:.3g}×" if math.isfinite(even) else "no break-even (the review can catch nothing)"
        swapped = " (low and high swapped)" if state["swapped"] else ""
        waits = (f"; the launch waits {state['delay_days']:g} d ({state['delay_hours']:,.0f} h of cost of delay)"
                 if state.get("delay_days") else "")
        self.figure.ax.set_title(
            f"Review {state['verdict']}: {where}{waits}\n"
            f"range {state['low']:.3g}–{state['high']:.3g}×{swapped}: {state['low_net']:+,.0f} to {state['high_net']:+,.0f} hours")
        self.figure.render()


class DocLinter(App):
    """Type or paste a design doc; the findings update as you go."""

    title = "Design-doc linter"

    def controls(self) -> dict[str, w.Widget]:
        return {"text": w.Textarea(value="", placeholder="Paste your design doc (Markdown) here",
                                   layout=w.Layout(width="100%", height="240px"), continuous_update=False)}

    def layout(self) -> w.Widget:
        self.output = w.HTML()
        return w.VBox([self.inputs["text"], self.output])

    def compute(self, text: str) -> list[Finding]:
        return lint_design_doc(text)

    def draw(self, state: list[Finding]) -> None:
        import html

        if not state:
            self.output.value = f"<b>✔ Nothing missing.</b> {html.escape(DESIGN_DOC_LIMITS)}"
            return
        items = "".join(f"<li><b>{html.escape(f.check)}</b>: missing {html.escape(f.missing)}.<br><i>{html.escape(f.question)}</i></li>"
                        for f in state)
        self.output.value = f"<b>{things_missing(len(state))}</b><ul>{items}</ul><i>{html.escape(DESIGN_DOC_LIMITS)}</i>"


APPS = {"review-return": ReviewReturn, "doc-linter": DocLinter}
