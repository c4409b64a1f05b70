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


def png(fig: Figure) -> bytes:
    """Render a whole figure to PNG bytes, for static charts (widgets use :func:`encode`).
    One Agg draw and a fast PNG setting: about half of ``savefig``'s time."""
    from PIL import Image

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


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
