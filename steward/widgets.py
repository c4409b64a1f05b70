"""Thin widgets over pure functions.

An :class:`App` owns named controls, recomputes its state from their values with the
lesson's pure functions, and redraws. Every redraw is timed (``app.timings``, seconds)
so the benchmark can report p50/p95 per control; any error while redrawing becomes a
plain message in the app, never a traceback, so every value of every control gives a
sensible view.

Plots are owned :class:`FigureView` s: the figure is kept and its artists updated, then
rendered into an ``ipywidgets.Image``; the title is also shown as text, and the image
carries an alternative text built from the chart's artists (:func:`plotting.describe`),
renewed with every picture.

Accessibility (issue #18): every control has a name (unnamed ones get a visible label),
sliders render as labelled native range inputs (:func:`named_slider_classes`), focus is
visible, and a redraw sends its pictures before its texts.
"""

from __future__ import annotations

import contextlib
import html
import os
import time
import weakref
from collections.abc import Callable, Hashable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from steward import lazy, plotting, themes

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

_ipywidgets = lazy.module("ipywidgets")

#: Where the accessible slider's front end lives (see :func:`named_slider_classes`).
WEB = Path(__file__).with_name("web")
#: The ipywidgets sliders that are swapped for named ones, and the kind of scale each has.
NAMED_SLIDERS = {"FloatSlider": "float", "IntSlider": "int", "FloatLogSlider": "log"}


@cache
def named_slider_classes() -> dict[str, type]:
    """ipywidgets' sliders with a front end a screen reader can name (issue #18).

    ipywidgets 8 draws a slider with noUiSlider, whose handle (``role="slider"``) gets no
    accessible name: its description is a ``<label>`` not tied to the handle, and no trait
    reaches the handle (axe-core: ``aria-input-field-name``, serious). These classes keep
    everything of the ipywidgets slider on the Python side (traits, validation, ``observe``,
    ``isinstance``) and swap only the view, through anywidget: a native range input with
    a ``<label for>``, the browser's keys, a visible focus ring and an unclipped read-out
    (``steward/web/slider.js``). Without anywidget, or with ``STEWARD_PLAIN_SLIDERS=1``,
    the lessons get ipywidgets' own sliders."""
    if os.environ.get("STEWARD_PLAIN_SLIDERS", "").strip() not in ("", "0"):
        return {}
    try:
        anywidget = lazy.import_quietly("anywidget")
    except ImportError:
        return {}
    from traitlets import Unicode

    esm, css = (WEB / "slider.js").read_text(), (WEB / "slider.css").read_text()
    classes = {}
    for name, kind in NAMED_SLIDERS.items():
        base = getattr(_ipywidgets, name)
        classes[name] = type(name, (anywidget.AnyWidget, base), {
            "__module__": __name__,
            "__doc__": f"``ipywidgets.{name}`` with a named, keyboard-operable view (see named_slider_classes).",
            "_esm": esm, "_css": css,
            "_steward_kind": Unicode(kind).tag(sync=True),
        })
    return classes


class _Widgets:
    """ipywidgets, imported when the first widget is built (an exercise that builds none
    never imports it), with its sliders swapped for named ones where anywidget is there."""

    def __getattr__(self, name: str) -> Any:
        if name in NAMED_SLIDERS:
            named = named_slider_classes().get(name)
            if named is not None:
                return named
        return getattr(_ipywidgets, name)

    def __dir__(self) -> list[str]:
        return dir(_ipywidgets)

    def __repr__(self) -> str:
        return "<ipywidgets, with named sliders (steward.widgets.w)>"


#: What lessons use as ``from steward.widgets import w``: ipywidgets, lazily, with sliders
#: a screen reader can name.
w: Any = _Widgets()


@cache
def _described_image_class() -> type:
    from traitlets import Unicode

    class DescribedImage(w.Image):
        """An ``ipywidgets.Image`` whose ``tooltip`` is its alternative text.

        ipywidgets 8's Image has no ``alt``; its view writes ``tooltip`` to the ``<img>``'s
        ``title`` (an accessible name, and what axe-core's ``image-alt`` accepts), but only
        when the model has a ``description`` (the base view reads its length), which Image
        lacks: this class syncs an empty one."""

        description = Unicode("").tag(sync=True)

    return DescribedImage


def described_image(**kwargs: Any) -> w.Image:
    """An image widget that carries its alternative text in ``tooltip`` (see above)."""
    return _described_image_class()(**kwargs)


class FigureView:
    """A figure that a widget redraws in place, fast.

    Matplotlib's full redraw of a figure costs 40–100 ms on a small machine, most of it
    text. So a view can mark the artists that change as *animated* (:meth:`animate`):
    the rest (axes, ticks, labels) is drawn once and cached, and each :meth:`render`
    restores that background and draws only the animated artists (blitting), then
    encodes the pixels as JPEG (about 1 ms, against 25–40 ms for PNG). Call :meth:`invalidate` when something
    static changes (limits, tick labels).
    """

    def __init__(
        self, width: float = 7.5, height: float = 4.0, axes: int = 1, projection: str | None = None,
        margins: dict[str, float] | None = None,
    ) -> None:
        plotting.load_matplotlib()
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        plotting.apply_style()
        self.fig = Figure(figsize=(width, height), dpi=plotting.STYLE["figure.dpi"])
        self.margins = margins
        if margins:
            self.fig.subplots_adjust(**margins)
        self.canvas = FigureCanvasAgg(self.fig)
        self.axes: list[Axes] = [self.fig.add_subplot(1, axes, i + 1, projection=projection) for i in range(axes)]
        self.image = described_image(format=plotting.WIDGET_FORMAT, layout=w.Layout(max_width="100%", height="auto"))
        #: The chart's alternative text (:func:`plotting.describe`), rebuilt whenever a new
        #: picture is sent, by this class's render or by a subclass's.
        self.alt = ""
        #: Optional: a function giving what the artists cannot (names drawn as pixels, say),
        #: appended to the alternative text on every redraw.
        self.alt_details: Callable[[], str] | None = None
        self.image.observe(self._describe, names="value")
        self.caption = w.HTML(layout=w.Layout(margin="0 0 0 4px"))
        self.widget = w.VBox([self.caption, self.image])
        self._animated: list[Artist] = []
        self._background: Any = None
        #: Backgrounds already drawn, by what their static part shows (see :meth:`invalidate`).
        self._backgrounds: dict[Hashable, Any] = {}
        self._background_key: Hashable | None = None
        self.full_draws = 0

    def show(self, data: bytes) -> None:
        """Send a new picture and its alternative text to the page in one message (a subclass
        that sets ``image.value`` itself still gets the text, in a second message)."""
        alt = self._alternative()
        with self.image.hold_sync():
            self._showing = True
            try:
                self.image.value = data
            finally:
                self._showing = False
            self.alt = alt
            if self.image.tooltip != alt:
                self.image.tooltip = alt

    def _describe(self, _change: Any = None) -> None:
        if getattr(self, "_showing", False):
            return
        self.alt = self._alternative()
        if self.image.tooltip != self.alt:
            self.image.tooltip = self.alt

    def _alternative(self) -> str:
        alt = plotting.describe(self.fig)
        if self.alt_details is not None:
            try:
                alt = f"{alt} {self.alt_details()}".strip()
            except Exception as error:  # a describer must never break a redraw
                alt = f"{alt} (details unavailable: {type(error).__name__})"
        return alt

    @property
    def ax(self) -> Axes:
        return self.axes[0]

    @property
    def title(self) -> str:
        return plotting.title_of(self.axes[0])

    def title_as_caption(self, ax: Axes | None = None) -> None:
        """Show the title (the chart's point) only in the caption above the image, which
        :meth:`render` writes as text: drawing a changing title into the pixels costs more
        than the rest of a redraw, and the caption is also what screen readers get."""
        plotting.title_artist(ax if ax is not None else self.ax).set_visible(False)

    def animate(self, *artists: Artist) -> None:
        """Mark artists that change on every update; everything else is cached."""
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)
        self._background = None
        self._backgrounds.clear()  # drawn with other artists static

    def forget(self, *artists: Artist) -> None:
        """Stop tracking (e.g. removed) animated artists."""
        self._animated = [a for a in self._animated if a not in artists]

    #: How many keyed backgrounds a view keeps (each is the figure's pixels: about 0.4 MB).
    BACKGROUNDS_KEPT = 8

    def invalidate(self, key: Hashable | None = None) -> None:
        """The static part changed: the next render redraws everything. With ``key`` (a value
        that fixes what the static part shows, e.g. an axis's floor), a background drawn before
        for the same key is reused instead: an app whose axis takes a few levels redraws each once."""
        self._background_key = key
        self._background = None if key is None else self._backgrounds.get(key)

    def render(self) -> None:
        if self._background is None or not self._animated:
            if not self.margins:
                self.fig.tight_layout()
            self.canvas.draw()  # animated artists are skipped here
            self.full_draws += 1
            self._background = self.canvas.copy_from_bbox(self.fig.bbox) if self._animated else None
            if self._background_key is not None and self._background is not None:
                if len(self._backgrounds) >= self.BACKGROUNDS_KEPT:
                    self._backgrounds.pop(next(iter(self._backgrounds)))
                self._backgrounds[self._background_key] = self._background
        else:
            self.canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible() and artist.figure is not None:
                (artist.axes or self.fig).draw_artist(artist)
        self.show(plotting.encode(self.canvas))
        self.caption.value = caption_html(self.title)


def caption_html(title: str) -> str:
    """A chart's title as the caption above its image: bold, its line breaks kept (a title
    drawn on two lines would otherwise run together: "… (4/5) Grow first: …")."""
    lines = "<br>".join(html.escape(line) for line in title.splitlines())
    return f"<span class='steward-chart-title'><b>{lines}</b></span>"


@cache
def app_css() -> str:
    """Every app's shared CSS (``steward/web/app.css``): tables whose columns stand apart,
    a visible focus ring on every control."""
    return (WEB / "app.css").read_text()


class App:
    """Base for a lesson's interactive tool. Subclasses define :meth:`controls`,
    :meth:`compute` (pure: values → state) and :meth:`draw` (state → view)."""

    title = ""
    #: Every app alive in this kernel (weakly held): the browser test counts their redraws.
    _live: weakref.WeakSet[App] = weakref.WeakSet()

    @classmethod
    def redraws(cls) -> int:
        """How many times the apps alive in this kernel have redrawn."""
        return sum(len(app.timings) for app in list(cls._live))

    def __init__(self) -> None:
        App._live.add(self)
        self.inputs: dict[str, w.Widget] = self.controls()
        self.message = w.HTML()
        self.timings: list[float] = []
        self.state: Any = None
        self.error: str | None = None
        self.body = self.layout()
        header = [w.HTML(f"<h3 style='margin:4px 0;font-size:1.05em'>{html.escape(self.title)}</h3>")] if self.title else []
        style = w.HTML(f"<style>{app_css()}</style>", layout=w.Layout(display="none"))
        self.view = w.VBox([style, *header, self.body, self.message], layout=w.Layout(width="100%"))
        self.view.add_class("steward-app")
        name_controls(self.view, {id(control): key for key, control in self.inputs.items()})
        for control in self.inputs.values():
            control.observe(self._changed, names="value")
        self.refresh()

    # -- to override ---------------------------------------------------------------
    def controls(self) -> dict[str, w.Widget]:
        raise NotImplementedError

    def compute(self, **values: Any) -> Any:
        raise NotImplementedError

    def draw(self, state: Any) -> None:
        raise NotImplementedError

    def layout(self) -> w.Widget:
        """The controls, then the chart (an app's ``figure``, if it has one)."""
        parts = list(self.inputs.values())
        figure = getattr(self, "figure", None)
        if isinstance(figure, FigureView):
            parts.append(figure.widget)
        return w.VBox(parts)

    # -- machinery ---------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.inputs.items()}

    def _changed(self, change: dict[str, Any]) -> None:
        self.refresh()

    def _texts(self) -> list[Any]:
        """The view's text widgets (HTML), found once the view exists."""
        if getattr(self, "_text_widgets", None) is None:
            if getattr(self, "view", None) is None:
                return []
            self._text_widgets = [x for x in _walk(self.view) if isinstance(x, w.HTML | w.HTMLMath)]
        return self._text_widgets

    def refresh(self) -> None:
        """Recompute and redraw. The pictures go to the page as soon as they are drawn; the
        text widgets' updates are held and sent after them (one message each), so the new
        picture never waits behind tables and read-outs the page must lay out first."""
        started = time.perf_counter()
        with contextlib.ExitStack() as held:
            for text in self._texts():
                held.enter_context(text.hold_sync())
            try:
                state = self.compute(**self.values())
                self.state = State(state) if type(state) is dict else state  # a plain line as a cell's last value
                self.draw(self.state)
                self.error = None
                self.message.value = ""
            except Exception as error:  # a view must never show a traceback
                self.error = f"{type(error).__name__}: {error}"
                self.message.value = (
                    f"<div style='color:{themes.BAD}'>This combination cannot be computed: "
                    f"{html.escape(str(error) or type(error).__name__)}. Move a control to continue.</div>"
                )
        self.timings.append(time.perf_counter() - started)

    def set(self, **values: Any) -> Any:
        """Set controls as a learner would (each change triggers a redraw); returns the state.
        Lessons use it to assert what a view shows."""
        for name, value in values.items():
            self.inputs[name].value = value
        return self.state

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.view)


class State(dict):
    """An app's state as ``App.set`` returns it: a plain dict for code, and, as a cell's last
    value, one readable line (``servers: 2,000 · slow_share: 0.1813``), not a raw repr."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        from steward.results import plain

        printer.text(" · ".join(f"{key}: {plain(_plain_value(value))}" for key, value in self.items()))


def _plain_value(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        return value.item()
    return value


def _walk(widget: Any) -> list[Any]:
    found = [widget]
    for child in getattr(widget, "children", ()) or ():
        found += _walk(child)
    return found


def _placeholder(control: Any) -> str:
    return (getattr(control, "placeholder", "") or "").replace("\u200b", "").strip()


def accessible_name(control: Any) -> str:
    """What a screen reader announces for a control: its description, else its tooltip
    (rendered as ``title``), else its placeholder."""
    return (getattr(control, "description", "") or getattr(control, "tooltip", "") or _placeholder(control) or "").strip()


def controls_in(widget: Any) -> list[Any]:
    """Every control (a value widget or a button) inside ``widget``, depth first. Read-only
    displays (HTML, labels, images, outputs) are not controls."""
    found = []
    for child in getattr(widget, "children", ()):
        found += controls_in(child)
    passive = (w.HTML, w.HTMLMath, w.Label, w.Image, w.Output)
    if isinstance(widget, w.ValueWidget | w.Button) and not isinstance(widget, passive):
        found.append(widget)
    return found


def name_controls(widget: Any, keys: dict[int, str] | None = None) -> None:
    """Give every unnamed control inside ``widget`` a name. A control whose placeholder says
    what to type keeps it as its name; any other gets a visible label, its ``description``:
    the app's name for it (``"use_case"`` → "use case"), else its kind. A ``tooltip`` (the
    input's ``title``) is not enough, and would even take the placeholder's place: axe-core's
    ``label-title-only`` (serious) asks for a name a sighted user sees too."""
    keys = keys or {}
    for control in controls_in(widget):
        if accessible_name(control):
            continue
        if _placeholder(control):
            continue  # named by its placeholder (a title on top would hide it from axe's view)
        name = keys.get(id(control), "").replace("_", " ").strip() or type(control).__name__.lower()
        if control.has_trait("description"):
            control.description = name
            if control.has_trait("style") and hasattr(control.style, "description_width"):
                control.style.description_width = "initial"
        else:
            control.tooltip = name


def slider(description: str, value: float, low: float, high: float, step: float, **kwargs: Any) -> w.FloatSlider:
    kwargs.setdefault("layout", w.Layout(width="420px"))
    return w.FloatSlider(
        value=value, min=low, max=high, step=step, description=description, continuous_update=False,
        style={"description_width": "initial"}, **kwargs,
    )


def int_slider(description: str, value: int, low: int, high: int, step: int = 1, **kwargs: Any) -> w.IntSlider:
    kwargs.setdefault("layout", w.Layout(width="420px"))
    return w.IntSlider(
        value=value, min=low, max=high, step=step, description=description, continuous_update=False,
        style={"description_width": "initial"}, **kwargs,
    )


def dropdown(description: str, options: Any, value: Any = None) -> w.Dropdown:
    return w.Dropdown(options=options, value=value, description=description, style={"description_width": "initial"})


def button(description: str, on_click: Callable[[Any], None]) -> w.Button:
    b = w.Button(description=description)
    b.on_click(on_click)
    return b
