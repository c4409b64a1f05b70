"""Module 03's widgets and static charts: the availability of the path, the retry storm,
retry amplification and the blast radius. Thin layers over :mod:`.model` and the simulator."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from steward import cartwheel, plotting
from steward.lessons import resilience_sim as sim
from steward.lessons.design_for_failure.model import (
    SERVERS,
    Path,
    amplification,
    client_for,
    downtime_minutes,
    human_duration,
    nines,
    path_parts,
    recovery_text,
    server_scenario,
    shuffle_shard_shares,
    storm_title,
)
from steward.lessons.resilience_sim import CLIENTS, Scenario, simulate
from steward.widgets import App, FigureView, dropdown, int_slider, w

# -- widgets --------------------------------------------------------------------------------
#: The three side-by-side apps (path availability, retries across layers, blast radius): a
#: 360 px column of controls and numbers, 12 px apart from a 5.2 in × 90 dpi chart, fit an
#: output 848 px wide (1280 × 800 with Lab's file browser open), so the chart is shown at its
#: own size, not shrunk to a 7-pixel font.
COLUMN_WIDTH = "360px"
CHART_WIDTH_IN = 5.2


def _column() -> Any:
    return w.Layout(width=COLUMN_WIDTH, flex="0 0 auto")


AVAILABILITY_OPTIONS = [("90%", 0.9), ("99%", 0.99), ("99.5%", 0.995), ("99.9%", 0.999), ("99.95%", 0.9995),
                        ("99.99%", 0.9999), ("100%", 1.0)]


def _bar_verts(positions: Sequence[float], values: Sequence[float], horizontal: bool, base: float = 0.0,
               width: float = 0.7) -> list[np.ndarray]:
    """Rectangles for a bar chart drawn as one PolyCollection: one artist to blit
    instead of one per bar, which keeps a redraw inside the 50 ms budget."""
    half = width / 2
    verts = []
    for p, v in zip(positions, values, strict=True):
        if horizontal:
            verts.append(np.array([[base, p - half], [v, p - half], [v, p + half], [base, p + half]]))
        else:
            verts.append(np.array([[p - half, base], [p - half, v], [p + half, v], [p + half, base]]))
    return verts


def _table_html(rows: Sequence[tuple[str, str]], note: str = "") -> str:
    """The numbers behind a chart, as text beside it (for screen readers and copying)."""
    body = "".join(f"<tr><td style='padding-right:10px'>{k}</td><td style='text-align:right'><b>{v}</b></td></tr>"
                   for k, v in rows)
    return f"<table style='font-size:12px'>{body}</table>" + (f"<div style='font-size:11px'>{note}</div>" if note else "")


class AvailabilityApp(App):
    """Replicas, zones and a fallback → the availability of each stage and of the path."""

    title = "Availability of the recommendation path"
    STAGES = ("edge", "recommendation pods", "Redis", "inventory", "behind the edge", "as served")

    def __init__(self) -> None:
        self.figure = FigureView(width=CHART_WIDTH_IN, height=2.9, margins={"left": 0.43, "right": 0.97, "top": 0.97, "bottom": 0.17})
        ax = self.figure.ax
        self._y = np.arange(len(self.STAGES))[::-1]
        colours = [plotting.NEUTRAL] * 4 + [plotting.BAD, plotting.GOOD]
        self._bars = plotting.mcollections.PolyCollection(_bar_verts(self._y, np.zeros(len(self._y)), True), facecolors=colours)
        ax.add_collection(self._bars)
        ax.set_yticks(self._y)
        ax.set_yticklabels(self.STAGES)
        ax.set_xlim(0, 6.5)
        ax.set_ylim(-0.6, len(self._y) - 0.4)
        slo = cartwheel.AVAILABILITY.objective
        ax.axvline(nines(slo), color=plotting.NEUTRAL, linestyle=":", linewidth=1)
        plotting.finish(ax, "…", f"nines (3 = 99.9%; dotted: Cartwheel's {slo:.1%} availability SLO)",
                        "part of the path")
        # centred under the whole figure: under the axes alone (pushed right by the long
        # names) this long label ran past the picture's right edge
        ax.xaxis.set_label_coords(0.5, 0.08, transform=self.figure.fig.transFigure)
        self.figure.animate(self._bars)
        self.figure.title_as_caption()
        self.numbers = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "replicas": int_slider("recommendation pods", 3, 0, 6),
            "replica": dropdown("each pod", AVAILABILITY_OPTIONS, 0.995),
            "zones": dropdown("placement", [("all in one zone", 1), ("over 2 zones", 2), ("over 3 zones", 3)], 3),
            "zone": dropdown("each zone", AVAILABILITY_OPTIONS, 0.999),
            "inventory": dropdown("inventory service", AVAILABILITY_OPTIONS, 0.999),
            "fallback": w.Checkbox(value=False, description="fallback: popular items"),
        }

    def layout(self) -> w.Widget:
        return w.HBox([w.VBox([*self.inputs.values(), self.numbers], layout=_column()), self.figure.widget])

    def compute(self, replicas: int, replica: float, zones: int, zone: float, inventory: float, fallback: bool) -> dict[str, Any]:
        path = Path(replica=replica, replicas=int(replicas), zones=int(zones), zone=zone, inventory=inventory, fallback=bool(fallback))
        parts = path_parts(path)
        total = parts["as served"]
        return {"path": path, "parts": parts, "availability": total,
                "minutes_per_month": downtime_minutes(total, "month")}

    def draw(self, state: dict[str, Any]) -> None:
        parts = state["parts"]
        self._bars.set_verts(_bar_verts(self._y, [min(nines(parts[s]), 6.5) for s in self.STAGES], True))
        path = state["path"]
        how = "with the fallback" if path.fallback else "no fallback"
        if path.replicas == 0:
            how += "; no pods: only the fallback can answer" if path.fallback else "; no pods: nothing can answer"
        self.figure.ax.set_title(
            f"{state['availability']:.3%} as served ({how}): "
            f"{human_duration(state['minutes_per_month'])} down a month", fontsize=10)
        rows = [(s, f"{parts[s]:.4%}") for s in self.STAGES]
        rows.append(("down per month", human_duration(state["minutes_per_month"])))
        self.numbers.value = _table_html(rows)
        self.figure.render()


class AmplificationApp(App):
    """Tries per layer and layers → calls reaching each layer when the bottom fails."""

    title = "Retries multiply across layers"
    MAX_LAYERS = 8

    def __init__(self) -> None:
        self.figure = FigureView(width=CHART_WIDTH_IN, height=2.9, margins={"left": 0.2, "right": 0.97, "top": 0.97, "bottom": 0.26})
        ax = self.figure.ax
        self._x = np.arange(1, self.MAX_LAYERS + 1)
        # log10 of the calls on a linear axis: a log-scaled axis costs several times more to draw
        self._bars = plotting.mcollections.PolyCollection(_bar_verts(self._x, np.zeros(len(self._x)), False), facecolors=plotting.BAD)
        ax.add_collection(self._bars)
        ax.set_ylim(0, math.log10(5**8) + 0.4)
        ax.set_yticks(range(6))
        ax.set_yticklabels(["1", "10", "100", "1,000", "10,000", "100,000"])
        ax.set_xlim(0.4, self.MAX_LAYERS + 0.6)
        ax.set_xticks(self._x)
        ax.set_xticklabels(["1\n(top)"] + [str(i) for i in self._x[1:]])
        plotting.finish(ax, "…", "layer (each calls the next; the deepest is failing)", "calls per request (log)")
        self.figure.animate(self._bars)
        self.figure.title_as_caption()
        self.numbers = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "tries": int_slider("tries per layer", 3, 1, 5),
            "layers": int_slider("layers", 5, 1, self.MAX_LAYERS),
            "where": dropdown("who retries", ["every layer", "top layer only"], "every layer"),
        }

    def layout(self) -> w.Widget:
        return w.HBox([w.VBox([*self.inputs.values(), self.numbers], layout=_column()), self.figure.widget])

    def compute(self, tries: int, layers: int, where: str) -> dict[str, Any]:
        calls = amplification(int(tries), int(layers), where)
        return {"calls": calls, "factor": calls[-1], "where": where, "tries": tries, "layers": layers}

    def draw(self, state: dict[str, Any]) -> None:
        calls = state["calls"]
        self._bars.set_verts(_bar_verts(self._x[: len(calls)], np.log10(calls), False))
        self.figure.ax.set_title(
            f"{state['where'].capitalize()} retries: the deepest layer gets {state['factor']:,}× the calls", fontsize=10)
        self.numbers.value = _table_html([(f"layer {i + 1}", f"{c:,}") for i, c in enumerate(calls)])
        self.figure.render()


class BlastRadiusApp(App):
    """Cells and shard size → the share of customers one bad cell or one noisy customer reaches."""

    title = "Blast radius: cells and shuffle sharding"
    BARS = ("one cell fails", "plain shards", "share a cell", "same shuffle shard")
    LABELS = ("one bad cell (1 cell each)", "noisy customer, plain shards", "shuffle: shares ≥ 1 cell",
              "shuffle: same shard (all down)")

    def __init__(self) -> None:
        self.figure = FigureView(width=CHART_WIDTH_IN, height=2.8, margins={"left": 0.55, "right": 0.97, "top": 0.97, "bottom": 0.18})
        ax = self.figure.ax
        self._y = np.arange(len(self.BARS))[::-1]
        colours = [plotting.NEUTRAL, plotting.BAD, plotting.HIGHLIGHT, plotting.GOOD]
        self._bars = plotting.mcollections.PolyCollection(_bar_verts(self._y, np.zeros(len(self._y)), True), facecolors=colours)
        ax.add_collection(self._bars)
        ax.set_yticks(self._y)
        ax.set_yticklabels(self.LABELS)
        ax.set_xlim(0, 102)
        ax.set_ylim(-0.6, len(self._y) - 0.4)
        plotting.finish(ax, "…", "customers affected (%)", "what goes wrong")
        self.figure.animate(self._bars)
        self.figure.title_as_caption()
        self.numbers = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {"cells": int_slider("cells", 8, 1, 20), "shard_size": int_slider("cells per customer", 2, 1, 6)}

    def layout(self) -> w.Widget:
        return w.HBox([w.VBox([*self.inputs.values(), self.numbers], layout=_column()), self.figure.widget])

    def compute(self, cells: int, shard_size: int) -> dict[str, Any]:
        size = min(int(shard_size), int(cells))
        shares: dict[str, Any] = dict(shuffle_shard_shares(int(cells), size))
        shares["note"] = f"{cells} cell(s): a customer can use at most {size}." if size < shard_size else ""
        return shares

    def draw(self, state: dict[str, Any]) -> None:
        self._bars.set_verts(_bar_verts(self._y, [100 * state[k] for k in self.BARS], True))
        self.figure.ax.set_title(
            f"{state['combinations']:,.0f} shuffle shards: a noisy customer takes down "
            f"{100 * state['same shuffle shard']:.2g}% of customers instead of {100 * state['plain shards']:.3g}%",
            fontsize=10)
        rows = [(label, f"{100 * state[k]:.3g}%") for label, k in zip(self.LABELS, self.BARS, strict=True)]
        self.numbers.value = _table_html([("possible shards", f"{state['combinations']:,.0f}"), *rows], state["note"])
        self.figure.render()


class RetryStormApp(App):
    """A fault on the inventory service and a client → load, success and p99 over time."""

    title = "Retry storm: the inventory service fails; how does each client behave?"
    NONE = "(none)"

    def __init__(self) -> None:
        self.figure = FigureView(width=6.4, height=4.0, margins={"left": 0.15, "right": 0.97, "top": 0.97, "bottom": 0.11})
        fig = self.figure.fig
        fig.clear()
        axes = list(fig.subplots(3, 1, sharex=True))
        fig.subplots_adjust(left=0.15, right=0.97, top=0.97, bottom=0.11, hspace=0.15)
        self.figure.axes = axes
        load_ax, ok_ax, lat_ax = axes
        horizon = Scenario().horizon_s
        cap = Scenario().capacity_rps
        self._span = [ax.axvspan(0, 0, color=plotting.BAD, alpha=0.12, linewidth=0) for ax in axes]
        load_ax.axhline(cap, color=plotting.BAD, linestyle="--", linewidth=1)
        load_ax.text(horizon, cap * 1.03, "capacity", ha="right", va="bottom", fontsize=8, color=plotting.BAD)
        load_ax.set_ylim(0, 2200)
        ok_ax.set_ylim(-3, 105)
        lat_ax.set_ylim(1, math.log10(20_000))   # log10(ms) on a linear axis: cheaper to draw than a log scale
        lat_ax.set_yticks([1, 2, 3, 4])
        lat_ax.set_yticklabels(["10", "100", "1,000", "10,000"])
        for ax in axes:
            ax.set_xlim(0, horizon)
        plotting.finish(load_ax, "…", "time (s)", "load on inventory\n(calls/s)")
        load_ax.set_xlabel("")
        ok_ax.set_ylabel("success (%)\n(1 s windows)")
        lat_ax.set_ylabel("p99 latency (ms)")
        lat_ax.set_xlabel("time (s); shaded: the fault")
        main, other = plotting.GOOD, plotting.NEUTRAL
        self._lines = {
            "load2": load_ax.plot([], [], color=other, linewidth=1.0)[0],
            "load": load_ax.plot([], [], color=main, linewidth=1.2)[0],
            "ok2": ok_ax.step([], [], where="post", color=other, linewidth=1.0)[0],
            "served": ok_ax.step([], [], where="post", color=plotting.HIGHLIGHT, linestyle="--", linewidth=1.2)[0],
            "ok": ok_ax.step([], [], where="post", color=main, linewidth=1.4)[0],
            "p992": lat_ax.step([], [], where="post", color=other, linewidth=1.0)[0],
            "p99": lat_ax.step([], [], where="post", color=main, linewidth=1.4)[0],
        }
        self.figure.animate(*self._span, *self._lines.values())
        self.figure.title_as_caption(load_ax)
        self.numbers = w.HTML()
        self._cache: dict[tuple, sim.Run] = {}
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        names = list(CLIENTS)
        return {
            "client": dropdown("client", names, "backoff + jitter"),
            "compare": dropdown("compared with", [self.NONE, *names], "naive retries"),
            "server": dropdown("inventory server", list(SERVERS), next(iter(SERVERS))),
            "fault_s": int_slider("fault lasts (s)", 10, 0, 20),
            "fault_capacity": int_slider("capacity left in the fault (%)", 0, 0, 100, 10),
            "demand": int_slider("traffic (% of capacity)", 80, 0, 120, 5),
            "retries": int_slider("retries per call", CLIENTS["naive retries"].retries, 0, 5),
            "backoff_ms": int_slider("backoff base (ms), backoff client",
                                     round(1000 * CLIENTS["backoff + jitter"].backoff_base_s), 0, 1000, 50),
            "budget": int_slider("retry budget (% of traffic), budget client",
                                 round(100 * (CLIENTS["retry budget"].budget_ratio or 0)), 0, 100, 5),
        }

    def layout(self) -> w.Widget:
        controls = list(self.inputs.values())
        return w.VBox([w.HBox([w.VBox(controls[:4]), w.VBox(controls[4:])]),
                       w.HBox([self.figure.widget, self.numbers])])

    def _run(self, name: str, scenario: Scenario, retries: int, backoff_ms: int, budget: int) -> sim.Run:
        client = client_for(name, retries, backoff_ms, budget)
        key = (client, scenario)
        if key not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = simulate(client, scenario)
        return self._cache[key]

    def compute(self, client: str, compare: str, fault_s: int, fault_capacity: int, demand: int, retries: int,
                backoff_ms: int, budget: int, server: str = next(iter(SERVERS))) -> dict[str, Any]:
        scenario = server_scenario(server, Scenario(demand=demand / 100, fault_duration_s=float(fault_s),
                                                    fault_capacity=fault_capacity / 100))
        main = self._run(client, scenario, retries, backoff_ms, budget)
        other = self._run(compare, scenario, retries, backoff_ms, budget) if compare != self.NONE else None
        return {"run": main, "other": other, "title": storm_title(main, other)}

    def draw(self, state: dict[str, Any]) -> None:
        run, other = state["run"], state["other"]
        sc = run.scenario
        x0 = sc.fault_start_s
        width = sc.fault_duration_s if sc.fault_capacity < 1 else 0.0
        for span in self._span:
            span.set_x(x0)
            span.set_width(width)
        lines = self._lines
        lines["load"].set_data(run.time_s, run.load_rps)
        lines["ok"].set_data(run.window_s, 100 * run.success_rate)
        lines["p99"].set_data(run.window_s, _log_ms(run.p99_ms))
        lines["served"].set_visible(run.client.fallback)
        lines["served"].set_data(run.window_s, 100 * run.served_rate)
        for key, field in (("load2", "load_rps"), ("ok2", "success_rate"), ("p992", "p99_ms")):
            lines[key].set_visible(other is not None)
            if other is not None:
                x = other.time_s if field == "load_rps" else other.window_s
                y = getattr(other, field)
                y = 100 * y if field == "success_rate" else (_log_ms(y) if field == "p99_ms" else y)
                lines[key].set_data(x, y)
        self.figure.axes[0].set_title(state["title"], fontsize=10)
        self.numbers.value = storm_html(run, other)
        self.figure.render()


def _log_ms(values: np.ndarray) -> np.ndarray:
    """log10 of latencies in ms, floored at 10 ms (the chart's bottom)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(np.maximum(values, 10.0))


def storm_html(run: sim.Run, other: sim.Run | None) -> str:
    """The run's numbers beside the chart: blue is the client, grey the comparison."""
    rows = []
    for label, r in (("client (blue)", run), ("compared (grey)", other)):
        if r is None:
            continue
        s = r.summary()
        rows += [(f"<b>{label}</b>", r.client.name), ("success", f"{s['success %']:.1f}%"),
                 ("served incl. fallback", f"{s['served % (incl. fallback)']:.1f}%"),
                 ("peak load after fault", f"{s['peak load after fault (× capacity)']:.2f}× capacity"),
                 ("recovery", recovery_text(r)), ("worst p99", f"{s['worst p99 (ms)']:,.0f} ms"),
                 ("server work wasted after fault", f"{s['wasted work after fault %']:.0f}%"), ("", "")]
    note = "No traffic: nothing to measure." if not run.requests.sum() else \
        ("Orange dashed: served including popular items." if run.client.fallback else "")
    return _table_html(rows, note)


def storm_figure(runs: Mapping[str, sim.Run]):
    """The runs' load and success over time (the five clients, or one client against each
    server policy): a figure that shows itself in a notebook."""
    fig, axes = plotting.new_figure(7.6, 4.2, nrows=2, sharex=True)
    plot_storm_comparison(runs, axes)
    return fig


def plot_storm_comparison(runs: Mapping[str, sim.Run], axes) -> None:
    """Load on the inventory service and success rate over time, one line per client,
    with the fault shaded: the static picture of the retry storm."""
    load_ax, ok_ax = axes
    palette = [plotting.BAD, plotting.GOOD, plotting.PALETTE["green"], plotting.PALETTE["purple"], plotting.HIGHLIGHT]
    colours = {name: palette[i % len(palette)] for i, name in enumerate(runs)}
    styles = {name: ["-", "-", "-", ":", "--"][i % 5] for i, name in enumerate(runs)}
    any_run = next(iter(runs.values()))
    sc = any_run.scenario
    for ax in axes:
        ax.axvspan(sc.fault_start_s, sc.fault_end_s, color=plotting.BAD, alpha=0.1, linewidth=0)
    load_ax.axhline(sc.capacity_rps, color=plotting.NEUTRAL, linestyle="--", linewidth=1)
    for name, run in runs.items():
        kernel = np.ones(5)
        smooth = np.convolve(run.load_rps, kernel, mode="same") / np.convolve(np.ones_like(run.load_rps), kernel, mode="same")
        load_ax.plot(run.time_s, smooth, color=colours[name], linestyle=styles[name], label=name, linewidth=1.3)
        ok_ax.step(run.window_s, 100 * run.success_rate, where="post", color=colours[name],
                   linestyle=styles[name], linewidth=1.3)
    stuck = [n for n, r in runs.items() if r.recovery_s is None]
    title = (f"{', '.join(stuck).capitalize()}: never recovered once the fault ended" if stuck
             else "Every client recovered once the fault ended")
    plotting.finish(load_ax, title, "time (s)", "load on inventory (calls/s)")
    load_ax.set_xlabel("")
    load_ax.legend(fontsize=8, loc="upper right", ncol=2)
    ok_ax.set_ylabel("success (%)")
    ok_ax.set_xlabel("time (s); shaded: the inventory service's fault; dashed line: its capacity")


#: Every widget of the lesson: the benchmark and the robustness tests drive each control.
APPS = {
    "availability": AvailabilityApp,
    "retry-storm": RetryStormApp,
    "amplification": AmplificationApp,
    "blast-radius": BlastRadiusApp,
}
