"""Which parcel a revenue filing's output and tax belong to.

Several enterprises can work on one parcel (the rights holder and approved tenants of a park):
their filings add up for the parcel. A filing naming a parcel goes to that parcel; one naming
none goes to the enterprise's only parcel, or is split across its parcels by occupied area. An
enterprise occupies the whole area of each parcel it holds, and the leased area of each approved
lease it has as a tenant during the filing's year.

Occupancy rule: a filing naming a parcel where its enterprise is neither the rights holder nor an
approved tenant points at an unauthorised lease. It is recorded as a *suspected occupant* and
not counted in the parcel's output (the money is not the parcel's lawful use).

Splits are exact: amounts are divided in whole fen by the largest-remainder method, so the
parts always add up to the filed amount (ties go to the parcel listed first).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Protocol

from .filings import RevenueFiling
from .leases import Lease
from .values import FEN


class OccupancyBasis(StrEnum):
    RIGHTS_HOLDER = "rights_holder"
    APPROVED_TENANT = "approved_tenant"


class Held(Protocol):
    """What attribution needs of a parcel: a whole ``Parcel``, or a ``Holding`` read for it alone."""

    @property
    def parcel_id(self) -> str: ...
    @property
    def area_m2(self) -> Decimal: ...
    @property
    def rights_holder(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Holding:
    """A parcel's id, area and rights holder: a batch of filings reads only these, not whole parcels."""

    parcel_id: str
    area_m2: Decimal
    rights_holder: str


@dataclass(frozen=True)
class Occupancy:
    parcel_id: str
    area_m2: Decimal
    basis: OccupancyBasis


def occupancies(uscc: str, year: int, parcels: Iterable[Held], leases: Iterable[Lease]) -> list[Occupancy]:
    """What ``uscc`` lawfully occupies in ``year``, one entry per parcel, ordered by parcel id."""
    found: dict[str, Occupancy] = {}
    for parcel in parcels:
        if parcel.rights_holder == uscc:
            holder = Occupancy(parcel.parcel_id, parcel.area_m2, OccupancyBasis.RIGHTS_HOLDER)
            found[parcel.parcel_id] = holder
    for lease in leases:
        if lease.tenant != uscc or not lease.approved or not lease.overlaps_year(year):
            continue
        earlier = found.get(lease.parcel_id)
        area = lease.area_m2 + (earlier.area_m2 if earlier else Decimal(0))
        found[lease.parcel_id] = Occupancy(lease.parcel_id, area, OccupancyBasis.APPROVED_TENANT)
    return [found[k] for k in sorted(found)]


class Method(StrEnum):
    NAMED_PARCEL = "named_parcel"
    ONLY_PARCEL = "only_parcel"
    SPLIT_BY_AREA = "split_by_area"
    NO_PARCEL = "no_parcel"  # names none and the enterprise occupies none: counted nowhere


class ShareStatus(StrEnum):
    COUNTED = "counted"
    SUSPECTED_OCCUPANT = "suspected_occupant"


@dataclass(frozen=True)
class Share:
    parcel_id: str
    output_value: Decimal
    tax_paid: Decimal
    status: ShareStatus
    basis: OccupancyBasis | None  # None for a suspected occupant


@dataclass(frozen=True)
class Attribution:
    filing_id: str
    revision: int
    method: Method
    shares: tuple[Share, ...]

    @property
    def suspected_occupant(self) -> Share | None:
        return next((s for s in self.shares if s.status is ShareStatus.SUSPECTED_OCCUPANT), None)


def split_exactly(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` (whole fen) split in proportion to positive ``weights``; the parts sum to it."""
    if not weights or any(w <= 0 for w in weights):
        raise ValueError("splitting needs at least one weight, all of them positive")
    fen = int((amount / FEN).to_integral_exact())
    total = sum(weights, Decimal(0))
    exact = [Decimal(fen) * w / total for w in weights]
    floors = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    left = fen - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [Decimal(f) * FEN for f in floors]


def attribute(filing: RevenueFiling, occupied: Sequence[Occupancy]) -> Attribution:
    def share(occ: Occupancy, output: Decimal, tax: Decimal) -> Share:
        return Share(occ.parcel_id, output, tax, ShareStatus.COUNTED, occ.basis)

    if filing.parcel_id is not None:
        match = next((o for o in occupied if o.parcel_id == filing.parcel_id), None)
        only = (
            share(match, filing.output_value, filing.tax_paid)
            if match
            else Share(filing.parcel_id, filing.output_value, filing.tax_paid, ShareStatus.SUSPECTED_OCCUPANT, None)
        )
        return Attribution(filing.filing_id, filing.revision, Method.NAMED_PARCEL, (only,))
    if not occupied:
        return Attribution(filing.filing_id, filing.revision, Method.NO_PARCEL, ())
    if len(occupied) == 1:
        alone = share(occupied[0], filing.output_value, filing.tax_paid)
        return Attribution(filing.filing_id, filing.revision, Method.ONLY_PARCEL, (alone,))
    areas = [o.area_m2 for o in occupied]
    outputs, taxes = split_exactly(filing.output_value, areas), split_exactly(filing.tax_paid, areas)
    shares = tuple(share(o, out, tax) for o, out, tax in zip(occupied, outputs, taxes, strict=True))
    return Attribution(filing.filing_id, filing.revision, Method.SPLIT_BY_AREA, shares)
