"""Module 11 — the seniority paradox. ``model`` holds the review-return model and the capstone's
composition from earlier modules' results, ``exercise`` the design-doc linter, the capstone's check,
the ADRs and the tasks, ``views`` the widgets; this package re-exports all three so notebooks and
tests write ``from steward.lessons import seniority as lesson``."""

from __future__ import annotations

from steward.lessons.seniority import exercise, model, views
from steward.lessons.seniority.exercise import *  # noqa: F403
from steward.lessons.seniority.exercise import _alternatives  # noqa: F401  (tests read it)
from steward.lessons.seniority.model import *  # noqa: F403
from steward.lessons.seniority.model import (  # noqa: F401  (tests read them)
    _call_p99,
    _default,
    _module_09,
    _ranked_options,
    _symlog,
)
from steward.lessons.seniority.views import *  # noqa: F403

MODULE = model.MODULE
TASKS = exercise.TASKS
APPS = views.APPS
