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

    return StaticFigure


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
