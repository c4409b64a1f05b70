"""Import a heavy library when it is first used, not when a lesson module is imported.

Every lesson module defines widgets and charts, but an exercise notebook only runs its
tasks: importing matplotlib and ipywidgets up front would cost it about 0.9 s of a 3 s
run for nothing. So lesson code reaches those libraries through a :func:`module` proxy
(``w = lazy.module("ipywidgets")``; ``w.IntSlider(...)`` imports ipywidgets the first
time) and imports matplotlib inside the functions that draw. ``tests/test_lazy.py`` keeps
it that way. Either way the import goes through :func:`import_quietly`, which keeps the
garbage collector out of it.
"""

from __future__ import annotations

import gc
import importlib
import sys
from types import ModuleType
from typing import Any


def import_quietly(name: str) -> ModuleType:
    """Import ``name`` with the cyclic garbage collector paused, then freeze what exists.

    Importing pandas, matplotlib and ipywidgets creates about a million objects (modules,
    classes, functions) that live until the kernel stops. CPython's collector counts those
    allocations and walks every tracked object in its full passes, several times per import,
    and finds nothing to free. Pausing it for the import and moving the survivors to the
    permanent generation (``gc.freeze``, the pattern its documentation gives) takes that work
    out of the import, out of every later full collection, and out of the kernel's shutdown:
    lesson 04 runs in 4.3–5.0 s instead of 5.1–5.9 s, 0.8 s of it at shutdown.

    The cost: objects alive at that moment are never collected as cycles afterwards; they
    are freed by reference counting as usual, or with the process. Nothing is written on
    exit by the curriculum (progress is saved when it changes)."""
    if name in sys.modules:
        return sys.modules[name]
    enabled = gc.isenabled()
    gc.disable()
    try:
        module = importlib.import_module(name)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return module


class LazyModule:
    """Stands for a module; the first attribute lookup imports it."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_module", None)

    def _load(self) -> ModuleType:
        if self._module is None:
            object.__setattr__(self, "_module", import_quietly(self._name))
        return self._module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)

    def __setattr__(self, attribute: str, value: Any) -> None:
        raise AttributeError(f"set attributes on the module {self._name!r} itself, not on its lazy proxy")

    def __dir__(self) -> list[str]:
        return dir(self._load())

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r} ({state})>"


def module(name: str) -> Any:
    """A proxy for the module ``name`` that imports it on first use."""
    return LazyModule(name)
