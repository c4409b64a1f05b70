"""One plot style for the whole curriculum: the Okabe-Ito palette (safe for the common
colour-vision deficiencies), a title that states the point, axes labelled with units.

This module does not import matplotlib until something is drawn (see :mod:`steward.lazy`):
an exercise that only runs its tasks never pays for it. The style reaches charts three
ways: :func:`new_figure` and widgets draw inside it, and :func:`apply_style` (called by
``steward.setup()``) gives it to the learner's own ``plt`` charts, through
``steward/matplotlibrc`` when matplotlib is not imported yet.
"""

from __future__ import annotations

import io
import os
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from steward import lazy

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with protanopia,
#: deuteranopia and tritanopia. Order: the first colours are the most distinct.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE = list(PALETTE.values())
GOOD, BAD, NEUTRAL, HIGHLIGHT = PALETTE["blue"], PALETTE["vermillion"], "#999999", PALETTE["orange"]
#: Secondary text drawn in a chart (a quadrant's name, a marker's label): NEUTRAL's grey is
#: for lines and bars; as text on white it reads at 2.8:1, this at 7:1 (WCAG AA asks 4.5:1).
MUTED_TEXT = "#595959"

#: The style, except the colour cycle (a matplotlib object: see :func:`rc`).
STYLE: dict[str, Any] = {
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    # A fixed title height: matplotlib otherwise measures the y axis's ticks before every
    # draw to lift the title over an offset label (our axes carry units, not offsets).
    "axes.titley": 1.0,
    "axes.labelsize": 10,
    "figure.figsize": (7.5, 4.0),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "legend.frameon": False,
    "font.size": 10,
    # Dates on an axis as "Mar 05 … Mar 11", not "2024-03-04 2024-03-05 …", which run
    # together on a week-long axis at a lesson's width.
    "date.converter": "concise",
}


#: The same style as a matplotlib configuration file, read when matplotlib is imported.
RC_FILE = Path(__file__).with_name("matplotlibrc")


def rc() -> dict[str, Any]:
    """The whole style as rcParams (imports matplotlib for the colour cycle)."""
    from matplotlib import cycler

    return {"axes.prop_cycle": cycler(color=CYCLE), **STYLE}


def rc_file_text() -> str:
    """:data:`STYLE` in matplotlibrc syntax (the test suite keeps :data:`RC_FILE` equal to it)."""

    def value(v: Any) -> str:
        return ", ".join(map(str, v)) if isinstance(v, tuple) else str(v)

    colours = ", ".join(f"'{c.lstrip('#')}'" for c in CYCLE)
    lines = ["# Written from steward/plotting.py STYLE; edit that, then run the test suite.",
             f"axes.prop_cycle: cycler('color', [{colours}])"]
    lines += [f"{key}: {value(v)}" for key, v in STYLE.items()]
    return "\n".join(lines) + "\n"


def apply_style() -> None:
    """Apply the curriculum's style to every plot made after this call.

    When matplotlib is already imported, its rcParams are updated now. Otherwise the
    ``MATPLOTLIBRC`` variable points matplotlib at :data:`RC_FILE` for when it is imported,
    so that setting up a notebook does not cost matplotlib's 0.3 s import (a
    ``MATPLOTLIBRC`` the learner set is left alone).
    """
    if "matplotlib" in sys.modules:
        import matplotlib

        matplotlib.rcParams.update(rc())
    else:
        os.environ.setdefault("MATPLOTLIBRC", str(RC_FILE))


def finish(ax: Axes, title: str, xlabel: str, ylabel: str) -> Axes:
    """Set the three texts every plot must have; refuse to draw a plot without them.

    The title should state the point ("Redis wins while latency weighs most"), the
    labels should carry units ("p99 latency (ms)").
    """
    for name, text in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"every plot needs a {name}; got {text!r}")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


#: Room for the texts around a static chart's axes, in inches: tick labels and axis label
#: on the left and bottom, the title on top. Every side also gets :data:`SPARE` more, and
#: :func:`png` crops the drawn image to what was drawn. That gives what tight layout gives
#: without its cost: tight layout measures every text in a first pass (about 40% of a draw).
TEXT_ROOM = {"left": 0.95, "right": 0.3, "bottom": 0.6, "top": 0.5}
SPARE = 0.5
#: Whitespace kept around the drawn content when cropping (pixels).
CROP_PAD = 6


#: matplotlib's artist modules, for lessons that build artists themselves (``plotting.
#: mcollections.PolyCollection(...)``): imported on first use, through the quiet import.
mcollections = lazy.module("matplotlib.collections")
mpatches = lazy.module("matplotlib.patches")


def load_matplotlib() -> None:
    """Import what every chart needs, with the collector paused (see :mod:`steward.lazy`)."""
    lazy.import_quietly("matplotlib.figure")
    lazy.import_quietly("matplotlib.backends.backend_agg")


@cache
def _static_figure_class() -> type:
    load_matplotlib()
    from matplotlib.figure import Figure

    class StaticFigure(Figure):
        """A figure that shows itself as a PNG in a notebook, with or without pyplot."""

        def _repr_png_(self) -> bytes:
            return png(self)

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
            return figure_bundle(self)

    return StaticFigure


def figure_bundle(fig: Figure) -> dict[str, Any]:
    """A static chart as a notebook shows it: the PNG, and the same PNG in an ``<img>`` whose ``alt``
    is :func:`describe`'s text (front ends show the HTML; a PNG output alone cannot carry an
    alternative)."""
    import base64

    data = png(fig)
    alt = describe(fig)
    return {"image/png": base64.b64encode(data).decode("ascii"), "text/html": html_img(data, "image/png", alt),
            "text/plain": alt}


def plain_number(value: float, _position: object = None) -> str:
    """A tick label a reader takes in at a glance: 0.5, 10, 1,000 (not 10³)."""
    return f"{value:,.0f}" if abs(value) >= 1 else f"{value:g}"


def log_scale(ax: Axes, which: str = "y") -> None:
    """Put ``which`` ("x", "y" or "xy") on a log scale labelled with plain numbers and no
    minor ticks. Default log labels are mathtext (10²), whose parser costs ~90 ms on first
    use, and dozens of minor ticks cost more to draw than the data while saying little."""
    from matplotlib.ticker import FuncFormatter, NullLocator

    for name in which:
        if name not in "xy":
            raise ValueError(f"which is 'x', 'y' or 'xy'; got {which!r}")
        (ax.set_xscale if name == "x" else ax.set_yscale)("log")
        axis = ax.xaxis if name == "x" else ax.yaxis
        axis.set_minor_locator(NullLocator())
        axis.set_major_formatter(FuncFormatter(plain_number))


def new_figure(width: float = 7.5, height: float = 4.0, ncols: int = 1, projection: str | None = None,
               nrows: int = 1, sharex: bool = False) -> tuple[Figure, Any]:
    """A static chart of about ``width`` × ``height`` inches once cropped: ``(fig, ax)``, or
    ``(fig, [ax, ...])`` for a grid of ``nrows`` × ``ncols`` (row by row). It is not
    registered with pyplot, so nothing shows twice, and a notebook cell that ends with the
    figure shows it as a PNG, drawn once, even when pyplot was never imported."""
    for name, count in (("ncols", ncols), ("nrows", nrows)):
        if not isinstance(count, int) or count < 1:
            raise ValueError(f"{name} is a whole number of charts, at least 1; got {count!r}")
    apply_style()
    room = {side: inches + SPARE for side, inches in TEXT_ROOM.items()}
    full_width, full_height = width + 2 * SPARE, height + 2 * SPARE
    fig = _static_figure_class()(figsize=(full_width, full_height), dpi=STYLE["figure.dpi"])
    fig.subplots_adjust(left=room["left"] / full_width, right=1 - room["right"] / full_width,
                        bottom=room["bottom"] / full_height, top=1 - room["top"] / full_height,
                        wspace=0.35, hspace=0.12 if sharex else 0.35)
    axes = list(fig.subplots(nrows, ncols, sharex=sharex, squeeze=False,
                             subplot_kw={"projection": projection}).flat)
    return fig, (axes[0] if len(axes) == 1 else axes)


def crop(pixels: np.ndarray, pad: int = CROP_PAD) -> np.ndarray:
    """The part of an RGBA image that differs from its background (the top-left pixel's
    colour), with ``pad`` pixels around it; the whole image when it is all background."""
    drawn = (pixels != pixels[0, 0]).any(axis=2)
    rows, cols = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    if rows.size == 0:
        return pixels
    top, bottom = max(rows[0] - pad, 0), min(rows[-1] + pad + 1, pixels.shape[0])
    left, right = max(cols[0] - pad, 0), min(cols[-1] + pad + 1, pixels.shape[1])
    return pixels[top:bottom, left:right]


#: Widgets send JPEG, not PNG: for a chart of ~550×430 px, PIL encodes JPEG at quality 92
#: in about 1 ms against 25–40 ms for PNG (its row filters dominate even at level 0), at
#: half the size. At this quality the ringing around lines is not visible.
WIDGET_FORMAT = "jpeg"
JPEG_QUALITY = 92


def encode_image(image) -> bytes:
    """Bytes of a PIL image in the widgets' format."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format=WIDGET_FORMAT, quality=JPEG_QUALITY)
    return buffer.getvalue()


def encode(canvas: FigureCanvasAgg) -> bytes:
    """What an Agg canvas holds now, encoded for an ``ipywidgets.Image``."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    return encode_image(Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1))


def touches_edge(pixels: np.ndarray) -> bool:
    """Whether anything is drawn on the image's border: then part of it may lie outside."""
    background = pixels[0, 0]
    edges = (pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1])
    return any((edge != background).any() for edge in edges)


def overflows(fig: Figure, renderer: Any) -> bool:
    """Whether a legend or text (titles, labels, annotations) extends past the figure, even
    where none of it is drawn on the canvas. Their extents are cached by the draw, so this
    costs well under a millisecond."""
    width, height = fig.bbox.width, fig.bbox.height
    artists = [*fig.texts, *fig.legends]
    for ax in fig.axes:
        artists += [ax.get_legend(), *ax.texts, ax.title, ax._left_title, ax._right_title,
                    ax.xaxis.label, ax.yaxis.label]
    for artist in artists:
        if artist is None or not artist.get_visible() or (hasattr(artist, "get_text") and not artist.get_text()):
            continue
        box = artist.get_window_extent(renderer)
        if box.x0 < 0 or box.y0 < 0 or box.x1 > width or box.y1 > height:
            return True
    return False


def png(fig: Figure) -> bytes:
    """Render a whole figure to PNG bytes, for static charts (widgets use :func:`encode`):
    one Agg draw, cropped to what was drawn, and a fast PNG setting (about a third of
    ``savefig(bbox_inches="tight")``'s time, which draws twice). When something reaches the
    canvas's edge (a legend placed outside the axes, say), the chart is drawn again the slow
    way, so nothing is ever cut off."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    if touches_edge(pixels) or overflows(fig, canvas.get_renderer()):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=CROP_PAD / fig.dpi)
        return buffer.getvalue()
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(crop(pixels)), "RGBA").convert("RGB").save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def title_of(ax: Axes) -> str:
    """An Axes' title wherever it sits (the style puts titles on the left)."""
    for loc in ("left", "center", "right"):
        text = ax.get_title(loc=loc)
        if text:
            return text
    return ""


def title_artist(ax: Axes):
    """The Text artist that holds the Axes' title (for blitting and hiding): the one with
    text, else the one the curriculum's style writes to (left-aligned)."""
    artists = {"left": ax._left_title, "center": ax.title, "right": ax._right_title}
    for artist in artists.values():
        if artist.get_text():
            return artist
    return artists.get(STYLE["axes.titlelocation"], ax.title)


# -- text alternatives ---------------------------------------------------------------
#: The longest alternative text :func:`describe` writes (screen readers read all of it;
#: past this the listener has lost the thread, and the lesson's text carries the rest).
ALT_LIMIT = 900
#: At most this many values are read out per series (bars, labels); the rest are counted.
ALT_VALUES = 12


def number_text(value: float) -> str:
    """A number as a reader would say it: 4.5, 12.3, 1,234 (three significant digits at most
    below 100, whole numbers above)."""
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    text = f"{value:.3g}"
    return text if "e" not in text else f"{value:.2g}"


def _tick_names(axis: Any) -> dict[float, str]:
    """Tick position → tick label, for the ticks whose labels are plain text (categories)."""
    try:
        locations = list(axis.get_majorticklocs())
        labels = [t.get_text() for t in axis.get_majorticklabels()]
    except Exception:  # an axis that cannot be read is described by numbers only
        return {}
    names = {}
    for location, label in zip(locations, labels, strict=False):
        label = label.replace("\n", " ").strip()
        if label and not label.replace(",", "").replace(".", "").replace("−", "").replace("-", "").strip().isdigit():
            names[float(location)] = label
    return names


def _name_at(names: dict[float, str], position: float, tolerance: float) -> str | None:
    for location, label in names.items():
        if abs(location - position) <= tolerance:
            return label
    return None


def _series(items: list[str]) -> str:
    shown = items[:ALT_VALUES]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _describe_bars(ax: Axes) -> list[str]:
    from matplotlib.container import BarContainer

    parts = []
    for container in ax.containers:
        if not isinstance(container, BarContainer):
            continue
        bars = [p for p in container.patches if p.get_visible()]
        if not bars:
            continue
        horizontal = getattr(container, "orientation", None) == "horizontal"
        names = _tick_names(ax.yaxis if horizontal else ax.xaxis)
        values = []
        for bar in bars:
            x, y, width, height = bar.get_x(), bar.get_y(), bar.get_width(), bar.get_height()
            where, size, value = (y + height / 2, abs(height) / 2, x + width) if horizontal else (x + width / 2, abs(width) / 2, y + height)
            name = _name_at(names, where, size)
            values.append(f"{name} {number_text(value)}" if name else number_text(value))
        label = container.get_label()
        prefix = f"bars {label}" if label and not label.startswith("_") else "bars"
        parts.append(f"{prefix}: {_series(values)}")
    parts += _describe_loose_bars(ax)
    return parts


def _describe_loose_bars(ax: Axes) -> list[str]:
    """Rectangles drawn as bars without ``ax.bar`` (a lesson that moves its own patches):
    horizontal when they share a left edge, vertical when they share a baseline."""
    from matplotlib.container import BarContainer
    from matplotlib.patches import Rectangle

    owned = {id(p) for c in ax.containers if isinstance(c, BarContainer) for p in c.patches}
    bars = [p for p in ax.patches if type(p) is Rectangle and id(p) not in owned and p.get_visible()
            and p.get_width() != 0 and p.get_height() != 0]
    if len(bars) < 2:
        return []
    lefts, bottoms = {round(p.get_x(), 9) for p in bars}, {round(p.get_y(), 9) for p in bars}
    if len(lefts) == 1:
        horizontal = True
    elif len(bottoms) == 1:
        horizontal = False
    else:
        return []
    names = _tick_names(ax.yaxis if horizontal else ax.xaxis)
    top_first = -1 if horizontal and not ax.yaxis_inverted() else 1  # read top to bottom, left to right
    ordered = sorted(bars, key=lambda p: top_first * (p.get_y() + p.get_height() / 2) if horizontal else p.get_x())
    values = []
    for bar in ordered:
        x, y, width, height = bar.get_x(), bar.get_y(), bar.get_width(), bar.get_height()
        where, size, value = (y + height / 2, abs(height) / 2, x + width) if horizontal else (x + width / 2, abs(width) / 2, y + height)
        name = _name_at(names, where, size)
        hatched = " (hatched)" if bar.get_hatch() else ""
        values.append(f"{name} {number_text(value)}{hatched}" if name else f"{number_text(value)}{hatched}")
    return [f"bars: {_series(values)}"]


def _describe_lines(ax: Axes) -> list[str]:
    parts = []
    for line in ax.lines:
        if not line.get_visible():
            continue
        x, y = np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)
        keep = np.isfinite(x) & np.isfinite(y) if x.shape == y.shape else np.zeros(0, bool)
        x, y = x[keep], y[keep]
        if x.size == 0:
            continue
        label = line.get_label()
        name = f"line {label}" if label and not label.startswith("_") else "line"
        if x.size == 1 or (np.ptp(x) == 0 and x.size == 2):
            parts.append(f"{name} at {number_text(x[0])}" if np.ptp(y) > 0 else f"{name} at ({number_text(x[0])}, {number_text(y[0])})")
            continue
        if np.ptp(y) == 0:
            parts.append(f"{name} level at {number_text(y[0])}")
            continue
        top, low = int(np.argmax(y)), int(np.argmin(y))
        text = f"{name} from ({number_text(x[0])}, {number_text(y[0])}) to ({number_text(x[-1])}, {number_text(y[-1])})"
        if 0 < top < x.size - 1:
            text += f", highest {number_text(y[top])} at {number_text(x[top])}"
        if 0 < low < x.size - 1:
            text += f", lowest {number_text(y[low])} at {number_text(x[low])}"
        parts.append(text)
    return parts[:ALT_VALUES]


def _describe_texts(ax: Axes) -> list[str]:
    texts = [t.get_text().replace("\n", " ").strip() for t in ax.texts if t.get_visible()]
    texts = [t for t in texts if t]
    return [f"labels: {_series(texts)}"] if texts else []


def describe(fig: Figure) -> str:
    """An alternative text for a chart: for each Axes its title (which states the point),
    what each axis shows (its label, with units), then the numbers a sighted reader reads off
    it: every bar's name and value, each line's end points and extremes, the texts drawn on
    it, and the legend. Cheap enough (well under a millisecond for a lesson's chart) to be
    rebuilt on every redraw of a widget."""
    sentences = []
    for ax in fig.axes:
        if not ax.get_visible() or not (ax.has_data() or ax.texts or title_of(ax)):
            continue
        parts = []
        title = title_of(ax).replace("\n", " ").strip()
        if title:
            parts.append(title.rstrip(".") + ".")
        axes = [f"{which} axis: {label}" for which, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if label.strip()]
        if axes:
            parts.append("; ".join(axes).replace("\n", " ") + ".")
        numbers = _describe_bars(ax) + _describe_lines(ax) + _describe_texts(ax)
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            entries = [t.get_text() for t in legend.get_texts() if t.get_text()]
            if entries:
                numbers.append(f"legend: {_series(entries)}")
        if numbers:
            parts.append("; ".join(numbers) + ".")
        if parts:
            sentences.append(" ".join(parts))
    for legend in fig.legends:
        entries = [t.get_text() for t in legend.get_texts() if t.get_text()]
        if entries:
            sentences.append(f"Legend: {_series(entries)}.")
    text = " ".join(sentences) or "A chart without a title."
    return text if len(text) <= ALT_LIMIT else text[: ALT_LIMIT - 1].rsplit(" ", 1)[0] + "…"


def html_img(data: bytes, mime: str, alt: str) -> str:
    """An ``<img>`` with the image inline and its alternative text."""
    import base64
    import html

    encoded = base64.b64encode(data).decode("ascii")
    return f'<img src="data:{mime};base64,{encoded}" alt="{html.escape(alt, quote=True)}" style="max-width:100%"/>'
