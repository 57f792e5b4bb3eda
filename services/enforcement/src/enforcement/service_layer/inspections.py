"""Recording inspections and their evidence.

Offline inspection apps retry, so `inspection_id` is the idempotency key: the
same inspection sent again changes nothing, a different body under the same id
is refused. Jurisdiction is checked against the registry's parcel street before
anything is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from enforcement.adapters.evidence_store import EvidenceStore
from enforcement.domain.errors import FieldError, InvalidInput
from enforcement.domain.evidence import Evidence, EvidencePolicy, record_evidence
from enforcement.domain.inspections import Inspection, InspectionRecord, ensure_in_jurisdiction, finding_id
from enforcement.service_layer.context import Caller
from enforcement.service_layer.errors import Conflict, NotFound
from enforcement.service_layer.outgoing import finding_events
from enforcement.service_layer.unit_of_work import EnforcementUnitOfWork


async def record_inspection(uow: EnforcementUnitOfWork, inspection: Inspection,
                            caller: Caller) -> tuple[InspectionRecord, bool]:
    """Store a validated inspection with its findings and FindingRecorded events; (record, created)."""
    async with uow:
        parcel = await uow.projections.parcel(inspection.parcel_id)
        if parcel is None:
            raise InvalidInput([FieldError("parcel_id", "unknown parcel: the land ledger has not reported it")])
        if not caller.unrestricted:
            ensure_in_jurisdiction(caller.jurisdiction, parcel.parcel_id, parcel.street)
        now = uow.clock()
        if not await uow.inspections.add(inspection, street=parcel.street, submitted_by=caller.subject,
                                         recorded_at=now):
            earlier = await uow.inspections.get(inspection.inspection_id)
            if earlier is None or earlier.inspection != inspection:
                raise Conflict("Inspection already recorded",
                               f"inspection {inspection.inspection_id} was recorded with different content")
            return earlier, False
        ids = [finding_id(inspection.inspection_id, n) for n in range(1, len(inspection.findings) + 1)]
        await uow.emit(*finding_events(inspection, parcel.street, ids))
        await uow.projections.complete_tasks(parcel.parcel_id, inspection.inspection_id, now)
        return InspectionRecord(inspection, parcel.street, caller.subject, now), True


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
            raise NotFound(f"no inspection {inspection_id}")
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
