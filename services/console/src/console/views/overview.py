"""The overview's year-on-year movement: how many parcels went up, down, and to D."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

RANK = {"A": 4, "B": 3, "C": 2, "D": 1}


def movement(this_year: Iterable[dict[str, Any]], last_year: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Parcels graded both years: up, down, same, and those that became D (from any other grade)."""
    before = {g["parcel_id"]: g["grade"] for g in last_year}
    counts = {"up": 0, "down": 0, "same": 0, "to_d": 0}
    for item in this_year:
        earlier = before.get(item["parcel_id"])
        if earlier not in RANK or item.get("grade") not in RANK:
            continue
        change = RANK[item["grade"]] - RANK[earlier]
        counts["up" if change > 0 else "down" if change < 0 else "same"] += 1
        if item["grade"] == "D" and earlier != "D":
            counts["to_d"] += 1
    return counts
