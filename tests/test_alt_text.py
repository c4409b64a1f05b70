"""Every chart carries a text alternative that states its point and its key numbers
(issue #18): static figures put it in an ``<img alt>`` next to their PNG, widget charts in
their image's accessible name, rebuilt on every redraw; and every control has a name."""

from __future__ import annotations

import contextlib
import html
import re

import pytest

from steward import plotting
from steward.lessons import all_lessons
from steward.widgets import App, FigureView, accessible_name, controls_in, name_controls, w

APPS = [(number, name, factory) for number, module in all_lessons().items()
        for name, factory in getattr(module, "APPS", {}).items()]


def test_describe_reads_title_axes_and_bar_values() -> None:
    fig, ax = plotting.new_figure(5, 3)
    ax.bar(["Redis", "Postgres"], [4.5, 2.25], label="score")
    plotting.finish(ax, "Redis wins by 2.25", "option", "weighted score (1–5)")
    text = plotting.describe(fig)
    assert text.startswith("Redis wins by 2.25.")
    assert "x axis: option" in text and "y axis: weighted score (1–5)" in text
    assert "Redis 4.5" in text and "Postgres 2.25" in text


def test_describe_reads_horizontal_bars_and_line_ends_and_extremes() -> None:
    fig, ax = plotting.new_figure(5, 3)
    ax.barh(["a", "b"], [10, 30])
    ax.plot([0, 1, 2, 3], [5, 40, 2, 8], label="p99")
    plotting.finish(ax, "The point", "latency (ms)", "service")
    text = plotting.describe(fig)
    assert "a 10" in text and "b 30" in text
    assert "line p99 from (0, 5) to (3, 8), highest 40 at 1, lowest 2 at 2" in text


def test_describe_is_bounded_and_never_empty() -> None:
    fig, ax = plotting.new_figure(5, 3)
    assert plotting.describe(fig)
    for i in range(300):
        ax.plot([0, 1], [i, i + 1], label=f"series number {i}")
    ax.set_title("Many lines")
    assert len(plotting.describe(fig)) <= plotting.ALT_LIMIT


@pytest.mark.parametrize(("value", "text"), [(4.5, "4.5"), (0.28, "0.28"), (1234.4, "1,234"), (12.34, "12.3"), (1e-5, "1e-05")])
def test_number_text(value, text) -> None:
    assert plotting.number_text(value) == text


def test_a_static_figure_shows_an_img_with_its_alternative_text() -> None:
    fig, ax = plotting.new_figure(4, 3)
    ax.bar(["x", "y"], [1, 2])
    plotting.finish(ax, "y is twice x", "thing", "count")
    bundle = fig._repr_mimebundle_()
    assert set(bundle) >= {"image/png", "text/html"}
    alt = re.search(r'alt="([^"]*)"', bundle["text/html"]).group(1)
    assert html.unescape(alt) == plotting.describe(fig) and "y is twice x" in alt
    assert bundle["text/html"].startswith('<img src="data:image/png;base64,' + bundle["image/png"][:40])


def test_a_figure_view_describes_every_new_picture() -> None:
    view = FigureView(4, 3)
    bars = view.ax.bar(["a", "b"], [1, 2])
    view.ax.set_title("b leads")
    view.render()
    assert view.image.tooltip == view.alt and "b leads" in view.alt and "b 2" in view.alt
    bars.patches[1].set_height(7)
    view.ax.set_title("b leads by 6")
    view.render()
    assert "b leads by 6" in view.image.tooltip and "b 7" in view.image.tooltip
    # the image model syncs an (empty) description, so ipywidgets' view writes the tooltip as title
    assert "description" in view.image.keys and "tooltip" in view.image.keys


def test_alt_details_are_appended_and_cannot_break_a_redraw() -> None:
    view = FigureView(4, 3)
    view.ax.set_title("t")
    view.alt_details = lambda: "names: a, b."
    view.render()
    assert view.alt.endswith("names: a, b.")
    view.alt_details = lambda: 1 / 0
    view.ax.plot([0, 1], [0, 1])  # a new picture (the alternative follows the pixels sent)
    view.render()
    assert "details unavailable" in view.alt


def _views(app: App) -> list[FigureView]:
    return [v for v in vars(app).values() if isinstance(v, FigureView)]


@pytest.mark.parametrize(("number", "name", "factory"), APPS, ids=[f"{n}-{a}" for n, a, _ in APPS])
def test_every_app_chart_has_a_meaningful_alternative(number, name, factory) -> None:
    app = factory()
    for view in _views(app):
        assert view.image.tooltip == view.alt
        title = view.title.replace("\n", " ").strip()
        assert len(view.alt) > len(title) + 10, f"{view.alt!r} adds nothing to the title"
        if title:
            assert view.alt.startswith(title.rstrip(".")), view.alt


@pytest.mark.parametrize(("number", "name", "factory"), APPS, ids=[f"{n}-{a}" for n, a, _ in APPS])
def test_every_control_has_a_name(number, name, factory) -> None:
    app = factory()
    controls = controls_in(app.view)
    assert controls, "an app a learner cannot operate"
    for control in controls:
        assert accessible_name(control), f"{type(control).__name__} with value {control.value!r} has no name"


def test_unnamed_controls_get_their_placeholder_or_key_as_name() -> None:
    box = w.VBox([w.Textarea(placeholder="Paste your doc"), w.Text(placeholder="\u200b"), w.IntSlider(description="n")])
    name_controls(box, {id(box.children[1]): "file_name"})
    assert [accessible_name(c) for c in box.children] == ["Paste your doc", "file name", "n"]
    assert not box.children[0].tooltip and box.children[1].description == "file name"


def test_lessons_sliders_are_ipywidgets_sliders_with_a_named_view() -> None:
    """``w.FloatSlider`` and friends keep ipywidgets' traits and validation but render as a
    labelled native range input (anywidget), when anywidget is installed."""
    import ipywidgets

    pytest.importorskip("anywidget")
    from steward.widgets import named_slider_classes, slider

    assert set(named_slider_classes()) == {"FloatSlider", "IntSlider", "FloatLogSlider"}
    control = slider("Pause of client A (ms)", 500, 0, 2000, 50)
    assert isinstance(control, ipywidgets.FloatSlider) and control._view_module == "anywidget"
    control.value = 5000
    assert control.value == 2000  # ipywidgets' validation still clamps
    esm = control._esm
    assert "label.htmlFor = id" in esm and 'input.type = "range"' in esm and "aria-valuetext" in esm
    assert isinstance(w.IntSlider(description="n"), ipywidgets.IntSlider)
    assert isinstance(w.FloatLogSlider(description="m"), ipywidgets.FloatLogSlider)
    assert w.Dropdown is ipywidgets.Dropdown


def test_plain_sliders_on_request(monkeypatch) -> None:
    import ipywidgets

    from steward.widgets import named_slider_classes

    monkeypatch.setenv("STEWARD_PLAIN_SLIDERS", "1")
    named_slider_classes.cache_clear()
    try:
        assert w.FloatSlider is ipywidgets.FloatSlider
    finally:
        monkeypatch.delenv("STEWARD_PLAIN_SLIDERS")
        named_slider_classes.cache_clear()


def test_a_new_picture_and_its_text_go_in_one_message() -> None:
    """The image and its alternative text travel together (one comm message, not two)."""
    view = FigureView(4, 3)
    view.ax.bar(["a"], [1])
    view.ax.set_title("one message")
    # Record which traits change inside each hold_sync block (what ipywidgets then sends as one
    # message). Watching the block, not send_state, keeps the test independent of whether this
    # process has a kernel comm (earlier tests in a worker can change that).
    held: list[list[str]] = []
    real = view.image.hold_sync

    @contextlib.contextmanager
    def watched():
        changed: list[str] = []

        def note(change: dict) -> None:
            changed.append(change["name"])

        view.image.observe(note, names=["value", "tooltip"])
        try:
            with real():
                yield
        finally:
            view.image.unobserve(note, names=["value", "tooltip"])
            held.append(changed)

    view.image.hold_sync = watched
    view.render()
    assert len(held) == 1 and {"value", "tooltip"} <= set(held[0]), held


def test_a_redraw_sends_the_picture_before_the_texts() -> None:
    """Text widgets' updates are held until the redraw is done: the picture goes first."""
    factory = next(f for n, a, f in APPS if n == "06")
    app = factory()
    view = next(v for v in vars(app).values() if isinstance(v, FigureView))
    order: list[str] = []
    view.image.send_state = lambda key=None: order.append("image")
    for text in app._texts():
        text.send_state = lambda key=None, text=text: order.append("text")
    control = next(c for c in app.inputs.values() if hasattr(c, "step"))
    control.value = control.max if control.value != control.max else control.min
    assert order and order[0] == "image" and "text" in order, order


def test_pandas_tables_have_no_empty_header_cells() -> None:
    """The corner above a DataFrame's index, and the cells beside an index name, were empty
    ``<th>``s (axe-core: empty-table-header): the notebook now shows them as empty ``<td>``s,
    the rest of the table unchanged; outside IPython nothing is registered."""
    import pandas as pd
    from IPython.core.formatters import DisplayFormatter

    from steward import tables

    shell = type("Shell", (), {"display_formatter": DisplayFormatter()})()
    assert tables.register(shell)
    columns = pd.MultiIndex.from_tuples([("latency", "p50"), ("latency", "p99")], names=["metric", "stat"])
    frame = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=pd.Index(["a", "b"], name="arm"), columns=columns)
    original = frame._repr_html_()
    assert tables.EMPTY_HEADER in original  # what pandas writes
    shown = shell.display_formatter.format(frame)[0]["text/html"]
    assert tables.EMPTY_HEADER not in shown
    assert shown == original.replace(tables.EMPTY_HEADER, "<td></td>")
    assert shown.count("<th") == original.count("<th") - original.count(tables.EMPTY_HEADER)
    with pd.option_context("display.notebook_repr_html", False):
        assert "text/html" not in shell.display_formatter.format(frame)[0]
    assert tables.register() is False  # the test runner is no IPython shell
