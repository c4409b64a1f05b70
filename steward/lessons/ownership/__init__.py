"""Module 08 — own the un-owned problems. ``model`` holds the on-call and timeline analysis,
``exercise`` the blame linter, the postmortem and action-item checks, the review checklist and the
tasks, ``views`` the widgets; this package re-exports all three so notebooks and tests write
``from steward.lessons import ownership as lesson``."""

from __future__ import annotations

from steward.lessons.ownership import exercise, model, views
from steward.lessons.ownership.exercise import *  # noqa: F403
from steward.lessons.ownership.model import *  # noqa: F403
from steward.lessons.ownership.views import *  # noqa: F403

MODULE = model.MODULE
TASKS = exercise.TASKS
APPS = views.APPS
