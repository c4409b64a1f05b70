"""Module 11 — the seniority paradox: slow down to go faster.

Three tools: a model of what a design review returns (with the contested cost-of-change
multiplier as a *range*, and the break-even in closed form); a design-doc linter (a pure
function over any text); and the capstone, a design doc for real-time inventory checks that
draws on the learner's own results from modules 01–10."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from steward import cartwheel, feedback, results
from steward.datagen import load

# re-exported for the lesson: the self-assessment radar again, beside module 00's
from steward.lessons.start_here import SHIFTS as SHIFTS
from steward.lessons.start_here import SelfAssessment as SelfAssessment
from steward.lessons.start_here import draw_radar as draw_radar

MODULE = "11"

# -- 1. what a design review returns ----------------------------------------------------------
#: Cartwheel's design review for real-time inventory checks (scenario parameters, not facts):
#: four people for three hours; a 40% chance the design has a flaw that matters; a flaw found
#: at design time costs six hours to fix. The catch share of 0.6 echoes Boehm & Basili's (2001)
#: "peer reviews catch 60 percent of the defects", itself a summary figure: move it.
REVIEW = {"review_hours": 12.0, "p_flaw": 0.4, "catch_share": 0.6, "fix_hours": 6.0}
#: The contested range for how much more a flaw costs when found late (in production):
#: 1× (no delayed-issue effect in 171 projects, Menzies et al. 2017) to 100× ("often 100 times",
#: Boehm & Basili 2001, after Boehm 1981). See COST_OF_CHANGE_SOURCES.
MULT_LOW, MULT_HIGH = 1.0, 100.0
STRETCH_MULTIPLIER = 10.0
#: Boehm & Basili (2001), in the same column as "often 100 times": for small, noncritical systems
#: the escalation is nearer 5:1. A recommendation carousel is such a system (a wrong answer costs a
#: sale, not a life, and a fix ships in a day), so this is Cartwheel's case.
SMALL_SYSTEM_MULTIPLIER = 5.0
#: The cost of delay [Reinertsen 2009, *The Principles of Product Development Flow*]: the value a change
#: does not earn while it waits. Scenario parameters, not facts: the days the launch of real-time
#: inventory checks waits for a review meeting, and the loaded cost of an engineer-hour (in the
#: canon's currency), which turns a day of module 07's revenue into hours the model can add up.
REVIEW_DELAY_DAYS = 2.0
HOUR_COST = 100.0

COST_OF_CHANGE_SOURCES = (
    {"source": "Boehm (1981), Software Engineering Economics",
     "says": "the cost to fix a defect rises steeply the later it is found; the origin of the escalating curve",
     "note": "data from large 1970s projects, mostly waterfall and government contracts"},
    {"source": "Boehm & Basili (2001), 'Software Defect Reduction Top 10 List', IEEE Computer",
     "says": "finding and fixing a problem after delivery is 'often 100 times more expensive' than in requirements and design",
     "note": "'often' was added in 2001; the column restates the 1987 list rather than new data. The same item adds that "
             "for small, noncritical systems the factor is nearer 5:1: Cartwheel's case"},
    {"source": "Stecklein et al. (2004), 'Error Cost Escalation Through the Project Life Cycle', NASA JSC",
     "says": "a requirements error found in operations costs 29× to more than 1500× its cost in the requirements phase",
     "note": "hardware/software systems like spacecraft; a range spanning fifty-fold"},
    {"source": "Bossavit (2012/2015), The Leprechauns of Software Engineering",
     "says": "traces how the '100× cost of late defects' figure was copied from citation to citation with little solid data behind it",
     "note": "a critique of the evidence, not a new estimate"},
    {"source": "Menzies, Nichols, Shull & Layman (2017), 'Are delayed issues harder to resolve?', Empirical Software Engineering",
     "says": "no consistent delayed-issue effect in 171 projects (2006–2014)",
     "note": "TSP projects; the authors suggest the effect appears only in some kinds of project"},
)


def _fraction(name: str, value: float) -> float:
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} is a probability between 0 and 1; got {value!r}")
    return float(value)


def _hours(name: str, value: float) -> float:
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number of hours ≥ 0; got {value!r}")
    return float(value)


def _multiplier(value: Any) -> np.ndarray:
    m = np.asarray(value, dtype=float)
    if np.isnan(m).any() or (m < 1).any():
        raise ValueError(f"a cost multiplier is at least 1 (late costs at least as much as early); got {value!r}")
    return m


def _delay(delay_hours: float) -> float:
    return _hours("delay_hours (the cost of delay, in hours)", delay_hours)


def expected_net_hours(review_hours: float, p_flaw: float, catch_share: float, fix_hours: float,
                       multiplier: float | np.ndarray, delay_hours: float = 0.0) -> float | np.ndarray:
    """Expected hours a review saves, net of its own cost.

    With probability ``p_flaw`` the design has a flaw; the review catches it with probability
    ``catch_share``. A caught flaw costs ``fix_hours`` now instead of ``multiplier × fix_hours``
    later, so it saves (multiplier − 1) × fix_hours. You pay the review either way, and if the
    launch waits for it, its cost of delay ``delay_hours`` (:func:`cost_of_delay_hours`) too:

        net = p · q · (m − 1) · F − H − D

    Works on an array of multipliers too (the widget draws the whole curve at once)."""
    h, f = _hours("review_hours", review_hours), _hours("fix_hours", fix_hours)
    p, q = _fraction("p_flaw", p_flaw), _fraction("catch_share", catch_share)
    m, d = _multiplier(multiplier), _delay(delay_hours)
    net = p * q * (m - 1) * f - h - d
    return float(net) if net.ndim == 0 else net


def break_even_multiplier(review_hours: float, p_flaw: float, catch_share: float, fix_hours: float,
                          delay_hours: float = 0.0) -> float:
    """The late-cost multiplier at which the review exactly pays for itself:
    m* = 1 + (H + D) / (p · q · F). Infinite when the review can never catch anything."""
    h, f = _hours("review_hours", review_hours), _hours("fix_hours", fix_hours)
    p, q = _fraction("p_flaw", p_flaw), _fraction("catch_share", catch_share)
    d = _delay(delay_hours)
    if p * q * f == 0:
        return math.inf
    return 1 + (h + d) / (p * q * f)


def break_even_probability(review_hours: float, catch_share: float, fix_hours: float, multiplier: float,
                           delay_hours: float = 0.0) -> float:
    """The probability of a flaw above which the review pays off, at a given multiplier:
    p* = (H + D) / (q · (m − 1) · F). Above 1 means not even a certain flaw would pay for it."""
    h, f = _hours("review_hours", review_hours), _hours("fix_hours", fix_hours)
    q = _fraction("catch_share", catch_share)
    m, d = float(_multiplier(multiplier)), _delay(delay_hours)
    if q * (m - 1) * f == 0:
        return math.inf
    return (h + d) / (q * (m - 1) * f)


def max_review_hours(p_flaw: float, catch_share: float, fix_hours: float, multiplier: float,
                     delay_hours: float = 0.0, review_hours: float | None = None) -> float:
    """The most a review may cost (person-hours) and still pay at this multiplier:
    H* = p · q · (m − 1) · F − D (0 when nothing would pay). ``review_hours`` is ignored, so
    ``**REVIEW`` can be passed whole."""
    p, q = _fraction("p_flaw", p_flaw), _fraction("catch_share", catch_share)
    f, m, d = _hours("fix_hours", fix_hours), float(_multiplier(multiplier)), _delay(delay_hours)
    return max(0.0, p * q * (m - 1) * f - d)


def cost_of_delay_hours(delay_days: float, value_per_month: float, hour_cost: float = HOUR_COST) -> float:
    """What a launch that waits ``delay_days`` loses, in engineer-hours: the value a day of the
    change earns (``value_per_month`` ÷ the canon's 30-day month) × days ÷ the cost of an hour."""
    days = _hours("delay_days", delay_days)
    value = float(value_per_month)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"value_per_month is an amount of money ≥ 0; got {value_per_month!r}")
    if not isinstance(hour_cost, int | float) or not math.isfinite(hour_cost) or hour_cost <= 0:
        raise ValueError(f"hour_cost is an amount of money > 0; got {hour_cost!r}")
    return days * value / cartwheel.WINDOW_DAYS / float(hour_cost)


def delay_hours_per_day(value_per_month: float | None = None) -> float:
    """A day's cost of delay for real-time inventory checks, in engineer-hours, from the low end of
    module 07's revenue range (the reference unless given): the cautious end."""
    if value_per_month is None:
        value_per_month = min(reference_revenue_range())
    return cost_of_delay_hours(1.0, value_per_month)


def savings_range(review_hours: float, p_flaw: float, catch_share: float, fix_hours: float,
                  low: float = MULT_LOW, high: float = MULT_HIGH, delay_hours: float = 0.0) -> pd.Series:
    """Expected net hours at both ends of a multiplier range: an honest answer is a range."""
    if float(low) > float(high):
        low, high = high, low
    values = [expected_net_hours(review_hours, p_flaw, catch_share, fix_hours, m, delay_hours) for m in (low, high)]
    return pd.Series(values, index=pd.Index(["low", "high"], name="end of range"), name="net hours saved")


def _symlog(y: np.ndarray | float) -> np.ndarray:
    """sign(y) · log10(1 + |y|): hours from −40 to +40,000 on one readable axis."""
    y = np.asarray(y, dtype=float)
    return np.sign(y) * np.log10(1 + np.abs(y))


def verdict(low_net: float, high_net: float) -> str:
    if low_net >= 0:
        return "pays off across your whole range"
    if high_net <= 0:
        return "does not pay off anywhere in your range"
    return "depends on where in your range the truth is"


# -- 3. the capstone: inputs carried from modules 01–10 ----------------------------------------
# When a module's result was not kept, the capstone uses what that module's own reference
# code computes, so the design doc's numbers always come from the curriculum's data.
SLO_MS = cartwheel.LATENCY.threshold_ms  #: alias of the canon's latency threshold
#: The longest TTL the capstone reasons about (module 09's explorer goes to 600 s); longer still works.
TTL_MAX_S = 600


def reference_ttl_s() -> float:
    """Module 09's TTL (0 s means: no cache is needed for the SLO).

    If module 09 finds no TTL at all, the capstone starts from the TTL in production today."""
    from steward.lessons import visibility

    ttl = visibility._default_ttl()
    return float(cartwheel.CACHE_TTL_TODAY_S if ttl is None else ttl)


def reference_top_risk() -> str:
    """Module 01's top failure mode at 3 AM on a holiday night, with its effect."""
    from steward.lessons import failure_modes

    return failure_modes.mode_summary(failure_modes.TASKS.night_top.expected)


@cache
def _ranked_options() -> tuple[str, ...]:
    """Module 02's ranked options for the correctness lock: its task's reference answer; failing
    that, its ranking function; failing that, the options in ``coordination_options`` that give a
    fencing token, as listed. Never a list typed here, so a new option in module 02 appears."""
    from steward.lessons import tradeoffs

    try:
        return tuple(str(option) for option in tradeoffs.TASKS.correctness_shortlist.expected)
    except Exception:  # noqa: BLE001 - module 02 may rename its task; fall back to its data
        pass
    try:
        table = tradeoffs.ranking(tradeoffs.options_table(), tradeoffs.TEAM_WEIGHTS, tradeoffs.fencing_by_option(),
                                  "correctness")
        return tuple(str(option) for option in table[table["eligible"]].index)
    except Exception:  # noqa: BLE001
        data = load("coordination_options")
        fenced = data.groupby("option", sort=False)["fencing_token"].first().astype(bool)
        return tuple(str(option) for option in fenced[fenced].index)


def reference_ranked_options() -> list[str]:
    """The options module 02 ranks for the correctness lock, best first, read from module 02's
    reference code (and so from ``coordination_options``) at run time: never a fixed list."""
    return list(_ranked_options())


def reference_choice() -> str:
    """Module 02's top option for a correctness lock at the team's weights."""
    return reference_ranked_options()[0]


def _option_flags(option: str, column: str) -> bool | None:
    data = load("coordination_options")
    if column not in data.columns:
        return False if column == "database_only" else None
    flags = data.groupby("option", sort=False)[column].first().astype(bool)
    return bool(flags[option]) if option in flags.index else None


def option_fencing(option: str) -> bool | None:
    """Whether module 02's data says ``option`` gives the resource a fencing token (None: not in the data)."""
    return _option_flags(option, "fencing_token")


def option_database_only(option: str) -> bool | None:
    """Whether module 02's data says ``option`` works only where the state is a database row (a
    conditional write: no lock service). False when the data has no such column; None: unknown option."""
    return _option_flags(option, "database_only")


def reference_availability() -> float:
    """Module 03's availability of the recommendation path with the popular-items fallback."""
    from steward.lessons import design_for_failure

    return float(design_for_failure.TASKS.fallback_availability.expected)


def reference_p99_ms() -> float:
    """Module 04's p99 latency over the week of request logs, in ms."""
    from steward.lessons import quantify

    return round(float(quantify.TASKS.week_p99.expected), 1)


def reference_revenue_range() -> tuple[float, float]:
    """Module 07's monthly revenue range from lower cart abandonment, rounded to thousands."""
    from steward.lessons import influence

    low, high = influence.TASKS.revenue_range.expected
    return (round(float(low), -3), round(float(high), -3))


def reference_meet_first() -> list[str]:
    """Module 10's list of people to meet before writing code, from its reference code."""
    from steward.lessons.projects import meet_first

    return meet_first(load("stakeholders"))


# -- the call's p99 at any TTL, from the request log ---------------------------------------------
@cache
def _call_log() -> tuple[np.ndarray, np.ndarray, float]:
    """The request log's calls split into cache hits and misses (sorted ms), and today's hit share."""
    log = load("requests")
    hit = log["cache_hit"].astype(bool).to_numpy()
    latency = log["latency_ms"].to_numpy(dtype=float)
    return np.sort(latency[hit]), np.sort(latency[~hit]), float(hit.mean())


def _ttl_seconds(ttl_s: Any) -> float:
    if isinstance(ttl_s, bool) or not isinstance(ttl_s, int | float | np.integer | np.floating) \
            or not math.isfinite(float(ttl_s)) or ttl_s < 0:
        raise ValueError(f"a TTL is a number of seconds ≥ 0 (0 = no cache); got {ttl_s!r}")
    return float(ttl_s)


def call_hit_share(ttl_s: float) -> float:
    """Share of recommendation calls served from the cache at a TTL: rT / (1 + rT).

    The closed form of a TTL cache (module 09's ``hit_ratio``), for the call as a whole, with
    the rate r calibrated so that today's TTL (``cartwheel.CACHE_TTL_TODAY_S``) gives the hit
    share the request log measures. TTL 0 is no cache: every call asks the inventory service."""
    ttl = _ttl_seconds(ttl_s)
    _, _, today = _call_log()
    rate = today / (1 - today) / cartwheel.CACHE_TTL_TODAY_S
    return rate * ttl / (1 + rate * ttl)


@lru_cache(maxsize=256)
def _call_p99(ttl: float) -> float:
    hits, misses, _ = _call_log()
    n = hits.size + misses.size
    k = int(round(call_hit_share(ttl) * n))
    # each side's m evenly spread quantiles ((i + ½) / m), by linear interpolation on the sorted values
    parts = [np.interp((np.arange(m) + 0.5) / m * (values.size - 1), np.arange(values.size), values)
             for values, m in ((hits, k), (misses, n - k)) if m]
    return cartwheel.call_percentile(np.concatenate(parts))


@cache
def _module_09() -> Any:
    """Module 09's model of the call at a TTL, if it has one that agrees with the canon: its
    ``call_p99(call_hit_share(ttl))`` must give back the log's p99 at today's TTL (within 1%).
    Otherwise None, and the capstone uses its own computation (the same model)."""
    try:
        from steward.lessons import visibility

        p99, share = visibility.call_p99, visibility.call_hit_share
        today = float(p99(share(cartwheel.CACHE_TTL_TODAY_S)))
        if abs(today - cartwheel.call_p99_ms()) <= 0.01 * cartwheel.call_p99_ms():
            return visibility
    except Exception:  # noqa: BLE001 - an older or a rebuilt module 09: use the capstone's own model
        pass
    return None


def call_p99_at_ttl(ttl_s: float) -> float:
    """The recommendation call's p99 (ms) on the request log if the cache had TTL ``ttl_s``.

    Module 09's model when it has one that reproduces the canon (:func:`_module_09`); else the
    same model computed here: the log's hit and miss calls, mixed in the share
    :func:`call_hit_share` gives for that TTL (each side spread evenly over its own quantiles),
    and the canon's SLI on the mix (``cartwheel.call_percentile``). At today's TTL it is the
    log's own p99, at 0 s the p99 of the calls that missed. It assumes inventory answers as fast
    as it did in the log's week, whatever load the cache spares it."""
    ttl = _ttl_seconds(ttl_s)
    nine = _module_09()
    if nine is not None:
        return float(nine.call_p99(nine.call_hit_share(ttl)))
    return _call_p99(ttl)


def module_09_claim(ttl_s: float) -> str | None:
    """Module 09's paragraph on a TTL (freshness, inventory load, the week's and the incident's
    p99), if module 09 offers one (``visibility.ttl_claim``); None otherwise."""
    nine = _module_09()
    claim = getattr(nine, "ttl_claim", None) if nine is not None else None
    try:
        return str(claim(_ttl_seconds(ttl_s))) if callable(claim) else None
    except Exception:  # noqa: BLE001
        return None


#: key → (what it is, reference default, how to read it)
CAPSTONE_KEYS: dict[str, tuple[str, Any, str]] = {
    "01.top_risk": ("your top failure mode (module 01)", reference_top_risk, "text"),
    "02.choice": ("your coordination choice for a correctness lock (module 02)", reference_choice, "text"),
    "03.availability": ("your end-to-end availability with a fallback (module 03)", reference_availability, "fraction"),
    "04.p99_ms": ("your p99 latency of the recommendation call (module 04)", reference_p99_ms, "ms"),
    "07.revenue_range": ("your monthly revenue range from lower cart abandonment (module 07)", reference_revenue_range, "range"),
    "09.ttl_s": ("your cache TTL (module 09; 0 s = no cache)", reference_ttl_s, "seconds"),
    "10.meet_first": ("your list of people to meet first (module 10)", reference_meet_first, "names"),
}


@cache
def _reference(key: str) -> Any:
    value = CAPSTONE_KEYS[key][1]
    return value() if callable(value) else value


def _default(key: str) -> Any:
    """The curriculum's reference value for a capstone input (computed once per session: the
    data does not change under a running kernel); a copy, so no caller can change it."""
    value = _reference(key)
    return list(value) if isinstance(value, list) else value


def normalise(key: str, value: Any) -> Any:
    """A kept result in the shape the capstone needs, or ``None`` if it cannot be read as one."""
    kind = CAPSTONE_KEYS[key][2]
    try:
        if kind == "text":
            return value.strip() if isinstance(value, str) and value.strip() else None
        if kind == "names":
            names = [str(v).strip() for v in value] if isinstance(value, list | tuple) else None
            return names if names and all(names) else None
        if kind == "range":
            if isinstance(value, Mapping):
                value = (value.get("low"), value.get("high"))
            low, high = sorted(float(v) for v in value)
            return (low, high) if math.isfinite(low) and math.isfinite(high) else None
        if isinstance(value, bool):
            return None
        number = float(value)
        if not math.isfinite(number) or number < 0 or (number == 0 and kind != "seconds"):
            return None  # a TTL of 0 s is an answer (no cache); a p99 or an availability of 0 is not
        if kind == "fraction":
            number = number / 100 if 1 < number <= 100 else number
            return number if number <= 1 else None
        return number
    except (TypeError, ValueError):
        return None


def capstone_inputs(quiet: bool = False) -> dict[str, dict[str, Any]]:
    """Each capstone input: its value, and whether it is yours or the curriculum's reference.

    A result you skipped gets a plain message (from ``steward.results.recall``) and the
    reference value; a result kept in a shape the capstone cannot read gets the same."""
    kept = results.all_results()
    out = {}
    for key, (what, _, _) in CAPSTONE_KEYS.items():
        if key in kept:
            value = normalise(key, kept[key])
            if value is not None:
                out[key] = {"what": what, "value": value, "source": "yours"}
                continue
            if not quiet:
                text = f"Your kept {key} ({kept[key]!r}) cannot be read as {what}; using the reference value instead."
                feedback.show(feedback.bundle(text, f"<div class='steward-result'>{text}</div>"))
            out[key] = {"what": what, "value": _default(key), "source": "reference (yours could not be read)"}
            continue
        kind = CAPSTONE_KEYS[key][2]
        shown = None if kind == "text" else (lambda v, k=key: format_input(k, v))
        value = _default(key) if quiet else results.recall(key, default=lambda k=key: _default(k), what=what, shown=shown)
        read = normalise(key, value)
        out[key] = {"what": what, "value": _default(key) if read is None else read, "source": "reference"}
    return out


def reference_inputs() -> dict[str, dict[str, Any]]:
    """The capstone's inputs as a learner who kept nothing sees them."""
    return {k: {"what": v[0], "value": _default(k), "source": "reference"} for k, v in CAPSTONE_KEYS.items()}


def money_range(low: float, high: float) -> str:
    """A monthly range in the canon's currency: '$134k–$405k a month'."""
    return f"{cartwheel.money(low)}–{cartwheel.money(high)} a month"


def format_input(key: str, value: Any) -> str:
    """How a value reads in the doc: '99.99%', '12.4 ms', '$134k–$405k a month', '0 s (no cache)'."""
    kind = CAPSTONE_KEYS[key][2]
    if kind == "fraction":
        return f"{100 * value:.2f}%"
    if kind == "ms":
        return f"{value:.1f} ms"
    if kind == "seconds":
        return f"{value:g} s" if value > 0 else "0 s (no cache)"
    if kind == "range":
        return money_range(*value)
    if kind == "names":
        return ", ".join(value)
    return str(value)


def inputs_table(inputs: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """One row per input. The key names its module, so "what" drops "your" and "(module NN)": pandas cuts
    a cell past 50 characters, and "your coordination choice for a correctness loc…" read as a glitch."""
    return pd.DataFrame([{"key": k, "what": _short_what(v["what"]), "value": format_input(k, v["value"]),
                          "source": v["source"]} for k, v in inputs.items()]).set_index("key")


def _short_what(what: str) -> str:
    return re.sub(r"^your\s+|\s*\(module \d\d[^)]*\)", "", str(what))


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def _side(inside: bool) -> str:
    return "inside" if inside else "outside"


@dataclass(frozen=True)
class CapstoneFacts:
    """Everything the doc, the skeleton and the rubric say about Cartwheel, composed from the
    inputs and computed on the data: each sentence reads right for any option module 02 can
    produce and any TTL module 09 can produce (0 s = no cache)."""

    top_risk: str
    choice: str
    ranked: tuple[str, ...]       #: module 02's ranked options, best first (the choice included)
    fencing: bool | None          #: does the choice give a fencing token (None: not in module 02's data)
    database_only: bool | None    #: is the choice a write on the database row itself, no lock service (module 02)
    availability: float
    p99_today_ms: float           #: the learner's p99 (module 04)
    revenue: tuple[float, float]
    ttl_s: float
    meet_first: tuple[str, ...]
    p99_at_ttl_ms: float          #: the call's p99 at this TTL, on the request log
    p99_no_cache_ms: float        #: … with no cache
    p99_today_ttl_ms: float       #: … at the TTL in production today
    hit_share: float              #: share of calls the cache serves at this TTL

    @property
    def cached(self) -> bool:
        return self.ttl_s > 0

    @property
    def inside(self) -> bool:
        return cartwheel.LATENCY.met_by(self.p99_at_ttl_ms)

    @property
    def no_cache_inside(self) -> bool:
        return cartwheel.LATENCY.met_by(self.p99_no_cache_ms)

    @property
    def availability_ok(self) -> bool:
        return cartwheel.AVAILABILITY.met_by(self.availability)

    @property
    def read_factor(self) -> float:
        """How many times the inventory reads of this design a no-cache design would send."""
        return 1.0 / (1.0 - self.hit_share)

    @property
    def ttl(self) -> str:
        return f"{self.ttl_s:g} s"

    @property
    def revenue_text(self) -> str:
        return money_range(*self.revenue)

    @property
    def availability_text(self) -> str:
        return f"{100 * self.availability:.2f}%"

    @property
    def p99_today(self) -> str:
        return _ms(self.p99_today_ms)

    def store(self) -> str:
        """Where stock levels come from: the cache with its TTL, or the inventory service."""
        if self.cached:
            return f"{cartwheel.CACHE_STORE}, cached with a TTL of {self.ttl}"
        return "the inventory service on every call (no cache)"

    def latency_claim(self) -> str:
        """The p99 at this TTL and which side of the SLO it is, computed with the canon's SLI."""
        where = f"with a {self.ttl} TTL" if self.cached else "without a cache"
        return (f"{_first_upper(where)} the call's p99 on the request log is {_ms(self.p99_at_ttl_ms)}, "
                f"{_side(self.inside)} the latency SLO")

    def no_cache_claim(self) -> str:
        if self.cached:
            verdict = ("so the cache is there to spare inventory its reads, not to meet the SLO" if self.no_cache_inside
                       else "so the cache is what keeps the call inside it")
        else:
            verdict = ("so no cache is needed to meet the SLO" if self.no_cache_inside
                       else "so this design breaches the SLO unless something else makes the call faster")
        return (f"without a cache the call's p99 on the request log is {_ms(self.p99_no_cache_ms)}, "
                f"{_side(self.no_cache_inside)} the latency SLO, {verdict}")

    def choice_clause(self) -> str:
        """How module 02's choice keeps two reservation workers from selling the last unit, from its data."""
        if self.database_only:
            return ("a conditional write on the stock row itself, so no lock service is involved: the database "
                    "refuses the second sale")
        if self.fencing is True:
            return "a lock whose fencing token the reservation store checks on every read and write"
        if self.fencing is False:
            return ("a lock that gives no fencing token, so a paused holder can still oversell: module 02's ADR must "
                    "say what stops that")
        return "an option module 02's data does not describe yet: its ADR must say what stops a paused worker"

    def coordination(self) -> str:
        """The lock/coordination decision: a different slot from the cache, and out of this doc's scope."""
        cache = (f"Cache writes take no lock: each stock update written into {cartwheel.CACHE_STORE} carries "
                 f"inventory's version, and an older version never overwrites a newer one, so a paused writer cannot "
                 f"make a sold-out item look in stock for a whole TTL."
                 if self.cached else "With no cache there is nothing to write, and no lock to take.")
        return (f"Coordination is a separate decision (module 02's ADR). Reserving stock, where two workers must never "
                f"both sell the last unit, is out of this doc's scope (see the non-goals); for it module 02 chose "
                f"{self.choice}: {self.choice_clause()}. {cache}")

    def option_lines(self) -> list[str]:
        """One line per option module 02 ranked: the alternatives a reviewer will ask about."""
        reference = reference_ranked_options()
        lines = []
        for option in self.ranked:
            rank = (f"module 02's rank {reference.index(option) + 1} at the team's weights" if option in reference
                    else "your choice in module 02")
            if option == self.choice:
                lines.append(f"{option} ({rank}): module 02's choice for the reservation; see the coordination above.")
            else:
                lines.append(f"{option} ({rank}): it also keeps two reservation workers from selling the last unit, "
                             f"but ranked below {self.choice}; this read path needs no lock, so nothing here changes "
                             f"that.")
        return lines

    def design_alternatives(self) -> list[str]:
        if self.cached:
            first = (f"No cache, a synchronous call to the inventory service on every request: always fresh; "
                     f"{self.no_cache_claim()}. Inventory would serve {self.read_factor:.1f}× the reads of this "
                     f"design, at the peak too.")
        else:
            today = cartwheel.CACHE_TTL_TODAY_S
            need = ("The uncached call is inside the SLO, so the cache would buy inventory's headroom, not latency."
                    if self.no_cache_inside else "The uncached call is outside the SLO, so this alternative deserves a "
                    "second look before we drop the cache.")
            first = (f"Cache stock levels in {cartwheel.CACHE_STORE} with today's {today} s TTL: the call's p99 on the "
                     f"request log would be {_ms(self.p99_today_ttl_ms)}, and inventory would serve "
                     f"{1 - call_hit_share(today):.0%} of the reads it serves without a cache, but any level could be "
                     f"{today} s stale. {need}")
        return [first,
                "A nightly batch of stock levels into the engine: no new load on inventory, but a day stale for fast "
                "sellers in a sale, exactly when it matters.",
                "Hiding sold-out items only at checkout: cheapest, but the customer still sees them and the cart is lost."]


def capstone_facts(inputs: Mapping[str, Mapping[str, Any]] | None = None) -> CapstoneFacts:
    """The capstone's facts from the inputs (yours where kept), computed on the data."""
    inputs = capstone_inputs(quiet=True) if inputs is None else inputs

    def value(key: str) -> Any:
        read = normalise(key, inputs[key]["value"]) if key in inputs else None
        return _default(key) if read is None else read

    choice = str(value("02.choice"))
    ranked = reference_ranked_options()
    ranked = ranked if choice in ranked else [choice, *ranked]
    ttl = float(value("09.ttl_s"))
    return CapstoneFacts(
        top_risk=str(value("01.top_risk")), choice=choice, ranked=tuple(ranked), fencing=option_fencing(choice),
        database_only=option_database_only(choice),
        availability=float(value("03.availability")), p99_today_ms=float(value("04.p99_ms")),
        revenue=tuple(value("07.revenue_range")), ttl_s=ttl, meet_first=tuple(value("10.meet_first")),
        p99_at_ttl_ms=call_p99_at_ttl(ttl), p99_no_cache_ms=call_p99_at_ttl(0),
        p99_today_ttl_ms=call_p99_at_ttl(cartwheel.CACHE_TTL_TODAY_S), hit_share=call_hit_share(ttl),
    )


def design_doc_skeleton(inputs: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """The capstone's starting point: the headings, your numbers, and a question under each.
    It fails the linter on purpose: the answers are yours to write."""
    f = capstone_facts(inputs)
    return f"""# Design doc: real-time inventory checks in recommendations

## Context and scope
Today the engine may recommend items that are out of stock. Your top risk: {f.top_risk}.
(Which calls, which services, what changes?)

## Goals and non-goals
Goals: (in numbers: your p99 today is {f.p99_today}; the SLO: {cartwheel.LATENCY.statement()})
Non-goals:

## The design
(Components, calls, storage: stock levels come from {f.store()}. {f.latency_claim()}.
Which decision needs {f.choice}, your coordination choice, and why is it a different one from the cache?)

## Alternatives considered
- (one alternative, and why not; module 02 ranked {", ".join(f.ranked)})

## Metrics
(What tells you it worked?)
"""


def model_design_doc(inputs: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """A complete doc that passes the linter and the capstone's check, written from the inputs
    (the sample answer). Every Cartwheel figure in it is an input or computed on the data."""
    f = capstone_facts(inputs)
    inv = cartwheel.INVENTORY
    fresh = (f"every stock level a recommendation uses is at most {f.ttl} old (the TTL bounds staleness)" if f.cached
             else "every recommendation uses inventory's current stock level")
    if f.cached:
        design = (f"The engine reads stock levels from {f.store()}. A miss calls the inventory service with a "
                  f"{inv.latency_budget_ms:.0f} ms timeout (its latency budget) and one attempt, behind a circuit breaker; "
                  f"on a timeout or an open breaker the engine uses the cached level, and with none it recommends as today.")
    else:
        design = (f"The engine asks the inventory service for the call's stock levels on every call (no cache), with a "
                  f"{inv.latency_budget_ms:.0f} ms timeout (its latency budget) and one attempt, behind a circuit breaker; "
                  f"on a timeout or an open breaker it recommends as today.")
    avail = ("at or above" if f.availability_ok else "below")
    cache_down = (f"- {cartwheel.CACHE_STORE} down: every call misses and asks inventory, which serves "
                  f"{f.read_factor:.1f}× its usual reads from us; the breaker protects it, and we page if it lasts 5 minutes."
                  if f.cached else
                  "- Inventory down: the breaker opens and the engine recommends as today, unfiltered; we page if it "
                  "lasts 5 minutes.")
    stale = (f"- A flash sale empties stock faster than the TTL: staleness is bounded by {f.ttl}."
             if f.cached else "- A flash sale: no cache, so nothing is stale; inventory's load rises with ours.")
    claim = module_09_claim(f.ttl_s)
    nine = f"\nModule 09's model of this TTL: {claim}" if claim else ""
    options = "\n".join(f"- {line}" for line in f.option_lines())
    designs = "\n".join(f"- {line}" for line in f.design_alternatives())
    return f"""# Design doc: real-time inventory checks in recommendations

## Context and scope
The recommendation engine shows items that are sold out, which support links to abandoned carts. This doc
covers how the engine learns stock levels: the call to the inventory service and what sits in front of it;
ranking is unchanged. Our top failure mode from the pre-mortem: {f.top_risk}.

## Goals and non-goals
Goals:
- Freshness: {fresh}.
- Latency, the SLO: {cartwheel.LATENCY.statement()}. Our p99 today is {f.p99_today} (module 04).
- Availability, the SLO: {cartwheel.AVAILABILITY.statement()}. With the fallback our path's availability is
  {f.availability_text} (module 03), {avail} the objective.

Non-goals:
- Exact stock counts on the product page (the checkout flow owns that).
- Reserving stock when an item is recommended.

## The design
{design}
{f"{f.latency_claim()}; {f.no_cache_claim()}" if f.cached else _first_upper(f.no_cache_claim())}.{nine}

{f.coordination()}

## Alternatives considered
### How the engine learns stock levels
{designs}

### Coordinating the reservation (module 02's ranking; this design needs no lock)
{options}

## Cross-cutting concerns
Security: a read-only, scoped service account for the engine. Privacy: stock levels carry no personal data.
Observability: {"the cache's hit rate, freshness" if f.cached else "the share of calls recommended unfiltered"} and the inventory call's p99 on the team dashboard.

## Failure modes
- Inventory slow at peak: the breaker opens after {inv.latency_budget_ms:.0f} ms timeouts; today's client would wait
  {inv.timeout_ms:.0f} ms × {inv.attempts} attempts, up to {inv.worst_case_ms:.0f} ms, past the {SLO_MS:.0f} ms threshold on its own.
{cache_down}
{stale}

## Metrics
- The {cartwheel.LATENCY.percentile_label} of the recommendation call ≤ {SLO_MS:.0f} ms over {cartwheel.LATENCY.window_days} days, from the request log.
- Cart abandonment in an A/B test; the expected recovered revenue is {f.revenue_text}.

## Rollout and rollback
Behind a feature flag: 1% of traffic for a day, then 10%, 50%, 100%, watching p99, freshness and errors.
Rollback: turn the flag off (under a minute); no data migration to undo.

## Reviewers
{", ".join(f.meet_first)} (product, SRE, inventory and security), before any code is written.
"""
