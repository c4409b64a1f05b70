"""Steward: the curriculum's library. Notebooks import everything they need from here.

The shared machinery (tasks, feedback, progress, build, report, data) knows nothing
about any lesson; each lesson lives in ``steward.lessons.<topic>``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from steward import seal as _seal  # noqa: F401  (reads and removes a report's key before any cell can)
from steward.alttext import register as _register_alt_text
from steward.environment import setup
from steward.errors import StewardError

__all__ = ["StewardError", "__version__", "setup"]

# Every notebook's first cell imports steward: from then on a chart the learner draws with pyplot
# carries a text alternative too (steward/alttext.py; matplotlib is not imported for it).
_register_alt_text()
