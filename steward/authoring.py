"""Write a notebook from "percent" text (the jupytext convention), for authors.

    python -m steward.authoring draft.py solutions/02-trade-offs.ipynb --module 02 --kind solution
    python -m steward.authoring --explain-hints solutions/*.ipynb   # hint cells say what to do

Cells start with ``# %%`` (code) or ``# %% [markdown]`` (markdown, every line prefixed
with ``# ``); ``# %% tags=["solution-only"]`` sets tags. The notebook, not the draft, is
the source afterwards: edit it in JupyterLab.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from steward import kernel, nbjson

_HEADER = re.compile(r"^# %%(?P<md> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")


def from_percent(text: str, module: str, kind: str) -> nbjson.Node:
    nb = nbjson.Node(cells=[], nbformat=4, nbformat_minor=5)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": dict(kernel.LANGUAGE_INFO),  # what the kernel reports: no "unsaved" on open
        "steward": {"module": module, "kind": kind},
    }
    cells: list[tuple[bool, list[str], list[str]]] = []
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match:
            cells.append((bool(match["md"]), json.loads(match["tags"]) if match["tags"] else [], []))
        elif cells:
            cells[-1][2].append(line)
    for index, (markdown, tags, lines) in enumerate(cells):
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if markdown:
            source = "\n".join(re.sub(r"^# ?", "", line) for line in lines)
            cell = nbjson.markdown_cell(source, f"cell-{index:03d}", tags)
        else:
            cell = nbjson.code_cell("\n".join(lines), f"cell-{index:03d}")
            if tags:
                cell.metadata["tags"] = tags
        nb.cells.append(cell)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = explain_hint(cell.source)
    return nb


#: The first line of every hint cell: hint cells stay commented (Run All on a blank
#: exercise must spend no hint), so each says how to use it.
HINT_LEAD = "# Stuck? Delete the # at the start of the next line and run this cell: first a question, run again for a pointer."
_HINT_CALL = re.compile(r"^#\s*(tasks\.\w+\.hint\(\))\s*$")


def explain_hint(source: str) -> str:
    """A commented hint cell (``# tasks.x.hint()``, with any comment above it) as
    :data:`HINT_LEAD` plus the commented call; any other cell unchanged. Idempotent."""
    lines = [line for line in source.splitlines() if line.strip()]
    if not lines or not all(line.lstrip().startswith("#") for line in lines):
        return source
    call = _HINT_CALL.match(lines[-1].strip())
    return f"{HINT_LEAD}\n# {call.group(1)}" if call else source


def explain_hints(path: Path) -> int:
    """Rewrite every hint cell of a stored notebook with :func:`explain_hint`; the number changed."""
    nb = nbjson.read(path)
    changed = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and (new := explain_hint(cell.source)) != cell.source:
            cell.source, changed = new, changed + 1
    if changed:
        write(nb, path)
    return changed


write = nbjson.write


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--explain-hints"]:  # python -m steward.authoring --explain-hints solutions/*.ipynb
        for name in argv[1:]:
            print(f"{name}: {explain_hints(Path(name))} hint cell(s) explained")
        return 0
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", type=Path)
    p.add_argument("target", type=Path)
    p.add_argument("--module", required=True)
    p.add_argument("--kind", choices=["lesson", "solution"], required=True)
    args = p.parse_args(argv)
    write(from_percent(args.source.read_text(encoding="utf-8"), args.module, args.kind), args.target)
    print(f"wrote {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
