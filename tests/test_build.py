"""`steward build`: single-source exercises, placeholders, safety for the learner's work."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from steward import build, cli, paths
from steward.authoring import write

SOLUTION_CELL = """import math
values = [1, 2, 3]
### BEGIN SOLUTION
total = sum(values)
mean, spread = total / len(values), max(values) - min(values)
### END SOLUTION
tasks.mean.check(mean)"""

FUNCTION_CELL = """def transition(state, result):
    \"\"\"Next breaker state.\"\"\"
    ### BEGIN SOLUTION
    if result == "fail":
        return "open"
    return state
    ### END SOLUTION"""

FUNCTION_AT_TOP = """### BEGIN SOLUTION
def transition(state: str, result: str) -> str:
    \"\"\"Next breaker state.\"\"\"
    return state
### END SOLUTION
tasks.transition.check(transition)"""


def make_root(tmp_path: Path, cells: list[tuple[str, str, list[str]]], name: str = "05-sample.ipynb") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["steward"] = {"module": "05", "kind": "solution"}
    for kind, source, tags in cells:
        cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    (tmp_path / "solutions").mkdir(parents=True, exist_ok=True)
    write(nb, tmp_path / "solutions" / name)
    return tmp_path


def exercise(root: Path, name: str = "05-sample.ipynb") -> nbformat.NotebookNode:
    return nbformat.read(str(root / "exercises" / name), as_version=4)


def test_solution_block_becomes_placeholders(tmp_path):
    root = make_root(tmp_path, [("md", "# Title", []), ("code", SOLUTION_CELL, []), ("code", "assert mean == 2", ["solution-only"])])
    build.build(root)
    nb = exercise(root)
    assert len(nb.cells) == 2  # solution-only dropped
    source = nb.cells[1].source
    assert "sum(values)" not in source
    assert "total = ...\nmean = ...\nspread = ..." in source
    assert source.startswith("import math\nvalues = [1, 2, 3]\n# YOUR ANSWER HERE")
    assert source.endswith("tasks.mean.check(mean)")
    assert nb.metadata["steward"]["kind"] == "exercise"


def test_indented_block_inside_a_function_keeps_a_valid_body(tmp_path):
    root = make_root(tmp_path, [("code", FUNCTION_CELL, [])])
    build.build(root)
    source = exercise(root).cells[0].source
    compile(source, "cell", "exec")
    assert '"open"' not in source


def test_function_block_keeps_its_signature(tmp_path):
    root = make_root(tmp_path, [("code", FUNCTION_AT_TOP, [])])
    build.build(root)
    source = exercise(root).cells[0].source
    assert "def transition(state: str, result: str) -> str:" in source
    assert '"""Next breaker state."""' in source
    assert "return state" not in source
    namespace: dict = {}
    exec(source.replace("tasks.transition.check(transition)", ""), namespace)
    assert namespace["transition"]("closed", "ok") is None


def test_build_is_idempotent_and_byte_stable(tmp_path):
    root = make_root(tmp_path, [("code", SOLUTION_CELL, [])])
    build.build(root)
    first = (root / "exercises" / "05-sample.ipynb").read_bytes()
    planned = build.build(root)
    assert [p.status for p in planned] == ["same"]
    assert (root / "exercises" / "05-sample.ipynb").read_bytes() == first


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "without an ### END"),
        ("x = 1\n### END SOLUTION", "without a ### BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "a second"),
        ("### BEGIN SOLUTION\nx = (\n### END SOLUTION", "not valid Python"),
    ],
)
def test_unbalanced_markers_name_the_cell_and_write_nothing(tmp_path, source, message):
    root = make_root(tmp_path, [("code", "ok = 1", []), ("code", source, [])])
    with pytest.raises(build.BuildError, match=message) as raised:
        build.build(root)
    assert "solutions/05-sample.ipynb, cell 2" in raised.value.message
    assert not (root / "exercises").exists()


def test_check_mode_detects_stale_exercises(tmp_path):
    root = make_root(tmp_path, [("code", SOLUTION_CELL, [])])
    with pytest.raises(build.BuildError, match="out of date"):
        build.build(root, check=True)
    build.build(root)
    build.build(root, check=True)


def test_learner_work_is_never_overwritten(tmp_path):
    root = make_root(tmp_path, [("code", SOLUTION_CELL, [])])
    build.build(root)
    target = root / "exercises" / "05-sample.ipynb"
    nb = exercise(root)
    nb.cells[0].source = nb.cells[0].source.replace("mean = ...", "mean = 2  # my work")
    write(nb, target)
    mine = target.read_text()
    make_root(tmp_path, [("code", SOLUTION_CELL + "\n# changed", [])])  # the source moved on
    with pytest.raises(build.BuildError, match="work in it"):
        build.build(root)
    assert target.read_text() == mine
    build.build(root, force=True)
    backups = list((root / "exercises" / build.BACKUPS).glob("05-sample.*.ipynb"))
    assert len(backups) == 1 and backups[0].read_text() == mine
    assert sorted(p.name for p in (root / "exercises").glob("*.ipynb")) == ["05-sample.ipynb"], \
        "a backup beside the exercise could be taken for it"


def test_saved_outputs_count_as_learner_work(tmp_path):
    root = make_root(tmp_path, [("code", SOLUTION_CELL, [])])
    build.build(root)
    target = root / "exercises" / "05-sample.ipynb"
    nb = exercise(root)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="my results")]
    write(nb, target)
    make_root(tmp_path, [("code", SOLUTION_CELL + "\n# changed", [])])
    with pytest.raises(build.BuildError):
        build.build(root)


def test_markers_in_markdown_are_refused(tmp_path):
    root = make_root(tmp_path, [("md", "### BEGIN SOLUTION\nx\n### END SOLUTION", [])])
    with pytest.raises(build.BuildError, match="code cells"):
        build.build(root)


def test_cli_reports_errors_in_one_line(tmp_path, monkeypatch, capsys):
    root = make_root(tmp_path, [("code", "### BEGIN SOLUTION\nx = 1", [])])
    monkeypatch.setenv("STEWARD_ROOT", str(root))
    assert cli.main(["build"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("steward: solutions/05-sample.ipynb, cell 1") and "Traceback" not in err


def test_repository_exercises_are_up_to_date():
    """exercises/ must be what `steward build` makes of solutions/."""
    planned = build.build(paths.root(), check=True)
    solutions = sorted(p.name for p in (paths.root() / "solutions").glob("[0-9][0-9]-*.ipynb"))
    assert [p.target.name for p in planned] == solutions


def test_every_exercise_has_a_solution():
    exercises = {p.name for p in (paths.root() / "exercises").glob("*.ipynb")}
    solutions = {p.name for p in (paths.root() / "solutions").glob("*.ipynb")}
    assert exercises <= solutions, f"exercises without a solution: {sorted(exercises - solutions)}"
