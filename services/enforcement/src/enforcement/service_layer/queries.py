"""The read models: what the GET routes answer, each limited to the caller's area."""

from __future__ import annotations

from enforcement.adapters.evidence_store import EvidenceStore
from enforcement.domain.cases import Case, CaseFilter
from enforcement.domain.errors import OutsideJurisdiction
from enforcement.domain.evidence import Evidence
from enforcement.domain.inspections import InspectionRecord, ensure_in_jurisdiction
from enforcement.domain.local_time import local_date
from enforcement.domain.paging import Cursor
from enforcement.domain.pending import PendingInspection
from enforcement.domain.projections import InspectionTask
from enforcement.service_layer.cases import visible_case
from enforcement.service_layer.context import Caller
from enforcement.service_layer.errors import NotFound
from enforcement.service_layer.unit_of_work import EnforcementUnitOfWork
from landgrade_reference.jurisdictions import same_jurisdiction


async def get_case(uow: EnforcementUnitOfWork, case_id: str, caller: Caller) -> Case:
    async with uow:
        return visible_case(await uow.cases.get(case_id), case_id, caller)


async def list_cases(uow: EnforcementUnitOfWork, f: CaseFilter, limit: int, offset: int,
                     after: Cursor | None = None) -> tuple[list[Case], int, str | None]:
    """(one page of cases, newest first; how many match; the cursor of the next page or None)."""
    async with uow:
        found, total = await uow.cases.page(f, local_date(uow.clock()), limit + 1, offset, after)
    page = found[:limit]
    return page, total, Cursor(page[-1].opened_at, page[-1].case_id).text() if len(found) > limit else None


async def get_inspection(uow: EnforcementUnitOfWork, inspection_id: str, caller: Caller) -> InspectionRecord:
    async with uow:
        record = await uow.inspections.get(inspection_id)
    if record is None:
        raise NotFound(f"no inspection {inspection_id}", f"没有检查记录 {inspection_id}")
    if caller.area is not None:
        ensure_in_jurisdiction(caller.area, record.inspection.parcel_id, record.street)
    return record


async def inspection_or_pending(uow: EnforcementUnitOfWork, inspection_id: str,
                                caller: Caller) -> InspectionRecord | PendingInspection:
    """The recorded inspection, or the one still waiting for its parcel (or refused when it came),
    as its poster's area sees it."""
    async with uow:
        record = await uow.inspections.get(inspection_id)
        pending = await uow.inspections.pending(inspection_id) if record is None else None
    if record is None:
        if pending is None or not pending.visible_to(caller.area):
            raise NotFound(f"no inspection {inspection_id}", f"没有检查记录 {inspection_id}")
        return pending
    if caller.area is not None:
        ensure_in_jurisdiction(caller.area, record.inspection.parcel_id, record.street)
    return record


async def evidence_content(uow: EnforcementUnitOfWork, store: EvidenceStore, inspection_id: str, evidence_id: str,
                           caller: Caller) -> tuple[Evidence, bytes]:
    """The recorded file and its bytes, re-checked against the recorded SHA-256."""
    record = await get_inspection(uow, inspection_id, caller)
    item = next((e for e in record.evidence if e.evidence_id == evidence_id), None)
    if item is None:
        raise NotFound(f"no evidence {evidence_id} on inspection {inspection_id}",
                       f"检查记录 {inspection_id} 没有证据 {evidence_id}")
    return item, await store.read(item.storage_name, item.sha256)


async def list_tasks(uow: EnforcementUnitOfWork, caller: Caller, *, street: str | None, status: str | None,
                     limit: int, offset: int = 0,
                     after: Cursor | None = None) -> tuple[list[InspectionTask], int, str | None]:
    """(one page of tasks, oldest first; how many match; the cursor of the next page or None).
    A street office or town reads its own list only; callers that see every area pick a street."""
    area = caller.area
    if area is not None and street is not None and not same_jurisdiction(area, street):
        raise OutsideJurisdiction(f"this token may only read the list of {area}", f"此令牌只能查看{area}的任务清单")
    async with uow:
        found, total = await uow.projections.tasks(street=area or street, status=status, limit=limit + 1,
                                                   offset=offset, after=after)
    page = found[:limit]
    return page, total, Cursor(page[-1].created_at, page[-1].task_id).text() if len(found) > limit else None
