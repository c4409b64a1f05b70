"""Robustness of every lesson's widgets and checks, generic over all lessons.

- Every registered app (each lesson module's ``APPS``) starts without an error and accepts
  every value its controls can take: slider bounds and values in between, every option,
  both states of a toggle, any text, and every button click. Each value gives a view or a
  plain message (a ``ValueError`` or ``StewardError`` with a sentence), never an exception
  and never a crash dressed up as a message (a ``KeyError`` in a widget is a bug).
- Every task's ``check`` returns an outcome for any answer a learner could type: text,
  numbers including NaN and infinities, lists, dicts, frames, functions that raise, and
  near misses built from the task's own expected answer.
- Every rubric's ``assess`` answers anything with a record, never an exception.

Hypothesis runs derandomized, so a failure reproduces on every run and in CI.
"""

from __future__ import annotations

import json
import math
import numbers
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import ipywidgets as w
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ipywidgets.widgets.widget_selection import _MultipleSelection, _Selection

from steward.checks import NOT_YET, STATUSES
from steward.errors import StewardError
from steward.lessons import all_lessons
from steward.tasks import Rubric
from steward.widgets import App

LESSONS = all_lessons()
APPS = [(number, name, factory) for number, module in LESSONS.items() for name, factory in getattr(module, "APPS", {}).items()]
APP_IDS = [f"{number}:{name}" for number, name, _ in APPS]
TASKS = [task for module in LESSONS.values() for task in module.TASKS]
RUBRICS = [value for module in LESSONS.values() for value in vars(module).values() if isinstance(value, Rubric)]

#: Exceptions a lesson raises on purpose, with a sentence for the learner.
PLAIN = (ValueError, StewardError)

FAST = settings(
    derandomize=True, database=None, deadline=None, max_examples=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: A wrong answer runs every misconception's reference code, so checks get fewer examples.
FAST_CHECKS = settings(FAST, max_examples=20)


# -- controls: every value each one can take ------------------------------------------
def _grid(low: float, high: float, step: float) -> list[float]:
    """The values a person can reach with the slider (it snaps to ``step``)."""
    if not step or step <= 0 or high <= low:
        return [low]
    count = int(math.floor((high - low) / step + 1e-9))
    return [min(high, round(low + k * step, 12)) for k in range(count + 1)] + ([high] if low + count * step < high else [])


def edge_values(control: w.Widget) -> list[Any]:
    """A deterministic sweep: both ends, the middle, every option, both states."""
    if isinstance(control, (w.IntRangeSlider, w.FloatRangeSlider)):
        lo, hi = control.min, control.max
        mid = _nearest(control, (lo + hi) / 2)
        return [(lo, lo), (lo, hi), (hi, hi), (lo, mid), (mid, hi)]
    if isinstance(control, w.FloatLogSlider):
        return [control.base ** e for e in (control.min, (control.min + control.max) / 2, control.max)]
    if isinstance(control, (w.IntSlider, w.FloatSlider, w.BoundedIntText, w.BoundedFloatText)):
        lo, hi = control.min, control.max
        return [lo, _nearest(control, (lo + hi) / 2), hi]
    if isinstance(control, w.SelectionRangeSlider):
        n = len(control.options)
        return [(0, 0), (0, n - 1), (n - 1, n - 1)]
    if isinstance(control, _MultipleSelection):
        n = len(control.options)
        return [(), tuple(range(n))] + [(i,) for i in range(n)]
    if isinstance(control, _Selection):
        return list(range(len(control.options)))  # set by index: what a person picks
    if isinstance(control, (w.Checkbox, w.ToggleButton)):
        return [not control.value, control.value]
    if isinstance(control, (w.Text, w.Textarea)):
        return ["", " ", "0", "-1", "nan", "é ✓ \n", "x" * 500]
    if isinstance(control, (w.IntText,)):
        return [0, -1, 1, 10**9]
    if isinstance(control, (w.FloatText,)):
        return [0.0, -1.0, 1e12, float("nan"), float("inf")]
    warnings.warn(f"no value sweep for control type {type(control).__name__}; tested at its default only", stacklevel=2)
    return [control.value]


def _nearest(control: w.Widget, value: float) -> Any:
    step = getattr(control, "step", None) or 1
    snapped = control.min + round((value - control.min) / step) * step
    return int(snapped) if isinstance(control.min, int) and isinstance(step, int) else snapped


def value_strategy(control: w.Widget) -> st.SearchStrategy[Any]:
    """Any value the control can take: grid values a person reaches, and (for numbers)
    any value in range, which a notebook cell can set."""
    if isinstance(control, (w.IntRangeSlider, w.FloatRangeSlider)):
        one = value_strategy_scalar(control)
        return st.tuples(one, one).map(lambda pair: tuple(sorted(pair)))
    if isinstance(control, w.FloatLogSlider):
        return st.floats(control.min, control.max).map(lambda e: control.base ** e)
    if isinstance(control, (w.IntSlider, w.FloatSlider, w.BoundedIntText, w.BoundedFloatText)):
        return value_strategy_scalar(control)
    if isinstance(control, w.SelectionRangeSlider):
        n = len(control.options)
        return st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).map(lambda pair: tuple(sorted(pair)))
    if isinstance(control, _MultipleSelection):
        return st.sets(st.integers(0, len(control.options) - 1)).map(lambda s: tuple(sorted(s)))
    if isinstance(control, _Selection):
        return st.integers(0, max(0, len(control.options) - 1))
    if isinstance(control, (w.Checkbox, w.ToggleButton)):
        return st.booleans()
    if isinstance(control, (w.Text, w.Textarea)):
        return st.text(max_size=60)
    if isinstance(control, w.IntText):
        return st.integers(-(10**9), 10**9)
    if isinstance(control, w.FloatText):
        return st.floats(allow_nan=True, allow_infinity=True)
    return st.just(control.value)


def value_strategy_scalar(control: w.Widget) -> st.SearchStrategy[Any]:
    lo, hi = control.min, control.max
    if isinstance(lo, int) and isinstance(hi, int) and isinstance(getattr(control, "step", 1), int):
        return st.one_of(st.sampled_from([lo, hi]), st.integers(lo, hi))
    grid = _grid(lo, hi, getattr(control, "step", 0) or 0)
    return st.one_of(st.sampled_from(grid), st.floats(lo, hi, allow_nan=False))


def set_control(control: w.Widget, value: Any) -> None:
    """Set a value the way the front end does (options by index)."""
    if isinstance(control, (_MultipleSelection, _Selection)):
        control.index = value
    else:
        control.value = value


def buttons(widget: w.Widget) -> Iterator[w.Button]:
    """Every button in an app's view (buttons are not controls: they have no value)."""
    if isinstance(widget, w.Button):
        yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from buttons(child)


def click(button: w.Button) -> None:
    """Run the button's handlers directly (ipywidgets would swallow their exceptions)."""
    for handler in list(button._click_handlers.callbacks):
        handler(button)


# -- what "a view or a plain message" means --------------------------------------------
def assert_view_or_plain_message(app: App, context: str) -> None:
    if app.error is None:
        assert app.state is not None, f"{context}: no error, but no state either"
        return
    message = app.message.value
    assert message.strip(), f"{context}: app.error is set ({app.error}) but nothing is shown"
    assert "Traceback" not in message, f"{context}: the view shows a traceback"
    try:  # the message comes from an exception: which kind? (a KeyError is a bug, not a message)
        app.draw(app.compute(**app.values()))
    except PLAIN as error:
        assert str(error).strip(), f"{context}: {type(error).__name__} with no message"
    except Exception as error:
        raise AssertionError(
            f"{context}: the app shows a message, but from an unexpected {type(error).__name__}: {error}. "
            "Raise ValueError with a sentence for values the model cannot handle."
        ) from error


_CACHE: dict[str, App] = {}


def app_for(key: str, factory: Callable[[], App]) -> App:
    """One app per registered factory for the property tests (building one draws a figure)."""
    if key not in _CACHE:
        _CACHE[key] = factory()
    return _CACHE[key]


@pytest.mark.parametrize("number, name, factory", APPS, ids=APP_IDS)
def test_app_starts_with_a_view(number, name, factory):
    app = factory()
    assert isinstance(app, App), f"APPS[{name!r}] of module {number} must build a steward.widgets.App"
    assert app.error is None, f"the app's first view is an error: {app.error}"
    assert "steward-app" in app.view._dom_classes
    assert app.inputs, "an app has at least one control"
    assert len(app.timings) == 1


@pytest.mark.parametrize("number, name, factory", APPS, ids=APP_IDS)
def test_every_control_through_its_range(number, name, factory):
    """Each control alone through its sweep (the others at their defaults), then every button."""
    app = factory()
    defaults = app.values()
    for control_name, control in app.inputs.items():
        for value in edge_values(control):
            runs, before = len(app.timings), control.value
            set_control(control, value)
            assert_view_or_plain_message(app, f"{name}: {control_name} = {value!r}")
            if control.value != before:
                assert len(app.timings) == runs + 1, f"{name}: changing {control_name} must redraw once"
        control.value = defaults[control_name]
        assert app.error is None, f"{name}: back at the defaults, the app still shows an error: {app.error}"
    for button in buttons(app.view):
        click(button)
        assert_view_or_plain_message(app, f"{name}: after clicking {button.description!r}")


@pytest.mark.parametrize("number, name, factory", APPS, ids=APP_IDS)
@FAST
@given(data=st.data())
def test_any_combination_of_values_and_clicks(number, name, factory, data):
    """Any combination of control values (reached without intermediate redraws), then any
    sequence of button clicks: a view or a plain message every time."""
    app = app_for(f"{number}:{name}", factory)
    values = {key: data.draw(value_strategy(control), label=key) for key, control in app.inputs.items()}
    for control in app.inputs.values():
        control.unobserve(app._changed, names="value")
    try:
        for key, value in values.items():
            set_control(app.inputs[key], value)
    finally:
        for control in app.inputs.values():
            control.observe(app._changed, names="value")
    app.refresh()
    assert_view_or_plain_message(app, f"{name} with {values!r}")
    found = list(buttons(app.view))
    if found:
        for index in data.draw(st.lists(st.integers(0, len(found) - 1), max_size=3), label="clicks"):
            click(found[index])
            assert_view_or_plain_message(app, f"{name} with {values!r}, after clicking {found[index].description!r}")


# -- checks: an outcome for any answer ----------------------------------------------------
def _raises(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("the learner's function failed")


FUNCTIONS = [_raises, lambda *a, **k: None, lambda *a, **k: float("nan"), lambda *a, **k: "x",
             lambda *a, **k: np.array([1.0, 2.0]), lambda *a, **k: pd.Series([1.0]), lambda *a, **k: a,
             lambda: 0, lambda *a, **k: {"a": 1}]

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.binary(max_size=8), st.just(Ellipsis), st.just(object()),
)
FRAMES = st.one_of(
    st.just(pd.DataFrame()),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6).map(lambda xs: pd.DataFrame({"value": xs})),
    st.dictionaries(st.text(max_size=8), st.lists(st.integers(), min_size=2, max_size=2), max_size=3).map(pd.DataFrame),
)
SERIES = st.one_of(
    st.just(pd.Series(dtype=float)),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6).map(lambda xs: pd.Series(xs, dtype=float)),
    st.dictionaries(st.text(max_size=8), st.floats(allow_nan=True), max_size=6).map(lambda d: pd.Series(d, dtype=float)),
)
ARRAYS = st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6).map(np.array)
ANSWERS = st.recursive(
    st.one_of(SCALARS, FRAMES, SERIES, ARRAYS, st.sampled_from(FUNCTIONS)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=10), st.integers()), inner, max_size=4),
    ),
    max_leaves=5,
)


def near_misses(expected: Any) -> list[Any]:
    """Answers a learner could plausibly give, built from the expected one: off by a factor,
    the wrong shape or type, missing or extra parts, a NaN where a number should be."""
    makers: list[Callable[[], Any]] = []
    if isinstance(expected, numbers.Real) and not isinstance(expected, bool):
        x = float(expected)
        makers += [lambda: x * 1.5, lambda: -x, lambda: x + 1, lambda: math.nan, lambda: math.inf, lambda: str(x),
                   lambda: [x], lambda: np.float32(x), lambda: np.array([x, x]), lambda: pd.Series([x]), lambda: round(x)]
    elif isinstance(expected, str):
        makers += [lambda: "", lambda: expected.upper(), lambda: expected[::-1], lambda: expected + " extra",
                   lambda: " ".join(expected.split()[:3]), lambda: [expected], lambda: expected.encode()]
    elif isinstance(expected, pd.Series):
        s = expected
        makers += [lambda: s.iloc[:0], lambda: s.iloc[::-1], lambda: s.iloc[:-1], lambda: s.astype(str), lambda: s.to_dict(),
                   lambda: s.to_frame(), lambda: s.reset_index(drop=True), lambda: list(s), lambda: s.rename_axis("other"),
                   lambda: _with_nan(s), lambda: _scaled(s, 2)]
    elif isinstance(expected, pd.DataFrame):
        df = expected
        makers += [lambda: df.iloc[:0], lambda: df.iloc[:1], lambda: df.iloc[::-1], lambda: df.T,
                   lambda: df.drop(columns=df.columns[:1]), lambda: df.rename(columns=str.upper), lambda: df.reset_index(),
                   lambda: df.astype(str), lambda: df.to_numpy(), lambda: df.to_dict(), lambda: _with_nan(df), lambda: _scaled(df, 2)]
    elif isinstance(expected, dict):
        d = expected
        makers += [lambda: {}, lambda: dict(list(d.items())[1:]), lambda: {k: str(v) for k, v in d.items()}, lambda: list(d),
                   lambda: list(d.values()), lambda: {**d, "extra": None}]
    elif isinstance(expected, (list, tuple)):
        seq = expected
        makers += [lambda: type(seq)(), lambda: seq[::-1], lambda: seq[:-1], lambda: list(seq) * 2, lambda: tuple(seq),
                   lambda: list(seq), lambda: [None] * len(seq), lambda: [str(v) for v in seq]]
    elif isinstance(expected, np.ndarray):
        a = expected
        makers += [lambda: a[:0], lambda: a[::-1], lambda: a.tolist(), lambda: a.astype(str)]
    elif callable(expected):
        makers += [(lambda f=f: f) for f in FUNCTIONS]
    found = []
    for make in makers:
        try:
            found.append(make())
        except Exception:  # a near miss that cannot be built for this value
            continue
    return found


def _with_nan(data: Any) -> Any:
    copy = data.copy()
    numeric = copy.select_dtypes("number") if isinstance(copy, pd.DataFrame) else copy
    if len(numeric) and (isinstance(copy, pd.Series) and pd.api.types.is_numeric_dtype(copy)):
        copy.iloc[0] = np.nan
    elif isinstance(copy, pd.DataFrame) and numeric.shape[1]:
        copy.iloc[0, copy.columns.get_loc(numeric.columns[0])] = np.nan
    return copy


def _scaled(data: Any, factor: float) -> Any:
    if isinstance(data, pd.Series):
        return data * factor if pd.api.types.is_numeric_dtype(data) else data
    numeric = data.select_dtypes("number").columns
    out = data.copy()
    out[numeric] = out[numeric] * factor
    return out


def answers_for(task) -> st.SearchStrategy[Any]:
    misses = near_misses(task.expected)
    return st.one_of(st.sampled_from(misses), ANSWERS) if misses else ANSWERS


@pytest.fixture(scope="module", autouse=True)
def _no_progress_file():
    """Checks here record nothing: thousands of events would only slow the test down."""
    import os

    before = os.environ.get("STEWARD_PROGRESS")
    os.environ["STEWARD_PROGRESS"] = "off"
    yield
    if before is None:
        os.environ.pop("STEWARD_PROGRESS", None)
    else:
        os.environ["STEWARD_PROGRESS"] = before


def assert_outcome(task, answer: Any) -> None:
    outcome = task.check(answer)
    assert outcome.status in STATUSES, f"{task.id}: unknown status {outcome.status!r}"
    if outcome.status == NOT_YET:
        assert (outcome.message or outcome.hint or "").strip(), f"{task.id}: 'not yet' with no message for {answer!r}"
    json.dumps(outcome.record)  # travels into the notebook's outputs and the mentor report
    bundle = outcome._repr_mimebundle_()
    assert bundle and all(value is not None for value in bundle.values() if not isinstance(value, dict))


@pytest.mark.parametrize("task", TASKS, ids=[t.id for t in TASKS])
def test_every_near_miss_gets_an_outcome(task):
    for answer in near_misses(task.expected):
        assert_outcome(task, answer)


@pytest.mark.parametrize("task", TASKS, ids=[t.id for t in TASKS])
@FAST_CHECKS
@given(data=st.data())
def test_any_answer_gets_an_outcome(task, data):
    assert_outcome(task, data.draw(answers_for(task), label="answer"))


LEVEL_WORDS = st.one_of(st.sampled_from(["not yet", "partly", "yes", "YES ", " Partly", "maybe", ""]), SCALARS)


@pytest.mark.skipif(not RUBRICS, reason="no lesson defines a Rubric yet")
@pytest.mark.parametrize("rubric", RUBRICS, ids=[r.id for r in RUBRICS])
@FAST_CHECKS
@given(scores=st.one_of(
    st.none(), st.just(Ellipsis), st.lists(LEVEL_WORDS, max_size=8), st.lists(LEVEL_WORDS, max_size=8).map(tuple),
    st.dictionaries(st.text(max_size=20), LEVEL_WORDS, max_size=8),
))
def test_any_self_assessment_gets_a_record(rubric, scores):
    record = rubric.assess(scores)
    assert record["status"] in {*STATUSES, "self-assessed"}
    json.dumps(record)


def test_every_app_shows_its_chart():
    """An app with a ``figure`` must put it in its view (a chart that is computed but never
    shown passes every kernel-side test; the browser test caught this once)."""
    from steward.widgets import FigureView

    def contains(widget, target) -> bool:
        if widget is target:
            return True
        return any(contains(child, target) for child in getattr(widget, "children", ()))

    for number, module in all_lessons().items():
        for name, factory in getattr(module, "APPS", {}).items():
            app = factory()
            for attr, value in vars(app).items():
                if isinstance(value, FigureView):
                    assert contains(app.view, value.widget), f"{number}:{name}: self.{attr} is never shown"


def test_app_redraws_counts_every_live_apps_redraws() -> None:
    """The browser test asks the kernel this (gc.get_objects() misses frozen objects)."""
    from steward.lessons import quantify
    from steward.widgets import App

    app = quantify.TailAtScale()
    before = App.redraws()
    app.set(servers=50)
    assert App.redraws() == before + 1
    assert app in App._live


# -- the server extension: kernel messages without Nagle's delay (issue #18, felt latency) -------
def test_kernel_websockets_send_without_delay(tmp_path) -> None:
    """jupyter_server leaves Nagle's algorithm on for kernel websockets: a widget update that
    follows the kernel's small ``busy`` message waited for the browser's delayed ACK (up to
    40 ms, measured in the felt-latency timeline). steward.server sets TCP_NODELAY on open;
    run.py lab, the learners' image and the browser tests enable it."""
    import asyncio
    import sys
    from pathlib import Path

    from steward import server

    calls: list[Any] = []

    class Handler:
        def set_nodelay(self, value: bool) -> None:
            calls.append(("nodelay", value))

        async def open(self, kernel_id: str) -> str:
            calls.append(("open", kernel_id))
            return kernel_id

    assert server.no_delay(Handler) and not server.no_delay(Handler)  # patched once
    assert asyncio.run(Handler().open("k")) == "k"
    assert calls == [("nodelay", True), ("open", "k")]

    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    class App:
        log = type("Log", (), {"info": staticmethod(lambda *a: None)})()

    server._load_jupyter_server_extension(App())
    assert KernelWebsocketHandler._steward_no_delay
    assert server._jupyter_server_extension_points() == [{"module": "steward.server"}]

    written = json.loads(server.install(tmp_path).read_text())
    assert written["ServerApp"]["jpserver_extensions"] == {"steward.server": True}
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        from lab_server import LabServer
    finally:
        sys.path.pop(0)
    lab = LabServer.__new__(LabServer)  # only what command() reads: no server, no temp folder
    lab.root, lab.token, lab.port = tmp_path, "token", 8888
    assert "--ServerApp.jpserver_extensions=steward.server=True" in lab.command()
    root = Path(__file__).parents[1]
    assert "steward.server" in (root / "run.py").read_text()
    assert "python -m steward.server" in (root / "deploy" / "jupyterhub" / "Dockerfile").read_text()
