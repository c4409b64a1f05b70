"""Every lesson in a real browser: JupyterLab serves the repository, Debian's Chromium
opens each lesson, runs it top to bottom, and operates each app's controls the way a
learner would (the first slider, dropdown, choice, checkbox and button of each app), then
checks that every cell ran without an error, every widget rendered, each change reached
the kernel and what the learner sees changed.

nbval proves the Python side (values in, state out). This proves the part nbval cannot:
that the widgets render in Lab, that the kernel and the front end agree, and that moving
a control really redraws the view. Lessons are found on disk, so a new lesson is covered
without editing this file.

Three more checks per lesson (select them with ``-k``): ``accessible`` runs axe-core
(shipped by ``axe-playwright-python``) on the outputs after operating the apps, in Lab's
light theme and again in JupyterLab Dark: no serious or critical violation in either, no
text below WCAG AA contrast in either (computed from the page's styles: axe's own
``color-contrast`` rates the text in Lab's panels as off screen and checks none of it), every
output image with a text alternative, no slider read-out cut off; ``felt`` times arrow-key presses on each app's first slider until the new picture is
painted; ``notebook7`` opens lessons in Jupyter Notebook 7 (module 06 unless
``STEWARD_NB7_LESSONS`` says otherwise, e.g. ``02,06`` or ``all``).

Outside CI a missing Chromium or Playwright skips these tests with the reason; with
``CI=true`` they fail instead. On failure a full-page screenshot goes to
``test-artifacts/<lesson>.png``.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import browser_support as bs
import pytest
from lab_server import LabServer, NotebookServer

from steward import nbjson, outcomes
from steward.lessons import all_lessons

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
#: Seconds: Lab's first load with a cold kernel, then one lesson's Run All, on 2 shared cores.
OPEN_TIMEOUT = 120.0
RUN_TIMEOUT = 180.0

pytestmark = pytest.mark.browser


def _unavailable(reason: str) -> None:
    if bs.in_ci():
        pytest.fail(f"{reason} (CI=true: the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def lab(chromium):
    """One private JupyterLab for every lesson (its own HOME and Jupyter folders, a free
    port, a token), stopped by its PID at the end."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        _unavailable("JupyterLab is not installed")
    server = LabServer(ROOT, start_timeout=OPEN_TIMEOUT)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class LabPage:
    """One browser tab with Lab loaded, reused from lesson to lesson (Lab's start-up costs
    several seconds); after a failure the next lesson gets a fresh tab."""

    def __init__(self, context, lab: LabServer) -> None:
        self.context, self.lab, self.page = context, lab, None

    def open(self, relative: str) -> None:
        if self.page is None:
            self.page = self.context.new_page()
            bs.open_notebook(self.page, self.lab.url(f"lab/tree/{relative}"), OPEN_TIMEOUT)
        else:
            bs.open_notebook(self.page, "", OPEN_TIMEOUT, path=relative)

    def discard(self) -> None:
        if self.page is not None:
            self.page.close()
            self.page = None


@pytest.fixture(scope="session")
def lab_page(chromium, lab):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    tab = LabPage(context, lab)
    yield tab
    tab.discard()
    context.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _expects_apps(notebook: Path) -> bool:
    module = all_lessons().get(notebook.name[:2])
    return bool(getattr(module, "APPS", None))


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_and_its_widgets_respond(notebook: Path, lab: LabServer, lab_page: LabPage) -> None:
    before = _digest(notebook)
    try:
        _run_and_operate(lab_page, notebook)
    except Exception as error:  # an assertion or a Playwright timeout: keep the evidence
        shot = bs.screenshot(lab_page.page, notebook.stem) if lab_page.page else None
        lab_page.discard()
        note = f"screenshot: {shot}" if shot else "no screenshot"
        raise AssertionError(f"{notebook.name}: {error}\n({note})\n--- Lab server log ---\n{lab.log_tail(20)}") from error
    finally:
        lab.shutdown_kernels()
    assert _digest(notebook) == before, f"the browser test changed {notebook.name} on disk"


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_lesson_outputs_are_accessible(notebook: Path, lab: LabServer, lab_page: LabPage) -> None:
    """axe-core on the lesson's outputs after Run All and after operating every app (so
    redrawn charts are audited too): no serious or critical violation, and every image in an
    output has a text alternative; then the same page in JupyterLab Dark, audited again (a
    colour that reads on white may not on Lab's dark background). Select these alone with
    ``-k accessible``."""
    script = bs.axe_script()
    if script is None:
        _unavailable("axe-playwright-python is not installed (it ships axe-core; see requirements.txt)")
    try:
        _run_and_operate(lab_page, notebook)
        bs.set_theme(lab_page.page, "light")  # a tab opened after a failed test starts in the theme last saved
        bs.inject_outputs(lab_page.page, _feedback_shown())
        result = bs.audit(lab_page.page, script)
        faint = bs.low_contrast(lab_page.page)
        started = time.monotonic()
        bs.set_theme(lab_page.page, "dark")
        dark = bs.audit(lab_page.page, script)
        dark_faint = bs.low_contrast(lab_page.page)
        dark_s = time.monotonic() - started
        bs.remove_injected(lab_page.page)
        bs.set_theme(lab_page.page, "light")
    except Exception as error:
        shot = bs.screenshot(lab_page.page, notebook.stem) if lab_page.page else None
        lab_page.discard()
        raise AssertionError(f"{notebook.name}: {error}\n(screenshot: {shot})") from error
    finally:
        lab.shutdown_kernels()
    print(f"{notebook.name}: {len(result.images)} images; axe (light theme):\n{result.report() or '  no violations'}")
    print(f"{notebook.name}: axe (JupyterLab Dark, {dark_s:.1f} s):\n{dark.report() or '  no violations'}")
    assert not result.unnamed_images, f"images without a text alternative: {result.unnamed_images}"
    assert not result.clipped, f"slider read-outs cut off by their box: {result.clipped}"
    assert not result.blocking, "serious or critical accessibility violations:\n" + result.report(result.blocking)
    assert not dark.blocking, "serious or critical violations in JupyterLab Dark:\n" + dark.report(dark.blocking)
    assert not faint, "text below WCAG AA contrast in the light theme:\n" + "\n".join(faint)
    assert not dark_faint, "text below WCAG AA contrast in JupyterLab Dark:\n" + "\n".join(dark_faint)


def _feedback_shown() -> list[str]:
    """What checking an exercise shows (an outcome of each status, a hint), as the notebook
    displays it: audited with the lesson's outputs, in both themes."""
    from steward import feedback
    from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS

    outcomes_ = [feedback.outcome_html({"status": status, "task": "t", "title": "Task", "message": "A message."})
                 for status in (PASS, NOT_YET, NOT_ATTEMPTED)]
    return [feedback.bundle("", html)["text/html"] for html in
            [*outcomes_, feedback.hint_html("Task", 1, 2, "What would `p99` say?")]]


#: Felt latency (ms, p95 of key press → new picture painted) that fails the test. The budget
#: is 100 ms (issue #18) on an idle machine of this class, which ``benchmarks/run.py --felt``
#: reports; on a shared, loaded machine the test only insists that a picture follows within
#: a second, unless ``STEWARD_FELT_STRICT=1``.
FELT_BUDGET_MS = float(os.environ.get("STEWARD_FELT_BUDGET_MS", "100"))
FELT_LIMIT_MS = FELT_BUDGET_MS if os.environ.get("STEWARD_FELT_STRICT") == "1" else 1000.0


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem)
def test_felt_latency_of_every_slider_app(notebook: Path, lab: LabServer, lab_page: LabPage) -> None:
    """For each app with a slider: arrow-key presses on its first slider, each timed until the
    new picture is decoded and painted; p50/p95 are printed and kept in
    ``test-artifacts/felt-latency.json``. Select these alone with ``-k felt``."""
    import json

    try:
        lab_page.open(notebook.relative_to(ROOT).as_posix())
        page = lab_page.page
        bs.run_all(page)
        bs.wait_for_run(page, RUN_TIMEOUT)
        apps = page.locator(".steward-app")
        found = {}
        for index in range(apps.count()):
            app = apps.nth(index)
            if not app.locator(".noUi-handle, .steward-slider input[type=range]").count():
                continue
            samples = bs.felt_latency(page, app, presses=10)
            found[f"app {index + 1}"] = samples
    except Exception as error:
        lab_page.discard()
        raise AssertionError(f"{notebook.name}: {error}") from error
    finally:
        lab.shutdown_kernels()
    summary = {name: {"n": len(v), "p50_ms": _pct(v, 50), "p95_ms": _pct(v, 95)} for name, v in found.items() if v}
    bs.ARTIFACTS.mkdir(exist_ok=True)
    record = bs.ARTIFACTS / "felt-latency.json"
    everything = json.loads(record.read_text()) if record.exists() else {}
    everything[notebook.stem] = {"load": os.getloadavg()[0], "apps": summary}
    record.write_text(json.dumps(everything, indent=2))
    print(f"{notebook.name}: felt latency {summary} (load {os.getloadavg()[0]:.1f})")
    # A slider whose next values draw the same picture (module 03's pods: 3 → 4 replicas moves the
    # path's availability below a pixel) has nothing to time; test_lesson_runs_and_its_widgets_respond
    # already holds every control to changing its view. A lesson where no slider ever drew is a failure.
    silent = [name for name, v in found.items() if not v]
    if silent:
        print(f"{notebook.name}: no new picture to time on {silent}")
    assert not found or len(silent) < len(found), f"no new picture followed a key press on any slider: {silent}"
    slow = {name: s["p95_ms"] for name, s in summary.items() if s["p95_ms"] > FELT_LIMIT_MS}
    assert not slow, f"felt latency p95 over {FELT_LIMIT_MS:.0f} ms: {slow}"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 1)


def _run_and_operate(lab_page: LabPage, notebook: Path) -> None:
    started = time.monotonic()
    lab_page.open(notebook.relative_to(ROOT).as_posix())
    page = lab_page.page
    opened = time.monotonic()
    assert not bs.is_dirty(page), "the untouched lesson is marked unsaved once its kernel started ('Save changes?' on close)"
    bs.run_all(page)
    state = bs.wait_for_run(page, RUN_TIMEOUT)
    ran = time.monotonic()

    # 1. Every code cell ran and none shows an error, in Lab's model or on the page.
    code = [c for c in state["cells"] if c["source"].strip()]
    errors = [f"cell {c['index'] + 1}: {text}" for c in code for o in c["outputs"] if (text := bs.error_text(o))]
    assert not errors, "cells show errors:\n" + "\n".join(errors)
    undrawn = [f"cell {c['index'] + 1}: {text}" for c in code if (text := outcomes.undrawn_chart(c["outputs"]))]
    assert not undrawn, "cells show a chart as text, not as an image:\n" + "\n".join(undrawn)
    not_run = [c["index"] + 1 for c in code if c["count"] is None]
    assert not not_run, f"cells {not_run} did not run"

    # 2. Every widget rendered.
    widget_outputs = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]')
    bs.wait_until(lambda: "Loading widget" not in " ".join(widget_outputs.all_inner_texts()), 30, "widgets to load")
    assert not bs.visible_errors(page), "the page shows errors:\n" + "\n".join(bs.visible_errors(page))
    markdown = [nbjson.source(c) for c in nbjson.read(notebook).cells if c.get("cell_type") == "markdown"]
    maths = bs.unintended_maths(page, markdown)
    assert not maths, "the page typesets maths nobody wrote as maths (paired $ signs):\n" + "\n".join(maths)
    apps = page.locator(".steward-app")
    if _expects_apps(notebook):
        assert apps.count() >= 1, "the lesson registers APPS but no app (.steward-app) rendered"

    # 3. Each app answers its controls: what the learner sees changes.
    for index in range(apps.count()):
        app = apps.nth(index)
        app.scroll_into_view_if_needed()
        operations = bs.operate_app(page, app)
        report = "\n".join(f"  {op}" for op in operations)
        print(f"{notebook.name} app {index + 1}:\n{report}")
        assert operations, f"app {index + 1} has no control a learner could operate"
        assert all(op.ok for op in operations), (
            f"app {index + 1}: a control did not change what the learner sees (for any value tried):\n{report}"
        )
        assert "Error displaying widget" not in app.inner_text()
    assert not bs.visible_errors(page), "errors after operating the apps:\n" + "\n".join(bs.visible_errors(page))
    print(f"{notebook.name}: opened in {opened - started:.1f} s, ran in {ran - opened:.1f} s, "
          f"{apps.count()} apps operated in {time.monotonic() - ran:.1f} s")


#: Lessons opened in Jupyter Notebook 7 as well (at least one with widgets); the lead can
#: widen it with ``STEWARD_NB7_LESSONS=all``.
NB7_LESSONS = (LESSONS if os.environ.get("STEWARD_NB7_LESSONS") == "all"
               else [p for p in LESSONS if p.name[:2] in os.environ.get("STEWARD_NB7_LESSONS", "06").split(",")])


@pytest.fixture(scope="module")
def notebook7(chromium):
    try:
        import notebook  # noqa: F401
    except ImportError:
        _unavailable("Jupyter Notebook 7 is not installed (pip install notebook)")
    server = NotebookServer(ROOT, start_timeout=OPEN_TIMEOUT)
    server.start()
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    try:
        yield server, context
    finally:
        context.close()
        server.stop()


@pytest.mark.parametrize("notebook", NB7_LESSONS, ids=lambda p: p.stem)
def test_lesson_in_notebook7_renders_and_responds(notebook: Path, notebook7) -> None:
    """Jupyter Notebook 7: the lesson runs top to bottom without an error, its apps render and
    answer a control, and its outputs pass the same accessibility audit as in Lab."""
    server, context = notebook7
    page = context.new_page()
    try:
        page.goto(server.url(f"notebooks/{notebook.relative_to(ROOT).as_posix()}"))
        bs.wait_until(lambda: (state := bs.cells(page)) and state["kernel"] == "idle" and state["cells"],
                      OPEN_TIMEOUT, "the notebook and its kernel in Notebook 7")
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        state = bs.wait_for_run(page, RUN_TIMEOUT)
        code = [c for c in state["cells"] if c["source"].strip()]
        errors = [f"cell {c['index'] + 1}: {text}" for c in code for o in c["outputs"] if (text := bs.error_text(o))]
        assert not errors, "cells show errors in Notebook 7:\n" + "\n".join(errors)
        apps = page.locator(".steward-app")
        if _expects_apps(notebook):
            bs.wait_until(lambda: apps.count() >= 1, 30, "an app to render in Notebook 7")
            for index in range(apps.count()):
                app = apps.nth(index)
                app.scroll_into_view_if_needed()
                operations = bs.operate_app(page, app)
                print(f"{notebook.name} in Notebook 7, app {index + 1}:\n" + "\n".join(f"  {op}" for op in operations))
                assert operations and all(op.ok for op in operations), "\n".join(map(str, operations))
        script = bs.axe_script()
        if script is not None:
            result = bs.audit(page, script)
            assert not result.unnamed_images, f"images without a text alternative: {result.unnamed_images}"
            assert not result.blocking, "serious or critical violations in Notebook 7:\n" + result.report(result.blocking)
    except Exception:
        bs.screenshot(page, f"nb7-{notebook.stem}")
        raise
    finally:
        page.close()
        server.shutdown_kernels()
