"""Cartwheel's A/B test of real-time inventory checks: one row per session.

The treatment checks stock in real time before the product page offers "add to cart", so
fewer carts hold an item that turns out to be out of stock at checkout. That lowers cart
abandonment, and the extra call to the inventory cache adds a little latency. The
generator is a small causal model, so the learner *measures* the effect (with its noise)
rather than reading it off a parameter:

- arm: a fair coin per session (50/50), as a hash-based splitter would give;
- device: mobile 58%, desktop 34%, tablet 8%;
- latency: the server time of the session's product-page recommendation call, drawn from
  the canon's call-latency model (the request log's): in control the call ranks items and
  reads no stock; in treatment it also reads stock levels, from Redis (a hit, at the
  product page's hit rate) or from the inventory service (a miss);
- added to cart: Bernoulli with a per-device rate, the same in both arms;
- abandoned (given a cart): a per-device base rate, plus 3 pp per 100 ms of latency
  above the control arm's median, minus 2 pp in treatment: half of the carts that today
  fail on a stock-out at checkout (``cartwheel.STOCKOUT_CART_SHARE``), the shoppers who,
  warned before adding, pick an item in stock and buy;
- order value: log-normal (median $50) for sessions that purchased, 0 otherwise;
- server error: whether any of the session's recommendation calls got a 5xx, at the request
  log's error rate per call over the canon's calls per session, the same in both arms: the check
  fails open (a failed stock read shows the item as before), so it adds no 5xx. Module 07 asks
  what size of increase this test could have seen. Drawn last, so every other column is what it
  was before the column was added.

:func:`generate` also builds the sample-ratio-mismatch variant (``ab_sessions_srm``):
the same model, but treatment sessions whose page took longest never fired the
analytics beacon, so they are missing from the log.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from steward import cartwheel
from steward.datagen import Column, Dataset
from steward.datasets import requests as requests_data

#: The seed: the first from 707 up whose measured effect lands within a quarter of a standard error of
#: :data:`TREATMENT_EFFECT` with a clean split (707 itself measured −0.66 pp, 2.3 SE short of the true
#: −2 pp): the lab teaches reading a result, and a draw that far off would teach bad luck instead.
SEED = 712
SESSIONS = cartwheel.AB_SESSIONS

DEVICES = np.array(["mobile", "desktop", "tablet"])
DEVICE_SHARE = np.array([0.58, 0.34, 0.08])
CART_RATE = np.array([0.24, 0.34, 0.28])  # by device; the same in both arms
ABANDON_BASE = np.array([0.70, 0.60, 0.66])  # by device, at LATENCY_REF_MS, control
_PRODUCT = requests_data.ENDPOINTS.index("product")
#: The product page's recommendation call: its endpoint factor and its cache hit rate (request log model).
PRODUCT_FACTOR = requests_data.ENDPOINT_FACTOR[_PRODUCT]
PRODUCT_HIT_RATE = requests_data.ENDPOINT_HIT_RATE[_PRODUCT]
#: A control call reads no stock at all: a cache hit's server time less the Redis read.
CONTROL_FACTOR = 0.8
ABANDON_PER_100MS = 0.03
#: The product page's render time in the browser, by device (SRM variant only): the beacon that
#: logs a session fires after render, so the slowest pages (mostly mobile) can go missing.
PAGE_RENDER_MEDIAN_MS = np.array([1_400.0, 700.0, 1_000.0])
PAGE_RENDER_SIGMA = 0.5
#: Abandonment's base rates hold at this latency (the control call's median server time).
LATENCY_REF_MS = cartwheel.HIT_MEDIAN_MS * CONTROL_FACTOR * PRODUCT_FACTOR
#: Share of stock-out carts (``cartwheel.STOCKOUT_CART_SHARE``) the early warning rescues: the shopper picks
#: an item in stock and buys. The rest leave anyway.
RESCUED_SHARE = 0.5
#: The true effect on the abandonment probability, before the latency cost: −2 pp.
TREATMENT_EFFECT = -cartwheel.STOCKOUT_CART_SHARE * RESCUED_SHARE
ORDER_MEDIAN_USD = 50.0
ORDER_SIGMA = 0.6
#: A session sees a server error if any of its calls does: 1 − (1 − per-call rate)^calls per session.
SESSION_ERROR_RATE = 1.0 - (1.0 - requests_data.SERVER_ERROR_RATE) ** cartwheel.CALLS_PER_SESSION
#: The real-time check fails open (a failed stock read shows the item as before): no extra 5xx in treatment.
TREATMENT_ERROR_FACTOR = 1.0

COLUMNS = (
    Column("session_id", "str", "", "session identifier, unique within the file"),
    Column("arm", "str", "", "`control` (no real-time check) or `treatment` (real-time inventory check); assigned 50/50 at random"),
    Column("added_to_cart", "bool", "", "the session put at least one item in the cart"),
    Column("purchased", "bool", "", "the session completed checkout (only possible after adding to cart)"),
    Column("order_value", "float", "USD", "value of the order; 0 when the session did not purchase"),
    Column("device", "str", "", "`mobile`, `desktop` or `tablet`"),
    Column("latency_ms", "float", "ms", "server time of the session's recommendation call on the product page (the latency SLO's SLI, as in the request log)"),
    Column("server_error", "bool", "", "at least one of the session's recommendation calls got a server error (5xx): the errors guardrail"),
)

CART_ABANDONMENT = (
    "**Cart abandonment** (module 07's metric): among sessions that added to cart "
    "(`added_to_cart` is true), the share that did not purchase (`purchased` is false). "
    "Its denominator is carts, not all sessions."
)


def generate(seed: int = SEED, sessions: int = SESSIONS, lost_treatment_share: float = 0.0) -> pd.DataFrame:
    """Simulate ``sessions`` sessions of the test, vectorised.

    ``lost_treatment_share`` > 0 drops that share of treatment sessions, the slowest ones,
    from the log (a beacon that fires after render): the sample-ratio-mismatch variant.
    """
    rs = np.random.RandomState(seed)
    n = sessions
    treated = rs.rand(n) < 0.5
    device = rs.choice(len(DEVICES), size=n, p=DEVICE_SHARE)
    hit = rs.rand(n) < PRODUCT_HIT_RATE
    body_hit = cartwheel.HIT_MEDIAN_MS * np.exp(cartwheel.HIT_SIGMA * rs.randn(n))
    body_miss = cartwheel.MISS_MEDIAN_MS * np.exp(cartwheel.MISS_SIGMA * rs.randn(n))
    with_stock = np.where(hit, body_hit, body_miss)
    latency = PRODUCT_FACTOR * np.where(treated, with_stock, body_hit * CONTROL_FACTOR)
    outlier = rs.rand(n) < cartwheel.OUTLIER_RATE
    latency = latency + np.where(outlier, cartwheel.OUTLIER_MEDIAN_MS * np.exp(cartwheel.OUTLIER_SIGMA * rs.randn(n)), 0.0)
    carted = rs.rand(n) < CART_RATE[device]
    p_abandon = (ABANDON_BASE[device] + ABANDON_PER_100MS * (latency - LATENCY_REF_MS) / 100.0
                 + TREATMENT_EFFECT * treated)
    abandoned = rs.rand(n) < np.clip(p_abandon, 0.0, 1.0)
    purchased = carted & ~abandoned
    order = ORDER_MEDIAN_USD * np.exp(ORDER_SIGMA * rs.randn(n))
    frame = pd.DataFrame({
        "session_id": [f"s{i:05d}" for i in range(1, n + 1)],
        "arm": np.where(treated, "treatment", "control"),
        "added_to_cart": carted,
        "purchased": purchased,
        "order_value": np.where(purchased, np.round(order, 2), 0.0),
        "device": DEVICES[device],
        "latency_ms": np.round(latency, 2),
    })
    page_ms = None
    if lost_treatment_share > 0:
        # The page's render time in the shopper's browser (slowest on mobile networks), not the
        # server time: drawn after the columns above, so they match a run without the bug.
        page_ms = PAGE_RENDER_MEDIAN_MS[device] * np.exp(PAGE_RENDER_SIGMA * rs.randn(n)) + latency
    # Server errors: drawn last, so every column above (and the SRM variant's lost sessions) is
    # what it was before the column was added.
    frame["server_error"] = rs.rand(n) < SESSION_ERROR_RATE * np.where(treated, TREATMENT_ERROR_FACTOR, 1.0)
    if page_ms is not None:
        cutoff = np.quantile(page_ms[treated], 1.0 - lost_treatment_share)
        frame = frame[~(treated & (page_ms > cutoff))].reset_index(drop=True)
    return frame


DATASET = Dataset(
    name="ab_sessions",
    title="A/B test of real-time inventory checks (sessions)",
    description=(
        f"All {SESSIONS:,} sessions of Cartwheel's first A/B test of real-time inventory checks, one row each: "
        f"the test ran for {cartwheel.AB_DAYS} days on a random {cartwheel.ab_traffic_share():.4%} of sessions "
        "(a cautious first slice; the canon's traffic gives the share), simulated with "
        f"`np.random.RandomState({SEED})`. Arms are assigned by a fair coin (50/50). "
        "Per session: device (mobile 58%, desktop 34%, tablet 8%); the server time of the product page's "
        "recommendation call, from the request log's latency model (control ranks items without reading stock; "
        "treatment also reads stock levels from Redis, or from the inventory service on a miss); add-to-cart "
        "with a per-device rate, the same in both arms; given a cart, abandonment with a per-device base rate "
        "that rises 3 pp per 100 ms of latency and is lower in treatment (by how much is what module 07 measures, with its "
        "noise; the generator's parameter is in `steward/datasets/ab_sessions.py`); log-normal order values "
        "(median $50) for purchases; whether any of the session's recommendation calls got a server error "
        "(the request log's per-call rate over the calls a session makes; the check fails open, so the same in both arms).\n\n"
        + CART_ABANDONMENT
    ),
    columns=COLUMNS,
    generate=generate,
    float_format="%.2f",
    used_by=("07",),
)
