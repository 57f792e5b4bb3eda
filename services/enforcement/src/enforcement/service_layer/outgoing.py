"""Domain happenings turned into the published event contracts (landgrade_events.enforcement)."""

from __future__ import annotations

from enforcement.domain.cases import Case, CaseChanged, CaseOverdue
from enforcement.domain.inspections import Inspection
from landgrade_events import enforcement as contract
from servicekit.events import EventData


def case_events(case: Case) -> list[EventData]:
    """The case's pending domain events as contract events; the case's list is emptied."""
    messages: list[EventData] = []
    for happened in case.events:
        entry, street = happened.entry, happened.street or ""
        if isinstance(happened, CaseChanged):
            messages.append(contract.CaseChanged(
                case_id=happened.case_id, parcel_id=happened.parcel_id, street=street,
                holder_uscc=case.holder_uscc, kind=happened.kind.value, state=entry.to_state.value,
                previous_state=entry.from_state.value if entry.from_state else None, actor=entry.by,
                reason=entry.reason, due_date=entry.due_date, at=entry.at))
        elif isinstance(happened, CaseOverdue) and entry.due_date is not None:
            messages.append(contract.CaseOverdue(
                case_id=happened.case_id, parcel_id=happened.parcel_id, street=street,
                kind=happened.kind.value, state=entry.to_state.value, due_date=entry.due_date,
                detected_at=entry.at))
    case.events.clear()
    return messages


def finding_events(inspection: Inspection, street: str, finding_ids: list[str]) -> list[EventData]:
    return [
        contract.FindingRecorded(
            finding_id=fid, inspection_id=inspection.inspection_id, parcel_id=inspection.parcel_id,
            street=street, inspected_at=inspection.inspected_at, type=f.type.value,
            tenant_uscc=f.tenant_uscc, holder_attitude=f.holder_attitude.value, note=f.note)
        for fid, f in zip(finding_ids, inspection.findings, strict=True)
    ]
