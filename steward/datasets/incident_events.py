"""The event log of one incident: INC-0611, recommendations degraded after a Redis change.

Merged from the places an incident leaves traces: the deploy log, monitoring, the pager,
the incident channel and the status page. It is the raw material of a postmortem: the
timeline, time to detect and time to mitigate all come from it. The incident is the one
module 05's status-update task describes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from steward.datagen import Column, Dataset

SEED = 611
DAY = pd.Timestamp("2024-06-11")

#: (minute after 14:00, source, actor, kind, message). ``kind`` is the event's role in the timeline.
SCRIPT: tuple[tuple[float, str, str, str, str], ...] = (
    (2, "deploy", "config-pipeline", "change", "Config change #4411 applied to redis-cache: maxmemory-policy allkeys-lru → volatile-ttl, maxmemory 12gb → 8gb"),
    (4, "monitoring", "redis-cache", "signal", "Evicted keys per second rises from 40 to 2,900"),
    (6, "monitoring", "inventory-service", "signal", "Inventory service request rate doubles (cache misses fall through)"),
    (9, "monitoring", "recommendation-api", "impact_start", "p99 latency crosses 200 ms SLO threshold; 'You may also like' panel times out on ~30% of product pages"),
    (12, "chat", "Priya", "note", "#recs: anyone else seeing slow recs on staging dashboards? prod looks a bit spiky"),
    (17, "monitoring", "inventory-service", "signal", "Inventory service p99 reaches 900 ms; connection pool saturated"),
    (24, "chat", "support-bot", "note", "Support: 4 tickets mention missing recommendations"),
    (31, "monitoring", "alertmanager", "alert", "RecsErrorBudgetBurnFast fired: 14.4x burn over 1 h and 5 min windows"),
    (31.2, "pager", "pagerduty", "page", "Paged primary on-call (Marco) for RecsErrorBudgetBurnFast"),
    (35, "pager", "Marco", "ack", "Marco acknowledged the page"),
    (38, "chat", "Marco", "action", "Opened #inc-recs-0611; latency is high on recommendation-api, looking at the inventory dependency"),
    (41, "chat", "Dana", "role", "Dana takes incident commander; Marco ops lead; Priya comms"),
    (44, "chat", "Priya", "comms", "Status update 1 posted to #status and the internal status page"),
    (47, "chat", "Marco", "action", "Inventory service scaled from 6 to 12 pods; latency unchanged"),
    (52, "chat", "Aiko", "action", "Redis dashboard shows eviction storm since 14:04; correlates with config change #4411"),
    (55, "chat", "Dana", "decision", "Decision: roll back #4411 rather than keep scaling inventory"),
    (58, "deploy", "config-pipeline", "action", "Rollback of #4411 started"),
    (60, "chat", "Priya", "comms", "Status update 2 posted: rollback in progress, next update 15:20"),
    (67, "deploy", "config-pipeline", "action", "Rollback of #4411 complete; cache refilling"),
    (72, "monitoring", "recommendation-api", "mitigated", "p99 latency back under 200 ms; panel renders on all product pages"),
    (75, "chat", "Dana", "note", "Holding the incident open while the cache warms; inventory service scaled back to 6 pods"),
    (80, "chat", "Priya", "comms", "Status update 3 posted: impact over since 15:12, monitoring"),
    (92, "chat", "Aiko", "note", "#4411 was reviewed and approved; the review checklist has no item for eviction-policy changes"),
    (95, "chat", "Sam", "note", "Config pipeline has no canary stage for redis-cache; changes apply to all shards at once"),
    (110, "chat", "Tomás", "note", "The 8gb limit came from a staging sizing doc; production holds 11 GB of hot keys"),
    (160, "chat", "Dana", "resolved", "Eviction rate normal for 60 min, cache hit ratio back to 97%; incident resolved"),
    (162, "chat", "Priya", "comms", "Final status update posted; postmortem owner: Aiko, draft due 2024-06-14"),
)

COLUMNS = (
    Column("time", "datetime", "local time", "when the event happened, to the second"),
    Column("source", "str", "", "where the event was recorded: deploy, monitoring, pager, chat"),
    Column("actor", "str", "", "the system or person the event came from"),
    Column("kind", "str", "", "change, signal, impact_start, alert, page, ack, action, role, comms, decision, note, mitigated, resolved"),
    Column("message", "str", "", "what the log says"),
)


def generate(seed: int = SEED) -> pd.DataFrame:
    """The script, with a few seconds of seeded jitter so the times look like real logs."""
    rs = np.random.RandomState(seed)
    minutes = np.array([row[0] for row in SCRIPT])
    seconds = np.round(minutes * 60 + rs.randint(0, 40, size=len(SCRIPT)))
    times = DAY + pd.Timedelta(hours=14) + pd.to_timedelta(seconds, unit="s")
    return pd.DataFrame({
        "time": times.strftime("%Y-%m-%d %H:%M:%S"),
        "source": [row[1] for row in SCRIPT],
        "actor": [row[2] for row in SCRIPT],
        "kind": [row[3] for row in SCRIPT],
        "message": [row[4] for row in SCRIPT],
    })


DATASET = Dataset(
    name="incident_events",
    title="The event log of one incident (INC-0611, 11 June 2024)",
    description=(
        "One row per event in incident INC-0611, merged from the deploy log, monitoring, the pager and the incident "
        f"channel (seed {SEED} adds 0–40 s of jitter to a scripted timeline). A Redis configuration change lowered "
        "the memory limit and changed the eviction policy; evictions pushed cache misses onto the inventory service "
        "and recommendations missed their latency SLO until the change was rolled back. `kind` marks each event's "
        "role: `impact_start`, `alert`, `ack`, `mitigated` and `resolved` bound the durations a postmortem reports."
    ),
    columns=COLUMNS,
    generate=generate,
    used_by=("08",),
)
