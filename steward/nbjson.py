"""Notebooks as plain JSON (nbformat 4), for everything that reads or writes one without
running it.

Importing ``nbformat`` costs 0.5–3 s: its schema validator loads ``jsonschema`` and, with
it, grammar parsers built at import time (2.6 s for ``rfc3987_syntax`` on a 2-core
machine). A learner would wait for that in module 00's progress chart, and a mentor in
every ``steward`` command. The curriculum only needs cells, sources, metadata and
outputs, so it reads the JSON itself. Only executing a notebook (nbclient) uses nbformat.

A :class:`Node` is a ``dict`` with attribute access, like nbformat's ``NotebookNode``, so
``nb.cells[0].source`` reads the same either way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Output MIME types whose value is JSON, not text split into lines.
_JSON_MIME_SUFFIX = "json"


class Node(dict):
    """A dict whose keys are also attributes (``cell.source`` is ``cell["source"]``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


def from_dict(value: Any) -> Any:
    """Dicts become :class:`Node` s, all the way down."""
    if isinstance(value, dict):
        return Node({key: from_dict(item) for key, item in value.items()})
    if isinstance(value, list):
        return [from_dict(item) for item in value]
    return value


def _joined(value: Any) -> Any:
    return "".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value


def source(cell: dict[str, Any]) -> str:
    """A cell's source as one string (files may store it as a list of lines)."""
    text = _joined(cell.get("source", ""))
    return text if isinstance(text, str) else str(text)


def _normalise(nb: Node) -> Node:
    """Join multi-line strings as ``nbformat.read`` does, so callers see one string."""
    for cell in nb.cells:
        cell["source"] = source(cell)
        cell.setdefault("metadata", Node())
        for output in cell.get("outputs", []) or []:
            if "text" in output:
                output["text"] = _joined(output["text"])
            for mime, value in (output.get("data") or {}).items():
                if not mime.endswith(_JSON_MIME_SUFFIX):
                    output["data"][mime] = _joined(value)
    return nb


def loads(text: str) -> Node:
    """Parse a notebook; ``ValueError`` when the text is not an nbformat-4 notebook."""
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError("not a notebook: there is no list of cells")
    if data.get("nbformat", 4) != 4:
        raise ValueError(f"nbformat {data.get('nbformat')} notebooks are not supported (only 4)")
    if not all(isinstance(cell, dict) for cell in data["cells"]):
        raise ValueError("not a notebook: a cell is not an object")
    return _normalise(from_dict(data))


def read(path: Path | str) -> Node:
    """Read a notebook file. ``OSError`` or ``ValueError`` when it cannot be read as one."""
    return loads(Path(path).read_text(encoding="utf-8"))


def dumps(nb: dict[str, Any]) -> str:
    """The notebook as JSON in Jupyter's own layout (one-space indent, sorted keys)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write(nb: dict[str, Any], target: Path) -> None:
    target.write_text(dumps(nb), encoding="utf-8")


def markdown_cell(text: str, cell_id: str, tags: list[str] | None = None) -> Node:
    """A new Markdown cell (nbformat 4.5 cells carry an id)."""
    metadata = Node({"tags": list(tags)}) if tags else Node()
    return Node({"cell_type": "markdown", "id": cell_id, "metadata": metadata, "source": text})


def code_cell(text: str, cell_id: str) -> Node:
    return Node({"cell_type": "code", "id": cell_id, "metadata": Node(), "source": text,
                 "execution_count": None, "outputs": []})
