"""Credit repair and objection (信用修复 / 异议).

A subject applies, with evidence, against one of its own negative records. Approval appends a
repair record that supersedes the negative one — the negative record is never deleted or edited
(the hash chain forbids it) but its disclosure ends. A repair of the rights holder's grade record
also supersedes the records that grade put on related parties by penetration: they were only ever
consequences of the holder's record. A related party's own application repairs its record alone.

Repairs change what credit files disclose, not entitlements: benefits follow grades, and a
re-evaluation is how a parcel's grade changes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from .penetration import Relation
from .records import CreditRecord, Polarity, RecordKind, record_id


class RepairKind(enum.StrEnum):
    REPAIR = "repair"  # 信用修复: the cause has been remedied
    OBJECTION = "objection"  # 异议: the record was wrong in the first place


class RepairStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


_DECIDED_ZH = {"approved": "批准", "rejected": "驳回"}


class RepairRefused(ValueError):
    """The application cannot be accepted or approved; the message says why, `field` says where
    ("status" when the application was already decided)."""

    def __init__(self, message: str, field: str = "record_id", *, zh: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.zh = zh or message  # the reason in Chinese, for the people who read it first


@dataclass(frozen=True)
class RepairApplication:
    repair_id: str
    kind: RepairKind
    subject_ref: str  # the applicant: a USCC, or a person token
    record_id: str  # the negative record to repair
    evidence: tuple[str, ...]  # references to documents held elsewhere
    statement: str
    applied_at: datetime
    status: RepairStatus = RepairStatus.PENDING


@dataclass(frozen=True)
class Repair:
    """An application as stored, with who applied and, once decided, the decision."""

    application: RepairApplication
    applied_by: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None


def check_application(
    application: RepairApplication, target: CreditRecord | None, ended: set[str]
) -> None:
    """Refuse an application that could never be approved, so the applicant learns at once."""
    if target is None:
        raise RepairRefused(f"record {application.record_id} does not exist",
                            zh=f"信用记录 {application.record_id} 不存在")
    if target.subject_ref != application.subject_ref:
        raise RepairRefused("a subject can only apply against its own records", "subject_ref",
                            zh="只能针对本主体自己的信用记录提出申请")
    if target.polarity is not Polarity.NEGATIVE:
        raise RepairRefused("only negative records can be repaired or objected to",
                            zh="只有失信（负面）记录可以申请信用修复或提出异议")
    if target.record_id in ended:
        raise RepairRefused("this record has already been superseded", zh="该记录已被更正，不能再申请")
    if not application.evidence:
        raise RepairRefused("evidence is required", "evidence", zh="必须提供证明材料")


def approve(
    application: RepairApplication,
    target: CreditRecord,
    same_origin: list[CreditRecord],
    ended: set[str],
    decided_at: datetime,
    note: str = "",
) -> list[CreditRecord]:
    """The repair records to append (target first), one per record whose disclosure ends.

    `same_origin`: every record produced by the same grade/case as the target; `ended`: ids of
    records already superseded.
    """
    if application.status is not RepairStatus.PENDING:
        raise RepairRefused(f"application is already {application.status.value}", "status",
                            zh=f"该申请已{_DECIDED_ZH.get(application.status.value, application.status.value)}")
    check_application(application, target, ended)
    cascade = target.kind is RecordKind.GRADE and target.relation is Relation.HOLDER
    covered = [target] + [
        r for r in same_origin
        if cascade and r.record_id != target.record_id and r.polarity is Polarity.NEGATIVE
        and r.kind is target.kind and r.record_id not in ended
    ]
    label = "credit repair" if application.kind is RepairKind.REPAIR else "objection"
    suffix = f": {note}" if note else ""
    return [
        CreditRecord(
            record_id=record_id(f"{application.repair_id}:{old.record_id}", RecordKind.REPAIR,
                                old.subject_kind, old.subject_ref),
            kind=RecordKind.REPAIR, origin=application.repair_id,
            subject_kind=old.subject_kind, subject_ref=old.subject_ref, parcel_id=old.parcel_id,
            relation=old.relation, path=old.path, path_sentence=old.path_sentence,
            polarity=Polarity.NEUTRAL,
            # Neither the old reason nor its grade is repeated: that would disclose it again.
            reason=f"{label} {application.repair_id} approved{suffix}; ends the disclosure of record "
                   f"{old.record_id}",
            occurred_at=decided_at, year=old.year, supersedes=old.record_id,
        )
        for old in covered
    ]
