"""What a learner sees around the checks (issue 19): Markdown that cannot turn into maths,
feedback Markdown rendered safely, quiet cells, plain numbers, honest hint counts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from steward import feedback, paths

ROOT = paths.root()
NOTEBOOKS = sorted(p for folder in ("notebooks", "solutions", "exercises") for p in (ROOT / folder).glob("*.ipynb"))

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_DISPLAY_MATHS = re.compile(r"\$\$.+?\$\$", re.S)


def pairing_dollars(markdown: str) -> list[str]:
    """Paragraphs in which two dollar signs (escaped or not) could pair as inline maths.

    JupyterLab's Markdown renderer turns ``\\$`` into ``$`` and then MathJax typesets any
    ``$…$`` left in a paragraph; code spans and fenced code are skipped. Display maths the
    author wrote on purpose (``$$…$$``) is allowed."""
    found = []
    for paragraph in re.split(r"\n[ \t]*\n", _FENCE.sub("", markdown)):
        text = _DISPLAY_MATHS.sub("", _CODE_SPAN.sub("", paragraph))
        if text.count("$") >= 2:
            found.append(paragraph.strip())
    return found


@pytest.mark.parametrize(
    ("markdown", "hits"),
    [
        ("It supports \\$143k to \\$413k a month.", 1),
        ("It supports $143k to $413k.", 1),
        ("Saving: `$143k` to `$413k`.", 0),
        ("USD 143k to USD 413k.", 0),
        ("One \\$5 coffee.\n\nAnother \\$5 coffee.", 0),
        ("- item \\$5\n- item \\$6", 1),
        ("$$H = \\frac{a}{b}$$", 0),
        ("```\nprice = '$1' + '$2'\n```", 0),
    ],
)
def test_the_dollar_scan_itself(markdown, hits):
    assert len(pairing_dollars(markdown)) == hits


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_markdown_dollars_pair_as_maths(path: Path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    bad = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            bad += [f"cell {index + 1}: {p[:120]!r}" for p in pairing_dollars(source)]
    assert not bad, "two $ in one paragraph render as maths in JupyterLab; write USD 143k or use code spans:\n" + "\n".join(bad)


def test_every_html_output_is_out_of_reach_of_mathjax():
    data = feedback.bundle("$143k to $413k", "<div>$143k to $413k</div>")
    assert data["text/html"].startswith("<div class='mathjax_ignore tex2jax_ignore'>")
    assert data["text/plain"] == "$143k to $413k"


# -- item 5: Markdown in feedback and hints ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Are you counting *carts* or sessions?", "Are you counting <em>carts</em> or sessions?"),
        ("Is it the **relative** change?", "Is it the <b>relative</b> change?"),
        ("Use `df.groupby('arm')`", "Use <code>df.groupby(&#x27;arm&#x27;)</code>"),
        ("`*not emphasis*` here", "<code>*not emphasis*</code> here"),
        ("snake_case_name and 2 * 3 * 4", "snake_case_name and 2 * 3 * 4"),
        ("_relative_ change", "<em>relative</em> change"),
    ],
)
def test_inline_markdown_renders_the_small_subset(text, html):
    assert feedback.inline_markdown(text) == html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "*<img src=x onerror=alert(1)>*",
        "`</code><script>x()</script>`",
        "**<a href='javascript:alert(1)'>x</a>**",
        "<b onmouseover=alert(1)>*x*</b>",
    ],
)
def test_inline_markdown_lets_no_raw_html_through(hostile):
    out = feedback.inline_markdown(hostile)
    tags = re.findall(r"<(/?[^>]*)>", out)
    assert set(tags) <= {"em", "/em", "b", "/b", "code", "/code"}, tags


def test_feedback_html_renders_hint_markdown_and_text_stays_plain():
    record = {"task": "07.x", "title": "T", "status": "not yet", "message": "Count *carts*.", "hint": "Is it *relative*?"}
    html_out = feedback.outcome_html(record)
    assert "<em>carts</em>" in html_out and "<em>relative</em>" in html_out and "*" not in html_out
    assert "*relative*" in feedback.outcome_text(record)  # a terminal shows the text as written
    assert "<em>relative</em>" in feedback.hint_html("T", 1, 2, "Is it *relative*?")


# -- item 3: hint cells say what to do ---------------------------------------------------------------------------

HINT_CALL = re.compile(r"tasks\.\w+\.hint\(\)")
HINT_LEAD = "# Stuck? Delete the # at the start of the next line and run this cell"
EXERCISE_BOOKS = [p for p in NOTEBOOKS if p.parent.name in ("solutions", "exercises")]


def _cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        cell["text"] = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return cells


@pytest.mark.parametrize("path", EXERCISE_BOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_hint_cell_says_what_to_do(path: Path):
    """Hint cells stay commented (Run All on a blank exercise must not spend hints), so
    each one says how to use it; the header says the same."""
    cells = _cells(path)
    hint_cells = [c for c in cells if c["cell_type"] == "code" and HINT_CALL.search(c["text"]) and "check(" not in c["text"]]
    assert hint_cells
    for cell in hint_cells:
        lines = cell["text"].splitlines()
        assert lines[0].startswith(HINT_LEAD), f"hint cell without instructions: {cell['text']!r}"
        assert re.fullmatch(r"# tasks\.\w+\.hint\(\)", lines[-1]), cell["text"]
    header = cells[0]["text"]
    assert "hint cell" not in header or "delete the `#` in the" in " ".join(header.split())


@pytest.mark.parametrize("path", sorted((ROOT / "exercises").glob("*.ipynb")), ids=lambda p: p.name)
def test_a_blank_exercise_spends_no_hint(path: Path):
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            live = [line for line in cell["text"].splitlines() if HINT_CALL.search(line) and not line.lstrip().startswith("#")]
            assert not live, f"a live hint call counts a hint on Run All: {live}"


# -- item 4: quiet cells, plain numbers, honest counts --------------------------------------------------------------

def _shown(value) -> dict:
    """What IPython prints for a cell's last value (empty when the object displays nothing)."""
    from IPython.core.formatters import DisplayFormatter

    return DisplayFormatter().format(value)[0]


def _task(id="99.seen", **kwargs):  # noqa: A002
    from steward import checks
    from steward.tasks import Task

    return Task(id=id, title="Seen", prompt="2 + 2", reference=lambda: 4.0, compare=checks.number(),
                hints=["What is 2 + 2?", "Add *them*."], **kwargs)


def test_keep_and_remember_print_no_bare_boolean(progress_file, capsys):
    from steward import results

    task = _task()
    for value in (task.check(5.0).keep("99.a"), task.check(4.0).keep("99.a"), results.remember("99.b", 1.0),
                  results.remember("99.c", ...)):
        assert _shown(value) == {}, "a cell ending in .keep() must not print True/False"
    assert bool(task.check(4.0).keep("99.a")) and not task.check(3.0).keep("99.a")


def test_kept_numbers_read_plainly(progress_file, capsys):
    import numpy as np
    import pandas as pd

    from steward import results

    results.remember("07.abandonment_pct", [np.float64(65.84123), np.float64(61.77)])
    results.remember("07.by_arm", pd.Series({"control": np.float64(0.6584), "treatment": np.float64(0.6177)}))
    out = capsys.readouterr().out
    assert "Kept 07.abandonment_pct = [65.84, 61.77] for later modules." in out
    assert "np.float64" not in out and "control: 0.6584" in out
    assert results.recall("07.abandonment_pct", default=None) == [65.84123, 61.77]


def test_rubric_and_note_cells_show_no_raw_dict(progress_file, capsys):
    from steward.tasks import Rubric, note

    rubric = Rubric("99.r", "R", ["one", "two"], "mid", "senior")
    record = rubric.assess(["yes", "partly"])
    assert record["status"] == "self-assessed" and _shown(record) == {}
    assert _shown(note("99.n", "N", "my words")) == {}


def test_seeing_the_last_hint_again_is_not_another_hint(progress_file):
    from steward import progress

    task = _task()
    task.hint(), task.hint()
    again = task.hint()
    assert again.tier == 2 and "last hint" in again.text and task.hints_used == 2
    assert progress.summary(progress.load())["99.seen"]["hints"] == 2
    assert task.check(1.0).record["hints_used"] == 2


def test_hint_counts_are_pluralised(progress_file, capsys):
    from steward import cli

    assert feedback.plural(1, "hint") == "1 hint" and feedback.plural(0, "hint") == "0 hints"
    from steward.lessons import start_here

    _task(id=next(iter(start_here.TASKS)).id).hint()
    assert cli.main(["progress"]) == 0
    assert "1 hint used." in capsys.readouterr().out


def test_progress_of_one_notebook_lists_only_its_module(tmp_path, capsys):
    from steward import cli

    for name in ("07-influence-with-data.ipynb", "04-quantify-everything.ipynb"):
        assert cli.main(["progress", str(ROOT / "exercises" / name)]) == 0
        out = capsys.readouterr().out
        rows = re.findall(r"^(\d\d)\s", out, re.M)
        assert rows == [name[:2]] or "No progress" in out, out
    copy = tmp_path / "mine.ipynb"  # a renamed copy: the module comes from its metadata
    copy.write_text((ROOT / "exercises" / "07-influence-with-data.ipynb").read_text(encoding="utf-8"), encoding="utf-8")
    from steward import progressview

    assert list(progressview.from_notebooks([copy]).index) == ["07"]


# -- item 6: a kernel steward starts prints no eavesdropping warning ----------------------------------------------

def test_a_kernel_steward_starts_prints_no_start_up_warning(tmp_path, capfd):
    import nbformat
    from nbclient import NotebookClient

    from steward import environment

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    NotebookClient(nb, kernel_name="python3", timeout=60, **environment.quiet_kernel()).execute()
    assert nb.cells[0].outputs[0]["text"].strip() == "42"
    err = capfd.readouterr().err
    assert "eavesdropping" not in err and "WARNING" not in err, err


# -- one rounding rule for every check ----------------------------------------------------------------------------

def test_one_rounding_rule_for_series_frames_and_counts():
    import pandas as pd

    from steward import checks

    want = pd.Series({"control": 0.658412, "treatment": 0.617733}, name="share")
    close = checks.series()({"control": 0.66, "treatment": 0.62}, want)
    assert close.status == "not yet" and close.message.startswith("Close:") and "one more decimal" in close.message
    wrong = checks.series()({"control": 0.65, "treatment": 0.62}, want)
    assert not wrong.message.startswith("Close:")
    assert checks.series()(want.to_dict(), want).passed

    frame = pd.DataFrame({"arm": ["a", "b"], "pct": [0.658412, 0.617733]})
    got = frame.assign(pct=[0.66, 0.62])
    verdict = checks.frame(["arm", "pct"], key="arm")(got, frame)
    assert verdict.message.startswith("Close:") and "'pct'" in verdict.message
    assert not checks.frame(["arm", "pct"], key="arm")(frame.assign(pct=[0.6, 0.62]), frame).message.startswith("Close:")

    count = checks.integer()(1234.4, 1234)
    assert count.message.startswith("Close:") and checks.integer()(1234, 1234).passed
    assert not checks.integer()(1236.4, 1234).message.startswith("Close:")


# -- item 6: an untouched notebook is not marked unsaved when its kernel starts ------------------------------------

ALL_STORED = sorted(p for folder in ("notebooks", "solutions", "exercises") for p in (ROOT / folder).glob("*.ipynb"))


@pytest.mark.parametrize("path", ALL_STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_stored_metadata_is_what_the_kernel_reports(path: Path):
    """JupyterLab copies the kernel's language_info into the notebook on connect; any
    difference marks an untouched notebook unsaved (measured in Chromium: ipykernel's
    '3.11.7' against the stored {'name': 'python'} made every lesson dirty)."""
    from steward import kernel

    meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    assert meta["language_info"] == kernel.LANGUAGE_INFO
    assert meta["kernelspec"] == {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def test_the_curriculums_kernel_reports_the_stored_language_info():
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import start_new_kernel

    from steward import kernel

    # run.py installs the curriculum's kernel; a plain pytest run may have ipykernel's own spec. The
    # argument may be given once only (ipykernel refuses a second kernel_class).
    spec = KernelSpecManager().get_kernel_spec("python3")
    extra = [] if kernel.KERNEL_CLASS_ARGUMENT in spec.argv else [kernel.KERNEL_CLASS_ARGUMENT]
    manager, client = start_new_kernel(kernel_name="python3", extra_arguments=extra)
    try:
        reply = client.kernel_info(reply=True, timeout=30)
        assert reply["content"]["language_info"] == kernel.LANGUAGE_INFO
        assert client.execute_interactive("x = 1", timeout=30)["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_authoring_writes_the_same_metadata():
    from steward import authoring, kernel

    assert authoring.from_percent("# %% [markdown]\n# x\n", "99", "lesson").metadata["language_info"] == kernel.LANGUAGE_INFO


def test_an_apps_state_reads_plainly_as_a_cells_last_value():
    import numpy as np

    from steward.widgets import State

    state = State({"servers": 2000, "slow_share": np.float64(0.18127743473445046), "label": "x"})
    assert _shown(state)["text/plain"] == "servers: 2,000 · slow_share: 0.1813 · label: 'x'"
    assert state == {"servers": 2000, "slow_share": 0.18127743473445046, "label": "x"}


def test_a_task_checked_once_has_a_time_on_task(progress_file, monkeypatch):
    from steward import tasks as tasks_module

    clock = iter([1000.0, 1090.0, 1100.0])
    monkeypatch.setattr(tasks_module.time, "time", lambda: next(clock))
    monkeypatch.setattr(tasks_module, "_LAST_STEP", {})
    monkeypatch.setattr(tasks_module, "_IMPORTED", 940.0)
    first, second = _task(id="98.first"), _task(id="98.second")
    assert first.check(4.0).record["seconds_on_task"] == 60.0  # since the set-up cell
    assert second.check(4.0).record["seconds_on_task"] == 90.0  # since the previous task's check
    assert second.check(4.0).record["seconds_on_task"] == 100.0


def test_a_numeric_answer_travels_to_the_report_as_a_plain_number(progress_file):
    import numpy as np

    task = _task()
    assert task.check(np.float64(-6.17422237721899)).record["answer"] == "-6.17422237721899"
    assert task.check(np.int64(7)).record["answer"] == "7"
    assert task.check(4.0).record["answer"] == "4.0"


def test_explain_hint_is_idempotent_and_touches_only_hint_cells():
    from steward import authoring

    once = authoring.explain_hint("# Stuck? Uncomment to get a hint.\n# tasks.week_p99.hint()")
    assert once == authoring.HINT_LEAD + "\n# tasks.week_p99.hint()"
    assert authoring.explain_hint(once) == once and authoring.explain_hint("# tasks.x.hint()") == authoring.HINT_LEAD + "\n# tasks.x.hint()"
    for other in ("tasks.x.check(y)", "# a note\nx = 1", "tasks.x.hint()"):
        assert authoring.explain_hint(other) == other
    assert HINT_LEAD.startswith("# Stuck?") and authoring.HINT_LEAD.startswith(HINT_LEAD)


def test_a_rubric_renders_its_markdown(capsys, monkeypatch):
    from steward.tasks import Rubric

    shown = []
    monkeypatch.setattr(feedback, "show", shown.append)
    Rubric("99.r", "R", ["Names the *conditions*, not <people>"], "mid `code`", "senior **bold**").show()
    body = shown[0]["text/html"]
    assert "<em>conditions</em>" in body and "&lt;people&gt;" in body and "<code>code</code>" in body and "<b>bold</b>" in body


def test_app_set_returns_its_own_state_as_a_plain_state():
    from steward.lessons import quantify
    from steward.widgets import State

    app = quantify.TailAtScale()
    state = app.set(servers=2000)
    assert state is app.state and isinstance(state, State)
    assert "servers: 2,000" in _shown(state)["text/plain"]


def test_records_read_as_a_reader_reads_them():
    """Scenario dicts and proposals are printed as lines a person reads, not as Python dicts (issue 19)."""
    from steward.feedback import plain_mapping

    assert plain_mapping({"team_size": 6, "asks_per_hour": 12.0}) == "team_size = 6 · asks_per_hour = 12.0"
    text = plain_mapping({"slo": "p99 ≤ 200 ms", "deps": [{"name": "inv", "timeout_ms": 100}], "owner": None}, lines=True)
    assert text.splitlines() == ["slo: p99 ≤ 200 ms", "deps: (name: inv, timeout_ms: 100)", "owner: —"]
    assert "{" not in text and "'" not in text
