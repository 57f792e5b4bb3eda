"""Credit repair / objection applications and their decisions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters import ledger
from credit_ledger.adapters.tables import credit_records, repairs
from credit_ledger.domain.records import CreditRecord
from credit_ledger.domain.repairs import (
    RepairApplication,
    RepairKind,
    RepairRefused,
    RepairStatus,
    approve,
    check_application,
)
from credit_ledger.service_layer.outgoing import record_appended
from servicekit.outbox import Outbox


class RepairNotFound(LookupError):
    pass


async def _target(session: AsyncSession, record_id: str) -> tuple[CreditRecord | None, set[str]]:
    found = await ledger.records_where(session, credit_records.c.record_id == record_id)
    target = found[0] if found else None
    return target, await ledger.superseded_ids(session, [record_id])


async def apply(session: AsyncSession, kind: RepairKind, subject_ref: str, record_id: str,
                evidence: list[str], statement: str, applied_by: str) -> dict[str, Any]:
    application = RepairApplication(
        repair_id=str(uuid.uuid4()), kind=kind, subject_ref=subject_ref, record_id=record_id,
        evidence=tuple(evidence), statement=statement, applied_at=datetime.now(UTC),
    )
    target, ended = await _target(session, record_id)
    check_application(application, target, ended)
    row = {
        "repair_id": application.repair_id, "kind": kind.value, "subject_ref": subject_ref,
        "record_id": record_id, "evidence": list(evidence), "statement": statement,
        "status": RepairStatus.PENDING.value, "applied_by": applied_by, "applied_at": application.applied_at,
    }
    await session.execute(insert(repairs).values(**row))
    return await get(session, application.repair_id)


async def get(session: AsyncSession, repair_id: str, lock: bool = False) -> dict[str, Any]:
    query = select(repairs).where(repairs.c.repair_id == repair_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise RepairNotFound(repair_id)
    return dict(row._mapping)


def _application(row: dict[str, Any]) -> RepairApplication:
    return RepairApplication(
        repair_id=row["repair_id"], kind=RepairKind(row["kind"]), subject_ref=row["subject_ref"],
        record_id=row["record_id"], evidence=tuple(row["evidence"]), statement=row["statement"],
        applied_at=row["applied_at"], status=RepairStatus(row["status"]),
    )


async def decide(session: AsyncSession, outbox: Outbox, repair_id: str, approved: bool,
                 decided_by: str, note: str) -> tuple[dict[str, Any], list[CreditRecord]]:
    """Approval appends the superseding records; rejection only closes the application."""
    await ledger.lock_head(session)  # head first, as every writer does
    row = await get(session, repair_id, lock=True)
    application = _application(row)
    if application.status is not RepairStatus.PENDING:
        raise RepairRefused(f"application is already {application.status.value}", "status")
    now = datetime.now(UTC)
    appended: list[CreditRecord] = []
    if approved:
        target, _ = await _target(session, application.record_id)
        if target is None:
            raise RepairRefused(f"record {application.record_id} does not exist")
        same_origin = await ledger.records_where(session, credit_records.c.origin == target.origin)
        ended = await ledger.superseded_ids(session, [r.record_id for r in same_origin])
        appended = approve(application, target, same_origin, ended, now, note)
        chained = await ledger.append_records(session, appended)
        await outbox.add(session, *(record_appended(r, c) for r, c in zip(appended, chained, strict=True)))
    status = RepairStatus.APPROVED if approved else RepairStatus.REJECTED
    await session.execute(update(repairs).where(repairs.c.repair_id == repair_id).values(
        status=status.value, decided_by=decided_by, decided_at=now, decision_note=note or None))
    return await get(session, repair_id), appended
