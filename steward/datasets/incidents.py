"""A year of incidents on Cartwheel's recommendation engine and its neighbours.

The confounding is built in on purpose, because it is what real incident logs do: the
more severe an incident, the more likely someone names an incident commander, *and* the
longer it takes to mitigate. A commander shortens mitigation a little within each
severity, but a naive comparison of incidents with and without one says the opposite.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from steward.datagen import Column, Dataset

SEED = 5009
N_INCIDENTS = 420
START = pd.Timestamp("2024-01-01 00:00:00")

#: severity → (share of incidents, P(commander named), median minutes from acknowledgement to
#: mitigation without a commander, median minutes from mitigation to resolution)
SEVERITIES = {
    "SEV1": (0.06, 0.85, 150.0, 600.0),
    "SEV2": (0.16, 0.75, 85.0, 360.0),
    "SEV3": (0.38, 0.30, 45.0, 240.0),
    "SEV4": (0.40, 0.08, 25.0, 180.0),
}
#: A named commander multiplies the time from acknowledgement to mitigation by this
#: (within a severity). A simulation parameter, not a measured fact.
COMMANDER_EFFECT = 0.86
SERVICES = ("recommendation-api", "inventory-service", "redis-cache", "feature-store", "checkout", "search-api")

COLUMNS = (
    Column("incident_id", "str", "", "incident identifier, INC-0001 onwards in order of detection"),
    Column("severity", "str", "", "SEV1 (most severe: customers cannot buy) to SEV4 (minor, internal)"),
    Column("service", "str", "", "the service where the incident started"),
    Column("commander", "bool", "", "whether an incident commander was named during the incident"),
    Column("detected_at", "datetime", "UTC", "when monitoring (or a person) first noticed the problem"),
    Column("acknowledged_at", "datetime", "UTC", "when the on-call engineer acknowledged the page"),
    Column("mitigated_at", "datetime", "UTC", "when customer impact stopped (rollback, failover, feature flag)"),
    Column("resolved_at", "datetime", "UTC", "when the underlying cause was fixed and the incident closed"),
)


def generate(seed: int = SEED) -> pd.DataFrame:
    """Draw the year: severity first, then commander given severity, then durations given both.

    Durations are log-normal (a long right tail, as incident durations have). Times to
    acknowledge are shorter for SEV1–2, which page immediately.
    """
    rs = np.random.RandomState(seed)
    names = list(SEVERITIES)
    shares = np.array([SEVERITIES[s][0] for s in names])
    severity = rs.choice(names, size=N_INCIDENTS, p=shares / shares.sum())
    p_commander = np.array([SEVERITIES[s][1] for s in severity])
    commander = rs.uniform(size=N_INCIDENTS) < p_commander
    ack_median = np.where(np.isin(severity, ["SEV1", "SEV2"]), 4.0, 12.0)
    ack = ack_median * np.exp(0.6 * rs.randn(N_INCIDENTS))
    mitigate_median = np.array([SEVERITIES[s][2] for s in severity]) * np.where(commander, COMMANDER_EFFECT, 1.0)
    mitigate = mitigate_median * np.exp(0.4 * rs.randn(N_INCIDENTS))
    resolve = np.array([SEVERITIES[s][3] for s in severity]) * np.exp(0.7 * rs.randn(N_INCIDENTS))
    offsets = np.sort(rs.uniform(0, 365 * 24 * 60, size=N_INCIDENTS))
    service = rs.choice(SERVICES, size=N_INCIDENTS, p=[0.3, 0.2, 0.15, 0.15, 0.1, 0.1])

    def stamp(minutes: np.ndarray) -> pd.Series:
        return (START + pd.to_timedelta(np.round(minutes * 60), unit="s")).dt.strftime("%Y-%m-%d %H:%M:%S")

    detected = pd.Series(offsets)
    frame = pd.DataFrame({
        "incident_id": [f"INC-{i + 1:04d}" for i in range(N_INCIDENTS)],
        "severity": severity,
        "service": service,
        "commander": commander,
        "detected_at": stamp(detected),
        "acknowledged_at": stamp(detected + ack),
        "mitigated_at": stamp(detected + ack + mitigate),
        "resolved_at": stamp(detected + ack + mitigate + resolve),
    })
    return frame


DATASET = Dataset(
    name="incidents",
    title="A year of incidents (2024), with and without a named commander",
    description=(
        "One row per incident on Cartwheel's recommendation engine and its neighbours in 2024 "
        f"({N_INCIDENTS} incidents, seed {SEED}). Severity is drawn first (SEV1 6%, SEV2 16%, SEV3 38%, SEV4 40%); "
        "whether a commander is named depends on severity (85%, 75%, 30%, 8%); durations are log-normal with "
        "medians that grow with severity, and a named commander multiplies the time from acknowledgement to "
        f"mitigation by {COMMANDER_EFFECT} within a severity. So the data is *confounded* on purpose: severity "
        "drives both who gets a commander and how long mitigation takes. All times are UTC, to the second."
    ),
    columns=COLUMNS,
    generate=generate,
    used_by=("05",),
)
