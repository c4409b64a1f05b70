"""failure_modes · the pure maths: the FMEA worksheet, the risk matrix's zones, the 3 AM lens
(its rules are written out in the package's docstring, ``lesson.__doc__``) and the ranking's fragility."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from steward.datagen import load
from steward.datasets.failure_modes import CHANNELS

if TYPE_CHECKING:
    pass


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


def mode_summary(mode_id: str) -> str:
    """One line for a failure mode, as later modules quote it: "name (id): effect"."""
    from steward.datagen import load

    table = load("failure_modes").set_index("mode_id")
    if mode_id not in table.index:
        raise ValueError(f"there is no failure mode {mode_id!r}; ids look like 'FM03'")
    row = table.loc[mode_id]
    return f"{row['failure_mode']} ({mode_id}): {row['effect']}"
