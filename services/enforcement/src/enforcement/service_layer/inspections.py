"""Recording inspections and their evidence.

Offline inspection apps retry, so `inspection_id` is the idempotency key: the
same inspection sent again changes nothing, a different body under the same id
is refused. Jurisdiction is checked against the registry's parcel street before
anything is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from enforcement.adapters.evidence_store import EvidenceStore
from enforcement.domain.evidence import Evidence, EvidencePolicy, record_evidence
from enforcement.domain.inspections import Inspection, InspectionRecord, ensure_in_jurisdiction, finding_id
from enforcement.domain.pending import PendingInspection, PendingStatus, expired_before, expiry_reason
from enforcement.domain.projections import ParcelView
from enforcement.service_layer.context import Caller
from enforcement.service_layer.errors import Conflict, InspectionPending, NotFound
from enforcement.service_layer.outgoing import finding_events
from enforcement.service_layer.unit_of_work import EnforcementUnitOfWork


async def record_inspection(uow: EnforcementUnitOfWork, inspection: Inspection,
                            caller: Caller) -> tuple[InspectionRecord | PendingInspection, bool]:
    """Store a validated inspection with its findings and FindingRecorded events; (record, created).

    An inspection of a parcel the registry has not reported yet is kept as pending and recorded by
    the consumer of the parcel's event (`record_pending`): a finding is never lost to that race."""
    async with uow:
        # The parcel's lock orders this check against the consumer recording the parcel's arrival:
        # either the parcel is seen here, or the pending inspection is seen there.
        await uow.projections.lock_parcels([inspection.parcel_id])
        parcel = await uow.projections.parcel(inspection.parcel_id)
        if parcel is None:
            return await _keep_pending(uow, inspection, caller)
        if not caller.unrestricted:
            ensure_in_jurisdiction(caller.jurisdiction, parcel.parcel_id, parcel.street)
        now = uow.clock()
        if not await _record(uow, inspection, parcel.street, caller.subject, now):
            earlier = await uow.inspections.get(inspection.inspection_id)
            if earlier is None or earlier.inspection != inspection:
                raise _different(inspection)
            return earlier, False
        return InspectionRecord(inspection, parcel.street, caller.subject, now), True


def _different(inspection: Inspection) -> Conflict:
    return Conflict("Inspection already recorded",
                    f"inspection {inspection.inspection_id} was recorded with different content",
                    title_zh="检查记录已存在", detail_zh=f"检查记录 {inspection.inspection_id} 已以不同内容提交")


async def _record(uow: EnforcementUnitOfWork, inspection: Inspection, street: str, submitted_by: str,
                  at: datetime) -> bool:
    """The inspection, its FindingRecorded events and its parcel's open tasks answered; False
    (nothing written) when its id is already recorded."""
    if not await uow.inspections.add(inspection, street=street, submitted_by=submitted_by, recorded_at=at):
        return False
    ids = [finding_id(inspection.inspection_id, n) for n in range(1, len(inspection.findings) + 1)]
    await uow.emit(*finding_events(inspection, street, ids))
    await uow.projections.complete_tasks(inspection.parcel_id, inspection.inspection_id, uow.clock())
    return True


async def _keep_pending(uow: EnforcementUnitOfWork, inspection: Inspection,
                        caller: Caller) -> tuple[PendingInspection, bool]:
    if not caller.unrestricted and not caller.jurisdiction:
        ensure_in_jurisdiction(caller.jurisdiction, inspection.parcel_id, None)  # refuses: no area to check
    if await uow.inspections.get(inspection.inspection_id) is not None:
        raise _different(inspection)
    pending = PendingInspection(inspection, caller.jurisdiction, caller.unrestricted, caller.subject, uow.clock())
    if await uow.inspections.add_pending(pending):
        return pending, True
    kept = await uow.inspections.pending(inspection.inspection_id)
    if kept is not None and kept.status is PendingStatus.EXPIRED:
        await uow.inspections.renew_pending(pending)  # its wait ended unanswered: this one waits anew
        return pending, True
    if kept is None or kept.inspection != inspection:
        raise _different(inspection)
    return kept, False


async def expire_pending_inspections(uow: EnforcementUnitOfWork, days: int) -> int:
    """Pending inspections whose parcel has not arrived within `days` expire, with the reason; how many."""
    async with uow:
        return await uow.inspections.expire_pending(expired_before(uow.clock(), days), expiry_reason(days))


async def record_pending(uow: EnforcementUnitOfWork, pending: PendingInspection, parcel: ParcelView) -> None:
    """The parcel of a pending inspection has arrived: record the inspection as if it had been
    posted now (at the time it was received), or refuse it when the parcel is outside the poster's area."""
    inspection_id = pending.inspection.inspection_id
    refusal = pending.refusal_for(parcel.street)
    if refusal is not None:
        await uow.inspections.refuse_pending(inspection_id, refusal)
        return
    await _record(uow, pending.inspection, parcel.street, pending.submitted_by, pending.received_at)
    await uow.inspections.recorded_pending(inspection_id)


@dataclass(frozen=True)
class EvidenceUpload:
    inspection_id: str
    filename: str
    media_type: str  # as declared by the client; checked against the bytes
    content: bytes


async def add_evidence(uow: EnforcementUnitOfWork, upload: EvidenceUpload, caller: Caller, *,
                       store: EvidenceStore, policy: EvidencePolicy) -> tuple[Evidence, bool]:
    """Check a file against the evidence policy, store it and record it; (evidence, created)."""
    inspection_id = upload.inspection_id
    async with uow:
        record = await uow.inspections.get(inspection_id, for_update=True)  # serialises uploads to one inspection
        if record is None:
            pending = await uow.inspections.pending(inspection_id)
            if pending is not None and pending.status is PendingStatus.PENDING and pending.visible_to(caller.area):
                raise InspectionPending(inspection_id)
            raise NotFound(f"no inspection {inspection_id}", f"没有检查记录 {inspection_id}")
        if not caller.unrestricted:
            ensure_in_jurisdiction(caller.jurisdiction, record.inspection.parcel_id, record.street)
        item, created = record_evidence(
            policy, evidence_id=str(uuid.uuid4()), inspection_id=inspection_id, filename=upload.filename,
            declared_media_type=upload.media_type, content=upload.content, existing=record.evidence,
            recorded_at=uow.clock(), recorded_by=caller.subject)
        if not created:
            return item, False
        # The file lands before the row commits: a row never points at a missing file (an orphan
        # file from a failed commit is harmless and is reused by the retry, being content-addressed).
        await store.put(item.storage_name, upload.content)
        stored = await uow.inspections.add_evidence(item)
        return stored, stored.evidence_id == item.evidence_id
