"""The same A/B test design, run again with a logging bug: a sample-ratio mismatch.

The analytics beacon fires only after the product page has rendered in the browser. The
treatment's slowest pages (mostly on mobile) were closed first, so they never reached the
log. The split was 50/50; the log is not, and the sessions that went missing are mostly
mobile ones, which abandon most: in expectation the loss flatters the treatment. In this draw
(``cartwheel.AB_SRM_SESSIONS`` sessions) the sampling noise is larger than that bias: it
measures less than the true effect, with a CI across zero. That is the lesson's point: the
split, not the size of the effect, shows the log is broken, and a broken log's effect is not
evidence either way.
"""

from __future__ import annotations

from steward import cartwheel
from steward.datagen import Dataset
from steward.datasets.ab_sessions import CART_ABANDONMENT, COLUMNS, generate

SEED = 7071
SESSIONS = cartwheel.AB_SRM_SESSIONS
LOST_TREATMENT_SHARE = 0.10


def _generate():
    return generate(seed=SEED, sessions=SESSIONS, lost_treatment_share=LOST_TREATMENT_SHARE)


DATASET = Dataset(
    name="ab_sessions_srm",
    title="A/B test with a sample-ratio mismatch (sessions)",
    description=(
        f"A second run of the inventory-check test ({SESSIONS:,} sessions assigned 50/50, "
        f"`np.random.RandomState({SEED})`, the same model as `ab_sessions.csv`) with a logging bug: the "
        f"analytics beacon fires after the page renders in the browser, and the {LOST_TREATMENT_SHARE:.0%} of "
        "treatment sessions whose pages rendered slowest (mostly mobile) closed the page first, so they are missing from the log. Used for the "
        "sample-ratio-mismatch check.\n\n" + CART_ABANDONMENT
    ),
    columns=COLUMNS,
    generate=_generate,
    float_format="%.2f",
    used_by=("07",),
)
