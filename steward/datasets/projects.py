"""Candidate projects for the recommendation team's next half-year (module 10).

Each row is one piece of work the team could take on: a feature, a reliability or cost
project, or a ticket from the bug backlog. The estimates follow the RICE convention
(Intercom, McBride 2016): reach per quarter, impact on a fixed scale (3 massive,
2 high, 1 medium, 0.5 low, 0.25 minimal), confidence as 100 / 80 / 50 %, effort in
person-weeks. The specifications are written by hand so each project is plausible;
seeded noise (``RandomState(10)``) makes the reach estimates look like estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from steward.datagen import Column, Dataset

SEED = 10

#: Cartwheel's objectives for the half (the OKRs a project can serve).
OKRS = {
    "O1": "Cut cart abandonment by a tenth",
    "O2": "Keep recommendations inside the 200 ms SLO at peak",
    "O3": "Cut infrastructure spend by 15%",
}

# Cost projects reach no customer directly: their reach is the customers whose orders the
# saving funds, a convention the lesson discusses.
# id, name, kind, reach (customers/quarter, thousands), impact, confidence %, effort (person-weeks),
# okr, visibility 1-5, risk 1-5, requested by
_SPECS = [
    ("P01", "Real-time inventory checks in recommendations", "feature", 420, 2.0, 80, 10, "O1", 5, 4, "product"),
    ("P02", "Circuit breaker and fallback for the inventory call", "reliability", 600, 1.0, 80, 4, "O2", 4, 3, "SRE"),
    ("P03", "Right-size the recommendation cluster", "cost", 500, 0.5, 100, 3, "O3", 3, 2, "finance"),
    ("P04", "Cache warm-up after deploys", "reliability", 300, 0.5, 80, 2, "O2", 2, 2, "SRE"),
    ("P05", "Personalised ranking v2 with data science", "feature", 650, 2.0, 50, 16, "O1", 5, 5, "data science"),
    ("P06", "Alert clean-up for the recommendation pager", "reliability", 20, 1.0, 100, 3, "none", 3, 1, "SRE"),
    ("P07", "Migrate the engine to the new service mesh", "platform", 600, 0.25, 80, 12, "none", 3, 4, "platform"),
    ("P08", "Design-doc and review template for the team", "platform", 30, 1.0, 80, 2, "none", 3, 1, "engineering"),
    ("P09", "Redis TTL tuning per category", "feature", 380, 1.0, 80, 3, "O1", 3, 2, "product"),
    ("P10", "Audit logging for recommendation overrides", "security", 40, 1.0, 100, 4, "none", 2, 2, "security"),
    ("P11", "Fix: carousel shows duplicate items", "bug ticket", 25, 0.5, 100, 1, "none", 1, 1, "support"),
    ("P12", "Fix: wrong currency symbol for one region", "bug ticket", 8, 0.5, 100, 1, "none", 1, 1, "support"),
    ("P13", "Fix: flaky integration test in CI", "bug ticket", 5, 0.25, 80, 1, "none", 1, 1, "engineering"),
    ("P14", "Fix: tooltip cut off on small screens", "bug ticket", 30, 0.25, 100, 1, "none", 1, 1, "support"),
    ("P15", "Fix: stale badge on sold-out items", "bug ticket", 60, 0.5, 80, 2, "none", 1, 2, "support"),
    ("P16", "Fix: log line too noisy at debug level", "bug ticket", 2, 0.25, 100, 1, "none", 1, 1, "engineering"),
    ("P17", "Load-shedding at the recommendation edge", "reliability", 600, 1.0, 50, 6, "O2", 4, 4, "SRE"),
    ("P18", "Spot instances for the nightly model build", "cost", 500, 0.25, 80, 4, "O3", 2, 3, "finance"),
]


def _generate() -> pd.DataFrame:
    rng = np.random.RandomState(SEED)
    frame = pd.DataFrame(_SPECS, columns=["project_id", "name", "kind", "reach_k", "impact", "confidence_pct",
                                          "effort_weeks", "okr", "visibility", "risk", "requested_by"])
    noise = rng.lognormal(mean=0.0, sigma=0.15, size=len(frame))
    frame["reach_k"] = np.maximum(1, np.round(frame["reach_k"].astype(float) * noise)).astype(int)
    frame["reach"] = frame.pop("reach_k") * 1000
    columns = ["project_id", "name", "kind", "reach", "impact", "confidence_pct", "effort_weeks", "okr",
               "visibility", "risk", "requested_by"]
    return frame[columns]


DATASET = Dataset(
    name="projects",
    title="Candidate projects for the recommendation team",
    description=(
        "Eighteen pieces of work the recommendation team could take on next half: features, reliability, cost "
        "and platform projects, and six tickets from the bug backlog. Estimates follow the RICE convention "
        "(Intercom, McBride 2016): reach per quarter, impact on the 3 / 2 / 1 / 0.5 / 0.25 scale, confidence "
        "100 / 80 / 50 %, effort in person-weeks. Written by hand per project; reach gets seeded log-normal "
        "noise (`RandomState(10)`, sigma 0.15) so the numbers look like estimates. Cost projects count the "
        "customers whose orders the saving funds as their reach (a convention, discussed in module 10)."
    ),
    columns=(
        Column("project_id", "str", "", "P01–P18"),
        Column("name", "str", "", "what the work is"),
        Column("kind", "str", "", "feature, reliability, cost, platform, security or bug ticket"),
        Column("reach", "int", "customers per quarter", "customers the work touches in a quarter (estimate)"),
        Column("impact", "float", "RICE scale", "effect on each customer: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal"),
        Column("confidence_pct", "int", "%", "confidence in the reach and impact estimates: 100, 80 or 50"),
        Column("effort_weeks", "int", "person-weeks", "estimated effort across every discipline"),
        Column("okr", "str", "", "the objective it serves (O1 cart abandonment, O2 latency SLO, O3 infra cost) or none"),
        Column("visibility", "int", "1–5", "how many people outside the team will notice the result"),
        Column("risk", "int", "1–5", "how hard and messy the work is (5: cross-team, unknowns)"),
        Column("requested_by", "str", "", "who asked for it"),
    ),
    generate=_generate,
    float_format="%.2f",
    used_by=("10",),
)
