"""Request and response bodies of the HTTP API (the v1 contract for inspection apps and staff)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from enforcement.domain.case_states import CaseState
from enforcement.domain.inspections import FindingType, HolderAttitude


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FindingIn(_In):
    type: FindingType
    tenant_uscc: str | None = Field(None, description="Required for unauthorised_lease: the tenant's USCC.")
    holder_attitude: HolderAttitude = HolderAttitude.UNDETERMINED
    note: str | None = None


class InspectionIn(_In):
    inspection_id: str = Field(description="The app's own id; re-sending it is a no-op.")
    parcel_id: str
    inspected_at: datetime = Field(description="When the inspector was on site, with a time zone offset.")
    inspector: str = Field(description="Name or staff number of the inspector on site.")
    findings: list[FindingIn]


class FindingOut(BaseModel):
    finding_id: str
    type: FindingType
    holder_attitude: HolderAttitude
    tenant_uscc: str | None
    note: str | None


class EvidenceOut(BaseModel):
    evidence_id: str
    media_type: str
    size_bytes: int
    sha256: str
    filename: str
    recorded_at: datetime
    recorded_by: str
    href: str


class InspectionOut(BaseModel):
    inspection_id: str
    parcel_id: str
    street: str
    inspected_at: datetime
    inspector: str
    submitted_by: str
    recorded_at: datetime
    findings: list[FindingOut]
    evidence: list[EvidenceOut]


class TimelineEntryOut(BaseModel):
    at: datetime
    actor: str
    action: Literal["opened", "transition", "overdue"]
    from_state: str | None
    to_state: str
    reason: str
    due_date: date | None


class CaseOut(BaseModel):
    case_id: str
    kind: Literal["enforcement", "renewal_guidance"]
    parcel_id: str
    street: str
    holder_uscc: str | None
    state: str
    opened_at: datetime
    due_date: date | None = Field(description="Comply-by date of the current state (Beijing time).")
    closed_at: datetime | None
    overdue: bool
    allowed_transitions: list[str]


class CaseDetail(CaseOut):
    timeline: list[TimelineEntryOut]


class CasePage(BaseModel):
    items: list[CaseOut]
    total: int
    limit: int
    offset: int


class TransitionIn(_In):
    to: CaseState
    reason: str = Field(description="Why the case moves: recorded in its timeline and event.")
    due_date: date | None = Field(None, description="Comply-by date; default from the configured periods.")
    expected_state: CaseState | None = Field(None, description="Refuse (409) if the case is no longer here.")


class TaskOut(BaseModel):
    task_id: str
    parcel_id: str
    street: str
    suspected_uscc: str
    reason: str
    filing_id: str
    year: int
    reports: int
    status: Literal["open", "done"]
    created_at: datetime
    last_reported_at: datetime
    done_at: datetime | None
    done_by_inspection_id: str | None


class TaskPage(BaseModel):
    items: list[TaskOut]
    total: int
    limit: int
    offset: int
