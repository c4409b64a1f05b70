"""A day of stock-level updates and stock lookups per cache key, for the cache-TTL
trade-off of module 09.

Stock is held per fulfilment centre, so the recommendation engine caches one Redis key
per (item, centre): the canon's items × centres (``steward.cartwheel.cache_keys``). The file is a
uniform random sample of 5,000 of them. The generator is a small model of a real catalogue:

- **Popularity** is heavy-tailed: each key's lookup rate (stock lookups by the
  recommendation engine per second) is log-normal, so the busiest 5% of keys carry
  nearly half the lookups and thousands are looked up a few times a day. The mean rate
  times the keys equals the canon's stock lookups per second
  (average calls/s × items per call); a test holds them together.
- **Stock changes** (a sale, a restock, a warehouse correction) follow popular keys: a
  key's update rate grows with its lookup rate (popular items sell more), times a
  category factor (groceries and fashion move faster than furniture), times noise, plus
  a small floor of restocks and corrections that every key gets.
- Counts over the day are Poisson draws of rate × 86,400 s, so a learner's estimate of
  each rate (count / seconds) carries honest sampling noise for the rarely seen keys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from steward import cartwheel
from steward.datagen import Column, Dataset

SEED = 20240307
DAY = pd.Timestamp("2024-03-07")  # the Thursday of the request log's week
SECONDS = 86_400
ITEMS = 5_000  # sampled keys
KEYS_IN_CATALOGUE = cartwheel.cache_keys()
CENTRES = cartwheel.CENTRES
CATEGORIES = ("grocery", "fashion", "electronics", "toys", "home", "furniture")
CATEGORY_SHARE = (0.18, 0.24, 0.16, 0.14, 0.18, 0.10)
#: How fast each category's stock moves for the same popularity (sales per look, restock cadence).
CATEGORY_CHURN = (2.2, 1.5, 0.9, 1.0, 0.7, 0.35)
#: Lookup rate per key (per second): log-normal with this log-spread, and the median that makes the
#: mean rate × keys equal the canon's stock lookups per second (average calls/s × items per call).
LOOKUP_SIGMA = 1.6
LOOKUP_MEDIAN_PER_S = cartwheel.stock_lookups_per_s() / KEYS_IN_CATALOGUE / float(np.exp(LOOKUP_SIGMA**2 / 2))
#: Update rate per key (per second) = UPDATE_SCALE × churn × (lookup rate)^UPDATE_POWER × noise + floor.
UPDATE_SCALE, UPDATE_POWER, UPDATE_NOISE = 0.0038, 0.8, 0.5
UPDATE_FLOOR_PER_S = 2.0 / SECONDS  # two restocks or corrections a day for any key


def model_lookups_per_s() -> float:
    """Stock lookups per second over all keys implied by the generator: mean log-normal rate × keys."""
    return float(LOOKUP_MEDIAN_PER_S * np.exp(LOOKUP_SIGMA**2 / 2) * KEYS_IN_CATALOGUE)


def _rates(rng: np.random.RandomState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    category = rng.choice(len(CATEGORIES), ITEMS, p=CATEGORY_SHARE)
    lookups = rng.lognormal(np.log(LOOKUP_MEDIAN_PER_S), LOOKUP_SIGMA, ITEMS)
    churn = np.asarray(CATEGORY_CHURN)[category]
    updates = UPDATE_SCALE * churn * lookups**UPDATE_POWER * rng.lognormal(0.0, UPDATE_NOISE, ITEMS) + UPDATE_FLOOR_PER_S
    return category, lookups, updates


def _generate() -> pd.DataFrame:
    rng = np.random.RandomState(SEED)
    category, lookup_rate, update_rate = _rates(rng)
    lookups = rng.poisson(lookup_rate * SECONDS)
    updates = rng.poisson(update_rate * SECONDS)
    item = rng.randint(100_000, 500_000, ITEMS)
    centre = rng.randint(1, CENTRES + 1, ITEMS)
    order = np.argsort(-lookups, kind="stable")  # most looked-up first, as a dashboard would list them
    return pd.DataFrame({
        "item_id": item[order],
        "centre": np.char.add("FC-", np.char.zfill(centre.astype(str), 2))[order],
        "category": np.asarray(CATEGORIES)[category][order],
        "lookups": lookups[order],
        "stock_updates": updates[order],
    })


DATASET = Dataset(
    name="inventory_updates",
    title="a day of stock updates and stock lookups per cache key",
    description=f"""
One row per stock **cache key**: an item at one fulfilment centre (stock is held per centre, so the
recommendation engine caches one Redis key per item and centre; {cartwheel.CATALOGUE_ITEMS:,} items × {CENTRES} centres =
{KEYS_IN_CATALOGUE / 1e6:.0f} million keys). **Sampling: a uniform random {ITEMS:,} of the keys.** Counted over
{DAY:%Y-%m-%d} (the Thursday of the request log's week), 00:00 to 24:00 UTC. `lookups` counts the engine's
stock lookups for the key (one per recommendation call that shows the item to a customer served by that
centre, cache hits and misses alike); `stock_updates` counts changes to the key's stock level in the
inventory service (sales, restocks, corrections). Divide either by {SECONDS:,} s for a day-average rate per
second; the rates vary over the day, and module 09 uses the day's average. The mean lookup rate × {KEYS_IN_CATALOGUE / 1e6:.0f}
million keys ≈ {model_lookups_per_s():,.0f} lookups/s, the canon's {cartwheel.stock_lookups_per_s():,.0f}
(the request log's average {cartwheel.average_calls_per_s():,.0f} calls/s × {cartwheel.ITEMS_PER_CALL} items per call).

Generated by `steward/datasets/inventory_updates.py` (seed {SEED}, `np.random.RandomState`): each key's
lookup rate is log-normal (median {LOOKUP_MEDIAN_PER_S:.5f} per second, log-spread {LOOKUP_SIGMA}), so the busiest
5% of keys carry nearly half the lookups; its update rate is {UPDATE_SCALE} × category churn × (lookup rate)^{UPDATE_POWER}
× log-normal noise (log-spread {UPDATE_NOISE}) + a floor of 2 a day, with churn
{", ".join(f"{c} {f:g}" for c, f in zip(CATEGORIES, CATEGORY_CHURN, strict=True))}. Counts are Poisson draws of
rate × {SECONDS:,} s. Rows are sorted by `lookups`, most looked-up first.
""",
    columns=(
        Column("item_id", "int", "", "the item's catalogue id"),
        Column("centre", "str", "", "the fulfilment centre whose stock the key holds (FC-01 … FC-50)"),
        Column("category", "str", "", "grocery, fashion, electronics, toys, home or furniture"),
        Column("lookups", "int", "lookups / day", "stock lookups for this key by the recommendation engine that day"),
        Column("stock_updates", "int", "updates / day", "changes to this key's stock level that day (sales, restocks, corrections)"),
    ),
    generate=_generate,
    used_by=("09",),
)
