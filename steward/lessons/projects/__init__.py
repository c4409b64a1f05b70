"""Module 10 — choose your projects: portfolio scoring (RICE plus OKR alignment), a
stakeholder power/interest grid, and a simulation that interrogates the claim that
OKR-aligned engineers are "promoted 30% faster".

The package has three rooms: ``model`` (scoring, the stakeholder grid's maths, the promotion
simulation, the cost of a yes: pure functions), ``views`` (the power/interest chart and the two
widgets) and ``exercise`` (the rubrics and tasks). This file re-exports them, so
``from steward.lessons import projects as lesson`` reads as one module.
"""

from __future__ import annotations

from steward.lessons.projects import exercise, model, views
from steward.lessons.projects.exercise import *  # noqa: F403
from steward.lessons.projects.model import *  # noqa: F403
from steward.lessons.projects.views import *  # noqa: F403

MODULE = model.MODULE
TASKS = exercise.TASKS
APPS = views.APPS
