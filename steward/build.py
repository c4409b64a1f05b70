"""``steward build``: write ``exercises/NN-slug.ipynb`` from ``solutions/NN-slug.ipynb``.

The solution notebook is the single source. Each ``### BEGIN SOLUTION`` …
``### END SOLUTION`` block becomes a placeholder the learner fills in: every name the
block assigns becomes ``name = ...`` and every function it defines keeps its signature
and docstring with a ``...`` body, so the blank exercise runs top to bottom and every
check reports *not attempted*. Cells tagged ``solution-only`` are dropped.

A learner's work is never overwritten: each generated notebook records a fingerprint of
what was generated; if the file on disk no longer matches it, build refuses (``--force``
keeps a backup first).
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steward import nbjson, paths
from steward.errors import StewardError

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
SOLUTION_ONLY = "solution-only"
PLACEHOLDER_COMMENT = "# YOUR ANSWER HERE"


class BuildError(StewardError):
    pass


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _placeholder(block: list[str], indent: str, where: str) -> list[str]:
    """What replaces a solution block: the names it binds set to ``...``."""
    import textwrap

    code = textwrap.dedent("\n".join(block))
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise BuildError(f"{where}: the solution block is not valid Python ({error.msg}, line {error.lineno}).",
                         "Fix the solution code; nothing was written.") from None
    out = [indent + PLACEHOLDER_COMMENT]
    seen: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            args = ast.unparse(node.args)
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            out.append(f"{indent}def {node.name}({args}){returns}:")
            doc = ast.get_docstring(node, clean=False)
            if doc:
                out.append(f'{indent}    """{doc}"""')
            out.append(f"{indent}    ...")
            continue
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            for name_node in ast.walk(target):
                if isinstance(name_node, ast.Name) and name_node.id not in seen:
                    seen.add(name_node.id)
                    out.append(f"{indent}{name_node.id} = ...")
    return out


def strip_source(source: str, where: str) -> str:
    """The exercise version of one cell's source."""
    lines = source.split("\n")
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    for number, line in enumerate(lines, start=1):
        marker = line.strip()
        if marker.startswith(BEGIN):
            if block is not None:
                raise BuildError(f"{where}: a second {BEGIN} at line {number} before {END}.", "Balance the markers; nothing was written.")
            block, indent = [], _indent_of(line)
        elif marker.startswith(END):
            if block is None:
                raise BuildError(f"{where}: {END} at line {number} without a {BEGIN}.", "Balance the markers; nothing was written.")
            out.extend(_placeholder(block, indent, where))
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise BuildError(f"{where}: {BEGIN} without an {END}.", "Balance the markers; nothing was written.")
    return "\n".join(out)


# Notebooks are handled as plain JSON (see steward.nbjson): importing nbformat costs
# seconds, ten times the build's own work.
Notebook = dict[str, Any]


def fingerprint(nb: Notebook) -> str:
    """A hash of the cells' types and sources: what a learner would change by working."""
    digest = hashlib.sha256()
    for cell in nb["cells"]:
        digest.update(str(cell.get("cell_type", "")).encode())
        digest.update(b"\0")
        digest.update(nbjson.source(cell).encode())
        digest.update(b"\1")
    return digest.hexdigest()[:16]


def _cell(kind: str, source: str, metadata: dict[str, Any]) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "metadata": metadata, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def exercise_from(solution: Notebook, name: str) -> Notebook:
    metadata = json.loads(json.dumps(solution.get("metadata", {})))
    steward_meta = dict(metadata.get("steward", {}))
    steward_meta["kind"] = "exercise"
    steward_meta["generated_from"] = f"solutions/{name}"
    cells = []
    for index, cell in enumerate(solution["cells"]):
        meta_in = cell.get("metadata", {})
        if SOLUTION_ONLY in meta_in.get("tags", []):
            continue
        where = f"solutions/{name}, cell {index + 1}"
        kind, source = cell.get("cell_type"), nbjson.source(cell)
        if kind == "code":
            source = strip_source(source, where)
        elif BEGIN in source or END in source:
            raise BuildError(f"{where}: solution markers belong in code cells.", "Move the answer into a code cell; nothing was written.")
        meta = {k: v for k, v in meta_in.items() if k in {"tags", "jupyter", "steward"}}
        cells.append(_cell(kind if kind in {"code", "markdown", "raw"} else "raw", source, meta))
    nb: Notebook = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    steward_meta["fingerprint"] = fingerprint(nb)
    metadata["steward"] = steward_meta
    return nb


def _serialise(nb: Notebook) -> str:
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i:03d}"  # stable ids keep the file byte-identical across builds
    return nbjson.dumps(nb)


@dataclass
class Planned:
    target: Path
    text: str
    status: str  # "new", "same", "update", "modified-by-learner"


def _learner_modified(target: Path) -> bool:
    try:
        current = nbjson.read(target)
    except Exception:
        return True  # unreadable: treat as the learner's, never overwrite silently
    if any(cell.get("outputs") for cell in current["cells"] if cell.get("cell_type") == "code"):
        return True  # it has been run and saved: the learner's results are in it
    recorded = current.get("metadata", {}).get("steward", {}).get("fingerprint")
    return recorded is None or recorded != fingerprint(current)


def plan(root: Path | None = None, only: list[str] | None = None) -> list[Planned]:
    """Everything build would do, computed before anything is written."""
    root = paths.root() if root is None else root
    solutions = select(modules(root), only)
    planned = []
    for source in solutions:
        try:
            solution = nbjson.read(source)
        except Exception as error:
            raise BuildError(f"solutions/{source.name} is not a readable notebook ({error}).", "Fix or restore it; nothing was written.") from None
        text = _serialise(exercise_from(solution, source.name))
        target = root / "exercises" / source.name
        if not target.exists():
            status = "new"
        elif target.read_text(encoding="utf-8") == text:
            status = "same"
        elif _learner_modified(target):
            status = "modified-by-learner"
        else:
            status = "update"
        planned.append(Planned(target, text, status))
    return planned


#: A module's notebook is exactly ``NN-slug.ipynb``: two digits, a dash, lower-case words joined by
#: dashes. A JupyterLab "02-trade-offs-Copy1.ipynb" or a backup never matches.
MODULE_FILE = re.compile(r"^(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")


def modules(root: Path) -> dict[str, Path]:
    """Module number → its solution notebook, from the exact names in ``solutions/``."""
    found: dict[str, Path] = {}
    folder = root / "solutions"
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        match = MODULE_FILE.match(path.name)
        if match and not path.name.startswith("."):
            if match.group(1) in found:
                raise BuildError(f"solutions/ has two notebooks for module {match.group(1)}: "
                                 f"{found[match.group(1)].name} and {path.name}.", "Keep one; nothing was written.")
            found[match.group(1)] = path
    return found


def select(found: dict[str, Path], only: list[str] | None) -> list[Path]:
    """The solutions a selector names: ``1`` or ``01`` (module 01, never 10 and 11), a slug, or
    ``NN-slug[.ipynb]``. An unknown selector is an error that lists the modules."""
    if not only:
        return list(found.values())
    chosen: list[Path] = []
    for raw in only:
        text = str(raw).strip().rsplit("/", 1)[-1].removesuffix(".ipynb")
        if re.fullmatch(r"\d{1,2}", text) and text.zfill(2) in found:
            hit = found[text.zfill(2)]
        else:
            hit = next((p for p in found.values() if text and text in (p.stem, p.stem[3:])), None)
        if hit is None:
            known = ", ".join(p.stem for p in found.values()) or "none"
            raise BuildError(f"{raw!r} is not a module." if text else "An empty module name was given.",
                             f"Give a two-digit number or a name: {known}. Nothing was written.")
        if hit not in chosen:
            chosen.append(hit)
    return chosen


#: Where ``build --force`` keeps a learner's version before it writes the blank exercise.
BACKUPS = ".backups"


def free_backup(folder: Path, stem: str) -> Path:
    """``<stem>.<time>.ipynb`` in ``folder``, never an existing file (two builds in one second)."""
    base = f"{stem}.{time.strftime('%Y%m%d-%H%M%S')}"
    candidate, counter = folder / f"{base}.ipynb", 2
    while candidate.exists():
        candidate, counter = folder / f"{base}-{counter}.ipynb", counter + 1
    return candidate


def build(root: Path | None = None, only: list[str] | None = None, force: bool = False, check: bool = False) -> list[Planned]:
    """Write the exercises. With ``check``, write nothing and raise if any is stale."""
    planned = plan(root, only)
    if check:
        stale = [p for p in planned if p.status != "same"]
        if stale:
            names = ", ".join(f"{p.target.name} ({p.status})" for p in stale)
            raise BuildError(f"exercises/ is out of date: {names}.", "Run `steward build` and commit the result.")
        return planned
    refused = [p for p in planned if p.status == "modified-by-learner"]
    if refused and not force:
        names = ", ".join(p.target.name for p in refused)
        raise BuildError(
            f"{names} in exercises/ {'has' if len(refused) == 1 else 'have'} work in it that build would overwrite.",
            "Nothing was written. Save your work under another name (or use `steward assign`), "
            "or run `steward build --force`, which keeps a backup copy first.",
        )
    for item in planned:
        if item.status == "same":
            continue
        item.target.parent.mkdir(parents=True, exist_ok=True)
        if item.status == "modified-by-learner":
            # Backups go to a hidden folder, so no lookup, test run or "Run all" ever takes one for
            # the exercise (a "02-trade-offs.backup-….ipynb" beside it once could be).
            backups = item.target.parent / BACKUPS
            backups.mkdir(exist_ok=True)
            backup = free_backup(backups, item.target.stem)
            shutil.copy2(item.target, backup)
            item.status = f"update (your version kept as {item.target.parent.name}/{BACKUPS}/{backup.name})"
        tmp = item.target.with_suffix(".ipynb.tmp")
        tmp.write_text(item.text, encoding="utf-8")
        tmp.replace(item.target)
    return planned
