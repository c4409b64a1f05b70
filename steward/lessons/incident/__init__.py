"""Module 05 — lead the incident. See ``model`` for the simulator and its stated assumptions,
``views`` for the widgets and ``exercise`` for the tasks; this package re-exports all three so
notebooks and tests write ``from steward.lessons import incident as lesson``."""

from __future__ import annotations

from steward.lessons.incident import exercise, model, views
from steward.lessons.incident.exercise import *  # noqa: F403
from steward.lessons.incident.exercise import _no_next_update  # noqa: F401  (tests hold it to any text)
from steward.lessons.incident.model import *  # noqa: F403
from steward.lessons.incident.model import _resample_adjusted  # noqa: F401  (tests compare it with the plain loop)
from steward.lessons.incident.views import *  # noqa: F403

MODULE = model.MODULE
TASKS = exercise.TASKS
APPS = views.APPS

