"""Module 07's models: the A/B statistics, the money, the right-sizing rule and the statement checker.

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
from typing import Any

import numpy as np
import pandas as pd

from steward import checks
from steward.checks import require_frame
from steward.datagen import load

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
