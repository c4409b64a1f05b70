"""The people around Cartwheel's real-time inventory checks project (module 10).

Who can block it, who cares about it, and where each stands today: the inputs to a
power/interest grid (Mendelow 1991) and an alignment plan. Written by hand; the
positions are scenario parameters of the running case, not a claim about real teams.
"""

from __future__ import annotations

import pandas as pd

from steward.datagen import Column, Dataset

# name, role, team, power 1-10, interest 1-10, stance, what they care about
_PEOPLE = [
    ("Priya Raman", "product manager, recommendations", "product", 8, 9, "supportive",
     "cart abandonment; a launch date she can announce"),
    ("Tomasz Nowak", "SRE lead for checkout and recommendations", "SRE", 9, 8, "skeptical",
     "a new synchronous call on the hot path; who gets paged when inventory is slow"),
    ("Amara Okafor", "owner of the inventory service", "inventory", 7, 10, "opposed",
     "peak read load on her service; she was not asked before"),
    ("Lena Fischer", "security engineer", "security", 7, 6, "neutral",
     "a new service-to-service credential; rate limits on a data store"),
    ("Daniel Kim", "VP of engineering", "engineering", 10, 3, "supportive",
     "the O1 objective moving; no surprise incidents"),
    ("Hiro Tanaka", "data science lead", "data science", 4, 8, "supportive",
     "clean A/B test assignment; stock data for the ranking model"),
    ("Sofia Marques", "customer support lead", "support", 3, 9, "supportive",
     "tickets about sold-out items that were recommended"),
    ("Marcus Bell", "finance business partner", "finance", 6, 2, "neutral",
     "Redis and inventory-service spend"),
    ("Ines Duarte", "privacy counsel", "legal", 6, 4, "neutral",
     "whether per-user stock views are personal data"),
    ("Grace Liu", "staff engineer, platform", "platform", 5, 5, "neutral",
     "a second caching pattern appearing beside the platform's"),
    ("Oluwaseun Ade", "marketing manager", "marketing", 2, 4, "supportive",
     "a feature to mention in the holiday campaign"),
    ("Ravi Patel", "on-call engineer, recommendations", "recommendations", 3, 7, "skeptical",
     "another alert at 3 AM"),
]


def _generate() -> pd.DataFrame:
    return pd.DataFrame(_PEOPLE, columns=["name", "role", "team", "power", "interest", "stance", "cares_about"])


DATASET = Dataset(
    name="stakeholders",
    title="The people around the real-time inventory checks project",
    description=(
        "Twelve people around project P01 (real-time inventory checks in recommendations): their power over "
        "the project and interest in it on 1–10 scales, where they stand today, and what they care about. "
        "Written by hand as scenario parameters of the running case; the input to a power/interest grid "
        "(Mendelow 1991) in module 10. Power and interest above 5 count as high."
    ),
    columns=(
        Column("name", "str", "", "a fictional person"),
        Column("role", "str", "", "their job"),
        Column("team", "str", "", "their team"),
        Column("power", "int", "1–10", "how far they can speed up, change or stop the project"),
        Column("interest", "int", "1–10", "how much the project affects them or their goals"),
        Column("stance", "str", "", "supportive, neutral, skeptical or opposed, today"),
        Column("cares_about", "str", "", "what they will ask about first"),
    ),
    generate=_generate,
    used_by=("10",),
)
