"""Recording inspections and their evidence.

Offline inspection apps retry, so `inspection_id` is the idempotency key: the
same inspection sent again changes nothing, a different body under the same id
is refused. Jurisdiction is checked against the registry's parcel street before
anything is written.
"""

from __future__ import annotations

import uuid

from enforcement.adapters.inspection_repository import InspectionRecord, InspectionRepository, finding_id
from enforcement.adapters.projection_repository import ProjectionRepository
from enforcement.domain.errors import FieldError, InvalidInput
from enforcement.domain.evidence import Evidence, record_evidence
from enforcement.domain.inspections import Inspection, ensure_in_jurisdiction
from enforcement.service_layer.context import Caller, Context
from enforcement.service_layer.errors import Conflict, NotFound
from enforcement.service_layer.messages import finding_messages


async def record_inspection(ctx: Context, inspection: Inspection, caller: Caller) -> tuple[InspectionRecord, bool]:
    """Store a validated inspection with its findings and FindingRecorded events; (record, created)."""
    async with ctx.db.transaction() as session:
        parcel = await ProjectionRepository(session).parcel(inspection.parcel_id)
        if parcel is None:
            raise InvalidInput([FieldError("parcel_id", "unknown parcel: the land ledger has not reported it")])
        if not caller.unrestricted:
            ensure_in_jurisdiction(caller.jurisdiction, parcel.parcel_id, parcel.street)
        repo = InspectionRepository(session)
        now = ctx.clock()
        if not await repo.add(inspection, street=parcel.street, submitted_by=caller.subject, recorded_at=now):
            earlier = await repo.get(inspection.inspection_id)
            if earlier is None or earlier.inspection != inspection:
                raise Conflict("Inspection already recorded",
                               f"inspection {inspection.inspection_id} was recorded with different content")
            return earlier, False
        ids = [finding_id(inspection.inspection_id, n) for n in range(1, len(inspection.findings) + 1)]
        await ctx.outbox.add(session, *finding_messages(inspection, parcel.street, ids))
        await ProjectionRepository(session).complete_tasks(parcel.parcel_id, inspection.inspection_id, now)
        return InspectionRecord(inspection, parcel.street, caller.subject, now), True


async def get_inspection(ctx: Context, inspection_id: str, caller: Caller) -> InspectionRecord:
    async with ctx.db.sessions() as session:
        record = await InspectionRepository(session).get(inspection_id)
    if record is None:
        raise NotFound(f"no inspection {inspection_id}")
    if caller.area is not None:
        ensure_in_jurisdiction(caller.area, record.inspection.parcel_id, record.street)
    return record


async def add_evidence(ctx: Context, inspection_id: str, *, filename: str, media_type: str, content: bytes,
                       caller: Caller) -> tuple[Evidence, bool]:
    """Check a file against the evidence policy, store it and record it; (evidence, created)."""
    async with ctx.db.transaction() as session:
        repo = InspectionRepository(session)
        record = await repo.get(inspection_id, for_update=True)  # serialises uploads to one inspection
        if record is None:
            raise NotFound(f"no inspection {inspection_id}")
        if not caller.unrestricted:
            ensure_in_jurisdiction(caller.jurisdiction, record.inspection.parcel_id, record.street)
        item, created = record_evidence(
            ctx.evidence_policy, evidence_id=str(uuid.uuid4()), inspection_id=inspection_id, filename=filename,
            declared_media_type=media_type, content=content, existing=record.evidence,
            recorded_at=ctx.clock(), recorded_by=caller.subject)
        if not created:
            return item, False
        # The file lands before the row commits: a row never points at a missing file (an orphan
        # file from a failed commit is harmless and is reused by the retry, being content-addressed).
        await ctx.evidence_store.put(item.storage_name, content)
        stored = await repo.add_evidence(item)
        return stored, stored.evidence_id == item.evidence_id


async def evidence_content(ctx: Context, inspection_id: str, evidence_id: str,
                           caller: Caller) -> tuple[Evidence, bytes]:
    record = await get_inspection(ctx, inspection_id, caller)
    item = next((e for e in record.evidence if e.evidence_id == evidence_id), None)
    if item is None:
        raise NotFound(f"no evidence {evidence_id} on inspection {inspection_id}")
    return item, await ctx.evidence_store.read(item.storage_name, item.sha256)
