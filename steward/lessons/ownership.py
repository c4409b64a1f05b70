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

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from steward import checks, plotting
from steward.datagen import load
from steward.tasks import Misconception, Rubric, Task, TaskSet
from steward.widgets import App, FigureView, dropdown, int_slider, w

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


@dataclass(frozen=True)
class PrunerView:
    """What the pruner shows: pages a week per alert, what goes, and the totals before and after."""

    alerts: list[str]
    per_week: np.ndarray
    removed_per_week: np.ndarray
    before: float
    after: float
    after_hours_before: float
    after_hours_after: float
    actionable_after_pct: float
    lost_actionable: int
    title: str


class AlertPruner(App):
    """How many noisy alerts to tune, and how → pages a week before and after.

    The bars (pages a week per alert) are static; the hatched overlay of removed pages and
    the title are the only artists that change, so a slider change only blits."""

    title = "Alert pruner: tune or delete the noisiest alerts"
    SHOWN = 11

    def __init__(self, pages: pd.DataFrame | None = None) -> None:
        self.pages = load("pages") if pages is None else _pages(pages)
        counts = pages_per_alert(self.pages)
        self.alerts = list(counts.index[: self.SHOWN])
        self.per_week = counts.to_numpy()[: self.SHOWN] / WEEKS_IN_QUARTER
        # precomputed once, so a control change is a few NumPy operations (rank 0 = noisiest alert)
        rank = {alert: i for i, alert in enumerate(counts.index)}
        self._rank = self.pages.alert.map(rank).to_numpy(dtype=int)
        self._actionable = self.pages.actionable.to_numpy(dtype=bool)
        self._after_hours = self.pages.after_hours.to_numpy(dtype=bool)
        self.figure = FigureView(width=8.0, height=3.4, margins={"top": 0.97, "bottom": 0.15, "left": 0.27, "right": 0.97})
        ax = self.figure.ax
        y = np.arange(len(self.alerts))[::-1]
        ax.barh(y, self.per_week, color=plotting.NEUTRAL, label="pages that stay")
        self._removed = ax.barh(y, np.zeros_like(self.per_week), color=plotting.HIGHLIGHT, hatch="//",
                                edgecolor="black", linewidth=0.5, label="pages removed")
        ax.set_yticks(y, self.alerts, fontsize=8)
        ax.set_xlim(0, float(self.per_week.max()) * 1.05)
        ax.legend(loc="lower right", fontsize=8)
        plotting.finish(ax, "…\n…", "pages a week", "alert")
        ax.set_ylabel("")
        self._title = plotting.title_artist(ax)
        self._title.set_fontsize(10)
        self.figure.animate(*self._removed.patches)
        self.figure.title_as_caption(ax)
        self.readout = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "top": int_slider("noisiest alerts to change", 3, 0, self.SHOWN),
            "mode": dropdown("how", [(label, key) for key, label in MODES.items()], "tune"),
        }

    def layout(self) -> w.Widget:
        return w.VBox([w.HBox(list(self.inputs.values())), self.figure.widget, self.readout])

    def compute(self, top: int, mode: str) -> PrunerView:
        if mode not in MODES:
            raise ValueError(f"mode is one of {list(MODES)}; got {mode!r}")
        actionable, after_hours = self._actionable, self._after_hours
        chosen = self._rank < int(top)
        removed = chosen if mode == "delete" else chosen & ~actionable       # as removed_mask, vectorised
        per_alert = np.bincount(self._rank[removed], minlength=len(self.per_week))
        removed_per_week = per_alert[: len(self.alerts)] / WEEKS_IN_QUARTER
        kept = ~removed
        before, after = len(kept) / WEEKS_IN_QUARTER, kept.sum() / WEEKS_IN_QUARTER
        cut = 100 * (1 - after / before) if before else 0.0
        verb = "Tuning" if mode == "tune" else "Deleting"
        title = (f"{verb} the top {top} alert{'s' if top != 1 else ''}: {before:.0f} → {after:.0f} pages a week "
                 f"(−{cut:.0f}%)") if top else f"Today: {before:.0f} pages a week"
        lost = int((removed & actionable).sum())
        title += f"\n{lost} actionable pages lost" if lost else "\nno actionable page lost"
        return PrunerView(self.alerts, self.per_week, removed_per_week, before, after,
                          after_hours.sum() / WEEKS_IN_QUARTER, (after_hours & kept).sum() / WEEKS_IN_QUARTER,
                          100 * float(actionable[kept].mean()) if kept.any() else 0.0, lost, title)

    def draw(self, state: PrunerView) -> None:
        for patch, value in zip(self._removed.patches, state.removed_per_week, strict=True):
            patch.set_width(float(value))
        self._title.set_text(state.title)
        self.readout.value = (f"<small>after hours: {state.after_hours_before:.0f} → {state.after_hours_after:.0f} "
                              f"pages a week · actionable share of what is left: {state.actionable_after_pct:.0f}%</small>")
        self.figure.render()


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


# -- the blame linter ------------------------------------------------------------------------------
#: The people in INC-0611's log. Names are facts in a timeline; as the *cause* they are blame.
TEAM = ("Marco", "Dana", "Priya", "Aiko", "Sam", "Tomás")
MAX_FINDINGS = 1000


@dataclass(frozen=True)
class Finding:
    """One blameful phrase: where it is, why it is blameful, and a systemic rewording to try."""

    line: int
    phrase: str
    rule: str
    reason: str
    suggestion: str

    def __str__(self) -> str:
        return f"line {self.line}: '{self.phrase}' — {self.reason} Try: {self.suggestion}"


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    reason: str
    suggestion: str


RULES: tuple[_Rule, ...] = (
    _Rule("human-error", re.compile(r"\b(?:human|operator|user|engineer|pilot|individual)\s+errors?\b", re.I),
          "'Human error' ends the analysis at a person, where it should start.",
          "Name the condition that made the error possible and the check that would have caught it."),
    _Rule("forgot", re.compile(r"\b(?:forgot|forgets|forgotten|forgetting|neglected)\b", re.I),
          "It names a lapse of memory as the cause; memory is not a control.",
          "Say what made the step easy to miss, e.g. 'the runbook did not include the step'."),
    _Rule("hindsight", re.compile(r"\b(?:should|could|ought\s+to|must)\s+(?:have|'ve)\b|\bshould've\b|\bcould've\b", re.I),
          "Hindsight: it judges a decision by an outcome nobody knew at the time.",
          "Describe what was known then, and what the system made easy or hard."),
    _Rule("failed-to", re.compile(r"\b(?:failed|fails|failing)\s+to\b", re.I),
          "It frames an omission as a personal failure.",
          "State what did not happen, e.g. 'the check did not run', and why."),
    _Rule("judgement", re.compile(
        r"\b(?:careless(?:ly|ness)?|sloppy|negligen(?:t|ce)|incompeten(?:t|ce)|lazy|reckless(?:ly)?|stupid|dumb|"
        r"(?:his|her|their)\s+(?:fault|mistake)|to\s+blame|blamed?|didn't\s+bother|did\s+not\s+bother|ignored|"
        r"should\s+know\s+better|rookie)\b", re.I),
          "It judges a person instead of describing what happened.",
          "Describe the action and the conditions around it in neutral words."),
)

_CAUSE = r"(?:caused|causing|broke|breaks|pushed|deployed|shipped|forgot|missed|ignored|failed|mistake|error|fault|screwed)"


@lru_cache(maxsize=16)
def _name_rule(names: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = sorted({n.strip() for n in names if isinstance(n, str) and n.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    who = "|".join(re.escape(n) for n in cleaned)
    # a name next to a cause verb, within a few words (either order), or "because (of) <name>"
    return re.compile(
        rf"\b(?:(?:{who})(?:'s)?(?:\s+\S+){{0,3}}?\s+{_CAUSE}\b|{_CAUSE}(?:\s+\S+){{0,2}}?\s+by\s+(?:{who})\b|"
        rf"because\s+(?:of\s+)?(?:{who})\b)",
        re.I,
    )


def _as_text(text: Any) -> str:
    if text is None or text is Ellipsis:
        return ""
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="replace")
    return text if isinstance(text, str) else str(text)


def lint_blame(text: Any, names: Iterable[str] = TEAM) -> list[Finding]:
    """Blameful phrasing in ``text``, line by line: each finding has the line (from 1), the
    phrase, the rule, the reason and a systemic rewording to try.

    Pure and total: any text (empty, a megabyte, non-ASCII, even a non-string, which is read
    as its ``str``) gives a list, never an exception. At most ``MAX_FINDINGS`` are returned."""
    body = _as_text(text)
    try:
        people = tuple(names) if names is not None else ()
    except TypeError:
        people = ()
    name_rule = _name_rule(tuple(str(n) for n in people))
    findings: list[Finding] = []
    for number, line in enumerate(body.splitlines(), start=1):
        if len(findings) >= MAX_FINDINGS:
            break
        hits: list[tuple[int, Finding]] = []
        for rule in RULES:
            for match in rule.pattern.finditer(line):
                hits.append((match.start(), Finding(number, match.group(0), rule.name, rule.reason, rule.suggestion)))
        if name_rule is not None:
            for match in name_rule.finditer(line):
                hits.append((match.start(), Finding(
                    number, match.group(0), "name-as-cause", "It names a person as the cause.",
                    "Name the change or the role instead: 'config change #4411 lowered the limit', not who pushed it.")))
        findings.extend(f for _, f in sorted(hits, key=lambda h: h[0]))
    return findings[:MAX_FINDINGS]


def blame_report(text: Any, names: Iterable[str] = TEAM) -> str:
    """The findings as plain text, for a notebook cell."""
    if not _as_text(text).strip():
        return "Nothing to lint yet: the text is empty."
    findings = lint_blame(text, names)
    if not findings:
        return "No blameful phrasing found."
    return "\n".join(str(f) for f in findings)


BLAMEFUL_DRAFT = """Summary: recommendations were slow for an hour because Marco pushed a bad Redis config.
Root cause: human error. Marco forgot to check the production memory size and should have used a canary.
Aiko approved the review but failed to notice the eviction policy change, which was careless.
Detection: the alert fired 22 minutes late; Priya should have escalated when she saw the spike at 14:12.
Resolution: Dana made the call to roll back at 14:55 and the rollback finished at 15:07."""


class BlameLinterApp(App):
    """Type or paste a draft → the blameful phrases in it, with a systemic rewording for each."""

    title = "Blame linter: does this draft indict a person or describe a system?"

    def __init__(self, draft: str = BLAMEFUL_DRAFT) -> None:
        self._draft = draft
        self.output = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {"draft": w.Textarea(value=self._draft, layout=w.Layout(width="100%", height="160px"),
                                    continuous_update=False)}

    def layout(self) -> w.Widget:
        return w.VBox([self.inputs["draft"], self.output])

    def compute(self, draft: str) -> list[Finding]:
        return lint_blame(draft)

    def draw(self, state: list[Finding]) -> None:
        if not state:
            self.output.value = "<b style='color:#0072B2'>✔ No blameful phrasing found.</b>"
            return
        items = "".join(
            f"<li>line {f.line}: <b>{html.escape(f.phrase)}</b>: {html.escape(f.reason)} <i>Try:</i> {html.escape(f.suggestion)}</li>"
            for f in state[:50])
        more = f"<p>…and {len(state) - 50} more.</p>" if len(state) > 50 else ""
        self.output.value = f"<b style='color:#D55E00'>✘ {len(state)} blameful phrase(s)</b><ul>{items}</ul>{more}"


#: Every widget of the lesson, by name.
APPS = {"alert-pruner": AlertPruner, "blame-linter": BlameLinterApp}


# -- the postmortem's structure --------------------------------------------------------------------
def _has(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern, re.I)
    return lambda text: bool(compiled.search(text))


_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_OWNER = re.compile(r"\bowner\b|@[\w.-]+", re.I)


def _action_items_have_owners_and_dates(text: str) -> bool:
    """At least one line has an owner and a date, and every line that has one has the other."""
    lines = [line for line in text.splitlines() if _DATE.search(line) or _OWNER.search(line)]
    owned = [line for line in lines if _DATE.search(line) and _OWNER.search(line)]
    return bool(owned)


def _blameless(text: str) -> bool:
    return not lint_blame(text)


POSTMORTEM_PARTS: dict[str, Callable[[str], bool]] = {
    "summary": _has(r"\bsummary\b"),
    "impact": _has(r"\bimpact\b"),
    "root causes": _has(r"\broot\s+causes?\b|\bcontributing\s+(?:causes?|factors?)\b"),
    "trigger": _has(r"\btrigger\b"),
    "detection": _has(r"\bdetection\b"),
    "resolution": _has(r"\bresolution\b"),
    "action items": _has(r"\baction\s+items?\b"),
    "action items with an owner and a due date (YYYY-MM-DD)": _action_items_have_owners_and_dates,
    "lessons: what went well": _has(r"\bwent\s+well\b"),
    "lessons: what went wrong": _has(r"\bwent\s+wrong\b"),
    "lessons: where we got lucky": _has(r"\blucky\b"),
    "timeline": _has(r"\btimeline\b"),
    "time to detect, in minutes": _has(r"\bdetect\w*\b[\s\S]{0,80}?\b\d+(?:\.\d+)?\s*(?:min|minutes)\b"),
    "time to mitigate, in minutes": _has(r"\bmitigat\w*\b[\s\S]{0,80}?\b\d+(?:\.\d+)?\s*(?:min|minutes)\b"),
    "blameless wording (the blame linter finds nothing)": _blameless,
}


def check_postmortem(text: Any) -> dict[str, bool]:
    """Which parts of the template a postmortem has (structure only; the judgment is yours)."""
    body = _as_text(text)
    return {name: bool(present(body)) for name, present in POSTMORTEM_PARTS.items()}


POSTMORTEM_SAMPLE = """# Postmortem: INC-0611, recommendations degraded after a Redis configuration change
Summary: for 63 minutes on 11 June 2024, about 30% of product pages showed no recommendations because a
Redis configuration change evicted most cached stock levels and pushed the load onto the inventory service.
Impact: recommendations missed their 200 ms latency SLO from 14:09 to 15:12; 4 support tickets; checkout unaffected.
Root causes: the change (#4411) set an 8 GB limit taken from a staging sizing document, while production holds
11 GB of hot keys; the config pipeline applies redis-cache changes to every shard at once, with no canary; the
review checklist has no item for eviction-policy or memory-limit changes.
Trigger: config change #4411 applied at 14:02.
Detection: the fast burn-rate alert fired at 14:31, so time to detect was 22 minutes from the start of impact;
the eviction storm was visible on the Redis dashboard from 14:04, but nothing alerted on it.
Resolution: the change was rolled back at 14:58 and the rollback completed at 15:07; time to mitigate was
63 minutes from the start of impact. Resolved at 16:40 once the cache had warmed.
Action items:
- Add a canary stage for redis-cache config changes. Owner: Sam. Due: 2024-07-05.
- Alert on eviction rate above 500/s for 5 minutes. Owner: Aiko. Due: 2024-06-28.
- Add memory-limit and eviction-policy checks to the config review checklist. Owner: Dana. Due: 2024-06-21.
- Size production limits from production metrics, not staging documents. Owner: Tomás. Due: 2024-07-12.
Lessons learned
What went well: the burn-rate alert paged 22 minutes into the impact; roles were assigned 10 minutes after the alert;
status updates went out on a 20-minute cadence, so responders were left alone.
What went wrong: nothing alerted on the eviction storm for 27 minutes; the first response scaled the inventory service,
because the dashboards did not show cache misses next to inventory load.
Where we got lucky: it was a Tuesday afternoon with the config's reviewer online, not the Black Friday weekend.
Timeline: 14:02 change applied; 14:09 impact starts; 14:31 alert; 14:35 acknowledged; 14:41 commander named;
14:55 decision to roll back; 15:07 rollback complete; 15:12 mitigated; 16:40 resolved."""


POSTMORTEM_RUBRIC = Rubric(
    id="08.postmortem-rubric",
    title="A blameless postmortem",
    criteria=[
        "Every number (impact window, time to detect, time to mitigate) comes from the event log, with its definition.",
        "The root causes are conditions of the system (no canary, a checklist gap), not a person's lapse.",
        "Each action item would have prevented or shortened *this* incident, and has one owner and a date.",
        "It says where we got lucky, so the next incident does not depend on the same luck.",
        "A newcomer could read it in five minutes and explain what happened and what is changing.",
    ],
    mid_level=("Summary: recs were slow for an hour because of a bad Redis config. Root cause: the memory limit was "
               "wrong. Action items: be more careful with config changes; add monitoring. Lessons: we fixed it "
               "quickly once we found it."),
    senior_level=POSTMORTEM_SAMPLE,
)


# -- the architecture review ------------------------------------------------------------------------
@dataclass(frozen=True)
class ChecklistItem:
    id: str
    question: str
    passes: Callable[[Mapping[str, Any]], bool]


def _dependencies_guarded(p: Mapping[str, Any]) -> bool:
    return all(d.get("timeout_ms") and d.get("fallback") for d in p.get("dependencies", []))


def _capacity(p: Mapping[str, Any]) -> bool:
    peak, tested = p.get("peak_rps"), p.get("load_tested_rps")
    return bool(peak and tested and tested >= 2 * peak)


def _alerts_on_symptoms(p: Mapping[str, Any]) -> bool:
    return all(a.get("on") == "symptom" for a in p.get("alerts", []) if a.get("pages"))


def _runbooks(p: Mapping[str, Any]) -> bool:
    return all(a.get("runbook") for a in p.get("alerts", []) if a.get("pages"))


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("owner", "Is there an owning team with an on-call rotation?",
                  lambda p: bool(p.get("owner_team") and p.get("on_call"))),
    ChecklistItem("slo", "Does the new path have an SLO, stated as an SLI and a target?", lambda p: bool(p.get("slo"))),
    ChecklistItem("dependencies", "Does every new dependency have a timeout and a fallback?", _dependencies_guarded),
    ChecklistItem("rollback", "Can it be turned off without a deploy (a flag or a config switch)?",
                  lambda p: bool(p.get("kill_switch"))),
    ChecklistItem("capacity", "Was it load-tested to at least twice the expected peak?", _capacity),
    ChecklistItem("alerts", "Do its paging alerts fire on symptoms users feel, not on causes?", _alerts_on_symptoms),
    ChecklistItem("runbooks", "Does every paging alert link a runbook?", _runbooks),
    ChecklistItem("rollout", "Does it roll out gradually (canary or percentage), with a stated abort signal?",
                  lambda p: bool(p.get("rollout", {}).get("gradual") and p.get("rollout", {}).get("abort_on"))),
)

PROPOSAL: dict[str, Any] = {
    "title": "Real-time inventory checks in recommendations",
    "owner_team": "recommendations",
    "on_call": "recs-primary (8 engineers)",
    "slo": "99% of recommendation responses under 200 ms over 30 days, unchanged",
    "dependencies": [
        {"name": "inventory-service /stock", "timeout_ms": 80, "fallback": "cached stock level from Redis"},
        {"name": "pricing-service /price", "timeout_ms": None, "fallback": None},
    ],
    "kill_switch": "flag recs.realtime_inventory (default off)",
    "peak_rps": 1200,
    "load_tested_rps": 1500,
    "alerts": [
        {"name": "RecsErrorBudgetBurnFast", "on": "symptom", "pages": True, "runbook": "runbooks/recs-burn.md"},
        {"name": "InventoryCallLatencyHigh", "on": "cause", "pages": True, "runbook": None},
        {"name": "InventoryFallbackRateHigh", "on": "cause", "pages": False, "runbook": None},
    ],
    "rollout": {"gradual": "1% → 10% → 50% → 100% over a week", "abort_on": "fast burn-rate alert or p99 > 200 ms"},
}

#: The lesson's worked example (the exercise reviews PROPOSAL).
EXAMPLE_PROPOSAL: dict[str, Any] = {
    "title": "Personalised ranking from a new feature-store endpoint",
    "owner_team": "recommendations",
    "on_call": None,
    "slo": None,
    "dependencies": [{"name": "feature-store /v2/features", "timeout_ms": 50, "fallback": "popularity ranking"}],
    "kill_switch": None,
    "peak_rps": 1200,
    "load_tested_rps": 3000,
    "alerts": [{"name": "RankingErrorRate", "on": "symptom", "pages": True, "runbook": "runbooks/ranking.md"}],
    "rollout": {"gradual": None, "abort_on": None},
}


def review(proposal: Mapping[str, Any], checklist: Sequence[ChecklistItem] = CHECKLIST) -> dict[str, bool]:
    """Apply the checklist: item id → whether the proposal passes it."""
    if not isinstance(proposal, Mapping):
        raise ValueError("a proposal is a dict of its fields, like lesson.PROPOSAL")
    return {item.id: bool(item.passes(proposal)) for item in checklist}


def review_gaps(proposal: Mapping[str, Any] = PROPOSAL) -> list[str]:
    """The checklist items the proposal fails, in checklist order."""
    return [item for item, ok in review(proposal).items() if not ok]


# -- tasks -------------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)


def _p() -> pd.DataFrame:
    return load("pages")


def _e() -> pd.DataFrame:
    return load("incident_events")


@lru_cache(maxsize=1)
def _counts() -> pd.Series:
    return pages_per_alert(_p())


def _actionable_ranking() -> list[str]:
    p = _p()
    ranked = p[p.actionable].groupby("alert").size().sort_values(ascending=False, kind="mergesort")
    return list(ranked.index[: len(noisy_alerts(p))])


TASKS.add(Task(
    id="08.noisy-alerts",
    title="The few alerts behind most pages",
    prompt="Which alerts, fewest possible, together account for at least half of all pages? A list of alert names, "
           "most pages first.",
    reference=lambda: noisy_alerts(_p()),
    compare=checks.same_items(ordered=True, what="alerts"),
    hints=[
        "If you sorted the alerts by how often they page, how far down the list do you go to reach half the pages?",
        "pages.alert.value_counts() sorts for you; a cumulative sum divided by the total tells you where half is.",
    ],
    misconceptions=[
        Misconception("ranked by actionable pages",
                      "Those are the alerts behind most *actionable* pages. The noise is in all pages: rank by every page.",
                      _actionable_ranking),
        Misconception("stopped one alert short of half",
                      "Those alerts account for less than half of the pages. Include the one that crosses the line.",
                      lambda: noisy_alerts(_p())[:-1]),
        Misconception("went one alert past half",
                      "Half was already reached one alert earlier. The task asks for the fewest alerts.",
                      lambda: list(_counts().index[: len(noisy_alerts(_p())) + 1])),
    ],
))

TASKS.add(Task(
    id="08.non-actionable",
    title="Pages that needed nothing",
    prompt="What percentage of the quarter's pages needed no action? A number between 0 and 100.",
    reference=lambda: non_actionable_pct(_p()),
    compare=checks.number(rel=1e-3, unit="percent"),
    hints=[
        "Which column says whether the on-call had to do something, and what share of pages is False there?",
        "(~pages.actionable).mean() is a fraction; multiply by 100.",
    ],
    misconceptions=[
        Misconception("gave the actionable share", "That is the share that *did* need action. The task asks about the rest.",
                      lambda: 100 - non_actionable_pct(_p())),
        Misconception("gave a fraction", "That is a fraction between 0 and 1. The task asks for a percentage.",
                      lambda: non_actionable_pct(_p()) / 100),
    ],
))

TASKS.add(Task(
    id="08.after-hours-noise",
    title="Woken for nothing",
    prompt=f"How many pages a week fired after hours *and* needed no action? The file covers {WEEKS_IN_QUARTER} "
           "weeks. A number of pages per week.",
    reference=lambda: after_hours_noise_per_week(_p()),
    compare=checks.number(rel=1e-3, unit="pages a week"),
    hints=[
        "Which two conditions must a page meet to wake someone for nothing, and how do you turn a quarter into a week?",
        "Count the rows with after_hours true and actionable false, then divide by the number of weeks.",
    ],
    misconceptions=[
        Misconception("counted every after-hours page",
                      "That counts every after-hours page, including the real ones. Which of them needed nothing?",
                      lambda: float(_p().after_hours.sum() / WEEKS_IN_QUARTER)),
        Misconception("gave pages a day", "That looks like a daily rate. The task asks per week.",
                      lambda: after_hours_noise_per_week(_p()) / 7),
        Misconception("gave the quarter's total", "That is the whole quarter. Per week?",
                      lambda: after_hours_noise_per_week(_p()) * WEEKS_IN_QUARTER),
    ],
))


def _per_day_over_limit() -> int:
    p = _p()
    part = p[p.incident_id.notna()]
    return int((part.groupby(part.fired_at.dt.floor("D")).incident_id.nunique() > MAX_INCIDENTS_PER_SHIFT).sum())


def _pages_over_limit() -> int:
    p = _p()
    part = p[p.incident_id.notna()]
    return int((part.groupby(shift_start(part.fired_at)).size() > MAX_INCIDENTS_PER_SHIFT).sum())


TASKS.add(Task(
    id="08.shifts-over-limit",
    title="Shifts over the SRE guidance",
    prompt=f"Shifts run {SHIFT_START_HOUR:02d}:00–20:00 and 20:00–{SHIFT_START_HOUR:02d}:00. The SRE book's guidance "
           f"is at most {MAX_INCIDENTS_PER_SHIFT} incidents per 12-hour shift. In how many shifts did the on-call "
           "handle more than that? A whole number.",
    reference=lambda: shifts_over_limit(_p()),
    compare=checks.integer(),
    hints=[
        "An incident can page three times. What do you count per shift: pages, or something else?",
        "Keep pages with an incident_id; shift = (fired_at − 8 h).dt.floor('12h'); count distinct incident_id per "
        "shift; count shifts above the limit.",
    ],
    misconceptions=[
        Misconception("counted pages, not incidents",
                      "That counts incident *pages*. One incident that pages three times is still one incident.",
                      _pages_over_limit),
        Misconception("used calendar days, not 12-hour shifts",
                      "That groups by calendar day. The guidance is per 12-hour shift, starting at 08:00 and 20:00.",
                      _per_day_over_limit),
        Misconception("counted shifts at the limit too",
                      "Two incidents is within the guidance. Count shifts with *more* than two.",
                      lambda: int((incidents_per_shift(_p()) >= MAX_INCIDENTS_PER_SHIFT).sum())),
    ],
))

TASKS.add(Task(
    id="08.projected-reduction",
    title="The proposal, as a number",
    prompt="Proposal: tune the three noisiest alerts so that their non-actionable pages stop (their actionable pages "
           "still fire). What percentage of all pages would that remove? A number between 0 and 100.",
    reference=lambda: projected_reduction_pct(_p(), 3, "tune"),
    compare=checks.number(rel=1e-3, unit="percent of pages"),
    hints=[
        "Which pages of those three alerts disappear when you tune them, and which must keep firing?",
        "Mark pages whose alert is in the top three by page count and that are not actionable; take their share of all pages.",
    ],
    misconceptions=[
        Misconception("deleted the alerts outright",
                      "That removes every page of the three alerts, including the ones that needed action. What would "
                      "the on-call miss?",
                      lambda: projected_reduction_pct(_p(), 3, "delete")),
        Misconception("gave a fraction", "That is a fraction. The task asks for a percentage.",
                      lambda: projected_reduction_pct(_p(), 3, "tune") / 100),
        Misconception("removed every non-actionable page",
                      "That tunes *every* alert. The proposal is about the top three.",
                      lambda: non_actionable_pct(_p())),
    ],
))

TASKS.add(Task(
    id="08.time-to-detect",
    title="Time to detect",
    prompt="From the incident_events log: minutes from the start of customer impact (`impact_start`) to the first "
           "alert (`alert`). A number, in minutes.",
    reference=lambda: time_to_detect(_e()),
    compare=checks.number(rel=1e-3, unit="minutes"),
    hints=[
        "When did users start to feel it, and when did a machine first tell a human?",
        "Take the time of the first row with kind == 'impact_start' and of the first with kind == 'alert'; subtract; convert to minutes.",
    ],
    misconceptions=[
        Misconception("measured from the change",
                      "That starts at the configuration change. Users did not feel anything until impact began.",
                      lambda: minutes_between(_e(), "change", "alert")),
        Misconception("measured to the acknowledgement",
                      "That runs until a human acknowledged. Detection is when the alert fired.",
                      lambda: minutes_between(_e(), "impact_start", "ack")),
    ],
))

TASKS.add(Task(
    id="08.time-to-mitigate",
    title="Time to mitigate",
    prompt="Minutes from the start of customer impact to mitigation (`mitigated`). A number, in minutes.",
    reference=lambda: time_to_mitigate(_e()),
    compare=checks.number(rel=1e-3, unit="minutes"),
    hints=[
        "When did users stop feeling it? Is that the same moment as 'resolved'?",
        "first time of kind == 'mitigated' minus first time of kind == 'impact_start', in minutes.",
    ],
    misconceptions=[
        Misconception("measured from detection", "That starts at the alert. Users had felt it since impact began.",
                      lambda: minutes_between(_e(), "alert", "mitigated")),
        Misconception("measured to resolution", "That runs until the incident was *resolved*. Impact ended at mitigation.",
                      lambda: minutes_between(_e(), "impact_start", "resolved")),
    ],
))

_ESSENTIALS = {
    "still says what changed (the configuration change)": _has(r"\b(?:config(?:uration)?|change|#?4411)\b"),
    "still says how it was mitigated (the rollback)": _has(r"\broll(?:ed)?\s*back|\brollback\b"),
}


def _rewrite_compare(answer: Any, expected: Any) -> checks.Verdict:
    if not isinstance(answer, str):
        return checks.not_yet(f"Expected your rewritten draft as a string; got {checks.describe(answer)}.")
    if not answer.strip():
        return checks.Verdict(checks.NOT_ATTEMPTED, "The text is empty.")
    findings = lint_blame(answer)
    if findings:
        first = findings[0]
        return checks.not_yet(f"The linter still finds {len(findings)} blameful phrase(s); the first is "
                              f"'{first.phrase}' on line {first.line}: {first.reason}")
    missing = [name for name, present in _ESSENTIALS.items() if not present(answer)]
    if missing:
        return checks.not_yet("Blameless, but it lost facts the postmortem needs: " + "; ".join(missing) + ".")
    return checks.OK


REWRITE_SAMPLE = """Summary: recommendations were slow for an hour after a Redis configuration change (#4411) lowered the memory limit.
Contributing causes: the limit came from a staging sizing document; the config pipeline has no canary for redis-cache;
the review checklist has no item for eviction-policy changes, so the review could not catch it.
Detection: the burn-rate alert fired 22 minutes after impact began; a latency spike was visible at 14:12, and there is no
agreed threshold for escalating a spike seen on a dashboard.
Resolution: the incident commander decided to roll back at 14:55 and the rollback finished at 15:07."""


def _names_removed_only(text: Any) -> bool:
    rules = {f.rule for f in lint_blame(text)}
    return bool(rules) and "name-as-cause" not in rules and "hindsight" in rules


TASKS.add(Task(
    id="08.blameless-rewrite",
    title="Make the draft blameless",
    prompt="Rewrite lesson.BLAMEFUL_DRAFT so that the blame linter finds nothing, while keeping the facts (the "
           "configuration change and the rollback). Text.",
    reference=lambda: "blameless",
    compare=_rewrite_compare,
    hints=[
        "For each finding, what condition of the system made the person's action possible or likely?",
        "Replace people with changes and roles ('config change #4411', 'the review'), hindsight with what was known "
        "then, and 'human error' with the missing check.",
    ],
    misconceptions=[
        Misconception("submitted the draft unchanged",
                      "That is the original draft. Run lesson.blame_report(draft) and rewrite each line it flags.",
                      lambda: BLAMEFUL_DRAFT, matches=lambda a: isinstance(a, str) and a.strip() == BLAMEFUL_DRAFT.strip()),
        Misconception("removed the names but kept the hindsight",
                      "The names are gone, but 'should have' still judges a decision by an outcome nobody knew. What "
                      "did people know at the time?",
                      lambda: "\n".join(line for line in BLAMEFUL_DRAFT.replace("Marco", "the engineer").replace(
                          "Priya", "the engineer").replace("Aiko", "the reviewer").splitlines()),
                      matches=_names_removed_only),
    ],
    sample_answer=lambda: REWRITE_SAMPLE,
))


def _no_owners(text: Any) -> bool:
    return (isinstance(text, str) and bool(text.strip()) and not _action_items_have_owners_and_dates(text)
            and all(present(text) for name, present in POSTMORTEM_PARTS.items() if "owner" not in name))


TASKS.add(Task(
    id="08.postmortem",
    title="Write the postmortem",
    prompt="Write a blameless postmortem of INC-0611 from the event log, with the template's sections: summary, "
           "impact, root causes, trigger, detection, resolution, action items (each with an owner and a YYYY-MM-DD "
           "date), lessons (what went well, what went wrong, where we got lucky), a timeline, and the time to detect "
           "and to mitigate in minutes. Text; only its structure is checked.",
    reference=lambda: "structure",
    compare=checks.structured_text(POSTMORTEM_PARTS, min_words=120),
    hints=[
        "Which sections would a reader who missed the incident need, and which numbers would they ask for first?",
        "Follow the template in the lesson; give each action item 'Owner: name. Due: 2024-07-01.'; run "
        "lesson.blame_report on your text before you check it.",
    ],
    misconceptions=[
        Misconception("action items without owners or dates",
                      "Every section is there, but no action item has an owner and a date. Who will do it, and by when?",
                      lambda: re.sub(r" Owner: \w+\. Due: \d{4}-\d{2}-\d{2}\.", "", POSTMORTEM_SAMPLE, flags=re.UNICODE),
                      matches=_no_owners),
    ],
    sample_answer=lambda: POSTMORTEM_SAMPLE,
))

TASKS.add(Task(
    id="08.review-gaps",
    title="Review the proposal",
    prompt="Apply the architecture-review checklist (lesson.CHECKLIST) to lesson.PROPOSAL. Which items does it "
           "fail? A list of item ids.",
    reference=lambda: review_gaps(PROPOSAL),
    compare=checks.same_items(what="checklist items"),
    hints=[
        "For each question in the checklist, which field of the proposal answers it, and does it?",
        "Read each dependency's timeout and fallback, the load test against twice the peak, and every *paging* alert.",
    ],
    misconceptions=[
        Misconception("listed the items it passes",
                      "Those are the items the proposal *passes*. The review is about what it fails.",
                      lambda: [i for i, ok in review(PROPOSAL).items() if ok]),
        Misconception("compared the load test with the peak, not twice the peak",
                      "The load test (1,500 rps) is above the peak (1,200), but the checklist asks for twice the peak. "
                      "Is 1,500 at least 2,400?",
                      lambda: [i for i in review_gaps(PROPOSAL) if i != "capacity"]),
    ],
))

TASKS.add(Task(
    id="08.tune-until-actionable",
    title="How many alerts to tune?",
    prompt="Tune the noisiest alerts one at a time (their non-actionable pages stop). What is the fewest alerts to "
           "tune so that at least half of the remaining pages are actionable? A whole number.",
    reference=lambda: smallest_top_for_actionable_majority(_p()),
    compare=checks.integer(),
    hints=[
        "After tuning k alerts, which pages are left, and what share of them needs action?",
        "Loop k from 0 upwards: drop non-actionable pages of the top-k alerts; stop at the first k where the "
        "actionable share of the rest is at least 0.5.",
    ],
    misconceptions=[
        Misconception("stopped one alert early",
                      "With one fewer alert tuned, fewer than half the remaining pages are actionable. Check your stopping rule.",
                      lambda: smallest_top_for_actionable_majority(_p()) - 1),
        Misconception("went one alert past",
                      "Half of the remaining pages were already actionable one alert earlier. The task asks for the fewest.",
                      lambda: smallest_top_for_actionable_majority(_p()) + 1),
    ],
    stretch=True,
))

