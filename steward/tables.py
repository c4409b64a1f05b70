"""pandas tables without empty header cells (issue #18).

A DataFrame's HTML puts an empty ``<th></th>`` in the corner above its index, and one under
each column when the index has a name; a screen reader announces each as a header with no
name (axe-core: ``empty-table-header``). An empty cell heads nothing, so it becomes a data
cell (``<td></td>``): the table looks the same (the cell stays empty), only what it claims
to be changes. :func:`register` makes the notebook's display of every DataFrame do this."""

from __future__ import annotations

import sys
from typing import Any

EMPTY_HEADER = "<th></th>"


def without_empty_headers(html: str) -> str:
    """The table's HTML with each empty header cell written as an (empty) data cell."""
    return html.replace(EMPTY_HEADER, "<td></td>")


def _frame_html(frame: Any) -> str | None:
    html = frame._repr_html_()
    return None if html is None else without_empty_headers(html)


def register(shell: Any = None) -> bool:
    """Display DataFrames in this IPython session through :func:`without_empty_headers`;
    False outside IPython (a script, the test runner), where nothing is displayed as HTML."""
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    import pandas as pd

    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, _frame_html)
    return True
