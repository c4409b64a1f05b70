"""Module 09's widget: the cache-TTL explorer."""

from __future__ import annotations

from typing import Any

import numpy as np

from steward import plotting
from steward.lessons.visibility.model import (
    ITEMS_OPTIONS,
    ITEMS_PER_CALL,
    SLO_MS,
    TASK_TTL_S,
    TTL_MAX_S,
    _curves,
    ttl_state,
)
from steward.widgets import App, FigureView, dropdown, int_slider, w


class CacheTTLExplorer(App):
    """TTL and items per call → share of fresh answers and the call's p99, with the best TTL
    that keeps the p99 within 200 ms."""

    title = "Cache-TTL explorer: how fresh can the answers be within a 200 ms p99?"

    def __init__(self) -> None:
        self.curves = _curves()
        ttls = self.curves.ttls
        self.figure = FigureView(width=7.6, height=3.0, axes=2,
                                 margins={"left": 0.08, "right": 0.98, "top": 0.97, "bottom": 0.16, "wspace": 0.3})
        left, right = self.figure.axes
        left.plot(ttls, 100 * self.curves.cache["fresh_share"], color=plotting.GOOD, label="answers fresh")
        left.plot(ttls, 100 * self.curves.cache["hit_ratio"], color=plotting.NEUTRAL, linestyle="--", label="hit ratio")
        left.set_xlim(0, TTL_MAX_S)
        left.set_ylim(0, 101)
        left.set_xlabel("TTL (s)")
        left.set_ylabel("% of lookups")
        left.legend(loc="lower right", fontsize=8)
        (self._fresh_dot,) = left.plot([0], [100], "o", color=plotting.GOOD)
        (self._best_left,) = left.plot([0, 0], [0, 101], color=plotting.HIGHLIGHT, linestyle=":")
        (self._curve,) = right.plot(ttls, np.zeros_like(ttls, dtype=float), color=plotting.BAD, label="call p99")
        right.axhline(SLO_MS, color=plotting.NEUTRAL, linestyle="--", linewidth=1)
        right.text(TTL_MAX_S, SLO_MS, f"{SLO_MS:.0f} ms SLO ", ha="right", va="bottom", fontsize=8)
        right.set_xlim(0, TTL_MAX_S)
        right.set_ylim(0, 300)
        right.set_xlabel("TTL (s)")
        right.set_ylabel("p99 of the call (ms)")
        (self._p99_dot,) = right.plot([0], [0], "o", color=plotting.BAD)
        (self._best_right,) = right.plot([0, 0], [0, 300], color=plotting.HIGHLIGHT, linestyle=":")
        left.set_title("…", fontsize=10)
        self._title = plotting.title_artist(left)
        self._title.set_parse_math(False)
        self.figure.animate(self._fresh_dot, self._best_left, self._curve, self._p99_dot, self._best_right)
        self.figure.title_as_caption(left)
        self.readout = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "ttl_s": int_slider("TTL (s)", TASK_TTL_S, 0, TTL_MAX_S, 1),
            "items": dropdown("items checked per call", [(str(k), k) for k in ITEMS_OPTIONS], ITEMS_PER_CALL),
        }

    def layout(self) -> w.Widget:
        return w.VBox([w.HBox(list(self.inputs.values())), self.figure.widget, self.readout])

    def compute(self, ttl_s: int, items: int) -> dict[str, Any]:
        return ttl_state(ttl_s, items, self.curves)

    def draw(self, state: dict[str, Any]) -> None:
        ttl = state["ttl_s"]
        self._fresh_dot.set_data([ttl], [100 * state["fresh_share"]])
        self._curve.set_ydata(np.minimum(state["p99_curve"], 299))
        self._p99_dot.set_data([ttl], [min(state["p99_ms"], 299)])
        best = state["best_ttl_s"]
        for line in (self._best_left, self._best_right):
            line.set_visible(best is not None)
            if best is not None:
                line.set_xdata([best, best])
        self._title.set_text(state["title"])
        self.figure.render()
        self.readout.value = (f"{state['best_text']}<br><small>At {state['ttl_s']} s: hit ratio {state['hit_ratio']:.1%} · "
                              f"fresh answers {state['fresh_share']:.1%} · p99 of a {state['items']}-item call "
                              f"{state['p99_ms']:.1f} ms</small>")


#: Every widget of the lesson, by name: the robustness tests drive every control of each.
APPS = {"cache-ttl": CacheTTLExplorer}


