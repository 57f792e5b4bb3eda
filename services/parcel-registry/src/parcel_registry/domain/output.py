"""A year's output and tax: per enterprise, and per parcel from the attributed filings.

Annual versus quarterly: quarterly filings of an enterprise add up to its year. Once the
enterprise has an annual filing for the year (the settled figure), that annual filing — or the
sum of its annual filings, when it files per parcel — supersedes all its quarterly filings of the
year, which stay on record but no longer count. Only the latest revision of each filing counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .attribution import Attribution, Occupancy, ShareStatus, attribute
from .filings import RevenueFiling, current_revisions

ZERO = Decimal(0)


class Basis(StrEnum):
    ANNUAL = "annual"
    QUARTERLY = "quarterly"


@dataclass(frozen=True)
class EnterpriseYear:
    uscc: str
    year: int
    basis: Basis
    output_value: Decimal
    tax_paid: Decimal
    counted: tuple[RevenueFiling, ...]
    superseded: tuple[RevenueFiling, ...]

    @property
    def quarters(self) -> tuple[int, ...]:
        """The quarters filed (empty for an annual basis), so a partial year is visible."""
        return tuple(sorted({f.quarter for f in self.counted if f.quarter is not None}))


def enterprise_years(filings: Iterable[RevenueFiling]) -> list[EnterpriseYear]:
    groups: dict[tuple[str, int], list[RevenueFiling]] = {}
    for f in current_revisions(filings):
        groups.setdefault((f.uscc, f.year), []).append(f)
    result = []
    for (uscc, year), group in sorted(groups.items()):
        annual = [f for f in group if f.is_annual]
        counted, superseded = (annual, [f for f in group if not f.is_annual]) if annual else (group, [])
        result.append(
            EnterpriseYear(
                uscc,
                year,
                Basis.ANNUAL if annual else Basis.QUARTERLY,
                sum((f.output_value for f in counted), ZERO),
                sum((f.tax_paid for f in counted), ZERO),
                tuple(counted),
                tuple(superseded),
            )
        )
    return result


@dataclass(frozen=True)
class Contribution:
    filing: RevenueFiling
    output_value: Decimal  # the part of the filing attributed to this parcel
    tax_paid: Decimal
    attribution: Attribution


@dataclass(frozen=True)
class ParcelOutput:
    parcel_id: str
    year: int
    output_value: Decimal
    tax_paid: Decimal
    contributions: tuple[Contribution, ...]
    suspected_occupants: tuple[Contribution, ...]  # named the parcel, not counted
    superseded: tuple[RevenueFiling, ...]  # quarterly filings replaced by an annual one

    @property
    def has_filing(self) -> bool:
        return bool(self.contributions)


def parcel_output(
    parcel_id: str,
    year: int,
    filings: Iterable[RevenueFiling],
    occupancy_of: Callable[[str], Sequence[Occupancy]],
) -> ParcelOutput:
    """The parcel's output and tax for ``year``.

    ``filings`` must hold every filing of the year of each enterprise that occupies the parcel
    or names it (so that annual-over-quarterly supersession sees them all); filings of other
    years or that end up elsewhere are ignored. ``occupancy_of(uscc)`` gives that enterprise's
    occupancies in ``year``.
    """
    counted: list[Contribution] = []
    suspected: list[Contribution] = []
    superseded: list[RevenueFiling] = []
    for ey in enterprise_years(f for f in filings if f.year == year):
        superseded += [f for f in ey.superseded if _may_touch(f, parcel_id, occupancy_of)]
        for filing in ey.counted:
            attribution = attribute(filing, occupancy_of(filing.uscc))
            for share in attribution.shares:
                if share.parcel_id != parcel_id:
                    continue
                item = Contribution(filing, share.output_value, share.tax_paid, attribution)
                (counted if share.status is ShareStatus.COUNTED else suspected).append(item)
    return ParcelOutput(
        parcel_id,
        year,
        sum((c.output_value for c in counted), ZERO),
        sum((c.tax_paid for c in counted), ZERO),
        tuple(counted),
        tuple(suspected),
        tuple(superseded),
    )


def _may_touch(f: RevenueFiling, parcel_id: str, occupancy_of: Callable[[str], Sequence[Occupancy]]) -> bool:
    if f.parcel_id is not None:
        return f.parcel_id == parcel_id
    return any(o.parcel_id == parcel_id for o in occupancy_of(f.uscc))
