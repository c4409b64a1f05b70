"""Static charts: drawn once, cropped to what was drawn, shown without pyplot."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from steward import outcomes, plotting


def test_crop_keeps_what_was_drawn_with_padding() -> None:
    pixels = np.full((50, 80, 4), 255, dtype=np.uint8)
    pixels[10:20, 30:35] = (0, 0, 0, 255)
    cropped = plotting.crop(pixels, pad=2)
    assert cropped.shape[:2] == (10 + 4, 5 + 4)
    assert plotting.crop(pixels[:5, :5]).shape == (5, 5, 4)  # all background: unchanged


def test_crop_clips_padding_at_the_edges() -> None:
    pixels = np.full((20, 20, 4), 255, dtype=np.uint8)
    pixels[0:3, 17:20] = (1, 2, 3, 255)
    assert plotting.crop(pixels, pad=6).shape[:2] == (9, 9)


def test_a_static_figure_shows_itself_as_a_png_of_about_its_nominal_size() -> None:
    fig, ax = plotting.new_figure(6, 3)
    ax.plot([0, 1], [0, 1])
    plotting.finish(ax, "A title that states the point", "x (units)", "y (units)")
    image = Image.open(io.BytesIO(fig._repr_png_()))
    dpi = plotting.STYLE["figure.dpi"]
    assert image.format == "PNG"
    # cropped: smaller than the drawn canvas, close to the size the caller asked for
    assert 0.8 * 6 * dpi <= image.width <= 6.3 * dpi
    assert 0.8 * 3 * dpi <= image.height <= 3.3 * dpi


def test_nothing_drawn_is_cut_off() -> None:
    """The texts fit inside the spare room: no drawn pixel touches the canvas edge."""
    fig, ax = plotting.new_figure(5, 2.5)
    ax.plot([0, 1e6], [0, 1e6])
    plotting.finish(ax, "Two lines of title,\nwhich need more room above", "requests per second (req/s)",
                    "latency (ms)")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    drawn = (pixels != pixels[0, 0]).any(axis=2)
    assert not (drawn[0].any() or drawn[-1].any() or drawn[:, 0].any() or drawn[:, -1].any())


@pytest.mark.parametrize("outputs, expected", [
    ([{"data": {"text/plain": "<Figure size 675x315 with 1 Axes>"}}], "<Figure size 675x315 with 1 Axes>"),
    ([{"data": {"text/plain": ["<matplotlib.axes._axes.Axes at 0x7f>"]}}], "<matplotlib.axes._axes.Axes at 0x7f>"),
    ([{"data": {"text/plain": "<Figure size 675x315 with 1 Axes>", "image/png": "iVBOR"}}], None),
    ([{"data": {"text/plain": "<Axes: title={'left': 'x'}>"}}, {"data": {"image/png": "iVBOR"}}], None),
    ([{"data": {"text/plain": "42"}}], None),
    ([{"output_type": "stream", "text": "<Figure size 1x1>"}], None),
])
def test_undrawn_chart_finds_a_chart_shown_as_text(outputs, expected) -> None:
    assert outcomes.undrawn_chart(outputs) == expected


def test_what_reaches_beyond_the_canvas_is_not_cut_off() -> None:
    """A legend outside the axes: the chart is drawn again with matplotlib's tight box."""
    fig, ax = plotting.new_figure(4, 2)
    ax.plot([0, 1], label="a label long enough to leave the figure")
    ax.legend(loc="upper left", bbox_to_anchor=(1.5, 1))
    plotting.finish(ax, "Title", "x", "y")
    canvas_width = fig.get_figwidth() * fig.dpi
    image = Image.open(io.BytesIO(fig._repr_png_()))
    assert image.width > canvas_width


@pytest.mark.parametrize("pixel, touches", [((0, 5), True), ((5, 0), True), ((19, 5), True), ((5, 5), False)])
def test_touches_edge(pixel, touches) -> None:
    pixels = np.full((20, 20, 4), 255, dtype=np.uint8)
    pixels[pixel] = (0, 0, 0, 255)
    assert plotting.touches_edge(pixels) is touches


@pytest.mark.parametrize("grid, count", [({}, 1), ({"ncols": 2}, 2), ({"nrows": 2, "sharex": True}, 2), ({"nrows": 2, "ncols": 3}, 6)])
def test_new_figure_grids(grid, count) -> None:
    fig, axes = plotting.new_figure(4, 3, **grid)
    assert len(fig.axes) == count
    assert (axes is fig.axes[0]) if count == 1 else (list(axes) == fig.axes)


@pytest.mark.parametrize("grid", [{"ncols": 0}, {"nrows": 1.5}, {"ncols": "2"}])
def test_new_figure_refuses_an_impossible_grid(grid) -> None:
    with pytest.raises(ValueError, match="whole number"):
        plotting.new_figure(**grid)
