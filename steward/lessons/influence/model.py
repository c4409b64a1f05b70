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

from steward import cartwheel, checks
from steward.checks import require_frame
from steward.datagen import load

MODULE = "07"

#: Cartwheel's facts come from the canon (steward.cartwheel); these are module-local aliases.
#: Monthly cloud prices use the providers' 730-hour month (8,760 h a year / 12).
HOURS_PER_MONTH = cartwheel.HOURS_PER_BILLING_MONTH
LATENCY_SLO_MS = cartwheel.LATENCY.threshold_ms
CURRENCY = cartwheel.CURRENCY
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

    The same result reads as "−2 pp" or "−3%": both true, and confusing them inflates or
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


def srm_p_for_split(share: float, sessions: float) -> float:
    """The SRM p-value of a logged split ``share`` : (1 − share) over ``sessions``, designed 50/50.

    Whether 52/48 is a mismatch depends on how many sessions it is: 52 to 48 is what a fair
    coin gives now and then; 5,200 to 4,800 it almost never gives.
    """
    if not (isinstance(share, (int, float, np.floating)) and 0 < share < 1):
        raise ValueError(f"a share of sessions is a fraction strictly between 0 and 1; got {share!r}")
    if not (isinstance(sessions, (int, float, np.integer, np.floating)) and sessions > 0 and math.isfinite(sessions)):
        raise ValueError(f"the number of sessions is a positive number; got {sessions!r}")
    first = float(share) * float(sessions)
    return srm_check({"first": first, "second": float(sessions) - first}).p_value


def srm_min_sessions(share: float, alpha: float = SRM_ALPHA) -> int:
    """The fewest sessions at which a logged split of ``share`` is flagged at ``alpha``.

    With two arms designed 50/50, χ² = n·(2·share − 1)², and the flag needs χ² above the
    square of the two-sided z for ``alpha``.
    """
    if not (0 < share < 1) or share == 0.5:
        raise ValueError(f"need a share between 0 and 1 other than 0.5; got {share!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha is a fraction between 0 and 1; got {alpha!r}")
    critical = NormalDist().inv_cdf(1 - alpha / 2) ** 2
    return math.ceil(critical / (2 * share - 1) ** 2)


def srm_table(share: float = 0.52, sizes: Sequence[int] | None = None) -> pd.DataFrame:
    """The same logged split at several test sizes: χ², p-value and whether it is flagged.

    By default from a few hundred sessions up to this lab's test (``cartwheel.AB_SESSIONS``)."""
    if sizes is None:
        sizes = (500, 1_000, 5_000, 10_000, cartwheel.AB_SESSIONS)
    rows = []
    for n in sizes:
        p = srm_p_for_split(share, n)
        rows.append({"sessions": int(n), "logged": f"{round(share * n):,} : {round((1 - share) * n):,}",
                     "chi2": 4 * n * (share - 0.5) ** 2, "p_value": p, "mismatch": p < SRM_ALPHA})
    return pd.DataFrame(rows).set_index("sessions")


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


def monthly_sessions() -> float:
    """Cartwheel's sessions a month, from the canon (average calls/s × 30 days ÷ calls per session)."""
    return cartwheel.sessions_per_month()


@dataclass(frozen=True)
class RevenueUncertainty:
    """The monthly revenue with its uncertainty, source by source (delta method).

    ``effect_only`` is the range carried from the effect's CI alone (what :func:`revenue_range`
    gives); ``all_sources`` also carries the sampling error of the cart rate and the order value.
    """

    point: float
    relative_se: dict[str, float]
    effect_only: tuple[float, float]
    all_sources: tuple[float, float]
    confidence: float = CONFIDENCE

    @property
    def widening(self) -> float:
        """How much wider the full range is than the effect-only one, as a fraction (0.01 = 1%)."""
        return (self.all_sources[1] - self.all_sources[0]) / (self.effect_only[1] - self.effect_only[0]) - 1


def revenue_uncertainty(sessions: pd.DataFrame, sessions_per_month: float | None = None,
                        confidence: float = CONFIDENCE) -> RevenueUncertainty:
    """Revenue = sessions × cart rate × drop × order value, each factor measured with error.

    For a product of independent estimates the relative standard errors add in quadrature
    (the delta method): rel SE² ≈ Σ (SEᵢ / valueᵢ)². The drop's SE is the unpooled SE of the
    z-test; the cart rate's is √(c(1 − c)/n) over sessions; the order value's is s/√(orders).
    Sessions a month is the canon's figure, taken as known: the *scale-up* from a test slice to
    all traffic is an assumption a range cannot carry (say it in words).
    """
    frame = _require(sessions, ("arm", "added_to_cart", "purchased", "order_value"), "sessions")
    n_month = monthly_sessions() if sessions_per_month is None else float(sessions_per_month)
    test = abandonment_test(frame, confidence)
    z = z_quantile(confidence)
    drop = -test.diff
    se_drop = (test.ci_high - test.ci_low) / (2 * z)
    share = cart_rate(frame)
    se_share = math.sqrt(share * (1 - share) / len(frame))
    orders = frame.loc[frame["purchased"].astype(bool), "order_value"].astype(float)
    aov = float(orders.mean())
    se_aov = float(orders.std(ddof=1)) / math.sqrt(len(orders))
    rel = {"abandonment change": abs(se_drop / drop) if drop else math.inf,
           "cart rate": se_share / share, "average order value": se_aov / aov}
    point = revenue_per_month(n_month, share, drop, aov)
    effect_only = revenue_range(n_month, share, (test.ci_low, test.ci_high), aov)
    half = z * abs(point) * math.sqrt(sum(v * v for v in rel.values()))
    return RevenueUncertainty(point, rel, effect_only, (point - half, point + half), confidence)


def revenue_bootstrap(sessions: pd.DataFrame, sessions_per_month: float | None = None, reps: int = 400,
                      seed: int = 7) -> np.ndarray:
    """Monthly revenue recomputed on ``reps`` resamples of the sessions (within each arm, with replacement).

    A check on :func:`revenue_uncertainty`: every estimate is redrawn together, with no
    independence assumed. Returns the ``reps`` revenue figures.
    """
    frame = _require(sessions, ("arm", "added_to_cart", "purchased", "order_value"), "sessions")
    if not isinstance(reps, int) or reps < 2:
        raise ValueError(f"need at least 2 resamples; got {reps!r}")
    n_month = monthly_sessions() if sessions_per_month is None else float(sessions_per_month)
    rs = np.random.RandomState(seed)
    totals = {}
    for arm in ("control", "treatment"):
        part = frame[frame["arm"] == arm]
        if part.empty:
            raise ValueError(f"no sessions in the {arm} arm")
        cart = part["added_to_cart"].to_numpy(bool)
        bought = part["purchased"].to_numpy(bool)
        value = part["order_value"].to_numpy(float)
        idx = rs.randint(0, len(part), size=(reps, len(part))).astype(np.int32)
        totals[arm] = (cart[idx].sum(1), (cart & ~bought)[idx].sum(1), bought[idx].sum(1), value[idx].sum(1), len(part))
    c, t = totals["control"], totals["treatment"]
    drop = c[1] / c[0] - t[1] / t[0]
    share = (c[0] + t[0]) / (c[4] + t[4])
    aov = (c[3] + t[3]) / (c[2] + t[2])
    return n_month * share * drop * aov


# -- is the number plausible? (Twyman's law) and the size of the slice -----------------------------
def store_revenue_per_month(sessions: pd.DataFrame, sessions_per_month: float | None = None) -> float:
    """The store's revenue a month today: sessions a month × the *control* arm's revenue per session.

    The control arm is the store without the check; the treatment arm already holds part of the gain.
    On the canon's data this is ``cartwheel.session_money().revenue_per_month()``."""
    frame = _require(sessions, ("arm", "order_value"), "sessions")
    control = frame.loc[frame["arm"] == "control", "order_value"].astype(float)
    if control.empty:
        raise ValueError("no sessions in the control arm")
    n_month = monthly_sessions() if sessions_per_month is None else float(sessions_per_month)
    return float(n_month * control.mean())


@dataclass(frozen=True)
class RevenueClaim:
    """The revenue claim set against the whole store, and against the problem the check attacks."""

    store_per_month: float      #: the store's revenue a month today (control arm)
    share_point: float          #: the point estimate as a share of it (a fraction)
    share_low: float            #: the range's low end as a share
    share_high: float           #: the range's high end as a share
    orders_lift: float          #: relative rise in orders: drop ÷ the share of carts bought today
    rescued_point: float        #: share of stock-out carts the point estimate says the check rescues
    rescued_high: float         #: the same at the range's high end (the CI's largest drop)
    bound: float                #: the most the check could add: every stock-out cart rescued (share of revenue)


def revenue_claim(sessions: pd.DataFrame, sessions_per_month: float | None = None) -> RevenueClaim:
    """What share of Cartwheel's monthly revenue the lab's revenue range claims, and how it compares
    with the ceiling the problem sets (``cartwheel.stockout_revenue_share_bound``).

    The share does not depend on sessions a month: they multiply the claim and the store alike."""
    frame = _require(sessions, ("arm", "added_to_cart", "purchased", "order_value"), "sessions")
    n_month = monthly_sessions() if sessions_per_month is None else float(sessions_per_month)
    test = abandonment_test(frame)
    share, aov = cart_rate(frame), average_order_value(frame)
    point = revenue_per_month(n_month, share, -test.diff, aov)
    low, high = revenue_range(n_month, share, (test.ci_low, test.ci_high), aov)
    store = store_revenue_per_month(frame, n_month)
    stockout = cartwheel.STOCKOUT_CART_SHARE
    return RevenueClaim(store, point / store, low / store, high / store, -test.diff / (1 - test.p1),
                        -test.diff / stockout, -test.ci_low / stockout,
                        stockout / (1 - test.p1))


@dataclass(frozen=True)
class Slice:
    """The test's slice of traffic against a bigger one over the same days (same observed rates)."""

    test_share: float           #: the share of sessions the test enrolled (fraction)
    other_share: float          #: the bigger slice (fraction)
    test_sessions: int
    other_sessions: float       #: sessions the bigger slice enrols in the same days
    scale: float                #: other ÷ test sessions
    narrowing: float            #: how many times narrower the CI (and the money range) gets: √scale
    ci_half_pp: float           #: the test's 95% CI half-width (pp)
    other_ci_half_pp: float
    revenue: tuple[float, float]        #: the test's monthly revenue range
    other_revenue: tuple[float, float]  #: the range the bigger slice would give
    risk_per_day: float         #: revenue a day a treatment as bad as this one is good would cost, at the test's slice
    other_risk_per_day: float   #: the same at the bigger slice


def slice_comparison(sessions: pd.DataFrame, other_share: float = 0.01, days: int | None = None) -> Slice:
    """What ``other_share`` of the traffic for the same days would have bought, and what it would have risked.

    Sessions come from the canon (``cartwheel.sessions_per_month``, ``cartwheel.AB_DAYS``); the interval
    narrows as 1/√n with the observed rates held. The risk: a treatment that *cost* as much as this one
    gains (the point estimate) loses that revenue on the slice it runs on, every day it runs."""
    if not (isinstance(other_share, (int, float)) and 0 < other_share <= 1):
        raise ValueError(f"a share of traffic is a fraction in (0, 1]; got {other_share!r}")
    frame = _require(sessions, ("arm", "added_to_cart", "purchased", "order_value"), "sessions")
    days = cartwheel.AB_DAYS if days is None else int(days)
    n_test = len(frame)
    n_days = cartwheel.sessions_per_month() * days / cartwheel.WINDOW_DAYS
    test_share = cartwheel.ab_traffic_share(n_test, days)
    other = other_share * n_days
    scale = other / n_test
    test = abandonment_test(frame)
    half = (test.ci_high - test.ci_low) / 2
    share, aov, n_month = cart_rate(frame), average_order_value(frame), monthly_sessions()
    narrowing = math.sqrt(scale)
    ci = (test.ci_low, test.ci_high)
    other_ci = (test.diff - half / narrowing, test.diff + half / narrowing)
    point_per_day = revenue_per_month(n_month, share, -test.diff, aov) / cartwheel.WINDOW_DAYS
    return Slice(test_share, float(other_share), n_test, other, scale, narrowing, 100 * half, 100 * half / narrowing,
                 revenue_range(n_month, share, ci, aov), revenue_range(n_month, share, other_ci, aov),
                 point_per_day * test_share, point_per_day * other_share)


# -- the overall evaluation criterion, guardrails and power ---------------------------------------
@dataclass(frozen=True)
class MeanDiff:
    """Treatment − control difference of a per-session mean, with its SE, z, p and CI (Welch, normal)."""

    control: float
    treatment: float
    diff: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float


def revenue_per_session(sessions: pd.DataFrame) -> pd.DataFrame:
    """Per arm: sessions, revenue per session (mean order_value over *all* sessions), its variance and SE.

    Revenue per session is the direct business metric (a candidate OEC): it moves with cart
    rate, abandonment and order value at once, and its variance is large, because most
    sessions are worth 0 and a few are worth a lot.
    """
    frame = _require(sessions, ("arm", "order_value"), "sessions")
    grouped = frame.groupby("arm")["order_value"]
    out = pd.DataFrame({"sessions": grouped.size(), "revenue_per_session": grouped.mean(),
                        "variance": grouped.var(ddof=1)})
    out["se"] = np.sqrt(out["variance"] / out["sessions"])
    return out


def revenue_per_session_test(sessions: pd.DataFrame, confidence: float = CONFIDENCE) -> MeanDiff:
    """Treatment − control revenue per session: a two-sample z-test with unpooled (Welch) variance."""
    table = revenue_per_session(sessions)
    if not {"control", "treatment"} <= set(table.index):
        raise ValueError(f"need a control and a treatment arm; got {list(table.index)}")
    c, t = table.loc["control"], table.loc["treatment"]
    diff = float(t.revenue_per_session - c.revenue_per_session)
    se = float(math.sqrt(c.se ** 2 + t.se ** 2))
    z = diff / se if se > 0 else 0.0
    half = z_quantile(confidence) * se
    return MeanDiff(float(c.revenue_per_session), float(t.revenue_per_session), diff, se, z, two_sided_p(z),
                    diff - half, diff + half)


def minimum_detectable_effect(se_diff: float, alpha: float = 0.05, power: float = 0.80) -> float:
    """The smallest true difference a test with this SE detects with ``power`` at two-sided ``alpha``.

    MDE = (z₁₋α/₂ + z_power) · SE: the observed difference must clear 1.96 SE, and to do so 80%
    of the time the true one must sit 0.84 SE further out [factsheet §7; Kohavi, Tang & Xu 2020].
    """
    if not (isinstance(se_diff, (int, float, np.floating)) and math.isfinite(se_diff) and se_diff > 0):
        raise ValueError(f"a standard error is a positive number; got {se_diff!r}")
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError("alpha and power are fractions between 0 and 1")
    return (NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)) * float(se_diff)


def abandonment_mde_pp(sessions: pd.DataFrame, alpha: float = 0.05, power: float = 0.80,
                       per: str = "carts") -> float:
    """The MDE of cart abandonment (pp) for this test's carts per arm, at the control rate.

    Before the test, the variance is the baseline's: SE = √(p(1 − p)(1/n₁ + 1/n₂)).
    (``per="sessions"`` gives the misconception that counts every session.)
    """
    counts = arm_counts(sessions)
    c, t = counts.loc["control"], counts.loc["treatment"]
    p = c.abandoned / c.carts
    n1, n2 = (c.carts, t.carts) if per == "carts" else (c.sessions, t.sessions)
    return 100 * minimum_detectable_effect(math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2)), alpha, power)


def error_guardrail(sessions: pd.DataFrame, confidence: float = CONFIDENCE) -> ZTest:
    """The errors guardrail: the share of sessions that saw a server error (5xx), treatment vs control."""
    frame = _require(sessions, ("arm", "server_error"), "sessions")
    errors = frame["server_error"].astype(bool).groupby(frame["arm"]).agg(["sum", "size"])
    if not {"control", "treatment"} <= set(errors.index):
        raise ValueError(f"need a control and a treatment arm; got {list(errors.index)}")
    c, t = errors.loc["control"], errors.loc["treatment"]
    return two_proportion_ztest(int(c["sum"]), int(c["size"]), int(t["sum"]), int(t["size"]), confidence)


def error_mde_relative(sessions: pd.DataFrame, alpha: float = 0.05, power: float = 0.80) -> float:
    """The smallest increase in the session error rate this test detects with ``power``, relative to control.

    Guardrails need power too: a rare event in a small test can hide a large relative increase.
    """
    frame = _require(sessions, ("arm", "server_error"), "sessions")
    per_arm = frame.groupby("arm")["server_error"].agg(["mean", "size"])
    p, n1, n2 = per_arm.loc["control", "mean"], per_arm.loc["control", "size"], per_arm.loc["treatment", "size"]
    if not 0 < p < 1:
        raise ValueError("the control arm's error rate must be strictly between 0 and 1")
    return minimum_detectable_effect(math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2)), alpha, power) / p


DECISIONS = ("ship", "do not ship", "rerun", "keep testing")


def guardrail_decision(sessions: pd.DataFrame, check_srm: bool = True, latency_rule: str = "slo") -> str:
    """Ship, do not ship, rerun or keep testing: the OEC decides only when the trust and guardrail checks pass.

    In order [Kohavi, Tang & Xu 2020]: a sample-ratio mismatch makes the test untrustworthy
    (rerun); a guardrail breach blocks the launch (do not ship): the treatment arm's p99 outside
    the latency SLO, the session error rate significantly up (when the log has ``server_error``),
    or revenue per session significantly down; then the OEC (cart abandonment)
    must improve with a CI that excludes zero (ship), else keep testing. ``check_srm=False`` and
    ``latency_rule="any increase"`` give the misconceptions (skipping the trust check; treating
    any slower p99 as a breach).
    """
    if check_srm and sessions_srm(sessions).mismatch:
        return "rerun"
    guard = latency_guardrail(sessions)
    latency_bad = (not guard.inside) if latency_rule == "slo" else guard.added_ms > 0
    errors_up = "server_error" in sessions.columns and error_guardrail(sessions).ci_low > 0
    if latency_bad or errors_up or revenue_per_session_test(sessions).ci_high < 0:
        return "do not ship"
    test = abandonment_test(sessions)
    return "ship" if test.ci_high < 0 else "keep testing"


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
    can_shrink = ~frame["instance_type"].astype(str).map(at_smallest_size)
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


def at_smallest_size(instance_type: str) -> bool:
    """Whether an instance type is its family's smallest size (``.large``): it cannot go down."""
    return str(instance_type).endswith(".large")


def shortcut_extras(costs: pd.DataFrame, **rule: Any) -> list[str]:
    """Services a shortcut rule (``percentile="p50"``, ``resources=("cpu",)``) would shrink that the honest rule keeps.

    Computed, so the lesson names them from the data: a service already at the smallest size
    (the Redis inventory cache) is never among them, whatever the rule.
    """
    honest = saving_by_service(costs)
    shortcut = saving_by_service(costs, **rule)
    return sorted(s for s in shortcut.index if shortcut[s] > 0 and honest.get(s, 0.0) == 0)


def arm_latency(sessions: pd.DataFrame, quantile: float | None = None) -> pd.Series:
    """Per arm, a percentile of the product-page call's server time (ms): the SLO's p99 unless ``quantile``."""
    frame = _require(sessions, ("arm", "latency_ms"), "sessions")
    result = frame.groupby("arm")["latency_ms"].apply(lambda x: cartwheel.call_percentile(x, quantile))
    result.name = "latency_ms"
    return result


def latency_added(sessions: pd.DataFrame, quantile: float | None = None) -> float:
    """Treatment minus control latency (ms) at the SLO's percentile (p99) unless ``quantile``:
    what the real-time check costs users, in the SLO's own terms."""
    per_arm = arm_latency(sessions, quantile)
    return float(per_arm["treatment"] - per_arm["control"])


def latency_mean_added(sessions: pd.DataFrame) -> float:
    """Treatment minus control *mean* latency (ms): the misconception (the SLO bounds a percentile)."""
    frame = _require(sessions, ("arm", "latency_ms"), "sessions")
    means = frame.groupby("arm")["latency_ms"].mean()
    return float(means["treatment"] - means["control"])


@dataclass(frozen=True)
class LatencyGuardrail:
    """The latency guardrail: each arm's p99 (ms), the difference, and the SLO verdict on the treatment arm."""

    control_ms: float
    treatment_ms: float
    added_ms: float
    inside: bool
    slo_ms: float = LATENCY_SLO_MS
    label: str = cartwheel.LATENCY.percentile_label

    def verdict(self) -> str:
        """"inside" or "outside" the latency SLO, computed (never typed into a sentence)."""
        return "inside" if self.inside else "outside"


def latency_guardrail(sessions: pd.DataFrame) -> LatencyGuardrail:
    """The treatment arm's p99 against the canon's latency SLO (``cartwheel.inside_latency_slo``)."""
    frame = _require(sessions, ("arm", "latency_ms"), "sessions")
    per_arm = arm_latency(frame)
    treated = frame.loc[frame["arm"] == "treatment", "latency_ms"]
    if treated.empty or "control" not in per_arm:
        raise ValueError("need a control and a treatment arm with latencies")
    return LatencyGuardrail(float(per_arm["control"]), float(per_arm["treatment"]),
                            float(per_arm["treatment"] - per_arm["control"]), cartwheel.inside_latency_slo(treated))


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
    test_days: int
    traffic_share_pct: float
    cart_rate_pct: float
    aov: float
    sessions_per_month: float
    revenue_low: float
    revenue_high: float
    revenue_point: float
    revenue_full_low: float
    revenue_full_high: float
    store_revenue_monthly: float
    revenue_share_pct: float
    latency_p99_added_ms: float
    latency_p99_control_ms: float
    latency_p99_treatment_ms: float
    treatment_inside_slo: bool
    latency_mean_added_ms: float
    latency_p95_added_ms: float
    latency_p50_added_ms: float
    infra_monthly_usd: float
    saving_pct: float
    saving_monthly_usd: float
    fleet_monthly_usd: float
    confidence_pct: float = 100 * CONFIDENCE
    slo_ms: float = LATENCY_SLO_MS

    def by_unit(self) -> dict[str, dict[str, float]]:
        """Facts grouped by the unit a sentence would write them in (magnitudes: the words carry the sign).

        Latency appears only at the SLO's percentile (p99): a mean or p95 difference is a
        misconception the checker names (:meth:`wrong_latency`), not a supported cost."""
        a = abs
        return {
            "%": {"baseline rate": self.baseline_pct, "treatment rate": self.treatment_pct,
                  "relative change": a(self.rel_pct), "cart rate": self.cart_rate_pct,
                  "confidence level": self.confidence_pct, "right-sizing saving": self.saving_pct,
                  "share of traffic in the test": self.traffic_share_pct,
                  "share of monthly revenue": self.revenue_share_pct,
                  "relative CI bound (low)": a(self.ci_low_pp / self.baseline_pct * 100),
                  "relative CI bound (high)": a(self.ci_high_pp / self.baseline_pct * 100)},
            "pp": {"absolute change": a(self.abs_pp), "CI bound": a(self.ci_low_pp), "CI bound (other)": a(self.ci_high_pp),
                   "CI margin": (self.ci_high_pp - self.ci_low_pp) / 2},
            "$": {"revenue (low)": self.revenue_low, "revenue (high)": self.revenue_high,
                  "revenue (point)": self.revenue_point, "revenue, all sources (low)": self.revenue_full_low,
                  "revenue, all sources (high)": self.revenue_full_high, "average order value": self.aov,
                  "store revenue a month": self.store_revenue_monthly,
                  "infrastructure cost": self.infra_monthly_usd, "right-sizing saving": self.saving_monthly_usd,
                  "fleet spend": self.fleet_monthly_usd},
            "ms": {"added p99 latency": self.latency_p99_added_ms,
                   "control p99 latency": self.latency_p99_control_ms,
                   "treatment p99 latency": self.latency_p99_treatment_ms, "latency SLO": self.slo_ms},
            "": {"sessions in the test": self.sessions_in_test, "carts in the test": self.carts_in_test,
                 "sessions per month": self.sessions_per_month, "z": a(self.z), "p-value": self.p_value,
                 "split share": 50.0, "days of the test": self.test_days},
        }

    def wrong_latency(self) -> dict[str, float]:
        """Latency figures that are true but not the SLO's percentile: a mean, a p95, a median."""
        return {"mean": self.latency_mean_added_ms, "p95": self.latency_p95_added_ms,
                "median": self.latency_p50_added_ms}


def impact_facts(sessions: pd.DataFrame | None = None, costs: pd.DataFrame | None = None,
                 sessions_per_month: float | None = None) -> ImpactFacts:
    """Compute every number of the business case from the data (loads it if not given).

    Sessions a month default to the canon's (:func:`monthly_sessions`)."""
    sessions = load("ab_sessions") if sessions is None else sessions
    costs = load("cloud_costs") if costs is None else costs
    n_month = monthly_sessions() if sessions_per_month is None else float(sessions_per_month)
    test = abandonment_test(sessions)
    counts = arm_counts(sessions)
    abs_pp, rel_pct = changes(test.p1, test.p2)
    share, aov = cart_rate(sessions), average_order_value(sessions)
    low, high = revenue_range(n_month, share, (test.ci_low, test.ci_high), aov)
    money = revenue_uncertainty(sessions, n_month)
    guard = latency_guardrail(sessions)
    table = rightsizing(costs)
    n_test = int(counts["sessions"].sum())
    claim = revenue_claim(sessions, n_month)
    return ImpactFacts(
        baseline_pct=100 * test.p1, treatment_pct=100 * test.p2, abs_pp=abs_pp, rel_pct=rel_pct,
        ci_low_pp=100 * test.ci_low, ci_high_pp=100 * test.ci_high, p_value=test.p_value, z=test.z,
        sessions_in_test=n_test, carts_in_test=int(counts["carts"].sum()), test_days=cartwheel.AB_DAYS,
        traffic_share_pct=100 * cartwheel.ab_traffic_share(n_test, cartwheel.AB_DAYS),
        cart_rate_pct=100 * share, aov=aov, sessions_per_month=n_month,
        revenue_low=low, revenue_high=high,
        revenue_point=revenue_per_month(n_month, share, -test.diff, aov),
        revenue_full_low=money.all_sources[0], revenue_full_high=money.all_sources[1],
        store_revenue_monthly=claim.store_per_month, revenue_share_pct=100 * claim.share_point,
        latency_p99_added_ms=guard.added_ms, latency_p99_control_ms=guard.control_ms,
        latency_p99_treatment_ms=guard.treatment_ms, treatment_inside_slo=guard.inside,
        latency_mean_added_ms=latency_mean_added(sessions), latency_p95_added_ms=latency_added(sessions, 0.95),
        latency_p50_added_ms=latency_added(sessions, 0.5),
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
    """An amount in the canon's currency and format (``cartwheel.money``)."""
    return cartwheel.money(float(value))


def _share_text(pct: float) -> str:
    """A small percentage with two significant digits: 0.022%."""
    return f"{pct:.2g}%" if pct < 1 else f"{pct:.1f}%"


def _millions(value: float) -> str:
    return f"{value / 1e6:,.0f} million"


def impact_statement(facts: ImpactFacts | None = None) -> str:
    """A business-impact statement assembled from the computed numbers (the reference answer).

    Order: outcome metric and baseline, change, uncertainty, business outcome (and the point estimate as a share of the
    store's monthly revenue, the first thing a sceptical reader checks), cost. The SLO
    verdict is computed on the treatment arm's p99 (``cartwheel.inside_latency_slo``).
    """
    f = _facts() if facts is None else facts
    direction = "cut" if f.abs_pp < 0 else "raised"
    verdict = "inside" if f.treatment_inside_slo else "which breaks"
    return (
        f"Real-time inventory checks {direction} cart abandonment from {f.baseline_pct:.1f}% to {f.treatment_pct:.1f}% "
        f"of carts: {abs(f.abs_pp):.1f} pp, or {abs(f.rel_pct):.1f}% relative "
        f"(95% CI {abs(f.ci_high_pp):.1f} to {abs(f.ci_low_pp):.1f} pp; {_p_text(f.p_value)}; "
        f"{f.sessions_in_test:,} sessions over {f.test_days} days, a random {_share_text(f.traffic_share_pct)} of "
        f"the traffic, split 50/50). "
        f"At {_millions(f.sessions_per_month)} sessions a month, {f.cart_rate_pct:.1f}% of them adding to cart, "
        f"and a {_money(f.aov)} average order, that is {_money(f.revenue_low)} to {_money(f.revenue_high)} "
        f"a month in recovered orders, if the effect holds at full traffic; the point estimate, "
        f"{_money(f.revenue_point)}, would be {f.revenue_share_pct:.1f}% of the store's {_money(f.store_revenue_monthly)} "
        f"monthly revenue. "
        f"The cost: {f.latency_p99_added_ms:.1f} ms more p99 latency on the product page's recommendation call "
        f"(the treatment arm's p99 is {f.latency_p99_treatment_ms:.1f} ms, {verdict} the {f.slo_ms:.0f} ms SLO) "
        f"and {_money(f.infra_monthly_usd)} a month for the inventory cache."
    )


# -- reading numbers out of text --------------------------------------------------------------
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<cur>US\$|\$|USD\s?)?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s?(?P<mult>k|K|M|B|bn|million|thousand|billion)(?![A-Za-z]))?"
    r"(?:\s?(?P<unit>%|pp(?![A-Za-z])|p\.p\.|percentage[ -]points?|points?(?![A-Za-z])|percent(?![A-Za-z])"
    r"|ms(?![A-Za-z])|milliseconds?|USD|dollars?|×|x(?![A-Za-z])|times(?![A-Za-z])))?"
)
_MULT = {"k": 1e3, "K": 1e3, "thousand": 1e3, "M": 1e6, "million": 1e6, "B": 1e9, "bn": 1e9, "billion": 1e9}
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


def _rounded_too_far(quantity: Quantity, facts: Mapping[str, float]) -> bool:
    """A written number that is a fact rounded the way it was written ("3 ms" for 3.26 ms) but past the
    5% that :func:`matches_value` allows: a true number said too coarsely, not an invented one."""
    if quantity.bound or not math.isfinite(quantity.value) or quantity.value == 0:
        return False
    digits = re.search(r"\d[\d,]*(?:\.\d+)?", quantity.text)
    if digits is None or ("." not in digits.group(0) and digits.group(0).endswith("0")):
        return False  # a round "30%" or "$400" may be invented: it keeps the plain message
    return any(math.isfinite(v) and v != 0 and min(abs(quantity.value - v), abs(quantity.value - abs(v)))
               <= quantity.place / 2 + 1e-12 for v in facts.values())


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
    "business outcome": "Give the business outcome: revenue per month as a range (low to high) carried from the CI.",
    "cost": "Give the cost: the p99 latency the check adds (ms) or what its infrastructure costs a month.",
}
_EXEMPT_BARE = range(0, 32)  # small whole numbers in prose: days, weeks, "2 arms"


_SLO_INSIDE = re.compile(r"\b(inside|within|meets?|under|below)\b[^.;()]{0,30}\bSLO", re.IGNORECASE)
_SLO_OUTSIDE = re.compile(r"\b(outside|breach\w*|break\w*|violat\w*|exceed\w*|over|above|misses?)\b[^.;()]{0,30}\bSLO",
                          re.IGNORECASE)


_NEGATED = re.compile(r"\b(?:not|never|no|without|n't)\W+(?:\w+\W+){0,2}$|n't\W+(?:\w+\W+){0,2}$", re.IGNORECASE)


def _negated(text: str, start: int) -> bool:
    """Whether the word at ``start`` is negated ("does not breach", "didn't raise", "never exceeds")."""
    return bool(_NEGATED.search(text[max(0, start - 30):start]))


def slo_claim(text: str) -> bool | None:
    """What a text claims about the latency SLO: True (inside), False (outside) or None (no claim).
    A negated claim counts as its opposite: "does not breach the SLO" claims inside."""
    inside = outside = False
    for match in _SLO_INSIDE.finditer(text):
        inside, outside = (inside, True) if _negated(text, match.start()) else (True, outside)
    for match in _SLO_OUTSIDE.finditer(text):
        inside, outside = (True, outside) if _negated(text, match.start()) else (inside, True)
    if inside == outside:
        return None
    return inside


# -- reading meaning: numbers in words, periods, direction, roles ------------------------------------
_UNITS_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                "sixteen seventeen eighteen nineteen").split()
_TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_VALUE = {w: i for i, w in enumerate(_UNITS_WORDS)} | _TENS_WORDS | {"hundred": 100}
_NUMBER_WORD = re.compile(r"\b(?:(" + "|".join(_TENS_WORDS) + r")[- ](" + "|".join(_UNITS_WORDS[1:10]) + r")|("
                          + "|".join(sorted(_WORD_VALUE, key=len, reverse=True)) + r"))\b", re.IGNORECASE)
#: Multiples and fractions in words: "twice", "doubled", "by a third".
_MULTIPLE_WORDS = {r"\btwice\b": "2×", r"\bdoubl(?:ed|es|ing)\b": "2×", r"\btripl(?:ed|es|ing)\b": "3×",
                   r"\bquadrupl(?:ed|es|ing)\b": "4×", r"\bhalv(?:ed|es|ing)\b": "by 50%",
                   r"\bby (?:a|one) half\b": "by 50%", r"\bby (?:a|one) third\b": "by 33%",
                   r"\bby (?:a|one) quarter\b": "by 25%", r"\bby (?:a|one) fifth\b": "by 20%"}


def words_to_digits(text: str) -> str:
    """Numbers written in words, as digits: "four percentage points" → "4 percentage points",
    "five times" → "5 times", "sixty-six percent" → "66 percent", "doubled" → "2×"."""
    def number(match: re.Match[str]) -> str:
        if match.group(1):
            return str(_TENS_WORDS[match.group(1).lower()] + _WORD_VALUE[match.group(2).lower()])
        return str(_WORD_VALUE[match.group(3).lower()])

    for pattern, digits in _MULTIPLE_WORDS.items():
        text = re.sub(pattern, digits, text, flags=re.IGNORECASE)
    return _NUMBER_WORD.sub(number, text)


_YEARLY = re.compile(r"\b(?:a|per|each|every|/)\s?(?:year|yr)\b|\bannual(?:ly)?\b|\byearly\b|/\s?(?:year|yr)\b", re.I)
_MONTHLY = re.compile(r"\b(?:a|per|each|every|/)\s?(?:month|mo)\b|\bmonthly\b|/\s?(?:month|mo)\b", re.I)


def _period_windows(text: str, quantities: list[Quantity]) -> list[str]:
    """The words after each number up to the next number that is not its range partner (at most
    60 characters): where "a year" or "a month" says the period of an amount."""
    windows = []
    for i in range(len(quantities)):
        j = i
        while j + 1 < len(quantities) and _RANGE_GAP.match(text[quantities[j].end:quantities[j + 1].start]):
            j += 1
        stop = quantities[j + 1].start if j + 1 < len(quantities) else len(text)
        end = quantities[j].end
        windows.append(text[end:min(stop, end + 60)])
    return windows


_WEEKLY = re.compile(r"\b(?:a|per|each|every|/)\s?week\b|\bweekly\b", re.I)
_DAILY = re.compile(r"\b(?:a|per|each|every|/)\s?day\b|\bdaily\b", re.I)


def _per_month(q: Quantity, window: str) -> Quantity:
    """An amount per year, week or day, as the monthly one the facts hold ("$3.8B to $11.6B a year"
    → a month; "$74M a week" → about $320M a month)."""
    if q.unit != "$" or _MONTHLY.search(window.split(".")[0][:20]):
        return q
    factor = (1 / 12 if _YEARLY.search(window) else 52 / 12 if _WEEKLY.search(window)
              else 365 / 12 if _DAILY.search(window) else 1.0)
    if factor == 1.0:
        return q
    return Quantity(q.text, q.value * factor, q.unit, q.place * factor, q.start, q.end, q.bound)


_UP = re.compile(r"\b(rais\w*|increas\w*|rose|rises?|rising|grew|grow\w*|worsen\w*|jump\w*|climb\w*|went up|pushed\b[^.;]{0,30}\bup|"
                 r"more carts)\b", re.I)
_DOWN = re.compile(r"\b(cut|cuts|reduc\w*|lower\w*|fell|fall\w*|dropp?\w*|decreas\w*|down|improv\w*|fewer|shrank|"
                   r"brought\b[^.;]{0,30}\bdown)\b", re.I)
_SENTENCES = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(])|\n+")


def _direction_issue(text: str, f: ImpactFacts) -> str | None:
    """A sentence about abandonment whose verb or "from … to …" goes against the data's direction."""
    went_down = f.treatment_pct < f.baseline_pct
    for sentence in _SENTENCES.split(text):
        if not re.search(r"abandon", sentence, re.I):
            continue
        head = sentence.split("(")[0]
        ups = [m for m in _UP.finditer(head) if not _negated(head, m.start())]
        downs = [m for m in _DOWN.finditer(head) if not _negated(head, m.start())]
        claimed = "up" if ups and not downs else "down" if downs and not ups else None
        if claimed and (claimed == "down") != went_down:
            word = (ups or downs)[0].group(0)
            return (f"{word!r}: the data says cart abandonment went {'down' if went_down else 'up'}, from "
                    f"{f.baseline_pct:.1f}% (control) to {f.treatment_pct:.1f}% (treatment).")
        span = re.search(r"\bfrom\s+(\d+(?:\.\d+)?)\s*(?:%|percent)?\s+to\s+(\d+(?:\.\d+)?)", head, re.I)
        if span:
            a, b = float(span.group(1)), float(span.group(2))
            if abs(a - f.treatment_pct) < abs(a - f.baseline_pct) and abs(b - f.baseline_pct) < abs(b - f.treatment_pct):
                return (f"'from {span.group(1)} to {span.group(2)}' runs backwards: the baseline (control) is "
                        f"{f.baseline_pct:.1f}%, the treatment {f.treatment_pct:.1f}%.")
    return None


#: Facts that belong to one topic: a number that matches only them, written where that topic is not
#: named, is the right number in the wrong role ("cut abandonment by 13%": 13% is the right-sizing saving).
_ROLE_WORDS = {
    "right-sizing saving": r"right[- ]?siz\w*|sav\w*|fleet|instances?|cloud|spend",
    "cart rate": r"add\w*\s+to\s+cart|add-to-cart|cart\s+rate|adding",
    "share of traffic in the test": r"traffic|random",
    "confidence level": r"\bCI\b|confiden\w*|interval",
    "average order value": r"order|AOV|basket",
    "infrastructure cost": r"cache|infra\w*|cost\w*|runs?|pay|bill|server|hosting",
    "fleet spend": r"fleet|spend|cloud|bill",
    "share of monthly revenue": r"revenue|sales|store|of all|of everything",
    "store revenue a month": r"revenue|sales|store|of all|of everything",
}


def _wrong_role(text: str, q: Quantity, names: list[str]) -> bool:
    bare = [n.split(" (")[0] for n in names]
    if not bare or not all(n in _ROLE_WORDS for n in bare):
        return False
    around = text[max(0, q.start - 50):q.end + 50]
    return not any(re.search(_ROLE_WORDS[n], around, re.IGNORECASE) for n in bare)


_CI_NAMES = {"CI bound", "CI bound (other)", "CI margin"}
_INTERVAL_WORDS = re.compile(r"\b(?:CI|interval|confiden\w*|between|margin)\b|±", re.I)


def _in_interval(text: str, quantities: list[Quantity], i: int) -> bool:
    """Whether quantity ``i`` is written as part of an interval: one end of a range ("0.9 to 3.2 pp"), or
    right after words that announce one ("95% CI", "a margin of")."""
    q = quantities[i]
    neighbours = [(quantities[j], quantities[j + 1]) for j in (i - 1, i) if 0 <= j and j + 1 < len(quantities)]
    paired = any(_RANGE_GAP.match(text[a.end:b.start]) for a, b in neighbours)
    return paired or bool(_INTERVAL_WORDS.search(text[max(0, q.start - 30):q.start]))


#: What the statement checker cannot judge, said with every verdict.
STATEMENT_LIMITS = ("It checks numbers, their roles and directions against the data; it cannot judge whether the "
                    "statement persuades, or whether its claims hold beyond the test: the rubric does that.")


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
    body = words_to_digits(text)
    found = extract_numbers(body)
    quantities = [_per_month(q, w) for q, w in zip(found, _period_windows(body, found), strict=True)]
    hits: dict[str, list[Quantity]] = {}
    for i, q in enumerate(quantities):
        if q.unit is None:
            names = _which(q, everything)
            if not names and math.isfinite(q.value) and q.value == int(q.value) and (int(q.value) in _EXEMPT_BARE or 1900 <= q.value <= 2100):
                report.numbers.append((q.text, "a small whole number (not checked)"))
                continue
        elif q.unit == "×":
            names = []
        else:
            names = _which(q, units[q.unit])
            if q.unit == "%" and re.match(r"\s*(?:relative|in relative terms)\b", body[q.end:q.end + 25], re.I):
                names = [n for n in names if n.startswith("relative")]
            if (q.unit == "pp" and names and set(names) <= _CI_NAMES and matches_value(q, abs(f.rel_pct))
                    and not _in_interval(body, quantities, i)):
                names = []  # the relative change as pp that happens to equal a CI end: a CI end comes in an interval
        if names and q.unit in {"%", "$"} and _wrong_role(body, q, names):
            report.numbers.append((q.text, f"{', '.join(names)}, in the wrong role"))
            report.issues.append(("wrong-role", f"{q.text!r} is the {names[0].split(' (')[0]}, a true number in "
                                  "the wrong place: say which quantity it is, or use the number for this one."))
            continue
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
        elif q.unit == "ms" and (wrong := [k for k, v in f.wrong_latency().items() if matches_value(q, v)]):
            report.issues.append(("latency-not-p99", f"{q.text!r} is the {wrong[0]} latency difference. The latency SLO "
                                  f"bounds the p99 of calls, so the cost users feel is the p99 difference: "
                                  "treatment p99 − control p99."))
        elif q.unit != "×" and _rounded_too_far(q, units.get(q.unit, everything) if q.unit else everything):
            report.issues.append(("too-coarse", f"{q.text!r} is one of the data's numbers rounded too far: at that size, "
                                  "the rounding moves it by more than 5%. Give one more digit."))
        else:
            report.issues.append(("unsupported", f"{q.text!r} is not a number the data gives."))
    direction = _direction_issue(body, f)
    if direction:
        report.issues.append(("direction", direction))
    claim = slo_claim(text)
    if claim is not None and claim != f.treatment_inside_slo:
        truth = "inside" if f.treatment_inside_slo else "outside"
        report.issues.append(("slo-verdict", f"The statement says the treatment is {'inside' if claim else 'outside'} "
                              f"the latency SLO; on the data its p99 ({f.latency_p99_treatment_ms:.1f} ms) is {truth} "
                              f"{f.slo_ms:.0f} ms."))

    def has(*names: str) -> bool:
        return all(name in hits for name in names)

    low_high = has("revenue (low)", "revenue (high)")
    report.parts = {
        "metric": bool(re.search(r"abandon", text, re.IGNORECASE)),
        "baseline": has("baseline rate"),
        "change": has("absolute change"),
        "uncertainty": has("CI bound", "CI bound (other)") or has("CI margin"),
        "business outcome": low_high,
        "cost": has("added p99 latency") or has("infrastructure cost"),
    }
    codes = {code for code, _ in report.issues}
    for part, present in report.parts.items():
        if present:
            continue
        if part == "change" and codes & {"relative-as-pp", "pp-as-percent"}:
            continue
        if part == "cost" and "latency-not-p99" in codes:
            continue
        if part == "business outcome" and has("revenue (point)"):
            report.issues.append(("point-not-range", "The revenue is a single point. Carry the confidence interval through: "
                                  "give the low and the high end."))
            continue
        report.issues.append((f"missing-{part.replace(' ', '-')}", _PART_HELP[part]))
    return report


def statement_rules(text: Any) -> list[str]:
    """The codes of the problems :func:`check_statement` finds (for measuring it on a corpus)."""
    return [code for code, _ in check_statement(text).issues]


def _statement_compare(answer: Any, expected: ImpactFacts) -> checks.Verdict:
    if isinstance(answer, str) and not answer.strip():
        return checks.Verdict(checks.NOT_ATTEMPTED, "The statement is empty.")
    report = check_statement(answer, expected)
    if report.ok:
        return checks.Verdict(checks.PASS, STATEMENT_LIMITS)
    return checks.not_yet(f"{report.summary()} {STATEMENT_LIMITS}")


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
