"""A quarter of on-call pages for the recommendation team (April–June 2024).

Shaped like a rotation nobody has tended: a few noisy alerts (a Redis memory warning that
fires every night when the batch job fills the cache, a latency *warning* on a cause rather
than a symptom, a flapping health check) produce most of the pages, and most of those need
no action. Real incidents are rarer, arrive as one to three actionable pages each, and
cluster in a few bad weeks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from steward.datagen import Column, Dataset

SEED = 8008
START = pd.Timestamp("2024-04-01 00:00:00")
DAYS = 91

#: alert → (service, pages a day when not part of an incident, P(actionable), night-heavy)
ALERTS: dict[str, tuple[str, float, float, bool]] = {
    "RedisMemoryHigh": ("redis-cache", 3.1, 0.04, True),
    "RecsLatencyP99Warn": ("recommendation-api", 2.2, 0.10, False),
    "HealthcheckFlap": ("recommendation-api", 1.5, 0.02, True),
    "InventoryTimeoutSpike": ("inventory-client", 1.0, 0.15, False),
    "FeatureStoreLag": ("feature-store", 0.6, 0.20, True),
    "BatchJobRetry": ("batch-trainer", 0.5, 0.10, True),
    "PodRestartLoop": ("recommendation-api", 0.4, 0.35, False),
    "KafkaConsumerLag": ("event-pipeline", 0.35, 0.30, True),
    "DiskUsage80": ("batch-trainer", 0.3, 0.25, True),
    "CertExpirySoon": ("recommendation-api", 0.06, 0.70, False),
    "CanaryFailed": ("recommendation-api", 0.1, 0.75, False),
}
#: alerts that page during real incidents (SLO burn-rate alerts page on symptoms)
INCIDENT_ALERTS = {
    "RecsErrorBudgetBurnFast": "recommendation-api",
    "RecsErrorBudgetBurnSlow": "recommendation-api",
    "InventoryServiceDown": "inventory-client",
    "RedisFailover": "redis-cache",
    "InventoryTimeoutSpike": "inventory-client",
    "PodRestartLoop": "recommendation-api",
}
N_INCIDENTS = 62
BAD_WEEKS = (3, 8, 11)  # weeks (from 0) with a bad release train: incidents cluster here

COLUMNS = (
    Column("page_id", "str", "", "page identifier, P-00001 onwards in time order"),
    Column("fired_at", "datetime", "local time", "when the page fired (the team's local time)"),
    Column("alert", "str", "", "the alert rule that paged"),
    Column("service", "str", "", "the service the alert watches"),
    Column("actionable", "bool", "", "whether the on-call engineer had to do something (not just acknowledge)"),
    Column("after_hours", "bool", "", "fired outside 09:00–18:00 on a weekday, or at a weekend"),
    Column("ack_minutes", "float", "min", "minutes from page to acknowledgement"),
    Column("incident_id", "str", "", "the incident this page belonged to; empty when it was not part of one"),
)


def _times(rs: np.random.RandomState, n: int, night_heavy: bool) -> np.ndarray:
    """Minutes since START: a uniform day; an hour that leans on 00:00–06:00 for night-heavy alerts."""
    day = rs.randint(0, DAYS, size=n)
    if night_heavy:
        hour = np.where(rs.uniform(size=n) < 0.7, rs.uniform(0, 6, size=n), rs.uniform(0, 24, size=n))
    else:
        hour = np.where(rs.uniform(size=n) < 0.6, rs.uniform(9, 18, size=n), rs.uniform(0, 24, size=n))
    return day * 1440.0 + hour * 60.0


def generate(seed: int = SEED) -> pd.DataFrame:
    rs = np.random.RandomState(seed)
    rows = []
    for alert, (service, per_day, p_actionable, night) in ALERTS.items():
        n = rs.poisson(per_day * DAYS)
        minutes = _times(rs, n, night)
        actionable = rs.uniform(size=n) < p_actionable
        rows += [(m, alert, service, a, "") for m, a in zip(minutes, actionable, strict=True)]
    # incidents: a base rate, tripled in the bad weeks
    week_weight = np.array([4.0 if w in BAD_WEEKS else 1.0 for w in range(13)])
    weeks = rs.choice(13, size=N_INCIDENTS, p=week_weight / week_weight.sum())
    spread = np.where(np.isin(weeks, BAD_WEEKS), 2.5, 7.0)  # a bad release lands hard, over two or three days
    starts = (weeks * 7 + rs.uniform(0, 1, size=N_INCIDENTS) * spread) * 1440.0
    starts = np.sort(np.minimum(starts, (DAYS - 1) * 1440.0))
    names = list(INCIDENT_ALERTS)
    for i, start in enumerate(starts):
        incident = f"INC-{i + 1:04d}"
        for k in range(1 + rs.binomial(2, 0.4)):
            alert = names[rs.randint(len(names))]
            rows.append((start + k * rs.uniform(2, 25), alert, INCIDENT_ALERTS[alert], True, incident))
    frame = pd.DataFrame(rows, columns=["minute", "alert", "service", "actionable", "incident_id"])
    frame = frame.sort_values(["minute", "alert"], kind="mergesort").reset_index(drop=True)
    fired = START + pd.to_timedelta(np.round(frame.minute * 60), unit="s")
    hour = fired.dt.hour
    after_hours = (fired.dt.day_of_week >= 5) | (hour < 9) | (hour >= 18)
    ack = np.where(after_hours, 6.0, 2.5) * np.exp(0.6 * rs.randn(len(frame)))
    return pd.DataFrame({
        "page_id": [f"P-{i + 1:05d}" for i in range(len(frame))],
        "fired_at": fired.dt.strftime("%Y-%m-%d %H:%M:%S"),
        "alert": frame.alert,
        "service": frame.service,
        "actionable": frame.actionable,
        "after_hours": after_hours,
        "ack_minutes": np.round(ack, 1),
        "incident_id": frame.incident_id,
    })


DATASET = Dataset(
    name="pages",
    title="A quarter of on-call pages (April–June 2024)",
    description=(
        f"Every page the recommendation team's on-call received in {DAYS} days from {START:%Y-%m-%d} (seed {SEED}). "
        "Eleven alert rules page at their own Poisson rates with their own chance of needing action (a Redis memory "
        "warning fires most nights when the batch job fills the cache; a latency warning watches a cause, not a "
        f"symptom). On top, {N_INCIDENTS} incidents each page one to three times with actionable SLO burn-rate and "
        "outage alerts; incidents cluster in the first days of three bad weeks. `incident_id` is empty for pages outside an incident. "
        "Times are the team's local time."
    ),
    columns=COLUMNS,
    generate=generate,
    float_format="%.1f",
    used_by=("08",),
)
