"""A plausible, synthetic E-Town, deterministic for a seed and dated from the clock.

`rows()` is the one generator: it yields every record as a plain dict, each enterprise before
any row that names it, each parcel before its leases, filings, inspections and case plans. The
demo sends them through the REST APIs (`loader`); a benchmark can load the same rows by COPY.
`generate()` collects them into a `Dataset`. Nothing here is real data.

What it holds: parcel counts that differ by street and town (weights around E-Town's core);
areas from under 1 ha to 30 ha; output and tax per hectare spread so every grade occurs and D
is rare; three full years of quarterly filings and the current year's ended quarters, with a
seasonal pattern and parcels that decline or recover within a year; approved tenants in parks;
unauthorised leases found by street-office inspections (C or D by the holder's attitude and the
tenant's equity link); litigation, stalled projects and 工改住; renewal parks with commitments;
missed contract deadlines; suspected occupants (an enterprise filing for a parcel it has no
right to); case plans (renewal plans agreed for some C parcels, enforcement cases moved on, some
left since the case history day, `DemoCalendar.case_history_on`, and overdue by today).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from landgrade.demo import layout
from landgrade.demo.calendar import DemoCalendar
from landgrade.demo.identities import resident_id, uscc
from landgrade.demo.parcels import PROFILE_SHARES, Row, Skeleton, World
from landgrade_reference.jurisdictions import JURISDICTIONS
from servicekit.clock import Clock

__all__ = ["Dataset", "Row", "generate", "resident_id", "rows", "street_counts", "uscc"]

# Relative weight of each street or town in parcel counts: the new town's core carries most.
STREET_WEIGHTS = {"ronghua": 15, "boxing": 13, "yizhuang": 16, "jiugong": 7, "yinghai": 9, "qingyundian": 6,
                  "zhangziying": 5, "caiyu": 8, "taihu": 12, "majuqiao": 9}
CATEGORY_SHARES = {"renewal_park": 0.05, "approved_park": 0.12}


@dataclass
class Dataset:
    today: date
    enterprises: list[dict[str, Any]] = field(default_factory=list)
    parcels: list[dict[str, Any]] = field(default_factory=list)
    leases: list[dict[str, Any]] = field(default_factory=list)
    filings: list[dict[str, Any]] = field(default_factory=list)
    inspections: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)  # parcel_id -> intended profile
    courses: dict[tuple[str, int], str] = field(default_factory=dict)  # (parcel, year) -> within-year trend

    @property
    def calendar(self) -> DemoCalendar:
        return DemoCalendar(self.today)


def generate(parcels: int = 500, seed: int = 2025, clock: Clock | None = None, prefix: str = "YZ") -> Dataset:
    calendar = DemoCalendar.of(clock)
    data = Dataset(calendar.today)
    lists = {"enterprise": data.enterprises, "parcel": data.parcels, "lease": data.leases,
             "filing": data.filings, "inspection": data.inspections, "case": data.cases}
    for kind, record in rows(parcels, seed, calendar, prefix):
        if kind == "profile":
            data.profiles[record["parcel_id"]] = record["profile"]
            data.courses.update({(record["parcel_id"], y): c for y, c in record["courses"].items()})
        else:
            lists[kind].append(record)
    return data


def street_counts(parcels: int, rng: random.Random) -> dict[str, int]:
    """Parcels per street or town: the weights, jittered by the seed, every area at least one."""
    weights = {s: w * rng.lognormvariate(0, 0.15) for s, w in STREET_WEIGHTS.items()}
    total = sum(weights.values())
    exact = {s: parcels * w / total for s, w in weights.items()}
    counts = {s: int(v) for s, v in exact.items()}
    for s in sorted(exact, key=lambda s: exact[s] - counts[s], reverse=True)[: parcels - sum(counts.values())]:
        counts[s] += 1
    if parcels >= len(counts):
        for s in [s for s, n in counts.items() if n == 0]:
            donor = max(counts, key=lambda k: counts[k])
            counts[donor], counts[s] = counts[donor] - 1, 1
    return counts


def _quota(parcels: int, shares: dict[str, float], rng: random.Random, rest: str) -> list[str]:
    """Exactly round(N x share) of each profile (at least one of each from 40 parcels), shuffled."""
    labels: list[str] = []
    for label, share in shares.items():
        labels += [label] * max(1 if parcels >= 40 else 0, round(parcels * share))
    labels = labels[:parcels] + [rest] * max(0, parcels - len(labels))
    rng.shuffle(labels)
    return labels


def _skeletons(parcels: int, seed: int) -> list[Skeleton]:
    rng = random.Random(f"{seed}:skeleton")  # nosec B311  # repeatable demo data, nothing secret
    counts = street_counts(parcels, rng)
    streets = [s for s, n in counts.items() for _ in range(n)]
    rng.shuffle(streets)
    categories = _quota(parcels, CATEGORY_SHARES, rng, "self_use")
    profiles = _quota(parcels, PROFILE_SHARES, rng, "clean")
    out = []
    for n in range(parcels):
        hectares = min(30.0, max(0.3, rng.lognormvariate(1.03, 0.85)))  # median 2.8 ha
        profile = profiles[n] if categories[n] != "renewal_park" else "clean"
        out.append(Skeleton(streets[n], round(hectares * 10_000), rng.uniform(0.7, 1.6), categories[n], profile))
    return out


def rows(parcels: int = 500, seed: int = 2025, calendar: DemoCalendar | None = None,
         prefix: str = "YZ") -> Iterator[Row]:
    """Every record of the demo, in an order a loader can follow (parcel ids `{prefix}-YYYY-NNNN`).
    Besides the six record kinds it yields ("profile", {...}) per parcel: what the parcel was made
    to show (for tests and reports; loaders skip it)."""
    calendar = calendar or DemoCalendar.of()
    skeletons = _skeletons(parcels, seed)
    blocks = layout.blocks()
    layouts = {j.code: layout.StreetLayout(blocks[j.code], [layout.footprint(s.area_m2, s.aspect)
                                                            for s in skeletons if s.street == j.code])
               for j in JURISDICTIONS}
    world = World(random.Random(f"{seed}:world"), calendar, prefix)  # nosec B311  # repeatable demo data
    for n, skeleton in enumerate(skeletons):
        outline = layouts[skeleton.street].place(*layout.footprint(skeleton.area_m2, skeleton.aspect))
        yield from world.parcel(n, skeleton, outline)


