"""Results that carry forward between modules: a learner's own numbers (their p99, their
chosen TTL, their revenue range) feed later modules (the digest in 09, the design doc in
11). Kept in the progress file under ``results``, on the learner's machine.

A result the learner has not computed yet (they skipped a module) is never a crash:
:func:`recall` gives a plain message and the caller's default, usually the value the
curriculum's own reference code computes.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

from steward import feedback, progress


def _jsonable(value: Any) -> Any:
    """Numbers, text, lists and dicts of those; NumPy scalars become Python numbers."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a result must be a finite number")
    json.dumps(value)
    return value


def remember(key: str, value: Any, module: str | None = None) -> bool:
    """Keep ``value`` under ``key`` (e.g. ``"04.p99_ms"``) for later modules."""
    if value is None or value is Ellipsis:
        text = f"… {key} not kept yet: fill in the answer above first."
        feedback.show(feedback.bundle(text, f"<div class='steward-result' style='opacity:.8'>{text}</div>"))
        return False
    try:
        value = _jsonable(value)
    except (TypeError, ValueError) as error:
        feedback.show(feedback.bundle(f"Not kept: {key} ({error}).", f"<div>Not kept: {key} ({error}).</div>"))
        return False
    entry = {"value": value, "module": module or key.split(".")[0], "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}

    def change(record: dict[str, Any]) -> None:
        record.setdefault("results", {})[key] = entry

    ok = progress.update(change)
    text = f"Kept {key} = {value!r} for later modules." if ok else f"{key} = {value!r} (recording is off: not kept)."
    feedback.show(feedback.bundle(text, f"<div class='steward-result'>{text}</div>"))
    return ok


def recall(key: str, default: Callable[[], Any] | Any, what: str = "") -> Any:
    """The learner's kept result, or ``default`` (a value or a zero-argument function)
    with a plain message saying where the number came from."""
    entry = progress.load().get("results", {}).get(key)
    if entry is not None:
        return entry["value"]
    value = default() if callable(default) else default
    module = key.split(".")[0]
    text = (f"You have not kept {what or key} yet (module {module}); using the curriculum's reference value "
            f"{value!r}. Work module {module} to use your own.")
    feedback.show(feedback.bundle(text, f"<div class='steward-result' style='opacity:.8'>{text}</div>"))
    return value


def all_results() -> dict[str, Any]:
    return {key: entry["value"] for key, entry in progress.load().get("results", {}).items()}
