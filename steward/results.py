"""Results that carry forward between modules: a learner's own numbers (their p99, their
chosen TTL, their revenue range) feed later modules (the digest in 09, the design doc in
11). Kept in the progress file under ``results``, on the learner's machine.

A result the learner has not computed yet (they skipped a module) is never a crash:
:func:`recall` gives a plain message and the caller's default, usually the value the
curriculum's own reference code computes.
"""

from __future__ import annotations

import html
import json
import math
import re
import time
from collections.abc import Callable
from typing import Any

from steward import checks, feedback, progress


class Kept:
    """What :func:`remember` (and ``Outcome.keep``) return: true when the value was kept.

    The message was shown already, so as a cell's last value it shows nothing (no bare
    ``True``/``False`` under a check)."""

    def __init__(self, key: str, kept: bool) -> None:
        self.key, self.kept = key, kept

    def __bool__(self) -> bool:
        return self.kept

    def _ipython_display_(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<{self.key} {'kept' if self.kept else 'not kept'}>"


def _jsonable(value: Any) -> Any:
    """Numbers, text, lists and dicts of those; NumPy scalars become Python numbers, at any depth."""
    if getattr(value, "ndim", 0) == 1 and hasattr(value, "to_dict"):  # a Series keeps its labels
        value = value.to_dict()
    elif hasattr(value, "tolist") and callable(value.tolist):  # NumPy arrays
        value = value.tolist()
    elif hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a result must be a finite number")
    json.dumps(value)
    return value


def plain(value: Any) -> str:
    """A kept value as a person reads it: ``[65.84, 61.77]``, not ``[np.float64(65.84123), …]``."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        # Four significant figures, never in exponent form, never a 0.99998 shown as "1": 12.41, 0.7512, 14,000.
        return checks.plain_number(value, digits=4, whole_from=1e3)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        items = [plain(v) for v in value]
        # "[143,534,570; 502,130,097]": a comma list of numbers with thousands commas reads as six numbers
        return "[" + ("; " if any("," in item for item in items) else ", ").join(items) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {plain(v)}" for k, v in value.items()) + "}"
    return repr(value) if isinstance(value, str) else str(value)


def _show(text: str, quiet: bool = False) -> None:
    style = " style='opacity:.8'" if quiet else ""
    feedback.show(feedback.bundle(text, f"<div class='steward-result'{style}>{html.escape(text)}</div>"))


def remember(key: str, value: Any, module: str | None = None) -> Kept:
    """Keep ``value`` under ``key`` (e.g. ``"04.p99_ms"``) for later modules."""
    if value is None or value is Ellipsis:
        _show(f"… {key} not kept yet: fill in the answer above first.", quiet=True)
        return Kept(key, False)
    try:
        value = _jsonable(value)
    except (TypeError, ValueError) as error:
        _show(f"Not kept: {key} ({error}).")
        return Kept(key, False)
    entry = {"value": value, "module": module or key.split(".")[0], "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}

    def change(record: dict[str, Any]) -> None:
        record.setdefault("results", {})[key] = entry

    ok = progress.update(change)
    text = f"Kept {key} = {plain(value)} for later modules." if ok else f"{key} = {plain(value)} (recording is off: not kept)."
    _show(text)
    return Kept(key, bool(ok))


def recall(key: str, default: Callable[[], Any] | Any, what: str = "",
           shown: Callable[[Any], str] | None = None) -> Any:
    """The learner's kept result, or ``default`` (a value or a zero-argument function)
    with a plain message saying where the number came from. ``shown`` writes the value as the
    lesson writes it (a money range, a list of names); by default :func:`plain`."""
    entry = progress.load().get("results", {}).get(key)
    if entry is not None:
        return entry["value"]
    value = default() if callable(default) else default
    module = key.split(".")[0]
    # "your p99 (module 04)" already says where it is kept: never "(module 04) yet (module 04)"
    where = "" if re.search(rf"\bmodule {module}\b|\bthis module\b", what) else f" (module {module})"
    text = (f"You have not kept {what or key} yet{where}; using the curriculum's reference value "
            f"{shown(value) if shown else plain(_jsonable_or_same(value))}. Work module {module} to use your own.")
    if re.search(r"\bthis module\b", what):  # the answer to a task above: never print it
        text = (f"You have not kept {re.sub(r' ?[(]this module[)]', '', what)} yet: it is kept when its check above "
                "passes. Until then the curriculum's reference value stands in.")
    _show(text, quiet=True)
    return value


def _jsonable_or_same(value: Any) -> Any:
    try:
        return _jsonable(value)
    except (TypeError, ValueError):
        return value


def all_results() -> dict[str, Any]:
    return {key: entry["value"] for key, entry in progress.load().get("results", {}).items()}
