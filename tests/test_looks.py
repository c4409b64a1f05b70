"""What a learner sees at 1280×800 and in JupyterLab's dark theme (issue #18), held by cheap
checks on the code that draws it. ``tests/screens.py`` takes the screenshots a person looks
at; the accessible browser test audits both themes; these catch the causes found there."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest

from steward import feedback, plotting, themes, widgets
from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS

ROOT = Path(__file__).resolve().parent.parent
#: Pages written for a browser on their own (a white page of their own), not shown in Lab.
STANDALONE = {"steward/report.py", "steward/cohort.py"}
#: A text colour given as a literal (``color:#D55E00``, ``color: rgb(…)``), not a theme variable.
LITERAL_TEXT_COLOUR = re.compile(r"(?<![-\w])color\s*:\s*(#|rgb|hsl|[a-z]+\s*[;'\"])", re.I)
#: Width (px) of a lesson's output area in a 1280 px window with Lab's file browser open,
#: as measured by tests/screens.py.
OUTPUT_WIDTH_PX = 848
#: The gap between side-by-side parts of an app (steward/web/app.css).
GAP_PX = 12


def _sources() -> list[Path]:
    return [p for p in sorted((ROOT / "steward").rglob("*.py")) if p.relative_to(ROOT).as_posix() not in STANDALONE]


def test_html_text_colours_come_from_the_theme() -> None:
    """No single colour reads on both Lab Light's white and Lab Dark's #111 (see
    steward.themes): text colours in HTML must be theme variables. Before: "✔ Pass" in
    #0072B2 on Lab Dark had a contrast of 3.8:1, "Not yet" in #D55E00 on white 3.9:1."""
    found = []
    for path in _sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LITERAL_TEXT_COLOUR.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    for css in sorted((ROOT / "steward" / "web").glob("*.css")):
        for number, line in enumerate(css.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"(?<![-\w])color\s*:", line) and "var(--jp-" not in line:
                found.append(f"{css.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "text colours that ignore Lab's theme (use steward.themes):\n" + "\n".join(found)


@pytest.mark.parametrize("status", [PASS, NOT_YET, NOT_ATTEMPTED])
def test_an_outcome_is_coloured_by_the_theme(status: str) -> None:
    shown = feedback.outcome_html({"status": status, "task": "t", "title": "A task"})
    assert "var(--jp-" in shown and not re.search(r"color:\s*#", shown)


def test_theme_colours_fall_back_to_colours_that_read_on_white() -> None:
    """Outside Lab (no theme variables) the fallback is what shows, on a white page."""
    for colour in (themes.GOOD, themes.BAD, themes.MUTED):
        fallback = re.fullmatch(r"var\(--jp-[\w-]+, (#[0-9a-f]{6})\)", colour).group(1)
        assert _contrast(fallback, "#ffffff") >= 4.5, colour


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_no_palette_colour_reads_as_text_on_both_themes() -> None:
    """Why the theme variables: each Okabe-Ito colour fails 4.5:1 on white or on Lab Dark."""
    for colour in (plotting.GOOD, plotting.BAD, plotting.NEUTRAL):
        assert min(_contrast(colour, "#ffffff"), _contrast(colour, "#111111")) < 4.5, colour


def test_static_charts_are_opaque() -> None:
    """A transparent chart shows its black text on Lab Dark's black: every pixel of a chart
    PNG must be opaque (the widgets' JPEGs have no alpha at all)."""
    from PIL import Image

    assert not plotting.STYLE.get("savefig.transparent")
    fig, ax = plotting.new_figure()
    ax.plot([0, 1], [0, 1])
    plotting.finish(ax, "A line", "x", "y")
    bundle = plotting.figure_bundle(fig)
    image = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    alpha = image.getchannel("A").getextrema() if "A" in image.getbands() else (255, 255)
    assert alpha == (255, 255), f"a chart PNG with transparent pixels (alpha {alpha})"
    assert plotting.WIDGET_FORMAT in ("jpeg", "jpg")


def test_dates_on_an_axis_are_concise() -> None:
    """A week of dates as "2024-03-04 2024-03-05 …" runs together at a lesson's width."""
    assert plotting.STYLE["date.converter"] == "concise"
    assert "date.converter: concise" in plotting.RC_FILE.read_text(encoding="utf-8")


def test_a_two_line_title_keeps_its_break_in_the_caption() -> None:
    """Module 00's radar title "Strongest: … (4/5)\\nGrow first: …" ran together as one line."""
    caption = widgets.caption_html("Strongest: A (4/5)\nGrow first: B <3>")
    assert "(4/5)<br>Grow first" in caption and "&lt;3&gt;" in caption


def _app_css() -> str:
    return widgets.app_css()


def test_focus_ring_beats_ipywidgets_outline_none() -> None:
    """ipywidgets removes the outline of selects and text boxes with ``!important``: a focus
    ring without it never shows on a dropdown."""
    rule = re.search(r"([^{}]*:focus-visible[^{}]*)\{([^}]*)\}", _app_css())
    assert rule and "select:focus-visible" in rule.group(1) and "textarea:focus-visible" in rule.group(1)
    assert re.search(r"outline:[^;]*!important", rule.group(2))


def test_wrapped_text_in_an_app_has_a_text_line_height() -> None:
    """ipywidgets gives an HTML widget a control's height (28 px) as line-height: a wrapped
    caption showed a blank line between its lines."""
    block = re.search(r"\.steward-app \.widget-html-content \{([^}]*)\}", _app_css())
    assert block and re.search(r"line-height:\s*1\.\d", block.group(1))


def test_dropdowns_are_as_wide_as_their_options() -> None:
    """ipywidgets fixes a dropdown at 300 px: "name an incident comma…" (module 05)."""
    assert re.search(r"\.steward-app \.widget-dropdown \{[^}]*width:\s*max-content", _app_css())


def test_slider_track_counts_in_the_width_its_row_asks_for() -> None:
    """A range input of width 0 made a slider in a row (an HBox) ask for too little room:
    its read-out landed on the next control ("6status asks per hour", module 05)."""
    css = (widgets.WEB / "slider.css").read_text(encoding="utf-8")
    track = re.search(r'input\[type="range"\] \{([^}]*)\}', css).group(1)
    width = re.search(r"(?<![-\w])width:\s*(\d+)px", track)
    assert width and int(width.group(1)) >= 100


def test_the_self_assessment_radar_is_shown_at_its_own_size() -> None:
    """Module 00's radar was drawn 558 px wide beside 360 px of sliders in an 848 px output,
    so the browser shrank it and its labels to a 5-pixel font."""
    from steward.lessons.start_here import SelfAssessment

    app = SelfAssessment()
    left, chart = app.body.children
    column_px = int(str(left.layout.width).removesuffix("px"))
    assert column_px >= max(int(str(c.layout.width).removesuffix("px")) for c in app.inputs.values())
    figure_px = app.figure.fig.get_size_inches()[0] * app.figure.fig.dpi
    assert column_px + GAP_PX + figure_px <= OUTPUT_WIDTH_PX
    labels = [t.get_fontsize() for t in app.figure.ax.get_xticklabels()]
    assert min(labels) >= 8


def test_text_in_charts_is_not_drawn_in_the_light_grey_of_lines() -> None:
    """Module 05's drill marked "declare", "command", "mitigate" in #999999 on white (2.8:1);
    modules 07 and 10 wrote their quadrant and direction labels the same way."""
    assert _contrast(plotting.MUTED_TEXT, "#ffffff") >= 4.5
    found = [f"{path.relative_to(ROOT)}:{number}" for path in _sources()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\.(text|annotate)\(", line) and "color=plotting.NEUTRAL" in line]
    assert not found, f"chart text in NEUTRAL grey (use plotting.MUTED_TEXT): {found}"


def test_side_by_side_parts_of_an_app_stand_apart() -> None:
    """A slider's read-out touched the next column's first word ("4 Top layer only …",
    module 03); a column of 420 px sliders could not shrink to make room."""
    css = _app_css()
    assert re.search(rf"\.steward-app \.widget-hbox \{{ column-gap: {GAP_PX}px; \}}", css)
    assert re.search(r"\.steward-app \.widget-hbox > \* \{ min-width: 0; \}", css)


def test_the_tradeoff_explorer_shows_every_name_at_its_own_size() -> None:
    """Module 02's explorer drew "Postgres conditional write" (bold, the winner of the
    correctness lock) past the canvas's left edge, where the label was skipped: the winning
    bar had no name. The chart, 630 px wide beside 420 px sliders, was also shrunk to fit."""
    from steward.lessons.tradeoffs import views

    app = views.TradeoffExplorer(use_case="correctness")
    figure = app.figure
    width_px = figure.fig.get_size_inches()[0] * figure.fig.dpi
    assert int(app.SLIDER_WIDTH.removesuffix("px")) + GAP_PX + width_px <= OUTPUT_WIDTH_PX
    winner = next(label for label in app._names if label.bold)
    assert winner.text == "Postgres conditional write"
    name_px = figure.font(views.NAME_SIZE, True).getlength(winner.text)
    room_px = figure.fig.subplotpars.left * width_px
    assert name_px < room_px, "the longest name does not fit left of the bars"


def test_a_label_near_an_edge_is_moved_inside_not_dropped() -> None:
    from PIL import Image

    from steward.lessons.tradeoffs.views import LabelledView

    sprite = Image.new("RGBA", (70, 12))
    assert LabelledView.place(sprite, 250.0, 40.0, (300, 200)) == (230, 40)
    assert LabelledView.place(sprite, -5.0, -3.0, (300, 200)) == (0, 0)


def test_projects_drawn_at_one_spot_share_one_label() -> None:
    """Module 10's picker overprinted "P08" and "P15" (same effort, same value) into "P08"."""
    from steward.lessons.projects.views import PortfolioExplorer, _labels_by_point

    assert _labels_by_point(["P08", "P15", "P01"], [2, 2, 10], [4.4, 4.4, 5.9]) == {
        (2, 4.4): ["P08", "P15"], (10, 5.9): ["P01"]}
    app = PortfolioExplorer()
    texts = [t.get_text() for t in app.figure.ax.texts]
    assert len(texts) == len(set(texts)) and sum(len(t.split(", ")) for t in texts) == len(app._value)


def test_accordion_and_tab_titles_use_the_first_text_colour() -> None:
    """ipywidgets' rgba(0,0,0,.54) on #eee is 4.43:1 (module 02's ADR accordion, found by the
    browser test's contrast check)."""
    rule = re.search(r"([^{}]*Collapse-header[^{}]*)\{([^}]*)\}", _app_css())
    assert rule and "var(--jp-ui-font-color1)" in rule.group(2)


def _apps():
    from steward.lessons import all_lessons

    for number, module in sorted(all_lessons().items()):
        for name, app in (getattr(module, "APPS", None) or {}).items():
            yield f"{number} {name}", app


@pytest.mark.parametrize(("name", "app"), list(_apps()), ids=lambda x: x if isinstance(x, str) else "")
def test_every_chart_of_every_app_draws_inside_its_picture(name: str, app: type) -> None:
    """Nothing a chart draws (tick labels, axis labels, legends) lies past the picture's
    edge, where it is cut off: module 10's value axis had its label off the left edge,
    module 03's availability label ran off the right, module 02's last time tick by 3 px."""
    built = app()
    views = [v for v in vars(built).values() if isinstance(v, widgets.FigureView)]
    for view in views:
        renderer = view.canvas.get_renderer()
        width, height = view.fig.get_size_inches() * view.fig.dpi
        for ax in view.fig.axes:
            box = ax.get_tightbbox(renderer)
            assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= width + 1 and box.y1 <= height + 1, (
                f"{name}: an axes draws outside its {width:.0f}×{height:.0f} px picture: {box.bounds}")


def test_side_by_side_charts_in_module_03_are_shown_at_their_own_size() -> None:
    from steward.lessons.design_for_failure import views

    chart_px = views.CHART_WIDTH_IN * 90
    assert int(views.COLUMN_WIDTH.removesuffix("px")) + GAP_PX + chart_px <= OUTPUT_WIDTH_PX
    for app in (views.AvailabilityApp(), views.AmplificationApp(), views.BlastRadiusApp()):
        column, figure = app.body.children
        assert column.layout.width == views.COLUMN_WIDTH and figure is app.figure.widget
        assert app.figure.fig.get_size_inches()[0] == views.CHART_WIDTH_IN
