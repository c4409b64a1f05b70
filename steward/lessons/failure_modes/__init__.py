"""Module 01 — how will it break? A failure-mode analysis (FMEA) of Cartwheel's
recommendation engine, a risk matrix, the "3 AM lens" that re-scores it for a holiday
night, a pre-mortem, and the exercise's tasks.

The 3 AM lens is a small, explicit model (every rule is a line of code below, so a
learner can argue with it):

- **detect** (minutes from the failure until someone knows):
  a *page* fires the same at 3 AM as at 2 PM, so it takes ``detect_minutes``;
  a *ticket* waits until business hours resume: ``detect_minutes + 60 × hours_until_staffed``;
  a failure only a *human* notices takes ``detect_minutes × DAY_WATCHERS / watchers``, but
  never longer than waiting for business hours (and forever is not an option: with nobody
  watching, it is found when people are back).
- **respond** (minutes from knowing until the crew is working on it):
  ``ack_minutes`` for the on-call to acknowledge, plus ``expert_minutes`` when the repair
  needs a specialist who is not on call, plus ``call_in_minutes`` for each extra person the
  repair needs beyond the responders at hand.
- **repair** (minutes of work once the crew is assembled): the same at any hour. (Tired
  people are slower; we leave that out so the model holds only what we can defend.)
- **expected minutes of impact per year** = ``per_year × (detect + respond + repair)``:
  the minutes the failure would cost each year *if every occurrence struck under these
  conditions*.
- **detection score under the lens** (FMEA's D, kept for what it means: how hard the failure is
  to *notice*) = the business-hours score plus one point for each doubling of ``detect``
  against business hours, kept within 1–10. A response delay does not change it.
- **engage score under the lens** (E) = the business-hours detection score plus one point for
  each doubling of the time until someone is *working* on it (``detect + respond``), kept within
  1–10. At 2 PM noticing and working start minutes apart, so E equals D; at 3 AM a failure can
  page in five minutes and then wait hours for a specialist, which D cannot express. The lens
  ranks by **S × O × E** and says so: it is not the FMEA's RPN, it is the RPN with detection
  widened to "until someone is working on it".
- In business hours with the day's staffing, D and E both equal the worksheet's score, so the
  lens reproduces the daytime FMEA exactly and shows only what the hour changes.
- **sensitivity**: the scores are judgments written in a meeting. :func:`single_score_changes`
  moves each score of each mode by one point and reports which moves change the top risk.

The package has three rooms: ``model`` (the worksheet, the matrix's zones, the lens: pure
functions), ``views`` (the risk-matrix chart and the lens widget) and ``exercise`` (the
pre-mortem and mitigation checks, rubrics and tasks). This file re-exports them, so
``from steward.lessons import failure_modes as lesson`` reads as one module.
"""

from __future__ import annotations

from steward.lessons.failure_modes import exercise, model, views
from steward.lessons.failure_modes.exercise import *  # noqa: F403
from steward.lessons.failure_modes.exercise import _mitigation_sample, _names_mode, _off_hours  # noqa: F401  (tests read them)
from steward.lessons.failure_modes.model import *  # noqa: F403
from steward.lessons.failure_modes.views import *  # noqa: F403

MODULE = model.MODULE
TASKS = exercise.TASKS
APPS = views.APPS
