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
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from steward import checks, plotting
from steward.datagen import load
from steward.datasets.failure_modes import CHANNELS
from steward.tasks import Misconception, Rubric, Task, TaskSet
from steward.widgets import App, FigureView, w

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MODULE = "01"

SCORES = ("severity", "occurrence", "detection")
LENS_COLUMNS = ("channel", "per_year", "detect_minutes", "crew", "needs_expert", "repair_minutes")

#: People watching dashboards, chat and the site in business hours. Fewer watchers make a
#: failure that only a human notices proportionally slower to notice.
DAY_WATCHERS = 6.0


# -- the worksheet --------------------------------------------------------------------
def worksheet(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The FMEA worksheet indexed by ``mode_id``, checked: every score a whole number in
    1–10. Accepts the raw data (``mode_id`` as a column) or an already indexed table."""
    if table is None:
        table = load("failure_modes")
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"expected the failure-mode table as a DataFrame; got {type(table).__name__}")
    if table.empty:
        raise ValueError("the failure-mode table is empty: there is nothing to score")
    frame = table.set_index("mode_id") if "mode_id" in table.columns else table.copy()
    missing = [c for c in SCORES if c not in frame.columns]
    if missing:
        raise ValueError(f"the table needs the columns {list(SCORES)}; it lacks {missing}")
    for column in SCORES:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        values = frame[column] if numeric else pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any():
            raise ValueError(f"every {column} score must be a number; {values.isna().sum()} are missing or not numbers")
        if ((values < 1) | (values > 10)).any():
            raise ValueError(f"{column} scores run from 1 to 10; got {values.min():g}…{values.max():g}")
        if not numeric:  # assigning costs time, and a lens in a loop runs this often
            frame[column] = values
    return frame


def rpn(table: pd.DataFrame | None = None) -> pd.Series:
    """Risk priority number per failure mode: severity × occurrence × detection.

    Each factor is an ordinal 1–10 score where 10 is worst (for detection: 10 means we
    would not notice), so the product runs from 1 to 1,000. The product is a convention,
    not a measurement: a 9 × 2 × 2 and a 4 × 3 × 3 come out alike."""
    frame = worksheet(table)
    return (frame.severity * frame.occurrence * frame.detection).rename("rpn")


def ranked(table: pd.DataFrame | None = None, by: str = "rpn") -> pd.DataFrame:
    """The worksheet with its RPN and rank (1 = highest risk), highest first.

    Ties break on severity (a worse effect first), then on mode_id, so the order is
    stable and a reader can reproduce it."""
    frame = worksheet(table)
    frame["rpn"] = rpn(frame)
    if by not in frame.columns:
        raise ValueError(f"cannot rank by {by!r}; choose a column such as 'rpn' or 'severity'")
    order = frame.reset_index().sort_values([by, "severity", "mode_id"], ascending=[False, False, True], kind="mergesort")
    order["rank"] = np.arange(1, len(order) + 1)
    return order.set_index("mode_id")


def top_modes(table: pd.DataFrame | None = None, n: int = 5, by: str = "rpn") -> list[str]:
    """The ``n`` highest-risk mode_ids, highest first."""
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n is how many modes to list, a whole number ≥ 1; got {n!r}")
    return list(ranked(table, by=by).index[:n])


# -- the risk matrix ------------------------------------------------------------------
def risk_zone(severity: float, occurrence: float) -> str:
    """The colour band of a classic risk matrix: it looks at impact × likelihood only."""
    product = severity * occurrence
    return "high" if product >= 40 else "medium" if product >= 20 else "low"


def _spread(frame: pd.DataFrame) -> pd.DataFrame:
    """Small fixed offsets so modes with identical scores do not hide behind each other."""
    offsets = frame.groupby(["occurrence", "severity"]).cumcount()
    counts = frame.groupby(["occurrence", "severity"]).occurrence.transform("size")
    shift = (offsets - (counts - 1) / 2) * 0.22
    return frame.assign(x=frame.occurrence + shift, y=frame.severity - shift * 0.35)


def risk_matrix_title(table: pd.DataFrame, top: int = 5) -> str:
    """The point of the matrix: how many of the top RPN risks it would not flag."""
    order = ranked(table)
    leaders = order.head(top)
    outside = sum(risk_zone(s, o) != "high" for s, o in zip(leaders.severity, leaders.occurrence, strict=True))
    if outside == 0:
        return f"All {top} top RPN risks sit in the matrix's high zone"
    return f"{outside} of the top {top} RPN risks sit outside the matrix's high zone"


def risk_matrix(table: pd.DataFrame | None = None, ax: Axes | None = None, top: int = 5) -> Axes:
    """Likelihood (occurrence) × impact (severity), one marker per failure mode, shaped by
    how it is detected; the ``top`` modes by RPN are labelled with their rank and name."""
    frame = ranked(table)
    if "channel" not in frame.columns:
        frame["channel"] = "page"
    if ax is None:
        fig, ax = plotting.new_figure(8.2, 5.6)
    level = {"low": 0, "medium": 1, "high": 2}
    zones = np.array([[level[risk_zone(s, o)] for o in range(1, 11)] for s in range(1, 11)])
    from matplotlib.colors import ListedColormap

    ax.imshow(zones, origin="lower", extent=(0.5, 10.5, 0.5, 10.5), aspect="auto", alpha=0.18,
              cmap=ListedColormap(["#FFFFFF", plotting.PALETTE["yellow"], plotting.PALETTE["vermillion"]]), vmin=0, vmax=2)
    spread = _spread(frame)
    markers = {"page": ("o", plotting.PALETTE["blue"]), "ticket": ("s", plotting.PALETTE["orange"]),
               "human": ("^", plotting.PALETTE["vermillion"])}
    for channel, (marker, colour) in markers.items():
        part = spread[spread.channel == channel]
        if not part.empty:
            ax.scatter(part.x, part.y, marker=marker, s=70, color=colour, edgecolor="black", linewidth=0.6,
                       label=f"detected by {channel}", zorder=3)
    for mode_id, row in spread.head(top).iterrows():
        name = str(row.get("failure_mode", mode_id))
        ax.annotate(f"#{int(row['rank'])} {name}", (row.x, row.y), xytext=(6, 5), textcoords="offset points",
                    fontsize=8, zorder=4, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    ax.set_xlim(0.5, 10.5)
    ax.set_ylim(0.5, 10.5)
    ax.set_xticks(range(1, 11))
    ax.set_yticks(range(1, 11))
    ax.legend(loc="lower left", fontsize=8)
    plotting.finish(ax, risk_matrix_title(frame, top), "likelihood: occurrence score (1–10)", "impact: severity score (1–10)")
    return ax


# -- the 3 AM lens ----------------------------------------------------------------------
@dataclass(frozen=True)
class Conditions:
    """When a failure strikes and who is there to answer it.

    watchers: people looking at dashboards, chat and the site (business hours: 6).
    hours_until_staffed: hours until business hours resume (0 during them).
    expert_minutes: to reach a specialist who is not on call.
    call_in_minutes: to wake and bring in each extra person beyond the responders.
    responders: people on hand who can work the incident.
    ack_minutes: for the on-call to acknowledge a page and start.
    """

    name: str
    watchers: float
    hours_until_staffed: float
    expert_minutes: float
    call_in_minutes: float
    responders: int = 4
    ack_minutes: float = 5.0

    def __post_init__(self) -> None:
        numbers = {"watchers": self.watchers, "hours_until_staffed": self.hours_until_staffed,
                   "expert_minutes": self.expert_minutes, "call_in_minutes": self.call_in_minutes,
                   "ack_minutes": self.ack_minutes}
        for field_name, value in numbers.items():
            if not isinstance(value, int | float | np.integer | np.floating) or not value >= 0 or math.isinf(value):
                raise ValueError(f"{field_name} must be a finite number ≥ 0; got {value!r}")
        if not isinstance(self.responders, int | np.integer) or self.responders < 1:
            raise ValueError(f"responders is a whole number of people ≥ 1; got {self.responders!r}")


#: The hours the lens offers, from best to worst covered. Weekday business hours, an
#: evening, a weekend night (Saturday 3 AM: 54 h until Monday 9 AM) and the night of a
#: holiday weekend (Monday off: 78 h until Tuesday 9 AM). Scenario parameters of the
#: running case, not measurements.
TIMES: dict[str, Conditions] = {
    "Tuesday 2 PM (business hours)": Conditions("Tuesday 2 PM (business hours)", DAY_WATCHERS, 0, 10, 5),
    "Tuesday 9 PM (evening)": Conditions("Tuesday 9 PM (evening)", 1, 12, 45, 20),
    "Saturday 3 AM (weekend night)": Conditions("Saturday 3 AM (weekend night)", 0, 54, 90, 30),
    "3 AM, holiday weekend": Conditions("3 AM, holiday weekend", 0, 78, 180, 60),
}
BUSINESS_HOURS = "Tuesday 2 PM (business hours)"
HOLIDAY_NIGHT = "3 AM, holiday weekend"


def conditions(when: str = BUSINESS_HOURS, responders: int = 4, ack_minutes: float = 5.0) -> Conditions:
    """The conditions at one of :data:`TIMES`, with the staffing you choose."""
    if when not in TIMES:
        raise ValueError(f"unknown time {when!r}; choose one of: {', '.join(TIMES)}")
    return replace(TIMES[when], responders=int(responders), ack_minutes=float(ack_minutes))


#: The worksheet's baseline: business hours, a team of four, a page acknowledged in 5 min
#: (the SRE book's response target for user-facing services, ch. 11).
DAY = conditions(BUSINESS_HOURS, responders=4, ack_minutes=5)
#: The exercise's night: 3 AM on a holiday weekend, one on-call engineer who takes 15 min
#: to acknowledge (woken up, away from a laptop). A scenario assumption; the widget lets
#: you move it.
NIGHT = conditions(HOLIDAY_NIGHT, responders=1, ack_minutes=15)


def _lens_inputs(table: pd.DataFrame) -> pd.DataFrame:
    """The worksheet with the lens's columns checked and typed (validated once, so the
    arithmetic below stays fast enough for a widget)."""
    frame = worksheet(table)
    missing = [c for c in LENS_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the 3 AM lens needs the columns {list(LENS_COLUMNS)}; it lacks {missing}")
    unknown = sorted(set(map(str, frame.channel)) - set(CHANNELS))
    if unknown:
        raise ValueError(f"channel must be one of {list(CHANNELS)}; got {unknown}")
    for column in ("per_year", "detect_minutes", "crew", "repair_minutes"):
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        values = frame[column] if numeric else pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any() or (values < 0).any() or np.isinf(values).any():
            raise ValueError(f"{column} must be finite numbers ≥ 0; some are missing, negative or not numbers")
        if values.dtype != np.float64:
            frame[column] = values.astype(float)
    if (frame.detect_minutes <= 0).any():
        raise ValueError("detect_minutes must be above 0: even a page takes a moment to fire")
    if "failure_mode" not in frame.columns:
        frame["failure_mode"] = frame.index.astype(str)
    if frame.needs_expert.dtype != bool:
        frame["needs_expert"] = frame.needs_expert.astype(bool)
    return frame


def _detect(frame: pd.DataFrame, when: Conditions) -> np.ndarray:
    day = frame.detect_minutes.to_numpy()
    channel = frame.channel.to_numpy()
    until_staffed = day + 60.0 * when.hours_until_staffed
    if when.watchers > 0:
        human = np.minimum(day * DAY_WATCHERS / when.watchers, until_staffed)
    else:  # nobody is looking: it is found when people are back at work
        human = until_staffed
    return np.where(channel == "page", day, np.where(channel == "ticket", until_staffed, human))


def _respond(frame: pd.DataFrame, when: Conditions) -> np.ndarray:
    missing_people = np.maximum(0.0, frame.crew.to_numpy() - when.responders)
    expert = np.where(frame.needs_expert.to_numpy(), when.expert_minutes, 0.0)
    return when.ack_minutes + expert + when.call_in_minutes * missing_people


def detect_minutes(table: pd.DataFrame, when: Conditions) -> pd.Series:
    """Minutes from the failure until someone knows, under ``when`` (see the module doc)."""
    frame = _lens_inputs(table)
    return pd.Series(_detect(frame, when), index=frame.index, name="detect_min")


def respond_minutes(table: pd.DataFrame, when: Conditions) -> pd.Series:
    """Minutes from knowing until the crew is working on it: acknowledge, reach a
    specialist if the repair needs one, call in anyone missing from the crew."""
    frame = _lens_inputs(table)
    return pd.Series(_respond(frame, when), index=frame.index, name="respond_min")


def lens_detection(table: pd.DataFrame, when: Conditions) -> pd.Series:
    """FMEA's detection score under ``when``: the business-hours score plus one point per
    doubling of the time to *notice* (detect) against business hours (:data:`DAY`), within 1–10.
    Only detection moves it; a slow response moves :func:`lens_engage_score`."""
    frame = _lens_inputs(table)
    return pd.Series(_points(frame, _detect(frame, when), _detect(frame, DAY)), index=frame.index, name="detection")


def lens_engage_score(table: pd.DataFrame, when: Conditions) -> pd.Series:
    """The lens's engage score E under ``when``: the business-hours detection score plus one point
    per doubling of detect + respond (until someone is working on it), within 1–10."""
    frame = _lens_inputs(table)
    return pd.Series(_points(frame, _detect(frame, when) + _respond(frame, when), _detect(frame, DAY) + _respond(frame, DAY)),
                     index=frame.index, name="engage_score")


def _points(frame: pd.DataFrame, minutes: np.ndarray, day_minutes: np.ndarray) -> np.ndarray:
    """The daytime detection score plus one point per doubling of ``minutes`` against the day's, within 1–10."""
    return np.clip(frame.detection.to_numpy() + np.log2(minutes / day_minutes), 1, 10).round(2)


def lens(table: pd.DataFrame | None = None, when: Conditions = NIGHT, baseline: Conditions = DAY) -> pd.DataFrame:
    """The FMEA re-scored for the conditions ``when``, highest risk first.

    Columns: the time model (detect, respond, repair, engage = detect + respond), the
    expected minutes of impact per year, FMEA's detection score under the lens (time to notice),
    the engage score E (time until someone is working on it; both anchored to business hours,
    :data:`DAY`), the lens's RPN = S × O × E and rank, and the rank under ``baseline``."""
    return _lens(_lens_inputs(load("failure_modes") if table is None else table), when, baseline)


def _lens(frame: pd.DataFrame, when: Conditions, baseline: Conditions = DAY) -> pd.DataFrame:
    out = _score(frame, when)
    if baseline == when:
        out["rank_day"] = out["rank"].to_numpy()
    else:
        base_order = _order(frame, baseline)[0]
        base_rank = pd.Series(np.arange(1, len(base_order) + 1), index=frame.index.to_numpy()[base_order])
        out["rank_day"] = base_rank.reindex(out.index).to_numpy()
    out["moved"] = out["rank_day"] - out["rank"]
    return out


def _order(frame: pd.DataFrame, when: Conditions) -> tuple[np.ndarray, np.ndarray]:
    """The lens's order (highest risk first; ties on severity, then mode_id) and its RPNs, unsorted."""
    engage = _detect(frame, when) + _respond(frame, when)
    engage_score = _points(frame, engage, _detect(frame, DAY) + _respond(frame, DAY))
    severity = frame.severity.to_numpy()
    rpn_lens = (severity * frame.occurrence.to_numpy() * engage_score).round(1)
    return np.lexsort((frame.index.to_numpy().astype(str), -severity, -rpn_lens)), rpn_lens


def top_risk(table: pd.DataFrame | None = None, when: Conditions = NIGHT) -> str:
    """The mode_id that tops the lens under ``when``: the same as ``lens(table, when).index[0]``,
    computed without building the table (fast enough to call in a loop over changed copies)."""
    frame = _lens_inputs(load("failure_modes") if table is None else table)
    return str(frame.index[_order(frame, when)[0][0]])


def _score(frame: pd.DataFrame, when: Conditions) -> pd.DataFrame:
    detect = _detect(frame, when)
    respond = _respond(frame, when)
    engage = detect + respond
    detection = _points(frame, detect, _detect(frame, DAY))
    engage_score = _points(frame, engage, _detect(frame, DAY) + _respond(frame, DAY))
    severity, occurrence = frame.severity.to_numpy(), frame.occurrence.to_numpy()
    repair = frame.repair_minutes.to_numpy()
    rpn_lens = (severity * occurrence * engage_score).round(1)
    order = np.lexsort((frame.index.to_numpy().astype(str), -severity, -rpn_lens))
    out = pd.DataFrame({
        "failure_mode": frame.failure_mode.to_numpy()[order],
        "channel": frame.channel.to_numpy()[order],
        "severity": severity[order],
        "occurrence": occurrence[order],
        "detection_day": frame.detection.to_numpy()[order],
        "detect_min": detect[order],
        "respond_min": respond[order],
        "repair_min": repair[order],
        "engage_min": engage[order],
        "impact_min_per_year": (frame.per_year.to_numpy() * (engage + repair))[order],
        "detection": detection[order],
        "engage_score": engage_score[order],
        "rpn": rpn_lens[order],
        "rank": np.arange(1, len(order) + 1),
    }, index=pd.Index(frame.index.to_numpy()[order], name="mode_id"))
    return out


def impact_ratio(table: pd.DataFrame | None = None, when: Conditions = NIGHT, baseline: Conditions = DAY) -> float:
    """How many times the expected minutes of impact per year grow under ``when``."""
    frame = _lens_inputs(load("failure_modes") if table is None else table)
    night = _score(frame, when).impact_min_per_year.sum()
    day = _score(frame, baseline).impact_min_per_year.sum()
    return float(night / day)


def paging_saving(table: pd.DataFrame | None = None, when: Conditions = NIGHT) -> pd.Series:
    """Expected impact minutes per year saved under ``when`` if a mode's detection were
    turned into a page (it would then take its business-hours detect time). Zero for
    modes that page already. The cheapest detection work is where this is largest."""
    frame = _lens_inputs(load("failure_modes") if table is None else table)
    saving = frame.per_year * (_detect(frame, when) - frame.detect_minutes)
    return saving.rename("minutes_saved_per_year").sort_values(ascending=False, kind="mergesort")


# -- how fragile is the ranking? ---------------------------------------------------------------
def single_score_changes(table: pd.DataFrame | None = None, when: Conditions = NIGHT, step: int = 1) -> pd.DataFrame:
    """Every change of one score (severity, occurrence or the daytime detection) of one mode by
    ``step`` points up or down, kept within 1–10, and the top risk under ``when`` after it.

    The scores are ordinal judgments from a design review; a ranking that one point can reorder
    is a tie in all but name. Columns: mode_id, score, change (+step or −step), new score, the
    new top risk and whether it ``flips`` (differs from the top risk without the change)."""
    if not isinstance(step, int | np.integer) or step < 1:
        raise ValueError(f"step is a whole number of points ≥ 1; got {step!r}")
    frame = _lens_inputs(load("failure_modes") if table is None else table)
    top = frame.index[_order(frame, when)[0][0]]
    rows = []
    for mode in frame.index:
        for score in SCORES:
            for change in (-int(step), int(step)):
                new = float(frame.at[mode, score]) + change
                if not 1 <= new <= 10:
                    continue
                changed = frame.copy()
                changed[score] = changed[score].astype(float)
                changed.at[mode, score] = new
                new_top = changed.index[_order(changed, when)[0][0]]
                rows.append({"mode_id": mode, "score": score, "change": change, "new_score": new,
                             "new_top": new_top, "flips": new_top != top})
    return pd.DataFrame(rows, columns=["mode_id", "score", "change", "new_score", "new_top", "flips"])


def flips_of_the_top(table: pd.DataFrame | None = None, when: Conditions = NIGHT, step: int = 1) -> pd.DataFrame:
    """Only the one-score changes of :func:`single_score_changes` that change the top risk."""
    changes = single_score_changes(table, when, step)
    return changes[changes.flips].reset_index(drop=True)


def top_gap(table: pd.DataFrame | None = None, when: Conditions = NIGHT) -> dict:
    """The top two under ``when``: their ids, RPNs, the gap as a share of the top RPN, and how many
    points of the top mode's engage score E (or of its daytime detection score, which moves E one
    for one while E is within 1–10) the gap is worth: gap ÷ (S × O)."""
    result = lens(table, when)
    first, second = result.iloc[0], result.iloc[1]
    gap = float(first.rpn - second.rpn)
    return {"top": result.index[0], "runner_up": result.index[1], "top_rpn": float(first.rpn),
            "runner_up_rpn": float(second.rpn), "gap_share": gap / float(first.rpn),
            "gap_in_points": gap / float(first.severity * first.occurrence)}


#: Short names of :data:`TIMES` for titles.
SHORT = {BUSINESS_HOURS: "Tuesday 2 PM", "Tuesday 9 PM (evening)": "Tuesday 9 PM",
         "Saturday 3 AM (weekend night)": "Saturday 3 AM", HOLIDAY_NIGHT: "Holiday 3 AM"}


def lens_title(result: pd.DataFrame, when: Conditions) -> str:
    """The widget's point: the top risk under these conditions and how far the order moved."""
    if result.empty:
        return "No failure modes to rank"
    top = result.index[0]
    row = result.iloc[0]
    moved = int((result.moved.abs() >= 3).sum())
    people = f"{when.responders} responder{'s' if when.responders != 1 else ''}"
    where = f"#{int(row.rank_day)} by day" if int(row.rank_day) != 1 else "also #1 by day"
    return f"{SHORT.get(when.name, when.name)}, {people}: {top} tops ({where}); {moved} modes moved 3+ places"


class ThreeAMLens(App):
    """Pick the hour and the staffing; the FMEA re-scores itself.

    One row per failure mode, in business-hours order (drawn once). Left: bars are the RPN
    under the lens, black ticks the business-hours RPN. Right: each mode's rank, a hollow
    circle by day and a filled dot under the lens, joined by a line, so a long line is a
    mode that moved. Only the bars and three line artists are redrawn on a change (no
    text: the title is the caption above the chart), which keeps a change inside the
    50 ms budget."""

    title = "The 3 AM lens: the same failures, at a different hour"
    COLOURS = {"page": plotting.PALETTE["blue"], "ticket": plotting.PALETTE["orange"], "human": plotting.PALETTE["vermillion"]}

    def __init__(self, table: pd.DataFrame | None = None) -> None:
        self.table = _lens_inputs(load("failure_modes") if table is None else table)
        self.day = _score(self.table, DAY)
        rows = list(self.day.index)
        n = len(rows)
        self._row = {mode: i for i, mode in enumerate(rows)}
        self.figure = FigureView(width=8.6, height=5.2, axes=2,
                                 margins={"left": 0.43, "right": 0.97, "top": 0.92, "bottom": 0.1, "wspace": 0.08})
        ax, rank_ax = self.figure.axes
        ax.set_position((0.43, 0.1, 0.37, 0.82))
        rank_ax.set_position((0.82, 0.1, 0.16, 0.82))
        worst = _score(self.table, conditions(HOLIDAY_NIGHT, responders=1, ack_minutes=60)).rpn.max()
        ax.set_xlim(0, max(worst, self.day.rpn.max()) * 1.05)
        for a in (ax, rank_ax):
            a.set_ylim(n - 0.5, -0.5)
            a.grid(axis="y", visible=False)
        ax.set_yticks(range(n))
        ax.set_yticklabels([f"{m} {self.day.at[m, 'failure_mode']} · {self.day.at[m, 'channel']}" for m in rows], fontsize=7.5)
        (self._day_ticks,) = ax.plot(self.day.rpn.to_numpy(), range(n), marker="|", markersize=10, mew=2.2,
                                     color="black", linestyle="none", label="business-hours RPN", zorder=4)
        for channel, colour in self.COLOURS.items():
            ax.barh([0], [0], color=colour, label=f"lens RPN ({channel})")
        self.figure.fig.legend(loc="upper left", bbox_to_anchor=(0.0, 1.0), ncol=4, fontsize=7.5, frameon=False)
        plotting.finish(ax, "…", "RPN under the lens (S × O × E)", "failure mode, in business-hours order")
        rank_ax.set_xlim(0, n + 1)
        rank_ax.set_yticks([])
        rank_ax.spines["left"].set_visible(False)
        rank_ax.set_xticks([1, 5, 10, 15, 20])
        rank_ax.set_xlabel("rank (1 = top risk)")
        rank_ax.plot(np.arange(1, n + 1), range(n), marker="o", markersize=5, mfc="white", mec="black", linestyle="none")
        self._bars = plotting.mcollections.LineCollection([], linewidths=9, capstyle="butt", zorder=3)
        ax.add_collection(self._bars)
        self._moves = plotting.mcollections.LineCollection([], colors="black", linewidths=1.2, zorder=3)
        rank_ax.add_collection(self._moves)
        (self._lens_rank,) = rank_ax.plot([], [], marker="o", markersize=5, color=plotting.PALETTE["blue"], linestyle="none", zorder=4)
        (self._top3,) = rank_ax.plot([], [], marker="*", markersize=11, color=plotting.PALETTE["vermillion"],
                                     mec="black", mew=0.5, linestyle="none", zorder=5)
        self.figure.title_as_caption(ax)
        self.figure.animate(self._bars, self._day_ticks, self._moves, self._lens_rank, self._top3)
        self.summary = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "when": w.Dropdown(options=list(TIMES), value=BUSINESS_HOURS, description="When",
                               style={"description_width": "initial"}),
            "responders": w.IntSlider(value=DAY.responders, min=1, max=6, description="Responders on hand",
                                      continuous_update=False, style={"description_width": "initial"}),
            "ack_minutes": w.IntSlider(value=int(DAY.ack_minutes), min=1, max=60, description="Minutes to acknowledge a page",
                                       continuous_update=False, style={"description_width": "initial"},
                                       layout=w.Layout(width="420px")),
        }

    def layout(self) -> w.Widget:
        return w.VBox([w.HBox([self.inputs["when"], self.inputs["responders"]]), self.inputs["ack_minutes"],
                       self.figure.widget, self.summary])

    def compute(self, when: str, responders: int, ack_minutes: float) -> dict:
        chosen = conditions(when, responders, ack_minutes)
        result = _score(self.table, chosen)
        result["rank_day"] = self.day["rank"].reindex(result.index).to_numpy()
        result["moved"] = result["rank_day"] - result["rank"]
        day_minutes = self.day.impact_min_per_year.sum()
        return {
            "conditions": chosen,
            "table": result,
            "top": result.index[0],
            "top3": list(result.index[:3]),
            "top_day": self.day.index[0],
            "impact_ratio": float(result.impact_min_per_year.sum() / day_minutes),
            "moved": int((result.moved.abs() >= 3).sum()),
            "title": lens_title(result, chosen),
        }

    def draw(self, state: dict) -> None:
        result: pd.DataFrame = state["table"]
        rows = np.array([self._row[m] for m in result.index])
        ranks = result["rank"].to_numpy()
        self._bars.set_segments([((0, y), (x, y)) for x, y in zip(result.rpn.to_numpy(), rows, strict=True)])
        self._bars.set_color([self.COLOURS.get(c, plotting.NEUTRAL) for c in result.channel.to_numpy()])
        day_ranks = result.rank_day.to_numpy()
        self._moves.set_segments([((d, y), (r, y)) for d, r, y in zip(day_ranks, ranks, rows, strict=True)])
        self._lens_rank.set_data(ranks, rows)
        self._top3.set_data(ranks[:3], rows[:3])
        self.figure.ax.set_title(state["title"], fontsize=9, loc="left")
        # the bars are line segments, which the generic description cannot read: name the order
        top = result.head(5)
        self.figure.alt_details = lambda: "Top five under the lens: " + "; ".join(
            f"{mode} {row.failure_mode} (RPN {row.rpn:,.0f}, rank by day {row.rank_day:.0f})"
            for mode, row in top.iterrows()) + "."
        self.figure.render()
        top = result.iloc[0]
        self.summary.value = (
            f"<small>Top risk: <b>{html.escape(str(result.index[0]))} {html.escape(str(top.failure_mode))}</b> "
            f"(detect {top.detect_min:,.0f} min + respond {top.respond_min:,.0f} min + repair {top.repair_min:,.0f} min; "
            f"detection D {top.detection:.1f}, engage score E {top.engage_score:.1f}). "
            f"Expected minutes of impact per year: <b>{state['impact_ratio']:.1f}×</b> business hours. "
            "Right panel: ○ rank by day, ● rank under the lens, ★ the lens's top three.</small>")


#: Every widget of the lesson, by name: the benchmark and the robustness tests drive each
#: control of each through its whole range.
APPS = {"three-am-lens": ThreeAMLens}


# -- the pre-mortem and the mitigation plan: structure a machine can check -------------------
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\S", re.MULTILINE)
_COMPONENT_WORDS = {
    "redis": ("redis", "cache"),
    "inventory-service": ("inventory",),
    "recommendation-engine": ("deploy", "engine", "model", "ranking", "pod", "recommendation"),
    "network": ("network", "dns", "zone", "partition", "load balancer"),
    "observability": ("alert", "monitor", "dashboard", "pager", "observability", "paging"),
    "data-pipeline": ("consumer", "kafka", "queue", "stream", "invalidation", "event"),
    "database": ("database", "postgres", "mysql", "sql"),
    "security": ("certificate", "tls", "credential", "secret", "token"),
}
#: Words and times that place a cause outside business hours. A careful writer says "Sunday",
#: "overnight", "4 a.m." or "out of hours" as often as "3 AM"; all of them count.
_OFF_HOURS = ("3 am", "3am", "night", "weekend", "holiday", "on-call", "on call", "oncall", "off-hours", "off hours",
              "after hours", "after-hours", "out of hours", "out-of-hours", "saturday", "sunday", "midnight",
              "christmas", "new year", "bank holiday", "public holiday", "evening", "dawn")
_EARLY_HOURS = re.compile(r"\b(?:0?[0-5])(?:[:.][0-5]\d)?\s*a\.?\s?m\b|\b0[0-5][:.][0-5]\d\b", re.IGNORECASE)
_SIGNAL = ("signal", "we would see", "we'd see", "we would have seen", "early warning", "warning sign", "leading indicator",
           "indicator", "symptom")
_ACTION = ("action", "now we will", "we will", "we'll", "this week", "before launch", "before we launch", "next step", "owner:")
_HEADLINE = re.compile(r"^\s*(?:#+\s*\S|\**\s*(?:headline|summary|title)\s*\**\s*[:\-–—])", re.IGNORECASE | re.MULTILINE)


def _lower(text: str) -> str:
    return " ".join(text.lower().split())


def _off_hours(text: str) -> bool:
    return any(word in _lower(text) for word in _OFF_HOURS) or _EARLY_HOURS.search(text) is not None


def premortem_parts() -> dict:
    """What the pre-mortem's structure check looks for (the judgment is yours, with the rubric).

    Lenient on form, strict on substance: "Headline:", "Summary:" or a Markdown heading all open
    it; any of several phrasings marks a signal or an action; "Sunday" or "4 a.m." is off-hours."""
    return {
        "a 'Headline:' line saying how the launch failed, as customers or the business saw it":
            lambda t: _HEADLINE.search(t) is not None,
        "at least three causes, each on its own line starting with '-' or '1.'":
            lambda t: len(_ITEM.findall(t)) >= 3,
        "causes in at least two different parts of the system (e.g. Redis and the inventory service)":
            lambda t: sum(any(word in _lower(t) for word in words) for words in _COMPONENT_WORDS.values()) >= 2,
        "a cause that only bites at night, on a weekend or on a holiday":
            _off_hours,
        "an early warning sign for the causes ('Signal:' or 'we would see')":
            lambda t: any(word in _lower(t) for word in _SIGNAL),
        "what you will do now ('Action:' or 'Now we will')":
            lambda t: any(word in _lower(t) for word in _ACTION),
    }


def _names_mode(text: str, mode: str) -> bool:
    """'FM11', 'fm11', 'FM 11' and 'FM-11' all name FM11."""
    match = re.fullmatch(r"([A-Za-z]+)0*(\d+)", mode)
    if not match:
        return mode.lower() in text.lower()
    prefix, number = match.groups()
    return re.search(rf"\b{prefix}[\s\-]?0*{number}\b", text, re.IGNORECASE) is not None


def mitigation_parts(modes: list[str]) -> dict:
    """Structure of a mitigation plan for ``modes`` (mode_ids): each named, each with a
    mitigation and a detection signal. 'Mitigation:', '**Mitigation**:' and 'mitigation -' all count."""
    parts = {f"the failure mode {m} by its id": (lambda t, m=m: _names_mode(t, m)) for m in modes}
    parts[f"a 'Mitigation:' for each of the {len(modes)} modes"] = (
        lambda t: len(re.findall(r"\bmitigations?\b", t, re.IGNORECASE)) >= len(modes))
    parts[f"a 'Signal:' (how you would detect it) for each of the {len(modes)} modes"] = (
        lambda t: len(re.findall(r"\bsignals?\b", t, re.IGNORECASE)) >= len(modes))
    return parts


PREMORTEM_SAMPLE = """Headline: three months after launch, real-time inventory checks were switched off after a holiday weekend of oversold orders and a 40-minute outage of recommendations.
- The stock-change consumer stalled on Saturday night; the Redis cache kept serving sold-out items until support escalated on Tuesday. Signal: we would see the consumer's lag and the age of the newest cache entry climb; neither was alerted on.
- The inventory service slowed during the sale; our retries at every layer multiplied its load and it fell over. Signal: retries per request above 1.1 on the client dashboard.
- The inventory API's certificate expired on the holiday Monday at 3 AM; the one on-call engineer could not reach the security team for hours. Signal: days until expiry, checked daily.
- The alerting pipeline had been down since Friday, so the pages for all of the above never arrived. Signal: a heartbeat alert that pages when it stops.
Action: now we will page on consumer lag and cache age, cap retries with a token bucket, add certificate-expiry and alerting-heartbeat checks, and write the runbook for a night with one responder before launch."""


def _mitigation_sample(modes: list[str]) -> str:
    table = worksheet()
    lines = []
    advice = {
        "human": ("page on a symptom a machine can see (freshness, lag, a synthetic check) so no human has to notice",
                  "an alert on the measured symptom, routed to the on-call pager"),
        "ticket": ("turn the ticket into a page at a threshold that leaves time to act, and write the runbook",
                   "the existing check, paging instead of filing a ticket"),
        "page": ("remove the dependency on a specialist at night: a runbook and access for the on-call, a pre-approved fallback",
                 "the existing page, plus a leading indicator (expiry dates, retry ratio) a week ahead"),
    }
    for mode in modes:
        row = table.loc[mode]
        mitigation, signal = advice[str(row.channel)]
        lines.append(f"{mode} {row.failure_mode}\n  Mitigation: {mitigation}.\n  Signal: {signal} ({row.detected_by} today).")
    return "\n".join(lines)


PREMORTEM_RUBRIC = Rubric(
    id="01.premortem",
    title="A pre-mortem of real-time inventory checks",
    criteria=(
        "Each cause is a specific, plausible story (a component, a trigger, an effect), not a category like 'bugs'.",
        "At least one cause is about people and time: who is on call, who can fix it, what happens on a holiday.",
        "Each cause has an early signal that could be measured today.",
        "The actions are few, owned and doable before launch, and aimed at the causes ranked worst.",
    ),
    mid_level=("Headline: the launch failed because the feature was not reliable enough.\n"
               "- Redis could go down and the cache would be empty, so recommendations would be slow.\n"
               "- The inventory service could have bugs or be slow under load, which would cause timeouts.\n"
               "- Traffic could spike during the sale and we might not have enough capacity.\n"
               "- Our tests might not cover every edge case in the new code.\n"
               "Signal: monitoring and dashboards.\n"
               "Action: add more tests and more monitoring before launch."),
    senior_level=PREMORTEM_SAMPLE,
)

MITIGATION_RUBRIC = Rubric(
    id="01.mitigations",
    title="Mitigations and detection signals for the night's top three",
    criteria=(
        "Each mitigation shortens one named term of the model (detect, respond or repair) or lowers occurrence, and says which.",
        "Each signal is measurable by a machine and pages (or says why a ticket is enough).",
        "The plan is honest about cost: what it takes to build and who owns it.",
    ),
    mid_level=("FM11 Mitigation: add more retries so calls get through. Signal: alerts.\n"
               "FM03 Mitigation: ask the inventory team to fix it. Signal: monitoring.\n"
               "FM12 Mitigation: be careful with consumer deploys. Signal: dashboards."),
    senior_level=("FM11 Retry storm. Mitigation: lower occurrence, shorten respond. Retry at one layer only, behind a "
                  "token-bucket retry budget, so a slow inventory service is not buried under our retries; give the "
                  "on-call a runbook and the access to shed load, so the night does not wait for the inventory team's "
                  "specialist. Signal: retries per inventory call, paging above 1.2 for 5 minutes; our team, three days.\n"
                  "FM12 Stuck consumer. Mitigation: shorten detect. Page on a symptom (cache age > 10 min, consumer "
                  "lag) so detection no longer waits for a customer to complain; that cuts the detect term from days "
                  "to minutes. Signal: the age of the newest cache entry, alerted through the pager; our team, two days."),
)


# -- tasks ----------------------------------------------------------------------------
TASKS = TaskSet(MODULE)


def _data() -> pd.DataFrame:
    return load("failure_modes")


@cache
def _prepared() -> pd.DataFrame:
    """The data, validated once for the tasks' reference answers (never handed out)."""
    return _lens_inputs(_data())


@cache
def _night_lens() -> pd.DataFrame:
    return _lens(_prepared(), NIGHT)


@cache
def _day_lens() -> pd.DataFrame:
    return _lens(_prepared(), DAY)


def _mode_ids() -> list[str]:
    return list(_prepared().index)


def _one_mode(answer, expected) -> checks.Verdict:
    """A mode_id such as 'FM07' (the options are read from the data when checking)."""
    return checks.choice(_mode_ids())(answer, expected)


def _rpn_by_id() -> pd.Series:
    return rpn(_prepared())


def _ids(series: pd.Series, n: int = 5) -> list[str]:
    return list(series.index[:n])


def _night_top3() -> list[str]:
    return _ids(_night_lens().rpn, 3)


def _day_top3() -> list[str]:
    return _ids(_day_lens().rpn, 3)


TASKS.add(Task(
    id="01.rpn",
    title="Risk priority numbers",
    prompt="A Series indexed by mode_id: each failure mode's risk priority number (RPN).",
    reference=_rpn_by_id,
    compare=checks.series(rel=1e-9, what="RPN"),
    hints=[
        "Which three scores does an FMEA combine, and how: added or multiplied?",
        "RPN = severity × occurrence × detection, one per row; set mode_id as the index.",
    ],
    misconceptions=[
        Misconception("added the scores", "You added the three scores. An RPN multiplies them: why might a product rank risks differently from a sum?",
                      lambda: worksheet(_prepared())[list(SCORES)].sum(axis=1)),
        Misconception("left out detection", "That is severity × occurrence: the risk matrix. What does the third FMEA score add?",
                      lambda: worksheet(_prepared()).eval("severity * occurrence")),
        Misconception("read detection the wrong way round",
                      "You used 11 − detection. In an FMEA a detection score of 10 means we would *not* notice: is a hard-to-detect failure more or less risky?",
                      lambda: worksheet(_prepared()).eval("severity * occurrence * (11 - detection)")),
    ],
))

TASKS.add(Task(
    id="01.top-five",
    title="The five highest risks by day",
    prompt="A list of the five mode_ids with the highest RPN, highest first.",
    reference=lambda: top_modes(_prepared(), 5),
    compare=checks.same_items(ordered=True, what="mode_ids"),
    hints=[
        "Once every mode has an RPN, which way must you sort to put the worst risk first?",
        "Sort the RPN Series in descending order and take the first five labels: .sort_values(ascending=False).index[:5].",
    ],
    misconceptions=[
        Misconception("sorted lowest first", "Those are the five *lowest* RPNs. Which direction puts the worst first?",
                      lambda: list(ranked(_prepared()).index[::-1][:5])),
        Misconception("ranked by severity alone", "Those are the most severe modes. A rare, obvious failure can be severe and still a small risk: what else goes into the RPN?",
                      lambda: top_modes(_prepared(), 5, by="severity")),
        Misconception("ranked by severity × occurrence", "That is the risk matrix's order. Which failures does it rank too low because it ignores detection?",
                      lambda: list(worksheet(_prepared()).assign(so=lambda f: f.severity * f.occurrence).reset_index()
                                   .sort_values(["so", "severity", "mode_id"], ascending=[False, False, True]).mode_id[:5])),
    ],
))


def _not_paged_in_top10() -> int:
    top = ranked(_prepared()).head(10)
    return int((top.channel != "page").sum())


TASKS.add(Task(
    id="01.not-paged",
    title="Who would notice?",
    prompt="Of the ten highest-RPN failure modes, how many would page nobody (their channel is not 'page')? A whole number.",
    reference=_not_paged_in_top10,
    compare=checks.integer(),
    hints=[
        "At 3 AM, which channels still reach a person who can act: a page, a ticket, or a human noticing?",
        "Take the ten highest RPNs, then count the rows whose channel is anything other than 'page' (tickets wait for business hours too).",
    ],
    misconceptions=[
        Misconception("counted only 'human'", "You counted the modes a human must notice. Who reads a ticket at 3 AM on a holiday?",
                      lambda: int((ranked(_prepared()).head(10).channel == "human").sum())),
        Misconception("counted over every mode", "You counted across the whole table. The task asks about the ten highest RPNs.",
                      lambda: int((worksheet(_prepared()).channel != "page").sum())),
        Misconception("counted the paged ones", "That is how many *do* page someone. How many do not?",
                      lambda: int((ranked(_prepared()).head(10).channel == "page").sum())),
    ],
))


def _engage_night() -> pd.Series:
    return _night_lens().engage_min.sort_index()


TASKS.add(Task(
    id="01.night-engage",
    title="Minutes until someone is working on it, at 3 AM on a holiday",
    prompt="A Series indexed by mode_id: detect + respond minutes under `lesson.NIGHT` (the lesson's rules).",
    reference=_engage_night,
    compare=checks.series(rel=1e-6, what="minutes"),
    hints=[
        "The lens splits the time into detect, respond and repair. Which two happen before anyone starts repairing?",
        "detect depends on the channel (a page is as fast as by day; a ticket waits until business hours; a human waits for a watcher); "
        "respond = ack + the expert's delay if needed + call-in minutes for each missing crew member.",
    ],
    misconceptions=[
        Misconception("left out the response time", "That is detection alone. Knowing is not fixing: who has to wake up, and who do they have to call?",
                      lambda: detect_minutes(_prepared(), NIGHT).sort_index()),
        Misconception("treated tickets like pages", "Some of your times are far too short. Who reads a ticket filed at 3 AM on a holiday, and when?",
                      lambda: lens(_data().assign(channel=lambda f: f.channel.replace("ticket", "page")), NIGHT).engage_min.sort_index()),
        Misconception("used business-hours conditions", "Those are daytime minutes. What changes at 3 AM on a holiday: watchers, hours until staffed, specialists?",
                      lambda: _day_lens().engage_min.sort_index()),
    ],
))

TASKS.add(Task(
    id="01.night-top",
    title="The top risk at 3 AM on a holiday",
    prompt="The mode_id of the highest risk under the lens at `lesson.NIGHT` (ranked by the lens's RPN = S × O × E), as text like 'FM07'.",
    reference=lambda: _night_lens().index[0],
    compare=_one_mode,
    hints=[
        "A failure that pages is noticed as fast at 3 AM as at 2 PM. Once the one on-call engineer is awake, what can they still wait for, and which score counts it?",
        "Call lesson.lens(data, lesson.NIGHT): it is sorted by the lens's RPN (S × O × E); read the first mode_id, then compare its detect_min with its respond_min.",
    ],
    misconceptions=[
        Misconception("gave the daytime top risk", "That is the top risk in business hours. At night, which repairs wait for a specialist or for people to be called in?",
                      lambda: _day_lens().index[0]),
        Misconception("ranked by expected minutes instead of RPN",
                      "That mode loses the most minutes a year, but it is less severe than the top risk. The task ranks by the lens's RPN: where does severity come in?",
                      lambda: _night_lens().impact_min_per_year.idxmax()),
        Misconception("ranked by detection alone under the lens",
                      "That ranking uses FMEA's detection score (time to notice), which a page keeps low at any hour. What does E add that D leaves out?",
                      lambda: _night_lens().assign(by_d=lambda f: f.severity * f.occurrence * f.detection)
                      .sort_values("by_d", ascending=False, kind="mergesort").index[0]),
    ],
))


def _flip_count(when: Conditions = NIGHT, modes: list[str] | None = None, direction: int | None = None) -> int:
    changes = single_score_changes(_prepared(), when)
    if modes is not None:
        changes = changes[changes.mode_id.isin(modes)]
    if direction is not None:
        changes = changes[np.sign(changes.change) == direction]
    return int(changes.flips.sum())


TASKS.add(Task(
    id="01.fragile-top",
    title="How fragile is the night's top risk?",
    prompt="Change one score (severity, occurrence or detection) of one failure mode by one point, up or down, staying within 1–10, "
           "and re-rank under `lesson.NIGHT`. Of all such single changes, how many change the night's top risk? A whole number.",
    reference=_flip_count,
    compare=checks.integer(),
    hints=[
        "The top two night risks are about one percent apart. How many points of one score is that worth, and which other modes are within a point of the top?",
        "Loop over every mode, every score in lesson.SCORES and both directions (−1, +1), skipping scores that would leave 1–10; re-score a copy "
        "with lesson.top_risk(changed, lesson.NIGHT) and count the copies whose top is not the original top risk.",
    ],
    misconceptions=[
        Misconception("changed only the top two modes",
                      "You moved only the top two. Is the third-ranked mode more than one point of a score away from the top?",
                      lambda: _flip_count(modes=list(_night_lens().index[:2]))),
        Misconception("only raised scores",
                      "You only raised scores. A score written in a meeting can be one point too high as well as too low: what happens if the top risk's is?",
                      lambda: _flip_count(direction=1)),
        Misconception("re-ranked in business hours",
                      "That count is for business hours. The task re-ranks under the lens at `lesson.NIGHT`: did you pass it?",
                      lambda: _flip_count(when=DAY)),
    ],
))

TASKS.add(Task(
    id="01.impact-ratio",
    title="How much worse is the night?",
    prompt="Expected minutes of impact per year summed over all modes under `lesson.NIGHT`, divided by the same sum under `lesson.DAY`. A number.",
    reference=lambda: impact_ratio(_prepared(), NIGHT, DAY),
    compare=checks.number(rel=1e-3, unit="times"),
    hints=[
        "Each mode costs per_year × (detect + respond + repair) minutes a year. What does the total look like at night, against the day?",
        "Sum impact_min_per_year from lesson.lens(data, lesson.NIGHT) and from lesson.lens(data, lesson.DAY); divide night by day.",
    ],
    misconceptions=[
        Misconception("divided day by night", "Your ratio is below 1: is the night better covered than the day?",
                      lambda: 1 / impact_ratio(_prepared(), NIGHT, DAY)),
        Misconception("forgot to weight by likelihood", "You summed durations without per_year. A failure that happens twice a year costs twice: where does likelihood go?",
                      lambda: float((lambda n, d: (n.engage_min + n.repair_min).sum() / (d.engage_min + d.repair_min).sum())(
                          _night_lens(), _day_lens()))),
        Misconception("left out repair", "You compared detect + respond only. The customer waits through the repair too: where does it go?",
                      lambda: float((lambda n, d: (n.engage_min * _prepared().per_year).sum()
                                     / (d.engage_min * _prepared().per_year).sum())(_night_lens(), _day_lens()))),
    ],
))


def _wrote_about_day(answer) -> bool:
    if not isinstance(answer, str):
        return False
    text = answer.lower()
    night, day = _night_top3(), _day_top3()
    only_day = [m for m in day if m not in night]
    return any(m.lower() in text for m in only_day) and not all(m.lower() in text for m in night)


TASKS.add(Task(
    id="01.mitigations",
    title="A mitigation and a signal for each of the night's top three",
    prompt="Text: for each of the three highest risks under `lesson.NIGHT` (name them by mode_id), a line 'Mitigation: …' and a line 'Signal: …'. "
           "The check reads the structure; judge the content with lesson.MITIGATION_RUBRIC.",
    reference=lambda: "structure",
    compare=lambda answer, expected: checks.structured_text(mitigation_parts(_night_top3()), min_words=30)(answer, expected),
    hints=[
        "Which three modes top the night's ranking, and for each: which term of detect + respond + repair would you shorten?",
        "Write one block per mode: its id, then 'Mitigation: …' and 'Signal: …'. A signal is something a machine measures and pages on.",
    ],
    misconceptions=[
        Misconception("wrote about the daytime top three", "Those include the daytime top risks. The night ranks differently: which modes lead at 3 AM on a holiday?",
                      lambda: _mitigation_sample(_day_top3()), matches=_wrote_about_day),
    ],
    sample_answer=lambda: _mitigation_sample(_night_top3()),
))


def _no_off_hours(answer) -> bool:
    return isinstance(answer, str) and not _off_hours(answer)


TASKS.add(Task(
    id="01.premortem",
    title="A pre-mortem",
    prompt="Text: it is three months from now and the launch of real-time inventory checks failed. Why? "
           "A 'Headline:', at least three causes as list items, signals and actions. The check reads the structure; "
           "judge the content with lesson.PREMORTEM_RUBRIC.",
    reference=lambda: "structure",
    compare=checks.structured_text(premortem_parts(), min_words=60),
    hints=[
        "Imagine the launch has already failed: what did the customers see, and what was the story behind it in each part of the system?",
        "Start with 'Headline:', list three or more causes with '-', give each an early warning ('Signal:'), and end with 'Action:'. "
        "Include one cause that only happens when nobody is at work.",
    ],
    misconceptions=[
        Misconception("only daytime causes", "Every cause happens while the team is at work. What goes wrong at 3 AM on a holiday, when one person is on call?",
                      lambda: PREMORTEM_SAMPLE.replace("Saturday night", "Tuesday").replace("holiday Monday at 3 AM", "a Tuesday")
                      .replace("holiday weekend", "week").replace("one on-call engineer", "engineer").replace("night with one responder", "bad day")
                      .replace("since Friday", "since lunch"),
                      matches=_no_off_hours),
    ],
    sample_answer=lambda: PREMORTEM_SAMPLE,
))


def _best_paging_fix() -> str:
    return str(paging_saving(_prepared(), NIGHT).index[0])


TASKS.add(Task(
    id="01.best-alert",
    title="Where one new page buys most",
    prompt="Stretch. You can turn exactly one failure mode's detection into a page (it then takes its business-hours detect_minutes at any hour). "
           "Which mode_id saves the most expected minutes of impact per year under `lesson.NIGHT`?",
    reference=_best_paging_fix,
    compare=_one_mode,
    hints=[
        "For a mode that already pages, what does a new page save? For the others, how many minutes of waiting does it remove, and how often?",
        "Saving = per_year × (night detect minutes − business-hours detect minutes), for modes whose channel is not 'page'; take the largest.",
    ],
    misconceptions=[
        Misconception("picked the night's top RPN", "That mode tops the night's RPN, but it already pages: what would one more page save it? "
                      "For the modes that do not page, how long do they wait, and how often?",
                      lambda: _night_lens().index[0]),
        Misconception("picked the slowest to detect by day",
                      "That mode is the slowest to notice in business hours. At 3 AM on a holiday, how long does *every* silent failure wait, and what then decides the saving?",
                      lambda: str(worksheet(_prepared()).detect_minutes.idxmax())),
    ],
    stretch=True,
))


def rubrics() -> Mapping[str, Rubric]:
    """The judgment parts of the exercise, by task."""
    return {"01.mitigations": MITIGATION_RUBRIC, "01.premortem": PREMORTEM_RUBRIC}


def mode_summary(mode_id: str) -> str:
    """One line for a failure mode, as later modules quote it: "name (id): effect"."""
    from steward.datagen import load

    table = load("failure_modes").set_index("mode_id")
    if mode_id not in table.index:
        raise ValueError(f"there is no failure mode {mode_id!r}; ids look like 'FM03'")
    row = table.loc[mode_id]
    return f"{row['failure_mode']} ({mode_id}): {row['effect']}"
