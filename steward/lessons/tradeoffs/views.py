"""Module 02's views: static plots and the two widgets (the trade-off explorer and the
lease-lock lab). Thin: every number they show comes from ``model``."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from steward import plotting, themes
from steward.datasets.coordination_options import CRITERIA
from steward.lessons.tradeoffs.model import (
    CLIENT_NAMES,
    CRITERION_LABELS,
    HORIZON_MS,
    MAX_CLIENTS,
    STORES,
    TEAM_WEIGHTS,
    WEIGHT_MAX,
    WEIGHT_MIN,
    WEIGHT_STEP,
    Exploration,
    Flip,
    LeaseRun,
    SavedADR,
    _mask,
    event_log,
    explore,
    fencing_by_option,
    flip_point,
    options_table,
    save_adr,
    simulate_lease_lock,
    store_of,
    store_verdicts,
    use_case_of,
    weights_series,
)
from steward.widgets import App, FigureView, dropdown, int_slider, slider, w


# -- static plots ---------------------------------------------------------------------------
def plot_flip_lines(ax, scores: pd.DataFrame, weights: Mapping[str, float], criterion: str,
                    allowed: pd.Series | None = None) -> Flip:
    """Each allowed option's total as a line in one weight, with the flip point marked: the
    picture behind the formula δ* = gap / slope."""
    flip = flip_point(scores, weights, criterion, allowed)
    grid = np.array([WEIGHT_MIN, WEIGHT_MAX])  # totals are straight lines: two points draw them
    mask = _mask(scores.index, allowed)
    base = weights_series(weights, list(scores.columns))
    now = scores.to_numpy(float) @ base.to_numpy(float)
    column = scores[criterion].to_numpy(float)
    for k, option in enumerate(scores.index):
        if not mask[k]:
            continue
        totals = now[k] + (grid - base[criterion]) * column[k]
        strong = option in (flip.winner, flip.challenger)
        ax.plot(grid, totals, color=plotting.CYCLE[k % len(plotting.CYCLE)], linewidth=2.2 if strong else 1.0,
                linestyle="-" if strong else "--", label=option)
    ax.axvline(flip.weight, color=plotting.NEUTRAL, linewidth=1)
    ax.annotate("weight now", (flip.weight, ax.get_ylim()[1]), ha="center", va="top", fontsize=8)
    if flip.change is None:
        title = f"{flip.winner} leads at every {criterion} weight from {WEIGHT_MIN:g} to {WEIGHT_MAX:g}"
    else:
        ax.axvline(flip.at, color=plotting.BAD, linewidth=1.5, linestyle=":")
        title = f"{flip.winner} leads until {criterion} weighs {flip.at:.2f}, then {flip.challenger}"
    ax.legend(fontsize=8, ncol=2)
    plotting.finish(ax, title, f"weight of {criterion} (0–5)", "weighted total (Σ weight × score)")
    return flip


def plot_pause_sweep(ax, sweep: pd.DataFrame, lease_ms: int) -> None:
    """Reservations sold on a stale read per pause length, for three stores, the lease marked."""
    for column, colour, marker, label in (
            ("stale_none", plotting.BAD, "o", "no fencing"),
            ("stale_fence_writes", plotting.HIGHLIGHT, "^", "fencing tokens checked on writes only"),
            ("stale_fence_reads", plotting.GOOD, "s", "fencing tokens checked on reads and writes")):
        ax.plot(sweep.index, sweep[column], color=colour, marker=marker, markersize=3, label=label)
    ax.axvline(lease_ms, color=plotting.NEUTRAL, linestyle="--", linewidth=1)
    ax.annotate(f"lease = {lease_ms} ms", (lease_ms, ax.get_ylim()[1]), ha="right", va="top", fontsize=8)
    onset = sweep.index[sweep["stale_none"] > 0]
    leaks = sweep.index[sweep["stale_fence_writes"] > 0]
    if len(onset) == 0:
        title = "No pause in the sweep sold anything twice"
    elif len(leaks) == 0:
        title = f"Without fencing, pauses from {onset[0]} ms sell stock twice; with it, none"
    else:
        title = f"Pauses from {onset[0]} ms sell twice; fencing writes only still leaks"
    ax.legend(fontsize=8)
    plotting.finish(ax, title, "pause of client A (ms)", "reservations on a stale read (mean over seeds)")


# -- fast labels --------------------------------------------------------------------------
#: Points: the option names beside the explorer's bars.
NAME_SIZE = 9


@dataclass
class PixelLabel:
    """A label drawn onto the rendered pixels: ``x, y`` in data coordinates of the axes."""

    text: str = ""
    x: float = 0.0
    y: float = 0.0
    anchor: str = "lm"  # PIL anchors: l/m/r then t/m/s/b (ls = left, baseline)
    size: float = 8.0  # points
    bold: bool = False
    color: str = "#222222"
    visible: bool = True


class LabelledView(FigureView):
    """A :class:`FigureView` whose moving text (bar labels, the title) is drawn with PIL onto
    the blitted pixels after matplotlib has drawn the animated artists.

    Laying out one matplotlib Text costs 1–3 ms (glyph layout and rasterising), so a chart with
    a dozen moving labels blows the 50 ms budget; PIL draws the same string in about 0.05 ms.
    The Axes keeps its title text (``view.title`` and the caption read it), but the title
    artist is hidden and drawn here, so it never sticks in the cached background."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels: list[PixelLabel] = []
        # the labels exist only as pixels, so the chart's text alternative names them
        self.alt_details = lambda: "Labels: " + "; ".join(
            label.text for label in self.labels if label.visible and label.text) + "."
        self._fonts: dict[tuple[float, bool], Any] = {}
        self._sprites: dict[tuple[str, float, bool, str], tuple[Any, int, int]] = {}
        self.title_as_caption()

    def font(self, size: float, bold: bool) -> Any:
        from matplotlib import font_manager
        from PIL import ImageFont

        key = (size, bold)
        if key not in self._fonts:
            path = font_manager.findfont(font_manager.FontProperties(weight="bold" if bold else "normal"))
            self._fonts[key] = ImageFont.truetype(path, max(1, round(size * self.fig.dpi / 72)))
        return self._fonts[key]

    def sprite(self, text: str, size: float, bold: bool, color: str) -> tuple[Any, int, int]:
        """The label as a small RGBA image and the offset of its anchor point, cached: bar
        labels repeat ("4.13" comes back every time the slider does), names never change."""
        from PIL import Image, ImageDraw

        key = (text, size, bold, color)
        cached = self._sprites.get(key)
        if cached is None:
            font = self.font(size, bold)
            left, top, right, bottom = font.getbbox(text, anchor="ls")
            sprite = Image.new("RGBA", (max(1, right - left + 2), max(1, bottom - top + 2)), (255, 255, 255, 0))
            ImageDraw.Draw(sprite).text((-left + 1, -top + 1), text, font=font, fill=color, anchor="ls")
            cached = (sprite, left - 1, top - 1)
            if len(self._sprites) > 2000:
                self._sprites.clear()
            self._sprites[key] = cached
        return cached

    def _stamp(self, image: Any, text: str, x: float, y: float, anchor: str, size: float, bold: bool, color: str) -> None:
        sprite, dx, dy = self.sprite(text, size, bold, color)
        width = sprite.size[0] + 2 * dx + 2  # the ink's width, from the anchor's point of view
        shift_x = {"l": 0, "m": -width / 2, "r": -width}[anchor[0]]
        ascent = -dy
        shift_y = {"s": 0, "t": ascent, "m": ascent / 2 - 1, "b": 0}[anchor[1]]
        left, top = self.place(sprite, x + dx + shift_x, y + dy + shift_y, image.size)
        image.alpha_composite(sprite, (left, top))

    @staticmethod
    def place(sprite: Any, left: float, top: float, canvas: tuple[int, int]) -> tuple[int, int]:
        """Where a label's sprite goes: at its point, moved just inside the canvas when it would
        cross an edge (a label that was skipped instead once left the winner without a name)."""
        width, height = sprite.size
        left = min(max(0, int(round(left))), max(0, canvas[0] - width))
        top = min(max(0, int(round(top))), max(0, canvas[1] - height))
        return left, top

    def render(self) -> None:

        from PIL import Image

        if self._background is None or not self._animated:
            self.canvas.draw()
            self.full_draws += 1
            self._background = self.canvas.copy_from_bbox(self.fig.bbox) if self._animated else None
        else:
            self.canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible() and artist.figure is not None:
                (artist.axes or self.fig).draw_artist(artist)
        width, height = self.canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).copy()
        ax = self.ax
        title = plotting.title_of(ax)  # shown once, in the caption (drawing it too showed it twice)
        if self.labels:
            points = ax.transData.transform([(label.x, label.y) for label in self.labels])
            for label, (px, py) in zip(self.labels, points, strict=True):
                if label.visible and label.text:
                    self._stamp(image, label.text, px, height - py, label.anchor, label.size, label.bold, label.color)
        self.image.value = plotting.encode_image(image)
        self.caption.value = f"<span class='steward-chart-title'><b>{html.escape(title)}</b></span>"


class TradeoffExplorer(App):
    """A weight slider per criterion and a use-case switch → options ranked as horizontal
    bars (excluded ones hatched), the flip point of every weight, and the ADR."""

    title = "Trade-off explorer: how should Cartwheel take a lock?"
    #: The weights' column and the chart beside it: 360 + 12 (gap) + 5.2 in × 90 dpi ≤ 848 px.
    SLIDER_WIDTH = "360px"
    CHART_WIDTH_IN = 5.2

    def __init__(self, weights: Mapping[str, float] | None = None, use_case: str = "efficiency",
                 adr_folder: str | Path | None = None) -> None:
        self.scores = options_table()
        self.fencing = fencing_by_option()
        self._start = weights_series(weights if weights is not None else TEAM_WEIGHTS)
        self._start_case = use_case_of(use_case).key
        self.adr_folder = adr_folder
        # Beside a column of sliders the chart is shown at its own size (an output is 848 px
        # wide at 1280 × 800): the bars get what the longest name, drawn bold as the winner's
        # is, leaves; past 5 there is room for "4.08 excluded" (a label that does not fit the
        # canvas is not drawn, and the winner once lost its name that way).
        self.figure = LabelledView(width=self.CHART_WIDTH_IN, height=3.7,
                                   margins={"left": 0.3, "right": 0.98, "top": 0.89, "bottom": 0.23})
        name_px = max(self.figure.font(NAME_SIZE, True).getlength(str(option)) for option in self.scores.index)
        self.figure.fig.subplots_adjust(left=(name_px + 30) / (self.CHART_WIDTH_IN * self.figure.fig.dpi))
        self.figure.margins = {**self.figure.margins, "left": self.figure.fig.subplotpars.left}
        ax = self.figure.ax
        n = len(self.scores)
        ax.set_xlim(0, 5.9)
        ax.set_xticks(range(6))
        ax.spines["bottom"].set_bounds(0, 5)
        ax.set_ylim(n - 0.4, -0.6)
        ax.set_yticks([])
        ax.grid(axis="y", visible=False)
        plotting.finish(ax, "… wins the … lock by … over …", "weighted score (1–5; the weights as set)", "option")
        ax.yaxis.set_label_coords(0.04, 0.5, transform=self.figure.fig.transFigure)
        self._bars = [ax.add_patch(plotting.mpatches.Rectangle((0, i - 0.35), 0, 0.7, linewidth=1.0)) for i in range(n)]
        self._names = [PixelLabel(str(option), -0.1, i, "rm", NAME_SIZE) for i, option in enumerate(self.scores.index)]
        self._values = [PixelLabel("", 0.05, i, "lm", 8) for i in range(n)]
        self.figure.labels = [*self._names, *self._values]
        ax.legend(handles=[plotting.mpatches.Patch(facecolor=plotting.HIGHLIGHT, label="winner"),
                           plotting.mpatches.Patch(facecolor=plotting.GOOD, label="allowed"),
                           plotting.mpatches.Patch(facecolor="#e6e6e6", edgecolor=plotting.NEUTRAL, hatch="///",
                                 label="excluded by the use case")],
                  loc="lower center", bbox_to_anchor=(0.5, 0.0), bbox_transform=self.figure.fig.transFigure,
                  ncol=3, fontsize=8, frameon=False)
        self.figure.animate(*self._bars)
        self.flips_view = w.HTML()
        self.adr_view = w.HTML()
        self.filename = w.Text(value="", placeholder="file name (blank: from the ADR's title)",
                               layout=w.Layout(width="380px"))
        self.saved = w.HTML()
        self.last_saved: SavedADR | None = None
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        sliders: dict[str, w.Widget] = {
            "use_case": dropdown("Use case", [
                ("efficiency lock: duplicate work is the worst case", "efficiency"),
                ("correctness lock (stock reservations): corruption is the worst case", "correctness"),
            ], self._start_case),
        }
        for criterion in CRITERIA:
            sliders[criterion] = slider(CRITERION_LABELS[criterion], float(self._start[criterion]),
                                        WEIGHT_MIN, WEIGHT_MAX, WEIGHT_STEP, layout=w.Layout(width=self.SLIDER_WIDTH))
        return sliders

    def layout(self) -> w.Widget:
        save = w.Button(description="Save the ADR", icon="save")
        save.on_click(lambda _: self.save())
        weights = w.VBox([w.HTML("<b>Weights</b> (0 = does not matter, 5 = matters most)"),
                          *[self.inputs[c] for c in CRITERIA]])
        adr = w.Accordion(children=[w.VBox([self.adr_view, w.HBox([self.filename, save]), self.saved])])
        adr.set_title(0, "ADR (Nygard's format), written from your choices")
        return w.VBox([self.inputs["use_case"], w.HBox([weights, self.figure.widget]),
                       w.HTML("<b>Flip points</b>: how far each weight must move before another option draws level"),
                       self.flips_view, adr])

    def compute(self, **values: Any) -> Exploration:
        weights = {c: values[c] for c in CRITERIA}
        return explore(self.scores, self.fencing, weights, values["use_case"])

    def draw(self, state: Exploration) -> None:
        table = state.table
        for option, (bar, name, value) in zip(self.scores.index, zip(self._bars, self._names, self._values, strict=True),
                                              strict=True):
            row = table.loc[option]
            y = int(np.flatnonzero(table.index == option)[0])
            score = float(row["score"])
            bar.set_y(y - 0.35)
            bar.set_width(score)
            if not row["eligible"]:
                bar.set_facecolor("#e6e6e6")
                bar.set_edgecolor(plotting.NEUTRAL)
                bar.set_hatch("///")
                value.text = f"{score:.2f} excluded"
            else:
                bar.set_facecolor(plotting.HIGHLIGHT if option == state.winner else plotting.GOOD)
                bar.set_edgecolor("none")
                bar.set_hatch(None)
                value.text = f"{score:.2f}"
            name.y = y
            name.bold = option == state.winner
            value.x, value.y = score + 0.05, y
        self.figure.ax.set_title(state.title)
        self.figure.render()
        self.flips_view.value = flips_html(state.flips)
        self.adr_view.value = ("<pre style='white-space:pre-wrap;font-size:12px;max-width:900px'>"
                               f"{html.escape(state.adr)}</pre>")

    def save(self, folder: str | Path | None = None, filename: str | None = None) -> SavedADR | None:
        """Save the ADR shown now as Markdown (never over an existing file)."""
        if self.state is None or self.error:
            self.saved.value = "Nothing to save: move a control until the chart shows a ranking."
            return None
        try:
            saved = save_adr(self.state.adr, folder if folder is not None else self.adr_folder,
                             filename or self.filename.value.strip() or None)
        except (OSError, ValueError) as error:
            self.saved.value = f"<span style='color:{themes.BAD}'>Could not save: {html.escape(str(error))}</span>"
            return None
        self.last_saved = saved
        self.saved.value = html.escape(saved.message)
        return saved


def flips_html(flips: pd.DataFrame) -> str:
    """The flip table as a small HTML table, most fragile weight first."""
    rows = []
    for criterion, row in flips.iterrows():
        change = row["change"]
        if pd.isna(change):
            text = f"never within {WEIGHT_MIN:g}–{WEIGHT_MAX:g}"
        elif abs(change) < 1e-9:
            text = f"already tied with {row['challenger']}"
        else:
            text = f"{change:+.2f} (to {row['flips_at']:.2f}): {row['challenger']} draws level"
        rows.append(f"<tr><td>{html.escape(CRITERION_LABELS[criterion])}</td><td style='text-align:right'>"
                    f"{row['weight']:g}</td><td>{html.escape(text)}</td></tr>")
    return ("<table style='font-size:12px'><tr><th style='text-align:left'>criterion</th><th>weight</th>"
            "<th style='text-align:left'>flip point</th></tr>" + "".join(rows) + "</table>")


# -- the lease-lock timeline -------------------------------------------------------------
def lease_title(run: LeaseRun, store: str, verdicts: pd.DataFrame | None = None) -> str:
    """The timeline's point for one store: what it rejected and what it still sold twice."""
    verdicts = store_verdicts(event_log(run), store) if verdicts is None else verdicts
    writes = verdicts[verdicts["kind"] == "write"]
    rejected = int((~writes["accepted"]).sum())
    stale = int(writes.loc[writes["stale_read"], "token"].nunique())
    if store == "none" and stale == 0:
        return "No reservation read stale stock: no pause outlived a lease"
    sold = f"{stale} reservation{'s' * (stale != 1)} sold on a stale read"
    if store == "none":
        return f"Without fencing: {sold}"
    return f"{STORES[store][0].upper()}{STORES[store][1:]}: {rejected} write{'s' * (rejected != 1)} rejected, {sold}"


def row_positions(n_clients: int) -> dict[str, float]:
    """Rows spread over the fixed y-range, so the axes never change (no full redraw) when the
    number of clients does."""
    spacing = MAX_CLIENTS / n_clients
    return {name: (i + 0.5) * spacing - 0.5 for i, name in enumerate(CLIENT_NAMES[:n_clients])}


def _spans(frame: pd.DataFrame, start: str, end: str, row_of: Mapping[str, float], height: float) -> list:
    verts = []
    for client, a, b in zip(frame["client"], frame[start], frame[end], strict=True):
        y = row_of[client]
        verts.append([(a, y - height / 2), (b, y - height / 2), (b, y + height / 2), (a, y + height / 2)])
    return verts


def token_labels(holds: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The holds whose tokens tell the story: the paused client's and the ones that took the
    lock while it was paused (then the earliest, up to ``limit``)."""
    story = holds["pause_ms"] > 0
    if story.any():
        first = holds[story].iloc[0]
        end = max(first["job_end_ms"], first["acquired_ms"] + first["pause_ms"])
        story |= (holds["acquired_ms"] >= first["acquired_ms"]) & (holds["acquired_ms"] <= end)
    chosen = holds[story].head(limit)
    if len(chosen) < limit:
        chosen = pd.concat([chosen, holds[~story].head(limit - len(chosen))]).sort_values("acquired_ms")
    return chosen


class LeaseLockLab(App):
    """Sliders for the pause, the lease and the number of clients, and a switch for what the
    store checks → a timeline of who held the lock, which writes landed, which were rejected,
    and which landed on a stale read (a reservation that sold stock already sold)."""

    title = "Lease-lock simulation: a pause, a lease, and who gets to write"
    MAX_TOKEN_LABELS = 12

    def __init__(self, pause_ms: int = 0, lease_ms: int = 300, n_clients: int = 3, seed: int = 0,
                 store: str = "none") -> None:
        self._start = {"pause_ms": pause_ms, "lease_ms": lease_ms, "n_clients": n_clients, "seed": seed,
                       "store": store_of(store)}
        self.figure = LabelledView(width=7.5, height=3.6, margins={"left": 0.09, "right": 0.96, "top": 0.88, "bottom": 0.27})
        ax = self.figure.ax
        ax.set_xlim(0, HORIZON_MS)
        ax.set_ylim(MAX_CLIENTS - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        plotting.finish(ax, "…", "time (ms)", "client")
        ax.yaxis.set_label_coords(-0.06, 0.5)
        self._held = plotting.mcollections.PolyCollection([], facecolor=plotting.GOOD, alpha=0.3, edgecolor="none")
        self._stale = plotting.mcollections.PolyCollection([], facecolor="none", edgecolor=plotting.BAD, hatch="///", linewidth=0.8)
        self._pause = plotting.mcollections.PolyCollection([], facecolor=plotting.NEUTRAL, alpha=0.45, edgecolor="none")
        for collection in (self._held, self._stale, self._pause):
            ax.add_collection(collection)
        self._ok = ax.scatter([], [], s=14, marker="o", color=plotting.GOOD, zorder=3)
        self._bad = ax.scatter([], [], s=60, marker="X", color=plotting.BAD, zorder=4)
        self._rejected = ax.scatter([], [], s=40, marker="x", color="black", zorder=4)
        ax.set_yticks([])
        self._rows = [PixelLabel(name, -30, i, "rm", 9) for i, name in enumerate(CLIENT_NAMES)]
        self._tokens = [PixelLabel("", 0, 0, "ls", 7, color="#333333") for _ in range(self.MAX_TOKEN_LABELS)]
        self.figure.labels = [*self._rows, *self._tokens]
        handles = [plotting.mpatches.Patch(facecolor=plotting.GOOD, alpha=0.3, label="holds the lease (reads the stock first)"),
                   plotting.mpatches.Patch(facecolor=plotting.NEUTRAL, alpha=0.45, label="paused (GC, network); 33 = token"),
                   plotting.mpatches.Patch(facecolor="none", edgecolor=plotting.BAD, hatch="///", label="lease expired, still working"),
                   ax.scatter([], [], s=14, marker="o", color=plotting.GOOD, label="write landed"),
                   ax.scatter([], [], s=60, marker="X", color=plotting.BAD, label="landed on a stale read (sold twice)"),
                   ax.scatter([], [], s=40, marker="x", color="black", label="write rejected by the store")]
        self.figure.fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
        self.figure.animate(self._held, self._stale, self._pause, self._ok, self._bad, self._rejected,
                            )
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        s = self._start
        return {
            "pause_ms": int_slider("Pause of client A (ms)", s["pause_ms"], 0, 1500, 50),
            "lease_ms": int_slider("Lease length (ms)", s["lease_ms"], 100, 1000, 50),
            "n_clients": int_slider("Clients", s["n_clients"], 2, MAX_CLIENTS),
            "seed": int_slider("Seed", s["seed"], 0, 20),
            "store": dropdown("Store", [(label, key) for key, label in STORES.items()], s["store"]),
        }

    def compute(self, pause_ms: int, lease_ms: int, n_clients: int, seed: int, store: str) -> dict[str, Any]:
        run = simulate_lease_lock(int(n_clients), int(lease_ms), int(pause_ms), int(seed))
        verdicts = store_verdicts(event_log(run), store)
        writes = verdicts[verdicts["kind"] == "write"]
        return {"run": run, "store": store, "verdicts": verdicts, "title": lease_title(run, store, verdicts),
                "stale": int(writes.loc[writes["stale_read"], "token"].nunique()),
                "rejected": int((~writes["accepted"]).sum())}

    def draw(self, state: dict[str, Any]) -> None:
        run: LeaseRun = state["run"]
        holds, writes = run.holds, run.writes
        n = run.params["n_clients"]
        row_of = row_positions(n)
        height = min(0.6 * MAX_CLIENTS / n, 1.2)
        self._held.set_verts(_spans(holds, "acquired_ms", "released_ms", row_of, height))
        late = holds[holds["job_end_ms"] > holds["expires_ms"]]
        self._stale.set_verts(_spans(late, "expires_ms", "job_end_ms", row_of, height * 0.8))
        paused = holds[holds["pause_ms"] > 0].assign(pause_end=lambda f: f["acquired_ms"] + f["pause_ms"])
        self._pause.set_verts(_spans(paused, "acquired_ms", "pause_end", row_of, height))
        verdicts = state["verdicts"]
        writes = verdicts[verdicts["kind"] == "write"]
        xy = np.column_stack([writes["time_ms"].to_numpy(float), writes["client"].map(row_of).to_numpy(float)])
        accepted, stale = writes["accepted"].to_numpy(bool), writes["stale_read"].to_numpy(bool)
        self._ok.set_offsets(xy[accepted & ~stale])
        self._bad.set_offsets(xy[stale])
        self._rejected.set_offsets(xy[~accepted])
        for i, label in enumerate(self._rows):
            label.visible = i < n
            label.y = row_of.get(CLIENT_NAMES[i], 0.0)
        shown = token_labels(holds, self.MAX_TOKEN_LABELS)
        for i, text in enumerate(self._tokens):
            if i < len(shown):
                row = shown.iloc[i]
                text.x, text.y = row["acquired_ms"], row_of[row["client"]] - height / 2 - 0.05
                text.text = str(row["token"])
                text.visible = True
            else:
                text.visible = False
        self.figure.ax.set_title(state["title"])
        self.figure.render()


#: Every widget of the lesson, by name: the benchmark and the robustness tests drive each
#: control of each through its whole range.
APPS = {"trade-off-explorer": TradeoffExplorer, "lease-lock": LeaseLockLab}

