"""Import a heavy library when it is first used, not when a lesson module is imported.

Every lesson module defines widgets and charts, but an exercise notebook only runs its
tasks: importing matplotlib and ipywidgets up front would cost it about 0.9 s of a 3 s
run for nothing. So lesson code reaches those libraries through a :func:`module` proxy
(``w = lazy.module("ipywidgets")``; ``w.IntSlider(...)`` imports ipywidgets the first
time) and imports matplotlib inside the functions that draw. ``tests/test_lazy.py`` keeps
it that way.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for a module; the first attribute lookup imports it."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_module", None)

    def _load(self) -> ModuleType:
        if self._module is None:
            object.__setattr__(self, "_module", importlib.import_module(self._name))
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
