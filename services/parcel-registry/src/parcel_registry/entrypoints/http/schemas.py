"""Request bodies (response bodies: ``schemas_responses.py``). Pydantic checks shapes; the domain
constructors check the rules, so a rule lives in one place and its message names the field either
way. `FilingIn` is the intake's own command (``service_layer/intake.py``): the single POST, its fast
path and every batch line are read by that one model."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from parcel_registry.domain.contracts import ContractedDeadline, ContractTerms, YearlyCommitment
from parcel_registry.domain.enterprises import (
    Enterprise,
    EnterpriseStatus,
    PersonRole,
    ResponsiblePerson,
    Shareholder,
    ShareholderKind,
)
from parcel_registry.domain.leases import Lease, approval_from_fields
from parcel_registry.domain.parcels import FlagKind, Parcel, ParcelCategory, ParcelFlag
from parcel_registry.service_layer.intake import Amount, FilingIn, exact_decimal, no_surrogate_keys

Area = Annotated[Decimal, BeforeValidator(exact_decimal), Field(description="square metres")]

__all__ = ["EnterpriseIn", "FilingIn", "LeaseIn", "ParcelIn"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    _keys = model_validator(mode="before")(no_surrogate_keys)


class PersonIn(_In):
    name: str
    role: PersonRole
    id_number: str = Field(repr=False, description="resident ID number; stored encrypted, shown masked")


class ShareholderIn(_In):
    kind: ShareholderKind
    name: str
    share: Amount = Field(description="percent, above 0 and at most 100")
    uscc: str | None = None
    id_number: str | None = Field(None, repr=False, description="for a person shareholder")


class EnterpriseIn(_In):
    name: str
    status: EnterpriseStatus = EnterpriseStatus.ACTIVE
    responsible_persons: list[PersonIn] = []
    shareholders: list[ShareholderIn] = []

    def to_domain(self, uscc: str) -> Enterprise:
        return Enterprise(
            uscc,
            self.name,
            self.status,
            tuple(ResponsiblePerson(p.name, p.role, p.id_number) for p in self.responsible_persons),
            tuple(Shareholder(s.kind, s.name, s.share, s.uscc, s.id_number) for s in self.shareholders),
        )


class CommitmentIn(_In):
    from_year: int
    to_year: int | None = None
    output_value: Amount
    tax: Amount


class DeadlineIn(_In):
    kind: str = Field(description="e.g. production_start")
    due_on: date
    met_on: date | None = None
    note: str = ""


class FlagIn(_In):
    kind: FlagKind
    since: date
    source: str = Field(description="who established it, e.g. court:(2024)京0115民初1号 or inspection:INS-9")
    cleared_on: date | None = None
    note: str = ""


class ParcelIn(_In):
    name: str
    address: str = ""
    street: str = Field(description="street office or town: 荣华街道, Ronghua or ronghua")
    area_m2: Area
    category: ParcelCategory
    rights_holder: str = Field(description="USCC of the holder of the land-use right")
    geometry: dict[str, Any] | None = None
    commitments: list[CommitmentIn] = []
    deadlines: list[DeadlineIn] = []
    flags: list[FlagIn] = []

    def to_domain(self, parcel_id: str, jurisdiction: str) -> Parcel:
        terms = ContractTerms(
            tuple(YearlyCommitment(c.from_year, c.output_value, c.tax, c.to_year) for c in self.commitments),
            tuple(ContractedDeadline(d.kind, d.due_on, d.met_on, d.note) for d in self.deadlines),
        )
        return Parcel(
            parcel_id=parcel_id,
            name=self.name,
            jurisdiction=jurisdiction,
            area_m2=self.area_m2,
            category=self.category,
            rights_holder=self.rights_holder,
            address=self.address,
            geometry=self.geometry,
            contract_terms=terms,
            flags=tuple(ParcelFlag(f.kind, f.since, f.source, f.cleared_on, f.note) for f in self.flags),
        )


class LeaseIn(_In):
    tenant_uscc: str
    area_m2: Area
    start: date
    end: date | None = None
    approved: bool = False
    approval_reference: str | None = None
    approval_date: date | None = None

    def to_domain(self, parcel_id: str, lease_id: str) -> Lease:
        approval = approval_from_fields(self.approved, self.approval_reference, self.approval_date)
        return Lease(lease_id, parcel_id, self.tenant_uscc, self.area_m2, self.start, self.end, approval)
