"""Module 07 — influence with data: from raw A/B sessions to a business-impact statement.

The maths of the lab lives here as small pure functions: the cart-abandonment rate, the
two-proportion z-test and its confidence interval, the sample-ratio-mismatch check, the
revenue range, right-sizing savings, and the sample size and peeking simulation of the
stretch tasks. Then the part that makes a number persuasive *and honest*: a checker that
reads a business-impact statement, pulls every number out of it, and compares each with
what the data gives.

The normal distribution comes from the standard library (``math.erfc`` for tail
probabilities, ``statistics.NormalDist`` for quantiles); scipy is not a dependency.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from steward import checks, plotting
from steward.checks import require_frame
from steward.datagen import load
from steward.tasks import Misconception, Rubric, Task, TaskSet
from steward.widgets import App, FigureView, dropdown, int_slider, slider, w

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MODULE = "07"

#: Scenario parameters of the running case (Cartwheel's analytics dashboard), not claims about real stores.
SESSIONS_PER_MONTH = 400_000
HOURS_PER_MONTH = 730  # 8,760 hours a year / 12: the usual convention for monthly cloud prices
LATENCY_SLO_MS = 200
#: Right-sizing rule: one size down halves the capacity, so utilisation roughly doubles.
#: Keep the 30-day p95 under this after the move → shrink only if p95 < HEADROOM / 2 today.
HEADROOM_PCT = 80.0
#: The service whose cluster serves the real-time checks.
CHECK_INFRA_SERVICE = "inventory-cache"
CONFIDENCE = 0.95
SRM_ALPHA = 0.01  # the threshold this course uses to flag a sample-ratio mismatch

SESSION_COLUMNS = ("arm", "added_to_cart", "purchased")
COST_COLUMNS = ("service", "hourly_cost_usd", "cpu_p95_pct", "mem_p95_pct")


# -- the normal distribution, from the standard library ------------------------------------
def normal_cdf(x: float) -> float:
    """P(Z ≤ x) for a standard normal, via ``erfc`` (accurate far into the tails)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def two_sided_p(z: float) -> float:
    """P(|Z| ≥ |z|): the chance of a difference at least this large if there were none."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def z_quantile(confidence: float) -> float:
    """The z with ``confidence`` of a standard normal between −z and +z (1.96 for 95%)."""
    if not 0 < confidence < 1:
        raise ValueError(f"a confidence level is a fraction between 0 and 1, e.g. 0.95; got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def chi2_1df_p(chi2: float) -> float:
    """Upper tail of a chi-squared with 1 degree of freedom: it is Z², so P = erfc(√(χ²/2))."""
    if not chi2 >= 0:
        raise ValueError(f"a chi-squared statistic is ≥ 0; got {chi2}")
    return math.erfc(math.sqrt(chi2 / 2.0))


# -- the metric ----------------------------------------------------------------------------
_require = require_frame


def arm_counts(sessions: pd.DataFrame) -> pd.DataFrame:
    """Per arm: sessions, carts (sessions that added to cart), abandoned carts, purchases.

    Cart abandonment's denominator is *carts*: a session that never added anything cannot
    abandon a cart, so counting it would dilute the metric with browsing.
    """
    frame = _require(sessions, SESSION_COLUMNS, "sessions")
    carted = frame["added_to_cart"].astype(bool)
    bought = frame["purchased"].astype(bool)
    grouped = pd.DataFrame({"arm": frame["arm"], "sessions": 1, "carts": carted,
                            "abandoned": carted & ~bought, "purchases": bought}).groupby("arm").sum()
    grouped.index.name = "arm"
    return grouped.astype(int)


def cart_abandonment(sessions: pd.DataFrame) -> pd.Series:
    """Cart-abandonment rate per arm, a fraction: abandoned carts / carts."""
    counts = arm_counts(sessions)
    if (counts["carts"] == 0).any():
        raise ValueError("an arm has no carts, so its abandonment rate is undefined")
    rates = counts["abandoned"] / counts["carts"]
    rates.name = "cart_abandonment"
    return rates


def changes(control: float, treatment: float) -> tuple[float, float]:
    """(absolute change in percentage points, relative change in %), treatment − control.

    The same result reads as "−4 pp" or "−6%": both true, and confusing them inflates or
    deflates a claim. Say which one you mean, every time.
    """
    if not (math.isfinite(control) and math.isfinite(treatment)) or control <= 0:
        raise ValueError(f"need finite rates with a positive baseline; got {control!r}, {treatment!r}")
    return 100 * (treatment - control), 100 * (treatment - control) / control


# -- is it real? -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ZTest:
    """A two-proportion z-test of p2 − p1 and its confidence interval (fractions)."""

    p1: float
    p2: float
    diff: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    confidence: float = CONFIDENCE

    @property
    def ci_pp(self) -> tuple[float, float]:
        return 100 * self.ci_low, 100 * self.ci_high


def two_proportion_ztest(x1: int, n1: int, x2: int, n2: int, confidence: float = CONFIDENCE) -> ZTest:
    """Test whether x2/n2 differs from x1/n1 [OpenIntro Statistics, §6.2].

    The z statistic uses the *pooled* standard error, because under the null hypothesis
    both arms share one rate. The confidence interval uses the *unpooled* one, because it
    describes the difference we actually observed.
    """
    for name, value in (("x1", x1), ("n1", n1), ("x2", x2), ("n2", n2)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise ValueError(f"{name} must be a whole count; got {value!r}")
    if n1 <= 0 or n2 <= 0 or not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        raise ValueError(f"need 0 ≤ x ≤ n and n > 0 in both arms; got {x1}/{n1} and {x2}/{n2}")
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    diff = p2 - p1
    if se_pooled == 0:
        z, p = 0.0, 1.0
    else:
        z = diff / se_pooled
        p = two_sided_p(z)
    half = z_quantile(confidence) * se
    return ZTest(p1, p2, diff, z, p, diff - half, diff + half, confidence)


def abandonment_test(sessions: pd.DataFrame, confidence: float = CONFIDENCE) -> ZTest:
    """The z-test of cart abandonment, treatment vs control, counted per cart."""
    counts = arm_counts(sessions)
    if not {"control", "treatment"} <= set(counts.index):
        raise ValueError(f"need a control and a treatment arm; got {list(counts.index)}")
    c, t = counts.loc["control"], counts.loc["treatment"]
    return two_proportion_ztest(int(c.abandoned), int(c.carts), int(t.abandoned), int(t.carts), confidence)


@dataclass(frozen=True)
class SRM:
    """A sample-ratio-mismatch check: did the arms get the share of sessions the design promised?"""

    counts: dict[str, int]
    expected: dict[str, float]
    chi2: float
    p_value: float

    @property
    def mismatch(self) -> bool:
        return self.p_value < SRM_ALPHA


def srm_check(counts: Mapping[str, int] | pd.Series, shares: Mapping[str, float] | None = None) -> SRM:
    """Chi-squared goodness of fit of the observed sessions per arm to the designed split.

    With two arms it has one degree of freedom. A small p says the split is broken, and a
    broken split invalidates the comparison [Kohavi; Fabijan et al., KDD'19]: something
    removed sessions from one arm, and those were not a random sample.
    """
    observed = {str(k): float(v) for k, v in dict(counts).items()}
    if len(observed) != 2:
        raise ValueError(f"the check here compares exactly two arms; got {list(observed)}")
    if any(not math.isfinite(v) or v < 0 for v in observed.values()) or sum(observed.values()) <= 0:
        raise ValueError(f"counts must be non-negative with a positive total; got {observed}")
    shares = {k: 0.5 for k in observed} if shares is None else {str(k): float(v) for k, v in shares.items()}
    if set(shares) != set(observed) or not math.isclose(sum(shares.values()), 1.0) or min(shares.values()) <= 0:
        raise ValueError(f"designed shares must name the same arms, be positive and sum to 1; got {shares}")
    total = sum(observed.values())
    expected = {k: total * shares[k] for k in observed}
    chi2 = sum((observed[k] - expected[k]) ** 2 / expected[k] for k in observed)
    return SRM({k: int(v) for k, v in observed.items()}, expected, chi2, chi2_1df_p(chi2))


def sessions_srm(sessions: pd.DataFrame) -> SRM:
    """The SRM check on a sessions table (designed 50/50)."""
    frame = _require(sessions, ("arm",), "sessions")
    return srm_check(frame["arm"].value_counts().sort_index())


# -- from effect to money -----------------------------------------------------------------
def average_order_value(sessions: pd.DataFrame) -> float:
    """Mean order value over sessions that purchased: the average that multiplies back to revenue."""
    frame = _require(sessions, ("purchased", "order_value"), "sessions")
    orders = frame.loc[frame["purchased"].astype(bool), "order_value"]
    if orders.empty:
        raise ValueError("no session purchased, so there is no average order value")
    return float(orders.mean())


def cart_rate(sessions: pd.DataFrame) -> float:
    """Share of sessions that add to cart (both arms: the treatment does not change it)."""
    frame = _require(sessions, ("added_to_cart",), "sessions")
    return float(frame["added_to_cart"].astype(bool).mean())


def revenue_per_month(sessions_per_month: float, cart_share: float, abandonment_drop: float, aov: float) -> float:
    """Orders recovered per month × average order value.

    The change in abandonment is *per cart*, so it applies to the carts a month brings
    (sessions × cart rate), not to every session.
    """
    for name, value in (("sessions per month", sessions_per_month), ("cart rate", cart_share),
                        ("abandonment drop", abandonment_drop), ("average order value", aov)):
        if not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number; got {value!r}")
    if sessions_per_month < 0 or not 0 <= cart_share <= 1 or aov < 0:
        raise ValueError("sessions and the order value are ≥ 0, and the cart rate is a fraction")
    return float(sessions_per_month * cart_share * abandonment_drop * aov)


def revenue_range(sessions_per_month: float, cart_share: float, ci: tuple[float, float], aov: float) -> tuple[float, float]:
    """Revenue per month as a range carried from the CI of the abandonment change (fractions).

    A drop in abandonment is a gain in orders, so the CI's *upper* end (the smallest drop)
    gives the low end of the revenue range.
    """
    low, high = ci
    if not low <= high:
        raise ValueError(f"a confidence interval is (low, high) with low ≤ high; got {ci}")
    return (revenue_per_month(sessions_per_month, cart_share, -high, aov),
            revenue_per_month(sessions_per_month, cart_share, -low, aov))


# -- the other half: cost ----------------------------------------------------------------
def rightsizing(costs: pd.DataFrame, headroom_pct: float = HEADROOM_PCT, percentile: str = "p95",
                resources: Sequence[str] = ("cpu", "mem")) -> pd.DataFrame:
    """Per instance: monthly cost, whether it can go one size down, and the monthly saving.

    One size down halves vCPUs, memory and price, so utilisation roughly doubles. An
    instance may shrink only if *every* resource's p95 stays under ``headroom_pct`` after
    doubling. The median hides the peaks a service must survive; so does looking at CPU
    alone for a memory-bound cache. (``percentile`` and ``resources`` exist so the lesson
    can show what those shortcuts would claim.)
    """
    frame = _require(costs, ("service", "instance_type", "hourly_cost_usd"), "instances")
    columns = [f"{r}_{percentile}_pct" for r in resources]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the instances lack column(s) {missing}")
    if not 0 < headroom_pct <= 100:
        raise ValueError(f"headroom is a utilisation target in % (0–100]; got {headroom_pct}")
    out = frame[["service", "instance_id", "instance_type"]].copy() if "instance_id" in frame else frame[["service", "instance_type"]].copy()
    out["monthly_cost_usd"] = frame["hourly_cost_usd"].astype(float) * HOURS_PER_MONTH
    can_shrink = ~frame["instance_type"].astype(str).str.endswith(".large")
    fits = np.logical_and.reduce([frame[c].astype(float) * 2 < headroom_pct for c in columns])
    out["over_provisioned"] = fits & can_shrink
    out["saving_usd"] = np.where(out["over_provisioned"], out["monthly_cost_usd"] / 2, 0.0)
    return out


def saving_by_service(costs: pd.DataFrame, **rule: Any) -> pd.Series:
    """Monthly right-sizing saving per service (USD; 0 where nothing can shrink)."""
    table = rightsizing(costs, **rule)
    result = table.groupby("service")["saving_usd"].sum().sort_values(ascending=False)
    result.name = "saving_usd"
    return result


def saving_share(costs: pd.DataFrame, **rule: Any) -> float:
    """Right-sizing saving as a % of the fleet's monthly spend: the honest '−N% infra cost'."""
    table = rightsizing(costs, **rule)
    return float(100 * table["saving_usd"].sum() / table["monthly_cost_usd"].sum())


def monthly_cost(costs: pd.DataFrame, service: str) -> float:
    """What one service's instances cost a month (USD)."""
    frame = _require(costs, ("service", "hourly_cost_usd"), "instances")
    return float(frame.loc[frame["service"] == service, "hourly_cost_usd"].sum() * HOURS_PER_MONTH)


def latency_added(sessions: pd.DataFrame, quantile: float = 0.95) -> float:
    """Treatment minus control latency at ``quantile`` (ms): what the real-time check costs users."""
    frame = _require(sessions, ("arm", "latency_ms"), "sessions")
    q = frame.groupby("arm")["latency_ms"].quantile(quantile)
    return float(q["treatment"] - q["control"])


# -- every number the statement may use --------------------------------------------------------
@dataclass(frozen=True)
class ImpactFacts:
    """Every number the data supports, computed once, each with its unit."""

    baseline_pct: float
    treatment_pct: float
    abs_pp: float
    rel_pct: float
    ci_low_pp: float
    ci_high_pp: float
    p_value: float
    z: float
    sessions_in_test: int
    carts_in_test: int
    cart_rate_pct: float
    aov: float
    sessions_per_month: int
    revenue_low: float
    revenue_high: float
    revenue_point: float
    latency_p50_added_ms: float
    latency_p95_added_ms: float
    latency_p95_control_ms: float
    latency_p95_treatment_ms: float
    infra_monthly_usd: float
    saving_pct: float
    saving_monthly_usd: float
    fleet_monthly_usd: float
    confidence_pct: float = 100 * CONFIDENCE
    slo_ms: float = LATENCY_SLO_MS

    def by_unit(self) -> dict[str, dict[str, float]]:
        """Facts grouped by the unit a sentence would write them in (magnitudes: the words carry the sign)."""
        a = abs
        return {
            "%": {"baseline rate": self.baseline_pct, "treatment rate": self.treatment_pct,
                  "relative change": a(self.rel_pct), "cart rate": self.cart_rate_pct,
                  "confidence level": self.confidence_pct, "right-sizing saving": self.saving_pct,
                  "relative CI bound (low)": a(self.ci_low_pp / self.baseline_pct * 100),
                  "relative CI bound (high)": a(self.ci_high_pp / self.baseline_pct * 100)},
            "pp": {"absolute change": a(self.abs_pp), "CI bound": a(self.ci_low_pp), "CI bound (other)": a(self.ci_high_pp),
                   "CI margin": (self.ci_high_pp - self.ci_low_pp) / 2},
            "$": {"revenue (low)": self.revenue_low, "revenue (high)": self.revenue_high,
                  "revenue (point)": self.revenue_point, "average order value": self.aov,
                  "infrastructure cost": self.infra_monthly_usd, "right-sizing saving": self.saving_monthly_usd,
                  "fleet spend": self.fleet_monthly_usd},
            "ms": {"added p50 latency": self.latency_p50_added_ms, "added p95 latency": self.latency_p95_added_ms,
                   "control p95 latency": self.latency_p95_control_ms,
                   "treatment p95 latency": self.latency_p95_treatment_ms, "latency SLO": self.slo_ms},
            "": {"sessions in the test": self.sessions_in_test, "carts in the test": self.carts_in_test,
                 "sessions per month": self.sessions_per_month, "z": a(self.z), "p-value": self.p_value,
                 "split share": 50.0},
        }


def impact_facts(sessions: pd.DataFrame | None = None, costs: pd.DataFrame | None = None,
                 sessions_per_month: int = SESSIONS_PER_MONTH) -> ImpactFacts:
    """Compute every number of the business case from the data (loads it if not given)."""
    sessions = load("ab_sessions") if sessions is None else sessions
    costs = load("cloud_costs") if costs is None else costs
    test = abandonment_test(sessions)
    counts = arm_counts(sessions)
    abs_pp, rel_pct = changes(test.p1, test.p2)
    share, aov = cart_rate(sessions), average_order_value(sessions)
    low, high = revenue_range(sessions_per_month, share, (test.ci_low, test.ci_high), aov)
    p95 = sessions.groupby("arm")["latency_ms"].quantile(0.95)
    table = rightsizing(costs)
    return ImpactFacts(
        baseline_pct=100 * test.p1, treatment_pct=100 * test.p2, abs_pp=abs_pp, rel_pct=rel_pct,
        ci_low_pp=100 * test.ci_low, ci_high_pp=100 * test.ci_high, p_value=test.p_value, z=test.z,
        sessions_in_test=int(counts["sessions"].sum()), carts_in_test=int(counts["carts"].sum()),
        cart_rate_pct=100 * share, aov=aov, sessions_per_month=int(sessions_per_month),
        revenue_low=low, revenue_high=high,
        revenue_point=revenue_per_month(sessions_per_month, share, -test.diff, aov),
        latency_p50_added_ms=latency_added(sessions, 0.5), latency_p95_added_ms=latency_added(sessions, 0.95),
        latency_p95_control_ms=float(p95["control"]), latency_p95_treatment_ms=float(p95["treatment"]),
        infra_monthly_usd=monthly_cost(costs, CHECK_INFRA_SERVICE),
        saving_pct=float(100 * table["saving_usd"].sum() / table["monthly_cost_usd"].sum()),
        saving_monthly_usd=float(table["saving_usd"].sum()), fleet_monthly_usd=float(table["monthly_cost_usd"].sum()),
    )


@cache
def _facts() -> ImpactFacts:
    return impact_facts()


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _money(value: float) -> str:
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.2f}M"
    return f"${value / 1e3:,.0f}k" if abs(value) >= 10_000 else f"${value:,.0f}"


def impact_statement(facts: ImpactFacts | None = None) -> str:
    """A business-impact statement assembled from the computed numbers (the reference answer).

    Order: outcome metric and baseline, change, uncertainty, business outcome, cost.
    """
    f = _facts() if facts is None else facts
    direction = "cut" if f.abs_pp < 0 else "raised"
    return (
        f"Real-time inventory checks {direction} cart abandonment from {f.baseline_pct:.1f}% to {f.treatment_pct:.1f}% "
        f"of carts: {abs(f.abs_pp):.1f} pp, or {abs(f.rel_pct):.1f}% relative "
        f"(95% CI {abs(f.ci_high_pp):.1f} to {abs(f.ci_low_pp):.1f} pp; {_p_text(f.p_value)}; "
        f"{f.sessions_in_test:,} sessions split 50/50). "
        f"At {f.sessions_per_month:,} sessions a month, {f.cart_rate_pct:.1f}% of them adding to cart, "
        f"and a {_money(f.aov)} average order, that is {_money(f.revenue_low)} to {_money(f.revenue_high)} "
        f"a month in recovered orders. "
        f"The cost: {f.latency_p95_added_ms:.0f} ms more p95 latency on the recommendation call "
        f"(still inside the {f.slo_ms:.0f} ms SLO) and {_money(f.infra_monthly_usd)} a month for the inventory cache."
    )


# -- reading numbers out of text --------------------------------------------------------------
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<cur>US\$|\$|USD\s?)?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s?(?P<mult>k|K|M|bn|million|thousand|billion)(?![A-Za-z]))?"
    r"(?:\s?(?P<unit>%|pp(?![A-Za-z])|p\.p\.|percentage[ -]points?|points?(?![A-Za-z])|percent(?![A-Za-z])"
    r"|ms(?![A-Za-z])|milliseconds?|USD|dollars?|×|x(?![A-Za-z])|times(?![A-Za-z])))?"
)
_MULT = {"k": 1e3, "K": 1e3, "thousand": 1e3, "M": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_RANGE_GAP = re.compile(r"^\s*(?:to|and|–|—|-|−|‒)\s*[-−–]?\s*(?:US\$|\$)?$")


def _unit_of(cur: str | None, unit: str | None) -> str | None:
    if cur:
        return "$"
    if not unit:
        return None
    unit = unit.lower()
    if unit in {"%", "percent"}:
        return "%"
    if unit.startswith(("pp", "p.p", "percentage", "point")):
        return "pp"
    if unit.startswith(("ms", "millisecond")):
        return "ms"
    if unit.startswith(("usd", "dollar")):
        return "$"
    return "×"


@dataclass
class Quantity:
    """A number as written in a text, with what it would mean."""

    text: str
    value: float
    unit: str | None  # "%", "pp", "$", "ms", "×" or None (a bare number)
    place: float  # the size of the last significant digit written (for rounding)
    start: int
    end: int
    bound: str = ""  # "<" when written as "p < 0.001"


def _place(digits: str, multiplier: float) -> float:
    digits = digits.replace(",", "")
    if "." in digits:
        return 10.0 ** -min(len(digits.split(".")[1]), 300) * multiplier
    stripped = digits.rstrip("0")
    zeros = len(digits) - len(stripped) if stripped else 0
    return 10.0 ** min(zeros, 300) * multiplier


def extract_numbers(text: Any) -> list[Quantity]:
    """Every number in ``text`` with its unit, magnitude and the precision it was written with.

    A bare number in a range takes its partner's unit ("between 2.1 and 6.0 pp"), and a
    multiplier carries across a range ("$47–129k"). Signs are dropped: in prose the
    words ("fell", "cut") carry the direction. Never raises; non-text gives [].
    """
    if not isinstance(text, str):
        return []
    found: list[Quantity] = []
    mults: list[str | None] = []
    for match in _NUMBER.finditer(text):
        digits = match["num"]
        mult = match["mult"]
        factor = _MULT.get(mult or "", 1.0)
        value = float(digits.replace(",", "")) * factor
        bound = "<" if re.search(r"\bp\s*(?:<|≤|&lt;)\s*$", text[max(0, match.start() - 8):match.start()]) else ""
        found.append(Quantity(match.group(0).strip(), value, _unit_of(match["cur"], match["unit"]),
                              _place(digits, factor), match.start(), match.end(), bound))
        mults.append(mult)
    for i in range(len(found) - 1):
        a, b = found[i], found[i + 1]
        if not _RANGE_GAP.match(text[a.end:b.start]):
            continue
        if a.unit is None and b.unit is not None:
            a.unit = b.unit
        elif b.unit is None and a.unit is not None:
            b.unit = a.unit
        if mults[i] is None and mults[i + 1] is not None:
            factor = _MULT[mults[i + 1]]
            a.value, a.place = a.value * factor, a.place * factor
        elif mults[i + 1] is None and mults[i] is not None:
            factor = _MULT[mults[i]]
            b.value, b.place = b.value * factor, b.place * factor
    return found


def matches_value(quantity: Quantity, fact: float) -> bool:
    """Whether a written number is ``fact`` rounded the way it was written.

    Tolerance: half the last significant digit written (so "66%" covers 65.8%), at least
    1% of the fact, and never more than 5% of it (so "30%" does not stand in for 28%).
    """
    if not math.isfinite(fact):
        return False
    if quantity.bound == "<":
        return 0 <= fact < quantity.value
    tolerance = max(quantity.place / 2, 0.01 * abs(fact))
    tolerance = min(tolerance, max(0.05 * abs(fact), quantity.place / 2 if quantity.place < 1 else 0.0))
    return abs(quantity.value - fact) <= tolerance + 1e-12


def _which(quantity: Quantity, facts: Mapping[str, float]) -> list[str]:
    return [name for name, value in facts.items() if matches_value(quantity, value)]


@dataclass
class StatementReport:
    """What the checker found in a statement: the parts present, and any problems."""

    text: str
    parts: dict[str, bool] = field(default_factory=dict)
    issues: list[tuple[str, str]] = field(default_factory=list)  # (code, sentence)
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (as written, what it matched)

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def codes(self) -> set[str]:
        return {code for code, _ in self.issues}

    def summary(self) -> str:
        if self.ok:
            return "Every part is there and every number matches the data."
        return " ".join(message for _, message in self.issues)

    def __str__(self) -> str:
        lines = [f"{'✔' if v else '✘'} {k}" for k, v in self.parts.items()]
        lines += [f"  {t!r} → {m}" for t, m in self.numbers]
        return "\n".join([*lines, self.summary()])


PARTS = ("metric", "baseline", "change", "uncertainty", "business outcome", "cost")
_PART_HELP = {
    "metric": "Name the metric: cart abandonment.",
    "baseline": "Give the baseline: the control arm's cart-abandonment rate, in %.",
    "change": "Give the absolute change in percentage points (pp).",
    "uncertainty": "Give the uncertainty: both ends of the 95% confidence interval of the change, in pp.",
    "business outcome": "Give the business outcome: revenue per month as a range ($low to $high) carried from the CI.",
    "cost": "Give the cost: the latency the check adds (ms) or what its infrastructure costs ($ a month).",
}
_EXEMPT_BARE = range(0, 32)  # small whole numbers in prose: days, weeks, "2 arms"


def check_statement(text: Any, facts: ImpactFacts | None = None) -> StatementReport:
    """Check a business-impact statement: its six parts, and every number against the data.

    Each number is matched, with its unit, against the facts the data supports (within the
    rounding it was written with). A number the data does not support makes the statement
    *not yet*, however good it sounds. Never raises.
    """
    if not isinstance(text, str):
        report = StatementReport(repr(text)[:60])
        report.issues.append(("not-text", f"Expected the statement as text; got {checks.describe(text)}."))
        return report
    report = StatementReport(text)
    if not text.strip():
        report.issues.append(("empty", "The statement is empty."))
        return report
    f = _facts() if facts is None else facts
    units = f.by_unit()
    everything = {f"{name} ({unit or 'count'})": v for unit, group in units.items() for name, v in group.items()}
    quantities = extract_numbers(text)
    hits: dict[str, list[Quantity]] = {}
    for q in quantities:
        if q.unit is None:
            names = _which(q, everything)
            if not names and math.isfinite(q.value) and q.value == int(q.value) and (int(q.value) in _EXEMPT_BARE or 1900 <= q.value <= 2100):
                report.numbers.append((q.text, "a small whole number (not checked)"))
                continue
        elif q.unit == "×":
            names = []
        else:
            names = _which(q, units[q.unit])
        for name in names:
            hits.setdefault(name.split(" (")[0] if q.unit is None else name, []).append(q)
        if names:
            report.numbers.append((q.text, ", ".join(names)))
            continue
        report.numbers.append((q.text, "not supported by the data"))
        if q.unit == "pp" and matches_value(q, abs(f.rel_pct)) and not any(matches_value(x, abs(f.abs_pp)) for x in quantities if x.unit == "pp"):
            report.issues.append(("relative-as-pp", f"{q.text!r} is the *relative* change (%), written as percentage points. "
                                  "A pp change is the difference of the two rates."))
        elif q.unit == "%" and matches_value(q, abs(f.abs_pp)):
            report.issues.append(("pp-as-percent", f"{q.text!r} is the absolute change written as a %. A % reads as a relative "
                                  "change; write the difference of two rates in pp."))
        else:
            report.issues.append(("unsupported", f"{q.text!r} is not a number the data gives."))

    def has(*names: str) -> bool:
        return all(name in hits for name in names)

    low_high = has("revenue (low)", "revenue (high)")
    report.parts = {
        "metric": bool(re.search(r"abandon", text, re.IGNORECASE)),
        "baseline": has("baseline rate"),
        "change": has("absolute change"),
        "uncertainty": has("CI bound", "CI bound (other)") or has("CI margin"),
        "business outcome": low_high,
        "cost": has("added p95 latency") or has("added p50 latency") or has("infrastructure cost"),
    }
    codes = {code for code, _ in report.issues}
    for part, present in report.parts.items():
        if present:
            continue
        if part == "change" and codes & {"relative-as-pp", "pp-as-percent"}:
            continue
        if part == "business outcome" and has("revenue (point)"):
            report.issues.append(("point-not-range", "The revenue is a single point. Carry the confidence interval through: "
                                  "give the low and the high end."))
            continue
        report.issues.append((f"missing-{part.replace(' ', '-')}", _PART_HELP[part]))
    return report


def _statement_compare(answer: Any, expected: ImpactFacts) -> checks.Verdict:
    if isinstance(answer, str) and not answer.strip():
        return checks.Verdict(checks.NOT_ATTEMPTED, "The statement is empty.")
    report = check_statement(answer, expected)
    return checks.OK if report.ok else checks.not_yet(report.summary())


# -- a chart whose title states the conclusion -------------------------------------------------
def chart_title(answer: Any) -> str | None:
    """The title a reader sees first: the figure's suptitle, else the first Axes title."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(answer, tuple | list) and answer and all(isinstance(a, Figure | Axes) for a in answer):
        answer = answer[0]
    if isinstance(answer, Axes):
        fig, axes = answer.figure, [answer]
    elif isinstance(answer, Figure):
        fig, axes = answer, list(answer.axes)
    else:
        return None
    suptitle = getattr(fig, "_suptitle", None)
    titles = ([suptitle.get_text()] if suptitle is not None else []) + [plotting.title_of(ax) for ax in axes]
    return next((t for t in titles if t and t.strip()), "")


def _chart_compare(answer: Any, expected: ImpactFacts) -> checks.Verdict:
    from matplotlib.axes import Axes

    title = chart_title(answer)
    if title is None:
        return checks.not_yet(f"Expected a matplotlib Axes or Figure; got {checks.describe(answer)}.")
    if not title:
        return checks.not_yet("The chart has no title. What is the one thing a reader should take from it?")
    axes = [answer] if isinstance(answer, Axes) else [a for a in getattr(answer, "axes", []) if isinstance(a, Axes)]
    if isinstance(answer, tuple | list):
        axes = [a for a in answer if isinstance(a, Axes)] or list(getattr(answer[0], "axes", []))
    if not any(ax.get_ylabel().strip() or ax.get_xlabel().strip() for ax in axes):
        return checks.not_yet("Label the axes, with units: a reader needs to know what the bars measure.")
    report = check_statement(title, expected)
    bad = [m for code, m in report.issues if code in {"relative-as-pp", "pp-as-percent", "unsupported"}]
    if bad:
        return checks.not_yet(" ".join(bad))
    key = ("absolute change", "relative change", "CI bound", "CI bound (other)", "baseline rate", "treatment rate",
           "revenue (low)", "revenue (high)")
    if not any(name.split(" (")[0] in key or name in key for _, names in report.numbers for name in names.split(", ")):
        return checks.not_yet(f"The title {title!r} names the topic, not the conclusion: it carries no number from the result.")
    return checks.OK


def conclusion_chart(ax: Axes, sessions: pd.DataFrame | None = None) -> Axes:
    """Cart abandonment per arm with 95% CIs; the title states the result with its number."""
    sessions = load("ab_sessions") if sessions is None else sessions
    counts = arm_counts(sessions)
    test = abandonment_test(sessions)
    rates = counts["abandoned"] / counts["carts"]
    half = z_quantile(CONFIDENCE) * np.sqrt(rates * (1 - rates) / counts["carts"])
    colours = [plotting.NEUTRAL, plotting.GOOD]
    ax.bar(rates.index, 100 * rates, yerr=100 * half, color=colours, capsize=6)
    for i, rate in enumerate(rates):
        ax.annotate(f"{100 * rate:.1f}%", (i, 100 * rate), xytext=(12, 4), textcoords="offset points")
    low, high = test.ci_pp
    plotting.finish(
        ax,
        f"Real-time checks cut cart abandonment by {abs(100 * test.diff):.1f} pp\n"
        f"(95% CI {abs(high):.1f}–{abs(low):.1f} pp, {test.p1:.1%} → {test.p2:.1%} of carts)",
        "arm", "cart abandonment (% of carts)",
    )
    ax.set_ylim(0, 100)
    return ax


def _chart_figure(title: str) -> Figure:
    """A chart of the per-arm rates with a given title (for the contract's wrong answers)."""
    fig, ax = plotting.new_figure(6, 3.5)
    rates = cart_abandonment(load("ab_sessions"))
    ax.bar(rates.index, 100 * rates)
    plotting.finish(ax, title, "arm", "cart abandonment (% of carts)")
    return fig


def _reference_chart() -> Figure:
    fig, ax = plotting.new_figure(6, 3.5)
    conclusion_chart(ax)
    return fig


# -- stretch: how many users, and why you must not peek ----------------------------------------
def sample_size_per_arm(baseline: float, delta: float, alpha: float = 0.05, power: float = 0.80) -> float:
    """Units per arm to detect an absolute change ``delta`` from ``baseline`` (two-sided test).

    n = (z₁₋α/₂·√(2p̄q̄) + z₁₋β·√(p₁q₁ + p₂q₂))² / δ². Halving δ needs about 4× the units;
    the rule of thumb 16σ²/δ² is the same formula with z's rounded and p̄ ≈ p₁.
    """
    for name, value in (("baseline", baseline), ("delta", delta), ("alpha", alpha), ("power", power)):
        if not isinstance(value, (int, float, np.floating)) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number; got {value!r}")
    p1, p2 = baseline, baseline + delta
    if not (0 < p1 < 1 and 0 < p2 < 1) or delta == 0:
        raise ValueError(f"need 0 < baseline < 1, 0 < baseline + delta < 1 and delta ≠ 0; got {baseline}, {delta}")
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError("alpha and power are fractions between 0 and 1")
    bar = (p1 + p2) / 2
    z_a = NormalDist().inv_cdf(1 - alpha / 2)
    z_b = NormalDist().inv_cdf(power)
    root = z_a * math.sqrt(2 * bar * (1 - bar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return root**2 / delta**2


def peeking_false_positive_rate(looks: int, sims: int = 200_000, z_crit: float = 1.96, seed: int = 7) -> float:
    """Share of A/A tests (no real effect) declared significant when checked at ``looks`` equally spaced times.

    At each look the z statistic is the running sum of the increments so far over √k (a
    standardised random walk); the test "wins" the first time |z| > ``z_crit``.
    """
    if not isinstance(looks, (int, np.integer)) or isinstance(looks, bool) or looks < 1:
        raise ValueError(f"looks must be a whole number ≥ 1; got {looks!r}")
    if sims < 1 or not z_crit > 0:
        raise ValueError("need at least one simulation and a positive critical value")
    rs = np.random.RandomState(seed)
    walk = np.cumsum(rs.randn(int(sims), int(looks)), axis=1, dtype=np.float64)
    z = walk / np.sqrt(np.arange(1, looks + 1))
    return float((np.abs(z) > z_crit).any(axis=1).mean())


# -- the widget: how wide is the money? -------------------------------------------------------------
@dataclass(frozen=True)
class ImpactView:
    """What the explorer shows: the CI of the change (pp) and the revenue range it implies (USD a month)."""

    point_pp: float
    ci_low_pp: float
    ci_high_pp: float
    revenue_low: float
    revenue_high: float
    revenue_point: float
    crosses_zero: bool
    title: str
    test_scale: float = 1.0

    def readout(self) -> str:
        return (f"change {self.point_pp:+.2f} pp (CI {self.ci_low_pp:+.2f} to {self.ci_high_pp:+.2f}) · point estimate "
                f"{_signed_money(self.revenue_point)} a month · a test ×{self.test_scale:g} the size of ours")


def impact_view(counts: pd.DataFrame, sessions_per_month: float, aov: float, confidence: float,
                test_scale: float) -> ImpactView:
    """The revenue range for a test ``test_scale`` times as large (same observed rates).

    More data narrows the CI as 1/√n; the point estimate does not move. The range is what
    a decision can rely on; when it crosses zero, the honest statement is "we don't know yet".
    """
    if not test_scale > 0:
        raise ValueError(f"the test size multiplier must be positive; got {test_scale}")
    c, t = counts.loc["control"], counts.loc["treatment"]
    p1, p2 = c.abandoned / c.carts, t.abandoned / t.carts
    n1, n2 = c.carts * test_scale, t.carts * test_scale
    half = z_quantile(confidence) * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    diff = p2 - p1
    share = counts["carts"].sum() / counts["sessions"].sum()
    low, high = revenue_range(sessions_per_month, share, (diff - half, diff + half), aov)
    point = revenue_per_month(sessions_per_month, share, -diff, aov)
    crosses = low < 0 < high
    level = f"{confidence:.0%}"
    if crosses:
        title = f"{level} CI crosses zero: {_signed_money(low)} to {_signed_money(high)} a month, not yet a result"
    else:
        title = f"At {level} confidence: {_signed_money(low)} to {_signed_money(high)} a month"
    return ImpactView(100 * diff, 100 * (diff - half), 100 * (diff + half), low, high, point, crosses, title, test_scale)


def _signed_money(value: float) -> str:
    sign = "−" if value < 0 else "+"
    value = abs(value)
    return f"{sign}${value / 1e6:.2f}M" if value >= 1e6 else f"{sign}${value / 1e3:.0f}k"


class ImpactRange(App):
    """Sessions a month, order value, confidence level and test size → the revenue range.

    The chart shows the CI of the change in abandonment on a fixed axis (so redraws blit),
    and the title carries the money.
    """

    title = "Impact range explorer: how much is the change worth, and how sure are we?"

    def __init__(self, sessions: pd.DataFrame | None = None) -> None:
        sessions = load("ab_sessions") if sessions is None else sessions
        self.counts = arm_counts(sessions)
        self.aov = average_order_value(sessions)
        self.figure = FigureView(width=7.5, height=2.4, margins={"top": 0.97, "bottom": 0.2, "left": 0.03, "right": 0.97})
        ax = self.figure.ax
        ax.axvline(0, color=plotting.NEUTRAL, linewidth=1)
        ax.set_xlim(-12, 6)
        ax.set_ylim(-1, 1)
        ax.set_yticks([])
        ax.set_xlabel("change in cart abandonment, treatment − control (pp)")
        ax.set_title("At 95% confidence: …", fontsize=10)
        self.readout = w.HTML()
        self._title = plotting.title_artist(ax)
        self._title.set_parse_math(False)  # "$" is money here, not mathtext (which is also 10× slower)
        (self._range,) = ax.plot([0, 0], [0, 0], color=plotting.GOOD, linewidth=8, solid_capstyle="butt")
        (self._point,) = ax.plot([0], [0], "o", color=plotting.PALETTE["black"], markersize=8)
        ax.annotate("← fewer carts abandoned", (0.01, 0.06), xycoords="axes fraction", fontsize=8, color=plotting.NEUTRAL)
        ax.annotate("more abandoned →", (0.99, 0.06), xycoords="axes fraction", ha="right", fontsize=8, color=plotting.NEUTRAL)
        self.figure.animate(self._range, self._point)
        self.figure.title_as_caption(ax)
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "sessions_per_month": int_slider("sessions a month", SESSIONS_PER_MONTH, 100_000, 5_000_000, 100_000),
            "aov": slider("average order value ($)", round(self.aov, 2), 10, 300, 1),
            "confidence": dropdown("confidence", [("80%", 0.80), ("90%", 0.90), ("95%", 0.95), ("99%", 0.99)], 0.95),
            "test_scale": slider("test size × (same rates)", 1.0, 0.25, 4.0, 0.25),
        }

    def layout(self) -> w.Widget:
        return w.VBox([w.HBox(list(self.inputs.values())[:2]), w.HBox(list(self.inputs.values())[2:]),
                       self.figure.widget, self.readout])

    def compute(self, sessions_per_month: int, aov: float, confidence: float, test_scale: float) -> ImpactView:
        return impact_view(self.counts, sessions_per_month, aov, confidence, test_scale)

    def draw(self, state: ImpactView) -> None:
        self._range.set_data([state.ci_low_pp, state.ci_high_pp], [0, 0])
        self._range.set_color(plotting.BAD if state.crosses_zero else plotting.GOOD)
        self._point.set_data([state.point_pp], [0])
        self._title.set_text(state.title)
        self.readout.value = f"<small>{state.readout()}</small>"
        self.figure.render()


#: Every widget of the lesson, by name (the benchmark and robustness tests drive each control).
APPS = {"impact-range": ImpactRange}


# -- the claim to interrogate --------------------------------------------------------------------
EVIDENCE_PARTS = {
    "says the claim has no source yet": lambda t: bool(re.search(r"\b(unsourced|no source|source|cite|citation|unconfirmed|could not find|couldn't find)", t, re.I)),
    "asks for the study (who, how, when)": lambda t: bool(re.search(r"\b(study|survey|report|paper|experiment|research|methodolog)", t, re.I)),
    "asks for the sample": lambda t: bool(re.search(r"\b(sample|respondents|participants|companies|organi[sz]ations|how many|n\s*=)", t, re.I)),
    "asks for the baseline or comparison": lambda t: bool(re.search(r"\b(baseline|compared|comparison|control group|versus|vs\.?|than what|counterfactual)", t, re.I)),
    "asks what 'faster' measures": lambda t: bool(re.search(r"\b(measur|defin|metric|days|weeks|time to|time-to|approval)", t, re.I)),
}


def _restates_claim(text: Any) -> bool:
    """The answer repeats "five times faster" without asking for any evidence."""
    if not isinstance(text, str):
        return False
    claims = re.search(r"(five|5)\s*(times|x|×)", text, re.I)
    questions = any(present(text) for name, present in EVIDENCE_PARTS.items() if name != "asks what 'faster' measures")
    return bool(claims) and not questions


EVIDENCE_SAMPLE = (
    "The essay's 'Gartner: business-impact framing gets buy-in five times faster' has no source we could find, so I "
    "would not repeat it. To believe it I would want the study itself: who ran it, when, and how. I would want the "
    "sample: how many proposals or companies, and how they were chosen (only approved projects would be survivorship "
    "bias). I would want the baseline: faster compared with what, such as the same teams' proposals framed in technical "
    "terms, ideally with proposals randomly assigned to the two framings. And I would want to know what 'faster' measures: "
    "days from proposal to approval, or share approved within a quarter, with the spread, not only the average."
)

EVIDENCE_RUBRIC = Rubric(
    id="07.evidence-rubric",
    title="What evidence would support 'five times faster buy-in'?",
    criteria=[
        "I treat the number as a claim, not a fact, and say so without sneering.",
        "I ask for the study, the sample and how it was chosen.",
        "I name the comparison: faster than what, and whether the groups were comparable (ideally randomised).",
        "I pin down what 'faster' measures and in what unit, and ask for the spread, not only a ratio.",
        "I say what I would do meanwhile: use our own numbers (like this module's statement) instead of the quote.",
    ],
    mid_level=("Gartner is reputable, but I couldn't find the report, so I'd want to read it before using the "
               "number. It probably depends on the company."),
    senior_level=EVIDENCE_SAMPLE + " Until then, I'd make the case with our own A/B result and its range.",
)


# -- tasks -------------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)


def _sessions() -> pd.DataFrame:
    return load("ab_sessions")


def _test() -> ZTest:
    return abandonment_test(_sessions())


def _rates_by(denominator: str) -> pd.Series:
    """Wrong versions of the metric, for the misconceptions."""
    s = _sessions()
    if denominator == "sessions":
        result = (s.added_to_cart & ~s.purchased).groupby(s.arm).mean()
    else:
        result = (~s.purchased).groupby(s.arm).mean()
    result.index.name = "arm"
    return result


def _pair(rel: float = 1e-3, abs_: float = 0.0, what: str = "pair", unit: str = "") -> checks.Comparator:
    """Two numbers (low, high) or (a, b), each within tolerance."""

    def compare(answer: Any, expected: tuple[float, float]) -> checks.Verdict:
        if isinstance(answer, str) or not isinstance(answer, tuple | list | np.ndarray | pd.Series):
            return checks.not_yet(f"Expected a pair of numbers, {what}; got {checks.describe(answer)}.")
        items = list(np.asarray(answer, dtype=object).reshape(-1)) if not isinstance(answer, tuple | list) else list(answer)
        if len(items) != 2:
            return checks.not_yet(f"Expected exactly two numbers, {what}; got {len(items)}.")
        values = [checks._as_float(x) for x in items]
        if any(v is None for v in values):
            return checks.not_yet(f"Both items must be numbers, {what}; got {checks.describe(answer)}.")
        if any(math.isnan(v) for v in values):
            return checks.not_yet("A value is NaN: somewhere a value is missing or a division had no data.")
        wanted = [float(x) for x in expected]
        if all(math.isclose(v, e, rel_tol=rel, abs_tol=abs_) for v, e in zip(values, wanted, strict=True)):
            return checks.OK
        return checks.not_yet(f"({values[0]:,.6g}, {values[1]:,.6g}) is not {what} the data gives{f' (in {unit})' if unit else ''}.")

    return compare


def _ztest_compare(answer: Any, expected: tuple[float, float]) -> checks.Verdict:
    """(z, p): z within 0.2% (either sign: the direction is a convention), p within 2%."""
    verdict = _pair(rel=1, what="(z, p)")(answer, expected)
    if not verdict.passed:
        return verdict
    z, p = (checks._as_float(x) for x in answer)
    if not math.isclose(abs(z), abs(expected[0]), rel_tol=2e-3):
        return checks.not_yet(f"z = {z:.4g} is not the z the data gives.")
    if not math.isclose(p, expected[1], rel_tol=2e-2):
        return checks.not_yet(f"p = {p:.4g} is not the two-sided p-value for the data's z.")
    return checks.OK


def _ztest_with(per: str = "carts", one_sided: bool = False, cdf: bool = False) -> tuple[float, float]:
    s = _sessions()
    if per == "sessions":
        counts = arm_counts(s)
        c, t = counts.loc["control"], counts.loc["treatment"]
        test = two_proportion_ztest(int(c.abandoned), int(c.sessions), int(t.abandoned), int(t.sessions))
    else:
        test = _test()
    p = test.p_value
    if one_sided:
        p = p / 2
    if cdf:
        p = 1 - p
    return test.z, p


def _ci_with(z: float | None = None, unpooled: bool = True, scale: float = 100.0, flip: bool = False) -> tuple[float, float]:
    t = _test()
    q = z_quantile(CONFIDENCE) if z is None else z
    half = q * math.sqrt(t.p1 * (1 - t.p1) / _carts("control") + t.p2 * (1 - t.p2) / _carts("treatment"))
    low, high = t.diff - half, t.diff + half
    if flip:
        low, high = -high, -low
    return scale * low, scale * high


def _carts(arm: str) -> int:
    return int(arm_counts(_sessions()).loc[arm, "carts"])


def _srm_pvalues(kind: str = "right") -> pd.Series:
    out = {}
    for name in ("ab_sessions", "ab_sessions_srm"):
        frame = load(name)
        if kind == "carts":
            counts = frame.loc[frame.added_to_cart, "arm"].value_counts()
            p = srm_check(counts).p_value
        else:
            p = sessions_srm(frame).p_value
            if kind == "cdf":
                p = 1 - p
        out[name] = p
    result = pd.Series(out, name="srm_p_value")
    result.index.name = "dataset"
    return result


def _revenue_with(cart: bool = True, sign: float = 1.0, point: bool = False) -> tuple[float, float]:
    s = _sessions()
    t = _test()
    share = cart_rate(s) if cart else 1.0
    aov = average_order_value(s)
    if point:
        value = revenue_per_month(SESSIONS_PER_MONTH, share, -t.diff, aov)
        return value, value
    low, high = revenue_range(SESSIONS_PER_MONTH, share, (t.ci_low, t.ci_high), aov)
    if sign < 0:
        return -high, -low
    return low, high


def _statement_variant(kind: str) -> str:
    f = _facts()
    text = impact_statement(f)
    if kind == "relative-as-pp":
        return text.replace(f"{abs(f.abs_pp):.1f} pp, or {abs(f.rel_pct):.1f}% relative", f"{abs(f.rel_pct):.1f} pp")
    if kind == "pp-as-percent":
        return text.replace(f"{abs(f.abs_pp):.1f} pp, or {abs(f.rel_pct):.1f}% relative", f"a {abs(f.abs_pp):.1f}% drop")
    if kind == "point":
        return text.replace(f"{_money(f.revenue_low)} to {_money(f.revenue_high)}", _money(f.revenue_point))
    if kind == "unsupported":
        return text + " Right-sizing the fleet will also reduce our infrastructure costs by 30%."
    if kind == "no-uncertainty":
        start = text.index(" (95% CI")
        return text[:start] + text[text.index(")", start) + 1:]
    if kind == "no-cost":
        return text[:text.index(" The cost:")]
    raise ValueError(kind)


def _flags(code: str):
    return lambda answer: isinstance(answer, str) and code in check_statement(answer).codes


def _function_close(cases: Sequence[tuple[float, float]], rel: float = 5e-3) -> checks.Comparator:
    """The learner's sample-size function against the reference on several inputs, within ``rel``."""

    def compare(answer: Any, expected: Any) -> checks.Verdict:
        if not callable(answer):
            return checks.not_yet(f"Expected a function n_per_arm(baseline, delta); got {checks.describe(answer)}.")
        blank = True
        for baseline, delta in cases:
            want = expected(baseline, delta)
            try:
                got = answer(baseline, delta)
            except Exception as error:  # the learner's code: report, never raise
                return checks.not_yet(f"Your function raised {type(error).__name__}: {error} for baseline={baseline}, delta={delta}.")
            if checks.is_placeholder(got):
                continue
            blank = False
            value = checks._as_float(got)
            if value is None or math.isnan(value):
                return checks.not_yet(f"For baseline={baseline}, delta={delta} your function returned {checks.describe(got)}, not a number.")
            if not math.isclose(value, want, rel_tol=rel):
                return checks.not_yet(f"For baseline={baseline}, delta={delta} your function gives {value:,.0f} per arm; that is not what the formula gives.")
        if blank:
            return checks.Verdict(checks.NOT_ATTEMPTED, "Your function returns nothing yet.")
        return checks.OK

    return compare


SAMPLE_SIZE_CASES = ((0.10, 0.01), (0.66, -0.01), (0.66, -0.02), (0.05, 0.005), (0.30, 0.05))


def _rule_of_thumb(baseline: float, delta: float) -> float:
    return 16 * baseline * (1 - baseline) / delta**2


def _one_sided(baseline: float, delta: float) -> float:
    return sample_size_per_arm(baseline, delta, alpha=0.10)


def _total(baseline: float, delta: float) -> float:
    return 2 * sample_size_per_arm(baseline, delta)


TASKS.add(Task(
    id="07.abandonment-per-arm",
    title="Cart abandonment per arm",
    prompt="From `ab_sessions`: a Series arm → cart-abandonment rate, as a fraction (abandoned carts / carts).",
    reference=lambda: cart_abandonment(_sessions()),
    compare=checks.series(rel=1e-3, what="abandonment rate"),
    hints=[
        "Which sessions *can* abandon a cart? Should a session that never added anything count in the denominator?",
        "Keep only sessions with added_to_cart; per arm, the share of those with purchased == False.",
    ],
    misconceptions=[
        Misconception("divided by all sessions",
                      "Your denominator counts sessions that never had a cart. Abandonment is a share of *carts*: "
                      "which sessions should you divide by?", lambda: _rates_by("sessions")),
        Misconception("measured sessions without a purchase",
                      "That is the share of sessions that did not buy, carts or not. The metric is about carts that "
                      "were left behind.", lambda: _rates_by("purchase")),
        Misconception("gave percentages", "Those look like percentages. The task asks for a fraction (0–1).",
                      lambda: 100 * cart_abandonment(_sessions())),
    ],
))

TASKS.add(Task(
    id="07.absolute-change",
    title="The absolute change, in percentage points",
    prompt="Treatment minus control cart abandonment, in percentage points (pp): a number (negative for a drop).",
    reference=lambda: changes(_test().p1, _test().p2)[0],
    compare=checks.number(rel=1e-3, abs=0.005, unit="pp"),
    hints=[
        "If one arm abandons 60 carts in 100 and the other 55, how many points apart are they?",
        "Subtract the control rate from the treatment rate, then multiply the fraction by 100 to get pp.",
    ],
    misconceptions=[
        Misconception("quoted the relative change as pp",
                      "That is the *relative* change: the difference divided by the baseline. Percentage points are "
                      "the plain difference of the two rates.", lambda: changes(_test().p1, _test().p2)[1]),
        Misconception("gave a fraction, not pp", "That is a fraction. One percentage point is 0.01 of a rate: scale it.",
                      lambda: _test().diff),
        Misconception("subtracted the wrong way round",
                      "The sign is flipped. The task asks for treatment − control: did abandonment go up or down?",
                      lambda: -changes(_test().p1, _test().p2)[0]),
        Misconception("used the per-session rates",
                      "Those rates divide by all sessions. Redo it with the per-cart rates from the first task.",
                      lambda: 100 * (_rates_by("sessions")["treatment"] - _rates_by("sessions")["control"])),
    ],
))

TASKS.add(Task(
    id="07.relative-change",
    title="The relative change, in %",
    prompt="The same change relative to the control rate, in % (negative for a drop).",
    reference=lambda: changes(_test().p1, _test().p2)[1],
    compare=checks.number(rel=1e-3, abs=0.005, unit="%"),
    hints=[
        "Relative to what? Which arm's rate is the baseline the change is measured against?",
        "(treatment − control) / control, times 100.",
    ],
    misconceptions=[
        Misconception("gave the absolute change", "That is the absolute change in pp. Relative means divided by the baseline.",
                      lambda: changes(_test().p1, _test().p2)[0]),
        Misconception("divided by the treatment rate",
                      "You divided by the treatment's rate. Which rate is the baseline, the one before the change?",
                      lambda: 100 * _test().diff / _test().p2),
        Misconception("gave a fraction, not %", "That is a fraction; the task asks for %.",
                      lambda: changes(_test().p1, _test().p2)[1] / 100),
    ],
))

TASKS.add(Task(
    id="07.z-test",
    title="Two-proportion z-test",
    prompt="A pair (z, p): the two-proportion z statistic (pooled standard error) and its two-sided p-value, "
           "counted per cart.",
    reference=lambda: (_test().z, _test().p_value),
    compare=_ztest_compare,
    hints=[
        "If there were no effect, both arms would share one abandonment rate. What rate would that be, and what "
        "spread would the difference then have?",
        "Pool the abandoned carts and carts of both arms; SE = √(p̂(1−p̂)(1/n₁+1/n₂)); z = Δ/SE; "
        "p = math.erfc(abs(z) / math.sqrt(2)).",
    ],
    misconceptions=[
        Misconception("one-sided p-value",
                      "Your p is half the two-sided one. Before the test, could abandonment have gone either way?",
                      lambda: _ztest_with(one_sided=True)),
        Misconception("used the CDF instead of the tail",
                      "Your p is close to 1. The p-value is the chance of a |z| at least this *large*: the tail, not "
                      "the body.", lambda: _ztest_with(cdf=True)),
        Misconception("counted sessions, not carts",
                      "Your n is all sessions. The metric is per cart: what are n₁ and n₂?",
                      lambda: _ztest_with(per="sessions")),
    ],
))

TASKS.add(Task(
    id="07.confidence-interval",
    title="95% confidence interval of the change",
    prompt="A pair (low, high): the 95% CI of treatment − control abandonment, in pp (unpooled standard error).",
    reference=lambda: _test().ci_pp,
    compare=_pair(abs_=0.01, what="the 95% CI (low, high)", unit="pp"),
    hints=[
        "The interval describes the difference you observed, not a world with no difference. Which standard "
        "error fits that, and how many of them either side make 95%?",
        "SE = √(p₁q₁/n₁ + p₂q₂/n₂); Δ ± 1.96·SE, times 100 for pp; low first.",
    ],
    misconceptions=[
        Misconception("used a 90% interval",
                      "Your interval is too narrow: that is 90% confidence (z = 1.645). Which z leaves 2.5% in each tail?",
                      lambda: _ci_with(z=z_quantile(0.90))),
        Misconception("used z = 2",
                      "Close: you used z = 2. The 95% two-sided z is a little smaller; "
                      "NormalDist().inv_cdf(0.975) gives it.", lambda: _ci_with(z=2.0)),
        Misconception("gave fractions, not pp", "Those are fractions. The task asks for percentage points.",
                      lambda: _ci_with(scale=1.0)),
        Misconception("control minus treatment",
                      "Your interval is the mirror image: control − treatment. The task asks for treatment − control.",
                      lambda: _ci_with(flip=True)),
    ],
))

TASKS.add(Task(
    id="07.srm-check",
    title="Sample-ratio-mismatch check",
    prompt="A Series dataset → SRM p-value for `ab_sessions` and `ab_sessions_srm` (chi-squared, 1 df, sessions per "
           "arm against the designed 50/50).",
    reference=lambda: _srm_pvalues(),
    compare=checks.series(rel=1e-2, what="SRM p-value"),
    hints=[
        "If the split really were 50/50, how many sessions would you expect in each arm, and how far off is each?",
        "χ² = Σ (observed − expected)² / expected over the two arms, expected = total / 2; p = math.erfc(math.sqrt(χ² / 2)).",
    ],
    misconceptions=[
        Misconception("used the CDF instead of the tail",
                      "Your p-values are 1 minus the right ones. Is a *large* χ² evidence of a mismatch, or of a good split?",
                      lambda: _srm_pvalues("cdf")),
        Misconception("counted carts, not sessions",
                      "You compared carts per arm. Which unit did the splitter assign 50/50?",
                      lambda: _srm_pvalues("carts")),
    ],
))

TASKS.add(Task(
    id="07.average-order-value",
    title="Average order value",
    prompt="The average order value in the test, in USD: a number.",
    reference=lambda: average_order_value(_sessions()),
    compare=checks.number(rel=1e-3, unit="USD"),
    hints=[
        "An order value is 0 for a session that did not buy. Is that an order?",
        "Average order_value over the sessions that purchased, in both arms.",
    ],
    misconceptions=[
        Misconception("averaged over all sessions",
                      "That is revenue per *session*: the zeros of sessions without an order pulled it down. Which "
                      "sessions have an order?", lambda: float(_sessions().order_value.mean())),
        Misconception("used the median",
                      "That is the median order. Revenue adds orders up: which average multiplies back to the total?",
                      lambda: float(_sessions().loc[_sessions().purchased, "order_value"].median())),
    ],
))

TASKS.add(Task(
    id="07.revenue-range",
    title="From effect to money: a range",
    prompt=f"A pair (low, high): revenue recovered per month, in USD, at {SESSIONS_PER_MONTH:,} sessions a month, "
           "carried from the 95% CI (use the test's cart rate and average order value).",
    reference=lambda: _revenue_with(),
    compare=_pair(rel=1e-2, what="the monthly revenue range (low, high)", unit="USD"),
    hints=[
        "The drop in abandonment is per cart. How many carts does a month bring, and how many more of them become orders?",
        "sessions × cart rate × (drop in abandonment) × average order value, once for each end of the CI "
        "(the smallest drop gives the low end).",
    ],
    misconceptions=[
        Misconception("applied the change to every session",
                      "Your range is about 3.5× too big: you applied a per-*cart* change to every session. How many "
                      "sessions add to cart?", lambda: _revenue_with(cart=False)),
        Misconception("kept the sign of the abandonment change",
                      "Your numbers are negative. Abandonment fell, so orders rose: which way does revenue move?",
                      lambda: _revenue_with(sign=-1.0)),
        Misconception("a point, not a range",
                      "Both ends are the point estimate. Carry the confidence interval through: the money is as "
                      "uncertain as the effect.", lambda: _revenue_with(point=True)),
    ],
))

TASKS.add(Task(
    id="07.saving-by-service",
    title="Over-provisioned services",
    prompt="From `cloud_costs`: a Series service → monthly right-sizing saving in USD (0 where nothing can shrink). "
           "An instance can go one size down (half the price) if its CPU *and* memory p95 are under 40%.",
    reference=lambda: saving_by_service(load("cloud_costs")),
    compare=checks.series(rel=1e-3, abs=0.01, what="saving (USD a month)"),
    hints=[
        "After halving an instance its utilisation roughly doubles. Which percentile tells you whether it would "
        "survive the busy hours?",
        "Flag instances with cpu_p95_pct < 40 and mem_p95_pct < 40; saving = hourly cost × 730 / 2; sum per service.",
    ],
    misconceptions=[
        Misconception("used the median (p50)",
                      "You sized on the median. A bursty API is quiet half the time and busy at peak: which "
                      "percentile must fit after the move?", lambda: saving_by_service(load("cloud_costs"), percentile="p50")),
        Misconception("looked at CPU only",
                      "You checked CPU only. A cache can idle its CPU and fill its memory: what else shrinks with the instance?",
                      lambda: saving_by_service(load("cloud_costs"), resources=("cpu",))),
        Misconception("counted the whole instance cost",
                      "Your saving is the whole instance: that turns it off. One size down halves the price.",
                      lambda: 2 * saving_by_service(load("cloud_costs"))),
    ],
))

TASKS.add(Task(
    id="07.saving-share",
    title="The honest '−N% infra cost'",
    prompt="The right-sizing saving as a % of the fleet's monthly spend: a number.",
    reference=lambda: saving_share(load("cloud_costs")),
    compare=checks.number(rel=1e-3, unit="% of spend"),
    hints=[
        "A percentage of what? Of instances, or of dollars?",
        "Total monthly saving / total monthly cost of every instance, times 100.",
    ],
    misconceptions=[
        Misconception("used the median (p50)",
                      "That is the saving a p50 rule claims, and it would shrink services into their peaks. Size on p95.",
                      lambda: saving_share(load("cloud_costs"), percentile="p50")),
        Misconception("share of instances, not of spend",
                      "That is the share of *instances* that can shrink. The claim is about money: weight by cost.",
                      lambda: float(100 * rightsizing(load("cloud_costs"))["over_provisioned"].mean())),
        Misconception("looked at CPU only",
                      "You checked CPU only. What else must fit on the smaller instance?",
                      lambda: saving_share(load("cloud_costs"), resources=("cpu",))),
    ],
))

TASKS.add(Task(
    id="07.impact-statement",
    title="The business-impact statement",
    prompt="A paragraph (a string) with the metric, the baseline, the change in pp, the 95% CI, the revenue "
           "range per month and the cost. Every number in it is checked against the data.",
    reference=_facts,
    compare=_statement_compare,
    hints=[
        "If your product manager repeated your paragraph to a VP, could it survive the follow-ups: how sure "
        "are you, and what does it cost?",
        "Use the numbers you computed: baseline %, change in pp, CI in pp, revenue low–high per month, and the "
        "p95 latency the check adds. Round them; don't invent any.",
    ],
    misconceptions=[
        Misconception("relative change quoted as pp",
                      "Your pp figure is the *relative* change. Percentage points are the difference of the two rates.",
                      lambda: _statement_variant("relative-as-pp"), matches=_flags("relative-as-pp")),
        Misconception("absolute change quoted as %",
                      "'Fell 4%' reads as a relative change. An absolute change between two rates is in pp.",
                      lambda: _statement_variant("pp-as-percent"), matches=_flags("pp-as-percent")),
        Misconception("a point, not a range",
                      "A single revenue figure hides the uncertainty you measured. What do the two ends of the CI "
                      "become in money?", lambda: _statement_variant("point"), matches=_flags("point-not-range")),
        Misconception("a number the data does not support",
                      "One of your numbers is not one the data gives. Where did it come from?",
                      lambda: _statement_variant("unsupported"), matches=_flags("unsupported")),
        Misconception("no uncertainty",
                      "How sure are you? Give the 95% CI of the change.",
                      lambda: _statement_variant("no-uncertainty"), matches=_flags("missing-uncertainty")),
        Misconception("no cost",
                      "Every change costs something. What did the real-time check cost in latency or infrastructure?",
                      lambda: _statement_variant("no-cost"), matches=_flags("missing-cost")),
    ],
    sample_answer=lambda: impact_statement(),
))

TASKS.add(Task(
    id="07.conclusion-chart",
    title="A chart whose title states the conclusion",
    prompt="A matplotlib Axes (or Figure): cart abandonment per arm, axes labelled, and a title that states the "
           "result with its number.",
    reference=_facts,
    compare=_chart_compare,
    hints=[
        "If your VP reads only the title, what do they learn?",
        "Put the change and its unit in the title (e.g. 'X cut Y by N pp'), using your computed numbers; "
        "label the y axis with its unit.",
    ],
    misconceptions=[
        Misconception("a topic, not a conclusion",
                      "'Cart abandonment by arm' names the topic. What did the test show? Put that, with its number, "
                      "in the title.", lambda: _chart_figure("Cart abandonment by arm"),
                      matches=lambda a: chart_title(a) is not None and not extract_numbers(chart_title(a) or "")),
        Misconception("relative change quoted as pp",
                      "Your title's pp figure is the relative change. Percentage points are the difference of the rates.",
                      lambda: _chart_figure(f"Real-time checks cut cart abandonment by {abs(_facts().rel_pct):.1f} pp"),
                      matches=lambda a: "relative-as-pp" in check_statement(chart_title(a) or "").codes),
    ],
    sample_answer=_reference_chart,
))

TASKS.add(Task(
    id="07.evidence-for-claim",
    title="Interrogate 'five times faster buy-in'",
    prompt="A paragraph (a string, ≥ 40 words): what evidence would support the essay's 'Gartner: business-impact "
           "framing gets buy-in five times faster'? Structure is checked; judgment is yours, against the rubric.",
    reference=lambda: "structure",
    compare=checks.structured_text(EVIDENCE_PARTS, min_words=40),
    hints=[
        "If a colleague quoted this number in a planning meeting, what would you need to see before you used it yourself?",
        "Ask for the study, the sample, the comparison (faster than what?) and what 'faster' measures; say it has no source yet.",
    ],
    misconceptions=[
        Misconception("repeated the claim as a fact",
                      "You repeated the number. What would you need to see before you believed it?",
                      lambda: "Gartner found that business-impact framing gets buy-in five times faster, so every "
                              "proposal I write should lead with revenue and cost. That is why I put the money first "
                              "in my statement about the inventory checks, and it is what seniors do when they pitch.",
                      matches=_restates_claim),
    ],
    sample_answer=lambda: EVIDENCE_SAMPLE,
))

TASKS.add(Task(
    id="07.sample-size",
    title="How many carts per arm?",
    prompt="A function n_per_arm(baseline, delta) → carts per arm to detect an absolute change delta (a fraction) "
           "from baseline, with α = 0.05 two-sided and 80% power.",
    reference=lambda: sample_size_per_arm,
    compare=_function_close(SAMPLE_SIZE_CASES),
    hints=[
        "What two errors does the size of a test protect you from, and which z-value goes with each?",
        "n = (z_{1−α/2}·√(2p̄q̄) + z_{1−β}·√(p₁q₁ + p₂q₂))² / δ², with p₂ = p₁ + δ and p̄ their mean; "
        "NormalDist().inv_cdf gives the z's.",
    ],
    misconceptions=[
        Misconception("used the 16σ²/δ² rule of thumb",
                      "That is the rule of thumb 16σ²/δ²: close, but it rounds the z's and ignores that p₂ ≠ p₁. "
                      "Use the exact formula.", lambda: _rule_of_thumb),
        Misconception("one-sided α",
                      "Your n is too small: that is a one-sided test (z = 1.645). Could the change go either way?",
                      lambda: _one_sided),
        Misconception("total, not per arm", "That is both arms together. The task asks per arm.", lambda: _total),
    ],
    stretch=True,
))

TASKS.add(Task(
    id="07.peeking",
    title="What peeking costs",
    prompt="Simulate A/A tests (no real effect) checked at 5 equally spaced looks, stopping at the first |z| > 1.96. "
           "The false-positive rate, as a fraction.",
    reference=lambda: peeking_false_positive_rate(5, sims=100_000),
    compare=checks.number(rel=0, abs=0.01, unit="fraction of tests"),
    hints=[
        "Check the same test five times, each with a 5% chance of a false alarm: is the total 5%, 25%, or in "
        "between, given that each look includes the data of the one before?",
        "Cumulative sums of standard-normal increments, divided by √k at look k, are the z's; count the "
        "simulations where any |z| > 1.96 (vectorise: a sims × 5 array).",
    ],
    misconceptions=[
        Misconception("the nominal 5%", "That is the rate for one look. What happens to it with five chances?",
                      lambda: 0.05),
        Misconception("added 5% per look",
                      "Adding 5% per look gives 25% (five independent looks would give about 23%), but the looks share "
                      "data: a test far from significance at look 2 is still far at look 3. Simulate it.", lambda: 0.25),
        Misconception("gave a percentage", "That looks like a percentage; give a fraction.",
                      lambda: 100 * peeking_false_positive_rate(5, sims=100_000)),
    ],
    stretch=True,
))
