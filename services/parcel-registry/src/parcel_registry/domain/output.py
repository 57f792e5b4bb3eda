"""A year's output and tax: per enterprise, and per parcel from the attributed filings.

Annual versus quarterly: quarterly filings of an enterprise add up to its year. Once the
enterprise has an annual filing for the year (the settled figure), that annual filing — or the
sum of its annual filings, when it files per parcel — supersedes all its quarterly filings of the
year, which stay on record but no longer count. Only the latest revision of each filing counts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .attribution import Method, Occupancy, Share, ShareStatus, attribute
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
    """The part of one filing attributed to one parcel."""

    filing: RevenueFiling
    share: Share
    method: Method

    @property
    def output_value(self) -> Decimal:
        return self.share.output_value

    @property
    def tax_paid(self) -> Decimal:
        return self.share.tax_paid


@dataclass(frozen=True)
class ParcelOutput:
    parcel_id: str
    year: int
    output_value: Decimal
    tax_paid: Decimal
    contributions: tuple[Contribution, ...]  # counted: the holder's and approved tenants'
    suspected_occupants: tuple[Contribution, ...]  # named the parcel without a right to it
    superseded: tuple[Contribution, ...]  # quarterly filings replaced by an annual one

    @property
    def has_filing(self) -> bool:
        return bool(self.contributions)

    @property
    def totals(self) -> Totals:
        contributors = tuple(sorted({c.filing.uscc for c in self.contributions}))
        return Totals(self.output_value, self.tax_paid, len(self.contributions), contributors)


@dataclass(frozen=True)
class Totals:
    """A parcel-year's sums as its ``FilingAccepted`` events carry them: counted output and tax,
    how many filings were counted and whose they are (sorted, once each). The same figures as
    ``ParcelOutput`` without the contributions, so a batch can have them summed by the database
    instead of rebuilding every stored filing of every parcel-year it touches."""

    output_value: Decimal = ZERO
    tax_paid: Decimal = ZERO
    filings: int = 0
    contributors: tuple[str, ...] = ()


def parcel_year(
    parcel_id: str, year: int, shares: Iterable[Contribution], annual_filers: Collection[str]
) -> ParcelOutput:
    """Sums the current filings' shares on one parcel for one year.

    ``shares`` are the parts attributed to this parcel of the current revisions of that year's
    filings; ``annual_filers`` the enterprises with an annual filing that year (their quarterly
    filings are superseded).
    """
    counted: list[Contribution] = []
    suspected: list[Contribution] = []
    superseded: list[Contribution] = []
    for c in sorted(shares, key=lambda c: (c.filing.uscc, c.filing.filing_id)):
        if c.share.parcel_id != parcel_id or c.filing.year != year:
            continue
        if not c.filing.is_annual and c.filing.uscc in annual_filers:
            superseded.append(c)
        elif c.share.status is ShareStatus.COUNTED:
            counted.append(c)
        else:
            suspected.append(c)
    return ParcelOutput(
        parcel_id,
        year,
        sum((c.output_value for c in counted), ZERO),
        sum((c.tax_paid for c in counted), ZERO),
        tuple(counted),
        tuple(suspected),
        tuple(superseded),
    )


def parcel_output(
    parcel_id: str,
    year: int,
    filings: Iterable[RevenueFiling],
    occupancy_of: Callable[[str], Sequence[Occupancy]],
) -> ParcelOutput:
    """The parcel's output and tax for ``year``, attributing the filings afresh.

    ``filings`` must hold every filing of the year of each enterprise that occupies the parcel
    or names it; others are ignored. ``occupancy_of(uscc)`` gives an enterprise's occupancies.
    """
    current = [f for f in current_revisions(filings) if f.year == year]
    annual_filers = {f.uscc for f in current if f.is_annual}
    shares = []
    for filing in current:
        attribution = attribute(filing, occupancy_of(filing.uscc))
        shares += [Contribution(filing, share, attribution.method) for share in attribution.shares]
    return parcel_year(parcel_id, year, shares, annual_filers)
