"""Module 09's widget: the cache-TTL explorer."""

from __future__ import annotations

from typing import Any

import numpy as np

from steward import cartwheel, plotting
from steward.lessons.visibility.model import (
    POLICIES,
    SLO_MS,
    TTL_MAX_S,
    TTL_TODAY_S,
    _curves,
    ttl_state,
)
from steward.widgets import App, FigureView, dropdown, int_slider, w

#: The p99 axis stops here; a curve above it is drawn at the edge.
P99_AXIS_MS = 320.0


class CacheTTLExplorer(App):
    """TTL and the inventory client's policy → share of fresh answers, the inventory service's
    load, and the call's p99 over the week and over the incident. All curves are computed once;
    a slider change moves markers and text only."""

    title = "Cache-TTL explorer: freshness, the inventory service's load, and the call's p99"

    def __init__(self) -> None:
        self.curves = _curves()
        ttls = self.curves.ttls
        cache = self.curves.cache
        self.figure = FigureView(width=7.6, height=3.0, axes=2,
                                 margins={"left": 0.08, "right": 0.98, "top": 0.97, "bottom": 0.16, "wspace": 0.3})
        left, right = self.figure.axes
        left.plot(ttls, 100 * cache["fresh_share"], color=plotting.GOOD, label="answers fresh")
        left.plot(ttls, 100 * cache["inventory_lookups_per_s"] / cache["inventory_lookups_per_s"].iloc[0],
                  color=plotting.NEUTRAL, linestyle="--", label="inventory load, % of no cache")
        left.set_xlim(0, TTL_MAX_S)
        left.set_ylim(0, 101)
        left.set_xlabel("TTL (s)")
        left.set_ylabel("%")
        left.legend(loc="center right", fontsize=8)
        (self._fresh_dot,) = left.plot([0], [100], "o", color=plotting.GOOD)
        (self._best_left,) = left.plot([0, 0], [0, 101], color=plotting.HIGHLIGHT, linestyle=":")
        (self._week,) = right.plot(ttls, np.zeros_like(ttls, dtype=float), color=plotting.NEUTRAL, label="week")
        (self._incident,) = right.plot(ttls, np.zeros_like(ttls, dtype=float), color=plotting.BAD,
                                       label="incident's 75 min")
        right.axhline(SLO_MS, color=plotting.NEUTRAL, linestyle="--", linewidth=1)
        right.text(TTL_MAX_S, SLO_MS, f"{SLO_MS:.0f} ms ", ha="right", va="bottom", fontsize=8)
        right.set_xlim(0, TTL_MAX_S)
        right.set_ylim(0, P99_AXIS_MS)
        right.set_xlabel("TTL (s)")
        right.set_ylabel("p99 of the call (ms)")
        right.legend(loc="upper right", fontsize=8)
        (self._p99_dot,) = right.plot([0], [0], "o", color=plotting.BAD)
        (self._best_right,) = right.plot([0, 0], [0, P99_AXIS_MS], color=plotting.HIGHLIGHT, linestyle=":")
        left.set_title("…", fontsize=10)
        self._title = plotting.title_artist(left)
        self._title.set_parse_math(False)
        self.figure.animate(self._fresh_dot, self._best_left, self._week, self._incident, self._p99_dot,
                            self._best_right)
        self.figure.title_as_caption(left)
        self.readout = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "ttl_s": int_slider("TTL (s)", TTL_TODAY_S, 0, TTL_MAX_S, 1),
            "policy": dropdown("inventory client", [
                (f"today: {POLICIES['today']} attempts × {cartwheel.INVENTORY.timeout_ms:.0f} ms", "today"),
                (f"one attempt of {cartwheel.INVENTORY.timeout_ms:.0f} ms (or stale on error)", "one attempt"),
            ], "today"),
        }

    def layout(self) -> w.Widget:
        return w.VBox([w.HBox(list(self.inputs.values())), self.figure.widget, self.readout])

    def compute(self, ttl_s: int, policy: str) -> dict[str, Any]:
        return ttl_state(ttl_s, policy, self.curves)

    def draw(self, state: dict[str, Any]) -> None:
        ttl = state["ttl_s"]
        edge = P99_AXIS_MS - 1
        self._fresh_dot.set_data([ttl], [100 * state["fresh_share"]])
        self._week.set_ydata(np.minimum(state["p99_curve"], edge))
        self._incident.set_ydata(np.minimum(state["incident_curve"], edge))
        self._p99_dot.set_data([ttl], [min(state["incident_p99_ms"], edge)])
        best = state["best_ttl_s"]
        for line in (self._best_left, self._best_right):
            line.set_visible(best is not None)
            if best is not None:
                line.set_xdata([best, best])
        self._title.set_text(state["title"])
        self.figure.render()
        self.readout.value = (
            f"{state['best_text']}<br><small>At {ttl} s: {state['hit_ratio']:.1%} of calls served from Redis · "
            f"{state['fresh_share']:.1%} of stock answers fresh (unchanged since cached) · inventory service "
            f"{state['load']:,.0f} stock lookups/s · call p99 {state['p99_ms']:.1f} ms over the week "
            f"({'inside' if state['meets_slo'] else 'outside'} the SLO), {state['incident_p99_ms']:.0f} ms over the "
            f"incident</small>")


#: Every widget of the lesson, by name: the robustness tests drive every control of each.
APPS = {"cache-ttl": CacheTTLExplorer}
