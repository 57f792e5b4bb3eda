"""Request bodies (response bodies: ``schemas_responses.py``). Pydantic checks shapes; the domain
constructors check the rules, so a rule lives in one place and its message names the field either
way. `FilingIn` is the intake's own command (``service_layer/intake.py``): the single POST, its fast
path and every batch line are read by that one model."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from parcel_registry.domain.acts import NewParcel
from parcel_registry.domain.contracts import ContractedDeadline, ContractTerms, YearlyCommitment
from parcel_registry.domain.enterprises import (
    Enterprise,
    EnterpriseStatus,
    PersonRole,
    ResponsiblePerson,
    Shareholder,
    ShareholderKind,
)
from parcel_registry.domain.key_patterns import (
    AREA_SCHEMA,
    DEADLINE_KIND_SCHEMA,
    GEOMETRY_SCHEMA,
    ID_SCHEMA,
    MONEY_SCHEMA,
    RESIDENT_ID_SCHEMA,
    SHARE_SCHEMA,
    USCC_SCHEMA,
    YEAR_BOUNDS,
)
from parcel_registry.domain.leases import Lease, approval_from_fields
from parcel_registry.domain.parcels import FlagKind, Parcel, ParcelCategory, ParcelFlag
from parcel_registry.domain.values import area_problem, identifier_problem, text_problem
from parcel_registry.entrypoints.http.contract_types import CheckedUscc, Street, Uscc, checked, text
from parcel_registry.service_layer.intake import FilingIn, exact_decimal, no_surrogate_keys

Area = Annotated[Decimal, BeforeValidator(exact_decimal), checked("invalid_area", area_problem),
                 WithJsonSchema(AREA_SCHEMA)]
Money = Annotated[Decimal, BeforeValidator(exact_decimal), WithJsonSchema(MONEY_SCHEMA)]
Percent = Annotated[Decimal, BeforeValidator(exact_decimal), WithJsonSchema(SHARE_SCHEMA)]

def _text_of(max_length: int) -> Any:
    return checked("invalid_text", lambda value: text_problem(value, max_length=max_length))


Reason = Annotated[str, text(500), _text_of(500), Field(
    description="why (required to change a registered parcel's area, holder, category or flags)")]
Reference = Annotated[str, text(200), _text_of(200), Field(
    description="the sender's own reference of this change")]

__all__ = ["EndOfRightIn", "EnterpriseIn", "EnterpriseLineIn", "FilingIn", "LeaseIn", "MergeIn", "ParcelIn",
           "SplitIn", "TransferIn", "UseChangeIn"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    _keys = model_validator(mode="before")(no_surrogate_keys)


class PersonIn(_In):
    name: Annotated[str, text(100)]
    role: PersonRole
    id_number: str = Field(repr=False, description="resident ID number; stored encrypted, shown masked",
                           json_schema_extra=RESIDENT_ID_SCHEMA)


def _one_share_schema(schema: dict[str, Any]) -> None:
    """The schema states what `_one_share` checks: `share_pct` or the deprecated `share`, one of
    them, as a number (null is no share)."""
    for name in ("share_pct", "share"):
        schema["properties"][name] = {**SHARE_SCHEMA, "deprecated": name == "share"}
    # and who holds: an enterprise by its USCC, a person by an ID number, never both.
    null = {"type": "null"}
    schema["allOf"] = [
        {"oneOf": [{"required": ["share_pct"], "not": {"required": ["share"]}},
                   {"required": ["share"], "not": {"required": ["share_pct"]}}]},
        {"oneOf": [
            {"properties": {"kind": {"const": "enterprise"}, "uscc": {"type": "string"}, "id_number": null},
             "required": ["uscc"]},
            {"properties": {"kind": {"const": "person"}, "id_number": {"type": "string"}, "uscc": null},
             "required": ["id_number"]},
        ]},
    ]
    schema["properties"]["uscc"] = {**USCC_SCHEMA, "type": ["string", "null"]}
    schema["properties"]["id_number"] = {**RESIDENT_ID_SCHEMA, "type": ["string", "null"],
                                         "description": "for a person shareholder"}


class ShareholderIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_share_schema)

    kind: ShareholderKind
    name: Annotated[str, text(200)]
    share_pct: Percent | None = Field(None, description="the holding in percent, above 0 and at most 100 "
                                                        "(60 % is 60, not 0.6); required unless `share` is sent")
    share: Percent | None = Field(None, deprecated=True, description="the earlier name of `share_pct` (percent)")
    uscc: Uscc | None = None
    id_number: Annotated[str, Field(json_schema_extra=RESIDENT_ID_SCHEMA)] | None = Field(
        None, repr=False, description="for a person shareholder")

    @property
    def legacy_share(self) -> Decimal | None:
        """What was sent as the deprecated `share` (read without the deprecation warning)."""
        value: Decimal | None = self.__dict__.get("share")
        return value

    @model_validator(mode="after")
    def _one_share(self) -> ShareholderIn:
        if self.share_pct is None and self.legacy_share is None:
            raise ValueError("share_pct is required (percent, above 0 and at most 100)")
        if self.share_pct is not None and self.legacy_share is not None and self.share_pct != self.legacy_share:
            raise ValueError("share and share_pct differ: send share_pct only")
        return self

    @property
    def percent(self) -> Decimal:
        value = self.share_pct if self.share_pct is not None else self.legacy_share
        assert value is not None  # `_one_share`
        return value


# An enterprise's responsible persons (法定代表人, 实际控制人, directors...) and the shareholders
# the business registry reports; the bounds let a route name every item its rules concern.
MAX_RESPONSIBLE_PERSONS = 50
MAX_SHAREHOLDERS = 200


class EnterpriseIn(_In):
    name: Annotated[str, text(200)]
    status: EnterpriseStatus = EnterpriseStatus.ACTIVE
    responsible_persons: list[PersonIn] = Field([], max_length=MAX_RESPONSIBLE_PERSONS)
    shareholders: list[ShareholderIn] = Field([], max_length=MAX_SHAREHOLDERS)
    reason: Reason | None = None
    reference: Reference | None = None
    effective_on: date | None = Field(None, description="the day the reported change took effect (default: the "
                                      "day it is recorded, Beijing time); persons and shareholders it drops are "
                                      "related to the enterprise up to that day, ones it adds from it")

    def to_domain(self, uscc: str) -> Enterprise:
        return Enterprise(
            uscc,
            self.name,
            self.status,
            tuple(ResponsiblePerson(p.name, p.role, p.id_number) for p in self.responsible_persons),
            tuple(Shareholder(s.kind, s.name, s.percent, s.uscc, s.id_number) for s in self.shareholders),
        )


class EnterpriseLineIn(EnterpriseIn):
    """One enterprise of a business-registry batch: its USCC and the day the change took effect."""

    uscc: CheckedUscc
    effective_on: date = Field(description="the day the reported change took effect")


# A contract commits yearly output and tax over a few periods, and a parcel carries a few flags;
# the bounds let a route name every item field its rules across fields concern (`rules.py`).
MAX_COMMITMENTS = 20
MAX_FLAGS = 50


class CommitmentIn(_In):
    from_year: int = Field(json_schema_extra=YEAR_BOUNDS)
    to_year: int | None = Field(None, json_schema_extra=YEAR_BOUNDS)
    output_value: Money
    tax: Money


class DeadlineIn(_In):
    kind: str = Field(description="e.g. production_start", json_schema_extra=DEADLINE_KIND_SCHEMA)
    due_on: date
    met_on: date | None = None
    note: Annotated[str, text(500, required=False)] = ""


class FlagIn(_In):
    kind: FlagKind
    since: date
    source: Annotated[str, text(200)] = Field(
        description="who established it, e.g. court:(2024)京0115民初1号 or inspection:INS-9")
    cleared_on: date | None = None
    note: Annotated[str, text(500, required=False)] = ""


class ParcelIn(_In):
    name: Annotated[str, text(200)]
    address: Annotated[str, text(300, required=False)] = ""
    street: Annotated[Street, text(100)] = Field(description="street office or town: 荣华街道, Ronghua or ronghua")
    area_m2: Area
    category: ParcelCategory
    rights_holder: CheckedUscc = Field(description="USCC of the holder of the land-use right")
    geometry: Annotated[dict[str, Any] | None, WithJsonSchema(GEOMETRY_SCHEMA)] = None
    commitments: list[CommitmentIn] = Field([], max_length=MAX_COMMITMENTS)
    deadlines: list[DeadlineIn] = []
    flags: list[FlagIn] = Field([], max_length=MAX_FLAGS)
    reason: Reason | None = None
    reference: Reference | None = None

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


def _approval_schema(schema: dict[str, Any]) -> None:
    """The schema states what `approval_from_fields` checks: an approved lease has its reference
    and date; one not approved has neither."""
    schema["if"] = {"properties": {"approved": {"const": True}}, "required": ["approved"]}
    schema["then"] = {"required": ["approval_reference", "approval_date"],
                      "properties": {"approval_reference": {"type": "string"}, "approval_date": {"type": "string"}}}
    schema["else"] = {"properties": {"approval_reference": {"type": "null"}, "approval_date": {"type": "null"}}}


class LeaseIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_approval_schema)

    tenant_uscc: CheckedUscc
    area_m2: Area
    start: date
    end: date | None = Field(None, description="the last day (open-ended when absent); not before `start`")
    approved: bool = False
    approval_reference: Annotated[str, text(100)] | None = Field(
        None, description="the Administrative Committee's approval document number (when approved)")
    approval_date: date | None = Field(None, description="the approval's date (when approved)")

    def to_domain(self, parcel_id: str, lease_id: str) -> Lease:
        approval = approval_from_fields(self.approved, self.approval_reference, self.approval_date)
        return Lease(lease_id, parcel_id, self.tenant_uscc, self.area_m2, self.start, self.end, approval)


class TransferIn(_In):
    """A transfer (转让) of the land-use right, in force from `effective_on`."""

    new_holder: CheckedUscc = Field(description="USCC of the enterprise that holds the right from effective_on")
    effective_on: date = Field(description="the first day the new holder holds it: not after today (Beijing time)",
                               json_schema_extra={"format": "past-date"})
    document_ref: Reference = Field(description="the act's document, e.g. 不动产权证号")
    reason: Reason


ParcelId = Annotated[str, checked("invalid_id", identifier_problem), Field(json_schema_extra=ID_SCHEMA)]
EffectiveOn = Annotated[date, Field(description="the day the act takes effect: not after today (Beijing time)",
                                    json_schema_extra={"format": "past-date"})]
MAX_NEW_PARCELS = 100  # a split into more pieces than this is no 分宗 the ledger has seen


class NewParcelIn(_In):
    """A parcel an act creates; its street, category and holder are those of the parcel(s) it
    comes from."""

    parcel_id: ParcelId = Field(description="the new ledger number: one the ledger does not hold yet")
    name: Annotated[str, text(200)]
    address: Annotated[str, text(300, required=False)] = ""
    geometry: Annotated[dict[str, Any] | None, WithJsonSchema(GEOMETRY_SCHEMA)] = None

    def to_domain(self, area_m2: Decimal) -> NewParcel:
        return NewParcel(self.parcel_id, self.name, area_m2, self.address, self.geometry)


class ChildIn(NewParcelIn):
    area_m2: Area


class SplitIn(_In):
    """A split (分宗) of a parcel into new parcels whose areas sum to its own, in force from
    `effective_on`; the parcel ends that day."""

    children: list[ChildIn] = Field(min_length=2, max_length=MAX_NEW_PARCELS)
    effective_on: EffectiveOn
    document_ref: Reference = Field(description="the act's document, e.g. 不动产权证号 or 分宗批复文号")
    reason: Reason


class MergeIn(_In):
    """A merge (合宗) of parcels of one holder, street and category into one new parcel whose area
    is their sum, in force from `effective_on`; the merged parcels end that day."""

    parcel_ids: list[ParcelId] = Field(min_length=2, max_length=MAX_NEW_PARCELS,
                                       json_schema_extra={"uniqueItems": True})
    new_parcel: NewParcelIn
    effective_on: EffectiveOn
    document_ref: Reference = Field(description="the act's document, e.g. 不动产权证号")
    reason: Reason


class EndOfRightIn(_In):
    """The end of a parcel's land-use right (收回), from `effective_on`."""

    effective_on: EffectiveOn
    document_ref: Reference = Field(description="the act's document, e.g. 收回决定书文号 or 出让合同编号")
    reason: Reason


class UseChangeIn(_In):
    """A change of use (变更用途): the parcel's category from `effective_on`."""

    category: ParcelCategory
    effective_on: EffectiveOn
    document_ref: Reference = Field(description="the act's document, e.g. 出让合同补充协议编号")
    reason: Reason
