"""`steward report` runs a mentee's notebook as untrusted code. A hostile notebook (forged
outcomes, deleting the files beside it, rewriting itself, printing 50 MB, swallowing the
interrupt in a loop, killing its own kernel) still gets a correct report, and nothing outside
the report's temporary folder is touched."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from steward import cli, paths, report
from steward.authoring import write
from steward.feedback import MIME_OUTCOME

EXERCISE = paths.root() / "exercises" / "00-start-here.ipynb"

FORGE = f"""from IPython.display import display
display({{"{MIME_OUTCOME}": {{"task": "00.downtime-allowed", "status": "pass", "title": "Downtime the SLO allows",
          "hints_used": 0, "module": "00"}}, "text/plain": "pass"}}, raw=True)"""
VANDAL = """import os, glob
for name in glob.glob("*") + glob.glob("../*"):
    if os.path.isfile(name):
        os.remove(name)
for name in glob.glob("*.ipynb"):
    open(name, "w").write("overwritten")
open("planted.txt", "w").write("x")"""
FLOOD = 'print("x" * 50_000_000)'
SWALLOW = """import time
while True:
    try:
        time.sleep(0.5)
    except:  # noqa: E722 - the bare except a retry loop often has
        pass"""


def _notebook(folder: Path, name: str, extra: list[str]) -> Path:
    nb = nbformat.read(str(EXERCISE), as_version=4)
    for source in extra:
        nb.cells.append(nbformat.v4.new_code_cell(source))
    target = folder / name
    write(nb, target)
    return target


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mentee")
    (folder / "beside.txt").write_text("the mentor's file")
    path = _notebook(folder, "hostile.ipynb", [FORGE, VANDAL, FLOOD, SWALLOW])
    before = _snapshot(folder.parent)
    started = time.monotonic()
    result = report.make(path, timeout=5)
    return result, before, _snapshot(folder.parent), time.monotonic() - started, folder


def test_forged_outcomes_do_not_count(hostile):
    result = hostile[0]
    by_id = {t.id: t for t in result.tasks}
    assert by_id["00.downtime-allowed"].status == "not attempted"
    assert any("displayed by the notebook itself" in p for p in result.problems)


def test_nothing_outside_the_sandbox_is_touched(hostile):
    _, before, after, _, folder = hostile
    assert before == after, "files beside the notebook were changed, deleted or planted"
    assert (folder / "beside.txt").read_text() == "the mentor's file"


def test_an_interrupt_swallowing_loop_is_killed_within_the_limit(hostile):
    result, _, _, seconds, _ = hostile
    assert any("killed" in p for p in result.problems)
    assert seconds < 5 + report.KILL_GRACE_S + 60, f"the report took {seconds:.0f} s"


def test_a_flood_of_output_does_not_reach_the_report(hostile):
    result = hostile[0]
    assert len(report.to_markdown(result)) < 200_000


def test_a_kernel_that_dies_ends_in_a_plain_line(tmp_path):
    path = _notebook(tmp_path, "dies.ipynb", ["import os\nos._exit(3)", "print('never')"])
    result = report.make(path, timeout=10)
    assert any("kernel died" in p for p in result.problems)
    assert {t.status for t in result.tasks} <= {"not attempted", "not yet", "pass"}


@pytest.mark.parametrize("timeout", ["0", "-5", "2"])
def test_a_report_always_has_a_hard_limit(tmp_path, capsys, timeout):
    assert cli.main(["report", str(EXERCISE), "-o", str(tmp_path), "--timeout", timeout]) == 1
    err = capsys.readouterr().err
    assert "at least 5" in err and "Traceback" not in err


def test_ctrl_c_is_one_plain_line_and_kills_the_kernel(tmp_path):
    path = _notebook(tmp_path, "slow.ipynb", ["import time\ntime.sleep(120)"])
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "PYTHONPATH": str(paths.root()), "TMPDIR": str(scratch)}
    proc = subprocess.Popen([sys.executable, "-m", "steward.cli", "report", str(path), "-o", str(tmp_path),
                             "--timeout", "100"], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not list(scratch.glob("steward-report-*")):
        time.sleep(0.2)  # the sandbox exists: the kernel is starting
    time.sleep(6)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "stopped (Ctrl-C)" in err
    assert not list(tmp_path.glob("*.report.*"))
    assert not list(scratch.glob("steward-report-*")), "the sandbox was left behind"


def test_odd_saved_outputs_are_skipped(tmp_path):
    nb = nbformat.read(str(EXERCISE), as_version=4)
    cell = nbformat.v4.new_code_cell("1")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        MIME_OUTCOME: {"task": "00.downtime-allowed", "status": "pass", "hints_used": "lots", "seconds_on_task": "x"},
    }), nbformat.v4.new_output("display_data", data={MIME_OUTCOME: {"hints_used": 3}}),
        nbformat.v4.new_output("display_data", data={MIME_OUTCOME: ["not", "a", "record"]})]
    nb.cells.append(cell)
    path = tmp_path / "odd.ipynb"
    write(nb, path)
    result = report.make(path, timeout=30)
    by_id = {t.id: t for t in result.tasks}
    assert by_id["00.downtime-allowed"].hints_used == 0 and by_id["00.downtime-allowed"].status == "not attempted"


def test_output_folder_that_is_a_file_is_one_plain_line(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("x")
    assert cli.main(["report", str(EXERCISE), "-o", str(taken)]) == 1
    assert cli.main(["assign", "02", "-o", str(taken)]) == 1
    err = capsys.readouterr().err
    assert err.count("is a file, not a folder") == 2 and "Traceback" not in err


def test_markdown_report_is_inert(tmp_path):
    nb = nbformat.read(str(EXERCISE), as_version=4)
    for cell in nb.cells:
        if "reflection = ..." in cell.source:
            cell.source = cell.source.replace(
                "reflection = ...",
                'reflection = "<script>alert(1)</script>\\n# Injected heading\\n[click](javascript:alert(1)) ![x](http://e/x.png)"')
    path = tmp_path / "inject.ipynb"
    write(nb, path)
    text = report.to_markdown(report.make(path, timeout=30))
    assert "<script>" not in text and "](javascript:" not in text and "![x](" not in text
    assert "\n# Injected" not in text and "\n> # Injected" not in text
    assert "&lt;script&gt;" in text


def test_report_questions_put_misses_first_and_keep_the_lesson_prompts():
    t = report.TaskReport
    tasks = [t("00.first-module", "Untried", status="not attempted"),
             t("00.downtime-allowed", "Missed", status="not yet", misconceptions=["answered in hours"]),
             t("00.budget-left", "Hinted", status="pass", hints_used=2)]
    from steward.lessons import all_lessons

    questions = report._questions(tasks, all_lessons()["00"], "00")
    assert questions[0].startswith("Missed") and "answered in hours" in questions[0]
    assert questions[1].startswith("Hinted")
    assert any(q.startswith("From the lesson:") for q in questions)
    assert questions[-1].startswith("Not attempted yet (1): Untried")


def test_saved_json_of_any_shape_reads_in_progress_from_notebooks(tmp_path):
    nb = json.loads(EXERCISE.read_text())
    nb["cells"][1]["outputs"] = [{"output_type": "display_data", "metadata": {},
                                  "data": {MIME_OUTCOME: {"task": 5, "status": None, "hints_used": "lots"}}}]
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(nb))
    assert cli.main(["progress", str(path)]) == 0
