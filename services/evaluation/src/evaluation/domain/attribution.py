"""Gap 4: which parcel a revenue filing counts for, and whose filings a parcel sums.

A filing that names its parcel counts there. One that names none goes to the enterprise's only
parcel, or (by default) is split across its parcels by the area it occupies on each. A parcel
sums the filings of its rights holder and its approved tenants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from evaluation.domain.money import CENT
from evaluation.domain.ruleset import OutputAggregation, UnattributedFiling


@dataclass(frozen=True)
class Filing:
    filing_id: str
    uscc: str
    year: int
    output_value: Decimal
    tax_paid: Decimal
    parcel_id: str | None = None
    quarter: int | None = None


@dataclass(frozen=True)
class Occupancy:
    """An enterprise's space on a parcel: the holder's whole parcel, or an approved lease's area."""

    uscc: str
    parcel_id: str
    area_m2: Decimal


@dataclass(frozen=True)
class Share:
    parcel_id: str
    uscc: str
    output_value: Decimal
    tax_paid: Decimal
    split_by_area: bool = False


@dataclass(frozen=True)
class ParcelTotals:
    output_value: Decimal
    tax_paid: Decimal
    has_filing: bool
    contributing_usccs: tuple[str, ...]
    apportioned_by_area: bool


def yearly_filings(filings: Iterable[Filing]) -> list[Filing]:
    """Per enterprise, parcel and year: the annual filing if there is one, else its quarters."""
    filings = list(filings)
    annual = {(f.uscc, f.parcel_id, f.year) for f in filings if f.quarter is None}
    return [f for f in filings if f.quarter is None or (f.uscc, f.parcel_id, f.year) not in annual]


def attribute(filing: Filing, occupancies: list[Occupancy], rule: UnattributedFiling) -> list[Share]:
    """The shares of one filing; `occupancies` are the filing enterprise's parcels."""
    if filing.parcel_id is not None:
        return [Share(filing.parcel_id, filing.uscc, filing.output_value, filing.tax_paid)]
    if len(occupancies) == 1:
        only = occupancies[0]
        return [Share(only.parcel_id, filing.uscc, filing.output_value, filing.tax_paid)]
    total_area = sum((o.area_m2 for o in occupancies), Decimal(0))
    if rule is UnattributedFiling.ONLY_PARCEL_ELSE_IGNORE or not occupancies or total_area <= 0:
        return []
    ordered = sorted(occupancies, key=lambda o: (-o.area_m2, o.parcel_id))
    outputs = _split(filing.output_value, [o.area_m2 for o in ordered], total_area)
    taxes = _split(filing.tax_paid, [o.area_m2 for o in ordered], total_area)
    return [Share(o.parcel_id, filing.uscc, out, tax, split_by_area=True)
            for o, out, tax in zip(ordered, outputs, taxes, strict=True)]


def _split(amount: Decimal, areas: list[Decimal], total: Decimal) -> list[Decimal]:
    """Shares to the fen that add up to the amount exactly; the remainder goes to the largest."""
    parts = [(amount * area / total).quantize(CENT, rounding=ROUND_DOWN) for area in areas]
    parts[0] += amount - sum(parts, Decimal(0))
    return parts


def parcel_totals(shares: Iterable[Share], holder_uscc: str, approved_tenants: Iterable[str],
                  aggregation: OutputAggregation) -> ParcelTotals:
    """Sum one parcel's shares from the enterprises whose output counts for it."""
    counted = {holder_uscc}
    if aggregation is OutputAggregation.SUM_HOLDER_AND_APPROVED_TENANTS:
        counted |= set(approved_tenants)
    used = [s for s in shares if s.uscc in counted]
    return ParcelTotals(
        output_value=sum((s.output_value for s in used), Decimal(0)),
        tax_paid=sum((s.tax_paid for s in used), Decimal(0)),
        has_filing=bool(used),
        contributing_usccs=tuple(sorted({s.uscc for s in used})),
        apportioned_by_area=any(s.split_by_area for s in used),
    )
