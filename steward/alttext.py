"""A text alternative for the charts a learner draws with pyplot (issue #18).

The curriculum's own charts carry one already (:func:`steward.plotting.figure_bundle`), but a
chart the learner draws (``fig, ax = plt.subplots()`` … ``plt.show()``, a Figure as a cell's
last expression, ``display(fig)``) reaches the notebook through matplotlib-inline as a bare
``image/png``: a screen reader says "image" where the lesson's point is. :func:`register`,
called when ``steward`` is imported inside IPython (every notebook's first cell), adds a
``text/html`` output to every such figure: an ``<img>`` holding the same picture, with
:func:`steward.plotting.describe`'s text as its ``alt``. The ``image/png`` output stays (other
front ends and nbval read it); JupyterLab shows the HTML.

Four choices, each for a reason:

- **Registered by name** (``"matplotlib.figure"``, ``"Figure"``): IPython matches the name
  when a figure is first displayed, so importing steward does not import matplotlib (0.3 s an
  exercise that draws nothing should not pay).
- **In the mime-bundle formatter, not the ``text/html`` one**: matplotlib-inline's set-up
  (run when the learner first imports pyplot) removes every per-mime formatter registered for
  ``Figure`` (``select_figure_formats`` pops them all), so a ``text/html`` registration would
  vanish at the very moment the learner starts drawing. The mime-bundle formatter is not among
  the ones it clears.
- **The picture is rendered once, by the inline backend's own printer**: the bundle holds
  exactly what the inline backend sends (tight box, the figure's dpi, retina or JPEG or SVG if
  the learner configured that), and the printer that IPython would call next for the same MIME
  type is wrapped (:class:`_Reuse`) so it hands back nothing for a figure just rendered here
  instead of drawing it a second time. A figure that brings its own bundle (the curriculum's
  ``StaticFigure``) is left to it, and the inline printer no longer redraws it either.
- **It never raises into the learner's cell**: when :func:`~steward.plotting.describe` fails on
  some unusual chart the alternative falls back to the title and axis labels
  (:func:`plain_alt`); when even the picture cannot be made here, IPython's usual output is
  left as it was.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any

#: Where IPython finds matplotlib's Figure class (matched by name, without importing it).
FIGURE = ("matplotlib.figure", "Figure")
#: The inline backend's image types, in the order a front end prefers them.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
#: Said first when no Axes has a title: the lesson asks every chart's title to state its
#: point, and this is where a learner who cannot see the chart hears that it has none.
NO_TITLE = "Chart without a title (a title that states its point tells every reader what to see)."

#: MIME type → the figure this module rendered last in it, so the printer IPython calls right
#: after for that type does not render it again (a weak reference: a closed chart is freed).
_rendered: dict[str, Any] = {}
#: The figures shown during the running cell (see :func:`not_twice`).
_shown: list[Any] = []


class _Reuse:
    """The inline backend's printer, wrapped: for the figure :func:`figure_bundle` has just
    rendered, and for figures that bring their own bundle, it returns ``None`` (IPython then
    keeps the bundle's image); for any other figure it renders as before."""

    def __init__(self, original: Any, mime: str) -> None:
        self.original, self.mime = original, mime

    def __call__(self, fig: Any) -> Any:
        last = _rendered.pop(self.mime, None)
        if _own_bundle(fig) or (last is not None and last() is fig):
            return None
        return self.original(fig)


def _own_bundle(fig: Any) -> bool:
    """Whether the figure's class shows itself (``_repr_mimebundle_``, as StaticFigure does)."""
    return callable(getattr(type(fig), "_repr_mimebundle_", None))


def _printer(shell: Any, mime: str) -> Any:
    """The inline backend's printer for ``mime``, wrapped in :class:`_Reuse` (installed here,
    and again whenever matplotlib-inline has replaced it); ``None`` when there is none."""
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters.get(mime)
    if formatter is None:
        return None
    try:
        printer = formatter.lookup_by_type(Figure)
    except KeyError:
        return None
    if not isinstance(printer, _Reuse):
        printer = _Reuse(printer, mime)
        formatter.for_type(Figure, printer)
    return printer


def _titled(fig: Any) -> bool:
    from steward.plotting import title_of

    return bool(_suptitle(fig)) or any(title_of(ax).strip() for ax in fig.axes)


def _suptitle(fig: Any) -> str:
    getter = getattr(fig, "get_suptitle", None)  # matplotlib 3.8, the curriculum's lowest
    return getter().replace("\n", " ").strip() if getter is not None else ""


def plain_alt(fig: Any) -> str:
    """An alternative from the texts alone, for when :func:`~steward.plotting.describe` fails:
    "Chart: <title or 'untitled'>; x axis …; y axis …" for each Axes (each part read on its
    own, so one unreadable Axes does not silence the rest)."""
    parts = []
    for ax in getattr(fig, "axes", []):
        try:
            title = next((t for t in (ax.get_title(loc) for loc in ("left", "center", "right")) if t), "")
            sentence = f"Chart: {title.strip() or 'untitled'}"
            for which, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
                if label.strip():
                    sentence += f"; {which} axis {label.strip()}"
            parts.append(sentence.replace("\n", " ") + ".")
        except Exception:  # noqa: BLE001 - an alternative must come out of any chart
            parts.append("Chart.")
    return " ".join(parts) or "Chart."


def alt_text(fig: Any) -> str:
    """What a screen reader says for a learner's chart: :func:`~steward.plotting.describe`'s
    text (title, axes, the numbers read off it), led by the figure's suptitle when it has one
    and by :data:`NO_TITLE` when it has no title at all; :func:`plain_alt` if that fails."""
    try:
        from steward.plotting import ALT_LIMIT, describe

        text = describe(fig)
        suptitle = _suptitle(fig)
        if suptitle and suptitle.rstrip(".") not in text:
            text = f"{suptitle.rstrip('.')}. {text}"
        if not _titled(fig):
            text = f"{NO_TITLE} {text}" if text != "A chart without a title." else NO_TITLE
        # as bounded as describe's own text: past it a listener has lost the thread
        return text if len(text) <= ALT_LIMIT else text[: ALT_LIMIT - 1].rsplit(" ", 1)[0] + "…"
    except Exception:  # noqa: BLE001 - the learner's cell must show its chart regardless
        return plain_alt(fig)


def figure_bundle(fig: Any) -> Any:
    """The mime-bundle printer for matplotlib figures: the inline backend's image plus an
    ``<img>`` of it with :func:`alt_text` as ``alt``. ``None`` (IPython's usual output) when
    the figure shows itself, when no inline printer is registered (another backend, or pyplot
    never imported), or when anything goes wrong."""
    try:
        if _own_bundle(fig):
            _printer_for_any(fig)  # so the inline printer does not redraw it after its bundle
            return fig._repr_mimebundle_()
        shell = _shell()
        if shell is None:
            return None
        for mime in IMAGE_TYPES:
            printer = _printer(shell, mime)
            if printer is None:
                continue
            image = printer.original(fig)
            if image is None:  # an empty figure: the backend shows nothing, so neither do we
                return None
            data, metadata = image if isinstance(image, tuple) else (image, None)
            _rendered.clear()
            _rendered[mime] = weakref.ref(fig)
            html = _img(mime, data, alt_text(fig), metadata, _backdrop(fig))
            bundle = {mime: data, "text/html": html}
            fig.stale = False  # shown as it is now; any change to it from here on marks it again
            _shown.append(weakref.ref(fig))
            return (bundle, {mime: metadata}) if metadata else bundle
        return None
    except Exception:  # noqa: BLE001 - never break the learner's cell; IPython shows its PNG
        _rendered.clear()
        return None


def _printer_for_any(fig: Any) -> None:
    shell = _shell()
    if shell is not None:
        for mime in IMAGE_TYPES:
            _printer(shell, mime)


#: The backdrop JupyterLab gives a transparent figure's PNG when the inline backend asks for it
#: (``needs_background``), so dark tick labels stay legible in the dark theme.
BACKDROPS = {"light": "white", "dark": "black"}


def _backdrop(fig: Any) -> str | None:
    """The background a transparent figure needs (what the inline backend's metadata asks of
    the PNG's renderer; an ``<img>`` must carry it itself), None for an opaque one."""
    inline = sys.modules.get("matplotlib_inline.backend_inline")  # not imported for another backend
    try:
        return BACKDROPS.get((inline._fetch_figure_metadata(fig) or {}).get("needs_background")) if inline else None
    except Exception:  # noqa: BLE001 - another matplotlib-inline: the picture as drawn
        return None


def _img(mime: str, data: Any, alt: str, metadata: dict[str, Any] | None, backdrop: str | None = None) -> str:
    """The ``<img>`` for the printer's output (base64 text for PNG and JPEG, SVG source text),
    at the size the printer asked for (a retina PNG is shown at half its pixels), on the
    backdrop a transparent figure needs."""
    import base64
    import html

    encoded = base64.b64encode(data.encode("utf-8")).decode("ascii") if mime == "image/svg+xml" else data
    if isinstance(encoded, bytes):
        encoded = base64.b64encode(encoded).decode("ascii")
    size = "".join(f' {key}="{int(metadata[key])}"' for key in ("width", "height") if metadata and key in metadata)
    style = "max-width:100%" + (f";background:{backdrop}" if backdrop else "")
    return f'<img src="data:{mime};base64,{encoded}" alt="{html.escape(alt, quote=True)}"{size} style="{style}"/>'


def not_twice() -> None:
    """Keep a figure the cell has already shown from being shown again, unchanged, at its end.

    After every cell the inline backend shows each pyplot figure drawn during it
    (``flush_figures``), including one the cell already showed as its last expression or with
    ``display(fig)``: the chart appeared twice, and a screen reader read its text twice. This
    runs before that flush (registered first) and takes out of it each figure shown during the
    cell and not changed since (matplotlib marks a changed figure ``stale``): closed, as the
    flush would close it, or left off its list when ``InlineBackend.close_figures`` is off. A
    figure changed after it was shown is flushed as before, so its final state still shows."""
    shown, _shown[:] = [ref() for ref in _shown], []
    pyplot, inline = sys.modules.get("matplotlib.pyplot"), sys.modules.get("matplotlib_inline.backend_inline")
    if pyplot is None or inline is None:
        return
    try:
        closing = inline.InlineBackend.instance().close_figures
        for fig in shown:
            if fig is None or fig.stale:
                continue
            if closing:
                pyplot.close(fig)
            elif fig in inline.show._to_draw:
                inline.show._to_draw.remove(fig)
    except Exception:  # noqa: BLE001 - at worst a chart shows twice, as it did before
        return


def _shell() -> Any:
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def registered(shell: Any) -> int:
    """How many times :func:`figure_bundle` is registered with ``shell`` (0 or 1)."""
    formatter = shell.display_formatter.mimebundle_formatter
    printers = [*formatter.deferred_printers.values(), *formatter.type_printers.values()]
    return sum(1 for p in printers if _is_ours(p))


def _is_ours(function: Any, name: str = "figure_bundle") -> bool:
    """Ours even after ``importlib.reload`` made a new function object (compared by name)."""
    return getattr(function, "__module__", None) == __name__ and getattr(function, "__name__", None) == name


def register(shell: Any = None) -> bool:
    """Show every matplotlib figure in this IPython session with :func:`figure_bundle`; once
    per session however often steward is imported (or a script is ``%run``). False outside
    IPython (a script, the test runner), where figures are not displayed."""
    shell = shell if shell is not None else _shell()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    if not registered(shell):
        shell.display_formatter.mimebundle_formatter.for_type_by_name(*FIGURE, figure_bundle)
        events = getattr(shell, "events", None)
        if events is not None and not any(_is_ours(c, "not_twice") for c in events.callbacks.get("post_execute", [])):
            events.register("post_execute", not_twice)
    return True
