"""One exercise task worked in a real JupyterLab, as a learner works it: a copy of exercise 04 in a
folder of its own (never the repository's file), Run All, then answers typed into the task's cell
and run with Ctrl-Enter. A blank task says *not attempted*; an answer that is one of the task's
misconceptions says *not yet* with that misconception's hint; the solution's answer passes; and the
checks are in the learner's progress record.

The lessons are tested in the browser (``tests/test_browser.py``); this covers what a learner reads
in an exercise. Outside CI a missing Chromium or Playwright skips it; with ``CI=true`` it fails. On
failure a screenshot goes to ``test-artifacts/exercise-04.png``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import browser_support as bs
import pytest
from lab_server import LabServer

from steward import nbjson, progress, progressview
from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS
from steward.lessons import quantify

ROOT = Path(__file__).resolve().parent.parent
NAME = "04-quantify-everything.ipynb"
TASK = quantify.TASKS.p99_per_region
MISCONCEPTION = "used the mean instead of the p99"
TIMEOUT = 180.0

pytestmark = pytest.mark.browser


def _solution_code() -> str:
    """The task's cell in the solution, with its answer (never typed here as a literal)."""
    for cell in nbjson.read(ROOT / "solutions" / NAME).cells:
        source = nbjson.source(cell)
        if f"{TASK.handle}.check(" in source:
            return re.sub(r"### (BEGIN|END) SOLUTION\n", "", source)
    raise AssertionError(f"no cell of solutions/{NAME} checks {TASK.handle}")


@pytest.fixture(scope="module")
def learner(tmp_path_factory, chromium):
    """Chromium at 1280×800 on a JupyterLab whose root is a learner's own folder with a copy of
    the exercise; the kernel imports this checkout's ``steward``."""
    folder = tmp_path_factory.mktemp("learner")
    shutil.copy(ROOT / "exercises" / NAME, folder / NAME)
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    server = LabServer(folder, start_timeout=TIMEOUT, extra_env={"PYTHONPATH": path})
    server.start()
    try:
        context = chromium.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(30_000)
        try:
            yield server, context.new_page(), folder
        finally:
            context.close()
    finally:
        server.stop()


def _cell_index(page, needle: str) -> int:
    for cell in bs.cells(page)["cells"]:
        if needle in cell["source"] and "hint()" not in cell["source"]:
            return cell["index"]
    raise AssertionError(f"no code cell holds {needle!r}")


def _answer(page, index: int, code: str) -> str:
    """Type ``code`` into cell ``index`` as a learner does, run it (Ctrl-Enter), return what it shows."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)
    before = next(c["count"] for c in bs.cells(page)["cells"] if c["index"] == index)
    page.keyboard.press("Control+Enter")

    def ran():
        state = bs.cells(page)
        mine = next(c for c in state["cells"] if c["index"] == index)
        return state["kernel"] == "idle" and not mine["running"] and mine["count"] != before

    bs.wait_until(ran, TIMEOUT, f"cell {index + 1} to run")
    return cell.locator(".jp-OutputArea").inner_text()


def _outcome(page, index: int) -> str:
    outcome = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".steward-outcome")
    return outcome.first.get_attribute("data-status") if outcome.count() else ""


def test_a_learner_works_one_exercise_task(learner):
    server, page, folder = learner
    try:
        bs.open_notebook(page, server.url(f"lab/tree/{NAME}"), TIMEOUT)
        bs.run_all(page)
        state = bs.wait_for_run(page, TIMEOUT)
        errors = [text for c in state["cells"] for o in c["outputs"] if (text := bs.error_text(o))]
        assert not errors, "the blank exercise shows errors:\n" + "\n".join(errors)
        index = _cell_index(page, f"{TASK.handle}.check(")
        assert _outcome(page, index) == NOT_ATTEMPTED

        right = _solution_code()
        wrong = right.replace(".quantile(0.99)", ".mean()")
        assert wrong != right, "the solution no longer takes .quantile(0.99): update this test's wrong answer"
        hint = next(m.hint for m in TASK.misconceptions if m.name == MISCONCEPTION)
        shown = _answer(page, index, wrong)
        assert _outcome(page, index) == NOT_YET, shown
        assert "Hint:" in shown and hint in " ".join(shown.split()), shown

        shown = _answer(page, index, right)
        assert _outcome(page, index) == PASS, shown
        assert "Hint:" not in shown and "Traceback" not in shown
        assert not bs.visible_errors(page)

        record = progress.load(server.home / "progress.json")
        checks = [e for e in progress.events(record) if e.get("kind") == "check" and e.get("task") == TASK.id]
        assert [e["status"] for e in checks][-2:] == [NOT_YET, PASS], checks
        assert checks[-2].get("misconception") == MISCONCEPTION
        assert progressview.from_record(record).loc["04", PASS] == 1
    except BaseException:
        bs.screenshot(page, "exercise-04")
        raise
