"""Module 08 — own the un-owned problems: on-call health, blameless postmortems, and the
review nobody asked for.

Nobody owns a noisy pager, a postmortem that names a person, or the design review a new
dependency skipped. This module turns each into something measurable or checkable:

- **On-call health** from a quarter of pages: the few alerts behind most pages, the pages
  that wake someone for nothing, and incidents per 12-hour shift against the SRE book's
  guidance of at most two (ch. 11; an incident takes about six hours to handle, factsheet §6).
- **A blameless postmortem** from an incident's event log: the timeline, time to detect and
  to mitigate, the template's sections (SRE book, "Postmortem Culture", factsheet §6), and a
  *blame linter* that flags phrasing which indicts a person instead of a system.
- **A lightweight architecture review**: a checklist applied to a proposal before it ships
  (the idea follows the SRE book's Production Readiness Review, ch. 32; the items are ours).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

MODULE = "08"

#: The SRE book's cap: at most two incidents per 12-hour on-call shift (ch. 11).
MAX_INCIDENTS_PER_SHIFT = 2
SHIFT_HOURS = 12
SHIFT_START_HOUR = 8          # Cartwheel's shifts run 08:00–20:00 and 20:00–08:00
WEEKS_IN_QUARTER = 13         # the pages file covers 91 days


# -- on-call health ----------------------------------------------------------------------------
PAGE_COLUMNS = ("fired_at", "alert", "actionable", "after_hours", "incident_id")


def _pages(pages: Any) -> pd.DataFrame:
    if not isinstance(pages, pd.DataFrame) or any(c not in pages.columns for c in PAGE_COLUMNS):
        raise ValueError(f"expected the pages table with columns {list(PAGE_COLUMNS)}")
    return pages


def pages_per_alert(pages: pd.DataFrame) -> pd.Series:
    """Pages per alert rule, most first (ties by name, so the order is stable)."""
    counts = _pages(pages).groupby("alert").size()
    return counts.sort_values(ascending=False, kind="mergesort").rename("pages")


def noisy_alerts(pages: pd.DataFrame, share: float = 0.5) -> list[str]:
    """The fewest alerts that together account for at least ``share`` of all pages, most
    pages first: where tuning effort pays most."""
    if not 0 < share <= 1:
        raise ValueError(f"share is a fraction in (0, 1]; got {share}")
    counts = pages_per_alert(pages)
    cumulative = counts.cumsum() / counts.sum()
    k = int(np.searchsorted(cumulative.to_numpy(), share - 1e-12) + 1)
    return list(counts.index[:k])


def non_actionable_pct(pages: pd.DataFrame) -> float:
    """Percentage of pages that needed no action: each one is toil and lost trust in the pager."""
    return float(100 * (~_pages(pages).actionable.astype(bool)).mean())


def after_hours_noise_per_week(pages: pd.DataFrame, weeks: float = WEEKS_IN_QUARTER) -> float:
    """Non-actionable pages outside working hours, per week: the ones that wake someone for nothing."""
    p = _pages(pages)
    return float(((~p.actionable.astype(bool)) & p.after_hours.astype(bool)).sum() / weeks)


def shift_start(times: pd.Series) -> pd.Series:
    """The start of the 12-hour shift (08:00 or 20:00) each time falls in."""
    offset = pd.Timedelta(hours=SHIFT_START_HOUR)
    return (pd.to_datetime(times) - offset).dt.floor(f"{SHIFT_HOURS}h") + offset


def incidents_per_shift(pages: pd.DataFrame) -> pd.Series:
    """Distinct incidents per 12-hour shift (shifts without incidents are left out). An
    incident that pages three times is still one incident."""
    p = _pages(pages)
    part = p[p.incident_id.notna() & (p.incident_id.astype(str).str.len() > 0)]
    return part.groupby(shift_start(part.fired_at)).incident_id.nunique().rename("incidents")


def incidents_spanning_shifts(pages: pd.DataFrame) -> int:
    """Incidents whose pages fall in more than one shift: :func:`incidents_per_shift` counts each
    of them once in every shift it touched (the on-call of each shift handled it)."""
    p = _pages(pages)
    part = p[p.incident_id.notna() & (p.incident_id.astype(str).str.len() > 0)]
    return int((part.groupby("incident_id").fired_at.agg(lambda t: shift_start(t).nunique()) > 1).sum())


def shifts_over_limit(pages: pd.DataFrame, limit: int = MAX_INCIDENTS_PER_SHIFT) -> int:
    """Shifts with more incidents than the SRE book's guidance allows."""
    return int((incidents_per_shift(pages) > limit).sum())


MODES = {"tune": "tune: drop their non-actionable pages", "delete": "delete the alerts outright"}


def removed_mask(pages: pd.DataFrame, top: int, mode: str = "tune") -> np.ndarray:
    """Which pages disappear if the ``top`` noisiest alerts are tuned (their non-actionable
    pages stop) or deleted (all their pages stop, including the real ones)."""
    if mode not in MODES:
        raise ValueError(f"mode is one of {list(MODES)}; got {mode!r}")
    if top < 0:
        raise ValueError(f"the number of alerts to change cannot be negative; got {top}")
    p = _pages(pages)
    chosen = p.alert.isin(pages_per_alert(p).index[: int(top)])
    mask = chosen if mode == "delete" else chosen & ~p.actionable.astype(bool)
    return mask.to_numpy()


def projected_reduction_pct(pages: pd.DataFrame, top: int = 3, mode: str = "tune") -> float:
    """Percentage of all pages that tuning (or deleting) the ``top`` noisiest alerts removes."""
    return float(100 * removed_mask(pages, top, mode).mean())


def smallest_top_for_actionable_majority(pages: pd.DataFrame, max_top: int = 11) -> int | None:
    """The fewest noisy alerts to tune so that at least half of the remaining pages are actionable."""
    p = _pages(pages)
    for top in range(0, max_top + 1):
        kept = p[~removed_mask(p, top)]
        if len(kept) and kept.actionable.astype(bool).mean() >= 0.5:
            return top
    return None


# -- the incident's timeline -----------------------------------------------------------------------
TIMELINE_KINDS = ("change", "impact_start", "alert", "page", "ack", "role", "decision", "mitigated", "resolved")


def _events(events: Any) -> pd.DataFrame:
    if not isinstance(events, pd.DataFrame) or any(c not in events.columns for c in ("time", "kind", "message")):
        raise ValueError("expected the incident_events table with columns time, kind, message")
    return events


def first_time(events: pd.DataFrame, kind: str) -> pd.Timestamp:
    """When the first event of ``kind`` happened."""
    e = _events(events)
    hits = e.loc[e.kind == kind, "time"]
    if hits.empty:
        raise ValueError(f"the log has no {kind!r} event")
    return pd.Timestamp(pd.to_datetime(hits).min())


def minutes_between(events: pd.DataFrame, start: str, end: str) -> float:
    return (first_time(events, end) - first_time(events, start)).total_seconds() / 60.0


def time_to_detect(events: pd.DataFrame) -> float:
    """Minutes from the start of customer impact to the first alert. We measure from impact,
    not from the change, because impact is what users felt; say so when you report it."""
    return minutes_between(events, "impact_start", "alert")


def time_to_mitigate(events: pd.DataFrame) -> float:
    """Minutes from the start of customer impact to the end of it."""
    return minutes_between(events, "impact_start", "mitigated")


def timeline(events: pd.DataFrame) -> pd.DataFrame:
    """The postmortem's timeline: the events that mark a phase, with minutes since impact began."""
    e = _events(events).copy()
    e["time"] = pd.to_datetime(e.time)
    start = first_time(e, "impact_start")
    key = e[e.kind.isin(TIMELINE_KINDS)].copy()
    key["minutes_from_impact"] = (key.time - start).dt.total_seconds() / 60.0
    return key[["time", "minutes_from_impact", "kind", "message"]].reset_index(drop=True)
