"""Cartwheel's canon: every fact about the running case that more than one place uses.

Cartwheel is the fictional online store that threads through all twelve modules. A learner
who follows one number (the call's p99, the SLO, the traffic, the money) from module to
module must find it the same, or derived. So each fact lives here once, with what it means
and how the others follow from it; the data generators read their parameters from here,
lessons and model answers quote Cartwheel only through this module or through numbers
computed from the data, and ``tests/test_consistency.py`` fails when two places disagree.

Three kinds of fact live here:

* **declared** scenario parameters (the SLOs, the traffic's peak, the dependency settings
  in production today): the world as the course authors set it up;
* **derived** figures (sessions a month, the error budget in calls, the A/B test's share
  of traffic): computed from the declared ones, never typed in twice;
* **measured** figures (the call's p99, order value, cart rate): computed from ``data/``
  by the same code every lesson uses, so they change when the data changes.

Nothing here is a claim about a real store: these are simulation parameters, chosen to
behave like a large retailer's systems. Importing this module is cheap (no pandas): the
measured figures load the data only when first asked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# -- money ------------------------------------------------------------------------------------------------
#: Every amount of money in the course is in this currency, written with this symbol.
CURRENCY = "USD"
CURRENCY_SYMBOL = "$"


def money(amount: float, digits: int = 0) -> str:
    """An amount in the canon's currency, short: ``$143k``, ``$1.2M``, ``$3.4bn``, ``-$20k``.

    One formatter for every lesson, so no model answer prints a dollar range with a € sign."""
    if not isinstance(amount, (int, float)) or isinstance(amount, bool) or not math.isfinite(float(amount)):
        raise ValueError(f"an amount of money is a finite number; got {amount!r}")
    sign = "-" if amount < 0 else ""
    value = abs(float(amount))
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            scaled = value / size
            places = digits if digits else (1 if scaled < 10 else 0)
            return f"{sign}{CURRENCY_SYMBOL}{scaled:,.{places}f}{suffix}"
    return f"{sign}{CURRENCY_SYMBOL}{value:,.{digits}f}"


# -- time -------------------------------------------------------------------------------------------------
#: The SLO window and "a month" of traffic: a rolling 30 days (SRE workbook, "Implementing SLOs").
WINDOW_DAYS = 30
SECONDS_PER_DAY = 86_400
MONTH_SECONDS = WINDOW_DAYS * SECONDS_PER_DAY
#: Cloud prices are quoted per month of 730 hours (8,760 h a year / 12), the providers' convention.
#: Used only to turn an hourly price into a monthly bill; traffic months are 30 days.
HOURS_PER_BILLING_MONTH = 730


# -- traffic ----------------------------------------------------------------------------------------------
#: Recommendation calls per second at the weekly peak (weekend evenings, ~20:00 UTC). Declared:
#: the request log's generator scales its diurnal × weekly curve to this peak. It is also the
#: essay's load ("under 10 ms latency at 20,000 requests per second"), which module 04 tests.
PEAK_CALLS_PER_S = 20_000
#: Calls per second the fleet serves at 100% utilisation (fixed size, no autoscaling).
FLEET_CAPACITY_CALLS_PER_S = 22_500
#: The request log keeps a uniform random 1 call in this many.
REQUEST_LOG_SAMPLING = 40_000
#: Recommendation calls in one shopper's session: about ten pages, each asking for about three
#: carousels (home, product, cart and search surfaces). Declared.
CALLS_PER_SESSION = 30
#: Items a recommendation call returns, each needing a stock level: a carousel of 24. The call
#: looks them up in parallel and waits for the slowest: this is the call's fan-out.
ITEMS_PER_CALL = 24
#: Fulfilment centres; stock is held per centre, so the cache has one key per item and centre.
CENTRES = 50
#: Items in the catalogue that recommendations can show.
CATALOGUE_ITEMS = 400_000


@cache
def average_calls_per_s() -> float:
    """Mean calls/s over the week: the generator's curve averaged (not a separate parameter).

    Derived from :data:`PEAK_CALLS_PER_S` and the shape of the week in
    ``steward.datasets.requests.traffic_shape``; the request log's count × sampling ÷ seconds
    estimates it (module 04 computes that estimate)."""
    from steward.datasets import requests  # the curve lives with its generator

    return float(requests.rate_per_minute().mean())


def sessions_per_month() -> float:
    """Shopper sessions in 30 days: average calls/s × 30 days ÷ calls per session."""
    return average_calls_per_s() * MONTH_SECONDS / CALLS_PER_SESSION


def calls_per_month() -> float:
    """Recommendation calls in 30 days at the week's average rate."""
    return average_calls_per_s() * MONTH_SECONDS


def stock_lookups_per_s() -> float:
    """Stock lookups per second on average: every call looks up :data:`ITEMS_PER_CALL` items."""
    return average_calls_per_s() * ITEMS_PER_CALL


def cache_keys() -> int:
    """Redis keys for stock levels: one per item and fulfilment centre."""
    return CATALOGUE_ITEMS * CENTRES


# -- the A/B test of real-time inventory checks ------------------------------------------------------------
#: Sessions in the first test of real-time inventory checks (module 07's lab), both arms together. Sized so
#: that an effect of about 2 pp on cart abandonment (a ~66% base, ~28% of sessions adding to cart) shows at
#: z ≈ 3.4 on average: carts per arm ≈ 13,000, SE ≈ 0.6 pp (tests/test_consistency.py keeps it past 3.3).
#: Still a tiny slice of the traffic (:func:`ab_traffic_share`); module 07 asks what a bigger slice would
#: have bought.
AB_SESSIONS = 96_000
#: Sessions in the re-run whose analytics beacon lost slow treatment sessions (the SRM file).
AB_SRM_SESSIONS = 12_000
#: Days the test ran.
AB_DAYS = 14
#: Share of sessions in the treatment arm (the rest are control).
AB_TREATMENT_SHARE = 0.5


def ab_traffic_share(sessions: int = AB_SESSIONS, days: int = AB_DAYS) -> float:
    """The share of all sessions the test enrolled: its sessions ÷ the sessions in those days.

    Derived, so the test's size and the store's traffic cannot disagree. It is small: the team
    ran a cautious first test on a random slice, which is why module 07 asks what it could detect."""
    return sessions / (sessions_per_month() * days / WINDOW_DAYS)


# -- the SLOs ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SLO:
    """A service level objective: an SLI, a threshold, an objective and a window.

    Cartwheel's SLOs are **request-based** (on calls, as the SRE workbook recommends for a
    request-serving system): the SLI is the share of calls that are good, over a rolling window.
    A **time-based** reading ("99.9% of the time") counts bad *minutes* instead; the two agree only
    when traffic is flat, so :meth:`time_equivalent_minutes` says what the request budget is worth
    in minutes of full outage at the average rate, and module 00 teaches the difference.

    For the latency SLO, "99% of calls within 200 ms" and "the p99 of calls is at most 200 ms"
    are the same statement: :attr:`percentile` names the percentile to compare with the threshold.
    """

    name: str
    #: What is measured, on what.
    sli: str
    #: What makes one call good.
    good: str
    #: Share of calls that must be good, e.g. 0.999.
    objective: float
    window_days: int = WINDOW_DAYS
    #: Latency threshold in ms (latency SLO only).
    threshold_ms: float | None = None

    @property
    def percentile(self) -> float | None:
        """The percentile of calls the threshold bounds (0.99 for "99% within 200 ms")."""
        return self.objective if self.threshold_ms is not None else None

    @property
    def percentile_label(self) -> str:
        """``p99`` for 0.99, ``p99.9`` for 0.999."""
        value = 100 * self.objective
        return "p" + (f"{value:.10g}")

    @property
    def error_budget(self) -> float:
        """The share of calls that may be bad: 1 − objective (SRE book, ch. 3)."""
        return 1.0 - self.objective

    def budget_calls(self, calls: float | None = None) -> float:
        """Bad calls the window allows, at the canon's monthly traffic unless ``calls`` is given."""
        total = calls_per_month() * self.window_days / WINDOW_DAYS if calls is None else calls
        return self.error_budget * total

    def time_equivalent_minutes(self) -> float:
        """The budget as minutes of total outage at the average rate: budget × window minutes.

        This is what a time-based SLO of the same objective allows. At the weekly peak a minute
        of outage spends :data:`PEAK_CALLS_PER_S` ÷ average calls/s times as much request budget."""
        return self.error_budget * self.window_days * 24 * 60

    def met_by(self, value: float) -> bool:
        """Latency SLO: is an observed percentile (ms) within the threshold? Availability: is an
        observed good share at or above the objective?"""
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(float(value)):
            raise ValueError(f"an observed SLI is a finite number; got {value!r}")
        if self.threshold_ms is not None:
            return float(value) <= self.threshold_ms
        return float(value) >= self.objective

    def statement(self) -> str:
        """The SLO in one sentence, as lessons quote it."""
        if self.threshold_ms is not None:
            return (f"{100 * self.objective:.10g}% of recommendation calls answer within {self.threshold_ms:.0f} ms "
                    f"(the {self.percentile_label} of calls ≤ {self.threshold_ms:.0f} ms), over a rolling "
                    f"{self.window_days} days")
        return (f"{100 * self.objective:.10g}% of recommendation calls succeed (no 5xx), over a rolling "
                f"{self.window_days} days")


#: Availability: a call is good unless the engine answers with a 5xx (or not at all).
#: 4xx are the client's errors and do not count against the engine.
AVAILABILITY = SLO(
    name="availability",
    sli="share of recommendation calls answered without a server error (5xx), measured at the engine",
    good="status below 500",
    objective=0.999,
)

#: Latency: a call is good if the engine answered it within 200 ms (server time, as the request
#: log measures it). The essay's "200 ms latency SLA" is this objective.
LATENCY = SLO(
    name="latency",
    sli="server time of a recommendation call, from arrival to the last byte (the request log's latency_ms)",
    good="latency_ms ≤ 200",
    objective=0.99,
    threshold_ms=200.0,
)

SLOS = (AVAILABILITY, LATENCY)


def good_latency(latency_ms: Any) -> Any:
    """Which calls meet the latency SLO's threshold (works on a number, an array or a Series)."""
    return latency_ms <= LATENCY.threshold_ms


def call_percentile(latency_ms: Any, q: float | None = None) -> float:
    """The latency SLO's percentile of a set of calls (the p99 unless ``q`` is given), in ms.

    One function so that every "inside the SLO" claim uses the same percentile, computed the
    same way (numpy's default linear interpolation, as pandas' ``quantile``)."""
    import numpy as np

    values = np.asarray(latency_ms, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise ValueError("no latencies to take a percentile of")
    return float(np.quantile(values, LATENCY.objective if q is None else q))


def inside_latency_slo(latency_ms: Any) -> bool:
    """Is this set of calls inside the latency SLO: its p99 at most 200 ms?"""
    return LATENCY.met_by(call_percentile(latency_ms))


# -- dependencies -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dependency:
    """A downstream call the engine makes, with the settings in production today."""

    name: str
    #: The share of the call's 200 ms the dependency may take at the p99 (its latency budget).
    latency_budget_ms: float
    #: How long the client waits for one attempt before giving up.
    timeout_ms: float
    #: Attempts per call, the first included (3 = one try and two retries).
    attempts: int
    #: Wait between attempts today.
    backoff: str

    @property
    def worst_case_ms(self) -> float:
        """Time a call can spend on this dependency when every attempt times out."""
        return self.timeout_ms * self.attempts


#: The inventory service, called on a cache miss for the stock levels of a call's items (one
#: batched request per call). Today's client is the one module 03 critiques: three attempts, no
#: backoff, so a call whose attempts all time out spends 300 ms, past the 200 ms SLO.
INVENTORY = Dependency(
    name="inventory service",
    latency_budget_ms=50.0,
    timeout_ms=100.0,
    attempts=3,
    backoff="none (retries at once)",
)

#: Stock levels are cached in Redis with this TTL in production today; module 09 asks which TTL
#: the data supports, and module 11's design doc quotes the learner's answer.
CACHE_STORE = "Redis"
CACHE_TTL_TODAY_S = 60


# -- the request log's latency model (the generator's parameters; the call's p99 is *measured*) -----------
#: Server time of a call whose stock levels all came from Redis: log-normal median and spread (ms).
HIT_MEDIAN_MS, HIT_SIGMA = 1.1, 0.35
#: A call that missed and asked the inventory service for stock levels.
MISS_MEDIAN_MS, MISS_SIGMA = 3.0, 0.38
#: Rare slow outliers (GC pauses, retries): share of calls and their log-normal median (ms).
OUTLIER_RATE, OUTLIER_MEDIAN_MS, OUTLIER_SIGMA = 0.0008, 110.0, 0.6


# -- measured figures (from data/, cached) ----------------------------------------------------------------
@cache
def _requests() -> pd.DataFrame:
    from steward.datagen import load

    return load("requests")


@cache
def _ab() -> pd.DataFrame:
    from steward.datagen import load

    return load("ab_sessions")


def call_p99_ms() -> float:
    """The recommendation call's p99 over the request log's week (all calls, incident included)."""
    return call_percentile(_requests()["latency_ms"])


@dataclass(frozen=True)
class Money:
    """What a session is worth, measured on the A/B test's control arm (the store as it was)."""

    cart_rate: float            #: share of sessions that add to cart
    abandonment: float          #: share of carts not bought (module 07's metric)
    average_order_value: float  #: mean order value of a purchase, in the canon's currency
    revenue_per_session: float  #: order value summed over sessions ÷ sessions

    def revenue_per_month(self) -> float:
        """Revenue a month at the canon's traffic: sessions a month × revenue per session."""
        return sessions_per_month() * self.revenue_per_session


@cache
def session_money() -> Money:
    """:class:`Money` from the control arm of ``ab_sessions``."""
    frame = _ab()
    control = frame[frame["arm"] == "control"]
    carts = control[control["added_to_cart"]]
    bought = control[control["purchased"]]
    return Money(
        cart_rate=float(control["added_to_cart"].mean()),
        abandonment=float(1.0 - carts["purchased"].mean()),
        average_order_value=float(bought["order_value"].mean()),
        revenue_per_session=float(control["order_value"].sum() / len(control)),
    )


# -- facts first needed by module(s) 00-01 ---------------------------------------------------------------------
# (Add facts here that module(s) 00-01 introduce and other places reuse; keep the docstring rule above.)
#: Marker for module(s) 00-01: nothing yet.
_SECTION_00_01 = "00-01"

# -- facts first needed by module(s) 02 ---------------------------------------------------------------------
# (Add facts here that module(s) 02 introduce and other places reuse; keep the docstring rule above.)
#: Marker for module(s) 02: nothing yet.
_SECTION_02 = "02"

# -- facts first needed by module(s) 03 ---------------------------------------------------------------------
# (Add facts here that module(s) 03 introduce and other places reuse; keep the docstring rule above.)
#: Marker for module(s) 03: nothing yet.
_SECTION_03 = "03"

# -- facts first needed by module(s) 04 ---------------------------------------------------------------------
# (Add facts here that module(s) 04 introduce and other places reuse; keep the docstring rule above.)
#: Marker for module(s) 04: nothing yet.
_SECTION_04 = "04"

# -- facts first needed by module(s) 05-08 ---------------------------------------------------------------------
# (Add facts here that module(s) 05-08 introduce and other places reuse; keep the docstring rule above.)
#: Marker for module(s) 05-08: nothing yet.
_SECTION_05_08 = "05-08"

# -- facts first needed by module(s) 06 ---------------------------------------------------------------------
# (Add facts here that module(s) 06 introduce and other places reuse; keep the docstring rule above.)
#: Marker for module(s) 06.
_SECTION_06 = "06"
#: Where the stock-level cache lives: one Redis per serving region (us-east, eu-west, ap-south), shared
#: by every endpoint and every call in that region. Follows from the latency budget: a cross-region
#: round trip costs more than the whole call's p99, so no call reads another region's cache. It is why
#: a TTL canary on a share of requests is not a clean experiment (the canary's longer-lived entries also
#: serve the control's calls: interference), and a region, with its own Redis, is (module 06; module 07).
CACHE_SCOPE = "one Redis per serving region"

# -- facts first needed by module(s) 07 ---------------------------------------------------------------------
# (Add facts here that module(s) 07 introduce and other places reuse; keep the docstring rule above.)
#: Marker for module(s) 07.
_SECTION_07 = "07"
#: Share of carts (today, without the real-time check) abandoned because an item in them turned out to be out of
#: stock at checkout: the problem the real-time inventory check attacks. Declared. The check can at most rescue
#: these carts, so no true drop in cart abandonment can exceed it; module 07 uses it as the sanity bound of its
#: revenue claim (:func:`stockout_revenue_share_bound`), and the A/B generator's true effect is a part of it.
STOCKOUT_CART_SHARE = 0.04


def stockout_revenue_share_bound() -> float:
    """The largest share of monthly revenue the real-time check could add: every stock-out cart rescued.

    A drop of d in cart abandonment turns d of every cart into an order, on top of the (1 − abandonment)
    that buy today, so orders (and, at the same order value, revenue) rise by d ÷ (1 − abandonment).
    With d at its ceiling :data:`STOCKOUT_CART_SHARE` and the control arm's abandonment, this is the
    bound; a claim near or above it is Twyman's law at work (module 07)."""
    return STOCKOUT_CART_SHARE / (1.0 - session_money().abandonment)


# -- facts first needed by module(s) 09 ---------------------------------------------------------------------
# (Add facts here that module(s) 09 introduce and other places reuse; keep the docstring rule above.)
#: Marker for module(s) 09: nothing yet.
_SECTION_09 = "09"

# -- facts first needed by module(s) 10-11 ---------------------------------------------------------------------
# (Add facts here that module(s) 10-11 introduce and other places reuse; keep the docstring rule above.)
#: Marker for module(s) 10-11: nothing yet.
_SECTION_10_11 = "10-11"

# -- the canon as a table (data/README.md, the lessons' "Cartwheel at a glance") ---------------------------
def facts() -> list[tuple[str, str, str]]:
    """(fact, value, how it follows) rows: the canon as the data dictionary prints it.

    Only declared and derived facts: no data is loaded, so the README can be written before
    the data files exist."""
    avg = average_calls_per_s()
    return [
        ("Recommendation calls at the weekly peak", f"{PEAK_CALLS_PER_S:,} calls/s", "declared (weekend evenings)"),
        ("Recommendation calls on average", f"{avg:,.0f} calls/s",
         "the request generator's weekly curve, averaged"),
        ("Fleet capacity", f"{FLEET_CAPACITY_CALLS_PER_S:,} calls/s", "declared (fixed fleet, no autoscaling)"),
        ("Request log sampling", f"1 call in {REQUEST_LOG_SAMPLING:,}", "declared"),
        ("Calls per session", f"{CALLS_PER_SESSION}", "declared (~10 pages × ~3 carousels)"),
        ("Sessions a month (30 days)", f"{sessions_per_month() / 1e6:,.0f} million",
         "average calls/s × 30 days ÷ calls per session"),
        ("Items per call (the call's fan-out)", f"{ITEMS_PER_CALL}", "declared (a carousel)"),
        ("Stock lookups", f"{stock_lookups_per_s():,.0f} /s", "average calls/s × items per call"),
        ("Cache keys", f"{cache_keys() / 1e6:,.0f} million",
         f"{CATALOGUE_ITEMS:,} items × {CENTRES} fulfilment centres"),
        ("Cache TTL in production today", f"{CACHE_TTL_TODAY_S} s", f"declared ({CACHE_STORE})"),
        ("Availability SLO", AVAILABILITY.statement(),
         f"error budget {AVAILABILITY.error_budget:.1%} of calls ≈ {AVAILABILITY.budget_calls() / 1e6:,.1f} million "
         f"calls, or {AVAILABILITY.time_equivalent_minutes():.1f} min of full outage at the average rate"),
        ("Latency SLO", LATENCY.statement(), "declared; the essay's \"200 ms latency SLA\""),
        ("Inventory call: latency budget", f"{INVENTORY.latency_budget_ms:.0f} ms at p99",
         "declared: a quarter of the call's 200 ms"),
        ("Inventory call: client timeout and retries",
         f"{INVENTORY.timeout_ms:.0f} ms × {INVENTORY.attempts} attempts, backoff {INVENTORY.backoff}",
         f"production today; all attempts timing out take {INVENTORY.worst_case_ms:.0f} ms"),
        ("A/B test of real-time inventory checks", f"{AB_SESSIONS:,} sessions over {AB_DAYS} days",
         f"a random {ab_traffic_share():.4%} of sessions, split 50/50"),
        ("Carts that meet a stock-out today", f"{STOCKOUT_CART_SHARE:.0%} of carts",
         "declared (a scenario figure, unsourced): the ceiling of any drop in cart abandonment the real-time check can cause"),
        ("Currency", f"{CURRENCY} ({CURRENCY_SYMBOL})", "every amount in the course"),
    ]


def facts_markdown() -> str:
    """:func:`facts` as a Markdown table."""
    lines = ["| fact | value | how it follows |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in facts()]
    return "\n".join(lines)
