"""Module 04's views: static charts and the lesson's widgets, thin layers over ``model``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from steward import plotting
from steward.lessons.quantify.model import (
    _FAN,
    _RHO,
    AVAILABILITY,
    ESSAY_RPS,
    FAN_OUT,
    INCIDENT_END,
    INCIDENT_START,
    LOAD_BIN_RPS,
    P_SLOW_OPTIONS,
    PERCENTILES,
    TARGET_MS,
    _require_frame,
    bad_share_by_window,
    fan_out_slow_share,
    fan_out_state,
    load_test_state,
    load_test_summary,
    mm1_latency,
    percentile,
    percentile_label,
    queueing_state,
    throughput_rps,
    window_percentiles,
)
from steward.widgets import App, FigureView, dropdown, int_slider, slider, w


# -- static plots ------------------------------------------------------------------------
class Chart:
    """A static figure that shows itself in a notebook with one draw and a fast PNG
    encoding (the inline backend's tight bounding box draws every figure twice)."""

    def __init__(self, fig) -> None:
        self.fig = fig

    @property
    def title(self) -> str:
        return plotting.title_of(self.fig.axes[0])

    def _repr_png_(self) -> bytes:
        return plotting.png(self.fig)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The PNG with its text alternative, as every static chart of the curriculum shows itself."""
        return plotting.figure_bundle(self.fig)

    def __repr__(self) -> str:
        return f"<Chart: {self.title}>"


def chart(plot: Callable[..., None], *args: Any, width: float = 8.0, height: float = 3.4, **kwargs: Any) -> Chart:
    """Draw ``plot(ax, *args, **kwargs)`` on a new figure and return it as a :class:`Chart`."""
    fig, ax = plotting.new_figure(width, height)
    plot(ax, *args, **kwargs)
    return Chart(fig)


def plot_latency_histogram(ax, frame: pd.DataFrame) -> None:
    """Hits and misses on a log latency axis: two humps and a long tail."""
    frame = _require_frame(frame, ["latency_ms", "cache_hit"])
    bins = np.logspace(np.log10(0.3), np.log10(1000), 90)
    hit = frame["cache_hit"].astype(bool)
    hits, misses = frame.loc[hit, "latency_ms"], frame.loc[~hit, "latency_ms"]
    hit_counts, _ = np.histogram(hits, bins)
    miss_counts, _ = np.histogram(misses, bins)
    # Stairs (one polygon each) instead of bars: 2 artists instead of 180, drawn in a fraction of the time.
    ax.stairs(hit_counts + miss_counts, bins, fill=True, color=plotting.HIGHLIGHT,
              label=f"cache miss (median {misses.median():.1f} ms)")
    ax.stairs(hit_counts, bins, fill=True, color=plotting.GOOD, label=f"cache hit (median {hits.median():.1f} ms)")
    top = max(int((hit_counts + miss_counts).max()), 1) * 3
    ax.set_ylim(0.8, top)
    for name, q in PERCENTILES.items():
        value = frame["latency_ms"].quantile(q)
        ax.axvline(value, color=plotting.NEUTRAL, linestyle=":", linewidth=1)
        ax.text(value, top * 0.9, f" {name}\n {value:.1f}", fontsize=8, va="top")
    mean = frame["latency_ms"].mean()
    ax.axvline(mean, color=plotting.BAD, linewidth=1.2, label=f"mean {mean:.1f} ms")
    plotting.log_scale(ax, "xy")
    ax.legend(loc="center right", fontsize=8)
    plotting.finish(ax, "Two humps and a long tail: no single number describes it",
                    "latency (ms, log scale)", "sampled requests (log scale)")


def plot_throughput(ax, frame: pd.DataFrame) -> None:
    """Real requests/s per 10 minutes over the week."""
    rps = throughput_rps(frame)
    ax.plot(rps.index, rps.to_numpy(), color=plotting.GOOD, linewidth=0.8)
    ax.axhline(ESSAY_RPS, color=plotting.NEUTRAL, linestyle="--", linewidth=1)
    ax.text(rps.index[0], ESSAY_RPS, f" {ESSAY_RPS:,.0f} requests/s (the weekly peak)", va="bottom", fontsize=8)
    ax.axvspan(INCIDENT_START, INCIDENT_END, color=plotting.BAD, alpha=0.3, label="incident")
    ax.legend(loc="upper left", fontsize=8)
    plotting.finish(ax, f"Traffic swings {rps.max() / rps.min():.0f}× between night and evening",
                    "time (UTC)", "requests/s (scaled from the sample)")


def plot_window_percentiles(ax, frame: pd.DataFrame, freq: str = "1h") -> None:
    """Hourly p99s, their mean, and the real p99 of the week."""
    hourly = window_percentiles(frame, freq)
    true = percentile(frame["latency_ms"], 0.99)
    ax.plot(hourly.index, hourly.to_numpy(), color=plotting.NEUTRAL, linewidth=0.8, label="p99 of each hour")
    ax.axhline(hourly.mean(), color=plotting.BAD, linestyle="--", label=f"mean of hourly p99s: {hourly.mean():.2f} ms")
    ax.axhline(true, color=plotting.GOOD, label=f"p99 of the week's requests: {true:.2f} ms")
    plotting.log_scale(ax, "y")
    ax.legend(loc="upper left", fontsize=8)
    plotting.finish(ax, "The mean of hourly p99s is not the week's p99", "time (UTC)", "latency (ms, log scale)")


def plot_latency_vs_load(ax, table: pd.DataFrame, threshold_ms: float = TARGET_MS) -> None:
    """p99 and mean latency per load bin, with the threshold and where it is crossed."""
    column = [c for c in table.columns if c.startswith("p")][0]
    centres = table.index.to_numpy() + LOAD_BIN_RPS / 2
    ax.plot(centres, table[column], marker="o", color=plotting.BAD, label=column.replace("_ms", ""))
    ax.plot(centres, table["mean_ms"], marker="s", color=plotting.GOOD, label="mean")
    ax.axhline(threshold_ms, color=plotting.NEUTRAL, linestyle="--")
    crossed = table.index[table[column] >= threshold_ms]
    limit = float(crossed.min()) if len(crossed) else float(table.index.max() + LOAD_BIN_RPS)
    ax.axvline(limit, color=plotting.HIGHLIGHT, linestyle=":")
    ax.legend(loc="upper left", fontsize=8)
    plotting.finish(ax, f"p99 stays under {threshold_ms:g} ms only up to {limit:,.0f} requests/s",
                    "load (requests/s, 10-minute windows)", "latency (ms)")


def plot_bad_share(ax, frame: pd.DataFrame, slo=AVAILABILITY) -> None:
    """Burn rate of ``slo``'s budget per 10 minutes over the week, with the 14.4× page threshold."""
    burn = bad_share_by_window(frame, "10min", slo).fillna(0) / slo.error_budget
    ax.plot(burn.index, burn.to_numpy(), color=plotting.GOOD, linewidth=0.7)
    ax.axhline(14.4, color=plotting.BAD, linestyle="--", linewidth=1)
    ax.text(burn.index[0], 14.4, " 14.4× (page)", va="bottom", fontsize=8)
    plotting.finish(ax, f"One spike burns the {slo.name} budget {burn.max():.0f}× too fast", "time (UTC)",
                    "burn rate per 10 min (× sustainable)")


def plot_load_test(ax, result: dict[str, np.ndarray]) -> None:
    """Latency by percentile for both generators (a 'nines' x axis)."""
    qs = 1 - np.logspace(-0.3, -4, 60)
    x = -np.log10(1 - qs)
    for (name, latency), colour in zip(result.items(), (plotting.BAD, plotting.GOOD), strict=True):
        ax.plot(x, np.quantile(latency, qs), color=colour, label=name)
    plotting.log_scale(ax, "y")
    ax.set_xticks([1, 2, 3, 4])
    ax.set_xticklabels(["p90", "p99", "p99.9", "p99.99"])
    ax.legend(loc="upper left", fontsize=8)
    summary = load_test_summary(result)
    plotting.finish(ax, f"Same server, same stall: p99 {summary.loc['closed loop', 'p99']:.1f} ms vs "
                    f"{summary.loc['open loop', 'p99']:,.0f} ms", "percentile", "latency (ms, log scale)")


# -- widgets -----------------------------------------------------------------------------


class QueueingExplorer(App):
    """Utilization → latency for one queue (M/M/1) and a pool of c servers (M/M/c)."""

    title = "Queueing explorer: how busy can a server be before latency explodes?"

    def __init__(self) -> None:
        self.figure = FigureView(width=6.8, height=3.5, margins={"left": 0.11, "right": 0.95, "top": 0.97, "bottom": 0.14})
        ax = self.figure.ax
        ax.plot(_RHO, mm1_latency(_RHO, 1.0), color=plotting.BAD, label="M/M/1 (one queue)")
        (self._mmc,) = ax.plot(_RHO, _RHO * 0 + 1, color=plotting.GOOD, label="M/M/c (c servers, one queue)")
        (self._dot1,) = ax.plot([0.5], [2], "o", color=plotting.BAD)
        (self._dotc,) = ax.plot([0.5], [1], "s", color=plotting.GOOD)
        (self._now,) = ax.plot([0.5, 0.5], [1, 100], color=plotting.NEUTRAL, linestyle=":")
        plotting.log_scale(ax, "y")
        ax.set_ylim(0.9, 120)
        ax.set_xlim(0, 1)
        ax.legend(loc="upper left", fontsize=8)
        plotting.finish(ax, "…", "utilization ρ (share of time each server is busy)", "latency ÷ service time (log)")
        self.figure.animate(self._mmc, self._dot1, self._dotc, self._now)
        self.figure.title_as_caption(ax)
        self.text = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "utilization": slider("utilization ρ", 0.8, 0.0, 0.99, 0.01),
            "servers": int_slider("servers c", 4, 1, 32),
            "service_ms": slider("service time (ms)", 2.0, 0.5, 50.0, 0.5),
        }

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget, self.text])

    def compute(self, utilization: float, servers: int, service_ms: float) -> dict[str, Any]:
        return queueing_state(utilization, servers, service_ms)

    def draw(self, state: dict[str, Any]) -> None:
        rho = state["utilization"]
        self._mmc.set_ydata(state["curve_mmc"])
        self._dot1.set_data([rho], [state["mm1_multiplier"]])
        self._dotc.set_data([rho], [state["mmc_multiplier"]])
        self._now.set_xdata([rho, rho])
        self.figure.ax.set_title(
            f"{rho:.0%} busy: one queue {state['mm1_multiplier']:.1f}×, "
            f"{state['servers']} servers {state['mmc_multiplier']:.2f}× the service time")
        self.figure.render()
        self.text.value = (
            f"<b>Little's law</b>: {state['servers']} servers × {rho:.0%} busy ÷ {state['service_ms']:g} ms = "
            f"<b>{state['throughput_rps']:,.0f} requests/s</b>; at {state['mmc_ms']:.2f} ms each, "
            f"L = λW = <b>{state['in_flight']:,.1f} requests in flight</b> on average. "
            f"P(a request waits) = {state['p_wait']:.1%} (Erlang C).")


class TailAtScale(App):
    """Fan-out → share of requests that hit at least one slow server."""

    title = "Tail at scale: a request is as slow as its slowest server"

    def __init__(self) -> None:
        self.figure = FigureView(width=6.8, height=3.5, margins={"left": 0.11, "right": 0.95, "top": 0.97, "bottom": 0.14})
        ax = self.figure.ax
        for (label, p), colour in zip(P_SLOW_OPTIONS, (plotting.BAD, plotting.HIGHLIGHT, plotting.GOOD), strict=True):
            ax.plot(_FAN, 100 * fan_out_slow_share(_FAN, p), color=colour, label=f"each server slow {label.split(' (')[0]}")
        # Cartwheel's call: its items' stock levels are looked up in parallel (the canon's fan-out).
        ax.axvline(FAN_OUT, color=plotting.NEUTRAL, linewidth=0.8)
        ax.text(FAN_OUT, 97, f" a Cartwheel call: {FAN_OUT} items", fontsize=8, va="top")
        start = fan_out_slow_share(FAN_OUT, 0.01)
        (self._dot,) = ax.plot([FAN_OUT], [100 * start], "o", color=plotting.PALETTE["black"], markersize=8)
        (self._now,) = ax.plot([FAN_OUT, FAN_OUT], [0, 100], color=plotting.NEUTRAL, linestyle=":")
        plotting.log_scale(ax, "x")
        ax.set_xlim(1, 2000)
        ax.set_ylim(0, 100)
        ax.legend(loc="center left", fontsize=8)
        plotting.finish(ax, "…", "parallel calls each request waits for: its fan-out (log)", "requests that wait for a slow one (%)")
        self.figure.animate(self._dot, self._now)
        self.figure.title_as_caption(ax)
        self.text = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "servers": int_slider("fan-out (servers)", FAN_OUT, 1, 2000),
            "p_slow": dropdown("each server is slow", list(P_SLOW_OPTIONS), 0.01),
        }

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget, self.text])

    def compute(self, servers: int, p_slow: float) -> dict[str, Any]:
        return fan_out_state(servers, p_slow)

    def draw(self, state: dict[str, Any]) -> None:
        n, share = state["servers"], state["slow_share"]
        self._dot.set_data([n], [100 * share])
        self._now.set_xdata([n, n])
        self.figure.ax.set_title(f"Fan out to {n:,} servers: {share:.1%} of requests wait for a slow one")
        self.figure.render()
        budget = state["per_server_for_1pct"]
        self.text.value = (f"To keep only 1% of requests slow at this fan-out, each server may be slow "
                           f"1 time in <b>{1 / budget:,.0f}</b>: its {percentile_label(1 - budget)}, not its p99.")


class CoordinatedOmission(App):
    """A server stalls; an open-loop and a closed-loop load generator report its tail."""

    title = "Coordinated omission: the benchmark that stops measuring when it matters"

    def __init__(self) -> None:
        self.figure = FigureView(width=6.8, height=3.5, margins={"left": 0.14, "right": 0.95, "top": 0.97, "bottom": 0.14})
        ax = self.figure.ax
        x = np.array([0.3, 4])
        (self._open,) = ax.plot(x, [1, 1], color=plotting.BAD, label="open loop (constant rate, wrk2)")
        (self._closed,) = ax.plot(x, [1, 1], color=plotting.GOOD, linestyle="--", label="closed loop (waits for each reply)")
        plotting.log_scale(ax, "y")
        ax.set_ylim(0.5, 10_000)
        ax.set_xlim(0.3, 4.1)
        ax.set_xticks([1, 2, 3, 4])
        ax.set_xticklabels(["p90", "p99", "p99.9", "p99.99"])
        ax.legend(loc="center right", fontsize=8)
        plotting.finish(ax, "…", "percentile", "recorded latency (ms, log)")
        self.figure.animate(self._open, self._closed)
        self.figure.title_as_caption(ax)
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "stall_s": slider("stall (s)", 2.0, 0.0, 5.0, 0.25),
            "rate_rps": int_slider("target rate (requests/s)", 200, 50, 900, 50),
        }

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget])

    def compute(self, stall_s: float, rate_rps: int) -> dict[str, Any]:
        return load_test_state(stall_s, rate_rps)

    def draw(self, state: dict[str, Any]) -> None:
        self._open.set_data(state["x"], state["open"])
        self._closed.set_data(state["x"], state["closed"])
        self.figure.ax.set_title(f"{state['stall_s']:g} s stall: closed loop p99 {state['closed_p99']:,.1f} ms, "
                                 f"open loop {state['open_p99']:,.1f} ms")
        self.figure.render()


#: Every widget of the lesson, by name (the benchmark and robustness tests drive them).
APPS: dict[str, Callable[[], App]] = {
    "queueing-explorer": QueueingExplorer,
    "tail-at-scale": TailAtScale,
    "coordinated-omission": CoordinatedOmission,
}
