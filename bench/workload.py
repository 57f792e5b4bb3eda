"""What the benchmarks send: enterprises, parcels (as an import sheet) and revenue filings.

Deterministic for a seed. USCCs and resident ID numbers carry valid check characters, so the
registry accepts every line; nothing here is real data.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from landgrade.demo.dataset import resident_id, uscc

STREETS = ["ronghua", "boxing", "yizhuang", "jiugong", "yinghai", "taihu"]
# The registry takes filings for 1949 up to the current year (Beijing). The seed ruleset is in force
# from 2023 on; the end-to-end run adds one for the years before (`HISTORY_RULESET`), so every year
# a filing opens is graded.
FIRST_YEAR = 1949
SEED_FROM = 2023
HISTORY_RULESET = {"id": "bench-history", "name": "bench: the seed's thresholds before 2023",
                   "based_on": "etown-2024-draft",
                   "changes": {"effective_from": f"{FIRST_YEAR}-01-01", "effective_to": f"{SEED_FROM - 1}-12-31"}}


@dataclass(frozen=True)
class Parcel:
    parcel_id: str
    holder: str
    area_m2: int
    street: str


@dataclass
class Landscape:
    enterprises: list[dict[str, Any]]
    parcels: list[Parcel]

    def import_sheet(self) -> bytes:
        """The parcels as a CSV sheet for `POST /v1/parcels/import` (all or nothing)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["parcel_id", "name", "street", "area_m2", "category", "rights_holder"])
        for p in self.parcels:
            writer.writerow([p.parcel_id, f"基准宗地 {p.parcel_id}", p.street, p.area_m2, "self_use", p.holder])
        return out.getvalue().encode()


def landscape(parcels: int, tag: str, seed: int = 8) -> Landscape:
    """`parcels` parcels, each held by its own enterprise; every third enterprise holds a share in
    the one before it, so the credit ledger's penetration has equity links to walk."""
    rng = random.Random(seed)
    enterprises: list[dict[str, Any]] = []
    out: list[Parcel] = []
    for i in range(parcels):
        code = uscc(rng)
        shareholders = [{"kind": "person", "name": f"股东{i}", "id_number": resident_id(rng), "share": "60"}]
        if i % 3 == 2:
            parent = enterprises[-1]
            shareholders.append({"kind": "enterprise", "name": parent["name"], "uscc": parent["uscc"],
                                 "share": "40"})
        enterprises.append({
            "uscc": code, "name": f"北京亦庄基准制造有限公司{i:05d}", "status": "active",
            "responsible_persons": [{"name": f"法人{i}", "role": "legal_representative",
                                     "id_number": resident_id(rng)}],
            "shareholders": shareholders,
        })
        out.append(Parcel(f"BENCH-{tag}-{i:05d}", code, rng.randrange(10_000, 60_000), STREETS[i % len(STREETS)]))
    return Landscape(enterprises, out)


def amounts(rng: random.Random, area_m2: int) -> tuple[str, str]:
    """A year's output and tax around the A thresholds (3亿元 and 2000万元 per hectare)."""
    hectares = Decimal(area_m2) / 10_000
    output = (hectares * Decimal(rng.randrange(150_000_000, 450_000_000))).quantize(Decimal("0.01"))
    tax = (hectares * Decimal(rng.randrange(10_000_000, 30_000_000))).quantize(Decimal("0.01"))
    return str(output), str(tax)


def e2e_parcels(filings: int) -> int:
    """Parcels enough for `filings` end-to-end filings to open parcel-years before 2023 only."""
    return max(1000, filings // (SEED_FROM - FIRST_YEAR) + 1)


def e2e_filing(land: Landscape, index: int, tag: str) -> tuple[dict[str, Any], tuple[str, int]]:
    """Filing `index` of the end-to-end run and the (parcel, year) it is the first filing of.

    Each filing opens a parcel-year nobody filed before (parcel index mod N, year FIRST_YEAR +
    index div N, before 2023 for the sizes used), so evaluation always grades it (a new grade is
    always announced) and the credit ledger always records it: every filing has exactly one
    observable end, keyed (parcel, year).
    """
    parcel = land.parcels[index % len(land.parcels)]
    year = FIRST_YEAR + index // len(land.parcels)
    output, tax = amounts(random.Random(index), parcel.area_m2)
    body = {"filing_id": f"E2E-{tag}-{index:08d}", "uscc": parcel.holder, "parcel_id": parcel.parcel_id,
            "year": year, "output_value": output, "tax_paid": tax}
    return body, (parcel.parcel_id, year)


def batch_filings(land: Landscape, count: int, years: int) -> list[dict[str, Any]]:
    """`count` quarterly filings as the tax system sends them: quarter by quarter, every parcel."""
    rng = random.Random(count)
    out: list[dict[str, Any]] = []
    per_year = 4 * len(land.parcels)
    for index in range(count):
        year_index, rest = divmod(index, per_year)
        quarter, parcel_index = divmod(rest, len(land.parcels))
        if year_index >= years:
            raise ValueError("more filings than parcels × years × 4 quarters")
        parcel = land.parcels[parcel_index]
        output, tax = amounts(rng, parcel.area_m2)
        out.append({
            "filing_id": f"BATCH-{index:08d}", "uscc": parcel.holder, "parcel_id": parcel.parcel_id,
            "year": SEED_FROM + year_index - years, "quarter": quarter + 1,
            "output_value": _quarter(output), "tax_paid": _quarter(tax),
        })
    return out


def _quarter(amount: str) -> str:
    return str((Decimal(amount) / 4).quantize(Decimal("0.01")))


def ndjson(filings: list[dict[str, Any]]) -> bytes:
    return ("\n".join(json.dumps(f, ensure_ascii=False) for f in filings) + "\n").encode()


COPY_COLUMNS = ("filing_id", "revision", "uscc", "parcel_id", "year", "quarter", "output_value", "tax_paid")


def copy_rows(filings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The same filings as rows of the bare table the COPY baseline writes."""
    return [(f["filing_id"], 0, f["uscc"], f["parcel_id"], f["year"], f["quarter"], Decimal(f["output_value"]),
             Decimal(f["tax_paid"])) for f in filings]
