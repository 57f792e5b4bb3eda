"""Published by enforcement: findings from street-office inspections and case state changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from servicekit.events import EventData

FINDINGS = "landgrade.enforcement.findings.v1"
CASES = "landgrade.enforcement.cases.v1"

FindingType = Literal["unauthorised_lease", "non_industrial_use", "illegal_construction",
                      "residential_conversion", "abandoned", "litigation", "rectified", "no_issue"]
Attitude = Literal["cooperating_with_renewal", "refuses_to_correct", "undetermined"]
CaseKind = Literal["enforcement", "renewal_guidance"]


class FindingRecorded(EventData):
    TYPE: ClassVar[str] = "landgrade.enforcement.finding_recorded.v1"
    TOPIC: ClassVar[str] = FINDINGS
    finding_id: str  # "<inspection_id>#<n>"
    inspection_id: str
    parcel_id: str
    street: str
    inspected_at: datetime
    type: FindingType
    tenant_uscc: str | None = None
    holder_attitude: Attitude | None = None
    note: str | None = None

    def key(self) -> str:
        return self.parcel_id


class CaseChanged(EventData):
    """A case opened, moved or closed. `state == "rectified"` asks evaluation to re-grade."""
    TYPE: ClassVar[str] = "landgrade.enforcement.case_changed.v1"
    TOPIC: ClassVar[str] = CASES
    case_id: str
    parcel_id: str
    street: str
    holder_uscc: str | None = None
    kind: CaseKind
    state: str
    previous_state: str | None = None
    actor: str
    reason: str
    due_date: date | None = None
    at: datetime

    def key(self) -> str:
        return self.parcel_id


class CaseOverdue(EventData):
    TYPE: ClassVar[str] = "landgrade.enforcement.case_overdue.v1"
    TOPIC: ClassVar[str] = CASES
    case_id: str
    parcel_id: str
    street: str
    kind: CaseKind
    state: str
    due_date: date
    detected_at: datetime

    def key(self) -> str:
        return self.parcel_id
