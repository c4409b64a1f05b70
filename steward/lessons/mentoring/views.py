"""Module 06's widgets: the slow-requests explorer and the mentor quiz."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from steward import plotting
from steward.lessons.mentoring.model import (
    _GROUPS,
    QUIZ,
    QUIZ_BY_ID,
    _tail_index,
    _TailIndex,
    quiz_feedback,
    tail_state,
)
from steward.widgets import App, FigureView, dropdown, slider, w


class SlowRequestsExplorer(App):
    """Where is "slow"? A threshold slider → how over-represented each group is among the
    requests slower than it (share of slow ÷ share of all)."""

    title = "Slow-requests explorer: what are the slow requests made of?"

    def __init__(self, frame: pd.DataFrame | None = None) -> None:
        self.index = _tail_index() if frame is None else _TailIndex(frame)
        self.figure = FigureView(width=7.2, height=3.4, margins={"left": 0.1, "right": 0.97, "top": 0.97, "bottom": 0.2})
        ax = self.figure.ax
        x = np.arange(len(_GROUPS))
        colours = [plotting.GOOD if by == "cache" else plotting.HIGHLIGHT if by == "endpoint" else plotting.PALETTE["purple"]
                   for by, _ in _GROUPS]
        self._bars = ax.bar(x, np.ones(len(_GROUPS)), color=colours)
        ax.axhline(1.0, color=plotting.NEUTRAL, linestyle="--", linewidth=1)
        # Drawn with the bars (after them), on a white box: a bar that grows past the line must not hide it.
        self._line_label = ax.text(2.5, 1.0, "1× = its share of all traffic", ha="center", va="bottom", fontsize=8,
                                   bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
        ax.set_xticks(x)
        ax.set_xticklabels([f"{name}\n({by})" for by, name in _GROUPS], fontsize=8)
        ax.set_ylim(0, 9)
        plotting.finish(ax, "…", "group of requests", "share of slow ÷ share of all (×)")
        self._title = plotting.title_artist(ax)
        self._title.set_fontsize(10)
        self._title.set_parse_math(False)  # plain text draws several times faster than mathtext parsing
        self.figure.animate(*self._bars, self._line_label)
        self.figure.title_as_caption(ax)
        self.readout = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {"percentile": slider("slow = slower than the percentile", 99.0, 90.0, 99.9, 0.1, readout_format=".1f")}

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget, self.readout])

    def compute(self, percentile: float) -> dict[str, Any]:
        return tail_state(percentile, self.index)

    def draw(self, state: dict[str, Any]) -> None:
        for bar, value in zip(self._bars, state["lift"], strict=True):
            bar.set_height(min(float(value), 8.9))
        self._title.set_text(state["title"])
        self.figure.render()
        shares = ", ".join(f"{name} {share:.0%}" for (by, name), share in zip(_GROUPS[:2], state["share_slow"][:2], strict=True))
        self.readout.value = f"<small>Of the requests slower than {state['threshold_ms']:.1f} ms: {shares}.</small>"


class MentorQuiz(App):
    """Pick a situation and a reply → what that reply teaches, and whether it is the best one."""

    title = "Mentor quiz: what would you reply?"

    def __init__(self) -> None:
        self.situation_text = w.HTML()
        self.feedback = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "situation": dropdown("situation", [(f"{s.id}: {s.title}", s.id) for s in QUIZ], QUIZ[0].id),
            "reply": dropdown("your reply", [("a", "a"), ("b", "b"), ("c", "c"), ("d", "d")], "a"),
        }

    def layout(self) -> w.Widget:
        return w.VBox([self.inputs["situation"], self.situation_text, self.inputs["reply"], self.feedback])

    def compute(self, situation: str, reply: str) -> dict[str, Any]:
        best, text = quiz_feedback(situation, reply)
        s = QUIZ_BY_ID[situation]
        return {"situation": situation, "reply": reply, "best": best, "feedback": text, "kind": s.replies[reply].kind}

    def draw(self, state: dict[str, Any]) -> None:
        import html

        s = QUIZ_BY_ID[state["situation"]]
        options = "".join(f"<li><b>{k})</b> {html.escape(r.text)}</li>" for k, r in s.replies.items())
        self.situation_text.value = f"<p>{html.escape(s.text)}</p><ul style='list-style:none'>{options}</ul>"
        mark = "✔ the best reply here" if state["best"] else "✘ not the best reply here"
        colour = plotting.GOOD if state["best"] else plotting.BAD
        self.feedback.value = (f"<div style='border-left:4px solid {colour};padding-left:8px'><b>{mark}</b><br>"
                               f"{html.escape(state['feedback'])}</div>")


#: Every widget of the lesson, by name: the robustness tests drive every control of each.
APPS = {"slow-requests": SlowRequestsExplorer, "mentor-quiz": MentorQuiz}
