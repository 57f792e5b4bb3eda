"""Inspections with their findings and evidence records (SQLAlchemy Core, caller's transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from enforcement.adapters.tables import evidence, findings, inspections, pending_inspections
from enforcement.domain.evidence import Evidence
from enforcement.domain.inspections import (
    Finding,
    FindingType,
    HolderAttitude,
    Inspection,
    InspectionRecord,
    finding_id,
)
from enforcement.domain.pending import PendingInspection, PendingStatus
from landgrade_reference.jurisdictions import canonical_jurisdiction


class InspectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, inspection: Inspection, *, street: str, submitted_by: str,
                  recorded_at: datetime) -> bool:
        """Insert; False when this inspection_id is already recorded (the caller compares bodies)."""
        inserted = await self.session.execute(
            pg_insert(inspections).values(
                inspection_id=inspection.inspection_id, parcel_id=inspection.parcel_id, street=street,
                street_key=canonical_jurisdiction(street), inspected_at=inspection.inspected_at,
                inspector=inspection.inspector, submitted_by=submitted_by, recorded_at=recorded_at,
            ).on_conflict_do_nothing().returning(inspections.c.inspection_id))
        if inserted.first() is None:
            return False
        await self.session.execute(insert(findings), [
            {"finding_id": finding_id(inspection.inspection_id, n), "inspection_id": inspection.inspection_id,
             "position": n, "type": f.type.value, "holder_attitude": f.holder_attitude.value,
             "tenant_uscc": f.tenant_uscc, "note": f.note}
            for n, f in enumerate(inspection.findings, start=1)])
        return True

    async def get(self, inspection_id: str, *, for_update: bool = False) -> InspectionRecord | None:
        query = select(inspections).where(inspections.c.inspection_id == inspection_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        if row is None:
            return None
        found = (await self.session.execute(select(findings).where(
            findings.c.inspection_id == inspection_id).order_by(findings.c.position))).all()
        inspection = Inspection(row.inspection_id, row.parcel_id, row.inspected_at, row.inspector, tuple(
            Finding(FindingType(f.type), HolderAttitude(f.holder_attitude), f.tenant_uscc, f.note)
            for f in found))
        return InspectionRecord(inspection, row.street, row.submitted_by, row.recorded_at,
                                tuple(await self.evidence_of(inspection_id)))

    async def evidence_of(self, inspection_id: str) -> list[Evidence]:
        rows = (await self.session.execute(
            select(evidence).where(evidence.c.inspection_id == inspection_id)
            .order_by(evidence.c.recorded_at, evidence.c.evidence_id))).all()
        return [_evidence(r) for r in rows]

    async def add_evidence(self, item: Evidence) -> Evidence:
        """Insert; when the same bytes raced in first, the record that won is returned."""
        inserted = await self.session.execute(
            pg_insert(evidence).values(
                evidence_id=item.evidence_id, inspection_id=item.inspection_id, media_type=item.media_type,
                size_bytes=item.size_bytes, sha256=item.sha256, filename=item.filename,
                storage_name=item.storage_name, recorded_at=item.recorded_at, recorded_by=item.recorded_by,
            ).on_conflict_do_nothing().returning(evidence.c.evidence_id))
        if inserted.first() is not None:
            return item
        row = (await self.session.execute(select(evidence).where(
            evidence.c.inspection_id == item.inspection_id, evidence.c.sha256 == item.sha256))).one()
        return _evidence(row)


    async def add_pending(self, pending: PendingInspection) -> bool:
        """Keep an inspection of a parcel not reported yet; False when its id is already kept."""
        i = pending.inspection
        inserted = await self.session.execute(
            pg_insert(pending_inspections).values(
                inspection_id=i.inspection_id, parcel_id=i.parcel_id, inspected_at=i.inspected_at,
                inspector=i.inspector, findings=[_finding_json(f) for f in i.findings],
                jurisdiction=pending.jurisdiction, unrestricted=pending.unrestricted,
                submitted_by=pending.submitted_by, received_at=pending.received_at, status=pending.status.value,
            ).on_conflict_do_nothing().returning(pending_inspections.c.inspection_id))
        return inserted.first() is not None

    async def pending(self, inspection_id: str) -> PendingInspection | None:
        row = (await self.session.execute(select(pending_inspections).where(
            pending_inspections.c.inspection_id == inspection_id))).first()
        return None if row is None else _pending(row)

    async def pending_for(self, parcel_ids: list[str]) -> list[PendingInspection]:
        """The inspections waiting for these parcels, oldest first, locked until the transaction ends."""
        rows = (await self.session.execute(
            select(pending_inspections)
            .where(pending_inspections.c.parcel_id.in_(sorted(set(parcel_ids))),
                   pending_inspections.c.status == PendingStatus.PENDING.value)
            .order_by(pending_inspections.c.received_at, pending_inspections.c.inspection_id)
            .with_for_update())).all()
        return [_pending(r) for r in rows]

    async def recorded_pending(self, inspection_id: str) -> None:
        """The inspection is recorded now: it waits no longer."""
        await self.session.execute(delete(pending_inspections).where(
            pending_inspections.c.inspection_id == inspection_id))

    async def renew_pending(self, pending: PendingInspection) -> None:
        """An expired inspection sent again waits anew, with the content and sender of this sending."""
        i = pending.inspection
        await self.session.execute(
            update(pending_inspections).where(pending_inspections.c.inspection_id == i.inspection_id)
            .values(parcel_id=i.parcel_id, inspected_at=i.inspected_at, inspector=i.inspector,
                    findings=[_finding_json(f) for f in i.findings], jurisdiction=pending.jurisdiction,
                    unrestricted=pending.unrestricted, submitted_by=pending.submitted_by,
                    received_at=pending.received_at, status=pending.status.value, refusal=None))

    async def expire_pending(self, received_before: datetime, reason: str) -> int:
        """Marks the inspections still pending that were received before the moment as expired."""
        result = await self.session.execute(
            update(pending_inspections)
            .where(pending_inspections.c.status == PendingStatus.PENDING.value,
                   pending_inspections.c.received_at < received_before)
            .values(status=PendingStatus.EXPIRED.value, refusal=reason))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def refuse_pending(self, inspection_id: str, refusal: str) -> None:
        await self.session.execute(
            update(pending_inspections).where(pending_inspections.c.inspection_id == inspection_id)
            .values(status=PendingStatus.REFUSED.value, refusal=refusal))


def _finding_json(f: Finding) -> dict[str, Any]:
    return {"type": f.type.value, "holder_attitude": f.holder_attitude.value, "tenant_uscc": f.tenant_uscc,
            "note": f.note}


def _pending(row: Any) -> PendingInspection:
    inspection = Inspection(row.inspection_id, row.parcel_id, row.inspected_at, row.inspector, tuple(
        Finding(FindingType(f["type"]), HolderAttitude(f["holder_attitude"]), f["tenant_uscc"], f["note"])
        for f in row.findings))
    return PendingInspection(inspection, row.jurisdiction, row.unrestricted, row.submitted_by, row.received_at,
                             PendingStatus(row.status), row.refusal)


def _evidence(row: Any) -> Evidence:
    return Evidence(row.evidence_id, row.inspection_id, row.media_type, row.size_bytes, row.sha256,
                    row.filename, row.recorded_at, row.recorded_by)
