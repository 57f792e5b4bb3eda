"""Credit repair / objection applications and their decisions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python

from credit_ledger.domain.penetration import SubjectKind
from credit_ledger.domain.records import CreditRecord
from credit_ledger.domain.repairs import (
    Repair,
    RepairApplication,
    RepairKind,
    RepairRefused,
    RepairStatus,
    approve,
    check_application,
)
from credit_ledger.domain.subjects import UnknownSubject, as_uscc, is_person_token
from credit_ledger.service_layer.outgoing import record_appended
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from servicekit.idempotency import IdempotentRequest


class RepairNotFound(LookupError):
    pass


class RecordNotFound(LookupError):
    """An application names a record id the ledger does not hold."""


@dataclass(frozen=True)
class ApplyForRepair:
    kind: RepairKind
    subject_ref: str
    record_id: str
    evidence: tuple[str, ...]
    statement: str
    applied_by: str
    at: datetime


@dataclass(frozen=True)
class DecideRepair:
    repair_id: str
    approved: bool
    decided_by: str
    note: str
    at: datetime


def answer(repair: Repair, appended: list[str] | None = None) -> dict[str, Any]:
    """An application as the API answers it, with the ids of the records its approval appended."""
    a = repair.application
    return {
        "repair_id": a.repair_id, "kind": a.kind.value, "subject_ref": a.subject_ref, "record_id": a.record_id,
        "evidence": list(a.evidence), "statement": a.statement, "status": a.status.value,
        "applied_at": a.applied_at, "decided_at": repair.decided_at, "decision_note": repair.decision_note,
        "appended_record_ids": appended or [],
    }


async def apply(uow: CreditLedgerUnitOfWork, command: ApplyForRepair,
                request: IdempotentRequest | None = None) -> tuple[int, Any]:
    """(status, answer) of the application; a retry under the same Idempotency-Key gets the first
    answer again, stored in the same transaction as the application."""
    async with uow:
        replayed = await uow.replayed(request)
        if replayed is not None:
            return replayed
        subject = await applicant(uow, command.subject_ref)
        application = RepairApplication(
            repair_id=str(uuid.uuid4()), kind=command.kind, subject_ref=subject,
            record_id=command.record_id, evidence=command.evidence, statement=command.statement,
            applied_at=command.at,
        )
        target = await uow.ledger.record(command.record_id)
        if target is None:
            raise RecordNotFound(command.record_id)
        check_application(application, target, await uow.ledger.superseded_ids([command.record_id]))
        await uow.repairs.add(application, command.applied_by)
        body = to_jsonable_python(answer(await stored(uow, application.repair_id)))
        await uow.remember(request, 201, body)
        return 201, body


async def applicant(uow: CreditLedgerUnitOfWork, subject_ref: str) -> str:
    """The applicant as the ledger spells it: a USCC as `parse_uscc` normalises it, or a person
    token the ledger holds (exactly); a well-formed token it does not hold is UnknownSubject;
    anything else is refused, naming `subject_ref`."""
    uscc = as_uscc(subject_ref)
    if uscc is not None:
        return uscc
    if await uow.graph.is_person(subject_ref) or any(
            r.subject_kind is SubjectKind.PERSON for _, r in await uow.ledger.of_subject(subject_ref)):
        return subject_ref
    if is_person_token(subject_ref):
        raise UnknownSubject(subject_ref)
    raise RepairRefused("subject_ref is neither a valid USCC nor a person token the ledger holds", "subject_ref",
                        zh="申请人不是有效的统一社会信用代码，也不是本账本中的责任人标识")


async def decide(uow: CreditLedgerUnitOfWork, command: DecideRepair) -> dict[str, Any]:
    """Approval appends the superseding records; rejection only closes the application."""
    async with uow:
        await uow.ledger.lock_head()  # head first, as every writer does
        application = (await stored(uow, command.repair_id, lock=True)).application
        if application.status is not RepairStatus.PENDING:
            raise RepairRefused(f"application is already {application.status.value}", "status",
                                zh="该申请已有决定，不能再次决定")
        appended: list[CreditRecord] = []
        if command.approved:
            target = await uow.ledger.record(application.record_id)
            if target is None:
                raise RepairRefused(f"record {application.record_id} does not exist",
                                    zh=f"信用记录 {application.record_id} 不存在")
            same_origin = await uow.ledger.of_origin(target.origin)
            ended = await uow.ledger.superseded_ids([r.record_id for r in same_origin])
            appended = approve(application, target, same_origin, ended, command.at, command.note)
            chained = await uow.ledger.append(appended)
            await uow.emit(*(record_appended(r, c) for r, c in zip(appended, chained, strict=True)))
        status = RepairStatus.APPROVED if command.approved else RepairStatus.REJECTED
        await uow.repairs.decide(command.repair_id, status, command.decided_by, command.at, command.note or None)
        return answer(await stored(uow, command.repair_id), [r.record_id for r in appended])


async def stored(uow: CreditLedgerUnitOfWork, repair_id: str, *, lock: bool = False) -> Repair:
    found = await uow.repairs.get(repair_id, lock=lock)
    if found is None:
        raise RepairNotFound(repair_id)
    return found
