"""The recommendation team's cloud instances: what each costs and how hard it works.

One row per instance, with its on-demand hourly price and the 50th and 95th percentiles
of CPU and memory utilisation over the last 30 days. Each service has a usage *profile*
that real fleets show: bursty APIs (quiet median, busy peaks), memory-bound caches (idle
CPU, full memory), nightly batch jobs (idle median, saturated peak) and an oversized
staging environment. Which instances can shrink depends on which percentile, and which
resource, you look at: that is the lesson.

Prices come from a fictional price list shaped like a cloud provider's: within a family,
each size up doubles vCPUs, memory and price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from steward.datagen import Column, Dataset

SEED = 7007

#: family → (vCPU per "large", GiB per vCPU, USD per vCPU-hour)
FAMILIES = {"m": (2, 4, 0.048), "c": (2, 2, 0.0425), "r": (2, 8, 0.063)}
SIZES = {"large": 1, "xlarge": 2, "2xlarge": 4, "4xlarge": 8}

#: service → (instances, instance type, cpu p50, cpu p95, mem p50, mem p95) as mean % utilisation
PROFILES = {
    "recommendation-api": (12, "m.xlarge", 24, 66, 38, 52),    # bursty: quiet median, busy peaks
    "ranking-worker": (8, "c.2xlarge", 41, 84, 30, 44),        # CPU-bound scoring
    "feature-store": (6, "r.xlarge", 12, 24, 58, 76),          # memory-bound
    "inventory-cache": (4, "r.large", 8, 17, 55, 71),          # Redis: idle CPU, full memory
    "event-pipeline": (10, "m.xlarge", 14, 28, 18, 31),         # over-provisioned
    "search-api": (8, "m.xlarge", 20, 61, 34, 49),             # bursty
    "batch-etl": (4, "c.4xlarge", 4, 92, 10, 63),              # nightly job: idle median, saturated peak
    "staging": (6, "m.2xlarge", 6, 15, 14, 24),                # oversized copy of production
}

COLUMNS = (
    Column("service", "str", "", "the service the instance runs"),
    Column("instance_id", "str", "", "instance identifier, unique within the file"),
    Column("instance_type", "str", "", "family.size; one size down halves vCPUs, memory and price (`large` is the smallest here)"),
    Column("vcpus", "int", "vCPU", "virtual CPUs"),
    Column("memory_gib", "int", "GiB", "memory"),
    Column("hourly_cost_usd", "float", "USD/h", "on-demand price per hour (fictional price list)"),
    Column("cpu_p50_pct", "float", "%", "median CPU utilisation over the last 30 days"),
    Column("cpu_p95_pct", "float", "%", "95th-percentile CPU utilisation over the last 30 days"),
    Column("mem_p50_pct", "float", "%", "median memory utilisation over the last 30 days"),
    Column("mem_p95_pct", "float", "%", "95th-percentile memory utilisation over the last 30 days"),
)


def _spec(instance_type: str) -> tuple[int, int, float]:
    family, size = instance_type.split(".")
    vcpu_large, gib_per_vcpu, price_per_vcpu = FAMILIES[family]
    vcpus = vcpu_large * SIZES[size]
    return vcpus, vcpus * gib_per_vcpu, round(vcpus * price_per_vcpu, 4)


def generate(seed: int = SEED) -> pd.DataFrame:
    """Instances per service with utilisation drawn around the service's profile.

    Noise is multiplicative (log-normal, ~15%), and p95 is kept at or above p50 and below 100%.
    """
    rs = np.random.RandomState(seed)
    rows = []
    for service, (count, instance_type, c50, c95, m50, m95) in PROFILES.items():
        vcpus, memory, price = _spec(instance_type)
        noise = np.exp(0.15 * rs.randn(count, 4))
        util = np.array([c50, c95, m50, m95], dtype=float) * noise
        util[:, 1] = np.maximum(util[:, 1], util[:, 0])
        util[:, 3] = np.maximum(util[:, 3], util[:, 2])
        util = np.clip(util, 0.5, 99.5)
        for i in range(count):
            rows.append({
                "service": service,
                "instance_id": f"{service}-{i + 1:02d}",
                "instance_type": instance_type,
                "vcpus": vcpus,
                "memory_gib": memory,
                "hourly_cost_usd": price,
                "cpu_p50_pct": util[i, 0],
                "cpu_p95_pct": util[i, 1],
                "mem_p50_pct": util[i, 2],
                "mem_p95_pct": util[i, 3],
            })
    frame = pd.DataFrame(rows)
    util_columns = ["cpu_p50_pct", "cpu_p95_pct", "mem_p50_pct", "mem_p95_pct"]
    frame[util_columns] = frame[util_columns].round(1)
    return frame


DATASET = Dataset(
    name="cloud_costs",
    title="The recommendation team's cloud instances: cost and utilisation",
    description=(
        "One row per instance of the services the recommendation team runs (and pays for), simulated with "
        f"`np.random.RandomState({SEED})`. Prices come from a fictional list shaped like a cloud provider's: "
        "within a family (`m` general, `c` compute, `r` memory), each size up doubles vCPUs, memory and "
        "price. Utilisation percentiles are drawn around a per-service profile with ~15% log-normal noise: "
        "bursty APIs (quiet median, busy p95), memory-bound caches, a nightly batch job (idle median, "
        "saturated p95) and an oversized staging environment. A month is 730 hours (8,760 / 12)."
    ),
    columns=COLUMNS,
    generate=generate,
    float_format="%.4g",
    used_by=("07",),
)
