"""One plot style for the whole curriculum: the Okabe-Ito palette (safe for the common
colour-vision deficiencies), a title that states the point, axes labelled with units."""

from __future__ import annotations

import io

import matplotlib
import matplotlib.pyplot as plt
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

STYLE = {
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "figure.figsize": (7.5, 4.0),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "legend.frameon": False,
    "font.size": 10,
}


def apply_style() -> None:
    """Apply the curriculum's style to every plot made after this call."""
    plt.rcParams.update(STYLE)


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


def new_figure(width: float = 7.5, height: float = 4.0) -> tuple[Figure, Axes]:
    """A figure that is not registered with pyplot, so widgets can own and redraw it
    without it also appearing as a stray inline image."""
    apply_style()
    with plt.rc_context(STYLE):
        fig = Figure(figsize=(width, height), dpi=STYLE["figure.dpi"], layout="tight")
        ax = fig.add_subplot()
    return fig, ax


def encode(canvas: FigureCanvasAgg) -> bytes:
    """PNG bytes of what an Agg canvas holds now. Compression level 1: a few ms instead
    of ~40 ms for savefig's default, for files about twice as large (tens of kB)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def png(fig: Figure) -> bytes:
    """Render a whole figure to PNG bytes."""
    canvas = FigureCanvasAgg(fig) if not isinstance(fig.canvas, FigureCanvasAgg) else fig.canvas
    canvas.draw()
    return encode(canvas)


def title_of(ax: Axes) -> str:
    """An Axes' title wherever it sits (the style puts titles on the left)."""
    for loc in ("left", "center", "right"):
        text = ax.get_title(loc=loc)
        if text:
            return text
    return ""


def title_artist(ax: Axes):
    """The Text artist the style's titles go to (left-aligned), for blitting."""
    loc = plt.rcParams.get("axes.titlelocation", "center")
    return {"left": ax._left_title, "right": ax._right_title}.get(loc, ax.title)
