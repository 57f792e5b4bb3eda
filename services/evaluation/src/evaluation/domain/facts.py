"""What the evaluation knows about one parcel for one year: the input of grading.

Output and tax are already summed for the parcel (holder plus approved tenants, gap 4); the
projection that builds these facts records which enterprises contributed and whether a filing
had to be split by area, so the explanation can say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Category(StrEnum):
    SELF_USE = "self_use"  # 自用工业用地项目
    APPROVED_PARK = "approved_park"  # 立项园区
    RENEWAL_PARK = "renewal_park"  # 城市更新园区


class ViolationKind(StrEnum):
    UNAUTHORISED_LEASE = "unauthorised_lease"  # 未经允许出租
    LITIGATION = "litigation"  # 涉法涉诉
    ABANDONED = "abandoned"  # 烂尾
    RESIDENTIAL_CONVERSION = "residential_conversion"  # 工改住
    NON_INDUSTRIAL_USE = "non_industrial_use"  # 不按工业用途使用
    ILLEGAL_CONSTRUCTION = "illegal_construction"  # 违法违规建设


class HolderAttitude(StrEnum):
    """The rights holder's stance after guidance on an unauthorised lease."""

    COOPERATING_WITH_RENEWAL = "cooperating_with_renewal"
    REFUSES_TO_CORRECT = "refuses_to_correct"
    UNDETERMINED = "undetermined"


class BreachKind(StrEnum):
    MISSED_DEADLINE = "missed_deadline"  # e.g. production start in the land-transfer contract


@dataclass(frozen=True)
class Commitment:
    """An urban-renewal park's economic commitment for the year (经济效益承诺), CNY."""

    output_value: Decimal
    tax_paid: Decimal


@dataclass(frozen=True)
class Violation:
    violation_id: str  # the finding or case that established it
    kind: ViolationKind
    tenant_uscc: str | None = None  # unauthorised leases only
    equity_linked: bool = False  # tenant linked to the holder by shareholding
    holder_attitude: HolderAttitude = HolderAttitude.UNDETERMINED
    rectified: bool = False  # 整改 done: re-evaluated, no longer counts


@dataclass(frozen=True)
class ContractBreach:
    breach_id: str
    kind: BreachKind = BreachKind.MISSED_DEADLINE
    description: str = ""
    due_date: date | None = None
    rectified: bool = False


@dataclass(frozen=True)
class ParcelFacts:
    parcel_id: str
    holder_uscc: str
    street: str
    category: Category
    area_m2: Decimal
    year: int
    output_value: Decimal = Decimal(0)
    tax_paid: Decimal = Decimal(0)
    has_filing: bool = False
    commitment: Commitment | None = None
    violations: tuple[Violation, ...] = ()
    breaches: tuple[ContractBreach, ...] = ()
    contributing_usccs: tuple[str, ...] = ()  # enterprises whose filings were summed
    apportioned_by_area: bool = False  # some filing named no parcel and was split by area

    def __post_init__(self) -> None:
        if self.area_m2 <= 0:
            raise ValueError(f"parcel {self.parcel_id}: area_m2 must be positive")
        if self.output_value < 0 or self.tax_paid < 0:
            raise ValueError(f"parcel {self.parcel_id}: output and tax cannot be negative")

    @property
    def open_violations(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if not v.rectified)

    @property
    def open_breaches(self) -> tuple[ContractBreach, ...]:
        return tuple(b for b in self.breaches if not b.rectified)
