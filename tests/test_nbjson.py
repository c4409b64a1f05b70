"""steward.nbjson reads notebooks as nbformat does, without importing nbformat."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from steward import nbjson

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for folder in ("notebooks", "exercises", "solutions") for p in (ROOT / folder).glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reads_every_curriculum_notebook_as_nbformat_does(path: Path) -> None:
    ours, theirs = nbjson.read(path), nbformat.read(str(path), as_version=4)
    assert [(c.cell_type, c.source, c.metadata) for c in ours.cells] == [
        (c.cell_type, c.source, c.metadata) for c in theirs.cells
    ]
    assert ours.metadata == theirs.metadata


def test_joins_lines_in_sources_and_text_outputs_but_not_json_outputs(tmp_path: Path) -> None:
    record = {"task": "04.p99", "status": "pass"}
    raw = {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{
            "cell_type": "code", "id": "a", "metadata": {}, "execution_count": 1,
            "source": ["x = 1\n", "x"],
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": ["one\n", "two\n"]},
                {"output_type": "display_data", "metadata": {},
                 "data": {"text/plain": ["a\n", "b"], "application/vnd.steward.outcome+json": record}},
            ],
        }],
    }
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(raw), encoding="utf-8")
    nb = nbjson.read(path)
    cell = nb.cells[0]
    assert cell.source == "x = 1\nx"
    assert cell.outputs[0].text == "one\ntwo\n"
    assert cell.outputs[1].data["text/plain"] == "a\nb"
    assert cell.outputs[1].data["application/vnd.steward.outcome+json"] == record


@pytest.mark.parametrize("text, message", [
    ("{", "Expecting"),
    ("[]", "no list of cells"),
    ('{"cells": 3}', "no list of cells"),
    ('{"cells": [1]}', "not an object"),
    ('{"cells": [], "nbformat": 3}', "only 4"),
])
def test_refuses_what_is_not_a_notebook_with_a_value_error(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nbjson.loads(text)


def test_a_written_notebook_is_valid_for_nbformat(tmp_path: Path) -> None:
    nb = nbjson.read(NOTEBOOKS[0])
    nb.cells.insert(0, nbjson.markdown_cell("# Cover", "cover", ["assignment-cover"]))
    nb.cells.append(nbjson.code_cell("print(1)", "extra"))
    target = tmp_path / "out.ipynb"
    nbjson.write(nb, target)
    nbformat.validate(nbformat.read(str(target), as_version=4))


def test_reading_notebooks_does_not_import_nbformat() -> None:
    """The point of the module: module 00's progress chart and the mentor commands do not
    pay seconds for nbformat's schema validator."""
    code = (
        "import sys\n"
        "from steward import lessonmeta, progressview\n"
        "lessonmeta.read('00')\n"
        "progressview.from_notebooks([lessonmeta.find('00', 'solutions')])\n"
        "print('nbformat' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False", out.stderr
