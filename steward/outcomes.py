"""Reading task outcomes back out of a notebook's outputs, and running a notebook on a
copy to get them. Shared by the mentor report and the test suite."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from steward import nbjson, paths
from steward.feedback import MIME_ASSESSMENT, MIME_HINT, MIME_NOTE, MIME_OUTCOME


def collect(nb: nbjson.Node) -> list[dict[str, Any]]:
    """Every outcome and self-assessment record in the notebook's outputs, in cell order,
    each tagged with the index of the cell it came from."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in (MIME_OUTCOME, MIME_ASSESSMENT, MIME_HINT, MIME_NOTE):
                if mime in data and isinstance(data[mime], dict):
                    found.append({**data[mime], "cell": index, "mime": mime})
    return found


def count(value: Any) -> int:
    """A saved count (e.g. ``hints_used``) as a non-negative int; anything else (``"lots"``, None,
    a negative number, NaN) reads as 0, because saved outputs may have been edited by hand."""
    if isinstance(value, bool):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return max(number, 0)


def errors(nb: nbjson.Node) -> list[dict[str, Any]]:
    """Cells whose output is an error: index, exception name and message."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                found.append({"cell": index, "ename": output.get("ename", ""), "evalue": output.get("evalue", "")})
    return found


#: How a chart reads when it was never drawn: the text repr of a matplotlib object.
_CHART_REPR = re.compile(r"^<(Figure size|matplotlib\.|Axes:)")


def undrawn_chart(outputs: list[dict[str, Any]]) -> str | None:
    """The repr text, when a cell's outputs name a matplotlib object but show no image
    (a figure displayed without pyplot's inline backend and without a ``_repr_png_``)."""
    texts, images = [], False
    for output in outputs:
        data = output.get("data") or {}
        images = images or any(mime.startswith("image/") for mime in data)
        text = data.get("text/plain", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        if _CHART_REPR.match(text):
            texts.append(text)
    return texts[0] if texts and not images else None


def undrawn_charts(nb: nbjson.Node) -> list[dict[str, Any]]:
    """Cells that show a chart's text instead of the chart: index and that text."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (text := undrawn_chart(cell.get("outputs", []))):
            found.append({"cell": index, "text": text})
    return found


def execute(path: Path, timeout: int = 60, allow_errors: bool = True) -> Any:
    """Execute a *copy* of the notebook at ``path`` in its own folder; the file is never written."""
    import nbformat  # nbclient needs nbformat's nodes; only executing pays for its import
    from nbclient import NotebookClient

    from steward import environment

    nb = nbformat.read(str(path), as_version=4)
    work = copy.deepcopy(nb)
    client = NotebookClient(
        work, timeout=timeout, allow_errors=allow_errors, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent if path.parent.exists() else paths.root())}},
        **environment.quiet_kernel(),
    )
    client.execute()
    return work
