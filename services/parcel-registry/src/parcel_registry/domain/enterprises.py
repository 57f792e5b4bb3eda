"""Enterprises as the business registry reports them: responsible persons and shareholders.

Raw ID numbers exist in these objects only between intake and encryption; their ``repr`` masks
them so an accidental log line cannot leak one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from landgrade_reference.resident_ids import mask_resident_id, normalise_resident_id
from landgrade_reference.uscc import normalise_uscc

from .errors import FieldError, raise_if_any
from .identities import resident_id_reasons, uscc_reasons
from .values import text_problem

FULL_SHARE = Decimal(100)


class EnterpriseStatus(StrEnum):
    ACTIVE = "active"  # 存续 / 在业
    SUSPENDED = "suspended"  # 停业
    REVOKED = "revoked"  # 吊销
    DEREGISTERED = "deregistered"  # 注销
    MOVED_OUT = "moved_out"  # 迁出


class PersonRole(StrEnum):
    LEGAL_REPRESENTATIVE = "legal_representative"  # 法定代表人
    ACTUAL_CONTROLLER = "actual_controller"  # 实际控制人
    DIRECTOR = "director"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"


class ShareholderKind(StrEnum):
    ENTERPRISE = "enterprise"
    PERSON = "person"


@dataclass(frozen=True)
class ResponsiblePerson:
    name: str
    role: PersonRole
    id_number: str = field(repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.id_number, str):
            object.__setattr__(self, "id_number", normalise_resident_id(self.id_number))

    def __repr__(self) -> str:
        return f"ResponsiblePerson(name={self.name!r}, role={self.role!s}, id_number={self.masked_id!r})"

    @property
    def masked_id(self) -> str:
        return mask_resident_id(self.id_number) if isinstance(self.id_number, str) else "***"

    def problems(self) -> list[FieldError]:
        errors = []
        if problem := text_problem(self.name, max_length=100):
            errors.append(FieldError("name", problem))
        if not isinstance(self.role, PersonRole):
            errors.append(FieldError("role", f"must be one of {', '.join(PersonRole)}"))
        errors += [FieldError("id_number", reason) for reason in resident_id_reasons(self.id_number)]
        return errors


@dataclass(frozen=True)
class Shareholder:
    """An enterprise (by USCC) or a natural person (by ID number) holding ``share_pct`` percent."""

    kind: ShareholderKind
    name: str
    share_pct: Decimal
    uscc: str | None = None
    id_number: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.uscc, str):
            object.__setattr__(self, "uscc", normalise_uscc(self.uscc))
        if isinstance(self.id_number, str):
            object.__setattr__(self, "id_number", normalise_resident_id(self.id_number))

    def __repr__(self) -> str:
        who = self.uscc if self.kind is ShareholderKind.ENTERPRISE else "person"
        return f"Shareholder({self.kind!s}, {self.name!r}, {who}, {self.share_pct}%)"

    def problems(self) -> list[FieldError]:
        errors = []
        if problem := text_problem(self.name, max_length=200):
            errors.append(FieldError("name", problem))
        if not isinstance(self.share_pct, Decimal) or not (0 < self.share_pct <= FULL_SHARE):
            errors.append(FieldError("share_pct", "must be a percentage above 0 and at most 100"))
        if self.kind is ShareholderKind.ENTERPRISE:
            errors += [FieldError("uscc", r) for r in uscc_reasons(self.uscc)]
            if self.id_number is not None:
                errors.append(FieldError("id_number", "an enterprise shareholder has no ID number"))
        elif self.kind is ShareholderKind.PERSON:
            errors += [FieldError("id_number", r) for r in resident_id_reasons(self.id_number)]
            if self.uscc is not None:
                errors.append(FieldError("uscc", "a person shareholder has no USCC"))
        else:
            errors.append(FieldError("kind", f"must be one of {', '.join(ShareholderKind)}"))
        return errors

    @property
    def identity(self) -> str | None:
        return self.uscc if self.kind is ShareholderKind.ENTERPRISE else self.id_number


@dataclass(frozen=True)
class Enterprise:
    uscc: str
    name: str
    status: EnterpriseStatus = EnterpriseStatus.ACTIVE
    responsible_persons: tuple[ResponsiblePerson, ...] = ()
    shareholders: tuple[Shareholder, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.uscc, str):
            object.__setattr__(self, "uscc", normalise_uscc(self.uscc))
        raise_if_any(enterprise_problems(self))


def enterprise_problems(enterprise: Enterprise) -> list[FieldError]:
    errors = [FieldError("uscc", r) for r in uscc_reasons(enterprise.uscc)]
    if problem := text_problem(enterprise.name, max_length=200):
        errors.append(FieldError("name", problem))
    if not isinstance(enterprise.status, EnterpriseStatus):
        errors.append(FieldError("status", f"must be one of {', '.join(EnterpriseStatus)}"))
    seen_roles: set[tuple[str, str]] = set()
    for i, person in enumerate(enterprise.responsible_persons):
        errors += [FieldError(f"responsible_persons[{i}].{e.field}", e.reason) for e in person.problems()]
        key = (str(person.id_number), str(person.role))
        if key in seen_roles:
            errors.append(FieldError(f"responsible_persons[{i}]", "the same person twice in one role"))
        seen_roles.add(key)
    seen_holders: set[str] = set()
    for i, holder in enumerate(enterprise.shareholders):
        errors += [FieldError(f"shareholders[{i}].{e.field}", e.reason) for e in holder.problems()]
        if holder.identity and holder.identity in seen_holders:
            errors.append(FieldError(f"shareholders[{i}]", "the same shareholder is listed twice"))
        seen_holders.add(holder.identity or "")
        if holder.kind is ShareholderKind.ENTERPRISE and holder.uscc == enterprise.uscc:
            errors.append(FieldError(f"shareholders[{i}].uscc", "an enterprise cannot hold its own shares"))
    shares = [h.share_pct for h in enterprise.shareholders if isinstance(h.share_pct, Decimal)]
    if sum(shares, Decimal(0)) > FULL_SHARE:
        errors.append(FieldError("shareholders", "shares add up to more than 100%"))
    return errors
