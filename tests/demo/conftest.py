"""One demo E-Town per test session, on a fixed clock (mid-November: Q1-Q3 of the current year
have ended), so that nothing the tests check changes with the date they run on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache, cached_property
from typing import Any

import pytest

from landgrade.demo.dataset import Dataset, generate
from servicekit.clock import FixedClock

CLOCK = FixedClock(datetime(2026, 11, 15, 10, 0))


@dataclass(eq=False)
class Demo:
    data: Dataset

    @cached_property
    def parcels(self) -> dict[str, dict[str, Any]]:
        return {p["parcel_id"]: p for p in self.data.parcels}

    def lawful_filers(self) -> dict[str, set[str]]:
        """Per parcel: its rights holder and approved tenants (whose filings count for it)."""
        out = {pid: {p["rights_holder"]} for pid, p in self.parcels.items()}
        for lease in self.data.leases:
            if lease["approved"]:
                out[lease["parcel_id"]].add(lease["tenant_uscc"])
        return out

    @cache  # noqa: B019  # one Demo per session
    def quarterly(self) -> dict[tuple[str, int, int], tuple[Decimal, Decimal]]:
        """(parcel, year, quarter) -> (output, tax) summed over the parcel's lawful filers."""
        lawful = self.lawful_filers()
        out: dict[tuple[str, int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for f in self.data.filings:
            if f["uscc"] in lawful[f["parcel_id"]]:
                sums = out[(f["parcel_id"], f["year"], f["quarter"])]
                sums[0] += Decimal(f["output_value"])
                sums[1] += Decimal(f["tax_paid"])
        return {k: (v[0], v[1]) for k, v in out.items()}

    @cache  # noqa: B019  # one Demo per session
    def yearly(self) -> dict[tuple[str, int], tuple[Decimal, Decimal]]:
        out: dict[tuple[str, int], tuple[Decimal, Decimal]] = {}
        for (pid, year, _q), (output, tax) in self.quarterly().items():
            o, t = out.get((pid, year), (Decimal(0), Decimal(0)))
            out[(pid, year)] = (o + output, t + tax)
        return out


@pytest.fixture(scope="session")
def demo() -> Demo:
    return Demo(generate(500, seed=2025, clock=CLOCK))
