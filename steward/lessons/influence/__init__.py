"""Module 07 — influence with data: from raw A/B sessions to a business-impact statement.

The module is a package: :mod:`.model` holds the statistics, the money, the right-sizing rule
and the statement checker (pure functions); :mod:`.views` the conclusion chart and the
impact-range explorer; :mod:`.exercise` the claim to interrogate and the checked tasks. Every
name is re-exported here, so ``from steward.lessons import influence`` works as before (modules
09 and 11 and the tests use a few private helpers too).
"""

from __future__ import annotations

from steward.lessons.influence import exercise as _exercise
from steward.lessons.influence import model as _model
from steward.lessons.influence import views as _views
from steward.lessons.influence.exercise import *  # noqa: F403
from steward.lessons.influence.model import *  # noqa: F403
from steward.lessons.influence.views import *  # noqa: F403

for _part in (_model, _views, _exercise):
    globals().update({k: v for k, v in vars(_part).items() if not k.startswith("__")})
del _part
