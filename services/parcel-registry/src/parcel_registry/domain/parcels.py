"""The parcel (宗地): the unit of the land ledger and of the yearly grading."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from landgrade_reference.jurisdictions import jurisdiction
from landgrade_reference.uscc import normalise_uscc

from .contracts import ContractTerms
from .errors import FieldError, raise_if_any
from .geometry import geometry_problem
from .holders import HolderPeriod, first_periods
from .identities import uscc_reasons
from .values import area_problem, identifier_problem, surrogate_problem, text_problem

SQUARE_METRES_PER_HECTARE = Decimal(10_000)


class ParcelCategory(StrEnum):
    SELF_USE = "self_use"  # 自用工业用地项目
    APPROVED_PARK = "approved_park"  # 立项园区
    RENEWAL_PARK = "renewal_park"  # 城市更新园区, graded against its economic commitment


class FlagKind(StrEnum):
    LITIGATION = "litigation"  # 涉法涉诉
    ABANDONED = "abandoned"  # 烂尾: construction stopped unfinished
    RESIDENTIAL_CONVERSION = "residential_conversion"  # 工改住


@dataclass(frozen=True)
class ParcelFlag:
    """A fact that makes a parcel D whatever its output, while it is active.

    ``source`` says who established it (e.g. ``court:(2024)京0115民初123号`` or
    ``inspection:INS-88``); ``cleared_on`` ends it, and the flag stays on record for history.
    """

    kind: FlagKind
    since: date
    source: str
    cleared_on: date | None = None
    note: str = ""

    def is_active(self, on: date) -> bool:
        return self.since <= on and (self.cleared_on is None or on < self.cleared_on)

    def problems(self) -> list[FieldError]:
        errors = []
        if not isinstance(self.kind, FlagKind):
            errors.append(FieldError("kind", f"must be one of {', '.join(FlagKind)}"))
        if problem := text_problem(self.source, max_length=200):
            errors.append(FieldError("source", problem))
        if problem := text_problem(self.note, required=False, max_length=500):
            errors.append(FieldError("note", problem))
        if self.cleared_on is not None and self.cleared_on < self.since:
            errors.append(FieldError("cleared_on", "must not be before the flag's date"))
        return errors


EndingAct = Literal["split", "merge", "end_of_right"]


@dataclass(frozen=True)
class Ending:
    """How and from when a parcel's land-use right ended: split (分宗) or merged (合宗) into its
    `successors`, or taken back (收回, none). The parcel stays in the ledger with its history; an
    ended parcel takes no further act."""

    on: date  # the first day the parcel no longer exists as such
    act: EndingAct
    document_ref: str
    successors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parcel:
    parcel_id: str  # the ledger number
    name: str
    jurisdiction: str  # code of the street office or town government, see jurisdictions.py
    area_m2: Decimal
    category: ParcelCategory
    rights_holder: str  # USCC of the enterprise holding the land-use right
    address: str = ""
    geometry: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    contract_terms: ContractTerms = field(default_factory=ContractTerms)
    flags: tuple[ParcelFlag, ...] = ()
    # The dated holders, the last one `rights_holder` (transfers are never dated in the future);
    # a new parcel has one period with no start. Not compared: `rights_holder` is.
    holders: tuple[HolderPeriod, ...] = field(default=(), compare=False, hash=False)
    # Lineage: the parcels this one was split or merged from, and its end (None: in force).
    predecessors: tuple[str, ...] = ()
    ending: Ending | None = None

    def __post_init__(self) -> None:
        if isinstance(self.rights_holder, str):
            object.__setattr__(self, "rights_holder", normalise_uscc(self.rights_holder))
        if not self.holders and isinstance(self.rights_holder, str):
            object.__setattr__(self, "holders", first_periods(self.rights_holder))
        raise_if_any(parcel_problems(self))

    @property
    def ended_on(self) -> date | None:
        return self.ending.on if self.ending else None

    @property
    def successors(self) -> tuple[str, ...]:
        return self.ending.successors if self.ending else ()

    @property
    def hectares(self) -> Decimal:
        return self.area_m2 / SQUARE_METRES_PER_HECTARE

    def active_flags(self, on: date) -> tuple[ParcelFlag, ...]:
        return tuple(f for f in self.flags if f.is_active(on))


def parcel_problems(parcel: Parcel) -> list[FieldError]:
    errors: list[FieldError] = []

    def check(name: str, problem: str | None) -> None:
        if problem:
            errors.append(FieldError(name, problem))

    check("parcel_id", identifier_problem(parcel.parcel_id))
    check("name", text_problem(parcel.name))
    check("address", text_problem(parcel.address, required=False, max_length=300))
    check("area_m2", area_problem(parcel.area_m2))
    if not isinstance(parcel.category, ParcelCategory):
        check("category", f"must be one of {', '.join(ParcelCategory)}")
    try:
        jurisdiction(parcel.jurisdiction)
    except ValueError as bad:
        check("jurisdiction", str(bad))
    check("rights_holder", "; ".join(uscc_reasons(parcel.rights_holder)) or None)
    if parcel.geometry is not None:
        check("geometry", surrogate_problem(parcel.geometry) or geometry_problem(parcel.geometry))
    for i, flag in enumerate(parcel.flags):
        errors += [FieldError(f"flags[{i}].{e.field}", e.reason) for e in flag.problems()]
    return errors
