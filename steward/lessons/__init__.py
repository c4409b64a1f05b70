"""One module per lesson: its models, simulations, widgets and tasks (``TASKS``).

The test suite discovers every module here and holds each ``TASKS`` to the task
contract (reference passes; blank is not attempted; each misconception gets its hint).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from steward import lazy

# Every lesson computes with pandas: import it once, here, without the collector's wasted passes.
lazy.import_quietly("pandas")
# A table cell reading "$320M to $965M" must not be typeset as maths: pandas then marks its HTML
# tables tex2jax_ignore, which MathJax skips.
__import__("pandas").set_option("display.html.use_mathjax", False)
# Tables a screen reader can read: no empty header cells (steward/tables.py, issue #18).
__import__("steward.tables").tables.register()


def all_lessons() -> dict[str, ModuleType]:
    """Lesson modules by module number ("02" → steward.lessons.tradeoffs)."""
    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        number = getattr(module, "MODULE", None)
        if number is not None:
            found[number] = module
    return found
