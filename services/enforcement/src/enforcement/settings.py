"""Settings of the enforcement service (environment variables, unprefixed names)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from enforcement.domain.due_periods import DuePolicy
from enforcement.domain.evidence import DEFAULT_MEDIA_TYPES, EvidencePolicy
from enforcement.domain.notices import TaskNoticePolicy
from landgrade_reference.official_calendar import OfficialCalendar
from servicekit.notices import NoticeSettings


class Settings(NoticeSettings):
    service_name: str = "enforcement"
    http_port: int = 8004
    # Evidence files are kept here, content-addressed; back this directory up with the database.
    evidence_dir: Path = Path(".local/evidence/enforcement")
    evidence_max_bytes: int = 20 * 1024 * 1024
    evidence_media_types: list[str] = sorted(DEFAULT_MEDIA_TYPES)
    evidence_max_items: int = 50
    # Overrides of the comply-by periods, in days: {"enforcement": {"rectifying": 60}} (JSON in the env).
    case_due_days: dict[str, dict[str, int | None]] = Field(default_factory=dict)
    overdue_check_seconds: float = 300.0
    # An inspection of a parcel the registry has not reported waits this long, then expires (and may
    # be sent again); checked every `pending_check_seconds`.
    pending_inspection_days: int = Field(default=7, ge=1, le=365)
    pending_check_seconds: float = 300.0
    # Provisional grades are published during the objection window; opening the case at once gives
    # the street office a head start, and a changed final grade closes it again with the reason.
    cases_from_provisional_grades: bool = True
    # A new inspection task is a notice to its street office (e-mail to the address registered at
    # PUT /v1/street-contacts/{street}, through the channel of the `notice_*` settings), giving it
    # this many working days on China's official calendar to inspect.
    task_notice_working_days: int = Field(default=10, ge=1, le=250)
    # The State Council's holiday notices for years the bundled calendar data does not know yet
    # (the same file and format as evaluation's); unset: the bundled data alone.
    official_calendar_file: Path | None = None

    def evidence_policy(self) -> EvidencePolicy:
        return EvidencePolicy(frozenset(self.evidence_media_types), self.evidence_max_bytes,
                              self.evidence_max_items)

    def task_notice_policy(self) -> TaskNoticePolicy:
        return TaskNoticePolicy(self.task_notice_working_days,
                                OfficialCalendar.with_notices_from(self.official_calendar_file))

    def due_policy(self) -> DuePolicy:
        return DuePolicy.from_days(self.case_due_days)
